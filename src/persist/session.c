/*
 * Session manager: run numbering and day folders; see session.h. The run folder is claimed by a
 * rename that never replaces (made and locked under a name of its own first), which is atomic:
 * two sessions that scan at the same instant both try run_<max+1>, one gets EEXIST and moves on
 * to the next number.
 */
#define _GNU_SOURCE /* renameat2 */
#include "persist/session.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdatomic.h>
#include <unistd.h>

#include "util/fsx.h"
#include "util/misc.h"
#include "util/timeu.h"
#include "util/util.h"

int argo__session_run_number(const char *name) {
  if (strncmp(name, "run_", 4) != 0) {
    return -1;
  }
  const char *d = name + 4;
  size_t n = strlen(d);
  if (n == 0 || n > 9 || d[0] == '0') {
    return -1;
  }
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (d[i] < '0' || d[i] > '9') {
      return -1;
    }
    v = v * 10 + (d[i] - '0');
  }
  return v;
}

int argo__session_scan(const char *day_dir, int *max_out, char *err, size_t errlen) {
  *max_out = 0;
  DIR *dir = opendir(day_dir);
  if (!dir) {
    if (errno == ENOENT) {
      return 0;
    }
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot read folder '%s'", day_dir);
    return -e;
  }
  struct dirent *de;
  char path[ARGO_PATH_MAX + 64];
  while ((de = readdir(dir)) != NULL) {
    int n = argo__session_run_number(de->d_name);
    if (n <= *max_out) {
      continue;
    }
    /* Only folders count: a file named run_9 is ignored. */
    snprintf(path, sizeof path, "%s/%s", day_dir, de->d_name);
    if (argo__fs_is_dir(path)) {
      *max_out = n;
    }
  }
  closedir(dir);
  return 0;
}

/* 1 if fd is the file at path now (not one unlinked, or replaced, since it was opened). */
static int same_file(int fd, const char *path) {
  struct stat a, b;
  return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Creates the run folder path with its lock held: made under a dot-name of its own beside it
 * (".claim.<pid>.<n>"), its .lock created and locked there, then renamed into place without
 * replacing anything. So a run folder never exists without its .lock, and recovery can tell a
 * folder that a session left (a .lock nobody holds) from one that is being claimed (none: it
 * is not there yet). 0 with *lock_fd set, -EEXIST when path exists, or -errno (err). */
static int create_locked(const char *day_dir, const char *path, int *lock_fd, char *err,
                         size_t errlen) {
  static atomic_uint counter;
  char tmp[ARGO_PATH_MAX + 64], lpath[ARGO_PATH_MAX + 128];
  int fd = -1, e = 0;
  /* Another session's recovery may take a claim folder for a crashed one in the instant before
   * its lock exists (remove_stale_claims in recover.c): then the claim starts again. */
  for (int attempt = 0; fd < 0 && attempt < 10; attempt++) {
    if (argo__path(tmp, sizeof tmp, err, errlen, "%s/%s%ld.%u", day_dir, ARGO_CLAIM_PREFIX,
                   (long)getpid(), atomic_fetch_add(&counter, 1)) != 0 ||
        argo__path(lpath, sizeof lpath, err, errlen, "%s/.lock", tmp) != 0) {
      return -ENAMETOOLONG;
    }
    e = argo__io_fault_check(ARGO_IO_MKDIR);
    if (e || mkdir(tmp, 0755) != 0) {
      e = e ? e : errno;
      argo__fmt_errno(err, errlen, e, "cannot create run folder '%s'", path);
      return -e;
    }
    fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
      e = errno;
      if (fd >= 0) {
        close(fd);
        fd = -1;
      }
      if (e != ENOENT && e != EWOULDBLOCK) {
        unlink(lpath);
        rmdir(tmp);
        argo__fmt_errno(err, errlen, e, "cannot lock the new run folder '%s'", path);
        return -e;
      }
    } else if (!same_file(fd, lpath)) {
      /* Locked, but after that recovery had taken the claim, removed its .lock and folder and
       * let go: this lock is of a file that is gone. */
      close(fd);
      fd = -1;
      e = ENOENT;
      rmdir(tmp);
    }
  }
  if (fd < 0) {
    argo__fmt_errno(err, errlen, e, "cannot lock the new run folder '%s'", path);
    return -e;
  }
  if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0) {
    e = errno;
    if (e == EINVAL || e == ENOSYS) {
      /* A file system without RENAME_NOREPLACE: rename never replaces a folder that holds
       * anything, and a run folder always holds its .lock. */
      e = rename(tmp, path) == 0 ? 0 : errno;
    }
    if (e) {
      unlink(lpath);
      rmdir(tmp);
      close(fd);
      if (e == EEXIST || e == ENOTEMPTY) {
        return -EEXIST;
      }
      argo__fmt_errno(err, errlen, e, "cannot create run folder '%s'", path);
      return -e;
    }
  }
  *lock_fd = fd;
  return 0;
}

