/*
 * Statistics tracker; see stats.h for the definitions. The tracker keeps its own FIFO books
 * (fifo.h), one per symbol and side, fed with the same fills as the broker, so the realized pnl
 * it computes agrees with the broker's by construction; it never reads argo_fill.pnl. It owns
 * only plain memory: no I/O, no clock, no other module but fifo.
 *
 * Cost: a fill costs O(matched pieces) and a mark O(1). Unrealized pnl is kept per symbol and
 * as a running total that each fill or mark adjusts by the change of one symbol, so nothing
 * ever loops over all symbols or all fills, and a mark never allocates.
 */
#include "core/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/fifo.h"

/* Figures of one scope (the day, or the session) that are accumulated fill by fill. */
typedef struct acc {
  int64_t trades, wins, losses, hold_count;
  double realized, fees, max_profit, max_loss;
  double hold_min, hold_max;
  double hold_wsum; /* sum of qty * seconds over closed pieces */
  double hold_qty;  /* sum of qty over closed pieces */
  double peak;      /* highest equity seen by a mark in this scope (or the scope's start) */
  double max_dd;
} acc;

typedef struct sym_state {
  argo__book book[2]; /* [0] long, [1] short */
  double last;        /* latest close, valid when has_last */
  int has_last;
  double unreal; /* unrealized pnl of both books, as last computed */
} sym_state;

struct argo__stats {
  double capital;
  size_t nsym;
  sym_state *syms;
  acc day, cum;
  double unreal_total; /* sum of syms[i].unreal */
  double unreal_base;  /* unreal_total when the day started */
  size_t n_open;       /* symbols with at least one open lot */
};

static void acc_reset(acc *a, double peak) {
  memset(a, 0, sizeof *a);
  a->peak = peak;
}

static double equity_now(const argo__stats *st) {
  return st->capital + st->cum.realized + st->unreal_total;
}

static int sym_open(const sym_state *s) {
  return s->book[0].len + s->book[1].len > 0;
}

/* Unrealized pnl of one book. Without a close for the symbol yet, every lot is marked at its
 * own entry price, which leaves only its unrealized entry fee. */
static double book_unreal(const sym_state *s, int side) {
  const argo__book *b = &s->book[side];
  if (b->len == 0) {
    return 0;
  }
  return s->has_last ? argo__book_unrealized(b, side, s->last) : -b->fee;
}

/* Recomputes one symbol's unrealized pnl and moves the running total by the difference. */
static void sym_update(argo__stats *st, sym_state *s, int was_open) {
  double u = book_unreal(s, 0) + book_unreal(s, 1);
  st->unreal_total += u - s->unreal;
  s->unreal = u;
  int now_open = sym_open(s);
  if (now_open != was_open) {
    st->n_open = now_open ? st->n_open + 1 : st->n_open - 1;
  }
  /* Differences accumulate rounding; when everything is flat the exact total is known. */
  if (st->n_open == 0) {
    st->unreal_total = 0;
  }
}

argo_err argo__stats_new(argo__stats **out, double capital, size_t nsymbols) {
  *out = NULL;
  argo__stats *st = calloc(1, sizeof *st);
  if (!st) {
    return ARGO_ENOMEM;
  }
  /* calloc(0) may return NULL; one spare entry keeps "NULL means out of memory" true. */
  st->syms = calloc(nsymbols ? nsymbols : 1, sizeof *st->syms);
  if (!st->syms) {
    free(st);
    return ARGO_ENOMEM;
  }
  st->nsym = nsymbols;
  for (size_t i = 0; i < nsymbols; i++) {
    argo__book_init(&st->syms[i].book[0]);
    argo__book_init(&st->syms[i].book[1]);
  }
  st->capital = capital;
  acc_reset(&st->day, capital);
  acc_reset(&st->cum, capital);
  *out = st;
  return ARGO_OK;
}

