/*
 * Python strategies end to end (issue 19): the real `argo` running .py strategies through the
 * Python host plugin. The Python examples trade exactly as the C builtins they copy on the same
 * simulated market (compared row by row in DuckDB); the host API answers from Python as
 * documented; an exception is a strategy error with its traceback and the session goes on; a
 * script that cannot run is refused with exit code 2 and its file and line; `argo strategies
 * x.py` describes it; a warm restart feeds it stored candles; a SIGKILLed Python session is
 * recovered like any other; a Python call that never returns is abandoned without a deadlock.
 * Every test is skipped, visibly, when argo was built without the Python host.
 */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "persist/stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

static char root[4096], data[4200];

static void need_python(void) {
  if (!ARGO_PYTHON_HOST_BUILT) {
    SKIP("argo was built without the Python host (python3-embed or numpy's headers were not "
         "found: apt install libpython3-dev python3-numpy)");
  }
}

/* A script of the tree: tests/python/<name> or strategies/python/examples/<name>. */
static const char *script(const char *dir, const char *name) {
  static char path[2][4400];
  static int k;
  k ^= 1;
  snprintf(path[k], sizeof path[k], "%s/%s/%s", ARGO_SOURCE_DIR, dir, name);
  return path[k];
}

static const char *example(const char *name) {
  return script("strategies/python/examples", name);
}

static const char *test_script(const char *name) {
  return script("tests/python", name);
}

