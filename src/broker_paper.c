/*
 * Paper broker: a simulated account that fills orders on the engine's candles; see broker.h
 * for the fill rules. It keeps only pending orders in memory (filled, cancelled and rejected
 * ones are reported through the sink and forgotten), so its memory does not grow with the
 * session, and a candle costs O(pending orders of its symbol).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "fifo.h"
#include "util/misc.h"
#include "util/util.h"

typedef struct pending {
  argo_order o;
  uint64_t seq;      /* order number, for oldest-first listing */
  int opening;       /* opens (or adds to) a position */
  double reserve_bp; /* buying power held while pending (opening orders) */
} pending;

typedef struct bsym {
  const char *symbol;
  argo__book lng, sht;
  double last;
  int has_last;
  double realized, fees;
  double held_long, held_short; /* position held by pending closing orders */
  pending *pend;
  size_t npend, cap;
} bsym;

struct argo__broker {
  argo__broker_cfg cfg;
  char *prefix;
  char *strategy;
  bsym *syms;
  size_t nsym;
  argo__map idx;
  double cash;
  double reserved; /* buying power held by pending opening orders */
  double realized, fees;
  uint64_t next_id;
  argo__broker_sink sink;
  char reason[256];
};

static const char *const REASON_NONE = "";

argo_err argo__broker_new(argo__broker **out, const argo__broker_cfg *cfg,
                          const char *const *symbols, size_t nsymbols,
                          const argo__broker_sink *sink) {
  *out = NULL;
  argo__broker *b = calloc(1, sizeof *b);
  if (!b) {
    return ARGO_ENOMEM;
  }
  b->cfg = *cfg;
  b->prefix = argo__strdup(cfg->id_prefix ? cfg->id_prefix : "order");
  b->strategy = argo__strdup(cfg->strategy_name ? cfg->strategy_name : "");
  b->syms = calloc(nsymbols ? nsymbols : 1, sizeof *b->syms);
  argo__map_init(&b->idx);
  if (!b->prefix || !b->strategy || !b->syms) {
    argo__broker_free(b);
    return ARGO_ENOMEM;
  }
  b->nsym = nsymbols;
  for (size_t i = 0; i < nsymbols; i++) {
    b->syms[i].symbol = symbols[i];
    argo__book_init(&b->syms[i].lng);
    argo__book_init(&b->syms[i].sht);
    if (argo__map_put(&b->idx, symbols[i], (void *)(uintptr_t)(i + 1)) != 0) {
      argo__broker_free(b);
      return ARGO_ENOMEM;
    }
  }
  b->cash = cfg->capital;
  b->sink = *sink;
  *out = b;
  return ARGO_OK;
}

void argo__broker_free(argo__broker *b) {
  if (!b) {
    return;
  }
  for (size_t i = 0; i < b->nsym; i++) {
    argo__book_free(&b->syms[i].lng);
    argo__book_free(&b->syms[i].sht);
    free(b->syms[i].pend);
  }
  free(b->syms);
  argo__map_free(&b->idx);
  free(b->prefix);
  free(b->strategy);
  free(b);
}

long argo__broker_symbol(const argo__broker *b, const char *symbol) {
  if (!symbol) {
    return -1;
  }
  void **v = argo__map_get(&b->idx, symbol);
  return v ? (long)(uintptr_t)*v - 1 : -1;
}

static double commission(const argo__broker *b, double qty, double px) {
  switch (b->cfg.commission) {
  case ARGO_COMMISSION_ZERO:
    return 0;
  case ARGO_COMMISSION_PERCENTAGE:
    return b->cfg.rate * fabs(qty) * fabs(px);
  case ARGO_COMMISSION_PER_SHARE: {
    double c = b->cfg.per_share * fabs(qty);
    return c > b->cfg.minimum ? c : b->cfg.minimum;
  }
  }
  return 0;
}

static int is_opening(const argo_order *o) {
  return (o->position_type == ARGO_POSITION_LONG) == (o->side == ARGO_SIDE_BUY);
}

static double short_collateral(const argo__broker *b) {
  double c = 0;
  for (size_t i = 0; i < b->nsym; i++) {
    c += 2 * b->syms[i].sht.cost;
  }
  return c;
}

static double buying_power(const argo__broker *b) {
  return b->cash - short_collateral(b) - b->reserved;
}

