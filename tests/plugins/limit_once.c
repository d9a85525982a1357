/*
 * Test plugin for live orders across a restart: on its first candle it places `orders` buys
 * (config, default 1) of `qty` (default 0.001): market orders when `market` is true, else limit
 * orders `below` (a fraction, default 0.0002) under the candle's close. A second session given
 * {"orders": 0} places nothing, so that what it records of those orders comes from the
 * exchange. strategy.h only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"

typedef struct once {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  long orders;
  double qty, below;
  int market, done;
} once;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  once *m = calloc(1, sizeof *m);
  if (m) {
    m->host = host;
    m->ctx = ctx;
  }
  return m;
}

static void destroy(void *self) {
  free(self);
}

/* The number after "key": in a flat JSON object, or dflt. */
static double num(const char *config, const char *key, double dflt) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(config, pat);
  return p ? strtod(p + strlen(pat), NULL) : dflt;
}

static int initialize(void *self, const char *config) {
  once *m = self;
  m->orders = (long)num(config, "orders", 1);
  m->qty = num(config, "qty", 0.001);
  m->below = num(config, "below", 0.0002);
  m->market = strstr(config, "\"market\": true") || strstr(config, "\"market\":true");
  return 0;
}

static int on_candle(void *self, const argo_candle *c) {
  once *m = self;
  if (m->done) {
    return 0;
  }
  m->done = 1;
  for (long i = 0; i < m->orders; i++) {
    argo_order_request r = {.symbol = c->symbol,
                            .side = ARGO_SIDE_BUY,
                            .type = m->market ? ARGO_ORDER_MARKET : ARGO_ORDER_LIMIT,
                            .position_type = ARGO_POSITION_LONG,
                            .quantity = m->qty,
                            .limit_price = c->close * (1 - m->below)};
    char id[ARGO_ID_MAX];
    m->host->place_order(m->ctx, &r, id);
  }
  return 0;
}

static const argo_strategy def = {.abi_version = ARGO_STRATEGY_ABI_VERSION,
                                  .struct_size = sizeof(argo_strategy),
                                  .name = "limit_once",
                                  .create = create,
                                  .destroy = destroy,
                                  .initialize = initialize,
                                  .on_candle = on_candle};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
