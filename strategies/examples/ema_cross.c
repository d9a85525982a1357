/*
 * ema_cross: an example plugin. It follows a fast and a slow exponential moving average of each
 * symbol's closes; when the fast one crosses above the slow one it buys a fixed fraction of its
 * buying power, and when it crosses back below it sells the whole position. It shows the basic
 * shape of a plugin: the argo_strategy table, per-symbol state, configuration through the host,
 * market orders, marks and logs.
 *
 * Build:  cc -shared -fPIC -O2 -I include -o ema_cross.so strategies/examples/ema_cross.c
 * Run:    argo run --strategy ./ema_cross.so --strategy-config '{"fast": 12, "slow": 26}'
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/strategy.h>

typedef struct series {
  char symbol[ARGO_SYMBOL_MAX];
  double fast, slow; /* the two averages */
  long seen;         /* candles seen */
  int above;         /* fast above slow at the last candle: 1, below: -1, unknown: 0 */
} series;

typedef struct ema {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  double k_fast, k_slow; /* smoothing factors 2 / (n + 1) */
  long slow_n;
  double fraction;
  series *s;
  size_t n, cap;
} ema;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  ema *e = calloc(1, sizeof *e);
  if (e) {
    e->host = host;
    e->ctx = ctx;
  }
  return e;
}

static void destroy(void *self) {
  ema *e = self;
  if (e) {
    free(e->s);
    free(e);
  }
}

static int initialize(void *self, const char *config) {
  ema *e = self;
  (void)config; /* read through the host's config_number instead */
  double fast = e->host->config_number(e->ctx, "fast", 12);
  double slow = e->host->config_number(e->ctx, "slow", 26);
  double fraction = e->host->config_number(e->ctx, "fraction", 0.2);
  if (!(fast >= 1 && slow > fast)) {
    e->host->set_error(e->ctx, "need 1 <= fast < slow");
    return ARGO_S_EINVAL;
  }
  if (!(fraction > 0 && fraction <= 1)) {
    e->host->set_error(e->ctx, "fraction must be in (0, 1]");
    return ARGO_S_EINVAL;
  }
  e->k_fast = 2.0 / (fast + 1);
  e->k_slow = 2.0 / (slow + 1);
  e->slow_n = (long)slow;
  e->fraction = fraction;
  return ARGO_S_OK;
}

static series *find(ema *e, const char *symbol) {
  for (size_t i = 0; i < e->n; i++) {
    if (strcmp(e->s[i].symbol, symbol) == 0) {
      return &e->s[i];
    }
  }
  if (e->n == e->cap) {
    size_t cap = e->cap ? 2 * e->cap : 4;
    series *s = realloc(e->s, cap * sizeof *s);
    if (!s) {
      return NULL;
    }
    e->s = s;
    e->cap = cap;
  }
  series *s = &e->s[e->n++];
  memset(s, 0, sizeof *s);
  snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
  return s;
}

static int on_candle(void *self, const argo_candle *c) {
  ema *e = self;
  series *s = find(e, c->symbol);
  if (!s) {
    e->host->set_error(e->ctx, "out of memory");
    return ARGO_S_ERROR;
  }
  if (s->seen++ == 0) {
    s->fast = s->slow = c->close;
    return ARGO_S_OK;
  }
  s->fast += e->k_fast * (c->close - s->fast);
  s->slow += e->k_slow * (c->close - s->slow);
  int above = s->fast > s->slow ? 1 : -1;
  int crossed = s->seen > e->slow_n && s->above != 0 && above != s->above;
  s->above = above;
  if (!crossed) {
    return ARGO_S_OK;
  }
  argo_position pos;
  if (e->host->get_position(e->ctx, c->symbol, &pos) != ARGO_S_OK) {
    return ARGO_S_OK;
  }
  argo_order_request req = {
      .symbol = c->symbol, .type = ARGO_ORDER_MARKET, .position_type = ARGO_POSITION_LONG};
  if (above > 0 && pos.long_qty == 0) {
    argo_account a;
    e->host->get_account(e->ctx, &a);
    req.side = ARGO_SIDE_BUY;
    req.quantity = e->fraction * a.buying_power / c->close;
  } else if (above < 0 && pos.long_qty > 0) {
    req.side = ARGO_SIDE_SELL;
    req.quantity = pos.long_qty;
  } else {
    return ARGO_S_OK;
  }
  char id[ARGO_ID_MAX] = "";
  if (e->host->place_order(e->ctx, &req, id) != ARGO_S_OK) {
    /* A rejected order is recorded by the engine; say why in the log too. */
    argo_kv f[] = {{"order_id", id}};
    e->host->log(e->ctx, ARGO_LOG_WARNING, e->host->last_error(e->ctx), f, 1);
    return ARGO_S_OK;
  }
  argo_mark m = {.color = above > 0 ? "green" : "red",
                 .shape = "triangle",
                 .title = above > 0 ? "EMA cross up" : "EMA cross down",
                 .signal_type = above > 0 ? "buy_long" : "sell_long",
                 .category = "signal"};
  e->host->mark(e->ctx, &m);
  char fast[32], slow[32];
  snprintf(fast, sizeof fast, "%.4f", s->fast);
  snprintf(slow, sizeof slow, "%.4f", s->slow);
  argo_kv f[] = {{"fast", fast}, {"slow", slow}, {"order_id", id}};
  e->host->log(e->ctx, ARGO_LOG_INFO, above > 0 ? "bought" : "sold", f, 3);
  return ARGO_S_OK;
}

static size_t warmup(void *self) {
  return (size_t)(3 * ((ema *)self)->slow_n);
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "ema_cross",
    .id = "org.argo.examples.ema_cross",
    .version = "1.0.0",
    .description = "Exponential moving-average cross, long only, market orders",
    .config_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"fast\":{\"type\":\"number\",\"default\":12},"
                     "\"slow\":{\"type\":\"number\",\"default\":26},"
                     "\"fraction\":{\"type\":\"number\",\"default\":0.2}}}",
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
