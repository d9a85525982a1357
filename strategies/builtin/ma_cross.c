/*
 * ma_cross: the default builtin strategy. For each symbol it keeps a fast and a slow simple
 * moving average of closes in its own ring buffer, with the sums kept incrementally, so a
 * candle costs O(1) and no call to recent_candles. On a golden cross (fast rises above slow)
 * with no long position it buys `size` of its buying power at market; on a death cross (fast
 * falls below slow) with a long position it sells all of it. Each trade is marked on the chart
 * and logged. Written against strategy.h only and talking to the engine only through
 * argo_host_api, exactly like a third-party plugin.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/strategy.h>

#include "../../src/core/strategy_builtin.h"

/* Recompute the sums from the ring this often, so that rounding cannot accumulate over a long
 * session (adding and removing millions of closes). */
#define RESUM_EVERY 4096

typedef struct ma_sym {
  char *symbol;
  double *ring; /* the last `slow` closes; head is the slot of the next one */
  size_t n, head;
  double sum_fast, sum_slow;
  int state; /* +1 fast above slow, -1 below, 0 not known yet */
} ma_sym;

typedef struct ma {
  const argo_host_api *h;
  argo_strategy_ctx *ctx;
  size_t fast, slow;
  double size;
  ma_sym *syms; /* a session has few symbols: a linear array */
  size_t nsyms, cap;
  size_t last; /* the symbol seen last, tried first */
} ma;

static void *ma_create(const argo_host_api *h, argo_strategy_ctx *ctx) {
  ma *m = calloc(1, sizeof *m);
  if (m) {
    m->h = h;
    m->ctx = ctx;
    m->fast = 10;
    m->slow = 30;
    m->size = 0.1;
  }
  return m;
}

static void ma_destroy(void *self) {
  ma *m = self;
  if (!m) {
    return;
  }
  for (size_t i = 0; i < m->nsyms; i++) {
    free(m->syms[i].symbol);
    free(m->syms[i].ring);
  }
  free(m->syms);
  free(m);
}

static int ma_init(void *self, const char *config) {
  ma *m = self;
  (void)config; /* read through config_number, which knows the JSON */
  double fast = m->h->config_number(m->ctx, "fast", 10);
  double slow = m->h->config_number(m->ctx, "slow", 30);
  double size = m->h->config_number(m->ctx, "size", 0.1);
  char msg[160];
  if (!(fast >= 1) || fast != floor(fast) || fast > 100000) {
    snprintf(msg, sizeof msg, "fast must be a whole number of candles >= 1, got %g", fast);
    goto fail;
  }
  if (!(slow > fast) || slow != floor(slow) || slow > 100000) {
    snprintf(msg, sizeof msg,
             "slow must be a whole number of candles greater than fast (%g), got %g", fast, slow);
    goto fail;
  }
  if (!(size > 0 && size <= 1)) {
    snprintf(msg, sizeof msg, "size must be a fraction of buying power in (0, 1], got %g", size);
    goto fail;
  }
  m->fast = (size_t)fast;
  m->slow = (size_t)slow;
  m->size = size;
  return ARGO_S_OK;
fail:
  m->h->set_error(m->ctx, msg);
  return ARGO_S_EINVAL;
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
  ma_sym s;
  memset(&s, 0, sizeof s);
  size_t len = strlen(symbol) + 1;
  s.symbol = malloc(len);
  s.ring = calloc(m->slow, sizeof *s.ring);
  if (!s.symbol || !s.ring) {
    free(s.symbol);
    free(s.ring);
    return NULL;
  }
  memcpy(s.symbol, symbol, len);
  m->syms[m->nsyms] = s;
  m->last = m->nsyms++;
  return &m->syms[m->last];
}

/* The close `back` candles ago (0 = the newest). */
static double ago(const ma *m, const ma_sym *s, size_t back) {
  return s->ring[(s->head + m->slow - 1 - back) % m->slow];
}

