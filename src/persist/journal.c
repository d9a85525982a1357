/*
 * Write-ahead journal; see journal.h for the format and the design. The engine thread owns the
 * current buffer and touches the shared state only under the mutex, once per hand-over; the
 * writer thread owns the file descriptor.
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
#include "util/fsx.h"
#include "util/util.h"

#define JOURNAL_MAGIC "ARGOJNL"
#define JOURNAL_VERSION 1u
#define HEADER_LEN 16
#define REC_HDR 9 /* u32 len, u32 crc, u8 type */
/* A switch marker lives only in memory: it tells the writer to move to another folder. */
#define SWITCH_TYPE 0xFF

/* ---- CRC-32C ---------------------------------------------------------------------------- */

static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) {
      c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++) {
    for (int t = 1; t < 8; t++) {
      crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
    }
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>
/* The SSE4.2 crc32 instruction computes CRC-32C directly, 8 bytes per instruction. */
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const unsigned char *p,
                                                         size_t len) {
  uint64_t c = ~crc;
  while (len >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
    p += 8;
    len -= 8;
  }
  uint32_t c32 = (uint32_t)c;
  while (len--) {
    c32 = _mm_crc32_u8(c32, *p++);
  }
  return ~c32;
}

static int have_hw(void) {
  static atomic_int known = -1;
  int k = atomic_load_explicit(&known, memory_order_relaxed);
  if (k < 0) {
    k = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    atomic_store_explicit(&known, k, memory_order_relaxed);
  }
  return k;
}
#else
static uint32_t crc_hw(uint32_t crc, const unsigned char *p, size_t len) {
  (void)p;
  (void)len;
  return crc;
}

static int have_hw(void) {
  return 0;
}
#endif

uint32_t argo__crc32c(uint32_t crc, const void *data, size_t len) {
  if (have_hw()) {
    return crc_hw(crc, data, len);
  }
  pthread_once(&crc_once, crc_init);
  const unsigned char *p = data;
  crc = ~crc;
  /* Slicing by 8: eight table lookups per 8 bytes. */
  while (len >= 8) {
    uint32_t lo =
        crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    uint32_t hi =
        (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    crc = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF] ^
          crc_table[5][(lo >> 16) & 0xFF] ^ crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xFF] ^
          crc_table[2][(hi >> 8) & 0xFF] ^ crc_table[1][(hi >> 16) & 0xFF] ^ crc_table[0][hi >> 24];
    p += 8;
    len -= 8;
  }
  while (len--) {
    crc = crc_table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  }
  return ~crc;
}

/* ---- little-endian encoding ------------------------------------------------------------- */

typedef struct jbuf {
  unsigned char *p;
  size_t len, cap;
  int failed;
} jbuf;

static int jb_reserve(jbuf *b, size_t n) {
  if (b->len + n <= b->cap) {
    return 0;
  }
  size_t ncap = b->cap ? b->cap : 65536;
  while (ncap < b->len + n) {
    ncap *= 2;
  }
  unsigned char *np = realloc(b->p, ncap);
  if (!np) {
    b->failed = 1;
    return -1;
  }
  b->p = np;
  b->cap = ncap;
  return 0;
}

