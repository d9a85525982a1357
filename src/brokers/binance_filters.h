/*
 * The Binance broker's exchange filters: the trading rules of each symbol as
 * GET /api/v3/exchangeInfo gives them, the rule that puts an order's quantity and limit price
 * on the symbol's grid, the checks that refuse an order before it is sent (naming the filter
 * and the numbers), and the exact decimal text of a number for a request.
 *
 * Written from Binance's spot API document "Filters" (filters.md): PRICE_FILTER, LOT_SIZE,
 * MARKET_LOT_SIZE, MIN_NOTIONAL and NOTIONAL. The other filters (PERCENT_PRICE_BY_SIDE,
 * MAX_NUM_ORDERS, MAX_POSITION ...) depend on the exchange's state and are left to it: an order
 * that breaks one comes back as -1013 "Filter failure: ..." (brokers/binance_errors.h).
 *
 * Pure: no state, no I/O, no clock; jansson and the util helpers only. It must not depend on
 * the broker's transport or the engine. Every function is safe to call from any thread.
 */
#ifndef ARGO_BINANCE_FILTERS_H
#define ARGO_BINANCE_FILTERS_H

#include <stddef.h>

#include <argo/argo.h>

#include "util/util.h"

/* Longest symbol and asset names kept, terminator included (Binance's are up to 20). */
#define ARGO_BN_SYMBOL_MAX 32
#define ARGO_BN_ASSET_MAX 24
/* Room for a decimal written by argo__bn_fmt_decimal (and for the texts of argo__bn_order). */
#define ARGO_BN_DECIMAL_MAX 48

/* A quantity rule (LOT_SIZE or MARKET_LOT_SIZE). A 0 field disables its rule, as Binance's
 * MARKET_LOT_SIZE often has stepSize and minQty 0. */
typedef struct argo__bn_lot {
  int present; /* the symbol has this filter */
  double min_qty, max_qty, step_size;
} argo__bn_lot;

/* One symbol's trading rules. Every number is as exchangeInfo writes it (a decimal string
 * parsed to double); 0 disables a rule where Binance says so. */
typedef struct argo__bn_symbol {
  char name[ARGO_BN_SYMBOL_MAX];  /* as the exchange spells it: "BTCUSDT" */
  char base[ARGO_BN_ASSET_MAX];   /* baseAsset: "BTC" */
  char quote[ARGO_BN_ASSET_MAX];  /* quoteAsset: "USDT" */
  char status[ARGO_BN_ASSET_MAX]; /* "TRADING", "BREAK", "HALT" ... */
  int trading;                    /* status is TRADING */
  int market_allowed;             /* MARKET is in orderTypes */
  int limit_allowed;              /* LIMIT is in orderTypes */
  int base_precision;             /* baseAssetPrecision (8 when absent) */
  int quote_precision;            /* quoteAssetPrecision (8 when absent) */
  struct {
    double min_price, max_price, tick_size; /* each 0 = that rule disabled */
  } price;                                  /* PRICE_FILTER (required) */
  argo__bn_lot lot;                         /* LOT_SIZE (required) */
  argo__bn_lot market_lot;                  /* MARKET_LOT_SIZE (optional) */
  struct {
    int present;
    double min_notional;
    int apply_to_market; /* also checked on MARKET orders, at the reference price */
    int avg_price_mins;
  } min_notional; /* MIN_NOTIONAL (optional, the older filter) */
  struct {
    int present;
    double min_notional, max_notional; /* max 0 = no maximum */
    int apply_min_to_market, apply_max_to_market;
    int avg_price_mins;
  } notional; /* NOTIONAL (optional) */
} argo__bn_symbol;

/* Parses an exchangeInfo answer (body, len bytes) for the symbols wanted[0..n-1], matched
 * without regard to case, into out[0..n-1] in the same order. Every wanted symbol must be
 * there with a valid PRICE_FILTER and LOT_SIZE; MARKET_LOT_SIZE, MIN_NOTIONAL and NOTIONAL are
 * read when present (an absent applyToMarket, applyMinToMarket or applyMaxToMarket counts as
 * true); other filters and symbols are ignored. ARGO_OK, or ARGO_EBROKER with err
 * naming what is missing or malformed ("exchangeInfo has no symbol ETHBTC", "exchangeInfo:
 * BTCUSDT's LOT_SIZE has no valid stepSize"). out is left zeroed on failure. */
