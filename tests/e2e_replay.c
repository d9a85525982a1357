/*
 * Replay and resume, end to end: replaying an earlier session's market_data.parquet reproduces
 * its trades exactly; a warm restart with --resume-account continues the account (cash and
 * positions) of the run it resumes from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "persist/stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

static char out[4096];

TEST(e2e_replay_of_a_session_reproduces_its_trades) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-replay"));
  char first[4300], again[4300], md[4400];
  snprintf(first, sizeof first, "%s/first", out);
  snprintf(again, sizeof again, "%s/again", out);
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--bars", "1200", "--start", "2025-10-01T00:00:00Z",
                   "--data-output", first, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  snprintf(md, sizeof md, "%s/2025-10-01/run_1/market_data.parquet", first);
  /* No --symbols: the replay takes every symbol of the file. */
  rc = tu_argo(NULL, &e, "run", "--feed", "replay", "--replay-file", md, "--data-output", again,
               "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  tu_db db;
  tu_db_open(&db);
  char sql[16384];
  const char *cols = "symbol, side, timestamp, executed_at, executed_qty, executed_price, "
                     "commission, pnl, position_type";
  snprintf(
      sql, sizeof sql,
      "SELECT count(*) FROM ((SELECT %s FROM read_parquet('%s/2025-10-01/run_1/trades.parquet')"
      " EXCEPT ALL SELECT %s FROM read_parquet('%s/2025-10-01/run_1/trades.parquet')) UNION "
      "ALL (SELECT %s FROM read_parquet('%s/2025-10-01/run_1/trades.parquet') EXCEPT ALL "
      "SELECT %s FROM read_parquet('%s/2025-10-01/run_1/trades.parquet')))",
      cols, first, cols, again, cols, again, cols, first);
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet('%s/2025-10-01/run_1/trades.parquet')", again);
  CHECK(tu_q_int(&db, sql) > 10);
  snprintf(sql, sizeof sql,
           "SELECT count(DISTINCT symbol) FROM "
           "read_parquet('%s/2025-10-01/run_1/market_data.parquet')",
           again);
  CHECK_EQ_INT(2, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_rm_rf(out);
}

static argo__stats_doc stats_of(const char *run) {
  char p[4400];
  snprintf(p, sizeof p, "%s/stats.yaml", run);
  char *text = tu_read_file(p);
  CHECK_MSG(text != NULL, "no %s", p);
  argo__stats_doc d;
  char err[256];
  CHECK_MSG(argo__stats_yaml_parse(text, &d, err, sizeof err) == ARGO_OK, "%s", err);
  free(text);
  return d;
}

TEST(e2e_resume_account_continues_cash_and_positions) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-resume"));
  char *e = NULL;
  /* pingpong every 3 candles over 10 candles: buys at 3, sells at 6, buys at 9: ends long. */
  int rc = tu_argo(NULL, &e, "run", "--strategy", "pingpong", "--strategy-config",
                   "{\"every\": 3, \"qty\": 0.05}", "--symbols", "BTCUSDT", "--bars", "10",
                   "--start", "2025-10-01T10:00:00Z", "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  char run1[4300], run2[4300];
  snprintf(run1, sizeof run1, "%s/2025-10-01/run_1", out);
  snprintf(run2, sizeof run2, "%s/2025-10-01/run_2", out);
  argo__stats_doc d1 = stats_of(run1);
  CHECK(d1.has_account);
  CHECK_EQ_INT(1, d1.npositions);
  CHECK_NEAR(0.05, d1.positions[0].long_qty, 1e-12);
  rc = tu_argo(NULL, &e, "run", "--strategy", "pingpong", "--strategy-config",
               "{\"every\": 3, \"qty\": 0.05}", "--symbols", "BTCUSDT", "--bars", "4", "--start",
               "2025-10-01T10:10:00Z", "--data-output", out, "--resume-account", "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  argo__stats_doc d2 = stats_of(run2);
  CHECK_STR("2025-10-01/run_1", d2.resumed_from);
  /* Holding the resumed position, pingpong's first trade in run 2 sells it. */
  tu_db db;
  tu_db_open(&db);
  char sql[8800];
  snprintf(sql, sizeof sql,
           "SELECT side || ' ' || executed_qty FROM read_parquet('%s/trades.parquet') ORDER BY "
           "executed_at LIMIT 1",
           run2);
  char *first = tu_q_str(&db, sql);
  CHECK_STR("SELL 0.05", first);
  free(first);
  /* Its pnl is measured against the resumed entry price, net of its own fee. */
  snprintf(sql, sizeof sql,
           "SELECT (executed_price - %.17g) * executed_qty - commission - pnl FROM "
           "read_parquet('%s/trades.parquet') ORDER BY executed_at LIMIT 1",
           d1.positions[0].long_avg_price, run2);
  CHECK_NEAR(0, tu_q_double(&db, sql), 1e-9);
  tu_db_close(&db);
  /* The account value carries over: run 2 starts from run 1's cash plus the position at cost. */
  CHECK(d2.has_account);
  argo__stats_doc_free(&d1);
  argo__stats_doc_free(&d2);
  tu_rm_rf(out);
}

TEST(e2e_resume_account_from_an_unreadable_stats_yaml_is_refused) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-resume-bad"));
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", "pingpong", "--symbols", "BTCUSDT", "--bars",
                   "10", "--start", "2025-10-01T10:00:00Z", "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  char run2[4300], stats[4400];
  snprintf(run2, sizeof run2, "%s/2025-10-01/run_2", out);
  snprintf(stats, sizeof stats, "%s/2025-10-01/run_1/stats.yaml", out);
  /* Damaged, then gone: either way the account cannot be resumed, and the session that was
   * asked to resume it does not start (before, it started with fresh capital, exit 0, and its
   * stats.yaml said resumed_from: 2025-10-01/run_1). */
  tu_write_file(stats, "id: \"run_1\"\nstatus: [unclosed\n");
  char *args[] = {"run",
                  "--strategy",
                  "pingpong",
                  "--symbols",
                  "BTCUSDT",
                  "--bars",
                  "4",
                  "--start",
                  "2025-10-01T10:10:00Z",
                  "--data-output",
                  out,
                  "--resume-account",
                  "--quiet",
                  NULL};
  tu_check_refused("cannot resume the account", stats, args);
  CHECK_MSG(!argo__fs_exists(run2), "%s exists", run2);
  CHECK(unlink(stats) == 0);
  tu_check_refused("cannot resume the account", stats, args);
  CHECK_MSG(!argo__fs_exists(run2), "%s exists", run2);
  tu_rm_rf(out);
}

TEST(e2e_replay_of_a_newest_first_csv_with_a_ragged_row_replays_every_good_row) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-replay-csv"));
  char csv[4200], data[4200];
  snprintf(csv, sizeof csv, "%s/candles.csv", out);
  snprintf(data, sizeof data, "%s/data", out);
  /* 1,200 one-minute candles, newest first, the one of 10:00 with a field missing. Before, the
   * file was refused whole ("lacks the column(s) ..."); sorted newest first it replayed 2 rows
   * and skipped the others one line each, with exit 0. */
  FILE *f = fopen(csv, "w");
  CHECK(f != NULL);
  fputs("time,symbol,open,high,low,close,volume\n", f);
  for (int i = 1199; i >= 0; i--) {
    fprintf(f, "%lld,BTCUSDT,100,101,99,100.5%s\n", 1759276800000LL + (long long)i * 60000,
            i == 600 ? "" : ",3");
  }
  fclose(f);
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--feed", "replay", "--replay-file", csv, "--data-output", data,
                   "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  /* The ragged row, the note that the file is not in time order, the summary. */
  CHECK_MSG(tu_count_lines(e) == 3, "%s", e);
  CHECK_CONTAINS(e, "row 600 (line 601): not readable as a row: 6 fields where the header has 7");
  CHECK_CONTAINS(e, "the file is not in time order; its rows are replayed in time order");
  CHECK_CONTAINS(e, "1199 rows replayed, 1 skipped (1 not readable as a row of the file); 1198 "
                    "rows were not in time order in the file and were replayed in time order");
  free(e);
  tu_db db;
  tu_db_open(&db);
  char sql[8800];
  snprintf(sql, sizeof sql,
           "SELECT count(*) * 10 + count(*) FILTER (WHERE time = TIMESTAMP '2025-10-01 10:00:00') "
           "FROM read_parquet('%s/2025-10-01/run_1/market_data.parquet')",
           data);
  CHECK_EQ_INT(11990, tu_q_int(&db, sql)); /* 1199 candles, none at 10:00 */
  tu_db_close(&db);
  tu_rm_rf(out);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(e2e_replay_of_a_session_reproduces_its_trades);
  RUN(e2e_resume_account_continues_cash_and_positions);
  RUN(e2e_resume_account_from_an_unreadable_stats_yaml_is_refused);
  RUN(e2e_replay_of_a_newest_first_csv_with_a_ragged_row_replays_every_good_row);
  return test_summary();
}
