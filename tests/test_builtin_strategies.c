/* Builtin strategies (ma_cross, pingpong) driven through a fake host API implemented here: a
 * tiny broker that fills market orders at the last close, and recorders for orders, marks and
 * logs. The strategies see nothing but argo_host_api, as a plugin would. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/strategy.h>

#include "core/strategy_builtin.h"
#include "test.h"

#define MAX_REC 4096
#define MAX_SYM 4

typedef struct rec_order {
  argo_order_request req;
  char symbol[64];
  long candle; /* index of the candle being processed */
  int accepted;
} rec_order;

typedef struct rec_mark {
  char symbol[64], color[16], shape[16], level[16], title[32], signal_type[16];
  long candle;
} rec_mark;

typedef struct rec_log {
  argo_log_level level;
  char message[256];
  char fields[256]; /* "k=v;k=v" */
  long candle;
} rec_log;

struct argo_strategy_ctx {
  /* configuration: numbers by key */
  const char *keys[4];
  double vals[4];
  size_t nkeys;
  /* session symbols and their books */
  const char *syms[MAX_SYM];
  size_t nsyms;
  double last[MAX_SYM], long_qty[MAX_SYM];
  double cash;
  int reject_all; /* the broker refuses every order */
  long candle;
  int64_t now;
  /* what the strategy did */
  rec_order orders[MAX_REC];
  size_t norders;
  rec_mark marks[MAX_REC];
  size_t nmarks;
  rec_log logs[MAX_REC];
  size_t nlogs;
  long recent_calls;
  char error[256];      /* set_error */
  char last_error[256]; /* of the last failed host call */
  long next_id;
};

static long sym_index(const argo_strategy_ctx *x, const char *s) {
  for (size_t i = 0; s && i < x->nsyms; i++) {
    if (strcmp(x->syms[i], s) == 0) {
      return (long)i;
    }
  }
  return -1;
}

static int h_place_order(argo_strategy_ctx *x, const argo_order_request *r, char *id) {
  x->last_error[0] = '\0';
  if (!r || !r->symbol) {
    snprintf(x->last_error, sizeof x->last_error, "no order");
    return ARGO_S_EINVAL;
  }
  if (x->norders == MAX_REC) {
    TEST_FAIL_("too many orders");
  }
  rec_order *o = &x->orders[x->norders++];
  o->req = *r;
  snprintf(o->symbol, sizeof o->symbol, "%s", r->symbol);
  o->req.symbol = o->symbol;
  o->candle = x->candle;
  if (id) {
    snprintf(id, ARGO_ID_MAX, "fake-%ld", ++x->next_id);
  }
  long k = sym_index(x, r->symbol);
  double px = k >= 0 ? x->last[k] : 0;
  if (x->reject_all || k < 0 || r->type != ARGO_ORDER_MARKET ||
      r->position_type != ARGO_POSITION_LONG || !(r->quantity > 0)) {
    snprintf(x->last_error, sizeof x->last_error, "refused by the fake broker");
    return ARGO_S_REJECTED;
  }
  if (r->side == ARGO_SIDE_BUY) {
    if (r->quantity * px > x->cash + 1e-9) {
      snprintf(x->last_error, sizeof x->last_error, "insufficient buying power");
      return ARGO_S_REJECTED;
    }
    x->cash -= r->quantity * px;
    x->long_qty[k] += r->quantity;
  } else {
    if (r->quantity > x->long_qty[k] + 1e-9) {
      snprintf(x->last_error, sizeof x->last_error, "insufficient position");
      return ARGO_S_REJECTED;
    }
    x->cash += r->quantity * px;
    x->long_qty[k] -= r->quantity;
  }
  o->accepted = 1;
  return ARGO_S_OK;
}

static int h_place_orders(argo_strategy_ctx *x, const argo_order_request *r, size_t n,
                          char (*ids)[ARGO_ID_MAX]) {
  int first = ARGO_S_OK;
  for (size_t i = 0; i < n; i++) {
    int rc = h_place_order(x, &r[i], ids ? ids[i] : NULL);
    if (rc == ARGO_S_EINVAL) {
      return rc;
    }
    first = first == ARGO_S_OK ? rc : first;
  }
  return first;
}

