/*
 * Warm-up; see warmup.h. Part of the engine: it works on the engine's state
 * (engine_private.h), and downloads through the feed's history().
 */
#include "core/warmup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/candle.h"
#include "core/day.h"
#include "core/engine_private.h"
#include "core/record.h"
#include "util/fsx.h"
#include "util/timeu.h"

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
    return argo__engine_error(eng, ARGO_EIO, "%s", err);
  }
  argo_err rc = argo__stats_yaml_parse(text, doc, err, sizeof err);
  free(text);
  if (rc) {
    return argo__engine_error(
        eng, rc, "cannot resume the account (engine.resume_account): '%s' cannot be read: %s", path,
        err);
  }
  if (!doc->has_account) {
    argo__stats_doc_free(doc);
    return argo__engine_error(
        eng, ARGO_ENOTFOUND,
        "cannot resume the account (engine.resume_account): '%s' has no account block", path);
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
    long sym = argo__candle_symbol(eng, p->symbol);
    if (sym < 0) {
      if (p->long_qty > 0 || p->short_qty > 0) {
        argo__fmt(msg, sizeof msg,
                  "resumed account: the position in %s is left out (not a symbol of this "
                  "session)",
                  p->symbol);
        argo__acks_error(&eng->acks, ARGO_ENOTFOUND, msg);
      }
      continue;
    }
    for (int side = 0; side < 2; side++) {
      double qty = side ? p->short_qty : p->long_qty;
      double px = side ? p->short_avg_price : p->long_avg_price;
      if (qty > 0 && (argo__broker_seed_position(eng->broker, (size_t)sym, side, qty, px,
                                                 doc->s.last_updated) != ARGO_OK ||
                      argo__stats_seed(eng->stats, (size_t)sym, side, qty, px,
                                       doc->s.last_updated) != ARGO_OK)) {
        argo__fmt(msg, sizeof msg,
                  "resumed account: the %s position in %s could not be taken "
                  "over (out of memory)",
                  side ? "short" : "long", p->symbol);
        argo__acks_error(&eng->acks, ARGO_ENOMEM, msg);
      }
    }
  }
  argo__stats_set_capital(eng->stats, capital);
  eng->pos_all = 1; /* seeded positions: the next snapshot reads them all */
}

void argo__warmup_free(argo__warm *w) {
  argo__stored_free(&w->st);
  if (w->have_acct) {
    argo__stats_doc_free(&w->acct);
  }
  w->have_acct = 0;
}

argo_err argo__warmup_load(argo_engine *eng, int64_t first_live, argo__warm *w) {
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
                                   argo__engine_report, eng, err, sizeof err);
  if (rc) {
    memset(&w->st, 0, sizeof w->st);
    if (eng->cfg.resume_account) {
      return argo__engine_error(eng, rc, "cannot resume the account (engine.resume_account): %s",
                                err);
    }
    argo__acks_error(&eng->acks, rc, err);
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

void argo__warmup_start(argo_engine *eng, argo__warm *w) {
  const argo__stored *st = &w->st;
  if (st->n == 0) {
    return;
  }
  argo__strlcpy(eng->resumed_from, st->resumed_from, sizeof eng->resumed_from);
  eng->warming = 1;
  for (size_t i = 0; i < st->n; i++) {
    const argo_candle *c = &st->candles[i];
    long sym = argo__candle_symbol(eng, c->symbol);
    if (sym < 0) {
      continue;
    }
    argo__candle_hold(eng, (size_t)sym, c);
    if (c->time > eng->last_stored[sym]) {
      eng->last_stored[sym] = c->time;
    }
    argo__engine_enter(eng, "on_candle (warm-up)");
    eng->sdef->on_candle(eng->sobj, c);
    if (argo__engine_left(eng)) {
      break;
    }
  }
  eng->warming = 0;
  eng->have_cur = 0;
  eng->nnotes = 0; /* orders were refused: nothing to tell */
  if (w->have_acct) {
    resume_account(eng, &w->acct);
  }
}

int argo__warmup_history(argo_engine *eng, const argo_candle *in) {
  char why[160];
  long sym = argo__candle_symbol(eng, in->symbol);
  if (sym < 0 || !argo__candle_valid(in, why, sizeof why) || in->time <= eng->last_stored[sym]) {
    return 0; /* unknown, bad, or already stored: skipped */
  }
  argo_candle c = *in;
  c.symbol = eng->symbols[sym];
  argo__record_candle(eng, (size_t)sym, &c, 1);
  argo__candle_hold(eng, (size_t)sym, &c);
  eng->last_stored[sym] = c.time;
  eng->warming = 1;
  argo__engine_enter(eng, "on_candle (history)");
  eng->sdef->on_candle(eng->sobj, &c);
  if (argo__engine_left(eng)) {
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

static int history_sink(void *user, const argo_candle *c) {
  return argo__warmup_history(user, c);
}

/* Downloads [from, to) of symbol sym through the feed's history. */
static void download(argo_engine *eng, size_t sym, int64_t from, int64_t to) {
  if (from >= to) {
    return;
  }
  char err[ARGO_ERRMSG_MAX];
  argo__history_sink sink = {history_sink, eng};
  if (eng->feed.ops->history(eng->feed.impl, eng->symbols[sym], from, to, &sink, err, sizeof err) !=
      0) {
    /* What was downloaded stays stored; the session goes on. */
    argo__acks_error(&eng->acks, ARGO_EFEED, err);
  }
}

void argo__warmup_prefetch(argo_engine *eng) {
  const argo__settings *s = &eng->cfg;
  if (!s->prefetch || !eng->feed.ops->history) {
    return;
  }
  argo__acks_status(&eng->acks, ARGO_STATUS_PREFETCHING);
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

/* The feed goes live only after the prefetch, so a candle that closed while the prefetch ran
 * was never sent live; one such candle is the usual seam and is fetched quietly, a longer gap
 * (the first live candle more than two intervals after the newest stored one) is reported as
 * status gap_filling, then running again. The first live candle of the session reports status
 * running. */
void argo__warmup_first_live(argo_engine *eng, size_t sym, int64_t t) {
  eng->seen_live[sym] = 1;
  int64_t iv = eng->cfg.interval_us;
  int64_t last = eng->last_stored[sym];
  int reported = 0;
  if (last && t - last > iv && eng->feed.ops->history && eng->cfg.prefetch) {
    if (t - last > 2 * iv) {
      argo__acks_status(&eng->acks, ARGO_STATUS_GAP_FILLING);
      reported = 1;
    }
    /* Day by day, so that each downloaded candle lands in its own day's folder when the gap
     * crosses midnight. */
    int64_t from = last + iv;
    while (from < t && !eng->fatal) {
      int64_t day_end = argo__day_start(argo__day_of(from) + 1);
      int64_t to = t < day_end ? t : day_end;
      if (argo__day_of(from) > eng->sess.day && argo__day_change(eng, from) != ARGO_OK) {
        return;
      }
      download(eng, sym, from, to);
      from = to;
    }
  }
  if (eng->await_running || reported) {
    eng->await_running = 0;
    argo__acks_status(&eng->acks, ARGO_STATUS_RUNNING);
  }
}
