/* Journal format and recovery: round trip, torn tails, checksums, empty and finished journals,
 * corrupt files moved aside, idempotent recovery. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/stats.h"
#include "persist/journal.h"
#include "persist/recover.h"
#include "persist/stats_yaml.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

static char dir[4096];
static const char *SYMS[] = {"BTCUSDT", "ETHUSDT"};
#define T0 1759309200000000LL /* 2025-10-01T09:00:00Z */

static void write_day(argo__journal *j) {
  argo__stats *st;
  CHECK(argo__stats_new(&st, 10000, 2) == ARGO_OK);
  void *state;
  size_t len;
  CHECK(argo__stats_save(st, &state, &len) == ARGO_OK);
  argo__jday d = {.session_id = "0badcafe-0000-4000-8000-000000000001",
                  .run_name = "run_1",
                  .date = "2025-10-01",
                  .session_start = T0,
                  .day_start_event = T0,
                  .capital = 10000,
                  .strategy_name = "pingpong",
                  .strategy_id = "org.argo.pingpong",
                  .strategy_version = "1.0.0",
                  .run_collision = "",
                  .resumed_from = "",
                  .symbols = SYMS,
                  .nsymbols = 2,
                  .stats_state = state,
                  .stats_len = len};
  argo__journal_day(j, &d);
  free(state);
  argo__stats_free(st);
}

