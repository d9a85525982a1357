/*
 * The mock exchange's trading side (tests/mock_exchange, docs/mock_exchange.md), driven over
 * real loopback sockets as a Binance client would: signed REST with libcurl, the WebSocket API
 * with testutil's small client, HMAC-SHA256 and Ed25519 with OpenSSL. Each test starts its own
 * mock with a fast clock (one-second candles every 50 ms) and a ledger, and checks what the
 * mock answered, pushed and recorded. These tests are what the Binance broker (issue 16) and
 * the reconciliation after a crash (issue 17) rely on the mock for.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "test.h"
#include "testutil.h"

/* ---- bookkeeping: everything a test allocates is released at its end (LeakSanitizer) ----- */

static json_t *kept[4096];
static int nkept;

static json_t *keep(json_t *j) {
  if (j && nkept < (int)(sizeof kept / sizeof kept[0])) {
    kept[nkept++] = j;
  }
  return j;
}

static void release_all(void) {
  while (nkept > 0) {
    json_decref(kept[--nkept]);
  }
}

static json_t *parse(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
  CHECK_MSG(j != NULL, "not JSON (%s): %s", e.text, text);
  return keep(j);
}

static const char *str(json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

static int64_t num(json_t *o, const char *k) {
  return (int64_t)json_integer_value(json_object_get(o, k));
}

/* "12.34000000" -> 1234000000 (units of 1e-8). */
static int64_t units(const char *s) {
  int64_t whole = 0, frac = 0;
  int neg = *s == '-', fd = 0;
  s += neg;
  for (; *s >= '0' && *s <= '9'; s++) {
    whole = whole * 10 + (*s - '0');
  }
  if (*s == '.') {
    for (s++; *s >= '0' && *s <= '9' && fd < 8; s++, fd++) {
      frac = frac * 10 + (*s - '0');
    }
  }
  for (; fd < 8; fd++) {
    frac *= 10;
  }
  int64_t v = whole * 100000000 + frac;
  return neg ? -v : v;
}

static const char *dec(int64_t u) {
  static char buf[4][32];
  static int next;
  char *b = buf[next++ % 4];
  snprintf(b, 32, "%" PRId64 ".%08" PRId64, u / 100000000, u % 100000000);
  return b;
}

/* a * b / 1e8 rounded half up, as the mock computes notionals and commissions. */
static int64_t umul(int64_t a, int64_t b) {
  __extension__ __int128 p = (__int128)a * b;
  return (int64_t)((p + 50000000) / 100000000);
}

/* ---- the mock ---------------------------------------------------------------------------- */

typedef struct env {
  tu_mock m;
  char dir[4096];
  char ledger[4200];
  char start[32];
  int64_t start_ms;
} env;

static env E;

/* Starts a mock with a fast clock, a ledger and the given extra flags (NULL-terminated). */
static void start(const char *first, ...) {
  snprintf(E.dir, sizeof E.dir, "%s", tu_tmpdir("mockx"));
  snprintf(E.ledger, sizeof E.ledger, "%s/ledger.jsonl", E.dir);
  E.start_ms = tu_mock_start_ms();
  snprintf(E.start, sizeof E.start, "%" PRId64, E.start_ms);
  const char *flags[64] = {"--interval", "1s",    "--tick-ms", "50",
                           "--start-ms", E.start, "--ledger",  E.ledger};
  int n = 8;
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a && n < 63; a = va_arg(ap, const char *)) {
    flags[n++] = a;
  }
  va_end(ap);
  flags[n] = NULL;
  tu_mock_startv(&E.m, flags);
}

static void stop(void) {
  if (getenv("MOCK_TEST_KEEP")) {
    char *t = tu_read_file(E.ledger);
    fprintf(stderr, "ledger:\n%s", t ? t : "");
    free(t);
  }
  tu_mock_stop(&E.m);
  tu_rm_rf(E.dir);
  release_all();
}

/* A REST request to the mock; the body parsed (kept), the status in *status. */
static json_t *rest(const char *method, const char *path, const char *params, long *status) {
  tu_http_resp r = tu_mock_signed(&E.m, method, path, params);
  *status = r.status;
  json_t *j = r.body[0] ? parse(r.body) : NULL;
  tu_http_free(&r);
  return j;
}

static json_t *ok(const char *method, const char *path, const char *params) {
  long st;
  json_t *j = rest(method, path, params, &st);
  CHECK_MSG(st == 200, "%s %s %s: HTTP %ld: %s", method, path, params, st,
            j ? json_dumps(j, JSON_COMPACT) : "(no body)");
  return j;
}

/* Expects an error answer: HTTP status and Binance code, and msg (if not NULL) contained. */
static void fails(const char *method, const char *path, const char *params, long want_status,
                  int want_code, const char *msg) {
  long st;
  json_t *j = rest(method, path, params, &st);
  CHECK_MSG(j != NULL, "%s %s: no body (HTTP %ld)", method, path, st);
  CHECK_MSG(st == want_status && num(j, "code") == want_code,
            "%s %s %s: want HTTP %ld code %d, got HTTP %ld %s %s", method, path, params,
            want_status, want_code, st, str(j, "msg"), num(j, "code") ? "" : "(no code)");
  if (msg) {
    CHECK_CONTAINS(str(j, "msg"), msg);
  }
}

static json_t *public_get(const char *path_and_query) {
  char url[512];
  snprintf(url, sizeof url, "%s%s", E.m.rest, path_and_query);
  tu_http_resp r = tu_http("GET", url, NULL, NULL);
  CHECK_MSG(r.status == 200, "GET %s: HTTP %ld %s", path_and_query, r.status, r.body);
  json_t *j = parse(r.body);
  tu_http_free(&r);
  return j;
}

static int64_t last_price(const char *sym) {
  char q[128];
  snprintf(q, sizeof q, "/api/v3/ticker/price?symbol=%s", sym);
  return units(str(public_get(q), "price"));
}

/* The balance of asset from GET /api/v3/account. */
static void balance(const char *asset, int64_t *free_, int64_t *locked) {
  json_t *a = ok("GET", "/api/v3/account", "");
  size_t i;
  json_t *b;
  json_array_foreach(json_object_get(a, "balances"), i, b) {
    if (strcmp(str(b, "asset"), asset) == 0) {
      *free_ = units(str(b, "free"));
      *locked = units(str(b, "locked"));
      return;
    }
  }
  TEST_FAIL_("no balance of %s", asset);
}

/* The ledger's lines of ev (and cid), kept. */
static json_t *ledger(const char *ev, const char *cid) {
  return keep(tu_mock_ledger(E.ledger, ev, cid));
}

static json_t *order_status(const char *cid) {
  char q[256];
  snprintf(q, sizeof q, "symbol=BTCUSDT&origClientOrderId=%s", cid);
  return ok("GET", "/api/v3/order", q);
}

/* Waits up to ms for the order's status to become want. */
static json_t *wait_status(const char *cid, const char *want, int ms) {
  for (int waited = 0;; waited += 50) {
    json_t *o = order_status(cid);
    if (strcmp(str(o, "status"), want) == 0) {
      return o;
    }
    CHECK_MSG(waited < ms, "order %s is %s after %d ms, want %s", cid, str(o, "status"), ms, want);
    usleep(50000);
  }
}

/* ---- the WebSocket API ------------------------------------------------------------------- */

static json_t *events[1024];
static int nevents, next_event;
static int ws_id;

static tu_ws *ws_open(void) {
  tu_ws *w = tu_ws_open(E.m.port, "/ws-api/v3");
  CHECK_MSG(w != NULL, "cannot open the WebSocket API on port %d", E.m.port);
  nevents = next_event = 0;
  return w;
}

/* Sends a request; params is a JSON object (taken) or NULL. With sign, apiKey and timestamp are
 * added and the HMAC signature over the parameters sorted by name. Returns the response (kept);
 * events that arrive meanwhile are queued for ws_event. NULL when the connection closed. */
