/*
 * SQL for a strategy; see strategy_sql.h. The views are argo query's (argo__query_open_opts over
 * a catalog of the data output), with one DuckDB worker thread: a query runs on the engine
 * thread that asks, and the session's own threads keep the other cores. Once they exist, the
 * connection is closed to writing: DuckDB may read files only under the data output folder
 * (allowed_directories, enable_external_access false) and its settings are locked, and each call
 * runs one statement whose prepared type is SELECT. A value never enters the SQL text: it is a
 * parameter, bound as text; the folder is quoted (argo__sql_quote).
 */
#include "inspect/strategy_sql.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <duckdb.h>

#include "inspect/query.h"
#include "persist/duck.h"
#include "persist/schema.h"
#include "util/fsx.h"
#include "util/strbuf.h"
#include "util/util.h"

struct argo__ssql {
  argo_catalog *cat;
  argo_query *q;
  duckdb_connection con; /* the query's, borrowed */
};

typedef enum col_kind { C_NUM, C_INT, C_TIME, C_TEXT } col_kind;

typedef struct cell {
  double d;
  int64_t i;
} cell;

struct argo_sql_rows {
  size_t nrows, ncols;
  char **names;
  unsigned char *kinds; /* col_kind per column */
  unsigned char *nulls; /* per cell */
  cell *cells;          /* per cell, row-major */
  char **texts;         /* per cell: the value as text, made when first asked (C_TEXT: at once) */
};

/* ---- opening ------------------------------------------------------------------------------ */