/* A day with 10 candles per symbol, one round trip on BTCUSDT, a mark and a log. */
static void write_session(const char *run_dir, int end) {
  argo__waker w;
  argo__waker_init(&w);
  argo__journal *j = NULL;
  char err[512];
  CHECK_MSG(argo__journal_open(&j, run_dir, 100000, &w, err, sizeof err) == ARGO_OK, "%s", err);
  write_day(j);
  for (int i = 0; i < 10; i++) {
    for (uint16_t s = 0; s < 2; s++) {
      argo_candle c = {NULL, T0 + i * 60000000LL, 100 + i, 101 + i, 99 + i, 100.5 + i, 5};
      argo__journal_candle(j, s, &c);
    }
    if (i == 2 || i == 6) {
      argo_order o;
      memset(&o, 0, sizeof o);
      snprintf(o.order_id, sizeof o.order_id, "0badcafe-%d", i == 2 ? 1 : 2);
      o.side = i == 2 ? ARGO_SIDE_BUY : ARGO_SIDE_SELL;
      o.quantity = 1;
      o.price = 100.5 + i;
      o.timestamp = T0 + i * 60000000LL;
      o.status = ARGO_ORDER_PENDING;
      o.reason = "";
      argo__journal_order(j, 0, &o, NULL);
      o.status = ARGO_ORDER_FILLED;
      argo__journal_order(j, 0, &o, NULL);
      argo_fill f;
      memset(&f, 0, sizeof f);
      memcpy(f.order_id, o.order_id, sizeof f.order_id);
      f.side = o.side;
      f.quantity = f.executed_qty = 1;
      f.price = f.executed_price = o.price;
      f.timestamp = f.executed_at = o.timestamp;
      f.commission = 0.1;
      f.pnl = i == 6 ? (106.5 - 102.5) - 0.1 - 0.1 : 0;
      argo__journal_fill(j, 0, &f, NULL);
    }
  }
  argo_mark m = {.symbol = "BTCUSDT",
                 .color = "green",
                 .shape = "circle",
                 .level = "info",
                 .title = "t",
                 .message = "m",
                 .category = "c",
                 .signal_type = "buy_long"};
  argo__journal_mark(j, 1, T0 + 60000000LL, "BTCUSDT", &m);
  argo__journal_log(j, 1, T0 + 120000000LL, "ETHUSDT", ARGO_LOG_WARNING, "hello", "{\"a\":\"1\"}");
  if (end) {
    argo__journal_end(j);
  }
  CHECK_MSG(argo__journal_sync(j, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(argo__journal_lsn(j), argo__journal_durable(j));
  CHECK(argo__journal_close(j, err, sizeof err) == ARGO_OK);
  argo__journal_free(j);
  argo__waker_deinit(&w);
}

static char *jpath(void) {
  static char p[4200];
  snprintf(p, sizeof p, "%s/.journal", dir);
  return p;
}

static size_t last_damaged; /* damaged regions seen by the last count_records */

static int count_records(int *torn, size_t *good_end) {
  char *data;
  size_t len;
  CHECK(argo__fs_read_all(jpath(), &data, &len) == 0);
  argo__jreader r;
  CHECK(argo__jreader_init(&r, data, len) == ARGO_OK);
  int type, n = 0;
  const unsigned char *p;
  size_t pl;
  while (argo__jreader_next(&r, &type, &p, &pl)) {
    n++;
  }
  *torn = r.torn;
  *good_end = r.good_end;
  last_damaged = r.damaged;
  free(data);
  return n;
}

TEST(journal_records_round_trip) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("jr-rt"));
  write_session(dir, 1);
  char *data;
  size_t len;
  CHECK(argo__fs_read_all(jpath(), &data, &len) == 0);
  argo__jreader r;
  CHECK(argo__jreader_init(&r, data, len) == ARGO_OK);
  int type;
  const unsigned char *p;
  size_t n;
  CHECK(argo__jreader_next(&r, &type, &p, &n) == 1);
  CHECK_EQ_INT(ARGO_J_DAY, type);
  argo__jday_owned day;
  CHECK(argo__jdecode_day(p, n, &day) == 0);
  CHECK_STR("run_1", day.d.run_name);
  CHECK_STR("2025-10-01", day.d.date);
  CHECK_EQ_INT(2, day.d.nsymbols);
  CHECK_STR("ETHUSDT", day.d.symbols[1]);
  CHECK_NEAR(10000, day.d.capital, 0);
  argo__jday_owned_free(&day);
  CHECK(argo__jreader_next(&r, &type, &p, &n) == 1);
  CHECK_EQ_INT(ARGO_J_CANDLE, type);
  argo__jcandle c;
  CHECK(argo__jdecode_candle(p, n, &c) == 0);
  CHECK_EQ_INT(0, c.sym);
  CHECK_EQ_INT(T0, c.c.time);
  CHECK_NEAR(100.5, c.c.close, 0);
  int counts[8] = {0};
  counts[ARGO_J_DAY] = 1;
  counts[ARGO_J_CANDLE] = 1;
  while (argo__jreader_next(&r, &type, &p, &n)) {
    counts[type]++;
    if (type == ARGO_J_FILL) {
      argo__jfill f;
      CHECK(argo__jdecode_fill(p, n, &f) == 0);
      CHECK_NEAR(0.1, f.f.commission, 0);
    }
    if (type == ARGO_J_LOG) {
      argo__jlog l;
      CHECK(argo__jdecode_log(p, n, &l) == 0);
      CHECK_EQ_INT(5, l.message.n);
      CHECK(memcmp(l.message.p, "hello", 5) == 0);
      CHECK_EQ_INT(ARGO_LOG_WARNING, l.level);
    }
  }
  CHECK(!r.torn);
  CHECK_EQ_INT(20, counts[ARGO_J_CANDLE]);
  CHECK_EQ_INT(4, counts[ARGO_J_ORDER]);
  CHECK_EQ_INT(2, counts[ARGO_J_FILL]);
  CHECK_EQ_INT(1, counts[ARGO_J_MARK]);
  CHECK_EQ_INT(1, counts[ARGO_J_LOG]);
  CHECK_EQ_INT(1, counts[ARGO_J_END]);
  free(data);
  tu_rm_rf(dir);
}

TEST(journal_torn_tail_is_detected_and_ignored) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("jr-torn"));
  write_session(dir, 1);
  int torn;
  size_t good;
  int all = count_records(&torn, &good);
  struct stat st;
  stat(jpath(), &st);
  /* Cut the last record (J_END, 9 bytes) in half. */
  CHECK(truncate(jpath(), st.st_size - 4) == 0);
  CHECK_EQ_INT(all - 1, count_records(&torn, &good));
  CHECK(torn);
  CHECK_EQ_INT(st.st_size - 9, good);
  tu_rm_rf(dir);
}

