/*
 * mock_exchange: a local stand-in for Binance's spot exchange, for the tests of argo's Binance
 * feed and broker and for trying argo without internet. One port on 127.0.0.1 serves, with
 * libwebsockets' server API:
 *   market data (mock_market.c)
 *     GET /api/v3/klines?symbol=S&interval=I[&startTime=ms][&endTime=ms][&limit=n]
 *     /stream?streams=btcusdt@kline_1m/ethusdt@kline_1m                (WebSocket)
 *   trading (mock_api.c, mock_trading.c), signed with HMAC-SHA256 or Ed25519
 *     GET /api/v3/ping, /api/v3/time, /api/v3/exchangeInfo
 *     POST, DELETE, GET /api/v3/order; GET /api/v3/openOrders, /api/v3/account, /api/v3/myTrades
 *     /ws-api/v3 (WebSocket API, mock_wsapi.c): time, ping, exchangeInfo, session.logon,
 *       session.status, session.logout, userDataStream.subscribe[.signature],
 *       userDataStream.unsubscribe, session.subscriptions, order.place, order.status,
 *       order.cancel, openOrders.status, account.status, myTrades; user data events
 *       (executionReport, outboundAccountPosition) on the subscribed connections.
 * Candles are a pure function of (symbol, open time), so the REST history, the live stream and
 * the matching engine always agree. The mock has its own clock for candles: step k's candle
 * opens at start + k * interval and is finalized (sent with "x": true) when k + 1 ticks of real
 * time have passed since the mock started; a tick is the interval itself (real time) unless
 * --tick-ms makes the clock run faster. REST serves every candle up to the one currently open.
 * The exchange's time (orders, events, /api/v3/time, the check of a request's timestamp) is
 * the wall clock plus --clock-offset-ms.
 *
 * The first line on stdout is the port. Flags (docs/feeds.md and docs/mock_exchange.md):
 *   market data: --interval I, --tick-ms MS, --start-ms MS, --partial N, --disconnect-after N,
 *     --disconnects K, --rate-limit K, --retry-after S, --rate-limit-status C, --hold-klines K,
 *     --hold-ms MS, --malformed-every N, --ping-ms MS, --stats-file F, --skip-steps A,B,..,
 *     --duplicate-every N
 *   trading: --api-key K, --api-secret S, --ed25519-api-key K, --ed25519-pubkey PEM,
 *     --symbols LIST, --balance LIST, --tick-size X, --min-price X, --max-price X,
 *     --step-size X, --min-qty X, --max-qty X, --min-notional X, --max-notional X,
 *     --apply-min-to-market 0|1, --commission R, --maker-commission R, --commission-asset A,
 *     --commission-asset-price X, --max-fill-qty Q, --fills-per-candle N,
 *     --market-liquidity Q, --reject-events, --clock-offset-ms MS,
 *     --clock-jump-after-fills N --clock-jump-to-ms MS, --ledger FILE,
 *     --weight-limit N, --order-limit-10s N, --order-limit-1d N
 *   trading faults: --drop-stream-after N, --drop-streams K, --order-delay-ms MS,
 *     --delay-orders K,.., --lose-orders K,.., --ignore-orders K,.., --throttle-orders K,
 *     --throttle-status C,
 *     --bad-timestamp K,.., --bad-timestamp-orders K,.., --reject-orders K,..,
 *     --reject-code C, --reject-msg M
 *   --port P, --lifetime S, --tls-cert F --tls-key F, --verbose
 *
 * HMAC signatures are over the exact bytes sent: the mock reads each request line from the
 * socket before libwebsockets decodes it (which it does to every query string), and answers
 * every HTTP request with "Connection: close" so that each connection carries one request.
 * Behind TLS (--tls-cert) the bytes cannot be read that way and the query is rebuilt from the
 * decoded parameters.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mock.h"

#define RAW_FDS 4096
#define MAX_BODY (256 * 1024)

mock_options mopt = {.interval = "1m",
                     .disconnects = 1,
                     .retry_after = 1,
                     .rate_limit_status = 429,
                     .partial = 1,
                     .api_key = "mock-api-key",
                     .api_secret = "mock-api-secret",
                     .ed_api_key = "mock-ed25519-key",
                     .symbols = "BTCUSDT,ETHUSDT,BNBUSDT",
                     .balances = "USDT=10000",
                     .tick_size = 1000000, /* 0.01 */
                     .min_price = 1000000, /* 0.01 */
                     .max_price = 1000000 * MOCK_UNIT,
                     .step_size = 1000, /* 0.00001 */
                     .min_qty = 1000,   /* 0.00001 */
                     .max_qty = 9000 * MOCK_UNIT,
                     .min_notional = 5 * MOCK_UNIT,
                     .max_notional = 9000000 * MOCK_UNIT,
                     .apply_min_to_market = 1,
                     .taker_rate = 100000, /* 0.001 */
                     .maker_rate = -1,
                     .weight_limit = 6000,
                     .order_limit_10s = 100,
                     .order_limit_1d = 200000,
                     .drop_streams = 1,
                     .throttle_status = 429,
                     .reject_code = -2010};

