/*
 * Stored history for warm restarts; see history.h. One in-memory DuckDB connection reads each
 * candidate market_data.parquet with the path and the symbols quoted, newest run first, and
 * stops as soon as every symbol has what it needs. An older run is asked, per symbol, only for
 * candles before the oldest one a newer run gave, so that runs over the same period (two
 * sessions side by side, a prefetch of what an earlier run had) never put a candle twice into
 * the window.
 */
#include "persist/history.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <duckdb.h>

#include "persist/duck.h"
#include "persist/recover.h"
#include "persist/session.h"
#include "persist/stats_yaml.h"
#include "persist/store.h"
#include "util/fsx.h"
#include "util/strbuf.h"
#include "util/timeu.h"
#include "util/util.h"

typedef struct entry {
  char name[64];
  int key; /* run number, or day number for dates */
} entry;

static int by_key_desc(const void *a, const void *b) {
  const entry *x = a, *y = b;
  return x->key < y->key ? 1 : x->key > y->key ? -1 : 0;
}

/* Sub-folders of dir that are dates (dates = 1) or run folders, newest first. */
static entry *list(const char *dir, int dates, size_t *n) {
  *n = 0;
  DIR *d = opendir(dir);
  if (!d) {
    return NULL;
  }
  entry *v = NULL;
  size_t cap = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    int64_t day;
    int key;
    if (dates) {
      if (argo__day_parse(de->d_name, &day) != 0) {
        continue;
      }
      key = (int)day;
    } else if ((key = argo__session_run_number(de->d_name)) <= 0) {
      continue;
    }
    if (argo__grow((void **)&v, &cap, *n + 1, sizeof *v) != 0) {
      break;
    }
    argo__strlcpy(v[*n].name, de->d_name, sizeof v[*n].name);
    v[*n].key = key;
    (*n)++;
  }
  closedir(d);
  if (*n) {
    qsort(v, *n, sizeof *v, by_key_desc);
  }
  return v;
}

/* 1 if the run's stats.yaml names another interval. */
static int other_interval(const char *run_dir, const char *interval) {
  char path[ARGO_PATH_MAX + 64], *text = NULL;
  if (!interval || argo__path(path, sizeof path, NULL, 0, "%s/stats.yaml", run_dir) != 0 ||
      argo__fs_read_all(path, &text, NULL) != 0) {
    return 0;
  }
  argo__stats_doc doc;
  char err[256];
  int other = 0;
  if (argo__stats_yaml_parse(text, &doc, err, sizeof err) == ARGO_OK) {
    other = doc.interval && strcmp(doc.interval, interval) != 0;
    argo__stats_doc_free(&doc);
  }
  free(text);
  return other;
}

typedef struct acc {
  argo_candle *c;
  size_t n, cap;
  size_t *have;    /* per symbol */
  int64_t *before; /* per symbol: what an older run may add ends before this (exclusive) */
} acc;

static int by_time(const void *a, const void *b) {
  const argo_candle *x = a, *y = b;
  if (x->time != y->time) {
    return x->time < y->time ? -1 : 1;
  }
  return strcmp(x->symbol, y->symbol);
}

/* Reads one file's newest candles into a: of each symbol that still needs some, those before
 * a->before[symbol] (so that a candle a newer run gave is never loaded twice, when runs cover
 * the same period); returns how many it added, or -1 on error. */