static int h_cancel_order(argo_strategy_ctx *x, const char *id) {
  (void)id;
  snprintf(x->last_error, sizeof x->last_error, "no such order");
  return ARGO_S_NOTFOUND;
}

static int h_cancel_all(argo_strategy_ctx *x, const char *symbol) {
  (void)x;
  (void)symbol;
  return 0;
}

static int h_get_position(argo_strategy_ctx *x, const char *symbol, argo_position *out) {
  long k = sym_index(x, symbol);
  if (k < 0) {
    snprintf(x->last_error, sizeof x->last_error, "unknown symbol");
    return ARGO_S_NOTFOUND;
  }
  memset(out, 0, sizeof *out);
  out->symbol = x->syms[k];
  out->long_qty = x->long_qty[k];
  out->last_price = x->last[k];
  return ARGO_S_OK;
}

static size_t h_get_positions(argo_strategy_ctx *x, argo_position *out, size_t cap) {
  for (size_t i = 0; i < x->nsyms && i < cap; i++) {
    h_get_position(x, x->syms[i], &out[i]);
  }
  return x->nsyms;
}

static int h_get_account(argo_strategy_ctx *x, argo_account *out) {
  memset(out, 0, sizeof *out);
  out->balance = x->cash;
  out->buying_power = x->cash;
  out->equity = x->cash;
  for (size_t i = 0; i < x->nsyms; i++) {
    out->equity += x->long_qty[i] * x->last[i];
  }
  return ARGO_S_OK;
}

static size_t h_get_open_orders(argo_strategy_ctx *x, argo_order *out, size_t cap) {
  (void)x;
  (void)out;
  (void)cap;
  return 0;
}

static size_t h_recent_candles(argo_strategy_ctx *x, const char *symbol, argo_candle *out,
                               size_t n) {
  (void)symbol;
  (void)out;
  (void)n;
  x->recent_calls++;
  return 0;
}

static void copy(char *dst, size_t len, const char *src, const char *dflt) {
  snprintf(dst, len, "%s", src ? src : dflt);
}

static int h_mark(argo_strategy_ctx *x, const argo_mark *m) {
  if (x->nmarks == MAX_REC) {
    TEST_FAIL_("too many marks");
  }
  rec_mark *r = &x->marks[x->nmarks++];
  copy(r->symbol, sizeof r->symbol, m->symbol, "(current)");
  copy(r->color, sizeof r->color, m->color, "blue");
  copy(r->shape, sizeof r->shape, m->shape, "circle");
  copy(r->level, sizeof r->level, m->level, "info");
  copy(r->title, sizeof r->title, m->title, "");
  copy(r->signal_type, sizeof r->signal_type, m->signal_type, "");
  r->candle = x->candle;
  return ARGO_S_OK;
}

static int h_log(argo_strategy_ctx *x, argo_log_level level, const char *message,
                 const argo_kv *fields, size_t n) {
  if (x->nlogs == MAX_REC) {
    TEST_FAIL_("too many logs");
  }
  rec_log *r = &x->logs[x->nlogs++];
  r->level = level;
  copy(r->message, sizeof r->message, message, "");
  r->fields[0] = '\0';
  size_t used = 0;
  for (size_t i = 0; i < n; i++) {
    int w = snprintf(r->fields + used, sizeof r->fields - used, "%s%s=%s", i ? ";" : "",
                     fields[i].key, fields[i].value);
    if (w < 0 || (size_t)w >= sizeof r->fields - used) {
      break;
    }
    used += (size_t)w;
  }
  r->candle = x->candle;
  /* A successful call clears the last error, as the real host does. */
  x->last_error[0] = '\0';
  return ARGO_S_OK;
}

