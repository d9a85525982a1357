/*
 * Report: one self-contained HTML file about a session or one of its days (argo_report_write,
 * or argo_report_render for a caller that sends the page elsewhere, such as standard output).
 * The page holds its own CSS and JavaScript (hand-written SVG charts, no library, nothing fetched
 * when it is viewed) and the data as JSON in a <script type="application/json"> element. The
 * CSS and JavaScript are files of their own, src/inspect/report/, built into the library
 * (report_assets.h); this file writes the HTML around them and the data.
 *
 * The equity and drawdown curves are not stored anywhere, so they are recomputed exactly: the
 * session's fills and candle closes are replayed, from its first day folder on, through the
 * statistics tracker the engine itself uses (stats.c), which marks equity at every candle close.
 * A fill is applied before the close of the candle it happened on (its executed_at time), in the
 * order of trades.parquet; the page compares the replayed end equity and maximum drawdown with
 * stats.yaml. Long series are thinned for drawing (each bucket keeps its lowest and highest
 * point), never the replay itself.
 *
 * The round trips are paired from the same fills by inspect/trips (the pieces the statistics
 * count), and a buy-and-hold curve follows the symbols' closes from the first day shown.
 * Candles beyond CANDLES_MAX per symbol are merged (open of the first, high, low, close of the
 * last) before they are embedded; the page merges them further for drawing when a view holds
 * more than its width can show.
 *
 * The page sets <body data-charts="N" data-charts-expected="M" data-errors="E" data-done="1">
 * once its script has run, so that a headless browser can check that every chart was drawn and
 * no script error happened. Reads only published files (through DuckDB, read-only); the page is
 * written as a file the user names (argo_output_write: a temporary file fsynced and renamed over
 * a regular file or a new one, never over a folder, a pipe or a device).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <duckdb.h>

#include <argo/argo.h>

#include "core/stats.h"
#include "inspect/catalog.h"
#include "inspect/query.h"
#include "inspect/report_assets.h"
#include "inspect/trips.h"
#include "persist/duck.h"
#include "persist/session.h"
#include "persist/store.h"
#include "util/fsx.h"
#include "util/misc.h"
#include "util/strbuf.h"
#include "util/util.h"

/* Points per drawn series (equity, drawdown, buy and hold) before thinning. */
#define SERIES_MAX 4000
/* Candles embedded per symbol: more are merged in buckets of consecutive candles. */
#define CANDLES_MAX 20000
/* Fills, marks and round trips embedded in the page (the latest ones), and fills listed in its
 * table. */
#define FILLS_MAX 20000
#define MARKS_MAX 5000
#define TRIPS_MAX 5000
#define FILLS_TABLE_MAX 2000

typedef struct candle_row {
  int64_t t;
  double open, high, low, close;
  uint32_t sym, day;
} candle_row;

/* A round trip of the replay, with the day folder of its exit. */
typedef struct trip_row {
  argo__trip t;
  uint32_t sym, day;
  size_t fill; /* index of its exit fill */
} trip_row;

typedef struct fill_row {
  int64_t t; /* executed_at */
  double qty, price, fee, pnl;
  uint32_t sym, day;
  int side, ptype;
  char order_id[ARGO_ID_MAX];
} fill_row;

typedef struct rep {
  argo_catalog *cat;
  duckdb_database db;
  duckdb_connection con;
  const argo_catalog_entry **days; /* the session's day folders replayed, oldest first */
  size_t ndays;
  size_t first_shown; /* days[first_shown..ndays-1] are the ones the report is about */
  char **syms;        /* symbol names; index = position */
  size_t nsyms, symcap;
  argo__map symidx; /* name -> index + 1 */
  candle_row *candles;
  size_t ncandles, candcap;
  fill_row *fills;
  size_t nfills, fillcap;
  /* replay results, per candle timestamp of the days shown */
  int64_t *eq_t;
  double *eq_v, *dd_v, *bh_v; /* equity, drawdown, buy and hold */
  size_t neq, eqcap;
  double capital, end_equity, max_dd;
  trip_row *trips;
  size_t ntrips, tripcap;
  char *err;
  size_t errlen;
} rep;

/* ---- reading the session ------------------------------------------------------------------ */

static argo_err oom(rep *r) {
  argo__fmt(r->err, r->errlen, "out of memory");
  return ARGO_ENOMEM;
}

/* Index of symbol name, added when new; -1 when out of memory. */
static long sym_index(rep *r, const char *name) {
  void **slot = argo__map_get(&r->symidx, name);
  if (slot) {
    return (long)(uintptr_t)*slot - 1;
  }
  if (argo__grow((void **)&r->syms, &r->symcap, r->nsyms + 1, sizeof *r->syms)) {
    return -1;
  }
  char *copy = argo__strdup(name);
  if (!copy || argo__map_put(&r->symidx, name, (void *)(uintptr_t)(r->nsyms + 1))) {
    free(copy);
    return -1;
  }
  r->syms[r->nsyms] = copy;
  return (long)r->nsyms++;
}

/* Runs a query over one Parquet file of a day folder. 1 if it ran, 0 if the file is missing
 * (nothing to read), or an error (negative argo_err) with the message set. */
