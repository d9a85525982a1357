/*
 * Live orders across a crash (issue 17, docs/brokers.md "After a crash"): `argo run` with the
 * Binance broker on the mock exchange is killed (SIGKILL) at a step of an order's life, the
 * exchange goes on meanwhile, and a second session on the same data output asks the exchange
 * what became of the order. Afterwards the record (every run folder together) equals the mock's
 * ledger: each fill once with its trade id, quantity, price and commission, the order's final
 * status, no client order id sent twice. Kill points: before the request (the order lost on its
 * way), after the request left and before its answer (in flight), after the ack with fills
 * still to come (made while down, also across a midnight), and during a day change (the next
 * day's folder being made; its first stats.yaml being put in place).
 */
#define _GNU_SOURCE
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "test.h"
#include "testutil.h"
#include "util/fsx.h"
#include "util/timeu.h"

typedef struct world {
  tu_mock m;
  const char *out;
  char ledger[4200], data[4200];
  char fws[160], frest[160], bws[160], brest[160];
} world;

static void world_start(world *w, const char *name, const char *const *faults) {
  w->out = tu_tmpdir(name);
  snprintf(w->ledger, sizeof w->ledger, "%s/ledger.jsonl", w->out);
  snprintf(w->data, sizeof w->data, "%s/data", w->out);
  static char start[32];
  snprintf(start, sizeof start, "%lld", (long long)tu_mock_start_ms());
  const char *flags[40] = {"--interval", "1s",        "--tick-ms", "100",      "--start-ms",
                           start,        "--symbols", "BTCUSDT",   "--ledger", w->ledger};
  size_t n = 10;
  for (size_t i = 0; faults && faults[i]; i++) {
    flags[n++] = faults[i];
  }
  flags[n] = NULL;
  tu_mock_startv(&w->m, flags);
  setenv("ARGO_BINANCE_API_KEY", w->m.api_key, 1);
  setenv("ARGO_BINANCE_API_SECRET", w->m.api_secret, 1);
  snprintf(w->fws, sizeof w->fws, "market_data.ws_url=%s", w->m.ws);
  snprintf(w->frest, sizeof w->frest, "market_data.rest_url=%s", w->m.rest);
  snprintf(w->bws, sizeof w->bws, "trading.binance.ws_api_url=ws://127.0.0.1:%d/ws-api/v3",
           w->m.port);
  snprintf(w->brest, sizeof w->brest, "trading.binance.rest_url=%s", w->m.rest);
}

/* Starts argo with the limit_once plugin and its config; extra: one more --set (or NULL). */
static pid_t argo_start(world *w, const char *config, const char *extra, const char *tag) {
  static char plugin[4200], ev[4300], errp[4300];
  snprintf(plugin, sizeof plugin, "%s/limit_once.so", ARGO_TEST_PLUGIN_DIR);
  snprintf(ev, sizeof ev, "%s/events-%s.jsonl", w->out, tag);
  snprintf(errp, sizeof errp, "%s/stderr-%s", w->out, tag);
  char *args[] = {ARGO_BIN,
                  "run",
                  "--feed",
                  "binance",
                  "--interval",
                  "1s",
                  "--symbols",
                  "BTCUSDT",
                  "--strategy",
                  plugin,
                  "--strategy-config",
                  (char *)config,
                  "--set",
                  "trading.broker=binance",
                  "--set",
                  w->fws,
                  "--set",
                  w->frest,
                  "--set",
                  w->bws,
                  "--set",
                  w->brest,
                  "--data-output",
                  w->data,
                  "--events",
                  ev,
                  "--quiet",
                  extra ? "--set" : NULL,
                  (char *)extra,
                  NULL};
  return tu_spawn(args, errp);
}

static char *file_of(const world *w, const char *what, const char *tag) {
  char p[4400];
  snprintf(p, sizeof p, "%s/%s-%s%s", w->out, what, tag,
           strcmp(what, "events") == 0 ? ".jsonl" : "");
  return tu_read_file(p);
}

/* Waits until the ledger holds at least n lines of ev for cid (NULL: any), up to ms. */
static int wait_ledger(const world *w, const char *ev, const char *cid, size_t n, int ms) {
  for (int t = 0; t < ms; t += 20) {
    if (access(w->ledger, R_OK) == 0) {
      json_t *a = tu_mock_ledger(w->ledger, ev, cid);
      size_t k = json_array_size(a);
      json_decref(a);
      if (k >= n) {
        return 1;
      }
    }
    usleep(20000);
  }
  return 0;
}

