/*
 * A restart with live orders left open (issue 17, docs/brokers.md "After a crash"): how long a
 * new session takes, from argo_engine_run, to know the fate of N orders a SIGKILLed session left
 * PENDING with the Binance broker on the mock exchange (tests/mock_exchange, 127.0.0.1).
 *
 *  - resting, cancelled at start: N limit orders far under the price rest on the exchange; the
 *    restart (trading.binance.open_orders_at_start: cancel) looks each up and cancels it, until
 *    all N are CANCELLED in its record;
 *  - lost on their way: the exchange never received the N market orders (the first one's
 *    request was lost, the mock's --ignore-orders, and the others waited behind its lookup when
 *    the session was killed); the restart looks each up and records it REJECTED ("never
 *    placed") once a recvWindow (5 s) has passed since it started: the wait is paid once, not
 *    once per order.
 *
 * The first session runs in a child process killed with SIGKILL once the mock's ledger shows
 * all N orders; the restart runs here. Usage: bench_restart_orders [--orders N] [--mock PATH]
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_mock.h"

/* ---- the strategy: N orders at the first candle (the first session), or none ----------- */

static int n_orders, to_place, market; /* to_place: the strategy's orders (0 at the restart) */

/* b->n: whether the orders were placed. */
static int bot_on_candle(void *self, const argo_candle *c) {
  bench_bot *b = self;
  if (b->n) {
    return 0;
  }
  b->n = 1;
  for (int i = 0; i < to_place; i++) {
    argo_order_request r = {.symbol = c->symbol,
                            .side = ARGO_SIDE_BUY,
                            .type = market ? ARGO_ORDER_MARKET : ARGO_ORDER_LIMIT,
                            .position_type = ARGO_POSITION_LONG,
                            .quantity = 0.001,
                            .limit_price = market ? 0 : c->close * 0.5};
    char id[ARGO_ID_MAX];
    if (b->h->place_order(b->ctx, &r, id) != ARGO_S_OK) {
      return -1;
    }
  }
  return 0;
}

static const argo_strategy bot_def = {.abi_version = ARGO_STRATEGY_ABI_VERSION,
                                      .struct_size = sizeof(argo_strategy),
                                      .name = "restart_bench",
                                      .create = bench_bot_create,
                                      .destroy = bench_bot_destroy,
                                      .initialize = bench_bot_initialize,
                                      .on_candle = bot_on_candle};

/* ---- the sessions ---------------------------------------------------------------------- */

static argo_engine *running;
static argo_order_status want;
static int seen;
static int64_t t_run, t_done;

static void on_updated(argo_engine *e, const argo_order *o, void *user) {
  (void)user;
  if (o->status == want && ++seen == n_orders) {
    t_done = bench_now_ns();
    argo_engine_stop(e);
  }
}

static void on_error(argo_engine *e, argo_err code, const char *msg, void *user) {
  (void)e;
  (void)code;
  (void)user;
  if (getenv("BENCH_VERBOSE")) {
    fprintf(stderr, "  on_error: %s\n", msg);
  }
}

static argo_engine *make_engine(int port, const char *dir, const char *at_start) {
  argo_config *cfg = bench_mock_config(port, dir, "binance");
  argo_engine *eng = NULL;
  if (!cfg) {
    return NULL;
  }
  if (argo_config_set(cfg, "trading.binance.open_orders_at_start", at_start) != ARGO_OK ||
      argo_engine_new(&eng) != ARGO_OK || argo_engine_init(eng, cfg) != ARGO_OK ||
      argo_engine_set_strategy(eng, &bot_def, NULL) != ARGO_OK) {
    fprintf(stderr, "bench_restart_orders: %s\n",
            eng ? argo_engine_errmsg(eng) : argo_config_errmsg(cfg));
    argo_config_free(cfg);
    argo_engine_free(eng);
    return NULL;
  }
  argo_config_free(cfg);
  return eng;
}

/* Lines of the mock's ledger whose event is ev. */
static int ledger_count(const char *ledger, const char *ev) {
  FILE *f = fopen(ledger, "r");
  if (!f) {
    return 0;
  }
  char pat[64], line[8192];
  snprintf(pat, sizeof pat, "\"ev\":\"%s\"", ev);
  int n = 0;
  while (fgets(line, sizeof line, f)) {
    n += strstr(line, pat) != NULL;
  }
  fclose(f);
  return n;
}