static long read_file(duckdb_connection con, const char *path, const char *const *symbols,
                      size_t nsym, size_t per_symbol, acc *a, char *err, size_t errlen) {
  char q[8800];
  if (argo__sql_quote(path, q, sizeof q) != 0) {
    argo__fmt(err, errlen, "path too long: '%s'", path);
    return -1;
  }
  argo__sb sql;
  argo__sb_init(&sql);
  argo__sb_printf(&sql,
                  "SELECT epoch_us(time), symbol, open, high, low, close, volume FROM "
                  "read_parquet(%s) WHERE false",
                  q);
  for (size_t i = 0; i < nsym; i++) {
    char s[128];
    if (a->have[i] >= per_symbol || argo__sql_quote(symbols[i], s, sizeof s) != 0) {
      continue;
    }
    argo__sb_printf(&sql, " OR (symbol = %s AND epoch_us(time) < %lld)", s,
                    (long long)a->before[i]);
  }
  /* Newest first, so that a symbol that needs fewer than per_symbol more takes the newest. */
  argo__sb_printf(&sql,
                  " QUALIFY row_number() OVER (PARTITION BY symbol ORDER BY time DESC) <= %zu "
                  "ORDER BY symbol, time DESC",
                  per_symbol);
  duckdb_result r;
  long added = 0;
  if (argo__sb_failed(&sql) || duckdb_query(con, argo__sb_str(&sql), &r) != DuckDBSuccess) {
    argo__fmt(err, errlen, "cannot read '%s': %s", path,
              argo__sb_failed(&sql) ? "out of memory" : duckdb_result_error(&r));
    argo__sb_free(&sql);
    duckdb_destroy_result(&r);
    return -1;
  }
  argo__sb_free(&sql);
  idx_t rows = duckdb_row_count(&r);
  for (idx_t i = 0; i < rows; i++) {
    char *sym = duckdb_value_varchar(&r, 1, i);
    size_t k = nsym;
    for (size_t j = 0; sym && j < nsym; j++) {
      if (strcmp(sym, symbols[j]) == 0) {
        k = j;
        break;
      }
    }
    duckdb_free(sym);
    if (k == nsym || a->have[k] >= per_symbol) {
      continue;
    }
    if (argo__grow((void **)&a->c, &a->cap, a->n + 1, sizeof *a->c) != 0) {
      break;
    }
    argo_candle *c = &a->c[a->n++];
    c->symbol = symbols[k];
    c->time = duckdb_value_int64(&r, 0, i);
    c->open = duckdb_value_double(&r, 2, i);
    c->high = duckdb_value_double(&r, 3, i);
    c->low = duckdb_value_double(&r, 4, i);
    c->close = duckdb_value_double(&r, 5, i);
    c->volume = duckdb_value_double(&r, 6, i);
    a->have[k]++;
    added++;
    if (c->time < a->before[k]) {
      a->before[k] = c->time; /* older runs may only add what comes before */
    }
  }
  duckdb_destroy_result(&r);
  return added;
}

