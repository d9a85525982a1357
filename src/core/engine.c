/*
 * Engine: the public argo_engine object (argo.h), its lifecycle and the run loop. It owns one
 * session from start to end: the feed, the strategy instance, the broker, the statistics
 * tracker, the journal and the publisher. The work is split among the engine's own files, which
 * alone share its state (engine_private.h): setup.c starts a session, candle.c runs each
 * candle (docs/architecture.md, the per-candle path), day.c moves to the next day's folder,
 * record.c records rows and statistics, warmup.c feeds history to the strategy, giveup.c ends a
 * session whose strategy does not return, and acks.c calls the caller's callbacks, the
 * acknowledgements once their rows are durable. Every callback runs on the thread in
 * argo_engine_run, but for the watchdog's reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/jschema.h"
#include "core/candle.h"
#include "core/engine_private.h"
#include "core/giveup.h"
#include "core/record.h"
#include "core/setup.h"
#include "core/strategy_loader.h"
#include "core/warmup.h"
#include "util/fsx.h"
#include "util/mask.h"

argo_err argo__engine_error(argo_engine *eng, argo_err code, const char *fmt, ...) {
  char msg[ARGO_ERRMSG_MAX * 2];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  argo__mask_urls(msg, eng->errmsg, sizeof eng->errmsg); /* secrets of a URL never leave */
  return code;
}

void argo__engine_fail(argo_engine *eng, argo_err code, const char *msg) {
  if (!eng->fatal) {
    eng->fatal = 1;
    eng->fatal_code = code;
    /* It becomes the day's stop_reason in stats.yaml: never with a URL's secrets. */
    argo__mask_urls(msg, eng->fatal_msg, sizeof eng->fatal_msg);
  }
}

void argo__engine_report(void *user, argo_err code, const char *message) {
  argo__acks_error(&((argo_engine *)user)->acks, code, message);
}

void argo__engine_poll(argo_engine *eng) {
  argo_err code;
  char msg[ARGO_ERRMSG_MAX];
  int fatal;
  while (argo__pub_error(eng->pub, &code, msg, sizeof msg, &fatal)) {
    argo__acks_error(&eng->acks, code, msg);
    if (fatal) {
      argo__engine_fail(eng, code, msg);
    }
  }
  /* Without a working journal nothing more can be acknowledged: stop the session. */
  while (eng->jr && argo__journal_error(eng->jr, &code, msg, sizeof msg)) {
    argo__acks_error(&eng->acks, code, msg);
    argo__engine_fail(eng, code, msg);
  }
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
  argo__acks_init(&eng->acks, eng);
  eng->day_lock = -1;
  *out = eng;
  return ARGO_OK;
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
  argo__strategy_unload(eng->slib);
  if (eng->feed_open && eng->feed.ops->close) {
    eng->feed.ops->close(eng->feed.impl);
  } else if (eng->has_user_feed && eng->user_feed.close) {
    eng->user_feed.close(eng->user_feed.user); /* never opened: the caller's feed still ends */
  }
  if (eng->broker) {
    argo__broker_free(eng->broker);
  } else if (eng->has_user_broker && eng->user_broker.close) {
    eng->user_broker.close(eng->user_broker.user); /* never opened */
  }
  argo__stats_free(eng->stats);
  argo__host_free(eng->host);
  argo__acks_deinit(&eng->acks);
  free(eng->notes);
  for (size_t i = 0; i < eng->ndays; i++) {
    free(eng->day_dirs[i]);
  }
  free(eng->day_dirs);
  free(eng->win);
  free(eng->win_head);
  free(eng->win_len);
  free(eng->win_seq);
  free(eng->spos);
  free(eng->bpos);
  free(eng->pos_dirty);
  free(eng->pos_dlist);
  free(eng->last_stored);
  free(eng->seen_live);
  argo__map_free(&eng->symidx);
  free(eng->strategy_spec);
  free(eng->strategy_config);
  argo__settings_free(&eng->cfg);
  argo__waker_deinit(&eng->waker);
  free(eng);
}

