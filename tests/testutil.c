/* Test helpers; see testutil.h. */
#define _GNU_SOURCE /* nftw, pipe2 */
#include "testutil.h"

#include <errno.h>
#include <sys/prctl.h>
#include <signal.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "persist/store.h"
#include "test.h"
#include "util/fsx.h"
#include "util/util.h"

const char *tu_tmpdir(const char *tag) {
  static char path[4096];
  const char *base = getenv("TMPDIR");
  if (!base || !*base) {
    base = "/tmp";
  }
  snprintf(path, sizeof path, "%s/argo-%s-XXXXXX", base, tag);
  if (!mkdtemp(path)) {
    TEST_FAIL_("mkdtemp(%s): %s", path, strerror(errno));
  }
  return path;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)st;
  (void)f;
  /* Never through a symbolic link: chmod follows it, and a test's link to /dev/null made
   * /dev/null 0700 for everyone. */
  if (flag != FTW_SL && flag != FTW_SLN) {
    chmod(p, 0700);
  }
  return remove(p);
}

void tu_rm_rf(const char *path) {
  /* Restore permissions top-down first so that a test that made a folder read-only can still
   * clean up. */
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null", path);
  if (system(cmd) < 0) {
    /* best effort */
  }
  nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *grep_needle;
static char grep_found[4096];

static int grep_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)ftw;
  if (flag != FTW_F || !S_ISREG(st->st_mode)) {
    return 0;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    return 0;
  }
  size_t n = strlen(grep_needle), cap = (size_t)st->st_size + 1, len;
  char *buf = malloc(cap);
  len = buf ? fread(buf, 1, cap - 1, f) : 0;
  fclose(f);
  int hit = buf && n && len >= n && memmem(buf, len, grep_needle, n) != NULL;
  free(buf);
  if (hit) {
    snprintf(grep_found, sizeof grep_found, "%s", path);
    return 1;
  }
  return 0;
}

const char *tu_file_containing(const char *dir, const char *needle) {
  grep_needle = needle;
  grep_found[0] = '\0';
  return nftw(dir, grep_cb, 16, FTW_PHYS) == 1 ? grep_found : NULL;
}

void tu_write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) {
    TEST_FAIL_("cannot write %s: %s", path, strerror(errno));
  }
  fputs(text, f);
  fclose(f);
}

char *tu_read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t r;
  while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += r;
    if (n + 1 >= cap) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
  }
  fclose(f);
  buf[n] = '\0';
  return buf;
}

static void slurp_two(int fo, int fe, char **out, char **err) {
  size_t cap[2] = {4096, 4096}, len[2] = {0, 0};
  char *buf[2] = {malloc(cap[0]), malloc(cap[1])};
  struct pollfd p[2] = {{.fd = fo, .events = POLLIN}, {.fd = fe, .events = POLLIN}};
  int open_n = 2;
  while (open_n > 0) {
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        continue;
      }
      if (len[i] + 4096 + 1 > cap[i]) {
        cap[i] = (len[i] + 4096 + 1) * 2;
        buf[i] = realloc(buf[i], cap[i]);
      }
      ssize_t r = read(p[i].fd, buf[i] + len[i], 4096);
      if (r <= 0) {
        close(p[i].fd);
        p[i].fd = -1;
        open_n--;
      } else {
        len[i] += (size_t)r;
      }
    }
  }
  buf[0][len[0]] = '\0';
  buf[1][len[1]] = '\0';
  if (out) {
    *out = buf[0];
  } else {
    free(buf[0]);
  }
  if (err) {
    *err = buf[1];
  } else {
    free(buf[1]);
  }
}

pid_t tu_spawn(char *const argv[], const char *stderr_path) {
  pid_t pid = fork();
  if (pid < 0) {
    TEST_FAIL_("fork: %s", strerror(errno));
  }
  if (pid == 0) {
    int nul = open("/dev/null", O_RDWR);
    int fd = stderr_path ? open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : nul;
    dup2(nul, 0);
    dup2(nul, 1);
    dup2(fd, 2);
    execv(argv[0], argv);
    _exit(127);
  }
  return pid;
}

