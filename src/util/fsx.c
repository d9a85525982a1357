/* Durable file publication and the I/O fault hook; see fsx.h. */
#define _GNU_SOURCE /* copy_file_range */
#include "util/fsx.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
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

int argo__io_write_all_as(argo__io_op op, int fd, const void *data, size_t len) {
  return write_all_path(op, fd, data, len, NULL);
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

int argo__io_pwrite_path(int fd, const void *data, size_t len, off_t off, const char *path) {
  int e = argo__io_fault_check_path(ARGO_IO_WRITE, path);
  if (e) {
    return -e;
  }
  const char *p = data;
  while (len) {
    ssize_t n = pwrite(fd, p, len, off);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return -errno;
    }
    p += n;
    off += n;
    len -= (size_t)n;
  }
  return 0;
}

/* The copy through a buffer, where copy_file_range cannot copy. */
static int copy_slow(int in, off_t in_off, int out, off_t out_off, size_t len) {
  char *buf = malloc(1 << 20);
  if (!buf) {
    return -ENOMEM;
  }
  int rc = 0;
  while (len && rc == 0) {
    size_t want = len < (1 << 20) ? len : (1 << 20);
    ssize_t n = pread(in, buf, want, in_off);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      rc = n < 0 ? -errno : -EIO; /* a source shorter than it should be */
      break;
    }
    for (ssize_t done = 0; done < n && rc == 0;) {
      ssize_t w = pwrite(out, buf + done, (size_t)(n - done), out_off + done);
      if (w < 0 && errno != EINTR) {
        rc = -errno;
      }
      done += w > 0 ? w : 0;
    }
    in_off += n;
    out_off += n;
    len -= (size_t)n;
  }
  free(buf);
  return rc;
}

int argo__io_copy_path(int in, off_t in_off, int out, off_t out_off, size_t len, const char *path) {
  int e = argo__io_fault_check_path(ARGO_IO_WRITE, path);
  if (e) {
    return -e;
  }
  while (len) {
    ssize_t n = copy_file_range(in, &in_off, out, &out_off, len, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
                  errno == EPERM)) {
      return copy_slow(in, in_off, out, out_off, len);
    }
    if (n <= 0) {
      return n < 0 ? -errno : -EIO;
    }
    len -= (size_t)n;
  }
  return 0;
}

int argo__io_fsync_path(int fd, const char *path) {
  return fsync_path(ARGO_IO_FSYNC, fd, path);
}

static void dir_of(const char *path, char *out, size_t len) {
  char tmp[4096];
  argo__strlcpy(tmp, path, sizeof tmp);
  argo__strlcpy(out, dirname(tmp), len);
}

int argo__path(char *out, size_t len, char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= len) {
    if (err && errlen) {
      argo__fmt(err, errlen, "path too long (%zu bytes at most): '%.80s...'", len - 1, out);
    }
    if (len) {
      out[0] = '\0';
    }
    return -ENAMETOOLONG;
  }
  return 0;
}

