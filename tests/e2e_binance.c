/*
 * The Binance feed end to end, against the local mock exchange (loopback only): `argo run
 * --feed binance` prefetches history for two symbols, goes live, trades, and is stopped; the
 * stored candles are continuous with no duplicate (symbol, time); a second session resumes from
 * the last stored candle instead of downloading again; a connection drop is reconnected and the
 * gap filled.
 */
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <argo/argo.h>

#include "test.h"
#include "testutil.h"
#include "util/util.h"

static char out[4096];

/* A status event of --events (a stats event also carries "status":"running"). */
#define STATUS(s) "\"event\":\"status\",\"status\":\"" s "\""

/* Stops argo with SIGINT and returns its exit status. */
static int stop_argo(pid_t pid) {
  kill(pid, SIGINT);
  return tu_reap(pid);
}

/* Waits until the events file at path holds each of needles (NULL-terminated), in that order,
 * polling every 20 ms for at most timeout_s seconds (generous: sanitizer builds on a loaded
 * machine are slow). Fails the test, after stopping argo, if they do not all appear or argo
 * ends first. */
static void wait_events(pid_t pid, const char *path, double timeout_s, const char *const *needles) {
  int64_t deadline = argo__mono_us() + (int64_t)(timeout_s * 1e6);
  const char *missing = needles[0];
  for (;;) {
    char *text = tu_read_file(path);
    const char *at = text;
    missing = NULL;
    for (size_t i = 0; needles[i]; i++) {
      const char *hit = at ? strstr(at, needles[i]) : NULL;
      if (!hit) {
        missing = needles[i];
        break;
      }
      at = hit + strlen(needles[i]);
    }
    free(text);
    if (!missing) {
      return;
    }
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      TEST_FAIL_("argo ended (status %d) before the events file held %s", status, missing);
    }
    if (argo__mono_us() > deadline) {
      stop_argo(pid);
      TEST_FAIL_("after %.0f s the events file still lacks %s", timeout_s, missing);
    }
    usleep(20000);
  }
}

/* Runs argo until its events file holds needles (in order), then stops it with SIGINT;
 * returns its exit status. */
static int run_until(char *const args[], const char *errp, const char *events,
                     const char *const *needles) {
  unlink(events); /* an earlier run's file must not count */
  pid_t pid = tu_spawn(args, errp);
  wait_events(pid, events, 60, needles);
  return stop_argo(pid);
}

static void md_glob(char *pat, size_t len, int run) {
  snprintf(pat, len, "%s/data/*/run_%d/market_data.parquet", out, run);
}

