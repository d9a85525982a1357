/*
 * End to end: the commands that look at recorded sessions (sessions, stats, query, report,
 * completion, man) on a fixture recorded by the real `argo run`: session A (two symbols, hourly,
 * 2025-10-01 09:00 to 2025-10-03 20:00, run_1 every day), session B (one symbol, hourly, from
 * 2025-10-01 12:00, run_2 every day) and session C (200 one-minute candles on 2025-10-03,
 * run_3). Every number printed is checked against the stats.yaml files (read with the library's
 * own parser) or against DuckDB reading the Parquet files directly; the report is opened in a
 * real headless Chromium (Debian's chromium package) that has no network (a network namespace of
 * its own; a canary page checks that nothing gets out), its charts counted down to their points
 * and markers, and its screenshot kept under build/tests/artifacts/.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "persist/stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"
#include "util/strbuf.h"

static char data[4096];
static char sid_a[64], sid_b[64], sid_c[64];

/* The seven day folders of the fixture, newest first: the order `argo sessions` must print. */
static const char *const folders[7] = {"2025-10-03/run_3", "2025-10-03/run_2", "2025-10-03/run_1",
                                       "2025-10-02/run_2", "2025-10-02/run_1", "2025-10-01/run_2",
                                       "2025-10-01/run_1"};

static argo__stats_doc read_stats(const char *folder) {
  char p[8192];
  snprintf(p, sizeof p, "%s/%s/stats.yaml", data, folder);
  return tu_read_stats(p);
}

static void record(const char *const *args) {
  char *argv[64];
  int n = 0;
  argv[n++] = ARGO_BIN;
  for (int i = 0; args[i]; i++) {
    argv[n++] = (char *)args[i];
  }
  argv[n++] = "--data-output";
  argv[n++] = data;
  argv[n++] = "--quiet";
  argv[n] = NULL;
  char *e = NULL;
  int rc = tu_run(argv, NULL, &e);
  CHECK_MSG(rc == 0, "argo run exited %d: %s", rc, e);
  free(e);
}

static void session_of(const char *folder, char *out, size_t len) {
  argo__stats_doc d = read_stats(folder);
  snprintf(out, len, "%s", d.s.session_id);
  argo__stats_doc_free(&d);
}

TEST(e2e_fixture_is_recorded) {
  snprintf(data, sizeof data, "%s", tu_tmpdir("e2e-inspect"));
  record((const char *[]){"run", "--symbols", "BTCUSDT,ETHUSDT", "--interval", "1h", "--start",
                          "2025-10-01T09:00:00Z", "--bars", "60", "--seed", "7", "--strategy",
                          "pingpong", "--strategy-config", "{\"every\": 3}", NULL});
  record((const char *[]){"run", "--symbols", "BTCUSDT", "--interval", "1h", "--start",
                          "2025-10-01T12:00:00Z", "--bars", "50", "--seed", "8", "--strategy",
                          "pingpong", NULL});
  record((const char *[]){"run", "--bars", "200", "--start", "2025-10-03T08:00:00Z", NULL});
  for (int i = 0; i < 7; i++) {
    char p[8192];
    snprintf(p, sizeof p, "%s/%s/stats.yaml", data, folders[i]);
    CHECK_MSG(argo__fs_exists(p), "the fixture lacks %s", p);
  }
  session_of("2025-10-01/run_1", sid_a, sizeof sid_a);
  session_of("2025-10-01/run_2", sid_b, sizeof sid_b);
  session_of("2025-10-03/run_3", sid_c, sizeof sid_c);
  CHECK(strcmp(sid_a, sid_b) != 0 && strcmp(sid_b, sid_c) != 0 && strcmp(sid_a, sid_c) != 0);
}

/* Splits line into whitespace-separated fields (in place). */
static int fields(char *line, char **f, int max) {
  int n = 0;
  char *save = NULL;
  for (char *t = strtok_r(line, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save)) {
    f[n++] = t;
  }
  return n;
}

TEST(e2e_sessions_prints_every_day_newest_first_with_the_numbers_of_stats_yaml) {
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "sessions", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_MSG(tu_count_lines(o) == 9, "want a header, a rule and 7 rows, got:\n%s", o);
  char *save = NULL;
  char *line = strtok_r(o, "\n", &save);
  CHECK_CONTAINS(line, "SESSION");
  /* A fill is not a trade to a reader of Freqtrade (a round trip): the column says FILLS. */
  CHECK_CONTAINS(line, " FILLS ");
  CHECK(strstr(line, "TRADES") == NULL);
  line = strtok_r(NULL, "\n", &save); /* the rule */
  CHECK(line && line[0] == '-');
  for (int i = 0; i < 7; i++) {
    line = strtok_r(NULL, "\n", &save);
    CHECK(line != NULL);
    char *f[16];
    int n = fields(line, f, 16);
    CHECK_MSG(n == 11, "row %d has %d fields: %s", i, n, line);
    char folder[64];
    snprintf(folder, sizeof folder, "%s/%s", f[0], f[1]);
    CHECK_STR(folders[i], folder);
    argo__stats_doc d = read_stats(folder);
    char want[64], syms[256] = "";
    CHECK_STR(d.s.session_id, f[2]);
    CHECK_STR(d.s.status, f[3]);
    for (size_t k = 0; k < d.s.nsymbols; k++) {
      strcat(syms, k ? "," : "");
      strcat(syms, d.s.symbols[k]);
    }
    CHECK_STR(syms, f[4]);
    CHECK_STR(d.s.strategy_name, f[5]);
    snprintf(want, sizeof want, "%lld", (long long)d.s.candles_day);
    CHECK_STR(want, f[6]);
    snprintf(want, sizeof want, "%lld", (long long)d.s.daily.number_of_trades);
    CHECK_STR(want, f[7]);
    snprintf(want, sizeof want, "%.2f", d.s.daily.realized_pnl);
    CHECK_STR(want, f[8]);
    snprintf(want, sizeof want, "%.1f%%", d.s.daily.win_rate * 100);
    CHECK_STR(want, f[9]);
    snprintf(want, sizeof want, "%.2f%%", d.s.daily.max_drawdown * 100);
    CHECK_STR(want, f[10]);
    argo__stats_doc_free(&d);
  }
  free(o);
  free(e);
}

static json_t *run_json(const char *what, char *const *args) {
  char *argv[32];
  int n = 0;
  argv[n++] = ARGO_BIN;
  for (int i = 0; args[i]; i++) {
    argv[n++] = args[i];
  }
  argv[n] = NULL;
  char *o = NULL, *e = NULL;
  int rc = tu_run(argv, &o, &e);
  CHECK_MSG(rc == 0, "%s: exit %d: %s", what, rc, e);
  json_error_t je;
  json_t *j = json_loads(o, 0, &je);
  CHECK_MSG(j != NULL, "%s: not JSON (%s at line %d): %s", what, je.text, je.line, o);
  free(o);
  free(e);
  return j;
}

static double jnum(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  CHECK_MSG(json_is_number(v), "no number '%s'", key);
  return json_number_value(v);
}

static const char *jstr(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  CHECK_MSG(json_is_string(v), "no text '%s'", key);
  return json_string_value(v);
}

/* Every figure of a block, exactly (the JSON carries 17 significant digits). */
static void check_block(json_t *j, const argo_stats_block *b) {
  CHECK_EQ_INT(b->number_of_trades, jnum(j, "number_of_trades"));
  CHECK_EQ_INT(b->number_of_winning_trades, jnum(j, "number_of_winning_trades"));
  CHECK_EQ_INT(b->number_of_losing_trades, jnum(j, "number_of_losing_trades"));
  CHECK_NEAR(b->win_rate, jnum(j, "win_rate"), 0);
  CHECK_NEAR(b->max_drawdown, jnum(j, "max_drawdown"), 0);
  CHECK_NEAR(b->realized_pnl, jnum(j, "realized_pnl"), 0);
  CHECK_NEAR(b->unrealized_pnl, jnum(j, "unrealized_pnl"), 0);
  CHECK_NEAR(b->total_pnl, jnum(j, "total_pnl"), 0);
  CHECK_NEAR(b->maximum_loss, jnum(j, "maximum_loss"), 0);
  CHECK_NEAR(b->maximum_profit, jnum(j, "maximum_profit"), 0);
  CHECK_NEAR(b->total_fees, jnum(j, "total_fees"), 0);
  /* The figures added later (docs/statistics.md). */
  CHECK(b->days >= 1);
  CHECK_EQ_INT(b->days, jnum(j, "days"));
  CHECK_NEAR(b->gross_profit, jnum(j, "gross_profit"), 0);
  CHECK_NEAR(b->gross_loss, jnum(j, "gross_loss"), 0);
  CHECK_NEAR(b->profit_factor, jnum(j, "profit_factor"), 0);
  CHECK_NEAR(b->expectancy, jnum(j, "expectancy"), 0);
  CHECK_NEAR(b->total_return, jnum(j, "total_return"), 0);
  CHECK_NEAR(b->sharpe_ratio, jnum(j, "sharpe_ratio"), 0);
  CHECK_NEAR(b->sortino_ratio, jnum(j, "sortino_ratio"), 0);
  CHECK_NEAR(b->calmar_ratio, jnum(j, "calmar_ratio"), 0);
  CHECK_NEAR(b->exposure, jnum(j, "exposure"), 0);
  CHECK_NEAR(b->best_day, jnum(j, "best_day"), 0);
  CHECK_NEAR(b->worst_day, jnum(j, "worst_day"), 0);
  CHECK_NEAR(b->buy_and_hold_return, jnum(j, "buy_and_hold_return"), 0);
}

