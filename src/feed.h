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

#include "settings.h"
#include "util/waker.h"

#define ARGO_FEED_CANDLE 1   /* *out holds a candle */
#define ARGO_FEED_END 0      /* no more candles: the session ends normally */
#define ARGO_FEED_SKIP (-1)  /* a problem worth reporting (err), the feed goes on */
#define ARGO_FEED_FATAL (-2) /* the feed cannot go on (err) */

typedef struct argo__feed_ops {
  const char *name;
  /* Next candle. out->symbol must stay valid until the feed is closed. */
  int (*next)(void *impl, argo_candle *out, char *err, size_t errlen);
  /* The session clock at start: wall clock for live feeds, the first candle's time otherwise. */
  int64_t (*clock_start)(void *impl);
  void (*close)(void *impl);
} argo__feed_ops;

typedef struct argo__feed {
  const argo__feed_ops *ops;
  void *impl;
} argo__feed;

/* The simulated feed: seeded random walk per symbol (pattern increasing, decreasing or
 * volatile), bars candles per symbol from start (default 2025-10-01T00:00:00Z) every interval,
 * paced at speed (0 = as fast as possible). waker is borrowed. */
argo_err argo__feed_sim_open(argo__feed *out, const argo__settings *s, argo__waker *waker,
                             char *err, size_t errlen);

#endif
