/*
 * The Binance broker's worker (binance_rest.h): two threads, each with its own connection and
 * its jobs in order, with the rules of binance_rest.c for each outcome. The orders lane sends
 * placements and cancels and reads the account; the lookups lane asks about orders (a
 * placement whose answer was lost, an earlier session's order, a check), so that an order whose
 * outcome takes seconds to learn never holds the orders placed after it. Everything they learn
 * goes into the event queue; they touch nothing of the engine's.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "brokers/binance_errors.h"
#include "brokers/binance_rest.h"
#include "util/misc.h"
#include "util/timeu.h"

/* An order whose placement is unknown is looked up at these growing intervals. */
#define RESOLVE_FIRST_US 200000
#define RESOLVE_MAX_US 5000000
/* After a -1003/-1015 without Retry-After, orders pause this long, doubling to the cap. */
#define BACKOFF_FIRST_US 1000000
#define BACKOFF_MAX_US 60000000

enum { LANE_ORDERS = 0, LANE_LOOKUPS = 1 };

/* A thread with its connection and its FIFO of jobs (under the worker's mutex). */
typedef struct lane {
  struct bn_worker *w;
  bn_rest *rest;
  pthread_t th;
  pthread_cond_t cv;
  bn_job *jobs; /* FIFO ring */
  size_t head, len, cap;
  int busy, started;
} lane;

struct bn_worker {
  bn_worker_cfg cfg;
  pthread_mutex_t mu;
  pthread_cond_t idle_cv; /* a lane ran out of jobs */
  lane lanes[2];
  int stop;
  /* the orders lane's own */
  int64_t next_sync_us;
  int64_t halted_until_us; /* 418 or an authentication error: no orders until then */
  char halt_why[300];
  int64_t paused_until_us; /* 429, -1003, -1015: no orders until then */
  int64_t backoff_us;
  char pause_why[300];
  int sync_failed; /* the last clock sync failed (reported once) */
  /* The exchange's clock when this worker started: whatever an earlier (crashed) session sent
   * left before it, so its orders are all dead once a recvWindow has passed since. */
  int64_t started_ms;
};

/* ---- events --------------------------------------------------------------------------- */

static void push(bn_worker *w, bn_ev *ev) {
  argo__bn_redact(w->cfg.keys, ev->reason);
  argo__bnq_push(w->cfg.q, ev);
}

static void push_error(bn_worker *w, int fatal, const char *fmt, ...) ARGO_PRINTF(3, 4);
static void push_error(bn_worker *w, int fatal, const char *fmt, ...) {
  bn_ev ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = BN_EV_ERROR;
  ev.fatal = fatal;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ev.reason, sizeof ev.reason, fmt, ap);
  va_end(ap);
  push(w, &ev);
}

static void not_placed(bn_worker *w, const bn_job *j, int code, const char *fmt, ...)
    ARGO_PRINTF(4, 5);
static void not_placed(bn_worker *w, const bn_job *j, int code, const char *fmt, ...) {
  bn_ev ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = BN_EV_NOT_PLACED;
  ev.code = code;
  argo__strlcpy(ev.client_id, j->client_id, sizeof ev.client_id);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ev.reason, sizeof ev.reason, fmt, ap);
  va_end(ap);
  push(w, &ev);
}

static double num(const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  if (json_is_string(v)) {
    return strtod(json_string_value(v), NULL);
  }
  return json_is_number(v) ? json_number_value(v) : 0;
}

static const char *str(const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  return json_is_string(v) ? json_string_value(v) : "";
}

