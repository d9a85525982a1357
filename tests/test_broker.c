/* Paper broker: fill rules, pending limits, cancel, shorts, rejections, commissions, FIFO pnl. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "test.h"

#define EPS 1e-9

typedef struct call {
  char kind; /* 'o' order, 'f' fill */
  int is_new;
  argo_order o;
  argo_fill f;
  char reason[256];
} call;

static call calls[64];
static int ncalls;

static void on_order(void *u, size_t sym, const argo_order *o, int is_new) {
  (void)u;
  (void)sym;
  call *c = &calls[ncalls++ % 64];
  c->kind = 'o';
  c->is_new = is_new;
  c->o = *o;
  snprintf(c->reason, sizeof c->reason, "%s", o->reason);
}

static void on_fill(void *u, size_t sym, const argo_order *o, const argo_fill *f) {
  (void)u;
  (void)sym;
  call *c = &calls[ncalls++ % 64];
  c->kind = 'f';
  c->o = *o;
  c->f = *f;
}

static const char *SYMS[] = {"BTCUSDT", "ETHUSDT"};

static argo__broker *mk(double capital, argo__commission model, double rate) {
  argo__broker_cfg cfg = {.capital = capital,
                          .commission = model,
                          .rate = rate,
                          .per_share = 0.005,
                          .minimum = 1.0,
                          .id_prefix = "abcd1234",
                          .strategy_name = "test"};
  argo__broker_sink sink = {on_order, on_fill, NULL};
  argo__broker *b = NULL;
  CHECK(argo__broker_new(&b, &cfg, SYMS, 2, &sink) == ARGO_OK);
  ncalls = 0;
  return b;
}

static void candle(argo__broker *b, size_t sym, int64_t t, double o, double h, double l, double c) {
  argo_candle k = {SYMS[sym], t, o, h, l, c, 1};
  argo__broker_on_candle(b, sym, &k);
}

static int place(argo__broker *b, const char *sym, argo_side side, argo_order_type type,
                 argo_position_type pt, double qty, double limit, int64_t now, char *err) {
  argo_order_request r = {sym, side, type, pt, qty, limit};
  char id[ARGO_ID_MAX];
  return argo__broker_place(b, &r, now, id, err, 256);
}

TEST(broker_market_buy_fills_at_close_with_percentage_fee) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_PERCENTAGE, 0.001);
  candle(b, 0, 60, 99, 101, 98, 100);
  char err[256];
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET,
                                ARGO_POSITION_LONG, 2, 0, 60, err));
  /* Sink: the order (PENDING, new) and then its fill. */
  CHECK_EQ_INT(2, ncalls);
  CHECK(calls[0].kind == 'o' && calls[0].is_new && calls[0].o.status == ARGO_ORDER_PENDING);
  CHECK_STR("abcd1234-1", calls[0].o.order_id);
  CHECK(calls[1].kind == 'f' && calls[1].o.status == ARGO_ORDER_FILLED);
  CHECK_NEAR(100, calls[1].f.executed_price, EPS);
  CHECK_NEAR(2, calls[1].f.executed_qty, EPS);
  CHECK_NEAR(0.2, calls[1].f.commission, EPS); /* 0.1 % of 200 */
  CHECK_NEAR(0, calls[1].f.pnl, EPS);
  CHECK_EQ_INT(60, calls[1].f.executed_at);
  argo_account a;
  argo__broker_account(b, &a);
  CHECK_NEAR(10000 - 200 - 0.2, a.balance, EPS);
  CHECK_NEAR(10000 - 0.2, a.equity, EPS);
  argo_position p;
  CHECK_EQ_INT(ARGO_S_OK, argo__broker_position(b, "BTCUSDT", &p));
  CHECK_NEAR(2, p.long_qty, EPS);
  CHECK_NEAR(100, p.long_avg_price, EPS);
  CHECK_NEAR(-0.2, p.unrealized_pnl, EPS); /* marked at 100, net of the entry fee */
  argo__broker_free(b);
}

TEST(broker_limit_buy_waits_until_low_reaches_the_limit) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256];
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT,
                                ARGO_POSITION_LONG, 1, 95, 60, err));
  CHECK_EQ_INT(1, ncalls); /* pending */
  argo_order open[4];
  CHECK_EQ_INT(1, argo__broker_open_orders(b, open, 4));
  argo_account a;
  argo__broker_account(b, &a);
  CHECK_NEAR(10000 - 95, a.buying_power, EPS); /* reserved while pending */
  candle(b, 0, 120, 99, 100, 96, 97);        /* low 96 > 95: still waiting */
  candle(b, 1, 120, 99, 100, 90, 97);        /* another symbol: irrelevant */
  CHECK_EQ_INT(1, ncalls);
  candle(b, 0, 180, 97, 98, 94, 96); /* low 94 <= 95: fills at min(95, open 97) = 95 */
  CHECK_EQ_INT(2, ncalls);
  CHECK(calls[1].kind == 'f');
  CHECK_NEAR(95, calls[1].f.executed_price, EPS);
  CHECK_EQ_INT(180, calls[1].f.executed_at);
  CHECK_EQ_INT(60, calls[1].f.timestamp);
  CHECK_EQ_INT(0, argo__broker_open_orders(b, open, 4));
  argo__broker_account(b, &a);
  CHECK_NEAR(10000 - 95, a.balance, EPS);
  argo__broker_free(b);
}

