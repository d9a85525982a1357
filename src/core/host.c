/*
 * Host API: the table of functions a strategy calls (strategy.h), and the context it calls them
 * with. The host owns that context: the strategy's configuration, its cache, the message read
 * by last_error and the one the strategy sets with set_error. It places orders with the broker
 * it is given, and sees the session only through the narrow view the engine gives it
 * (argo__host_session: the candle in hand, symbols, the candle window, the recorders); it
 * depends on the broker interface and knows nothing of the engine's state. Every function runs
 * on the engine thread.
 *
 * A strategy is outside code: every function checks the pointers it is given before it uses
 * them (a NULL ctx, a NULL buffer with a positive capacity, NULL fields with a positive count)
 * and fails with ARGO_S_EINVAL, or, for the functions that return a count, returns 0 with
 * last_error set, rather than crash the session.
 */
#include "core/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/misc.h"
#include "util/strbuf.h"
#include "util/util.h"

struct argo_strategy_ctx {
  argo__host *host;
  char last_error[ARGO_ERRMSG_MAX];
  char strategy_error[ARGO_ERRMSG_MAX];
  json_t *config;
  argo__map cache;
};

struct argo__host {
  argo_host_api api;
  struct argo_strategy_ctx ctx;
  argo__host_session s;
  argo__broker *broker; /* NULL until the session's broker exists (the strategy's initialize) */
  double capital;       /* the account before there is a broker */
  argo__sb scratch;     /* a log's fields as JSON */
};

static argo__host *H(argo_strategy_ctx *ctx) {
  return ctx->host;
}

static int fail(argo_strategy_ctx *ctx, int code, const char *fmt, ...) ARGO_PRINTF(3, 4);

static int fail(argo_strategy_ctx *ctx, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->last_error, sizeof ctx->last_error, fmt, ap);
  va_end(ap);
  return code;
}

static int ok(argo_strategy_ctx *ctx) {
  ctx->last_error[0] = '\0';
  return ARGO_S_OK;
}

/* The message of a call made without a context: there is nowhere else to put it. */
static const char no_ctx[] = "a host function was called with a NULL ctx";

static int h_place_order(argo_strategy_ctx *ctx, const argo_order_request *req, char *id_out) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  argo__host *h = H(ctx);
  if (!req || !req->symbol) {
    return fail(ctx, ARGO_S_EINVAL, "place_order: no order or no symbol given");
  }
  if (!h->broker) {
    return fail(ctx, ARGO_S_STATE, "place_order: orders can be placed from the first candle on");
  }
  if (h->s.warming(h->s.user)) {
    return fail(ctx, ARGO_S_STATE, "place_order: warming up on stored candles; orders are refused");
  }
  if (h->s.ended(h->s.user)) {
    return fail(ctx, ARGO_S_STATE,
                "place_order: the session has ended (this call did not return in time)");
  }
  char err[ARGO_ERRMSG_MAX];
  err[0] = '\0';
  int rc = argo__broker_place(h->broker, req, h->s.now(h->s.user), id_out, err, sizeof err);
  if (rc != ARGO_S_OK) {
    return fail(ctx, rc, "%s", err);
  }
  return ok(ctx);
}

static int h_place_orders(argo_strategy_ctx *ctx, const argo_order_request *reqs, size_t n,
                          char (*ids_out)[ARGO_ID_MAX]) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  if (!reqs && n > 0) {
    return fail(ctx, ARGO_S_EINVAL, "place_orders: no orders given (reqs is NULL, n is %zu)", n);
  }
  int first = ARGO_S_OK;
  char first_err[ARGO_ERRMSG_MAX] = "";
  for (size_t i = 0; i < n; i++) {
    int rc = h_place_order(ctx, &reqs[i], ids_out ? ids_out[i] : NULL);
    if (rc != ARGO_S_OK && first == ARGO_S_OK) {
      first = rc;
      argo__fmt(first_err, sizeof first_err, "order %zu: %s", i, ctx->last_error);
    }
    if (rc == ARGO_S_EINVAL || rc == ARGO_S_STATE) {
      break;
    }
  }
  if (first != ARGO_S_OK) {
    return fail(ctx, first, "%s", first_err);
  }
  return ok(ctx);
}

