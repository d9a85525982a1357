/* Simulated feed: reproducible, independent per symbol, valid candles, patterns, count and
 * order, defaults, pacing and stop. Settings are built by hand (no config module). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "feeds/feed.h"
#include "feeds/registry.h"
#include "test.h"
#include "util/util.h"

#define START INT64_C(1759276800000000) /* 2025-10-01T00:00:00Z */
#define MINUTE INT64_C(60000000)

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
  s.start_us = START;
  return s;
}

static argo__feed open_feed(const argo__settings *s, argo__waker *w) {
  argo__feed f;
  char err[256] = "";
  argo_err rc = argo__feed_sim_open(&f, s, w, err, sizeof err);
  CHECK_MSG(rc == ARGO_OK, "open failed (%d): %s", (int)rc, err);
  CHECK_STR("sim", f.ops->name);
  return f;
}

/* Reads up to max candles; also checks that a finished feed stays finished. */
static int collect(const argo__settings *s, argo__waker *w, argo_candle *out, int max) {
  argo__feed f = open_feed(s, w);
  char err[256];
  int n = 0, rc = ARGO_FEED_CANDLE;
  argo_candle c;
  while (n < max && (rc = f.ops->next(f.impl, &c, err, sizeof err)) == ARGO_FEED_CANDLE) {
    /* The feed's symbol pointers die with it: keep the settings' equal string instead. */
    size_t j = 0;
    while (j < s->nsymbols && strcmp(s->symbols[j], c.symbol) != 0) {
      j++;
    }
    CHECK_MSG(j < s->nsymbols, "candle of unknown symbol '%s'", c.symbol);
    c.symbol = s->symbols[j];
    out[n++] = c;
  }
  if (rc == ARGO_FEED_END) {
    CHECK_EQ_INT(ARGO_FEED_END, f.ops->next(f.impl, &c, err, sizeof err));
  }
  f.ops->close(f.impl);
  return n;
}

static argo_candle a[20000], b[20000];

static int same_candle(const argo_candle *x, const argo_candle *y) {
  return strcmp(x->symbol, y->symbol) == 0 && x->time == y->time && x->open == y->open &&
         x->high == y->high && x->low == y->low && x->close == y->close && x->volume == y->volume;
}

TEST(sim_same_seed_same_candles_other_seed_other_candles) {
  argo__waker w;
  argo__waker_init(&w);
  argo__settings s = settings(syms2, 2, 7, 500, "volatile", 0, MINUTE);
  int n = collect(&s, &w, a, 20000);
  CHECK_EQ_INT(1000, n);
  CHECK_EQ_INT(n, collect(&s, &w, b, 20000));
  for (int i = 0; i < n; i++) {
    CHECK_MSG(same_candle(&a[i], &b[i]), "candle %d differs", i);
  }
  s.seed = 8;
  CHECK_EQ_INT(n, collect(&s, &w, b, 20000));
  int differ = 0;
  for (int i = 0; i < n; i++) {
    CHECK_EQ_INT(a[i].time, b[i].time); /* the clock does not depend on the seed */
    differ += a[i].close != b[i].close;
  }
  CHECK_MSG(differ > n - 4, "only %d of %d closes differ", differ, n);
  argo__waker_deinit(&w);
}

TEST(sim_symbols_are_independent_of_each_other) {
  argo__waker w;
  argo__waker_init(&w);
  argo__settings two = settings(syms2, 2, 7, 300, "volatile", 0, MINUTE);
  argo__settings one = settings(syms1, 1, 7, 300, "volatile", 0, MINUTE);
  char *three[] = {"SOLUSDT", "ETHUSDT", "BTCUSDT"};
  argo__settings other_order = settings(three, 3, 7, 300, "volatile", 0, MINUTE);
  CHECK_EQ_INT(600, collect(&two, &w, a, 20000));
  CHECK_EQ_INT(300, collect(&one, &w, b, 20000));
  for (int i = 0; i < 300; i++) {
    CHECK(same_candle(&a[2 * i + 1], &b[i]));
  }
  /* Adding a symbol and changing the order moves ETHUSDT's candles but does not change them. */
  CHECK_EQ_INT(900, collect(&other_order, &w, b, 20000));
  for (int i = 0; i < 300; i++) {
    CHECK(same_candle(&a[2 * i + 1], &b[3 * i + 1]));
    CHECK(same_candle(&a[2 * i], &b[3 * i + 2]));
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
      CHECK_STR(syms2[i % 2], c->symbol);
      CHECK(isfinite(c->open) && isfinite(c->high) && isfinite(c->low) && isfinite(c->close) &&
            isfinite(c->volume));
      CHECK_MSG(c->low > 0 && c->volume > 0, "candle %d: low %g volume %g", i, c->low, c->volume);
      CHECK_MSG(c->high >= c->open && c->high >= c->close && c->low <= c->open &&
                    c->low <= c->close,
                "candle %d: o %g h %g l %g c %g", i, c->open, c->high, c->low, c->close);
      CHECK_EQ_INT(START + (int64_t)(i / 2) * 1000000, c->time);
      if (i >= 2) {
        CHECK(c->open == a[i - 2].close); /* open = previous close of the same symbol */
      }
    }
    /* BTCUSDT over 10000 candles, seed 42 */
    double first = a[0].open, last = a[n - 2].close;
    if (p == 0) {
      CHECK_MSG(last > first * 1.5, "increasing went from %g to %g", first, last);
    } else if (p == 1) {
      CHECK_MSG(last < first / 1.5, "decreasing went from %g to %g", first, last);
    } else {
      /* volatile stays around its base */
      CHECK_MSG(last > first * 0.8 && last < first * 1.25, "volatile went from %g to %g", first,
                last);
    }
    CHECK_NEAR(60000, a[0].open, 0);
    CHECK_NEAR(3000, a[1].open, 0);
  }
  argo__waker_deinit(&w);
}

