/*
 * The order ledger; see ledger.h. Open orders are few (a strategy's resting orders), so they
 * are kept in one array, oldest first, and found by a linear search; filled, cancelled and
 * rejected orders are reported and forgotten, so memory does not grow with the session.
 */
#include "brokers/ledger.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fifo.h"
#include "util/misc.h"

typedef struct lsym {
  const char *symbol;
  argo__book lng, sht;
  double last;
  double realized, fees;
} lsym;

typedef struct lorder {
  argo_order o;
  size_t sym;
} lorder;

struct argo__ledger {
  lsym *syms;
  size_t nsym;
  argo__map idx; /* symbol -> index + 1 */
  char *prefix, *strategy;
  uint64_t next_id;
  lorder *open; /* oldest first */
  size_t nopen, cap;
  double cash;
  argo__broker_sink sink;
  char reason[256]; /* of the order being reported; the sink copies it */
  char cprefix[16]; /* client order ids are cprefix + the order id ("": none) */
  char cid[96];     /* the client order id of the order being reported */
};

/* The client order id of order id, or NULL when the broker has none. */
static const char *client_id(argo__ledger *l, const char *id) {
  if (!l->cprefix[0]) {
    return NULL;
  }
  snprintf(l->cid, sizeof l->cid, "%s%s", l->cprefix, id);
  return l->cid;
}

void argo__ledger_set_client_prefix(argo__ledger *l, const char *prefix) {
  argo__strlcpy(l->cprefix, prefix ? prefix : "", sizeof l->cprefix);
}

static const char NO_REASON[] = "";

void argo__ledger_free(argo__ledger *l) {
  if (!l) {
    return;
  }
  for (size_t i = 0; i < l->nsym; i++) {
    argo__book_free(&l->syms[i].lng);
    argo__book_free(&l->syms[i].sht);
  }
  free(l->syms);
  argo__map_free(&l->idx);
  free(l->prefix);
  free(l->strategy);
  free(l->open);
  free(l);
}

argo_err argo__ledger_new(argo__ledger **out, const char *const *symbols, size_t nsymbols,
                          const char *id_prefix, const char *strategy,
                          const argo__broker_sink *sink, double capital) {
  *out = NULL;
  argo__ledger *l = calloc(1, sizeof *l);
  if (!l) {
    return ARGO_ENOMEM;
  }
  argo__map_init(&l->idx);
  l->syms = calloc(nsymbols ? nsymbols : 1, sizeof *l->syms);
  l->prefix = argo__strdup(id_prefix ? id_prefix : "order");
  l->strategy = argo__strdup(strategy ? strategy : "");
  if (!l->syms || !l->prefix || !l->strategy) {
    argo__ledger_free(l);
    return ARGO_ENOMEM;
  }
  l->nsym = nsymbols;
  for (size_t i = 0; i < nsymbols; i++) {
    l->syms[i].symbol = symbols[i];
    argo__book_init(&l->syms[i].lng);
    argo__book_init(&l->syms[i].sht);
    if (argo__map_put(&l->idx, symbols[i], (void *)(uintptr_t)(i + 1)) != 0) {
      argo__ledger_free(l);
      return ARGO_ENOMEM;
    }
  }
  l->sink = *sink;
  l->cash = capital;
  *out = l;
  return ARGO_OK;
}

long argo__ledger_symbol(const argo__ledger *l, const char *symbol) {
  if (!symbol) {
    return -1;
  }
  void **v = argo__map_get(&l->idx, symbol);
  return v ? (long)(uintptr_t)*v - 1 : -1;
}

size_t argo__ledger_nsymbols(const argo__ledger *l) {
  return l->nsym;
}

const char *argo__ledger_symbol_name(const argo__ledger *l, size_t k) {
  return l->syms[k].symbol;
}

void argo__ledger_set_price(argo__ledger *l, size_t sym, double close) {
  l->syms[sym].last = close;
}

double argo__ledger_price(const argo__ledger *l, size_t sym) {
  return l->syms[sym].last;
}

