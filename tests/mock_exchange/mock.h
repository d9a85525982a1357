/*
 * mock.h: what the files of the mock exchange (tests/mock_exchange) share. The mock is a test
 * program, not part of libargo: one process, one thread (libwebsockets' event loop), its state
 * in file-level statics of each file. The files:
 *
 *   mock_exchange.c  main, the flags, the clock, the HTTP side of the protocol callback
 *   mock_market.c    candles, REST klines and the kline WebSocket streams (market data)
 *   mock_api.c       Binance's request rules shared by REST and the WebSocket API: parameters,
 *                    signatures, timestamps, rate limits, fault switches, the endpoint table
 *   mock_trading.c   the account and the matching engine: orders, fills, balances, the ledger
 *   mock_wsapi.c     the WebSocket API (/ws-api/v3): sessions, user data stream subscriptions
 *
 * Amounts (quantities, prices, balances, commissions) are fixed-point integers in units of
 * 1e-8, as Binance shows them with eight decimals, so that balances add up exactly.
 */
#ifndef MOCK_H
#define MOCK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libwebsockets.h>

#define MOCK_MAX_SYMS 16
#define MOCK_MAX_LIST 64
#define MOCK_UNIT INT64_C(100000000)

typedef int64_t mock_amt; /* an amount in units of 1e-8 */

/* A list of request numbers given by a flag such as --lose-orders 2,5. */
typedef struct mock_list {
  int64_t v[MOCK_MAX_LIST];
  int n;
} mock_list;

/* ---- flags (mock_exchange.c parses them) -------------------------------------------------- */

typedef struct mock_options {
  /* market data */
  int port;
  char interval[16];
  int64_t iv_ms;
  int64_t tick_ms;
  int64_t start_ms;
  int have_start;
  int disconnect_after;
  int disconnects;
  int rate_limit;
  int retry_after;
  int rate_limit_status;
  int hold_klines;
  int64_t hold_ms;
  int malformed_every;
  int64_t ping_ms;
  const char *stats_file;
  mock_list skip;
  int duplicate_every;
  int partial;
  int lifetime;
  int verbose;
  const char *tls_cert, *tls_key;
  /* trading: keys, symbols, account */
  const char *api_key, *api_secret;
  const char *ed_api_key, *ed_pubkey_file;
  const char *symbols;
  const char *balances;
  mock_amt tick_size, min_price, max_price;
  mock_amt step_size, min_qty, max_qty;
  mock_amt min_notional, max_notional;
  int apply_min_to_market;
  mock_amt taker_rate, maker_rate; /* commission rates, in units of 1e-8 */
  const char *commission_asset;
  mock_amt commission_asset_price;
  mock_amt max_fill_qty;
  int fills_per_candle;
  mock_amt market_liquidity;
  int reject_events;
  int64_t clock_offset_ms;
  /* After the --clock-jump-after-fills N'th fill, the exchange's clock reads
   * --clock-jump-to-ms MS (a session down over a midnight, in a test's time). */
  int clock_jump_after_fills;
  int64_t clock_jump_to_ms;
  const char *ledger;
  int weight_limit, order_limit_10s, order_limit_1d;
  /* trading faults */
  int drop_stream_after, drop_streams;
  int64_t order_delay_ms;
  mock_list delay_orders, lose_orders, bad_ts_requests, bad_ts_orders, reject_orders;
  mock_list ignore_orders; /* dropped unread: never placed, never answered */
  int throttle_orders, throttle_status;
  int reject_code;
  const char *reject_msg;
} mock_options;

extern mock_options mopt;
extern struct lws_context *mock_ctx;

/* ---- the clock, logging and small helpers (mock_exchange.c) -------------------------------- */

int64_t mock_mono_us(void);
/* The exchange's time in milliseconds: the wall clock plus --clock-offset-ms. It stamps
 * orders, events and /api/v3/time, and the timestamp of a signed request is checked against
 * it. Candle open times follow the mock's own clock (current_step). */
int64_t mock_server_ms(void);
/* Counts a fill; the clock jumps as --clock-jump-after-fills says. */
void mock_clock_count_fill(void);
/* Steps finalized by the wall clock (the candle of step mock_current_step() is open). */
int64_t mock_current_step(void);
/* The last step whose candle the mock has finalized (sent with "x": true): the market price
 * is its close. */
