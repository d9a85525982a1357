/*
 * argo: entry point and command table. Each command lives in its own file (cmd_<name>.c).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <argo/argo.h>

#include "cli.h"
#include "inspect.h"

extern const cli_opt cli_run_opts[];
extern const cli_opt cli_strategies_opts[];
extern const cli_opt cli_recover_opts[];

const cli_cmd cli_commands[] = {
    {"run", "", "run a trading session and record it",
     "Runs a session on the configured feed (default: the simulated feed), strategy (default: "
     "the builtin ma_cross) and paper broker, recording it into "
     "{data-output}/{YYYY-MM-DD}/run_N/. Options override the --config file; --set KEY=VALUE "
     "sets any config key. Ctrl-C stops the session cleanly.",
     cli_run_opts, cli_run_main},
    {"strategies", "[NAME|FILE.so|FILE.py ...]",
     "describe the builtin strategies, or the ones named",
     "Prints each strategy's name, id, version, description and configuration schema: the "
     "builtin ones, or those named, builtin names, plugin files (FILE.so) or Python strategies "
     "(FILE.py), loaded and checked as 'argo run --strategy' does. A strategy that cannot be "
     "loaded is an error (exit code 2), with the file and, for a script, the line.",
     cli_strategies_opts, cli_strategies_main},
    {"recover", "", "finalize sessions that ended in a crash",
     "Finds run-day folders under the data output path that end in a crash (a journal left "
     "behind, no finished status) and rebuilds their Parquet files and stats.yaml from the "
     "journal, with status crashed_recovered. 'argo run' does this by itself at start. It works "
     "offline: a live order whose fate only the exchange knows stays PENDING and is listed in "
     "stats.yaml (live_orders_unknown). --online then asks the exchange, as the next session of "
     "--config's live broker would: every fill made while argo was down is recorded in the "
     "folder of its day, ended orders end, open ones are adopted or cancelled "
     "(trading.binance.open_orders_at_start); the user's strategy is not run.",
     cli_recover_opts, cli_recover_main},
    {"sessions", "", "list the recorded days and runs, newest first",
     "One line per day folder: date, run, session id, status, symbols, strategy, candles, "
     "fills, realized pnl, win rate and maximum drawdown of that day, from its stats.yaml. "
     "--json prints every figure (the day's and the session's) as a JSON array.",
     cli_sessions_opts, cli_sessions_main},
    {"stats", "RUN", "show the statistics of a day or a session",
     "RUN is a day folder (2025-10-03/run_1), a session id (or a unique prefix of 8 or more "
     "characters) or 'latest' (the session started last). Prints one column "
     "per day and a column for the session as of the last day shown.",
     cli_stats_opts, cli_stats_main},
    {"query", "SQL", "run SQL over every recorded session",
     "Runs SQL in an in-memory DuckDB over the views orders, trades, market_data, marks and "
     "logs (the Parquet files of every day folder, each row with date, run and session_id), "
     "the table stats (one row per day folder from stats.yaml) and the view round_trips (each "
     "entry to its exit, paired FIFO). Reads only published files, so it works while a session "
     "runs.",
     cli_query_opts, cli_query_main},
    {"report", "RUN", "write an HTML report of a day or a session",
     "Writes one self-contained HTML file (no network needed to view it): the candlesticks of "
     "each symbol with fills and marks (zoom, pan, crosshair), the equity, buy-and-hold and "
     "drawdown curves, the statistics, each symbol's figures, the round trips and the fills, "
     "in tables that sort and download as CSV. RUN is named as for 'argo stats'.",
     cli_report_opts, cli_report_main},
    {"completion", "bash", "print a bash completion script",
     "Prints a bash completion script generated from the command table; load it with "
     "'source <(argo completion bash)'.",
     cli_completion_opts, cli_completion_main},
    {"man", "", "print the manual page argo(1) in roff",
     "Prints the manual page generated from the command table; the build writes it to "
     "build/argo.1.",
     cli_man_opts, cli_man_main},
};
const size_t cli_ncommands = sizeof cli_commands / sizeof cli_commands[0];

void cli_error(const char *fmt, ...) {
  char line[8192], masked[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  /* A message may quote a URL the user configured, with a password or a token in it. */
  fprintf(stderr, "argo: %s\n", argo_mask_urls(line, masked, sizeof masked));
}

int cli_output_check(const char *what, const char *path) {
  if (path && strcmp(path, "-") == 0) {
    return 0;
  }
  char msg[512];
  if (argo_output_check(path, msg, sizeof msg) != ARGO_OK) {
    cli_error("%s: %s", what, msg);
    return CLI_EXIT_USAGE;
  }
  return 0;
}

