/*
 * The engine's state: private to the engine. Only the engine's own files include this header:
 * engine.c (the public object, its lifecycle and the run loop), setup.c (a session's start),
 * candle.c (the per-candle path), day.c (day folders), record.c (rows and statistics
 * snapshots), warmup.c (warm restart, prefetch, gap fill) and giveup.c (a strategy that does
 * not return). The host API, the strategy loader and every other module reach the engine only
 * through the interfaces it gives them (host.h, the broker's sink, the feed's hooks, the
 * watchdog's callbacks). The fields are grouped by the file that sets them up and mostly
 * uses them.
 */
#ifndef ARGO_ENGINE_PRIVATE_H
#define ARGO_ENGINE_PRIVATE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>
#include <argo/strategy.h>

#include "brokers/broker.h"
#include "config/settings.h"
#include "core/acks.h"
#include "core/engine.h"
#include "core/host.h"
#include "core/stats.h"
#include "core/strategy_loader.h"
#include "core/watchdog.h"
#include "feeds/feed.h"
#include "persist/journal.h"
#include "persist/publish.h"
#include "persist/session.h"
#include "persist/stats_yaml.h"
#include "util/misc.h"
#include "util/util.h"
#include "util/waker.h"

#define DAYS_AHEAD 2

/* An order change or fill to tell the strategy about once its current call has returned. */
typedef struct argo__note {
  argo_order o;
  argo_fill f;
  int has_fill;
  char reason[160];
} argo__note;

struct argo_engine {
  /* engine.c: the object and its lifecycle */
  argo__settings cfg;
  int inited, ran, running;
  char errmsg[ARGO_ERRMSG_MAX];
  argo__waker waker;
  argo__acks acks;     /* every callback to the caller */
  argo_feed user_feed; /* the caller's own feed (argo_engine_set_feed) */
  int has_user_feed;
  argo_broker user_broker; /* the caller's own broker (argo_engine_set_broker) */
  int has_user_broker;
  argo__latency *lat; /* per-candle processing time, when a benchmark asks (else NULL) */
  int fatal;          /* the session must stop */
  argo_err fatal_code;
  char fatal_msg[ARGO_ERRMSG_MAX];
  int feed_ended;                    /* the feed said ARGO_FEED_END */
  _Atomic(const char *) stop_why;    /* argo_engine_stop_because's reason (borrowed) */
  char stop_reason[ARGO_ERRMSG_MAX]; /* how the session ended (stats.yaml), once it did */

  /* setup.c: the strategy and what the session runs on */
  char *strategy_spec;         /* builtin name or plugin path */
  char *strategy_config;       /* JSON text */
  const argo_strategy *sdef;   /* &stable once resolved, NULL before */
  argo_strategy stable;        /* the strategy's table, copied (members it lacks are NULL) */
  argo_strategy user_strategy; /* the caller's own (argo_engine_set_strategy), checked */
  int has_user_strategy;
  argo__strategy_lib *slib; /* the plugin or script loaded, NULL for builtins */
  void *sobj;               /* the strategy instance */
  argo__host *host;         /* what the strategy calls */
  argo__feed feed;
  int feed_open;
  argo__feed_hooks hooks;
  argo__broker *broker;
  atomic_int broker_wake; /* the broker asked for a poll (its sink's wake) */
  /* Until the first poll after the session started: the broker reports what the exchange did
   * while no session ran, and its sink's happened_at moves the day (docs/brokers.md). */
  int catching_up;
  argo__stats *stats;
  argo__pub *pub;
  argo__journal *jr; /* NULL when engine.journal is off */
  char **symbols;    /* the settings' */
  size_t nsym;
  argo__map symidx; /* symbol -> index + 1 */