static int h_cache_get(argo_strategy_ctx *x, const char *key, char *buf, size_t cap) {
  (void)x;
  (void)key;
  (void)buf;
  (void)cap;
  return ARGO_S_NOTFOUND;
}

static int h_cache_set(argo_strategy_ctx *x, const char *key, const char *value) {
  (void)x;
  (void)key;
  (void)value;
  return ARGO_S_OK;
}

static const char *h_last_error(argo_strategy_ctx *x) {
  return x->last_error;
}

static void h_set_error(argo_strategy_ctx *x, const char *message) {
  copy(x->error, sizeof x->error, message, "");
}

static double h_config_number(argo_strategy_ctx *x, const char *key, double dflt) {
  for (size_t i = 0; i < x->nkeys; i++) {
    if (strcmp(x->keys[i], key) == 0) {
      return x->vals[i];
    }
  }
  return dflt;
}

static const char *h_config_string(argo_strategy_ctx *x, const char *key, const char *dflt) {
  (void)x;
  (void)key;
  return dflt;
}

static int64_t h_now(argo_strategy_ctx *x) {
  return x->now;
}

static const argo_host_api HOST = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_host_api),
    .place_order = h_place_order,
    .place_orders = h_place_orders,
    .cancel_order = h_cancel_order,
    .cancel_all = h_cancel_all,
    .get_position = h_get_position,
    .get_positions = h_get_positions,
    .get_account = h_get_account,
    .get_open_orders = h_get_open_orders,
    .recent_candles = h_recent_candles,
    .mark = h_mark,
    .log = h_log,
    .cache_get = h_cache_get,
    .cache_set = h_cache_set,
    .last_error = h_last_error,
    .set_error = h_set_error,
    .config_number = h_config_number,
    .config_string = h_config_string,
    .now = h_now,
};

/* The fake host is large: one static instance, reset by each test. */
static argo_strategy_ctx X;

static void reset(double cash) {
  memset(&X, 0, sizeof X);
  X.syms[0] = "BTCUSDT";
  X.syms[1] = "ETHUSDT";
  X.nsyms = 2;
  X.cash = cash;
}

static void set_config(const char *key, double v) {
  X.keys[X.nkeys] = key;
  X.vals[X.nkeys++] = v;
}

/* Creates and initializes def on the fake host; returns the instance or NULL if initialize
 * failed (then X.error holds the message). */
static void *start(const argo_strategy *def) {
  void *self = def->create(&HOST, &X);
  CHECK(self != NULL);
  if (def->initialize(self, "{}") != 0) {
    def->destroy(self);
    return NULL;
  }
  return self;
}

/* Feeds one candle of symbol k with close px (the fake broker's last price moves first, as
 * the engine's broker does). */
static void feed(const argo_strategy *def, void *self, size_t k, double px) {
  argo_candle c = {X.syms[k], 60000000 * (int64_t)X.candle, px, px * 1.001, px * 0.999, px, 1};
  X.last[k] = px;
  X.now = c.time;
  CHECK_EQ_INT(0, def->on_candle(self, &c));
  X.candle++;
}

/* A cycling price: a sine of period 50 candles around 100 plus a small deterministic wobble. */
static double wave(long i, double phase) {
  unsigned h = (unsigned)i * 2654435761u;
  double wobble = ((double)(h >> 16 & 0xffff) / 65535.0 - 0.5) * 0.4;
  return 100 * (1 + 0.05 * sin(6.283185307179586 * (double)i / 50 + phase)) + wobble;
}

/* Independent reference: the candle indices where SMA(fast) crosses SMA(slow), computed with
 * full sums. +i for a golden cross, -i for a death cross (i >= slow so the sign is clear). */
static size_t expected_crosses(const double *px, size_t n, size_t fast, size_t slow, long *out) {
  size_t m = 0;
  int state = 0;
  for (size_t i = slow - 1; i < n; i++) {
    double f = 0, s = 0;
    for (size_t k = 0; k < slow; k++) {
      s += px[i - k];
      f += k < fast ? px[i - k] : 0;
    }
    f /= (double)fast;
    s /= (double)slow;
    int st = f > s ? 1 : f < s ? -1 : state;
    if (state != 0 && st != state) {
      out[m++] = st > 0 ? (long)i : -(long)i;
    }
    state = st;
  }
  return m;
}