/* Executes o (of symbol s) at px on the candle at time t and reports the fill. */
static void fill(argo__broker *b, size_t sym, argo_order *o, double px, int64_t t) {
  bsym *s = &b->syms[sym];
  double qty = o->quantity;
  double fee = commission(b, qty, px);
  double pnl = 0;
  int is_short = o->position_type == ARGO_POSITION_SHORT;
  argo__book *book = is_short ? &s->sht : &s->lng;
  if (is_opening(o)) {
    if (argo__book_open(book, qty, px, fee, t) != 0) {
      /* Out of memory for a lot: the order cannot be booked. */
      o->status = ARGO_ORDER_FAILED;
      o->reason = "out of memory";
      b->sink.order(b->sink.user, sym, o, 0);
      return;
    }
    b->cash += is_short ? qty * px - fee : -(qty * px + fee);
  } else {
    if (argo__book_close(book, is_short, qty, px, fee, t, NULL, NULL, &pnl) != 0) {
      o->status = ARGO_ORDER_REJECTED;
      o->reason = "insufficient position";
      b->sink.order(b->sink.user, sym, o, 0);
      return;
    }
    b->cash += is_short ? -(qty * px + fee) : qty * px - fee;
  }
  s->realized += pnl;
  s->fees += fee;
  b->realized += pnl;
  b->fees += fee;
  o->status = ARGO_ORDER_FILLED;
  o->filled_qty = qty;
  argo_fill f;
  memset(&f, 0, sizeof f);
  memcpy(f.order_id, o->order_id, sizeof f.order_id);
  f.symbol = o->symbol;
  f.side = o->side;
  f.position_type = o->position_type;
  f.quantity = o->quantity;
  f.price = o->price;
  f.timestamp = o->timestamp;
  f.executed_at = t;
  f.executed_qty = qty;
  f.executed_price = px;
  f.commission = fee;
  f.pnl = pnl;
  b->sink.fill(b->sink.user, sym, o, &f);
}

static int reject(argo__broker *b, size_t sym, argo_order *o, char *err, size_t errlen,
                  const char *fmt, ...) ARGO_PRINTF(6, 7);

static int reject(argo__broker *b, size_t sym, argo_order *o, char *err, size_t errlen,
                  const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b->reason, sizeof b->reason, fmt, ap);
  va_end(ap);
  o->status = ARGO_ORDER_REJECTED;
  o->reason = b->reason;
  b->sink.order(b->sink.user, sym, o, 1);
  if (err && errlen) {
    argo__strlcpy(err, b->reason, errlen);
  }
  return ARGO_S_REJECTED;
}

