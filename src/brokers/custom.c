/*
 * The caller's own broker (argo_engine_set_broker, argo.h) behind the internal broker
 * interface: the ledger (ledger.h) keeps the orders and books the fills; the caller's table
 * executes them and reports through argo_broker_report, which this file turns into ledger
 * calls. The argo_broker it adapts is the engine's copy of the caller's table.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "brokers/ledger.h"
#include "brokers/registry.h"
#include "util/timeu.h"

/* The public sink is the adapter itself. */
struct argo_broker_sink {
  argo__broker base; /* first: the broker interface reaches the adapter through it */
  const argo_broker *ub;
  argo__ledger *l;
  argo__broker_sink es;
  int64_t now; /* the session clock at the last place or candle */
};

typedef struct argo_broker_sink custom;

static void c_free(argo__broker *base) {
  custom *c = (custom *)base;
  if (!c) {
    return;
  }
  if (c->ub->close) {
    c->ub->close(c->ub->user);
  }
  argo__ledger_free(c->l);
  free(c);
}

static void c_on_candle(argo__broker *base, size_t sym, const argo_candle *cd) {
  custom *c = (custom *)base;
  argo__ledger_set_price(c->l, sym, cd->close);
  c->now = cd->time;
  if (c->ub->on_candle) {
    c->ub->on_candle(c->ub->user, cd);
  }
}

static int c_place(argo__broker *base, const argo_order_request *req, int64_t now, char *id_out,
                   char *err, size_t errlen) {
  custom *c = (custom *)base;
  if (!req || !req->symbol) {
    argo__strlcpy(err, req ? "the order has no symbol" : "no order given", errlen);
    return ARGO_S_EINVAL;
  }
  argo_order o;
  char why[256];
  c->now = now;
  long sym = argo__ledger_draft(c->l, req, now, &o, why, sizeof why);
  if (id_out) {
    memcpy(id_out, o.order_id, ARGO_ID_MAX);
  }
  if (sym < 0) {
    return argo__ledger_reject(c->l, sym, &o, why, err, errlen);
  }
  int rc = argo__ledger_open(c->l, (size_t)sym, &o, err, errlen);
  if (rc != ARGO_S_OK) {
    return rc;
  }
  /* The order is on disk as PENDING before the broker can act on it. */
  if (c->es.durable(c->es.user) != 0) {
    argo__ledger_end(c->l, o.order_id, ARGO_ORDER_FAILED,
                     "not sent: the journal could not make the order durable");
    argo__strlcpy(err, "not sent: the journal could not make the order durable", errlen);
    return ARGO_S_REJECTED;
  }
  why[0] = '\0';
  rc = c->ub->place(c->ub->user, &o, why, sizeof why);
  if (rc == ARGO_S_OK) {
    return ARGO_S_OK;
  }
  if (!why[0]) {
    argo__fmt(why, sizeof why, "rejected by the %s broker (%d)",
              c->ub->name ? c->ub->name : "custom", rc);
  }
  /* The broker may have reported the rejection itself already. */
  argo__ledger_end(c->l, o.order_id, ARGO_ORDER_REJECTED, why);
  argo__strlcpy(err, why, errlen);
  return ARGO_S_REJECTED;
}

static int c_cancel(argo__broker *base, const char *order_id, char *err, size_t errlen) {
  custom *c = (custom *)base;
  if (!order_id || !argo__ledger_find(c->l, order_id)) {
    argo__fmt(err, errlen, "no pending order '%s'", order_id ? order_id : "(null)");
    return ARGO_S_NOTFOUND;
  }
  err[0] = '\0';
  int rc = c->ub->cancel(c->ub->user, order_id, err, errlen);
  if (rc != ARGO_S_OK && !err[0]) {
    argo__fmt(err, errlen, "the %s broker refused to cancel %s (%d)",
              c->ub->name ? c->ub->name : "custom", order_id, rc);
  }
  return rc;
}

static int c_cancel_all(argo__broker *base, const char *symbol) {
  custom *c = (custom *)base;
  size_t n = argo__ledger_open_ids(c->l, symbol, NULL, 0);
  char(*ids)[ARGO_ID_MAX] = n ? calloc(n, ARGO_ID_MAX) : NULL;
  if (!ids) {
    return 0;
  }
  argo__ledger_open_ids(c->l, symbol, ids, n);
  int asked = 0;
  for (size_t i = 0; i < n; i++) {
    char err[256];
    asked += c_cancel(base, ids[i], err, sizeof err) == ARGO_S_OK;
  }
  free(ids);
  return asked;
}

static int c_position(const argo__broker *base, const char *symbol, argo_position *out) {
  const custom *c = (const custom *)base;
  long sym = argo__ledger_symbol(c->l, symbol);
  if (sym < 0) {
    return ARGO_S_NOTFOUND;
  }
  if (!c->ub->position) {
    argo__ledger_position(c->l, (size_t)sym, out);
    return ARGO_S_OK;
  }
  memset(out, 0, sizeof *out);
  int rc = c->ub->position(c->ub->user, symbol, out);
  out->symbol = argo__ledger_symbol_name(c->l, (size_t)sym); /* the session's string */
  return rc;
}

