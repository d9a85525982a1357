/*
 * The caller's own broker (argo_engine_set_broker): the engine records every order as PENDING
 * before the broker sees it, books the fills the broker reports (partial ones too) with their
 * commission asset and trade id, refuses reports that cannot be, lets a broker thread wake the
 * engine, and closes the broker exactly once.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <argo/argo.h>

#include "test.h"
#include "testutil.h"

typedef struct queued {
  char id[ARGO_ID_MAX];
  double qty;
  int parts; /* fills reported so far */
} queued;

/* A broker that fills each order on the next candle at its open, in two halves. */
typedef struct membroker {
  argo_broker_sink *sink;
  queued q[64];
  int nq;
  int opened, closed, placed, fills, polls;
  int reject_every;  /* place: reject every n-th order (0: never) */
  int bad_reports;   /* reports refused so far */
  int durable_first; /* the order's row was on disk when place ran */
  const char *dir;   /* data output, to check the PENDING row */
  char nsym_seen[16];
  /* threaded: fills come from a thread, which wakes the engine */
  int threaded;
  pthread_mutex_t mu;
  queued ready[64];
  int nready;
} membroker;

static int mb_open(void *user, const char *const *symbols, size_t n, argo_broker_sink *sink,
                   char *err, size_t errlen) {
  membroker *m = user;
  (void)err;
  (void)errlen;
  m->opened++;
  m->sink = sink;
  snprintf(m->nsym_seen, sizeof m->nsym_seen, "%zu:%s", n, n ? symbols[0] : "");
  return 0;
}

static void *filler(void *arg);

static int mb_place(void *user, const argo_order *o, char *err, size_t errlen) {
  membroker *m = user;
  m->placed++;
  if (m->reject_every && m->placed % m->reject_every == 0) {
    snprintf(err, errlen, "membroker: no liquidity for %s", o->order_id);
    return ARGO_S_REJECTED;
  }
  CHECK(o->status == ARGO_ORDER_PENDING && o->quantity > 0 && o->symbol);
  argo_broker_update acc = {.struct_size = sizeof acc};
  CHECK(argo_broker_report(m->sink, o->order_id, ARGO_BROKER_ACCEPTED, &acc, sizeof acc) ==
        ARGO_OK);
  CHECK(m->nq < 64);
  queued *q = &m->q[m->nq++];
  snprintf(q->id, sizeof q->id, "%s", o->order_id);
  q->qty = o->quantity;
  q->parts = 0;
  return ARGO_S_OK;
}

static int mb_cancel(void *user, const char *id, char *err, size_t errlen) {
  (void)user;
  snprintf(err, errlen, "membroker: %s cannot be cancelled", id);
  return ARGO_S_STATE;
}

static void report_fill(membroker *m, queued *q, double px, int64_t t) {
  char tid[32];
  snprintf(tid, sizeof tid, "T%d", ++m->fills);
  argo_broker_update u = {.struct_size = sizeof u,
                          .qty = q->qty / 2,
                          .price = px,
                          .commission = 0.001 * q->qty / 2 * px,
                          .commission_asset = "USDT",
                          .trade_id = tid,
                          .time = t};
  q->parts++;
  CHECK(argo_broker_report(m->sink, q->id,
                           q->parts == 2 ? ARGO_BROKER_FILLED : ARGO_BROKER_PARTIALLY_FILLED, &u,
                           sizeof u) == ARGO_OK);
}

static void mb_on_candle(void *user, const argo_candle *c) {
  membroker *m = user;
  if (m->threaded) {
    return;
  }
  for (int i = 0; i < m->nq; i++) {
    report_fill(m, &m->q[i], c->open, c->time);
    report_fill(m, &m->q[i], c->open, c->time);
  }
  m->nq = 0;
}

/* Threaded: a fill thread per order, which hands the fill over and wakes the engine. */
static void *filler(void *arg) {
  membroker *m = arg;
  usleep(2000);
  pthread_mutex_lock(&m->mu);
  for (int i = 0; i < m->nq; i++) {
    m->ready[m->nready++] = m->q[i];
  }
  m->nq = 0;
  pthread_mutex_unlock(&m->mu);
  argo_broker_wake(m->sink);
  return NULL;
}

