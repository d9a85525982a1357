/*
 * End to end: what `argo run` shows while it runs, and what the inspecting commands say about
 * sessions that are not simply finished. Each test records its own sessions with the real
 * binary:
 *   - a session killed with SIGKILL shows as crashed (with a hint) in sessions, stats and the
 *     stats view of query, a live one beside it as running, and after `argo recover` the killed
 *     one as crashed_recovered, while the live one goes on undisturbed;
 *   - a folder whose stats.yaml is damaged is named in the messages, and its Parquet rows are
 *     still queried (session_id NULL);
 *   - sessions cuts a long symbol list in the table, not in --json;
 *   - the live status line on a pseudo-terminal (rewritten in place, its fields, its rate, the
 *     terminal width), plain lines when stderr is a pipe, nothing with --quiet, and the prefetch
 *     progress bar against the mock exchange;
 *   - --events: the fields of every event type, a write failure (/dev/full) stops the session
 *     cleanly with exit 1, a run refused before it starts leaves no file, a link is written at
 *     its target and a folder, a named pipe or a device is refused.
 */
#define _GNU_SOURCE /* forkpty */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include <argo/argo.h>

#include "persist/stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"
#include "util/util.h"

#define SECOND INT64_C(1000000)

static char root[4096];

/* A fresh folder under this run's root. */
static void subdir(char *out, size_t len, const char *name) {
  snprintf(out, len, "%s/%s", root, name);
  char err[256];
  CHECK_MSG(argo__fs_mkdir_p(out, 0755, err, sizeof err) == 0, "%s", err);
}

/* Starts ARGO_BIN with args (NULL-terminated, without argv[0]) in the background, stderr into
 * errp. */
static pid_t spawn(const char *errp, char *const args[]) {
  char *argv[64];
  int n = 0;
  argv[n++] = ARGO_BIN;
  for (int i = 0; args[i] && n < 63; i++) {
    argv[n++] = args[i];
  }
  argv[n] = NULL;
  return tu_spawn(argv, errp);
}

static json_t *parse_json(const char *what, const char *text) {
  json_error_t je;
  json_t *j = json_loads(text, 0, &je);
  CHECK_MSG(j != NULL, "%s: not JSON (%s at line %d): %s", what, je.text, je.line, text);
  return j;
}

/* `argo sessions --json` of dir, parsed (an empty array while nothing is recorded yet). */
static json_t *sessions_json(const char *dir) {
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "sessions", "--json", "--data-output", dir, NULL);
  json_t *j = NULL;
  if (rc == 0) {
    j = parse_json("sessions --json", o);
  } else {
    CHECK_MSG(strstr(e, "no sessions recorded") != NULL, "sessions --json: exit %d: %s", rc, e);
    j = json_array();
  }
  free(o);
  free(e);
  return j;
}

/* The entry of date/run in a sessions --json array, or NULL. */
static json_t *entry_of(json_t *arr, const char *date, const char *run) {
  for (size_t i = 0; i < json_array_size(arr); i++) {
    json_t *o = json_array_get(arr, i);
    if (strcmp(json_string_value(json_object_get(o, "date")), date) == 0 &&
        strcmp(json_string_value(json_object_get(o, "run")), run) == 0) {
      return o;
    }
  }
  return NULL;
}

static const char *jstr(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  CHECK_MSG(json_is_string(v), "no text '%s'", key);
  return json_string_value(v);
}

/* Polls `argo sessions --json` until date/run shows status want (bounded). */
static void wait_status(const char *dir, const char *date, const char *run, const char *want) {
  int64_t deadline = argo__mono_us() + 60 * SECOND;
  for (;;) {
    json_t *j = sessions_json(dir);
    json_t *o = entry_of(j, date, run);
    int ok = o && strcmp(jstr(o, "status"), want) == 0;
    json_decref(j);
    if (ok) {
      return;
    }
    CHECK_MSG(argo__mono_us() < deadline, "%s/%s never showed status %s", date, run, want);
    usleep(50000);
  }
}

static argo__stats_doc read_stats(const char *dir, const char *folder) {
  char p[8192];
  snprintf(p, sizeof p, "%s/%s/stats.yaml", dir, folder);
  return tu_read_stats(p);
}

/* ---- crashed sessions ---------------------------------------------------------------------- */