int argo__session_claim(const char *day_dir, int first, int *got, int *lock_fd, char *err,
                        size_t errlen) {
  int rc = argo__fs_mkdir_p(day_dir, 0755, err, errlen);
  if (rc) {
    return rc;
  }
  int max = 0;
  rc = argo__session_scan(day_dir, &max, err, errlen);
  if (rc) {
    return rc;
  }
  int n = max + 1 > first ? max + 1 : first;
  char path[ARGO_PATH_MAX + 64];
  for (int tries = 0; tries < 100000; tries++, n++) {
    if (n > 999999999) {
      argo__fmt(err, errlen, "no free run number left in '%s'", day_dir);
      return -ENOSPC;
    }
    snprintf(path, sizeof path, "%s/run_%d", day_dir, n);
    int fd = -1;
    int e = create_locked(day_dir, path, &fd, err, errlen);
    if (e == 0) {
      *got = n;
      if (lock_fd) {
        *lock_fd = fd;
      } else {
        close(fd);
      }
      /* Make the claim itself durable: the new entry lives in day_dir. */
      return argo__fs_fsync_dir(day_dir, err, errlen);
    }
    if (e != -EEXIST) {
      return e;
    }
  }
  argo__fmt(err, errlen, "cannot claim a run folder in '%s'", day_dir);
  return -EBUSY;
}

static void set_day(argo__session *s, int64_t day, int run) {
  s->day = day;
  s->day_run = run;
  argo__day_format(day, s->date);
  snprintf(s->run_name, sizeof s->run_name, "run_%d", run);
  snprintf(s->run_dir, sizeof s->run_dir, "%s/%s/%s", s->data_output, s->date, s->run_name);
}

argo_err argo__session_open(argo__session *s, const char *data_output, int64_t clock_us, char *err,
                            size_t errlen) {
  memset(s, 0, sizeof *s);
  s->lock_fd = -1;
  if (!data_output || !*data_output) {
    argo__fmt(err, errlen, "the data output path is empty");
    return ARGO_EINVAL;
  }
  if (strlen(data_output) > ARGO_PATH_MAX - 64) {
    argo__fmt(err, errlen, "the data output path is too long");
    return ARGO_EINVAL;
  }
  argo__strlcpy(s->data_output, data_output, sizeof s->data_output);
  size_t n = strlen(s->data_output);
  while (n > 1 && s->data_output[n - 1] == '/') {
    s->data_output[--n] = '\0';
  }
  int rc = argo__uuid4(s->session_id);
  if (rc) {
    argo__fmt_errno(err, errlen, -rc, "cannot generate a session id");
    return ARGO_EIO;
  }
  memcpy(s->id_prefix, s->session_id, 8);
  s->id_prefix[8] = '\0';
  s->start_us = clock_us;
  s->opened_wall_us = argo__wall_us();
  int64_t day = argo__day_of(clock_us);
  char date[16], day_dir[ARGO_PATH_MAX + 32];
  argo__day_format(day, date);
  snprintf(day_dir, sizeof day_dir, "%s/%s", s->data_output, date);
  int run = 0;
  rc = argo__session_claim(day_dir, 1, &run, &s->lock_fd, err, errlen);
  if (rc) {
    return ARGO_EIO;
  }
  /* The day folder may be new: make its entry in data_output durable too. */
  if (argo__fs_fsync_dir(s->data_output, err, errlen) != 0) {
    return ARGO_EIO;
  }
  s->run_number = run;
  set_day(s, day, run);
  return ARGO_OK;
}

argo_err argo__session_rewind(argo__session *s, int64_t t, int *lock_fd, char *err, size_t errlen) {
  int64_t day = argo__day_of(t);
  char date[16], day_dir[ARGO_PATH_MAX + 32];
  snprintf(day_dir, sizeof day_dir, "%s/%s", s->data_output, s->date);
  argo__session_unlock(s->run_dir, *lock_fd, 1);
  *lock_fd = -1;
  /* Nothing was written in it; should another process's recovery have put a file there
   * meanwhile, the folder stays for that recovery to remove. */
  (void)rmdir(s->run_dir);
  (void)rmdir(day_dir);
  argo__day_format(day, date);
  snprintf(day_dir, sizeof day_dir, "%s/%s", s->data_output, date);
  int run = 0;
  if (argo__session_claim(day_dir, 1, &run, lock_fd, err, errlen) != 0 ||
      argo__fs_fsync_dir(s->data_output, err, errlen) != 0) {
    return ARGO_EIO;
  }
  s->run_number = run;
  set_day(s, day, run);
  return ARGO_OK;
}