static void put_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u64(unsigned char *p, uint64_t v) {
  put_u32(p, (uint32_t)v);
  put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get_u64(const unsigned char *p) {
  return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* A record under construction: header reserved first, payload appended, then sealed. */
typedef struct rec {
  jbuf *b;
  size_t start;
} rec;

static rec rec_begin(jbuf *b, int type, size_t hint) {
  rec r = {b, b->len};
  if (jb_reserve(b, REC_HDR + hint) != 0) {
    r.b = NULL;
    return r;
  }
  b->p[b->len + 8] = (unsigned char)type;
  b->len += REC_HDR;
  return r;
}

static void w_raw_slow(rec *r, const void *d, size_t n) {
  if (!r->b || jb_reserve(r->b, n) != 0) {
    r->b = NULL;
    return;
  }
  memcpy(r->b->p + r->b->len, d, n);
  r->b->len += n;
}

/* Every field of a record goes through here: the common case (room reserved by rec_begin) is a
 * bounds check and a copy, inlined. */
static inline void w_raw(rec *r, const void *d, size_t n) {
  jbuf *b = r->b;
  if (ARGO_LIKELY(b && b->len + n <= b->cap)) {
    memcpy(b->p + b->len, d, n);
    b->len += n;
    return;
  }
  w_raw_slow(r, d, n);
}

static void w_u8(rec *r, unsigned v) {
  unsigned char c = (unsigned char)v;
  w_raw(r, &c, 1);
}

static void w_u16(rec *r, uint16_t v) {
  unsigned char c[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
  w_raw(r, c, 2);
}

static void w_u32(rec *r, uint32_t v) {
  unsigned char c[4];
  put_u32(c, v);
  w_raw(r, c, 4);
}

static void w_i64(rec *r, int64_t v) {
  unsigned char c[8];
  put_u64(c, (uint64_t)v);
  w_raw(r, c, 8);
}

static void w_f64(rec *r, double v) {
  uint64_t u;
  memcpy(&u, &v, 8);
  unsigned char c[8];
  put_u64(c, u);
  w_raw(r, c, 8);
}

static void w_str(rec *r, const char *s) {
  size_t n = s ? strlen(s) : 0;
  w_u32(r, (uint32_t)n);
  w_raw(r, s ? s : "", n);
}

static void w_blob(rec *r, const void *d, size_t n) {
  w_u32(r, (uint32_t)n);
  w_raw(r, d, n);
}

/* Fills in length and checksum. A record that ran out of memory is dropped whole. */
static int rec_end(rec *r, jbuf *b, size_t start) {
  if (!r->b) {
    b->len = start;
    b->failed = 1;
    return -1;
  }
  unsigned char *h = b->p + start;
  uint32_t plen = (uint32_t)(b->len - start - REC_HDR);
  put_u32(h, plen);
  put_u32(h + 4, argo__crc32c(0, h + 8, plen + 1));
  return 0;
}

/* ---- writer ----------------------------------------------------------------------------- */

/* The records the engine thread appends live in a chain of chunks that never move: the engine
 * thread writes whole records past a chunk's published length and then publishes the new length
 * (release); the writer thread reads up to the published length (acquire) on its own schedule.
 * So records become durable within group_commit whatever the engine thread is doing (a
 * strategy that never returns included), with no hand-over from it. A record never spans two
 * chunks. Written chunks go back to a short free list. */
#define CHUNK_CAP ((size_t)256 * 1024)
#define FREE_CHUNKS 8
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

#define ERR_RING 8

struct argo__journal {
  int64_t group_us;
  argo__waker *waker;
  pthread_t thread;
  int started;
  pthread_mutex_t mu;
  pthread_cond_t work_cv, done_cv;
  /* engine thread */
  chunk *tail;       /* the chunk records are appended to */
  jbuf rec;          /* a variable-length record under construction */
  uint64_t appended; /* bytes appended so far (the LSN) */
  int urgent;        /* urgent records since the last flush request */
  /* shared */
  atomic_ullong published; /* LSN of the whole records the writer may take (release) */
  atomic_ullong durable;
  atomic_int flush_req; /* write now rather than at the next group commit (set under mu) */
  atomic_int frozen;    /* argo__journal_freeze: nothing more is written */
  atomic_int want_poke;
  atomic_int err_pending;
  atomic_int failed;  /* the writer could not write: nothing more becomes durable */
  int quit;           /* under mu */
  chunk *free_chunks; /* under mu */
  int nfree;
  struct {
    argo_err code;
    char msg[ARGO_ERRMSG_MAX];
  } errs[ERR_RING];
  int err_head, err_count;
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
  pthread_mutex_lock(&j->mu);
  if (j->err_count == ERR_RING) {
    j->err_head = (j->err_head + 1) % ERR_RING;
    j->err_count--;
  }
  int slot = (j->err_head + j->err_count) % ERR_RING;
  j->errs[slot].code = code;
  argo__strlcpy(j->errs[slot].msg, msg, sizeof j->errs[slot].msg);
  j->err_count++;
  atomic_store(&j->err_pending, 1);
  pthread_mutex_unlock(&j->mu);
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
  unsigned char h[HEADER_LEN] = {0};
  memcpy(h, JOURNAL_MAGIC, 8);
  put_u32(h + 8, JOURNAL_VERSION);
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
    uint32_t plen = get_u32(p + pos);
    int type = p[pos + 8];
    if (type != SWITCH_TYPE) {
      pos += REC_HDR + plen;
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
    memcpy(dir, p + pos + REC_HDR, n);
    dir[n] = '\0';
    int rc = open_file(j, dir, err, sizeof err);
    if (rc) {
      report(j, ARGO_EIO, err);
      return rc;
    }
    pos += REC_HDR + plen;
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
    int64_t wait = j->last_commit + j->group_us - argo__mono_us();
    if (!atomic_load(&j->flush_req) && !j->quit && wait > 0) {
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
  atomic_init(&j->err_pending, 0);
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

/* Asks the writer to write what is published now rather than at the next group commit. */
static void request_flush(argo__journal *j) {
  if (atomic_load_explicit(&j->flush_req, memory_order_relaxed)) {
    return;
  }
  pthread_mutex_lock(&j->mu);
  atomic_store(&j->flush_req, 1);
  pthread_cond_signal(&j->work_cv);
  pthread_mutex_unlock(&j->mu);
}

void argo__journal_handover(argo__journal *j) {
  if (j->appended > atomic_load_explicit(&j->durable, memory_order_relaxed)) {
    request_flush(j);
  }
  j->urgent = 0;
}

/* Waits until everything up to target is durable, the writer failed, or the journal is frozen
 * (then what is durable stays as it is). ARGO_OK or ARGO_EIO (err). */
static argo_err wait_durable(argo__journal *j, uint64_t target, char *err, size_t errlen) {
  pthread_mutex_lock(&j->mu);
  if (atomic_load(&j->durable) < target) {
    atomic_store(&j->flush_req, 1);
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
  argo__journal_close(j, err, sizeof err);
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

/* Appends the record built in j->rec (or, when building it ran out of memory, stops). */
static void sealed(argo__journal *j, rec *r) {
  if (rec_end(r, &j->rec, 0) != 0) {
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

static rec begin(argo__journal *j, int type, size_t hint) {
  j->rec.len = 0;
  j->rec.failed = 0;
  return rec_begin(&j->rec, type, hint);
}

void argo__journal_day(argo__journal *j, const argo__jday *d) {
  rec r = begin(j, ARGO_J_DAY, 256 + d->stats_len);
  w_str(&r, d->session_id);
  w_str(&r, d->run_name);
  w_str(&r, d->date);
  w_i64(&r, d->session_start);
  w_i64(&r, d->day_start_event);
  w_f64(&r, d->capital);
  w_i64(&r, d->mark_id);
  w_i64(&r, d->log_id);
  w_i64(&r, d->candles_total);
  w_str(&r, d->strategy_name);
  w_str(&r, d->strategy_id);
  w_str(&r, d->strategy_version);
  w_str(&r, d->run_collision);
  w_str(&r, d->resumed_from);
  w_u32(&r, (uint32_t)d->nsymbols);
  for (size_t i = 0; i < d->nsymbols; i++) {
    w_str(&r, d->symbols[i]);
  }
  w_blob(&r, d->stats_state, d->stats_len);
  w_str(&r, d->interval);
  w_f64(&r, d->cash);
  sealed(j, &r);
  j->urgent = 1;
}

static void candle_record(argo__journal *j, int type, uint16_t sym, const argo_candle *c);

void argo__journal_candle(argo__journal *j, uint16_t sym, const argo_candle *c) {
  candle_record(j, ARGO_J_CANDLE, sym, c);
}

void argo__journal_hcandle(argo__journal *j, uint16_t sym, const argo_candle *c) {
  candle_record(j, ARGO_J_HCANDLE, sym, c);
}

static void candle_record(argo__journal *j, int type, uint16_t sym, const argo_candle *c) {
  /* The hot path: one fixed-size record, written directly into the chunk. */
  const size_t plen = 2 + 8 + 5 * 8;
  unsigned char *h = reserve(j, REC_HDR + plen);
  if (ARGO_UNLIKELY(!h)) {
    oom(j);
    return;
  }
  unsigned char *p = h + REC_HDR;
  h[8] = (unsigned char)type;
  p[0] = (unsigned char)sym;
  p[1] = (unsigned char)(sym >> 8);
  put_u64(p + 2, (uint64_t)c->time);
  const double v[5] = {c->open, c->high, c->low, c->close, c->volume};
  for (int i = 0; i < 5; i++) {
    uint64_t u;
    memcpy(&u, &v[i], 8);
    put_u64(p + 10 + 8 * i, u);
  }
  put_u32(h, (uint32_t)plen);
  put_u32(h + 4, argo__crc32c(0, h + 8, plen + 1));
  publish(j, REC_HDR + plen);
}

void argo__journal_order(argo__journal *j, uint16_t sym, const argo_order *o) {
  rec r = begin(j, ARGO_J_ORDER, 128);
  w_u16(&r, sym);
  w_str(&r, o->order_id);
  w_u8(&r, (unsigned)o->side);
  w_u8(&r, (unsigned)o->type);
  w_u8(&r, (unsigned)o->position_type);
  w_u8(&r, (unsigned)o->status);
  w_f64(&r, o->quantity);
  w_f64(&r, o->price);
  w_i64(&r, o->timestamp);
  w_f64(&r, o->filled_qty);
  w_str(&r, o->reason);
  w_str(&r, o->symbol); /* for an order of a symbol the session does not trade (sym 0xFFFF) */
  sealed(j, &r);
  j->urgent = 1;
}

void argo__journal_fill(argo__journal *j, uint16_t sym, const argo_fill *f) {
  rec r = begin(j, ARGO_J_FILL, 128);
  w_u16(&r, sym);
  w_str(&r, f->order_id);
  w_u8(&r, (unsigned)f->side);
  w_u8(&r, (unsigned)f->position_type);
  w_f64(&r, f->quantity);
  w_f64(&r, f->price);
  w_i64(&r, f->timestamp);
  w_i64(&r, f->executed_at);
  w_f64(&r, f->executed_qty);
  w_f64(&r, f->executed_price);
  w_f64(&r, f->commission);
  w_f64(&r, f->pnl);
  sealed(j, &r);
  j->urgent = 1;
}

void argo__journal_mark(argo__journal *j, int64_t id, int64_t time, const char *symbol,
                        const argo_mark *m) {
  rec r = begin(j, ARGO_J_MARK, 128);
  w_i64(&r, id);
  w_i64(&r, time);
  w_str(&r, symbol);
  w_str(&r, m->color);
  w_str(&r, m->shape);
  w_str(&r, m->level);
  w_str(&r, m->title);
  w_str(&r, m->message);
  w_str(&r, m->category);
  w_str(&r, m->signal_type);
  sealed(j, &r);
}

void argo__journal_log(argo__journal *j, int64_t id, int64_t time, const char *symbol, int level,
                       const char *message, const char *fields) {
  rec r = begin(j, ARGO_J_LOG, 128);
  w_i64(&r, id);
  w_i64(&r, time);
  w_str(&r, symbol);
  w_u8(&r, (unsigned)level);
  w_str(&r, message);
  w_str(&r, fields);
  sealed(j, &r);
}

void argo__journal_end(argo__journal *j) {
  rec r = begin(j, ARGO_J_END, 0);
  sealed(j, &r);
  j->urgent = 1;
}

void argo__journal_switch(argo__journal *j, const char *run_dir) {
  rec r = begin(j, SWITCH_TYPE, strlen(run_dir));
  w_raw(&r, run_dir, strlen(run_dir));
  sealed(j, &r);
  j->urgent = 1;
}

void argo__journal_urgent(argo__journal *j) {
  j->urgent = 1;
}

void argo__journal_tick(argo__journal *j) {
  if (j->urgent || j->group_us == 0) {
    argo__journal_handover(j);
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
  if (!atomic_load_explicit(&j->err_pending, memory_order_relaxed)) {
    return 0;
  }
  int got = 0;
  pthread_mutex_lock(&j->mu);
  if (j->err_count) {
    *code = j->errs[j->err_head].code;
    argo__strlcpy(msg, j->errs[j->err_head].msg, len);
    j->err_head = (j->err_head + 1) % ERR_RING;
    j->err_count--;
    got = 1;
  }
  if (!j->err_count) {
    atomic_store(&j->err_pending, 0);
  }
  pthread_mutex_unlock(&j->mu);
  return got;
}

/* ---- reading ---------------------------------------------------------------------------- */

argo_err argo__jreader_init(argo__jreader *r, const void *data, size_t len) {
  memset(r, 0, sizeof *r);
  r->data = data;
  r->len = len;
  if (len < HEADER_LEN || memcmp(data, JOURNAL_MAGIC, 8) != 0 ||
      get_u32(r->data + 8) != JOURNAL_VERSION) {
    r->torn = len >= 8 && memcmp(data, JOURNAL_MAGIC, 8) == 0;
    return ARGO_ECORRUPT;
  }
  r->pos = r->good_end = HEADER_LEN;
  return ARGO_OK;
}

/* A whole record with a matching checksum at offset pos. */
static int record_at(const argo__jreader *r, size_t pos, uint32_t *plen) {
  if (r->len - pos < REC_HDR) {
    return 0;
  }
  const unsigned char *h = r->data + pos;
  uint32_t n = get_u32(h);
  if (n > r->len - pos - REC_HDR || argo__crc32c(0, h + 8, (size_t)n + 1) != get_u32(h + 4)) {
    return 0;
  }
  *plen = n;
  return 1;
}

/* After a damaged record, only a record of a known type and size can resume the reading: a
 * cheap filter before the checksum, so that scanning a damaged region costs little. */
static int resumes_at(const argo__jreader *r, size_t pos) {
  const unsigned char *h = r->data + pos;
  uint32_t n = get_u32(h), plen;
  switch (h[8]) {
  case ARGO_J_CANDLE:
  case ARGO_J_HCANDLE:
    if (n != 2 + 8 + 5 * 8) {
      return 0;
    }
    break;
  case ARGO_J_DAY:
    if (n > (UINT32_C(16) << 20)) {
      return 0;
    }
    break;
  case ARGO_J_ORDER:
  case ARGO_J_FILL:
  case ARGO_J_MARK:
  case ARGO_J_LOG:
  case ARGO_J_END:
    if (n > (UINT32_C(1) << 20)) {
      return 0;
    }
    break;
  default:
    return 0;
  }
  return record_at(r, pos, &plen);
}

int argo__jreader_next(argo__jreader *r, int *type, const unsigned char **payload, size_t *plen) {
  if (r->pos >= r->len) {
    return 0;
  }
  uint32_t n;
  if (!record_at(r, r->pos, &n)) {
    /* Damaged here: a later valid record makes it a damaged region, none a torn tail. */
    size_t q = r->pos + 1;
    while (q + REC_HDR <= r->len && !resumes_at(r, q)) {
      q++;
    }
    if (q + REC_HDR > r->len) {
      r->torn = 1;
      return 0;
    }
    if (r->damaged++ == 0) {
      r->first_damage = r->pos;
    }
    r->damaged_bytes += q - r->pos;
    r->pos = q;
    record_at(r, r->pos, &n);
  }
  const unsigned char *h = r->data + r->pos;
  *type = h[8];
  *payload = h + REC_HDR;
  *plen = n;
  r->pos += REC_HDR + n;
  r->good_end = r->pos;
  return 1;
}

typedef struct rd {
  const unsigned char *p;
  size_t n, pos;
  int bad;
} rd;

static int need(rd *d, size_t k) {
  if (d->bad || d->n - d->pos < k) {
    d->bad = 1;
    return 0;
  }
  return 1;
}

static unsigned r_u8(rd *d) {
  return need(d, 1) ? d->p[d->pos++] : 0;
}

static uint16_t r_u16(rd *d) {
  if (!need(d, 2)) {
    return 0;
  }
  uint16_t v = (uint16_t)(d->p[d->pos] | d->p[d->pos + 1] << 8);
  d->pos += 2;
  return v;
}

static uint32_t r_u32(rd *d) {
  if (!need(d, 4)) {
    return 0;
  }
  uint32_t v = get_u32(d->p + d->pos);
  d->pos += 4;
  return v;
}

static int64_t r_i64(rd *d) {
  if (!need(d, 8)) {
    return 0;
  }
  uint64_t v = get_u64(d->p + d->pos);
  d->pos += 8;
  return (int64_t)v;
}

static double r_f64(rd *d) {
  uint64_t u = (uint64_t)r_i64(d);
  double v;
  memcpy(&v, &u, 8);
  return v;
}

static argo__jstr r_str(rd *d) {
  argo__jstr s = {"", 0};
  uint32_t n = r_u32(d);
  if (!need(d, n)) {
    return s;
  }
  s.p = (const char *)d->p + d->pos;
  s.n = n;
  d->pos += n;
  return s;
}

static void r_fixed(rd *d, char *dst, size_t cap) {
  argo__jstr s = r_str(d);
  size_t n = s.n < cap - 1 ? s.n : cap - 1;
  memcpy(dst, s.p, n);
  dst[n] = '\0';
}

int argo__jdecode_candle(const unsigned char *p, size_t n, argo__jcandle *out) {
  rd d = {p, n, 0, 0};
  memset(out, 0, sizeof *out);
  out->sym = r_u16(&d);
  out->c.time = r_i64(&d);
  out->c.open = r_f64(&d);
  out->c.high = r_f64(&d);
  out->c.low = r_f64(&d);
  out->c.close = r_f64(&d);
  out->c.volume = r_f64(&d);
  return d.bad ? -1 : 0;
}

int argo__jdecode_order(const unsigned char *p, size_t n, argo__jorder *out) {
  rd d = {p, n, 0, 0};
  memset(out, 0, sizeof *out);
  out->sym = r_u16(&d);
  r_fixed(&d, out->o.order_id, sizeof out->o.order_id);
  out->o.side = (argo_side)r_u8(&d);
  out->o.type = (argo_order_type)r_u8(&d);
  out->o.position_type = (argo_position_type)r_u8(&d);
  out->o.status = (argo_order_status)r_u8(&d);
  out->o.quantity = r_f64(&d);
  out->o.price = r_f64(&d);
  out->o.timestamp = r_i64(&d);
  out->o.filled_qty = r_f64(&d);
  out->reason = r_str(&d);
  out->symbol = r_str(&d);
  return d.bad ? -1 : 0;
}

int argo__jdecode_fill(const unsigned char *p, size_t n, argo__jfill *out) {
  rd d = {p, n, 0, 0};
  memset(out, 0, sizeof *out);
  out->sym = r_u16(&d);
  r_fixed(&d, out->f.order_id, sizeof out->f.order_id);
  out->f.side = (argo_side)r_u8(&d);
  out->f.position_type = (argo_position_type)r_u8(&d);
  out->f.quantity = r_f64(&d);
  out->f.price = r_f64(&d);
  out->f.timestamp = r_i64(&d);
  out->f.executed_at = r_i64(&d);
  out->f.executed_qty = r_f64(&d);
  out->f.executed_price = r_f64(&d);
  out->f.commission = r_f64(&d);
  out->f.pnl = r_f64(&d);
  return d.bad ? -1 : 0;
}

int argo__jdecode_mark(const unsigned char *p, size_t n, argo__jmark *out) {
  rd d = {p, n, 0, 0};
  out->id = r_i64(&d);
  out->time = r_i64(&d);
  out->symbol = r_str(&d);
  out->color = r_str(&d);
  out->shape = r_str(&d);
  out->level = r_str(&d);
  out->title = r_str(&d);
  out->message = r_str(&d);
  out->category = r_str(&d);
  out->signal_type = r_str(&d);
  return d.bad ? -1 : 0;
}

int argo__jdecode_log(const unsigned char *p, size_t n, argo__jlog *out) {
  rd d = {p, n, 0, 0};
  out->id = r_i64(&d);
  out->time = r_i64(&d);
  out->symbol = r_str(&d);
  out->level = (int)r_u8(&d);
  out->message = r_str(&d);
  out->fields = r_str(&d);
  return d.bad ? -1 : 0;
}

void argo__jday_owned_free(argo__jday_owned *d) {
  free(d->strings);
  memset(d, 0, sizeof *d);
}

int argo__jdecode_day(const unsigned char *p, size_t n, argo__jday_owned *out) {
  memset(out, 0, sizeof *out);
  /* Every string and the symbol array live in one allocation as large as the payload plus
   * room for terminators and pointers; it cannot overflow because each string came from it. */
  size_t cap = n * 2 + 64 * sizeof(char *) + 1024;
  out->strings = malloc(cap);
  if (!out->strings) {
    return -1;
  }
  char *dst = out->strings;
  rd d = {p, n, 0, 0};
#define STR(field)                                                                                 \
  do {                                                                                             \
    argo__jstr s = r_str(&d);                                                                      \
    memcpy(dst, s.p, s.n);                                                                         \
    dst[s.n] = '\0';                                                                               \
    out->d.field = dst;                                                                            \
    dst += s.n + 1;                                                                                \
  } while (0)
  STR(session_id);
  STR(run_name);
  STR(date);
  out->d.session_start = r_i64(&d);
  out->d.day_start_event = r_i64(&d);
  out->d.capital = r_f64(&d);
  out->d.mark_id = r_i64(&d);
  out->d.log_id = r_i64(&d);
  out->d.candles_total = r_i64(&d);
  STR(strategy_name);
  STR(strategy_id);
  STR(strategy_version);
  STR(run_collision);
  STR(resumed_from);
  uint32_t ns = r_u32(&d);
  if (d.bad || ns > 65535 || (size_t)ns * 4 > n) {
    argo__jday_owned_free(out);
    return -1;
  }
  /* Align the pointer array. */
  size_t off = (size_t)(dst - out->strings);
  off = (off + sizeof(char *) - 1) / sizeof(char *) * sizeof(char *);
  if (off + ns * sizeof(char *) > cap) {
    argo__jday_owned_free(out);
    return -1;
  }
  const char **syms = (const char **)(void *)(out->strings + off);
  dst = out->strings + off + ns * sizeof(char *);
  for (uint32_t i = 0; i < ns; i++) {
    argo__jstr s = r_str(&d);
    if ((size_t)(dst - out->strings) + s.n + 1 > cap) {
      argo__jday_owned_free(out);
      return -1;
    }
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    syms[i] = dst;
    dst += s.n + 1;
  }
#undef STR
  out->d.symbols = syms;
  out->d.nsymbols = ns;
  argo__jstr blob = r_str(&d);
  out->d.stats_state = blob.p;
  out->d.stats_len = blob.n;
  argo__jstr iv = r_str(&d);
  if ((size_t)(dst - out->strings) + iv.n + 1 > cap) {
    argo__jday_owned_free(out);
    return -1;
  }
  memcpy(dst, iv.p, iv.n);
  dst[iv.n] = '\0';
  out->d.interval = dst;
  out->d.cash = r_f64(&d);
  if (d.bad) {
    argo__jday_owned_free(out);
    return -1;
  }
  return 0;
}