TEST(journal_a_damaged_record_is_skipped_and_the_records_after_it_are_read) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("jr-crc"));
  write_session(dir, 1);
  int torn;
  size_t good;
  int all = count_records(&torn, &good);
  /* Flip one byte inside the third candle record's payload: header 16, day record, 2 candles. */
  char *data;
  size_t len;
  CHECK(argo__fs_read_all(jpath(), &data, &len) == 0);
  argo__jreader r;
  CHECK(argo__jreader_init(&r, data, len) == ARGO_OK);
  int type;
  const unsigned char *p;
  size_t n;
  for (int i = 0; i < 3; i++) {
    argo__jreader_next(&r, &type, &p, &n);
  }
  size_t off = (size_t)(p - (const unsigned char *)data) + 12;
  free(data);
  int fd = open(jpath(), O_RDWR);
  unsigned char b;
  CHECK(pread(fd, &b, 1, (off_t)off) == 1);
  b ^= 0x40;
  CHECK(pwrite(fd, &b, 1, (off_t)off) == 1);
  close(fd);
  /* A damaged record followed by valid ones is corruption, not a torn tail: the reader skips
   * that one record and reads every record after it. */
  CHECK(all > 3);
  CHECK_EQ_INT(all - 1, count_records(&torn, &good));
  CHECK(!torn);
  CHECK_EQ_INT(1, last_damaged);
  tu_rm_rf(dir);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* A journal in a fresh folder (dir, named after name) with a group commit of group_us; w is
 * initialised for it. */
static argo__journal *open_in(const char *name, int64_t group_us, argo__waker *w) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir(name));
  argo__waker_init(w);
  argo__journal *j = NULL;
  char err[512];
  CHECK_MSG(argo__journal_open(&j, dir, group_us, w, err, sizeof err) == ARGO_OK, "%s", err);
  return j;
}

/* Gives the writer up to 5 s, on its own, to make everything up to lsn durable. */
static void check_durable_soon(argo__journal *j, uint64_t lsn) {
  for (int waited = 0; waited < 5000 && argo__journal_durable(j) < lsn; waited += 10) {
    sleep_ms(10);
  }
  CHECK_EQ_INT(lsn, argo__journal_durable(j));
}

/* The engine thread may never come back from a strategy: what it appended before must become
 * durable on the writer's own schedule, with no tick, hand-over or sync from it. */