TEST(e2e_cli_a_killed_session_shows_crashed_until_recovered_and_a_live_one_running) {
  char dir[4200], e1[4300], e2[4300], e3[4300];
  subdir(dir, sizeof dir, "crash");
  snprintf(e1, sizeof e1, "%s/s1.stderr", root);
  snprintf(e2, sizeof e2, "%s/s2.stderr", root);
  snprintf(e3, sizeof e3, "%s/s3.stderr", root);
  /* Three sessions of 1-second candles at 20 times real time: hours of candles, so each runs
   * until it is stopped. run_1 and run_3 are killed; run_3 records without a journal. */
  char *slow[] = {"run",           "--interval", "1s",      "--bars", "100000", "--speed", "20",
                  "--data-output", dir,          "--quiet", NULL,     NULL,     NULL};
  pid_t s1 = spawn(e1, slow);
  wait_status(dir, "2025-10-01", "run_1", "running");
  pid_t s2 = spawn(e2, slow);
  wait_status(dir, "2025-10-01", "run_2", "running");
  slow[9] = "--set";
  slow[10] = "engine.journal=false";
  pid_t s3 = spawn(e3, slow);
  wait_status(dir, "2025-10-01", "run_3", "running");
  kill(s1, SIGKILL);
  kill(s3, SIGKILL);
  CHECK_EQ_INT(128 + SIGKILL, tu_reap(s1));
  CHECK_EQ_INT(128 + SIGKILL, tu_reap(s3));

  json_t *j = sessions_json(dir);
  json_t *c1 = entry_of(j, "2025-10-01", "run_1"), *c2 = entry_of(j, "2025-10-01", "run_2");
  json_t *c3 = entry_of(j, "2025-10-01", "run_3");
  CHECK(c1 && c2 && c3);
  CHECK_STR("crashed", jstr(c1, "status"));
  CHECK_STR("running", jstr(c1, "recorded_status"));
  CHECK(json_is_true(json_object_get(c1, "recoverable")));
  CHECK_CONTAINS(jstr(c1, "hint"), "argo recover");
  CHECK_STR("running", jstr(c2, "status"));
  CHECK(json_object_get(c2, "hint") == NULL);
  CHECK_STR("crashed", jstr(c3, "status"));
  CHECK(json_is_false(json_object_get(c3, "recoverable")));
  CHECK_CONTAINS(jstr(c3, "hint"), "no journal");
  json_decref(j);

  /* The table, with the hints on stderr. */
  char *o = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_argo(&o, &e, "sessions", "--data-output", dir, NULL));
  const char *r1 = strstr(o, "\n2025-10-01  run_1 "), *r2 = strstr(o, "\n2025-10-01  run_2 ");
  CHECK_MSG(r1 && r2, "no rows for run_1 and run_2: %s", o);
  CHECK_MSG(strstr(r1, " crashed ") && strstr(r1, " crashed ") < strchr(r1 + 1, '\n'),
            "run_1 is not crashed in the table: %s", o);
  CHECK_MSG(strstr(r2, " running ") && strstr(r2, " running ") < strchr(r2 + 1, '\n'),
            "run_2 is not running in the table: %s", o);
  CHECK_CONTAINS(e, "2025-10-01/run_1 crashed");
  CHECK_CONTAINS(e, "argo recover");
  free(o);
  free(e);
  /* argo stats, text and JSON. */
  CHECK_EQ_INT(0, tu_argo(&o, &e, "stats", "2025-10-01/run_1", "--data-output", dir, NULL));
  const char *st = strstr(o, "\nstatus ");
  CHECK_MSG(st && strstr(st, "crashed") && strstr(st, "crashed") < strchr(st + 1, '\n'),
            "stats does not say crashed: %s", o);
  CHECK_CONTAINS(o, "note      2025-10-01/run_1 crashed");
  free(o);
  free(e);
  CHECK_EQ_INT(0,
               tu_argo(&o, &e, "stats", "2025-10-01/run_1", "--json", "--data-output", dir, NULL));
  j = parse_json("stats --json", o);
  json_t *day = json_array_get(json_object_get(j, "days"), 0);
  CHECK_STR("crashed", jstr(day, "status"));
  CHECK_CONTAINS(jstr(day, "hint"), "argo recover");
  CHECK_STR("crashed", jstr(json_object_get(j, "session"), "status"));
  json_decref(j);
  free(o);
  free(e);
  /* The stats view of argo query says the same. */
  CHECK_EQ_INT(0, tu_argo(&o, &e, "query",
                          "SELECT run, status, recorded_status FROM stats ORDER BY run", "--format",
                          "csv", "--data-output", dir, NULL));
  CHECK_STR("run,status,recorded_status\nrun_1,crashed,running\nrun_2,running,running\n"
            "run_3,crashed,running\n",
            o);
  free(o);
  free(e);

  /* Recovery finalizes run_1 from its journal and leaves the live run_2 alone; run_3 had no
   * journal: its files stay as published, and it shows as crashed no more. */
  CHECK_EQ_INT(0, tu_argo(&o, &e, "recover", "--data-output", dir, NULL));
  CHECK_CONTAINS(o, "2 run-day folders finalized");
  CHECK_CONTAINS(o, "run_3: finalized without a journal: status crashed_recovered");
  free(o);
  free(e);
  j = sessions_json(dir);
  CHECK_STR("crashed_recovered", jstr(entry_of(j, "2025-10-01", "run_1"), "status"));
  CHECK_STR("running", jstr(entry_of(j, "2025-10-01", "run_2"), "status"));
  CHECK_STR("crashed_recovered", jstr(entry_of(j, "2025-10-01", "run_3"), "status"));
  CHECK_CONTAINS(jstr(entry_of(j, "2025-10-01", "run_3"), "stop_reason"), "engine.journal was off");
  json_decref(j);
  /* Looking never disturbed the live session: it is still recording, and stops cleanly. */
  CHECK_MSG(waitpid(s2, NULL, WNOHANG) == 0, "the live session ended while it was looked at");
  kill(s2, SIGINT);
  int rc = tu_reap(s2);
  char *err2 = tu_read_file(e2);
  CHECK_MSG(rc == 0, "the live session exited %d: %s", rc, err2);
  free(err2);
  wait_status(dir, "2025-10-01", "run_2", "stopped");
}

/* ---- a damaged stats.yaml ------------------------------------------------------------------- */

static void record(const char *dir, const char *const *extra) {
  char *argv[64];
  int n = 0;
  argv[n++] = ARGO_BIN;
  argv[n++] = "run";
  for (int i = 0; extra[i]; i++) {
    argv[n++] = (char *)extra[i];
  }
  argv[n++] = "--data-output";
  argv[n++] = (char *)dir;
  argv[n++] = "--quiet";
  argv[n] = NULL;
  char *e = NULL;
  int rc = tu_run(argv, NULL, &e);
  CHECK_MSG(rc == 0, "argo run exited %d: %s", rc, e);
  free(e);
}

/* Makes the stats.yaml of folder unreadable: damaged text always (the parser refuses it), and
 * as root, who reads any file, no permission check is possible, so that is the case tested;
 * otherwise mode 000 as well. */
static void spoil(const char *dir, const char *folder, int unreadable) {
  char p[8400];
  snprintf(p, sizeof p, "%s/%s/stats.yaml", dir, folder);
  tu_write_file(p, "id: \"run_1\"\nstatus: [unclosed\n");
  if (unreadable) {
    CHECK(chmod(p, 0) == 0);
  }
}

static void check_damaged(const char *dir, const char *p) {
  /* stats and report name the file and say what is wrong with it. */
  tu_check_refused("stats.yaml is unreadable", p,
                   (char *[]){"stats", "2025-10-01/run_1", "--data-output", (char *)dir, NULL});
  char html[8300];
  snprintf(html, sizeof html, "%s/r.html", dir);
  tu_check_refused(
      "stats.yaml is unreadable", p,
      (char *[]){"report", "2025-10-01/run_1", "-o", html, "--data-output", (char *)dir, NULL});
  /* sessions lists the good folder and names the damaged one on stderr. */
  char *o = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_argo(&o, &e, "sessions", "--data-output", dir, NULL));
  CHECK_MSG(strstr(o, "run_2") && !strstr(o, "run_1"), "sessions printed: %s", o);
  CHECK_CONTAINS(e, "left out 2025-10-01/run_1: its stats.yaml is unreadable");
  CHECK_CONTAINS(e, p);
  free(o);
  free(e);
}

TEST(e2e_cli_a_damaged_stats_yaml_is_named_and_its_parquet_rows_are_still_queried) {
  char dir[4200];
  subdir(dir, sizeof dir, "damaged");
  const char *args[] = {"--bars",         "40", "--strategy", "pingpong", "--strategy-config",
                        "{\"every\": 3}", NULL};
  record(dir, args);
  record(dir, args);
  argo__stats_doc good = read_stats(dir, "2025-10-01/run_2");
  char p[8400];
  snprintf(p, sizeof p, "%s/2025-10-01/run_1/stats.yaml", dir);
  spoil(dir, "2025-10-01/run_1", 0);
  check_damaged(dir, p);
  if (geteuid() != 0) {
    spoil(dir, "2025-10-01/run_1", 1);
    check_damaged(dir, p);
  }

  /* query: the damaged folder's fills are still there, with session_id NULL, and the notes say
   * so; stats has only the good folder. */
  tu_db db;
  tu_db_open(&db);
  char sql[8800], file[8400];
  snprintf(file, sizeof file, "%s/2025-10-01/run_1/trades.parquet", dir);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(file));
  int64_t damaged_fills = tu_q_int(&db, sql);
  tu_db_close(&db);
  CHECK_MSG(damaged_fills > 0, "the fixture has no fills in run_1");
  char *o = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_argo(&o, &e, "query",
                          "SELECT run, count(*) AS n, count(session_id) AS with_id, "
                          "min(session_id) AS sid FROM trades GROUP BY run ORDER BY run",
                          "--format", "csv", "--data-output", dir, NULL));
  char want[512];
  snprintf(want, sizeof want, "run,n,with_id,sid\nrun_1,%lld,0,\nrun_2,%lld,%lld,%s\n",
           (long long)damaged_fills, (long long)good.s.daily.number_of_trades,
           (long long)good.s.daily.number_of_trades, good.s.session_id);
  CHECK_STR(want, o);
  CHECK_CONTAINS(e, "2025-10-01/run_1: its stats.yaml is unreadable");
  CHECK_CONTAINS(e, "session_id NULL");
  free(o);
  free(e);
  CHECK_EQ_INT(0, tu_argo(&o, &e, "query", "SELECT run FROM stats", "--format", "csv",
                          "--data-output", dir, NULL));
  CHECK_STR("run\nrun_2\n", o);
  free(o);
  free(e);
  argo__stats_doc_free(&good);
}