static size_t c_positions(const argo__broker *base, argo_position *out, size_t cap) {
  const custom *c = (const custom *)base;
  size_t n = argo__ledger_nsymbols(c->l);
  for (size_t k = 0; k < n && k < cap; k++) {
    if (c_position(base, argo__ledger_symbol_name(c->l, k), &out[k]) != ARGO_S_OK) {
      argo__ledger_position(c->l, k, &out[k]);
    }
  }
  return n;
}

static void c_account(const argo__broker *base, argo_account *out) {
  const custom *c = (const custom *)base;
  if (c->ub->account) {
    memset(out, 0, sizeof *out);
    c->ub->account(c->ub->user, out);
    return;
  }
  argo__ledger_account(c->l, out);
}

static size_t c_open_orders(const argo__broker *base, argo_order *out, size_t cap) {
  return argo__ledger_open_orders(((const custom *)base)->l, out, cap);
}

static void c_seed_cash(argo__broker *base, double cash) {
  argo__ledger_seed_cash(((custom *)base)->l, cash);
}

static argo_err c_seed_position(argo__broker *base, size_t sym, int is_short, double qty,
                                double price, int64_t time) {
  return argo__ledger_seed_position(((custom *)base)->l, sym, is_short, qty, price, time);
}

static void c_poll(argo__broker *base, int final) {
  custom *c = (custom *)base;
  (void) final;
  if (c->ub->poll) {
    c->ub->poll(c->ub->user);
  }
}

static const argo__broker_ops custom_ops = {
    .free = c_free,
    .on_candle = c_on_candle,
    .place = c_place,
    .cancel = c_cancel,
    .cancel_all = c_cancel_all,
    .position = c_position,
    .positions = c_positions,
    .account = c_account,
    .open_orders = c_open_orders,
    .seed_cash = c_seed_cash,
    .seed_position = c_seed_position,
    .poll = c_poll,
};

argo_err argo__broker_custom_open(argo__broker **out, const argo_broker *ub,
                                  const argo__broker_args *a, char *err, size_t errlen) {
  *out = NULL;
  custom *c = calloc(1, sizeof *c);
  if (!c) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  c->base.ops = &custom_ops;
  c->ub = ub;
  c->es = a->sink;
  argo_err rc = argo__ledger_new(&c->l, a->symbols, a->nsymbols, a->id_prefix, a->strategy_name,
                                 &a->sink, a->settings->capital);
  if (rc) {
    free(c);
    argo__fmt(err, errlen, "out of memory");
    return rc;
  }
  if (ub->open) {
    char why[512] = "";
    if (ub->open(ub->user, a->symbols, a->nsymbols, c, why, sizeof why) != 0) {
      argo__fmt(err, errlen, "the %s broker did not open: %s", ub->name ? ub->name : "custom",
                why[0] ? why : "(no reason given)");
      argo__ledger_free(c->l);
      free(c);
      return ARGO_EBROKER;
    }
  }
  *out = &c->base;
  return ARGO_OK;
}

/* ---- argo_broker_report ------------------------------------------------------------------ */

static argo_err bad_report(custom *c, argo_err code, const char *why) {
  char msg[ARGO_ERRMSG_MAX];
  argo__fmt(msg, sizeof msg, "the %s broker's report was refused: %s",
            c->ub->name ? c->ub->name : "custom", why);
  c->es.error(c->es.user, code, msg, 0);
  return code;
}

argo_err argo_broker_report(argo_broker_sink *c, const char *order_id, argo_broker_event event,
                            const argo_broker_update *update, size_t size) {
  if (!c) {
    return ARGO_EINVAL;
  }
  argo_broker_update u;
  memset(&u, 0, sizeof u);
  if (update) {
    memcpy(&u, update, size < sizeof u ? size : sizeof u);
  }
  char why[320];
  if (!order_id || !argo__ledger_find(c->l, order_id)) {
    argo__fmt(why, sizeof why, "'%s' is not an open order", order_id ? order_id : "(null)");
    return bad_report(c, ARGO_ENOTFOUND, why);
  }
  switch (event) {
  case ARGO_BROKER_ACCEPTED:
    return ARGO_OK;
  case ARGO_BROKER_REJECTED:
    argo__ledger_end(c->l, order_id, ARGO_ORDER_REJECTED,
                     u.reason ? u.reason : "rejected by the broker");
    return ARGO_OK;
  case ARGO_BROKER_CANCELLED:
    argo__ledger_end(c->l, order_id, ARGO_ORDER_CANCELLED,
                     u.reason ? u.reason : "cancelled by the strategy");
    return ARGO_OK;
  case ARGO_BROKER_EXPIRED:
    argo__fmt(why, sizeof why, "expired: %s", u.reason ? u.reason : "ended by the broker");
    argo__ledger_end(c->l, order_id, ARGO_ORDER_CANCELLED, why);
    return ARGO_OK;
  case ARGO_BROKER_PARTIALLY_FILLED:
  case ARGO_BROKER_FILLED: {
    argo__fill_extra x = {u.commission_asset, u.trade_id, NULL};
    if (argo__ledger_fill(c->l, order_id, u.qty, u.price, u.commission, u.time ? u.time : c->now,
                          &x, why, sizeof why) != 0) {
      return bad_report(c, ARGO_EINVAL, why);
    }
    return ARGO_OK;
  }
  }
  argo__fmt(why, sizeof why, "%d is not an argo_broker_event", (int)event);
  return bad_report(c, ARGO_EINVAL, why);
}

void argo_broker_wake(argo_broker_sink *c) {
  if (c) {
    c->es.wake(c->es.user);
  }
}
