/*
 * Day folders (day.c), part of the engine (engine_private.h): a session writes one run folder
 * per UTC day. This owns the list of the session's day folders, the journal's first record of
 * each day, and the day change: the day's final statistics, the next folder, the journal and
 * the publisher moved to it, without running more than DAYS_AHEAD days ahead of durability.
 */
#ifndef ARGO_DAY_H
#define ARGO_DAY_H

#include <stdint.h>

#include <argo/argo.h>
#include "util/util.h"

/* Adds the session's current folder to the list of its day folders. ARGO_ENOMEM. */
ARGO_NODISCARD argo_err argo__day_add_dir(argo_engine *eng);
/* Appends the journal's first record of a day (with the journal off: nothing): everything
 * recovery needs to rebuild the day alone. ARGO_ENOMEM. */
ARGO_NODISCARD argo_err argo__day_journal(argo_engine *eng);
/* Finalizes the current day and opens the day of time t with the same run number. A failure
 * is reported and fails the session; the current day goes on where it is. */
ARGO_NODISCARD argo_err argo__day_change(argo_engine *eng, int64_t t);

#endif