argo_err argo__stats_seed(argo__stats *st, size_t sym, int is_short, double qty, double price,
                          int64_t time) {
  if (sym >= st->nsym || !(qty > 0) || !isfinite(qty) || !(price > 0) || !isfinite(price)) {
    return ARGO_EINVAL;
  }
  sym_state *s = &st->syms[sym];
  int was_open = sym_open(s);
  if (argo__book_open(&s->book[is_short ? 1 : 0], qty, price, 0, time) != 0) {
    return ARGO_ENOMEM;
  }
  sym_update(st, s, was_open);
  return ARGO_OK;
}

void argo__stats_set_capital(argo__stats *st, double capital) {
  st->capital = capital;
  st->day.peak = st->cum.peak = equity_now(st);
}

static void syms_free(sym_state *syms, size_t n) {
  if (!syms) {
    return;
  }
  for (size_t i = 0; i < n; i++) {
    argo__book_free(&syms[i].book[0]);
    argo__book_free(&syms[i].book[1]);
  }
  free(syms);
}

void argo__stats_free(argo__stats *st) {
  if (!st) {
    return;
  }
  syms_free(st->syms, st->nsym);
  free(st);
}

/* ---- fills ------------------------------------------------------------------------------- */

static void acc_piece(acc *a, double qty, double secs) {
  if (a->hold_count == 0 || secs < a->hold_min) {
    a->hold_min = secs;
  }
  if (a->hold_count == 0 || secs > a->hold_max) {
    a->hold_max = secs;
  }
  a->hold_count++;
  a->hold_wsum += qty * secs;
  a->hold_qty += qty;
}

static void on_piece(void *user, double qty, int64_t entry_time, int64_t exit_time, double pnl) {
  argo__stats *st = user;
  /* The times of a session's fills are close together; those of a crafted journal may be any
   * int64_t, whose difference is taken in double rather than overflow. */
  int overflows =
      entry_time > 0 ? exit_time < INT64_MIN + entry_time : exit_time > INT64_MAX + entry_time;
  double secs = overflows ? ((double)exit_time - (double)entry_time) / 1e6
                          : (double)(exit_time - entry_time) / 1e6;
  acc_piece(&st->day, qty, secs);
  acc_piece(&st->cum, qty, secs);
}

static void acc_close(acc *a, double pnl) {
  a->realized += pnl;
  if (pnl > 0) {
    a->wins++;
    if (pnl > a->max_profit) {
      a->max_profit = pnl;
    }
  } else if (pnl < 0) {
    a->losses++;
    if (pnl < a->max_loss) {
      a->max_loss = pnl;
    }
  }
}

argo_err argo__stats_fill(argo__stats *st, size_t sym, const argo_fill *f) {
  if (sym >= st->nsym || !(f->executed_qty > 0) || !isfinite(f->executed_qty) ||
      !isfinite(f->executed_price) || !isfinite(f->commission)) {
    return ARGO_EINVAL;
  }
  sym_state *s = &st->syms[sym];
  int is_short = f->position_type == ARGO_POSITION_SHORT;
  argo__book *b = &s->book[is_short];
  int opening = is_short ? f->side == ARGO_SIDE_SELL : f->side == ARGO_SIDE_BUY;
  int was_open = sym_open(s);
  if (opening) {
    if (argo__book_open(b, f->executed_qty, f->executed_price, f->commission, f->executed_at)) {
      return ARGO_ENOMEM;
    }
  } else {
    /* A live broker's fill may reduce more than the session holds (an exchange balance it
     * did not buy): the excess is taken over at the fill's price first, so it realizes
     * nothing (brokers/ledger.h does the same). */
    double excess = f->executed_qty - b->qty;
    if (excess > ARGO_QTY_EPS &&
        argo__book_open(b, excess, f->executed_price, 0, f->executed_at) != 0) {
      return ARGO_ENOMEM;
    }
    /* The pieces go straight into both scopes. */
    double pnl;
    if (argo__book_close(b, is_short, f->executed_qty, f->executed_price, f->commission,
                         f->executed_at, on_piece, st, &pnl)) {
      return ARGO_EINVAL;
    }
    acc_close(&st->day, pnl);
    acc_close(&st->cum, pnl);
  }
  st->day.trades++;
  st->cum.trades++;
  st->day.fees += f->commission;
  st->cum.fees += f->commission;
  sym_update(st, s, was_open);
  return ARGO_OK;
}

