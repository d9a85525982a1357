/*
 * Warm-up (warmup.c), part of the engine (engine_private.h): what a session learns from before
 * its first live candle. A warm restart gives the strategy the newest stored candles of earlier
 * runs (and, with engine.resume_account, resumes their account); prefetch downloads history up
 * to the candle in progress before going live; at a symbol's first live candle, the gap since
 * the newest stored candle is downloaded. Stored and downloaded candles reach the strategy as
 * history: orders refused, nothing recorded but the downloaded candles themselves.
 */
#ifndef ARGO_WARMUP_H
#define ARGO_WARMUP_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "persist/history.h"
#include "persist/stats_yaml.h"
#include "util/util.h"

/* What a warm restart resumes: stored candles, and the account with engine.resume_account. */
typedef struct argo__warm {
  argo__stored st;
  argo__stats_doc acct;
  int have_acct;
} argo__warm;

/* First half, before the session claims its run folder (so that a refused start leaves nothing
 * behind): loads the newest stored candles of the session's symbols before first_live and,
 * with engine.resume_account, the account of the run they come from. An account that cannot
 * be resumed refuses the start (the error is set on eng); other problems are reported. */
ARGO_NODISCARD argo_err argo__warmup_load(argo_engine *eng, int64_t first_live, argo__warm *w);
/* Second half, once the broker exists: the stored candles go through the strategy so that its
 * indicators are ready at the first live candle, and the account is resumed. */
void argo__warmup_start(argo_engine *eng, argo__warm *w);
void argo__warmup_free(argo__warm *w);
/* engine.prefetch: history from the configured start (or the newest stored candle, when later)
 * up to the candle in progress, before going live. */
void argo__warmup_prefetch(argo_engine *eng);
/* At the first live candle of symbol sym (open time t): the gap since its newest stored candle
 * is downloaded first (with prefetch on), and status running reported when it is due. */
void argo__warmup_first_live(argo_engine *eng, size_t sym, int64_t t);
/* A downloaded candle (prefetch, gap fill, a replayed session's history): stored in the run's
 * market data, given to the strategy as history, remembered as its symbol's newest stored
 * candle. Unknown, bad or already stored candles are skipped. Returns 1 when the session is
 * ending (stop requested, or the watchdog ended it), else 0. */
int argo__warmup_history(argo_engine *eng, const argo_candle *c);

#endif
