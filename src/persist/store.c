/*
 * Store: the day's rows in argo's buffers, read by DuckDB through a table function, and their
 * Parquet export; see store.h.
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
#include "persist/dayrows.h"
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
} enum_col;

typedef struct table_state {
  /* The DuckDB table stays empty: it gives the column types (its ENUMs) that the table function
   * declares, so that the files are typed exactly as the table's COPY typed them. */
  duckdb_appender app;
  duckdb_logical_type types[ARGO_MAX_COLS];
  enum_col enums[ARGO_MAX_COLS]; /* n == 0 for free-text and non-text columns */
  argo__dayrows *dr;             /* the day's rows */
  /* The published file that holds the rows released from dr (argo__dayrows_first). */
  char released_in[ARGO_PATH_MAX + 64];
  int64_t rows;
  /* The published file extended by segments (dayfile.h), while the rows keep the order they
   * were appended in (dense: no row moved by a recovery's merge); dirty_from is the first row
   * updated since the last publication (INT64_MAX: none). */
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
  char **syms; /* the session's symbols: market_data.symbol is their ENUM */
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
      }
    }
  }
  argo_err rc =
      argo__sb_failed(&sb) ? ARGO_ENOMEM : argo__duck_exec(st->con, argo__sb_str(&sb), err, errlen);
  argo__sb_free(&sb);
  return rc;
}

int64_t argo__store_first_held(const argo__store *st, argo__table_id t) {
  return argo__dayrows_first(st->tabs[t].dr);
}

int argo__store_lane(argo__table_id t) {
  /* At every size the market data are about half of the export work: logs join them. */
  return t == ARGO_T_MARKET_DATA || t == ARGO_T_LOGS;
}

/* The connection of table t's exports. */
static duckdb_connection conn(const argo__store *st, argo__table_id t) {
  return argo__store_lane(t) ? st->lane : st->con;
}

/* ---- argo_day_rows(table, from): the day's rows of a table from row `from` on, read by DuckDB
 * from the store's own buffers (dayrows.h) when it encodes a file. Declared with the DuckDB
 * table's own column types; one thread scans (the rows come in their order). Exports run while
 * nothing is appended (store.h), so the rows do not change under a scan. ---------------- */

typedef struct scan_bind {
  const table_state *ts;
  size_t ncols;
  int64_t from, to;
} scan_bind;

typedef struct scan_pos {
  int64_t at;
} scan_pos;

static void scan_bind_fn(duckdb_bind_info info) {
  argo__store *st = duckdb_bind_get_extra_info(info);
  duckdb_value v0 = duckdb_bind_get_parameter(info, 0), v1 = duckdb_bind_get_parameter(info, 1);
  int64_t t = duckdb_get_int64(v0), from = duckdb_get_int64(v1);
  duckdb_destroy_value(&v0);
  duckdb_destroy_value(&v1);
  if (t < 0 || t >= ARGO_T_COUNT) {
    duckdb_bind_set_error(info, "argo_day_rows: no such table");
    return;
  }
  const table_state *ts = &st->tabs[t];
  const argo__table *tab = argo__schema((argo__table_id)t);
  int64_t rows = argo__dayrows_count(ts->dr);
  if (from < 0 || from > rows) {
    duckdb_bind_set_error(info, "argo_day_rows: first row out of range");
    return;
  }
  scan_bind *b = malloc(sizeof *b);
  if (!b) {
    duckdb_bind_set_error(info, "argo_day_rows: out of memory");
    return;
  }
  b->ts = ts;
  b->ncols = tab->ncols;
  b->from = from;
  b->to = rows;
  for (size_t c = 0; c < tab->ncols; c++) {
    duckdb_bind_add_result_column(info, tab->cols[c].name, ts->types[c]);
  }
  duckdb_bind_set_cardinality(info, (idx_t)(rows - from), true);
  duckdb_bind_set_bind_data(info, b, free);
}