/* ---- marks and days ---------------------------------------------------------------------- */

static void acc_equity(acc *a, double equity) {
  if (equity > a->peak) {
    a->peak = equity;
  }
  if (a->peak > 0) {
    double dd = (a->peak - equity) / a->peak;
    if (dd > a->max_dd) {
      a->max_dd = dd;
    }
  }
}

void argo__stats_mark(argo__stats *st, size_t sym, double close) {
  /* A mark that cannot be a price would poison equity for the rest of the session. */
  if (sym >= st->nsym || !isfinite(close)) {
    return;
  }
  sym_state *s = &st->syms[sym];
  s->last = close;
  s->has_last = 1;
  sym_update(st, s, sym_open(s));
  double eq = equity_now(st);
  acc_equity(&st->day, eq);
  acc_equity(&st->cum, eq);
}

void argo__stats_new_day(argo__stats *st) {
  acc_reset(&st->day, equity_now(st));
  st->unreal_base = st->unreal_total;
}

static void acc_get(const acc *a, double unreal, argo_stats_block *o) {
  memset(o, 0, sizeof *o);
  o->number_of_trades = a->trades;
  o->number_of_winning_trades = a->wins;
  o->number_of_losing_trades = a->losses;
  int64_t decided = a->wins + a->losses;
  o->win_rate = decided ? (double)a->wins / (double)decided : 0;
  o->max_drawdown = a->max_dd;
  o->realized_pnl = a->realized;
  o->unrealized_pnl = unreal;
  o->total_pnl = a->realized + unreal;
  o->maximum_loss = a->max_loss;
  o->maximum_profit = a->max_profit;
  o->total_fees = a->fees;
  o->holding_count = a->hold_count;
  if (a->hold_count) {
    o->holding_min = a->hold_min;
    o->holding_max = a->hold_max;
    o->holding_avg = a->hold_qty > 0 ? a->hold_wsum / a->hold_qty : 0;
  }
}

void argo__stats_get(const argo__stats *st, argo_stats_block *daily, argo_stats_block *cumulative) {
  if (daily) {
    acc_get(&st->day, st->unreal_total - st->unreal_base, daily);
  }
  if (cumulative) {
    acc_get(&st->cum, st->unreal_total, cumulative);
  }
}

double argo__stats_equity(const argo__stats *st) {
  return equity_now(st);
}

/* ---- save and load ----------------------------------------------------------------------- */

/*
 * Layout, every field little-endian, 8 bytes (doubles as their IEEE-754 bits), so the buffer
 * is the same on every machine:
 *   magic "ARGOSTAT", version, total length, capital, nsymbols,
 *   day acc, cumulative acc (ACC_FIELDS each), unreal_total, unreal_base,
 *   per symbol: has_last, last, unreal, then per side: qty, cost, fee, nlots,
 *               and per lot: qty, price, fee, time.
 * Book sums are stored rather than recomputed from the lots: they are running sums whose last
 * bits depend on the order of past operations, and a restored tracker must continue exactly
 * as the original would have.
 */
#define SAVE_MAGIC "ARGOSTAT"
#define SAVE_VERSION 1u
#define ACC_FIELDS 14
#define HEAD_FIELDS 4 /* version, length, capital, nsymbols (after the magic) */
#define SYM_FIELDS 3
#define BOOK_FIELDS 4
#define LOT_FIELDS 4

typedef struct wbuf {
  unsigned char *p;
  size_t pos;
} wbuf;

static void put_u64(wbuf *w, uint64_t v) {
  for (int i = 0; i < 8; i++) {
    w->p[w->pos++] = (unsigned char)(v >> (8 * i));
  }
}

static void put_f64(wbuf *w, double d) {
  uint64_t v;
  memcpy(&v, &d, sizeof v);
  put_u64(w, v);
}

