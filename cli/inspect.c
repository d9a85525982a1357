/*
 * Helpers shared by the inspecting commands (see inspect.h): option parsing from the command
 * table, the catalog, text tables and JSON output.
 */
#include "inspect.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const cli_cmd *find_cmd(const char *name) {
  for (size_t i = 0; i < cli_ncommands; i++) {
    if (strcmp(cli_commands[i].name, name) == 0) {
      return &cli_commands[i];
    }
  }
  return NULL;
}

int cli_parse(int argc, char **argv, int maxpos, cli_parsed *p) {
  memset(p, 0, sizeof *p);
  p->cmd = find_cmd(argv[0]);
  if (!p->cmd) {
    cli_error("%s: not in the command table", argv[0]);
    return CLI_EXIT_USAGE;
  }
  int options_done = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!options_done && strcmp(a, "--") == 0) {
      options_done = 1;
      continue;
    }
    if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
      if (p->npos >= maxpos || p->npos >= CLI_MAX_POS) {
        cli_error("%s: unexpected argument '%s' (see 'argo %s --help')", argv[0], a, argv[0]);
        return CLI_EXIT_USAGE;
      }
      p->pos[p->npos++] = a;
      continue;
    }
    char name[64];
    const char *eq = strchr(a, '=');
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
    const cli_opt *o = cli_find_opt(p->cmd, name);
    if (!o) {
      cli_error("%s: unknown option '%s' (see 'argo %s --help')", argv[0], name, argv[0]);
      return CLI_EXIT_USAGE;
    }
    size_t k = (size_t)(o - p->cmd->opts);
    if (k >= CLI_MAX_OPTS) {
      cli_error("%s: too many options in the command table", argv[0]);
      return CLI_EXIT_USAGE;
    }
    if (!o->arg) {
      if (eq) {
        cli_error("%s: option %s takes no value", argv[0], name);
        return CLI_EXIT_USAGE;
      }
      p->val[k] = "";
      continue;
    }
    if (eq) {
      p->val[k] = eq + 1;
    } else if (i + 1 < argc) {
      p->val[k] = argv[++i];
    } else {
      cli_error("%s: option %s needs a value (%s)", argv[0], name, o->arg);
      return CLI_EXIT_USAGE;
    }
  }
  return 0;
}

const char *cli_value(const cli_parsed *p, const char *name) {
  const cli_opt *o = cli_find_opt(p->cmd, name);
  if (!o) {
    return NULL;
  }
  size_t k = (size_t)(o - p->cmd->opts);
  return k < CLI_MAX_OPTS ? p->val[k] : NULL;
}

const char *cli_data_output(const cli_parsed *p, const char *cmd, char *buf, size_t len) {
  const char *v = cli_value(p, "--data-output"), *file = cli_value(p, "--config");
  if (v && *v) {
    snprintf(buf, len, "%s", v);
    return buf;
  }
  argo_config *cfg = NULL;
  if (argo_config_new(&cfg) != ARGO_OK) {
    cli_error("out of memory");
    return NULL;
  }
  /* As argo run takes it: the environment, then the file over it. */
  const char *env = getenv(CLI_DATA_OUTPUT_ENV);
  argo_err rc = env && *env ? argo_config_set(cfg, "engine.data_output", env) : ARGO_OK;
  if (rc == ARGO_OK && file) {
    rc = argo_config_load_file(cfg, file);
  }
  if (rc == ARGO_OK) {
    rc = argo_config_get(cfg, "engine.data_output", buf, len);
  }
  if (rc != ARGO_OK) {
    cli_error("%s: %s", cmd, argo_config_errmsg(cfg));
  }
  argo_config_free(cfg);
  return rc == ARGO_OK ? buf : NULL;
}

const char *cli_order_status(argo_order_status s) {
  static const char *n[] = {"PENDING", "FILLED", "CANCELLED", "REJECTED", "FAILED"};
  return (unsigned)s < 5 ? n[s] : "FAILED";
}

int cli_config_set(argo_config *cfg, const char *cmd, const char *kv) {
  const char *eq = strchr(kv, '=');
  char key[128];
  if (!eq || (size_t)(eq - kv) >= sizeof key) {
    cli_error("%s: --set needs KEY=VALUE, got '%s'", cmd, kv);
    return -1;
  }
  snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
  if (argo_config_set(cfg, key, eq + 1) != ARGO_OK) {
    cli_error("%s: --set %s", cmd, argo_config_errmsg(cfg));
    return -1;
  }
  return 0;
}