/* The client order id of the first order the mock received. */
static void first_cid(const world *w, char *cid, size_t len) {
  json_t *a = tu_mock_ledger(w->ledger, "received", NULL);
  json_t *x = json_array_get(a, 0);
  CHECK(x != NULL);
  snprintf(cid, len, "%s", json_string_value(json_object_get(x, "clientOrderId")));
  json_decref(a);
}

static void kill_hard(pid_t pid) {
  kill(pid, SIGKILL);
  CHECK_EQ_INT(128 + SIGKILL, tu_reap(pid));
}

/* Runs until the events file of tag has n lines holding needle (or ms pass), then stops argo
 * with SIGINT; its exit status. */
/* The events of the session tag that hold needle. */
static int events_with(const world *w, const char *tag, const char *needle) {
  char *e = file_of(w, "events", tag);
  int k = 0;
  for (const char *p = e; p && (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
    k++;
  }
  free(e);
  return k;
}

static int run_until(const world *w, pid_t pid, const char *tag, const char *needle, int n,
                     int ms) {
  for (int t = 0; t < ms; t += 20) {
    int k = events_with(w, tag, needle);
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      char *err = file_of(w, "stderr", tag);
      TEST_FAIL_("argo ended early (status %d): %s", st, err ? err : "");
    }
    if (k >= n) {
      break;
    }
    usleep(20000);
  }
  kill(pid, SIGINT);
  int rc = tu_reap(pid);
  if (rc != 0) {
    char *err = file_of(w, "stderr", tag);
    TEST_FAIL_("argo exited %d: %s", rc, err ? err : "");
  }
  return rc;
}

/* The record equals the ledger for cid: its fills once each (trade id, quantity, price,
 * commission and its asset; the commission column is in the quote asset, a BTC one converted
 * at the fill's price), no
 * client order id received twice; returns the order's final status in the record. */
static void check_record(const world *w, const char *cid, const char *want_status) {
  json_t *recv = tu_mock_ledger(w->ledger, "received", NULL);
  size_t i;
  json_t *x;
  json_array_foreach(recv, i, x) {
    CHECK_EQ_INT(1, (int)json_integer_value(json_object_get(x, "times")));
  }
  json_decref(recv);
  tu_db db;
  tu_db_open(&db);
  char sql[9000];
  json_t *fills = tu_mock_ledger(w->ledger, "fill", cid);
  const char *oid = cid + 5; /* "argo-" */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet('%s/*/run_*/trades.parquet') WHERE order_id = '%s'",
           w->data, oid);
  CHECK_EQ_INT((int)json_array_size(fills), tu_q_int(&db, sql));
  json_array_foreach(fills, i, x) {
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM read_parquet('%s/*/run_*/trades.parquet') WHERE trade_id = "
             "'%lld' AND abs(executed_qty - %s) < 1e-12 AND abs(executed_price - %s) < 1e-9 AND "
             "commission_asset = '%s' AND abs(commission - %s * (CASE WHEN commission_asset = "
             "'BTC' THEN executed_price ELSE 1 END)) < 1e-9",
             w->data, (long long)json_integer_value(json_object_get(x, "tradeId")),
             json_string_value(json_object_get(x, "qty")),
             json_string_value(json_object_get(x, "price")),
             json_string_value(json_object_get(x, "commissionAsset")),
             json_string_value(json_object_get(x, "commission")));
    CHECK_EQ_INT(1, tu_q_int(&db, sql));
  }
  json_decref(fills);
  /* Its final row (a later run's, when one took it over). */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet('%s/*/run_*/orders.parquet') WHERE order_id = '%s' "
           "AND client_order_id = '%s' AND CAST(status AS VARCHAR) = '%s'",
           w->data, oid, cid, want_status);
  CHECK_MSG(tu_q_int(&db, sql) == 1, "order %s has no %s row", oid, want_status);
  tu_db_close(&db);
}

/* The restart: a second session that places nothing (extra: one more --set, or NULL), run
 * until its events hold needle (or ms pass), then stopped; it exits 0 and the record of cid
 * ends with status. */
static void restart_until(world *w, const char *extra, const char *needle, int ms, const char *cid,
                          const char *status) {
  pid_t pid = argo_start(w, "{\"orders\": 0}", extra, "2");
  CHECK_EQ_INT(0, run_until(w, pid, "2", needle, 1, ms));
  check_record(w, cid, status);
}

