/*
 * An order's round trip (issue 16, docs/brokers.md): from the strategy's place_order to its
 * on_order_filled callback, with the order's PENDING row made durable before the request
 * leaves and the fill journaled (fsynced) before the callback. Two brokers:
 *
 *  - binance: the Binance broker against the mock exchange on 127.0.0.1 (tests/mock_exchange:
 *    REST placement, matching, the executionReport on the WebSocket API user data stream);
 *  - engine only: a broker of the caller's own (argo_engine_set_broker) that fills each order
 *    inside place, so that what remains is the engine's own share: the journal's fsync of the
 *    intent, recording, the fsync of the fill, the acknowledgement.
 *
 * Each runs one market order per candle of the mock's feed (one-second candles every 20 ms)
 * until N orders filled, and prints p50, p90, p99 and max of the round trip. Usage:
 *   bench_order_rtt [--orders N] [--mock PATH]
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <argo/argo.h>
#include <argo/strategy.h>

#ifndef ARGO_MOCK_EXCHANGE
#define ARGO_MOCK_EXCHANGE "tests/mock_exchange"
#endif

#define MAXN 100000

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the strategy: one market order per candle, buy then sell ---------------------------- */

typedef struct rtt {
  char id[ARGO_ID_MAX];
  int64_t placed;
} rtt;

static rtt *placed;
static int nplaced, target;
static int64_t *samples;
static int nsamples;
static argo_engine *running;

typedef struct bot {
  const argo_host_api *h;
  argo_strategy_ctx *ctx;
  int buy;
} bot;

static void *bot_create(const argo_host_api *h, argo_strategy_ctx *ctx) {
  bot *b = calloc(1, sizeof *b);
  if (b) {
    b->h = h;
    b->ctx = ctx;
    b->buy = 1;
  }
  return b;
}

static void bot_destroy(void *self) {
  free(self);
}

static int bot_initialize(void *self, const char *config) {
  (void)self;
  (void)config;
  return 0;
}

static int bot_on_candle(void *self, const argo_candle *c) {
  bot *b = self;
  if (nplaced >= target || nplaced >= MAXN) {
    return 0;
  }
  argo_order_request r = {.symbol = c->symbol,
                          .side = b->buy ? ARGO_SIDE_BUY : ARGO_SIDE_SELL,
                          .type = ARGO_ORDER_MARKET,
                          .position_type = ARGO_POSITION_LONG,
                          .quantity = 0.001};
  rtt *x = &placed[nplaced];
  x->placed = now_ns();
  if (b->h->place_order(b->ctx, &r, x->id) == ARGO_S_OK) {
    nplaced++;
    b->buy = !b->buy;
  }
  return 0;
}

static const argo_strategy bot_def = {.abi_version = ARGO_STRATEGY_ABI_VERSION,
                                      .struct_size = sizeof(argo_strategy),
                                      .name = "rtt_bot",
                                      .create = bot_create,
                                      .destroy = bot_destroy,
                                      .initialize = bot_initialize,
                                      .on_candle = bot_on_candle};

static void on_filled(argo_engine *e, const argo_order *o, const argo_fill *f, void *user) {
  (void)e;
  (void)f;
  (void)user;
  if (o->status != ARGO_ORDER_FILLED) {
    return;
  }
  int64_t t = now_ns();
  for (int i = nplaced - 1; i >= 0; i--) {
    if (strcmp(placed[i].id, o->order_id) == 0) {
      samples[nsamples++] = t - placed[i].placed;
      break;
    }
  }
  if (nsamples >= target) {
    argo_engine_stop(running);
  }
}

static void on_error(argo_engine *e, argo_err code, const char *msg, void *user) {
  (void)e;
  (void)user;
  fprintf(stderr, "bench_order_rtt: error %d: %s\n", (int)code, msg);
}

/* ---- the engine-only broker: fills inside place ------------------------------------------ */

static argo_broker_sink *inst_sink;
static double inst_last = 100;

static int inst_open(void *u, const char *const *s, size_t n, argo_broker_sink *sink, char *err,
                     size_t errlen) {
  (void)u;
  (void)s;
  (void)n;
  (void)err;
  (void)errlen;
  inst_sink = sink;
  return 0;
}

static void inst_candle(void *u, const argo_candle *c) {
  (void)u;
  inst_last = c->close;
}

static int inst_place(void *u, const argo_order *o, char *err, size_t errlen) {
  (void)u;
  (void)err;
  (void)errlen;
  argo_broker_update up = {.struct_size = sizeof up, .qty = o->quantity, .price = inst_last};
  argo_broker_report(inst_sink, o->order_id, ARGO_BROKER_FILLED, &up, sizeof up);
  return ARGO_S_OK;
}

static int inst_cancel(void *u, const char *id, char *err, size_t errlen) {
  (void)u;
  (void)id;
  (void)err;
  (void)errlen;
  return ARGO_S_NOTFOUND;
}

/* ---- running ------------------------------------------------------------------------------ */

static int cmp64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static void print_row(const char *name) {
  qsort(samples, (size_t)nsamples, sizeof *samples, cmp64);
  if (nsamples == 0) {
    printf("%-34s no fills\n", name);
    return;
  }
#define PCT(p) ((double)samples[(size_t)((nsamples - 1) * (p))] / 1e6)
  printf("%-34s %6d %9.2f %9.2f %9.2f %9.2f\n", name, nsamples, PCT(0.5), PCT(0.9), PCT(0.99),
         (double)samples[nsamples - 1] / 1e6);
}