const char *argo_engine_errmsg(const argo_engine *eng) {
  return eng ? eng->errmsg : "no engine";
}

argo_err argo_engine_init(argo_engine *eng, const argo_config *cfg) {
  if (!eng || !cfg) {
    return ARGO_EINVAL;
  }
  if (eng->running || eng->ran) {
    return argo__engine_error(eng, ARGO_ESTATE, "the engine has already run");
  }
  argo__settings copy;
  memset(&copy, 0, sizeof copy);
  if (argo__settings_copy(&copy, argo__config_settings(cfg)) != ARGO_OK) {
    return argo__engine_error(eng, ARGO_ENOMEM, "out of memory");
  }
  argo__settings_free(&eng->cfg);
  eng->cfg = copy;
  char *spec = argo__strdup(eng->cfg.strategy);
  char *conf = argo__strdup(eng->cfg.strategy_config ? eng->cfg.strategy_config : "{}");
  if (!spec || !conf) {
    free(spec);
    free(conf);
    return argo__engine_error(eng, ARGO_ENOMEM, "out of memory");
  }
  free(eng->strategy_spec);
  free(eng->strategy_config);
  eng->strategy_spec = spec;
  eng->strategy_config = conf;
  /* The publisher starts here: its thread opens DuckDB while the caller goes on (callbacks,
   * argo_engine_run and its setup: recovery, the run folder, warm-up, the journal). It is handed
   * nothing before the journal exists (setup.c gives it the journal's write-ahead interface). */
  argo__pub_free(eng->pub);
  eng->pub = NULL;
  argo__acks_set_durability(&eng->acks, NULL, NULL);
  const argo__settings *st = &eng->cfg;
  argo__pub_cfg pc = {.min_gap_us = st->publish_interval_us / 4,
                      .duck_threads = 1,
                      .day_end_remove = st->journal ? ARGO_JOURNAL_NAME : ""};
  char err[ARGO_ERRMSG_MAX];
  argo_err rc = argo__pub_start(&eng->pub, &pc, &eng->waker, err, sizeof err);
  if (rc) {
    return argo__engine_error(eng, rc, "%s", err);
  }
  argo__acks_set_durability(&eng->acks, eng->pub, NULL);
  eng->inited = 1;
  return ARGO_OK;
}

argo_err argo_engine_load_strategy(argo_engine *eng, const char *name_or_path, const char *config) {
  if (!eng || !name_or_path) {
    return ARGO_EINVAL;
  }
  if (eng->running || eng->ran) {
    return argo__engine_error(eng, ARGO_ESTATE, "the engine has already run");
  }
  argo_strategy def;
  argo__strategy_lib *lib;
  argo_err rc = argo__strategy_resolve(name_or_path, &def, &lib, eng->errmsg, sizeof eng->errmsg);
  if (rc) {
    return rc;
  }
  char why[ARGO_ERRMSG_MAX];
  rc = argo__jschema_check(def.config_schema, config ? config : "{}", why, sizeof why);
  argo__strategy_unload(lib); /* loaded again at run; this call only checks it */
  if (rc) {
    return argo__engine_error(eng, rc, "strategy %s: %s", name_or_path, why);
  }
  char *spec = argo__strdup(name_or_path);
  char *conf = argo__strdup(config ? config : "{}");
  if (!spec || !conf) {
    free(spec);
    free(conf);
    return argo__engine_error(eng, ARGO_ENOMEM, "out of memory");
  }
  free(eng->strategy_spec);
  free(eng->strategy_config);
  eng->strategy_spec = spec;
  eng->strategy_config = conf;
  eng->has_user_strategy = 0;
  return ARGO_OK;
}