long argo__ledger_draft(argo__ledger *l, const argo_order_request *req, int64_t now, argo_order *o,
                        char *why, size_t whylen) {
  memset(o, 0, sizeof *o);
  snprintf(o->order_id, sizeof o->order_id, "%s-%llu", l->prefix, (unsigned long long)++l->next_id);
  long sym = argo__ledger_symbol(l, req->symbol);
  o->symbol = sym < 0 ? req->symbol : l->syms[sym].symbol;
  o->side = req->side == ARGO_SIDE_SELL ? ARGO_SIDE_SELL : ARGO_SIDE_BUY;
  o->type = req->type == ARGO_ORDER_LIMIT ? ARGO_ORDER_LIMIT : ARGO_ORDER_MARKET;
  o->position_type =
      req->position_type == ARGO_POSITION_SHORT ? ARGO_POSITION_SHORT : ARGO_POSITION_LONG;
  o->quantity = req->quantity;
  o->price = o->type == ARGO_ORDER_LIMIT ? req->limit_price : (sym < 0 ? 0 : l->syms[sym].last);
  o->timestamp = now;
  o->status = ARGO_ORDER_PENDING;
  o->strategy_name = l->strategy;
  o->reason = NO_REASON;
  if (sym < 0) {
    argo__fmt(why, whylen, "unknown symbol '%s'", req->symbol);
  } else if ((unsigned)req->side > ARGO_SIDE_SELL || (unsigned)req->type > ARGO_ORDER_LIMIT ||
             (unsigned)req->position_type > ARGO_POSITION_SHORT) {
    argo__fmt(why, whylen, "invalid side, order type or position type (%d, %d, %d)", (int)req->side,
              (int)req->type, (int)req->position_type);
  } else if (!isfinite(req->quantity) || req->quantity <= 0) {
    argo__fmt(why, whylen, "quantity must be a positive number, got %g", req->quantity);
  } else if (o->type == ARGO_ORDER_LIMIT &&
             (!isfinite(req->limit_price) || req->limit_price <= 0)) {
    argo__fmt(why, whylen, "limit price must be a positive number, got %g", req->limit_price);
  } else {
    return sym;
  }
  return -1;
}

int argo__ledger_reject(argo__ledger *l, long sym, argo_order *o, const char *why, char *err,
                        size_t errlen) {
  argo__strlcpy(l->reason, why, sizeof l->reason);
  o->status = ARGO_ORDER_REJECTED;
  o->reason = l->reason;
  l->sink.order(l->sink.user, sym < 0 ? 0 : (size_t)sym, o, 1, client_id(l, o->order_id));
  if (err && errlen) {
    argo__strlcpy(err, l->reason, errlen);
  }
  return ARGO_S_REJECTED;
}

int argo__ledger_open(argo__ledger *l, size_t sym, const argo_order *o, char *err, size_t errlen) {
  if (argo__grow((void **)&l->open, &l->cap, l->nopen + 1, sizeof *l->open) != 0) {
    argo_order r = *o;
    return argo__ledger_reject(l, (long)sym, &r, "out of memory", err, errlen);
  }
  lorder *e = &l->open[l->nopen++];
  e->o = *o;
  e->o.reason = NO_REASON;
  e->sym = sym;
  l->sink.order(l->sink.user, sym, &e->o, 1, client_id(l, e->o.order_id));
  return ARGO_S_OK;
}

int argo__ledger_adopt(argo__ledger *l, size_t sym, const argo_order *o) {
  if (argo__grow((void **)&l->open, &l->cap, l->nopen + 1, sizeof *l->open) != 0) {
    return ARGO_S_REJECTED;
  }
  lorder *e = &l->open[l->nopen++];
  e->o = *o;
  e->o.symbol = l->syms[sym].symbol;
  e->o.strategy_name = l->strategy;
  e->o.status = ARGO_ORDER_PENDING;
  e->o.reason = NO_REASON;
  e->sym = sym;
  l->sink.order(l->sink.user, sym, &e->o, 1, client_id(l, e->o.order_id));
  return ARGO_S_OK;
}

