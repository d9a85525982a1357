/*
 * Unit tests of the statistics tracker (stats.c) and of stats.yaml (stats_yaml.c). Every
 * expected figure is worked out by hand in the comment next to it; docs/statistics.md uses the
 * same examples.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "inspect/trips.h"
#include "persist/stats_yaml.h"
#include "test.h"
#include "util/misc.h"
#include "util/strbuf.h"

#define EPS 1e-9
#define T0 (INT64_C(1759309200) * 1000000) /* 2025-10-01T09:00:00Z */
#define SEC INT64_C(1000000)

static argo_fill mk(argo_side side, argo_position_type pt, double qty, double price, double fee,
                    int64_t t) {
  argo_fill f;
  memset(&f, 0, sizeof f);
  strcpy(f.order_id, "o-1");
  f.symbol = "BTCUSDT";
  f.side = side;
  f.position_type = pt;
  f.quantity = qty;
  f.price = price;
  f.timestamp = t;
  f.executed_at = t;
  f.executed_qty = qty;
  f.executed_price = price;
  f.commission = fee;
  f.pnl = 12345; /* never read by the tracker */
  return f;
}

static const char *const sample_names[] = {"BTCUSDT", "ETHUSDT"};

#define BUY ARGO_SIDE_BUY
#define SELL ARGO_SIDE_SELL
#define LONG ARGO_POSITION_LONG
#define SHORT ARGO_POSITION_SHORT

static void fill_ok(argo__stats *st, size_t sym, argo_side side, argo_position_type pt, double qty,
                    double price, double fee, int64_t t) {
  argo_fill f = mk(side, pt, qty, price, fee, t);
  argo_err rc = argo__stats_fill(st, sym, &f);
  CHECK_EQ_INT(ARGO_OK, rc);
}

static argo__stats *tracker(double capital, size_t nsym) {
  argo__stats *st = NULL;
  CHECK_EQ_INT(ARGO_OK, argo__stats_new(&st, capital, nsym));
  CHECK(st != NULL);
  return st;
}

