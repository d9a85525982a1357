/*
 * Faults: a failing write, fsync or rename while a session runs (in this process, through the
 * I/O fault hook of util/fsx.h). Each step of the publication of each file (the write of the
 * temporary file, its fsync, the rename, the fsync of the folder) is broken once: the file
 * published before stays byte-identical and readable with the same rows, the fault is reported
 * with the path, the journal keeps what was not published, and a later publish holds every row
 * that was acknowledged. A disk that stays broken (write, fsync, rename) stops the session
 * cleanly and recovery restores everything acknowledged. A journal that cannot write or fsync
 * stops the session before anything it did not make durable is acknowledged.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <duckdb.h>

#include <argo/argo.h>

#include "persist/journal.h"
#include "persist/stats_yaml.h"
#include "persist/store.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"
#include "util/timeu.h"

static char out[4096];

/* The six files of a day folder. */
static const char *const files[6] = {"orders.parquet", "trades.parquet",      "marks.parquet",
                                     "logs.parquet",   "market_data.parquet", "stats.yaml"};

/* ---- what the callbacks saw --------------------------------------------------------------- */

typedef struct seen {
  int errors;
  char first_error[1024];
  char errors_text[16384]; /* every error message, one per line */
  int fills, orders;
  tu_db *db;
  int stop_called;
  argo_err stop_status;
  /* When set, every acknowledgement is checked against the journal file on disk. */
  int check_journal;
  int unjournaled;
  char unjournaled_what[256];
  /* A child that will be killed: each acknowledgement is also a line of this file (> 0). */
  int ack_fd;
} seen;

/* One line to s->ack_fd (write(2): in the page cache when the child is killed). */
static void ack_line(seen *s, const char *fmt, ...) ARGO_PRINTF(2, 3);
static void ack_line(seen *s, const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  CHECK(n > 0 && (size_t)n < sizeof line && write(s->ack_fd, line, (size_t)n) == n);
}

static void exec_or_fail(tu_db *db, const char *sql) {
  char err[512];
  CHECK_MSG(tu_exec(db, sql, err, sizeof err) == 0, "%s\n  SQL: %s", err, sql);
}

/* 1 if the journal on disk of the day folder of time t holds a record of type for order_id. */
static int journal_has(int64_t t, int type, const char *order_id) {
  char date[16], path[4400];
  argo__day_format(argo__day_of(t), date);
  snprintf(path, sizeof path, "%s/%s/run_1/%s", out, date, ARGO_JOURNAL_NAME);
  char *data = NULL;
  size_t len = 0;
  if (argo__fs_read_all(path, &data, &len) != 0) {
    return 0;
  }
  argo__jreader r;
  int found = 0;
  if (argo__jreader_init(&r, data, len) == ARGO_OK) {
    int ty;
    const unsigned char *p;
    size_t n;
    while (!found && argo__jreader_next(&r, &ty, &p, &n) == 1) {
      if (ty != type) {
        continue;
      }
      if (type == ARGO_J_FILL) {
        argo__jfill f;
        found = argo__jdecode_fill(p, n, &f) == 0 && strcmp(f.f.order_id, order_id) == 0;
      } else {
        argo__jorder o;
        found = argo__jdecode_order(p, n, &o) == 0 && strcmp(o.o.order_id, order_id) == 0;
      }
    }
  }
  free(data);
  return found;
}

static void not_journaled(seen *s, const char *what, const char *id) {
  if (!s->unjournaled++) {
    snprintf(s->unjournaled_what, sizeof s->unjournaled_what, "%s %s", what, id);
  }
}

static void on_fill(argo_engine *e, const argo_order *o, const argo_fill *f, void *user) {
  (void)e;
  (void)o;
  seen *s = user;
  char sql[1024], id[128];
  CHECK(argo__sql_quote(f->order_id, id, sizeof id) == 0);
  snprintf(sql, sizeof sql,
           "INSERT INTO acked VALUES (%s, '%.17g'::DOUBLE, '%.17g'::DOUBLE, '%.17g'::DOUBLE)", id,
           f->executed_qty, f->executed_price, f->pnl);
  if (s->ack_fd > 0) {
    ack_line(s, "F,%s,%.17g,%.17g,%.17g\n", f->order_id, f->executed_qty, f->executed_price,
             f->pnl);
  } else if (s->db) {
    exec_or_fail(s->db, sql);
  }
  s->fills++;
  if (s->check_journal && !journal_has(f->executed_at, ARGO_J_FILL, f->order_id)) {
    not_journaled(s, "fill of", f->order_id);
  }
}

