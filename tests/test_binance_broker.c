/*
 * The Binance broker (src/brokers/binance.c) against the mock exchange, one fault at a time:
 * the broker is opened through the registry as a session opens it, with a sink that records
 * what the engine would; orders are placed and the broker polled until the exchange's answers
 * are in. The mock's ledger is the truth each test compares with: no order is sent twice, every
 * fill is recorded once with its trade id and commission, refusals carry the exchange's code.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "brokers/binance.h"
#include "brokers/registry.h"
#include "config/settings.h"
#include "test.h"
#include "testutil.h"
#include "util/timeu.h"

/* ---- a sink that records what the engine would ------------------------------------------ */

typedef struct rec_order {
  char id[ARGO_ID_MAX];
  argo_order_status status;
  char reason[400];
  double qty, price, filled;
} rec_order;

typedef struct rec_fill {
  char id[ARGO_ID_MAX];
  double qty, price, commission, pnl;
  char asset[24], trade_id[32];
} rec_fill;

static rec_order orders[256];
static int norders;
static rec_fill fills[2048];
static int nfills;
static char errors[64][512];
static int nerrors, nfatal, wakes;

static rec_order *rec_of(const char *id) {
  for (int i = 0; i < norders; i++) {
    if (strcmp(orders[i].id, id) == 0) {
      return &orders[i];
    }
  }
  CHECK(norders < 256);
  rec_order *r = &orders[norders++];
  memset(r, 0, sizeof *r);
  snprintf(r->id, sizeof r->id, "%s", id);
  return r;
}

static void on_order(void *u, size_t sym, const argo_order *o, int is_new, const char *client_id) {
  (void)client_id;
  (void)u;
  (void)sym;
  (void)is_new;
  rec_order *r = rec_of(o->order_id);
  r->status = o->status;
  snprintf(r->reason, sizeof r->reason, "%s", o->reason ? o->reason : "");
  r->qty = o->quantity;
  r->price = o->price;
  r->filled = o->filled_qty;
}

static void on_fill(void *u, size_t sym, const argo_order *o, const argo_fill *f,
                    const argo__fill_extra *x) {
  on_order(u, sym, o, 0, x ? x->client_id : NULL);
  CHECK(nfills < 2048);
  rec_fill *r = &fills[nfills++];
  snprintf(r->id, sizeof r->id, "%s", f->order_id);
  r->qty = f->executed_qty;
  r->price = f->executed_price;
  r->commission = f->commission;
  r->pnl = f->pnl;
  snprintf(r->asset, sizeof r->asset, "%s", x && x->commission_asset ? x->commission_asset : "");
  snprintf(r->trade_id, sizeof r->trade_id, "%s", x && x->trade_id ? x->trade_id : "");
}

static int on_durable(void *u) {
  (void)u;
  return 0;
}

static void on_wake(void *u) {
  (void)u;
  __atomic_add_fetch(&wakes, 1, __ATOMIC_RELAXED);
}

static void on_error(void *u, argo_err code, const char *msg, int fatal) {
  (void)u;
  (void)code;
  if (nerrors < 64) {
    snprintf(errors[nerrors], sizeof errors[0], "%s", msg);
  }
  nerrors++;
  nfatal += fatal;
}

static const char *SYMS[] = {"BTCUSDT", "ETHUSDT"};

/* ---- the broker against a mock ------------------------------------------------------------ */

typedef struct fixture {
  tu_mock m;
  char ledger[4200];
  argo_config *cfg;
  argo__broker *b;
  char err[ARGO_ERRMSG_MAX];
  argo_err rc;
} fixture;

/* Starts a mock with flags (NULL-terminated, after the fast clock and the ledger) and opens
 * the broker on it with the config settings set (pairs, NULL-terminated). */
