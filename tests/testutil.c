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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

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
  const char *flags[60];
  int n = 0;
  va_list ap;
  va_start(ap, m);
  const char *a;
  while ((a = va_arg(ap, const char *)) != NULL && n < 59) {
    flags[n++] = a;
  }
  va_end(ap);
  flags[n] = NULL;
  tu_mock_startv(m, flags);
}

void tu_mock_startv(tu_mock *m, const char *const flags[]) {
  char *argv[64];
  int n = 0;
  argv[n++] = (char *)ARGO_MOCK_EXCHANGE;
  argv[n++] = "--lifetime";
  argv[n++] = "120";
  snprintf(m->api_key, sizeof m->api_key, "mock-api-key");
  snprintf(m->api_secret, sizeof m->api_secret, "mock-api-secret");
  for (int i = 0; flags[i] && n < 62; i++) {
    if (i > 0 && strcmp(flags[i - 1], "--api-key") == 0) {
      snprintf(m->api_key, sizeof m->api_key, "%s", flags[i]);
    } else if (i > 0 && strcmp(flags[i - 1], "--api-secret") == 0) {
      snprintf(m->api_secret, sizeof m->api_secret, "%s", flags[i]);
    }
    argv[n++] = (char *)flags[i];
  }
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

/* ---- the mock's trading side ------------------------------------------------------------- */

int64_t tu_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct grow {
  char *p;
  size_t n;
} grow;

static size_t grow_cb(char *data, size_t size, size_t nmemb, void *user) {
  grow *g = user;
  size_t len = size * nmemb;
  char *p = realloc(g->p, g->n + len + 1);
  if (!p) {
    return 0;
  }
  memcpy(p + g->n, data, len);
  g->n += len;
  p[g->n] = '\0';
  g->p = p;
  return len;
}

tu_http_resp tu_http(const char *method, const char *url, const char *body, const char *api_key) {
  tu_http_resp r = {0};
  grow b = {0}, h = {0};
  CURL *c = curl_easy_init();
  CHECK(c != NULL);
  struct curl_slist *hdrs = NULL;
  char kh[256];
  if (api_key) {
    snprintf(kh, sizeof kh, "X-MBX-APIKEY: %s", api_key);
    hdrs = curl_slist_append(hdrs, kh);
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow_cb);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, grow_cb);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  int64_t t0 = argo__mono_us();
  CURLcode rc = curl_easy_perform(c);
  r.ms = (argo__mono_us() - t0) / 1000;
  if (rc == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  }
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(c);
  r.body = b.p ? b.p : strdup("");
  r.headers = h.p ? h.p : strdup("");
  return r;
}

void tu_http_free(tu_http_resp *r) {
  free(r->body);
  free(r->headers);
  r->body = r->headers = NULL;
}

const char *tu_http_header(const tu_http_resp *r, const char *name) {
  static char value[512];
  size_t n = strlen(name);
  for (const char *l = r->headers; l && *l;) {
    const char *eol = strchr(l, '\n');
    size_t len = eol ? (size_t)(eol - l) : strlen(l);
    if (len > n && strncasecmp(l, name, n) == 0 && l[n] == ':') {
      const char *v = l + n + 1;
      while (*v == ' ') {
        v++;
      }
      size_t vl = len - (size_t)(v - l);
      while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == ' ')) {
        vl--;
      }
      snprintf(value, sizeof value, "%.*s", (int)vl, v);
      return value;
    }
    l = eol ? eol + 1 : NULL;
  }
  return NULL;
}

const char *tu_hmac_hex(const char *secret, const char *payload) {
  static char hex[3][2 * EVP_MAX_MD_SIZE + 1];
  static int next;
  char *out = hex[next++ % 3];
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  CHECK(HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)payload,
             strlen(payload), mac, &len) != NULL);
  for (unsigned i = 0; i < len; i++) {
    snprintf(out + 2 * i, 3, "%02x", mac[i]);
  }
  return out;
}

tu_http_resp tu_mock_signed(const tu_mock *m, const char *method, const char *path,
                            const char *params) {
  size_t cap = strlen(params) + 512;
  char *q = malloc(cap);
  char *url = malloc(cap + 256);
  CHECK(q && url);
  if (strstr(params, "timestamp=")) {
    snprintf(q, cap, "%s", params);
  } else {
    snprintf(q, cap, "%s%stimestamp=%lld", params, *params ? "&" : "", (long long)tu_wall_ms());
  }
  snprintf(url, cap + 256, "%s%s?%s&signature=%s", m->rest, path, q, tu_hmac_hex(m->api_secret, q));
  tu_http_resp r = tu_http(method, url, NULL, m->api_key);
  free(q);
  free(url);
  return r;
}

json_t *tu_mock_ledger(const char *path, const char *ev, const char *cid) {
  char *text = tu_read_file(path);
  CHECK_MSG(text != NULL, "no ledger at %s", path);
  json_t *out = json_array();
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    json_t *j = json_loads(line, 0, NULL);
    if (!j) {
      json_decref(out);
      char copy[256];
      snprintf(copy, sizeof copy, "%s", line);
      free(text);
      TEST_FAIL_("%s: a line is not JSON: %s", path, copy);
    }
    const char *e = json_string_value(json_object_get(j, "ev"));
    const char *c = json_string_value(json_object_get(j, "clientOrderId"));
    if ((!ev || (e && strcmp(e, ev) == 0)) && (!cid || (c && strcmp(c, cid) == 0))) {
      json_array_append(out, j);
    }
    json_decref(j);
  }
  free(text);
  return out;
}

