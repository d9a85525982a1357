/*
 * What the benchmarks that trade against the mock exchange share (bench_order_rtt,
 * bench_restart_orders): a monotonic clock, starting the mock (tests/mock_exchange) and reading
 * its port, a configuration pointing the Binance feed and broker at it, and the boilerplate of a
 * strategy compiled into the benchmark. Header-only: each benchmark is one program.
 */
#ifndef ARGO_BENCH_MOCK_H
#define ARGO_BENCH_MOCK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <argo/argo.h>
#include <argo/strategy.h>

#ifndef ARGO_MOCK_EXCHANGE
#define ARGO_MOCK_EXCHANGE "tests/mock_exchange"
#endif

static inline int64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Starts the mock at path with argv (NULL-terminated, argv[0] the path) and reads the port it
 * prints; its pid, or -1. */
static inline pid_t bench_mock_start(char *const argv[], int *port) {
  int fds[2];
  if (pipe(fds) != 0) {
    return -1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    execv(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  char line[32] = "";
  ssize_t n = read(fds[0], line, sizeof line - 1);
  close(fds[0]);
  *port = n > 0 ? atoi(line) : 0;
  return *port > 0 ? pid : -1;
}

/* A configuration with the Binance feed (1 s candles of BTCUSDT) of the mock on port, data
 * output dir, and the given broker (its URLs the mock's too); NULL with a message on stderr. */
static inline argo_config *bench_mock_config(int port, const char *dir, const char *broker) {
  char url[128], ws[128], wsapi[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
  snprintf(ws, sizeof ws, "ws://127.0.0.1:%d", port);
  snprintf(wsapi, sizeof wsapi, "ws://127.0.0.1:%d/ws-api/v3", port);
  argo_config *cfg = NULL;
  if (argo_config_new(&cfg) != ARGO_OK) {
    return NULL;
  }
  const char *set[][2] = {{"market_data.feed", "binance"},      {"market_data.symbols", "BTCUSDT"},
                          {"market_data.interval", "1s"},       {"market_data.rest_url", url},
                          {"market_data.ws_url", ws},           {"engine.data_output", dir},
                          {"trading.broker", broker},           {"trading.binance.rest_url", url},
                          {"trading.binance.ws_api_url", wsapi}};
  for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
    if (argo_config_set(cfg, set[i][0], set[i][1]) != ARGO_OK) {
      fprintf(stderr, "%s: %s\n", set[i][0], argo_config_errmsg(cfg));
      argo_config_free(cfg);
      return NULL;
    }
  }
  return cfg;
}

/* The strategy's instance: the host table, its context, one counter of the benchmark's own. */
typedef struct bench_bot {
  const argo_host_api *h;
  argo_strategy_ctx *ctx;
  int n;
} bench_bot;

static inline void *bench_bot_create(const argo_host_api *h, argo_strategy_ctx *ctx) {
  bench_bot *b = calloc(1, sizeof *b);
  if (b) {
    b->h = h;
    b->ctx = ctx;
  }
  return b;
}

static inline void bench_bot_destroy(void *self) {
  free(self);
}

static inline int bench_bot_initialize(void *self, const char *config) {
  (void)self;
  (void)config;
  return 0;
}

#endif
