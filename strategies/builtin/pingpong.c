/*
 * pingpong: a builtin strategy for tests and benchmarks. On every `every`-th candle of a
 * symbol it buys `qty` if it holds none, or sells what it holds; each trade is marked and
 * logged. Cheap per candle. Written against strategy.h only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/strategy.h>

#include "../../src/strategy_builtin.h"

typedef struct pp_sym {
  char symbol[ARGO_SYMBOL_MAX];
  long count;
} pp_sym;

typedef struct pp {
  const argo_host_api *h;
  argo_strategy_ctx *ctx;
  long every;
  double qty;
  pp_sym *syms;
  size_t nsyms, cap, last;
} pp;

static void *pp_create(const argo_host_api *h, argo_strategy_ctx *ctx) {
  pp *p = calloc(1, sizeof *p);
  if (p) {
    p->h = h;
    p->ctx = ctx;
  }
  return p;
}

static void pp_destroy(void *self) {
  pp *p = self;
  if (p) {
    free(p->syms);
    free(p);
  }
}

static int pp_init(void *self, const char *config) {
  pp *p = self;
  (void)config;
  double every = p->h->config_number(p->ctx, "every", 5);
  double qty = p->h->config_number(p->ctx, "qty", 0.01);
  if (!(every >= 1) || every != floor(every) || every > 1e9) {
    p->h->set_error(p->ctx, "every must be a whole number of candles >= 1");
    return ARGO_S_EINVAL;
  }
  if (!(qty > 0) || !isfinite(qty)) {
    p->h->set_error(p->ctx, "qty must be a positive number");
    return ARGO_S_EINVAL;
  }
  p->every = (long)every;
  p->qty = qty;
  return ARGO_S_OK;
}

static pp_sym *sym_of(pp *p, const char *symbol) {
  if (p->last < p->nsyms && strcmp(p->syms[p->last].symbol, symbol) == 0) {
    return &p->syms[p->last];
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
  pp_sym *s = &p->syms[p->nsyms];
  memset(s, 0, sizeof *s);
  snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
  p->last = p->nsyms++;
  return s;
}

static int pp_on_candle(void *self, const argo_candle *c) {
  pp *p = self;
  pp_sym *s = sym_of(p, c->symbol);
  if (!s) {
    p->h->set_error(p->ctx, "out of memory");
    return ARGO_S_ERROR;
  }
  if (++s->count % p->every != 0) {
    return ARGO_S_OK;
  }
  argo_position pos;
  if (p->h->get_position(p->ctx, c->symbol, &pos) != ARGO_S_OK) {
    return ARGO_S_OK;
  }
  int buy = !(pos.long_qty > 0);
  argo_order_request req = {.symbol = c->symbol,
                            .side = buy ? ARGO_SIDE_BUY : ARGO_SIDE_SELL,
                            .type = ARGO_ORDER_MARKET,
                            .position_type = ARGO_POSITION_LONG,
                            .quantity = buy ? p->qty : pos.long_qty};
  int rc = p->h->place_order(p->ctx, &req, NULL);
  argo_mark mark = {.color = buy ? "green" : "red",
                    .shape = buy ? "triangle" : "square",
                    .title = buy ? "ping" : "pong",
                    .category = "trade",
                    .signal_type = buy ? "buy_long" : "sell_long"};
  p->h->mark(p->ctx, &mark);
  char q[32];
  snprintf(q, sizeof q, "%.8g", req.quantity);
  argo_kv f[] = {{"quantity", q}};
  p->h->log(p->ctx, rc == ARGO_S_OK ? ARGO_LOG_INFO : ARGO_LOG_WARNING,
            rc == ARGO_S_OK ? (buy ? "ping: bought" : "pong: sold") : p->h->last_error(p->ctx), f,
            1);
  return ARGO_S_OK;
}

static const argo_strategy pp_def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "pingpong",
    .id = "org.argo.pingpong",
    .version = "1.0.0",
    .description = "Buys, then sells, every N candles per symbol (for tests and benchmarks)",
    .config_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"every\":{\"type\":\"integer\",\"minimum\":1,\"default\":5},"
                     "\"qty\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"default\":0.01}}}",
    .create = pp_create,
    .destroy = pp_destroy,
    .initialize = pp_init,
    .on_candle = pp_on_candle,
};

const argo_strategy *argo__builtin_pingpong(void) {
  return &pp_def;
}
