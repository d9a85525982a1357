/*
 * A session's start; see setup.h. Part of the engine: it works on the engine's state
 * (engine_private.h). Each step returns ARGO_OK or an error with its message set on eng; what
 * a failed step leaves is freed with the engine.
 */
#include "core/setup.h"

#include <stdlib.h>

#include "brokers/registry.h"
#include "config/jschema.h"
#include "core/candle.h"
#include "core/day.h"
#include "core/engine_private.h"
#include "core/record.h"
#include "core/strategy_loader.h"
#include "core/warmup.h"
#include "feeds/registry.h"
#include "persist/history.h"
#include "persist/recover.h"
#include "util/fsx.h"
#include "util/timeu.h"

/* ---- the host's view of the session (host.h) -------------------------------------------- */

static int host_warming(void *user) {
  return ((argo_engine *)user)->warming;
}

static int host_ended(void *user) {
  return atomic_load(&((argo_engine *)user)->abandoned);
}

static const argo_candle *host_candle(void *user) {
  argo_engine *eng = user;
  return eng->have_cur ? &eng->cur : NULL;
}

static int64_t host_now(void *user) {
  argo_engine *eng = user;
  return eng->have_cur ? eng->cur.time : eng->sess.start_us;
}

static long host_symbol(void *user, const char *symbol) {
  argo_engine *eng = user;
  /* A strategy mostly names the symbol of the candle in hand, by the pointer it was given:
   * no hashing then (an indicator shortcut costs tens of nanoseconds in all). */
  if (eng->have_cur && symbol == eng->symbols[eng->cur_sym]) {
    return (long)eng->cur_sym;
  }
  return argo__candle_symbol(eng, symbol);
}

static size_t host_recent(void *user, size_t sym, argo_candle *out, size_t n) {
  return argo__candle_recent(user, sym, out, n);
}

static uint64_t host_window(void *user, size_t sym, const argo_candle **a, size_t *na,
                            const argo_candle **b, size_t *nb) {
  return argo__candle_window(user, sym, a, na, b, nb);
}

static const char *host_calling(void *user) {
  argo_engine *eng = user;
  return eng->in_call ? atomic_load_explicit(&eng->watch.what, memory_order_relaxed) : NULL;
}

static const char *host_data_output(void *user) {
  return ((argo_engine *)user)->cfg.data_output;
}

static uint64_t host_folders(void *user) {
  return ((argo_engine *)user)->ndays;
}

static void host_mark(void *user, const argo_mark *m) {
  argo__record_mark(user, m);
}

static void host_log(void *user, int level, const char *message, const char *fields) {
  argo__record_log(user, level, message, fields);
}

/* ---- the feed's hooks (feed.h) ---------------------------------------------------------- */

static void hook_status(void *user, argo_engine_status status) {
  argo__acks_status(&((argo_engine *)user)->acks, status);
}

static void hook_progress(void *user, const char *symbol, int64_t done, int64_t total) {
  argo__acks_progress(&((argo_engine *)user)->acks, symbol, done, total);
}

static void on_recover(const char *run_dir, argo_err status, const char *message, void *user) {
  argo_engine *eng = user;
  if (status == ARGO_OK) {
    argo__acks_recovered(&eng->acks, run_dir, message);
  } else {
    argo__acks_error(&eng->acks, status, message);
  }
}

/* ---- the steps -------------------------------------------------------------------------- */

/* The session's symbols, indexed, and everything kept per symbol. A feed that can tell (a
 * replay of a file) gives them when none were named. */
