/*
 * The Binance broker's exchange filters (binance_filters.h): exchangeInfo's symbol rules, the
 * rounding of an order to the symbol's grid, the checks before sending, and exact decimal text.
 *
 * Numbers stay doubles, as everywhere in argo, but every rounding counts whole steps and every
 * text is written from an integer count of the step's decimal units, so no binary noise reaches
 * the exchange. No state and no I/O: jansson and the util helpers only.
 */
#include "brokers/binance_filters.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

/* Relative tolerance of a count of steps: thousands of times the error of a quotient of two
 * doubles (a few units of 1e-16), and under a hundredth of a step as long as an order counts
 * fewer than 1e10 steps (9000 BTC on a stepSize of 0.00001 is 9e8). */
#define STEPS_TOL 1e-12
/* Counts of steps beyond 2^53 are not exact in a double. */
#define STEPS_MAX 9007199254740992.0
/* Decimals of a step that is not given (Binance's precision). */
#define DEFAULT_DECIMALS 8
#define MAX_DECIMALS 16
/* The grid of a quantity or price whose filter has no step (tickSize or stepSize 0): Binance's
 * precision, so that what is checked is what the text says. */
#define PRECISION_STEP 1e-8

static const double pow10_tab[MAX_DECIMALS + 1] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};

/* ---- decimals ---------------------------------------------------------------------------- */

/* The number of decimals d of a positive step, the smallest with step x 10^d a whole number
 * (0.001 -> 3, 0.25 -> 2, 10 -> 0), and that whole number in *units; -1 when the step is not a
 * decimal of at most MAX_DECIMALS places. */
static int step_decimals(double step, double *units) {
  for (int d = 0; d <= MAX_DECIMALS; d++) {
    double x = step * pow10_tab[d];
    double r = nearbyint(x);
    if (r >= 1 && r < STEPS_MAX && fabs(x - r) <= 1e-9 * r) {
      *units = r;
      return d;
    }
  }
  return -1;
}

/* The value of n steps: n x units / 10^d when the step is a decimal (the double nearest to the
 * decimal value: both are whole numbers a double holds exactly), else n x step. */
static double steps_value(double n, double step) {
  double units;
  int d = step_decimals(step, &units);
  if (d >= 0 && fabs(n) * units < STEPS_MAX) {
    return n * units / pow10_tab[d];
  }
  return n * step;
}

static double steps_tol(double x) {
  return (fabs(x) + 1.0) * STEPS_TOL;
}

double argo__bn_round_down(double v, double step) {
  if (!(step > 0) || !isfinite(v)) {
    return v;
  }
  double x = v / step;
  return steps_value(floor(x + steps_tol(x)), step);
}

double argo__bn_round_up(double v, double step) {
  if (!(step > 0) || !isfinite(v)) {
    return v;
  }
  double x = v / step;
  return steps_value(ceil(x - steps_tol(x)), step);
}

/* Writes units / 10^d ("12345", 2 -> "123.45"), trailing zeros trimmed. 0, or -1 when buf is
 * too small. */
static int write_units(uint64_t units, int d, char *buf, size_t len) {
  char digits[32];
  int n = snprintf(digits, sizeof digits, "%" PRIu64, units);
  char out[64];
  size_t o = 0;
  if (n <= d) { /* a leading "0." and zeros */
    out[o++] = '0';
    out[o++] = '.';
    for (int i = n; i < d; i++) {
      out[o++] = '0';
    }
    memcpy(out + o, digits, (size_t)n);
    o += (size_t)n;
  } else {
    memcpy(out, digits, (size_t)(n - d));
    o = (size_t)(n - d);
    if (d > 0) {
      out[o++] = '.';
      memcpy(out + o, digits + n - d, (size_t)d);
      o += (size_t)d;
    }
  }
  out[o] = '\0';
  if (d > 0) {
    while (out[o - 1] == '0') {
      out[--o] = '\0';
    }
    if (out[o - 1] == '.') {
      out[--o] = '\0';
    }
  }
  if (o + 1 > len) {
    return -1;
  }
  memcpy(buf, out, o + 1);
  return 0;
}

