/*
 * Query internals shared with the report module: an in-memory DuckDB database with the views
 * over recorded day folders (see argo_query_open in argo.h), and DuckDB's error text reduced to
 * one line.
 */
#ifndef ARGO_QUERY_H
#define ARGO_QUERY_H

#include <stddef.h>

#include <duckdb.h>

#include <argo/argo.h>
#include "persist/duck.h"
#include "util/util.h"

/* A day folder without a usable stats.yaml whose Parquet files are still read. */
typedef struct argo__query_folder {
  const char *run_dir, *date, *run;
} argo__query_folder;

/* Opens an in-memory database and creates in it the views orders, trades, market_data, marks,
 * logs and the table stats over the given day folders (borrowed for the call), and the views
 * over the files of the nextra folders of extra too (their rows with session_id NULL; they have
 * no stats row). Only files that exist are read; a day folder missing one file still
 * contributes the others. On failure nothing is left open and err says why (ARGO_EDB,
 * ARGO_EINVAL for a path DuckDB would read as a pattern, ARGO_ENOMEM). opts: DuckDB's (NULL:
 * as many worker threads as the machine has cores). */
ARGO_NODISCARD argo_err argo__query_db_open(const argo__duck_opts *opts, duckdb_database *db,
                                            duckdb_connection *con,
                                            const argo_catalog_entry *const *entries, size_t n,
                                            const argo__query_folder *extra, size_t nextra,
                                            char *err, size_t errlen);
void argo__query_db_close(duckdb_database *db, duckdb_connection *con);

/* argo_query_open over every folder of the catalog (run NULL), with DuckDB's options (NULL as
 * argo__query_db_open), for a caller inside argo that runs its own statements on the
 * connection (argo__query_con, borrowed until argo_query_close). */
ARGO_NODISCARD argo_err argo__query_open_opts(argo_query **out, argo_catalog *cat,
                                              const argo__duck_opts *opts);
duckdb_connection argo__query_con(argo_query *q);

#endif
