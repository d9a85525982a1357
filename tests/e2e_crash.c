/*
 * Crash safety, end to end: real `argo run` processes killed with SIGKILL at many random moments
 * (during publishing and around day changes), restarted on the same data folder, then checked:
 * every order and fill that appeared in an events file is in the Parquet files with the same
 * values, every file opens in DuckDB, no journal is left, run numbers keep increasing.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <argo/argo.h>

#include "persist/journal.h"
#include "persist/session.h"
#include "persist/stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

#define KILLS 24

static char root[4096], data[4200];

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* Waits (up to 60 s) until the events file of a running session holds its engine_start line;
 * false if the process ended first or the time ran out. */
static int wait_started(pid_t pid, const char *events) {
  for (int waited = 0; waited < 60000; waited += 10) {
    char *text = tu_read_file(events);
    int started = text && strstr(text, "\"engine_start\"") != NULL;
    free(text);
    if (started) {
      return 1;
    }
    if (waitpid(pid, NULL, WNOHANG) == pid) {
      return 0;
    }
    sleep_ms(10);
  }
  return 0;
}

typedef struct expect {
  tu_db *db;
  long orders, fills, runs;
  int last_run;
} expect;

static void exec_ok(tu_db *db, const char *sql) {
  char err[1024];
  CHECK_MSG(tu_exec(db, sql, err, sizeof err) == 0, "%s\n  SQL: %s", err, sql);
}

/* Loads what the events file acknowledged into the expected_* tables. */
static void load_events(expect *x, const char *path) {
  char *text = tu_read_file(path);
  if (!text) {
    return;
  }
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    json_t *j = json_loads(line, 0, NULL);
    if (!j) {
      continue; /* the line the kill cut short */
    }
    const char *ev = json_string_value(json_object_get(j, "event"));
    char sql[2048];
    if (ev && strcmp(ev, "engine_start") == 0) {
      const char *run = json_string_value(json_object_get(j, "run"));
      int n = argo__session_run_number(run ? run : "");
      CHECK_MSG(n > x->last_run, "run numbers went from %d to %d", x->last_run, n);
      x->last_run = n;
      x->runs++;
    } else if (ev && strcmp(ev, "order_placed") == 0) {
      json_t *o = json_object_get(j, "order");
      snprintf(sql, sizeof sql, "INSERT INTO expected_orders VALUES (%s, %s, %s, '%.17g'::DOUBLE)",
               tu_sql_str(json_string_value(json_object_get(o, "order_id"))),
               tu_sql_str(json_string_value(json_object_get(o, "symbol"))),
               tu_sql_str(json_string_value(json_object_get(o, "side"))),
               json_number_value(json_object_get(o, "quantity")));
      exec_ok(x->db, sql);
      x->orders++;
    } else if (ev && strcmp(ev, "order_filled") == 0) {
      json_t *f = json_object_get(j, "fill");
      snprintf(sql, sizeof sql,
               /* Numbers go through text so that DuckDB parses them exactly (a numeric literal
                * would become a DECIMAL first). */
               "INSERT INTO expected_fills VALUES (%s, '%.17g'::DOUBLE, '%.17g'::DOUBLE, "
               "'%.17g'::DOUBLE, '%.17g'::DOUBLE, CAST(%s AS TIMESTAMP))",
               tu_sql_str(json_string_value(json_object_get(f, "order_id"))),
               json_number_value(json_object_get(f, "executed_qty")),
               json_number_value(json_object_get(f, "executed_price")),
               json_number_value(json_object_get(f, "commission")),
               json_number_value(json_object_get(f, "pnl")),
               tu_sql_str(json_string_value(json_object_get(f, "executed_at"))));
      exec_ok(x->db, sql);
      x->fills++;
    }
    json_decref(j);
  }
  free(text);
}