/* A by_symbol array of argo stats --json against the daily or cumulative figures of d. */
static void check_by_symbol(json_t *a, const argo__stats_doc *d, int daily) {
  CHECK_MSG(json_is_array(a), "no by_symbol array");
  CHECK_EQ_INT((int64_t)d->nby_symbol, (int64_t)json_array_size(a));
  CHECK_EQ_INT((int64_t)d->s.nsymbols, (int64_t)d->nby_symbol);
  for (size_t i = 0; i < d->nby_symbol; i++) {
    json_t *o = json_array_get(a, i);
    const argo_symbol_block *b = daily ? &d->by_symbol[i].daily : &d->by_symbol[i].cumulative;
    CHECK_STR(d->s.symbols[i], jstr(o, "symbol"));
    CHECK_EQ_INT(b->fills, jnum(o, "fills"));
    CHECK_EQ_INT(b->round_trips, jnum(o, "round_trips"));
    CHECK_EQ_INT(b->winning, jnum(o, "winning"));
    CHECK_EQ_INT(b->losing, jnum(o, "losing"));
    CHECK_NEAR(b->win_rate, jnum(o, "win_rate"), 0);
    CHECK_NEAR(b->realized_pnl, jnum(o, "realized_pnl"), 0);
    CHECK_NEAR(b->unrealized_pnl, jnum(o, "unrealized_pnl"), 0);
    CHECK_NEAR(b->total_pnl, jnum(o, "total_pnl"), 0);
    CHECK_NEAR(b->fees, jnum(o, "fees"), 0);
    CHECK_NEAR(b->exposure, jnum(o, "exposure"), 0);
    CHECK_NEAR(b->buy_and_hold_return, jnum(o, "buy_and_hold_return"), 0);
  }
}

TEST(e2e_sessions_json_parses_and_holds_every_figure) {
  json_t *j =
      run_json("sessions --json", (char *[]){"sessions", "--json", "--data-output", data, NULL});
  CHECK(json_is_array(j));
  CHECK_EQ_INT(7, json_array_size(j));
  for (size_t i = 0; i < 7; i++) {
    json_t *row = json_array_get(j, i);
    char folder[64];
    snprintf(folder, sizeof folder, "%s/%s", jstr(row, "date"), jstr(row, "run"));
    CHECK_STR(folders[i], folder);
    argo__stats_doc d = read_stats(folder);
    CHECK_STR(d.s.session_id, jstr(row, "session_id"));
    CHECK_STR(d.s.status, jstr(row, "status"));
    CHECK_EQ_INT(d.s.candles_day, jnum(row, "candles"));
    CHECK_EQ_INT(d.s.daily.number_of_trades, jnum(row, "trades"));
    CHECK_EQ_INT(d.s.daily.number_of_trades, jnum(row, "fills"));
    CHECK_NEAR(d.s.daily.realized_pnl, jnum(row, "realized_pnl"), 0);
    CHECK_NEAR(d.s.daily.win_rate, jnum(row, "win_rate"), 0);
    CHECK_NEAR(d.s.daily.max_drawdown, jnum(row, "max_drawdown"), 0);
    CHECK_NEAR(d.s.equity, jnum(row, "equity"), 0);
    CHECK_EQ_INT(d.s.nsymbols, json_array_size(json_object_get(row, "symbols")));
    check_block(json_object_get(row, "daily"), &d.s.daily);
    check_block(json_object_get(row, "cumulative"), &d.s.cumulative);
    argo__stats_doc_free(&d);
  }
  json_decref(j);
}

TEST(e2e_stats_of_a_day_shows_the_day_and_the_session_to_date) {
  argo__stats_doc d = read_stats("2025-10-02/run_1");
  json_t *j = run_json("stats --json", (char *[]){"stats", "2025-10-02/run_1", "--json",
                                                  "--data-output", data, NULL});
  CHECK_STR(sid_a, jstr(j, "session_id"));
  json_t *days = json_object_get(j, "days");
  CHECK_EQ_INT(1, json_array_size(days));
  json_t *day = json_array_get(days, 0);
  CHECK_STR("2025-10-02", jstr(day, "date"));
  CHECK_STR("run_1", jstr(day, "run"));
  check_block(json_object_get(day, "daily"), &d.s.daily);
  json_t *sess = json_object_get(j, "session");
  check_block(sess, &d.s.cumulative);
  CHECK_EQ_INT(d.s.candles_total, jnum(sess, "candles"));
  json_decref(j);

  /* The text form carries the same figures, rounded as printed. */
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "stats", "2025-10-02/run_1", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_CONTAINS(o, sid_a);
  char want[128];
  snprintf(want, sizeof want, "realized pnl");
  char *row = strstr(o, want);
  CHECK_MSG(row != NULL, "no realized pnl row in:\n%s", o);
  char line[256];
  snprintf(line, sizeof line, "%.*s", (int)strcspn(row, "\n"), row);
  char *f[8];
  int n = fields(line + strlen("realized pnl"), f, 8);
  CHECK_EQ_INT(2, n);
  snprintf(want, sizeof want, "%.2f", d.s.daily.realized_pnl);
  CHECK_STR(want, f[0]);
  snprintf(want, sizeof want, "%.2f", d.s.cumulative.realized_pnl);
  CHECK_STR(want, f[1]);
  row = strstr(o, "\nfills");
  CHECK(row != NULL);
  snprintf(line, sizeof line, "%.*s", (int)strcspn(row + 1, "\n"), row + 1);
  n = fields(line + strlen("fills"), f, 8);
  CHECK_EQ_INT(2, n);
  CHECK_EQ_INT(d.s.daily.number_of_trades, atoll(f[0]));
  CHECK_EQ_INT(d.s.cumulative.number_of_trades, atoll(f[1]));
  free(o);
  free(e);
  argo__stats_doc_free(&d);
}

TEST(e2e_stats_of_a_session_and_of_latest) {
  /* A session id: its three days, oldest first, whose daily figures add up to the session's. */
  json_t *j =
      run_json("stats <id>", (char *[]){"stats", sid_a, "--json", "--data-output", data, NULL});
  json_t *days = json_object_get(j, "days");
  CHECK_EQ_INT(3, json_array_size(days));
  const char *want_days[3] = {"2025-10-01", "2025-10-02", "2025-10-03"};
  long long trades = 0;
  for (size_t i = 0; i < 3; i++) {
    json_t *day = json_array_get(days, i);
    CHECK_STR(want_days[i], jstr(day, "date"));
    char folder[64];
    snprintf(folder, sizeof folder, "%s/run_1", want_days[i]);
    argo__stats_doc d = read_stats(folder);
    check_block(json_object_get(day, "daily"), &d.s.daily);
    trades += d.s.daily.number_of_trades;
    argo__stats_doc_free(&d);
  }
  argo__stats_doc last = read_stats("2025-10-03/run_1");
  check_block(json_object_get(j, "session"), &last.s.cumulative);
  CHECK_EQ_INT(trades, jnum(json_object_get(j, "session"), "number_of_trades"));
  check_by_symbol(json_object_get(json_object_get(j, "session"), "by_symbol"), &last, 0);
  check_by_symbol(json_object_get(json_array_get(days, 2), "by_symbol"), &last, 1);
  CHECK_EQ_INT(3, last.s.cumulative.days);
  argo__stats_doc_free(&last);
  json_decref(j);

  /* The text: the later figures as rows, and a table by symbol of the session. */
  char *o = NULL, *e = NULL;
  last = read_stats("2025-10-03/run_1");
  int rc = tu_argo(&o, &e, "stats", sid_a, "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  static const char *const rows[] = {
      "round trips",   "profit factor", "expectancy", "return",   "buy and hold", "sharpe ratio",
      "sortino ratio", "calmar ratio",  "exposure",   "best day", "worst day"};
  for (size_t i = 0; i < ARGO_ARRAY_LEN(rows); i++) {
    char head[64];
    snprintf(head, sizeof head, "\n%s  ", rows[i]);
    CHECK_MSG(strstr(o, head) != NULL, "no row '%s' in:\n%s", rows[i], o);
  }
  /* The session column of the sharpe ratio row: three days, so a number. */
  char want[128], *row = strstr(o, "\nsharpe ratio");
  snprintf(want, sizeof want, "%.2f\n", last.s.cumulative.sharpe_ratio);
  CHECK_MSG(strncmp(row + strcspn(row + 1, "\n") + 1 - strlen(want) + 1, want, strlen(want)) == 0,
            "want the session's sharpe ratio %s in: %.80s", want, row);
  CHECK_CONTAINS(o, "by symbol, session to 2025-10-03/run_1");
  for (size_t i = 0; i < last.nby_symbol; i++) {
    const argo_symbol_block *b = &last.by_symbol[i].cumulative;
    snprintf(want, sizeof want, "\n%s  ", last.by_symbol[i].symbol);
    row = strstr(o, want);
    CHECK_MSG(row != NULL, "no row of %s in:\n%s", last.by_symbol[i].symbol, o);
    char line[256], *f[16];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(row + 1, "\n"), row + 1);
    int n = fields(line, f, 16);
    CHECK_MSG(n == 13, "%d fields: %s", n, line);
    CHECK_EQ_INT(b->fills, atoll(f[1]));
    CHECK_EQ_INT(b->round_trips, atoll(f[2]));
    snprintf(want, sizeof want, "%.2f", b->realized_pnl); /* after fills, trips, w / l, rate */
    CHECK_STR(want, f[7]);
    snprintf(want, sizeof want, "%.2f%%", b->buy_and_hold_return * 100);
    CHECK_STR(want, f[12]);
  }
  argo__stats_doc_free(&last);
  free(o);
  free(e);

  /* The first 8 characters of the id (the prefix of its order ids) name it too. */
  char prefix[16];
  snprintf(prefix, sizeof prefix, "%.8s", sid_b);
  j = run_json("stats <prefix>",
               (char *[]){"stats", prefix, "--json", "--data-output", data, NULL});
  CHECK_STR(sid_b, jstr(j, "session_id"));
  CHECK_EQ_INT(3, json_array_size(json_object_get(j, "days")));
  json_decref(j);

  /* latest: the session that wrote the newest day folder (2025-10-03/run_3). */
  argo__stats_doc c = read_stats("2025-10-03/run_3");
  j = run_json("stats latest",
               (char *[]){"stats", "latest", "--json", "--data-output", data, NULL});
  CHECK_STR(sid_c, jstr(j, "session_id"));
  days = json_object_get(j, "days");
  CHECK_EQ_INT(1, json_array_size(days));
  CHECK_STR("run_3", jstr(json_array_get(days, 0), "run"));
  check_block(json_object_get(j, "session"), &c.s.cumulative);
  argo__stats_doc_free(&c);
  json_decref(j);
}

/* latest is the session started last, whatever the dates of its day folders: a replay of
 * 2025-10-01 recorded after one of 2025-10-03 (before, latest named the newest date). */
