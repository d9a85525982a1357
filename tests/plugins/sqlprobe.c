/*
 * Test plugin: SQL over the stored record (sql_query). In initialize it asks the market_data
 * view for the candles of earlier runs of its config's "symbol" (a parameter, never pasted into
 * the SQL) and logs what it saw: their count, the first and last candle's time, the sum of the
 * closes and the first close as text ("sql: earlier candles"). On every `every`-th candle it
 * asks again, for the candles before the one in hand, and logs the count ("sql: on_candle").
 * It checks the accessors' edges (a row or column out of range, NULL rows) and that a query
 * which is no SELECT, or breaks DuckDB, fails with a message. In on_order_update and on_stop it
 * calls sql_query and logs the refusal it gets ("sql: refused in ..."), so a test can see that
 * the call is allowed in initialize and on_candle only. strategy.h only.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"

typedef struct sqlprobe {
  const argo_host_api *host;
  argo_strategy_ctx *ctx;
  char symbol[ARGO_SYMBOL_MAX];
  long every, candles;
  int bought, refused_update;
} sqlprobe;

static void *create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  sqlprobe *p = calloc(1, sizeof *p);
  if (p) {
    p->host = host;
    p->ctx = ctx;
  }
  return p;
}

static void destroy(void *self) {
  free(self);
}

static void logf_(sqlprobe *p, const char *msg, const char *k1, const char *v1, const char *k2,
                  const char *v2) {
  argo_kv f[] = {{k1, v1}, {k2, v2}};
  p->host->log(p->ctx, ARGO_LOG_INFO, msg, f, k2 ? 2 : 1);
}

/* What the accessors must do at their edges; 0 if they did, else -1 with set_error. */
static int check_edges(sqlprobe *p, const argo_sql_rows *rows) {
  const argo_host_api *h = p->host;
  size_t nr = h->sql_row_count(rows), nc = h->sql_column_count(rows);
  if (h->sql_row_count(NULL) != 0 || h->sql_column_count(NULL) != 0 ||
      h->sql_column_name(rows, nc) != NULL || h->sql_text(rows, nr, 0) != NULL ||
      !h->sql_is_null(rows, 0, nc) || !isnan(h->sql_double(rows, nr, 0)) ||
      h->sql_int64(NULL, 0, 0) != 0) {
    h->set_error(p->ctx, "an accessor out of range did not read as NULL");
    return -1;
  }
  return 0;
}

static int initialize(void *self, const char *config) {
  sqlprobe *p = self;
  const argo_host_api *h = p->host;
  (void)config;
  const char *sym = h->config_string(p->ctx, "symbol", "BTCUSDT");
  snprintf(p->symbol, sizeof p->symbol, "%s", sym ? sym : "BTCUSDT");
  p->every = (long)h->config_number(p->ctx, "every", 5);
  argo_sql_rows *rows = NULL;
  const char *params[] = {p->symbol};
  int rc = h->sql_query(p->ctx,
                        "SELECT count(*) AS n, min(time) AS first, max(time) AS last, "
                        "sum(close) AS closes, arg_min(close, time) AS first_close "
                        "FROM market_data WHERE symbol = $1 AND NOT history",
                        params, 1, &rows);
  if (rc != ARGO_S_OK) {
    h->set_error(p->ctx, h->last_error(p->ctx));
    return rc;
  }
  if (h->sql_row_count(rows) != 1 || h->sql_column_count(rows) != 5 ||
      strcmp(h->sql_column_name(rows, 3), "closes") != 0) {
    h->set_error(p->ctx, "the row of the count is not as asked");
    return ARGO_S_ERROR;
  }
  if (check_edges(p, rows) != 0) {
    return ARGO_S_ERROR;
  }
  char n[32], first[32], last[32], closes[40];
  snprintf(n, sizeof n, "%" PRId64, h->sql_int64(rows, 0, 0));
  snprintf(first, sizeof first, "%" PRId64, h->sql_int64(rows, 0, 1));
  snprintf(last, sizeof last, "%" PRId64, h->sql_int64(rows, 0, 2));
  snprintf(closes, sizeof closes, "%.17g", h->sql_double(rows, 0, 3));
  const char *first_close = h->sql_text(rows, 0, 4);
  argo_kv f[] = {{"n", n},
                 {"first_us", first},
                 {"last_us", last},
                 {"closes", closes},
                 {"first_close", first_close ? first_close : "NULL"}};
  h->log(p->ctx, ARGO_LOG_INFO, "sql: earlier candles", f, 5);
  h->sql_free(p->ctx, rows);
  /* Writing and more than one statement are refused; DuckDB's errors come back as text. */
  rows = NULL;
  rc = h->sql_query(p->ctx, "CREATE TABLE t AS SELECT 1", NULL, 0, &rows);
  logf_(p, "sql: a CREATE", "rc", rc == ARGO_S_EINVAL ? "EINVAL" : "other", "error",
        h->last_error(p->ctx));
  rc = h->sql_query(p->ctx, "SELECT 1; SELECT 2", NULL, 0, &rows);
  logf_(p, "sql: two statements", "rc", rc == ARGO_S_EINVAL ? "EINVAL" : "other", "error",
        h->last_error(p->ctx));
  rc = h->sql_query(p->ctx, "SELECT * FROM no_such_view", NULL, 0, &rows);
  logf_(p, "sql: a bad query", "rc", rc == ARGO_S_ERROR ? "ERROR" : "other", "error",
        h->last_error(p->ctx));
  rc = h->sql_query(p->ctx, "SELECT * FROM read_csv('/etc/passwd')", NULL, 0, &rows);
  logf_(p, "sql: a file outside", "rc", rc == ARGO_S_ERROR ? "ERROR" : "other", "error",
        h->last_error(p->ctx));
  return ARGO_S_OK;
}