TEST(sim_trends_hold_for_other_seeds_and_symbols) {
  argo__waker w;
  argo__waker_init(&w);
  char *syms[] = {"SOLUSDT"};
  for (uint64_t seed = 1; seed <= 5; seed++) {
    argo__settings up = settings(syms, 1, seed, 2000, "increasing", 0, MINUTE);
    argo__settings down = settings(syms, 1, seed, 2000, "decreasing", 0, MINUTE);
    CHECK_EQ_INT(2000, collect(&up, &w, a, 20000));
    CHECK_EQ_INT(2000, collect(&down, &w, b, 20000));
    /* Drift 0.02 % x 2000 = +-40 % in log terms; the noise is about 4.5 %. */
    CHECK_MSG(a[1999].close > a[0].open * 1.2, "seed %llu: %g -> %g", (unsigned long long)seed,
              a[0].open, a[1999].close);
    CHECK_MSG(b[1999].close < b[0].open / 1.2, "seed %llu: %g -> %g", (unsigned long long)seed,
              b[0].open, b[1999].close);
  }
  argo__waker_deinit(&w);
}

/* A 10/30 moving-average cross on the volatile pattern: how often the averages cross. */
static int crosses(const argo_candle *c, int n, int stride) {
  int count = 0, state = 0;
  for (int i = 29; i < n; i++) {
    double fast = 0, slow = 0;
    for (int k = 0; k < 30; k++) {
      slow += c[(i - k) * stride].close;
      fast += k < 10 ? c[(i - k) * stride].close : 0;
    }
    int st = fast / 10 > slow / 30 ? 1 : -1;
    count += state != 0 && st != state;
    state = st;
  }
  return count;
}

TEST(sim_volatile_pattern_makes_moving_averages_cross_often) {
  argo__waker w;
  argo__waker_init(&w);
  argo__settings s = settings(syms2, 2, 42, 1000, "volatile", 0, MINUTE);
  CHECK_EQ_INT(2000, collect(&s, &w, a, 20000));
  int x = crosses(a, 1000, 2);
  CHECK_MSG(x >= 15, "only %d crosses in 1000 candles", x);
  argo__waker_deinit(&w);
}

TEST(sim_base_prices_come_from_the_symbol) {
  argo__waker w;
  argo__waker_init(&w);
  char *syms[] = {"BTCEUR", "ETHBTC", "SOLUSDT", "AAPL", "X"};
  argo__settings s = settings(syms, 5, 1, 1, "volatile", 0, MINUTE);
  CHECK_EQ_INT(5, collect(&s, &w, a, 20000));
  CHECK_NEAR(60000, a[0].open, 0);
  CHECK_NEAR(3000, a[1].open, 0);
  for (int i = 2; i < 5; i++) {
    CHECK_MSG(a[i].open >= 10 && a[i].open <= 500, "%s opens at %g", a[i].symbol, a[i].open);
  }
  /* The same for another seed. */
  s.seed = 99;
  CHECK_EQ_INT(5, collect(&s, &w, b, 20000));
  for (int i = 0; i < 5; i++) {
    CHECK_NEAR(a[i].open, b[i].open, 0);
  }
  argo__waker_deinit(&w);
}

