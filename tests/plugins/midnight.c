/*
 * Test plugin for orders that live across midnight. On its first candle it places four limit
 * buys of 1 unit, far from the price, logging each id with its name: "fill_next_day" at 95,
 * "cancel_next_day" at 50, "fill_day_after" at 80 and "never" at 10; on its `cancel_at`-th
 * candle (config, default 5) it cancels "cancel_next_day". The test feeds it candles whose lows
 * reach 95 just after the first midnight and 80 just after the second, so each order changes
 * status on a known day. strategy.h only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"

typedef struct midnight {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  long candles, cancel_at;
  char cancel_id[ARGO_ID_MAX];
} midnight;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  midnight *m = calloc(1, sizeof *m);
  if (m) {
    m->host = host;
    m->ctx = ctx;
  }
  return m;
}

static void destroy(void *self) {
  free(self);
}

static int initialize(void *self, const char *config) {
  midnight *m = self;
  (void)config;
  m->cancel_at = (long)m->host->config_number(m->ctx, "cancel_at", 5);
  return ARGO_S_OK;
}

static int bid(midnight *m, const argo_candle *c, const char *name, double price, char *id) {
  argo_order_request r = {.symbol = c->symbol,
                          .side = ARGO_SIDE_BUY,
                          .type = ARGO_ORDER_LIMIT,
                          .position_type = ARGO_POSITION_LONG,
                          .quantity = 1,
                          .limit_price = price};
  int rc = m->host->place_order(m->ctx, &r, id);
  argo_kv f[] = {{"name", name}, {"order_id", id}};
  m->host->log(m->ctx, ARGO_LOG_INFO, rc == ARGO_S_OK ? "placed" : m->host->last_error(m->ctx), f,
               2);
  return rc;
}

static int on_candle(void *self, const argo_candle *c) {
  midnight *m = self;
  char id[ARGO_ID_MAX] = "";
  m->candles++;
  if (m->candles == 1) {
    if (bid(m, c, "fill_next_day", 95, id) || bid(m, c, "cancel_next_day", 50, m->cancel_id) ||
        bid(m, c, "fill_day_after", 80, id) || bid(m, c, "never", 10, id)) {
      m->host->set_error(m->ctx, "an order was not accepted");
      return ARGO_S_ERROR;
    }
  } else if (m->candles == m->cancel_at) {
    if (m->host->cancel_order(m->ctx, m->cancel_id) != ARGO_S_OK) {
      m->host->set_error(m->ctx, m->host->last_error(m->ctx));
      return ARGO_S_ERROR;
    }
  }
  return ARGO_S_OK;
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "midnight",
    .id = "org.argo.tests.midnight",
    .version = "1.0.0",
    .description = "limit orders placed on one day that fill or are cancelled on later days",
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .on_candle = on_candle,
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