TEST(e2e_latest_is_the_session_started_last) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("e2e-latest"));
  const char *starts[2] = {"2025-10-03T08:00:00Z", "2025-10-01T08:00:00Z"};
  for (int i = 0; i < 2; i++) {
    char *e = NULL;
    int rc = tu_argo(NULL, &e, "run", "--bars", "20", "--start", starts[i], "--data-output", dir,
                     "--quiet", NULL);
    CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
    free(e);
  }
  char p[4200];
  snprintf(p, sizeof p, "%s/2025-10-01/run_1/stats.yaml", dir);
  argo__stats_doc second = tu_read_stats(p);
  snprintf(p, sizeof p, "%s/2025-10-03/run_1/stats.yaml", dir);
  argo__stats_doc first = tu_read_stats(p);
  CHECK(first.started_at > 0 && second.started_at >= first.started_at);
  static const char *const cmds[2] = {"stats", "report"};
  for (int c = 0; c < 2; c++) {
    char *o = NULL, *e = NULL;
    int rc = c ? tu_argo(&o, &e, "report", "latest", "-o", "-", "--data-output", dir, NULL)
               : tu_argo(&o, &e, "stats", "latest", "--json", "--data-output", dir, NULL);
    CHECK_MSG(rc == 0, "%s latest: exit %d: %s", cmds[c], rc, e);
    CHECK_MSG(strstr(o, second.s.session_id) && !strstr(o, first.s.session_id),
              "%s latest does not name the session started last (%s)", cmds[c],
              second.s.session_id);
    free(o);
    free(e);
  }
  argo__stats_doc_free(&first);
  argo__stats_doc_free(&second);
  tu_rm_rf(dir);
}

/* sessions, stats, query, report and recover find the recording as argo run records it: from
 * --data-output, else engine.data_output of a --config file, else $ARGO_DATA_OUTPUT; argo run
 * records there too. */
TEST(e2e_commands_find_the_recording_by_config_file_and_environment) {
  char cfgfile[4300], yaml[4400], other[4300];
  snprintf(cfgfile, sizeof cfgfile, "%s.config.yaml", data);
  snprintf(yaml, sizeof yaml, "engine:\n  data_output: %s\n", data);
  tu_write_file(cfgfile, yaml);
  snprintf(other, sizeof other, "%s", tu_tmpdir("e2e-env-out"));
  char *o = NULL, *e = NULL;
  /* --config: the file's data output. */
  json_t *j =
      run_json("sessions --config", (char *[]){"sessions", "--json", "--config", cfgfile, NULL});
  CHECK_EQ_INT(7, json_array_size(j));
  json_decref(j);
  int rc = tu_argo(&o, &e, "stats", "latest", "--config", cfgfile, NULL);
  CHECK_MSG(rc == 0 && strstr(o, sid_c), "stats --config: exit %d: %s%s", rc, o, e);
  free(o);
  free(e);
  rc = tu_argo(&o, &e, "query", "SELECT count(*) AS n FROM stats", "--format", "csv", "--config",
               cfgfile, NULL);
  CHECK_MSG(rc == 0, "query --config: exit %d: %s", rc, e);
  CHECK_STR("n\n7\n", o);
  free(o);
  free(e);
  /* ARGO_DATA_OUTPUT, when neither says. */
  CHECK(setenv("ARGO_DATA_OUTPUT", data, 1) == 0);
  rc = tu_argo(&o, &e, "report", "latest", "-o", "-", NULL);
  CHECK_MSG(rc == 0 && strstr(o, sid_c), "report with ARGO_DATA_OUTPUT: exit %d: %s", rc, e);
  free(o);
  free(e);
  rc = tu_argo(&o, &e, "recover", NULL);
  CHECK_MSG(rc == 0 && strstr(o, "0 run-day folders finalized"), "recover: %d %s %s", rc, o, e);
  free(o);
  free(e);
  /* --data-output wins over both, the file over the environment. */
  rc = tu_argo(&o, &e, "sessions", "--config", cfgfile, "--data-output", other, NULL);
  CHECK_MSG(rc == 0 && strstr(o, "no sessions recorded in"), "%s %s", o, e);
  free(o);
  free(e);
  CHECK(setenv("ARGO_DATA_OUTPUT", other, 1) == 0);
  j = run_json("sessions env+config", (char *[]){"sessions", "--json", "--config", cfgfile, NULL});
  CHECK_EQ_INT(7, json_array_size(j));
  json_decref(j);
  /* argo run records where ARGO_DATA_OUTPUT says. */
  rc = tu_argo(NULL, &e, "run", "--bars", "5", "--quiet", NULL);
  CHECK_MSG(rc == 0, "run: exit %d: %s", rc, e);
  free(e);
  j = run_json("sessions env", (char *[]){"sessions", "--json", NULL});
  CHECK_EQ_INT(1, json_array_size(j));
  json_decref(j);
  unsetenv("ARGO_DATA_OUTPUT");
  /* A config file that cannot be read: one line, exit 2. */
  tu_check_refused("nosuch.yaml", NULL,
                   (char *[]){"stats", "latest", "--config", "nosuch.yaml", NULL});
  unlink(cfgfile);
  tu_rm_rf(other);
}

/* Runs `argo query SQL --format csv` and returns the output lines after the header. */
static char *query_csv(const char *sql, const char *header) {
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "query", sql, "--format", "csv", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "query exit %d: %s\n  SQL: %s", rc, e, sql);
  size_t hl = strlen(header);
  CHECK_MSG(strncmp(o, header, hl) == 0 && o[hl] == '\n', "header of %s: %s", sql, o);
  char *rows = strdup(o + hl + 1);
  free(o);
  free(e);
  return rows;
}

TEST(e2e_query_spans_every_day_and_run_and_joins_them) {
  tu_db db;
  tu_db_open(&db);
  /* Fills per day folder equal what DuckDB reads from each file directly. */
  char *rows = query_csv("SELECT date, run, session_id, count(*) AS n FROM trades GROUP BY ALL "
                         "ORDER BY date DESC, run DESC",
                         "date,run,session_id,n");
  int64_t total = 0, folders_with_fills = 0;
  char *save = NULL, *line = strtok_r(rows, "\n", &save);
  for (int i = 0; i < 7; i++) {
    char sql[8800], file[8400];
    snprintf(file, sizeof file, "%s/%s/trades.parquet", data, folders[i]);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(file));
    int64_t want = tu_q_int(&db, sql);
    total += want;
    if (want == 0) {
      continue;
    }
    folders_with_fills++;
    CHECK_MSG(line != NULL, "no row for %s", folders[i]);
    argo__stats_doc d = read_stats(folders[i]);
    char expect[256];
    snprintf(expect, sizeof expect, "%.10s,%s,%s,%lld", folders[i], folders[i] + 11, d.s.session_id,
             (long long)want);
    CHECK_STR(expect, line);
    argo__stats_doc_free(&d);
    line = strtok_r(NULL, "\n", &save);
  }
  CHECK_MSG(line == NULL, "extra row: %s", line);
  CHECK(folders_with_fills >= 6);
  free(rows);

  /* Every fill joins its order, recorded in the same day folder. */
  char want[64];
  snprintf(want, sizeof want, "%lld\n", (long long)total);
  rows = query_csv("SELECT count(*) AS n FROM trades t JOIN orders o ON o.order_id = t.order_id "
                   "AND o.date = t.date AND o.run = t.run",
                   "n");
  CHECK_STR(want, rows);
  free(rows);
  /* The stats table agrees with the files: one row per day folder, fills per session. */
  rows = query_csv("SELECT count(*) AS folders, sum(daily_number_of_trades) AS fills FROM stats",
                   "folders,fills");
  snprintf(want, sizeof want, "7,%lld\n", (long long)total);
  CHECK_STR(want, rows);
  free(rows);
  rows = query_csv("WITH a AS (SELECT session_id, max(cumulative_number_of_trades) AS c FROM "
                   "stats GROUP BY 1), b AS (SELECT session_id, count(*) AS n FROM trades GROUP "
                   "BY 1) SELECT session_id, a.c = b.n AS same FROM a JOIN b USING (session_id) "
                   "ORDER BY 1",
                   "session_id,same");
  CHECK_MSG(tu_count_lines(rows) == 3 && !strstr(rows, "false"), "per session: %s", rows);
  free(rows);
  /* Candles of session A on its middle day, through the view and straight from the file. */
  char sql[8800], file[8400];
  snprintf(file, sizeof file, "%s/2025-10-02/run_1/market_data.parquet", data);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(file));
  snprintf(want, sizeof want, "%lld\n", (long long)tu_q_int(&db, sql));
  char q[512];
  snprintf(q, sizeof q,
           "SELECT count(*) AS n FROM market_data WHERE session_id = %s AND date = "
           "'2025-10-02'",
           tu_sql_str(sid_a));
  rows = query_csv(q, "n");
  CHECK_STR(want, rows);
  free(rows);
  tu_db_close(&db);
}

TEST(e2e_query_formats_parse) {
  /* JSON: an array of objects with typed values. */
  json_t *j = run_json("query json",
                       (char *[]){"query",
                                  "SELECT date, run, count(*) AS n, sum(pnl) AS pnl, "
                                  "min(executed_at) AS first FROM trades GROUP BY ALL ORDER BY ALL",
                                  "--format", "json", "--data-output", data, NULL});
  CHECK(json_is_array(j));
  CHECK(json_array_size(j) >= 6);
  json_t *row = json_array_get(j, 0);
  CHECK_STR("2025-10-01", jstr(row, "date"));
  CHECK_STR("run_1", jstr(row, "run"));
  CHECK(json_is_integer(json_object_get(row, "n")));
  CHECK(json_is_real(json_object_get(row, "pnl")));
  CHECK_CONTAINS(jstr(row, "first"), "2025-10-01T");
  argo__stats_doc d = read_stats("2025-10-01/run_1");
  CHECK_EQ_INT(d.s.daily.number_of_trades, jnum(row, "n"));
  CHECK_NEAR(d.s.daily.realized_pnl, jnum(row, "pnl"), 1e-9);
  argo__stats_doc_free(&d);
  json_decref(j);
  /* Lists come out as JSON arrays. */
  j = run_json("query json list", (char *[]){"query",
                                             "SELECT symbols FROM stats WHERE run = 'run_1' AND "
                                             "date = '2025-10-01'",
                                             "--format", "json", "--data-output", data, NULL});
  json_t *syms = json_object_get(json_array_get(j, 0), "symbols");
  CHECK(json_is_array(syms));
  CHECK_EQ_INT(2, json_array_size(syms));
  json_decref(j);
  /* CSV: text with a comma and a quote is quoted, quotes doubled. */
  char *rows = query_csv("SELECT 'a,\"b\"' AS t, 1 AS n", "t,n");
  CHECK_STR("\"a,\"\"b\"\"\",1\n", rows);
  free(rows);
  /* Table: header, rule, rows, count. */
  char *o = NULL, *e = NULL;
  CHECK_EQ_INT(
      0, tu_argo(&o, &e, "query", "SELECT 42 AS answer, 'x' AS s", "--data-output", data, NULL));
  CHECK_STR("answer  s\n------  -\n    42  x\n(1 row)\n", o);
  free(o);
  free(e);
}

