/*
 * Publisher thread; see publish.h for the design. The engine thread owns the current segment
 * and touches the shared queue only under the mutex, once per hand-over. The publisher thread
 * owns the store and everything about the current day's folder.
 */
#include "persist/publish.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "persist/empty_parquet.h"
#include "persist/session.h"
#include "persist/store.h"
#include "util/errring.h"
#include "util/fsx.h"
#include "util/strbuf.h"
#include "util/util.h"

/* A stats.yaml document with its own copies of the strings that change during a session
 * (symbols and strategy strings are owned by the engine for the whole session). */
typedef struct docbuf {
  argo__stats_doc doc;
  char status[32];
  char run_dir[ARGO_PATH_MAX + 64];
  char collision[512];
  char resumed[256];
  char interval[16];
  char stop_reason[ARGO_ERRMSG_MAX];
  argo__stats_pos *pos; /* grows to the number of symbols; symbol names are the engine's */
  size_t pos_cap;
  argo_symbol_stats *bysym; /* the same */
  size_t bysym_cap;
} docbuf;

typedef struct seg {
  uint64_t seq;
  uint64_t need_lsn; /* journal position the rows need before they may be published */
  argo__batch rows[ARGO_T_COUNT];
  int has_stats;
  docbuf stats;
  /* The arrays of the latest document (by_symbol, positions), borrowed from the engine until
   * the hand-over copies them into stats (argo__pub_set_stats says why). */
  int stats_lazy;
  argo__stats_doc lazy;
  int begin;
  int begun; /* the day's first files were written on the engine thread */
  char begin_dir[ARGO_PATH_MAX + 64];
  int end;
  int lock_fd; /* end: the day folder's lock, released once its files are final */
  int urgent;
  int idle;         /* handed over because the engine is about to wait for the feed */
  int64_t first_us; /* monotonic time the segment was first seen non-empty; 0 = not yet */
  struct seg *next;
} seg;

/* Rows a segment may hold while the publisher is busy before the engine waits for it: about ten
 * megabytes of buffers, a tenth of a second of engine work at full speed (enough to cover a
 * day's final publication). */
#define SEG_MAX_ROWS 131072
#define SEG_IDLE_ROWS 4096
#define RETRY_LIMIT 8

/* Tables to export on one thread, and how each export went. */
typedef struct export_job {
  size_t n;
  int t[ARGO_T_COUNT];
  argo_err rc[ARGO_T_COUNT];
  int64_t t0[ARGO_T_COUNT], took[ARGO_T_COUNT];
  char err[ARGO_T_COUNT][ARGO_ERRMSG_MAX];
} export_job;

struct argo__pub {
  argo__pub_cfg cfg;
  argo__wal wal; /* the journal's write-ahead interface; all NULL without a journal */
  char day_end_remove[64];
  argo__waker *waker;
  argo__store *store;
  pthread_t thread;
  int started;
  pthread_mutex_t mu;
  pthread_cond_t work_cv; /* the publisher waits here for segments */
  pthread_cond_t done_cv; /* argo__pub_sync waits here */
  seg *qhead, *qtail;     /* handed over, not yet taken */
  seg *free_list;
  int loading; /* the publisher holds segments it has not yet loaded and recycled */
  int quit;
  atomic_int idle;
  atomic_ullong durable;
  atomic_ullong processed; /* highest seq the publisher has loaded */
  atomic_int want_poke;
  argo__errring errs; /* reports to the engine thread */
  atomic_int gave_up; /* read by argo__pub_sync under the mutex, written by the thread */
  argo_err last_code;
  char last_msg[ARGO_ERRMSG_MAX];

  /* engine thread */
  seg *cur;
  uint64_t next_seq;
  uint64_t handed;

  /* publisher thread */
  char dir[ARGO_PATH_MAX + 64];
  int have_dir;
  int dirty[ARGO_T_COUNT];
  int stats_dirty;
  int64_t
      last_export[ARGO_T_COUNT + 1];  /* monotonic time of each table's (and stats') last export */
  int64_t gap[ARGO_T_COUNT + 1];      /* at most one export per gap, unless forced */
  int64_t base_gap[ARGO_T_COUNT + 1]; /* the shortest gap of each table */
  int64_t busy_gap[ARGO_T_COUNT + 1]; /* the gap while the engine runs flat out */
  int64_t max_gap_us;                 /* publish_interval: the longest a table may wait */
  int busy;             /* the last segment came without the engine waiting for the feed */
  atomic_int flush_all; /* sync: export everything now */
  int have_doc;
  docbuf doc;
  /* Without a journal, a day's final stats.yaml ("finished") waits until the next day's folder
   * has its stats.yaml: until then the day says running, so that a crash before the next day's
   * first files shows as a crash (recovery: crashed_recovered, journal off) instead of a
   * session that seems to have finished. */
  int deferred;
  docbuf deferred_doc;
  char deferred_dir[ARGO_PATH_MAX + 64];
  int deferred_lock; /* that day's lock, released with its final stats.yaml */
  docbuf ending_doc; /* scratch: a day's final document while its files are published */
  int failures;      /* consecutive failed publish attempts */
  /* the second export lane (publisher thread and lane thread, under lane_mu) */
  pthread_t lane_thread;
  int lane_started;
  pthread_mutex_t lane_mu;
  pthread_cond_t lane_cv;
  int lane_job, lane_quit;
  int here_job;          /* the publisher thread's part of the current round is running */
  export_job here, side; /* the publisher thread's exports and the lane thread's */
  argo__sb yaml;
  /* stats.yaml's per-symbol items as last rendered (NULL without memory: rendered in full) */
  argo__stats_yaml_cache *ycache;
  char **syms; /* set by the engine thread before the first hand-over; applied once */
  size_t nsyms;
  int syms_applied;
};

