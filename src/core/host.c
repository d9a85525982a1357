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

#include "core/indicators.h"
#include "inspect/strategy_sql.h"
#include "util/misc.h"
#include "util/strbuf.h"
#include "util/util.h"

struct argo_strategy_ctx {
  argo__host *host;
  char last_error[ARGO_ERRMSG_MAX];
  char strategy_error[ARGO_ERRMSG_MAX];
  json_t *config;
  argo__map cache;
  argo__ta *ta;         /* the indicators (TA-Lib) */
  argo__ssql *sql;      /* the strategy's one DuckDB connection, opened at its first query */
  uint64_t sql_folders; /* the session's folders when it was opened */
  argo_sql_rows **rows; /* the rows handed out and not yet freed */
  size_t nrows, rows_cap;
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

/* ---- indicators (indicators.h) ------------------------------------------------------------ */

/* The index of symbol for function fn, or -1 with last_error set. */
static long ta_symbol(argo_strategy_ctx *ctx, const char *fn, const char *symbol) {
  argo__host *h = H(ctx);
  long sym = symbol ? h->s.symbol(h->s.user, symbol) : -1;
  if (sym < 0) {
    fail(ctx, symbol ? ARGO_S_NOTFOUND : ARGO_S_EINVAL, "%s: the session does not trade '%s'", fn,
         symbol ? symbol : "(NULL)");
  }
  return sym;
}

/* The result of an indicator call: last_error cleared or prefixed with the call and symbol. */
static int ta_done(argo_strategy_ctx *ctx, int rc, const char *fn, const char *symbol,
                   const char *why) {
  if (rc >= 0) {
    ctx->last_error[0] = '\0';
    return rc;
  }
  return fail(ctx, rc, "%s(%s): %s", fn, symbol, why);
}

static int h_ta_call(argo_strategy_ctx *ctx, const char *function, const char *symbol,
                     const char *inputs, const double *options, size_t noptions, size_t window,
                     size_t nlast, double *out, size_t cap) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  if (!function || !out || (!options && noptions > 0)) {
    return fail(ctx, ARGO_S_EINVAL, "ta_call: no function, no out, or options NULL with %zu",
                noptions);
  }
  long sym = ta_symbol(ctx, "ta_call", symbol);
  if (sym < 0) {
    return sym == -1 && symbol ? ARGO_S_NOTFOUND : ARGO_S_EINVAL;
  }
  char why[ARGO_ERRMSG_MAX] = "";
  int rc = argo__ta_call(ctx->ta, (size_t)sym, function, inputs, options, noptions, window, nlast,
                         out, cap, why, sizeof why);
  return ta_done(ctx, rc, "ta_call", symbol, why);
}

static int h_ta_info(argo_strategy_ctx *ctx, const char *function, char *buf, size_t cap) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  if (!buf && cap > 0) {
    return fail(ctx, ARGO_S_EINVAL, "ta_info: buf is NULL but cap is %zu", cap);
  }
  char why[ARGO_ERRMSG_MAX] = "";
  int rc = argo__ta_info(function, buf, cap, why, sizeof why);
  if (rc < 0) {
    return fail(ctx, rc, "ta_info: %s", why);
  }
  ctx->last_error[0] = '\0';
  return rc;
}

/* The shortcuts share their shape: the symbol checked, the indicator asked, the result told. */
#define TA_SHORTCUT(fn, call)                                                                      \
  if (!ctx) {                                                                                      \
    return ARGO_S_EINVAL;                                                                          \
  }                                                                                                \
  long sym = ta_symbol(ctx, fn, symbol);                                                           \
  if (sym < 0) {                                                                                   \
    return symbol ? ARGO_S_NOTFOUND : ARGO_S_EINVAL;                                               \
  }                                                                                                \
  char why[160];                                                                                   \
  int rc = call;                                                                                   \
  if (ARGO_LIKELY(rc == ARGO_S_OK)) {                                                              \
    ctx->last_error[0] = '\0';                                                                     \
    return rc;                                                                                     \
  }                                                                                                \
  return ta_done(ctx, rc, fn, symbol, why)

static int h_ta_sma(argo_strategy_ctx *ctx, const char *symbol, int period, double *out) {
  TA_SHORTCUT("ta_sma", argo__ta_sma(ctx->ta, (size_t)sym, period, out, why, sizeof why));
}

static int h_ta_ema(argo_strategy_ctx *ctx, const char *symbol, int period, double *out) {
  TA_SHORTCUT("ta_ema", argo__ta_ema(ctx->ta, (size_t)sym, period, out, why, sizeof why));
}

static int h_ta_rsi(argo_strategy_ctx *ctx, const char *symbol, int period, double *out) {
  TA_SHORTCUT("ta_rsi", argo__ta_rsi(ctx->ta, (size_t)sym, period, out, why, sizeof why));
}

static int h_ta_macd(argo_strategy_ctx *ctx, const char *symbol, int fast, int slow, int signal,
                     double *macd, double *macd_signal, double *hist) {
  TA_SHORTCUT("ta_macd", argo__ta_macd(ctx->ta, (size_t)sym, fast, slow, signal, macd, macd_signal,
                                       hist, why, sizeof why));
}