/* Bitwise equality of doubles (NaN equal to NaN), for round trips that must be exact. */
static int same_f64(double a, double b) {
  return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

#define CHECK_SAME_F64(e, a)                                                                       \
  CHECK_MSG(same_f64((e), (a)), "%s: expected %.17g, got %.17g", #a, (double)(e), (double)(a))

/* ---- tracker ----------------------------------------------------------------------------- */

TEST(stats_fifo_partial_close_prorates_fees_on_both_legs) {
  argo__stats *st = tracker(1000, 1);
  argo_stats_block d, c;
  fill_ok(st, 0, BUY, LONG, 1, 100, 0.1, T0);            /* lot A: 1 @ 100, fee 0.1 */
  fill_ok(st, 0, BUY, LONG, 2, 110, 0.2, T0 + 60 * SEC); /* lot B: 2 @ 110, fee 0.2 */
  fill_ok(st, 0, SELL, LONG, 1.5, 120, 0.15, T0 + 3600 * SEC);
  argo__stats_get(st, &d, &c);
  /* Piece 1: all of A.  (120 - 100) * 1 = 20, minus A's fee 0.1 * 1/1 = 0.1, minus the exit
   * fee 0.15 * 1/1.5 = 0.1  ->  19.8.
   * Piece 2: 0.5 of B.  (120 - 110) * 0.5 = 5, minus 0.2 * 0.5/2 = 0.05, minus
   * 0.15 * 0.5/1.5 = 0.05  ->  4.9.
   * Realized 19.8 + 4.9 = 24.7, one winning close. */
  CHECK_NEAR(24.7, d.realized_pnl, EPS);
  CHECK_NEAR(24.7, c.realized_pnl, EPS);
  CHECK_NEAR(24.7, c.maximum_profit, EPS);
  CHECK_NEAR(0, c.maximum_loss, 0);
  CHECK_EQ_INT(3, c.number_of_trades);
  CHECK_EQ_INT(1, c.number_of_winning_trades);
  CHECK_EQ_INT(0, c.number_of_losing_trades);
  CHECK_NEAR(1.0, c.win_rate, 0);
  CHECK_NEAR(0.45, c.total_fees, EPS); /* 0.1 + 0.2 + 0.15 */
  /* Left: 1.5 of B with fee 0.2 - 0.05 = 0.15. No close seen yet, so the lot is marked at its
   * entry price: unrealized = -0.15. */
  CHECK_NEAR(-0.15, c.unrealized_pnl, EPS);
  CHECK_NEAR(24.7 - 0.15, c.total_pnl, EPS);
  /* Holding: piece 1 from T0 to T0+3600 s = 3600 s, piece 2 from T0+60 s = 3540 s.
   * avg = (1 * 3600 + 0.5 * 3540) / 1.5 = 5370 / 1.5 = 3580. */
  CHECK_EQ_INT(2, c.holding_count);
  CHECK_NEAR(3540, c.holding_min, EPS);
  CHECK_NEAR(3600, c.holding_max, EPS);
  CHECK_NEAR(3580, c.holding_avg, EPS);
  /* Mark at 130: (130 - 110) * 1.5 - 0.15 = 29.85; equity 1000 + 24.7 + 29.85 = 1054.55. */
  argo__stats_mark(st, 0, 130);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(29.85, c.unrealized_pnl, EPS);
  CHECK_NEAR(29.85, d.unrealized_pnl, EPS);
  CHECK_NEAR(54.55, c.total_pnl, EPS);
  CHECK_NEAR(1054.55, argo__stats_equity(st), EPS);
  argo__stats_free(st);
}

TEST(stats_short_open_close_pnl) {
  argo__stats *st = tracker(1000, 1);
  argo_stats_block d, c;
  fill_ok(st, 0, SELL, SHORT, 2, 50, 0.2, T0); /* short 2 @ 50, fee 0.2 */
  /* Mark 45: (50 - 45) * 2 - 0.2 = 9.8. */
  argo__stats_mark(st, 0, 45);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(9.8, c.unrealized_pnl, EPS);
  CHECK_NEAR(0, c.realized_pnl, 0);
  /* Cover 2 @ 40, fee 0.1: (50 - 40) * 2 - 0.2 - 0.1 = 19.7. Flat afterwards. */
  fill_ok(st, 0, BUY, SHORT, 2, 40, 0.1, T0 + 120 * SEC);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(19.7, c.realized_pnl, EPS);
  CHECK_NEAR(0, c.unrealized_pnl, 0);
  CHECK_EQ_INT(1, c.number_of_winning_trades);
  CHECK_NEAR(120, c.holding_avg, EPS);
  CHECK_NEAR(1019.7, argo__stats_equity(st), EPS);
  /* Long and short books of one symbol are separate: long 1 @ 100 and short 1 @ 100, fees 0.
   * Mark 110: long +10, short -10, together 0. Selling the long closes it, not the short. */
  fill_ok(st, 0, BUY, LONG, 1, 100, 0, T0 + 180 * SEC);
  fill_ok(st, 0, SELL, SHORT, 1, 100, 0, T0 + 180 * SEC);
  argo__stats_mark(st, 0, 110);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(0, c.unrealized_pnl, EPS);
  fill_ok(st, 0, SELL, LONG, 1, 110, 0, T0 + 240 * SEC); /* +10 realized, short left: -10 */
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(29.7, c.realized_pnl, EPS);
  CHECK_NEAR(-10, c.unrealized_pnl, EPS);
  argo__stats_free(st);
}

TEST(stats_win_rate_ignores_break_even_closes) {
  argo__stats *st = tracker(1000, 1);
  argo_stats_block d, c;
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(0, c.win_rate, 0); /* no close yet: 0, not 0/0 */
  CHECK_NEAR(0, c.maximum_profit, 0);
  CHECK_NEAR(0, c.maximum_loss, 0);
  CHECK_EQ_INT(0, c.holding_count);
  CHECK_NEAR(0, c.holding_avg, 0);
  /* Four round trips, no fees: +5, -3, 0 (break-even), +2. */
  fill_ok(st, 0, BUY, LONG, 1, 100, 0, T0);
  fill_ok(st, 0, SELL, LONG, 1, 105, 0, T0); /* +5 */
  fill_ok(st, 0, BUY, LONG, 1, 100, 0, T0);
  fill_ok(st, 0, SELL, LONG, 1, 97, 0, T0); /* -3 */
  fill_ok(st, 0, BUY, LONG, 1, 100, 0, T0);
  fill_ok(st, 0, SELL, LONG, 1, 100, 0, T0); /* 0: neither winner nor loser */
  fill_ok(st, 0, BUY, LONG, 2, 100, 0, T0);
  fill_ok(st, 0, SELL, LONG, 2, 101, 0, T0); /* +2 */
  argo__stats_get(st, &d, &c);
  CHECK_EQ_INT(8, c.number_of_trades);
  CHECK_EQ_INT(2, c.number_of_winning_trades);
  CHECK_EQ_INT(1, c.number_of_losing_trades);
  CHECK_NEAR(2.0 / 3.0, c.win_rate, EPS); /* 2 / (2 + 1) */
  CHECK_NEAR(5, c.maximum_profit, EPS);
  CHECK_NEAR(-3, c.maximum_loss, EPS);
  CHECK_NEAR(4, c.realized_pnl, EPS); /* 5 - 3 + 0 + 2 */
  /* A session of losses only: maximum_profit stays 0. */
  argo__stats *st2 = tracker(1000, 1);
  fill_ok(st2, 0, SELL, SHORT, 1, 100, 0.5, T0);
  fill_ok(st2, 0, BUY, SHORT, 1, 100, 0.5, T0); /* 0 - 0.5 - 0.5 = -1 */
  argo__stats_get(st2, &d, &c);
  CHECK_NEAR(0, c.maximum_profit, 0);
  CHECK_NEAR(-1, c.maximum_loss, EPS);
  CHECK_NEAR(0, c.win_rate, 0);
  argo__stats_free(st2);
  argo__stats_free(st);
}

TEST(stats_max_drawdown_is_fraction_of_peak_equity) {
  argo__stats *st = tracker(1000, 1);
  argo_stats_block d, c;
  fill_ok(st, 0, BUY, LONG, 10, 100, 0, T0); /* equity = 1000 + 10 * (close - 100) */
  argo__stats_mark(st, 0, 100);              /* 1000 */
  argo__stats_mark(st, 0, 110);              /* 1100, peak */
  argo__stats_mark(st, 0, 99);               /* 990: (1100 - 990) / 1100 = 0.1 */
  argo__stats_mark(st, 0, 120);              /* 1200, peak */
  argo__stats_mark(st, 0, 114);              /* 1140: 60 / 1200 = 0.05 */
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(0.1, c.max_drawdown, EPS);
  CHECK_NEAR(0.1, d.max_drawdown, EPS);
  CHECK_NEAR(1140, argo__stats_equity(st), EPS);
  /* New day at equity 1140: the daily peak starts there, before any mark of the day. */
  argo__stats_new_day(st);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(0, d.max_drawdown, 0);
  argo__stats_mark(st, 0, 108.3); /* 1083: daily 57 / 1140 = 0.05; session 117 / 1200 = 0.0975 */
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(0.05, d.max_drawdown, EPS);
  CHECK_NEAR(0.1, c.max_drawdown, EPS);
  argo__stats_mark(st, 0, 117); /* 1170, daily peak */
  argo__stats_mark(st, 0, 105); /* 1050: daily 120 / 1170, session 150 / 1200 = 0.125 */
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(120.0 / 1170.0, d.max_drawdown, EPS);
  CHECK_NEAR(0.125, c.max_drawdown, EPS);
  /* A fill alone does not move the drawdown: only marks sample the equity curve. */
  fill_ok(st, 0, SELL, LONG, 10, 50, 0, T0 + SEC); /* equity 1000 - 500 = 500 */
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(0.125, c.max_drawdown, EPS);
  argo__stats_mark(st, 0, 50); /* 500: (1200 - 500) / 1200 */
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(700.0 / 1200.0, c.max_drawdown, EPS);
  argo__stats_free(st);
}

TEST(stats_holding_time_min_max_and_quantity_weighted_avg) {
  argo__stats *st = tracker(1000, 1);
  argo_stats_block d, c;
  fill_ok(st, 0, BUY, LONG, 1, 100, 0, T0);               /* lot A: 1 at 0 s */
  fill_ok(st, 0, BUY, LONG, 3, 100, 0, T0 + 100 * SEC);   /* lot B: 3 at 100 s */
  fill_ok(st, 0, SELL, LONG, 2, 100, 0, T0 + 400 * SEC);  /* A 1 held 400 s, B 1 held 300 s */
  fill_ok(st, 0, SELL, LONG, 2, 100, 0, T0 + 1000 * SEC); /* B 2 held 900 s */
  argo__stats_get(st, &d, &c);
  /* min 300, max 900, avg (1 * 400 + 1 * 300 + 2 * 900) / 4 = 2500 / 4 = 625. */
  CHECK_EQ_INT(3, c.holding_count);
  CHECK_NEAR(300, c.holding_min, EPS);
  CHECK_NEAR(900, c.holding_max, EPS);
  CHECK_NEAR(625, c.holding_avg, EPS);
  CHECK_EQ_INT(3, d.holding_count);
  /* Fractions of a second are kept. */
  fill_ok(st, 0, BUY, LONG, 1, 100, 0, T0 + 2000 * SEC);
  fill_ok(st, 0, SELL, LONG, 1, 100, 0, T0 + 2000 * SEC + 250000);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(0.25, c.holding_min, EPS);
  argo__stats_free(st);
}

TEST(stats_unrealized_follows_marks_and_fills) {
  argo__stats *st = tracker(1000, 2);
  argo_stats_block d, c;
  argo__stats_mark(st, 0, 100); /* price known before any position */
  /* New lot 2 @ 98, fee 0.2, marked at the last close 100: 2 * 2 - 0.2 = 3.8. */
  fill_ok(st, 0, BUY, LONG, 2, 98, 0.2, T0);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(3.8, c.unrealized_pnl, EPS);
  argo__stats_mark(st, 0, 95); /* (95 - 98) * 2 - 0.2 = -6.2 */
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(-6.2, c.unrealized_pnl, EPS);
  /* Symbol 1, no close yet: lot 1 @ 10, fee 0.01 is marked at 10, leaving -0.01. Total
   * -6.2 - 0.01 = -6.21. */
  fill_ok(st, 1, BUY, LONG, 1, 10, 0.01, T0);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(-6.21, c.unrealized_pnl, EPS);
  argo__stats_mark(st, 1, 12); /* (12 - 10) - 0.01 = 1.99; total -6.2 + 1.99 = -4.21 */
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(-4.21, c.unrealized_pnl, EPS);
  CHECK_NEAR(1000 - 0.2 - 0.01 + (95 - 98) * 2 + 2, argo__stats_equity(st), EPS);
  /* Closing half of symbol 0 at 96 (fee 0): (96 - 98) * 1 - 0.1 = -2.1 realized; left 1 @ 98
   * fee 0.1 still marked at 95: -3 - 0.1 = -3.1; total -3.1 + 1.99 = -1.11. */
  fill_ok(st, 0, SELL, LONG, 1, 96, 0, T0 + SEC);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(-2.1, c.realized_pnl, EPS);
  CHECK_NEAR(-1.11, c.unrealized_pnl, EPS);
  /* Flat everywhere: exactly 0, whatever rounding the running total gathered. */
  fill_ok(st, 0, SELL, LONG, 1, 96, 0, T0 + SEC);
  fill_ok(st, 1, SELL, LONG, 1, 12, 0, T0 + SEC);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(0, c.unrealized_pnl, 0);
  argo__stats_free(st);
}

/* A fill closing more than is open (a live broker selling holdings the session did not buy,
 * or a journal whose opening fill was lost to damage) takes the excess over at the fill's
 * price first: that part realizes only its share of the exit fee. Invalid fills change
 * nothing. */
TEST(stats_closing_more_than_open_takes_the_excess_over_at_the_fill_price) {
  argo__stats *st = tracker(1000, 1);
  argo_stats_block d0, c0, d1, c1;
  fill_ok(st, 0, BUY, LONG, 1, 100, 0.1, T0);
  argo__stats_mark(st, 0, 101);
  argo__stats_get(st, &d0, &c0);
  double eq0 = argo__stats_equity(st);
  argo_fill f = mk(BUY, LONG, 1, 100, 0, T0);
  CHECK_EQ_INT(ARGO_EINVAL, argo__stats_fill(st, 1, &f)); /* no symbol 1 */
  f = mk(BUY, LONG, 0, 100, 0, T0);
  CHECK_EQ_INT(ARGO_EINVAL, argo__stats_fill(st, 0, &f)); /* zero quantity */
  argo__stats_get(st, &d1, &c1);
  CHECK(memcmp(&d0, &d1, sizeof d0) == 0);
  CHECK(memcmp(&c0, &c1, sizeof c0) == 0);
  CHECK_SAME_F64(eq0, argo__stats_equity(st));
  CHECK_EQ_INT(1, c1.number_of_trades);
  /* 1 open at 100 (fee 0.1), 1.5 sold at 120 (fee 0.15): the open lot realizes
   * 20 - 0.1 - 0.1, the 0.5 taken over realizes -0.05. */
  fill_ok(st, 0, SELL, LONG, 1.5, 120, 0.15, T0 + SEC);
  argo__stats_get(st, &d1, &c1);
  CHECK_NEAR(19.75, c1.realized_pnl, EPS);
  CHECK_EQ_INT(2, c1.number_of_trades);
  /* A short closed without one open: taken over, realizes minus its fee. */
  fill_ok(st, 0, BUY, SHORT, 0.5, 120, 0.05, T0 + 2 * SEC);
  argo__stats_get(st, &d1, &c1);
  CHECK_NEAR(19.70, c1.realized_pnl, EPS);
  argo__stats_free(st);
}

TEST(stats_daily_blocks_sum_to_cumulative_over_three_days) {
  argo__stats *st = tracker(1000, 1);
  argo_stats_block d[3], c;
  /* Day 1: buy 2 @ 100 fee 0.2, close 105. Unrealized 2 * 5 - 0.2 = 9.8. */
  fill_ok(st, 0, BUY, LONG, 2, 100, 0.2, T0);
  argo__stats_mark(st, 0, 105);
  argo__stats_get(st, &d[0], NULL);
  CHECK_EQ_INT(1, d[0].number_of_trades);
  CHECK_NEAR(0.2, d[0].total_fees, EPS);
  CHECK_NEAR(0, d[0].realized_pnl, 0);
  CHECK_NEAR(9.8, d[0].unrealized_pnl, EPS);
  CHECK_NEAR(9.8, d[0].total_pnl, EPS);
  CHECK_EQ_INT(0, d[0].holding_count);
  /* Day 2 (unrealized at the start 9.8): sell 1 @ 110 fee 0.1: 10 - 0.1 - 0.1 = 9.8 realized.
   * Close 108: the lot left (1 @ 100, fee 0.1) is worth 8 - 0.1 = 7.9, so the day's unrealized
   * is 7.9 - 9.8 = -1.9 and its total 9.8 - 1.9 = 7.9. */
  argo__stats_new_day(st);
  fill_ok(st, 0, SELL, LONG, 1, 110, 0.1, T0 + 86400 * SEC);
  argo__stats_mark(st, 0, 108);
  argo__stats_get(st, &d[1], NULL);
  CHECK_EQ_INT(1, d[1].number_of_trades);
  CHECK_EQ_INT(1, d[1].number_of_winning_trades);
  CHECK_NEAR(9.8, d[1].realized_pnl, EPS);
  CHECK_NEAR(-1.9, d[1].unrealized_pnl, EPS);
  CHECK_NEAR(7.9, d[1].total_pnl, EPS);
  CHECK_NEAR(0.1, d[1].total_fees, EPS);
  CHECK_EQ_INT(1, d[1].holding_count);
  CHECK_NEAR(86400, d[1].holding_avg, EPS);
  /* Day 3 (start 7.9): sell 1 @ 90 fee 0.1: -10 - 0.1 - 0.1 = -10.2. Buy 1 @ 95 fee 0.1 (marked
   * at the last close 108 until the next mark). Close 97: 2 - 0.1 = 1.9; day's unrealized
   * 1.9 - 7.9 = -6, total -10.2 - 6 = -16.2. */
  argo__stats_new_day(st);
  fill_ok(st, 0, SELL, LONG, 1, 90, 0.1, T0 + 2 * 86400 * SEC);
  fill_ok(st, 0, BUY, LONG, 1, 95, 0.1, T0 + 2 * 86400 * SEC);
  argo__stats_get(st, &d[2], &c);
  CHECK_NEAR(12.9 - 7.9, d[2].unrealized_pnl, EPS); /* (108 - 95) - 0.1 = 12.9 */
  argo__stats_mark(st, 0, 97);
  argo__stats_get(st, &d[2], &c);
  CHECK_EQ_INT(2, d[2].number_of_trades);
  CHECK_EQ_INT(0, d[2].number_of_winning_trades);
  CHECK_EQ_INT(1, d[2].number_of_losing_trades);
  CHECK_NEAR(-10.2, d[2].realized_pnl, EPS);
  CHECK_NEAR(-6, d[2].unrealized_pnl, EPS);
  CHECK_NEAR(-16.2, d[2].total_pnl, EPS);
  CHECK_NEAR(0, d[2].maximum_profit, 0); /* the day's own maxima */
  CHECK_NEAR(-10.2, d[2].maximum_loss, EPS);
  CHECK_NEAR(0, d[2].win_rate, 0); /* 0 / (0 + 1) */
  /* Session: 4 fills, realized 9.8 - 10.2 = -0.4, unrealized 1.9, total 1.5, fees 0.5. */
  CHECK_EQ_INT(4, c.number_of_trades);
  CHECK_NEAR(-0.4, c.realized_pnl, EPS);
  CHECK_NEAR(1.9, c.unrealized_pnl, EPS);
  CHECK_NEAR(1.5, c.total_pnl, EPS);
  CHECK_NEAR(0.5, c.total_fees, EPS);
  CHECK_NEAR(9.8, c.maximum_profit, EPS);
  CHECK_NEAR(0.5, c.win_rate, EPS);
  CHECK_NEAR(1001.5, argo__stats_equity(st), EPS);
  /* The days add up to the session. */
  int64_t n = 0, w = 0, l = 0;
  double r = 0, u = 0, t = 0, fees = 0;
  for (int i = 0; i < 3; i++) {
    n += d[i].number_of_trades;
    w += d[i].number_of_winning_trades;
    l += d[i].number_of_losing_trades;
    r += d[i].realized_pnl;
    u += d[i].unrealized_pnl;
    t += d[i].total_pnl;
    fees += d[i].total_fees;
  }
  CHECK_EQ_INT(c.number_of_trades, n);
  CHECK_EQ_INT(c.number_of_winning_trades, w);
  CHECK_EQ_INT(c.number_of_losing_trades, l);
  CHECK_NEAR(c.realized_pnl, r, EPS);
  CHECK_NEAR(c.unrealized_pnl, u, EPS);
  CHECK_NEAR(c.total_pnl, t, EPS);
  CHECK_NEAR(c.total_fees, fees, EPS);
  argo__stats_free(st);
}

TEST(stats_profit_factor_and_expectancy_count_every_closing_fill) {
  argo__stats *st = tracker(1000, 1);
  argo_stats_block d, c;
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(0, c.profit_factor, 0); /* nothing closed: 0, not 0/0 */
  CHECK_NEAR(0, c.expectancy, 0);
  /* The four round trips of the win rate example, no fees: +5, -3, 0, +2. */
  static const double exit_px[4] = {105, 97, 100, 101};
  for (int i = 0; i < 4; i++) {
    double q = i == 3 ? 2 : 1;
    fill_ok(st, 0, BUY, LONG, q, 100, 0, T0);
    fill_ok(st, 0, SELL, LONG, q, exit_px[i], 0, T0);
  }
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(7, c.gross_profit, EPS); /* 5 + 2 */
  CHECK_NEAR(-3, c.gross_loss, EPS);
  CHECK_NEAR(7.0 / 3.0, c.profit_factor, EPS); /* 7 / 3 */
  CHECK_NEAR(1, c.expectancy, EPS);            /* (5 - 3 + 0 + 2) / 4 closing fills */
  CHECK_NEAR(7.0 / 3.0, d.profit_factor, EPS);
  /* Wins only: no loss to divide by, profit factor 0. */
  argo__stats *st2 = tracker(1000, 1);
  fill_ok(st2, 0, BUY, LONG, 1, 100, 0, T0);
  fill_ok(st2, 0, SELL, LONG, 1, 110, 0, T0);
  argo__stats_get(st2, &d, &c);
  CHECK_NEAR(10, c.gross_profit, EPS);
  CHECK_NEAR(0, c.profit_factor, 0);
  CHECK_NEAR(10, c.expectancy, EPS);
  argo__stats_free(st2);
  argo__stats_free(st);
}

TEST(stats_daily_returns_give_sharpe_sortino_calmar_best_and_worst_day) {
  argo__stats *st = tracker(1000, 1);
  argo_stats_block d, c;
  /* Capital 1000, 10 units bought at 100 without fee: equity = 1000 + 10 * (close - 100). */
  fill_ok(st, 0, BUY, LONG, 10, 100, 0, T0);
  argo__stats_mark(st, 0, 110); /* day 1 ends at 1100: +10 % */
  argo__stats_get(st, &d, &c);
  CHECK_EQ_INT(1, c.days);
  CHECK_NEAR(0.1, c.total_return, EPS);
  CHECK_NEAR(0.1, c.best_day, EPS);
  CHECK_NEAR(0.1, c.worst_day, EPS);
  CHECK_NEAR(0, c.sharpe_ratio, 0); /* one day: not defined, 0 */
  CHECK_NEAR(0, c.sortino_ratio, 0);
  CHECK_NEAR(0, c.calmar_ratio, 0); /* no drawdown yet */
  CHECK_NEAR(1, c.exposure, 0);
  argo__stats_new_day(st);
  argo__stats_mark(st, 0, 99); /* day 2 ends at 990: 990 / 1100 - 1 = -10 % */
  argo__stats_get(st, &d, &c);
  CHECK_EQ_INT(1, d.days);
  CHECK_NEAR(-0.1, d.total_return, EPS);
  CHECK_NEAR(-0.1, d.best_day, EPS);
  CHECK_NEAR(0.1, d.max_drawdown, EPS);
  /* The day's calmar: -0.1 * 365 / 1 day / 0.1 = -365. */
  CHECK_NEAR(-365, d.calmar_ratio, 1e-6);
  argo__stats_new_day(st);
  argo__stats_mark(st, 0, 108.9); /* day 3 ends at 1089: 1089 / 990 - 1 = +10 % */
  argo__stats_get(st, &d, &c);
  /* Returns +0.1, -0.1, +0.1: mean 0.1 / 3; sample deviation sqrt(((0.2/3)^2 * 2 +
   * (0.4/3)^2) / 2) = sqrt(0.0133...) = 0.11547; downside sqrt(0.1^2 / 3) = 0.057735.
   * Sharpe 0.033333 / 0.11547 * sqrt(365) = 5.5151, Sortino 0.033333 / 0.057735 * sqrt(365)
   * = 11.0303. The session's return 1089 / 1000 - 1 = 0.089, its drawdown (1100 - 990) / 1100
   * = 0.1: Calmar 0.089 * 365 / 3 / 0.1 = 108.283. */
  double mean = 0.1 / 3, sd = sqrt((2 * pow(0.2 / 3, 2) + pow(0.4 / 3, 2)) / 2),
         down = sqrt(0.01 / 3);
  CHECK_EQ_INT(3, c.days);
  CHECK_NEAR(mean / sd * sqrt(365), c.sharpe_ratio, 1e-9);
  CHECK_NEAR(5.5151, c.sharpe_ratio, 1e-4);
  CHECK_NEAR(mean / down * sqrt(365), c.sortino_ratio, 1e-9);
  CHECK_NEAR(11.0303, c.sortino_ratio, 1e-4);
  CHECK_NEAR(0.089, c.total_return, EPS);
  CHECK_NEAR(0.089 * 365 / 3 / 0.1, c.calmar_ratio, 1e-6);
  CHECK_NEAR(0.1, c.best_day, EPS);
  CHECK_NEAR(-0.1, c.worst_day, EPS);
  CHECK_EQ_INT(1, d.days);
  CHECK_NEAR(0.1, d.total_return, EPS);
  CHECK_NEAR(0, d.sharpe_ratio, 0);
  argo__stats_free(st);
}

TEST(stats_exposure_and_buy_and_hold_per_scope_and_symbol) {
  argo__stats *st = tracker(1000, 2);
  argo_stats_block d, c;
  /* Symbol 0: four closes flat, four with a position, two flat again. */
  argo__stats_mark(st, 0, 100);
  argo__stats_mark(st, 1, 50);
  for (int i = 0; i < 3; i++) {
    argo__stats_mark(st, 0, 100);
  }
  fill_ok(st, 0, BUY, LONG, 1, 100, 0, T0);
  for (int i = 0; i < 4; i++) {
    argo__stats_mark(st, 0, 110);
  }
  fill_ok(st, 0, SELL, LONG, 1, 110, 0, T0 + 60 * SEC);
  argo__stats_mark(st, 0, 115);
  argo__stats_mark(st, 0, 120);
  argo__stats_mark(st, 1, 45);
  argo__stats_get(st, &d, &c);
  /* 12 closes in all, 4 of them with a position open. */
  CHECK_NEAR(4.0 / 12.0, c.exposure, EPS);
  /* Buy and hold: symbol 0 from 100 to 120 (+20 %), symbol 1 from 50 to 45 (-10 %), held
   * alike: +5 %. */
  CHECK_NEAR(0.05, c.buy_and_hold_return, EPS);
  const argo_symbol_stats *y = argo__stats_symbols(st, sample_names);
  CHECK_STR("BTCUSDT", y[0].symbol);
  CHECK_NEAR(0.4, y[0].cumulative.exposure, EPS); /* 4 of its 10 closes */
  CHECK_NEAR(0, y[1].cumulative.exposure, 0);
  CHECK_NEAR(0.2, y[0].cumulative.buy_and_hold_return, EPS);
  CHECK_NEAR(-0.1, y[1].cumulative.buy_and_hold_return, EPS);
  /* A new day starts from the closes it began with: symbol 0 120 -> 126 (+5 %), symbol 1
   * without a close yet (0 %): +2.5 %. */
  argo__stats_new_day(st);
  argo__stats_mark(st, 0, 126);
  argo__stats_get(st, &d, &c);
  CHECK_NEAR(0.025, d.buy_and_hold_return, EPS);
  CHECK_NEAR((0.26 - 0.1) / 2, c.buy_and_hold_return, EPS);
  CHECK_NEAR(0, d.exposure, 0);
  y = argo__stats_symbols(st, NULL);
  CHECK(y[0].symbol == NULL);
  CHECK_NEAR(0.05, y[0].daily.buy_and_hold_return, EPS);
  CHECK_NEAR(0, y[1].daily.buy_and_hold_return, 0);
  argo__stats_free(st);
}

TEST(stats_by_symbol_adds_up_to_the_blocks) {
  argo__stats *st = tracker(1000, 2);
  argo_stats_block d, c;
  /* BTCUSDT: buy 1 @ 100 (fee 0.1), buy 1 @ 110 (fee 0.1), sell 2 @ 120 (fee 0.2): two round
   * trips, pnl (20 - 0.1 - 0.1) + (10 - 0.1 - 0.1) = 29.6, one winning fill.
   * ETHUSDT: short 2 @ 50 (fee 0.1), cover 1 @ 55 (fee 0.05): -5 - 0.05 - 0.05 = -5.1, one
   * losing fill; 1 left open, marked at 52: (50 - 52) - 0.05 = -2.05. */
  fill_ok(st, 0, BUY, LONG, 1, 100, 0.1, T0);
  fill_ok(st, 0, BUY, LONG, 1, 110, 0.1, T0 + 60 * SEC);
  fill_ok(st, 1, SELL, SHORT, 2, 50, 0.1, T0 + 60 * SEC);
  fill_ok(st, 0, SELL, LONG, 2, 120, 0.2, T0 + 120 * SEC);
  argo__stats_new_day(st);
  fill_ok(st, 1, BUY, SHORT, 1, 55, 0.05, T0 + 86400 * SEC);
  argo__stats_mark(st, 1, 52);
  argo__stats_get(st, &d, &c);
  const argo_symbol_stats *y = argo__stats_symbols(st, sample_names);
  const argo_symbol_block *b = &y[0].cumulative, *e = &y[1].cumulative;
  CHECK_EQ_INT(3, b->fills);
  CHECK_EQ_INT(2, b->round_trips);
  CHECK_EQ_INT(1, b->winning);
  CHECK_EQ_INT(0, b->losing);
  CHECK_NEAR(1, b->win_rate, 0);
  CHECK_NEAR(29.6, b->realized_pnl, EPS);
  CHECK_NEAR(0.4, b->fees, EPS);
  CHECK_NEAR(0, b->unrealized_pnl, 0);
  CHECK_EQ_INT(2, e->fills);
  CHECK_EQ_INT(1, e->round_trips);
  CHECK_EQ_INT(1, e->losing);
  CHECK_NEAR(0, e->win_rate, 0);
  CHECK_NEAR(-5.1, e->realized_pnl, EPS);
  CHECK_NEAR(-2.05, e->unrealized_pnl, EPS);
  CHECK_NEAR(-7.15, e->total_pnl, EPS);
  /* The day: only ETHUSDT's cover and mark. Its unrealized pnl on the day is the change: the
   * lot left was worth its unrealized fee, -0.1, when the day began (no close yet), -2.05 now. */
  CHECK_EQ_INT(0, y[0].daily.fills);
  CHECK_EQ_INT(1, y[1].daily.fills);
  CHECK_NEAR(-2.05 + 0.1, y[1].daily.unrealized_pnl, EPS);
  /* The symbols add up to the blocks. */
  for (int k = 0; k < 2; k++) {
    const argo_stats_block *blk = k ? &c : &d;
    const argo_symbol_block *s0 = k ? &y[0].cumulative : &y[0].daily;
    const argo_symbol_block *s1 = k ? &y[1].cumulative : &y[1].daily;
    CHECK_EQ_INT(blk->number_of_trades, s0->fills + s1->fills);
    CHECK_EQ_INT(blk->holding_count, s0->round_trips + s1->round_trips);
    CHECK_EQ_INT(blk->number_of_winning_trades, s0->winning + s1->winning);
    CHECK_EQ_INT(blk->number_of_losing_trades, s0->losing + s1->losing);
    CHECK_NEAR(blk->realized_pnl, s0->realized_pnl + s1->realized_pnl, EPS);
    CHECK_NEAR(blk->unrealized_pnl, s0->unrealized_pnl + s1->unrealized_pnl, EPS);
    CHECK_NEAR(blk->total_fees, s0->fees + s1->fees, EPS);
  }
  argo__stats_free(st);
}

typedef struct trip_list {
  argo__trip t[16];
  int n;
} trip_list;

static void keep_trip(void *user, const argo__trip *t) {
  trip_list *l = user;
  CHECK(l->n < 16);
  l->t[l->n++] = *t;
}

static void trip_fill(argo__trips *tr, trip_list *l, const char *session, argo_side side,
                      argo_position_type pt, double qty, double price, double fee, double pnl,
                      int64_t t) {
  argo__trip_fill f = {session, "BTCUSDT", side, pt, qty, price, fee, pnl, t};
  CHECK_EQ_INT(ARGO_OK, argo__trips_add(tr, &f, keep_trip, l));
}

/* Round trips (inspect/trips.h) are the pieces of the statistics' FIFO: the partial close over
 * two lots of the first example gives two, with their prices, fees and pnl. */
TEST(round_trips_are_the_pieces_the_statistics_count) {
  argo__trips *tr = NULL;
  trip_list l = {.n = 0};
  CHECK_EQ_INT(ARGO_OK, argo__trips_new(&tr));
  trip_fill(tr, &l, "s1", BUY, LONG, 1, 100, 0.1, 0, T0);
  trip_fill(tr, &l, "s1", BUY, LONG, 2, 110, 0.2, 0, T0 + 60 * SEC);
  trip_fill(tr, &l, "s1", SELL, LONG, 1.5, 120, 0.15, 24.7, T0 + 3600 * SEC);
  CHECK_EQ_INT(2, l.n);
  /* 1 @ 100 -> 120: 20 - 0.1 - 0.1 = 19.8, fees 0.2, held 3600 s. */
  CHECK(l.t[0].has_entry && !l.t[0].is_short);
  CHECK_NEAR(1, l.t[0].qty, EPS);
  CHECK_NEAR(100, l.t[0].entry_price, 0);
  CHECK_NEAR(120, l.t[0].exit_price, 0);
  CHECK_NEAR(0.2, l.t[0].fees, EPS);
  CHECK_NEAR(19.8, l.t[0].pnl, EPS);
  CHECK_EQ_INT(T0, l.t[0].entry_time);
  CHECK_EQ_INT(T0 + 3600 * SEC, l.t[0].exit_time);
  /* 0.5 @ 110 -> 120: 5 - 0.05 - 0.05 = 4.9, fees 0.1, held 3540 s. */
  CHECK_NEAR(0.5, l.t[1].qty, EPS);
  CHECK_NEAR(110, l.t[1].entry_price, 0);
  CHECK_NEAR(0.1, l.t[1].fees, EPS);
  CHECK_NEAR(4.9, l.t[1].pnl, EPS);
  CHECK_EQ_INT(T0 + 60 * SEC, l.t[1].entry_time);
  /* Another session's fills have books of their own: its close of 1 finds nothing open there.
   * The part without an entry has the fill's pnl (less that of matched pieces: none). */
  l.n = 0;
  trip_fill(tr, &l, "s2", SELL, LONG, 1, 130, 0.1, 7.5, T0 + 7200 * SEC);
  CHECK_EQ_INT(1, l.n);
  CHECK(!l.t[0].has_entry);
  CHECK_NEAR(1, l.t[0].qty, EPS);
  CHECK_NEAR(7.5, l.t[0].pnl, EPS);
  CHECK_NEAR(0.1, l.t[0].fees, EPS);
  /* s1 still holds 1.5 @ 110 (fee 0.15 left); a close of 2 pairs 1.5 and leaves 0.5 without an
   * entry: (125 - 110) * 1.5 - 0.15 - 0.2 * 1.5 / 2 = 22.2; the recorded pnl 30 leaves 7.8. */
  l.n = 0;
  trip_fill(tr, &l, "s1", SELL, LONG, 2, 125, 0.2, 30, T0 + 7200 * SEC);
  CHECK_EQ_INT(2, l.n);
  CHECK(l.t[0].has_entry && !l.t[1].has_entry);
  CHECK_NEAR(1.5, l.t[0].qty, EPS);
  CHECK_NEAR(22.2, l.t[0].pnl, EPS);
  CHECK_NEAR(0.5, l.t[1].qty, EPS);
  CHECK_NEAR(30 - 22.2, l.t[1].pnl, EPS);
  CHECK_NEAR(0.05, l.t[1].fees, EPS);
  /* Short: sell 2 @ 50 (fee 0.2), cover 2 @ 40 (fee 0.1): 20 - 0.2 - 0.1 = 19.7. */
  l.n = 0;
  trip_fill(tr, &l, "s1", SELL, SHORT, 2, 50, 0.2, 0, T0);
  trip_fill(tr, &l, "s1", BUY, SHORT, 2, 40, 0.1, 19.7, T0 + 120 * SEC);
  CHECK_EQ_INT(1, l.n);
  CHECK(l.t[0].is_short);
  CHECK_NEAR(19.7, l.t[0].pnl, EPS);
  argo__trips_free(tr);
}

/* One step of a reproducible random session on two symbols: a mark, an opening fill or a
 * closing fill of part of what is open (tracked here, so every close is valid). */
typedef struct script {
  argo__rng rng;
  double open[2][2];
  int64_t t;
} script;

static void step(script *s, argo__stats *st) {
  size_t sym = argo__rng_next(&s->rng) % 2;
  int side = (int)(argo__rng_next(&s->rng) % 2);
  double price = 50 + 100 * argo__rng_uniform(&s->rng);
  unsigned what = (unsigned)(argo__rng_next(&s->rng) % 3);
  s->t += 60 * SEC;
  if (what == 0) {
    argo__stats_mark(st, sym, price);
    return;
  }
  argo_position_type pt = side ? SHORT : LONG;
  double qty = 0.1 + argo__rng_uniform(&s->rng);
  double fee = qty * price * 0.001;
  argo_side open_side = side ? SELL : BUY, close_side = side ? BUY : SELL;
  if (what == 1 || s->open[sym][side] < 1e-6) {
    fill_ok(st, sym, open_side, pt, qty, price, fee, s->t);
    s->open[sym][side] += qty;
  } else {
    double q = s->open[sym][side] * (argo__rng_next(&s->rng) % 2 ? 1.0 : 0.5);
    fill_ok(st, sym, close_side, pt, q, price, fee, s->t);
    s->open[sym][side] -= q;
    if (s->open[sym][side] < 1e-9) {
      s->open[sym][side] = 0;
    }
  }
}

static void check_same_tracker(argo__stats *a, argo__stats *b) {
  argo_stats_block da, ca, db, cb;
  argo__stats_get(a, &da, &ca);
  argo__stats_get(b, &db, &cb);
  CHECK_SAME_F64(da.realized_pnl, db.realized_pnl);
  CHECK_SAME_F64(ca.unrealized_pnl, cb.unrealized_pnl);
  CHECK_SAME_F64(ca.max_drawdown, cb.max_drawdown);
  CHECK(memcmp(&da, &db, sizeof da) == 0);
  CHECK(memcmp(&ca, &cb, sizeof ca) == 0);
  CHECK_SAME_F64(argo__stats_equity(a), argo__stats_equity(b));
  const argo_symbol_stats *ya = argo__stats_symbols(a, NULL), *yb = argo__stats_symbols(b, NULL);
  CHECK(memcmp(ya, yb, 2 * sizeof *ya) == 0);
}

/* Runs a random session for `before` steps, saves it, loads it into another tracker, then
 * feeds both the same 200 further steps (across a day change) and compares them bit for bit
 * after every step. */
static void save_load_at(int before) {
  argo__stats *a = tracker(10000, 2), *b = tracker(1, 2), *other = tracker(10000, 3);
  script sa, sb;
  memset(&sa, 0, sizeof sa);
  argo__rng_seed(&sa.rng, 42);
  sa.t = T0;
  for (int i = 0; i < before; i++) {
    if (i == 150) {
      argo__stats_new_day(a);
    }
    step(&sa, a);
  }
  void *buf = NULL;
  size_t len = 0;
  CHECK_EQ_INT(ARGO_OK, argo__stats_save(a, &buf, &len));
  /* b had a state of its own (capital 1, one fill); load replaces all of it. */
  fill_ok(b, 0, BUY, LONG, 1, 1, 0, T0);
  CHECK_EQ_INT(ARGO_OK, argo__stats_load(b, buf, len));
  check_same_tracker(a, b);
  CHECK_EQ_INT(ARGO_EINVAL, argo__stats_load(other, buf, len)); /* 3 symbols, saved 2 */
  free(buf);
  sb = sa;
  for (int i = 0; i < 200; i++) {
    if (i == 100) {
      argo__stats_new_day(a);
      argo__stats_new_day(b);
    }
    step(&sa, a);
    step(&sb, b);
    check_same_tracker(a, b);
  }
  argo_stats_block c;
  argo__stats_get(a, NULL, &c);
  CHECK(c.number_of_trades > 100);
  CHECK(c.holding_count > 30);
  argo__stats_free(a);
  argo__stats_free(b);
  argo__stats_free(other);
}

TEST(stats_save_load_continues_identically) {
  static const int points[] = {0, 1, 37, 120, 150, 151, 299, 500};
  for (size_t i = 0; i < ARGO_ARRAY_LEN(points); i++) {
    save_load_at(points[i]);
  }
}

/* A snapshot recomputes only the symbols touched since the last one: after every few steps of
 * a random session of many symbols (marks, fills, day changes), its figures are bit for bit
 * those of a tracker loaded from its saved state, which computes every symbol afresh. */
TEST(stats_symbols_recomputes_only_what_changed_and_agrees_with_a_full_pass) {
  enum { N = 40 };
  static const char *names[N];
  static char buf[N][16];
  for (int i = 0; i < N; i++) {
    snprintf(buf[i], sizeof buf[i], "S%02dUSDT", i);
    names[i] = buf[i];
  }
  argo__stats *a = tracker(100000, N);
  argo__rng rng;
  argo__rng_seed(&rng, 7);
  double open[N] = {0};
  int64_t t = T0;
  int snapshots = 0, fills = 0;
  for (int i = 0; i < 3000; i++) {
    size_t sym = argo__rng_next(&rng) % N;
    double price = 50 + 100 * argo__rng_uniform(&rng);
    unsigned what = (unsigned)(argo__rng_next(&rng) % 8);
    t += SEC;
    if (what == 0) {
      double qty = 0.1 + argo__rng_uniform(&rng);
      fill_ok(a, sym, BUY, LONG, qty, price, qty * price * 0.001, t);
      open[sym] += qty;
      fills++;
    } else if (what == 1 && open[sym] > 0) {
      fill_ok(a, sym, SELL, LONG, open[sym], price, open[sym] * price * 0.001, t);
      open[sym] = 0;
      fills++;
    } else {
      argo__stats_mark(a, sym, price);
    }
    if (i % 1000 == 999) {
      argo__stats_new_day(a);
    }
    if (argo__rng_next(&rng) % 5 == 0) {
      /* Names, then none, then names again: a change of names renames every entry. */
      const char *const *nm = i % 700 < 20 ? NULL : names;
      const argo_symbol_stats *va = argo__stats_symbols(a, nm);
      void *state = NULL;
      size_t len = 0;
      argo__stats *b = tracker(1, N);
      CHECK_EQ_INT(ARGO_OK, argo__stats_save(a, &state, &len));
      CHECK_EQ_INT(ARGO_OK, argo__stats_load(b, state, len));
      free(state);
      const argo_symbol_stats *vb = argo__stats_symbols(b, nm);
      for (int k = 0; k < N; k++) {
        CHECK_MSG(va[k].symbol == vb[k].symbol, "step %d symbol %d: name %s against %s", i, k,
                  va[k].symbol ? va[k].symbol : "(null)", vb[k].symbol ? vb[k].symbol : "(null)");
        CHECK_MSG(memcmp(&va[k].daily, &vb[k].daily, sizeof va[k].daily) == 0,
                  "step %d symbol %d: daily realized %.17g against %.17g", i, k,
                  va[k].daily.realized_pnl, vb[k].daily.realized_pnl);
        CHECK_MSG(memcmp(&va[k].cumulative, &vb[k].cumulative, sizeof va[k].cumulative) == 0,
                  "step %d symbol %d: cumulative unrealized %.17g against %.17g", i, k,
                  va[k].cumulative.unrealized_pnl, vb[k].cumulative.unrealized_pnl);
      }
      argo__stats_free(b);
      snapshots++;
    }
  }
  CHECK(snapshots > 400);
  CHECK(fills > 300);
  argo__stats_free(a);
}

TEST(stats_load_rejects_corrupt_buffers_and_keeps_state) {
  argo__stats *a = tracker(1000, 1), *b = tracker(500, 1);
  fill_ok(a, 0, BUY, LONG, 1, 100, 0.1, T0);
  fill_ok(a, 0, BUY, LONG, 2, 110, 0.2, T0);
  fill_ok(b, 0, SELL, SHORT, 1, 10, 0, T0);
  argo__stats_mark(b, 0, 9);
  argo_stats_block d0, c0, d1, c1;
  argo__stats_get(b, &d0, &c0);
  double eq0 = argo__stats_equity(b);
  void *buf = NULL;
  size_t len = 0;
  CHECK_EQ_INT(ARGO_OK, argo__stats_save(a, &buf, &len));
  unsigned char *p = malloc(len + 8);
  CHECK(p != NULL);
  /* Truncated anywhere, or with a byte too many. */
  for (size_t cut = 0; cut < len; cut += 7) {
    memcpy(p, buf, len);
    CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_load(b, p, cut));
  }
  memcpy(p, buf, len);
  p[len] = 0;
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_load(b, p, len + 1));
  /* Wrong magic, wrong version. */
  memcpy(p, buf, len);
  p[0] ^= 1;
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_load(b, p, len));
  memcpy(p, buf, len);
  p[8] = 3;
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_load(b, p, len));
  /* A lot count that does not fit in the buffer (the long book's count follows the header,
   * the two accumulators, the two totals, has_last, last, unreal, qty, cost and fee). */
  size_t nlots_at = 8 + 8 * (4 + 2 * 14 + 2 + 3 + 3);
  memcpy(p, buf, len);
  CHECK_EQ_INT(2, p[nlots_at]);
  p[nlots_at] = 200;
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_load(b, p, len));
  argo__stats_get(b, &d1, &c1);
  CHECK(memcmp(&d0, &d1, sizeof d0) == 0);
  CHECK(memcmp(&c0, &c1, sizeof c0) == 0);
  CHECK_SAME_F64(eq0, argo__stats_equity(b));
  free(p);
  free(buf);
  argo__stats_free(a);
  argo__stats_free(b);
}

