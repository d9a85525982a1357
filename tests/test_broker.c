/* Paper broker: fill rules, pending limits, cancel, shorts, rejections, commissions, FIFO pnl,
 * buying power and the sequence of sink calls. Every expected number is computed by hand in
 * the comment next to it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "brokers/paper.h"
#include "brokers/registry.h"
#include "test.h"

#define EPS 1e-9
#define MAX_CALLS 256

typedef struct call {
  char kind; /* 'o' order, 'f' fill */
  int is_new;
  size_t sym;
  argo_order o;
  argo_fill f;
  char reason[256];
} call;

static call calls[MAX_CALLS];
static int ncalls;

/* Set by a test to place an order from inside the fill sink (a re-entrant broker call). */
static argo__broker *reenter_b;
static argo_order_request reenter_req;

static call *next_call(void) {
  if (ncalls >= MAX_CALLS) {
    TEST_FAIL_("more than %d sink calls", MAX_CALLS);
  }
  return &calls[ncalls++];
}

static void on_order(void *u, size_t sym, const argo_order *o, int is_new, const char *client_id) {
  (void)client_id;
  (void)u;
  call *c = next_call();
  c->kind = 'o';
  c->is_new = is_new;
  c->sym = sym;
  c->o = *o;
  CHECK(o->reason != NULL);
  snprintf(c->reason, sizeof c->reason, "%s", o->reason);
}

static void on_fill(void *u, size_t sym, const argo_order *o, const argo_fill *f,
                    const argo__fill_extra *x) {
  (void)x;
  (void)u;
  call *c = next_call();
  c->kind = 'f';
  c->sym = sym;
  c->o = *o;
  c->f = *f;
  CHECK(o->reason != NULL);
  snprintf(c->reason, sizeof c->reason, "%s", o->reason);
  if (reenter_b) {
    argo__broker *b = reenter_b;
    reenter_b = NULL;
    char err[256];
    CHECK_EQ_INT(ARGO_S_OK,
                 argo__broker_place(b, &reenter_req, f->executed_at, NULL, err, sizeof err));
  }
}

static const char *SYMS[] = {"BTCUSDT", "ETHUSDT"};

static argo__broker *mk_full(double capital, argo__commission model, double rate, double per_share,
                             double minimum) {
  argo__paper_cfg cfg = {.capital = capital,
                         .commission = model,
                         .rate = rate,
                         .per_share = per_share,
                         .minimum = minimum,
                         .id_prefix = "abcd1234",
                         .strategy_name = "test"};
  argo__broker_sink sink = {.order = on_order, .fill = on_fill};
  argo__broker *b = NULL;
  CHECK(argo__paper_new(&b, &cfg, SYMS, 2, &sink) == ARGO_OK);
  ncalls = 0;
  reenter_b = NULL;
  return b;
}

static argo__broker *mk(double capital, argo__commission model, double rate) {
  return mk_full(capital, model, rate, 0.005, 1.0);
}

static void candle(argo__broker *b, size_t sym, int64_t t, double o, double h, double l, double c) {
  argo_candle k = {SYMS[sym], t, o, h, l, c, 1};
  argo__broker_on_candle(b, sym, &k);
}

static int place_id(argo__broker *b, const char *sym, argo_side side, argo_order_type type,
                    argo_position_type pt, double qty, double limit, int64_t now, char *id) {
  argo_order_request r = {sym, side, type, pt, qty, limit};
  char err[256];
  return argo__broker_place(b, &r, now, id, err, sizeof err);
}

static int place(argo__broker *b, const char *sym, argo_side side, argo_order_type type,
                 argo_position_type pt, double qty, double limit, int64_t now) {
  return place_id(b, sym, side, type, pt, qty, limit, now, NULL);
}

static argo_account account(argo__broker *b) {
  argo_account a;
  argo__broker_account(b, &a);
  return a;
}

static argo_position position(argo__broker *b, const char *sym) {
  argo_position p;
  CHECK_EQ_INT(ARGO_S_OK, argo__broker_position(b, sym, &p));
  return p;
}

