/*
 * Python host benchmark (issue 19, item 3): what a strategy written in Python costs per candle,
 * against the same strategy in C, for a strategy that does nothing, for one that computes a
 * simple moving average of the last closes on each candle (numpy's mean over the host's window
 * in Python, a loop over the same window in C), and for one that asks the host's TA-Lib
 * indicators SMA(20), EMA(50), RSI(14) and MACD(12,26,9) on each candle (host.indicators in
 * Python, the ta_* shortcuts in C, as bench_indicators' "shortcuts" strategy).
 *
 * Three measures, each strategy in its own process (the interpreter is started once per process,
 * and the first Python run must not pay for the next):
 *   1. The strategy alone: the strategy is loaded as argo run loads it (the strategy loader, the
 *      Python host for a .py) and its on_candle is called for N candles of a random walk, with a
 *      host whose candle window is a ring in memory (and whose indicators are argo's own,
 *      src/core/indicators.c, over that ring): the cost of the call, the candle object, the
 *      window and the strategy's own work, and nothing of the engine.
 *   2. The same from a thread other than the one that loaded the strategy, as an embedding
 *      program may run its sessions: the Python host keeps that thread's Python state between
 *      calls (pyhost.c, pin), or each call would make and drop one.
 *   3. End to end: argo_engine_run on the simulated feed at full speed, 1 symbol of 1s candles,
 *      journal on, full persistence, with the same strategies (the C ones through
 *      argo_engine_set_strategy): what the host costs a real session.
 *
 *   build/bench/bench_python [--candles 1000000] [--period 20] [--no-session] [--also FILE.py]
 *
 * --also adds a Python strategy of one's own to both measures (its config is {"period": N}).
 *
 * Without the Python host (argo built without python3-embed or numpy) it prints the C figures
 * and says why the Python ones are missing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <argo/argo.h>
#include <argo/strategy.h>

#include "core/indicators.h"
#include "core/strategy_loader.h"

#ifndef ARGO_SOURCE_DIR
#define ARGO_SOURCE_DIR "."
#endif

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the C twins of bench/python/noop.py, sma.py and ta.py -------------------------------- */

typedef struct c_strat {
  const argo_host_api *api;
  argo_strategy_ctx *ctx;
  size_t period;
  argo_candle *window;
  double value;
} c_strat;

static void *c_create(const argo_host_api *api, argo_strategy_ctx *ctx) {
  c_strat *s = calloc(1, sizeof *s);
  if (s) {
    s->api = api;
    s->ctx = ctx;
  }
  return s;
}

static void c_destroy(void *self) {
  c_strat *s = self;
  if (s) {
    free(s->window);
    free(s);
  }
}

static int c_initialize(void *self, const char *config) {
  (void)config;
  c_strat *s = self;
  double p = s->api->config_number(s->ctx, "period", 20);
  s->period = p >= 1 ? (size_t)p : 1;
  s->window = calloc(s->period, sizeof *s->window);
  return s->window ? ARGO_S_OK : ARGO_S_ERROR;
}

static int noop_on_candle(void *self, const argo_candle *c) {
  (void)self;
  (void)c;
  return ARGO_S_OK;
}

static int sma_on_candle(void *self, const argo_candle *c) {
  c_strat *s = self;
  size_t n = s->api->recent_candles(s->ctx, c->symbol, s->window, s->period);
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    sum += s->window[i].close;
  }
  s->value = n ? sum / (double)n : 0;
  return ARGO_S_OK;
}

/* SMA(20), EMA(50), RSI(14) and MACD(12,26,9) through the host's shortcuts, every value used. */
static int ta_on_candle(void *self, const argo_candle *c) {
  c_strat *s = self;
  const argo_host_api *h = s->api;
  double v = 0, m = 0, sig = 0, hist = 0, sum = 0;
  if (h->ta_sma(s->ctx, c->symbol, 20, &v) == ARGO_S_OK) {
    sum += v;
  }
  if (h->ta_ema(s->ctx, c->symbol, 50, &v) == ARGO_S_OK) {
    sum += v;
  }
  if (h->ta_rsi(s->ctx, c->symbol, 14, &v) == ARGO_S_OK) {
    sum += v;
  }
  if (h->ta_macd(s->ctx, c->symbol, 12, 26, 9, &m, &sig, &hist) == ARGO_S_OK) {
    sum += m + sig + hist;
  }
  s->value = sum;
  return ARGO_S_OK;
}

