/*
 * Minimal test harness: every assertion prints both sides and the location, a failed
 * assertion ends the current test (the others still run), and main returns non-zero if any
 * test failed. Usage:
 *
 *   TEST(stats_win_rate_ignores_flat) { CHECK_EQ_INT(1, 1); }
 *   int main(void) { RUN(stats_win_rate_ignores_flat); return test_summary(); }
 */
#ifndef ARGO_TEST_H
#define ARGO_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int test_failures;
extern int test_count;
extern jmp_buf test_jmp;
extern const char *test_name;

#define TEST(name) static void name(void)

/* With ARGO_TEST set, only the tests whose names contain it run. */
int test_selected(const char *name);

#define RUN(name)                                                                                  \
  do {                                                                                             \
    if (!test_selected(#name))                                                                     \
      break;                                                                                       \
    test_name = #name;                                                                             \
    test_count++;                                                                                  \
    if (setjmp(test_jmp) == 0) {                                                                   \
      name();                                                                                      \
      fprintf(stderr, "ok   %s\n", #name);                                                         \
    } else {                                                                                       \
      test_failures++;                                                                             \
      fprintf(stderr, "FAIL %s\n", #name);                                                         \
    }                                                                                              \
  } while (0)

#define TEST_FAIL_(...)                                                                            \
  do {                                                                                             \
    fprintf(stderr, "%s:%d: in %s: ", __FILE__, __LINE__, test_name);                              \
    fprintf(stderr, __VA_ARGS__);                                                                  \
    fputc('\n', stderr);                                                                           \
    longjmp(test_jmp, 1);                                                                          \
  } while (0)

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      TEST_FAIL_("CHECK(%s) failed", #cond);                                                       \
  } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);                     \
      TEST_FAIL_(__VA_ARGS__);                                                                     \
    }                                                                                              \
  } while (0)

#define CHECK_EQ_INT(expected, actual)                                                             \
  do {                                                                                             \
    long long e_ = (long long)(expected), a_ = (long long)(actual);                                \
    if (e_ != a_)                                                                                  \
      TEST_FAIL_("%s == %s: expected %lld, got %lld", #expected, #actual, e_, a_);                 \
  } while (0)

#define CHECK_NEAR(expected, actual, eps)                                                          \
  do {                                                                                             \
    double e_ = (double)(expected), a_ = (double)(actual);                                         \
    if (!(fabs(e_ - a_) <= (eps)) && !(isnan(e_) && isnan(a_)))                                    \
      TEST_FAIL_("%s ~= %s: expected %.12g, got %.12g (eps %g)", #expected, #actual, e_, a_,       \
                 (double)(eps));                                                                   \
  } while (0)

#define CHECK_STR(expected, actual)                                                                \
  do {                                                                                             \
    const char *e_ = (expected), *a_ = (actual);                                                   \
    if (!e_ || !a_ || strcmp(e_, a_) != 0)                                                         \
      TEST_FAIL_("%s == %s: expected \"%s\", got \"%s\"", #expected, #actual, e_ ? e_ : "(null)",  \
                 a_ ? a_ : "(null)");                                                              \
  } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                           \
  do {                                                                                             \
    const char *h_ = (haystack), *n_ = (needle);                                                   \
    if (!h_ || !strstr(h_, n_))                                                                    \
      TEST_FAIL_("expected \"%s\" to contain \"%s\"", h_ ? h_ : "(null)", n_);                     \
  } while (0)

int test_summary(void);

#endif
