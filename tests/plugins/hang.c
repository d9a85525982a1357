/*
 * Test plugin: a strategy that stops returning. It buys on every 10th candle and, at the
 * candle given by config "hang_at" (counted from 1), logs "hanging" and never returns from
 * on_candle (it sleeps forever). With "hang_in_stop": 1 it hangs in on_stop instead. strategy.h
 * only.
 */
#include <stdlib.h>
#include <time.h>

#include "strategy.h"

typedef struct hang {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  long hang_at, calls;
  int in_stop;
} hang;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  hang *h = calloc(1, sizeof *h);
  if (h) {
    h->host = host;
    h->ctx = ctx;
  }
  return h;
}

static void destroy(void *self) {
  free(self);
}

static int initialize(void *self, const char *config) {
  hang *h = self;
  (void)config;
  h->hang_at = (long)h->host->config_number(h->ctx, "hang_at", 0);
  h->in_stop = h->host->config_number(h->ctx, "hang_in_stop", 0) != 0;
  return ARGO_S_OK;
}

static void forever(void) {
  for (;;) {
    struct timespec ts = {1, 0};
    nanosleep(&ts, NULL);
  }
}

static int on_candle(void *self, const argo_candle *c) {
  hang *h = self;
  h->calls++;
  if (h->calls % 10 == 0) {
    argo_order_request r = {c->symbol,          ARGO_SIDE_BUY, ARGO_ORDER_MARKET,
                            ARGO_POSITION_LONG, 0.001,         0};
    h->host->place_order(h->ctx, &r, NULL);
  }
  if (h->calls == h->hang_at) {
    h->host->log(h->ctx, ARGO_LOG_WARNING, "hanging", NULL, 0);
    forever();
  }
  return ARGO_S_OK;
}

static void on_stop(void *self) {
  if (((hang *)self)->in_stop) {
    forever();
  }
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "hang",
    .id = "org.argo.tests.hang",
    .version = "1.0.0",
    .description = "stops returning at a given candle",
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .on_candle = on_candle,
    .on_stop = on_stop,
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