static void put_le64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) {
    p[i] = (unsigned char)(v >> (8 * i));
  }
}

/* A journal written by an older argo holds a version 1 state: the same layout without the words
 * the later figures added (17, and 19 per symbol). It loads; the day's start equity comes from
 * the daily figures, the other later figures restart at the load. */
TEST(stats_load_reads_a_version_1_state) {
  argo__stats *a = tracker(1000, 1), *b = tracker(1, 1);
  fill_ok(a, 0, BUY, LONG, 10, 100, 0, T0);
  argo__stats_mark(a, 0, 110); /* 1100 */
  argo__stats_new_day(a);
  argo__stats_mark(a, 0, 120); /* 1200 */
  void *buf = NULL;
  size_t len = 0;
  CHECK_EQ_INT(ARGO_OK, argo__stats_save(a, &buf, &len));
  size_t v1len = len - 8 * (17 + 19);
  unsigned char *p = malloc(len);
  CHECK(p != NULL);
  memcpy(p, buf, v1len);
  put_le64(p + 8, 1);
  put_le64(p + 16, v1len);
  CHECK_EQ_INT(ARGO_OK, argo__stats_load(b, p, v1len));
  argo_stats_block d, c;
  argo__stats_get(b, &d, &c);
  CHECK_EQ_INT(1, c.number_of_trades);
  CHECK_NEAR(1200, argo__stats_equity(b), EPS);
  CHECK_NEAR(1200.0 / 1100.0 - 1, d.total_return, EPS); /* the day began at 1100 */
  CHECK_NEAR(0.2, c.total_return, EPS);
  CHECK_EQ_INT(1, c.days); /* the days before the load are not known */
  /* A version 1 length with the version 2 number, and the reverse, are corrupt. */
  put_le64(p + 8, 2);
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_load(b, p, v1len));
  memcpy(p, buf, len);
  put_le64(p + 8, 1);
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_load(b, p, len));
  free(p);
  free(buf);
  argo__stats_free(a);
  argo__stats_free(b);
}

