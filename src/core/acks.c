/*
 * Callbacks to the caller; see acks.h. The queue is a ring of events, each with the durability
 * position it waits for; an event is called when nothing waits ahead of it and its position is
 * durable. Errors are never queued.
 */
#include "core/acks.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "util/mask.h"
#include "util/timeu.h"
#include "util/util.h"

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

/* One callback waiting for the rows it reports to be durable (need <= durable). */
struct argo__ev {
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
};

void argo__acks_init(argo__acks *a, argo_engine *eng) {
  memset(a, 0, sizeof *a);
  a->eng = eng;
  atomic_init(&a->busy, 0);
}

static void free_event(argo__ev *e) {
  if (e->type == EV_ERROR || e->type == EV_STRATEGY_ERROR) {
    free(e->u.err.msg);
    e->u.err.msg = NULL;
  }
}

size_t argo__acks_drop(argo__acks *a) {
  size_t n = a->len;
  for (size_t i = 0; i < a->len; i++) {
    free_event(&a->q[(a->head + i) % a->cap]);
  }
  free(a->q);
  a->q = NULL;
  a->len = a->cap = a->head = 0;
  return n;
}

void argo__acks_deinit(argo__acks *a) {
  argo__acks_drop(a);
}

void argo__acks_set_callbacks(argo__acks *a, const argo_callbacks *cb, size_t size, void *user) {
  memset(&a->cb, 0, sizeof a->cb);
  if (cb) {
    memcpy(&a->cb, cb, size < sizeof a->cb ? size : sizeof a->cb);
  }
  a->user = user;
}

void argo__acks_set_durability(argo__acks *a, argo__pub *pub, argo__journal *jr) {
  a->pub = pub;
  a->jr = jr;
}

/* ---- the guard -------------------------------------------------------------------------- */

/* Callbacks come from the engine thread and, for a strategy call that does not return, from the
 * watchdog thread: never at the same time. The engine thread waits for the guard; the watchdog
 * gives up waiting after wait_us (a callback that does not return either) and calls anyway. */
static int enter(argo__acks *a, int64_t wait_us) {
  int64_t until = wait_us >= 0 ? argo__mono_us() + wait_us : 0;
  for (;;) {
    int free_ = 0;
    if (atomic_compare_exchange_weak_explicit(&a->busy, &free_, 1, memory_order_acquire,
                                              memory_order_relaxed)) {
      return 1;
    }
    if (wait_us >= 0 && argo__mono_us() >= until) {
      return 0;
    }
    sched_yield();
  }
}

static void leave(argo__acks *a, int entered) {
  if (entered) {
    atomic_store_explicit(&a->busy, 0, memory_order_release);
  }
}

/* ---- durability ------------------------------------------------------------------------- */

uint64_t argo__acks_seq(const argo__acks *a) {
  if (a->jr) {
    return argo__journal_lsn(a->jr);
  }
  return a->pub ? argo__pub_seq(a->pub) : 0;
}

uint64_t argo__acks_durable(const argo__acks *a) {
  if (a->jr) {
    return argo__journal_durable(a->jr);
  }
  return a->pub ? argo__pub_durable(a->pub) : UINT64_MAX;
}

void argo__acks_wait(argo__acks *a, uint64_t need) {
  if (argo__acks_durable(a) >= need) {
    return;
  }
  char err[ARGO_ERRMSG_MAX];
  argo_err rc = a->jr ? argo__journal_wait(a->jr, need, err, sizeof err)
                      : argo__pub_wait(a->pub, need, err, sizeof err);
  (void)rc; /* a failure is the writer's or publisher's to report (their error queues) */
}

static void want_poke(argo__acks *a, int on) {
  if (a->jr) {
    argo__journal_want_poke(a->jr, on);
  } else if (a->pub) {
    argo__pub_want_poke(a->pub, on);
  }
}

/* ---- the queue -------------------------------------------------------------------------- */

static int wants(const argo__acks *a, ev_type t) {
  const argo_callbacks *cb = &a->cb;
  switch (t) {
  case EV_MARKET:
    return cb->on_market_data != NULL;
  case EV_ORDER_PLACED:
    return cb->on_order_placed != NULL;
  case EV_ORDER_UPDATED:
    return cb->on_order_updated != NULL;
  case EV_ORDER_FILLED:
    return cb->on_order_filled != NULL;
  case EV_STATS:
    return cb->on_stats_update != NULL;
  case EV_ERROR:
    return cb->on_error != NULL;
  case EV_STRATEGY_ERROR:
    return cb->on_strategy_error != NULL;
  case EV_STATUS:
    return cb->on_status_update != NULL;
  }
  return 0;
}