static pid_t mock_start(const char *path, const char *ledger, int ignore, int *port) {
  /* The orders the mock never receives: the first `ignore` (numbered from 1), or none. */
  char *ign = malloc(8 * (size_t)(ignore + 1) + 1);
  if (!ign) {
    return -1;
  }
  size_t len = (size_t)sprintf(ign, "%d", ignore ? 1 : 0);
  for (int i = 2; i <= ignore; i++) {
    len += (size_t)sprintf(ign + len, ",%d", i);
  }
  char *const argv[] = {(char *)path,
                        "--interval",
                        "1s",
                        "--tick-ms",
                        "100",
                        "--symbols",
                        "BTCUSDT",
                        "--balance",
                        "USDT=100000000,BTC=100",
                        "--order-limit-10s",
                        "1000000",
                        "--order-limit-1d",
                        "100000000",
                        "--weight-limit",
                        "100000000",
                        "--ledger",
                        (char *)ledger,
                        "--ignore-orders",
                        ign,
                        "--lifetime",
                        "300",
                        NULL};
  pid_t pid = bench_mock_start(argv, port);
  free(ign);
  return pid;
}

/* One case: a first session (child) places N orders and is killed once the ledger shows ev N
 * times; the restart waits for N orders in status w. Prints the row; 0 or -1. */
static int run_case(const char *mock, const char *name, int is_market, const char *ev,
                    const char *at_start, argo_order_status w) {
  char dir[] = "/tmp/argo-bench-restart-XXXXXX";
  if (!mkdtemp(dir)) {
    return -1;
  }
  char ledger[256], data[256];
  snprintf(ledger, sizeof ledger, "%s/ledger.jsonl", dir);
  snprintf(data, sizeof data, "%s/data", dir);
  int port = 0;
  pid_t mp = mock_start(mock, ledger, is_market ? n_orders : 0, &port);
  if (mp < 0) {
    fprintf(stderr, "bench_restart_orders: cannot start the mock exchange '%s'\n", mock);
    return -1;
  }
  market = is_market;
  to_place = n_orders;
  pid_t child = fork();
  if (child == 0) {
    argo_engine *eng = make_engine(port, data, "adopt");
    _exit(eng && argo_engine_run(eng) == ARGO_OK ? 0 : 1);
  }
  int rc = -1;
  /* Lost orders: the first one's request is lost, so the others wait in the worker behind its
   * lookup (one request at a time); all of them are PENDING in the record by then. */
  int need = is_market ? 1 : n_orders;
  for (int t = 0; t < 60000 && ledger_count(ledger, ev) < need; t += 10) {
    usleep(10000);
  }
  if (is_market) {
    usleep(500000);
  }
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  if (ledger_count(ledger, ev) < need) {
    fprintf(stderr, "bench_restart_orders: %s: the first session did not place its orders\n", name);
    goto out;
  }
  market = 0;
  to_place = 0; /* the restart places nothing */
  argo_engine *eng = make_engine(port, data, at_start);
  if (!eng) {
    goto out;
  }
  argo_callbacks cb = {.on_order_updated = on_updated, .on_error = on_error};
  argo_engine_set_callbacks(eng, &cb, sizeof cb, NULL);
  running = eng;
  want = w;
  seen = 0;
  t_done = 0;
  t_run = bench_now_ns();
  argo_engine_run(eng);
  int64_t t_end = bench_now_ns();
  argo_engine_free(eng);
  if (seen < n_orders) {
    fprintf(stderr, "bench_restart_orders: %s: %d of %d orders resolved\n", name, seen, n_orders);
    goto out;
  }
  double ms = (double)(t_done - t_run) / 1e6;
  printf("%-44s %6d %10.1f %10.2f %10.1f\n", name, n_orders, ms, ms / n_orders,
         (double)(t_end - t_done) / 1e6);
  rc = 0;
out:
  kill(mp, SIGTERM);
  waitpid(mp, NULL, 0);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) {
    fprintf(stderr, "bench_restart_orders: could not remove %s\n", dir);
  }
  return rc;
}

int main(int argc, char **argv) {
  const char *mock = ARGO_MOCK_EXCHANGE;
  n_orders = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--orders") == 0) {
      n_orders = atoi(argv[i + 1]);
    } else if (strcmp(argv[i], "--mock") == 0) {
      mock = argv[i + 1];
    }
  }
  if (n_orders < 1 || n_orders > 10000 || argc % 2 == 0) {
    fprintf(stderr, "usage: bench_restart_orders [--orders 1..10000] [--mock PATH]\n");
    return 2;
  }
  setenv("ARGO_BINANCE_API_KEY", "mock-api-key", 1);
  setenv("ARGO_BINANCE_API_SECRET", "mock-api-secret", 1);
  argo_library_logs(NULL, NULL);
  printf("%-44s %6s %10s %10s %10s\n", "restart with orders left open", "orders", "total ms",
         "ms/order", "end ms");
  int bad =
      run_case(mock, "resting, cancelled at start", 0, "accepted", "cancel", ARGO_ORDER_CANCELLED);
  bad |= run_case(mock, "lost on their way, found never placed", 1, "received", "adopt",
                  ARGO_ORDER_REJECTED);
  return bad ? 1 : 0;
}
