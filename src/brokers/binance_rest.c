/*
 * The Binance broker's REST side (see binance_int.h): signed requests over libcurl, and the
 * worker thread that carries the broker's jobs out one at a time: placing an order, cancelling
 * one, checking one against the exchange (its status and trades), reading the account, and
 * measuring the clock offset every trading.binance.clock_sync.
 *
 * Every request's outcome is one of: an answer (HTTP status and body), not sent (curl could not
 * connect: nothing reached the exchange), or unknown (it may have reached the exchange: a
 * timeout, a connection lost after sending, HTTP 5xx, -1006/-1007). An order whose placement
 * is unknown is looked up by its client order id, again and again, until the exchange knows it
 * or its recvWindow has passed by the exchange's clock (then it can never be executed); it is
 * never sent twice. -1021 resyncs the clock and retries once (the request was refused, so it
 * did nothing). 429 and -1003/-1015 pause the sending of orders for Retry-After (or a growing
 * backoff) and refuse the orders meanwhile; 418 stops trading until its Retry-After; an
 * authentication error stops trading.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "brokers/binance_errors.h"
#include "brokers/binance_int.h"
#include "brokers/binance_rest.h"
#include "util/mask.h"
#include "util/strbuf.h"
#include "util/timeu.h"

#define MAX_BODY (8u << 20)

/* ---- one request ----------------------------------------------------------------------- */

struct bn_rest {
  CURL *h;
  char *base;
  const argo__bn_keys *keys;
  bn_clock *clock;
  int64_t recv_window_ms, timeout_ms;
  argo__sb body;
  int overflow;
  int64_t retry_after_s;
  bn_counted counted;
  char curl_err[CURL_ERROR_SIZE];
};

static size_t on_body(char *data, size_t size, size_t n, void *user) {
  bn_rest *r = user;
  size_t len = size * n;
  if (r->body.len + len > MAX_BODY) {
    r->overflow = 1;
    return 0;
  }
  argo__sb_add(&r->body, data, len);
  return argo__sb_failed(&r->body) ? 0 : len;
}

/* The value of header name (lower case, with the colon) in a header line, as an integer, or -1. */
static int64_t header_int(const char *line, size_t len, const char *name) {
  size_t nl = strlen(name);
  if (len <= nl || strncasecmp(line, name, nl) != 0) {
    return -1;
  }
  char v[32];
  size_t vl = len - nl < sizeof v - 1 ? len - nl : sizeof v - 1;
  memcpy(v, line + nl, vl);
  v[vl] = '\0';
  char *end;
  long long x = strtoll(v, &end, 10);
  while (*end == ' ' || *end == '\r' || *end == '\n') {
    end++;
  }
  return end != v && !*end && x >= 0 ? (int64_t)x : -1;
}

static size_t on_header(char *data, size_t size, size_t n, void *user) {
  bn_rest *r = user;
  size_t len = size * n;
  int64_t v;
  if ((v = header_int(data, len, "retry-after:")) >= 0) {
    r->retry_after_s = v;
  } else if ((v = header_int(data, len, "x-mbx-used-weight-1m:")) >= 0) {
    r->counted.weight = v;
    r->counted.at_ms = argo__bn_server_ms(r->clock);
  } else if ((v = header_int(data, len, "x-mbx-order-count-10s:")) >= 0) {
    r->counted.orders_10s = v;
    r->counted.at_ms = argo__bn_server_ms(r->clock);
  } else if ((v = header_int(data, len, "x-mbx-order-count-1d:")) >= 0) {
    r->counted.orders_1d = v;
    r->counted.at_ms = argo__bn_server_ms(r->clock);
  }
  return len;
}

argo_err argo__bn_rest_new(bn_rest **out, const char *base, const argo__bn_keys *keys,
                           bn_clock *clock, int64_t recv_window_ms, int64_t timeout_ms) {
  static const char ua[] = "argo/" ARGO_VERSION_STRING;
  *out = NULL;
  bn_rest *r = calloc(1, sizeof *r);
  if (!r) {
    return ARGO_ENOMEM;
  }
  argo__sb_init(&r->body);
  r->base = argo__strdup(base);
  r->h = curl_easy_init();
  r->keys = keys;
  r->clock = clock;
  r->counted.weight = r->counted.orders_10s = r->counted.orders_1d = -1;
  r->recv_window_ms = recv_window_ms;
  r->timeout_ms = timeout_ms;
  if (!r->base || !r->h) {
    argo__bn_rest_free(r);
    return ARGO_ENOMEM;
  }
  /* A base URL ending in '/' would double it before the path. */
  size_t bl = strlen(r->base);
  while (bl > 0 && r->base[bl - 1] == '/') {
    r->base[--bl] = '\0';
  }
  CURL *e = r->h;
  int bad = 0;
  bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, r) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, r) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->curl_err) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, ua) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms) != CURLE_OK;
  bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms) != CURLE_OK;
  if (bad) {
    argo__bn_rest_free(r);
    return ARGO_ENOMEM;
  }
  *out = r;
  return ARGO_OK;
}

void argo__bn_rest_free(bn_rest *r) {
  if (!r) {
    return;
  }
  if (r->h) {
    curl_easy_cleanup(r->h);
  }
  argo__sb_free(&r->body);
  free(r->base);
  free(r);
}

void argo__bn_rest_counted(const bn_rest *r, bn_counted *out) {
  *out = r->counted;
}