/* ---- a minimal WebSocket client ---------------------------------------------------------- */

static int ws_fill(tu_ws *w, int timeout_ms) {
  struct pollfd p = {.fd = w->fd, .events = POLLIN};
  int r = poll(&p, 1, timeout_ms);
  if (r <= 0) {
    return r; /* 0: timeout */
  }
  if (w->len + 65536 > w->cap) {
    w->cap = (w->len + 65536) * 2;
    w->buf = realloc(w->buf, w->cap);
    CHECK(w->buf != NULL);
  }
  ssize_t n = read(w->fd, w->buf + w->len, 65536);
  if (n <= 0) {
    w->closed = 1;
    return -1;
  }
  w->len += (size_t)n;
  return 1;
}

static int ws_send_frame(tu_ws *w, int opcode, const void *data, size_t len) {
  unsigned char hdr[14];
  size_t h = 0;
  hdr[h++] = (unsigned char)(0x80 | opcode);
  if (len < 126) {
    hdr[h++] = (unsigned char)(0x80 | len);
  } else if (len < 65536) {
    hdr[h++] = 0x80 | 126;
    hdr[h++] = (unsigned char)(len >> 8);
    hdr[h++] = (unsigned char)len;
  } else {
    hdr[h++] = 0x80 | 127;
    for (int i = 7; i >= 0; i--) {
      hdr[h++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
  }
  static const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  memcpy(hdr + h, mask, 4);
  h += 4;
  unsigned char *frame = malloc(h + len);
  CHECK(frame != NULL);
  memcpy(frame, hdr, h);
  for (size_t i = 0; i < len; i++) {
    frame[h + i] = ((const unsigned char *)data)[i] ^ mask[i % 4];
  }
  size_t off = 0;
  while (off < h + len) {
    ssize_t n = write(w->fd, frame + off, h + len - off);
    if (n <= 0) {
      free(frame);
      return -1;
    }
    off += (size_t)n;
  }
  free(frame);
  return 0;
}

tu_ws *tu_ws_open(int port, const char *path) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return NULL;
  }
  char req[1024];
  int n = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n",
                   path, port);
  if (write(fd, req, (size_t)n) != n) {
    close(fd);
    return NULL;
  }
  tu_ws *w = calloc(1, sizeof *w);
  CHECK(w != NULL);
  w->fd = fd;
  int64_t deadline = argo__mono_us() + 5000000;
  char *end = NULL;
  while (!end) {
    int left = (int)((deadline - argo__mono_us()) / 1000);
    if (left <= 0 || ws_fill(w, left) <= 0) {
      tu_ws_close(w);
      return NULL;
    }
    end = memmem(w->buf, w->len, "\r\n\r\n", 4);
  }
  if (w->len < 12 || memcmp(w->buf + 9, "101", 3) != 0) {
    tu_ws_close(w);
    return NULL;
  }
  size_t used = (size_t)(end - (char *)w->buf) + 4;
  memmove(w->buf, w->buf + used, w->len - used);
  w->len -= used;
  return w;
}

int tu_ws_send(tu_ws *w, const char *text) {
  return ws_send_frame(w, 1, text, strlen(text));
}

char *tu_ws_recv(tu_ws *w, int timeout_ms) {
  int64_t deadline = argo__mono_us() + (int64_t)timeout_ms * 1000;
  char *msg = NULL;
  size_t msg_len = 0;
  for (;;) {
    /* A whole frame in the buffer? */
    if (w->len >= 2) {
      size_t h = 2;
      uint64_t len = w->buf[1] & 0x7f;
      if (len == 126 && w->len >= 4) {
        len = ((uint64_t)w->buf[2] << 8) | w->buf[3];
        h = 4;
      } else if (len == 127 && w->len >= 10) {
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | w->buf[2 + i];
        }
        h = 10;
      } else if (len >= 126) {
        h = 0; /* the length is not all there yet */
      }
      if (h && w->len >= h + len) {
        int fin = w->buf[0] & 0x80, op = w->buf[0] & 0x0f;
        unsigned char *payload = w->buf + h;
        if (op == 8) {
          w->closed = 1;
          free(msg);
          return NULL;
        }
        if (op == 9) {
          ws_send_frame(w, 10, payload, (size_t)len);
        } else if (op == 1 || op == 0) {
          msg = realloc(msg, msg_len + len + 1);
          CHECK(msg != NULL);
          memcpy(msg + msg_len, payload, (size_t)len);
          msg_len += (size_t)len;
          msg[msg_len] = '\0';
        }
        memmove(w->buf, w->buf + h + len, w->len - h - (size_t)len);
        w->len -= h + (size_t)len;
        if ((op == 1 || op == 0) && fin) {
          return msg;
        }
        continue;
      }
    }
    if (w->closed) {
      free(msg);
      return NULL;
    }
    int left = (int)((deadline - argo__mono_us()) / 1000);
    if (left <= 0 || ws_fill(w, left) <= 0) {
      free(msg);
      return NULL;
    }
  }
}

void tu_ws_close(tu_ws *w) {
  if (!w) {
    return;
  }
  close(w->fd);
  free(w->buf);
  free(w);
}
