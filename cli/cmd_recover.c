/* argo recover: finalizes the run-day folders that earlier sessions left in a crash. */
#include <stdio.h>
#include <string.h>

#include <argo/argo.h>

#include "inspect.h"

const cli_opt cli_recover_opts[] = {
    CLI_DATA_OUTPUT_OPTS,
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
  cli_parsed p;
  int prc = cli_parse(argc, argv, 0, &p);
  if (prc) {
    return prc;
  }
  char dirbuf[4096];
  const char *dir = cli_data_output(&p, "recover", dirbuf, sizeof dirbuf);
  if (!dir) {
    return CLI_EXIT_USAGE;
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