static void open_on_mock(fixture *f, const char *const *flags, const char *const *sets) {
  memset(orders, 0, sizeof orders);
  norders = nfills = nerrors = nfatal = 0;
  const char *dir = tu_tmpdir("bnbroker");
  snprintf(f->ledger, sizeof f->ledger, "%s/ledger.jsonl", dir);
  const char *all[64];
  size_t n = 0;
  const char *base[] = {"--interval", "1s",      "--tick-ms", "50",
                        "--ledger",   f->ledger, "--balance", "USDT=10000,BTC=1,ETH=10",
                        NULL};
  for (size_t i = 0; base[i]; i++) {
    all[n++] = base[i];
  }
  for (size_t i = 0; flags && flags[i]; i++) {
    all[n++] = flags[i];
  }
  all[n] = NULL;
  tu_mock_startv(&f->m, all);
  usleep(150000); /* a few candles, so that the mock has a market price */
  setenv("ARGO_BINANCE_API_KEY", f->m.api_key, 1);
  setenv("ARGO_BINANCE_API_SECRET", f->m.api_secret, 1);
  unsetenv("ARGO_BINANCE_PRIVATE_KEY");
  unsetenv("ARGO_BINANCE_PRIVATE_KEY_FILE");
  char ws[128];
  snprintf(ws, sizeof ws, "ws://127.0.0.1:%d/ws-api/v3", f->m.port);
  CHECK(argo_config_new(&f->cfg) == ARGO_OK);
  CHECK(argo_config_set(f->cfg, "market_data.symbols", "BTCUSDT,ETHUSDT") == ARGO_OK);
  CHECK(argo_config_set(f->cfg, "trading.broker", "binance") == ARGO_OK);
  CHECK(argo_config_set(f->cfg, "trading.binance.rest_url", f->m.rest) == ARGO_OK);
  CHECK(argo_config_set(f->cfg, "trading.binance.ws_api_url", ws) == ARGO_OK);
  for (size_t i = 0; sets && sets[i]; i += 2) {
    CHECK_MSG(argo_config_set(f->cfg, sets[i], sets[i + 1]) == ARGO_OK, "%s", sets[i]);
  }
  const argo__broker_entry *e = argo__broker_find("binance", f->err, sizeof f->err);
  CHECK(e != NULL);
  argo__broker_args a = {.settings = argo__config_settings(f->cfg),
                         .symbols = SYMS,
                         .nsymbols = 2,
                         .id_prefix = "t0000001",
                         .strategy_name = "test",
                         .sink = {.order = on_order,
                                  .fill = on_fill,
                                  .durable = on_durable,
                                  .wake = on_wake,
                                  .error = on_error}};
  f->rc = e->open(&f->b, &a, f->err, sizeof f->err);
}

static void close_fixture(fixture *f) {
  argo__broker_free(f->b);
  argo_config_free(f->cfg);
  tu_mock_stop(&f->m);
}

/* Polls the broker until every order recorded is final (or has filled qty), up to ms. */
static int settle(fixture *f, int ms) {
  int64_t end = tu_wall_ms() + ms;
  while (tu_wall_ms() < end) {
    argo__broker_poll(f->b, 0);
    int open = 0;
    for (int i = 0; i < norders; i++) {
      open += orders[i].status == ARGO_ORDER_PENDING;
    }
    if (!open) {
      return 1;
    }
    usleep(5000);
  }
  return 0;
}

static int place(fixture *f, const char *sym, argo_side side, argo_order_type type, double qty,
                 double px, char *id) {
  argo_order_request r = {.symbol = sym,
                          .side = side,
                          .type = type,
                          .position_type = ARGO_POSITION_LONG,
                          .quantity = qty,
                          .limit_price = px};
  char err[512] = "";
  int rc = argo__broker_place(f->b, &r, 1000, id, err, sizeof err);
  argo__broker_poll(f->b, 0); /* sends it */
  return rc;
}

static const char *cid_of(const char *id) {
  static char buf[64];
  snprintf(buf, sizeof buf, "argo-%s", id);
  return buf;
}

