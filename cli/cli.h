/*
 * The argo command-line tool: a table of commands, each with its options, from which the usage
 * texts, the man page (`argo man`) and the shell completion (`argo completion bash`) are
 * generated. The tool uses only the public API in <argo/argo.h>.
 */
#ifndef ARGO_CLI_H
#define ARGO_CLI_H

#include <stdio.h>

#include <argo/argo.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1  /* the session failed while running */
#define CLI_EXIT_USAGE 2 /* bad flags, config, strategy or output folder: nothing was run */

/* The environment variable naming the data output when neither --data-output nor a --config
 * file's engine.data_output does. */
#define CLI_DATA_OUTPUT_ENV "ARGO_DATA_OUTPUT"

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
/* "argo: " + message on stderr, one line, with the secrets of the URLs in it masked
 * (argo_mask_urls). Every line argo prints on stderr about a problem goes through here. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks path, a file the user named for output (argo_output_check: a regular file, a new one or
 * a symbolic link to one; never a folder, a pipe or a device), for the option what ("report",
 * "--events"); "-" is standard output and always fine. 0, or CLI_EXIT_USAGE after one line
 * saying what is wrong. */
int cli_output_check(const char *what, const char *path);
/* Standard output could not be written (for what: "query", or NULL): prints one line saying so,
 * except when its reader has gone (a closed pipe: argo query ... | head -1), which ends the command
 * quietly; returns CLI_EXIT_FAIL either way. SIGPIPE is ignored in every command, so that such a
 * write fails instead of killing the process. */
int cli_stdout_failed(const char *what, int err);

int cli_run_main(int argc, char **argv);
int cli_strategies_main(int argc, char **argv);
int cli_recover_main(int argc, char **argv);

/* An order status as the files write it: "PENDING", "FILLED", ... (inspect.c) */
const char *cli_order_status(argo_order_status s);
/* Applies --set's KEY=VALUE to cfg; on an error prints one line naming cmd and returns -1
 * (inspect.c). */
int cli_config_set(argo_config *cfg, const char *cmd, const char *kv);

#endif