TEST(e2e_restart_after_a_kill_with_the_answer_in_flight_records_the_order_once) {
  world w;
  const char *faults[] = {"--order-delay-ms", "2500", "--delay-orders", "1", NULL};
  world_start(&w, "e2e-bnrestart-flight", faults);
  pid_t pid = argo_start(&w, "{\"market\": true}", NULL, "1");
  CHECK_MSG(wait_ledger(&w, "received", NULL, 1, 30000), "no order reached the mock");
  kill_hard(pid); /* the request was carried out; its answer was still on its way */
  char cid[64];
  first_cid(&w, cid, sizeof cid);
  CHECK(wait_ledger(&w, "fill", cid, 1, 5000));
  restart_until(&w, NULL, "\"event\":\"order_filled\"", 8000, cid, "FILLED");
  tu_mock_stop(&w.m);
  tu_rm_rf(w.out);
}

/* The mock fills an order in parts of 0.0002: what it arrives to, then one per candle. */
#define PART_FILLS                                                                                 \
  "--market-liquidity", "0.0002", "--max-fill-qty", "0.0002", "--fills-per-candle", "1"

/* A world of part fills where argo placed a buy limit 2 % above the market (it takes 0.0002
 * when it arrives, then a part at every candle whatever way the price goes) and was killed
 * once the first part filled; returns when the exchange has filled the other four while argo
 * was down, the order's client id in cid. */
static void killed_while_filling(world *w, const char *name, char *cid, size_t len) {
  const char *faults[] = {PART_FILLS, NULL};
  world_start(w, name, faults);
  pid_t pid = argo_start(w, "{\"below\": -0.02}", NULL, "1");
  CHECK_MSG(wait_ledger(w, "fill", NULL, 1, 30000), "the order never started filling");
  kill_hard(pid);
  first_cid(w, cid, len);
  CHECK_MSG(wait_ledger(w, "fill", cid, 5, 30000), "the order did not fill while down");
}

TEST(e2e_restart_records_the_fills_made_while_argo_was_down) {
  world w;
  char cid[64];
  killed_while_filling(&w, "e2e-bnrestart-down", cid, sizeof cid);
  json_t *before = tu_mock_ledger(w.ledger, "fill", cid);
  size_t nfills = json_array_size(before);
  json_decref(before);
  restart_until(&w, NULL, "\"status\":\"FILLED\"", 30000, cid, "FILLED");
  /* The fills recorded by the restart were acknowledged (on_order_filled) there. */
  int k = events_with(&w, "2", "\"event\":\"order_filled\"");
  CHECK_MSG(k >= 1 && (size_t)k <= nfills, "%d fills acknowledged at restart", k);
  tu_mock_stop(&w.m);
  tu_rm_rf(w.out);
}

/* ---- sessions in a forked child, killed at a chosen step ----------------------------------- */

/* In the child: an engine of the Binance broker on the mock with the settings kv (n pairs) on
 * top of data output, symbol BTCUSDT and 1s candles; exits 2 when it cannot be made. */
static argo_engine *child_engine(const world *w, const char *const (*kv)[2], size_t n) {
  char ws[160];
  snprintf(ws, sizeof ws, "ws://127.0.0.1:%d/ws-api/v3", w->m.port);
  const char *const base[][2] = {
      {"engine.data_output", w->data},         {"market_data.symbols", "BTCUSDT"},
      {"market_data.interval", "1s"},          {"trading.broker", "binance"},
      {"trading.binance.rest_url", w->m.rest}, {"trading.binance.ws_api_url", ws}};
  const size_t nbase = sizeof base / sizeof base[0];
  argo_config *cfg;
  argo_engine *eng;
  if (argo_config_new(&cfg) != ARGO_OK) {
    _exit(2);
  }
  for (size_t i = 0; i < nbase + n; i++) {
    const char *const *p = i < nbase ? base[i] : kv[i - nbase];
    if (argo_config_set(cfg, p[0], p[1]) != ARGO_OK) {
      _exit(2);
    }
  }
  if (argo_engine_new(&eng) != ARGO_OK || argo_engine_init(eng, cfg) != ARGO_OK) {
    _exit(2);
  }
  argo_library_logs(NULL, NULL); /* quiet, as argo run is */
  return eng;
}

/* In the child: runs the session, which is to be killed before it ends. */
static void child_run(argo_engine *eng) {
  argo_engine_run(eng);
  _exit(1);
}

/* In the parent: the child was killed (SIGKILL), at the step named where. */
static void reap_killed(pid_t pid, const char *where) {
  int status;
  waitpid(pid, &status, 0);
  CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
            "the session was not killed %s (status %d)", where, status);
}

/* The child of the next test. Its feed gives one candle at the exchange's price, then nothing
 * (so that the journal records nothing but the order's life); once the exchange has accepted
 * the order (its ledger says so), the child is killed at its next journal write: the record of
 * a fill argo has heard of. */
