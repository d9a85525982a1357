/*
 * Binance feed: live candles from the exchange's combined kline stream (one WebSocket for all
 * symbols, <ws_url>/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m), of which only finalized
 * candles ("x": true) are delivered, and history from the REST klines endpoint
 * (<rest_url>/api/v3/klines), paginated by 1000. libwebsockets speaks WebSocket (and answers
 * the exchange's pings), libcurl speaks HTTP, jansson parses JSON; TLS uses the system's
 * certificate store through both (lws' OS CA default, libcurl's default CA bundle).
 *
 * Threading: none of its own. Everything runs on the thread that calls next() and history()
 * (the engine thread), so the hooks are called there too. next() drives the lws event loop with
 * lws_service(); since lws waits until its next scheduled event whatever timeout it is given,
 * the feed keeps a timer that fires every TICK_US, so that each lws_service() returns within
 * that time and next() can check the waker (a stop ends next() with ARGO_FEED_END) and run the
 * engine's housekeeping hook (argo__waker_sleep_until with a deadline in the past). REST
 * requests run through a curl multi handle polled the same way. Messages that lws hands to the
 * protocol callback are parsed there and queued; next() reports and delivers them outside the
 * callback.
 *
 * Reconnection: the first next() connects. When the connection fails or drops (the exchange
 * cuts every connection after 24 hours), the drop is reported through hooks->error ("connection
 * lost: ...; reconnecting in 1.3 s (attempt 2 of 10)") and the feed reconnects after an
 * exponential backoff with jitter (a delay d = min(cap, base * 2^(n-1)) drawn uniformly from
 * [d/2, d]). After max_attempts consecutive failures next() returns ARGO_FEED_FATAL naming the
 * URL and the last reason. Once a reconnection delivers its first finalized candle at time T,
 * the feed reports status gap_filling, downloads by REST for every symbol the candles from its
 * last delivered open time + interval up to T, queues them in time order before T, and reports
 * running. A gap in the live stream of one symbol (a candle later than the last one plus an
 * interval) is filled the same way, for that symbol only. Candles not later than the last one
 * delivered for their symbol (duplicates, late candles) are dropped. Malformed messages are
 * reported and skipped.
 *
 * REST requests are retried after network errors and HTTP 5xx (http_retries, with backoff),
 * and wait as the exchange asks after HTTP 429/418 (Retry-After), sleeping on the waker so that
 * a stop ends the wait; other HTTP errors fail at once with the exchange's message.
 *
 * Every message goes through fmt_masked: the base URLs are the user's and may carry a password
 * or a token (http://user:secret@host/?token=...), so the URLs in a message are masked
 * (util/mask.h) before it reaches hooks->error or an err buffer.
 *
 * Depends on libwebsockets, libcurl, jansson and the util helpers. Process-wide side effects
 * of the libraries: curl_global_init once, lws logging silenced once (the library never
 * prints), and lws ignores SIGPIPE.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libwebsockets.h>

#include "feeds/binance.h"
#include "util/mask.h"
#include "util/misc.h"
#include "util/strbuf.h"
#include "util/timeu.h"
#include "util/util.h"

/* The longest lws_service() may block: how promptly a stop is seen while the feed waits. */
#define TICK_US 50000
/* Candles per REST request (the exchange's maximum). */
#define KLINES_LIMIT 1000
/* A WebSocket message or REST body larger than this is not market data. */
#define MAX_MESSAGE (1u << 20)
#define MAX_BODY (64u << 20)

/* Binance's kline intervals that argo's configuration can express (1s to 1d). */
static const struct {
  const char *name;
  int64_t us;
} intervals[] = {
    {"1s", INT64_C(1000000)},     {"1m", INT64_C(60000000)},    {"3m", INT64_C(180000000)},
    {"5m", INT64_C(300000000)},   {"15m", INT64_C(900000000)},  {"30m", INT64_C(1800000000)},
    {"1h", INT64_C(3600000000)},  {"2h", INT64_C(7200000000)},  {"4h", INT64_C(14400000000)},
    {"6h", INT64_C(21600000000)}, {"8h", INT64_C(28800000000)}, {"12h", INT64_C(43200000000)},
    {"1d", INT64_C(86400000000)},
};

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

  /* WebSocket */
  char *ws_url;   /* as configured, for messages */
  char *ws_parse; /* lws_parse_uri's copy: ws_prot, ws_host point into it */
  const char *ws_prot, *ws_host;
  int ws_port;
  char *ws_path; /* "/stream?streams=..." */
  struct lws_context *lws;
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

  /* REST */
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

/* ---- small helpers ----------------------------------------------------------------------- */

void argo__binance_opts_default(argo__binance_opts *o) {
  memset(o, 0, sizeof *o);
  o->max_attempts = 10;
  o->backoff_min_us = INT64_C(1000000);
  o->backoff_max_us = INT64_C(30000000);
  o->http_retries = 5;
  o->rate_limit_retries = 10;
  o->max_retry_after_us = INT64_C(300000000);
  o->connect_timeout_us = INT64_C(10000000);
  o->request_timeout_us = INT64_C(60000000);
  o->ping_after_s = 30;
  o->hangup_after_s = 75;
}

static int q_push(queue *q, const item *it) {
  if (q->head == q->len) {
    q->head = q->len = 0;
  }
  if (argo__grow((void **)&q->v, &q->cap, q->len + 1, sizeof *q->v) != 0) {
    return -1;
  }
  q->v[q->len++] = *it;
  return 0;
}

static int q_pop(queue *q, item *it) {
  if (q->head == q->len) {
    return 0;
  }
  *it = q->v[q->head++];
  return 1;
}

static void q_free(queue *q) {
  for (size_t i = q->head; i < q->len; i++) {
    free(q->v[i].msg);
  }
  free(q->v);
  memset(q, 0, sizeof *q);
}

/* Every message of this feed is formatted through here: the URLs in it (the configured base
 * URLs may hold a password or a token: http://user:secret@host/?token=...) are masked
 * (argo__mask_urls) before the text is cut to buf's size, so that no part of a secret reaches
 * an error message, an events line or standard error. */
static void vfmt_masked(char *buf, size_t len, const char *fmt, va_list ap) ARGO_PRINTF(3, 0);
static void vfmt_masked(char *buf, size_t len, const char *fmt, va_list ap) {
  char full[8192];
  vsnprintf(full, sizeof full, fmt, ap);
  argo__mask_urls(full, buf, len);
}

