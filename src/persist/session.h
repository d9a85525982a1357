/*
 * Session manager (docs/design.md sections 2 and 3): the session's identity (UUID), its run number,
 * and its day folders {data_output}/{YYYY-MM-DD}/run_N. It claims run folders atomically with
 * mkdir, moves the day forward only, keeps the same N across days and takes the next free
 * number for a day whose run_N belongs to another session. File-system only: no DuckDB, no
 * threads; used by the engine thread.
 */
#ifndef ARGO_SESSION_H
#define ARGO_SESSION_H

#include <limits.h>
#include <stdint.h>

#include <argo/argo.h>

#include "util/util.h"

typedef struct argo__session {
  char data_output[ARGO_PATH_MAX];
  char session_id[40]; /* UUID v4 */
  char id_prefix[16];  /* first 8 hex digits of the UUID, used in order ids */
  int run_number;      /* N claimed on the first day; wanted again on every later day */
  int day_run;         /* N actually used for the current day */
  int64_t day;         /* current UTC day (days since the epoch) */
  int64_t start_us;    /* session clock at start */
  char date[16];       /* "YYYY-MM-DD" of day */
  char run_name[32];   /* "run_<day_run>" */
  char run_dir[ARGO_PATH_MAX + 64];
  char collision[512]; /* "" or why the current day's run number differs from run_number */
  int lock_fd;         /* the lock of the day folder just claimed (argo__session_lock's kind), held:
                          the caller takes it (and sets this to -1) */
  int64_t opened_wall_us; /* the machine's clock when the session was opened (stats.yaml
                             started_at: which session is the latest) */
} argo__session;

/* Folders named so in a day folder are run folders being claimed (or left by a crash while
 * they were): never a run. */
#define ARGO_CLAIM_PREFIX ".claim."

/* The run number a folder name denotes: n for "run_<n>" with n a positive decimal without
 * leading zeros (at most 9 digits); -1 for any other name. */
int argo__session_run_number(const char *name);
/* Highest run number among the sub-folders of day_dir (0 if none or day_dir is missing).
 * 0 or -errno with err set. */
int argo__session_scan(const char *day_dir, int *max_out, char *err, size_t errlen);
/* Claims run_<n> in day_dir for the smallest free n >= want, where want is max(first, highest
 * existing + 1): the folder appears with its .lock already held (*lock_fd, or released when
 * lock_fd is NULL). Creates day_dir if needed. 0 or -errno. */
int argo__session_claim(const char *day_dir, int first, int *got, int *lock_fd, char *err,
                        size_t errlen);

/* Opens a new session whose clock starts at clock_us: new UUID, claims the day's next run
 * number (its folder's lock held in s->lock_fd). ARGO_EIO with the path in err when a folder cannot
 * be created. */
ARGO_NODISCARD argo_err argo__session_open(argo__session *s, const char *data_output,
                                           int64_t clock_us, char *err, size_t errlen);
/* Moves to the UTC day of t when it is later than the current day: creates {date}/run_N with
 * the session's N or, if taken, the next free number (s->collision explains), its lock held in
 * s->lock_fd. Returns 1 if the
 * day changed, 0 if not (t on the same or an earlier day), or -errno with err set. */
int argo__session_advance(argo__session *s, int64_t t, char *err, size_t errlen);

/* Moves the session's first day back to the UTC day of t (earlier than the current day),
 * before anything was written in the folder argo__session_open claimed: that folder is given
 * up (its lock *lock_fd released and removed, the folder and an emptied day folder removed) and
 * the smallest free run number of t's day claimed, its lock held in *lock_fd; that number is
 * the one later days want (run_number). The session's start (start_us) stays. ARGO_OK, or
 * ARGO_EIO with err set (*lock_fd is then -1). */
ARGO_NODISCARD argo_err argo__session_rewind(argo__session *s, int64_t t, int *lock_fd, char *err,
                                             size_t errlen);

/* Mark and log ids are unique under a data output, also across sessions that run at the same
 * time: each session reserves ranges of ids in {data_output}/.ids (ARGO_IDS_NAME), a small text
 * file ("next_mark_id: N" and "next_log_id: N" lines, the first ids nobody has reserved) that is
 * read and rewritten under an exclusive flock. Reserves count ids of kind (0 marks, 1 logs)
 * above floor (the highest id the caller knows to be used) and above every range reserved
 * before, and sets *first to the first of them. Returns 0, or -errno with err naming the file.
 * The file is not fsynced: after a crash of the machine the ids that were durable are in the
 * run folders (their journals and Parquet files), which the caller scans for floor. */
#define ARGO_IDS_NAME ".ids"
int argo__session_reserve_ids(const char *data_output, int kind, int64_t floor, int64_t count,
                              int64_t *first, char *err, size_t errlen);

/* The lock of a run-day folder (".lock", flock): held by the session writing the folder, so
 * that recovery in another process never takes over a folder that is alive. The kernel drops it
 * when the process dies, so a crashed session's folder can be recovered. Returns 0 with *fd set,
 * -EWOULDBLOCK when another process holds it, or -errno with err set. */
int argo__session_lock(const char *run_dir, int *fd, char *err, size_t errlen);
/* Releases the lock; removes the .lock file first when remove is set. fd < 0 is a no-op. */
void argo__session_unlock(const char *run_dir, int fd, int remove);

#endif
