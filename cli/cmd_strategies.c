/* argo strategies [NAME|FILE ...]: the builtin strategies, or the strategies named (a builtin, a
 * plugin .so, a Python strategy .py), with their description and configuration schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/argo.h>

#include "cli.h"

const cli_opt cli_strategies_opts[] = {
    {"--json", NULL, NULL, "print a JSON array instead of text"},
    {0},
};

static void json_str(const char *s) {
  putchar('"');
  for (; s && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') {
      printf("\\%c", ch);
    } else if (ch == '\n') {
      fputs("\\n", stdout);
    } else if (ch < 0x20) {
      printf("\\u%04x", ch);
    } else {
      putchar(ch);
    }
  }
  putchar('"');
}

static void print_one(const argo_strategy *s, int json, int first) {
  if (json) {
    printf("%s{\"name\":", first ? "" : ",");
    json_str(s->name);
    printf(",\"id\":");
    json_str(s->id);
    printf(",\"version\":");
    json_str(s->version);
    printf(",\"description\":");
    json_str(s->description);
    printf(",\"config_schema\":%s}", s->config_schema ? s->config_schema : "null");
  } else {
    printf("%s%s (%s, version %s)\n  %s\n  config schema: %s\n", first ? "" : "\n", s->name,
           s->id ? s->id : "", s->version ? s->version : "", s->description ? s->description : "",
           s->config_schema ? s->config_schema : "{}");
  }
}

int cli_strategies_main(int argc, char **argv) {
  int json = 0, named = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      cli_error("strategies: unknown option '%s'", argv[i]);
      return CLI_EXIT_USAGE;
    } else {
      named++;
    }
  }
  /* Every named strategy is loaded before anything is printed: one that does not load makes
   * the answer an error alone. */
  argo_strategy_ref **refs = NULL;
  if (named) {
    refs = calloc((size_t)named, sizeof *refs);
    if (!refs) {
      cli_error("out of memory");
      return CLI_EXIT_FAIL;
    }
  }
  int n = 0, rc = CLI_EXIT_OK;
  for (int i = 1; i < argc && rc == CLI_EXIT_OK; i++) {
    if (strcmp(argv[i], "--json") == 0) {
      continue;
    }
    if (argo_strategy_ref_open(argv[i], &refs[n]) != ARGO_OK) {
      cli_error("%s", argo_strategy_ref_errmsg(refs[n]));
      rc = refs[n] ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    n++;
  }
  if (rc == CLI_EXIT_OK) {
    if (json) {
      putchar('[');
    }
    if (named) {
      for (int i = 0; i < n; i++) {
        print_one(argo_strategy_ref_table(refs[i]), json, i == 0);
      }
    } else {
      for (size_t i = 0; argo_strategy_builtin_at(i); i++) {
        print_one(argo_strategy_builtin_at(i), json, i == 0);
      }
    }
    if (json) {
      puts("]");
    }
  }
  for (int i = 0; i < n; i++) {
    argo_strategy_ref_close(refs[i]);
  }
  free(refs);
  return rc;
}
