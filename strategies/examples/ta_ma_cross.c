/*
 * ta_ma_cross: the builtin ma_cross rewritten on the indicator API. The builtin keeps a ring
 * of closes and two running sums per symbol; this one asks the host for TA-Lib's SMA of the
 * fast and the slow period at every candle (ta_sma, O(period) a call over the window the
 * engine keeps anyway) and holds nothing but the side the averages were on. The trading is
 * the builtin's: on a golden cross (fast rises above slow) with no long position it buys `size`
 * of its buying power at market; on a death cross with a long position it sells all of it;
 * equal averages are no cross. Same configuration, same fills (test
 * e2e_indicator_examples_fill_as_the_hand_written_ones).
 *
 * Build:  cc -shared -fPIC -O2 -I include -o ta_ma_cross.so strategies/examples/ta_ma_cross.c
 * Run:    argo run --strategy ./ta_ma_cross.so --strategy-config '{"fast": 10, "slow": 30}'
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/strategy.h>

typedef struct side {
  char symbol[ARGO_SYMBOL_MAX];
  int state; /* +1 fast above slow, -1 below, 0 not known yet */
} side;

typedef struct tama {
  const argo_host_api *h;
  argo_strategy_ctx *ctx;
  int fast, slow;
  double size;
  side *s;
  size_t n, cap;
} tama;

static void *create(const argo_host_api *h, argo_strategy_ctx *ctx) {
  tama *m = calloc(1, sizeof *m);
  if (m) {
    m->h = h;
    m->ctx = ctx;
  }
  return m;
}

static void destroy(void *self) {
  tama *m = self;
  if (m) {
    free(m->s);
    free(m);
  }
}

static int initialize(void *self, const char *config) {
  tama *m = self;
  (void)config;
  /* The indicator calls were appended to the host table: an older argo has none. */
  if (m->h->struct_size < offsetof(argo_host_api, ta_sma) + sizeof m->h->ta_sma) {
    m->h->set_error(m->ctx, "this argo has no indicators (ta_sma): a newer one is needed");
    return ARGO_S_STATE;
  }
  double fast = m->h->config_number(m->ctx, "fast", 10);
  double slow = m->h->config_number(m->ctx, "slow", 30);
  m->size = m->h->config_number(m->ctx, "size", 0.1);
  if (!(fast >= 1 && slow > fast && slow <= 100000 && fast == floor(fast) && slow == floor(slow))) {
    m->h->set_error(m->ctx, "need whole numbers 1 <= fast < slow <= 100000");
    return ARGO_S_EINVAL;
  }
  if (!(m->size > 0 && m->size <= 1)) {
    m->h->set_error(m->ctx, "size must be a fraction of buying power in (0, 1]");
    return ARGO_S_EINVAL;
  }
  m->fast = (int)fast;
  m->slow = (int)slow;
  return ARGO_S_OK;
}

static side *find(tama *m, const char *symbol) {
  for (size_t i = 0; i < m->n; i++) {
    if (strcmp(m->s[i].symbol, symbol) == 0) {
      return &m->s[i];
    }
  }
  if (m->n == m->cap) {
    size_t cap = m->cap ? 2 * m->cap : 4;
    side *s = realloc(m->s, cap * sizeof *s);
    if (!s) {
      return NULL;
    }
    m->s = s;
    m->cap = cap;
  }
  side *s = &m->s[m->n++];
  memset(s, 0, sizeof *s);
  snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
  return s;
}

static void trade(tama *m, const argo_candle *c, int golden, double fast, double slow) {
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
      return;
    }
  } else {
    if (!(pos.long_qty > 0)) {
      return;
    }
    req.quantity = pos.long_qty;
  }
  char id[ARGO_ID_MAX] = "";
  int rc = h->place_order(m->ctx, &req, id);
  char fs[32], ss[32], qs[32];
  snprintf(fs, sizeof fs, "%.6f", fast);
  snprintf(ss, sizeof ss, "%.6f", slow);
  snprintf(qs, sizeof qs, "%.8g", req.quantity);
  argo_kv fields[] = {{"fast", fs}, {"slow", ss}, {"quantity", qs}, {"order_id", id}};
  if (rc != ARGO_S_OK) {
    char msg[400];
    snprintf(msg, sizeof msg, "%s: order refused: %s", golden ? "golden cross" : "death cross",
             h->last_error(m->ctx));
    h->log(m->ctx, ARGO_LOG_WARNING, msg, fields, 4);
    return;
  }
  argo_mark mark = {.color = golden ? "green" : "red",
                    .shape = "triangle",
                    .title = golden ? "golden cross" : "death cross",
                    .category = "signal",
                    .signal_type = golden ? "buy_long" : "sell_long"};
  h->mark(m->ctx, &mark);
  h->log(m->ctx, ARGO_LOG_INFO, golden ? "golden cross: bought" : "death cross: sold", fields, 4);
}

static int on_candle(void *self, const argo_candle *c) {
  tama *m = self;
  side *s = find(m, c->symbol);
  if (!s) {
    m->h->set_error(m->ctx, "out of memory");
    return ARGO_S_ERROR;
  }
  double fast, slow;
  /* ARGO_S_STATE while the window holds fewer than `slow` candles of the symbol. */
  if (m->h->ta_sma(m->ctx, c->symbol, m->fast, &fast) != ARGO_S_OK ||
      m->h->ta_sma(m->ctx, c->symbol, m->slow, &slow) != ARGO_S_OK) {
    return ARGO_S_OK;
  }
  int state = fast > slow ? 1 : fast < slow ? -1 : s->state;
  if (s->state != 0 && state != s->state) {
    trade(m, c, state > 0, fast, slow);
  }
  s->state = state;
  return ARGO_S_OK;
}

static size_t warmup(void *self) {
  return (size_t)((tama *)self)->slow;
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "ta_ma_cross",
    .id = "org.argo.examples.ta_ma_cross",
    .version = "1.0.0",
    .description = "Moving-average cross on TA-Lib's SMA (the builtin ma_cross on ta_sma)",
    .config_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"fast\":{\"type\":\"integer\",\"minimum\":1,\"default\":10,"
                     "\"description\":\"candles in the fast average\"},"
                     "\"slow\":{\"type\":\"integer\",\"minimum\":2,\"maximum\":100000,"
                     "\"default\":30,\"description\":\"candles in the slow average (more than "
                     "fast)\"},"
                     "\"size\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":1,"
                     "\"default\":0.1,\"description\":\"fraction of buying power per entry\"}}}",
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