TEST(e2e_binance_prefetch_live_trade_stop_and_resume) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-binance"));
  /* The mock's clock: one-second candles every 50 ms, from yesterday noon. */
  int64_t start_ms = tu_mock_start_ms();
  char start_arg[32], prefetch_from[48];
  snprintf(start_arg, sizeof start_arg, "%lld", (long long)start_ms);
  argo_time_format((start_ms - 300 * 1000) * 1000, prefetch_from, sizeof prefetch_from);
  tu_mock m;
  tu_mock_start(&m, "--interval", "1s", "--tick-ms", "50", "--start-ms", start_arg, NULL);
  char ws[128], rest[128], data[4200], ev[4300], errp[4300], from[128];
  snprintf(ws, sizeof ws, "market_data.ws_url=%s", m.ws);
  snprintf(rest, sizeof rest, "market_data.rest_url=%s", m.rest);
  snprintf(data, sizeof data, "%s/data", out);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(errp, sizeof errp, "%s/stderr", out);
  snprintf(from, sizeof from, "engine.prefetch.start_time=%s", prefetch_from);
  char *args[] = {ARGO_BIN,        "run",
                  "--feed",        "binance",
                  "--interval",    "1s",
                  "--symbols",     "BTCUSDT,ETHUSDT",
                  "--strategy",    "pingpong",
                  "--set",         ws,
                  "--set",         rest,
                  "--set",         "engine.prefetch.enabled=true",
                  "--set",         "engine.prefetch.start_time_type=date",
                  "--set",         from,
                  "--data-output", data,
                  "--events",      ev,
                  "--quiet",       NULL};
  const char *const until_fill[] = {STATUS("prefetching"), STATUS("running"),
                                    "\"event\":\"order_filled\"", NULL};
  int rc = run_until(args, errp, ev, until_fill);
  char *e = tu_read_file(errp);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  /* Statuses: prefetching, then running. */
  char *events = tu_read_file(ev);
  if (getenv("ARGO_DEBUG")) {
    fprintf(stderr, "%s\n", events);
  }
  char *pre = strstr(events, "\"event\":\"status\",\"status\":\"prefetching\"");
  char *run = strstr(events, "\"event\":\"status\",\"status\":\"running\"");
  CHECK(pre != NULL && run != NULL && pre < run);
  CHECK(strstr(events, "\"event\":\"order_filled\"") != NULL);
  CHECK(strstr(events, "\"event\":\"prefetch_progress\",\"symbol\":\"ETHUSDT\"") != NULL);
  free(events);

  tu_db db;
  tu_db_open(&db);
  char pat[4400], sql[9000];
  md_glob(pat, sizeof pat, 1);
  /* Prefetched and live candles, continuous, no duplicate (symbol, time). */
  snprintf(sql, sizeof sql,
           "SELECT count(*) - count(DISTINCT (symbol, time)) FROM read_parquet('%s')", pat);
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT max(n) FROM (SELECT symbol, count(*) AS n, epoch(max(time)) - epoch(min(time))"
           " + 1 - count(*) AS holes FROM read_parquet('%s') GROUP BY symbol) WHERE holes = 0",
           pat);
  int64_t per_symbol = tu_q_int(&db, sql);
  CHECK_MSG(per_symbol > 300, "only %lld continuous candles per symbol", (long long)per_symbol);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM (SELECT symbol, epoch(max(time)) - epoch(min(time)) + 1 - "
           "count(*) AS holes FROM read_parquet('%s') GROUP BY symbol) WHERE holes = 0",
           pat);
  CHECK_EQ_INT(2, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT epoch_ms(min(time)) FROM read_parquet('%s') WHERE symbol = 'BTCUSDT'", pat);
  CHECK_EQ_INT(start_ms - 300 * 1000, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql, "SELECT epoch_ms(max(time)) FROM read_parquet('%s')", pat);
  int64_t last1 = tu_q_int(&db, sql);

  /* A second session resumes from the last stored candle: nothing downloaded twice. */
  const char *const until_running[] = {STATUS("running"), NULL};
  int rc2 = run_until(args, errp, ev, until_running);
  CHECK_EQ_INT(0, rc2);
  md_glob(pat, sizeof pat, 2);
  snprintf(sql, sizeof sql,
           "SELECT epoch_ms(min(time)) FROM read_parquet('%s') WHERE symbol = 'BTCUSDT'", pat);
  CHECK_EQ_INT(last1 + 1000, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT count(*) - count(DISTINCT (symbol, time)) FROM read_parquet('%s/data/*/run_*/"
           "market_data.parquet')",
           out);
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_mock_stop(&m);
  tu_rm_rf(out);
}

TEST(e2e_binance_reconnects_and_fills_the_gap) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-binance-drop"));
  tu_mock m;
  tu_mock_start(&m, "--interval", "1s", "--tick-ms", "50", "--disconnect-after", "10", NULL);
  char ws[128], rest[128], data[4200], ev[4300], errp[4300];
  snprintf(ws, sizeof ws, "market_data.ws_url=%s", m.ws);
  snprintf(rest, sizeof rest, "market_data.rest_url=%s", m.rest);
  snprintf(data, sizeof data, "%s/data", out);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(errp, sizeof errp, "%s/stderr", out);
  char *args[] = {ARGO_BIN,        "run",     "--feed",   "binance", "--interval", "1s",
                  "--symbols",     "BTCUSDT", "--set",    ws,        "--set",      rest,
                  "--data-output", data,      "--events", ev,        "--quiet",    NULL};
  const char *const until_filled[] = {"connection lost", STATUS("gap_filling"), STATUS("running"),
                                      NULL};
  int rc = run_until(args, errp, ev, until_filled);
  char *e = tu_read_file(errp);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_CONTAINS(e, "connection lost");
  free(e);
  char *events = tu_read_file(ev);
  CHECK(strstr(events, STATUS("gap_filling")) != NULL);
  free(events);
  tu_db db;
  tu_db_open(&db);
  char sql[9000];
  snprintf(sql, sizeof sql,
           "SELECT count(*), epoch(max(time)) - epoch(min(time)) + 1 FROM "
           "read_parquet('%s/*/run_1/market_data.parquet')",
           data);
  int64_t n = tu_q_int(&db, sql);
  snprintf(sql, sizeof sql,
           "SELECT epoch(max(time)) - epoch(min(time)) + 1 - count(*) FROM "
           "read_parquet('%s/*/run_1/market_data.parquet')",
           data);
  CHECK_EQ_INT(0, tu_q_int(&db, sql)); /* continuous across the drop */
  CHECK_MSG(n > 20, "only %lld candles", (long long)n);
  tu_db_close(&db);
  tu_mock_stop(&m);
  tu_rm_rf(out);
}