TEST(e2e_sigkill_at_random_moments_loses_nothing_acknowledged) {
  snprintf(root, sizeof root, "%s", tu_tmpdir("e2e-kill"));
  snprintf(data, sizeof data, "%s/data", root);
  unsigned seed = (unsigned)time(NULL);
  fprintf(stderr, "kill-test seed %u\n", seed);
  srand(seed);
  for (int i = 0; i < KILLS; i++) {
    char ev[4300];
    snprintf(ev, sizeof ev, "%s/events-%02d.jsonl", root, i);
    /* 5-minute candles, 10 ms apart: a session crosses midnight after about 0.5 s, so the
     * kills land before, during and after day changes, and during publishes. */
    char *args[] = {ARGO_BIN,        "run",      "--symbols",         "BTCUSDT,ETHUSDT",
                    "--interval",    "5m",       "--start",           "2025-10-01T20:00:00Z",
                    "--bars",        "100000",   "--speed",           "30000",
                    "--strategy",    "pingpong", "--strategy-config", "{\"every\": 2}",
                    "--data-output", data,       "--events",          ev,
                    "--quiet",       NULL};
    pid_t pid = tu_spawn(args, NULL);
    if (i % 4 == 3) {
      /* Every fourth kill lands during start-up: while the previous crash is being recovered,
       * or before the run folder is claimed. */
      sleep_ms(rand() % 400);
    } else {
      /* The others land while the session trades. Start-up time (recovery of the previous
       * crash, DuckDB, sanitizers) varies a lot between machines, so the random moment is
       * counted from the session's engine_start event, not from the spawn. */
      CHECK_MSG(wait_started(pid, ev), "run %d never started", i);
      sleep_ms(rand() % 2000);
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
              "run %d ended on its own (status %d) before the kill", i, status);
  }
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "recover", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "recover exit %d: %s %s", rc, o, e);
  free(o);
  free(e);

  tu_db db;
  tu_db_open(&db);
  exec_ok(&db, "CREATE TABLE expected_orders (order_id VARCHAR, symbol VARCHAR, side VARCHAR, "
               "quantity DOUBLE)");
  exec_ok(&db, "CREATE TABLE expected_fills (order_id VARCHAR, executed_qty DOUBLE, "
               "executed_price DOUBLE, commission DOUBLE, pnl DOUBLE, executed_at TIMESTAMP)");
  expect x = {&db, 0, 0, 0, 0};
  for (int i = 0; i < KILLS; i++) {
    char ev[4300];
    snprintf(ev, sizeof ev, "%s/events-%02d.jsonl", root, i);
    load_events(&x, ev);
  }
  fprintf(stderr, "acknowledged: %ld orders, %ld fills in %ld runs\n", x.orders, x.fills, x.runs);
  CHECK(x.fills > 100);
  /* Every run killed after its engine_start counts; those killed during start-up may too. */
  CHECK_MSG(x.runs >= KILLS - KILLS / 4, "only %ld runs started", x.runs);

  /* Every file opens; no journal or temporary file is left. */
  char pat[4400];
  glob_t g;
  long files = 0;
  snprintf(pat, sizeof pat, "%s/*/run_*/*", data);
  if (glob(pat, 0, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      const char *f = g.gl_pathv[i];
      size_t n = strlen(f);
      if (n > 8 && strcmp(f + n - 8, ".parquet") == 0) {
        char sql[4600], err[1024];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(f));
        CHECK_MSG(tu_exec(&db, sql, err, sizeof err) == 0, "%s does not open: %s", f, err);
        files++;
      } else if (n > 10 && strcmp(f + n - 10, "stats.yaml") == 0) {
        char *text = tu_read_file(f);
        argo__stats_doc d;
        char err[512];
        CHECK_MSG(argo__stats_yaml_parse(text, &d, err, sizeof err) == ARGO_OK, "%s: %s", f, err);
        CHECK_MSG(strcmp(d.s.status, "finished") == 0 ||
                      strcmp(d.s.status, "crashed_recovered") == 0,
                  "%s: status %s", f, d.s.status);
        argo__stats_doc_free(&d);
        free(text);
      }
    }
    globfree(&g);
  }
  CHECK(files > 0);
  snprintf(pat, sizeof pat, "%s/*/run_*/.*", data);
  if (glob(pat, 0, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      const char *f = strrchr(g.gl_pathv[i], '/') + 1;
      CHECK_MSG(strcmp(f, ".") == 0 || strcmp(f, "..") == 0, "left behind: %s", g.gl_pathv[i]);
    }
    globfree(&g);
  }

  /* Everything acknowledged is there, with the same values. */
  char sql[8800];
  snprintf(sql, sizeof sql,
           "CREATE VIEW trades AS SELECT * FROM read_parquet(%s || '/*/run_*/trades.parquet'); "
           "CREATE VIEW orders AS SELECT * FROM read_parquet(%s || '/*/run_*/orders.parquet')",
           tu_sql_str(data), tu_sql_str(data));
  exec_ok(&db, sql);
  int64_t missing_fills = tu_q_int(
      &db, "SELECT count(*) FROM expected_fills e ANTI JOIN trades t ON e.order_id = t.order_id "
           "AND e.executed_qty = t.executed_qty AND e.executed_price = t.executed_price AND "
           "e.commission = t.commission AND e.pnl = t.pnl AND e.executed_at = t.executed_at");
  if (missing_fills) {
    char *ex = tu_q_str(&db, "SELECT string_agg(e.order_id || ' ' || e.executed_at || ' in=' || "
                             "(SELECT count(*) FROM trades t WHERE t.order_id = e.order_id), "
                             "'; ') FROM (SELECT * FROM expected_fills e ANTI JOIN trades t ON "
                             "e.order_id = t.order_id AND e.executed_qty = t.executed_qty AND "
                             "e.executed_price = t.executed_price AND e.commission = t.commission "
                             "AND e.pnl = t.pnl AND e.executed_at = t.executed_at LIMIT 5) e");
    fprintf(stderr, "missing fills, e.g.: %s\n", ex);
    free(ex);
  }
  CHECK_EQ_INT(0, missing_fills);
  int64_t missing_orders = tu_q_int(
      &db, "SELECT count(*) FROM expected_orders e ANTI JOIN orders o ON e.order_id = o.order_id "
           "AND e.symbol = o.symbol AND e.side = o.side AND e.quantity = o.quantity");
  CHECK_EQ_INT(0, missing_orders);
  /* A fill is never recorded twice. */
  CHECK_EQ_INT(0, tu_q_int(&db, "SELECT count(*) FROM (SELECT order_id FROM trades GROUP BY "
                                "order_id HAVING count(*) > 1)"));
  tu_db_close(&db);
  if (!getenv("ARGO_KEEP")) {
    tu_rm_rf(root);
  }
}