static json_t *ws_call(tu_ws *w, const char *method, json_t *params, int sign) {
  if (!params) {
    params = json_object();
  }
  if (sign) {
    json_object_set_new(params, "apiKey", json_string(E.m.api_key));
    if (!json_object_get(params, "timestamp")) {
      json_object_set_new(params, "timestamp", json_integer(tu_wall_ms()));
    }
    /* The payload: every parameter, sorted by name, as name=value joined with '&'. */
    const char *names[64];
    int n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(params, k, v) {
      names[n++] = k;
    }
    for (int i = 1; i < n; i++) {
      for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
        const char *t = names[j];
        names[j] = names[j - 1];
        names[j - 1] = t;
      }
    }
    char payload[4096] = "";
    size_t len = 0;
    for (int i = 0; i < n; i++) {
      json_t *x = json_object_get(params, names[i]);
      char val[512];
      if (json_is_string(x)) {
        snprintf(val, sizeof val, "%s", json_string_value(x));
      } else if (json_is_real(x)) {
        snprintf(val, sizeof val, "%.15g", json_real_value(x));
      } else {
        snprintf(val, sizeof val, "%" JSON_INTEGER_FORMAT, json_integer_value(x));
      }
      len += (size_t)snprintf(payload + len, sizeof payload - len, "%s%s=%s", i ? "&" : "",
                              names[i], val);
    }
    json_object_set_new(params, "signature", json_string(tu_hmac_hex(E.m.api_secret, payload)));
  }
  int id = ++ws_id;
  json_t *req = json_pack("{s:i,s:s,s:o}", "id", id, "method", method, "params", params);
  char *text = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  CHECK(tu_ws_send(w, text) == 0);
  free(text);
  for (;;) {
    char *msg = tu_ws_recv(w, 10000);
    if (!msg) {
      CHECK_MSG(w->closed, "no answer to %s within 10 s", method);
      return NULL;
    }
    json_t *j = json_loads(msg, 0, NULL);
    CHECK_MSG(j != NULL, "not JSON: %s", msg);
    free(msg);
    if (json_object_get(j, "event")) {
      CHECK(nevents < (int)(sizeof events / sizeof events[0]));
      events[nevents++] = keep(j);
    } else if (num(j, "id") == id) {
      return keep(j);
    } else {
      json_decref(j);
    }
  }
}

/* The next user data event (its "event" object), or NULL after ms. */
static json_t *ws_event(tu_ws *w, int ms) {
  if (next_event < nevents) {
    return json_object_get(events[next_event++], "event");
  }
  for (;;) {
    char *msg = tu_ws_recv(w, ms);
    if (!msg) {
      return NULL;
    }
    json_t *j = parse(msg);
    free(msg);
    if (json_object_get(j, "event")) {
      CHECK_MSG(json_object_get(j, "subscriptionId") != NULL, "an event without subscriptionId");
      return json_object_get(j, "event");
    }
  }
}

/* The next event, which must be of type e (and, for an executionReport, execution type x). */
static json_t *expect_event(tu_ws *w, const char *e, const char *x) {
  json_t *ev = ws_event(w, 5000);
  CHECK_MSG(ev != NULL, "no %s %s event within 5 s", e, x ? x : "");
  CHECK_STR(e, str(ev, "e"));
  if (x) {
    CHECK_STR(x, str(ev, "x"));
  }
  return ev;
}

static json_t *subscribe(tu_ws *w) {
  json_t *r = ws_call(w, "userDataStream.subscribe.signature", NULL, 1);
  CHECK_MSG(r && num(r, "status") == 200, "subscribe: %s",
            r ? json_dumps(r, JSON_COMPACT) : "closed");
  return r;
}

static json_t *place_params(const char *side, const char *type, const char *qty, const char *price,
                            const char *cid) {
  json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:s}", "symbol", "BTCUSDT", "side", side, "type", type,
                        "quantity", qty, "newClientOrderId", cid);
  if (price) {
    json_object_set_new(p, "price", json_string(price));
    json_object_set_new(p, "timeInForce", json_string("GTC"));
  }
  return p;
}

/* A price far below the market, on the tick grid, for an order that must rest. */
static const char *far_below(void) {
  int64_t p = last_price("BTCUSDT") / 2;
  return dec(p / 1000000 * 1000000);
}

/* ---- tests ------------------------------------------------------------------------------- */

TEST(mock_market_order_fills_and_shows_in_my_trades_and_the_ledger) {
  start("--balance", "USDT=10000", NULL);
  json_t *o = ok("POST", "/api/v3/order",
                 "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01000&newClientOrderId=m1");
  CHECK_STR("FILLED", str(o, "status"));
  CHECK_STR("m1", str(o, "clientOrderId"));
  CHECK_STR("0.01000000", str(o, "executedQty"));
  json_t *fills = json_object_get(o, "fills");
  CHECK_EQ_INT(1, json_array_size(fills));
  json_t *f = json_array_get(fills, 0);
  int64_t price = units(str(f, "price"));
  CHECK_STR("0.01000000", str(f, "qty"));
  CHECK_STR("0.00001000", str(f, "commission")); /* 0.1 % of the 0.01 BTC received */
  CHECK_STR("BTC", str(f, "commissionAsset"));
  CHECK_EQ_INT(1, num(f, "tradeId"));
  int64_t quote = units(str(o, "cummulativeQuoteQty"));
  CHECK_EQ_INT(umul(1000000, price), quote);

  /* The price is the close of the candle the mock had finalized last, on the tick grid. */
  json_t *fl = json_array_get(ledger("fill", "m1"), 0);
  CHECK_MSG(fl != NULL, "no fill in the ledger");
  char q[160];
  snprintf(q, sizeof q, "/api/v3/klines?symbol=BTCUSDT&interval=1s&startTime=%" PRId64 "&limit=1",
           E.start_ms + num(fl, "step") * 1000);
  int64_t close = units(json_string_value(json_array_get(json_array_get(public_get(q), 0), 4)));
  CHECK_EQ_INT((close + 500000) / 1000000 * 1000000, price);

  /* myTrades and the account agree. */
  json_t *t = ok("GET", "/api/v3/myTrades", "symbol=BTCUSDT");
  CHECK_EQ_INT(1, json_array_size(t));
  json_t *t0 = json_array_get(t, 0);
  CHECK_EQ_INT(1, num(t0, "id"));
  CHECK_EQ_INT(num(o, "orderId"), num(t0, "orderId"));
  CHECK_EQ_INT(price, units(str(t0, "price")));
  CHECK_EQ_INT(quote, units(str(t0, "quoteQty")));
  CHECK(json_is_true(json_object_get(t0, "isBuyer")));
  CHECK(json_is_false(json_object_get(t0, "isMaker")));
  int64_t fr, lk;
  balance("BTC", &fr, &lk);
  CHECK_EQ_INT(999000, fr);
  balance("USDT", &fr, &lk);
  CHECK_EQ_INT(10000 * INT64_C(100000000) - quote, fr);
  CHECK_EQ_INT(0, lk);

  /* The ledger: the request, the order, the fill with its trade id and the balances after. */
  json_t *rcv = json_array_get(ledger("received", "m1"), 0);
  CHECK_MSG(rcv != NULL, "no 'received' line");
  CHECK_EQ_INT(1, num(rcv, "times"));
  CHECK_EQ_INT(num(o, "orderId"), num(json_array_get(ledger("accepted", "m1"), 0), "orderId"));
  CHECK_EQ_INT(1, num(fl, "tradeId"));
  CHECK_STR("0.00001000", str(fl, "commission"));
  CHECK_STR("BTC", str(fl, "commissionAsset"));
  CHECK_STR("0.00999000", str(json_object_get(json_object_get(fl, "balances"), "BTC"), "free"));

  /* A sell pays its commission in the quote asset it receives. */
  json_t *s = ok("POST", "/api/v3/order",
                 "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.005&newClientOrderId=m2");
  json_t *sf = json_array_get(json_object_get(s, "fills"), 0);
  CHECK_STR("USDT", str(sf, "commissionAsset"));
  CHECK_EQ_INT(umul(units(str(s, "cummulativeQuoteQty")), 100000), units(str(sf, "commission")));
  CHECK_EQ_INT(2, num(sf, "tradeId"));
  CHECK_EQ_INT(2, json_array_size(ok("GET", "/api/v3/myTrades", "symbol=BTCUSDT")));
  stop();
}