argo_catalog *cli_open_catalog(const char *cmd, const char *dir, int notes) {
  argo_catalog *cat = NULL;
  if (argo_catalog_open(&cat, dir) != ARGO_OK) {
    cli_error("%s: %s", cmd, argo_catalog_errmsg(cat));
    argo_catalog_close(cat);
    return NULL;
  }
  for (size_t i = 0; notes && i < argo_catalog_skipped_count(cat); i++) {
    cli_error("%s: left out %s", cmd, argo_catalog_skipped_at(cat, i));
  }
  return cat;
}

int cli_write_file(const char *data, size_t len, void *user) {
  cli_sink *s = user;
  errno = 0;
  if (fwrite(data, 1, len, s->f) == len) {
    return 0;
  }
  s->err = errno ? errno : EIO;
  return -1;
}

/* ---- tables ------------------------------------------------------------------------------- */

void cli_table_init(cli_table *t, size_t ncols, const int *right) {
  memset(t, 0, sizeof *t);
  t->ncols = ncols;
  t->right = right;
}

void cli_table_add(cli_table *t, const char *fmt, ...) {
  if (t->failed) {
    return;
  }
  if (t->ncells == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    char **c = realloc(t->cells, cap * sizeof *c);
    if (!c) {
      t->failed = 1;
      return;
    }
    t->cells = c;
    t->cap = cap;
  }
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n >= 0 && (s = malloc((size_t)n + 1)) != NULL) {
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  if (!s) {
    t->failed = 1;
    return;
  }
  t->cells[t->ncells++] = s;
}

/* Display width: UTF-8 code points. */
static size_t width_of(const char *s) {
  size_t n = 0;
  for (; *s; s++) {
    n += ((unsigned char)*s & 0xC0) != 0x80;
  }
  return n;
}

void cli_table_print(const cli_table *t, FILE *out, const char *indent, int rule) {
  if (t->failed) {
    cli_error("out of memory");
    return;
  }
  size_t w[64] = {0};
  size_t ncols = t->ncols < 64 ? t->ncols : 64;
  for (size_t i = 0; i < t->ncells; i++) {
    size_t c = i % t->ncols;
    if (c < ncols && width_of(t->cells[i]) > w[c]) {
      w[c] = width_of(t->cells[i]);
    }
  }
  for (size_t i = 0; i < t->ncells; i++) {
    size_t c = i % t->ncols;
    if (c >= ncols) {
      continue;
    }
    size_t pad = w[c] - width_of(t->cells[i]);
    if (c == 0) {
      fputs(indent, out);
    } else {
      fputs("  ", out);
    }
    int right = t->right && t->right[c];
    if (right) {
      fprintf(out, "%*s", (int)pad, "");
    }
    fputs(t->cells[i], out);
    int last = c + 1 == ncols || i + 1 == t->ncells;
    if (!right && !last) {
      fprintf(out, "%*s", (int)pad, "");
    }
    if (last) {
      fputc('\n', out);
      if (rule && i + 1 == ncols) {
        fputs(indent, out);
        for (size_t k = 0; k < ncols; k++) {
          fprintf(out, "%s", k ? "  " : "");
          for (size_t d = 0; d < w[k]; d++) {
            fputc('-', out);
          }
        }
        fputc('\n', out);
      }
    }
  }
}

void cli_table_free(cli_table *t) {
  for (size_t i = 0; i < t->ncells; i++) {
    free(t->cells[i]);
  }
  free(t->cells);
  memset(t, 0, sizeof *t);
}

/* ---- JSON and numbers --------------------------------------------------------------------- */

