/*
 * stats.yaml rendering and parsing; see stats_yaml.h. Rendering goes through the libyaml
 * emitter so that quoting and escaping of arbitrary strings (paths, strategy names, the
 * collision sentence) is always valid YAML; parsing loads the text into a libyaml document and
 * reads the keys it needs, ignoring the others. Depends on libyaml and the time helpers only.
 *
 * Numbers are written so that reading them back gives the same bits: doubles in the shortest
 * of %.15g / %.17g that round-trips, with ".0" added when the text would otherwise read as an
 * integer (YAML 1.1 readers such as PyYAML need the dot to see a float), and non-finite
 * values as .nan / .inf / -.inf.
 */
#include "persist/stats_yaml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "persist/session.h"
#include "util/fsx.h"
#include "util/util.h"

#define FILE_ORDERS "orders.parquet"

static const char *const file_keys[5] = {"orders_file_path", "trades_file_path", "marks_file_path",
                                         "logs_file_path", "market_data_file_path"};
static const char *const file_names[5] = {FILE_ORDERS, "trades.parquet", "marks.parquet",
                                          "logs.parquet", "market_data.parquet"};

/* ---- render ------------------------------------------------------------------------------ */

/*
 * The item cache. Each item of a per-symbol list is a block mapping in a block sequence at the
 * same depth (root mapping > block mapping > sequence), and ends with a plain number, so the
 * emitter is in the same state after every item: an item's text (from the line break before
 * its "- " to its last number) depends on the item alone. Once the emitter has taken an
 * item's MAPPING_END it holds nothing back (it looks ahead only at a document's, sequence's or
 * mapping's start), so flushing it there gives the exact bytes of that item; an unchanged item
 * is then appended as those bytes instead of being emitted. The first item of a list is
 * always emitted: the sequence's start is still held back then, waiting for it.
 */
typedef struct citem {
  char *name; /* the symbol, as last rendered (NULL: nothing cached) */
  size_t namelen;
  uint64_t key[12]; /* the figures' bits (argo_symbol_block, or a position's four doubles) */
  size_t nkey;
  char *text;
  size_t len, cap;
} citem;

/* The figures of a symbol's block are compared as their bits: all of them 8 bytes, no padding. */
_Static_assert(sizeof(argo_symbol_block) == 11 * sizeof(uint64_t), "argo_symbol_block's layout");

typedef struct clist {
  citem *items;
  size_t n;
} clist;

enum { CL_DAILY, CL_CUMULATIVE, CL_POSITIONS, CL_COUNT };

/* The text of a double as last formatted (fmt_double: two snprintf and a strtod), in a table
 * indexed by a hash of its bits: most figures of a stats.yaml (fills' prices, realized pnl,
 * fees, quantities) are the same at the next rewrite, though the items holding them changed. */
#define NUM_BITS 13
typedef struct numtext {
  uint64_t bits;
  int used;
  char text[36];
} numtext;

struct argo__stats_yaml_cache {
  clist lists[CL_COUNT];
  uint64_t rendered, copied, written;
  /* Whether write_item writes each list's items as the emitter does: 1 yes, -1 no, 0 not known
   * yet (written_alike). */
  int hand[CL_COUNT];
  numtext *nums; /* 1 << NUM_BITS slots, or NULL (every double formatted) */
};

/* The emitter and a sticky failure flag, so the document is written as straight-line code
 * and checked once at the end (like argo__sb). */
typedef struct out {
  yaml_emitter_t em;
  argo__sb *sb;
  int failed;
  argo__stats_yaml_cache *cache; /* NULL: every item is emitted */
} out;

static int write_handler(void *data, unsigned char *buf, size_t size) {
  argo__sb *sb = data;
  argo__sb_add(sb, (const char *)buf, size);
  return !argo__sb_failed(sb);
}

static void emit(out *o, yaml_event_t *ev, int ok) {
  /* yaml_emitter_emit takes the event in every case; a failed initialize allocated nothing. */
  if (!ok || !yaml_emitter_emit(&o->em, ev)) {
    o->failed = 1;
  }
}

static void scalar(out *o, const char *s, yaml_scalar_style_t style) {
  if (o->failed) {
    return;
  }
  yaml_event_t ev;
  int ok =
      yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style);
  emit(o, &ev, ok);
}

/* Whether a plain scalar s would be read back as something other than a string (a number, a
 * boolean, null, a date) by a YAML 1.1 or 1.2 reader. Such strings are double-quoted. */
static int looks_typed(const char *s) {
  static const char *const words[] = {"null", "~",  "true", "false", "yes",
                                      "no",   "on", "off",  "y",     "n"};
  if (!s[0] || (s[0] >= '0' && s[0] <= '9') || s[0] == '.') {
    return 1;
  }
  for (size_t i = 0; i < ARGO_ARRAY_LEN(words); i++) {
    if (strcasecmp(s, words[i]) == 0) {
      return 1;
    }
  }
  char *end;
  (void)strtod(s, &end);
  return end != s && *end == '\0';
}

/* A free-form string: plain when that reads back as the same string, otherwise quoted (libyaml
 * itself falls back to quotes when plain style cannot hold the text). */
