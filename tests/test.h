/*
 * The test harness, after libuv's: every assertion prints both sides and the location; each
 * test runs in a child process of its own with a timeout (ARGO_TEST_TIMEOUT seconds, default
 * 1200), so that a crash or a hang is that test's failure and the others still run; a test can
 * skip itself with a visible reason (SKIP), and one test runs alone by name:
 *
 *   TEST(stats_win_rate_ignores_flat) { CHECK_EQ_INT(1, 1); }
 *   int main(int argc, char **argv) {
 *     test_init(argc, argv);
 *     RUN(stats_win_rate_ignores_flat);
 *     return test_summary();
 *   }
 *
 *   build/tests/test_stats                                  every test, each in a child process
 *   build/tests/test_stats stats_win_rate_ignores_flat      that one test, in this process
 *   ARGO_TEST=win_rate build/tests/test_stats               the tests whose names contain it
 *
 * The exit code is 0 when every test that ran passed, 1 when one failed, 77 (ctest's
 * SKIP_RETURN_CODE) when every test that ran was skipped, 2 for a test name that is not there.
 * tests/CMakeLists.txt registers every RUN line as a ctest test of its own (program.test).
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

/* Reads the test name argv[1], if any. */
void test_init(int argc, char **argv);
void test_run(const char *name, void (*fn)(void), int fixture);
#define RUN(name) test_run(#name, name, 0)
/* A test that records what the others read: it runs first whatever test is asked for, in this
 * process (its results stay for the tests after it); main stops when it fails. */
#define RUN_FIXTURE(name) test_run(#name, name, 1)

/* Ends the current test as skipped, saying why. */
#define SKIP(...)                                                                                  \
  do {                                                                                             \
    fprintf(stderr, "%s:%d: skip %s: ", __FILE__, __LINE__, test_name);                            \
    fprintf(stderr, __VA_ARGS__);                                                                  \
    fputc('\n', stderr);                                                                           \
    longjmp(test_jmp, 2);                                                                          \
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
