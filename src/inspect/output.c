/*
 * Files a user names (argo_output_check, argo_output_open, argo_output_write): the public face of
 * the checks and writes in util/fsx.c, with their errors as argo_err. argo_report_write and the
 * argo tool's --events and man --output all go through them, so that every such file follows one
 * rule (include/argo/argo.h, "files a user names"). Beyond the kind of file, it refuses the files
 * of argo's own record in a run folder, which such a file would replace.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include <argo/argo.h>

#include "persist/journal.h"
#include "persist/schema.h"
#include "persist/session.h"
#include "util/fsx.h"
#include "util/util.h"

static argo_err code_of(int rc) {
  switch (rc) {
  case 0:
    return ARGO_OK;
  case -EINVAL:
    return ARGO_EINVAL;
  case -ENOENT:
    return ARGO_ENOTFOUND;
  case -ENOMEM:
    return ARGO_ENOMEM;
  default:
    return ARGO_EIO;
  }
}

/* Refuses a file of argo's record: one of the files of a run folder (stats.yaml, the Parquet
 * files, the journal, the lock, a temporary file), which a report or an events file written
 * over it would destroy (argo report -o data/2025-10-03/run_1/trades.parquet). resolved is the
 * file that would be written. */
static int own_file(const char *path, const char *resolved, char *err, size_t errlen) {
  char dir[4096], base[4096];
  argo__strlcpy(dir, resolved, sizeof dir);
  argo__strlcpy(base, resolved, sizeof base);
  const char *name = basename(base);
  char *real = realpath(dirname(dir), NULL);
  if (!real) {
    return 0; /* the folder is checked by the caller */
  }
  char folder[4096];
  argo__strlcpy(folder, real, sizeof folder);
  free(real);
  if (argo__session_run_number(basename(folder)) < 0) {
    return 0;
  }
  size_t n = strlen(name);
  int own = strcmp(name, "stats.yaml") == 0 || strcmp(name, ARGO_JOURNAL_NAME) == 0 ||
            strcmp(name, ".lock") == 0 ||
            (name[0] == '.' && n > 4 && !strcmp(name + n - 4, ".tmp"));
  for (int t = 0; t < ARGO_T_COUNT && !own; t++) {
    own = strcmp(name, argo__schema((argo__table_id)t)->file) == 0;
  }
  if (!own) {
    return 0;
  }
  argo__fmt(err, errlen, "'%s' is %s of a run folder that argo records; give another name", path,
            name[0] == '.' ? "a working file" : "a file");
  return -EINVAL;
}

/* The whole check: argo__fs_output_check, then own_file. */
static int check(const char *path, char *err, size_t errlen) {
  char resolved[4096];
  int rc = argo__fs_output_check(path, resolved, sizeof resolved, err, errlen);
  return rc ? rc : own_file(path, resolved, err, errlen);
}

argo_err argo_output_check(const char *path, char *msg, size_t msglen) {
  char buf[ARGO_ERRMSG_MAX];
  int rc = check(path, buf, sizeof buf);
  if (rc && msg) {
    argo__strlcpy(msg, buf, msglen);
  }
  return code_of(rc);
}

argo_err argo_output_open(const char *path, int *fd, char *msg, size_t msglen) {
  char buf[ARGO_ERRMSG_MAX];
  if (!fd) {
    argo__strlcpy(msg, "no place for the file descriptor", msg ? msglen : 0);
    return ARGO_EINVAL;
  }
  int rc = check(path, buf, sizeof buf);
  if (rc == 0) {
    rc = argo__fs_output_open(path, fd, buf, sizeof buf);
  }
  if (rc && msg) {
    argo__strlcpy(msg, buf, msglen);
  }
  return code_of(rc);
}

argo_err argo_output_write(const char *path, const void *data, size_t len, char *msg,
                           size_t msglen) {
  char buf[ARGO_ERRMSG_MAX];
  if (!data && len) {
    argo__strlcpy(msg, "no data", msg ? msglen : 0);
    return ARGO_EINVAL;
  }
  int rc = check(path, buf, sizeof buf);
  if (rc == 0) {
    rc = argo__fs_output_write(path, data ? data : "", len, buf, sizeof buf);
  }
  if (rc && msg) {
    argo__strlcpy(msg, buf, msglen);
  }
  return code_of(rc);
}