TEST(journal_records_become_durable_within_group_commit_without_the_engine_thread) {
  argo__waker w;
  argo__journal *j = open_in("jr-gc", 50000, &w);
  char next[4300], err[512];
  snprintf(next, sizeof next, "%s/next", dir);
  CHECK(mkdir(next, 0755) == 0);
  write_day(j);
  /* More than one chunk of candles, then a day switch and more candles in the new folder. */
  for (int i = 0; i < 20000; i++) {
    argo_candle c = {NULL, T0 + i * 1000000LL, 100, 101, 99, 100.5, 5};
    argo__journal_candle(j, (uint16_t)(i % 2), &c);
  }
  argo__journal_end(j);
  argo__journal_switch(j, next);
  write_day(j);
  for (int i = 0; i < 7; i++) {
    argo_candle c = {NULL, T0 + (20000 + i) * 1000000LL, 100, 101, 99, 100.5, 5};
    argo__journal_candle(j, 0, &c);
  }
  uint64_t lsn = argo__journal_lsn(j);
  CHECK_EQ_INT(lsn, argo__journal_published(j));
  check_durable_soon(j, lsn);
  int torn;
  size_t good;
  CHECK_EQ_INT(1 + 20000 + 1, count_records(&torn, &good));
  CHECK(!torn);
  char saved[4096];
  snprintf(saved, sizeof saved, "%s", dir);
  snprintf(dir, sizeof dir, "%s", next);
  CHECK_EQ_INT(1 + 7, count_records(&torn, &good));
  snprintf(dir, sizeof dir, "%s", saved);
  CHECK(argo__journal_close(j, err, sizeof err) == ARGO_OK);
  argo__journal_free(j);
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

/* Urgent records (orders, fills) are committed without waiting for the group commit, but when
 * they keep coming the commits are at least 2 ms apart: an engine filling orders flat out must
 * not pay an fsync every few records. Fails on a writer that commits at every request (one
 * commit per fsync's time, a few per millisecond here). */
TEST(journal_urgent_commits_are_prompt_and_spaced_under_load) {
  argo__waker w;
  /* A group commit far longer than the test: only the urgent path can commit. */
  argo__journal *j = open_in("jr-urgent", 600 * 1000000LL, &w);
  char err[512];
  write_day(j);
  CHECK_MSG(argo__journal_sync(j, err, sizeof err) == ARGO_OK, "%s", err);
  /* One urgent record: durable soon, long before the group commit. */
  argo_candle c = {NULL, T0, 100, 101, 99, 100.5, 5};
  argo__journal_candle(j, 0, &c);
  argo__journal_urgent(j);
  argo__journal_tick(j);
  check_durable_soon(j, argo__journal_lsn(j));
  /* Urgent records for 300 ms: at most one commit (one fsync) per 2 ms. */
  unsigned long long f0 = argo__io_fsync_count();
  int64_t t0 = argo__mono_us(), n = 0;
  while (argo__mono_us() - t0 < 300000) {
    c.time = T0 + ++n * 1000000LL;
    argo__journal_candle(j, 0, &c);
    argo__journal_urgent(j);
    argo__journal_tick(j);
    usleep(20);
  }
  int64_t elapsed_ms = (argo__mono_us() - t0) / 1000;
  unsigned long long fsyncs = argo__io_fsync_count() - f0;
  CHECK_MSG(fsyncs <= (unsigned long long)(elapsed_ms / 2 + 2),
            "%llu commits in %lld ms of urgent records", fsyncs, (long long)elapsed_ms);
  check_durable_soon(j, argo__journal_lsn(j));
  int torn;
  size_t good;
  CHECK_EQ_INT(1 + 1 + n, count_records(&torn, &good));
  CHECK(!torn);
  CHECK(argo__journal_close(j, err, sizeof err) == ARGO_OK);
  argo__journal_free(j);
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

/* Freezing writes what was appended and then nothing more: the file stops changing. */
TEST(journal_freeze_makes_everything_durable_and_stops_writing) {
  argo__waker w;
  argo__journal *j = open_in("jr-freeze", 3600000000LL, &w);
  char err[512];
  write_day(j);
  for (int i = 0; i < 5; i++) {
    argo_candle c = {NULL, T0 + i * 1000000LL, 100, 101, 99, 100.5, 5};
    argo__journal_candle(j, 0, &c);
  }
  /* A one-hour group commit: only the freeze makes these durable. */
  CHECK_MSG(argo__journal_freeze(j, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(argo__journal_lsn(j), argo__journal_durable(j));
  argo_candle c = {NULL, T0 + 9 * 1000000LL, 100, 101, 99, 100.5, 5};
  argo__journal_candle(j, 0, &c);
  int torn;
  size_t good;
  CHECK_EQ_INT(6, count_records(&torn, &good));
  CHECK(argo__journal_sync(j, err, sizeof err) != ARGO_OK);
  CHECK_EQ_INT(6, count_records(&torn, &good));
  argo__journal_free(j);
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

static argo__stats_doc read_stats(void) {
  char p[4200];
  snprintf(p, sizeof p, "%s/stats.yaml", dir);
  char *text = tu_read_file(p);
  CHECK_MSG(text != NULL, "no %s", p);
  argo__stats_doc doc;
  char err[256];
  CHECK_MSG(argo__stats_yaml_parse(text, &doc, err, sizeof err) == ARGO_OK, "%s", err);
  free(text);
  return doc;
}

static int64_t rows(tu_db *db, const char *file) {
  char sql[8800];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s/%s')", dir, file);
  return tu_q_int(db, sql);
}

TEST(recovery_rebuilds_the_day_from_its_journal_and_is_idempotent) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("rc-full"));
  write_session(dir, 0);
  char msg[4096];
  argo_err rc = argo__recover_folder(dir, msg, sizeof msg);
  CHECK_MSG(rc == ARGO_OK, "%s", msg);
  CHECK_CONTAINS(msg, "recovered 20 candles, 4 orders, 2 fills, 1 marks, 1 logs");
  CHECK(!argo__fs_exists(jpath()));
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(20, rows(&db, "market_data.parquet"));
  CHECK_EQ_INT(2, rows(&db, "orders.parquet")); /* one row per order, latest status */
  CHECK_EQ_INT(2, rows(&db, "trades.parquet"));
  CHECK_EQ_INT(1, rows(&db, "marks.parquet"));
  CHECK_EQ_INT(1, rows(&db, "logs.parquet"));
  char sql[8800];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet('%s/orders.parquet') WHERE status = 'FILLED'", dir);
  CHECK_EQ_INT(2, tu_q_int(&db, sql));
  tu_db_close(&db);
  argo__stats_doc d = read_stats();
  CHECK_STR("crashed_recovered", d.s.status);
  CHECK_STR("run_1", d.s.id);
  CHECK_EQ_INT(T0 + 9 * 60000000LL, d.s.last_updated);
  CHECK_EQ_INT(20, d.s.candles_day);
  CHECK_EQ_INT(2, d.s.daily.number_of_trades);
  /* The tracker recomputes pnl itself: (106.5 - 102.5) * 1 - 0.1 - 0.1 = 3.8 */
  CHECK_NEAR(3.8, d.s.daily.realized_pnl, 1e-9);
  CHECK_NEAR(0.2, d.s.daily.total_fees, 1e-12);
  argo__stats_doc_free(&d);
  /* A second recovery finds nothing to do. */
  CHECK_EQ_INT(ARGO_ENOTFOUND, argo__recover_folder(dir, msg, sizeof msg));
  tu_rm_rf(dir);
}

TEST(recovery_keeps_history_candles_flagged_as_history) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("rc-history"));
  argo__waker w;
  argo__waker_init(&w);
  argo__journal *j = NULL;
  char err[512];
  CHECK_MSG(argo__journal_open(&j, dir, 100000, &w, err, sizeof err) == ARGO_OK, "%s", err);
  write_day(j);
  /* Three prefetched candles of BTCUSDT, then two live ones. */
  for (int i = 0; i < 5; i++) {
    argo_candle c = {NULL, T0 + i * 60000000LL, 100 + i, 101 + i, 99 + i, 100.5 + i, 5};
    if (i < 3) {
      argo__journal_hcandle(j, 0, &c);
    } else {
      argo__journal_candle(j, 0, &c);
    }
  }
  CHECK_MSG(argo__journal_sync(j, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK(argo__journal_close(j, err, sizeof err) == ARGO_OK);
  argo__journal_free(j);
  argo__waker_deinit(&w);
  char msg[4096];
  CHECK_MSG(argo__recover_folder(dir, msg, sizeof msg) == ARGO_OK, "%s", msg);
  tu_db db;
  tu_db_open(&db);
  char sql[8800];
  snprintf(sql, sizeof sql,
           "SELECT string_agg(CAST(history AS VARCHAR), ',' ORDER BY time) FROM "
           "read_parquet('%s/market_data.parquet')",
           dir);
  char *flags = tu_q_str(&db, sql);
  CHECK_STR("true,true,true,false,false", flags);
  free(flags);
  tu_db_close(&db);
  /* Only the live candles count. */
  argo__stats_doc d = read_stats();
  CHECK_EQ_INT(2, d.s.candles_day);
  argo__stats_doc_free(&d);
  tu_rm_rf(dir);
}

TEST(recovery_of_a_torn_journal_keeps_every_whole_record) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("rc-torn"));
  write_session(dir, 0);
  struct stat st;
  stat(jpath(), &st);
  /* Tear the log record (the last one). */
  CHECK(truncate(jpath(), st.st_size - 10) == 0);
  char msg[4096];
  CHECK_MSG(argo__recover_folder(dir, msg, sizeof msg) == ARGO_OK, "%s", msg);
  CHECK_CONTAINS(msg, "torn");
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(20, rows(&db, "market_data.parquet"));
  CHECK_EQ_INT(1, rows(&db, "marks.parquet"));
  CHECK_EQ_INT(0, rows(&db, "logs.parquet"));
  tu_db_close(&db);
  tu_rm_rf(dir);
}

TEST(recovery_of_an_empty_journal_removes_it) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("rc-empty"));
  tu_write_file(jpath(), "");
  char msg[4096];
  CHECK_MSG(argo__recover_folder(dir, msg, sizeof msg) == ARGO_OK, "%s", msg);
  CHECK_CONTAINS(msg, "empty");
  CHECK(!argo__fs_exists(jpath()));
  tu_rm_rf(dir);
}