static void on_placed(argo_engine *e, const argo_order *o, void *user) {
  (void)e;
  seen *s = user;
  char sql[512], id[128];
  CHECK(argo__sql_quote(o->order_id, id, sizeof id) == 0);
  snprintf(sql, sizeof sql, "INSERT INTO acked_orders VALUES (%s)", id);
  if (s->ack_fd > 0) {
    ack_line(s, "O,%s,0,0,0\n", o->order_id);
  } else if (s->db) {
    exec_or_fail(s->db, sql);
  }
  s->orders++;
  if (s->check_journal && !journal_has(o->timestamp, ARGO_J_ORDER, o->order_id)) {
    not_journaled(s, "order", o->order_id);
  }
}

static void on_error(argo_engine *e, argo_err code, const char *msg, void *user) {
  (void)e;
  (void)code;
  seen *s = user;
  if (!s->errors++) {
    snprintf(s->first_error, sizeof s->first_error, "%s", msg);
  }
  size_t n = strlen(s->errors_text);
  snprintf(s->errors_text + n, sizeof s->errors_text - n, "%s\n", msg);
}

static void on_stop(argo_engine *e, argo_err status, const char *msg, void *user) {
  (void)e;
  (void)msg;
  seen *s = user;
  s->stop_called++;
  s->stop_status = status;
}

static argo_err run_session(seen *s, const char *start, const char *bars) {
  argo_config *cfg;
  CHECK(argo_config_new(&cfg) == ARGO_OK);
  CHECK(argo_config_set(cfg, "engine.data_output", out) == ARGO_OK);
  CHECK(argo_config_set(cfg, "engine.publish_interval", "200ms") == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.interval", "1m") == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.start", start) == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.bars", bars) == ARGO_OK);
  /* 10 ms per candle time: the publisher gets many cycles per simulated hour. */
  CHECK(argo_config_set(cfg, "market_data.speed", "6000") == ARGO_OK);
  CHECK(argo_config_set(cfg, "strategy.name", "pingpong") == ARGO_OK);
  CHECK(argo_config_set(cfg, "strategy.config", "{\"every\": 2}") == ARGO_OK);
  argo_engine *eng;
  CHECK(argo_engine_new(&eng) == ARGO_OK);
  CHECK(argo_engine_init(eng, cfg) == ARGO_OK);
  argo_callbacks cb = {.on_order_filled = on_fill,
                       .on_order_placed = on_placed,
                       .on_error = on_error,
                       .on_engine_stop = on_stop};
  argo_engine_set_callbacks(eng, &cb, sizeof cb, s);
  argo_err rc = argo_engine_run(eng);
  argo_engine_free(eng);
  argo_config_free(cfg);
  return rc;
}

static void setup_db(tu_db *db) {
  tu_db_open(db);
  exec_or_fail(db, "CREATE TABLE acked (order_id VARCHAR, executed_qty DOUBLE, executed_price "
                   "DOUBLE, pnl DOUBLE)");
  exec_or_fail(db, "CREATE TABLE acked_orders (order_id VARCHAR)");
}

/* Acknowledged fills not in any trades.parquet with the same values, plus acknowledged orders
 * not in any orders.parquet. */
static int64_t missing(tu_db *db) {
  char sql[8800], glob_t_[4400], glob_o[4400];
  snprintf(glob_t_, sizeof glob_t_, "%s/*/run_*/trades.parquet", out);
  snprintf(glob_o, sizeof glob_o, "%s/*/run_*/orders.parquet", out);
  snprintf(sql, sizeof sql,
           "CREATE OR REPLACE VIEW trades AS SELECT * FROM read_parquet(%s); CREATE OR REPLACE "
           "VIEW orders AS SELECT * FROM read_parquet(%s)",
           tu_sql_str(glob_t_), tu_sql_str(glob_o));
  exec_or_fail(db, sql);
  int64_t fills =
      tu_q_int(db, "SELECT count(*) FROM acked a ANTI JOIN trades t ON a.order_id = t.order_id "
                   "AND a.executed_qty = t.executed_qty AND a.executed_price = "
                   "t.executed_price AND a.pnl = t.pnl");
  int64_t orders = tu_q_int(db, "SELECT count(*) FROM acked_orders a ANTI JOIN orders o ON "
                                "a.order_id = o.order_id");
  if (fills || orders) {
    fprintf(stderr, "missing: %lld acknowledged fills, %lld acknowledged orders\n",
            (long long)fills, (long long)orders);
  }
  return fills + orders;
}

