/*
 * Store: in-memory DuckDB tables and their Parquet export; see store.h.
 */
#include "persist/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <duckdb.h>

#include "persist/dayfile.h"
#include "persist/duck.h"
#include "persist/empty_parquet.h"
#include "util/fsx.h"
#include "util/misc.h"
#include "util/strbuf.h"
#include "util/util.h"

/* A fixed-value column's labels, for turning text into the ENUM's index (one byte). */
#define ENUM_MAX 255
typedef struct enum_col {
  size_t n;
  const char *const *labels;
  uint32_t len[ENUM_MAX];
} enum_col;

typedef struct table_state {
  duckdb_appender app;
  duckdb_logical_type types[ARGO_MAX_COLS];
  duckdb_data_chunk chunk;
  enum_col enums[ARGO_MAX_COLS]; /* n == 0 for free-text and non-text columns */
  int64_t rows;
  int unflushed; /* rows handed to the appender that are not yet in the table */
  /* The published file extended by segments (dayfile.h), while the table's rowids are its row
   * numbers (dense: no row deleted or moved); dirty_from is the first row updated since the
   * last publication (INT64_MAX: none). */
  argo__dayfile df;
  int64_t dirty_from;
  int dense;
  char note[ARGO_ERRMSG_MAX]; /* why the last export encoded everything again ("" = fine) */
} table_state;

struct argo__store {
  int ready;  /* opened completely: may be kept for the next store */
  int extend; /* exports extend the day's files (argo__store_set_extend) */
  int threads;
  pid_t pid; /* the process that opened the database */
  duckdb_database db;
  duckdb_connection con;
  duckdb_connection lane; /* a second connection: one export can run on another thread */
  table_state tabs[ARGO_T_COUNT];
  duckdb_appender upd_app; /* appender of the orders staging table */
  char **syms;             /* the session's symbols: market_data.symbol is their ENUM */
  size_t nsyms;
  argo__map known_orders; /* order ids already in the orders table */
  argo__map batch_last;   /* scratch: order id -> last row in a batch (+1) */
};

static duckdb_type duck_type(argo__coltype t) {
  switch (t) {
  case ARGO_COL_TEXT:
    return DUCKDB_TYPE_VARCHAR;
  case ARGO_COL_DOUBLE:
    return DUCKDB_TYPE_DOUBLE;
  case ARGO_COL_TIMESTAMP:
    return DUCKDB_TYPE_TIMESTAMP_TZ; /* the same int64_t microseconds as TIMESTAMP */
  case ARGO_COL_BIGINT:
    return DUCKDB_TYPE_BIGINT;
  case ARGO_COL_BOOLEAN:
    return DUCKDB_TYPE_BOOLEAN;
  }
  return DUCKDB_TYPE_VARCHAR;
}

/* Creates the ENUM types of the fixed-value columns, all in one statement (once per database:
 * they outlive the tables, which are dropped and created again every day), and the label lists
 * that turn text into an ENUM's index. */
static argo_err create_enum_types(argo__store *st, char *err, size_t errlen) {
  argo__sb sb;
  argo__sb_init(&sb);
  for (int i = 0; i < ARGO_T_COUNT; i++) {
    const argo__table *t = argo__schema((argo__table_id)i);
    argo__schema_enum_sql(t, &sb);
    for (size_t c = 0; c < t->ncols; c++) {
      enum_col *ec = &st->tabs[i].enums[c];
      ec->labels = t->cols[c].labels;
      for (ec->n = 0; ec->labels && ec->labels[ec->n]; ec->n++) {
        if (ec->n == ENUM_MAX) {
          argo__fmt(err, errlen, "%s.%s has too many values for an ENUM column", t->name,
                    t->cols[c].name);
          argo__sb_free(&sb);
          return ARGO_EINVAL;
        }
        ec->len[ec->n] = (uint32_t)strlen(ec->labels[ec->n]);
      }
    }
  }
  argo_err rc =
      argo__sb_failed(&sb) ? ARGO_ENOMEM : argo__duck_exec(st->con, argo__sb_str(&sb), err, errlen);
  argo__sb_free(&sb);
  return rc;
}

int argo__store_lane(argo__table_id t) {
  /* At every size the market data are about half of the export work: logs join them. */
  return t == ARGO_T_MARKET_DATA || t == ARGO_T_LOGS;
}

/* The connection of table t's appender and exports. */
static duckdb_connection conn(const argo__store *st, argo__table_id t) {
  return argo__store_lane(t) ? st->lane : st->con;
}

