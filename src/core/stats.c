/*
 * Statistics tracker; see stats.h for the definitions. The tracker keeps its own FIFO books
 * (fifo.h), one per symbol and side, fed with the same fills as the broker, so the realized pnl
 * it computes agrees with the broker's by construction; it never reads argo_fill.pnl. It owns
 * only plain memory: no I/O, no clock, no other module but fifo.
 *
 * Cost: a fill costs O(matched pieces) and a mark O(1). Unrealized pnl is kept per symbol and
 * as a running total that each fill or mark adjusts by the change of one symbol, so nothing
 * per fill or mark loops over all symbols or all fills, and a mark never allocates (a few
 * counters more per mark for exposure and buy and hold). Reading each symbol's figures (a
 * snapshot: after a fill and every engine.stats_every candles) recomputes only the symbols
 * that a fill, a mark or a seed touched since the last snapshot, so that a snapshot of a
 * session of many symbols costs what changed, not the number of symbols; only the session's
 * buy and hold (a sum over the symbols, kept in symbol order so that its bits do not depend on
 * the order of events) and a day change visit every symbol. The daily returns are kept as
 * running sums (Welford), so no figure keeps a list.
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
  int64_t closes;                  /* closing fills */
  int64_t marks;                   /* candle closes */
  int64_t marks_open;              /* candle closes at which a position was open */
  double gross_profit, gross_loss; /* sums of the closing fills' positive / negative pnl */
} acc;

/* One symbol's figures of one scope. */
typedef struct sym_acc {
  int64_t fills, wins, losses, pieces, marks, marks_open;
  double realized, fees;
} sym_acc;

typedef struct sym_state {
  argo__book book[2]; /* [0] long, [1] short */
  double last;        /* latest close, valid when has_last */
  int has_last;
  double unreal;           /* unrealized pnl of both books, as last computed */
  double unreal_base;      /* unreal when the day started */
  double ref_day, ref_cum; /* buy and hold's starting price in each scope; 0 until known */
  sym_acc day, cum;
} sym_state;

/* The daily returns of equity of the days before the current one. */
typedef struct rets {
  int64_t n;
  double mean, m2; /* Welford's running mean and sum of squared deviations */
  double down2;    /* sum of min(r, 0)^2 */
  double best, worst;
} rets;

struct argo__stats {
  double capital;
  size_t nsym;
  sym_state *syms;
  acc day, cum;
  double unreal_total; /* sum of syms[i].unreal */
  double unreal_base;  /* unreal_total when the day started */
  size_t n_open;       /* symbols with at least one open lot */
  double day_start;    /* equity when the day started */
  rets days;
  sym_state *closing;      /* the symbol of the fill being matched (for on_piece) */
  argo_symbol_stats *view; /* argo__stats_symbols' answer */
  /* The symbols whose view is out of date: listed once each (dirty[i] set) since the last
   * argo__stats_symbols, or all of them (all_dirty: at the start, a new day, a load). */
  unsigned char *dirty;
  size_t *dlist, ndirty;
  int all_dirty;
  const char *const *view_names; /* the names the view holds (all_dirty when they change) */
};

static void sym_dirty(argo__stats *st, size_t i) {
  if (!st->all_dirty && !st->dirty[i]) {
    st->dirty[i] = 1;
    st->dlist[st->ndirty++] = i;
  }
}

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
  st->view = calloc(nsymbols ? nsymbols : 1, sizeof *st->view);
  st->dirty = calloc(nsymbols ? nsymbols : 1, sizeof *st->dirty);
  st->dlist = calloc(nsymbols ? nsymbols : 1, sizeof *st->dlist);
  if (!st->syms || !st->view || !st->dirty || !st->dlist) {
    free(st->syms);
    free(st->view);
    free(st->dirty);
    free(st->dlist);
    free(st);
    return ARGO_ENOMEM;
  }
  st->all_dirty = 1;
  st->nsym = nsymbols;
  for (size_t i = 0; i < nsymbols; i++) {
    argo__book_init(&st->syms[i].book[0]);
    argo__book_init(&st->syms[i].book[1]);
  }
  st->capital = capital;
  st->day_start = capital;
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
  sym_dirty(st, sym);
  return ARGO_OK;
}

