/*
 * Indicator benchmark (issue 18): the engine on the simulated feed at full speed, 1M 1s candles
 * of one symbol, journal on, full persistence (as bench_core), with a strategy compiled into
 * this program (argo_engine_set_strategy) that on every candle
 *   plain:      does nothing with the candle (the session without indicators);
 *   shortcuts:  asks SMA(20), EMA(50), RSI(14) and MACD(12,26,9) of the candle's symbol through
 *               the host's typed shortcuts (ta_sma, ta_ema, ta_rsi, ta_macd);
 *   by-name:    asks the same four through ta_call over the last --window candles (TA-Lib's
 *               abstract interface, recomputed each time: O(window)).
 * With --trade both also trade every 5 candles (a market order, alternately buy and sell, as
 * bench_core's pingpong). Each run is a process of its own; the variants run alternately,
 * --rounds times, and the medians are compared.
 *
 *   build/bench/bench_indicators [--candles 1000000] [--rounds 5] [--trade] [--window 200]
 *                                [--by-name]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <argo/argo.h>
#include <argo/strategy.h>

enum { PLAIN, SHORTCUTS, BY_NAME, NVARIANTS };
static const char *const variant_names[NVARIANTS] = {"plain", "shortcuts", "by-name"};

static int variant = PLAIN;
static int trade = 0;
static long window = 200;

typedef struct strat {
  const argo_host_api *h;
  argo_strategy_ctx *ctx;
  long n;
  double sum; /* every value asked, so that none is left unused */
  long defined;
} strat;

static void *s_create(const argo_host_api *h, argo_strategy_ctx *ctx) {
  strat *s = calloc(1, sizeof *s);
  if (s) {
    s->h = h;
    s->ctx = ctx;
  }
  return s;
}

static void s_destroy(void *self) {
  free(self);
}

static int s_init(void *self, const char *config) {
  (void)self;
  (void)config;
  return ARGO_S_OK;
}

static void take(strat *s, int rc, double v) {
  if (rc == ARGO_S_OK) {
    s->sum += v;
    s->defined++;
  }
}

static int s_on_candle(void *self, const argo_candle *c) {
  strat *s = self;
  const argo_host_api *h = s->h;
  double v = 0, m = 0, sig = 0, hist = 0;
  int rc;
  if (variant == SHORTCUTS) {
    rc = h->ta_sma(s->ctx, c->symbol, 20, &v);
    take(s, rc, v);
    rc = h->ta_ema(s->ctx, c->symbol, 50, &v);
    take(s, rc, v);
    rc = h->ta_rsi(s->ctx, c->symbol, 14, &v);
    take(s, rc, v);
    rc = h->ta_macd(s->ctx, c->symbol, 12, 26, 9, &m, &sig, &hist);
    take(s, rc, m + sig + hist);
  } else if (variant == BY_NAME) {
    double p20 = 20, p50 = 50, p14 = 14, macd[3] = {12, 26, 9}, out[3] = {0, 0, 0};
    rc = h->ta_call(s->ctx, "SMA", c->symbol, NULL, &p20, 1, 20, 1, out, 3);
    take(s, rc, out[0]);
    rc = h->ta_call(s->ctx, "EMA", c->symbol, NULL, &p50, 1, (size_t)window, 1, out, 3);
    take(s, rc, out[0]);
    rc = h->ta_call(s->ctx, "RSI", c->symbol, NULL, &p14, 1, (size_t)window, 1, out, 3);
    take(s, rc, out[0]);
    rc = h->ta_call(s->ctx, "MACD", c->symbol, NULL, macd, 3, (size_t)window, 1, out, 3);
    take(s, rc, out[0] + out[1] + out[2]);
  }
  if (trade && ++s->n % 5 == 0) {
    argo_order_request req = {.symbol = c->symbol,
                              .side = (s->n / 5) % 2 ? ARGO_SIDE_BUY : ARGO_SIDE_SELL,
                              .type = ARGO_ORDER_MARKET,
                              .position_type = ARGO_POSITION_LONG,
                              .quantity = 0.01};
    if (req.side == ARGO_SIDE_BUY || s->n > 5) {
      h->place_order(s->ctx, &req, NULL);
    }
  }
  return ARGO_S_OK;
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "bench_indicators",
    .id = "org.argo.bench.indicators",
    .version = "1.0.0",
    .description = "asks four indicators on every candle",
    .config_schema = "{\"type\":\"object\"}",
    .create = s_create,
    .destroy = s_destroy,
    .initialize = s_init,
    .on_candle = s_on_candle,
};