static argo_err create_tables(argo__store *st, char *err, size_t errlen) {
  argo__sb sb;
  argo__sb_init(&sb);
  argo_err rc = ARGO_OK;
  for (int i = 0; i < ARGO_T_COUNT && rc == ARGO_OK; i++) {
    const argo__table *t = argo__schema((argo__table_id)i);
    argo__sb_reset(&sb);
    argo__schema_create_sql(t, t->name,
                            i == ARGO_T_MARKET_DATA && st->nsyms ? ARGO_SYMBOL_TYPE : NULL, &sb);
    rc = argo__duck_exec(st->con, argo__sb_str(&sb), err, errlen);
    if (rc == ARGO_OK && duckdb_appender_create(conn(st, (argo__table_id)i), NULL, t->name,
                                                &st->tabs[i].app) != DuckDBSuccess) {
      argo__fmt(err, errlen, "DuckDB: cannot create an appender for %s: %s", t->name,
                duckdb_appender_error(st->tabs[i].app));
      rc = ARGO_EDB;
    }
    st->tabs[i].rows = 0;
    st->tabs[i].unflushed = 0;
    st->tabs[i].dirty_from = INT64_MAX;
    st->tabs[i].dense = 1;
    argo__dayfile_reset(&st->tabs[i].df);
  }
  if (rc == ARGO_OK) {
    argo__sb_reset(&sb);
    argo__schema_create_sql(argo__schema(ARGO_T_ORDERS), "orders_update", NULL, &sb);
    rc = argo__duck_exec(st->con, argo__sb_str(&sb), err, errlen);
    if (rc == ARGO_OK &&
        duckdb_appender_create(st->con, NULL, "orders_update", &st->upd_app) != DuckDBSuccess) {
      argo__fmt(err, errlen, "DuckDB: cannot create an appender for orders_update");
      rc = ARGO_EDB;
    }
  }
  argo__sb_free(&sb);
  return rc;
}

static void destroy_appenders(argo__store *st) {
  for (int i = 0; i < ARGO_T_COUNT; i++) {
    if (st->tabs[i].app) {
      duckdb_appender_destroy(&st->tabs[i].app);
      st->tabs[i].app = NULL;
    }
  }
  if (st->upd_app) {
    duckdb_appender_destroy(&st->upd_app);
    st->upd_app = NULL;
  }
}

/* The database a closed store leaves for the next one of the process (argo__store_close):
 * starting DuckDB and running its code for the first time cost more than a short session's
 * whole work. */
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static argo__store *pool;

static void destroy(argo__store *st);

static argo__store *pool_take(int threads) {
  pthread_mutex_lock(&pool_mu);
  argo__store *st = pool;
  if (st && st->threads == threads && st->pid == getpid()) {
    pool = NULL;
  } else {
    st = NULL; /* another thread count, or a forked child's copy: not shared */
  }
  pthread_mutex_unlock(&pool_mu);
  return st;
}

static int pool_put(argo__store *st) {
  pthread_mutex_lock(&pool_mu);
  int kept = pool == NULL && st->pid == getpid();
  if (kept) {
    pool = st;
  }
  pthread_mutex_unlock(&pool_mu);
  return kept;
}

static void free_chunk(table_state *ts) {
  if (ts->chunk) {
    duckdb_destroy_data_chunk(&ts->chunk);
  }
  for (size_t c = 0; c < ARGO_MAX_COLS; c++) {
    if (ts->types[c]) {
      duckdb_destroy_logical_type(&ts->types[c]);
    }
  }
}

/* The data chunk of table t takes its appender's own column types, so that an ENUM column's
 * chunk vector is of exactly the table's type (no cast on append). */
static void make_chunk(argo__store *st, argo__table_id t) {
  table_state *ts = &st->tabs[t];
  const argo__table *tab = argo__schema(t);
  free_chunk(ts);
  for (size_t c = 0; c < tab->ncols; c++) {
    ts->types[c] = ts->enums[c].n ? duckdb_appender_column_type(ts->app, c)
                                  : duckdb_create_logical_type(duck_type(tab->cols[c].type));
  }
  ts->chunk = duckdb_create_data_chunk(ts->types, tab->ncols);
}

static void free_symbols(argo__store *st) {
  for (size_t i = 0; i < st->nsyms; i++) {
    free(st->syms[i]);
  }
  free(st->syms);
  st->syms = NULL;
  st->nsyms = 0;
  st->tabs[ARGO_T_MARKET_DATA].enums[MD_SYMBOL].n = 0;
}