argo_err argo__bn_fmt_decimal(double v, double step, char *buf, size_t len) {
  if (len > 0) {
    buf[0] = '\0';
  }
  double units = 1;
  int d = DEFAULT_DECIMALS;
  if (step > 0) {
    d = step_decimals(step, &units);
  } else {
    step = 1.0 / pow10_tab[DEFAULT_DECIMALS];
  }
  if (!isfinite(v) || v < 0 || d < 0) {
    return ARGO_EINVAL;
  }
  double n = nearbyint(v / step);
  if (!(n * units < STEPS_MAX)) {
    return ARGO_EINVAL;
  }
  return write_units((uint64_t)(n * units), d, buf, len) == 0 ? ARGO_OK : ARGO_EINVAL;
}

/* ---- exchangeInfo ------------------------------------------------------------------------ */

/* Where a parse failed, for the message: the symbol and the filter (NULL outside one). */
typedef struct parse_ctx {
  const char *symbol;
  const char *filter;
  char *err;
  size_t errlen;
} parse_ctx;

static argo_err bad_field(parse_ctx *c, const char *field) {
  if (c->filter) {
    argo__fmt(c->err, c->errlen, "exchangeInfo: %s's %s has no valid %s", c->symbol, c->filter,
              field);
  } else {
    argo__fmt(c->err, c->errlen, "exchangeInfo: %s has no valid %s", c->symbol, field);
  }
  return ARGO_EBROKER;
}

/* A non-negative number: a JSON string holding a plain decimal (the exchange's form) or a JSON
 * number. A step (is_step) must also be a decimal of at most MAX_DECIMALS places. */
static argo_err num_field(parse_ctx *c, json_t *obj, const char *key, int is_step, double *out) {
  json_t *v = json_object_get(obj, key);
  double x = 0, units;
  if (json_is_string(v)) {
    if (argo__parse_double(json_string_value(v), &x) != 0) {
      return bad_field(c, key);
    }
  } else if (json_is_number(v)) {
    x = json_number_value(v);
  } else {
    return bad_field(c, key);
  }
  if (!isfinite(x) || x < 0 || (is_step && x > 0 && step_decimals(x, &units) < 0)) {
    return bad_field(c, key);
  }
  *out = x;
  return ARGO_OK;
}

/* A JSON boolean; absent means yes: argo then checks the rule itself rather than assume that
 * the exchange skips it. */
static argo_err bool_field(parse_ctx *c, json_t *obj, const char *key, int *out) {
  json_t *v = json_object_get(obj, key);
  if (!v) {
    *out = 1;
    return ARGO_OK;
  }
  if (!json_is_boolean(v)) {
    return bad_field(c, key);
  }
  *out = json_is_true(v);
  return ARGO_OK;
}

/* A small non-negative JSON integer; absent gives dflt. */
static argo_err int_field(parse_ctx *c, json_t *obj, const char *key, int dflt, int *out) {
  json_t *v = json_object_get(obj, key);
  if (!v) {
    *out = dflt;
    return ARGO_OK;
  }
  if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000) {
    return bad_field(c, key);
  }
  *out = (int)json_integer_value(v);
  return ARGO_OK;
}

static argo_err str_field(parse_ctx *c, json_t *obj, const char *key, char *out, size_t cap) {
  const char *v = json_string_value(json_object_get(obj, key));
  if (!v || !*v || strlen(v) >= cap) {
    return bad_field(c, key);
  }
  argo__strlcpy(out, v, cap);
  return ARGO_OK;
}

static argo_err parse_lot(parse_ctx *c, json_t *f, argo__bn_lot *lot) {
  argo_err rc;
  if ((rc = num_field(c, f, "minQty", 0, &lot->min_qty)) != ARGO_OK ||
      (rc = num_field(c, f, "maxQty", 0, &lot->max_qty)) != ARGO_OK ||
      (rc = num_field(c, f, "stepSize", 1, &lot->step_size)) != ARGO_OK) {
    return rc;
  }
  lot->present = 1;
  return ARGO_OK;
}

static argo_err parse_price(parse_ctx *c, json_t *f, argo__bn_symbol *s) {
  argo_err rc;
  if ((rc = num_field(c, f, "minPrice", 0, &s->price.min_price)) != ARGO_OK ||
      (rc = num_field(c, f, "maxPrice", 0, &s->price.max_price)) != ARGO_OK ||
      (rc = num_field(c, f, "tickSize", 1, &s->price.tick_size)) != ARGO_OK) {
    return rc;
  }
  return ARGO_OK;
}