void argo__stats_set_capital(argo__stats *st, double capital) {
  st->capital = capital;
  st->day.peak = st->cum.peak = st->day_start = equity_now(st);
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
  free(st->view);
  free(st->dirty);
  free(st->dlist);
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

static void on_piece(void *user, const argo__piece *p) {
  argo__stats *st = user;
  double qty = p->qty;
  int64_t entry_time = p->entry_time, exit_time = p->exit_time;
  /* The times of a session's fills are close together; those of a crafted journal may be any
   * int64_t, whose difference is taken in double rather than overflow. */
  int overflows =
      entry_time > 0 ? exit_time < INT64_MIN + entry_time : exit_time > INT64_MAX + entry_time;
  double secs = overflows ? ((double)exit_time - (double)entry_time) / 1e6
                          : (double)(exit_time - entry_time) / 1e6;
  acc_piece(&st->day, qty, secs);
  acc_piece(&st->cum, qty, secs);
  st->closing->day.pieces++;
  st->closing->cum.pieces++;
}

static void acc_close(acc *a, double pnl) {
  a->realized += pnl;
  a->closes++;
  if (pnl > 0) {
    a->wins++;
    a->gross_profit += pnl;
    if (pnl > a->max_profit) {
      a->max_profit = pnl;
    }
  } else if (pnl < 0) {
    a->losses++;
    a->gross_loss += pnl;
    if (pnl < a->max_loss) {
      a->max_loss = pnl;
    }
  }
}

static void sym_fill(sym_acc *a, int closing, double pnl, double fee) {
  a->fills++;
  a->fees += fee;
  if (closing) {
    a->realized += pnl;
    a->wins += pnl > 0;
    a->losses += pnl < 0;
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
  double pnl = 0;
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
    st->closing = s;
    if (argo__book_close(b, is_short, f->executed_qty, f->executed_price, f->commission,
                         f->executed_at, on_piece, st, &pnl)) {
      return ARGO_EINVAL;
    }
    acc_close(&st->day, pnl);
    acc_close(&st->cum, pnl);
  }
  sym_fill(&s->day, !opening, pnl, f->commission);
  sym_fill(&s->cum, !opening, pnl, f->commission);
  st->day.trades++;
  st->cum.trades++;
  st->day.fees += f->commission;
  st->cum.fees += f->commission;
  sym_update(st, s, was_open);
  sym_dirty(st, sym);
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
  sym_dirty(st, sym);
  s->last = close;
  s->has_last = 1;
  if (!(s->ref_day > 0)) {
    s->ref_day = close;
  }
  if (!(s->ref_cum > 0)) {
    s->ref_cum = close;
  }
  int open = sym_open(s);
  sym_update(st, s, open);
  s->day.marks++;
  s->cum.marks++;
  s->day.marks_open += open;
  s->cum.marks_open += open;
  int any = st->n_open > 0;
  st->day.marks++;
  st->cum.marks++;
  st->day.marks_open += any;
  st->cum.marks_open += any;
  double eq = equity_now(st);
  acc_equity(&st->day, eq);
  acc_equity(&st->cum, eq);
}

/* The current day's return of equity so far. */
static double day_return(const argo__stats *st) {
  return st->day_start > 0 ? equity_now(st) / st->day_start - 1 : 0;
}

static void rets_add(rets *r, double x) {
  /* Welford: the mean and the squared deviations, updated without cancellation. */
  r->n++;
  double d = x - r->mean;
  r->mean += d / (double)r->n;
  r->m2 += d * (x - r->mean);
  r->down2 += x < 0 ? x * x : 0;
  if (r->n == 1 || x > r->best) {
    r->best = x;
  }
  if (r->n == 1 || x < r->worst) {
    r->worst = x;
  }
}

void argo__stats_new_day(argo__stats *st) {
  rets_add(&st->days, day_return(st));
  st->day_start = equity_now(st);
  acc_reset(&st->day, st->day_start);
  st->unreal_base = st->unreal_total;
  st->all_dirty = 1;
  for (size_t i = 0; i < st->nsym; i++) {
    sym_state *s = &st->syms[i];
    memset(&s->day, 0, sizeof s->day);
    s->unreal_base = s->unreal;
    /* The day's buy and hold starts from the close the day started with. */
    s->ref_day = s->has_last ? s->last : 0;
  }
}

/* The buy and hold return of the scope: each symbol's latest close over its starting price,
 * averaged over the symbols that have both (the same sum in each at the scope's start). */
static double buy_and_hold(const argo__stats *st, int daily) {
  double sum = 0;
  size_t n = 0;
  for (size_t i = 0; i < st->nsym; i++) {
    const sym_state *s = &st->syms[i];
    double ref = daily ? s->ref_day : s->ref_cum;
    if (ref > 0 && s->has_last) {
      sum += s->last / ref - 1;
      n++;
    }
  }
  return n ? sum / (double)n : 0;
}

static double ratio(double num, double den) {
  return den != 0 ? num / den : 0;
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
  o->gross_profit = a->gross_profit;
  o->gross_loss = a->gross_loss;
  o->profit_factor = ratio(a->gross_profit, -a->gross_loss);
  o->expectancy = ratio(a->realized, (double)a->closes);
  o->exposure = ratio((double)a->marks_open, (double)a->marks);
}

/* The figures of the daily returns r (the current day's included) and of the scope's return
 * over its start equity. */
static void returns_get(const rets *r, double start, double now, argo_stats_block *o) {
  o->days = r->n;
  o->sharpe_ratio = o->sortino_ratio = 0;
  if (r->n >= 2) {
    double sd = sqrt(r->m2 / (double)(r->n - 1)), dd = sqrt(r->down2 / (double)r->n);
    o->sharpe_ratio = sd > 0 ? r->mean / sd * sqrt(365) : 0;
    o->sortino_ratio = dd > 0 ? r->mean / dd * sqrt(365) : 0;
  }
  o->best_day = r->best;
  o->worst_day = r->worst;
  o->total_return = start > 0 ? now / start - 1 : 0;
  o->calmar_ratio =
      o->max_drawdown > 0 ? o->total_return * 365 / (double)r->n / o->max_drawdown : 0;
}

void argo__stats_get(const argo__stats *st, argo_stats_block *daily, argo_stats_block *cumulative) {
  double now = equity_now(st), today = day_return(st);
  if (daily) {
    rets one = {0};
    rets_add(&one, today);
    acc_get(&st->day, st->unreal_total - st->unreal_base, daily);
    returns_get(&one, st->day_start, now, daily);
    daily->buy_and_hold_return = buy_and_hold(st, 1);
  }
  if (cumulative) {
    rets all = st->days;
    rets_add(&all, today);
    acc_get(&st->cum, st->unreal_total, cumulative);
    returns_get(&all, st->capital, now, cumulative);
    cumulative->buy_and_hold_return = buy_and_hold(st, 0);
  }
}

static void sym_get(const sym_state *s, const sym_acc *a, double unreal, int daily,
                    argo_symbol_block *o) {
  memset(o, 0, sizeof *o);
  o->fills = a->fills;
  o->round_trips = a->pieces;
  o->winning = a->wins;
  o->losing = a->losses;
  o->win_rate = ratio((double)a->wins, (double)(a->wins + a->losses));
  o->realized_pnl = a->realized;
  o->unrealized_pnl = unreal;
  o->total_pnl = a->realized + unreal;
  o->fees = a->fees;
  o->exposure = ratio((double)a->marks_open, (double)a->marks);
  double ref = daily ? s->ref_day : s->ref_cum;
  o->buy_and_hold_return = ref > 0 && s->has_last ? s->last / ref - 1 : 0;
}

static void view_update(argo__stats *st, size_t i, const char *const *names) {
  const sym_state *s = &st->syms[i];
  argo_symbol_stats *v = &st->view[i];
  v->symbol = names ? names[i] : NULL;
  sym_get(s, &s->day, s->unreal - s->unreal_base, 1, &v->daily);
  sym_get(s, &s->cum, s->unreal, 0, &v->cumulative);
}

const argo_symbol_stats *argo__stats_symbols(argo__stats *st, const char *const *names) {
  /* A symbol's figures depend on its own state only: those of a symbol nothing touched since
   * the last call are the ones the view holds. */
  if (st->all_dirty || names != st->view_names) {
    for (size_t i = 0; i < st->nsym; i++) {
      view_update(st, i, names);
    }
    memset(st->dirty, 0, st->nsym);
    st->all_dirty = 0;
    st->view_names = names;
  } else {
    for (size_t k = 0; k < st->ndirty; k++) {
      view_update(st, st->dlist[k], names);
      st->dirty[st->dlist[k]] = 0;
    }
  }
  st->ndirty = 0;
  return st->view;
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
 *               and per lot: qty, price, fee, time;
 * version 2 goes on (EXT_FIELDS + nsymbols * SYM_EXT_FIELDS words) with
 *   day acc, cumulative acc (ACC_EXT_FIELDS each: closes, marks, marks_open, gross_profit,
 *   gross_loss), day_start, the daily returns (n, mean, m2, down2, best, worst),
 *   per symbol: unreal_base, ref_day, ref_cum, day and cumulative sym_acc (SYM_ACC_FIELDS
 *               each: fills, wins, losses, pieces, marks, marks_open, realized, fees).
 * A version 1 state (a journal of an older argo) loads with those figures restarting at the
 * load, except the day's starting equity, which the daily figures give.
 * Book sums are stored rather than recomputed from the lots: they are running sums whose last
 * bits depend on the order of past operations, and a restored tracker must continue exactly
 * as the original would have.
 */
#define SAVE_MAGIC "ARGOSTAT"
#define SAVE_VERSION 2u
#define ACC_FIELDS 14
#define ACC_EXT_FIELDS 5
#define EXT_FIELDS (2 * ACC_EXT_FIELDS + 1 + 6)
#define SYM_ACC_FIELDS 8
#define SYM_EXT_FIELDS (3 + 2 * SYM_ACC_FIELDS)
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

static void put_acc_ext(wbuf *w, const acc *a) {
  put_u64(w, (uint64_t)a->closes);
  put_u64(w, (uint64_t)a->marks);
  put_u64(w, (uint64_t)a->marks_open);
  put_f64(w, a->gross_profit);
  put_f64(w, a->gross_loss);
}

static void put_sym_acc(wbuf *w, const sym_acc *a) {
  put_u64(w, (uint64_t)a->fills);
  put_u64(w, (uint64_t)a->wins);
  put_u64(w, (uint64_t)a->losses);
  put_u64(w, (uint64_t)a->pieces);
  put_u64(w, (uint64_t)a->marks);
  put_u64(w, (uint64_t)a->marks_open);
  put_f64(w, a->realized);
  put_f64(w, a->fees);
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
  size_t words = HEAD_FIELDS + 2 * ACC_FIELDS + 2 + EXT_FIELDS;
  for (size_t i = 0; i < st->nsym; i++) {
    words += SYM_FIELDS + 2 * BOOK_FIELDS + SYM_EXT_FIELDS;
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
  put_acc_ext(&w, &st->day);
  put_acc_ext(&w, &st->cum);
  put_f64(&w, st->day_start);
  put_u64(&w, (uint64_t)st->days.n);
  put_f64(&w, st->days.mean);
  put_f64(&w, st->days.m2);
  put_f64(&w, st->days.down2);
  put_f64(&w, st->days.best);
  put_f64(&w, st->days.worst);
  for (size_t i = 0; i < st->nsym; i++) {
    const sym_state *s = &st->syms[i];
    put_f64(&w, s->unreal_base);
    put_f64(&w, s->ref_day);
    put_f64(&w, s->ref_cum);
    put_sym_acc(&w, &s->day);
    put_sym_acc(&w, &s->cum);
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

static void get_acc_ext(rbuf *r, acc *a) {
  a->closes = (int64_t)get_u64(r);
  a->marks = (int64_t)get_u64(r);
  a->marks_open = (int64_t)get_u64(r);
  a->gross_profit = get_f64(r);
  a->gross_loss = get_f64(r);
}

static void get_sym_acc(rbuf *r, sym_acc *a) {
  a->fills = (int64_t)get_u64(r);
  a->wins = (int64_t)get_u64(r);
  a->losses = (int64_t)get_u64(r);
  a->pieces = (int64_t)get_u64(r);
  a->marks = (int64_t)get_u64(r);
  a->marks_open = (int64_t)get_u64(r);
  a->realized = get_f64(r);
  a->fees = get_f64(r);
}

static int sym_acc_valid(const sym_acc *a) {
  const int64_t max = INT64_C(1) << 62;
  return a->fills >= 0 && a->fills <= max && a->wins >= 0 && a->losses >= 0 &&
         a->wins <= a->fills - a->losses && a->pieces >= 0 && a->pieces <= max && a->marks >= 0 &&
         a->marks <= max && a->marks_open >= 0 && a->marks_open <= a->marks;
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
         a->wins <= a->trades - a->losses && a->hold_count >= 0 && a->hold_count <= max &&
         a->closes >= a->wins + a->losses && a->closes <= a->trades && a->marks >= 0 &&
         a->marks <= max && a->marks_open >= 0 && a->marks_open <= a->marks;
}

/* A version 1 state has no closes: every decided close is one (break-even closes before the
 * load are not known). */
static void acc_v1(acc *a) {
  const int64_t max = INT64_C(1) << 62;
  /* Counts out of range make it invalid (acc_valid), without overflowing on the way. */
  a->closes = a->wins >= 0 && a->losses >= 0 && a->wins <= max && a->losses <= max
                  ? a->wins + a->losses
                  : -1;
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
  if (r.short_read || (version != 1 && version != SAVE_VERSION) || total != len) {
    return ARGO_ECORRUPT;
  }
  if (nsym != st->nsym) {
    return ARGO_EINVAL;
  }
  /* Everything is read into a fresh state and swapped in at the end, so a corrupt buffer
   * leaves the tracker as it was. */
  argo_err rc = ARGO_OK;
  acc day = {0}, cum = {0}; /* a version 1 state leaves the later fields to acc_v1 */
  get_acc(&r, &day);
  get_acc(&r, &cum);
  double unreal_total = get_f64(&r);
  double unreal_base = get_f64(&r);
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
  /* The equity the day started with: now less the day's total pnl. */
  double day_start = capital + cum.realized - day.realized + unreal_base;
  rets days = {0};
  int valid = 1;
  if (version == 1) {
    acc_v1(&day);
    acc_v1(&cum);
    for (size_t i = 0; i < st->nsym; i++) {
      sym_state *s = &syms[i];
      s->unreal_base = s->unreal;
      s->ref_day = s->ref_cum = s->has_last ? s->last : 0;
    }
  } else {
    get_acc_ext(&r, &day);
    get_acc_ext(&r, &cum);
    day_start = get_f64(&r);
    days.n = (int64_t)get_u64(&r);
    days.mean = get_f64(&r);
    days.m2 = get_f64(&r);
    days.down2 = get_f64(&r);
    days.best = get_f64(&r);
    days.worst = get_f64(&r);
    valid = days.n >= 0 && days.n <= INT64_C(1) << 62;
    for (size_t i = 0; i < st->nsym; i++) {
      sym_state *s = &syms[i];
      s->unreal_base = get_f64(&r);
      s->ref_day = get_f64(&r);
      s->ref_cum = get_f64(&r);
      get_sym_acc(&r, &s->day);
      get_sym_acc(&r, &s->cum);
      valid &= sym_acc_valid(&s->day) && sym_acc_valid(&s->cum);
    }
  }
  if (r.short_read || r.pos != len || !valid || !acc_valid(&day) || !acc_valid(&cum)) {
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
  st->day_start = day_start;
  st->days = days;
  st->all_dirty = 1;
  st->ndirty = 0;
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
