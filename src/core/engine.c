/*
 * Engine: the public argo_engine object. It owns one session from start to end: the feed,
 * the strategy instance, the paper broker, the statistics tracker and the publisher, and it
 * runs the per-candle loop of docs/design.md section 1:
 *   1. date-boundary check, 2. store the candle, 3. pending orders, then the strategy,
 *   4. record orders and fills, 5. statistics, 6. persistence and callbacks.
 * Callbacks that acknowledge something (orders, fills, stats) wait in a FIFO queue until the
 * publisher reports the rows durable; every callback runs on the thread in argo_engine_run.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/engine_internal.h"
#include "feeds/binance.h"
#include "feeds/replay.h"
#include "persist/history.h"
#include "persist/recover.h"
#include "core/watchdog.h"
#include "persist/schema.h"
#include "util/fsx.h"
#include "util/mask.h"
#include "util/timeu.h"

static argo_err set_err(argo_engine *eng, argo_err code, const char *fmt, ...) ARGO_PRINTF(3, 4);

static argo_err set_err(argo_engine *eng, argo_err code, const char *fmt, ...) {
  char msg[ARGO_ERRMSG_MAX * 2];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  argo__mask_urls(msg, eng->errmsg, sizeof eng->errmsg); /* secrets of a URL never leave */
  return code;
}

/* ---- lifecycle -------------------------------------------------------------------------- */

argo_err argo_engine_new(argo_engine **out) {
  if (!out) {
    return ARGO_EINVAL;
  }
  argo_engine *eng = calloc(1, sizeof *eng);
  if (!eng) {
    *out = NULL;
    return ARGO_ENOMEM;
  }
  if (argo__waker_init(&eng->waker) != 0) {
    free(eng);
    *out = NULL;
    return ARGO_EIO;
  }
  argo__map_init(&eng->symidx);
  argo__sb_init(&eng->scratch);
  eng->sctx.eng = eng;
  eng->day_lock = -1;
  argo__map_init(&eng->sctx.cache);
  argo__host_init(eng);
  *out = eng;
  return ARGO_OK;
}

static void free_events(argo_engine *eng) {
  for (size_t i = 0; i < eng->ev_len; i++) {
    argo__ev *e = &eng->evq[(eng->ev_head + i) % eng->ev_cap];
    if (e->type == EV_ERROR || e->type == EV_STRATEGY_ERROR) {
      free(e->u.err.msg);
    }
  }
  free(eng->evq);
  eng->evq = NULL;
  eng->ev_len = eng->ev_cap = eng->ev_head = 0;
}

void argo_engine_free(argo_engine *eng) {
  if (!eng) {
    return;
  }
  argo__pub_free(eng->pub);
  argo__journal_free(eng->jr);
  argo__session_unlock(eng->sess.run_dir, eng->day_lock, 0);
  if (eng->sobj && eng->sdef) {
    eng->sdef->destroy(eng->sobj);
  }
  argo__strategy_unload(eng->sdl);
  if (eng->feed_open && eng->feed.ops->close) {
    eng->feed.ops->close(eng->feed.impl);
  } else if (eng->has_user_feed && eng->user_feed.close) {
    eng->user_feed.close(eng->user_feed.user); /* never opened: the caller's feed still ends */
  }
  argo__broker_free(eng->broker);
  argo__stats_free(eng->stats);
  argo__host_deinit(eng);
  free_events(eng);
  for (size_t i = 0; i < eng->nearly; i++) {
    free(eng->early[i].message);
    free(eng->early[i].fields);
  }
  free(eng->early);
  free(eng->notes);
  for (size_t i = 0; i < eng->ndays; i++) {
    free(eng->day_dirs[i]);
  }
  free(eng->day_dirs);
  free(eng->win);
  free(eng->win_head);
  free(eng->win_len);
  free(eng->spos);
  free(eng->bpos);
  free(eng->last_stored);
  free(eng->seen_live);
  if (eng->replay_symbols) {
    argo__feed_replay_symbols_free(eng->replay_symbols, eng->nreplay_symbols);
  }
  argo__map_free(&eng->symidx);
  argo__sb_free(&eng->scratch);
  free(eng->strategy_spec);
  free(eng->strategy_config);
  argo__settings_free(&eng->cfg);
  argo__waker_deinit(&eng->waker);
  free(eng);
}

const char *argo_engine_errmsg(const argo_engine *eng) {
  return eng ? eng->errmsg : "no engine";
}

static uint64_t wal_flush(void *user);
static uint64_t wal_durable(void *user);
static int wal_failed(void *user);

argo_err argo_engine_init(argo_engine *eng, const argo_config *cfg) {
  if (!eng || !cfg) {
    return ARGO_EINVAL;
  }
  if (eng->running || eng->ran) {
    return set_err(eng, ARGO_ESTATE, "the engine has already run");
  }
  argo__settings copy;
  memset(&copy, 0, sizeof copy);
  if (argo__settings_copy(&copy, argo__config_settings(cfg)) != ARGO_OK) {
    return set_err(eng, ARGO_ENOMEM, "out of memory");
  }
  argo__settings_free(&eng->cfg);
  eng->cfg = copy;
  char *spec = argo__strdup(eng->cfg.strategy);
  char *conf = argo__strdup(eng->cfg.strategy_config ? eng->cfg.strategy_config : "{}");
  if (!spec || !conf) {
    free(spec);
    free(conf);
    return set_err(eng, ARGO_ENOMEM, "out of memory");
  }
  free(eng->strategy_spec);
  free(eng->strategy_config);
  eng->strategy_spec = spec;
  eng->strategy_config = conf;
  /* The publisher starts here: its thread opens DuckDB while the caller goes on (callbacks,
   * argo_engine_run and its setup: recovery, the run folder, warm-up, the journal). It is handed
   * nothing before the journal exists (the write-ahead hooks need it). */
  argo__pub_free(eng->pub);
  eng->pub = NULL;
  const argo__settings *st = &eng->cfg;
  argo__pub_cfg pc = {.min_gap_us = st->publish_interval_us / 4,
                      .duck_threads = 1,
                      .wal_flush = st->journal ? wal_flush : NULL,
                      .wal_durable = st->journal ? wal_durable : NULL,
                      .wal_failed = st->journal ? wal_failed : NULL,
                      .wal_user = eng,
                      .day_end_remove = st->journal ? ARGO_JOURNAL_NAME : ""};
  char err[ARGO_ERRMSG_MAX];
  argo_err rc = argo__pub_start(&eng->pub, &pc, &eng->waker, err, sizeof err);
  if (rc) {
    return set_err(eng, rc, "%s", err);
  }
  eng->inited = 1;
  return ARGO_OK;
}

argo_err argo_engine_load_strategy(argo_engine *eng, const char *name_or_path, const char *config) {
  if (!eng || !name_or_path) {
    return ARGO_EINVAL;
  }
  if (eng->running || eng->ran) {
    return set_err(eng, ARGO_ESTATE, "the engine has already run");
  }
  argo_strategy def;
  void *dl;
  argo_err rc = argo__strategy_resolve(name_or_path, &def, &dl, eng->errmsg, sizeof eng->errmsg);
  if (rc) {
    return rc;
  }
  argo__strategy_unload(dl); /* loaded again at run; this call only checks it */
  char *spec = argo__strdup(name_or_path);
  char *conf = argo__strdup(config ? config : "{}");
  if (!spec || !conf) {
    free(spec);
    free(conf);
    return set_err(eng, ARGO_ENOMEM, "out of memory");
  }
  free(eng->strategy_spec);
  free(eng->strategy_config);
  eng->strategy_spec = spec;
  eng->strategy_config = conf;
  return ARGO_OK;
}

/* The caller's feed behind the internal feed interface. */
static int user_next(void *impl, argo_candle *out, char *err, size_t errlen) {
  argo_engine *eng = impl;
  int r = eng->user_feed.next(eng->user_feed.user, out, err, errlen);
  switch (r) {
  case ARGO_FEED_CANDLE:
  case ARGO_FEED_END:
  case ARGO_FEED_SKIP:
  case ARGO_FEED_FATAL:
  case ARGO_FEED_WAIT:
    return r;
  default:
    argo__fmt(err, errlen, "the feed's next() returned %d, which is not an ARGO_FEED_ code", r);
    return ARGO_FEED_FATAL;
  }
}

static int64_t user_clock(void *impl) {
  argo_engine *eng = impl;
  return eng->user_feed.clock_start ? eng->user_feed.clock_start(eng->user_feed.user)
                                    : argo__wall_us();
}

static void user_close(void *impl) {
  argo_engine *eng = impl;
  if (eng->user_feed.close) {
    eng->user_feed.close(eng->user_feed.user);
  }
}

static const argo__feed_ops user_feed_ops = {.name = "custom",
                                             .next = user_next,
                                             .clock_start = user_clock,
                                             .close = user_close,
                                             .history = NULL};

argo_err argo_engine_set_feed(argo_engine *eng, const argo_feed *feed, size_t size) {
  if (!eng || !feed) {
    return ARGO_EINVAL;
  }
  if (eng->running || eng->ran) {
    return set_err(eng, ARGO_ESTATE, "the engine has already run");
  }
  argo_feed f;
  memset(&f, 0, sizeof f);
  memcpy(&f, feed, size < sizeof f ? size : sizeof f);
  if (size < offsetof(argo_feed, next) + sizeof f.next || !f.next) {
    return set_err(eng, ARGO_EINVAL, "argo_engine_set_feed: the feed has no next function");
  }
  eng->user_feed = f;
  eng->has_user_feed = 1;
  return ARGO_OK;
}

argo_err argo_engine_set_data_output(argo_engine *eng, const char *path) {
  if (!eng || !path || !*path) {
    return ARGO_EINVAL;
  }
  if (eng->running || eng->ran) {
    return set_err(eng, ARGO_ESTATE, "the engine has already run");
  }
  char *p = argo__strdup(path);
  if (!p) {
    return set_err(eng, ARGO_ENOMEM, "out of memory");
  }
  free(eng->cfg.data_output);
  eng->cfg.data_output = p;
  return ARGO_OK;
}