static void fresh(const char *tag) {
  snprintf(root, sizeof root, "%s", tu_tmpdir(tag));
  snprintf(data, sizeof data, "%s/data", root);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static int64_t q(tu_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int64_t q(tu_db *db, const char *fmt, ...) {
  char sql[16384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  return tu_q_int(db, sql);
}

static char *qs(tu_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *qs(tu_db *db, const char *fmt, ...) {
  char sql[16384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  return tu_q_str(db, sql);
}

/* The quoted SQL literal of a file of a day folder of the session under dir. */
static const char *file_of(const char *dir, const char *day_run, const char *file) {
  char p[8400];
  snprintf(p, sizeof p, "%s/%s/%s", dir, day_run, file);
  return tu_sql_str(p);
}

/* ---- the examples trade as the builtins --------------------------------------------------- */

/* Runs strategy on the simulated market every parity run shares, into dir. */
static void run_market(const char *strategy, const char *config, const char *dir) {
  char *e = NULL;
  int rc =
      tu_argo(NULL, &e, "run", "--strategy", strategy, "--strategy-config", config, "--symbols",
              "BTCUSDT,ETHUSDT", "--interval", "1m", "--start", "2025-10-01T12:00:00Z", "--bars",
              "3000", "--seed", "7", "--capital", "10000", "--data-output", dir, "--quiet", NULL);
  CHECK_MSG(rc == 0, "%s: exit %d: %s", strategy, rc, e ? e : "");
  CHECK_MSG(!e || !strstr(e, "strategy error"), "%s: %s", strategy, e);
  free(e);
}

/* The C builtin and its Python copy on the same market: the same orders and the same fills, row
 * by row (the order ids differ only in the session's prefix), over both days of the session. */
static void check_same_trading(const char *builtin, const char *py, const char *config,
                               int64_t min_fills) {
  fresh("e2e-py-parity");
  char c_dir[4400], py_dir[4400];
  snprintf(c_dir, sizeof c_dir, "%s/c", root);
  snprintf(py_dir, sizeof py_dir, "%s/py", root);
  run_market(builtin, config, c_dir);
  run_market(example(py), config, py_dir);
  tu_db db;
  tu_db_open(&db);
  char c_glob[4500], py_glob[4500];
  const char *cols = "split_part(order_id, '-', -1) AS n, symbol, side, quantity, price, "
                     "timestamp, executed_at, executed_qty, executed_price, commission, pnl, "
                     "position_type";
  snprintf(c_glob, sizeof c_glob, "%s/*/run_1/trades.parquet", c_dir);
  snprintf(py_glob, sizeof py_glob, "%s/*/run_1/trades.parquet", py_dir);
  char c_lit[4600];
  snprintf(c_lit, sizeof c_lit, "%s", tu_sql_str(c_glob));
  int64_t c_fills = q(&db, "SELECT count(*) FROM read_parquet(%s)", c_lit);
  int64_t py_fills = q(&db, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(py_glob));
  fprintf(stderr, "%s: %lld fills, %s: %lld fills\n", builtin, (long long)c_fills, py,
          (long long)py_fills);
  CHECK_MSG(c_fills >= min_fills, "the market gave %s only %lld fills", builtin,
            (long long)c_fills);
  CHECK_EQ_INT(c_fills, py_fills);
  char py_lit[4600];
  snprintf(py_lit, sizeof py_lit, "%s", tu_sql_str(py_glob));
  for (int dir = 0; dir < 2; dir++) {
    int64_t differ = q(&db,
                       "SELECT count(*) FROM (SELECT %s FROM read_parquet(%s) EXCEPT ALL SELECT "
                       "%s FROM read_parquet(%s))",
                       cols, dir ? py_lit : c_lit, cols, dir ? c_lit : py_lit);
    if (differ) {
      char *ex = qs(&db,
                    "SELECT string_agg(n || ' ' || symbol || ' ' || side || ' ' || executed_qty "
                    "|| ' @ ' || executed_price, '; ') FROM (SELECT %s FROM read_parquet(%s) "
                    "EXCEPT ALL SELECT %s FROM read_parquet(%s) LIMIT 5)",
                    cols, dir ? py_lit : c_lit, cols, dir ? c_lit : py_lit);
      fprintf(stderr, "fills only in the %s run, e.g.: %s\n", dir ? "Python" : "C", ex);
      free(ex);
    }
    CHECK_EQ_INT(0, differ);
  }
  /* The orders too, rejected ones included, each with its final status. */
  snprintf(c_glob, sizeof c_glob, "%s/*/run_1/orders.parquet", c_dir);
  snprintf(py_glob, sizeof py_glob, "%s/*/run_1/orders.parquet", py_dir);
  snprintf(c_lit, sizeof c_lit, "%s", tu_sql_str(c_glob));
  snprintf(py_lit, sizeof py_lit, "%s", tu_sql_str(py_glob));
  const char *ocols = "split_part(order_id, '-', -1), symbol, side, order_type, quantity, "
                      "price, timestamp, status, position_type";
  for (int dir = 0; dir < 2; dir++) {
    CHECK_EQ_INT(0, q(&db,
                      "SELECT count(*) FROM (SELECT %s FROM read_parquet(%s) EXCEPT ALL SELECT "
                      "%s FROM read_parquet(%s))",
                      ocols, dir ? py_lit : c_lit, ocols, dir ? c_lit : py_lit));
  }
  /* And the strategy of each record is its own. */
  char *name = qs(&db, "SELECT any_value(strategy_name) FROM read_parquet(%s)", py_lit);
  CHECK_CONTAINS(name, "_py");
  free(name);
  tu_db_close(&db);
  tu_rm_rf(root);
}

TEST(e2e_python_pingpong_fills_equal_the_builtins) {
  need_python();
  check_same_trading("pingpong", "pingpong.py", "{\"every\": 3, \"qty\": 0.05}", 1000);
}

TEST(e2e_python_ma_cross_fills_equal_the_builtins) {
  need_python();
  /* size 1: the whole buying power, so that rounding in the account would show. */
  check_same_trading("ma_cross", "ma_cross.py", "{\"fast\": 5, \"slow\": 13, \"size\": 1}", 100);
}

TEST(e2e_python_ta_ma_cross_fills_equal_the_c_examples) {
  need_python();
  /* strategies/examples/ta_ma_cross.c and its Python copy, both on the host's TA-Lib SMA. */
  check_same_trading(ARGO_PLUGIN_DIR "/ta_ma_cross.so", "ta_ma_cross.py",
                     "{\"fast\": 5, \"slow\": 13, \"size\": 1}", 100);
}

/* ---- indicators ----------------------------------------------------------------------------- */

/* tests/python/ta_probe.py and its C twin tests/plugins/taprobe.c log the indicators of every
 * candle as text (%.17g): the same market gives the same lines, to the bit. */
TEST(e2e_python_indicators_equal_the_c_hosts) {
  need_python();
  fresh("e2e-py-ta");
  char c_dir[4400], py_dir[4400];
  snprintf(c_dir, sizeof c_dir, "%s/c", root);
  snprintf(py_dir, sizeof py_dir, "%s/py", root);
  const char *strategies[2] = {ARGO_TEST_PLUGIN_DIR "/taprobe.so", test_script("ta_probe.py")};
  const char *dirs[2] = {c_dir, py_dir};
  for (int i = 0; i < 2; i++) {
    char *e = NULL;
    int rc = tu_argo(NULL, &e, "run", "--strategy", strategies[i], "--symbols", "BTCUSDT,ETHUSDT",
                     "--interval", "1m", "--start", "2025-10-01T12:00:00Z", "--bars", "300",
                     "--seed", "7", "--data-output", dirs[i], "--quiet", NULL);
    CHECK_MSG(rc == 0, "%s: exit %d: %s", strategies[i], rc, e ? e : "");
    CHECK_MSG(!e || !strstr(e, "strategy error"), "%s: %s", strategies[i], e);
    free(e);
  }
  tu_db db;
  tu_db_open(&db);
  char c_lit[4600], py_lit[4600], glob[4500];
  snprintf(glob, sizeof glob, "%s/*/run_1/logs.parquet", c_dir);
  snprintf(c_lit, sizeof c_lit, "%s", tu_sql_str(glob));
  snprintf(glob, sizeof glob, "%s/*/run_1/logs.parquet", py_dir);
  snprintf(py_lit, sizeof py_lit, "%s", tu_sql_str(glob));
  const char *cols = "timestamp, symbol, fields";
  const char *only = "message = 'ta'";
  /* 300 candles of each symbol, a line each, every indicator defined on most of them. */
  CHECK_EQ_INT(600, q(&db, "SELECT count(*) FROM read_parquet(%s) WHERE %s", c_lit, only));
  CHECK_EQ_INT(600, q(&db, "SELECT count(*) FROM read_parquet(%s) WHERE %s", py_lit, only));
  int64_t defined = q(&db,
                      "SELECT count(*) FROM read_parquet(%s) WHERE %s AND fields NOT LIKE "
                      "'%%none%%' AND fields NOT LIKE '%%nan%%'",
                      py_lit, only);
  CHECK_MSG(defined >= 2 * (300 - 50), "only %lld lines with every value defined",
            (long long)defined);
  for (int dir = 0; dir < 2; dir++) {
    int64_t differ = q(&db,
                       "SELECT count(*) FROM (SELECT %s FROM read_parquet(%s) WHERE %s EXCEPT ALL "
                       "SELECT %s FROM read_parquet(%s) WHERE %s)",
                       cols, dir ? py_lit : c_lit, only, cols, dir ? c_lit : py_lit, only);
    if (differ) {
      char *ex = qs(&db,
                    "SELECT string_agg(symbol || ' ' || fields, '; ') FROM (SELECT %s FROM "
                    "read_parquet(%s) WHERE %s EXCEPT ALL SELECT %s FROM read_parquet(%s) "
                    "WHERE %s LIMIT 2)",
                    cols, dir ? py_lit : c_lit, only, cols, dir ? c_lit : py_lit, only);
      fprintf(stderr, "lines only in the %s run, e.g.: %s\n", dir ? "Python" : "C", ex);
      free(ex);
    }
    CHECK_EQ_INT(0, differ);
  }
  /* What the probe checked besides: info() listed every function; an unknown function raised
   * ValueError with the host's message, which it caught; its periodic checks ran. */
  char *checked =
      qs(&db, "SELECT fields FROM read_parquet(%s) WHERE message = 'ta: checked'", py_lit);
  CHECK_CONTAINS(checked, "\"names\":\"161\"");
  CHECK_CONTAINS(checked, "TA-Lib has no function 'NOSUCH'");
  CHECK_CONTAINS(checked, "\"checks\":\"20\""); /* every 25th candle from the 125th of 600 */
  free(checked);
  tu_db_close(&db);
  tu_rm_rf(root);
}

/* ---- argo strategies ---------------------------------------------------------------------- */

TEST(e2e_python_strategies_describes_a_python_strategy) {
  need_python();
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "strategies", example("ma_cross.py"), NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_CONTAINS(o, "ma_cross_py (org.argo.examples.ma_cross_py, version 1.0.0)");
  CHECK_CONTAINS(o, "(Python)");
  CHECK_CONTAINS(o, "\"slow\":{\"type\":\"integer\"");
  free(o);
  free(e);
  o = e = NULL;
  rc = tu_argo(&o, &e, "strategies", "--json", example("pingpong.py"), "pingpong", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  json_error_t jerr;
  json_t *j = json_loads(o, 0, &jerr);
  CHECK_MSG(j && json_is_array(j) && json_array_size(j) == 2, "not an array of 2: %s", o);
  json_t *py = json_array_get(j, 0);
  CHECK_STR("pingpong_py", json_string_value(json_object_get(py, "name")));
  CHECK_STR("1.0.0", json_string_value(json_object_get(py, "version")));
  json_t *every =
      json_object_get(json_object_get(json_object_get(py, "config_schema"), "properties"), "every");
  CHECK_EQ_INT(5, json_integer_value(json_object_get(every, "default")));
  CHECK_STR("pingpong", json_string_value(json_object_get(json_array_get(j, 1), "name")));
  json_decref(j);
  free(o);
  free(e);
  /* A script that cannot load is an error, with its file and line, and nothing printed. */
  fresh("e2e-py-describe");
  char bad[4400];
  snprintf(bad, sizeof bad, "%s/bad.py", root);
  tu_write_file(bad, "import argo\n\nclass X(argo.Strategy):\n    name = 'x'\n"
                     "    def on_candle(self, c)\n        pass\n");
  char *args[] = {"strategies", bad, NULL};
  tu_check_refused("bad.py:5: SyntaxError", NULL, args);
  tu_rm_rf(root);
}

/* ---- errors -------------------------------------------------------------------------------- */

static int count(const char *text, const char *needle) {
  int n = 0;
  for (const char *s = text; s && (s = strstr(s, needle)); s++) {
    n++;
  }
  return n;
}

TEST(e2e_python_an_exception_is_a_strategy_error_and_the_session_goes_on) {
  need_python();
  fresh("e2e-py-raise");
  char ev[4400];
  snprintf(ev, sizeof ev, "%s/events.jsonl", root);
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", test_script("raising.py"), "--strategy-config",
                   "{\"every\": 10}", "--bars", "60", "--symbols", "BTCUSDT", "--data-output", data,
                   "--events", ev, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  /* stderr: the error, then the last frames of the traceback. */
  CHECK_CONTAINS(e, "strategy error: strategy py_raising failed on BTCUSDT at "
                    "2025-10-01T00:09:00Z: ZeroDivisionError: division by zero\n");
  CHECK_CONTAINS(e, "raising.py\", line 28, in on_candle\n    divide(self.n, 0)\n");
  CHECK_CONTAINS(e, "raising.py\", line 8, in divide\n    return a / b\n");
  free(e);
  char *text = tu_read_file(ev);
  CHECK_EQ_INT(6, count(text, "\"event\":\"strategy_error\""));
  CHECK_EQ_INT(6, count(text, "ZeroDivisionError: division by zero"));
  free(text);
  /* The session went on: it traded to its end (an order every 3 candles). */
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(20, q(&db, "SELECT count(*) FROM read_parquet(%s)",
                     file_of(data, "2025-10-01/run_1", "trades.parquet")));
  tu_db_close(&db);
  char p[4500];
  snprintf(p, sizeof p, "%s/2025-10-01/run_1/stats.yaml", data);
  argo__stats_doc d = tu_read_stats(p);
  CHECK_STR("finished", d.s.status);
  argo__stats_doc_free(&d);
  tu_rm_rf(root);
}

TEST(e2e_python_an_exception_in_on_order_update_is_logged_and_reported) {
  need_python();
  fresh("e2e-py-raise-update");
  char ev[4400];
  snprintf(ev, sizeof ev, "%s/events.jsonl", root);
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", test_script("raising.py"), "--strategy-config",
                   "{\"every\": 1000, \"order_update\": true}", "--bars", "30", "--symbols",
                   "BTCUSDT", "--data-output", data, "--events", ev, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  /* Ten fills, each raising in on_order_update: each is a log row at once, and the error of
   * the next on_candle (the last fill has no next candle). */
  char *text = tu_read_file(ev);
  CHECK_EQ_INT(9, count(text, "\"event\":\"strategy_error\""));
  CHECK_EQ_INT(9, count(text, "on_order_update (order "));
  CHECK_CONTAINS(text, "raised KeyError: 'no such thing: ");
  free(text);
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(10, q(&db,
                     "SELECT count(*) FROM read_parquet(%s) WHERE level = 'error' AND message "
                     "LIKE 'on_order_update (order %%) raised KeyError%%' AND fields = "
                     "'{\"callback\":\"on_order_update\"}'",
                     file_of(data, "2025-10-01/run_1", "logs.parquet")));
  CHECK_EQ_INT(10, q(&db, "SELECT count(*) FROM read_parquet(%s)",
                     file_of(data, "2025-10-01/run_1", "trades.parquet")));
  tu_db_close(&db);
  tu_rm_rf(root);
}

/* The complete example of docs/strategies.md is strategies/python/examples/bands.py as it is,
 * and it runs as the page says: on two symbols it buys dips with limit orders (some filled,
 * some cancelled after its patience), sells at the mean, marks, logs and counts its fills in
 * the cache, with no strategy error; its last log line agrees with the record. */
TEST(e2e_python_the_example_of_the_docs_is_bands_py_and_runs) {
  need_python();
  char path[4400];
  snprintf(path, sizeof path, "%s/docs/strategies.md", ARGO_SOURCE_DIR);
  char *doc = tu_read_file(path);
  CHECK(doc != NULL);
  const char *sec = strstr(doc, "### A complete example");
  const char *code = sec ? strstr(sec, "```python\n") : NULL;
  const char *end = code ? strstr(code + 10, "```\n") : NULL;
  CHECK_MSG(sec && code && end, "docs/strategies.md has no complete Python example");
  code += 10;
  char *file = tu_read_file(example("bands.py"));
  CHECK(file != NULL);
  CHECK_MSG(strlen(file) == (size_t)(end - code) && memcmp(file, code, strlen(file)) == 0,
            "the example of docs/strategies.md is not strategies/python/examples/bands.py");
  free(file);
  free(doc);
  fresh("e2e-py-docs");
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", example("bands.py"), "--symbols",
                   "BTCUSDT,ETHUSDT", "--interval", "1m", "--start", "2025-10-01T00:00:00Z",
                   "--bars", "1200", "--data-output", data, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_MSG(!e || !strstr(e, "strategy error"), "%s", e);
  free(e);
  tu_db db;
  tu_db_open(&db);
  char lit[3][4600];
  snprintf(lit[0], sizeof lit[0], "%s", file_of(data, "2025-10-01/run_1", "orders.parquet"));
  snprintf(lit[1], sizeof lit[1], "%s", file_of(data, "2025-10-01/run_1", "trades.parquet"));
  snprintf(lit[2], sizeof lit[2], "%s", file_of(data, "2025-10-01/run_1", "logs.parquet"));
  int64_t filled = q(&db, "SELECT count(*) FROM read_parquet(%s) WHERE status = 'FILLED'", lit[0]);
  int64_t cancelled =
      q(&db, "SELECT count(*) FROM read_parquet(%s) WHERE status = 'CANCELLED'", lit[0]);
  int64_t fills = q(&db, "SELECT count(*) FROM read_parquet(%s)", lit[1]);
  CHECK_MSG(filled > 20 && cancelled > 0, "filled %lld, cancelled %lld", (long long)filled,
            (long long)cancelled);
  CHECK_EQ_INT(2, q(&db, "SELECT count(DISTINCT symbol) FROM read_parquet(%s)", lit[1]));
  CHECK_EQ_INT(cancelled, q(&db,
                            "SELECT count(*) FROM read_parquet(%s) WHERE message = "
                            "'bands: gave up'",
                            lit[2]));
  char *fields =
      qs(&db, "SELECT fields->>'fills' FROM read_parquet(%s) WHERE message = 'bands: stopped'",
         lit[2]);
  char want[32];
  snprintf(want, sizeof want, "%lld", (long long)fills);
  CHECK_STR(want, fields);
  free(fields);
  CHECK(q(&db,
          "SELECT count(*) FROM read_parquet(%s) WHERE title = 'dip' AND signal_type = "
          "'buy_long'",
          file_of(data, "2025-10-01/run_1", "marks.parquet")) >= filled / 2);
  tu_db_close(&db);
  tu_rm_rf(root);
}

/* A script written into the test's folder, then run: refused with want in the one line. */
static void check_script_refused(const char *file, const char *source, const char *config,
                                 const char *want, const char *want2) {
  char path[4400];
  snprintf(path, sizeof path, "%s/%s", root, file);
  tu_write_file(path, source);
  char *args[] = {"run",          "--strategy",    path, "--strategy-config",
                  (char *)config, "--data-output", data, NULL};
  tu_check_refused(want, want2, args);
  /* Refused before the session began: no run folder. */
  char day[4500];
  snprintf(day, sizeof day, "%s/2025-10-01", data);
  CHECK_MSG(!argo__fs_exists(day), "%s exists", day);
}

TEST(e2e_python_a_script_that_cannot_run_is_refused_with_its_file_and_line) {
  need_python();
  fresh("e2e-py-refused");
  check_script_refused("syntax.py", "import argo\n\nx = (1,\n", "{}", "syntax.py:3: SyntaxError",
                       NULL);
  check_script_refused("indent.py",
                       "import argo\nclass S(argo.Strategy):\n    name = 's'\n"
                       "    def on_candle(self, c):\n    pass\n",
                       "{}", "indent.py:5: IndentationError", NULL);
  check_script_refused("noclass.py", "import argo\n\ndef on_candle(c):\n    pass\n", "{}",
                       "noclass.py: no strategy class: define one deriving from argo.Strategy",
                       NULL);
  check_script_refused("notderived.py",
                       "import argo\n\n\nclass Mine:\n    def on_candle(self, c):\n        pass\n",
                       "{}", "notderived.py:4: class Mine has on_candle but does not derive", NULL);
  check_script_refused("two.py",
                       "import argo\nclass A(argo.Strategy):\n    name = 'a'\n"
                       "    def on_candle(self, c): pass\n"
                       "class B(argo.Strategy):\n    name = 'b'\n"
                       "    def on_candle(self, c): pass\n",
                       "{}", "two.py: 2 strategy classes: A (line 2), B (line 5)", "STRATEGY");
  check_script_refused("noname.py",
                       "import argo\n\nclass S(argo.Strategy):\n    def on_candle(self, c):\n"
                       "        pass\n",
                       "{}", "noname.py:3: class S has no name", NULL);
  check_script_refused("nocandle.py", "import argo\n\nclass S(argo.Strategy):\n    name = 's'\n",
                       "{}", "nocandle.py:3: class S does not define on_candle", NULL);
  check_script_refused("imports.py", "import argo\nimport no_such_module_for_argo\n", "{}",
                       "imports.py:2: ModuleNotFoundError: No module named "
                       "'no_such_module_for_argo'",
                       NULL);
  check_script_refused("exits.py", "import sys\nsys.exit(3)\n", "{}", "exits.py:2: SystemExit: 3",
                       NULL);
  check_script_refused("schema.py",
                       "import argo\nclass S(argo.Strategy):\n    name = 's'\n"
                       "    config_schema = {'default': float('nan')}\n"
                       "    def on_candle(self, c): pass\n",
                       "{}", "schema.py:2: S.config_schema cannot be written as JSON", NULL);
  check_script_refused("false.py",
                       "import argo\nclass S(argo.Strategy):\n    name = 's'\n"
                       "    def initialize(self, config):\n        return False\n"
                       "    def on_candle(self, c): pass\n",
                       "{}", "strategy s rejected its configuration",
                       "false.py:4: S.initialize() returned False");
  check_script_refused("warmup.py",
                       "import argo\nclass S(argo.Strategy):\n    name = 's'\n"
                       "    def warmup_candles(self):\n        return -1\n"
                       "    def on_candle(self, c): pass\n",
                       "{}", "strategy s rejected its configuration",
                       "warmup.py:4: S.warmup_candles() must return a whole number >= 0, not -1");
  check_script_refused("init.py",
                       "import argo\nclass S(argo.Strategy):\n    name = 's'\n"
                       "    def __init__(self):\n        self.x = 1 / 0\n"
                       "    def on_candle(self, c): pass\n",
                       "{}", "init.py:5: ZeroDivisionError: division by zero", NULL);
  /* A bad configuration: the example's own check, with its file and line (the line of the
   * raise, found in the file). */
  char *src = tu_read_file(example("ma_cross.py"));
  CHECK(src != NULL);
  const char *at = strstr(src, "raise ValueError(\"slow must be");
  CHECK(at != NULL);
  int line = 1;
  for (const char *p = src; p < at; p++) {
    line += *p == '\n';
  }
  free(src);
  char want[256];
  snprintf(want, sizeof want,
           "ma_cross.py:%d: ValueError: slow must be a whole number of candles greater than "
           "fast (20), got 10",
           line);
  char *args[] = {"run",
                  "--strategy",
                  (char *)example("ma_cross.py"),
                  "--strategy-config",
                  "{\"fast\": 20, \"slow\": 10}",
                  "--data-output",
                  data,
                  NULL};
  tu_check_refused("strategy ma_cross_py rejected its configuration: ", want, args);
  char missing[4400];
  snprintf(missing, sizeof missing, "%s/missing.py", root);
  char *args2[] = {"run", "--strategy", missing, "--data-output", data, NULL};
  tu_check_refused("cannot read Python strategy", "No such file or directory", args2);
  tu_rm_rf(root);
}

TEST(e2e_python_a_missing_python_host_is_named) {
  need_python();
  fresh("e2e-py-nohost");
  setenv("ARGO_PYTHON_HOST", "/nonexistent/argo_python.so", 1);
  char *args[] = {"run", "--strategy", (char *)example("pingpong.py"), "--data-output", data, NULL};
  tu_check_refused("the Python host argo_python.so was not found",
                   "/nonexistent/argo_python.so (ARGO_PYTHON_HOST)", args);
  unsetenv("ARGO_PYTHON_HOST");
  tu_rm_rf(root);
}

/* ---- the host API ------------------------------------------------------------------------- */

TEST(e2e_python_the_host_api_answers_from_python) {
  need_python();
  fresh("e2e-py-probe");
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", test_script("probe.py"), "--strategy-config",
                   "{\"hello\": [1, 2]}", "--bars", "6", "--symbols", "BTCUSDT", "--capital",
                   "10000", "--data-output", data, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_MSG(!e || !strstr(e, "strategy error"), "%s", e);
  free(e);
  tu_db db;
  tu_db_open(&db);
  const char *logs = file_of(data, "2025-10-01/run_1", "logs.parquet");
  char lit[4600];
  snprintf(lit, sizeof lit, "%s", logs);
  CHECK_EQ_INT(1, q(&db,
                    "SELECT count(*) FROM read_parquet(%s) WHERE message = 'probe: all checked' "
                    "AND fields = '{\"candles\":\"4\",\"updates\":\"11\"}'",
                    lit));
  CHECK_EQ_INT(1, q(&db,
                    "SELECT count(*) FROM read_parquet(%s) WHERE level = 'warning' AND message = "
                    "'probe: fields' AND fields = '{\"a\":\"1\",\"b\":\"two\",\"c\":\"None\"}'",
                    lit));
  char *updates =
      qs(&db, "SELECT fields FROM read_parquet(%s) WHERE message = 'probe: stopped'", lit);
  CHECK_STR("{\"updates\":\"CANCELLED,FILLED+fill,PENDING,REJECTED\"}", updates);
  free(updates);
  CHECK_EQ_INT(1, q(&db,
                    "SELECT count(*) FROM read_parquet(%s) WHERE title = 'probe' AND shape = "
                    "'square' AND color = 'green' AND level = 'warning' AND category = 'test'",
                    file_of(data, "2025-10-01/run_1", "marks.parquet")));
  /* Orders: the rejected one, a limit order cancelled, a market buy and its sell filled, two
   * more limit orders cancelled (11 updates: each order's PENDING, then what became of it). */
  CHECK_EQ_INT(1, q(&db, "SELECT count(*) FROM read_parquet(%s) WHERE status = 'REJECTED'",
                    file_of(data, "2025-10-01/run_1", "orders.parquet")));
  CHECK_EQ_INT(3, q(&db, "SELECT count(*) FROM read_parquet(%s) WHERE status = 'CANCELLED'",
                    file_of(data, "2025-10-01/run_1", "orders.parquet")));
  CHECK_EQ_INT(2, q(&db, "SELECT count(*) FROM read_parquet(%s)",
                    file_of(data, "2025-10-01/run_1", "trades.parquet")));
  tu_db_close(&db);
  tu_rm_rf(root);
}

TEST(e2e_python_a_warm_restart_feeds_stored_candles_to_a_python_strategy) {
  need_python();
  fresh("e2e-py-warm");
  char *e = NULL;
  int rc = tu_argo(NULL, &e, "run", "--strategy", test_script("warm.py"), "--strategy-config",
                   "{\"n\": 5}", "--bars", "20", "--symbols", "BTCUSDT", "--start",
                   "2025-10-01T10:00:00Z", "--data-output", data, "--quiet", NULL);
  CHECK_MSG(rc == 0, "run 1: exit %d: %s", rc, e);
  free(e);
  rc = tu_argo(NULL, &e, "run", "--strategy", test_script("warm.py"), "--strategy-config",
               "{\"n\": 5}", "--bars", "3", "--symbols", "BTCUSDT", "--start",
               "2025-10-01T10:20:00Z", "--seed", "99", "--data-output", data, "--quiet", NULL);
  CHECK_MSG(rc == 0, "run 2: exit %d: %s", rc, e);
  free(e);
  tu_db db;
  tu_db_open(&db);
  /* Run 1 had nothing stored; run 2 saw 5 stored candles, each refused an order. */
  char *f1 =
      qs(&db, "SELECT fields FROM read_parquet(%s) WHERE message = 'warm: first live candle'",
         file_of(data, "2025-10-01/run_1", "logs.parquet"));
  CHECK_STR("{\"seen\":\"0\",\"refused\":\"0\",\"window\":\"1\"}", f1);
  free(f1);
  char *f2 =
      qs(&db, "SELECT fields FROM read_parquet(%s) WHERE message = 'warm: first live candle'",
         file_of(data, "2025-10-01/run_2", "logs.parquet"));
  CHECK_STR("{\"seen\":\"5\",\"refused\":\"5\",\"window\":\"6\"}", f2);
  free(f2);
  tu_db_close(&db);
  tu_rm_rf(root);
}

/* ---- crashes and hangs -------------------------------------------------------------------- */

/* Waits (up to 60 s) until the file at path holds needle; false if pid ended first. */
static int wait_text(pid_t pid, const char *path, const char *needle) {
  for (int waited = 0; waited < 60000; waited += 20) {
    char *text = tu_read_file(path);
    int found = text && strstr(text, needle) != NULL;
    free(text);
    if (found) {
      return 1;
    }
    if (waitpid(pid, NULL, WNOHANG) == pid) {
      return 0;
    }
    sleep_ms(20);
  }
  return 0;
}

/* Waits up to limit_ms for pid to end: its exit code, or 128 + signal; SIGKILLs it and fails
 * the test when it does not end. */
static int reap_within(pid_t pid, int limit_ms) {
  for (int waited = 0; waited < limit_ms; waited += 20) {
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    sleep_ms(20);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  TEST_FAIL_("the process did not end within %d ms", limit_ms);
  return -1;
}

/* The fills an events file acknowledged, as "order_id executed_qty executed_price" lines. */
static int acknowledged_fills(const char *events, tu_db *db) {
  char *text = tu_read_file(events);
  int n = 0;
  char *save = NULL;
  for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
       line = strtok_r(NULL, "\n", &save)) {
    json_t *j = json_loads(line, 0, NULL);
    const char *ev = j ? json_string_value(json_object_get(j, "event")) : NULL;
    if (ev && strcmp(ev, "order_filled") == 0) {
      json_t *f = json_object_get(j, "fill");
      char sql[1024], err[512];
      snprintf(sql, sizeof sql,
               "INSERT INTO acked VALUES (%s, '%.17g'::DOUBLE, '%.17g'::DOUBLE, '%.17g'::DOUBLE)",
               tu_sql_str(json_string_value(json_object_get(f, "order_id"))),
               json_number_value(json_object_get(f, "executed_qty")),
               json_number_value(json_object_get(f, "executed_price")),
               json_number_value(json_object_get(f, "pnl")));
      CHECK_MSG(tu_exec(db, sql, err, sizeof err) == 0, "%s", err);
      n++;
    }
    json_decref(j); /* NULL for the line the kill cut short */
  }
  free(text);
  return n;
}

TEST(e2e_python_a_sigkilled_python_session_is_recovered) {
  need_python();
  fresh("e2e-py-kill");
  tu_db db;
  tu_db_open(&db);
  char err[512];
  CHECK(tu_exec(&db,
                "CREATE TABLE acked (order_id VARCHAR, executed_qty DOUBLE, executed_price "
                "DOUBLE, pnl DOUBLE)",
                err, sizeof err) == 0);
  unsigned seed = (unsigned)time(NULL);
  fprintf(stderr, "kill seed %u\n", seed);
  srand(seed);
  int acked = 0;
  for (int i = 0; i < 3; i++) {
    char ev[4400];
    snprintf(ev, sizeof ev, "%s/events-%d.jsonl", root, i);
    /* 5-minute candles, fast: the session crosses midnight during the kills' window. */
    char *args[] = {ARGO_BIN,
                    "run",
                    "--symbols",
                    "BTCUSDT,ETHUSDT",
                    "--interval",
                    "5m",
                    "--start",
                    "2025-10-01T20:00:00Z",
                    "--bars",
                    "100000",
                    "--speed",
                    "30000",
                    "--strategy",
                    (char *)example("pingpong.py"),
                    "--strategy-config",
                    "{\"every\": 2}",
                    "--data-output",
                    data,
                    "--events",
                    ev,
                    "--quiet",
                    NULL};
    pid_t pid = tu_spawn(args, NULL);
    CHECK_MSG(wait_text(pid, ev, "\"engine_start\""), "run %d never started", i);
    sleep_ms(300 + rand() % 1200);
    kill(pid, SIGKILL);
    CHECK_EQ_INT(128 + SIGKILL, reap_within(pid, 60000));
    acked += acknowledged_fills(ev, &db);
  }
  fprintf(stderr, "acknowledged fills: %d\n", acked);
  CHECK(acked > 50);
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "recover", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "recover exit %d: %s %s", rc, o, e);
  free(o);
  free(e);
  char trades[4400];
  snprintf(trades, sizeof trades, "%s/*/run_*/trades.parquet", data);
  char lit[4600];
  snprintf(lit, sizeof lit, "%s", tu_sql_str(trades));
  CHECK_EQ_INT(0, q(&db,
                    "SELECT count(*) FROM acked a ANTI JOIN read_parquet(%s) t ON a.order_id = "
                    "t.order_id AND a.executed_qty = t.executed_qty AND a.executed_price = "
                    "t.executed_price AND a.pnl = t.pnl",
                    lit));
  /* Every day folder is final: finished at a day change, or crashed and recovered. */
  char stats[4400];
  snprintf(stats, sizeof stats, "%s/*/run_*/stats.yaml", data);
  char slit[4600];
  snprintf(slit, sizeof slit, "%s", tu_sql_str(stats));
  CHECK_EQ_INT(0, q(&db,
                    "SELECT count(*) FROM read_text(%s) WHERE content NOT LIKE "
                    "'%%status: crashed_recovered%%' AND content NOT LIKE '%%status: finished%%'",
                    slit));
  /* One per session, or two when a kill caught a day change with both days open. */
  CHECK(q(&db,
          "SELECT count(*) FROM read_text(%s) WHERE content LIKE "
          "'%%status: crashed_recovered%%'",
          slit) >= 3);
  tu_db_close(&db);
  /* And the next Python session starts on the same folder as a new run. */
  rc =
      tu_argo(NULL, &e, "run", "--strategy", example("pingpong.py"), "--bars", "10", "--symbols",
              "BTCUSDT", "--start", "2025-10-05T00:00:00Z", "--data-output", data, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  tu_rm_rf(root);
}

static volatile sig_atomic_t got_signal;

static void note_signal(int sig) {
  got_signal = sig;
}

/* The interpreter starts in the program's process and leaves what is the program's alone: the
 * signal handlers (CPython's own SIGINT handler would turn Ctrl-C into a KeyboardInterrupt
 * inside the strategy, and it ignores SIGPIPE and SIGXFSZ) and the locale. In this process,
 * as an embedding program does: handlers set first, then a Python strategy (probe.py,
 * importing numpy) loaded through the public API, then every handler is still the same, and
 * SIGINT still reaches the program's. */
TEST(e2e_python_the_interpreter_leaves_signal_handlers_and_the_locale_alone) {
  need_python();
  struct sigaction mine;
  memset(&mine, 0, sizeof mine);
  mine.sa_handler = note_signal;
  sigemptyset(&mine.sa_mask);
  CHECK(sigaction(SIGINT, &mine, NULL) == 0 && sigaction(SIGTERM, &mine, NULL) == 0);
  const int sigs[] = {SIGINT, SIGTERM, SIGPIPE, SIGXFSZ, SIGHUP, SIGCHLD, SIGUSR1};
  const size_t n = sizeof sigs / sizeof sigs[0];
  struct sigaction before[sizeof sigs / sizeof sigs[0]];
  for (size_t i = 0; i < n; i++) {
    CHECK(sigaction(sigs[i], NULL, &before[i]) == 0);
  }
  char locale[512];
  snprintf(locale, sizeof locale, "%s", setlocale(LC_ALL, NULL));
  argo_strategy_def *d = NULL;
  argo_err rc = argo_strategy_def_open(&d, test_script("probe.py"));
  CHECK_MSG(rc == ARGO_OK, "%s", argo_strategy_def_errmsg(d));
  CHECK_STR("py_probe", argo_strategy_def_table(d)->name);
  for (size_t i = 0; i < n; i++) {
    struct sigaction after;
    CHECK(sigaction(sigs[i], NULL, &after) == 0);
    CHECK_MSG(after.sa_handler == before[i].sa_handler, "the handler of %s changed",
              strsignal(sigs[i]));
  }
  CHECK_STR(locale, setlocale(LC_ALL, NULL));
  got_signal = 0;
  CHECK(raise(SIGINT) == 0);
  CHECK_EQ_INT(SIGINT, (int)got_signal);
  argo_strategy_def_close(d);
}

/* Ctrl-C and SIGTERM stop a Python session as they stop any other: CPython is started without
 * its signal handlers, so the signal reaches argo's handler (not a KeyboardInterrupt raised in
 * the strategy, which sleeps in time.sleep on every candle), the session stops cleanly after
 * the call in flight (exit 0, status stopped, the reason naming the signal) and on_stop runs. */
TEST(e2e_python_sigint_and_sigterm_stop_a_python_session_cleanly) {
  need_python();
  const int sigs[] = {SIGINT, SIGTERM};
  const char *names[] = {"SIGINT", "SIGTERM"};
  for (int i = 0; i < 2; i++) {
    fresh("e2e-py-sig");
    char ev[4400];
    snprintf(ev, sizeof ev, "%s/events.jsonl", root);
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
                    (char *)test_script("slow.py"),
                    "--strategy-config",
                    "{\"sleep\": 0.02}",
                    "--data-output",
                    data,
                    "--events",
                    ev,
                    "--quiet",
                    NULL};
    pid_t pid = tu_spawn(args, NULL);
    CHECK_MSG(wait_text(pid, ev, "\"engine_start\""), "%s: the session never started", names[i]);
    sleep_ms(700);
    kill(pid, sigs[i]);
    CHECK_EQ_INT(0, reap_within(pid, 20000));
    char *text = tu_read_file(ev);
    CHECK_MSG(!strstr(text, "KeyboardInterrupt") && !strstr(text, "strategy_error"),
              "%s reached the strategy: %s", names[i], text);
    free(text);
    char p[4500], reason[128];
    snprintf(p, sizeof p, "%s/2025-10-01/run_1/stats.yaml", data);
    argo__stats_doc d = tu_read_stats(p);
    CHECK_STR("stopped", d.s.status);
    snprintf(reason, sizeof reason, "stopped by %s before the feed's end", names[i]);
    CHECK_STR(reason, d.stop_reason);
    argo__stats_doc_free(&d);
    tu_db db;
    tu_db_open(&db);
    /* on_stop ran, after as many candles as were recorded (the run was cut short). */
    int64_t candles = q(&db, "SELECT count(*) FROM read_parquet(%s)",
                        file_of(data, "2025-10-01/run_1", "market_data.parquet"));
    CHECK_MSG(candles > 5 && candles < 100000, "%s: %lld candles", names[i], (long long)candles);
    char *fields = qs(&db, "SELECT fields FROM read_parquet(%s) WHERE message = 'slow: stopped'",
                      file_of(data, "2025-10-01/run_1", "logs.parquet"));
    char want[128];
    snprintf(want, sizeof want, "{\"candles\":\"%lld\"}", (long long)candles);
    CHECK_STR(want, fields);
    free(fields);
    tu_db_close(&db);
    tu_rm_rf(root);
  }
}

/* A session of hang.py: 300 one-minute candles, an order every 5th before the 300th, whose
 * on_candle never returns. Started with a short callback_warn; returns once the hang is
 * reported. */
static pid_t start_hanging(const char *tag, const char *config, const char *grace, char *ev,
                           size_t evlen) {
  fresh(tag);
  snprintf(ev, evlen, "%s/events.jsonl", root);
  static char grace_set[64];
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
                  (char *)test_script("hang.py"),
                  "--strategy-config",
                  (char *)config,
                  "--set",
                  "engine.callback_warn=500ms",
                  "--set",
                  grace_set,
                  "--data-output",
                  data,
                  "--events",
                  ev,
                  "--quiet",
                  NULL};
  pid_t pid = tu_spawn(args, NULL);
  CHECK_MSG(wait_text(pid, ev, "has not returned from on_candle"),
            "the hang was not reported while it lasted");
  return pid;
}

static void check_hung_day(const char *status, const char *reason) {
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(300, q(&db, "SELECT count(*) FROM read_parquet(%s)",
                      file_of(data, "2025-10-01/run_1", "market_data.parquet")));
  CHECK_EQ_INT(59, q(&db, "SELECT count(*) FROM read_parquet(%s)",
                     file_of(data, "2025-10-01/run_1", "trades.parquet")));
  tu_db_close(&db);
  char p[4500];
  snprintf(p, sizeof p, "%s/2025-10-01/run_1/stats.yaml", data);
  argo__stats_doc d = tu_read_stats(p);
  CHECK_STR(status, d.s.status);
  if (reason) {
    CHECK_CONTAINS(d.stop_reason, reason);
  }
  argo__stats_doc_free(&d);
}

/* A Python call that never returns, spinning (it holds the GIL but for the interpreter's switch
 * interval) or sleeping (GIL released): the watchdog reports it, a SIGINT (while it spins) or a
 * SIGTERM (while it sleeps) ends the session after engine.stop_grace, and the process exits 1
 * at once: nothing waits for the GIL, and CPython raises nothing into the spinning loop. */
TEST(e2e_python_a_call_that_never_returns_is_abandoned_without_a_deadlock) {
  need_python();
  const char *configs[] = {"{\"hang_at\": 300, \"busy\": true}", "{\"hang_at\": 300}"};
  int first = 0;
#if defined(__SANITIZE_THREAD__)
  /* ThreadSanitizer delivers a signal to a thread only when that thread enters a function it
   * intercepts, and a Python loop holding the GIL alone calls none: the signal would wait for
   * ever. Only the sleeping call is stopped by a signal here; the spinning one is SIGKILLed
   * below. */
  first = 1;
  fprintf(stderr, "note: ThreadSanitizer build: the spinning call is not stopped by SIGINT\n");
#endif
  for (int i = first; i < 2; i++) {
    char ev[4400];
    pid_t pid = start_hanging("e2e-py-hang", configs[i], "1s", ev, sizeof ev);
    kill(pid, i == 0 ? SIGINT : SIGTERM);
    CHECK_EQ_INT(1, reap_within(pid, 30000));
    char *text = tu_read_file(ev);
    CHECK_CONTAINS(text, "did not return from on_candle");
    free(text);
    check_hung_day("stopped", "strategy py_hang did not return from on_candle");
    tu_rm_rf(root);
  }
  /* Killed while it spins: recovered like any other. */
  char ev[4400];
  pid_t pid = start_hanging("e2e-py-hang-kill", configs[0], "10s", ev, sizeof ev);
  kill(pid, SIGKILL);
  CHECK_EQ_INT(128 + SIGKILL, reap_within(pid, 30000));
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "recover", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "recover exit %d: %s %s", rc, o, e);
  free(o);
  free(e);
  check_hung_day("crashed_recovered", NULL);
  tu_rm_rf(root);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(e2e_python_pingpong_fills_equal_the_builtins);
  RUN(e2e_python_ma_cross_fills_equal_the_builtins);
  RUN(e2e_python_ta_ma_cross_fills_equal_the_c_examples);
  RUN(e2e_python_indicators_equal_the_c_hosts);
  RUN(e2e_python_strategies_describes_a_python_strategy);
  RUN(e2e_python_the_example_of_the_docs_is_bands_py_and_runs);
  RUN(e2e_python_an_exception_is_a_strategy_error_and_the_session_goes_on);
  RUN(e2e_python_an_exception_in_on_order_update_is_logged_and_reported);
  RUN(e2e_python_a_script_that_cannot_run_is_refused_with_its_file_and_line);
  RUN(e2e_python_a_missing_python_host_is_named);
  RUN(e2e_python_the_host_api_answers_from_python);
  RUN(e2e_python_a_warm_restart_feeds_stored_candles_to_a_python_strategy);
  RUN(e2e_python_a_sigkilled_python_session_is_recovered);
  RUN(e2e_python_the_interpreter_leaves_signal_handlers_and_the_locale_alone);
  RUN(e2e_python_sigint_and_sigterm_stop_a_python_session_cleanly);
  RUN(e2e_python_a_call_that_never_returns_is_abandoned_without_a_deadlock);
  return test_summary();
}
