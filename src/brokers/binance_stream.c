/*
 * The Binance broker's user data stream (binance_int.h): one thread with its own libwebsockets
 * context holding one connection to the WebSocket API (ws[s]://host/ws-api/v3). On every
 * connection it subscribes, with userDataStream.subscribe.signature for an HMAC key, or
 * session.logon then userDataStream.subscribe for an Ed25519 key, one request at a time, each
 * answer matched by its request id. Then it turns every executionReport and
 * outboundAccountPosition ({"subscriptionId":N,"event":{...}}) into a bn_ev for the engine
 * thread's queue (argo__bn_parse_event). When the connection drops, a message is too large, a
 * subscription is refused for a reason that may pass (-1021, -1003 ...) or the exchange ends the
 * subscription (eventStreamTerminated), it says so (BN_EV_ERROR, not fatal) and connects again
 * after a growing delay with jitter; after every successful subscription it pushes
 * BN_EV_STREAM_UP, since what happened in between must be asked for over REST. A refusal of the
 * key itself (class AUTH: -1002, -1022, -2014, -2015) is fatal: one BN_EV_ERROR, and the thread
 * stops trying.
 *
 * Written from Binance's spot API documents: web-socket-api.md (request and response format,
 * session.logon, userDataStream.subscribe and .subscribe.signature, "SIGNED request security")
 * and user-data-stream.md (the events and their fields, eventStreamTerminated).
 *
 * Every message it writes quotes the configured URL masked (argo__mask_urls) and goes through
 * argo__bn_redact, so that neither the API key nor a signature can reach an event, a log or a
 * file; the requests that carry them are built in a buffer that only lws_write reads.
 *
 * It owns its thread, its lws context and its connection. It reads the keys and the clock and
 * pushes into the queue, all borrowed from the broker; it must not touch the ledger, the engine
 * or the REST worker (the clock is resynced there: a -1021 here is only retried).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libwebsockets.h>

#include "brokers/binance_errors.h"
#include "brokers/binance_int.h"
#include "util/mask.h"
#include "util/misc.h"
#include "util/strbuf.h"
#include "util/timeu.h"
#include "util/tls.h"

/* A message larger than this is not something the stream expects: the connection is dropped
 * (and made again) rather than the memory spent. */
#define MAX_MESSAGE (1u << 20)
/* The longest lws_service() blocks between looks at the stop flag and the reconnection timer;
 * lws_cancel_service() cuts it short on a stop. */
#define TICK_US 50000
/* The first reconnection delay (before jitter); it doubles up to cfg->max_backoff_us. */
#define BACKOFF_BASE_US ARGO_US_PER_SEC
#define DEFAULT_MAX_BACKOFF_US (30 * ARGO_US_PER_SEC)
/* lws gives up on a connection attempt (TCP, TLS and the upgrade) after this. */
#define CONNECT_TIMEOUT_S 10
/* Binance pings every 20 s; lws pings after this long without traffic and hangs up when no
 * answer came by the second. */
#define PING_AFTER_S 30
#define HANGUP_AFTER_S 60
#define PREFIX "binance user data stream: "

enum { CONN_IDLE, CONN_CONNECTING, CONN_OPEN };
/* Where the subscription of the current connection stands. */
enum { PH_NONE, PH_LOGON, PH_SUBSCRIBE, PH_UP };

struct bn_stream {
  /* Set by start, read-only after. */
  char *url;   /* as configured, masked (argo__mask_urls): what messages quote */
  char *parse; /* lws_parse_uri's copy: prot and host point into it */
  const char *prot, *host;
  int port;
  char *path; /* "/ws-api/v3", with the query string if any */
  int tls;
  const argo__bn_keys *keys;
  const bn_clock *clock;
  int64_t recv_window_ms;
  bn_queue *q;
  int64_t max_backoff_us;
  struct lws_context *lws;
  SSL_CTX *tls_ctx; /* the client TLS context lws uses (util/tls.h), freed after lws */
  lws_retry_bo_t idle_policy;
  pthread_t thread;
  int started;
  atomic_int stop;

  /* Shared with wait_up, under mu. */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int up;      /* a subscription has succeeded */
  int refused; /* the thread stopped for good; why in refused_msg */
  char refused_msg[ARGO_ERRMSG_MAX];

  /* The stream thread's own (and stop's, once the thread is joined). */
  lws_sorted_usec_list_t tick;
  int closing; /* the context is being destroyed: callbacks do nothing */
  int fatal;   /* stop trying */
  int conn;    /* CONN_* */
  uintptr_t conn_id;
  int ever_open;
  int phase; /* PH_* */
  int64_t next_id, pending_id;
  const char *pending_method;
  unsigned char *tx; /* the request waiting to be written, after LWS_PRE bytes */
  size_t tx_len;
  argo__sb rx;        /* a message being reassembled from fragments (at most MAX_MESSAGE) */
  int attempt;        /* failures since the last successful subscription */
  int64_t retry_at;   /* monotonic time of the next connection attempt */
  int64_t started_at; /* monotonic time the current attempt started */
  int close_code;
  char close_reason[128];
  argo__rng rng;
};