/* Per symbol of the files matching pat: the number of missing candles between its first and
 * last (interval iv_s seconds); the largest over the symbols. */
static int64_t holes(tu_db *db, const char *pat, int iv_s) {
  char sql[9000];
  snprintf(sql, sizeof sql,
           "SELECT max(n) FROM (SELECT (epoch(max(time)) - epoch(min(time))) / %d + 1 - "
           "count(DISTINCT time) AS n FROM read_parquet('%s') GROUP BY symbol)",
           iv_s, pat);
  return tu_q_int(db, sql);
}

/* Real time (one-second candles, one a second): the exchange takes more than a candle to
 * answer the prefetch, so the candle that closes meanwhile is never sent on the stream, which
 * opens only afterwards. The first live candle then comes two intervals after the newest
 * prefetched one, and the candle between must be downloaded: the stored candles of both
 * symbols run without a hole from the prefetch start into the live ones. */
TEST(e2e_binance_prefetch_meets_live_without_a_hole) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-binance-seam"));
  tu_mock m;
  /* The first klines answer waits until the candle open at the request has closed. */
  tu_mock_start(&m, "--interval", "1s", "--hold-klines", "1", NULL);
  int64_t from_ms = (argo__wall_us() / 1000000 - 60) * 1000;
  char ws[128], rest[128], data[4200], ev[4300], errp[4300], from[128], when[48];
  argo_time_format(from_ms * 1000, when, sizeof when);
  snprintf(from, sizeof from, "engine.prefetch.start_time=%s", when);
  snprintf(ws, sizeof ws, "market_data.ws_url=%s", m.ws);
  snprintf(rest, sizeof rest, "market_data.rest_url=%s", m.rest);
  snprintf(data, sizeof data, "%s/data", out);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(errp, sizeof errp, "%s/stderr", out);
  char *args[] = {ARGO_BIN,        "run",
                  "--feed",        "binance",
                  "--interval",    "1s",
                  "--symbols",     "BTCUSDT,ETHUSDT",
                  "--set",         ws,
                  "--set",         rest,
                  "--set",         "engine.prefetch.enabled=true",
                  "--set",         "engine.prefetch.start_time_type=date",
                  "--set",         from,
                  "--set",         "engine.stats_every=1",
                  "--data-output", data,
                  "--events",      ev,
                  "--quiet",       NULL};
  /* Three live candles of each symbol (a stats event per live candle). */
  const char *const until[] = {STATUS("running"), "\"candles_total\":6,", NULL};
  int rc = run_until(args, errp, ev, until);
  char *e = tu_read_file(errp);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  tu_db db;
  tu_db_open(&db);
  char pat[4400], sql[9000];
  md_glob(pat, sizeof pat, 1);
  snprintf(sql, sizeof sql,
           "SELECT count(*) - count(DISTINCT (symbol, time)) FROM read_parquet('%s')", pat);
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  CHECK_EQ_INT(0, holes(&db, pat, 1));
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM (SELECT symbol FROM read_parquet('%s') GROUP BY symbol HAVING "
           "epoch_ms(min(time)) = %lld AND count(*) >= 63)",
           pat, (long long)from_ms);
  CHECK_EQ_INT(2, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_mock_stop(&m);
  tu_rm_rf(out);
}

