/*
 * Indicators: TA-Lib for one strategy; see indicators.h. TA-Lib's headers are included here
 * only: no other module of argo sees TA-Lib.
 */
#include "core/indicators.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <ta_abstract.h>
#include <ta_common.h>
#include <ta_func.h>

#include "util/strbuf.h"
#include "util/util.h"

/* TA-Lib's largest period (its functions refuse more). */
#define TA_PERIOD_MAX 100000
/* TA-Lib's parameter holders kept for reuse, by function. */
#define HOLDERS 16
/* TA-Lib's own test for zero (ta_utility.h, TA_IS_ZERO), used by RSI. */
#define TA_EPS 0.00000000000001

/* ---- TA-Lib, once per process --------------------------------------------------------- */

static pthread_once_t ta_once = PTHREAD_ONCE_INIT;
static TA_RetCode ta_init_rc = TA_SUCCESS;

static void ta_init(void) {
  ta_init_rc = TA_Initialize();
}

static const char *rc_text(TA_RetCode rc) {
  TA_RetCodeInfo info;
  TA_SetRetCodeInfo(rc, &info);
  return info.infoStr ? info.infoStr : "TA-Lib error";
}

/* ---- the shortcuts' series -------------------------------------------------------------- */

typedef enum kind { K_EMA = 1, K_RSI, K_MACD, K_ATR } kind;

/* TA-Lib's INT_EMA from the index where it starts: an SMA of the first `period` values as the
 * seed, then prev = ((x - prev) * k) + prev. */
typedef struct ema_st {
  int period;
  double k;
  long n;
  double sum, value;
} ema_st;

static void ema_init(ema_st *e, int period) {
  memset(e, 0, sizeof *e);
  e->period = period;
  e->k = (double)2.0 / ((double)(period + 1)); /* TA-Lib's PER_TO_K */
}

/* 1 once the value is defined. */
static int ema_push(ema_st *e, double x) {
  if (e->n < e->period) {
    e->sum += x;
    if (++e->n < e->period) {
      return 0;
    }
    e->value = e->sum / e->period;
    return 1;
  }
  e->value = ((x - e->value) * e->k) + e->value;
  return 1;
}

typedef struct series {
  kind kind;
  size_t sym;
  int p[3];
  uint64_t seen; /* the symbol's window count this series has consumed up to */
  long n;        /* candles consumed */
  int ready;     /* out holds the value at the last candle consumed */
  double out[3]; /* its outputs there */
  ema_st e[3];   /* EMA: e[0]; MACD: slow, fast, signal */
  double prev;   /* RSI, ATR: the previous close */
  double gain, loss, atr;
} series;

static void series_reset(series *s) {
  s->seen = 0;
  s->n = 0;
  s->ready = 0;
  s->out[0] = s->out[1] = s->out[2] = NAN;
  s->prev = s->gain = s->loss = s->atr = 0;
  switch (s->kind) {
  case K_EMA:
    ema_init(&s->e[0], s->p[0]);
    break;
  case K_MACD:
    ema_init(&s->e[0], s->p[1]); /* slow */
    ema_init(&s->e[1], s->p[0]); /* fast */
    ema_init(&s->e[2], s->p[2]); /* signal */
    break;
  default:
    break;
  }
}

/* TA-Lib's TRANGE of one candle given the previous close. */
static double true_range(double high, double low, double prev_close) {
  double greatest = high - low;
  double v2 = fabs(prev_close - high);
  if (v2 > greatest) {
    greatest = v2;
  }
  double v3 = fabs(prev_close - low);
  if (v3 > greatest) {
    greatest = v3;
  }
  return greatest;
}