static argo_err parse_min_notional(parse_ctx *c, json_t *f, argo__bn_symbol *s) {
  argo_err rc;
  if ((rc = num_field(c, f, "minNotional", 0, &s->min_notional.min_notional)) != ARGO_OK ||
      (rc = bool_field(c, f, "applyToMarket", &s->min_notional.apply_to_market)) != ARGO_OK ||
      (rc = int_field(c, f, "avgPriceMins", 0, &s->min_notional.avg_price_mins)) != ARGO_OK) {
    return rc;
  }
  s->min_notional.present = 1;
  return ARGO_OK;
}

static argo_err parse_notional(parse_ctx *c, json_t *f, argo__bn_symbol *s) {
  argo_err rc;
  if ((rc = num_field(c, f, "minNotional", 0, &s->notional.min_notional)) != ARGO_OK ||
      (json_object_get(f, "maxNotional") &&
       (rc = num_field(c, f, "maxNotional", 0, &s->notional.max_notional)) != ARGO_OK) ||
      (rc = bool_field(c, f, "applyMinToMarket", &s->notional.apply_min_to_market)) != ARGO_OK ||
      (rc = bool_field(c, f, "applyMaxToMarket", &s->notional.apply_max_to_market)) != ARGO_OK ||
      (rc = int_field(c, f, "avgPriceMins", 0, &s->notional.avg_price_mins)) != ARGO_OK) {
    return rc;
  }
  s->notional.present = 1;
  return ARGO_OK;
}

/* One element of "filters"; the filters this module does not check are skipped. */
static argo_err parse_filter(parse_ctx *c, json_t *f, argo__bn_symbol *s, int *have_price) {
  const char *type = json_string_value(json_object_get(f, "filterType"));
  if (!json_is_object(f) || !type) {
    c->filter = NULL;
    return bad_field(c, "filters (an element has no filterType)");
  }
  c->filter = type;
  argo_err rc = ARGO_OK;
  if (strcmp(type, "PRICE_FILTER") == 0) {
    rc = parse_price(c, f, s);
    *have_price = rc == ARGO_OK;
  } else if (strcmp(type, "LOT_SIZE") == 0) {
    rc = parse_lot(c, f, &s->lot);
  } else if (strcmp(type, "MARKET_LOT_SIZE") == 0) {
    rc = parse_lot(c, f, &s->market_lot);
  } else if (strcmp(type, "MIN_NOTIONAL") == 0) {
    rc = parse_min_notional(c, f, s);
  } else if (strcmp(type, "NOTIONAL") == 0) {
    rc = parse_notional(c, f, s);
  }
  c->filter = NULL;
  return rc;
}

static argo_err parse_order_types(parse_ctx *c, json_t *sym, argo__bn_symbol *s) {
  json_t *types = json_object_get(sym, "orderTypes");
  if (!json_is_array(types)) {
    return bad_field(c, "orderTypes");
  }
  size_t i;
  json_t *t;
  json_array_foreach(types, i, t) {
    const char *name = json_string_value(t);
    if (!name) {
      return bad_field(c, "orderTypes");
    }
    s->market_allowed |= strcmp(name, "MARKET") == 0;
    s->limit_allowed |= strcmp(name, "LIMIT") == 0;
  }
  return ARGO_OK;
}

