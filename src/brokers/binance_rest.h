/*
 * The Binance broker's REST requests (binance_rest.c) and its worker thread (binance_worker.c).
 * Internal to the broker (see binance_int.h); one bn_rest is used by one thread at a time.
 */
#ifndef ARGO_BROKERS_BINANCE_REST_H
#define ARGO_BROKERS_BINANCE_REST_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "brokers/binance_int.h"
#include "util/strbuf.h"
#include "util/util.h"

typedef struct bn_rest bn_rest;

typedef enum bn_outcome {
  BN_ANSWERED = 0, /* an answer came: status, body (and code/msg for an error answer) */
  BN_NOT_SENT = 1, /* nothing reached the exchange (could not connect, could not sign) */
  BN_UNKNOWN = 2   /* it may have reached the exchange: no answer, HTTP 5xx, -1006, -1007 */
} bn_outcome;

typedef struct bn_result {
  bn_outcome outcome;
  long status;      /* HTTP status (answered) */
  const char *body; /* the answer, valid until the next call on the same bn_rest */
  size_t len;
  int code;              /* Binance's error code of an error answer, else 0 */
  char msg[256];         /* its message */
  int64_t retry_after_s; /* Retry-After, or -1 */
  int64_t timestamp_ms;  /* the signed request's timestamp (exchange clock) */
  char why[256];         /* not sent or unknown: what curl said */
} bn_result;

/* keys and clock are borrowed until free. base: "https://testnet.binance.vision" (copied).
 * timeout_ms bounds a whole request. ARGO_OK or ARGO_ENOMEM. */
ARGO_NODISCARD argo_err argo__bn_rest_new(bn_rest **out, const char *base,
                                          const argo__bn_keys *keys, bn_clock *clock,
                                          int64_t recv_window_ms, int64_t timeout_ms);
void argo__bn_rest_free(bn_rest *r);
const char *argo__bn_rest_base(const bn_rest *r);
/* One request: method (GET, POST, DELETE) of path with params (a query built with
 * argo__bn_query_add; may be NULL); sign adds recvWindow, timestamp and the signature and the
 * X-MBX-APIKEY header. */
void argo__bn_rest_call(bn_rest *r, const char *method, const char *path, const argo__sb *params,
                        int sign, bn_result *res);
/* Measures the clock offset (GET /api/v3/time, halfway through the round trip) into the clock.
 * ARGO_OK or ARGO_EBROKER (err). */
ARGO_NODISCARD argo_err argo__bn_rest_sync_clock(bn_rest *r, char *err, size_t errlen);
/* What the exchange counted, from the rate-limit headers of the last answers that carried them
 * (X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S, -1D; -1 before any), and when (the exchange's
 * clock, ms; 0 before any). */
typedef struct bn_counted {
  int64_t weight, orders_10s, orders_1d;
  int64_t at_ms;
} bn_counted;
void argo__bn_rest_counted(const bn_rest *r, bn_counted *out);

/* The exchange's limits (exchangeInfo's rateLimits; 0 where it gives none). */
typedef struct bn_rate_limits {
  int64_t weight_per_minute, orders_per_10s, orders_per_day;
} bn_rate_limits;

/* ---- the worker (binance_worker.c) --------------------------------------------------------- */

typedef enum bn_job_kind {
  BN_JOB_PLACE = 1,   /* POST /api/v3/order; an unknown outcome is looked up, never resent */
  BN_JOB_CANCEL = 2,  /* DELETE /api/v3/order by client order id */
  BN_JOB_CHECK = 3,   /* GET /api/v3/order, then /api/v3/myTrades when it has fills */
  BN_JOB_ACCOUNT = 4, /* GET /api/v3/account */
  /* An order an earlier session left open: looked up at once as an unknown placement is (its
   * trades, its status), and "never placed" once the exchange still does not know it a
   * recvWindow after this worker started (the session that sent it was gone by then). */
  BN_JOB_RESOLVE = 5
} bn_job_kind;

typedef struct bn_job {
  bn_job_kind kind;
  char client_id[BN_CLIENT_ID_MAX];
  char symbol[32];
  /* PLACE */
  const char *side; /* "BUY" | "SELL" (static strings) */
  const char *type; /* "MARKET" | "LIMIT" */
  char quantity[48], price[48];
  /* RESOLVE of a placement whose answer was lost: when it was sent (the exchange's ms) and
   * why its outcome is unknown; sent_ms 0: an earlier session's order */
  int64_t sent_ms;
  char why[200];
} bn_job;

typedef struct bn_worker bn_worker;

typedef struct bn_worker_cfg {
  bn_rest *rest;             /* the orders lane's; owned by the worker from start (freed by stop) */
  bn_rest *lookup_rest;      /* the lookups lane's, the same way */
  bn_clock *clock;           /* borrowed */
  bn_queue *q;               /* borrowed */
  int64_t clock_sync_us;     /* how often to measure the clock offset again */
  int64_t recv_window_ms;    /* an unknown order is known to be dead once this has passed */
  const argo__bn_keys *keys; /* for redaction; borrowed */
  bn_rate_limits limits;     /* orders wait rather than break them */
} bn_worker_cfg;

/* Starts the worker's two threads: the orders lane (PLACE, CANCEL, ACCOUNT, the clock) and the
 * lookups lane (CHECK, RESOLVE, and the lookups of placements whose answer was lost), each with
 * its own connection, so that an order whose outcome takes seconds to learn never holds the
 * orders after it. Jobs of one lane run in order. */
ARGO_NODISCARD argo_err argo__bn_worker_start(bn_worker **out, const bn_worker_cfg *cfg);
/* Queues a job (copied) on its lane. -1 when out of memory. */
int argo__bn_worker_push(bn_worker *w, const bn_job *job);
/* Waits up to timeout_us until every queued job of both lanes is done. 1 done, 0 not in time. */
int argo__bn_worker_drain(bn_worker *w, int64_t timeout_us);
/* Stops the thread after the job in hand (its request is bounded by the timeout) and frees
 * the worker and its bn_rest. Jobs still queued are dropped. */
void argo__bn_worker_stop(bn_worker *w);

#endif