argo_err argo__store_set_symbols(argo__store *st, const char *const *symbols, size_t n, char *err,
                                 size_t errlen) {
  if (st->nsyms == n) {
    size_t same = 0;
    while (same < n && strcmp(st->syms[same], symbols[same]) == 0) {
      same++;
    }
    if (same == n) {
      return ARGO_OK;
    }
  }
  table_state *ts = &st->tabs[ARGO_T_MARKET_DATA];
  if (ts->rows || ts->unflushed) {
    argo__fmt(err, errlen, "the symbols of market_data cannot change once it has rows");
    return ARGO_ESTATE;
  }
  free_symbols(st);
  /* More symbols than an ENUM of one byte holds: the column stays VARCHAR. */
  if (n <= ENUM_MAX && n > 0) {
    st->syms = calloc(n, sizeof *st->syms);
    for (size_t i = 0; st->syms && i < n; i++) {
      st->syms[i] = argo__strdup(symbols[i]);
      if (!st->syms[i]) {
        st->nsyms = i;
        free_symbols(st);
        break;
      }
      st->nsyms = i + 1;
    }
    if (!st->syms) {
      argo__fmt(err, errlen, "out of memory");
      return ARGO_ENOMEM;
    }
  }
  duckdb_appender_destroy(&ts->app);
  ts->app = NULL;
  argo__sb sb;
  argo__sb_init(&sb);
  argo__sb_puts(&sb, "DROP TABLE market_data; DROP TYPE IF EXISTS " ARGO_SYMBOL_TYPE ";\n");
  if (st->nsyms && argo__schema_enum_type_sql(ARGO_SYMBOL_TYPE, (const char *const *)st->syms,
                                              st->nsyms, &sb) != 0) {
    argo__sb_free(&sb);
    argo__fmt(err, errlen, "a symbol is too long for market_data.symbol");
    st->ready = 0; /* its appender is gone: not kept for another session */
    return ARGO_EINVAL;
  }
  argo__schema_create_sql(argo__schema(ARGO_T_MARKET_DATA), "market_data",
                          st->nsyms ? ARGO_SYMBOL_TYPE : NULL, &sb);
  argo_err rc =
      argo__sb_failed(&sb) ? ARGO_ENOMEM : argo__duck_exec(st->con, argo__sb_str(&sb), err, errlen);
  argo__sb_free(&sb);
  if (rc == ARGO_OK &&
      duckdb_appender_create(st->lane, NULL, "market_data", &ts->app) != DuckDBSuccess) {
    argo__fmt(err, errlen, "DuckDB: cannot create an appender for market_data");
    rc = ARGO_EDB;
  }
  if (rc) {
    st->ready = 0; /* not kept for another session */
    return rc;
  }
  enum_col *ec = &ts->enums[MD_SYMBOL];
  ec->labels = (const char *const *)st->syms;
  ec->n = st->nsyms;
  for (size_t i = 0; i < st->nsyms; i++) {
    ec->len[i] = (uint32_t)strlen(st->syms[i]);
  }
  make_chunk(st, ARGO_T_MARKET_DATA);
  return ARGO_OK;
}

argo_err argo__store_open(argo__store **out, int threads, char *err, size_t errlen) {
  threads = threads > 0 ? threads : 1;
  *out = pool_take(threads);
  if (*out) {
    return ARGO_OK;
  }
  argo__store *st = calloc(1, sizeof *st);
  argo_err rc = ARGO_ENOMEM;
  if (!st) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  st->threads = threads;
  st->pid = getpid();
  for (int i = 0; i < ARGO_T_COUNT; i++) {
    argo__dayfile_init(&st->tabs[i].df);
  }
  argo__map_init(&st->known_orders);
  argo__map_init(&st->batch_last);
  argo__duck_opts o = {.threads = threads};
  rc = argo__duck_open(&o, &st->db, &st->con, err, errlen);
  if (rc) {
    goto fail;
  }
  if (duckdb_connect(st->db, &st->lane) != DuckDBSuccess) {
    argo__fmt(err, errlen, "DuckDB: cannot connect");
    rc = ARGO_EDB;
    goto fail;
  }
  rc = create_enum_types(st, err, errlen);
  if (rc == ARGO_OK) {
    rc = create_tables(st, err, errlen);
  }
  if (rc) {
    goto fail;
  }
  for (int i = 0; i < ARGO_T_COUNT; i++) {
    make_chunk(st, (argo__table_id)i);
  }
  st->ready = 1;
  *out = st;
  return ARGO_OK;
fail:
  argo__store_close(st);
  return rc;
}

void argo__store_close(argo__store *st) {
  if (!st) {
    return;
  }
  /* Emptied, a database that works is kept for the next store (one at a time). */
  char err[ARGO_ERRMSG_MAX];
  int empty = 1;
  for (int i = 0; i < ARGO_T_COUNT; i++) {
    empty &= st->tabs[i].rows == 0 && !st->tabs[i].unflushed;
  }
  st->extend = 0; /* the next store's owner decides */
  if (st->ready && (empty || argo__store_reset(st, err, sizeof err) == ARGO_OK) &&
      argo__store_set_symbols(st, NULL, 0, err, sizeof err) == ARGO_OK && st->ready &&
      pool_put(st)) {
    return;
  }
  destroy(st);
}

