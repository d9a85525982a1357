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

/* An order a live broker left open (PENDING in the record, with a client order id) in an
 * earlier session of the data output: what the next session asks the exchange about. */
typedef struct argo__prior_order {
  argo_order o; /* its last recorded row; o.symbol points to symbol, o.reason is "" */
  char symbol[32];
  char client_id[64];
  int64_t *trades; /* the exchange's trade ids of its recorded fills */
  size_t ntrades;
  char run[128]; /* "2025-10-01/run_2": the run folder that recorded it last */
} argo__prior_order;

typedef struct argo__prior {
  argo__prior_order *v;
  size_t n;
} argo__prior;

/* Every order of the runs under data_output that some orders.parquet holds as PENDING with a
 * client order id and none holds as final (FILLED, CANCELLED, REJECTED, FAILED), with the trade
 * ids of its fills in any trades.parquet and their quantity in o.filled_qty. Files written before
 * orders had a client_order_id column hold no live orders. A file that cannot be read is
 * reported (report may be NULL) and skipped. ARGO_OK or ARGO_ENOMEM. */
ARGO_NODISCARD argo_err argo__history_live_orders(const char *data_output, argo__prior *out,
                                                  argo__history_report report, void *user);
void argo__prior_free(argo__prior *p);

#endif