/* Everything of src but its arrays (by_symbol, positions), which doc_arrays copies. */
static void doc_head(docbuf *dst, const argo__stats_doc *src) {
  dst->doc = *src;
  argo__strlcpy(dst->status, src->s.status ? src->s.status : "running", sizeof dst->status);
  argo__strlcpy(dst->run_dir, src->s.run_dir ? src->s.run_dir : "", sizeof dst->run_dir);
  argo__strlcpy(dst->collision, src->run_collision ? src->run_collision : "",
                sizeof dst->collision);
  argo__strlcpy(dst->resumed, src->resumed_from ? src->resumed_from : "", sizeof dst->resumed);
  dst->doc.s.status = dst->status;
  dst->doc.s.run_dir = dst->run_dir;
  dst->doc.run_collision = src->run_collision ? dst->collision : NULL;
  dst->doc.resumed_from = src->resumed_from ? dst->resumed : NULL;
  argo__strlcpy(dst->interval, src->interval ? src->interval : "", sizeof dst->interval);
  dst->doc.interval = src->interval ? dst->interval : NULL;
  argo__strlcpy(dst->stop_reason, src->stop_reason ? src->stop_reason : "",
                sizeof dst->stop_reason);
  dst->doc.stop_reason = src->stop_reason ? dst->stop_reason : NULL;
  dst->doc.has_damage = 0; /* a running session's journal is never damaged */
  dst->doc.positions = NULL;
  dst->doc.npositions = 0;
  dst->doc.by_symbol = NULL;
  dst->doc.nby_symbol = 0;
}

static void doc_arrays(docbuf *dst, const argo__stats_doc *src) {
  dst->doc.has_account = src->has_account;
  dst->doc.positions = NULL;
  dst->doc.npositions = 0;
  if (src->has_account && src->npositions &&
      argo__grow((void **)&dst->pos, &dst->pos_cap, src->npositions, sizeof *dst->pos) == 0) {
    memcpy(dst->pos, src->positions, src->npositions * sizeof *dst->pos);
    dst->doc.positions = dst->pos;
    dst->doc.npositions = src->npositions;
  } else if (src->has_account && src->npositions) {
    dst->doc.has_account = 0; /* out of memory: better no account block than a wrong one */
  }
  dst->doc.by_symbol = NULL;
  dst->doc.nby_symbol = 0;
  if (src->nby_symbol &&
      argo__grow((void **)&dst->bysym, &dst->bysym_cap, src->nby_symbol, sizeof *dst->bysym) == 0) {
    memcpy(dst->bysym, src->by_symbol, src->nby_symbol * sizeof *dst->bysym);
    dst->doc.by_symbol = dst->bysym;
    dst->doc.nby_symbol = src->nby_symbol; /* out of memory: no by_symbol rather than a wrong one */
  }
}

static void doc_copy(docbuf *dst, const argo__stats_doc *src) {
  doc_head(dst, src);
  doc_arrays(dst, src);
}

/* The segment's document takes its own copy of the arrays it borrowed (engine thread). */
static void seg_own_stats(seg *s) {
  if (s->stats_lazy) {
    doc_arrays(&s->stats, &s->lazy);
    s->stats_lazy = 0;
  }
}

static void docbuf_move(docbuf *dst, const docbuf *src) {
  doc_copy(dst, &src->doc);
}

static void docbuf_free(docbuf *d) {
  free(d->pos);
  free(d->bysym);
}

static seg *seg_new(void) {
  seg *s = calloc(1, sizeof *s);
  if (s) {
    s->lock_fd = -1;
    for (int t = 0; t < ARGO_T_COUNT; t++) {
      argo__batch_init(&s->rows[t], (argo__table_id)t);
    }
  }
  return s;
}

static void seg_free(seg *s) {
  if (!s) {
    return;
  }
  if (s->lock_fd >= 0) {
    close(s->lock_fd);
  }
  docbuf_free(&s->stats);
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    argo__batch_free(&s->rows[t]);
  }
  free(s);
}

static void seg_clear(seg *s) {
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    argo__batch_clear(&s->rows[t]);
  }
  s->has_stats = s->stats_lazy = s->begin = s->begun = s->end = s->urgent = s->idle = 0;
  s->lock_fd = -1;
  s->first_us = 0;
  s->next = NULL;
}

static int seg_nonempty(const seg *s) {
  if (s->has_stats || s->begin || s->end) {
    return 1;
  }
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    if (s->rows[t].rows) {
      return 1;
    }
  }
  return 0;
}

/* ---- publisher thread ------------------------------------------------------------------- */

static void report(argo__pub *p, argo_err code, const char *msg, int fatal) {
  argo__errring_push(&p->errs, code, fatal, msg);
  pthread_mutex_lock(&p->mu);
  p->last_code = code;
  argo__strlcpy(p->last_msg, msg, sizeof p->last_msg);
  pthread_mutex_unlock(&p->mu);
  if (p->waker) {
    argo__waker_poke(p->waker);
  }
}