TEST(broker_market_buy_fills_at_close_with_percentage_fee) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_PERCENTAGE, 0.001);
  candle(b, 0, 60, 99, 101, 98, 100);
  char id[ARGO_ID_MAX];
  /* now (90) differs from the candle's time (60): an immediate fill happens at now. */
  CHECK_EQ_INT(ARGO_S_OK, place_id(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET,
                                   ARGO_POSITION_LONG, 2, 0, 90, id));
  CHECK_STR("abcd1234-1", id);
  /* Sink: the order (PENDING, new) and then its fill. */
  CHECK_EQ_INT(2, ncalls);
  const argo_order *o = &calls[0].o;
  CHECK(calls[0].kind == 'o' && calls[0].is_new);
  CHECK_EQ_INT(ARGO_ORDER_PENDING, o->status);
  CHECK_EQ_INT(0, calls[0].sym);
  CHECK_STR("abcd1234-1", o->order_id);
  CHECK(o->symbol == SYMS[0]);
  CHECK_EQ_INT(ARGO_SIDE_BUY, o->side);
  CHECK_EQ_INT(ARGO_ORDER_MARKET, o->type);
  CHECK_EQ_INT(ARGO_POSITION_LONG, o->position_type);
  CHECK_NEAR(2, o->quantity, 0);
  CHECK_NEAR(100, o->price, 0); /* the reference price: last close at placement */
  CHECK_EQ_INT(90, o->timestamp);
  CHECK_STR("test", o->strategy_name);
  CHECK_STR("", calls[0].reason);
  CHECK_NEAR(0, o->filled_qty, 0);

  CHECK(calls[1].kind == 'f');
  CHECK_EQ_INT(ARGO_ORDER_FILLED, calls[1].o.status);
  CHECK_NEAR(2, calls[1].o.filled_qty, 0);
  CHECK_STR("", calls[1].reason);
  const argo_fill *f = &calls[1].f;
  CHECK_STR("abcd1234-1", f->order_id);
  CHECK(f->symbol == SYMS[0]);
  CHECK_EQ_INT(ARGO_SIDE_BUY, f->side);
  CHECK_EQ_INT(ARGO_POSITION_LONG, f->position_type);
  CHECK_NEAR(2, f->quantity, 0);
  CHECK_NEAR(100, f->price, 0);
  CHECK_EQ_INT(90, f->timestamp);
  CHECK_EQ_INT(90, f->executed_at);
  CHECK_NEAR(2, f->executed_qty, 0);
  CHECK_NEAR(100, f->executed_price, 0);
  CHECK_NEAR(0.2, f->commission, EPS); /* 0.1 % of 200 */
  CHECK_NEAR(0, f->pnl, 0);

  argo_account a = account(b);
  CHECK_NEAR(9799.8, a.balance, EPS);      /* 10000 - 200 - 0.2 */
  CHECK_NEAR(9999.8, a.equity, EPS);       /* cash + 2 x 100 */
  CHECK_NEAR(9799.8, a.buying_power, EPS); /* nothing pending, no short */
  CHECK_NEAR(-0.2, a.unrealized_pnl, EPS); /* marked at 100, net of the entry fee */
  CHECK_NEAR(0, a.realized_pnl, 0);
  CHECK_NEAR(0.2, a.total_fees, EPS);
  argo_position p = position(b, "BTCUSDT");
  CHECK(p.symbol == SYMS[0]);
  CHECK_NEAR(2, p.long_qty, EPS);
  CHECK_NEAR(100, p.long_avg_price, EPS);
  CHECK_NEAR(0, p.short_qty, 0);
  CHECK_NEAR(-0.2, p.unrealized_pnl, EPS);
  CHECK_NEAR(0.2, p.fees, EPS);
  CHECK_NEAR(100, p.last_price, 0);

  /* The next close marks the position: 2 x 110 - 200 - 0.2 = 19.8. */
  candle(b, 0, 120, 100, 111, 100, 110);
  a = account(b);
  CHECK_NEAR(10019.8, a.equity, EPS); /* 9799.8 + 220 */
  CHECK_NEAR(19.8, a.unrealized_pnl, EPS);
  CHECK_NEAR(110, position(b, "BTCUSDT").last_price, 0);
  CHECK_EQ_INT(2, ncalls); /* a candle with nothing pending says nothing */
  argo__broker_free(b);
}

TEST(broker_market_sell_closes_long_and_realizes_pnl) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_PERCENTAGE, 0.001);
  candle(b, 0, 60, 99, 101, 98, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 2, 0, 60);
  candle(b, 0, 120, 100, 111, 100, 110);
  ncalls = 0;
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, ARGO_POSITION_LONG,
                                2, 0, 120));
  CHECK_EQ_INT(2, ncalls);
  CHECK_STR("abcd1234-2", calls[1].f.order_id);
  CHECK_NEAR(110, calls[1].f.executed_price, 0);
  CHECK_NEAR(0.22, calls[1].f.commission, EPS); /* 0.1 % of 220 */
  /* (110 - 100) x 2 - entry fee 0.2 - exit fee 0.22 = 19.58 */
  CHECK_NEAR(19.58, calls[1].f.pnl, EPS);
  argo_account a = account(b);
  CHECK_NEAR(10019.58, a.balance, EPS); /* 9799.8 + 220 - 0.22 */
  CHECK_NEAR(10019.58, a.equity, EPS);
  CHECK_NEAR(19.58, a.realized_pnl, EPS);
  CHECK_NEAR(0, a.unrealized_pnl, EPS);
  CHECK_NEAR(0.42, a.total_fees, EPS);
  argo_position p = position(b, "BTCUSDT");
  CHECK_NEAR(0, p.long_qty, 0);
  CHECK_NEAR(0, p.long_avg_price, 0);
  CHECK_NEAR(19.58, p.realized_pnl, EPS);
  CHECK_NEAR(0.42, p.fees, EPS);
  argo__broker_free(b);
}

TEST(broker_limit_buy_waits_until_low_reaches_the_limit) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_PERCENTAGE, 0.001);
  candle(b, 0, 60, 100, 101, 99, 100);
  char id[ARGO_ID_MAX];
  CHECK_EQ_INT(ARGO_S_OK, place_id(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT,
                                   ARGO_POSITION_LONG, 10, 95, 60, id));
  CHECK_EQ_INT(1, ncalls); /* pending: the order only */
  CHECK(calls[0].kind == 'o' && calls[0].is_new);
  CHECK_EQ_INT(ARGO_ORDER_PENDING, calls[0].o.status);
  CHECK_NEAR(95, calls[0].o.price, 0);
  argo_order open[4];
  CHECK_EQ_INT(1, argo__broker_open_orders(b, open, 4));
  CHECK_STR(id, open[0].order_id);
  CHECK_EQ_INT(ARGO_ORDER_PENDING, open[0].status);
  argo_account a = account(b);
  CHECK_NEAR(10000, a.balance, 0);
  /* Reserved while pending: 10 x 95 + fee 0.95 = 950.95. */
  CHECK_NEAR(9049.05, a.buying_power, EPS);

  candle(b, 0, 120, 99, 100, 96, 97); /* low 96 > 95: still waiting */
  candle(b, 1, 120, 99, 100, 90, 97); /* another symbol: irrelevant */
  candle(b, 0, 180, 97, 99, 95.5, 98);
  CHECK_EQ_INT(1, ncalls);
  CHECK_EQ_INT(1, argo__broker_open_orders(b, open, 4));

  candle(b, 0, 240, 97, 98, 94, 96); /* low 94 <= 95: fills at min(95, open 97) = 95 */
  CHECK_EQ_INT(2, ncalls);
  CHECK(calls[1].kind == 'f');
  CHECK_EQ_INT(ARGO_ORDER_FILLED, calls[1].o.status);
  CHECK_EQ_INT(0, calls[1].sym);
  CHECK_NEAR(95, calls[1].f.executed_price, 0);
  CHECK_NEAR(95, calls[1].f.price, 0);
  CHECK_NEAR(0.95, calls[1].f.commission, EPS);
  CHECK_EQ_INT(240, calls[1].f.executed_at);
  CHECK_EQ_INT(60, calls[1].f.timestamp);
  CHECK_EQ_INT(0, argo__broker_open_orders(b, open, 4));
  a = account(b);
  CHECK_NEAR(9049.05, a.balance, EPS); /* 10000 - 950 - 0.95 */
  CHECK_NEAR(9049.05, a.buying_power, EPS);
  CHECK_NEAR(9049.05 + 960, a.equity, EPS); /* marked at the close, 96 */
  argo__broker_free(b);
}

