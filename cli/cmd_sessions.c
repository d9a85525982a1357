/*
 * argo sessions: every recorded day folder, newest first, one line each (or a JSON array), from
 * the folders' stats.yaml. --names prints the run names other commands accept, for shell
 * completion.
 */
#include <stdio.h>
#include <string.h>

#include "inspect.h"

const cli_opt cli_sessions_opts[] = {
    CLI_DATA_OUTPUT_OPTS,
    {"--json", NULL, NULL, "print a JSON array of objects instead of a table"},
    {"--names", NULL, NULL, "print the run names other commands accept, one a line"},
    {0},
};

static const char *strategy_of(const argo_stats *s) {
  if (s->strategy_name && *s->strategy_name) {
    return s->strategy_name;
  }
  return s->strategy_id ? s->strategy_id : "";
}

/* Widest SYMBOLS cell of the table: a session of many symbols reads "BTCUSDT,ETHUSDT,+18" (the
 * first symbols, then how many more); --json has them all. */
#define SYMBOLS_WIDTH 32

static void symbols_text(const argo_stats *s, char *buf, size_t len) {
  buf[0] = '\0';
  size_t used = 0;
  for (size_t i = 0; i < s->nsymbols; i++) {
    size_t w = strlen(s->symbols[i]) + (i ? 1 : 0);
    size_t rest = s->nsymbols - i - 1;
    /* Room for this symbol and, if more follow, for the ",+N" that would end the cell. */
    char more[32] = "";
    if (rest) {
      snprintf(more, sizeof more, ",+%zu", rest);
    }
    if (i > 0 && used + w + strlen(more) > SYMBOLS_WIDTH) {
      snprintf(buf + used, len - used, ",+%zu", s->nsymbols - i);
      return;
    }
    int n = snprintf(buf + used, len - used, "%s%s", i ? "," : "", s->symbols[i]);
    if (n < 0 || (size_t)n >= len - used) {
      return;
    }
    used += (size_t)n;
  }
}

static json_t *entry_json(const argo_catalog_entry *e, const char *dir) {
  const argo_stats *s = e->stats;
  char t0[48], t1[48];
  argo_time_format(s->session_start, t0, sizeof t0);
  argo_time_format(s->last_updated, t1, sizeof t1);
  json_t *syms = json_array();
  for (size_t i = 0; i < s->nsymbols; i++) {
    json_array_append_new(syms, json_string(s->symbols[i]));
  }
  json_t *o = json_object();
  json_object_set_new(o, "date", json_string(e->date));
  json_object_set_new(o, "run", json_string(e->run));
  json_object_set_new(o, "session_id", json_string(s->session_id));
  json_object_set_new(o, "status", json_string(cli_status(e)));
  json_object_set_new(o, "recorded_status", json_string(s->status ? s->status : ""));
  json_object_set_new(o, "stop_reason", e->stop_reason ? json_string(e->stop_reason) : json_null());
  json_object_set_new(o, "journal_damaged", json_boolean(e->journal_damaged));
  if (e->status && strcmp(e->status, "crashed") == 0) {
    char hint[8192];
    cli_crashed_hint(e, dir, hint, sizeof hint);
    json_object_set_new(o, "recoverable", json_boolean(e->recoverable));
    json_object_set_new(o, "hint", json_string(hint));
  }
  json_object_set_new(o, "symbols", syms);
  json_object_set_new(o, "strategy",
                      json_pack("{s:s, s:s, s:s}", "id", s->strategy_id ? s->strategy_id : "",
                                "name", s->strategy_name ? s->strategy_name : "", "version",
                                s->strategy_version ? s->strategy_version : ""));
  json_object_set_new(o, "interval", e->interval ? json_string(e->interval) : json_null());
  json_object_set_new(o, "candles", json_integer((json_int_t)s->candles_day));
  /* trades is what the first versions called the fills; kept, as keys only grow. */
  json_object_set_new(o, "trades", json_integer((json_int_t)s->daily.number_of_trades));
  json_object_set_new(o, "fills", json_integer((json_int_t)s->daily.number_of_trades));
  json_object_set_new(o, "realized_pnl", json_real(s->daily.realized_pnl));
  json_object_set_new(o, "win_rate", json_real(s->daily.win_rate));
  json_object_set_new(o, "max_drawdown", json_real(s->daily.max_drawdown));
  json_object_set_new(o, "equity", json_real(s->equity));
  json_object_set_new(o, "candles_total", json_integer((json_int_t)s->candles_total));
  json_object_set_new(o, "session_start", json_string(t0));
  json_object_set_new(o, "started_at", cli_time_json(e->started_at));
  json_object_set_new(o, "last_updated", json_string(t1));
  json_object_set_new(o, "run_dir", json_string(e->run_dir));
  json_object_set_new(o, "daily", cli_block_json(&s->daily));
  json_object_set_new(o, "cumulative", cli_block_json(&s->cumulative));
  if (e->run_collision) {
    json_object_set_new(o, "run_collision", json_string(e->run_collision));
  }
  if (e->resumed_from) {
    json_object_set_new(o, "resumed_from", json_string(e->resumed_from));
  }
  return o;
}