static const argo_strategy c_noop = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "bench_noop_c",
    .version = "1",
    .create = c_create,
    .destroy = c_destroy,
    .initialize = c_initialize,
    .on_candle = noop_on_candle,
};

static const argo_strategy c_sma = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "bench_sma_c",
    .version = "1",
    .create = c_create,
    .destroy = c_destroy,
    .initialize = c_initialize,
    .on_candle = sma_on_candle,
};

static const argo_strategy c_ta = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "bench_ta_c",
    .version = "1",
    .create = c_create,
    .destroy = c_destroy,
    .initialize = c_initialize,
    .on_candle = ta_on_candle,
};

/* ---- a host of the bench's own: a window of candles in a ring ----------------------------- */

#define RING 1024

/* The one symbol of the bench: its candles point at this string, as the engine's point at the
 * session's own, so that the indicators find it by its pointer as the engine's host does. */
static const char bench_symbol[] = "BTCUSDT";

struct argo_strategy_ctx {
  argo_candle ring[RING];
  uint64_t count; /* candles pushed so far */
  double period;
  char error[512];
  argo__ta *ta;     /* the indicators, over the ring */
  char ta_err[256]; /* last_error */
};

static int stub_place_order(argo_strategy_ctx *ctx, const argo_order_request *req, char *id) {
  (void)ctx, (void)req, (void)id;
  return ARGO_S_STATE;
}
static int stub_place_orders(argo_strategy_ctx *ctx, const argo_order_request *reqs, size_t n,
                             char (*ids)[ARGO_ID_MAX]) {
  (void)ctx, (void)reqs, (void)n, (void)ids;
  return ARGO_S_STATE;
}
static int stub_cancel(argo_strategy_ctx *ctx, const char *id) {
  (void)ctx, (void)id;
  return ARGO_S_NOTFOUND;
}
static int stub_cancel_all(argo_strategy_ctx *ctx, const char *symbol) {
  (void)ctx, (void)symbol;
  return 0;
}
static int stub_position(argo_strategy_ctx *ctx, const char *symbol, argo_position *out) {
  (void)ctx;
  memset(out, 0, sizeof *out);
  out->symbol = symbol;
  return ARGO_S_OK;
}
static size_t stub_positions(argo_strategy_ctx *ctx, argo_position *out, size_t cap) {
  (void)ctx, (void)out, (void)cap;
  return 0;
}
static int stub_account(argo_strategy_ctx *ctx, argo_account *out) {
  (void)ctx;
  memset(out, 0, sizeof *out);
  return ARGO_S_OK;
}
static size_t stub_open_orders(argo_strategy_ctx *ctx, argo_order *out, size_t cap) {
  (void)ctx, (void)out, (void)cap;
  return 0;
}
/* The engine's contract: the last n candles, oldest first, the current one included. */
static size_t stub_recent(argo_strategy_ctx *ctx, const char *symbol, argo_candle *out, size_t n) {
  (void)symbol;
  uint64_t have = ctx->count < RING ? ctx->count : RING;
  if (n > have) {
    n = (size_t)have;
  }
  for (size_t i = 0; i < n; i++) {
    out[i] = ctx->ring[(ctx->count - n + i) % RING];
  }
  return n;
}
static int stub_mark(argo_strategy_ctx *ctx, const argo_mark *m) {
  (void)ctx, (void)m;
  return ARGO_S_OK;
}
static int stub_log(argo_strategy_ctx *ctx, argo_log_level level, const char *message,
                    const argo_kv *fields, size_t nfields) {
  (void)ctx, (void)level, (void)message, (void)fields, (void)nfields;
  return ARGO_S_OK;
}
static int stub_cache_get(argo_strategy_ctx *ctx, const char *key, char *buf, size_t cap) {
  (void)ctx, (void)key, (void)buf, (void)cap;
  return ARGO_S_NOTFOUND;
}
static int stub_cache_set(argo_strategy_ctx *ctx, const char *key, const char *value) {
  (void)ctx, (void)key, (void)value;
  return ARGO_S_OK;
}
static const char *stub_last_error(argo_strategy_ctx *ctx) {
  return ctx->ta_err;
}
static void stub_set_error(argo_strategy_ctx *ctx, const char *message) {
  snprintf(ctx->error, sizeof ctx->error, "%s", message ? message : "");
}
static double stub_config_number(argo_strategy_ctx *ctx, const char *key, double dflt) {
  return strcmp(key, "period") == 0 ? ctx->period : dflt;
}
static const char *stub_config_string(argo_strategy_ctx *ctx, const char *key, const char *dflt) {
  (void)ctx, (void)key;
  return dflt;
}
static int64_t stub_now(argo_strategy_ctx *ctx) {
  return ctx->count ? ctx->ring[(ctx->count - 1) % RING].time : 0;
}