static argo_err setup_symbols(argo_engine *eng) {
  char err[ARGO_ERRMSG_MAX];
  argo__settings *s = &eng->cfg;
  const argo__feed_entry *fe = argo__feed_find(s->feed, err, sizeof err);
  if (fe && fe->symbols && (!s->symbols_set || s->nsymbols == 0)) {
    char **syms;
    size_t n;
    argo_err rc = fe->symbols(s, &syms, &n, err, sizeof err);
    if (rc) {
      return argo__engine_error(eng, rc, "%s", err);
    }
    if (syms) {
      for (size_t i = 0; i < s->nsymbols; i++) {
        free(s->symbols[i]);
      }
      free(s->symbols);
      s->symbols = syms; /* now owned by the settings */
      s->nsymbols = n;
    }
  }
  if (s->nsymbols == 0) {
    return argo__engine_error(eng, ARGO_ECONFIG, "no symbols to trade");
  }
  eng->symbols = s->symbols;
  eng->nsym = s->nsymbols;
  for (size_t i = 0; i < eng->nsym; i++) {
    if (argo__map_put(&eng->symidx, eng->symbols[i], (void *)(uintptr_t)(i + 1)) != 0) {
      return argo__engine_error(eng, ARGO_ENOMEM, "out of memory");
    }
  }
  /* Before anything is handed to the publisher: its market_data.symbol is their ENUM. */
  if (argo__pub_set_symbols(eng->pub, (const char *const *)eng->symbols, eng->nsym) != ARGO_OK) {
    return argo__engine_error(eng, ARGO_ENOMEM, "out of memory");
  }
  eng->win_cap = s->candle_window > 0 ? (size_t)s->candle_window : 1;
  eng->win = calloc(eng->nsym * eng->win_cap, sizeof *eng->win);
  eng->win_head = calloc(eng->nsym, sizeof *eng->win_head);
  eng->win_len = calloc(eng->nsym, sizeof *eng->win_len);
  eng->win_seq = calloc(eng->nsym, sizeof *eng->win_seq);
  eng->spos = calloc(eng->nsym, sizeof *eng->spos);
  eng->bpos = calloc(eng->nsym, sizeof *eng->bpos);
  eng->pos_dirty = calloc(eng->nsym ? eng->nsym : 1, sizeof *eng->pos_dirty);
  eng->pos_dlist = calloc(eng->nsym ? eng->nsym : 1, sizeof *eng->pos_dlist);
  eng->pos_all = 1;
  eng->last_stored = calloc(eng->nsym, sizeof *eng->last_stored);
  eng->seen_live = calloc(eng->nsym, sizeof *eng->seen_live);
  if (!eng->win || !eng->win_head || !eng->win_len || !eng->win_seq || !eng->spos || !eng->bpos ||
      !eng->pos_dirty || !eng->pos_dlist || !eng->last_stored || !eng->seen_live) {
    return argo__engine_error(eng, ARGO_ENOMEM, "out of memory for the candle window");
  }
  return ARGO_OK;
}

/* The strategy: resolved, given its host, created (before anything is written). */
static argo_err create_strategy(argo_engine *eng) {
  char err[ARGO_ERRMSG_MAX];
  argo_err rc = ARGO_OK;
  if (eng->has_user_strategy) {
    eng->stable = eng->user_strategy;
    eng->slib = NULL;
  } else {
    rc = argo__strategy_resolve(eng->strategy_spec, &eng->stable, &eng->slib, err, sizeof err);
  }
  if (rc) {
    return argo__engine_error(eng, rc, "%s", err);
  }
  eng->sdef = &eng->stable;
  const char *names[3] = {eng->sdef->name, eng->sdef->id, eng->sdef->version};
  for (int i = 0; i < 3; i++) {
    if (names[i] && !argo__utf8_valid(names[i])) {
      return argo__engine_error(eng, ARGO_EPLUGIN, "strategy '%s': its %s is not valid UTF-8",
                                eng->strategy_spec,
                                i == 0   ? "name"
                                : i == 1 ? "id"
                                         : "version");
    }
  }
  /* The configuration against the strategy's config_schema: a misspelt key, a wrong type or a
   * value out of range is refused here, before anything is written (config/jschema.h). */
  rc = argo__jschema_check(eng->sdef->config_schema, eng->strategy_config, err, sizeof err);
  if (rc) {
    return argo__engine_error(eng, rc, "strategy %s: %s", eng->sdef->name, err);
  }
  argo__host_session view = {.warming = host_warming,
                             .ended = host_ended,
                             .candle = host_candle,
                             .now = host_now,
                             .symbol = host_symbol,
                             .recent = host_recent,
                             .window = host_window,
                             .calling = host_calling,
                             .data_output = host_data_output,
                             .folders = host_folders,
                             .mark = host_mark,
                             .log = host_log,
                             .user = eng};
  rc = argo__host_new(&eng->host, &view, eng->strategy_config, eng->cfg.capital, err, sizeof err);
  if (rc) {
    return argo__engine_error(eng, rc, "%s", err);
  }
  eng->sobj = argo__strategy_create(eng->slib, eng->sdef, argo__host_api(eng->host),
                                    argo__host_ctx(eng->host));
  if (!eng->sobj) {
    return argo__engine_error(eng, ARGO_ESTRATEGY, "strategy %s could not be created",
                              eng->sdef->name);
  }
  return ARGO_OK;
}

