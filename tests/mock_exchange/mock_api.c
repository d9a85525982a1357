/*
 * mock_api.c: the rules every request of the mock exchange goes through, whether it came by
 * REST or by the WebSocket API: its parameters, the API key and signature (HMAC-SHA256 or
 * Ed25519, with OpenSSL's libcrypto), the timestamp against recvWindow, request weight and
 * order-count limits, the fault switches that concern requests, and the table of endpoints
 * and methods with their weights. It owns the counters of requests; the account and the orders
 * belong to mock_trading.c, sessions and subscriptions to mock_wsapi.c. It knows nothing of
 * libwebsockets' HTTP side: mock_exchange.c hands it a mock_req and renders the mock_reply.
 *
 * Follows Binance's spot API documents:
 *   https://developers.binance.com/docs/binance-spot-api-docs/rest-api/general-api-information
 *   https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security
 *     (SIGNED endpoints, timing security, HMAC and Ed25519 examples)
 *   https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits
 *     (X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S/-1D, 429, 418, Retry-After)
 *   https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/request-security
 *     (WebSocket API signatures: the parameters sorted by name)
 *   https://developers.binance.com/docs/binance-spot-api-docs/errors (codes and messages)
 * as published in github.com/binance/binance-spot-api-docs (rest-api.md, web-socket-api.md,
 * errors.md).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "mock.h"

enum {
  SEC_NONE,          /* public */
  SEC_SIGNED,        /* apiKey + signature + timestamp, or a logged-on WebSocket session */
  SEC_STREAM_SIGNED, /* userDataStream.subscribe.signature: apiKey + signature + timestamp */
  SEC_LOGON,         /* session.logon: Ed25519 only */
  SEC_SESSION,       /* userDataStream.subscribe: a logged-on session */
};

static EVP_PKEY *ed_key;
static int order_seq;  /* order placements received */
static int signed_seq; /* signed requests received */
static int64_t weight_window, weight_used;
static int64_t orders10_window, orders10, orders1d_window, orders1d;

/* ---- parameters -------------------------------------------------------------------------- */

static int hexval(int c) {
  return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

static char *pct_decode(const char *s, size_t n) {
  char *out = malloc(n + 1), *o = out;
  if (!out) {
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
        hexval((unsigned char)s[i + 2]) >= 0) {
      *o++ = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
      i += 2;
    } else if (s[i] == '+') {
      *o++ = ' '; /* application/x-www-form-urlencoded */
    } else {
      *o++ = s[i];
    }
  }
  *o = '\0';
  return out;
}

static void add_param(mock_req *rq, char *name, char *value) {
  if (!name || !value) {
    free(name);
    free(value);
    return;
  }
  for (int i = 0; i < rq->np; i++) {
    if (strcmp(rq->p[i].name, name) == 0) {
      /* Sent in both the query string and the body: the query string's is used. Twice in one
       * of them: Binance refuses the request (-1101). */
      rq->dup_param = 1;
      free(name);
      free(value);
      return;
    }
  }
  mock_param *p = realloc(rq->p, (size_t)(rq->np + 1) * sizeof *p);
  if (!p) {
    free(name);
    free(value);
    return;
  }
  rq->p = p;
  rq->p[rq->np].name = name;
  rq->p[rq->np].value = value;
  rq->np++;
}

void mock_req_add_query(mock_req *rq, const char *q) {
  int first = rq->np;
  for (const char *a = q; a && *a;) {
    const char *amp = strchr(a, '&');
    size_t len = amp ? (size_t)(amp - a) : strlen(a);
    const char *eq = memchr(a, '=', len);
    if (len > 0) {
      size_t nl = eq ? (size_t)(eq - a) : len;
      char *name = pct_decode(a, nl);
      char *value = eq ? pct_decode(eq + 1, len - nl - 1) : strdup("");
      /* A parameter repeated within this part is a duplicate; one also sent in an earlier part
       * (the query string, when this is the body) is ignored. */
      int seen_before = 0;
      for (int i = 0; name && i < first; i++) {
        seen_before |= strcmp(rq->p[i].name, name) == 0;
      }
      if (seen_before) {
        free(name);
        free(value);
      } else {
        add_param(rq, name, value);
      }
    }
    a = amp ? amp + 1 : NULL;
  }
}

