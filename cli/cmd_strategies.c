/* argo strategies: the builtin strategies, their description and configuration schema. */
#include <stdio.h>
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

int cli_strategies_main(int argc, char **argv) {
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else {
      cli_error("strategies: unknown option '%s'", argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  if (json) {
    putchar('[');
  }
  for (size_t i = 0;; i++) {
    const argo_strategy *s = argo_strategy_builtin_at(i);
    if (!s) {
      break;
    }
    if (json) {
      printf("%s{\"name\":", i ? "," : "");
      json_str(s->name);
      printf(",\"id\":");
      json_str(s->id);
      printf(",\"version\":");
      json_str(s->version);
      printf(",\"description\":");
      json_str(s->description);
      printf(",\"config_schema\":%s}", s->config_schema ? s->config_schema : "null");
    } else {
      printf("%s%s (%s, version %s)\n  %s\n  config schema: %s\n", i ? "\n" : "", s->name,
             s->id ? s->id : "", s->version ? s->version : "", s->description ? s->description : "",
             s->config_schema ? s->config_schema : "{}");
    }
  }
  if (json) {
    puts("]");
  }
  return CLI_EXIT_OK;
}
