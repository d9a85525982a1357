/*
 * Recording (record.c), part of the engine (engine_private.h): every row of the session goes
 * through here, into the journal first (when there is one) and into the publisher's current
 * segment: candles, orders and their changes, fills, marks, logs, and statistics snapshots
 * (stats.yaml, with their acknowledgement). It owns the ids of marks and logs, reserved in
 * ranges so that sessions running at the same time never share one.
 */
#ifndef ARGO_RECORD_H
#define ARGO_RECORD_H

#include <stddef.h>

#include <argo/argo.h>

#include "persist/rows.h"

/* sym: the symbol's index (0xFFFF for a rejected order of a symbol the session does not
 * trade). */
void argo__record_order(argo_engine *eng, size_t sym, const argo_order *o, const char *client_id);
void argo__record_fill(argo_engine *eng, size_t sym, const argo_fill *f, const argo__fill_extra *x);
/* history: a downloaded candle (prefetch, gap fill, a replayed warm-up row), journaled as such
 * so that recovery stores it without counting or marking it, and flagged in market_data's
 * history column so that a replay of the file gives it to the strategy as warm-up only. */
void argo__record_candle(argo_engine *eng, size_t sym, const argo_candle *c, int history);
/* A strategy's mark and log, at the time of the candle in hand; text that is not valid UTF-8
 * is stored with '?' for the bad bytes. */
void argo__record_mark(argo_engine *eng, const argo_mark *m);
void argo__record_log(argo_engine *eng, int level, const char *message, const char *fields);
/* Takes a statistics snapshot with status ("running", "finished" ...): into the current
 * segment (stats.yaml), as the engine's latest (argo_engine_get_stats), and as a callback once
 * durable. */
void argo__record_stats(argo_engine *eng, const char *status);

#endif