int tu_reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

argo__stats_doc tu_read_stats(const char *path) {
  char *text = tu_read_file(path);
  CHECK_MSG(text != NULL, "missing %s", path);
  argo__stats_doc doc;
  char err[512];
  argo_err rc = argo__stats_yaml_parse(text, &doc, err, sizeof err);
  free(text);
  CHECK_MSG(rc == ARGO_OK, "%s: %s", path, err);
  return doc;
}

int tu_count_lines(const char *s) {
  int n = 0;
  for (; s && *s; s++) {
    n += *s == '\n';
  }
  return n;
}

void tu_check_refused(const char *want, const char *want2, char *const args[]) {
  char *argv[64];
  int n = 0;
  argv[n++] = ARGO_BIN;
  for (int i = 0; args[i] && n < 63; i++) {
    argv[n++] = args[i];
  }
  argv[n] = NULL;
  char *o = NULL, *e = NULL;
  int rc = tu_run(argv, &o, &e);
  CHECK_MSG(rc == 2, "argo %s: exit %d (want 2), stderr: %s", args[0], rc, e);
  CHECK_CONTAINS(e, want);
  if (want2) {
    CHECK_CONTAINS(e, want2);
  }
  CHECK_MSG(tu_count_lines(e) == 1, "expected one line on stderr, got: %s", e);
  CHECK_MSG(!o || o[0] == '\0', "expected nothing on stdout, got: %s", o);
  free(o);
  free(e);
}