void argo__store_pool_release(void) {
  pthread_mutex_lock(&pool_mu);
  argo__store *st = pool;
  pool = NULL;
  pthread_mutex_unlock(&pool_mu);
  if (st) {
    destroy(st);
  }
}

int argo__store_pool_held(void) {
  pthread_mutex_lock(&pool_mu);
  int held = pool != NULL;
  pthread_mutex_unlock(&pool_mu);
  return held;
}

/* Frees st and closes its database. */
static void destroy(argo__store *st) {
  destroy_appenders(st);
  for (int i = 0; i < ARGO_T_COUNT; i++) {
    free_chunk(&st->tabs[i]);
    argo__dayfile_deinit(&st->tabs[i].df);
  }
  free_symbols(st);
  if (st->con) {
    duckdb_disconnect(&st->con);
  }
  if (st->lane) {
    duckdb_disconnect(&st->lane);
  }
  if (st->db) {
    duckdb_close(&st->db);
  }
  argo__map_free(&st->known_orders);
  argo__map_free(&st->batch_last);
  free(st);
}

static int enum_index(const enum_col *ec, const char *s, size_t len) {
  for (size_t k = 0; k < ec->n; k++) {
    if (ec->len[k] == len && memcmp(ec->labels[k], s, len) == 0) {
      return (int)k;
    }
  }
  return -1;
}

static argo_err flush(duckdb_appender app, const char *name, char *err, size_t errlen) {
  if (duckdb_appender_flush(app) != DuckDBSuccess) {
    argo__fmt(err, errlen, "DuckDB: cannot flush %s: %s", name, duckdb_appender_error(app));
    return ARGO_EDB;
  }
  return ARGO_OK;
}

/* Rows stay in the appender until the table is read (an export, an update): every flush is a
 * transaction of its own, a fixed cost worth paying once per export rather than once per
 * hand-over. */
static argo_err flush_table(table_state *ts, const char *name, char *err, size_t errlen) {
  if (!ts->unflushed) {
    return ARGO_OK;
  }
  argo_err rc = flush(ts->app, name, err, errlen);
  if (rc == ARGO_OK) {
    ts->unflushed = 0;
  }
  return rc;
}

/* Appends the rows of b whose keep flag equals want (keep NULL = all) through app, one data
 * chunk of up to duckdb_vector_size() rows at a time (into the appender: flush_table moves them
 * into the table). */
static argo_err append_rows(duckdb_appender app, table_state *ts, const argo__batch *b,
                            const unsigned char *keep, unsigned char want, char *err,
                            size_t errlen) {
  const argo__table *t = b->t;
  const size_t vsize = (size_t)duckdb_vector_size();
  size_t r = 0;
  while (r < b->rows) {
    duckdb_data_chunk_reset(ts->chunk);
    size_t n = 0;
    /* Gather up to vsize kept rows into the chunk. */
    size_t idx[2048];
    size_t cap = vsize < 2048 ? vsize : 2048;
    while (r < b->rows && n < cap) {
      if (!keep || keep[r] == want) {
        idx[n++] = r;
      }
      r++;
    }
    if (n == 0) {
      continue;
    }
    int contiguous = idx[n - 1] - idx[0] == n - 1;
    for (size_t c = 0; c < t->ncols; c++) {
      duckdb_vector v = duckdb_data_chunk_get_vector(ts->chunk, c);
      if (ts->enums[c].n) {
        uint8_t *dst = duckdb_vector_get_data(v);
        for (size_t i = 0; i < n; i++) {
          size_t len;
          const char *s = argo__batch_get_text(b, (int)c, idx[i], &len);
          int k = enum_index(&ts->enums[c], s, len);
          if (k < 0) {
            argo__fmt(err, errlen, "%s.%s cannot hold '%.*s' (not one of its values)", t->name,
                      t->cols[c].name, (int)(len < 64 ? len : 64), s);
            return ARGO_EINVAL;
          }
          dst[i] = (uint8_t)k;
        }
      } else if (t->cols[c].type == ARGO_COL_BOOLEAN) {
        /* Kept as int64_t in the batch like the other fixed-size columns; a byte in DuckDB. */
        bool *dst = duckdb_vector_get_data(v);
        const int64_t *src = b->cols[c].i64;
        for (size_t i = 0; i < n; i++) {
          dst[i] = src[idx[i]] != 0;
        }
      } else if (t->cols[c].type == ARGO_COL_TEXT) {
        for (size_t i = 0; i < n; i++) {
          size_t len;
          const char *s = argo__batch_get_text(b, (int)c, idx[i], &len);
          duckdb_vector_assign_string_element_len(v, i, s, len);
        }
      } else {
        char *dst = duckdb_vector_get_data(v);
        const char *src = b->cols[c].any;
        if (contiguous) {
          memcpy(dst, src + idx[0] * 8, n * 8);
        } else {
          for (size_t i = 0; i < n; i++) {
            memcpy(dst + i * 8, src + idx[i] * 8, 8);
          }
        }
      }
    }
    duckdb_data_chunk_set_size(ts->chunk, n);
    if (duckdb_append_data_chunk(app, ts->chunk) != DuckDBSuccess) {
      argo__fmt(err, errlen, "DuckDB: cannot append to %s: %s", t->name,
                duckdb_appender_error(app));
      return ARGO_EDB;
    }
  }
  return ARGO_OK;
}