static int on_candle(void *self, const argo_candle *c) {
  sqlprobe *p = self;
  const argo_host_api *h = p->host;
  if (strcmp(c->symbol, p->symbol) != 0) {
    return ARGO_S_OK;
  }
  if (!p->bought) {
    /* One order, so that on_order_update is called. */
    argo_order_request req = {.symbol = c->symbol,
                              .side = ARGO_SIDE_BUY,
                              .type = ARGO_ORDER_MARKET,
                              .position_type = ARGO_POSITION_LONG,
                              .quantity = 0.001};
    char id[ARGO_ID_MAX];
    p->bought = h->place_order(p->ctx, &req, id) == ARGO_S_OK;
  }
  if (p->candles++ % p->every != 0) {
    return ARGO_S_OK;
  }
  char t[32];
  snprintf(t, sizeof t, "%" PRId64, c->time);
  const char *params[] = {p->symbol, t};
  argo_sql_rows *rows = NULL;
  int rc = h->sql_query(p->ctx,
                        "SELECT count(*) FROM market_data WHERE symbol = $1 "
                        "AND time < make_timestamptz($2::BIGINT)",
                        params, 2, &rows);
  if (rc != ARGO_S_OK) {
    h->set_error(p->ctx, h->last_error(p->ctx));
    return rc;
  }
  logf_(p, "sql: on_candle", "n", h->sql_text(rows, 0, 0), "time", t);
  h->sql_free(p->ctx, rows);
  return ARGO_S_OK;
}

static void refused(sqlprobe *p, const char *where) {
  argo_sql_rows *rows = NULL;
  int rc = p->host->sql_query(p->ctx, "SELECT 1", NULL, 0, &rows);
  char msg[64];
  snprintf(msg, sizeof msg, "sql: refused in %s", where);
  logf_(p, msg, "rc", rc == ARGO_S_STATE ? "STATE" : "other", "error", p->host->last_error(p->ctx));
  p->host->sql_free(p->ctx, rows);
}

static void on_order_update(void *self, const argo_order *o, const argo_fill *f) {
  sqlprobe *p = self;
  (void)o;
  (void)f;
  if (!p->refused_update) {
    p->refused_update = 1;
    refused(p, "on_order_update");
  }
}

static void on_stop(void *self) {
  refused(self, "on_stop");
}

static const argo_strategy def = {
    .abi_version = ARGO_STRATEGY_ABI_VERSION,
    .struct_size = sizeof(argo_strategy),
    .name = "sqlprobe",
    .id = "org.argo.tests.sqlprobe",
    .version = "1.0.0",
    .description = "Queries the stored record from initialize and on_candle",
    .config_schema = "{\"type\":\"object\",\"properties\":{"
                     "\"symbol\":{\"type\":\"string\",\"default\":\"BTCUSDT\"},"
                     "\"every\":{\"type\":\"integer\",\"minimum\":1,\"default\":5}}}",
    .create = create,
    .destroy = destroy,
    .initialize = initialize,
    .on_candle = on_candle,
    .on_order_update = on_order_update,
    .on_stop = on_stop,
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