TEST(e2e_a_second_session_never_recovers_a_running_one) {
  snprintf(root, sizeof root, "%s", tu_tmpdir("e2e-alive"));
  snprintf(data, sizeof data, "%s/data", root);
  /* Session A: one-minute candles at 60x, a candle a second, running while B starts. */
  char *args[] = {ARGO_BIN,        "run",
                  "--interval",    "1m",
                  "--speed",       "60",
                  "--bars",        "100000",
                  "--start",       "2025-10-01T10:00:00Z",
                  "--data-output", data,
                  "--quiet",       NULL};
  pid_t a = tu_spawn(args, NULL);
  char journal[4400];
  snprintf(journal, sizeof journal, "%s/2025-10-01/run_1/.journal", data);
  /* A is running once its journal exists (polled; start-up time varies a lot). */
  int have = 0;
  for (int waited = 0; waited < 60000 && !have; waited += 10) {
    have = argo__fs_exists(journal);
    if (!have) {
      CHECK_MSG(waitpid(a, NULL, WNOHANG) == 0, "A ended before writing its journal");
      sleep_ms(10);
    }
  }
  CHECK_MSG(have, "A has no journal after 60 s");
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "run", "--bars", "20", "--start", "2025-10-01T12:00:00Z",
                   "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "B: exit %d: %s", rc, e);
  CHECK_MSG(strstr(o, "recovered") == NULL, "B recovered A's folder: %s", o);
  free(o);
  free(e);
  rc = tu_argo(&o, &e, "recover", "--data-output", data, NULL);
  CHECK_EQ_INT(0, rc);
  CHECK_CONTAINS(o, "0 run-day folders finalized");
  free(o);
  free(e);
  CHECK_MSG(argo__fs_exists(journal), "A's journal was taken away");
  kill(a, SIGINT);
  int status;
  waitpid(a, &status, 0);
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "A: status %d", status);
  char p[4400];
  snprintf(p, sizeof p, "%s/2025-10-01/run_1/stats.yaml", data);
  char *text = tu_read_file(p);
  argo__stats_doc d;
  char err[256];
  CHECK_MSG(argo__stats_yaml_parse(text, &d, err, sizeof err) == ARGO_OK, "%s", err);
  free(text);
  CHECK_STR("stopped", d.s.status);
  CHECK_STR("stopped by SIGINT before the feed's end", d.stop_reason);
  argo__stats_doc_free(&d);
  CHECK(!argo__fs_exists(journal));
  tu_rm_rf(root);
}

/* ---- a crash that leaves journals in two day folders ------------------------------------ */

/* State of the in-process session run by crash_child (its own process). */
typedef struct child {
  int ack_fd; /* acknowledged rows, one line each, written as they are acknowledged */
  char j1[4400], j2[4400];
  int armed, both;
} child;

static void child_line(child *c, const char *line) {
  size_t n = strlen(line);
  if (write(c->ack_fd, line, n) != (ssize_t)n) {
    _exit(3);
  }
}

static void child_market(argo_engine *e, const argo_candle *k, void *user) {
  (void)e;
  child *c = user;
  /* From the last minute of Oct 1 on, no stats.yaml of Oct 1 can be published: the day's final
   * publication keeps retrying, so its journal stays while Oct 2 is recorded. */
  if (!c->armed && k->time >= 1759363140LL * 1000000) { /* 2025-10-01T23:59:00Z */
    c->armed = 1;
    argo__io_fault_set_path(ARGO_IO_RENAME, "/2025-10-01/run_1/stats.yaml", 1, -1, EIO);
  }
}

static void child_placed(argo_engine *e, const argo_order *o, void *user) {
  (void)e;
  char line[256];
  snprintf(line, sizeof line, "order %s\n", o->order_id);
  child_line(user, line);
}

static void child_fill(argo_engine *e, const argo_order *o, const argo_fill *f, void *user) {
  (void)e;
  (void)o;
  child *c = user;
  char line[512];
  snprintf(line, sizeof line, "fill %s %.17g %.17g %.17g %.17g\n", f->order_id, f->executed_qty,
           f->executed_price, f->commission, f->pnl);
  child_line(c, line);
  /* Killed once three fills of Oct 2 were acknowledged while both journals exist. */
  if (f->executed_at >= 1759363200LL * 1000000 && argo__fs_exists(c->j1) &&
      argo__fs_exists(c->j2) && ++c->both == 3) {
    raise(SIGKILL);
  }
}

/* Runs a session in a child process that SIGKILLs itself with journals in both Oct 1's and
 * Oct 2's folders; acknowledged rows go to ack_path. */
static void crash_with_two_journals(const char *dir, const char *ack_path) {
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    child c = {0};
    c.ack_fd = open(ack_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    snprintf(c.j1, sizeof c.j1, "%s/2025-10-01/run_1/.journal", dir);
    snprintf(c.j2, sizeof c.j2, "%s/2025-10-02/run_1/.journal", dir);
    argo_config *cfg;
    argo_engine *eng;
    if (c.ack_fd < 0 || argo_config_new(&cfg) != ARGO_OK ||
        argo_config_set(cfg, "engine.data_output", dir) != ARGO_OK ||
        argo_config_set(cfg, "market_data.interval", "1m") != ARGO_OK ||
        argo_config_set(cfg, "market_data.start", "2025-10-01T23:50:00Z") != ARGO_OK ||
        argo_config_set(cfg, "market_data.bars", "100000") != ARGO_OK ||
        argo_config_set(cfg, "market_data.speed", "6000") != ARGO_OK ||
        argo_config_set(cfg, "strategy.name", "pingpong") != ARGO_OK ||
        argo_config_set(cfg, "strategy.config", "{\"every\": 2}") != ARGO_OK ||
        argo_engine_new(&eng) != ARGO_OK || argo_engine_init(eng, cfg) != ARGO_OK) {
      _exit(2);
    }
    argo_callbacks cb = {.on_market_data = child_market,
                         .on_order_placed = child_placed,
                         .on_order_filled = child_fill};
    argo_engine_set_callbacks(eng, &cb, sizeof cb, &c);
    argo_engine_run(eng);
    _exit(1); /* the session ended without the state the test needs */
  }
  int status;
  waitpid(pid, &status, 0);
  CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
            "the session did not reach two live journals (status %d)", status);
  for (int d = 1; d <= 2; d++) {
    char j[4400];
    snprintf(j, sizeof j, "%s/2025-10-0%d/run_1/.journal", dir, d);
    CHECK_MSG(argo__fs_exists(j), "no journal %s after the crash", j);
  }
}