struct lws_context *mock_ctx;
static int64_t real0_us;
static int64_t next_step; /* the next step to finalize */
static int rest_requests;
static int klines_requests;
static int64_t next_ping_us;
static volatile sig_atomic_t interrupted;
static lws_sorted_usec_list_t tick_sul;
static char *raw_lines[RAW_FDS]; /* the request line read from each new connection */

/* ---- clock, logging, helpers ------------------------------------------------------------- */

void mock_log(const char *fmt, ...) {
  if (!mopt.verbose) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "mock_exchange: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int64_t mock_mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t mock_server_ms(void) {
  return wall_ms() + mopt.clock_offset_ms;
}

void mock_clock_count_fill(void) {
  static int fills;
  if (mopt.clock_jump_after_fills > 0 && ++fills == mopt.clock_jump_after_fills) {
    mopt.clock_offset_ms = mopt.clock_jump_to_ms - wall_ms();
  }
}

int64_t mock_current_step(void) {
  return (mock_mono_us() - real0_us) / (mopt.tick_ms * 1000);
}

int64_t mock_last_step(void) {
  return next_step - 1;
}

int mock_list_has(const mock_list *l, int64_t v) {
  for (int i = 0; i < l->n; i++) {
    if (l->v[i] == v) {
      return 1;
    }
  }
  return 0;
}

int mock_amt_parse(const char *s, mock_amt *out) {
  if (!s || !*s) {
    return -1;
  }
  int neg = 0;
  if (*s == '-') {
    neg = 1;
    s++;
  }
  int64_t whole = 0, frac = 0;
  int digits = 0, fd = 0;
  for (; isdigit((unsigned char)*s); s++, digits++) {
    if (whole > (INT64_MAX / MOCK_UNIT) / 10) {
      return -1;
    }
    whole = whole * 10 + (*s - '0');
  }
  if (*s == '.') {
    s++;
    for (; isdigit((unsigned char)*s); s++, fd++) {
      if (fd >= 8) {
        if (*s != '0') {
          return -2; /* a ninth decimal that is not zero */
        }
        continue;
      }
      frac = frac * 10 + (*s - '0');
      digits++;
    }
  }
  if (*s || digits == 0) {
    return -1;
  }
  for (int i = fd < 8 ? fd : 8; i < 8; i++) {
    frac *= 10;
  }
  mock_amt v = whole * MOCK_UNIT + frac;
  *out = neg ? -v : v;
  return 0;
}

const char *mock_amt_str(mock_amt v, char buf[32]) {
  int neg = v < 0;
  uint64_t u = neg ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
  snprintf(buf, 32, "%s%" PRIu64 ".%08" PRIu64, neg ? "-" : "", u / (uint64_t)MOCK_UNIT,
           u % (uint64_t)MOCK_UNIT);
  return buf;
}

__extension__ typedef __int128 i128;

mock_amt mock_amt_mul(mock_amt a, mock_amt b) {
  i128 p = (i128)a * (i128)b;
  return (mock_amt)((p + MOCK_UNIT / 2) / MOCK_UNIT);
}

mock_amt mock_amt_div(mock_amt a, mock_amt b) {
  if (b <= 0) {
    return 0;
  }
  return (mock_amt)(((i128)a * MOCK_UNIT) / b);
}

json_t *mock_json_amt(mock_amt v) {
  char b[32];
  return json_string(mock_amt_str(v, b));
}

/* ---- the clock's tick -------------------------------------------------------------------- */

static void tick(lws_sorted_usec_list_t *sul) {
  int64_t due = mock_current_step();
  while (next_step < due) {
    /* Fills against a candle are made as the candle is finalized, before it is sent. */
    mock_trading_candle(next_step);
    mock_market_broadcast(next_step++);
  }
  int64_t now = mock_mono_us();
  if (mopt.ping_ms > 0 && now >= next_ping_us) {
    mock_market_ping_all();
    next_ping_us = now + mopt.ping_ms * 1000;
  }
  /* Wake at the next step's end or ping (and at least every 200 ms, for --lifetime and
   * signals). */
  int64_t next_us = real0_us + (next_step + 1) * mopt.tick_ms * 1000 - now;
  if (mopt.ping_ms > 0 && next_ping_us - now < next_us) {
    next_us = next_ping_us - now;
  }
  if (next_us > 200000) {
    next_us = 200000;
  }
  if (next_us < 1000) {
    next_us = 1000;
  }
  lws_sul_schedule(mock_ctx, 0, sul, tick, next_us);
}

