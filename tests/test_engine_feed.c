/*
 * The caller's own market-data feed (argo_engine_set_feed): its candles are stored and traded
 * like any feed's, bad ones are reported and skipped, WAIT publishes what the engine holds,
 * FATAL ends the session with the feed's message, and the feed is closed exactly once.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <argo/argo.h>

#include "persist/store.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

#define START 1759309200000000LL /* 2025-10-01T09:00:00Z */

typedef struct memfeed {
  int n;      /* good candles to give */
  int i;      /* calls so far */
  int given;  /* good candles given */
  int fatal;  /* give FATAL after the good candles instead of END */
  int closed; /* close() calls */
  int waits;  /* WAITs given */
  int64_t clock_calls;
} memfeed;

static int mem_next(void *user, argo_candle *out, char *err, size_t errlen) {
  memfeed *m = user;
  int call = m->i++;
  /* Among the good candles: one SKIP, one WAIT, a NaN close and an unknown symbol. */
  if (call == 3) {
    snprintf(err, errlen, "memfeed: a hiccup on purpose");
    return ARGO_FEED_SKIP;
  }
  if (call == 5) {
    m->waits++;
    return ARGO_FEED_WAIT;
  }
  if (m->given >= m->n) {
    if (m->fatal) {
      snprintf(err, errlen, "memfeed: the source is gone");
      return ARGO_FEED_FATAL;
    }
    return ARGO_FEED_END;
  }
  double px = 100 + (m->given % 7);
  *out = (argo_candle){"BTCUSDT", START + (int64_t)m->given * 60000000, px, px + 1, px - 1, px, 10};
  if (call == 7) {
    out->close = NAN; /* bad: reported and skipped; the same time comes again next call */
    return ARGO_FEED_CANDLE;
  }
  if (call == 9) {
    out->symbol = "DOGEUSDT"; /* not a symbol of the session */
    return ARGO_FEED_CANDLE;
  }
  m->given++;
  return ARGO_FEED_CANDLE;
}

static int64_t mem_clock(void *user) {
  memfeed *m = user;
  m->clock_calls++;
  return START;
}

static void mem_close(void *user) {
  ((memfeed *)user)->closed++;
}

typedef struct seen {
  int errors, feed_errors;
  char feed[32];
  char first_error[256];
} seen;

static void on_start(argo_engine *e, const argo_engine_info *info, void *user) {
  (void)e;
  snprintf(((seen *)user)->feed, sizeof((seen *)user)->feed, "%s", info->feed);
}

static void on_error(argo_engine *e, argo_err code, const char *msg, void *user) {
  (void)e;
  seen *s = user;
  if (s->errors++ == 0) {
    snprintf(s->first_error, sizeof s->first_error, "%s", msg);
  }
  s->feed_errors += code == ARGO_EFEED;
}

/* A file of the session's first day folder, as an SQL string literal. */
static const char *day_file(const char *dir, const char *name) {
  char path[4400];
  snprintf(path, sizeof path, "%s/2025-10-01/run_1/%s", dir, name);
  return tu_sql_str(path);
}

static argo_err run_with(memfeed *m, const char *out, seen *s, char *msg, size_t len) {
  argo_config *cfg = NULL;
  argo_engine *eng = NULL;
  CHECK(argo_config_new(&cfg) == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.symbols", "BTCUSDT") == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.interval", "1m") == ARGO_OK);
  CHECK(argo_config_set(cfg, "strategy.name", "pingpong") == ARGO_OK);
  CHECK(argo_config_set(cfg, "strategy.config", "{\"every\": 4}") == ARGO_OK);
  CHECK(argo_config_set(cfg, "engine.data_output", out) == ARGO_OK);
  CHECK(argo_engine_new(&eng) == ARGO_OK);
  CHECK_MSG(argo_engine_init(eng, cfg) == ARGO_OK, "%s", argo_engine_errmsg(eng));
  argo_feed f = {.struct_size = sizeof f,
                 .name = "memfeed",
                 .next = mem_next,
                 .clock_start = mem_clock,
                 .close = mem_close,
                 .user = m};
  CHECK(argo_engine_set_feed(eng, &f, sizeof f) == ARGO_OK);
  argo_callbacks cb = {.on_engine_start = on_start, .on_error = on_error};
  CHECK(argo_engine_set_callbacks(eng, &cb, sizeof cb, s) == ARGO_OK);
  argo_err rc = argo_engine_run(eng);
  snprintf(msg, len, "%s", argo_engine_errmsg(eng));
  argo_engine_free(eng);
  argo_config_free(cfg);
  return rc;
}