static int query_file(rep *r, const char *run_dir, const char *file, const char *select,
                      const char *tail, duckdb_result *res) {
  char path[ARGO_PATH_MAX + 128], quoted[2 * sizeof path + 3];
  snprintf(path, sizeof path, "%s/%s", run_dir, file);
  if (!argo__fs_exists(path)) {
    return 0;
  }
  if (argo__sql_quote(path, quoted, sizeof quoted) != 0) {
    argo__fmt(r->err, r->errlen, "path too long: '%s'", path);
    return -ARGO_EINVAL;
  }
  argo__sb sql;
  argo__sb_init(&sql);
  argo__sb_printf(&sql, "SELECT %s FROM read_parquet(%s)%s", select, quoted, tail);
  if (argo__sb_failed(&sql)) {
    argo__sb_free(&sql);
    return -(int)oom(r);
  }
  int rc = 1;
  if (duckdb_query(r->con, argo__sb_str(&sql), res) != DuckDBSuccess) {
    char one[ARGO_ERRMSG_MAX];
    argo__duck_msg(duckdb_result_error(res), one, sizeof one);
    argo__fmt(r->err, r->errlen, "cannot read '%s': %s", path, one);
    duckdb_destroy_result(res);
    rc = -ARGO_EDB;
  }
  argo__sb_free(&sql);
  return rc;
}

static argo_err load_day(rep *r, uint32_t day) {
  const char *dir = r->days[day]->run_dir;
  duckdb_result res;
  /* File order is recording order: the replay depends on it, so nothing is sorted here. */
  int q = query_file(r, dir, "market_data.parquet",
                     "epoch_us(time), symbol, close, open, high, low", "", &res);
  if (q < 0) {
    return (argo_err)-q;
  }
  if (q > 0) {
    idx_t n = duckdb_row_count(&res);
    if (argo__grow((void **)&r->candles, &r->candcap, r->ncandles + n, sizeof *r->candles)) {
      duckdb_destroy_result(&res);
      return oom(r);
    }
    for (idx_t i = 0; i < n; i++) {
      char *sym = duckdb_value_varchar(&res, 1, i);
      long s = sym ? sym_index(r, sym) : -1;
      duckdb_free(sym);
      if (s < 0) {
        duckdb_destroy_result(&res);
        return oom(r);
      }
      candle_row *c = &r->candles[r->ncandles++];
      c->t = duckdb_value_int64(&res, 0, i);
      c->close = duckdb_value_double(&res, 2, i);
      c->open = duckdb_value_double(&res, 3, i);
      c->high = duckdb_value_double(&res, 4, i);
      c->low = duckdb_value_double(&res, 5, i);
      c->sym = (uint32_t)s;
      c->day = day;
    }
    duckdb_destroy_result(&res);
  }
  q = query_file(r, dir, "trades.parquet",
                 "epoch_us(executed_at), symbol, side, position_type, executed_qty, "
                 "executed_price, commission, pnl, order_id",
                 "", &res);
  if (q < 0) {
    return (argo_err)-q;
  }
  if (q > 0) {
    idx_t n = duckdb_row_count(&res);
    if (argo__grow((void **)&r->fills, &r->fillcap, r->nfills + n, sizeof *r->fills)) {
      duckdb_destroy_result(&res);
      return oom(r);
    }
    for (idx_t i = 0; i < n; i++) {
      char *sym = duckdb_value_varchar(&res, 1, i);
      char *side = duckdb_value_varchar(&res, 2, i);
      char *pt = duckdb_value_varchar(&res, 3, i);
      char *oid = duckdb_value_varchar(&res, 8, i);
      long s = sym ? sym_index(r, sym) : -1;
      fill_row *f = &r->fills[r->nfills];
      memset(f, 0, sizeof *f);
      f->t = duckdb_value_int64(&res, 0, i);
      f->side = side && strcmp(side, "SELL") == 0 ? ARGO_SIDE_SELL : ARGO_SIDE_BUY;
      f->ptype = pt && strcmp(pt, "SHORT") == 0 ? ARGO_POSITION_SHORT : ARGO_POSITION_LONG;
      f->qty = duckdb_value_double(&res, 4, i);
      f->price = duckdb_value_double(&res, 5, i);
      f->fee = duckdb_value_double(&res, 6, i);
      f->pnl = duckdb_value_double(&res, 7, i);
      argo__strlcpy(f->order_id, oid ? oid : "", sizeof f->order_id);
      f->sym = (uint32_t)(s < 0 ? 0 : s);
      f->day = day;
      duckdb_free(sym);
      duckdb_free(side);
      duckdb_free(pt);
      duckdb_free(oid);
      if (s < 0) {
        duckdb_destroy_result(&res);
        return oom(r);
      }
      r->nfills++;
    }
    duckdb_destroy_result(&res);
  }
  return ARGO_OK;
}

/* ---- replay ------------------------------------------------------------------------------- */

static argo_err add_sample(rep *r, int64_t t, double eq, double dd, double bh) {
  if (r->neq && r->eq_t[r->neq - 1] == t) {
    /* Several symbols close at one time: keep the equity and buy and hold after the last and
     * the deepest drawdown among them. */
    r->eq_v[r->neq - 1] = eq;
    r->bh_v[r->neq - 1] = bh;
    if (dd > r->dd_v[r->neq - 1]) {
      r->dd_v[r->neq - 1] = dd;
    }
    return ARGO_OK;
  }
  if (r->neq == r->eqcap) {
    size_t cap = r->eqcap ? r->eqcap * 2 : 1024;
    int64_t *t2 = realloc(r->eq_t, cap * sizeof *t2);
    if (t2) {
      r->eq_t = t2;
    }
    double *v2 = t2 ? realloc(r->eq_v, cap * sizeof *v2) : NULL;
    if (v2) {
      r->eq_v = v2;
    }
    double *d2 = v2 ? realloc(r->dd_v, cap * sizeof *d2) : NULL;
    if (d2) {
      r->dd_v = d2;
    }
    double *b2 = d2 ? realloc(r->bh_v, cap * sizeof *b2) : NULL;
    if (!b2) {
      return oom(r);
    }
    r->bh_v = b2;
    r->eqcap = cap;
  }
  r->eq_t[r->neq] = t;
  r->eq_v[r->neq] = eq;
  r->dd_v[r->neq] = dd;
  r->bh_v[r->neq] = bh;
  r->neq++;
  return ARGO_OK;
}