TEST(e2e_bad_runs_sql_and_folders_give_one_line_and_exit_2) {
  char missing[8192], html[8192];
  snprintf(missing, sizeof missing, "%s/nosuch", data);
  snprintf(html, sizeof html, "%s/r.html", data);
  tu_check_refused("not a run name", NULL,
                   (char *[]){"stats", "frobnicate", "--data-output", data, NULL});
  tu_check_refused("not a run name", NULL,
                   (char *[]){"stats", "2025-13-01/run_1", "--data-output", data, NULL});
  tu_check_refused("2025-10-09/run_1", NULL,
                   (char *[]){"stats", "2025-10-09/run_1", "--data-output", data, NULL});
  tu_check_refused("is a date", NULL,
                   (char *[]){"stats", "2025-10-02", "--data-output", data, NULL});
  tu_check_refused("no session", NULL,
                   (char *[]){"stats", "0123456789abcdef", "--data-output", data, NULL});
  tu_check_refused(
      "2025-10-09/run_7", NULL,
      (char *[]){"report", "2025-10-09/run_7", "-o", html, "--data-output", data, NULL});
  tu_check_refused("syntax error", NULL,
                   (char *[]){"query", "SELEC 1", "--data-output", data, NULL});
  tu_check_refused("nope", NULL,
                   (char *[]){"query", "SELECT * FROM nope", "--data-output", data, NULL});
  tu_check_refused("xml", NULL,
                   (char *[]){"query", "SELECT 1", "--format", "xml", "--data-output", data, NULL});
  tu_check_refused(
      "not a run name", NULL,
      (char *[]){"query", "SELECT 1", "--run", "bad/name", "--data-output", data, NULL});
  tu_check_refused("nosuch", NULL, (char *[]){"sessions", "--data-output", missing, NULL});
  tu_check_refused("nosuch", NULL, (char *[]){"stats", "latest", "--data-output", missing, NULL});
  tu_check_refused("nosuch", NULL, (char *[]){"query", "SELECT 1", "--data-output", missing, NULL});
  tu_check_refused("nosuch", NULL, (char *[]){"report", "latest", "--data-output", missing, NULL});
  tu_check_refused("--frobnicate", NULL, (char *[]){"sessions", "--frobnicate", NULL});
  tu_check_refused("which run", NULL, (char *[]){"stats", "--data-output", data, NULL});
  CHECK(!argo__fs_exists(html));
}

TEST(e2e_query_with_several_statements_prints_the_last_one) {
  char *rows = query_csv("SELECT 1 AS first; SELECT 2 AS second", "second");
  CHECK_STR("2\n", rows);
  free(rows);
  /* Every statement runs, in order: the last one reads what the first one made. The ';' inside
   * a string and a comment does not end a statement. */
  char want[64];
  rows = query_csv("SELECT count(*) AS n FROM trades", "n");
  snprintf(want, sizeof want, "%s", rows);
  free(rows);
  rows = query_csv("CREATE TEMP TABLE x AS SELECT count(*) AS n, 'a;b' AS s FROM trades; -- c;\n"
                   "SELECT n FROM x WHERE s = 'a;b' /* ; */;",
                   "n");
  CHECK_STR(want, rows);
  free(rows);
  /* The last statement's lists still come out as JSON arrays in a script. */
  json_t *j = run_json("query json script",
                       (char *[]){"query",
                                  "CREATE TEMP TABLE y AS SELECT symbols FROM stats WHERE run = "
                                  "'run_1' AND date = '2025-10-01'; SELECT symbols FROM y",
                                  "--format", "json", "--data-output", data, NULL});
  json_t *syms = json_object_get(json_array_get(j, 0), "symbols");
  CHECK_MSG(json_is_array(syms), "symbols is not an array");
  CHECK_EQ_INT(2, json_array_size(syms));
  json_decref(j);
  /* A statement that fails, first or in the middle: one line, exit 2, nothing printed. */
  tu_check_refused(
      "nope", NULL,
      (char *[]){"query", "SELECT * FROM nope; SELECT 1", "--data-output", data, NULL});
  tu_check_refused("nope", NULL,
                   (char *[]){"query", "SELECT 1 AS a; SELECT * FROM nope; SELECT 3",
                              "--data-output", data, NULL});
  tu_check_refused("syntax error", NULL,
                   (char *[]){"query", "SELECT 1; SELEC 2", "--data-output", data, NULL});
}

/* The path of the chromium binary, or NULL. */
static const char *find_chromium(void) {
  static char path[4096];
  const char *env = getenv("PATH");
  char dirs[8192];
  snprintf(dirs, sizeof dirs, "%s:/usr/bin:/usr/local/bin", env ? env : "");
  char *save = NULL;
  for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    const char *names[2] = {"chromium", "chromium-browser"};
    for (int i = 0; i < 2; i++) {
      snprintf(path, sizeof path, "%s/%s", d, names[i]);
      if (access(path, X_OK) == 0) {
        return path;
      }
    }
  }
  return NULL;
}

/* Value of attribute name in the <body ...> tag of html, or -1. */
static long body_attr(const char *html, const char *name) {
  const char *body = strstr(html, "<body");
  CHECK_MSG(body != NULL, "no <body> in the DOM");
  const char *end = strchr(body, '>');
  char key[64];
  snprintf(key, sizeof key, " %s=\"", name);
  const char *a = strstr(body, key);
  if (!a || a > end) {
    return -1;
  }
  return strtol(a + strlen(key), NULL, 10);
}

static void artifacts_dir(char *out, size_t len) {
  snprintf(out, len, "%s/tests/artifacts", ARGO_BUILD_DIR);
  char err[256];
  CHECK_MSG(argo__fs_mkdir_p(out, 0755, err, sizeof err) == 0, "%s", err);
}

/* 1 when this machine can run a program in a network namespace of its own (nothing but a
 * loopback that is down): unshare -rn (user and network namespaces). */
static int have_netns(void) {
  static int known = -1;
  if (known < 0) {
    char *argv[] = {"/usr/bin/unshare", "-rn", "/bin/true", NULL};
    char *o = NULL, *e = NULL;
    known = access(argv[0], X_OK) == 0 && tu_run(argv, &o, &e) == 0;
    free(o);
    free(e);
    if (!known) {
      fprintf(stderr, "note: unshare -rn is not available: Chromium runs with a dead proxy and "
                      "no name resolution instead of without a network\n");
    }
  }
  return known;
}

/* Opens file in headless Chromium and returns the DOM after the page's scripts ran (or writes a
 * screenshot when png is set). With isolated set it has no network at all: it runs in a network
 * namespace of its own where nothing can be reached (or, where that is not possible, with every
 * request sent to a dead proxy, loopback included, and no name resolution). */
static char *chromium_run(const char *file, const char *png, int isolated) {
  const char *bin = find_chromium();
  CHECK_MSG(bin != NULL, "chromium is not installed: the report test needs Debian's chromium "
                         "package (scripts/bootstrap.sh installs it)");
  char profile[4096], url[8192], shot[8192];
  snprintf(profile, sizeof profile, "%s", tu_tmpdir("chromium-profile"));
  char udd[4200];
  snprintf(udd, sizeof udd, "--user-data-dir=%s", profile);
  snprintf(url, sizeof url, "file://%s", file);
  snprintf(shot, sizeof shot, "--screenshot=%s", png ? png : "");
  char *argv[40];
  int n = 0;
  argv[n++] = "/usr/bin/timeout";
  argv[n++] = "120";
  if (isolated && have_netns()) {
    argv[n++] = "/usr/bin/unshare";
    argv[n++] = "-rn";
  }
  argv[n++] = (char *)bin;
  char *flags[] = {"--headless",
                   "--no-sandbox",
                   "--disable-gpu",
                   "--disable-quic",
                   "--no-first-run",
                   "--disable-background-networking",
                   "--disable-component-update",
                   "--disable-sync",
                   "--disable-dev-shm-usage",
                   udd,
                   png ? shot : "--dump-dom",
                   png ? "--window-size=1400,2000" : "--virtual-time-budget=10000",
                   NULL};
  for (int i = 0; flags[i]; i++) {
    argv[n++] = flags[i];
  }
  if (isolated) {
    /* Also in the namespace, where they change nothing: a second fence. */
    argv[n++] = "--proxy-server=127.0.0.1:9";
    argv[n++] = "--proxy-bypass-list=<-loopback>";
    argv[n++] = "--host-resolver-rules=MAP * ~NOTFOUND";
  }
  argv[n++] = url;
  argv[n] = NULL;
  char *o = NULL, *e = NULL;
  int rc = tu_run(argv, &o, &e);
  tu_rm_rf(profile);
  CHECK_MSG(rc == 0, "chromium exited %d: %s", rc, e);
  free(e);
  return o;
}

static char *chromium(const char *file, const char *png) {
  return chromium_run(file, png, 1);
}

/* A process that accepts TCP connections on 127.0.0.1 and closes each at once (so that a
 * browser's request ends instead of waiting for an answer), telling the test of each one by a
 * byte on a pipe. */
typedef struct canary {
  pid_t pid;
  int port;
  int seen; /* read end of the pipe, non-blocking */
} canary;