static void scan_init_fn(duckdb_init_info info) {
  const scan_bind *b = duckdb_init_get_bind_data(info);
  scan_pos *p = malloc(sizeof *p);
  if (!p) {
    duckdb_init_set_error(info, "argo_day_rows: out of memory");
    return;
  }
  p->at = b->from;
  duckdb_init_set_init_data(info, p, free);
  duckdb_init_set_max_threads(info, 1);
}

static void scan_fn(duckdb_function_info info, duckdb_data_chunk out) {
  const scan_bind *b = duckdb_function_get_bind_data(info);
  scan_pos *p = duckdb_function_get_init_data(info);
  const argo__dayrows *dr = b->ts->dr;
  int64_t left = b->to - p->at;
  size_t n = 0;
  if (left > 0) {
    /* A vector's rows, never past the end of the block that holds the first of them. */
    (void)argo__dayrows_cells(dr, 0, p->at, &n);
    size_t vs = (size_t)duckdb_vector_size();
    n = n < vs ? n : vs;
    n = (int64_t)n < left ? n : (size_t)left;
  }
  for (size_t c = 0; c < b->ncols && n; c++) {
    duckdb_vector v = duckdb_data_chunk_get_vector(out, c);
    int kind = argo__dayrows_kind(dr, c);
    if (kind < 0) {
      for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *s = argo__dayrows_text(dr, c, p->at + (int64_t)i, &len);
        duckdb_vector_assign_string_element_len(v, i, s, len);
      }
    } else {
      size_t got;
      const void *cells = argo__dayrows_cells(dr, c, p->at, &got);
      memcpy(duckdb_vector_get_data(v), cells, n * (kind ? 1 : 8));
    }
  }
  p->at += (int64_t)n;
  duckdb_data_chunk_set_size(out, n);
}

static argo_err register_scan(argo__store *st, char *err, size_t errlen) {
  duckdb_table_function f = duckdb_create_table_function();
  duckdb_logical_type i64 = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_table_function_set_name(f, "argo_day_rows");
  duckdb_table_function_add_parameter(f, i64);
  duckdb_table_function_add_parameter(f, i64);
  duckdb_table_function_set_extra_info(f, st, NULL);
  duckdb_table_function_set_bind(f, scan_bind_fn);
  duckdb_table_function_set_init(f, scan_init_fn);
  duckdb_table_function_set_function(f, scan_fn);
  argo_err rc = ARGO_OK;
  if (duckdb_register_table_function(st->con, f) != DuckDBSuccess) {
    argo__fmt(err, errlen, "DuckDB: cannot register the table function argo_day_rows");
    rc = ARGO_EDB;
  }
  duckdb_destroy_logical_type(&i64);
  duckdb_destroy_table_function(&f);
  return rc;
}

/* The query of table t's rows from row `from` on, for COPY, into out. Rows released from the
 * day's buffers (export_extend: rows no publication encodes again) are read back from the
 * published file that holds them, cast to the buffers' column types. -1 if out of memory or
 * the path is too long. */