int64_t mock_last_step(void);
void mock_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int mock_list_has(const mock_list *l, int64_t v);

/* "12.5" -> 1250000000; -1 when malformed, -2 when it has more than eight decimals. */
int mock_amt_parse(const char *s, mock_amt *out);
/* Eight decimals, as Binance writes amounts ("0.10000000"). buf holds 32 bytes. */
const char *mock_amt_str(mock_amt v, char buf[32]);
/* a * b / 1e8 rounded half up (a, b >= 0), through 128-bit arithmetic. */
mock_amt mock_amt_mul(mock_amt a, mock_amt b);
/* a * 1e8 / b rounded down. */
mock_amt mock_amt_div(mock_amt a, mock_amt b);
/* A JSON string with the amount's eight decimals (a new reference). */
json_t *mock_json_amt(mock_amt v);

/* ---- connections (one per lws wsi) -------------------------------------------------------- */

typedef struct mock_msg {
  struct mock_msg *next;
  size_t len;
  int close; /* close the connection instead of sending */
  char text[];
} mock_msg;

typedef enum { MOCK_CONN_HTTP, MOCK_CONN_STREAM, MOCK_CONN_WSAPI } mock_conn_kind;

typedef struct mock_delayed mock_delayed;

typedef struct mock_conn {
  mock_conn_kind kind;
  struct lws *wsi;
  int conn_no;
  /* the outgoing queue of a WebSocket connection */
  mock_msg *head, *tail;
  int queued;
  int cut; /* a close has been queued: send nothing more */
  /* kline stream (mock_market.c) */
  struct mock_conn *next_live;
  char syms[MOCK_MAX_SYMS][32];
  int nsym;
  int finals;
  int ping_due, awaiting_pong, no_pong;
  /* HTTP (mock_exchange.c) */
  int method;      /* MOCK_GET, ... */
  char path[128];  /* the request path */
  char *raw_query; /* the query string as sent (NULL: none), or rebuilt when not known */
  int raw_known;   /* raw_query holds the bytes as sent (not decoded by libwebsockets) */
  char *req_body;  /* the request body as sent */
  size_t req_len;
  size_t req_expect; /* Content-Length */
  char *body;        /* the response body */
  size_t body_len, body_off;
  int status;
  char extra_headers[512]; /* "name: value\r\n" lines of the response (rate limits) */
  int held;
  int lose; /* close without an answer */
  int closing;
  lws_sorted_usec_list_t hold;
  /* WebSocket API (mock_wsapi.c) */
  struct mock_conn *next_api;
  char *rx;
  size_t rx_len;
  int authed; /* session.logon succeeded */
  char session_key[128];
  int64_t connected_ms, authed_ms;
  int return_rate_limits;
  int sub_id; /* the active user data subscription, -1 for none */
  int next_sub_id;
  int sub_no;      /* the how-manieth subscription of the whole mock (1 for the first) */
  int sub_session; /* made by userDataStream.subscribe (ends with session.logout) */
  int events_sent;
  mock_delayed *delayed;
} mock_conn;

enum { MOCK_GET = 1, MOCK_POST, MOCK_PUT, MOCK_DELETE };

/* Queues text (or a close, when close is set) on a WebSocket connection. */
void mock_enqueue(mock_conn *c, const char *text, int close);
void mock_free_queue(mock_conn *c);

/* ---- market data (mock_market.c) ---------------------------------------------------------- */

typedef struct mock_candle {
  char o[32], h[32], l[32], c[32], v[32];
} mock_candle;

/* The candle of symbol opening at open_ms: a pure function of both. */
void mock_make_candle(const char *sym, int64_t open_ms, mock_candle *out);
/* The candle of step as amounts. */
void mock_candle_amts(const char *sym, int64_t step, mock_amt *o, mock_amt *h, mock_amt *l,
                      mock_amt *c);
