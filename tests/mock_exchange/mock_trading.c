/*
 * mock_trading.c: the mock exchange's account and matching engine. It owns the symbols, the
 * balances, the orders and the trades, applies the exchange filters, matches orders against
 * the mock's candles (mock_market.c: market orders at the last finalized candle's close,
 * resting limit orders when a later finalized candle crosses their price), charges
 * commissions, emits the user data events (through mock_wsapi_push) and writes the ledger. It
 * is reached only through mock_api.c, which has already checked the key, the signature and the
 * timestamp; it knows nothing of transports.
 *
 * There is no order book and no other trader: the candles are the market. A market order (and
 * a limit order that is marketable when it arrives) takes at the last price; a resting limit
 * order is the maker when a candle reaches it, and fills at its own price.
 *
 * Follows Binance's spot API documents:
 *   https://developers.binance.com/docs/binance-spot-api-docs/rest-api/trading-endpoints
 *     (New order, Cancel order; ACK/RESULT/FULL responses)
 *   https://developers.binance.com/docs/binance-spot-api-docs/rest-api/account-endpoints
 *     (Account information, Query order, Current open orders, Account trade list)
 *   https://developers.binance.com/docs/binance-spot-api-docs/rest-api/general-endpoints
 *     (Exchange information)
 *   https://developers.binance.com/docs/binance-spot-api-docs/filters
 *     (PRICE_FILTER, LOT_SIZE, NOTIONAL)
 *   https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream
 *     (executionReport, outboundAccountPosition)
 *   https://developers.binance.com/docs/binance-spot-api-docs/faqs/commission_faq
 *   https://developers.binance.com/docs/binance-spot-api-docs/errors
 *     (-1013 filter failures, -2010, -2011, -2013 and their messages)
 * as published in github.com/binance/binance-spot-api-docs.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

enum { BUY, SELL };
enum { T_LIMIT, T_MARKET, T_LIMIT_MAKER };
enum { GTC, IOC, FOK };
enum { S_NEW, S_PARTIAL, S_FILLED, S_CANCELED, S_REJECTED, S_EXPIRED };
enum { RESP_ACK, RESP_RESULT, RESP_FULL };

static const char *const side_names[] = {"BUY", "SELL"};
static const char *const type_names[] = {"LIMIT", "MARKET", "LIMIT_MAKER"};
static const char *const tif_names[] = {"GTC", "IOC", "FOK"};
static const char *const status_names[] = {"NEW",      "PARTIALLY_FILLED", "FILLED",
                                           "CANCELED", "REJECTED",         "EXPIRED"};

typedef struct symbol_info {
  char name[32], base[16], quote[16];
  int64_t next_order_id, next_trade_id;
} symbol_info;

typedef struct asset {
  char name[16];
  mock_amt free, locked;
} asset;

typedef struct order {
  int sym;
  int64_t id;
  char cid[40];        /* newClientOrderId */
  char cancel_cid[40]; /* the cancel's newClientOrderId, once canceled */
  int side, type, tif;
  mock_amt qty, price, quote_qty;
  mock_amt executed, cum_quote;
  mock_amt locked; /* what this order still holds locked (quote for a buy, base for a sell) */
  int status;
  int64_t time, update_time, working_time;
  int64_t first_step; /* the first candle that may fill it */
  char expiry[40];    /* expiryReason */
} order;

typedef struct trade {
  int sym;
  int64_t id, order_id;
  mock_amt price, qty, quote_qty, commission;
  char commission_asset[16];
  int64_t time;
  int buyer, maker;
} trade;

typedef struct cid_count {
  char cid[40];
  int n;
} cid_count;

static symbol_info syms[MOCK_MAX_SYMS];
static int nsyms;
#define MAX_ASSETS (2 * MOCK_MAX_SYMS + 8)
static asset assets[MAX_ASSETS];
static int nassets;
static order *orders;
static int norders;
static trade *trades;
static int ntrades;
static cid_count *cids;
static int ncids;
static FILE *ledger;
static int64_t ledger_seq, exec_id, cid_seq, account_update;

/* Which assets one transaction changed, for its outboundAccountPosition. */
static int touched[MAX_ASSETS];
static int ntouched;

/* ---- setup ------------------------------------------------------------------------------- */

/* The asset named name, created (zero) if new. The array never moves, so that a caller may
 * hold pointers to several assets at once. */
static asset *get_asset(const char *name) {
  for (int i = 0; i < nassets; i++) {
    if (strcmp(assets[i].name, name) == 0) {
      return &assets[i];
    }
  }
  if (nassets >= MAX_ASSETS) {
    fprintf(stderr, "mock_exchange: more than %d assets\n", MAX_ASSETS);
    abort(); /* a test program: cannot happen with MOCK_MAX_SYMS symbols */
  }
  memset(&assets[nassets], 0, sizeof assets[nassets]);
  snprintf(assets[nassets].name, sizeof assets[nassets].name, "%s", name);
  return &assets[nassets++];
}

static void touch(const asset *a) {
  int i = (int)(a - assets);
  for (int k = 0; k < ntouched; k++) {
    if (touched[k] == i) {
      return;
    }
  }
  if (ntouched < (int)(sizeof touched / sizeof touched[0])) {
    touched[ntouched++] = i;
  }
}

/* "BTCUSDT" or "BTCUSDT=BTC/USDT". Without the assets, the quote is a known suffix. */
static int add_symbol(const char *spec, size_t n, char *err, size_t errlen) {
  static const char *const quotes[] = {"USDT", "USDC", "FDUSD", "BUSD", "TUSD", "DAI",
                                       "BTC",  "ETH",  "BNB",   "EUR",  "TRY",  "BRL"};
  if (nsyms >= MOCK_MAX_SYMS) {
    snprintf(err, errlen, "--symbols: at most %d symbols", MOCK_MAX_SYMS);
    return -1;
  }
  char buf[96];
  snprintf(buf, sizeof buf, "%.*s", (int)n, spec);
  symbol_info *s = &syms[nsyms];
  memset(s, 0, sizeof *s);
  char *eq = strchr(buf, '=');
  if (eq) {
    *eq = '\0';
    char *slash = strchr(eq + 1, '/');
    if (!slash) {
      snprintf(err, errlen, "--symbols: '%s' is not SYMBOL=BASE/QUOTE", spec);
      return -1;
    }
    *slash = '\0';
    snprintf(s->base, sizeof s->base, "%s", eq + 1);
    snprintf(s->quote, sizeof s->quote, "%s", slash + 1);
  } else {
    size_t len = strlen(buf);
    for (size_t i = 0; i < sizeof quotes / sizeof quotes[0]; i++) {
      size_t ql = strlen(quotes[i]);
      if (len > ql && strcmp(buf + len - ql, quotes[i]) == 0) {
        snprintf(s->quote, sizeof s->quote, "%s", quotes[i]);
        snprintf(s->base, sizeof s->base, "%.*s", (int)(len - ql), buf);
        break;
      }
    }
    if (!s->quote[0]) {
      snprintf(err, errlen, "--symbols: cannot tell the quote asset of '%s' (write %s=BASE/QUOTE)",
               buf, buf);
      return -1;
    }
  }
  snprintf(s->name, sizeof s->name, "%s", buf);
  for (char *c = s->name; *c; c++) {
    *c = (char)toupper((unsigned char)*c);
  }
  get_asset(s->base);
  get_asset(s->quote);
  nsyms++;
  return 0;
}

