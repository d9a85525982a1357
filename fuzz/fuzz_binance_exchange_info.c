/*
 * Fuzz target: an exchangeInfo answer as the Binance broker reads it (brokers/binance_filters.c),
 * parsed by argo__bn_parse_exchange_info for two symbols, and every symbol it accepts put
 * through argo__bn_check_order with a spread of orders, so that whatever filter values an answer
 * holds (tiny or huge steps, a zero maximum, a missing flag) the rounding, the checks and the
 * decimal text hold their contracts: an accepted order is never more than asked, its text is the
 * number checked, and a refusal always says why.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brokers/binance_filters.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
  argo__bn_side side;
  argo__bn_type type;
  double qty, price, ref;
} orders[] = {
    {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.0012345, 65000.129, 0},
    {ARGO_BN_SELL, ARGO_BN_LIMIT, 0.3, 0.1 + 0.2, 0},
    {ARGO_BN_BUY, ARGO_BN_MARKET, 1.5, 0, 100},
    {ARGO_BN_SELL, ARGO_BN_MARKET, 123456.789, 0, 0},
    {ARGO_BN_BUY, ARGO_BN_LIMIT, 1e-9, 1e-9, 0},
    {ARGO_BN_SELL, ARGO_BN_LIMIT, 9e12, 9e9, 0},
};

static void check(const argo__bn_symbol *s) {
  for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++) {
    argo__bn_order o;
    char why[256];
    argo_err rc = argo__bn_check_order(s, orders[i].side, orders[i].type, orders[i].qty,
                                       orders[i].price, orders[i].ref, &o, why, sizeof why);
    if (rc != ARGO_OK) {
      if (!why[0] || o.quantity_text[0]) {
        __builtin_trap(); /* a refusal says why and sends nothing */
      }
      continue;
    }
    if (why[0] || !(o.quantity > 0) || o.quantity > orders[i].qty * (1 + 1e-9) ||
        strtod(o.quantity_text, NULL) != o.quantity) {
      __builtin_trap(); /* never more than asked, and the text is the number checked */
    }
    if (orders[i].type == ARGO_BN_LIMIT &&
        (strtod(o.price_text, NULL) != o.price ||
         (orders[i].side == ARGO_BN_BUY ? o.price > orders[i].price * (1 + 1e-9)
                                        : o.price < orders[i].price * (1 - 1e-9)))) {
      __builtin_trap(); /* a BUY never pays more, a SELL never receives less */
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *wanted[] = {"BTCUSDT", "ethbtc"};
  argo__bn_symbol s[2];
  char err[256];
  if (argo__bn_parse_exchange_info((const char *)data, size, wanted, 2, s, err, sizeof err) ==
      ARGO_OK) {
    check(&s[0]);
    check(&s[1]);
  } else if (!err[0] || s[0].name[0]) {
    __builtin_trap(); /* a failure says why and leaves nothing half-filled */
  }
  return 0;
}