static void fmt_masked(char *buf, size_t len, const char *fmt, ...) ARGO_PRINTF(3, 4);
static void fmt_masked(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfmt_masked(buf, len, fmt, ap);
  va_end(ap);
}

/* Reports a problem now (on the engine thread). */
static void report(bnc *b, const char *fmt, ...) ARGO_PRINTF(2, 3);
static void report(bnc *b, const char *fmt, ...) {
  if (!b->hooks.error) {
    return;
  }
  char msg[ARGO_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vfmt_masked(msg, sizeof msg, fmt, ap);
  va_end(ap);
  b->hooks.error(b->hooks.user, ARGO_EFEED, msg);
}

/* Queues a problem for next() to report (from inside an lws callback). */
static void report_later(bnc *b, const char *fmt, ...) ARGO_PRINTF(2, 3);
static void report_later(bnc *b, const char *fmt, ...) {
  char msg[ARGO_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vfmt_masked(msg, sizeof msg, fmt, ap);
  va_end(ap);
  item it = {.msg = argo__strdup(msg)};
  if (!it.msg || q_push(&b->in, &it) != 0) {
    free(it.msg); /* out of memory: the report is lost, the feed goes on */
  }
}

static void status(bnc *b, argo_engine_status st) {
  if (b->hooks.status) {
    b->hooks.status(b->hooks.user, st);
  }
}

/* The first bytes of a message, on one line, for a report. */
static void snippet(const char *data, size_t len, char *out, size_t outlen) {
  size_t n = len < outlen - 4 ? len : outlen - 4;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)data[i];
    out[i] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
  }
  if (n < len) {
    memcpy(out + n, "...", 3);
    n += 3;
  }
  out[n] = '\0';
}

/* Delay before attempt n (1-based) of a series: exponential, capped, with jitter. */
static int64_t backoff_us(bnc *b, int n, int64_t base, int64_t cap) {
  double d = (double)base;
  for (int i = 1; i < n && d < (double)cap; i++) {
    d *= 2;
  }
  if (d > (double)cap) {
    d = (double)cap;
  }
  return (int64_t)(d / 2 + argo__rng_uniform(&b->rng) * d / 2);
}

/* A delay for a message: "1.3 s", or "250 ms" below a tenth of a second would read "0.0 s". */
static void fmt_delay(int64_t us, char *out, size_t len) {
  if (us < 100000) {
    argo__fmt(out, len, "%lld ms", (long long)(us / 1000));
  } else {
    argo__fmt(out, len, "%.1f s", (double)us / 1e6);
  }
}

/* Sleeps on the waker; 1 if a stop ended it. */
static int pause_us(bnc *b, int64_t us) {
  return argo__waker_sleep_until(b->waker, argo__mono_us() + us);
}

static int find_sym(const bnc *b, const char *name) {
  for (size_t i = 0; i < b->nsym; i++) {
    if (strcasecmp(b->syms[i].name, name) == 0) {
      return (int)i;
    }
  }
  return -1;
}

/* A price or volume: a JSON string holding a decimal number (the exchange's form) or a number. */
static int num_value(json_t *v, double *out) {
  if (json_is_number(v)) {
    *out = json_number_value(v);
    return isfinite(*out) ? 0 : -1;
  }
  if (!json_is_string(v)) {
    return -1;
  }
  const char *s = json_string_value(v);
  /* strtod also takes "nan", "inf" and hexadecimal; a price is plain decimal. */
  for (const char *p = s; *p; p++) {
    if (!isdigit((unsigned char)*p) && *p != '.' && *p != '-' && *p != '+' && *p != 'e' &&
        *p != 'E') {
      return -1;
    }
  }
  char *end;
  errno = 0;
  *out = strtod(s, &end);
  if (end == s || *end || errno == ERANGE || !isfinite(*out)) {
    return -1;
  }
  return 0;
}

static int num_field(json_t *obj, const char *key, double *out) {
  return num_value(json_object_get(obj, key), out);
}

/* Why the values of c cannot be a candle, or NULL if they can. */
static const char *bad_values(const argo_candle *c) {
  if (!(c->open > 0 && c->high > 0 && c->low > 0 && c->close > 0)) {
    return "a price is not positive";
  }
  if (c->high < c->low) {
    return "high is below low";
  }
  if (c->open > c->high || c->open < c->low || c->close > c->high || c->close < c->low) {
    return "open or close is outside low..high";
  }
  if (!(c->volume >= 0)) {
    return "the volume is negative";
  }
  return NULL;
}

/* An open time in milliseconds that cannot be a kline of this stream: out of range (which
 * would also overflow in microseconds), not on the interval's grid, or, for a finalized live
 * candle, not yet closed by the wall clock (with a minute of slack for clock skew). */
static const char *bad_time(int64_t iv_us, int64_t ms, int live) {
  if (ms <= 0 || ms > INT64_C(9000000000000)) {
    return "the open time is out of range";
  }
  int64_t us = ms * 1000;
  if (us % iv_us != 0) {
    return "the open time is not on the interval's grid";
  }
  if (live && us + iv_us > argo__wall_us() + 60 * INT64_C(1000000)) {
    return "the open time is in the future";
  }
  return NULL;
}

/* ---- parsing ----------------------------------------------------------------------------- */

