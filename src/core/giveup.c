/*
 * A strategy that does not return; see giveup.h. Part of the engine: it works on the engine's
 * state (engine_private.h), from the watchdog thread.
 */
#include "core/giveup.h"

#include <stdio.h>
#include <unistd.h>

#include "core/engine_private.h"
#include "persist/recover.h"
#include "util/fsx.h"

static int stop_requested(void *user) {
  return argo__waker_stopped(&((argo_engine *)user)->waker);
}

static void slow(void *user, const char *what, int64_t running_us) {
  argo_engine *eng = user;
  char msg[ARGO_ERRMSG_MAX];
  argo__fmt(msg, sizeof msg,
            "strategy %s has not returned from %s for %.1f s (engine.callback_warn); the session "
            "waits for it, Ctrl-C ends it after engine.stop_grace",
            eng->sdef ? eng->sdef->name : "?", what, (double)running_us / 1e6);
  argo__acks_error_now(&eng->acks, ARGO_EHUNG, msg, 0);
}

/* The engine thread is inside the strategy and does not come back although a stop was asked for
 * engine.stop_grace ago: the session ends without it. Everything the journal holds is made
 * durable and the journal frozen, the publisher stopped where it is, and every day folder of the
 * session still open is finalized by recovery's code (status stopped, with the reason); without
 * a journal, the last day's stats.yaml says so over what was published. The engine thread, if it
 * ever comes back, touches nothing more (argo__engine_left). */
static void give_up(void *user, const char *what, int64_t running_us) {
  argo_engine *eng = user;
  atomic_store(&eng->abandoned, 1);
  char reason[ARGO_ERRMSG_MAX], err[ARGO_ERRMSG_MAX], msg[4096];
  argo__fmt(reason, sizeof reason,
            "stopped: strategy %s did not return from %s within %.1f s of the stop request "
            "(engine.stop_grace; it ran %.1f s); the session was ended without it",
            eng->sdef ? eng->sdef->name : "?", what, (double)eng->cfg.stop_grace_us / 1e6,
            (double)running_us / 1e6);
  if (eng->jr && argo__journal_freeze(eng->jr, err, sizeof err) != ARGO_OK) {
    argo__acks_error_now(&eng->acks, ARGO_EHUNG, err, 1000000);
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
      argo__acks_error_now(&eng->acks, ARGO_EHUNG, msg, 1000000);
    }
    char lock[ARGO_PATH_MAX + 128];
    snprintf(lock, sizeof lock, "%s/.lock", dir);
    unlink(lock); /* the locks themselves go with the process */
  }
  argo__strlcpy(eng->errmsg, reason, sizeof eng->errmsg);
  argo__acks_error_now(&eng->acks, ARGO_EHUNG, reason, 1000000);
  argo__acks_stopped(&eng->acks, ARGO_EHUNG, reason, 1000000);
}

argo_err argo__giveup_start(argo_engine *eng) {
  argo__watchdog_cfg wc = {.warn_us = eng->cfg.callback_warn_us,
                           .grace_us = eng->cfg.stop_grace_us,
                           .stop_requested = stop_requested,
                           .slow = slow,
                           .give_up = give_up,
                           .user = eng};
  return argo__watchdog_start(&eng->wd, &eng->watch, &wc);
}

void argo__giveup_stop(argo_engine *eng) {
  argo__watchdog_stop(eng->wd); /* waits for a give-up in progress */
  eng->wd = NULL;
}
