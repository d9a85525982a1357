/*
 * The Binance feed's insides, shared by its files and by nothing else: binance.c (the feed:
 * open, next, close, the queues, gap fill, the messages), binance_ws.c (the WebSocket stream and
 * its reconnection), binance_rest.c (klines over libcurl: history and gap fill) and
 * binance_parse.c (the exchange's bytes to candles). No other module includes it; the feed's
 * public face is feeds/binance.h.
 */
#ifndef ARGO_FEED_BINANCE_INT_H
#define ARGO_FEED_BINANCE_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <libwebsockets.h>

#include "feeds/binance.h"
#include "util/misc.h"
#include "util/strbuf.h"
#include "util/tls.h"
#include "util/util.h"

/* The longest lws_service() or a REST poll may block: how promptly a stop is seen while the
 * feed waits. */
#define TICK_US 50000

typedef struct bsym {
  char *name;      /* as configured; delivered candles point here */
  char stream[40]; /* lower case, for the stream name */
  int64_t last;    /* open time of the last candle delivered */
  int has_last;
} bsym;

/* A queued candle of symbol sym, or (msg non-NULL) a problem to report. */
typedef struct item {
  size_t sym;
  argo_candle c;
  char *msg;
} item;

typedef struct queue {
  item *v;
  size_t head, len, cap;
} queue;

enum { CONN_IDLE, CONN_CONNECTING, CONN_OPEN };

typedef struct bnc {
  argo__waker *waker;
  argo__feed_hooks hooks;
  argo__binance_opts opt;
  bsym *syms;
  size_t nsym;
  const char *iv_name;
  int64_t iv_us;
  int64_t clock0;

  /* WebSocket (binance_ws.c) */
  char *ws_url;   /* as configured, for messages */
  char *ws_parse; /* lws_parse_uri's copy: ws_prot, ws_host point into it */
  const char *ws_prot, *ws_host;
  int ws_port;
  char *ws_path; /* "/stream?streams=..." */
  struct lws_context *lws;
  SSL_CTX *tls; /* the client TLS context lws uses (util/tls.h), freed after lws */
  lws_sorted_usec_list_t tick;
  lws_retry_bo_t idle_policy;
  int conn;          /* CONN_* */
  uintptr_t conn_id; /* of the current connection, to ignore callbacks of older ones */
  int attempt;       /* consecutive failed attempts so far (0 after a working connection) */
  int ever_open;     /* a connection was established before: the next one fills the gap */
  int need_fill;
  int64_t retry_at;   /* monotonic time of the next connection attempt */
  int64_t started_at; /* monotonic time the current attempt started */
  int close_code;
  char close_reason[128];
  int closing; /* close() is tearing the context down: callbacks do nothing */
  argo__sb rx; /* a message being reassembled from fragments */
  int rx_overflow;
  int fatal;
  char fatal_msg[ARGO_ERRMSG_MAX];

  queue in;  /* parsed live candles and problems, in arrival order */
  queue out; /* candles ready for delivery (gap fill first, then live) */

  /* REST (binance_rest.c) */
  char *rest_url; /* without a trailing '/' */
  CURLM *multi;
  CURL *easy;
  argo__sb body;
  int body_overflow;
  int64_t retry_after_us; /* from the last answer's Retry-After, -1 if none */
  char curl_err[CURL_ERROR_SIZE];
  char *hist_sym; /* symbol of the current history() call, when not one of ours */

  argo__rng rng;
} bnc;

/* ---- binance.c: helpers of every part ---- */

/* Appends it to q; 0, or -1 when out of memory. */
int argo__binance_q_push(queue *q, const item *it);
/* Every message of this feed is formatted through here: the URLs in it (the configured base
 * URLs may hold a password or a token: http://user:secret@host/?token=...) are masked
 * (argo__mask_urls) before the text is cut to buf's size, so that no part of a secret reaches
 * an error message, an events line or standard error. */
void argo__binance_vfmt_masked(char *buf, size_t len, const char *fmt, va_list ap)
    ARGO_PRINTF(3, 0);
void argo__binance_fmt_masked(char *buf, size_t len, const char *fmt, ...) ARGO_PRINTF(3, 4);
/* Reports a problem now (on the engine thread, never from inside an lws callback). */
void argo__binance_report(bnc *b, const char *fmt, ...) ARGO_PRINTF(2, 3);
/* The first bytes of a message, on one line, for a report. */
void argo__binance_snippet(const char *data, size_t len, char *out, size_t outlen);
/* Delay before attempt n (1-based) of a series: exponential, capped, with jitter. */
int64_t argo__binance_backoff_us(bnc *b, int n, int64_t base, int64_t cap);
/* A delay for a message: "1.3 s", or "250 ms" below a tenth of a second. */
void argo__binance_fmt_delay(int64_t us, char *out, size_t len);
/* The index of the subscribed symbol name (any case), or -1. */
int argo__binance_find_sym(const bnc *b, const char *name);

/* ---- binance_ws.c: the kline stream ---- */

/* Checks and splits b->ws_url; builds the stream path. ARGO_ECONFIG or ARGO_ENOMEM (err). */
ARGO_NODISCARD argo_err argo__binance_ws_url(bnc *b, char *err, size_t errlen);
/* Creates the lws context (nothing is connected yet) and its tick. ARGO_EFEED (err). */
ARGO_NODISCARD argo_err argo__binance_ws_start(bnc *b, char *err, size_t errlen);
/* One turn of next()'s loop on the connection: connects when it is time, gives up on an attempt
 * that never reports back, or services lws for up to TICK_US. 1 if a stop ended a wait. */
int argo__binance_ws_step(bnc *b);
/* Tears the lws context down; its callbacks do nothing from here on. */
void argo__binance_ws_close(bnc *b);

/* ---- binance_rest.c: klines over libcurl ---- */

/* Where fetched candles go: returns non-zero to stop. */
typedef int (*argo__binance_sink)(void *user, size_t sym, const argo_candle *c);

/* Sets up the curl handles; 0 or -1. */
int argo__binance_rest_open(bnc *b);
void argo__binance_rest_close(bnc *b);
/* Downloads the candles of symbol (delivered with name, our index sym) with open times in
 * [from_us, to_us), in time order, into sink; with finalized, only candles already closed by
 * the wall clock. progress: report through hooks->progress. 0 done (or sink stopped), 1 stopped,
 * -1 failed (err). */
int argo__binance_rest_fetch(bnc *b, const char *symbol, const char *name, size_t sym,
                             int64_t from_us, int64_t to_us, int finalized, int progress,
                             argo__binance_sink sink, void *user, char *err, size_t errlen);
/* The feed's history() (argo__feed_ops). */
int argo__binance_history(void *impl, const char *symbol, int64_t from_us, int64_t to_us,
                          const argo__history_sink *sink, char *err, size_t errlen);

#endif
