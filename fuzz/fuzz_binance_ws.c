/*
 * Fuzz target: one message of the Binance kline WebSocket stream (feed_binance.c), parsed by
 * argo__binance_parse_ws, the function the feed calls on every message it receives. The
 * subscription is BTCUSDT and ETHUSDT at one minute, as in the seed messages of the mock
 * exchange.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "feeds/binance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const syms[] = {"BTCUSDT", "ETHUSDT"};

static int find(void *user, const char *name) {
  (void)user;
  for (int i = 0; i < 2; i++) {
    if (strcasecmp(syms[i], name) == 0) {
      return i;
    }
  }
  return -1;
}

static volatile double sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  argo__binance_stream st = {
      .find = find, .user = NULL, .interval = "1m", .interval_us = INT64_C(60000000)};
  size_t sym;
  argo_candle c;
  char why[256];
  int r = argo__binance_parse_ws(&st, (const char *)data, size, &sym, &c, why, sizeof why);
  if (r == ARGO_BNC_FINAL) {
    if (sym >= 2) {
      __builtin_trap();
    }
    sink += c.open + c.high + c.low + c.close + c.volume + (double)c.time;
  } else if (r == ARGO_BNC_MALFORMED) {
    sink += (double)strlen(why);
  }
  return 0;
}
