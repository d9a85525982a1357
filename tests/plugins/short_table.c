/*
 * Test plugin: a strategy table as a plugin built against an older, shorter strategy.h would
 * have it. Its struct_size ends right after on_candle; the optional members that a newer header
 * appends after it hold junk here (as whatever follows a shorter table in memory would), so the
 * host must not touch them. It buys on every 4th candle and sells two candles later.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "strategy.h"

typedef struct shorty {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  long n;
} shorty;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  shorty *s = calloc(1, sizeof *s);
  if (s) {
    s->host = host;
    s->ctx = ctx;
  }
  return s;
}

static void destroy(void *self) {
  free(self);
}

static int initialize(void *self, const char *config) {
  (void)self;
  (void)config;
  return ARGO_S_OK;
}

static int on_candle(void *self, const argo_candle *c) {
  shorty *s = self;
  long k = s->n++ % 4;
  if (k != 0 && k != 2) {
    return ARGO_S_OK;
  }
  argo_order_request r = {.symbol = c->symbol,
                          .side = k == 0 ? ARGO_SIDE_BUY : ARGO_SIDE_SELL,
                          .type = ARGO_ORDER_MARKET,
                          .position_type = ARGO_POSITION_LONG,
                          .quantity = 0.01};
  return s->host->place_order(s->ctx, &r, NULL) == ARGO_S_ERROR ? ARGO_S_ERROR : ARGO_S_OK;
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = (uint32_t)(offsetof(argo_strategy, on_candle) + sizeof(void *)),
    .name = "short_table",
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .on_candle = on_candle,
    /* Past struct_size: junk that crashes if called. */
    .on_order_update = (void (*)(void *, const argo_order *, const argo_fill *))(uintptr_t)0x10,
    .on_stop = (void (*)(void *))(uintptr_t)0x20,
    .warmup_candles = (size_t(*)(void *))(uintptr_t)0x30,
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
