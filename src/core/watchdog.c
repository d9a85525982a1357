/*
 * Watchdog thread; see watchdog.h. It samples the watched call every POLL_US: a call is the
 * same call for as long as seq keeps the same odd value, so the durations it reports are
 * accurate to one period.
 */
#include "core/watchdog.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/util.h"

#define POLL_US INT64_C(50000)

struct argo__watchdog {
  argo__watch *w;
  argo__watchdog_cfg cfg;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int quit;
  atomic_int gave_up;
};

static void *watch_main(void *arg) {
  argo__watchdog *wd = arg;
  argo__thread_name("argo-watchdog");
  uint64_t last = 0;
  int64_t since = 0, stop_seen = 0;
  int warned = 0;
  pthread_mutex_lock(&wd->mu);
  while (!wd->quit) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ns = ts.tv_nsec + POLL_US * 1000;
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    pthread_cond_timedwait(&wd->cv, &wd->mu, &ts);
    if (wd->quit) {
      break;
    }
    int64_t now = argo__mono_us();
    uint64_t seq = atomic_load_explicit(&wd->w->seq, memory_order_acquire);
    if (seq != last) {
      last = seq;
      since = now;
      warned = 0;
    }
    if (!stop_seen && wd->cfg.stop_requested(wd->cfg.user)) {
      stop_seen = now;
    }
    if (!(seq & 1)) {
      continue; /* not inside a call */
    }
    const char *what = atomic_load_explicit(&wd->w->what, memory_order_relaxed);
    int64_t running = now - since;
    /* The callbacks run without the mutex: stop() may wait for them. */
    if (wd->cfg.warn_us > 0 && running >= wd->cfg.warn_us && !warned) {
      warned = 1;
      pthread_mutex_unlock(&wd->mu);
      wd->cfg.slow(wd->cfg.user, what, running);
      pthread_mutex_lock(&wd->mu);
    }
    /* Given up once a stop has waited grace_us for a call that is still the same one. */
    int64_t from = stop_seen > since ? stop_seen : since;
    if (stop_seen && now - from >= wd->cfg.grace_us) {
      atomic_store(&wd->gave_up, 1);
      pthread_mutex_unlock(&wd->mu);
      wd->cfg.give_up(wd->cfg.user, what, running);
      pthread_mutex_lock(&wd->mu);
      break;
    }
  }
  pthread_mutex_unlock(&wd->mu);
  return NULL;
}

argo_err argo__watchdog_start(argo__watchdog **out, argo__watch *w, const argo__watchdog_cfg *cfg) {
  *out = NULL;
  argo__watchdog *wd = calloc(1, sizeof *wd);
  if (!wd) {
    return ARGO_ENOMEM;
  }
  wd->w = w;
  wd->cfg = *cfg;
  atomic_init(&wd->gave_up, 0);
  pthread_mutex_init(&wd->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&wd->cv, &ca);
  pthread_condattr_destroy(&ca);
  if (pthread_create(&wd->thread, NULL, watch_main, wd) != 0) {
    pthread_mutex_destroy(&wd->mu);
    pthread_cond_destroy(&wd->cv);
    free(wd);
    return ARGO_ENOMEM;
  }
  *out = wd;
  return ARGO_OK;
}

void argo__watchdog_stop(argo__watchdog *wd) {
  if (!wd) {
    return;
  }
  pthread_mutex_lock(&wd->mu);
  wd->quit = 1;
  pthread_cond_signal(&wd->cv);
  pthread_mutex_unlock(&wd->mu);
  pthread_join(wd->thread, NULL);
  pthread_mutex_destroy(&wd->mu);
  pthread_cond_destroy(&wd->cv);
  free(wd);
}

int argo__watchdog_gave_up(const argo__watchdog *wd) {
  return wd && atomic_load(&((argo__watchdog *)wd)->gave_up);
}
