/*
 * Write-ahead journal: the writer thread, appending and durability; see journal.h for the
 * design. The engine thread owns the current buffer and touches the shared state only under the
 * mutex, once per hand-over; the writer thread owns the file descriptor. The bytes of the records
 * (their encoding, CRC-32C, the reader) are persist/jformat.c's: this file must not know a
 * record's layout beyond its header, which it reads to find the writer's own switch markers.
 */
#include "persist/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "persist/session.h"
#include "util/errring.h"
#include "util/fsx.h"
#include "util/util.h"

/* A switch marker lives only in memory: it tells the writer to move to another folder. */
#define SWITCH_TYPE 0xFF

/* ---- writer ----------------------------------------------------------------------------- */

/* The records the engine thread appends live in a chain of chunks that never move: the engine
 * thread writes whole records past a chunk's published length and then publishes the new length
 * (release); the writer thread reads up to the published length (acquire) on its own schedule.
 * So records become durable within group_commit whatever the engine thread is doing (a
 * strategy that never returns included), with no hand-over from it. A record never spans two
 * chunks. Written chunks go back to a short free list. */
#define CHUNK_CAP ((size_t)256 * 1024)
#define FREE_CHUNKS 8
/* Flush requests (flush_req): none (records wait for the group commit's deadline); urgent
 * records (orders, fills: written at once, but at most one commit per COMMIT_SPACING_US after
 * the previous one ended, so that an engine filling orders flat out commits a few hundred
 * times a second rather than after every few records: each fsync costs the machine about
 * 0.2 ms of CPU whatever its size, issue 21); someone waiting for the disk (a thread in
 * wait_durable, the engine about to wait for its feed, the publisher for a segment's rows:
 * at once). */
enum { FLUSH_NONE = 0, FLUSH_URGENT = 1, FLUSH_NOW = 2 };
#define COMMIT_SPACING_US INT64_C(2000)
/* Bytes appended but not yet durable before the engine thread waits for the disk: bounds the
 * memory and how far the session runs ahead of what a crash would keep. */
#define MAX_AHEAD ((uint64_t)128 << 20)
/* How often an idle writer looks for records (they need no hand-over). */
#define IDLE_POLL_US INT64_C(100000)

typedef struct chunk {
  _Atomic(struct chunk *) next; /* set (release) by the engine thread once it moves on */
  atomic_size_t len;            /* bytes of whole records, published (release) */
  size_t cap;
  struct chunk *free_next; /* on the free list (under mu) */
  unsigned char data[];
} chunk;

struct argo__journal {
  int64_t group_us;
  argo__waker *waker;
  pthread_t thread;
  int started;
  pthread_mutex_t mu;
  pthread_cond_t work_cv, done_cv;
  /* engine thread */
  chunk *tail;       /* the chunk records are appended to */
  argo__jbuf rec;    /* a variable-length record under construction */
  uint64_t appended; /* bytes appended so far (the LSN) */
  int urgent;        /* urgent records since the last flush request */
  /* shared */
  atomic_ullong published; /* LSN of the whole records the writer may take (release) */
  atomic_ullong durable;
  atomic_int flush_req; /* FLUSH_*: write before the next group commit (set under mu) */
  atomic_int frozen;    /* argo__journal_freeze: nothing more is written */
  atomic_int want_poke;
  atomic_int failed;  /* the writer could not write: nothing more becomes durable */
  int quit;           /* under mu */
  chunk *free_chunks; /* under mu */
  int nfree;
  argo__errring errs; /* the writer's reports to the engine thread */
  /* writer thread */
  chunk *head;   /* the oldest chunk not yet written whole */
  size_t hpos;   /* bytes of head written */
  uint64_t wlsn; /* LSN written */
  int64_t last_commit;
  int fd;
  char path[ARGO_PATH_MAX + 64];
  char dir[ARGO_PATH_MAX + 64];
};

static void oom(argo__journal *j);