TEST(broker_limit_order_never_fills_on_a_candle_that_closed_before_it) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 1, 60, 100, 101, 99, 100);  /* ETH has a price */
  candle(b, 0, 120, 100, 101, 99, 100); /* the BTC candle of 120: the order is placed now */
  CHECK_EQ_INT(ARGO_S_OK, place(b, "ETHUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG,
                                1, 95, 120));
  int before = ncalls;
  candle(b, 1, 120, 100, 101, 90, 96); /* ETH of the same time: closed before the order existed */
  CHECK_EQ_INT(before, ncalls);
  candle(b, 1, 180, 96, 97, 94, 95); /* the next ETH candle reaches the limit */
  CHECK_EQ_INT(before + 1, ncalls);
  CHECK_EQ_INT(180, calls[ncalls - 1].f.executed_at);
  argo__broker_free(b);
}

TEST(broker_limit_buy_gapping_below_fills_at_the_open) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_PERCENTAGE, 0.001);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 10, 95, 60);
  candle(b, 0, 120, 90, 92, 89, 91); /* opens below the limit: the open is the better price */
  CHECK_EQ_INT(2, ncalls);
  CHECK_NEAR(90, calls[1].f.executed_price, 0);
  CHECK_NEAR(0.9, calls[1].f.commission, EPS);
  CHECK_NEAR(9099.1, account(b).balance, EPS); /* 10000 - 900 - 0.9 */
  argo__broker_free(b);
}

TEST(broker_limit_order_before_any_price_waits_for_a_candle) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  /* No price yet: a limit order cannot be marketable, so it waits. */
  CHECK_EQ_INT(ARGO_S_OK,
               place(b, "ETHUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 50, 0));
  CHECK_EQ_INT(1, ncalls);
  candle(b, 1, 60, 49, 52, 48, 51); /* low 48 <= 50, open 49 < 50: fills at 49 */
  CHECK_EQ_INT(2, ncalls);
  CHECK_EQ_INT(1, calls[1].sym);
  CHECK(calls[1].f.symbol == SYMS[1]);
  CHECK_NEAR(49, calls[1].f.executed_price, 0);
  argo__broker_free(b);
}

TEST(broker_marketable_limit_fills_at_once_at_the_last_close) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 105, 60);
  CHECK_EQ_INT(2, ncalls);
  CHECK(calls[0].kind == 'o' && calls[0].is_new && calls[0].o.status == ARGO_ORDER_PENDING);
  CHECK(calls[1].kind == 'f');
  CHECK_NEAR(100, calls[1].f.executed_price, 0);
  CHECK_NEAR(105, calls[1].o.price, 0); /* the order keeps its limit */
  CHECK_NEAR(105, calls[1].f.price, 0);
  CHECK_EQ_INT(60, calls[1].f.executed_at);
  /* A limit exactly at the last close is marketable too. */
  ncalls = 0;
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 100, 60);
  CHECK_EQ_INT(2, ncalls);
  /* And a sell limit at or below the last close. */
  ncalls = 0;
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG,
                                2, 95, 60));
  CHECK_EQ_INT(2, ncalls);
  CHECK_NEAR(100, calls[1].f.executed_price, 0);
  CHECK_NEAR(0, calls[1].f.pnl, EPS); /* bought at 100, sold at 100, no fees */
  CHECK_NEAR(10000, account(b).balance, EPS);
  argo__broker_free(b);
}

TEST(broker_limit_sell_fills_when_high_reaches_the_limit) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 2, 0, 60);
  ncalls = 0;
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG,
                                1, 110, 60));
  CHECK_EQ_INT(1, ncalls);
  /* A pending sell reserves position, not buying power. */
  CHECK_NEAR(9800, account(b).buying_power, EPS);
  candle(b, 0, 120, 101, 109, 100, 108); /* high 109 < 110 */
  CHECK_EQ_INT(1, ncalls);
  candle(b, 0, 180, 108, 112, 107, 111); /* high 112 >= 110: max(110, open 108) = 110 */
  CHECK_EQ_INT(2, ncalls);
  CHECK_NEAR(110, calls[1].f.executed_price, 0);
  CHECK_EQ_INT(180, calls[1].f.executed_at);
  CHECK_NEAR(10, calls[1].f.pnl, EPS);
  CHECK_NEAR(9910, account(b).balance, EPS); /* 10000 - 200 + 110 */
  /* Gapping above the limit fills at the open. */
  ncalls = 0;
  place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 115, 180);
  candle(b, 0, 240, 120, 121, 118, 119);
  CHECK_EQ_INT(2, ncalls);
  CHECK_NEAR(120, calls[1].f.executed_price, 0);
  CHECK_NEAR(20, calls[1].f.pnl, EPS);
  CHECK_NEAR(0, position(b, "BTCUSDT").long_qty, 0);
  argo__broker_free(b);
}