static void sleep_us(int64_t us) {
  struct timespec ts = {.tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static int64_t gap_of(const argo__pub *p, int t) {
  return p->busy ? p->busy_gap[t] : p->gap[t];
}

/* Whether table t (ARGO_T_COUNT = stats.yaml) may be exported now: each table is exported at
 * most once per gap (below), which bounds the export work per second whatever the candle
 * rate. */
static int due(const argo__pub *p, int t, int64_t now, int force) {
  return force || now - p->last_export[t] >= gap_of(p, t);
}

/* Gaps: orders, trades and stats every urgent gap (publish_interval / 20), candles, marks and
 * logs every publish gap (publish_interval / 4). A table's export costs time in proportion to
 * the day's rows, so a fixed gap would let export work grow with the day (each export rewrites
 * the whole day's table): the gap is stretched to EXPORT_DUTY times the last export's duration,
 * which bounds the share of the publisher's time spent re-exporting, but never beyond what
 * keeps the file within publish_interval of the session (gap + duration <= publish_interval),
 * so freshness holds while the export is fast enough to allow it. */
#define EXPORT_DUTY 3

static int is_urgent(int t) {
  return t == ARGO_T_ORDERS || t == ARGO_T_TRADES || t == ARGO_T_COUNT;
}

/* While the engine runs flat out (a replay or simulation at full speed, a backlog), every
 * intermediate export of a day's table is work thrown away by the next one, so each table
 * waits as long as its freshness allows: orders, fills and stats half of publish_interval,
 * the others three fifths (leaving room for the export itself, for the other tables' exports
 * and for the rows' way to the publisher). When the engine waits for its feed, the shorter gaps
 * apply and rows are published as they come. */
static void busy_gap(argo__pub *p, int t, int64_t took_us) {
  int64_t target = (is_urgent(t) ? p->max_gap_us / 2 : p->max_gap_us * 3 / 5) - took_us;
  /* Market data, the file readers follow, keep to the target; the others' exports are also
   * spaced by the duty rule (adapt_gap), which leaves the engine more of the machine. */
  int64_t floor = t == ARGO_T_MARKET_DATA ? p->base_gap[t] : p->gap[t];
  p->busy_gap[t] = target > floor ? target : floor;
}

static void adapt_gap(argo__pub *p, int t, int64_t took_us) {
  int64_t g = EXPORT_DUTY * took_us;
  int64_t cap = p->max_gap_us - took_us;
  g = g < cap ? g : cap;
  p->gap[t] = g > p->base_gap[t] ? g : p->base_gap[t];
  busy_gap(p, t, took_us);
}

/* The outcome of one table's export: 1 if it was written. */
static int exported(argo__pub *p, int t, argo_err rc, const char *err, int64_t t0, int64_t took) {
  if (rc) {
    report(p, rc, err, 0);
    return 0;
  }
  const char *note = argo__store_note(p->store, (argo__table_id)t);
  if (note[0]) {
    report(p, ARGO_ECORRUPT, note, 0); /* published all the same, the slow way */
  }
  p->dirty[t] = 0;
  p->last_export[t] = t0;
  adapt_gap(p, t, took);
  return 1;
}

/* ---- the second export lane: a thread that exports the tables of the store's second
 * connection (argo__store_lane) while the publisher thread exports the others. ---------- */

static int in_job(const export_job *job, int t) {
  for (size_t i = 0; i < job->n; i++) {
    if (job->t[i] == t) {
      return 1;
    }
  }
  return 0;
}

/* The lane thread's next table in the current round (-1 if none) while the publisher thread
 * still exports: a table of the lane's connection that falls due meanwhile joins the round
 * rather than wait for its end (market data behind a long export of orders, say); the lane
 * waits for the first one to fall due. No rows are loaded during a round, so a table is
 * exported at most once in it. The publisher thread does not go on in the same way: the rows
 * it loads after the round are fresher than any it could export in it. Called with lane_mu
 * held. */
static int next_in_round(argo__pub *p, const export_job *job) {
  for (;;) {
    if (!p->here_job || p->lane_quit) {
      return -1;
    }
    int64_t now = argo__mono_us(), when = 0;
    for (int t = 0; t < ARGO_T_COUNT; t++) {
      if (!argo__store_lane((argo__table_id)t) || !p->dirty[t] || in_job(job, t)) {
        continue;
      }
      if (due(p, t, now, 0)) {
        return t;
      }
      int64_t w = p->last_export[t] + gap_of(p, t);
      when = when == 0 || w < when ? w : when;
    }
    if (when == 0) {
      return -1;
    }
    struct timespec ts = argo__deadline_in(when - now);
    pthread_cond_timedwait(&p->lane_cv, &p->lane_mu, &ts);
  }
}

/* Exports the tables of job on the calling thread, each with its outcome; on the lane thread,
 * then those that fall due while the publisher thread still exports. */
static void run_exports(argo__pub *p, export_job *job, int lane) {
  for (size_t i = 0;; i++) {
    if (i == job->n) {
      if (!lane) {
        break;
      }
      pthread_mutex_lock(&p->lane_mu);
      int t = next_in_round(p, job);
      pthread_mutex_unlock(&p->lane_mu);
      if (t < 0) {
        break;
      }
      job->t[job->n++] = t;
    }
    job->t0[i] = argo__mono_us();
    job->rc[i] = argo__store_export(p->store, (argo__table_id)job->t[i], p->dir, job->err[i],
                                    sizeof job->err[i]);
    job->took[i] = argo__mono_us() - job->t0[i];
  }
}

static void *lane_main(void *arg) {
  argo__pub *p = arg;
  argo__thread_name("argo-pub-lane");
  pthread_mutex_lock(&p->lane_mu);
  for (;;) {
    while (!p->lane_job && !p->lane_quit) {
      pthread_cond_wait(&p->lane_cv, &p->lane_mu);
    }
    if (p->lane_quit) {
      break;
    }
    pthread_mutex_unlock(&p->lane_mu);
    run_exports(p, &p->side, 1);
    argo__io_fault_settle(); /* the job is over: a fault in it is over too */
    pthread_mutex_lock(&p->lane_mu);
    p->lane_job = 0;
    pthread_cond_broadcast(&p->lane_cv);
  }
  pthread_mutex_unlock(&p->lane_mu);
  return NULL;
}

static void lane_start(argo__pub *p) {
  pthread_mutex_lock(&p->lane_mu);
  p->lane_job = 1;
  p->here_job = 1;
  pthread_cond_broadcast(&p->lane_cv);
  pthread_mutex_unlock(&p->lane_mu);
}

static void lane_wait(argo__pub *p) {
  pthread_mutex_lock(&p->lane_mu);
  p->here_job = 0;
  pthread_cond_broadcast(&p->lane_cv); /* the lane may be waiting for a table to fall due */
  while (p->lane_job) {
    pthread_cond_wait(&p->lane_cv, &p->lane_mu);
  }
  pthread_mutex_unlock(&p->lane_mu);
}

/* The previous day's final stats.yaml, once the next day's exists (see deferred); then the
 * day's lock goes. */
static void write_deferred(argo__pub *p) {
  char err[ARGO_ERRMSG_MAX];
  if (argo__stats_yaml_write_cached(&p->deferred_doc.doc, p->deferred_dir, &p->yaml, p->ycache, err,
                                    sizeof err) != ARGO_OK ||
      argo__fs_fsync_dir(p->deferred_dir, err, sizeof err) != 0) {
    report(p, ARGO_EIO, err, 0); /* tried again at the next stats.yaml */
    return;
  }
  argo__session_unlock(p->deferred_dir, p->deferred_lock, 1);
  p->deferred_lock = -1;
  p->deferred = 0;
}

/* Exports every dirty table and stats.yaml that is due (all of them if force), then fsyncs the
 * folder once. Returns -1 if something failed, else 0 (tables not yet due stay dirty). */
static int publish_dirty(argo__pub *p, int force) {
  if (!p->have_dir) {
    return 0;
  }
  char err[ARGO_ERRMSG_MAX];
  int failed = 0, wrote = 0;
  int64_t now = argo__mono_us();
  /* The due tables are exported on two threads at once, each table on the thread of its
   * store connection (market data and logs on the lane thread, the others here; all here when
   * there is no lane thread). The lane thread takes part in every round, so that market data
   * falling due during a round of the other tables are exported in it. */
  p->here.n = p->side.n = 0;
  /* Market data first on its lane (its file is the one readers follow most closely), orders
   * first here: orders, market data, logs, marks, trades. */
  for (int k = ARGO_T_COUNT; k > 0; k--) {
    int t = k % ARGO_T_COUNT;
    if (p->dirty[t] && due(p, t, now, force)) {
      export_job *j = argo__store_lane((argo__table_id)t) ? &p->side : &p->here;
      j->t[j->n++] = t;
    }
  }
  int two = p->lane_started && (p->here.n || p->side.n);
  if (!p->lane_started) {
    for (size_t i = 0; i < p->side.n; i++) {
      p->here.t[p->here.n++] = p->side.t[i];
    }
    p->side.n = 0;
  }
  /* A fault of an earlier publish is over before the other lane touches the files. */
  argo__io_fault_settle();
  if (two) {
    lane_start(p);
  }
  run_exports(p, &p->here, 0);
  if (two) {
    lane_wait(p);
  }
  for (int k = 0; k < 2; k++) {
    export_job *j = k ? &p->side : &p->here;
    for (size_t i = 0; i < j->n; i++) {
      wrote |= exported(p, j->t[i], j->rc[i], j->err[i], j->t0[i], j->took[i]);
      failed |= j->rc[i] != ARGO_OK;
    }
  }
  now = argo__mono_us();
  /* stats.yaml never claims more than the tables hold: not after a failed export, and a final
   * one ("finished") only once every table is exported. Recovery trusts a finished stats.yaml. */
  int tables_left = 0;
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    tables_left |= p->dirty[t];
  }
  int final_doc = strcmp(p->doc.status, "running") != 0;
  if (p->stats_dirty && p->have_doc && due(p, ARGO_T_COUNT, now, force) && !failed &&
      !(final_doc && tables_left)) {
    if (final_doc && wrote && argo__fs_fsync_dir(p->dir, err, sizeof err) != 0) {
      /* The tables must be durable before a stats.yaml that says the day is final. */
      report(p, ARGO_EIO, err, 0);
      failed = 1;
    }
    argo_err rc = failed ? ARGO_OK
                         : argo__stats_yaml_write_cached(&p->doc.doc, p->dir, &p->yaml, p->ycache,
                                                         err, sizeof err);
    if (rc) {
      report(p, rc, err, 0);
      failed = 1;
    } else if (!failed) {
      p->stats_dirty = 0;
      p->last_export[ARGO_T_COUNT] = now;
      wrote = 1;
      if (p->deferred && strcmp(p->deferred_dir, p->dir) != 0) {
        write_deferred(p);
      }
    }
  }
  if (wrote && argo__fs_fsync_dir(p->dir, err, sizeof err) != 0) {
    report(p, ARGO_EIO, err, 0);
    for (int t = 0; t < ARGO_T_COUNT; t++) {
      p->dirty[t] = 1; /* not durable until the folder is: publish again */
      p->last_export[t] = 0;
    }
    p->stats_dirty = p->have_doc;
    p->last_export[ARGO_T_COUNT] = 0;
    failed = 1;
  }
  return failed ? -1 : 0;
}

/* Monotonic time at which the next deferred export is due, or 0 if nothing is dirty. */
static int64_t next_due(const argo__pub *p) {
  int64_t when = 0;
  for (int t = 0; t <= ARGO_T_COUNT; t++) {
    int dirty = t < ARGO_T_COUNT ? p->dirty[t] : (p->stats_dirty && p->have_doc);
    if (dirty) {
      int64_t w = p->last_export[t] + gap_of(p, t);
      when = when == 0 || w < when ? w : when;
    }
  }
  return when;
}

/* Publishes with a few retries (a day's final files must be written before its tables are
 * emptied). Returns 0 on success. */
static int publish_final(argo__pub *p) {
  static const int64_t backoff_us[] = {50000, 200000, 500000, 1000000, 2000000};
  for (size_t i = 0;; i++) {
    if (publish_dirty(p, 1) == 0) {
      return 0;
    }
    if (i == ARGO_ARRAY_LEN(backoff_us)) {
      return -1;
    }
    sleep_us(backoff_us[i]);
  }
}

static int any_dirty(const argo__pub *p) {
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    if (p->dirty[t]) {
      return 1;
    }
  }
  return p->stats_dirty;
}