static int all_files_open(tu_db *db) {
  char pat[4200];
  glob_t g;
  int n = 0;
  snprintf(pat, sizeof pat, "%s/*/run_*/*.parquet", out);
  if (glob(pat, 0, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      char sql[8800], err[512];
      snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(g.gl_pathv[i]));
      CHECK_MSG(tu_exec(db, sql, err, sizeof err) == 0, "%s: %s", g.gl_pathv[i], err);
      n++;
    }
    globfree(&g);
  }
  return n;
}

/* How many stats.yaml under out say want; every one must say want or, when other is not NULL,
 * other. */
static int stats_status_all2(const char *want, const char *other) {
  char pat[4200];
  glob_t g;
  int n = 0;
  snprintf(pat, sizeof pat, "%s/*/run_*/stats.yaml", out);
  if (glob(pat, 0, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      char *text = tu_read_file(g.gl_pathv[i]);
      argo__stats_doc d;
      char err[256];
      CHECK_MSG(text && argo__stats_yaml_parse(text, &d, err, sizeof err) == ARGO_OK, "%s: %s",
                g.gl_pathv[i], text ? err : "unreadable");
      free(text);
      int same = strcmp(d.s.status, want) == 0;
      int ok = same || (other && strcmp(d.s.status, other) == 0);
      char got[32];
      snprintf(got, sizeof got, "%s", d.s.status);
      argo__stats_doc_free(&d);
      CHECK_MSG(ok, "%s: status %s, want %s", g.gl_pathv[i], got, want);
      n += same;
    }
    globfree(&g);
  }
  return n;
}

static int stats_status_all(const char *want) {
  return stats_status_all2(want, NULL);
}

/* Journals left under out. */
static int journals_left(void) {
  char pat[4200];
  glob_t g;
  int n = 0;
  snprintf(pat, sizeof pat, "%s/*/run_*/%s", out, ARGO_JOURNAL_NAME);
  if (glob(pat, 0, NULL, &g) == 0) {
    n = (int)g.gl_pathc;
    globfree(&g);
  }
  return n;
}

/* ---- the state of the published files at the moment of a fault --------------------------- */

typedef struct probe {
  tu_db db; /* used only on the thread that hits the fault, while the session runs */
  int fired, after;
  argo__io_op op;
  char path[4200];
  char dir[4200];
  int target; /* index into files[], or -1: every file (the folder's fsync) */
  char *bytes[6];
  size_t len[6];
  int64_t rows[6];
  char problem[2048];
} probe;

static void problem(probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(probe *p, const char *fmt, ...) {
  if (p->problem[0]) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->problem, sizeof p->problem, fmt, ap);
  va_end(ap);
}

/* Rows of a published file: count(*) of a Parquet file, 1 for a stats.yaml that parses; -1 if
 * it cannot be read. No CHECK here: this runs on the publisher's thread. */
static int64_t rows_of(probe *p, const char *path, const char *name) {
  if (strcmp(name, "stats.yaml") == 0) {
    char *text = NULL;
    if (argo__fs_read_all(path, &text, NULL) != 0) {
      return -1;
    }
    argo__stats_doc d;
    char err[256];
    int ok = argo__stats_yaml_parse(text, &d, err, sizeof err) == ARGO_OK;
    if (ok) {
      argo__stats_doc_free(&d);
    }
    free(text);
    return ok ? 1 : -1;
  }
  /* Quoted into a local buffer: tu_sql_str's buffers belong to the test's main thread. */
  char sql[9000], quoted[8800];
  if (argo__sql_quote(path, quoted, sizeof quoted) != 0) {
    return -1;
  }
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", quoted);
  duckdb_result r;
  int64_t n = -1;
  if (duckdb_query(p->db.con, sql, &r) == DuckDBSuccess) {
    n = duckdb_value_int64(&r, 0, 0);
  }
  duckdb_destroy_result(&r);
  return n;
}

