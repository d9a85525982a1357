/*
 * The Binance broker's event queue and clock (binance_int.h): a FIFO of bn_ev that the broker's
 * threads (the REST worker, the user data stream) push into and the engine thread pops from in
 * the broker's poll, and the exchange's time as a signed request's timestamp. The queue owns the
 * events it holds (and their bal arrays) until they are popped. Depends on nothing of the broker
 * but its header; no I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "brokers/binance_int.h"

void argo__bnq_init(bn_queue *q, void (*wake)(void *), void *wake_user) {
  memset(q, 0, sizeof *q);
  pthread_mutex_init(&q->mu, NULL);
  q->wake = wake;
  q->wake_user = wake_user;
}

void argo__bnq_deinit(bn_queue *q) {
  for (size_t i = 0; i < q->len; i++) {
    free(q->v[(q->head + i) % q->cap].bal);
  }
  free(q->v);
  pthread_mutex_destroy(&q->mu);
  memset(q, 0, sizeof *q);
}

/* Doubles the ring, unwrapping it so that the oldest event is at 0. Called with mu held. */
static int grow(bn_queue *q) {
  size_t cap = q->cap ? q->cap * 2 : 16;
  bn_ev *v = malloc(cap * sizeof *v);
  if (!v) {
    return -1;
  }
  for (size_t i = 0; i < q->len; i++) {
    v[i] = q->v[(q->head + i) % q->cap];
  }
  free(q->v);
  q->v = v;
  q->cap = cap;
  q->head = 0;
  return 0;
}

int argo__bnq_push(bn_queue *q, const bn_ev *ev) {
  pthread_mutex_lock(&q->mu);
  if (q->len == q->cap && grow(q) != 0) {
    pthread_mutex_unlock(&q->mu);
    free(ev->bal);
    return -1;
  }
  q->v[(q->head + q->len) % q->cap] = *ev;
  q->len++;
  pthread_mutex_unlock(&q->mu);
  /* Outside the lock: the engine's wake may take locks of its own. */
  if (q->wake) {
    q->wake(q->wake_user);
  }
  return 0;
}

int argo__bnq_pop(bn_queue *q, bn_ev *out) {
  pthread_mutex_lock(&q->mu);
  if (q->len == 0) {
    pthread_mutex_unlock(&q->mu);
    return 0;
  }
  *out = q->v[q->head];
  q->head = (q->head + 1) % q->cap;
  q->len--;
  pthread_mutex_unlock(&q->mu);
  return 1;
}

int64_t argo__bn_server_ms(const bn_clock *c) {
  int64_t local = argo__wall_us() / 1000;
  return c ? local + atomic_load(&c->offset_ms) : local;
}
