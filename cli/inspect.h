/*
 * The commands that look at recorded sessions (sessions, stats, query, report) and the ones
 * generated from the command table (completion, man), with the helpers they share: option
 * parsing driven by the command table, opening the catalog, aligned text tables and JSON.
 * Uses only the public API in <argo/argo.h>.
 */
#ifndef ARGO_CLI_INSPECT_H
#define ARGO_CLI_INSPECT_H

#include <stddef.h>
#include <stdio.h>

#include <argo/argo.h>
#include <jansson.h>

#include "cli.h"

/* Where `argo run` records by default, and so where the inspecting commands look. */
#define CLI_DEFAULT_DATA_OUTPUT "./data/live-trading"

#define CLI_MAX_OPTS 32
#define CLI_MAX_POS 8

typedef struct cli_parsed {
  const cli_cmd *cmd;
  const char *val[CLI_MAX_OPTS]; /* by position in cmd->opts; a flag given reads "" */
  const char *pos[CLI_MAX_POS];  /* positional arguments */
  int npos;
} cli_parsed;

/* Parses argv (argv[0] is the command's name) against the options of the command of that name:
 * "--opt value", "--opt=value", flags, positional arguments ("--" ends the options). More than
 * maxpos positionals, an unknown option or a missing value print one line and return
 * CLI_EXIT_USAGE; 0 otherwise. */
int cli_parse(int argc, char **argv, int maxpos, cli_parsed *p);
/* The value of option name ("--format"), or NULL when it was not given. */
const char *cli_value(const cli_parsed *p, const char *name);
/* Where the recording is, as argo run would record: --data-output, else engine.data_output of
 * the --config file, else $ARGO_DATA_OUTPUT, else the default. Into buf (len bytes); NULL after
 * one line naming cmd when the config file cannot be read. */
const char *cli_data_output(const cli_parsed *p, const char *cmd, char *buf, size_t len);

/* Opens the catalog of dir; on error prints one line and returns NULL. Folders that were left
 * out are reported on stderr, one line each, when notes is set. */
argo_catalog *cli_open_catalog(const char *cmd, const char *dir, int notes);

/* Where an argo_write_fn writes: a FILE *, and the errno of the first write that failed. */
typedef struct cli_sink {
  FILE *f;
  int err;
} cli_sink;
/* An argo_write_fn writing to a cli_sink. */
int cli_write_file(const char *data, size_t len, void *user);

/* Text tables: cells are added row by row (ncols per row), then printed aligned. */
typedef struct cli_table {
  size_t ncols;
  const int *right; /* per column: right-align (numbers) */
  char **cells;
  size_t ncells, cap;
  int failed;
} cli_table;

void cli_table_init(cli_table *t, size_t ncols, const int *right);
void cli_table_add(cli_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the table with gap spaces between columns; a row of dashes after the first row when
 * rule is set. */
void cli_table_print(const cli_table *t, FILE *out, const char *indent, int rule);
void cli_table_free(cli_table *t);

/* JSON of a statistics block (every figure, including holding times). */
json_t *cli_block_json(const argo_stats_block *b);
/* A time as JSON text ("2025-10-01T09:00:00Z"), or null for 0 (not known). */
json_t *cli_time_json(int64_t us);
/* JSON array of e's per-symbol figures, the daily ones or the cumulative ones ([] when its
 * stats.yaml has none). */
json_t *cli_by_symbol_json(const argo_catalog_entry *e, int daily);
/* Prints j (pretty, key order kept, doubles exact) and a newline; 0, or -1 when it cannot. */
int cli_print_json(json_t *j);

/* The status of a day folder as shown: "crashed" for a crashed session not yet recovered,
 * otherwise what its stats.yaml says. */
const char *cli_status(const argo_catalog_entry *e);
/* One line saying that e crashed and what to do about it. */
void cli_crashed_hint(const argo_catalog_entry *e, const char *data_output, char *buf, size_t len);

/* The options --data-output DIR and --config FILE of the commands that read the recording. */
#define CLI_DATA_OUTPUT_OPTS                                                                       \
  {"--data-output", "DIR", NULL,                                                                   \
   "where sessions are recorded (default: --config's engine.data_output, $ARGO_DATA_OUTPUT, "      \
   "./data/live-trading)"},                                                                        \
  {                                                                                                \
    "--config", "FILE", NULL, "take engine.data_output from this configuration file"               \
  }

extern const cli_opt cli_sessions_opts[];
extern const cli_opt cli_stats_opts[];
extern const cli_opt cli_query_opts[];
extern const cli_opt cli_report_opts[];
extern const cli_opt cli_completion_opts[];
extern const cli_opt cli_man_opts[];

int cli_sessions_main(int argc, char **argv);
int cli_stats_main(int argc, char **argv);
int cli_query_main(int argc, char **argv);
int cli_report_main(int argc, char **argv);
int cli_completion_main(int argc, char **argv);
int cli_man_main(int argc, char **argv);

#endif
