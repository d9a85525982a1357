/*
 * Unit tests of the catalog, query and report modules (argo_catalog_*, argo_query_*,
 * argo_report_write) on small recordings made here: stats.yaml files rendered with the library's
 * own renderer and Parquet files written by DuckDB, laid out as sessions lay them out.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include <argo/argo.h>

#include "persist/stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"
#include "util/strbuf.h"

#define SID_A "11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define SID_B "22222222-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
#define SID_C "22222222-cccc-4ccc-8ccc-cccccccccccc"

static char root[4096];

static void mkdirs(const char *path) {
  char err[256];
  CHECK_MSG(argo__fs_mkdir_p(path, 0755, err, sizeof err) == 0, "%s", err);
}

/* A day folder with a stats.yaml saying trades fills and realized pnl. */
static void day(const char *data, const char *date, const char *run, const char *sid,
                int64_t trades, double realized) {
  char dir[8192], path[8300];
  snprintf(dir, sizeof dir, "%s/%s/%s", data, date, run);
  mkdirs(dir);
  argo__stats_doc doc;
  memset(&doc, 0, sizeof doc);
  static const char *const syms[] = {"BTCUSDT", "ETHUSDT"};
  snprintf(doc.s.id, sizeof doc.s.id, "%s", run);
  snprintf(doc.s.session_id, sizeof doc.s.session_id, "%s", sid);
  snprintf(doc.s.date, sizeof doc.s.date, "%s", date);
  argo_time_parse(date, &doc.s.session_start);
  doc.s.last_updated = doc.s.session_start + INT64_C(3600000000);
  doc.s.status = "finished";
  doc.s.symbols = syms;
  doc.s.nsymbols = 2;
  doc.s.run_dir = dir;
  doc.s.strategy_id = "org.argo.test";
  doc.s.strategy_version = "1.0";
  doc.s.strategy_name = "test";
  doc.s.daily.number_of_trades = trades;
  doc.s.daily.realized_pnl = realized;
  doc.s.daily.total_pnl = realized;
  doc.s.cumulative = doc.s.daily;
  doc.s.candles_day = 60;
  doc.s.candles_total = 60;
  doc.s.equity = 1000 + realized;
  doc.interval = "1m";
  argo__sb sb;
  argo__sb_init(&sb);
  CHECK(argo__stats_yaml_render(&doc, &sb) == ARGO_OK);
  snprintf(path, sizeof path, "%s/stats.yaml", dir);
  tu_write_file(path, argo__sb_str(&sb));
  argo__sb_free(&sb);
}

/* Writes the result of select as folder/file.parquet. */
static void parquet(tu_db *db, const char *folder, const char *file, const char *select) {
  char sql[16384], err[1024];
  snprintf(sql, sizeof sql, "COPY (%s) TO '%s/%s' (FORMAT PARQUET)", select, folder, file);
  CHECK_MSG(tu_exec(db, sql, err, sizeof err) == 0, "%s: %s", sql, err);
}

/* Fills with the trades.parquet columns: n rows of symbol, executed at t0 + i minutes. */
static void trades(tu_db *db, const char *folder, int n, const char *t0) {
  char sel[4096];
  snprintf(sel, sizeof sel,
           "SELECT 'o-' || i AS order_id, 'BTCUSDT' AS symbol, 'BUY' AS side, 1.0::DOUBLE AS "
           "quantity, 100.0::DOUBLE AS price, TIMESTAMP '%s' + to_minutes(i) AS timestamp, "
           "TIMESTAMP '%s' + to_minutes(i) AS executed_at, 1.0::DOUBLE AS executed_qty, "
           "100.0::DOUBLE AS executed_price, 0.1::DOUBLE AS commission, 0.0::DOUBLE AS pnl, "
           "'LONG' AS position_type FROM range(%d) t(i)",
           t0, t0, n);
  parquet(db, folder, "trades.parquet", sel);
}