/* The indicators: argo's own (indicators.c) over the ring, as the engine's host gives them. */
static uint64_t stub_window(void *user, size_t sym, const argo_candle **a, size_t *na,
                            const argo_candle **b, size_t *nb) {
  argo_strategy_ctx *ctx = user;
  (void)sym;
  size_t have = ctx->count < RING ? (size_t)ctx->count : RING;
  size_t first = (size_t)((ctx->count - have) % RING);
  *a = ctx->ring + first;
  *na = have < RING - first ? have : RING - first;
  *b = ctx->ring;
  *nb = have - *na;
  return ctx->count;
}

static long stub_symbol(argo_strategy_ctx *ctx, const char *symbol) {
  if (symbol == bench_symbol || (symbol && strcmp(symbol, bench_symbol) == 0)) {
    return 0;
  }
  snprintf(ctx->ta_err, sizeof ctx->ta_err, "the bench does not trade '%s'",
           symbol ? symbol : "(NULL)");
  return -1;
}

/* The result of an indicator call: last_error cleared on success, as the engine's host does. */
static int stub_done(argo_strategy_ctx *ctx, int rc) {
  if (rc >= 0) {
    ctx->ta_err[0] = '\0';
  }
  return rc;
}

#define STUB_TA(call)                                                                              \
  long sym = stub_symbol(ctx, symbol);                                                             \
  if (sym < 0) {                                                                                   \
    return ARGO_S_NOTFOUND;                                                                        \
  }                                                                                                \
  return stub_done(ctx, call)

static int stub_ta_call(argo_strategy_ctx *ctx, const char *function, const char *symbol,
                        const char *inputs, const double *options, size_t noptions, size_t window,
                        size_t nlast, double *out, size_t cap) {
  STUB_TA(argo__ta_call(ctx->ta, (size_t)sym, function, inputs, options, noptions, window, nlast,
                        out, cap, ctx->ta_err, sizeof ctx->ta_err));
}
static int stub_ta_info(argo_strategy_ctx *ctx, const char *function, char *buf, size_t cap) {
  return stub_done(ctx, argo__ta_info(function, buf, cap, ctx->ta_err, sizeof ctx->ta_err));
}
static int stub_ta_sma(argo_strategy_ctx *ctx, const char *symbol, int period, double *out) {
  STUB_TA(argo__ta_sma(ctx->ta, (size_t)sym, period, out, ctx->ta_err, sizeof ctx->ta_err));
}
static int stub_ta_ema(argo_strategy_ctx *ctx, const char *symbol, int period, double *out) {
  STUB_TA(argo__ta_ema(ctx->ta, (size_t)sym, period, out, ctx->ta_err, sizeof ctx->ta_err));
}
static int stub_ta_rsi(argo_strategy_ctx *ctx, const char *symbol, int period, double *out) {
  STUB_TA(argo__ta_rsi(ctx->ta, (size_t)sym, period, out, ctx->ta_err, sizeof ctx->ta_err));
}
static int stub_ta_macd(argo_strategy_ctx *ctx, const char *symbol, int fast, int slow, int signal,
                        double *macd, double *macd_signal, double *hist) {
  STUB_TA(argo__ta_macd(ctx->ta, (size_t)sym, fast, slow, signal, macd, macd_signal, hist,
                        ctx->ta_err, sizeof ctx->ta_err));
}
static int stub_ta_bbands(argo_strategy_ctx *ctx, const char *symbol, int period, double up,
                          double down, double *upper, double *middle, double *lower) {
  STUB_TA(argo__ta_bbands(ctx->ta, (size_t)sym, period, up, down, upper, middle, lower, ctx->ta_err,
                          sizeof ctx->ta_err));
}
static int stub_ta_atr(argo_strategy_ctx *ctx, const char *symbol, int period, double *out) {
  STUB_TA(argo__ta_atr(ctx->ta, (size_t)sym, period, out, ctx->ta_err, sizeof ctx->ta_err));
}

