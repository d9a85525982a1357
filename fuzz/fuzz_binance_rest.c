/*
 * Fuzz target: a REST klines answer of the Binance feed (feed_binance.c), parsed by
 * argo__binance_parse_klines, the function the feed's history download and gap fill call on
 * every page. The interval is one minute, as in the seed answers of the mock exchange.
 */
#include <stdint.h>
#include <string.h>

#include "feeds/binance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile double sink;

static int each(void *user, const argo__binance_kline *k) {
  size_t *count = user;
  (*count)++;
  if (!k->why[0]) {
    sink += k->c.open + k->c.high + k->c.low + k->c.close + k->c.volume + (double)k->c.time;
  } else {
    sink += (double)strlen(k->why);
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t count = 0;
  char why[256];
  long n = argo__binance_parse_klines((const char *)data, size, INT64_C(60000000), each, &count,
                                      why, sizeof why);
  if (n >= 0 && (size_t)n != count) {
    __builtin_trap(); /* every element must be handed over */
  }
  return 0;
}