int argo__session_advance(argo__session *s, int64_t t, char *err, size_t errlen) {
  int64_t day = argo__day_of(t);
  if (day <= s->day) {
    return 0;
  }
  char date[16], day_dir[ARGO_PATH_MAX + 32];
  argo__day_format(day, date);
  snprintf(day_dir, sizeof day_dir, "%s/%s", s->data_output, date);
  int rc = argo__fs_mkdir_p(day_dir, 0755, err, errlen);
  if (rc) {
    return rc;
  }
  char path[ARGO_PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/run_%d", day_dir, s->run_number);
  int run = s->run_number;
  s->collision[0] = '\0';
  s->lock_fd = -1;
  int e = create_locked(day_dir, path, &s->lock_fd, err, errlen);
  if (e == 0) {
    rc = argo__fs_fsync_dir(day_dir, err, errlen);
  } else {
    if (e != -EEXIST) {
      return e;
    }
    /* run_N of this day belongs to another session: never write into it. */
    rc = argo__session_claim(day_dir, s->run_number + 1, &run, &s->lock_fd, err, errlen);
    if (rc == 0) {
      argo__fmt(s->collision, sizeof s->collision,
                "%s/run_%d already belonged to another session; this session continues in "
                "run_%d on %s",
                date, s->run_number, run, date);
    }
  }
  if (rc == 0) {
    rc = argo__fs_fsync_dir(s->data_output, err, errlen);
  }
  if (rc) {
    return rc;
  }
  set_day(s, day, run);
  return 1;
}

int argo__session_lock(const char *run_dir, int *fd, char *err, size_t errlen) {
  char path[ARGO_PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/.lock", run_dir);
  *fd = -1;
  int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (f < 0) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot open the lock '%s'", path);
    return -e;
  }
  if (flock(f, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    close(f);
    if (e == EWOULDBLOCK) {
      argo__fmt(err, errlen, "'%s' is in use by a running session", run_dir);
      return -EWOULDBLOCK;
    }
    argo__fmt_errno(err, errlen, e, "cannot lock '%s'", path);
    return -e;
  }
  *fd = f;
  return 0;
}

void argo__session_unlock(const char *run_dir, int fd, int remove) {
  if (fd < 0) {
    return;
  }
  if (remove) {
    char path[ARGO_PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/.lock", run_dir);
    unlink(path);
  }
  close(fd);
}

int argo__session_reserve_ids(const char *data_output, int kind, int64_t floor, int64_t count,
                              int64_t *first, char *err, size_t errlen) {
  char path[ARGO_PATH_MAX + 64];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", data_output, ARGO_IDS_NAME) >= sizeof path) {
    argo__fmt(err, errlen, "path too long: '%s/%s'", data_output, ARGO_IDS_NAME);
    return -ENAMETOOLONG;
  }
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot open '%s' (mark and log ids)", path);
    return -e;
  }
  /* Blocks while another session reserves: a read and a write of a few bytes. */
  while (flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      int e = errno;
      close(fd);
      argo__fmt_errno(err, errlen, e, "cannot lock '%s'", path);
      return -e;
    }
  }
  char buf[256];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n < 0) {
    int e = errno;
    close(fd);
    argo__fmt_errno(err, errlen, e, "cannot read '%s'", path);
    return -e;
  }
  buf[n] = '\0';
  /* A file that does not parse (written by hand, cut short by a crash of the machine) counts as
   * empty: the floor the caller scanned from the run folders still keeps the ids unique. */
  long long next[2] = {0, 0};
  if (sscanf(buf, "next_mark_id: %lld\nnext_log_id: %lld", &next[0], &next[1]) != 2) {
    next[0] = next[1] = 0;
  }
  int k = kind ? 1 : 0;
  int64_t from = next[k] > floor ? (int64_t)next[k] : floor + 1;
  if (from < 1) {
    from = 1;
  }
  next[k] = (long long)(from + count);
  int len = snprintf(buf, sizeof buf, "next_mark_id: %lld\nnext_log_id: %lld\n", next[0], next[1]);
  /* Written in place under the lock (readers take the lock too): not through
   * argo__io_write_all_as, whose fault injection counts the writes of the record, which this file
   * is not part of. */
  errno = 0;
  if (pwrite(fd, buf, (size_t)len, 0) != len || ftruncate(fd, len) != 0) {
    int e = errno ? errno : EIO;
    close(fd);
    argo__fmt_errno(err, errlen, e, "cannot write '%s'", path);
    return -e;
  }
  close(fd); /* releases the lock */
  *first = from;
  return 0;
}