/* How many times the mock received client order id cid. */
static int received(const fixture *f, const char *cid) {
  json_t *a = tu_mock_ledger(f->ledger, "received", cid);
  int n = (int)json_array_size(a);
  json_decref(a);
  return n;
}

/* The broker's fills of order id equal the mock's: same trade ids, quantities, prices,
 * commissions and assets. */
static void check_fills_match(const fixture *f, const char *id) {
  json_t *a = tu_mock_ledger(f->ledger, "fill", cid_of(id));
  int k = 0;
  for (int i = 0; i < nfills; i++) {
    if (strcmp(fills[i].id, id) != 0) {
      continue;
    }
    json_t *x = json_array_get(a, (size_t)k++);
    CHECK_MSG(x != NULL, "the broker has more fills of %s than the mock", id);
    char tid[32];
    snprintf(tid, sizeof tid, "%lld", (long long)json_integer_value(json_object_get(x, "tradeId")));
    CHECK_STR(tid, fills[i].trade_id);
    CHECK_NEAR(strtod(json_string_value(json_object_get(x, "qty")), NULL), fills[i].qty, 1e-12);
    CHECK_NEAR(strtod(json_string_value(json_object_get(x, "price")), NULL), fills[i].price, 1e-9);
    CHECK_STR(json_string_value(json_object_get(x, "commissionAsset")), fills[i].asset);
  }
  CHECK_EQ_INT((int)json_array_size(a), k);
  json_decref(a);
}

/* ---- the tests ------------------------------------------------------------------------- */

TEST(binance_broker_a_market_order_fills_and_equals_the_ledger) {
  fixture f;
  const char *flags[] = {"--max-fill-qty", "0.004", NULL};
  open_on_mock(&f, flags, NULL);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  char id[ARGO_ID_MAX];
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, id));
  CHECK_MSG(settle(&f, 5000), "the order did not fill");
  rec_order *r = rec_of(id);
  CHECK_EQ_INT(ARGO_ORDER_FILLED, r->status);
  CHECK_EQ_INT(3, nfills); /* 0.004 + 0.004 + 0.002 */
  check_fills_match(&f, id);
  CHECK_EQ_INT(1, received(&f, cid_of(id)));
  /* The commission of a buy is paid in the base asset: converted at the fill's price. */
  CHECK_STR("BTC", fills[0].asset);
  CHECK_NEAR(0.004 * 0.001 * fills[0].price, fills[0].commission, 1e-9);
  /* The position is the exchange's balance: 1 BTC held before, plus what was bought less the
   * fee taken in BTC. */
  argo_position p;
  int64_t end = tu_wall_ms() + 2000;
  do {
    argo__broker_poll(f.b, 0);
    CHECK_EQ_INT(ARGO_S_OK, argo__broker_position(f.b, "BTCUSDT", &p));
    usleep(5000);
  } while (fabs(p.long_qty - (1 + 0.01 - 0.00001)) > 1e-9 && tu_wall_ms() < end);
  CHECK_NEAR(1 + 0.01 - 0.00001, p.long_qty, 1e-9);
  CHECK_EQ_INT(0, nfatal);
  close_fixture(&f);
}