static const argo_host_api stub_api = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_host_api),
    .place_order = stub_place_order,
    .place_orders = stub_place_orders,
    .cancel_order = stub_cancel,
    .cancel_all = stub_cancel_all,
    .get_position = stub_position,
    .get_positions = stub_positions,
    .get_account = stub_account,
    .get_open_orders = stub_open_orders,
    .recent_candles = stub_recent,
    .mark = stub_mark,
    .log = stub_log,
    .cache_get = stub_cache_get,
    .cache_set = stub_cache_set,
    .last_error = stub_last_error,
    .set_error = stub_set_error,
    .config_number = stub_config_number,
    .config_string = stub_config_string,
    .now = stub_now,
    .ta_call = stub_ta_call,
    .ta_info = stub_ta_info,
    .ta_sma = stub_ta_sma,
    .ta_ema = stub_ta_ema,
    .ta_rsi = stub_ta_rsi,
    .ta_macd = stub_ta_macd,
    .ta_bbands = stub_ta_bbands,
    .ta_atr = stub_ta_atr,
};

/* ---- the runs ----------------------------------------------------------------------------- */

typedef struct result {
  int ok;
  double seconds;
  char err[480];
} result;

/* The strategy alone: N calls of on_candle with the ring host, on the thread that loaded it or
 * (on_thread) on another one, as an embedding program may run a session. */
typedef struct alone {
  const char *spec;
  argo_strategy def;
  argo__strategy_lib *lib;
  long long n;
  int period;
  result *r;
} alone;

static void *alone_run(void *arg) {
  alone *a = arg;
  result *r = a->r;
  argo_strategy_ctx *ctx = calloc(1, sizeof *ctx);
  /* A random walk, made before the clock starts (xorshift: the same for every strategy). */
  argo_candle *candles = malloc((size_t)a->n * sizeof *candles);
  argo__ta_source src = {.window = stub_window, .user = ctx};
  if (!ctx || !candles || argo__ta_new(&ctx->ta, &src) != ARGO_OK) {
    snprintf(r->err, sizeof r->err, "out of memory");
    if (ctx) {
      argo__ta_free(ctx->ta);
    }
    free(ctx);
    free(candles);
    return NULL;
  }
  uint64_t x = 88172645463325252ull;
  double price = 50000;
  for (long long i = 0; i < a->n; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double step = ((double)(x >> 11) / 9007199254740992.0 - 0.5) * 20;
    double open = price;
    price += step;
    candles[i] = (argo_candle){bench_symbol,
                               1759276800000000LL + i * 1000000LL,
                               open,
                               (open > price ? open : price) + 1,
                               (open < price ? open : price) - 1,
                               price,
                               1 + (double)(x & 1023)};
  }
  ctx->period = a->period;
  char config[64];
  snprintf(config, sizeof config, "{\"period\": %d}", a->period);
  void *self = argo__strategy_create(a->lib, &a->def, &stub_api, ctx);
  if (!self || a->def.initialize(self, config) != ARGO_S_OK) {
    snprintf(r->err, sizeof r->err, "%s: cannot start: %s", a->spec, ctx->error);
  } else {
    int failed = 0;
    double t0 = now_s();
    for (long long i = 0; i < a->n && !failed; i++) {
      ctx->ring[ctx->count % RING] = candles[i];
      ctx->count++;
      failed = a->def.on_candle(self, &candles[i]) != ARGO_S_OK;
    }
    r->seconds = now_s() - t0;
    if (failed) {
      snprintf(r->err, sizeof r->err, "%s: on_candle failed: %s", a->spec, ctx->error);
    } else {
      r->ok = 1;
    }
    if (a->def.on_stop) {
      a->def.on_stop(self);
    }
  }
  if (self) {
    a->def.destroy(self);
  }
  free(candles);
  argo__ta_free(ctx->ta);
  free(ctx);
  return NULL;
}

