/* UTC calendar arithmetic on int64_t microseconds (no time zones, no libc tz state). */
#ifndef ARGO_TIMEU_H
#define ARGO_TIMEU_H

#include <stdint.h>

#define ARGO_US_PER_SEC INT64_C(1000000)
#define ARGO_US_PER_DAY (INT64_C(86400) * ARGO_US_PER_SEC)

/* The times argo accepts (a configured start or end, a candle's open time, a feed's clock):
 * after 1970-01-01T00:00:00Z, since 0 stands for "not given" in several places (and a candle at
 * the epoch would be taken for "nothing stored yet"), and before the year 10000, since a day
 * folder is named YYYY-MM-DD. ARGO__TIME_RANGE is how messages name the range. */
#define ARGO__TIME_MAX INT64_C(253402300799999999) /* 9999-12-31T23:59:59.999999Z */
#define ARGO__TIME_RANGE "after 1970-01-01T00:00:00Z and before 10000-01-01T00:00:00Z"
static inline int argo__time_ok(int64_t us) {
  return us > 0 && us <= ARGO__TIME_MAX;
}

/* Days since 1970-01-01 of the UTC date containing us (floor, also for negative times). */
int64_t argo__day_of(int64_t us);
/* Microseconds at 00:00 UTC of day. */
int64_t argo__day_start(int64_t day);
/* "YYYY-MM-DD" of day into buf (>= 11 bytes). */
void argo__day_format(int64_t day, char *buf);
/* Parses "YYYY-MM-DD" strictly; returns 0 and sets *day, or -1. */
int argo__day_parse(const char *s, int64_t *day);
/* Days from civil date and back (proleptic Gregorian). */
int64_t argo__days_from_civil(int64_t y, unsigned m, unsigned d);
void argo__civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* Parses an interval such as "1s", "15m", "4h", "1d" into microseconds; -1 if malformed. */
int64_t argo__interval_parse(const char *s);

#endif
