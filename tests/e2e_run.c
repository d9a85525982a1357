/*
 * End to end: the real `argo run` on the simulated feed, checked with DuckDB and the stats.yaml
 * reader. Multi-day sessions, run numbering, schemas of every file, readers polling during a
 * run, --events, signals, and bad input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "persist/stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

static char out[4096];

static argo__stats_doc read_stats(const char *run_dir) {
  char p[8192];
  snprintf(p, sizeof p, "%s/stats.yaml", run_dir);
  return tu_read_stats(p);
}

/* The five Parquet files of a day folder (docs/design.md section 2), written out here on purpose.
 */
static const char *const files[5] = {"orders.parquet", "trades.parquet", "marks.parquet",
                                     "logs.parquet", "market_data.parquet"};

static int64_t q(tu_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats and runs a query returning one integer; paths go in through tu_sql_str. */
static int64_t q(tu_db *db, const char *fmt, ...) {
  char sql[16384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  return tu_q_int(db, sql);
}

/* The quoted SQL literal of dir/file. */
static const char *in(const char *dir, const char *file) {
  char p[8400];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  return tu_sql_str(p);
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static long count_events(const char *text, const char *type);

static void check_file_schema(tu_db *db, const char *run_dir, const char *file) {
  char p[8400];
  snprintf(p, sizeof p, "%s/%s", run_dir, file);
  tu_check_design_schema(db, p, file);
}

TEST(e2e_three_day_session_keeps_run_number_and_splits_by_day) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-days"));
  char *o = NULL, *e = NULL;
  /* 60 hourly candles from Oct 1 09:00 end on Oct 3 20:00. */
  int rc = tu_argo(&o, &e, "run", "--symbols", "BTCUSDT,ETHUSDT", "--interval", "1h", "--start",
                   "2025-10-01T09:00:00Z", "--bars", "60", "--seed", "7", "--strategy", "pingpong",
                   "--strategy-config", "{\"every\": 3}", "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d, stderr: %s", rc, e);
  free(o);
  free(e);
  const char *days[3] = {"2025-10-01", "2025-10-02", "2025-10-03"};
  tu_db db;
  tu_db_open(&db);
  double sum_realized = 0, sum_fees = 0, sum_unreal = 0, sum_total = 0;
  long sum_trades = 0, sum_win = 0, sum_loss = 0, candles = 0;
  argo__stats_doc last;
  memset(&last, 0, sizeof last);
  char session_id[64] = "";
  for (int d = 0; d < 3; d++) {
    char run[8192], sql[16384];
    snprintf(run, sizeof run, "%s/%s/run_1", out, days[d]);
    CHECK_MSG(argo__fs_is_dir(run), "missing %s", run);
    for (int t = 0; t < 5; t++) {
      check_file_schema(&db, run, files[t]);
    }
    /* Each folder holds only its own day's candles, orders and fills. */
    CHECK_EQ_INT(0, q(&db,
                      "SELECT count(*) FROM read_parquet(%s) WHERE strftime(time, '%%Y-%%m-%%d') "
                      "<> '%s'",
                      in(run, "market_data.parquet"), days[d]));
    CHECK_EQ_INT(0, q(&db,
                      "SELECT count(*) FROM read_parquet(%s) WHERE strftime(executed_at, "
                      "'%%Y-%%m-%%d') <> '%s'",
                      in(run, "trades.parquet"), days[d]));
    CHECK_EQ_INT(0, q(&db,
                      "SELECT count(*) FROM read_parquet(%s) WHERE strftime(timestamp, "
                      "'%%Y-%%m-%%d') <> '%s'",
                      in(run, "orders.parquet"), days[d]));
    int64_t md = q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "market_data.parquet"));
    /* Oct 1: 09..23 = 15 hours; Oct 2: 24; Oct 3: 00..20 = 21; two symbols each. */
    const int64_t want_md[3] = {30, 48, 42};
    CHECK_EQ_INT(want_md[d], md);
    candles += md;
    argo__stats_doc s = read_stats(run);
    CHECK_STR("run_1", s.s.id);
    CHECK_STR(days[d], s.s.date);
    /* Days 1 and 2 were finished at the day change, day 3 at the session's end. */
    CHECK_STR("finished", s.s.status);
    if (d == 0) {
      snprintf(session_id, sizeof session_id, "%s", s.s.session_id);
    } else {
      CHECK_STR(session_id, s.s.session_id);
    }
    CHECK_EQ_INT(md, s.s.candles_day);
    /* The day's stats agree with the day's trades file. */
    CHECK_EQ_INT(s.s.daily.number_of_trades,
                 q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "trades.parquet")));
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(pnl), 0) FROM read_parquet(%s)",
             in(run, "trades.parquet"));
    CHECK_NEAR(s.s.daily.realized_pnl, tu_q_double(&db, sql), 1e-6);
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(commission), 0) FROM read_parquet(%s)",
             in(run, "trades.parquet"));
    CHECK_NEAR(s.s.daily.total_fees, tu_q_double(&db, sql), 1e-6);
    CHECK(s.s.daily.number_of_trades > 0);
    sum_trades += s.s.daily.number_of_trades;
    sum_win += s.s.daily.number_of_winning_trades;
    sum_loss += s.s.daily.number_of_losing_trades;
    sum_realized += s.s.daily.realized_pnl;
    sum_fees += s.s.daily.total_fees;
    sum_unreal += s.s.daily.unrealized_pnl;
    sum_total += s.s.daily.total_pnl;
    if (d == 2) {
      last = s;
    } else {
      argo__stats_doc_free(&s);
    }
  }
  /* The last day's cumulative figures are the sums of the daily ones. */
  CHECK_EQ_INT(sum_trades, last.s.cumulative.number_of_trades);
  CHECK_EQ_INT(sum_win, last.s.cumulative.number_of_winning_trades);
  CHECK_EQ_INT(sum_loss, last.s.cumulative.number_of_losing_trades);
  CHECK_NEAR(sum_realized, last.s.cumulative.realized_pnl, 1e-6);
  CHECK_NEAR(sum_fees, last.s.cumulative.total_fees, 1e-6);
  CHECK_NEAR(sum_unreal, last.s.cumulative.unrealized_pnl, 1e-6);
  CHECK_NEAR(sum_total, last.s.cumulative.total_pnl, 1e-6);
  CHECK_EQ_INT(candles, last.s.candles_total);
  CHECK_EQ_INT(120, candles);
  argo__stats_doc_free(&last);
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(e2e_three_sessions_on_one_day_get_run_1_to_3) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-runs"));
  for (int i = 0; i < 3; i++) {
    char *e = NULL;
    int rc = tu_argo(NULL, &e, "run", "--bars", "20", "--start", "2025-10-03T08:00:00Z",
                     "--data-output", out, "--quiet", NULL);
    CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
    free(e);
  }
  for (int i = 1; i <= 3; i++) {
    char p[8192];
    snprintf(p, sizeof p, "%s/2025-10-03/run_%d/stats.yaml", out, i);
    CHECK_MSG(argo__fs_exists(p), "missing %s", p);
  }
  char p[8192];
  snprintf(p, sizeof p, "%s/2025-10-03/run_4", out);
  CHECK(!argo__fs_exists(p));
  tu_rm_rf(out);
}