TEST(binance_broker_filters_and_spot_rules_refuse_before_sending) {
  fixture f;
  const char *flags[] = {"--min-qty", "0.001", "--step-size", "0.001", NULL};
  open_on_mock(&f, flags, NULL);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  char id[ARGO_ID_MAX];
  CHECK_EQ_INT(ARGO_S_REJECTED,
               place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.0004, 0, id));
  CHECK_CONTAINS(rec_of(id)->reason, "LOT_SIZE");
  CHECK_EQ_INT(0, received(&f, cid_of(id)));
  /* A quantity off the grid is rounded down to it, and a limit buy's price down to the tick. */
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, 5.0019, 1.005, id));
  CHECK_NEAR(5.001, rec_of(id)->qty, 1e-12);
  CHECK_NEAR(1.0, rec_of(id)->price, 1e-12);
  /* SHORT is refused on spot. */
  argo_order_request s = {.symbol = "BTCUSDT",
                          .side = ARGO_SIDE_SELL,
                          .type = ARGO_ORDER_MARKET,
                          .position_type = ARGO_POSITION_SHORT,
                          .quantity = 0.01};
  char err[512];
  CHECK_EQ_INT(ARGO_S_REJECTED, argo__broker_place(f.b, &s, 1000, id, err, sizeof err));
  CHECK_CONTAINS(err, "no short positions");
  /* Selling more than the account holds. */
  CHECK_EQ_INT(ARGO_S_REJECTED, place(&f, "ETHUSDT", ARGO_SIDE_SELL, ARGO_ORDER_MARKET, 11, 0, id));
  CHECK_CONTAINS(rec_of(id)->reason, "insufficient balance: selling 11 ETH, 10 is free");
  close_fixture(&f);
}

/* One market buy through a fault whose outcome argo cannot see (flags and sets as for
 * open_on_mock): the order is looked up, not sent again, and fills. Leaves the fixture open
 * with the order's id in id. */
static void one_order_looked_up(fixture *f, const char *const *flags, const char *const *sets,
                                char *id) {
  open_on_mock(f, flags, sets);
  CHECK_MSG(f->rc == ARGO_OK, "%s", f->err);
  CHECK_EQ_INT(ARGO_S_OK, place(f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, id));
  CHECK_MSG(settle(f, 8000), "the order's outcome stayed unknown");
  CHECK_EQ_INT(ARGO_ORDER_FILLED, rec_of(id)->status);
  CHECK_EQ_INT(1, received(f, cid_of(id)));
}

TEST(binance_broker_a_lost_answer_is_looked_up_and_the_order_never_sent_twice) {
  fixture f;
  const char *flags[] = {"--lose-orders", "1", NULL};
  char id[ARGO_ID_MAX];
  one_order_looked_up(&f, flags, NULL, id);
  check_fills_match(&f, id);
  close_fixture(&f);
}

TEST(binance_broker_a_late_answer_past_the_timeout_is_looked_up_not_resent) {
  fixture f;
  const char *flags[] = {"--order-delay-ms", "1500", "--delay-orders", "1", NULL};
  const char *sets[] = {"trading.binance.timeout", "300ms", NULL};
  char id[ARGO_ID_MAX];
  one_order_looked_up(&f, flags, sets, id);
  close_fixture(&f);
}

TEST(binance_broker_an_unknown_outcome_error_is_looked_up) {
  fixture f;
  const char *flags[] = {"--reject-orders", "1", "--reject-code", "-1007", NULL};
  char id[ARGO_ID_MAX];
  one_order_looked_up(&f, flags, NULL, id);
  close_fixture(&f);
}

TEST(binance_broker_an_order_whose_answer_is_lost_does_not_hold_the_next_one) {
  /* The first order's request gets no answer: its outcome is learnt only once its recvWindow
   * has passed (the exchange never had it). The second order goes out meanwhile and fills
   * while the first is still being looked up. */
  fixture f;
  const char *flags[] = {"--ignore-orders", "1", NULL};
  const char *sets[] = {"trading.binance.timeout", "500ms", NULL};
  open_on_mock(&f, flags, sets);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  char first[ARGO_ID_MAX], second[ARGO_ID_MAX];
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, first));
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, second));
  int64_t end = tu_wall_ms() + 20000;
  while (rec_of(second)->status == ARGO_ORDER_PENDING && tu_wall_ms() < end) {
    argo__broker_poll(f.b, 0);
    usleep(5000);
  }
  CHECK_EQ_INT(ARGO_ORDER_FILLED, rec_of(second)->status);
  CHECK_EQ_INT(ARGO_ORDER_PENDING, rec_of(first)->status);
  CHECK_MSG(settle(&f, 20000), "the first order's outcome stayed unknown");
  CHECK_EQ_INT(ARGO_ORDER_REJECTED, rec_of(first)->status);
  CHECK_CONTAINS(rec_of(first)->reason, "not placed: the answer to the order was lost");
  CHECK_EQ_INT(1, received(&f, cid_of(first)));
  CHECK_EQ_INT(1, received(&f, cid_of(second)));
  check_fills_match(&f, second);
  close_fixture(&f);
}

