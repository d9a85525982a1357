/*
 * rsi_reversion: an example plugin that trades with limit orders. It computes Wilder's RSI of
 * each symbol; when the RSI falls below `oversold` and it holds nothing, it bids a little below
 * the close with a limit buy; when the RSI rises above `overbought` while it holds a position,
 * it offers the position a little above the close. A limit order that has not filled after
 * `expiry` candles is cancelled. on_order_update tells it when its orders fill or die.
 *
 * Build:  cc -shared -fPIC -O2 -I include -o rsi_reversion.so
 * strategies/examples/rsi_reversion.c
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/strategy.h>

typedef struct sym {
  char symbol[ARGO_SYMBOL_MAX];
  double prev, gain, loss;   /* previous close, Wilder averages of gains and losses */
  long n;                    /* closes seen */
  char pending[ARGO_ID_MAX]; /* our open limit order, "" if none */
  long age;                  /* candles since it was placed */
} sym;

typedef struct rsi {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  long period, expiry;
  double oversold, overbought, offset, fraction;
  sym *s;
  size_t n, cap;
} rsi;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  rsi *r = calloc(1, sizeof *r);
  if (r) {
    r->host = host;
    r->ctx = ctx;
  }
  return r;
}

static void destroy(void *self) {
  rsi *r = self;
  if (r) {
    free(r->s);
    free(r);
  }
}

static int initialize(void *self, const char *config) {
  rsi *r = self;
  (void)config;
  r->period = (long)r->host->config_number(r->ctx, "period", 14);
  r->oversold = r->host->config_number(r->ctx, "oversold", 30);
  r->overbought = r->host->config_number(r->ctx, "overbought", 70);
  r->offset = r->host->config_number(r->ctx, "offset", 0.001);
  r->expiry = (long)r->host->config_number(r->ctx, "expiry", 5);
  r->fraction = r->host->config_number(r->ctx, "fraction", 0.2);
  if (r->period < 2 || !(r->oversold < r->overbought) || r->offset < 0 || r->expiry < 1 ||
      !(r->fraction > 0 && r->fraction <= 1)) {
    r->host->set_error(r->ctx, "need period >= 2, oversold < overbought, offset >= 0, "
                               "expiry >= 1, 0 < fraction <= 1");
    return ARGO_S_EINVAL;
  }
  return ARGO_S_OK;
}

static sym *find(rsi *r, const char *symbol) {
  for (size_t i = 0; i < r->n; i++) {
    if (strcmp(r->s[i].symbol, symbol) == 0) {
      return &r->s[i];
    }
  }
  if (r->n == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 4;
    sym *s = realloc(r->s, cap * sizeof *s);
    if (!s) {
      return NULL;
    }
    r->s = s;
    r->cap = cap;
  }
  sym *s = &r->s[r->n++];
  memset(s, 0, sizeof *s);
  snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
  return s;
}

/* Updates the averages with one close and returns the RSI (NAN until there is enough). */
static double update(rsi *r, sym *s, double close) {
  if (s->n++ == 0) {
    s->prev = close;
    return NAN;
  }
  double ch = close - s->prev;
  s->prev = close;
  double g = ch > 0 ? ch : 0, l = ch < 0 ? -ch : 0;
  if (s->n <= r->period + 1) {
    s->gain += g / (double)r->period;
    s->loss += l / (double)r->period;
    if (s->n <= r->period) {
      return NAN;
    }
  } else {
    s->gain = (s->gain * (double)(r->period - 1) + g) / (double)r->period;
    s->loss = (s->loss * (double)(r->period - 1) + l) / (double)r->period;
  }
  if (s->loss == 0) {
    return 100;
  }
  return 100 - 100 / (1 + s->gain / s->loss);
}

static void log_rsi(rsi *r, argo_log_level lvl, const char *msg, double value, const char *id) {
  char v[32];
  snprintf(v, sizeof v, "%.2f", value);
  argo_kv f[] = {{"rsi", v}, {"order_id", id}};
  r->host->log(r->ctx, lvl, msg, f, 2);
}