TEST(e2e_concurrent_sessions_never_share_a_mark_or_log_id) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-ids"));
  /* Four sessions started at once on one data output, each marking and logging on every one of
   * its 1500 candles (more than one range of reserved ids). Before, each continued from the
   * highest id recorded when it started, so all four counted from 1. */
  pid_t pids[4];
  static char errs[4][4300];
  for (int i = 0; i < 4; i++) {
    char *argv[] = {ARGO_BIN,
                    "run",
                    "--strategy",
                    "pingpong",
                    "--strategy-config",
                    "{\"every\": 1}",
                    "--symbols",
                    "BTCUSDT",
                    "--interval",
                    "1s",
                    "--bars",
                    "1500",
                    "--start",
                    "2025-10-03T08:00:00Z",
                    "--data-output",
                    out,
                    "--quiet",
                    NULL};
    snprintf(errs[i], sizeof errs[i], "%s.stderr-%d", out, i);
    pids[i] = tu_spawn(argv, errs[i]);
  }
  for (int i = 0; i < 4; i++) {
    int rc = tu_reap(pids[i]);
    char *e = rc ? tu_read_file(errs[i]) : NULL;
    CHECK_MSG(rc == 0, "session %d exited %d: %s", i, rc, e ? e : "");
    free(e);
    unlink(errs[i]);
  }
  tu_db db;
  tu_db_open(&db);
  static const char *const tables[2] = {"marks", "logs"};
  for (int t = 0; t < 2; t++) {
    char glob[8400];
    snprintf(glob, sizeof glob, "%s/*/run_*/%s.parquet", out, tables[t]);
    const char *g = tu_sql_str(glob);
    CHECK_EQ_INT(
        4, q(&db, "SELECT count(DISTINCT filename) FROM read_parquet(%s, filename = true)", g));
    CHECK_EQ_INT(4 * 1500, q(&db, "SELECT count(*) FROM read_parquet(%s)", g));
    CHECK_EQ_INT(4 * 1500, q(&db, "SELECT count(DISTINCT id) FROM read_parquet(%s)", g));
    /* Within a session the ids increase with time. */
    CHECK_EQ_INT(0, q(&db,
                      "SELECT count(*) FROM (SELECT id < lag(id) OVER (PARTITION BY filename "
                      "ORDER BY %s, id) AS down FROM read_parquet(%s, filename = true)) WHERE down",
                      t == 0 ? "time" : "timestamp", g));
  }
  /* A later session continues above every id of the four. */
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", "pingpong", "--strategy-config", "{\"every\": 1}",
                   "--symbols", "BTCUSDT", "--bars", "5", "--start", "2025-10-04T08:00:00Z",
                   "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  char later[8400], earlier[8400];
  snprintf(later, sizeof later, "%s/2025-10-04/run_1/marks.parquet", out);
  snprintf(earlier, sizeof earlier, "%s/2025-10-03/*/marks.parquet", out);
  char sql[20000];
  snprintf(sql, sizeof sql, "SELECT (SELECT min(id) FROM read_parquet(%s)) > ", tu_sql_str(later));
  size_t k = strlen(sql);
  snprintf(sql + k, sizeof sql - k, "(SELECT max(id) FROM read_parquet(%s))", tu_sql_str(earlier));
  CHECK_EQ_INT(1, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_rm_rf(out);
}

/* Every entry of a folder with its contents, "name=<bytes>\n..." sorted by name (malloc'ed). */
static char *snapshot(const char *dir) {
  DIR *d = opendir(dir);
  CHECK_MSG(d != NULL, "cannot open %s", dir);
  char *names[64];
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL && n < 64) {
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
      names[n++] = strdup(de->d_name);
    }
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp_names);
  size_t cap = 1 << 20, len = 0;
  char *buf = malloc(cap);
  buf[0] = '\0';
  for (int i = 0; i < n; i++) {
    char p[8400];
    snprintf(p, sizeof p, "%s/%s", dir, names[i]);
    char *data = NULL;
    size_t dlen = 0;
    CHECK_MSG(argo__fs_read_all(p, &data, &dlen) == 0, "cannot read %s", p);
    while (len + strlen(names[i]) + dlen + 8 > cap) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
    len += (size_t)sprintf(buf + len, "%s=", names[i]);
    memcpy(buf + len, data, dlen);
    len += dlen;
    buf[len++] = '\n';
    buf[len] = '\0';
    free(data);
    free(names[i]);
  }
  return buf;
}