/* Found by fuzz/fuzz_journal: a journal's state with impossible counts was loaded, and reading
 * the figures then added two huge win and loss counts (signed overflow). */
TEST(stats_load_rejects_impossible_counts) {
  argo__stats *a = tracker(1000, 1), *b = tracker(500, 1);
  fill_ok(a, 0, BUY, LONG, 1, 100, 0.1, T0);
  fill_ok(a, 0, SELL, LONG, 1, 110, 0.1, T0 + 1000000);
  void *buf = NULL;
  size_t len = 0;
  CHECK_EQ_INT(ARGO_OK, argo__stats_save(a, &buf, &len));
  unsigned char *p = malloc(len);
  CHECK(p != NULL);
  /* The day's accumulator follows the magic and four header words: trades, wins, losses,
   * hold_count; the cumulative one follows it (14 words each). */
  const size_t day = 8 + 8 * 4, cum = day + 8 * 14;
  const struct {
    size_t at;
    uint64_t v;
  } bad[] = {
      {day + 8, UINT64_C(7059588581236880944)},  /* wins more than trades */
      {cum + 16, UINT64_C(7059588581236867078)}, /* losses more than trades */
      {day, (uint64_t)-1},                       /* negative trades */
      {cum + 24, (uint64_t)-5},                  /* negative holding count */
      {cum, (UINT64_C(1) << 62) + 1},            /* trades near overflow */
  };
  for (size_t i = 0; i < ARGO_ARRAY_LEN(bad); i++) {
    memcpy(p, buf, len);
    put_le64(p + bad[i].at, bad[i].v);
    CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_load(b, p, len));
  }
  /* The same buffer unchanged loads, and the state's counts are the saved ones. */
  CHECK_EQ_INT(ARGO_OK, argo__stats_load(b, buf, len));
  argo_stats_block d, c;
  argo__stats_get(b, &d, &c);
  CHECK_EQ_INT(2, c.number_of_trades);
  CHECK_EQ_INT(1, c.number_of_winning_trades);
  free(p);
  free(buf);
  argo__stats_free(a);
  argo__stats_free(b);
}

