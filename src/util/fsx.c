/* Durable file publication and the I/O fault hook; see fsx.h. */
#include "util/fsx.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

typedef struct fault {
  atomic_long countdown; /* calls left before the first failure; 0 = disarmed */
  atomic_long remaining; /* failures left once triggered; -1 = forever */
  atomic_int errnum;
  atomic_int triggered;
  char suffix[256]; /* only paths ending with this count ("" = all); set while disarmed */
} fault;

static fault faults[ARGO_IO_OPCOUNT];
static atomic_int any_fault;
static argo__io_fault_fn _Atomic observer;
static void *_Atomic observer_user;

/* A fault that fired on this thread and whose "after" notification is due. */
static _Thread_local struct {
  int pending;
  argo__io_op op;
  int errnum;
  char path[4096];
} after_fault;

void argo__io_fault_set_path(argo__io_op op, const char *suffix, long nth, long count, int errnum) {
  fault *f = &faults[op];
  atomic_store(&f->countdown, 0);
  atomic_store(&f->triggered, 0);
  argo__strlcpy(f->suffix, suffix ? suffix : "", sizeof f->suffix);
  atomic_store(&f->errnum, errnum);
  atomic_store(&f->remaining, count == 0 ? 1 : count);
  atomic_store(&f->countdown, nth);
  int any = atomic_load(&observer) != NULL;
  for (int i = 0; i < ARGO_IO_OPCOUNT; i++) {
    any |= atomic_load(&faults[i].countdown) != 0 || atomic_load(&faults[i].triggered);
  }
  atomic_store(&any_fault, any);
}

void argo__io_fault_set(argo__io_op op, long nth, long count, int errnum) {
  argo__io_fault_set_path(op, NULL, nth, count, errnum);
}

void argo__io_fault_observe(argo__io_fault_fn fn, void *user) {
  atomic_store(&observer_user, user);
  atomic_store(&observer, fn);
  if (fn) {
    atomic_store(&any_fault, 1);
  }
}

static int matches(const fault *f, const char *path) {
  if (!f->suffix[0]) {
    return 1;
  }
  if (!path) {
    return 0;
  }
  size_t n = strlen(path), k = strlen(f->suffix);
  return n >= k && strcmp(path + n - k, f->suffix) == 0;
}

/* The fault decision proper; 0 or the errno. */
static int check(fault *f, const char *path) {
  if (!matches(f, path)) {
    return 0;
  }
  if (atomic_load(&f->triggered)) {
    long r = atomic_load(&f->remaining);
    if (r < 0) {
      return atomic_load(&f->errnum);
    }
    if (r > 0) {
      atomic_store(&f->remaining, r - 1);
      return atomic_load(&f->errnum);
    }
    atomic_store(&f->triggered, 0);
    return 0;
  }
  long c = atomic_load(&f->countdown);
  if (c <= 0) {
    return 0;
  }
  if (c == 1) {
    atomic_store(&f->countdown, 0);
    atomic_store(&f->triggered, 1);
    return check(f, path);
  }
  atomic_store(&f->countdown, c - 1);
  return 0;
}

static void settle(argo__io_fault_fn fn) {
  if (after_fault.pending) {
    after_fault.pending = 0;
    if (fn) {
      fn(atomic_load(&observer_user), after_fault.op, after_fault.path, after_fault.errnum, 1);
    }
  }
}

void argo__io_fault_settle(void) {
  if (ARGO_UNLIKELY(atomic_load_explicit(&any_fault, memory_order_relaxed))) {
    settle(atomic_load(&observer));
  }
}

int argo__io_fault_check_path(argo__io_op op, const char *path) {
  if (ARGO_LIKELY(!atomic_load_explicit(&any_fault, memory_order_relaxed))) {
    return 0;
  }
  argo__io_fault_fn fn = atomic_load(&observer);
  settle(fn);
  int e = check(&faults[op], path);
  if (e && fn) {
    after_fault.pending = 1;
    after_fault.op = op;
    after_fault.errnum = e;
    argo__strlcpy(after_fault.path, path ? path : "", sizeof after_fault.path);
    fn(atomic_load(&observer_user), op, path, e, 0);
  }
  return e;
}

int argo__io_fault_check(argo__io_op op) {
  return argo__io_fault_check_path(op, NULL);
}

/* write(2) of all len bytes through the fault hook, counted as op on path. */
static int write_all_path(argo__io_op op, int fd, const void *data, size_t len, const char *path) {
  int e = argo__io_fault_check_path(op, path);
  if (e) {
    return -e;
  }
  const char *p = data;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return -errno;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static atomic_ullong fsyncs;

static int fsync_path(argo__io_op op, int fd, const char *path) {
  int e = argo__io_fault_check_path(op, path);
  if (e) {
    return -e;
  }
  atomic_fetch_add_explicit(&fsyncs, 1, memory_order_relaxed);
  if (fsync(fd) != 0) {
    return -errno;
  }
  return 0;
}

int argo__io_write_all(int fd, const void *data, size_t len) {
  return write_all_path(ARGO_IO_WRITE, fd, data, len, NULL);
}

int argo__io_write_all_as(argo__io_op op, int fd, const void *data, size_t len) {
  return write_all_path(op, fd, data, len, NULL);
}

int argo__io_fsync(int fd) {
  return fsync_path(ARGO_IO_FSYNC, fd, NULL);
}

unsigned long long argo__io_fsync_count(void) {
  return atomic_load_explicit(&fsyncs, memory_order_relaxed);
}

int argo__io_fsync_as(argo__io_op op, int fd) {
  return fsync_path(op, fd, NULL);
}

int argo__io_rename(const char *from, const char *to) {
  int e = argo__io_fault_check_path(ARGO_IO_RENAME, to);
  if (e) {
    return -e;
  }
  if (rename(from, to) != 0) {
    return -errno;
  }
  return 0;
}

static void dir_of(const char *path, char *out, size_t len) {
  char tmp[4096];
  argo__strlcpy(tmp, path, sizeof tmp);
  argo__strlcpy(out, dirname(tmp), len);
}

void argo__fs_tmp_name(const char *path, char *out, size_t len) {
  char a[4096], b[4096];
  argo__strlcpy(a, path, sizeof a);
  argo__strlcpy(b, path, sizeof b);
  snprintf(out, len, "%s/.%s.tmp", dirname(a), basename(b));
}

int argo__fs_fsync_dir(const char *dir, char *err, size_t errlen) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot open folder '%s'", dir);
    return -e;
  }
  int rc = fsync_path(ARGO_IO_FSYNC, fd, dir);
  close(fd);
  if (rc) {
    argo__fmt_errno(err, errlen, -rc, "cannot fsync folder '%s'", dir);
  }
  return rc;
}