static void observe(void *user, argo__io_op op, const char *path, int errnum, int after) {
  probe *p = user;
  (void)errnum;
  if (!after) {
    p->fired++;
    if (p->fired > 1) {
      problem(p, "the fault fired %d times (want once)", p->fired);
      return;
    }
    p->op = op;
    snprintf(p->path, sizeof p->path, "%s", path ? path : "");
    /* The file the fault is about: "<dir>/.<name>.tmp" or "<dir>/<name>", or the folder. */
    const char *slash = strrchr(p->path, '/');
    size_t dlen = slash ? (size_t)(slash - p->path) : 0;
    const char *base = slash ? slash + 1 : p->path;
    p->target = -1;
    for (int i = 0; i < 6; i++) {
      char tmp[128];
      snprintf(tmp, sizeof tmp, ".%s.tmp", files[i]);
      if (strcmp(base, tmp) == 0 || strcmp(base, files[i]) == 0) {
        p->target = i;
      }
    }
    if (p->target >= 0) {
      snprintf(p->dir, sizeof p->dir, "%.*s", (int)dlen, p->path);
    } else {
      snprintf(p->dir, sizeof p->dir, "%s", p->path);
    }
    for (int i = 0; i < 6; i++) {
      if (p->target >= 0 && i != p->target) {
        continue;
      }
      char f[4400];
      snprintf(f, sizeof f, "%s/%s", p->dir, files[i]);
      if (argo__fs_read_all(f, &p->bytes[i], &p->len[i]) != 0) {
        problem(p, "at the fault on %s, %s had not been published before", p->path, f);
        continue;
      }
      p->rows[i] = rows_of(p, f, files[i]);
      if (p->rows[i] < 0) {
        problem(p, "at the fault on %s, the published %s does not read", p->path, f);
      }
    }
    return;
  }
  /* The failing call has returned (its clean-up done): the published files are untouched. */
  p->after++;
  for (int i = 0; i < 6; i++) {
    if (!p->bytes[i]) {
      continue;
    }
    char f[4400], tmp[4400];
    snprintf(f, sizeof f, "%s/%s", p->dir, files[i]);
    char *now = NULL;
    size_t len = 0;
    if (argo__fs_read_all(f, &now, &len) != 0) {
      problem(p, "after the fault on %s, %s is gone", p->path, f);
      continue;
    }
    if (len != p->len[i] || memcmp(now, p->bytes[i], len) != 0) {
      problem(p, "after the fault on %s, %s changed (%zu bytes, was %zu)", p->path, f, len,
              p->len[i]);
    }
    free(now);
    int64_t rows = rows_of(p, f, files[i]);
    if (rows != p->rows[i]) {
      problem(p, "after the fault on %s, %s reads %lld rows, was %lld", p->path, f, (long long)rows,
              (long long)p->rows[i]);
    }
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", p->dir, files[i]);
    if (p->op != ARGO_IO_FSYNC || p->target >= 0) {
      if (argo__fs_exists(tmp)) {
        problem(p, "after the fault on %s, the temporary file %s was left behind", p->path, tmp);
      }
    }
  }
  /* What is not published yet is still in the journal. */
  char j[4400];
  snprintf(j, sizeof j, "%s/%s", p->dir, ARGO_JOURNAL_NAME);
  if (!argo__fs_exists(j)) {
    problem(p, "after the fault on %s, the journal %s is gone", p->path, j);
  }
}

static void probe_free(probe *p) {
  for (int i = 0; i < 6; i++) {
    free(p->bytes[i]);
  }
  tu_db_close(&p->db);
}

/* One transient fault (a single failing call) at the nth matching call of op on the path that
 * ends with suffix, during a session from Oct 1 23:00 to Oct 2 00:59 (two days). */