TEST(recovery_of_a_finished_day_keeps_it_finished_and_removes_its_journal) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("rc-finished"));
  write_session(dir, 1);
  char msg[4096];
  /* First make the folder final, then put the journal back as if its removal was lost. */
  char saved[4300];
  snprintf(saved, sizeof saved, "%s/journal.copy", dir);
  char *data;
  size_t len;
  CHECK(argo__fs_read_all(jpath(), &data, &len) == 0);
  CHECK(argo__recover_folder(dir, msg, sizeof msg) == ARGO_OK);
  argo__stats_doc d = read_stats();
  argo__stats_doc_free(&d);
  char p[4200];
  snprintf(p, sizeof p, "%s/stats.yaml", dir);
  char *text = tu_read_file(p);
  char *fin = strstr(text, "status: crashed_recovered");
  CHECK(fin != NULL);
  /* Rewrite the status to finished, as a clean end would have written it. */
  char *rest = fin + strlen("status: crashed_recovered");
  char buf[65536];
  snprintf(buf, sizeof buf, "%.*sstatus: finished%s", (int)(fin - text), text, rest);
  tu_write_file(p, buf);
  free(text);
  int fd = open(jpath(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(write(fd, data, len) == (ssize_t)len);
  close(fd);
  free(data);
  CHECK_MSG(argo__recover_folder(dir, msg, sizeof msg) == ARGO_OK, "%s", msg);
  CHECK_CONTAINS(msg, "finished");
  CHECK(!argo__fs_exists(jpath()));
  /* The files were rebuilt from the journal (the same rows), and the day stays finished. */
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(20, rows(&db, "market_data.parquet"));
  CHECK_EQ_INT(2, rows(&db, "trades.parquet"));
  tu_db_close(&db);
  d = read_stats();
  CHECK_STR("finished", d.s.status);
  argo__stats_doc_free(&d);
  tu_rm_rf(dir);
}

TEST(recovery_of_a_journal_with_only_its_header_removes_it) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("rc-header"));
  write_session(dir, 0);
  CHECK(truncate(jpath(), 16) == 0);
  /* Killed while the first day's files were being written, before its first record reached
   * the journal: their temporary files go too. */
  char tmp[2][4300];
  snprintf(tmp[0], sizeof tmp[0], "%s/.marks.parquet.tmp", dir);
  snprintf(tmp[1], sizeof tmp[1], "%s/.stats.yaml.tmp", dir);
  for (int i = 0; i < 2; i++) {
    tu_write_file(tmp[i], "half a file");
  }
  char msg[4096];
  CHECK_MSG(argo__recover_folder(dir, msg, sizeof msg) == ARGO_OK, "%s", msg);
  CHECK_CONTAINS(msg, "empty");
  CHECK(!argo__fs_exists(jpath()));
  for (int i = 0; i < 2; i++) {
    CHECK_MSG(!argo__fs_exists(tmp[i]), "%s is left", tmp[i]);
  }
  tu_rm_rf(dir);
}