/* docs/design.md section 2: when {day}/run_N belongs to another session at a day change, the
 * session takes the next free number for that day, says so through on_error and in that day's
 * stats.yaml, never writes into the other folder, and returns to run_N the day after. */
TEST(e2e_day_change_into_a_taken_run_folder_moves_to_the_next_number) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-collide"));
  char ev[8192], other[8192];
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(other, sizeof other, "%s/2025-10-02/run_1", out);
  char *e = NULL;
  /* Session B owns 2025-10-02/run_1. */
  int rc = tu_argo(NULL, &e, "run", "--interval", "1h", "--start", "2025-10-02T05:00:00Z", "--bars",
                   "5", "--strategy", "pingpong", "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "B: exit %d: %s", rc, e);
  free(e);
  CHECK_MSG(argo__fs_is_dir(other), "B did not create %s", other);
  char *before = snapshot(other);
  /* Session A: Oct 1 20:00 to Oct 3 11:00, hourly, run_1 on Oct 1. */
  rc = tu_argo(NULL, &e, "run", "--interval", "1h", "--start", "2025-10-01T20:00:00Z", "--bars",
               "40", "--strategy", "pingpong", "--data-output", out, "--events", ev, "--quiet",
               NULL);
  CHECK_MSG(rc == 0, "A: exit %d: %s", rc, e);
  CHECK_CONTAINS(e, "2025-10-02/run_1 already belonged to another session");
  free(e);
  char *after = snapshot(other);
  CHECK_MSG(strcmp(before, after) == 0, "session A changed %s", other);
  free(before);
  free(after);
  const char *dirs[3] = {"2025-10-01/run_1", "2025-10-02/run_2", "2025-10-03/run_1"};
  const int64_t candles[3] = {8, 48, 24}; /* two symbols: 4, 24 and 12 hours */
  char session[64] = "";
  tu_db db;
  tu_db_open(&db);
  for (int d = 0; d < 3; d++) {
    char run[8400];
    snprintf(run, sizeof run, "%s/%s", out, dirs[d]);
    argo__stats_doc s = read_stats(run);
    if (d == 0) {
      snprintf(session, sizeof session, "%s", s.s.session_id);
    }
    CHECK_STR(session, s.s.session_id);
    CHECK_STR(d == 1 ? "run_2" : "run_1", s.s.id);
    CHECK_STR("finished", s.s.status);
    CHECK_EQ_INT(candles[d], s.s.candles_day);
    CHECK_EQ_INT(candles[d],
                 q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "market_data.parquet")));
    if (d == 1) {
      CHECK_MSG(s.run_collision != NULL, "%s/stats.yaml has no run_collision", run);
      CHECK_CONTAINS(s.run_collision, "2025-10-02/run_1 already belonged to another session");
      CHECK_CONTAINS(s.run_collision, "continues in run_2");
    } else {
      CHECK_MSG(s.run_collision == NULL, "%s/stats.yaml: unexpected run_collision %s", run,
                s.run_collision);
    }
    argo__stats_doc_free(&s);
  }
  tu_db_close(&db);
  argo__stats_doc other_stats = read_stats(other);
  CHECK_MSG(strcmp(other_stats.s.session_id, session) != 0, "%s has A's session id", other);
  argo__stats_doc_free(&other_stats);
  char p[8400];
  snprintf(p, sizeof p, "%s/2025-10-02/run_3", out);
  CHECK_MSG(!argo__fs_exists(p), "%s was created", p);
  /* on_error reported it once, as it happened. */
  char *text = tu_read_file(ev);
  CHECK(text != NULL);
  long errors = count_events(text, "error");
  const char *line = strstr(text, "\"event\":\"error\"");
  CHECK_MSG(errors == 1 && line && strstr(line, "2025-10-02/run_1 already belonged") &&
                strstr(line, "continues in run_2"),
            "want one error event about the collision, got %ld: %s", errors, text);
  free(text);
  tu_rm_rf(out);
}