const char *mock_param_get(const mock_req *rq, const char *name) {
  for (int i = 0; i < rq->np; i++) {
    if (strcmp(rq->p[i].name, name) == 0) {
      return rq->p[i].value;
    }
  }
  return NULL;
}

void mock_req_free(mock_req *rq) {
  for (int i = 0; i < rq->np; i++) {
    free(rq->p[i].name);
    free(rq->p[i].value);
  }
  free(rq->p);
  free(rq->payload);
  rq->p = NULL;
  rq->payload = NULL;
  rq->np = 0;
}

void mock_reply_error(mock_reply *rp, int status, int code, const char *fmt, ...) {
  json_decref(rp->result);
  rp->result = NULL;
  rp->status = status;
  rp->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(rp->msg, sizeof rp->msg, fmt, ap);
  va_end(ap);
}

/* ---- keys and signatures ----------------------------------------------------------------- */

int mock_api_init(char *err, size_t errlen) {
  if (!mopt.ed_pubkey_file) {
    return 0;
  }
  FILE *f = fopen(mopt.ed_pubkey_file, "r");
  if (!f) {
    snprintf(err, errlen, "cannot read %s", mopt.ed_pubkey_file);
    return -1;
  }
  ed_key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
  fclose(f);
  if (!ed_key || EVP_PKEY_id(ed_key) != EVP_PKEY_ED25519) {
    snprintf(err, errlen, "%s: not an Ed25519 public key (PEM)", mopt.ed_pubkey_file);
    EVP_PKEY_free(ed_key);
    ed_key = NULL;
    return -1;
  }
  return 0;
}

void mock_api_deinit(void) {
  EVP_PKEY_free(ed_key);
  ed_key = NULL;
}

/* HMAC-SHA256 of payload with the secret, compared with the hex signature without regard to
 * case (Binance: HMAC signatures are not case-sensitive). */
static int hmac_ok(const char *payload, const char *sig) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int maclen = 0;
  if (!HMAC(EVP_sha256(), mopt.api_secret, (int)strlen(mopt.api_secret),
            (const unsigned char *)payload, strlen(payload), mac, &maclen)) {
    return 0;
  }
  char hex[2 * EVP_MAX_MD_SIZE + 1];
  for (unsigned i = 0; i < maclen; i++) {
    snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  }
  return strlen(sig) == 2 * maclen && strcasecmp(hex, sig) == 0;
}

/* An Ed25519 signature, base64 (case-sensitive), over payload. */
static int ed25519_ok(const char *payload, const char *sig) {
  if (!ed_key) {
    return 0;
  }
  size_t n = strlen(sig);
  if (n == 0 || n % 4 != 0 || n > 256) {
    return 0;
  }
  unsigned char raw[256];
  int len = EVP_DecodeBlock(raw, (const unsigned char *)sig, (int)n);
  if (len < 0) {
    return 0;
  }
  len -= (sig[n - 1] == '=') + (sig[n - 2] == '='); /* EVP_DecodeBlock counts the padding */
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok =
      ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, ed_key) == 1 &&
      EVP_DigestVerify(ctx, raw, (size_t)len, (const unsigned char *)payload, strlen(payload)) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

static int is_hmac_key(const char *k) {
  return mopt.api_key && strcmp(k, mopt.api_key) == 0;
}

static int is_ed_key(const char *k) {
  return ed_key && mopt.ed_api_key && strcmp(k, mopt.ed_api_key) == 0;
}

/* ---- rate limits ------------------------------------------------------------------------- */

/* Each limit counts in fixed intervals of the exchange's clock (a minute starting at :00, ten
 * seconds at :00, :10 ..., a UTC day), as the WebSocket API document describes them. */
static void roll_windows(void) {
  int64_t now = mock_server_ms();
  if (now / 60000 != weight_window) {
    weight_window = now / 60000;
    weight_used = 0;
  }
  if (now / 10000 != orders10_window) {
    orders10_window = now / 10000;
    orders10 = 0;
  }
  if (now / 86400000 != orders1d_window) {
    orders1d_window = now / 86400000;
    orders1d = 0;
  }
}

void mock_add_weight(int weight) {
  roll_windows();
  weight_used += weight;
}

int mock_used_weight(void) {
  roll_windows();
  return (int)weight_used;
}

int mock_order_count_10s(void) {
  roll_windows();
  return (int)orders10;
}