static argo_err parse_symbol(parse_ctx *c, json_t *sym, argo__bn_symbol *s) {
  argo_err rc;
  if ((rc = str_field(c, sym, "symbol", s->name, sizeof s->name)) != ARGO_OK ||
      (rc = str_field(c, sym, "baseAsset", s->base, sizeof s->base)) != ARGO_OK ||
      (rc = str_field(c, sym, "quoteAsset", s->quote, sizeof s->quote)) != ARGO_OK ||
      (rc = str_field(c, sym, "status", s->status, sizeof s->status)) != ARGO_OK ||
      (rc = int_field(c, sym, "baseAssetPrecision", 8, &s->base_precision)) != ARGO_OK ||
      (rc = int_field(c, sym, "quoteAssetPrecision", 8, &s->quote_precision)) != ARGO_OK ||
      (rc = parse_order_types(c, sym, s)) != ARGO_OK) {
    return rc;
  }
  s->trading = strcmp(s->status, "TRADING") == 0;
  json_t *filters = json_object_get(sym, "filters");
  if (!json_is_array(filters)) {
    return bad_field(c, "filters");
  }
  int have_price = 0;
  size_t i;
  json_t *f;
  json_array_foreach(filters, i, f) {
    if ((rc = parse_filter(c, f, s, &have_price)) != ARGO_OK) {
      return rc;
    }
  }
  if (!have_price || !s->lot.present) {
    argo__fmt(c->err, c->errlen, "exchangeInfo: %s has no %s", s->name,
              !have_price ? "PRICE_FILTER" : "LOT_SIZE");
    return ARGO_EBROKER;
  }
  return ARGO_OK;
}

/* The element of symbols whose "symbol" is name without regard to case, or NULL. */
static json_t *find_symbol(json_t *symbols, const char *name) {
  size_t i;
  json_t *sym;
  json_array_foreach(symbols, i, sym) {
    const char *v = json_string_value(json_object_get(sym, "symbol"));
    if (v && strcasecmp(v, name) == 0) {
      return sym;
    }
  }
  return NULL;
}

argo_err argo__bn_parse_exchange_info(const char *body, size_t len, const char *const *wanted,
                                      size_t n, argo__bn_symbol *out, char *err, size_t errlen) {
  argo_err rc = ARGO_EBROKER;
  if (n > 0) {
    memset(out, 0, n * sizeof *out);
  }
  json_error_t jerr;
  json_t *root = json_loadb(body, len, 0, &jerr);
  if (!root) {
    argo__fmt(err, errlen, "exchangeInfo is not JSON: %s (line %d)", jerr.text, jerr.line);
    return ARGO_EBROKER;
  }
  json_t *symbols = json_object_get(root, "symbols");
  if (!json_is_array(symbols)) {
    argo__fmt(err, errlen, "exchangeInfo has no symbols array");
    goto fail;
  }
  for (size_t i = 0; i < n; i++) {
    json_t *sym = find_symbol(symbols, wanted[i]);
    if (!sym) {
      argo__fmt(err, errlen, "exchangeInfo has no symbol %s", wanted[i]);
      goto fail;
    }
    parse_ctx c = {json_string_value(json_object_get(sym, "symbol")), NULL, err, errlen};
    if ((rc = parse_symbol(&c, sym, &out[i])) != ARGO_OK) {
      goto fail;
    }
  }
  json_decref(root);
  return ARGO_OK;
fail:
  json_decref(root);
  if (n > 0) {
    memset(out, 0, n * sizeof *out);
  }
  return ARGO_EBROKER;
}

/* ---- checks ------------------------------------------------------------------------------ */

/* A number for a message: plain decimal with 15 significant digits (all a double holds, so no
 * binary noise: 0.1 + 0.2 is "0.3"), at most 20 decimals, trailing zeros trimmed. */
static const char *num(double v, char buf[ARGO_BN_DECIMAL_MAX]) {
  if (!isfinite(v) || fabs(v) >= 1e21) {
    snprintf(buf, ARGO_BN_DECIMAL_MAX, "%g", v);
    return buf;
  }
  int decimals = v == 0 ? 0 : 14 - (int)floor(log10(fabs(v)));
  decimals = decimals < 0 ? 0 : decimals > 20 ? 20 : decimals;
  snprintf(buf, ARGO_BN_DECIMAL_MAX, "%.*f", decimals, v);
  if (strchr(buf, '.')) {
    char *end = buf + strlen(buf);
    while (end[-1] == '0') {
      *--end = '\0';
    }
    if (end[-1] == '.') {
      *--end = '\0';
    }
  }
  if (strcmp(buf, "-0") == 0) {
    strcpy(buf, "0");
  }
  return buf;
}

static int below(double v, double limit) {
  return v < limit - fabs(limit) * STEPS_TOL;
}

static int above(double v, double limit) {
  return v > limit + fabs(limit) * STEPS_TOL;
}