TEST(broker_several_pending_orders_fill_on_one_candle_oldest_first) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 95, 60);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 85, 60);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 90, 60);
  CHECK_NEAR(10000 - 270, account(b).buying_power, EPS);
  ncalls = 0;
  candle(b, 0, 120, 97, 98, 88, 92); /* crosses 95 and 90, not 85 */
  CHECK_EQ_INT(2, ncalls);
  CHECK_STR("abcd1234-1", calls[0].f.order_id);
  CHECK_NEAR(95, calls[0].f.executed_price, 0);
  CHECK_STR("abcd1234-3", calls[1].f.order_id);
  CHECK_NEAR(90, calls[1].f.executed_price, 0);
  argo_order open[4];
  CHECK_EQ_INT(1, argo__broker_open_orders(b, open, 4));
  CHECK_STR("abcd1234-2", open[0].order_id);
  argo_account a = account(b);
  CHECK_NEAR(9815, a.balance, EPS);      /* 10000 - 95 - 90 */
  CHECK_NEAR(9730, a.buying_power, EPS); /* 9815 - 85 still reserved */
  argo__broker_free(b);
}

TEST(broker_order_placed_from_a_fill_waits_for_the_next_candle) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 95, 60);
  /* On the fill, a limit buy at 90: below the close (96), so it waits; this candle's low (88)
   * came before it was placed and must not fill it. */
  reenter_b = b;
  reenter_req =
      (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 90};
  ncalls = 0;
  candle(b, 0, 120, 97, 98, 88, 96);
  CHECK_EQ_INT(2, ncalls); /* the fill, then the new order */
  CHECK(calls[0].kind == 'f');
  CHECK(calls[1].kind == 'o' && calls[1].is_new);
  CHECK_STR("abcd1234-2", calls[1].o.order_id);
  argo_order open[2];
  CHECK_EQ_INT(1, argo__broker_open_orders(b, open, 2));
  candle(b, 0, 180, 95, 96, 89, 92);
  CHECK_EQ_INT(3, ncalls);
  CHECK_STR("abcd1234-2", calls[2].f.order_id);
  CHECK_NEAR(90, calls[2].f.executed_price, 0);
  argo__broker_free(b);
}

TEST(broker_cancel_releases_the_reservation) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256], id[ARGO_ID_MAX];
  argo_order_request r = {"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 10, 90};
  CHECK_EQ_INT(ARGO_S_OK, argo__broker_place(b, &r, 60, id, err, sizeof err));
  CHECK_NEAR(9100, account(b).buying_power, EPS);
  ncalls = 0;
  CHECK_EQ_INT(ARGO_S_OK, argo__broker_cancel(b, id, err, sizeof err));
  CHECK_EQ_INT(1, ncalls);
  CHECK(calls[0].kind == 'o' && !calls[0].is_new);
  CHECK_EQ_INT(ARGO_ORDER_CANCELLED, calls[0].o.status);
  CHECK_STR(id, calls[0].o.order_id);
  CHECK_STR("cancelled by the strategy", calls[0].reason);
  argo_order open[4];
  CHECK_EQ_INT(0, argo__broker_open_orders(b, open, 4));
  CHECK_NEAR(10000, account(b).buying_power, EPS);
  /* Gone: a candle that would have filled it does nothing. */
  candle(b, 0, 120, 90, 91, 80, 85);
  CHECK_EQ_INT(1, ncalls);
  CHECK_EQ_INT(ARGO_S_NOTFOUND, argo__broker_cancel(b, id, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_NOTFOUND, argo__broker_cancel(b, "nope", err, sizeof err));
  CHECK_CONTAINS(err, "nope");
  CHECK_EQ_INT(ARGO_S_NOTFOUND, argo__broker_cancel(b, NULL, err, sizeof err));
  CHECK_EQ_INT(1, ncalls);
  argo__broker_free(b);
}

TEST(broker_cancel_of_a_filled_order_is_not_found) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256], id1[ARGO_ID_MAX], id2[ARGO_ID_MAX];
  place_id(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 1, 0, 60, id1);
  CHECK_EQ_INT(ARGO_S_NOTFOUND, argo__broker_cancel(b, id1, err, sizeof err));
  CHECK_CONTAINS(err, id1);
  place_id(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 95, 60, id2);
  candle(b, 0, 120, 96, 97, 94, 95); /* fills the limit */
  ncalls = 0;
  CHECK_EQ_INT(ARGO_S_NOTFOUND, argo__broker_cancel(b, id2, err, sizeof err));
  CHECK_EQ_INT(0, ncalls);
  argo__broker_free(b);
}