/* An order object of a REST answer (placement, query, cancel) as an EXEC event. */
static void push_order(bn_worker *w, const json_t *o, const char *exec_type, const bn_job *j) {
  bn_ev ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = BN_EV_EXEC;
  /* A cancel's answer names the cancel request as clientOrderId, the order as
   * origClientOrderId. */
  const char *cid = str(o, "origClientOrderId");
  argo__strlcpy(ev.client_id, cid[0] ? cid : str(o, "clientOrderId"), sizeof ev.client_id);
  if (!ev.client_id[0]) {
    argo__strlcpy(ev.client_id, j->client_id, sizeof ev.client_id);
  }
  json_t *id = json_object_get(o, "orderId");
  ev.order_id = json_is_integer(id) ? (int64_t)json_integer_value(id) : 0;
  argo__strlcpy(ev.exec_type, exec_type, sizeof ev.exec_type);
  argo__strlcpy(ev.status, str(o, "status"), sizeof ev.status);
  ev.cum_qty = num(o, "executedQty");
  /* When the order last changed (a query's answer), or when the request was carried out. */
  json_t *t = json_object_get(o, "updateTime");
  if (!json_is_integer(t)) {
    t = json_object_get(o, "transactTime");
  }
  ev.time_us = json_is_integer(t) ? (int64_t)json_integer_value(t) * 1000 : 0;
  push(w, &ev);
}

/* ---- the jobs --------------------------------------------------------------------------- */

/* Sleeps us, or less when a stop comes. 1 if stopped. */
static int nap(lane *l, int64_t us) {
  bn_worker *w = l->w;
  struct timespec ts = argo__deadline_in(us);
  pthread_mutex_lock(&w->mu);
  while (!w->stop) {
    if (pthread_cond_timedwait(&l->cv, &w->mu, &ts) != 0) {
      break;
    }
  }
  int s = w->stop;
  pthread_mutex_unlock(&w->mu);
  return s;
}

static json_t *parse(const bn_result *res) {
  json_error_t je;
  return json_loadb(res->body, res->len, 0, &je);
}

static void add_symbol_and_id(argo__sb *q, const bn_job *j) {
  argo__bn_query_add(q, "symbol", j->symbol);
  argo__bn_query_add(q, "origClientOrderId", j->client_id);
}

/* The trades of order order_id, oldest first, as TRADE events: pages of up to TRADES_PAGE
 * (symbol + orderId + fromId, the exchange's largest page), each from the trade after the last
 * one, so that an order with more fills than a page has them all. */
#define TRADES_PAGE 1000
static void push_trades(lane *l, const bn_job *j, int64_t order_id) {
  bn_worker *w = l->w;
  int64_t from = 0;
  for (;;) {
    int64_t page_from = from;
    argo__sb q;
    argo__sb_init(&q);
    argo__bn_query_add(&q, "symbol", j->symbol);
    argo__bn_query_add_i64(&q, "orderId", order_id);
    argo__bn_query_add_i64(&q, "fromId", from);
    argo__bn_query_add_i64(&q, "limit", TRADES_PAGE);
    bn_result res;
    argo__bn_rest_call(l->rest, "GET", "/api/v3/myTrades", &q, 1, &res);
    argo__sb_free(&q);
    json_t *a = res.outcome == BN_ANSWERED && res.status == 200 ? parse(&res) : NULL;
    if (!json_is_array(a)) {
      push_error(w, 0, "binance: cannot read the trades of order %s: %s", j->client_id,
                 res.code     ? res.msg
                 : res.why[0] ? res.why
                              : "malformed answer");
      json_decref(a);
      return;
    }
    size_t i, n = json_array_size(a);
    json_t *t;
    json_array_foreach(a, i, t) {
      bn_ev ev;
      memset(&ev, 0, sizeof ev);
      ev.kind = BN_EV_EXEC;
      argo__strlcpy(ev.client_id, j->client_id, sizeof ev.client_id);
      ev.order_id = order_id;
      argo__strlcpy(ev.exec_type, "TRADE", sizeof ev.exec_type);
      ev.last_qty = num(t, "qty");
      ev.last_price = num(t, "price");
      ev.commission = num(t, "commission");
      argo__strlcpy(ev.commission_asset, str(t, "commissionAsset"), sizeof ev.commission_asset);
      json_t *id = json_object_get(t, "id");
      json_t *tm = json_object_get(t, "time");
      ev.trade_id = json_is_integer(id) ? (int64_t)json_integer_value(id) : -1;
      ev.time_us = json_is_integer(tm) ? (int64_t)json_integer_value(tm) * 1000 : 0;
      if (ev.trade_id >= from) {
        from = ev.trade_id + 1;
      }
      push(w, &ev);
    }
    json_decref(a);
    if (n < TRADES_PAGE) {
      return;
    }
    if (from <= page_from) {
      push_error(w, 0, "binance: the trades of order %s do not come in id order; read %zu",
                 j->client_id, n);
      return;
    }
  }
}