/* "quantity 0.00015" or, when rounding changed it, "quantity 0.00015 rounded to 0.0001". */
static const char *describe(const char *what, double asked, double sent, char *buf, size_t len) {
  char a[ARGO_BN_DECIMAL_MAX], b[ARGO_BN_DECIMAL_MAX];
  num(asked, a);
  num(sent, b);
  if (strcmp(a, b) == 0) {
    argo__fmt(buf, len, "%s %s", what, a);
  } else {
    argo__fmt(buf, len, "%s %s rounded to %s", what, a, b);
  }
  return buf;
}

/* The limit price on the tick grid: a BUY rounds down, a SELL up. */
static argo_err check_price(const argo__bn_symbol *s, argo__bn_side side, double asked, double *p,
                            char *why, size_t whylen) {
  char x[ARGO_BN_DECIMAL_MAX], y[ARGO_BN_DECIMAL_MAX], d[128];
  double tick = s->price.tick_size > 0 ? s->price.tick_size : PRECISION_STEP;
  *p = side == ARGO_BN_BUY ? argo__bn_round_down(asked, tick) : argo__bn_round_up(asked, tick);
  if (!(*p > 0)) {
    argo__fmt(why, whylen, "PRICE_FILTER: price %s rounds to 0 (tickSize %s)", num(asked, x),
              num(tick, y));
    return ARGO_EINVAL;
  }
  describe("price", asked, *p, d, sizeof d);
  if (s->price.min_price > 0 && below(*p, s->price.min_price)) {
    argo__fmt(why, whylen, "PRICE_FILTER: %s is below minPrice %s", d, num(s->price.min_price, x));
    return ARGO_EINVAL;
  }
  if (s->price.max_price > 0 && above(*p, s->price.max_price)) {
    argo__fmt(why, whylen, "PRICE_FILTER: %s is above maxPrice %s", d, num(s->price.max_price, x));
    return ARGO_EINVAL;
  }
  return ARGO_OK;
}

/* *q (already rounded by the filters before) rounded down to lot's step, or to dflt_step when
 * the filter's is 0, then checked against its minQty and maxQty. asked is the quantity the
 * strategy asked for, for the message. */
static argo_err check_lot(const char *filter, const argo__bn_lot *lot, double dflt_step,
                          double asked, double *q, char *why, size_t whylen) {
  char x[ARGO_BN_DECIMAL_MAX], y[ARGO_BN_DECIMAL_MAX], z[ARGO_BN_DECIMAL_MAX], d[128];
  double step = lot->step_size > 0 ? lot->step_size : dflt_step;
  *q = argo__bn_round_down(*q, step);
  if (!(*q > 0)) {
    argo__fmt(why, whylen, "%s: quantity %s rounds to 0 (stepSize %s, minQty %s)", filter,
              num(asked, x), num(step, y), num(lot->min_qty, z));
    return ARGO_EINVAL;
  }
  describe("quantity", asked, *q, d, sizeof d);
  if (lot->min_qty > 0 && below(*q, lot->min_qty)) {
    argo__fmt(why, whylen, "%s: %s is below minQty %s", filter, d, num(lot->min_qty, x));
    return ARGO_EINVAL;
  }
  if (lot->max_qty > 0 && above(*q, lot->max_qty)) {
    argo__fmt(why, whylen, "%s: %s is above maxQty %s", filter, d, num(lot->max_qty, x));
    return ARGO_EINVAL;
  }
  return ARGO_OK;
}

/* The notional rules of MIN_NOTIONAL and NOTIONAL, at price p (the limit price, or a MARKET
 * order's reference price). */