long argo__binance_parse_klines(const char *body, size_t len, int64_t iv_us,
                                int (*each)(void *user, const argo__binance_kline *k), void *user,
                                char *why, size_t whylen) {
  json_error_t je;
  json_t *arr = json_loadb(body, len, 0, &je);
  if (!json_is_array(arr)) {
    argo__strlcpy(why, arr ? "" : je.text, whylen);
    json_decref(arr);
    return -1;
  }
  size_t n = json_array_size(arr);
  for (size_t k = 0; k < n; k++) {
    json_t *row = json_array_get(arr, k);
    json_t *t = json_array_get(row, 0);
    argo__binance_kline kl;
    memset(&kl, 0, sizeof kl);
    kl.index = k;
    kl.ms = -1;
    if (!json_is_array(row) || json_array_size(row) < 6 || !json_is_integer(t)) {
      argo__fmt(kl.why, sizeof kl.why, "kline %zu is malformed", k);
    } else {
      int64_t ms = (int64_t)json_integer_value(t);
      const char *tw = bad_time(iv_us, ms, 0);
      if (tw) {
        argo__fmt(kl.why, sizeof kl.why, "kline %zu: %s", k, tw);
      } else {
        kl.ms = ms;
        kl.c.time = ms * 1000;
        double *vals[] = {&kl.c.open, &kl.c.high, &kl.c.low, &kl.c.close, &kl.c.volume};
        int bad = 0;
        for (size_t f = 0; f < 5 && !bad; f++) {
          bad = num_value(json_array_get(row, f + 1), vals[f]) != 0;
        }
        const char *vw = bad ? "a price or the volume is not a number" : bad_values(&kl.c);
        if (vw) {
          argo__fmt(kl.why, sizeof kl.why, "kline at %" PRId64 ": %s", ms, vw);
        }
      }
    }
    if (each(user, &kl)) {
      break;
    }
  }
  json_decref(arr);
  return (long)n;
}

int argo__binance_parse_ws(const argo__binance_stream *st, const char *data, size_t len,
                           size_t *sym, argo_candle *c, char *why, size_t whylen) {
  const char *w = NULL;
  json_error_t je;
  int rc;
  memset(c, 0, sizeof *c);
  *sym = 0;
  why[0] = '\0';
  json_t *root = json_loadb(data, len, 0, &je);
  int k = -1;
  if (!root) {
    argo__strlcpy(why, je.text, whylen);
    return ARGO_BNC_MALFORMED;
  }
  json_t *d = json_object_get(root, "data");
  if (!d) {
    if (json_object_get(root, "result") && json_object_get(root, "id")) {
      rc = ARGO_BNC_OTHER; /* an answer to a (un)subscribe request: not market data */
      goto done;
    }
    d = root; /* a single stream sends the event itself */
  }
  json_t *kl = json_object_get(d, "k");
  json_t *t = json_object_get(kl, "t");
  json_t *s = json_object_get(kl, "s");
  json_t *iv = json_object_get(kl, "i");
  json_t *x = json_object_get(kl, "x");
  if (!json_is_object(kl)) {
    w = "no kline ('k') in the message";
  } else if (!json_is_integer(t) || !json_is_string(s) || !json_is_string(iv) ||
             !json_is_boolean(x)) {
    w = "the kline lacks its open time, symbol, interval or final flag";
  } else if ((k = st->find(st->user, json_string_value(s))) < 0) {
    w = "a symbol that was not subscribed";
  } else if (strcmp(json_string_value(iv), st->interval) != 0) {
    w = "an interval that was not subscribed";
  } else if (num_field(kl, "o", &c->open) || num_field(kl, "h", &c->high) ||
             num_field(kl, "l", &c->low) || num_field(kl, "c", &c->close) ||
             num_field(kl, "v", &c->volume)) {
    w = "a price or the volume is not a number";
  } else {
    int64_t ms = (int64_t)json_integer_value(t);
    /* A non-final update may be of the candle in progress; only final ones must be closed. */
    w = bad_time(st->interval_us, ms, json_is_true(x));
    if (!w) {
      c->time = ms * 1000;
      w = bad_values(c);
    }
  }
  if (w) {
    argo__strlcpy(why, w, whylen);
    rc = ARGO_BNC_MALFORMED;
    goto done;
  }
  *sym = (size_t)k;
  rc = json_is_true(x) ? ARGO_BNC_FINAL : ARGO_BNC_UPDATE;
done:
  json_decref(root);
  return rc;
}

/* ---- REST -------------------------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *user) {
  bnc *b = user;
  size_t len = size * n;
  if (b->body.len + len > MAX_BODY) {
    b->body_overflow = 1;
    return 0; /* makes curl fail the transfer */
  }
  argo__sb_add(&b->body, data, len);
  return argo__sb_failed(&b->body) ? 0 : len;
}

static size_t on_header(char *data, size_t size, size_t n, void *user) {
  bnc *b = user;
  size_t len = size * n;
  static const char name[] = "retry-after:";
  if (len > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
    char v[32];
    size_t vl = len - (sizeof name - 1);
    if (vl >= sizeof v) {
      vl = sizeof v - 1;
    }
    memcpy(v, data + sizeof name - 1, vl);
    v[vl] = '\0';
    char *end;
    long long secs = strtoll(v, &end, 10);
    while (*end == ' ' || *end == '\r' || *end == '\n' || *end == '\t') {
      end++;
    }
    /* Seconds only; an HTTP date (allowed by the standard, not used by the exchange) falls back
     * to the backoff. */
    if (end != v && !*end && secs >= 0 && secs < INT64_MAX / 1000000) {
      b->retry_after_us = (int64_t)secs * 1000000;
    }
  }
  return len;
}

static int curl_setup(bnc *b) {
  static const char ua[] = "argo/" ARGO_VERSION_STRING;
  b->multi = curl_multi_init();
  b->easy = curl_easy_init();
  if (!b->multi || !b->easy) {
    return -1;
  }
  CURL *e = b->easy;
  int bad = 0;
  bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, b) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, b) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, b->curl_err) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, ua) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(b->opt.connect_timeout_us / 1000)) !=
         CURLE_OK;
  bad |=
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(b->opt.request_timeout_us / 1000)) != CURLE_OK;
  return bad ? -1 : 0;
}