argo_err argo_engine_set_callbacks(argo_engine *eng, const argo_callbacks *cb, size_t size,
                                   void *user) {
  if (!eng) {
    return ARGO_EINVAL;
  }
  if (eng->running) {
    return set_err(eng, ARGO_ESTATE, "callbacks cannot change while the engine runs");
  }
  memset(&eng->cb, 0, sizeof eng->cb);
  if (cb) {
    memcpy(&eng->cb, cb, size < sizeof eng->cb ? size : sizeof eng->cb);
  }
  eng->user = user;
  return ARGO_OK;
}

void argo_engine_stop(argo_engine *eng) {
  if (eng) {
    argo__waker_signal(&eng->waker);
  }
}

void argo_engine_stop_because(argo_engine *eng, const char *reason) {
  if (eng) {
    const char *none = NULL;
    if (reason) {
      atomic_compare_exchange_strong(&eng->stop_why, &none, reason);
    }
    argo__waker_signal(&eng->waker);
  }
}

void argo__engine_measure(argo_engine *eng, argo__latency *lat) {
  eng->lat = lat;
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

argo_err argo_engine_get_stats(argo_engine *eng, argo_stats *out) {
  if (!eng || !out) {
    return ARGO_EINVAL;
  }
  if (!eng->have_stats) {
    return set_err(eng, ARGO_ESTATE, "no statistics yet: the session has not started");
  }
  *out = eng->last_stats;
  return ARGO_OK;
}

/* ---- symbols and the candle window ------------------------------------------------------ */

long argo__engine_symbol(const argo_engine *eng, const char *symbol) {
  if (!symbol) {
    return -1;
  }
  void **v = argo__map_get(&eng->symidx, symbol);
  return v ? (long)(uintptr_t)*v - 1 : -1;
}

size_t argo__engine_recent(const argo_engine *eng, size_t sym, argo_candle *out, size_t n) {
  size_t len = eng->win_len[sym];
  if (n > len) {
    n = len;
  }
  const argo_candle *ring = eng->win + sym * eng->win_cap;
  size_t first = (eng->win_head[sym] + len - n) % eng->win_cap;
  for (size_t i = 0; i < n; i++) {
    out[i] = ring[(first + i) % eng->win_cap];
  }
  return n;
}

static void window_push(argo_engine *eng, size_t sym, const argo_candle *c) {
  argo_candle *ring = eng->win + sym * eng->win_cap;
  size_t len = eng->win_len[sym];
  size_t pos = (eng->win_head[sym] + len) % eng->win_cap;
  ring[pos] = *c;
  ring[pos].symbol = eng->symbols[sym];
  if (len < eng->win_cap) {
    eng->win_len[sym] = len + 1;
  } else {
    eng->win_head[sym] = (eng->win_head[sym] + 1) % eng->win_cap;
  }
}

/* ---- strategy calls and the watchdog ---------------------------------------------------- */

/* Callbacks come from the engine thread and, for a strategy call that does not return, from the
 * watchdog thread: never at the same time. The engine thread waits for the guard; the watchdog
 * gives up waiting after wait_us (a callback that does not return either) and calls anyway. */
static int cb_enter(argo_engine *eng, int64_t wait_us) {
  int64_t until = wait_us >= 0 ? argo__mono_us() + wait_us : 0;
  for (;;) {
    int free_ = 0;
    if (atomic_compare_exchange_weak_explicit(&eng->cb_busy, &free_, 1, memory_order_acquire,
                                              memory_order_relaxed)) {
      return 1;
    }
    if (wait_us >= 0 && argo__mono_us() >= until) {
      return 0;
    }
    sched_yield();
  }
}

static void cb_leave(argo_engine *eng, int entered) {
  if (entered) {
    atomic_store_explicit(&eng->cb_busy, 0, memory_order_release);
  }
}

#define CALLBACK(eng, call)                                                                        \
  do {                                                                                             \
    cb_enter(eng, -1);                                                                             \
    call;                                                                                          \
    cb_leave(eng, 1);                                                                              \
  } while (0)

/* Every call into the strategy is watched. strategy_leave returns 1 when the watchdog ended the
 * session meanwhile: the engine thread then touches nothing more. */
static void strategy_enter(argo_engine *eng, const char *what) {
  eng->in_strategy = 1;
  argo__watch_enter(&eng->watch, what);
}

static int strategy_leave(argo_engine *eng) {
  argo__watch_leave(&eng->watch);
  eng->in_strategy = 0;
  return atomic_load_explicit(&eng->abandoned, memory_order_acquire);
}

/* ---- callbacks, in order, once durable -------------------------------------------------- */

static int wants(const argo_engine *eng, ev_type t) {
  const argo_callbacks *cb = &eng->cb;
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

static void dispatch(argo_engine *eng, argo__ev *e) {
  const argo_callbacks *cb = &eng->cb;
  cb_enter(eng, -1);
  switch (e->type) {
  case EV_MARKET:
    cb->on_market_data(eng, &e->u.candle, eng->user);
    break;
  case EV_ORDER_PLACED:
    e->u.ord.o.reason = e->u.ord.reason;
    e->u.ord.o.symbol = e->u.ord.symbol;
    cb->on_order_placed(eng, &e->u.ord.o, eng->user);
    break;
  case EV_ORDER_UPDATED:
    e->u.ord.o.reason = e->u.ord.reason;
    e->u.ord.o.symbol = e->u.ord.symbol;
    cb->on_order_updated(eng, &e->u.ord.o, eng->user);
    break;
  case EV_ORDER_FILLED:
    e->u.ord.o.reason = e->u.ord.reason;
    e->u.ord.o.symbol = e->u.ord.symbol;
    e->u.ord.f.symbol = e->u.ord.symbol;
    cb->on_order_filled(eng, &e->u.ord.o, &e->u.ord.f, eng->user);
    break;
  case EV_STATS:
    cb->on_stats_update(eng, &e->u.stats, eng->user);
    break;
  case EV_ERROR:
    cb->on_error(eng, e->u.err.code, e->u.err.msg, eng->user);
    break;
  case EV_STRATEGY_ERROR:
    cb->on_strategy_error(eng, &e->u.err.candle, e->u.err.msg, eng->user);
    break;
  case EV_STATUS:
    cb->on_status_update(eng, e->u.status, eng->user);
    break;
  }
  cb_leave(eng, 1);
  if (e->type == EV_ERROR || e->type == EV_STRATEGY_ERROR) {
    free(e->u.err.msg);
    e->u.err.msg = NULL;
  }
}

/* Where acknowledgements stand: with a journal, rows are durable once the journal is fsynced;
 * without one, once the publisher has published them. */
static uint64_t durable_pos(const argo_engine *eng) {
  if (eng->jr) {
    return argo__journal_durable(eng->jr);
  }
  return eng->pub ? argo__pub_durable(eng->pub) : UINT64_MAX;
}

static void want_poke(argo_engine *eng, int on) {
  if (eng->jr) {
    argo__journal_want_poke(eng->jr, on);
  } else if (eng->pub) {
    argo__pub_want_poke(eng->pub, on);
  }
}

/* Calls every queued callback whose rows are durable, oldest first. */
static void fire_due(argo_engine *eng) {
  if (eng->ev_len == 0) {
    return;
  }
  uint64_t durable = durable_pos(eng);
  while (eng->ev_len) {
    argo__ev *e = &eng->evq[eng->ev_head];
    if (e->need > durable) {
      break;
    }
    argo__ev copy = *e;
    eng->ev_head = (eng->ev_head + 1) % eng->ev_cap;
    eng->ev_len--;
    dispatch(eng, &copy);
  }
  want_poke(eng, eng->ev_len != 0);
}

/* Queues e (or calls it at once when nothing waits ahead of it and it is durable). Returns the
 * queued slot's event, or NULL when it was dispatched or dropped. */
static void emit(argo_engine *eng, argo__ev *e) {
  if (!wants(eng, e->type)) {
    if (e->type == EV_ERROR || e->type == EV_STRATEGY_ERROR) {
      free(e->u.err.msg);
    }
    return;
  }
  /* Errors are not acknowledgements: they are reported at once, even while acknowledgements
   * wait for the disk (which may be what the error is about). */
  if ((eng->ev_len == 0 && e->need <= durable_pos(eng)) || e->type == EV_ERROR ||
      e->type == EV_STRATEGY_ERROR) {
    dispatch(eng, e);
    return;
  }
  if (eng->ev_len == eng->ev_cap) {
    size_t ncap = eng->ev_cap ? eng->ev_cap * 2 : 256;
    argo__ev *n = malloc(ncap * sizeof *n);
    if (!n) {
      /* Out of memory for the queue: wait until everything recorded is durable, then deliver
       * what is queued and this one, in order (never an acknowledgement before the disk). */
      char err[ARGO_ERRMSG_MAX];
      if (eng->jr) {
        argo__journal_sync(eng->jr, err, sizeof err);
      } else if (eng->pub) {
        argo__pub_sync(eng->pub, err, sizeof err);
      }
      fire_due(eng);
      if (eng->ev_len == 0 && e->need <= durable_pos(eng)) {
        dispatch(eng, e);
      } else if (e->type == EV_ERROR || e->type == EV_STRATEGY_ERROR) {
        free(e->u.err.msg);
      }
      return;
    }
    for (size_t i = 0; i < eng->ev_len; i++) {
      n[i] = eng->evq[(eng->ev_head + i) % eng->ev_cap];
    }
    free(eng->evq);
    eng->evq = n;
    eng->ev_cap = ncap;
    eng->ev_head = 0;
  }
  eng->evq[(eng->ev_head + eng->ev_len) % eng->ev_cap] = *e;
  eng->ev_len++;
  want_poke(eng, 1);
}

/* The position an acknowledgement of what was just recorded must wait for. */
static uint64_t cur_seq(const argo_engine *eng) {
  if (eng->jr) {
    return argo__journal_lsn(eng->jr);
  }
  return eng->pub ? argo__pub_seq(eng->pub) : 0;
}

static void emit_error(argo_engine *eng, argo_err code, const char *msg) {
  argo__ev e = {.type = EV_ERROR, .need = 0};
  e.u.err.code = code;
  /* A message may quote a URL the user configured: its secrets never reach a callback. */
  char masked[ARGO_ERRMSG_MAX * 2];
  e.u.err.msg = argo__strdup(argo__mask_urls(msg, masked, sizeof masked));
  if (!e.u.err.msg) {
    return;
  }
  argo__one_line(e.u.err.msg); /* feeds quote what exchanges and files say */
  emit(eng, &e);
}

static void emit_status(argo_engine *eng, argo_engine_status st) {
  argo__ev e = {.type = EV_STATUS, .need = 0};
  e.u.status = st;
  emit(eng, &e);
}

static void fail_session(argo_engine *eng, argo_err code, const char *msg) {
  if (!eng->fatal) {
    eng->fatal = 1;
    eng->fatal_code = code;
    /* It becomes the day's stop_reason in stats.yaml: never with a URL's secrets. */
    argo__mask_urls(msg, eng->fatal_msg, sizeof eng->fatal_msg);
  }
}

/* Reports what the publisher thread found (disk full, I/O errors...). */
static void poll_publisher(argo_engine *eng) {
  argo_err code;
  char msg[ARGO_ERRMSG_MAX];
  int fatal;
  while (argo__pub_error(eng->pub, &code, msg, sizeof msg, &fatal)) {
    emit_error(eng, code, msg);
    if (fatal) {
      fail_session(eng, code, msg);
    }
  }
  /* Without a working journal nothing more can be acknowledged: stop the session. */
  while (eng->jr && argo__journal_error(eng->jr, &code, msg, sizeof msg)) {
    emit_error(eng, code, msg);
    fail_session(eng, code, msg);
  }
}

/* ---- recording -------------------------------------------------------------------------- */

static void record_order(argo_engine *eng, size_t sym, const argo_order *o) {
  if (eng->jr) {
    argo__journal_order(eng->jr, (uint16_t)sym, o);
  }
  argo__batch *b = argo__pub_rows(eng->pub, ARGO_T_ORDERS);
  /* A market order's PENDING row and its FILLED row come one after the other: the later one
   * replaces the earlier in place (the table keeps only the latest status anyway). */
  if (b->rows > 0) {
    size_t len, idlen = strlen(o->order_id);
    const char *last = argo__batch_get_text(b, ORD_ID, b->rows - 1, &len);
    if (len == idlen && memcmp(last, o->order_id, len) == 0) {
      argo__batch_text(b, ORD_STATUS, b->rows - 1, argo__order_status_name(o->status));
      argo__batch_text(b, ORD_REASON, b->rows - 1, o->reason);
      argo__pub_urgent(eng->pub);
      return;
    }
  }
  size_t r = argo__batch_add(b);
  if (r == (size_t)-1) {
    return;
  }
  argo__batch_text(b, ORD_ID, r, o->order_id);
  argo__batch_text(b, ORD_SYMBOL, r, o->symbol);
  argo__batch_text(b, ORD_SIDE, r, argo__side_name(o->side));
  argo__batch_text(b, ORD_TYPE, r, argo__order_type_name(o->type));
  argo__batch_f64(b, ORD_QTY, r, o->quantity);
  argo__batch_f64(b, ORD_PRICE, r, o->price);
  argo__batch_i64(b, ORD_TS, r, o->timestamp);
  argo__batch_text(b, ORD_STATUS, r, argo__order_status_name(o->status));
  argo__batch_text(b, ORD_STRATEGY, r, o->strategy_name);
  argo__batch_text(b, ORD_POSTYPE, r, argo__position_type_name(o->position_type));
  argo__batch_text(b, ORD_REASON, r, o->reason);
  argo__pub_urgent(eng->pub);
}

static void record_fill(argo_engine *eng, size_t sym, const argo_fill *f) {
  if (eng->jr) {
    argo__journal_fill(eng->jr, (uint16_t)sym, f);
  }
  argo__batch *b = argo__pub_rows(eng->pub, ARGO_T_TRADES);
  size_t r = argo__batch_add(b);
  if (r == (size_t)-1) {
    return;
  }
  argo__batch_text(b, TRD_ORDER_ID, r, f->order_id);
  argo__batch_text(b, TRD_SYMBOL, r, f->symbol);
  argo__batch_text(b, TRD_SIDE, r, argo__side_name(f->side));
  argo__batch_f64(b, TRD_QTY, r, f->quantity);
  argo__batch_f64(b, TRD_PRICE, r, f->price);
  argo__batch_i64(b, TRD_TS, r, f->timestamp);
  argo__batch_i64(b, TRD_EXEC_AT, r, f->executed_at);
  argo__batch_f64(b, TRD_EXEC_QTY, r, f->executed_qty);
  argo__batch_f64(b, TRD_EXEC_PRICE, r, f->executed_price);
  argo__batch_f64(b, TRD_COMMISSION, r, f->commission);
  argo__batch_f64(b, TRD_PNL, r, f->pnl);
  argo__batch_text(b, TRD_POSTYPE, r, argo__position_type_name(f->position_type));
  argo__pub_urgent(eng->pub);
}

/* history: a downloaded candle (prefetch, gap fill, a replayed warm-up row), journaled as such
 * so that recovery stores it without counting or marking it, and flagged in market_data's
 * history column so that a replay of the file gives it to the strategy as warm-up only. */
static void record_candle(argo_engine *eng, size_t sym, const argo_candle *c, int history) {
  if (eng->jr) {
    if (history) {
      argo__journal_hcandle(eng->jr, (uint16_t)sym, c);
    } else {
      argo__journal_candle(eng->jr, (uint16_t)sym, c);
    }
  }
  argo__batch *b = argo__pub_rows(eng->pub, ARGO_T_MARKET_DATA);
  size_t r = argo__batch_add(b);
  if (r == (size_t)-1) {
    return;
  }
  argo__batch_i64(b, MD_TIME, r, c->time);
  argo__batch_text(b, MD_SYMBOL, r, c->symbol);
  argo__batch_f64(b, MD_OPEN, r, c->open);
  argo__batch_f64(b, MD_HIGH, r, c->high);
  argo__batch_f64(b, MD_LOW, r, c->low);
  argo__batch_f64(b, MD_CLOSE, r, c->close);
  argo__batch_f64(b, MD_VOLUME, r, c->volume);
  argo__batch_i64(b, MD_HISTORY, r, history);
}

static int64_t event_time(const argo_engine *eng) {
  return eng->have_cur ? eng->cur.time : eng->sess.start_us;
}

/* Text from a strategy that is not valid UTF-8 would make every later export of its table
 * fail: such text is stored with '?' for the bad bytes (valid text is used as it is). */
static const char *clean(const char *s, char *buf, size_t cap) {
  return argo__utf8_valid(s) ? s : argo__utf8_fix(s, buf, cap);
}

/* Mark and log ids are reserved in ranges under the data output (session.h), so that sessions
 * running at the same time never give two rows the same id. A range starts at 1024 ids and
 * doubles up to a million, so a busy strategy reserves rarely and a quiet one leaves small
 * gaps. The next id of kind (0 marks, 1 logs). */
#define IDS_BLOCK_FIRST 1024
#define IDS_BLOCK_MAX (INT64_C(1) << 20)

static int64_t next_id(argo_engine *eng, int kind) {
  int64_t *id = kind ? &eng->log_id : &eng->mark_id;
  if (*id >= eng->ids_end[kind] && !eng->ids_failed) {
    int64_t block = eng->ids_block[kind] ? eng->ids_block[kind] : IDS_BLOCK_FIRST;
    int64_t first;
    char err[ARGO_ERRMSG_MAX], msg[ARGO_ERRMSG_MAX];
    if (argo__session_reserve_ids(eng->sess.data_output, kind, *id, block, &first, err,
                                  sizeof err) == 0) {
      *id = first - 1;
      eng->ids_end[kind] = first + block - 1;
      eng->ids_block[kind] = block < IDS_BLOCK_MAX ? block * 2 : block;
    } else {
      /* The row is still recorded; only the uniqueness across concurrent sessions is lost. */
      eng->ids_failed = 1;
      argo__fmt(msg, sizeof msg,
                "%s; mark and log ids go on from %lld, and may repeat ids of a session running "
                "at the same time",
                err, (long long)*id + 1);
      emit_error(eng, ARGO_EIO, msg);
    }
  }
  return ++*id;
}

void argo__engine_record_mark(argo_engine *eng, const argo_mark *m) {
  argo__batch *b = argo__pub_rows(eng->pub, ARGO_T_MARKS);
  size_t r = argo__batch_add(b);
  if (r == (size_t)-1) {
    return;
  }
  argo_mark d = *m;
  d.symbol = m->symbol ? m->symbol : eng->have_cur ? eng->cur.symbol : "";
  d.color = m->color ? m->color : "blue";
  d.shape = m->shape ? m->shape : "circle";
  d.level = m->level ? m->level : "info";
  char bt[512], bm[4096], bc[512], bs[512], bk[512];
  d.color = clean(d.color, bk, sizeof bk);
  d.title = clean(m->title ? m->title : "", bt, sizeof bt);
  d.message = clean(m->message ? m->message : "", bm, sizeof bm);
  d.category = clean(m->category ? m->category : "", bc, sizeof bc);
  d.signal_type = clean(m->signal_type ? m->signal_type : "", bs, sizeof bs);
  m = &d;
  argo__batch_i64(b, MRK_ID, r, next_id(eng, 0));
  argo__batch_i64(b, MRK_TIME, r, event_time(eng));
  argo__batch_text(b, MRK_SYMBOL, r, m->symbol);
  argo__batch_text(b, MRK_COLOR, r, m->color);
  argo__batch_text(b, MRK_SHAPE, r, m->shape);
  argo__batch_text(b, MRK_LEVEL, r, m->level);
  argo__batch_text(b, MRK_TITLE, r, m->title);
  argo__batch_text(b, MRK_MESSAGE, r, m->message);
  argo__batch_text(b, MRK_CATEGORY, r, m->category);
  argo__batch_text(b, MRK_SIGNAL, r, m->signal_type);
  if (eng->jr) {
    argo__journal_mark(eng->jr, eng->mark_id, event_time(eng), m->symbol, m);
  }
}

void argo__engine_record_log(argo_engine *eng, int level, const char *message, const char *fields) {
  char bm[4096], bf[4096];
  message = clean(message ? message : "", bm, sizeof bm);
  fields = clean(fields ? fields : "{}", bf, sizeof bf);
  if (!eng->pub) {
    /* Before the session's folder exists (the strategy's initialize): keep it for later. */
    if (argo__grow((void **)&eng->early, &eng->early_cap, eng->nearly + 1, sizeof *eng->early)) {
      return;
    }
    argo__early_log *l = &eng->early[eng->nearly];
    l->level = level;
    l->message = argo__strdup(message ? message : "");
    l->fields = argo__strdup(fields ? fields : "{}");
    if (l->message && l->fields) {
      eng->nearly++;
    } else {
      free(l->message);
      free(l->fields);
    }
    return;
  }
  argo__batch *b = argo__pub_rows(eng->pub, ARGO_T_LOGS);
  size_t r = argo__batch_add(b);
  if (r == (size_t)-1) {
    return;
  }
  argo__batch_i64(b, LOG_ID, r, next_id(eng, 1));
  argo__batch_i64(b, LOG_TS, r, event_time(eng));
  argo__batch_text(b, LOG_SYMBOL, r, eng->have_cur ? eng->cur.symbol : "");
  argo__batch_text(b, LOG_LEVEL, r, argo__log_level_name(level));
  argo__batch_text(b, LOG_MESSAGE, r, message);
  argo__batch_text(b, LOG_FIELDS, r, fields ? fields : "{}");
  if (eng->jr) {
    argo__journal_log(eng->jr, eng->log_id, event_time(eng), eng->have_cur ? eng->cur.symbol : "",
                      level, message ? message : "", fields ? fields : "{}");
  }
}

/* ---- statistics ------------------------------------------------------------------------- */

static void build_stats(argo_engine *eng, argo_stats *s, const char *status) {
  memset(s, 0, sizeof *s);
  argo__strlcpy(s->id, eng->sess.run_name, sizeof s->id);
  argo__strlcpy(s->session_id, eng->sess.session_id, sizeof s->session_id);
  argo__strlcpy(s->date, eng->sess.date, sizeof s->date);
  s->session_start = eng->sess.start_us;
  s->last_updated = eng->last_event;
  s->status = status;
  s->symbols = (const char *const *)eng->symbols;
  s->nsymbols = eng->nsym;
  s->run_dir = eng->ndays ? eng->day_dirs[eng->ndays - 1] : "";
  s->strategy_id = eng->sdef->id ? eng->sdef->id : "";
  s->strategy_version = eng->sdef->version ? eng->sdef->version : "";
  s->strategy_name = eng->sdef->name;
  argo__stats_get(eng->stats, &s->daily, &s->cumulative);
  s->candles_day = eng->candles_day;
  s->candles_total = eng->candles_total;
  s->equity = argo__stats_equity(eng->stats);
}

/* Takes a statistics snapshot: into the current segment (stats.yaml) and as a callback. */
static void snapshot_stats(argo_engine *eng, const char *status) {
  argo__stats_doc doc;
  memset(&doc, 0, sizeof doc);
  build_stats(eng, &doc.s, status);
  doc.by_symbol = argo__stats_symbols(eng->stats, (const char *const *)eng->symbols);
  doc.nby_symbol = eng->nsym;
  doc.started_at = eng->sess.opened_wall_us;
  doc.run_collision = eng->sess.collision[0] ? eng->sess.collision : NULL;
  doc.resumed_from = eng->resumed_from[0] ? eng->resumed_from : NULL;
  doc.interval = eng->cfg.interval;
  doc.stop_reason = eng->stop_reason[0] ? eng->stop_reason : NULL;
  doc.journal_off = !eng->cfg.journal;
  if (eng->broker && eng->spos && eng->bpos) {
    argo_account acct;
    argo__broker_account(eng->broker, &acct);
    size_t n = argo__broker_positions(eng->broker, eng->bpos, eng->nsym);
    for (size_t i = 0; i < n && i < eng->nsym; i++) {
      eng->spos[i] =
          (argo__stats_pos){eng->symbols[i], eng->bpos[i].long_qty, eng->bpos[i].long_avg_price,
                            eng->bpos[i].short_qty, eng->bpos[i].short_avg_price};
    }
    doc.has_account = 1;
    doc.cash = acct.balance;
    doc.positions = eng->spos;
    doc.npositions = n < eng->nsym ? n : eng->nsym;
  }
  argo__pub_set_stats(eng->pub, &doc);
  eng->last_stats = doc.s;
  eng->have_stats = 1;
  argo__ev e = {.type = EV_STATS, .need = cur_seq(eng)};
  e.u.stats = doc.s;
  emit(eng, &e);
}

/* ---- broker sink and strategy notes ----------------------------------------------------- */

static void note(argo_engine *eng, const argo_order *o, const argo_fill *f) {
  if (!eng->sdef->on_order_update) {
    return;
  }
  if (argo__grow((void **)&eng->notes, &eng->notes_cap, eng->nnotes + 1, sizeof *eng->notes)) {
    return;
  }
  argo__note *n = &eng->notes[eng->nnotes++];
  n->o = *o;
  argo__strlcpy(n->reason, o->reason ? o->reason : "", sizeof n->reason);
  n->has_fill = f != NULL;
  if (f) {
    n->f = *f;
  }
}

/* Tells the strategy about order changes, outside any other strategy call (so that a strategy
 * never re-enters itself). Changes caused by on_order_update itself are delivered too, up to a
 * bound that stops a strategy from looping forever. */
static void deliver_notes(argo_engine *eng) {
  size_t head = 0;
  /* Notes added by on_order_update itself are appended and delivered in this same loop. */
  while (head < eng->nnotes && head < 100000) {
    argo__note n = eng->notes[head++];
    n.o.reason = n.reason;
    strategy_enter(eng, "on_order_update");
    eng->sdef->on_order_update(eng->sobj, &n.o, n.has_fill ? &n.f : NULL);
    if (strategy_leave(eng)) {
      return;
    }
  }
  eng->nnotes = 0;
}

static void copy_order_event(argo__ev *e, const argo_order *o) {
  e->u.ord.o = *o;
  argo__strlcpy(e->u.ord.reason, o->reason ? o->reason : "", sizeof e->u.ord.reason);
  argo__strlcpy(e->u.ord.symbol, o->symbol ? o->symbol : "", sizeof e->u.ord.symbol);
  e->u.ord.o.reason = NULL;
}

static void sink_order(void *user, size_t sym, const argo_order *o, int is_new) {
  argo_engine *eng = user;
  if (argo__engine_symbol(eng, o->symbol) < 0) {
    sym = 0xFFFF; /* a rejected order of a symbol the session does not trade */
  }
  record_order(eng, sym, o);
  argo__ev e = {.type = is_new ? EV_ORDER_PLACED : EV_ORDER_UPDATED, .need = cur_seq(eng)};
  copy_order_event(&e, o);
  emit(eng, &e);
  note(eng, o, NULL);
}

static void sink_fill(void *user, size_t sym, const argo_order *o, const argo_fill *f) {
  argo_engine *eng = user;
  record_order(eng, sym, o);
  record_fill(eng, sym, f);
  argo_err rc = argo__stats_fill(eng->stats, sym, f);
  if (rc) {
    char msg[ARGO_ERRMSG_MAX];
    argo__fmt(msg, sizeof msg, "statistics could not take the fill of order %s: %s", f->order_id,
              argo_strerror(rc));
    emit_error(eng, rc, msg);
  }
  eng->traded = 1;
  argo__ev e = {.type = EV_ORDER_FILLED, .need = cur_seq(eng)};
  copy_order_event(&e, o);
  e.u.ord.f = *f;
  emit(eng, &e);
  note(eng, o, f);
}

/* ---- the session ------------------------------------------------------------------------ */

static argo_err add_day_dir(argo_engine *eng) {
  if (argo__grow((void **)&eng->day_dirs, &eng->days_cap, eng->ndays + 1, sizeof(char *))) {
    return ARGO_ENOMEM;
  }
  char *d = argo__strdup(eng->sess.run_dir);
  if (!d) {
    return ARGO_ENOMEM;
  }
  eng->day_dirs[eng->ndays++] = d;
  return ARGO_OK;
}

static void flush_early_logs(argo_engine *eng) {
  for (size_t i = 0; i < eng->nearly; i++) {
    argo__engine_record_log(eng, eng->early[i].level, eng->early[i].message, eng->early[i].fields);
    free(eng->early[i].message);
    free(eng->early[i].fields);
  }
  eng->nearly = 0;
}

/* The journal's first record of a day: everything recovery needs to rebuild the day alone. */
static argo_err journal_day(argo_engine *eng) {
  if (!eng->jr) {
    return ARGO_OK;
  }
  void *state = NULL;
  size_t len = 0;
  argo_err rc = argo__stats_save(eng->stats, &state, &len);
  if (rc) {
    return rc;
  }
  eng->day_first_mark = eng->mark_id;
  eng->day_first_log = eng->log_id;
  eng->day_first_candles = eng->candles_total;
  eng->day_first_event = eng->last_event;
  argo__jday d = {
      .session_id = eng->sess.session_id,
      .run_name = eng->sess.run_name,
      .date = eng->sess.date,
      .session_start = eng->sess.start_us,
      .day_start_event = eng->last_event,
      .capital = eng->cfg.capital,
      .mark_id = eng->mark_id,
      .log_id = eng->log_id,
      .candles_total = eng->candles_total,
      .strategy_name = eng->sdef->name,
      .strategy_id = eng->sdef->id ? eng->sdef->id : "",
      .strategy_version = eng->sdef->version ? eng->sdef->version : "",
      .run_collision = eng->sess.collision,
      .resumed_from = eng->resumed_from,
      .symbols = (const char *const *)eng->symbols,
      .nsymbols = eng->nsym,
      .stats_state = state,
      .stats_len = len,
      .interval = eng->cfg.interval,
  };
  if (eng->broker) {
    argo_account acct;
    argo__broker_account(eng->broker, &acct);
    d.cash = acct.balance;
  }
  argo__journal_day(eng->jr, &d);
  free(state);
  return ARGO_OK;
}

/* How far the engine may run ahead of durability at day changes (DAYS_AHEAD): at full speed
 * over short days (1m candles) the engine is otherwise far ahead of the disk, and a crash would
 * leave folders for days whose rows were never written. */
static void wait_day_marks(argo_engine *eng) {
  if (eng->nday_marks < DAYS_AHEAD) {
    return;
  }
  uint64_t need = eng->day_marks[0];
  if (durable_pos(eng) < need) {
    char err[ARGO_ERRMSG_MAX];
    argo_err rc = eng->jr ? argo__journal_wait(eng->jr, need, err, sizeof err)
                          : argo__pub_wait(eng->pub, need, err, sizeof err);
    (void)rc; /* a failure is the writer's or publisher's to report (poll_publisher) */
  }
  memmove(eng->day_marks, eng->day_marks + 1, (DAYS_AHEAD - 1) * sizeof eng->day_marks[0]);
  eng->nday_marks--;
}

/* docs/design.md section 3: finalize the day, open the next one with the same run number. */
static argo_err change_day(argo_engine *eng, int64_t t) {
  wait_day_marks(eng);
  snapshot_stats(eng, "finished");
  char err[ARGO_ERRMSG_MAX];
  int rc = argo__session_advance(&eng->sess, t, err, sizeof err);
  int lock = eng->sess.lock_fd;
  eng->sess.lock_fd = -1;
  if (rc < 0) {
    /* The day goes on where it is; the session stops and finish() closes the day as usual. */
    emit_error(eng, ARGO_EIO, err);
    fail_session(eng, ARGO_EIO, err);
    return ARGO_EIO;
  }
  /* The old day's journal ends here; the writer moves to the new folder in order with the
   * records, and the publisher removes the old journal once the old day's files are final. */
  if (eng->jr) {
    argo__journal_end(eng->jr);
    argo__journal_switch(eng->jr, eng->sess.run_dir);
  }
  argo__pub_end_day(eng->pub, eng->day_lock);
  eng->day_lock = lock;
  if (add_day_dir(eng) != ARGO_OK) {
    fail_session(eng, ARGO_ENOMEM, "out of memory");
    return ARGO_ENOMEM;
  }
  if (eng->sess.collision[0]) {
    emit_error(eng, ARGO_EEXIST, eng->sess.collision);
  }
  argo__stats_new_day(eng->stats);
  eng->candles_day = 0;
  if (journal_day(eng) != ARGO_OK) {
    fail_session(eng, ARGO_ENOMEM, "out of memory");
    return ARGO_ENOMEM;
  }
  argo__pub_begin_day(eng->pub, eng->sess.run_dir);
  snapshot_stats(eng, "running");
  eng->day_marks[eng->nday_marks++] = cur_seq(eng);
  /* The new day's first files and stats.yaml go out in a segment of their own, before any of
   * its rows: however far behind the publisher is, a day's folder never holds rows without a
   * stats.yaml, nor a segment both a day's start and its end. */
  argo__pub_handover(eng->pub);
  return ARGO_OK;
}

static void first_live(argo_engine *eng, size_t sym, int64_t t);

static int candle_valid(const argo_candle *c, char *why, size_t len) {
  if (!argo__time_ok(c->time)) {
    /* Before, a candle at or before the epoch was taken for "already stored" and dropped
     * without a word, and one in the year 10000 named a day folder "10000-01-0". */
    argo__fmt(why, len, "its time is not " ARGO__TIME_RANGE);
    return 0;
  }
  const double v[5] = {c->open, c->high, c->low, c->close, c->volume};
  static const char *names[5] = {"open", "high", "low", "close", "volume"};
  for (int i = 0; i < 5; i++) {
    if (!isfinite(v[i])) {
      argo__fmt(why, len, "%s is not a number", names[i]);
      return 0;
    }
  }
  if (!(c->open > 0 && c->high > 0 && c->low > 0 && c->close > 0)) {
    argo__fmt(why, len, "prices must be positive");
    return 0;
  }
  if (c->volume < 0) {
    argo__fmt(why, len, "volume is negative");
    return 0;
  }
  if (c->high < c->low || c->high < c->open || c->high < c->close || c->low > c->open ||
      c->low > c->close) {
    argo__fmt(why, len, "high/low do not bound open/close");
    return 0;
  }
  return 1;
}

static void process_candle(argo_engine *eng, const argo_candle *in) {
  char why[160];
  char ts[40];
  long sym = argo__engine_symbol(eng, in->symbol);
  if (sym < 0 || !candle_valid(in, why, sizeof why)) {
    char msg[ARGO_ERRMSG_MAX];
    argo_time_format(in->time, ts, sizeof ts);
    if (sym < 0) {
      argo__fmt(msg, sizeof msg, "skipped a candle of unknown symbol '%s' at %s",
                in->symbol ? in->symbol : "", ts);
    } else {
      argo__fmt(msg, sizeof msg, "skipped a bad candle of %s at %s: %s", in->symbol, ts, why);
    }
    emit_error(eng, ARGO_EFEED, msg);
    return;
  }
  if (ARGO_UNLIKELY(in->time <= eng->last_stored[sym])) {
    /* Already stored: prefetched or gap-filled history that the live stream repeats. */
    return;
  }
  argo_candle c = *in;
  c.symbol = eng->symbols[sym];
  if (ARGO_UNLIKELY(!eng->seen_live[sym])) {
    first_live(eng, (size_t)sym, c.time);
  }
  /* 1. The date only moves forward; a late candle is stored in the current day. */
  if (argo__day_of(c.time) > eng->sess.day) {
    if (change_day(eng, c.time) != ARGO_OK) {
      return;
    }
  }
  /* 2. Store the candle. */
  record_candle(eng, (size_t)sym, &c, 0);
  eng->candles_day++;
  eng->candles_total++;
  eng->last_event = c.time > eng->last_event ? c.time : eng->last_event;
  window_push(eng, (size_t)sym, &c);
  eng->cur = c;
  eng->cur_sym = (size_t)sym;
  eng->have_cur = 1;
  eng->traded = 0;
  if (eng->cb.on_market_data) {
    argo__ev me = {.type = EV_MARKET, .need = 0};
    me.u.candle = c;
    emit(eng, &me);
  }
  /* 3. Pending orders may fill on this candle; then the strategy sees it. */
  argo__broker_on_candle(eng->broker, (size_t)sym, &c);
  deliver_notes(eng);
  eng->sctx.strategy_error[0] = '\0';
  strategy_enter(eng, "on_candle");
  int src = eng->sdef->on_candle(eng->sobj, &c);
  if (strategy_leave(eng)) {
    return;
  }
  if (src != 0) {
    argo__ev e = {.type = EV_STRATEGY_ERROR, .need = 0};
    argo_time_format(c.time, ts, sizeof ts);
    char msg[ARGO_ERRMSG_MAX];
    argo__fmt(msg, sizeof msg, "strategy %s failed on %s at %s: %s", eng->sdef->name, c.symbol, ts,
              eng->sctx.strategy_error[0] ? eng->sctx.strategy_error : "error code returned");
    e.u.err.code = ARGO_ESTRATEGY;
    e.u.err.msg = argo__strdup(msg);
    e.u.err.candle = c;
    if (e.u.err.msg) {
      emit(eng, &e);
    }
  }
  deliver_notes(eng);
  /* 5. Mark to market with this candle's close. */
  argo__stats_mark(eng->stats, (size_t)sym, c.close);
  if (eng->traded || eng->candles_total % eng->cfg.stats_every == 0) {
    snapshot_stats(eng, "running");
  }
}

/* Housekeeping while the feed waits for the next candle: hand rows over, fire callbacks. */
static void idle_hook(void *user) {
  argo_engine *eng = user;
  if (!eng->pub) {
    return;
  }
  if (eng->jr) {
    argo__journal_handover(eng->jr);
  }
  argo__pub_handover_idle(eng->pub);
  poll_publisher(eng);
  fire_due(eng);
}

static void on_recover(const char *run_dir, argo_err status, const char *message, void *user) {
  argo_engine *eng = user;
  if (status == ARGO_OK) {
    if (eng->cb.on_recovered) {
      CALLBACK(eng, eng->cb.on_recovered(eng, run_dir, message, eng->user));
    }
  } else {
    emit_error(eng, status, message);
  }
}

static void on_history_problem(void *user, argo_err code, const char *message) {
  emit_error(user, code, message);
}

/* engine.resume_account: reads the account of the stats.yaml in run_dir into *doc. A session
 * asked to resume an account it cannot read is refused (the error is set on eng), rather than
 * started with fresh capital under a resumed_from that claims otherwise. */
static argo_err read_account(argo_engine *eng, const char *run_dir, argo__stats_doc *doc) {
  char path[ARGO_PATH_MAX + 128], err[ARGO_ERRMSG_MAX];
  snprintf(path, sizeof path, "%s/stats.yaml", run_dir);
  char *text = NULL;
  int e = argo__fs_read_all(path, &text, NULL);
  if (e != 0) {
    argo__fmt_errno(err, sizeof err, -e, "cannot resume the account (engine.resume_account): '%s'",
                    path);
    return set_err(eng, ARGO_EIO, "%s", err);
  }
  argo_err rc = argo__stats_yaml_parse(text, doc, err, sizeof err);
  free(text);
  if (rc) {
    return set_err(eng, rc,
                   "cannot resume the account (engine.resume_account): '%s' cannot be read: %s",
                   path, err);
  }
  if (!doc->has_account) {
    argo__stats_doc_free(doc);
    return set_err(eng, ARGO_ENOTFOUND,
                   "cannot resume the account (engine.resume_account): '%s' has no account block",
                   path);
  }
  return ARGO_OK;
}

/* Seeds cash and positions from the account read by read_account. */
static void resume_account(argo_engine *eng, const argo__stats_doc *doc) {
  char msg[ARGO_ERRMSG_MAX];
  /* The session's capital is the resumed account's value at entry prices, so that equity and
   * drawdown continue from it. */
  double capital = doc->cash;
  for (size_t i = 0; i < doc->npositions; i++) {
    capital += doc->positions[i].long_qty * doc->positions[i].long_avg_price -
               doc->positions[i].short_qty * doc->positions[i].short_avg_price;
  }
  argo__broker_seed_cash(eng->broker, doc->cash);
  for (size_t i = 0; i < doc->npositions; i++) {
    const argo__stats_pos *p = &doc->positions[i];
    long sym = argo__engine_symbol(eng, p->symbol);
    if (sym < 0) {
      if (p->long_qty > 0 || p->short_qty > 0) {
        argo__fmt(msg, sizeof msg,
                  "resumed account: the position in %s is left out (not a symbol of this "
                  "session)",
                  p->symbol);
        emit_error(eng, ARGO_ENOTFOUND, msg);
      }
      continue;
    }
    for (int side = 0; side < 2; side++) {
      double qty = side ? p->short_qty : p->long_qty;
      double px = side ? p->short_avg_price : p->long_avg_price;
      if (qty > 0) {
        argo__broker_seed_position(eng->broker, (size_t)sym, side, qty, px, doc->s.last_updated);
        argo__stats_seed(eng->stats, (size_t)sym, side, qty, px, doc->s.last_updated);
      }
    }
  }
  argo__stats_set_capital(eng->stats, capital);
}

/* What a warm restart resumes: stored candles, and the account with engine.resume_account. */
typedef struct warm {
  argo__stored st;
  argo__stats_doc acct;
  int have_acct;
} warm;

static void warm_free(warm *w) {
  argo__stored_free(&w->st);
  if (w->have_acct) {
    argo__stats_doc_free(&w->acct);
  }
  w->have_acct = 0;
}

/* Warm restart, first half: loads the newest stored candles of the session's symbols and, with
 * engine.resume_account, the account of the run they come from. Called before the session
 * claims its run folder, so that a refused start leaves nothing behind. */
static argo_err warm_load(argo_engine *eng, int64_t first_live, warm *w) {
  memset(w, 0, sizeof *w);
  size_t need = eng->sdef->warmup_candles ? eng->sdef->warmup_candles(eng->sobj) : 0;
  if (need == 0 && (eng->cfg.prefetch || eng->cfg.resume_account)) {
    need = 1; /* prefetch and account resume need the newest stored run */
  }
  if (need == 0) {
    return ARGO_OK;
  }
  char err[ARGO_ERRMSG_MAX];
  argo_err rc = argo__history_load(eng->cfg.data_output, (const char *const *)eng->symbols,
                                   eng->nsym, eng->cfg.interval, first_live, need, &w->st,
                                   on_history_problem, eng, err, sizeof err);
  if (rc) {
    memset(&w->st, 0, sizeof w->st);
    if (eng->cfg.resume_account) {
      return set_err(eng, rc, "cannot resume the account (engine.resume_account): %s", err);
    }
    emit_error(eng, rc, err);
    return ARGO_OK;
  }
  if (w->st.n > 0 && eng->cfg.resume_account) {
    if ((rc = read_account(eng, w->st.resumed_dir, &w->acct)) != ARGO_OK) {
      argo__stored_free(&w->st);
      return rc;
    }
    w->have_acct = 1;
  }
  return ARGO_OK;
}

/* Warm restart, second half (the broker exists): the stored candles go through the strategy
 * (orders refused, nothing recorded) so that its indicators are ready at the first live candle,
 * and the account is resumed. */
static void warm_start(argo_engine *eng, warm *w) {
  const argo__stored *st = &w->st;
  if (st->n == 0) {
    return;
  }
  argo__strlcpy(eng->resumed_from, st->resumed_from, sizeof eng->resumed_from);
  eng->warming = 1;
  for (size_t i = 0; i < st->n; i++) {
    const argo_candle *c = &st->candles[i];
    long sym = argo__engine_symbol(eng, c->symbol);
    if (sym < 0) {
      continue;
    }
    window_push(eng, (size_t)sym, c);
    if (c->time > eng->last_stored[sym]) {
      eng->last_stored[sym] = c->time;
    }
    eng->cur = *c;
    eng->cur_sym = (size_t)sym;
    eng->have_cur = 1;
    strategy_enter(eng, "on_candle (warm-up)");
    eng->sdef->on_candle(eng->sobj, c);
    if (strategy_leave(eng)) {
      break;
    }
  }
  eng->warming = 0;
  eng->have_cur = 0;
  eng->nnotes = 0;
  if (w->have_acct) {
    resume_account(eng, &w->acct);
  }
}

static uint64_t wal_flush(void *user) {
  argo_engine *eng = user;
  argo__journal_urgent(eng->jr);
  argo__journal_handover(eng->jr);
  return argo__journal_lsn(eng->jr);
}

static uint64_t wal_durable(void *user) {
  return argo__journal_durable(((argo_engine *)user)->jr);
}

static int wal_failed(void *user) {
  return argo__journal_failed(((argo_engine *)user)->jr);
}

static void hook_status(void *user, argo_engine_status status) {
  emit_status(user, status);
}

static void hook_error(void *user, argo_err code, const char *message) {
  emit_error(user, code, message);
}

static void hook_progress(void *user, const char *symbol, int64_t done, int64_t total) {
  argo_engine *eng = user;
  if (eng->cb.on_prefetch_progress) {
    CALLBACK(eng, eng->cb.on_prefetch_progress(eng, symbol, done, total, eng->user));
  }
}

/* A downloaded candle (prefetch or gap fill): stored in the run's market data, given to the
 * strategy as history (no orders), remembered as the newest stored candle of its symbol. */
static int history_candle(void *user, const argo_candle *in) {
  argo_engine *eng = user;
  char why[160];
  long sym = argo__engine_symbol(eng, in->symbol);
  if (sym < 0 || !candle_valid(in, why, sizeof why) || in->time <= eng->last_stored[sym]) {
    return 0; /* unknown, bad, or already stored: skipped */
  }
  argo_candle c = *in;
  c.symbol = eng->symbols[sym];
  record_candle(eng, (size_t)sym, &c, 1);
  window_push(eng, (size_t)sym, &c);
  eng->last_stored[sym] = c.time;
  eng->cur = c;
  eng->cur_sym = (size_t)sym;
  eng->have_cur = 1;
  eng->warming = 1;
  strategy_enter(eng, "on_candle (history)");
  eng->sdef->on_candle(eng->sobj, &c);
  if (strategy_leave(eng)) {
    return 1;
  }
  eng->warming = 0;
  eng->have_cur = 0;
  argo__pub_tick(eng->pub);
  if (eng->jr) {
    argo__journal_tick(eng->jr);
  }
  return argo__waker_stopped(&eng->waker);
}

/* Downloads [from, to) of symbol sym through the feed's history. */
static void download(argo_engine *eng, size_t sym, int64_t from, int64_t to) {
  if (from >= to) {
    return;
  }
  char err[ARGO_ERRMSG_MAX];
  argo__history_sink sink = {history_candle, eng};
  if (eng->feed.ops->history(eng->feed.impl, eng->symbols[sym], from, to, &sink, err, sizeof err) !=
      0) {
    /* What was downloaded stays stored; the session goes on. */
    emit_error(eng, ARGO_EFEED, err);
  }
}

/* engine.prefetch: history from the configured start (or from the newest stored candle, when
 * later) up to the candle in progress, before going live. */
static void prefetch(argo_engine *eng) {
  const argo__settings *s = &eng->cfg;
  if (!s->prefetch || !eng->feed.ops->history) {
    return;
  }
  emit_status(eng, ARGO_STATUS_PREFETCHING);
  eng->await_running = 1;
  int64_t iv = s->interval_us;
  int64_t now = argo__wall_us();
  int64_t start = s->prefetch_start_type && strcmp(s->prefetch_start_type, "date") == 0
                      ? s->prefetch_start_us
                      : now - s->prefetch_days * 86400 * INT64_C(1000000);
  start -= ((start % iv) + iv) % iv;
  int64_t end = now - ((now % iv) + iv) % iv; /* open time of the candle in progress */
  for (size_t i = 0; i < eng->nsym && !argo__waker_stopped(&eng->waker); i++) {
    int64_t from = eng->last_stored[i] ? eng->last_stored[i] + iv : start;
    download(eng, i, from > start ? from : start, end);
  }
}

/* At the first live candle of a symbol, with prefetch on: every candle between the newest
 * stored one and this one is downloaded first. The feed goes live only after the prefetch, so a
 * candle that closed while the prefetch ran was never sent live; one such candle is the usual
 * seam and is fetched quietly, a longer gap (the first live candle more than two intervals after
 * the newest stored one) is reported as status gap_filling, then running again. The first live
 * candle of the session reports status running. */
static void first_live(argo_engine *eng, size_t sym, int64_t t) {
  eng->seen_live[sym] = 1;
  int64_t iv = eng->cfg.interval_us;
  int64_t last = eng->last_stored[sym];
  int reported = 0;
  if (last && t - last > iv && eng->feed.ops->history && eng->cfg.prefetch) {
    if (t - last > 2 * iv) {
      emit_status(eng, ARGO_STATUS_GAP_FILLING);
      reported = 1;
    }
    /* Day by day, so that each downloaded candle lands in its own day's folder when the gap
     * crosses midnight. */
    int64_t from = last + iv;
    while (from < t && !eng->fatal) {
      int64_t day_end = argo__day_start(argo__day_of(from) + 1);
      int64_t to = t < day_end ? t : day_end;
      if (argo__day_of(from) > eng->sess.day && change_day(eng, from) != ARGO_OK) {
        return;
      }
      download(eng, sym, from, to);
      from = to;
    }
  }
  if (eng->await_running || reported) {
    eng->await_running = 0;
    emit_status(eng, ARGO_STATUS_RUNNING);
  }
}

static argo_err setup(argo_engine *eng) {
  char err[ARGO_ERRMSG_MAX];
  argo__settings *s = &eng->cfg;
  argo_err rc;
  /* A replay without symbols given replays every symbol of its file. */
  if (strcmp(s->feed, "replay") == 0 && (!s->symbols_set || s->nsymbols == 0) && s->replay_file) {
    rc = argo__feed_replay_symbols(s->replay_file, &eng->replay_symbols, &eng->nreplay_symbols, err,
                                   sizeof err);
    if (rc) {
      return set_err(eng, rc, "%s", err);
    }
    for (size_t i = 0; i < eng->nreplay_symbols; i++) {
      if (!argo__symbol_valid(eng->replay_symbols[i])) {
        return set_err(eng, ARGO_EFEED,
                       "replay file '%s': '%.40s' is not a symbol (1 to 31 characters of A-Z a-z "
                       "0-9 . _ -); give --symbols to replay the others",
                       s->replay_file, eng->replay_symbols[i]);
      }
    }
    for (size_t i = 0; i < s->nsymbols; i++) {
      free(s->symbols[i]);
    }
    free(s->symbols);
    s->symbols = eng->replay_symbols;
    s->nsymbols = eng->nreplay_symbols;
    eng->replay_symbols = NULL; /* now owned by the settings */
    eng->nreplay_symbols = 0;
  }
  if (s->nsymbols == 0) {
    return set_err(eng, ARGO_ECONFIG, "no symbols to trade");
  }
  /* Symbols, indexed. */
  eng->symbols = s->symbols;
  eng->nsym = s->nsymbols;
  for (size_t i = 0; i < eng->nsym; i++) {
    if (argo__map_put(&eng->symidx, eng->symbols[i], (void *)(uintptr_t)(i + 1)) != 0) {
      return set_err(eng, ARGO_ENOMEM, "out of memory");
    }
  }
  /* Before anything is handed to the publisher: its market_data.symbol is their ENUM. */
  if (argo__pub_set_symbols(eng->pub, (const char *const *)eng->symbols, eng->nsym) != ARGO_OK) {
    return set_err(eng, ARGO_ENOMEM, "out of memory");
  }
  eng->win_cap = s->candle_window > 0 ? (size_t)s->candle_window : 1;
  eng->win = calloc(eng->nsym * eng->win_cap, sizeof *eng->win);
  eng->win_head = calloc(eng->nsym, sizeof *eng->win_head);
  eng->win_len = calloc(eng->nsym, sizeof *eng->win_len);
  eng->spos = calloc(eng->nsym, sizeof *eng->spos);
  eng->bpos = calloc(eng->nsym, sizeof *eng->bpos);
  eng->last_stored = calloc(eng->nsym, sizeof *eng->last_stored);
  eng->seen_live = calloc(eng->nsym, sizeof *eng->seen_live);
  if (!eng->win || !eng->win_head || !eng->win_len || !eng->spos || !eng->bpos ||
      !eng->last_stored || !eng->seen_live) {
    return set_err(eng, ARGO_ENOMEM, "out of memory for the candle window");
  }
  /* Strategy: resolve, create, initialize (before anything is written). */
  rc = argo__strategy_resolve(eng->strategy_spec, &eng->stable, &eng->sdl, err, sizeof err);
  if (rc) {
    return set_err(eng, rc, "%s", err);
  }
  eng->sdef = &eng->stable;
  const char *names[3] = {eng->sdef->name, eng->sdef->id, eng->sdef->version};
  for (int i = 0; i < 3; i++) {
    if (names[i] && !argo__utf8_valid(names[i])) {
      return set_err(eng, ARGO_EPLUGIN, "strategy '%s': its %s is not valid UTF-8",
                     eng->strategy_spec,
                     i == 0   ? "name"
                     : i == 1 ? "id"
                              : "version");
    }
  }
  json_error_t jerr;
  eng->sctx.config = json_loads(eng->strategy_config, 0, &jerr);
  if (!eng->sctx.config || !json_is_object(eng->sctx.config)) {
    return set_err(eng, ARGO_ECONFIG, "strategy configuration is not a JSON object: %s",
                   eng->sctx.config ? "not an object" : jerr.text);
  }
  eng->sobj = eng->sdef->create(&eng->host, &eng->sctx);
  if (!eng->sobj) {
    return set_err(eng, ARGO_ESTRATEGY, "strategy %s could not be created", eng->sdef->name);
  }
  /* Feed. */
  eng->hooks = (argo__feed_hooks){hook_status, hook_error, hook_progress, eng};
  rc = ARGO_OK;
  if (eng->has_user_feed) {
    eng->feed.ops = &user_feed_ops;
    eng->feed.impl = eng;
  } else if (strcmp(s->feed, "sim") == 0) {
    rc = argo__feed_sim_open(&eng->feed, s, &eng->waker, err, sizeof err);
  } else if (strcmp(s->feed, "replay") == 0) {
    rc = argo__feed_replay_open(&eng->feed, s, &eng->waker, &eng->hooks, err, sizeof err);
  } else if (strcmp(s->feed, "binance") == 0) {
    argo__binance_opts bo;
    argo__binance_opts_default(&bo);
    bo.max_attempts = (int)s->max_reconnects;
    rc =
        argo__feed_binance_open_opts(&eng->feed, s, &eng->waker, &eng->hooks, &bo, err, sizeof err);
  } else {
    return set_err(eng, ARGO_ECONFIG, "market_data.feed '%s' is not a feed (sim, replay, binance)",
                   s->feed);
  }
  if (rc) {
    return set_err(eng, rc, "%s", err);
  }
  eng->feed_open = 1;
  /* Broker (its order ids need the session id, so the session comes first, but the session
   * must not start before everything that can fail on bad input has been checked). */
  eng->sctx.strategy_error[0] = '\0';
  strategy_enter(eng, "initialize");
  int irc = eng->sdef->initialize(eng->sobj, eng->strategy_config);
  if (strategy_leave(eng)) {
    return ARGO_EHUNG; /* the watchdog ended the session and said why */
  }
  if (irc != 0) {
    return set_err(eng, ARGO_ESTRATEGY, "strategy %s rejected its configuration: %s",
                   eng->sdef->name,
                   eng->sctx.strategy_error[0] ? eng->sctx.strategy_error : "initialize failed");
  }
  rc = argo__stats_new(&eng->stats, s->capital, eng->nsym);
  if (rc) {
    return set_err(eng, rc, "out of memory");
  }
  /* Finalize what earlier sessions left behind in a crash, before claiming a run number; then
   * continue their mark and log ids (docs/design.md section 4: ids keep increasing across a
   * restart). */
  if (argo__fs_is_dir(s->data_output)) {
    argo__recover_all(s->data_output, on_recover, eng, NULL);
    argo__history_last_ids(s->data_output, &eng->mark_id, &eng->log_id, on_history_problem, eng);
  }
  int64_t clock = eng->feed.ops->clock_start(eng->feed.impl);
  if (!argo__time_ok(clock)) {
    char ts[40];
    argo_time_format(clock, ts, sizeof ts);
    return set_err(
        eng, ARGO_EFEED,
        "the %s feed's clock (clock_start) starts at %s, which is not " ARGO__TIME_RANGE,
        eng->has_user_feed && eng->user_feed.name ? eng->user_feed.name : eng->feed.ops->name, ts);
  }
  /* What a warm restart resumes, read before anything is written. */
  warm w;
  rc = warm_load(eng, clock, &w);
  if (rc) {
    return rc;
  }
  /* Session: claim the run folder. */
  rc = argo__session_open(&eng->sess, s->data_output, clock, err, sizeof err);
  if (rc) {
    warm_free(&w);
    return set_err(eng, rc, "%s", err);
  }
  eng->last_event = clock;           /* last_updated before the first event: the session's start */
  eng->day_lock = eng->sess.lock_fd; /* claimed with the folder */
  eng->sess.lock_fd = -1;
  argo__broker_cfg bc = {
      .capital = s->capital,
      .commission = strcmp(s->commission_model, "zero") == 0        ? ARGO_COMMISSION_ZERO
                    : strcmp(s->commission_model, "per_share") == 0 ? ARGO_COMMISSION_PER_SHARE
                                                                    : ARGO_COMMISSION_PERCENTAGE,
      .rate = s->commission_rate,
      .per_share = s->commission_per_share,
      .minimum = s->commission_minimum,
      .id_prefix = eng->sess.id_prefix,
      .strategy_name = eng->sdef->name,
  };
  argo__broker_sink sink = {.order = sink_order, .fill = sink_fill, .user = eng};
  rc = argo__broker_new(&eng->broker, &bc, (const char *const *)eng->symbols, eng->nsym, &sink);
  if (rc) {
    warm_free(&w);
    return set_err(eng, rc, "cannot create the paper broker");
  }
  warm_start(eng, &w);
  warm_free(&w);
  if (atomic_load(&eng->abandoned)) {
    return ARGO_EHUNG; /* the watchdog ended the session during the warm-up */
  }
  if (s->journal) {
    rc = argo__journal_open(&eng->jr, eng->sess.run_dir, s->group_commit_us, &eng->waker, err,
                            sizeof err);
    if (rc) {
      return set_err(eng, rc, "%s", err);
    }
    if (journal_day(eng) != ARGO_OK) {
      return set_err(eng, ARGO_ENOMEM, "out of memory");
    }
  }
  if (add_day_dir(eng) != ARGO_OK) {
    return set_err(eng, ARGO_ENOMEM, "out of memory");
  }
  /* The first day's files exist (empty) before the first candle: written here, while DuckDB
   * may still be starting on the publisher's thread. */
  argo__pub_begin_day(eng->pub, eng->sess.run_dir);
  flush_early_logs(eng);
  snapshot_stats(eng, "running");
  /* The journal's first record is durable before the first file is written: a crash while
   * they are written is then recovered from it (files completed, stats.yaml crashed_recovered)
   * rather than leaving a folder whose stats.yaml says running and whose journal is empty. */
  if (eng->jr && (rc = argo__journal_sync(eng->jr, err, sizeof err)) != ARGO_OK) {
    return set_err(eng, rc, "%s", err);
  }
  rc = argo__pub_write_day_files(eng->pub, err, sizeof err);
  if (rc) {
    return set_err(eng, rc, "%s", err);
  }
  eng->waker.hook = idle_hook;
  eng->waker.hook_user = eng;
  return ARGO_OK;
}

/* The status of the session's last day (docs/statistics.md): finished when its feed ended,
 * failed when an error ended it, stopped when it was asked to stop before that; with the reason
 * in stop_reason. */
static const char *final_status(argo_engine *eng) {
  if (eng->fatal) {
    argo__fmt(eng->stop_reason, sizeof eng->stop_reason, "failed: %s", eng->fatal_msg);
    return "failed";
  }
  /* A feed may answer a stop request with its end: the request is what ended the session. */
  if (argo__waker_stopped(&eng->waker) || !eng->feed_ended) {
    const char *why = atomic_load(&eng->stop_why);
    argo__fmt(eng->stop_reason, sizeof eng->stop_reason, "%s",
              why ? why : "stopped on request before the feed's end (argo_engine_stop)");
    return "stopped";
  }
  eng->stop_reason[0] = '\0';
  return "finished";
}

static void finish(argo_engine *eng) {
  char err[ARGO_ERRMSG_MAX];
  eng->waker.hook = NULL;
  if (eng->sdef->on_stop) {
    strategy_enter(eng, "on_stop");
    eng->sdef->on_stop(eng->sobj);
    if (strategy_leave(eng)) {
      return;
    }
    deliver_notes(eng);
  }
  snapshot_stats(eng, final_status(eng));
  if (eng->jr) {
    argo__journal_end(eng->jr);
  }
  argo_err rc = argo__pub_sync(eng->pub, err, sizeof err);
  poll_publisher(eng);
  if (rc) {
    fail_session(eng, rc, err);
  }
  if (eng->jr) {
    char jerr[ARGO_ERRMSG_MAX];
    argo_err jrc = argo__journal_close(eng->jr, jerr, sizeof jerr);
    if (jrc) {
      fail_session(eng, jrc, jerr);
    } else if (rc == ARGO_OK) {
      /* Clean end: the Parquet files and stats.yaml alone are the record now. */
      char path[ARGO_PATH_MAX + 128];
      snprintf(path, sizeof path, "%s/%s", eng->sess.run_dir, ARGO_JOURNAL_NAME);
      if (unlink(path) != 0 && errno != ENOENT) {
        argo__fmt_errno(jerr, sizeof jerr, errno, "cannot remove '%s'", path);
        emit_error(eng, ARGO_EIO, jerr);
      } else if (argo__fs_fsync_dir(eng->sess.run_dir, jerr, sizeof jerr) != 0) {
        emit_error(eng, ARGO_EIO, jerr);
      }
    }
  }
  /* The lock file goes with the session (recovery takes the lock itself when a journal was
   * left for it: the final publication failed). */
  argo__session_unlock(eng->sess.run_dir, eng->day_lock, 1);
  eng->day_lock = -1;
  fire_due(eng);
  if (eng->ev_len) {
    /* What could not be made durable is not acknowledged. */
    char msg[ARGO_ERRMSG_MAX];
    argo__fmt(msg, sizeof msg,
              "%zu callbacks were not delivered because their rows could not be "
              "published",
              eng->ev_len);
    free_events(eng);
    if (eng->cb.on_error) {
      CALLBACK(eng, eng->cb.on_error(eng, ARGO_EIO, msg, eng->user));
    }
  }
}

/* ---- a strategy that does not return (watchdog thread) ---------------------------------- */

static int watch_stop_requested(void *user) {
  return argo__waker_stopped(&((argo_engine *)user)->waker);
}

static void watch_report(argo_engine *eng, int64_t wait_us, const char *msg) {
  if (eng->cb.on_error) {
    int in = cb_enter(eng, wait_us);
    eng->cb.on_error(eng, ARGO_EHUNG, msg, eng->user);
    cb_leave(eng, in);
  }
}

static void watch_slow(void *user, const char *what, int64_t running_us) {
  argo_engine *eng = user;
  char msg[ARGO_ERRMSG_MAX];
  argo__fmt(msg, sizeof msg,
            "strategy %s has not returned from %s for %.1f s (engine.callback_warn); the session "
            "waits for it, Ctrl-C ends it after engine.stop_grace",
            eng->sdef ? eng->sdef->name : "?", what, (double)running_us / 1e6);
  watch_report(eng, 0, msg);
}

/* The engine thread is inside the strategy and does not come back although a stop was asked for
 * engine.stop_grace ago: the session ends without it. Everything the journal holds is made
 * durable and the journal frozen, the publisher stopped where it is, and every day folder of the
 * session still open is finalized by recovery's code (status stopped, with the reason); without
 * a journal, the last day's stats.yaml says so over what was published. The engine thread, if it
 * ever comes back, touches nothing more (strategy_leave). */
static void watch_give_up(void *user, const char *what, int64_t running_us) {
  argo_engine *eng = user;
  atomic_store(&eng->abandoned, 1);
  char reason[ARGO_ERRMSG_MAX], err[ARGO_ERRMSG_MAX], msg[4096];
  argo__fmt(reason, sizeof reason,
            "stopped: strategy %s did not return from %s within %.1f s of the stop request "
            "(engine.stop_grace; it ran %.1f s); the session was ended without it",
            eng->sdef ? eng->sdef->name : "?", what, (double)eng->cfg.stop_grace_us / 1e6,
            (double)running_us / 1e6);
  if (eng->jr && argo__journal_freeze(eng->jr, err, sizeof err) != ARGO_OK) {
    watch_report(eng, 1000000, err);
  }
  argo__pub_halt(eng->pub);
  argo__recover_how how = {"stopped", reason};
  for (size_t i = 0; i < eng->ndays; i++) {
    const char *dir = eng->day_dirs[i];
    char jpath[ARGO_PATH_MAX + 128];
    snprintf(jpath, sizeof jpath, "%s/%s", dir, ARGO_JOURNAL_NAME);
    if (i + 1 < eng->ndays && !argo__fs_exists(jpath)) {
      continue; /* an earlier day the publisher finished */
    }
    argo_err rc = argo__recover_locked(dir, &how, msg, sizeof msg);
    if (rc != ARGO_OK) {
      watch_report(eng, 1000000, msg);
    }
    char lock[ARGO_PATH_MAX + 128];
    snprintf(lock, sizeof lock, "%s/.lock", dir);
    unlink(lock); /* the locks themselves go with the process */
  }
  argo__strlcpy(eng->errmsg, reason, sizeof eng->errmsg);
  watch_report(eng, 1000000, reason);
  if (eng->cb.on_engine_stop) {
    int in = cb_enter(eng, 1000000);
    eng->cb.on_engine_stop(eng, ARGO_EHUNG, reason, eng->user);
    cb_leave(eng, in);
  }
}

/* The end of argo_engine_run, whatever ended it. */
static argo_err run_end(argo_engine *eng, argo_err rc) {
  argo__watchdog_stop(eng->wd); /* waits for a give-up in progress */
  eng->wd = NULL;
  eng->running = 0;
  eng->ran = 1;
  return rc;
}

argo_err argo_engine_run(argo_engine *eng) {
  if (!eng) {
    return ARGO_EINVAL;
  }
  if (!eng->inited) {
    return set_err(eng, ARGO_ESTATE, "argo_engine_init was not called");
  }
  if (eng->ran || eng->running) {
    return set_err(eng, ARGO_ESTATE, "an engine runs once");
  }
  eng->running = 1;
  eng->errmsg[0] = '\0';
  argo__watchdog_cfg wc = {.warn_us = eng->cfg.callback_warn_us,
                           .grace_us = eng->cfg.stop_grace_us,
                           .stop_requested = watch_stop_requested,
                           .slow = watch_slow,
                           .give_up = watch_give_up,
                           .user = eng};
  if (argo__watchdog_start(&eng->wd, &eng->watch, &wc) != ARGO_OK) {
    eng->running = 0;
    eng->ran = 1;
    return set_err(eng, ARGO_ENOMEM, "cannot start the watchdog thread");
  }
  argo_err rc = setup(eng);
  if (rc == ARGO_OK && atomic_load(&eng->abandoned)) {
    rc = ARGO_EHUNG;
  }
  if (rc) {
    return run_end(eng, rc);
  }
  if (eng->cb.on_engine_start) {
    argo_engine_info info = {
        .symbols = (const char *const *)eng->symbols,
        .nsymbols = eng->nsym,
        .interval = eng->cfg.interval,
        .run_dir = eng->sess.run_dir,
        .run_name = eng->sess.run_name,
        .session_id = eng->sess.session_id,
        .data_output = eng->sess.data_output,
        .feed = !eng->has_user_feed   ? eng->cfg.feed
                : eng->user_feed.name ? eng->user_feed.name
                                      : "custom",
        .strategy_name = eng->sdef->name,
    };
    CALLBACK(eng, eng->cb.on_engine_start(eng, &info, eng->user));
  }
  prefetch(eng);
  if (!eng->await_running) {
    emit_status(eng, ARGO_STATUS_RUNNING);
  }
  char err[ARGO_ERRMSG_MAX];
  argo_err end = ARGO_OK;
  for (;;) {
    if (argo__waker_stopped(&eng->waker) || eng->fatal || atomic_load(&eng->abandoned)) {
      break;
    }
    argo_candle c;
    err[0] = '\0';
    int r = eng->feed.ops->next(eng->feed.impl, &c, err, sizeof err);
    if (r == ARGO_FEED_END) {
      eng->feed_ended = 1;
      break;
    }
    if (r == ARGO_FEED_SKIP) {
      emit_error(eng, ARGO_EFEED, err);
      continue;
    }
    if (r == ARGO_FEED_WAIT) {
      /* The feed has nothing yet: what the engine holds goes out now, as when a feed of its
       * own waits on the waker. */
      idle_hook(eng);
      continue;
    }
    if (r == ARGO_FEED_FATAL) {
      emit_error(eng, ARGO_EFEED, err);
      fail_session(eng, ARGO_EFEED, err);
      break;
    }
    if (r == ARGO_FEED_HISTORY) {
      /* A replayed session's downloaded history: warm-up, as it was in that session. */
      history_candle(eng, &c);
      poll_publisher(eng);
      fire_due(eng);
      continue;
    }
    int64_t t0 = eng->lat ? now_ns() : 0;
    process_candle(eng, &c);
    if (ARGO_UNLIKELY(atomic_load_explicit(&eng->abandoned, memory_order_relaxed))) {
      break;
    }
    if (eng->jr) {
      argo__journal_tick(eng->jr);
    }
    argo__pub_tick(eng->pub);
    poll_publisher(eng);
    fire_due(eng);
    if (ARGO_UNLIKELY(eng->lat != NULL)) {
      argo__latency *l = eng->lat;
      size_t *n = eng->traded ? &l->ntraded : &l->nplain;
      if (*n < l->cap) {
        (eng->traded ? l->traded : l->plain)[(*n)++] = now_ns() - t0;
      }
    }
  }
  if (atomic_load(&eng->abandoned)) {
    return run_end(eng, ARGO_EHUNG);
  }
  emit_status(eng, ARGO_STATUS_STOPPING);
  finish(eng);
  if (atomic_load(&eng->abandoned)) {
    return run_end(eng, ARGO_EHUNG); /* on_stop did not return */
  }
  if (eng->fatal) {
    end = eng->fatal_code;
    argo__strlcpy(eng->errmsg, eng->fatal_msg, sizeof eng->errmsg);
  }
  emit_status(eng, ARGO_STATUS_STOPPED);
  fire_due(eng);
  if (eng->cb.on_engine_stop) {
    CALLBACK(eng, eng->cb.on_engine_stop(eng, end, end ? eng->errmsg : "", eng->user));
  }
  return run_end(eng, end);
}