/* The order id of row r as a C string (ids are short; a longer one is cut, consistently). */
static void batch_id(const argo__batch *b, size_t r, char *id, size_t cap) {
  size_t len;
  const char *s = argo__batch_get_text(b, ORD_ID, r, &len);
  if (len >= cap) {
    len = cap - 1;
  }
  memcpy(id, s, len);
  id[len] = '\0';
}

/* Orders: the last row of each order id in the batch wins; ids already in the table become
 * updates through the staging table, the others are appended. */
static int is_pending(const argo__batch *b, size_t r) {
  size_t len;
  const char *st = argo__batch_get_text(b, ORD_STATUS, r, &len);
  return len == 7 && memcmp(st, "PENDING", 7) == 0;
}

static argo_err append_orders(argo__store *st, const argo__batch *b, char *err, size_t errlen) {
  argo_err rc = ARGO_OK;
  /* Per row: 1 = insert, 2 = update, 3 = superseded by a later row of the same order. */
  unsigned char *what = calloc(b->rows ? b->rows : 1, 1);
  if (!what) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  char id[256];
  size_t nupd = 0, nins = 0;
  /* Only a PENDING order can change again, so only PENDING rows are remembered (here for the
   * batch, in known_orders for later batches of the day): a market order, final at once, costs
   * no allocation. */
  for (size_t r = 0; r < b->rows; r++) {
    batch_id(b, r, id, sizeof id);
    void **v = argo__map_get(&st->batch_last, id);
    if (v) {
      what[(uintptr_t)*v - 1] = 3;
      *v = (void *)(uintptr_t)(r + 1);
    } else if (is_pending(b, r) &&
               argo__map_put(&st->batch_last, id, (void *)(uintptr_t)(r + 1)) != 0) {
      rc = ARGO_ENOMEM;
      goto done;
    }
  }
  for (size_t r = 0; r < b->rows; r++) {
    if (what[r] == 3) {
      continue;
    }
    batch_id(b, r, id, sizeof id);
    int pending = is_pending(b, r);
    void **known = argo__map_get(&st->known_orders, id);
    if (known) {
      /* Its row changes: the published file's segment holding it is encoded again. */
      int64_t rowid = (int64_t)(uintptr_t)*known - 1;
      table_state *ots = &st->tabs[ARGO_T_ORDERS];
      ots->dirty_from = rowid < ots->dirty_from ? rowid : ots->dirty_from;
      what[r] = 2;
      nupd++;
      if (!pending) {
        argo__map_del(&st->known_orders, id); /* final: it will not change again */
      }
    } else {
      what[r] = 1;
      /* The map keeps its row number (rowid + 1): inserted rows follow the table's. */
      uintptr_t rowid1 = (uintptr_t)(st->tabs[ARGO_T_ORDERS].rows + (int64_t)nins + 1);
      nins++;
      if (pending && argo__map_put(&st->known_orders, id, (void *)rowid1) != 0) {
        rc = ARGO_ENOMEM;
        goto done;
      }
    }
  }
  if (nins) {
    rc =
        append_rows(st->tabs[ARGO_T_ORDERS].app, &st->tabs[ARGO_T_ORDERS], b, what, 1, err, errlen);
    if (rc) {
      goto done;
    }
    st->tabs[ARGO_T_ORDERS].rows += (int64_t)nins;
    st->tabs[ARGO_T_ORDERS].unflushed = 1;
  }
  if (nupd) {
    /* The orders to update must be in the table, and the staging rows too. */
    rc = flush_table(&st->tabs[ARGO_T_ORDERS], "orders", err, errlen);
    if (rc == ARGO_OK) {
      rc = append_rows(st->upd_app, &st->tabs[ARGO_T_ORDERS], b, what, 2, err, errlen);
    }
    if (rc == ARGO_OK) {
      rc = flush(st->upd_app, "orders_update", err, errlen);
    }
    if (rc == ARGO_OK) {
      rc = argo__duck_exec(
          st->con,
          "UPDATE orders SET symbol = u.symbol, side = u.side, order_type = u.order_type, "
          "quantity = u.quantity, price = u.price, timestamp = u.timestamp, "
          "status = u.status, strategy_name = u.strategy_name, "
          "position_type = u.position_type, reason = u.reason "
          "FROM orders_update u WHERE orders.order_id = u.order_id",
          err, errlen);
    }
    if (rc == ARGO_OK) {
      rc = argo__duck_exec(st->con, "DELETE FROM orders_update", err, errlen);
    }
  }
done:
  if (rc == ARGO_ENOMEM) {
    argo__fmt(err, errlen, "out of memory");
  }
  /* The scratch map is emptied but keeps its memory for the next batch. */
  argo__map_clear(&st->batch_last);
  free(what);
  return rc;
}

