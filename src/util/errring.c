/* A ring of error reports from a worker thread; see errring.h. */
#include "util/errring.h"

void argo__errring_init(argo__errring *r) {
  pthread_mutex_init(&r->mu, NULL);
  atomic_init(&r->pending, 0);
  r->head = r->count = 0;
}

void argo__errring_deinit(argo__errring *r) {
  pthread_mutex_destroy(&r->mu);
}

void argo__errring_push(argo__errring *r, argo_err code, int fatal, const char *msg) {
  pthread_mutex_lock(&r->mu);
  if (r->count == ARGO_ERRRING_SIZE) {
    r->head = (r->head + 1) % ARGO_ERRRING_SIZE;
    r->count--;
  }
  int slot = (r->head + r->count) % ARGO_ERRRING_SIZE;
  r->e[slot].code = code;
  r->e[slot].fatal = fatal;
  argo__strlcpy(r->e[slot].msg, msg, sizeof r->e[slot].msg);
  r->count++;
  atomic_store(&r->pending, 1);
  pthread_mutex_unlock(&r->mu);
}

int argo__errring_pop(argo__errring *r, argo_err *code, int *fatal, char *msg, size_t len) {
  if (!atomic_load_explicit(&r->pending, memory_order_relaxed)) {
    return 0;
  }
  int got = 0;
  pthread_mutex_lock(&r->mu);
  if (r->count) {
    *code = r->e[r->head].code;
    if (fatal) {
      *fatal = r->e[r->head].fatal;
    }
    argo__strlcpy(msg, r->e[r->head].msg, len);
    r->head = (r->head + 1) % ARGO_ERRRING_SIZE;
    r->count--;
    got = 1;
  }
  if (!r->count) {
    atomic_store(&r->pending, 0);
  }
  pthread_mutex_unlock(&r->mu);
  return got;
}