static lorder *find(const argo__ledger *l, const char *id) {
  for (size_t i = 0; id && i < l->nopen; i++) {
    if (strcmp(l->open[i].o.order_id, id) == 0) {
      return &l->open[i];
    }
  }
  return NULL;
}

const argo_order *argo__ledger_find(const argo__ledger *l, const char *id) {
  lorder *e = find(l, id);
  return e ? &e->o : NULL;
}

size_t argo__ledger_open_orders(const argo__ledger *l, argo_order *out, size_t cap) {
  for (size_t i = 0; i < l->nopen && i < cap; i++) {
    out[i] = l->open[i].o;
  }
  return l->nopen;
}

size_t argo__ledger_open_ids(const argo__ledger *l, const char *symbol, char (*ids)[ARGO_ID_MAX],
                             size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < l->nopen; i++) {
    if (symbol && strcmp(symbol, l->open[i].o.symbol) != 0) {
      continue;
    }
    if (n < cap) {
      memcpy(ids[n], l->open[i].o.order_id, ARGO_ID_MAX);
    }
    n++;
  }
  return n;
}

/* Takes e out of the open orders (keeping the others' order); returns its copy. */
static lorder take(argo__ledger *l, lorder *e) {
  lorder copy = *e;
  size_t i = (size_t)(e - l->open);
  memmove(&l->open[i], &l->open[i + 1], (l->nopen - i - 1) * sizeof *l->open);
  l->nopen--;
  return copy;
}

static int is_opening(const argo_order *o) {
  return (o->position_type == ARGO_POSITION_LONG) == (o->side == ARGO_SIDE_BUY);
}

/* Books qty at price into the books of e's symbol; the realized pnl into *pnl. */
static int book(argo__ledger *l, const lorder *e, double qty, double price, double fee,
                int64_t time, double *pnl) {
  lsym *s = &l->syms[e->sym];
  int is_short = e->o.position_type == ARGO_POSITION_SHORT;
  argo__book *b = is_short ? &s->sht : &s->lng;
  *pnl = 0;
  if (is_opening(&e->o)) {
    if (argo__book_open(b, qty, price, fee, time) != 0) {
      return -1;
    }
    l->cash += is_short ? qty * price - fee : -(qty * price + fee);
  } else {
    double excess = qty - b->qty;
    if (excess > ARGO_QTY_EPS && argo__book_open(b, excess, price, 0, time) != 0) {
      return -1;
    }
    if (argo__book_close(b, is_short, qty, price, fee, time, NULL, NULL, pnl) != 0) {
      return -1;
    }
    l->cash += is_short ? -(qty * price + fee) : qty * price - fee;
  }
  s->realized += *pnl;
  s->fees += fee;
  return 0;
}

int argo__ledger_fill(argo__ledger *l, const char *id, double qty, double price, double commission,
                      int64_t time, const argo__fill_extra *x, char *why, size_t whylen) {
  lorder *e = find(l, id);
  if (!e) {
    argo__fmt(why, whylen, "a fill of '%s', which is not an open order", id ? id : "(null)");
    return -1;
  }
  if (!(qty > 0) || !isfinite(qty) || !(price > 0) || !isfinite(price) || !isfinite(commission) ||
      commission < 0) {
    argo__fmt(why, whylen, "a fill of order %s with quantity %g, price %g, commission %g",
              e->o.order_id, qty, price, commission);
    return -1;
  }
  double left = e->o.quantity - e->o.filled_qty;
  if (qty > left + ARGO_QTY_EPS * (1 + e->o.quantity)) {
    argo__fmt(why, whylen, "a fill of %g of order %s, which has only %g left to fill", qty,
              e->o.order_id, left);
    return -1;
  }
  double pnl;
  if (book(l, e, qty, price, commission, time, &pnl) != 0) {
    argo__fmt(why, whylen, "out of memory booking a fill of order %s", e->o.order_id);
    return -1;
  }
  e->o.filled_qty += qty;
  int done = e->o.filled_qty >= e->o.quantity - ARGO_QTY_EPS * (1 + e->o.quantity);
  lorder cur = done ? take(l, e) : *e;
  if (done) {
    cur.o.status = ARGO_ORDER_FILLED;
    cur.o.filled_qty = cur.o.quantity;
  }
  argo_fill f;
  memset(&f, 0, sizeof f);
  memcpy(f.order_id, cur.o.order_id, sizeof f.order_id);
  f.symbol = cur.o.symbol;
  f.side = cur.o.side;
  f.position_type = cur.o.position_type;
  f.quantity = cur.o.quantity;
  f.price = cur.o.price;
  f.timestamp = cur.o.timestamp;
  f.executed_at = time;
  f.executed_qty = qty;
  f.executed_price = price;
  f.commission = commission;
  f.pnl = pnl;
  argo__fill_extra fx = {NULL, NULL, NULL};
  if (x) {
    fx = *x;
  }
  fx.client_id = client_id(l, cur.o.order_id);
  l->sink.fill(l->sink.user, cur.sym, &cur.o, &f, &fx);
  return 0;
}