static void str(out *o, const char *s) {
  s = s ? s : "";
  scalar(o, s, looks_typed(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
}

static void key(out *o, const char *k) {
  scalar(o, k, YAML_PLAIN_SCALAR_STYLE);
}

static void kv_quoted(out *o, const char *k, const char *v) {
  key(o, k);
  scalar(o, v ? v : "", YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static void kv_str(out *o, const char *k, const char *v) {
  key(o, k);
  str(o, v);
}

static void kv_i64(out *o, const char *k, int64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  key(o, k);
  scalar(o, buf, YAML_PLAIN_SCALAR_STYLE);
}

static void fmt_double(double v, char *buf, size_t len) {
  if (isnan(v)) {
    snprintf(buf, len, ".nan");
    return;
  }
  if (isinf(v)) {
    snprintf(buf, len, v > 0 ? ".inf" : "-.inf");
    return;
  }
  snprintf(buf, len, "%.15g", v);
  if (strtod(buf, NULL) != v) {
    snprintf(buf, len, "%.17g", v);
  }
  if (strchr(buf, '.')) {
    return;
  }
  char *e = strchr(buf, 'e');
  size_t n = strlen(buf);
  if (n + 3 > len) {
    return;
  }
  if (e) {
    memmove(e + 2, e, strlen(e) + 1);
    e[0] = '.';
    e[1] = '0';
  } else {
    memcpy(buf + n, ".0", 3);
  }
}

/* fmt_double through the cache's table of texts: the same text, formatted once per value. */
static void fmt_double_cached(out *o, double v, char *buf, size_t len) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  numtext *slot = o->cache && o->cache->nums
                      ? &o->cache->nums[(bits * 0x9E3779B97F4A7C15ULL) >> (64 - NUM_BITS)]
                      : NULL;
  if (slot && slot->used && slot->bits == bits) {
    argo__strlcpy(buf, slot->text, len);
    return;
  }
  fmt_double(v, buf, len);
  if (slot && strlen(buf) < sizeof slot->text) {
    slot->bits = bits;
    slot->used = 1;
    memcpy(slot->text, buf, strlen(buf) + 1);
  }
}

static void kv_f64(out *o, const char *k, double v) {
  char buf[40];
  fmt_double_cached(o, v, buf, sizeof buf);
  key(o, k);
  scalar(o, buf, YAML_PLAIN_SCALAR_STYLE);
}

static void kv_time(out *o, const char *k, int64_t us) {
  char buf[40];
  argo_time_format(us, buf, sizeof buf);
  kv_quoted(o, k, buf);
}

static void map_start(out *o) {
  if (o->failed) {
    return;
  }
  yaml_event_t ev;
  int ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
  emit(o, &ev, ok);
}

static void map_end(out *o) {
  if (o->failed) {
    return;
  }
  yaml_event_t ev;
  int ok = yaml_mapping_end_event_initialize(&ev);
  emit(o, &ev, ok);
}

static void holding(out *o, const char *k, const argo_stats_block *b) {
  key(o, k);
  map_start(o);
  kv_f64(o, "min", b->holding_min);
  kv_f64(o, "max", b->holding_max);
  kv_f64(o, "avg", b->holding_avg);
  kv_i64(o, "count", b->holding_count);
  map_end(o);
}

static void seq_start(out *o) {
  if (!o->failed) {
    yaml_event_t ev;
    int ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
    emit(o, &ev, ok);
  }
}

static void seq_end(out *o) {
  if (!o->failed) {
    yaml_event_t ev;
    int ok = yaml_sequence_end_event_initialize(&ev);
    emit(o, &ev, ok);
  }
}

/* The cached text of item i of list l, when its symbol and figures (key, nkey doubles) are
 * those it was rendered with; NULL otherwise. */
static const citem *cached(out *o, int l, size_t i, const char *symbol, const uint64_t *key,
                           size_t nkey) {
  if (!o->cache || o->failed || i == 0) {
    return NULL;
  }
  const clist *cl = &o->cache->lists[l];
  if (i >= cl->n) {
    return NULL;
  }
  const citem *c = &cl->items[i];
  symbol = symbol ? symbol : "";
  if (!c->name || c->nkey != nkey || memcmp(c->key, key, nkey * sizeof *key) != 0 ||
      strlen(symbol) != c->namelen || memcmp(c->name, symbol, c->namelen) != 0) {
    return NULL;
  }
  return c;
}

/* Flushes the emitter into the buffer; returns its length then. */
static size_t flushed(out *o) {
  if (!o->failed && !yaml_emitter_flush(&o->em)) {
    o->failed = 1;
  }
  return o->sb->len;
}

/* An item of a per-symbol list: its symbol, then its figures as the texts the document holds
 * (integers in decimal, doubles as fmt_double writes them), in order. */
typedef struct fields {
  const char *symbol;
  size_t n;
  const char *key[11];
  char text[11][40];
} fields;

static void field_i64(fields *f, const char *k, int64_t v) {
  f->key[f->n] = k;
  snprintf(f->text[f->n++], sizeof f->text[0], "%lld", (long long)v);
}

static void field_f64(out *o, fields *f, const char *k, double v) {
  f->key[f->n] = k;
  fmt_double_cached(o, v, f->text[f->n++], sizeof f->text[0]);
}

/* The item through the emitter: a block mapping. */
static void emit_item(out *o, const fields *f) {
  map_start(o);
  kv_str(o, "symbol", f->symbol);
  for (size_t k = 0; k < f->n; k++) {
    key(o, f->key[k]);
    scalar(o, f->text[k], YAML_PLAIN_SCALAR_STYLE);
  }
  map_end(o);
}

/* Whether the emitter writes the symbol as it is, a plain scalar: a letter, then letters,
 * digits and "._-/", and nothing a reader would take for another type. */
static int plain_as_is(const char *s) {
  if (!s || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))) {
    return 0;
  }
  for (const char *c = s; *c; c++) {
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
          *c == '.' || *c == '_' || *c == '-' || *c == '/')) {
      return 0;
    }
  }
  return !looks_typed(s);
}

/* The item's text as the emitter writes it in these lists (the line break before its "- ", a
 * plain symbol, a line per figure), appended without the emitter: each emitted item costs a
 * few dozen events, and a live session of hundreds of symbols whose figures change every
 * candle rewrites them all many times a second. Used once item() has seen the emitter write
 * the same bytes for an item of the list. */
static void write_item(argo__sb *sb, const fields *f) {
  argo__sb_puts(sb, "\n  - symbol: ");
  argo__sb_puts(sb, f->symbol);
  for (size_t k = 0; k < f->n; k++) {
    argo__sb_puts(sb, "\n    ");
    argo__sb_puts(sb, f->key[k]);
    argo__sb_add(sb, ": ", 2);
    argo__sb_puts(sb, f->text[k]);
  }
}

/* Whether write_item writes item f of list l as the emitter did: [start, end) of the buffer,
 * the emitter's text of that item. Asked once per list and cache; the answer is kept. */
static int written_alike(out *o, int l, const fields *f, size_t start, size_t end) {
  if (o->cache->hand[l] == 0) {
    argo__sb mine;
    argo__sb_init(&mine);
    write_item(&mine, f);
    if (!argo__sb_failed(&mine)) {
      o->cache->hand[l] =
          mine.len == end - start && memcmp(mine.buf, o->sb->buf + start, mine.len) == 0 ? 1 : -1;
    }
    argo__sb_free(&mine);
  }
  return o->cache->hand[l] == 1;
}

/* Appends item i's cached text; or, its figures filled in by fill(o, f, arg), its text written
 * without the emitter (write_item) or emitted, and caches that text. */
