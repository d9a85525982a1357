/*
 * The Binance spot broker, its engine-thread side (binance.h; the threads are binance_worker.c
 * and binance_stream.c, the internal contract binance_int.h). The rules:
 *
 * - An order is checked here before anything is sent: a known symbol and sane numbers (the
 *   ledger), no SHORT (spot has no borrowing), the exchange's filters (quantity rounded down
 *   to the step, a limit price rounded toward the side's safety, or refused naming the filter:
 *   binance_filters.h), and the balance it needs (a BUY's notional in the quote asset, a SELL's
 *   quantity in the base asset, both less what orders not yet at the exchange hold). A refusal
 *   is a REJECTED row.
 * - An accepted order is recorded PENDING with its client order id fixed ("argo-" + its id),
 *   and leaves only once that row is durable (the journal fsynced), at the next poll: orders
 *   placed in one strategy call share one fsync.
 * - What the exchange says comes back as events: the placement's answer, executionReports on
 *   the user data stream, and the worker's lookups. Each TRADE is one fill (one trades row,
 *   with the exchange's trade id and commission asset), recorded once whatever way it came
 *   (trade ids are remembered per open order). The commission is converted to the quote asset
 *   for pnl: as is when paid in the quote asset, at the fill's price when paid in the base
 *   asset, at the last price of <asset><quote> when that is a session symbol, else counted as 0
 *   and reported once (docs/brokers.md).
 * - Positions are the exchange's balances of each symbol's base asset; the account's cash is
 *   the first symbol's quote asset. Realized pnl and average prices come from the ledger's FIFO
 *   books; holdings the session did not buy are taken over at the price of the fill that sells
 *   them.
 * - When the user data stream comes back after a drop, every open order is checked with the
 *   exchange (its status and trades) and the account read again, so nothing that happened
 *   meanwhile is missed.
 */
#include "brokers/binance.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "brokers/binance_errors.h"
#include "brokers/binance_filters.h"
#include "brokers/binance_int.h"
#include "brokers/binance_rest.h"
#include "brokers/ledger.h"
#include "util/mask.h"
#include "util/misc.h"
#include "util/strbuf.h"
#include "util/timeu.h"

#define CLIENT_PREFIX "argo-"
/* How long a subscription to the user data stream may take at start. */
#define STREAM_WAIT_US 15000000
/* At the session's end, how long the answers to requests in flight are awaited at most. */
#define FINAL_WAIT_CAP_US 30000000
/* A cancelled or expired order whose fills are not all in is checked this often at most. */
#define MAX_CHECKS 3

typedef enum ord_state { ORD_QUEUED = 0, ORD_SENT = 1, ORD_ACKED = 2 } ord_state;

/* What the broker keeps of an open order beside the ledger's. */
typedef struct bn_ord {
  char id[ARGO_ID_MAX];
  char cid[BN_CLIENT_ID_MAX];
  size_t sym;
  ord_state state;
  int64_t xid;
  int64_t *trades; /* trade ids recorded */
  size_t ntrades, tcap;
  double hold_quote, hold_base; /* what it holds until the exchange has it */
  int cancel_asked;
  int checks;
  int prior;  /* left open by an earlier session */
  bn_job job; /* the placement, until it is handed to the worker */
} bn_ord;

typedef struct bnb {
  argo__broker base; /* first: the broker interface reaches this struct through it */
  argo__ledger *l;
  argo__broker_sink sink;
  size_t nsym;
  argo__bn_symbol *info; /* per session symbol */
  argo__bn_keys *keys;
  bn_clock clock;
  bn_queue q;
  int q_ready;
  bn_worker *worker;
  bn_stream *stream;
  bn_rate_limits limits; /* exchangeInfo's, kept by the worker */
  bn_balance *bal;
  size_t nbal, bal_cap;
  bn_ord *ords;
  size_t nords, ords_cap;
  size_t nqueued; /* orders waiting for their row to be durable */
  char quote[BN_ASSET_MAX];
  int64_t final_wait_us;
  int64_t now;       /* the session clock at the last candle or placement */
  argo__prior prior; /* the orders earlier sessions left open, until the first poll adopts them */
  int cancel_prior;  /* trading.binance.open_orders_at_start: cancel */
  int resolving;     /* the prior orders were asked about at catch_up */
  struct held *held; /* what catch_up learnt, in the order it is reported */
  size_t nheld;
  char warned[256]; /* assets whose fees could not be converted, reported once */
} bnb;

/* ---- small helpers --------------------------------------------------------------------- */