argo_err argo__store_append(argo__store *st, const argo__batch *b, char *err, size_t errlen) {
  if (b->rows == 0) {
    return ARGO_OK;
  }
  if (b->failed) {
    argo__fmt(err, errlen, "out of memory while buffering %s rows", b->t->name);
    return ARGO_ENOMEM;
  }
  if (b->table == ARGO_T_ORDERS) {
    return append_orders(st, b, err, errlen);
  }
  table_state *ts = &st->tabs[b->table];
  argo_err rc = append_rows(ts->app, ts, b, NULL, 0, err, errlen);
  if (rc == ARGO_OK) {
    ts->rows += (int64_t)b->rows;
    ts->unflushed = 1;
  }
  return rc;
}

/* COPY (sql's query or table) TO path, the one way rows become Parquet bytes. */
static argo_err copy_to(argo__store *st, argo__table_id t, const char *what, const char *path,
                        char *err, size_t errlen) {
  char quoted[8800], sql[9200];
  if (argo__sql_quote(path, quoted, sizeof quoted) != 0) {
    argo__fmt(err, errlen, "path too long: '%s'", path);
    return ARGO_EINVAL;
  }
  unlink(path);
  int e = argo__io_fault_check_path(ARGO_IO_WRITE, path);
  if (e) {
    argo__fmt_errno(err, errlen, e, "cannot write '%s'", path);
    return ARGO_EIO;
  }
  snprintf(sql, sizeof sql, "COPY %s TO %s (FORMAT PARQUET)", what, quoted);
  duckdb_result r;
  argo_err rc = ARGO_OK;
  if (duckdb_query(conn(st, t), sql, &r) != DuckDBSuccess) {
    argo__fmt(err, errlen, "cannot write '%s': %s", path, duckdb_result_error(&r));
    unlink(path);
    rc = ARGO_EIO;
  }
  duckdb_destroy_result(&r);
  return rc;
}

/* The extension of the day's file (dayfile.h): the rows since the planned segment encoded into
 * the segment file, then published from it. ARGO_ECORRUPT when the segment cannot extend the
 * file (the caller encodes everything). */
static argo_err export_extend(argo__store *st, argo__table_id t, const char *final_path, char *err,
                              size_t errlen) {
  table_state *ts = &st->tabs[t];
  const argo__table *tab = argo__schema(t);
  char seg[ARGO_PATH_MAX + 128], what[256];
  if (argo__dayfile_name(final_path, 2, seg, sizeof seg) != 0) {
    argo__fmt(err, errlen, "path too long: '%s'", final_path);
    return ARGO_EINVAL;
  }
  int64_t from;
  int64_t dirty = ts->dirty_from < ts->rows ? ts->dirty_from : ts->rows;
  size_t keep = argo__dayfile_plan(&ts->df, final_path, ts->rows, dirty, &from);
  if (from == 0) {
    snprintf(what, sizeof what, "%s", tab->name);
  } else {
    snprintf(what, sizeof what, "(SELECT * FROM %s WHERE rowid >= %lld)", tab->name,
             (long long)from);
  }
  argo_err rc = copy_to(st, t, what, seg, err, errlen);
  if (rc == ARGO_OK) {
    rc = argo__dayfile_publish(&ts->df, keep, from, ts->rows, seg, final_path, err, errlen);
  }
  unlink(seg);
  return rc;
}