static void put_acc(wbuf *w, const acc *a) {
  put_u64(w, (uint64_t)a->trades);
  put_u64(w, (uint64_t)a->wins);
  put_u64(w, (uint64_t)a->losses);
  put_u64(w, (uint64_t)a->hold_count);
  put_f64(w, a->realized);
  put_f64(w, a->fees);
  put_f64(w, a->max_profit);
  put_f64(w, a->max_loss);
  put_f64(w, a->hold_min);
  put_f64(w, a->hold_max);
  put_f64(w, a->hold_wsum);
  put_f64(w, a->hold_qty);
  put_f64(w, a->peak);
  put_f64(w, a->max_dd);
}

argo_err argo__stats_save(const argo__stats *st, void **buf, size_t *len) {
  *buf = NULL;
  *len = 0;
  size_t words = HEAD_FIELDS + 2 * ACC_FIELDS + 2;
  for (size_t i = 0; i < st->nsym; i++) {
    words += SYM_FIELDS + 2 * BOOK_FIELDS;
    words += LOT_FIELDS * (st->syms[i].book[0].len + st->syms[i].book[1].len);
  }
  size_t n = 8 + 8 * words;
  wbuf w = {malloc(n), 0};
  if (!w.p) {
    return ARGO_ENOMEM;
  }
  memcpy(w.p, SAVE_MAGIC, 8);
  w.pos = 8;
  put_u64(&w, SAVE_VERSION);
  put_u64(&w, (uint64_t)n);
  put_f64(&w, st->capital);
  put_u64(&w, (uint64_t)st->nsym);
  put_acc(&w, &st->day);
  put_acc(&w, &st->cum);
  put_f64(&w, st->unreal_total);
  put_f64(&w, st->unreal_base);
  for (size_t i = 0; i < st->nsym; i++) {
    const sym_state *s = &st->syms[i];
    put_u64(&w, (uint64_t)s->has_last);
    put_f64(&w, s->last);
    put_f64(&w, s->unreal);
    for (int side = 0; side < 2; side++) {
      const argo__book *b = &s->book[side];
      put_f64(&w, b->qty);
      put_f64(&w, b->cost);
      put_f64(&w, b->fee);
      put_u64(&w, (uint64_t)b->len);
      for (size_t k = 0; k < b->len; k++) {
        const argo__lot *l = argo__book_lot(b, k);
        put_f64(&w, l->qty);
        put_f64(&w, l->price);
        put_f64(&w, l->fee);
        put_u64(&w, (uint64_t)l->time);
      }
    }
  }
  *buf = w.p;
  *len = w.pos;
  return ARGO_OK;
}

typedef struct rbuf {
  const unsigned char *p;
  size_t pos, len;
  int short_read;
} rbuf;

static uint64_t get_u64(rbuf *r) {
  if (r->len - r->pos < 8) {
    r->short_read = 1;
    r->pos = r->len;
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) {
    v |= (uint64_t)r->p[r->pos++] << (8 * i);
  }
  return v;
}

static double get_f64(rbuf *r) {
  uint64_t v = get_u64(r);
  double d;
  memcpy(&d, &v, sizeof d);
  return d;
}

static void get_acc(rbuf *r, acc *a) {
  a->trades = (int64_t)get_u64(r);
  a->wins = (int64_t)get_u64(r);
  a->losses = (int64_t)get_u64(r);
  a->hold_count = (int64_t)get_u64(r);
  a->realized = get_f64(r);
  a->fees = get_f64(r);
  a->max_profit = get_f64(r);
  a->max_loss = get_f64(r);
  a->hold_min = get_f64(r);
  a->hold_max = get_f64(r);
  a->hold_wsum = get_f64(r);
  a->hold_qty = get_f64(r);
  a->peak = get_f64(r);
  a->max_dd = get_f64(r);
}

/* 1 if the counts of a loaded accumulator can be a session's: none negative, wins and losses
 * are closing fills (which trades counts as well), and far enough from INT64_MAX that counting
 * on cannot overflow. A journal's state passed its checksum, but may still be crafted. */
static int acc_valid(const acc *a) {
  const int64_t max = INT64_C(1) << 62;
  return a->trades >= 0 && a->trades <= max && a->wins >= 0 && a->losses >= 0 &&
         a->wins <= a->trades - a->losses && a->hold_count >= 0 && a->hold_count <= max;
}