typedef struct unrecorded {
  const char *ledger;
  double price;
  int calls, armed;
} unrecorded;

static int one_candle(void *user, argo_candle *out, char *err, size_t errlen) {
  unrecorded *u = user;
  (void)err;
  (void)errlen;
  if (u->calls++ == 0) {
    int64_t t = tu_wall_ms() / 1000 * 1000000 - 1000000;
    *out = (argo_candle){.symbol = "BTCUSDT",
                         .time = t,
                         .open = u->price,
                         .high = u->price,
                         .low = u->price,
                         .close = u->price,
                         .volume = 1};
    return ARGO_FEED_CANDLE;
  }
  if (!u->armed) {
    char *l = tu_read_file(u->ledger);
    if (l && strstr(l, "\"ev\":\"accepted\"")) {
      u->armed = 1;
      tu_die_at(ARGO_IO_JOURNAL_WRITE, NULL, 1);
    }
    free(l);
  }
  usleep(5000);
  return u->calls < 3000 ? ARGO_FEED_WAIT : ARGO_FEED_END; /* 15 s at most */
}

static void trade_until_killed_before_a_fill_is_recorded(const world *w, double price) {
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    char plugin[4200];
    snprintf(plugin, sizeof plugin, "%s/limit_once.so", ARGO_TEST_PLUGIN_DIR);
    argo_engine *eng = child_engine(w, NULL, 0);
    unrecorded u = {w->ledger, price, 0, 0};
    argo_feed feed = {.struct_size = sizeof feed, .next = one_candle, .user = &u};
    if (argo_engine_load_strategy(eng, plugin, "{\"below\": -0.02}") != ARGO_OK ||
        argo_engine_set_feed(eng, &feed, sizeof feed) != ARGO_OK) {
      _exit(2);
    }
    child_run(eng);
  }
  reap_killed(pid, "before a fill's record");
}

TEST(e2e_restart_after_a_kill_between_a_fill_and_its_record_records_it_once) {
#ifdef __SANITIZE_THREAD__
  SKIP("ThreadSanitizer cannot follow a fork of a multi-threaded process");
#endif
  /* A buy limit 2 % above the market, on an exchange with 1 s candles: it takes 0.0002 when it
   * arrives, then fills 0.0002 at each candle. */
  const char *faults[] = {"--tick-ms", "1000", PART_FILLS, NULL};
  world w;
  world_start(&w, "e2e-bnrestart-unrecorded", faults);
  char url[300];
  snprintf(url, sizeof url, "%s/api/v3/ticker/price?symbol=BTCUSDT", w.m.rest);
  tu_http_resp r = tu_http("GET", url, NULL, NULL);
  CHECK_MSG(r.status == 200, "%ld %s", r.status, r.body);
  const char *px = r.body ? strstr(r.body, "\"price\":\"") : NULL;
  CHECK(px != NULL);
  double price = strtod(px + 9, NULL);
  tu_http_free(&r);
  trade_until_killed_before_a_fill_is_recorded(&w, price);
  char cid[64];
  first_cid(&w, cid, sizeof cid);
  json_t *f = tu_mock_ledger(w.ledger, "fill", cid);
  size_t at_kill = json_array_size(f);
  json_decref(f);
  CHECK(at_kill >= 1);
  /* The crashed record holds fewer fills than the exchange had made when argo died. */
  char *o = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_argo(&o, &e, "recover", "--data-output", w.data, NULL));
  const char *n = o ? strstr(o, " orders, ") : NULL;
  CHECK_MSG(n && strtol(n + 9, NULL, 10) < (long)at_kill, "recovered: %s (%zu fills made)",
            o ? o : "", at_kill);
  CHECK_CONTAINS(o ? o : "", "1 live order left PENDING");
  free(o);
  free(e);
  CHECK_MSG(wait_ledger(&w, "fill", cid, 5, 30000), "the order did not fill");
  restart_until(&w, NULL, "\"status\":\"FILLED\"", 30000, cid, "FILLED");
  tu_mock_stop(&w.m);
  tu_rm_rf(w.out);
}

/* Rows of the trades.parquet files matching glob whose folder's date is not their fill's day. */
static int64_t fills_outside_their_day(tu_db *db, const char *glob) {
  char sql[9000];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet('%s', filename = true) WHERE "
           "strftime(executed_at, '%%Y-%%m-%%d') <> regexp_extract(filename, "
           "'/([0-9]{4}-[0-9]{2}-[0-9]{2})/run_[0-9]+/trades.parquet$', 1)",
           glob);
  return tu_q_int(db, sql);
}

