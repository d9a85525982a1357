/*
 * ma_cross: the default builtin strategy. For each symbol it keeps a fast and a slow simple
 * moving average of closes (sums kept incrementally, so a candle costs O(1)); on a golden cross
 * (fast rises above slow) with no long position it buys `size` of its buying power, on a death
 * cross (fast falls below slow) with a long position it sells it all. Each trade is marked on
 * the chart and logged. Written against strategy.h only, like any plugin.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/strategy.h>

#include "../../src/strategy_builtin.h"

typedef struct ma_sym {
  char symbol[ARGO_SYMBOL_MAX];
  double *ring; /* the last `slow` closes */
  size_t n, head;
  double sum_fast, sum_slow;
  int state; /* +1 fast above slow, -1 below, 0 not known yet */
} ma_sym;

typedef struct ma {
  const argo_host_api *h;
  argo_strategy_ctx *ctx;
  int fast, slow;
  double size;
  ma_sym *syms;
  size_t nsyms, cap;
  size_t last; /* index of the symbol seen last: candles of one symbol often come in a row */
} ma;

static void *ma_create(const argo_host_api *h, argo_strategy_ctx *ctx) {
  ma *m = calloc(1, sizeof *m);
  if (m) {
    m->h = h;
    m->ctx = ctx;
  }
  return m;
}

static void ma_destroy(void *self) {
  ma *m = self;
  if (!m) {
    return;
  }
  for (size_t i = 0; i < m->nsyms; i++) {
    free(m->syms[i].ring);
  }
  free(m->syms);
  free(m);
}

static int ma_init(void *self, const char *config) {
  ma *m = self;
  (void)config;
  double fast = m->h->config_number(m->ctx, "fast", 10);
  double slow = m->h->config_number(m->ctx, "slow", 30);
  double size = m->h->config_number(m->ctx, "size", 0.1);
  if (!(fast >= 1) || fast != floor(fast) || fast > 100000) {
    m->h->set_error(m->ctx, "fast must be a whole number of candles >= 1");
    return ARGO_S_EINVAL;
  }
  if (!(slow > fast) || slow != floor(slow) || slow > 100000) {
    m->h->set_error(m->ctx, "slow must be a whole number of candles greater than fast");
    return ARGO_S_EINVAL;
  }
  if (!(size > 0 && size <= 1)) {
    m->h->set_error(m->ctx, "size must be a fraction of buying power in (0, 1]");
    return ARGO_S_EINVAL;
  }
  m->fast = (int)fast;
  m->slow = (int)slow;
  m->size = size;
  return ARGO_S_OK;
}

static ma_sym *sym_of(ma *m, const char *symbol) {
  if (m->last < m->nsyms && strcmp(m->syms[m->last].symbol, symbol) == 0) {
    return &m->syms[m->last];
  }
  for (size_t i = 0; i < m->nsyms; i++) {
    if (strcmp(m->syms[i].symbol, symbol) == 0) {
      m->last = i;
      return &m->syms[i];
    }
  }
  if (m->nsyms == m->cap) {
    size_t ncap = m->cap ? m->cap * 2 : 4;
    ma_sym *n = realloc(m->syms, ncap * sizeof *n);
    if (!n) {
      return NULL;
    }
    m->syms = n;
    m->cap = ncap;
  }
  ma_sym *s = &m->syms[m->nsyms];
  memset(s, 0, sizeof *s);
  snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
  s->ring = calloc((size_t)m->slow, sizeof *s->ring);
  if (!s->ring) {
    return NULL;
  }
  m->last = m->nsyms++;
  return s;
}

/* The close `back` candles ago (0 = the newest). */
static double ago(const ma *m, const ma_sym *s, size_t back) {
  size_t slow = (size_t)m->slow;
  return s->ring[(s->head + slow - 1 - back) % slow];
}