argo_err argo__history_load(const char *data_output, const char *const *symbols, size_t nsym,
                            const char *interval, int64_t before_us, size_t per_symbol,
                            argo__stored *out, argo__history_report report, void *user, char *err,
                            size_t errlen) {
  memset(out, 0, sizeof *out);
  if (per_symbol == 0 || nsym == 0 || !argo__fs_is_dir(data_output)) {
    return ARGO_OK;
  }
  duckdb_database db = NULL;
  duckdb_connection con = NULL;
  acc a = {0};
  a.have = calloc(nsym, sizeof *a.have);
  a.before = calloc(nsym, sizeof *a.before);
  if (!a.have || !a.before) {
    free(a.have);
    free(a.before);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  for (size_t i = 0; i < nsym; i++) {
    a.before[i] = before_us;
  }
  argo_err rc = argo__duck_open(NULL, &db, &con, err, errlen);
  if (rc) {
    free(a.have);
    free(a.before);
    return rc;
  }
  size_t ndays = 0, done = 0;
  entry *days = list(data_output, 1, &ndays);
  int64_t before_day = argo__day_of(before_us);
  for (size_t d = 0; d < ndays && done < nsym; d++) {
    if (days[d].key > before_day) {
      continue;
    }
    char day_dir[4200];
    snprintf(day_dir, sizeof day_dir, "%s/%s", data_output, days[d].name);
    size_t nruns = 0;
    entry *runs = list(day_dir, 0, &nruns);
    for (size_t k = 0; k < nruns && done < nsym; k++) {
      char run_dir[4300], path[4400], note[ARGO_ERRMSG_MAX];
      snprintf(run_dir, sizeof run_dir, "%s/%s", day_dir, runs[k].name);
      snprintf(path, sizeof path, "%s/market_data.parquet", run_dir);
      if (!argo__fs_exists(path) || other_interval(run_dir, interval)) {
        continue;
      }
      int bad = argo__recover_check_parquet(path, note, sizeof note);
      if (bad != 0) {
        if (report) {
          report(user, ARGO_ECORRUPT, note);
        }
        continue;
      }
      long added = read_file(con, path, symbols, nsym, per_symbol, &a, note, sizeof note);
      if (added < 0) {
        if (report) {
          report(user, ARGO_EIO, note);
        }
        continue;
      }
      if (added > 0 && !out->resumed_from[0]) {
        snprintf(out->resumed_from, sizeof out->resumed_from, "%s/%s", days[d].name, runs[k].name);
        argo__strlcpy(out->resumed_dir, run_dir, sizeof out->resumed_dir);
      }
      done = 0;
      for (size_t i = 0; i < nsym; i++) {
        done += a.have[i] >= per_symbol;
      }
    }
    free(runs);
  }
  free(days);
  argo__duck_close(&db, &con);
  free(a.have);
  free(a.before);
  if (a.n) {
    qsort(a.c, a.n, sizeof *a.c, by_time);
  }
  out->candles = a.c;
  out->n = a.n;
  return ARGO_OK;
}

void argo__stored_free(argo__stored *s) {
  free(s->candles);
  memset(s, 0, sizeof *s);
}

/* max(id) of one file into *v (0 when it has no rows). 0, or -1 with err set. */
static int file_max_id(duckdb_connection con, const char *path, int64_t *v, char *err,
                       size_t errlen) {
  char q[8800], sql[9000];
  *v = 0;
  if (argo__sql_quote(path, q, sizeof q) != 0) {
    argo__fmt(err, errlen, "path too long: '%s'", path);
    return -1;
  }
  snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM read_parquet(%s)", q);
  duckdb_result r;
  int rc = 0;
  if (duckdb_query(con, sql, &r) == DuckDBSuccess && duckdb_row_count(&r) == 1) {
    *v = duckdb_value_int64(&r, 0, 0);
  } else {
    argo__fmt(err, errlen, "cannot read the ids of '%s': %s", path,
              duckdb_result_error(&r) ? duckdb_result_error(&r) : "no result");
    rc = -1;
  }
  duckdb_destroy_result(&r);
  return rc;
}

/* The ids of one file into *best. A file that cannot be read is checked: an unreadable one is
 * moved aside (".corrupt") and reported, as every Parquet file argo finds broken at start; the
 * others count. */
static void ids_of(duckdb_connection con, const char *path, int64_t *best,
                   argo__history_report report, void *user) {
  if (!argo__fs_exists(path)) {
    return;
  }
  char note[ARGO_ERRMSG_MAX];
  int64_t v;
  if (file_max_id(con, path, &v, note, sizeof note) != 0) {
    char why[ARGO_ERRMSG_MAX];
    int bad = argo__recover_check_parquet(path, why, sizeof why);
    if (bad != 0 || file_max_id(con, path, &v, note, sizeof note) != 0) {
      /* Moved aside (or not even that): its ids are lost to the count, which says so. */
      if (report) {
        report(user, bad == 1 ? ARGO_ECORRUPT : ARGO_EIO, bad != 0 ? why : note);
      }
      return;
    }
  }
  if (v > *best) {
    *best = v;
  }
}

void argo__history_last_ids(const char *data_output, int64_t *mark_id, int64_t *log_id,
                            argo__history_report report, void *user) {
  *mark_id = *log_id = 0;
  if (!argo__fs_is_dir(data_output)) {
    return;
  }
  /* DuckDB is opened only once there is a file to read: a first session in an empty folder
   * does not pay for it. */
  duckdb_database db = NULL;
  duckdb_connection con = NULL;
  int failed = 0;
  /* File by file (not one query over all of them), so that one unreadable file neither hides
   * the others' ids nor stays in place unreported. */
  size_t ndays = 0;
  entry *days = list(data_output, 1, &ndays);
  for (size_t d = 0; d < ndays && !failed; d++) {
    char day_dir[4200];
    snprintf(day_dir, sizeof day_dir, "%s/%s", data_output, days[d].name);
    size_t nruns = 0;
    entry *runs = list(day_dir, 0, &nruns);
    for (size_t k = 0; k < nruns && !failed; k++) {
      static const char *const files[2] = {"marks.parquet", "logs.parquet"};
      for (int f = 0; f < 2; f++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s/%s", day_dir, runs[k].name, files[f]);
        if (!argo__fs_exists(path)) {
          continue;
        }
        char err[ARGO_ERRMSG_MAX], msg[ARGO_ERRMSG_MAX * 2];
        if (!con && argo__duck_open(NULL, &db, &con, err, sizeof err) != ARGO_OK) {
          if (report) {
            argo__fmt(msg, sizeof msg, "%s; mark and log ids start again at 1", err);
            report(user, ARGO_EDB, msg);
          }
          failed = 1;
          break;
        }
        ids_of(con, path, f == 0 ? mark_id : log_id, report, user);
      }
    }
    free(runs);
  }
  free(days);
  argo__duck_close(&db, &con);
}

/* ---- orders a live broker left open ------------------------------------------------------ */

static int status_final(const char *s) {
  return strcmp(s, "PENDING") != 0;
}

/* The order of id in p (or a new zeroed entry, or NULL when out of memory); *done set for the
 * ids that some file holds final. */
static argo__prior_order *prior_of(argo__prior *p, size_t *cap, const char *id) {
  for (size_t i = 0; i < p->n; i++) {
    if (strcmp(p->v[i].o.order_id, id) == 0) {
      return &p->v[i];
    }
  }
  if (argo__grow((void **)&p->v, cap, p->n + 1, sizeof *p->v) != 0) {
    return NULL;
  }
  argo__prior_order *x = &p->v[p->n++];
  memset(x, 0, sizeof *x);
  argo__strlcpy(x->o.order_id, id, sizeof x->o.order_id);
  return x;
}

static const char *cell(duckdb_result *r, idx_t c, idx_t row, char *buf, size_t len) {
  char *v = duckdb_value_varchar(r, c, row);
  argo__strlcpy(buf, v ? v : "", len);
  duckdb_free(v);
  return buf;
}

/* The live orders of one orders.parquet into p; final ones marked in done (parallel array). */
static int orders_of(duckdb_connection con, const char *path, const char *run, argo__prior *p,
                     size_t *cap, unsigned char **done, size_t *dcap) {
  char q[8800], sql[9400];
  if (argo__sql_quote(path, q, sizeof q) != 0) {
    return 0;
  }
  snprintf(sql, sizeof sql,
           "SELECT order_id, client_order_id, CAST(symbol AS VARCHAR), CAST(side AS VARCHAR), "
           "CAST(order_type AS VARCHAR), quantity, price, epoch_us(timestamp), "
           "CAST(status AS VARCHAR), CAST(position_type AS VARCHAR) FROM read_parquet(%s) "
           "WHERE client_order_id <> ''",
           q);
  duckdb_result r;
  if (duckdb_query(con, sql, &r) != DuckDBSuccess) {
    duckdb_destroy_result(&r);
    return 0; /* written before client_order_id, or unreadable: no live orders to find */
  }
  int rc = 0;
  for (idx_t i = 0; i < duckdb_row_count(&r) && rc == 0; i++) {
    char id[ARGO_ID_MAX], st[16], tmp[64];
    cell(&r, 0, i, id, sizeof id);
    argo__prior_order *x = prior_of(p, cap, id);
    if (!x || argo__grow((void **)done, dcap, p->n, 1) != 0) {
      rc = -1;
      break;
    }
    size_t k = (size_t)(x - p->v);
    if (k + 1 == p->n) {
      (*done)[k] = 0;
    }
    if (status_final(cell(&r, 8, i, st, sizeof st))) {
      (*done)[k] = 1;
      continue;
    }
    cell(&r, 1, i, x->client_id, sizeof x->client_id);
    cell(&r, 2, i, x->symbol, sizeof x->symbol);
    x->o.side =
        strcmp(cell(&r, 3, i, tmp, sizeof tmp), "SELL") == 0 ? ARGO_SIDE_SELL : ARGO_SIDE_BUY;
    x->o.type = strcmp(cell(&r, 4, i, tmp, sizeof tmp), "LIMIT") == 0 ? ARGO_ORDER_LIMIT
                                                                      : ARGO_ORDER_MARKET;
    x->o.quantity = duckdb_value_double(&r, 5, i);
    x->o.price = duckdb_value_double(&r, 6, i);
    x->o.timestamp = duckdb_value_int64(&r, 7, i);
    x->o.status = ARGO_ORDER_PENDING;
    x->o.position_type = strcmp(cell(&r, 9, i, tmp, sizeof tmp), "SHORT") == 0 ? ARGO_POSITION_SHORT
                                                                               : ARGO_POSITION_LONG;
    argo__strlcpy(x->run, run, sizeof x->run);
  }
  duckdb_destroy_result(&r);
  return rc;
}

/* The fills of the orders in p recorded in one trades.parquet. */
static int trades_of(duckdb_connection con, const char *path, argo__prior *p) {
  char q[8800], sql[9200];
  if (argo__sql_quote(path, q, sizeof q) != 0) {
    return 0;
  }
  snprintf(sql, sizeof sql,
           "SELECT order_id, trade_id, executed_qty FROM read_parquet(%s) WHERE trade_id <> ''", q);
  duckdb_result r;
  if (duckdb_query(con, sql, &r) != DuckDBSuccess) {
    duckdb_destroy_result(&r);
    return 0;
  }
  int rc = 0;
  for (idx_t i = 0; i < duckdb_row_count(&r) && rc == 0; i++) {
    char id[ARGO_ID_MAX], tid[32];
    cell(&r, 0, i, id, sizeof id);
    for (size_t k = 0; k < p->n; k++) {
      argo__prior_order *x = &p->v[k];
      if (strcmp(x->o.order_id, id) != 0) {
        continue;
      }
      int64_t *t = realloc(x->trades, (x->ntrades + 1) * sizeof *t);
      if (!t) {
        rc = -1;
        break;
      }
      x->trades = t;
      x->trades[x->ntrades++] = strtoll(cell(&r, 1, i, tid, sizeof tid), NULL, 10);
      x->o.filled_qty += duckdb_value_double(&r, 2, i);
    }
  }
  duckdb_destroy_result(&r);
  return rc;
}

void argo__prior_free(argo__prior *p) {
  for (size_t i = 0; p && i < p->n; i++) {
    free(p->v[i].trades);
  }
  if (p) {
    free(p->v);
    memset(p, 0, sizeof *p);
  }
}

/* Calls fn for the file name of every run folder under data_output. */
static int each_run_file(const char *data_output, const char *file, duckdb_connection con,
                         int (*fn)(duckdb_connection, const char *, const char *, void *),
                         void *arg) {
  size_t ndays = 0;
  entry *days = list(data_output, 1, &ndays);
  int rc = 0;
  for (size_t d = 0; d < ndays && rc == 0; d++) {
    char day_dir[4200];
    snprintf(day_dir, sizeof day_dir, "%s/%s", data_output, days[d].name);
    size_t nruns = 0;
    entry *runs = list(day_dir, 0, &nruns);
    for (size_t k = 0; k < nruns && rc == 0; k++) {
      char path[4400], run[160];
      snprintf(path, sizeof path, "%s/%s/%s", day_dir, runs[k].name, file);
      snprintf(run, sizeof run, "%s/%s", days[d].name, runs[k].name);
      if (argo__fs_exists(path)) {
        rc = fn(con, path, run, arg);
      }
    }
    free(runs);
  }
  free(days);
  return rc;
}

typedef struct live_walk {
  argo__prior *p;
  size_t cap, dcap;
  unsigned char *done;
} live_walk;

static int walk_orders(duckdb_connection con, const char *path, const char *run, void *arg) {
  live_walk *w = arg;
  return orders_of(con, path, run, w->p, &w->cap, &w->done, &w->dcap);
}

static int walk_trades(duckdb_connection con, const char *path, const char *run, void *arg) {
  (void)run;
  return trades_of(con, path, ((live_walk *)arg)->p);
}

argo_err argo__history_live_orders(const char *data_output, argo__prior *out,
                                   argo__history_report report, void *user) {
  memset(out, 0, sizeof *out);
  if (!argo__fs_is_dir(data_output)) {
    return ARGO_OK;
  }
  duckdb_database db = NULL;
  duckdb_connection con = NULL;
  char err[ARGO_ERRMSG_MAX];
  if (argo__duck_open(NULL, &db, &con, err, sizeof err) != ARGO_OK) {
    if (report) {
      report(user, ARGO_EDB, err);
    }
    return ARGO_OK;
  }
  live_walk w = {.p = out};
  int rc = each_run_file(data_output, "orders.parquet", con, walk_orders, &w);
  /* Only the orders no file holds final are left. */
  size_t n = 0;
  for (size_t i = 0; rc == 0 && i < out->n; i++) {
    if (!w.done[i] && out->v[i].client_id[0]) {
      out->v[n++] = out->v[i];
    }
  }
  out->n = rc == 0 ? n : out->n;
  for (size_t i = 0; i < out->n; i++) {
    out->v[i].o.symbol = out->v[i].symbol;
    out->v[i].o.reason = "";
  }
  if (rc == 0 && out->n) {
    rc = each_run_file(data_output, "trades.parquet", con, walk_trades, &w);
  }
  free(w.done);
  argo__duck_close(&db, &con);
  if (rc != 0) {
    argo__prior_free(out);
    return ARGO_ENOMEM;
  }
  return ARGO_OK;
}