/* A sync (flush_all) needs the thread only while something is left to publish: once all is
 * durable, the thread waits like an idle one rather than spin on the mutex the waking sync
 * needs. */
static int flush_wanted(const argo__pub *p) {
  return atomic_load(&p->flush_all) && !p->gave_up &&
         (any_dirty(p) || atomic_load(&p->durable) < atomic_load(&p->processed));
}

/* Waits until the journal holds every row of the list (the write-ahead rule). Returns 0, or
 * -1 if the journal stopped making progress (its writer failed). */
static int wait_wal(argo__pub *p, const seg *list) {
  if (!p->wal.durable) {
    return 0;
  }
  uint64_t need = 0;
  for (const seg *s = list; s; s = s->next) {
    need = s->need_lsn > need ? s->need_lsn : need;
  }
  int64_t waited = 0;
  while (p->wal.durable(p->wal.journal) < need) {
    if (p->wal.failed(p->wal.journal)) {
      return -1;
    }
    /* The journal commits within milliseconds; poll rather than couple the two threads. */
    sleep_us(500);
    waited += 500;
    if (waited > 600 * 1000000LL) {
      return -1; /* ten minutes without the journal reaching the disk */
    }
  }
  return 0;
}

/* Removes the day's journal once its files are final, and makes that durable. */
static void remove_day_file(argo__pub *p) {
  if (!p->day_end_remove[0] || !p->have_dir) {
    return;
  }
  char path[ARGO_PATH_MAX + 128], err[ARGO_ERRMSG_MAX];
  snprintf(path, sizeof path, "%s/%s", p->dir, p->day_end_remove);
  if (unlink(path) != 0 && errno != ENOENT) {
    argo__fmt_errno(err, sizeof err, errno, "cannot remove '%s'", path);
    report(p, ARGO_EIO, err, 0);
    return;
  }
  if (argo__fs_fsync_dir(p->dir, err, sizeof err) != 0) {
    report(p, ARGO_EIO, err, 0);
  }
}