/* ---- many symbols --------------------------------------------------------------------------- */

TEST(e2e_cli_sessions_cuts_a_long_symbol_list_in_the_table_only) {
  char dir[4200], syms[512] = "";
  subdir(dir, sizeof dir, "symbols");
  for (int i = 0; i < 20; i++) {
    char s[16];
    snprintf(s, sizeof s, "%sS%02dUSDT", i ? "," : "", i);
    strcat(syms, s);
  }
  record(dir, (const char *[]){"--bars", "3", "--symbols", syms, NULL});
  char *o = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_argo(&o, &e, "sessions", "--data-output", dir, NULL));
  /* The third line is the row; its fifth field the symbols. */
  char *line = strchr(strchr(o, '\n') + 1, '\n') + 1;
  char cell[512];
  CHECK_EQ_INT(1, sscanf(line, "%*s %*s %*s %*s %511s", cell));
  int shown = 0, more = -1;
  for (char *p = cell; *p;) {
    if (strncmp(p, "+", 1) == 0) {
      more = atoi(p + 1);
      break;
    }
    char want[16];
    snprintf(want, sizeof want, "S%02dUSDT", shown);
    CHECK_MSG(strncmp(p, want, strlen(want)) == 0, "cell %s: want %s at %s", cell, want, p);
    shown++;
    p += strlen(want);
    if (*p == ',') {
      p++;
    }
  }
  CHECK_MSG(shown >= 1 && more > 0 && shown + more == 20, "cell %s", cell);
  CHECK_MSG(strlen(cell) <= 32, "cell %s is %zu wide", cell, strlen(cell));
  free(o);
  free(e);
  CHECK_EQ_INT(0, tu_argo(&o, &e, "sessions", "--json", "--data-output", dir, NULL));
  json_t *j = parse_json("sessions --json", o);
  json_t *list = json_object_get(json_array_get(j, 0), "symbols");
  CHECK_EQ_INT(20, json_array_size(list));
  CHECK_STR("S19USDT", json_string_value(json_array_get(list, 19)));
  json_decref(j);
  free(o);
  free(e);
}

/* ---- the live status line ----------------------------------------------------------------- */

typedef struct pty_out {
  char *buf;
  size_t len, cap;
} pty_out;

/* Starts argo with args on a new pseudo-terminal of cols columns (stdin, stdout and stderr
 * all on it). */
static pid_t pty_spawn(int cols, char *const args[], int *master) {
  char *argv[64];
  int n = 0;
  argv[n++] = ARGO_BIN;
  for (int i = 0; args[i] && n < 63; i++) {
    argv[n++] = args[i];
  }
  argv[n] = NULL;
  struct winsize ws = {.ws_row = 40, .ws_col = (unsigned short)cols};
  pid_t pid = forkpty(master, NULL, NULL, &ws);
  CHECK_MSG(pid >= 0, "forkpty: %s", strerror(errno));
  if (pid == 0) {
    execv(ARGO_BIN, argv);
    _exit(127);
  }
  return pid;
}

/* Reads the terminal into out until until appears in what was read after from (or, when until
 * is NULL, until the other side closes it). Bounded: fails after 120 s. */
static void pty_read(int fd, pty_out *out, const char *until, size_t from) {
  int64_t deadline = argo__mono_us() + 120 * SECOND;
  for (;;) {
    if (out->buf && until && strstr(out->buf + from, until)) {
      return;
    }
    int64_t left = deadline - argo__mono_us();
    CHECK_MSG(left > 0, "the terminal did not show '%s' in time; it shows: %s",
              until ? until : "EOF", out->buf ? out->buf : "");
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, (int)(left / 1000));
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (out->len + 4097 > out->cap) {
      out->cap = (out->len + 4097) * 2;
      out->buf = realloc(out->buf, out->cap);
      CHECK(out->buf != NULL);
    }
    ssize_t got = r > 0 ? read(fd, out->buf + out->len, 4096) : 0;
    if (got <= 0) {
      /* EIO: the last holder of the terminal's other side closed it. */
      out->buf[out->len] = '\0';
      CHECK_MSG(!until, "the terminal closed before it showed '%s': %s", until, out->buf);
      return;
    }
    out->len += (size_t)got;
    out->buf[out->len] = '\0';
  }
}

/* The status lines drawn: the text after each "\r\033[K" up to the next '\r' (the terminal
 * turns '\n' into "\r\n"), leaving out erasures (nothing after it, or a line of other output
 * printed right after the erasure, which starts with "argo: "). Returns how many; lines[i] are
 * malloc'ed. */
static int draws(const char *text, char **lines, int max) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, "\r\033[K")) != NULL;) {
    p += 4;
    size_t len = strcspn(p, "\r");
    if (len && strncmp(p, "argo: ", 6) != 0 && n < max) {
      lines[n++] = strndup(p, len);
    }
  }
  return n;
}

typedef struct status_line {
  char status[32], day[16], clock[16], symbol[2][32];
  long long candles, total, fills;
  double price[2], pnl, max_dd;
} status_line;

/* Parses "running | pnl +0.00 | 51/400 candles | 2025-10-01 00:00:25Z | max drawdown 0.00% |
 * 0 fills | BTCUSDT 59206.196 | ETHUSDT 3012.5" (the time and prices are missing before the
 * first candle). 1 when it has every field. */
static int parse_status(const char *line, status_line *s) {
  memset(s, 0, sizeof *s);
  return sscanf(line,
                "%31s | pnl %lf | %lld/%lld candles | %15s %15s | max drawdown %lf%% | %lld fills "
                "| %31s %lf | %31s %lf",
                s->status, &s->pnl, &s->candles, &s->total, s->day, s->clock, &s->max_dd, &s->fills,
                s->symbol[0], &s->price[0], s->symbol[1], &s->price[1]) == 12;
}

static void free_lines(char **lines, int n) {
  for (int i = 0; i < n; i++) {
    free(lines[i]);
  }
}

/* Runs args (with --data-output set to a fresh folder name of the args' own) on a terminal of
 * cols columns and returns the status lines drawn (at least two). */
static int narrow_terminal(int cols, char *args[], const char *name, char **lines, int max) {
  char dir[4200];
  subdir(dir, sizeof dir, name);
  for (int i = 0; args[i]; i++) {
    if (strcmp(args[i], "--data-output") == 0) {
      args[i + 1] = dir;
    }
  }
  int fd = -1;
  pid_t pid = pty_spawn(cols, args, &fd);
  pty_out out = {0};
  pty_read(fd, &out, NULL, 0);
  CHECK_EQ_INT(0, tu_reap(pid));
  close(fd);
  int n = draws(out.buf, lines, max);
  CHECK_MSG(n >= 2, "only %d status lines drawn: %s", n, out.buf);
  free(out.buf);
  return n;
}