/* Asks the exchange about order j: its trades (when it has any) then its status. Returns 1
 * known, 0 the exchange does not know it (*code: its error), -1 no answer. */
static int check(lane *l, const bn_job *j, int *code, char *why, size_t whylen) {
  bn_worker *w = l->w;
  argo__sb q;
  argo__sb_init(&q);
  add_symbol_and_id(&q, j);
  bn_result res;
  argo__bn_rest_call(l->rest, "GET", "/api/v3/order", &q, 1, &res);
  argo__sb_free(&q);
  *code = res.code;
  if (res.outcome != BN_ANSWERED) {
    argo__fmt(why, whylen, "%s", res.why);
    return -1;
  }
  if (res.status != 200) {
    argo__bn_error_reason(res.code, res.msg, why, whylen);
    return argo__bn_error_class(res.code, res.msg) == ARGO_BN_ERR_NOT_FOUND ? 0 : -1;
  }
  json_t *o = parse(&res);
  if (!json_is_object(o)) {
    json_decref(o);
    argo__fmt(why, whylen, "malformed answer to GET /api/v3/order");
    return -1;
  }
  json_t *id = json_object_get(o, "orderId");
  if (num(o, "executedQty") > 0 && json_is_integer(id)) {
    push_trades(l, j, (int64_t)json_integer_value(id));
  }
  push_order(w, o, "", j);
  json_decref(o);
  return 1;
}

/* An order whose placement has no known outcome: looked up until the exchange knows it, or
 * until its recvWindow has passed on the exchange's clock without it (then it can never
 * execute). Never sent again. */
static void resolve(lane *l, const bn_job *j, int64_t sent_ms, const char *first_why, int prior) {
  bn_worker *w = l->w;
  /* An earlier session's order is asked about at once; an order just sent gives the exchange a
   * moment first. */
  int64_t delay = prior ? 0 : RESOLVE_FIRST_US;
  int tries = 0;
  char why[320];
  argo__strlcpy(why, first_why, sizeof why);
  for (;;) {
    if (nap(l, delay)) {
      push_error(w, 0,
                 "binance: the outcome of order %s is unknown at the session's end (%s); it is "
                 "looked up again at the next start",
                 j->client_id, why);
      return;
    }
    int code = 0;
    int r = check(l, j, &code, why, sizeof why);
    tries++;
    if (r == 1) {
      return;
    }
    if (r == 0 && argo__bn_server_ms(w->cfg.clock) > sent_ms + w->cfg.recv_window_ms + 1000) {
      if (prior) {
        not_placed(w, j, code,
                   "never placed: the exchange does not know client order id %s (the session "
                   "that placed it stopped before its request arrived)",
                   j->client_id);
      } else {
        not_placed(w, j, code,
                   "not placed: the answer to the order was lost (%s) and the exchange does not "
                   "know it after its recvWindow passed, so it can never be executed",
                   first_why);
      }
      return;
    }
    if (tries == 5) {
      push_error(w, 0, "binance: order %s: its outcome is still unknown (%s); still asking",
                 j->client_id, why);
    }
    delay = delay == 0 ? RESOLVE_FIRST_US : delay * 2 > RESOLVE_MAX_US ? RESOLVE_MAX_US : delay * 2;
  }
}