typedef struct trip_ctx {
  rep *r;
  size_t fill;
  int failed;
} trip_ctx;

static void keep_trip(void *user, const argo__trip *t) {
  trip_ctx *c = user;
  rep *r = c->r;
  const fill_row *f = &r->fills[c->fill];
  if (f->day < r->first_shown) {
    return;
  }
  if (argo__grow((void **)&r->trips, &r->tripcap, r->ntrips + 1, sizeof *r->trips) != 0) {
    c->failed = 1;
    return;
  }
  r->trips[r->ntrips++] = (trip_row){*t, f->sym, f->day, c->fill};
}

static argo_err apply_fill(rep *r, argo__stats *st, argo__trips *tr, size_t i) {
  const fill_row *fr = &r->fills[i];
  argo__trip_fill tf = {"",        r->syms[fr->sym], fr->side, fr->ptype, fr->qty,
                        fr->price, fr->fee,          fr->pnl,  fr->t};
  trip_ctx tc = {r, i, 0};
  if (argo__trips_add(tr, &tf, keep_trip, &tc) != ARGO_OK || tc.failed) {
    return oom(r);
  }
  argo_fill f;
  memset(&f, 0, sizeof f);
  f.symbol = r->syms[fr->sym];
  f.side = (argo_side)fr->side;
  f.position_type = (argo_position_type)fr->ptype;
  f.quantity = fr->qty;
  f.price = fr->price;
  f.executed_at = fr->t;
  f.timestamp = fr->t;
  f.executed_qty = fr->qty;
  f.executed_price = fr->price;
  f.commission = fr->fee;
  f.pnl = fr->pnl;
  argo_err rc = argo__stats_fill(st, fr->sym, &f);
  if (rc == ARGO_ENOMEM) {
    return oom(r);
  }
  /* A fill the tracker refuses (it closes more than is open: a session that resumed positions
   * from another) changes nothing; the page's check then shows the difference. */
  return ARGO_OK;
}

/* Replays fills and closes in recording order. A fill goes in before the close of the candle it
 * happened on: every fill executed before the candle's time, and those at its time that belong
 * to its symbol or to a symbol whose candle at that time has already gone by. */
/* The buy-and-hold curve: the equity the first day shown started with, spread alike over the
 * symbols at their starting prices (the last close before that day, else their first close in
 * it), each held since: start * mean(close / starting price). */
typedef struct bench {
  double *ref, *last, *val; /* per symbol: starting price, latest close, latest / starting */
  double start;
  size_t known;
  double sum; /* of val over the symbols known */
} bench;

static double bench_value(const bench *b) {
  return b->known ? b->start * b->sum / (double)b->known : b->start;
}

static void bench_close(bench *b, uint32_t sym, double close, int shown) {
  if (!(close > 0) || !isfinite(close)) {
    return;
  }
  if (shown && !(b->ref[sym] > 0)) {
    b->ref[sym] = b->last[sym] > 0 ? b->last[sym] : close;
    b->known++;
  }
  if (b->ref[sym] > 0) {
    double v = close / b->ref[sym];
    b->sum += v - b->val[sym];
    b->val[sym] = v;
  }
  b->last[sym] = close;
}

static argo_err replay(rep *r) {
  argo__stats *st = NULL;
  argo__trips *tr = NULL;
  size_t ns = r->nsyms ? r->nsyms : 1;
  int64_t *last_t = calloc(ns, sizeof *last_t);
  bench b = {calloc(ns, sizeof *b.ref),
             calloc(ns, sizeof *b.last),
             calloc(ns, sizeof *b.val),
             r->capital,
             0,
             0};
  argo_err rc = ARGO_ENOMEM;
  if (!last_t || !b.ref || !b.last || !b.val || argo__stats_new(&st, r->capital, ns) != ARGO_OK ||
      argo__trips_new(&tr) != ARGO_OK) {
    rc = oom(r);
    goto fail;
  }
  for (size_t i = 0; i < r->nsyms; i++) {
    last_t[i] = INT64_MIN;
  }
  size_t fi = 0;
  uint32_t day = 0;
  double peak = r->capital;
  int started = r->first_shown == 0;
  rc = ARGO_OK;
  for (size_t k = 0; k < r->ncandles && rc == ARGO_OK; k++) {
    const candle_row *c = &r->candles[k];
    if (c->day != day) {
      argo__stats_new_day(st);
      day = c->day;
      if (!started && day >= r->first_shown) {
        b.start = argo__stats_equity(st); /* the equity the first day shown starts with */
        started = 1;
      }
    }
    while (fi < r->nfills && rc == ARGO_OK) {
      const fill_row *f = &r->fills[fi];
      int due = f->day < c->day ||
                (f->day == c->day &&
                 (f->t < c->t || (f->t == c->t && (f->sym == c->sym || last_t[f->sym] == c->t))));
      if (!due) {
        break;
      }
      rc = apply_fill(r, st, tr, fi);
      fi++;
    }
    argo__stats_mark(st, c->sym, c->close);
    bench_close(&b, c->sym, c->close, c->day >= r->first_shown);
    last_t[c->sym] = c->t;
    double eq = argo__stats_equity(st);
    if (eq > peak) {
      peak = eq;
    }
    double dd = peak > 0 ? (peak - eq) / peak : 0;
    if (rc == ARGO_OK && c->day >= r->first_shown) {
      rc = add_sample(r, c->t, eq, dd, bench_value(&b));
    }
  }
  for (; fi < r->nfills && rc == ARGO_OK; fi++) {
    rc = apply_fill(r, st, tr, fi);
  }
  if (rc == ARGO_OK) {
    argo_stats_block daily, cum;
    argo__stats_get(st, &daily, &cum);
    r->end_equity = argo__stats_equity(st);
    r->max_dd = cum.max_drawdown;
  }
fail:
  argo__stats_free(st);
  argo__trips_free(tr);
  free(last_t);
  free(b.ref);
  free(b.last);
  free(b.val);
  return rc;
}