static void canary_start(canary *c) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  CHECK(bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 16) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
  c->port = ntohs(sa.sin_port);
  int p[2];
  CHECK(pipe2(p, O_CLOEXEC) == 0);
  c->pid = fork();
  CHECK(c->pid >= 0);
  if (c->pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(p[0]);
    for (;;) {
      int conn = accept(fd, NULL, NULL);
      if (conn >= 0) {
        close(conn);
        if (write(p[1], "x", 1) != 1) {
          _exit(1);
        }
      }
    }
  }
  close(fd);
  close(p[1]);
  c->seen = p[0];
  fcntl(c->seen, F_SETFL, O_NONBLOCK);
}

/* Connections accepted since the last call. */
static int canary_count(canary *c) {
  char buf[256];
  int n = 0;
  ssize_t r;
  while ((r = read(c->seen, buf, sizeof buf)) > 0) {
    n += (int)r;
  }
  return n;
}

static void canary_stop(canary *c) {
  kill(c->pid, SIGKILL);
  waitpid(c->pid, NULL, 0);
  close(c->seen);
}

TEST(e2e_chromium_of_the_report_test_has_no_network) {
  /* A page that asks for the network in every way a page can; a listener that counts what
   * reaches it. Chromium as the report test starts it must not reach it; started plainly, it
   * must (else this check could not fail). */
  canary c;
  canary_start(&c);
  char dir[8192], page[8400], html[4096];
  artifacts_dir(dir, sizeof dir);
  snprintf(page, sizeof page, "%s/network-canary.html", dir);
  snprintf(html, sizeof html,
           "<!doctype html><html><body><img src=\"http://127.0.0.1:%d/img.png\">"
           "<iframe src=\"http://127.0.0.1:%d/frame\"></iframe>"
           "<script>fetch('http://127.0.0.1:%d/fetch').catch(function () {});"
           "var x = new XMLHttpRequest(); x.open('GET', 'http://127.0.0.1:%d/xhr'); x.send();"
           "</script></body></html>\n",
           c.port, c.port, c.port, c.port);
  tu_write_file(page, html);
  free(chromium_run(page, NULL, 1));
  int isolated = canary_count(&c);
  free(chromium_run(page, NULL, 0));
  int plain = canary_count(&c);
  canary_stop(&c);
  CHECK_MSG(isolated == 0, "%d connections reached the network from the isolated Chromium",
            isolated);
  CHECK_MSG(plain > 0, "the canary page reached nothing even without isolation: the check "
                       "proves nothing");
}

/* The data the page embeds, parsed. */
static json_t *page_data(const char *html) {
  const char *tag = "<script type=\"application/json\" id=\"argo-data\">";
  const char *a = strstr(html, tag);
  CHECK(a != NULL);
  a += strlen(tag);
  const char *b = strstr(a, "</script>");
  CHECK(b != NULL);
  json_error_t je;
  json_t *j = json_loadb(a, (size_t)(b - a), 0, &je);
  CHECK_MSG(j != NULL, "embedded data is not JSON: %s", je.text);
  return j;
}

/* The value of attribute name of <body> in a DOM as Chromium prints it, entities decoded
 * (malloc'ed), or NULL. */
