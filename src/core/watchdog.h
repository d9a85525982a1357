/*
 * Watchdog: a thread that watches the engine thread's calls into the strategy, so that a
 * strategy that does not return cannot make a session unkillable or silent. The engine thread
 * marks each call's start and end in an argo__watch (two plain atomic stores: no lock, no
 * system call); the watchdog samples it a few times a second and
 *   - reports a call that has run longer than warn_us (once per call), while it runs;
 *   - gives up on a call still running grace_us after a stop was requested: give_up then ends
 *     the session without the engine thread (the engine's business), and the watchdog stops.
 * Depends on nothing but the clock; it knows neither the engine nor the strategy.
 */
#ifndef ARGO_WATCHDOG_H
#define ARGO_WATCHDOG_H

#include <stdatomic.h>
#include <stdint.h>

#include <argo/argo.h>
#include "util/util.h"

/* Written by the watched thread only. */
typedef struct argo__watch {
  atomic_ullong seq;          /* odd while inside a watched call */
  _Atomic(const char *) what; /* the call's name ("on_candle"), a string that lives forever */
  uint64_t local;             /* the watched thread's own copy of seq */
} argo__watch;

static inline void argo__watch_enter(argo__watch *w, const char *what) {
  atomic_store_explicit(&w->what, what, memory_order_relaxed);
  atomic_store_explicit(&w->seq, ++w->local, memory_order_release);
}

static inline void argo__watch_leave(argo__watch *w) {
  atomic_store_explicit(&w->seq, ++w->local, memory_order_release);
}

typedef struct argo__watchdog_cfg {
  int64_t warn_us;  /* a call running longer is reported through slow (0: never) */
  int64_t grace_us; /* how long a call may go on once a stop is requested */
  int (*stop_requested)(void *user);
  /* Called on the watchdog thread; what is the call's name, running_us how long it has run. */
  void (*slow)(void *user, const char *what, int64_t running_us);
  void (*give_up)(void *user, const char *what, int64_t running_us); /* once, then it stops */
  void *user;
} argo__watchdog_cfg;

typedef struct argo__watchdog argo__watchdog;

/* Starts watching w (borrowed until argo__watchdog_stop). ARGO_ENOMEM when no thread. */
ARGO_NODISCARD argo_err argo__watchdog_start(argo__watchdog **out, argo__watch *w,
                                             const argo__watchdog_cfg *cfg);
/* Stops the thread (waiting for a give_up in progress to end) and frees it. NULL is fine. */
void argo__watchdog_stop(argo__watchdog *wd);
/* 1 once give_up has been called (any thread). */
int argo__watchdog_gave_up(const argo__watchdog *wd);

#endif