/* A gap of many candles between the prefetch and the first live candle (the exchange answers
 * the prefetch slowly while its clock runs fast) is reported: prefetching, gap_filling,
 * running; and filled. */
TEST(e2e_binance_gap_after_prefetch_reports_gap_filling) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-binance-gap"));
  int64_t start_ms = tu_mock_start_ms();
  char start_arg[32], when[48];
  snprintf(start_arg, sizeof start_arg, "%lld", (long long)start_ms);
  argo_time_format((start_ms - 120 * 1000) * 1000, when, sizeof when);
  tu_mock m;
  /* 20 candles a second; the first klines answer waits 800 ms: 16 candles close meanwhile. */
  tu_mock_start(&m, "--interval", "1s", "--tick-ms", "50", "--start-ms", start_arg, "--hold-klines",
                "1", "--hold-ms", "800", NULL);
  char ws[128], rest[128], data[4200], ev[4300], errp[4300], from[128];
  snprintf(from, sizeof from, "engine.prefetch.start_time=%s", when);
  snprintf(ws, sizeof ws, "market_data.ws_url=%s", m.ws);
  snprintf(rest, sizeof rest, "market_data.rest_url=%s", m.rest);
  snprintf(data, sizeof data, "%s/data", out);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(errp, sizeof errp, "%s/stderr", out);
  char *args[] = {ARGO_BIN,        "run",
                  "--feed",        "binance",
                  "--interval",    "1s",
                  "--symbols",     "BTCUSDT,ETHUSDT",
                  "--set",         ws,
                  "--set",         rest,
                  "--set",         "engine.prefetch.enabled=true",
                  "--set",         "engine.prefetch.start_time_type=date",
                  "--set",         from,
                  "--data-output", data,
                  "--events",      ev,
                  "--quiet",       NULL};
  const char *const until[] = {STATUS("prefetching"), STATUS("gap_filling"), STATUS("running"),
                               NULL};
  int rc = run_until(args, errp, ev, until);
  char *e = tu_read_file(errp);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  tu_db db;
  tu_db_open(&db);
  char pat[4400], sql[9000];
  md_glob(pat, sizeof pat, 1);
  snprintf(sql, sizeof sql,
           "SELECT count(*) - count(DISTINCT (symbol, time)) FROM read_parquet('%s')", pat);
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  CHECK_EQ_INT(0, holes(&db, pat, 1));
  snprintf(sql, sizeof sql, "SELECT count(DISTINCT symbol) FROM read_parquet('%s')", pat);
  CHECK_EQ_INT(2, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_mock_stop(&m);
  tu_rm_rf(out);
}

/* Replaying a session that prefetched history reproduces its fills exactly: the prefetched
 * candles are stored flagged as history, and the replay gives them to the strategy as warm-up
 * only, as the session did. */