/* One GET. 0: an answer came (*code, b->body); 1: stopped; -1: no answer (why). */
static int http_get(bnc *b, const char *url, long *code, char *why, size_t len) {
  argo__sb_reset(&b->body);
  b->body_overflow = 0;
  b->retry_after_us = -1;
  b->curl_err[0] = '\0';
  *code = 0;
  if (curl_easy_setopt(b->easy, CURLOPT_URL, url) != CURLE_OK ||
      curl_multi_add_handle(b->multi, b->easy) != CURLM_OK) {
    argo__fmt(why, len, "cannot start the request");
    return -1;
  }
  int running = 1, stopped = 0;
  CURLcode res = CURLE_OK;
  while (running) {
    if (curl_multi_perform(b->multi, &running) != CURLM_OK) {
      res = CURLE_FAILED_INIT;
      break;
    }
    if (!running) {
      break;
    }
    /* Housekeeping of the engine, and a stop ends the request. */
    if (argo__waker_sleep_until(b->waker, 0)) {
      stopped = 1;
      break;
    }
    curl_multi_poll(b->multi, NULL, 0, TICK_US / 1000, NULL);
  }
  CURLMsg *m;
  int left;
  while ((m = curl_multi_info_read(b->multi, &left)) != NULL) {
    if (m->msg == CURLMSG_DONE && m->easy_handle == b->easy) {
      res = m->data.result;
    }
  }
  curl_multi_remove_handle(b->multi, b->easy);
  if (stopped) {
    return 1;
  }
  if (res != CURLE_OK) {
    if (b->body_overflow) {
      argo__fmt(why, len, "answer larger than %u bytes", MAX_BODY);
    } else {
      argo__fmt(why, len, "%s", b->curl_err[0] ? b->curl_err : curl_easy_strerror(res));
    }
    return -1;
  }
  curl_easy_getinfo(b->easy, CURLINFO_RESPONSE_CODE, code);
  return 0;
}

/* The exchange's error text of an HTTP error answer ({"code":-1121,"msg":"Invalid symbol."}),
 * or the start of the body. */
static void error_text(bnc *b, char *out, size_t len) {
  json_t *j = json_loadb(b->body.buf ? b->body.buf : "", b->body.len, 0, NULL);
  json_t *msg = json_object_get(j, "msg");
  if (json_is_string(msg)) {
    json_t *code = json_object_get(j, "code");
    if (json_is_integer(code)) {
      argo__fmt(out, len, "%s (code %" JSON_INTEGER_FORMAT ")", json_string_value(msg),
                json_integer_value(code));
    } else {
      argo__fmt(out, len, "%s", json_string_value(msg));
    }
  } else {
    snippet(b->body.buf ? b->body.buf : "", b->body.len, out, len < 120 ? len : 120);
  }
  json_decref(j);
}

/* GET url until a 200 answer, honouring the exchange's rate limits and retrying network errors.
 * 0: b->body holds the answer; 1: stopped; -1: failed (err). */
static int rest_get(bnc *b, const char *url, char *err, size_t errlen) {
  int failures = 0, limited = 0;
  char why[ARGO_ERRMSG_MAX];
  for (;;) {
    long code = 0;
    int r = http_get(b, url, &code, why, sizeof why);
    if (r == 1) {
      return 1;
    }
    if (r == 0 && code == 200) {
      return 0;
    }
    if (r == 0 && (code == 429 || code == 418)) {
      limited++;
      int64_t wait = b->retry_after_us >= 0
                         ? b->retry_after_us
                         : backoff_us(b, limited, b->opt.backoff_min_us, b->opt.backoff_max_us);
      const char *what = code == 429 ? "rate limited" : "banned for too many requests";
      if (wait > b->opt.max_retry_after_us) {
        fmt_masked(err, errlen,
                   "GET %s: %s by the exchange (HTTP %ld) for %.0f s, longer than %.0f s", url,
                   what, code, (double)wait / 1e6, (double)b->opt.max_retry_after_us / 1e6);
        return -1;
      }
      if (limited > b->opt.rate_limit_retries) {
        fmt_masked(err, errlen, "GET %s: still %s by the exchange (HTTP %ld) after %d waits", url,
                   what, code, limited - 1);
        return -1;
      }
      char d[32];
      fmt_delay(wait, d, sizeof d);
      report(b, "GET %s: %s by the exchange (HTTP %ld); waiting %s%s", url, what, code, d,
             b->retry_after_us >= 0 ? " as asked (Retry-After)" : "");
      if (pause_us(b, wait)) {
        return 1;
      }
      continue;
    }
    if (r == 0 && code < 500) {
      char text[256];
      error_text(b, text, sizeof text);
      fmt_masked(err, errlen, "GET %s: HTTP %ld: %s", url, code, text);
      return -1;
    }
    if (r == 0) {
      char text[256];
      error_text(b, text, sizeof text);
      argo__fmt(why, sizeof why, "HTTP %ld: %s", code, text);
    }
    failures++;
    if (failures > b->opt.http_retries) {
      fmt_masked(err, errlen, "GET %s: %s (gave up after %d attempts)", url, why, failures);
      return -1;
    }
    int64_t wait = backoff_us(b, failures, b->opt.backoff_min_us, b->opt.backoff_max_us);
    char d[32];
    fmt_delay(wait, d, sizeof d);
    report(b, "GET %s: %s; retrying in %s (attempt %d of %d)", url, why, d, failures + 1,
           b->opt.http_retries + 1);
    if (pause_us(b, wait)) {
      return 1;
    }
  }
}

typedef int (*candle_sink)(void *user, size_t sym, const argo_candle *c);

/* One page of fetch_range: where its klines go. */
typedef struct page {
  bnc *b;
  const char *url, *name;
  size_t sym;
  int64_t cur, end;
  candle_sink sink;
  void *user;
  int64_t last_ms, done;
  int stop;
} page;

static int page_kline(void *user, const argo__binance_kline *k) {
  page *pg = user;
  if (k->why[0]) {
    report(pg->b, "GET %s: %s; skipped", pg->url, k->why);
    return 0;
  }
  pg->last_ms = k->ms > pg->last_ms ? k->ms : pg->last_ms;
  if (k->c.time < pg->cur || k->c.time >= pg->end) {
    return 0; /* outside what was asked for (the exchange rounds) */
  }
  pg->done++;
  argo_candle c = k->c;
  c.symbol = pg->name;
  if (pg->sink(pg->user, pg->sym, &c)) {
    pg->stop = 1;
  }
  return pg->stop;
}

/* Downloads the candles of symbol (delivered with name, our index sym) with open times in
 * [from_us, to_us), in time order, into sink; with finalized, only candles already closed by
 * the wall clock. progress: report through hooks->progress. 0 done (or sink stopped), 1 stopped,
 * -1 failed (err). */