static int on_candle(void *self, const argo_candle *c) {
  rsi *r = self;
  sym *s = find(r, c->symbol);
  if (!s) {
    r->host->set_error(r->ctx, "out of memory");
    return ARGO_S_ERROR;
  }
  double value = update(r, s, c->close);
  if (s->pending[0]) {
    if (++s->age > r->expiry && r->host->cancel_order(r->ctx, s->pending) == ARGO_S_OK) {
      log_rsi(r, ARGO_LOG_INFO, "limit order expired: cancelled", value, s->pending);
    }
    return ARGO_S_OK;
  }
  if (isnan(value)) {
    return ARGO_S_OK;
  }
  argo_position pos;
  if (r->host->get_position(r->ctx, c->symbol, &pos) != ARGO_S_OK) {
    return ARGO_S_OK;
  }
  argo_order_request req = {
      .symbol = c->symbol, .type = ARGO_ORDER_LIMIT, .position_type = ARGO_POSITION_LONG};
  if (value < r->oversold && pos.long_qty == 0) {
    argo_account a;
    r->host->get_account(r->ctx, &a);
    req.side = ARGO_SIDE_BUY;
    req.limit_price = c->close * (1 - r->offset);
    req.quantity = r->fraction * a.buying_power / req.limit_price;
  } else if (value > r->overbought && pos.long_qty > 0) {
    req.side = ARGO_SIDE_SELL;
    req.limit_price = c->close * (1 + r->offset);
    req.quantity = pos.long_qty;
  } else {
    return ARGO_S_OK;
  }
  char id[ARGO_ID_MAX] = "";
  int rc = r->host->place_order(r->ctx, &req, id);
  if (rc == ARGO_S_OK) {
    /* It may have filled at once (marketable); on_order_update clears it then. */
    if (!s->pending[0]) {
      snprintf(s->pending, sizeof s->pending, "%s", id);
      s->age = 0;
    }
    argo_mark m = {.color = req.side == ARGO_SIDE_BUY ? "green" : "red",
                   .shape = "circle",
                   .title = req.side == ARGO_SIDE_BUY ? "oversold: bid" : "overbought: offer",
                   .category = "limit",
                   .signal_type = req.side == ARGO_SIDE_BUY ? "buy_long" : "sell_long"};
    r->host->mark(r->ctx, &m);
    log_rsi(r, ARGO_LOG_INFO, req.side == ARGO_SIDE_BUY ? "limit buy placed" : "limit sell placed",
            value, id);
  } else {
    log_rsi(r, ARGO_LOG_WARNING, r->host->last_error(r->ctx), value, id);
  }
  return ARGO_S_OK;
}

static void on_order_update(void *self, const argo_order *o, const argo_fill *f) {
  rsi *r = self;
  (void)f;
  if (o->status == ARGO_ORDER_PENDING) {
    return;
  }
  for (size_t i = 0; i < r->n; i++) {
    if (strcmp(r->s[i].pending, o->order_id) == 0) {
      r->s[i].pending[0] = '\0';
    }
  }
}

static size_t warmup(void *self) {
  return (size_t)(4 * ((rsi *)self)->period);
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "rsi_reversion",
    .id = "org.argo.examples.rsi_reversion",
    .version = "1.0.0",
    .description = "RSI mean reversion with limit orders that expire",
    .config_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"period\":{\"type\":\"integer\",\"default\":14},"
                     "\"oversold\":{\"type\":\"number\",\"default\":30},"
                     "\"overbought\":{\"type\":\"number\",\"default\":70},"
                     "\"offset\":{\"type\":\"number\",\"default\":0.001},"
                     "\"expiry\":{\"type\":\"integer\",\"default\":5},"
                     "\"fraction\":{\"type\":\"number\",\"default\":0.2}}}",
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .on_candle = on_candle,
    .on_order_update = on_order_update,
    .warmup_candles = warmup,
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