/* ---- writing the page --------------------------------------------------------------------- */

/* A JSON string that is also safe inside a <script> element: <, > and & are escaped. */
static void js_str(argo__sb *sb, const char *s) {
  argo__sb_putc(sb, '"');
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    if (*p == '"' || *p == '\\') {
      argo__sb_putc(sb, '\\');
      argo__sb_putc(sb, (char)*p);
    } else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
      argo__sb_printf(sb, "\\u%04x", *p);
    } else {
      argo__sb_putc(sb, (char)*p);
    }
  }
  argo__sb_putc(sb, '"');
}

static void html_text(argo__sb *sb, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '<':
      argo__sb_puts(sb, "&lt;");
      break;
    case '>':
      argo__sb_puts(sb, "&gt;");
      break;
    case '&':
      argo__sb_puts(sb, "&amp;");
      break;
    case '"':
      argo__sb_puts(sb, "&quot;");
      break;
    default:
      argo__sb_putc(sb, *s);
    }
  }
}

static void num(argo__sb *sb, double v) {
  argo__sb_json_num(sb, v);
}

/* Milliseconds, the unit of JavaScript dates. */
static void ms(argo__sb *sb, int64_t us) {
  if (us % 1000 == 0) {
    argo__sb_printf(sb, "%lld", (long long)(us / 1000));
  } else {
    argo__sb_printf(sb, "%.3f", (double)us / 1000.0);
  }
}

/* "key":value pairs of doubles, after a comma. */
static void nums(argo__sb *sb, const char *const *keys, const double *vals, size_t n) {
  for (size_t i = 0; i < n; i++) {
    argo__sb_printf(sb, ",\"%s\":", keys[i]);
    num(sb, vals[i]);
  }
}

static void block_json(argo__sb *sb, const argo_stats_block *b) {
  static const char *const keys[] = {
      "win_rate",     "max_drawdown",   "realized_pnl",       "unrealized_pnl", "total_pnl",
      "maximum_loss", "maximum_profit", "total_fees",         "holding_min",    "holding_max",
      "holding_avg",  "gross_profit",   "gross_loss",         "profit_factor",  "expectancy",
      "total_return", "sharpe_ratio",   "sortino_ratio",      "calmar_ratio",   "exposure",
      "best_day",     "worst_day",      "buy_and_hold_return"};
  const double vals[] = {
      b->win_rate,     b->max_drawdown,   b->realized_pnl,       b->unrealized_pnl, b->total_pnl,
      b->maximum_loss, b->maximum_profit, b->total_fees,         b->holding_min,    b->holding_max,
      b->holding_avg,  b->gross_profit,   b->gross_loss,         b->profit_factor,  b->expectancy,
      b->total_return, b->sharpe_ratio,   b->sortino_ratio,      b->calmar_ratio,   b->exposure,
      b->best_day,     b->worst_day,      b->buy_and_hold_return};
  _Static_assert(sizeof keys / sizeof keys[0] == sizeof vals / sizeof vals[0], "block keys");
  char held[32];
  /* Durations are written as argo stats shows them (argo_duration_format), so that the two
   * never read differently. */
  argo_duration_format(b->holding_avg, held, sizeof held);
  argo__sb_printf(sb,
                  "{\"number_of_trades\":%lld,\"number_of_winning_trades\":%lld,"
                  "\"number_of_losing_trades\":%lld,\"holding_count\":%lld,\"days\":%lld,"
                  "\"holding_avg_text\":",
                  (long long)b->number_of_trades, (long long)b->number_of_winning_trades,
                  (long long)b->number_of_losing_trades, (long long)b->holding_count,
                  (long long)b->days);
  js_str(sb, held);
  nums(sb, keys, vals, sizeof keys / sizeof keys[0]);
  argo__sb_putc(sb, '}');
}

/* [[symbol, fills, round trips, winning, losing, win rate, realized, unrealized, total, fees,
 * exposure, buy and hold], ...] of e's by_symbol, the daily or the cumulative figures. */
static void by_symbol_json(argo__sb *sb, const argo_catalog_entry *e, int daily) {
  argo__sb_putc(sb, '[');
  for (size_t i = 0; i < e->nby_symbol; i++) {
    const argo_symbol_block *y = daily ? &e->by_symbol[i].daily : &e->by_symbol[i].cumulative;
    argo__sb_puts(sb, i ? ",[" : "[");
    js_str(sb, e->by_symbol[i].symbol);
    argo__sb_printf(sb, ",%lld,%lld,%lld,%lld,", (long long)y->fills, (long long)y->round_trips,
                    (long long)y->winning, (long long)y->losing);
    const double v[] = {y->win_rate, y->realized_pnl, y->unrealized_pnl,     y->total_pnl,
                        y->fees,     y->exposure,     y->buy_and_hold_return};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
      argo__sb_puts(sb, k ? "," : "");
      num(sb, v[k]);
    }
    argo__sb_putc(sb, ']');
  }
  argo__sb_putc(sb, ']');
}

