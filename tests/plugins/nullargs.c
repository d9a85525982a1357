/*
 * Test plugin: calls every host function with NULL where a pointer belongs (a NULL ctx, a NULL
 * buffer with a positive capacity, NULL fields with a positive count, ...) on its first candle
 * and checks that each call fails cleanly (ARGO_S_EINVAL, or 0 with last_error set for the
 * functions that return a count) instead of crashing the session. It logs "nullargs: all
 * checked" when every call behaved, and otherwise fails the candle naming the first call that
 * did not. strategy.h only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"

typedef struct nullargs {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  int done;
} nullargs;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  nullargs *p = calloc(1, sizeof *p);
  if (p) {
    p->host = host;
    p->ctx = ctx;
  }
  return p;
}

static void destroy(void *self) {
  free(self);
}

static int initialize(void *self, const char *config) {
  (void)self;
  (void)config;
  return ARGO_S_OK;
}

/* Fails the candle with the call that misbehaved. */
static int bad(nullargs *p, const char *call, long got) {
  char msg[256];
  snprintf(msg, sizeof msg, "nullargs: %s returned %ld", call, got);
  p->host->set_error(p->ctx, msg);
  return ARGO_S_ERROR;
}

/* A count-returning call made with a NULL buffer: 0, and last_error says why. */
#define EXPECT_ZERO(call)                                                                          \
  do {                                                                                             \
    size_t n_ = (call);                                                                            \
    if (n_ != 0 || h->last_error(ctx)[0] == '\0') {                                                \
      return bad(p, #call, (long)n_);                                                              \
    }                                                                                              \
  } while (0)

#define EXPECT(code, call)                                                                         \
  do {                                                                                             \
    long r_ = (long)(call);                                                                        \
    if (r_ != (code)) {                                                                            \
      return bad(p, #call, r_);                                                                    \
    }                                                                                              \
  } while (0)

static int on_candle(void *self, const argo_candle *c) {
  nullargs *p = self;
  if (p->done++) {
    return ARGO_S_OK;
  }
  const argo_host_api *h = p->host;
  argo_strategy_ctx *ctx = p->ctx;
  argo_position pos;
  argo_account acct;
  argo_candle cs[4];
  char buf[64];

  /* NULL buffers with a positive capacity or count. */
  EXPECT_ZERO(h->get_positions(ctx, NULL, 100));
  EXPECT_ZERO(h->get_open_orders(ctx, NULL, 100));
  EXPECT_ZERO(h->recent_candles(ctx, c->symbol, NULL, 10));
  EXPECT(ARGO_S_EINVAL, h->place_orders(ctx, NULL, 3, NULL));
  EXPECT(ARGO_S_EINVAL, h->log(ctx, ARGO_LOG_INFO, "x", NULL, 3));
  EXPECT(ARGO_S_OK, h->cache_set(ctx, "k", "value"));
  EXPECT(ARGO_S_EINVAL, h->cache_get(ctx, "k", NULL, 10));
  /* NULL required arguments. */
  EXPECT(ARGO_S_EINVAL, h->place_order(ctx, NULL, NULL));
  EXPECT(ARGO_S_EINVAL, h->cancel_order(ctx, NULL));
  EXPECT(ARGO_S_EINVAL, h->get_position(ctx, NULL, &pos));
  EXPECT(ARGO_S_EINVAL, h->get_position(ctx, c->symbol, NULL));
  EXPECT(ARGO_S_EINVAL, h->get_account(ctx, NULL));
  EXPECT(ARGO_S_EINVAL, h->mark(ctx, NULL));
  EXPECT(ARGO_S_EINVAL, h->cache_get(ctx, NULL, buf, sizeof buf));
  EXPECT(ARGO_S_EINVAL, h->cache_set(ctx, NULL, "v"));
  EXPECT(ARGO_S_EINVAL, h->cache_set(ctx, "k", NULL));
  EXPECT_ZERO(h->recent_candles(ctx, NULL, cs, 4));
  /* A NULL ctx. */
  EXPECT(ARGO_S_EINVAL, h->place_order(NULL, NULL, NULL));
  EXPECT(ARGO_S_EINVAL, h->place_orders(NULL, NULL, 1, NULL));
  EXPECT(ARGO_S_EINVAL, h->cancel_order(NULL, "x"));
  EXPECT(ARGO_S_EINVAL, h->cancel_all(NULL, NULL));
  EXPECT(ARGO_S_EINVAL, h->get_position(NULL, c->symbol, &pos));
  EXPECT(0, h->get_positions(NULL, &pos, 1));
  EXPECT(ARGO_S_EINVAL, h->get_account(NULL, &acct));
  EXPECT(0, h->get_open_orders(NULL, NULL, 0));
  EXPECT(0, h->recent_candles(NULL, c->symbol, cs, 4));
  EXPECT(ARGO_S_EINVAL, h->mark(NULL, NULL));
  EXPECT(ARGO_S_EINVAL, h->log(NULL, ARGO_LOG_INFO, "x", NULL, 0));
  EXPECT(ARGO_S_EINVAL, h->cache_get(NULL, "k", buf, sizeof buf));
  EXPECT(ARGO_S_EINVAL, h->cache_set(NULL, "k", "v"));
  EXPECT(0, h->now(NULL));
  EXPECT(7, h->config_number(NULL, "n", 7));
  if (strcmp(h->config_string(NULL, "s", "d"), "d") != 0 || !h->last_error(NULL)) {
    return bad(p, "config_string(NULL, ...) or last_error(NULL)", -1);
  }
  h->set_error(NULL, "ignored");
  h->set_error(ctx, NULL);
  /* Valid calls with a NULL buffer and no capacity: the count, or the length needed. */
  EXPECT(1, h->get_positions(ctx, NULL, 0));
  EXPECT(ARGO_S_TOOSMALL, h->cache_get(ctx, "k", NULL, 0));
  EXPECT(ARGO_S_OK, h->log(ctx, ARGO_LOG_INFO, "nullargs: all checked", NULL, 0));
  return ARGO_S_OK;
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "nullargs",
    .id = "org.argo.tests.nullargs",
    .version = "1.0.0",
    .description = "calls every host function with NULL pointers",
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .on_candle = on_candle,
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