static void one_fault(argo__io_op op, const char *suffix, long nth, int errnum) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("faults"));
  fprintf(stderr, "  fault: op %d, nth %ld call on ...%s: %s\n", (int)op, nth, suffix,
          strerror(errnum));
  tu_db db;
  setup_db(&db);
  seen s = {.db = &db};
  probe p;
  memset(&p, 0, sizeof p);
  tu_db_open(&p.db);
  argo__io_fault_observe(observe, &p);
  argo__io_fault_set_path(op, suffix, nth, 1, errnum);
  argo_err rc = run_session(&s, "2025-10-01T23:00:00Z", "120");
  argo__io_fault_set_path(op, NULL, 0, 0, 0);
  argo__io_fault_observe(NULL, NULL);
  CHECK_MSG(rc == ARGO_OK, "the session failed on a transient fault: %s", s.first_error);
  CHECK_MSG(p.fired == 1, "the fault fired %d times", p.fired);
  CHECK_MSG(p.after == 1, "the failing call was never followed by another (%d)", p.after);
  CHECK_MSG(!p.problem[0], "%s", p.problem);
  /* Reported with the path and the reason. */
  CHECK_MSG(strstr(s.errors_text, p.path) != NULL && strstr(s.errors_text, strerror(errnum)),
            "no error names '%s' (%s); errors:\n%s", p.path, strerror(errnum), s.errors_text);
  /* Retried: everything acknowledged is published, every day finished, no journal left. */
  CHECK(s.fills > 20);
  CHECK_EQ_INT(0, missing(&db));
  CHECK_EQ_INT(2 * 5, all_files_open(&db));
  CHECK_EQ_INT(2, stats_status_all("finished"));
  CHECK_EQ_INT(0, journals_left());
  probe_free(&p);
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(faults_at_each_publish_step_keep_the_published_file_and_lose_nothing) {
  for (int i = 0; i < 6; i++) {
    char tmp[256], final_name[256];
    snprintf(tmp, sizeof tmp, "/2025-10-01/run_1/.%s.tmp", files[i]);
    snprintf(final_name, sizeof final_name, "/2025-10-01/run_1/%s", files[i]);
    /* The third publication of the file on the first day: two versions were published. */
    one_fault(ARGO_IO_WRITE, tmp, 3, ENOSPC);
    one_fault(ARGO_IO_FSYNC, tmp, 3, EIO);
    one_fault(ARGO_IO_RENAME, final_name, 3, EACCES);
  }
  /* The folder: the first fsync is the journal's creation; the later ones are publications. */
  one_fault(ARGO_IO_FSYNC, "/2025-10-01/run_1", 4, EIO);
}

/* A session in a child process that is killed at the nth call of op on the path ending with
 * suffix (the call that would fail is where it dies). */
static void crash_at(argo__io_op op, const char *suffix, long nth) {
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    seen s = {0};
    tu_die_at(op, suffix, nth);
    run_session(&s, "2025-10-01T12:00:00Z", "600");
    _exit(3); /* not killed */
  }
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
            "the session was not killed at the call on ...%s (status %d)", suffix, status);
}

/* Killed while the first day's files are written (by the engine thread, at its start): at each
 * of them, and right after its stats.yaml says "running". Recovery finalizes the folder: no
 * temporary file is left, every file opens, and stats.yaml says crashed_recovered (the
 * journal's first record is durable before the first file is written). */
TEST(faults_a_crash_while_the_first_files_are_written_is_recovered) {
  for (int i = 0; i < 7; i++) {
    snprintf(out, sizeof out, "%s", tu_tmpdir("faults-first"));
    char suffix[256];
    if (i < 6) {
      snprintf(suffix, sizeof suffix, "/2025-10-01/run_1/.%s.tmp", files[i]);
      crash_at(ARGO_IO_WRITE, suffix, 1);
    } else {
      /* The folder's fsync after its stats.yaml (the first is the journal's creation). */
      snprintf(suffix, sizeof suffix, "/2025-10-01/run_1");
      crash_at(ARGO_IO_FSYNC, suffix, 2);
    }
    int n = 0;
    CHECK(argo_recover(out, NULL, NULL, &n) == ARGO_OK);
    CHECK_EQ_INT(0, journals_left());
    char tmp[4400];
    for (int k = 0; k < 6; k++) {
      snprintf(tmp, sizeof tmp, "%s/2025-10-01/run_1/.%s.tmp", out, files[k]);
      CHECK_MSG(!argo__fs_exists(tmp), "killed at ...%s: %s is left", suffix, tmp);
    }
    tu_db db;
    tu_db_open(&db);
    CHECK_MSG(all_files_open(&db) == 5, "killed at ...%s: not every file opens", suffix);
    tu_db_close(&db);
    CHECK_MSG(stats_status_all("crashed_recovered") == 1,
              "killed at ...%s: stats.yaml is not crashed_recovered", suffix);
    tu_rm_rf(out);
  }
}