/* Loads the acknowledgements written by the child into expected_orders / expected_fills. */
static void load_acks(tu_db *db, const char *path, long *orders, long *fills) {
  exec_ok(db, "CREATE OR REPLACE TABLE expected_orders (order_id VARCHAR)");
  exec_ok(db, "CREATE OR REPLACE TABLE expected_fills (order_id VARCHAR, executed_qty DOUBLE, "
              "executed_price DOUBLE, commission DOUBLE, pnl DOUBLE)");
  char *text = tu_read_file(path);
  CHECK(text != NULL);
  *orders = *fills = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char id[64], sql[1024];
    double v[4];
    if (sscanf(line, "order %63s", id) == 1) {
      snprintf(sql, sizeof sql, "INSERT INTO expected_orders VALUES (%s)", tu_sql_str(id));
      (*orders)++;
    } else if (sscanf(line, "fill %63s %lf %lf %lf %lf", id, &v[0], &v[1], &v[2], &v[3]) == 5) {
      snprintf(sql, sizeof sql,
               "INSERT INTO expected_fills VALUES (%s, '%.17g'::DOUBLE, '%.17g'::DOUBLE, "
               "'%.17g'::DOUBLE, '%.17g'::DOUBLE)",
               tu_sql_str(id), v[0], v[1], v[2], v[3]);
      (*fills)++;
    } else {
      TEST_FAIL_("bad acknowledgement line: %s", line);
    }
    exec_ok(db, sql);
  }
  free(text);
}

/* Everything acknowledged is in the recovered files exactly once, nothing is duplicated, every
 * file opens, no journal is left, and each day's stats.yaml agrees with its trades. */
static void check_recovered(tu_db *db, const char *dir, const char *want_status) {
  char sql[9000], g[4400];
  snprintf(g, sizeof g, "%s/*/run_*/", dir);
  snprintf(sql, sizeof sql,
           "CREATE OR REPLACE VIEW trades AS SELECT * FROM read_parquet(%s || 'trades.parquet'); "
           "CREATE OR REPLACE VIEW orders AS SELECT * FROM read_parquet(%s || "
           "'orders.parquet'); CREATE OR REPLACE VIEW md AS SELECT * FROM read_parquet(%s || "
           "'market_data.parquet')",
           tu_sql_str(g), tu_sql_str(g), tu_sql_str(g));
  exec_ok(db, sql);
  CHECK_EQ_INT(0, tu_q_int(db, "SELECT count(*) FROM expected_fills e ANTI JOIN trades t ON "
                               "e.order_id = t.order_id AND e.executed_qty = t.executed_qty AND "
                               "e.executed_price = t.executed_price AND e.commission = "
                               "t.commission AND e.pnl = t.pnl"));
  CHECK_EQ_INT(0, tu_q_int(db, "SELECT count(*) FROM expected_orders e ANTI JOIN orders o ON "
                               "e.order_id = o.order_id"));
  CHECK_EQ_INT(0, tu_q_int(db, "SELECT count(*) FROM (SELECT order_id FROM trades GROUP BY "
                               "order_id HAVING count(*) > 1)"));
  CHECK_EQ_INT(0, tu_q_int(db, "SELECT count(*) FROM (SELECT order_id FROM orders GROUP BY "
                               "order_id HAVING count(*) > 1)"));
  CHECK_EQ_INT(0, tu_q_int(db, "SELECT count(*) FROM (SELECT time, symbol FROM md GROUP BY ALL "
                               "HAVING count(*) > 1)"));
  int64_t cum_trades = 0;
  for (int d = 1; d <= 2; d++) {
    char run[4400], p[4500];
    snprintf(run, sizeof run, "%s/2025-10-0%d/run_1", dir, d);
    snprintf(p, sizeof p, "%s/%s", run, ARGO_JOURNAL_NAME);
    CHECK_MSG(!argo__fs_exists(p), "%s left behind", p);
    snprintf(p, sizeof p, "%s/stats.yaml", run);
    char *text = tu_read_file(p);
    argo__stats_doc s;
    char err[256];
    CHECK_MSG(text && argo__stats_yaml_parse(text, &s, err, sizeof err) == ARGO_OK, "%s: %s", p,
              text ? err : "missing");
    free(text);
    CHECK_STR(want_status, s.s.status);
    snprintf(p, sizeof p, "%s/trades.parquet", run);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(p));
    int64_t n = tu_q_int(db, sql);
    CHECK_EQ_INT(n, s.s.daily.number_of_trades);
    cum_trades += n;
    /* Day by day: Oct 2 continues from Oct 1's statistics. */
    CHECK_EQ_INT(cum_trades, s.s.cumulative.number_of_trades);
    snprintf(p, sizeof p, "%s/market_data.parquet", run);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(p));
    CHECK_EQ_INT(s.s.candles_day, tu_q_int(db, sql));
    argo__stats_doc_free(&s);
  }
}

TEST(e2e_a_crash_with_journals_in_two_day_folders_is_recovered_day_by_day) {
  snprintf(root, sizeof root, "%s", tu_tmpdir("e2e-twodays"));
  snprintf(data, sizeof data, "%s/data", root);
  char acks[4400];
  snprintf(acks, sizeof acks, "%s/acks.txt", root);
  crash_with_two_journals(data, acks);
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "recover", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "recover exit %d: %s %s", rc, o, e);
  /* Oldest day first, each from its own journal. */
  const char *d1 = strstr(o, "2025-10-01/run_1: recovered");
  const char *d2 = strstr(o, "2025-10-02/run_1: recovered");
  CHECK_MSG(d1 && d2 && d1 < d2, "recover did not finalize Oct 1 then Oct 2: %s", o);
  CHECK_CONTAINS(o, "2 run-day folders finalized");
  free(o);
  free(e);
  tu_db db;
  tu_db_open(&db);
  long orders, fills;
  load_acks(&db, acks, &orders, &fills);
  fprintf(stderr, "acknowledged: %ld orders, %ld fills\n", orders, fills);
  CHECK(fills >= 3);
  check_recovered(&db, data, "crashed_recovered");
  /* Recovering again finds nothing to do and changes nothing. */
  rc = tu_argo(&o, &e, "recover", "--data-output", data, NULL);
  CHECK_EQ_INT(0, rc);
  CHECK_CONTAINS(o, "0 run-day folders finalized");
  free(o);
  free(e);
  tu_db_close(&db);
  tu_rm_rf(root);
}