static int fetch_range(bnc *b, const char *symbol, const char *name, size_t sym, int64_t from_us,
                       int64_t to_us, int finalized, int progress, candle_sink sink, void *user,
                       char *err, size_t errlen) {
  char upper[64];
  size_t i = 0;
  for (; symbol[i] && i + 1 < sizeof upper; i++) {
    upper[i] = (char)toupper((unsigned char)symbol[i]);
  }
  upper[i] = '\0';
  char *esc = curl_easy_escape(b->easy, upper, 0);
  if (!esc) {
    argo__fmt(err, errlen, "out of memory");
    return -1;
  }
  int64_t iv_ms = b->iv_us / 1000;
  /* Candle open times are multiples of the interval: start at the first one >= from_us. */
  int64_t cur = from_us > 0 ? (from_us + b->iv_us - 1) / b->iv_us * b->iv_us : 0;
  int64_t end = to_us;
  if (finalized) {
    int64_t now = argo__wall_us();
    int64_t open_now = now / b->iv_us * b->iv_us; /* the candle still open */
    if (end > open_now) {
      end = open_now;
    }
  }
  int64_t total = end > cur ? (end - cur + b->iv_us - 1) / b->iv_us : 0;
  int64_t done = 0;
  int rc = 0;
  argo__sb url;
  argo__sb_init(&url);
  while (cur < end) {
    argo__sb_reset(&url);
    argo__sb_printf(&url,
                    "%s/api/v3/klines?symbol=%s&interval=%s&startTime=%" PRId64 "&endTime=%" PRId64
                    "&limit=%d",
                    b->rest_url, esc, b->iv_name, cur / 1000, (end - 1) / 1000, KLINES_LIMIT);
    if (argo__sb_failed(&url)) {
      argo__fmt(err, errlen, "out of memory");
      rc = -1;
      break;
    }
    rc = rest_get(b, argo__sb_str(&url), err, errlen);
    if (rc) {
      break;
    }
    page pg = {.b = b,
               .url = argo__sb_str(&url),
               .name = name,
               .sym = sym,
               .cur = cur,
               .end = end,
               .sink = sink,
               .user = user,
               .last_ms = -1};
    char why[ARGO_ERRMSG_MAX / 2];
    long n = argo__binance_parse_klines(b->body.buf ? b->body.buf : "", b->body.len, b->iv_us,
                                        page_kline, &pg, why, sizeof why);
    if (n < 0) {
      fmt_masked(err, errlen, "GET %s: the answer is not a JSON array of klines%s%s",
                 argo__sb_str(&url), why[0] ? ": " : "", why);
      rc = -1;
      break;
    }
    done += pg.done;
    int64_t last_ms = pg.last_ms;
    int stop = pg.stop;
    if (progress && b->hooks.progress) {
      b->hooks.progress(b->hooks.user, name, done, total > done ? total : done);
    }
    if (stop || n < KLINES_LIMIT || last_ms < 0 || (last_ms + iv_ms) * 1000 <= cur) {
      break; /* asked to stop, the range is exhausted, or no progress */
    }
    cur = (last_ms + iv_ms) * 1000;
  }
  argo__sb_free(&url);
  curl_free(esc);
  return rc;
}

/* ---- history() --------------------------------------------------------------------------- */

typedef struct hist_ctx {
  const argo__history_sink *sink;
} hist_ctx;

static int hist_candle(void *user, size_t sym, const argo_candle *c) {
  (void)sym;
  hist_ctx *h = user;
  return h->sink->candle(h->sink->user, c);
}

static int bnc_history(void *impl, const char *symbol, int64_t from_us, int64_t to_us,
                       const argo__history_sink *sink, char *err, size_t errlen) {
  bnc *b = impl;
  int k = find_sym(b, symbol);
  const char *name = symbol;
  if (k >= 0) {
    name = b->syms[k].name;
  } else {
    free(b->hist_sym);
    b->hist_sym = argo__strdup(symbol);
    if (!b->hist_sym) {
      argo__fmt(err, errlen, "out of memory");
      return -1;
    }
    name = b->hist_sym;
  }
  hist_ctx h = {.sink = sink};
  int r = fetch_range(b, symbol, name, 0, from_us, to_us, 1, 1, hist_candle, &h, err, errlen);
  return r < 0 ? -1 : 0;
}

/* ---- WebSocket --------------------------------------------------------------------------- */

/* One message of the combined stream: a finalized candle is queued, a non-final update only
 * proves the connection works, anything else is reported. */
static int find_cb(void *user, const char *name) {
  return find_sym(user, name);
}

static void on_message(bnc *b, struct lws *wsi, const char *data, size_t len) {
  argo__binance_stream st = {
      .find = find_cb, .user = b, .interval = b->iv_name, .interval_us = b->iv_us};
  char why[ARGO_ERRMSG_MAX / 2];
  argo_candle c;
  size_t k;
  int r = argo__binance_parse_ws(&st, data, len, &k, &c, why, sizeof why);
  if (r == ARGO_BNC_MALFORMED) {
    char snip[160];
    snippet(data, len, snip, sizeof snip);
    report_later(b, "malformed message from %s: %s: %s; skipped", b->ws_url, why, snip);
    return;
  }
  if (r == ARGO_BNC_OTHER) {
    return;
  }
  /* A valid message: the connection works. */
  b->attempt = 0;
  lws_validity_confirmed(wsi);
  if (r == ARGO_BNC_FINAL) {
    c.symbol = b->syms[k].name;
    item it = {.sym = k, .c = c};
    if (q_push(&b->in, &it) != 0) {
      report_later(b, "out of memory: a candle of %s was dropped", c.symbol);
    }
  }
}

static void tick(lws_sorted_usec_list_t *sul) {
  bnc *b = lws_container_of(sul, bnc, tick);
  lws_sul_schedule(b->lws, 0, &b->tick, tick, TICK_US);
}

/* The connection failed or dropped: schedule the next attempt, or give up. */
static void conn_lost(bnc *b, const char *reason) {
  int was_open = b->conn == CONN_OPEN;
  b->conn = CONN_IDLE;
  b->conn_id++; /* whatever that connection still reports is stale from now on */
  b->attempt++;
  const char *what = was_open || b->ever_open ? "connection lost" : "cannot connect to";
  char where[300] = "";
  if (!was_open && !b->ever_open) {
    fmt_masked(where, sizeof where, " %s", b->ws_url);
  }
  if (b->opt.max_attempts > 0 && b->attempt >= b->opt.max_attempts) {
    b->fatal = 1;
    fmt_masked(b->fatal_msg, sizeof b->fatal_msg, "%s%s: %s; gave up after %d attempt%s", what,
               where, reason, b->attempt, b->attempt == 1 ? "" : "s");
    return;
  }
  int64_t wait = backoff_us(b, b->attempt, b->opt.backoff_min_us, b->opt.backoff_max_us);
  b->retry_at = argo__mono_us() + wait;
  char of[32] = "";
  if (b->opt.max_attempts > 0) {
    argo__fmt(of, sizeof of, " of %d", b->opt.max_attempts);
  }
  char d[32];
  fmt_delay(wait, d, sizeof d);
  report_later(b, "%s%s: %s; %s in %s (attempt %d%s)", what, where, reason,
               b->ever_open ? "reconnecting" : "retrying", d, b->attempt + 1, of);
}

