/*
 * The Binance feed's REST part (see binance.c for the feed as a whole): klines from
 * <rest_url>/api/v3/klines over libcurl, paginated by 1000, for history() and for the gap fill
 * of next(). Requests run through a curl multi handle polled every TICK_US, so that the engine's
 * housekeeping runs and a stop ends a request. They are retried after network errors and HTTP
 * 5xx (http_retries, with backoff), and wait as the exchange asks after HTTP 429/418
 * (Retry-After), sleeping on the waker so that a stop ends the wait; other HTTP errors fail at
 * once with the exchange's message. Answers are parsed by argo__binance_parse_klines.
 *
 * It owns the curl fields of struct bnc. It must not depend on the WebSocket part
 * (binance_ws.c). Depends on libcurl, jansson and the feed's helpers in binance.c.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "feeds/binance_int.h"
#include "util/timeu.h"

/* Candles per REST request (the exchange's maximum). */
#define KLINES_LIMIT 1000
/* A REST body larger than this is not market data. */
#define MAX_BODY (64u << 20)

/* Sleeps on the waker; 1 if a stop ended it. */
static int pause_us(bnc *b, int64_t us) {
  return argo__waker_sleep_until(b->waker, argo__mono_us() + us);
}

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

int argo__binance_rest_open(bnc *b) {
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
    argo__snippet(b->body.buf ? b->body.buf : "", b->body.len, out, len < 120 ? len : 120);
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
      int64_t wait =
          b->retry_after_us >= 0
              ? b->retry_after_us
              : argo__binance_backoff_us(b, limited, b->opt.backoff_min_us, b->opt.backoff_max_us);
      const char *what = code == 429 ? "rate limited" : "banned for too many requests";
      if (wait > b->opt.max_retry_after_us) {
        argo__binance_fmt_masked(
            err, errlen, "GET %s: %s by the exchange (HTTP %ld) for %.0f s, longer than %.0f s",
            url, what, code, (double)wait / 1e6, (double)b->opt.max_retry_after_us / 1e6);
        return -1;
      }
      if (limited > b->opt.rate_limit_retries) {
        argo__binance_fmt_masked(err, errlen,
                                 "GET %s: still %s by the exchange (HTTP %ld) after %d waits", url,
                                 what, code, limited - 1);
        return -1;
      }
      char d[32];
      argo__binance_fmt_delay(wait, d, sizeof d);
      argo__binance_report(b, "GET %s: %s by the exchange (HTTP %ld); waiting %s%s", url, what,
                           code, d, b->retry_after_us >= 0 ? " as asked (Retry-After)" : "");
      if (pause_us(b, wait)) {
        return 1;
      }
      continue;
    }
    if (r == 0 && code < 500) {
      char text[256];
      error_text(b, text, sizeof text);
      argo__binance_fmt_masked(err, errlen, "GET %s: HTTP %ld: %s", url, code, text);
      return -1;
    }
    if (r == 0) {
      char text[256];
      error_text(b, text, sizeof text);
      argo__fmt(why, sizeof why, "HTTP %ld: %s", code, text);
    }
    failures++;
    if (failures > b->opt.http_retries) {
      argo__binance_fmt_masked(err, errlen, "GET %s: %s (gave up after %d attempts)", url, why,
                               failures);
      return -1;
    }
    int64_t wait =
        argo__binance_backoff_us(b, failures, b->opt.backoff_min_us, b->opt.backoff_max_us);
    char d[32];
    argo__binance_fmt_delay(wait, d, sizeof d);
    argo__binance_report(b, "GET %s: %s; retrying in %s (attempt %d of %d)", url, why, d,
                         failures + 1, b->opt.http_retries + 1);
    if (pause_us(b, wait)) {
      return 1;
    }
  }
}

/* One page of argo__binance_rest_fetch: where its klines go. */
typedef struct page {
  bnc *b;
  const char *url, *name;
  size_t sym;
  int64_t cur, end;
  argo__binance_sink sink;
  void *user;
  int64_t last_ms, done;
  int stop;
} page;

static int page_kline(void *user, const argo__binance_kline *k) {
  page *pg = user;
  if (k->why[0]) {
    argo__binance_report(pg->b, "GET %s: %s; skipped", pg->url, k->why);
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

int argo__binance_rest_fetch(bnc *b, const char *symbol, const char *name, size_t sym,
                             int64_t from_us, int64_t to_us, int finalized, int progress,
                             argo__binance_sink sink, void *user, char *err, size_t errlen) {
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
      argo__binance_fmt_masked(err, errlen, "GET %s: the answer is not a JSON array of klines%s%s",
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

int argo__binance_history(void *impl, const char *symbol, int64_t from_us, int64_t to_us,
                          const argo__history_sink *sink, char *err, size_t errlen) {
  bnc *b = impl;
  int k = argo__binance_find_sym(b, symbol);
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
  int r = argo__binance_rest_fetch(b, symbol, name, 0, from_us, to_us, 1, 1, hist_candle, &h, err,
                                   errlen);
  return r < 0 ? -1 : 0;
}

void argo__binance_rest_close(bnc *b) {
  if (b->multi && b->easy) {
    curl_multi_remove_handle(b->multi, b->easy);
  }
  if (b->easy) {
    curl_easy_cleanup(b->easy);
  }
  if (b->multi) {
    curl_multi_cleanup(b->multi);
  }
}