int mock_trading_init(char *err, size_t errlen) {
  for (const char *s = mopt.symbols; *s;) {
    const char *comma = strchr(s, ',');
    size_t n = comma ? (size_t)(comma - s) : strlen(s);
    if (n && add_symbol(s, n, err, errlen) != 0) {
      return -1;
    }
    s += n + (comma != NULL);
  }
  for (const char *s = mopt.balances; *s;) {
    const char *comma = strchr(s, ',');
    size_t n = comma ? (size_t)(comma - s) : strlen(s);
    char buf[96];
    snprintf(buf, sizeof buf, "%.*s", (int)n, s);
    char *eq = strchr(buf, '=');
    mock_amt v;
    if (!eq || eq == buf || mock_amt_parse(eq + 1, &v) != 0 || v < 0) {
      snprintf(err, errlen, "--balance: '%s' is not ASSET=AMOUNT", buf);
      return -1;
    }
    *eq = '\0';
    get_asset(buf)->free = v;
    s += n + (comma != NULL);
  }
  if (mopt.commission_asset) {
    get_asset(mopt.commission_asset);
    if (mopt.commission_asset_price <= 0) {
      snprintf(err, errlen, "--commission-asset needs --commission-asset-price");
      return -1;
    }
  }
  if (mopt.ledger) {
    ledger = fopen(mopt.ledger, "a");
    if (!ledger) {
      snprintf(err, errlen, "cannot open the ledger %s", mopt.ledger);
      return -1;
    }
  }
  return 0;
}

void mock_trading_deinit(void) {
  if (ledger) {
    fclose(ledger);
  }
  ledger = NULL;
  free(orders);
  free(trades);
  free(cids);
  orders = NULL;
  trades = NULL;
  cids = NULL;
}

/* ---- the ledger -------------------------------------------------------------------------- */

void mock_ledger(const char *ev, json_t *obj) {
  if (!ledger) {
    json_decref(obj);
    return;
  }
  json_t *line = json_pack("{s:I,s:s,s:I}", "seq", (json_int_t)++ledger_seq, "ev", ev, "time",
                           (json_int_t)mock_server_ms());
  json_object_update(line, obj);
  json_decref(obj);
  char *text = json_dumps(line, JSON_COMPACT);
  json_decref(line);
  if (text) {
    fputs(text, ledger);
    fputc('\n', ledger);
    fflush(ledger); /* a test, or a client that crashed, reads it while the mock runs */
    free(text);
  }
}

int mock_count_client_id(const char *cid) {
  for (int i = 0; i < ncids; i++) {
    if (strcmp(cids[i].cid, cid) == 0) {
      return ++cids[i].n;
    }
  }
  cid_count *c = realloc(cids, (size_t)(ncids + 1) * sizeof *c);
  if (!c) {
    abort();
  }
  cids = c;
  snprintf(cids[ncids].cid, sizeof cids[ncids].cid, "%s", cid);
  cids[ncids].n = 1;
  return cids[ncids++].n;
}

static json_t *balances_json(void) {
  json_t *b = json_object();
  for (int i = 0; i < nassets; i++) {
    json_object_set_new(b, assets[i].name,
                        json_pack("{s:o,s:o}", "free", mock_json_amt(assets[i].free), "locked",
                                  mock_json_amt(assets[i].locked)));
  }
  return b;
}

/* ---- lookups and formats ----------------------------------------------------------------- */

static int find_symbol(const char *name) {
  for (int i = 0; i < nsyms; i++) {
    if (name && strcmp(syms[i].name, name) == 0) {
      return i;
    }
  }
  return -1;
}

static int is_open(const order *o) {
  return o->status == S_NEW || o->status == S_PARTIAL;
}

static mock_amt round_tick(mock_amt p) {
  if (mopt.tick_size <= 0) {
    return p;
  }
  mock_amt r = (p + mopt.tick_size / 2) / mopt.tick_size * mopt.tick_size;
  return r > 0 ? r : mopt.tick_size;
}

/* The market price: the last finalized candle's close, on the tick grid. */
static mock_amt last_price(int sym) {
  mock_amt o, h, l, c;
  mock_candle_amts(syms[sym].name, mock_last_step(), &o, &h, &l, &c);
  return round_tick(c);
}

/* Binance's allowed client order ids: ^[\.A-Z\:/a-z0-9_-]{1,36}$ */
static int valid_cid(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 36) {
    return 0;
  }
  for (; *s; s++) {
    if (!isalnum((unsigned char)*s) && !strchr(".:/_-", *s)) {
      return 0;
    }
  }
  return 1;
}

/* A client order id for an order (or cancel) sent without one: 22 letters and digits. */
static void gen_cid(char out[40]) {
  static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  uint64_t x = (uint64_t)++cid_seq * 0x9e3779b97f4a7c15ULL ^ 0x5bd1e995ULL;
  for (int i = 0; i < 22; i++) {
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    out[i] = al[x % 62];
  }
  out[22] = '\0';
}

static json_t *amt(mock_amt v) {
  return mock_json_amt(v);
}

/* The order as GET /api/v3/order and /api/v3/openOrders show it. */
static json_t *order_json(const order *o) {
  json_t *j = json_object();
  json_object_set_new(j, "symbol", json_string(syms[o->sym].name));
  json_object_set_new(j, "orderId", json_integer(o->id));
  json_object_set_new(j, "orderListId", json_integer(-1));
  json_object_set_new(j, "clientOrderId", json_string(o->cid));
  json_object_set_new(j, "price", amt(o->price));
  json_object_set_new(j, "origQty", amt(o->qty));
  json_object_set_new(j, "executedQty", amt(o->executed));
  json_object_set_new(j, "cummulativeQuoteQty", amt(o->cum_quote));
  json_object_set_new(j, "status", json_string(status_names[o->status]));
  json_object_set_new(j, "timeInForce", json_string(tif_names[o->tif]));
  json_object_set_new(j, "type", json_string(type_names[o->type]));
  json_object_set_new(j, "side", json_string(side_names[o->side]));
  json_object_set_new(j, "stopPrice", amt(0));
  json_object_set_new(j, "icebergQty", amt(0));
  json_object_set_new(j, "time", json_integer(o->time));
  json_object_set_new(j, "updateTime", json_integer(o->update_time));
  json_object_set_new(j, "isWorking", json_boolean(1));
  json_object_set_new(j, "workingTime", json_integer(o->working_time));
  json_object_set_new(j, "origQuoteOrderQty", amt(o->quote_qty));
  json_object_set_new(j, "selfTradePreventionMode", json_string("NONE"));
  if (o->expiry[0]) {
    json_object_set_new(j, "expiryReason", json_string(o->expiry));
  }
  return j;
}

