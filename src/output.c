/*
 * Files a user names (argo_output_check, argo_output_open, argo_output_write): the public face of
 * the checks and writes in util/fsx.c, with their errors as argo_err. argo_report_write and the
 * argo tool's --events and man --output all go through them, so that every such file follows one
 * rule (include/argo/argo.h, "files a user names").
 */
#include <errno.h>

#include <argo/argo.h>

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

argo_err argo_output_check(const char *path, char *msg, size_t msglen) {
  char resolved[4096], buf[ARGO_ERRMSG_MAX];
  int rc = argo__fs_output_check(path, resolved, sizeof resolved, buf, sizeof buf);
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
  int rc = argo__fs_output_open(path, fd, buf, sizeof buf);
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
  int rc = argo__fs_output_write(path, data ? data : "", len, buf, sizeof buf);
  if (rc && msg) {
    argo__strlcpy(msg, buf, msglen);
  }
  return code_of(rc);
}