static int queued(argo__pub *p) {
  pthread_mutex_lock(&p->mu);
  int q = p->qhead != NULL;
  pthread_mutex_unlock(&p->mu);
  return q;
}

/* Puts the segments of list back on the free list, emptied: their buffers serve the engine
 * thread's next segments. */
static void recycle(argo__pub *p, seg *list) {
  seg *tail = NULL;
  for (seg *s = list; s;) {
    seg *n = s->next;
    seg_clear(s);
    s->next = n;
    tail = s;
    s = n;
  }
  pthread_mutex_lock(&p->mu);
  if (tail) {
    tail->next = p->free_list;
    p->free_list = list;
  }
  p->loading = 0;
  pthread_mutex_unlock(&p->mu);
}

/* Loads the segments of list into the store (day folders begun and ended on the way). -1 when
 * nothing may be published any more (the publisher gave up), else 0. */
static int load(argo__pub *p, seg *list) {
  char err[ARGO_ERRMSG_MAX];
  uint64_t last = 0;
  if (p->gave_up) {
    /* The session is stopping; what is not published stays in the journal for recovery. */
    return -1;
  }
  if (list && wait_wal(p, list) != 0) {
    report(p, ARGO_EIO,
           "the write-ahead journal is not reaching the disk: nothing more can be published", 1);
    p->gave_up = 1;
    return -1;
  }
  if (!p->syms_applied && p->store) {
    p->syms_applied = 1;
    argo_err rc =
        argo__store_set_symbols(p->store, (const char *const *)p->syms, p->nsyms, err, sizeof err);
    if (rc) {
      report(p, rc, err, 1);
      p->gave_up = 1;
      return -1;
    }
  }
  for (seg *s = list; s; s = s->next) {
    if (s->begin) {
      argo__strlcpy(p->dir, s->begin_dir, sizeof p->dir);
      p->have_dir = 1;
      /* A new day's files are created at once, empty tables included, before the segment's
       * rows are loaded (so that this costs a few empty files, not an early export of the
       * day's first rows); its stats.yaml follows with the segment's document. Unless the
       * engine thread wrote them already: then the rows wait their gap as usual. */
      int64_t now = argo__mono_us();
      for (int t = 0; t <= ARGO_T_COUNT; t++) {
        if (t < ARGO_T_COUNT) {
          p->dirty[t] = !s->begun;
        }
        p->last_export[t] = s->begun ? now : 0;
      }
      /* The day's stats.yaml comes with its first files: a folder never holds rows without
       * one (with the journal off, it is all a crash would leave). */
      if (s->has_stats) {
        docbuf_move(&p->doc, &s->stats);
        p->have_doc = 1;
        p->stats_dirty = 1;
      }
      if (!s->begun) {
        publish_dirty(p, 1);
      }
    }
    for (int t = 0; t < ARGO_T_COUNT; t++) {
      if (s->rows[t].rows == 0) {
        continue;
      }
      argo_err rc = argo__store_append(p->store, &s->rows[t], err, sizeof err);
      if (rc) {
        /* Rows that cannot be loaded cannot be published: stop the session. */
        report(p, rc, err, 1);
        p->gave_up = 1;
      }
      p->dirty[t] = 1;
    }
    if (!s->begin && !s->end) {
      p->busy = !s->idle;
    }
    if (s->has_stats && !s->begin) {
      docbuf_move(&p->doc, &s->stats);
      p->have_doc = 1;
      p->stats_dirty = 1;
    }
    if (s->end) {
      int defer = !p->wal.durable && p->have_doc;
      if (defer) {
        docbuf_move(&p->ending_doc, &p->doc);
        argo__strlcpy(p->doc.status, "running", sizeof p->doc.status);
      }
      int ok = publish_final(p) == 0;
      if (defer && ok) {
        if (p->deferred) {
          write_deferred(p); /* the day before: this day's stats.yaml exists now */
        }
        docbuf_move(&p->deferred_doc, &p->ending_doc);
        argo__strlcpy(p->deferred_dir, p->dir, sizeof p->deferred_dir);
        p->deferred = 1;
        /* The day says running until then: it stays locked, so that no recovery takes it for
         * a crashed one meanwhile, and a crash leaves it for recovery to finalize. */
        p->deferred_lock = s->lock_fd;
        s->lock_fd = -1;
      }
      if (!ok) {
        argo__fmt(err, sizeof err, "giving up publishing the files of '%s': %s", p->dir,
                  p->last_msg);
        report(p, ARGO_EIO, err, 1);
        p->gave_up = 1;
      } else {
        /* The extended files' hidden inodes go before the journal: a folder without a journal
         * is final, and nothing would remove them after a crash in between. */
        argo__store_finish_files(p->store);
        remove_day_file(p);
      }
      /* The day is final (or left to recovery, its journal kept): its lock goes. */
      argo__session_unlock(p->dir, s->lock_fd, ok);
      s->lock_fd = -1;
      argo_err rc = argo__store_reset(p->store, err, sizeof err);
      if (rc) {
        report(p, rc, err, 1);
        p->gave_up = 1;
      }
      for (int t = 0; t < ARGO_T_COUNT; t++) {
        p->dirty[t] = 0;
      }
      p->stats_dirty = 0;
      p->have_doc = 0;
      /* Nothing more may be written to a finished day's folder. */
      p->have_dir = 0;
    }
    last = s->seq;
  }
  if (last) {
    atomic_store(&p->processed, last);
  }
  return 0;
}