argo_err argo__store_export(argo__store *st, argo__table_id t, const char *dir, char *err,
                            size_t errlen) {
  table_state *ts = &st->tabs[t];
  argo_err rc = flush_table(ts, argo__schema(t)->name, err, errlen);
  if (rc) {
    return rc;
  }
  const argo__table *tab = argo__schema(t);
  char final_path[ARGO_PATH_MAX + 64], tmp[ARGO_PATH_MAX + 128];
  ts->note[0] = '\0';
  if (argo__path(final_path, sizeof final_path, err, errlen, "%s/%s", dir, tab->file) != 0 ||
      argo__fs_tmp_name(final_path, tmp, sizeof tmp) != 0) {
    return ARGO_EINVAL;
  }
  if (ts->rows == 0) {
    /* An empty table's file is always the same bytes (the schema alone decides them). */
    argo__dayfile_reset(&ts->df);
    return argo__empty_parquet_write(t, dir, err, errlen);
  }
  if (st->extend && ts->dense) {
    rc = export_extend(st, t, final_path, err, errlen);
    if (rc != ARGO_ECORRUPT) {
      if (rc == ARGO_OK) {
        ts->dirty_from = INT64_MAX;
      }
      return rc;
    }
    /* A segment argo cannot use: said once, and the table encoded whole as before. */
    argo__fmt(ts->note, sizeof ts->note, "%s: encoded whole instead", err);
  }
  argo__dayfile_reset(&ts->df);
  rc = copy_to(st, t, tab->name, tmp, err, errlen);
  if (rc) {
    return rc;
  }
  rc = argo__fs_replace(tmp, final_path, err, errlen) ? ARGO_EIO : ARGO_OK;
  if (rc == ARGO_OK) {
    ts->dirty_from = INT64_MAX;
  }
  return rc;
}

void argo__store_finish_files(argo__store *st) {
  for (int i = 0; i < ARGO_T_COUNT; i++) {
    argo__dayfile_reset(&st->tabs[i].df);
  }
}

void argo__store_set_extend(argo__store *st, int on) {
  st->extend = on;
}

const char *argo__store_note(const argo__store *st, argo__table_id t) {
  return st->tabs[t].note;
}

const argo__dayfile *argo__store_dayfile(const argo__store *st, argo__table_id t) {
  return &st->tabs[t].df;
}

int64_t argo__store_file_rows(argo__store *st, const char *path, char *err, size_t errlen) {
  char q[8800], sql[9000];
  if (argo__sql_quote(path, q, sizeof q) != 0) {
    argo__fmt(err, errlen, "path too long: '%s'", path);
    return -1;
  }
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", q);
  duckdb_result r;
  int64_t n = -1;
  if (duckdb_query(st->con, sql, &r) == DuckDBSuccess) {
    n = duckdb_value_int64(&r, 0, 0);
  } else {
    argo__fmt(err, errlen, "cannot read '%s': %s", path, duckdb_result_error(&r));
  }
  duckdb_destroy_result(&r);
  return n;
}

/* Each column as a comparable value: text as VARCHAR (ENUM columns included), timestamps as
 * microseconds, booleans as integers; prefix qualifies the names ("p." or ""). */
static void normalized_cols(const argo__table *tab, const char *prefix, argo__sb *sb) {
  for (size_t c = 0; c < tab->ncols; c++) {
    const char *n = tab->cols[c].name;
    argo__sb_puts(sb, c ? ", " : "");
    switch (tab->cols[c].type) {
    case ARGO_COL_TEXT:
      argo__sb_printf(sb, "CAST(%s\"%s\" AS VARCHAR) AS \"%s\"", prefix, n, n);
      break;
    case ARGO_COL_TIMESTAMP:
      argo__sb_printf(sb, "epoch_us(%s\"%s\") AS \"%s\"", prefix, n, n);
      break;
    case ARGO_COL_DOUBLE:
      argo__sb_printf(sb, "CAST(%s\"%s\" AS DOUBLE) AS \"%s\"", prefix, n, n);
      break;
    default:
      argo__sb_printf(sb, "CAST(%s\"%s\" AS BIGINT) AS \"%s\"", prefix, n, n);
      break;
    }
  }
}

/* The rows of a result of normalized_cols into out. */
static argo_err result_to_batch(duckdb_result *r, argo__batch *out) {
  const argo__table *tab = out->t;
  idx_t rows = duckdb_row_count(r);
  for (idx_t i = 0; i < rows; i++) {
    size_t row = argo__batch_add(out);
    if (row == (size_t)-1) {
      return ARGO_ENOMEM;
    }
    for (size_t c = 0; c < tab->ncols; c++) {
      int null = duckdb_value_is_null(r, c, i);
      if (tab->cols[c].type == ARGO_COL_TEXT) {
        char *v = null ? NULL : duckdb_value_varchar(r, c, i);
        argo__batch_text(out, (int)c, row, v ? v : "");
        duckdb_free(v);
      } else if (tab->cols[c].type == ARGO_COL_DOUBLE) {
        argo__batch_f64(out, (int)c, row, null ? 0 : duckdb_value_double(r, c, i));
      } else {
        argo__batch_i64(out, (int)c, row, null ? 0 : duckdb_value_int64(r, c, i));
      }
    }
  }
  return out->failed ? ARGO_ENOMEM : ARGO_OK;
}