/* {"t":[...],"v":[...]} of the points idx[0..n-1] of (t, v). More than SERIES_MAX points are
 * thinned: each bucket of consecutive points keeps its lowest and its highest, in time order. */
static void series_json(argo__sb *sb, const int64_t *t, const double *v, const size_t *idx,
                        size_t n) {
  size_t bucket = n > SERIES_MAX ? (n + SERIES_MAX / 2 - 1) / (SERIES_MAX / 2) : 1;
  argo__sb sv;
  argo__sb_init(&sv);
  argo__sb_puts(sb, "{\"t\":[");
  int first = 1;
  for (size_t b = 0; b < n; b += bucket) {
    size_t end = b + bucket < n ? b + bucket : n, lo = b, hi = b;
    for (size_t i = b; i < end; i++) {
      if (v[idx[i]] < v[idx[lo]]) {
        lo = i;
      }
      if (v[idx[i]] > v[idx[hi]]) {
        hi = i;
      }
    }
    size_t pick[2] = {lo < hi ? lo : hi, lo < hi ? hi : lo};
    for (int k = 0; k < (pick[0] == pick[1] ? 1 : 2); k++) {
      argo__sb_puts(sb, first ? "" : ",");
      argo__sb_puts(&sv, first ? "" : ",");
      ms(sb, t[idx[pick[k]]]);
      num(&sv, v[idx[pick[k]]]);
      first = 0;
    }
  }
  argo__sb_puts(sb, "],\"v\":[");
  argo__sb_puts(sb, argo__sb_str(&sv));
  argo__sb_puts(sb, "]}");
  if (argo__sb_failed(&sv)) {
    sb->failed = 1;
  }
  argo__sb_free(&sv);
}

/* Each symbol's candles of the days shown: {"SYM":{"t":[..],"o":[..],"h":[..],"l":[..],"c":[..],
 * "merged":k}}, k consecutive candles merged into one when there are more than CANDLES_MAX. */
static argo_err candles_json(rep *r, argo__sb *sb) {
  size_t *idx = malloc((r->ncandles ? r->ncandles : 1) * sizeof *idx);
  if (!idx) {
    return oom(r);
  }
  argo__sb col[4];
  for (int k = 0; k < 4; k++) {
    argo__sb_init(&col[k]);
  }
  argo__sb_putc(sb, '{');
  for (size_t s = 0; s < r->nsyms; s++) {
    size_t m = 0;
    for (size_t k = 0; k < r->ncandles; k++) {
      if (r->candles[k].sym == s && r->candles[k].day >= r->first_shown) {
        idx[m++] = k;
      }
    }
    size_t merge = m > CANDLES_MAX ? (m + CANDLES_MAX - 1) / CANDLES_MAX : 1;
    argo__sb_puts(sb, s ? "," : "");
    js_str(sb, r->syms[s]);
    argo__sb_puts(sb, ":{\"t\":[");
    for (int k = 0; k < 4; k++) {
      argo__sb_reset(&col[k]);
    }
    for (size_t b = 0; b < m; b += merge) {
      size_t end = b + merge < m ? b + merge : m;
      const candle_row *first = &r->candles[idx[b]], *last = &r->candles[idx[end - 1]];
      double hi = first->high, lo = first->low;
      for (size_t i = b + 1; i < end; i++) {
        const candle_row *c = &r->candles[idx[i]];
        hi = c->high > hi ? c->high : hi;
        lo = c->low < lo ? c->low : lo;
      }
      const double v[4] = {first->open, hi, lo, last->close};
      argo__sb_puts(sb, b ? "," : "");
      ms(sb, first->t);
      for (int k = 0; k < 4; k++) {
        argo__sb_puts(&col[k], b ? "," : "");
        num(&col[k], v[k]);
      }
    }
    static const char *const names[4] = {"o", "h", "l", "c"};
    for (int k = 0; k < 4; k++) {
      argo__sb_printf(sb, "],\"%s\":[", names[k]);
      argo__sb_puts(sb, argo__sb_str(&col[k]));
      sb->failed |= argo__sb_failed(&col[k]);
    }
    argo__sb_printf(sb, "],\"merged\":%zu}", merge);
  }
  argo__sb_putc(sb, '}');
  for (int k = 0; k < 4; k++) {
    argo__sb_free(&col[k]);
  }
  free(idx);
  return ARGO_OK;
}

/* "where" a row of day d is: "2025-10-01/run_1". */
static void where_str(argo__sb *sb, const rep *r, uint32_t d) {
  char where[64];
  snprintf(where, sizeof where, "%s/%s", r->days[d]->date, r->days[d]->run);
  js_str(sb, where);
}

static void fills_json(rep *r, argo__sb *sb, size_t *total) {
  size_t shown = 0, first = r->nfills;
  for (size_t i = 0; i < r->nfills; i++) {
    if (r->fills[i].day >= r->first_shown) {
      if (first == r->nfills) {
        first = i;
      }
      shown++;
    }
  }
  *total = shown;
  size_t skip = shown > FILLS_MAX ? shown - FILLS_MAX : 0;
  argo__sb_putc(sb, '[');
  int comma = 0;
  for (size_t i = first; i < r->nfills; i++) {
    const fill_row *f = &r->fills[i];
    if (f->day < r->first_shown) {
      continue;
    }
    if (skip) {
      skip--;
      continue;
    }
    argo__sb_puts(sb, comma ? ",\n[" : "\n[");
    comma = 1;
    ms(sb, f->t);
    argo__sb_putc(sb, ',');
    js_str(sb, r->syms[f->sym]);
    argo__sb_puts(sb, f->side == ARGO_SIDE_SELL ? ",\"SELL\"," : ",\"BUY\",");
    num(sb, f->qty);
    argo__sb_putc(sb, ',');
    num(sb, f->price);
    argo__sb_puts(sb, f->ptype == ARGO_POSITION_SHORT ? ",\"SHORT\"," : ",\"LONG\",");
    num(sb, f->pnl);
    argo__sb_putc(sb, ',');
    num(sb, f->fee);
    argo__sb_putc(sb, ',');
    js_str(sb, f->order_id);
    argo__sb_putc(sb, ',');
    where_str(sb, r, f->day);
    argo__sb_putc(sb, ']');
  }
  argo__sb_puts(sb, "]");
}

