/*
 * The argo command-line tool: a table of commands, each with its options, from which the
 * usage texts (and, later, the man page and shell completion) are generated. The tool uses
 * only the public API in <argo/argo.h>.
 */
#ifndef ARGO_CLI_H
#define ARGO_CLI_H

#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1  /* the session failed while running */
#define CLI_EXIT_USAGE 2 /* bad flags, config, strategy or output folder: nothing was run */

typedef struct cli_opt {
  const char *name; /* "--symbols" */
  const char *arg;  /* "LIST", or NULL for a flag without value */
  const char *key;  /* config key set by this option, or NULL */
  const char *help;
} cli_opt;

typedef struct cli_cmd {
  const char *name;
  const char *args;    /* positional arguments, for the usage line ("" if none) */
  const char *summary; /* one line */
  const char *details; /* paragraph printed by --help, may be NULL */
  const cli_opt *opts; /* terminated by a zero entry */
  int (*main)(int argc, char **argv);
} cli_cmd;

extern const cli_cmd cli_commands[];
extern const size_t cli_ncommands;

/* Prints "argo <cmd> --help" text. */
void cli_print_command_help(FILE *out, const cli_cmd *cmd);
/* Finds an option by name in cmd's table (NULL if unknown). */
const cli_opt *cli_find_opt(const cli_cmd *cmd, const char *name);
/* "argo: " + message on stderr, one line. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cli_run_main(int argc, char **argv);
int cli_strategies_main(int argc, char **argv);
int cli_recover_main(int argc, char **argv);

#endif
