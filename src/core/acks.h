/*
 * Callbacks to the caller (acks.c): every callback of argo_callbacks goes through here. It owns
 * the acknowledgement queue: an order, fill or statistics callback waits, in order, until the
 * rows it reports are durable (journal fsynced, or published without a journal), and market
 * data and status callbacks keep their place among them; errors are reported at once. It also
 * owns the guard that keeps the callbacks of two threads apart: the engine thread's and the
 * watchdog thread's, which reports a strategy call that does not return.
 *
 * It depends on the journal and the publisher only to ask how far durability stands; it knows
 * nothing of the engine's state (the engine handle is only passed on to the callbacks).
 * Engine thread, except where a function says otherwise.
 */
#ifndef ARGO_ACKS_H
#define ARGO_ACKS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "persist/journal.h"
#include "persist/publish.h"

typedef struct argo__ev argo__ev;

typedef struct argo__acks {
  argo_engine *eng; /* the handle the callbacks are given */
  argo_callbacks cb;
  void *user;
  /* Where durability stands: the journal when the session has one, else the publisher. */
  argo__pub *pub;
  argo__journal *jr;
  argo__ev *q; /* callbacks waiting for durability (FIFO ring) */
  size_t head, len, cap;
  atomic_int busy; /* the guard: a callback is running */
} argo__acks;

void argo__acks_init(argo__acks *a, argo_engine *eng);
/* Drops whatever still waits (nothing is called). */
void argo__acks_deinit(argo__acks *a);
/* The caller's callbacks (a table of size bytes, copied; NULL for none) and their user. */
void argo__acks_set_callbacks(argo__acks *a, const argo_callbacks *cb, size_t size, void *user);
/* Where durability is read from from now on (borrowed; jr NULL without a journal). */
void argo__acks_set_durability(argo__acks *a, argo__pub *pub, argo__journal *jr);

/* The durability position that rows recorded now will reach, and where durability stands. */
uint64_t argo__acks_seq(const argo__acks *a);
uint64_t argo__acks_durable(const argo__acks *a);
/* Waits until durability reaches need, or the journal or publisher gives up (a failure is
 * theirs to report). */
void argo__acks_wait(argo__acks *a, uint64_t need);

/* Callbacks queued behind what waits. The order callbacks copy o's strings; need is the
 * durability the rows reported need (argo__acks_seq when they were recorded). */
void argo__acks_market(argo__acks *a, const argo_candle *c);
void argo__acks_order(argo__acks *a, const argo_order *o, int is_new, uint64_t need);
void argo__acks_fill(argo__acks *a, const argo_order *o, const argo_fill *f, uint64_t need);
void argo__acks_stats(argo__acks *a, const argo_stats *s, uint64_t need);
void argo__acks_status(argo__acks *a, argo_engine_status status);
/* Reported at once, even while acknowledgements wait for the disk (which may be what the error
 * is about). An error's message is made one line, without a URL's secrets (it may quote what a
 * feed or the user configured); a strategy error's is the engine's own. */
void argo__acks_error(argo__acks *a, argo_err code, const char *message);
void argo__acks_strategy_error(argo__acks *a, const argo_candle *c, const char *message);
/* Calls every queued callback whose rows are durable, oldest first. */
void argo__acks_fire(argo__acks *a);
/* Drops what still waits (rows that could not be made durable are never acknowledged);
 * returns how many callbacks were dropped. */
size_t argo__acks_drop(argo__acks *a);

/* Callbacks called at once, under the guard. wait_us: how long the watchdog thread waits for
 * a callback of the engine thread to end before it calls anyway (a callback that does not
 * return either); -1 on the engine thread (wait as long as it takes). */
void argo__acks_recovered(argo__acks *a, const char *run_dir, const char *message);
void argo__acks_progress(argo__acks *a, const char *symbol, int64_t done, int64_t total);
void argo__acks_started(argo__acks *a, const argo_engine_info *info);
void argo__acks_stopped(argo__acks *a, argo_err code, const char *message, int64_t wait_us);
void argo__acks_error_now(argo__acks *a, argo_err code, const char *message, int64_t wait_us);

#endif
