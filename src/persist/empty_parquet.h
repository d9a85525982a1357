/*
 * The Parquet file of each table with no rows, exactly as DuckDB writes it: the schema alone
 * decides these bytes, so tools/gen_empty_parquet.c makes them at build time (with the DuckDB
 * the build links) into a generated source. A new day's empty files are written from them
 * without DuckDB, so that a session's first files exist before DuckDB has even started.
 * Depends on schema and fsx.
 */
#ifndef ARGO_EMPTY_PARQUET_H
#define ARGO_EMPTY_PARQUET_H

#include <stddef.h>

#include <argo/argo.h>

#include "persist/schema.h"
#include "util/util.h"

/* The bytes of table t's empty file (generated). */
const unsigned char *argo__empty_parquet(argo__table_id t, size_t *len);
/* Writes dir/<file of t> empty: temporary file, fsync, rename over the published file. The
 * folder itself is not fsynced (the caller does it once for several files). ARGO_EIO with the
 * path in err. */
ARGO_NODISCARD argo_err argo__empty_parquet_write(argo__table_id t, const char *dir, char *err,
                                                  size_t errlen);

#endif