/* The answer to an order placement, per newOrderRespType; fills are the order's trades made
 * while placing it (FULL). */
static json_t *place_json(const order *o, int resp, int first_trade, int64_t transact) {
  json_t *j = json_object();
  json_object_set_new(j, "symbol", json_string(syms[o->sym].name));
  json_object_set_new(j, "orderId", json_integer(o->id));
  json_object_set_new(j, "orderListId", json_integer(-1));
  json_object_set_new(j, "clientOrderId", json_string(o->cid));
  json_object_set_new(j, "transactTime", json_integer(transact));
  if (resp == RESP_ACK) {
    return j;
  }
  json_object_set_new(j, "price", amt(o->price));
  json_object_set_new(j, "origQty", amt(o->qty));
  json_object_set_new(j, "executedQty", amt(o->executed));
  json_object_set_new(j, "origQuoteOrderQty", amt(o->quote_qty));
  json_object_set_new(j, "cummulativeQuoteQty", amt(o->cum_quote));
  json_object_set_new(j, "status", json_string(status_names[o->status]));
  json_object_set_new(j, "timeInForce", json_string(tif_names[o->tif]));
  json_object_set_new(j, "type", json_string(type_names[o->type]));
  json_object_set_new(j, "side", json_string(side_names[o->side]));
  json_object_set_new(j, "workingTime", json_integer(o->working_time));
  json_object_set_new(j, "selfTradePreventionMode", json_string("NONE"));
  if (o->expiry[0]) {
    json_object_set_new(j, "expiryReason", json_string(o->expiry));
  }
  if (resp == RESP_FULL) {
    json_t *fills = json_array();
    for (int i = first_trade; i < ntrades; i++) {
      const trade *t = &trades[i];
      if (t->sym == o->sym && t->order_id == o->id) {
        json_array_append_new(fills, json_pack("{s:o,s:o,s:o,s:s,s:I}", "price", amt(t->price),
                                               "qty", amt(t->qty), "commission", amt(t->commission),
                                               "commissionAsset", t->commission_asset, "tradeId",
                                               (json_int_t)t->id));
      }
    }
    json_object_set_new(j, "fills", fills);
  }
  return j;
}

/* ---- user data events -------------------------------------------------------------------- */

/* An executionReport: x is the execution type; t the trade of a TRADE, else NULL. */
static void execution_report(const order *o, const char *x, const trade *t, const char *reason) {
  int64_t now = mock_server_ms();
  int canceled = strcmp(x, "CANCELED") == 0;
  json_t *e = json_object();
  json_object_set_new(e, "e", json_string("executionReport"));
  json_object_set_new(e, "E", json_integer(now));
  json_object_set_new(e, "s", json_string(syms[o->sym].name));
  json_object_set_new(e, "c", json_string(canceled ? o->cancel_cid : o->cid));
  json_object_set_new(e, "S", json_string(side_names[o->side]));
  json_object_set_new(e, "o", json_string(type_names[o->type]));
  json_object_set_new(e, "f", json_string(tif_names[o->tif]));
  json_object_set_new(e, "q", amt(o->qty));
  json_object_set_new(e, "p", amt(o->price));
  json_object_set_new(e, "P", amt(0));
  json_object_set_new(e, "F", amt(0));
  json_object_set_new(e, "g", json_integer(-1));
  json_object_set_new(e, "C", json_string(canceled ? o->cid : ""));
  json_object_set_new(e, "x", json_string(x));
  json_object_set_new(e, "X", json_string(status_names[o->status]));
  json_object_set_new(e, "r", json_string(reason ? reason : "NONE"));
  json_object_set_new(e, "i", json_integer(o->id));
  json_object_set_new(e, "l", amt(t ? t->qty : 0));
  json_object_set_new(e, "z", amt(o->executed));
  json_object_set_new(e, "L", amt(t ? t->price : 0));
  json_object_set_new(e, "n", t ? amt(t->commission) : json_string("0"));
  json_object_set_new(e, "N", t ? json_string(t->commission_asset) : json_null());
  json_object_set_new(e, "T", json_integer(t ? t->time : now));
  json_object_set_new(e, "t", json_integer(t ? t->id : -1));
  json_object_set_new(e, "I", json_integer(++exec_id));
  json_object_set_new(e, "w", json_boolean(is_open(o) && o->type != T_MARKET));
  json_object_set_new(e, "m", json_boolean(t && t->maker));
  json_object_set_new(e, "M", json_boolean(0));
  json_object_set_new(e, "O", json_integer(o->time));
  json_object_set_new(e, "Z", amt(o->cum_quote));
  json_object_set_new(e, "Y", amt(t ? t->quote_qty : 0));
  json_object_set_new(e, "Q", amt(o->quote_qty));
  if (o->status != S_REJECTED) {
    json_object_set_new(e, "W", json_integer(o->working_time));
  }
  json_object_set_new(e, "V", json_string("NONE"));
  if (o->expiry[0]) {
    json_object_set_new(e, "eR", json_string(o->expiry));
  }
  mock_wsapi_push(e);
}

/* The outboundAccountPosition of the assets the transaction changed. */
static void account_position(void) {
  if (ntouched == 0) {
    return;
  }
  int64_t now = mock_server_ms();
  account_update = now;
  json_t *b = json_array();
  for (int k = 0; k < ntouched; k++) {
    const asset *a = &assets[touched[k]];
    json_array_append_new(
        b, json_pack("{s:s,s:o,s:o}", "a", a->name, "f", amt(a->free), "l", amt(a->locked)));
  }
  ntouched = 0;
  mock_wsapi_push(json_pack("{s:s,s:I,s:I,s:o}", "e", "outboundAccountPosition", "E",
                            (json_int_t)now, "u", (json_int_t)now, "B", b));
}

/* ---- matching ---------------------------------------------------------------------------- */

static void unlock_rest(order *o) {
  const symbol_info *s = &syms[o->sym];
  asset *a = get_asset(o->side == BUY ? s->quote : s->base);
  a->locked -= o->locked;
  a->free += o->locked;
  o->locked = 0;
  touch(a);
}