static int h_ta_bbands(argo_strategy_ctx *ctx, const char *symbol, int period, double nbdev_up,
                       double nbdev_down, double *upper, double *middle, double *lower) {
  TA_SHORTCUT("ta_bbands", argo__ta_bbands(ctx->ta, (size_t)sym, period, nbdev_up, nbdev_down,
                                           upper, middle, lower, why, sizeof why));
}

static int h_ta_atr(argo_strategy_ctx *ctx, const char *symbol, int period, double *out) {
  TA_SHORTCUT("ta_atr", argo__ta_atr(ctx->ta, (size_t)sym, period, out, why, sizeof why));
}

/* ---- SQL (strategy_sql.h) ------------------------------------------------------------------ */

static int h_sql_query(argo_strategy_ctx *ctx, const char *sql, const char *const *params,
                       size_t nparams, argo_sql_rows **out) {
  if (!ctx) {
    return ARGO_S_EINVAL;
  }
  argo__host *h = H(ctx);
  if (out) {
    *out = NULL;
  }
  if (!sql || !out || (!params && nparams > 0)) {
    return fail(ctx, ARGO_S_EINVAL, "sql_query: no SQL, no out, or params NULL with %zu", nparams);
  }
  for (size_t i = 0; i < nparams; i++) {
    if (!params[i]) {
      return fail(ctx, ARGO_S_EINVAL, "sql_query: parameter $%zu is NULL", i + 1);
    }
  }
  const char *calling = h->s.calling(h->s.user);
  /* on_candle includes its warm-up and history candles ("on_candle (warm-up)"). */
  if (!calling || (strcmp(calling, "initialize") != 0 && strncmp(calling, "on_candle", 9) != 0)) {
    return fail(ctx, ARGO_S_STATE, "sql_query: allowed in initialize and on_candle, not in %s",
                calling ? calling : "this call");
  }
  if (h->s.ended(h->s.user)) {
    return fail(ctx, ARGO_S_STATE, "sql_query: the session has ended");
  }
  if (argo__grow((void **)&ctx->rows, &ctx->rows_cap, ctx->nrows + 1, sizeof *ctx->rows) != 0) {
    return fail(ctx, ARGO_S_ERROR, "sql_query: out of memory");
  }
  char why[ARGO_ERRMSG_MAX] = "";
  /* The views list the folders there were when they were made: a folder the session added
   * since (its first day's, a new day's) needs them made again. */
  uint64_t folders = h->s.folders(h->s.user);
  if (ctx->sql && folders != ctx->sql_folders) {
    argo__ssql_close(ctx->sql);
    ctx->sql = NULL;
  }
  if (!ctx->sql) {
    if (argo__ssql_open(&ctx->sql, h->s.data_output(h->s.user), why, sizeof why) != ARGO_OK) {
      return fail(ctx, ARGO_S_ERROR, "sql_query: %s", why);
    }
    ctx->sql_folders = folders;
  }
  int rc = argo__ssql_query(ctx->sql, sql, params, nparams, out, why, sizeof why);
  if (rc != ARGO_S_OK) {
    return fail(ctx, rc, "sql_query: %s", why);
  }
  ctx->rows[ctx->nrows++] = *out;
  return ok(ctx);
}

static void h_sql_free(argo_strategy_ctx *ctx, argo_sql_rows *rows) {
  if (!ctx || !rows) {
    return;
  }
  /* Only rows this host handed out are freed: a stray pointer is ignored. */
  for (size_t i = ctx->nrows; i-- > 0;) {
    if (ctx->rows[i] == rows) {
      argo__ssql_rows_free(rows);
      ctx->rows[i] = ctx->rows[--ctx->nrows];
      return;
    }
  }
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
  a->ta_call = h_ta_call;
  a->ta_info = h_ta_info;
  a->ta_sma = h_ta_sma;
  a->ta_ema = h_ta_ema;
  a->ta_rsi = h_ta_rsi;
  a->ta_macd = h_ta_macd;
  a->ta_bbands = h_ta_bbands;
  a->ta_atr = h_ta_atr;
  a->sql_query = h_sql_query;
  a->sql_free = h_sql_free;
  a->sql_row_count = argo__ssql_row_count;
  a->sql_column_count = argo__ssql_column_count;
  a->sql_column_name = argo__ssql_column_name;
  a->sql_is_null = argo__ssql_is_null;
  a->sql_double = argo__ssql_double;
  a->sql_int64 = argo__ssql_int64;
  a->sql_text = argo__ssql_text;
  argo__ta_source src = {.window = session->window, .user = session->user};
  if (argo__ta_new(&h->ctx.ta, &src) != ARGO_OK) {
    argo__fmt(err, errlen, "out of memory");
    argo__host_free(h);
    return ARGO_ENOMEM;
  }
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
  for (size_t i = 0; i < ctx->nrows; i++) {
    argo__ssql_rows_free(ctx->rows[i]);
  }
  free(ctx->rows);
  argo__ssql_close(ctx->sql);
  argo__ta_free(ctx->ta);
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