static int rows_sql(const argo__store *st, argo__table_id t, int64_t from, argo__sb *out) {
  int64_t first = argo__dayrows_first(st->tabs[t].dr);
  if (from >= first) {
    argo__sb_printf(out, "(SELECT * FROM argo_day_rows(%d, %lld))", (int)t, (long long)from);
    return argo__sb_failed(out) ? -1 : 0;
  }
  char q[8800];
  if (argo__sql_quote(st->tabs[t].released_in, q, sizeof q) != 0) {
    return -1;
  }
  const argo__table *tab = argo__schema(t);
  argo__sb_puts(out, "(SELECT ");
  for (size_t c = 0; c < tab->ncols; c++) {
    char type[128];
    argo__schema_col_type(tab, c, t == ARGO_T_MARKET_DATA && st->nsyms ? ARGO_SYMBOL_TYPE : NULL,
                          type, sizeof type);
    argo__sb_printf(out, "%sCAST(\"%s\" AS %s) AS \"%s\"", c ? ", " : "", tab->cols[c].name, type,
                    tab->cols[c].name);
  }
  argo__sb_printf(out,
                  " FROM read_parquet(%s, file_row_number = true) WHERE file_row_number >= %lld "
                  "AND file_row_number < %lld UNION ALL SELECT * FROM argo_day_rows(%d, %lld))",
                  q, (long long)from, (long long)first, (int)t, (long long)first);
  return argo__sb_failed(out) ? -1 : 0;
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
    st->tabs[i].dirty_from = INT64_MAX;
    st->tabs[i].dense = 1;
    argo__dayfile_reset(&st->tabs[i].df);
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

static void free_types(table_state *ts) {
  for (size_t c = 0; c < ARGO_MAX_COLS; c++) {
    if (ts->types[c]) {
      duckdb_destroy_logical_type(&ts->types[c]);
    }
  }
}

/* Table t's column types as its appender sees them, so that an ENUM column is of exactly the
 * table's type; its fixed-value columns are kept as label indexes in its day rows. */
static void make_types(argo__store *st, argo__table_id t) {
  table_state *ts = &st->tabs[t];
  const argo__table *tab = argo__schema(t);
  free_types(ts);
  for (size_t c = 0; c < tab->ncols; c++) {
    ts->types[c] = ts->enums[c].n ? duckdb_appender_column_type(ts->app, c)
                                  : duckdb_create_logical_type(duck_type(tab->cols[c].type));
    if (tab->cols[c].type == ARGO_COL_TEXT) {
      argo__dayrows_set_labels(ts->dr, c, ts->enums[c].labels, ts->enums[c].n);
    }
  }
}

static void free_symbols(argo__store *st) {
  for (size_t i = 0; i < st->nsyms; i++) {
    free(st->syms[i]);
  }
  free(st->syms);
  st->syms = NULL;
  st->nsyms = 0;
  st->tabs[ARGO_T_MARKET_DATA].enums[MD_SYMBOL].n = 0;
  if (st->tabs[ARGO_T_MARKET_DATA].dr) {
    argo__dayrows_set_labels(st->tabs[ARGO_T_MARKET_DATA].dr, MD_SYMBOL, NULL, 0);
  }
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
  if (ts->rows) {
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
  make_types(st, ARGO_T_MARKET_DATA);
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
    st->tabs[i].dr = argo__dayrows_new((argo__table_id)i);
    if (!st->tabs[i].dr) {
      argo__fmt(err, errlen, "out of memory");
      goto fail;
    }
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
    make_types(st, (argo__table_id)i);
  }
  rc = register_scan(st, err, errlen);
  if (rc) {
    goto fail;
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
    empty &= st->tabs[i].rows == 0;
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
  free_symbols(st);
  for (int i = 0; i < ARGO_T_COUNT; i++) {
    free_types(&st->tabs[i]);
    argo__dayrows_free(st->tabs[i].dr);
    st->tabs[i].dr = NULL;
    argo__dayfile_deinit(&st->tabs[i].df);
  }
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
  table_state *ots = &st->tabs[ARGO_T_ORDERS];
  for (size_t r = 0; r < b->rows && rc == ARGO_OK; r++) {
    if (what[r] == 3) {
      continue;
    }
    batch_id(b, r, id, sizeof id);
    int pending = is_pending(b, r);
    void **known = argo__map_get(&st->known_orders, id);
    if (known) {
      /* Its row changes in place (its client order id stays the one it was placed with): the
       * published file's segment holding it is encoded again. */
      int64_t rowid = (int64_t)(uintptr_t)*known - 1;
      ots->dirty_from = rowid < ots->dirty_from ? rowid : ots->dirty_from;
      rc = argo__dayrows_put(ots->dr, rowid, b, r, 1u << ORD_CLIENT_ID, err, errlen);
      if (rc == ARGO_OK && !pending) {
        argo__map_del(&st->known_orders, id); /* final: it will not change again */
      }
    } else {
      /* The map keeps its row number (rowid + 1). */
      uintptr_t rowid1 = (uintptr_t)(argo__dayrows_count(ots->dr) + 1);
      rc = argo__dayrows_put(ots->dr, argo__dayrows_count(ots->dr), b, r, 0, err, errlen);
      if (rc == ARGO_OK && pending && argo__map_put(&st->known_orders, id, (void *)rowid1) != 0) {
        rc = ARGO_ENOMEM;
      }
    }
  }
  ots->rows = argo__dayrows_count(ots->dr);
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
  argo_err rc = argo__dayrows_append(ts->dr, b, err, errlen);
  ts->rows = argo__dayrows_count(ts->dr);
  return rc;
}

/* COPY (sql's query or table) TO path, the one way rows become Parquet bytes. */
static argo_err copy_to(argo__store *st, argo__table_id t, const char *what, const char *path,
                        char *err, size_t errlen) {
  char quoted[8800];
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
  argo__sb sql;
  argo__sb_init(&sql);
  argo__sb_printf(&sql, "COPY %s TO %s (FORMAT PARQUET)", what, quoted);
  if (argo__sb_failed(&sql)) {
    argo__sb_free(&sql);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  duckdb_result r;
  argo_err rc = ARGO_OK;
  if (duckdb_query(conn(st, t), argo__sb_str(&sql), &r) != DuckDBSuccess) {
    argo__fmt(err, errlen, "cannot write '%s': %s", path, duckdb_result_error(&r));
    unlink(path);
    rc = ARGO_EIO;
  }
  duckdb_destroy_result(&r);
  argo__sb_free(&sql);
  return rc;
}

/* The extension of the day's file (dayfile.h): the rows since the planned segment encoded into
 * the segment file, then published from it. ARGO_ECORRUPT when the segment cannot extend the
 * file (the caller encodes everything). */
static argo_err export_extend(argo__store *st, argo__table_id t, const char *final_path, char *err,
                              size_t errlen) {
  table_state *ts = &st->tabs[t];
  char seg[ARGO_PATH_MAX + 128];
  if (argo__dayfile_name(final_path, 2, seg, sizeof seg) != 0) {
    argo__fmt(err, errlen, "path too long: '%s'", final_path);
    return ARGO_EINVAL;
  }
  int64_t from;
  int64_t dirty = ts->dirty_from < ts->rows ? ts->dirty_from : ts->rows;
  size_t keep = argo__dayfile_plan(&ts->df, final_path, ts->rows, dirty, &from);
  argo__sb what;
  argo__sb_init(&what);
  if (rows_sql(st, t, from, &what) != 0) {
    argo__sb_free(&what);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  argo_err rc = copy_to(st, t, argo__sb_str(&what), seg, err, errlen);
  argo__sb_free(&what);
  if (rc == ARGO_OK) {
    rc = argo__dayfile_publish(&ts->df, keep, from, ts->rows, seg, final_path, err, errlen);
  }
  unlink(seg);
  if (rc == ARGO_OK && t != ARGO_T_ORDERS) {
    /* Rows that no later publication of the day encodes again leave memory (an order's row may
     * still change: orders keep theirs). A publication that must encode them after all (the
     * layout lost) reads them back from the published file. */
    argo__dayrows_release(ts->dr, argo__dayfile_settled(&ts->df));
    if (argo__dayrows_first(ts->dr) > 0) {
      argo__strlcpy(ts->released_in, final_path, sizeof ts->released_in);
    }
  }
  return rc;
}

argo_err argo__store_export(argo__store *st, argo__table_id t, const char *dir, char *err,
                            size_t errlen) {
  table_state *ts = &st->tabs[t];
  argo_err rc;
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
  argo__sb what;
  argo__sb_init(&what);
  if (rows_sql(st, t, 0, &what) != 0) {
    argo__sb_free(&what);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  rc = copy_to(st, t, argo__sb_str(&what), tmp, err, errlen);
  argo__sb_free(&what);
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

/* known_orders again from the orders' rows (after they moved): each PENDING order's row. */
static int index_pending(argo__store *st) {
  const argo__dayrows *dr = st->tabs[ARGO_T_ORDERS].dr;
  argo__map_free(&st->known_orders);
  argo__map_init(&st->known_orders);
  char id[256];
  for (int64_t r = 0; r < argo__dayrows_count(dr); r++) {
    size_t len;
    const char *s = argo__dayrows_text(dr, ORD_STATUS, r, &len);
    if (len != 7 || memcmp(s, "PENDING", 7) != 0) {
      continue;
    }
    s = argo__dayrows_text(dr, ORD_ID, r, &len);
    len = len < sizeof id ? len : sizeof id - 1;
    memcpy(id, s, len);
    id[len] = '\0';
    if (argo__map_put(&st->known_orders, id, (void *)(uintptr_t)(r + 1)) != 0) {
      return -1;
    }
  }
  return 0;
}

argo_err argo__store_merge_file(argo__store *st, argo__table_id t, const char *path,
                                argo__batch *out, char *err, size_t errlen) {
  static const size_t time_col[ARGO_T_COUNT] = {ORD_TS, TRD_EXEC_AT, MRK_ID, LOG_ID, MD_TIME};
  const argo__table *tab = argo__schema(t);
  table_state *ts = &st->tabs[t];
  duckdb_connection con = conn(st, t);
  char q[8800];
  argo__batch_clear(out);
  if (argo__sql_quote(path, q, sizeof q) != 0) {
    argo__fmt(err, errlen, "path too long: '%s'", path);
    return ARGO_EINVAL;
  }
  argo_err rc = ARGO_OK;
  argo__sb sql;
  argo__sb_init(&sql);
  argo__sb_puts(&sql, "SELECT ");
  normalized_cols(tab, "p.", &sql);
  argo__sb_printf(&sql, " FROM read_parquet(%s) p", q);
  if (t == ARGO_T_ORDERS) {
    /* An order the table lacks, or holds only as PENDING while the file has it final. */
    argo__sb_printf(&sql,
                    " WHERE NOT EXISTS (SELECT 1 FROM argo_day_rows(%d, 0) o WHERE o.order_id = "
                    "p.order_id AND (CAST(o.status AS VARCHAR) <> 'PENDING' OR "
                    "CAST(p.status AS VARCHAR) = 'PENDING'))",
                    (int)t);
  } else {
    argo__sb_puts(&sql, " EXCEPT ALL SELECT ");
    normalized_cols(tab, "", &sql);
    argo__sb_printf(&sql, " FROM argo_day_rows(%d, 0)", (int)t);
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
    /* Rows from the file came after the journal's: put the table in time order again. */
    if (rc == ARGO_OK && (argo__dayrows_sort(ts->dr, time_col[t]) != ARGO_OK ||
                          (t == ARGO_T_ORDERS && index_pending(st) != 0))) {
      argo__fmt(err, errlen, "out of memory");
      rc = ARGO_ENOMEM;
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
  (void)err;
  (void)errlen;
  /* The day's rows are freed at once; the (empty) DuckDB tables stay for their types. */
  for (int i = 0; i < ARGO_T_COUNT; i++) {
    table_state *ts = &st->tabs[i];
    argo__dayrows_clear(ts->dr);
    ts->rows = 0;
    ts->dirty_from = INT64_MAX;
    ts->dense = 1;
    argo__dayfile_reset(&ts->df);
  }
  argo__map_free(&st->known_orders);
  argo__map_init(&st->known_orders);
  return ARGO_OK;
}

int64_t argo__store_count(argo__store *st, argo__table_id t) {
  return st->tabs[t].rows;
}