/* One candle through the series: TA-Lib's loops, one iteration at a time. */
static void series_step(series *s, const argo_candle *c) {
  long i = s->n++;
  double x = c->close;
  switch (s->kind) {
  case K_EMA:
    if (ema_push(&s->e[0], x)) {
      s->out[0] = s->e[0].value;
      s->ready = 1;
    }
    break;
  case K_RSI: { /* ta_RSI.c, TA_COMPATIBILITY_DEFAULT, no unstable period */
    int p = s->p[0];
    if (i == 0) {
      s->prev = x;
      break;
    }
    double ch = x - s->prev;
    s->prev = x;
    if (i <= p) {
      if (ch < 0) {
        s->loss -= ch;
      } else {
        s->gain += ch;
      }
      if (i < p) {
        break;
      }
      s->loss /= p;
      s->gain /= p;
    } else {
      s->loss *= (p - 1);
      s->gain *= (p - 1);
      if (ch < 0) {
        s->loss -= ch;
      } else {
        s->gain += ch;
      }
      s->loss /= p;
      s->gain /= p;
    }
    double sum = s->gain + s->loss;
    s->out[0] = (-TA_EPS < sum && sum < TA_EPS) ? 0.0 : 100.0 * (s->gain / sum);
    s->ready = 1;
    break;
  }
  case K_MACD: { /* ta_MACD.c: both EMAs start where the slow one's first value is */
    int fast = s->p[0], slow = s->p[1];
    ema_push(&s->e[0], x);
    if (i >= slow - fast) {
      ema_push(&s->e[1], x);
    }
    if (i >= slow - 1) {
      double m = s->e[1].value - s->e[0].value;
      if (ema_push(&s->e[2], m)) {
        s->out[0] = m;
        s->out[1] = s->e[2].value;
        s->out[2] = m - s->e[2].value;
        s->ready = 1;
      }
    }
    break;
  }
  case K_ATR: { /* ta_ATR.c: an SMA of the first `period` true ranges, then Wilder's */
    int p = s->p[0];
    if (i == 0) {
      s->prev = x;
      break;
    }
    double tr = true_range(c->high, c->low, s->prev);
    s->prev = x;
    if (p == 1) {
      s->out[0] = tr; /* TA-Lib's ATR(1) is TRANGE */
      s->ready = 1;
      break;
    }
    if (i <= p) {
      s->gain += tr; /* the sum of the true ranges so far */
      if (i < p) {
        break;
      }
      s->atr = s->gain / p;
    } else {
      s->atr *= p - 1;
      s->atr += tr;
      s->atr /= p;
    }
    s->out[0] = s->atr;
    s->ready = 1;
    break;
  }
  }
}

/* ---- the object ------------------------------------------------------------------------- */

typedef struct holder {
  const TA_FuncHandle *fh;
  TA_ParamHolder *ph;
} holder;

struct argo__ta {
  argo__ta_source src;
  double *col[5]; /* open, high, low, close, volume of the candles of a call */
  size_t colcap;
  double *obuf; /* a call's outputs, one block of `colcap` per output */
  TA_Integer *ibuf;
  size_t ocap;
  holder holders[HOLDERS];
  size_t next_holder;
  series *series;
  size_t nseries, series_cap;
  uint32_t *slots; /* open addressing: index + 1 into series, 0 empty */
  size_t nslots;
  size_t last; /* the series found last, tried first */
};

argo_err argo__ta_new(argo__ta **out, const argo__ta_source *src) {
  *out = NULL;
  pthread_once(&ta_once, ta_init);
  if (ta_init_rc != TA_SUCCESS) {
    return ARGO_ENOMEM; /* TA_Initialize fails only when it cannot allocate */
  }
  argo__ta *t = calloc(1, sizeof *t);
  if (!t) {
    return ARGO_ENOMEM;
  }
  t->src = *src;
  *out = t;
  return ARGO_OK;
}

void argo__ta_free(argo__ta *t) {
  if (!t) {
    return;
  }
  for (size_t i = 0; i < HOLDERS; i++) {
    if (t->holders[i].ph) {
      TA_ParamHolderFree(t->holders[i].ph);
    }
  }
  for (int i = 0; i < 5; i++) {
    free(t->col[i]);
  }
  free(t->obuf);
  free(t->ibuf);
  free(t->series);
  free(t->slots);
  free(t);
}

/* Room for n candles in the columns and outputs blocks of n values. */
static int reserve(argo__ta *t, size_t n, size_t nout) {
  if (n > t->colcap) {
    size_t cap = t->colcap ? t->colcap : 64;
    while (cap < n) {
      cap *= 2;
    }
    for (int i = 0; i < 5; i++) {
      double *p = realloc(t->col[i], cap * sizeof *p);
      if (!p) {
        return -1;
      }
      t->col[i] = p;
    }
    t->colcap = cap;
  }
  if (nout * t->colcap > t->ocap) {
    size_t cap = nout * t->colcap;
    double *o = realloc(t->obuf, cap * sizeof *o);
    if (!o) {
      return -1;
    }
    t->obuf = o;
    TA_Integer *io = realloc(t->ibuf, cap * sizeof *io);
    if (!io) {
      return -1;
    }
    t->ibuf = io;
    t->ocap = cap;
  }
  return 0;
}