TEST(recovery_of_a_journal_torn_in_its_first_record_removes_it) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("rc-torn-first"));
  write_session(dir, 0);
  /* Keep the header and half of the day record. */
  CHECK(truncate(jpath(), 16 + 30) == 0);
  char msg[4096];
  CHECK_MSG(argo__recover_folder(dir, msg, sizeof msg) == ARGO_OK, "%s", msg);
  CHECK_CONTAINS(msg, "empty");
  CHECK(!argo__fs_exists(jpath()));
  tu_rm_rf(dir);
}

TEST(recovery_moves_garbage_aside_and_never_overwrites_it) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("rc-corrupt"));
  write_session(dir, 0);
  char p[4300];
  snprintf(p, sizeof p, "%s/orders.parquet", dir);
  tu_write_file(p, "this is not parquet");
  char msg[4096];
  CHECK_MSG(argo__recover_folder(dir, msg, sizeof msg) == ARGO_OK, "%s", msg);
  CHECK_CONTAINS(msg, "moved aside");
  char aside[4400];
  snprintf(aside, sizeof aside, "%s.corrupt", p);
  char *kept = tu_read_file(aside);
  CHECK(kept != NULL);
  CHECK_STR("this is not parquet", kept);
  free(kept);
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(2, rows(&db, "orders.parquet"));
  tu_db_close(&db);
  /* A journal that is not a journal is moved aside as well, and reported. */
  tu_write_file(jpath(), "garbage garbage garbage garbage garbage");
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__recover_folder(dir, msg, sizeof msg));
  CHECK_CONTAINS(msg, "moved aside");
  char jaside[4400];
  snprintf(jaside, sizeof jaside, "%s.corrupt", jpath());
  CHECK(argo__fs_exists(jaside));
  tu_rm_rf(dir);
}

