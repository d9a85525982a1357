/*
 * File-system helpers for durable publication (Redis-style): write to a temporary name in
 * the target folder, fsync it, rename it over the target, fsync the folder. Every failure is
 * reported with the path and errno text; a good file is never truncated in place.
 *
 * Fault injection: argo__io_fault_set makes the n-th future call of one kind of operation fail
 * with a chosen errno. It is process-wide on purpose (like SQLite's test-control fault hooks):
 * it exists only so that tests can prove that a failing write, fsync or rename leaves the old
 * file intact, and it costs one relaxed atomic load per operation when unused.
 */
#ifndef ARGO_FSX_H
#define ARGO_FSX_H

#include <stddef.h>
#include <sys/types.h>

#include "util/util.h"

typedef enum argo__io_op {
  ARGO_IO_WRITE = 0, /* write(2) of our own files, and DuckDB's COPY of a Parquet file */
  ARGO_IO_FSYNC = 1,
  ARGO_IO_RENAME = 2,
  ARGO_IO_MKDIR = 3,
  ARGO_IO_JOURNAL_WRITE = 4, /* the write-ahead journal's writes and fsyncs, separately, so */
  ARGO_IO_JOURNAL_FSYNC = 5, /* that tests can break publishing alone or the journal alone */
  ARGO_IO_OPCOUNT = 6
} argo__io_op;

/* Makes the nth (1 = next) call of op fail with errnum; nth 0 clears. count > 1 makes that many
 * consecutive calls fail (-1: every call from the nth on). */
void argo__io_fault_set(argo__io_op op, long nth, long count, int errnum);
/* The same, counting only the calls of op on a path that ends with suffix (a file, a temporary
 * file, or a folder for the fsync of a folder; the target for a rename), so that a test can
 * break one step of one file's publication. suffix NULL or "" counts every call. */
void argo__io_fault_set_path(argo__io_op op, const char *suffix, long nth, long count, int errnum);
/* Returns 0, or the errno to fail with. Called by every wrapped operation. */
ARGO_NODISCARD int argo__io_fault_check(argo__io_op op);
/* The same for an operation on path (NULL if it has none; a path filter never matches it). */
ARGO_NODISCARD int argo__io_fault_check_path(argo__io_op op, const char *path);
/* Observer for tests (NULL to stop): called on the failing thread each time an injected fault
 * fires (after 0, before the failing call cleans up), and again (after 1) at the next
 * fault-checked operation of that thread, once the failing call has returned, so that a test
 * can compare the file the fault was about at both moments. It must not block for long. */
typedef void (*argo__io_fault_fn)(void *user, argo__io_op op, const char *path, int errnum,
                                  int after);
void argo__io_fault_observe(argo__io_fault_fn fn, void *user);
/* Delivers this thread's pending "after" notification now: for a thread that has finished a
 * piece of work (its failing call returned) and may make no further checked call for a while. */
void argo__io_fault_settle(void);

/* write(2) of all len bytes and fsync(2), through the fault hook as operation op; 0 or -errno. */
ARGO_NODISCARD int argo__io_write_all_as(argo__io_op op, int fd, const void *data, size_t len);
ARGO_NODISCARD int argo__io_fsync_as(argo__io_op op, int fd);
/* fsyncs done by this process so far (for the benchmarks). */
unsigned long long argo__io_fsync_count(void);
/* rename(2) through the fault hook; returns 0 or -errno. */
ARGO_NODISCARD int argo__io_rename(const char *from, const char *to);

/* The same for a file reached by an open descriptor, counted as operations on path (for the
 * fault hook; path may be NULL): pwrite(2) of all len bytes at off, a copy of len bytes from
 * in at in_off to out at out_off (copy_file_range(2), or read and write where the file system
 * cannot), and fsync(2). 0 or -errno. */
ARGO_NODISCARD int argo__io_pwrite_path(int fd, const void *data, size_t len, off_t off,
                                        const char *path);
ARGO_NODISCARD int argo__io_copy_path(int in, off_t in_off, int out, off_t out_off, size_t len,
                                      const char *path);
