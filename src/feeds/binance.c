/*
 * Binance feed: live candles from the exchange's combined kline stream (one WebSocket for all
 * symbols, <ws_url>/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m), of which only finalized
 * candles ("x": true) are delivered, and history from the REST klines endpoint
 * (<rest_url>/api/v3/klines), paginated by 1000. libwebsockets speaks WebSocket (and answers
 * the exchange's pings), libcurl speaks HTTP, jansson parses JSON; TLS uses the system's
 * certificate store through both (lws' OS CA default, libcurl's default CA bundle).
 *
 * The feed is four files that share feeds/binance_int.h: this one (open, next, close, the
 * queues, gap fill, and the helpers of every part: messages, backoff), binance_ws.c (the
 * stream and its reconnection), binance_rest.c (the REST klines of history() and gap fill) and
 * binance_parse.c (the exchange's bytes to candles). The stream and REST parts do not call each
 * other: a reconnection only marks the gap, and next() here fills it by REST.
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
 * Every message goes through argo__binance_fmt_masked: the base URLs are the user's and may
 * carry a password or a token (http://user:secret@host/?token=...), so the URLs in a message are
 * masked (util/mask.h) before it reaches hooks->error or an err buffer.
 *
 * Depends on its parts, libwebsockets and libcurl (the process-wide setup below) and the util
 * helpers; on no other argo module. Process-wide side effects of the libraries: curl_global_init
 * once, lws logging silenced once (the library never prints), and lws ignores SIGPIPE.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feeds/binance_int.h"
#include "util/mask.h"
#include "util/timeu.h"

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

/* ---- helpers of every part --------------------------------------------------------------- */

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

int argo__binance_q_push(queue *q, const item *it) {
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

void argo__binance_vfmt_masked(char *buf, size_t len, const char *fmt, va_list ap) {
  char full[8192];
  vsnprintf(full, sizeof full, fmt, ap);
  argo__mask_urls(full, buf, len);
}

void argo__binance_fmt_masked(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  argo__binance_vfmt_masked(buf, len, fmt, ap);
  va_end(ap);
}

void argo__binance_report(bnc *b, const char *fmt, ...) {
  if (!b->hooks.error) {
    return;
  }
  char msg[ARGO_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  argo__binance_vfmt_masked(msg, sizeof msg, fmt, ap);
  va_end(ap);
  b->hooks.error(b->hooks.user, ARGO_EFEED, msg);
}

static void status(bnc *b, argo_engine_status st) {
  if (b->hooks.status) {
    b->hooks.status(b->hooks.user, st);
  }
}

int64_t argo__binance_backoff_us(bnc *b, int n, int64_t base, int64_t cap) {
  double d = (double)base;
  for (int i = 1; i < n && d < (double)cap; i++) {
    d *= 2;
  }
  if (d > (double)cap) {
    d = (double)cap;
  }
  return (int64_t)(d / 2 + argo__rng_uniform(&b->rng) * d / 2);
}

/* Below a tenth of a second, "0.0 s" would say nothing. */
void argo__binance_fmt_delay(int64_t us, char *out, size_t len) {
  if (us < 100000) {
    argo__fmt(out, len, "%lld ms", (long long)(us / 1000));
  } else {
    argo__fmt(out, len, "%.1f s", (double)us / 1e6);
  }
}

int argo__binance_find_sym(const bnc *b, const char *name) {
  for (size_t i = 0; i < b->nsym; i++) {
    if (strcasecmp(b->syms[i].name, name) == 0) {
      return (int)i;
    }
  }
  return -1;
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
    int r = argo__binance_rest_fetch(b, s->name, s->name, k, s->last + b->iv_us, to, 0, 0,
                                     fill_candle, &f, err, sizeof err);
    if (r == 1) {
      stopped = 1;
    } else if (r < 0 || f.oom) {
      argo_time_format(s->last + b->iv_us, from_s, sizeof from_s);
      argo_time_format(to, to_s, sizeof to_s);
      argo__binance_report(b, "gap fill of %s failed, candles from %s to before %s are missing: %s",
                           s->name, from_s, to_s, f.oom ? "out of memory" : err);
      f.oom = 0;
    }
  }
  if (f.n > 1) {
    qsort(f.v, f.n, sizeof *f.v, cmp_item);
  }
  for (size_t i = 0; i < f.n; i++) {
    if (argo__binance_q_push(&b->out, &f.v[i]) != 0) {
      argo__binance_report(b, "out of memory: %zu gap-fill candles were dropped", f.n - i);
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
  if (argo__binance_q_push(&b->out, it) != 0) {
    argo__binance_report(b, "out of memory: a candle of %s was dropped", s->name);
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
        argo__binance_report(b, "%s", it.msg);
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
    if (argo__binance_ws_step(b)) {
      return ARGO_FEED_END;
    }
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
  argo__binance_ws_close(b);
  argo__binance_rest_close(b);
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
                                       .history = argo__binance_history};

/* ---- open -------------------------------------------------------------------------------- */

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_ok;

/* Process-wide library setup, once: curl's global state (curl needs it before any handle).
 * libwebsockets' logging is left as the program has it (argo_library_logs). */
static void lib_init(void) {
  lib_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
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
    argo__binance_fmt_masked(
        err, errlen, "market_data.rest_url: expected http://... or https://..., got '%s'", rest);
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
  rc = argo__binance_ws_url(b, err, errlen);
  if (rc) {
    goto fail;
  }
  if (argo__binance_rest_open(b) != 0) {
    argo__fmt(err, errlen, "libcurl could not be set up");
    rc = ARGO_EFEED;
    goto fail;
  }
  rc = argo__binance_ws_start(b, err, errlen);
  if (rc) {
    goto fail;
  }
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