static void item(out *o, int l, size_t i, const char *symbol, const uint64_t *key, size_t nkey,
                 void (*fill)(out *o, fields *f, const void *arg), const void *arg) {
  symbol = symbol ? symbol : "";
  const citem *c = cached(o, l, i, symbol, key, nkey);
  if (c) {
    flushed(o);
    argo__sb_add(o->sb, c->text, c->len);
    o->failed |= argo__sb_failed(o->sb);
    o->cache->copied++;
    return;
  }
  fields fs = {.symbol = symbol};
  const fields *f = &fs;
  fill(o, &fs, arg);
  if (!o->cache || i == 0) {
    emit_item(o, f);
    return;
  }
  size_t start = flushed(o);
  int plain = plain_as_is(symbol);
  if (plain && o->cache->hand[l] == 1) {
    write_item(o->sb, f);
    o->failed |= argo__sb_failed(o->sb);
    o->cache->written++;
  } else {
    emit_item(o, f);
  }
  size_t end = flushed(o);
  if (o->failed) {
    return;
  }
  if (plain && o->cache->hand[l] == 0) {
    written_alike(o, l, f, start, end);
  }
  o->cache->rendered++;
  clist *cl = &o->cache->lists[l];
  if (i >= cl->n) {
    size_t n = cl->n ? cl->n : 16;
    while (n <= i) {
      n *= 2;
    }
    citem *g = realloc(cl->items, n * sizeof *g);
    if (!g) {
      return; /* not cached: the next render emits it again */
    }
    memset(g + cl->n, 0, (n - cl->n) * sizeof *g);
    cl->items = g;
    cl->n = n;
  }
  citem *ci = &cl->items[i];
  size_t namelen = strlen(symbol);
  free(ci->name);
  ci->name = NULL;
  if (argo__grow((void **)&ci->text, &ci->cap, end - start, 1) != 0) {
    return;
  }
  ci->name = malloc(namelen + 1);
  if (!ci->name) {
    return;
  }
  memcpy(ci->name, symbol, namelen + 1);
  ci->namelen = namelen;
  memcpy(ci->text, o->sb->buf + start, end - start);
  ci->len = end - start;
  memcpy(ci->key, key, nkey * sizeof *key);
  ci->nkey = nkey;
}

static void sym_fields(out *o, fields *f, const void *arg) {
  const argo_symbol_block *b = arg;
  field_i64(f, "fills", b->fills);
  field_i64(f, "round_trips", b->round_trips);
  field_i64(f, "winning", b->winning);
  field_i64(f, "losing", b->losing);
  field_f64(o, f, "win_rate", b->win_rate);
  field_f64(o, f, "realized_pnl", b->realized_pnl);
  field_f64(o, f, "unrealized_pnl", b->unrealized_pnl);
  field_f64(o, f, "total_pnl", b->total_pnl);
  field_f64(o, f, "fees", b->fees);
  field_f64(o, f, "exposure", b->exposure);
  field_f64(o, f, "buy_and_hold_return", b->buy_and_hold_return);
}

static void pos_fields(out *o, fields *f, const void *arg) {
  const argo__stats_pos *p = arg;
  field_f64(o, f, "long_qty", p->long_qty);
  field_f64(o, f, "long_avg_price", p->long_avg_price);
  field_f64(o, f, "short_qty", p->short_qty);
  field_f64(o, f, "short_avg_price", p->short_avg_price);
}

/* daily: the daily or the cumulative figures of each symbol. */
static void block(out *o, const char *k, const argo_stats_block *b, const argo__stats_doc *doc,
                  int daily) {
  key(o, k);
  map_start(o);
  kv_i64(o, "number_of_trades", b->number_of_trades);
  kv_i64(o, "number_of_winning_trades", b->number_of_winning_trades);
  kv_i64(o, "number_of_losing_trades", b->number_of_losing_trades);
  kv_f64(o, "win_rate", b->win_rate);
  kv_f64(o, "max_drawdown", b->max_drawdown);
  kv_f64(o, "realized_pnl", b->realized_pnl);
  kv_f64(o, "unrealized_pnl", b->unrealized_pnl);
  kv_f64(o, "total_pnl", b->total_pnl);
  kv_f64(o, "maximum_loss", b->maximum_loss);
  kv_f64(o, "maximum_profit", b->maximum_profit);
  kv_f64(o, "total_fees", b->total_fees);
  holding(o, "holding_time", b);
  if (b->days > 0) {
    kv_f64(o, "gross_profit", b->gross_profit);
    kv_f64(o, "gross_loss", b->gross_loss);
    kv_f64(o, "profit_factor", b->profit_factor);
    kv_f64(o, "expectancy", b->expectancy);
    kv_f64(o, "total_return", b->total_return);
    kv_f64(o, "sharpe_ratio", b->sharpe_ratio);
    kv_f64(o, "sortino_ratio", b->sortino_ratio);
    kv_f64(o, "calmar_ratio", b->calmar_ratio);
    kv_f64(o, "exposure", b->exposure);
    kv_i64(o, "days", b->days);
    kv_f64(o, "best_day", b->best_day);
    kv_f64(o, "worst_day", b->worst_day);
    kv_f64(o, "buy_and_hold_return", b->buy_and_hold_return);
  }
  if (doc->nby_symbol) {
    key(o, "by_symbol");
    seq_start(o);
    for (size_t i = 0; i < doc->nby_symbol; i++) {
      const argo_symbol_stats *y = &doc->by_symbol[i];
      const argo_symbol_block *figures = daily ? &y->daily : &y->cumulative;
      uint64_t key[sizeof(argo_symbol_block) / sizeof(uint64_t)];
      memcpy(key, figures, sizeof key);
      item(o, daily ? CL_DAILY : CL_CUMULATIVE, i, y->symbol, key, ARGO_ARRAY_LEN(key), sym_fields,
           figures);
    }
    seq_end(o);
  }
  map_end(o);
}

/* rows_restored_from_files, in the order of schema.h's tables. */
static const char *const damage_keys[5] = {"orders", "trades", "marks", "logs", "market_data"};

