/* argo report RUN -o FILE: one self-contained HTML page about a session or one of its days. */
#include <stdio.h>
#include <string.h>

#include "inspect.h"

const cli_opt cli_report_opts[] = {
    {"-o", "FILE", NULL, "write the page to FILE (default report.html; - for standard output)"},
    {"--output", "FILE", NULL, "the same as -o"},
    CLI_DATA_OUTPUT_OPTS,
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
  /* The file is the user's: a regular file, a new one or a link to one, checked before any work;
   * a folder, a pipe or a device is refused (argo_output_check), and "-" is standard output. */
  int to_stdout = strcmp(out, "-") == 0;
  if ((rc = cli_output_check("report", out)) != 0) {
    return rc;
  }
  char dirbuf[4096];
  const char *dir = cli_data_output(&p, "report", dirbuf, sizeof dirbuf);
  argo_catalog *cat = dir ? cli_open_catalog("report", dir, 0) : NULL;
  if (!cat) {
    return CLI_EXIT_USAGE;
  }
  cli_sink sink = {stdout, 0};
  argo_err err = to_stdout ? argo_report_render(cat, p.pos[0], cli_write_file, &sink)
                           : argo_report_write(cat, p.pos[0], out);
  if (err == ARGO_EIO && to_stdout && sink.err) {
    rc = cli_stdout_failed("report", sink.err);
  } else if (err != ARGO_OK) {
    cli_error("report: %s", argo_catalog_errmsg(cat));
    /* A bad or unusable run name (resolve's errors), or an output path refused after all, is a
     * usage error: nothing was done. */
    rc = err == ARGO_EINVAL || err == ARGO_ENOTFOUND || err == ARGO_ECORRUPT ? CLI_EXIT_USAGE
                                                                             : CLI_EXIT_FAIL;
  } else if (!to_stdout) {
    printf("argo: report of %s written to %s\n", p.pos[0], out);
  }
  argo_catalog_close(cat);
  return rc;
}
