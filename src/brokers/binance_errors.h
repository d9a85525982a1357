/*
 * The Binance broker's table of the exchange's error codes: what each code documented for the
 * endpoints argo uses means (order place, cancel and query, openOrders, account, myTrades,
 * exchangeInfo, time, and the WebSocket API's session and userDataStream methods), what the
 * broker does about it (its class), and the REJECTED reason or error message that carries it.
 *
 * Written from Binance's spot API documents errors.md (the codes, and the messages of -2010
 * NEW_ORDER_REJECTED and -2011 CANCEL_REJECTED) and rest-api.md "General API Information".
 * The class comes from the code (and, for -2010 and -2011, the message) alone: the transport
 * also treats an HTTP 5xx answer as UNKNOWN_OUTCOME whatever its code ("the execution status
 * is UNKNOWN and could have been a success"), and HTTP 418 as a stop.
 *
 * Pure: a constant table; no state, no I/O. Safe from any thread.
 */
#ifndef ARGO_BINANCE_ERRORS_H
#define ARGO_BINANCE_ERRORS_H

#include <stddef.h>

#include "util/util.h"

/* What the broker does about an error. */
typedef enum argo__bn_err_class {
  /* The request was refused and nothing happened: an order is REJECTED with the reason. */
  ARGO_BN_ERR_REJECT = 0,
  /* -1021: the timestamp is outside recvWindow; measure the clock offset again and retry once. */
  ARGO_BN_ERR_RESYNC_CLOCK,
  /* -1003, -1015, -1034, -1016: too many requests, orders or connections; wait, then retry. */
  ARGO_BN_ERR_BACKOFF,
  /* -1000, -1001, -1006, -1007, -1008 (answered with HTTP 5xx): the request may or may not have
   * been carried out. An order is looked up by its client order id before anything else, and
   * never sent again. For a query it only means: ask again. */
  ARGO_BN_ERR_UNKNOWN_OUTCOME,
  /* -1002, -1022, -2014, -2015, and -2010 for an account that may not trade: the key, the
   * signature or the account's permissions are wrong; stop trading. */
  ARGO_BN_ERR_AUTH,
  /* -2013, -2026, and -2011 "Unknown order sent.": the exchange has no such (open) order. */
  ARGO_BN_ERR_NOT_FOUND
} argo__bn_err_class;

/* One documented code. */
typedef struct argo__bn_error {
  int code;               /* -2010 */
  const char *name;       /* "NEW_ORDER_REJECTED" */
  const char *meaning;    /* a short meaning in argo's words */
  argo__bn_err_class cls; /* the class of the code alone (see argo__bn_error_class) */
} argo__bn_error;

/* The entry of a documented code, or NULL. Static: never freed. */
const argo__bn_error *argo__bn_error_find(int code);

/* The table itself, in order of code (-1000 first), for documentation and tests; *n gets its
 * length. */
const argo__bn_error *argo__bn_error_table(size_t *n);

/* The class of an error answer: the code's, refined by the exchange's message msg (may be NULL)
 * for -2010 (AUTH when the account may not trade at all: "This action is disabled on this
 * account.", "This account may not place or cancel orders.", "Rest API trading is not
 * enabled.", "WebSocket API trading is not enabled.") and -2011 (NOT_FOUND for "Unknown order
 * sent."). An undocumented code is REJECT. */
argo__bn_err_class argo__bn_error_class(int code, const char *msg);

/* "REJECT", "RESYNC_CLOCK", "BACKOFF", "UNKNOWN_OUTCOME", "AUTH", "NOT_FOUND". */
const char *argo__bn_error_class_name(argo__bn_err_class cls);

/* Writes the REJECTED reason or error message of an error answer into buf (len bytes, always
 * terminated) and returns buf: "binance <code>: <msg>", e.g. "binance -2010: Account has
 * insufficient balance for requested action.". msg is the exchange's text, put on one line and
 * made valid UTF-8; when it is NULL or empty the table's meaning stands in for it, and for an
 * undocumented code "undocumented error". The code is always there. */
char *argo__bn_error_reason(int code, const char *msg, char *buf, size_t len);

#endif
