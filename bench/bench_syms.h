/*
 * The symbols of the benchmarks' simulated sessions, shared by bench_core and bench_suite: 20
 * named ones, then S020USDT, S021USDT, ... up to 400.
 */
#ifndef ARGO_BENCH_SYMS_H
#define ARGO_BENCH_SYMS_H

#include <stdio.h>
#include <string.h>

static const char *const SYMS[] = {"BTCUSDT", "ETHUSDT",  "SOLUSDT",  "BNBUSDT",  "XRPUSDT",
                                   "ADAUSDT", "DOGEUSDT", "AVAXUSDT", "DOTUSDT",  "LINKUSDT",
                                   "TRXUSDT", "LTCUSDT",  "BCHUSDT",  "ATOMUSDT", "UNIUSDT",
                                   "ETCUSDT", "XLMUSDT",  "NEARUSDT", "APTUSDT",  "FILUSDT"};

/* The first nsym symbols (400 at most), comma-separated, into list (8 KiB is room for 400). */
static inline void bench_symbol_list(int nsym, char *list, size_t cap) {
  list[0] = '\0';
  for (int i = 0; i < nsym && i < 400; i++) {
    size_t n = strlen(list);
    if (i < 20) {
      snprintf(list + n, cap - n, "%s%s", i ? "," : "", SYMS[i]);
    } else {
      snprintf(list + n, cap - n, ",S%03dUSDT", i);
    }
  }
}

#endif