TEST(sim_defaults_start_and_clock) {
  argo__waker w;
  argo__waker_init(&w);
  argo__settings s = settings(syms2, 2, 1, 3, NULL, 0, MINUTE);
  s.has_start = 0;
  s.start_us = 12345; /* ignored without has_start */
  argo__feed f = open_feed(&s, &w);
  CHECK_EQ_INT(START, f.ops->clock_start(f.impl));
  argo_candle c;
  char err[64];
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c, err, sizeof err));
  CHECK_EQ_INT(START, c.time);
  f.ops->close(f.impl);
  /* An explicit start moves both the clock and the first candle. */
  s.has_start = 1;
  s.start_us = START + 7 * MINUTE;
  f = open_feed(&s, &w);
  CHECK_EQ_INT(START + 7 * MINUTE, f.ops->clock_start(f.impl));
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c, err, sizeof err));
  CHECK_EQ_INT(START + 7 * MINUTE, c.time);
  CHECK_STR("BTCUSDT", c.symbol);
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c, err, sizeof err));
  CHECK_EQ_INT(START + 7 * MINUTE, c.time);
  CHECK_STR("ETHUSDT", c.symbol);
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c, err, sizeof err));
  CHECK_EQ_INT(START + 8 * MINUTE, c.time);
  f.ops->close(f.impl);
  f.ops->close(NULL);
  argo__waker_deinit(&w);
}

TEST(sim_symbols_outlive_the_settings) {
  argo__waker w;
  argo__waker_init(&w);
  char name[] = "BTCUSDT";
  char *syms[] = {name};
  argo__settings s = settings(syms, 1, 1, 5, "volatile", 0, MINUTE);
  argo__feed f = open_feed(&s, &w);
  argo_candle c1, c2;
  char err[64];
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c1, err, sizeof err));
  strcpy(name, "XXXXXXX");
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c2, err, sizeof err));
  CHECK_STR("BTCUSDT", c1.symbol);
  CHECK(c1.symbol == c2.symbol); /* one stable pointer per symbol */
  f.ops->close(f.impl);
  argo__waker_deinit(&w);
}

TEST(sim_zero_bars_runs_until_stopped) {
  argo__waker w;
  argo__waker_init(&w);
  argo__settings s = settings(syms2, 2, 3, 0, "volatile", 0, 1000000);
  s.end_us = START + 365 * 86400 * INT64_C(1000000); /* at full speed, an end is required */
  argo__feed f = open_feed(&s, &w);
  argo_candle c;
  char err[64];
  for (int i = 0; i < 100000; i++) {
    if (f.ops->next(f.impl, &c, err, sizeof err) != ARGO_FEED_CANDLE) {
      TEST_FAIL_("the feed ended after %d candles", i);
    }
  }
  CHECK_EQ_INT(START + 49999 * INT64_C(1000000), c.time);
  CHECK(isfinite(c.close) && c.close > 0);
  f.ops->close(f.impl);
  argo__waker_deinit(&w);
}

TEST(sim_rejects_bad_settings) {
  argo__waker w;
  argo__waker_init(&w);
  argo__feed f;
  char err[256];
  argo__settings s = settings(syms2, 0, 1, 10, "volatile", 0, MINUTE);
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_sim_open(&f, &s, &w, err, sizeof err));
  CHECK_CONTAINS(err, "at least one symbol");
  s = settings(syms2, 2, 1, 10, "volatile", 0, 0);
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_sim_open(&f, &s, &w, err, sizeof err));
  CHECK_CONTAINS(err, "interval");
  s = settings(syms2, 2, 1, 10, "sideways", 0, MINUTE);
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_sim_open(&f, &s, &w, err, sizeof err));
  CHECK_CONTAINS(err, "unknown market_data.pattern 'sideways'");
  s = settings(syms2, 2, 1, -1, "volatile", 0, MINUTE);
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_sim_open(&f, &s, &w, err, sizeof err));
  CHECK_CONTAINS(err, "bars");
  s = settings(syms2, 2, 1, 10, "volatile", NAN, MINUTE);
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_sim_open(&f, &s, &w, err, sizeof err));
  CHECK_CONTAINS(err, "speed");
  argo__waker_deinit(&w);
}

