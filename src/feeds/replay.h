/*
 * Replay feed: candles from a Parquet or CSV file (for example an earlier session's
 * market_data.parquet), read with DuckDB and streamed in chunks. See feeds/replay.c and
 * docs/feeds.md.
 */
#ifndef ARGO_FEED_REPLAY_H
#define ARGO_FEED_REPLAY_H

#include <stddef.h>

#include "feeds/feed.h"
#include "util/util.h"

/* Opens s->replay_file (Parquet, or CSV with a header) and prepares the stream of the candles
 * of s->symbols with open times in [s->start_us if s->has_start, s->end_us if non-zero), in time
 * order, the candles of one time in the order of the file (for a session's market_data.parquet,
 * the order the session received them). Paced at s->speed (0 = as fast as possible). A file
 * that cannot be read (ARGO_EIO), is not Parquet or CSV or is corrupt (ARGO_ECORRUPT), lacks a
 * column or holds no valid candle of the symbols in the range (ARGO_EFEED), or settings without
 * a file or symbols (ARGO_ECONFIG) fail here, with err naming the file. clock_start is the time
 * of the first candle. waker and hooks are borrowed (valid until the feed is closed); hooks may be
 * NULL. Rows with bad values, duplicates and CSV lines that are not rows (a field missing or
 * too many) are reported through hooks->error (ARGO_EFEED) from inside next() and skipped; rows
 * out of time order in the file are replayed in time order and reported once; a summary with
 * the counts ends the replay when anything was skipped or out of order. Without an error hook,
 * next() returns ARGO_FEED_SKIP with the same messages instead. */
ARGO_NODISCARD argo_err argo__feed_replay_open(argo__feed *out, const argo__settings *s,
                                               argo__waker *waker, const argo__feed_hooks *hooks,
                                               char *err, size_t errlen);

/* The distinct non-NULL symbols of a replay file, sorted. *out is owned by the caller: free it
 * with argo__feed_replay_symbols_free. ARGO_EIO / ARGO_EFEED / ARGO_ENOMEM with err set. */
ARGO_NODISCARD argo_err argo__feed_replay_symbols(const char *path, char ***out, size_t *n,
                                                  char *err, size_t errlen);
void argo__feed_replay_symbols_free(char **syms, size_t n);

#endif