int mock_order_count_1d(void) {
  roll_windows();
  return (int)orders1d;
}

json_t *mock_rate_limits_json(int order) {
  roll_windows();
  json_t *a = json_array();
  if (order) {
    json_array_append_new(a, json_pack("{s:s,s:s,s:i,s:i,s:I}", "rateLimitType", "ORDERS",
                                       "interval", "SECOND", "intervalNum", 10, "limit",
                                       mopt.order_limit_10s, "count", (json_int_t)orders10));
    json_array_append_new(a, json_pack("{s:s,s:s,s:i,s:i,s:I}", "rateLimitType", "ORDERS",
                                       "interval", "DAY", "intervalNum", 1, "limit",
                                       mopt.order_limit_1d, "count", (json_int_t)orders1d));
  }
  json_array_append_new(a, json_pack("{s:s,s:s,s:i,s:i,s:I}", "rateLimitType", "REQUEST_WEIGHT",
                                     "interval", "MINUTE", "intervalNum", 1, "limit",
                                     mopt.weight_limit, "count", (json_int_t)weight_used));
  return a;
}

/* ---- public endpoints -------------------------------------------------------------------- */

static void h_ping(const mock_req *rq, mock_reply *rp) {
  (void)rq;
  rp->result = json_object();
}

static void h_time(const mock_req *rq, mock_reply *rp) {
  (void)rq;
  rp->result = json_pack("{s:I}", "serverTime", (json_int_t)mock_server_ms());
}

static void h_exchange_info(const mock_req *rq, mock_reply *rp) {
  rp->result = mock_exchange_info(rq, rp);
}

static void h_session(const mock_req *rq, mock_reply *rp) {
  mock_wsapi_session(rq, rp, rq->endpoint);
}

typedef void (*handler_fn)(const mock_req *rq, mock_reply *rp);

/* The parameters each endpoint reads (besides apiKey, signature, timestamp, recvWindow and,
 * on the WebSocket API, returnRateLimits); any other is refused with -1104, as Binance does. */
#define P_PLACE                                                                                    \
  " symbol side type timeInForce quantity quoteOrderQty price newClientOrderId strategyId"         \
  " strategyType stopPrice trailingDelta icebergQty newOrderRespType selfTradePreventionMode"      \
  " pegPriceType pegOffsetValue pegOffsetType "
#define P_CANCEL " symbol orderId origClientOrderId newClientOrderId cancelRestrictions "
#define P_QUERY " symbol orderId origClientOrderId "
#define P_TRADES " symbol orderId startTime endTime fromId limit "
#define P_INFO " symbol symbols permissions showPermissionSets symbolStatus "

static const struct endpoint {
  int method;       /* REST method (0: WebSocket API only) */
  const char *path; /* REST path */
  const char *ws;   /* WebSocket API method (NULL: REST only) */
  int weight;
  int sec;
  int order; /* an order placement */
  handler_fn fn;
  const char *params; /* " name name ... " */
} endpoints[] = {
    {MOCK_GET, "/api/v3/ping", "ping", 1, SEC_NONE, 0, h_ping, " "},
    {MOCK_GET, "/api/v3/time", "time", 1, SEC_NONE, 0, h_time, " "},
    {MOCK_GET, "/api/v3/exchangeInfo", "exchangeInfo", 20, SEC_NONE, 0, h_exchange_info, P_INFO},
    {MOCK_GET, "/api/v3/ticker/price", "ticker.price", 2, SEC_NONE, 0, mock_ticker_price,
     " symbol "},
    {MOCK_POST, "/api/v3/order", "order.place", 1, SEC_SIGNED, 1, mock_order_place, P_PLACE},
    {MOCK_DELETE, "/api/v3/order", "order.cancel", 1, SEC_SIGNED, 0, mock_order_cancel, P_CANCEL},
    {MOCK_GET, "/api/v3/order", "order.status", 4, SEC_SIGNED, 0, mock_order_query, P_QUERY},
    {MOCK_GET, "/api/v3/openOrders", "openOrders.status", 6, SEC_SIGNED, 0, mock_open_orders,
     " symbol "},
    {MOCK_GET, "/api/v3/account", "account.status", 20, SEC_SIGNED, 0, mock_account,
     " omitZeroBalances "},
    {MOCK_GET, "/api/v3/myTrades", "myTrades", 20, SEC_SIGNED, 0, mock_my_trades, P_TRADES},
    {0, NULL, "session.logon", 2, SEC_LOGON, 0, h_session, " "},
    {0, NULL, "session.status", 2, SEC_NONE, 0, h_session, " "},
    {0, NULL, "session.logout", 2, SEC_NONE, 0, h_session, " "},
    {0, NULL, "userDataStream.subscribe", 2, SEC_SESSION, 0, h_session, " "},
    {0, NULL, "userDataStream.subscribe.signature", 2, SEC_STREAM_SIGNED, 0, h_session, " "},
    {0, NULL, "userDataStream.unsubscribe", 2, SEC_NONE, 0, h_session, " subscriptionId "},
    {0, NULL, "session.subscriptions", 2, SEC_NONE, 0, h_session, " "},
};

