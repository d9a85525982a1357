/*
 * Strategies end to end: the example plugins (built against strategy.h only) run on the
 * simulated feed; their orders, fills and stats are checked against each other in DuckDB;
 * broken plugins give the documented errors; a failing strategy is reported and the session
 * goes on; a warm restart has the indicator ready at the first live candle.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

static char out[4096];

static int64_t q(tu_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static double qd(tu_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int64_t q(tu_db *db, const char *fmt, ...) {
  char sql[8800];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  return tu_q_int(db, sql);
}

static double qd(tu_db *db, const char *fmt, ...) {
  char sql[8800];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  return tu_q_double(db, sql);
}

/* One day folder: orders, fills and stats agree. Returns the number of fills. */
static int64_t check_day(tu_db *db, const char *run) {
  CHECK_EQ_INT(q(db, "SELECT count(DISTINCT order_id) FROM read_parquet('%s/orders.parquet')", run),
               q(db, "SELECT count(*) FROM read_parquet('%s/orders.parquet')", run));
  int64_t fills = q(db, "SELECT count(*) FROM read_parquet('%s/trades.parquet')", run);
  CHECK_EQ_INT(
      q(db, "SELECT count(*) FROM read_parquet('%s/orders.parquet') WHERE status = 'FILLED'", run),
      fills);
  CHECK_EQ_INT(0, q(db,
                    "SELECT count(*) FROM read_parquet('%s/trades.parquet') t ANTI JOIN "
                    "read_parquet('%s/orders.parquet') o ON t.order_id = o.order_id",
                    run, run));
  char p[8400];
  snprintf(p, sizeof p, "%s/stats.yaml", run);
  char *text = tu_read_file(p);
  argo__stats_doc d;
  char err[256];
  CHECK_MSG(argo__stats_yaml_parse(text, &d, err, sizeof err) == ARGO_OK, "%s", err);
  free(text);
  CHECK_EQ_INT(fills, d.s.daily.number_of_trades);
  CHECK_NEAR(qd(db, "SELECT coalesce(sum(pnl), 0) FROM read_parquet('%s/trades.parquet')", run),
             d.s.daily.realized_pnl, 1e-6);
  CHECK_NEAR(
      qd(db, "SELECT coalesce(sum(commission), 0) FROM read_parquet('%s/trades.parquet')", run),
      d.s.daily.total_fees, 1e-6);
  CHECK_EQ_INT(q(db, "SELECT count(*) FROM read_parquet('%s/trades.parquet') WHERE pnl > 0", run),
               d.s.daily.number_of_winning_trades);
  CHECK_EQ_INT(q(db, "SELECT count(*) FROM read_parquet('%s/trades.parquet') WHERE pnl < 0", run),
               d.s.daily.number_of_losing_trades);
  argo__stats_doc_free(&d);
  return fills;
}

static void run_plugin(const char *so, const char *config, const char *pattern) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", ARGO_PLUGIN_DIR, so);
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", path, "--strategy-config", config, "--bars",
                   "3000", "--interval", "1m", "--start", "2025-10-01T12:00:00Z", "--pattern",
                   pattern, "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "%s: exit %d: %s", so, rc, e);
  free(e);
}

TEST(e2e_example_plugins_trade_and_their_records_agree) {
  static const struct {
    const char *so, *config, *pattern;
  } plugins[] = {
      {"ema_cross.so", "{\"fast\": 8, \"slow\": 21}", "volatile"},
      {"rsi_reversion.so", "{\"period\": 10, \"oversold\": 35, \"overbought\": 65}", "volatile"},
      {"short_breakdown.so", "{\"lookback\": 15}", "decreasing"},
  };
  for (size_t i = 0; i < 3; i++) {
    snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-plugin"));
    run_plugin(plugins[i].so, plugins[i].config, plugins[i].pattern);
    tu_db db;
    tu_db_open(&db);
    int64_t fills = 0;
    const char *days[] = {"2025-10-01", "2025-10-02", "2025-10-03"};
    for (int d = 0; d < 3; d++) {
      char run[4300];
      snprintf(run, sizeof run, "%s/%s/run_1", out, days[d]);
      CHECK_MSG(argo__fs_is_dir(run), "missing %s", run);
      fills += check_day(&db, run);
    }
    CHECK_MSG(fills > 4, "%s made only %lld fills", plugins[i].so, (long long)fills);
    char all[4400];
    snprintf(all, sizeof all, "%s/*/run_1", out);
    if (i == 1) {
      /* Limit orders, and some of them expired. */
      CHECK(q(&db,
              "SELECT count(*) FROM read_parquet('%s/orders.parquet') WHERE order_type = "
              "'LIMIT'",
              all) > 0);
      CHECK(q(&db,
              "SELECT count(*) FROM read_parquet('%s/orders.parquet') WHERE status = "
              "'CANCELLED'",
              all) > 0);
    }
    if (i == 2) {
      /* Short positions opened and closed with realized pnl. */
      CHECK(q(&db,
              "SELECT count(*) FROM read_parquet('%s/trades.parquet') WHERE position_type = "
              "'SHORT' AND side = 'SELL'",
              all) > 0);
      CHECK(q(&db,
              "SELECT count(*) FROM read_parquet('%s/trades.parquet') WHERE position_type = "
              "'SHORT' AND side = 'BUY' AND pnl <> 0",
              all) > 0);
    }
    tu_db_close(&db);
    tu_rm_rf(out);
  }
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
  CHECK_EQ_INT(10, q(&db, "SELECT count(*) FROM read_parquet('%s/trades.parquet')", run));
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
           "((SELECT close FROM read_parquet('%s/2025-10-01/run_1/market_data.parquet') ORDER BY "
           "time DESC LIMIT 4) UNION ALL (SELECT close FROM "
           "read_parquet('%s/market_data.parquet') ORDER BY time LIMIT 1))) FROM "
           "read_parquet('%s/logs.parquet') ORDER BY id LIMIT 1",
           out, run2, run2);
  CHECK_NEAR(0, tu_q_double(&db, sql), 1e-9);
  snprintf(sql, sizeof sql,
           "SELECT json_extract_string(fields, '$.count') FROM read_parquet('%s/logs.parquet') "
           "ORDER BY id LIMIT 1",
           run2);
  char *count = tu_q_str(&db, sql);
  CHECK_STR("5", count);
  free(count);
  /* Nothing of the warm-up was recorded in run 2: its logs start at its own first candle. */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s/logs.parquet')", run2);
  CHECK_EQ_INT(3, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_rm_rf(out);
}

int main(void) {
  RUN(e2e_example_plugins_trade_and_their_records_agree);
  RUN(e2e_broken_plugins_give_one_line_errors);
  RUN(e2e_a_plugin_with_an_older_shorter_table_runs);
  RUN(e2e_a_failing_strategy_is_reported_and_the_session_goes_on);
  RUN(e2e_warm_restart_has_the_indicator_ready_at_the_first_live_candle);
  return test_summary();
}
