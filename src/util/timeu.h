/* UTC calendar arithmetic on int64_t microseconds (no time zones, no libc tz state). */
#ifndef ARGO_TIMEU_H
#define ARGO_TIMEU_H

#include <stdint.h>

#define ARGO_US_PER_SEC INT64_C(1000000)
#define ARGO_US_PER_DAY (INT64_C(86400) * ARGO_US_PER_SEC)

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
