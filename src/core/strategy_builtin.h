/*
 * Builtin strategies compiled into libargo. Each is written against strategy.h only, exactly
 * like a plugin, and is listed here so that the loader can find it by name.
 */
#ifndef ARGO_STRATEGY_BUILTIN_H
#define ARGO_STRATEGY_BUILTIN_H

#include <argo/strategy.h>

/* Moving-average cross (the default): buys on a golden cross, sells on a death cross. */
const argo_strategy *argo__builtin_ma_cross(void);
/* Trades every N candles (buy, then sell N candles later): for tests and benchmarks. */
const argo_strategy *argo__builtin_pingpong(void);

#endif
