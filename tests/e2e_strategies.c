/*
 * Strategies end to end: the example plugins (built against strategy.h only) run on the
 * simulated feed; their orders, fills and stats are checked against each other in DuckDB;
 * broken plugins give the documented errors; a failing strategy is reported and the session
 * goes on; a warm restart has the indicator ready at the first live candle.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <duckdb.h>
#include <jansson.h>

#include "persist/stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

static char out[4096];

static int64_t q(tu_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static double qd(tu_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void qrow(tu_db *db, double *v, int n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int64_t q(tu_db *db, const char *fmt, ...) {
  char sql[16384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  return tu_q_int(db, sql);
}

static double qd(tu_db *db, const char *fmt, ...) {
  char sql[16384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  return tu_q_double(db, sql);
}

/* The first n columns of the first row, as doubles. */
static void qrow(tu_db *db, double *v, int n, const char *fmt, ...) {
  char sql[16384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  duckdb_result r;
  if (duckdb_query(db->con, sql, &r) != DuckDBSuccess) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", duckdb_result_error(&r));
    duckdb_destroy_result(&r);
    TEST_FAIL_("query failed: %s\n  SQL: %s", msg, sql);
  }
  if (duckdb_row_count(&r) < 1 || (int)duckdb_column_count(&r) < n) {
    duckdb_destroy_result(&r);
    TEST_FAIL_("query returned no row of %d columns: %s", n, sql);
  }
  for (int i = 0; i < n; i++) {
    v[i] = duckdb_value_double(&r, (idx_t)i, 0);
  }
  duckdb_destroy_result(&r);
}

