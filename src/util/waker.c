/* Stop flag and self-pipe; see waker.h. */
#define _GNU_SOURCE /* ppoll */
#include "util/waker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

int argo__waker_init(argo__waker *w) {
  atomic_init(&w->stop, 0);
  w->hook = NULL;
  w->hook_user = NULL;
  w->poke_hook = NULL;
  w->poke_user = NULL;
  pthread_mutex_init(&w->poke_mu, NULL);
  if (pipe(w->fds) != 0) {
    w->fds[0] = w->fds[1] = -1;
    return -errno;
  }
  for (int i = 0; i < 2; i++) {
    fcntl(w->fds[i], F_SETFL, fcntl(w->fds[i], F_GETFL) | O_NONBLOCK);
    fcntl(w->fds[i], F_SETFD, FD_CLOEXEC);
  }
  return 0;
}

void argo__waker_deinit(argo__waker *w) {
  pthread_mutex_destroy(&w->poke_mu);
  for (int i = 0; i < 2; i++) {
    if (w->fds[i] >= 0) {
      close(w->fds[i]);
      w->fds[i] = -1;
    }
  }
}

void argo__waker_signal(argo__waker *w) {
  int saved = errno;
  atomic_store(&w->stop, 1);
  if (w->fds[1] >= 0) {
    char c = 1;
    ssize_t r = write(w->fds[1], &c, 1);
    (void)r;
  }
  errno = saved;
}

void argo__waker_poke(argo__waker *w) {
  int saved = errno;
  if (w->fds[1] >= 0) {
    char c = 2;
    ssize_t r = write(w->fds[1], &c, 1);
    (void)r;
  }
  pthread_mutex_lock(&w->poke_mu);
  if (w->poke_hook) {
    w->poke_hook(w->poke_user);
  }
  pthread_mutex_unlock(&w->poke_mu);
  errno = saved;
}

void argo__waker_set_poke_hook(argo__waker *w, void (*fn)(void *), void *user) {
  pthread_mutex_lock(&w->poke_mu);
  w->poke_hook = fn;
  w->poke_user = user;
  pthread_mutex_unlock(&w->poke_mu);
}

int argo__waker_stopped(const argo__waker *w) {
  return atomic_load_explicit(&w->stop, memory_order_relaxed);
}

int argo__waker_sleep_until(argo__waker *w, int64_t deadline_us) {
  for (;;) {
    if (w->hook) {
      w->hook(w->hook_user);
    }
    if (atomic_load(&w->stop)) {
      return 1;
    }
    int64_t now = argo__mono_us();
    if (now >= deadline_us) {
      return 0;
    }
    int64_t us = deadline_us - now;
    if (us > 1000000000) {
      us = 1000000000;
    }
    struct timespec ts = {.tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000};
    struct pollfd p = {.fd = w->fds[0], .events = POLLIN};
    int r = ppoll(&p, 1, &ts, NULL);
    if (r > 0) {
      char buf[64];
      while (read(w->fds[0], buf, sizeof buf) > 0) {
      }
    }
  }
}
