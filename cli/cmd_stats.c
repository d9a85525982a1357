/*
 * argo stats RUN: the statistics of a day folder or of a whole session, from stats.yaml. Text:
 * a short header (session, strategy, symbols, period), then one column per day and a last
 * column for the session (its cumulative figures as of the last day shown), the figures as rows.
 * --json: the same as one object.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "inspect.h"

const cli_opt cli_stats_opts[] = {
    CLI_DATA_OUTPUT_OPTS,
    {"--json", NULL, NULL, "print one JSON object instead of text"},
    {0},
};

/* Day columns per block of the text layout; more days continue in a further block. */
#define DAYS_PER_BLOCK 5

typedef struct column {
  const char *head1, *head2;
  const argo_stats_block *b;
  const char *status;
  long long candles;
  double equity;
} column;

static void figures(cli_table *t, const column *cols, size_t n) {
  char buf[64];
  cli_table_add(t, "%s", "");
  for (size_t i = 0; i < n; i++) {
    cli_table_add(t, "%s", cols[i].head1);
  }
  cli_table_add(t, "%s", "");
  for (size_t i = 0; i < n; i++) {
    cli_table_add(t, "%s", cols[i].head2);
  }
#define ROW(label, ...)                                                                            \
  do {                                                                                             \
    cli_table_add(t, "%s", label);                                                                 \
    for (size_t i = 0; i < n; i++) {                                                               \
      const column *c = &cols[i];                                                                  \
      (void)c;                                                                                     \
      cli_table_add(t, __VA_ARGS__);                                                               \
    }                                                                                              \
  } while (0)
  ROW("status", "%s", c->status ? c->status : "");
  ROW("candles", "%lld", c->candles);
  ROW("fills", "%lld", (long long)c->b->number_of_trades);
  ROW("winning / losing", "%lld / %lld", (long long)c->b->number_of_winning_trades,
      (long long)c->b->number_of_losing_trades);
  ROW("win rate", "%.1f%%", c->b->win_rate * 100);
  ROW("realized pnl", "%.2f", c->b->realized_pnl);
  ROW("unrealized pnl", "%.2f", c->b->unrealized_pnl);
  ROW("total pnl", "%.2f", c->b->total_pnl);
  ROW("fees", "%.2f", c->b->total_fees);
  ROW("largest profit", "%.2f", c->b->maximum_profit);
  ROW("largest loss", "%.2f", c->b->maximum_loss);
  ROW("max drawdown", "%.2f%%", c->b->max_drawdown * 100);
  cli_table_add(t, "%s", "avg holding time");
  for (size_t i = 0; i < n; i++) {
    argo_duration_format(cols[i].b->holding_avg, buf, sizeof buf);
    cli_table_add(t, "%s", buf);
  }
  ROW("round trips", "%lld", (long long)c->b->holding_count);
/* A figure that a stats.yaml written before it lacks (NaN) reads "-". */
#define ROWF(label, expr, fmt)                                                                     \
  do {                                                                                             \
    cli_table_add(t, "%s", label);                                                                 \
    for (size_t i = 0; i < n; i++) {                                                               \
      const column *c = &cols[i];                                                                  \
      double v_ = (expr);                                                                          \
      if (isfinite(v_)) {                                                                          \
        cli_table_add(t, fmt, v_);                                                                 \
      } else {                                                                                     \
        cli_table_add(t, "%s", "-");                                                               \
      }                                                                                            \
    }                                                                                              \
  } while (0)
  ROWF("profit factor", c->b->profit_factor, "%.2f");
  ROWF("expectancy", c->b->expectancy, "%.2f");
  ROWF("return", c->b->total_return * 100, "%.2f%%");
  ROWF("buy and hold", c->b->buy_and_hold_return * 100, "%.2f%%");
  /* Not defined on one day: "-" rather than the 0 of stats.yaml. */
  ROWF("sharpe ratio", c->b->days >= 2 ? c->b->sharpe_ratio : NAN, "%.2f");
  ROWF("sortino ratio", c->b->days >= 2 ? c->b->sortino_ratio : NAN, "%.2f");
  ROWF("calmar ratio", c->b->calmar_ratio, "%.2f");
  ROWF("exposure", c->b->exposure * 100, "%.1f%%");
  ROWF("best day", c->b->best_day * 100, "%.2f%%");
  ROWF("worst day", c->b->worst_day * 100, "%.2f%%");
  ROW("equity at the end", "%.2f", c->equity);
#undef ROWF
#undef ROW
}