static void mb_poll(void *user) {
  membroker *m = user;
  m->polls++;
  if (!m->threaded) {
    return;
  }
  if (m->nq) {
    pthread_t th;
    CHECK(pthread_create(&th, NULL, filler, m) == 0);
    pthread_join(th, NULL);
  }
  pthread_mutex_lock(&m->mu);
  queued ready[64];
  int n = m->nready;
  memcpy(ready, m->ready, sizeof ready);
  m->nready = 0;
  pthread_mutex_unlock(&m->mu);
  for (int i = 0; i < n; i++) {
    report_fill(m, &ready[i], 100, 0);
    report_fill(m, &ready[i], 100, 0);
  }
}

static void mb_close(void *user) {
  ((membroker *)user)->closed++;
}

typedef struct seen {
  int filled_cb, placed_cb, errors;
  char first_error[512];
} seen;

static void on_filled(argo_engine *e, const argo_order *o, const argo_fill *f, void *user) {
  (void)e;
  (void)o;
  (void)f;
  ((seen *)user)->filled_cb++;
}

static void on_placed(argo_engine *e, const argo_order *o, void *user) {
  (void)e;
  (void)o;
  ((seen *)user)->placed_cb++;
}

static void on_error(argo_engine *e, argo_err code, const char *msg, void *user) {
  (void)e;
  (void)code;
  seen *s = user;
  if (s->errors++ == 0) {
    snprintf(s->first_error, sizeof s->first_error, "%s", msg);
  }
}

static argo_engine *engine_for(const char *out, int bars) {
  argo_config *cfg = NULL;
  argo_engine *eng = NULL;
  char b[16];
  snprintf(b, sizeof b, "%d", bars);
  CHECK(argo_config_new(&cfg) == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.symbols", "BTCUSDT") == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.interval", "1m") == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.bars", b) == ARGO_OK);
  CHECK(argo_config_set(cfg, "strategy.name", "pingpong") == ARGO_OK);
  CHECK(argo_config_set(cfg, "strategy.config", "{\"every\": 4}") == ARGO_OK);
  CHECK(argo_config_set(cfg, "engine.data_output", out) == ARGO_OK);
  CHECK(argo_engine_new(&eng) == ARGO_OK);
  CHECK_MSG(argo_engine_init(eng, cfg) == ARGO_OK, "%s", argo_engine_errmsg(eng));
  argo_config_free(cfg);
  return eng;
}

static argo_broker table_of(membroker *m) {
  return (argo_broker){.struct_size = sizeof(argo_broker),
                       .name = "membroker",
                       .open = mb_open,
                       .on_candle = mb_on_candle,
                       .place = mb_place,
                       .cancel = mb_cancel,
                       .poll = mb_poll,
                       .close = mb_close,
                       .user = m};
}

static void run_session(membroker *m, const char *out, int bars, seen *s) {
  argo_engine *eng = engine_for(out, bars);
  argo_broker b = table_of(m);
  CHECK(argo_engine_set_broker(eng, &b, sizeof b) == ARGO_OK);
  argo_callbacks cb = {
      .on_order_placed = on_placed, .on_order_filled = on_filled, .on_error = on_error};
  CHECK(argo_engine_set_callbacks(eng, &cb, sizeof cb, s) == ARGO_OK);
  CHECK_MSG(argo_engine_run(eng) == ARGO_OK, "%s", argo_engine_errmsg(eng));
  argo_engine_free(eng);
}

static const char *day_file(const char *dir, const char *name) {
  char path[4400];
  snprintf(path, sizeof path, "%s/2025-10-01/run_1/%s", dir, name);
  return tu_sql_str(path);
}