/* One fill of qty at price, against the candle of step. */
static void fill(order *o, mock_amt qty, mock_amt price, int maker, int64_t step) {
  const symbol_info *s = &syms[o->sym];
  asset *base = get_asset(s->base), *quote = get_asset(s->quote);
  mock_amt quote_qty = mock_amt_mul(qty, price);
  mock_amt rate = maker ? mopt.maker_rate : mopt.taker_rate;
  /* Commission on what the account receives: the base asset for a buy, the quote asset for a
   * sell, or the third asset (--commission-asset) at its price while it lasts. */
  asset *fee_asset = o->side == BUY ? base : quote;
  mock_amt fee = mock_amt_mul(o->side == BUY ? qty : quote_qty, rate);
  if (mopt.commission_asset) {
    asset *third = get_asset(mopt.commission_asset);
    mock_amt fee3 = mock_amt_div(mock_amt_mul(quote_qty, rate), mopt.commission_asset_price);
    if (third->free >= fee3) {
      fee_asset = third;
      fee = fee3;
    }
  }
  if (o->side == BUY) {
    /* The lock was taken at the limit price (or the price when a market order arrived): free
     * what this fill held and spend what it cost. */
    mock_amt release = o->type == T_MARKET ? quote_qty : mock_amt_mul(qty, o->price);
    if (release > o->locked) {
      release = o->locked;
    }
    o->locked -= release;
    quote->locked -= release;
    quote->free += release - quote_qty;
    base->free += qty;
  } else {
    o->locked -= qty;
    base->locked -= qty;
    quote->free += quote_qty;
  }
  fee_asset->free -= fee;
  touch(base);
  touch(quote);
  touch(fee_asset);
  symbol_info *sm = &syms[o->sym];
  trade *tt = realloc(trades, (size_t)(ntrades + 1) * sizeof *tt);
  if (!tt) {
    abort();
  }
  trades = tt;
  trade *t = &trades[ntrades++];
  memset(t, 0, sizeof *t);
  t->sym = o->sym;
  t->id = ++sm->next_trade_id;
  t->order_id = o->id;
  t->price = price;
  t->qty = qty;
  t->quote_qty = quote_qty;
  t->commission = fee;
  snprintf(t->commission_asset, sizeof t->commission_asset, "%s", fee_asset->name);
  t->time = mock_server_ms();
  t->buyer = o->side == BUY;
  t->maker = maker;
  o->executed += qty;
  o->cum_quote += quote_qty;
  o->update_time = t->time;
  o->status = o->executed >= o->qty ? S_FILLED : S_PARTIAL;
  if (o->status == S_FILLED) {
    unlock_rest(o); /* what rounding left locked */
  }
  json_t *l =
      json_pack("{s:s,s:I,s:I,s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:b,s:s,s:o,s:I,s:o}", "symbol", sm->name,
                "orderId", (json_int_t)o->id, "tradeId", (json_int_t)t->id, "clientOrderId", o->cid,
                "side", side_names[o->side], "qty", amt(qty), "price", amt(price), "quoteQty",
                amt(quote_qty), "commission", amt(fee), "commissionAsset", t->commission_asset,
                "maker", maker, "status", status_names[o->status], "executedQty", amt(o->executed),
                "step", (json_int_t)step, "balances", balances_json());
  mock_ledger("fill", l);
  execution_report(o, "TRADE", t, NULL);
  mock_clock_count_fill();
}

/* Fills up to qty of o at price in fills of at most --max-fill-qty; at most max_fills fills
 * (0: any number). Returns what was filled. */
static mock_amt fill_in_parts(order *o, mock_amt qty, mock_amt price, int maker, int max_fills,
                              int64_t step) {
  mock_amt done = 0;
  for (int k = 0; done < qty && (max_fills <= 0 || k < max_fills); k++) {
    mock_amt part = qty - done;
    if (mopt.max_fill_qty > 0 && part > mopt.max_fill_qty) {
      part = mopt.max_fill_qty;
    }
    fill(o, part, price, maker, step);
    done += part;
  }
  return done;
}

static void expire(order *o, const char *reason) {
  snprintf(o->expiry, sizeof o->expiry, "%s", reason);
  o->status = S_EXPIRED;
  o->update_time = mock_server_ms();
  unlock_rest(o);
  mock_ledger("expired", json_pack("{s:s,s:I,s:s,s:s,s:o}", "symbol", syms[o->sym].name, "orderId",
                                   (json_int_t)o->id, "clientOrderId", o->cid, "reason", reason,
                                   "executedQty", amt(o->executed)));
  execution_report(o, "EXPIRED", NULL, NULL);
}

/* What an order arriving now takes from the market: everything, or --market-liquidity. */
static mock_amt liquidity(mock_amt want) {
  return mopt.market_liquidity > 0 && want > mopt.market_liquidity ? mopt.market_liquidity : want;
}

void mock_trading_candle(int64_t step) {
  for (int i = 0; i < norders; i++) {
    order *o = &orders[i];
    if (!is_open(o) || o->type == T_MARKET || o->first_step > step) {
      continue;
    }
    mock_amt op, h, l, c;
    mock_candle_amts(syms[o->sym].name, step, &op, &h, &l, &c);
    if ((o->side == BUY && l <= o->price) || (o->side == SELL && h >= o->price)) {
      fill_in_parts(o, o->qty - o->executed, o->price, 1, mopt.fills_per_candle, step);
      account_position();
    }
  }
}

/* ---- parameters -------------------------------------------------------------------------- */

static int enum_index(const char *v, const char *const *names, int n) {
  for (int i = 0; i < n; i++) {
    if (strcmp(v, names[i]) == 0) {
      return i;
    }
  }
  return -1;
}

static int missing(mock_reply *rp, const char *name) {
  mock_reply_error(rp, 400, -1102,
                   "Mandatory parameter '%s' was not sent, was empty/null, or malformed.", name);
  return -1;
}

/* A DECIMAL parameter: 0 and *out on success; -1 with the error in rp. */
static int decimal(const mock_req *rq, mock_reply *rp, const char *name, mock_amt *out) {
  const char *v = mock_param_get(rq, name);
  if (!v || !*v) {
    return missing(rp, name);
  }
  if (v[0] == '-') {
    mock_reply_error(rp, 400, -1100,
                     "Illegal characters found in parameter '%s'; legal range is "
                     "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
                     name);
    return -1;
  }
  int r = mock_amt_parse(v, out);
  if (r == -2) {
    mock_reply_error(rp, 400, -1111, "Parameter '%s' has too much precision.", name);
    return -1;
  }
  return r == 0 ? 0 : missing(rp, name);
}

static int not_required(mock_reply *rp, const char *name) {
  mock_reply_error(rp, 400, -1106, "Parameter '%s' sent when not required.", name);
  return -1;
}

static int symbol_param(const mock_req *rq, mock_reply *rp) {
  const char *v = mock_param_get(rq, "symbol");
  if (!v || !*v) {
    return missing(rp, "symbol");
  }
  int s = find_symbol(v);
  if (s < 0) {
    mock_reply_error(rp, 400, -1121, "Invalid symbol.");
  }
  return s;
}

/* orderId and/or origClientOrderId: the order they name (the newest with that client id), or
 * NULL with rp's error set to code/msg. */