/* Found by fuzz/fuzz_journal: a fill closing a lot opened at a time near INT64_MIN (a crafted
 * journal) overflowed the holding time's subtraction. */
TEST(stats_holding_time_of_extreme_times_does_not_overflow) {
  argo__stats *st = tracker(1000, 1);
  const int64_t entry = INT64_C(-9223328969779344896), exit = INT64_C(1796484720000000);
  fill_ok(st, 0, BUY, LONG, 1, 100, 0, entry);
  fill_ok(st, 0, SELL, LONG, 1, 110, 0, exit);
  argo_stats_block c;
  argo__stats_get(st, NULL, &c);
  CHECK_EQ_INT(1, c.holding_count);
  double secs = ((double)exit - (double)entry) / 1e6;
  CHECK_NEAR(secs, c.holding_max, secs * 1e-12);
  CHECK_NEAR(secs, c.holding_avg, secs * 1e-12);
  argo__stats_free(st);
}

/* ---- stats.yaml -------------------------------------------------------------------------- */

static const char *const sample_symbols[] = {"BTCUSDT", "ETHUSDT"};

static void sample_doc(argo__stats_doc *doc) {
  memset(doc, 0, sizeof *doc);
  argo_stats *s = &doc->s;
  strcpy(s->id, "run_1");
  strcpy(s->session_id, "0b6c4a52-8f0e-4d7c-9a51-3c2f1e0d9b8a");
  strcpy(s->date, "2025-10-02");
  s->session_start = T0;
  s->last_updated = T0 + (86400 + 5 * 3600 + 30 * 60) * SEC; /* 2025-10-02T14:30:00Z */
  s->status = "running";
  s->symbols = sample_symbols;
  s->nsymbols = 2;
  s->run_dir = "data/live-trading/2025-10-02/run_1";
  s->strategy_id = "org.argo.ma_cross";
  s->strategy_version = "1.0.0";
  s->strategy_name = "ma_cross";
  argo_stats_block *d = &s->daily;
  d->number_of_trades = 3;
  d->number_of_winning_trades = 1;
  d->win_rate = 1;
  d->max_drawdown = 0.045;
  d->realized_pnl = 19.8 + 4.9; /* 24.700000000000003: needs 17 digits */
  d->unrealized_pnl = 29.85;
  d->total_pnl = d->realized_pnl + d->unrealized_pnl;
  d->maximum_profit = d->realized_pnl;
  d->total_fees = 0.45;
  d->holding_min = 3540;
  d->holding_max = 3600;
  d->holding_avg = 3580;
  d->holding_count = 2;
  argo_stats_block *c = &s->cumulative;
  *c = *d;
  c->number_of_trades = 1234567890123;
  c->number_of_losing_trades = 7;
  c->win_rate = 1.0 / 3.0;
  c->maximum_loss = -1e-7;
  c->total_fees = 1e21;
  c->holding_avg = 0.1 + 0.2;
  s->candles_day = 330;
  s->candles_total = 1770;
  s->equity = 1054.55;
  /* The figures added later. */
  d->gross_profit = d->realized_pnl;
  d->expectancy = d->realized_pnl;
  d->total_return = 0.05455;
  d->calmar_ratio = 442.46;
  d->exposure = 0.75;
  d->days = 1;
  d->best_day = d->worst_day = 0.05455;
  d->buy_and_hold_return = 0.0325;
  c->gross_profit = 30.5;
  c->gross_loss = -5.8;
  c->profit_factor = 30.5 / 5.8;
  c->expectancy = 24.7 / 3;
  c->total_return = 0.05455;
  c->sharpe_ratio = 12.5;
  c->sortino_ratio = 31.25;
  c->calmar_ratio = 221.23;
  c->exposure = 0.5;
  c->days = 2;
  c->best_day = 0.0412;
  c->worst_day = -0.0131;
  c->buy_and_hold_return = 0.0211;
  static argo_symbol_stats by[2];
  memset(by, 0, sizeof by);
  by[0].symbol = "BTCUSDT";
  by[0].daily = (argo_symbol_block){3, 2, 1, 0, 1.0, 24.7, 29.85, 54.55, 0.45, 0.75, 0.03};
  by[0].cumulative = (argo_symbol_block){5, 3, 1, 1, 0.5, 18.9, 29.85, 48.75, 0.6, 0.6, 0.02};
  by[1].symbol = "ETHUSDT";
  by[1].daily.buy_and_hold_return = 0.035;
  by[1].cumulative.buy_and_hold_return = 0.0222;
  doc->by_symbol = by;
  doc->nby_symbol = 2;
  doc->interval = "1m";
  static const argo__stats_pos pos[2] = {{"BTCUSDT", 1.5, 110, 0, 0}, {"ETHUSDT", 0, 0, 0, 0}};
  doc->has_account = 1;
  doc->cash = 889.7;
  doc->positions = pos;
  doc->npositions = 2;
}