/* [[symbol, side, quantity, entry time|null, entry price|null, exit time, exit price, pnl,
 * return %|null, seconds|null, duration text, fees, exit order, where], ...]: the latest
 * TRIPS_MAX round trips whose exit is in the days shown. */
static void trips_json(rep *r, argo__sb *sb) {
  size_t skip = r->ntrips > TRIPS_MAX ? r->ntrips - TRIPS_MAX : 0;
  argo__sb_putc(sb, '[');
  for (size_t i = skip; i < r->ntrips; i++) {
    const trip_row *tr = &r->trips[i];
    const argo__trip *t = &tr->t;
    argo__sb_puts(sb, i > skip ? ",\n[" : "\n[");
    js_str(sb, r->syms[tr->sym]);
    argo__sb_puts(sb, t->is_short ? ",\"SHORT\"," : ",\"LONG\",");
    num(sb, t->qty);
    argo__sb_putc(sb, ',');
    double secs = (double)(t->exit_time - t->entry_time) / 1e6;
    char dur[32] = "-";
    if (t->has_entry) {
      ms(sb, t->entry_time);
      argo__sb_putc(sb, ',');
      num(sb, t->entry_price);
      argo_duration_format(secs, dur, sizeof dur);
    } else {
      argo__sb_puts(sb, "null,null");
    }
    argo__sb_putc(sb, ',');
    ms(sb, t->exit_time);
    argo__sb_putc(sb, ',');
    num(sb, t->exit_price);
    argo__sb_putc(sb, ',');
    num(sb, t->pnl);
    argo__sb_putc(sb, ',');
    double notional = t->entry_price * t->qty;
    num(sb, t->has_entry && notional > 0 ? t->pnl / notional * 100 : NAN);
    argo__sb_putc(sb, ',');
    num(sb, t->has_entry ? secs : NAN);
    argo__sb_putc(sb, ',');
    js_str(sb, dur);
    argo__sb_putc(sb, ',');
    num(sb, t->fees);
    argo__sb_putc(sb, ',');
    js_str(sb, r->fills[tr->fill].order_id);
    argo__sb_putc(sb, ',');
    where_str(sb, r, tr->day);
    argo__sb_putc(sb, ']');
  }
  argo__sb_puts(sb, "]");
}

/* Marks of the days shown, placed on the price: the close of the mark's symbol at the mark's
 * time or the latest one before it. */
static argo_err marks_json(rep *r, argo__sb *sb) {
  duckdb_result res;
  char sql[512];
  snprintf(
      sql, sizeof sql,
      "SELECT * FROM (SELECT epoch_us(m.time) AS t, m.symbol, md.close, m.color, m.shape, "
      "m.title, m.message, m.id FROM marks m ASOF LEFT JOIN market_data md ON md.symbol = "
      "m.symbol AND m.time >= md.time ORDER BY m.time DESC, m.id DESC LIMIT %d) ORDER BY t, id",
      MARKS_MAX);
  if (duckdb_query(r->con, sql, &res) != DuckDBSuccess) {
    char one[ARGO_ERRMSG_MAX];
    argo__duck_msg(duckdb_result_error(&res), one, sizeof one);
    argo__fmt(r->err, r->errlen, "cannot read the marks: %s", one);
    duckdb_destroy_result(&res);
    return ARGO_EDB;
  }
  idx_t n = duckdb_row_count(&res);
  argo__sb_putc(sb, '[');
  for (idx_t i = 0; i < n; i++) {
    argo__sb_puts(sb, i ? ",\n[" : "\n[");
    ms(sb, duckdb_value_int64(&res, 0, i));
    for (idx_t c = 1; c <= 6; c++) {
      argo__sb_putc(sb, ',');
      if (c == 2) {
        if (duckdb_value_is_null(&res, c, i)) {
          argo__sb_puts(sb, "null");
        } else {
          num(sb, duckdb_value_double(&res, c, i));
        }
        continue;
      }
      char *v = duckdb_value_varchar(&res, c, i);
      js_str(sb, v ? v : "");
      duckdb_free(v);
    }
    argo__sb_putc(sb, ']');
  }
  argo__sb_puts(sb, "]");
  duckdb_destroy_result(&res);
  return ARGO_OK;
}