static double prices[2000];
static long crosses[2000];

TEST(ma_cross_describes_itself) {
  const argo_strategy *d = argo__builtin_ma_cross();
  CHECK_EQ_INT(ARGO_STRATEGY_ABI_VERSION, d->abi_version);
  CHECK_EQ_INT(sizeof(argo_strategy), d->struct_size);
  CHECK_STR("ma_cross", d->name);
  CHECK_STR("org.argo.ma_cross", d->id);
  CHECK_STR("1.0.0", d->version);
  CHECK(d->description && d->description[0] && !strchr(d->description, '\n'));
  CHECK_CONTAINS(d->config_schema, "\"fast\"");
  CHECK_CONTAINS(d->config_schema, "\"slow\"");
  CHECK_CONTAINS(d->config_schema, "\"size\"");
  CHECK(d->create && d->destroy && d->initialize && d->on_candle && d->warmup_candles);
  reset(10000);
  void *self = start(d);
  CHECK(self != NULL);
  CHECK_EQ_INT(30, d->warmup_candles(self));
  d->destroy(self);
  reset(10000);
  set_config("slow", 50);
  self = start(d);
  CHECK(self != NULL);
  CHECK_EQ_INT(50, d->warmup_candles(self));
  d->destroy(self);
  d->destroy(NULL);
}

TEST(ma_cross_trades_on_every_cross_of_a_cycling_market) {
  const argo_strategy *d = argo__builtin_ma_cross();
  reset(10000);
  void *self = start(d);
  CHECK(self != NULL);
  size_t n = 1000;
  for (size_t i = 0; i < n; i++) {
    prices[i] = wave((long)i, 0);
    feed(d, self, 0, prices[i]);
  }
  size_t m = expected_crosses(prices, n, 10, 30, crosses);
  CHECK_MSG(m >= 20, "the test data crosses only %zu times", m);
  /* The first cross may be a death cross with nothing to sell: skip those. */
  size_t first = 0;
  while (first < m && crosses[first] < 0) {
    first++;
  }
  CHECK_EQ_INT(m - first, X.norders);
  double cash = 10000, held = 0;
  for (size_t k = first; k < m; k++) {
    const rec_order *o = &X.orders[k - first];
    long at = crosses[k] < 0 ? -crosses[k] : crosses[k];
    int golden = crosses[k] > 0;
    CHECK_EQ_INT(at, o->candle);
    CHECK(o->accepted);
    CHECK_STR("BTCUSDT", o->symbol);
    CHECK_EQ_INT(golden ? ARGO_SIDE_BUY : ARGO_SIDE_SELL, o->req.side);
    CHECK_EQ_INT(ARGO_ORDER_MARKET, o->req.type);
    CHECK_EQ_INT(ARGO_POSITION_LONG, o->req.position_type);
    if (golden) {
      /* size 0.1 of the buying power (all cash here) at the close */
      double q = 0.1 * cash / prices[at];
      CHECK_NEAR(q, o->req.quantity, 1e-12);
      cash -= q * prices[at];
      held += q;
    } else {
      CHECK_NEAR(held, o->req.quantity, 1e-12); /* the whole position */
      cash += held * prices[at];
      held = 0;
    }
  }
  /* One mark and one info log per trade, on the trade's candle. */
  CHECK_EQ_INT(X.norders, X.nmarks);
  CHECK_EQ_INT(X.norders, X.nlogs);
  for (size_t k = 0; k < X.norders; k++) {
    int golden = X.orders[k].req.side == ARGO_SIDE_BUY;
    const rec_mark *mk = &X.marks[k];
    CHECK_EQ_INT(X.orders[k].candle, mk->candle);
    CHECK_STR("BTCUSDT", mk->symbol);
    CHECK_STR(golden ? "buy_long" : "sell_long", mk->signal_type);
    CHECK_STR("triangle", mk->shape);
    CHECK_STR(golden ? "green" : "red", mk->color);
    CHECK_STR(golden ? "golden cross" : "death cross", mk->title);
    const rec_log *lg = &X.logs[k];
    CHECK_EQ_INT(ARGO_LOG_INFO, lg->level);
    CHECK_EQ_INT(X.orders[k].candle, lg->candle);
    CHECK_CONTAINS(lg->message, golden ? "golden cross" : "death cross");
    CHECK_CONTAINS(lg->fields, "fast=");
    CHECK_CONTAINS(lg->fields, ";slow=");
  }
  /* The fields carry the averages: check the first trade's against the reference. */
  long at = X.orders[0].candle;
  double f = 0, s = 0;
  for (long k = 0; k < 30; k++) {
    s += prices[at - k];
    f += k < 10 ? prices[at - k] : 0;
  }
  char want[64];
  snprintf(want, sizeof want, "fast=%.6f;slow=%.6f", f / 10, s / 30);
  CHECK_CONTAINS(X.logs[0].fields, want);
  CHECK_EQ_INT(0, X.recent_calls); /* sums are its own, not the host's window */
  d->destroy(self);
}