TEST(binance_broker_a_refusal_carries_the_exchanges_code) {
  fixture f;
  const char *flags[] = {"--reject-orders", "1", "--reject-code", "-2010", NULL};
  open_on_mock(&f, flags, NULL);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  char id[ARGO_ID_MAX];
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, id));
  CHECK(settle(&f, 5000));
  CHECK_EQ_INT(ARGO_ORDER_REJECTED, rec_of(id)->status);
  CHECK_CONTAINS(rec_of(id)->reason, "binance -2010: ");
  close_fixture(&f);
}

TEST(binance_broker_a_bad_timestamp_resyncs_the_clock_and_retries_once) {
  fixture f;
  const char *flags[] = {"--bad-timestamp-orders", "1", NULL};
  open_on_mock(&f, flags, NULL);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  char id[ARGO_ID_MAX];
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, id));
  CHECK(settle(&f, 5000));
  CHECK_EQ_INT(ARGO_ORDER_FILLED, rec_of(id)->status);
  /* Refused with -1021 (nothing placed), then placed: the mock placed it once. */
  json_t *acc = tu_mock_ledger(f.ledger, "accepted", cid_of(id));
  CHECK_EQ_INT(1, (int)json_array_size(acc));
  json_decref(acc);
  close_fixture(&f);
}

TEST(binance_broker_a_clock_far_off_is_measured_at_start) {
  fixture f;
  const char *flags[] = {"--clock-offset-ms", "-120000", NULL};
  open_on_mock(&f, flags, NULL);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  char id[ARGO_ID_MAX];
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, id));
  CHECK(settle(&f, 5000));
  CHECK_EQ_INT(ARGO_ORDER_FILLED, rec_of(id)->status);
  close_fixture(&f);
}

TEST(binance_broker_429_refuses_and_pauses_orders_418_stops_trading) {
  fixture f;
  const char *flags[] = {"--throttle-orders", "1", "--retry-after", "1", NULL};
  open_on_mock(&f, flags, NULL);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  char id[ARGO_ID_MAX], id2[ARGO_ID_MAX];
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, id));
  CHECK(settle(&f, 5000));
  CHECK_EQ_INT(ARGO_ORDER_REJECTED, rec_of(id)->status);
  CHECK_CONTAINS(rec_of(id)->reason, "HTTP 429");
  /* Within Retry-After nothing is sent. */
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, id2));
  CHECK(settle(&f, 5000));
  CHECK_EQ_INT(ARGO_ORDER_REJECTED, rec_of(id2)->status);
  CHECK_EQ_INT(0, received(&f, cid_of(id2)));
  usleep(1100000);
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, id2));
  CHECK(settle(&f, 5000));
  CHECK_EQ_INT(ARGO_ORDER_FILLED, rec_of(id2)->status);
  close_fixture(&f);

  const char *ban[] = {
      "--throttle-orders", "1", "--throttle-status", "418", "--retry-after", "60", NULL};
  open_on_mock(&f, ban, NULL);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, id));
  CHECK(settle(&f, 5000));
  CHECK_CONTAINS(rec_of(id)->reason, "HTTP 418");
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.01, 0, id2));
  CHECK(settle(&f, 5000));
  CHECK_CONTAINS(rec_of(id2)->reason, "trading stopped");
  CHECK_EQ_INT(0, received(&f, cid_of(id2)));
  CHECK(nerrors >= 1 && strstr(errors[0], "banned"));
  close_fixture(&f);
}