static argo_err data_json(rep *r, argo__sb *sb) {
  const argo_catalog_entry *last = r->days[r->ndays - 1];
  const argo_stats *ls = last->stats;
  argo__sb_puts(sb, "{\"session_id\":");
  js_str(sb, ls->session_id);
  argo__sb_puts(sb, ",\"strategy\":{\"id\":");
  js_str(sb, ls->strategy_id);
  argo__sb_puts(sb, ",\"name\":");
  js_str(sb, ls->strategy_name);
  argo__sb_puts(sb, ",\"version\":");
  js_str(sb, ls->strategy_version);
  argo__sb_puts(sb, "},\"interval\":");
  js_str(sb, last->interval);
  argo__sb_puts(sb, ",\"resumed_from\":");
  if (r->days[0]->resumed_from) {
    js_str(sb, r->days[0]->resumed_from);
  } else {
    argo__sb_puts(sb, "null");
  }
  argo__sb_puts(sb, ",\"symbols\":[");
  for (size_t s = 0; s < r->nsyms; s++) {
    argo__sb_puts(sb, s ? "," : "");
    js_str(sb, r->syms[s]);
  }
  argo__sb_puts(sb, "],\"capital\":");
  num(sb, r->capital);
  argo__sb_puts(sb, ",\"days\":[");
  for (size_t d = r->first_shown; d < r->ndays; d++) {
    const argo_catalog_entry *e = r->days[d];
    argo__sb_puts(sb, d > r->first_shown ? ",\n{" : "\n{");
    argo__sb_puts(sb, "\"date\":");
    js_str(sb, e->date);
    argo__sb_puts(sb, ",\"run\":");
    js_str(sb, e->run);
    argo__sb_puts(sb, ",\"status\":");
    /* As argo sessions shows it: "crashed" for a crashed session not yet recovered. */
    js_str(sb, e->status ? e->status : e->stats->status);
    argo__sb_printf(sb, ",\"candles\":%lld,\"equity\":", (long long)e->stats->candles_day);
    num(sb, e->stats->equity);
    argo__sb_puts(sb, ",\"daily\":");
    block_json(sb, &e->stats->daily);
    argo__sb_puts(sb, ",\"cumulative\":");
    block_json(sb, &e->stats->cumulative);
    argo__sb_puts(sb, ",\"by_symbol\":");
    by_symbol_json(sb, e, 1);
    argo__sb_putc(sb, '}');
  }
  argo__sb_puts(sb, "],\n\"session\":{\"status\":");
  js_str(sb, last->status ? last->status : ls->status);
  argo__sb_printf(sb, ",\"candles\":%lld,\"equity\":", (long long)ls->candles_total);
  num(sb, ls->equity);
  argo__sb_puts(sb, ",\"block\":");
  block_json(sb, &ls->cumulative);
  argo__sb_puts(sb, ",\"by_symbol\":");
  by_symbol_json(sb, last, 0);
  argo__sb_puts(sb, "},\n\"check\":{\"equity_replayed\":");
  num(sb, r->end_equity);
  argo__sb_puts(sb, ",\"equity_file\":");
  num(sb, ls->equity);
  argo__sb_puts(sb, ",\"max_drawdown_replayed\":");
  num(sb, r->max_dd);
  argo__sb_puts(sb, ",\"max_drawdown_file\":");
  num(sb, ls->cumulative.max_drawdown);
  argo__sb_puts(sb, "},\n\"candles\":");
  argo_err rc = candles_json(r, sb);
  if (rc) {
    return rc;
  }
  size_t *all = malloc((r->neq ? r->neq : 1) * sizeof *all);
  if (!all) {
    return oom(r);
  }
  for (size_t i = 0; i < r->neq; i++) {
    all[i] = i;
  }
  argo__sb_puts(sb, ",\n\"equity\":");
  series_json(sb, r->eq_t, r->eq_v, all, r->neq);
  argo__sb_puts(sb, ",\n\"drawdown\":");
  series_json(sb, r->eq_t, r->dd_v, all, r->neq);
  argo__sb_puts(sb, ",\n\"buy_and_hold\":");
  series_json(sb, r->eq_t, r->bh_v, all, r->neq);
  free(all);
  size_t total = 0;
  argo__sb_puts(sb, ",\n\"fills\":");
  fills_json(r, sb, &total);
  argo__sb_printf(sb, ",\n\"fills_total\":%zu,\"fills_table_max\":%d,\n\"trips\":", total,
                  FILLS_TABLE_MAX);
  trips_json(r, sb);
  argo__sb_printf(sb, ",\n\"trips_total\":%zu,\n\"marks\":", r->ntrips);
  if ((rc = marks_json(r, sb)) != ARGO_OK) {
    return rc;
  }
  argo__sb_puts(sb, "}");
  return ARGO_OK;
}