/* The last n candles of sym into the columns (only the close when closes_only). */
static void fill_columns(argo__ta *t, const argo_candle *a, size_t na, const argo_candle *b,
                         size_t nb, size_t n, int closes_only) {
  size_t skip = na + nb - n, j = 0;
  for (size_t k = 0; k < 2; k++) {
    const argo_candle *p = k == 0 ? a : b;
    size_t len = k == 0 ? na : nb;
    if (skip >= len) { /* the whole span is older than the n wanted */
      skip -= len;
      continue;
    }
    for (size_t i = skip; i < len; i++, j++) {
      t->col[3][j] = p[i].close;
      if (!closes_only) {
        t->col[0][j] = p[i].open;
        t->col[1][j] = p[i].high;
        t->col[2][j] = p[i].low;
        t->col[4][j] = p[i].volume;
      }
    }
    skip = 0;
  }
}

/* ---- the series table ------------------------------------------------------------------- */

static uint64_t series_hash(kind k, size_t sym, const int p[3]) {
  uint64_t h = 1469598103934665603ull;
  uint64_t v[5] = {(uint64_t)k, (uint64_t)sym, (uint64_t)(uint32_t)p[0], (uint64_t)(uint32_t)p[1],
                   (uint64_t)(uint32_t)p[2]};
  for (int i = 0; i < 5; i++) {
    h ^= v[i];
    h *= 1099511628211ull;
    h ^= h >> 29;
  }
  return h;
}

static int series_is(const series *s, kind k, size_t sym, const int p[3]) {
  return s->kind == k && s->sym == sym && s->p[0] == p[0] && s->p[1] == p[1] && s->p[2] == p[2];
}

static int rehash(argo__ta *t, size_t nslots) {
  uint32_t *slots = calloc(nslots, sizeof *slots);
  if (!slots) {
    return -1;
  }
  for (size_t i = 0; i < t->nseries; i++) {
    const series *s = &t->series[i];
    size_t at = (size_t)series_hash(s->kind, s->sym, s->p) & (nslots - 1);
    while (slots[at]) {
      at = (at + 1) & (nslots - 1);
    }
    slots[at] = (uint32_t)(i + 1);
  }
  free(t->slots);
  t->slots = slots;
  t->nslots = nslots;
  return 0;
}

static series *series_get(argo__ta *t, kind k, size_t sym, const int p[3]) {
  if (t->last < t->nseries && series_is(&t->series[t->last], k, sym, p)) {
    return &t->series[t->last];
  }
  if (t->nslots) {
    size_t at = (size_t)series_hash(k, sym, p) & (t->nslots - 1);
    while (t->slots[at]) {
      size_t i = t->slots[at] - 1;
      if (series_is(&t->series[i], k, sym, p)) {
        t->last = i;
        return &t->series[i];
      }
      at = (at + 1) & (t->nslots - 1);
    }
  }
  if (argo__grow((void **)&t->series, &t->series_cap, t->nseries + 1, sizeof *t->series) != 0) {
    return NULL;
  }
  size_t idx = t->nseries++;
  series *s = &t->series[idx];
  memset(s, 0, sizeof *s);
  s->kind = k;
  s->sym = sym;
  memcpy(s->p, p, sizeof s->p);
  series_reset(s);
  if (2 * t->nseries > t->nslots) {
    if (rehash(t, t->nslots ? 2 * t->nslots : 16) != 0) {
      t->nseries--;
      return NULL;
    }
  } else {
    size_t at = (size_t)series_hash(k, sym, p) & (t->nslots - 1);
    while (t->slots[at]) {
      at = (at + 1) & (t->nslots - 1);
    }
    t->slots[at] = (uint32_t)(idx + 1);
  }
  t->last = t->nseries - 1;
  return s;
}

/* Brings a series up to the newest candle of its symbol: the candles it has not seen, or, when
 * more came than the window holds (or it is new), every candle the window holds from scratch. */
static void series_update(argo__ta *t, series *s) {
  const argo_candle *a, *b;
  size_t na, nb;
  uint64_t count = t->src.window(t->src.user, s->sym, &a, &na, &b, &nb);
  if (count == s->seen && s->n > 0) {
    return;
  }
  size_t held = na + nb;
  uint64_t missing = count - s->seen;
  if (s->n == 0 || count < s->seen || missing > held) {
    series_reset(s);
    missing = held;
  }
  size_t skip = held - (size_t)missing;
  for (size_t k = 0; k < 2; k++) {
    const argo_candle *p = k == 0 ? a : b;
    size_t len = k == 0 ? na : nb;
    size_t i = 0;
    if (skip >= len) {
      skip -= len;
      continue;
    }
    i = skip;
    skip = 0;
    for (; i < len; i++) {
      series_step(s, &p[i]);
    }
  }
  s->seen = count;
}