TEST(e2e_empty_tables_are_published_with_exact_schema) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-empty"));
  char *e = NULL;
  /* Five candles: too few for the moving averages, so nothing trades, marks or logs. */
  int rc = tu_argo(NULL, &e, "run", "--bars", "5", "--symbols", "BTCUSDT", "--start",
                   "2025-10-01T00:00:00Z", "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  char run[8192];
  snprintf(run, sizeof run, "%s/2025-10-01/run_1", out);
  tu_db db;
  tu_db_open(&db);
  for (int t = 0; t < 5; t++) {
    check_file_schema(&db, run, files[t]);
    /* Every file is there from the first candle on, empty tables included. */
    CHECK_EQ_INT(t == 4 ? 5 : 0,
                 q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, files[t])));
  }
  tu_db_close(&db);
  argo__stats_doc s = read_stats(run);
  CHECK_EQ_INT(0, s.s.cumulative.number_of_trades);
  CHECK_STR("finished", s.s.status);
  argo__stats_doc_free(&s);
  tu_rm_rf(out);
}

/* Time columns are instants (docs/files.md): a reader in another time zone casting them to
 * TIMESTAMPTZ gets the recorded instant, not one shifted by its zone; argo query reads them as
 * UTC whatever the machine's zone, and reads the naive TIMESTAMP columns of files written before
 * (UTC by definition) as the same instants. */