/* Each symbol's figures of the session up to e (its cumulative by_symbol). */
static void by_symbol(const argo_catalog_entry *e) {
  if (!e->nby_symbol) {
    return;
  }
  static const int right[11] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  static const char *const head[11] = {"symbol",   "fills",        "round trips", "won / lost",
                                       "win rate", "realized pnl", "unrealized",  "total pnl",
                                       "fees",     "exposure",     "buy and hold"};
  cli_table t;
  cli_table_init(&t, 11, right);
  for (int k = 0; k < 11; k++) {
    cli_table_add(&t, "%s", head[k]);
  }
  for (size_t i = 0; i < e->nby_symbol; i++) {
    const argo_symbol_block *b = &e->by_symbol[i].cumulative;
    cli_table_add(&t, "%s", e->by_symbol[i].symbol);
    cli_table_add(&t, "%lld", (long long)b->fills);
    cli_table_add(&t, "%lld", (long long)b->round_trips);
    cli_table_add(&t, "%lld / %lld", (long long)b->winning, (long long)b->losing);
    cli_table_add(&t, "%.1f%%", b->win_rate * 100);
    cli_table_add(&t, "%.2f", b->realized_pnl);
    cli_table_add(&t, "%.2f", b->unrealized_pnl);
    cli_table_add(&t, "%.2f", b->total_pnl);
    cli_table_add(&t, "%.2f", b->fees);
    cli_table_add(&t, "%.1f%%", b->exposure * 100);
    cli_table_add(&t, "%.2f%%", b->buy_and_hold_return * 100);
  }
  printf("\nby symbol, session to %s/%s\n", e->date, e->run);
  cli_table_print(&t, stdout, "", 1);
  cli_table_free(&t);
}

static int crashed(const argo_catalog_entry *e) {
  return strcmp(cli_status(e), "crashed") == 0;
}

static void print_text(const argo_catalog_entry *const *e, size_t n, const char *dir) {
  const argo_catalog_entry *last = e[n - 1];
  const argo_stats *s = last->stats;
  char t0[48], t1[48];
  argo_time_format(s->session_start, t0, sizeof t0);
  argo_time_format(s->last_updated, t1, sizeof t1);
  printf("session   %s\n", s->session_id);
  printf("strategy  %s", s->strategy_name && *s->strategy_name ? s->strategy_name : "?");
  if (s->strategy_id && *s->strategy_id) {
    printf(" (%s%s%s)", s->strategy_id, s->strategy_version && *s->strategy_version ? " " : "",
           s->strategy_version ? s->strategy_version : "");
  }
  printf("\nsymbols   ");
  for (size_t i = 0; i < s->nsymbols; i++) {
    printf("%s%s", i ? ", " : "", s->symbols[i]);
  }
  if (last->interval) {
    printf(" (%s candles)", last->interval);
  }
  printf("\nperiod    %s to %s (last update)\n", t0, t1);
  if (n == 1) {
    printf("folder    %s\n", last->run_dir);
  } else {
    printf("folders   %s ... %s\n", e[0]->run_dir, last->run_dir);
  }
  for (size_t i = 0; i < n; i++) {
    if (e[i]->run_collision) {
      printf("note      %s/%s: %s\n", e[i]->date, e[i]->run, e[i]->run_collision);
    }
  }
  if (e[0]->resumed_from) {
    printf("note      resumed from %s\n", e[0]->resumed_from);
  }
  for (size_t i = 0; i < n; i++) {
    if (crashed(e[i])) {
      char hint[8192];
      cli_crashed_hint(e[i], dir, hint, sizeof hint);
      printf("note      %s\n", hint);
    } else if (e[i]->stop_reason) {
      printf("note      %s/%s %s: %s\n", e[i]->date, e[i]->run, e[i]->status, e[i]->stop_reason);
    }
    if (e[i]->journal_damaged) {
      printf("note      %s/%s: its journal was damaged; recovery kept the published rows and the "
             "journal (see journal_damage in its stats.yaml)\n",
             e[i]->date, e[i]->run);
    }
  }

  column cols[DAYS_PER_BLOCK + 1];
  static const int right[DAYS_PER_BLOCK + 2] = {0, 1, 1, 1, 1, 1, 1};
  char sess2[32];
  snprintf(sess2, sizeof sess2, "to %s", last->date);
  for (size_t start = 0; start < n; start += DAYS_PER_BLOCK) {
    size_t k = 0;
    for (size_t i = start; i < n && i < start + DAYS_PER_BLOCK; i++, k++) {
      const argo_stats *d = e[i]->stats;
      cols[k] = (column){
          e[i]->date, e[i]->run, &d->daily, cli_status(e[i]), (long long)d->candles_day, d->equity};
    }
    if (start + DAYS_PER_BLOCK >= n) {
      cols[k++] =
          (column){"session", sess2, &s->cumulative, cli_status(last), (long long)s->candles_total,
                   s->equity};
    }
    cli_table t;
    cli_table_init(&t, k + 1, right);
    figures(&t, cols, k);
    putchar('\n');
    cli_table_print(&t, stdout, "", 0);
    cli_table_free(&t);
  }
  printf("\nreturns: of equity per UTC day; sharpe and sortino ratios annualized with the square "
         "root of 365,\ncalmar: the return per year (x 365 / days) over the max drawdown "
         "(docs/statistics.md)\n");
  by_symbol(last);
}

