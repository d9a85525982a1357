/*
 * The Binance broker's insides, shared by its files and by nothing else:
 *   binance.c        the broker (the engine thread): orders through the ledger, the exchange
 *                    filters before sending, balances, positions, the events from its threads;
 *   binance_rest.c   signed REST requests over libcurl; binance_worker.c: the worker's two
 *                    threads, one sending orders and cancels and measuring the clock, one
 *                    resolving unknown outcomes and looking orders up;
 *   binance_stream.c the user data stream: a thread holding a WebSocket API connection
 *                    subscribed with userDataStream.subscribe.signature (HMAC) or session.logon
 *                    then userDataStream.subscribe (Ed25519), reconnecting as needed;
 *   binance_filters.c, binance_sign.c, binance_errors.c: pure parts (filters, keys and
 *                    signatures, the error codes).
 * The threads never touch the ledger or the engine: they push events (bn_ev) into the queue,
 * and the engine thread takes them in the broker's poll.
 */
#ifndef ARGO_BROKERS_BINANCE_INT_H
#define ARGO_BROKERS_BINANCE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "brokers/binance_sign.h"
#include "util/util.h"

/* Binance's newClientOrderId: up to 36 characters of [.A-Z:/a-z0-9_-]. argo's is
 * "argo-" + the order id. */
#define BN_CLIENT_ID_MAX (ARGO_ID_MAX + 8)
#define BN_ASSET_MAX 24

/* ---- events: from the threads to the engine thread ---------------------------------------- */

typedef enum bn_ev_kind {
  /* An order's state at the exchange: from the stream's executionReport, or from a REST
   * answer (a placement, a cancel, a query). For a TRADE the fill's fields are set. */
  BN_EV_EXEC = 1,
  /* An order that did not reach the exchange, or that the exchange refused when it was sent
   * (reason: "binance -2010: ..."); code is the exchange's error code (0: none). */
  BN_EV_NOT_PLACED = 2,
  /* Balances: the whole account (GET /api/v3/account: full = 1) or the assets an
   * outboundAccountPosition names. */
  BN_EV_BALANCES = 3,
  /* A problem for on_error (message), fatal when trading cannot go on. */
  BN_EV_ERROR = 4,
  /* The stream is subscribed (again): what happened while it was down must be asked for. */
  BN_EV_STREAM_UP = 5,
  /* A cancel request was refused (reason): the order stays as it is. */
  BN_EV_CANCEL_REFUSED = 6
} bn_ev_kind;

typedef struct bn_balance {
  char asset[BN_ASSET_MAX];
  double free, locked;
} bn_balance;

typedef struct bn_ev {
  bn_ev_kind kind;
  char client_id[BN_CLIENT_ID_MAX]; /* the order's (c; for a cancel, C) */
  int64_t order_id;                 /* the exchange's (i) */
  char exec_type[24];               /* x: NEW, TRADE, CANCELED, REJECTED, EXPIRED, ... */
  char status[24];                  /* X: NEW, PARTIALLY_FILLED, FILLED, CANCELED, ... */
  double cum_qty;                   /* z: filled so far */
  /* TRADE */
  double last_qty, last_price, commission; /* l, L, n */
  char commission_asset[BN_ASSET_MAX];     /* N */
  int64_t trade_id;                        /* t */
  int64_t time_us; /* T (the trade's time); for a REST answer, the order's updateTime (or the
                      request's transactTime) */
  /* BALANCES */
  bn_balance *bal; /* malloc'ed; freed by the taker */
  size_t nbal;
  int full;
  /* NOT_PLACED, ERROR, CANCEL_REFUSED, and REJECTED/EXPIRED reasons */
  int code;
  int fatal;
  char reason[400];
} bn_ev;

/* A FIFO of events, any thread in, the engine thread out. */
typedef struct bn_queue {
  pthread_mutex_t mu;
  bn_ev *v;
  size_t head, len, cap;
  void (*wake)(void *user); /* called after each push (the engine's sink wake) */
  void *wake_user;
} bn_queue;

void argo__bnq_init(bn_queue *q, void (*wake)(void *), void *wake_user);
void argo__bnq_deinit(bn_queue *q);
/* Copies ev in (its bal array is taken over) and wakes the engine. -1 when out of memory (the
 * event is dropped and its bal freed). */
int argo__bnq_push(bn_queue *q, const bn_ev *ev);
/* Takes the oldest event; 0 when there is none. */
int argo__bnq_pop(bn_queue *q, bn_ev *out);

/* Parses an executionReport or outboundAccountPosition event object (the "event" member of
 * a WebSocket API message, or a whole stream message) into ev. 1 parsed, 0 an event this
 * broker does not use (balanceUpdate, listStatus, eventStreamTerminated ...), -1 malformed
 * (why set). */
struct json_t;
int argo__bn_parse_event(const struct json_t *e, bn_ev *ev, char *why, size_t whylen);

/* ---- the exchange's clock ----------------------------------------------------------------- */

/* The offset of the exchange's clock from ours (server ms - local ms), measured by the REST
 * worker and read by every signed request's timestamp. */
typedef struct bn_clock {
  _Atomic int64_t offset_ms;
} bn_clock;

/* Our wall clock moved to the exchange's, in milliseconds: a signed request's timestamp. */
int64_t argo__bn_server_ms(const bn_clock *c);

/* ---- the user data stream (binance_stream.c) ---------------------------------------------- */

typedef struct bn_stream bn_stream;

typedef struct bn_stream_cfg {
  const char *url;           /* ws[s]://host[:port]/path (copied) */
  const argo__bn_keys *keys; /* borrowed until stop */
  const bn_clock *clock;     /* borrowed until stop */
  int64_t recv_window_ms;    /* sent with the subscription */
  bn_queue *q;               /* borrowed until stop */
  int64_t max_backoff_us;    /* reconnection delays grow to this (30 s) */
} bn_stream_cfg;

/* Starts the stream's thread: it connects, subscribes, pushes every executionReport and
 * outboundAccountPosition as an event, answers pings, and when the connection drops or the
 * subscription ends, reports it (BN_EV_ERROR, not fatal), reconnects with growing delays and
 * subscribes again; after every successful subscription it pushes BN_EV_STREAM_UP. A refused
 * subscription (bad key: -2014, -2015, -1022) is a fatal BN_EV_ERROR and the thread stops
 * trying. ARGO_OK, or an error with err set (a bad URL; the thread could not start). */
ARGO_NODISCARD argo_err argo__bn_stream_start(bn_stream **out, const bn_stream_cfg *cfg, char *err,
                                              size_t errlen);
/* Waits up to timeout_us for the first subscription. 1 subscribed, 0 not yet, -1 refused
 * (err: why, the exchange's code and message). */
int argo__bn_stream_wait_up(bn_stream *s, int64_t timeout_us, char *err, size_t errlen);
/* Stops the thread (closing the connection) and frees the stream; NULL is accepted. */
void argo__bn_stream_stop(bn_stream *s);

#endif