/* The feed: the caller's own, or the one market_data.feed names. */
static argo_err open_feed(argo_engine *eng) {
  char err[ARGO_ERRMSG_MAX];
  eng->hooks = (argo__feed_hooks){hook_status, argo__engine_report, hook_progress, eng};
  if (eng->has_user_feed) {
    argo__feed_custom_open(&eng->feed, &eng->user_feed);
  } else {
    const argo__feed_entry *fe = argo__feed_find(eng->cfg.feed, err, sizeof err);
    if (!fe) {
      return argo__engine_error(eng, ARGO_ECONFIG, "%s", err);
    }
    argo_err rc = fe->open(&eng->feed, &eng->cfg, &eng->waker, &eng->hooks, err, sizeof err);
    if (rc) {
      return argo__engine_error(eng, rc, "%s", err);
    }
  }
  eng->feed_open = 1;
  return ARGO_OK;
}

/* The strategy's initialize, with its configuration. */
static argo_err initialize_strategy(argo_engine *eng) {
  argo__host_clear_strategy_error(eng->host);
  argo__engine_enter(eng, "initialize");
  int irc = eng->sdef->initialize(eng->sobj, eng->strategy_config);
  if (argo__engine_left(eng)) {
    return ARGO_EHUNG; /* the watchdog ended the session and said why */
  }
  if (irc != 0) {
    const char *why = argo__host_strategy_error(eng->host);
    return argo__engine_error(eng, ARGO_ESTRATEGY, "strategy %s rejected its configuration: %s",
                              eng->sdef->name, why[0] ? why : "initialize failed");
  }
  argo_err rc = argo__stats_new(&eng->stats, eng->cfg.capital, eng->nsym);
  if (rc) {
    return argo__engine_error(eng, rc, "out of memory");
  }
  return ARGO_OK;
}

/* Finalizes what earlier sessions left behind in a crash, before claiming a run number; then
 * continues their mark and log ids (docs/design.md section 4: ids keep increasing across a
 * restart). */
static void recover_earlier(argo_engine *eng) {
  const char *out = eng->cfg.data_output;
  if (argo__fs_is_dir(out)) {
    argo__recover_all(out, on_recover, eng, NULL);
    argo__history_last_ids(out, &eng->mark_id, &eng->log_id, argo__engine_report, eng);
  }
}

/* The session's clock at its start, from the feed. */
static argo_err start_clock(argo_engine *eng, int64_t *clock) {
  *clock = eng->feed.ops->clock_start(eng->feed.impl);
  if (!argo__time_ok(*clock)) {
    char ts[40];
    argo_time_format(*clock, ts, sizeof ts);
    return argo__engine_error(
        eng, ARGO_EFEED,
        "the %s feed's clock (clock_start) starts at %s, which is not " ARGO__TIME_RANGE,
        eng->has_user_feed && eng->user_feed.name ? eng->user_feed.name : eng->feed.ops->name, ts);
  }
  return ARGO_OK;
}

/* The run folder claimed, then the broker, whose order ids need the session's id (so the
 * session comes first, but only once everything that can fail on bad input was checked). */
static argo_err open_session(argo_engine *eng, int64_t clock) {
  char err[ARGO_ERRMSG_MAX];
  argo__settings *s = &eng->cfg;
  argo_err rc = argo__session_open(&eng->sess, s->data_output, clock, err, sizeof err);
  if (rc) {
    return argo__engine_error(eng, rc, "%s", err);
  }
  eng->last_event = clock;           /* last_updated before the first event: the session's start */
  eng->day_lock = eng->sess.lock_fd; /* claimed with the folder */
  eng->sess.lock_fd = -1;
  argo__broker_args args = {.settings = s,
                            .symbols = (const char *const *)eng->symbols,
                            .nsymbols = eng->nsym,
                            .id_prefix = eng->sess.id_prefix,
                            .strategy_name = eng->sdef->name,
                            .sink = argo__candle_sink(eng)};
  if (eng->has_user_broker) {
    rc = argo__broker_custom_open(&eng->broker, &eng->user_broker, &args, err, sizeof err);
  } else {
    const argo__broker_entry *be = argo__broker_find(s->broker, err, sizeof err);
    if (!be) {
      return argo__engine_error(eng, ARGO_ECONFIG, "%s", err);
    }
    /* A live broker asks the exchange what became of the orders earlier sessions left open
     * (recovery has finalized their folders by now). */
    argo__prior prior = {NULL, 0};
    if (be->live &&
        argo__history_live_orders(s->data_output, &prior, argo__engine_report, eng) != ARGO_OK) {
      return argo__engine_error(eng, ARGO_ENOMEM, "out of memory reading the open orders");
    }
    args.prior = &prior;
    rc = be->open(&eng->broker, &args, err, sizeof err);
    argo__prior_free(&prior);
  }
  if (rc) {
    return argo__engine_error(eng, rc, "%s", err);
  }
  argo__host_set_broker(eng->host, eng->broker);
  return ARGO_OK;
}