static void body(out *o, const argo__stats_doc *doc) {
  const argo_stats *s = &doc->s;
  const argo_stats_block *d = &s->daily;
  map_start(o);
  kv_quoted(o, "id", s->id);
  kv_quoted(o, "session_id", s->session_id);
  kv_quoted(o, "date", s->date);
  kv_time(o, "session_start", s->session_start);
  kv_time(o, "last_updated", s->last_updated);
  kv_str(o, "status", s->status);

  key(o, "symbols");
  seq_start(o);
  for (size_t i = 0; i < s->nsymbols; i++) {
    str(o, s->symbols[i]);
  }
  seq_end(o);

  /* The top-level blocks are the day's figures, in the layout of docs/design.md section 7. */
  key(o, "trade_result");
  map_start(o);
  kv_i64(o, "number_of_trades", d->number_of_trades);
  kv_i64(o, "number_of_winning_trades", d->number_of_winning_trades);
  kv_i64(o, "number_of_losing_trades", d->number_of_losing_trades);
  kv_f64(o, "win_rate", d->win_rate);
  kv_f64(o, "max_drawdown", d->max_drawdown);
  map_end(o);
  key(o, "trade_pnl");
  map_start(o);
  kv_f64(o, "realized_pnl", d->realized_pnl);
  kv_f64(o, "unrealized_pnl", d->unrealized_pnl);
  kv_f64(o, "total_pnl", d->total_pnl);
  kv_f64(o, "maximum_loss", d->maximum_loss);
  kv_f64(o, "maximum_profit", d->maximum_profit);
  map_end(o);
  holding(o, "trade_holding_time", d);
  kv_f64(o, "total_fees", d->total_fees);

  const char *dir = s->run_dir ? s->run_dir : "";
  for (int i = 0; i < 5; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file_names[i]);
    kv_str(o, file_keys[i], path);
  }

  key(o, "strategy");
  map_start(o);
  kv_str(o, "id", s->strategy_id);
  kv_str(o, "version", s->strategy_version);
  kv_str(o, "name", s->strategy_name);
  map_end(o);

  block(o, "daily", &s->daily, doc, 1);
  block(o, "cumulative", &s->cumulative, doc, 0);
  kv_i64(o, "candles", s->candles_day);
  kv_i64(o, "candles_total", s->candles_total);
  kv_f64(o, "equity", s->equity);
  if (doc->run_collision) {
    kv_str(o, "run_collision", doc->run_collision);
  }
  if (doc->resumed_from) {
    kv_str(o, "resumed_from", doc->resumed_from);
  }
  if (doc->interval) {
    kv_str(o, "interval", doc->interval);
  }
  if (doc->has_account) {
    key(o, "account");
    map_start(o);
    kv_f64(o, "cash", doc->cash);
    key(o, "positions");
    seq_start(o);
    for (size_t i = 0; i < doc->npositions; i++) {
      const argo__stats_pos *p = &doc->positions[i];
      uint64_t key[4];
      memcpy(&key[0], &p->long_qty, 8);
      memcpy(&key[1], &p->long_avg_price, 8);
      memcpy(&key[2], &p->short_qty, 8);
      memcpy(&key[3], &p->short_avg_price, 8);
      item(o, CL_POSITIONS, i, p->symbol, key, 4, pos_fields, p);
    }
    seq_end(o);
    map_end(o);
  }
  if (doc->stop_reason) {
    kv_str(o, "stop_reason", doc->stop_reason);
  }
  if (doc->journal_off) {
    kv_quoted(o, "journal", "off"); /* quoted: a bare off is a boolean to YAML 1.1 readers */
  }
  if (doc->has_damage) {
    const argo__stats_damage *dm = &doc->damage;
    key(o, "journal_damage");
    map_start(o);
    kv_i64(o, "damaged_regions", dm->regions);
    kv_i64(o, "damaged_bytes", dm->bytes);
    kv_str(o, "journal_kept_as", dm->kept_as ? dm->kept_as : "");
    key(o, "rows_restored_from_files");
    map_start(o);
    for (int i = 0; i < 5; i++) {
      kv_i64(o, damage_keys[i], dm->restored[i]);
    }
    map_end(o);
    map_end(o);
  }
  if (doc->started_at) {
    kv_time(o, "started_at", doc->started_at);
  }
  if (doc->nunknown_orders) {
    key(o, "live_orders_unknown");
    seq_start(o);
    for (size_t i = 0; i < doc->nunknown_orders; i++) {
      str(o, doc->unknown_orders[i]);
    }
    seq_end(o);
  }
  map_end(o);
}

argo_err argo__stats_yaml_render(const argo__stats_doc *doc, argo__sb *sb) {
  return argo__stats_yaml_render_cached(doc, sb, NULL);
}

argo_err argo__stats_yaml_cache_new(argo__stats_yaml_cache **cp) {
  *cp = calloc(1, sizeof **cp);
  if (*cp) {
    (*cp)->nums = calloc((size_t)1 << NUM_BITS, sizeof *(*cp)->nums); /* NULL: no table */
  }
  return *cp ? ARGO_OK : ARGO_ENOMEM;
}

void argo__stats_yaml_cache_free(argo__stats_yaml_cache *c) {
  if (!c) {
    return;
  }
  for (int l = 0; l < CL_COUNT; l++) {
    for (size_t i = 0; i < c->lists[l].n; i++) {
      free(c->lists[l].items[i].name);
      free(c->lists[l].items[i].text);
    }
    free(c->lists[l].items);
  }
  free(c->nums);
  free(c);
}

void argo__stats_yaml_cache_counts(const argo__stats_yaml_cache *c, uint64_t *rendered,
                                   uint64_t *copied, uint64_t *written) {
  *rendered = c ? c->rendered : 0;
  *copied = c ? c->copied : 0;
  *written = c ? c->written : 0;
}

argo_err argo__stats_yaml_render_cached(const argo__stats_doc *doc, argo__sb *sb,
                                        argo__stats_yaml_cache *cache) {
  out o = {.sb = sb, .failed = 0, .cache = cache};
  if (!yaml_emitter_initialize(&o.em)) {
    return ARGO_ENOMEM;
  }
  yaml_emitter_set_output(&o.em, write_handler, sb);
  yaml_emitter_set_unicode(&o.em, 1);
  /* Never fold long strings (paths, the collision sentence) over several lines. */
  yaml_emitter_set_width(&o.em, -1);
  yaml_emitter_set_indent(&o.em, 2);

  yaml_event_t ev;
  emit(&o, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
  if (!o.failed) {
    emit(&o, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
  }
  body(&o, doc);
  if (!o.failed) {
    emit(&o, &ev, yaml_document_end_event_initialize(&ev, 1));
  }
  if (!o.failed) {
    emit(&o, &ev, yaml_stream_end_event_initialize(&ev));
  }
  argo_err rc = ARGO_OK;
  if (o.failed) {
    rc = argo__sb_failed(sb) || o.em.error == YAML_MEMORY_ERROR ? ARGO_ENOMEM : ARGO_EIO;
  }
  yaml_emitter_delete(&o.em);
  return rc;
}

/* ---- parse ------------------------------------------------------------------------------- */

typedef struct in {
  yaml_document_t doc;
  char *err;
  size_t errlen;
} in;

static argo_err corrupt(in *c, const char *fmt, ...) ARGO_PRINTF(2, 3);

static argo_err corrupt(in *c, const char *fmt, ...) {
  if (c->err && c->errlen) {
    int n = snprintf(c->err, c->errlen, "stats.yaml: ");
    if (n >= 0 && (size_t)n < c->errlen) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
      va_end(ap);
    }
    argo__one_line(c->err); /* values are quoted: a line break in one must not break the line */
  }
  return ARGO_ECORRUPT;
}

/* Full name of a key for messages: "daily.win_rate". */
static const char *path_of(char *buf, size_t len, const char *prefix, const char *k) {
  if (prefix) {
    snprintf(buf, len, "%s.%s", prefix, k);
  } else {
    snprintf(buf, len, "%s", k);
  }
  return buf;
}

/* The value of k in mapping m, or NULL. */
static yaml_node_t *lookup(in *c, yaml_node_t *m, const char *k) {
  size_t klen = strlen(k);
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
    yaml_node_t *kn = yaml_document_get_node(&c->doc, p->key);
    if (kn && kn->type == YAML_SCALAR_NODE && kn->data.scalar.length == klen &&
        memcmp(kn->data.scalar.value, k, klen) == 0) {
      return yaml_document_get_node(&c->doc, p->value);
    }
  }
  return NULL;
}

