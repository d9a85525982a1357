/* argo report RUN -o FILE: one self-contained HTML page about a session or one of its days. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "inspect.h"

const cli_opt cli_report_opts[] = {
    {"-o", "FILE", NULL, "write the page to FILE (default report.html)"},
    {"--output", "FILE", NULL, "the same as -o"},
    {"--data-output", "DIR", NULL, "where sessions are recorded (default ./data/live-trading)"},
    {0},
};

int cli_report_main(int argc, char **argv) {
  cli_parsed p;
  int rc = cli_parse(argc, argv, 1, &p);
  if (rc) {
    return rc;
  }
  if (p.npos != 1) {
    cli_error("report: which run? name one: DATE/run_N, a session id, or latest (see 'argo "
              "sessions')");
    return CLI_EXIT_USAGE;
  }
  const char *out = cli_value(&p, "-o");
  if (!out) {
    out = cli_value(&p, "--output");
  }
  if (!out || !*out) {
    out = "report.html";
  }
  /* A folder that is not there is a usage error, caught before any work. */
  char dir[4096];
  const char *slash = strrchr(out, '/');
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out) + (slash == out) : 1,
           slash ? out : ".");
  struct stat sb;
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    cli_error("report: cannot write '%s': no folder '%s'", out, dir);
    return CLI_EXIT_USAGE;
  }
  argo_catalog *cat = cli_open_catalog("report", cli_data_output(&p), 0);
  if (!cat) {
    return CLI_EXIT_USAGE;
  }
  argo_err err = argo_report_write(cat, p.pos[0], out);
  if (err != ARGO_OK) {
    cli_error("report: %s", argo_catalog_errmsg(cat));
    /* A bad or unusable run name (resolve's errors) is a usage error: nothing was done. */
    rc = err == ARGO_EINVAL || err == ARGO_ENOTFOUND || err == ARGO_ECORRUPT ? CLI_EXIT_USAGE
                                                                             : CLI_EXIT_FAIL;
  } else {
    printf("argo: report of %s written to %s\n", p.pos[0], out);
  }
  argo_catalog_close(cat);
  return rc;
}
