/*
 * A ring of error reports from a worker thread (the journal's writer, the publisher) to the
 * engine thread, which pops them when it polls. Pushing never blocks on the reader: when the
 * ring is full the oldest report goes (the latest ones matter most). Thread-safe; popping an
 * empty ring costs one atomic load. Depends on libc only.
 */
#ifndef ARGO_ERRRING_H
#define ARGO_ERRRING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <argo/argo.h>

#include "util/util.h"

#define ARGO_ERRRING_SIZE 16

typedef struct argo__errring {
  pthread_mutex_t mu;
  atomic_int pending;
  int head, count;
  struct {
    argo_err code;
    int fatal;
    char msg[ARGO_ERRMSG_MAX];
  } e[ARGO_ERRRING_SIZE];
} argo__errring;

void argo__errring_init(argo__errring *r);
void argo__errring_deinit(argo__errring *r);
/* Adds a report (fatal: the worker gave up). */
void argo__errring_push(argo__errring *r, argo_err code, int fatal, const char *msg);
/* Pops the oldest report: 1 with code, fatal (may be NULL) and msg set, or 0 when empty. */
int argo__errring_pop(argo__errring *r, argo_err *code, int *fatal, char *msg, size_t len);

#endif
