/*
 * Paper broker: a simulated account that fills orders on the engine's candles; see paper.h
 * for the fill rules and docs/broker.md for examples. It owns the cash, the FIFO books of every
 * symbol and the pending orders, and reports every order change and fill through the sink; it
 * knows nothing of files or callbacks and depends only on fifo and util.
 *
 * Only pending orders stay in memory (filled, cancelled and rejected ones are reported and
 * forgotten), so memory does not grow with the session. Each symbol keeps its own pending
 * orders, oldest first, so a candle costs O(pending orders of its symbol): a store of the last
 * price and one comparison when there are none.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokers/paper.h"
#include "core/fifo.h"
#include "util/misc.h"
#include "util/util.h"

typedef struct pending {
  argo_order o;
  uint64_t seq;      /* order number (the n of the id), increasing: oldest first */
  int opening;       /* opens or adds to a position (else it reduces one) */
  double reserve_bp; /* buying power held while pending (opening orders only) */
} pending;

typedef struct bsym {
  const char *symbol;
  argo__book lng, sht;
  double last; /* last close */
  int has_last;
  double realized, fees;
  double held_long, held_short; /* position quantity held by pending reducing orders */
  pending *pend;                /* oldest first */
  size_t npend, cap;
} bsym;

typedef struct paper {
  argo__broker base; /* first: the broker interface reaches the paper broker through it */
  argo__paper_cfg cfg;
  char *prefix;
  char *strategy;
  bsym *syms;
  size_t nsym;
  argo__map idx; /* symbol -> index + 1 */
  double cash;
  double reserved; /* buying power held by pending opening orders */
  double realized, fees;
  size_t npending; /* over all symbols */
  int shorted;     /* a short position was ever opened: some sht.cost may be non-zero */
  uint64_t next_id;
  argo__broker_sink sink;
  char reason[256]; /* of the order being rejected; the sink copies it */
} paper;

static const char REASON_NONE[] = "";
static const char REASON_CANCELLED[] = "cancelled by the strategy";

