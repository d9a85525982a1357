/*
 * short_breakdown: an example plugin that sells short. When a close breaks below the lowest
 * close of the previous `lookback` candles it opens a short position (SELL with position type
 * SHORT); it covers (BUY, SHORT) when the close breaks above the highest close of the lookback,
 * or when the trade has gone `stop` against it, or `target` in its favour.
 *
 * Build:  cc -shared -fPIC -O2 -I include -o short_breakdown.so
 * strategies/examples/short_breakdown.c
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/strategy.h>

typedef struct sym {
  char symbol[ARGO_SYMBOL_MAX];
  double *ring; /* the last `lookback` closes */
  long n;
  double entry; /* entry price of the open short, 0 if flat */
} sym;

typedef struct sb {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  long lookback;
  double fraction, stop, target;
  sym *s;
  size_t n, cap;
} sb;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  sb *b = calloc(1, sizeof *b);
  if (b) {
    b->host = host;
    b->ctx = ctx;
  }
  return b;
}

static void destroy(void *self) {
  sb *b = self;
  if (!b) {
    return;
  }
  for (size_t i = 0; i < b->n; i++) {
    free(b->s[i].ring);
  }
  free(b->s);
  free(b);
}

static int initialize(void *self, const char *config) {
  sb *b = self;
  (void)config;
  b->lookback = (long)b->host->config_number(b->ctx, "lookback", 20);
  b->fraction = b->host->config_number(b->ctx, "fraction", 0.1);
  b->stop = b->host->config_number(b->ctx, "stop", 0.01);
  b->target = b->host->config_number(b->ctx, "target", 0.02);
  if (b->lookback < 2 || !(b->fraction > 0 && b->fraction <= 1) || !(b->stop > 0) ||
      !(b->target > 0)) {
    b->host->set_error(b->ctx, "need lookback >= 2, 0 < fraction <= 1, stop > 0, target > 0");
    return ARGO_S_EINVAL;
  }
  return ARGO_S_OK;
}

static sym *find(sb *b, const char *symbol) {
  for (size_t i = 0; i < b->n; i++) {
    if (strcmp(b->s[i].symbol, symbol) == 0) {
      return &b->s[i];
    }
  }
  if (b->n == b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 4;
    sym *s = realloc(b->s, cap * sizeof *s);
    if (!s) {
      return NULL;
    }
    b->s = s;
    b->cap = cap;
  }
  sym *s = &b->s[b->n];
  memset(s, 0, sizeof *s);
  s->ring = calloc((size_t)b->lookback, sizeof *s->ring);
  if (!s->ring) {
    return NULL;
  }
  snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
  b->n++;
  return s;
}

static void trade(sb *b, const argo_candle *c, argo_side side, double qty, const char *why) {
  argo_order_request req = {.symbol = c->symbol,
                            .side = side,
                            .type = ARGO_ORDER_MARKET,
                            .position_type = ARGO_POSITION_SHORT,
                            .quantity = qty};
  char id[ARGO_ID_MAX] = "";
  int rc = b->host->place_order(b->ctx, &req, id);
  argo_kv f[] = {{"order_id", id}, {"why", why}};
  b->host->log(b->ctx, rc == ARGO_S_OK ? ARGO_LOG_INFO : ARGO_LOG_WARNING,
               rc == ARGO_S_OK ? (side == ARGO_SIDE_SELL ? "opened a short" : "covered the short")
                               : b->host->last_error(b->ctx),
               f, 2);
  if (rc == ARGO_S_OK) {
    argo_mark m = {.color = side == ARGO_SIDE_SELL ? "orange" : "purple",
                   .shape = "square",
                   .title = why,
                   .category = "short",
                   .signal_type = side == ARGO_SIDE_SELL ? "sell_short" : "buy_short"};
    b->host->mark(b->ctx, &m);
  }
}

static int on_candle(void *self, const argo_candle *c) {
  sb *b = self;
  sym *s = find(b, c->symbol);
  if (!s) {
    b->host->set_error(b->ctx, "out of memory");
    return ARGO_S_ERROR;
  }
  long k = b->lookback;
  if (s->n >= k) {
    double lo = INFINITY, hi = -INFINITY;
    for (long i = 0; i < k; i++) {
      lo = fmin(lo, s->ring[i]);
      hi = fmax(hi, s->ring[i]);
    }
    argo_position pos;
    if (b->host->get_position(b->ctx, c->symbol, &pos) == ARGO_S_OK) {
      if (pos.short_qty == 0 && c->close < lo) {
        argo_account a;
        b->host->get_account(b->ctx, &a);
        trade(b, c, ARGO_SIDE_SELL, b->fraction * a.buying_power / c->close, "breakdown");
        s->entry = c->close;
      } else if (pos.short_qty > 0) {
        const char *why = c->close > hi                           ? "breakout"
                          : c->close > s->entry * (1 + b->stop)   ? "stop"
                          : c->close < s->entry * (1 - b->target) ? "target"
                                                                  : NULL;
        if (why) {
          trade(b, c, ARGO_SIDE_BUY, pos.short_qty, why);
        }
      }
    }
  }
  s->ring[s->n % k] = c->close;
  s->n++;
  return ARGO_S_OK;
}

static size_t warmup(void *self) {
  return (size_t)((sb *)self)->lookback;
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "short_breakdown",
    .id = "org.argo.examples.short_breakdown",
    .version = "1.0.0",
    .description = "Sells short on a breakdown below the recent low; covers on breakout, stop "
                   "or target",
    .config_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"lookback\":{\"type\":\"integer\",\"default\":20},"
                     "\"fraction\":{\"type\":\"number\",\"default\":0.1},"
                     "\"stop\":{\"type\":\"number\",\"default\":0.01},"
                     "\"target\":{\"type\":\"number\",\"default\":0.02}}}",
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .on_candle = on_candle,
    .warmup_candles = warmup,
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