static int period_ok(int period, int min, const char *what, char *err, size_t errlen) {
  if (period < min || period > TA_PERIOD_MAX) {
    argo__fmt(err, errlen, "%s must be from %d to %d (TA-Lib's range), not %d", what, min,
              TA_PERIOD_MAX, period);
    return 0;
  }
  return 1;
}

static int not_yet(const char *name, long needed, size_t held, double *out[], int nout, char *err,
                   size_t errlen) {
  for (int i = 0; i < nout; i++) {
    if (out[i]) {
      *out[i] = NAN;
    }
  }
  argo__fmt(err, errlen, "%s needs %ld candles, the window holds %zu", name, needed, held);
  return ARGO_S_STATE;
}

static int run_series(argo__ta *t, kind k, size_t sym, const int p[3], long needed,
                      const char *name, double *out[], int nout, char *err, size_t errlen) {
  series *s = series_get(t, k, sym, p);
  if (!s) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_S_ERROR;
  }
  series_update(t, s);
  if (!s->ready) {
    return not_yet(name, needed, (size_t)s->n, out, nout, err, errlen);
  }
  for (int i = 0; i < nout; i++) {
    if (out[i]) {
      *out[i] = s->out[i];
    }
  }
  return ARGO_S_OK;
}

int argo__ta_ema(argo__ta *t, size_t sym, int period, double *out, char *err, size_t errlen) {
  if (!period_ok(period, 2, "the period", err, errlen)) {
    return ARGO_S_EINVAL;
  }
  int p[3] = {period, 0, 0};
  double *o[1] = {out};
  return run_series(t, K_EMA, sym, p, period, "EMA", o, 1, err, errlen);
}

int argo__ta_rsi(argo__ta *t, size_t sym, int period, double *out, char *err, size_t errlen) {
  if (!period_ok(period, 2, "the period", err, errlen)) {
    return ARGO_S_EINVAL;
  }
  int p[3] = {period, 0, 0};
  double *o[1] = {out};
  return run_series(t, K_RSI, sym, p, (long)period + 1, "RSI", o, 1, err, errlen);
}

int argo__ta_macd(argo__ta *t, size_t sym, int fast, int slow, int signal, double *macd,
                  double *macd_signal, double *hist, char *err, size_t errlen) {
  if (!period_ok(fast, 2, "the fast period", err, errlen) ||
      !period_ok(slow, 2, "the slow period", err, errlen) ||
      /* TA-Lib's MACD admits a signal period of 1 but its outputs are then one short or
       * refused (TA_INTERNAL_ERROR): 2 is the smallest that works. */
      !period_ok(signal, 2, "the signal period", err, errlen)) {
    return ARGO_S_EINVAL;
  }
  if (slow < fast) { /* TA-Lib swaps them */
    int tmp = slow;
    slow = fast;
    fast = tmp;
  }
  int p[3] = {fast, slow, signal};
  double *o[3] = {macd, macd_signal, hist};
  return run_series(t, K_MACD, sym, p, (long)slow + signal - 1, "MACD", o, 3, err, errlen);
}

int argo__ta_atr(argo__ta *t, size_t sym, int period, double *out, char *err, size_t errlen) {
  if (!period_ok(period, 1, "the period", err, errlen)) {
    return ARGO_S_EINVAL;
  }
  int p[3] = {period, 0, 0};
  double *o[1] = {out};
  return run_series(t, K_ATR, sym, p, (long)period + 1, "ATR", o, 1, err, errlen);
}

/* The last n closes of sym into col[3], or ARGO_S_STATE when fewer are held (*held). */
static int last_closes(argo__ta *t, size_t sym, size_t n, size_t *held) {
  const argo_candle *a, *b;
  size_t na, nb;
  t->src.window(t->src.user, sym, &a, &na, &b, &nb);
  *held = na + nb;
  if (na + nb < n) {
    return ARGO_S_STATE;
  }
  if (reserve(t, n, 3) != 0) {
    return ARGO_S_ERROR;
  }
  fill_columns(t, a, na, b, nb, n, 1);
  return ARGO_S_OK;
}