TEST(mock_wrong_signature_is_refused_with_1022_and_places_nothing) {
  start("--api-key", "k-123", "--api-secret", "s-456", NULL);
  char q[256], url[600];
  snprintf(
      q, sizeof q,
      "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=s1&timestamp=%" PRId64,
      tu_wall_ms());
  snprintf(url, sizeof url, "%s/api/v3/order?%s&signature=%s", E.m.rest, q,
           tu_hmac_hex("another-secret", q));
  tu_http_resp r = tu_http("POST", url, NULL, "k-123");
  CHECK_MSG(r.status == 400, "HTTP %ld %s", r.status, r.body);
  CHECK_EQ_INT(-1022, num(parse(r.body), "code"));
  CHECK_STR("Signature for this request is not valid.", str(parse(r.body), "msg"));
  tu_http_free(&r);
  /* No key, or an unknown one: 401. */
  snprintf(url, sizeof url, "%s/api/v3/order?%s&signature=%s", E.m.rest, q,
           tu_hmac_hex("s-456", q));
  r = tu_http("POST", url, NULL, NULL);
  CHECK_MSG(r.status == 401 && num(parse(r.body), "code") == -2014, "HTTP %ld %s", r.status,
            r.body);
  tu_http_free(&r);
  r = tu_http("POST", url, NULL, "k-999");
  CHECK_MSG(r.status == 401 && num(parse(r.body), "code") == -2015, "HTTP %ld %s", r.status,
            r.body);
  tu_http_free(&r);
  CHECK_EQ_INT(0, json_array_size(ledger("accepted", NULL)));
  CHECK_EQ_INT(3, num(json_array_get(ledger("received", "s1"), 2), "times"));
  /* The right signature, in capitals (HMAC signatures are not case-sensitive), goes through. */
  char upper[80];
  snprintf(upper, sizeof upper, "%s", tu_hmac_hex("s-456", q));
  for (char *c = upper; *c; c++) {
    *c = (char)(*c >= 'a' && *c <= 'f' ? *c - 32 : *c);
  }
  snprintf(url, sizeof url, "%s/api/v3/order?%s&signature=%s", E.m.rest, q, upper);
  r = tu_http("POST", url, NULL, "k-123");
  CHECK_MSG(r.status == 200, "HTTP %ld %s", r.status, r.body);
  tu_http_free(&r);
  CHECK_EQ_INT(1, json_array_size(ledger("accepted", "s1")));
  stop();
}

TEST(mock_timestamp_outside_recv_window_is_refused_with_1021) {
  start(NULL);
  char q[128];
  int64_t now = tu_wall_ms();
  snprintf(q, sizeof q, "timestamp=%" PRId64, now - 6000);
  fails("GET", "/api/v3/account", q, 400, -1021,
        "Timestamp for this request is outside of the recvWindow.");
  snprintf(q, sizeof q, "recvWindow=10000&timestamp=%" PRId64, now - 6000);
  ok("GET", "/api/v3/account", q);
  snprintf(q, sizeof q, "timestamp=%" PRId64, tu_wall_ms() + 1500);
  fails("GET", "/api/v3/account", q, 400, -1021, "1000ms ahead of the server's time");
  snprintf(q, sizeof q, "recvWindow=60001&timestamp=%" PRId64, tu_wall_ms());
  fails("GET", "/api/v3/account", q, 400, -1102, "Cannot be greater than 60000");
  fails("GET", "/api/v3/account", "timestamp=", 400, -1102, "'timestamp'");
  stop();
}

TEST(mock_clock_offset_is_what_server_time_reports) {
  start("--clock-offset-ms", "30000", NULL);
  int64_t server = num(public_get("/api/v3/time"), "serverTime");
  int64_t off = server - tu_wall_ms();
  CHECK_MSG(off > 28000 && off < 32000, "offset %" PRId64 " ms, want about 30000", off);
  char q[128];
  snprintf(q, sizeof q, "timestamp=%" PRId64, tu_wall_ms());
  fails("GET", "/api/v3/account", q, 400, -1021, "recvWindow");
  snprintf(q, sizeof q, "timestamp=%" PRId64, tu_wall_ms() + off);
  ok("GET", "/api/v3/account", q);
  stop();
}

TEST(mock_filter_failures_are_1013_naming_the_filter) {
  start("--tick-size", "0.01", "--step-size", "0.001", "--min-qty", "0.001", "--min-notional", "10",
        "--balance", "USDT=100000", NULL);
  json_t *info = public_get("/api/v3/exchangeInfo?symbol=BTCUSDT");
  json_t *sym = json_array_get(json_object_get(info, "symbols"), 0);
  CHECK_STR("BTCUSDT", str(sym, "symbol"));
  CHECK_STR("TRADING", str(sym, "status"));
  CHECK_STR("BTC", str(sym, "baseAsset"));
  CHECK_STR("USDT", str(sym, "quoteAsset"));
  json_t *f = json_object_get(sym, "filters");
  CHECK_STR("PRICE_FILTER", str(json_array_get(f, 0), "filterType"));
  CHECK_STR("0.01000000", str(json_array_get(f, 0), "tickSize"));
  CHECK_STR("LOT_SIZE", str(json_array_get(f, 1), "filterType"));
  CHECK_STR("0.00100000", str(json_array_get(f, 1), "stepSize"));
  CHECK_STR("0.00100000", str(json_array_get(f, 1), "minQty"));
  CHECK_STR("NOTIONAL", str(json_array_get(f, 2), "filterType"));
  CHECK_STR("10.00000000", str(json_array_get(f, 2), "minNotional"));
  fails("POST", "/api/v3/order",
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.0015&price=100", 400, -1013,
        "Filter failure: LOT_SIZE");
  fails("POST", "/api/v3/order",
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.2&price=100.005", 400, -1013,
        "Filter failure: PRICE_FILTER");
  fails("POST", "/api/v3/order",
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=100", 400, -1013,
        "Filter failure: NOTIONAL");
  fails("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.0001", 400, -1013,
        "Filter failure: LOT_SIZE");
  fails("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.123456789", 400,
        -1111, "Parameter 'quantity' has too much precision.");
  fails("POST", "/api/v3/order", "symbol=NOPE&side=BUY&type=MARKET&quantity=1", 400, -1121,
        "Invalid symbol.");
  fails("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=100", 400,
        -1102, "'timeInForce'");
  fails("POST", "/api/v3/order",
        "symbol=BTCUSDT&side=BUY&type=MARKET&timeInForce=GTC&quantity=0.01", 400, -1106,
        "'timeInForce' sent when not required");
  fails("POST", "/api/v3/order",
        "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=bad%20id", 400, -1100,
        "newClientOrderId");
  json_t *rej = ledger("rejected", NULL);
  CHECK_EQ_INT(9, json_array_size(rej));
  CHECK_STR("Filter failure: LOT_SIZE", str(json_array_get(rej, 0), "msg"));
  /* A parameter the endpoint does not read is refused, as on the exchange. */
  fails("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&qty=1", 400,
        -1104, "Not all sent parameters were read");
  fails("GET", "/api/v3/account", "omitZeroBalance=true", 400, -1104,
        "Not all sent parameters were read");
  fails("POST", "/api/v3/order",
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.2&price=100&"
        "stopPrice=90",
        400, -1106, "Parameter 'stopPrice' sent when not required.");
  CHECK_EQ_INT(0, json_array_size(ledger("accepted", NULL)));
  stop();
}

