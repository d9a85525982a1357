/*
 * SQL for a strategy (strategy_sql.c): strategy.h's sql_query. One DuckDB connection over a
 * data output's recorded folders, through the views `argo query` has (inspect/query.c builds
 * them: argo__query_db_open), restricted to reading: one SELECT per call, DuckDB's access to
 * files limited to the data output folder, and its settings locked. The rows of a query are
 * copied out of DuckDB into an argo_sql_rows the caller frees.
 *
 * It owns the connection and the rows it hands out. It depends on the catalog, the query
 * views and persist/duck.h; it knows neither the host nor the engine. One thread at a time.
 */
#ifndef ARGO_STRATEGY_SQL_H
#define ARGO_STRATEGY_SQL_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>
#include <argo/strategy.h>

#include "util/util.h"

typedef struct argo__ssql argo__ssql;

/* Opens a connection over the folders data_output holds now (none yet is not an error: the
 * views are then empty). ARGO_EDB / ARGO_ENOMEM / ARGO_EIO with err set. */
ARGO_NODISCARD argo_err argo__ssql_open(argo__ssql **out, const char *data_output, char *err,
                                        size_t errlen);
void argo__ssql_close(argo__ssql *q);

/* Runs one SELECT with its parameters ($1..$n, bound as text). ARGO_S_OK with *out set (owned
 * by the caller: argo__ssql_rows_free), ARGO_S_EINVAL for anything but a single SELECT,
 * ARGO_S_ERROR with DuckDB's message. */
int argo__ssql_query(argo__ssql *q, const char *sql, const char *const *params, size_t nparams,
                     argo_sql_rows **out, char *err, size_t errlen);

void argo__ssql_rows_free(argo_sql_rows *r);
size_t argo__ssql_row_count(const argo_sql_rows *r);
size_t argo__ssql_column_count(const argo_sql_rows *r);
const char *argo__ssql_column_name(const argo_sql_rows *r, size_t col);
int argo__ssql_is_null(const argo_sql_rows *r, size_t row, size_t col);
double argo__ssql_double(const argo_sql_rows *r, size_t row, size_t col);
int64_t argo__ssql_int64(const argo_sql_rows *r, size_t row, size_t col);
const char *argo__ssql_text(const argo_sql_rows *r, size_t row, size_t col);

#endif
