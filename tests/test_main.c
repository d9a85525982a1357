/* Shared state of the test harness; see test.h. */
#include "test.h"

#include <string.h>

int test_failures;
int test_count;
jmp_buf test_jmp;
const char *test_name;

int test_summary(void) {
  fprintf(stderr, "%d of %d tests passed\n", test_count - test_failures, test_count);
  return test_failures ? 1 : 0;
}

int test_selected(const char *name) {
  const char *want = getenv("ARGO_TEST");
  return !want || !*want || strstr(name, want) != NULL;
}