/* Limits the connection to reading files under dir, then locks DuckDB's settings. */
static argo_err restrict_access(duckdb_connection con, const char *dir, char *err, size_t errlen) {
  char real[ARGO_PATH_MAX];
  char q1[2 * ARGO_PATH_MAX + 3], q2[2 * ARGO_PATH_MAX + 3];
  const char *abs = realpath(dir, real) ? real : dir;
  if (argo__sql_quote(dir, q1, sizeof q1) != 0 || argo__sql_quote(abs, q2, sizeof q2) != 0) {
    argo__fmt(err, errlen, "path too long: '%s'", dir);
    return ARGO_EINVAL;
  }
  argo__sb sql;
  argo__sb_init(&sql);
  argo__sb_printf(&sql, "SET allowed_directories = [%s, %s]", q1, q2);
  if (argo__sb_failed(&sql)) {
    argo__sb_free(&sql);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  argo_err rc = argo__duck_exec(con, argo__sb_str(&sql), err, errlen);
  argo__sb_free(&sql);
  if (rc == ARGO_OK) {
    rc = argo__duck_exec(con, "SET enable_external_access = false", err, errlen);
  }
  if (rc == ARGO_OK) {
    rc = argo__duck_exec(con, "SET lock_configuration = true", err, errlen);
  }
  return rc;
}

argo_err argo__ssql_open(argo__ssql **out, const char *data_output, char *err, size_t errlen) {
  *out = NULL;
  argo__ssql *q = calloc(1, sizeof *q);
  if (!q) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  argo_err rc = argo_catalog_open(&q->cat, data_output);
  if (rc == ARGO_ENOTFOUND) {
    rc = ARGO_OK; /* no folder yet: a catalog of nothing, and empty views */
  }
  if (rc != ARGO_OK) {
    argo__fmt(err, errlen, "%s", argo_catalog_errmsg(q->cat));
    goto fail;
  }
  argo__duck_opts o = {.threads = 1};
  if ((rc = argo__query_open_opts(&q->q, q->cat, &o)) != ARGO_OK) {
    argo__fmt(err, errlen, "%s", argo_query_errmsg(q->q));
    goto fail;
  }
  q->con = argo__query_con(q->q);
  if ((rc = restrict_access(q->con, data_output, err, errlen)) != ARGO_OK) {
    goto fail;
  }
  *out = q;
  return ARGO_OK;

fail:
  argo__ssql_close(q);
  return rc;
}

void argo__ssql_close(argo__ssql *q) {
  if (!q) {
    return;
  }
  argo_query_close(q->q);
  argo_catalog_close(q->cat);
  free(q);
}

/* ---- the rows ------------------------------------------------------------------------------ */

static col_kind kind_of(duckdb_type t) {
  switch (t) {
  case DUCKDB_TYPE_BOOLEAN:
  case DUCKDB_TYPE_TINYINT:
  case DUCKDB_TYPE_SMALLINT:
  case DUCKDB_TYPE_INTEGER:
  case DUCKDB_TYPE_BIGINT:
  case DUCKDB_TYPE_UTINYINT:
  case DUCKDB_TYPE_USMALLINT:
  case DUCKDB_TYPE_UINTEGER:
    return C_INT;
  case DUCKDB_TYPE_UBIGINT:
  case DUCKDB_TYPE_HUGEINT:
  case DUCKDB_TYPE_UHUGEINT:
  case DUCKDB_TYPE_FLOAT:
  case DUCKDB_TYPE_DOUBLE:
  case DUCKDB_TYPE_DECIMAL:
    return C_NUM;
  case DUCKDB_TYPE_TIMESTAMP:
  case DUCKDB_TYPE_TIMESTAMP_TZ:
  case DUCKDB_TYPE_DATE:
    return C_TIME;
  default:
    return C_TEXT;
  }
}

static int64_t to_i64(double d) {
  if (!isfinite(d) || d >= 9223372036854775807.0 || d <= -9223372036854775807.0) {
    return 0;
  }
  return (int64_t)d;
}

void argo__ssql_rows_free(argo_sql_rows *r) {
  if (!r) {
    return;
  }
  for (size_t c = 0; r->names && c < r->ncols; c++) {
    free(r->names[c]);
  }
  for (size_t i = 0; r->texts && i < r->nrows * r->ncols; i++) {
    free(r->texts[i]);
  }
  free(r->names);
  free(r->kinds);
  free(r->nulls);
  free(r->cells);
  free(r->texts);
  free(r);
}

/* Copies a DuckDB result into rows of argo's own. */
static argo_sql_rows *copy_rows(duckdb_result *res) {
  argo_sql_rows *r = calloc(1, sizeof *r);
  if (!r) {
    return NULL;
  }
  r->ncols = (size_t)duckdb_column_count(res);
  r->nrows = (size_t)duckdb_row_count(res);
  size_t ncells = r->nrows * r->ncols;
  if (r->ncols && ncells / r->ncols != r->nrows) {
    free(r);
    return NULL;
  }
  r->names = calloc(r->ncols ? r->ncols : 1, sizeof *r->names);
  r->kinds = calloc(r->ncols ? r->ncols : 1, 1);
  r->nulls = calloc(ncells ? ncells : 1, 1);
  r->cells = calloc(ncells ? ncells : 1, sizeof *r->cells);
  r->texts = calloc(ncells ? ncells : 1, sizeof *r->texts);
  if (!r->names || !r->kinds || !r->nulls || !r->cells || !r->texts) {
    goto fail;
  }
  for (size_t c = 0; c < r->ncols; c++) {
    const char *name = duckdb_column_name(res, (idx_t)c);
    if (!(r->names[c] = argo__strdup(name ? name : ""))) {
      goto fail;
    }
    r->kinds[c] = (unsigned char)kind_of(duckdb_column_type(res, (idx_t)c));
    duckdb_type t = duckdb_column_type(res, (idx_t)c);
    for (size_t row = 0; row < r->nrows; row++) {
      size_t at = row * r->ncols + c;
      cell *x = &r->cells[at];
      if (duckdb_value_is_null(res, (idx_t)c, (idx_t)row)) {
        r->nulls[at] = 1;
        x->d = NAN;
        continue;
      }
      switch ((col_kind)r->kinds[c]) {
      case C_INT:
        x->i = duckdb_value_int64(res, (idx_t)c, (idx_t)row);
        x->d = (double)x->i;
        break;
      case C_NUM:
        x->d = duckdb_value_double(res, (idx_t)c, (idx_t)row);
        x->i = to_i64(x->d);
        break;
      case C_TIME:
        if (t == DUCKDB_TYPE_DATE) {
          x->i = (int64_t)duckdb_value_date(res, (idx_t)c, (idx_t)row).days * 86400000000LL;
        } else {
          x->i = duckdb_value_timestamp(res, (idx_t)c, (idx_t)row).micros;
        }
        x->d = (double)x->i;
        break;
      case C_TEXT: {
        char *v = duckdb_value_varchar(res, (idx_t)c, (idx_t)row);
        if (!v) {
          r->nulls[at] = 1; /* a type DuckDB cannot give as text here: cast it in the SQL */
          x->d = NAN;
          break;
        }
        r->texts[at] = argo__strdup(v);
        duckdb_free(v);
        if (!r->texts[at]) {
          goto fail;
        }
        char *end;
        x->d = strtod(r->texts[at], &end);
        if (end == r->texts[at] || *end) {
          x->d = NAN;
        }
        x->i = to_i64(x->d);
        break;
      }
      }
    }
  }
  return r;

fail:
  argo__ssql_rows_free(r);
  return NULL;
}

/* ---- a query --------------------------------------------------------------------------------- */

/* As argo query does (inspect/query.c): when the SELECT has columns the value functions cannot
 * read, it is prepared again inside a SELECT that converts them by position, TIMESTAMPTZ (every
 * time column of the views) to TIMESTAMP, the UTC instant (the connection's zone is UTC,
 * persist/duck.h), anything else (lists, structs, UUIDs) to DuckDB's text. The names stay. The
 * statement still runs once. NULL when no conversion is needed, or with *failed set when the
 * wrapping cannot be prepared (out of memory, or SQL the wrapping breaks). */
static duckdb_prepared_statement convert(argo__ssql *q, duckdb_prepared_statement ps,
                                         const char *sql, int *failed, char *err, size_t errlen) {
  *failed = 0;
  argo__sb w;
  argo__sb_init(&w);
  if (!argo__duck_wrap(ps, sql, ARGO_DUCK_WRAP_TZ_AS_TIMESTAMP, &w, NULL)) {
    argo__sb_free(&w);
    return NULL;
  }
  duckdb_prepared_statement conv = NULL;
  if (argo__sb_failed(&w)) {
    argo__fmt(err, errlen, "out of memory");
    *failed = 1;
  } else if (duckdb_prepare(q->con, argo__sb_str(&w), &conv) != DuckDBSuccess) {
    char why[512];
    argo__duck_msg(duckdb_prepare_error(conv), why, sizeof why);
    argo__fmt(err, errlen, "its columns of type TIMESTAMPTZ, LIST, STRUCT ... cannot be read: %s",
              why);
    duckdb_destroy_prepare(&conv);
    conv = NULL;
    *failed = 1;
  }
  argo__sb_free(&w);
  return conv;
}

int argo__ssql_query(argo__ssql *q, const char *sql, const char *const *params, size_t nparams,
                     argo_sql_rows **out, char *err, size_t errlen) {
  duckdb_extracted_statements ex = NULL;
  duckdb_prepared_statement ps = NULL;
  duckdb_result res;
  int have_res = 0;
  int rc = ARGO_S_ERROR;
  *out = NULL;
  idx_t n = duckdb_extract_statements(q->con, sql, &ex);
  if (n == 0) {
    const char *e = ex ? duckdb_extract_statements_error(ex) : NULL;
    argo__duck_msg(e && *e ? e : "the SQL holds no statement", err, errlen);
    goto done;
  }
  if (n != 1) {
    argo__fmt(err, errlen, "one SELECT statement per query, not %llu statements",
              (unsigned long long)n);
    rc = ARGO_S_EINVAL;
    goto done;
  }
  if (duckdb_prepare_extracted_statement(q->con, ex, 0, &ps) != DuckDBSuccess) {
    argo__duck_msg(duckdb_prepare_error(ps), err, errlen);
    goto done;
  }
  if (duckdb_prepared_statement_type(ps) != DUCKDB_STATEMENT_TYPE_SELECT) {
    argo__fmt(err, errlen, "only SELECT statements are allowed (the record is read-only)");
    rc = ARGO_S_EINVAL;
    goto done;
  }
  int failed;
  duckdb_prepared_statement conv = convert(q, ps, sql, &failed, err, errlen);
  if (failed) {
    goto done;
  }
  if (conv) {
    duckdb_destroy_prepare(&ps);
    ps = conv;
  }
  if ((size_t)duckdb_nparams(ps) != nparams) {
    argo__fmt(err, errlen, "the statement has %llu parameters, %zu given",
              (unsigned long long)duckdb_nparams(ps), nparams);
    rc = ARGO_S_EINVAL;
    goto done;
  }
  for (size_t i = 0; i < nparams; i++) {
    if (duckdb_bind_varchar(ps, (idx_t)(i + 1), params[i]) != DuckDBSuccess) {
      argo__fmt(err, errlen, "parameter $%zu cannot be bound", i + 1);
      rc = ARGO_S_EINVAL;
      goto done;
    }
  }
  have_res = 1;
  if (duckdb_execute_prepared(ps, &res) != DuckDBSuccess) {
    argo__duck_msg(duckdb_result_error(&res), err, errlen);
    goto done;
  }
  if (!(*out = copy_rows(&res))) {
    argo__fmt(err, errlen, "out of memory for the rows");
    goto done;
  }
  rc = ARGO_S_OK;
done:
  if (have_res) {
    duckdb_destroy_result(&res);
  }
  duckdb_destroy_prepare(&ps);
  duckdb_destroy_extracted(&ex);
  return rc;
}

/* ---- reading the rows ------------------------------------------------------------------------ */

static const cell *at(const argo_sql_rows *r, size_t row, size_t col) {
  if (!r || row >= r->nrows || col >= r->ncols || r->nulls[row * r->ncols + col]) {
    return NULL;
  }
  return &r->cells[row * r->ncols + col];
}

size_t argo__ssql_row_count(const argo_sql_rows *r) {
  return r ? r->nrows : 0;
}

size_t argo__ssql_column_count(const argo_sql_rows *r) {
  return r ? r->ncols : 0;
}

const char *argo__ssql_column_name(const argo_sql_rows *r, size_t col) {
  return r && col < r->ncols ? r->names[col] : NULL;
}

int argo__ssql_is_null(const argo_sql_rows *r, size_t row, size_t col) {
  return at(r, row, col) == NULL;
}

double argo__ssql_double(const argo_sql_rows *r, size_t row, size_t col) {
  const cell *x = at(r, row, col);
  return x ? x->d : NAN;
}

int64_t argo__ssql_int64(const argo_sql_rows *r, size_t row, size_t col) {
  const cell *x = at(r, row, col);
  return x ? x->i : 0;
}

const char *argo__ssql_text(const argo_sql_rows *r, size_t row, size_t col) {
  const cell *x = at(r, row, col);
  if (!x) {
    return NULL;
  }
  size_t i = row * r->ncols + col;
  if (!r->texts[i]) {
    char buf[64];
    switch ((col_kind)r->kinds[col]) {
    case C_INT:
      argo__fmt(buf, sizeof buf, "%lld", (long long)x->i);
      break;
    case C_TIME:
      argo_time_format(x->i, buf, sizeof buf);
      break;
    default:
      /* The shortest of %.15g and %.17g that reads back as the same double. */
      argo__fmt(buf, sizeof buf, "%.15g", x->d);
      if (strtod(buf, NULL) != x->d) {
        argo__fmt(buf, sizeof buf, "%.17g", x->d);
      }
      break;
    }
    /* Made on first use and kept with the rows: the rows are logically unchanged. */
    r->texts[i] = argo__strdup(buf);
  }
  return r->texts[i];
}