static void setup(void) {
  snprintf(root, sizeof root, "%s", tu_tmpdir("catalog"));
  day(root, "2025-10-01", "run_1", SID_A, 3, 1.5);
  day(root, "2025-10-01", "run_2", SID_B, 2, -0.5);
  day(root, "2025-10-02", "run_1", SID_A, 4, 2.0);
  day(root, "2025-10-02", "run_10", SID_C, 1, 0.25);
  char p[8192];
  /* Left out, with a note: no stats.yaml yet, and a damaged one. */
  snprintf(p, sizeof p, "%s/2025-10-02/run_3", root);
  mkdirs(p);
  snprintf(p, sizeof p, "%s/2025-10-03/run_1", root);
  mkdirs(p);
  snprintf(p, sizeof p, "%s/2025-10-03/run_1/stats.yaml", root);
  tu_write_file(p, "id: [unclosed\n");
  /* Not run folders or day folders at all: ignored without a note. */
  snprintf(p, sizeof p, "%s/2025-10-02/run_007", root);
  mkdirs(p);
  snprintf(p, sizeof p, "%s/2025-10-02/notes", root);
  mkdirs(p);
  snprintf(p, sizeof p, "%s/2025-10-02.bak/run_1", root);
  mkdirs(p);
  snprintf(p, sizeof p, "%s/2025-10-04", root);
  tu_write_file(p, "a file named like a day");
}

TEST(catalog_lists_day_folders_newest_first_and_notes_what_it_left_out) {
  setup();
  argo_catalog *cat = NULL;
  CHECK_EQ_INT(ARGO_OK, argo_catalog_open(&cat, root));
  CHECK_EQ_INT(4, argo_catalog_count(cat));
  const char *want[4] = {"2025-10-02/run_10", "2025-10-02/run_1", "2025-10-01/run_2",
                         "2025-10-01/run_1"};
  for (size_t i = 0; i < 4; i++) {
    const argo_catalog_entry *e = argo_catalog_at(cat, i);
    char name[64], dir[8192];
    snprintf(name, sizeof name, "%s/%s", e->date, e->run);
    CHECK_STR(want[i], name);
    snprintf(dir, sizeof dir, "%s/%s", root, want[i]);
    CHECK_STR(dir, e->run_dir);
    CHECK_STR(dir, e->stats->run_dir);
    CHECK_STR(e->run, e->stats->id);
    CHECK_STR("1m", e->interval);
  }
  CHECK_EQ_INT(10, argo_catalog_at(cat, 0)->run_number);
  CHECK_EQ_INT(4, argo_catalog_at(cat, 1)->stats->daily.number_of_trades);
  CHECK(argo_catalog_at(cat, 4) == NULL);
  CHECK_EQ_INT(2, argo_catalog_skipped_count(cat));
  int yet = 0, damaged = 0;
  for (size_t i = 0; i < 2; i++) {
    const char *s = argo_catalog_skipped_at(cat, i);
    yet += strstr(s, "2025-10-02/run_3: no stats.yaml yet") != NULL;
    /* A damaged file is named, path and all. */
    damaged += strstr(s, "2025-10-03/run_1: its stats.yaml is unreadable: '") != NULL &&
               strstr(s, "/2025-10-03/run_1/stats.yaml': ") != NULL;
  }
  CHECK_EQ_INT(1, yet);
  CHECK_EQ_INT(1, damaged);
  argo_catalog_close(cat);
  tu_rm_rf(root);
}

/* Rewrites the status line of a day folder's stats.yaml. */
static void set_status(const char *folder, const char *status) {
  char path[8300];
  snprintf(path, sizeof path, "%s/stats.yaml", folder);
  char *text = tu_read_file(path);
  CHECK(text != NULL);
  char *line = strstr(text, "\nstatus: ");
  CHECK(line != NULL);
  char *end = strchr(line + 1, '\n');
  CHECK(end != NULL);
  char out[65536];
  snprintf(out, sizeof out, "%.*s\nstatus: %s%s", (int)(line - text), text, status, end);
  tu_write_file(path, out);
  free(text);
}

static const char *status_of(argo_catalog *cat, const char *date, const char *run) {
  for (size_t i = 0; i < argo_catalog_count(cat); i++) {
    const argo_catalog_entry *e = argo_catalog_at(cat, i);
    if (strcmp(e->date, date) == 0 && strcmp(e->run, run) == 0) {
      return e->status;
    }
  }
  TEST_FAIL_("no %s/%s in the catalog", date, run);
}