/* Loads the segments of list (taken: they go back to the free list once their rows are in the
 * store, before the exports, so that an engine handing over meanwhile reuses them) and
 * publishes what is due. */
static void process(argo__pub *p, seg *list) {
  int go = load(p, list);
  recycle(p, list);
  if (go != 0) {
    return;
  }
  char err[ARGO_ERRMSG_MAX];
  /* While a sync waits, everything is exported at once (the flag is cleared by the sync), once
   * the segments it waits for are all loaded: an export before the last of them would be
   * thrown away at once. */
  int force = atomic_load(&p->flush_all);
  if (force && queued(p)) {
    return;
  }
  if (publish_dirty(p, force) == 0) {
    p->failures = 0;
    if (!p->gave_up && !any_dirty(p)) {
      atomic_store(&p->durable, atomic_load(&p->processed));
    }
  } else if (++p->failures >= RETRY_LIMIT && !p->gave_up) {
    argo__fmt(err, sizeof err, "giving up publishing to '%s' after %d attempts: %s", p->dir,
              p->failures, p->last_msg);
    report(p, ARGO_EIO, err, 1);
    p->gave_up = 1;
  }
}

static void *thread_main(void *arg) {
  argo__pub *p = arg;
  argo__thread_name("argo-publisher");
  /* DuckDB starts here, on the publisher's own thread, while the engine thread goes on with its
   * setup (claiming the run folder, the journal, the strategy's warm-up); whatever waits for
   * the first publish waits for this too. */
  char err[ARGO_ERRMSG_MAX];
  argo_err rc = argo__store_open(&p->store, p->cfg.duck_threads, err, sizeof err);
  if (rc) {
    report(p, rc, err, 1);
  } else {
    /* A publication encodes only the rows since the previous one (issue 21). */
    argo__store_set_extend(p->store, 1);
  }
  pthread_mutex_lock(&p->mu);
  if (rc) {
    p->gave_up = 1;
    pthread_cond_broadcast(&p->done_cv);
  }
  for (;;) {
    int retry = !p->gave_up && any_dirty(p);
    while (!p->qhead && !p->quit && !flush_wanted(p)) {
      if (retry) {
        /* Retry a failed publish after 100 ms, doubling up to 1 s; a deferred export when it
         * is due. */
        int64_t wait = p->failures < 4 ? 100000LL << p->failures : 1000000;
        if (p->failures == 0) {
          wait = next_due(p) - argo__mono_us();
          wait = wait < 1000 ? 1000 : wait;
        }
        struct timespec ts = argo__deadline_in(wait);
        if (pthread_cond_timedwait(&p->work_cv, &p->mu, &ts) == ETIMEDOUT) {
          break;
        }
      } else {
        pthread_cond_wait(&p->work_cv, &p->mu);
      }
    }
    if (!p->qhead && p->quit && (!retry || p->gave_up)) {
      break;
    }
    seg *list = p->qhead;
    p->qhead = p->qtail = NULL;
    p->loading = 1;
    atomic_store(&p->idle, 0);
    pthread_mutex_unlock(&p->mu);

    process(p, list);

    pthread_mutex_lock(&p->mu);
    if (!p->qhead) {
      atomic_store(&p->idle, 1);
    }
    pthread_cond_broadcast(&p->done_cv);
    if (p->quit && !p->qhead && (!any_dirty(p) || p->gave_up)) {
      break;
    }
    if (atomic_load(&p->want_poke) && p->waker) {
      argo__waker_poke(p->waker);
    }
  }
  atomic_store(&p->idle, 1);
  pthread_cond_broadcast(&p->done_cv);
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* ---- engine thread ---------------------------------------------------------------------- */

argo_err argo__pub_start(argo__pub **out, const argo__pub_cfg *cfg, argo__waker *waker, char *err,
                         size_t errlen) {
  *out = NULL;
  argo__pub *p = calloc(1, sizeof *p);
  if (!p) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  p->cfg = *cfg;
  p->deferred_lock = -1;
  argo__strlcpy(p->day_end_remove, cfg->day_end_remove ? cfg->day_end_remove : "",
                sizeof p->day_end_remove);
  p->cfg.day_end_remove = NULL;
  p->waker = waker;
  p->max_gap_us = cfg->min_gap_us * 4;
  for (int t = 0; t <= ARGO_T_COUNT; t++) {
    p->gap[t] = p->base_gap[t] = is_urgent(t) ? cfg->min_gap_us / 5 : cfg->min_gap_us;
    busy_gap(p, t, 0);
  }
  atomic_init(&p->flush_all, 0);
  argo__sb_init(&p->yaml);
  if (argo__stats_yaml_cache_new(&p->ycache) != ARGO_OK) {
    p->ycache = NULL; /* stats.yaml is rendered whole every time: slower, the same bytes */
  }
  atomic_init(&p->idle, 1);
  atomic_init(&p->durable, 0);
  atomic_init(&p->processed, 0);
  atomic_init(&p->want_poke, 0);
  argo__errring_init(&p->errs);
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->work_cv, NULL);
  pthread_cond_init(&p->done_cv, NULL);
  pthread_mutex_init(&p->lane_mu, NULL);
  pthread_cond_init(&p->lane_cv, NULL);
  /* Without the second lane (no thread), every export runs on the publisher thread. */
  /* glibc makes its time zone strings (tzname) at the first tzset, which DuckDB's threads and
   * localtime call: made here, before any thread of ours, a later tzset finds them made and
   * writes nothing, so a reader of tzname on another thread (the Python host's time module)
   * never races with it. */
  tzset();
  p->lane_started = pthread_create(&p->lane_thread, NULL, lane_main, p) == 0;
  argo_err rc;
  p->cur = seg_new();
  if (!p->cur) {
    argo__fmt(err, errlen, "out of memory");
    rc = ARGO_ENOMEM;
    goto fail;
  }
  p->cur->seq = ++p->next_seq;
  if (pthread_create(&p->thread, NULL, thread_main, p) != 0) {
    argo__fmt(err, errlen, "cannot start the publisher thread");
    rc = ARGO_ENOMEM;
    goto fail;
  }
  p->started = 1;
  *out = p;
  return ARGO_OK;
fail:
  argo__pub_free(p);
  return rc;
}