/* An error answer to a placement: whether to retry (clock), and what to refuse. 1 retry. */
static int refused(lane *l, const bn_job *j, const bn_result *res, int attempt) {
  bn_worker *w = l->w;
  char reason[320];
  int64_t now = argo__mono_us();
  if (res->status == 418 || res->status == 429) {
    int64_t wait = res->retry_after_s > 0 ? res->retry_after_s * 1000000 : BACKOFF_FIRST_US;
    int ban = res->status == 418;
    argo__fmt(reason, sizeof reason, "HTTP %ld from the exchange (%s); %s for %.0f s", res->status,
              ban ? "this IP is banned for breaking rate limits" : "too many requests",
              ban ? "trading stops" : "orders pause", (double)wait / 1e6);
    if (ban) {
      w->halted_until_us = now + wait;
      argo__strlcpy(w->halt_why, reason, sizeof w->halt_why);
    } else {
      w->paused_until_us = now + wait;
      argo__strlcpy(w->pause_why, reason, sizeof w->pause_why);
    }
    push_error(w, 0, "binance: %s", reason);
    not_placed(w, j, res->code, "not sent: %s", reason);
    return 0;
  }
  argo__bn_err_class cls = argo__bn_error_class(res->code, res->msg);
  argo__bn_error_reason(res->code, res->msg, reason, sizeof reason);
  if (cls == ARGO_BN_ERR_RESYNC_CLOCK && attempt == 0) {
    char err[256];
    if (argo__bn_rest_sync_clock(l->rest, err, sizeof err) == ARGO_OK) {
      return 1;
    }
  }
  if (cls == ARGO_BN_ERR_BACKOFF) {
    int64_t wait = res->retry_after_s > 0 ? res->retry_after_s * 1000000
                   : w->backoff_us        ? w->backoff_us * 2
                                          : BACKOFF_FIRST_US;
    w->backoff_us = wait > BACKOFF_MAX_US ? BACKOFF_MAX_US : wait;
    w->paused_until_us = now + w->backoff_us;
    argo__fmt(w->pause_why, sizeof w->pause_why, "%s; orders pause for %.0f s", reason,
              (double)w->backoff_us / 1e6);
    push_error(w, 0, "binance: %s", w->pause_why);
  } else if (cls == ARGO_BN_ERR_AUTH) {
    w->halted_until_us = INT64_MAX;
    argo__fmt(w->halt_why, sizeof w->halt_why,
              "%s (the API key, its permissions or the "
              "signature)",
              reason);
    push_error(w, 0, "binance: trading stops: %s", w->halt_why);
  }
  not_placed(w, j, res->code, "%s", reason);
  return 0;
}

/* Orders kept within the exchange's limits, from what it counted in its last answer: an order
 * that would break the 10-second order limit or the minute's request weight waits for the next
 * window (the exchange counts in windows aligned to its clock); one that would break the day's
 * order limit is not sent. 0: send; 1: not sent (reported). */
#define WEIGHT_MARGIN 20 /* weight kept for the lookups an order may need */
static int pace(lane *l, const bn_job *j) {
  bn_worker *w = l->w;
  const bn_rate_limits *lim = &w->cfg.limits;
  bn_counted c;
  argo__bn_rest_counted(l->rest, &c);
  int64_t now = argo__bn_server_ms(w->cfg.clock);
  if (c.at_ms <= 0) {
    return 0;
  }
  if (lim->orders_per_day > 0 && c.orders_1d >= lim->orders_per_day &&
      now / 86400000 == c.at_ms / 86400000) {
    not_placed(w, j, 0,
               "not sent: the exchange's limit of %" PRId64 " orders a day is reached (they "
               "count again at 00:00 UTC)",
               lim->orders_per_day);
    return 1;
  }
  int64_t until = 0;
  char which[96] = "";
  if (lim->orders_per_10s > 0 && c.orders_10s >= lim->orders_per_10s &&
      now / 10000 == c.at_ms / 10000) {
    until = (c.at_ms / 10000 + 1) * 10000;
    argo__fmt(which, sizeof which, "%" PRId64 " orders in 10 s", lim->orders_per_10s);
  }
  if (lim->weight_per_minute > 0 && c.weight >= lim->weight_per_minute - WEIGHT_MARGIN &&
      now / 60000 == c.at_ms / 60000) {
    until = (c.at_ms / 60000 + 1) * 60000;
    argo__fmt(which, sizeof which, "%" PRId64 " request weight a minute (%" PRId64 " used)",
              lim->weight_per_minute, c.weight);
  }
  if (!which[0]) {
    return 0;
  }
  int64_t wait_ms = until - now + 50; /* a little past the window's end on its clock */
  push_error(w, 0, "binance: order %s waits %.1f s: the exchange's limit of %s is reached",
             j->client_id, (double)wait_ms / 1000, which);
  if (nap(l, wait_ms * 1000)) {
    not_placed(w, j, 0,
               "not sent: the session ended while the order waited for the exchange's "
               "rate limit");
    return 1;
  }
  return 0;
}