/* ---- HTTP -------------------------------------------------------------------------------- */

/* Reads (without consuming: libwebsockets reads it afterwards) the first line of what a new
 * connection sends, waiting up to a second for it: the request line as sent, before
 * libwebsockets percent-decodes the query. */
static void peek_request_line(int fd) {
  if (fd < 0 || fd >= RAW_FDS) {
    return;
  }
  free(raw_lines[fd]);
  raw_lines[fd] = NULL;
  char buf[16384];
  int64_t deadline = mock_mono_us() + 1000000;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) {
      char *eol = memchr(buf, '\n', (size_t)n);
      if (eol) {
        raw_lines[fd] = strndup(buf, (size_t)(eol - buf));
        return;
      }
      if ((size_t)n == sizeof buf - 1) {
        return;
      }
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      return;
    }
    int64_t left = deadline - mock_mono_us();
    if (left <= 0) {
      return;
    }
    /* poll says readable as soon as part of the line is there: wait a little between looks. */
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    if (n > 0) {
      usleep(200);
    } else if (poll(&pf, 1, (int)(left / 1000) + 1) < 0 && errno != EINTR) {
      return;
    }
  }
}

static int http_method(struct lws *wsi) {
  if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0) {
    return MOCK_GET;
  }
  if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0) {
    return MOCK_POST;
  }
  if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI) > 0) {
    return MOCK_DELETE;
  }
  if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI) > 0) {
    return MOCK_PUT;
  }
  return 0;
}

/* p->raw_query: the query as sent when the request line was read from the socket and names
 * this path, else the decoded parameters joined again (TLS). */
static void take_query(mock_conn *p, struct lws *wsi) {
  int fd = lws_get_socket_fd(wsi);
  char *line = fd >= 0 && fd < RAW_FDS ? raw_lines[fd] : NULL;
  if (line) {
    raw_lines[fd] = NULL; /* one request per connection: used once */
    char *sp = strchr(line, ' ');
    char *target = sp ? sp + 1 : NULL;
    char *end = target ? strchr(target, ' ') : NULL;
    if (end) {
      *end = '\0';
      char *q = strchr(target, '?');
      size_t plen = q ? (size_t)(q - target) : strlen(target);
      if (plen == strlen(p->path) && memcmp(target, p->path, plen) == 0) {
        p->raw_query = strdup(q ? q + 1 : "");
        p->raw_known = 1;
      }
    }
    free(line);
    if (p->raw_known) {
      return;
    }
  }
  size_t cap = 1, n = 0;
  char frag[8192];
  for (int i = 0; lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i) > 0;
       i++) {
    cap += strlen(frag) + 1;
  }
  p->raw_query = calloc(1, cap);
  for (int i = 0; p->raw_query &&
                  lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i) > 0;
       i++) {
    n += (size_t)snprintf(p->raw_query + n, cap - n, "%s%s", i ? "&" : "", frag);
  }
}

static void add_header(mock_conn *p, const char *name, const char *value) {
  size_t n = strlen(p->extra_headers);
  snprintf(p->extra_headers + n, sizeof p->extra_headers - n, "%s\n%s\n", name, value);
}

/* Sends the status line and headers of p's response and asks to write the body. */
static int send_headers(mock_conn *p, struct lws *wsi) {
  unsigned char hdr[LWS_PRE + 2048], *start = hdr + LWS_PRE, *q = start,
                                     *end = hdr + sizeof hdr - 1;
  if (lws_add_http_common_headers(wsi, (unsigned)p->status, "application/json;charset=UTF-8",
                                  p->body_len, &q, end)) {
    return -1;
  }
  char name[128];
  for (char *h = p->extra_headers; *h;) {
    char *nl = strchr(h, '\n');
    char *v = nl + 1;
    char *vnl = strchr(v, '\n');
    snprintf(name, sizeof name, "%.*s:", (int)(nl - h), h);
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)v,
                                    (int)(vnl - v), &q, end)) {
      return -1;
    }
    h = vnl + 1;
  }
  if (lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, (const unsigned char *)"close", 5, &q,
                                   end)) {
    return -1;
  }
  if (lws_finalize_write_http_header(wsi, start, &q, end)) {
    return -1;
  }
  lws_callback_on_writable(wsi);
  return 0;
}

static void hold_over(lws_sorted_usec_list_t *sul) {
  mock_conn *p = lws_container_of(sul, mock_conn, hold);
  lws_callback_on_writable(p->wsi);
}