static void report(argo__journal *j, argo_err code, const char *msg) {
  argo__errring_push(&j->errs, code, 1, msg);
  if (j->waker) {
    argo__waker_poke(j->waker);
  }
}

static int open_file(argo__journal *j, const char *dir, char *err, size_t errlen) {
  argo__strlcpy(j->dir, dir, sizeof j->dir);
  snprintf(j->path, sizeof j->path, "%s/%s", dir, ARGO_JOURNAL_NAME);
  int fd = open(j->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot create journal '%s'", j->path);
    return -e;
  }
  unsigned char h[ARGO_JHEADER_LEN];
  argo__jencode_header(h);
  int rc = argo__io_write_all_as(ARGO_IO_JOURNAL_WRITE, fd, h, sizeof h);
  if (rc == 0) {
    rc = argo__io_fsync_as(ARGO_IO_JOURNAL_FSYNC, fd);
  }
  if (rc) {
    argo__fmt_errno(err, errlen, -rc, "cannot write journal '%s'", j->path);
    close(fd);
    return rc;
  }
  rc = argo__fs_fsync_dir(dir, err, errlen);
  if (rc) {
    close(fd);
    return rc;
  }
  j->fd = fd;
  return 0;
}

/* Writes whole records p[0, len) (no fsync): records go to the current file, a switch marker
 * fsyncs it and moves to the next folder's file. 0 or -errno (reported). */
static int write_records(argo__journal *j, const unsigned char *p, size_t len) {
  char err[ARGO_ERRMSG_MAX];
  size_t pos = 0, run = 0;
  while (pos < len) {
    uint32_t plen = argo__jget_u32(p + pos);
    int type = p[pos + 8];
    if (type != SWITCH_TYPE) {
      pos += ARGO_JREC_HDR + plen;
      continue;
    }
    /* Flush the records before the marker into the old file, then switch. */
    if (pos > run) {
      int rc = argo__io_write_all_as(ARGO_IO_JOURNAL_WRITE, j->fd, p + run, pos - run);
      if (rc == 0) {
        rc = argo__io_fsync_as(ARGO_IO_JOURNAL_FSYNC, j->fd);
      }
      if (rc) {
        argo__fmt_errno(err, sizeof err, -rc, "cannot write journal '%s'", j->path);
        report(j, ARGO_EIO, err);
        return rc;
      }
    }
    close(j->fd);
    j->fd = -1;
    char dir[ARGO_PATH_MAX + 64];
    size_t n = plen < sizeof dir - 1 ? plen : sizeof dir - 1;
    memcpy(dir, p + pos + ARGO_JREC_HDR, n);
    dir[n] = '\0';
    int rc = open_file(j, dir, err, sizeof err);
    if (rc) {
      report(j, ARGO_EIO, err);
      return rc;
    }
    pos += ARGO_JREC_HDR + plen;
    run = pos;
  }
  if (len > run) {
    int rc = argo__io_write_all_as(ARGO_IO_JOURNAL_WRITE, j->fd, p + run, len - run);
    if (rc) {
      argo__fmt_errno(err, sizeof err, -rc, "cannot write journal '%s'", j->path);
      report(j, ARGO_EIO, err);
      return rc;
    }
  }
  return 0;
}

/* A written chunk goes back to the free list (or is freed). */
static void recycle(argo__journal *j, chunk *c) {
  pthread_mutex_lock(&j->mu);
  if (c->cap == CHUNK_CAP && j->nfree < FREE_CHUNKS) {
    c->free_next = j->free_chunks;
    j->free_chunks = c;
    j->nfree++;
    c = NULL;
  }
  pthread_mutex_unlock(&j->mu);
  free(c);
}

/* Writer thread: writes every published record up to target and fsyncs (write 0: only walks
 * past them, after a failure). 0 or -errno. */