TEST(sim_endless_at_full_speed_is_refused_and_an_end_time_ends_it) {
  argo__waker w;
  argo__waker_init(&w);
  argo__feed f;
  char err[512];
  /* bars 0 at speed max wrote some 4,400 day folders in 30 s and never ended. */
  argo__settings s = settings(syms2, 2, 1, 0, "volatile", 0, MINUTE);
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_sim_open(&f, &s, &w, err, sizeof err));
  CHECK_CONTAINS(err, "the simulated feed would never end: market_data.bars is 0 (unlimited) and "
                      "market_data.speed is max");
  /* With an end time it stops before it, also with a number of bars that would go further. */
  s.end_us = START + 60 * MINUTE + 1;
  CHECK_EQ_INT(2 * 61, collect(&s, &w, a, 20000));
  CHECK_EQ_INT(START + 60 * MINUTE, a[2 * 61 - 1].time);
  s.bars = 1000;
  s.end_us = START + 30 * MINUTE;
  CHECK_EQ_INT(2 * 30, collect(&s, &w, a, 20000));
  s.end_us = START;
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_sim_open(&f, &s, &w, err, sizeof err));
  CHECK_CONTAINS(err, "market_data.end must be later than market_data.start");
  /* Paced in real time, an unlimited feed needs no end. */
  s = settings(syms2, 2, 1, 0, "volatile", 1, MINUTE);
  f = open_feed(&s, &w);
  f.ops->close(f.impl);
  argo__waker_deinit(&w);
}

TEST(sim_candles_past_the_year_9999_are_refused_at_open) {
  argo__waker w;
  argo__waker_init(&w);
  argo__feed f;
  char err[512];
  argo__settings s = settings(syms1, 1, 1, 24, "volatile", 0, 3600 * INT64_C(1000000));
  s.interval = "1h";
  s.start_us = INT64_C(253402297200000000); /* 9999-12-31T23:00:00Z: one hourly candle fits */
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_sim_open(&f, &s, &w, err, sizeof err));
  CHECK_STR("market_data.bars: 24 candles of 1h from 9999-12-31T23:00:00Z go past "
            "9999-12-31T23:59:59Z, the last time argo accepts",
            err);
  s.bars = 1;
  CHECK_EQ_INT(1, collect(&s, &w, a, 10));
  s.start_us = INT64_C(253402300800000000); /* 10000-01-01 */
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_sim_open(&f, &s, &w, err, sizeof err));
  CHECK_CONTAINS(err, "market_data.start: expected a UTC time after 1970-01-01T00:00:00Z and "
                      "before 10000-01-01T00:00:00Z, got 10000-01-01T00:00:00Z");
  s.start_us = -MINUTE;
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_sim_open(&f, &s, &w, err, sizeof err));
  CHECK_CONTAINS(err, "got 1969-12-31T23:59:00Z");
  argo__waker_deinit(&w);
}

static int hook_calls;
static void count_hook(void *user) {
  (void)user;
  hook_calls++;
}

TEST(sim_speed_zero_never_waits) {
  argo__waker w;
  argo__waker_init(&w);
  /* The waker's hook runs on every sleep: at speed 0 there must be none. */
  w.hook = count_hook;
  hook_calls = 0;
  argo__settings s = settings(syms2, 2, 1, 5000, "volatile", 0, 3600 * INT64_C(1000000));
  CHECK_EQ_INT(10000, collect(&s, &w, a, 20000));
  CHECK_EQ_INT(0, hook_calls);
  argo__waker_deinit(&w);
}

TEST(sim_paces_real_time_times_speed) {
  argo__waker w;
  argo__waker_init(&w);
  w.hook = count_hook;
  hook_calls = 0;
  /* 1 s candles at speed 50: 20 ms per step; step 5 is due 100 ms after step 0. Both symbols
   * of a step come together (one wait per step). */
  argo__settings s = settings(syms2, 2, 1, 6, "volatile", 50, 1000000);
  argo__feed f = open_feed(&s, &w);
  /* Time spent between opening and the first candle is not made up for in a burst. */
  struct timespec pause = {0, 50 * 1000 * 1000};
  nanosleep(&pause, NULL);
  int64_t t0 = argo__mono_us();
  int n = 0;
  argo_candle c;
  char err[64];
  while (f.ops->next(f.impl, &c, err, sizeof err) == ARGO_FEED_CANDLE) {
    n++;
  }
  int64_t took = argo__mono_us() - t0;
  f.ops->close(f.impl);
  CHECK_EQ_INT(12, n);
  CHECK_MSG(took >= 100000, "took %lld us", (long long)took);
  CHECK(hook_calls >= 6);
  argo__waker_deinit(&w);
}

typedef struct stopper {
  argo__waker *w;
  int delay_ms;
} stopper;

static void *stop_later(void *arg) {
  stopper *st = arg;
  struct timespec d = {0, (long)st->delay_ms * 1000 * 1000};
  nanosleep(&d, NULL);
  argo__waker_signal(st->w);
  return NULL;
}