TEST(e2e_times_are_instants_in_any_time_zone) {
  /* The time columns of each file, in the order of files[]. */
  static const char *const tcols[5][2] = {{"timestamp", NULL},
                                          {"timestamp", "executed_at"},
                                          {"time", NULL},
                                          {"timestamp", NULL},
                                          {"time", NULL}};
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-tz"));
  char *e = NULL, *o = NULL;
  int rc = tu_argo(NULL, &e, "run", "--bars", "60", "--symbols", "BTCUSDT", "--start",
                   "2025-10-01T00:46:00Z", "--data-output", out, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  char run[8192], old[8192], sql[20000], err[512];
  snprintf(run, sizeof run, "%s/2025-10-01/run_1", out);
  snprintf(old, sizeof old, "%s/2025-10-01/run_2", out);
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(0, tu_exec(&db, "SET TimeZone = 'America/New_York'", NULL, 0));
  CHECK_EQ_INT(INT64_C(1759279560000000), /* 2025-10-01T00:46:00Z */
               q(&db, "SELECT epoch_us(min(time)::TIMESTAMPTZ) FROM read_parquet(%s)",
                 in(run, "market_data.parquet")));
  CHECK(q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "trades.parquet")) > 0);
  for (int t = 0; t < 5; t++) {
    for (int k = 0; k < 2 && tcols[t][k]; k++) {
      /* A cast to TIMESTAMPTZ changes nothing: the column holds instants already. */
      CHECK_EQ_INT(0, q(&db,
                        "SELECT count(*) FROM read_parquet(%s) WHERE epoch_us(%s::TIMESTAMPTZ) "
                        "<> epoch_us(%s)",
                        in(run, files[t]), tcols[t][k], tcols[t][k]));
    }
  }
  /* A day folder as argo wrote it before: the same rows, the time columns naive TIMESTAMP. */
  CHECK_EQ_INT(0, tu_exec(&db, "SET TimeZone = 'UTC'", NULL, 0));
  CHECK(mkdir(old, 0755) == 0);
  for (int t = 0; t < 5; t++) {
    char repl[256] = "";
    for (int k = 0; k < 2 && tcols[t][k]; k++) {
      size_t n = strlen(repl);
      snprintf(repl + n, sizeof repl - n, "%s%s::TIMESTAMP AS %s", k ? ", " : "", tcols[t][k],
               tcols[t][k]);
    }
    snprintf(sql, sizeof sql,
             "COPY (SELECT * REPLACE (%s) FROM read_parquet(%s)) TO %s (FORMAT PARQUET)", repl,
             in(run, files[t]), in(old, files[t]));
    CHECK_MSG(tu_exec(&db, sql, err, sizeof err) == 0, "%s", err);
  }
  tu_db_close(&db);
  char path[8400];
  snprintf(path, sizeof path, "%s/stats.yaml", run);
  char *yaml = tu_read_file(path);
  CHECK(yaml != NULL);
  snprintf(path, sizeof path, "%s/stats.yaml", old);
  tu_write_file(path, yaml);
  free(yaml);
  /* argo query in New York: both folders' first candle is at 00:46 UTC. */
  CHECK(setenv("TZ", "America/New_York", 1) == 0);
  rc = tu_argo(&o, &e, "query",
               "SELECT run, min(time) AS first, typeof(min(time)) AS type FROM market_data "
               "GROUP BY run ORDER BY run",
               "--format", "json", "--data-output", out, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_STR("[\n{\"run\":\"run_1\",\"first\":\"2025-10-01T00:46:00Z\",\"type\":\"TIMESTAMP "
            "WITH TIME ZONE\"},\n{\"run\":\"run_2\",\"first\":\"2025-10-01T00:46:00Z\","
            "\"type\":\"TIMESTAMP WITH TIME ZONE\"}\n]\n",
            o);
  free(o);
  free(e);
  rc = tu_argo(&o, &e, "query",
               "SELECT min(executed_at) AS first FROM trades GROUP BY run ORDER BY run", "--format",
               "csv", "--data-output", out, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_MSG(tu_count_lines(o) == 3 && strstr(o, "+00\n") != NULL, "%s", o);
  const char *first = strchr(o, '\n') + 1, *second = strchr(first, '\n') + 1;
  CHECK_MSG(strncmp(first, second, strlen(second)) == 0, "the two runs differ: %s", o);
  free(o);
  free(e);
  unsetenv("TZ");
  tu_rm_rf(out);
}

TEST(e2e_readers_polling_during_a_run_always_open_every_file) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-poll"));
  char errp[8192];
  snprintf(errp, sizeof errp, "%s.stderr", out);
  /* 1s candles at 100x: 10 ms per step, 300 steps, about 3 s of publishing. */
  char *args[] = {ARGO_BIN,        "run",
                  "--symbols",     "BTCUSDT,ETHUSDT",
                  "--interval",    "1s",
                  "--bars",        "300",
                  "--speed",       "100",
                  "--strategy",    "pingpong",
                  "--start",       "2025-10-01T23:59:00Z",
                  "--data-output", out,
                  "--quiet",       NULL};
  pid_t pid = tu_spawn(args, errp);
  tu_db db;
  tu_db_open(&db);
  long polls = 0, opened = 0;
  int status = 0;
  const char *days[2] = {"2025-10-01", "2025-10-02"};
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    for (int d = 0; d < 2; d++) {
      for (int t = 0; t < 5; t++) {
        char path[8192], sql[8800], err[1024];
        snprintf(path, sizeof path, "%s/%s/run_1/%s", out, days[d], files[t]);
        if (!argo__fs_exists(path)) {
          continue;
        }
        snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(path));
        polls++;
        CHECK_MSG(tu_exec(&db, sql, err, sizeof err) == 0, "reading %s failed: %s", path, err);
        opened++;
      }
    }
    if (w == pid) {
      break;
    }
  }
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "argo exited with %d", status);
  CHECK_MSG(polls > 50, "only %ld polls", polls);
  CHECK_EQ_INT(polls, opened);
  tu_db_close(&db);
  unlink(errp);
  tu_rm_rf(out);
}