/* A live broker asks the exchange what became of the orders earlier sessions left open; when
 * something happened to them on a day before this session's start (the session was down over
 * a midnight), the session's first day folder is that day, so that each change is recorded in
 * the folder of the day it happened. Reported at the first poll (go_live). */
static argo_err catch_up(argo_engine *eng) {
  if (!eng->broker || !eng->broker->ops->catch_up) {
    return ARGO_OK;
  }
  eng->catching_up = 1;
  int64_t first = argo__broker_catch_up(eng->broker);
  if (first <= 0 || !argo__time_ok(first) || argo__day_of(first) >= eng->sess.day) {
    return ARGO_OK;
  }
  char err[ARGO_ERRMSG_MAX];
  if (argo__session_rewind(&eng->sess, first, &eng->day_lock, err, sizeof err) != ARGO_OK) {
    return argo__engine_error(eng, ARGO_EIO, "%s", err);
  }
  return ARGO_OK;
}

/* The journal (engine.journal), before any row: from here on acknowledgements wait for it, and
 * the publisher loads only what it holds. */
static argo_err open_journal(argo_engine *eng) {
  char err[ARGO_ERRMSG_MAX];
  if (!eng->cfg.journal) {
    return ARGO_OK;
  }
  argo_err rc = argo__journal_open(&eng->jr, eng->sess.run_dir, eng->cfg.group_commit_us,
                                   &eng->waker, err, sizeof err);
  if (rc) {
    return argo__engine_error(eng, rc, "%s", err);
  }
  argo__wal wal = argo__journal_wal(eng->jr);
  argo__pub_set_wal(eng->pub, &wal);
  argo__acks_set_durability(&eng->acks, eng->pub, eng->jr);
  if (argo__day_journal(eng) != ARGO_OK) {
    return argo__engine_error(eng, ARGO_ENOMEM, "out of memory");
  }
  return ARGO_OK;
}

/* The first day's files exist (empty) before the first candle: written here, while DuckDB may
 * still be starting on the publisher's thread. */
static argo_err first_day(argo_engine *eng) {
  char err[ARGO_ERRMSG_MAX];
  argo_err rc;
  if (argo__day_add_dir(eng) != ARGO_OK) {
    return argo__engine_error(eng, ARGO_ENOMEM, "out of memory");
  }
  argo__pub_begin_day(eng->pub, eng->sess.run_dir);
  argo__record_stats(eng, "running");
  /* The journal's first record is durable before the first file is written: a crash while
   * they are written is then recovered from it (files completed, stats.yaml crashed_recovered)
   * rather than leaving a folder whose stats.yaml says running and whose journal is empty. */
  if (eng->jr && (rc = argo__journal_sync(eng->jr, err, sizeof err)) != ARGO_OK) {
    return argo__engine_error(eng, rc, "%s", err);
  }
  rc = argo__pub_write_day_files(eng->pub, err, sizeof err);
  if (rc) {
    return argo__engine_error(eng, rc, "%s", err);
  }
  return ARGO_OK;
}

argo_err argo__setup_session(argo_engine *eng) {
  argo_err rc;
  int64_t clock;
  argo__warm w;
  if ((rc = setup_symbols(eng)) != ARGO_OK || (rc = create_strategy(eng)) != ARGO_OK ||
      (rc = open_feed(eng)) != ARGO_OK || (rc = initialize_strategy(eng)) != ARGO_OK) {
    return rc;
  }
  recover_earlier(eng);
  if ((rc = start_clock(eng, &clock)) != ARGO_OK) {
    return rc;
  }
  /* What a warm restart resumes is read before anything is written; it goes through the
   * strategy once the broker exists. */
  if ((rc = argo__warmup_load(eng, clock, &w)) != ARGO_OK) {
    return rc;
  }
  rc = open_session(eng, clock);
  if (rc == ARGO_OK) {
    argo__warmup_start(eng, &w);
  }
  argo__warmup_free(&w);
  if (rc == ARGO_OK && atomic_load(&eng->abandoned)) {
    rc = ARGO_EHUNG; /* the watchdog ended the session during the warm-up */
  }
  if (rc == ARGO_OK && (rc = catch_up(eng)) == ARGO_OK && (rc = open_journal(eng)) == ARGO_OK) {
    rc = first_day(eng);
  }
  return rc;
}