TEST(engine_broker_of_the_caller_fills_in_parts_and_the_engine_records_every_fill) {
  const char *out = tu_tmpdir("ebroker");
  membroker m = {0};
  seen s = {0};
  run_session(&m, out, 200, &s);
  CHECK_EQ_INT(1, m.opened);
  CHECK_EQ_INT(1, m.closed);
  CHECK_STR("1:BTCUSDT", m.nsym_seen);
  CHECK_MSG(m.fills >= 40, "only %d fills", m.fills);
  CHECK_MSG(s.errors == 0, "%s", s.first_error);
  CHECK_EQ_INT(m.fills, s.filled_cb);
  CHECK_EQ_INT(m.placed, s.placed_cb);
  tu_db db;
  tu_db_open(&db);
  char sql[9000];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)",
           day_file(out, "trades.parquet"));
  CHECK_EQ_INT(m.fills, tu_q_int(&db, sql));
  /* Every fill carries the broker's asset and its own trade id; each order's two halves add up
   * to its quantity, and every order ended FILLED. */
  snprintf(sql, sizeof sql,
           "SELECT count(DISTINCT trade_id) FROM read_parquet(%s) WHERE commission_asset = 'USDT'",
           day_file(out, "trades.parquet"));
  CHECK_EQ_INT(m.fills, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM (SELECT order_id, sum(executed_qty) q, any_value(quantity) w "
           "FROM read_parquet(%s) GROUP BY order_id) WHERE abs(q - w) > 1e-12",
           day_file(out, "trades.parquet"));
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet(%s) WHERE CAST(status AS VARCHAR) <> 'FILLED'",
           day_file(out, "orders.parquet"));
  /* The last order may still be open at the end (pingpong orders on the last candle). */
  CHECK(tu_q_int(&db, sql) <= 1);
  /* Closing fills realize pnl: the sum over trades equals stats.yaml's realized pnl. */
  char ypath[4400];
  snprintf(ypath, sizeof ypath, "%s/2025-10-01/run_1/stats.yaml", out);
  char *yaml = tu_read_file(ypath);
  CHECK(yaml != NULL);
  char want[64];
  snprintf(want, sizeof want, "number_of_trades: %d", m.fills);
  CHECK_MSG(strstr(yaml, want), "stats.yaml lacks '%s'", want);
  free(yaml);
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(engine_broker_rejections_and_impossible_reports_are_recorded_or_refused) {
  const char *out = tu_tmpdir("ebroker-rej");
  membroker m = {.reject_every = 3};
  seen s = {0};
  run_session(&m, out, 60, &s);
  CHECK_MSG(s.errors == 0, "%s", s.first_error);
  tu_db db;
  tu_db_open(&db);
  char sql[9000];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet(%s) WHERE CAST(status AS VARCHAR) = 'REJECTED' "
           "AND reason LIKE 'membroker: no liquidity for %%'",
           day_file(out, "orders.parquet"));
  CHECK_EQ_INT(m.placed / 3, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_rm_rf(out);
}

/* Reports the engine must refuse: checked from inside place, where a report is allowed. */
static int bad_place(void *user, const argo_order *o, char *err, size_t errlen) {
  membroker *m = user;
  (void)err;
  (void)errlen;
  m->placed++;
  argo_broker_update u = {.struct_size = sizeof u, .qty = o->quantity * 2, .price = 100};
  if (argo_broker_report(m->sink, o->order_id, ARGO_BROKER_FILLED, &u, sizeof u) == ARGO_EINVAL) {
    m->bad_reports++;
  }
  u.qty = o->quantity;
  u.price = NAN;
  if (argo_broker_report(m->sink, o->order_id, ARGO_BROKER_FILLED, &u, sizeof u) == ARGO_EINVAL) {
    m->bad_reports++;
  }
  if (argo_broker_report(m->sink, "nope-1", ARGO_BROKER_CANCELLED, NULL, 0) == ARGO_ENOTFOUND) {
    m->bad_reports++;
  }
  if (argo_broker_report(m->sink, o->order_id, (argo_broker_event)42, NULL, 0) == ARGO_EINVAL) {
    m->bad_reports++;
  }
  argo_broker_update ex = {.struct_size = sizeof ex, .reason = "good till the candle"};
  CHECK(argo_broker_report(m->sink, o->order_id, ARGO_BROKER_EXPIRED, &ex, sizeof ex) == ARGO_OK);
  return ARGO_S_OK;
}