/* Lines of an events file whose "event" is type. */
static long count_events(const char *text, const char *type) {
  char needle[96];
  snprintf(needle, sizeof needle, "\"event\":\"%s\"", type); /* JSON_COMPACT */
  long n = 0;
  for (const char *p = text; p && (p = strstr(p, needle)); p++) {
    n++;
  }
  return n;
}

/* Polls (up to 60 s) until the events file has at least n lines of type; 0 if the process
 * ended first or the time ran out. */
static int wait_events(pid_t pid, const char *path, const char *type, long n) {
  for (int waited = 0; waited < 60000; waited += 10) {
    char *text = tu_read_file(path);
    long have = count_events(text, type);
    free(text);
    if (have >= n) {
      return 1;
    }
    if (waitpid(pid, NULL, WNOHANG) == pid) {
      return 0;
    }
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
  }
  return 0;
}

/* A signal in the middle of a session: exit 0, status finished, every table flushed (the
 * files hold exactly what the callbacks reported), no journal or lock left. */
static void signal_stops_cleanly(int sig, const char *tag) {
  snprintf(out, sizeof out, "%s", tu_tmpdir(tag));
  char errp[8192], ev[8192];
  snprintf(errp, sizeof errp, "%s.stderr", out);
  snprintf(ev, sizeof ev, "%s.events", out);
  /* A candle every 100 ms, a trade every second candle: it would run for hours. */
  char *args[] = {ARGO_BIN,
                  "run",
                  "--interval",
                  "1m",
                  "--bars",
                  "100000",
                  "--speed",
                  "600",
                  "--strategy",
                  "pingpong",
                  "--start",
                  "2025-10-01T00:00:00Z",
                  "--strategy-config",
                  "{\"every\": 2}",
                  "--data-output",
                  out,
                  "--events",
                  ev,
                  NULL};
  pid_t pid = tu_spawn(args, errp);
  int ready = wait_events(pid, ev, "order_filled", 3);
  kill(pid, sig);
  int status;
  waitpid(pid, &status, 0);
  char *e = tu_read_file(errp);
  CHECK_MSG(ready, "the session never reported 3 fills; stderr: %s", e);
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "signal %d: status %d, stderr: %s", sig,
            status, e);
  free(e);
  char run[8192];
  snprintf(run, sizeof run, "%s/2025-10-01/run_1", out);
  argo__stats_doc s = read_stats(run);
  /* Stopped before the feed's end, and the reason says by what. */
  CHECK_STR("stopped", s.s.status);
  CHECK_CONTAINS(s.stop_reason, sig == SIGINT ? "stopped by SIGINT" : "stopped by SIGTERM");
  CHECK_MSG(s.s.candles_total > 0 && s.s.candles_total < 200000, "candles_total %lld",
            (long long)s.s.candles_total);
  char *text = tu_read_file(ev);
  CHECK(text != NULL);
  long placed = count_events(text, "order_placed"), filled = count_events(text, "order_filled");
  int stopped = count_events(text, "engine_stop") == 1 &&
                strstr(text, "\"event\":\"engine_stop\",\"status\":\"ok\"") != NULL;
  char *tail = strdup(text);
  free(text);
  CHECK_MSG(stopped, "no engine_stop with status ok in the events: ...%s",
            strlen(tail) > 300 ? tail + strlen(tail) - 300 : tail);
  free(tail);
  CHECK(filled >= 3);
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(s.s.candles_day,
               q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "market_data.parquet")));
  CHECK_EQ_INT(filled, q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "trades.parquet")));
  CHECK_EQ_INT(placed, q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "orders.parquet")));
  CHECK_EQ_INT(filled, s.s.cumulative.number_of_trades);
  tu_db_close(&db);
  argo__stats_doc_free(&s);
  char p[8400];
  snprintf(p, sizeof p, "%s/.journal", run);
  CHECK_MSG(!argo__fs_exists(p), "%s was left behind", p);
  snprintf(p, sizeof p, "%s/.lock", run);
  CHECK_MSG(!argo__fs_exists(p), "%s was left behind", p);
  unlink(errp);
  unlink(ev);
  tu_rm_rf(out);
}