int argo__ta_sma(argo__ta *t, size_t sym, int period, double *out, char *err, size_t errlen) {
  if (!period_ok(period, 2, "the period", err, errlen)) {
    return ARGO_S_EINVAL;
  }
  double *o[1] = {out};
  size_t held;
  int rc = last_closes(t, sym, (size_t)period, &held);
  if (rc == ARGO_S_STATE) {
    return not_yet("SMA", period, held, o, 1, err, errlen);
  }
  if (rc != ARGO_S_OK) {
    argo__fmt(err, errlen, "out of memory");
    return rc;
  }
  int beg = 0, nb = 0;
  TA_RetCode trc = TA_SMA(0, period - 1, t->col[3], period, &beg, &nb, t->obuf);
  if (trc != TA_SUCCESS || nb != 1) {
    argo__fmt(err, errlen, "TA-Lib's SMA failed: %s", rc_text(trc));
    return ARGO_S_ERROR;
  }
  *out = t->obuf[0];
  return ARGO_S_OK;
}

int argo__ta_bbands(argo__ta *t, size_t sym, int period, double nbdev_up, double nbdev_down,
                    double *upper, double *middle, double *lower, char *err, size_t errlen) {
  if (!period_ok(period, 2, "the period", err, errlen)) {
    return ARGO_S_EINVAL;
  }
  if (!isfinite(nbdev_up) || !isfinite(nbdev_down)) {
    argo__fmt(err, errlen, "the deviations must be numbers");
    return ARGO_S_EINVAL;
  }
  double *o[3] = {upper, middle, lower};
  size_t held;
  int rc = last_closes(t, sym, (size_t)period, &held);
  if (rc == ARGO_S_STATE) {
    return not_yet("BBANDS", period, held, o, 3, err, errlen);
  }
  if (rc != ARGO_S_OK) {
    argo__fmt(err, errlen, "out of memory");
    return rc;
  }
  int beg = 0, nb = 0;
  double *u = t->obuf, *m = t->obuf + 1, *l = t->obuf + 2;
  TA_RetCode trc = TA_BBANDS(0, period - 1, t->col[3], period, nbdev_up, nbdev_down, TA_MAType_SMA,
                             &beg, &nb, u, m, l);
  if (trc != TA_SUCCESS || nb != 1) {
    argo__fmt(err, errlen, "TA-Lib's BBANDS failed: %s", rc_text(trc));
    return ARGO_S_ERROR;
  }
  double v[3] = {*u, *m, *l};
  for (int i = 0; i < 3; i++) {
    if (o[i]) {
      *o[i] = v[i];
    }
  }
  return ARGO_S_OK;
}

/* ---- any function by name (TA-Lib's abstract interface) ---------------------------------- */

/* TA-Lib's name of a function: upper case; 0 when it cannot be one. */
static int upper_name(const char *in, char *out, size_t cap) {
  size_t n = strlen(in);
  if (n == 0 || n >= cap) {
    return 0;
  }
  for (size_t i = 0; i <= n; i++) {
    out[i] = (char)toupper((unsigned char)in[i]);
  }
  return 1;
}

static int find_function(const char *function, const TA_FuncHandle **fh, const TA_FuncInfo **fi,
                         char *err, size_t errlen) {
  char name[32];
  if (!upper_name(function, name, sizeof name) || TA_GetFuncHandle(name, fh) != TA_SUCCESS ||
      TA_GetFuncInfo(*fh, fi) != TA_SUCCESS) {
    argo__fmt(err, errlen, "TA-Lib has no function '%s' (ta_info lists them)", function);
    return 0;
  }
  return 1;
}

static TA_ParamHolder *holder_for(argo__ta *t, const TA_FuncHandle *fh) {
  for (size_t i = 0; i < HOLDERS; i++) {
    if (t->holders[i].fh == fh) {
      return t->holders[i].ph;
    }
  }
  holder *h = &t->holders[t->next_holder];
  t->next_holder = (t->next_holder + 1) % HOLDERS;
  if (h->ph) {
    TA_ParamHolderFree(h->ph);
    h->ph = NULL;
    h->fh = NULL;
  }
  if (TA_ParamHolderAlloc(fh, &h->ph) != TA_SUCCESS) {
    h->ph = NULL;
    return NULL;
  }
  h->fh = fh;
  return h->ph;
}

static const char *const price_names[5] = {"open", "high", "low", "close", "volume"};