static int64_t rows_of(tu_db *db, const char *data, const char *date, const char *run,
                       const char *file) {
  char sql[9000];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s/%s/%s/%s')", data, date, run,
           file);
  return tu_q_int(db, sql);
}

TEST(e2e_restart_records_fills_made_while_down_over_a_midnight_in_their_days) {
  /* The exchange's clock reads two minutes before (our) midnight. argo is killed while its
   * order is on its way; the exchange carries it out (a first fill), its clock jumps to 450 ms
   * before midnight, and the order fills in nine more parts, one per 100 ms candle: fills on
   * both sides of midnight, all while argo is down. */
  int64_t midnight = tu_wall_ms() / 86400000 * 86400000;
  char offset[32], jump[32];
  snprintf(offset, sizeof offset, "%lld", (long long)(midnight - 120000 - tu_wall_ms()));
  snprintf(jump, sizeof jump, "%lld", (long long)(midnight - 450));
  const char *faults[] = {
      "--clock-offset-ms", offset, "--clock-jump-after-fills", "1", "--clock-jump-to-ms", jump,
      "--order-delay-ms",  "2500", "--delay-orders",           "1", PART_FILLS,           NULL};
  world w;
  world_start(&w, "e2e-bnrestart-midnight", faults);
  /* A buy limit 2 % above the market: it takes 0.0002 when it arrives, then fills a part at
   * every candle. */
  pid_t pid = argo_start(&w, "{\"below\": -0.02, \"qty\": 0.002}", NULL, "1");
  CHECK_MSG(wait_ledger(&w, "received", NULL, 1, 30000), "no order reached the mock");
  kill_hard(pid);
  char cid[64];
  first_cid(&w, cid, sizeof cid);
  CHECK_MSG(wait_ledger(&w, "fill", cid, 10, 30000), "the order did not fill while down");
  json_t *fills = tu_mock_ledger(w.ledger, "fill", cid);
  size_t nfills = json_array_size(fills);
  json_decref(fills);
  CHECK_EQ_INT(10, (int)nfills);
  restart_until(&w, NULL, "\"status\":\"FILLED\"", 30000, cid, "FILLED");
  tu_db db;
  tu_db_open(&db);
  char sql[9000], day[16], before[16], glob[4400];
  argo__day_format(midnight / 86400000, day);
  argo__day_format(midnight / 86400000 - 1, before);
  /* The killed session has today's run_1 (the machine's clock says today): it may have heard of
   * the first fills before it died. The restart recorded the others, each in the folder of the
   * day it happened: the day before the restart's start (run_1, new), then today's run_2. */
  int64_t n_killed = rows_of(&db, w.data, day, "run_1", "trades.parquet");
  int64_t n_before = rows_of(&db, w.data, before, "run_1", "trades.parquet");
  int64_t n_day = rows_of(&db, w.data, day, "run_2", "trades.parquet");
  CHECK_MSG(n_killed <= 2 && n_before >= 3 && n_day >= 1 && n_killed + n_before + n_day == 10,
            "%lld fills recorded before the kill, %lld by the restart before midnight, %lld after",
            (long long)n_killed, (long long)n_before, (long long)n_day);
  snprintf(glob, sizeof glob, "%s/%s/run_1/trades.parquet", w.data, before);
  CHECK_EQ_INT(0, (int)fills_outside_their_day(&db, glob));
  snprintf(glob, sizeof glob, "%s/%s/run_2/trades.parquet", w.data, day);
  CHECK_EQ_INT(0, (int)fills_outside_their_day(&db, glob));
  /* The order's adopted row is in the first of them, its FILLED row in the last; the statistics
   * count each day's fills as that day's, and the session's add up. */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet('%s/%s/run_1/orders.parquet') WHERE "
           "client_order_id = '%s' AND CAST(status AS VARCHAR) = 'PENDING'",
           w.data, before, cid);
  CHECK_EQ_INT(1, tu_q_int(&db, sql));
  char path[4500];
  snprintf(path, sizeof path, "%s/%s/run_1/stats.yaml", w.data, before);
  argo__stats_doc d0 = tu_read_stats(path);
  CHECK_EQ_INT((int)n_before, (int)d0.s.daily.number_of_trades);
  CHECK_EQ_INT((int)n_before, (int)d0.s.cumulative.number_of_trades);
  CHECK_STR("finished", d0.s.status);
  snprintf(path, sizeof path, "%s/%s/run_2/stats.yaml", w.data, day);
  argo__stats_doc d1 = tu_read_stats(path);
  CHECK_EQ_INT((int)n_day, (int)d1.s.daily.number_of_trades);
  CHECK_EQ_INT((int)(n_before + n_day), (int)d1.s.cumulative.number_of_trades);
  CHECK_STR(d0.s.session_id, d1.s.session_id);
  argo__stats_doc_free(&d0);
  argo__stats_doc_free(&d1);
  tu_db_close(&db);
  /* on_order_filled came once per fill, after recovery. */
  CHECK_EQ_INT((int)(n_before + n_day), events_with(&w, "2", "\"event\":\"order_filled\""));
  tu_mock_stop(&w.m);
  tu_rm_rf(w.out);
}