static void exec_ok(tu_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void exec_ok(tu_db *db, const char *fmt, ...) {
  char sql[16384], err[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  CHECK_MSG(tu_exec(db, sql, err, sizeof err) == 0, "%s\n  SQL: %s", err, sql);
}

/* The quoted SQL literal of dir/file. */
static const char *in(const char *dir, const char *file) {
  char p[8400];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  return tu_sql_str(p);
}

/* A number of a stats.yaml text read without argo's parser: key in the top-level mapping
 * block (two-space indentation, as argo writes it), or a top-level key when block is NULL. */
static double yaml_num(const char *text, const char *block, const char *key) {
  char head[96], line[96];
  const char *p = text;
  if (block) {
    snprintf(head, sizeof head, "\n%s:\n", block);
    p = strstr(text, head);
    CHECK_MSG(p != NULL, "stats.yaml has no block %s", block);
    p += strlen(head);
    snprintf(line, sizeof line, "  %s: ", key);
    while (strncmp(p, "  ", 2) == 0) {
      if (strncmp(p, line, strlen(line)) == 0) {
        return strtod(p + strlen(line), NULL);
      }
      p = strchr(p, '\n');
      CHECK(p != NULL);
      p++;
    }
    TEST_FAIL_("stats.yaml: no %s in block %s", key, block);
  }
  snprintf(line, sizeof line, "\n%s: ", key);
  p = strstr(text, line);
  CHECK_MSG(p != NULL, "stats.yaml has no top-level %s", key);
  return strtod(p + strlen(line), NULL);
}

/*
 * Views for recomputing the statistics of a session from its files alone (docs/design.md section 7,
 * docs/statistics.md): every fill of every day, the opening fills as FIFO lots and the
 * reducing fills, each with its range [lo, hi) of cumulative quantity in its book (symbol and
 * position type), so that the FIFO pieces are the overlaps of those ranges; and every candle.
 * Fills of one book are ordered by time, then by the order's number (the broker numbers orders
 * as they are placed, and fills them in that order).
 */
static void session_views(tu_db *db, const char *session_dir) {
  char trades[8400], md[8400];
  snprintf(trades, sizeof trades, "%s/*/run_1/trades.parquet", session_dir);
  snprintf(md, sizeof md, "%s/*/run_1/market_data.parquet", session_dir);
  exec_ok(db,
          "CREATE OR REPLACE VIEW fills AS SELECT *, strftime(executed_at, '%%Y-%%m-%%d') AS day, "
          "CAST(split_part(order_id, '-', 2) AS BIGINT) AS n, (position_type = 'LONG') = (side = "
          "'BUY') AS opening FROM read_parquet(%s)",
          tu_sql_str(trades));
  exec_ok(db, "CREATE OR REPLACE VIEW opens AS SELECT symbol, position_type, day, executed_at, "
              "executed_price AS price, executed_qty AS qty, commission AS fee, sum(executed_qty) "
              "OVER w - executed_qty AS lo, sum(executed_qty) OVER w AS hi FROM fills WHERE "
              "opening WINDOW w AS (PARTITION BY symbol, position_type ORDER BY executed_at, n "
              "ROWS UNBOUNDED PRECEDING)");
  exec_ok(db, "CREATE OR REPLACE VIEW closes AS SELECT symbol, position_type, day, executed_at, "
              "executed_price AS price, executed_qty AS qty, commission AS fee, sum(executed_qty) "
              "OVER w - executed_qty AS lo, sum(executed_qty) OVER w AS hi FROM fills WHERE NOT "
              "opening WINDOW w AS (PARTITION BY symbol, position_type ORDER BY executed_at, n "
              "ROWS UNBOUNDED PRECEDING)");
  /* One row per FIFO piece: the day its exit happened, seconds held, quantity, the entry's and
   * the exit's time and price, and its pnl (gross less both fees pro rata). */
  exec_ok(db, "CREATE OR REPLACE VIEW pieces AS SELECT symbol, position_type, c.day, "
              "(epoch_us(c.executed_at) - epoch_us(o.executed_at)) / 1e6 AS held, least(o.hi, "
              "c.hi) - greatest(o.lo, c.lo) AS q, o.executed_at AS entry_time, o.price AS "
              "entry_price, c.executed_at AS exit_time, c.price AS exit_price, (CASE WHEN "
              "position_type = 'LONG' THEN c.price - o.price ELSE o.price - c.price END) * q - "
              "o.fee * q / o.qty - c.fee * q / c.qty AS pnl, o.fee * q / o.qty + c.fee * q / c.qty "
              "AS fees FROM opens o JOIN closes c USING (symbol, position_type) WHERE least(o.hi, "
              "c.hi) - greatest(o.lo, c.lo) > 1e-9");
  exec_ok(db,
          "CREATE OR REPLACE VIEW md AS SELECT *, strftime(time, '%%Y-%%m-%%d') AS day FROM "
          "read_parquet(%s) WHERE NOT coalesce(history, false)",
          tu_sql_str(md));
  /* Each candle close with whether its symbol held a position then: after the fills of that
   * candle's time (they come before its close), what was opened less what was closed, in
   * either book. */
  exec_ok(db, "CREATE OR REPLACE TABLE held AS SELECT m.symbol, m.day, m.time, coalesce(bool_or(h."
              "qty > 1e-9), false) AS open FROM md m LEFT JOIN (SELECT m2.symbol, m2.time, "
              "f.position_type, sum(CASE WHEN f.opening THEN f.executed_qty ELSE -f.executed_qty "
              "END) AS qty FROM md m2 JOIN fills f ON f.symbol = m2.symbol AND f.executed_at <= "
              "m2.time GROUP BY ALL) h USING (symbol, time) GROUP BY ALL");
}

/* Unrealized pnl at the end of a scope of days (cond, such as "<= '2025-10-02'") of the symbols
 * of sym (such as "LIKE '%'"): the open rest of each lot marked at its symbol's latest close,
 * net of the rest of its entry fee. */
static double unrealized_of(tu_db *db, const char *cond, const char *sym) {
  return qd(db,
            "SELECT coalesce(sum(CASE WHEN rest <= 1e-9 THEN 0 ELSE rest * (CASE WHEN "
            "position_type = 'LONG' THEN m.close - price ELSE price - m.close END) - fee * rest "
            "/ qty END), 0) FROM (SELECT o.*, greatest(0, o.hi - greatest(o.lo, "
            "coalesce(cc.closed, 0))) AS rest FROM opens o LEFT JOIN (SELECT symbol, "
            "position_type, sum(executed_qty) AS closed FROM fills WHERE NOT opening AND day %s "
            "GROUP BY ALL) cc USING (symbol, position_type) WHERE o.day %s AND o.symbol %s) l "
            "JOIN (SELECT symbol, arg_max(close, time) AS close FROM md WHERE day %s GROUP BY "
            "symbol) m USING (symbol)",
            cond, cond, sym, cond);
}

static double unrealized(tu_db *db, const char *cond) {
  return unrealized_of(db, cond, "LIKE '%'");
}

/* The buy and hold return of sym in the scope of day (daily: that day; otherwise the session
 * up to it): its latest close over its first close of the scope (for a day, the last close
 * before it when there is one). */
static double buy_and_hold(tu_db *db, const char *sym, const char *day, int daily) {
  return qd(db,
            "SELECT arg_max(close, time) FILTER (day <= '%s') / CASE WHEN %d THEN "
            "coalesce(arg_max(close, time) FILTER (day < '%s'), arg_min(close, time) FILTER (day "
            "= '%s')) ELSE arg_min(close, time) END - 1 FROM md WHERE symbol = '%s'",
            day, daily, day, day, sym);
}

/* The later figures of a block (docs/statistics.md) that the fills and candles give for any
 * number of symbols: profit factor, expectancy, buy and hold, and each symbol's figures. */
static void check_later_figures(tu_db *db, const char *scope, const char *cond, const char *day,
                                int daily, const argo_stats_block *b, const argo__stats_doc *d) {
  double v[4];
  qrow(db, v, 4,
       "SELECT coalesce(sum(pnl) FILTER (pnl > 0), 0), coalesce(sum(pnl) FILTER (pnl < 0), 0), "
       "count(*), coalesce(sum(pnl), 0) FROM fills WHERE NOT opening AND day %s",
       cond);
  fprintf(stderr, "  %s: gross profit %.4f, gross loss %.4f, %lld closing fills\n", scope, v[0],
          v[1], (long long)v[2]);
  CHECK_NEAR(v[0], b->gross_profit, 1e-6);
  CHECK_NEAR(v[1], b->gross_loss, 1e-6);
  CHECK_NEAR(v[1] < 0 ? v[0] / -v[1] : 0, b->profit_factor, 1e-9);
  CHECK_NEAR(v[2] > 0 ? v[3] / v[2] : 0, b->expectancy, 1e-9);
  CHECK_EQ_INT((int64_t)d->s.nsymbols, (int64_t)d->nby_symbol);
  double bh = 0;
  for (size_t i = 0; i < d->nby_symbol; i++) {
    const char *sym = d->by_symbol[i].symbol;
    const argo_symbol_block *y = daily ? &d->by_symbol[i].daily : &d->by_symbol[i].cumulative;
    char in_sym[64], today[64], before[64];
    snprintf(in_sym, sizeof in_sym, "= '%s'", sym);
    snprintf(today, sizeof today, daily ? "= '%s'" : "<= '%s'", day);
    snprintf(before, sizeof before, "< '%s'", day);
    double f[5];
    qrow(db, f, 5,
         "SELECT count(*), count(*) FILTER (NOT opening AND pnl > 0), count(*) FILTER (NOT "
         "opening AND pnl < 0), coalesce(sum(pnl), 0), coalesce(sum(commission), 0) FROM fills "
         "WHERE symbol = '%s' AND day %s",
         sym, cond);
    CHECK_STR(d->s.symbols[i], sym);
    CHECK_EQ_INT((int64_t)f[0], y->fills);
    CHECK_EQ_INT((int64_t)f[1], y->winning);
    CHECK_EQ_INT((int64_t)f[2], y->losing);
    CHECK_NEAR(f[1] + f[2] > 0 ? f[1] / (f[1] + f[2]) : 0, y->win_rate, 1e-12);
    CHECK_NEAR(f[3], y->realized_pnl, 1e-6);
    CHECK_NEAR(f[4], y->fees, 1e-6);
    CHECK_EQ_INT(q(db, "SELECT count(*) FROM pieces WHERE symbol = '%s' AND day %s", sym, cond),
                 y->round_trips);
    char sofar[64];
    snprintf(sofar, sizeof sofar, "<= '%s'", day);
    double u = unrealized_of(db, sofar, in_sym) - (daily ? unrealized_of(db, before, in_sym) : 0);
    CHECK_NEAR(u, y->unrealized_pnl, 1e-6);
    CHECK_NEAR(f[3] + u, y->total_pnl, 1e-6);
    double ex = qd(db,
                   "SELECT coalesce(count(*) FILTER (open) / count(*), 0) FROM held WHERE symbol "
                   "= '%s' AND day %s",
                   sym, cond);
    CHECK_NEAR(ex, y->exposure, 1e-12);
    double bs = buy_and_hold(db, sym, day, daily);
    CHECK_NEAR(bs, y->buy_and_hold_return, 1e-12);
    bh += bs;
    fprintf(stderr,
            "    %s: %lld fills, %lld round trips, realized %.4f, exposure %.4f, buy and "
            "hold %.6f\n",
            sym, (long long)y->fills, (long long)y->round_trips, y->realized_pnl, y->exposure, bs);
  }
  CHECK_NEAR(bh / (double)d->nby_symbol, b->buy_and_hold_return, 1e-12);
}

/* The later figures that need the equity curve (one symbol: the equity table of drawdown()):
 * daily returns of equity (each UTC day's last equity over the one before, the first over the
 * capital), their Sharpe and Sortino ratios annualized with sqrt(365), best and worst day, the
 * return, Calmar, exposure. */
static void check_equity_figures(tu_db *db, const char *scope, const char *day, int daily,
                                 double capital, const argo_stats_block *b) {
  exec_ok(db,
          "CREATE OR REPLACE TEMP TABLE rets AS SELECT day, eq / coalesce(lag(eq) OVER (ORDER BY "
          "day), %.17g) - 1 AS r FROM (SELECT day, arg_max(equity, k) AS eq FROM equity GROUP "
          "BY day)",
          capital);
  double v[7];
  qrow(db, v, 7,
       "SELECT count(*), avg(r), coalesce(stddev_samp(r), 0), sqrt(sum(least(r, 0) ^ 2) / "
       "count(*)), max(r), min(r), product(1 + r) - 1 FROM rets WHERE day %s '%s'",
       daily ? "=" : "<=", day);
  double sharpe = v[0] >= 2 && v[2] > 0 ? v[1] / v[2] * sqrt(365) : 0;
  double sortino = v[0] >= 2 && v[3] > 0 ? v[1] / v[3] * sqrt(365) : 0;
  double calmar = b->max_drawdown > 0 ? v[6] * 365 / v[0] / b->max_drawdown : 0;
  fprintf(stderr,
          "  %s: %lld days, return %.6f, sharpe %.4f, sortino %.4f, calmar %.4f, best %.6f, "
          "worst %.6f\n",
          scope, (long long)v[0], v[6], sharpe, sortino, calmar, v[4], v[5]);
  CHECK_EQ_INT((int64_t)v[0], b->days);
  CHECK_NEAR(v[6], b->total_return, 1e-9);
  CHECK_NEAR(sharpe, b->sharpe_ratio, 1e-6);
  CHECK_NEAR(sortino, b->sortino_ratio, 1e-6);
  CHECK_NEAR(calmar, b->calmar_ratio, 1e-6 * (1 + fabs(calmar)));
  CHECK_NEAR(v[4], b->best_day, 1e-9);
  CHECK_NEAR(v[5], b->worst_day, 1e-9);
  CHECK_NEAR(qd(db, "SELECT count(*) FILTER (open) / count(*) FROM held WHERE day %s '%s'",
                daily ? "=" : "<=", day),
             b->exposure, 1e-12);
}

/* Checks one block of stats.yaml against the fills of a scope of days (cond on `day`). */
static void check_block(tu_db *db, const char *what, const char *cond, double unreal,
                        const argo_stats_block *b) {
  double v[7], h[4];
  qrow(db, v, 7,
       "SELECT count(*), count(*) FILTER (pnl > 0), count(*) FILTER (pnl < 0), coalesce(sum(pnl), "
       "0), coalesce(sum(commission), 0), coalesce(max(pnl) FILTER (pnl > 0), 0), "
       "coalesce(min(pnl) FILTER (pnl < 0), 0) FROM fills WHERE day %s",
       cond);
  qrow(db, h, 4,
       "SELECT count(*), coalesce(min(held), 0), coalesce(max(held), 0), coalesce(sum(q * held) "
       "/ nullif(sum(q), 0), 0) FROM pieces WHERE day %s",
       cond);
  fprintf(stderr, "  %s: %lld fills, %lld won, %lld lost, realized %.6f, %lld pieces\n", what,
          (long long)v[0], (long long)v[1], (long long)v[2], v[3], (long long)h[0]);
  CHECK_EQ_INT((int64_t)v[0], b->number_of_trades);
  CHECK_EQ_INT((int64_t)v[1], b->number_of_winning_trades);
  CHECK_EQ_INT((int64_t)v[2], b->number_of_losing_trades);
  CHECK_NEAR(v[1] + v[2] > 0 ? v[1] / (v[1] + v[2]) : 0, b->win_rate, 1e-12);
  CHECK_NEAR(v[3], b->realized_pnl, 1e-6);
  CHECK_NEAR(v[4], b->total_fees, 1e-6);
  CHECK_NEAR(v[5], b->maximum_profit, 1e-9);
  CHECK_NEAR(v[6], b->maximum_loss, 1e-9);
  CHECK_NEAR(unreal, b->unrealized_pnl, 1e-6);
  CHECK_NEAR(v[3] + unreal, b->total_pnl, 1e-6);
  CHECK_EQ_INT((int64_t)h[0], b->holding_count);
  CHECK_NEAR(h[1], b->holding_min, 1e-6);
  CHECK_NEAR(h[2], b->holding_max, 1e-6);
  CHECK_NEAR(h[3], b->holding_avg, 1e-6);
}

/*
 * max_drawdown from the equity curve, for a session of one symbol: equity is sampled at every
 * candle close, after that candle's fills, as capital + realized + unrealized marked at that
 * close; the session's peak starts at the capital, a day's at the equity when it began.
 * Returns the largest fall as a fraction of the running peak, over the days of cond (daily:
 * the peak restarts each day).
 */
static double drawdown(tu_db *db, double capital, const char *cond, int daily) {
  exec_ok(db,
          "CREATE OR REPLACE TEMP TABLE equity AS WITH c AS (SELECT time, close, day, "
          "row_number() OVER (ORDER BY time) AS k FROM md), r AS (SELECT c.k, coalesce(sum(f.pnl), "
          "0) AS realized FROM c LEFT JOIN fills f ON f.executed_at <= c.time GROUP BY c.k), cc "
          "AS (SELECT c.k, f.position_type, sum(f.executed_qty) AS closed FROM c JOIN fills f ON "
          "NOT f.opening AND f.executed_at <= c.time GROUP BY ALL), u AS (SELECT k, sum(CASE WHEN "
          "rest <= 1e-9 THEN 0 ELSE rest * (CASE WHEN position_type = 'LONG' THEN close - price "
          "ELSE price - close END) - fee * rest / qty END) AS unreal FROM (SELECT c.k, c.close, "
          "o.*, greatest(0, o.hi - greatest(o.lo, coalesce(cc.closed, 0))) AS rest FROM c JOIN "
          "opens o ON o.executed_at <= c.time LEFT JOIN cc ON cc.k = c.k AND cc.position_type = "
          "o.position_type) GROUP BY k) SELECT c.k, c.day, %.17g + r.realized + "
          "coalesce(u.unreal, 0) AS equity FROM c JOIN r USING (k) LEFT JOIN u USING (k)",
          capital);
  return qd(db,
            "WITH e AS (SELECT *, coalesce(lag(equity) OVER (ORDER BY k), %.17g) AS before FROM "
            "equity), s AS (SELECT day, arg_min(before, k) AS start FROM e GROUP BY day), p AS "
            "(SELECT e.*, greatest(CASE WHEN %d THEN s.start ELSE %.17g END, max(equity) OVER "
            "(PARTITION BY CASE WHEN %d THEN e.day ELSE '' END ORDER BY k ROWS UNBOUNDED "
            "PRECEDING)) AS peak FROM e JOIN s USING (day)) SELECT coalesce(max(CASE WHEN peak > "
            "0 THEN (peak - equity) / peak ELSE 0 END), 0) FROM p WHERE day %s",
            capital, daily, capital, daily, cond);
}

/* One day folder: orders, fills and stats agree, and every figure of stats.yaml is what the
 * files say (the daily block, the top-level blocks that repeat it, the cumulative block over
 * the days so far). Returns the number of fills. */
static int64_t check_day(tu_db *db, const char *run, const char *day, double capital,
                         int one_symbol) {
  CHECK_EQ_INT(
      q(db, "SELECT count(DISTINCT order_id) FROM read_parquet(%s)", in(run, "orders.parquet")),
      q(db, "SELECT count(*) FROM read_parquet(%s)", in(run, "orders.parquet")));
  int64_t fills = q(db, "SELECT count(*) FROM read_parquet(%s)", in(run, "trades.parquet"));
  CHECK_EQ_INT(q(db, "SELECT count(*) FROM read_parquet(%s) WHERE status = 'FILLED'",
                 in(run, "orders.parquet")),
               fills);
  CHECK_EQ_INT(0, q(db,
                    "SELECT count(*) FROM read_parquet(%s) t ANTI JOIN read_parquet(%s) o ON "
                    "t.order_id = o.order_id",
                    in(run, "trades.parquet"), in(run, "orders.parquet")));
  CHECK_EQ_INT(fills, q(db, "SELECT count(*) FROM fills WHERE day = '%s'", day));
  char p[8400];
  snprintf(p, sizeof p, "%s/stats.yaml", run);
  char *text = tu_read_file(p);
  CHECK_MSG(text != NULL, "missing %s", p);
  argo__stats_doc d;
  char err[256];
  CHECK_MSG(argo__stats_yaml_parse(text, &d, err, sizeof err) == ARGO_OK, "%s", err);
  char today[64], sofar[64], before[64];
  snprintf(today, sizeof today, "= '%s'", day);
  snprintf(sofar, sizeof sofar, "<= '%s'", day);
  snprintf(before, sizeof before, "< '%s'", day);
  double u_end = unrealized(db, sofar), u_start = unrealized(db, before);
  check_block(db, "daily", today, u_end - u_start, &d.s.daily);
  check_block(db, "cumulative", sofar, u_end, &d.s.cumulative);
  CHECK_NEAR(capital + d.s.cumulative.realized_pnl + u_end, d.s.equity, 1e-6);
  /* The top-level blocks are the day's figures. */
  const argo_stats_block *b = &d.s.daily;
  CHECK_EQ_INT(b->number_of_trades, (int64_t)yaml_num(text, "trade_result", "number_of_trades"));
  CHECK_EQ_INT(b->number_of_winning_trades,
               (int64_t)yaml_num(text, "trade_result", "number_of_winning_trades"));
  CHECK_EQ_INT(b->number_of_losing_trades,
               (int64_t)yaml_num(text, "trade_result", "number_of_losing_trades"));
  CHECK_NEAR(b->win_rate, yaml_num(text, "trade_result", "win_rate"), 1e-12);
  CHECK_NEAR(b->max_drawdown, yaml_num(text, "trade_result", "max_drawdown"), 1e-12);
  CHECK_NEAR(b->realized_pnl, yaml_num(text, "trade_pnl", "realized_pnl"), 1e-9);
  CHECK_NEAR(b->unrealized_pnl, yaml_num(text, "trade_pnl", "unrealized_pnl"), 1e-9);
  CHECK_NEAR(b->total_pnl, yaml_num(text, "trade_pnl", "total_pnl"), 1e-9);
  CHECK_NEAR(b->maximum_loss, yaml_num(text, "trade_pnl", "maximum_loss"), 1e-9);
  CHECK_NEAR(b->maximum_profit, yaml_num(text, "trade_pnl", "maximum_profit"), 1e-9);
  CHECK_NEAR(b->holding_min, yaml_num(text, "trade_holding_time", "min"), 1e-9);
  CHECK_NEAR(b->holding_max, yaml_num(text, "trade_holding_time", "max"), 1e-9);
  CHECK_NEAR(b->holding_avg, yaml_num(text, "trade_holding_time", "avg"), 1e-9);
  CHECK_NEAR(b->total_fees, yaml_num(text, NULL, "total_fees"), 1e-9);
  check_later_figures(db, "daily", today, day, 1, &d.s.daily, &d);
  check_later_figures(db, "cumulative", sofar, day, 0, &d.s.cumulative, &d);
  if (one_symbol) {
    double dd_day = drawdown(db, capital, today, 1), dd_cum = drawdown(db, capital, sofar, 0);
    fprintf(stderr, "  max_drawdown: daily %.9f, cumulative %.9f\n", dd_day, dd_cum);
    CHECK_NEAR(dd_day, d.s.daily.max_drawdown, 1e-9);
    CHECK_NEAR(dd_cum, d.s.cumulative.max_drawdown, 1e-9);
    check_equity_figures(db, "daily", day, 1, capital, &d.s.daily);
    check_equity_figures(db, "cumulative", day, 0, capital, &d.s.cumulative);
  }
  free(text);
  argo__stats_doc_free(&d);
  return fills;
}

/* argo query's round_trips of the session are the FIFO pieces rebuilt here from the fills:
 * row for row (symbol, side, times, prices, quantity, pnl, fees), each with its return and
 * duration. */
static void check_round_trips(tu_db *db) {
  char rt[4400], sql[4600], *e = NULL;
  snprintf(rt, sizeof rt, "%s.round_trips.parquet", out);
  snprintf(sql, sizeof sql, "COPY (SELECT * FROM round_trips) TO %s (FORMAT PARQUET)",
           tu_sql_str(rt));
  int rc = tu_argo(NULL, &e, "query", sql, "--data-output", out, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  int64_t n = q(db, "SELECT count(*) FROM pieces");
  CHECK_EQ_INT(n, q(db, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(rt)));
  CHECK_EQ_INT(
      0, q(db, "SELECT count(*) FROM read_parquet(%s) WHERE entry_time IS NULL", tu_sql_str(rt)));
  CHECK_EQ_INT(n, q(db,
                    "SELECT count(*) FROM pieces p JOIN read_parquet(%s) r ON r.symbol = "
                    "p.symbol AND r.side = p.position_type AND r.entry_time = p.entry_time AND "
                    "r.exit_time = p.exit_time AND r.entry_price = p.entry_price AND r.exit_price "
                    "= p.exit_price AND abs(r.quantity - p.q) < 1e-9 AND abs(r.pnl - p.pnl) < "
                    "1e-9 AND abs(r.fees - p.fees) < 1e-9 AND abs(r.return_pct - p.pnl / "
                    "(p.entry_price * p.q) * 100) < 1e-9 AND epoch(r.duration) = p.held AND "
                    "r.date = CAST(p.day AS DATE)",
                    tu_sql_str(rt)));
  /* Their pnl is the realized pnl of the fills. */
  CHECK_NEAR(qd(db, "SELECT sum(pnl) FROM fills"),
             qd(db, "SELECT sum(pnl) FROM read_parquet(%s)", tu_sql_str(rt)), 1e-6);
  unlink(rt);
}

static void run_plugin(const char *so, const char *config, const char *pattern,
                       const char *symbols) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", ARGO_PLUGIN_DIR, so);
  char *e = NULL;
  int rc =
      tu_argo(NULL, &e, "run", "--strategy", path, "--strategy-config", config, "--bars", "3000",
              "--interval", "1m", "--start", "2025-10-01T12:00:00Z", "--pattern", pattern,
              "--symbols", symbols, "--capital", "10000", "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "%s: exit %d: %s", so, rc, e);
  free(e);
}

TEST(e2e_example_plugins_trade_and_their_records_agree) {
  /* One symbol for two of them, so that the equity curve (and so max_drawdown) can be rebuilt
   * from the candles and fills alone; two symbols for the other. */
  static const struct {
    const char *so, *config, *pattern, *symbols;
  } plugins[] = {
      {"ema_cross.so", "{\"fast\": 8, \"slow\": 21}", "volatile", "BTCUSDT,ETHUSDT"},
      {"rsi_reversion.so", "{\"period\": 10, \"oversold\": 35, \"overbought\": 65}", "volatile",
       "BTCUSDT"},
      {"short_breakdown.so", "{\"lookback\": 15}", "decreasing", "ETHUSDT"},
  };
  for (size_t i = 0; i < 3; i++) {
    snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-plugin"));
    fprintf(stderr, "%s on %s:\n", plugins[i].so, plugins[i].symbols);
    run_plugin(plugins[i].so, plugins[i].config, plugins[i].pattern, plugins[i].symbols);
    tu_db db;
    tu_db_open(&db);
    session_views(&db, out);
    int64_t fills = 0;
    const char *days[] = {"2025-10-01", "2025-10-02", "2025-10-03"};
    for (int d = 0; d < 3; d++) {
      char run[4300];
      snprintf(run, sizeof run, "%s/%s/run_1", out, days[d]);
      CHECK_MSG(argo__fs_is_dir(run), "missing %s", run);
      fills += check_day(&db, run, days[d], 10000, strchr(plugins[i].symbols, ',') == NULL);
    }
    CHECK_MSG(fills > 4, "%s made only %lld fills", plugins[i].so, (long long)fills);
    check_round_trips(&db);
    /* Something was closed, so the holding times and maxima above were not all zero. */
    CHECK(q(&db, "SELECT count(*) FROM pieces") > 0);
    char all[4400];
    snprintf(all, sizeof all, "%s/*/run_1/orders.parquet", out);
    if (i == 1) {
      /* Limit orders, and some of them expired. */
      CHECK(q(&db, "SELECT count(*) FROM read_parquet(%s) WHERE order_type = 'LIMIT'",
              tu_sql_str(all)) > 0);
      CHECK(q(&db, "SELECT count(*) FROM read_parquet(%s) WHERE status = 'CANCELLED'",
              tu_sql_str(all)) > 0);
    }
    if (i == 2) {
      /* Short positions opened and closed with realized pnl. */
      CHECK(q(&db, "SELECT count(*) FROM fills WHERE position_type = 'SHORT' AND side = 'SELL'") >
            0);
      CHECK(q(&db, "SELECT count(*) FROM fills WHERE position_type = 'SHORT' AND side = 'BUY' "
                   "AND pnl <> 0") > 0);
    }
    tu_db_close(&db);
    tu_rm_rf(out);
  }
}

/* The smallest plugin of docs/strategies.md builds with the command the page gives, from the
 * repository's folder (-I include: #include <argo/strategy.h>, as the header itself says), and
 * runs. */
TEST(e2e_the_smallest_plugin_of_the_docs_builds_as_they_say_and_runs) {
  char path[4200], dir[4200], src[4400], cmd[16000];
  snprintf(path, sizeof path, "%s/docs/strategies.md", ARGO_SOURCE_DIR);
  char *doc = tu_read_file(path);
  CHECK(doc != NULL);
  const char *sec = strstr(doc, "## 1. The smallest plugin");
  CHECK(sec != NULL);
  const char *code = strstr(sec, "```c\n"), *end = code ? strstr(code + 5, "```\n") : NULL;
  const char *sh = end ? strstr(end, "```sh\n") : NULL;
  CHECK(code && end && sh);
  code += 5;
  sh += 6;
  char build[512];
  snprintf(build, sizeof build, "%.*s", (int)strcspn(sh, "\n"), sh);
  CHECK_MSG(strncmp(build, "cc ", 3) == 0, "the build line: %s", build);
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("e2e-docplugin"));
  snprintf(src, sizeof src, "%s/hourly_buyer.c", dir);
  char *c = strndup(code, (size_t)(end - code));
  tu_write_file(src, c);
  free(c);
  /* The command as the page gives it, run where it says: the repository's folder (its include
   * folder), writing into dir. */
  snprintf(cmd, sizeof cmd, "cd %s && %s -Werror", tu_sql_str(ARGO_SOURCE_DIR), build);
  char *p = strstr(cmd, "-o hourly_buyer.so hourly_buyer.c");
  CHECK(p != NULL);
  snprintf(p, sizeof cmd - (size_t)(p - cmd), "-o %s/hourly_buyer.so %s -Werror", dir, src);
  char *argv[] = {"/bin/sh", "-c", cmd, NULL};
  char *e = NULL;
  int rc = tu_run(argv, NULL, &e);
  CHECK_MSG(rc == 0, "%s: exit %d: %s", cmd, rc, e);
  free(e);
  free(doc);
  char so[4400];
  snprintf(so, sizeof so, "%s/hourly_buyer.so", dir);
  snprintf(out, sizeof out, "%s/data", dir);
  rc = tu_argo(NULL, &e, "run", "--strategy", so, "--bars", "200", "--data-output", out, "--quiet",
               NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  tu_rm_rf(dir);
}

/* argo strategies describes a plugin file, or a builtin, by name; a file that is not a plugin
 * is one line and exit code 2, with nothing printed. */
TEST(e2e_strategies_describes_a_plugin_file) {
  char so[4200];
  snprintf(so, sizeof so, "%s/ema_cross.so", ARGO_PLUGIN_DIR);
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "strategies", so, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_MSG(strncmp(o, "ema_cross (org.argo.examples.ema_cross, version 1.0.0)\n", 55) == 0, "%s",
            o);
  CHECK_CONTAINS(o, "config schema: {");
  free(o);
  free(e);
  rc = tu_argo(&o, &e, "strategies", "--json", so, "pingpong", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  json_error_t je;
  json_t *j = json_loads(o, 0, &je);
  CHECK_MSG(json_is_array(j) && json_array_size(j) == 2, "%s", o);
  CHECK_STR("ema_cross", json_string_value(json_object_get(json_array_get(j, 0), "name")));
  CHECK_STR("pingpong", json_string_value(json_object_get(json_array_get(j, 1), "name")));
  CHECK(json_is_object(json_object_get(json_array_get(j, 0), "config_schema")));
  json_decref(j);
  free(o);
  free(e);
  char bad[4200];
  snprintf(bad, sizeof bad, "%s/docs/statistics.md", ARGO_SOURCE_DIR);
  tu_check_refused("cannot load strategy plugin", bad, (char *[]){"strategies", bad, NULL});
  tu_check_refused("unknown strategy 'nosuch'", NULL, (char *[]){"strategies", "nosuch", NULL});
}

static void expect_plugin_error(const char *spec, const char *want) {
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", spec, "--data-output", out, "--bars", "5", NULL);
  CHECK_MSG(rc == 2, "%s: exit %d (want 2): %s", spec, rc, e);
  CHECK_CONTAINS(e, want);
  CHECK_MSG(strchr(e, '\n') == e + strlen(e) - 1, "more than one line: %s", e);
  free(e);
}

TEST(e2e_broken_plugins_give_one_line_errors) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-badplugin"));
  char p[4200];
  snprintf(p, sizeof p, "%s/bad_abi.so", ARGO_TEST_PLUGIN_DIR);
  expect_plugin_error(p, "strategy ABI version 999; this argo supports version 1");
  snprintf(p, sizeof p, "%s/no_entry.so", ARGO_TEST_PLUGIN_DIR);
  expect_plugin_error(p, "it has no argo_strategy_entry function");
  snprintf(p, sizeof p, "%s/fake.so", out);
  tu_write_file(p, "this is a text file, not a shared object\n");
  expect_plugin_error(p, "cannot load strategy plugin");
  /* A failed load writes nothing: the data output folder is never created. */
  char never[4300];
  snprintf(never, sizeof never, "%s/never", out);
  char *e = NULL;
  snprintf(p, sizeof p, "%s/no_entry.so", ARGO_TEST_PLUGIN_DIR);
  CHECK_EQ_INT(2, tu_argo(NULL, &e, "run", "--strategy", p, "--data-output", never, NULL));
  free(e);
  CHECK_MSG(!argo__fs_exists(never), "%s was created", never);
  tu_rm_rf(out);
}

TEST(e2e_a_plugin_with_an_older_shorter_table_runs) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-shorttable"));
  char p[4200];
  snprintf(p, sizeof p, "%s/short_table.so", ARGO_TEST_PLUGIN_DIR);
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", p, "--bars", "20", "--symbols", "BTCUSDT",
                   "--start", "2025-10-01T10:00:00Z", "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  char run[4300];
  snprintf(run, sizeof run, "%s/2025-10-01/run_1", out);
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(10, q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "trades.parquet")));
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(e2e_a_failing_strategy_is_reported_and_the_session_goes_on) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-stratfail"));
  char p[4200], ev[4300];
  snprintf(p, sizeof p, "%s/probe.so", ARGO_TEST_PLUGIN_DIR);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  char *e = NULL;
  int rc =
      tu_argo(NULL, &e, "run", "--strategy", p, "--strategy-config", "{\"fail\": 10}", "--bars",
              "50", "--symbols", "BTCUSDT", "--data-output", out, "--events", ev, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_CONTAINS(e, "probe failure on purpose");
  free(e);
  char *text = tu_read_file(ev);
  int n = 0;
  for (char *s = text; (s = strstr(s, "\"strategy_error\"")); s++) {
    n++;
  }
  free(text);
  CHECK_EQ_INT(5, n);
  tu_rm_rf(out);
}

TEST(e2e_host_calls_with_null_pointers_fail_cleanly) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-nullargs"));
  char p[4200];
  snprintf(p, sizeof p, "%s/nullargs.so", ARGO_TEST_PLUGIN_DIR);
  char *e = NULL;
  /* Before the host functions checked their pointers, the first of these calls
   * (get_positions(ctx, NULL, 100)) killed the session with SIGSEGV. */
  int rc = tu_argo(NULL, &e, "run", "--strategy", p, "--bars", "5", "--symbols", "BTCUSDT",
                   "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_MSG(!e || !strstr(e, "strategy error"), "%s", e);
  free(e);
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(1, q(&db,
                    "SELECT count(*) FROM read_parquet(%s) WHERE message = 'nullargs: all "
                    "checked'",
                    in(out, "2025-10-01/run_1/logs.parquet")));
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(e2e_warm_restart_has_the_indicator_ready_at_the_first_live_candle) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-warm"));
  char p[4200];
  snprintf(p, sizeof p, "%s/probe.so", ARGO_TEST_PLUGIN_DIR);
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", p, "--strategy-config", "{\"n\": 5}", "--bars",
                   "20", "--symbols", "BTCUSDT", "--start", "2025-10-01T10:00:00Z", "--data-output",
                   out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "run 1: exit %d: %s", rc, e);
  free(e);
  rc = tu_argo(NULL, &e, "run", "--strategy", p, "--strategy-config", "{\"n\": 5}", "--bars", "3",
               "--symbols", "BTCUSDT", "--start", "2025-10-01T10:20:00Z", "--seed", "99",
               "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "run 2: exit %d: %s", rc, e);
  free(e);
  char run2[4300];
  snprintf(run2, sizeof run2, "%s/2025-10-01/run_2", out);
  char sp[4400];
  snprintf(sp, sizeof sp, "%s/stats.yaml", run2);
  char *text = tu_read_file(sp);
  argo__stats_doc d;
  char err[256];
  CHECK_MSG(argo__stats_yaml_parse(text, &d, err, sizeof err) == ARGO_OK, "%s", err);
  free(text);
  CHECK_STR("2025-10-01/run_1", d.resumed_from);
  argo__stats_doc_free(&d);
  /* The probe's average at run 2's first candle is the average of run 1's last four closes
   * and run 2's first close: the history it would have had in one continuous session. */
  tu_db db;
  tu_db_open(&db);
  char sql[16384];
  snprintf(sql, sizeof sql,
           "SELECT CAST(json_extract_string(fields, '$.sma') AS DOUBLE) - (SELECT avg(close) FROM "
           "((SELECT close FROM read_parquet(%s) ORDER BY time DESC LIMIT 4) UNION ALL (SELECT "
           "close FROM read_parquet(%s) ORDER BY time LIMIT 1))) FROM read_parquet(%s) ORDER BY "
           "id LIMIT 1",
           in(out, "2025-10-01/run_1/market_data.parquet"), in(run2, "market_data.parquet"),
           in(run2, "logs.parquet"));
  CHECK_NEAR(0, tu_q_double(&db, sql), 1e-9);
  snprintf(
      sql, sizeof sql,
      "SELECT json_extract_string(fields, '$.count') FROM read_parquet(%s) ORDER BY id LIMIT 1",
      in(run2, "logs.parquet"));
  char *count = tu_q_str(&db, sql);
  CHECK_STR("5", count);
  free(count);
  /* Nothing of the warm-up was recorded in run 2: its logs start at its own first candle. */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", in(run2, "logs.parquet"));
  CHECK_EQ_INT(3, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_rm_rf(out);
}

/* Loads an events file into a table ev (event, order_id, status, reason, symbol, fill_price;
 * NULL where an event has no such field). */
static void load_events(tu_db *db, const char *path) {
  exec_ok(db, "CREATE OR REPLACE TABLE ev (event VARCHAR, order_id VARCHAR, status VARCHAR, "
              "reason VARCHAR, symbol VARCHAR, fill_price DOUBLE)");
  char *text = tu_read_file(path);
  CHECK_MSG(text != NULL, "no events file %s", path);
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    json_error_t je;
    json_t *j = json_loads(line, 0, &je);
    CHECK_MSG(j != NULL, "not JSON: %s (%s)", line, je.text);
    json_t *o = json_object_get(j, "order"), *f = json_object_get(j, "fill");
    const char *v[5] = {json_string_value(json_object_get(j, "event")),
                        json_string_value(json_object_get(o, "order_id")),
                        json_string_value(json_object_get(o, "status")),
                        json_string_value(json_object_get(o, "reason")),
                        json_string_value(json_object_get(o, "symbol"))};
    char sql[4096];
    size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO ev VALUES (");
    for (int i = 0; i < 5; i++) {
      n += (size_t)snprintf(sql + n, sizeof sql - n, "%s, ", v[i] ? tu_sql_str(v[i]) : "NULL");
    }
    json_t *px = json_object_get(f, "executed_price");
    if (json_is_number(px)) {
      snprintf(sql + n, sizeof sql - n, "'%.17g'::DOUBLE)", json_number_value(px));
    } else {
      snprintf(sql + n, sizeof sql - n, "NULL)");
    }
    exec_ok(db, "%s", sql);
    json_decref(j);
  }
  free(text);
}

TEST(e2e_rejected_orders_reach_orders_parquet_with_their_reasons) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-reject"));
  char p[4200], ev[4300];
  snprintf(p, sizeof p, "%s/rejector.so", ARGO_TEST_PLUGIN_DIR);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", p, "--symbols", "BTCUSDT,ETHUSDT", "--bars", "3",
                   "--start", "2025-10-01T10:00:00Z", "--capital", "10000", "--data-output", out,
                   "--events", ev, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  char run[4300];
  snprintf(run, sizeof run, "%s/2025-10-01/run_1", out);
  tu_db db;
  tu_db_open(&db);
  exec_ok(&db, "CREATE VIEW orders AS SELECT * FROM read_parquet(%s)", in(run, "orders.parquet"));
  exec_ok(&db, "CREATE VIEW logs AS SELECT * FROM read_parquet(%s)", in(run, "logs.parquet"));
  load_events(&db, ev);
  /* Each case of the plugin, the reason docs/broker.md gives for it, and the symbol recorded. */
  static const struct {
    const char *name, *reason, *symbol;
  } cases[] = {
      {"buying_power", "insufficient buying power: the order needs %, 10000.00 is available",
       "BTCUSDT"},
      {"position", "insufficient position: selling 1 BTCUSDT but only 0 long is open%", "BTCUSDT"},
      {"zero_quantity", "quantity must be a positive number, got 0", "BTCUSDT"},
      {"negative_quantity", "quantity must be a positive number, got -2", "BTCUSDT"},
      {"nan_quantity", "quantity must be a positive number, got nan", "BTCUSDT"},
      {"negative_price", "limit price must be a positive number, got -5", "BTCUSDT"},
      {"zero_price", "limit price must be a positive number, got 0", "BTCUSDT"},
      {"nan_price", "limit price must be a positive number, got nan", "BTCUSDT"},
      {"unknown_symbol", "unknown symbol 'DOGEUSDT'", "DOGEUSDT"},
      {"no_price", "no price yet for ETHUSDT", "ETHUSDT"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char where[256];
    snprintf(where, sizeof where, "FROM logs WHERE message = '%s'", cases[i].name);
    /* The strategy saw ARGO_S_REJECTED, an order id, and the reason as last_error. */
    char sql[2048];
    snprintf(sql, sizeof sql, "SELECT json_extract_string(fields, '$.code') %s", where);
    char *code = tu_q_str(&db, sql);
    CHECK_MSG(strcmp(code, "-2") == 0, "%s: place_order returned %s, want -2 (ARGO_S_REJECTED)",
              cases[i].name, code);
    free(code);
    snprintf(sql, sizeof sql, "SELECT json_extract_string(fields, '$.order_id') %s", where);
    char *id = tu_q_str(&db, sql);
    CHECK_MSG(id[0] != '\0', "%s: no order id", cases[i].name);
    char idq[256];
    snprintf(idq, sizeof idq, "%s", tu_sql_str(id));
    /* orders.parquet: one row, REJECTED, with the reason and the symbol asked for. */
    CHECK_EQ_INT(1, q(&db, "SELECT count(*) FROM orders WHERE order_id = %s", idq));
    snprintf(sql, sizeof sql,
             "SELECT status || ' | ' || symbol || ' | ' || reason FROM orders WHERE order_id = %s",
             idq);
    char *row = tu_q_str(&db, sql);
    fprintf(stderr, "  %-18s %s: %s\n", cases[i].name, id, row);
    free(row);
    CHECK_EQ_INT(1, q(&db,
                      "SELECT count(*) FROM orders WHERE order_id = %s AND status = 'REJECTED' AND "
                      "symbol = '%s' AND reason LIKE %s",
                      idq, cases[i].symbol, tu_sql_str(cases[i].reason)));
    CHECK_EQ_INT(1, q(&db, "SELECT count(*) %s AND json_extract_string(fields, '$.error') LIKE %s",
                      where, tu_sql_str(cases[i].reason)));
    /* on_order_placed fired for it, with the same status and reason. */
    CHECK_EQ_INT(1, q(&db,
                      "SELECT count(*) FROM ev e JOIN orders o USING (order_id) WHERE "
                      "e.event = 'order_placed' AND e.order_id = %s AND e.status = 'REJECTED' AND "
                      "e.reason = o.reason AND e.symbol = o.symbol",
                      idq));
    /* And nothing else happened to it. */
    CHECK_EQ_INT(1, q(&db, "SELECT count(*) FROM ev WHERE order_id = %s", idq));
    free(id);
  }
  /* The good order after them was placed and filled. */
  CHECK_EQ_INT(11, q(&db, "SELECT count(*) FROM orders"));
  CHECK_EQ_INT(10, q(&db, "SELECT count(*) FROM orders WHERE status = 'REJECTED'"));
  CHECK_EQ_INT(1, q(&db, "SELECT count(*) FROM orders WHERE status = 'FILLED' AND reason = ''"));
  CHECK_EQ_INT(11, q(&db, "SELECT count(*) FROM ev WHERE event = 'order_placed'"));
  CHECK_EQ_INT(1, q(&db, "SELECT count(*) FROM ev WHERE event = 'order_filled'"));
  CHECK_EQ_INT(1, q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "trades.parquet")));
  tu_db_close(&db);
  tu_rm_rf(out);
}

/*
 * Orders crossing midnight (docs/files.md, docs/broker.md): each day's orders.parquet is that
 * day's own record. An order appears in every day on which it was placed or changed status,
 * with the status it had at that day's end; its last appearance holds its final status; its
 * fill is in trades.parquet of the day it happened.
 */
TEST(e2e_orders_crossing_midnight_are_recorded_on_each_day_they_change) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-midnight"));
  char csv[4300], ev[4300], p[4200];
  snprintf(csv, sizeof csv, "%s/candles.csv", out);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(p, sizeof p, "%s/midnight.so", ARGO_TEST_PLUGIN_DIR);
  /* Lows: 99 on day 1; 90 at day 2's first candle (fills the bid at 95, at 95: it opened at
   * 99); 95.5 for the rest of day 2; 79 at day 3's first candle (fills the bid at 80). */
  tu_write_file(csv, "time,symbol,open,high,low,close,volume\n"
                     "2025-10-01T23:57:00Z,BTCUSDT,100,101,99,100,1\n"
                     "2025-10-01T23:58:00Z,BTCUSDT,100,101,99,100,1\n"
                     "2025-10-01T23:59:00Z,BTCUSDT,100,101,99,100,1\n"
                     "2025-10-02T00:00:00Z,BTCUSDT,99,100,90,96,1\n"
                     "2025-10-02T00:01:00Z,BTCUSDT,96,97,95.5,96,1\n"
                     "2025-10-02T00:02:00Z,BTCUSDT,96,97,95.5,96,1\n"
                     "2025-10-03T00:00:00Z,BTCUSDT,85,86,79,82,1\n"
                     "2025-10-03T00:01:00Z,BTCUSDT,82,83,81,82,1\n");
  char data[4300];
  snprintf(data, sizeof data, "%s/data", out);
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--feed", "replay", "--replay-file", csv, "--symbols",
                   "BTCUSDT", "--interval", "1m", "--strategy", p, "--data-output", data,
                   "--events", ev, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  tu_db db;
  tu_db_open(&db);
  char glob_orders[4400];
  snprintf(glob_orders, sizeof glob_orders, "%s/*/run_1/orders.parquet", data);
  exec_ok(
      &db,
      "CREATE VIEW orders AS SELECT *, regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})/run_1', "
      "1) AS day FROM read_parquet(%s, filename = true)",
      tu_sql_str(glob_orders));
  char run1[4400];
  snprintf(run1, sizeof run1, "%s/2025-10-01/run_1", data);
  exec_ok(&db,
          "CREATE TABLE ids AS SELECT json_extract_string(fields, '$.name') AS name, "
          "json_extract_string(fields, '$.order_id') AS order_id FROM read_parquet(%s) WHERE "
          "message = 'placed'",
          in(run1, "logs.parquet"));
  CHECK_EQ_INT(4, q(&db, "SELECT count(*) FROM ids"));
  /* Per day: which orders, with which status. */
  static const struct {
    const char *day, *rows;
  } want[] = {
      {"2025-10-01", "cancel_next_day=PENDING, fill_day_after=PENDING, fill_next_day=PENDING, "
                     "never=PENDING"},
      {"2025-10-02", "cancel_next_day=CANCELLED, fill_next_day=FILLED"},
      {"2025-10-03", "fill_day_after=FILLED"},
  };
  for (int d = 0; d < 3; d++) {
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(string_agg(name || '=' || status, ', ' ORDER BY name), '') FROM "
             "orders JOIN ids USING (order_id) WHERE day = '%s'",
             want[d].day);
    char *got = tu_q_str(&db, sql);
    CHECK_MSG(strcmp(got, want[d].rows) == 0, "%s: orders.parquet holds %s, want %s", want[d].day,
              got, want[d].rows);
    free(got);
    CHECK_EQ_INT(0, q(&db,
                      "SELECT count(*) FROM orders WHERE day = '%s' AND order_id NOT IN "
                      "(SELECT order_id FROM ids)",
                      want[d].day));
  }
  /* An order keeps its placement time on every day it appears. */
  CHECK_EQ_INT(0, q(&db, "SELECT count(*) FROM orders WHERE timestamp <> TIMESTAMP '2025-10-01 "
                         "23:57:00'"));
  /* The last appearance of each order holds its final status. */
  char *fin = tu_q_str(&db, "SELECT string_agg(name || '=' || status, ', ' ORDER BY name) FROM "
                            "(SELECT order_id, arg_max(status, day) AS status FROM orders GROUP "
                            "BY order_id) JOIN ids USING (order_id)");
  CHECK_STR("cancel_next_day=CANCELLED, fill_day_after=FILLED, fill_next_day=FILLED, "
            "never=PENDING",
            fin);
  free(fin);
  /* Fills are in the trades of the day they happened. */
  char glob_trades[4400];
  snprintf(glob_trades, sizeof glob_trades, "%s/*/run_1/trades.parquet", data);
  exec_ok(
      &db,
      "CREATE VIEW trades AS SELECT *, regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})/run_1', "
      "1) AS day FROM read_parquet(%s, filename = true)",
      tu_sql_str(glob_trades));
  char *tr = tu_q_str(&db, "SELECT string_agg(day || ' ' || name || ' @ ' || executed_price || ' "
                           "at ' || strftime(executed_at, '%H:%M'), ', ' ORDER BY day) FROM "
                           "trades JOIN ids USING (order_id)");
  CHECK_STR("2025-10-02 fill_next_day @ 95.0 at 00:00, 2025-10-03 fill_day_after @ 80.0 at 00:00",
            tr);
  free(tr);
  CHECK_EQ_INT(2, q(&db, "SELECT count(*) FROM trades"));
  /* The callbacks: four placements, two fills, one cancellation, each once. */
  load_events(&db, ev);
  char *evs = tu_q_str(&db, "SELECT string_agg(name || ':' || event || ':' || status, ', ' ORDER "
                            "BY name, event) FROM ev JOIN ids USING (order_id)");
  CHECK_STR("cancel_next_day:order_placed:PENDING, cancel_next_day:order_updated:CANCELLED, "
            "fill_day_after:order_filled:FILLED, fill_day_after:order_placed:PENDING, "
            "fill_next_day:order_filled:FILLED, fill_next_day:order_placed:PENDING, "
            "never:order_placed:PENDING",
            evs);
  free(evs);
  tu_db_close(&db);
  tu_rm_rf(out);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(e2e_example_plugins_trade_and_their_records_agree);
  RUN(e2e_broken_plugins_give_one_line_errors);
  RUN(e2e_the_smallest_plugin_of_the_docs_builds_as_they_say_and_runs);
  RUN(e2e_strategies_describes_a_plugin_file);
  RUN(e2e_a_plugin_with_an_older_shorter_table_runs);
  RUN(e2e_a_failing_strategy_is_reported_and_the_session_goes_on);
  RUN(e2e_host_calls_with_null_pointers_fail_cleanly);
  RUN(e2e_warm_restart_has_the_indicator_ready_at_the_first_live_candle);
  RUN(e2e_rejected_orders_reach_orders_parquet_with_their_reasons);
  RUN(e2e_orders_crossing_midnight_are_recorded_on_each_day_they_change);
  return test_summary();
}
