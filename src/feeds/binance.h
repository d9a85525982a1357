/*
 * Binance feed: live finalized klines over one combined WebSocket stream (libwebsockets),
 * history and gap fill over the REST klines endpoint (libcurl). See feeds/binance.c and
 * docs/feeds.md.
 */
#ifndef ARGO_FEED_BINANCE_H
#define ARGO_FEED_BINANCE_H

#include <stddef.h>
#include <stdint.h>

#include "feeds/feed.h"
#include "util/util.h"

/* Limits of the feed's retries and timeouts. argo__binance_opts_default gives the values in
 * parentheses; tests shorten them. */
typedef struct argo__binance_opts {
  /* Consecutive WebSocket connection attempts (the first connection, or the reconnections
   * after a drop) before next() gives up with ARGO_FEED_FATAL (10; 0 = never give up). A
   * connection counts as working, and resets the count, once a valid kline message arrives. */
  int max_attempts;
  int64_t backoff_min_us; /* delay before the first reconnection, before jitter (1 s) */
  int64_t backoff_max_us; /* cap of the exponential delay (30 s) */
  /* Retries of one REST request after a network error or an HTTP 5xx answer (5). */
  int http_retries;
  /* Waits of one REST request after HTTP 429/418 (10); a Retry-After longer than
   * max_retry_after_us (5 min) fails the request at once rather than stall the session. */
  int rate_limit_retries;
  int64_t max_retry_after_us;
  int64_t connect_timeout_us; /* TCP and TLS connection, WebSocket and REST (10 s) */
  int64_t request_timeout_us; /* one whole REST request (60 s) */
  int ping_after_s;           /* seconds without traffic before a WebSocket ping (30) */
  int hangup_after_s;         /* seconds without traffic before the connection is dropped (75) */
} argo__binance_opts;

void argo__binance_opts_default(argo__binance_opts *o);

/* Opens the Binance feed for s->symbols at s->interval (one of Binance's: 1s, 1m, 3m, 5m, 15m,
 * 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d) on s->ws_url (live) and s->rest_url (history, gap fill).
 * Nothing is connected yet: the first next() connects. Checks the settings only (ARGO_ECONFIG
 * with err). waker and hooks are borrowed until the feed is closed; hooks may be NULL.
 * clock_start is the wall clock at open. The feed has history().
 *
 * Everything happens on the thread calling next() and history(), which call the hooks: error
 * (ARGO_EFEED) for every drop, retry, rate-limit wait and malformed message; status
 * gap_filling then running around the REST download that follows a reconnection; progress from
 * history() after each page. history() must not be called from inside a hook. next() returns
 * ARGO_FEED_FATAL only when the exchange cannot be reached max_attempts times in a row, and
 * ARGO_FEED_END only when the waker is stopped. */
ARGO_NODISCARD argo_err argo__feed_binance_open(argo__feed *out, const argo__settings *s,
                                                argo__waker *waker, const argo__feed_hooks *hooks,
                                                char *err, size_t errlen);
/* The same with explicit limits (opts NULL: the defaults). */
ARGO_NODISCARD argo_err argo__feed_binance_open_opts(argo__feed *out, const argo__settings *s,
                                                     argo__waker *waker,
                                                     const argo__feed_hooks *hooks,
                                                     const argo__binance_opts *opts, char *err,
                                                     size_t errlen);

/* ---- parsing (internal: the feed's own parsers of the exchange's bytes, exposed so that the
 * fuzz targets in fuzz/ run exactly the code the feed runs) ---- */

/* One element of a REST klines answer. */
typedef struct argo__binance_kline {
  size_t index;  /* position in the answer */
  int64_t ms;    /* open time in milliseconds; -1 when the kline is malformed or out of range */
  argo_candle c; /* the candle (c.symbol NULL) when why is "" */
  char why[160]; /* why it cannot be used ("kline 3 is malformed"), "" when it can */
} argo__binance_kline;

/* Parses a REST klines answer: a JSON array of klines [open time in ms, "open", "high", "low",
 * "close", "volume", ...], prices and volume as decimal text or numbers. Calls each for every
 * element, in order, until it returns non-zero; k is borrowed for the call. Returns the number
 * of elements of the array, or -1 when body is not a JSON array (why: jansson's message when it
 * is not JSON at all, "" when it is JSON of another kind). */
long argo__binance_parse_klines(const char *body, size_t len, int64_t interval_us,
                                int (*each)(void *user, const argo__binance_kline *k), void *user,
                                char *why, size_t whylen);

/* What a WebSocket message is checked against: the subscribed symbols (find returns a symbol's
 * index, or -1 for one that was not subscribed) and the interval ("1m", and in microseconds). */
typedef struct argo__binance_stream {
  int (*find)(void *user, const char *symbol);
  void *user;
  const char *interval;
  int64_t interval_us;
} argo__binance_stream;

enum {
  ARGO_BNC_MALFORMED = -1, /* why says what is wrong with it */
  ARGO_BNC_OTHER = 0,      /* an answer to a (un)subscribe request: not market data */
  ARGO_BNC_UPDATE = 1,     /* a valid kline still in progress: proves the connection works */
  ARGO_BNC_FINAL = 2       /* a finalized kline: *sym and *c (c->symbol NULL) are set */
};

/* Parses one message of the kline stream (combined {"stream": ..., "data": {...}} or a single
 * stream's event). Returns one of ARGO_BNC_*. A finalized kline's open time must be closed by
 * the wall clock. */
int argo__binance_parse_ws(const argo__binance_stream *st, const char *data, size_t len,
                           size_t *sym, argo_candle *c, char *why, size_t whylen);

#endif