TEST(broker_cancel_all_by_symbol_and_all) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  candle(b, 1, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 90, 60);
  place(b, "ETHUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 90, 60);
  place(b, "ETHUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 80, 60);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 80, 60);
  CHECK_NEAR(10000 - 340, account(b).buying_power, EPS);
  ncalls = 0;
  CHECK_EQ_INT(2, argo__broker_cancel_all(b, "ETHUSDT"));
  CHECK_EQ_INT(2, ncalls);
  for (int i = 0; i < 2; i++) {
    CHECK_EQ_INT(ARGO_ORDER_CANCELLED, calls[i].o.status);
    CHECK_EQ_INT(1, calls[i].sym);
  }
  CHECK_NEAR(10000 - 170, account(b).buying_power, EPS);
  CHECK_EQ_INT(0, argo__broker_cancel_all(b, "DOGEUSDT"));
  CHECK_EQ_INT(2, argo__broker_cancel_all(b, NULL));
  CHECK_EQ_INT(0, argo__broker_cancel_all(b, NULL));
  CHECK_NEAR(10000, account(b).buying_power, 0);
  argo_order open[4];
  CHECK_EQ_INT(0, argo__broker_open_orders(b, open, 4));
  argo__broker_free(b);
}

TEST(broker_short_open_and_close_realizes_pnl_with_both_fees) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_PERCENTAGE, 0.001);
  candle(b, 0, 60, 100, 101, 99, 100);
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET,
                                ARGO_POSITION_SHORT, 2, 0, 60));
  CHECK_NEAR(0, calls[1].f.pnl, 0); /* opening */
  argo_account a = account(b);
  CHECK_NEAR(10199.8, a.balance, EPS);     /* 10000 + 200 - 0.2 */
  CHECK_NEAR(9799.8, a.buying_power, EPS); /* cash - 2 x 200 held */
  CHECK_NEAR(9999.8, a.equity, EPS);       /* cash - 2 x 100 */
  argo_position p = position(b, "BTCUSDT");
  CHECK_NEAR(2, p.short_qty, 0);
  CHECK_NEAR(100, p.short_avg_price, EPS);
  CHECK_NEAR(0, p.long_qty, 0);
  /* Covering more than is short is refused. */
  char err[256];
  argo_order_request r = {"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_SHORT, 3, 0};
  CHECK_EQ_INT(ARGO_S_REJECTED, argo__broker_place(b, &r, 60, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "insufficient position");

  candle(b, 0, 120, 100, 100, 89, 90);
  a = account(b);
  CHECK_NEAR(10019.8, a.equity, EPS);      /* 10199.8 - 180 */
  CHECK_NEAR(19.8, a.unrealized_pnl, EPS); /* 200 - 180 - 0.2 */
  ncalls = 0;
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_SHORT,
                                2, 0, 120));
  CHECK_NEAR(0.18, calls[1].f.commission, EPS);
  /* (100 - 90) x 2 - entry fee 0.2 - exit fee 0.18 = 19.62 */
  CHECK_NEAR(19.62, calls[1].f.pnl, EPS);
  a = account(b);
  CHECK_NEAR(10019.62, a.balance, EPS); /* 10199.8 - 180 - 0.18 */
  CHECK_NEAR(10019.62, a.equity, EPS);
  CHECK_NEAR(10019.62, a.buying_power, EPS);
  CHECK_NEAR(19.62, a.realized_pnl, EPS);
  CHECK_NEAR(0.38, a.total_fees, EPS);
  argo__broker_free(b);
}

TEST(broker_short_limit_orders_fill_like_sells_and_buys) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  /* Short entry: a sell limit above the close waits for the high. */
  place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_LIMIT, ARGO_POSITION_SHORT, 2, 105, 60);
  CHECK_EQ_INT(1, ncalls);
  CHECK_NEAR(10000 - 210, account(b).buying_power, EPS); /* 2 x 105 reserved */
  candle(b, 0, 120, 101, 106, 100, 104);                 /* high 106 >= 105: fills at 105 */
  CHECK_EQ_INT(2, ncalls);
  CHECK_NEAR(105, calls[1].f.executed_price, 0);
  argo_account a = account(b);
  CHECK_NEAR(10210, a.balance, EPS);
  CHECK_NEAR(9790, a.buying_power, EPS); /* 10210 - 2 x 210 */
  /* Cover: a buy limit below the close waits for the low. */
  ncalls = 0;
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_SHORT, 2, 95, 120);
  CHECK_EQ_INT(1, ncalls);
  CHECK_NEAR(9790, account(b).buying_power, EPS); /* reducing: no buying power reserved */
  /* A second cover cannot buy back what the first one holds. */
  char err[256];
  argo_order_request r = {"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_SHORT, 1, 0};
  CHECK_EQ_INT(ARGO_S_REJECTED, argo__broker_place(b, &r, 120, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "insufficient position");
  ncalls = 0;
  candle(b, 0, 180, 96, 97, 94, 95); /* low 94 <= 95: min(95, open 96) = 95 */
  CHECK_EQ_INT(1, ncalls);
  CHECK_NEAR(95, calls[0].f.executed_price, 0);
  CHECK_NEAR(20, calls[0].f.pnl, EPS); /* (105 - 95) x 2 */
  CHECK_NEAR(10020, account(b).balance, EPS);
  argo__broker_free(b);
}

static void expect_reject(argo__broker *b, argo_order_request r, const char *want,
                          const char *want_id) {
  char err[256] = "", id[ARGO_ID_MAX] = "";
  int before = ncalls;
  CHECK_EQ_INT(ARGO_S_REJECTED, argo__broker_place(b, &r, 60, id, err, sizeof err));
  CHECK_CONTAINS(err, want);
  CHECK_STR(want_id, id);
  CHECK_EQ_INT(before + 1, ncalls);
  const call *c = &calls[ncalls - 1];
  CHECK(c->kind == 'o' && c->is_new);
  CHECK_EQ_INT(ARGO_ORDER_REJECTED, c->o.status);
  CHECK_STR(want_id, c->o.order_id);
  CHECK_STR(err, c->reason);
  CHECK_STR(r.symbol, c->o.symbol);
}

TEST(broker_rejections_are_recorded_with_a_reason) {
  argo__broker *b = mk(1000, ARGO_COMMISSION_ZERO, 0);
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, 1, 0},
                "no price yet for BTCUSDT", "abcd1234-1");
  candle(b, 0, 60, 100, 101, 99, 100);
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, NAN, 0},
                "quantity must be a positive number, got nan", "abcd1234-2");
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, 0, 0},
                "quantity must be a positive number, got 0", "abcd1234-3");
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, -1, 0},
                "quantity must be a positive number, got -1", "abcd1234-4");
  expect_reject(b,
                (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, INFINITY, 0},
                "quantity must be a positive number, got inf", "abcd1234-5");
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, 0, 1, -5},
                "limit price must be a positive number, got -5", "abcd1234-6");
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, 0, 1, NAN},
                "limit price must be a positive number, got nan", "abcd1234-7");
  expect_reject(b, (argo_order_request){"DOGEUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, 1, 0},
                "unknown symbol 'DOGEUSDT'", "abcd1234-8");
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, 11, 0},
                "insufficient buying power: the order needs 1100.00, 1000.00 is available",
                "abcd1234-9");
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, 0, 1, 0},
                "insufficient position", "abcd1234-10");
  /* A limit order's reservation counts: 6 x 90 = 540 held leaves 460 for a 500 buy. */
  CHECK_EQ_INT(ARGO_S_OK,
               place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 6, 90, 60));
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, 5, 0},
                "insufficient buying power: the order needs 500.00, 460.00 is available",
                "abcd1234-12");
  CHECK_EQ_INT(1, argo__broker_cancel_all(b, NULL));
  /* A pending sell holds the position: a second one cannot sell it again. */
  CHECK_EQ_INT(ARGO_S_OK,
               place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 2, 0, 60));
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG,
                                2, 150, 60));
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, 0, 1, 0},
                "insufficient position: selling 1 BTCUSDT but only 0 long is open and not held "
                "by pending orders",
                "abcd1234-15");
  /* Once the pending sell is cancelled the position is free again. */
  argo__broker_cancel_all(b, NULL);
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, ARGO_POSITION_LONG,
                                1, 0, 60));
  CHECK_NEAR(1, position(b, "BTCUSDT").long_qty, EPS);
  argo__broker_free(b);
}