static int lane_push(bn_worker *w, int which, const bn_job *job);

/* A placement whose outcome is unknown goes to the lookups lane (resolve there), so that the
 * orders after it are sent meanwhile; it is never sent again. */
static void look_up_later(lane *l, const bn_job *j, int64_t sent_ms, const char *why) {
  bn_job r = *j;
  r.kind = BN_JOB_RESOLVE;
  r.sent_ms = sent_ms > 0 ? sent_ms : 1;
  argo__strlcpy(r.why, why, sizeof r.why);
  if (lane_push(l->w, LANE_LOOKUPS, &r) != 0) {
    resolve(l, j, r.sent_ms, why, 0); /* out of memory: here, then */
  }
}

static void place(lane *l, const bn_job *j) {
  bn_worker *w = l->w;
  int64_t now = argo__mono_us();
  if (now < w->halted_until_us) {
    not_placed(w, j, 0, "not sent: trading stopped: %s", w->halt_why);
    return;
  }
  if (now < w->paused_until_us) {
    not_placed(w, j, 0, "not sent: %s", w->pause_why);
    return;
  }
  if (pace(l, j)) {
    return;
  }
  argo__sb q;
  argo__sb_init(&q);
  argo__bn_query_add(&q, "symbol", j->symbol);
  argo__bn_query_add(&q, "side", j->side);
  argo__bn_query_add(&q, "type", j->type);
  if (strcmp(j->type, "LIMIT") == 0) {
    argo__bn_query_add(&q, "timeInForce", "GTC");
    argo__bn_query_add(&q, "price", j->price);
  }
  argo__bn_query_add(&q, "quantity", j->quantity);
  argo__bn_query_add(&q, "newClientOrderId", j->client_id);
  argo__bn_query_add(&q, "newOrderRespType", "RESULT");
  for (int attempt = 0; attempt < 2; attempt++) {
    bn_result res;
    argo__bn_rest_call(l->rest, "POST", "/api/v3/order", &q, 1, &res);
    if (res.outcome == BN_NOT_SENT) {
      not_placed(w, j, 0, "not sent: cannot reach %s: %s", argo__bn_rest_base(l->rest), res.why);
      break;
    }
    if (res.outcome == BN_UNKNOWN) {
      look_up_later(l, j, res.timestamp_ms, res.why);
      break;
    }
    if (res.status == 200) {
      w->backoff_us = 0;
      json_t *o = parse(&res);
      if (json_is_object(o)) {
        push_order(w, o, "NEW", j);
      } else {
        /* Accepted, but the answer cannot be read: ask. */
        look_up_later(l, j, res.timestamp_ms, "malformed answer to POST /api/v3/order");
      }
      json_decref(o);
      break;
    }
    if (!refused(l, j, &res, attempt)) {
      break;
    }
  }
  argo__sb_free(&q);
}

static void cancel(lane *l, const bn_job *j) {
  bn_worker *w = l->w;
  argo__sb q;
  argo__sb_init(&q);
  add_symbol_and_id(&q, j);
  bn_result res;
  argo__bn_rest_call(l->rest, "DELETE", "/api/v3/order", &q, 1, &res);
  argo__sb_free(&q);
  bn_ev ev;
  memset(&ev, 0, sizeof ev);
  if (res.outcome == BN_ANSWERED && res.status == 200) {
    json_t *o = parse(&res);
    if (json_is_object(o)) {
      push_order(w, o, "CANCELED", j);
      json_decref(o);
      return;
    }
    json_decref(o);
  }
  if (res.outcome != BN_ANSWERED || res.status == 200) {
    /* The cancel may or may not have happened: the order's state says. */
    int code;
    char why[320];
    if (check(l, j, &code, why, sizeof why) != 1) {
      push_error(w, 0, "binance: cancel of order %s: no answer (%s)", j->client_id, res.why);
    }
    return;
  }
  ev.kind = BN_EV_CANCEL_REFUSED;
  ev.code = res.code;
  argo__strlcpy(ev.client_id, j->client_id, sizeof ev.client_id);
  argo__bn_error_reason(res.code, res.msg, ev.reason, sizeof ev.reason);
  push(w, &ev);
}