static int h_cancel_order(argo_strategy_ctx *ctx, const char *order_id) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  argo__host *h = H(ctx);
  if (!order_id) {
    return fail(ctx, ARGO_S_EINVAL, "cancel_order: no order id given");
  }
  if (!h->broker) {
    return fail(ctx, ARGO_S_NOTFOUND, "cancel_order: no order '%s'", order_id);
  }
  char err[ARGO_ERRMSG_MAX];
  err[0] = '\0';
  int rc = argo__broker_cancel(h->broker, order_id, err, sizeof err);
  if (rc != ARGO_S_OK) {
    return fail(ctx, rc, "%s", err);
  }
  return ok(ctx);
}

static int h_cancel_all(argo_strategy_ctx *ctx, const char *symbol) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  argo__host *h = H(ctx);
  ok(ctx);
  return h->broker ? argo__broker_cancel_all(h->broker, symbol) : 0;
}

static int h_get_position(argo_strategy_ctx *ctx, const char *symbol, argo_position *out) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  argo__host *h = H(ctx);
  if (!symbol || !out) {
    return fail(ctx, ARGO_S_EINVAL, "get_position: no symbol or no output given");
  }
  if (!h->broker || h->s.symbol(h->s.user, symbol) < 0) {
    return fail(ctx, ARGO_S_NOTFOUND, "get_position: the session does not trade '%s'", symbol);
  }
  int rc = argo__broker_position(h->broker, symbol, out);
  if (rc != ARGO_S_OK) {
    return fail(ctx, rc, "get_position: no position for '%s'", symbol);
  }
  return ok(ctx);
}

static size_t h_get_positions(argo_strategy_ctx *ctx, argo_position *out, size_t cap) {
  if (!ctx) {
    return 0;
  }
  argo__host *h = H(ctx);
  if (!out && cap > 0) {
    fail(ctx, ARGO_S_EINVAL, "get_positions: out is NULL but cap is %zu", cap);
    return 0;
  }
  ok(ctx);
  return h->broker ? argo__broker_positions(h->broker, out, cap) : 0;
}

static int h_get_account(argo_strategy_ctx *ctx, argo_account *out) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  argo__host *h = H(ctx);
  if (!out) {
    return fail(ctx, ARGO_S_EINVAL, "get_account: no output given");
  }
  if (!h->broker) {
    memset(out, 0, sizeof *out);
    out->balance = out->equity = out->buying_power = h->capital;
    return ok(ctx);
  }
  argo__broker_account(h->broker, out);
  return ok(ctx);
}

static size_t h_get_open_orders(argo_strategy_ctx *ctx, argo_order *out, size_t cap) {
  if (!ctx) {
    return 0;
  }
  argo__host *h = H(ctx);
  if (!out && cap > 0) {
    fail(ctx, ARGO_S_EINVAL, "get_open_orders: out is NULL but cap is %zu", cap);
    return 0;
  }
  ok(ctx);
  return h->broker ? argo__broker_open_orders(h->broker, out, cap) : 0;
}

static size_t h_recent_candles(argo_strategy_ctx *ctx, const char *symbol, argo_candle *out,
                               size_t n) {
  if (!ctx) {
    return 0;
  }
  argo__host *h = H(ctx);
  if (!out && n > 0) {
    fail(ctx, ARGO_S_EINVAL, "recent_candles: out is NULL but n is %zu", n);
    return 0;
  }
  long sym = symbol ? h->s.symbol(h->s.user, symbol) : -1;
  if (sym < 0) {
    fail(ctx, ARGO_S_NOTFOUND, "recent_candles: the session does not trade '%s'",
         symbol ? symbol : "");
    return 0;
  }
  ok(ctx);
  return h->s.recent(h->s.user, (size_t)sym, out, n);
}