TEST(e2e_cli_the_status_line_is_rewritten_in_place_on_a_terminal) {
  char dir[4200];
  subdir(dir, sizeof dir, "tty");
  /* 200 one-second steps of two symbols at 100 times real time: about 2 s, 400 candles. */
  char *args[] = {"run", "--interval", "1s",       "--bars",        "200", "--speed",
                  "100", "--strategy", "pingpong", "--data-output", dir,   NULL};
  int fd = -1;
  int64_t t0 = argo__mono_us();
  pid_t pid = pty_spawn(200, args, &fd);
  pty_out out = {0};
  pty_read(fd, &out, NULL, 0);
  int rc = tu_reap(pid);
  double elapsed = (double)(argo__mono_us() - t0) / 1e6;
  close(fd);
  CHECK_MSG(rc == 0, "argo run exited %d: %s", rc, out.buf);
  char *lines[4096];
  int n = draws(out.buf, lines, 4096);
  /* In place, and not once per candle: at most four a second, plus the forced redraws of the
   * status changes (running, stopping). */
  CHECK_MSG(n >= 3, "only %d status lines drawn: %s", n, out.buf);
  CHECK_MSG(n <= 4 * elapsed + 6, "%d status lines in %.1f s: more than four a second", n, elapsed);
  status_line prev = {0}, s;
  int full = 0;
  for (int i = 0; i < n; i++) {
    if (!parse_status(lines[i], &s)) {
      CHECK_MSG(i == 0 && strstr(lines[i], "0/400 candles"), "status line %d: '%s'", i, lines[i]);
      continue;
    }
    full++;
    CHECK_MSG(strcmp(s.status, "running") == 0 || strcmp(s.status, "stopping") == 0,
              "status line '%s'", lines[i]);
    CHECK_MSG(strcmp(s.symbol[0], "BTCUSDT") == 0 && strcmp(s.symbol[1], "ETHUSDT") == 0,
              "status line '%s'", lines[i]);
    CHECK_MSG(s.price[0] > 0 && s.price[1] > 0 && s.total == 400 && s.candles >= prev.candles &&
                  s.candles <= 400 && s.fills >= prev.fills && s.max_dd >= prev.max_dd &&
                  s.max_dd < 100,
              "status line '%s' after '%s'", lines[i], i ? lines[i - 1] : "");
    /* The market time: the latest candle's, 1 s candles of two symbols from midnight. */
    char want_time[48];
    int64_t t = INT64_C(1759276800000000) + (s.candles - 1) / 2 * SECOND;
    argo_time_format(t, want_time, sizeof want_time);
    char got_time[48];
    snprintf(got_time, sizeof got_time, "%sT%s", s.day, s.clock);
    CHECK_STR(want_time, got_time);
    prev = s;
  }
  CHECK_MSG(full >= 2, "only %d complete status lines: %s", full, out.buf);
  /* The last one: every candle seen, the last close of each symbol, the session's fills. */
  argo__stats_doc d = read_stats(dir, "2025-10-01/run_1");
  CHECK_STR("stopping", prev.status);
  CHECK_EQ_INT(400, prev.candles);
  CHECK_EQ_INT(d.s.cumulative.number_of_trades, prev.fills);
  CHECK_NEAR(d.s.cumulative.total_pnl, prev.pnl, 0.005 + 1e-9);
  tu_db db;
  tu_db_open(&db);
  for (int k = 0; k < 2; k++) {
    char sql[8800], file[8400], want[64], got[64];
    snprintf(file, sizeof file, "%s/2025-10-01/run_1/market_data.parquet", dir);
    snprintf(sql, sizeof sql,
             "SELECT close FROM read_parquet(%s) WHERE symbol = %s ORDER BY time DESC LIMIT 1",
             tu_sql_str(file), tu_sql_str(prev.symbol[k]));
    snprintf(want, sizeof want, "%.8g", tu_q_double(&db, sql));
    snprintf(got, sizeof got, "%.8g", prev.price[k]);
    CHECK_STR(want, got);
  }
  tu_db_close(&db);
  argo__stats_doc_free(&d);
  /* The line is erased before the closing summary. */
  const char *last = out.buf;
  for (const char *p = out.buf; (p = strstr(p, "\r\033[K")) != NULL; p++) {
    last = p;
  }
  CHECK_MSG(strncmp(last, "\r\033[Kargo: session ", 18) == 0, "the line was not erased: %.200s",
            last);
  free_lines(lines, n);
  free(out.buf);

  /* A narrow terminal: the line is cut to its width (a wrapped line could not be rewritten). */
  n = narrow_terminal(40, args, "tty-narrow", lines, 4096);
  for (int i = 0; i < n; i++) {
    CHECK_MSG(strlen(lines[i]) <= 39, "line %d is %zu wide: %s", i, strlen(lines[i]), lines[i]);
    CHECK_MSG(strstr(lines[i], " | pnl "), "line %d has no pnl: %s", i, lines[i]);
  }
  free_lines(lines, n);

  /* Sixty columns: the pnl, the candles of how many and the market time still show (the
   * prices as they fit). */
  n = narrow_terminal(60, args, "tty-60", lines, 4096);
  for (int i = 1; i < n; i++) {
    CHECK_MSG(strlen(lines[i]) <= 59, "line %d is %zu wide: %s", i, strlen(lines[i]), lines[i]);
    CHECK_MSG(strstr(lines[i], " | pnl ") && strstr(lines[i], "/400 candles") &&
                  strstr(lines[i], "10-01 00:0"),
              "line %d lacks the pnl, the candles or the market time: %s", i, lines[i]);
  }
  free_lines(lines, n);
}

TEST(e2e_cli_plain_lines_when_stderr_is_not_a_terminal_and_nothing_with_quiet) {
  char dir[4200];
  subdir(dir, sizeof dir, "plain");
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "run", "--interval", "1s", "--bars", "200", "--speed", "100",
                   "--data-output", dir, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_MSG(!strchr(e, '\r') && !strchr(e, '\033'), "terminal codes on a pipe: %s", e);
  CHECK_MSG(tu_count_lines(e) >= 1 && e[strlen(e) - 1] == '\n', "stderr: %s", e);
  for (const char *p = e; *p; p = strchr(p, '\n') + 1) {
    CHECK_MSG(strncmp(p, "argo: ", 6) == 0, "a line without 'argo: ': %s", p);
  }
  /* The status change to stopping is a line of its own, with the figures. */
  const char *stop = strstr(e, "argo: stopping | pnl ");
  CHECK_MSG(stop != NULL, "no stopping line: %s", e);
  status_line s;
  CHECK_MSG(parse_status(stop + 6, &s), "stopping line: %.200s", stop);
  CHECK_EQ_INT(400, s.candles);
  CHECK_CONTAINS(o, "recording into");
  CHECK_CONTAINS(o, "finished: 400 candles");
  free(o);
  free(e);

  /* --quiet: nothing at all, on a pipe ... */
  rc = tu_argo(&o, &e, "run", "--interval", "1s", "--bars", "100", "--speed", "100",
               "--data-output", dir, "--quiet", NULL);
  CHECK_EQ_INT(0, rc);
  CHECK_STR("", o);
  CHECK_STR("", e);
  free(o);
  free(e);
  /* ... and on a terminal. */
  char *args[] = {"run", "--interval",    "1s", "--bars",  "100", "--speed",
                  "100", "--data-output", dir,  "--quiet", NULL};
  int fd = -1;
  pid_t pid = pty_spawn(200, args, &fd);
  pty_out out = {0};
  pty_read(fd, &out, NULL, 0);
  CHECK_EQ_INT(0, tu_reap(pid));
  close(fd);
  CHECK_MSG(out.len == 0, "--quiet printed on the terminal: %s", out.buf);
  free(out.buf);
}