TEST(e2e_recover_online_records_what_the_exchange_did_while_argo_was_down) {
  world w;
  char cid[64];
  killed_while_filling(&w, "e2e-bnrecover-online", cid, sizeof cid);
  /* The configuration a session would run with; recover runs no strategy and no feed. */
  char cfg[4400], yaml[1200], brest[200];
  snprintf(cfg, sizeof cfg, "%s/live.yaml", w.out);
  snprintf(yaml, sizeof yaml,
           "market_data:\n  symbols: [BTCUSDT]\n  interval: 1s\ntrading:\n  broker: binance\n"
           "  binance:\n    ws_api_url: ws://127.0.0.1:%d/ws-api/v3\n",
           w.m.port);
  tu_write_file(cfg, yaml);
  snprintf(brest, sizeof brest, "trading.binance.rest_url=%s", w.m.rest);
  char *o = NULL, *e = NULL;
  int rc = tu_argo(&o, &e, "recover", "--data-output", w.data, "--online", "--config", cfg, "--set",
                   brest, NULL);
  CHECK_MSG(rc == 0, "recover --online exited %d: %s", rc, e ? e : "");
  CHECK_CONTAINS(o ? o : "", "1 run-day folder finalized");
  CHECK_CONTAINS(o ? o : "", "reconciled with the exchange: ");
  CHECK_CONTAINS(o ? o : "", "FILLED");
  free(o);
  free(e);
  check_record(&w, cid, "FILLED");
  /* The next session has nothing left to ask about, and sends nothing. */
  tu_http_resp r = tu_mock_signed(&w.m, "GET", "/api/v3/openOrders", "symbol=BTCUSDT");
  CHECK_MSG(r.status == 200 && strcmp(r.body, "[]") == 0, "%ld %s", r.status, r.body);
  tu_http_free(&r);
  /* Without --online a --set is refused, and --online needs a live broker. */
  CHECK_EQ_INT(2, tu_argo(&o, &e, "recover", "--data-output", w.data, "--set", brest, NULL));
  CHECK_CONTAINS(e ? e : "", "--set goes with --online");
  free(o);
  free(e);
  CHECK_EQ_INT(2, tu_argo(&o, &e, "recover", "--data-output", w.data, "--online", "--config", cfg,
                          "--set", "trading.broker=paper", NULL));
  CHECK_CONTAINS(e ? e : "", "trading.broker is 'paper'");
  free(o);
  free(e);
  tu_mock_stop(&w.m);
  tu_rm_rf(w.out);
}

/* ---- a kill during a day change ----------------------------------------------------------- */

/* The status the record must end an order with, from the mock's ledger. */
static const char *final_status_of(const world *w, const char *cid) {
  static const struct {
    const char *ev, *status;
  } ends[] = {{"rejected", "REJECTED"}, {"canceled", "CANCELLED"}, {"expired", "CANCELLED"}};
  json_t *f = tu_mock_ledger(w->ledger, "fill", cid);
  size_t n = json_array_size(f);
  const char *st = n ? json_string_value(json_object_get(json_array_get(f, n - 1), "status")) : "";
  int filled = st && strcmp(st, "FILLED") == 0;
  json_decref(f);
  if (filled) {
    return "FILLED";
  }
  for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
    json_t *a = tu_mock_ledger(w->ledger, ends[i].ev, cid);
    size_t k = json_array_size(a);
    json_decref(a);
    if (k) {
      return ends[i].status;
    }
  }
  return "PENDING";
}

/* The whole record equals the mock's ledger: every order the mock received, once, with its
 * fills and its final status; every day folder's statistics count the fills it holds and are
 * final. Returns how many orders there were. */
