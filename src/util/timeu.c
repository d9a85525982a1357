/* UTC calendar arithmetic and the public time parse/format functions. */
#include "util/timeu.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/argo.h>

/* Howard Hinnant's days_from_civil / civil_from_days algorithms. */
int64_t argo__days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

void argo__civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = (int64_t)yoe + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

int64_t argo__day_of(int64_t us) {
  int64_t q = us / ARGO_US_PER_DAY;
  if (us % ARGO_US_PER_DAY < 0) {
    q--;
  }
  return q;
}

int64_t argo__day_start(int64_t day) {
  return day * ARGO_US_PER_DAY;
}

void argo__day_format(int64_t day, char *buf) {
  int64_t y;
  unsigned m, d;
  argo__civil_from_days(day, &y, &m, &d);
  snprintf(buf, 11, "%04d-%02u-%02u", (int)y, m, d);
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) {
      return -1;
    }
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

static int valid_date(int y, int m, int d) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) {
    return 0;
  }
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = mdays[m - 1] + (m == 2 && leap);
  return d <= max;
}

int argo__day_parse(const char *s, int64_t *day) {
  int y, m, d;
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) ||
      digits(s + 8, 2, &d) || !valid_date(y, m, d)) {
    return -1;
  }
  *day = argo__days_from_civil(y, (unsigned)m, (unsigned)d);
  return 0;
}

argo_err argo_time_parse(const char *text, int64_t *out_us) {
  if (!text || !out_us) {
    return ARGO_EINVAL;
  }
  const char *s = text;
  while (isspace((unsigned char)*s)) {
    s++;
  }
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) {
    n--;
  }
  if (n == 0) {
    return ARGO_EINVAL;
  }
  /* A plain integer: seconds since the epoch. */
  size_t i = 0;
  if (s[0] == '-') {
    i = 1;
  }
  while (i < n && isdigit((unsigned char)s[i])) {
    i++;
  }
  if (i == n && n < 19 && !(n == 1 && s[0] == '-')) {
    char tmp[24];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    long long v = strtoll(tmp, NULL, 10);
    /* Seconds that do not fit in int64_t microseconds (more than 292 000 years) are no time. */
    if (errno || v > INT64_MAX / ARGO_US_PER_SEC || v < INT64_MIN / ARGO_US_PER_SEC) {
      return ARGO_EINVAL;
    }
    *out_us = (int64_t)v * ARGO_US_PER_SEC;
    return ARGO_OK;
  }
  int y, mo, d, h = 0, mi = 0, se = 0;
  int64_t frac = 0;
  if (n < 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
      digits(s + 8, 2, &d) || !valid_date(y, mo, d)) {
    return ARGO_EINVAL;
  }
  size_t p = 10;
  int64_t offset_s = 0;
  if (p < n) {
    if (s[p] != 'T' && s[p] != ' ' && s[p] != 't') {
      return ARGO_EINVAL;
    }
    p++;
    if (p + 5 > n || digits(s + p, 2, &h) || s[p + 2] != ':' || digits(s + p + 3, 2, &mi)) {
      return ARGO_EINVAL;
    }
    p += 5;
    if (p < n && s[p] == ':') {
      if (p + 3 > n || digits(s + p + 1, 2, &se)) {
        return ARGO_EINVAL;
      }
      p += 3;
      if (p < n && s[p] == '.') {
        p++;
        int nd = 0;
        while (p < n && isdigit((unsigned char)s[p])) {
          if (nd < 6) {
            frac = frac * 10 + (s[p] - '0');
          }
          nd++;
          p++;
        }
        if (nd == 0) {
          return ARGO_EINVAL;
        }
        for (; nd < 6; nd++) {
          frac *= 10;
        }
      }
    }
    if (h > 23 || mi > 59 || se > 60) {
      return ARGO_EINVAL;
    }
    if (p < n) {
      if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == n) {
        p++;
      } else if ((s[p] == '+' || s[p] == '-') && (n - p == 6 || n - p == 5 || n - p == 3)) {
        int oh, om = 0;
        if (digits(s + p + 1, 2, &oh)) {
          return ARGO_EINVAL;
        }
        if (n - p == 6) {
          if (s[p + 3] != ':' || digits(s + p + 4, 2, &om)) {
            return ARGO_EINVAL;
          }
        } else if (n - p == 5) {
          if (digits(s + p + 3, 2, &om)) {
            return ARGO_EINVAL;
          }
        }
        offset_s = (int64_t)(oh * 3600 + om * 60) * (s[p] == '+' ? 1 : -1);
        p = n;
      } else {
        return ARGO_EINVAL;
      }
    }
  }
  if (p != n) {
    return ARGO_EINVAL;
  }
  int64_t days = argo__days_from_civil(y, (unsigned)mo, (unsigned)d);
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
  *out_us = secs * ARGO_US_PER_SEC + frac;
  return ARGO_OK;
}

void argo_time_format(int64_t us, char *buf, size_t len) {
  int64_t day = argo__day_of(us);
  int64_t rem = us - day * ARGO_US_PER_DAY;
  int64_t y;
  unsigned m, d;
  argo__civil_from_days(day, &y, &m, &d);
  int64_t secs = rem / ARGO_US_PER_SEC;
  int64_t frac = rem % ARGO_US_PER_SEC;
  if (frac) {
    char f[8];
    snprintf(f, sizeof f, "%06lld", (long long)frac);
    for (int i = 5; i > 0 && f[i] == '0'; i--) {
      f[i] = '\0';
    }
    snprintf(buf, len, "%04d-%02u-%02uT%02d:%02d:%02d.%sZ", (int)y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60), f);
  } else {
    snprintf(buf, len, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
  }
}

void argo_duration_format(double seconds, char *buf, size_t len) {
  if (!(seconds > 0) || !isfinite(seconds) || seconds > 9e15) {
    snprintf(buf, len, "-");
    return;
  }
  /* Whole seconds first, then the two largest units cut (not rounded): 10799.6 s is 10800 s,
   * "3h 00m", wherever it is shown. */
  long long s = llround(seconds);
  long long d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
  if (d) {
    snprintf(buf, len, "%lldd %lldh", d, h);
  } else if (h) {
    snprintf(buf, len, "%lldh %02lldm", h, m);
  } else if (m) {
    snprintf(buf, len, "%lldm %02llds", m, sec);
  } else {
    snprintf(buf, len, "%llds", sec);
  }
}

int64_t argo__interval_parse(const char *s) {
  if (!s || !isdigit((unsigned char)s[0])) {
    return -1;
  }
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || v <= 0 || v > 100000 || end[0] == '\0' || end[1] != '\0') {
    return -1;
  }
  int64_t unit;
  switch (end[0]) {
  case 's':
    unit = 1;
    break;
  case 'm':
    unit = 60;
    break;
  case 'h':
    unit = 3600;
    break;
  case 'd':
    unit = 86400;
    break;
  case 'w':
    unit = 7 * 86400;
    break;
  default:
    return -1;
  }
  return (int64_t)v * unit * ARGO_US_PER_SEC;
}
