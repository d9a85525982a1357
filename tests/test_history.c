/*
 * Stored history (history.c): the warm-restart window takes each (symbol, time) once when runs
 * cover the same period, newest first; the mark and log ids of earlier runs are read file by
 * file, and an unreadable file is moved aside and reported while the others still count.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "persist/history.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"
#include "util/util.h"

#define T0 INT64_C(1759309200000000) /* 2025-10-01T09:00:00Z */
#define MIN INT64_C(60000000)

static char dir[4096];

static const char *run_dir(const char *day, int run) {
  static char buf[4][4300];
  static int next;
  char *b = buf[next++ % 4];
  char d[4200];
  snprintf(d, sizeof d, "%s/%s", dir, day);
  mkdir(d, 0755);
  snprintf(b, sizeof buf[0], "%s/run_%d", d, run);
  mkdir(b, 0755);
  return b;
}

static void sql_ok(const char *sql) {
  tu_db d;
  tu_db_open(&d);
  char why[512];
  CHECK_MSG(tu_exec(&d, sql, why, sizeof why) == 0, "%s: %s", why, sql);
  tu_db_close(&d);
}

/* Candles of BTCUSDT and ETHUSDT at minutes [from, to) after T0 into run's market_data. */
static void write_candles(const char *run, int from, int to) {
  char sql[8800];
  snprintf(sql, sizeof sql,
           "COPY (SELECT make_timestamp(%lld + (i // 2) * %lld) AS time, CASE WHEN i %% 2 = 0 "
           "THEN 'BTCUSDT' ELSE 'ETHUSDT' END AS symbol, 100.0 + i AS open, 101.0 + i AS high, "
           "99.0 + i AS low, 100.5 + i AS close, 1.0 AS volume, false AS history FROM "
           "range(%d, %d) r(i)) TO '%s/market_data.parquet' (FORMAT PARQUET)",
           (long long)T0, (long long)MIN, 2 * from, 2 * to, run);
  sql_ok(sql);
}

static const char *const syms[] = {"BTCUSDT", "ETHUSDT"};

/* Loads up to per_symbol candles of both symbols before T0 + 100 min; checks that each
 * (symbol, time) comes once, in time order, and that the symbol's times are exactly
 * [first, last] minutes after T0. */
static void check_window(size_t per_symbol, int first, int last) {
  argo__stored st;
  char err[512];
  CHECK_MSG(argo__history_load(dir, syms, 2, "1m", T0 + 100 * MIN, per_symbol, &st, NULL, NULL, err,
                               sizeof err) == ARGO_OK,
            "%s", err);
  CHECK_EQ_INT(2 * (last - first + 1), st.n);
  for (size_t s = 0; s < 2; s++) {
    int64_t want = T0 + first * MIN;
    for (size_t i = 0; i < st.n; i++) {
      if (strcmp(st.candles[i].symbol, syms[s]) != 0) {
        continue;
      }
      CHECK_MSG(st.candles[i].time == want, "%s: candle %zu at minute %lld, want minute %lld",
                syms[s], i, (long long)((st.candles[i].time - T0) / MIN),
                (long long)((want - T0) / MIN));
      want += MIN;
    }
    CHECK_EQ_INT(T0 + (last + 1) * MIN, want);
  }
  argo__stored_free(&st);
}

TEST(history_load_takes_a_candle_once_when_runs_cover_the_same_period) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("history-dup"));
  /* Two identical runs over minutes 0..9, and a third over 5..14 (it prefetched what the
   * others had, then went on). */
  write_candles(run_dir("2025-10-01", 1), 0, 10);
  write_candles(run_dir("2025-10-01", 2), 0, 10);
  write_candles(run_dir("2025-10-01", 3), 5, 15);
  check_window(50, 0, 14); /* all 15 minutes, each once */
  check_window(12, 3, 14); /* the newest 12 */
  check_window(10, 5, 14); /* run_3 alone */
  tu_rm_rf(dir);
}

TEST(history_load_continues_into_older_days) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("history-days"));
  write_candles(run_dir("2025-09-30", 1), 0, 25);  /* an older day folder: minutes 0..24 */
  write_candles(run_dir("2025-10-01", 1), 22, 36); /* 22..35: overlaps it by three minutes */
  check_window(20, 16, 35);
  tu_rm_rf(dir);
}

typedef struct reports {
  int n;
  argo_err code;
  char last[1024];
} reports;

static void on_report(void *user, argo_err code, const char *message) {
  reports *r = user;
  r->n++;
  r->code = code;
  argo__strlcpy(r->last, message, sizeof r->last);
}

static void write_ids(const char *run, const char *file, int n) {
  char sql[8800];
  snprintf(sql, sizeof sql,
           "COPY (SELECT i + 1 AS id, make_timestamp(%lld) AS time FROM range(%d) r(i)) TO "
           "'%s/%s' (FORMAT PARQUET)",
           (long long)T0, n, run, file);
  sql_ok(sql);
}

TEST(history_last_ids_move_an_unreadable_file_aside_and_count_the_others) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("history-ids"));
  const char *r1 = run_dir("2025-10-01", 1), *r2 = run_dir("2025-10-01", 2);
  const char *r3 = run_dir("2025-10-02", 1);
  write_ids(r1, "marks.parquet", 5);
  write_ids(r1, "logs.parquet", 3);
  write_ids(r3, "logs.parquet", 7);
  write_ids(r3, "marks.parquet", 2);
  char bad[4400];
  snprintf(bad, sizeof bad, "%s/marks.parquet", r2);
  tu_write_file(bad, "PAR1 this is not a Parquet file at all PAR1");
  reports rep = {0};
  int64_t mark = -1, log = -1;
  argo__history_last_ids(dir, &mark, &log, on_report, &rep);
  CHECK_EQ_INT(5, mark);
  CHECK_EQ_INT(7, log);
  CHECK_EQ_INT(1, rep.n);
  CHECK_EQ_INT(ARGO_ECORRUPT, rep.code);
  CHECK_CONTAINS(rep.last, bad);
  CHECK_CONTAINS(rep.last, "moved aside");
  char aside[4500];
  snprintf(aside, sizeof aside, "%s.corrupt", bad);
  CHECK(!argo__fs_exists(bad));
  char *kept = tu_read_file(aside);
  CHECK_STR("PAR1 this is not a Parquet file at all PAR1", kept);
  free(kept);
  /* Next time the count is the same, and nothing more is reported. */
  rep.n = 0;
  argo__history_last_ids(dir, &mark, &log, on_report, &rep);
  CHECK_EQ_INT(5, mark);
  CHECK_EQ_INT(7, log);
  CHECK_EQ_INT(0, rep.n);
  tu_rm_rf(dir);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(history_load_takes_a_candle_once_when_runs_cover_the_same_period);
  RUN(history_load_continues_into_older_days);
  RUN(history_last_ids_move_an_unreadable_file_aside_and_count_the_others);
  return test_summary();
}
