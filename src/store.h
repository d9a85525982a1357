/*
 * Store: the day's rows in in-memory DuckDB tables (DESIGN sections 4 and 5), loaded from row
 * batches through DuckDB's appender in whole data chunks, and exported to Parquet with
 * COPY ... TO a temporary file that is then fsynced and renamed over the published file.
 * Orders keep one row per order holding its latest status: a batch row for an order already in
 * the table becomes an UPDATE (through a staging table joined on order_id, so the cost of a
 * load is proportional to the batch, not to the table).
 *
 * Owned by one thread at a time (the publisher's). Depends on DuckDB, schema, batch and fsx.
 */
#ifndef ARGO_STORE_H
#define ARGO_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "batch.h"
#include "schema.h"

typedef struct argo__store argo__store;

/* Opens an in-memory DuckDB database with the five tables. threads: DuckDB worker threads. */
argo_err argo__store_open(argo__store **out, int threads, char *err, size_t errlen);
void argo__store_close(argo__store *st);
/* Loads the rows of b into its table. ARGO_EDB / ARGO_ENOMEM with err set. */
argo_err argo__store_append(argo__store *st, const argo__batch *b, char *err, size_t errlen);
/* Exports table t to dir/<file>: COPY to dir/.<file>.tmp, fsync, rename. The folder itself is
 * not fsynced (the caller does it once for several files). On failure the published file is
 * untouched. ARGO_EIO with the path in err. */
argo_err argo__store_export(argo__store *st, argo__table_id t, const char *dir, char *err,
                            size_t errlen);
/* The two halves of argo__store_export, for exporting several tables at once: flush moves the
 * rows handed to t's appender into the table (on the thread that appends); export_lane then
 * writes the file through connection lane (0, or 1 for a second thread: two exports of
 * different tables may run at the same time, one per lane, while nothing is appended). */
argo_err argo__store_flush(argo__store *st, argo__table_id t, char *err, size_t errlen);
argo_err argo__store_export_lane(argo__store *st, int lane, argo__table_id t, const char *dir,
                                 char *err, size_t errlen);
/* Empties every table (a new day). */
argo_err argo__store_reset(argo__store *st, char *err, size_t errlen);
/* Rows in table t. */
int64_t argo__store_count(argo__store *st, argo__table_id t);
/* Quotes s as an SQL string literal ('...' with quotes doubled) into out. -1 if too long. */
int argo__sql_quote(const char *s, char *out, size_t len);

#endif