TEST(broker_limit_buy_gapping_below_fills_at_the_open) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256];
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 95, 60, err);
  candle(b, 0, 120, 90, 92, 89, 91); /* opens below the limit: the open is the better price */
  CHECK_NEAR(90, calls[1].f.executed_price, EPS);
  argo__broker_free(b);
}

TEST(broker_marketable_limit_fills_at_once_at_the_last_close) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256];
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 105, 60, err);
  CHECK_EQ_INT(2, ncalls);
  CHECK_NEAR(100, calls[1].f.executed_price, EPS);
  CHECK_NEAR(105, calls[1].o.price, EPS); /* the order keeps its limit */
  argo__broker_free(b);
}

TEST(broker_limit_sell_fills_when_high_reaches_the_limit) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256];
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 1, 0, 60, err);
  ncalls = 0;
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_LIMIT,
                                ARGO_POSITION_LONG, 1, 110, 60, err));
  candle(b, 0, 120, 101, 109, 100, 108);
  CHECK_EQ_INT(1, ncalls);
  candle(b, 0, 180, 108, 112, 107, 111); /* high 112 >= 110: max(110, open 108) = 110 */
  CHECK_EQ_INT(2, ncalls);
  CHECK_NEAR(110, calls[1].f.executed_price, EPS);
  CHECK_NEAR(10, calls[1].f.pnl, EPS);
  argo__broker_free(b);
}

TEST(broker_cancel_releases_the_reservation) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256], id[ARGO_ID_MAX];
  argo_order_request r = {"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 10, 90};
  CHECK_EQ_INT(ARGO_S_OK, argo__broker_place(b, &r, 60, id, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_OK, argo__broker_cancel(b, id, err, sizeof err));
  CHECK(calls[ncalls - 1].kind == 'o' && !calls[ncalls - 1].is_new);
  CHECK_EQ_INT(ARGO_ORDER_CANCELLED, calls[ncalls - 1].o.status);
  argo_account a;
  argo__broker_account(b, &a);
  CHECK_NEAR(10000, a.buying_power, EPS);
  CHECK_EQ_INT(ARGO_S_NOTFOUND, argo__broker_cancel(b, id, err, sizeof err));
  CHECK_EQ_INT(ARGO_S_NOTFOUND, argo__broker_cancel(b, "nope", err, sizeof err));
  CHECK_CONTAINS(err, "nope");
  /* cancel_all counts what it cancelled */
  argo__broker_place(b, &r, 60, id, err, sizeof err);
  r.symbol = "ETHUSDT";
  candle(b, 1, 60, 100, 101, 99, 100);
  argo__broker_place(b, &r, 60, id, err, sizeof err);
  CHECK_EQ_INT(1, argo__broker_cancel_all(b, "ETHUSDT"));
  CHECK_EQ_INT(1, argo__broker_cancel_all(b, NULL));
  argo__broker_free(b);
}

TEST(broker_short_open_and_close_realizes_pnl_with_both_fees) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_PERCENTAGE, 0.001);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256];
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET,
                                ARGO_POSITION_SHORT, 2, 0, 60, err));
  argo_account a;
  argo__broker_account(b, &a);
  CHECK_NEAR(10000 + 200 - 0.2, a.balance, EPS);
  CHECK_NEAR(10000 + 200 - 0.2 - 400, a.buying_power, EPS); /* proceeds + margin held */
  candle(b, 0, 120, 100, 100, 89, 90);
  ncalls = 0;
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET,
                                ARGO_POSITION_SHORT, 2, 0, 120, err));
  /* (100 - 90) * 2 - entry fee 0.2 - exit fee 0.18 = 19.62 */
  CHECK_NEAR(19.62, calls[1].f.pnl, 1e-9);
  argo__broker_account(b, &a);
  CHECK_NEAR(10000 + 19.62, a.balance, 1e-9);
  CHECK_NEAR(10000 + 19.62, a.equity, 1e-9);
  argo__broker_free(b);
}

TEST(broker_fifo_pnl_over_partial_closes_prorates_fees) {
  argo__broker *b = mk(10000, ARGO_COMMISSION_PERCENTAGE, 0.001);
  char err[256];
  candle(b, 0, 60, 100, 100, 100, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 1, 0, 60, err);
  candle(b, 0, 120, 110, 110, 110, 110);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 2, 0, 120, err);
  candle(b, 0, 180, 120, 120, 120, 120);
  ncalls = 0;
  place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 1.5, 0, 180, err);
  /* Fees: entries 0.1 (1@100) and 0.22 (2@110); exit 0.18 (1.5@120).
   * Piece 1: 1@100 -> (120-100)*1 - 0.1 - 0.18*(1/1.5) = 20 - 0.1 - 0.12 = 19.78
   * Piece 2: 0.5@110 -> (120-110)*0.5 - 0.22*(0.5/2) - 0.18*(0.5/1.5) = 5 - 0.055 - 0.06 = 4.885
   * Total 24.665 */
  CHECK_NEAR(24.665, calls[1].f.pnl, 1e-9);
  argo_position p;
  argo__broker_position(b, "BTCUSDT", &p);
  CHECK_NEAR(1.5, p.long_qty, EPS);
  CHECK_NEAR(110, p.long_avg_price, EPS);
  argo__broker_free(b);
}