/* How long to hold a klines answer: --hold-ms, or until 200 ms after the mock has finalized the
 * candle that is open by the wall clock now (with a faster clock, the one open on the mock's
 * clock). A client that asked for history up to the candle in progress then misses that candle
 * on a stream it opens after the answer. */
static int64_t hold_us(void) {
  if (mopt.hold_ms > 0) {
    return mopt.hold_ms * 1000;
  }
  int64_t k = (wall_ms() / mopt.iv_ms * mopt.iv_ms - mopt.start_ms) / mopt.iv_ms;
  int64_t cur = mock_current_step();
  if (k < cur) {
    k = cur;
  }
  int64_t us = real0_us + (k + 1) * mopt.tick_ms * 1000 + 200000 - mock_mono_us();
  return us > 1000 ? us : 1000;
}

static void weight_header(mock_conn *p) {
  char v[32];
  snprintf(v, sizeof v, "%d", mock_used_weight());
  add_header(p, "x-mbx-used-weight-1m", v);
}

/* Sends p's response now, or after delay_us. */
static int respond(mock_conn *p, struct lws *wsi, int64_t delay_us) {
  if (delay_us > 0) {
    p->held = 1;
    lws_sul_schedule(mock_ctx, 0, &p->hold, hold_over, delay_us);
    return 0;
  }
  return send_headers(p, wsi);
}

static int klines_request(mock_conn *p, struct lws *wsi) {
  int status;
  klines_requests++;
  if (rest_requests <= mopt.rate_limit) {
    status = mopt.rate_limit_status;
    char ra[16];
    snprintf(ra, sizeof ra, "%d", mopt.retry_after);
    add_header(p, "retry-after", ra);
    p->body = malloc(128);
    if (p->body) {
      p->body_len = (size_t)snprintf(p->body, 128, "{\"code\":-1003,\"msg\":\"%s\"}",
                                     "Too many requests; rate limited.");
    }
  } else {
    status = mock_klines(p, wsi);
  }
  if (!p->body) {
    return -1;
  }
  p->status = status;
  if (klines_requests <= mopt.hold_klines) {
    int64_t us = hold_us();
    mock_log("REST %s -> %d (%zu bytes), held %" PRId64 " ms", p->path, status, p->body_len,
             us / 1000);
    return respond(p, wsi, us);
  }
  mock_log("REST %s -> %d (%zu bytes)", p->path, status, p->body_len);
  return respond(p, wsi, 0);
}

/* Removes "signature=..." from a query or body, for the signature payload. */
static void strip_signature(const char *s, char *out, size_t cap) {
  size_t n = 0;
  out[0] = '\0';
  for (const char *a = s; a && *a;) {
    const char *amp = strchr(a, '&');
    size_t len = amp ? (size_t)(amp - a) : strlen(a);
    if (!(len >= 10 && strncmp(a, "signature=", 10) == 0)) {
      n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%.*s", n ? "&" : "", (int)len, a);
    }
    a = amp ? amp + 1 : NULL;
  }
}

static int api_request(mock_conn *p, struct lws *wsi) {
  mock_req rq;
  memset(&rq, 0, sizeof rq);
  rq.method = p->method;
  rq.endpoint = p->path;
  rq.conn = p;
  if (lws_hdr_custom_copy(wsi, rq.api_key, sizeof rq.api_key, "x-mbx-apikey:", 13) < 0) {
    rq.api_key[0] = '\0';
  }
  /* Parameters from the query string take precedence over the body's (Binance's rule). */
  mock_req_add_query(&rq, p->raw_query);
  if (p->req_body) {
    mock_req_add_query(&rq, p->req_body);
  }
  /* The signature payload: the query string concatenated with the body, as sent. */
  size_t cap = (p->raw_query ? strlen(p->raw_query) : 0) + p->req_len + 2;
  char *a = malloc(cap), *b = malloc(cap);
  rq.payload = malloc(cap);
  if (!a || !b || !rq.payload) {
    free(a);
    free(b);
    mock_req_free(&rq);
    return -1;
  }
  strip_signature(p->raw_query, a, cap);
  strip_signature(p->req_body, b, cap);
  snprintf(rq.payload, cap, "%s%s", a, b);
  free(a);
  free(b);
  mock_reply rp;
  mock_api_handle(&rq, &rp);
  mock_req_free(&rq);
  if (rp.lose) {
    json_decref(rp.result);
    mock_log("REST %s: processed, response lost (connection closed)", p->path);
    return -1;
  }
  json_t *body = rp.result;
  if (!body) {
    body = json_pack("{s:i,s:s}", "code", rp.code, "msg", rp.msg);
  }
  p->body = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(body);
  if (!p->body) {
    return -1;
  }
  p->body_len = strlen(p->body);
  p->status = rp.status;
  weight_header(p);
  if (rp.order) {
    char v[32];
    snprintf(v, sizeof v, "%d", mock_order_count_10s());
    add_header(p, "x-mbx-order-count-10s", v);
    snprintf(v, sizeof v, "%d", mock_order_count_1d());
    add_header(p, "x-mbx-order-count-1d", v);
  }
  if (rp.retry_after_s > 0) {
    char v[32];
    snprintf(v, sizeof v, "%d", rp.retry_after_s);
    add_header(p, "retry-after", v);
  }
  mock_log("REST %s %s -> %d %s%s",
           p->method == MOCK_POST     ? "POST"
           : p->method == MOCK_DELETE ? "DELETE"
                                      : "GET",
           p->path, p->status, p->body, rp.delay_ms ? " (delayed)" : "");
  return respond(p, wsi, rp.delay_ms * 1000);
}