TEST(broker_missing_request_or_symbol_is_einval_and_not_recorded) {
  argo__broker *b = mk(1000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256] = "";
  argo_order_request nosym = {NULL, ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 1, 0};
  CHECK_EQ_INT(ARGO_S_EINVAL, argo__broker_place(b, &nosym, 60, NULL, err, sizeof err));
  CHECK(err[0] != '\0');
  CHECK_EQ_INT(ARGO_S_EINVAL, argo__broker_place(b, NULL, 60, NULL, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_EINVAL, argo__broker_place(b, NULL, 60, NULL, NULL, 0));
  CHECK_EQ_INT(0, ncalls);
  /* No id was used up. */
  char id[ARGO_ID_MAX];
  place_id(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 1, 0, 60, id);
  CHECK_STR("abcd1234-1", id);
  argo__broker_free(b);
}

TEST(broker_commission_models) {
  /* per_share: max(minimum 1, 0.005 x qty). */
  argo__broker *b = mk(100000, ARGO_COMMISSION_PER_SHARE, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 10, 0, 60);
  CHECK_NEAR(1.0, calls[1].f.commission, EPS); /* 10 x 0.005 = 0.05 < minimum 1 */
  ncalls = 0;
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 400, 0, 60);
  CHECK_NEAR(2.0, calls[1].f.commission, EPS); /* 400 x 0.005 */
  ncalls = 0;
  place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 5, 0, 60);
  CHECK_NEAR(1.0, calls[1].f.commission, EPS); /* sells pay too, minimum included */
  /* 100000 - 1000 - 1 - 40000 - 2 + 500 - 1 */
  CHECK_NEAR(59496, account(b).balance, EPS);
  CHECK_NEAR(4, account(b).total_fees, EPS);
  argo__broker_free(b);

  /* The commission counts against buying power: 9 x 100 + 1 fits in 1000, 10 x 100 + 1 not. */
  b = mk(1000, ARGO_COMMISSION_PER_SHARE, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256];
  argo_order_request r = {"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 10, 0};
  CHECK_EQ_INT(ARGO_S_REJECTED, argo__broker_place(b, &r, 60, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "needs 1001.00, 1000.00 is available");
  r.quantity = 9;
  CHECK_EQ_INT(ARGO_S_OK, argo__broker_place(b, &r, 60, NULL, err, sizeof err));
  CHECK_NEAR(99, account(b).balance, EPS);
  argo__broker_free(b);

  /* A different per-share rate and minimum. */
  b = mk_full(100000, ARGO_COMMISSION_PER_SHARE, 0, 0.01, 2.5);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 100, 0, 60);
  CHECK_NEAR(2.5, calls[1].f.commission, EPS); /* 1.0 < 2.5 */
  ncalls = 0;
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 300, 0, 60);
  CHECK_NEAR(3.0, calls[1].f.commission, EPS);
  argo__broker_free(b);

  b = mk(100000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 10, 0, 60);
  CHECK_NEAR(0, calls[1].f.commission, 0);
  CHECK_NEAR(99000, account(b).balance, 0);
  argo__broker_free(b);

  b = mk(100000, ARGO_COMMISSION_PERCENTAGE, 0.00075);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 10, 0, 60);
  CHECK_NEAR(0.75, calls[1].f.commission, EPS); /* 0.075 % of 1000 */
  CHECK_NEAR(98999.25, account(b).balance, EPS);
  argo__broker_free(b);
}

TEST(broker_fifo_pnl_over_partial_closes_prorates_fees) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_PERCENTAGE, 0.001);
  candle(b, 0, 60, 100, 100, 100, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 1, 0, 60);
  candle(b, 0, 120, 110, 110, 110, 110);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 2, 0, 120);
  argo_position p = position(b, "BTCUSDT");
  CHECK_NEAR(3, p.long_qty, EPS);
  CHECK_NEAR(320.0 / 3.0, p.long_avg_price, EPS); /* (100 + 220) / 3 */
  candle(b, 0, 180, 120, 120, 120, 120);
  ncalls = 0;
  place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 1.5, 0, 180);
  /* Fees: entries 0.1 (1@100) and 0.22 (2@110); exit 0.18 (1.5@120).
   * Piece 1: 1@100 -> (120-100)*1 - 0.1 - 0.18*(1/1.5) = 20 - 0.1 - 0.12 = 19.78
   * Piece 2: 0.5@110 -> (120-110)*0.5 - 0.22*(0.5/2) - 0.18*(0.5/1.5) = 5 - 0.055 - 0.06 = 4.885
   * Total 24.665 */
  CHECK_NEAR(24.665, calls[1].f.pnl, EPS);
  p = position(b, "BTCUSDT");
  CHECK_NEAR(1.5, p.long_qty, EPS);
  CHECK_NEAR(110, p.long_avg_price, EPS);
  /* 1.5 x 120 - 165 - entry fee left 0.165 */
  CHECK_NEAR(14.835, p.unrealized_pnl, EPS);
  CHECK_NEAR(24.665, p.realized_pnl, EPS);
  candle(b, 0, 240, 130, 130, 130, 130);
  ncalls = 0;
  place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 1.5, 0, 240);
  /* 1.5@110 -> (130-110)*1.5 - 0.165 - 0.195 = 29.64 */
  CHECK_NEAR(29.64, calls[1].f.pnl, EPS);
  p = position(b, "BTCUSDT");
  CHECK_NEAR(0, p.long_qty, EPS);
  CHECK_NEAR(54.305, p.realized_pnl, EPS);
  CHECK_NEAR(0.695, p.fees, EPS); /* 0.1 + 0.22 + 0.18 + 0.195 */
  argo_account a = account(b);
  CHECK_NEAR(10054.305, a.balance, EPS); /* capital + realized: fees are inside the pnl */
  CHECK_NEAR(10054.305, a.equity, EPS);
  CHECK_NEAR(54.305, a.realized_pnl, EPS);
  argo__broker_free(b);
}