/* The prefetch lines "prefetching SYM [###.....]  42% 4200/10000 candles" of out for sym, checked
 * for consistency; returns how many there are. */
static int prefetch_bars(const char *text, const char *sym) {
  char *lines[4096];
  int n = draws(text, lines, 4096), bars = 0;
  long long last_done = -1;
  for (int i = 0; i < n; i++) {
    char s[32], bar[64];
    int pct;
    long long done, total;
    if (sscanf(lines[i], "prefetching %31s [%63[#.]] %d%% %lld/%lld candles", s, bar, &pct, &done,
               &total) != 5 ||
        strcmp(s, sym) != 0) {
      continue;
    }
    CHECK_MSG(strlen(bar) == 24 && total > 0 && done <= total && done >= last_done,
              "prefetch line '%s'", lines[i]);
    double frac = (double)done / (double)total;
    int full = (int)strspn(bar, "#");
    CHECK_MSG(full == (int)(frac * 24 + 0.5) && strspn(bar + full, ".") == strlen(bar + full),
              "bar of '%s'", lines[i]);
    CHECK_MSG(abs(pct - (int)(frac * 100 + 0.5)) <= 1, "percentage of '%s'", lines[i]);
    last_done = done;
    bars++;
  }
  free_lines(lines, n);
  return bars;
}

static json_t *read_events(const char *path, size_t *n) {
  char *text = tu_read_file(path);
  CHECK_MSG(text != NULL, "no events file %s", path);
  json_t *arr = json_array();
  for (char *line = text, *next; *line; line = next) {
    next = strchr(line, '\n');
    CHECK_MSG(next != NULL, "an events line does not end in a newline: %s", line);
    *next++ = '\0';
    json_array_append_new(arr, parse_json("an events line", line));
  }
  free(text);
  *n = json_array_size(arr);
  return arr;
}

/* The keys of o, in order, are exactly "event", the given ones, then "wall_time". */
static void check_keys(json_t *o, const char *const *keys) {
  const char *ev = json_string_value(json_object_get(o, "event"));
  void *it = json_object_iter(o);
  CHECK_MSG(it && strcmp(json_object_iter_key(it), "event") == 0, "event %s: 'event' first", ev);
  it = json_object_iter_next(o, it);
  for (int i = 0; keys[i]; i++, it = json_object_iter_next(o, it)) {
    CHECK_MSG(it && strcmp(json_object_iter_key(it), keys[i]) == 0,
              "event %s: key %d is %s, not %s", ev, i + 1, it ? json_object_iter_key(it) : "(none)",
              keys[i]);
  }
  CHECK_MSG(it && strcmp(json_object_iter_key(it), "wall_time") == 0 &&
                !json_object_iter_next(o, it),
            "event %s: 'wall_time' last", ev);
  int64_t t;
  CHECK_MSG(argo_time_parse(json_string_value(json_object_iter_value(it)), &t) == ARGO_OK &&
                t > argo__wall_us() - 3600 * SECOND && t <= argo__wall_us(),
            "event %s: wall_time %s", ev, json_string_value(json_object_iter_value(it)));
}

TEST(e2e_cli_the_prefetch_progress_bar_against_the_mock_exchange) {
  char out_dir[4200], ev[4300];
  subdir(out_dir, sizeof out_dir, "prefetch");
  snprintf(ev, sizeof ev, "%s/events.jsonl", out_dir);
  /* One-second candles every 50 ms, from yesterday noon; 3000 s of history per symbol: three pages
   * of 1000 candles, each answer held 300 ms, so each page's progress is drawn (the line is
   * redrawn at most every 250 ms). */
  int64_t start_ms = tu_mock_start_ms();
  char start_arg[32], from[128], ws[128], rest[128], pf[48];
  snprintf(start_arg, sizeof start_arg, "%lld", (long long)start_ms);
  argo_time_format((start_ms - 3000 * 1000) * 1000, pf, sizeof pf);
  snprintf(from, sizeof from, "engine.prefetch.start_time=%s", pf);
  tu_mock m;
  tu_mock_start(&m, "--interval", "1s", "--tick-ms", "50", "--start-ms", start_arg, "--hold-klines",
                "8", "--hold-ms", "300", NULL);
  snprintf(ws, sizeof ws, "market_data.ws_url=%s", m.ws);
  snprintf(rest, sizeof rest, "market_data.rest_url=%s", m.rest);
  char *args[] = {"run",
                  "--feed",
                  "binance",
                  "--interval",
                  "1s",
                  "--symbols",
                  "BTCUSDT,ETHUSDT",
                  "--set",
                  ws,
                  "--set",
                  rest,
                  "--set",
                  "engine.prefetch.enabled=true",
                  "--set",
                  "engine.prefetch.start_time_type=date",
                  "--set",
                  from,
                  "--data-output",
                  out_dir,
                  "--events",
                  ev,
                  NULL};
  int fd = -1;
  pid_t pid = pty_spawn(200, args, &fd);
  pty_out out = {0};
  pty_read(fd, &out, "\r\033[Krunning | ", 0);
  kill(pid, SIGINT);
  pty_read(fd, &out, NULL, 0);
  int rc = tu_reap(pid);
  close(fd);
  tu_mock_stop(&m);
  CHECK_MSG(rc == 0, "argo run exited %d: %s", rc, out.buf);
  int b = prefetch_bars(out.buf, "BTCUSDT"), e = prefetch_bars(out.buf, "ETHUSDT");
  CHECK_MSG(b >= 2 && e >= 2, "prefetch bars: %d for BTCUSDT, %d for ETHUSDT: %s", b, e, out.buf);
  /* The same progress in --events. */
  size_t n = 0;
  json_t *events = read_events(ev, &n);
  int progress = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_array_get(events, i);
    if (strcmp(jstr(o, "event"), "prefetch_progress") != 0) {
      continue;
    }
    check_keys(o, (const char *[]){"symbol", "done", "total", NULL});
    CHECK(json_is_integer(json_object_get(o, "done")) &&
          json_is_integer(json_object_get(o, "total")));
    CHECK(json_integer_value(json_object_get(o, "done")) <=
          json_integer_value(json_object_get(o, "total")));
    progress++;
  }
  CHECK_MSG(progress >= 4, "only %d prefetch_progress events", progress);
  json_decref(events);
  free(out.buf);
}

