/*
 * A stop flag plus a self-pipe, so that a stop request (from any thread or a signal handler)
 * ends any wait at once. argo__waker_signal is async-signal-safe (an atomic store and a write).
 */
#ifndef ARGO_WAKER_H
#define ARGO_WAKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct argo__waker {
  atomic_int stop;
  int fds[2];
  /* Called by argo__waker_sleep_until on the sleeping thread before it blocks and after every
   * wake-up, so that the engine can do its housekeeping (hand rows to the publisher, fire
   * callbacks that became due) while a feed waits for the next candle. May be NULL. */
  void (*hook)(void *user);
  void *hook_user;
  /* Called by argo__waker_poke (any thread) so that a sleeper blocked elsewhere than on the
   * waker (a feed inside lws_service) wakes as well; set and cleared with
   * argo__waker_set_poke_hook, never called after it was cleared. */
  pthread_mutex_t poke_mu;
  void (*poke_hook)(void *user);
  void *poke_user;
} argo__waker;

int argo__waker_init(argo__waker *w);
void argo__waker_deinit(argo__waker *w);
void argo__waker_signal(argo__waker *w);
/* Wakes a sleeper without asking it to stop (it runs the hook and sleeps on). Not
 * async-signal-safe (the poke hook is called under a mutex). */
void argo__waker_poke(argo__waker *w);
/* Sets (or, fn NULL, clears) the poke hook. */
void argo__waker_set_poke_hook(argo__waker *w, void (*fn)(void *), void *user);
int argo__waker_stopped(const argo__waker *w);
/* Sleeps until the monotonic time deadline_us (argo__mono_us) or a stop. 1 if stopped. */
int argo__waker_sleep_until(argo__waker *w, int64_t deadline_us);

#endif