static void report(bnb *b, int fatal, const char *fmt, ...) ARGO_PRINTF(3, 4);
static void report(bnb *b, int fatal, const char *fmt, ...) {
  char msg[ARGO_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  argo__bn_redact(b->keys, msg);
  b->sink.error(b->sink.user, ARGO_EBROKER, msg, fatal);
}

static bn_balance *balance(const bnb *b, const char *asset) {
  for (size_t i = 0; i < b->nbal; i++) {
    if (strcmp(b->bal[i].asset, asset) == 0) {
      return &b->bal[i];
    }
  }
  return NULL;
}

static double free_of(const bnb *b, const char *asset) {
  const bn_balance *x = balance(b, asset);
  return x ? x->free : 0;
}

static double total_of(const bnb *b, const char *asset) {
  const bn_balance *x = balance(b, asset);
  return x ? x->free + x->locked : 0;
}

static int set_balance(bnb *b, const bn_balance *v) {
  bn_balance *x = balance(b, v->asset);
  if (!x) {
    if (argo__grow((void **)&b->bal, &b->bal_cap, b->nbal + 1, sizeof *b->bal) != 0) {
      return -1;
    }
    x = &b->bal[b->nbal++];
  }
  *x = *v;
  return 0;
}

static bn_ord *ord_by_id(const bnb *b, const char *id) {
  for (size_t i = 0; id && i < b->nords; i++) {
    if (strcmp(b->ords[i].id, id) == 0) {
      return &b->ords[i];
    }
  }
  return NULL;
}

static bn_ord *ord_by_cid(const bnb *b, const char *cid) {
  size_t pl = sizeof CLIENT_PREFIX - 1;
  return strncmp(cid, CLIENT_PREFIX, pl) == 0 ? ord_by_id(b, cid + pl) : NULL;
}

static void ord_remove(bnb *b, bn_ord *o) {
  free(o->trades);
  size_t i = (size_t)(o - b->ords);
  memmove(&b->ords[i], &b->ords[i + 1], (b->nords - i - 1) * sizeof *b->ords);
  b->nords--;
}

/* Forgets o once the ledger has ended it. */
static void ord_settle(bnb *b, bn_ord *o) {
  if (!argo__ledger_find(b->l, o->id)) {
    ord_remove(b, o);
  }
}

/* What orders not yet at the exchange hold of the quote asset and of symbol sym's base. */
static double held_quote(const bnb *b) {
  double h = 0;
  for (size_t i = 0; i < b->nords; i++) {
    if (b->ords[i].state != ORD_ACKED) {
      h += b->ords[i].hold_quote;
    }
  }
  return h;
}

static double held_base(const bnb *b, const char *base) {
  double h = 0;
  for (size_t i = 0; i < b->nords; i++) {
    if (b->ords[i].state != ORD_ACKED && strcmp(b->info[b->ords[i].sym].base, base) == 0) {
      h += b->ords[i].hold_base;
    }
  }
  return h;
}

/* ---- placing -------------------------------------------------------------------------- */

static int reject(bnb *b, long sym, argo_order *o, const char *why, char *err, size_t errlen) {
  return argo__ledger_reject(b->l, sym, o, why, err, errlen);
}

/* The exchange's checks, before sending: filters and balances. 0, or -1 with why. */
static int pre_check(bnb *b, size_t sym, argo_order *o, double *hold_quote, double *hold_base,
                     char *why, size_t whylen) {
  const argo__bn_symbol *s = &b->info[sym];
  double last = argo__ledger_price(b->l, sym);
  argo__bn_order chk;
  argo__bn_side side = o->side == ARGO_SIDE_SELL ? ARGO_BN_SELL : ARGO_BN_BUY;
  argo__bn_type type = o->type == ARGO_ORDER_LIMIT ? ARGO_BN_LIMIT : ARGO_BN_MARKET;
  if (argo__bn_check_order(s, side, type, o->quantity, o->price, last, &chk, why, whylen) !=
      ARGO_OK) {
    return -1;
  }
  o->quantity = chk.quantity;
  if (o->type == ARGO_ORDER_LIMIT) {
    o->price = chk.price;
  }
  *hold_quote = *hold_base = 0;
  if (o->side == ARGO_SIDE_BUY) {
    double px = o->type == ARGO_ORDER_LIMIT ? o->price : last;
    double avail = free_of(b, s->quote) - held_quote(b);
    *hold_quote = o->quantity * px;
    if (px > 0 && *hold_quote > avail + 1e-9) {
      argo__fmt(why, whylen, "insufficient balance: the order needs %.8g %s, %.8g is free",
                *hold_quote, s->quote, avail > 0 ? avail : 0);
      return -1;
    }
  } else {
    double avail = free_of(b, s->base) - held_base(b, s->base);
    *hold_base = o->quantity;
    if (o->quantity > avail + 1e-12) {
      argo__fmt(why, whylen, "insufficient balance: selling %.8g %s, %.8g is free", o->quantity,
                s->base, avail > 0 ? avail : 0);
      return -1;
    }
  }
  return 0;
}

static int b_place(argo__broker *base, const argo_order_request *req, int64_t now, char *id_out,
                   char *err, size_t errlen) {
  bnb *b = (bnb *)base;
  if (!req || !req->symbol) {
    argo__strlcpy(err, req ? "the order has no symbol" : "no order given", errlen);
    return ARGO_S_EINVAL;
  }
  b->now = now;
  argo_order o;
  char why[320];
  long sym = argo__ledger_draft(b->l, req, now, &o, why, sizeof why);
  if (id_out) {
    memcpy(id_out, o.order_id, ARGO_ID_MAX);
  }
  if (sym < 0) {
    return reject(b, sym, &o, why, err, errlen);
  }
  if (o.position_type == ARGO_POSITION_SHORT) {
    return reject(b, sym, &o,
                  "Binance spot has no short positions (nothing can be borrowed): sell what is "
                  "held with position_type LONG",
                  err, errlen);
  }
  double hq, hb;
  if (pre_check(b, (size_t)sym, &o, &hq, &hb, why, sizeof why) != 0) {
    return reject(b, sym, &o, why, err, errlen);
  }
  if (argo__grow((void **)&b->ords, &b->ords_cap, b->nords + 1, sizeof *b->ords) != 0) {
    return reject(b, sym, &o, "out of memory", err, errlen);
  }
  int rc = argo__ledger_open(b->l, (size_t)sym, &o, err, errlen);
  if (rc != ARGO_S_OK) {
    return rc;
  }
  bn_ord *x = &b->ords[b->nords++];
  memset(x, 0, sizeof *x);
  argo__strlcpy(x->id, o.order_id, sizeof x->id);
  snprintf(x->cid, sizeof x->cid, CLIENT_PREFIX "%s", o.order_id);
  x->sym = (size_t)sym;
  x->state = ORD_QUEUED;
  x->hold_quote = hq;
  x->hold_base = hb;
  bn_job *j = &x->job;
  j->kind = BN_JOB_PLACE;
  argo__strlcpy(j->client_id, x->cid, sizeof j->client_id);
  argo__strlcpy(j->symbol, b->info[sym].name, sizeof j->symbol);
  j->side = o.side == ARGO_SIDE_SELL ? "SELL" : "BUY";
  j->type = o.type == ARGO_ORDER_LIMIT ? "LIMIT" : "MARKET";
  const argo__bn_symbol *s = &b->info[sym];
  double qstep = s->lot.step_size;
  if (o.type == ARGO_ORDER_MARKET && s->market_lot.present && s->market_lot.step_size > 0) {
    qstep = s->market_lot.step_size;
  }
  if (argo__bn_fmt_decimal(o.quantity, qstep, j->quantity, sizeof j->quantity) != ARGO_OK ||
      (o.type == ARGO_ORDER_LIMIT &&
       argo__bn_fmt_decimal(o.price, s->price.tick_size, j->price, sizeof j->price) != ARGO_OK)) {
    argo__ledger_end(b->l, x->id, ARGO_ORDER_REJECTED, "the quantity or price cannot be written");
    ord_remove(b, x);
    argo__strlcpy(err, "the quantity or price cannot be written", errlen);
    return ARGO_S_REJECTED;
  }
  b->nqueued++;
  return ARGO_S_OK;
}

/* Hands the queued orders to the worker once their rows are durable. */
static void send_queued(bnb *b) {
  if (!b->nqueued) {
    return;
  }
  int durable = b->sink.durable(b->sink.user) == 0;
  for (size_t i = 0; i < b->nords;) {
    bn_ord *o = &b->ords[i];
    if (o->state != ORD_QUEUED) {
      i++;
      continue;
    }
    if (durable && argo__bn_worker_push(b->worker, &o->job) == 0) {
      o->state = ORD_SENT;
      i++;
      continue;
    }
    argo__ledger_end(b->l, o->id, ARGO_ORDER_FAILED,
                     durable ? "not sent: out of memory"
                             : "not sent: the journal could not make the order durable");
    ord_remove(b, o);
  }
  b->nqueued = 0;
}

static void push_job(bnb *b, bn_job_kind kind, const bn_ord *o) {
  bn_job j;
  memset(&j, 0, sizeof j);
  j.kind = kind;
  if (o) {
    argo__strlcpy(j.client_id, o->cid, sizeof j.client_id);
    argo__strlcpy(j.symbol, b->info[o->sym].name, sizeof j.symbol);
  }
  if (argo__bn_worker_push(b->worker, &j) != 0) {
    report(b, 0, "binance: out of memory queueing a request");
  }
}

static int b_cancel(argo__broker *base, const char *order_id, char *err, size_t errlen) {
  bnb *b = (bnb *)base;
  bn_ord *o = ord_by_id(b, order_id);
  if (!o || !argo__ledger_find(b->l, order_id)) {
    argo__fmt(err, errlen, "no pending order '%s'", order_id ? order_id : "(null)");
    return ARGO_S_NOTFOUND;
  }
  if (o->state == ORD_QUEUED) {
    /* Never sent: cancelled here. */
    b->nqueued--;
    argo__ledger_end(b->l, o->id, ARGO_ORDER_CANCELLED,
                     "cancelled by the strategy before it was sent");
    ord_remove(b, o);
    return ARGO_S_OK;
  }
  if (o->cancel_asked) {
    return ARGO_S_OK;
  }
  o->cancel_asked = 1;
  push_job(b, BN_JOB_CANCEL, o);
  return ARGO_S_OK;
}

static int b_cancel_all(argo__broker *base, const char *symbol) {
  bnb *b = (bnb *)base;
  size_t n = argo__ledger_open_ids(b->l, symbol, NULL, 0);
  char(*ids)[ARGO_ID_MAX] = n ? calloc(n, ARGO_ID_MAX) : NULL;
  if (!ids) {
    return 0;
  }
  argo__ledger_open_ids(b->l, symbol, ids, n);
  int asked = 0;
  for (size_t i = 0; i < n; i++) {
    char err[256];
    asked += b_cancel(base, ids[i], err, sizeof err) == ARGO_S_OK;
  }
  free(ids);
  return asked;
}

/* ---- what the exchange says ------------------------------------------------------------- */

/* The commission of a fill of symbol sym in its quote asset (see the top of the file). */
static double fee_in_quote(bnb *b, const bn_ord *o, const bn_ev *ev) {
  const argo__bn_symbol *s = &b->info[o->sym];
  if (ev->commission == 0 || !ev->commission_asset[0] ||
      strcmp(ev->commission_asset, s->quote) == 0) {
    return ev->commission;
  }
  if (strcmp(ev->commission_asset, s->base) == 0) {
    return ev->commission * ev->last_price;
  }
  for (size_t k = 0; k < b->nsym; k++) {
    double px = argo__ledger_price(b->l, k);
    if (px > 0 && strcmp(b->info[k].base, ev->commission_asset) == 0 &&
        strcmp(b->info[k].quote, s->quote) == 0) {
      return ev->commission * px;
    }
  }
  char tag[BN_ASSET_MAX + 2];
  snprintf(tag, sizeof tag, "|%s|", ev->commission_asset);
  if (!strstr(b->warned, tag) && strlen(b->warned) + strlen(tag) < sizeof b->warned) {
    strcat(b->warned, tag);
    report(b, 0,
           "binance: commissions paid in %s (order %s: %.8g %s) are recorded in "
           "trades.commission_asset but count as 0 in pnl: %s%s is not a session symbol with a "
           "price to convert them",
           ev->commission_asset, o->id, ev->commission, ev->commission_asset, ev->commission_asset,
           s->quote);
  }
  return 0;
}

static void on_trade(bnb *b, bn_ord *o, const bn_ev *ev) {
  for (size_t i = 0; i < o->ntrades; i++) {
    if (o->trades[i] == ev->trade_id) {
      return; /* already recorded (the stream and a lookup both said it) */
    }
  }
  if (argo__grow((void **)&o->trades, &o->tcap, o->ntrades + 1, sizeof *o->trades) != 0) {
    report(b, 0, "binance: out of memory recording a fill of order %s", o->id);
    return;
  }
  o->trades[o->ntrades++] = ev->trade_id;
  char tid[32];
  snprintf(tid, sizeof tid, "%lld", (long long)ev->trade_id);
  argo__fill_extra x = {ev->commission_asset, tid, NULL};
  char why[320];
  if (argo__ledger_fill(b->l, o->id, ev->last_qty, ev->last_price, fee_in_quote(b, o, ev),
                        ev->time_us ? ev->time_us : b->now, &x, why, sizeof why) != 0) {
    report(b, 0, "binance: trade %s of order %s cannot be booked: %s", tid, o->id, why);
  }
}

/* The order is over at the exchange (cancelled, expired, rejected): ended in the ledger once
 * its fills are all in (else they are asked for first). */
static void on_end(bnb *b, bn_ord *o, const bn_ev *ev, argo_order_status status,
                   const char *reason) {
  const argo_order *lo = argo__ledger_find(b->l, o->id);
  if (!lo) {
    return;
  }
  if (ev->cum_qty > lo->filled_qty + 1e-12 && o->checks < MAX_CHECKS) {
    o->checks++;
    push_job(b, BN_JOB_CHECK, o);
    return;
  }
  argo__ledger_end(b->l, o->id, status, reason);
}

static void on_exec(bnb *b, const bn_ev *ev) {
  bn_ord *o = ord_by_cid(b, ev->client_id);
  if (!o) {
    return; /* not an order of this session's, or one already ended */
  }
  if (ev->order_id > 0) {
    o->xid = ev->order_id;
    o->state = ORD_ACKED;
  }
  const char *x = ev->exec_type, *st = ev->status;
  char reason[480];
  if (strcmp(x, "TRADE") == 0) {
    on_trade(b, o, ev);
  } else if (strcmp(x, "REJECTED") == 0 || strcmp(st, "REJECTED") == 0) {
    snprintf(reason, sizeof reason, "rejected by the exchange: %s",
             ev->reason[0] ? ev->reason : "no reason given");
    on_end(b, o, ev, ARGO_ORDER_REJECTED, reason);
  } else if (strcmp(x, "CANCELED") == 0 || strcmp(st, "CANCELED") == 0) {
    on_end(b, o, ev, ARGO_ORDER_CANCELLED,
           o->cancel_asked == 2 ? "cancelled at start (trading.binance.open_orders_at_start: "
                                  "cancel)"
           : o->cancel_asked    ? "cancelled by the strategy"
                                : "cancelled on the exchange");
  } else if (strcmp(x, "EXPIRED") == 0 || strcmp(x, "TRADE_PREVENTION") == 0 ||
             strncmp(st, "EXPIRED", 7) == 0) {
    snprintf(reason, sizeof reason, "expired: ended by the exchange (%s)", st[0] ? st : x);
    on_end(b, o, ev, ARGO_ORDER_CANCELLED, reason);
  } else if (o->prior && b->cancel_prior && !o->cancel_asked &&
             (strcmp(st, "NEW") == 0 || strcmp(st, "PARTIALLY_FILLED") == 0)) {
    o->cancel_asked = 2; /* by the setting, not by the strategy */
    push_job(b, BN_JOB_CANCEL, o);
  } else if (strcmp(st, "FILLED") == 0 || strcmp(st, "PARTIALLY_FILLED") == 0) {
    /* Fills the stream has not brought (yet): asked for when the exchange counts more. */
    const argo_order *lo = argo__ledger_find(b->l, o->id);
    if (lo && ev->cum_qty > lo->filled_qty + 1e-12 && strcmp(x, "NEW") != 0 &&
        o->checks < MAX_CHECKS) {
      o->checks++;
      push_job(b, BN_JOB_CHECK, o);
    }
  }
  ord_settle(b, o);
}

static void on_balances(bnb *b, const bn_ev *ev) {
  if (ev->full) {
    b->nbal = 0;
  }
  for (size_t i = 0; i < ev->nbal; i++) {
    if (set_balance(b, &ev->bal[i]) != 0) {
      report(b, 0, "binance: out of memory keeping the balances");
      return;
    }
  }
}

static void on_event(bnb *b, const bn_ev *ev) {
  bn_ord *o;
  switch (ev->kind) {
  case BN_EV_EXEC:
    on_exec(b, ev);
    break;
  case BN_EV_NOT_PLACED:
    if ((o = ord_by_cid(b, ev->client_id)) != NULL) {
      argo__ledger_end(b->l, o->id, ARGO_ORDER_REJECTED, ev->reason);
      ord_remove(b, o);
    }
    break;
  case BN_EV_BALANCES:
    on_balances(b, ev);
    break;
  case BN_EV_ERROR:
    report(b, ev->fatal, "%s", ev->reason);
    break;
  case BN_EV_STREAM_UP:
    /* What happened while the stream was down is asked for. An order sent but not known yet
     * is being looked up already; asking the exchange about it could only find nothing. */
    for (size_t i = 0; i < b->nords; i++) {
      if (b->ords[i].state == ORD_ACKED) {
        push_job(b, BN_JOB_CHECK, &b->ords[i]);
      }
    }
    push_job(b, BN_JOB_ACCOUNT, NULL);
    break;
  case BN_EV_CANCEL_REFUSED:
    if ((o = ord_by_cid(b, ev->client_id)) != NULL) {
      o->cancel_asked = 0;
      report(b, 0, "binance: the cancel of order %s was refused: %s", o->id, ev->reason);
      push_job(b, BN_JOB_CHECK, o);
    }
    break;
  }
}

static void drain_events(bnb *b) {
  bn_ev ev;
  while (argo__bnq_pop(&b->q, &ev)) {
    on_event(b, &ev);
    free(ev.bal);
  }
}

/* ---- catching up: what the exchange did while no session ran ----------------------------- */

/* An event catch_up took from the queue, with when the change it reports happened (at: 0 for
 * events that change nothing of the record's, reported first) and its place in the queue. */
typedef struct held {
  bn_ev ev;
  int64_t at;
  size_t seq;
} held;

static int held_cmp(const void *pa, const void *pb) {
  const held *a = pa, *b = pb;
  if (a->at != b->at) {
    return a->at < b->at ? -1 : 1;
  }
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int ending_status(const char *st) {
  return strcmp(st, "FILLED") == 0 || strcmp(st, "CANCELED") == 0 || strcmp(st, "REJECTED") == 0 ||
         strncmp(st, "EXPIRED", 7) == 0;
}

/* When the change ev reports happened, for an earlier session's order p: a fill not recorded
 * yet at its trade's time, an order ended at the exchange's update time; 0 for what the record
 * holds already (a recorded fill, an order still open). */
static int64_t change_time(const argo__prior_order *p, const bn_ev *ev) {
  if (ev->kind != BN_EV_EXEC) {
    return 0;
  }
  if (strcmp(ev->exec_type, "TRADE") == 0) {
    for (size_t i = 0; i < p->ntrades; i++) {
      if (p->trades[i] == ev->trade_id) {
        return 0;
      }
    }
    return ev->time_us;
  }
  return ending_status(ev->status) ? ev->time_us : 0;
}

/* Asks about every order earlier sessions left open, waits for the answers (the broker's final
 * wait at most) and holds them: a change is reported after every earlier change of its order,
 * and changes of different orders in the order they happened. */
static int64_t b_catch_up(argo__broker *base) {
  bnb *b = (bnb *)base;
  if (!b->prior.n || b->resolving) {
    return 0;
  }
  b->resolving = 1;
  for (size_t i = 0; i < b->prior.n; i++) {
    bn_job j;
    memset(&j, 0, sizeof j);
    j.kind = BN_JOB_RESOLVE;
    argo__strlcpy(j.client_id, b->prior.v[i].client_id, sizeof j.client_id);
    argo__strlcpy(j.symbol, b->prior.v[i].symbol, sizeof j.symbol);
    if (argo__bn_worker_push(b->worker, &j) != 0) {
      b->resolving = 0; /* asked at the first poll instead */
      return 0;
    }
  }
  int done = argo__bn_worker_drain(b->worker, b->final_wait_us);
  int64_t *last = calloc(b->prior.n, sizeof *last);
  size_t cap = 0;
  int64_t first = 0;
  bn_ev ev;
  /* Out of memory, what is left stays in the queue: reported at the first poll as it comes. */
  while (last && argo__grow((void **)&b->held, &cap, b->nheld + 1, sizeof *b->held) == 0 &&
         argo__bnq_pop(&b->q, &ev)) {
    held *h = &b->held[b->nheld];
    h->ev = ev;
    h->seq = b->nheld++;
    h->at = 0;
    for (size_t k = 0; k < b->prior.n && ev.kind == BN_EV_EXEC; k++) {
      if (strcmp(b->prior.v[k].client_id, ev.client_id) == 0) {
        int64_t t = change_time(&b->prior.v[k], &ev);
        if (t > 0 && (first == 0 || t < first)) {
          first = t;
        }
        last[k] = h->at = t > last[k] ? t : last[k];
        break;
      }
    }
  }
  free(last);
  qsort(b->held, b->nheld, sizeof *b->held, held_cmp);
  if (!done) {
    report(b, 0,
           "binance: the exchange had not answered about every order left open by an earlier "
           "session after %.0f s; what it says later is recorded when it comes, in the day it "
           "comes",
           (double)b->final_wait_us / 1e6);
  }
  return first;
}

/* What catch_up held, reported now (the session's first day exists), oldest first. */
static void report_held(bnb *b) {
  for (size_t i = 0; i < b->nheld; i++) {
    held *h = &b->held[i];
    if (h->at > 0 && b->sink.happened_at) {
      b->sink.happened_at(b->sink.user, h->at);
    }
    on_event(b, &h->ev);
    free(h->ev.bal);
  }
  free(b->held);
  b->held = NULL;
  b->nheld = 0;
}

/* The orders earlier sessions left open: held again (a row in this session's record) and
 * asked about (unless catch_up did); the answers come as events like any order's. */
static void adopt_prior(bnb *b) {
  for (size_t i = 0; i < b->prior.n; i++) {
    argo__prior_order *p = &b->prior.v[i];
    long sym = argo__ledger_symbol(b->l, p->symbol);
    if (argo__grow((void **)&b->ords, &b->ords_cap, b->nords + 1, sizeof *b->ords) != 0 ||
        argo__ledger_adopt(b->l, (size_t)sym, &p->o) != ARGO_S_OK) {
      report(b, 0, "binance: out of memory taking over order %s", p->o.order_id);
      continue;
    }
    bn_ord *x = &b->ords[b->nords++];
    memset(x, 0, sizeof *x);
    argo__strlcpy(x->id, p->o.order_id, sizeof x->id);
    argo__strlcpy(x->cid, p->client_id, sizeof x->cid);
    x->sym = (size_t)sym;
    x->state = ORD_SENT; /* acknowledged once the exchange is found to know it */
    x->prior = 1;
    x->trades = p->trades; /* taken over: already recorded, never twice */
    x->ntrades = x->tcap = p->ntrades;
    p->trades = NULL;
    if (!b->resolving) {
      push_job(b, BN_JOB_RESOLVE, x);
    }
  }
  argo__prior_free(&b->prior);
  report_held(b);
}

static void b_poll(argo__broker *base, int final) {
  bnb *b = (bnb *)base;
  if (b->prior.n) {
    adopt_prior(b);
  }
  send_queued(b);
  drain_events(b);
  if (!final) {
    return;
  }
  /* The session ends: the answers to what is in flight; then every order still open is asked
   * about once more, so that fills whose events had not come on the stream yet (or that the
   * stream missed) are recorded before the final statistics; then what those answers asked. */
  argo__bn_worker_drain(b->worker, b->final_wait_us);
  drain_events(b);
  for (size_t i = 0; i < b->nords; i++) {
    if (b->ords[i].state == ORD_ACKED) {
      push_job(b, BN_JOB_CHECK, &b->ords[i]);
    }
  }
  for (int round = 0; round < 2; round++) {
    argo__bn_worker_drain(b->worker, b->final_wait_us);
    drain_events(b);
  }
}

/* ---- the account ------------------------------------------------------------------------ */

static void b_on_candle(argo__broker *base, size_t sym, const argo_candle *c) {
  bnb *b = (bnb *)base;
  argo__ledger_set_price(b->l, sym, c->close);
  b->now = c->time;
}

static void position_of(const bnb *b, size_t sym, argo_position *out) {
  argo__ledger_position(b->l, sym, out);
  double last = argo__ledger_price(b->l, sym);
  double qty = total_of(b, b->info[sym].base);
  double avg = out->long_qty > 0 ? out->long_avg_price : last;
  out->long_qty = qty;
  out->long_avg_price = qty > 0 ? avg : 0;
  out->short_qty = out->short_avg_price = 0;
  out->unrealized_pnl = last > 0 && qty > 0 ? qty * (last - avg) : 0;
}

static int b_position(const argo__broker *base, const char *symbol, argo_position *out) {
  const bnb *b = (const bnb *)base;
  long sym = argo__ledger_symbol(b->l, symbol);
  if (sym < 0) {
    return ARGO_S_NOTFOUND;
  }
  position_of(b, (size_t)sym, out);
  return ARGO_S_OK;
}

static size_t b_positions(const argo__broker *base, argo_position *out, size_t cap) {
  const bnb *b = (const bnb *)base;
  for (size_t k = 0; k < b->nsym && k < cap; k++) {
    position_of(b, k, &out[k]);
  }
  return b->nsym;
}

static void b_account(const argo__broker *base, argo_account *out) {
  const bnb *b = (const bnb *)base;
  memset(out, 0, sizeof *out);
  double value = 0, unreal = 0;
  for (size_t k = 0; k < b->nsym; k++) {
    int seen = 0; /* a base asset of two symbols is counted once */
    for (size_t m = 0; m < k; m++) {
      seen |= strcmp(b->info[m].base, b->info[k].base) == 0;
    }
    argo_position p;
    position_of(b, k, &p);
    if (!seen) {
      value += p.long_qty * p.last_price;
      unreal += p.unrealized_pnl;
    }
  }
  out->balance = total_of(b, b->quote);
  out->equity = out->balance + value;
  out->buying_power = free_of(b, b->quote) - held_quote(b);
  argo__ledger_totals(b->l, &out->realized_pnl, &out->total_fees);
  out->unrealized_pnl = unreal;
}

static size_t b_open_orders(const argo__broker *base, argo_order *out, size_t cap) {
  return argo__ledger_open_orders(((const bnb *)base)->l, out, cap);
}

static void b_seed_cash(argo__broker *base, double cash) {
  (void)base;
  (void)cash; /* the exchange's balances are the cash */
}

static argo_err b_seed_position(argo__broker *base, size_t sym, int is_short, double qty,
                                double price, int64_t time) {
  return argo__ledger_seed_position(((bnb *)base)->l, sym, is_short, qty, price, time);
}

static void b_free(argo__broker *base) {
  bnb *b = (bnb *)base;
  if (!b) {
    return;
  }
  argo__bn_stream_stop(b->stream);
  argo__bn_worker_stop(b->worker);
  if (b->q_ready) {
    bn_ev ev;
    while (argo__bnq_pop(&b->q, &ev)) {
      free(ev.bal);
    }
    argo__bnq_deinit(&b->q);
  }
  for (size_t i = 0; i < b->nords; i++) {
    free(b->ords[i].trades);
  }
  free(b->ords);
  for (size_t i = 0; i < b->nheld; i++) {
    free(b->held[i].ev.bal);
  }
  free(b->held);
  argo__prior_free(&b->prior);
  free(b->bal);
  free(b->info);
  argo__ledger_free(b->l);
  argo__bn_keys_free(b->keys);
  free(b);
}

static const argo__broker_ops binance_ops = {
    .free = b_free,
    .on_candle = b_on_candle,
    .place = b_place,
    .cancel = b_cancel,
    .cancel_all = b_cancel_all,
    .position = b_position,
    .positions = b_positions,
    .account = b_account,
    .open_orders = b_open_orders,
    .seed_cash = b_seed_cash,
    .seed_position = b_seed_position,
    .poll = b_poll,
    .catch_up = b_catch_up,
};

/* ---- opening ----------------------------------------------------------------------------- */

int argo__bn_url_is_test(const char *url) {
  static const char *const hosts[] = {"testnet.binance.vision",
                                      "ws-api.testnet.binance.vision",
                                      "stream.testnet.binance.vision",
                                      "127.0.0.1",
                                      "[::1]",
                                      "localhost"};
  const char *h = url ? strstr(url, "://") : NULL;
  if (!h) {
    return 0;
  }
  h += 3;
  size_t hl = strcspn(h, ":/?#");
  if (h[0] == '[') {
    hl = strcspn(h, "]") + 1;
  }
  for (size_t i = 0; i < ARGO_ARRAY_LEN(hosts); i++) {
    if (hl == strlen(hosts[i]) && strncasecmp(h, hosts[i], hl) == 0) {
      return 1;
    }
  }
  return 0;
}

static argo_err check_urls(const argo__settings *s, char *err, size_t errlen) {
  char u[512];
  if (!s->bn_live) {
    const char *live = !argo__bn_url_is_test(s->bn_rest_url)     ? s->bn_rest_url
                       : !argo__bn_url_is_test(s->bn_ws_api_url) ? s->bn_ws_api_url
                                                                 : NULL;
    if (live) {
      argo__fmt(err, errlen,
                "trading.binance: '%s' is not Binance's testnet: trading real money needs "
                "trading.binance.live: true (docs/brokers.md, live trading)",
                argo__mask_urls(live, u, sizeof u));
      return ARGO_ECONFIG;
    }
    return ARGO_OK;
  }
  if (argo__bn_url_is_test(s->bn_rest_url) || argo__bn_url_is_test(s->bn_ws_api_url)) {
    argo__fmt(err, errlen,
              "trading.binance.live is true but trading.binance.rest_url or ws_api_url is a "
              "testnet or local URL: give both live URLs (https://api.binance.com, "
              "wss://ws-api.binance.com:443/ws-api/v3)");
    return ARGO_ECONFIG;
  }
  return ARGO_OK;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;
static void curl_init(void) {
  curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

/* A signed or public GET at start, answered 200, parsed. NULL with err set otherwise. */
static json_t *get_json(bnb *b, bn_rest *r, const char *path, const argo__sb *q, int sign,
                        char *err, size_t errlen) {
  bn_result res;
  argo__bn_rest_call(r, "GET", path, q, sign, &res);
  char u[512];
  argo__mask_urls(argo__bn_rest_base(r), u, sizeof u);
  if (res.outcome != BN_ANSWERED || res.status != 200) {
    char why[320];
    if (res.code) {
      argo__bn_error_reason(res.code, res.msg, why, sizeof why);
    } else if (res.outcome == BN_ANSWERED) {
      argo__fmt(why, sizeof why, "HTTP %ld", res.status);
    } else {
      argo__fmt(why, sizeof why, "%s", res.why);
    }
    argo__fmt(err, errlen, "binance: GET %s%s: %s", u, path, why);
    argo__bn_redact(b->keys, err);
    return NULL;
  }
  json_error_t je;
  json_t *j = json_loadb(res.body, res.len, 0, &je);
  if (!j) {
    argo__fmt(err, errlen, "binance: GET %s%s: the answer is not JSON (%s)", u, path, je.text);
  }
  return j;
}

/* exchangeInfo's rateLimits: the request weight a minute, the orders in 10 s and in a day. */
static void rate_limits_of(const json_t *a, bn_rate_limits *out) {
  memset(out, 0, sizeof *out);
  size_t i;
  const json_t *x;
  json_array_foreach(a, i, x) {
    const char *type = json_string_value(json_object_get(x, "rateLimitType"));
    const char *iv = json_string_value(json_object_get(x, "interval"));
    json_int_t n = json_integer_value(json_object_get(x, "intervalNum"));
    json_int_t limit = json_integer_value(json_object_get(x, "limit"));
    if (!type || !iv || limit <= 0) {
      continue;
    }
    if (strcmp(type, "REQUEST_WEIGHT") == 0 && strcmp(iv, "MINUTE") == 0 && n == 1) {
      out->weight_per_minute = limit;
    } else if (strcmp(type, "ORDERS") == 0 && strcmp(iv, "SECOND") == 0 && n == 10) {
      out->orders_per_10s = limit;
    } else if (strcmp(type, "ORDERS") == 0 && strcmp(iv, "DAY") == 0 && n == 1) {
      out->orders_per_day = limit;
    }
  }
}

/* The exchange's filters of the session's symbols, its rate limits, and the account's
 * balances. */
static argo_err read_exchange(bnb *b, bn_rest *r, const argo__broker_args *a, char *err,
                              size_t errlen) {
  argo__sb q, list;
  argo__sb_init(&q);
  argo__sb_init(&list);
  argo__sb_puts(&list, "[");
  for (size_t i = 0; i < a->nsymbols; i++) {
    argo__sb_printf(&list, "%s\"%s\"", i ? "," : "", a->symbols[i]);
  }
  argo__sb_puts(&list, "]");
  argo__bn_query_add(&q, "symbols", argo__sb_str(&list));
  argo__sb_free(&list);
  json_t *info = get_json(b, r, "/api/v3/exchangeInfo", &q, 0, err, errlen);
  argo__sb_free(&q);
  if (!info) {
    return ARGO_EBROKER;
  }
  rate_limits_of(json_object_get(info, "rateLimits"), &b->limits);
  char *text = json_dumps(info, JSON_COMPACT);
  json_decref(info);
  argo_err rc = text ? argo__bn_parse_exchange_info(text, strlen(text), a->symbols, a->nsymbols,
                                                    b->info, err, errlen)
                     : ARGO_ENOMEM;
  free(text);
  if (rc) {
    return rc;
  }
  json_t *acct = get_json(b, r, "/api/v3/account", NULL, 1, err, errlen);
  json_t *bal = acct ? json_object_get(acct, "balances") : NULL;
  if (!json_is_array(bal)) {
    if (acct) {
      argo__fmt(err, errlen, "binance: GET /api/v3/account: no balances in the answer");
    }
    json_decref(acct);
    return ARGO_EBROKER;
  }
  size_t i;
  json_t *x;
  json_array_foreach(bal, i, x) {
    bn_balance v;
    memset(&v, 0, sizeof v);
    const json_t *as = json_object_get(x, "asset");
    argo__strlcpy(v.asset, json_is_string(as) ? json_string_value(as) : "", sizeof v.asset);
    const json_t *f = json_object_get(x, "free"), *l = json_object_get(x, "locked");
    v.free = json_is_string(f) ? strtod(json_string_value(f), NULL) : 0;
    v.locked = json_is_string(l) ? strtod(json_string_value(l), NULL) : 0;
    if (set_balance(b, &v) != 0) {
      json_decref(acct);
      return ARGO_ENOMEM;
    }
  }
  json_decref(acct);
  return ARGO_OK;
}

/* A copy of the orders earlier sessions left open, of this session's symbols (the others are
 * reported: this session cannot follow them). */
static argo_err take_prior(bnb *b, const argo__broker_args *a) {
  const argo__prior *p = a->prior;
  size_t cap = 0;
  for (size_t i = 0; p && i < p->n; i++) {
    const argo__prior_order *x = &p->v[i];
    if (argo__ledger_symbol(b->l, x->symbol) < 0) {
      report(b, 0,
             "binance: order %s (%s %s, client order id %s) was left open by the session of %s; "
             "this session does not trade %s, so it is not followed: run with %s among "
             "market_data.symbols to settle it",
             x->o.order_id, x->o.side == ARGO_SIDE_SELL ? "SELL" : "BUY", x->symbol, x->client_id,
             x->run, x->symbol, x->symbol);
      continue;
    }
    if (argo__grow((void **)&b->prior.v, &cap, b->prior.n + 1, sizeof *b->prior.v) != 0) {
      return ARGO_ENOMEM;
    }
    argo__prior_order *y = &b->prior.v[b->prior.n];
    *y = *x;
    y->trades = x->ntrades ? malloc(x->ntrades * sizeof *y->trades) : NULL;
    if (x->ntrades && !y->trades) {
      return ARGO_ENOMEM;
    }
    if (x->ntrades) {
      memcpy(y->trades, x->trades, x->ntrades * sizeof *y->trades);
    }
    y->o.symbol = y->symbol;
    b->prior.n++;
  }
  return ARGO_OK;
}

/* Open orders on the account that this data output's sessions did not leave: reported, never
 * touched. */
static void report_foreign_orders(bnb *b, bn_rest *r) {
  char err[ARGO_ERRMSG_MAX];
  json_t *a = get_json(b, r, "/api/v3/openOrders", NULL, 1, err, sizeof err);
  if (!json_is_array(a)) {
    if (!a) {
      report(b, 0, "%s (the account's open orders were not checked)", err);
    }
    json_decref(a);
    return;
  }
  argo__sb list;
  argo__sb_init(&list);
  size_t n = 0, i;
  json_t *o;
  json_array_foreach(a, i, o) {
    const json_t *c = json_object_get(o, "clientOrderId");
    const char *cid = json_is_string(c) ? json_string_value(c) : "";
    int ours = 0;
    for (size_t k = 0; k < b->prior.n && !ours; k++) {
      ours = strcmp(b->prior.v[k].client_id, cid) == 0;
    }
    if (!ours) {
      const json_t *sy = json_object_get(o, "symbol");
      argo__sb_printf(&list, "%s%s %s", n ? ", " : "",
                      json_is_string(sy) ? json_string_value(sy) : "?", cid);
      n++;
    }
  }
  json_decref(a);
  if (n) {
    report(b, 0,
           "binance: %zu open order%s on the account %s not placed by this data output's "
           "sessions and %s left alone: %s",
           n, n == 1 ? "" : "s", n == 1 ? "was" : "were", n == 1 ? "is" : "are",
           argo__sb_str(&list));
  }
  argo__sb_free(&list);
}

/* The threads: the worker (which takes r over) and the user data stream, subscribed. */
static argo_err start_threads(bnb *b, bn_rest *r, const argo__settings *s, char *err,
                              size_t errlen) {
  argo__bnq_init(&b->q, b->sink.wake, b->sink.user);
  b->q_ready = 1;
  bn_rest *lookups = NULL;
  if (argo__bn_rest_new(&lookups, s->bn_rest_url, b->keys, &b->clock, s->bn_recv_window_us / 1000,
                        s->bn_timeout_us / 1000) != ARGO_OK) {
    argo__bn_rest_free(r);
    argo__fmt(err, errlen, "binance: cannot set up libcurl");
    return ARGO_ENOMEM;
  }
  bn_worker_cfg wc = {.rest = r,
                      .lookup_rest = lookups,
                      .clock = &b->clock,
                      .q = &b->q,
                      .clock_sync_us = s->bn_clock_sync_us,
                      .recv_window_ms = s->bn_recv_window_us / 1000,
                      .keys = b->keys,
                      .limits = b->limits};
  if (argo__bn_worker_start(&b->worker, &wc) != ARGO_OK) {
    argo__fmt(err, errlen, "binance: cannot start the worker thread");
    return ARGO_ENOMEM;
  }
  bn_stream_cfg sc = {.url = s->bn_ws_api_url,
                      .keys = b->keys,
                      .clock = &b->clock,
                      .recv_window_ms = s->bn_recv_window_us / 1000,
                      .q = &b->q,
                      .max_backoff_us = 30000000};
  argo_err rc = argo__bn_stream_start(&b->stream, &sc, err, errlen);
  if (rc) {
    return rc;
  }
  char why[400];
  int up = argo__bn_stream_wait_up(b->stream, STREAM_WAIT_US, why, sizeof why);
  if (up != 1) {
    char u[512];
    argo__fmt(err, errlen, "binance: the user data stream at %s %s",
              argo__mask_urls(s->bn_ws_api_url, u, sizeof u),
              up < 0 ? why : "did not subscribe within 15 s");
    argo__bn_redact(b->keys, err);
    return ARGO_EBROKER;
  }
  return ARGO_OK;
}

argo_err argo__broker_binance_open(argo__broker **out, const argo__broker_args *a, char *err,
                                   size_t errlen) {
  const argo__settings *s = a->settings;
  *out = NULL;
  argo_err rc = check_urls(s, err, errlen);
  if (rc) {
    return rc;
  }
  bnb *b = calloc(1, sizeof *b);
  if (!b) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  b->base.ops = &binance_ops;
  b->sink = a->sink;
  b->nsym = a->nsymbols;
  b->final_wait_us =
      s->bn_timeout_us * 2 < FINAL_WAIT_CAP_US ? s->bn_timeout_us * 2 : FINAL_WAIT_CAP_US;
  b->info = calloc(a->nsymbols ? a->nsymbols : 1, sizeof *b->info);
  rc = b->info ? argo__ledger_new(&b->l, a->symbols, a->nsymbols, a->id_prefix, a->strategy_name,
                                  &a->sink, 0)
               : ARGO_ENOMEM;
  if (rc) {
    argo__fmt(err, errlen, "out of memory");
    b_free(&b->base);
    return rc;
  }
  argo__ledger_set_client_prefix(b->l, CLIENT_PREFIX);
  if ((rc = argo__bn_keys_from_env(&b->keys, err, errlen)) != ARGO_OK) {
    b_free(&b->base);
    return rc;
  }
  pthread_once(&curl_once, curl_init);
  bn_rest *r = NULL;
  if (!curl_ok ||
      argo__bn_rest_new(&r, s->bn_rest_url, b->keys, &b->clock, s->bn_recv_window_us / 1000,
                        s->bn_timeout_us / 1000) != ARGO_OK) {
    argo__fmt(err, errlen, "binance: cannot set up libcurl");
    b_free(&b->base);
    return ARGO_ENOMEM;
  }
  if ((rc = argo__bn_rest_sync_clock(r, err, errlen)) != ARGO_OK ||
      (rc = read_exchange(b, r, a, err, errlen)) != ARGO_OK) {
    argo__bn_rest_free(r);
    b_free(&b->base);
    return rc;
  }
  argo__strlcpy(b->quote, b->info[0].quote, sizeof b->quote);
  b->cancel_prior = strcmp(s->bn_open_orders, "cancel") == 0;
  if ((rc = take_prior(b, a)) != ARGO_OK) {
    argo__bn_rest_free(r);
    argo__fmt(err, errlen, "out of memory");
    b_free(&b->base);
    return rc;
  }
  report_foreign_orders(b, r);
  if ((rc = start_threads(b, r, s, err, errlen)) != ARGO_OK) {
    b_free(&b->base);
    return rc;
  }
  if (s->bn_live) {
    char u[512];
    report(b, 0,
           "binance: LIVE TRADING: orders go to %s and move real money (trading.binance.live)",
           argo__mask_urls(s->bn_rest_url, u, sizeof u));
  }
  *out = &b->base;
  return ARGO_OK;
}