int argo__ledger_end(argo__ledger *l, const char *id, argo_order_status status,
                     const char *reason) {
  lorder *e = find(l, id);
  if (!e) {
    return -1;
  }
  lorder cur = take(l, e);
  argo__strlcpy(l->reason, reason ? reason : "", sizeof l->reason);
  cur.o.status = status;
  cur.o.reason = l->reason;
  l->sink.order(l->sink.user, cur.sym, &cur.o, 0, client_id(l, cur.o.order_id));
  return 0;
}

void argo__ledger_position(const argo__ledger *l, size_t sym, argo_position *out) {
  const lsym *s = &l->syms[sym];
  memset(out, 0, sizeof *out);
  out->symbol = s->symbol;
  out->long_qty = s->lng.qty;
  out->long_avg_price = argo__book_avg_price(&s->lng);
  out->short_qty = s->sht.qty;
  out->short_avg_price = argo__book_avg_price(&s->sht);
  out->realized_pnl = s->realized;
  if (s->last > 0) {
    out->unrealized_pnl =
        argo__book_unrealized(&s->lng, 0, s->last) + argo__book_unrealized(&s->sht, 1, s->last);
  }
  out->fees = s->fees;
  out->last_price = s->last;
}

void argo__ledger_totals(const argo__ledger *l, double *realized, double *fees) {
  *realized = *fees = 0;
  for (size_t k = 0; k < l->nsym; k++) {
    *realized += l->syms[k].realized;
    *fees += l->syms[k].fees;
  }
}

void argo__ledger_account(const argo__ledger *l, argo_account *out) {
  memset(out, 0, sizeof *out);
  double value = 0, unreal = 0, reserved = 0;
  for (size_t k = 0; k < l->nsym; k++) {
    const lsym *s = &l->syms[k];
    if (s->last > 0) {
      value += (s->lng.qty - s->sht.qty) * s->last;
      unreal +=
          argo__book_unrealized(&s->lng, 0, s->last) + argo__book_unrealized(&s->sht, 1, s->last);
    } else {
      value += s->lng.cost - s->sht.cost;
    }
  }
  /* Open buying orders hold what they may cost. */
  for (size_t i = 0; i < l->nopen; i++) {
    const argo_order *o = &l->open[i].o;
    if (is_opening(o)) {
      reserved += (o->quantity - o->filled_qty) * o->price;
    }
  }
  out->balance = l->cash;
  out->equity = l->cash + value;
  out->buying_power = l->cash - reserved;
  argo__ledger_totals(l, &out->realized_pnl, &out->total_fees);
  out->unrealized_pnl = unreal;
}

void argo__ledger_seed_cash(argo__ledger *l, double cash) {
  l->cash = cash;
}

argo_err argo__ledger_seed_position(argo__ledger *l, size_t sym, int is_short, double qty,
                                    double price, int64_t time) {
  if (sym >= l->nsym || !(qty > 0) || !(price > 0)) {
    return ARGO_EINVAL;
  }
  lsym *s = &l->syms[sym];
  return argo__book_open(is_short ? &s->sht : &s->lng, qty, price, 0, time) ? ARGO_ENOMEM : ARGO_OK;
}