static int h_mark(argo_strategy_ctx *ctx, const argo_mark *m) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  argo__host *h = H(ctx);
  if (!m) {
    return fail(ctx, ARGO_S_EINVAL, "mark: no mark given");
  }
  if (h->s.warming(h->s.user) || h->s.ended(h->s.user)) {
    return ok(ctx); /* stored candles are history, an ended session records nothing more */
  }
  if (!h->s.candle(h->s.user)) {
    return fail(ctx, ARGO_S_STATE, "mark: marks can be placed from the first candle on");
  }
  if (m->symbol && h->s.symbol(h->s.user, m->symbol) < 0) {
    return fail(ctx, ARGO_S_NOTFOUND, "mark: the session does not trade '%s'", m->symbol);
  }
  static const char *shapes[] = {"circle", "square", "triangle"};
  static const char *levels[] = {"info", "warning", "error"};
  argo_mark fixed = *m;
  if (m->shape) {
    int known = 0;
    for (size_t i = 0; i < ARGO_ARRAY_LEN(shapes); i++) {
      known |= strcmp(m->shape, shapes[i]) == 0;
    }
    if (!known) {
      return fail(ctx, ARGO_S_EINVAL, "mark: shape must be circle, square or triangle, not '%s'",
                  m->shape);
    }
  }
  if (m->level) {
    int known = 0;
    for (size_t i = 0; i < ARGO_ARRAY_LEN(levels); i++) {
      known |= strcmp(m->level, levels[i]) == 0;
    }
    if (!known) {
      return fail(ctx, ARGO_S_EINVAL, "mark: level must be info, warning or error, not '%s'",
                  m->level);
    }
  }
  h->s.mark(h->s.user, &fixed);
  return ok(ctx);
}

static int h_log(argo_strategy_ctx *ctx, argo_log_level level, const char *message,
                 const argo_kv *fields, size_t nfields) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  argo__host *h = H(ctx);
  if ((unsigned)level > ARGO_LOG_ERROR) {
    return fail(ctx, ARGO_S_EINVAL, "log: unknown level %d", (int)level);
  }
  if (!fields && nfields > 0) {
    return fail(ctx, ARGO_S_EINVAL, "log: fields is NULL but nfields is %zu", nfields);
  }
  if (h->s.warming(h->s.user) || h->s.ended(h->s.user)) {
    return ok(ctx);
  }
  argo__sb *sb = &h->scratch;
  argo__sb_reset(sb);
  argo__sb_putc(sb, '{');
  for (size_t i = 0; i < nfields; i++) {
    if (!fields[i].key) {
      continue;
    }
    if (sb->len > 1) {
      argo__sb_putc(sb, ',');
    }
    argo__sb_json_str(sb, fields[i].key);
    argo__sb_putc(sb, ':');
    argo__sb_json_str(sb, fields[i].value ? fields[i].value : "");
  }
  argo__sb_putc(sb, '}');
  if (argo__sb_failed(sb)) {
    return fail(ctx, ARGO_S_ERROR, "log: out of memory");
  }
  h->s.log(h->s.user, (int)level, message ? message : "", argo__sb_str(sb));
  return ok(ctx);
}

static int h_cache_get(argo_strategy_ctx *ctx, const char *key, char *buf, size_t cap) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  if (!key) {
    return fail(ctx, ARGO_S_EINVAL, "cache_get: no key given");
  }
  if (!buf && cap > 0) {
    return fail(ctx, ARGO_S_EINVAL, "cache_get: buf is NULL but cap is %zu", cap);
  }
  void **v = argo__map_get(&ctx->cache, key);
  if (!v) {
    return fail(ctx, ARGO_S_NOTFOUND, "cache_get: no key '%s'", key);
  }
  const char *s = *v;
  size_t n = strlen(s);
  if (buf && cap) {
    argo__strlcpy(buf, s, cap);
  }
  if (!buf || n >= cap) {
    return fail(ctx, ARGO_S_TOOSMALL, "cache_get: value of '%s' needs %zu bytes", key, n + 1);
  }
  ok(ctx);
  return (int)n;
}

static int h_cache_set(argo_strategy_ctx *ctx, const char *key, const char *value) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  if (!key || !value) {
    return fail(ctx, ARGO_S_EINVAL, "cache_set: key and value are required");
  }
  char *copy = argo__strdup(value);
  if (!copy) {
    return fail(ctx, ARGO_S_ERROR, "cache_set: out of memory");
  }
  void **old = argo__map_get(&ctx->cache, key);
  if (old) {
    free(*old);
    *old = copy;
    return ok(ctx);
  }
  if (argo__map_put(&ctx->cache, key, copy) != 0) {
    free(copy);
    return fail(ctx, ARGO_S_ERROR, "cache_set: out of memory");
  }
  return ok(ctx);
}

static const char *h_last_error(argo_strategy_ctx *ctx) {
  return ctx ? ctx->last_error : no_ctx;
}