static argo_err get_node(in *c, yaml_node_t *m, const char *prefix, const char *k,
                         yaml_node_type_t type, yaml_node_t **outp) {
  char name[128];
  static const char *const what[] = {"", "a text value", "a list", "a mapping"};
  yaml_node_t *n = lookup(c, m, k);
  if (!n) {
    return corrupt(c, "missing key %s", path_of(name, sizeof name, prefix, k));
  }
  if (n->type != type) {
    return corrupt(c, "%s: expected %s", path_of(name, sizeof name, prefix, k), what[type]);
  }
  *outp = n;
  return ARGO_OK;
}

static argo_err get_text(in *c, yaml_node_t *m, const char *prefix, const char *k, const char **v) {
  yaml_node_t *n = NULL;
  argo_err rc = get_node(c, m, prefix, k, YAML_SCALAR_NODE, &n);
  if (rc == ARGO_OK) {
    *v = (const char *)n->data.scalar.value;
  }
  return rc;
}

static argo_err get_dup(in *c, yaml_node_t *m, const char *prefix, const char *k, char **v) {
  const char *t;
  argo_err rc = get_text(c, m, prefix, k, &t);
  if (rc == ARGO_OK && !(*v = argo__strdup(t))) {
    rc = ARGO_ENOMEM;
  }
  return rc;
}

static argo_err get_fixed(in *c, yaml_node_t *m, const char *k, char *dst, size_t len) {
  const char *t;
  argo_err rc = get_text(c, m, NULL, k, &t);
  if (rc == ARGO_OK) {
    if (strlen(t) >= len) {
      return corrupt(c, "%s: value longer than %zu characters", k, len - 1);
    }
    memcpy(dst, t, strlen(t) + 1);
  }
  return rc;
}

static argo_err get_i64(in *c, yaml_node_t *m, const char *prefix, const char *k, int64_t *v) {
  const char *t;
  argo_err rc = get_text(c, m, prefix, k, &t);
  if (rc != ARGO_OK) {
    return rc;
  }
  char *end;
  errno = 0;
  long long x = strtoll(t, &end, 10);
  if (end == t || *end || errno) {
    char name[128];
    return corrupt(c, "%s: expected an integer, got \"%s\"", path_of(name, sizeof name, prefix, k),
                   t);
  }
  *v = (int64_t)x;
  return ARGO_OK;
}

/* YAML 1.1 spellings of the non-finite floats. */
static int special_double(const char *t, double *v) {
  const char *u = t;
  double sign = 1;
  if (*u == '-' || *u == '+') {
    sign = *u == '-' ? -1 : 1;
    u++;
  }
  if (strcmp(u, ".inf") == 0 || strcmp(u, ".Inf") == 0 || strcmp(u, ".INF") == 0) {
    *v = sign * INFINITY;
    return 1;
  }
  if (u == t && (strcmp(t, ".nan") == 0 || strcmp(t, ".NaN") == 0 || strcmp(t, ".NAN") == 0)) {
    *v = NAN;
    return 1;
  }
  return 0;
}

static argo_err get_f64(in *c, yaml_node_t *m, const char *prefix, const char *k, double *v) {
  const char *t;
  argo_err rc = get_text(c, m, prefix, k, &t);
  if (rc != ARGO_OK || special_double(t, v)) {
    return rc;
  }
  char *end;
  errno = 0;
  double x = strtod(t, &end);
  /* ERANGE is also set for subnormals, which are valid; only overflow is refused. */
  if (end == t || *end || (errno == ERANGE && isinf(x))) {
    char name[128];
    return corrupt(c, "%s: expected a number, got \"%s\"", path_of(name, sizeof name, prefix, k),
                   t);
  }
  *v = x;
  return ARGO_OK;
}

static argo_err get_time(in *c, yaml_node_t *m, const char *k, int64_t *v) {
  const char *t;
  argo_err rc = get_text(c, m, NULL, k, &t);
  if (rc == ARGO_OK && argo_time_parse(t, v) != ARGO_OK) {
    return corrupt(c, "%s: expected a time such as \"2025-10-01T09:00:00Z\", got \"%s\"", k, t);
  }
  return rc;
}

static argo_err get_holding(in *c, yaml_node_t *m, const char *prefix, const char *k,
                            argo_stats_block *b) {
  char name[128];
  yaml_node_t *h;
  argo_err rc;
  path_of(name, sizeof name, prefix, k);
  if ((rc = get_node(c, m, prefix, k, YAML_MAPPING_NODE, &h)) ||
      (rc = get_f64(c, h, name, "min", &b->holding_min)) ||
      (rc = get_f64(c, h, name, "max", &b->holding_max)) ||
      (rc = get_f64(c, h, name, "avg", &b->holding_avg)) ||
      (rc = get_i64(c, h, name, "count", &b->holding_count))) {
    return rc;
  }
  return ARGO_OK;
}