static order *find_order(const mock_req *rq, mock_reply *rp, int sym, int code, const char *msg) {
  const char *oid = mock_param_get(rq, "orderId");
  const char *cid = mock_param_get(rq, "origClientOrderId");
  if ((!oid || !*oid) && (!cid || !*cid)) {
    mock_reply_error(rp, 400, -1102,
                     "Param 'origClientOrderId' or 'orderId' must be sent, but both were "
                     "empty/null!");
    return NULL;
  }
  order *found = NULL;
  if (oid && *oid) {
    int64_t id = strtoll(oid, NULL, 10);
    for (int i = 0; i < norders; i++) {
      if (orders[i].sym == sym && orders[i].id == id) {
        found = &orders[i];
      }
    }
    if (found && cid && *cid && strcmp(found->cid, cid) != 0) {
      found = NULL;
    }
  } else {
    for (int i = norders - 1; i >= 0 && !found; i--) {
      if (orders[i].sym == sym &&
          (strcmp(orders[i].cid, cid) == 0 || strcmp(orders[i].cancel_cid, cid) == 0)) {
        found = &orders[i];
      }
    }
  }
  if (!found) {
    mock_reply_error(rp, 400, code, "%s", msg);
  }
  return found;
}

/* ---- endpoints --------------------------------------------------------------------------- */

json_t *mock_exchange_info(const mock_req *rq, mock_reply *rp) {
  const char *one = mock_param_get(rq, "symbol");
  const char *many = mock_param_get(rq, "symbols");
  json_t *want = NULL;
  if (many) {
    want = json_loads(many, 0, NULL);
    if (!json_is_array(want)) {
      json_decref(want);
      mock_reply_error(rp, 400, -1100,
                       "Illegal characters found in parameter 'symbols'; legal range is "
                       "'^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.");
      return NULL;
    }
  } else if (one) {
    want = json_pack("[s]", one);
  }
  size_t k;
  json_t *v;
  json_array_foreach(want, k, v) {
    if (find_symbol(json_string_value(v)) < 0) {
      json_decref(want);
      mock_reply_error(rp, 400, -1121, "Invalid symbol.");
      return NULL;
    }
  }
  json_t *list = json_array();
  for (int i = 0; i < nsyms; i++) {
    int listed = !want;
    json_array_foreach(want, k, v) {
      listed |= strcmp(json_string_value(v), syms[i].name) == 0;
    }
    if (!listed) {
      continue;
    }
    json_t *filters = json_pack(
        "[{s:s,s:o,s:o,s:o},{s:s,s:o,s:o,s:o},{s:s,s:o,s:b,s:o,s:b,s:i}]", "filterType",
        "PRICE_FILTER", "minPrice", amt(mopt.min_price), "maxPrice", amt(mopt.max_price),
        "tickSize", amt(mopt.tick_size), "filterType", "LOT_SIZE", "minQty", amt(mopt.min_qty),
        "maxQty", amt(mopt.max_qty), "stepSize", amt(mopt.step_size), "filterType", "NOTIONAL",
        "minNotional", amt(mopt.min_notional), "applyMinToMarket", mopt.apply_min_to_market,
        "maxNotional", amt(mopt.max_notional), "applyMaxToMarket", 0, "avgPriceMins", 0);
    json_t *s = json_object();
    json_object_set_new(s, "symbol", json_string(syms[i].name));
    json_object_set_new(s, "status", json_string("TRADING"));
    json_object_set_new(s, "baseAsset", json_string(syms[i].base));
    json_object_set_new(s, "baseAssetPrecision", json_integer(8));
    json_object_set_new(s, "quoteAsset", json_string(syms[i].quote));
    json_object_set_new(s, "quotePrecision", json_integer(8));
    json_object_set_new(s, "quoteAssetPrecision", json_integer(8));
    json_object_set_new(s, "baseCommissionPrecision", json_integer(8));
    json_object_set_new(s, "quoteCommissionPrecision", json_integer(8));
    json_object_set_new(s, "orderTypes", json_pack("[s,s,s]", "LIMIT", "LIMIT_MAKER", "MARKET"));
    json_object_set_new(s, "icebergAllowed", json_false());
    json_object_set_new(s, "ocoAllowed", json_false());
    json_object_set_new(s, "otoAllowed", json_false());
    json_object_set_new(s, "opoAllowed", json_false());
    json_object_set_new(s, "quoteOrderQtyMarketAllowed", json_true());
    json_object_set_new(s, "allowTrailingStop", json_false());
    json_object_set_new(s, "cancelReplaceAllowed", json_false());
    json_object_set_new(s, "amendAllowed", json_false());
    json_object_set_new(s, "pegInstructionsAllowed", json_false());
    json_object_set_new(s, "isSpotTradingAllowed", json_true());
    json_object_set_new(s, "isMarginTradingAllowed", json_false());
    json_object_set_new(s, "filters", filters);
    json_object_set_new(s, "permissions", json_array());
    json_object_set_new(s, "permissionSets", json_pack("[[s]]", "SPOT"));
    json_object_set_new(s, "defaultSelfTradePreventionMode", json_string("NONE"));
    json_object_set_new(s, "allowedSelfTradePreventionModes", json_pack("[s]", "NONE"));
    json_array_append_new(list, s);
  }
  json_decref(want);
  json_t *limits =
      json_pack("[{s:s,s:s,s:i,s:i},{s:s,s:s,s:i,s:i},{s:s,s:s,s:i,s:i},{s:s,s:s,s:i,s:i}]",
                "rateLimitType", "REQUEST_WEIGHT", "interval", "MINUTE", "intervalNum", 1, "limit",
                mopt.weight_limit, "rateLimitType", "ORDERS", "interval", "SECOND", "intervalNum",
                10, "limit", mopt.order_limit_10s, "rateLimitType", "ORDERS", "interval", "DAY",
                "intervalNum", 1, "limit", mopt.order_limit_1d, "rateLimitType", "RAW_REQUESTS",
                "interval", "MINUTE", "intervalNum", 5, "limit", 61000);
  return json_pack("{s:s,s:I,s:o,s:[],s:o}", "timezone", "UTC", "serverTime",
                   (json_int_t)mock_server_ms(), "rateLimits", limits, "exchangeFilters", "symbols",
                   list);
}

/* A rejection by the matching engine, recorded in the ledger and, with --reject-events,
 * pushed as an executionReport with orderId -1. */
static void engine_reject(const order *o, mock_reply *rp, int status, int code, const char *msg,
                          const char *reason) {
  mock_ledger("rejected", json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:i,s:s}", "symbol",
                                    syms[o->sym].name, "clientOrderId", o->cid, "side",
                                    side_names[o->side], "type", type_names[o->type], "quantity",
                                    amt(o->qty), "price", amt(o->price), "code", code, "msg", msg));
  if (mopt.reject_events) {
    order r = *o;
    r.id = -1;
    r.status = S_REJECTED;
    execution_report(&r, "REJECTED", NULL, reason);
  }
  mock_reply_error(rp, status, code, "%s", msg);
}