static void run_alone(const char *spec, const argo_strategy *own, long long n, int period,
                      int on_thread, result *r) {
  alone a = {.spec = spec, .n = n, .period = period, .r = r};
  argo_err rc = own ? argo__strategy_adopt(own, &a.def, r->err, sizeof r->err)
                    : argo__strategy_resolve(spec, &a.def, &a.lib, r->err, sizeof r->err);
  if (rc != ARGO_OK) {
    return;
  }
  pthread_t t;
  if (!on_thread) {
    alone_run(&a);
  } else if ((errno = pthread_create(&t, NULL, alone_run, &a)) != 0) {
    snprintf(r->err, sizeof r->err, "pthread_create: %s", strerror(errno));
  } else {
    pthread_join(t, NULL);
  }
  argo__strategy_unload(a.lib);
}

/* End to end: a session of n candles on the simulated feed. */
static void run_session(const char *spec, const argo_strategy *own, long long n, int period,
                        const char *dir, result *r) {
  argo_config *cfg = NULL;
  argo_engine *eng = NULL;
  char bars[32], config[64];
  snprintf(bars, sizeof bars, "%lld", n);
  snprintf(config, sizeof config, "{\"period\": %d}", period);
  if (argo_config_new(&cfg) != ARGO_OK || argo_config_set(cfg, "market_data.symbols", "BTCUSDT") ||
      argo_config_set(cfg, "market_data.bars", bars) ||
      argo_config_set(cfg, "market_data.interval", "1s") ||
      argo_config_set(cfg, "market_data.start", "2025-10-01T00:00:00Z") ||
      argo_config_set(cfg, "market_data.speed", "max") ||
      argo_config_set(cfg, "strategy.name", own ? "pingpong" : spec) ||
      argo_config_set(cfg, "strategy.config", config) ||
      argo_config_set(cfg, "engine.data_output", dir)) {
    snprintf(r->err, sizeof r->err, "config: %s", cfg ? argo_config_errmsg(cfg) : "no memory");
    goto done;
  }
  if (argo_engine_new(&eng) != ARGO_OK || argo_engine_init(eng, cfg) != ARGO_OK ||
      (own && argo_engine_set_strategy(eng, own, config) != ARGO_OK)) {
    snprintf(r->err, sizeof r->err, "%s", eng ? argo_engine_errmsg(eng) : "no memory");
    goto done;
  }
  double t0 = now_s();
  argo_err rc = argo_engine_run(eng);
  r->seconds = now_s() - t0;
  if (rc != ARGO_OK) {
    snprintf(r->err, sizeof r->err, "%s", argo_engine_errmsg(eng));
    goto done;
  }
  r->ok = 1;
done:
  argo_engine_free(eng);
  argo_config_free(cfg);
}

/* Runs one measure in a child process and reads its result through a pipe. */
static result measure(int session, int on_thread, const char *spec, const argo_strategy *own,
                      long long n, int period, const char *dir) {
  result r;
  memset(&r, 0, sizeof r);
  int fd[2];
  if (pipe(fd) != 0) {
    snprintf(r.err, sizeof r.err, "pipe: %s", strerror(errno));
    return r;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(r.err, sizeof r.err, "fork: %s", strerror(errno));
    close(fd[0]);
    close(fd[1]);
    return r;
  }
  if (pid == 0) {
    close(fd[0]);
    if (session) {
      run_session(spec, own, n, period, dir, &r);
    } else {
      run_alone(spec, own, n, period, on_thread, &r);
    }
    ssize_t w = write(fd[1], &r, sizeof r);
    _exit(w == (ssize_t)sizeof r ? 0 : 1);
  }
  close(fd[1]);
  ssize_t got = 0;
  while (got < (ssize_t)sizeof r) {
    ssize_t k = read(fd[0], (char *)&r + got, sizeof r - (size_t)got);
    if (k < 0 && errno == EINTR) {
      continue;
    }
    if (k <= 0) {
      break;
    }
    got += k;
  }
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (got != (ssize_t)sizeof r) {
    memset(&r, 0, sizeof r);
    snprintf(r.err, sizeof r.err, "the measuring process died (status %d)", status);
  }
  return r;
}