static argo_err get_block(in *c, yaml_node_t *root, const char *k, argo_stats_block *b) {
  yaml_node_t *m;
  argo_err rc;
  memset(b, 0, sizeof *b);
  if ((rc = get_node(c, root, NULL, k, YAML_MAPPING_NODE, &m)) ||
      (rc = get_i64(c, m, k, "number_of_trades", &b->number_of_trades)) ||
      (rc = get_i64(c, m, k, "number_of_winning_trades", &b->number_of_winning_trades)) ||
      (rc = get_i64(c, m, k, "number_of_losing_trades", &b->number_of_losing_trades)) ||
      (rc = get_f64(c, m, k, "win_rate", &b->win_rate)) ||
      (rc = get_f64(c, m, k, "max_drawdown", &b->max_drawdown)) ||
      (rc = get_f64(c, m, k, "realized_pnl", &b->realized_pnl)) ||
      (rc = get_f64(c, m, k, "unrealized_pnl", &b->unrealized_pnl)) ||
      (rc = get_f64(c, m, k, "total_pnl", &b->total_pnl)) ||
      (rc = get_f64(c, m, k, "maximum_loss", &b->maximum_loss)) ||
      (rc = get_f64(c, m, k, "maximum_profit", &b->maximum_profit)) ||
      (rc = get_f64(c, m, k, "total_fees", &b->total_fees)) ||
      (rc = get_holding(c, m, k, "holding_time", b))) {
    return rc;
  }
  /* The figures added later come together; a file written before has none of them. */
  if (!lookup(c, m, "days")) {
    b->gross_profit = b->gross_loss = b->profit_factor = b->expectancy = b->total_return = NAN;
    b->sharpe_ratio = b->sortino_ratio = b->calmar_ratio = b->exposure = NAN;
    b->best_day = b->worst_day = b->buy_and_hold_return = NAN;
    return ARGO_OK;
  }
  if ((rc = get_f64(c, m, k, "gross_profit", &b->gross_profit)) ||
      (rc = get_f64(c, m, k, "gross_loss", &b->gross_loss)) ||
      (rc = get_f64(c, m, k, "profit_factor", &b->profit_factor)) ||
      (rc = get_f64(c, m, k, "expectancy", &b->expectancy)) ||
      (rc = get_f64(c, m, k, "total_return", &b->total_return)) ||
      (rc = get_f64(c, m, k, "sharpe_ratio", &b->sharpe_ratio)) ||
      (rc = get_f64(c, m, k, "sortino_ratio", &b->sortino_ratio)) ||
      (rc = get_f64(c, m, k, "calmar_ratio", &b->calmar_ratio)) ||
      (rc = get_f64(c, m, k, "exposure", &b->exposure)) ||
      (rc = get_i64(c, m, k, "days", &b->days)) ||
      (rc = get_f64(c, m, k, "best_day", &b->best_day)) ||
      (rc = get_f64(c, m, k, "worst_day", &b->worst_day)) ||
      (rc = get_f64(c, m, k, "buy_and_hold_return", &b->buy_and_hold_return))) {
    return rc;
  }
  return ARGO_OK;
}

static argo_err get_sym_block(in *c, yaml_node_t *m, const char *prefix, argo_symbol_block *b) {
  argo_err rc;
  if ((rc = get_i64(c, m, prefix, "fills", &b->fills)) ||
      (rc = get_i64(c, m, prefix, "round_trips", &b->round_trips)) ||
      (rc = get_i64(c, m, prefix, "winning", &b->winning)) ||
      (rc = get_i64(c, m, prefix, "losing", &b->losing)) ||
      (rc = get_f64(c, m, prefix, "win_rate", &b->win_rate)) ||
      (rc = get_f64(c, m, prefix, "realized_pnl", &b->realized_pnl)) ||
      (rc = get_f64(c, m, prefix, "unrealized_pnl", &b->unrealized_pnl)) ||
      (rc = get_f64(c, m, prefix, "total_pnl", &b->total_pnl)) ||
      (rc = get_f64(c, m, prefix, "fees", &b->fees)) ||
      (rc = get_f64(c, m, prefix, "exposure", &b->exposure)) ||
      (rc = get_f64(c, m, prefix, "buy_and_hold_return", &b->buy_and_hold_return))) {
    return rc;
  }
  return ARGO_OK;
}

/* The by_symbol lists of the daily and cumulative blocks (optional, both or neither), one entry
 * per symbol in the daily list's order. Entries are stored into doc as they are read, so that
 * doc_free sees every allocation. */
static argo_err get_by_symbol(in *c, yaml_node_t *root, argo__stats_doc *doc) {
  static const char *const scopes[2] = {"daily.by_symbol", "cumulative.by_symbol"};
  yaml_node_t *list[2];
  for (int k = 0; k < 2; k++) {
    yaml_node_t *blk = lookup(c, root, k ? "cumulative" : "daily");
    list[k] = blk ? lookup(c, blk, "by_symbol") : NULL;
    if (list[k] && list[k]->type != YAML_SEQUENCE_NODE) {
      return corrupt(c, "%s: expected a list", scopes[k]);
    }
  }
  if (!list[0] && !list[1]) {
    return ARGO_OK;
  }
  if (!list[0] || !list[1]) {
    return corrupt(c, "missing key %s", scopes[list[0] ? 1 : 0]);
  }
  size_t n = (size_t)(list[0]->data.sequence.items.top - list[0]->data.sequence.items.start);
  size_t n2 = (size_t)(list[1]->data.sequence.items.top - list[1]->data.sequence.items.start);
  if (n != n2) {
    return corrupt(c, "daily.by_symbol has %zu symbols, cumulative.by_symbol %zu", n, n2);
  }
  argo_symbol_stats *ys = calloc(n ? n : 1, sizeof *ys);
  if (!ys) {
    return ARGO_ENOMEM;
  }
  doc->by_symbol = ys;
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; k < 2; k++) {
      yaml_node_t *m = yaml_document_get_node(&c->doc, list[k]->data.sequence.items.start[i]);
      const char *sym;
      argo_err rc;
      if (!m || m->type != YAML_MAPPING_NODE) {
        return corrupt(c, "%s: expected a list of mappings", scopes[k]);
      }
      if ((rc = get_text(c, m, scopes[k], "symbol", &sym))) {
        return rc;
      }
      if (k == 0) {
        if (!(ys[i].symbol = argo__strdup(sym))) {
          return ARGO_ENOMEM;
        }
        doc->nby_symbol = i + 1;
      } else if (strcmp(sym, ys[i].symbol) != 0) {
        return corrupt(c, "%s: item %zu is %s, not %s as in daily.by_symbol", scopes[k], i + 1, sym,
                       ys[i].symbol);
      }
      if ((rc = get_sym_block(c, m, scopes[k], k ? &ys[i].cumulative : &ys[i].daily))) {
        return rc;
      }
    }
  }
  return ARGO_OK;
}

/* The top-level blocks repeat the daily one; they are checked for shape, not kept. */
static argo_err check_top(in *c, yaml_node_t *root) {
  argo_stats_block t;
  yaml_node_t *m;
  argo_err rc;
  if ((rc = get_node(c, root, NULL, "trade_result", YAML_MAPPING_NODE, &m)) ||
      (rc = get_i64(c, m, "trade_result", "number_of_trades", &t.number_of_trades)) ||
      (rc = get_i64(c, m, "trade_result", "number_of_winning_trades",
                    &t.number_of_winning_trades)) ||
      (rc = get_i64(c, m, "trade_result", "number_of_losing_trades", &t.number_of_losing_trades)) ||
      (rc = get_f64(c, m, "trade_result", "win_rate", &t.win_rate)) ||
      (rc = get_f64(c, m, "trade_result", "max_drawdown", &t.max_drawdown))) {
    return rc;
  }
  if ((rc = get_node(c, root, NULL, "trade_pnl", YAML_MAPPING_NODE, &m)) ||
      (rc = get_f64(c, m, "trade_pnl", "realized_pnl", &t.realized_pnl)) ||
      (rc = get_f64(c, m, "trade_pnl", "unrealized_pnl", &t.unrealized_pnl)) ||
      (rc = get_f64(c, m, "trade_pnl", "total_pnl", &t.total_pnl)) ||
      (rc = get_f64(c, m, "trade_pnl", "maximum_loss", &t.maximum_loss)) ||
      (rc = get_f64(c, m, "trade_pnl", "maximum_profit", &t.maximum_profit))) {
    return rc;
  }
  if ((rc = get_holding(c, root, NULL, "trade_holding_time", &t)) ||
      (rc = get_f64(c, root, NULL, "total_fees", &t.total_fees))) {
    return rc;
  }
  for (int i = 0; i < 5; i++) {
    const char *p;
    if ((rc = get_text(c, root, NULL, file_keys[i], &p))) {
      return rc;
    }
  }
  return ARGO_OK;
}