static int write_upto(argo__journal *j, uint64_t target, int write) {
  int rc = 0;
  while (j->wlsn < target) {
    size_t len = atomic_load_explicit(&j->head->len, memory_order_acquire);
    if (j->hpos == len) {
      chunk *nx = atomic_load_explicit(&j->head->next, memory_order_acquire);
      if (!nx) {
        break; /* cannot happen: published bytes are in a chunk already linked */
      }
      /* The engine thread links the next chunk only after its last record here is published. */
      len = atomic_load_explicit(&j->head->len, memory_order_acquire);
      if (j->hpos == len) {
        chunk *old = j->head;
        j->head = nx;
        j->hpos = 0;
        recycle(j, old);
        continue;
      }
    }
    size_t n = len - j->hpos;
    if ((uint64_t)n > target - j->wlsn) {
      n = (size_t)(target - j->wlsn);
    }
    if (write && rc == 0) {
      rc = write_records(j, j->head->data + j->hpos, n);
    }
    j->hpos += n;
    j->wlsn += n;
  }
  if (write && rc == 0) {
    rc = argo__io_fsync_as(ARGO_IO_JOURNAL_FSYNC, j->fd);
    if (rc) {
      char err[ARGO_ERRMSG_MAX];
      argo__fmt_errno(err, sizeof err, -rc, "cannot fsync journal '%s'", j->path);
      report(j, ARGO_EIO, err);
    }
  }
  return rc;
}

static void deadline_after(struct timespec *ts, int64_t us) {
  clock_gettime(CLOCK_MONOTONIC, ts);
  int64_t ns = ts->tv_nsec + (us % 1000000) * 1000;
  ts->tv_sec += (time_t)(us / 1000000 + ns / 1000000000);
  ts->tv_nsec = (long)(ns % 1000000000);
}

static void *writer_main(void *arg) {
  argo__journal *j = arg;
  argo__thread_name("argo-journal");
  pthread_mutex_lock(&j->mu);
  for (;;) {
    if (atomic_load(&j->frozen)) {
      break;
    }
    uint64_t target = atomic_load_explicit(&j->published, memory_order_acquire);
    struct timespec ts;
    if (target == j->wlsn) {
      if (j->quit) {
        break;
      }
      atomic_store(&j->flush_req, 0);
      deadline_after(&ts,
                     j->group_us > 0 && j->group_us < IDLE_POLL_US ? j->group_us : IDLE_POLL_US);
      pthread_cond_timedwait(&j->work_cv, &j->mu, &ts);
      continue;
    }
    int64_t now = argo__mono_us(), wait = j->last_commit + j->group_us - now;
    int req = atomic_load(&j->flush_req);
    if (req == FLUSH_URGENT && wait > 0) {
      int64_t spaced = j->last_commit + COMMIT_SPACING_US - now;
      wait = spaced < wait ? spaced : wait;
    }
    if (req != FLUSH_NOW && !j->quit && wait > 0) {
      deadline_after(&ts, wait);
      pthread_cond_timedwait(&j->work_cv, &j->mu, &ts);
      continue;
    }
    atomic_store(&j->flush_req, 0);
    int failed = atomic_load(&j->failed);
    pthread_mutex_unlock(&j->mu);

    int rc = write_upto(j, target, !failed);
    j->last_commit = argo__mono_us();

    pthread_mutex_lock(&j->mu);
    if (rc == 0 && !failed) {
      atomic_store_explicit(&j->durable, target, memory_order_release);
    } else {
      atomic_store(&j->failed, 1);
    }
    pthread_cond_broadcast(&j->done_cv);
    if (atomic_load(&j->want_poke) && j->waker) {
      argo__waker_poke(j->waker);
    }
  }
  pthread_cond_broadcast(&j->done_cv);
  pthread_mutex_unlock(&j->mu);
  return NULL;
}

static chunk *chunk_new(size_t cap) {
  chunk *c = malloc(sizeof *c + cap);
  if (c) {
    atomic_init(&c->next, NULL);
    atomic_init(&c->len, 0);
    c->cap = cap;
    c->free_next = NULL;
  }
  return c;
}