/* Reads one book into b (initialized, empty). ARGO_ECORRUPT or ARGO_ENOMEM. */
static argo_err get_book(rbuf *r, argo__book *b) {
  double qty = get_f64(r), cost = get_f64(r), fee = get_f64(r);
  uint64_t nlots = get_u64(r);
  /* Bound the count by the bytes left before allocating anything for it. */
  if (r->short_read || nlots > (r->len - r->pos) / (8 * LOT_FIELDS)) {
    return ARGO_ECORRUPT;
  }
  for (uint64_t k = 0; k < nlots; k++) {
    double lq = get_f64(r), lp = get_f64(r), lf = get_f64(r);
    int64_t lt = (int64_t)get_u64(r);
    if (argo__book_open(b, lq, lp, lf, lt)) {
      return ARGO_ENOMEM;
    }
  }
  /* See the layout comment: the saved sums, not the ones argo__book_open recomputed. */
  b->qty = qty;
  b->cost = cost;
  b->fee = fee;
  return ARGO_OK;
}

argo_err argo__stats_load(argo__stats *st, const void *buf, size_t len) {
  rbuf r = {buf, 0, len, 0};
  if (len < 8 || memcmp(buf, SAVE_MAGIC, 8) != 0) {
    return ARGO_ECORRUPT;
  }
  r.pos = 8;
  uint64_t version = get_u64(&r);
  uint64_t total = get_u64(&r);
  double capital = get_f64(&r);
  uint64_t nsym = get_u64(&r);
  if (r.short_read || version != SAVE_VERSION || total != len) {
    return ARGO_ECORRUPT;
  }
  if (nsym != st->nsym) {
    return ARGO_EINVAL;
  }
  /* Everything is read into a fresh state and swapped in at the end, so a corrupt buffer
   * leaves the tracker as it was. */
  argo_err rc = ARGO_OK;
  acc day, cum;
  get_acc(&r, &day);
  get_acc(&r, &cum);
  double unreal_total = get_f64(&r);
  double unreal_base = get_f64(&r);
  if (!acc_valid(&day) || !acc_valid(&cum)) {
    return ARGO_ECORRUPT;
  }
  sym_state *syms = calloc(st->nsym ? st->nsym : 1, sizeof *syms);
  if (!syms) {
    return ARGO_ENOMEM;
  }
  size_t n_open = 0;
  for (size_t i = 0; i < st->nsym; i++) {
    sym_state *s = &syms[i];
    argo__book_init(&s->book[0]);
    argo__book_init(&s->book[1]);
    s->has_last = get_u64(&r) != 0;
    s->last = get_f64(&r);
    s->unreal = get_f64(&r);
    for (int side = 0; side < 2; side++) {
      if ((rc = get_book(&r, &s->book[side])) != ARGO_OK) {
        /* Books past i are still zeroed by calloc, which argo__book_free accepts. */
        goto fail;
      }
    }
    n_open += (size_t)sym_open(s);
  }
  if (r.short_read || r.pos != len) {
    rc = ARGO_ECORRUPT;
    goto fail;
  }
  syms_free(st->syms, st->nsym);
  st->syms = syms;
  st->capital = capital;
  st->day = day;
  st->cum = cum;
  st->unreal_total = unreal_total;
  st->unreal_base = unreal_base;
  st->n_open = n_open;
  return ARGO_OK;

fail:
  syms_free(syms, st->nsym);
  return rc;
}

void argo__stats_position(const argo__stats *st, size_t sym, double *long_qty, double *long_avg,
                          double *short_qty, double *short_avg) {
  *long_qty = *long_avg = *short_qty = *short_avg = 0;
  if (sym >= st->nsym) {
    return;
  }
  const sym_state *s = &st->syms[sym];
  *long_qty = s->book[0].qty;
  *long_avg = argo__book_avg_price(&s->book[0]);
  *short_qty = s->book[1].qty;
  *short_avg = argo__book_avg_price(&s->book[1]);
}