argo_err argo_engine_set_strategy(argo_engine *eng, const argo_strategy *strategy,
                                  const char *config) {
  if (!eng || !strategy) {
    return ARGO_EINVAL;
  }
  if (eng->running || eng->ran) {
    return argo__engine_error(eng, ARGO_ESTATE, "the engine has already run");
  }
  argo_strategy def;
  argo_err rc = argo__strategy_adopt(strategy, &def, eng->errmsg, sizeof eng->errmsg);
  if (rc) {
    return rc;
  }
  char why[ARGO_ERRMSG_MAX];
  rc = argo__jschema_check(def.config_schema, config ? config : "{}", why, sizeof why);
  if (rc) {
    return argo__engine_error(eng, rc, "strategy %s: %s", def.name ? def.name : "", why);
  }
  char *spec = argo__strdup(def.name);
  char *conf = argo__strdup(config ? config : "{}");
  if (!spec || !conf) {
    free(spec);
    free(conf);
    return argo__engine_error(eng, ARGO_ENOMEM, "out of memory");
  }
  free(eng->strategy_spec);
  free(eng->strategy_config);
  eng->strategy_spec = spec;
  eng->strategy_config = conf;
  eng->user_strategy = def;
  eng->has_user_strategy = 1;
  return ARGO_OK;
}

argo_err argo_engine_set_feed(argo_engine *eng, const argo_feed *feed, size_t size) {
  if (!eng || !feed) {
    return ARGO_EINVAL;
  }
  if (eng->running || eng->ran) {
    return argo__engine_error(eng, ARGO_ESTATE, "the engine has already run");
  }
  argo_feed f;
  memset(&f, 0, sizeof f);
  memcpy(&f, feed, size < sizeof f ? size : sizeof f);
  if (size < offsetof(argo_feed, next) + sizeof f.next || !f.next) {
    return argo__engine_error(eng, ARGO_EINVAL,
                              "argo_engine_set_feed: the feed has no next function");
  }
  eng->user_feed = f;
  eng->has_user_feed = 1;
  return ARGO_OK;
}

argo_err argo_engine_set_broker(argo_engine *eng, const argo_broker *broker, size_t size) {
  if (!eng || !broker) {
    return ARGO_EINVAL;
  }
  if (eng->running || eng->ran) {
    return argo__engine_error(eng, ARGO_ESTATE, "the engine has already run");
  }
  argo_broker b;
  memset(&b, 0, sizeof b);
  memcpy(&b, broker, size < sizeof b ? size : sizeof b);
  if (size < offsetof(argo_broker, cancel) + sizeof b.cancel || !b.place || !b.cancel) {
    return argo__engine_error(eng, ARGO_EINVAL,
                              "argo_engine_set_broker: the broker has no place or no cancel "
                              "function");
  }
  if (eng->has_user_broker && eng->user_broker.close) {
    eng->user_broker.close(eng->user_broker.user); /* replaced before it was used */
  }
  eng->user_broker = b;
  eng->has_user_broker = 1;
  return ARGO_OK;
}