/* The next price name of a comma-separated list: its column, or -1. */
static int next_price(const char **list, const char *fname, char *err, size_t errlen) {
  const char *p = *list;
  if (!p || !*p) {
    return 3; /* the close */
  }
  while (*p == ' ') {
    p++;
  }
  const char *end = strchr(p, ',');
  size_t len = end ? (size_t)(end - p) : strlen(p);
  while (len && p[len - 1] == ' ') {
    len--;
  }
  *list = end ? end + 1 : p + strlen(p);
  for (int i = 0; i < 5; i++) {
    if (strlen(price_names[i]) == len && strncmp(p, price_names[i], len) == 0) {
      return i;
    }
  }
  argo__fmt(err, errlen, "%s: unknown input '%.*s' (open, high, low, close or volume)", fname,
            (int)(len > 32 ? 32 : len), p);
  return -1;
}

int argo__ta_call(argo__ta *t, size_t sym, const char *function, const char *inputs,
                  const double *options, size_t noptions, size_t window, size_t nlast, double *out,
                  size_t cap, char *err, size_t errlen) {
  const TA_FuncHandle *fh;
  const TA_FuncInfo *fi;
  if (!find_function(function, &fh, &fi, err, errlen)) {
    return ARGO_S_NOTFOUND;
  }
  const char *fname = fi->name;
  size_t nout = fi->nbOutput;
  if (nlast == 0) {
    nlast = 1;
  }
  if (noptions > fi->nbOptInput) {
    argo__fmt(err, errlen, "%s takes %u options, %zu given", fname, fi->nbOptInput, noptions);
    return ARGO_S_EINVAL;
  }
  if (cap / nout < nlast) {
    argo__fmt(err, errlen, "%s: out needs %zu values (%zu outputs x %zu), cap is %zu", fname,
              nout * nlast, nout, nlast, cap);
    return ARGO_S_TOOSMALL;
  }
  for (size_t i = 0; i < nout * nlast; i++) {
    out[i] = NAN;
  }
  const argo_candle *a, *b;
  size_t na, nb;
  t->src.window(t->src.user, sym, &a, &na, &b, &nb);
  size_t n = na + nb;
  if (window && window < n) {
    n = window;
  }
  if (n == 0) {
    argo__fmt(err, errlen, "%s: the window holds no candle yet", fname);
    return ARGO_S_STATE;
  }
  if (n > (size_t)TA_INTEGER_MAX || reserve(t, n, nout) != 0) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_S_ERROR;
  }
  fill_columns(t, a, na, b, nb, n, 0);
  TA_ParamHolder *ph = holder_for(t, fh);
  if (!ph) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_S_ERROR;
  }
  const char *list = inputs;
  for (unsigned i = 0; i < fi->nbInput; i++) {
    const TA_InputParameterInfo *ip;
    TA_RetCode rc = TA_GetInputParameterInfo(fh, i, &ip);
    if (rc == TA_SUCCESS && ip->type == TA_Input_Price) {
      if (ip->flags & (TA_IN_PRICE_OPENINTEREST | TA_IN_PRICE_TIMESTAMP)) {
        argo__fmt(err, errlen, "%s needs open interest or time stamps, which candles lack", fname);
        return ARGO_S_EINVAL;
      }
      rc = TA_SetInputParamPricePtr(ph, i, t->col[0], t->col[1], t->col[2], t->col[3], t->col[4],
                                    NULL);
    } else if (rc == TA_SUCCESS && ip->type == TA_Input_Real) {
      int c = next_price(&list, fname, err, errlen);
      if (c < 0) {
        return ARGO_S_EINVAL;
      }
      rc = TA_SetInputParamRealPtr(ph, i, t->col[c]);
    } else if (rc == TA_SUCCESS) {
      argo__fmt(err, errlen, "%s takes an integer series, which ta_call cannot give", fname);
      return ARGO_S_EINVAL;
    }
    if (rc != TA_SUCCESS) {
      argo__fmt(err, errlen, "%s: input %u: %s", fname, i, rc_text(rc));
      return ARGO_S_ERROR;
    }
  }
  for (unsigned i = 0; i < fi->nbOptInput; i++) {
    const TA_OptInputParameterInfo *op;
    TA_RetCode rc = TA_GetOptInputParameterInfo(fh, i, &op);
    if (rc != TA_SUCCESS) {
      argo__fmt(err, errlen, "%s: option %u: %s", fname, i, rc_text(rc));
      return ARGO_S_ERROR;
    }
    double v = i < noptions && !isnan(options[i]) ? options[i] : op->defaultValue;
    if (op->type == TA_OptInput_IntegerRange || op->type == TA_OptInput_IntegerList) {
      if (v != floor(v) || v < -2147483647.0 || v > 2147483647.0) {
        argo__fmt(err, errlen, "%s: option %s must be a whole number, not %g", fname, op->paramName,
                  v);
        return ARGO_S_EINVAL;
      }
      rc = TA_SetOptInputParamInteger(ph, i, (TA_Integer)v);
    } else {
      if (!isfinite(v)) {
        argo__fmt(err, errlen, "%s: option %s must be a number", fname, op->paramName);
        return ARGO_S_EINVAL;
      }
      rc = TA_SetOptInputParamReal(ph, i, v);
    }
    if (rc != TA_SUCCESS) {
      argo__fmt(err, errlen, "%s: option %s = %g: %s", fname, op->paramName, v, rc_text(rc));
      return ARGO_S_EINVAL;
    }
  }
  if (list && *list) {
    argo__fmt(err, errlen, "%s: more inputs named than it takes ('%s' left)", fname, list);
    return ARGO_S_EINVAL;
  }
  unsigned char is_int[8] = {0};
  for (unsigned k = 0; k < nout && k < 8; k++) {
    const TA_OutputParameterInfo *op;
    TA_RetCode rc = TA_GetOutputParameterInfo(fh, k, &op);
    if (rc == TA_SUCCESS) {
      is_int[k] = op->type == TA_Output_Integer;
      rc = is_int[k] ? TA_SetOutputParamIntegerPtr(ph, k, t->ibuf + (size_t)k * t->colcap)
                     : TA_SetOutputParamRealPtr(ph, k, t->obuf + (size_t)k * t->colcap);
    }
    if (rc != TA_SUCCESS) {
      argo__fmt(err, errlen, "%s: output %u: %s", fname, k, rc_text(rc));
      return ARGO_S_ERROR;
    }
  }
  TA_Integer beg = 0, count = 0;
  TA_RetCode rc = TA_CallFunc(ph, 0, (TA_Integer)n - 1, &beg, &count);
  if (rc != TA_SUCCESS) {
    argo__fmt(err, errlen, "%s: %s", fname, rc_text(rc));
    return rc == TA_BAD_PARAM ? ARGO_S_EINVAL : ARGO_S_ERROR;
  }
  /* Output index o holds the value of input index beg + o. */
  for (size_t j = 0; j < nlast; j++) {
    if (nlast - j > n) {
      continue;
    }
    size_t idx = n - (nlast - j);
    if ((long)idx < (long)beg || (long)idx >= (long)beg + count) {
      continue;
    }
    size_t o = idx - (size_t)beg;
    for (size_t k = 0; k < nout; k++) {
      out[k * nlast + j] =
          k < 8 && is_int[k] ? (double)t->ibuf[k * t->colcap + o] : t->obuf[k * t->colcap + o];
    }
  }
  if (count == 0 || beg + count != (TA_Integer)n) {
    TA_Integer lookback = 0;
    TA_GetLookback(ph, &lookback);
    argo__fmt(err, errlen, "%s needs %ld candles, %zu given", fname, (long)lookback + 1, n);
    return ARGO_S_STATE;
  }
  return ARGO_S_OK;
}

