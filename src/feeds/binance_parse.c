/*
 * The Binance feed's parsers of the exchange's bytes (feeds/binance.h): a REST klines answer
 * and a message of the kline stream, to candles or to the reason they cannot be used. The feed
 * runs them, and so do the fuzz targets in fuzz/ and the tests, directly.
 *
 * No state and no I/O; the wall clock only, to refuse a finalized candle that has not closed
 * yet. It must not depend on the feed's insides (binance_int.h) or on libcurl or
 * libwebsockets: jansson and the util helpers only.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feeds/binance.h"
#include "util/util.h"

/* A price or volume: a JSON string holding a decimal number (the exchange's form) or a number. */
static int num_value(json_t *v, double *out) {
  if (json_is_number(v)) {
    *out = json_number_value(v);
    return isfinite(*out) ? 0 : -1;
  }
  if (!json_is_string(v)) {
    return -1;
  }
  const char *s = json_string_value(v);
  /* strtod also takes "nan", "inf" and hexadecimal; a price is plain decimal. */
  for (const char *p = s; *p; p++) {
    if (!isdigit((unsigned char)*p) && *p != '.' && *p != '-' && *p != '+' && *p != 'e' &&
        *p != 'E') {
      return -1;
    }
  }
  char *end;
  errno = 0;
  *out = strtod(s, &end);
  if (end == s || *end || errno == ERANGE || !isfinite(*out)) {
    return -1;
  }
  return 0;
}

static int num_field(json_t *obj, const char *key, double *out) {
  return num_value(json_object_get(obj, key), out);
}

/* Why the values of c cannot be a candle, or NULL if they can. */
static const char *bad_values(const argo_candle *c) {
  if (!(c->open > 0 && c->high > 0 && c->low > 0 && c->close > 0)) {
    return "a price is not positive";
  }
  if (c->high < c->low) {
    return "high is below low";
  }
  if (c->open > c->high || c->open < c->low || c->close > c->high || c->close < c->low) {
    return "open or close is outside low..high";
  }
  if (!(c->volume >= 0)) {
    return "the volume is negative";
  }
  return NULL;
}

/* An open time in milliseconds that cannot be a kline of this stream: out of range (which
 * would also overflow in microseconds), not on the interval's grid, or, for a finalized live
 * candle, not yet closed by the wall clock (with a minute of slack for clock skew). */
static const char *bad_time(int64_t iv_us, int64_t ms, int live) {
  if (ms <= 0 || ms > INT64_C(9000000000000)) {
    return "the open time is out of range";
  }
  int64_t us = ms * 1000;
  if (us % iv_us != 0) {
    return "the open time is not on the interval's grid";
  }
  if (live && us + iv_us > argo__wall_us() + 60 * INT64_C(1000000)) {
    return "the open time is in the future";
  }
  return NULL;
}

/* ---- parsing ----------------------------------------------------------------------------- */

long argo__binance_parse_klines(const char *body, size_t len, int64_t iv_us,
                                int (*each)(void *user, const argo__binance_kline *k), void *user,
                                char *why, size_t whylen) {
  json_error_t je;
  json_t *arr = json_loadb(body, len, 0, &je);
  if (!json_is_array(arr)) {
    argo__strlcpy(why, arr ? "" : je.text, whylen);
    json_decref(arr);
    return -1;
  }
  size_t n = json_array_size(arr);
  for (size_t k = 0; k < n; k++) {
    json_t *row = json_array_get(arr, k);
    json_t *t = json_array_get(row, 0);
    argo__binance_kline kl;
    memset(&kl, 0, sizeof kl);
    kl.index = k;
    kl.ms = -1;
    if (!json_is_array(row) || json_array_size(row) < 6 || !json_is_integer(t)) {
      argo__fmt(kl.why, sizeof kl.why, "kline %zu is malformed", k);
    } else {
      int64_t ms = (int64_t)json_integer_value(t);
      const char *tw = bad_time(iv_us, ms, 0);
      if (tw) {
        argo__fmt(kl.why, sizeof kl.why, "kline %zu: %s", k, tw);
      } else {
        kl.ms = ms;
        kl.c.time = ms * 1000;
        double *vals[] = {&kl.c.open, &kl.c.high, &kl.c.low, &kl.c.close, &kl.c.volume};
        int bad = 0;
        for (size_t f = 0; f < 5 && !bad; f++) {
          bad = num_value(json_array_get(row, f + 1), vals[f]) != 0;
        }
        const char *vw = bad ? "a price or the volume is not a number" : bad_values(&kl.c);
        if (vw) {
          argo__fmt(kl.why, sizeof kl.why, "kline at %" PRId64 ": %s", ms, vw);
        }
      }
    }
    if (each(user, &kl)) {
      break;
    }
  }
  json_decref(arr);
  return (long)n;
}

int argo__binance_parse_ws(const argo__binance_stream *st, const char *data, size_t len,
                           size_t *sym, argo_candle *c, char *why, size_t whylen) {
  const char *w = NULL;
  json_error_t je;
  int rc;
  memset(c, 0, sizeof *c);
  *sym = 0;
  why[0] = '\0';
  json_t *root = json_loadb(data, len, 0, &je);
  int k = -1;
  if (!root) {
    argo__strlcpy(why, je.text, whylen);
    return ARGO_BNC_MALFORMED;
  }
  json_t *d = json_object_get(root, "data");
  if (!d) {
    if (json_object_get(root, "result") && json_object_get(root, "id")) {
      rc = ARGO_BNC_OTHER; /* an answer to a (un)subscribe request: not market data */
      goto done;
    }
    d = root; /* a single stream sends the event itself */
  }
  json_t *kl = json_object_get(d, "k");
  json_t *t = json_object_get(kl, "t");
  json_t *s = json_object_get(kl, "s");
  json_t *iv = json_object_get(kl, "i");
  json_t *x = json_object_get(kl, "x");
  if (!json_is_object(kl)) {
    w = "no kline ('k') in the message";
  } else if (!json_is_integer(t) || !json_is_string(s) || !json_is_string(iv) ||
             !json_is_boolean(x)) {
    w = "the kline lacks its open time, symbol, interval or final flag";
  } else if ((k = st->find(st->user, json_string_value(s))) < 0) {
    w = "a symbol that was not subscribed";
  } else if (strcmp(json_string_value(iv), st->interval) != 0) {
    w = "an interval that was not subscribed";
  } else if (num_field(kl, "o", &c->open) || num_field(kl, "h", &c->high) ||
             num_field(kl, "l", &c->low) || num_field(kl, "c", &c->close) ||
             num_field(kl, "v", &c->volume)) {
    w = "a price or the volume is not a number";
  } else {
    int64_t ms = (int64_t)json_integer_value(t);
    /* A non-final update may be of the candle in progress; only final ones must be closed. */
    w = bad_time(st->interval_us, ms, json_is_true(x));
    if (!w) {
      c->time = ms * 1000;
      w = bad_values(c);
    }
  }
  if (w) {
    argo__strlcpy(why, w, whylen);
    rc = ARGO_BNC_MALFORMED;
    goto done;
  }
  *sym = (size_t)k;
  rc = json_is_true(x) ? ARGO_BNC_FINAL : ARGO_BNC_UPDATE;
done:
  json_decref(root);
  return rc;
}