typedef struct result {
  double seconds;
  long long candles;
  int ok;
  char err[256];
} result;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_one(long long candles, const char *dir, result *r) {
  argo_config *cfg = NULL;
  argo_engine *eng = NULL;
  char v[64];
  memset(r, 0, sizeof *r);
  argo_config_new(&cfg);
  snprintf(v, sizeof v, "%lld", candles);
  if (argo_config_set(cfg, "market_data.symbols", "BTCUSDT") ||
      argo_config_set(cfg, "market_data.bars", v) ||
      argo_config_set(cfg, "market_data.interval", "1s") ||
      argo_config_set(cfg, "market_data.start", "2025-10-01T00:00:00Z") ||
      argo_config_set(cfg, "market_data.speed", "max") ||
      argo_config_set(cfg, "engine.data_output", dir) ||
      argo_config_set(cfg, "trading.capital", "1000000000")) {
    snprintf(r->err, sizeof r->err, "config: %s", argo_config_errmsg(cfg));
    goto done;
  }
  argo_engine_new(&eng);
  if (argo_engine_init(eng, cfg) != ARGO_OK ||
      argo_engine_set_strategy(eng, &def, "{}") != ARGO_OK) {
    snprintf(r->err, sizeof r->err, "%s", argo_engine_errmsg(eng));
    goto done;
  }
  double t0 = now_s();
  argo_err rc = argo_engine_run(eng);
  r->seconds = now_s() - t0;
  if (rc != ARGO_OK) {
    snprintf(r->err, sizeof r->err, "%s", argo_engine_errmsg(eng));
    goto done;
  }
  argo_stats s;
  argo_engine_get_stats(eng, &s, sizeof s);
  r->candles = s.candles_total;
  r->ok = 1;
done:
  argo_engine_free(eng);
  argo_config_free(cfg);
}

/* One session of a variant in a process of its own; its candles per second, or -1. */
static double run_variant(int which, long long candles) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/argo-bench-ind-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return -1;
  }
  int p[2];
  if (pipe(p) != 0) {
    perror("pipe");
    return -1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    variant = which;
    result r;
    run_one(candles, dir, &r);
    ssize_t w = write(p[1], &r, sizeof r);
    (void)w;
    _exit(0);
  }
  close(p[1]);
  result r;
  memset(&r, 0, sizeof r);
  ssize_t got = read(p[0], &r, sizeof r);
  close(p[0]);
  waitpid(pid, NULL, 0);
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) {
    fprintf(stderr, "could not remove %s\n", dir);
  }
  if (got != (ssize_t)sizeof r || !r.ok) {
    fprintf(stderr, "%s: failed: %s\n", variant_names[which],
            got == (ssize_t)sizeof r ? r.err : "child died");
    return -1;
  }
  return (double)r.candles / r.seconds;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  long long candles = 1000000;
  int rounds = 5, by_name = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--candles") == 0 && i + 1 < argc) {
      candles = atoll(argv[++i]);
    } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) {
      window = atol(argv[++i]);
    } else if (strcmp(argv[i], "--trade") == 0) {
      trade = 1;
    } else if (strcmp(argv[i], "--by-name") == 0) {
      by_name = 1;
    } else {
      fprintf(stderr, "usage: bench_indicators [--candles N] [--rounds R] [--trade] "
                      "[--window W] [--by-name]\n");
      return 2;
    }
  }
  if (rounds < 1 || rounds > 64 || candles < 1) {
    fprintf(stderr, "bench_indicators: rounds 1 to 64, candles >= 1\n");
    return 2;
  }
  int nv = by_name ? 3 : 2;
  double rates[NVARIANTS][64];
  printf("argo indicator benchmark: %lld 1s candles of one symbol, simulated feed at full speed, "
         "journal on, %s; SMA(20), EMA(50), RSI(14), MACD(12,26,9) on every candle\n",
         candles, trade ? "a trade every 5 candles" : "no trades");
  for (int r = 0; r < rounds; r++) {
    for (int k = 0; k < nv; k++) {
      /* Alternate which variant goes first, so that a slow period of the machine is shared. */
      int v = (r % 2) ? nv - 1 - k : k;
      rates[v][r] = run_variant(v, candles);
      if (rates[v][r] < 0) {
        return 1;
      }
      printf("  round %d %-10s %10.0f candles/s\n", r + 1, variant_names[v], rates[v][r]);
      fflush(stdout);
    }
  }
  double med[NVARIANTS];
  for (int k = 0; k < nv; k++) {
    qsort(rates[k], (size_t)rounds, sizeof rates[k][0], cmp_double);
    med[k] =
        rounds % 2 ? rates[k][rounds / 2] : (rates[k][rounds / 2 - 1] + rates[k][rounds / 2]) / 2;
  }
  printf("median of %d: plain %.0f candles/s, shortcuts %.0f candles/s (%.1f%% of plain, "
         "%.0f ns a candle more)\n",
         rounds, med[PLAIN], med[SHORTCUTS], 100.0 * med[SHORTCUTS] / med[PLAIN],
         1e9 / med[SHORTCUTS] - 1e9 / med[PLAIN]);
  if (by_name) {
    printf("                by-name over %ld candles %.0f candles/s (%.1f%% of plain, %.0f ns a "
           "candle more)\n",
           window, med[BY_NAME], 100.0 * med[BY_NAME] / med[PLAIN],
           1e9 / med[BY_NAME] - 1e9 / med[PLAIN]);
  }
  return 0;
}