TEST(engine_feed_of_the_caller_is_stored_and_traded) {
  const char *out = tu_tmpdir("engine-feed");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", out);
  memfeed m = {.n = 40};
  seen s = {0};
  char msg[512];
  argo_err rc = run_with(&m, dir, &s, msg, sizeof msg);
  CHECK_MSG(rc == ARGO_OK, "run: %s", msg);
  CHECK_STR("memfeed", s.feed);
  CHECK_EQ_INT(1, m.closed);
  CHECK_EQ_INT(1, m.waits);
  CHECK(m.clock_calls >= 1);
  /* The SKIP, the NaN candle and the unknown symbol: three feed errors, the first the SKIP's. */
  CHECK_EQ_INT(3, s.feed_errors);
  CHECK_CONTAINS(s.first_error, "memfeed: a hiccup on purpose");
  tu_db db;
  tu_db_open(&db);
  char sql[8800];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet(%s) WHERE symbol = 'BTCUSDT' AND NOT history",
           day_file(dir, "market_data.parquet"));
  CHECK_EQ_INT(40, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)",
           day_file(dir, "trades.parquet"));
  CHECK_EQ_INT(10, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_rm_rf(dir);
}

TEST(engine_feed_fatal_ends_the_session_with_its_message) {
  const char *out = tu_tmpdir("engine-feed-fatal");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", out);
  memfeed m = {.n = 12, .fatal = 1};
  seen s = {0};
  char msg[512];
  argo_err rc = run_with(&m, dir, &s, msg, sizeof msg);
  CHECK_EQ_INT(ARGO_EFEED, rc);
  CHECK_CONTAINS(msg, "memfeed: the source is gone");
  CHECK_EQ_INT(1, m.closed);
  /* What came before the failure is recorded and final. */
  tu_db db;
  tu_db_open(&db);
  char sql[8800];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)",
           day_file(dir, "market_data.parquet"));
  CHECK_EQ_INT(12, tu_q_int(&db, sql));
  tu_db_close(&db);
  /* The day says it failed, and why; the session leaves neither its lock nor its journal. */
  char path[4400];
  snprintf(path, sizeof path, "%s/2025-10-01/run_1/stats.yaml", dir);
  argo__stats_doc d = tu_read_stats(path);
  CHECK_STR("failed", d.s.status);
  CHECK_CONTAINS(d.stop_reason, "memfeed: the source is gone");
  argo__stats_doc_free(&d);
  snprintf(path, sizeof path, "%s/2025-10-01/run_1/.lock", dir);
  CHECK_MSG(!argo__fs_exists(path), "%s was left behind", path);
  snprintf(path, sizeof path, "%s/2025-10-01/run_1/.journal", dir);
  CHECK_MSG(!argo__fs_exists(path), "%s was left behind", path);
  /* argo sessions and argo stats show it (the catalog carries the reason). */
  argo_catalog *cat = NULL;
  CHECK(argo_catalog_open(&cat, dir) == ARGO_OK);
  CHECK_EQ_INT(1, argo_catalog_count(cat));
  CHECK_STR("failed", argo_catalog_at(cat, 0)->status);
  CHECK_CONTAINS(argo_catalog_at(cat, 0)->stop_reason, "memfeed: the source is gone");
  argo_catalog_close(cat);
  tu_rm_rf(dir);
}

TEST(engine_feed_without_next_is_refused_and_an_unrun_feed_is_closed) {
  argo_engine *eng = NULL;
  CHECK(argo_engine_new(&eng) == ARGO_OK);
  argo_feed bad = {.struct_size = sizeof bad};
  CHECK_EQ_INT(ARGO_EINVAL, argo_engine_set_feed(eng, &bad, sizeof bad));
  CHECK_CONTAINS(argo_engine_errmsg(eng), "no next function");
  memfeed m = {0};
  argo_feed f = {.struct_size = sizeof f, .next = mem_next, .close = mem_close, .user = &m};
  CHECK(argo_engine_set_feed(eng, &f, sizeof f) == ARGO_OK);
  argo_engine_free(eng);
  CHECK_EQ_INT(1, m.closed);
}

/* A feed of candles at given times (and a given clock). */
typedef struct timefeed {
  const int64_t *times;
  int n, i;
  int64_t clock;
} timefeed;

static int time_next(void *user, argo_candle *out, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  timefeed *t = user;
  if (t->i >= t->n) {
    return ARGO_FEED_END;
  }
  *out = (argo_candle){"BTCUSDT", t->times[t->i++], 100, 101, 99, 100, 10};
  return ARGO_FEED_CANDLE;
}

static int64_t time_clock(void *user) {
  return ((timefeed *)user)->clock;
}

typedef struct errors {
  int n;
  char msg[8][512];
} errors;

static void collect_error(argo_engine *e, argo_err code, const char *msg, void *user) {
  (void)e;
  (void)code;
  errors *x = user;
  if (x->n < 8) {
    snprintf(x->msg[x->n], sizeof x->msg[0], "%s", msg);
  }
  x->n++;
}