TEST(mock_limit_order_rests_then_fills_on_a_later_candle) {
  start("--balance", "USDT=100000", NULL);
  /* Five ticks under the last price: it cannot fill now, and the next candle, which opens at
   * the last close, almost surely reaches it. Should the market move between the two requests
   * and make it marketable, try again. */
  json_t *o = NULL;
  char cid[32], q[256];
  int64_t price = 0;
  for (int k = 0; k < 5; k++) {
    price = last_price("BTCUSDT") - 5 * 1000000;
    snprintf(cid, sizeof cid, "rest%d", k);
    snprintf(q, sizeof q,
             "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=%s&"
             "newClientOrderId=%s&newOrderRespType=RESULT",
             dec(price), cid);
    o = ok("POST", "/api/v3/order", q);
    if (strcmp(str(o, "status"), "NEW") == 0) {
      break;
    }
  }
  CHECK_STR("NEW", str(o, "status"));
  CHECK(json_object_get(o, "fills") == NULL); /* RESULT has no fills */
  CHECK_STR("0.00000000", str(o, "executedQty"));
  json_t *filled = wait_status(cid, "FILLED", 15000);
  CHECK_STR("0.01000000", str(filled, "executedQty"));
  char tq[128];
  snprintf(tq, sizeof tq, "symbol=BTCUSDT&orderId=%" PRId64, num(o, "orderId"));
  json_t *trades = ok("GET", "/api/v3/myTrades", tq);
  CHECK_EQ_INT(1, json_array_size(trades));
  json_t *t = json_array_get(trades, 0);
  CHECK_EQ_INT(price, units(str(t, "price"))); /* at the limit price */
  CHECK(json_is_true(json_object_get(t, "isMaker")));
  /* It filled against a candle finalized after it arrived, and that candle crossed it. */
  json_t *acc = json_array_get(ledger("accepted", cid), 0);
  json_t *fl = json_array_get(ledger("fill", cid), 0);
  CHECK_MSG(num(fl, "step") > num(acc, "step"), "filled at step %" PRId64 ", accepted at %" PRId64,
            num(fl, "step"), num(acc, "step"));
  snprintf(q, sizeof q, "/api/v3/klines?symbol=BTCUSDT&interval=1s&startTime=%" PRId64 "&limit=1",
           E.start_ms + num(fl, "step") * 1000);
  int64_t low = units(json_string_value(json_array_get(json_array_get(public_get(q), 0), 3)));
  CHECK_MSG(low <= price, "low %s above the limit %s", dec(low), dec(price));
  int64_t fr, lk;
  balance("USDT", &fr, &lk);
  CHECK_EQ_INT(0, lk);
  CHECK_EQ_INT(100000 * INT64_C(100000000) - umul(1000000, price), fr);
  stop();
}

TEST(mock_resting_order_locks_and_cancel_frees_the_balance) {
  start("--balance", "USDT=10000", NULL);
  const char *price = far_below();
  char q[256];
  snprintf(q, sizeof q,
           "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=%s&"
           "newClientOrderId=c1",
           price);
  json_t *o = ok("POST", "/api/v3/order", q);
  CHECK_STR("NEW", str(o, "status"));
  int64_t fr, lk;
  balance("USDT", &fr, &lk);
  CHECK_EQ_INT(umul(1000000, units(price)), lk);
  CHECK_EQ_INT(10000 * INT64_C(100000000) - lk, fr);
  json_t *open = ok("GET", "/api/v3/openOrders", "symbol=BTCUSDT");
  CHECK_EQ_INT(1, json_array_size(open));
  CHECK_STR("c1", str(json_array_get(open, 0), "clientOrderId"));
  json_t *c = ok("DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=c1");
  CHECK_STR("CANCELED", str(c, "status"));
  CHECK_STR("c1", str(c, "origClientOrderId"));
  CHECK_MSG(strcmp(str(c, "clientOrderId"), "c1") != 0 && str(c, "clientOrderId")[0],
            "the cancel's own client order id: '%s'", str(c, "clientOrderId"));
  balance("USDT", &fr, &lk);
  CHECK_EQ_INT(0, lk);
  CHECK_EQ_INT(10000 * INT64_C(100000000), fr);
  CHECK_EQ_INT(0, json_array_size(ok("GET", "/api/v3/openOrders", "symbol=BTCUSDT")));
  CHECK_STR("CANCELED", str(order_status("c1"), "status"));
  fails("DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=c1", 400, -2011,
        "Unknown order sent.");
  fails("DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=never", 400, -2011,
        "Unknown order sent.");
  fails("DELETE", "/api/v3/order", "symbol=BTCUSDT", 400, -1102, "origClientOrderId");
  /* By orderId, with the cancel's own id. */
  snprintf(q, sizeof q,
           "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=%s&"
           "newClientOrderId=c2",
           price);
  json_t *o2 = ok("POST", "/api/v3/order", q);
  snprintf(q, sizeof q, "symbol=BTCUSDT&orderId=%" PRId64 "&newClientOrderId=mycancel",
           num(o2, "orderId"));
  CHECK_STR("mycancel", str(ok("DELETE", "/api/v3/order", q), "clientOrderId"));
  json_t *cl = ledger("canceled", NULL);
  CHECK_EQ_INT(2, json_array_size(cl));
  CHECK_EQ_INT(2, json_array_size(ledger("cancel_rejected", NULL)));
  CHECK_STR("c1", str(json_array_get(cl, 0), "clientOrderId"));
  CHECK_STR("mycancel", str(json_array_get(cl, 1), "cancelClientOrderId"));
  stop();
}

TEST(mock_resting_order_fills_one_part_per_candle_and_cancel_keeps_the_fills) {
  /* Slower candles here, so that the order is still partly open when the test cancels it. */
  start("--tick-ms", "200", "--max-fill-qty", "0.01", "--fills-per-candle", "1", "--balance",
        "USDT=100000", NULL);
  json_t *o = NULL;
  char q[256], cid[32];
  int64_t price = 0;
  for (int k = 0; k < 5; k++) {
    price = last_price("BTCUSDT") - 5 * 1000000;
    snprintf(cid, sizeof cid, "pf%d", k);
    snprintf(q, sizeof q,
             "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.05&price=%s&"
             "newClientOrderId=%s",
             dec(price), cid);
    o = ok("POST", "/api/v3/order", q);
    if (strcmp(str(o, "status"), "NEW") == 0) {
      break;
    }
  }
  CHECK_STR("NEW", str(o, "status"));
  wait_status(cid, "PARTIALLY_FILLED", 15000);
  snprintf(q, sizeof q, "symbol=BTCUSDT&origClientOrderId=%s", cid);
  json_t *c = ok("DELETE", "/api/v3/order", q);
  CHECK_STR("CANCELED", str(c, "status"));
  int64_t done = units(str(c, "executedQty"));
  CHECK_MSG(done > 0 && done < 5000000, "executed %s of 0.05", dec(done));
  /* The fills stay: one 0.01 part per candle, each at the limit price, as the maker. */
  json_t *fills = ledger("fill", cid);
  CHECK_EQ_INT(done / 1000000, json_array_size(fills));
  for (size_t i = 0; i < json_array_size(fills); i++) {
    json_t *f = json_array_get(fills, i);
    CHECK_STR("0.01000000", str(f, "qty"));
    CHECK_EQ_INT(price, units(str(f, "price")));
    CHECK(json_is_true(json_object_get(f, "maker")));
    if (i > 0) {
      CHECK(num(f, "step") > num(json_array_get(fills, i - 1), "step"));
    }
  }
  snprintf(q, sizeof q, "symbol=BTCUSDT&orderId=%" PRId64, num(o, "orderId"));
  CHECK_EQ_INT(json_array_size(fills), json_array_size(ok("GET", "/api/v3/myTrades", q)));
  int64_t fr, lk;
  balance("USDT", &fr, &lk);
  CHECK_EQ_INT(0, lk);
  CHECK_EQ_INT(100000 * INT64_C(100000000) - umul(done, price), fr);
  stop();
}