static char *body_attr_text(const char *dom, const char *name) {
  const char *b = strstr(dom, "<body");
  const char *end = b ? strchr(b, '>') : NULL;
  char key[64];
  snprintf(key, sizeof key, " %s=\"", name);
  const char *a = b ? strstr(b, key) : NULL;
  if (!a || a > end) {
    return NULL;
  }
  a += strlen(key);
  const char *z = strchr(a, '"');
  char *out = malloc((size_t)(z - a) + 1), *o = out;
  static const struct {
    const char *ent;
    char c;
  } ents[] = {{"&quot;", '"'}, {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&#39;", '\''}};
  while (a < z) {
    size_t k = 0;
    for (; k < sizeof ents / sizeof ents[0]; k++) {
      if (strncmp(a, ents[k].ent, strlen(ents[k].ent)) == 0) {
        *o++ = ents[k].c;
        a += strlen(ents[k].ent);
        break;
      }
    }
    if (k == sizeof ents / sizeof ents[0]) {
      *o++ = *a++;
    }
  }
  *o = '\0';
  return out;
}

static json_t *jget(json_t *o, const char *path) {
  char key[128];
  snprintf(key, sizeof key, "%s", path);
  json_t *v = o;
  for (char *save = NULL, *k = strtok_r(key, ".", &save); k && v; k = strtok_r(NULL, ".", &save)) {
    v = json_object_get(v, k);
  }
  CHECK_MSG(v != NULL, "the page's check has no %s", path);
  return v;
}

/* The report in use, in Chromium: tests/report_check.js, injected into a copy of the page, uses
 * it through pointer events and clicks and says what it saw (body data-check). j is the page's
 * data. */
static void check_report_in_use(const char *file, json_t *j, const char *last_folder,
                                int want_days) {
  char *html = tu_read_file(file), script[4200], checked[8400];
  snprintf(script, sizeof script, "%s/tests/report_check.js", ARGO_SOURCE_DIR);
  char *js = tu_read_file(script);
  CHECK(html && js);
  char *at = strstr(html, "</body>");
  CHECK(at != NULL);
  snprintf(checked, sizeof checked, "%.*s-check.html", (int)(strlen(file) - 5), file);
  size_t n = strlen(html) + strlen(js) + 64;
  char *page = malloc(n);
  snprintf(page, n, "%.*s<script>\n%s</script>\n%s", (int)(at - html), html, js, at);
  tu_write_file(checked, page);
  free(page);
  free(js);
  free(html);
  char *dom = chromium(checked, NULL);
  char *text = body_attr_text(dom, "data-check");
  CHECK_MSG(text != NULL, "report_check.js did not finish: %.600s", strstr(dom, "<body"));
  json_error_t je;
  json_t *c = json_loads(text, 0, &je);
  CHECK_MSG(c != NULL, "data-check is not JSON (%s): %.300s", je.text, text);
  json_t *errs = jget(c, "errors");
  CHECK_MSG(json_array_size(errs) == 0, "the page in use: %s", json_dumps(errs, 0));
  free(text);
  free(dom);

  /* Charts: a candlestick chart per symbol, with every candle the page holds (the fixture's
   * fit unmerged), a marker for each of its fills on the price and one for each mark in the
   * marks lane above the candles, a dashed line at each UTC midnight (checked in the page);
   * then the equity chart (equity, buy and hold, capital) and the drawdown chart. */
  json_t *charts = jget(c, "charts"), *syms = json_object_get(j, "symbols");
  size_t nsym = json_array_size(syms);
  CHECK_EQ_INT((int64_t)nsym + 2, (int64_t)json_array_size(charts));
  for (size_t k = 0; k < nsym; k++) {
    const char *sym = json_string_value(json_array_get(syms, k));
    json_t *ch = json_array_get(charts, k);
    char label[64];
    snprintf(label, sizeof label, "%s candles", sym);
    CHECK_STR(label, jstr(ch, "label"));
    json_t *cd = json_object_get(json_object_get(j, "candles"), sym);
    CHECK_EQ_INT((int64_t)json_array_size(json_object_get(cd, "t")), jnum(ch, "candles"));
    CHECK(jnum(ch, "candles") >= 10);
    long fills = 0, marks = 0;
    json_t *fl = json_object_get(j, "fills"), *mk = json_object_get(j, "marks");
    for (size_t f = 0; f < json_array_size(fl); f++) {
      fills += strcmp(json_string_value(json_array_get(json_array_get(fl, f), 1)), sym) == 0;
    }
    for (size_t m = 0; m < json_array_size(mk); m++) {
      marks += strcmp(json_string_value(json_array_get(json_array_get(mk, m), 1)), sym) == 0;
    }
    CHECK_MSG(fills > 0, "no fills of %s in the page", sym);
    CHECK_EQ_INT(fills, jnum(ch, "fills"));
    CHECK_EQ_INT(marks, jnum(ch, "marks"));
    CHECK(json_is_true(json_object_get(ch, "lane")));
    CHECK(json_is_true(json_object_get(ch, "marks_in_lane")));
    CHECK(json_is_true(json_object_get(ch, "fills_below_lane")));
    CHECK(jnum(ch, "ticks") >= 3);
    CHECK(jnum(ch, "days") >= want_days - 1); /* the midnights inside, checked in the page */
  }
  CHECK(jnum(json_array_get(charts, nsym), "lines") >= 3);
  CHECK(jnum(json_array_get(charts, nsym + 1), "lines") >= 1);

  /* The shared window: a wheel zooms every chart (by 0.8 around the pointer), a drag moves it
   * to later times, the crosshair shows in every chart with the candle under it, reset shows
   * everything again. */
  json_t *zb = jget(c, "zoom.before"), *za = jget(c, "zoom.after");
  double span0 =
      json_number_value(json_array_get(zb, 1)) - json_number_value(json_array_get(zb, 0));
  double span1 =
      json_number_value(json_array_get(za, 1)) - json_number_value(json_array_get(za, 0));
  CHECK_NEAR(0.8 * span0, span1, 2);
  CHECK(json_is_true(jget(c, "zoom.shared")));
  json_t *pa = jget(c, "pan.after");
  CHECK(json_number_value(json_array_get(pa, 0)) > json_number_value(json_array_get(za, 0)));
  CHECK_NEAR(span1,
             json_number_value(json_array_get(pa, 1)) - json_number_value(json_array_get(pa, 0)),
             2);
  json_t *cross = jget(c, "cross");
  for (size_t k = 0; k < json_array_size(cross); k++) {
    CHECK(json_is_true(json_object_get(json_array_get(cross, k), "visible")));
  }
  const char *readout = jstr(json_array_get(cross, 0), "text");
  CHECK_MSG(strstr(readout, "  O ") && strstr(readout, "  H ") && strstr(readout, "  C "),
            "crosshair readout: %s", readout);
  CHECK(json_is_true(jget(c, "cross_hidden")));
  CHECK(json_equal(zb, jget(c, "reset")));

  /* Tables. */
  argo__stats_doc d = read_stats(last_folder);
  json_t *stats = jget(c, "tables.statistics"), *cells = json_object_get(stats, "cells");
  json_t *held = json_object_get(cells, "avg holding time");
  CHECK(json_is_array(held));
  char want[64];
  argo_duration_format(d.s.cumulative.holding_avg, want, sizeof want);
  CHECK_STR(want, json_string_value(json_array_get(held, json_array_size(held) - 1)));
  snprintf(want, sizeof want, "%.2f", d.s.cumulative.sharpe_ratio);
  if (d.s.cumulative.days < 2) {
    snprintf(want, sizeof want, "-");
  }
  json_t *sharpe = json_object_get(cells, "sharpe ratio");
  CHECK_STR(want, json_string_value(json_array_get(sharpe, json_array_size(sharpe) - 1)));
  CHECK_STR(want, jstr(jget(c, "figures"), "sharpe_ratio"));
  snprintf(want, sizeof want, "%.2f%%", d.s.cumulative.buy_and_hold_return * 100);
  CHECK_STR(want, jstr(jget(c, "figures"), "buy_and_hold_return"));
  CHECK_EQ_INT(jnum(stats, "rows") + 1, jnum(stats, "csv_lines"));

  json_t *bysym = jget(c, "tables.by-symbol");
  CHECK_EQ_INT((int64_t)d.nby_symbol, jnum(bysym, "rows"));
  CHECK_EQ_INT((int64_t)d.nby_symbol + 1, jnum(bysym, "csv_lines"));

  /* Round trips: one per piece the statistics counted on the days shown. */
  int64_t pieces = 0;
  json_t *days = json_object_get(j, "days");
  for (size_t k = 0; k < json_array_size(days); k++) {
    pieces += (int64_t)jnum(json_object_get(json_array_get(days, k), "daily"), "holding_count");
  }
  json_t *trips = jget(c, "tables.round-trips");
  CHECK(pieces > 0);
  CHECK_EQ_INT(pieces, jnum(trips, "rows"));
  CHECK_EQ_INT(pieces, (int64_t)json_array_size(json_object_get(j, "trips")));
  CHECK(json_is_true(json_object_get(trips, "ascending")));
  CHECK(json_is_true(json_object_get(trips, "descending")));
  CHECK_EQ_INT(pieces + 1, jnum(trips, "csv_lines"));
  CHECK_MSG(
      strncmp(jstr(trips, "csv_head"), "exit_time,day,symbol,side,quantity,entry_time,", 46) == 0,
      "round trips CSV header: %s", jstr(trips, "csv_head"));
  /* The CSV is in the order shown (sorted by pnl, descending): the first rows agree. */
  char first_exit[32];
  snprintf(first_exit, sizeof first_exit, "%.10sT%.5s", jstr(trips, "first_text"),
           jstr(trips, "first_text") + 11);
  CHECK_MSG(strncmp(jstr(trips, "csv_first"), first_exit, strlen(first_exit)) == 0,
            "CSV first row %s, table %s", jstr(trips, "csv_first"), jstr(trips, "first_text"));

  json_t *fills = jget(c, "tables.fills");
  CHECK_EQ_INT((int64_t)json_array_size(json_object_get(j, "fills")), jnum(fills, "rows"));
  CHECK(json_is_true(json_object_get(fills, "ascending")));
  CHECK_EQ_INT(jnum(fills, "rows") + 1, jnum(fills, "csv_lines"));
  CHECK_EQ_INT(4, (int64_t)json_array_size(jget(c, "downloads")));
  argo__stats_doc_free(&d);
  json_decref(c);
}

/* trades_glob: the trades files of the days the report shows, under data. */
static void check_report(const char *run, const char *name, int want_days, int want_symbols,
                         const char *last_folder, const char *trades_glob) {
  char dir[8192], file[8400], png[8400];
  artifacts_dir(dir, sizeof dir);
  snprintf(file, sizeof file, "%s/%s.html", dir, name);
  snprintf(png, sizeof png, "%s/%s.png", dir, name);
  unlink(file);
  unlink(png);
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "report", run, "-o", file, "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "report exit %d: %s", rc, e);
  free(o);
  free(e);
  char *html = tu_read_file(file);
  CHECK_MSG(html != NULL, "no report at %s", file);
  /* Self-contained: nothing to fetch. The only URLs are the SVG and XHTML namespace names,
   * which are names, never fetched. */
  static const char *const fetchers[] = {
      "<script src", "<link",       "@import",    "url(",    "<img",
      "<iframe",     "<object",     "<embed",     "fetch(",  "XMLHttpRequest",
      "WebSocket",   "EventSource", "sendBeacon", "import(", NULL};
  for (int i = 0; fetchers[i]; i++) {
    CHECK_MSG(!strcasestr(html, fetchers[i]), "the report holds '%s'", fetchers[i]);
  }
  for (const char *p = html; (p = strcasestr(p, "http")) != NULL; p++) {
    if (strncasecmp(p, "http://", 7) != 0 && strncasecmp(p, "https://", 8) != 0) {
      continue;
    }
    CHECK_MSG(strncmp(p, "http://www.w3.org/2000/svg", 26) == 0 ||
                  strncmp(p, "http://www.w3.org/1999/xhtml", 28) == 0,
              "the report refers to %.80s", p);
  }
  /* The curves are recomputed from the files: they end where stats.yaml says. */
  json_t *j = page_data(html);
  json_t *check = json_object_get(j, "check");
  argo__stats_doc d = read_stats(last_folder);
  CHECK_NEAR(d.s.equity, jnum(check, "equity_file"), 0);
  CHECK_NEAR(d.s.equity, jnum(check, "equity_replayed"), 1e-6);
  CHECK_NEAR(d.s.cumulative.max_drawdown, jnum(check, "max_drawdown_replayed"), 1e-9);
  CHECK_EQ_INT(want_days, json_array_size(json_object_get(j, "days")));
  CHECK_EQ_INT(want_symbols, json_array_size(json_object_get(j, "symbols")));
  CHECK(json_array_size(json_object_get(json_object_get(j, "equity"), "t")) > 10);
  argo__stats_doc_free(&d);
  /* The page embeds every fill of the days shown, as DuckDB reads them from the files. */
  tu_db db;
  tu_db_open(&db);
  char sql[9000], files[8400];
  snprintf(files, sizeof files, "%s/%s/trades.parquet", data, trades_glob);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", tu_sql_str(files));
  CHECK_EQ_INT(tu_q_int(&db, sql), json_array_size(json_object_get(j, "fills")));
  tu_db_close(&db);
  free(html);

  char *dom = chromium(file, NULL);
  long charts = body_attr(dom, "data-charts"), expected = body_attr(dom, "data-charts-expected");
  long errors = body_attr(dom, "data-errors"), done = body_attr(dom, "data-done");
  const char *body = strstr(dom, "<body");
  CHECK_MSG(done == 1, "the page's script did not finish: %.300s", body);
  CHECK_MSG(errors == 0, "script errors in the page: %.600s", body);
  CHECK_EQ_INT(want_symbols + 2, expected);
  CHECK_EQ_INT(expected, charts);
  free(dom);
  check_report_in_use(file, j, last_folder, want_days);
  json_decref(j);

  char *shot = chromium(file, png);
  free(shot);
  struct stat sb;
  CHECK_MSG(stat(png, &sb) == 0 && sb.st_size > 20000, "no screenshot at %s", png);
  char *head = tu_read_file(png);
  CHECK(head && memcmp(head, "\x89PNG", 4) == 0);
  free(head);
}

TEST(e2e_report_of_a_session_renders_in_chromium) {
  check_report(sid_a, "report-session", 3, 2, "2025-10-03/run_1", "2025-10-0?/run_1");
}

TEST(e2e_report_of_one_day_renders_in_chromium) {
  check_report("2025-10-02/run_2", "report-day", 1, 1, "2025-10-02/run_2", "2025-10-02/run_2");
}

/* The cells that follow the cell "label" of a table in a DOM, as text (n of them). */
static void cells_after(const char *dom, const char *label, char out[][32], int n) {
  char key[128];
  snprintf(key, sizeof key, ">%s</td>", label);
  const char *p = strstr(dom, key);
  CHECK_MSG(p != NULL, "no cell '%s' in the page", label);
  for (int i = 0; i < n; i++) {
    p = strstr(p + 1, "<td");
    CHECK(p != NULL);
    const char *a = strchr(p, '>') + 1, *b = strstr(a, "</td>");
    snprintf(out[i], 32, "%.*s", (int)(b - a), a);
  }
}

/* A holding time that rounds up to the next minute reads the same in argo stats and in the
 * report (it read 3h 00m in one and 2h 59m in the other). */
TEST(e2e_report_and_stats_show_the_same_holding_time_in_chromium) {
  char dir[8192], day[8400], cmd[17000], path[8500];
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("e2e-holding"));
  snprintf(day, sizeof day, "%s/2025-10-03", dir);
  CHECK(mkdir(day, 0755) == 0);
  snprintf(cmd, sizeof cmd, "%s/2025-10-03/run_3", data);
  char *argv[] = {"/bin/cp", "-r", cmd, day, NULL};
  CHECK_EQ_INT(0, tu_run(argv, NULL, NULL));
  snprintf(path, sizeof path, "%s/run_3/stats.yaml", day);
  char *yaml = tu_read_file(path);
  CHECK(yaml != NULL);
  /* Every avg of a holding time block becomes 10799.6 s: 2 h 59 min 59.6 s. */
  argo__sb sb;
  argo__sb_init(&sb);
  for (const char *p = yaml; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
    const char *avg = strstr(p, "avg: ");
    if (avg && avg < p + len) {
      argo__sb_printf(&sb, "%.*savg: 10799.6\n", (int)(avg - p), p);
    } else {
      argo__sb_add(&sb, p, len);
    }
    p += len;
  }
  tu_write_file(path, argo__sb_str(&sb));
  argo__sb_free(&sb);
  free(yaml);
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "stats", "2025-10-03/run_3", "--data-output", dir, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  char *row = strstr(o, "\navg holding time");
  CHECK(row != NULL);
  char line[256], *f[8];
  snprintf(line, sizeof line, "%.*s", (int)strcspn(row + 1, "\n"), row + 1);
  CHECK_EQ_INT(7, fields(line, f, 8)); /* avg holding time 3h 00m 3h 00m */
  CHECK_STR("3h", f[3]);
  CHECK_STR("00m", f[4]);
  free(o);
  free(e);
  char file[8400];
  snprintf(file, sizeof file, "%s/report.html", dir);
  rc = tu_argo(&o, &e, "report", "2025-10-03/run_3", "-o", file, "--data-output", dir, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(o);
  free(e);
  char *dom = chromium(file, NULL);
  char cells[2][32];
  cells_after(dom, "avg holding time", cells, 2);
  CHECK_STR("3h 00m", cells[0]);
  CHECK_STR("3h 00m", cells[1]);
  free(dom);
  tu_rm_rf(dir);
}

/* `argo report -o PATH` and `argo man --output PATH` write only regular files the user names:
 * through a symbolic link at its target (the link stays a link), a new file where a dangling
 * link points; a folder, a named pipe and a device are refused with one line naming the path
 * and what it is, and stay what they were (the atomic replace used to rename the page over
 * them: as root, -o /dev/full turned the device into an HTML file); a file of a run folder is
 * refused too; -o - writes the page on standard output. */
TEST(e2e_report_writes_through_links_and_refuses_folders_pipes_and_devices) {
  char dir[8192], path[8300], target[8300], link[8300];
  snprintf(dir, sizeof dir, "%s/outputs", data);
  CHECK(mkdir(dir, 0755) == 0 || errno == EEXIST);
  struct stat sb;

  /* A folder: named as such, and no talk of a rename of '.tmp.tmp'. */
  tu_check_refused("is a folder; give a file name", dir,
                   (char *[]){"report", "latest", "-o", dir, "--data-output", data, NULL});
  snprintf(path, sizeof path, "%s/", dir);
  tu_check_refused("folder", NULL,
                   (char *[]){"report", "latest", "-o", path, "--data-output", data, NULL});
  CHECK(stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode));

  /* A named pipe. */
  snprintf(path, sizeof path, "%s/pipe", dir);
  CHECK(mkfifo(path, 0644) == 0);
  tu_check_refused("is a named pipe (FIFO), not a regular file", path,
                   (char *[]){"report", "latest", "-o", path, "--data-output", data, NULL});
  tu_check_refused("named pipe", path, (char *[]){"man", "--output", path, NULL});
  CHECK_MSG(lstat(path, &sb) == 0 && S_ISFIFO(sb.st_mode), "%s is no longer a FIFO", path);

  /* A device: a node of its own (the numbers of /dev/full) where the test may make one (as root),
   * so that a failure here never touches /dev; and a link to /dev/null. */
  snprintf(path, sizeof path, "%s/full", dir);
  if (mknod(path, S_IFCHR | 0666, makedev(1, 7)) == 0) {
    tu_check_refused("is a character device, not a regular file", path,
                     (char *[]){"report", "latest", "-o", path, "--data-output", data, NULL});
    CHECK_MSG(lstat(path, &sb) == 0 && S_ISCHR(sb.st_mode), "%s is no longer a device", path);
  } else {
    fprintf(stderr, "note: mknod: %s; the device node case is left out\n", strerror(errno));
  }
  snprintf(link, sizeof link, "%s/null", dir);
  CHECK(symlink("/dev/null", link) == 0);
  tu_check_refused("symbolic link to a character device ('/dev/null')", link,
                   (char *[]){"report", "latest", "-o", link, "--data-output", data, NULL});
  CHECK(lstat(link, &sb) == 0 && S_ISLNK(sb.st_mode));

  /* A link to a file: the file gets the page (keeping its permissions), the link stays. */
  snprintf(target, sizeof target, "%s/real.html", dir);
  tu_write_file(target, "old\n");
  CHECK(chmod(target, 0600) == 0);
  snprintf(link, sizeof link, "%s/link.html", dir);
  CHECK(symlink("real.html", link) == 0);
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "report", "latest", "-o", link, "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(o);
  free(e);
  CHECK_MSG(lstat(link, &sb) == 0 && S_ISLNK(sb.st_mode), "%s is no longer a link", link);
  CHECK(stat(target, &sb) == 0 && S_ISREG(sb.st_mode));
  CHECK_EQ_INT(0600, sb.st_mode & 07777);
  char *html = tu_read_file(target);
  CHECK_MSG(html && strncmp(html, "<!DOCTYPE html>", 15) == 0, "%s holds: %.40s", target, html);
  free(html);
  /* A dangling link: the file is created where it points. */
  snprintf(target, sizeof target, "%s/new.html", dir);
  snprintf(link, sizeof link, "%s/dangling.html", dir);
  CHECK(symlink(target, link) == 0);
  rc = tu_argo(&o, &e, "man", "--output", link, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  free(o);
  free(e);
  CHECK(lstat(link, &sb) == 0 && S_ISLNK(sb.st_mode));
  html = tu_read_file(target);
  CHECK_MSG(html && strstr(html, ".TH ARGO 1"), "%s holds: %.40s", target, html);
  free(html);

  /* A file of a run folder (here a copy of the layout, not the fixture's record): refused, and
   * left as it was, whether named directly or through a link. */
  char run[8300];
  snprintf(run, sizeof run, "%s/rec/2025-01-01/run_1", dir);
  char mk[8400];
  snprintf(mk, sizeof mk, "mkdir -p '%s'", run);
  CHECK_EQ_INT(0, system(mk));
  const char *own[] = {"trades.parquet", "stats.yaml", ".journal"};
  for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", run, own[i]);
    tu_write_file(path, "recorded\n");
    tu_check_refused("of a run folder that argo records", path,
                     (char *[]){"report", "latest", "-o", path, "--data-output", data, NULL});
    tu_check_refused("of a run folder that argo records", path,
                     (char *[]){"run", "--events", path, "--data-output", dir, NULL});
    html = tu_read_file(path);
    CHECK_STR("recorded\n", html);
    free(html);
  }
  snprintf(link, sizeof link, "%s/stats-link.yaml", dir);
  CHECK(symlink("rec/2025-01-01/run_1/stats.yaml", link) == 0);
  tu_check_refused("of a run folder that argo records", NULL,
                   (char *[]){"man", "--output", link, NULL});

  /* -o -: the page on standard output, and nothing else there. */
  rc = tu_argo(&o, &e, "report", "latest", "-o", "-", "--data-output", data, NULL);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e);
  CHECK_MSG(strncmp(o, "<!DOCTYPE html>", 15) == 0, "stdout: %.60s", o);
  CHECK_MSG(strstr(o, "</html>\n") == o + strlen(o) - 8, "stdout does not end with the page");
  free(o);
  free(e);
  CHECK(!argo__fs_exists("-"));
}