typedef struct entry {
  const char *label;
  const char *script; /* bench/python/<script>, or NULL for the C twin */
  const argo_strategy *own;
} entry;

int main(int argc, char **argv) {
  long long n = 1000000;
  int period = 20, sessions = 1;
  const char *also = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--candles") == 0 && i + 1 < argc) {
      n = atoll(argv[++i]);
    } else if (strcmp(argv[i], "--period") == 0 && i + 1 < argc) {
      period = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--also") == 0 && i + 1 < argc) {
      also = argv[++i];
    } else if (strcmp(argv[i], "--no-session") == 0) {
      sessions = 0;
    } else {
      fprintf(stderr, "usage: %s [--candles N] [--period N] [--no-session] [--also FILE.py]\n",
              argv[0]);
      return 2;
    }
  }
  if (n < 1 || period < 1 || period > 1000) {
    fprintf(stderr, "bench_python: --candles must be >= 1 and --period 1..1000\n");
    return 2;
  }
  entry entries[] = {
      {"do-nothing, C", NULL, &c_noop},
      {"do-nothing, Python", "noop.py", NULL},
      {"SMA, C (loop over the window)", NULL, &c_sma},
      {"SMA, Python (numpy mean)", "sma.py", NULL},
      {"SMA+EMA+RSI+MACD, C (ta_* calls)", NULL, &c_ta},
      {"SMA+EMA+RSI+MACD, Python (indicators)", "ta.py", NULL},
      {NULL, NULL, NULL},
  };
  size_t nentries = sizeof entries / sizeof entries[0] - 1;
  if (also) {
    const char *base = strrchr(also, '/');
    entries[nentries++] = (entry){base ? base + 1 : also, also, NULL};
  }
  char dir[] = "/tmp/argo-bench-python-XXXXXX";
  if (!mkdtemp(dir)) {
    fprintf(stderr, "bench_python: mkdtemp: %s\n", strerror(errno));
    return 1;
  }
  int bad = 0;
  for (int pass = 0; pass < (sessions ? 3 : 2); pass++) {
    int session = pass == 2, thread = pass == 1;
    if (session) {
      printf("\n3. End to end: argo_engine_run, simulated feed at full speed, 1 symbol of 1s "
             "candles, journal on, full persistence, %lld candles\n",
             n);
    } else if (thread) {
      printf("\n2. The same, called from a thread other than the one that loaded the strategy "
             "(an embedding program's session thread)\n");
    } else {
      printf("1. The strategy alone: on_candle called %lld times with an in-memory window "
             "(SMA of the last %d closes)\n",
             n, period);
    }
    printf("   %-38s %10s %12s %12s %14s\n", "strategy", "seconds", "candles/s", "ns/candle",
           "vs C, ns/candle");
    double c_ns = 0;
    for (size_t i = 0; i < nentries; i++) {
      const entry *e = &entries[i];
      char path[4096], out[4200];
      if (e->script && strchr(e->script, '/')) {
        snprintf(path, sizeof path, "%s", e->script);
      } else {
        snprintf(path, sizeof path, "%s/bench/python/%s", ARGO_SOURCE_DIR,
                 e->script ? e->script : "");
      }
      snprintf(out, sizeof out, "%s/%d-%zu", dir, pass, i);
      result r = measure(session, thread, e->own ? e->own->name : path, e->own, n, period, out);
      if (!r.ok) {
        printf("   %-38s %s\n", e->label, r.err);
        bad |= e->own != NULL; /* a Python one is missing when argo has no Python host */
        continue;
      }
      double ns = r.seconds * 1e9 / (double)n;
      if (e->own) {
        c_ns = ns;
        printf("   %-38s %10.3f %12.0f %12.1f %14s\n", e->label, r.seconds, n / r.seconds, ns, "");
      } else {
        printf("   %-38s %10.3f %12.0f %12.1f %+14.1f\n", e->label, r.seconds, n / r.seconds, ns,
               ns - c_ns);
      }
    }
  }
  /* The sessions' folders: removed, they are the bench's scratch. */
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) {
    fprintf(stderr, "bench_python: could not remove %s\n", dir);
  }
  return bad ? 1 : 0;
}