static size_t check_every_order(const world *w) {
  json_t *recv = tu_mock_ledger(w->ledger, "received", NULL);
  size_t i, n = json_array_size(recv);
  json_t *x;
  json_array_foreach(recv, i, x) {
    const char *cid = json_string_value(json_object_get(x, "clientOrderId"));
    check_record(w, cid, final_status_of(w, cid));
  }
  json_decref(recv);
  tu_db db;
  tu_db_open(&db);
  char sql[9000];
  json_t *fills = tu_mock_ledger(w->ledger, "fill", NULL);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s/*/run_*/trades.parquet')",
           w->data);
  CHECK_EQ_INT((int)json_array_size(fills), tu_q_int(&db, sql));
  json_decref(fills);
  glob_t g;
  char pat[4400];
  snprintf(pat, sizeof pat, "%s/*/run_*/stats.yaml", w->data);
  CHECK(glob(pat, 0, NULL, &g) == 0);
  for (size_t k = 0; k < g.gl_pathc; k++) {
    argo__stats_doc d = tu_read_stats(g.gl_pathv[k]);
    char dir[4400];
    snprintf(dir, sizeof dir, "%.*s", (int)(strlen(g.gl_pathv[k]) - strlen("/stats.yaml")),
             g.gl_pathv[k]);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s/trades.parquet')", dir);
    CHECK_MSG(d.s.daily.number_of_trades == tu_q_int(&db, sql), "%s: %lld fills counted",
              g.gl_pathv[k], (long long)d.s.daily.number_of_trades);
    CHECK_MSG(strcmp(d.s.status, "running") != 0, "%s is still running", g.gl_pathv[k]);
    argo__stats_doc_free(&d);
  }
  globfree(&g);
  tu_db_close(&db);
  return n;
}

/* A session of the Binance broker on simulated candles that cross a midnight (1s candles, 20 a
 * second, from 23:59:30; pingpong buys or sells at market on the mock every second candle), in
 * a child process killed (SIGKILL) at its first op on a path ending with suffix. */
static void trade_until_killed_at(const world *w, argo__io_op op, const char *suffix) {
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    static const char *const kv[][2] = {
        {"market_data.feed", "sim"},   {"market_data.start", "2025-10-01T23:59:30Z"},
        {"market_data.bars", "600"},   {"market_data.speed", "20"},
        {"strategy.name", "pingpong"}, {"strategy.config", "{\"every\": 2, \"qty\": 0.001}"}};
    argo_engine *eng = child_engine(w, kv, sizeof kv / sizeof kv[0]);
    tu_die_at(op, suffix, 1);
    child_run(eng);
  }
  reap_killed(pid, "at its day change");
}

TEST(e2e_restart_after_a_kill_during_a_day_change_records_every_order_once) {
#ifdef __SANITIZE_THREAD__
  SKIP("ThreadSanitizer cannot follow a fork of a multi-threaded process");
#endif
  /* Two steps of the day change: the next day's folder is being made (the old day's last
   * statistics were recorded); the next day's run folder is claimed, its journal started, and
   * its first stats.yaml is being put in place. */
  static const struct {
    argo__io_op op;
    const char *suffix;
  } at[] = {{ARGO_IO_MKDIR, "/2025-10-02"}, {ARGO_IO_RENAME, "2025-10-02/run_1/stats.yaml"}};
  for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
    world w;
    /* A 1 % commission, in BTC on a buy: 0.00001 of 0.001, so that a buy leaves a sellable
     * 0.00099 (at 0.1 % the 0.000009 left after a sell's rounding would be unsellable dust). */
    const char *faults[] = {"--commission", "0.01", NULL};
    world_start(&w, "e2e-bnrestart-daychange", faults);
    trade_until_killed_at(&w, at[k].op, at[k].suffix);
    json_t *recv = tu_mock_ledger(w.ledger, "received", NULL);
    CHECK_MSG(json_array_size(recv) >= 3, "only %zu orders before midnight", json_array_size(recv));
    json_decref(recv);
    /* The next session on the same data output: a day later in its candles, trading nothing. */
    static char plugin_cfg[] = "{\"every\": 1000000}";
    char *args[] = {ARGO_BIN,
                    "run",
                    "--symbols",
                    "BTCUSDT",
                    "--interval",
                    "1s",
                    "--start",
                    "2025-10-02T00:10:00Z",
                    "--bars",
                    "20",
                    "--strategy",
                    "pingpong",
                    "--strategy-config",
                    plugin_cfg,
                    "--set",
                    "trading.broker=binance",
                    "--set",
                    w.bws,
                    "--set",
                    w.brest,
                    "--data-output",
                    w.data,
                    "--quiet",
                    NULL};
    char *o = NULL, *e = NULL;
    int rc = tu_run(args, &o, &e);
    CHECK_MSG(rc == 0, "the restart exited %d: %s", rc, e ? e : "");
    free(o);
    free(e);
    size_t n = check_every_order(&w);
    fprintf(stderr, "killed at the day change (%s): %zu orders, the record equals the ledger\n",
            at[k].suffix, n);
    tu_mock_stop(&w.m);
    tu_rm_rf(w.out);
  }
}