/* A refusal before the matching engine (parameters, filters): ledger only. */
static void api_reject(const mock_req *rq, mock_reply *rp) {
  mock_ledger("rejected", json_pack("{s:s?,s:s?,s:i,s:s}", "symbol", mock_param_get(rq, "symbol"),
                                    "clientOrderId", mock_param_get(rq, "newClientOrderId"), "code",
                                    rp->code, "msg", rp->msg));
}

void mock_order_place(const mock_req *rq, mock_reply *rp) {
  order o;
  memset(&o, 0, sizeof o);
  int resp = RESP_FULL;
  if ((o.sym = symbol_param(rq, rp)) < 0) {
    api_reject(rq, rp);
    return;
  }
  const char *side = mock_param_get(rq, "side");
  const char *type = mock_param_get(rq, "type");
  const char *tif = mock_param_get(rq, "timeInForce");
  const char *cid = mock_param_get(rq, "newClientOrderId");
  const char *rt = mock_param_get(rq, "newOrderRespType");
  static const char *const unsupported[][2] = {
      {"STOP_LOSS", "Stop loss orders are not supported for this symbol."},
      {"STOP_LOSS_LIMIT", "Stop loss limit orders are not supported for this symbol."},
      {"TAKE_PROFIT", "Take profit orders are not supported for this symbol."},
      {"TAKE_PROFIT_LIMIT", "Take profit limit orders are not supported for this symbol."}};
  int r = 0;
  if (!side || !*side) {
    r = missing(rp, "side");
  } else if ((o.side = enum_index(side, side_names, 2)) < 0) {
    mock_reply_error(rp, 400, -1117, "Invalid side.");
    r = -1;
  } else if (!type || !*type) {
    r = missing(rp, "type");
  } else if ((o.type = enum_index(type, type_names, 3)) < 0) {
    mock_reply_error(rp, 400, -1116, "Invalid orderType.");
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
      if (strcmp(type, unsupported[i][0]) == 0) {
        mock_reply_error(rp, 400, -2010, "%s", unsupported[i][1]);
      }
    }
    r = -1;
  } else if (o.type == T_LIMIT && (!tif || !*tif)) {
    r = missing(rp, "timeInForce");
  } else if (o.type != T_LIMIT && tif) {
    r = not_required(rp, "timeInForce");
  } else if (tif && (o.tif = enum_index(tif, tif_names, 3)) < 0) {
    mock_reply_error(rp, 400, -1115, "Invalid timeInForce.");
    r = -1;
  } else if (o.type != T_MARKET) {
    if (mock_param_get(rq, "quoteOrderQty")) {
      r = not_required(rp, "quoteOrderQty");
    } else if (decimal(rq, rp, "quantity", &o.qty) != 0 ||
               decimal(rq, rp, "price", &o.price) != 0) {
      r = -1;
    }
  } else if (mock_param_get(rq, "price")) {
    r = not_required(rp, "price");
  } else if (mock_param_get(rq, "quantity") && mock_param_get(rq, "quoteOrderQty")) {
    r = not_required(rp, "quoteOrderQty");
  } else if (mock_param_get(rq, "quoteOrderQty")) {
    r = decimal(rq, rp, "quoteOrderQty", &o.quote_qty);
  } else if (mock_param_get(rq, "quantity")) {
    r = decimal(rq, rp, "quantity", &o.qty);
  } else {
    mock_reply_error(rp, 400, -1102,
                     "Param 'quantity' or 'quoteOrderQty' must be sent, but both were "
                     "empty/null!");
    r = -1;
  }
  static const char *const unused[] = {"stopPrice",    "trailingDelta",  "icebergQty",
                                       "pegPriceType", "pegOffsetValue", "pegOffsetType"};
  for (size_t i = 0; r == 0 && i < sizeof unused / sizeof unused[0]; i++) {
    if (mock_param_get(rq, unused[i])) {
      r = not_required(rp, unused[i]); /* for the order types the mock has */
    }
  }
  if (r == 0 && cid && !*cid) {
    mock_reply_error(rp, 400, -1118, "New client order ID was empty.");
    r = -1;
  } else if (r == 0 && cid && !valid_cid(cid)) {
    mock_reply_error(rp, 400, -1100,
                     "Illegal characters found in parameter 'newClientOrderId'; legal range is "
                     "'^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    r = -1;
  } else if (r == 0 && rt &&
             (resp = enum_index(rt, (const char *const[]){"ACK", "RESULT", "FULL"}, 3)) < 0) {
    mock_reply_error(rp, 400, -1130, "Data sent for parameter 'newOrderRespType' is not valid.");
    r = -1;
  }
  if (r != 0) {
    api_reject(rq, rp);
    return;
  }
  mock_amt last = last_price(o.sym);
  if (o.type == T_MARKET && o.quote_qty > 0) {
    /* quoteOrderQty: the quantity whose notional is closest below it, on the LOT_SIZE grid. */
    mock_amt q = mock_amt_div(o.quote_qty, last);
    if (mopt.step_size > 0) {
      q = q < mopt.min_qty ? q
                           : mopt.min_qty + (q - mopt.min_qty) / mopt.step_size * mopt.step_size;
    }
    o.qty = q;
  }
  /* The filters, in exchangeInfo's order. */
  const char *failed = NULL;
  if (o.type != T_MARKET && ((mopt.min_price > 0 && o.price < mopt.min_price) ||
                             (mopt.max_price > 0 && o.price > mopt.max_price) ||
                             (mopt.tick_size > 0 && o.price % mopt.tick_size != 0))) {
    failed = "PRICE_FILTER";
  } else if (o.qty < mopt.min_qty || o.qty <= 0 || (mopt.max_qty > 0 && o.qty > mopt.max_qty) ||
             (mopt.step_size > 0 && (o.qty - mopt.min_qty) % mopt.step_size != 0)) {
    failed = "LOT_SIZE";
  } else {
    mock_amt notional = mock_amt_mul(o.qty, o.type == T_MARKET ? last : o.price);
    if ((o.type != T_MARKET || mopt.apply_min_to_market) && notional < mopt.min_notional) {
      failed = "NOTIONAL";
    } else if (o.type != T_MARKET && mopt.max_notional > 0 && notional > mopt.max_notional) {
      failed = "NOTIONAL";
    }
  }
  if (failed) {
    mock_reply_error(rp, 400, -1013, "Filter failure: %s", failed);
    api_reject(rq, rp);
    return;
  }
  /* From here on the matching engine decides. */
  if (cid) {
    snprintf(o.cid, sizeof o.cid, "%s", cid);
  } else {
    gen_cid(o.cid);
  }
  const symbol_info *s = &syms[o.sym];
  int marketable = o.type == T_MARKET || (o.side == BUY ? o.price >= last : o.price <= last);
  int unknown_outcome = rq->reject_code == -1006 || rq->reject_code == -1007;
  if (rq->reject_code && !unknown_outcome) {
    engine_reject(&o, rp, rq->reject_status, rq->reject_code, rq->reject_msg, "NONE");
    return;
  }
  for (int i = 0; i < norders; i++) {
    if (orders[i].sym == o.sym && is_open(&orders[i]) && strcmp(orders[i].cid, o.cid) == 0) {
      engine_reject(&o, rp, 400, -2010, "Duplicate order sent.", "NONE");
      return;
    }
  }
  if (o.type == T_LIMIT_MAKER && marketable) {
    engine_reject(&o, rp, 400, -2010, "Order would immediately match and take.",
                  "WOULD_MATCH_IMMEDIATELY");
    return;
  }
  asset *hold = get_asset(o.side == BUY ? s->quote : s->base);
  mock_amt need = o.side == SELL ? o.qty : mock_amt_mul(o.qty, o.type == T_MARKET ? last : o.price);
  if (hold->free < need) {
    engine_reject(&o, rp, 400, -2010, "Account has insufficient balance for requested action.",
                  "INSUFFICIENT_BALANCES");
    return;
  }
  /* Accepted. */
  symbol_info *sm = &syms[o.sym];
  o.id = ++sm->next_order_id;
  o.status = S_NEW;
  o.time = o.update_time = o.working_time = mock_server_ms();
  o.first_step = mock_last_step() + 1;
  if (o.type == T_MARKET) {
    o.tif = GTC; /* Binance reports GTC for market orders */
  }
  hold->free -= need;
  hold->locked += need;
  o.locked = need;
  touch(hold);
  order *grown = realloc(orders, (size_t)(norders + 1) * sizeof *grown);
  if (!grown) {
    abort();
  }
  orders = grown;
  orders[norders] = o;
  order *op = &orders[norders++];
  mock_ledger("accepted",
              json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:I}", "symbol", sm->name, "orderId",
                        (json_int_t)op->id, "clientOrderId", op->cid, "side", side_names[op->side],
                        "type", type_names[op->type], "timeInForce", tif_names[op->tif], "quantity",
                        amt(op->qty), "price", amt(op->price), "quoteOrderQty", amt(op->quote_qty),
                        "step", (json_int_t)mock_last_step()));
  execution_report(op, "NEW", NULL, NULL);
  int first_trade = ntrades;
  if (marketable) {
    mock_amt want = op->qty;
    mock_amt avail = liquidity(want);
    if (op->tif == FOK && avail < want) {
      expire(op, "UNFILLED_FOK_ORDER_EXPIRED");
    } else {
      fill_in_parts(op, avail, last, 0, 0, mock_last_step());
      if (is_open(op) && op->type == T_MARKET) {
        expire(op, "INSUFFICIENT_LIQUIDITY");
      } else if (is_open(op) && op->tif == IOC) {
        expire(op, "UNFILLED_IOC_QUANTITY_EXPIRED");
      }
    }
  } else if (op->tif == IOC) {
    expire(op, "UNFILLED_IOC_QUANTITY_EXPIRED");
  } else if (op->tif == FOK) {
    expire(op, "UNFILLED_FOK_ORDER_EXPIRED");
  }
  account_position();
  rp->result = place_json(op, resp, first_trade, op->time);
  if (unknown_outcome) {
    /* -1006/-1007: the order went through, but the client is told the outcome is unknown. */
    rp->placed = 1;
    mock_ledger("fault", json_pack("{s:s,s:s,s:i}", "fault", "unknown_outcome", "clientOrderId",
                                   op->cid, "code", rq->reject_code));
    mock_reply_error(rp, rq->reject_status, rq->reject_code, "%s", rq->reject_msg);
  }
}

