/*
 * DuckDB, opened and used one way (DuckDB's C API). Every database argo opens is in memory, with
 * DuckDB's extension auto-install and auto-load off (nothing is ever fetched: the machine may be
 * offline, and Parquet and CSV are built in) and as many worker threads as its caller asks (1:
 * each query runs on the thread that asks, so that argo's own threads are the ones that work),
 * and its TimeZone set to UTC, whatever the machine's is.
 * DuckDB's messages come back on one line, with what failed. Depends on DuckDB and util only.
 */
#ifndef ARGO_DUCK_H
#define ARGO_DUCK_H

#include <stddef.h>

#include <duckdb.h>

#include <argo/argo.h>
#include "util/strbuf.h"
#include "util/util.h"

typedef struct argo__duck_opts {
  int threads;          /* worker threads; 0: DuckDB's default (the machine's cores) */
  const char *temp_dir; /* where a sort larger than memory spills; NULL: DuckDB's default */
} argo__duck_opts;

/* Opens an in-memory database (opts NULL: one thread) and, when con is not NULL, a connection.
 * ARGO_EDB / ARGO_ENOMEM with err set; nothing is left open then. */
ARGO_NODISCARD argo_err argo__duck_open(const argo__duck_opts *opts, duckdb_database *db,
                                        duckdb_connection *con, char *err, size_t errlen);
/* Closes what argo__duck_open opened (either may be NULL or already closed). */
void argo__duck_close(duckdb_database *db, duckdb_connection *con);
/* Runs sql and discards its result. ARGO_EDB with DuckDB's message, on one line, in err. */
ARGO_NODISCARD argo_err argo__duck_exec(duckdb_connection con, const char *sql, char *err,
                                        size_t errlen);
/* DuckDB's message of a failed query (NULL: "unknown error") into out, on one line: without the
 * statement it quotes after "LINE n:", white space collapsed. */
void argo__duck_msg(const char *msg, char *out, size_t len);

/* 1 if DuckDB's value functions (duckdb_value_*) read a column of type t, 0 if they read it as
 * NULL (TIMESTAMPTZ, lists, structs, UUIDs ...). */
int argo__duck_readable(duckdb_type t);

/* How argo__duck_wrap converts the columns the value functions cannot read. */
enum {
  ARGO_DUCK_WRAP_TZ_AS_TIMESTAMP = 1, /* TIMESTAMPTZ to TIMESTAMP, the UTC instant (the zone of
                                         every database argo opens is UTC) */
  ARGO_DUCK_WRAP_NESTED_AS_JSON = 2   /* lists, structs, maps, arrays, unions to JSON text */
};
/* When the prepared SELECT ps (of text sql, n columns) has columns the value functions cannot
 * read: writes into w a SELECT over it (`SELECT ... FROM (sql) AS __argo_q`) that converts them
 * by position as flags say, anything else to DuckDB's text, every column keeping its name, and
 * marks in json (n bytes, may be NULL) the columns made JSON text; returns 1. Returns 0 (w
 * untouched) when nothing needs converting. Check argo__sb_failed(w) for memory. */
int argo__duck_wrap(duckdb_prepared_statement ps, const char *sql, int flags, argo__sb *w,
                    unsigned char *json);

#endif