static void trade(ma *m, const argo_candle *c, int golden, double fast, double slow) {
  argo_position pos;
  if (m->h->get_position(m->ctx, c->symbol, &pos) != ARGO_S_OK) {
    return;
  }
  argo_order_request req = {
      .symbol = c->symbol, .type = ARGO_ORDER_MARKET, .position_type = ARGO_POSITION_LONG};
  if (golden) {
    if (pos.long_qty > 0) {
      return;
    }
    argo_account acct;
    m->h->get_account(m->ctx, &acct);
    req.side = ARGO_SIDE_BUY;
    req.quantity = m->size * acct.buying_power / c->close;
    if (!(req.quantity > 0)) {
      return;
    }
  } else {
    if (!(pos.long_qty > 0)) {
      return;
    }
    req.side = ARGO_SIDE_SELL;
    req.quantity = pos.long_qty;
  }
  char id[ARGO_ID_MAX];
  int rc = m->h->place_order(m->ctx, &req, id);
  char fs[32], ss[32], qs[32];
  snprintf(fs, sizeof fs, "%.6f", fast);
  snprintf(ss, sizeof ss, "%.6f", slow);
  snprintf(qs, sizeof qs, "%.8g", req.quantity);
  argo_kv fields[] = {{"fast", fs}, {"slow", ss}, {"quantity", qs}, {"order_id", id}};
  argo_mark mark = {.color = golden ? "green" : "red",
                    .shape = "triangle",
                    .title = golden ? "golden cross" : "death cross",
                    .message = golden ? "fast average crossed above slow: buy"
                                      : "fast average crossed below slow: sell",
                    .category = "signal",
                    .signal_type = golden ? "buy_long" : "sell_long"};
  m->h->mark(m->ctx, &mark);
  if (rc == ARGO_S_OK) {
    m->h->log(m->ctx, ARGO_LOG_INFO, golden ? "golden cross: bought" : "death cross: sold", fields,
              4);
  } else {
    m->h->log(m->ctx, ARGO_LOG_WARNING, m->h->last_error(m->ctx), fields, 4);
  }
}

static int ma_on_candle(void *self, const argo_candle *c) {
  ma *m = self;
  ma_sym *s = sym_of(m, c->symbol);
  if (!s) {
    m->h->set_error(m->ctx, "out of memory");
    return ARGO_S_ERROR;
  }
  size_t slow = (size_t)m->slow, fast = (size_t)m->fast;
  /* Leaving the windows: the close `slow` ago leaves the slow sum, `fast` ago the fast one. */
  if (s->n >= slow) {
    s->sum_slow -= ago(m, s, slow - 1);
  }
  if (s->n >= fast) {
    s->sum_fast -= ago(m, s, fast - 1);
  }
  s->ring[s->head] = c->close;
  s->head = (s->head + 1) % slow;
  s->n++;
  s->sum_slow += c->close;
  s->sum_fast += c->close;
  if (s->n % 4096 == 0) {
    /* Recompute the sums now and then so that rounding cannot accumulate. */
    double a = 0, b = 0;
    for (size_t i = 0; i < slow; i++) {
      double v = ago(m, s, i);
      b += v;
      if (i < fast) {
        a += v;
      }
    }
    s->sum_fast = a;
    s->sum_slow = b;
  }
  if (s->n < slow) {
    return ARGO_S_OK;
  }
  double f = s->sum_fast / (double)fast, sl = s->sum_slow / (double)slow;
  int state = f > sl ? 1 : f < sl ? -1 : s->state;
  if (s->state != 0 && state != s->state) {
    trade(m, c, state > 0, f, sl);
  }
  s->state = state;
  return ARGO_S_OK;
}

static size_t ma_warmup(void *self) {
  return (size_t)((ma *)self)->slow;
}

static const argo_strategy ma_def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "ma_cross",
    .id = "org.argo.ma_cross",
    .version = "1.0.0",
    .description = "Moving-average cross: buys on a golden cross, sells on a death cross",
    .config_schema =
        "{\"type\":\"object\",\"properties\":{"
        "\"fast\":{\"type\":\"integer\",\"minimum\":1,\"default\":10,"
        "\"description\":\"candles in the fast average\"},"
        "\"slow\":{\"type\":\"integer\",\"minimum\":2,\"default\":30,"
        "\"description\":\"candles in the slow average (more than fast)\"},"
        "\"size\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":1,\"default\":0.1,"
        "\"description\":\"fraction of buying power per entry\"}}}",
    .create = ma_create,
    .destroy = ma_destroy,
    .initialize = ma_init,
    .on_candle = ma_on_candle,
    .warmup_candles = ma_warmup,
};

const argo_strategy *argo__builtin_ma_cross(void) {
  return &ma_def;
}