/* 1 when standard output is a pipe or a socket whose reading end was closed: poll reports an
 * error on the writing end then (Linux, the BSDs). */
static int reader_gone(void) {
  struct pollfd p = {.fd = STDOUT_FILENO, .events = POLLOUT};
  return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}

int cli_stdout_failed(const char *what, int err) {
  if (err != EPIPE && !reader_gone()) {
    cli_error("%s%scannot write the output: %s", what ? what : "", what ? ": " : "",
              strerror(err ? err : EIO));
  }
  return CLI_EXIT_FAIL;
}

const cli_opt *cli_find_opt(const cli_cmd *cmd, const char *name) {
  for (const cli_opt *o = cmd->opts; o && o->name; o++) {
    if (strcmp(o->name, name) == 0) {
      return o;
    }
  }
  return NULL;
}

void cli_print_command_help(FILE *out, const cli_cmd *cmd) {
  fprintf(out, "usage: argo %s [options]%s%s\n\n%s.\n", cmd->name, cmd->args[0] ? " " : "",
          cmd->args, cmd->summary);
  if (cmd->details) {
    fprintf(out, "\n%s\n", cmd->details);
  }
  fprintf(out, "\noptions:\n");
  for (const cli_opt *o = cmd->opts; o && o->name; o++) {
    char left[64];
    snprintf(left, sizeof left, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    fprintf(out, "  %-28s %s", left, o->help);
    if (o->key) {
      fprintf(out, " [%s]", o->key);
    }
    fputc('\n', out);
  }
  fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: argo <command> [options]\n\n"
          "argo is a live and paper trading engine that records every session into per-day\n"
          "folders of Parquet files and a stats.yaml, queryable while it runs.\n\ncommands:\n");
  for (size_t i = 0; i < cli_ncommands; i++) {
    fprintf(out, "  %-12s %s\n", cli_commands[i].name, cli_commands[i].summary);
  }
  fprintf(out, "\noptions:\n  -h, --help     show this help\n  -V, --version  show the version\n"
               "\nRun 'argo <command> --help' for the options of a command.\n");
}

/* Runs the command line (argv[1] the command). */
static int dispatch(int argc, char **argv, const char **name) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *c = argv[1];
  if (strcmp(c, "-h") == 0 || strcmp(c, "--help") == 0 || strcmp(c, "help") == 0) {
    if (argc > 2) {
      for (size_t i = 0; i < cli_ncommands; i++) {
        if (strcmp(argv[2], cli_commands[i].name) == 0) {
          cli_print_command_help(stdout, &cli_commands[i]);
          return CLI_EXIT_OK;
        }
      }
    }
    usage(stdout);
    return CLI_EXIT_OK;
  }
  if (strcmp(c, "-V") == 0 || strcmp(c, "--version") == 0 || strcmp(c, "version") == 0) {
    printf("argo %s\n", argo_version());
    return CLI_EXIT_OK;
  }
  for (size_t i = 0; i < cli_ncommands; i++) {
    if (strcmp(c, cli_commands[i].name) == 0) {
      *name = cli_commands[i].name;
      for (int a = 2; a < argc; a++) {
        if (strcmp(argv[a], "--") == 0) {
          break;
        }
        if (strcmp(argv[a], "-h") == 0 || strcmp(argv[a], "--help") == 0) {
          cli_print_command_help(stdout, &cli_commands[i]);
          return CLI_EXIT_OK;
        }
      }
      return cli_commands[i].main(argc - 1, argv + 1);
    }
  }
  cli_error("unknown command '%s' (run 'argo --help' for the list)", c);
  return CLI_EXIT_USAGE;
}

int main(int argc, char **argv) {
  /* A reader that stops reading (argo query ... | head -1) makes a write fail with EPIPE instead
   * of killing argo by SIGPIPE (exit 141): every command then ends as docs/inspect.md says, with
   * exit code 1, and a session (argo run --events -) stops cleanly. */
  signal(SIGPIPE, SIG_IGN);
  /* The tool reports the Binance feed's problems itself: libwebsockets' own lines would only
   * repeat them. */
  argo_library_logs(NULL, NULL);
  const char *name = NULL;
  int rc = dispatch(argc, argv, &name);
  argo_library_shutdown();
  /* Output that could not be written (a full disk, a closed pipe) is a failure. */
  errno = 0;
  if ((fflush(stdout) != 0 || ferror(stdout)) && rc == CLI_EXIT_OK) {
    rc = cli_stdout_failed(name, errno);
  }
  return rc;
}