void mock_order_cancel(const mock_req *rq, mock_reply *rp) {
  int sym = symbol_param(rq, rp);
  if (sym < 0) {
    return;
  }
  const char *restr = mock_param_get(rq, "cancelRestrictions");
  if (restr && strcmp(restr, "ONLY_NEW") != 0 && strcmp(restr, "ONLY_PARTIALLY_FILLED") != 0) {
    mock_reply_error(rp, 400, -1145, "Invalid cancelRestrictions");
    return;
  }
  const char *ncid = mock_param_get(rq, "newClientOrderId");
  if (ncid && !valid_cid(ncid)) {
    mock_reply_error(rp, 400, -1100,
                     "Illegal characters found in parameter 'newClientOrderId'; legal range is "
                     "'^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    return;
  }
  order *o = find_order(rq, rp, sym, -2011, "Unknown order sent.");
  if (o && !is_open(o)) {
    mock_reply_error(rp, 400, -2011, "Unknown order sent.");
    o = NULL;
  }
  if (!o) {
    if (rp->code == -2011) {
      mock_ledger("cancel_rejected",
                  json_pack("{s:s,s:s?,s:s?,s:i,s:s}", "symbol", syms[sym].name,
                            "origClientOrderId", mock_param_get(rq, "origClientOrderId"), "orderId",
                            mock_param_get(rq, "orderId"), "code", rp->code, "msg", rp->msg));
    }
    return;
  }
  if (restr && (strcmp(restr, "ONLY_NEW") == 0 ? o->status != S_NEW : o->status != S_PARTIAL)) {
    mock_reply_error(rp, 400, -2011, "Order was not canceled due to cancel restrictions.");
    return;
  }
  if (ncid) {
    snprintf(o->cancel_cid, sizeof o->cancel_cid, "%s", ncid);
  } else {
    gen_cid(o->cancel_cid);
  }
  o->status = S_CANCELED;
  o->update_time = mock_server_ms();
  unlock_rest(o);
  mock_ledger("canceled", json_pack("{s:s,s:I,s:s,s:s,s:o,s:o}", "symbol", syms[sym].name,
                                    "orderId", (json_int_t)o->id, "clientOrderId", o->cid,
                                    "cancelClientOrderId", o->cancel_cid, "executedQty",
                                    amt(o->executed), "balances", balances_json()));
  execution_report(o, "CANCELED", NULL, NULL);
  account_position();
  json_t *j = json_object();
  json_object_set_new(j, "symbol", json_string(syms[sym].name));
  json_object_set_new(j, "origClientOrderId", json_string(o->cid));
  json_object_set_new(j, "orderId", json_integer(o->id));
  json_object_set_new(j, "orderListId", json_integer(-1));
  json_object_set_new(j, "clientOrderId", json_string(o->cancel_cid));
  json_object_set_new(j, "transactTime", json_integer(o->update_time));
  json_object_set_new(j, "price", amt(o->price));
  json_object_set_new(j, "origQty", amt(o->qty));
  json_object_set_new(j, "executedQty", amt(o->executed));
  json_object_set_new(j, "origQuoteOrderQty", amt(o->quote_qty));
  json_object_set_new(j, "cummulativeQuoteQty", amt(o->cum_quote));
  json_object_set_new(j, "status", json_string("CANCELED"));
  json_object_set_new(j, "timeInForce", json_string(tif_names[o->tif]));
  json_object_set_new(j, "type", json_string(type_names[o->type]));
  json_object_set_new(j, "side", json_string(side_names[o->side]));
  json_object_set_new(j, "selfTradePreventionMode", json_string("NONE"));
  rp->result = j;
}

void mock_order_query(const mock_req *rq, mock_reply *rp) {
  int sym = symbol_param(rq, rp);
  if (sym < 0) {
    return;
  }
  order *o = find_order(rq, rp, sym, -2013, "Order does not exist.");
  if (o) {
    rp->result = order_json(o);
  }
}

void mock_ticker_price(const mock_req *rq, mock_reply *rp) {
  int sym = -1;
  if (mock_param_get(rq, "symbol") && (sym = symbol_param(rq, rp)) < 0) {
    return;
  }
  json_t *a = json_array();
  for (int i = 0; i < nsyms; i++) {
    if (sym < 0 || i == sym) {
      json_array_append_new(
          a, json_pack("{s:s,s:o}", "symbol", syms[i].name, "price", amt(last_price(i))));
    }
  }
  if (sym >= 0) {
    rp->result = json_incref(json_array_get(a, 0));
    json_decref(a);
  } else {
    rp->result = a;
  }
}

void mock_open_orders(const mock_req *rq, mock_reply *rp) {
  int sym = -1;
  if (mock_param_get(rq, "symbol") && (sym = symbol_param(rq, rp)) < 0) {
    return;
  }
  json_t *a = json_array();
  for (int i = 0; i < norders; i++) {
    if (is_open(&orders[i]) && (sym < 0 || orders[i].sym == sym)) {
      json_array_append_new(a, order_json(&orders[i]));
    }
  }
  rp->result = a;
}

void mock_account(const mock_req *rq, mock_reply *rp) {
  const char *omit = mock_param_get(rq, "omitZeroBalances");
  int skip_zero = omit && strcmp(omit, "true") == 0;
  json_t *b = json_array();
  for (int i = 0; i < nassets; i++) {
    if (skip_zero && assets[i].free == 0 && assets[i].locked == 0) {
      continue;
    }
    json_array_append_new(b, json_pack("{s:s,s:o,s:o}", "asset", assets[i].name, "free",
                                       amt(assets[i].free), "locked", amt(assets[i].locked)));
  }
  json_t *j = json_object();
  json_object_set_new(j, "makerCommission", json_integer(mopt.maker_rate / 10000));
  json_object_set_new(j, "takerCommission", json_integer(mopt.taker_rate / 10000));
  json_object_set_new(j, "buyerCommission", json_integer(0));
  json_object_set_new(j, "sellerCommission", json_integer(0));
  json_object_set_new(j, "commissionRates",
                      json_pack("{s:o,s:o,s:o,s:o}", "maker", amt(mopt.maker_rate), "taker",
                                amt(mopt.taker_rate), "buyer", amt(0), "seller", amt(0)));
  json_object_set_new(j, "canTrade", json_true());
  json_object_set_new(j, "canWithdraw", json_true());
  json_object_set_new(j, "canDeposit", json_true());
  json_object_set_new(j, "brokered", json_false());
  json_object_set_new(j, "requireSelfTradePrevention", json_false());
  json_object_set_new(j, "preventSor", json_false());
  json_object_set_new(j, "updateTime", json_integer(account_update));
  json_object_set_new(j, "accountType", json_string("SPOT"));
  json_object_set_new(j, "balances", b);
  json_object_set_new(j, "permissions", json_pack("[s]", "SPOT"));
  json_object_set_new(j, "uid", json_integer(1));
  rp->result = j;
}

void mock_my_trades(const mock_req *rq, mock_reply *rp) {
  int sym = symbol_param(rq, rp);
  if (sym < 0) {
    return;
  }
  const char *v;
  int64_t order_id = -1, from_id = -1, start = -1, end = -1, limit = 500;
  if ((v = mock_param_get(rq, "orderId"))) {
    order_id = strtoll(v, NULL, 10);
  }
  if ((v = mock_param_get(rq, "fromId"))) {
    from_id = strtoll(v, NULL, 10);
  }
  if ((v = mock_param_get(rq, "startTime"))) {
    start = strtoll(v, NULL, 10);
  }
  if ((v = mock_param_get(rq, "endTime"))) {
    end = strtoll(v, NULL, 10);
  }
  if ((v = mock_param_get(rq, "limit"))) {
    limit = strtoll(v, NULL, 10);
    if (limit < 1 || limit > 1000) {
      mock_reply_error(rp, 400, -1102,
                       "'limit' contains unexpected value. Cannot be greater than 1000.");
      return;
    }
  }
  if (start >= 0 && end >= 0 && end - start > 86400000) {
    mock_reply_error(rp, 400, -1127, "More than 24 hours between startTime and endTime.");
    return;
  }
  /* Matching trades in id order; without fromId or startTime the newest `limit` of them. */
  int *idx = malloc(sizeof *idx * (size_t)(ntrades + 1));
  int n = 0;
  for (int i = 0; idx && i < ntrades; i++) {
    const trade *t = &trades[i];
    if (t->sym != sym || (order_id >= 0 && t->order_id != order_id) ||
        (from_id >= 0 && t->id < from_id) || (start >= 0 && t->time < start) ||
        (end >= 0 && t->time > end)) {
      continue;
    }
    idx[n++] = i;
  }
  int first = 0;
  if (from_id < 0 && start < 0 && n > limit) {
    first = n - (int)limit;
  }
  json_t *a = json_array();
  for (int k = first; k < n && k - first < limit; k++) {
    const trade *t = &trades[idx[k]];
    json_t *j = json_object();
    json_object_set_new(j, "symbol", json_string(syms[t->sym].name));
    json_object_set_new(j, "id", json_integer(t->id));
    json_object_set_new(j, "orderId", json_integer(t->order_id));
    json_object_set_new(j, "orderListId", json_integer(-1));
    json_object_set_new(j, "price", amt(t->price));
    json_object_set_new(j, "qty", amt(t->qty));
    json_object_set_new(j, "quoteQty", amt(t->quote_qty));
    json_object_set_new(j, "commission", amt(t->commission));
    json_object_set_new(j, "commissionAsset", json_string(t->commission_asset));
    json_object_set_new(j, "time", json_integer(t->time));
    json_object_set_new(j, "isBuyer", json_boolean(t->buyer));
    json_object_set_new(j, "isMaker", json_boolean(t->maker));
    json_object_set_new(j, "isBestMatch", json_true());
    json_array_append_new(a, j);
  }
  free(idx);
  rp->result = a;
}