static argo_err run_times(timefeed *t, const char *out, errors *x, char *msg, size_t len) {
  argo_config *cfg = NULL;
  argo_engine *eng = NULL;
  CHECK(argo_config_new(&cfg) == ARGO_OK);
  CHECK(argo_config_set(cfg, "market_data.symbols", "BTCUSDT") == ARGO_OK);
  CHECK(argo_config_set(cfg, "engine.data_output", out) == ARGO_OK);
  CHECK(argo_engine_new(&eng) == ARGO_OK);
  CHECK_MSG(argo_engine_init(eng, cfg) == ARGO_OK, "%s", argo_engine_errmsg(eng));
  argo_feed f = {.struct_size = sizeof f,
                 .name = "timefeed",
                 .next = time_next,
                 .clock_start = time_clock,
                 .user = t};
  CHECK(argo_engine_set_feed(eng, &f, sizeof f) == ARGO_OK);
  argo_callbacks cb = {.on_error = collect_error};
  CHECK(argo_engine_set_callbacks(eng, &cb, sizeof cb, x) == ARGO_OK);
  argo_err rc = argo_engine_run(eng);
  snprintf(msg, len, "%s", argo_engine_errmsg(eng));
  argo_engine_free(eng);
  argo_config_free(cfg);
  return rc;
}

TEST(engine_feed_candles_outside_1970_to_9999_are_reported_and_skipped) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("engine-feed-times"));
  /* A candle at the epoch, one before it, and one in the year 10000 between good ones: before,
   * the first two were dropped without a word (taken for "already stored") and the third made a
   * day folder "10000-01-0". */
  static const int64_t times[] = {
      START, 0, -60000000, START + 60000000, INT64_C(253402300800000000), START + 120000000};
  timefeed t = {.times = times, .n = 6, .clock = START};
  errors x = {0};
  char msg[512];
  argo_err rc = run_times(&t, dir, &x, msg, sizeof msg);
  CHECK_MSG(rc == ARGO_OK, "run: %s", msg);
  CHECK_EQ_INT(3, x.n);
  CHECK_STR("skipped a bad candle of BTCUSDT at 1970-01-01T00:00:00Z: its time is not after "
            "1970-01-01T00:00:00Z and before 10000-01-01T00:00:00Z",
            x.msg[0]);
  CHECK_CONTAINS(x.msg[1], "at 1969-12-31T23:59:00Z: its time is not after");
  CHECK_CONTAINS(x.msg[2], "at 10000-01-01T00:00:00Z: its time is not after");
  char other[4200];
  snprintf(other, sizeof other, "%s/10000-01-0", dir);
  CHECK(!argo__fs_exists(other));
  tu_db db;
  tu_db_open(&db);
  char sql[8800];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)",
           day_file(dir, "market_data.parquet"));
  CHECK_EQ_INT(3, tu_q_int(&db, sql));
  tu_db_close(&db);
  tu_rm_rf(dir);
  /* A feed whose clock starts outside the range is refused before anything is written. */
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("engine-feed-clock"));
  timefeed late = {.times = times, .n = 1, .clock = INT64_C(253402300800000000)};
  errors y = {0};
  CHECK_EQ_INT(ARGO_EFEED, run_times(&late, dir, &y, msg, sizeof msg));
  CHECK_STR("the timefeed feed's clock (clock_start) starts at 10000-01-01T00:00:00Z, which is "
            "not after 1970-01-01T00:00:00Z and before 10000-01-01T00:00:00Z",
            msg);
  snprintf(other, sizeof other, "%s/10000-01-0", dir);
  CHECK(!argo__fs_exists(other));
  tu_rm_rf(dir);
}

/* The DuckDB database a finished engine leaves for the next one is released on request, and
 * argo works as before afterwards. */
TEST(library_shutdown_releases_the_kept_database) {
  const char *out = tu_tmpdir("engine-shutdown");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", out);
  memfeed m = {.n = 12};
  seen s = {0};
  char msg[512];
  CHECK_EQ_INT(ARGO_OK, run_with(&m, dir, &s, msg, sizeof msg));
  CHECK(argo__store_pool_held());
  argo_library_shutdown();
  CHECK(!argo__store_pool_held());
  memfeed m2 = {.n = 12};
  CHECK_EQ_INT(ARGO_OK, run_with(&m2, dir, &s, msg, sizeof msg));
  argo_library_shutdown();
  tu_rm_rf(dir);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(library_shutdown_releases_the_kept_database);
  RUN(engine_feed_of_the_caller_is_stored_and_traded);
  RUN(engine_feed_fatal_ends_the_session_with_its_message);
  RUN(engine_feed_without_next_is_refused_and_an_unrun_feed_is_closed);
  RUN(engine_feed_candles_outside_1970_to_9999_are_reported_and_skipped);
  return test_summary();
}