static void dispatch(argo__acks *a, argo__ev *e) {
  const argo_callbacks *cb = &a->cb;
  argo_engine *eng = a->eng;
  enter(a, -1);
  switch (e->type) {
  case EV_MARKET:
    cb->on_market_data(eng, &e->u.candle, a->user);
    break;
  case EV_ORDER_PLACED:
    e->u.ord.o.reason = e->u.ord.reason;
    e->u.ord.o.symbol = e->u.ord.symbol;
    cb->on_order_placed(eng, &e->u.ord.o, a->user);
    break;
  case EV_ORDER_UPDATED:
    e->u.ord.o.reason = e->u.ord.reason;
    e->u.ord.o.symbol = e->u.ord.symbol;
    cb->on_order_updated(eng, &e->u.ord.o, a->user);
    break;
  case EV_ORDER_FILLED:
    e->u.ord.o.reason = e->u.ord.reason;
    e->u.ord.o.symbol = e->u.ord.symbol;
    e->u.ord.f.symbol = e->u.ord.symbol;
    cb->on_order_filled(eng, &e->u.ord.o, &e->u.ord.f, a->user);
    break;
  case EV_STATS:
    cb->on_stats_update(eng, &e->u.stats, a->user);
    break;
  case EV_ERROR:
    cb->on_error(eng, e->u.err.code, e->u.err.msg, a->user);
    break;
  case EV_STRATEGY_ERROR:
    cb->on_strategy_error(eng, &e->u.err.candle, e->u.err.msg, a->user);
    break;
  case EV_STATUS:
    cb->on_status_update(eng, e->u.status, a->user);
    break;
  }
  leave(a, 1);
  free_event(e);
}

void argo__acks_fire(argo__acks *a) {
  if (a->len == 0) {
    return;
  }
  uint64_t durable = argo__acks_durable(a);
  while (a->len) {
    argo__ev *e = &a->q[a->head];
    if (e->need > durable) {
      break;
    }
    argo__ev copy = *e;
    a->head = (a->head + 1) % a->cap;
    a->len--;
    dispatch(a, &copy);
  }
  want_poke(a, a->len != 0);
}

/* Queues e, or calls it at once when nothing waits ahead of it and it is durable (errors:
 * always at once). e is the caller's wanted event; its message is taken. */
static void emit(argo__acks *a, argo__ev *e) {
  if ((a->len == 0 && e->need <= argo__acks_durable(a)) || e->type == EV_ERROR ||
      e->type == EV_STRATEGY_ERROR) {
    dispatch(a, e);
    return;
  }
  if (a->len == a->cap) {
    size_t ncap = a->cap ? a->cap * 2 : 256;
    argo__ev *n = malloc(ncap * sizeof *n);
    if (!n) {
      /* Out of memory for the queue: wait until everything recorded is durable, then deliver
       * what is queued and this one, in order (never an acknowledgement before the disk). */
      char err[ARGO_ERRMSG_MAX];
      argo_err rc = a->jr    ? argo__journal_sync(a->jr, err, sizeof err)
                    : a->pub ? argo__pub_sync(a->pub, err, sizeof err)
                             : ARGO_OK;
      /* A failed sync leaves the rows not durable (the writer reports why): the callbacks then
       * stay back below, as they must. */
      (void)rc;
      argo__acks_fire(a);
      if (a->len == 0 && e->need <= argo__acks_durable(a)) {
        dispatch(a, e);
      }
      return;
    }
    for (size_t i = 0; i < a->len; i++) {
      n[i] = a->q[(a->head + i) % a->cap];
    }
    free(a->q);
    a->q = n;
    a->cap = ncap;
    a->head = 0;
  }
  a->q[(a->head + a->len) % a->cap] = *e;
  a->len++;
  want_poke(a, 1);
}

void argo__acks_market(argo__acks *a, const argo_candle *c) {
  if (!wants(a, EV_MARKET)) {
    return;
  }
  argo__ev e = {.type = EV_MARKET, .need = 0};
  e.u.candle = *c;
  emit(a, &e);
}