argo_err argo__journal_open(argo__journal **out, const char *run_dir, int64_t group_commit_us,
                            argo__waker *waker, char *err, size_t errlen) {
  *out = NULL;
  argo__journal *j = calloc(1, sizeof *j);
  if (!j || !(j->tail = j->head = chunk_new(CHUNK_CAP))) {
    free(j);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  j->fd = -1;
  j->group_us = group_commit_us;
  j->waker = waker;
  j->last_commit = argo__mono_us();
  atomic_init(&j->published, 0);
  atomic_init(&j->durable, 0);
  atomic_init(&j->flush_req, 0);
  atomic_init(&j->frozen, 0);
  atomic_init(&j->want_poke, 0);
  argo__errring_init(&j->errs);
  atomic_init(&j->failed, 0);
  pthread_mutex_init(&j->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&j->work_cv, &ca);
  pthread_condattr_destroy(&ca);
  pthread_cond_init(&j->done_cv, NULL);
  if (open_file(j, run_dir, err, errlen) != 0) {
    argo__journal_free(j);
    return ARGO_EIO;
  }
  if (pthread_create(&j->thread, NULL, writer_main, j) != 0) {
    argo__fmt(err, errlen, "cannot start the journal thread");
    argo__journal_free(j);
    return ARGO_ENOMEM;
  }
  j->started = 1;
  *out = j;
  return ARGO_OK;
}

/* Asks the writer to write what is published before the next group commit (FLUSH_URGENT or
 * FLUSH_NOW). */
static void request_flush(argo__journal *j, int how) {
  if (atomic_load_explicit(&j->flush_req, memory_order_relaxed) >= how) {
    return;
  }
  pthread_mutex_lock(&j->mu);
  if (atomic_load(&j->flush_req) < how) {
    atomic_store(&j->flush_req, how);
  }
  pthread_cond_signal(&j->work_cv);
  pthread_mutex_unlock(&j->mu);
}

static void hand_over(argo__journal *j, int how) {
  if (j->appended > atomic_load_explicit(&j->durable, memory_order_relaxed)) {
    request_flush(j, how);
  }
  j->urgent = 0;
}

void argo__journal_handover(argo__journal *j) {
  hand_over(j, FLUSH_NOW);
}

/* Waits until everything up to target is durable, the writer failed, or the journal is frozen
 * (then what is durable stays as it is). ARGO_OK or ARGO_EIO (err). */
static argo_err wait_durable(argo__journal *j, uint64_t target, char *err, size_t errlen) {
  pthread_mutex_lock(&j->mu);
  if (atomic_load(&j->durable) < target) {
    atomic_store(&j->flush_req, FLUSH_NOW);
    pthread_cond_signal(&j->work_cv);
  }
  while (!atomic_load(&j->failed) && !atomic_load(&j->frozen) && j->started &&
         atomic_load(&j->durable) < target) {
    pthread_cond_wait(&j->done_cv, &j->mu);
  }
  argo_err rc = ARGO_OK;
  if (atomic_load(&j->durable) < target) {
    rc = ARGO_EIO;
    argo__fmt(err, errlen, "the journal '%s' could not be written", j->path);
  }
  pthread_mutex_unlock(&j->mu);
  return rc;
}

argo_err argo__journal_sync(argo__journal *j, char *err, size_t errlen) {
  j->urgent = 0;
  return wait_durable(j, j->appended, err, errlen);
}

argo_err argo__journal_wait(argo__journal *j, uint64_t lsn, char *err, size_t errlen) {
  return wait_durable(j, lsn, err, errlen);
}

/* Waits for the writer thread, told to end, and closes the file. */
static void join_writer(argo__journal *j) {
  if (j->started) {
    pthread_join(j->thread, NULL);
    j->started = 0;
  }
  if (j->fd >= 0) {
    close(j->fd);
    j->fd = -1;
  }
}

argo_err argo__journal_freeze(argo__journal *j, char *err, size_t errlen) {
  uint64_t target = atomic_load_explicit(&j->published, memory_order_acquire);
  argo_err rc = wait_durable(j, target, err, errlen);
  pthread_mutex_lock(&j->mu);
  atomic_store(&j->frozen, 1);
  pthread_cond_broadcast(&j->work_cv);
  pthread_cond_broadcast(&j->done_cv);
  pthread_mutex_unlock(&j->mu);
  /* Once the writer has stopped, the file no longer changes: recovery may read it. */
  join_writer(j);
  return rc;
}

argo_err argo__journal_close(argo__journal *j, char *err, size_t errlen) {
  if (!j || !j->started) {
    return ARGO_OK;
  }
  argo_err rc = argo__journal_sync(j, err, errlen);
  pthread_mutex_lock(&j->mu);
  j->quit = 1;
  pthread_cond_signal(&j->work_cv);
  pthread_mutex_unlock(&j->mu);
  join_writer(j);
  return rc;
}

void argo__journal_free(argo__journal *j) {
  if (!j) {
    return;
  }
  char err[ARGO_ERRMSG_MAX];
  if (argo__journal_close(j, err, sizeof err) != ARGO_OK) {
    /* The writer reported why (argo__journal_error); freeing goes on. */
  }
  if (j->fd >= 0) {
    close(j->fd);
  }
  for (chunk *c = j->head; c;) {
    chunk *nx = atomic_load(&c->next);
    free(c);
    c = nx;
  }
  while (j->free_chunks) {
    chunk *c = j->free_chunks;
    j->free_chunks = c->free_next;
    free(c);
  }
  free(j->rec.p);
  pthread_mutex_destroy(&j->mu);
  argo__errring_deinit(&j->errs);
  pthread_cond_destroy(&j->work_cv);
  pthread_cond_destroy(&j->done_cv);
  free(j);
}

/* Out of memory for a record: it cannot be journaled, so nothing more may be acknowledged. The
 * journal is marked failed (the engine stops the session) rather than losing a row silently. */
static void oom(argo__journal *j) {
  if (!atomic_exchange(&j->failed, 1)) {
    report(j, ARGO_ENOMEM, "out of memory in the write-ahead journal: the session stops");
  }
}

/* Room for n more bytes in the tail chunk: a new chunk (from the free list when it can) once
 * the tail is full. Waits first while too much is not yet durable. NULL when out of memory. */
static unsigned char *reserve_slow(argo__journal *j, size_t n) {
  if (j->appended - atomic_load(&j->durable) > MAX_AHEAD && !atomic_load(&j->frozen)) {
    char err[ARGO_ERRMSG_MAX];
    wait_durable(j, j->appended - MAX_AHEAD / 2, err, sizeof err);
  }
  chunk *c = NULL;
  if (n <= CHUNK_CAP) {
    pthread_mutex_lock(&j->mu);
    c = j->free_chunks;
    if (c) {
      j->free_chunks = c->free_next;
      j->nfree--;
    }
    pthread_mutex_unlock(&j->mu);
    if (c) {
      atomic_store_explicit(&c->next, NULL, memory_order_relaxed);
      atomic_store_explicit(&c->len, 0, memory_order_relaxed);
    }
  }
  if (!c && !(c = chunk_new(n > CHUNK_CAP ? n : CHUNK_CAP))) {
    return NULL;
  }
  atomic_store_explicit(&j->tail->next, c, memory_order_release);
  j->tail = c;
  return c->data;
}

static inline unsigned char *reserve(argo__journal *j, size_t n) {
  chunk *t = j->tail;
  size_t len = atomic_load_explicit(&t->len, memory_order_relaxed);
  if (ARGO_LIKELY(t->cap - len >= n)) {
    return t->data + len;
  }
  return reserve_slow(j, n);
}

/* The n bytes just written at the tail's end are a whole record: the writer may take them. */
static inline void publish(argo__journal *j, size_t n) {
  chunk *t = j->tail;
  atomic_store_explicit(&t->len, atomic_load_explicit(&t->len, memory_order_relaxed) + n,
                        memory_order_release);
  j->appended += n;
  atomic_store_explicit(&j->published, j->appended, memory_order_release);
}

/* Appends the record just encoded into j->rec (rc 0), or stops when encoding it ran out of
 * memory (rc -1). */
static void sealed(argo__journal *j, int rc) {
  if (rc != 0) {
    oom(j);
    return;
  }
  unsigned char *dst = reserve(j, j->rec.len);
  if (!dst) {
    oom(j);
    return;
  }
  memcpy(dst, j->rec.p, j->rec.len);
  publish(j, j->rec.len);
}

/* j->rec, emptied for the next record. */
static argo__jbuf *rec(argo__journal *j) {
  j->rec.len = 0;
  j->rec.failed = 0;
  return &j->rec;
}

void argo__journal_day(argo__journal *j, const argo__jday *d) {
  sealed(j, argo__jencode_day(rec(j), d));
  j->urgent = 1;
}

/* The hot path: one fixed-size record, written directly into the chunk. */
static void candle_record(argo__journal *j, int type, uint16_t sym, const argo_candle *c) {
  unsigned char *h = reserve(j, ARGO_JCANDLE_LEN);
  if (ARGO_UNLIKELY(!h)) {
    oom(j);
    return;
  }
  argo__jencode_candle(h, type, sym, c);
  publish(j, ARGO_JCANDLE_LEN);
}

void argo__journal_candle(argo__journal *j, uint16_t sym, const argo_candle *c) {
  candle_record(j, ARGO_J_CANDLE, sym, c);
}

void argo__journal_hcandle(argo__journal *j, uint16_t sym, const argo_candle *c) {
  candle_record(j, ARGO_J_HCANDLE, sym, c);
}

void argo__journal_order(argo__journal *j, uint16_t sym, const argo_order *o,
                         const char *client_id) {
  sealed(j, argo__jencode_order(rec(j), sym, o, client_id));
  j->urgent = 1;
}

void argo__journal_fill(argo__journal *j, uint16_t sym, const argo_fill *f,
                        const argo__fill_extra *x) {
  sealed(j, argo__jencode_fill(rec(j), sym, f, x));
  j->urgent = 1;
}

void argo__journal_mark(argo__journal *j, int64_t id, int64_t time, const char *symbol,
                        const argo_mark *m) {
  sealed(j, argo__jencode_mark(rec(j), id, time, symbol, m));
}

void argo__journal_log(argo__journal *j, int64_t id, int64_t time, const char *symbol, int level,
                       const char *message, const char *fields) {
  sealed(j, argo__jencode_log(rec(j), id, time, symbol, level, message, fields));
}

void argo__journal_end(argo__journal *j) {
  sealed(j, argo__jencode_raw(rec(j), ARGO_J_END, NULL, 0));
  j->urgent = 1;
}

void argo__journal_switch(argo__journal *j, const char *run_dir) {
  sealed(j, argo__jencode_raw(rec(j), SWITCH_TYPE, run_dir, strlen(run_dir)));
  j->urgent = 1;
}

void argo__journal_urgent(argo__journal *j) {
  j->urgent = 1;
}

void argo__journal_tick(argo__journal *j) {
  if (j->urgent || j->group_us == 0) {
    hand_over(j, FLUSH_URGENT);
  }
}

int argo__journal_failed(const argo__journal *j) {
  return atomic_load(&((argo__journal *)j)->failed);
}

uint64_t argo__journal_lsn(const argo__journal *j) {
  return j->appended;
}

uint64_t argo__journal_published(const argo__journal *j) {
  return atomic_load_explicit(&((argo__journal *)j)->published, memory_order_acquire);
}

uint64_t argo__journal_durable(const argo__journal *j) {
  return atomic_load_explicit(&((argo__journal *)j)->durable, memory_order_acquire);
}

void argo__journal_want_poke(argo__journal *j, int on) {
  atomic_store_explicit(&j->want_poke, on, memory_order_relaxed);
}

int argo__journal_error(argo__journal *j, argo_err *code, char *msg, size_t len) {
  return argo__errring_pop(&j->errs, code, NULL, msg, len);
}