TEST(stats_yaml_render_writes_the_layout_in_order) {
  argo__stats_doc doc;
  sample_doc(&doc);
  argo__sb sb;
  argo__sb_init(&sb);
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render(&doc, &sb));
  static const char expected[] =
      "id: \"run_1\"\n"
      "session_id: \"0b6c4a52-8f0e-4d7c-9a51-3c2f1e0d9b8a\"\n"
      "date: \"2025-10-02\"\n"
      "session_start: \"2025-10-01T09:00:00Z\"\n"
      "last_updated: \"2025-10-02T14:30:00Z\"\n"
      "status: running\n"
      "symbols:\n"
      "- BTCUSDT\n"
      "- ETHUSDT\n"
      "trade_result:\n"
      "  number_of_trades: 3\n"
      "  number_of_winning_trades: 1\n"
      "  number_of_losing_trades: 0\n"
      "  win_rate: 1.0\n"
      "  max_drawdown: 0.045\n"
      "trade_pnl:\n"
      "  realized_pnl: 24.700000000000003\n"
      "  unrealized_pnl: 29.85\n"
      "  total_pnl: 54.550000000000004\n"
      "  maximum_loss: 0.0\n"
      "  maximum_profit: 24.700000000000003\n"
      "trade_holding_time:\n"
      "  min: 3540.0\n"
      "  max: 3600.0\n"
      "  avg: 3580.0\n"
      "  count: 2\n"
      "total_fees: 0.45\n"
      "orders_file_path: data/live-trading/2025-10-02/run_1/orders.parquet\n"
      "trades_file_path: data/live-trading/2025-10-02/run_1/trades.parquet\n"
      "marks_file_path: data/live-trading/2025-10-02/run_1/marks.parquet\n"
      "logs_file_path: data/live-trading/2025-10-02/run_1/logs.parquet\n"
      "market_data_file_path: data/live-trading/2025-10-02/run_1/market_data.parquet\n"
      "strategy:\n"
      "  id: org.argo.ma_cross\n"
      "  version: \"1.0.0\"\n"
      "  name: ma_cross\n"
      "daily:\n"
      "  number_of_trades: 3\n"
      "  number_of_winning_trades: 1\n"
      "  number_of_losing_trades: 0\n"
      "  win_rate: 1.0\n"
      "  max_drawdown: 0.045\n"
      "  realized_pnl: 24.700000000000003\n"
      "  unrealized_pnl: 29.85\n"
      "  total_pnl: 54.550000000000004\n"
      "  maximum_loss: 0.0\n"
      "  maximum_profit: 24.700000000000003\n"
      "  total_fees: 0.45\n"
      "  holding_time:\n"
      "    min: 3540.0\n"
      "    max: 3600.0\n"
      "    avg: 3580.0\n"
      "    count: 2\n"
      "  gross_profit: 24.700000000000003\n"
      "  gross_loss: 0.0\n"
      "  profit_factor: 0.0\n"
      "  expectancy: 24.700000000000003\n"
      "  total_return: 0.05455\n"
      "  sharpe_ratio: 0.0\n"
      "  sortino_ratio: 0.0\n"
      "  calmar_ratio: 442.46\n"
      "  exposure: 0.75\n"
      "  days: 1\n"
      "  best_day: 0.05455\n"
      "  worst_day: 0.05455\n"
      "  buy_and_hold_return: 0.0325\n"
      "  by_symbol:\n"
      "  - symbol: BTCUSDT\n"
      "    fills: 3\n"
      "    round_trips: 2\n"
      "    winning: 1\n"
      "    losing: 0\n"
      "    win_rate: 1.0\n"
      "    realized_pnl: 24.7\n"
      "    unrealized_pnl: 29.85\n"
      "    total_pnl: 54.55\n"
      "    fees: 0.45\n"
      "    exposure: 0.75\n"
      "    buy_and_hold_return: 0.03\n"
      "  - symbol: ETHUSDT\n"
      "    fills: 0\n"
      "    round_trips: 0\n"
      "    winning: 0\n"
      "    losing: 0\n"
      "    win_rate: 0.0\n"
      "    realized_pnl: 0.0\n"
      "    unrealized_pnl: 0.0\n"
      "    total_pnl: 0.0\n"
      "    fees: 0.0\n"
      "    exposure: 0.0\n"
      "    buy_and_hold_return: 0.035\n"
      "cumulative:\n"
      "  number_of_trades: 1234567890123\n"
      "  number_of_winning_trades: 1\n"
      "  number_of_losing_trades: 7\n"
      "  win_rate: 0.33333333333333331\n"
      "  max_drawdown: 0.045\n"
      "  realized_pnl: 24.700000000000003\n"
      "  unrealized_pnl: 29.85\n"
      "  total_pnl: 54.550000000000004\n"
      "  maximum_loss: -1.0e-07\n"
      "  maximum_profit: 24.700000000000003\n"
      "  total_fees: 1.0e+21\n"
      "  holding_time:\n"
      "    min: 3540.0\n"
      "    max: 3600.0\n"
      "    avg: 0.30000000000000004\n"
      "    count: 2\n"
      "  gross_profit: 30.5\n"
      "  gross_loss: -5.8\n"
      "  profit_factor: 5.2586206896551726\n"
      "  expectancy: 8.2333333333333325\n"
      "  total_return: 0.05455\n"
      "  sharpe_ratio: 12.5\n"
      "  sortino_ratio: 31.25\n"
      "  calmar_ratio: 221.23\n"
      "  exposure: 0.5\n"
      "  days: 2\n"
      "  best_day: 0.0412\n"
      "  worst_day: -0.0131\n"
      "  buy_and_hold_return: 0.0211\n"
      "  by_symbol:\n"
      "  - symbol: BTCUSDT\n"
      "    fills: 5\n"
      "    round_trips: 3\n"
      "    winning: 1\n"
      "    losing: 1\n"
      "    win_rate: 0.5\n"
      "    realized_pnl: 18.9\n"
      "    unrealized_pnl: 29.85\n"
      "    total_pnl: 48.75\n"
      "    fees: 0.6\n"
      "    exposure: 0.6\n"
      "    buy_and_hold_return: 0.02\n"
      "  - symbol: ETHUSDT\n"
      "    fills: 0\n"
      "    round_trips: 0\n"
      "    winning: 0\n"
      "    losing: 0\n"
      "    win_rate: 0.0\n"
      "    realized_pnl: 0.0\n"
      "    unrealized_pnl: 0.0\n"
      "    total_pnl: 0.0\n"
      "    fees: 0.0\n"
      "    exposure: 0.0\n"
      "    buy_and_hold_return: 0.0222\n"
      "candles: 330\n"
      "candles_total: 1770\n"
      "equity: 1054.55\n"
      "interval: \"1m\"\n"
      "account:\n"
      "  cash: 889.7\n"
      "  positions:\n"
      "  - symbol: BTCUSDT\n"
      "    long_qty: 1.5\n"
      "    long_avg_price: 110.0\n"
      "    short_qty: 0.0\n"
      "    short_avg_price: 0.0\n"
      "  - symbol: ETHUSDT\n"
      "    long_qty: 0.0\n"
      "    long_avg_price: 0.0\n"
      "    short_qty: 0.0\n"
      "    short_avg_price: 0.0\n";
  CHECK_STR(expected, argo__sb_str(&sb));
  /* The optional keys come last, in this order, only when set. */
  doc.run_collision = "run_1 of 2025-10-03 belongs to another session: using run_2";
  doc.resumed_from = "2025-10-01/run_1";
  argo__sb_reset(&sb);
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render(&doc, &sb));
  const char *text = argo__sb_str(&sb);
  const char *eq = strstr(text, "\nequity: ");
  const char *rc = strstr(text, "\nrun_collision: ");
  const char *rf = strstr(text, "\nresumed_from: ");
  const char *iv = strstr(text, "\ninterval: ");
  CHECK(eq && rc && rf && iv && eq < rc && rc < rf && rf < iv);
  argo__sb_free(&sb);
}