argo_err argo_engine_set_data_output(argo_engine *eng, const char *path) {
  if (!eng || !path || !*path) {
    return ARGO_EINVAL;
  }
  if (eng->running || eng->ran) {
    return argo__engine_error(eng, ARGO_ESTATE, "the engine has already run");
  }
  char *p = argo__strdup(path);
  if (!p) {
    return argo__engine_error(eng, ARGO_ENOMEM, "out of memory");
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
    return argo__engine_error(eng, ARGO_ESTATE, "callbacks cannot change while the engine runs");
  }
  argo__acks_set_callbacks(&eng->acks, cb, size, user);
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

argo_err argo_engine_get_stats(argo_engine *eng, argo_stats *out, size_t size) {
  if (!eng || !out || size < sizeof out->struct_size) {
    return ARGO_EINVAL;
  }
  if (!eng->have_stats) {
    return argo__engine_error(eng, ARGO_ESTATE, "no statistics yet: the session has not started");
  }
  size_t n = size < sizeof eng->last_stats ? size : sizeof eng->last_stats;
  memcpy(out, &eng->last_stats, n);
  out->struct_size = (uint32_t)n;
  return ARGO_OK;
}

/* ---- the run ---------------------------------------------------------------------------- */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
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
  argo__candle_broker_poll(eng, 0);
  argo__engine_poll(eng);
  argo__acks_fire(&eng->acks);
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
  argo__candle_broker_poll(eng, 0);
  if (eng->sdef->on_stop) {
    argo__engine_enter(eng, "on_stop");
    eng->sdef->on_stop(eng->sobj);
    if (argo__engine_left(eng)) {
      return;
    }
    argo__candle_notes(eng);
  }
  /* The answers to the orders still in flight (on_stop's among them) are recorded before the
   * final statistics. */
  argo__candle_broker_poll(eng, 1);
  argo__record_stats(eng, final_status(eng));
  if (eng->jr) {
    argo__journal_end(eng->jr);
  }
  argo_err rc = argo__pub_sync(eng->pub, err, sizeof err);
  argo__engine_poll(eng);
  if (rc) {
    argo__engine_fail(eng, rc, err);
  }
  if (eng->jr) {
    char jerr[ARGO_ERRMSG_MAX];
    argo_err jrc = argo__journal_close(eng->jr, jerr, sizeof jerr);
    if (jrc) {
      argo__engine_fail(eng, jrc, jerr);
    } else if (rc == ARGO_OK) {
      /* Clean end: the Parquet files and stats.yaml alone are the record now. */
      char path[ARGO_PATH_MAX + 128];
      snprintf(path, sizeof path, "%s/%s", eng->sess.run_dir, ARGO_JOURNAL_NAME);
      if (unlink(path) != 0 && errno != ENOENT) {
        argo__fmt_errno(jerr, sizeof jerr, errno, "cannot remove '%s'", path);
        argo__acks_error(&eng->acks, ARGO_EIO, jerr);
      } else if (argo__fs_fsync_dir(eng->sess.run_dir, jerr, sizeof jerr) != 0) {
        argo__acks_error(&eng->acks, ARGO_EIO, jerr);
      }
    }
  }
  /* The lock file goes with the session (recovery takes the lock itself when a journal was
   * left for it: the final publication failed). */
  argo__session_unlock(eng->sess.run_dir, eng->day_lock, 1);
  eng->day_lock = -1;
  argo__acks_fire(&eng->acks);
  size_t lost = argo__acks_drop(&eng->acks);
  if (lost) {
    /* What could not be made durable is not acknowledged. */
    char msg[ARGO_ERRMSG_MAX];
    argo__fmt(msg, sizeof msg,
              "%zu callbacks were not delivered because their rows could not be "
              "published",
              lost);
    argo__acks_error_now(&eng->acks, ARGO_EIO, msg, -1);
  }
}

/* The end of argo_engine_run, whatever ended it. */
static argo_err run_end(argo_engine *eng, argo_err rc) {
  argo__giveup_stop(eng);
  eng->running = 0;
  eng->ran = 1;
  return rc;
}

