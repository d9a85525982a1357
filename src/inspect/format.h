/*
 * The output formats of argo_query_run: a DuckDB result as an aligned table, CSV or JSON
 * (see format.c).
 */
#ifndef ARGO_FORMAT_H
#define ARGO_FORMAT_H

#include <duckdb.h>

#include <argo/argo.h>
#include "util/util.h"

/* Writes the rows of r in format through write (user is passed on). raw, when not NULL, flags
 * the columns whose text is already JSON (to_json of a nested value; JSON format only).
 * ARGO_OK or ARGO_ENOMEM; *stopped is 1 when write refused a piece (nothing more was written). */
ARGO_NODISCARD argo_err argo__format_result(duckdb_result *r, argo_query_format format,
                                            const unsigned char *raw, argo_write_fn write,
                                            void *user, int *stopped);

#endif