TEST(catalog_tells_a_crashed_session_from_a_live_one_by_its_lock) {
  if (access("/proc/locks", R_OK) != 0) {
    SKIP("no /proc/locks here: the catalog cannot tell a crashed session from a live one");
  }
  snprintf(root, sizeof root, "%s", tu_tmpdir("catalog-crash"));
  char live[8192], dead[8192], nojournal[8192], lock[8300], path[8300];
  day(root, "2025-10-01", "run_1", SID_A, 1, 0);
  day(root, "2025-10-01", "run_2", SID_B, 1, 0);
  day(root, "2025-10-01", "run_3", SID_C, 1, 0);
  day(root, "2025-10-01", "run_4", SID_C, 1, 0);
  snprintf(live, sizeof live, "%s/2025-10-01/run_1", root);
  snprintf(dead, sizeof dead, "%s/2025-10-01/run_2", root);
  snprintf(nojournal, sizeof nojournal, "%s/2025-10-01/run_3", root);
  set_status(live, "running");
  set_status(dead, "running");
  set_status(nojournal, "running");
  /* run_1 is recorded by a live session: its lock is held, as the engine holds it. */
  snprintf(lock, sizeof lock, "%s/.lock", live);
  int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
  snprintf(path, sizeof path, "%s/.journal", live);
  tu_write_file(path, "journal");
  /* run_2 died with its journal and lock file left; run_3 without a journal. */
  snprintf(path, sizeof path, "%s/.journal", dead);
  tu_write_file(path, "journal");
  snprintf(path, sizeof path, "%s/.lock", dead);
  tu_write_file(path, "");
  argo_catalog *cat = NULL;
  CHECK_EQ_INT(ARGO_OK, argo_catalog_open(&cat, root));
  CHECK_STR("running", status_of(cat, "2025-10-01", "run_1"));
  CHECK_STR("crashed", status_of(cat, "2025-10-01", "run_2"));
  CHECK_STR("crashed", status_of(cat, "2025-10-01", "run_3"));
  CHECK_STR("finished", status_of(cat, "2025-10-01", "run_4"));
  for (size_t i = 0; i < argo_catalog_count(cat); i++) {
    const argo_catalog_entry *e = argo_catalog_at(cat, i);
    /* The recorded status is kept as it is; recoverable only with a journal. */
    CHECK_STR(strcmp(e->run, "run_4") == 0 ? "finished" : "running", e->stats->status);
    CHECK_EQ_INT(strcmp(e->run, "run_2") == 0, e->recoverable);
  }
  argo_catalog_close(cat);
  /* The catalog took no lock: the live lock is still ours alone, and the dead folder's lock is
   * free for a recovery to take. */
  snprintf(path, sizeof path, "%s/.lock", dead);
  int other = open(path, O_RDWR | O_CLOEXEC);
  CHECK(other >= 0 && flock(other, LOCK_EX | LOCK_NB) == 0);
  close(other);
  /* Once the live session is gone too, it reads crashed. */
  close(fd);
  CHECK_EQ_INT(ARGO_OK, argo_catalog_open(&cat, root));
  CHECK_STR("crashed", status_of(cat, "2025-10-01", "run_1"));
  argo_catalog_close(cat);
  tu_rm_rf(root);
}

static void resolves(argo_catalog *cat, const char *run, size_t want_n, const char *first,
                     const char *last) {
  const argo_catalog_entry *const *e = NULL;
  size_t n = 0;
  argo_err rc = argo_catalog_resolve(cat, run, &e, &n);
  CHECK_MSG(rc == ARGO_OK, "%s: %s", run, argo_catalog_errmsg(cat));
  CHECK_EQ_INT(want_n, n);
  char name[64];
  snprintf(name, sizeof name, "%s/%s", e[0]->date, e[0]->run);
  CHECK_STR(first, name);
  snprintf(name, sizeof name, "%s/%s", e[n - 1]->date, e[n - 1]->run);
  CHECK_STR(last, name);
}

static void refuses(argo_catalog *cat, const char *run, argo_err want, const char *msg) {
  const argo_catalog_entry *const *e = NULL;
  size_t n = 7;
  argo_err rc = argo_catalog_resolve(cat, run, &e, &n);
  CHECK_MSG(rc == want, "%s: got %d (%s)", run, (int)rc, argo_catalog_errmsg(cat));
  CHECK_EQ_INT(0, n);
  CHECK_CONTAINS(argo_catalog_errmsg(cat), msg);
  CHECK(strchr(argo_catalog_errmsg(cat), '\n') == NULL);
}