/* Killed in the middle of a publication that extends a day's file (persist/dayfile.h): while
 * the other inode is written (the bytes it lacks, the new segment, the footer), at its fsync, at
 * its rename over the published file. The child writes each acknowledgement to a file as it
 * gets it; recovery publishes every acknowledged fill and order, every file opens, and neither
 * the hidden inodes nor the segment files are left. */
TEST(faults_a_crash_while_a_publication_extends_a_file_is_recovered) {
  static const struct {
    argo__io_op op;
    const char *file;
    long nth;
  } at[] = {{ARGO_IO_WRITE, "/.market_data.parquet.tmp", 9},
            {ARGO_IO_WRITE, "/.market_data.parquet.tmp", 16},
            {ARGO_IO_FSYNC, "/.market_data.parquet.tmp", 6},
            {ARGO_IO_RENAME, "/market_data.parquet", 7},
            {ARGO_IO_WRITE, "/.orders.parquet.tmp", 12},
            {ARGO_IO_WRITE, "/.trades.parquet.tmp", 10}};
  for (size_t i = 0; i < ARGO_ARRAY_LEN(at); i++) {
    snprintf(out, sizeof out, "%s", tu_tmpdir("faults-extend"));
    char acks[4400], suffix[256];
    snprintf(acks, sizeof acks, "%s/acks.csv", out);
    snprintf(suffix, sizeof suffix, "/2025-10-01/run_1%s", at[i].file);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
      seen s = {.ack_fd = open(acks, O_WRONLY | O_CREAT | O_APPEND, 0644)};
      CHECK(s.ack_fd > 0);
      tu_die_at(at[i].op, suffix, at[i].nth);
      run_session(&s, "2025-10-01T12:00:00Z", "600");
      _exit(3); /* not killed */
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
              "the session was not killed at the call %ld on ...%s (status %d)", at[i].nth, suffix,
              status);
    int n = 0;
    CHECK(argo_recover(out, NULL, NULL, &n) == ARGO_OK);
    CHECK_EQ_INT(1, n);
    tu_db db;
    setup_db(&db);
    char sql[9000];
    snprintf(sql, sizeof sql,
             "INSERT INTO acked SELECT column1, column2, column3, column4 FROM read_csv(%s, "
             "header = false, columns = {'column0': 'VARCHAR', 'column1': 'VARCHAR', "
             "'column2': 'DOUBLE', 'column3': 'DOUBLE', 'column4': 'DOUBLE'}, null_padding = "
             "true) WHERE column0 = 'F'; INSERT INTO acked_orders SELECT column1 FROM "
             "read_csv(%s, header = false, columns = {'column0': 'VARCHAR', 'column1': "
             "'VARCHAR', 'column2': 'DOUBLE', 'column3': 'DOUBLE', 'column4': 'DOUBLE'}) "
             "WHERE column0 = 'O'",
             tu_sql_str(acks), tu_sql_str(acks));
    exec_or_fail(&db, sql);
    int64_t acked = tu_q_int(&db, "SELECT (SELECT count(*) FROM acked) + (SELECT count(*) FROM "
                                  "acked_orders)");
    CHECK_MSG(acked > 0, "killed at ...%s: nothing was acknowledged", suffix);
    CHECK_EQ_INT(0, missing(&db));
    CHECK_EQ_INT(5, all_files_open(&db));
    CHECK_EQ_INT(1, stats_status_all("crashed_recovered"));
    for (int k = 0; k < 5; k++) {
      static const char *const hidden[] = {"0", "1", "seg"};
      for (int h = 0; h < 3; h++) {
        char p[4400];
        snprintf(p, sizeof p, "%s/2025-10-01/run_1/.%s.%s.tmp", out, files[k], hidden[h]);
        CHECK_MSG(!argo__fs_exists(p), "killed at ...%s: %s is left", suffix, p);
      }
    }
    tu_db_close(&db);
    tu_rm_rf(out);
  }
}