TEST(e2e_sigint_stops_cleanly_with_final_files_that_say_stopped) {
  signal_stops_cleanly(SIGINT, "e2e-sigint");
}

TEST(e2e_sigterm_stops_cleanly_with_final_files_that_say_stopped) {
  signal_stops_cleanly(SIGTERM, "e2e-sigterm");
}

TEST(e2e_events_are_one_json_line_per_callback) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-events"));
  char ev[8192];
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--bars", "200", "--strategy", "pingpong", "--start",
                   "2025-10-01T00:00:00Z", "--data-output", out, "--events", ev, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  char *text = tu_read_file(ev);
  CHECK(text != NULL);
  long n = 0, placed = 0, filled = 0, stats = 0, start = 0, stop = 0, running = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    json_error_t je;
    json_t *j = json_loads(line, 0, &je);
    CHECK_MSG(j != NULL, "line %ld is not JSON: %s (%s)", n + 1, line, je.text);
    const char *type = json_string_value(json_object_get(j, "event"));
    CHECK(type != NULL);
    placed += strcmp(type, "order_placed") == 0;
    filled += strcmp(type, "order_filled") == 0;
    stats += strcmp(type, "stats") == 0;
    start += strcmp(type, "engine_start") == 0;
    stop += strcmp(type, "engine_stop") == 0;
    if (strcmp(type, "status") == 0 &&
        strcmp(json_string_value(json_object_get(j, "status")), "running") == 0) {
      running++;
    }
    if (n == 0) {
      CHECK_STR("engine_start", type);
    }
    json_decref(j);
    n++;
  }
  free(text);
  CHECK_EQ_INT(1, start);
  CHECK_EQ_INT(1, stop);
  CHECK_EQ_INT(1, running);
  CHECK(placed > 10);
  CHECK(stats > 0);
  tu_db db;
  tu_db_open(&db);
  char run[8192];
  snprintf(run, sizeof run, "%s/2025-10-01/run_1", out);
  CHECK_EQ_INT(filled, q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "trades.parquet")));
  CHECK_EQ_INT(placed, q(&db, "SELECT count(*) FROM read_parquet(%s)", in(run, "orders.parquet")));
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(e2e_bad_input_gives_one_line_and_exit_2) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-bad"));
  char data[8192], cfg[8192], file[8192], under_file[8400];
  snprintf(data, sizeof data, "%s/data", out);
  snprintf(cfg, sizeof cfg, "%s/bad.yaml", out);
  tu_write_file(cfg, "market_data:\n  symbols: [BTCUSDT\n  interval: 1m\n");
  snprintf(file, sizeof file, "%s/a-file", out);
  tu_write_file(file, "x");
  snprintf(under_file, sizeof under_file, "%s/data", file);

  tu_check_refused("--frobnicate", NULL,
                   (char *[]){"run", "--frobnicate", "--data-output", data, NULL});
  tu_check_refused("bad.yaml", NULL,
                   (char *[]){"run", "--config", cfg, "--data-output", data, NULL});
  tu_check_refused("nosuch", NULL,
                   (char *[]){"run", "--strategy", "nosuch", "--data-output", data, NULL});
  tu_check_refused("interval", NULL,
                   (char *[]){"run", "--interval", "7x", "--data-output", data, NULL});
  tu_check_refused("a-file", NULL,
                   (char *[]){"run", "--bars", "3", "--data-output", under_file, NULL});
  tu_check_refused("nosuch.so", NULL,
                   (char *[]){"run", "--strategy", "./nosuch.so", "--data-output", data, NULL});
  tu_check_refused("unknown command", NULL, (char *[]){"frobnicate", NULL});
  /* Times outside 1970-01-01 .. 9999-12-31: a start in the year 10000 named a day folder
   * "10000-01-0", a start at or before the epoch recorded nothing. */
  tu_check_refused("--start: market_data.start: expected a UTC time after 1970-01-01T00:00:00Z and "
                   "before 10000-01-01T00:00:00Z, got '253402300800'",
                   NULL, (char *[]){"run", "--start", "253402300800", "--data-output", data, NULL});
  tu_check_refused("got '1969-07-20'", NULL,
                   (char *[]){"run", "--start", "1969-07-20", "--data-output", data, NULL});
  tu_check_refused("market_data.bars: 100 candles of 1h from 9999-12-31T20:00:00Z go past "
                   "9999-12-31T23:59:59Z",
                   NULL,
                   (char *[]){"run", "--start", "9999-12-31T20:00:00Z", "--interval", "1h",
                              "--bars", "100", "--data-output", data, NULL});
  /* An endless simulated session at full speed (it wrote 4,400 day folders in 30 s). */
  tu_check_refused("the simulated feed would never end", "--end",
                   (char *[]){"run", "--bars", "0", "--data-output", data, NULL});
  /* Nothing was written by any of them. */
  CHECK(!argo__fs_exists(data));
  tu_rm_rf(out);
}

