/*
 * Test plugin: the C twin of tests/python/ta_probe.py. On every candle it logs (message "ta")
 * the indicators of the candle's symbol as the host's C calls give them: SMA(20), EMA(50),
 * RSI(14), MACD(12,26,9), BBANDS(20,2,2) and ATR(14) through the shortcuts, and BBANDS(20, 2,
 * 2) through ta_call over the last 40 candles, its last 2 values of each output. Values are
 * written with %.17g (exact), a shortcut without a value yet as "none", so a test compares the
 * two logs as text. strategy.h only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"

typedef struct taprobe {
  const argo_host_api *h;
  argo_strategy_ctx *ctx;
} taprobe;

static void *create(const argo_host_api *h, argo_strategy_ctx *ctx) {
  taprobe *p = calloc(1, sizeof *p);
  if (p) {
    p->h = h;
    p->ctx = ctx;
  }
  return p;
}

static void destroy(void *self) {
  free(self);
}

static int initialize(void *self, const char *config) {
  taprobe *p = self;
  (void)config;
  if (p->h->struct_size < offsetof(argo_host_api, ta_atr) + sizeof p->h->ta_atr) {
    p->h->set_error(p->ctx, "this argo has no indicators");
    return ARGO_S_STATE;
  }
  return ARGO_S_OK;
}

/* One value as ta_probe.py writes it: %.17g, or "none" when the call had none yet. */
static void put(char *buf, size_t cap, int rc, double v) {
  if (rc == ARGO_S_STATE) {
    snprintf(buf, cap, "none");
  } else if (rc != ARGO_S_OK) {
    snprintf(buf, cap, "error %d", rc);
  } else {
    snprintf(buf, cap, "%.17g", v);
  }
}

static int on_candle(void *self, const argo_candle *c) {
  taprobe *p = self;
  const argo_host_api *h = p->h;
  const char *s = c->symbol;
  enum { N = 16 };
  char v[N][40];
  double x[3];
  int rc = h->ta_sma(p->ctx, s, 20, &x[0]);
  put(v[0], sizeof v[0], rc, x[0]);
  rc = h->ta_ema(p->ctx, s, 50, &x[0]);
  put(v[1], sizeof v[1], rc, x[0]);
  rc = h->ta_rsi(p->ctx, s, 14, &x[0]);
  put(v[2], sizeof v[2], rc, x[0]);
  rc = h->ta_macd(p->ctx, s, 12, 26, 9, &x[0], &x[1], &x[2]);
  for (int i = 0; i < 3; i++) {
    put(v[3 + i], sizeof v[3 + i], rc, x[i]);
  }
  rc = h->ta_bbands(p->ctx, s, 20, 2, 2, &x[0], &x[1], &x[2]);
  for (int i = 0; i < 3; i++) {
    put(v[6 + i], sizeof v[6 + i], rc, x[i]);
  }
  rc = h->ta_atr(p->ctx, s, 14, &x[0]);
  put(v[9], sizeof v[9], rc, x[0]);
  double opt[3] = {20, 2, 2}, out[6];
  rc = h->ta_call(p->ctx, "BBANDS", s, NULL, opt, 3, 40, 2, out, 6);
  for (int i = 0; i < 6; i++) {
    /* ta_call's arrays: NaN where not defined yet, whatever the return (ARGO_S_STATE). */
    put(v[10 + i], sizeof v[10 + i], rc == ARGO_S_STATE ? ARGO_S_OK : rc, out[i]);
  }
  static const char *const keys[N] = {"sma",         "ema",          "rsi",        "macd",
                                      "macd_signal", "macd_hist",    "bb_upper",   "bb_middle",
                                      "bb_lower",    "atr",          "call_upper", "call_upper1",
                                      "call_middle", "call_middle1", "call_lower", "call_lower1"};
  argo_kv f[N];
  for (int i = 0; i < N; i++) {
    f[i].key = keys[i];
    f[i].value = v[i];
  }
  return h->log(p->ctx, ARGO_LOG_INFO, "ta", f, N);
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "taprobe",
    .version = "0.1.0",
    .description = "logs the host's indicators on every candle (tests)",
    .config_schema = "{\"type\":\"object\"}",
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .on_candle = on_candle,
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