/* A reader that stops reading (argo query ... | head -1) ends the command with exit code 1, as
 * docs/inspect.md says, and no message: it is not killed by SIGPIPE (exit 141). Output that
 * cannot be written for another reason (a full disk) gives exit 1 and one line. */
TEST(e2e_a_closed_pipe_ends_query_and_report_with_exit_1_and_no_message) {
  /* Outputs larger than a pipe's buffer (64 KiB) into head, which stops after 10 bytes; the
   * report page may fit in the buffer, so its reader is one that closes the pipe at once
   * (true), long before argo has built the page. */
  const char *cmds[] = {
      "query 'SELECT * FROM range(2000000)'",
      "query 'SELECT * FROM range(2000000)' --format csv",
      "query 'SELECT range AS n, range * 2 AS m FROM range(2000000)' --format json",
      "report latest -o -",
  };
  const char *readers[] = {"head -c 10 >/dev/null", "head -c 10 >/dev/null",
                           "head -c 10 >/dev/null", "true"};
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "'%s' %s --data-output '%s' | %s; echo \"${PIPESTATUS[0]}\"",
             ARGO_BIN, cmds[i], data, readers[i]);
    char *argv[] = {"/bin/bash", "-c", cmd, NULL};
    char *o = NULL, *e = NULL;
    CHECK_EQ_INT(0, tu_run(argv, &o, &e));
    CHECK_MSG(strcmp(o, "1\n") == 0, "argo %s | head: exit %s (want 1; 141 is SIGPIPE)", cmds[i],
              o);
    CHECK_MSG(e[0] == '\0', "argo %s | head printed: %s", cmds[i], e);
    free(o);
    free(e);
  }
  char cmd[16384];
  snprintf(cmd, sizeof cmd,
           "'%s' query 'SELECT * FROM range(200000)' --data-output '%s' >/dev/full; echo $?",
           ARGO_BIN, data);
  char *argv[] = {"/bin/bash", "-c", cmd, NULL};
  char *o = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_run(argv, &o, &e));
  CHECK_STR("1\n", o);
  CHECK_CONTAINS(e, "argo: query: cannot write the output: No space left on device");
  CHECK_MSG(tu_count_lines(e) == 1, "expected one line: %s", e);
  free(o);
  free(e);
}

TEST(e2e_query_and_sessions_work_while_a_session_runs) {
  char live[8192], errp[8192];
  snprintf(live, sizeof live, "%s/live", data);
  snprintf(errp, sizeof errp, "%s/live.stderr", data);
  /* About 3 s of 1-second candles at 100 times real time, crossing midnight. */
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    int fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int nul = open("/dev/null", O_RDWR);
    dup2(nul, 0);
    dup2(nul, 1);
    dup2(fd, 2);
    execl(ARGO_BIN, ARGO_BIN, "run", "--symbols", "BTCUSDT,ETHUSDT", "--interval", "1s", "--bars",
          "300", "--speed", "100", "--strategy", "pingpong", "--start", "2025-10-01T23:59:00Z",
          "--data-output", live, "--quiet", (char *)NULL);
    _exit(127);
  }
  long polls = 0, last = -1;
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    char *o = NULL, *e = NULL;
    int rc = tu_argo(&o, &e, "query", "SELECT count(*) AS n FROM market_data", "--format", "csv",
                     "--data-output", live, NULL);
    /* Before the first day folder exists there is nothing to read: that is the one allowed
     * failure. */
    if (rc != 0) {
      CHECK_MSG(last < 0 && strstr(e, "no sessions recorded"), "query failed during the run: %s",
                e);
    } else {
      long n = strtol(o + strlen("n\n"), NULL, 10);
      CHECK_MSG(n >= last, "the count went back from %ld to %ld", last, n);
      last = n;
      polls++;
    }
    free(o);
    free(e);
    rc = tu_argo(&o, &e, "sessions", "--data-output", live, NULL);
    CHECK_MSG(rc == 0 || last < 0, "sessions failed during the run: %s", e);
    free(o);
    free(e);
    if (w == pid) {
      break;
    }
  }
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "argo run ended with %d", status);
  CHECK_MSG(polls >= 3, "only %ld queries ran during the session", polls);
  CHECK_EQ_INT(600, last);
}