static int lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                  size_t len) {
  (void)user;
  struct lws_context *lc = wsi ? lws_get_context(wsi) : NULL;
  bnc *b = lc ? lws_context_user(lc) : NULL;
  if (!b || b->closing) {
    return 0;
  }
  /* Callbacks of a connection that is no longer the current one are stale. */
  uintptr_t id = (uintptr_t)lws_get_opaque_user_data(wsi);
  switch (reason) {
  case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
    if (id != b->conn_id || b->conn == CONN_IDLE) {
      return 0;
    }
    char text[200], why[ARGO_ERRMSG_MAX / 2];
    snippet(in ? (const char *)in : "", in ? strlen((const char *)in) : 0, text, sizeof text);
    /* lws' TLS errors are OpenSSL codes; say what they usually mean. */
    argo__fmt(why, sizeof why, "%s%s", text[0] ? text : "connection failed",
              strstr(text, "SSL") ? " (TLS failed: is the server's certificate trusted by the "
                                    "system's store?)"
                                  : "");
    conn_lost(b, why);
    return 0;
  }
  case LWS_CALLBACK_CLIENT_ESTABLISHED:
    if (id != b->conn_id) {
      return 0;
    }
    b->conn = CONN_OPEN;
    b->need_fill = b->ever_open;
    b->ever_open = 1;
    b->close_code = 0;
    b->close_reason[0] = '\0';
    argo__sb_reset(&b->rx);
    b->rx_overflow = 0;
    return 0;
  case LWS_CALLBACK_CLIENT_RECEIVE:
    if (id != b->conn_id) {
      return 0;
    }
    if (lws_is_first_fragment(wsi)) {
      argo__sb_reset(&b->rx);
      b->rx_overflow = 0;
    }
    if (b->rx.len + len > MAX_MESSAGE) {
      b->rx_overflow = 1;
    } else {
      argo__sb_add(&b->rx, in, len);
    }
    if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
      if (b->rx_overflow || argo__sb_failed(&b->rx)) {
        report_later(b, "message from %s larger than %u bytes; skipped", b->ws_url, MAX_MESSAGE);
      } else {
        on_message(b, wsi, b->rx.buf ? b->rx.buf : "", b->rx.len);
      }
      argo__sb_reset(&b->rx);
      b->rx_overflow = 0;
    }
    return 0;
  case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
    if (id == b->conn_id && in && len >= 2) {
      const unsigned char *p = in;
      b->close_code = (p[0] << 8) | p[1];
      snippet((const char *)p + 2, len - 2, b->close_reason, sizeof b->close_reason);
    }
    return 0;
  case LWS_CALLBACK_CLIENT_CLOSED: {
    if (id != b->conn_id || b->conn == CONN_IDLE) {
      return 0;
    }
    char why[256];
    if (b->close_code) {
      argo__fmt(why, sizeof why, "closed by the exchange (code %d%s%s)", b->close_code,
                b->close_reason[0] ? ": " : "", b->close_reason);
    } else {
      argo__fmt(why, sizeof why,
                "the connection was closed (no close frame: network error or "
                "no traffic for too long)");
    }
    conn_lost(b, why);
    return 0;
  }
  default:
    return 0;
  }
}

static const struct lws_protocols protocols[] = {
    {"argo-binance", lws_cb, 0, 0, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0}, /* terminator */
};

static void conn_start(bnc *b) {
  struct lws_client_connect_info ci;
  memset(&ci, 0, sizeof ci);
  ci.context = b->lws;
  ci.address = b->ws_host;
  ci.port = b->ws_port;
  ci.ssl_connection = strcmp(b->ws_prot, "wss") == 0 ? LCCSCF_USE_SSL : 0;
  ci.path = b->ws_path;
  ci.host = b->ws_host;
  ci.origin = b->ws_host;
  ci.protocol = NULL; /* the exchange speaks no subprotocol */
  ci.local_protocol_name = protocols[0].name;
  ci.alpn = "http/1.1";
  ci.retry_and_idle_policy = &b->idle_policy;
  ci.opaque_user_data = (void *)++b->conn_id;
  b->conn = CONN_CONNECTING;
  b->started_at = argo__mono_us();
  if (!lws_client_connect_via_info(&ci) && b->conn == CONN_CONNECTING) {
    /* Failed before any callback (for example a host name that does not resolve). */
    conn_lost(b, "the connection could not be started (host name not resolved?)");
  }
}

/* ---- gap fill ---------------------------------------------------------------------------- */

typedef struct fill_ctx {
  item *v;
  size_t n, cap;
  int oom;
} fill_ctx;

static int fill_candle(void *user, size_t sym, const argo_candle *c) {
  fill_ctx *f = user;
  if (argo__grow((void **)&f->v, &f->cap, f->n + 1, sizeof *f->v) != 0) {
    f->oom = 1;
    return 1;
  }
  item it = {.sym = sym, .c = *c};
  f->v[f->n++] = it;
  return 0;
}

static int cmp_item(const void *a, const void *b) {
  const item *x = a, *y = b;
  if (x->c.time != y->c.time) {
    return x->c.time < y->c.time ? -1 : 1;
  }
  return x->sym < y->sym ? -1 : x->sym > y->sym;
}

/* Fetches by REST, for each symbol in [first, last], the candles after its last delivered one
 * and before `to`, and queues them in time order. 1 if a stop ended it. */
