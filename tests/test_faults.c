/*
 * Faults: a failing write, fsync or rename while a session runs (in this process, through the
 * I/O fault hook). Transient faults are reported with the path and retried; a disk that stays
 * unusable stops the session cleanly; the files already published stay readable; nothing
 * acknowledged is lost (recovery restores it from the journal).
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/argo.h>

#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

static char out[4096];

typedef struct seen {
  int errors;
  char first_error[1024];
  int fills;
  tu_db *db;
} seen;

static void on_fill(argo_engine *e, const argo_order *o, const argo_fill *f, void *user) {
  (void)e;
  (void)o;
  seen *s = user;
  char sql[1024], err[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO acked VALUES ('%s', '%.17g'::DOUBLE, '%.17g'::DOUBLE, '%.17g'::DOUBLE)",
           f->order_id, f->executed_qty, f->executed_price, f->pnl);
  CHECK_MSG(tu_exec(s->db, sql, err, sizeof err) == 0, "%s", err);
  s->fills++;
}

static void on_error(argo_engine *e, argo_err code, const char *msg, void *user) {
  (void)e;
  (void)code;
  seen *s = user;
  if (!s->errors++) {
    snprintf(s->first_error, sizeof s->first_error, "%s", msg);
  }
}

static argo_err run_session(seen *s, const char *bars) {
  argo_config *cfg;
  CHECK(argo_config_new(&cfg) == ARGO_OK);
  CHECK(argo_config_set(cfg, "engine.data_output", out) == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.interval", "1h") == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.start", "2025-10-01T00:00:00Z") == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.bars", bars) == ARGO_OK);
  /* Real-time pacing at 36000x (0.1 ms per candle) gives the publisher many cycles. */
  CHECK(argo_config_set(cfg, "market_data.speed", "36000") == ARGO_OK);
  CHECK(argo_config_set(cfg, "strategy.name", "pingpong") == ARGO_OK);
  CHECK(argo_config_set(cfg, "strategy.config", "{\"every\": 2}") == ARGO_OK);
  argo_engine *eng;
  CHECK(argo_engine_new(&eng) == ARGO_OK);
  CHECK(argo_engine_init(eng, cfg) == ARGO_OK);
  argo_callbacks cb = {.on_order_filled = on_fill, .on_error = on_error};
  argo_engine_set_callbacks(eng, &cb, sizeof cb, s);
  argo_err rc = argo_engine_run(eng);
  argo_engine_free(eng);
  argo_config_free(cfg);
  return rc;
}

static void setup_db(tu_db *db) {
  tu_db_open(db);
  char err[256];
  CHECK(tu_exec(db,
                "CREATE TABLE acked (order_id VARCHAR, executed_qty DOUBLE, executed_price DOUBLE,"
                " pnl DOUBLE)",
                err, sizeof err) == 0);
}

static int64_t missing(tu_db *db) {
  char sql[8800], err[512];
  snprintf(sql, sizeof sql,
           "CREATE OR REPLACE VIEW trades AS SELECT * FROM "
           "read_parquet('%s/*/run_*/trades.parquet')",
           out);
  CHECK_MSG(tu_exec(db, sql, err, sizeof err) == 0, "%s", err);
  return tu_q_int(db, "SELECT count(*) FROM acked a ANTI JOIN trades t ON a.order_id = t.order_id "
                      "AND a.executed_qty = t.executed_qty AND a.executed_price = "
                      "t.executed_price AND a.pnl = t.pnl");
}

static int all_files_open(tu_db *db) {
  char pat[4200];
  glob_t g;
  int n = 0;
  snprintf(pat, sizeof pat, "%s/*/run_*/*.parquet", out);
  if (glob(pat, 0, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      char sql[4400], err[512];
      snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s')", g.gl_pathv[i]);
      CHECK_MSG(tu_exec(db, sql, err, sizeof err) == 0, "%s: %s", g.gl_pathv[i], err);
      n++;
    }
    globfree(&g);
  }
  return n;
}

static void each_fault(argo__io_op op, int errnum, const char *text) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("faults"));
  tu_db db;
  setup_db(&db);
  seen s = {.db = &db};
  /* Three consecutive failures a little into the session, then the disk works again. */
  argo__io_fault_set(op, 20, 3, errnum);
  argo_err rc = run_session(&s, "120");
  argo__io_fault_set(op, 0, 0, 0);
  CHECK_MSG(rc == ARGO_OK, "the session failed on a transient fault: %s", s.first_error);
  CHECK_MSG(s.errors > 0, "the fault was not reported");
  CHECK_CONTAINS(s.first_error, text);
  CHECK_CONTAINS(s.first_error, out);
  CHECK(s.fills > 20);
  CHECK_EQ_INT(0, missing(&db));
  CHECK_EQ_INT(5 * 5, all_files_open(&db)); /* 120 hourly candles: 5 days, 5 files each */
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(faults_transient_write_fsync_rename_are_reported_and_retried) {
  each_fault(ARGO_IO_WRITE, ENOSPC, "No space left on device");
  each_fault(ARGO_IO_FSYNC, EIO, "Input/output error");
  each_fault(ARGO_IO_RENAME, EACCES, "Permission denied");
}

TEST(faults_a_disk_that_stays_broken_stops_the_session_and_loses_nothing) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("faults-perm"));
  tu_db db;
  setup_db(&db);
  seen s = {.db = &db};
  argo__io_fault_set(ARGO_IO_RENAME, 30, -1, ENOSPC);
  argo_err rc = run_session(&s, "100000");
  argo__io_fault_set(ARGO_IO_RENAME, 0, 0, 0);
  CHECK_MSG(rc != ARGO_OK, "the session went on with a broken disk");
  CHECK_CONTAINS(s.first_error, "No space left on device");
  /* The files published before the fault are intact and readable. */
  CHECK(all_files_open(&db) >= 5);
  /* The journal holds what could not be published: recovery brings it back. */
  int n = 0;
  CHECK(argo_recover(out, NULL, NULL, &n) == ARGO_OK);
  CHECK_EQ_INT(1, n);
  CHECK(s.fills > 0);
  CHECK_EQ_INT(0, missing(&db));
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(faults_a_failing_journal_stops_the_session_before_acknowledging) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("faults-journal"));
  tu_db db;
  setup_db(&db);
  seen s = {.db = &db};
  argo__io_fault_set(ARGO_IO_JOURNAL_FSYNC, 10, -1, EIO);
  argo_err rc = run_session(&s, "100000");
  argo__io_fault_set(ARGO_IO_JOURNAL_FSYNC, 0, 0, 0);
  CHECK(rc != ARGO_OK);
  CHECK_CONTAINS(s.first_error, "journal");
  int n = 0;
  CHECK(argo_recover(out, NULL, NULL, &n) == ARGO_OK);
  CHECK_EQ_INT(0, missing(&db));
  CHECK(all_files_open(&db) >= 5);
  tu_db_close(&db);
  tu_rm_rf(out);
}

int main(void) {
  RUN(faults_transient_write_fsync_rename_are_reported_and_retried);
  RUN(faults_a_disk_that_stays_broken_stops_the_session_and_loses_nothing);
  RUN(faults_a_failing_journal_stops_the_session_before_acknowledging);
  return test_summary();
}