ARGO_NODISCARD int argo__io_fsync_path(int fd, const char *path);

/* fsyncs a folder so that a rename or create inside it is durable. */
ARGO_NODISCARD int argo__fs_fsync_dir(const char *dir, char *err, size_t errlen);
/* fsyncs an existing file by path. */
ARGO_NODISCARD int argo__fs_fsync_path(const char *path, char *err, size_t errlen);
/* Writes data to path atomically: "<dir>/.<name>.tmp", fsync, rename, fsync dir. On failure
 * the old file at path (if any) is intact and the temporary file is removed. 0 or -errno. */
ARGO_NODISCARD int argo__fs_write_atomic(const char *path, const void *data, size_t len, char *err,
                                         size_t errlen);
/* Like argo__fs_write_atomic but without the final fsync of the folder (for a caller that
 * replaces several files and then fsyncs the folder once). */
ARGO_NODISCARD int argo__fs_write_replace(const char *path, const void *data, size_t len, char *err,
                                          size_t errlen);
/* Replaces final with a finished temporary file: fsync tmp, rename over final (the folder is
 * not fsynced: the caller does it once for several files). On failure tmp is removed. */
ARGO_NODISCARD int argo__fs_replace(const char *tmp, const char *final_path, char *err,
                                    size_t errlen);
/* mkdir -p. 0 or -errno. */
ARGO_NODISCARD int argo__fs_mkdir_p(const char *path, mode_t mode, char *err, size_t errlen);
/* 1 if path exists (any type), 0 otherwise. */
ARGO_NODISCARD int argo__fs_exists(const char *path);
/* 1 if path is a directory (following symlinks). */
ARGO_NODISCARD int argo__fs_is_dir(const char *path);
/* Reads a whole file into a malloc'ed NUL-terminated buffer. 0 or -errno. */
ARGO_NODISCARD int argo__fs_read_all(const char *path, char **out, size_t *len);
/* The temporary name used for path: "<dir>/.<base>.tmp". 0, or -ENAMETOOLONG when it does not
 * fit in out (out is then ""). */
ARGO_NODISCARD int argo__fs_tmp_name(const char *path, char *out, size_t len);
/* Formats a path into out (len bytes): 0, or -ENAMETOOLONG when it does not fit, with out ""
 * (never a path cut short, which would name another file), and err (may be NULL) saying so.
 * The one way argo builds a path from parts. */
ARGO_NODISCARD int argo__path(char *out, size_t len, char *err, size_t errlen, const char *fmt, ...)
    ARGO_PRINTF(5, 6);

/* Files a user names for argo to write (a report, an events file, a manual page), unlike argo's
 * own files under the data output: the path must name a regular file, or nothing yet in an
 * existing folder. A symbolic link is followed and the file it names is written, so the link
 * stays a link (a dangling link's target is created). A folder, a named pipe, a device or a
 * socket is refused: the atomic replace would turn it into a regular file (as root, -o /dev/full
 * turned the device into an HTML file), and a pipe without a reader would block the writer.
 *
 * argo__fs_output_check writes the path of the file to write into resolved (path itself, or the
 * link's target; cap bytes) without creating or changing anything. On error err holds one line
 * naming path and what is there: -EINVAL when path is refused (no name, a name ending in '/', not
 * a regular file), -ENOENT when its folder does not exist, another -errno when it cannot be
 * looked at. */
ARGO_NODISCARD int argo__fs_output_check(const char *path, char *resolved, size_t cap, char *err,
                                         size_t errlen);
/* Checks path and opens the file to be written in place (created 0644 less the umask, or
 * truncated), for output written as it happens (an events file); *fd is close-on-exec. 0 or
 * -errno, as argo__fs_output_check. */
ARGO_NODISCARD int argo__fs_output_open(const char *path, int *fd, char *err, size_t errlen);
/* Checks path and replaces the file with data atomically (argo__fs_write_atomic at the resolved
 * path; a file that was there keeps its permission bits). 0 or -errno, as argo__fs_output_check. */
ARGO_NODISCARD int argo__fs_output_write(const char *path, const void *data, size_t len, char *err,
                                         size_t errlen);

#endif