static pid_t mock_start(const char *path, int *port) {
  int fds[2];
  if (pipe(fds) != 0) {
    return -1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    execl(path, path, "--interval", "1s", "--tick-ms", "20", "--symbols", "BTCUSDT", "--balance",
          "USDT=100000000,BTC=100", "--commission-asset", "USDT", "--commission-asset-price", "1",
          "--order-limit-10s", "1000000", "--order-limit-1d", "100000000", "--weight-limit",
          "100000000", "--lifetime", "600", (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  char line[32] = "";
  ssize_t n = read(fds[0], line, sizeof line - 1);
  close(fds[0]);
  *port = n > 0 ? atoi(line) : 0;
  return *port > 0 ? pid : -1;
}

static int run_session(int port, int binance, const char *dir) {
  char url[128], ws[128], wsapi[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
  snprintf(ws, sizeof ws, "ws://127.0.0.1:%d", port);
  snprintf(wsapi, sizeof wsapi, "ws://127.0.0.1:%d/ws-api/v3", port);
  argo_config *cfg = NULL;
  argo_engine *eng = NULL;
  if (argo_config_new(&cfg) != ARGO_OK) {
    return -1;
  }
  argo_config_set(cfg, "market_data.feed", "binance");
  argo_config_set(cfg, "market_data.symbols", "BTCUSDT");
  argo_config_set(cfg, "market_data.interval", "1s");
  argo_config_set(cfg, "market_data.rest_url", url);
  argo_config_set(cfg, "market_data.ws_url", ws);
  argo_config_set(cfg, "engine.data_output", dir);
  argo_config_set(cfg, "trading.broker", binance ? "binance" : "paper");
  argo_config_set(cfg, "trading.binance.rest_url", url);
  argo_config_set(cfg, "trading.binance.ws_api_url", wsapi);
  if (argo_engine_new(&eng) != ARGO_OK || argo_engine_init(eng, cfg) != ARGO_OK) {
    fprintf(stderr, "bench_order_rtt: %s\n", eng ? argo_engine_errmsg(eng) : "no engine");
    return -1;
  }
  argo_config_free(cfg);
  if (!binance) {
    argo_broker b = {.struct_size = sizeof b,
                     .name = "instant",
                     .open = inst_open,
                     .on_candle = inst_candle,
                     .place = inst_place,
                     .cancel = inst_cancel};
    argo_engine_set_broker(eng, &b, sizeof b);
  }
  if (argo_engine_set_strategy(eng, &bot_def, NULL) != ARGO_OK) {
    fprintf(stderr, "bench_order_rtt: %s\n", argo_engine_errmsg(eng));
    return -1;
  }
  argo_callbacks cb = {.on_order_filled = on_filled, .on_error = on_error};
  argo_engine_set_callbacks(eng, &cb, sizeof cb, NULL);
  running = eng;
  nplaced = nsamples = 0;
  argo_err rc = argo_engine_run(eng);
  if (rc != ARGO_OK) {
    fprintf(stderr, "bench_order_rtt: %s\n", argo_engine_errmsg(eng));
  }
  argo_engine_free(eng);
  return rc == ARGO_OK ? 0 : -1;
}

int main(int argc, char **argv) {
  const char *mock = ARGO_MOCK_EXCHANGE;
  target = 300;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--orders") == 0) {
      target = atoi(argv[i + 1]);
    } else if (strcmp(argv[i], "--mock") == 0) {
      mock = argv[i + 1];
    }
  }
  if (target < 1 || target > MAXN) {
    fprintf(stderr, "usage: bench_order_rtt [--orders 1..%d] [--mock PATH]\n", MAXN);
    return 2;
  }
  placed = calloc(MAXN, sizeof *placed);
  samples = calloc(MAXN, sizeof *samples);
  setenv("ARGO_BINANCE_API_KEY", "mock-api-key", 1);
  setenv("ARGO_BINANCE_API_SECRET", "mock-api-secret", 1);
  int port;
  pid_t pid = mock_start(mock, &port);
  if (pid < 0 || !placed || !samples) {
    fprintf(stderr, "bench_order_rtt: cannot start the mock exchange '%s'\n", mock);
    return 1;
  }
  char tmpl[] = "/tmp/argo-bench-rtt-XXXXXX";
  const char *dir = mkdtemp(tmpl);
  printf("order round trip: place_order -> on_order_filled (durable), ms\n");
  printf("%-34s %6s %9s %9s %9s %9s\n", "broker", "orders", "p50", "p90", "p99", "max");
  char d1[256], d2[256];
  snprintf(d1, sizeof d1, "%s/binance", dir);
  snprintf(d2, sizeof d2, "%s/engine", dir);
  int ok = run_session(port, 1, d1) == 0;
  print_row("binance (mock exchange, loopback)");
  ok &= run_session(port, 0, d2) == 0;
  print_row("engine only (fills inside place)");
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) {
    fprintf(stderr, "bench_order_rtt: could not remove %s\n", dir);
  }
  free(placed);
  free(samples);
  return ok ? 0 : 1;
}