/* ---- messages and events ----------------------------------------------------------------- */

/* The message of an event: PREFIX and the text, URLs masked, the key and secret redacted, on
 * one line, cut to the event's size. */
static void vfmt_msg(const bn_stream *s, char *out, size_t len, const char *fmt, va_list ap)
    ARGO_PRINTF(4, 0);
static void vfmt_msg(const bn_stream *s, char *out, size_t len, const char *fmt, va_list ap) {
  char full[4096], masked[2048];
  memcpy(full, PREFIX, sizeof PREFIX);
  vsnprintf(full + sizeof PREFIX - 1, sizeof full - (sizeof PREFIX - 1), fmt, ap);
  argo__bn_redact(s->keys, full);
  argo__mask_urls(full, masked, sizeof masked);
  argo__one_line(masked);
  argo__strlcpy(out, masked, len);
}

static void push(bn_stream *s, bn_ev *ev) {
  if (argo__bnq_push(s->q, ev) != 0) {
    /* Out of memory: the event is lost; the next STREAM_UP makes the broker ask again. */
  }
}

static void emit_error(bn_stream *s, int fatal, int code, const char *fmt, ...) ARGO_PRINTF(4, 5);
static void emit_error(bn_stream *s, int fatal, int code, const char *fmt, ...) {
  bn_ev ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = BN_EV_ERROR;
  ev.fatal = fatal;
  ev.code = code;
  va_list ap;
  va_start(ap, fmt);
  vfmt_msg(s, ev.reason, sizeof ev.reason, fmt, ap);
  va_end(ap);
  push(s, &ev);
}