TEST(ma_cross_keeps_symbols_apart) {
  const argo_strategy *d = argo__builtin_ma_cross();
  /* Alone: BTCUSDT's trades. */
  reset(1e12);
  void *self = start(d);
  for (long i = 0; i < 600; i++) {
    feed(d, self, 0, wave(i, 0));
  }
  size_t alone = X.norders;
  long at[MAX_REC];
  for (size_t k = 0; k < alone; k++) {
    at[k] = X.orders[k].candle;
  }
  d->destroy(self);
  CHECK(alone > 5);
  /* Interleaved with ETHUSDT on another cycle: BTCUSDT trades on the same of its candles. */
  reset(1e12);
  self = start(d);
  for (long i = 0; i < 600; i++) {
    feed(d, self, 0, wave(i, 0));
    feed(d, self, 1, 3000 + 30 * wave(i, 2.0));
  }
  size_t btc = 0, eth = 0;
  for (size_t k = 0; k < X.norders; k++) {
    if (strcmp(X.orders[k].symbol, "BTCUSDT") == 0) {
      CHECK(btc < alone);
      CHECK_EQ_INT(at[btc] * 2, X.orders[k].candle); /* candle counter counts both symbols */
      btc++;
    } else {
      CHECK_STR("ETHUSDT", X.orders[k].symbol);
      eth++;
    }
  }
  /* The buy sizes depend on the shared cash, but not when and whether it trades. */
  CHECK_EQ_INT(alone, btc);
  CHECK(eth > 5);
  d->destroy(self);
}

TEST(ma_cross_buys_only_when_flat) {
  const argo_strategy *d = argo__builtin_ma_cross();
  reset(10000);
  X.long_qty[0] = 1; /* held already (from before a restart, say) */
  /* A phase of the wave whose first cross is a golden one. */
  size_t n = 400, m = 0;
  for (double phase = 0; phase < 6.3; phase += 0.5) {
    for (size_t i = 0; i < n; i++) {
      prices[i] = wave((long)i, phase);
    }
    m = expected_crosses(prices, n, 10, 30, crosses);
    if (m > 0 && crosses[0] > 0) {
      break;
    }
  }
  void *self = start(d);
  for (size_t i = 0; i < n; i++) {
    feed(d, self, 0, prices[i]);
  }
  /* Golden crosses before the first death cross find a long position: no order. */
  size_t first = 0;
  while (first < m && crosses[first] > 0) {
    first++;
  }
  CHECK_MSG(first > 0 && first < m, "no phase of the test data starts with a golden cross");
  CHECK(X.norders > 0);
  CHECK_EQ_INT(-crosses[first], X.orders[0].candle);
  CHECK_EQ_INT(ARGO_SIDE_SELL, X.orders[0].req.side);
  CHECK_NEAR(1, X.orders[0].req.quantity, 0);
  CHECK_EQ_INT(m - first, X.norders);
  d->destroy(self);
}