static int fill_gap(bnc *b, size_t first, size_t last, int64_t to) {
  fill_ctx f = {0};
  int stopped = 0;
  for (size_t k = first; k <= last && !stopped; k++) {
    bsym *s = &b->syms[k];
    if (!s->has_last || s->last + b->iv_us >= to) {
      continue;
    }
    char err[ARGO_ERRMSG_MAX], from_s[48], to_s[48];
    int r = fetch_range(b, s->name, s->name, k, s->last + b->iv_us, to, 0, 0, fill_candle, &f, err,
                        sizeof err);
    if (r == 1) {
      stopped = 1;
    } else if (r < 0 || f.oom) {
      argo_time_format(s->last + b->iv_us, from_s, sizeof from_s);
      argo_time_format(to, to_s, sizeof to_s);
      report(b, "gap fill of %s failed, candles from %s to before %s are missing: %s", s->name,
             from_s, to_s, f.oom ? "out of memory" : err);
      f.oom = 0;
    }
  }
  if (f.n > 1) {
    qsort(f.v, f.n, sizeof *f.v, cmp_item);
  }
  for (size_t i = 0; i < f.n; i++) {
    if (q_push(&b->out, &f.v[i]) != 0) {
      report(b, "out of memory: %zu gap-fill candles were dropped", f.n - i);
      break;
    }
  }
  free(f.v);
  return stopped;
}

/* A live finalized candle: fill what is missing before it, then queue it. 1 if stopped. */
static int take_live(bnc *b, const item *it) {
  bsym *s = &b->syms[it->sym];
  if (b->need_fill) {
    b->need_fill = 0;
    status(b, ARGO_STATUS_GAP_FILLING);
    if (fill_gap(b, 0, b->nsym - 1, it->c.time)) {
      return 1;
    }
    status(b, ARGO_STATUS_RUNNING);
  } else if (s->has_last && it->c.time > s->last + b->iv_us) {
    if (fill_gap(b, it->sym, it->sym, it->c.time)) {
      return 1;
    }
  }
  if (q_push(&b->out, it) != 0) {
    report(b, "out of memory: a candle of %s was dropped", s->name);
  }
  return 0;
}

/* ---- the feed ---------------------------------------------------------------------------- */

static int bnc_next(void *impl, argo_candle *out, char *err, size_t errlen) {
  bnc *b = impl;
  item it;
  for (;;) {
    /* Candles ready: the next one that is later than its symbol's last. */
    while (q_pop(&b->out, &it)) {
      bsym *s = &b->syms[it.sym];
      if (s->has_last && it.c.time <= s->last) {
        continue; /* a duplicate, or older than what was delivered */
      }
      s->last = it.c.time;
      s->has_last = 1;
      *out = it.c;
      return ARGO_FEED_CANDLE;
    }
    if (q_pop(&b->in, &it)) {
      if (it.msg) {
        report(b, "%s", it.msg);
        free(it.msg);
      } else if (take_live(b, &it)) {
        return ARGO_FEED_END;
      }
      continue;
    }
    if (b->fatal) {
      argo__strlcpy(err, b->fatal_msg, errlen);
      return ARGO_FEED_FATAL;
    }
    if (argo__waker_sleep_until(b->waker, 0)) {
      return ARGO_FEED_END;
    }
    if (b->conn == CONN_IDLE) {
      if (argo__mono_us() < b->retry_at) {
        if (argo__waker_sleep_until(b->waker, b->retry_at)) {
          return ARGO_FEED_END;
        }
        continue;
      }
      conn_start(b);
      continue;
    }
    /* lws times a connection attempt out by itself; this only guards against an attempt that
     * never reports back, which would otherwise leave the feed waiting forever. */
    if (b->conn == CONN_CONNECTING &&
        argo__mono_us() - b->started_at > 2 * b->opt.connect_timeout_us + 5 * ARGO_US_PER_SEC) {
      conn_lost(b, "the connection attempt timed out");
      continue;
    }
    lws_service(b->lws, 0);
  }
}

static int64_t bnc_clock_start(void *impl) {
  return ((bnc *)impl)->clock0;
}

static void bnc_close(void *impl) {
  bnc *b = impl;
  if (!b) {
    return;
  }
  b->closing = 1;
  if (b->lws) {
    lws_sul_cancel(&b->tick);
    lws_context_destroy(b->lws);
  }
  if (b->multi && b->easy) {
    curl_multi_remove_handle(b->multi, b->easy);
  }
  if (b->easy) {
    curl_easy_cleanup(b->easy);
  }
  if (b->multi) {
    curl_multi_cleanup(b->multi);
  }
  for (size_t i = 0; i < b->nsym; i++) {
    free(b->syms[i].name);
  }
  free(b->syms);
  q_free(&b->in);
  q_free(&b->out);
  argo__sb_free(&b->rx);
  argo__sb_free(&b->body);
  free(b->ws_url);
  free(b->ws_parse);
  free(b->ws_path);
  free(b->rest_url);
  free(b->hist_sym);
  free(b);
}

static const argo__feed_ops bnc_ops = {.name = "binance",
                                       .next = bnc_next,
                                       .clock_start = bnc_clock_start,
                                       .close = bnc_close,
                                       .history = bnc_history};

/* ---- open -------------------------------------------------------------------------------- */

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_ok;

/* Process-wide library setup, once: curl's global state, and lws' logging off (the library
 * never prints; problems reach the user through the hooks). */
static void lib_init(void) {
  lib_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  lws_set_log_level(0, NULL);
}