TEST(e2e_help_and_version) {
  char *o = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_argo(&o, &e, "--version", NULL));
  CHECK_CONTAINS(o, "argo 0.");
  free(o);
  free(e);
  CHECK_EQ_INT(0, tu_argo(&o, &e, "--help", NULL));
  CHECK_CONTAINS(o, "usage: argo <command>");
  CHECK_CONTAINS(o, "run");
  free(o);
  free(e);
  CHECK_EQ_INT(0, tu_argo(&o, &e, "run", "--help", NULL));
  CHECK_CONTAINS(o, "--data-output");
  CHECK_CONTAINS(o, "--strategy-config");
  CHECK_CONTAINS(o, "--events");
  free(o);
  free(e);
  CHECK_EQ_INT(0, tu_argo(&o, &e, "strategies", NULL));
  CHECK_CONTAINS(o, "ma_cross");
  free(o);
  free(e);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(e2e_help_and_version);
  RUN(e2e_bad_input_gives_one_line_and_exit_2);
  RUN(e2e_three_day_session_keeps_run_number_and_splits_by_day);
  RUN(e2e_three_sessions_on_one_day_get_run_1_to_3);
  RUN(e2e_concurrent_sessions_never_share_a_mark_or_log_id);
  RUN(e2e_day_change_into_a_taken_run_folder_moves_to_the_next_number);
  RUN(e2e_empty_tables_are_published_with_exact_schema);
  RUN(e2e_events_are_one_json_line_per_callback);
  RUN(e2e_times_are_instants_in_any_time_zone);
  RUN(e2e_readers_polling_during_a_run_always_open_every_file);
  RUN(e2e_sigint_stops_cleanly_with_final_files_that_say_stopped);
  RUN(e2e_sigterm_stops_cleanly_with_final_files_that_say_stopped);
  return test_summary();
}
