/*
 * Small helpers shared by every module: formatted error messages, allocation that reports
 * failure, string copies. No module state; nothing here depends on another argo module.
 */
#ifndef ARGO_UTIL_H
#define ARGO_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#if defined(__GNUC__)
#define ARGO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARGO_LIKELY(x) __builtin_expect(!!(x), 1)
#define ARGO_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define ARGO_PRINTF(a, b)
#define ARGO_LIKELY(x) (x)
#define ARGO_UNLIKELY(x) (x)
#endif

#define ARGO_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* For the registries' lists (feeds/registry.h, brokers/registry.h): a line's name as a string,
 * and the separators that join the names into "a|b" (a configuration choice) or "a, b". */
#define ARGO__REGISTRY_NAME(name, ...) #name
#define ARGO__REGISTRY_BAR "|"
#define ARGO__REGISTRY_COMMA ", "

/* On an internal function whose result says whether it worked: the compiler insists that every
 * caller looks at it (an ignored failure is how data gets lost without a word). */
#if defined(__GNUC__) || defined(__clang__)
#define ARGO_NODISCARD __attribute__((warn_unused_result))
#else
#define ARGO_NODISCARD
#endif
#define ARGO_ERRMSG_MAX 512
/* The longest path argo handles (a data output, a run folder, a file): longer is an error. */
#define ARGO_PATH_MAX 4096

/* snprintf into buf, never overflowing; returns buf. */
char *argo__fmt(char *buf, size_t len, const char *fmt, ...) ARGO_PRINTF(3, 4);
/* snprintf into buf, appending ": <strerror(errnum)>". */
char *argo__fmt_errno(char *buf, size_t len, int errnum, const char *fmt, ...) ARGO_PRINTF(4, 5);

/* strdup that returns NULL on NULL. */
char *argo__strdup(const char *s);
/* Copies src into dst (size len), always terminated, truncating. */
void argo__strlcpy(char *dst, const char *src, size_t len);

/* Grows *ptr (an array of elem-sized items with capacity *cap) to hold at least need items.
 * Returns 0, or -1 when out of memory (the old array stays valid). */
int argo__grow(void **ptr, size_t *cap, size_t need, size_t elem);

/* 1 if s is valid UTF-8 (no overlong forms, no surrogates), 0 otherwise. */
int argo__utf8_valid(const char *s);
/* Copies s into buf (cap bytes), replacing every byte that is not part of valid UTF-8 with '?';
 * returns buf. */
char *argo__utf8_fix(const char *s, char *buf, size_t cap);

/* Replaces control characters (line breaks included) with spaces, in place, so that a message
 * that quotes outside text stays on one line; returns s. */
char *argo__one_line(char *s);
/* The first bytes of data (len, not NUL-terminated) on one line into out (outlen >= 4), with
 * "..." when cut: how a message from outside is quoted in an error. */
void argo__snippet(const char *data, size_t len, char *out, size_t outlen);

/* Number text as a user writes it, parsed strictly (the configuration's values and the plain
 * scalars of its YAML): an integer [-+]?[0-9]+ that fits in 64 bits, and a finite decimal number
 * [-+]? (digits [. digits?] | . digits) ([eE] [-+]? digits)?. 0, or -1 when s is not that. */
int argo__parse_i64(const char *s, int64_t *out);
int argo__parse_double(const char *s, double *out);

/* Monotonic clock, microseconds. */
int64_t argo__mono_us(void);
/* Wall clock, microseconds since the epoch, UTC. */
int64_t argo__wall_us(void);
/* The wall clock (CLOCK_REALTIME) us from now (0 when us < 0): the deadline of a
 * pthread_cond_timedwait on a condition variable of the default clock. */
struct timespec argo__deadline_in(int64_t us);

/* Names the calling thread (at most 15 bytes are kept), as top -H, ps -L and perf show it:
 * argo's threads are "argo-" and what they do. */
void argo__thread_name(const char *name);

#endif