TEST(mock_query_by_client_order_id_known_and_unknown) {
  start("--balance", "USDT=10000", NULL);
  json_t *o = ok("POST", "/api/v3/order",
                 "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=q1&"
                 "newOrderRespType=ACK");
  CHECK(json_object_get(o, "status") == NULL); /* ACK: ids and time only */
  CHECK(num(o, "transactTime") > 0);
  json_t *s = order_status("q1");
  CHECK_STR("q1", str(s, "clientOrderId"));
  CHECK_STR("FILLED", str(s, "status"));
  CHECK_STR("MARKET", str(s, "type"));
  CHECK_STR("0.01000000", str(s, "executedQty"));
  CHECK_EQ_INT(num(o, "orderId"), num(s, "orderId"));
  char q[128];
  snprintf(q, sizeof q, "symbol=BTCUSDT&orderId=%" PRId64, num(o, "orderId"));
  CHECK_STR("q1", str(ok("GET", "/api/v3/order", q), "clientOrderId"));
  fails("GET", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=q2", 400, -2013,
        "Order does not exist.");
  fails("GET", "/api/v3/order", "symbol=BTCUSDT&orderId=999", 400, -2013, "Order does not exist.");
  fails("GET", "/api/v3/order", "symbol=BTCUSDT", 400, -1102, "must be sent");
  stop();
}

static const char *const report_fields[] = {
    "e", "E", "s", "c", "S", "o", "f", "q", "p", "P", "F", "g", "C", "x", "X", "r", "i",
    "l", "z", "L", "n", "N", "T", "t", "I", "w", "m", "M", "O", "Z", "Y", "Q", "W", "V"};

static void check_report_fields(json_t *ev) {
  for (size_t i = 0; i < sizeof report_fields / sizeof report_fields[0]; i++) {
    CHECK_MSG(json_object_get(ev, report_fields[i]) != NULL, "executionReport without \"%s\": %s",
              report_fields[i], json_dumps(ev, JSON_COMPACT));
  }
}

