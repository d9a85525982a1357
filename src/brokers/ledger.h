/*
 * The order ledger of a broker whose orders execute elsewhere (an exchange, or a broker of the
 * caller's own): it numbers orders, holds the open ones, books every fill reported against an
 * order into FIFO books (fifo.h: the fill's realized pnl, the position's average price) and
 * reports every change through the engine's sink. The broker decides what happens to an order;
 * the ledger records it, and refuses what cannot be (a fill of an unknown order, more than the
 * order's quantity). Used by the custom broker adapter (custom.c) and the Binance broker. All
 * on the engine thread. Depends on broker.h, fifo and util.
 */
#ifndef ARGO_LEDGER_H
#define ARGO_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "brokers/broker.h"
#include "util/util.h"

typedef struct argo__ledger argo__ledger;

/* symbols are borrowed for the ledger's life; id_prefix and strategy are copied; capital is
 * the cash the ledger's own account starts from. */
ARGO_NODISCARD argo_err argo__ledger_new(argo__ledger **out, const char *const *symbols,
                                         size_t nsymbols, const char *id_prefix,
                                         const char *strategy, const argo__broker_sink *sink,
                                         double capital);
void argo__ledger_free(argo__ledger *l);

/* Client order ids (orders.client_order_id) are prefix + the order id from now on (a live
 * broker's; none by default). prefix is copied (at most 15 characters). */
void argo__ledger_set_client_prefix(argo__ledger *l, const char *prefix);
/* The index of symbol, or -1; the number of symbols; the name of the k-th. */
long argo__ledger_symbol(const argo__ledger *l, const char *symbol);
size_t argo__ledger_nsymbols(const argo__ledger *l);
const char *argo__ledger_symbol_name(const argo__ledger *l, size_t k);
/* The last close of symbol sym (0 before its first candle). */
void argo__ledger_set_price(argo__ledger *l, size_t sym, double close);
double argo__ledger_price(const argo__ledger *l, size_t sym);

/* A new order from req at time now, with the next id: o is filled in (status PENDING, price the
 * limit price or, for a market order, the last close). Returns its symbol's index, or -1 with
 * why set when what any broker refuses is wrong: unknown symbol, bad side, type or position
 * type, quantity or limit price not a positive number. Nothing is reported yet. */
long argo__ledger_draft(argo__ledger *l, const argo_order_request *req, int64_t now, argo_order *o,
                        char *why, size_t whylen);
/* Reports o (a draft) as REJECTED with why; returns ARGO_S_REJECTED, why copied to err. */
int argo__ledger_reject(argo__ledger *l, long sym, argo_order *o, const char *why, char *err,
                        size_t errlen);
/* Holds o (a draft, of symbol sym) as open and reports it PENDING. ARGO_S_OK, or
 * ARGO_S_REJECTED (reported) when out of memory. */
int argo__ledger_open(argo__ledger *l, size_t sym, const argo_order *o, char *err, size_t errlen);

/* Holds o, an order an earlier session left open (its id, quantity and filled quantity kept),
 * as open and reports it (is_new) so that this session's record has it. ARGO_S_OK or
 * ARGO_S_REJECTED when out of memory (nothing reported). */
int argo__ledger_adopt(argo__ledger *l, size_t sym, const argo_order *o);
/* The open order id, or NULL. The pointer is valid until the next call that changes the
 * ledger. */
const argo_order *argo__ledger_find(const argo__ledger *l, const char *id);
/* Open orders, oldest first (up to cap); returns how many there are. */
size_t argo__ledger_open_orders(const argo__ledger *l, argo_order *out, size_t cap);
/* The ids of the open orders of symbol (NULL: all), oldest first, into ids (up to cap);
 * returns how many there are. */
size_t argo__ledger_open_ids(const argo__ledger *l, const char *symbol, char (*ids)[ARGO_ID_MAX],
                             size_t cap);

/* A fill of open order id: qty at price, paying commission (quote currency) at time. Books it,
 * reports it (the order FILLED when its filled quantity reaches its quantity, else still
 * PENDING) and forgets a filled order. A reducing fill beyond the booked position takes the
 * excess over at the fill's price first (holdings the session did not buy, such as an exchange
 * balance: that part realizes nothing), as the statistics do (core/stats.c). 0, or -1 with why
 * (unknown order, qty or price not positive, more than the order's open quantity: nothing
 * booked). */
int argo__ledger_fill(argo__ledger *l, const char *id, double qty, double price, double commission,
                      int64_t time, const argo__fill_extra *x, char *why, size_t whylen);
/* Ends open order id with status (CANCELLED, REJECTED or FAILED) and reason; reports it and
 * forgets it. 0, or -1 when there is no such open order. */
int argo__ledger_end(argo__ledger *l, const char *id, argo_order_status status, const char *reason);

/* A position as the ledger's books hold it (quantities, average prices, pnl, fees). */
void argo__ledger_position(const argo__ledger *l, size_t sym, argo_position *out);
/* The ledger's own account: cash from capital and fills, equity at the last prices. */
void argo__ledger_account(const argo__ledger *l, argo_account *out);
/* Realized pnl and fees over all symbols. */
void argo__ledger_totals(const argo__ledger *l, double *realized, double *fees);
void argo__ledger_seed_cash(argo__ledger *l, double cash);
/* Opens a lot of qty at price (no fee), as the resumed or taken-over holdings of a session. */
ARGO_NODISCARD argo_err argo__ledger_seed_position(argo__ledger *l, size_t sym, int is_short,
                                                   double qty, double price, int64_t time);

#endif
