/*
 * What argo keeps for the whole process, and the process-wide settings of the libraries it runs
 * on: argo_library_shutdown releases the former, argo_library_logs is the one place that changes
 * the latter, and only when the program asks (argo.h).
 */
#include <pthread.h>
#include <stddef.h>

#include <libwebsockets.h>

#include <argo/argo.h>

#include "persist/store.h"

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static argo_library_log_fn log_fn;
static void *log_user;

/* libwebsockets' emitter has no user pointer: the program's function is kept here. */
static void lws_emit(int level, const char *line) {
  pthread_mutex_lock(&log_mu);
  argo_library_log_fn fn = log_fn;
  void *user = log_user;
  pthread_mutex_unlock(&log_mu);
  if (fn) {
    fn("libwebsockets", level & LLL_ERR ? ARGO_LOG_ERROR : ARGO_LOG_WARNING, line, user);
  }
}

void argo_library_logs(argo_library_log_fn fn, void *user) {
  pthread_mutex_lock(&log_mu);
  log_fn = fn;
  log_user = user;
  pthread_mutex_unlock(&log_mu);
  lws_set_log_level(fn ? LLL_ERR | LLL_WARN : 0, fn ? lws_emit : NULL);
}

void argo_library_shutdown(void) {
  argo__store_pool_release();
}
