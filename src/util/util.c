/* Small helpers; see util.h. */
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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

struct timespec argo__deadline_in(int64_t us) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  us = us > 0 ? us : 0;
  int64_t ns = (int64_t)ts.tv_nsec + (us % 1000000) * 1000;
  ts.tv_sec += (time_t)(us / 1000000 + ns / 1000000000);
  ts.tv_nsec = (long)(ns % 1000000000);
  return ts;
}

int64_t argo__wall_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Length of the valid UTF-8 sequence at p, or 0 if it is not one. */
static int utf8_seq(const unsigned char *p) {
  unsigned c = *p;
  int n;
  unsigned min;
  if (c < 0x80) {
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    n = 1;
    min = 0x80;
    c &= 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 2;
    min = 0x800;
    c &= 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 3;
    min = 0x10000;
    c &= 0x07;
  } else {
    return 0;
  }
  for (int i = 1; i <= n; i++) {
    if ((p[i] & 0xC0) != 0x80) {
      return 0;
    }
    c = (c << 6) | (p[i] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    return 0;
  }
  return n + 1;
}

char *argo__utf8_fix(const char *s, char *buf, size_t cap) {
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0;
  while (*p && o + 5 < cap) {
    int n = utf8_seq(p);
    if (n == 0) {
      buf[o++] = '?';
      p++;
      continue;
    }
    memcpy(buf + o, p, (size_t)n);
    o += (size_t)n;
    p += n;
  }
  buf[o] = '\0';
  return buf;
}

int argo__utf8_valid(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    int n = utf8_seq(p);
    if (n == 0) {
      return 0;
    }
    p += n;
  }
  return 1;
}

char *argo__one_line(char *s) {
  for (char *p = s; *p; p++) {
    if ((unsigned char)*p < 0x20 || *p == 0x7f) {
      *p = ' ';
    }
  }
  return s;
}

void argo__snippet(const char *data, size_t len, char *out, size_t outlen) {
  size_t n = len < outlen - 4 ? len : outlen - 4;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)data[i];
    out[i] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
  }
  if (n < len) {
    memcpy(out + n, "...", 3);
    n += 3;
  }
  out[n] = '\0';
}

static void skip_sign(const char **s) {
  *s += **s == '+' || **s == '-';
}

/* Skips the digits at *s; returns how many there were. */
static size_t skip_digits(const char **s) {
  size_t n = 0;
  while (isdigit((unsigned char)(*s)[n])) {
    n++;
  }
  *s += n;
  return n;
}

/* [-+]?[0-9]+ */
static int is_integer_text(const char *s) {
  skip_sign(&s);
  return skip_digits(&s) > 0 && *s == '\0';
}

/* Stricter than strtod, which would also take "nan", "inf" and hexadecimal. */
static int is_decimal_text(const char *s) {
  skip_sign(&s);
  size_t digits = skip_digits(&s);
  if (*s == '.') {
    s++;
    digits += skip_digits(&s);
  }
  if (!digits) {
    return 0;
  }
  if (*s == 'e' || *s == 'E') {
    s++;
    skip_sign(&s);
    if (!skip_digits(&s)) {
      return 0;
    }
  }
  return *s == '\0';
}

int argo__parse_i64(const char *s, int64_t *out) {
  if (!is_integer_text(s)) {
    return -1;
  }
  errno = 0;
  long long v = strtoll(s, NULL, 10);
  if (errno) {
    return -1;
  }
  *out = (int64_t)v;
  return 0;
}

int argo__parse_double(const char *s, double *out) {
  if (!is_decimal_text(s)) {
    return -1;
  }
  double v = strtod(s, NULL);
  if (!isfinite(v)) {
    return -1;
  }
  *out = v;
  return 0;
}

void argo__thread_name(const char *name) {
  char cut[16];
  argo__strlcpy(cut, name, sizeof cut);
  (void)prctl(PR_SET_NAME, cut, 0, 0, 0);
}
