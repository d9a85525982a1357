/*
 * Day folders; see day.h. Part of the engine: it works on the engine's state
 * (engine_private.h).
 */
#include "core/day.h"

#include <stdlib.h>
#include <string.h>

#include "core/engine_private.h"
#include "core/record.h"

argo_err argo__day_add_dir(argo_engine *eng) {
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

argo_err argo__day_journal(argo_engine *eng) {
  if (!eng->jr) {
    return ARGO_OK;
  }
  void *state = NULL;
  size_t len = 0;
  argo_err rc = argo__stats_save(eng->stats, &state, &len);
  if (rc) {
    return rc;
  }
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
  argo__acks_wait(&eng->acks, eng->day_marks[0]);
  memmove(eng->day_marks, eng->day_marks + 1, (DAYS_AHEAD - 1) * sizeof eng->day_marks[0]);
  eng->nday_marks--;
}

/* docs/design.md section 3: finalize the day, open the next one with the same run number. */
argo_err argo__day_change(argo_engine *eng, int64_t t) {
  wait_day_marks(eng);
  argo__record_stats(eng, "finished");
  char err[ARGO_ERRMSG_MAX];
  int rc = argo__session_advance(&eng->sess, t, err, sizeof err);
  int lock = eng->sess.lock_fd;
  eng->sess.lock_fd = -1;
  if (rc < 0) {
    /* The day goes on where it is; the session stops and finish() closes the day as usual. */
    argo__acks_error(&eng->acks, ARGO_EIO, err);
    argo__engine_fail(eng, ARGO_EIO, err);
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
  if (argo__day_add_dir(eng) != ARGO_OK) {
    argo__engine_fail(eng, ARGO_ENOMEM, "out of memory");
    return ARGO_ENOMEM;
  }
  if (eng->sess.collision[0]) {
    argo__acks_error(&eng->acks, ARGO_EEXIST, eng->sess.collision);
  }
  argo__stats_new_day(eng->stats);
  eng->candles_day = 0;
  if (argo__day_journal(eng) != ARGO_OK) {
    argo__engine_fail(eng, ARGO_ENOMEM, "out of memory");
    return ARGO_ENOMEM;
  }
  argo__pub_begin_day(eng->pub, eng->sess.run_dir);
  argo__record_stats(eng, "running");
  eng->day_marks[eng->nday_marks++] = argo__acks_seq(&eng->acks);
  /* The new day's first files and stats.yaml go out in a segment of their own, before any of
   * its rows: however far behind the publisher is, a day's folder never holds rows without a
   * stats.yaml, nor a segment both a day's start and its end. */
  argo__pub_handover(eng->pub);
  return ARGO_OK;
}