static void p_free(argo__broker *base) {
  paper *b = (paper *)base;
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

long argo__paper_symbol(const argo__broker *base, const char *symbol) {
  const paper *b = (const paper *)base;
  if (!symbol) {
    return -1;
  }
  void **v = argo__map_get(&b->idx, symbol);
  return v ? (long)(uintptr_t)*v - 1 : -1;
}

static double commission(const paper *b, double qty, double px) {
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

static double buying_power(const paper *b) {
  /* A short position holds twice its entry value: the proceeds (already in cash) and as much
   * again as margin. O(symbols) once a short was opened (every opening order asks: at 100
   * symbols that loop was a fifth of placing one); before that every short book is empty and
   * the sum is 0, exactly what the loop would give. */
  double collateral = 0;
  for (size_t i = 0; b->shorted && i < b->nsym; i++) {
    collateral += 2 * b->syms[i].sht.cost;
  }
  return b->cash - collateral - b->reserved;
}

/* Executes o (of symbol sym, already out of the pending list) at px on the candle at time t
 * and reports the fill. */
static void execute(paper *b, size_t sym, argo_order *o, double px, int64_t t) {
  bsym *s = &b->syms[sym];
  double qty = o->quantity;
  double fee = commission(b, qty, px);
  double pnl = 0;
  int is_short = o->position_type == ARGO_POSITION_SHORT;
  argo__book *book = is_short ? &s->sht : &s->lng;
  if (is_opening(o)) {
    b->shorted |= is_short;
    if (argo__book_open(book, qty, px, fee, t) != 0) {
      /* No memory for one more lot: the order cannot be booked, and saying so beats a fill
       * that the books do not hold. */
      o->status = ARGO_ORDER_FAILED;
      o->reason = "out of memory";
      b->sink.order(b->sink.user, sym, o, 0, NULL);
      return;
    }
    b->cash += is_short ? qty * px - fee : -(qty * px + fee);
  } else {
    if (argo__book_close(book, is_short, qty, px, fee, t, NULL, NULL, &pnl) != 0) {
      /* Cannot happen while pending reducing orders hold their quantity; kept as a guard so
       * that the books never go negative. */
      o->status = ARGO_ORDER_REJECTED;
      o->reason = "insufficient position";
      b->sink.order(b->sink.user, sym, o, 0, NULL);
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
  o->reason = REASON_NONE;
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
  b->sink.fill(b->sink.user, sym, o, &f, NULL);
}

static int reject(paper *b, size_t sym, argo_order *o, char *err, size_t errlen, const char *fmt,
                  ...) ARGO_PRINTF(6, 7);

static int reject(paper *b, size_t sym, argo_order *o, char *err, size_t errlen, const char *fmt,
                  ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b->reason, sizeof b->reason, fmt, ap);
  va_end(ap);
  o->status = ARGO_ORDER_REJECTED;
  o->reason = b->reason;
  b->sink.order(b->sink.user, sym, o, 1, NULL);
  if (err && errlen) {
    argo__strlcpy(err, b->reason, errlen);
  }
  return ARGO_S_REJECTED;
}

static double *held_of(bsym *s, argo_position_type pt) {
  return pt == ARGO_POSITION_SHORT ? &s->held_short : &s->held_long;
}

/* Releases what a pending order held (buying power or position). When nothing is pending any
 * more the running sums are reset, so that rounding cannot accumulate over a session. */
static void release(paper *b, bsym *s, const pending *p) {
  b->npending--;
  s->npend--;
  b->reserved = b->npending ? b->reserved - p->reserve_bp : 0;
  if (!p->opening) {
    double *held = held_of(s, p->o.position_type);
    *held -= p->o.quantity;
    if (*held < ARGO_QTY_EPS) {
      *held = 0;
    }
  }
  if (s->npend == 0) {
    s->held_long = s->held_short = 0;
  }
}

/* Takes the i-th pending order of s out of the list (keeping the order of the others) and
 * releases what it held. */
static pending take(paper *b, bsym *s, size_t i) {
  pending p = s->pend[i];
  memmove(&s->pend[i], &s->pend[i + 1], (s->npend - i - 1) * sizeof *s->pend);
  release(b, s, &p);
  return p;
}

static int p_place(argo__broker *base, const argo_order_request *req, int64_t now, char *id_out,
                   char *err, size_t errlen) {
  paper *b = (paper *)base;
  if (!req || !req->symbol) {
    if (err && errlen) {
      argo__strlcpy(err, req ? "the order has no symbol" : "no order given", errlen);
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
  long sl = argo__paper_symbol(&b->base, req->symbol);
  /* An unknown symbol has no index: its rejection goes to the sink under index 0, and only
   * o->symbol names it (broker.h does not say yet what sym should be then). */
  size_t sym = sl < 0 ? 0 : (size_t)sl;
  bsym *s = sl < 0 ? NULL : &b->syms[sym];
  o.symbol = s ? s->symbol : req->symbol;
  o.side = req->side == ARGO_SIDE_SELL ? ARGO_SIDE_SELL : ARGO_SIDE_BUY;
  o.type = req->type == ARGO_ORDER_LIMIT ? ARGO_ORDER_LIMIT : ARGO_ORDER_MARKET;
  o.position_type =
      req->position_type == ARGO_POSITION_SHORT ? ARGO_POSITION_SHORT : ARGO_POSITION_LONG;
  o.quantity = req->quantity;
  o.price = o.type == ARGO_ORDER_LIMIT ? req->limit_price : (s && s->has_last ? s->last : 0);
  o.timestamp = now;
  o.status = ARGO_ORDER_PENDING;
  o.strategy_name = b->strategy;
  o.reason = REASON_NONE;

  if (!s) {
    return reject(b, sym, &o, err, errlen, "unknown symbol '%s'", req->symbol);
  }
  if ((unsigned)req->side > ARGO_SIDE_SELL || (unsigned)req->type > ARGO_ORDER_LIMIT ||
      (unsigned)req->position_type > ARGO_POSITION_SHORT) {
    return reject(b, sym, &o, err, errlen, "invalid side, order type or position type (%d, %d, %d)",
                  (int)req->side, (int)req->type, (int)req->position_type);
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
  /* Market orders and marketable limit orders fill at once at the last close. */
  int fill_now =
      o.type == ARGO_ORDER_MARKET ||
      (s->has_last && (o.side == ARGO_SIDE_BUY ? o.price >= s->last : o.price <= s->last));
  double px = fill_now ? s->last : o.price;
  int opening = is_opening(&o);
  double need = 0;
  if (opening) {
    need = o.quantity * px + commission(b, o.quantity, px);
    double bp = buying_power(b);
    if (need > bp + 1e-9) {
      return reject(b, sym, &o, err, errlen,
                    "insufficient buying power: the order needs %.2f, %.2f is available", need, bp);
    }
  } else {
    argo__book *book = o.position_type == ARGO_POSITION_SHORT ? &s->sht : &s->lng;
    double held = *held_of(s, o.position_type);
    double avail = book->qty - held;
    if (o.quantity > avail + ARGO_QTY_EPS) {
      return reject(
          b, sym, &o, err, errlen, "insufficient position: %s %g %s but only %g %s is open%s",
          o.side == ARGO_SIDE_SELL ? "selling" : "buying back", o.quantity, s->symbol,
          avail > 0 ? avail : 0, o.position_type == ARGO_POSITION_SHORT ? "short" : "long",
          held > 0 ? " and not held by pending orders" : "");
    }
  }
  /* Room for the pending order is made before anything is reported, so that a failure is a
   * plain rejection rather than a pending order that then vanishes. */
  if (!fill_now && argo__grow((void **)&s->pend, &s->cap, s->npend + 1, sizeof *s->pend) != 0) {
    return reject(b, sym, &o, err, errlen, "out of memory");
  }
  b->sink.order(b->sink.user, sym, &o, 1, NULL);
  if (fill_now) {
    execute(b, sym, &o, px, now);
    return ARGO_S_OK;
  }
  pending *p = &s->pend[s->npend++];
  b->npending++;
  p->o = o;
  p->seq = seq;
  p->opening = opening;
  p->reserve_bp = need;
  b->reserved += need;
  if (!opening) {
    *held_of(s, o.position_type) += o.quantity;
  }
  return ARGO_S_OK;
}

/* Index of the first pending order of s with a sequence number above seq. */
static size_t first_after(const bsym *s, uint64_t seq) {
  size_t lo = 0, hi = s->npend;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->pend[mid].seq <= seq) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

static void p_on_candle(argo__broker *base, size_t sym, const argo_candle *c) {
  paper *b = (paper *)base;
  bsym *s = &b->syms[sym];
  s->last = c->close;
  s->has_last = 1;
  if (ARGO_LIKELY(s->npend == 0)) {
    return;
  }
  /* Orders placed from inside a sink call (during this loop) came after this candle closed:
   * they must wait for the next one. */
  uint64_t newest = b->next_id;
  size_t i = 0;
  while (i < s->npend) {
    const pending *q = &s->pend[i];
    if (q->seq > newest) {
      break;
    }
    /* An order placed at this candle's time (from another symbol's candle of the same time)
     * was placed after this candle closed: it waits for the next one. */
    if (q->o.timestamp >= c->time) {
      i++;
      continue;
    }
    double limit = q->o.price;
    int buy = q->o.side == ARGO_SIDE_BUY;
    if (buy ? !(c->low <= limit) : !(c->high >= limit)) {
      i++;
      continue;
    }
    /* A candle that opens through the limit fills at the open, the better price. */
    double px = buy ? (c->open < limit ? c->open : limit) : (c->open > limit ? c->open : limit);
    pending p = take(b, s, i);
    /* The books and the pending list are consistent before the sink runs, so a sink that
     * calls back into the broker sees the truth. */
    execute(b, sym, &p.o, px, c->time);
    i = first_after(s, p.seq);
  }
}

static int find_pending(const paper *b, const char *id, size_t *sym, size_t *i) {
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

static void cancel_at(paper *b, size_t sym, size_t i) {
  pending p = take(b, &b->syms[sym], i);
  p.o.status = ARGO_ORDER_CANCELLED;
  p.o.reason = REASON_CANCELLED;
  b->sink.order(b->sink.user, sym, &p.o, 0, NULL);
}

static int p_cancel(argo__broker *base, const char *order_id, char *err, size_t errlen) {
  paper *b = (paper *)base;
  size_t sym, i;
  if (!order_id || !find_pending(b, order_id, &sym, &i)) {
    if (err && errlen) {
      argo__fmt(err, errlen, "no pending order '%s'", order_id ? order_id : "(null)");
    }
    return ARGO_S_NOTFOUND;
  }
  cancel_at(b, sym, i);
  return ARGO_S_OK;
}

static int p_cancel_all(argo__broker *base, const char *symbol) {
  paper *b = (paper *)base;
  int n = 0;
  for (size_t k = 0; k < b->nsym; k++) {
    if (symbol && strcmp(symbol, b->syms[k].symbol) != 0) {
      continue;
    }
    /* Newest first, so that no order moves in memory. */
    while (b->syms[k].npend) {
      cancel_at(b, k, b->syms[k].npend - 1);
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

static int p_position(const argo__broker *base, const char *symbol, argo_position *out) {
  const paper *b = (const paper *)base;
  long k = argo__paper_symbol(&b->base, symbol);
  if (k < 0) {
    return ARGO_S_NOTFOUND;
  }
  position_of(&b->syms[k], out);
  return ARGO_S_OK;
}

static size_t p_positions(const argo__broker *base, argo_position *out, size_t cap) {
  const paper *b = (const paper *)base;
  for (size_t k = 0; k < b->nsym && k < cap; k++) {
    position_of(&b->syms[k], &out[k]);
  }
  return b->nsym;
}

static void p_account(const argo__broker *base, argo_account *out) {
  const paper *b = (const paper *)base;
  memset(out, 0, sizeof *out);
  double value = 0, unreal = 0;
  for (size_t k = 0; k < b->nsym; k++) {
    const bsym *s = &b->syms[k];
    if (!s->has_last) {
      /* Nothing can be open without a price (every fill needs one): value at cost. */
      value += s->lng.cost - s->sht.cost;
      continue;
    }
    value += (s->lng.qty - s->sht.qty) * s->last;
    unreal +=
        argo__book_unrealized(&s->lng, 0, s->last) + argo__book_unrealized(&s->sht, 1, s->last);
  }
  out->balance = b->cash;
  out->equity = b->cash + value;
  out->buying_power = buying_power(b);
  out->realized_pnl = b->realized;
  out->unrealized_pnl = unreal;
  out->total_fees = b->fees;
}

static double p_cash(const argo__broker *base) {
  return ((const paper *)base)->cash;
}

static size_t p_open_orders(const argo__broker *base, argo_order *out, size_t cap) {
  const paper *b = (const paper *)base;
  /* Each symbol's list is oldest first: merge them by sequence number, without allocating
   * (symbols are few; each pick is O(symbols x log pending)). */
  uint64_t after = 0;
  size_t n = 0;
  for (; n < cap && n < b->npending; n++) {
    const pending *best = NULL;
    for (size_t k = 0; k < b->nsym; k++) {
      const bsym *s = &b->syms[k];
      size_t i = first_after(s, after);
      if (i < s->npend && (!best || s->pend[i].seq < best->seq)) {
        best = &s->pend[i];
      }
    }
    if (!best) {
      break;
    }
    out[n] = best->o;
    after = best->seq;
  }
  return b->npending;
}

static void p_seed_cash(argo__broker *base, double cash) {
  paper *b = (paper *)base;
  b->cash = cash;
}

static argo_err p_seed_position(argo__broker *base, size_t sym, int is_short, double qty,
                                double price, int64_t time) {
  paper *b = (paper *)base;
  if (sym >= b->nsym || !(qty > 0) || !(price > 0)) {
    return ARGO_EINVAL;
  }
  bsym *s = &b->syms[sym];
  b->shorted |= is_short;
  return argo__book_open(is_short ? &s->sht : &s->lng, qty, price, 0, time) ? ARGO_ENOMEM : ARGO_OK;
}

static const argo__broker_ops paper_ops = {
    .free = p_free,
    .on_candle = p_on_candle,
    .place = p_place,
    .cancel = p_cancel,
    .cancel_all = p_cancel_all,
    .position = p_position,
    .positions = p_positions,
    .account = p_account,
    .open_orders = p_open_orders,
    .seed_cash = p_seed_cash,
    .seed_position = p_seed_position,
    .cash = p_cash,
    /* Books change only in execute (which reports the fill) and p_seed_position. */
    .positions_follow_fills = 1,
};

argo_err argo__paper_new(argo__broker **out, const argo__paper_cfg *cfg, const char *const *symbols,
                         size_t nsymbols, const argo__broker_sink *sink) {
  argo_err rc = ARGO_ENOMEM;
  *out = NULL;
  if (!cfg || !sink || !sink->order || !sink->fill || (nsymbols && !symbols)) {
    return ARGO_EINVAL;
  }
  paper *b = calloc(1, sizeof *b);
  if (!b) {
    return ARGO_ENOMEM;
  }
  b->base.ops = &paper_ops;
  argo__map_init(&b->idx);
  b->cfg = *cfg;
  b->prefix = argo__strdup(cfg->id_prefix ? cfg->id_prefix : "order");
  b->strategy = argo__strdup(cfg->strategy_name ? cfg->strategy_name : "");
  b->syms = calloc(nsymbols ? nsymbols : 1, sizeof *b->syms);
  if (!b->prefix || !b->strategy || !b->syms) {
    goto fail;
  }
  /* The config's strings are borrowed only for this call. */
  b->cfg.id_prefix = b->prefix;
  b->cfg.strategy_name = b->strategy;
  b->nsym = nsymbols;
  for (size_t i = 0; i < nsymbols; i++) {
    b->syms[i].symbol = symbols[i];
    argo__book_init(&b->syms[i].lng);
    argo__book_init(&b->syms[i].sht);
    if (argo__map_put(&b->idx, symbols[i], (void *)(uintptr_t)(i + 1)) != 0) {
      goto fail;
    }
  }
  b->cash = cfg->capital;
  b->sink = *sink;
  *out = &b->base;
  return ARGO_OK;
fail:
  p_free(&b->base);
  return rc;
}