TEST(catalog_resolves_day_folders_sessions_prefixes_and_latest) {
  setup();
  argo_catalog *cat = NULL;
  CHECK_EQ_INT(ARGO_OK, argo_catalog_open(&cat, root));
  resolves(cat, "2025-10-01/run_2", 1, "2025-10-01/run_2", "2025-10-01/run_2");
  resolves(cat, SID_A, 2, "2025-10-01/run_1", "2025-10-02/run_1");
  resolves(cat, "11111111", 2, "2025-10-01/run_1", "2025-10-02/run_1");
  resolves(cat, "11111111-AAAA", 2, "2025-10-01/run_1", "2025-10-02/run_1");
  resolves(cat, "22222222-c", 1, "2025-10-02/run_10", "2025-10-02/run_10");
  /* latest: the session of the newest day folder, 2025-10-02/run_10. */
  resolves(cat, "latest", 1, "2025-10-02/run_10", "2025-10-02/run_10");
  refuses(cat, "22222222", ARGO_EINVAL, "ambiguous");
  refuses(cat, "2025-10-05/run_1", ARGO_ENOTFOUND, "2025-10-05/run_1");
  refuses(cat, "2025-10-02/run_3", ARGO_ENOTFOUND, "2025-10-02/run_3");
  refuses(cat, "33333333", ARGO_ENOTFOUND, "no session 33333333");
  refuses(cat, "2025-10-01", ARGO_EINVAL, "is a date");
  refuses(cat, "run_1", ARGO_EINVAL, "not a run name");
  refuses(cat, "2025-10-01/run_01", ARGO_EINVAL, "not a run name");
  refuses(cat, "1111", ARGO_EINVAL, "not a run name");
  refuses(cat, "", ARGO_EINVAL, "no run name");
  argo_catalog_close(cat);

  /* An empty folder: nothing listed, and latest names nothing. */
  char empty[8192];
  snprintf(empty, sizeof empty, "%s/empty", root);
  mkdirs(empty);
  CHECK_EQ_INT(ARGO_OK, argo_catalog_open(&cat, empty));
  CHECK_EQ_INT(0, argo_catalog_count(cat));
  refuses(cat, "latest", ARGO_ENOTFOUND, "no sessions recorded");
  argo_catalog_close(cat);
  tu_rm_rf(root);
}

TEST(catalog_of_a_missing_folder_is_not_found_with_the_path) {
  argo_catalog *cat = NULL;
  CHECK_EQ_INT(ARGO_ENOTFOUND, argo_catalog_open(&cat, "/nonexistent/argo-data"));
  CHECK_CONTAINS(argo_catalog_errmsg(cat), "/nonexistent/argo-data");
  argo_catalog_close(cat);
  argo_catalog_close(NULL);
}

/* An argo_write_fn collecting into a string buffer. */
static int collect(const char *data, size_t len, void *user) {
  argo__sb_add(user, data, len);
  return 0;
}

static int refuse(const char *data, size_t len, void *user) {
  (void)data;
  (void)len;
  (void)user;
  return -1;
}

/* Runs sql on q, returning the output (malloc'ed) or failing the test. */
static char *run(argo_query *q, const char *sql, argo_query_format f) {
  argo__sb sb;
  argo__sb_init(&sb);
  argo_err rc = argo_query_run(q, sql, f, collect, &sb);
  CHECK_MSG(rc == ARGO_OK, "%s: %s", sql, argo_query_errmsg(q));
  char *s = strdup(argo__sb_str(&sb));
  argo__sb_free(&sb);
  return s;
}

static argo_query *open_query(const char *data, const char *runname) {
  argo_catalog *cat = NULL;
  CHECK_MSG(argo_catalog_open(&cat, data) == ARGO_OK, "%s", argo_catalog_errmsg(cat));
  argo_query *q = NULL;
  argo_err rc = argo_query_open(&q, cat, runname);
  argo_catalog_close(cat); /* the query keeps nothing of the catalog */
  CHECK_MSG(rc == ARGO_OK, "%s", argo_query_errmsg(q));
  return q;
}