/* 1 if a recovery in a child process was killed at its nth call of op, 0 if it finished
 * before (there is no nth call). */
static int recover_killed_at(const char *dir, argo__io_op op, long nth) {
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    tu_die_at(op, NULL, nth);
    int n = 0;
    _exit(argo_recover(dir, NULL, NULL, &n) == ARGO_OK ? 0 : 1);
  }
  int status;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
    return 1;
  }
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "recovery failed (status %d)", status);
  return 0;
}

/* A crash during recovery, at each of its renames and fsyncs in turn (every publication step
 * of every file of both days, the removal of each journal): recovering again is idempotent,
 * loses nothing and duplicates nothing. */
TEST(e2e_a_crash_during_recovery_is_recovered_again) {
#ifdef __SANITIZE_THREAD__
  /* Each recovery runs in a forked child of this process, which DuckDB has made
   * multi-threaded: ThreadSanitizer cannot follow that (the plain and ASan builds run it). */
  SKIP("ThreadSanitizer cannot follow a fork of a multi-threaded process");
#endif
  snprintf(root, sizeof root, "%s", tu_tmpdir("e2e-recover-kill"));
  char pristine[4400], work[4400], acks[4400], cmd[9000];
  snprintf(pristine, sizeof pristine, "%s/pristine", root);
  snprintf(work, sizeof work, "%s/work", root);
  snprintf(acks, sizeof acks, "%s/acks.txt", root);
  crash_with_two_journals(pristine, acks);
  tu_db db;
  tu_db_open(&db);
  long orders, fills;
  load_acks(&db, acks, &orders, &fills);
  const argo__io_op ops[2] = {ARGO_IO_RENAME, ARGO_IO_FSYNC};
  int kills = 0;
  for (int k = 0; k < 2; k++) {
    for (long nth = 1;; nth++) {
      tu_rm_rf(work);
      snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", pristine, work);
      CHECK_MSG(system(cmd) == 0, "%s failed", cmd);
      int killed = recover_killed_at(work, ops[k], nth);
      if (killed) {
        kills++;
        /* The next start (here argo recover) finishes the job. */
        char *o = NULL, *e = NULL;
        int rc = tu_argo(&o, &e, "recover", "--data-output", work, NULL);
        CHECK_MSG(rc == 0, "recover after a kill at %s %ld: exit %d: %s %s", k ? "fsync" : "rename",
                  nth, rc, o, e);
        free(o);
        free(e);
      }
      check_recovered(&db, work, "crashed_recovered");
      if (!killed) {
        fprintf(stderr, "recovery killed at each of its %ld %s calls\n", nth - 1,
                k ? "fsync" : "rename");
        /* Both days' six files and journals: at least that many steps were interrupted. */
        CHECK(nth - 1 >= 12);
        break;
      }
    }
  }
  CHECK(kills >= 24);
  tu_db_close(&db);
  tu_rm_rf(root);
}

/* docs/design.md section 5: a corrupt Parquet file found when a run starts is moved aside
 * (.corrupt, its bytes untouched) and reported, never deleted or overwritten; the rows come back
 * from the journal. Also for a warm restart reading an earlier run's market data. */
TEST(e2e_a_corrupt_parquet_file_found_at_start_is_moved_aside_and_reported) {
  snprintf(root, sizeof root, "%s", tu_tmpdir("e2e-corrupt"));
  snprintf(data, sizeof data, "%s/data", root);
  char acks[4400], ev[4400], bad[4400], moved[4500];
  snprintf(acks, sizeof acks, "%s/acks.txt", root);
  snprintf(ev, sizeof ev, "%s/events.jsonl", root);
  crash_with_two_journals(data, acks);
  /* Oct 1's trades file is garbage now (a disk that lost it, a bad copy). */
  static const char garbage[] = "PAR1 this is not a Parquet file at all PAR1";
  snprintf(bad, sizeof bad, "%s/2025-10-01/run_1/trades.parquet", data);
  tu_write_file(bad, garbage);
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "run", "--bars", "5", "--start", "2025-10-05T00:00:00Z", "--data-output",
                   data, "--events", ev, NULL);
  CHECK_MSG(rc == 0, "run exit %d: %s %s", rc, o, e);
  free(o);
  free(e);
  snprintf(moved, sizeof moved, "%s.corrupt", bad);
  char *kept = tu_read_file(moved);
  CHECK_MSG(kept != NULL, "%s was not kept", moved);
  CHECK_STR(garbage, kept);
  free(kept);
  char *events = tu_read_file(ev);
  CHECK(events != NULL);
  CHECK_MSG(strstr(events, "could not be read") && strstr(events, "moved aside") &&
                strstr(events, "2025-10-01/run_1/trades.parquet.corrupt"),
            "the move was not reported: %s", events);
  free(events);
  tu_db db;
  tu_db_open(&db);
  long orders, fills;
  load_acks(&db, acks, &orders, &fills);
  check_recovered(&db, data, "crashed_recovered");
  tu_db_close(&db);

  /* Warm restart: the newest run's market data is corrupt. */
  char p[4200], warm[4400], ev2[4400];
  snprintf(p, sizeof p, "%s/probe.so", ARGO_TEST_PLUGIN_DIR);
  snprintf(warm, sizeof warm, "%s/warm", root);
  snprintf(ev2, sizeof ev2, "%s/events2.jsonl", root);
  rc = tu_argo(NULL, &e, "run", "--strategy", p, "--bars", "20", "--symbols", "BTCUSDT", "--start",
               "2025-10-01T10:00:00Z", "--data-output", warm, "--quiet", NULL);
  CHECK_MSG(rc == 0, "run 1: exit %d: %s", rc, e);
  free(e);
  snprintf(bad, sizeof bad, "%s/2025-10-01/run_1/market_data.parquet", warm);
  tu_write_file(bad, garbage);
  rc = tu_argo(NULL, &e, "run", "--strategy", p, "--bars", "3", "--symbols", "BTCUSDT", "--start",
               "2025-10-01T10:20:00Z", "--data-output", warm, "--events", ev2, "--quiet", NULL);
  CHECK_MSG(rc == 0, "run 2: exit %d: %s", rc, e);
  free(e);
  snprintf(moved, sizeof moved, "%s.corrupt", bad);
  kept = tu_read_file(moved);
  CHECK_MSG(kept != NULL, "%s was not kept", moved);
  CHECK_STR(garbage, kept);
  free(kept);
  events = tu_read_file(ev2);
  CHECK(events != NULL);
  CHECK_MSG(strstr(events, "\"event\":\"error\"") &&
                strstr(events, "2025-10-01/run_1/market_data.parquet.corrupt"),
            "the move was not reported: %s", events);
  free(events);
  tu_rm_rf(root);
}