/* The list of text values under key k of root into *list (malloc'ed, owned by the caller from
 * the first item on, so that a partial list is freed too) and *n. */
static argo_err get_text_list(in *c, yaml_node_t *root, const char *k, const char *const **list,
                              size_t *n) {
  yaml_node_t *seq;
  argo_err rc = get_node(c, root, NULL, k, YAML_SEQUENCE_NODE, &seq);
  if (rc) {
    return rc;
  }
  size_t len = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
  char **v = calloc(len ? len : 1, sizeof *v);
  if (!v) {
    return ARGO_ENOMEM;
  }
  *list = (const char *const *)v;
  for (size_t i = 0; i < len; i++) {
    yaml_node_t *it = yaml_document_get_node(&c->doc, seq->data.sequence.items.start[i]);
    if (!it || it->type != YAML_SCALAR_NODE) {
      return corrupt(c, "%s: item %zu is not a text value", k, i + 1);
    }
    if (!(v[i] = argo__strdup((const char *)it->data.scalar.value))) {
      return ARGO_ENOMEM;
    }
    *n = i + 1;
  }
  return ARGO_OK;
}

static argo_err get_symbols(in *c, yaml_node_t *root, argo_stats *s) {
  return get_text_list(c, root, "symbols", &s->symbols, &s->nsymbols);
}

static argo_err get_run_dir(in *c, yaml_node_t *root, argo_stats *s) {
  const char *p;
  argo_err rc = get_text(c, root, NULL, "orders_file_path", &p);
  if (rc) {
    return rc;
  }
  const char *tail = "/" FILE_ORDERS;
  size_t n = strlen(p), t = strlen(tail);
  if (n < t || strcmp(p + n - t, tail) != 0) {
    return corrupt(c, "orders_file_path: \"%s\" does not end in %s", p, tail);
  }
  char *dir = malloc(n - t + 1);
  if (!dir) {
    return ARGO_ENOMEM;
  }
  memcpy(dir, p, n - t);
  dir[n - t] = '\0';
  s->run_dir = dir;
  return ARGO_OK;
}

/* An optional string: absent is fine (stays NULL), present must be text. */
static argo_err get_optional(in *c, yaml_node_t *root, const char *k, const char **v) {
  if (!lookup(c, root, k)) {
    return ARGO_OK;
  }
  char *d = NULL;
  argo_err rc = get_dup(c, root, NULL, k, &d);
  *v = d;
  return rc;
}

/* The optional account block. Positions are stored into doc as they are read, so that
 * doc_free sees every allocation. */
static argo_err get_account(in *c, yaml_node_t *root, argo__stats_doc *doc) {
  if (!lookup(c, root, "account")) {
    return ARGO_OK;
  }
  yaml_node_t *acct, *list;
  argo_err rc;
  if ((rc = get_node(c, root, NULL, "account", YAML_MAPPING_NODE, &acct)) ||
      (rc = get_f64(c, acct, "account", "cash", &doc->cash)) ||
      (rc = get_node(c, acct, "account", "positions", YAML_SEQUENCE_NODE, &list))) {
    return rc;
  }
  size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
  argo__stats_pos *pos = calloc(n ? n : 1, sizeof *pos);
  if (!pos) {
    return ARGO_ENOMEM;
  }
  doc->positions = pos;
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *m = yaml_document_get_node(&c->doc, list->data.sequence.items.start[i]);
    char *sym = NULL;
    if (!m || m->type != YAML_MAPPING_NODE) {
      return corrupt(c, "account.positions: expected a list of mappings");
    }
    rc = get_dup(c, m, "account.positions", "symbol", &sym);
    pos[i].symbol = sym;
    doc->npositions = i + 1;
    if (rc || (rc = get_f64(c, m, "account.positions", "long_qty", &pos[i].long_qty)) ||
        (rc = get_f64(c, m, "account.positions", "long_avg_price", &pos[i].long_avg_price)) ||
        (rc = get_f64(c, m, "account.positions", "short_qty", &pos[i].short_qty)) ||
        (rc = get_f64(c, m, "account.positions", "short_avg_price", &pos[i].short_avg_price))) {
      return rc;
    }
  }
  doc->has_account = 1;
  return ARGO_OK;
}

static argo_err get_damage(in *c, yaml_node_t *root, argo__stats_doc *doc) {
  if (!lookup(c, root, "journal_damage")) {
    return ARGO_OK;
  }
  yaml_node_t *m, *rows;
  argo__stats_damage *d = &doc->damage;
  char *kept = NULL;
  argo_err rc = get_node(c, root, NULL, "journal_damage", YAML_MAPPING_NODE, &m);
  if (rc || (rc = get_i64(c, m, "journal_damage", "damaged_regions", &d->regions)) ||
      (rc = get_i64(c, m, "journal_damage", "damaged_bytes", &d->bytes))) {
    return rc;
  }
  rc = get_dup(c, m, "journal_damage", "journal_kept_as", &kept);
  d->kept_as = kept;
  if (rc || (rc = get_node(c, m, "journal_damage", "rows_restored_from_files", YAML_MAPPING_NODE,
                           &rows))) {
    return rc;
  }
  for (int i = 0; i < 5; i++) {
    if ((rc = get_i64(c, rows, "journal_damage.rows_restored_from_files", damage_keys[i],
                      &d->restored[i]))) {
      return rc;
    }
  }
  doc->has_damage = 1;
  return ARGO_OK;
}