TEST(query_views_carry_date_run_and_session_and_skip_missing_files) {
  setup();
  tu_db db;
  tu_db_open(&db);
  char dir[8192];
  snprintf(dir, sizeof dir, "%s/2025-10-01/run_1", root);
  trades(&db, dir, 2, "2025-10-01 10:00:00");
  snprintf(dir, sizeof dir, "%s/2025-10-02/run_1", root);
  trades(&db, dir, 3, "2025-10-02 10:00:00");
  parquet(&db, dir, "orders.parquet",
          "SELECT 'o-' || i AS order_id, 'BTCUSDT' AS symbol FROM range(3) t(i)");
  tu_db_close(&db);

  argo_query *q = open_query(root, NULL);
  char *o = run(q,
                "SELECT date, run, session_id, count(*) AS n FROM trades GROUP BY ALL ORDER BY "
                "ALL",
                ARGO_QUERY_CSV);
  CHECK_STR("date,run,session_id,n\n2025-10-01,run_1," SID_A ",2\n2025-10-02,run_1," SID_A ",3\n",
            o);
  free(o);
  /* Joins across views; orders exist for one day only. */
  o = run(q,
          "SELECT count(*) AS n FROM trades t JOIN orders o USING (order_id, date, run, "
          "session_id)",
          ARGO_QUERY_CSV);
  CHECK_STR("n\n3\n", o);
  free(o);
  /* No file of these tables anywhere: empty views that still have every column. */
  o = run(q, "SELECT count(*) AS n, count(signal_type) AS s FROM marks", ARGO_QUERY_CSV);
  CHECK_STR("n,s\n0,0\n", o);
  free(o);
  o = run(q, "SELECT count(*) AS n FROM logs WHERE fields IS NOT NULL", ARGO_QUERY_CSV);
  CHECK_STR("n\n0\n", o);
  free(o);
  /* stats: one row per day folder listed. */
  o = run(q,
          "SELECT date, run, daily_number_of_trades AS t, cumulative_realized_pnl AS r, "
          "candle_interval AS i FROM stats ORDER BY date, run_number",
          ARGO_QUERY_CSV);
  CHECK_STR("date,run,t,r,i\n2025-10-01,run_1,3,1.5,1m\n2025-10-01,run_2,2,-0.5,1m\n"
            "2025-10-02,run_1,4,2.0,1m\n2025-10-02,run_10,1,0.25,1m\n",
            o);
  free(o);
  argo_query_close(q);

  /* Restricted to one session. */
  q = open_query(root, "11111111");
  o = run(q, "SELECT count(*) AS n, count(DISTINCT date) AS d FROM stats", ARGO_QUERY_CSV);
  CHECK_STR("n,d\n2,2\n", o);
  free(o);
  argo_query_close(q);
  tu_rm_rf(root);
}

TEST(query_formats_quote_escape_and_align) {
  setup();
  argo_query *q = open_query(root, NULL);
  char *o =
      run(q, "SELECT 'a,b' AS x, 'say \"hi\"' AS y, NULL AS z, 'two\nlines' AS w", ARGO_QUERY_CSV);
  CHECK_STR("x,y,z,w\n\"a,b\",\"say \"\"hi\"\"\",,\"two\nlines\"\n", o);
  free(o);
  o = run(q,
          "SELECT 'q\"</script>\n' AS s, 1.5::DOUBLE AS d, 7 AS i, true AS b, NULL AS n, "
          "TIMESTAMP '2025-10-01 09:00:00' AS t, DATE '2025-10-02' AS day, 12.50::DECIMAL(6,2) "
          "AS dec, [1, 2] AS l, {'k': 'v'} AS st",
          ARGO_QUERY_JSON);
  json_error_t je;
  json_t *j = json_loads(o, 0, &je);
  CHECK_MSG(j && json_is_array(j) && json_array_size(j) == 1, "not one JSON object: %s", o);
  json_t *r = json_array_get(j, 0);
  CHECK_STR("q\"</script>\n", json_string_value(json_object_get(r, "s")));
  CHECK_NEAR(1.5, json_number_value(json_object_get(r, "d")), 0);
  CHECK(json_is_integer(json_object_get(r, "i")));
  CHECK(json_is_true(json_object_get(r, "b")));
  CHECK(json_is_null(json_object_get(r, "n")));
  CHECK_STR("2025-10-01T09:00:00Z", json_string_value(json_object_get(r, "t")));
  CHECK_STR("2025-10-02", json_string_value(json_object_get(r, "day")));
  CHECK_NEAR(12.5, json_number_value(json_object_get(r, "dec")), 0);
  CHECK_EQ_INT(2, json_array_size(json_object_get(r, "l")));
  CHECK_STR("v", json_string_value(json_object_get(json_object_get(r, "st"), "k")));
  json_decref(j);
  free(o);
  o = run(q, "SELECT 1 AS a WHERE false", ARGO_QUERY_JSON);
  CHECK_STR("[]\n", o);
  free(o);
  /* Table: numbers right-aligned, text left-aligned by characters (not bytes), long text cut. */
  o = run(q, "SELECT * FROM (VALUES ('é', 1), ('abc', 100)) v(name, n)", ARGO_QUERY_TABLE);
  CHECK_STR("name    n\n----  ---\né       1\nabc   100\n(2 rows)\n", o);
  free(o);
  o = run(q, "SELECT repeat('x', 200) AS long", ARGO_QUERY_TABLE);
  char *line2 = strchr(strchr(o, '\n') + 1, '\n') + 1;
  CHECK_EQ_INT(80, strcspn(line2, "\n"));
  CHECK(strncmp(line2 + 77, "...", 3) == 0);
  free(o);
  argo_query_close(q);
  tu_rm_rf(root);
}