static void print_names(const argo_catalog *cat) {
  size_t n = argo_catalog_count(cat);
  if (n) {
    puts("latest");
  }
  for (size_t i = 0; i < n; i++) {
    const argo_catalog_entry *e = argo_catalog_at(cat, i);
    printf("%s/%s\n", e->date, e->run);
  }
  /* Each session id once, in the order of its newest day. */
  for (size_t i = 0; i < n; i++) {
    const char *sid = argo_catalog_at(cat, i)->stats->session_id;
    int seen = 0;
    for (size_t k = 0; k < i && !seen; k++) {
      seen = strcmp(argo_catalog_at(cat, k)->stats->session_id, sid) == 0;
    }
    if (!seen) {
      puts(sid);
    }
  }
}

int cli_sessions_main(int argc, char **argv) {
  cli_parsed p;
  int rc = cli_parse(argc, argv, 0, &p);
  if (rc) {
    return rc;
  }
  int json = cli_value(&p, "--json") != NULL, names = cli_value(&p, "--names") != NULL;
  char dirbuf[4096];
  const char *dir = cli_data_output(&p, "sessions", dirbuf, sizeof dirbuf);
  argo_catalog *cat = dir ? cli_open_catalog("sessions", dir, !names) : NULL;
  if (!cat) {
    return CLI_EXIT_USAGE;
  }
  size_t n = argo_catalog_count(cat);
  if (names) {
    print_names(cat);
  } else if (json) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
      json_array_append_new(arr, entry_json(argo_catalog_at(cat, i), dir));
    }
    rc = cli_print_json(arr) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    json_decref(arr);
  } else if (n == 0) {
    printf("no sessions recorded in %s yet\n", dir);
  } else {
    static const int right[11] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    cli_table t;
    cli_table_init(&t, 11, right);
    const char *head[11] = {"DATE",    "RUN",   "SESSION",      "STATUS",   "SYMBOLS", "STRATEGY",
                            "CANDLES", "FILLS", "REALIZED PNL", "WIN RATE", "MAX DD"};
    for (int c = 0; c < 11; c++) {
      cli_table_add(&t, "%s", head[c]);
    }
    for (size_t i = 0; i < n; i++) {
      const argo_catalog_entry *e = argo_catalog_at(cat, i);
      const argo_stats *s = e->stats;
      char syms[512];
      symbols_text(s, syms, sizeof syms);
      cli_table_add(&t, "%s", e->date);
      cli_table_add(&t, "%s", e->run);
      cli_table_add(&t, "%s", s->session_id);
      cli_table_add(&t, "%s", cli_status(e));
      cli_table_add(&t, "%s", syms);
      cli_table_add(&t, "%s", strategy_of(s));
      cli_table_add(&t, "%lld", (long long)s->candles_day);
      cli_table_add(&t, "%lld", (long long)s->daily.number_of_trades);
      cli_table_add(&t, "%.2f", s->daily.realized_pnl);
      cli_table_add(&t, "%.1f%%", s->daily.win_rate * 100);
      cli_table_add(&t, "%.2f%%", s->daily.max_drawdown * 100);
    }
    cli_table_print(&t, stdout, "", 1);
    cli_table_free(&t);
    /* The hints go to stderr, like the notes about folders left out: stdout is the table. */
    for (size_t i = 0; i < n; i++) {
      const argo_catalog_entry *e = argo_catalog_at(cat, i);
      if (e->status && strcmp(e->status, "crashed") == 0) {
        char hint[8192];
        cli_crashed_hint(e, dir, hint, sizeof hint);
        cli_error("sessions: %s", hint);
      } else if (e->stop_reason) {
        cli_error("sessions: %s/%s %s: %s", e->date, e->run, e->status, e->stop_reason);
      }
      if (e->journal_damaged) {
        cli_error("sessions: %s/%s: its journal was damaged; recovery kept the published rows and "
                  "the journal (see journal_damage in its stats.yaml)",
                  e->date, e->run);
      }
    }
  }
  argo_catalog_close(cat);
  return rc;
}