int argo__broker_place(argo__broker *b, const argo_order_request *req, int64_t now, char *id_out,
                       char *err, size_t errlen) {
  if (!req || !req->symbol) {
    if (err && errlen) {
      argo__strlcpy(err, "no order or no symbol given", errlen);
    }
    return ARGO_S_EINVAL;
  }
  argo_order o;
  memset(&o, 0, sizeof o);
  uint64_t seq = ++b->next_id;
  snprintf(o.order_id, sizeof o.order_id, "%s-%llu", b->prefix, (unsigned long long)seq);
  if (id_out) {
    memcpy(id_out, o.order_id, ARGO_ID_MAX);
  }
  long sl = argo__broker_symbol(b, req->symbol);
  size_t sym = sl < 0 ? 0 : (size_t)sl;
  o.symbol = sl < 0 ? req->symbol : b->syms[sym].symbol;
  o.side = req->side == ARGO_SIDE_SELL ? ARGO_SIDE_SELL : ARGO_SIDE_BUY;
  o.type = req->type == ARGO_ORDER_LIMIT ? ARGO_ORDER_LIMIT : ARGO_ORDER_MARKET;
  o.position_type =
      req->position_type == ARGO_POSITION_SHORT ? ARGO_POSITION_SHORT : ARGO_POSITION_LONG;
  o.quantity = req->quantity;
  o.timestamp = now;
  o.status = ARGO_ORDER_PENDING;
  o.strategy_name = b->strategy;
  o.reason = REASON_NONE;
  bsym *s = sl < 0 ? NULL : &b->syms[sym];
  o.price = o.type == ARGO_ORDER_LIMIT ? req->limit_price : (s && s->has_last ? s->last : 0);

  if (sl < 0) {
    return reject(b, sym, &o, err, errlen, "unknown symbol '%s'", req->symbol);
  }
  if ((unsigned)req->side > ARGO_SIDE_SELL || (unsigned)req->type > ARGO_ORDER_LIMIT ||
      (unsigned)req->position_type > ARGO_POSITION_SHORT) {
    return reject(b, sym, &o, err, errlen, "invalid side, order type or position type");
  }
  if (!isfinite(req->quantity) || req->quantity <= 0) {
    return reject(b, sym, &o, err, errlen, "quantity must be a positive number, got %g",
                  req->quantity);
  }
  if (o.type == ARGO_ORDER_LIMIT && (!isfinite(req->limit_price) || req->limit_price <= 0)) {
    return reject(b, sym, &o, err, errlen, "limit price must be a positive number, got %g",
                  req->limit_price);
  }
  if (o.type == ARGO_ORDER_MARKET && !s->has_last) {
    return reject(b, sym, &o, err, errlen, "no price yet for %s", s->symbol);
  }
  int opening = is_opening(&o);
  double est_px = o.type == ARGO_ORDER_LIMIT ? req->limit_price : s->last;
  if (o.type == ARGO_ORDER_LIMIT && s->has_last) {
    /* A marketable limit order fills at once at the last close. */
    int marketable =
        o.side == ARGO_SIDE_BUY ? req->limit_price >= s->last : req->limit_price <= s->last;
    if (marketable) {
      est_px = s->last;
    }
  }
  double need = opening ? o.quantity * est_px + commission(b, o.quantity, est_px) : 0;
  if (opening) {
    double bp = buying_power(b);
    if (need > bp + 1e-9) {
      return reject(b, sym, &o, err, errlen,
                    "insufficient buying power: the order needs %.2f, %.2f is available", need, bp);
    }
  } else {
    argo__book *book = o.position_type == ARGO_POSITION_SHORT ? &s->sht : &s->lng;
    double held = o.position_type == ARGO_POSITION_SHORT ? s->held_short : s->held_long;
    double avail = book->qty - held;
    if (o.quantity > avail + ARGO_QTY_EPS) {
      return reject(
          b, sym, &o, err, errlen, "insufficient position: %s %g %s is more than the %g %s open%s",
          o.side == ARGO_SIDE_SELL ? "selling" : "buying back", o.quantity, s->symbol,
          avail > 0 ? avail : 0, o.position_type == ARGO_POSITION_SHORT ? "short" : "long",
          held > 0 ? " and not held by pending orders" : "");
    }
  }
  b->sink.order(b->sink.user, sym, &o, 1);
  int fill_now = o.type == ARGO_ORDER_MARKET ||
                 (s->has_last && (o.side == ARGO_SIDE_BUY ? req->limit_price >= s->last
                                                          : req->limit_price <= s->last));
  if (fill_now) {
    fill(b, sym, &o, s->last, now);
    return ARGO_S_OK;
  }
  if (argo__grow((void **)&s->pend, &s->cap, s->npend + 1, sizeof *s->pend) != 0) {
    o.status = ARGO_ORDER_FAILED;
    o.reason = "out of memory";
    b->sink.order(b->sink.user, sym, &o, 0);
    if (err && errlen) {
      argo__strlcpy(err, "out of memory", errlen);
    }
    return ARGO_S_ERROR;
  }
  pending *p = &s->pend[s->npend++];
  p->o = o;
  p->seq = seq;
  p->opening = opening;
  p->reserve_bp = opening ? need : 0;
  b->reserved += p->reserve_bp;
  if (!opening) {
    if (o.position_type == ARGO_POSITION_SHORT) {
      s->held_short += o.quantity;
    } else {
      s->held_long += o.quantity;
    }
  }
  return ARGO_S_OK;
}

/* Releases what a pending order holds (buying power or position). */
static void release(argo__broker *b, bsym *s, const pending *p) {
  b->reserved -= p->reserve_bp;
  if (b->reserved < 1e-9) {
    b->reserved = 0;
  }
  if (!p->opening) {
    double *held = p->o.position_type == ARGO_POSITION_SHORT ? &s->held_short : &s->held_long;
    *held -= p->o.quantity;
    if (*held < ARGO_QTY_EPS) {
      *held = 0;
    }
  }
}

void argo__broker_on_candle(argo__broker *b, size_t sym, const argo_candle *c) {
  bsym *s = &b->syms[sym];
  s->last = c->close;
  s->has_last = 1;
  if (s->npend == 0) {
    return;
  }
  size_t k = 0;
  for (size_t i = 0; i < s->npend; i++) {
    pending p = s->pend[i];
    double limit = p.o.price;
    int cross = p.o.side == ARGO_SIDE_BUY ? c->low <= limit : c->high >= limit;
    if (!cross) {
      s->pend[k++] = p;
      continue;
    }
    double px = p.o.side == ARGO_SIDE_BUY ? (c->open < limit ? c->open : limit)
                                          : (c->open > limit ? c->open : limit);
    release(b, s, &p);
    p.o.reason = REASON_NONE;
    fill(b, sym, &p.o, px, c->time);
  }
  s->npend = k;
}

