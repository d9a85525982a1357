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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "session.h"
#include "stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

#define KILLS 24

static char root[4096], data[4200];

static pid_t spawn(char *const args[]) {
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    int nul = open("/dev/null", O_RDWR);
    dup2(nul, 0);
    dup2(nul, 1);
    dup2(nul, 2);
    execv(ARGO_BIN, args);
    _exit(127);
  }
  return pid;
}

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
      snprintf(sql, sizeof sql,
               "INSERT INTO expected_orders VALUES ('%s', '%s', '%s', '%.17g'::DOUBLE)",
               json_string_value(json_object_get(o, "order_id")),
               json_string_value(json_object_get(o, "symbol")),
               json_string_value(json_object_get(o, "side")),
               json_number_value(json_object_get(o, "quantity")));
      exec_ok(x->db, sql);
      x->orders++;
    } else if (ev && strcmp(ev, "order_filled") == 0) {
      json_t *f = json_object_get(j, "fill");
      snprintf(sql, sizeof sql,
               /* Numbers go through text so that DuckDB parses them exactly (a numeric literal
                * would become a DECIMAL first). */
               "INSERT INTO expected_fills VALUES ('%s', '%.17g'::DOUBLE, '%.17g'::DOUBLE, "
               "'%.17g'::DOUBLE, '%.17g'::DOUBLE, TIMESTAMP '%s')",
               json_string_value(json_object_get(f, "order_id")),
               json_number_value(json_object_get(f, "executed_qty")),
               json_number_value(json_object_get(f, "executed_price")),
               json_number_value(json_object_get(f, "commission")),
               json_number_value(json_object_get(f, "pnl")),
               json_string_value(json_object_get(f, "executed_at")));
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
    pid_t pid = spawn(args);
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
        snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s')", f);
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
           "CREATE VIEW trades AS SELECT * FROM read_parquet('%s/*/run_*/trades.parquet'); "
           "CREATE VIEW orders AS SELECT * FROM read_parquet('%s/*/run_*/orders.parquet')",
           data, data);
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
  pid_t a = spawn(args);
  sleep_ms(1500);
  char journal[4400];
  snprintf(journal, sizeof journal, "%s/2025-10-01/run_1/.journal", data);
  CHECK_MSG(argo__fs_exists(journal), "A has no journal yet");
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
  CHECK_STR("finished", d.s.status);
  argo__stats_doc_free(&d);
  CHECK(!argo__fs_exists(journal));
  tu_rm_rf(root);
}

int main(void) {
  RUN(e2e_a_second_session_never_recovers_a_running_one);
  RUN(e2e_sigkill_at_random_moments_loses_nothing_acknowledged);
  return test_summary();
}