/* ---- --events -------------------------------------------------------------------------------- */

static const char *const order_keys[] = {
    "order_id",  "symbol", "side",          "order_type",    "quantity", "price",
    "timestamp", "status", "strategy_name", "position_type", "reason",   NULL};
static const char *const fill_keys[] = {
    "order_id",    "symbol",       "side",           "quantity",   "price", "timestamp",
    "executed_at", "executed_qty", "executed_price", "commission", "pnl",   "position_type",
    NULL};
static const char *const block_keys[] = {"number_of_trades",
                                         "number_of_winning_trades",
                                         "number_of_losing_trades",
                                         "win_rate",
                                         "max_drawdown",
                                         "realized_pnl",
                                         "unrealized_pnl",
                                         "total_pnl",
                                         "maximum_loss",
                                         "maximum_profit",
                                         "total_fees",
                                         NULL};

/* The keys of o are exactly keys, in order. */
static void check_object(const char *what, json_t *o, const char *const *keys) {
  CHECK_MSG(json_is_object(o), "%s is not an object", what);
  void *it = json_object_iter(o);
  for (int i = 0; keys[i]; i++, it = json_object_iter_next(o, it)) {
    CHECK_MSG(it && strcmp(json_object_iter_key(it), keys[i]) == 0, "%s: key %d is %s, not %s",
              what, i, it ? json_object_iter_key(it) : "(none)", keys[i]);
  }
  CHECK_MSG(!it, "%s: an extra key %s", what, json_object_iter_key(it));
}

static void check_time(const char *what, json_t *v) {
  int64_t t;
  CHECK_MSG(json_is_string(v) && argo_time_parse(json_string_value(v), &t) == ARGO_OK &&
                t >= INT64_C(1759276800000000) && t < INT64_C(1759536000000000),
            "%s is not a time of the session", what);
}

static void check_order(json_t *o) {
  check_object("order", o, order_keys);
  CHECK(json_is_string(json_object_get(o, "order_id")));
  const char *side = jstr(o, "side"), *type = jstr(o, "order_type");
  CHECK(strcmp(side, "BUY") == 0 || strcmp(side, "SELL") == 0);
  CHECK(strcmp(type, "MARKET") == 0 || strcmp(type, "LIMIT") == 0);
  CHECK(json_is_number(json_object_get(o, "quantity")));
  check_time("order.timestamp", json_object_get(o, "timestamp"));
  CHECK(json_is_string(json_object_get(o, "reason")));
}

TEST(e2e_cli_events_carry_every_field_of_every_event_type) {
  char dir[4200], ev[4300], ev2[4300], errp[4300], collide[4300];
  subdir(dir, sizeof dir, "events");
  snprintf(ev, sizeof ev, "%s/events.jsonl", root);
  snprintf(ev2, sizeof ev2, "%s/events-probe.jsonl", root);
  snprintf(errp, sizeof errp, "%s/crashed.stderr", root);
  /* A crashed folder for the next start to recover (run_1), ... */
  pid_t pid = spawn(errp, (char *[]){"run", "--interval", "1s", "--bars", "100000", "--speed", "20",
                                     "--data-output", dir, "--quiet", NULL});
  wait_status(dir, "2025-10-01", "run_1", "running");
  kill(pid, SIGKILL);
  tu_reap(pid);
  /* ... and a folder in the way of the session's next day (an error event). */
  snprintf(collide, sizeof collide, "%s/2025-10-02/run_2", dir);
  char err[256];
  CHECK_MSG(argo__fs_mkdir_p(collide, 0755, err, sizeof err) == 0, "%s", err);
  /* Limit orders that expire after a candle: placed, filled, cancelled. Crosses midnight. */
  char plugin[4200];
  snprintf(plugin, sizeof plugin, "%s/rsi_reversion.so", ARGO_PLUGIN_DIR);
  record(dir,
         (const char *[]){"--interval", "1m", "--bars", "240", "--start", "2025-10-01T22:00:00Z",
                          "--pattern", "volatile", "--strategy", plugin, "--strategy-config",
                          "{\"period\": 3, \"oversold\": 45, \"expiry\": 1, \"offset\": 0.0005}",
                          "--events", ev, NULL});
  /* A strategy that fails on every 7th candle. */
  char probe[4200];
  snprintf(probe, sizeof probe, "%s/probe.so", ARGO_TEST_PLUGIN_DIR);
  record(dir, (const char *[]){"--bars", "20", "--strategy", probe, "--strategy-config",
                               "{\"fail\": 7}", "--events", ev2, NULL});

  size_t n = 0, n2 = 0;
  json_t *a = read_events(ev, &n), *b = read_events(ev2, &n2);
  int seen[16] = {0};
  const char *names[] = {"engine_start",
                         "status",
                         "order_placed",
                         "order_filled",
                         "order_updated",
                         "stats",
                         "error",
                         "strategy_error",
                         "recovered",
                         "engine_stop",
                         NULL};
  for (size_t k = 0; k < n + n2; k++) {
    json_t *o = k < n ? json_array_get(a, k) : json_array_get(b, k - n);
    const char *name = jstr(o, "event");
    int t = 0;
    while (names[t] && strcmp(names[t], name) != 0) {
      t++;
    }
    CHECK_MSG(names[t] != NULL, "unknown event %s", name);
    seen[t]++;
    switch (t) {
    case 0:
      check_keys(o, (const char *[]){"session_id", "run", "run_dir", "data_output", "symbols",
                                     "interval", "strategy", NULL});
      CHECK_EQ_INT(36, strlen(jstr(o, "session_id")));
      CHECK_EQ_INT(2, json_array_size(json_object_get(o, "symbols")));
      CHECK_STR(dir, jstr(o, "data_output"));
      break;
    case 1: {
      check_keys(o, (const char *[]){"status", NULL});
      const char *s = jstr(o, "status");
      CHECK_MSG(strcmp(s, "running") == 0 || strcmp(s, "stopping") == 0 ||
                    strcmp(s, "stopped") == 0,
                "status %s", s);
      break;
    }
    case 2:
    case 4:
      check_keys(o, (const char *[]){"order", NULL});
      check_order(json_object_get(o, "order"));
      if (t == 4) {
        CHECK_STR("CANCELLED", jstr(json_object_get(o, "order"), "status"));
        CHECK_STR("LIMIT", jstr(json_object_get(o, "order"), "order_type"));
      }
      break;
    case 3: {
      check_keys(o, (const char *[]){"order", "fill", NULL});
      check_order(json_object_get(o, "order"));
      json_t *f = json_object_get(o, "fill");
      check_object("fill", f, fill_keys);
      CHECK_STR(jstr(json_object_get(o, "order"), "order_id"), jstr(f, "order_id"));
      check_time("fill.executed_at", json_object_get(f, "executed_at"));
      CHECK(json_is_number(json_object_get(f, "executed_price")) &&
            json_is_number(json_object_get(f, "commission")) &&
            json_is_number(json_object_get(f, "pnl")));
      break;
    }
    case 5: {
      check_keys(o, (const char *[]){"stats", NULL});
      json_t *s = json_object_get(o, "stats");
      check_object("stats", s,
                   (const char *[]){"id", "session_id", "date", "status", "last_updated", "candles",
                                    "candles_total", "equity", "daily", "cumulative", NULL});
      check_object("stats.daily", json_object_get(s, "daily"), block_keys);
      check_object("stats.cumulative", json_object_get(s, "cumulative"), block_keys);
      check_time("stats.last_updated", json_object_get(s, "last_updated"));
      break;
    }
    case 6:
      check_keys(o, (const char *[]){"code", "message", NULL});
      CHECK_STR("already exists", jstr(o, "code"));
      CHECK_CONTAINS(jstr(o, "message"), "2025-10-02/run_2 already belonged to another session");
      break;
    case 7:
      check_keys(o, (const char *[]){"symbol", "time", "message", NULL});
      check_time("strategy_error.time", json_object_get(o, "time"));
      CHECK_CONTAINS(jstr(o, "message"), "probe failure on purpose");
      break;
    case 8:
      check_keys(o, (const char *[]){"run_dir", "message", NULL});
      CHECK_CONTAINS(jstr(o, "run_dir"), "2025-10-01/run_1");
      break;
    case 9:
      check_keys(o, (const char *[]){"status", "message", NULL});
      CHECK_STR("ok", jstr(o, "status"));
      break;
    }
  }
  for (int t = 0; names[t]; t++) {
    CHECK_MSG(seen[t] > 0, "no %s event", names[t]);
  }
  /* engine_start opens each file's session events, engine_stop ends them. */
  CHECK_STR("engine_stop", jstr(json_array_get(a, n - 1), "event"));
  CHECK_STR("engine_stop", jstr(json_array_get(b, n2 - 1), "event"));
  CHECK_STR("recovered", jstr(json_array_get(a, 0), "event"));
  CHECK_STR("engine_start", jstr(json_array_get(b, 0), "event"));
  /* As many fill events as fills in the files. */
  argo__stats_doc d = read_stats(dir, "2025-10-02/run_3");
  CHECK_EQ_INT(d.s.cumulative.number_of_trades, seen[3]);
  argo__stats_doc_free(&d);
  json_decref(a);
  json_decref(b);
}

