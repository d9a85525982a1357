/* Small helpers; see util.h. */
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *argo__fmt(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, len, fmt, ap);
  va_end(ap);
  return buf;
}

char *argo__fmt_errno(char *buf, size_t len, int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, len, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < len) {
    snprintf(buf + n, len - (size_t)n, ": %s", strerror(errnum));
  }
  return buf;
}

char *argo__strdup(const char *s) {
  if (!s) {
    return NULL;
  }
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) {
    memcpy(d, s, n);
  }
  return d;
}

void argo__strlcpy(char *dst, const char *src, size_t len) {
  if (len == 0) {
    return;
  }
  size_t n = src ? strlen(src) : 0;
  if (n >= len) {
    n = len - 1;
  }
  if (n) {
    memcpy(dst, src, n);
  }
  dst[n] = '\0';
}

int argo__grow(void **ptr, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) {
    return 0;
  }
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need) {
    ncap *= 2;
  }
  void *p = realloc(*ptr, ncap * elem);
  if (!p) {
    return -1;
  }
  *ptr = p;
  *cap = ncap;
  return 0;
}

int64_t argo__mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t argo__wall_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