TEST(e2e_restart_an_order_lost_on_its_way_is_recorded_as_never_placed) {
  world w;
  const char *faults[] = {"--ignore-orders", "1", NULL};
  world_start(&w, "e2e-bnrestart-never", faults);
  pid_t pid = argo_start(&w, "{\"market\": true}", NULL, "1");
  CHECK_MSG(wait_ledger(&w, "received", NULL, 1, 30000), "no order reached the mock");
  kill_hard(pid); /* while it asks the exchange, which never placed it */
  char cid[64];
  first_cid(&w, cid, sizeof cid);
  /* argo recover works offline: the folder is final, and the order whose fate only the exchange
   * knows is named in stats.yaml and in what recover says. */
  char *o = NULL, *e = NULL;
  CHECK_EQ_INT(0, tu_argo(&o, &e, "recover", "--data-output", w.data, NULL));
  CHECK_CONTAINS(o ? o : "", "1 live order left PENDING");
  CHECK_CONTAINS(o ? o : "", cid);
  free(o);
  free(e);
  {
    tu_db db;
    tu_db_open(&db);
    char q[9000];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM read_text('%s/*/run_1/stats.yaml') WHERE content LIKE "
             "'%%live_orders_unknown:%%- %s%%'",
             w.data, cid);
    CHECK_EQ_INT(1, tu_q_int(&db, q));
    tu_db_close(&db);
  }
  restart_until(&w, NULL, "never placed", 30000, cid, "REJECTED");
  tu_db db;
  tu_db_open(&db);
  char sql[9000];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet('%s/*/run_*/orders.parquet') WHERE reason LIKE "
           "'never placed: the exchange does not know client order id %s%%'",
           w.data, cid);
  CHECK_EQ_INT(1, tu_q_int(&db, sql));
  tu_db_close(&db);
  json_t *acc = tu_mock_ledger(w.ledger, "accepted", cid);
  CHECK_EQ_INT(0, (int)json_array_size(acc));
  json_decref(acc);
  tu_mock_stop(&w.m);
  tu_rm_rf(w.out);
}

TEST(e2e_restart_cancels_open_orders_when_asked_and_leaves_foreign_ones_alone) {
  world w;
  world_start(&w, "e2e-bnrestart-cancel", NULL);
  pid_t pid = argo_start(&w, "{\"below\": 0.5}", NULL, "1"); /* far below: rests */
  CHECK_MSG(wait_ledger(&w, "accepted", NULL, 1, 30000), "no order reached the mock");
  kill_hard(pid);
  char cid[64];
  first_cid(&w, cid, sizeof cid);
  /* An order someone else placed on the account. */
  tu_http_resp r = tu_mock_signed(&w.m, "POST", "/api/v3/order",
                                  "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity="
                                  "1&price=100&newClientOrderId=web_1");
  CHECK_MSG(r.status == 200, "%ld %s", r.status, r.body);
  tu_http_free(&r);
  restart_until(&w, "trading.binance.open_orders_at_start=cancel", "cancelled at start", 30000, cid,
                "CANCELLED");
  json_t *c = tu_mock_ledger(w.ledger, "canceled", "web_1");
  CHECK_EQ_INT(0, (int)json_array_size(c));
  json_decref(c);
  char *err = file_of(&w, "stderr", "2");
  char *ev = file_of(&w, "events", "2");
  CHECK_MSG((err && strstr(err, "web_1")) || (ev && strstr(ev, "web_1")),
            "the foreign order was not reported");
  free(err);
  free(ev);
  tu_mock_stop(&w.m);
  tu_rm_rf(w.out);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(e2e_restart_after_a_kill_with_the_answer_in_flight_records_the_order_once);
  RUN(e2e_restart_records_the_fills_made_while_argo_was_down);
  RUN(e2e_restart_after_a_kill_between_a_fill_and_its_record_records_it_once);
  RUN(e2e_restart_records_fills_made_while_down_over_a_midnight_in_their_days);
  RUN(e2e_recover_online_records_what_the_exchange_did_while_argo_was_down);
  RUN(e2e_restart_after_a_kill_during_a_day_change_records_every_order_once);
  RUN(e2e_restart_an_order_lost_on_its_way_is_recorded_as_never_placed);
  RUN(e2e_restart_cancels_open_orders_when_asked_and_leaves_foreign_ones_alone);
  return test_summary();
}