/* Checks and splits the WebSocket URL; builds the stream path. */
static argo_err parse_ws_url(bnc *b, const char *url, char *err, size_t errlen) {
  const char *path = NULL;
  b->ws_parse = argo__strdup(url);
  if (!b->ws_parse) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  if (lws_parse_uri(b->ws_parse, &b->ws_prot, &b->ws_host, &b->ws_port, &path) != 0 ||
      (strcmp(b->ws_prot, "ws") != 0 && strcmp(b->ws_prot, "wss") != 0) || !*b->ws_host ||
      b->ws_port <= 0 || b->ws_port > 65535 || strchr(url, '?')) {
    fmt_masked(err, errlen,
               "market_data.ws_url: expected ws://host[:port][/path] or wss://..., got '%s'", url);
    return ARGO_ECONFIG;
  }
  argo__sb p;
  argo__sb_init(&p);
  argo__sb_putc(&p, '/');
  argo__sb_puts(&p, path ? path : "");
  while (p.len > 1 && p.buf[p.len - 1] == '/') {
    p.buf[--p.len] = '\0';
  }
  argo__sb_puts(&p, p.len > 1 ? "/stream?streams=" : "stream?streams=");
  for (size_t i = 0; i < b->nsym; i++) {
    argo__sb_printf(&p, "%s%s@kline_%s", i ? "/" : "", b->syms[i].stream, b->iv_name);
  }
  if (argo__sb_failed(&p)) {
    argo__sb_free(&p);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  b->ws_path = p.buf; /* taken from the buffer */
  return ARGO_OK;
}

argo_err argo__feed_binance_open_opts(argo__feed *out, const argo__settings *st, argo__waker *waker,
                                      const argo__feed_hooks *hooks, const argo__binance_opts *opts,
                                      char *err, size_t errlen) {
  argo_err rc;
  if (st->nsymbols == 0) {
    argo__fmt(err, errlen, "the Binance feed needs at least one symbol");
    return ARGO_ECONFIG;
  }
  const char *iv_name = NULL;
  for (size_t i = 0; i < ARGO_ARRAY_LEN(intervals); i++) {
    if (intervals[i].us == st->interval_us) {
      iv_name = intervals[i].name;
    }
  }
  if (!iv_name) {
    argo__fmt(err, errlen,
              "market_data.interval: the Binance feed supports 1s, 1m, 3m, 5m, 15m, 30m, 1h, 2h, "
              "4h, 6h, 8h, 12h and 1d, got '%s'",
              st->interval ? st->interval : "?");
    return ARGO_ECONFIG;
  }
  const char *rest = st->rest_url ? st->rest_url : "";
  if (strncmp(rest, "http://", 7) != 0 && strncmp(rest, "https://", 8) != 0) {
    fmt_masked(err, errlen, "market_data.rest_url: expected http://... or https://..., got '%s'",
               rest);
    return ARGO_ECONFIG;
  }
  pthread_once(&lib_once, lib_init);
  if (!lib_ok) {
    argo__fmt(err, errlen, "libcurl could not be initialized");
    return ARGO_EFEED;
  }
  bnc *b = calloc(1, sizeof *b);
  if (!b) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  argo__sb_init(&b->rx);
  argo__sb_init(&b->body);
  b->waker = waker;
  if (hooks) {
    b->hooks = *hooks;
  }
  if (opts) {
    b->opt = *opts;
  } else {
    argo__binance_opts_default(&b->opt);
  }
  if (b->opt.backoff_min_us <= 0) {
    b->opt.backoff_min_us = 1000;
  }
  if (b->opt.backoff_max_us < b->opt.backoff_min_us) {
    b->opt.backoff_max_us = b->opt.backoff_min_us;
  }
  b->iv_name = iv_name;
  b->iv_us = st->interval_us;
  b->clock0 = argo__wall_us();
  argo__rng_seed(&b->rng, (uint64_t)argo__mono_us() ^ ((uint64_t)(uintptr_t)b << 16));
  b->syms = calloc(st->nsymbols, sizeof *b->syms);
  b->ws_url = argo__strdup(st->ws_url ? st->ws_url : "");
  b->rest_url = argo__strdup(rest);
  if (!b->syms || !b->ws_url || !b->rest_url) {
    goto oom;
  }
  while (strlen(b->rest_url) > 8 && b->rest_url[strlen(b->rest_url) - 1] == '/') {
    b->rest_url[strlen(b->rest_url) - 1] = '\0';
  }
  for (; b->nsym < st->nsymbols; b->nsym++) {
    bsym *s = &b->syms[b->nsym];
    const char *name = st->symbols[b->nsym];
    if (!(s->name = argo__strdup(name))) {
      goto oom;
    }
    size_t n = strlen(name);
    int ok = n > 0 && n < sizeof s->stream;
    for (size_t i = 0; ok && i < n; i++) {
      ok = isalnum((unsigned char)name[i]);
      s->stream[i] = (char)tolower((unsigned char)name[i]);
    }
    if (!ok) {
      argo__fmt(err, errlen,
                "market_data.symbols: '%s' is not a Binance symbol (letters and digits)", name);
      rc = ARGO_ECONFIG;
      b->nsym++;
      goto fail;
    }
  }
  rc = parse_ws_url(b, b->ws_url, err, errlen);
  if (rc) {
    goto fail;
  }
  if (curl_setup(b) != 0) {
    argo__fmt(err, errlen, "libcurl could not be set up");
    rc = ARGO_EFEED;
    goto fail;
  }
  /* lws pings after ping_after_s without traffic and drops the connection after
   * hangup_after_s; every valid message counts as traffic (lws_validity_confirmed). */
  b->idle_policy.secs_since_valid_ping =
      (uint16_t)(b->opt.ping_after_s > 0 ? b->opt.ping_after_s : 30);
  b->idle_policy.secs_since_valid_hangup =
      (uint16_t)(b->opt.hangup_after_s > b->idle_policy.secs_since_valid_ping
                     ? b->opt.hangup_after_s
                     : b->idle_policy.secs_since_valid_ping + 15);
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = protocols;
  info.user = b;
  info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  info.fd_limit_per_thread = 16; /* one connection, plus lws' own event pipe */
  unsigned secs = (unsigned)((b->opt.connect_timeout_us + 999999) / 1000000);
  info.timeout_secs = secs ? secs : 1;
  info.connect_timeout_secs = info.timeout_secs;
  info.retry_and_idle_policy = &b->idle_policy;
  b->lws = lws_create_context(&info);
  if (!b->lws) {
    argo__fmt(err, errlen, "libwebsockets could not create its context");
    rc = ARGO_EFEED;
    goto fail;
  }
  lws_sul_schedule(b->lws, 0, &b->tick, tick, TICK_US);
  out->ops = &bnc_ops;
  out->impl = b;
  return ARGO_OK;
oom:
  argo__fmt(err, errlen, "out of memory");
  rc = ARGO_ENOMEM;
fail:
  bnc_close(b);
  return rc;
}

argo_err argo__feed_binance_open(argo__feed *out, const argo__settings *s, argo__waker *waker,
                                 const argo__feed_hooks *hooks, char *err, size_t errlen) {
  return argo__feed_binance_open_opts(out, s, waker, hooks, NULL, err, errlen);
}