  /* day.c: the session's folders */
  argo__session sess;
  int day_lock; /* the current day folder's lock (argo__session_lock), or -1 */
  /* Durability positions (argo__acks_seq) of the last day changes, oldest first: a new day
   * folder is created only once the one DAYS_AHEAD changes back is durable (journal fsynced,
   * or published without a journal), so a crash leaves at most that many folders whose rows
   * are not yet on disk. */
  uint64_t day_marks[DAYS_AHEAD];
  size_t nday_marks;
  char **day_dirs; /* every day folder of the session, for stable pointers in stats events */
  size_t ndays, days_cap;

  /* candle.c: the candle in hand, the window of recent candles, notes to the strategy */
  argo_candle *win; /* per symbol, a ring of candle_window candles */
  size_t win_cap;
  size_t *win_head, *win_len;
  uint64_t *win_seq; /* per symbol: candles ever put in its window (the indicators' clock) */
  argo_candle cur;
  size_t cur_sym;
  int have_cur;
  int traded; /* a fill happened during this candle */
  int64_t candles_day, candles_total;
  int64_t last_event;
  argo__note *notes;
  size_t nnotes, notes_cap;
  int in_call; /* a strategy call is under way (argo__engine_enter .. argo__engine_left) */

  /* record.c: ids of marks and logs, statistics snapshots */
  int64_t mark_id, log_id;
  /* The ids reserved for this session (argo__session_reserve_ids): [0] marks, [1] logs; the
   * last id of the range in hand, and the size of the next range. */
  int64_t ids_end[2], ids_block[2];
  int ids_failed;        /* a reservation failed (reported once); ids go on counting locally */
  argo__stats_pos *spos; /* scratch: the account's positions for stats.yaml */
  argo_position *bpos;   /* scratch: the broker's positions */
  /* The symbols whose spos entry is out of date (a fill since the last snapshot), listed once
   * each; pos_all: every entry is (the first snapshot, a seed, a broker whose positions do
   * not follow its fills). npos: the positions of the last full read. */
  unsigned char *pos_dirty;
  size_t *pos_dlist, npos_dirty, npos;
  int pos_all;
  argo_stats last_stats;
  int have_stats;

  /* warmup.c */
  char resumed_from[128]; /* "2025-10-01/run_1" when warm-started from an earlier run */
  int warming;            /* feeding stored candles to the strategy: no orders, no records */
  int64_t *last_stored;   /* per symbol: open time of the newest stored or prefetched candle */
  int *seen_live;         /* per symbol: a live candle has arrived */
  int await_running;      /* prefetch on: "running" is reported at the first live candle */

  /* giveup.c: a strategy that does not return (watchdog.h): the calls the watchdog sees, the
   * watchdog, and whether it ended the session without the engine thread. */
  argo__watch watch;
  argo__watchdog *wd;
  atomic_int abandoned;
};

/* engine.c */
/* Sets the handle's message (a URL's secrets masked) and returns code. */
ARGO_NODISCARD argo_err argo__engine_error(argo_engine *eng, argo_err code, const char *fmt, ...)
    ARGO_PRINTF(3, 4);
/* The session must stop: the first reason is kept (it becomes the day's stop_reason). */
void argo__engine_fail(argo_engine *eng, argo_err code, const char *msg);
/* Reports an error that does not end the session (the feed's and history's report hook). */
void argo__engine_report(void *eng, argo_err code, const char *message);
/* Reports what the publisher and the journal writer found; an error that ends the session
 * fails it. */
void argo__engine_poll(argo_engine *eng);

/* Every call into the strategy is watched. argo__engine_left returns 1 when the watchdog ended
 * the session meanwhile: the engine thread then touches nothing more. */
static inline void argo__engine_enter(argo_engine *eng, const char *what) {
  eng->in_call++;
  argo__watch_enter(&eng->watch, what);
}

static inline int argo__engine_left(argo_engine *eng) {
  eng->in_call--;
  argo__watch_leave(&eng->watch);
  return atomic_load_explicit(&eng->abandoned, memory_order_acquire);
}

#endif