TEST(binance_broker_orders_wait_for_the_exchanges_order_limit_instead_of_breaking_it) {
  /* 2 orders in 10 s: 5 orders at once cannot all go within two windows, so at least one waits
   * for the next window; none is refused by the exchange (-1015) and each is sent once. */
  fixture f;
  const char *flags[] = {"--order-limit-10s", "2", NULL};
  open_on_mock(&f, flags, NULL);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  char ids[5][ARGO_ID_MAX];
  for (int i = 0; i < 5; i++) {
    CHECK_EQ_INT(ARGO_S_OK,
                 place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, 0.001, 0, ids[i]));
  }
  CHECK_MSG(settle(&f, 40000), "the orders did not all end");
  for (int i = 0; i < 5; i++) {
    CHECK_MSG(rec_of(ids[i])->status == ARGO_ORDER_FILLED, "order %d: %s", i,
              rec_of(ids[i])->reason);
    CHECK_EQ_INT(1, received(&f, cid_of(ids[i])));
  }
  int waited = 0;
  for (int i = 0; i < nerrors && i < 64; i++) {
    waited += strstr(errors[i], "the exchange's limit of 2 orders in 10 s is reached") != NULL;
  }
  CHECK_MSG(waited >= 1, "no order waited (%d errors)", nerrors);
  CHECK_EQ_INT(0, nfatal);
  close_fixture(&f);
}

TEST(binance_broker_a_resting_limit_order_is_cancelled_at_the_exchange) {
  fixture f;
  open_on_mock(&f, NULL, NULL);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  char id[ARGO_ID_MAX], err[256];
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_LIMIT, 10, 1, id));
  /* Wait until the exchange has it, then cancel. */
  for (int i = 0; i < 400 && received(&f, cid_of(id)) == 0; i++) {
    argo__broker_poll(f.b, 0);
    usleep(5000);
  }
  CHECK_EQ_INT(ARGO_S_OK, argo__broker_cancel(f.b, id, err, sizeof err));
  CHECK(settle(&f, 5000));
  CHECK_EQ_INT(ARGO_ORDER_CANCELLED, rec_of(id)->status);
  CHECK_STR("cancelled by the strategy", rec_of(id)->reason);
  json_t *c = tu_mock_ledger(f.ledger, "canceled", cid_of(id));
  CHECK_EQ_INT(1, (int)json_array_size(c));
  json_decref(c);
  close_fixture(&f);
}

/* A market buy of qty filling in parts of at most part, the user data stream dropped after two
 * events: its fills are asked for when the stream is back, and all are recorded once. */
static void fills_after_a_stream_drop(const char *part, double qty, int want_fills) {
  fixture f;
  const char *flags[] = {"--drop-stream-after", "2", "--max-fill-qty", part, NULL};
  open_on_mock(&f, flags, NULL);
  CHECK_MSG(f.rc == ARGO_OK, "%s", f.err);
  char id[ARGO_ID_MAX];
  CHECK_EQ_INT(ARGO_S_OK, place(&f, "BTCUSDT", ARGO_SIDE_BUY, ARGO_ORDER_MARKET, qty, 0, id));
  CHECK_MSG(settle(&f, 20000), "the order did not complete");
  CHECK_EQ_INT(ARGO_ORDER_FILLED, rec_of(id)->status);
  CHECK_EQ_INT(want_fills, nfills);
  check_fills_match(&f, id);
  close_fixture(&f);
}

TEST(binance_broker_fills_during_a_dropped_stream_are_recovered) {
  fills_after_a_stream_drop("0.002", 0.01, 5);
}

TEST(binance_broker_an_order_with_more_fills_than_a_page_has_them_all) {
  /* 1,200 fills: looked up in pages of 1,000. */
  fills_after_a_stream_drop("0.00001", 0.012, 1200);
}