static argo_err page(rep *r, const char *run, argo__sb *sb) {
  const argo_catalog_entry *first = r->days[r->first_shown], *last = r->days[r->ndays - 1];
  argo__sb_puts(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>argo report: ");
  html_text(sb, run);
  argo__sb_puts(sb, "</title>\n<style>\n");
  argo__sb_add(sb, (const char *)argo__report_css, argo__report_css_len);
  argo__sb_puts(sb, "</style>\n<script>\n");
  /* Runs first: counts every script error into <body data-errors>. */
  argo__sb_add(sb, (const char *)argo__report_onerror_js, argo__report_onerror_js_len);
  argo__sb_puts(sb, "</script>\n</head>\n<body data-charts=\"0\" data-errors=\"0\" "
                    "data-done=\"0\">\n<h1>argo session ");
  html_text(sb, last->stats->session_id);
  argo__sb_puts(sb, "</h1>\n<p class=\"note\">");
  html_text(sb, first->date);
  if (last != first) {
    argo__sb_puts(sb, " to ");
    html_text(sb, last->date);
  }
  argo__sb_puts(sb, ", report of <code>");
  html_text(sb, run);
  argo__sb_puts(sb, "</code>, times in UTC</p>\n<div id=\"summary\"></div>\n"
                    "<h2>Prices, fills and marks</h2>\n<div id=\"toolbar\"></div>\n"
                    "<div id=\"prices\"></div>\n<h2>Equity</h2>\n<div id=\"equity\"></div>\n"
                    "<h2>Drawdown</h2>\n<div id=\"drawdown\"></div>\n"
                    "<h2>Statistics</h2>\n<div id=\"stats\"></div>\n"
                    "<h2>By symbol</h2>\n<div id=\"bysymbol\"></div>\n"
                    "<h2>Round trips</h2>\n<div id=\"trips\"></div>\n"
                    "<h2>Fills</h2>\n<div id=\"fills\"></div>\n<footer>Written by argo ");
  argo__sb_puts(sb, argo_version());
  argo__sb_puts(sb, " from ");
  html_text(sb, argo_catalog_path(r->cat));
  argo__sb_puts(sb, ". Self-contained: nothing is fetched when this page is viewed.</footer>\n"
                    "<script type=\"application/json\" id=\"argo-data\">");
  argo_err rc = data_json(r, sb);
  if (rc) {
    return rc;
  }
  argo__sb_puts(sb, "</script>\n<script>\ntry {\n");
  argo__sb_add(sb, (const char *)argo__report_js, argo__report_js_len);
  argo__sb_puts(sb, "} catch (e) {\n  window.argoError(e && e.stack ? e.stack : e);\n}\n"
                    "document.body.setAttribute('data-errors', String(window.argoErrors));\n"
                    "document.body.setAttribute('data-done', '1');\n</script>\n</body>\n</html>\n");
  return argo__sb_failed(sb) ? oom(r) : ARGO_OK;
}

/* ---- the public entry --------------------------------------------------------------------- */

/* Builds the page of run into html (the message on cat on error). */
static argo_err build(argo_catalog *cat, const char *run, argo__sb *html) {
  rep r;
  memset(&r, 0, sizeof r);
  argo__map_init(&r.symidx);
  const argo_catalog_entry *const *sel = NULL;
  size_t nsel = 0;
  argo_err rc;
  r.cat = cat;
  r.err = argo__catalog_errbuf(cat, &r.errlen);
  if ((rc = argo_catalog_resolve(cat, run, &sel, &nsel)) != ARGO_OK) {
    return rc; /* the catalog has the message */
  }
  /* The session's day folders from its first up to the last one asked for: the replay needs
   * the positions opened on earlier days. */
  const argo_catalog_entry *want_first = sel[0], *want_last = sel[nsel - 1];
  size_t total = argo_catalog_count(cat);
  r.days = calloc(total ? total : 1, sizeof *r.days);
  if (!r.days) {
    rc = oom(&r);
    goto fail;
  }
  for (size_t i = total; i-- > 0;) {
    const argo_catalog_entry *e = argo_catalog_at(cat, i);
    if (strcmp(e->stats->session_id, want_last->stats->session_id) != 0) {
      continue;
    }
    if (e == want_first) {
      r.first_shown = r.ndays;
    }
    r.days[r.ndays++] = e;
    if (e == want_last) {
      break;
    }
  }
  for (size_t i = 0; i < want_last->stats->nsymbols; i++) {
    if (sym_index(&r, want_last->stats->symbols[i]) < 0) {
      rc = oom(&r);
      goto fail;
    }
  }
  /* Views over the days shown (for the marks); the replay reads each file itself, in order. */
  if ((rc = argo__query_db_open(&r.db, &r.con,
                                (const argo_catalog_entry *const *)r.days + r.first_shown,
                                r.ndays - r.first_shown, NULL, 0, r.err, r.errlen)) != ARGO_OK) {
    goto fail;
  }
  for (uint32_t d = 0; d < r.ndays; d++) {
    if ((rc = load_day(&r, d)) != ARGO_OK) {
      goto fail;
    }
  }
  /* The starting capital is not in the files; stats.yaml holds equity = capital + total pnl. */
  r.capital = want_last->stats->equity - want_last->stats->cumulative.total_pnl;
  if ((rc = replay(&r)) != ARGO_OK || (rc = page(&r, run, html)) != ARGO_OK) {
    goto fail;
  }
  rc = ARGO_OK;

fail:
  argo__query_db_close(&r.db, &r.con);
  for (size_t i = 0; i < r.nsyms; i++) {
    free(r.syms[i]);
  }
  free(r.syms);
  argo__map_free(&r.symidx);
  free(r.candles);
  free(r.fills);
  free(r.eq_t);
  free(r.eq_v);
  free(r.dd_v);
  free(r.bh_v);
  free(r.trips);
  free(r.days);
  return rc;
}

argo_err argo_report_write(argo_catalog *cat, const char *run, const char *path) {
  if (!cat) {
    return ARGO_EINVAL;
  }
  size_t errlen;
  char *err = argo__catalog_errbuf(cat, &errlen);
  /* path is the user's: checked before any work (a folder, a pipe or a device is refused), and
   * again when the page is written over it. */
  argo_err rc = argo_output_check(path, err, errlen);
  if (rc != ARGO_OK) {
    return rc;
  }
  argo__sb html;
  argo__sb_init(&html);
  rc = build(cat, run, &html);
  if (rc == ARGO_OK) {
    rc = argo_output_write(path, html.buf, html.len, err, errlen);
  }
  argo__sb_free(&html);
  return rc;
}

argo_err argo_report_render(argo_catalog *cat, const char *run, argo_write_fn write, void *user) {
  if (!cat) {
    return ARGO_EINVAL;
  }
  size_t errlen;
  char *err = argo__catalog_errbuf(cat, &errlen);
  if (!write) {
    argo__fmt(err, errlen, "no write function given");
    return ARGO_EINVAL;
  }
  argo__sb html;
  argo__sb_init(&html);
  argo_err rc = build(cat, run, &html);
  if (rc == ARGO_OK && write(html.buf, html.len, user) != 0) {
    argo__fmt(err, errlen, "the page could not be written out");
    rc = ARGO_EIO;
  }
  argo__sb_free(&html);
  return rc;
}