TEST(e2e_cli_an_events_write_failure_stops_the_session_cleanly_with_exit_1) {
  char dir[4200], ev[4300];
  subdir(dir, sizeof dir, "events-full");
  char *o = NULL, *e = NULL;
  /* A full disk: standard output on /dev/full (--events FILE takes only regular files). */
  char full[8800];
  snprintf(full, sizeof full,
           "'%s' run --bars 50 --events - --data-output '%s' --quiet >/dev/full; echo $? >&2",
           ARGO_BIN, dir);
  char *bash_full[] = {"/bin/bash", "-c", full, NULL};
  CHECK_EQ_INT(0, tu_run(bash_full, &o, &e));
  CHECK_MSG(strstr(e, "\n1\n") != NULL, "exit (want 1) on the last line: %s", e);
  CHECK_CONTAINS(e, "--events: cannot write to 'standard output': No space left on device");
  CHECK_MSG(tu_count_lines(e) == 2, "expected one line and the exit code, got: %s", e);
  free(o);
  free(e);
  /* The session stopped cleanly: its stats.yaml is final and says why it stopped. */
  argo__stats_doc d = read_stats(dir, "2025-10-01/run_1");
  CHECK_STR("stopped", d.s.status);
  CHECK_CONTAINS(d.stop_reason, "--events file could not be written");
  argo__stats_doc_free(&d);

  /* A run refused before it starts (exit 2) neither creates the file ... */
  snprintf(ev, sizeof ev, "%s/events.jsonl", dir);
  int rc =
      tu_argo(&o, &e, "run", "--strategy", "nosuch", "--events", ev, "--data-output", dir, NULL);
  CHECK_MSG(rc == 2, "exit %d: %s", rc, e);
  CHECK_MSG(!argo__fs_exists(ev), "a refused run created %s", ev);
  free(o);
  free(e);
  /* ... nor truncates it. */
  tu_write_file(ev, "kept\n");
  rc = tu_argo(&o, &e, "run", "--strategy", "nosuch", "--events", ev, "--data-output", dir, NULL);
  CHECK_EQ_INT(2, rc);
  char *kept = tu_read_file(ev);
  CHECK_STR("kept\n", kept);
  free(kept);
  free(o);
  free(e);
  /* A folder that is not there is a usage error before anything runs. */
  snprintf(ev, sizeof ev, "%s/nosuch/events.jsonl", dir);
  rc = tu_argo(&o, &e, "run", "--bars", "5", "--events", ev, "--data-output", dir, NULL);
  CHECK_MSG(rc == 2, "exit %d: %s", rc, e);
  CHECK_CONTAINS(e, "--events: cannot create");
  free(o);
  free(e);
  /* --events - into a pipe closed early: the session is not killed by SIGPIPE. */
  char cmd[8800];
  snprintf(cmd, sizeof cmd,
           "'%s' run --interval 1s --bars 3000 --speed 200 --events - --quiet --data-output "
           "'%s/pipe' | head -c 1 >/dev/null; echo \"${PIPESTATUS[0]}\"",
           ARGO_BIN, dir);
  char *argv[] = {"/bin/bash", "-c", cmd, NULL};
  rc = tu_run(argv, &o, &e);
  CHECK_EQ_INT(0, rc);
  CHECK_MSG(strcmp(o, "1\n") == 0, "argo run in a closed pipe ended with %s (want 1): %s", o, e);
  CHECK_CONTAINS(e, "--events: cannot write to 'standard output': Broken pipe");
  free(o);
  free(e);
  char pipe_dir[4400];
  snprintf(pipe_dir, sizeof pipe_dir, "%s/pipe", dir);
  d = read_stats(pipe_dir, "2025-10-01/run_1");
  CHECK_STR("stopped", d.s.status);
  argo__stats_doc_free(&d);
}

/* --events FILE is a file the user names, like report -o: written through a symbolic link at its
 * target (the link stays), and a folder, a named pipe or a device is refused before the session
 * starts with one line naming the path and what it is (a named pipe without a reader used to
 * block the session at its first event; - is the way to a pipe or a device). */