static void check_block_same(const argo_stats_block *e, const argo_stats_block *a) {
  CHECK_EQ_INT(e->number_of_trades, a->number_of_trades);
  CHECK_EQ_INT(e->number_of_winning_trades, a->number_of_winning_trades);
  CHECK_EQ_INT(e->number_of_losing_trades, a->number_of_losing_trades);
  CHECK_SAME_F64(e->win_rate, a->win_rate);
  CHECK_SAME_F64(e->max_drawdown, a->max_drawdown);
  CHECK_SAME_F64(e->realized_pnl, a->realized_pnl);
  CHECK_SAME_F64(e->unrealized_pnl, a->unrealized_pnl);
  CHECK_SAME_F64(e->total_pnl, a->total_pnl);
  CHECK_SAME_F64(e->maximum_loss, a->maximum_loss);
  CHECK_SAME_F64(e->maximum_profit, a->maximum_profit);
  CHECK_SAME_F64(e->total_fees, a->total_fees);
  CHECK_SAME_F64(e->holding_min, a->holding_min);
  CHECK_SAME_F64(e->holding_max, a->holding_max);
  CHECK_SAME_F64(e->holding_avg, a->holding_avg);
  CHECK_EQ_INT(e->days, a->days);
  /* The figures added later, NaN included: byte for byte from gross_profit on. */
  size_t from = offsetof(argo_stats_block, gross_profit);
  CHECK(memcmp((const char *)e + from, (const char *)a + from, sizeof *e - from) == 0 ||
        (isnan(e->gross_profit) && isnan(a->gross_profit) && e->days == 0));
}

static void check_by_symbol_same(const argo__stats_doc *e, const argo__stats_doc *a) {
  CHECK_EQ_INT(e->nby_symbol, a->nby_symbol);
  for (size_t i = 0; i < e->nby_symbol; i++) {
    CHECK_STR(e->by_symbol[i].symbol, a->by_symbol[i].symbol);
    CHECK(memcmp(&e->by_symbol[i].daily, &a->by_symbol[i].daily, sizeof e->by_symbol[i].daily) ==
          0);
    CHECK(memcmp(&e->by_symbol[i].cumulative, &a->by_symbol[i].cumulative,
                 sizeof e->by_symbol[i].cumulative) == 0);
  }
}

/* Renders doc, parses the text back, checks every field, and renders the parsed document to
 * the very same text. */
static void round_trip(const argo__stats_doc *doc) {
  argo__sb sb, sb2;
  argo__sb_init(&sb);
  argo__sb_init(&sb2);
  argo__stats_doc back;
  char err[256];
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render(doc, &sb));
  argo_err rc = argo__stats_yaml_parse(argo__sb_str(&sb), &back, err, sizeof err);
  CHECK_MSG(rc == ARGO_OK, "%s\n%s", err, argo__sb_str(&sb));
  const argo_stats *e = &doc->s, *a = &back.s;
  CHECK_STR(e->id, a->id);
  CHECK_STR(e->session_id, a->session_id);
  CHECK_STR(e->date, a->date);
  CHECK_EQ_INT(e->session_start, a->session_start);
  CHECK_EQ_INT(e->last_updated, a->last_updated);
  CHECK_STR(e->status, a->status);
  CHECK_EQ_INT(e->nsymbols, a->nsymbols);
  for (size_t i = 0; i < e->nsymbols; i++) {
    CHECK_STR(e->symbols[i], a->symbols[i]);
  }
  CHECK_STR(e->run_dir, a->run_dir);
  CHECK_STR(e->strategy_id, a->strategy_id);
  CHECK_STR(e->strategy_version, a->strategy_version);
  CHECK_STR(e->strategy_name, a->strategy_name);
  check_block_same(&e->daily, &a->daily);
  check_block_same(&e->cumulative, &a->cumulative);
  check_by_symbol_same(doc, &back);
  CHECK_EQ_INT(e->candles_day, a->candles_day);
  CHECK_EQ_INT(e->candles_total, a->candles_total);
  CHECK_SAME_F64(e->equity, a->equity);
  CHECK((doc->run_collision == NULL) == (back.run_collision == NULL));
  if (doc->run_collision) {
    CHECK_STR(doc->run_collision, back.run_collision);
  }
  CHECK((doc->resumed_from == NULL) == (back.resumed_from == NULL));
  if (doc->resumed_from) {
    CHECK_STR(doc->resumed_from, back.resumed_from);
  }
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render(&back, &sb2));
  CHECK_STR(argo__sb_str(&sb), argo__sb_str(&sb2));
  argo__stats_doc_free(&back);
  argo__sb_free(&sb);
  argo__sb_free(&sb2);
}

/* A document of many symbols rendered again and again through the item cache, with a few
 * items changed between renders (figures, -0.0, NaN, infinities, a renamed symbol, names that need
 * quotes, fewer symbols, no account), is byte for byte the full render every time; and most items
 * were copied, not rendered. */
TEST(stats_yaml_cache_renders_the_same_bytes_as_a_full_render) {
  enum { N = 100 };
  static char names[N][32];
  static const char *syms[N];
  static argo_symbol_stats by[N];
  static argo__stats_pos pos[N];
  static const char *const odd[] = {"1INCHUSDT", "true",   "a: b",  "\xc3\x86THERUSDT", "",
                                    "x\"y",      "- dash", "#hash", "multi\nline",      "null"};
  argo__stats_doc doc;
  sample_doc(&doc);
  argo__rng rng;
  argo__rng_seed(&rng, 11);
  for (int i = 0; i < N; i++) {
    if (i % 10 == 3) {
      snprintf(names[i], sizeof names[i], "%s", odd[(i / 10) % ARGO_ARRAY_LEN(odd)]);
    } else {
      snprintf(names[i], sizeof names[i], "S%03dUSDT", i);
    }
    syms[i] = names[i];
    by[i].symbol = names[i];
    by[i].daily = (argo_symbol_block){i,        i / 2,   i / 3,    i / 4, 0.5,      i * 1.1,
                                      -i * 0.7, i * 0.4, 0.01 * i, 0.25,  0.001 * i};
    by[i].cumulative = by[i].daily;
    by[i].cumulative.fills += 7;
    pos[i] = (argo__stats_pos){names[i], i % 3 ? 0.01 * i : 0, 100 + i, 0, 0};
  }
  doc.s.symbols = syms;
  doc.s.nsymbols = N;
  doc.by_symbol = by;
  doc.nby_symbol = N;
  doc.positions = pos;
  doc.npositions = N;
  argo__stats_yaml_cache *cache = NULL;
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_cache_new(&cache));
  argo__sb full, cached;
  argo__sb_init(&full);
  argo__sb_init(&cached);
  for (int round = 0; round < 60; round++) {
    for (int k = 0; k < 4; k++) {
      size_t i = argo__rng_next(&rng) % N;
      unsigned what = (unsigned)(argo__rng_next(&rng) % 6);
      double v = argo__rng_uniform(&rng) * 1000 - 500;
      if (what == 0) {
        by[i].daily.realized_pnl = v;
      } else if (what == 1) {
        by[i].cumulative.unrealized_pnl = round % 2 ? -0.0 : round % 4 ? -INFINITY : NAN;
      } else if (what == 2) {
        by[i].daily.fills++;
      } else if (what == 3) {
        pos[i].long_qty = v > 0 ? v : 0;
      } else if (what == 4) {
        pos[i].short_avg_price = round % 3 ? INFINITY : 0.1 + 0.2;
      } else {
        /* A renamed symbol (the same figures): its items must be rendered again. */
        snprintf(names[i], sizeof names[i], "R%dUSDT", round);
      }
    }
    doc.nby_symbol = round % 10 == 5 ? N / 2 : N;
    doc.npositions = round % 10 == 5 ? N / 3 : N;
    doc.has_account = round % 15 != 7;
    argo__sb_reset(&full);
    argo__sb_reset(&cached);
    CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render(&doc, &full));
    CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render_cached(&doc, &cached, cache));
    CHECK_EQ_INT(full.len, cached.len);
    if (full.len == cached.len && memcmp(full.buf, cached.buf, full.len) != 0) {
      size_t at = 0;
      while (full.buf[at] == cached.buf[at]) {
        at++;
      }
      CHECK_MSG(0, "round %d: the texts differ at byte %zu: ...%.60s against ...%.60s", round, at,
                full.buf + (at > 20 ? at - 20 : 0), cached.buf + (at > 20 ? at - 20 : 0));
    }
    /* What a reader gets from it is the document. */
    if (round == 0) {
      argo__stats_doc back;
      char err[256];
      CHECK_MSG(argo__stats_yaml_parse(cached.buf, &back, err, sizeof err) == ARGO_OK, "%s", err);
      CHECK_EQ_INT(N, (long long)back.nby_symbol);
      CHECK_STR("a: b", back.by_symbol[23].symbol);
      argo__stats_doc_free(&back);
    }
  }
  uint64_t rendered = 0, copied = 0, written = 0;
  argo__stats_yaml_cache_counts(cache, &rendered, &copied, &written);
  /* 60 renders of up to 3 x 99 cachable items; a few changed each time. Those of plain
   * symbols were written without the emitter after the first of each list. */
  CHECK_MSG(copied > 10000 && rendered < 2000, "copied %llu, rendered %llu",
            (unsigned long long)copied, (unsigned long long)rendered);
  CHECK_MSG(written > rendered / 2 && written < rendered, "written %llu of %llu",
            (unsigned long long)written, (unsigned long long)rendered);
  argo__sb_free(&full);
  argo__sb_free(&cached);
  argo__stats_yaml_cache_free(cache);
}

/* The render cache's table of number texts has 8192 slots: a document of far more distinct
 * doubles than that, every one of them changing between renders (so that no item is copied
 * whole and slots are taken over by other values), renders the same bytes as a full render. */
TEST(stats_yaml_number_texts_stay_right_past_the_table_size) {
  enum { N = 1500 };
  static char names[N][32];
  static const char *syms[N];
  static argo_symbol_stats by[N];
  static argo__stats_pos pos[N];
  argo__stats_doc doc;
  sample_doc(&doc);
  argo__rng rng;
  argo__rng_seed(&rng, 5);
  argo__stats_yaml_cache *cache = NULL;
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_cache_new(&cache));
  argo__sb full, cached;
  argo__sb_init(&full);
  argo__sb_init(&cached);
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < N; i++) {
      snprintf(names[i], sizeof names[i], "S%04dUSDT", i);
      syms[i] = names[i];
      by[i].symbol = names[i];
      argo_symbol_block *d = &by[i].daily;
      double *f[7] = {&d->win_rate, &d->realized_pnl, &d->unrealized_pnl,     &d->total_pnl,
                      &d->fees,     &d->exposure,     &d->buy_and_hold_return};
      for (int k = 0; k < 7; k++) {
        /* Odd rounds give the same figures again, even ones new ones. */
        *f[k] = round % 2 ? (double)(i * 7 + k) / 3 : argo__rng_uniform(&rng) * 1e6 - 5e5;
      }
      by[i].cumulative = by[i].daily;
      by[i].cumulative.realized_pnl = -by[i].daily.realized_pnl;
      pos[i] = (argo__stats_pos){names[i], by[i].daily.total_pnl, by[i].daily.fees, 0, -0.0};
    }
    doc.s.symbols = syms;
    doc.s.nsymbols = N;
    doc.by_symbol = by;
    doc.nby_symbol = N;
    doc.positions = pos;
    doc.npositions = N;
    argo__sb_reset(&full);
    argo__sb_reset(&cached);
    CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render(&doc, &full));
    CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render_cached(&doc, &cached, cache));
    CHECK_EQ_INT(full.len, cached.len);
    CHECK_MSG(memcmp(full.buf, cached.buf, full.len) == 0, "round %d: the texts differ", round);
  }
  /* Every item rendered was written without the emitter, but for the three (one per list) that
   * showed write_item the emitter's text (the first of each list is always emitted and not
   * counted). */
  uint64_t rendered = 0, copied = 0, written = 0;
  argo__stats_yaml_cache_counts(cache, &rendered, &copied, &written);
  CHECK_EQ_INT((long long)rendered - 3, (long long)written);
  argo__sb_free(&full);
  argo__sb_free(&cached);
  argo__stats_yaml_cache_free(cache);
}