/* The "balances" array of GET /api/v3/account into ev. 0 or -1 (out of memory). */
static int balances_of(const json_t *bal, bn_ev *ev) {
  size_t n = json_array_size(bal);
  ev->bal = n ? calloc(n, sizeof *ev->bal) : NULL;
  if (n && !ev->bal) {
    return -1;
  }
  size_t i;
  json_t *b;
  json_array_foreach(bal, i, b) {
    argo__strlcpy(ev->bal[i].asset, str(b, "asset"), sizeof ev->bal[i].asset);
    ev->bal[i].free = num(b, "free");
    ev->bal[i].locked = num(b, "locked");
  }
  ev->nbal = n;
  return 0;
}

static void account(lane *l) {
  bn_worker *w = l->w;
  bn_result res;
  argo__bn_rest_call(l->rest, "GET", "/api/v3/account", NULL, 1, &res);
  json_t *a = res.outcome == BN_ANSWERED && res.status == 200 ? parse(&res) : NULL;
  json_t *bal = a ? json_object_get(a, "balances") : NULL;
  if (!json_is_array(bal)) {
    char why[320];
    if (res.code) {
      argo__bn_error_reason(res.code, res.msg, why, sizeof why);
    } else {
      argo__fmt(why, sizeof why, "%s", res.why[0] ? res.why : "malformed answer");
    }
    push_error(w, 0, "binance: cannot read the account: %s", why);
    json_decref(a);
    return;
  }
  bn_ev ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = BN_EV_BALANCES;
  ev.full = 1;
  if (balances_of(bal, &ev) != 0) {
    json_decref(a);
    push_error(w, 0, "binance: out of memory reading the account");
    return;
  }
  json_decref(a);
  push(w, &ev);
}

/* ---- the thread ------------------------------------------------------------------------- */

static void sync_clock(lane *l) {
  bn_worker *w = l->w;
  char err[320];
  if (argo__bn_rest_sync_clock(l->rest, err, sizeof err) != ARGO_OK) {
    if (!w->sync_failed) {
      push_error(w, 0, "binance: cannot measure the exchange's clock: %s", err);
    }
    w->sync_failed = 1;
  } else {
    w->sync_failed = 0;
  }
  w->next_sync_us = argo__mono_us() + w->cfg.clock_sync_us;
}

/* The job in hand. */
static void do_job(lane *l, const bn_job *j) {
  bn_worker *w = l->w;
  switch (j->kind) {
  case BN_JOB_PLACE:
    place(l, j);
    break;
  case BN_JOB_CANCEL:
    cancel(l, j);
    break;
  case BN_JOB_CHECK: {
    int code;
    char why[320];
    if (check(l, j, &code, why, sizeof why) != 1) {
      push_error(w, 0, "binance: cannot check order %s: %s", j->client_id, why);
    }
    break;
  }
  case BN_JOB_ACCOUNT:
    account(l);
    break;
  case BN_JOB_RESOLVE:
    if (j->sent_ms > 0) {
      resolve(l, j, j->sent_ms, j->why, 0);
    } else {
      resolve(l, j, w->started_ms, "left open by an earlier session", 1);
    }
    break;
  }
}

static void *run(void *arg) {
  lane *l = arg;
  bn_worker *w = l->w;
  int orders = l == &w->lanes[LANE_ORDERS]; /* the clock is measured by the orders lane */
  argo__thread_name(orders ? "argo-bn-orders" : "argo-bn-lookups");
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->stop && l->len == 0 && (!orders || argo__mono_us() < w->next_sync_us)) {
      struct timespec ts = argo__deadline_in(1000000);
      pthread_cond_timedwait(&l->cv, &w->mu, &ts);
    }
    if (w->stop) {
      break;
    }
    bn_job j;
    int have = l->len > 0;
    if (have) {
      j = l->jobs[l->head];
      l->head = (l->head + 1) % l->cap;
      l->len--;
      l->busy = 1;
    }
    pthread_mutex_unlock(&w->mu);
    if (orders && argo__mono_us() >= w->next_sync_us) {
      sync_clock(l);
    }
    if (have) {
      do_job(l, &j);
    }
    pthread_mutex_lock(&w->mu);
    l->busy = 0;
    if (l->len == 0) {
      pthread_cond_broadcast(&w->idle_cv);
    }
  }
  l->busy = 0;
  pthread_cond_broadcast(&w->idle_cv);
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