static argo_err read_doc(in *c, yaml_node_t *root, argo__stats_doc *doc) {
  argo_stats *s = &doc->s;
  yaml_node_t *strat;
  argo_err rc;
  char *status = NULL, *sid = NULL, *sver = NULL, *sname = NULL;
  if (root->type != YAML_MAPPING_NODE) {
    return corrupt(c, "the document is not a mapping of keys");
  }
  /* Each string is stored into doc as soon as it exists, so doc_free sees every allocation. */
  if ((rc = get_fixed(c, root, "id", s->id, sizeof s->id)) ||
      (rc = get_fixed(c, root, "session_id", s->session_id, sizeof s->session_id)) ||
      (rc = get_fixed(c, root, "date", s->date, sizeof s->date)) ||
      (rc = get_time(c, root, "session_start", &s->session_start)) ||
      (rc = get_time(c, root, "last_updated", &s->last_updated))) {
    return rc;
  }
  rc = get_dup(c, root, NULL, "status", &status);
  s->status = status;
  if (rc || (rc = get_symbols(c, root, s)) || (rc = check_top(c, root)) ||
      (rc = get_run_dir(c, root, s)) ||
      (rc = get_node(c, root, NULL, "strategy", YAML_MAPPING_NODE, &strat))) {
    return rc;
  }
  rc = get_dup(c, strat, "strategy", "id", &sid);
  s->strategy_id = sid;
  if (rc) {
    return rc;
  }
  rc = get_dup(c, strat, "strategy", "version", &sver);
  s->strategy_version = sver;
  if (rc) {
    return rc;
  }
  rc = get_dup(c, strat, "strategy", "name", &sname);
  s->strategy_name = sname;
  if (rc || (rc = get_block(c, root, "daily", &s->daily)) ||
      (rc = get_block(c, root, "cumulative", &s->cumulative)) ||
      (rc = get_i64(c, root, NULL, "candles", &s->candles_day)) ||
      (rc = get_i64(c, root, NULL, "candles_total", &s->candles_total)) ||
      (rc = get_f64(c, root, NULL, "equity", &s->equity)) ||
      (rc = get_optional(c, root, "run_collision", &doc->run_collision)) ||
      (rc = get_optional(c, root, "resumed_from", &doc->resumed_from)) ||
      (rc = get_optional(c, root, "interval", &doc->interval)) ||
      (rc = get_account(c, root, doc)) ||
      (rc = get_optional(c, root, "stop_reason", &doc->stop_reason)) ||
      (rc = get_damage(c, root, doc)) || (rc = get_by_symbol(c, root, doc))) {
    return rc;
  }
  const char *journal = NULL;
  if (lookup(c, root, "journal") && (rc = get_text(c, root, NULL, "journal", &journal)) != 0) {
    return rc;
  }
  doc->journal_off = journal && strcmp(journal, "off") == 0;
  if (lookup(c, root, "started_at") &&
      (rc = get_time(c, root, "started_at", &doc->started_at)) != ARGO_OK) {
    return rc;
  }
  if (lookup(c, root, "live_orders_unknown") &&
      (rc = get_text_list(c, root, "live_orders_unknown", &doc->unknown_orders,
                          &doc->nunknown_orders)) != ARGO_OK) {
    return rc;
  }
  return ARGO_OK;
}

argo_err argo__stats_yaml_parse(const char *text, argo__stats_doc *doc, char *err, size_t errlen) {
  in c = {.err = err, .errlen = errlen};
  yaml_parser_t parser;
  argo_err rc = ARGO_OK;
  int have_doc = 0;
  memset(doc, 0, sizeof *doc);
  if (err && errlen) {
    err[0] = '\0';
  }
  if (!yaml_parser_initialize(&parser)) {
    return ARGO_ENOMEM;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
  if (!yaml_parser_load(&parser, &c.doc)) {
    if (parser.error == YAML_MEMORY_ERROR) {
      rc = ARGO_ENOMEM;
    } else {
      rc = corrupt(&c, "line %zu column %zu: %s%s%s", parser.problem_mark.line + 1,
                   parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
                   parser.context ? " " : "", parser.context ? parser.context : "");
    }
    goto fail;
  }
  have_doc = 1;
  yaml_node_t *root = yaml_document_get_root_node(&c.doc);
  if (!root) {
    rc = corrupt(&c, "the file is empty");
    goto fail;
  }
  if ((rc = read_doc(&c, root, doc)) != ARGO_OK) {
    goto fail;
  }
  yaml_document_delete(&c.doc);
  yaml_parser_delete(&parser);
  return ARGO_OK;

fail:
  argo__stats_doc_free(doc);
  if (have_doc) {
    yaml_document_delete(&c.doc);
  }
  yaml_parser_delete(&parser);
  return rc;
}

void argo__stats_doc_free(argo__stats_doc *doc) {
  if (!doc) {
    return;
  }
  argo_stats *s = &doc->s;
  /* Every string of a parsed document was malloc'ed by the parser; the const in argo_stats
   * is for readers of the public struct. */
  if (s->symbols) {
    for (size_t i = 0; i < s->nsymbols; i++) {
      free((char *)s->symbols[i]);
    }
    free((char **)s->symbols);
  }
  free((char *)s->status);
  free((char *)s->run_dir);
  free((char *)s->strategy_id);
  free((char *)s->strategy_version);
  free((char *)s->strategy_name);
  free((char *)doc->run_collision);
  free((char *)doc->resumed_from);
  free((char *)doc->interval);
  free((char *)doc->stop_reason);
  free((char *)doc->damage.kept_as);
  for (size_t i = 0; i < doc->nunknown_orders; i++) {
    free((char *)doc->unknown_orders[i]);
  }
  free((char **)doc->unknown_orders);
  for (size_t i = 0; i < doc->npositions; i++) {
    free((char *)doc->positions[i].symbol);
  }
  free((argo__stats_pos *)doc->positions);
  for (size_t i = 0; i < doc->nby_symbol; i++) {
    free((char *)doc->by_symbol[i].symbol);
  }
  free((argo_symbol_stats *)doc->by_symbol);
  memset(doc, 0, sizeof *doc);
}

argo_err argo__stats_yaml_write(const argo__stats_doc *doc, const char *dir, argo__sb *scratch,
                                char *err, size_t errlen) {
  return argo__stats_yaml_write_cached(doc, dir, scratch, NULL, err, errlen);
}

argo_err argo__stats_yaml_write_cached(const argo__stats_doc *doc, const char *dir,
                                       argo__sb *scratch, argo__stats_yaml_cache *cache, char *err,
                                       size_t errlen) {
  char path[ARGO_PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/stats.yaml", dir);
  argo__sb local;
  argo__sb *yaml = scratch ? scratch : &local;
  if (!scratch) {
    argo__sb_init(&local);
  }
  argo__sb_reset(yaml);
  argo_err rc = argo__stats_yaml_render_cached(doc, yaml, cache);
  if (rc == ARGO_OK && argo__sb_failed(yaml)) {
    rc = ARGO_ENOMEM;
  }
  if (rc) {
    argo__fmt(err, errlen, "cannot render '%s': %s", path, argo_strerror(rc));
  } else if (argo__fs_write_replace(path, yaml->buf, yaml->len, err, errlen) != 0) {
    rc = ARGO_EIO;
  }
  if (!scratch) {
    argo__sb_free(&local);
  }
  return rc;
}
