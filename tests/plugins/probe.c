/*
 * Test plugin: logs, on every candle, the simple moving average of the last `n` closes of the
 * candle's symbol as it knows it (field "sma"), so a test can see what its indicator was at
 * the first live candle of a warm restart. With config "fail": N it fails every N-th candle,
 * to test that a failing strategy is reported and the session goes on. strategy.h only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"

typedef struct probe {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  int n;
  long fail; /* every fail-th candle returns an error (0 = never) */
  long calls;
  char sym[4][ARGO_SYMBOL_MAX];
  double ring[4][64];
  long seen[4];
} probe;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  probe *p = calloc(1, sizeof *p);
  if (p) {
    p->host = host;
    p->ctx = ctx;
  }
  return p;
}

static void destroy(void *self) {
  free(self);
}

static int initialize(void *self, const char *config) {
  probe *p = self;
  (void)config;
  p->n = (int)p->host->config_number(p->ctx, "n", 5);
  p->fail = (long)p->host->config_number(p->ctx, "fail", 0);
  if (p->n < 1 || p->n > 64) {
    p->host->set_error(p->ctx, "n must be in 1..64");
    return ARGO_S_EINVAL;
  }
  return ARGO_S_OK;
}

static int on_candle(void *self, const argo_candle *c) {
  probe *p = self;
  if (p->fail > 0 && ++p->calls % p->fail == 0) {
    p->host->set_error(p->ctx, "probe failure on purpose");
    return ARGO_S_ERROR;
  }
  int k = 0;
  while (k < 4 && p->sym[k][0] && strcmp(p->sym[k], c->symbol) != 0) {
    k++;
  }
  if (k == 4) {
    return ARGO_S_OK;
  }
  snprintf(p->sym[k], sizeof p->sym[k], "%s", c->symbol);
  p->ring[k][p->seen[k] % p->n] = c->close;
  p->seen[k]++;
  long have = p->seen[k] < p->n ? p->seen[k] : p->n;
  double sum = 0;
  for (long i = 0; i < have; i++) {
    sum += p->ring[k][i];
  }
  char v[64], cnt[32];
  snprintf(v, sizeof v, "%.17g", sum / (double)have);
  snprintf(cnt, sizeof cnt, "%ld", have);
  argo_kv f[] = {{"sma", v}, {"count", cnt}};
  p->host->log(p->ctx, ARGO_LOG_DEBUG, "probe", f, 2);
  return ARGO_S_OK;
}

static size_t warmup(void *self) {
  return (size_t)((probe *)self)->n;
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "probe",
    .id = "org.argo.tests.probe",
    .version = "1.0.0",
    .description = "logs its moving average on every candle",
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .on_candle = on_candle,
    .warmup_candles = warmup,
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