static void expect_reject(argo__broker *b, argo_order_request r, const char *want) {
  char err[256] = "";
  int before = ncalls;
  CHECK_EQ_INT(ARGO_S_REJECTED, argo__broker_place(b, &r, 60, NULL, err, sizeof err));
  CHECK_CONTAINS(err, want);
  CHECK_EQ_INT(before + 1, ncalls);
  CHECK(calls[ncalls - 1].is_new);
  CHECK_EQ_INT(ARGO_ORDER_REJECTED, calls[ncalls - 1].o.status);
  CHECK_CONTAINS(calls[ncalls - 1].reason, want);
}

TEST(broker_rejections_are_recorded_with_a_reason) {
  argo__broker *b = mk(1000, ARGO_COMMISSION_ZERO, 0);
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, 1, 0},
                "no price yet");
  candle(b, 0, 60, 100, 101, 99, 100);
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, NAN, 0},
                "quantity must be a positive number, got nan");
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, 0, 0},
                "quantity must be a positive number");
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, 0, 1, -5},
                "limit price must be a positive number");
  expect_reject(b, (argo_order_request){"DOGEUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, 1, 0},
                "unknown symbol 'DOGEUSDT'");
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0, 11, 0},
                "insufficient buying power");
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, 0, 1, 0},
                "insufficient position");
  /* A pending sell holds the position: a second one cannot sell it again. */
  char err[256];
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET,
                                ARGO_POSITION_LONG, 2, 0, 60, err));
  CHECK_EQ_INT(ARGO_S_OK, place(b, "BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_LIMIT,
                                ARGO_POSITION_LONG, 2, 150, 60, err));
  expect_reject(b, (argo_order_request){"BTCUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, 0, 1, 0},
                "insufficient position");
  argo_order_request bad = {NULL, 0, 0, 0, 1, 0};
  CHECK_EQ_INT(ARGO_S_EINVAL, argo__broker_place(b, &bad, 60, NULL, err, sizeof err));
  argo__broker_free(b);
}

TEST(broker_commission_models) {
  argo__broker *b = mk(100000, ARGO_COMMISSION_PER_SHARE, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  char err[256];
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 10, 0, 60, err);
  CHECK_NEAR(1.0, calls[1].f.commission, EPS); /* 10 * 0.005 = 0.05 < minimum 1 */
  ncalls = 0;
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 400, 0, 60, err);
  CHECK_NEAR(2.0, calls[1].f.commission, EPS); /* 400 * 0.005 */
  argo__broker_free(b);
  b = mk(100000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 10, 0, 60, err);
  CHECK_NEAR(0, calls[1].f.commission, 0);
  argo__broker_free(b);
  b = mk(100000, ARGO_COMMISSION_PERCENTAGE, 0.00075);
  candle(b, 0, 60, 100, 101, 99, 100);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, ARGO_POSITION_LONG, 10, 0, 60, err);
  CHECK_NEAR(0.75, calls[1].f.commission, EPS);
  argo__broker_free(b);
}

TEST(broker_open_orders_are_listed_oldest_first) {
  argo__broker *b = mk(100000, ARGO_COMMISSION_ZERO, 0);
  candle(b, 0, 60, 100, 101, 99, 100);
  candle(b, 1, 60, 100, 101, 99, 100);
  char err[256];
  place(b, "ETHUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 90, 60, err);
  place(b, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 80, 60, err);
  place(b, "ETHUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, ARGO_POSITION_LONG, 1, 70, 60, err);
  argo_order o[2];
  CHECK_EQ_INT(3, argo__broker_open_orders(b, o, 2));
  CHECK_STR("abcd1234-1", o[0].order_id);
  CHECK_STR("abcd1234-2", o[1].order_id);
  argo__broker_free(b);
}

int main(void) {
  RUN(broker_market_buy_fills_at_close_with_percentage_fee);
  RUN(broker_limit_buy_waits_until_low_reaches_the_limit);
  RUN(broker_limit_buy_gapping_below_fills_at_the_open);
  RUN(broker_marketable_limit_fills_at_once_at_the_last_close);
  RUN(broker_limit_sell_fills_when_high_reaches_the_limit);
  RUN(broker_cancel_releases_the_reservation);
  RUN(broker_short_open_and_close_realizes_pnl_with_both_fees);
  RUN(broker_fifo_pnl_over_partial_closes_prorates_fees);
  RUN(broker_rejections_are_recorded_with_a_reason);
  RUN(broker_commission_models);
  RUN(broker_open_orders_are_listed_oldest_first);
  return test_summary();
}