/* curl failed before anything could reach the exchange. */
static int never_sent(CURLcode c) {
  return c == CURLE_COULDNT_RESOLVE_HOST || c == CURLE_COULDNT_CONNECT ||
         c == CURLE_COULDNT_RESOLVE_PROXY || c == CURLE_SSL_CONNECT_ERROR ||
         c == CURLE_UNSUPPORTED_PROTOCOL || c == CURLE_URL_MALFORMAT ||
         c == CURLE_PEER_FAILED_VERIFICATION;
}

/* Reads {"code": -2010, "msg": "..."} from an error answer. */
static void error_of(bn_result *res) {
  json_error_t je;
  json_t *j = json_loadb(res->body, res->len, 0, &je);
  json_t *c = j ? json_object_get(j, "code") : NULL;
  json_t *m = j ? json_object_get(j, "msg") : NULL;
  if (json_is_integer(c)) {
    res->code = (int)json_integer_value(c);
    argo__strlcpy(res->msg, json_is_string(m) ? json_string_value(m) : "", sizeof res->msg);
  }
  json_decref(j);
}

void argo__bn_rest_call(bn_rest *r, const char *method, const char *path, const argo__sb *params,
                        int sign, bn_result *res) {
  memset(res, 0, sizeof *res);
  argo__sb q;
  argo__sb_init(&q);
  if (params && params->len) {
    argo__sb_add(&q, params->buf, params->len);
  }
  if (sign) {
    argo__bn_query_add_i64(&q, "recvWindow", r->recv_window_ms);
    res->timestamp_ms = argo__bn_server_ms(r->clock);
    argo__bn_query_add_i64(&q, "timestamp", res->timestamp_ms);
    if (argo__bn_query_sign(r->keys, &q) != ARGO_OK) {
      argo__sb_free(&q);
      res->outcome = BN_NOT_SENT;
      argo__fmt(res->why, sizeof res->why, "cannot sign the request");
      return;
    }
  }
  argo__sb url;
  argo__sb_init(&url);
  argo__sb_printf(&url, "%s%s%s%s", r->base, path, q.len ? "?" : "", q.len ? argo__sb_str(&q) : "");
  argo__sb_free(&q);
  struct curl_slist *hdr = NULL;
  char keyh[256];
  if (sign || strcmp(method, "GET") != 0) {
    snprintf(keyh, sizeof keyh, "X-MBX-APIKEY: %s", argo__bn_keys_api_key(r->keys));
    hdr = curl_slist_append(hdr, keyh);
  }
  argo__sb_reset(&r->body);
  r->overflow = 0;
  r->retry_after_s = -1;
  r->curl_err[0] = '\0';
  CURL *e = r->h;
  curl_easy_setopt(e, CURLOPT_URL, argo__sb_str(&url));
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") == 0 ? NULL : method);
  curl_easy_setopt(e, CURLOPT_POST, strcmp(method, "POST") == 0 ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, strcmp(method, "POST") == 0 ? "" : NULL);
  curl_easy_setopt(e, CURLOPT_HTTPGET, strcmp(method, "GET") == 0 ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
  CURLcode c = argo__sb_failed(&url) ? CURLE_OUT_OF_MEMORY : curl_easy_perform(e);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(hdr);
  argo__sb_free(&url);
  res->retry_after_s = r->retry_after_s;
  if (c != CURLE_OK) {
    res->outcome = never_sent(c) ? BN_NOT_SENT : BN_UNKNOWN;
    argo__fmt(res->why, sizeof res->why, "%s",
              r->overflow      ? "answer too large"
              : r->curl_err[0] ? r->curl_err
                               : curl_easy_strerror(c));
    argo__bn_redact(r->keys, res->why);
    return;
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &res->status);
  res->body = argo__sb_str(&r->body);
  res->len = r->body.len;
  if (res->status >= 500) {
    /* Binance: "the execution status is UNKNOWN and could have been a success". */
    res->outcome = BN_UNKNOWN;
    error_of(res);
    argo__fmt(res->why, sizeof res->why, "HTTP %ld%s%s", res->status, res->msg[0] ? ": " : "",
              res->msg);
    return;
  }
  res->outcome = BN_ANSWERED;
  if (res->status != 200) {
    error_of(res);
    if (res->code && argo__bn_error_class(res->code, res->msg) == ARGO_BN_ERR_UNKNOWN_OUTCOME) {
      res->outcome = BN_UNKNOWN;
    }
  }
}

argo_err argo__bn_rest_sync_clock(bn_rest *r, char *err, size_t errlen) {
  bn_result res;
  int64_t t0 = argo__wall_us();
  argo__bn_rest_call(r, "GET", "/api/v3/time", NULL, 0, &res);
  int64_t t1 = argo__wall_us();
  if (res.outcome != BN_ANSWERED || res.status != 200) {
    argo__fmt(err, errlen, "GET %s/api/v3/time: %s", r->base, res.why[0] ? res.why : "no answer");
    return ARGO_EBROKER;
  }
  json_error_t je;
  json_t *j = json_loadb(res.body, res.len, 0, &je);
  json_t *st = j ? json_object_get(j, "serverTime") : NULL;
  if (!json_is_integer(st)) {
    json_decref(j);
    argo__fmt(err, errlen, "GET %s/api/v3/time: no serverTime in the answer", r->base);
    return ARGO_EBROKER;
  }
  int64_t server = (int64_t)json_integer_value(st);
  json_decref(j);
  int64_t local_mid = (t0 + t1) / 2 / 1000;
  atomic_store(&r->clock->offset_ms, server - local_mid);
  return ARGO_OK;
}

const char *argo__bn_rest_base(const bn_rest *r) {
  return r->base;
}
