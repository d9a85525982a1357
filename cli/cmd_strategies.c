/* argo strategies [NAME|FILE.so ...]: the builtin strategies, or the strategies named (builtin
 * names or plugin files, loaded and checked as argo run does), with their description and
 * configuration schema. */
#include <stdio.h>
#include <string.h>

#include <argo/argo.h>

#include "inspect.h"

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
  cli_parsed p;
  int rc = cli_parse(argc, argv, CLI_MAX_POS, &p);
  if (rc) {
    return rc;
  }
  int json = cli_value(&p, "--json") != NULL;
  /* Every named strategy is loaded and checked before anything is printed: a bad one is a
   * usage error, and nothing goes to standard output then. */
  argo_strategy_def *defs[CLI_MAX_POS] = {0};
  for (int i = 0; i < p.npos; i++) {
    if (argo_strategy_def_open(&defs[i], p.pos[i]) != ARGO_OK) {
      cli_error("strategies: %s", argo_strategy_def_errmsg(defs[i]));
      rc = CLI_EXIT_USAGE;
      break;
    }
  }
  if (rc == CLI_EXIT_OK) {
    if (json) {
      putchar('[');
    }
    for (size_t i = 0; p.npos ? i < (size_t)p.npos : argo_strategy_builtin_at(i) != NULL; i++) {
      print_one(p.npos ? argo_strategy_def_table(defs[i]) : argo_strategy_builtin_at(i), json,
                i == 0);
    }
    if (json) {
      puts("]");
    }
  }
  for (int i = 0; i < p.npos; i++) {
    argo_strategy_def_close(defs[i]);
  }
  return rc;
}
