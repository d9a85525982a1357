/* The test harness; see test.h. */
#include "test.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int test_failures;
int test_count;
jmp_buf test_jmp;
const char *test_name;

static const char *wanted; /* the one test asked for by name, or NULL */
static int found;
static int ran, skipped; /* tests other than fixtures */

void test_init(int argc, char **argv) {
  if (argc > 2) {
    fprintf(stderr, "usage: %s [TEST]\n", argv[0]);
    exit(2);
  }
  wanted = argc == 2 ? argv[1] : NULL;
}

/* Runs fn here: 0 passed, 1 failed, 2 skipped. */
static int run_here(const char *name, void (*fn)(void)) {
  test_name = name;
  int r = setjmp(test_jmp);
  if (r == 0) {
    fn();
    return 0;
  }
  return r == 2 ? 2 : 1;
}

static void record(const char *name, int r, int fixture) {
  test_count++;
  if (!fixture) {
    ran++;
  }
  if (r == 0) {
    fprintf(stderr, "ok   %s\n", name);
  } else if (r == 2) {
    if (!fixture) {
      skipped++;
    }
    fprintf(stderr, "skip %s\n", name);
  } else {
    test_failures++;
    fprintf(stderr, "FAIL %s\n", name);
  }
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* Runs fn in a child process with a timeout: 0, 1 or 2 as run_here. */
static int run_child(const char *name, void (*fn)(void)) {
  const char *t = getenv("ARGO_TEST_TIMEOUT");
  long limit_ms = (t && atol(t) > 0 ? atol(t) : 1200) * 1000L;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "%s: cannot fork: %s\n", name, strerror(errno));
    return 1;
  }
  if (pid == 0) {
    int r = run_here(name, fn);
    fflush(stdout);
    fflush(stderr);
    exit(r == 0 ? 0 : r == 2 ? 77 : 1); /* exit, not _exit: LeakSanitizer checks at exit */
  }
  for (long waited = 0;; waited += 10) {
    int status;
    pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid) {
      if (WIFEXITED(status)) {
        return WEXITSTATUS(status) == 0 ? 0 : WEXITSTATUS(status) == 77 ? 2 : 1;
      }
      fprintf(stderr, "%s: died by signal %d\n", name, WTERMSIG(status));
      return 1;
    }
    if (got < 0 && errno != EINTR) {
      return 1;
    }
    if (waited >= limit_ms) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      fprintf(stderr, "%s: timed out after %ld s (ARGO_TEST_TIMEOUT)\n", name, limit_ms / 1000);
      return 1;
    }
    sleep_ms(10);
  }
}

void test_run(const char *name, void (*fn)(void), int fixture) {
  if (fixture) {
    record(name, run_here(name, fn), 1);
    return;
  }
  if (wanted) {
    if (strcmp(name, wanted) == 0) {
      found = 1;
      record(name, run_here(name, fn), 0);
    }
    return;
  }
  const char *sub = getenv("ARGO_TEST");
  if (sub && *sub && !strstr(name, sub)) {
    return;
  }
  /* ARGO_TEST_INPROCESS: no child processes (for a debugger). */
  record(name, getenv("ARGO_TEST_INPROCESS") ? run_here(name, fn) : run_child(name, fn), 0);
}

int test_summary(void) {
  if (wanted && !found) {
    fprintf(stderr, "there is no test named %s\n", wanted);
    return 2;
  }
  fprintf(stderr, "%d of %d tests passed", test_count - test_failures - skipped, test_count);
  if (skipped) {
    fprintf(stderr, ", %d skipped", skipped);
  }
  fputc('\n', stderr);
  if (test_failures) {
    return 1;
  }
  return ran > 0 && skipped == ran ? 77 : 0;
}