static json_t *real(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

json_t *cli_block_json(const argo_stats_block *b) {
  json_t *o = json_object();
  json_object_set_new(o, "number_of_trades", json_integer((json_int_t)b->number_of_trades));
  json_object_set_new(o, "number_of_winning_trades",
                      json_integer((json_int_t)b->number_of_winning_trades));
  json_object_set_new(o, "number_of_losing_trades",
                      json_integer((json_int_t)b->number_of_losing_trades));
  json_object_set_new(o, "win_rate", real(b->win_rate));
  json_object_set_new(o, "max_drawdown", real(b->max_drawdown));
  json_object_set_new(o, "realized_pnl", real(b->realized_pnl));
  json_object_set_new(o, "unrealized_pnl", real(b->unrealized_pnl));
  json_object_set_new(o, "total_pnl", real(b->total_pnl));
  json_object_set_new(o, "maximum_loss", real(b->maximum_loss));
  json_object_set_new(o, "maximum_profit", real(b->maximum_profit));
  json_object_set_new(o, "total_fees", real(b->total_fees));
  json_t *h = json_object();
  json_object_set_new(h, "min", real(b->holding_min));
  json_object_set_new(h, "max", real(b->holding_max));
  json_object_set_new(h, "avg", real(b->holding_avg));
  json_object_set_new(h, "count", json_integer((json_int_t)b->holding_count));
  json_object_set_new(o, "holding_time", h);
  /* The figures added later: null when the stats.yaml was written before them. */
  json_object_set_new(o, "gross_profit", real(b->gross_profit));
  json_object_set_new(o, "gross_loss", real(b->gross_loss));
  json_object_set_new(o, "profit_factor", real(b->profit_factor));
  json_object_set_new(o, "expectancy", real(b->expectancy));
  json_object_set_new(o, "total_return", real(b->total_return));
  json_object_set_new(o, "sharpe_ratio", real(b->sharpe_ratio));
  json_object_set_new(o, "sortino_ratio", real(b->sortino_ratio));
  json_object_set_new(o, "calmar_ratio", real(b->calmar_ratio));
  json_object_set_new(o, "exposure", real(b->exposure));
  json_object_set_new(o, "days", b->days > 0 ? json_integer((json_int_t)b->days) : json_null());
  json_object_set_new(o, "best_day", real(b->best_day));
  json_object_set_new(o, "worst_day", real(b->worst_day));
  json_object_set_new(o, "buy_and_hold_return", real(b->buy_and_hold_return));
  return o;
}

json_t *cli_time_json(int64_t us) {
  char buf[48];
  if (!us) {
    return json_null();
  }
  argo_time_format(us, buf, sizeof buf);
  return json_string(buf);
}

json_t *cli_by_symbol_json(const argo_catalog_entry *e, int daily) {
  json_t *a = json_array();
  for (size_t i = 0; i < e->nby_symbol; i++) {
    const argo_symbol_block *b = daily ? &e->by_symbol[i].daily : &e->by_symbol[i].cumulative;
    json_t *o = json_object();
    json_object_set_new(o, "symbol", json_string(e->by_symbol[i].symbol));
    json_object_set_new(o, "fills", json_integer((json_int_t)b->fills));
    json_object_set_new(o, "round_trips", json_integer((json_int_t)b->round_trips));
    json_object_set_new(o, "winning", json_integer((json_int_t)b->winning));
    json_object_set_new(o, "losing", json_integer((json_int_t)b->losing));
    json_object_set_new(o, "win_rate", real(b->win_rate));
    json_object_set_new(o, "realized_pnl", real(b->realized_pnl));
    json_object_set_new(o, "unrealized_pnl", real(b->unrealized_pnl));
    json_object_set_new(o, "total_pnl", real(b->total_pnl));
    json_object_set_new(o, "fees", real(b->fees));
    json_object_set_new(o, "exposure", real(b->exposure));
    json_object_set_new(o, "buy_and_hold_return", real(b->buy_and_hold_return));
    json_array_append_new(a, o);
  }
  return a;
}

int cli_print_json(json_t *j) {
  /* 17 significant digits: every double reads back as exactly the value in stats.yaml. */
  char *s =
      j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
  if (!s) {
    cli_error("out of memory");
    return -1;
  }
  int rc = fputs(s, stdout) < 0 || fputc('\n', stdout) == EOF ? -1 : 0;
  free(s);
  return rc;
}

const char *cli_status(const argo_catalog_entry *e) {
  if (e->status) {
    return e->status;
  }
  return e->stats->status ? e->stats->status : "";
}

/* dir as one shell word: as it is when it is plain, otherwise in single quotes. */
static void shell_word(const char *dir, char *buf, size_t len) {
  int plain = *dir != '\0';
  for (const char *p = dir; *p; p++) {
    plain &= strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,:=@",
                    *p) != NULL;
  }
  if (plain) {
    snprintf(buf, len, "%s", dir);
    return;
  }
  size_t k = 0;
  if (len < 8) {
    buf[0] = '\0';
    return;
  }
  buf[k++] = '\'';
  for (const char *p = dir; *p && k + 6 < len; p++) {
    if (*p == '\'') {
      memcpy(buf + k, "'\\''", 4);
      k += 4;
    } else {
      buf[k++] = *p;
    }
  }
  buf[k++] = '\'';
  buf[k] = '\0';
}

void cli_crashed_hint(const argo_catalog_entry *e, const char *data_output, char *buf, size_t len) {
  char word[8192];
  shell_word(data_output, word, sizeof word);
  data_output = word;
  if (e->recoverable) {
    snprintf(buf, len,
             "%s/%s crashed: no process is recording it; run 'argo recover --data-output %s' to "
             "finalize it from its journal (a new 'argo run' on this data output does it first)",
             e->date, e->run, data_output);
  } else {
    snprintf(buf, len,
             "%s/%s crashed: no process is recording it and it has no journal to recover from "
             "(its files hold what was published); run 'argo recover --data-output %s' to mark "
             "it crashed_recovered",
             e->date, e->run, data_output);
  }
}