/* -1104 when a parameter is not one the endpoint reads. */
static int check_params(const struct endpoint *e, const mock_req *rq, mock_reply *rp) {
  static const char common[] = " apiKey signature timestamp recvWindow ";
  int read = 0;
  for (int i = 0; i < rq->np; i++) {
    char word[160];
    snprintf(word, sizeof word, " %s ", rq->p[i].name);
    if (strstr(e->params, word) || strstr(common, word) ||
        (rq->ws && strcmp(rq->p[i].name, "returnRateLimits") == 0)) {
      read++;
    }
  }
  if (read < rq->np) {
    mock_reply_error(rp, 400, -1104,
                     "Not all sent parameters were read; read '%d' parameter(s) but was sent "
                     "'%d'.",
                     read, rq->np);
    return -1;
  }
  return 0;
}

static const struct endpoint *find_endpoint(const mock_req *rq) {
  const char *name = rq->endpoint;
  if (rq->ws && strncmp(name, "v3/", 3) == 0) {
    name += 3; /* "Request method names may be prefixed with explicit version" */
  }
  for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++) {
    const struct endpoint *e = &endpoints[i];
    if (rq->ws ? e->ws && strcmp(e->ws, name) == 0
               : e->method == rq->method && e->path && strcmp(e->path, name) == 0) {
      return e;
    }
  }
  return NULL;
}

/* The HTTP status that goes with an error code. */
static int status_of(int code) {
  switch (code) {
  case -1003:
  case -1015:
    return 429;
  case -1002:
  case -2014:
  case -2015:
    return 401;
  case -1000:
    return 500;
  case -1001:
  case -1006:
  case -1007:
  case -1008:
    return 503;
  default:
    return 400;
  }
}

static const char *default_msg(int code) {
  switch (code) {
  case -2010:
    return "Account has insufficient balance for requested action.";
  case -1013:
    return "Filter failure: LOT_SIZE";
  case -1015:
    return "Too many new orders.";
  case -1007:
    return "Timeout waiting for response from backend server. Send status unknown; execution "
           "status unknown.";
  case -1006:
    return "An unexpected response was received from the message bus. Execution status unknown.";
  case -1008:
    return "Server is currently overloaded with other requests. Please try again in a few "
           "minutes.";
  case -1001:
    return "Internal error; unable to process your request. Please try again.";
  case -1000:
    return "An unknown error occurred while processing the request.";
  case -2015:
    return "Invalid API-key, IP, or permissions for action.";
  default:
    return "Order rejected.";
  }
}

/* ---- authentication ---------------------------------------------------------------------- */

/* Checks the API key and the signature; 0 when they pass, else the error is in rp. */
static int check_signature(const mock_req *rq, mock_reply *rp, int ed_only) {
  const char *key = rq->api_key;
  if (rq->ws) {
    key = mock_param_get(rq, "apiKey");
    if (!key || !*key) {
      mock_reply_error(rp, 400, -1102,
                       "Mandatory parameter 'apiKey' was not sent, was empty/null, or "
                       "malformed.");
      return -1;
    }
  } else if (!*key) {
    mock_reply_error(rp, 401, -2014, "API-key format invalid.");
    return -1;
  }
  int hmac = is_hmac_key(key), ed = is_ed_key(key);
  if ((!hmac && !ed) || (ed_only && !ed)) {
    mock_reply_error(rp, 401, -2015, "Invalid API-key, IP, or permissions for action.");
    return -1;
  }
  const char *sig = mock_param_get(rq, "signature");
  if (!sig || !*sig) {
    mock_reply_error(rp, 400, -1102,
                     "Mandatory parameter 'signature' was not sent, was empty/null, or "
                     "malformed.");
    return -1;
  }
  if (!(hmac ? hmac_ok(rq->payload, sig) : ed25519_ok(rq->payload, sig))) {
    mock_reply_error(rp, 400, -1022, "Signature for this request is not valid.");
    return -1;
  }
  return 0;
}