static argo_err check_notional(const argo__bn_symbol *s, argo__bn_type type, double q, double p,
                               char *why, size_t whylen) {
  int limit = type == ARGO_BN_LIMIT;
  double notional = q * p;
  char n[ARGO_BN_DECIMAL_MAX], qt[ARGO_BN_DECIMAL_MAX], pt[ARGO_BN_DECIMAL_MAX],
      m[ARGO_BN_DECIMAL_MAX], d[160];
  argo__fmt(d, sizeof d, "notional %s (quantity %s x %s %s)", num(notional, n), num(q, qt),
            limit ? "price" : "reference price", num(p, pt));
  if (s->min_notional.present && (limit || s->min_notional.apply_to_market) &&
      below(notional, s->min_notional.min_notional)) {
    argo__fmt(why, whylen, "MIN_NOTIONAL: %s is below minNotional %s", d,
              num(s->min_notional.min_notional, m));
    return ARGO_EINVAL;
  }
  if (s->notional.present && (limit || s->notional.apply_min_to_market) &&
      below(notional, s->notional.min_notional)) {
    argo__fmt(why, whylen, "NOTIONAL: %s is below minNotional %s", d,
              num(s->notional.min_notional, m));
    return ARGO_EINVAL;
  }
  if (s->notional.present && s->notional.max_notional > 0 &&
      (limit || s->notional.apply_max_to_market) && above(notional, s->notional.max_notional)) {
    argo__fmt(why, whylen, "NOTIONAL: %s is above maxNotional %s", d,
              num(s->notional.max_notional, m));
    return ARGO_EINVAL;
  }
  return ARGO_OK;
}

/* What refuses an order before any filter: the symbol's status and order types, and a
 * quantity or price that is no number of the kind. */
static argo_err check_kind(const argo__bn_symbol *s, argo__bn_type type, double quantity,
                           double price, char *why, size_t whylen) {
  char x[ARGO_BN_DECIMAL_MAX];
  if (!s->trading) {
    argo__fmt(why, whylen, "%s is not trading (status %s)", s->name, s->status);
  } else if (type == ARGO_BN_MARKET && !s->market_allowed) {
    argo__fmt(why, whylen, "%s does not take MARKET orders", s->name);
  } else if (type == ARGO_BN_LIMIT && !s->limit_allowed) {
    argo__fmt(why, whylen, "%s does not take LIMIT orders", s->name);
  } else if (!(quantity > 0) || !isfinite(quantity)) {
    argo__fmt(why, whylen, "quantity %s is not a positive number", num(quantity, x));
  } else if (type == ARGO_BN_LIMIT && (!(price > 0) || !isfinite(price))) {
    argo__fmt(why, whylen, "limit price %s is not a positive number", num(price, x));
  } else {
    return ARGO_OK;
  }
  return ARGO_EINVAL;
}

argo_err argo__bn_check_order(const argo__bn_symbol *s, argo__bn_side side, argo__bn_type type,
                              double quantity, double price, double ref_price, argo__bn_order *out,
                              char *why, size_t whylen) {
  memset(out, 0, sizeof *out);
  if (whylen > 0) {
    why[0] = '\0';
  }
  double q = quantity, p = 0;
  argo_err rc = check_kind(s, type, quantity, price, why, whylen);
  if (rc == ARGO_OK && type == ARGO_BN_LIMIT) {
    rc = check_price(s, side, price, &p, why, whylen);
  }
  if (rc == ARGO_OK) {
    rc = check_lot("LOT_SIZE", &s->lot, PRECISION_STEP, quantity, &q, why, whylen);
  }
  if (rc == ARGO_OK && type == ARGO_BN_MARKET && s->market_lot.present) {
    rc = check_lot("MARKET_LOT_SIZE", &s->market_lot, 0, quantity, &q, why, whylen);
  }
  double np = type == ARGO_BN_LIMIT ? p : ref_price;
  if (rc == ARGO_OK && np > 0 && isfinite(np)) {
    rc = check_notional(s, type, q, np, why, whylen);
  }
  if (rc != ARGO_OK) {
    return rc;
  }
  /* The step the quantity was last rounded to: MARKET_LOT_SIZE's when it has one. */
  double qstep = type == ARGO_BN_MARKET && s->market_lot.step_size > 0 ? s->market_lot.step_size
                                                                       : s->lot.step_size;
  if (argo__bn_fmt_decimal(q, qstep, out->quantity_text, sizeof out->quantity_text) != ARGO_OK ||
      (type == ARGO_BN_LIMIT && argo__bn_fmt_decimal(p, s->price.tick_size, out->price_text,
                                                     sizeof out->price_text) != ARGO_OK)) {
    memset(out, 0, sizeof *out);
    argo__fmt(why, whylen, "%s: quantity or price cannot be written as a decimal", s->name);
    return ARGO_EINVAL;
  }
  out->quantity = q;
  out->price = p;
  return ARGO_OK;
}