/* A subscription succeeded: the broker hears of it, and so does wait_up. */
static void stream_up(bn_stream *s) {
  s->phase = PH_UP;
  s->attempt = 0;
  bn_ev ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = BN_EV_STREAM_UP;
  push(s, &ev);
  pthread_mutex_lock(&s->mu);
  s->up = 1;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

/* The thread stops trying: one fatal event with the message, which wait_up returns too. */
static void give_up(bn_stream *s, int code, const char *fmt, ...) ARGO_PRINTF(3, 4);
static void give_up(bn_stream *s, int code, const char *fmt, ...) {
  s->fatal = 1;
  bn_ev ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = BN_EV_ERROR;
  ev.fatal = 1;
  ev.code = code;
  char msg[ARGO_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vfmt_msg(s, msg, sizeof msg, fmt, ap);
  va_end(ap);
  argo__strlcpy(ev.reason, msg, sizeof ev.reason);
  push(s, &ev);
  pthread_mutex_lock(&s->mu);
  s->refused = 1;
  argo__strlcpy(s->refused_msg, msg, sizeof s->refused_msg);
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

/* ---- events: the exchange's JSON to bn_ev ------------------------------------------------ */

/* The field readers: 0, or -1 with why set. */

/* A string that fits in out (len bytes); with opt, a missing field or null reads as "". */
static int get_str(const json_t *o, const char *key, int opt, char *out, size_t len, char *why,
                   size_t whylen) {
  const json_t *v = json_object_get(o, key);
  out[0] = '\0';
  if (opt && (!v || json_is_null(v))) {
    return 0;
  }
  const char *t = json_string_value(v);
  if (!t) {
    argo__fmt(why, whylen, "\"%s\" is %s, expected a string", key, v ? "not a string" : "missing");
    return -1;
  }
  if (strlen(t) >= len) {
    argo__fmt(why, whylen, "\"%s\" is longer than %zu characters", key, len - 1);
    return -1;
  }
  memcpy(out, t, strlen(t) + 1);
  return 0;
}

/* A decimal, finite and not negative: Binance writes quantities, prices and commissions as
 * strings ("0.01000000"), but a JSON number is taken too. */
static int get_dec(const json_t *o, const char *key, double *out, char *why, size_t whylen) {
  const json_t *v = json_object_get(o, key);
  const char *t = json_string_value(v);
  int ok = t ? argo__parse_double(t, out) == 0 : json_is_number(v);
  if (ok && !t) {
    *out = json_number_value(v);
  }
  if (!ok || !isfinite(*out) || *out < 0) {
    argo__fmt(why, whylen, "\"%s\" is %s, expected a decimal", key,
              v ? "not a decimal number at or above 0" : "missing");
    return -1;
  }
  return 0;
}

static int get_int(const json_t *o, const char *key, int64_t *out, char *why, size_t whylen) {
  const json_t *v = json_object_get(o, key);
  if (!json_is_integer(v)) {
    argo__fmt(why, whylen, "\"%s\" is %s, expected an integer", key,
              v ? "not an integer" : "missing");
    return -1;
  }
  *out = (int64_t)json_integer_value(v);
  return 0;
}

/* Milliseconds since the epoch (T, E, u) to argo's microseconds. */
static int get_ms(const json_t *o, const char *key, int64_t *us, char *why, size_t whylen) {
  int64_t ms;
  if (get_int(o, key, &ms, why, whylen) != 0) {
    return -1;
  }
  if (ms < 0 || ms > ARGO__TIME_MAX / 1000) {
    argo__fmt(why, whylen, "\"%s\" is %" PRId64 ", not a time in milliseconds", key, ms);
    return -1;
  }
  *us = ms * 1000;
  return 0;
}

/* executionReport (user-data-stream.md "Order Update"). The client id is the order's: c, but for
 * a CANCELED report C (origClientOrderId), since c is then the id of the cancel request. The
 * reason of a REJECTED report is r (INSUFFICIENT_BALANCES ...), of an EXPIRED one eR
 * (INSUFFICIENT_LIQUIDITY ...) when the exchange names one. */
static int parse_exec(const json_t *e, bn_ev *ev, char *why, size_t whylen) {
  char c[BN_CLIENT_ID_MAX], orig[BN_CLIENT_ID_MAX];
  if (get_str(e, "x", 0, ev->exec_type, sizeof ev->exec_type, why, whylen) != 0 ||
      get_str(e, "X", 0, ev->status, sizeof ev->status, why, whylen) != 0 ||
      get_str(e, "c", 0, c, sizeof c, why, whylen) != 0 ||
      get_str(e, "C", 1, orig, sizeof orig, why, whylen) != 0 ||
      get_int(e, "i", &ev->order_id, why, whylen) != 0 ||
      get_dec(e, "z", &ev->cum_qty, why, whylen) != 0 ||
      get_dec(e, "l", &ev->last_qty, why, whylen) != 0 ||
      get_dec(e, "L", &ev->last_price, why, whylen) != 0 ||
      get_dec(e, "n", &ev->commission, why, whylen) != 0 ||
      get_str(e, "N", 1, ev->commission_asset, sizeof ev->commission_asset, why, whylen) != 0 ||
      get_int(e, "t", &ev->trade_id, why, whylen) != 0 ||
      get_ms(e, "T", &ev->time_us, why, whylen) != 0) {
    return -1;
  }
  int cancel = strcmp(ev->exec_type, "CANCELED") == 0;
  argo__strlcpy(ev->client_id, cancel && orig[0] ? orig : c, sizeof ev->client_id);
  if (!ev->client_id[0]) {
    argo__fmt(why, whylen, "no client order id (\"c\"%s)", cancel ? " or \"C\"" : "");
    return -1;
  }
  if (strcmp(ev->exec_type, "TRADE") == 0 && ev->trade_id < 0) {
    argo__fmt(why, whylen, "a TRADE without a trade id (\"t\": %" PRId64 ")", ev->trade_id);
    return -1;
  }
  /* Words of the exchange's, only informative: cut to size rather than refused. */
  const char *r = json_string_value(json_object_get(e, "r"));
  const char *er = json_string_value(json_object_get(e, "eR"));
  if (strcmp(ev->exec_type, "REJECTED") == 0 && r && r[0] && strcmp(r, "NONE") != 0) {
    argo__strlcpy(ev->reason, r, sizeof ev->reason);
  } else if (strcmp(ev->exec_type, "EXPIRED") == 0 && er && er[0]) {
    argo__strlcpy(ev->reason, er, sizeof ev->reason);
  }
  ev->kind = BN_EV_EXEC;
  return 1;
}

/* outboundAccountPosition: the assets a transaction changed, B: [{a, f, l}]. */
static int parse_position(const json_t *e, bn_ev *ev, char *why, size_t whylen) {
  const json_t *b = json_object_get(e, "B");
  if (!json_is_array(b)) {
    argo__fmt(why, whylen, "\"B\" is %s, expected an array", b ? "not an array" : "missing");
    return -1;
  }
  /* The time of the account's last update (u), else the event's (E). */
  if (get_ms(e, json_object_get(e, "u") ? "u" : "E", &ev->time_us, why, whylen) != 0) {
    return -1;
  }
  size_t n = json_array_size(b);
  ev->bal = calloc(n ? n : 1, sizeof *ev->bal);
  if (!ev->bal) {
    argo__fmt(why, whylen, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    const json_t *x = json_array_get(b, i);
    bn_balance *o = &ev->bal[i];
    if (!json_is_object(x) || get_str(x, "a", 0, o->asset, sizeof o->asset, why, whylen) != 0 ||
        get_dec(x, "f", &o->free, why, whylen) != 0 ||
        get_dec(x, "l", &o->locked, why, whylen) != 0) {
      char inner[160];
      argo__strlcpy(inner, json_is_object(x) ? why : "not an object", sizeof inner);
      argo__fmt(why, whylen, "balance %zu of \"B\": %s", i, inner);
      free(ev->bal);
      ev->bal = NULL;
      return -1;
    }
  }
  ev->nbal = n;
  ev->full = 0;
  ev->kind = BN_EV_BALANCES;
  return 1;
}

int argo__bn_parse_event(const json_t *e, bn_ev *ev, char *why, size_t whylen) {
  char local[200];
  if (!why || !whylen) {
    why = local;
    whylen = sizeof local;
  }
  memset(ev, 0, sizeof *ev);
  why[0] = '\0';
  const json_t *inner = json_object_get(e, "event");
  if (json_is_object(inner)) {
    e = inner; /* a whole WebSocket API message */
  }
  if (!json_is_object(e)) {
    argo__fmt(why, whylen, "not a JSON object");
    return -1;
  }
  const char *type = json_string_value(json_object_get(e, "e"));
  if (!type) {
    argo__fmt(why, whylen, "no event type (\"e\")");
    return -1;
  }
  int r = 0;
  if (strcmp(type, "executionReport") == 0) {
    r = parse_exec(e, ev, why, whylen);
  } else if (strcmp(type, "outboundAccountPosition") == 0) {
    r = parse_position(e, ev, why, whylen);
  }
  if (r < 0) {
    free(ev->bal);
    memset(ev, 0, sizeof *ev);
  }
  return r;
}

/* ---- reconnection ------------------------------------------------------------------------ */

/* Delay before attempt n (1-based) of a series: exponential from BACKOFF_BASE_US, capped, with
 * jitter (between half the step and the step), so that many clients dropped at once do not
 * come back at once. */
static int64_t backoff_us(bn_stream *s, int n) {
  double cap = (double)s->max_backoff_us;
  double d = (double)BACKOFF_BASE_US < cap ? (double)BACKOFF_BASE_US : cap;
  for (int i = 1; i < n && d < cap; i++) {
    d *= 2;
  }
  if (d > cap) {
    d = cap;
  }
  return (int64_t)(d / 2 + argo__rng_uniform(&s->rng) * d / 2);
}

static void fmt_delay(int64_t us, char *out, size_t len) {
  if (us < 100000) {
    argo__fmt(out, len, "%lld ms", (long long)(us / 1000));
  } else {
    argo__fmt(out, len, "%.1f s", (double)us / 1e6);
  }
}

/* The current connection is over (or never was): callbacks of it are stale from here on, the
 * next attempt is scheduled (not before min_wait_us), and the broker is told what happened
 * ("what"; code: the exchange's, or 0) and when the stream tries again. */
static void conn_down(bn_stream *s, int code, int64_t min_wait_us, const char *what) {
  s->conn = CONN_IDLE;
  s->conn_id++;
  s->phase = PH_NONE;
  s->pending_id = 0;
  free(s->tx);
  s->tx = NULL;
  argo__sb_reset(&s->rx);
  if (s->fatal || atomic_load(&s->stop)) {
    return;
  }
  s->attempt++;
  int64_t wait = backoff_us(s, s->attempt);
  if (wait < min_wait_us) {
    wait = min_wait_us;
  }
  s->retry_at = argo__mono_us() + wait;
  char d[32];
  fmt_delay(wait, d, sizeof d);
  emit_error(s, 0, code, "%s; %s in %s", what, s->ever_open ? "reconnecting" : "retrying", d);
}

/* ---- requests ---------------------------------------------------------------------------- */

/* Queues the request {"id","method","params"} (params taken, may be NULL) for writing. 0, or -1
 * when out of memory. */
static int send_request(bn_stream *s, struct lws *wsi, const char *method, json_t *params) {
  int64_t id = ++s->next_id;
  json_t *req = json_pack("{s:I,s:s}", "id", (json_int_t)id, "method", method);
  if (req && params) {
    json_object_set_new(req, "params", params);
    params = NULL;
  }
  json_decref(params);
  char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
  json_decref(req);
  if (!text) {
    return -1;
  }
  size_t len = strlen(text);
  free(s->tx);
  s->tx = malloc(LWS_PRE + len);
  if (s->tx) {
    memcpy(s->tx + LWS_PRE, text, len);
  }
  /* The text holds the API key and a signature: nothing else gets to read it. */
  memset(text, 0, len);
  free(text);
  if (!s->tx) {
    return -1;
  }
  s->tx_len = len;
  s->pending_id = id;
  s->pending_method = method;
  lws_callback_on_writable(wsi);
  return 0;
}

/* The parameters of a SIGNED request (session.logon, userDataStream.subscribe.signature):
 * apiKey, timestamp on the exchange's clock, recvWindow when set, and the signature over them
 * (web-socket-api.md: sorted by name, joined with '&'). NULL when the signature failed. */
static json_t *signed_params(bn_stream *s) {
  char ts[32], rw[32], sig[ARGO_BN_SIGNATURE_MAX];
  int64_t now = argo__bn_server_ms(s->clock);
  argo__fmt(ts, sizeof ts, "%" PRId64, now);
  argo__fmt(rw, sizeof rw, "%" PRId64, s->recv_window_ms);
  const char *key = argo__bn_keys_api_key(s->keys);
  argo__bn_param p[3] = {{"apiKey", key}, {"timestamp", ts}, {"recvWindow", rw}};
  size_t n = s->recv_window_ms > 0 ? 3 : 2;
  if (argo__bn_ws_sign(s->keys, p, n, sig, sizeof sig) != ARGO_OK) {
    return NULL;
  }
  json_t *j =
      json_pack("{s:s,s:I,s:s}", "apiKey", key, "timestamp", (json_int_t)now, "signature", sig);
  if (j && n == 3) {
    json_object_set_new(j, "recvWindow", json_integer((json_int_t)s->recv_window_ms));
  }
  memset(sig, 0, sizeof sig);
  return j;
}

/* Sends the request of the current phase. 0, or -1 when it could not be built (then the
 * connection is already down or the stream has given up). */
static int send_phase(bn_stream *s, struct lws *wsi) {
  const char *method;
  json_t *params = NULL;
  if (s->phase == PH_SUBSCRIBE && argo__bn_keys_kind(s->keys) == ARGO_BN_KEY_ED25519) {
    method = "userDataStream.subscribe"; /* on the logged-on session: no parameters */
  } else {
    method = s->phase == PH_LOGON ? "session.logon" : "userDataStream.subscribe.signature";
    params = signed_params(s);
    if (!params) {
      give_up(s, 0, "%s could not be signed (libcrypto failed): not retrying", method);
      return -1;
    }
  }
  if (send_request(s, wsi, method, params) != 0) {
    conn_down(s, 0, 0, "out of memory building a request");
    return -1;
  }
  return 0;
}

/* ---- what the exchange says -------------------------------------------------------------- */

/* An error answer to the pending request: fatal when it is about the key, else the connection
 * is dropped and made again (after error.data.retryAfter, if given). Always -1 (close). */
static int refused(bn_stream *s, struct lws *wsi, const json_t *msg) {
  const json_t *err = json_object_get(msg, "error");
  int code = (int)json_integer_value(json_object_get(err, "code"));
  const char *emsg = json_string_value(json_object_get(err, "msg"));
  long status = (long)json_integer_value(json_object_get(msg, "status"));
  char reason[300], what[ARGO_ERRMSG_MAX];
  argo__bn_error_reason(code, emsg, reason, sizeof reason);
  argo__fmt(what, sizeof what, "%s refused by %s (HTTP status %ld): %s", s->pending_method, s->url,
            status, reason);
  lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
  if (argo__bn_error_class(code, emsg) == ARGO_BN_ERR_AUTH || code == -1022 || code == -2014 ||
      code == -2015) {
    give_up(s, code,
            "%s; the API key is not accepted (check the key, its secret or private key, and its "
            "permissions): not retrying",
            what);
    conn_down(s, code, 0, what);
    return -1;
  }
  /* retryAfter is the exchange's time (ms) from which requests are accepted again. */
  int64_t min_wait = 0;
  const json_t *ra = json_object_get(json_object_get(err, "data"), "retryAfter");
  if (json_is_integer(ra)) {
    min_wait = ((int64_t)json_integer_value(ra) - argo__bn_server_ms(s->clock)) * 1000;
  }
  conn_down(s, code, min_wait, what);
  return -1;
}

/* The answer to a request. 0, or -1 to close the connection. */
static int on_response(bn_stream *s, struct lws *wsi, const json_t *msg) {
  const json_t *id = json_object_get(msg, "id");
  long status = (long)json_integer_value(json_object_get(msg, "status"));
  /* An answer to a request the server could not read carries "id": null. */
  int ours = s->pending_id && (json_is_integer(id) ? json_integer_value(id) == s->pending_id
                                                   : json_is_null(id) && status != 200);
  if (!ours) {
    return 0;
  }
  s->pending_id = 0;
  if (status != 200) {
    return refused(s, wsi, msg);
  }
  if (s->phase == PH_LOGON) {
    s->phase = PH_SUBSCRIBE;
    return send_phase(s, wsi);
  }
  if (s->phase == PH_SUBSCRIBE) {
    stream_up(s);
  }
  return 0;
}

/* A user data event. 0, or -1 to close the connection. */
static int on_event(bn_stream *s, struct lws *wsi, const json_t *event, const char *data,
                    size_t len) {
  const char *type = json_string_value(json_object_get(event, "e"));
  if (type && strcmp(type, "eventStreamTerminated") == 0) {
    /* A new connection starts from a clean state (a session.logon session included) rather
     * than subscribing again on this one. */
    char what[ARGO_ERRMSG_MAX];
    lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
    argo__fmt(what, sizeof what,
              "the exchange ended the subscription on %s (eventStreamTerminated)", s->url);
    conn_down(s, 0, 0, what);
    return -1;
  }
  bn_ev ev;
  char why[200];
  int r = argo__bn_parse_event(event, &ev, why, sizeof why);
  if (r == 1) {
    push(s, &ev);
  } else if (r < 0) {
    char snip[200];
    argo__snippet(data, len, snip, sizeof snip);
    emit_error(s, 0, 0, "malformed event from %s skipped: %s: %s", s->url, why, snip);
  }
  return 0;
}

/* One whole message. 0, or -1 to close the connection. */
static int on_message(bn_stream *s, struct lws *wsi, const char *data, size_t len) {
  json_error_t jerr;
  json_t *msg = json_loadb(data, len, 0, &jerr);
  if (!json_is_object(msg)) {
    char snip[200];
    argo__snippet(data, len, snip, sizeof snip);
    emit_error(s, 0, 0, "message from %s is not a JSON object (%s): %s; skipped", s->url,
               msg ? "another JSON value" : jerr.text, snip);
    json_decref(msg);
    return 0;
  }
  lws_validity_confirmed(wsi);
  int rc = 0;
  const json_t *event = json_object_get(msg, "event");
  if (json_is_object(event)) {
    rc = on_event(s, wsi, event, data, len);
  } else if (json_object_get(msg, "status")) {
    rc = on_response(s, wsi, msg);
  }
  json_decref(msg);
  return rc;
}

/* ---- libwebsockets ----------------------------------------------------------------------- */

static int on_receive(bn_stream *s, struct lws *wsi, const void *in, size_t len) {
  if (lws_is_first_fragment(wsi)) {
    argo__sb_reset(&s->rx);
  }
  /* Dropped as soon as it is too large, without waiting for (or keeping) the rest of it. */
  if (s->rx.len + len > MAX_MESSAGE || (argo__sb_add(&s->rx, in, len), argo__sb_failed(&s->rx))) {
    char what[ARGO_ERRMSG_MAX];
    if (argo__sb_failed(&s->rx)) {
      argo__fmt(what, sizeof what, "connection to %s dropped (out of memory for a message)",
                s->url);
    } else {
      argo__fmt(what, sizeof what, "connection to %s dropped (a message larger than %u bytes)",
                s->url, MAX_MESSAGE);
    }
    lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
    conn_down(s, 0, 0, what);
    return -1;
  }
  if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0) {
    return 0;
  }
  int rc = on_message(s, wsi, s->rx.buf ? s->rx.buf : "", s->rx.len);
  argo__sb_reset(&s->rx);
  return rc;
}

static int on_writeable(bn_stream *s, struct lws *wsi) {
  if (!s->tx) {
    return 0;
  }
  int w = lws_write(wsi, s->tx + LWS_PRE, s->tx_len, LWS_WRITE_TEXT);
  memset(s->tx, 0, LWS_PRE + s->tx_len);
  free(s->tx);
  s->tx = NULL;
  if (w < (int)s->tx_len) {
    char what[ARGO_ERRMSG_MAX];
    argo__fmt(what, sizeof what, "connection to %s lost (a request could not be written)", s->url);
    conn_down(s, 0, 0, what);
    return -1;
  }
  return 0;
}

static int on_established(bn_stream *s, struct lws *wsi) {
  s->conn = CONN_OPEN;
  s->ever_open = 1;
  s->close_code = 0;
  s->close_reason[0] = '\0';
  argo__sb_reset(&s->rx);
  s->phase = argo__bn_keys_kind(s->keys) == ARGO_BN_KEY_ED25519 ? PH_LOGON : PH_SUBSCRIBE;
  return send_phase(s, wsi);
}

static void on_closed(bn_stream *s) {
  char why[256], what[ARGO_ERRMSG_MAX];
  if (s->close_code) {
    argo__fmt(why, sizeof why, "closed by the exchange with code %d%s%s", s->close_code,
              s->close_reason[0] ? ": " : "", s->close_reason);
  } else {
    argo__fmt(why, sizeof why,
              "closed without a close frame: a network error, or no traffic "
              "for too long");
  }
  argo__fmt(what, sizeof what, "connection to %s lost (%s)", s->url, why);
  conn_down(s, 0, 0, what);
}

static void on_connection_error(bn_stream *s, const char *in) {
  char text[200], what[ARGO_ERRMSG_MAX];
  argo__snippet(in ? in : "", in ? strlen(in) : 0, text, sizeof text);
  /* lws' TLS errors are OpenSSL's codes; say what they usually mean. */
  argo__fmt(what, sizeof what, "cannot connect to %s (%s%s)", s->url,
            text[0] ? text : "connection failed",
            strstr(text, "SSL") ? "; TLS failed: is the server's certificate trusted by the "
                                  "system's store?"
                                : "");
  conn_down(s, 0, 0, what);
}

static int lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                  size_t len) {
  (void)user;
  struct lws_context *lc = wsi ? lws_get_context(wsi) : NULL;
  bn_stream *s = lc ? lws_context_user(lc) : NULL;
  if (!s || s->closing) {
    return 0;
  }
  /* Callbacks of a connection that is no longer the current one are stale. */
  uintptr_t id = (uintptr_t)lws_get_opaque_user_data(wsi);
  int current = id == s->conn_id && s->conn != CONN_IDLE;
  switch (reason) {
  case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    if (current) {
      on_connection_error(s, in);
    }
    return 0;
  case LWS_CALLBACK_CLIENT_ESTABLISHED:
    return current ? on_established(s, wsi) : -1;
  case LWS_CALLBACK_CLIENT_RECEIVE:
    return current ? on_receive(s, wsi, in, len) : -1;
  case LWS_CALLBACK_CLIENT_WRITEABLE:
    return current ? on_writeable(s, wsi) : 0;
  case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
    if (current && in && len >= 2) {
      const unsigned char *p = in;
      s->close_code = (p[0] << 8) | p[1];
      argo__snippet((const char *)p + 2, len - 2, s->close_reason, sizeof s->close_reason);
    }
    return 0;
  case LWS_CALLBACK_CLIENT_CLOSED:
    if (current) {
      on_closed(s);
    }
    return 0;
  default:
    return 0;
  }
}

static const struct lws_protocols protocols[] = {
    {"argo-binance-user", lws_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0}, /* terminator */
};

static void conn_start(bn_stream *s) {
  struct lws_client_connect_info ci;
  memset(&ci, 0, sizeof ci);
  ci.context = s->lws;
  ci.address = s->host;
  ci.port = s->port;
  ci.ssl_connection = s->tls ? LCCSCF_USE_SSL : 0;
  ci.path = s->path;
  ci.host = s->host;
  ci.origin = s->host;
  ci.protocol = NULL; /* the exchange speaks no subprotocol */
  ci.local_protocol_name = protocols[0].name;
  ci.alpn = "http/1.1";
  ci.retry_and_idle_policy = &s->idle_policy;
  ci.opaque_user_data = (void *)++s->conn_id;
  s->conn = CONN_CONNECTING;
  s->started_at = argo__mono_us();
  if (!lws_client_connect_via_info(&ci) && s->conn == CONN_CONNECTING) {
    /* Failed before any callback (for example a host name that does not resolve). */
    on_connection_error(s, "the connection could not be started (host name not resolved?)");
  }
}

static void tick(lws_sorted_usec_list_t *sul) {
  bn_stream *s = lws_container_of(sul, bn_stream, tick);
  lws_sul_schedule(s->lws, 0, &s->tick, tick, TICK_US);
}

/* The thread: connect when it is time, and service lws (at most TICK_US at a time) until a
 * stop. After a fatal refusal it connects no more, but goes on servicing lws until the stop, so
 * that the closing connection finishes its close handshake. */
static void *run(void *arg) {
  bn_stream *s = arg;
  argo__thread_name("argo-bn-stream");
  while (!atomic_load(&s->stop)) {
    int64_t now = argo__mono_us();
    if (s->fatal) {
      /* nothing to start */
    } else if (s->conn == CONN_IDLE && now >= s->retry_at) {
      conn_start(s);
    } else if (s->conn == CONN_CONNECTING &&
               now - s->started_at > (2 * CONNECT_TIMEOUT_S + 5) * ARGO_US_PER_SEC) {
      /* lws times attempts out by itself; this guards against one that never reports back. */
      char what[ARGO_ERRMSG_MAX];
      argo__fmt(what, sizeof what, "cannot connect to %s (the attempt timed out)", s->url);
      conn_down(s, 0, 0, what);
    }
    lws_service(s->lws, 0);
  }
  return NULL;
}

/* ---- start, wait, stop ------------------------------------------------------------------- */

/* Checks and splits the URL (in s->parse): ws or wss, a host, a port; the path keeps its query
 * string (returnRateLimits=false, for one). */
static argo_err split_url(bn_stream *s, char *err, size_t errlen) {
  const char *path = NULL;
  int blank = strpbrk(s->parse, " \t\r\n") != NULL;
  if (blank || lws_parse_uri(s->parse, &s->prot, &s->host, &s->port, &path) != 0 ||
      (strcmp(s->prot, "ws") != 0 && strcmp(s->prot, "wss") != 0) || !*s->host || s->port <= 0 ||
      s->port > 65535) {
    argo__fmt(err, errlen,
              "trading.binance.ws_api_url: expected ws://host[:port]/path or wss://..., got '%s'",
              s->url);
    return ARGO_ECONFIG;
  }
  s->tls = strcmp(s->prot, "wss") == 0;
  size_t n = strlen(path ? path : "");
  s->path = malloc(n + 2);
  if (!s->path) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  s->path[0] = '/';
  memcpy(s->path + 1, path ? path : "", n + 1);
  return ARGO_OK;
}

static argo_err make_context(bn_stream *s, char *err, size_t errlen) {
  /* lws pings after PING_AFTER_S without traffic and drops the connection after
   * HANGUP_AFTER_S; every message counts as traffic (lws_validity_confirmed). */
  s->idle_policy.secs_since_valid_ping = PING_AFTER_S;
  s->idle_policy.secs_since_valid_hangup = HANGUP_AFTER_S;
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = protocols;
  info.user = s;
  /* TLS with the system's trust store (lws loads OpenSSL's default verify paths). */
  info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  s->tls_ctx = argo__tls_client_ctx(err, errlen);
  if (!s->tls_ctx) {
    return ARGO_EBROKER;
  }
  info.provided_client_ssl_ctx = s->tls_ctx;
  info.fd_limit_per_thread = 16; /* one connection, plus lws' own event pipe */
  info.timeout_secs = CONNECT_TIMEOUT_S;
  info.connect_timeout_secs = CONNECT_TIMEOUT_S;
  info.retry_and_idle_policy = &s->idle_policy;
  s->lws = lws_create_context(&info);
  if (!s->lws) {
    argo__fmt(err, errlen, PREFIX "libwebsockets could not create its context");
    return ARGO_EBROKER;
  }
  lws_sul_schedule(s->lws, 0, &s->tick, tick, TICK_US);
  return ARGO_OK;
}

static argo_err init_sync(bn_stream *s, char *err, size_t errlen) {
  pthread_condattr_t ca;
  if (pthread_condattr_init(&ca) != 0) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  int rc = pthread_cond_init(&s->cv, &ca);
  pthread_condattr_destroy(&ca);
  if (rc != 0) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  pthread_mutex_init(&s->mu, NULL);
  return ARGO_OK;
}

argo_err argo__bn_stream_start(bn_stream **out, const bn_stream_cfg *cfg, char *err,
                               size_t errlen) {
  *out = NULL;
  if (!cfg || !cfg->url || !cfg->keys || !cfg->q) {
    argo__fmt(err, errlen, PREFIX "missing URL, keys or queue");
    return ARGO_EINVAL;
  }
  bn_stream *s = calloc(1, sizeof *s);
  if (!s) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  argo_err rc = init_sync(s, err, errlen);
  if (rc != ARGO_OK) {
    free(s);
    return rc;
  }
  s->keys = cfg->keys;
  s->clock = cfg->clock;
  s->recv_window_ms = cfg->recv_window_ms;
  s->q = cfg->q;
  s->max_backoff_us = cfg->max_backoff_us > 0 ? cfg->max_backoff_us : DEFAULT_MAX_BACKOFF_US;
  argo__sb_init(&s->rx);
  argo__rng_seed(&s->rng, (uint64_t)argo__mono_us() ^ (uint64_t)(uintptr_t)s);
  char shown[1024];
  argo__mask_urls(cfg->url, shown, sizeof shown);
  s->url = argo__strdup(shown);
  s->parse = argo__strdup(cfg->url);
  if (!s->url || !s->parse) {
    argo__fmt(err, errlen, "out of memory");
    rc = ARGO_ENOMEM;
    goto fail;
  }
  if ((rc = split_url(s, err, errlen)) != ARGO_OK ||
      (rc = make_context(s, err, errlen)) != ARGO_OK) {
    goto fail;
  }
  if (pthread_create(&s->thread, NULL, run, s) != 0) {
    argo__fmt(err, errlen, PREFIX "its thread could not be started");
    rc = ARGO_EBROKER;
    goto fail;
  }
  s->started = 1;
  *out = s;
  return ARGO_OK;
fail:
  argo__bn_stream_stop(s);
  return rc;
}

int argo__bn_stream_wait_up(bn_stream *s, int64_t timeout_us, char *err, size_t errlen) {
  struct timespec dl;
  clock_gettime(CLOCK_MONOTONIC, &dl);
  int64_t ns = (int64_t)dl.tv_nsec + (timeout_us > 0 ? timeout_us : 0) % ARGO_US_PER_SEC * 1000;
  dl.tv_sec += (time_t)((timeout_us > 0 ? timeout_us : 0) / ARGO_US_PER_SEC + ns / 1000000000);
  dl.tv_nsec = (long)(ns % 1000000000);
  pthread_mutex_lock(&s->mu);
  while (!s->up && !s->refused) {
    if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) == ETIMEDOUT) {
      break;
    }
  }
  int r = s->refused ? -1 : s->up ? 1 : 0;
  if (r < 0 && err && errlen) {
    argo__strlcpy(err, s->refused_msg, errlen);
  }
  pthread_mutex_unlock(&s->mu);
  return r;
}

void argo__bn_stream_stop(bn_stream *s) {
  if (!s) {
    return;
  }
  if (s->started) {
    atomic_store(&s->stop, 1);
    lws_cancel_service(s->lws); /* safe from any thread: ends the thread's lws_service at once */
    pthread_join(s->thread, NULL);
  }
  /* The thread is gone: its fields are this thread's now. */
  s->closing = 1;
  if (s->lws) {
    lws_sul_cancel(&s->tick);
    lws_context_destroy(s->lws);
  }
  SSL_CTX_free(s->tls_ctx);
  if (s->tx) {
    memset(s->tx, 0, LWS_PRE + s->tx_len);
    free(s->tx);
  }
  argo__sb_free(&s->rx);
  free(s->path);
  free(s->parse);
  free(s->url);
  pthread_cond_destroy(&s->cv);
  pthread_mutex_destroy(&s->mu);
  free(s);
}