/* A disk that stays broken from the nth call of op on: the session stops cleanly with an error
 * naming the path, the files published before still read, the journal is kept, and recovery
 * (once the disk works) restores everything acknowledged. */
static void broken_disk(argo__io_op op, long nth, int errnum) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("faults-perm"));
  tu_db db;
  setup_db(&db);
  seen s = {.db = &db};
  argo__io_fault_set(op, nth, -1, errnum);
  argo_err rc = run_session(&s, "2025-10-01T00:00:00Z", "100000");
  argo__io_fault_set(op, 0, 0, 0);
  CHECK_MSG(rc != ARGO_OK, "the session went on with a broken disk");
  CHECK_EQ_INT(1, s.stop_called);
  CHECK_EQ_INT(rc, s.stop_status);
  CHECK_MSG(strstr(s.errors_text, strerror(errnum)) && strstr(s.errors_text, out),
            "no error names a path under %s with '%s':\n%s", out, strerror(errnum), s.errors_text);
  CHECK(s.fills > 0);
  /* The files published before the fault are intact and readable. */
  CHECK(all_files_open(&db) >= 5);
  /* The journal of each day that could not be finalized is kept (one, unless the session
   * reached a day change before it gave up). */
  int journals = journals_left();
  CHECK_MSG(journals >= 1, "%d journals left", journals);
  if (journals > 1) {
    fprintf(stderr, "  note: the session crossed %d days before stopping\n", journals);
  }
  /* The journal holds what could not be published: recovery brings it back. */
  int n = 0;
  CHECK(argo_recover(out, NULL, NULL, &n) == ARGO_OK);
  CHECK_EQ_INT(journals, n);
  CHECK_EQ_INT(0, journals_left());
  CHECK_EQ_INT(journals, stats_status_all2("crashed_recovered", "finished"));
  CHECK_EQ_INT(0, missing(&db));
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(faults_a_disk_that_stays_broken_stops_the_session_and_loses_nothing) {
  broken_disk(ARGO_IO_WRITE, 30, ENOSPC);
  broken_disk(ARGO_IO_FSYNC, 30, EIO);
  broken_disk(ARGO_IO_RENAME, 30, ENOSPC);
}

/* The journal stops writing (or fsyncing): the session stops, and every acknowledgement it
 * sent was for a row already in the journal file on disk when the callback ran. */
static void broken_journal(argo__io_op op) {
  snprintf(out, sizeof out, "%s", tu_tmpdir("faults-journal"));
  tu_db db;
  setup_db(&db);
  seen s = {.db = &db, .check_journal = op == ARGO_IO_JOURNAL_WRITE};
  argo__io_fault_set(op, 20, -1, EIO);
  /* One day (at most 1440 one-minute candles), so that the acknowledged rows stay in the
   * journal of the day they belong to. */
  argo_err rc = run_session(&s, "2025-10-01T00:00:00Z", "1400");
  argo__io_fault_set(op, 0, 0, 0);
  CHECK_MSG(rc != ARGO_OK, "the session went on without a journal");
  CHECK_CONTAINS(s.first_error, "journal");
  CHECK_MSG(s.fills > 0 && s.orders > 0, "nothing was acknowledged before the fault (%d, %d)",
            s.fills, s.orders);
  CHECK_MSG(s.unjournaled == 0, "%d acknowledgements for rows not in the journal, first: %s",
            s.unjournaled, s.unjournaled_what);
  int n = 0;
  CHECK(argo_recover(out, NULL, NULL, &n) == ARGO_OK);
  CHECK_EQ_INT(1, n);
  CHECK_EQ_INT(0, missing(&db));
  CHECK_EQ_INT(5, all_files_open(&db));
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(faults_a_failing_journal_stops_the_session_before_acknowledging) {
  broken_journal(ARGO_IO_JOURNAL_WRITE);
  broken_journal(ARGO_IO_JOURNAL_FSYNC);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(faults_a_crash_while_the_first_files_are_written_is_recovered);
  RUN(faults_at_each_publish_step_keep_the_published_file_and_lose_nothing);
  RUN(faults_a_crash_while_a_publication_extends_a_file_is_recovered);
  RUN(faults_a_disk_that_stays_broken_stops_the_session_and_loses_nothing);
  RUN(faults_a_failing_journal_stops_the_session_before_acknowledging);
  return test_summary();
}
