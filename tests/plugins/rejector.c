/*
 * Test plugin: on its first candle it places one order for every rejection rule of the paper
 * broker (docs/broker.md), then one good order, and logs what each place_order returned (code,
 * order id, last_error) so that a test can compare the strategy's view with orders.parquet and
 * the on_order_placed events. The session needs two symbols: the second one has no price yet
 * on the first candle. strategy.h only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"

typedef struct rejector {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  long candles;
} rejector;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  rejector *r = calloc(1, sizeof *r);
  if (r) {
    r->host = host;
    r->ctx = ctx;
  }
  return r;
}

static void destroy(void *self) {
  free(self);
}

static int initialize(void *self, const char *config) {
  (void)self;
  (void)config;
  return ARGO_S_OK;
}

/* Places one order and logs the outcome: message = case name, fields code, order_id, error. */
static void place(rejector *r, const char *name, const argo_order_request *req) {
  char id[ARGO_ID_MAX] = "";
  int rc = r->host->place_order(r->ctx, req, id);
  char code[16];
  snprintf(code, sizeof code, "%d", rc);
  argo_kv f[] = {{"code", code}, {"order_id", id}, {"error", r->host->last_error(r->ctx)}};
  r->host->log(r->ctx, ARGO_LOG_INFO, name, f, 3);
}

static int on_candle(void *self, const argo_candle *c) {
  rejector *r = self;
  if (r->candles++ != 0) {
    return ARGO_S_OK;
  }
  /* The other symbol of the session: no candle of it has been seen yet. */
  const char *other = strcmp(c->symbol, "BTCUSDT") == 0 ? "ETHUSDT" : "BTCUSDT";
  const argo_order_request base = {.symbol = c->symbol,
                                   .side = ARGO_SIDE_BUY,
                                   .type = ARGO_ORDER_MARKET,
                                   .position_type = ARGO_POSITION_LONG,
                                   .quantity = 1};
  argo_order_request q;
  q = base;
  q.quantity = 1e9;
  place(r, "buying_power", &q);
  q = base;
  q.side = ARGO_SIDE_SELL;
  place(r, "position", &q);
  q = base;
  q.quantity = 0;
  place(r, "zero_quantity", &q);
  q = base;
  q.quantity = -2;
  place(r, "negative_quantity", &q);
  q = base;
  q.quantity = NAN;
  place(r, "nan_quantity", &q);
  q = base;
  q.type = ARGO_ORDER_LIMIT;
  q.limit_price = -5;
  place(r, "negative_price", &q);
  q = base;
  q.type = ARGO_ORDER_LIMIT;
  q.limit_price = 0;
  place(r, "zero_price", &q);
  q = base;
  q.type = ARGO_ORDER_LIMIT;
  q.limit_price = NAN;
  place(r, "nan_price", &q);
  q = base;
  q.symbol = "DOGEUSDT";
  place(r, "unknown_symbol", &q);
  q = base;
  q.symbol = other;
  place(r, "no_price", &q);
  q = base;
  q.quantity = 0.01;
  place(r, "good", &q);
  return ARGO_S_OK;
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "rejector",
    .id = "org.argo.tests.rejector",
    .version = "1.0.0",
    .description = "places one order per rejection rule on its first candle",
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .on_candle = on_candle,
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
