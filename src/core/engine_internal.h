/*
 * The engine's state, shared by engine.c (lifecycle, candle loop, recording, callbacks) and
 * host.c (the host API given to strategies). Nothing outside these two files includes it.
 */
#ifndef ARGO_ENGINE_INTERNAL_H
#define ARGO_ENGINE_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <argo/argo.h>

#include "brokers/broker.h"
#include "feeds/feed.h"
#include "persist/journal.h"
#include "persist/publish.h"
#include "persist/session.h"
#include "config/settings.h"
#include "persist/stats_yaml.h"
#include "core/stats.h"
#include "util/misc.h"
#include "util/strbuf.h"
#include "util/util.h"
#include "util/waker.h"
#include "core/watchdog.h"

/* Samples of per-candle processing time, in nanoseconds. */
typedef struct argo__latency {
  int64_t *plain, *traded;
  size_t nplain, ntraded, cap;
} argo__latency;

#define DAYS_AHEAD 2

/* One callback waiting for the rows it reports to be durable (need <= argo__pub_durable). */
typedef enum ev_type {
  EV_MARKET,
  EV_ORDER_PLACED,
  EV_ORDER_UPDATED,
  EV_ORDER_FILLED,
  EV_STATS,
  EV_ERROR,
  EV_STRATEGY_ERROR,
  EV_STATUS
} ev_type;

typedef struct argo__ev {
  ev_type type;
  uint64_t need;
  union {
    argo_candle candle;
    struct {
      argo_order o;
      argo_fill f;
      char reason[160];
      char symbol[ARGO_SYMBOL_MAX]; /* a rejected order's symbol may be unknown to the session */
    } ord;
    argo_stats stats;
    struct {
      argo_err code;
      char *msg; /* malloc'ed */
      argo_candle candle;
    } err;
    argo_engine_status status;
  } u;
} argo__ev;

/* An order change or fill to tell the strategy about once its current call has returned. */
typedef struct argo__note {
  argo_order o;
  argo_fill f;
  int has_fill;
  char reason[160];
} argo__note;

/* A log recorded before the session's folder exists (from the strategy's initialize). */
typedef struct argo__early_log {
  int level;
  char *message;
  char *fields;
} argo__early_log;

struct argo_strategy_ctx {
  argo_engine *eng;
  char last_error[ARGO_ERRMSG_MAX];
  char strategy_error[ARGO_ERRMSG_MAX];
  json_t *config;
  argo__map cache;
};

struct argo_engine {
  argo__settings cfg;
  int inited, ran, running;
  argo_callbacks cb;
  void *user;
  char errmsg[ARGO_ERRMSG_MAX];
  argo__waker waker;

  /* strategy */
  char *strategy_spec;       /* builtin name or plugin path */
  char *strategy_config;     /* JSON text */
  const argo_strategy *sdef; /* &stable once resolved, NULL before */
  argo_strategy stable;      /* the strategy's table, copied (members it lacks are NULL) */
  void *sdl;                 /* dlopen handle, NULL for builtins */
  void *sobj;                /* the strategy instance */
  struct argo_strategy_ctx sctx;
  argo_host_api host;
  int in_strategy; /* inside a strategy call: notes are queued, not delivered */
  argo__note *notes;
  size_t nnotes, notes_cap;
  argo__early_log *early;
  size_t nearly, early_cap;

