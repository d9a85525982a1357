/* argo recover: finalizes the run-day folders that earlier sessions left in a crash. */
#include <stdio.h>
#include <string.h>

#include <argo/argo.h>

#include "cli.h"

const cli_opt cli_recover_opts[] = {
    {"--data-output", "DIR", NULL, "where sessions are recorded (default ./data/live-trading)"},
    {0},
};

typedef struct tally {
  int failed;
} tally;

static void report(const char *run_dir, argo_err status, const char *message, void *user) {
  tally *t = user;
  (void)run_dir;
  if (status == ARGO_OK) {
    printf("%s\n", message);
  } else {
    t->failed++;
    cli_error("recover: %s", message);
  }
}

int cli_recover_main(int argc, char **argv) {
  const char *dir = "./data/live-trading";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--data-output") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (strncmp(argv[i], "--data-output=", 14) == 0) {
      dir = argv[i] + 14;
    } else {
      cli_error("recover: unknown option '%s' (see 'argo recover --help')", argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  tally t = {0};
  int n = 0;
  argo_err rc = argo_recover(dir, report, &t, &n);
  if (rc == ARGO_EINVAL) {
    cli_error("recover: '%s' is not a folder", dir);
    return CLI_EXIT_USAGE;
  }
  printf("%d run-day folder%s finalized%s\n", n, n == 1 ? "" : "s",
         t.failed ? "; some could not be (see above)" : "");
  return t.failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
