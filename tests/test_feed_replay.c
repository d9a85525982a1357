/*
 * Replay feed (src/feeds/replay.c): Parquet written by DuckDB (the schema of market_data.parquet)
 * and CSV files, replayed in time order; symbol filter and time range; bad, duplicate and
 * out-of-order rows reported and skipped; clear errors for files that cannot be replayed;
 * pacing and stop.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "feeds/replay.h"
#include "test.h"
#include "testutil.h"
#include "util/util.h"

#define T0 INT64_C(1759276800000000) /* 2025-10-01T00:00:00Z */
#define MIN INT64_C(60000000)

static char dir[4096];

static void setup_dir(void) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("replay"));
}

static const char *path_of(const char *name) {
  static char buf[4][4200];
  static int next;
  char *b = buf[next++ % 4];
  snprintf(b, sizeof buf[0], "%s/%s", dir, name);
  return b;
}

/* Writes a Parquet file with the schema of market_data.parquet from a SELECT over
 * range(n) AS r(i). */
static void write_parquet(const char *path, const char *select) {
  tu_db d;
  tu_db_open(&d);
  char sql[8192], why[512];
  snprintf(sql, sizeof sql, "COPY (%s) TO '%s' (FORMAT PARQUET)", select, path);
  CHECK_MSG(tu_exec(&d, sql, why, sizeof why) == 0, "%s", why);
  tu_db_close(&d);
}

/* What the hooks saw. */
typedef struct seen {
  int nerr;
  char errs[64][512];
  char before_last[512];
  char last[512];
} seen;

static void on_error(void *user, argo_err code, const char *msg) {
  seen *s = user;
  CHECK_EQ_INT(ARGO_EFEED, code);
  if (s->nerr < 64) {
    argo__strlcpy(s->errs[s->nerr], msg, sizeof s->errs[0]);
  }
  memcpy(s->before_last, s->last, sizeof s->last);
  argo__strlcpy(s->last, msg, sizeof s->last);
  s->nerr++;
}

static argo__settings settings(const char *file, char **syms, size_t n) {
  argo__settings s;
  memset(&s, 0, sizeof s);
  s.replay_file = (char *)file;
  s.symbols = syms;
  s.nsymbols = n;
  s.interval_us = MIN;
  return s;
}

typedef struct got {
  int n;
  argo_candle c[60000];
  char sym[60000][16];
} got;

static got g;

/* Replays everything into g; returns the number of candles. */
static int replay_all(const argo__settings *s, argo__waker *w, seen *sn, int64_t *clock) {
  argo__feed f;
  char err[512];
  argo__feed_hooks hooks = {.error = on_error, .user = sn};
  argo_err rc = argo__feed_replay_open(&f, s, w, &hooks, err, sizeof err);
  CHECK_MSG(rc == ARGO_OK, "open: %s", err);
  if (clock) {
    *clock = f.ops->clock_start(f.impl);
  }
  g.n = 0;
  int r;
  argo_candle c;
  while ((r = f.ops->next(f.impl, &c, err, sizeof err)) == ARGO_FEED_CANDLE) {
    CHECK(g.n < 60000);
    g.c[g.n] = c;
    argo__strlcpy(g.sym[g.n], c.symbol, sizeof g.sym[0]);
    g.n++;
  }
  CHECK_MSG(r == ARGO_FEED_END, "next returned %d: %s", r, err);
  f.ops->close(f.impl);
  return g.n;
}

static char *btc_eth[] = {"BTCUSDT", "ETHUSDT"};

/* 100 one-minute candles of ETHUSDT, then 100 of BTCUSDT: the file is grouped by symbol, the
 * replay must still come in time order (at each time in file order: ETHUSDT first). */
#define GROUPED                                                                                    \
  "SELECT TIMESTAMP '2025-10-01 00:00:00' + INTERVAL (i % 100) MINUTE AS time, "                   \
  "CASE WHEN i < 100 THEN 'ETHUSDT' ELSE 'BTCUSDT' END AS symbol, "                                \
  "100.0 + i AS open, 110.0 + i AS high, 90.0 + i AS low, 105.0 + i AS close, "                    \
  "CAST(i AS DOUBLE) AS volume FROM range(200) r(i)"