TEST(mock_user_stream_reports_an_orders_life) {
  start("--balance", "USDT=10000", NULL);
  tu_ws *w = ws_open();
  json_t *t = ws_call(w, "time", NULL, 0);
  CHECK_EQ_INT(200, num(t, "status"));
  CHECK(num(json_object_get(t, "result"), "serverTime") > 0);
  json_t *sub = subscribe(w);
  CHECK_EQ_INT(0, num(json_object_get(sub, "result"), "subscriptionId"));

  /* A resting order placed on the WebSocket API, then cancelled there. */
  const char *price = far_below();
  json_t *r = ws_call(w, "order.place", place_params("BUY", "LIMIT", "0.01", price, "u1"), 1);
  CHECK_EQ_INT(200, num(r, "status"));
  json_t *res = json_object_get(r, "result");
  CHECK_STR("NEW", str(res, "status"));
  CHECK(json_is_array(json_object_get(r, "rateLimits")));
  json_t *ev = expect_event(w, "executionReport", "NEW");
  check_report_fields(ev);
  CHECK_STR("u1", str(ev, "c"));
  CHECK_STR("NEW", str(ev, "X"));
  CHECK_STR("BUY", str(ev, "S"));
  CHECK_STR("LIMIT", str(ev, "o"));
  CHECK_STR("GTC", str(ev, "f"));
  CHECK_STR(price, str(ev, "p"));
  CHECK_STR("0.01000000", str(ev, "q"));
  CHECK_EQ_INT(num(res, "orderId"), num(ev, "i"));
  CHECK_EQ_INT(-1, num(ev, "t"));
  CHECK(json_is_true(json_object_get(ev, "w")));
  json_t *pos = expect_event(w, "outboundAccountPosition", NULL);
  json_t *b0 = json_array_get(json_object_get(pos, "B"), 0);
  CHECK_STR("USDT", str(b0, "a"));
  CHECK_EQ_INT(umul(1000000, units(price)), units(str(b0, "l")));
  json_t *st = ws_call(w, "order.status",
                       json_pack("{s:s,s:s}", "symbol", "BTCUSDT", "origClientOrderId", "u1"), 1);
  CHECK_STR("NEW", str(json_object_get(st, "result"), "status"));
  json_t *cr = ws_call(w, "order.cancel",
                       json_pack("{s:s,s:s}", "symbol", "BTCUSDT", "origClientOrderId", "u1"), 1);
  CHECK_STR("CANCELED", str(json_object_get(cr, "result"), "status"));
  ev = expect_event(w, "executionReport", "CANCELED");
  check_report_fields(ev);
  CHECK_STR("u1", str(ev, "C")); /* the cancelled order's id; "c" is the cancel's */
  CHECK_STR(str(json_object_get(cr, "result"), "clientOrderId"), str(ev, "c"));
  pos = expect_event(w, "outboundAccountPosition", NULL);
  CHECK_STR("0.00000000", str(json_array_get(json_object_get(pos, "B"), 0), "l"));

  /* Decimals may come as JSON numbers too. */
  json_t *np = place_params("SELL", "LIMIT", "0.01", "1000000", "u0");
  json_object_set_new(np, "quantity", json_real(0.1));
  json_t *nr = ws_call(w, "order.place", np, 1);
  CHECK_MSG(num(nr, "status") == 400 &&
                num(json_object_get(nr, "error"), "code") == -2010, /* no BTC to sell */
            "%s", json_dumps(nr, JSON_COMPACT));
  CHECK_EQ_INT(1, json_array_size(ledger("received", "u0")));
  CHECK_STR("0.10000000", str(json_array_get(ledger("rejected", "u0"), 0), "quantity"));

  /* A market order placed by REST: NEW, TRADE, then the balances. */
  json_t *o = ok("POST", "/api/v3/order",
                 "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.02&newClientOrderId=u2");
  json_t *f = json_array_get(json_object_get(o, "fills"), 0);
  ev = expect_event(w, "executionReport", "NEW");
  CHECK_STR("u2", str(ev, "c"));
  ev = expect_event(w, "executionReport", "TRADE");
  check_report_fields(ev);
  CHECK_STR("FILLED", str(ev, "X"));
  CHECK_STR("0.02000000", str(ev, "l"));
  CHECK_STR("0.02000000", str(ev, "z"));
  CHECK_STR(str(f, "price"), str(ev, "L"));
  CHECK_STR(str(f, "commission"), str(ev, "n"));
  CHECK_STR("BTC", str(ev, "N"));
  CHECK_EQ_INT(num(f, "tradeId"), num(ev, "t"));
  CHECK(json_is_false(json_object_get(ev, "m")));
  CHECK_STR(str(o, "cummulativeQuoteQty"), str(ev, "Z"));
  CHECK_STR(str(o, "cummulativeQuoteQty"), str(ev, "Y"));
  pos = expect_event(w, "outboundAccountPosition", NULL);
  CHECK_EQ_INT(2, json_array_size(json_object_get(pos, "B"))); /* BTC and USDT */

  json_t *bad = ws_call(w, "order.status",
                        json_pack("{s:s,s:s}", "symbol", "BTCUSDT", "origClientOrderId", "u9"), 1);
  CHECK_EQ_INT(400, num(bad, "status"));
  CHECK_EQ_INT(-2013, num(json_object_get(bad, "error"), "code"));
  json_t *subs = ws_call(w, "session.subscriptions", NULL, 0);
  CHECK_EQ_INT(1, json_array_size(json_object_get(subs, "result")));
  /* Unsubscribing ends the stream with eventStreamTerminated; nothing comes after it. */
  CHECK_EQ_INT(200, num(ws_call(w, "userDataStream.unsubscribe", NULL, 0), "status"));
  expect_event(w, "eventStreamTerminated", NULL);
  ok("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  CHECK(ws_event(w, 300) == NULL);
  tu_ws_close(w);
  stop();
}

TEST(mock_large_orders_fill_in_parts_with_consecutive_trade_ids) {
  start("--max-fill-qty", "0.01", "--balance", "USDT=100000", NULL);
  tu_ws *w = ws_open();
  subscribe(w);
  json_t *o = ok("POST", "/api/v3/order",
                 "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.035&newClientOrderId=big1");
  CHECK_STR("FILLED", str(o, "status"));
  json_t *fills = json_object_get(o, "fills");
  CHECK_EQ_INT(4, json_array_size(fills));
  static const char *const qty[] = {"0.01000000", "0.01000000", "0.01000000", "0.00500000"};
  static const char *const cum[] = {"0.01000000", "0.02000000", "0.03000000", "0.03500000"};
  static const char *const status[] = {"PARTIALLY_FILLED", "PARTIALLY_FILLED", "PARTIALLY_FILLED",
                                       "FILLED"};
  int64_t first = num(json_array_get(fills, 0), "tradeId");
  expect_event(w, "executionReport", "NEW");
  for (int i = 0; i < 4; i++) {
    json_t *f = json_array_get(fills, (size_t)i);
    CHECK_STR(qty[i], str(f, "qty"));
    CHECK_EQ_INT(first + i, num(f, "tradeId"));
    CHECK_STR(str(json_array_get(fills, 0), "price"), str(f, "price"));
    json_t *ev = expect_event(w, "executionReport", "TRADE");
    CHECK_STR(qty[i], str(ev, "l"));
    CHECK_STR(cum[i], str(ev, "z"));
    CHECK_STR(status[i], str(ev, "X"));
    CHECK_EQ_INT(first + i, num(ev, "t"));
  }
  expect_event(w, "outboundAccountPosition", NULL);
  CHECK_EQ_INT(4, json_array_size(ledger("fill", "big1")));
  CHECK_EQ_INT(4, json_array_size(ok("GET", "/api/v3/myTrades", "symbol=BTCUSDT&fromId=1")));
  CHECK_EQ_INT(2, json_array_size(ok("GET", "/api/v3/myTrades", "symbol=BTCUSDT&fromId=3")));
  CHECK_EQ_INT(
      3, num(json_array_get(ok("GET", "/api/v3/myTrades", "symbol=BTCUSDT&fromId=3"), 0), "id"));
  json_t *lim = ok("GET", "/api/v3/myTrades", "symbol=BTCUSDT&limit=2");
  CHECK_EQ_INT(2, json_array_size(lim));
  CHECK_EQ_INT(3, num(json_array_get(lim, 0), "id")); /* the newest two, oldest first */
  tu_ws_close(w);
  stop();
}

TEST(mock_duplicate_client_order_id_of_an_open_order_is_refused_and_counted) {
  start("--balance", "USDT=10000", NULL);
  char q[256];
  snprintf(q, sizeof q,
           "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=%s&"
           "newClientOrderId=dup1",
           far_below());
  ok("POST", "/api/v3/order", q);
  fails("POST", "/api/v3/order", q, 400, -2010, "Duplicate order sent.");
  CHECK_EQ_INT(1, json_array_size(ok("GET", "/api/v3/openOrders", "")));
  json_t *rcv = ledger("received", "dup1");
  CHECK_EQ_INT(2, json_array_size(rcv));
  CHECK_EQ_INT(2, num(json_array_get(rcv, 1), "times"));
  ok("DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=dup1");
  /* Once the first is no longer open, the id may be used again. */
  CHECK_STR("NEW", str(ok("POST", "/api/v3/order", q), "status"));
  CHECK_EQ_INT(2, json_array_size(ledger("accepted", "dup1")));
  stop();
}

TEST(mock_commission_in_a_third_asset_while_it_lasts) {
  start("--commission-asset", "BNB", "--commission-asset-price", "600", "--balance",
        "USDT=10000,BNB=0.0001", NULL);
  json_t *o = ok("POST", "/api/v3/order",
                 "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&newClientOrderId=b1");
  json_t *f = json_array_get(json_object_get(o, "fills"), 0);
  CHECK_STR("BNB", str(f, "commissionAsset"));
  int64_t quote = units(str(f, "price")) / 1000; /* 0.001 BTC */
  int64_t want = umul(quote, 100000) * 100000000 / (600 * INT64_C(100000000));
  CHECK_EQ_INT(want, units(str(f, "commission")));
  int64_t fr, lk;
  balance("BNB", &fr, &lk);
  CHECK_EQ_INT(10000 - want, fr);
  balance("BTC", &fr, &lk);
  CHECK_EQ_INT(100000, fr); /* the whole 0.001 BTC: the fee was paid in BNB */
  /* When BNB runs short, the fee is taken from what is received, as Binance does. */
  o = ok("POST", "/api/v3/order",
         "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=b2");
  f = json_array_get(json_object_get(o, "fills"), 0);
  CHECK_STR("BTC", str(f, "commissionAsset"));
  CHECK_STR("BNB", str(json_array_get(ledger("fill", "b1"), 0), "commissionAsset"));
  stop();
}

TEST(mock_orders_expire_without_liquidity_or_time_in_force) {
  start("--market-liquidity", "0.02", "--balance", "USDT=100000", NULL);
  tu_ws *w = ws_open();
  subscribe(w);
  json_t *o = ok("POST", "/api/v3/order",
                 "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.05&newClientOrderId=x1");
  CHECK_STR("EXPIRED", str(o, "status"));
  CHECK_STR("0.02000000", str(o, "executedQty"));
  CHECK_STR("INSUFFICIENT_LIQUIDITY", str(o, "expiryReason"));
  expect_event(w, "executionReport", "NEW");
  expect_event(w, "executionReport", "TRADE");
  json_t *ev = expect_event(w, "executionReport", "EXPIRED");
  CHECK_STR("EXPIRED", str(ev, "X"));
  CHECK_STR("INSUFFICIENT_LIQUIDITY", str(ev, "eR"));
  expect_event(w, "outboundAccountPosition", NULL);
  int64_t fr, lk;
  balance("USDT", &fr, &lk);
  CHECK_EQ_INT(0, lk); /* what the expired rest held is free again */
  char q[256];
  snprintf(q, sizeof q,
           "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.01&price=%s&"
           "newClientOrderId=x2",
           far_below());
  o = ok("POST", "/api/v3/order", q);
  CHECK_STR("EXPIRED", str(o, "status"));
  CHECK_STR("UNFILLED_IOC_QUANTITY_EXPIRED", str(o, "expiryReason"));
  CHECK_EQ_INT(1, json_array_size(ledger("expired", "x2")));
  tu_ws_close(w);
  stop();
}

TEST(mock_fault_drop_user_stream_after_n_events) {
  start("--drop-stream-after", "3", "--balance", "USDT=100000", NULL);
  tu_ws *w = ws_open();
  subscribe(w);
  ok("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  ok("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  expect_event(w, "executionReport", "NEW");
  expect_event(w, "executionReport", "TRADE");
  expect_event(w, "outboundAccountPosition", NULL);
  CHECK(ws_event(w, 2000) == NULL); /* the second order's events never come */
  CHECK_MSG(w->closed, "the connection should have been closed");
  tu_ws_close(w);
  CHECK_EQ_INT(1, json_array_size(ledger("fault", NULL)));
  /* The next subscription (--drop-streams 1: only the first is dropped) keeps going. */
  w = ws_open();
  subscribe(w);
  ok("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  ok("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  for (int i = 0; i < 2; i++) {
    expect_event(w, "executionReport", "NEW");
    expect_event(w, "executionReport", "TRADE");
    expect_event(w, "outboundAccountPosition", NULL);
  }
  CHECK(!w->closed);
  tu_ws_close(w);
  stop();
}

TEST(mock_fault_delay_order_response) {
  start("--order-delay-ms", "800", "--delay-orders", "2", "--balance", "USDT=100000", NULL);
  tu_http_resp r = tu_mock_signed(&E.m, "POST", "/api/v3/order",
                                  "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  CHECK_MSG(r.status == 200 && r.ms < 600, "first order: HTTP %ld after %" PRId64 " ms", r.status,
            r.ms);
  tu_http_free(&r);
  tu_ws *w = ws_open();
  subscribe(w);
  r = tu_mock_signed(&E.m, "POST", "/api/v3/order",
                     "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=d2");
  CHECK_MSG(r.status == 200 && r.ms >= 800, "second order: HTTP %ld after %" PRId64 " ms", r.status,
            r.ms);
  tu_http_free(&r);
  /* It was processed at once: its events came before its answer. */
  json_t *ev = expect_event(w, "executionReport", "NEW");
  CHECK_STR("d2", str(ev, "c"));
  CHECK_EQ_INT(1, json_array_size(ledger("fault", NULL)));
  CHECK_STR("delayed_response", str(json_array_get(ledger("fault", NULL), 0), "fault"));
  tu_ws_close(w);
  stop();
}

TEST(mock_fault_lose_order_response) {
  start("--lose-orders", "1,3", "--balance", "USDT=100000", NULL);
  tu_http_resp r =
      tu_mock_signed(&E.m, "POST", "/api/v3/order",
                     "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=lost1");
  CHECK_MSG(r.status == 0, "the answer should be lost, got HTTP %ld %s", r.status, r.body);
  tu_http_free(&r);
  /* The order went through all the same: the client must ask by its id. */
  CHECK_STR("FILLED", str(order_status("lost1"), "status"));
  CHECK_EQ_INT(1, json_array_size(ledger("fill", "lost1")));
  /* On the WebSocket API the connection closes instead of answering the third order. */
  tu_ws *w = ws_open();
  json_t *a = ws_call(w, "order.place", place_params("BUY", "MARKET", "0.01", NULL, "ws2"), 1);
  CHECK_EQ_INT(200, num(a, "status"));
  CHECK(ws_call(w, "order.place", place_params("BUY", "MARKET", "0.01", NULL, "ws3"), 1) == NULL);
  CHECK(w->closed);
  tu_ws_close(w);
  CHECK_STR("FILLED", str(order_status("ws3"), "status"));
  json_t *faults = ledger("fault", NULL);
  CHECK_EQ_INT(2, json_array_size(faults));
  CHECK_STR("lost_response", str(json_array_get(faults, 1), "fault"));
  CHECK_EQ_INT(3, num(json_array_get(faults, 1), "order"));
  stop();
}

TEST(mock_fault_throttle_orders_with_429_and_retry_after) {
  start("--throttle-orders", "2", "--retry-after", "3", "--balance", "USDT=100000", NULL);
  const char *q = "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=th1";
  for (int i = 0; i < 2; i++) {
    tu_http_resp r = tu_mock_signed(&E.m, "POST", "/api/v3/order", q);
    CHECK_MSG(r.status == 429, "order %d: HTTP %ld %s", i + 1, r.status, r.body);
    CHECK_EQ_INT(-1015, num(parse(r.body), "code"));
    CHECK_STR("3", tu_http_header(&r, "retry-after"));
    tu_http_free(&r);
  }
  CHECK_STR("FILLED", str(ok("POST", "/api/v3/order", q), "status"));
  json_t *rcv = ledger("received", "th1");
  CHECK_EQ_INT(3, num(json_array_get(rcv, 2), "times"));
  CHECK_EQ_INT(1, json_array_size(ledger("accepted", "th1")));
  stop();
  /* 418 (an IP ban), on the WebSocket API: error.data.retryAfter is a time. */
  start("--throttle-orders", "1", "--throttle-status", "418", "--retry-after", "120", NULL);
  tu_ws *w = ws_open();
  json_t *a = ws_call(w, "order.place", place_params("BUY", "MARKET", "0.01", NULL, "ban1"), 1);
  CHECK_EQ_INT(418, num(a, "status"));
  json_t *err = json_object_get(a, "error");
  CHECK_EQ_INT(-1003, num(err, "code"));
  CHECK_CONTAINS(str(err, "msg"), "IP banned until");
  int64_t ra = num(json_object_get(err, "data"), "retryAfter");
  CHECK_MSG(ra > tu_wall_ms() + 100000, "retryAfter %" PRId64, ra);
  tu_ws_close(w);
  stop();
}

TEST(mock_fault_bad_timestamp_for_the_kth_request) {
  start("--bad-timestamp", "2", "--bad-timestamp-orders", "2", "--balance", "USDT=100000", NULL);
  ok("GET", "/api/v3/account", "");
  fails("GET", "/api/v3/account", "", 400, -1021, "recvWindow");
  ok("GET", "/api/v3/account", "");
  /* --bad-timestamp-orders counts order requests only. */
  ok("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  fails("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01", 400, -1021,
        "recvWindow");
  ok("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  CHECK_EQ_INT(2, json_array_size(ledger("accepted", NULL)));
  CHECK_EQ_INT(2, json_array_size(ledger("fault", NULL)));
  stop();
}

TEST(mock_fault_reject_the_kth_order_with_a_given_code) {
  start("--reject-orders", "1", "--reject-events", "--balance", "USDT=100000", NULL);
  tu_ws *w = ws_open();
  subscribe(w);
  fails("POST", "/api/v3/order",
        "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=rj1", 400, -2010,
        "Account has insufficient balance for requested action.");
  json_t *ev = expect_event(w, "executionReport", "REJECTED");
  CHECK_STR("rj1", str(ev, "c"));
  CHECK_STR("REJECTED", str(ev, "X"));
  ok("POST", "/api/v3/order",
     "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=rj2");
  json_t *rej = ledger("rejected", "rj1");
  CHECK_EQ_INT(1, json_array_size(rej));
  CHECK_EQ_INT(-2010, num(json_array_get(rej, 0), "code"));
  tu_ws_close(w);
  stop();
  /* Another code and message; -1007 is an unknown outcome: the order went through. */
  start("--reject-orders", "1", "--reject-code", "-1013", "--reject-msg",
        "Filter failure: MAX_NUM_ORDERS", NULL);
  fails("POST", "/api/v3/order",
        "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=rj3", 400, -1013,
        "Filter failure: MAX_NUM_ORDERS");
  stop();
  start("--reject-orders", "1", "--reject-code", "-1007", "--balance", "USDT=100000", NULL);
  fails("POST", "/api/v3/order",
        "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=rj4", 503, -1007,
        "execution status unknown");
  CHECK_STR("FILLED", str(order_status("rj4"), "status"));
  stop();
}

TEST(mock_rate_limit_headers_and_ws_rate_limits) {
  start("--balance", "USDT=100000", NULL);
  char url[256];
  snprintf(url, sizeof url, "%s/api/v3/exchangeInfo", E.m.rest);
  tu_http_resp r = tu_http("GET", url, NULL, NULL);
  const char *w1 = tu_http_header(&r, "x-mbx-used-weight-1m");
  CHECK_MSG(w1 != NULL, "no X-MBX-USED-WEIGHT-1M in %s", r.headers);
  int before = atoi(w1);
  CHECK_MSG(before >= 20, "exchangeInfo weighs 20, used %d", before);
  CHECK(tu_http_header(&r, "x-mbx-order-count-10s") == NULL);
  tu_http_free(&r);
  r = tu_mock_signed(&E.m, "POST", "/api/v3/order",
                     "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  CHECK_EQ_INT(200, r.status);
  CHECK_MSG(atoi(tu_http_header(&r, "x-mbx-used-weight-1m")) >= before + 1, "%s", r.headers);
  CHECK_STR("1", tu_http_header(&r, "x-mbx-order-count-10s"));
  CHECK_STR("1", tu_http_header(&r, "x-mbx-order-count-1d"));
  tu_http_free(&r);
  tu_ws *w = ws_open();
  json_t *a = ws_call(w, "order.place", place_params("BUY", "MARKET", "0.01", NULL, "rl1"), 1);
  json_t *rl = json_object_get(a, "rateLimits");
  CHECK_EQ_INT(3, json_array_size(rl));
  CHECK_STR("ORDERS", str(json_array_get(rl, 0), "rateLimitType"));
  CHECK_STR("SECOND", str(json_array_get(rl, 0), "interval"));
  CHECK_EQ_INT(10, num(json_array_get(rl, 0), "intervalNum"));
  /* Two orders so far; the ten-second count restarts on a multiple of ten seconds. */
  CHECK_MSG(num(json_array_get(rl, 0), "count") >= 1, "ORDERS 10 SECOND count 0");
  CHECK_STR("DAY", str(json_array_get(rl, 1), "interval"));
  CHECK_EQ_INT(2, num(json_array_get(rl, 1), "count"));
  CHECK_STR("REQUEST_WEIGHT", str(json_array_get(rl, 2), "rateLimitType"));
  json_t *t = ws_call(w, "time", json_pack("{s:b}", "returnRateLimits", 0), 0);
  CHECK(json_object_get(t, "rateLimits") == NULL);
  tu_ws_close(w);
  /* Over the order limit: 429 -1015. */
  stop();
  start("--order-limit-10s", "1", "--balance", "USDT=100000", NULL);
  ok("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  /* The second in the same ten seconds, unless the window just turned. */
  long st;
  json_t *j =
      rest("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01", &st);
  if (st != 200) {
    CHECK_EQ_INT(429, st);
    CHECK_EQ_INT(-1015, num(j, "code"));
  }
  stop();
}

TEST(mock_signature_covers_the_bytes_as_sent) {
  start("--balance", "USDT=100000", NULL);
  ok("POST", "/api/v3/order",
     "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=argo:1/a");
  /* Percent-encoded on the wire: signed as encoded, the signature holds ... */
  char q[256], url[600];
  snprintf(q, sizeof q, "symbol=BTCUSDT&origClientOrderId=argo%%3A1%%2Fa&timestamp=%" PRId64,
           tu_wall_ms());
  snprintf(url, sizeof url, "%s/api/v3/order?%s&signature=%s", E.m.rest, q,
           tu_hmac_hex(E.m.api_secret, q));
  tu_http_resp r = tu_http("GET", url, NULL, E.m.api_key);
  CHECK_MSG(r.status == 200, "HTTP %ld %s", r.status, r.body);
  CHECK_STR("argo:1/a", str(parse(r.body), "clientOrderId"));
  tu_http_free(&r);
  /* ... signed decoded but sent encoded, it does not (as on the exchange). */
  char d[256];
  snprintf(d, sizeof d, "symbol=BTCUSDT&origClientOrderId=argo:1/a&%s", strstr(q, "timestamp="));
  snprintf(url, sizeof url, "%s/api/v3/order?%s&signature=%s", E.m.rest, q,
           tu_hmac_hex(E.m.api_secret, d));
  r = tu_http("GET", url, NULL, E.m.api_key);
  CHECK_MSG(r.status == 400 && num(parse(r.body), "code") == -1022, "HTTP %ld %s", r.status,
            r.body);
  tu_http_free(&r);
  /* Parameters in the body: the payload is the query string followed by the body. */
  char body[256];
  snprintf(
      body, sizeof body,
      "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=bd1&timestamp=%" PRId64,
      tu_wall_ms());
  char full[600];
  snprintf(full, sizeof full, "%s&signature=%s", body, tu_hmac_hex(E.m.api_secret, body));
  snprintf(url, sizeof url, "%s/api/v3/order", E.m.rest);
  r = tu_http("POST", url, full, E.m.api_key);
  CHECK_MSG(r.status == 200, "HTTP %ld %s", r.status, r.body);
  tu_http_free(&r);
  CHECK_EQ_INT(1, json_array_size(ledger("accepted", "bd1")));
  stop();
}

/* Signs payload with the Ed25519 key, base64. */
static const char *ed_sign(EVP_PKEY *key, const char *payload) {
  static char b64[128];
  unsigned char sig[64];
  size_t len = sizeof sig;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  CHECK(ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1);
  CHECK(EVP_DigestSign(ctx, sig, &len, (const unsigned char *)payload, strlen(payload)) == 1);
  EVP_MD_CTX_free(ctx);
  EVP_EncodeBlock((unsigned char *)b64, sig, (int)len);
  return b64;
}

TEST(mock_ed25519_session_logon_then_subscribe_and_trade) {
  EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
  CHECK(key != NULL);
  char pem[4300];
  const char *dir = tu_tmpdir("mocked");
  char kdir[4096];
  snprintf(kdir, sizeof kdir, "%s", dir);
  snprintf(pem, sizeof pem, "%s/pub.pem", kdir);
  FILE *f = fopen(pem, "w");
  CHECK(f && PEM_write_PUBKEY(f, key) == 1);
  fclose(f);
  start("--ed25519-pubkey", pem, "--ed25519-api-key", "ed-key-1", "--balance", "USDT=100000", NULL);
  tu_ws *w = ws_open();
  /* session.logon refuses the HMAC key: it is for Ed25519 keys only. */
  json_t *h = ws_call(w, "session.logon", NULL, 1);
  CHECK_EQ_INT(401, num(h, "status"));
  CHECK_EQ_INT(401,
               num(ws_call(w, "userDataStream.subscribe", NULL, 0), "status")); /* no session */
  char payload[256];
  int64_t ts = tu_wall_ms();
  snprintf(payload, sizeof payload, "apiKey=ed-key-1&timestamp=%" PRId64, ts);
  json_t *p = json_pack("{s:s,s:I,s:s}", "apiKey", "ed-key-1", "timestamp", (json_int_t)ts,
                        "signature", ed_sign(key, payload));
  json_t *lo = ws_call(w, "session.logon", p, 0);
  CHECK_MSG(num(lo, "status") == 200, "%s", json_dumps(lo, JSON_COMPACT));
  CHECK_STR("ed-key-1", str(json_object_get(lo, "result"), "apiKey"));
  json_t *sub = ws_call(w, "userDataStream.subscribe", NULL, 0);
  CHECK_EQ_INT(200, num(sub, "status"));
  CHECK_EQ_INT(0, num(json_object_get(sub, "result"), "subscriptionId"));
  /* A logged-on session places orders with a timestamp only. */
  json_t *op = place_params("BUY", "MARKET", "0.01", NULL, "ed1");
  json_object_set_new(op, "timestamp", json_integer(tu_wall_ms()));
  json_t *a = ws_call(w, "order.place", op, 0);
  CHECK_MSG(num(a, "status") == 200, "%s", json_dumps(a, JSON_COMPACT));
  expect_event(w, "executionReport", "NEW");
  expect_event(w, "executionReport", "TRADE");
  expect_event(w, "outboundAccountPosition", NULL);
  /* A wrong Ed25519 signature is -1022. */
  snprintf(payload, sizeof payload, "apiKey=ed-key-1&timestamp=%" PRId64, ts + 1);
  p = json_pack("{s:s,s:I,s:s}", "apiKey", "ed-key-1", "timestamp", (json_int_t)ts, "signature",
                ed_sign(key, payload));
  json_t *bad = ws_call(w, "session.logon", p, 0);
  CHECK_EQ_INT(-1022, num(json_object_get(bad, "error"), "code"));
  /* Logging out ends the subscription made through the session. */
  CHECK_EQ_INT(200, num(ws_call(w, "session.logout", NULL, 0), "status"));
  expect_event(w, "eventStreamTerminated", NULL);
  tu_ws_close(w);
  EVP_PKEY_free(key);
  tu_rm_rf(kdir);
  stop();
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(mock_market_order_fills_and_shows_in_my_trades_and_the_ledger);
  RUN(mock_wrong_signature_is_refused_with_1022_and_places_nothing);
  RUN(mock_timestamp_outside_recv_window_is_refused_with_1021);
  RUN(mock_clock_offset_is_what_server_time_reports);
  RUN(mock_filter_failures_are_1013_naming_the_filter);
  RUN(mock_limit_order_rests_then_fills_on_a_later_candle);
  RUN(mock_resting_order_locks_and_cancel_frees_the_balance);
  RUN(mock_resting_order_fills_one_part_per_candle_and_cancel_keeps_the_fills);
  RUN(mock_query_by_client_order_id_known_and_unknown);
  RUN(mock_user_stream_reports_an_orders_life);
  RUN(mock_large_orders_fill_in_parts_with_consecutive_trade_ids);
  RUN(mock_duplicate_client_order_id_of_an_open_order_is_refused_and_counted);
  RUN(mock_commission_in_a_third_asset_while_it_lasts);
  RUN(mock_orders_expire_without_liquidity_or_time_in_force);
  RUN(mock_fault_drop_user_stream_after_n_events);
  RUN(mock_fault_delay_order_response);
  RUN(mock_fault_lose_order_response);
  RUN(mock_fault_throttle_orders_with_429_and_retry_after);
  RUN(mock_fault_bad_timestamp_for_the_kth_request);
  RUN(mock_fault_reject_the_kth_order_with_a_given_code);
  RUN(mock_rate_limit_headers_and_ws_rate_limits);
  RUN(mock_signature_covers_the_bytes_as_sent);
  RUN(mock_ed25519_session_logon_then_subscribe_and_trade);
  return test_summary();
}