TEST(engine_broker_impossible_reports_are_refused_and_reported) {
  const char *out = tu_tmpdir("ebroker-bad");
  membroker m = {0};
  seen s = {0};
  argo_engine *eng = engine_for(out, 9);
  argo_broker b = table_of(&m);
  b.place = bad_place;
  CHECK(argo_engine_set_broker(eng, &b, sizeof b) == ARGO_OK);
  argo_callbacks cb = {.on_error = on_error};
  CHECK(argo_engine_set_callbacks(eng, &cb, sizeof cb, &s) == ARGO_OK);
  CHECK_MSG(argo_engine_run(eng) == ARGO_OK, "%s", argo_engine_errmsg(eng));
  argo_engine_free(eng);
  CHECK_MSG(m.bad_reports == 4 * m.placed && m.placed >= 2, "%d refused of %d orders",
            m.bad_reports, m.placed);
  CHECK_MSG(s.errors == 4 * m.placed && strstr(s.first_error, "membroker broker's report"),
            "%d errors: %s", s.errors, s.first_error);
  tu_db db;
  tu_db_open(&db);
  char sql[9000];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet(%s) WHERE CAST(status AS VARCHAR) = 'CANCELLED' "
           "AND reason = 'expired: good till the candle'",
           day_file(out, "orders.parquet"));
  CHECK_EQ_INT(m.placed, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)",
           day_file(out, "trades.parquet"));
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_rm_rf(out);
}

TEST(engine_broker_a_thread_wakes_the_engine_and_its_fills_are_polled) {
  const char *out = tu_tmpdir("ebroker-thr");
  membroker m = {.threaded = 1};
  pthread_mutex_init(&m.mu, NULL);
  seen s = {0};
  run_session(&m, out, 100, &s);
  CHECK_MSG(s.errors == 0, "%s", s.first_error);
  CHECK_MSG(m.fills >= 20 && m.polls >= 100, "%d fills, %d polls", m.fills, m.polls);
  CHECK_EQ_INT(m.fills, s.filled_cb);
  pthread_mutex_destroy(&m.mu);
  tu_rm_rf(out);
}

TEST(engine_broker_without_place_is_refused_and_an_unrun_broker_is_closed) {
  const char *out = tu_tmpdir("ebroker-unrun");
  membroker m = {0};
  argo_engine *eng = engine_for(out, 5);
  argo_broker b = table_of(&m);
  b.place = NULL;
  CHECK(argo_engine_set_broker(eng, &b, sizeof b) == ARGO_EINVAL);
  CHECK(strstr(argo_engine_errmsg(eng), "no place"));
  b = table_of(&m);
  CHECK(argo_engine_set_broker(eng, &b, offsetof(argo_broker, place)) == ARGO_EINVAL);
  CHECK(argo_engine_set_broker(eng, &b, sizeof b) == ARGO_OK);
  argo_engine_free(eng);
  CHECK_EQ_INT(0, m.opened);
  CHECK_EQ_INT(1, m.closed);
  tu_rm_rf(out);
}

/* ---- a strategy of the caller's own (argo_engine_set_strategy) ---------------------------- */

static int own_candles;

static void *own_create(const argo_host_api *h, argo_strategy_ctx *ctx) {
  (void)h;
  (void)ctx;
  return &own_candles;
}

static void own_destroy(void *self) {
  (void)self;
}

static int own_init(void *self, const char *config) {
  (void)self;
  return strcmp(config, "{\"k\": 1}") == 0 ? 0 : 1;
}

static int own_candle(void *self, const argo_candle *c) {
  (void)c;
  (*(int *)self)++;
  return 0;
}

