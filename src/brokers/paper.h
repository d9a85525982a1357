/*
 * Paper broker: a simulated account whose orders fill on the engine's candles (paper.c). It is
 * reached through the broker interface (broker.h); this header adds only what opens one.
 *
 * Fill rules (docs/broker.md):
 * - MARKET: filled at once at the last close of its symbol (the candle being processed), with
 *   slippage none. No price yet for the symbol: rejected.
 * - LIMIT BUY at L: if L >= last close it fills at once at the last close; otherwise it waits,
 *   and on each later candle of its symbol with low <= L it fills at min(L, open).
 * - LIMIT SELL at L: if L <= last close it fills at once at the last close; otherwise it waits,
 *   and on each later candle with high >= L it fills at max(L, open).
 * - LONG: BUY opens, SELL reduces; SHORT: SELL opens, BUY reduces. Reducing more than is open
 *   (counting pending reducing orders) is rejected ("insufficient position").
 * - Buying power = cash - 2 x short entry value - reservations of pending opening orders; an
 *   opening order needs qty x price + commission of buying power ("insufficient buying power").
 * - Rejections (recorded as REJECTED with the reason): quantity or price not positive or NaN,
 *   unknown symbol, insufficient buying power, insufficient position, no price yet.
 * - Commission models: zero; percentage (rate x notional, Binance style); per_share
 *   (max(minimum, per_share x qty), Interactive Brokers style).
 */
#ifndef ARGO_PAPER_H
#define ARGO_PAPER_H

#include <stddef.h>

#include <argo/argo.h>

#include "brokers/broker.h"
#include "util/util.h"

typedef enum argo__commission {
  ARGO_COMMISSION_ZERO = 0,
  ARGO_COMMISSION_PERCENTAGE = 1,
  ARGO_COMMISSION_PER_SHARE = 2
} argo__commission;

typedef struct argo__paper_cfg {
  double capital;
  argo__commission commission;
  double rate;               /* percentage model: fraction of notional (0.001 = 0.1 %) */
  double per_share;          /* per_share model */
  double minimum;            /* per_share model: minimum per order fill */
  const char *id_prefix;     /* order ids are "<prefix>-<n>" with n from 1 */
  const char *strategy_name; /* stored on every order */
} argo__paper_cfg;

/* Opens a paper account of cfg->capital. symbols are borrowed for the broker's life; sym
 * indices refer to them. cfg's strings are copied. Free with argo__broker_free. */
ARGO_NODISCARD argo_err argo__paper_new(argo__broker **out, const argo__paper_cfg *cfg,
                                        const char *const *symbols, size_t nsymbols,
                                        const argo__broker_sink *sink);
/* Index of symbol in the paper broker b, or -1. */
long argo__paper_symbol(const argo__broker *b, const char *symbol);

#endif
