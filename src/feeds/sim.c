/*
 * Simulated feed: seeded, reproducible candles for any number of symbols, for demos, tests and
 * benchmarks. Each symbol has its own random stream, seeded from (seed, hash of the symbol), so
 * adding a symbol never changes the others. Candles come in time order, one per symbol per time
 * step, in the settings' symbol order. Pacing is either as fast as possible (no system call per
 * candle) or real time times speed, waiting through the engine's waker so that a stop ends a
 * wait at once. Depends on util only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/feed.h"
#include "util/misc.h"
#include "util/timeu.h"
#include "util/util.h"

typedef enum { PAT_INCREASING, PAT_DECREASING, PAT_VOLATILE } pattern;

typedef struct sym_state {
  char *symbol; /* own copy: the settings may be freed before the feed */
  argo__rng rng;
  double price;  /* last close */
  double base;   /* level the volatile pattern reverts to */
  double phase;  /* of the volatile pattern's cycle, radians */
  double dphase; /* per candle */
} sym_state;

typedef struct sim {
  sym_state *syms;
  size_t nsym;
  pattern pat;
  int64_t start, interval;
  int64_t bars; /* per symbol; 0 = unlimited */
  int64_t end;  /* market_data.end: no candle at or after it (0: none) */
  int64_t step; /* current time step */
  size_t next_sym;
  double speed;
  int64_t wall0; /* monotonic time at which step 0 was released; 0 = not yet */
  argo__waker *waker;
} sim;

/* Default start of the simulated clock (documented in docs/config.md). */
#define SIM_DEFAULT_START INT64_C(1759276800000000) /* 2025-10-01T00:00:00Z */

#define TWO_PI 6.283185307179586

/* Shape of the patterns, as log returns per candle. The trends drift 0.02 % a candle with
 * noise five times that, so a few hundred candles are needed to see the trend clearly. The
 * volatile pattern follows a sine cycle of 30 to 90 candles (amplitude about 1.5 %), reverts to
 * its base, and has twice the noise: a 10/30 moving-average cross trades every few dozen
 * candles. */
#define TREND_DRIFT 0.0002
#define TREND_NOISE 0.001
#define VOL_CYCLE_AMPLITUDE 0.015
#define VOL_PERIOD_MIN 30.0
#define VOL_PERIOD_SPAN 60.0
#define VOL_REVERSION 0.02
#define VOL_NOISE 0.002
#define WICK 0.001 /* typical wick beyond the body, fraction of the price */

static double base_price(const char *symbol) {
  if (strncmp(symbol, "BTC", 3) == 0) {
    return 60000;
  }
  if (strncmp(symbol, "ETH", 3) == 0) {
    return 3000;
  }
  /* Derived from the symbol alone, so it is the same for every seed. */
  return 10 + (double)(argo__hash_str(symbol) % 49001) / 100.0; /* 10.00 .. 500.00 */
}

static void sim_close(void *impl) {
  sim *s = impl;
  if (!s) {
    return;
  }
  for (size_t i = 0; s->syms && i < s->nsym; i++) {
    free(s->syms[i].symbol);
  }
  free(s->syms);
  free(s);
}

static int64_t sim_clock_start(void *impl) {
  return ((sim *)impl)->start;
}

/* One candle of symbol st: open at the last close, a log return drawn from the pattern, and a
 * high and low beyond the body. All values finite and positive. */