static int64_t file_rows(tu_db *db, const char *dir, const char *file) {
  char path[4400], sql[4600];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(path));
  return tu_q_int(db, sql);
}

/* A byte flipped inside a crashed run's journal (a bad disk block, a bad copy) must never cost
 * a published row: the damaged record is skipped and the records after it still count, the
 * rows only the published files hold are kept, the journal is kept aside, stats.yaml says so,
 * and `argo recover` reports it with a non-zero exit. */
TEST(e2e_a_corrupt_byte_in_a_crashed_journal_never_loses_published_rows) {
  snprintf(root, sizeof root, "%s", tu_tmpdir("e2e-jcorrupt"));
  snprintf(data, sizeof data, "%s/data", root);
  char ev[4400];
  snprintf(ev, sizeof ev, "%s/events.jsonl", root);
  char *args[] = {ARGO_BIN,        "run",      "--symbols",         "BTCUSDT",
                  "--interval",    "1s",       "--start",           "2025-10-01T09:00:00Z",
                  "--bars",        "3000",     "--speed",           "500",
                  "--strategy",    "pingpong", "--strategy-config", "{\"every\": 2}",
                  "--data-output", data,       "--events",          ev,
                  "--quiet",       NULL};
  pid_t pid = tu_spawn(args, NULL);
  CHECK_MSG(wait_started(pid, ev), "the session never started");
  sleep_ms(2500);
  kill(pid, SIGKILL);
  CHECK_EQ_INT(128 + SIGKILL, tu_reap(pid));

  char dir[4400], jpath[4500], kept[4500], stats[4500];
  snprintf(dir, sizeof dir, "%s/2025-10-01/run_1", data);
  snprintf(jpath, sizeof jpath, "%s/.journal", dir);
  snprintf(kept, sizeof kept, "%s/.journal.corrupt", dir);
  snprintf(stats, sizeof stats, "%s/stats.yaml", dir);
  tu_db db;
  tu_db_open(&db);
  static const char *const files[] = {"orders.parquet", "trades.parquet", "market_data.parquet"};
  int64_t before[3];
  for (int i = 0; i < 3; i++) {
    before[i] = file_rows(&db, dir, files[i]);
  }
  CHECK_MSG(before[1] > 100, "only %lld fills were published before the kill",
            (long long)before[1]);
  /* Flip one byte a third of the way into the journal. */
  struct stat st;
  CHECK(stat(jpath, &st) == 0);
  int fd = open(jpath, O_RDWR);
  CHECK(fd >= 0);
  unsigned char b;
  off_t off = st.st_size / 3;
  CHECK(pread(fd, &b, 1, off) == 1);
  b ^= 0x5a;
  CHECK(pwrite(fd, &b, 1, off) == 1);
  close(fd);

  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "recover", "--data-output", data, NULL);
  CHECK_MSG(rc != 0, "recover exit 0 for a damaged journal: %s %s", o, e);
  CHECK_MSG(e && strstr(e, "damaged") && strstr(e, ".journal.corrupt"),
            "the damage was not reported: %s", e ? e : "");
  free(o);
  free(e);
  /* Never fewer rows than were published. */
  for (int i = 0; i < 3; i++) {
    int64_t after = file_rows(&db, dir, files[i]);
    CHECK_MSG(after >= before[i], "%s: %lld rows published before recovery, %lld after", files[i],
              (long long)before[i], (long long)after);
  }
  /* Every acknowledged fill is there. */
  exec_ok(&db, "CREATE TABLE expected_orders (order_id VARCHAR, symbol VARCHAR, side VARCHAR, "
               "quantity DOUBLE)");
  exec_ok(&db, "CREATE TABLE expected_fills (order_id VARCHAR, executed_qty DOUBLE, "
               "executed_price DOUBLE, commission DOUBLE, pnl DOUBLE, executed_at TIMESTAMP)");
  expect x = {&db, 0, 0, 0, 0};
  load_events(&x, ev);
  CHECK(x.fills > 100);
  char sql[9000], tp[4500];
  snprintf(tp, sizeof tp, "%s/trades.parquet", dir);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM expected_fills e ANTI JOIN read_parquet(%s) t ON e.order_id = "
           "t.order_id AND e.executed_qty = t.executed_qty AND e.executed_price = "
           "t.executed_price AND e.pnl = t.pnl AND e.executed_at = t.executed_at",
           tu_sql_str(tp));
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  /* No fill twice. */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM (SELECT order_id FROM read_parquet(%s) GROUP BY order_id "
           "HAVING count(*) > 1)",
           tu_sql_str(tp));
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  /* The journal is kept, stats.yaml says what happened and agrees with the files. */
  CHECK_MSG(!argo__fs_exists(jpath), "%s is still there", jpath);
  CHECK_MSG(argo__fs_exists(kept), "the damaged journal was not kept as %s", kept);
  argo__stats_doc doc = tu_read_stats(stats);
  CHECK_STR("crashed_recovered", doc.s.status);
  CHECK(doc.has_damage);
  CHECK(doc.damage.regions >= 1);
  CHECK_STR(".journal.corrupt", doc.damage.kept_as);
  CHECK_EQ_INT(file_rows(&db, dir, "trades.parquet"), doc.s.daily.number_of_trades);
  argo__stats_doc_free(&doc);
  /* Recovering again finds nothing to do. */
  rc = tu_argo(&o, &e, "recover", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "second recover exit %d: %s %s", rc, o, e);
  free(o);
  free(e);
  tu_db_close(&db);
  tu_rm_rf(root);
}

