/*
 * pingpong: a builtin strategy for tests and benchmarks. On every `every`-th candle of a
 * symbol it buys `qty` at market if it holds no long position, or sells the whole long
 * position; each trade is marked and logged. A candle that does not trade costs a table look-up
 * and a counter. Written against strategy.h only and talking to the engine only through
 * argo_host_api, like a third-party plugin.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/strategy.h>

#include "../../src/core/strategy_builtin.h"

typedef struct pp_sym {
  char *symbol;
  unsigned long long count; /* candles of this symbol seen */
} pp_sym;

typedef struct pp {
  const argo_host_api *h;
  argo_strategy_ctx *ctx;
  unsigned long long every;
  double qty;
  pp_sym *syms; /* a session has few symbols: a linear array */
  size_t nsyms, cap;
  size_t last; /* the symbol seen last, tried first */
} pp;

static void *pp_create(const argo_host_api *h, argo_strategy_ctx *ctx) {
  pp *p = calloc(1, sizeof *p);
  if (p) {
    p->h = h;
    p->ctx = ctx;
    p->every = 5;
    p->qty = 0.01;
  }
  return p;
}

static void pp_destroy(void *self) {
  pp *p = self;
  if (!p) {
    return;
  }
  for (size_t i = 0; i < p->nsyms; i++) {
    free(p->syms[i].symbol);
  }
  free(p->syms);
  free(p);
}

static int pp_init(void *self, const char *config) {
  pp *p = self;
  (void)config; /* read through config_number, which knows the JSON */
  double every = p->h->config_number(p->ctx, "every", 5);
  double qty = p->h->config_number(p->ctx, "qty", 0.01);
  char msg[160];
  if (!(every >= 1) || every != floor(every) || every > 1e15) {
    snprintf(msg, sizeof msg, "every must be a whole number of candles >= 1, got %g", every);
    goto fail;
  }
  if (!(qty > 0) || !isfinite(qty)) {
    snprintf(msg, sizeof msg, "qty must be a positive number, got %g", qty);
    goto fail;
  }
  p->every = (unsigned long long)every;
  p->qty = qty;
  return ARGO_S_OK;
fail:
  p->h->set_error(p->ctx, msg);
  return ARGO_S_EINVAL;
}

static pp_sym *sym_of(pp *p, const char *symbol) {
  if (p->last < p->nsyms && strcmp(p->syms[p->last].symbol, symbol) == 0) {
    return &p->syms[p->last];
  }
  /* A feed of several symbols gives their candles in turn, in the order first seen: the next
   * one is most often the one after the last, which spares a scan of every symbol. */
  size_t next = p->last + 1 < p->nsyms ? p->last + 1 : 0;
  if (next < p->nsyms && strcmp(p->syms[next].symbol, symbol) == 0) {
    p->last = next;
    return &p->syms[next];
  }
  for (size_t i = 0; i < p->nsyms; i++) {
    if (strcmp(p->syms[i].symbol, symbol) == 0) {
      p->last = i;
      return &p->syms[i];
    }
  }
  if (p->nsyms == p->cap) {
    size_t ncap = p->cap ? p->cap * 2 : 4;
    pp_sym *n = realloc(p->syms, ncap * sizeof *n);
    if (!n) {
      return NULL;
    }
    p->syms = n;
    p->cap = ncap;
  }
  size_t len = strlen(symbol) + 1;
  char *copy = malloc(len);
  if (!copy) {
    return NULL;
  }
  memcpy(copy, symbol, len);
  p->syms[p->nsyms] = (pp_sym){.symbol = copy, .count = 0};
  p->last = p->nsyms++;
  return &p->syms[p->last];
}

static int pp_on_candle(void *self, const argo_candle *c) {
  pp *p = self;
  const argo_host_api *h = p->h;
  pp_sym *s = sym_of(p, c->symbol);
  if (!s) {
    h->set_error(p->ctx, "out of memory");
    return ARGO_S_ERROR;
  }
  if (++s->count % p->every != 0) {
    return ARGO_S_OK;
  }
  argo_position pos;
  if (h->get_position(p->ctx, c->symbol, &pos) != ARGO_S_OK) {
    return ARGO_S_OK; /* not a symbol of this session: nothing to trade */
  }
  int buy = !(pos.long_qty > 0);
  argo_order_request req = {.symbol = c->symbol,
                            .side = buy ? ARGO_SIDE_BUY : ARGO_SIDE_SELL,
                            .type = ARGO_ORDER_MARKET,
                            .position_type = ARGO_POSITION_LONG,
                            .quantity = buy ? p->qty : pos.long_qty};
  char id[ARGO_ID_MAX] = "";
  int rc = h->place_order(p->ctx, &req, id);
  char q[32];
  snprintf(q, sizeof q, "%.8g", req.quantity);
  argo_kv f[] = {{"quantity", q}, {"order_id", id}};
  if (rc != ARGO_S_OK) {
    /* last_error is only valid until the next host call: use it in this one. */
    char msg[400];
    snprintf(msg, sizeof msg, "%s refused: %s", buy ? "ping" : "pong", h->last_error(p->ctx));
    h->log(p->ctx, ARGO_LOG_WARNING, msg, f, 2);
    return ARGO_S_OK;
  }
  argo_mark mark = {.symbol = c->symbol,
                    .color = buy ? "green" : "red",
                    .shape = buy ? "triangle" : "square",
                    .title = buy ? "ping" : "pong",
                    .message = buy ? "bought" : "sold",
                    .category = "trade",
                    .signal_type = buy ? "buy_long" : "sell_long"};
  h->mark(p->ctx, &mark);
  h->log(p->ctx, ARGO_LOG_INFO, buy ? "ping: bought" : "pong: sold", f, 2);
  return ARGO_S_OK;
}

static size_t pp_warmup(void *self) {
  (void)self;
  return 0;
}

static const argo_strategy pp_def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "pingpong",
    .id = "org.argo.pingpong",
    .version = "1.0.0",
    .description = "Buys, then sells, every N candles per symbol (for tests and benchmarks)",
    .config_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"every\":{\"type\":\"integer\",\"minimum\":1,\"default\":5,"
                     "\"description\":\"trade on every N-th candle of a symbol\"},"
                     "\"qty\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"default\":0.01,"
                     "\"description\":\"quantity bought, in units of the symbol\"}}}",
    .create = pp_create,
    .destroy = pp_destroy,
    .initialize = pp_init,
    .on_candle = pp_on_candle,
    .on_order_update = NULL,
    .on_stop = NULL,
    .warmup_candles = pp_warmup,
};

const argo_strategy *argo__builtin_pingpong(void) {
  return &pp_def;
}
