/*
 * Indicators (indicators.c): TA-Lib for one strategy. Any TA-Lib function by name through its
 * abstract interface, over a symbol's window of recent candles (argo__ta_call), the description
 * of a function (argo__ta_info), and the typed shortcuts of strategy.h (SMA, EMA, RSI, MACD,
 * Bollinger Bands, ATR) for the latest candle.
 *
 * It owns the scratch columns a call hands TA-Lib, a cache of TA-Lib's parameter holders, and
 * the state of the shortcuts' series. It reads candles only through argo__ta_source (the
 * engine's window, as the host's session view gives it) and depends on TA-Lib and util only;
 * it knows neither the host nor the engine. Engine thread only; TA-Lib itself is initialized
 * once per process (pthread_once) by the first argo__ta_new.
 *
 * The shortcuts' memoryless indicators (SMA, BBANDS) run TA-Lib on the last `period` closes.
 * Those with memory (EMA, RSI, MACD, ATR) are series kept per (symbol, parameters): their first
 * values are computed over every candle the window holds when the series is first asked for,
 * and each later candle takes TA-Lib's recurrence one step further, the same operations in the
 * same order as TA-Lib's own loop, so each value equals TA-Lib's function run over the same
 * candles (test_indicators checks it to the bit) at O(1) a candle rather than O(window).
 */
#ifndef ARGO_INDICATORS_H
#define ARGO_INDICATORS_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>
#include <argo/strategy.h>

#include "util/util.h"

/* The candles of a symbol, as the engine holds them. */
typedef struct argo__ta_source {
  /* The window of symbol sym, oldest first, as two spans (a ring): a[0..na) then b[0..nb).
   * Returns how many candles of sym were ever put in the window (warm-up included): it grows by
   * one a candle, so a series knows how many it has not seen. The spans are borrowed until the
   * next candle. */
  uint64_t (*window)(void *user, size_t sym, const argo_candle **a, size_t *na,
                     const argo_candle **b, size_t *nb);
  void *user;
} argo__ta_source;

typedef struct argo__ta argo__ta;

ARGO_NODISCARD argo_err argo__ta_new(argo__ta **out, const argo__ta_source *src);
void argo__ta_free(argo__ta *t);

/* strategy.h's ta_call for symbol sym: ARGO_S_* with err set on failure. */
int argo__ta_call(argo__ta *t, size_t sym, const char *function, const char *inputs,
                  const double *options, size_t noptions, size_t window, size_t nlast, double *out,
                  size_t cap, char *err, size_t errlen);
/* strategy.h's ta_info: the length written (as cache_get), or ARGO_S_*. */
int argo__ta_info(const char *function, char *buf, size_t cap, char *err, size_t errlen);

/* The shortcuts: their value(s) at the newest candle of sym. ARGO_S_STATE (outputs NaN) while
 * the window holds too few candles. */
int argo__ta_sma(argo__ta *t, size_t sym, int period, double *out, char *err, size_t errlen);
int argo__ta_ema(argo__ta *t, size_t sym, int period, double *out, char *err, size_t errlen);
int argo__ta_rsi(argo__ta *t, size_t sym, int period, double *out, char *err, size_t errlen);
int argo__ta_macd(argo__ta *t, size_t sym, int fast, int slow, int signal, double *macd,
                  double *macd_signal, double *hist, char *err, size_t errlen);
int argo__ta_bbands(argo__ta *t, size_t sym, int period, double nbdev_up, double nbdev_down,
                    double *upper, double *middle, double *lower, char *err, size_t errlen);
int argo__ta_atr(argo__ta *t, size_t sym, int period, double *out, char *err, size_t errlen);

#endif