TEST(replay_parquet_of_a_session_replays_in_time_then_file_order) {
  setup_dir();
  const char *p = path_of("market_data.parquet");
  write_parquet(p, GROUPED);
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  argo__settings s = settings(p, btc_eth, 2);
  int64_t clock = 0;
  CHECK_EQ_INT(200, replay_all(&s, &w, &sn, &clock));
  CHECK_EQ_INT(0, sn.nerr);
  CHECK_EQ_INT(T0, clock);
  for (int i = 0; i < 200; i++) {
    const argo_candle *c = &g.c[i];
    int k = i / 2;
    CHECK_EQ_INT(T0 + k * MIN, c->time);
    CHECK_STR(i % 2 ? "BTCUSDT" : "ETHUSDT", g.sym[i]);
    double base = i % 2 ? 100 + k : k; /* ETH rows were written first */
    CHECK_NEAR(100 + base, c->open, 0);
    CHECK_NEAR(110 + base, c->high, 0);
    CHECK_NEAR(90 + base, c->low, 0);
    CHECK_NEAR(105 + base, c->close, 0);
    CHECK_NEAR(base, c->volume, 0);
  }
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

/* A session's market_data.parquet flags its downloaded history: those rows come as
 * ARGO_FEED_HISTORY (warm-up), the others as candles, in time order; the clock starts at the
 * first row to trade on. A CSV with the column as text does the same. */
TEST(replay_gives_history_rows_as_warm_up_and_starts_the_clock_after_them) {
  setup_dir();
  const char *p = path_of("market_data.parquet");
  const char *q = path_of("md.csv");
  /* 30 candles of BTCUSDT a day before the live ones: the first 20 are history. */
  write_parquet(p, "SELECT TIMESTAMP '2025-09-30 23:50:00' + INTERVAL (i) MINUTE AS time, "
                   "'BTCUSDT' AS symbol, 1.0 AS open, 2.0 AS high, 0.5 AS low, 1.5 AS close, "
                   "1.0 AS volume, i < 20 AS history FROM range(30) r(i)");
  tu_write_file(q, "time,symbol,open,high,low,close,volume,history\n"
                   "2025-10-01T00:00:00Z,BTCUSDT,1,2,0.5,1.5,1,true\n"
                   "2025-10-01T00:01:00Z,BTCUSDT,1,2,0.5,1.5,1,\n"
                   "2025-10-01T00:02:00Z,BTCUSDT,1,2,0.5,1.5,1,false\n");
  const char *files[2] = {p, q};
  const int want_hist[2] = {20, 1}, want_live[2] = {10, 2};
  const int64_t want_clock[2] = {T0 + 10 * MIN, T0 + MIN};
  for (int k = 0; k < 2; k++) {
    argo__waker w;
    argo__waker_init(&w);
    seen sn = {0};
    argo__settings s = settings(files[k], btc_eth, 1);
    argo__feed f;
    char err[512];
    argo__feed_hooks hooks = {.error = on_error, .user = &sn};
    CHECK_MSG(argo__feed_replay_open(&f, &s, &w, &hooks, err, sizeof err) == ARGO_OK, "%s", err);
    CHECK_EQ_INT(want_clock[k], f.ops->clock_start(f.impl));
    int r, hist = 0, live = 0;
    int64_t last = 0;
    argo_candle c;
    while ((r = f.ops->next(f.impl, &c, err, sizeof err)) > 0) {
      CHECK(c.time > last);
      last = c.time;
      if (r == ARGO_FEED_HISTORY) {
        CHECK_MSG(live == 0, "a history row after a live one, at %lld", (long long)c.time);
        hist++;
      } else {
        CHECK_EQ_INT(ARGO_FEED_CANDLE, r);
        live++;
      }
    }
    CHECK_MSG(r == ARGO_FEED_END, "next returned %d: %s", r, err);
    CHECK_EQ_INT(want_hist[k], hist);
    CHECK_EQ_INT(want_live[k], live);
    CHECK_EQ_INT(0, sn.nerr);
    f.ops->close(f.impl);
    argo__waker_deinit(&w);
  }
  tu_rm_rf(dir);
}

TEST(replay_csv_takes_iso_text_and_epoch_milliseconds) {
  setup_dir();
  const char *p = path_of("candles.csv");
  tu_write_file(p, "symbol,time,open,high,low,close,volume,extra\n"
                   "BTCUSDT,2025-10-01T00:00:00Z,10,12,9,11,1.5,x\n"
                   "BTCUSDT,2025-10-01 00:01:00,11,12,10,11.5,2,y\n"
                   "BTCUSDT,2025-10-01T02:02:00+02:00,11,12,10,11.5,2,z\n"
                   "BTCUSDT,1759276980000,11,12,10,11.5,0,\n"
                   "BTCUSDT,2025-10-01,11,12,10,11.5,0,\n");
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  char *btc[] = {"BTCUSDT"};
  argo__settings s = settings(p, btc, 1);
  /* The last row (midnight) duplicates the first. */
  CHECK_EQ_INT(4, replay_all(&s, &w, &sn, NULL));
  for (int i = 0; i < 4; i++) {
    CHECK_EQ_INT(T0 + i * MIN, g.c[i].time);
  }
  CHECK_NEAR(1.5, g.c[0].volume, 0);
  CHECK_EQ_INT(2, sn.nerr);
  CHECK_CONTAINS(sn.errs[0], "row 5 (BTCUSDT, 2025-10-01T00:00:00Z): duplicate of row 1 (same");
  CHECK_CONTAINS(sn.errs[1], "candles.csv': 4 rows replayed, 1 skipped (1 duplicates)");
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

TEST(replay_filters_symbols_and_the_time_range) {
  setup_dir();
  const char *p = path_of("three.parquet");
  write_parquet(p, "SELECT TIMESTAMP '2025-10-01 00:00:00' + INTERVAL (i // 3) MINUTE AS time, "
                   "['BTCUSDT', 'ETHUSDT', 'SOLUSDT'][i % 3 + 1] AS symbol, 1.0 AS open, "
                   "2.0 AS high, 0.5 AS low, 1.5 AS close, 1.0 AS volume FROM range(300) r(i)");
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  char *sol_eth[] = {"SOLUSDT", "ETHUSDT"};
  argo__settings s = settings(p, sol_eth, 2);
  s.has_start = 1;
  s.start_us = T0 + 10 * MIN;
  s.end_us = T0 + 20 * MIN;
  int64_t clock = 0;
  CHECK_EQ_INT(20, replay_all(&s, &w, &sn, &clock));
  CHECK_EQ_INT(T0 + 10 * MIN, clock);
  for (int i = 0; i < 20; i++) {
    CHECK_EQ_INT(T0 + (10 + i / 2) * MIN, g.c[i].time);
    CHECK_STR(i % 2 ? "SOLUSDT" : "ETHUSDT", g.sym[i]); /* file order, not list order */
  }
  CHECK_EQ_INT(0, sn.nerr);
  /* Only an end. */
  s.has_start = 0;
  s.end_us = T0 + 2 * MIN;
  CHECK_EQ_INT(4, replay_all(&s, &w, &sn, &clock));
  CHECK_EQ_INT(T0, clock);
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

#define BAD_CSV                                                                                    \
  "time,symbol,open,high,low,close,volume\n"                                                       \
  "2025-10-01T00:00:00Z,BTCUSDT,10,12,9,11,1\n"   /* row 1: good */                                \
  "2025-10-01T00:01:00Z,BTCUSDT,10,12,9,11,1\n"   /* row 2: good */                                \
  "2025-10-01T00:01:00Z,BTCUSDT,10,12,9,11,7\n"   /* row 3: duplicate */                           \
  "2025-10-01T00:00:30Z,BTCUSDT,10,12,9,11,1\n"   /* row 4: out of order, replayed in its place */ \
  "2025-10-01T00:02:00Z,BTCUSDT,NaN,12,9,11,1\n"  /* row 5: NaN */                                 \
  "2025-10-01T00:02:00Z,BTCUSDT,10,12,9,11,1\n"   /* row 6: good (row 5 did not count) */          \
  "2025-10-01T00:03:00Z,BTCUSDT,-1,12,9,11,1\n"   /* row 7: negative price */                      \
  "2025-10-01T00:04:00Z,BTCUSDT,10,8,9,8.5,1\n"   /* row 8: high below low */                      \
  "2025-10-01T00:05:00Z,BTCUSDT,10,12,9,11,\n"    /* row 9: no volume */                           \
  "not a time,BTCUSDT,10,12,9,11,1\n"             /* row 10: bad time */                           \
  "2025-10-01T00:06:00Z,BTCUSDT,abc,12,9,11,1\n"  /* row 11: not a number */                       \
  "2025-10-01T00:06:00Z,ETHUSDT,10,12,9,11,1\n"   /* row 12: good (another symbol) */              \
  "2025-10-01T00:07:00Z,BTCUSDT,10,12,9,11,1\n"   /* row 13: good */                               \
  "2025-10-01T00:08:00Z,BTCUSDT,10,12,9,13,1\n"   /* row 14: close above high */                   \
  "2025-10-01T00:09:00Z,BTCUSDT,10,12,9,11,inf\n" /* row 15: infinite volume */

TEST(replay_reports_and_skips_duplicate_and_bad_rows_and_sorts_rows_out_of_order) {
  setup_dir();
  const char *p = path_of("bad.csv");
  tu_write_file(p, BAD_CSV);
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  argo__settings s = settings(p, btc_eth, 2);
  CHECK_EQ_INT(6, replay_all(&s, &w, &sn, NULL));
  static const int64_t want_us[] = {0, MIN / 2, MIN, 2 * MIN, 6 * MIN, 7 * MIN};
  for (int i = 0; i < 6; i++) {
    CHECK_EQ_INT(T0 + want_us[i], g.c[i].time);
  }
  CHECK_STR("ETHUSDT", g.sym[4]);
  CHECK_NEAR(1, g.c[2].volume, 0); /* the first of the two 00:01 rows */
  CHECK_EQ_INT(11, sn.nerr);
  /* Reported in the order of the replay: the row without a time first, then by time; row 4,
   * earlier than row 2 before it, is replayed in its place, and said once. */
  CHECK_CONTAINS(sn.errs[0], "row 10 (BTCUSDT, no time): the time is missing or not a time");
  CHECK_CONTAINS(sn.errs[1], "row 4 (BTCUSDT, 2025-10-01T00:00:30Z): comes after a row of this "
                             "symbol at 2025-10-01T00:01:00Z in the file: the file is not in "
                             "time order; its rows are replayed in time order");
  CHECK_CONTAINS(sn.errs[2], "row 3 (BTCUSDT, 2025-10-01T00:01:00Z): duplicate of row 2");
  CHECK_CONTAINS(sn.errs[3], "row 5 (BTCUSDT, 2025-10-01T00:02:00Z): a price or the volume is "
                             "not finite");
  CHECK_CONTAINS(sn.errs[4], "row 7 (BTCUSDT, 2025-10-01T00:03:00Z): a price is not positive");
  CHECK_CONTAINS(sn.errs[5], "row 8 (BTCUSDT, 2025-10-01T00:04:00Z): high is below low");
  CHECK_CONTAINS(sn.errs[6], "row 9 (BTCUSDT, 2025-10-01T00:05:00Z): a price or the volume is "
                             "missing");
  CHECK_CONTAINS(sn.errs[7], "row 11 (BTCUSDT, 2025-10-01T00:06:00Z): a price or the volume is "
                             "missing or not a number");
  CHECK_CONTAINS(sn.errs[8], "row 14 (BTCUSDT, 2025-10-01T00:08:00Z): open or close is outside");
  CHECK_CONTAINS(sn.errs[9], "row 15 (BTCUSDT, 2025-10-01T00:09:00Z): a price or the volume is "
                             "not finite");
  CHECK_CONTAINS(sn.errs[10], "bad.csv': 6 rows replayed, 9 skipped (8 with a bad or missing "
                              "value, 1 duplicates); 1 rows were not in time order in the file "
                              "and were replayed in time order");
  for (int i = 0; i < 10; i++) {
    CHECK_CONTAINS(sn.errs[i], p);
    if (i != 1) {
      CHECK_CONTAINS(sn.errs[i], "; skipped");
    }
  }
  /* Without an error hook the same problems come back as ARGO_FEED_SKIP. */
  argo__feed f;
  char err[512];
  CHECK_EQ_INT(ARGO_OK, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  int candles = 0, skips = 0, r;
  argo_candle c;
  while ((r = f.ops->next(f.impl, &c, err, sizeof err)) != ARGO_FEED_END) {
    CHECK_MSG(r == ARGO_FEED_CANDLE || r == ARGO_FEED_SKIP, "next returned %d", r);
    if (r == ARGO_FEED_SKIP) {
      CHECK_CONTAINS(err, skips == 1    ? "not in time order"
                          : skips == 10 ? "replayed"
                                        : "; skipped");
      skips++;
    } else {
      candles++;
    }
  }
  CHECK_EQ_INT(6, candles);
  CHECK_EQ_INT(11, skips); /* 9 rows, the note on the order, the summary */
  f.ops->close(f.impl);
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

TEST(replay_rows_outside_1970_to_9999_are_reported_and_skipped) {
  setup_dir();
  const char *p = path_of("far.csv");
  /* Before, the rows at or before the epoch reached the engine, which dropped them without a
   * word, and the year-10000 row made a day folder "10000-01-0". */
  tu_write_file(p, "time,symbol,open,high,low,close,volume\n"
                   "1969-12-31T23:59:00Z,BTCUSDT,1,2,0.5,1,1\n"
                   "0,BTCUSDT,1,2,0.5,1,1\n"
                   "2025-10-01T00:00:00Z,BTCUSDT,1,2,0.5,1,1\n"
                   "10000-01-01T00:00:00Z,BTCUSDT,1,2,0.5,1,1\n"
                   "2025-10-01T00:01:00Z,BTCUSDT,1,2,0.5,1,1\n");
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  argo__settings s = settings(p, btc_eth, 2);
  int64_t clock = 0;
  CHECK_EQ_INT(2, replay_all(&s, &w, &sn, &clock));
  CHECK_EQ_INT(T0, clock);
  CHECK_EQ_INT(4, sn.nerr); /* and the summary */
  CHECK_CONTAINS(sn.errs[0], "row 1 (BTCUSDT, 1969-12-31T23:59:00Z): the time is not after "
                             "1970-01-01T00:00:00Z and before 10000-01-01T00:00:00Z; skipped");
  CHECK_CONTAINS(sn.errs[1], "row 2 (BTCUSDT, 1970-01-01T00:00:00Z): the time is not after");
  CHECK_CONTAINS(sn.errs[2], "row 4 (BTCUSDT, 10000-01-01T00:00:00Z): the time is not after");
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

TEST(replay_skips_ragged_csv_rows_with_their_line_wherever_they_are) {
  setup_dir();
  /* A field missing and one too many near the top: the whole file was refused, "lacks the
   * column(s) time, symbol, ..." (DuckDB took the file for one column). */
  const char *p = path_of("ragged.csv");
  tu_write_file(p, "time,symbol,open,high,low,close,volume\n"
                   "2025-10-01T00:00:00Z,BTCUSDT,1,2,0.5,1,1\n"
                   "2025-10-01T00:01:00Z,BTCUSDT,1,2,0.5,1\n"
                   "2025-10-01T00:02:00Z,BTCUSDT,1,2,0.5,1,1\n"
                   "2025-10-01T00:03:00Z,BTCUSDT,1,2,0.5,1,1,9\n"
                   "2025-10-01T00:04:00Z,BTCUSDT,1,2,0.5,1,1\n"
                   "2025-10-01T00:04:00Z,BTCUSDT,1,2,0.5,1,7\n");
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  char *btc[] = {"BTCUSDT"};
  argo__settings s = settings(p, btc, 1);
  CHECK_EQ_INT(3, replay_all(&s, &w, &sn, NULL));
  CHECK_EQ_INT(T0 + 4 * MIN, g.c[2].time);
  CHECK_NEAR(1, g.c[2].volume, 0);
  CHECK_EQ_INT(4, sn.nerr);
  CHECK_CONTAINS(sn.errs[0], "ragged.csv': row 2 (line 3): not readable as a row: 6 fields where "
                             "the header has 7; skipped");
  CHECK_CONTAINS(sn.errs[1], "row 4 (line 5): not readable as a row: 8 fields where the header "
                             "has 7; skipped");
  /* The rows after them keep their numbers in the file. */
  CHECK_CONTAINS(sn.errs[2], "row 6 (BTCUSDT, 2025-10-01T00:04:00Z): duplicate of row 5");
  CHECK_CONTAINS(sn.errs[3], "ragged.csv': 3 rows replayed, 3 skipped (2 not readable as a row "
                             "of the file, 1 duplicates)");
  /* Deep in a large file (past DuckDB's sample of the first rows): "CSV Error on Line: 30000"
   * ended the replay before. */
  const char *big = path_of("big.csv");
  FILE *f = fopen(big, "w");
  CHECK(f != NULL);
  fputs("time,symbol,open,high,low,close,volume\n", f);
  for (int i = 0; i < 40000; i++) {
    long long ms = 1759276800000LL + (long long)i * 60000;
    int line = i + 2;
    if (line == 30000) {
      fprintf(f, "%lld,BTCUSDT,1,2,0.5,1\n", ms);
    } else if (line == 35001) {
      fprintf(f, "%lld,BTCUSDT,1,2,0.5,1,1,1\n", ms);
    } else if (line == 39000) {
      fprintf(f, "%lld,BTCUSDT,1,2,0.5,1,1\n", ms - 60000); /* duplicate of line 38999 */
    } else {
      fprintf(f, "%lld,BTCUSDT,1,2,0.5,1,1\n", ms);
    }
  }
  fclose(f);
  memset(&sn, 0, sizeof sn);
  s = settings(big, btc, 1);
  CHECK_EQ_INT(39997, replay_all(&s, &w, &sn, NULL));
  CHECK_EQ_INT(4, sn.nerr);
  CHECK_CONTAINS(sn.errs[0], "row 29999 (line 30000): not readable as a row: 6 fields");
  CHECK_CONTAINS(sn.errs[1], "row 35000 (line 35001): not readable as a row: 8 fields");
  CHECK_CONTAINS(sn.errs[2], "row 38999 (BTCUSDT, 2025-10-28T01:57:00Z): duplicate of row 38998");
  CHECK_CONTAINS(sn.errs[3], "39997 rows replayed, 3 skipped");
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

TEST(replay_of_a_file_sorted_newest_first_replays_every_row_in_time_order) {
  setup_dir();
  const char *p = path_of("newest-first.csv");
  FILE *f = fopen(p, "w");
  CHECK(f != NULL);
  fputs("time,symbol,open,high,low,close,volume\n", f);
  for (int i = 1199; i >= 0; i--) {
    fprintf(f, "%lld,BTCUSDT,1,2,0.5,1,%d\n", 1759276800000LL + (long long)i * 60000, i);
  }
  fclose(f);
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  char *btc[] = {"BTCUSDT"};
  argo__settings s = settings(p, btc, 1);
  int64_t clock = 0;
  /* Before, the first row replayed and the 1,199 others were skipped one by one as out of
   * order; the replay ended with exit 0. */
  CHECK_EQ_INT(1200, replay_all(&s, &w, &sn, &clock));
  CHECK_EQ_INT(T0, clock);
  for (int i = 0; i < 1200; i++) {
    CHECK_EQ_INT(T0 + i * MIN, g.c[i].time);
    CHECK_NEAR(i, g.c[i].volume, 0);
  }
  /* Said once, and counted at the end. */
  CHECK_EQ_INT(2, sn.nerr);
  CHECK_CONTAINS(sn.errs[0], "newest-first.csv': row 1200 (BTCUSDT, 2025-10-01T00:00:00Z): comes "
                             "after a row of this symbol at 2025-10-01T19:59:00Z in the file: the "
                             "file is not in time order; its rows are replayed in time order");
  CHECK_CONTAINS(sn.errs[1], "newest-first.csv': 1200 rows replayed, 0 skipped; 1199 rows were "
                             "not in time order in the file and were replayed in time order");
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

TEST(replay_finds_duplicates_among_other_symbols_rows) {
  setup_dir();
  const char *p = path_of("interleaved.csv");
  tu_write_file(p, "time,symbol,open,high,low,close,volume\n"
                   "1759276800000,BTCUSDT,1,2,0.5,1,1\n"
                   "1759276800000,ETHUSDT,1,2,0.5,1,1\n"
                   "1759276800000,BTCUSDT,1,2,0.5,1,9\n"
                   "1759276860000,ETHUSDT,1,2,0.5,1,1\n"
                   "1759276860000,BTCUSDT,1,2,0.5,1,1\n");
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  argo__settings s = settings(p, btc_eth, 2);
  CHECK_EQ_INT(4, replay_all(&s, &w, &sn, NULL));
  CHECK_EQ_INT(2, sn.nerr); /* and the summary */
  CHECK_CONTAINS(sn.errs[0], "row 3 (BTCUSDT, 2025-10-01T00:00:00Z): duplicate of row 1");
  CHECK_NEAR(1, g.c[0].volume, 0);
  CHECK_STR("ETHUSDT", g.sym[2]); /* file order within a time */
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

TEST(replay_reports_the_rows_skipped_before_the_first_candle_in_next) {
  setup_dir();
  const char *p = path_of("leading.csv");
  /* 150 rows without a usable time (sorted first), then one candle. */
  FILE *f = fopen(p, "w");
  CHECK(f != NULL);
  fputs("time,symbol,open,high,low,close,volume\n", f);
  for (int i = 0; i < 150; i++) {
    fputs("never,BTCUSDT,1,2,0.5,1,1\n", f);
  }
  fputs("2025-10-01T00:00:00Z,BTCUSDT,1,2,0.5,1,1\n", f);
  fclose(f);
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  argo__settings s = settings(p, btc_eth, 2);
  int64_t clock = 0;
  CHECK_EQ_INT(1, replay_all(&s, &w, &sn, &clock));
  CHECK_EQ_INT(T0, clock);
  /* Reported by next(), not by open(): the first 100 one by one, then a count. */
  CHECK_EQ_INT(102, sn.nerr);
  CHECK_CONTAINS(sn.errs[0], "row 1 (BTCUSDT, no time): the time is missing or not a time");
  CHECK_CONTAINS(sn.errs[63], "row 64 (BTCUSDT, no time)");
  CHECK_CONTAINS(sn.before_last, "leading.csv': 50 more rows before the first candle were "
                                 "skipped");
  CHECK_CONTAINS(sn.last, "leading.csv': 1 rows replayed, 150 skipped (150 with a bad or missing "
                          "value)");
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

TEST(replay_streams_a_large_file_in_chunks) {
  setup_dir();
  const char *p = path_of("large.parquet");
  /* 50 000 rows over many chunks, each time's ETHUSDT row before its BTCUSDT row. */
  write_parquet(p, "SELECT TIMESTAMP '2025-10-01 00:00:00' + INTERVAL (i // 2) SECOND "
                   "AS time, CASE WHEN i % 2 = 0 THEN 'ETHUSDT' ELSE 'BTCUSDT' END AS symbol, "
                   "1.0 AS open, 2.0 AS high, 0.5 AS low, 1.5 AS close, 3.0 AS volume "
                   "FROM range(50000) r(i)");
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  argo__settings s = settings(p, btc_eth, 2);
  CHECK_EQ_INT(50000, replay_all(&s, &w, &sn, NULL));
  CHECK_EQ_INT(0, sn.nerr);
  for (int i = 0; i < 50000; i++) {
    CHECK_EQ_INT(T0 + (int64_t)(i / 2) * 1000000, g.c[i].time);
    CHECK_STR(i % 2 ? "BTCUSDT" : "ETHUSDT", g.sym[i]);
  }
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

TEST(replay_symbols_lists_the_distinct_symbols_sorted) {
  setup_dir();
  const char *p = path_of("syms.parquet");
  write_parquet(p, "SELECT TIMESTAMP '2025-10-01' + INTERVAL (i) MINUTE AS time, "
                   "CASE WHEN i = 7 THEN NULL ELSE ['SOLUSDT', 'BTCUSDT', 'ETHUSDT'][i % 3 + 1] "
                   "END AS symbol, 1.0 AS open, 2.0 AS high, 0.5 AS low, 1.5 AS close, "
                   "1.0 AS volume FROM range(30) r(i)");
  char **syms = NULL;
  size_t n = 0;
  char err[512];
  CHECK_MSG(argo__feed_replay_symbols(p, &syms, &n, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(3, n);
  CHECK_STR("BTCUSDT", syms[0]);
  CHECK_STR("ETHUSDT", syms[1]);
  CHECK_STR("SOLUSDT", syms[2]);
  argo__feed_replay_symbols_free(syms, n);
  /* The same for a CSV file. */
  const char *q = path_of("syms.csv");
  tu_write_file(q, "time,symbol,open,high,low,close,volume\n"
                   "1759276800000,ZZZ,1,2,0.5,1,1\n1759276800000,AAA,1,2,0.5,1,1\n");
  CHECK_MSG(argo__feed_replay_symbols(q, &syms, &n, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(2, n);
  CHECK_STR("AAA", syms[0]);
  CHECK_STR("ZZZ", syms[1]);
  argo__feed_replay_symbols_free(syms, n);
  argo__feed_replay_symbols_free(NULL, 0);
  /* Errors name the file. */
  CHECK_EQ_INT(ARGO_EIO,
               argo__feed_replay_symbols(path_of("none.parquet"), &syms, &n, err, sizeof err));
  CHECK_CONTAINS(err, "none.parquet");
  CHECK(syms == NULL && n == 0);
  tu_rm_rf(dir);
}

TEST(replay_unreadable_corrupt_or_unsuitable_files_fail_at_open_naming_the_file) {
  setup_dir();
  argo__waker w;
  argo__waker_init(&w);
  argo__feed f;
  char err[512];
  argo__settings s = settings(path_of("missing.parquet"), btc_eth, 2);
  CHECK_EQ_INT(ARGO_EIO, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "cannot open replay file '");
  CHECK_CONTAINS(err, "missing.parquet': No such file or directory");
  /* A folder. */
  s.replay_file = dir;
  CHECK_EQ_INT(ARGO_EIO, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "Is a directory");
  /* Parquet magic, then garbage. */
  const char *p = path_of("corrupt.parquet");
  tu_write_file(p, "PAR1 this is not a parquet file at all, it only starts like one");
  s.replay_file = (char *)p;
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "cannot read replay file '");
  CHECK_CONTAINS(err, "corrupt.parquet' as Parquet: ");
  CHECK(!strchr(err, '\n'));
  /* A truncated real Parquet file. */
  const char *good = path_of("good.parquet");
  write_parquet(good, GROUPED);
  char *bytes = tu_read_file(good);
  CHECK(bytes != NULL);
  FILE *fp = fopen(p, "wb");
  CHECK(fp != NULL);
  fwrite(bytes, 1, 200, fp);
  fclose(fp);
  free(bytes);
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "corrupt.parquet' as Parquet: ");
  /* Empty. */
  const char *e = path_of("empty.csv");
  tu_write_file(e, "");
  s.replay_file = (char *)e;
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "empty.csv' is empty");
  /* Missing columns. */
  const char *m = path_of("cols.csv");
  tu_write_file(m, "time,symbol,open,low,close\n1759276800000,BTCUSDT,1,1,1\n");
  s.replay_file = (char *)m;
  CHECK_EQ_INT(ARGO_EFEED, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "cols.csv' lacks the column(s) high, volume");
  /* No candle of the requested symbols, or none in the range. */
  char *doge[] = {"DOGEUSDT"};
  s = settings(good, doge, 1);
  CHECK_EQ_INT(ARGO_EFEED, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "good.parquet' holds no valid candle of the requested symbols");
  s = settings(good, btc_eth, 2);
  s.has_start = 1;
  s.start_us = T0 + 1000 * MIN;
  CHECK_EQ_INT(ARGO_EFEED, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "in the requested time range");
  /* No file at all, and no symbols. */
  s = settings("", btc_eth, 2);
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "market_data.replay_file");
  s = settings(good, btc_eth, 0);
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

TEST(replay_path_with_quotes_is_quoted_not_pasted) {
  setup_dir();
  const char *p = path_of("it's a \"file\"; DROP TABLE x; --.csv");
  tu_write_file(p, "time,symbol,open,high,low,close,volume\n1759276800000,BTCUSDT,1,2,0.5,1,1\n");
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  argo__settings s = settings(p, btc_eth, 2);
  CHECK_EQ_INT(1, replay_all(&s, &w, &sn, NULL));
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

TEST(replay_paces_real_time_times_speed_and_stops_promptly) {
  setup_dir();
  const char *p = path_of("pace.parquet");
  /* Six distinct one-second times, two symbols each. */
  write_parquet(p, "SELECT TIMESTAMP '2025-10-01' + INTERVAL (i // 2) SECOND AS time, "
                   "CASE WHEN i % 2 = 0 THEN 'BTCUSDT' ELSE 'ETHUSDT' END AS symbol, 1.0 AS open, "
                   "2.0 AS high, 0.5 AS low, 1.5 AS close, 1.0 AS volume FROM range(12) r(i)");
  argo__waker w;
  argo__waker_init(&w);
  seen sn = {0};
  argo__settings s = settings(p, btc_eth, 2);
  s.speed = 50; /* 20 ms per second of market time: 5 waits take at least 100 ms */
  int64_t t0 = argo__mono_us();
  CHECK_EQ_INT(12, replay_all(&s, &w, &sn, NULL));
  int64_t took = argo__mono_us() - t0;
  CHECK_MSG(took >= 100000, "took %lld us", (long long)took);
  CHECK_MSG(took < 5000000, "took %lld us", (long long)took);
  /* A stop during a long wait ends the feed. */
  s.speed = 0.001;
  argo__feed f;
  char err[512];
  CHECK_EQ_INT(ARGO_OK, argo__feed_replay_open(&f, &s, &w, NULL, err, sizeof err));
  argo_candle c;
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c, err, sizeof err));
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c, err, sizeof err)); /* same time */
  argo__waker_signal(&w);
  t0 = argo__mono_us();
  CHECK_EQ_INT(ARGO_FEED_END, f.ops->next(f.impl, &c, err, sizeof err));
  CHECK(argo__mono_us() - t0 < 1000000);
  f.ops->close(f.impl);
  argo__waker_deinit(&w);
  tu_rm_rf(dir);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(replay_parquet_of_a_session_replays_in_time_then_file_order);
  RUN(replay_gives_history_rows_as_warm_up_and_starts_the_clock_after_them);
  RUN(replay_csv_takes_iso_text_and_epoch_milliseconds);
  RUN(replay_filters_symbols_and_the_time_range);
  RUN(replay_reports_and_skips_duplicate_and_bad_rows_and_sorts_rows_out_of_order);
  RUN(replay_rows_outside_1970_to_9999_are_reported_and_skipped);
  RUN(replay_skips_ragged_csv_rows_with_their_line_wherever_they_are);
  RUN(replay_of_a_file_sorted_newest_first_replays_every_row_in_time_order);
  RUN(replay_finds_duplicates_among_other_symbols_rows);
  RUN(replay_reports_the_rows_skipped_before_the_first_candle_in_next);
  RUN(replay_streams_a_large_file_in_chunks);
  RUN(replay_symbols_lists_the_distinct_symbols_sorted);
  RUN(replay_unreadable_corrupt_or_unsuitable_files_fail_at_open_naming_the_file);
  RUN(replay_path_with_quotes_is_quoted_not_pasted);
  RUN(replay_paces_real_time_times_speed_and_stops_promptly);
  return test_summary();
}