TEST(e2e_completion_and_man_page_cover_every_command) {
  char *help = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_argo(&help, &e, "--help", NULL));
  free(e);
  char *comp = NULL, *man = NULL;
  CHECK_EQ_INT(0, tu_argo(&comp, &e, "completion", "bash", NULL));
  free(e);
  CHECK_EQ_INT(0, tu_argo(&man, &e, "man", NULL));
  free(e);
  CHECK_CONTAINS(comp, "complete -F _argo argo");
  CHECK_CONTAINS(man, ".TH ARGO 1");
  /* The commands listed by --help, each in both. */
  const char *list = strstr(help, "commands:\n");
  CHECK(list != NULL);
  int ncmd = 0;
  for (const char *p = strchr(list, '\n') + 1; p && strncmp(p, "  ", 2) == 0;) {
    char name[64];
    CHECK_EQ_INT(1, sscanf(p, " %63s", name));
    char pat[96];
    snprintf(pat, sizeof pat, "  %s)\n", name);
    CHECK_CONTAINS(comp, pat);
    snprintf(pat, sizeof pat, ".SS \"argo %s ", name);
    CHECK_CONTAINS(man, pat);
    ncmd++;
    p = strchr(p, '\n');
    p = p ? p + 1 : NULL;
  }
  CHECK_MSG(ncmd >= 9, "only %d commands in --help", ncmd);
  /* Run names for the completion: latest, every day folder, every session once. */
  char *names = NULL;
  CHECK_EQ_INT(0, tu_argo(&names, &e, "sessions", "--names", "--data-output", data, NULL));
  free(e);
  CHECK_EQ_INT(1 + 7 + 3, tu_count_lines(names));
  CHECK(strncmp(names, "latest\n", 7) == 0);
  for (int i = 0; i < 7; i++) {
    char want[80];
    snprintf(want, sizeof want, "\n%s\n", folders[i]);
    CHECK_CONTAINS(names, want);
  }
  CHECK_CONTAINS(names, sid_a);
  CHECK_CONTAINS(names, sid_b);
  CHECK_CONTAINS(names, sid_c);
  free(names);
  /* Options of the new commands are completed. */
  CHECK_CONTAINS(comp, "--format) COMPREPLY=( $(compgen -W \"table csv json\"");
  CHECK_CONTAINS(man, "\\-\\-data\\-output");
  /* The script is valid bash, and the build wrote the same page to argo.1. */
  char path[8192];
  snprintf(path, sizeof path, "%s/completion.bash", data);
  tu_write_file(path, comp);
  char *argv[] = {"/bin/bash", "-n", path, NULL};
  char *o = NULL;
  CHECK_EQ_INT(0, tu_run(argv, &o, &e));
  free(o);
  free(e);
  snprintf(path, sizeof path, "%s/argo.1", ARGO_BUILD_DIR);
  char *built = tu_read_file(path);
  CHECK_MSG(built != NULL, "the build did not write %s", path);
  CHECK_STR(man, built);
  free(built);
  free(help);
  free(comp);
  free(man);
}

/* Runs the completion function of the generated script in bash for one command line (its words,
 * the last one being completed) and returns the candidates, one a line. */
static char *complete(const char *script, const char *const *words) {
  char prog[16384];
  int k = snprintf(prog, sizeof prog, "source '%s'\nCOMP_WORDS=(", script);
  int n = 0;
  for (; words[n]; n++) {
    k += snprintf(prog + k, sizeof prog - (size_t)k, "%s'%s'", n ? " " : "", words[n]);
  }
  snprintf(prog + k, sizeof prog - (size_t)k,
           ")\nCOMP_CWORD=%d\n_argo\nprintf '%%s\\n' \"${COMPREPLY[@]}\"\n", n - 1);
  char *argv[] = {"/bin/bash", "-c", prog, NULL};
  char *o = NULL, *e = NULL;
  int rc = tu_run(argv, &o, &e);
  CHECK_MSG(rc == 0, "bash exited %d: %s", rc, e);
  free(e);
  return o;
}

/* Completion offers values: the choices of --feed and --pattern, the usual intervals, the
 * builtin strategies (and .so files), the keys of --set and then each key's values, whether
 * bash splits "KEY=VALUE" at '=' or not; argo strategies completes strategies too. */
TEST(e2e_completion_offers_feeds_patterns_intervals_strategies_and_keys) {
  char *comp = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_argo(&comp, &e, "completion", "bash", NULL));
  free(e);
  char path[8192];
  snprintf(path, sizeof path, "%s/completion-values.bash", data);
  tu_write_file(path, comp);
  free(comp);
  static const struct {
    const char *words[8];
    const char *want;
  } cases[] = {
      {{ARGO_BIN, "run", "--feed", "", NULL}, "sim\nreplay\nbinance\n"},
      {{ARGO_BIN, "run", "--feed", "=", "b", NULL}, "binance\n"},
      {{ARGO_BIN, "run", "--pattern", "d", NULL}, "decreasing\n"},
      {{ARGO_BIN, "run", "--interval", "4", NULL}, "4h\n"},
      {{ARGO_BIN, "run", "--strategy", "pin", NULL}, "pingpong\n"},
      {{ARGO_BIN, "run", "--set", "market_data.pat", NULL}, "market_data.pattern=\n"},
      {{ARGO_BIN, "run", "--set", "market_data.pattern", "=", "v", NULL}, "volatile\n"},
      {{ARGO_BIN, "run", "--set", "market_data.feed", "=", NULL}, "sim\nreplay\nbinance\n"},
      {{ARGO_BIN, "run", "--set", "market_data.feed=re", NULL}, "market_data.feed=replay\n"},
      {{ARGO_BIN, "run", "--set", "engine.journal", "=", "f", NULL}, "false\n"},
      {{ARGO_BIN, "strategies", "ma", NULL}, "ma_cross\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *o = complete(path, cases[i].words);
    CHECK_MSG(strcmp(o, cases[i].want) == 0, "case %zu (%s %s ...): want %s, got %s", i,
              cases[i].words[1], cases[i].words[2], cases[i].want, o);
    free(o);
  }
}

TEST(e2e_completion_reads_the_data_output_written_with_an_equals_sign) {
  char *comp = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_argo(&comp, &e, "completion", "bash", NULL));
  free(e);
  char path[8192], eq[8400];
  snprintf(path, sizeof path, "%s/completion.bash", data);
  tu_write_file(path, comp);
  free(comp);
  snprintf(eq, sizeof eq, "--data-output=%s", data);
  /* The same run names whichever way --data-output is written: as two words, split by bash at
   * '=' (its default COMP_WORDBREAKS), or as one word. */
  const char *const lines[3][8] = {
      {ARGO_BIN, "stats", "--data-output", data, "", NULL},
      {ARGO_BIN, "stats", "--data-output", "=", data, "", NULL},
      {ARGO_BIN, "stats", eq, "", NULL},
  };
  for (int i = 0; i < 3; i++) {
    char *o = complete(path, lines[i]);
    CHECK_MSG(tu_count_lines(o) == 1 + 7 + 3, "form %d: %s", i, o);
    CHECK_MSG(strncmp(o, "latest\n", 7) == 0, "form %d: %s", i, o);
    CHECK_CONTAINS(o, "2025-10-02/run_1\n");
    CHECK_CONTAINS(o, sid_c);
    free(o);
  }
  /* Option values after '=': split, right after it, or in one word (completed with its
   * prefix, since bash then replaces the whole word). */
  char *o = complete(path, (const char *const[]){ARGO_BIN, "query", "--format", "=", "", NULL});
  CHECK_STR("table\ncsv\njson\n", o);
  free(o);
  o = complete(path, (const char *const[]){ARGO_BIN, "query", "--format", "=", NULL});
  CHECK_STR("table\ncsv\njson\n", o);
  free(o);
  o = complete(path, (const char *const[]){ARGO_BIN, "query", "--format", "=", "c", NULL});
  CHECK_STR("csv\n", o);
  free(o);
  o = complete(path, (const char *const[]){ARGO_BIN, "query", "--format=j", NULL});
  CHECK_STR("--format=json\n", o);
  free(o);
  o = complete(path, (const char *const[]){ARGO_BIN, "query", "--format", "t", NULL});
  CHECK_STR("table\n", o);
  free(o);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN_FIXTURE(e2e_fixture_is_recorded);
  if (test_failures) {
    return test_summary();
  }
  RUN(e2e_sessions_prints_every_day_newest_first_with_the_numbers_of_stats_yaml);
  RUN(e2e_sessions_json_parses_and_holds_every_figure);
  RUN(e2e_stats_of_a_day_shows_the_day_and_the_session_to_date);
  RUN(e2e_stats_of_a_session_and_of_latest);
  RUN(e2e_latest_is_the_session_started_last);
  RUN(e2e_commands_find_the_recording_by_config_file_and_environment);
  RUN(e2e_query_spans_every_day_and_run_and_joins_them);
  RUN(e2e_query_formats_parse);
  RUN(e2e_bad_runs_sql_and_folders_give_one_line_and_exit_2);
  RUN(e2e_query_with_several_statements_prints_the_last_one);
  RUN(e2e_chromium_of_the_report_test_has_no_network);
  RUN(e2e_report_of_a_session_renders_in_chromium);
  RUN(e2e_report_of_one_day_renders_in_chromium);
  RUN(e2e_report_and_stats_show_the_same_holding_time_in_chromium);
  RUN(e2e_report_writes_through_links_and_refuses_folders_pipes_and_devices);
  RUN(e2e_a_closed_pipe_ends_query_and_report_with_exit_1_and_no_message);
  RUN(e2e_query_and_sessions_work_while_a_session_runs);
  RUN(e2e_completion_and_man_page_cover_every_command);
  RUN(e2e_completion_reads_the_data_output_written_with_an_equals_sign);
  RUN(e2e_completion_offers_feeds_patterns_intervals_strategies_and_keys);
  tu_rm_rf(data);
  return test_summary();
}
