/*
 * Market-data feeds: where candles come from. A feed yields finalized candles in time order,
 * one symbol at a time; pacing (real time or as fast as possible) is the feed's business, and
 * a feed that waits does so through the engine's waker so that a stop request ends the wait.
 */
#ifndef ARGO_FEED_H
#define ARGO_FEED_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "config/settings.h"
#include "util/waker.h"
#include "util/util.h"

/* next() returns one of the public ARGO_FEED_ codes of argo.h (CANDLE, END, SKIP, FATAL, WAIT)
 * or, from the replay feed only: */
#define ARGO_FEED_HISTORY 2 /* *out holds a candle of history: warm-up only, never traded */

/* How a feed tells the engine what happens to it (all called on the engine thread, from
 * inside next() or history()). Any member may be NULL. */
typedef struct argo__feed_hooks {
  void (*status)(void *user, argo_engine_status status);         /* gap_filling, running */
  void (*error)(void *user, argo_err code, const char *message); /* reported, not fatal */
  void (*progress)(void *user, const char *symbol, int64_t done, int64_t total);
  void *user;
} argo__feed_hooks;

/* Where history() delivers candles. candle returns 0 to go on, non-zero to stop early. */
typedef struct argo__history_sink {
  int (*candle)(void *user, const argo_candle *c);
  void *user;
} argo__history_sink;

typedef struct argo__feed_ops {
  const char *name;
  /* Next candle. out->symbol must stay valid until the feed is closed. */
  int (*next)(void *impl, argo_candle *out, char *err, size_t errlen);
  /* The session clock at start: wall clock for live feeds, the first candle's time otherwise. */
  int64_t (*clock_start)(void *impl);
  void (*close)(void *impl);
  /* Optional (NULL for feeds without history): downloads the finalized candles of symbol with
   * open times in [from_us, to_us), in time order, into sink; reports progress through the
   * hooks. Returns 0, or -1 with err set (what was delivered stays delivered). A stop request
   * (waker) ends it early with 0. */
  int (*history)(void *impl, const char *symbol, int64_t from_us, int64_t to_us,
                 const argo__history_sink *sink, char *err, size_t errlen);
} argo__feed_ops;

typedef struct argo__feed {
  const argo__feed_ops *ops;
  void *impl;
} argo__feed;

/* The simulated feed: seeded random walk per symbol (pattern increasing, decreasing or
 * volatile), bars candles per symbol from start (default 2025-10-01T00:00:00Z) every interval,
 * paced at speed (0 = as fast as possible; pacing starts at the first next()). waker is
 * borrowed, and may be NULL when speed is 0. A bad pattern, bars or speed: ARGO_ECONFIG. */
ARGO_NODISCARD argo_err argo__feed_sim_open(argo__feed *out, const argo__settings *s,
                                            argo__waker *waker, char *err, size_t errlen);

/* The caller's own feed (argo_engine_set_feed, custom.c): f (a full-size table whose next is
 * set) is borrowed until the feed is closed; closing it calls f->close. */
void argo__feed_custom_open(argo__feed *out, const argo_feed *f);

#endif