int argo__fs_fsync_path(const char *path, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot open '%s'", path);
    return -e;
  }
  int rc = fsync_path(ARGO_IO_FSYNC, fd, path);
  close(fd);
  if (rc) {
    argo__fmt_errno(err, errlen, -rc, "cannot fsync '%s'", path);
  }
  return rc;
}

int argo__fs_replace(const char *tmp, const char *final_path, char *err, size_t errlen) {
  int rc = argo__fs_fsync_path(tmp, err, errlen);
  if (rc == 0) {
    rc = argo__io_rename(tmp, final_path);
    if (rc) {
      argo__fmt_errno(err, errlen, -rc, "cannot rename '%s' to '%s'", tmp, final_path);
    }
  }
  if (rc) {
    unlink(tmp);
  }
  return rc;
}

int argo__fs_publish(const char *tmp, const char *final_path, char *err, size_t errlen) {
  int rc = argo__fs_replace(tmp, final_path, err, errlen);
  if (rc) {
    return rc;
  }
  char dir[4096];
  dir_of(final_path, dir, sizeof dir);
  return argo__fs_fsync_dir(dir, err, errlen);
}

int argo__fs_write_atomic(const char *path, const void *data, size_t len, char *err,
                          size_t errlen) {
  int rc = argo__fs_write_replace(path, data, len, err, errlen);
  if (rc) {
    return rc;
  }
  char dir[4096];
  dir_of(path, dir, sizeof dir);
  return argo__fs_fsync_dir(dir, err, errlen);
}

int argo__fs_write_replace(const char *path, const void *data, size_t len, char *err,
                           size_t errlen) {
  char tmp[4200];
  argo__fs_tmp_name(path, tmp, sizeof tmp);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot create '%s'", tmp);
    return -e;
  }
  int rc = write_all_path(ARGO_IO_WRITE, fd, data, len, tmp);
  if (rc) {
    argo__fmt_errno(err, errlen, -rc, "cannot write '%s'", tmp);
  } else {
    rc = fsync_path(ARGO_IO_FSYNC, fd, tmp);
    if (rc) {
      argo__fmt_errno(err, errlen, -rc, "cannot fsync '%s'", tmp);
    }
  }
  if (close(fd) != 0 && rc == 0) {
    rc = -errno;
    argo__fmt_errno(err, errlen, -rc, "cannot close '%s'", tmp);
  }
  if (rc == 0) {
    rc = argo__io_rename(tmp, path);
    if (rc) {
      argo__fmt_errno(err, errlen, -rc, "cannot rename '%s' to '%s'", tmp, path);
    }
  }
  if (rc) {
    unlink(tmp);
  }
  return rc;
}

int argo__fs_mkdir_p(const char *path, mode_t mode, char *err, size_t errlen) {
  char buf[4096];
  argo__strlcpy(buf, path, sizeof buf);
  size_t n = strlen(buf);
  while (n > 1 && buf[n - 1] == '/') {
    buf[--n] = '\0';
  }
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') {
      continue;
    }
    *p = '\0';
    if (mkdir(buf, mode) != 0 && errno != EEXIST) {
      int e = errno;
      argo__fmt_errno(err, errlen, e, "cannot create folder '%s'", buf);
      return -e;
    }
    *p = '/';
  }
  int e = argo__io_fault_check_path(ARGO_IO_MKDIR, buf);
  if (e || (mkdir(buf, mode) != 0 && errno != EEXIST)) {
    e = e ? e : errno;
    argo__fmt_errno(err, errlen, e, "cannot create folder '%s'", buf);
    return -e;
  }
  if (!argo__fs_is_dir(buf)) {
    argo__fmt_errno(err, errlen, ENOTDIR, "cannot use '%s' as a folder", buf);
    return -ENOTDIR;
  }
  return 0;
}

int argo__fs_exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

int argo__fs_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int argo__fs_read_all(const char *path, char **out, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return -errno;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  if (!buf) {
    close(fd);
    return -ENOMEM;
  }
  for (;;) {
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        close(fd);
        return -ENOMEM;
      }
      buf = nb;
      cap *= 2;
    }
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0) {
      if (errno == EINTR) {
        continue;
      }
      int e = errno;
      free(buf);
      close(fd);
      return -e;
    }
    if (r == 0) {
      break;
    }
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  *out = buf;
  if (len) {
    *len = n;
  }
  return 0;
}