/* At full speed over short days the engine changes day every few milliseconds: a kill must
 * leave no folder that recovery cannot finalize (each ends with a final stats.yaml, or is
 * removed when it never held anything), with the journal on and off. */
static void kill_at_full_speed(const char *journal, const char *tag) {
  snprintf(root, sizeof root, "%s", tu_tmpdir(tag));
  snprintf(data, sizeof data, "%s/data", root);
  char ev[4400], set[64];
  snprintf(ev, sizeof ev, "%s/events.jsonl", root);
  snprintf(set, sizeof set, "engine.journal=%s", journal);
  char *args[] = {ARGO_BIN,     "run",     "--symbols",     "BTCUSDT,ETHUSDT",
                  "--interval", "1m",      "--start",       "2025-10-01T00:00:00Z",
                  "--bars",     "2000000", "--strategy",    "pingpong",
                  "--set",      set,       "--data-output", data,
                  "--events",   ev,        "--quiet",       NULL};
  pid_t pid = tu_spawn(args, NULL);
  CHECK_MSG(wait_started(pid, ev), "the session never started");
  /* Killed once it has changed day a few times (however fast the build runs), at a moment
   * that varies. */
  char pat[4400];
  snprintf(pat, sizeof pat, "%s/*/run_*", data);
  for (int waited = 0; waited < 60000; waited += 10) {
    glob_t g0;
    size_t n = glob(pat, 0, NULL, &g0) == 0 ? g0.gl_pathc : 0;
    globfree(&g0);
    if (n >= 4) {
      break;
    }
    sleep_ms(10);
  }
  sleep_ms(rand() % 300);
  kill(pid, SIGKILL);
  CHECK_EQ_INT(128 + SIGKILL, tu_reap(pid));
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "recover", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "recover exit %d: %s %s", rc, o, e);
  free(o);
  free(e);
  glob_t g;
  int days = 0, crashed = 0;
  if (glob(pat, 0, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      char p[4600];
      snprintf(p, sizeof p, "%s/stats.yaml", g.gl_pathv[i]);
      CHECK_MSG(argo__fs_exists(p), "%s has no stats.yaml after recovery", g.gl_pathv[i]);
      argo__stats_doc d = tu_read_stats(p);
      days++;
      if (strcmp(d.s.status, "crashed_recovered") == 0) {
        crashed++;
        CHECK_EQ_INT(strcmp(journal, "false") == 0, d.journal_off);
      } else {
        /* Days in order: the crash ended the last ones (the days whose final files it came
         * before), and every day before them finished. */
        CHECK_MSG(crashed == 0, "%s: %s after a crashed_recovered day", g.gl_pathv[i], d.s.status);
        CHECK_STR("finished", d.s.status);
      }
      argo__stats_doc_free(&d);
      snprintf(p, sizeof p, "%s/.lock", g.gl_pathv[i]);
      CHECK_MSG(!argo__fs_exists(p), "%s left behind", p);
      snprintf(p, sizeof p, "%s/.journal", g.gl_pathv[i]);
      CHECK_MSG(!argo__fs_exists(p), "%s left behind", p);
    }
    globfree(&g);
  }
  fprintf(stderr, "journal %s: %d day folders, %d crashed_recovered\n", journal, days, crashed);
  CHECK_MSG(days >= 3, "only %d day folders: the kill came too early to cross days", days);
  CHECK_MSG(crashed >= 1, "no day says the session crashed");
  /* Nothing is left out of the listing. */
  rc = tu_argo(&o, &e, "sessions", "--data-output", data, NULL);
  CHECK_EQ_INT(0, rc);
  CHECK_MSG(!strstr(e, "no stats.yaml"), "folders left without stats.yaml: %s", e);
  free(o);
  free(e);
  tu_rm_rf(root);
}

TEST(e2e_a_kill_at_full_speed_over_many_days_leaves_every_folder_final) {
  kill_at_full_speed("true", "e2e-days");
}

TEST(e2e_a_kill_without_a_journal_still_shows_as_crashed_after_recovery) {
  kill_at_full_speed("false", "e2e-days-nojournal");
}

/* Waits (up to max_ms) until the file at path holds needle; 0 if pid ended first or time ran out.
 */
static int wait_text(pid_t pid, const char *path, const char *needle, int max_ms) {
  for (int waited = 0; waited < max_ms; waited += 20) {
    char *text = tu_read_file(path);
    int found = text && strstr(text, needle) != NULL;
    free(text);
    if (found) {
      return 1;
    }
    if (pid > 0 && waitpid(pid, NULL, WNOHANG) == pid) {
      return 0;
    }
    sleep_ms(20);
  }
  return 0;
}