static void h_set_error(argo_strategy_ctx *ctx, const char *message) {
  if (!ctx) {
    return;
  }
  argo__strlcpy(ctx->strategy_error, message ? message : "", sizeof ctx->strategy_error);
}

/* Follows a dotted key ("risk.max_loss") through nested objects. */
static json_t *config_lookup(argo_strategy_ctx *ctx, const char *key) {
  if (!ctx || !ctx->config || !key) {
    return NULL;
  }
  json_t *cur = ctx->config;
  char part[256];
  const char *p = key;
  while (cur && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n >= sizeof part) {
      return NULL;
    }
    memcpy(part, p, n);
    part[n] = '\0';
    cur = json_is_object(cur) ? json_object_get(cur, part) : NULL;
    p += n + (dot ? 1 : 0);
  }
  return cur;
}

static double h_config_number(argo_strategy_ctx *ctx, const char *key, double dflt) {
  json_t *v = config_lookup(ctx, key);
  if (json_is_number(v)) {
    return json_number_value(v);
  }
  if (json_is_string(v)) {
    char *end;
    double d = strtod(json_string_value(v), &end);
    if (end != json_string_value(v) && *end == '\0') {
      return d;
    }
  }
  return dflt;
}

static const char *h_config_string(argo_strategy_ctx *ctx, const char *key, const char *dflt) {
  json_t *v = config_lookup(ctx, key);
  return json_is_string(v) ? json_string_value(v) : dflt;
}

static int64_t h_now(argo_strategy_ctx *ctx) {
  if (!ctx) {
    return 0;
  }
  argo__host *h = H(ctx);
  const argo_candle *c = h->s.candle(h->s.user);
  return c ? c->time : 0;
}

argo_err argo__host_new(argo__host **out, const argo__host_session *session, const char *config,
                        double capital, char *err, size_t errlen) {
  *out = NULL;
  argo__host *h = calloc(1, sizeof *h);
  if (!h) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  h->ctx.host = h;
  argo__map_init(&h->ctx.cache);
  argo__sb_init(&h->scratch);
  h->s = *session;
  h->capital = capital;
  argo_host_api *a = &h->api;
  a->abi_version = ARGO_STRATEGY_ABI_VERSION;
  a->struct_size = (uint32_t)sizeof *a;
  a->place_order = h_place_order;
  a->place_orders = h_place_orders;
  a->cancel_order = h_cancel_order;
  a->cancel_all = h_cancel_all;
  a->get_position = h_get_position;
  a->get_positions = h_get_positions;
  a->get_account = h_get_account;
  a->get_open_orders = h_get_open_orders;
  a->recent_candles = h_recent_candles;
  a->mark = h_mark;
  a->log = h_log;
  a->cache_get = h_cache_get;
  a->cache_set = h_cache_set;
  a->last_error = h_last_error;
  a->set_error = h_set_error;
  a->config_number = h_config_number;
  a->config_string = h_config_string;
  a->now = h_now;
  json_error_t jerr;
  h->ctx.config = json_loads(config, 0, &jerr);
  if (!h->ctx.config || !json_is_object(h->ctx.config)) {
    argo__fmt(err, errlen, "strategy configuration is not a JSON object: %s",
              h->ctx.config ? "not an object" : jerr.text);
    argo__host_free(h);
    return ARGO_ECONFIG;
  }
  *out = h;
  return ARGO_OK;
}

void argo__host_free(argo__host *h) {
  if (!h) {
    return;
  }
  argo_strategy_ctx *ctx = &h->ctx;
  for (size_t i = 0; i < ctx->cache.cap; i++) {
    if (ctx->cache.keys && ctx->cache.keys[i] && ctx->cache.vals[i]) {
      free(ctx->cache.vals[i]);
    }
  }
  argo__map_free(&ctx->cache);
  if (ctx->config) {
    json_decref(ctx->config);
  }
  argo__sb_free(&h->scratch);
  free(h);
}

const argo_host_api *argo__host_api(const argo__host *h) {
  return &h->api;
}

argo_strategy_ctx *argo__host_ctx(argo__host *h) {
  return &h->ctx;
}

void argo__host_set_broker(argo__host *h, argo__broker *b) {
  h->broker = b;
}

const char *argo__host_strategy_error(const argo__host *h) {
  return h->ctx.strategy_error;
}

void argo__host_clear_strategy_error(argo__host *h) {
  h->ctx.strategy_error[0] = '\0';
}