TEST(query_bad_sql_is_one_line_and_a_stopped_writer_is_eio) {
  setup();
  argo_query *q = open_query(root, NULL);
  argo__sb sb;
  argo__sb_init(&sb);
  CHECK_EQ_INT(ARGO_EDB, argo_query_run(q, "SELEC 1", ARGO_QUERY_TABLE, collect, &sb));
  CHECK_CONTAINS(argo_query_errmsg(q), "syntax error");
  CHECK(strchr(argo_query_errmsg(q), '\n') == NULL);
  CHECK_EQ_INT(ARGO_EDB, argo_query_run(q, "SELECT * FROM nope", ARGO_QUERY_CSV, collect, &sb));
  CHECK_CONTAINS(argo_query_errmsg(q), "nope");
  CHECK(strchr(argo_query_errmsg(q), '\n') == NULL);
  CHECK_EQ_INT(0, sb.len); /* nothing written for a failed statement */
  argo__sb_free(&sb);
  CHECK_EQ_INT(ARGO_EIO, argo_query_run(q, "SELECT 1", ARGO_QUERY_CSV, refuse, NULL));
  /* Several statements: the last one's rows. */
  char *o = run(q, "CREATE TABLE t AS SELECT 5 AS v; SELECT v + 1 AS w FROM t", ARGO_QUERY_CSV);
  CHECK_STR("w\n6\n", o);
  free(o);
  argo_query_close(q);
  tu_rm_rf(root);
}

TEST(query_reads_paths_with_quotes_and_refuses_pattern_characters) {
  char base[4096], data[8192];
  snprintf(base, sizeof base, "%s", tu_tmpdir("catalog-paths"));
  snprintf(data, sizeof data, "%s/it's data", base);
  day(data, "2025-10-01", "run_1", SID_A, 1, 0);
  tu_db db;
  tu_db_open(&db);
  char dir[8400], quoted_dir[8400];
  snprintf(dir, sizeof dir, "%s/2025-10-01/run_1", data);
  /* The fixture writer pastes the folder into SQL itself, so it doubles the quote. */
  snprintf(quoted_dir, sizeof quoted_dir, "%s/it''s data/2025-10-01/run_1", base);
  trades(&db, quoted_dir, 4, "2025-10-01 10:00:00");
  tu_db_close(&db);
  CHECK(argo__fs_exists(dir));
  argo_query *q = open_query(data, NULL);
  char *o = run(q, "SELECT count(*) AS n FROM trades", ARGO_QUERY_CSV);
  CHECK_STR("n\n4\n", o);
  free(o);
  argo_query_close(q);

  snprintf(data, sizeof data, "%s/data[1]", base);
  day(data, "2025-10-01", "run_1", SID_A, 1, 0);
  snprintf(dir, sizeof dir, "%s/2025-10-01/run_1/trades.parquet", data);
  tu_write_file(dir, "not read");
  argo_catalog *cat = NULL;
  CHECK_EQ_INT(ARGO_OK, argo_catalog_open(&cat, data));
  CHECK_EQ_INT(ARGO_EINVAL, argo_query_open(&q, cat, NULL));
  CHECK_CONTAINS(argo_query_errmsg(q), "pattern");
  argo_query_close(q);
  argo_catalog_close(cat);
  tu_rm_rf(base);
}