int mock_market_established(mock_conn *p, struct lws *wsi, const char *uri, const char *args);
void mock_market_closed(mock_conn *p);
void mock_market_broadcast(int64_t step);
void mock_market_ping_all(void);
/* The body of GET /api/v3/klines into p->body; returns the HTTP status. */
int mock_klines(mock_conn *p, struct lws *wsi);
int mock_market_writeable(mock_conn *p, struct lws *wsi);
extern int64_t mock_pings_sent, mock_pongs_received;
extern int mock_ws_connections;

/* ---- requests (mock_api.c) ---------------------------------------------------------------- */

typedef struct mock_param {
  char *name, *value;
} mock_param;

typedef struct mock_req {
  int ws;               /* from the WebSocket API (else REST) */
  int method;           /* REST: MOCK_GET ... */
  const char *endpoint; /* REST: the path; WebSocket API: the method */
  mock_param *p;
  int np;
  char *payload;     /* the signature payload, without the signature */
  char api_key[128]; /* REST: X-MBX-APIKEY; WebSocket API: params.apiKey */
  int dup_param;     /* a parameter was sent twice */
  mock_conn *conn;
  /* --reject-orders: the matching engine rejects this order with this code */
  int reject_code, reject_status;
  char reject_msg[256];
} mock_req;

typedef struct mock_reply {
  int status;
  json_t *result; /* on success */
  int code;       /* on failure */
  char msg[512];
  int retry_after_s; /* a Retry-After to send (429, 418) */
  int order;         /* an order placement: carries the order counts */
  int64_t delay_ms;  /* answer this much later */
  int lose;          /* do not answer: close the connection */
  int weight;
  int placed; /* the order was placed although the answer is an error (-1007) */
} mock_reply;

const char *mock_param_get(const mock_req *rq, const char *name);
void mock_req_free(mock_req *rq);
/* Parses "a=1&b=2" (percent-decoding names and values) and appends to rq. */
void mock_req_add_query(mock_req *rq, const char *q);
void mock_api_handle(mock_req *rq, mock_reply *rp);
void mock_reply_error(mock_reply *rp, int status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The rate-limit state for the X-MBX-* headers and the rateLimits array. */
int mock_used_weight(void);
void mock_add_weight(int weight); /* a request served outside mock_api (klines) */
int mock_order_count_10s(void);
int mock_order_count_1d(void);
json_t *mock_rate_limits_json(int order);
int mock_api_init(char *err, size_t errlen);
void mock_api_deinit(void);

/* ---- the account and the matching engine (mock_trading.c) -------------------------------- */

int mock_trading_init(char *err, size_t errlen);
void mock_trading_deinit(void);
/* Matches the resting orders against the candle of step, which has just been finalized. */
void mock_trading_candle(int64_t step);
json_t *mock_exchange_info(const mock_req *rq, mock_reply *rp);
void mock_order_place(const mock_req *rq, mock_reply *rp);
void mock_order_cancel(const mock_req *rq, mock_reply *rp);
void mock_order_query(const mock_req *rq, mock_reply *rp);
void mock_open_orders(const mock_req *rq, mock_reply *rp);
/* GET /api/v3/ticker/price: the last price (the last finalized candle's close). */
void mock_ticker_price(const mock_req *rq, mock_reply *rp);
void mock_account(const mock_req *rq, mock_reply *rp);
void mock_my_trades(const mock_req *rq, mock_reply *rp);
/* Appends one line to the ledger (--ledger): obj gets "seq" and "time" first; steals obj. */
void mock_ledger(const char *ev, json_t *obj);
/* Counts a newClientOrderId received in an order request; returns how many times so far. */
int mock_count_client_id(const char *cid);

/* ---- the WebSocket API (mock_wsapi.c) ----------------------------------------------------- */

int mock_wsapi_established(mock_conn *p, struct lws *wsi, const char *args);
int mock_wsapi_receive(mock_conn *p, const void *in, size_t len, int final);
int mock_wsapi_writeable(mock_conn *p, struct lws *wsi);
void mock_wsapi_closed(mock_conn *p);
/* Pushes a user data event to every subscription; steals event. */
void mock_wsapi_push(json_t *event);
/* The WebSocket API methods that concern sessions, handled by mock_api through these. */
void mock_wsapi_session(const mock_req *rq, mock_reply *rp, const char *what);

#endif