static void trade(ma *m, const argo_candle *c, int golden, double fast, double slow) {
  const argo_host_api *h = m->h;
  argo_position pos;
  if (h->get_position(m->ctx, c->symbol, &pos) != ARGO_S_OK) {
    return;
  }
  argo_order_request req = {.symbol = c->symbol,
                            .side = golden ? ARGO_SIDE_BUY : ARGO_SIDE_SELL,
                            .type = ARGO_ORDER_MARKET,
                            .position_type = ARGO_POSITION_LONG};
  if (golden) {
    argo_account acct;
    if (pos.long_qty > 0 || h->get_account(m->ctx, &acct) != ARGO_S_OK) {
      return;
    }
    req.quantity = m->size * acct.buying_power / c->close;
    if (m->size > 0.99) {
      req.quantity *= 0.99; /* leave room for the commission, which buying power must cover */
    }
    if (!(req.quantity > 0) || !isfinite(req.quantity)) {
      return; /* nothing to spend */
    }
  } else {
    if (!(pos.long_qty > 0)) {
      return;
    }
    req.quantity = pos.long_qty;
  }
  char id[ARGO_ID_MAX] = "";
  int rc = h->place_order(m->ctx, &req, id);
  /* last_error is only valid until the next host call. */
  char why[256] = "";
  if (rc != ARGO_S_OK) {
    snprintf(why, sizeof why, "%s", h->last_error(m->ctx));
  }
  char fs[32], ss[32], qs[32];
  snprintf(fs, sizeof fs, "%.6f", fast);
  snprintf(ss, sizeof ss, "%.6f", slow);
  snprintf(qs, sizeof qs, "%.8g", req.quantity);
  argo_kv fields[] = {{"fast", fs}, {"slow", ss}, {"quantity", qs}, {"order_id", id}};
  size_t nfields = sizeof fields / sizeof fields[0];
  if (rc != ARGO_S_OK) {
    char msg[400];
    snprintf(msg, sizeof msg, "%s: order refused: %s", golden ? "golden cross" : "death cross",
             why[0] ? why : "unknown error");
    h->log(m->ctx, ARGO_LOG_WARNING, msg, fields, nfields);
    return;
  }
  argo_mark mark = {.symbol = c->symbol,
                    .color = golden ? "green" : "red",
                    .shape = "triangle",
                    .level = "info",
                    .title = golden ? "golden cross" : "death cross",
                    .message = golden ? "fast average crossed above slow: buy"
                                      : "fast average crossed below slow: sell",
                    .category = "signal",
                    .signal_type = golden ? "buy_long" : "sell_long"};
  h->mark(m->ctx, &mark);
  h->log(m->ctx, ARGO_LOG_INFO, golden ? "golden cross: bought" : "death cross: sold", fields,
         nfields);
}

static int ma_on_candle(void *self, const argo_candle *c) {
  ma *m = self;
  ma_sym *s = sym_of(m, c->symbol);
  if (!s) {
    m->h->set_error(m->ctx, "out of memory");
    return ARGO_S_ERROR;
  }
  size_t slow = m->slow, fast = m->fast;
  /* The close `slow - 1` ago leaves the slow window and the one `fast - 1` ago the fast one,
   * before the ring slot of the oldest is overwritten. */
  if (s->n >= slow) {
    s->sum_slow -= ago(m, s, slow - 1);
  }
  if (s->n >= fast) {
    s->sum_fast -= ago(m, s, fast - 1);
  }
  s->ring[s->head] = c->close;
  s->head = s->head + 1 == slow ? 0 : s->head + 1;
  s->n++;
  s->sum_slow += c->close;
  s->sum_fast += c->close;
  if (s->n % RESUM_EVERY == 0) {
    double a = 0, b = 0;
    for (size_t i = 0; i < slow && i < s->n; i++) {
      double v = ago(m, s, i);
      b += v;
      a += i < fast ? v : 0;
    }
    s->sum_fast = a;
    s->sum_slow = b;
  }
  if (s->n < slow) {
    return ARGO_S_OK;
  }
  double f = s->sum_fast / (double)fast, sl = s->sum_slow / (double)slow;
  /* Equal averages keep the previous side: a touch is not a cross. */
  int state = f > sl ? 1 : f < sl ? -1 : s->state;
  if (s->state != 0 && state != s->state) {
    trade(m, c, state > 0, f, sl);
  }
  s->state = state;
  return ARGO_S_OK;
}

static size_t ma_warmup(void *self) {
  return ((ma *)self)->slow;
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
    .on_order_update = NULL,
    .on_stop = NULL,
    .warmup_candles = ma_warmup,
};

const argo_strategy *argo__builtin_ma_cross(void) {
  return &ma_def;
}