TEST(broker_positions_cover_every_symbol) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 1, 60, 10, 10, 10, 10);
  place(b, "ETHUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 3, 0, 60);
  argo_position ps[4];
  CHECK_EQ_INT(2, argo__broker_positions(b, ps, 4));
  CHECK_STR("BTCUSDT", ps[0].symbol);
  CHECK_NEAR(0, ps[0].long_qty, 0);
  CHECK_NEAR(0, ps[0].last_price, 0);
  CHECK_STR("ETHUSDT", ps[1].symbol);
  CHECK_NEAR(3, ps[1].long_qty, 0);
  CHECK_NEAR(10, ps[1].last_price, 0);
  CHECK_EQ_INT(2, argo__broker_positions(b, ps, 1)); /* the count even when cap is short */
  CHECK_STR("BTCUSDT", ps[0].symbol);
  argo_position p;
  CHECK_EQ_INT(ARGO_S_NOTFOUND, argo__broker_position(b, "DOGEUSDT", &p));
  CHECK_EQ_INT(ARGO_S_NOTFOUND, argo__broker_position(b, NULL, &p));
  CHECK_EQ_INT(1, argo__paper_symbol(b, "ETHUSDT"));
  CHECK_EQ_INT(-1, argo__paper_symbol(b, "DOGEUSDT"));
  argo__broker_free(b);
}

TEST(broker_open_orders_are_listed_oldest_first) {
  argo__broker *b = mk(100000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  candle(b, 1, 60, 100, 101, 99, 100);
  place(b, "ETHUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 90, 60);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 80, 60);
  place(b, "ETHUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 70, 60);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 60, 60);
  argo_order o[4];
  CHECK_EQ_INT(4, argo__broker_open_orders(b, o, 2));
  CHECK_STR("abcd1234-1", o[0].order_id);
  CHECK_STR("abcd1234-2", o[1].order_id);
  CHECK_EQ_INT(4, argo__broker_open_orders(b, o, 4));
  for (int i = 0; i < 4; i++) {
    char want[ARGO_ID_MAX];
    snprintf(want, sizeof want, "abcd1234-%d", i + 1);
    CHECK_STR(want, o[i].order_id);
    CHECK_EQ_INT(ARGO_ORDER_PENDING, o[i].status);
  }
  CHECK_STR("ETHUSDT", o[0].symbol);
  CHECK_STR("BTCUSDT", o[1].symbol);
  CHECK_EQ_INT(4, argo__broker_open_orders(b, NULL, 0));
  char err[256];
  CHECK_EQ_INT(ARGO_S_OK, argo__broker_cancel(b, "abcd1234-2", err, sizeof err));
  CHECK_EQ_INT(3, argo__broker_open_orders(b, o, 4));
  CHECK_STR("abcd1234-1", o[0].order_id);
  CHECK_STR("abcd1234-3", o[1].order_id);
  CHECK_STR("abcd1234-4", o[2].order_id);
  argo__broker_free(b);
}

TEST(broker_many_candles_with_many_pending_orders_stay_consistent) {
  /* 200 limit buys far below the market on one symbol, 100000 candles on the other: nothing
   * fills, nothing is reported, and the reservation stays exact. */
  argo__broker *b = mk(1e9, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 0, 100, 100, 100, 100);
  for (int i = 0; i < 200; i++) {
    CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG,
                                  1, 10 + i * 0.25, 0));
  }
  ncalls = 0;
  for (int i = 0; i < 100000; i++) {
    candle(b, 1, 60 * (int64_t)i, 100, 101, 99, 100);
  }
  CHECK_EQ_INT(0, ncalls);
  /* Then a crash through all of them: 200 fills, oldest first, each at its limit. */
  candle(b, 0, 60, 100, 100, 5, 6);
  CHECK_EQ_INT(200, ncalls);
  for (int i = 0; i < 200; i++) {
    CHECK_NEAR(10 + i * 0.25, calls[i].f.executed_price, 0);
  }
  argo_account a = account(b);
  CHECK_NEAR(a.balance, a.buying_power, 0); /* nothing reserved any more, exactly */
  argo_order o[1];
  CHECK_EQ_INT(0, argo__broker_open_orders(b, o, 1));
  argo__broker_free(b);
}

TEST(broker_new_copies_the_config_strings) {
  char prefix[16] = "sess", name[16] = "mine";
  argo__paper_cfg cfg = {.capital = 100, .id_prefix = prefix, .strategy_name = name};
  argo__broker_sink sink = {.order = on_order, .fill = on_fill};
  argo__broker *b = NULL;
  CHECK(argo__paper_new(&b, &cfg, SYMS, 2, &sink) == ARGO_OK);
  strcpy(prefix, "XXXX");
  strcpy(name, "YYYY");
  ncalls = 0;
  candle(b, 0, 0, 1, 1, 1, 1);
  char id[ARGO_ID_MAX];
  place_id(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 1, 0, 0, id);
  CHECK_STR("sess-1", id);
  CHECK_STR("mine", calls[0].o.strategy_name);
  argo__broker_free(b);
  argo__broker_free(NULL);
}

TEST(broker_seeded_account_resumes_cash_and_positions) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  argo__broker_seed_cash(b, 5000);
  CHECK_EQ_INT(ARGO_OK, argo__broker_seed_position(b, 0, 0, 2, 100, 0));
  CHECK_EQ_INT(ARGO_OK, argo__broker_seed_position(b, 1, 1, 1, 50, 0));
  CHECK_EQ_INT(ARGO_EINVAL, argo__broker_seed_position(b, 2, 0, 1, 50, 0));
  CHECK_EQ_INT(ARGO_EINVAL, argo__broker_seed_position(b, 0, 0, 0, 50, 0));
  CHECK_EQ_INT(ARGO_EINVAL, argo__broker_seed_position(b, 0, 0, 1, NAN, 0));
  CHECK_EQ_INT(0, ncalls);
  /* No price yet: positions are valued at cost. */
  argo_account a = account(b);
  CHECK_NEAR(5000, a.balance, 0);
  CHECK_NEAR(5150, a.equity, EPS);       /* 5000 + 2 x 100 - 1 x 50 */
  CHECK_NEAR(4900, a.buying_power, EPS); /* 5000 - 2 x 50 held for the short */
  CHECK_NEAR(0, a.unrealized_pnl, 0);
  candle(b, 0, 60, 100, 111, 99, 110);
  candle(b, 1, 60, 50, 51, 44, 45);
  a = account(b);
  CHECK_NEAR(5175, a.equity, EPS);       /* 5000 + 220 - 45 */
  CHECK_NEAR(25, a.unrealized_pnl, EPS); /* +20 long, +5 short */
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, ARGO_POSITION_LONG,
                                2, 0, 60));
  CHECK_NEAR(20, calls[1].f.pnl, EPS); /* seeded lots carry no entry fee */
  CHECK_EQ_INT(ARGO_S_OK, place(b, "ETHUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_SHORT,
                                1, 0, 60));
  CHECK_NEAR(5, calls[3].f.pnl, EPS);
  CHECK_NEAR(5175, account(b).balance, EPS); /* 5000 + 220 - 45 */
  argo__broker_free(b);
}