int tu_run(char *const argv[], char **out, char **err) {
  int po[2], pe[2];
  if (pipe(po) || pipe(pe)) {
    TEST_FAIL_("pipe: %s", strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    TEST_FAIL_("fork: %s", strerror(errno));
  }
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(po[1], 1);
    dup2(pe[1], 2);
    close(po[0]);
    close(pe[0]);
    execv(argv[0], argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(po[1]);
  close(pe[1]);
  slurp_two(po[0], pe[0], out, err);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}

int tu_argo(char **out, char **err, ...) {
  char *argv[128];
  int n = 0;
  argv[n++] = (char *)ARGO_BIN;
  va_list ap;
  va_start(ap, err);
  char *a;
  while ((a = va_arg(ap, char *)) != NULL && n < 127) {
    argv[n++] = a;
  }
  va_end(ap);
  argv[n] = NULL;
  return tu_run(argv, out, err);
}

void tu_db_open(tu_db *d) {
  if (duckdb_open(NULL, &d->db) != DuckDBSuccess ||
      duckdb_connect(d->db, &d->con) != DuckDBSuccess) {
    TEST_FAIL_("cannot open DuckDB");
  }
}

void tu_db_close(tu_db *d) {
  duckdb_disconnect(&d->con);
  duckdb_close(&d->db);
}

static void q(tu_db *d, const char *sql, duckdb_result *r) {
  if (duckdb_query(d->con, sql, r) != DuckDBSuccess) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", duckdb_result_error(r));
    duckdb_destroy_result(r);
    TEST_FAIL_("query failed: %s\n  SQL: %s", msg, sql);
  }
  if (duckdb_row_count(r) < 1) {
    duckdb_destroy_result(r);
    TEST_FAIL_("query returned no rows: %s", sql);
  }
}

int64_t tu_q_int(tu_db *d, const char *sql) {
  duckdb_result r;
  q(d, sql, &r);
  int64_t v = duckdb_value_int64(&r, 0, 0);
  duckdb_destroy_result(&r);
  return v;
}

double tu_q_double(tu_db *d, const char *sql) {
  duckdb_result r;
  q(d, sql, &r);
  double v = duckdb_value_double(&r, 0, 0);
  duckdb_destroy_result(&r);
  return v;
}

char *tu_q_str(tu_db *d, const char *sql) {
  duckdb_result r;
  q(d, sql, &r);
  char *v = duckdb_value_varchar(&r, 0, 0);
  char *s = strdup(v ? v : "");
  duckdb_free(v);
  duckdb_destroy_result(&r);
  return s;
}

int tu_exec(tu_db *d, const char *sql, char *err, size_t errlen) {
  duckdb_result r;
  int rc = 0;
  if (duckdb_query(d->con, sql, &r) != DuckDBSuccess) {
    snprintf(err, errlen, "%s", duckdb_result_error(&r));
    rc = -1;
  }
  duckdb_destroy_result(&r);
  return rc;
}

const char *tu_sql_str(const char *text) {
  static char buf[3][8400];
  static int next;
  char *b = buf[next++ % 3];
  if (argo__sql_quote(text, b, sizeof buf[0]) != 0) {
    TEST_FAIL_("text too long to quote: %.80s...", text);
  }
  return b;
}

/* docs/design.md section 4, by hand: names, order and types (TEXT is DuckDB's VARCHAR). */
static const struct {
  const char *file;
  const char *cols; /* "name TYPE, ..." as DuckDB's DESCRIBE says it */
  int ncols;
} design_schemas[] = {
    {"orders.parquet",
     "order_id VARCHAR, symbol VARCHAR, side VARCHAR, order_type VARCHAR, quantity DOUBLE, "
     "price DOUBLE, timestamp TIMESTAMP WITH TIME ZONE, status VARCHAR, strategy_name VARCHAR, "
     "position_type VARCHAR",
     10},
    {"trades.parquet",
     "order_id VARCHAR, symbol VARCHAR, side VARCHAR, quantity DOUBLE, price DOUBLE, "
     "timestamp TIMESTAMP WITH TIME ZONE, executed_at TIMESTAMP WITH TIME ZONE, executed_qty "
     "DOUBLE, executed_price DOUBLE, "
     "commission DOUBLE, pnl DOUBLE, position_type VARCHAR",
     12},
    {"market_data.parquet",
     "time TIMESTAMP WITH TIME ZONE, symbol VARCHAR, open DOUBLE, high DOUBLE, low DOUBLE, close "
     "DOUBLE, "
     "volume DOUBLE",
     7},
    {"marks.parquet",
     "id BIGINT, time TIMESTAMP WITH TIME ZONE, symbol VARCHAR, color VARCHAR, shape VARCHAR, "
     "level VARCHAR, "
     "title VARCHAR, message VARCHAR, category VARCHAR, signal_type VARCHAR",
     10},
    {"logs.parquet",
     "id BIGINT, timestamp TIMESTAMP WITH TIME ZONE, symbol VARCHAR, level VARCHAR, message "
     "VARCHAR, "
     "fields VARCHAR",
     6},
};

void tu_check_design_schema(tu_db *d, const char *path, const char *file) {
  for (size_t i = 0; i < sizeof design_schemas / sizeof design_schemas[0]; i++) {
    if (strcmp(design_schemas[i].file, file) != 0) {
      continue;
    }
    char sql[9000];
    snprintf(sql, sizeof sql,
             "SELECT string_agg(column_name || ' ' || column_type, ', ' ORDER BY n) FROM (SELECT "
             "row_number() OVER () AS n, * FROM (DESCRIBE SELECT * FROM read_parquet(%s))) "
             "WHERE n <= %d",
             tu_sql_str(path), design_schemas[i].ncols);
    char *got = tu_q_str(d, sql);
    int same = strcmp(got, design_schemas[i].cols) == 0;
    if (!same) {
      char msg[2048];
      snprintf(msg, sizeof msg, "%s", got);
      free(got);
      TEST_FAIL_("%s: the first columns are\n  %s\nwant (docs/design.md section 4)\n  %s", path,
                 msg, design_schemas[i].cols);
    }
    free(got);
    /* Every time column is an instant (docs/files.md): Parquet says isAdjustedToUTC=true, so
     * that Arrow, Polars or a DuckDB in another time zone read the same instants. */
    snprintf(sql, sizeof sql,
             "SELECT coalesce(string_agg(name, ', '), '') FROM parquet_schema(%s) WHERE "
             "logical_type LIKE 'TimestampType%%' AND logical_type NOT LIKE "
             "'%%isAdjustedToUTC=1%%'",
             tu_sql_str(path));
    char *naive = tu_q_str(d, sql);
    int ok = naive[0] == '\0';
    if (!ok) {
      char msg[512];
      snprintf(msg, sizeof msg, "%s", naive);
      free(naive);
      TEST_FAIL_("%s: time columns written without isAdjustedToUTC=true: %s", path, msg);
    }
    free(naive);
    return;
  }
  TEST_FAIL_("no schema of docs/design.md section 4 for '%s'", file);
}

/* Starts the mock with the given flags (NULL-terminated) and reads its port. */
void tu_mock_start(tu_mock *m, ...) {
  char *argv[64];
  int n = 0;
  argv[n++] = (char *)ARGO_MOCK_EXCHANGE;
  argv[n++] = "--lifetime";
  argv[n++] = "120";
  va_list ap;
  va_start(ap, m);
  const char *a;
  while ((a = va_arg(ap, const char *)) != NULL && n < 62) {
    argv[n++] = (char *)a;
  }
  va_end(ap);
  argv[n] = NULL;
  int fds[2];
  CHECK(pipe2(fds, O_CLOEXEC) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a test that crashed */
    dup2(fds[1], 1);
    execv(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  char line[32];
  size_t got = 0;
  int64_t deadline = argo__mono_us() + 10 * INT64_C(1000000);
  while (got < sizeof line - 1 && !memchr(line, '\n', got)) {
    struct pollfd p = {.fd = fds[0], .events = POLLIN};
    int64_t left = deadline - argo__mono_us();
    CHECK_MSG(left > 0 && poll(&p, 1, (int)(left / 1000)) == 1, "mock_exchange did not start");
    ssize_t r = read(fds[0], line + got, sizeof line - 1 - got);
    CHECK_MSG(r > 0, "mock_exchange exited before printing its port");
    got += (size_t)r;
  }
  close(fds[0]);
  line[got] = '\0';
  m->pid = pid;
  m->port = atoi(line);
  CHECK_MSG(m->port > 0, "mock_exchange printed '%s'", line);
  snprintf(m->ws, sizeof m->ws, "ws://127.0.0.1:%d", m->port);
  snprintf(m->rest, sizeof m->rest, "http://127.0.0.1:%d", m->port);
}

void tu_mock_stop(tu_mock *m) {
  if (m->pid <= 0) {
    return;
  }
  kill(m->pid, SIGTERM);
  for (int i = 0; i < 500; i++) {
    if (waitpid(m->pid, NULL, WNOHANG) == m->pid) {
      m->pid = 0;
      return;
    }
    usleep(10000);
  }
  kill(m->pid, SIGKILL);
  waitpid(m->pid, NULL, 0);
  m->pid = 0;
}

int64_t tu_mock_start_ms(void) {
  int64_t day = argo__wall_us() / 1000000 / 86400;
  return ((day - 1) * 86400 + 43200) * 1000;
}

static void die_here(void *user, argo__io_op op, const char *path, int errnum, int after) {
  (void)user;
  (void)op;
  (void)path;
  (void)errnum;
  if (!after) {
    raise(SIGKILL);
  }
}

void tu_die_at(argo__io_op op, const char *suffix, long nth) {
  argo__io_fault_observe(die_here, NULL);
  argo__io_fault_set_path(op, suffix, nth, 1, EIO);
}