static void http_reset(mock_conn *p) {
  lws_sul_cancel(&p->hold);
  free(p->body);
  free(p->raw_query);
  free(p->req_body);
  p->body = p->raw_query = p->req_body = NULL;
  p->body_len = p->body_off = p->req_len = p->req_expect = 0;
  p->held = p->lose = p->closing = p->raw_known = 0;
  p->extra_headers[0] = '\0';
}

static int http_request(mock_conn *p, struct lws *wsi, const char *uri) {
  memset(p, 0, sizeof *p);
  p->kind = MOCK_CONN_HTTP;
  p->wsi = wsi;
  p->method = http_method(wsi);
  snprintf(p->path, sizeof p->path, "%s", uri);
  rest_requests++;
  take_query(p, wsi);
  if (strcmp(uri, "/api/v3/klines") == 0) {
    mock_add_weight(2); /* klines weigh 2 */
    weight_header(p);
    return klines_request(p, wsi);
  }
  if (strncmp(uri, "/api/", 5) == 0 && p->method != MOCK_GET) {
    char cl[32] = "";
    if (lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
      p->req_expect = (size_t)strtoull(cl, NULL, 10);
    }
    if (p->req_expect > 0) {
      return 0; /* the parameters may be in the body: answer when it has arrived */
    }
  }
  return api_request(p, wsi);
}