TEST(e2e_binance_replay_of_a_prefetching_session_reproduces_its_fills) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-binance-replay"));
  int64_t start_ms = tu_mock_start_ms();
  char start_arg[32], when[48];
  snprintf(start_arg, sizeof start_arg, "%lld", (long long)start_ms);
  argo_time_format((start_ms - 600 * 1000) * 1000, when, sizeof when);
  tu_mock m;
  tu_mock_start(&m, "--interval", "1s", "--tick-ms", "50", "--start-ms", start_arg, NULL);
  char ws[128], rest[128], data[4200], again[4200], ev[4300], errp[4300], from[128];
  snprintf(from, sizeof from, "engine.prefetch.start_time=%s", when);
  snprintf(ws, sizeof ws, "market_data.ws_url=%s", m.ws);
  snprintf(rest, sizeof rest, "market_data.rest_url=%s", m.rest);
  snprintf(data, sizeof data, "%s/data", out);
  snprintf(again, sizeof again, "%s/again", out);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(errp, sizeof errp, "%s/stderr", out);
  char *args[] = {ARGO_BIN,        "run",
                  "--feed",        "binance",
                  "--interval",    "1s",
                  "--symbols",     "BTCUSDT,ETHUSDT",
                  "--strategy",    "pingpong",
                  "--set",         ws,
                  "--set",         rest,
                  "--set",         "engine.prefetch.enabled=true",
                  "--set",         "engine.prefetch.start_time_type=date",
                  "--set",         from,
                  "--data-output", data,
                  "--events",      ev,
                  "--quiet",       NULL};
  const char *const until[] = {STATUS("running"),
                               "\"event\":\"order_filled\"",
                               "\"event\":\"order_filled\"",
                               "\"event\":\"order_filled\"",
                               "\"event\":\"order_filled\"",
                               NULL};
  int rc = run_until(args, errp, ev, until);
  char *e = tu_read_file(errp);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  tu_mock_stop(&m);
  glob_t g;
  char pat[4400];
  md_glob(pat, sizeof pat, 1);
  CHECK_EQ_INT(0, glob(pat, 0, NULL, &g));
  CHECK_EQ_INT(1, g.gl_pathc);
  char md[4400], run[4400];
  snprintf(md, sizeof md, "%s", g.gl_pathv[0]);
  snprintf(run, sizeof run, "%s", g.gl_pathv[0]);
  *strrchr(run, '/') = '\0';
  globfree(&g);
  tu_db db;
  tu_db_open(&db);
  char sql[16384];
  /* 600 prefetched candles of each symbol, flagged; the live ones are not. */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FILTER (WHERE history) * 1000000 + count(*) FILTER (WHERE history "
           "IS NULL) FROM read_parquet('%s') WHERE epoch_ms(time) < %lld",
           md, (long long)start_ms);
  CHECK_EQ_INT(1200 * 1000000LL, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s') WHERE NOT history", md);
  CHECK(tu_q_int(&db, sql) >= 10);

  rc = tu_argo(NULL, &e, "run", "--feed", "replay", "--replay-file", md, "--strategy", "pingpong",
               "--data-output", again, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  /* The replay's day is that of the first candle traded on (with this mock's clock a day
   * behind, the day before the session's folder), and it holds the history too. */
  snprintf(sql, sizeof sql,
           "SELECT strftime(min(time), '%%Y-%%m-%%d') FROM read_parquet('%s') WHERE NOT history",
           md);
  char *day = tu_q_str(&db, sql);
  char trades_again[4400], md_again[4400];
  snprintf(trades_again, sizeof trades_again, "%s/%s/run_1/trades.parquet", again, day);
  snprintf(md_again, sizeof md_again, "%s/%s/run_1/market_data.parquet", again, day);
  free(day);
  const char *cols = "symbol, side, timestamp, executed_at, executed_qty, executed_price, "
                     "commission, pnl, position_type";
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM ((SELECT %s FROM read_parquet('%s/trades.parquet') EXCEPT ALL "
           "SELECT %s FROM read_parquet('%s')) UNION ALL (SELECT %s FROM read_parquet('%s') "
           "EXCEPT ALL SELECT %s FROM read_parquet('%s/trades.parquet')))",
           cols, run, cols, trades_again, cols, trades_again, cols, run);
  int64_t differ = tu_q_int(&db, sql);
  if (differ != 0) {
    /* For a failure seen once and not reproduced since: which fills differ, and where the
     * folders are (kept, since a failed check skips the clean-up). */
    snprintf(sql, sizeof sql,
             "SELECT string_agg(concat_ws(' ', w, symbol, side, \"timestamp\", executed_qty, "
             "executed_price, pnl), '; ') FROM ("
             "(SELECT 'session-only' w, %s FROM read_parquet('%s/trades.parquet') EXCEPT ALL "
             "SELECT 'session-only', %s FROM read_parquet('%s')) UNION ALL "
             "(SELECT 'replay-only' w, %s FROM read_parquet('%s') EXCEPT ALL "
             "SELECT 'replay-only', %s FROM read_parquet('%s/trades.parquet')))",
             cols, run, cols, trades_again, cols, trades_again, cols, run);
    char *rows = tu_q_str(&db, sql);
    fprintf(stderr, "fills that differ (session %s, replay %s): %s\n", run, trades_again,
            rows ? rows : "?");
    free(rows);
  }
  CHECK_EQ_INT(0, differ);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s')", trades_again);
  CHECK(tu_q_int(&db, sql) >= 4);
  /* ... and records the same candles with the same flags. */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM ((SELECT symbol, time, history FROM read_parquet('%s') EXCEPT "
           "ALL SELECT symbol, time, history FROM read_parquet('%s')) UNION ALL (SELECT symbol, "
           "time, history FROM read_parquet('%s') EXCEPT ALL SELECT symbol, time, history FROM "
           "read_parquet('%s')))",
           md, md_again, md_again, md);
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_rm_rf(out);
}

/* The exchange pings (here every 400 ms) and closes a connection that leaves a ping
 * unanswered until the next one: argo answers every ping, so the one connection carries the
 * session. */
TEST(e2e_binance_answers_the_exchange_pings) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-binance-ping"));
  char stats[4300];
  snprintf(stats, sizeof stats, "%s/mock-stats", out);
  tu_mock m;
  tu_mock_start(&m, "--interval", "1s", "--tick-ms", "50", "--ping-ms", "400", "--stats-file",
                stats, NULL);
  char ws[128], rest[128], data[4200], ev[4300], errp[4300];
  snprintf(ws, sizeof ws, "market_data.ws_url=%s", m.ws);
  snprintf(rest, sizeof rest, "market_data.rest_url=%s", m.rest);
  snprintf(data, sizeof data, "%s/data", out);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(errp, sizeof errp, "%s/stderr", out);
  char *args[] = {ARGO_BIN,        "run",
                  "--feed",        "binance",
                  "--interval",    "1s",
                  "--symbols",     "BTCUSDT",
                  "--set",         ws,
                  "--set",         rest,
                  "--set",         "engine.stats_every=1",
                  "--data-output", data,
                  "--events",      ev,
                  "--quiet",       NULL};
  /* 80 candles: four seconds, some ten pings. */
  const char *const until[] = {STATUS("running"), "\"candles_total\":80,", NULL};
  int rc = run_until(args, errp, ev, until);
  char *e = tu_read_file(errp);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_MSG(strstr(e, "connection lost") == NULL, "%s", e);
  free(e);
  tu_mock_stop(&m);
  char *st = tu_read_file(stats);
  CHECK_MSG(st != NULL, "the mock wrote no %s", stats);
  long long conns = -1, pings = -1, pongs = -1;
  CHECK_EQ_INT(3, sscanf(st, "connections %lld pings %lld pongs %lld", &conns, &pings, &pongs));
  free(st);
  CHECK_EQ_INT(1, conns);
  CHECK_MSG(pings >= 5, "only %lld pings", pings);
  CHECK_MSG(pongs >= pings - 1, "%lld pings, %lld pongs", pings, pongs);
  tu_rm_rf(out);
}

/* The last progress report of the events file: done and total (-1 when there is none). */
static void last_progress(const char *path, long long *done, long long *total) {
  *done = *total = -1;
  char *text = tu_read_file(path);
  for (const char *p = text; p && (p = strstr(p, "\"event\":\"prefetch_progress\"")) != NULL; p++) {
    const char *d = strstr(p, "\"done\":");
    if (d) {
      sscanf(d, "\"done\":%lld,\"total\":%lld", done, total);
    }
  }
  free(text);
}

/* engine.prefetch.start_time_type days: the history starts that many days before the start,
 * aligned to the interval, and runs without a hole up to the candle in progress. */
TEST(e2e_binance_prefetch_days_starts_that_many_days_back) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-binance-days"));
  tu_mock m;
  tu_mock_start(&m, "--interval", "1m", NULL); /* real time: one-minute candles */
  char ws[128], rest[128], data[4200], ev[4300], errp[4300];
  snprintf(ws, sizeof ws, "market_data.ws_url=%s", m.ws);
  snprintf(rest, sizeof rest, "market_data.rest_url=%s", m.rest);
  snprintf(data, sizeof data, "%s/data", out);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(errp, sizeof errp, "%s/stderr", out);
  char *args[] = {ARGO_BIN,        "run",
                  "--feed",        "binance",
                  "--interval",    "1m",
                  "--symbols",     "BTCUSDT",
                  "--set",         ws,
                  "--set",         rest,
                  "--set",         "engine.prefetch.enabled=true",
                  "--set",         "engine.prefetch.start_time_type=days",
                  "--set",         "engine.prefetch.days=1",
                  "--data-output", data,
                  "--events",      ev,
                  "--quiet",       NULL};
  unlink(ev);
  int64_t t0 = argo__wall_us() / 1000;
  pid_t pid = tu_spawn(args, errp);
  /* Wait for the download to be complete (a live one-minute candle may take a minute). */
  const char *const started[] = {STATUS("prefetching"), NULL};
  wait_events(pid, ev, 60, started);
  long long done = -1, total = -1;
  int64_t deadline = argo__mono_us() + 60 * INT64_C(1000000);
  while ((done < 0 || done < total) && argo__mono_us() < deadline) {
    usleep(20000);
    last_progress(ev, &done, &total);
  }
  int64_t t1 = argo__wall_us() / 1000;
  int rc = stop_argo(pid);
  char *e = tu_read_file(errp);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  CHECK_MSG(done >= 1440 && done == total, "prefetch progress %lld of %lld", done, total);
  tu_db db;
  tu_db_open(&db);
  char pat[4400], sql[9000];
  md_glob(pat, sizeof pat, 1);
  const int64_t day = 86400000, iv = 60000;
  snprintf(sql, sizeof sql, "SELECT epoch_ms(min(time)) FROM read_parquet('%s') WHERE history",
           pat);
  int64_t first = tu_q_int(&db, sql);
  CHECK_MSG(first >= (t0 - day) / iv * iv && first <= (t1 - day) / iv * iv,
            "the first prefetched candle opens at %lld, want one day before the start (%lld .. "
            "%lld)",
            (long long)first, (long long)((t0 - day) / iv * iv), (long long)((t1 - day) / iv * iv));
  snprintf(sql, sizeof sql, "SELECT epoch_ms(max(time)) FROM read_parquet('%s') WHERE history",
           pat);
  int64_t last = tu_q_int(&db, sql);
  CHECK_MSG(last >= t0 / iv * iv - iv && last <= t1 / iv * iv,
            "the last prefetched candle opens at %lld, want the one before the start's (%lld)",
            (long long)last, (long long)(t0 / iv * iv - iv));
  snprintf(sql, sizeof sql, "SELECT count(DISTINCT time) FROM read_parquet('%s') WHERE history",
           pat);
  CHECK_EQ_INT((last - first) / iv + 1, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_mock_stop(&m);
  tu_rm_rf(out);
}

/* A secret in a base URL (user information, a token-like query parameter) is never printed: not
 * on standard error, not in the events file, not in the message of a refused setting. The REST
 * base URL carries a password and two tokens and points at a path the mock exchange does not
 * serve, so that the prefetch fails with an error quoting the URL; the WebSocket base URL, which
 * the feed refuses with user information or a query, is refused with the URL quoted. */
TEST(e2e_binance_secrets_in_urls_are_masked_on_stderr_and_in_events) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("e2e-binance-secret"));
  const char *secret = "S3CRET-8c1f0e";
  tu_mock m;
  tu_mock_start(&m, "--interval", "1m", NULL);
  char ws[128], rest[512], data[4200], ev[4300], errp[4300];
  snprintf(ws, sizeof ws, "market_data.ws_url=%s", m.ws);
  snprintf(rest, sizeof rest,
           "market_data.rest_url=http://trader:%s@127.0.0.1:%d/nosuch?token=%s&apiKey=%s", secret,
           m.port, secret, secret);
  snprintf(data, sizeof data, "%s/data", out);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(errp, sizeof errp, "%s/stderr", out);
  char *args[] = {ARGO_BIN,
                  "run",
                  "--feed",
                  "binance",
                  "--interval",
                  "1m",
                  "--symbols",
                  "BTCUSDT",
                  "--set",
                  ws,
                  "--set",
                  rest,
                  "--set",
                  "engine.prefetch.enabled=true",
                  "--set",
                  "engine.prefetch.start_time_type=days",
                  "--set",
                  "engine.prefetch.days=1",
                  "--data-output",
                  data,
                  "--events",
                  ev,
                  NULL};
  const char *const until_error[] = {"\"event\":\"error\"", NULL};
  run_until(args, errp, ev, until_error);
  char *e = tu_read_file(errp), *events = tu_read_file(ev);
  CHECK_MSG(e && strstr(e, "GET http://***@127.0.0.1:") && strstr(e, "?token=***&apiKey=***"),
            "stderr: %s", e);
  CHECK_MSG(!strstr(e, secret), "the secret is on stderr: %s", e);
  CHECK_MSG(strstr(events, "\"message\":\"GET http://***@127.0.0.1:"), "events: %s", events);
  CHECK_MSG(!strstr(events, secret), "the secret is in the events file: %s", events);
  free(e);
  free(events);
  tu_mock_stop(&m);
  /* Nothing the session wrote holds it: stats.yaml, the Parquet files, the journal. */
  const char *found = tu_file_containing(out, secret);
  CHECK_MSG(found == NULL, "the secret is in %s", found);

  /* Settings the feed refuses (user information or a query in the WebSocket URL) are quoted
   * masked too, in the one line of a refused run. */
  char bad[256];
  snprintf(bad, sizeof bad, "market_data.ws_url=wss://trader:%s@127.0.0.1:1/ws?token=%s", secret,
           secret);
  char *o = NULL;
  int rc = tu_argo(&o, &e, "run", "--feed", "binance", "--symbols", "BTCUSDT", "--set", bad,
                   "--data-output", data, "--events", ev, NULL);
  CHECK_MSG(rc == 2, "exit %d: %s", rc, e);
  CHECK_CONTAINS(e, "market_data.ws_url");
  CHECK_CONTAINS(e, "wss://***@127.0.0.1:1/ws?token=***");
  CHECK_MSG(!strstr(e, secret) && !strstr(o, secret), "the secret is printed: %s%s", o, e);
  free(o);
  free(e);
  snprintf(bad, sizeof bad, "market_data.rest_url=ftp://trader:%s@127.0.0.1:1/?token=%s", secret,
           secret);
  rc = tu_argo(&o, &e, "run", "--feed", "binance", "--symbols", "BTCUSDT", "--set", bad,
               "--data-output", data, NULL);
  CHECK_MSG(rc == 2, "exit %d: %s", rc, e);
  CHECK_CONTAINS(e, "ftp://***@127.0.0.1:1/?token=***");
  CHECK_MSG(!strstr(e, secret), "the secret is printed: %s", e);
  free(o);
  free(e);
  tu_rm_rf(out);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(e2e_binance_prefetch_live_trade_stop_and_resume);
  RUN(e2e_binance_reconnects_and_fills_the_gap);
  RUN(e2e_binance_prefetch_meets_live_without_a_hole);
  RUN(e2e_binance_gap_after_prefetch_reports_gap_filling);
  RUN(e2e_binance_replay_of_a_prefetching_session_reproduces_its_fills);
  RUN(e2e_binance_answers_the_exchange_pings);
  RUN(e2e_binance_prefetch_days_starts_that_many_days_back);
  RUN(e2e_binance_secrets_in_urls_are_masked_on_stderr_and_in_events);
  return test_summary();
}
