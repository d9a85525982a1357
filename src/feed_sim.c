/*
 * Simulated feed: seeded, reproducible candles for any number of symbols. Each symbol has its
 * own random stream, seeded from (seed, hash of the symbol), so adding a symbol never changes
 * the others. Candles come in time order, one per symbol per step, in the settings' symbol
 * order. Pacing: as fast as possible (no system call per candle), or real time times speed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "util/misc.h"
#include "util/timeu.h"
#include "util/util.h"

typedef enum { PAT_INCREASING, PAT_DECREASING, PAT_VOLATILE } pattern;

typedef struct sym_state {
  char *symbol;
  argo__rng rng;
  double price; /* last close */
  double base;  /* level the volatile pattern reverts to */
  double phase; /* of the volatile pattern's cycle */
  double period;
} sym_state;

typedef struct sim {
  sym_state *syms;
  size_t nsym;
  pattern pat;
  int64_t start, interval;
  int64_t bars; /* per symbol; 0 = unlimited */
  int64_t step; /* current time step */
  size_t next_sym;
  double speed;
  int64_t wall0;
  argo__waker *waker;
} sim;

/* Default start of the simulated clock (documented in docs/config.md). */
#define SIM_DEFAULT_START INT64_C(1759276800000000) /* 2025-10-01T00:00:00Z */

static double base_price(const char *symbol) {
  if (strncmp(symbol, "BTC", 3) == 0) {
    return 60000;
  }
  if (strncmp(symbol, "ETH", 3) == 0) {
    return 3000;
  }
  return 10 + (double)(argo__hash_str(symbol) % 49001) / 100.0; /* 10 .. 500 */
}

static void sim_close(void *impl) {
  sim *s = impl;
  if (!s) {
    return;
  }
  for (size_t i = 0; i < s->nsym; i++) {
    free(s->syms[i].symbol);
  }
  free(s->syms);
  free(s);
}

static int64_t sim_clock_start(void *impl) {
  return ((sim *)impl)->start;
}

/* One candle of symbol st: open at the last close, a return drawn from the pattern, a high
 * and low around the body. All values finite and positive. */
static void make_candle(sim *s, sym_state *st, int64_t t, argo_candle *out) {
  double open = st->price;
  double ret;
  switch (s->pat) {
  case PAT_INCREASING:
    ret = 0.0004 + 0.002 * argo__rng_normal(&st->rng);
    break;
  case PAT_DECREASING:
    ret = -0.0004 + 0.002 * argo__rng_normal(&st->rng);
    break;
  default: {
    /* A cycle of a few dozen candles, mean reversion towards the base, and noise: moving
     * averages cross often. */
    st->phase += 6.283185307179586 / st->period;
    double cycle = 0.0015 * sin(st->phase);
    double revert = -0.02 * log(open / st->base);
    ret = cycle + revert + 0.003 * argo__rng_normal(&st->rng);
    break;
  }
  }
  if (ret > 0.2) {
    ret = 0.2;
  } else if (ret < -0.2) {
    ret = -0.2;
  }
  double close = open * exp(ret);
  double top = open > close ? open : close;
  double bottom = open < close ? open : close;
  double high = top * (1 + fabs(0.0015 * argo__rng_normal(&st->rng)));
  double low = bottom * (1 - fabs(0.0015 * argo__rng_normal(&st->rng)));
  if (low <= 0) {
    low = bottom * 0.5;
  }
  out->symbol = st->symbol;
  out->time = t;
  out->open = open;
  out->high = high;
  out->low = low;
  out->close = close;
  out->volume = 1 + 100 * argo__rng_uniform(&st->rng);
  st->price = close;
}

static int sim_next(void *impl, argo_candle *out, char *err, size_t errlen) {
  sim *s = impl;
  (void)err;
  (void)errlen;
  if (s->bars > 0 && s->step >= s->bars) {
    return ARGO_FEED_END;
  }
  if (s->next_sym == 0 && s->speed > 0) {
    /* Step k is released at wall0 + k * interval / speed. */
    int64_t due = s->wall0 + (int64_t)((double)s->step * (double)s->interval / s->speed);
    if (argo__waker_sleep_until(s->waker, due)) {
      return ARGO_FEED_END;
    }
  }
  int64_t t = s->start + s->step * s->interval;
  make_candle(s, &s->syms[s->next_sym], t, out);
  if (++s->next_sym == s->nsym) {
    s->next_sym = 0;
    s->step++;
  }
  return ARGO_FEED_CANDLE;
}

static const argo__feed_ops sim_ops = {
    .name = "sim", .next = sim_next, .clock_start = sim_clock_start, .close = sim_close};

argo_err argo__feed_sim_open(argo__feed *out, const argo__settings *st, argo__waker *waker,
                             char *err, size_t errlen) {
  if (st->nsymbols == 0) {
    argo__fmt(err, errlen, "the simulated feed needs at least one symbol");
    return ARGO_ECONFIG;
  }
  if (st->interval_us <= 0) {
    argo__fmt(err, errlen, "the simulated feed needs an interval");
    return ARGO_ECONFIG;
  }
  sim *s = calloc(1, sizeof *s);
  if (!s) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  s->syms = calloc(st->nsymbols, sizeof *s->syms);
  if (!s->syms) {
    free(s);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  s->nsym = st->nsymbols;
  for (size_t i = 0; i < s->nsym; i++) {
    sym_state *ss = &s->syms[i];
    ss->symbol = argo__strdup(st->symbols[i]);
    if (!ss->symbol) {
      sim_close(s);
      argo__fmt(err, errlen, "out of memory");
      return ARGO_ENOMEM;
    }
    uint64_t h = argo__hash_str(ss->symbol);
    argo__rng_seed(&ss->rng, st->seed ^ (h * 0x9E3779B97F4A7C15ULL));
    ss->base = base_price(ss->symbol);
    ss->price = ss->base;
    ss->phase = argo__rng_uniform(&ss->rng) * 6.283185307179586;
    ss->period = 60 + 100 * argo__rng_uniform(&ss->rng);
  }
  const char *p = st->pattern ? st->pattern : "volatile";
  s->pat = strcmp(p, "increasing") == 0   ? PAT_INCREASING
           : strcmp(p, "decreasing") == 0 ? PAT_DECREASING
                                          : PAT_VOLATILE;
  s->start = st->has_start ? st->start_us : SIM_DEFAULT_START;
  s->interval = st->interval_us;
  s->bars = st->bars;
  s->speed = st->speed;
  s->waker = waker;
  s->wall0 = argo__mono_us();
  out->ops = &sim_ops;
  out->impl = s;
  return ARGO_OK;
}