int argo__fs_tmp_name(const char *path, char *out, size_t len) {
  char a[ARGO_PATH_MAX + 256], b[ARGO_PATH_MAX + 256];
  if (argo__path(a, sizeof a, NULL, 0, "%s", path) != 0) {
    out[0] = '\0';
    return -ENAMETOOLONG;
  }
  memcpy(b, a, sizeof b);
  return argo__path(out, len, NULL, 0, "%s/.%s.tmp", dirname(a), basename(b));
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

/* argo__fs_write_replace. user: the file is one a user named (argo__fs_output_write), in a folder
 * that others may write to (/tmp): a stale temporary file is removed and the temporary file is
 * created anew, never opened through a symbolic link someone put at its name. mode >= 0 gives
 * the file those permission bits (those of the file it replaces). */
static int write_replace(const char *path, const void *data, size_t len, int user, int mode,
                         char *err, size_t errlen) {
  char tmp[ARGO_PATH_MAX + 128];
  if (argo__fs_tmp_name(path, tmp, sizeof tmp) != 0) {
    argo__fmt(err, errlen, "path too long: '%.80s...'", path);
    return -ENAMETOOLONG;
  }
  int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  if (user) {
    unlink(tmp);
    flags |= O_EXCL | O_NOFOLLOW;
  }
  int fd = open(tmp, flags, 0644);
  if (fd < 0) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot create '%s'", tmp);
    return -e;
  }
  int rc = 0;
  if (mode >= 0 && fchmod(fd, (mode_t)mode) != 0) {
    rc = -errno;
    argo__fmt_errno(err, errlen, -rc, "cannot set the permissions of '%s'", tmp);
  }
  if (rc == 0 && (rc = write_all_path(ARGO_IO_WRITE, fd, data, len, tmp)) != 0) {
    argo__fmt_errno(err, errlen, -rc, "cannot write '%s'", tmp);
  }
  if (rc == 0 && (rc = fsync_path(ARGO_IO_FSYNC, fd, tmp)) != 0) {
    argo__fmt_errno(err, errlen, -rc, "cannot fsync '%s'", tmp);
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

int argo__fs_write_replace(const char *path, const void *data, size_t len, char *err,
                           size_t errlen) {
  return write_replace(path, data, len, 0, -1, err, errlen);
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

/* ---- files a user names ------------------------------------------------------------------ */

/* What a file of that mode is, for a message. */
static const char *kind_of(mode_t m) {
  if (S_ISDIR(m)) {
    return "a folder";
  }
  if (S_ISFIFO(m)) {
    return "a named pipe (FIFO)";
  }
  if (S_ISCHR(m)) {
    return "a character device";
  }
  if (S_ISBLK(m)) {
    return "a block device";
  }
  if (S_ISSOCK(m)) {
    return "a socket";
  }
  return "not a regular file";
}

/* Refuses path, which is (or, through links, leads to target, which is) of mode m. */
static int refuse(const char *path, const char *target, mode_t m, char *err, size_t errlen) {
  const char *kind = kind_of(m);
  const char *tail = S_ISDIR(m) ? "; give a file name" : ", not a regular file";
  if (!target) {
    argo__fmt(err, errlen, "'%s' is %s%s", path, kind, tail);
  } else if (*target) {
    argo__fmt(err, errlen, "'%s' is a symbolic link to %s ('%s')%s", path, kind, target, tail);
  } else {
    argo__fmt(err, errlen, "'%s' is a symbolic link to %s%s", path, kind, tail);
  }
  return -EINVAL;
}

/* A new file at file (shown as path) needs its folder. */
static int need_folder(const char *path, const char *file, char *err, size_t errlen) {
  size_t n = strlen(file);
  if (n && file[n - 1] == '/') {
    argo__fmt(err, errlen, "'%s' ends with '/', so it names a folder; give a file name", path);
    return -EINVAL;
  }
  char dir[4096];
  dir_of(file, dir, sizeof dir);
  if (!argo__fs_is_dir(dir)) {
    argo__fmt(err, errlen, "cannot create '%s': no folder '%s'", path, dir);
    return -ENOENT;
  }
  return 0;
}

/* Follows the chain of symbolic links from path, whose end does not exist, to the name at its
 * end. 0, -ELOOP, or -errno. */
static int follow_dangling(const char *path, char *out, size_t cap) {
  char cur[4096];
  argo__strlcpy(cur, path, sizeof cur);
  for (int hops = 0; hops < 40; hops++) {
    struct stat st;
    if (lstat(cur, &st) != 0) {
      if (errno != ENOENT) {
        return -errno;
      }
      if (strlen(cur) >= cap) {
        return -ENAMETOOLONG;
      }
      argo__strlcpy(out, cur, cap);
      return 0;
    }
    if (!S_ISLNK(st.st_mode)) {
      return -EEXIST; /* it was created meanwhile */
    }
    char target[4096];
    ssize_t n = readlink(cur, target, sizeof target - 1);
    if (n < 0) {
      return -errno;
    }
    target[n] = '\0';
    if (target[0] == '/') {
      argo__strlcpy(cur, target, sizeof cur);
    } else {
      char dir[4096], next[8200];
      dir_of(cur, dir, sizeof dir);
      int k = snprintf(next, sizeof next, "%s/%s", dir, target);
      if (k < 0 || (size_t)k >= sizeof cur) {
        return -ENAMETOOLONG;
      }
      argo__strlcpy(cur, next, sizeof cur);
    }
  }
  return -ELOOP;
}

int argo__fs_output_check(const char *path, char *resolved, size_t cap, char *err, size_t errlen) {
  if (!path || !*path) {
    argo__fmt(err, errlen, "no file name given");
    return -EINVAL;
  }
  if (strlen(path) >= cap || strlen(path) >= 4096) {
    argo__fmt(err, errlen, "the file name '%.40s...' is too long", path);
    return -ENAMETOOLONG;
  }
  struct stat st;
  if (lstat(path, &st) != 0) {
    int e = errno;
    if (e != ENOENT && e != ENOTDIR) {
      argo__fmt_errno(err, errlen, e, "cannot look at '%s'", path);
      return -e;
    }
    int rc = need_folder(path, path, err, errlen);
    if (rc == 0) {
      argo__strlcpy(resolved, path, cap);
    }
    return rc;
  }
  if (S_ISREG(st.st_mode)) {
    argo__strlcpy(resolved, path, cap);
    return 0;
  }
  if (!S_ISLNK(st.st_mode)) {
    return refuse(path, NULL, st.st_mode, err, errlen);
  }
  /* A symbolic link: what it leads to decides. */
  if (stat(path, &st) == 0) {
    char *real = realpath(path, NULL);
    if (!S_ISREG(st.st_mode)) {
      /* realpath fails for a link to a pipe through /proc (/dev/stdout): no name to show. */
      int rc = refuse(path, real ? real : "", st.st_mode, err, errlen);
      free(real);
      return rc;
    }
    if (!real || strlen(real) >= cap) {
      int e = real ? ENAMETOOLONG : errno;
      free(real);
      argo__fmt_errno(err, errlen, e, "cannot follow the symbolic link '%s'", path);
      return -e;
    }
    argo__strlcpy(resolved, real, cap);
    free(real);
    return 0;
  }
  int e = errno;
  if (e == ENOENT) {
    /* A dangling link: the file is created where it points. */
    char target[4096];
    int rc = follow_dangling(path, target, sizeof target);
    if (rc == 0) {
      rc = need_folder(path, target, err, errlen);
      if (rc == 0 && strlen(target) >= cap) {
        rc = -ENAMETOOLONG;
        argo__fmt_errno(err, errlen, -rc, "cannot follow the symbolic link '%s'", path);
      }
      if (rc == 0) {
        argo__strlcpy(resolved, target, cap);
      }
      return rc;
    }
    e = -rc;
  }
  if (e == ELOOP) {
    argo__fmt(err, errlen, "'%s' is a loop of symbolic links", path);
    return -EINVAL;
  }
  argo__fmt_errno(err, errlen, e, "cannot follow the symbolic link '%s'", path);
  return -e;
}

int argo__fs_output_open(const char *path, int *fd, char *err, size_t errlen) {
  char res[4096];
  int rc = argo__fs_output_check(path, res, sizeof res, err, errlen);
  if (rc) {
    return rc;
  }
  /* Not through a link put there since the check, and without blocking on a pipe without a
   * reader or making a terminal ours: what was opened is checked again below. */
  int f = open(res, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
               0644);
  if (f < 0) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot open '%s'", path);
    return -e;
  }
  struct stat st;
  if (fstat(f, &st) != 0) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot open '%s'", path);
    close(f);
    return -e;
  }
  if (!S_ISREG(st.st_mode)) {
    close(f);
    return refuse(path, NULL, st.st_mode, err, errlen);
  }
  int fl = fcntl(f, F_GETFL);
  if (fl < 0 || fcntl(f, F_SETFL, fl & ~O_NONBLOCK) != 0) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot open '%s'", path);
    close(f);
    return -e;
  }
  *fd = f;
  return 0;
}

int argo__fs_output_write(const char *path, const void *data, size_t len, char *err,
                          size_t errlen) {
  char res[4096];
  int rc = argo__fs_output_check(path, res, sizeof res, err, errlen);
  if (rc) {
    return rc;
  }
  struct stat st;
  int mode = stat(res, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
  char why[ARGO_ERRMSG_MAX];
  rc = write_replace(res, data, len, 1, mode, why, sizeof why);
  if (rc == 0) {
    char dir[4096];
    dir_of(res, dir, sizeof dir);
    rc = argo__fs_fsync_dir(dir, why, sizeof why);
  }
  if (rc) {
    argo__fmt(err, errlen, "cannot write '%s': %s", path, why);
  }
  return rc;
}