/* The registry: one list gives the configuration's choices, the table the engine opens brokers
 * from and the names an unknown broker is told; the paper broker takes its settings from it. */
TEST(broker_registry_opens_each_broker_by_name_and_names_them) {
  CHECK_STR("paper|binance", ARGO__BROKER_NAMES);
  char err[256] = "";
  CHECK(argo__broker_find("ib", err, sizeof err) == NULL);
  CHECK_STR("trading.broker 'ib' is not a broker (paper, binance)", err);
  CHECK(argo__broker_find("binance", err, sizeof err) != NULL);
  const argo__broker_entry *e = argo__broker_find("paper", err, sizeof err);
  CHECK(e != NULL);
  char model[] = "per_share";
  argo__settings s;
  memset(&s, 0, sizeof s);
  s.capital = 1000;
  s.commission_model = model;
  s.commission_per_share = 0.01;
  s.commission_minimum = 2;
  argo__broker_args a = {.settings = &s,
                         .symbols = SYMS,
                         .nsymbols = 2,
                         .id_prefix = "reg",
                         .strategy_name = "test",
                         .sink = {.order = on_order, .fill = on_fill}};
  argo__broker *b = NULL;
  CHECK_MSG(e->open(&b, &a, err, sizeof err) == ARGO_OK, "%s", err);
  ncalls = 0;
  reenter_b = NULL;
  candle(b, 0, 60, 10, 10, 10, 10);
  char id[ARGO_ID_MAX];
  CHECK_EQ_INT(ARGO_S_OK, place_id(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET,
                                   ARGO_POSITION_LONG, 3, 0, 60, id));
  CHECK_STR("reg-1", id);
  CHECK_EQ_INT(2, ncalls);
  CHECK_NEAR(2.0, calls[1].f.commission, EPS); /* per_share: the minimum */
  argo_account acct;
  argo__broker_account(b, &acct);
  CHECK_NEAR(1000 - 30 - 2, acct.balance, EPS);
  argo__broker_free(b);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(broker_market_buy_fills_at_close_with_percentage_fee);
  RUN(broker_market_sell_closes_long_and_realizes_pnl);
  RUN(broker_limit_buy_waits_until_low_reaches_the_limit);
  RUN(broker_limit_order_never_fills_on_a_candle_that_closed_before_it);
  RUN(broker_limit_buy_gapping_below_fills_at_the_open);
  RUN(broker_limit_order_before_any_price_waits_for_a_candle);
  RUN(broker_marketable_limit_fills_at_once_at_the_last_close);
  RUN(broker_limit_sell_fills_when_high_reaches_the_limit);
  RUN(broker_several_pending_orders_fill_on_one_candle_oldest_first);
  RUN(broker_order_placed_from_a_fill_waits_for_the_next_candle);
  RUN(broker_cancel_releases_the_reservation);
  RUN(broker_cancel_of_a_filled_order_is_not_found);
  RUN(broker_cancel_all_by_symbol_and_all);
  RUN(broker_short_open_and_close_realizes_pnl_with_both_fees);
  RUN(broker_short_limit_orders_fill_like_sells_and_buys);
  RUN(broker_rejections_are_recorded_with_a_reason);
  RUN(broker_missing_request_or_symbol_is_einval_and_not_recorded);
  RUN(broker_commission_models);
  RUN(broker_fifo_pnl_over_partial_closes_prorates_fees);
  RUN(broker_positions_cover_every_symbol);
  RUN(broker_open_orders_are_listed_oldest_first);
  RUN(broker_many_candles_with_many_pending_orders_stay_consistent);
  RUN(broker_new_copies_the_config_strings);
  RUN(broker_seeded_account_resumes_cash_and_positions);
  RUN(broker_registry_opens_each_broker_by_name_and_names_them);
  return test_summary();
}
