/*
 * Stored history: the most recent candles of some symbols that earlier runs recorded in their
 * market_data.parquet files, for a warm restart (indicators ready at the first live candle,
 * nothing downloaded again). Reads published files only, newest run first; a file that cannot
 * be read is moved aside (".corrupt") and reported, never overwritten.
 */
#ifndef ARGO_HISTORY_H
#define ARGO_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>
#include "util/util.h"

typedef struct argo__stored {
  argo_candle *candles; /* oldest first; symbol points into the caller's symbols array */
  size_t n;
  char resumed_from[128]; /* "2025-10-01/run_1": the newest run that contributed, "" if none */
  char resumed_dir[4200]; /* that run's folder */
} argo__stored;

typedef void (*argo__history_report)(void *user, argo_err code, const char *message);

/* Loads up to per_symbol candles of each symbol with open times before before_us, from the
 * runs under data_output whose interval matches (runs that do not say are accepted). */
ARGO_NODISCARD argo_err argo__history_load(const char *data_output, const char *const *symbols,
                                           size_t nsym, const char *interval, int64_t before_us,
                                           size_t per_symbol, argo__stored *out,
                                           argo__history_report report, void *user, char *err,
                                           size_t errlen);
void argo__stored_free(argo__stored *s);
/* The highest mark and log ids recorded under data_output by earlier sessions (0 when there
 * are none), so that ids keep increasing across a restart. Each run's marks.parquet and
 * logs.parquet is read on its own: one that cannot be read is moved aside (".corrupt") and
 * reported through report (which may be NULL), and the others still count. */
void argo__history_last_ids(const char *data_output, int64_t *mark_id, int64_t *log_id,
                            argo__history_report report, void *user);

#endif