static void free_worker(bn_worker *w) {
  for (int i = 0; i < 2; i++) {
    lane *l = &w->lanes[i];
    if (l->started) {
      pthread_join(l->th, NULL);
    }
    pthread_cond_destroy(&l->cv);
    argo__bn_rest_free(l->rest);
    free(l->jobs);
  }
  pthread_cond_destroy(&w->idle_cv);
  pthread_mutex_destroy(&w->mu);
  free(w);
}

argo_err argo__bn_worker_start(bn_worker **out, const bn_worker_cfg *cfg) {
  *out = NULL;
  bn_worker *w = calloc(1, sizeof *w);
  if (!w) {
    argo__bn_rest_free(cfg->rest);
    argo__bn_rest_free(cfg->lookup_rest);
    return ARGO_ENOMEM;
  }
  w->cfg = *cfg;
  w->next_sync_us = argo__mono_us() + cfg->clock_sync_us;
  w->started_ms = argo__bn_server_ms(cfg->clock);
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->idle_cv, NULL);
  w->lanes[LANE_ORDERS].rest = cfg->rest;
  w->lanes[LANE_LOOKUPS].rest = cfg->lookup_rest;
  for (int i = 0; i < 2; i++) {
    w->lanes[i].w = w;
    pthread_cond_init(&w->lanes[i].cv, NULL);
  }
  for (int i = 0; i < 2; i++) {
    if (pthread_create(&w->lanes[i].th, NULL, run, &w->lanes[i]) != 0) {
      argo__bn_worker_stop(w);
      return ARGO_ENOMEM;
    }
    w->lanes[i].started = 1;
  }
  *out = w;
  return ARGO_OK;
}

static int lane_push(bn_worker *w, int which, const bn_job *job) {
  lane *l = &w->lanes[which];
  pthread_mutex_lock(&w->mu);
  if (l->len == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    bn_job *v = malloc(cap * sizeof *v);
    if (!v) {
      pthread_mutex_unlock(&w->mu);
      return -1;
    }
    for (size_t i = 0; i < l->len; i++) {
      v[i] = l->jobs[(l->head + i) % l->cap];
    }
    free(l->jobs);
    l->jobs = v;
    l->head = 0;
    l->cap = cap;
  }
  l->jobs[(l->head + l->len) % l->cap] = *job;
  l->len++;
  pthread_cond_signal(&l->cv);
  pthread_mutex_unlock(&w->mu);
  return 0;
}

int argo__bn_worker_push(bn_worker *w, const bn_job *job) {
  int lookup = job->kind == BN_JOB_CHECK || job->kind == BN_JOB_RESOLVE;
  return lane_push(w, lookup ? LANE_LOOKUPS : LANE_ORDERS, job);
}

static int idle(const bn_worker *w) {
  return w->lanes[0].len == 0 && !w->lanes[0].busy && w->lanes[1].len == 0 && !w->lanes[1].busy;
}

int argo__bn_worker_drain(bn_worker *w, int64_t timeout_us) {
  struct timespec ts = argo__deadline_in(timeout_us);
  pthread_mutex_lock(&w->mu);
  while (!idle(w) && !w->stop) {
    if (pthread_cond_timedwait(&w->idle_cv, &w->mu, &ts) != 0) {
      break;
    }
  }
  int done = idle(w);
  pthread_mutex_unlock(&w->mu);
  return done;
}

void argo__bn_worker_stop(bn_worker *w) {
  if (!w) {
    return;
  }
  pthread_mutex_lock(&w->mu);
  w->stop = 1;
  for (int i = 0; i < 2; i++) {
    pthread_cond_broadcast(&w->lanes[i].cv);
  }
  pthread_mutex_unlock(&w->mu);
  free_worker(w);
}