TEST(ma_cross_does_not_sell_what_it_does_not_hold_and_logs_refusals) {
  const argo_strategy *d = argo__builtin_ma_cross();
  reset(10000);
  X.reject_all = 1;
  void *self = start(d);
  for (long i = 0; i < 400; i++) {
    feed(d, self, 0, wave(i, 0));
  }
  /* Every golden cross tried to buy and was refused; death crosses had nothing to sell. */
  CHECK(X.norders > 3);
  for (size_t k = 0; k < X.norders; k++) {
    CHECK_EQ_INT(ARGO_SIDE_BUY, X.orders[k].req.side);
    CHECK(!X.orders[k].accepted);
  }
  CHECK_EQ_INT(0, X.nmarks); /* no trade, no mark */
  CHECK_EQ_INT(X.norders, X.nlogs);
  for (size_t k = 0; k < X.nlogs; k++) {
    CHECK_EQ_INT(ARGO_LOG_WARNING, X.logs[k].level);
    CHECK_CONTAINS(X.logs[k].message, "refused by the fake broker");
  }
  d->destroy(self);
}

TEST(ma_cross_needs_slow_candles_before_trading) {
  const argo_strategy *d = argo__builtin_ma_cross();
  reset(10000);
  set_config("fast", 2);
  set_config("slow", 3);
  set_config("size", 0.5);
  void *self = start(d);
  CHECK(self != NULL);
  /* Candles 0-2 fill the slow window; falling closes then make a death cross with nothing
   * held (no order), and rising ones a golden cross. */
  double px[] = {10, 10, 12, 9, 8, 7, 12, 14};
  for (size_t i = 0; i < sizeof px / sizeof px[0]; i++) {
    feed(d, self, 0, px[i]);
  }
  /* i=2: f=(10+12)/2=11, s=32/3=10.67: above. i=3: f=10.5, s=10.33: above. i=4: f=8.5,
   * s=9.67: below (death cross, nothing held). i=5: below. i=6: f=9.5, s=9: above: golden
   * cross, buys 0.5 x 10000 / 12. */
  CHECK_EQ_INT(1, X.norders);
  CHECK_EQ_INT(6, X.orders[0].candle);
  CHECK_NEAR(0.5 * 10000 / 12, X.orders[0].req.quantity, 1e-12);
  d->destroy(self);
}