static void order_event(argo__ev *e, const argo_order *o) {
  e->u.ord.o = *o;
  argo__strlcpy(e->u.ord.reason, o->reason ? o->reason : "", sizeof e->u.ord.reason);
  argo__strlcpy(e->u.ord.symbol, o->symbol ? o->symbol : "", sizeof e->u.ord.symbol);
  e->u.ord.o.reason = NULL;
}

void argo__acks_order(argo__acks *a, const argo_order *o, int is_new, uint64_t need) {
  ev_type t = is_new ? EV_ORDER_PLACED : EV_ORDER_UPDATED;
  if (!wants(a, t)) {
    return;
  }
  argo__ev e = {.type = t, .need = need};
  order_event(&e, o);
  emit(a, &e);
}

void argo__acks_fill(argo__acks *a, const argo_order *o, const argo_fill *f, uint64_t need) {
  if (!wants(a, EV_ORDER_FILLED)) {
    return;
  }
  argo__ev e = {.type = EV_ORDER_FILLED, .need = need};
  order_event(&e, o);
  e.u.ord.f = *f;
  emit(a, &e);
}

void argo__acks_stats(argo__acks *a, const argo_stats *s, uint64_t need) {
  if (!wants(a, EV_STATS)) {
    return;
  }
  argo__ev e = {.type = EV_STATS, .need = need};
  e.u.stats = *s;
  emit(a, &e);
}

void argo__acks_status(argo__acks *a, argo_engine_status status) {
  if (!wants(a, EV_STATUS)) {
    return;
  }
  argo__ev e = {.type = EV_STATUS, .need = 0};
  e.u.status = status;
  emit(a, &e);
}

void argo__acks_error(argo__acks *a, argo_err code, const char *message) {
  if (!wants(a, EV_ERROR)) {
    return;
  }
  argo__ev e = {.type = EV_ERROR, .need = 0};
  e.u.err.code = code;
  /* A message may quote a URL the user configured: its secrets never reach a callback. */
  char masked[ARGO_ERRMSG_MAX * 2];
  e.u.err.msg = argo__strdup(argo__mask_urls(message, masked, sizeof masked));
  if (!e.u.err.msg) {
    return;
  }
  argo__one_line(e.u.err.msg); /* feeds quote what exchanges and files say */
  emit(a, &e);
}

void argo__acks_strategy_error(argo__acks *a, const argo_candle *c, const char *message) {
  if (!wants(a, EV_STRATEGY_ERROR)) {
    return;
  }
  argo__ev e = {.type = EV_STRATEGY_ERROR, .need = 0};
  e.u.err.code = ARGO_ESTRATEGY;
  e.u.err.msg = argo__strdup(message);
  e.u.err.candle = *c;
  if (e.u.err.msg) {
    emit(a, &e);
  }
}

/* ---- callbacks called at once ----------------------------------------------------------- */

void argo__acks_recovered(argo__acks *a, const char *run_dir, const char *message) {
  if (a->cb.on_recovered) {
    int in = enter(a, -1);
    a->cb.on_recovered(a->eng, run_dir, message, a->user);
    leave(a, in);
  }
}

void argo__acks_progress(argo__acks *a, const char *symbol, int64_t done, int64_t total) {
  if (a->cb.on_prefetch_progress) {
    int in = enter(a, -1);
    a->cb.on_prefetch_progress(a->eng, symbol, done, total, a->user);
    leave(a, in);
  }
}

void argo__acks_started(argo__acks *a, const argo_engine_info *info) {
  if (a->cb.on_engine_start) {
    int in = enter(a, -1);
    a->cb.on_engine_start(a->eng, info, a->user);
    leave(a, in);
  }
}

void argo__acks_stopped(argo__acks *a, argo_err code, const char *message, int64_t wait_us) {
  if (a->cb.on_engine_stop) {
    int in = enter(a, wait_us);
    a->cb.on_engine_stop(a->eng, code, message, a->user);
    leave(a, in);
  }
}

void argo__acks_error_now(argo__acks *a, argo_err code, const char *message, int64_t wait_us) {
  if (a->cb.on_error) {
    int in = enter(a, wait_us);
    a->cb.on_error(a->eng, code, message, a->user);
    leave(a, in);
  }
}