TEST(binance_broker_start_refuses_missing_keys_a_wrong_secret_and_live_urls) {
  fixture f;
  /* A wrong secret: the account cannot be read. */
  const char *flags[] = {"--api-secret", "the-right-one", NULL};
  open_on_mock(&f, flags, NULL);
  setenv("ARGO_BINANCE_API_SECRET", "a-wrong-secret", 1);
  argo__broker_free(f.b);
  f.b = NULL;
  argo__broker_args a = {.settings = argo__config_settings(f.cfg),
                         .symbols = SYMS,
                         .nsymbols = 2,
                         .id_prefix = "t0000001",
                         .strategy_name = "test",
                         .sink = {.order = on_order,
                                  .fill = on_fill,
                                  .durable = on_durable,
                                  .wake = on_wake,
                                  .error = on_error}};
  CHECK(argo__broker_binance_open(&f.b, &a, f.err, sizeof f.err) == ARGO_EBROKER);
  CHECK_MSG(strstr(f.err, "-1022") && !strstr(f.err, "a-wrong-secret"), "%s", f.err);
  unsetenv("ARGO_BINANCE_API_SECRET");
  CHECK(argo__broker_binance_open(&f.b, &a, f.err, sizeof f.err) == ARGO_ECONFIG);
  CHECK_CONTAINS(f.err, "ARGO_BINANCE_API_SECRET");
  /* The live exchange needs trading.binance.live, and live needs both live URLs. */
  setenv("ARGO_BINANCE_API_SECRET", "x", 1);
  CHECK(argo_config_set(f.cfg, "trading.binance.rest_url", "https://api.binance.com") == ARGO_OK);
  a.settings = argo__config_settings(f.cfg);
  CHECK(argo__broker_binance_open(&f.b, &a, f.err, sizeof f.err) == ARGO_ECONFIG);
  CHECK_CONTAINS(f.err, "trading.binance.live: true");
  CHECK(argo_config_set(f.cfg, "trading.binance.live", "true") == ARGO_OK);
  a.settings = argo__config_settings(f.cfg);
  CHECK(argo__broker_binance_open(&f.b, &a, f.err, sizeof f.err) == ARGO_ECONFIG);
  CHECK_CONTAINS(f.err, "give both live URLs");
  CHECK(argo__bn_url_is_test("wss://ws-api.testnet.binance.vision/ws-api/v3"));
  CHECK(argo__bn_url_is_test("http://127.0.0.1:8080"));
  CHECK(!argo__bn_url_is_test("https://api.binance.com"));
  CHECK(!argo__bn_url_is_test("https://testnet.binance.vision.evil.example"));
  close_fixture(&f);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(binance_broker_a_market_order_fills_and_equals_the_ledger);
  RUN(binance_broker_filters_and_spot_rules_refuse_before_sending);
  RUN(binance_broker_a_lost_answer_is_looked_up_and_the_order_never_sent_twice);
  RUN(binance_broker_a_late_answer_past_the_timeout_is_looked_up_not_resent);
  RUN(binance_broker_an_unknown_outcome_error_is_looked_up);
  RUN(binance_broker_an_order_whose_answer_is_lost_does_not_hold_the_next_one);
  RUN(binance_broker_a_refusal_carries_the_exchanges_code);
  RUN(binance_broker_a_bad_timestamp_resyncs_the_clock_and_retries_once);
  RUN(binance_broker_a_clock_far_off_is_measured_at_start);
  RUN(binance_broker_429_refuses_and_pauses_orders_418_stops_trading);
  RUN(binance_broker_orders_wait_for_the_exchanges_order_limit_instead_of_breaking_it);
  RUN(binance_broker_a_resting_limit_order_is_cancelled_at_the_exchange);
  RUN(binance_broker_fills_during_a_dropped_stream_are_recovered);
  RUN(binance_broker_an_order_with_more_fills_than_a_page_has_them_all);
  RUN(binance_broker_start_refuses_missing_keys_a_wrong_secret_and_live_urls);
  return test_summary();
}