/* Tells the caller the session has started, then goes live: prefetch first, when asked. */
static void go_live(argo_engine *eng) {
  argo_engine_info info = {
      .struct_size = sizeof info,
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
  argo__acks_started(&eng->acks, &info);
  if (eng->catching_up) {
    /* What the broker learnt of the time no session ran, before any candle moves the day. */
    argo__candle_broker_poll(eng, 0);
    argo__engine_poll(eng);
    argo__acks_fire(&eng->acks);
    eng->catching_up = 0;
  }
  argo__warmup_prefetch(eng);
  if (!eng->await_running) {
    argo__acks_status(&eng->acks, ARGO_STATUS_RUNNING);
  }
}

/* The candle loop: until the feed ends, a stop is requested, an error ends the session or the
 * watchdog ended it. */
static void run_candles(argo_engine *eng) {
  char err[ARGO_ERRMSG_MAX];
  while (!argo__waker_stopped(&eng->waker) && !eng->fatal && !atomic_load(&eng->abandoned)) {
    argo_candle c;
    err[0] = '\0';
    int r = eng->feed.ops->next(eng->feed.impl, &c, err, sizeof err);
    if (r == ARGO_FEED_END) {
      eng->feed_ended = 1;
      return;
    }
    if (r == ARGO_FEED_SKIP) {
      argo__acks_error(&eng->acks, ARGO_EFEED, err);
      continue;
    }
    if (r == ARGO_FEED_WAIT) {
      /* The feed has nothing yet: what the engine holds goes out now, as when a feed of its
       * own waits on the waker. */
      idle_hook(eng);
      continue;
    }
    if (r == ARGO_FEED_FATAL) {
      argo__acks_error(&eng->acks, ARGO_EFEED, err);
      argo__engine_fail(eng, ARGO_EFEED, err);
      return;
    }
    if (r == ARGO_FEED_HISTORY) {
      /* A replayed session's downloaded history: warm-up, as it was in that session. */
      argo__warmup_history(eng, &c);
      argo__engine_poll(eng);
      argo__acks_fire(&eng->acks);
      continue;
    }
    int64_t t0 = eng->lat ? now_ns() : 0;
    argo__candle_process(eng, &c);
    if (ARGO_UNLIKELY(atomic_load_explicit(&eng->abandoned, memory_order_relaxed))) {
      return;
    }
    argo__candle_broker_poll(eng, 0);
    if (eng->jr) {
      argo__journal_tick(eng->jr);
    }
    argo__pub_tick(eng->pub);
    argo__engine_poll(eng);
    argo__acks_fire(&eng->acks);
    if (ARGO_UNLIKELY(eng->lat != NULL)) {
      argo__latency *l = eng->lat;
      size_t *n = eng->traded ? &l->ntraded : &l->nplain;
      if (*n < l->cap) {
        (eng->traded ? l->traded : l->plain)[(*n)++] = now_ns() - t0;
      }
    }
  }
}

argo_err argo_engine_run(argo_engine *eng) {
  if (!eng) {
    return ARGO_EINVAL;
  }
  if (!eng->inited) {
    return argo__engine_error(eng, ARGO_ESTATE, "argo_engine_init was not called");
  }
  if (eng->ran || eng->running) {
    return argo__engine_error(eng, ARGO_ESTATE, "an engine runs once");
  }
  eng->running = 1;
  eng->errmsg[0] = '\0';
  if (argo__giveup_start(eng) != ARGO_OK) {
    eng->running = 0;
    eng->ran = 1;
    return argo__engine_error(eng, ARGO_ENOMEM, "cannot start the watchdog thread");
  }
  argo_err rc = argo__setup_session(eng);
  if (rc == ARGO_OK && atomic_load(&eng->abandoned)) {
    rc = ARGO_EHUNG;
  }
  if (rc) {
    return run_end(eng, rc);
  }
  eng->waker.hook = idle_hook;
  eng->waker.hook_user = eng;
  go_live(eng);
  run_candles(eng);
  if (atomic_load(&eng->abandoned)) {
    return run_end(eng, ARGO_EHUNG);
  }
  argo__acks_status(&eng->acks, ARGO_STATUS_STOPPING);
  finish(eng);
  if (atomic_load(&eng->abandoned)) {
    return run_end(eng, ARGO_EHUNG); /* on_stop did not return */
  }
  argo_err end = ARGO_OK;
  if (eng->fatal) {
    end = eng->fatal_code;
    argo__strlcpy(eng->errmsg, eng->fatal_msg, sizeof eng->errmsg);
  }
  argo__acks_status(&eng->acks, ARGO_STATUS_STOPPED);
  argo__acks_fire(&eng->acks);
  argo__acks_stopped(&eng->acks, end, end ? eng->errmsg : "", -1);
  return run_end(eng, end);
}