TEST(e2e_cli_events_follow_a_link_and_refuse_folders_pipes_and_devices) {
  char dir[4200], path[4400], target[4400], data[4400];
  subdir(dir, sizeof dir, "events-kinds");
  snprintf(data, sizeof data, "%s/data", dir);
  snprintf(path, sizeof path, "%s/pipe", dir);
  CHECK(mkfifo(path, 0644) == 0);
  /* Bounded: the old code blocked on the pipe forever. */
  char *argv[] = {"/usr/bin/timeout", "60", ARGO_BIN,        "run", "--bars", "5",
                  "--events",         path, "--data-output", data,  NULL};
  char *o = NULL, *e = NULL;
  int rc = tu_run(argv, &o, &e);
  CHECK_MSG(rc == 2, "exit %d (want 2; 124: blocked on the pipe): %s", rc, e);
  CHECK_CONTAINS(e, "--events: ");
  CHECK_CONTAINS(e, "is a named pipe (FIFO), not a regular file");
  CHECK_CONTAINS(e, path);
  CHECK_MSG(tu_count_lines(e) == 1, "expected one line: %s", e);
  CHECK_MSG(!argo__fs_exists(data), "a refused run recorded into %s", data);
  free(o);
  free(e);
  tu_check_refused("'/dev/full' is a character device, not a regular file", NULL,
                   (char *[]){"run", "--events", "/dev/full", "--data-output", data, NULL});
  tu_check_refused("is a folder", dir,
                   (char *[]){"run", "--events", dir, "--data-output", data, NULL});
  /* A link: the events go to its target. */
  snprintf(target, sizeof target, "%s/real.jsonl", dir);
  snprintf(path, sizeof path, "%s/link.jsonl", dir);
  CHECK(symlink("real.jsonl", path) == 0);
  rc = tu_argo(&o, &e, "run", "--bars", "5", "--events", path, "--data-output", data, "--quiet",
               NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(o);
  free(e);
  struct stat sb;
  CHECK(lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode));
  char *events = tu_read_file(target);
  CHECK_MSG(events && strstr(events, "\"event\":\"engine_stop\""), "%s holds: %s", target, events);
  free(events);
}

/* Every line argo prints about a problem masks the secrets of the URLs in it, whichever part of
 * argo wrote the message (here the replay feed and the plugin loader quote the names given, which
 * look like URLs with a password and a token). */
TEST(e2e_cli_secrets_in_urls_are_masked_in_every_message) {
  char dir[4200];
  subdir(dir, sizeof dir, "masked");
  const char *secret = "S3CRET-5e0a9d";
  char replay[256], plugin[256];
  snprintf(replay, sizeof replay, "https://trader:%s@127.0.0.1:1/c.parquet?token=%s&k=1", secret,
           secret);
  snprintf(plugin, sizeof plugin, "https://%s@127.0.0.1:1/s.so?api_key=%s", secret, secret);
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "run", "--feed", "replay", "--replay-file", replay, "--data-output", dir,
                   NULL);
  CHECK_MSG(rc == 2, "exit %d: %s", rc, e);
  CHECK_CONTAINS(e, "https://***@127.0.0.1:1/c.parquet?token=***&k=1");
  CHECK_MSG(!strstr(e, secret) && !strstr(o, secret), "the secret is printed: %s%s", o, e);
  free(o);
  free(e);
  rc = tu_argo(&o, &e, "run", "--strategy", plugin, "--data-output", dir, NULL);
  CHECK_MSG(rc == 2, "exit %d: %s", rc, e);
  CHECK_CONTAINS(e, "https://***@127.0.0.1:1/s.so?api_key=***");
  CHECK_MSG(!strstr(e, secret) && !strstr(o, secret), "the secret is printed: %s%s", o, e);
  free(o);
  free(e);
}

/* docs/config.md's table of the flags of argo run names every flag that sets a key, as argo run
 * --help lists them ("  --feed NAME   ... [market_data.feed]"). */
TEST(e2e_cli_the_config_docs_list_every_flag_of_argo_run) {
  char *o = NULL, *e = NULL, path[4200];
  CHECK_EQ_INT(0, tu_argo(&o, &e, "run", "--help", NULL));
  snprintf(path, sizeof path, "%s/docs/config.md", ARGO_SOURCE_DIR);
  char *doc = tu_read_file(path);
  CHECK(doc != NULL);
  const char *table = strstr(doc, "| flag | key |");
  CHECK(table != NULL);
  int flags = 0;
  for (char *line = strtok(o, "\n"); line; line = strtok(NULL, "\n")) {
    char flag[64], key[128];
    const char *k = strrchr(line, '[');
    if (sscanf(line, " %63s", flag) != 1 || strncmp(flag, "--", 2) != 0 || !k ||
        sscanf(k, "[%127[^]]]", key) != 1) {
      continue;
    }
    char row[256];
    snprintf(row, sizeof row, "| `%s", flag);
    const char *at = strstr(table, row);
    CHECK_MSG(at != NULL, "docs/config.md has no row for %s", flag);
    snprintf(row, sizeof row, "`%s`", key);
    CHECK_MSG(strstr(at, row) && strstr(at, row) < strchr(at + 1, '\n'),
              "the row of %s does not name %s", flag, key);
    flags++;
  }
  CHECK(flags >= 15);
  free(doc);
  free(o);
  free(e);
}

/* examples/session.yaml runs as it is, with what it says, and docs/config.md shows it as it is. */
TEST(e2e_cli_the_example_configuration_runs_and_is_the_one_the_docs_show) {
  char dir[4200], file[4200], path[4200];
  subdir(dir, sizeof dir, "example");
  snprintf(file, sizeof file, "%s/examples/session.yaml", ARGO_SOURCE_DIR);
  char *e = NULL;
  unsetenv("ARGO_SEED");
  int rc = tu_argo(NULL, &e, "run", "--config", file, "--data-output", dir, "--quiet", NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(e);
  argo__stats_doc d = read_stats(dir, "2025-10-03/run_1");
  CHECK_STR("pingpong", d.s.strategy_name);
  CHECK_EQ_INT(120, d.s.candles_total); /* 60 hourly candles of two symbols */
  CHECK_STR("1h", d.interval);
  CHECK_EQ_INT(2, (int64_t)d.s.nsymbols);
  argo__stats_doc_free(&d);
  char *yaml = tu_read_file(file);
  snprintf(path, sizeof path, "%s/docs/config.md", ARGO_SOURCE_DIR);
  char *doc = tu_read_file(path);
  CHECK(yaml && doc);
  char *block = strstr(doc, "```yaml\n");
  CHECK(block != NULL);
  block += 8;
  CHECK_MSG(strncmp(block, yaml, strlen(yaml)) == 0 && strncmp(block + strlen(yaml), "```", 3) == 0,
            "docs/config.md's example is not examples/session.yaml");
  free(yaml);
  free(doc);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  snprintf(root, sizeof root, "%s", tu_tmpdir("e2e-cli"));
  RUN(e2e_cli_a_killed_session_shows_crashed_until_recovered_and_a_live_one_running);
  RUN(e2e_cli_a_damaged_stats_yaml_is_named_and_its_parquet_rows_are_still_queried);
  RUN(e2e_cli_sessions_cuts_a_long_symbol_list_in_the_table_only);
  RUN(e2e_cli_the_status_line_is_rewritten_in_place_on_a_terminal);
  RUN(e2e_cli_plain_lines_when_stderr_is_not_a_terminal_and_nothing_with_quiet);
  RUN(e2e_cli_the_prefetch_progress_bar_against_the_mock_exchange);
  RUN(e2e_cli_events_carry_every_field_of_every_event_type);
  RUN(e2e_cli_an_events_write_failure_stops_the_session_cleanly_with_exit_1);
  RUN(e2e_cli_events_follow_a_link_and_refuse_folders_pipes_and_devices);
  RUN(e2e_cli_secrets_in_urls_are_masked_in_every_message);
  RUN(e2e_cli_the_config_docs_list_every_flag_of_argo_run);
  RUN(e2e_cli_the_example_configuration_runs_and_is_the_one_the_docs_show);
  if (test_failures == 0) {
    tu_rm_rf(root);
  }
  return test_summary();
}