static json_t *stats_json(const argo_catalog_entry *const *e, size_t n, const char *dir) {
  const argo_catalog_entry *last = e[n - 1];
  const argo_stats *s = last->stats;
  char t0[48], t1[48];
  argo_time_format(s->session_start, t0, sizeof t0);
  argo_time_format(s->last_updated, t1, sizeof t1);
  json_t *syms = json_array();
  for (size_t i = 0; i < s->nsymbols; i++) {
    json_array_append_new(syms, json_string(s->symbols[i]));
  }
  json_t *o = json_object();
  json_object_set_new(o, "session_id", json_string(s->session_id));
  json_object_set_new(o, "strategy",
                      json_pack("{s:s, s:s, s:s}", "id", s->strategy_id ? s->strategy_id : "",
                                "name", s->strategy_name ? s->strategy_name : "", "version",
                                s->strategy_version ? s->strategy_version : ""));
  json_object_set_new(o, "symbols", syms);
  json_object_set_new(o, "interval", last->interval ? json_string(last->interval) : json_null());
  json_object_set_new(o, "session_start", json_string(t0));
  json_object_set_new(o, "last_updated", json_string(t1));
  json_t *days = json_array();
  for (size_t i = 0; i < n; i++) {
    const argo_stats *d = e[i]->stats;
    char lu[48];
    argo_time_format(d->last_updated, lu, sizeof lu);
    json_t *day = json_object();
    json_object_set_new(day, "date", json_string(e[i]->date));
    json_object_set_new(day, "run", json_string(e[i]->run));
    json_object_set_new(day, "run_dir", json_string(e[i]->run_dir));
    json_object_set_new(day, "status", json_string(cli_status(e[i])));
    json_object_set_new(day, "recorded_status", json_string(d->status ? d->status : ""));
    if (crashed(e[i])) {
      char hint[8192];
      cli_crashed_hint(e[i], dir, hint, sizeof hint);
      json_object_set_new(day, "recoverable", json_boolean(e[i]->recoverable));
      json_object_set_new(day, "hint", json_string(hint));
    }
    json_object_set_new(day, "last_updated", json_string(lu));
    json_object_set_new(day, "started_at", cli_time_json(e[i]->started_at));
    json_object_set_new(day, "candles", json_integer((json_int_t)d->candles_day));
    json_object_set_new(day, "candles_total", json_integer((json_int_t)d->candles_total));
    json_object_set_new(day, "equity", json_real(d->equity));
    json_object_set_new(day, "daily", cli_block_json(&d->daily));
    json_object_set_new(day, "cumulative", cli_block_json(&d->cumulative));
    json_object_set_new(day, "by_symbol", cli_by_symbol_json(e[i], 1));
    if (e[i]->run_collision) {
      json_object_set_new(day, "run_collision", json_string(e[i]->run_collision));
    }
    json_object_set_new(day, "stop_reason",
                        e[i]->stop_reason ? json_string(e[i]->stop_reason) : json_null());
    json_object_set_new(day, "journal_damaged", json_boolean(e[i]->journal_damaged));
    json_array_append_new(days, day);
  }
  json_object_set_new(o, "days", days);
  json_t *sess = cli_block_json(&s->cumulative);
  char through[64];
  snprintf(through, sizeof through, "%s/%s", last->date, last->run);
  json_object_set_new(sess, "through", json_string(through));
  json_object_set_new(sess, "status", json_string(cli_status(last)));
  json_object_set_new(sess, "candles", json_integer((json_int_t)s->candles_total));
  json_object_set_new(sess, "equity", json_real(s->equity));
  json_object_set_new(sess, "by_symbol", cli_by_symbol_json(last, 0));
  json_object_set_new(o, "session", sess);
  return o;
}

int cli_stats_main(int argc, char **argv) {
  cli_parsed p;
  int rc = cli_parse(argc, argv, 1, &p);
  if (rc) {
    return rc;
  }
  if (p.npos != 1) {
    cli_error("stats: which run? name one: DATE/run_N, a session id, or latest (see 'argo "
              "sessions')");
    return CLI_EXIT_USAGE;
  }
  char dirbuf[4096];
  const char *dir = cli_data_output(&p, "stats", dirbuf, sizeof dirbuf);
  argo_catalog *cat = dir ? cli_open_catalog("stats", dir, 0) : NULL;
  if (!cat) {
    return CLI_EXIT_USAGE;
  }
  const argo_catalog_entry *const *e = NULL;
  size_t n = 0;
  if (argo_catalog_resolve(cat, p.pos[0], &e, &n) != ARGO_OK) {
    cli_error("stats: %s", argo_catalog_errmsg(cat));
    argo_catalog_close(cat);
    return CLI_EXIT_USAGE;
  }
  if (cli_value(&p, "--json")) {
    json_t *j = stats_json(e, n, dir);
    rc = cli_print_json(j) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    json_decref(j);
  } else {
    print_text(e, n, dir);
  }
  argo_catalog_close(cat);
  return rc;
}