/* Binance's timing security: the request is processed only if
 * timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow. */
static int check_timestamp(const mock_req *rq, mock_reply *rp, int order) {
  const char *ts = mock_param_get(rq, "timestamp");
  char *end = NULL;
  long long t = ts ? strtoll(ts, &end, 10) : 0;
  if (!ts || !*ts || *end) {
    mock_reply_error(rp, 400, -1102,
                     "Mandatory parameter 'timestamp' was not sent, was empty/null, or "
                     "malformed.");
    return -1;
  }
  if (t > INT64_C(100000000000000)) {
    t /= 1000; /* microseconds */
  }
  mock_amt window = 5000 * MOCK_UNIT;
  const char *rw = mock_param_get(rq, "recvWindow");
  if (rw && mock_amt_parse(rw, &window) != 0) {
    mock_reply_error(rp, 400, -1102,
                     "Mandatory parameter 'recvWindow' was not sent, was empty/null, or "
                     "malformed.");
    return -1;
  }
  if (window > 60000 * MOCK_UNIT) {
    mock_reply_error(rp, 400, -1102,
                     "'recvWindow' contains unexpected value. Cannot be greater than 60000.");
    return -1;
  }
  signed_seq++;
  if (mock_list_has(&mopt.bad_ts_requests, signed_seq) ||
      (order && mock_list_has(&mopt.bad_ts_orders, order_seq))) {
    mock_ledger("fault", json_pack("{s:s,s:i,s:i}", "fault", "bad_timestamp", "request", signed_seq,
                                   "order", order ? order_seq : 0));
    mock_reply_error(rp, 400, -1021, "Timestamp for this request is outside of the recvWindow.");
    return -1;
  }
  int64_t now = mock_server_ms();
  if (t >= now + 1000) {
    mock_reply_error(rp, 400, -1021,
                     "Timestamp for this request was 1000ms ahead of the server's time.");
    return -1;
  }
  if ((now - t) * MOCK_UNIT > window) {
    mock_reply_error(rp, 400, -1021, "Timestamp for this request is outside of the recvWindow.");
    return -1;
  }
  return 0;
}

static int authenticate(const struct endpoint *e, const mock_req *rq, mock_reply *rp) {
  switch (e->sec) {
  case SEC_NONE:
    return 0;
  case SEC_SESSION:
    if (!rq->conn || !rq->conn->authed) {
      mock_reply_error(rp, 401, -1002, "You are not authorized to execute this request.");
      return -1;
    }
    return 0;
  case SEC_LOGON:
    if (check_signature(rq, rp, 1) != 0) {
      return -1;
    }
    return check_timestamp(rq, rp, 0);
  case SEC_SIGNED:
    /* A logged-on WebSocket session signs nothing more: its key is the session's. */
    if (!(rq->ws && rq->conn && rq->conn->authed && !mock_param_get(rq, "signature") &&
          !mock_param_get(rq, "apiKey")) &&
        check_signature(rq, rp, 0) != 0) {
      return -1;
    }
    return check_timestamp(rq, rp, e->order);
  default: /* SEC_STREAM_SIGNED */
    if (check_signature(rq, rp, 0) != 0) {
      return -1;
    }
    return check_timestamp(rq, rp, 0);
  }
}

/* ---- dispatch ---------------------------------------------------------------------------- */

