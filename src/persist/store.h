/*
 * Store: the day's rows of the five tables (docs/design.md sections 4 and 5), held in argo's own
 * column buffers (dayrows.h, one per table), and their export to Parquet: DuckDB encodes them
 * with COPY (SELECT * FROM argo_day_rows(table, first_row)) TO a temporary file, reading the
 * buffers through a table function of its C API, so no row goes through DuckDB's appender or
 * table storage (issue 21: on big days that was most of the publisher's work). The DuckDB tables
 * are still created, empty: their column types (the ENUMs of the fixed-value columns and of
 * market_data.symbol) are the ones the table function declares, so the files are typed as
 * before. Orders keep one row per order holding its latest status: a batch row for an order
 * already in the day's rows replaces that row in place.
 *
 * Owned by one thread at a time (the publisher's). Depends on DuckDB, schema, batch, dayrows,
 * dayfile and fsx.
 */
#ifndef ARGO_STORE_H
#define ARGO_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "persist/batch.h"
#include "persist/schema.h"
#include "util/util.h"

typedef struct argo__store argo__store;

/* Opens an in-memory DuckDB database with the five tables. threads: DuckDB worker threads. */
ARGO_NODISCARD argo_err argo__store_open(argo__store **out, int threads, char *err, size_t errlen);
/* Closes st. A store that works is emptied and kept instead (one per process), and the next
 * argo__store_open of the same process with the same threads takes it: DuckDB's start and the
 * first run of its code cost more than a short session's whole work. */
void argo__store_close(argo__store *st);
/* Closes the database a closed store left for the next one, if any (argo_library_shutdown). */
void argo__store_pool_release(void);
/* 1 while a closed store's database is kept. */
int argo__store_pool_held(void);
/* The session's symbols (before its first rows): market_data.symbol becomes an ENUM of them
 * (a byte per row to load and export instead of a string; read back as the same strings),
 * unless there are more than 255. A row of another symbol is then refused by append. */
ARGO_NODISCARD argo_err argo__store_set_symbols(argo__store *st, const char *const *symbols,
                                                size_t n, char *err, size_t errlen);
/* Loads the rows of b into its table. ARGO_EDB / ARGO_ENOMEM with err set. */
ARGO_NODISCARD argo_err argo__store_append(argo__store *st, const argo__batch *b, char *err,
                                           size_t errlen);
/* Exports table t to dir/<file>: COPY to dir/.<file>.tmp, fsync, rename. The folder itself is
 * not fsynced (the caller does it once for several files). On failure the published file is
 * untouched. ARGO_EIO with the path in err (ARGO_EDB if the rows could not be loaded). */
ARGO_NODISCARD argo_err argo__store_export(argo__store *st, argo__table_id t, const char *dir,
                                           char *err, size_t errlen);
/* Exports from now on extend the day's file (dayfile.h: only the rows since the last export
 * are encoded; the table's file is one of two inodes linked under hidden names, removed at the
 * day's end) instead of encoding the whole table. Off by default (recovery and tools write
 * plain files). */
void argo__store_set_extend(argo__store *st, int on);
/* The day's files are final: removes the extended files' hidden names (their published names
 * stay); the next export of each table starts a new file. */
void argo__store_finish_files(argo__store *st);
/* Why the last export of table t encoded the whole table although extending was on (a segment
 * argo could not use), or "". */
const char *argo__store_note(const argo__store *st, argo__table_id t);
/* The layout of table t's extended file (figures for tests and benchmarks). */
struct argo__dayfile;
const struct argo__dayfile *argo__store_dayfile(const argo__store *st, argo__table_id t);
/* The first row of table t still held in memory: rows below it no publication encodes again
 * (figures for tests and benchmarks). */
int64_t argo__store_first_held(const argo__store *st, argo__table_id t);
/* The connection (0 or 1) that loads and exports table t: the exports of tables of different
 * connections may run at the same time on two threads, while nothing is appended. Everything
 * else (append, reset) runs on one thread while no export runs. */
int argo__store_lane(argo__table_id t);
/* Rows of the Parquet file at path: >= 0, or -1 with err set when it cannot be read. */
int64_t argo__store_file_rows(argo__store *st, const char *path, char *err, size_t errlen);
/* Recovery from a damaged journal: adds to table t the rows of the published file at path that
 * the table lacks, so that what recovery publishes never holds fewer rows than that file did.
 * Orders are matched by order_id (the file's row replaces a PENDING one when the file's is
 * final); the other tables are compared as multisets of whole rows. The rows added are copied
 * into out (a batch of table t, emptied first) for the caller to account for. When rows were
 * added, the table is put in time order (orders by timestamp, trades by executed_at, marks and
 * logs by id, market_data by time; ties keep their order). ARGO_EDB / ARGO_ENOMEM with err. */
ARGO_NODISCARD argo_err argo__store_merge_file(argo__store *st, argo__table_id t, const char *path,
                                               argo__batch *out, char *err, size_t errlen);
/* Empties every table (a new day). */
ARGO_NODISCARD argo_err argo__store_reset(argo__store *st, char *err, size_t errlen);
/* Rows in table t. */
int64_t argo__store_count(argo__store *st, argo__table_id t);

#endif