TEST(engine_strategy_of_the_caller_runs_and_a_bad_table_is_refused) {
  const char *out = tu_tmpdir("ebroker-strat");
  argo_engine *eng = engine_for(out, 25);
  argo_strategy s = {.abi_version = ARGO_STRATEGY_ABI_VERSION,
                     .struct_size = sizeof s,
                     .name = "own",
                     .create = own_create,
                     .destroy = own_destroy,
                     .initialize = own_init};
  CHECK(argo_engine_set_strategy(eng, &s, "{\"k\": 1}") == ARGO_EPLUGIN);
  CHECK_CONTAINS(argo_engine_errmsg(eng), "does not provide 'on_candle'");
  s.on_candle = own_candle;
  s.abi_version = 999;
  CHECK(argo_engine_set_strategy(eng, &s, NULL) == ARGO_EPLUGIN);
  s.abi_version = ARGO_STRATEGY_ABI_VERSION;
  CHECK(argo_engine_set_strategy(eng, &s, "{\"k\": 1}") == ARGO_OK);
  memset(&s, 0, sizeof s); /* copied: the table need not outlive the call */
  own_candles = 0;
  CHECK_MSG(argo_engine_run(eng) == ARGO_OK, "%s", argo_engine_errmsg(eng));
  CHECK_EQ_INT(25 * 1, own_candles); /* one symbol (engine_for), 25 bars */
  argo_engine_free(eng);
  tu_rm_rf(out);
}

/* ---- out-structs carry their size (docs/library.md) --------------------------------------- */

static uint32_t info_size;

static void on_start_size(argo_engine *e, const argo_engine_info *info, void *user) {
  (void)e;
  (void)user;
  info_size = info->struct_size;
}

TEST(engine_out_structs_carry_their_size_and_a_shorter_copy_stays_short) {
  const char *out = tu_tmpdir("ebroker-abi");
  argo_engine *eng = engine_for(out, 10);
  argo_callbacks cb = {.on_engine_start = on_start_size};
  CHECK(argo_engine_set_callbacks(eng, &cb, sizeof cb, NULL) == ARGO_OK);
  CHECK_MSG(argo_engine_run(eng) == ARGO_OK, "%s", argo_engine_errmsg(eng));
  CHECK_EQ_INT((int)sizeof(argo_engine_info), (int)info_size);
  argo_stats full, part;
  CHECK(argo_engine_get_stats(eng, &full, sizeof full) == ARGO_OK);
  CHECK_EQ_INT((int)sizeof full, (int)full.struct_size);
  /* A program built when argo_stats ended before daily gets that much, and no more. */
  memset(&part, 0x5a, sizeof part);
  size_t old = offsetof(argo_stats, daily);
  CHECK(argo_engine_get_stats(eng, &part, old) == ARGO_OK);
  CHECK_EQ_INT((int)old, (int)part.struct_size);
  CHECK_STR(full.session_id, part.session_id);
  const unsigned char *tail = (const unsigned char *)&part + old;
  for (size_t i = 0; i < sizeof part - old; i++) {
    CHECK(tail[i] == 0x5a);
  }
  CHECK(argo_engine_get_stats(eng, &part, 2) == ARGO_EINVAL);
  argo_engine_free(eng);
  argo_catalog *cat = NULL;
  CHECK(argo_catalog_open(&cat, out) == ARGO_OK);
  const argo_catalog_entry *e = argo_catalog_at(cat, 0);
  CHECK(e != NULL);
  CHECK_EQ_INT((int)sizeof *e, (int)e->struct_size);
  CHECK_EQ_INT((int)sizeof(argo_stats), (int)e->stats->struct_size);
  CHECK_STR(full.session_id, e->stats->session_id);
  argo_catalog_close(cat);
  tu_rm_rf(out);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(engine_broker_of_the_caller_fills_in_parts_and_the_engine_records_every_fill);
  RUN(engine_broker_rejections_and_impossible_reports_are_recorded_or_refused);
  RUN(engine_broker_impossible_reports_are_refused_and_reported);
  RUN(engine_broker_a_thread_wakes_the_engine_and_its_fills_are_polled);
  RUN(engine_broker_without_place_is_refused_and_an_unrun_broker_is_closed);
  RUN(engine_strategy_of_the_caller_runs_and_a_bad_table_is_refused);
  RUN(engine_out_structs_carry_their_size_and_a_shorter_copy_stays_short);
  return test_summary();
}