void mock_api_handle(mock_req *rq, mock_reply *rp) {
  memset(rp, 0, sizeof *rp);
  rp->status = 200;
  const struct endpoint *e = find_endpoint(rq);
  if (!e) {
    if (rq->ws) {
      mock_reply_error(rp, 400, -1020, "This operation is not supported.");
    } else {
      mock_reply_error(rp, 404, -1, "Not found.");
    }
    return;
  }
  int weight = e->weight;
  if (e->fn == mock_open_orders && !mock_param_get(rq, "symbol")) {
    weight = 80;
  } else if (e->fn == mock_ticker_price && !mock_param_get(rq, "symbol")) {
    weight = 4;
  } else if (e->fn == mock_my_trades && mock_param_get(rq, "orderId")) {
    weight = 5;
  }
  roll_windows();
  weight_used += weight;
  rp->weight = weight;
  int this_order = 0;
  if (e->order) {
    this_order = ++order_seq;
    rp->order = 1;
    const char *cid = mock_param_get(rq, "newClientOrderId");
    int times = cid ? mock_count_client_id(cid) : 0;
    json_t *l = json_pack("{s:i,s:s,s:s?,s:i}", "order", this_order, "via",
                          rq->ws ? "ws-api" : "rest", "clientOrderId", cid, "times", times);
    mock_ledger("received", l);
  }
  if (weight_used > mopt.weight_limit) {
    rp->retry_after_s = (int)(60 - mock_server_ms() / 1000 % 60);
    mock_reply_error(rp, 429, -1003,
                     "Too much request weight used; current limit is %d request weight per 1 "
                     "MINUTE. Please use WebSocket Streams for live updates to avoid polling "
                     "the API.",
                     mopt.weight_limit);
    return;
  }
  if (e->order && this_order <= mopt.throttle_orders) {
    rp->retry_after_s = mopt.retry_after;
    if (mopt.throttle_status == 418) {
      mock_reply_error(rp, 418, -1003,
                       "Way too much request weight used; IP banned until %" PRId64
                       ". Please use WebSocket Streams for live updates to avoid bans.",
                       mock_server_ms() + (int64_t)mopt.retry_after * 1000);
    } else {
      mock_reply_error(rp, 429, -1015,
                       "Too many new orders; current limit is %d orders per 10 SECOND.",
                       mopt.order_limit_10s);
    }
    rp->status = mopt.throttle_status;
    mock_ledger("fault", json_pack("{s:s,s:i,s:i}", "fault", "throttled", "order", this_order,
                                   "status", mopt.throttle_status));
    return;
  }
  if (rq->dup_param) {
    mock_reply_error(rp, 400, -1101, "Duplicate values for a parameter detected.");
    return;
  }
  if (e->order && mock_list_has(&mopt.ignore_orders, this_order)) {
    /* Dropped unread, as a request lost on its way: nothing is placed, nothing answered. */
    rp->lose = 1;
    mock_ledger("fault", json_pack("{s:s,s:i}", "fault", "ignored_order", "order", this_order));
    return;
  }
  if (authenticate(e, rq, rp) != 0 || check_params(e, rq, rp) != 0) {
    return;
  }
  if (e->order) {
    roll_windows();
    if (orders10 >= mopt.order_limit_10s || orders1d >= mopt.order_limit_1d) {
      int day = orders1d >= mopt.order_limit_1d;
      rp->retry_after_s = day ? (int)(86400 - mock_server_ms() / 1000 % 86400)
                              : (int)(10 - mock_server_ms() / 1000 % 10);
      mock_reply_error(rp, 429, -1015, "Too many new orders; current limit is %d orders per %s.",
                       day ? mopt.order_limit_1d : mopt.order_limit_10s, day ? "DAY" : "10 SECOND");
      return;
    }
    if (mock_list_has(&mopt.reject_orders, this_order)) {
      rq->reject_code = mopt.reject_code;
      snprintf(rq->reject_msg, sizeof rq->reject_msg, "%s",
               mopt.reject_msg ? mopt.reject_msg : default_msg(mopt.reject_code));
      rq->reject_status = status_of(mopt.reject_code);
    }
  }
  e->fn(rq, rp);
  if (e->order) {
    if (rp->result || rp->placed) {
      orders10++;
      orders1d++;
    }
    if (mopt.order_delay_ms > 0 &&
        (mopt.delay_orders.n == 0 || mock_list_has(&mopt.delay_orders, this_order))) {
      rp->delay_ms = mopt.order_delay_ms;
      mock_ledger("fault", json_pack("{s:s,s:i,s:I}", "fault", "delayed_response", "order",
                                     this_order, "ms", (json_int_t)mopt.order_delay_ms));
    }
    if (mock_list_has(&mopt.lose_orders, this_order)) {
      rp->lose = 1;
      mock_ledger("fault", json_pack("{s:s,s:i}", "fault", "lost_response", "order", this_order));
    }
  }
}