TEST(journal_crc32c_matches_the_standard_check_value) {
  /* The CRC-32C check value of "123456789" (RFC 3720). */
  CHECK_EQ_INT(0xE3069283u, argo__crc32c(0, "123456789", 9));
  /* Byte by byte and in one call agree (the 8-byte and the tail paths). */
  const char *t = "The quick brown fox jumps over the lazy dog";
  uint32_t c = 0;
  c = argo__crc32c(c, t, 5);
  c = argo__crc32c(c, t + 5, strlen(t) - 5);
  CHECK_EQ_INT(argo__crc32c(0, t, strlen(t)), c);
  CHECK_EQ_INT(0x22620404u, argo__crc32c(0, t, strlen(t)));
}

/* A crash while a run folder was being claimed leaves it under its claim name: recovery
 * removes it once nobody holds its lock. */
TEST(recovery_removes_a_run_folder_a_crash_left_half_claimed) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("rc-claim"));
  char day[4200], claim[4300], lock[4400];
  snprintf(day, sizeof day, "%s/2025-10-01", dir);
  snprintf(claim, sizeof claim, "%s/.claim.99999.0", day);
  CHECK(mkdir(day, 0755) == 0 && mkdir(claim, 0755) == 0);
  snprintf(lock, sizeof lock, "%s/.lock", claim);
  tu_write_file(lock, "");
  int n = -1;
  CHECK(argo_recover(dir, NULL, NULL, &n) == ARGO_OK);
  CHECK_MSG(!argo__fs_exists(claim), "%s is still there", claim);
  CHECK_EQ_INT(0, n);
  tu_rm_rf(dir);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(recovery_removes_a_run_folder_a_crash_left_half_claimed);
  RUN(journal_crc32c_matches_the_standard_check_value);
  RUN(journal_records_round_trip);
  RUN(journal_records_become_durable_within_group_commit_without_the_engine_thread);
  RUN(journal_urgent_commits_are_prompt_and_spaced_under_load);
  RUN(journal_freeze_makes_everything_durable_and_stops_writing);
  RUN(journal_torn_tail_is_detected_and_ignored);
  RUN(journal_a_damaged_record_is_skipped_and_the_records_after_it_are_read);
  RUN(recovery_rebuilds_the_day_from_its_journal_and_is_idempotent);
  RUN(recovery_keeps_history_candles_flagged_as_history);
  RUN(recovery_of_a_torn_journal_keeps_every_whole_record);
  RUN(recovery_of_an_empty_journal_removes_it);
  RUN(recovery_of_a_finished_day_keeps_it_finished_and_removes_its_journal);
  RUN(recovery_of_a_journal_torn_in_its_first_record_removes_it);
  RUN(recovery_of_a_journal_with_only_its_header_removes_it);
  RUN(recovery_moves_garbage_aside_and_never_overwrites_it);
  return test_summary();
}