void argo__pub_set_wal(argo__pub *p, const argo__wal *wal) {
  p->wal = *wal;
}

void argo__pub_handover(argo__pub *p) {
  seg *s = p->cur;
  if (!seg_nonempty(s)) {
    return;
  }
  seg *n;
  seg_own_stats(s);
  pthread_mutex_lock(&p->mu);
  n = p->free_list;
  if (n) {
    p->free_list = n->next;
    n->next = NULL;
  }
  pthread_mutex_unlock(&p->mu);
  if (!n) {
    n = seg_new();
    if (!n) {
      /* Keep filling the current segment; the rows are not lost, only published later. */
      return;
    }
  }
  n->seq = ++p->next_seq;
  p->cur = n;
  s->need_lsn = p->wal.flush ? p->wal.flush(p->wal.journal) : 0;
  pthread_mutex_lock(&p->mu);
  s->next = NULL;
  if (p->qtail) {
    p->qtail->next = s;
  } else {
    p->qhead = s;
  }
  p->qtail = s;
  atomic_store(&p->idle, 0);
  pthread_cond_signal(&p->work_cv);
  pthread_mutex_unlock(&p->mu);
  p->handed = s->seq;
}

void argo__pub_halt(argo__pub *p) {
  if (!p || !p->started) {
    return;
  }
  pthread_mutex_lock(&p->mu);
  p->gave_up = 1;
  p->quit = 1;
  pthread_cond_signal(&p->work_cv);
  pthread_cond_broadcast(&p->done_cv);
  pthread_mutex_unlock(&p->mu);
  pthread_join(p->thread, NULL);
  p->started = 0;
  if (p->deferred) {
    write_deferred(p); /* its next day's stats.yaml exists: the day before is final */
  }
}

void argo__pub_free(argo__pub *p) {
  if (!p) {
    return;
  }
  if (p->started) {
    argo__pub_handover(p);
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    atomic_store(&p->flush_all, 1);
    pthread_cond_signal(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
  }
  if (p->lane_started) {
    pthread_mutex_lock(&p->lane_mu);
    p->lane_quit = 1;
    pthread_cond_broadcast(&p->lane_cv);
    pthread_mutex_unlock(&p->lane_mu);
    pthread_join(p->lane_thread, NULL);
  }
  while (p->qhead) {
    seg *n = p->qhead->next;
    seg_free(p->qhead);
    p->qhead = n;
  }
  while (p->free_list) {
    seg *n = p->free_list->next;
    seg_free(p->free_list);
    p->free_list = n;
  }
  seg_free(p->cur);
  if (p->deferred) {
    write_deferred(p); /* the session ended before its next day's stats.yaml */
  }
  if (p->deferred) {
    argo__session_unlock(p->deferred_dir, p->deferred_lock, 0); /* left to recovery */
  }
  argo__store_close(p->store);
  argo__sb_free(&p->yaml);
  argo__stats_yaml_cache_free(p->ycache);
  for (size_t i = 0; i < p->nsyms; i++) {
    free(p->syms[i]);
  }
  free(p->syms);
  docbuf_free(&p->doc);
  docbuf_free(&p->deferred_doc);
  docbuf_free(&p->ending_doc);
  pthread_mutex_destroy(&p->mu);
  argo__errring_deinit(&p->errs);
  pthread_cond_destroy(&p->work_cv);
  pthread_cond_destroy(&p->done_cv);
  pthread_mutex_destroy(&p->lane_mu);
  pthread_cond_destroy(&p->lane_cv);
  free(p);
}

argo__batch *argo__pub_rows(argo__pub *p, argo__table_id t) {
  return &p->cur->rows[t];
}

void argo__pub_set_stats(argo__pub *p, const argo__stats_doc *doc) {
  /* A segment takes many snapshots of which only its last is published: the per-symbol arrays
   * (a few hundred bytes a symbol) are copied once, at the hand-over, instead of at every
   * snapshot. */
  doc_head(&p->cur->stats, doc);
  p->cur->lazy = *doc;
  p->cur->stats_lazy = 1;
  p->cur->has_stats = 1;
  p->cur->urgent = 1;
}

void argo__pub_urgent(argo__pub *p) {
  p->cur->urgent = 1;
}

argo_err argo__pub_set_symbols(argo__pub *p, const char *const *symbols, size_t n) {
  if (p->syms) {
    return ARGO_ESTATE; /* once, before the first hand-over */
  }
  p->syms = calloc(n ? n : 1, sizeof *p->syms);
  if (!p->syms) {
    return ARGO_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    p->syms[i] = argo__strdup(symbols[i]);
    if (!p->syms[i]) {
      return ARGO_ENOMEM;
    }
    p->nsyms = i + 1;
  }
  return ARGO_OK;
}

void argo__pub_begin_day(argo__pub *p, const char *run_dir) {
  if (seg_nonempty(p->cur)) {
    argo__pub_handover(p);
  }
  p->cur->begin = 1;
  argo__strlcpy(p->cur->begin_dir, run_dir, sizeof p->cur->begin_dir);
  p->cur->urgent = 1;
}

argo_err argo__pub_write_day_files(argo__pub *p, char *err, size_t errlen) {
  seg *s = p->cur;
  const char *dir = s->begin_dir;
  seg_own_stats(s);
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    argo_err rc = argo__empty_parquet_write((argo__table_id)t, dir, err, errlen);
    if (rc) {
      return rc;
    }
  }
  if (s->has_stats) {
    argo_err rc = argo__stats_yaml_write(&s->stats.doc, dir, NULL, err, errlen);
    if (rc) {
      return rc;
    }
  }
  if (argo__fs_fsync_dir(dir, err, errlen) != 0) {
    return ARGO_EIO;
  }
  s->begun = 1;
  return ARGO_OK;
}