TEST(ma_cross_rejects_bad_config) {
  const argo_strategy *d = argo__builtin_ma_cross();
  struct {
    const char *key;
    double v;
    const char *want;
  } bad[] = {{"fast", 0, "fast"},   {"fast", 2.5, "fast"}, {"slow", 10, "slow"},
             {"slow", 5, "slow"},   {"size", 0, "size"},   {"size", 1.5, "size"},
             {"size", NAN, "size"}, {"fast", NAN, "fast"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    reset(10000);
    set_config(bad[i].key, bad[i].v);
    void *self = d->create(&HOST, &X);
    CHECK(self != NULL);
    int rc = d->initialize(self, "{}");
    CHECK_MSG(rc != 0, "%s=%g was accepted", bad[i].key, bad[i].v);
    CHECK_CONTAINS(X.error, bad[i].want);
    d->destroy(self);
  }
  /* The edges that are allowed. */
  reset(10000);
  set_config("fast", 1);
  set_config("slow", 2);
  set_config("size", 1);
  void *self = start(d);
  CHECK(self != NULL);
  CHECK_STR("", X.error);
  d->destroy(self);
}

TEST(pingpong_describes_itself) {
  const argo_strategy *d = argo__builtin_pingpong();
  CHECK_EQ_INT(ARGO_STRATEGY_ABI_VERSION, d->abi_version);
  CHECK_EQ_INT(sizeof(argo_strategy), d->struct_size);
  CHECK_STR("pingpong", d->name);
  CHECK_STR("org.argo.pingpong", d->id);
  CHECK_STR("1.0.0", d->version);
  CHECK(d->description && d->description[0] && !strchr(d->description, '\n'));
  CHECK_CONTAINS(d->config_schema, "\"every\"");
  CHECK_CONTAINS(d->config_schema, "\"qty\"");
  reset(10000);
  void *self = start(d);
  CHECK(self != NULL);
  CHECK(d->warmup_candles != NULL);
  CHECK_EQ_INT(0, d->warmup_candles(self));
  d->destroy(self);
  d->destroy(NULL);
}

TEST(pingpong_trades_every_n_candles_per_symbol) {
  const argo_strategy *d = argo__builtin_pingpong();
  reset(10000);
  set_config("every", 3);
  set_config("qty", 0.5);
  void *self = start(d);
  CHECK(self != NULL);
  /* BTCUSDT on every candle, ETHUSDT on every other one. */
  for (int i = 0; i < 12; i++) {
    feed(d, self, 0, 100 + i);
    if (i % 2 == 1) {
      feed(d, self, 1, 50 + i);
    }
  }
  /* BTCUSDT comes every candle and ETHUSDT every other one, so in the fake host's global
   * candle numbers BTCUSDT's 3rd, 6th, 9th and 12th candles are 3, 7, 12 and 16 (buy, sell,
   * buy, sell) and ETHUSDT's 3rd and 6th are 8 and 17 (buy, sell). */
  const char *want_sym[] = {"BTCUSDT", "BTCUSDT", "ETHUSDT", "BTCUSDT", "BTCUSDT", "ETHUSDT"};
  argo_side want_side[] = {ARGO_SIDE_BUY, ARGO_SIDE_SELL, ARGO_SIDE_BUY,
                           ARGO_SIDE_BUY, ARGO_SIDE_SELL, ARGO_SIDE_SELL};
  long want_candle[] = {3, 7, 8, 12, 16, 17};
  CHECK_EQ_INT(6, X.norders);
  for (size_t k = 0; k < 6; k++) {
    CHECK_STR(want_sym[k], X.orders[k].symbol);
    CHECK_EQ_INT(want_side[k], X.orders[k].req.side);
    CHECK_EQ_INT(ARGO_ORDER_MARKET, X.orders[k].req.type);
    CHECK_NEAR(0.5, X.orders[k].req.quantity, 0);
    CHECK(X.orders[k].accepted);
    CHECK_EQ_INT(want_candle[k], X.orders[k].candle);
  }
  CHECK_EQ_INT(0, X.long_qty[0]);
  CHECK_EQ_INT(0, X.long_qty[1]);
  CHECK_EQ_INT(6, X.nmarks);
  CHECK_EQ_INT(6, X.nlogs);
  for (size_t k = 0; k < 6; k++) {
    int buy = X.orders[k].req.side == ARGO_SIDE_BUY;
    CHECK_STR(want_sym[k], X.marks[k].symbol);
    CHECK_STR(buy ? "buy_long" : "sell_long", X.marks[k].signal_type);
    CHECK_EQ_INT(ARGO_LOG_INFO, X.logs[k].level);
    CHECK_CONTAINS(X.logs[k].fields, "quantity=0.5");
  }
  CHECK_EQ_INT(0, X.recent_calls);
  d->destroy(self);
}

TEST(pingpong_sells_the_whole_position_and_defaults) {
  const argo_strategy *d = argo__builtin_pingpong();
  reset(10000);
  void *self = start(d); /* every 5, qty 0.01 */
  for (int i = 0; i < 4; i++) {
    feed(d, self, 0, 100);
  }
  CHECK_EQ_INT(0, X.norders);
  X.long_qty[0] = 3; /* held from elsewhere: the 5th candle sells all of it */
  feed(d, self, 0, 100);
  CHECK_EQ_INT(1, X.norders);
  CHECK_EQ_INT(ARGO_SIDE_SELL, X.orders[0].req.side);
  CHECK_NEAR(3, X.orders[0].req.quantity, 0);
  for (int i = 0; i < 5; i++) {
    feed(d, self, 0, 100);
  }
  CHECK_EQ_INT(2, X.norders);
  CHECK_EQ_INT(ARGO_SIDE_BUY, X.orders[1].req.side);
  CHECK_NEAR(0.01, X.orders[1].req.quantity, 0);
  d->destroy(self);
}

TEST(pingpong_logs_refusals_without_marks) {
  const argo_strategy *d = argo__builtin_pingpong();
  reset(10000);
  X.reject_all = 1;
  set_config("every", 1);
  void *self = start(d);
  feed(d, self, 0, 100);
  feed(d, self, 0, 100);
  CHECK_EQ_INT(2, X.norders);
  CHECK_EQ_INT(0, X.nmarks);
  CHECK_EQ_INT(2, X.nlogs);
  CHECK_EQ_INT(ARGO_LOG_WARNING, X.logs[0].level);
  CHECK_CONTAINS(X.logs[0].message, "refused by the fake broker");
  d->destroy(self);
}

TEST(pingpong_handles_long_and_unknown_symbols) {
  const argo_strategy *d = argo__builtin_pingpong();
  reset(1e9);
  /* Longer than ARGO_SYMBOL_MAX: two such symbols differ only past the 32nd character. */
  X.syms[2] = "A_VERY_LONG_SYMBOL_NAME_FOR_TESTING_1";
  X.syms[3] = "A_VERY_LONG_SYMBOL_NAME_FOR_TESTING_2";
  X.nsyms = 4;
  set_config("every", 2);
  void *self = start(d);
  for (int i = 0; i < 4; i++) {
    feed(d, self, 2, 10);
    feed(d, self, 3, 20);
  }
  CHECK_EQ_INT(4, X.norders);
  CHECK_STR(X.syms[2], X.orders[0].symbol);
  CHECK_STR(X.syms[3], X.orders[1].symbol);
  CHECK_EQ_INT(ARGO_SIDE_SELL, X.orders[2].req.side);
  /* A candle of a symbol the session does not trade: counted, never traded, no error. */
  argo_candle c = {"NOTTRADED", 0, 1, 1, 1, 1, 1};
  for (int i = 0; i < 4; i++) {
    CHECK_EQ_INT(0, d->on_candle(self, &c));
  }
  CHECK_EQ_INT(4, X.norders);
  d->destroy(self);
}

TEST(pingpong_rejects_bad_config) {
  const argo_strategy *d = argo__builtin_pingpong();
  struct {
    const char *key;
    double v;
  } bad[] = {{"every", 0}, {"every", 1.5}, {"every", NAN},   {"qty", 0},
             {"qty", -1},  {"qty", NAN},   {"qty", INFINITY}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    reset(10000);
    set_config(bad[i].key, bad[i].v);
    void *self = d->create(&HOST, &X);
    CHECK(self != NULL);
    CHECK_MSG(d->initialize(self, "{}") != 0, "%s=%g was accepted", bad[i].key, bad[i].v);
    CHECK_CONTAINS(X.error, bad[i].key);
    d->destroy(self);
  }
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(ma_cross_describes_itself);
  RUN(ma_cross_trades_on_every_cross_of_a_cycling_market);
  RUN(ma_cross_keeps_symbols_apart);
  RUN(ma_cross_buys_only_when_flat);
  RUN(ma_cross_does_not_sell_what_it_does_not_hold_and_logs_refusals);
  RUN(ma_cross_needs_slow_candles_before_trading);
  RUN(ma_cross_rejects_bad_config);
  RUN(pingpong_describes_itself);
  RUN(pingpong_trades_every_n_candles_per_symbol);
  RUN(pingpong_sells_the_whole_position_and_defaults);
  RUN(pingpong_logs_refusals_without_marks);
  RUN(pingpong_handles_long_and_unknown_symbols);
  RUN(pingpong_rejects_bad_config);
  return test_summary();
}