static void make_candle(sim *s, sym_state *st, int64_t t, argo_candle *out) {
  double open = st->price;
  double ret;
  switch (s->pat) {
  case PAT_INCREASING:
    ret = TREND_DRIFT + TREND_NOISE * argo__rng_normal(&st->rng);
    break;
  case PAT_DECREASING:
    ret = -TREND_DRIFT + TREND_NOISE * argo__rng_normal(&st->rng);
    break;
  default: {
    /* The derivative of A sin(phase) moves the price along the cycle; the reversion term pulls
     * it back to the base so that the noise cannot carry it away over a long session. */
    st->phase += st->dphase;
    if (st->phase > TWO_PI) {
      st->phase -= TWO_PI;
    }
    double cycle = VOL_CYCLE_AMPLITUDE * st->dphase * cos(st->phase);
    double revert = -VOL_REVERSION * log(open / st->base);
    ret = cycle + revert + VOL_NOISE * argo__rng_normal(&st->rng);
    break;
  }
  }
  /* Bounds a freak draw (the normal deviate is unbounded) far from anything realistic. */
  if (ret > 0.2) {
    ret = 0.2;
  } else if (ret < -0.2) {
    ret = -0.2;
  }
  double close = open * exp(ret);
  double top = open > close ? open : close;
  double bottom = open < close ? open : close;
  double up = fabs(WICK * argo__rng_normal(&st->rng));
  double down = fabs(WICK * argo__rng_normal(&st->rng));
  if (down > 0.5) {
    down = 0.5; /* keeps low > 0 */
  }
  out->symbol = st->symbol;
  out->time = t;
  out->open = open;
  out->high = top * (1 + up);
  out->low = bottom * (1 - down);
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
  /* An end time, or the last time argo accepts (only an unlimited feed paced in real time gets
   * there, in some thousands of years). */
  if ((s->end && s->step > (s->end - 1 - s->start) / s->interval) ||
      s->step > (ARGO__TIME_MAX - s->start) / s->interval) {
    return ARGO_FEED_END;
  }
  if (s->next_sym == 0 && s->speed > 0) {
    /* The clock starts with the first candle asked for, not when the feed was opened: the
     * engine does its setup in between, and that should not be caught up in a burst. */
    if (s->wall0 == 0) {
      s->wall0 = argo__mono_us();
    }
    /* Step k is released at wall0 + k * interval / speed; computed from step 0 rather than
     * added up, so that rounding and late wake-ups do not drift. */
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
  argo_err rc = ARGO_ENOMEM;
  sim *s = NULL;
  out->ops = NULL;
  out->impl = NULL;
  if (st->nsymbols == 0 || !st->symbols) {
    argo__fmt(err, errlen, "the simulated feed needs at least one symbol");
    return ARGO_ECONFIG;
  }
  if (st->interval_us <= 0) {
    argo__fmt(err, errlen, "the simulated feed needs an interval (got %lld us)",
              (long long)st->interval_us);
    return ARGO_ECONFIG;
  }
  if (st->bars < 0) {
    argo__fmt(err, errlen, "market_data.bars must be >= 0, got %lld", (long long)st->bars);
    return ARGO_ECONFIG;
  }
  if (!(st->speed >= 0) || !isfinite(st->speed)) {
    argo__fmt(err, errlen, "market_data.speed must be a number >= 0, got %g", st->speed);
    return ARGO_ECONFIG;
  }
  if (st->speed > 0 && !waker) {
    argo__fmt(err, errlen, "the simulated feed needs a waker to pace candles");
    return ARGO_EINVAL;
  }
  int64_t start = st->has_start ? st->start_us : SIM_DEFAULT_START;
  char when[48];
  if (!argo__time_ok(start)) {
    argo_time_format(start, when, sizeof when);
    argo__fmt(err, errlen, "market_data.start: expected a UTC time " ARGO__TIME_RANGE ", got %s",
              when);
    return ARGO_ECONFIG;
  }
  if (st->end_us && st->end_us <= start) {
    argo__fmt(err, errlen, "market_data.end must be later than market_data.start");
    return ARGO_ECONFIG;
  }
  /* At full speed an unlimited feed writes candles as fast as the disk takes them (thousands of
   * day folders a minute) and never ends: it needs an end. */
  if (st->bars == 0 && st->speed == 0 && st->end_us == 0) {
    argo__fmt(err, errlen,
              "the simulated feed would never end: market_data.bars is 0 (unlimited) and "
              "market_data.speed is max; give a number of bars (--bars), an end time "
              "(market_data.end, --end) or a speed (--speed)");
    return ARGO_ECONFIG;
  }
  if (st->bars > 0 && (st->bars - 1) > (ARGO__TIME_MAX - start) / st->interval_us) {
    argo_time_format(start, when, sizeof when);
    argo__fmt(err, errlen,
              "market_data.bars: %lld candles of %s from %s go past 9999-12-31T23:59:59Z, the "
              "last time argo accepts",
              (long long)st->bars, st->interval ? st->interval : "the interval", when);
    return ARGO_ECONFIG;
  }
  pattern pat;
  const char *p = st->pattern ? st->pattern : "volatile";
  if (strcmp(p, "increasing") == 0) {
    pat = PAT_INCREASING;
  } else if (strcmp(p, "decreasing") == 0) {
    pat = PAT_DECREASING;
  } else if (strcmp(p, "volatile") == 0) {
    pat = PAT_VOLATILE;
  } else {
    argo__fmt(err, errlen,
              "unknown market_data.pattern '%s' (expected increasing, decreasing or volatile)", p);
    return ARGO_ECONFIG;
  }
  s = calloc(1, sizeof *s);
  if (!s) {
    goto fail;
  }
  s->syms = calloc(st->nsymbols, sizeof *s->syms);
  if (!s->syms) {
    goto fail;
  }
  s->nsym = st->nsymbols;
  for (size_t i = 0; i < s->nsym; i++) {
    sym_state *ss = &s->syms[i];
    ss->symbol = argo__strdup(st->symbols[i] ? st->symbols[i] : "");
    if (!ss->symbol) {
      goto fail;
    }
    /* Mixing the hash through a multiply keeps (seed, symbol) pairs apart even when seeds are
     * small consecutive numbers; splitmix64 in the seeding does the rest. */
    uint64_t h = argo__hash_str(ss->symbol);
    argo__rng_seed(&ss->rng, st->seed ^ (h * 0x9E3779B97F4A7C15ULL));
    ss->base = base_price(ss->symbol);
    ss->price = ss->base;
    ss->phase = argo__rng_uniform(&ss->rng) * TWO_PI;
    ss->dphase = TWO_PI / (VOL_PERIOD_MIN + VOL_PERIOD_SPAN * argo__rng_uniform(&ss->rng));
  }
  s->pat = pat;
  s->start = start;
  s->end = st->end_us;
  s->interval = st->interval_us;
  s->bars = st->bars;
  s->speed = st->speed;
  s->waker = waker;
  out->ops = &sim_ops;
  out->impl = s;
  return ARGO_OK;
fail:
  sim_close(s);
  argo__fmt(err, errlen, "out of memory");
  return rc;
}