/* Waits up to 60 s for pid to end; SIGKILLs it (and fails the test) if it does not. */
static int reap_within(pid_t pid) {
  for (int waited = 0; waited < 60000; waited += 20) {
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    sleep_ms(20);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  TEST_FAIL_("the process did not end within 60 s");
  return -1;
}

/* A session of the hang plugin: 300 candles of one symbol, an order every 10th, then a call
 * that never returns. */
static pid_t run_hanging(const char *ev, const char *config, const char *grace);

/* A fresh root, a session of the hang plugin, and its report of the hang in what. */
static pid_t start_hanging(const char *tag, const char *config, const char *grace, const char *what,
                           char *ev, size_t evlen) {
  snprintf(root, sizeof root, "%s", tu_tmpdir(tag));
  snprintf(data, sizeof data, "%s/data", root);
  snprintf(ev, evlen, "%s/events.jsonl", root);
  pid_t pid = run_hanging(ev, config, grace);
  char needle[128];
  snprintf(needle, sizeof needle, "has not returned from %s", what);
  CHECK_MSG(wait_text(pid, ev, needle, 60000), "the hang in %s was not reported while it lasted",
            what);
  return pid;
}

static pid_t run_hanging(const char *ev, const char *config, const char *grace) {
  static char plugin[4400], grace_set[64];
  snprintf(plugin, sizeof plugin, "%s/hang.so", ARGO_TEST_PLUGIN_DIR);
  snprintf(grace_set, sizeof grace_set, "engine.stop_grace=%s", grace);
  char *args[] = {ARGO_BIN,
                  "run",
                  "--symbols",
                  "BTCUSDT",
                  "--interval",
                  "1m",
                  "--start",
                  "2025-10-01T00:00:00Z",
                  "--bars",
                  "100000",
                  "--strategy",
                  plugin,
                  "--strategy-config",
                  (char *)config,
                  "--set",
                  "engine.callback_warn=500ms",
                  "--set",
                  grace_set,
                  "--data-output",
                  data,
                  "--events",
                  (char *)ev,
                  "--quiet",
                  NULL};
  return tu_spawn(args, NULL);
}

static void check_hung_day(tu_db *db, const char *want_status, const char *reason) {
  char dir[4400], p[4500];
  snprintf(dir, sizeof dir, "%s/2025-10-01/run_1", data);
  CHECK_EQ_INT(300, file_rows(db, dir, "market_data.parquet"));
  CHECK_EQ_INT(30, file_rows(db, dir, "orders.parquet"));
  CHECK_EQ_INT(30, file_rows(db, dir, "trades.parquet"));
  snprintf(p, sizeof p, "%s/stats.yaml", dir);
  argo__stats_doc d = tu_read_stats(p);
  CHECK_STR(want_status, d.s.status);
  CHECK_EQ_INT(30, d.s.daily.number_of_trades);
  if (reason) {
    CHECK_CONTAINS(d.stop_reason, reason);
  }
  argo__stats_doc_free(&d);
  snprintf(p, sizeof p, "%s/.lock", dir);
  CHECK_MSG(!argo__fs_exists(p), "%s left behind", p);
  snprintf(p, sizeof p, "%s/.journal", dir);
  CHECK_MSG(!argo__fs_exists(p), "%s left behind", p);
}

/* A strategy that stops returning is reported while it hangs; SIGTERM then ends the session
 * after engine.stop_grace: every row before the hang is in the files, stats.yaml says stopped
 * and why, and argo exits 1. */
TEST(e2e_a_strategy_that_never_returns_is_reported_and_a_stop_still_ends_the_session) {
  char ev[4400];
  pid_t pid = start_hanging("e2e-hang", "{\"hang_at\": 300}", "1s", "on_candle", ev, sizeof ev);
  kill(pid, SIGTERM);
  CHECK_EQ_INT(1, reap_within(pid));
  char *events = tu_read_file(ev);
  CHECK_CONTAINS(events, "did not return from on_candle");
  CHECK_CONTAINS(events, "\"event\":\"engine_stop\"");
  free(events);
  tu_db db;
  tu_db_open(&db);
  check_hung_day(&db, "stopped", "did not return from on_candle");
  tu_db_close(&db);

  /* The same in on_stop, at the feed's end. */
  tu_rm_rf(root);
  pid = start_hanging("e2e-hang-stop", "{\"hang_in_stop\": 1}", "500ms", "on_stop", ev, sizeof ev);
  kill(pid, SIGINT);
  CHECK_EQ_INT(1, reap_within(pid));
  char p[4500];
  snprintf(p, sizeof p, "%s/2025-10-01/run_1/stats.yaml", data);
  CHECK(argo__fs_exists(p));
  tu_rm_rf(root);
}

/* Rows recorded before a strategy hangs reach the journal on the writer's own schedule: a
 * SIGKILL during the hang loses none of them (before, recovery found the journal empty). */
TEST(e2e_rows_before_a_hung_strategy_survive_a_sigkill) {
  char ev[4400];
  pid_t pid =
      start_hanging("e2e-hang-kill", "{\"hang_at\": 300}", "10s", "on_candle", ev, sizeof ev);
  kill(pid, SIGKILL);
  CHECK_EQ_INT(128 + SIGKILL, reap_within(pid));
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "recover", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "recover exit %d: %s %s", rc, o, e);
  free(o);
  free(e);
  tu_db db;
  tu_db_open(&db);
  check_hung_day(&db, "crashed_recovered", NULL);
  tu_db_close(&db);
  tu_rm_rf(root);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(e2e_a_second_session_never_recovers_a_running_one);
  RUN(e2e_sigkill_at_random_moments_loses_nothing_acknowledged);
  RUN(e2e_a_crash_with_journals_in_two_day_folders_is_recovered_day_by_day);
  RUN(e2e_a_crash_during_recovery_is_recovered_again);
  RUN(e2e_a_corrupt_parquet_file_found_at_start_is_moved_aside_and_reported);
  RUN(e2e_a_corrupt_byte_in_a_crashed_journal_never_loses_published_rows);
  RUN(e2e_a_kill_at_full_speed_over_many_days_leaves_every_folder_final);
  RUN(e2e_a_kill_without_a_journal_still_shows_as_crashed_after_recovery);
  RUN(e2e_a_strategy_that_never_returns_is_reported_and_a_stop_still_ends_the_session);
  RUN(e2e_rows_before_a_hung_strategy_survive_a_sigkill);
  return test_summary();
}