TEST(report_writes_one_page_and_reports_bad_names_and_paths) {
  setup();
  argo_catalog *cat = NULL;
  CHECK_EQ_INT(ARGO_OK, argo_catalog_open(&cat, root));
  char out[8192];
  snprintf(out, sizeof out, "%s/report.html", root);
  CHECK_EQ_INT(ARGO_ENOTFOUND, argo_report_write(cat, "2025-10-09/run_1", out));
  CHECK_CONTAINS(argo_catalog_errmsg(cat), "2025-10-09/run_1");
  CHECK(!argo__fs_exists(out));
  /* The path is checked before any work: a missing folder is ARGO_ENOTFOUND, a folder or a
   * named pipe ARGO_EINVAL (left as they are). */
  CHECK_EQ_INT(ARGO_ENOTFOUND, argo_report_write(cat, "latest", "/nonexistent/folder/r.html"));
  CHECK_CONTAINS(argo_catalog_errmsg(cat), "no folder '/nonexistent/folder'");
  CHECK_EQ_INT(ARGO_EINVAL, argo_report_write(cat, "latest", root));
  CHECK_CONTAINS(argo_catalog_errmsg(cat), "is a folder");
  char fifo[8192];
  snprintf(fifo, sizeof fifo, "%s/fifo.html", root);
  CHECK(mkfifo(fifo, 0644) == 0);
  CHECK_EQ_INT(ARGO_EINVAL, argo_report_write(cat, "latest", fifo));
  CHECK_CONTAINS(argo_catalog_errmsg(cat), "named pipe");
  struct stat st;
  CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
  CHECK(unlink(fifo) == 0);
  /* Day folders without Parquet files still give a page (with empty charts). */
  CHECK_MSG(argo_report_write(cat, SID_A, out) == ARGO_OK, "%s", argo_catalog_errmsg(cat));
  char *html = tu_read_file(out);
  CHECK(html != NULL);
  CHECK_CONTAINS(html, "<body data-charts=\"0\" data-errors=\"0\" data-done=\"0\">");
  CHECK_CONTAINS(html, SID_A);
  CHECK_CONTAINS(html, "id=\"argo-data\"");
  free(html);
  /* No temporary file left beside it. */
  char tmp[8300];
  snprintf(tmp, sizeof tmp, "%s/.report.html.tmp", root);
  CHECK(!argo__fs_exists(tmp));
  /* The same page through a write callback (argo report -o -); a callback that stops gives
   * ARGO_EIO. */
  argo__sb sb;
  argo__sb_init(&sb);
  CHECK_MSG(argo_report_render(cat, SID_A, collect, &sb) == ARGO_OK, "%s",
            argo_catalog_errmsg(cat));
  CHECK_CONTAINS(argo__sb_str(&sb), "<body data-charts=\"0\" data-errors=\"0\" data-done=\"0\">");
  CHECK_CONTAINS(argo__sb_str(&sb), SID_A);
  argo__sb_free(&sb);
  CHECK_EQ_INT(ARGO_EIO, argo_report_render(cat, SID_A, refuse, NULL));
  argo_catalog_close(cat);
  tu_rm_rf(root);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(catalog_lists_day_folders_newest_first_and_notes_what_it_left_out);
  RUN(catalog_resolves_day_folders_sessions_prefixes_and_latest);
  RUN(catalog_of_a_missing_folder_is_not_found_with_the_path);
  RUN(catalog_tells_a_crashed_session_from_a_live_one_by_its_lock);
  RUN(query_views_carry_date_run_and_session_and_skip_missing_files);
  RUN(query_formats_quote_escape_and_align);
  RUN(query_bad_sql_is_one_line_and_a_stopped_writer_is_eio);
  RUN(query_reads_paths_with_quotes_and_refuses_pattern_characters);
  RUN(report_writes_one_page_and_reports_bad_names_and_paths);
  return test_summary();
}