argo_err argo__store_merge_file(argo__store *st, argo__table_id t, const char *path,
                                argo__batch *out, char *err, size_t errlen) {
  static const char *const time_col[ARGO_T_COUNT] = {"timestamp", "executed_at", "id", "id",
                                                     "time"};
  const argo__table *tab = argo__schema(t);
  table_state *ts = &st->tabs[t];
  duckdb_connection con = conn(st, t);
  char q[8800];
  argo__batch_clear(out);
  if (argo__sql_quote(path, q, sizeof q) != 0) {
    argo__fmt(err, errlen, "path too long: '%s'", path);
    return ARGO_EINVAL;
  }
  argo_err rc = flush_table(ts, tab->name, err, errlen);
  if (rc) {
    return rc;
  }
  argo__sb sql;
  argo__sb_init(&sql);
  argo__sb_puts(&sql, "SELECT ");
  normalized_cols(tab, "p.", &sql);
  argo__sb_printf(&sql, " FROM read_parquet(%s) p", q);
  if (t == ARGO_T_ORDERS) {
    /* An order the table lacks, or holds only as PENDING while the file has it final. */
    argo__sb_puts(&sql, " WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = "
                        "p.order_id AND (CAST(o.status AS VARCHAR) <> 'PENDING' OR "
                        "CAST(p.status AS VARCHAR) = 'PENDING'))");
  } else {
    argo__sb_puts(&sql, " EXCEPT ALL SELECT ");
    normalized_cols(tab, "", &sql);
    argo__sb_printf(&sql, " FROM %s", tab->name);
  }
  duckdb_result r;
  if (argo__sb_failed(&sql)) {
    argo__sb_free(&sql);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  if (duckdb_query(con, argo__sb_str(&sql), &r) != DuckDBSuccess) {
    argo__fmt(err, errlen, "cannot compare '%s' with the journal's rows: %s", path,
              duckdb_result_error(&r));
    duckdb_destroy_result(&r);
    argo__sb_free(&sql);
    return ARGO_EDB;
  }
  argo__sb_free(&sql);
  rc = result_to_batch(&r, out);
  duckdb_destroy_result(&r);
  if (rc == ARGO_OK && out->rows) {
    rc = argo__store_append(st, out, err, errlen);
    if (rc == ARGO_OK) {
      rc = flush_table(ts, tab->name, err, errlen);
    }
    /* Rows from the file came after the journal's: put the table in time order again. */
    char stmt[512];
    snprintf(stmt, sizeof stmt,
             "CREATE TEMP TABLE argo_merge AS SELECT * FROM %s ORDER BY \"%s\", rowid; "
             "DELETE FROM %s; INSERT INTO %s SELECT * FROM argo_merge; DROP TABLE argo_merge",
             tab->name, time_col[t], tab->name, tab->name);
    if (rc == ARGO_OK) {
      rc = argo__duck_exec(con, stmt, err, errlen);
    }
    /* Its rowids are no longer its row numbers: exported whole from now on (this day). */
    ts->dense = 0;
    argo__dayfile_reset(&ts->df);
  } else if (rc == ARGO_ENOMEM) {
    argo__fmt(err, errlen, "out of memory");
  }
  return rc;
}

argo_err argo__store_reset(argo__store *st, char *err, size_t errlen) {
  /* DROP and CREATE rather than DELETE: the memory of the finished day is released at once. */
  destroy_appenders(st);
  argo_err rc = ARGO_OK;
  for (int i = 0; i < ARGO_T_COUNT && rc == ARGO_OK; i++) {
    char sql[128];
    snprintf(sql, sizeof sql, "DROP TABLE %s", argo__schema((argo__table_id)i)->name);
    rc = argo__duck_exec(st->con, sql, err, errlen);
  }
  if (rc == ARGO_OK) {
    rc = argo__duck_exec(st->con, "DROP TABLE orders_update", err, errlen);
  }
  if (rc == ARGO_OK) {
    rc = create_tables(st, err, errlen);
  }
  argo__map_free(&st->known_orders);
  argo__map_init(&st->known_orders);
  return rc;
}

int64_t argo__store_count(argo__store *st, argo__table_id t) {
  return st->tabs[t].rows;
}