TEST(sim_stop_during_a_wait_ends_the_feed_promptly) {
  argo__waker w;
  argo__waker_init(&w);
  /* Speed 0.001 with 1 s candles: the second step is due in 1000 s. */
  argo__settings s = settings(syms1, 1, 1, 10, "volatile", 0.001, 1000000);
  argo__feed f = open_feed(&s, &w);
  argo_candle c;
  char err[64];
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c, err, sizeof err));
  stopper st = {&w, 50};
  pthread_t th;
  CHECK(pthread_create(&th, NULL, stop_later, &st) == 0);
  int64_t t0 = argo__mono_us();
  int rc = f.ops->next(f.impl, &c, err, sizeof err);
  int64_t took = argo__mono_us() - t0;
  pthread_join(th, NULL);
  f.ops->close(f.impl);
  CHECK_EQ_INT(ARGO_FEED_END, rc);
  CHECK_MSG(took >= 40000, "returned after %lld us, before the stop", (long long)took);
  /* Loose: the stop must end the wait long before the 1000 s deadline. */
  CHECK_MSG(took < 30000000, "took %lld us to stop", (long long)took);
  argo__waker_deinit(&w);
}

TEST(sim_stop_before_a_wait_ends_the_feed) {
  argo__waker w;
  argo__waker_init(&w);
  argo__settings s = settings(syms1, 1, 1, 10, "volatile", 0.001, 1000000);
  argo__feed f = open_feed(&s, &w);
  argo_candle c;
  char err[64];
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c, err, sizeof err));
  argo__waker_signal(&w);
  CHECK_EQ_INT(ARGO_FEED_END, f.ops->next(f.impl, &c, err, sizeof err));
  f.ops->close(f.impl);
  argo__waker_deinit(&w);
}

/* The registry: one list gives the configuration's choices, the table the engine opens feeds
 * from and the names an unknown feed is told. */
TEST(feed_registry_opens_each_feed_by_name_and_names_them) {
  CHECK_STR("sim|replay|binance", ARGO__FEED_NAMES);
  char err[256] = "";
  CHECK(argo__feed_find("kraken", err, sizeof err) == NULL);
  CHECK_STR("market_data.feed 'kraken' is not a feed (sim, replay, binance)", err);
  CHECK(argo__feed_find(NULL, err, sizeof err) == NULL);
  const argo__feed_entry *replay = argo__feed_find("replay", err, sizeof err);
  CHECK(replay != NULL && replay->symbols != NULL);
  CHECK(argo__feed_find("binance", err, sizeof err) != NULL);
  /* A replay without a file cannot tell its symbols. */
  argo__settings none = settings(syms1, 0, 1, 10, "volatile", 0, MINUTE);
  char **got = (char **)1;
  size_t n = 9;
  CHECK_EQ_INT(ARGO_OK, replay->symbols(&none, &got, &n, err, sizeof err));
  CHECK(got == NULL);
  CHECK_EQ_INT(0, n);
  const argo__feed_entry *sim = argo__feed_find("sim", err, sizeof err);
  CHECK(sim != NULL && sim->symbols == NULL);
  argo__settings s = settings(syms2, 2, 7, 3, "increasing", 0, MINUTE);
  argo__feed f;
  CHECK_MSG(sim->open(&f, &s, NULL, NULL, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_STR("sim", f.ops->name);
  argo_candle c;
  CHECK_EQ_INT(ARGO_FEED_CANDLE, f.ops->next(f.impl, &c, err, sizeof err));
  CHECK_STR("BTCUSDT", c.symbol);
  CHECK(c.time == START);
  f.ops->close(f.impl);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(sim_same_seed_same_candles_other_seed_other_candles);
  RUN(sim_symbols_are_independent_of_each_other);
  RUN(sim_candles_are_valid_ordered_and_count_right);
  RUN(sim_trends_hold_for_other_seeds_and_symbols);
  RUN(sim_volatile_pattern_makes_moving_averages_cross_often);
  RUN(sim_base_prices_come_from_the_symbol);
  RUN(sim_defaults_start_and_clock);
  RUN(sim_symbols_outlive_the_settings);
  RUN(sim_zero_bars_runs_until_stopped);
  RUN(sim_rejects_bad_settings);
  RUN(sim_endless_at_full_speed_is_refused_and_an_end_time_ends_it);
  RUN(sim_candles_past_the_year_9999_are_refused_at_open);
  RUN(sim_speed_zero_never_waits);
  RUN(sim_paces_real_time_times_speed);
  RUN(sim_stop_during_a_wait_ends_the_feed_promptly);
  RUN(sim_stop_before_a_wait_ends_the_feed);
  RUN(feed_registry_opens_each_feed_by_name_and_names_them);
  return test_summary();
}
