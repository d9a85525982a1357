/*
 * The feed registry: every feed a session can name in market_data.feed, found by its name. One
 * list (ARGO__FEEDS) gives both the table the engine opens feeds from and the configuration's
 * choices, so a new feed is one line here plus its open function in registry.c. Depends on the
 * feeds it lists; nothing here knows the engine.
 */
#ifndef ARGO_FEED_REGISTRY_H
#define ARGO_FEED_REGISTRY_H

#include <stddef.h>

#include <argo/argo.h>

#include "config/settings.h"
#include "feeds/feed.h"
#include "util/util.h"
#include "util/waker.h"

/* The feeds, one line each: X(name, open function, symbols function or NULL), SEP between two
 * lines. The functions are registry.c's. */
#define ARGO__FEEDS(X, SEP)                                                                        \
  X(sim, open_sim, NULL)                                                                           \
  SEP X(replay, open_replay, replay_symbols)                                                       \
  SEP X(binance, open_binance, NULL)

/* "sim|replay|binance": market_data.feed's choices (config.c). */
#define ARGO__FEED_NAMES ARGO__FEEDS(ARGO__REGISTRY_NAME, ARGO__REGISTRY_BAR)

typedef struct argo__feed_entry {
  const char *name;
  /* Opens the feed on the session's settings. waker and hooks are borrowed until it is closed;
   * hooks may be NULL. */
  argo_err (*open)(argo__feed *out, const argo__settings *s, argo__waker *waker,
                   const argo__feed_hooks *hooks, char *err, size_t errlen);
  /* Optional: the symbols the feed can give, for a session that names none. *out is left
   * NULL when the feed cannot tell (a replay without a file); otherwise it holds *n symbols,
   * perhaps none, owned by the caller (each string and the array are freed with free).
   * ARGO_OK, or an error with err set. */
  argo_err (*symbols)(const argo__settings *s, char ***out, size_t *n, char *err, size_t errlen);
} argo__feed_entry;

/* The feed called name, or NULL with err set ("market_data.feed '...' is not a feed (sim,
 * replay, binance)"). */
const argo__feed_entry *argo__feed_find(const char *name, char *err, size_t errlen);

#endif