TEST(stats_yaml_parse_round_trips_every_field) {
  argo__stats_doc doc;
  sample_doc(&doc);
  round_trip(&doc);
  /* Strings that would read back as something else unless quoted, odd numbers, fractional
   * times, the optional keys. */
  static const char *const odd_symbols[] = {"yes", "1000SHIBUSDT", "null", "a: b", "#x", "é"};
  doc.s.symbols = odd_symbols;
  doc.s.nsymbols = ARGO_ARRAY_LEN(odd_symbols);
  doc.s.status = "crashed_recovered";
  doc.s.strategy_id = "";
  doc.s.strategy_version = "2025-10-01";
  doc.s.strategy_name = "say \"hi\"\\ - [x]: {y}\n\ttab";
  doc.s.run_dir = "/tmp/it's a dir/2025-10-02/run_12";
  doc.s.session_start = T0 + 250000; /* 09:00:00.25 */
  doc.s.last_updated = -1;           /* 1969-12-31T23:59:59.999999Z */
  doc.s.daily.win_rate = NAN;
  doc.s.daily.max_drawdown = INFINITY;
  doc.s.daily.maximum_loss = -INFINITY;
  doc.s.daily.realized_pnl = -0.0;
  doc.s.daily.unrealized_pnl = 5e-324;
  doc.s.daily.total_pnl = 1.7976931348623157e308;
  doc.s.daily.number_of_trades = INT64_MIN;
  doc.s.cumulative.number_of_trades = INT64_MAX;
  doc.s.equity = 123456789.12345678;
  doc.run_collision = "run_1 of 2025-10-03 belongs to another session: using run_2";
  doc.resumed_from = "2025-10-01/run_1";
  round_trip(&doc);
  /* No symbols at all. */
  doc.s.nsymbols = 0;
  doc.s.symbols = NULL;
  doc.run_collision = NULL;
  doc.nby_symbol = 0;
  round_trip(&doc);
}

static char *replaced(const char *text, const char *from, const char *to);

/* A stats.yaml written before the later figures: they read as NaN (days 0, no by_symbol), and
 * the document renders back to the same text, without them. */
TEST(stats_yaml_parse_reads_a_file_without_the_later_figures) {
  argo__stats_doc doc, back;
  sample_doc(&doc);
  doc.s.daily.days = doc.s.cumulative.days = 0;
  doc.nby_symbol = 0;
  argo__sb sb, sb2;
  argo__sb_init(&sb);
  argo__sb_init(&sb2);
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render(&doc, &sb));
  CHECK(strstr(argo__sb_str(&sb), "sharpe_ratio") == NULL);
  CHECK(strstr(argo__sb_str(&sb), "by_symbol") == NULL);
  char err[256];
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_parse(argo__sb_str(&sb), &back, err, sizeof err));
  CHECK_EQ_INT(0, back.s.cumulative.days);
  CHECK(isnan(back.s.cumulative.sharpe_ratio) && isnan(back.s.daily.buy_and_hold_return));
  CHECK(back.by_symbol == NULL && back.nby_symbol == 0);
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render(&back, &sb2));
  CHECK_STR(argo__sb_str(&sb), argo__sb_str(&sb2));
  argo__stats_doc_free(&back);
  /* A by_symbol list in one block only, or with another symbol, is corrupt. */
  sample_doc(&doc);
  argo__sb_reset(&sb);
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render(&doc, &sb));
  char *bad = replaced(argo__sb_str(&sb), "\n  by_symbol:\n  - symbol: BTCUSDT\n    fills: 5",
                       "\n  by_symbolx:\n  - symbol: BTCUSDT\n    fills: 5");
  CHECK(bad != NULL);
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_yaml_parse(bad, &back, err, sizeof err));
  CHECK_CONTAINS(err, "cumulative.by_symbol");
  free(bad);
  bad = replaced(argo__sb_str(&sb),
                 "  - symbol: ETHUSDT\n    fills: 0\n    round_trips: 0\n"
                 "    winning: 0\n    losing: 0\n    win_rate: 0.0\n"
                 "    realized_pnl: 0.0\n    unrealized_pnl: 0.0\n"
                 "    total_pnl: 0.0\n    fees: 0.0\n    exposure: 0.0\n"
                 "    buy_and_hold_return: 0.0222",
                 "  - symbol: SOLUSDT\n    fills: 0\n    round_trips: 0\n"
                 "    winning: 0\n    losing: 0\n    win_rate: 0.0\n"
                 "    realized_pnl: 0.0\n    unrealized_pnl: 0.0\n"
                 "    total_pnl: 0.0\n    fees: 0.0\n    exposure: 0.0\n"
                 "    buy_and_hold_return: 0.0222");
  CHECK(bad != NULL);
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_yaml_parse(bad, &back, err, sizeof err));
  CHECK_CONTAINS(err, "SOLUSDT");
  free(bad);
  argo__sb_free(&sb);
  argo__sb_free(&sb2);
}

/* Returns a malloc'ed copy of text with the first occurrence of from replaced by to. */
static char *replaced(const char *text, const char *from, const char *to) {
  const char *at = strstr(text, from);
  if (!at) {
    return NULL;
  }
  size_t n = strlen(text) - strlen(from) + strlen(to);
  char *r = malloc(n + 1);
  if (r) {
    size_t head = (size_t)(at - text);
    memcpy(r, text, head);
    strcpy(r + head, to);
    strcat(r, at + strlen(from));
  }
  return r;
}

TEST(stats_yaml_parse_rejects_corrupt_text) {
  argo__stats_doc doc, back;
  sample_doc(&doc);
  argo__sb sb;
  argo__sb_init(&sb);
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_render(&doc, &sb));
  const char *good = argo__sb_str(&sb);
  static const struct {
    const char *from, *to, *msg;
  } cases[] = {
      {"  win_rate: 0.33333333333333331\n", "  win_rate: abc\n", "cumulative.win_rate"},
      {"equity: 1054.55\n", "", "missing key equity"},
      {"candles: 330\n", "candles: 33.5\n", "candles: expected an integer"},
      {"session_start: \"2025-10-01T09:00:00Z\"", "session_start: \"yesterday\"", "session_start"},
      {"orders_file_path: data/live-trading/2025-10-02/run_1/orders.parquet",
       "orders_file_path: data/orders.csv", "orders_file_path"},
      {"symbols:\n- BTCUSDT\n- ETHUSDT\n", "symbols: BTCUSDT\n", "symbols: expected a list"},
      {"symbols:\n- BTCUSDT\n", "symbols:\n- [BTCUSDT]\n", "symbols: item 1"},
      {"    max: 3600.0\n", "    max: {a: 1}\n", "daily.holding_time.max"},
      {"strategy:\n", "strategy: none\nxstrategy:\n", "strategy: expected a mapping"},
      {"id: \"run_1\"", "id: \"run_1_with_a_name_far_too_long_for_the_field\"", "id: value"},
      {"  total_fees: 1.0e+21\n", "  total_fees: 1e999\n", "cumulative.total_fees"},
      {"date: \"2025-10-02\"\n", "date: [\"2025-10-02\"\n", "line"},
      {"trade_pnl:\n  realized_pnl:", "trade_pnl:\n  realized:", "trade_pnl.realized_pnl"},
  };
  char err[256];
  for (size_t i = 0; i < ARGO_ARRAY_LEN(cases); i++) {
    char *bad = replaced(good, cases[i].from, cases[i].to);
    CHECK_MSG(bad != NULL, "case %zu: \"%s\" not in the text", i, cases[i].from);
    memset(&back, 0x5a, sizeof back);
    argo_err rc = argo__stats_yaml_parse(bad, &back, err, sizeof err);
    free(bad);
    CHECK_MSG(rc == ARGO_ECORRUPT, "case %zu: rc %d", i, (int)rc);
    CHECK_CONTAINS(err, cases[i].msg);
    CHECK(back.s.status == NULL && back.s.symbols == NULL); /* left empty, nothing leaked */
    argo__stats_doc_free(&back);
  }
  static const char *const whole[] = {"", "just a scalar\n", "- a\n- b\n", "{id: [1, 2"};
  for (size_t i = 0; i < ARGO_ARRAY_LEN(whole); i++) {
    CHECK_EQ_INT(ARGO_ECORRUPT, argo__stats_yaml_parse(whole[i], &back, err, sizeof err));
    CHECK(err[0] != '\0');
  }
  /* Unknown keys are ignored, anywhere. */
  char *extra = replaced(good, "candles: 330\n", "future_key: {a: [1, 2]}\ncandles: 330\n");
  char *extra2 = replaced(extra, "  min: 3540.0\n", "  median: 3550.0\n  min: 3540.0\n");
  free(extra);
  CHECK_EQ_INT(ARGO_OK, argo__stats_yaml_parse(extra2, &back, err, sizeof err));
  free(extra2);
  CHECK_EQ_INT(330, back.s.candles_day);
  argo__stats_doc_free(&back);
  argo__stats_doc_free(&back); /* a zeroed document is fine */
  argo__sb_free(&sb);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(stats_fifo_partial_close_prorates_fees_on_both_legs);
  RUN(stats_short_open_close_pnl);
  RUN(stats_win_rate_ignores_break_even_closes);
  RUN(stats_max_drawdown_is_fraction_of_peak_equity);
  RUN(stats_holding_time_min_max_and_quantity_weighted_avg);
  RUN(stats_unrealized_follows_marks_and_fills);
  RUN(stats_closing_more_than_open_takes_the_excess_over_at_the_fill_price);
  RUN(stats_daily_blocks_sum_to_cumulative_over_three_days);
  RUN(stats_profit_factor_and_expectancy_count_every_closing_fill);
  RUN(stats_daily_returns_give_sharpe_sortino_calmar_best_and_worst_day);
  RUN(stats_exposure_and_buy_and_hold_per_scope_and_symbol);
  RUN(stats_by_symbol_adds_up_to_the_blocks);
  RUN(round_trips_are_the_pieces_the_statistics_count);
  RUN(stats_save_load_continues_identically);
  RUN(stats_symbols_recomputes_only_what_changed_and_agrees_with_a_full_pass);
  RUN(stats_load_rejects_corrupt_buffers_and_keeps_state);
  RUN(stats_load_rejects_impossible_counts);
  RUN(stats_load_reads_a_version_1_state);
  RUN(stats_holding_time_of_extreme_times_does_not_overflow);
  RUN(stats_yaml_render_writes_the_layout_in_order);
  RUN(stats_yaml_cache_renders_the_same_bytes_as_a_full_render);
  RUN(stats_yaml_number_texts_stay_right_past_the_table_size);
  RUN(stats_yaml_parse_round_trips_every_field);
  RUN(stats_yaml_parse_rejects_corrupt_text);
  RUN(stats_yaml_parse_reads_a_file_without_the_later_figures);
  return test_summary();
}