static int http_write(mock_conn *p, struct lws *wsi) {
  if (p->closing) {
    return -1; /* everything has been sent (libwebsockets asks only then): close */
  }
  unsigned char buf[LWS_PRE + 16384];
  size_t left = p->body_len - p->body_off;
  size_t n = left < 16384 ? left : 16384;
  memcpy(buf + LWS_PRE, p->body + p->body_off, n);
  int final = n == left;
  if (lws_write(wsi, buf + LWS_PRE, n, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n) {
    return -1;
  }
  p->body_off += n;
  if (!final) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  /* Connection: close (one request per connection, see the top of the file): now, or once
   * libwebsockets has sent what it still holds. */
  if (lws_partial_buffered(wsi)) {
    p->closing = 1;
    lws_callback_on_writable(wsi);
    return 0;
  }
  return -1;
}

/* ---- the protocol callback --------------------------------------------------------------- */

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len) {
  mock_conn *p = user;
  switch (reason) {
  case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
    if (!mopt.tls_cert) {
      peek_request_line((int)(intptr_t)in);
    }
    return 0;
  case LWS_CALLBACK_HTTP:
    return http_request(p, wsi, (const char *)in);
  case LWS_CALLBACK_HTTP_BODY:
    if (p->req_len + len > MAX_BODY) {
      return -1;
    }
    {
      char *b = realloc(p->req_body, p->req_len + len + 1);
      if (!b) {
        return -1;
      }
      if (len > 0) {
        memcpy(b + p->req_len, in, len);
      }
      p->req_len += len;
      b[p->req_len] = '\0';
      p->req_body = b;
    }
    return 0;
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    /* Only a request that waited for its body: one with "Content-Length: 0" (curl's POST
     * without a body) was answered at once, and libwebsockets still reports its (empty) body
     * complete; answering again would carry the order out twice. */
    return p->req_expect > 0 ? api_request(p, wsi) : 0;
  case LWS_CALLBACK_HTTP_WRITEABLE:
    if (p->held) {
      p->held = 0;
      return send_headers(p, wsi);
    }
    return p->body ? http_write(p, wsi) : 0;
  case LWS_CALLBACK_CLOSED_HTTP:
  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    if (p && p->kind == MOCK_CONN_HTTP) {
      http_reset(p);
    }
    return 0;
  case LWS_CALLBACK_ESTABLISHED: {
    char uri[256] = "", args[1024] = "";
    lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
    if (lws_hdr_copy_fragment(wsi, args, sizeof args, WSI_TOKEN_HTTP_URI_ARGS, 0) < 0) {
      args[0] = '\0';
    }
    int fd = lws_get_socket_fd(wsi);
    if (fd >= 0 && fd < RAW_FDS) {
      free(raw_lines[fd]);
      raw_lines[fd] = NULL;
    }
    memset(p, 0, sizeof *p);
    if (strcmp(uri, "/ws-api/v3") == 0) {
      return mock_wsapi_established(p, wsi, args);
    }
    return mock_market_established(p, wsi, uri, args);
  }
  case LWS_CALLBACK_RECEIVE:
    if (p->kind == MOCK_CONN_WSAPI) {
      return mock_wsapi_receive(p, in, len, lws_is_final_fragment(wsi));
    }
    return 0;
  case LWS_CALLBACK_SERVER_WRITEABLE:
    if (p->kind == MOCK_CONN_WSAPI) {
      return mock_wsapi_writeable(p, wsi);
    }
    return mock_market_writeable(p, wsi);
  case LWS_CALLBACK_RECEIVE_PONG:
    if (p->kind == MOCK_CONN_STREAM && p->awaiting_pong) {
      p->awaiting_pong = 0;
      mock_pongs_received++;
    }
    return 0;
  case LWS_CALLBACK_CLOSED:
    if (p->kind == MOCK_CONN_WSAPI) {
      mock_wsapi_closed(p);
    } else {
      mock_market_closed(p);
    }
    return 0;
  default:
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols protocols[] = {
    {"binance", callback, sizeof(mock_conn), 65536, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0}};

/* ---- main -------------------------------------------------------------------------------- */

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
  if (mock_ctx) {
    lws_cancel_service(mock_ctx);
  }
}

static int64_t parse_interval_ms(const char *s) {
  char *end;
  long long v = strtoll(s, &end, 10);
  if (v <= 0) {
    return -1;
  }
  if (strcmp(end, "s") == 0) {
    return v * 1000;
  }
  if (strcmp(end, "m") == 0) {
    return v * 60000;
  }
  if (strcmp(end, "h") == 0) {
    return v * 3600000;
  }
  if (strcmp(end, "d") == 0) {
    return v * 86400000;
  }
  return -1;
}

static int parse_list(const char *v, mock_list *l) {
  l->n = 0;
  for (const char *s = v; *s;) {
    char *end;
    long long x = strtoll(s, &end, 10);
    if (end == s || l->n >= MOCK_MAX_LIST) {
      return -1;
    }
    l->v[l->n++] = x;
    if (*end == '\0') {
      break;
    }
    if (*end != ',') {
      return -1;
    }
    s = end + 1;
  }
  return 0;
}

static void usage(void) {
  fprintf(stderr,
          "usage: mock_exchange [--port P] [--interval I] [--tick-ms MS] [--start-ms MS]\n"
          "         [--partial N] [--disconnect-after N] [--disconnects K] [--rate-limit K]\n"
          "         [--retry-after S] [--rate-limit-status 429|418] [--malformed-every N]\n"
          "         [--hold-klines K] [--hold-ms MS] [--ping-ms MS] [--stats-file F]\n"
          "         [--skip-steps A,B,...] [--duplicate-every N] [--lifetime S] [--verbose]\n"
          "         [--tls-cert FILE --tls-key FILE]\n"
          "       trading: [--api-key K] [--api-secret S] [--ed25519-api-key K]\n"
          "         [--ed25519-pubkey PEM] [--symbols S[=BASE/QUOTE],...] [--balance A=X,...]\n"
          "         [--tick-size X] [--min-price X] [--max-price X] [--step-size X]\n"
          "         [--min-qty X] [--max-qty X] [--min-notional X] [--max-notional X]\n"
          "         [--apply-min-to-market 0|1] [--commission R] [--maker-commission R]\n"
          "         [--commission-asset A --commission-asset-price X] [--max-fill-qty Q]\n"
          "         [--fills-per-candle N] [--market-liquidity Q] [--reject-events]\n"
          "         [--clock-offset-ms MS] [--clock-jump-after-fills N --clock-jump-to-ms MS]\n"
          "         [--ledger FILE] [--weight-limit N]\n"
          "         [--order-limit-10s N] [--order-limit-1d N]\n"
          "       faults: [--drop-stream-after N] [--drop-streams K] [--order-delay-ms MS]\n"
          "         [--delay-orders K,...] [--lose-orders K,...] [--ignore-orders K,...] "
          "[--throttle-orders K]\n"
          "         [--throttle-status 429|418] [--bad-timestamp K,...]\n"
          "         [--bad-timestamp-orders K,...] [--reject-orders K,...] [--reject-code C]\n"
          "         [--reject-msg M]\n"
          "Prints its port on the first line of stdout. See docs/mock_exchange.md.\n");
}

/* Parses one flag with a value; 1 when it was one, 0 when not, -1 when its value is bad. */
static int value_flag(const char *a, const char *v) {
  static const struct {
    const char *name;
    int *field;
  } ints[] = {
      {"--port", &mopt.port},
      {"--disconnect-after", &mopt.disconnect_after},
      {"--disconnects", &mopt.disconnects},
      {"--rate-limit", &mopt.rate_limit},
      {"--retry-after", &mopt.retry_after},
      {"--rate-limit-status", &mopt.rate_limit_status},
      {"--hold-klines", &mopt.hold_klines},
      {"--malformed-every", &mopt.malformed_every},
      {"--duplicate-every", &mopt.duplicate_every},
      {"--partial", &mopt.partial},
      {"--lifetime", &mopt.lifetime},
      {"--apply-min-to-market", &mopt.apply_min_to_market},
      {"--fills-per-candle", &mopt.fills_per_candle},
      {"--clock-jump-after-fills", &mopt.clock_jump_after_fills},
      {"--weight-limit", &mopt.weight_limit},
      {"--order-limit-10s", &mopt.order_limit_10s},
      {"--order-limit-1d", &mopt.order_limit_1d},
      {"--drop-stream-after", &mopt.drop_stream_after},
      {"--drop-streams", &mopt.drop_streams},
      {"--throttle-orders", &mopt.throttle_orders},
      {"--throttle-status", &mopt.throttle_status},
      {"--reject-code", &mopt.reject_code},
  };
  static const struct {
    const char *name;
    int64_t *field;
  } i64s[] = {
      {"--tick-ms", &mopt.tick_ms},
      {"--ping-ms", &mopt.ping_ms},
      {"--hold-ms", &mopt.hold_ms},
      {"--clock-offset-ms", &mopt.clock_offset_ms},
      {"--clock-jump-to-ms", &mopt.clock_jump_to_ms},
      {"--order-delay-ms", &mopt.order_delay_ms},
  };
  static const struct {
    const char *name;
    mock_amt *field;
  } amts[] = {
      {"--tick-size", &mopt.tick_size},
      {"--min-price", &mopt.min_price},
      {"--max-price", &mopt.max_price},
      {"--step-size", &mopt.step_size},
      {"--min-qty", &mopt.min_qty},
      {"--max-qty", &mopt.max_qty},
      {"--min-notional", &mopt.min_notional},
      {"--max-notional", &mopt.max_notional},
      {"--commission", &mopt.taker_rate},
      {"--maker-commission", &mopt.maker_rate},
      {"--commission-asset-price", &mopt.commission_asset_price},
      {"--max-fill-qty", &mopt.max_fill_qty},
      {"--market-liquidity", &mopt.market_liquidity},
  };
  static const struct {
    const char *name;
    const char **field;
  } strs[] = {
      {"--stats-file", &mopt.stats_file},
      {"--tls-cert", &mopt.tls_cert},
      {"--tls-key", &mopt.tls_key},
      {"--api-key", &mopt.api_key},
      {"--api-secret", &mopt.api_secret},
      {"--ed25519-api-key", &mopt.ed_api_key},
      {"--ed25519-pubkey", &mopt.ed_pubkey_file},
      {"--symbols", &mopt.symbols},
      {"--balance", &mopt.balances},
      {"--commission-asset", &mopt.commission_asset},
      {"--ledger", &mopt.ledger},
      {"--reject-msg", &mopt.reject_msg},
  };
  static const struct {
    const char *name;
    mock_list *field;
  } lists[] = {
      {"--skip-steps", &mopt.skip},
      {"--delay-orders", &mopt.delay_orders},
      {"--lose-orders", &mopt.lose_orders},
      {"--ignore-orders", &mopt.ignore_orders},
      {"--bad-timestamp", &mopt.bad_ts_requests},
      {"--bad-timestamp-orders", &mopt.bad_ts_orders},
      {"--reject-orders", &mopt.reject_orders},
  };
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    if (strcmp(a, ints[i].name) == 0) {
      char *end;
      long x = strtol(v, &end, 10);
      if (*end || end == v) {
        return -1;
      }
      *ints[i].field = (int)x;
      return 1;
    }
  }
  for (size_t i = 0; i < sizeof i64s / sizeof i64s[0]; i++) {
    if (strcmp(a, i64s[i].name) == 0) {
      char *end;
      long long x = strtoll(v, &end, 10);
      if (*end || end == v) {
        return -1;
      }
      *i64s[i].field = x;
      return 1;
    }
  }
  for (size_t i = 0; i < sizeof amts / sizeof amts[0]; i++) {
    if (strcmp(a, amts[i].name) == 0) {
      return mock_amt_parse(v, amts[i].field) == 0 && *amts[i].field >= 0 ? 1 : -1;
    }
  }
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
    if (strcmp(a, strs[i].name) == 0) {
      *strs[i].field = v;
      return 1;
    }
  }
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
    if (strcmp(a, lists[i].name) == 0) {
      return parse_list(v, lists[i].field) == 0 ? 1 : -1;
    }
  }
  if (strcmp(a, "--interval") == 0) {
    snprintf(mopt.interval, sizeof mopt.interval, "%s", v);
    return 1;
  }
  if (strcmp(a, "--start-ms") == 0) {
    mopt.start_ms = strtoll(v, NULL, 10);
    mopt.have_start = 1;
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--verbose") == 0) {
      mopt.verbose = 1;
      continue;
    }
    if (strcmp(a, "--reject-events") == 0) {
      mopt.reject_events = 1;
      continue;
    }
    int r = i + 1 < argc ? value_flag(a, argv[i + 1]) : 0;
    if (r <= 0) {
      if (r < 0) {
        fprintf(stderr, "mock_exchange: bad value for %s: '%s'\n", a, argv[i + 1]);
      }
      usage();
      return 2;
    }
    i++;
  }
  mopt.iv_ms = parse_interval_ms(mopt.interval);
  if (mopt.iv_ms <= 0) {
    fprintf(stderr, "mock_exchange: bad --interval '%s'\n", mopt.interval);
    return 2;
  }
  if (mopt.tick_ms <= 0) {
    mopt.tick_ms = mopt.iv_ms;
  }
  if (mopt.maker_rate < 0) {
    mopt.maker_rate = mopt.taker_rate;
  }
  int64_t now = wall_ms();
  if (!mopt.have_start) {
    /* A faster clock starts a day back, so that its candles stay in the past for a while. */
    mopt.start_ms = now / mopt.iv_ms * mopt.iv_ms - (mopt.tick_ms < mopt.iv_ms ? 86400000 : 0);
  }
  mopt.start_ms = mopt.start_ms / mopt.iv_ms * mopt.iv_ms;
  char err[512];
  if (mock_api_init(err, sizeof err) != 0 || mock_trading_init(err, sizeof err) != 0) {
    fprintf(stderr, "mock_exchange: %s\n", err);
    return 2;
  }

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);
  lws_set_log_level(mopt.verbose ? LLL_ERR | LLL_WARN : LLL_ERR, NULL);
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = mopt.port;
  info.iface = "127.0.0.1";
  info.protocols = protocols;
  info.options = LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
  info.fd_limit_per_thread = 256;
  /* Room for the custom header X-MBX-APIKEY and long signed query strings. */
  info.max_http_header_data = 16384;
  if (mopt.tls_cert) {
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.ssl_cert_filepath = mopt.tls_cert;
    info.ssl_private_key_filepath = mopt.tls_key;
  }
  mock_ctx = lws_create_context(&info);
  if (!mock_ctx) {
    fprintf(stderr, "mock_exchange: cannot listen on 127.0.0.1:%d\n", mopt.port);
    return 1;
  }
  struct lws_vhost *vh = lws_get_vhost_by_name(mock_ctx, "default");
  int port = vh ? lws_get_vhost_listen_port(vh) : -1;
  printf("%d\n", port);
  fflush(stdout);
  mock_log("listening on 127.0.0.1:%d, interval %s, tick %" PRId64 " ms, step 0 opens at %" PRId64,
           port, mopt.interval, mopt.tick_ms, mopt.start_ms);
  real0_us = mock_mono_us();
  next_ping_us = real0_us + mopt.ping_ms * 1000;
  lws_sul_schedule(mock_ctx, 0, &tick_sul, tick, 1000);
  int64_t deadline = mopt.lifetime > 0 ? real0_us + (int64_t)mopt.lifetime * 1000000 : 0;
  while (!interrupted && (!deadline || mock_mono_us() < deadline)) {
    if (lws_service(mock_ctx, 0) < 0) {
      break;
    }
  }
  lws_sul_cancel(&tick_sul);
  lws_context_destroy(mock_ctx);
  mock_trading_deinit();
  mock_api_deinit();
  for (int i = 0; i < RAW_FDS; i++) {
    free(raw_lines[i]);
  }
  if (mopt.stats_file) {
    FILE *f = fopen(mopt.stats_file, "w");
    if (f) {
      fprintf(f, "connections %d\npings %" PRId64 "\npongs %" PRId64 "\n", mock_ws_connections,
              mock_pings_sent, mock_pongs_received);
      fclose(f);
    }
  }
  return 0;
}