static int find_pending(const argo__broker *b, const char *id, size_t *sym, size_t *i) {
  for (size_t k = 0; k < b->nsym; k++) {
    for (size_t j = 0; j < b->syms[k].npend; j++) {
      if (strcmp(b->syms[k].pend[j].o.order_id, id) == 0) {
        *sym = k;
        *i = j;
        return 1;
      }
    }
  }
  return 0;
}

static void cancel_at(argo__broker *b, size_t sym, size_t i, const char *why) {
  bsym *s = &b->syms[sym];
  pending p = s->pend[i];
  memmove(&s->pend[i], &s->pend[i + 1], (s->npend - i - 1) * sizeof *s->pend);
  s->npend--;
  release(b, s, &p);
  p.o.status = ARGO_ORDER_CANCELLED;
  p.o.reason = why;
  b->sink.order(b->sink.user, sym, &p.o, 0);
}

int argo__broker_cancel(argo__broker *b, const char *order_id, char *err, size_t errlen) {
  size_t sym, i;
  if (!order_id || !find_pending(b, order_id, &sym, &i)) {
    if (err && errlen) {
      argo__fmt(err, errlen, "no pending order '%s'", order_id ? order_id : "");
    }
    return ARGO_S_NOTFOUND;
  }
  cancel_at(b, sym, i, "cancelled by the strategy");
  return ARGO_S_OK;
}

int argo__broker_cancel_all(argo__broker *b, const char *symbol) {
  int n = 0;
  for (size_t k = 0; k < b->nsym; k++) {
    if (symbol && strcmp(symbol, b->syms[k].symbol) != 0) {
      continue;
    }
    while (b->syms[k].npend) {
      cancel_at(b, k, 0, "cancelled by the strategy");
      n++;
    }
  }
  return n;
}

static void position_of(const bsym *s, argo_position *out) {
  memset(out, 0, sizeof *out);
  out->symbol = s->symbol;
  out->long_qty = s->lng.qty;
  out->long_avg_price = argo__book_avg_price(&s->lng);
  out->short_qty = s->sht.qty;
  out->short_avg_price = argo__book_avg_price(&s->sht);
  out->realized_pnl = s->realized;
  if (s->has_last) {
    out->unrealized_pnl =
        argo__book_unrealized(&s->lng, 0, s->last) + argo__book_unrealized(&s->sht, 1, s->last);
  }
  out->fees = s->fees;
  out->last_price = s->has_last ? s->last : 0;
}

int argo__broker_position(const argo__broker *b, const char *symbol, argo_position *out) {
  long k = argo__broker_symbol(b, symbol);
  if (k < 0) {
    return ARGO_S_NOTFOUND;
  }
  position_of(&b->syms[k], out);
  return ARGO_S_OK;
}

size_t argo__broker_positions(const argo__broker *b, argo_position *out, size_t cap) {
  for (size_t k = 0; k < b->nsym && k < cap; k++) {
    position_of(&b->syms[k], &out[k]);
  }
  return b->nsym;
}

void argo__broker_account(const argo__broker *b, argo_account *out) {
  memset(out, 0, sizeof *out);
  double value = 0, unreal = 0;
  for (size_t k = 0; k < b->nsym; k++) {
    const bsym *s = &b->syms[k];
    double px_long = s->has_last ? s->last : argo__book_avg_price(&s->lng);
    double px_short = s->has_last ? s->last : argo__book_avg_price(&s->sht);
    value += s->lng.qty * px_long - s->sht.qty * px_short;
    if (s->has_last) {
      unreal +=
          argo__book_unrealized(&s->lng, 0, s->last) + argo__book_unrealized(&s->sht, 1, s->last);
    }
  }
  out->balance = b->cash;
  out->equity = b->cash + value;
  out->buying_power = buying_power(b);
  out->realized_pnl = b->realized;
  out->unrealized_pnl = unreal;
  out->total_fees = b->fees;
}

static int by_seq(const void *a, const void *b) {
  const pending *x = *(const pending *const *)a, *y = *(const pending *const *)b;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t argo__broker_open_orders(const argo__broker *b, argo_order *out, size_t cap) {
  size_t total = 0;
  for (size_t k = 0; k < b->nsym; k++) {
    total += b->syms[k].npend;
  }
  if (total == 0 || cap == 0) {
    return total;
  }
  const pending **all = malloc(total * sizeof *all);
  if (!all) {
    return total;
  }
  size_t n = 0;
  for (size_t k = 0; k < b->nsym; k++) {
    for (size_t j = 0; j < b->syms[k].npend; j++) {
      all[n++] = &b->syms[k].pend[j];
    }
  }
  qsort(all, n, sizeof *all, by_seq);
  for (size_t i = 0; i < n && i < cap; i++) {
    out[i] = all[i]->o;
  }
  free(all);
  return total;
}