ARGO_NODISCARD argo_err argo__bn_parse_exchange_info(const char *body, size_t len,
                                                     const char *const *wanted, size_t n,
                                                     argo__bn_symbol *out, char *err,
                                                     size_t errlen);

typedef enum argo__bn_side { ARGO_BN_BUY = 0, ARGO_BN_SELL = 1 } argo__bn_side;
typedef enum argo__bn_type { ARGO_BN_MARKET = 0, ARGO_BN_LIMIT = 1 } argo__bn_type;

/* An order as it goes to the exchange: on the grid, and as request text. */
typedef struct argo__bn_order {
  double quantity;                         /* rounded down to the step: never more than asked */
  double price;                            /* LIMIT: rounded toward the side's safety; MARKET: 0 */
  char quantity_text[ARGO_BN_DECIMAL_MAX]; /* argo__bn_fmt_decimal of quantity on its step */
  char price_text[ARGO_BN_DECIMAL_MAX];    /* of price on tickSize; "" for MARKET */
} argo__bn_order;

/* Puts one order on s's grid and checks it, in exchangeInfo's order of filters, before it is
 * sent. The rule:
 *   - the symbol must be TRADING and allow the order's type;
 *   - the quantity is rounded DOWN to LOT_SIZE's stepSize (a MARKET order then also to
 *     MARKET_LOT_SIZE's stepSize when that is not 0), so the order is never larger than asked;
 *   - a LIMIT price is rounded to tickSize toward the side's safety: a BUY down, a SELL up, so
 *     it never pays more or receives less than asked;
 *   - rounding counts whole steps with a relative tolerance of 1e-12, so that 0.3 on a step of
 *     0.1 stays 0.3 although 0.3 / 0.1 is 2.9999999999999996 in binary; a tickSize or LOT_SIZE
 *     stepSize of 0 (no rule) leaves Binance's precision, a step of 0.00000001;
 *   - then PRICE_FILTER (minPrice, maxPrice), LOT_SIZE and, for MARKET, MARKET_LOT_SIZE (minQty,
 *     maxQty), MIN_NOTIONAL and NOTIONAL (quantity x price; a MARKET order's notional uses
 *     ref_price, and only where applyToMarket / applyMinToMarket / applyMaxToMarket say so,
 *     and not at all when ref_price is not positive: the exchange, which uses its own average
 *     price, still checks it).
 * price is the limit price (ignored for MARKET). ARGO_OK with *out filled, or ARGO_EINVAL with
 * why naming the filter and the numbers, e.g. "LOT_SIZE: quantity 0.00001 rounds to 0
 * (stepSize 0.0001, minQty 0.0001)"; *out is then zeroed. */
ARGO_NODISCARD argo_err argo__bn_check_order(const argo__bn_symbol *s, argo__bn_side side,
                                             argo__bn_type type, double quantity, double price,
                                             double ref_price, argo__bn_order *out, char *why,
                                             size_t whylen);

/* v rounded down / up to a whole number of steps (with the tolerance above); v itself when
 * step is not positive. The result is the nearest double to the grid value: write it with
 * argo__bn_fmt_decimal on the same step. */
double argo__bn_round_down(double v, double step);
double argo__bn_round_up(double v, double step);

/* Writes v as plain decimal text for a request: the multiple of step nearest to v, with no
 * exponent, no binary noise (0.1 + 0.2 on a step of 0.01 is "0.3") and at most the step's
 * decimals, trailing zeros trimmed ("1", "0.001", "65000.5", "0"). A step that is not positive
 * means Binance's precision, 8 decimals. ARGO_OK, or ARGO_EINVAL (buf "") when v is not finite
 * or negative, step is not a decimal of at most 16 places, the value does not fit in 64 bits
 * of steps, or buf is too small (ARGO_BN_DECIMAL_MAX always suffices). */
ARGO_NODISCARD argo_err argo__bn_fmt_decimal(double v, double step, char *buf, size_t len);

#endif
