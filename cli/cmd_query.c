/*
 * argo query "SQL": SQL through an in-memory DuckDB over every recorded day folder (views
 * orders, trades, market_data, marks, logs and stats; see argo_query_open), printed as a table,
 * CSV or JSON. Reads only published files, so it works beside a running session.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "inspect.h"

const cli_opt cli_query_opts[] = {
    CLI_DATA_OUTPUT_OPTS,
    {"--format", "table|csv|json", NULL, "output format (default table)"},
    {"--run", "RUN", NULL,
     "only the day folders of RUN (DATE/run_N, a session id, or latest) instead of all"},
    {0},
};

int cli_query_main(int argc, char **argv) {
  cli_parsed p;
  int rc = cli_parse(argc, argv, 1, &p);
  if (rc) {
    return rc;
  }
  if (p.npos != 1 || !*p.pos[0]) {
    cli_error("query: give the SQL as one argument, e.g. argo query \"SELECT count(*) FROM "
              "trades\"");
    return CLI_EXIT_USAGE;
  }
  argo_query_format fmt = ARGO_QUERY_TABLE;
  const char *f = cli_value(&p, "--format");
  if (f) {
    if (strcmp(f, "table") == 0) {
      fmt = ARGO_QUERY_TABLE;
    } else if (strcmp(f, "csv") == 0) {
      fmt = ARGO_QUERY_CSV;
    } else if (strcmp(f, "json") == 0) {
      fmt = ARGO_QUERY_JSON;
    } else {
      cli_error("query: --format must be table, csv or json, not '%s'", f);
      return CLI_EXIT_USAGE;
    }
  }
  char dirbuf[4096];
  const char *dir = cli_data_output(&p, "query", dirbuf, sizeof dirbuf);
  argo_catalog *cat = dir ? cli_open_catalog("query", dir, 0) : NULL;
  if (!cat) {
    return CLI_EXIT_USAGE;
  }
  /* A folder without a readable stats.yaml has no row in stats, but its Parquet files are read
   * (when every folder is: without --run), with session_id NULL. */
  for (size_t i = 0; i < argo_catalog_skipped_count(cat); i++) {
    cli_error(
        "query: %s%s", argo_catalog_skipped_at(cat, i),
        cli_value(&p, "--run")
            ? ""
            : "; its Parquet files are read with session_id NULL, and it has no row in stats");
  }
  argo_query *q = NULL;
  argo_err err = argo_query_open(&q, cat, cli_value(&p, "--run"));
  argo_catalog_close(cat);
  if (err != ARGO_OK) {
    cli_error("query: %s", argo_query_errmsg(q));
    argo_query_close(q);
    return err == ARGO_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
  }
  cli_sink out = {stdout, 0};
  err = argo_query_run(q, p.pos[0], fmt, cli_write_file, &out);
  errno = 0;
  if (err == ARGO_OK && fflush(stdout) != 0) {
    out.err = errno;
    err = ARGO_EIO;
  }
  if (err == ARGO_EIO && (out.err || ferror(stdout))) {
    /* Standard output failed (a closed pipe ends the command quietly). */
    argo_query_close(q);
    return cli_stdout_failed("query", out.err);
  }
  if (err != ARGO_OK) {
    cli_error("query: %s", argo_query_errmsg(q));
  }
  argo_query_close(q);
  return err == ARGO_OK ? CLI_EXIT_OK : err == ARGO_EDB ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
}
