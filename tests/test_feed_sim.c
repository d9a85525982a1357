/* Simulated feed: reproducible, independent per symbol, valid candles, patterns, pacing. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "test.h"
#include "util/util.h"

static char *syms2[] = {"BTCUSDT", "ETHUSDT"};
static char *syms1[] = {"ETHUSDT"};

static argo__settings settings(char **syms, size_t n, uint64_t seed, int64_t bars,
                               const char *pattern, double speed, int64_t interval_us) {
  argo__settings s;
  memset(&s, 0, sizeof s);
  s.symbols = syms;
  s.nsymbols = n;
  s.seed = seed;
  s.bars = bars;
  s.pattern = (char *)pattern;
  s.speed = speed;
  s.interval_us = interval_us;
  s.has_start = 1;
  s.start_us = 1759276800000000LL; /* 2025-10-01T00:00:00Z */
  return s;
}

static int collect(argo__settings *s, argo__waker *w, argo_candle *out, int max) {
  argo__feed f;
  char err[256];
  CHECK_MSG(argo__feed_sim_open(&f, s, w, err, sizeof err) == ARGO_OK, "%s", err);
  int n = 0;
  argo_candle c;
  while (n < max && f.ops->next(f.impl, &c, err, sizeof err) == ARGO_FEED_CANDLE) {
    out[n++] = c;
  }
  f.ops->close(f.impl);
  return n;
}

static argo_candle a[20000], b[20000];

TEST(sim_same_seed_same_candles_other_seed_other_candles) {
  argo__waker w;
  argo__waker_init(&w);
  argo__settings s = settings(syms2, 2, 7, 500, "volatile", 0, 60000000);
  int n = collect(&s, &w, a, 20000);
  CHECK_EQ_INT(1000, n);
  CHECK_EQ_INT(n, collect(&s, &w, b, 20000));
  for (int i = 0; i < n; i++) {
    CHECK(a[i].time == b[i].time && a[i].close == b[i].close && a[i].high == b[i].high);
  }
  s.seed = 8;
  collect(&s, &w, b, 20000);
  int differ = 0;
  for (int i = 0; i < n; i++) {
    differ += a[i].close != b[i].close;
  }
  CHECK(differ > n / 2);
  argo__waker_deinit(&w);
}

TEST(sim_symbols_are_independent_of_each_other) {
  argo__waker w;
  argo__waker_init(&w);
  argo__settings two = settings(syms2, 2, 7, 300, "volatile", 0, 60000000);
  argo__settings one = settings(syms1, 1, 7, 300, "volatile", 0, 60000000);
  collect(&two, &w, a, 20000);
  collect(&one, &w, b, 20000);
  for (int i = 0; i < 300; i++) {
    CHECK(a[2 * i + 1].close == b[i].close);
  }
  argo__waker_deinit(&w);
}

TEST(sim_candles_are_valid_ordered_and_count_right) {
  argo__waker w;
  argo__waker_init(&w);
  const char *pats[] = {"increasing", "decreasing", "volatile"};
  for (int p = 0; p < 3; p++) {
    argo__settings s = settings(syms2, 2, 42, 10000, pats[p], 0, 1000000);
    int n = collect(&s, &w, a, 20000);
    CHECK_EQ_INT(20000, n);
    for (int i = 0; i < n; i++) {
      const argo_candle *c = &a[i];
      CHECK(isfinite(c->open) && isfinite(c->high) && isfinite(c->low) && isfinite(c->close));
      CHECK(c->low > 0 && c->volume > 0);
      CHECK(c->high >= c->open && c->high >= c->close && c->low <= c->open && c->low <= c->close);
      CHECK_EQ_INT(1759276800000000LL + (int64_t)(i / 2) * 1000000, c->time);
      if (i >= 2) {
        CHECK(c->open == a[i - 2].close);
      }
    }
    if (p == 0) {
      CHECK(a[n - 2].close > a[0].open * 1.5);
    } else if (p == 1) {
      CHECK(a[n - 2].close < a[0].open / 1.5);
    } else {
      /* volatile stays around its base */
      CHECK(a[n - 2].close > a[0].open / 2 && a[n - 2].close < a[0].open * 2);
    }
  }
  CHECK_NEAR(60000, a[0].open, 1e-9);
  CHECK_NEAR(3000, a[1].open, 1e-9);
  argo__waker_deinit(&w);
}

TEST(sim_paces_real_time_times_speed_and_stops_promptly) {
  argo__waker w;
  argo__waker_init(&w);
  /* 1s candles at speed 50: 20 ms per step; 6 steps take at least 100 ms. */
  argo__settings s = settings(syms1, 1, 1, 6, "volatile", 50, 1000000);
  int64_t t0 = argo__mono_us();
  CHECK_EQ_INT(6, collect(&s, &w, a, 100));
  int64_t took = argo__mono_us() - t0;
  CHECK_MSG(took >= 100000, "took %lld us", (long long)took);
  /* A stop during a long wait ends the feed. */
  argo__settings slow = settings(syms1, 1, 1, 10, "volatile", 0.001, 1000000);
  argo__feed f;
  char err[256];
  CHECK(argo__feed_sim_open(&f, &slow, &w, err, sizeof err) == ARGO_OK);
  argo_candle c;
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c, err, sizeof err));
  argo__waker_signal(&w);
  t0 = argo__mono_us();
  CHECK_EQ_INT(ARGO_FEED_END, f.ops->next(f.impl, &c, err, sizeof err));
  CHECK(argo__mono_us() - t0 < 5000000);
  f.ops->close(f.impl);
  argo__waker_deinit(&w);
}

int main(void) {
  RUN(sim_same_seed_same_candles_other_seed_other_candles);
  RUN(sim_symbols_are_independent_of_each_other);
  RUN(sim_candles_are_valid_ordered_and_count_right);
  RUN(sim_paces_real_time_times_speed_and_stops_promptly);
  return test_summary();
}