  /* session */
  argo__session sess;
  argo__feed feed;
  int feed_open;
  argo_feed user_feed; /* the caller's own feed (argo_engine_set_feed) */
  int has_user_feed;
  argo__broker *broker;
  argo__stats *stats;
  argo__pub *pub;
  argo__journal *jr;      /* NULL when engine.journal is off */
  int day_lock;           /* the current day folder's lock (argo__session_lock), or -1 */
  char resumed_from[128]; /* "2025-10-01/run_1" when warm-started from an earlier run */
  argo__stats_pos *spos;  /* scratch: the account's positions for stats.yaml */
  argo_position *bpos;    /* scratch: the broker's positions */
  int warming;            /* feeding stored candles to the strategy: no orders, no records */
  int64_t *last_stored;   /* per symbol: open time of the newest stored or prefetched candle */
  int *seen_live;         /* per symbol: a live candle has arrived */
  int await_running;      /* prefetch on: "running" is reported at the first live candle */
  argo__feed_hooks hooks;
  argo__latency *lat;    /* per-candle processing time, when a benchmark asks (else NULL) */
  char **replay_symbols; /* symbols read from the replay file (owned) */
  size_t nreplay_symbols;
  int64_t day_first_mark, day_first_log; /* ids before the current day (for the journal) */
  int64_t day_first_candles;
  int64_t day_first_event;
  /* Durability positions (cur_seq) of the last day changes, oldest first: a new day folder is
   * created only once the one DAYS_AHEAD changes back is durable (journal fsynced, or
   * published without a journal), so a crash leaves at most that many folders whose rows are
   * not yet on disk. */
  uint64_t day_marks[DAYS_AHEAD];
  size_t nday_marks;
  char **day_dirs; /* every day folder of the session, for stable pointers in stats events */
  size_t ndays, days_cap;

  /* symbols */
  char **symbols;
  size_t nsym;
  argo__map symidx; /* symbol -> index + 1 */

  /* per-symbol window of recent candles (ring buffers of candle_window) */
  argo_candle *win;
  size_t win_cap;
  size_t *win_head, *win_len;

  /* the candle being processed */
  argo_candle cur;
  size_t cur_sym;
  int have_cur;
  int64_t mark_id, log_id;
  /* The ids reserved for this session (argo__session_reserve_ids): [0] marks, [1] logs; the
   * last id of the range in hand, and the size of the next range. */
  int64_t ids_end[2], ids_block[2];
  int ids_failed; /* a reservation failed (reported once); ids go on counting locally */
  int64_t candles_day, candles_total;
  int64_t last_event;
  int traded; /* a fill happened during this candle */
  argo_stats last_stats;
  int have_stats;

  /* acknowledgements waiting for durability (FIFO ring) */
  argo__ev *evq;
  size_t ev_head, ev_len, ev_cap;
  int fatal; /* the session must stop */
  argo_err fatal_code;
  char fatal_msg[ARGO_ERRMSG_MAX];
  int feed_ended;                 /* the feed said ARGO_FEED_END */
  _Atomic(const char *) stop_why; /* argo_engine_stop_because's reason (borrowed) */
  /* A strategy that does not return (watchdog.h): the calls the watchdog sees, the watchdog,
   * whether it ended the session without the engine thread, and the guard that keeps two
   * threads' callbacks apart. */
  argo__watch watch;
  argo__watchdog *wd;
  atomic_int abandoned;
  atomic_int cb_busy;
  /* How the session ended (stats.yaml stop_reason), once it did; "" before. */
  char stop_reason[ARGO_ERRMSG_MAX];
  argo__sb scratch;
};

/* engine.c, for benchmarks: records the time each candle takes through the loop (from the
 * feed's return to the end of its callbacks), split by whether the candle traded. */
void argo__engine_measure(argo_engine *eng, argo__latency *lat);

/* host.c */
void argo__host_init(argo_engine *eng);
void argo__host_deinit(argo_engine *eng);

/* engine.c, for host.c */
void argo__engine_record_mark(argo_engine *eng, const argo_mark *m);
void argo__engine_record_log(argo_engine *eng, int level, const char *message, const char *fields);
long argo__engine_symbol(const argo_engine *eng, const char *symbol);
size_t argo__engine_recent(const argo_engine *eng, size_t sym, argo_candle *out, size_t n);

/* strategy_loader.c */
/* Finds a builtin by name or loads a plugin, checks its ABI and copies its table into *def
 * (zeroed past the plugin's struct_size). *dl is the dlopen handle (NULL for a builtin). */
argo_err argo__strategy_resolve(const char *spec, argo_strategy *def, void **dl, char *err,
                                size_t errlen);
void argo__strategy_unload(void *dl);

#endif