/* ---- describing functions ------------------------------------------------------------------ */

static void list_one(const TA_FuncInfo *fi, void *user) {
  argo__sb *sb = user;
  if (sb->len > 1) {
    argo__sb_putc(sb, ',');
  }
  argo__sb_json_str(sb, fi->name);
}

static void describe(argo__sb *sb, const TA_FuncHandle *fh, const TA_FuncInfo *fi) {
  argo__sb_puts(sb, "{\"name\":");
  argo__sb_json_str(sb, fi->name);
  argo__sb_puts(sb, ",\"group\":");
  argo__sb_json_str(sb, fi->group);
  argo__sb_puts(sb, ",\"hint\":");
  argo__sb_json_str(sb, fi->hint);
  argo__sb_printf(sb, ",\"memory\":%s,\"inputs\":[",
                  (fi->flags & TA_FUNC_FLG_UNST_PER) ? "true" : "false");
  for (unsigned i = 0; i < fi->nbInput; i++) {
    const TA_InputParameterInfo *ip;
    if (TA_GetInputParameterInfo(fh, i, &ip) != TA_SUCCESS) {
      continue;
    }
    argo__sb_puts(sb, i ? ",{\"name\":" : "{\"name\":");
    argo__sb_json_str(sb, ip->paramName);
    if (ip->type == TA_Input_Price) {
      argo__sb_puts(sb, ",\"type\":\"price\",\"prices\":[");
      int first = 1;
      for (int c = 0; c < 5; c++) {
        if (ip->flags & (1 << c)) {
          argo__sb_printf(sb, "%s\"%s\"", first ? "" : ",", price_names[c]);
          first = 0;
        }
      }
      argo__sb_puts(sb, "]}");
    } else {
      argo__sb_printf(sb, ",\"type\":\"%s\"}", ip->type == TA_Input_Real ? "real" : "integer");
    }
  }
  argo__sb_puts(sb, "],\"options\":[");
  for (unsigned i = 0; i < fi->nbOptInput; i++) {
    const TA_OptInputParameterInfo *op;
    if (TA_GetOptInputParameterInfo(fh, i, &op) != TA_SUCCESS) {
      continue;
    }
    int integer = op->type == TA_OptInput_IntegerRange || op->type == TA_OptInput_IntegerList;
    argo__sb_puts(sb, i ? ",{\"name\":" : "{\"name\":");
    argo__sb_json_str(sb, op->paramName);
    argo__sb_printf(sb, ",\"type\":\"%s\",\"default\":", integer ? "integer" : "real");
    argo__sb_json_num(sb, op->defaultValue);
    if (op->type == TA_OptInput_IntegerRange && op->dataSet) {
      const TA_IntegerRange *r = op->dataSet;
      argo__sb_printf(sb, ",\"min\":%d,\"max\":%d", (int)r->min, (int)r->max);
    } else if (op->type == TA_OptInput_RealRange && op->dataSet) {
      const TA_RealRange *r = op->dataSet;
      argo__sb_puts(sb, ",\"min\":");
      argo__sb_json_num(sb, r->min);
      argo__sb_puts(sb, ",\"max\":");
      argo__sb_json_num(sb, r->max);
    } else if (op->type == TA_OptInput_IntegerList && op->dataSet) {
      const TA_IntegerList *l = op->dataSet;
      argo__sb_puts(sb, ",\"values\":{");
      for (unsigned k = 0; k < l->nbElement; k++) {
        argo__sb_puts(sb, k ? "," : "");
        argo__sb_json_str(sb, l->data[k].string);
        argo__sb_printf(sb, ":%d", (int)l->data[k].value);
      }
      argo__sb_putc(sb, '}');
    }
    argo__sb_putc(sb, '}');
  }
  argo__sb_puts(sb, "],\"outputs\":[");
  for (unsigned k = 0; k < fi->nbOutput; k++) {
    const TA_OutputParameterInfo *op;
    if (TA_GetOutputParameterInfo(fh, k, &op) != TA_SUCCESS) {
      continue;
    }
    argo__sb_puts(sb, k ? ",{\"name\":" : "{\"name\":");
    argo__sb_json_str(sb, op->paramName);
    argo__sb_printf(sb, ",\"type\":\"%s\"}", op->type == TA_Output_Integer ? "integer" : "real");
  }
  argo__sb_puts(sb, "]}");
}

int argo__ta_info(const char *function, char *buf, size_t cap, char *err, size_t errlen) {
  pthread_once(&ta_once, ta_init);
  argo__sb sb;
  argo__sb_init(&sb);
  if (!function) {
    argo__sb_putc(&sb, '[');
    TA_ForEachFunc(list_one, &sb);
    argo__sb_putc(&sb, ']');
  } else {
    const TA_FuncHandle *fh;
    const TA_FuncInfo *fi;
    if (!find_function(function, &fh, &fi, err, errlen)) {
      argo__sb_free(&sb);
      return ARGO_S_NOTFOUND;
    }
    describe(&sb, fh, fi);
  }
  if (argo__sb_failed(&sb)) {
    argo__sb_free(&sb);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_S_ERROR;
  }
  size_t n = sb.len;
  if (buf && cap) {
    argo__strlcpy(buf, argo__sb_str(&sb), cap);
  }
  argo__sb_free(&sb);
  if (!buf || n >= cap) {
    argo__fmt(err, errlen, "the description needs %zu bytes", n + 1);
    return ARGO_S_TOOSMALL;
  }
  return n > (size_t)INT32_MAX ? ARGO_S_ERROR : (int)n;
}