void argo__pub_end_day(argo__pub *p, int lock_fd) {
  p->cur->end = 1;
  p->cur->lock_fd = lock_fd;
  argo__pub_handover(p);
}

uint64_t argo__pub_seq(const argo__pub *p) {
  return p->cur->seq;
}

static size_t seg_rows(const seg *s) {
  size_t n = 0;
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    n += s->rows[t].rows;
  }
  return n;
}

/* Whether the segment's first rows have waited a quarter of publish_interval for a busy
 * publisher: then the engine waits too, and the two cores go to the exports, which keeps the
 * files within publish_interval of the session when a day's tables grow large. */
static int seg_stale(const argo__pub *p, seg *s) {
  if (s->first_us == 0) {
    if (seg_nonempty(s)) {
      s->first_us = argo__mono_us();
    }
    return 0;
  }
  return argo__mono_us() - s->first_us >= p->max_gap_us / 4;
}

/* Blocks the engine thread until the publisher has taken everything handed over (or gave up). */
static void wait_idle(argo__pub *p) {
  pthread_mutex_lock(&p->mu);
  while (!atomic_load(&p->idle) && !p->gave_up) {
    pthread_cond_wait(&p->done_cv, &p->mu);
  }
  pthread_mutex_unlock(&p->mu);
}

void argo__pub_tick(argo__pub *p) {
  seg *s = p->cur;
  int full = 0;
  if (!atomic_load_explicit(&p->idle, memory_order_relaxed)) {
    /* Back-pressure: when the engine produces rows faster than the publisher can load and
     * export them, the engine waits rather than let the backlog (memory, and how far the
     * files are behind) grow without bound. */
    size_t rows = seg_rows(s);
    if (rows < SEG_MAX_ROWS && !seg_stale(p, s)) {
      return;
    }
    /* A full segment is handed over without waiting while nothing else is queued and the
     * publisher has loaded what it took (its segments are back on the free list, process): the
     * engine goes on in their buffers rather than idle a core while the round's exports end,
     * and the publisher loads the segment right after them. So at most two segments are ever
     * filled at once, as when the engine waited. A stale one still waits: its rows are late
     * already, and the exports get both cores. */
    int lead = rows >= SEG_MAX_ROWS;
    if (lead) {
      pthread_mutex_lock(&p->mu);
      lead = p->qhead == NULL && !p->loading && p->free_list != NULL;
      pthread_mutex_unlock(&p->mu);
    }
    if (lead) {
      argo__pub_handover(p);
      return;
    }
    wait_idle(p);
    full = 1;
  }
  if (!seg_nonempty(s)) {
    return;
  }
  /* Hand over once the rows have waited their gap: urgent rows (orders, fills, stats) a fifth
   * of the publish gap, the others the whole gap. At full speed this batches thousands of
   * candles per hand-over; when the feed waits, the idle hook hands over at once. */
  int64_t now = argo__mono_us();
  if (s->first_us == 0) {
    s->first_us = now;
  }
  int64_t gap = s->urgent ? p->cfg.min_gap_us / 5 : p->cfg.min_gap_us;
  /* An idle publisher takes a few thousand rows at once: it loads them into DuckDB on its own
   * core while the engine goes on, instead of all of them after the gap. */
  if (full || now - s->first_us >= gap || s->begin || s->end || seg_rows(s) >= SEG_IDLE_ROWS) {
    argo__pub_handover(p);
  }
}

void argo__pub_handover_idle(argo__pub *p) {
  if (seg_nonempty(p->cur)) {
    p->cur->idle = 1;
    argo__pub_handover(p);
  }
}

uint64_t argo__pub_durable(const argo__pub *p) {
  return atomic_load_explicit(&((argo__pub *)p)->durable, memory_order_acquire);
}

void argo__pub_want_poke(argo__pub *p, int on) {
  atomic_store_explicit(&p->want_poke, on, memory_order_relaxed);
}

/* Waits until segment seq is published or the publisher gave up; with all, everything queued
 * is exported at once (flush_all) and waited for. ARGO_OK or the last error (err). */
static argo_err wait_published(argo__pub *p, uint64_t seq, int all, char *err, size_t errlen) {
  pthread_mutex_lock(&p->mu);
  if (all) {
    atomic_store(&p->flush_all, 1);
    pthread_cond_signal(&p->work_cv);
  }
  while (!p->gave_up && ((all && p->qhead) || atomic_load(&p->durable) < seq)) {
    pthread_cond_wait(&p->done_cv, &p->mu);
  }
  if (all) {
    atomic_store(&p->flush_all, 0);
  }
  argo_err rc = ARGO_OK;
  if (atomic_load(&p->durable) < seq) {
    rc = p->last_code ? p->last_code : ARGO_EIO;
    argo__strlcpy(err, p->last_msg, errlen);
  }
  pthread_mutex_unlock(&p->mu);
  return rc;
}

argo_err argo__pub_sync(argo__pub *p, char *err, size_t errlen) {
  argo__pub_handover(p);
  if (seg_nonempty(p->cur)) {
    /* The segment could not be handed over (out of memory): its rows are not published. */
    argo__strlcpy(err, "out of memory: the last rows could not be handed to the publisher", errlen);
    return ARGO_ENOMEM;
  }
  return wait_published(p, p->handed, 1, err, errlen);
}

argo_err argo__pub_wait(argo__pub *p, uint64_t seq, char *err, size_t errlen) {
  if (seq > p->handed) {
    argo__pub_handover(p);
  }
  return wait_published(p, seq, 0, err, errlen);
}

int argo__pub_error(argo__pub *p, argo_err *code, char *msg, size_t len, int *fatal) {
  return argo__errring_pop(&p->errs, code, fatal, msg, len);
}
