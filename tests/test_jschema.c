/*
 * A strategy's configuration against its config_schema (config/jschema.c): the subset of JSON
 * Schema it checks, argo's closed-object rule, messages that name the key, and schemas that
 * cannot be used.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <argo/argo.h>
#include <argo/strategy.h>

#include "config/jschema.h"
#include "core/strategy_loader.h"
#include "test.h"

static const char *MA = "{\"type\":\"object\",\"properties\":{"
                        "\"fast\":{\"type\":\"integer\",\"minimum\":1,\"default\":10},"
                        "\"slow\":{\"type\":\"integer\",\"minimum\":2,\"default\":30},"
                        "\"size\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":1}}}";

static char err[512];

static argo_err chk(const char *schema, const char *config) {
  err[0] = '\0';
  return argo__jschema_check(schema, config, err, sizeof err);
}

TEST(jschema_accepts_what_the_schema_allows) {
  CHECK_EQ_INT(ARGO_OK, chk(MA, "{}"));
  CHECK_EQ_INT(ARGO_OK, chk(MA, "{\"fast\": 5, \"slow\": 20, \"size\": 0.5}"));
  CHECK_EQ_INT(ARGO_OK, chk(MA, "{\"fast\": 5.0}")); /* 5.0 is an integer */
  CHECK_EQ_INT(ARGO_OK, chk(MA, "{\"size\": 1}"));
  CHECK_EQ_INT(ARGO_OK, chk(NULL, "{\"anything\": [1, 2]}"));
  CHECK_EQ_INT(ARGO_OK, chk("", "{\"anything\": 1}"));
  CHECK_EQ_INT(ARGO_OK, chk("{\"type\":\"object\"}", "{\"any\": 1}")); /* no properties: open */
  CHECK_EQ_INT(ARGO_OK,
               chk("{\"properties\":{\"a\":{}},\"additionalProperties\":true}", "{\"b\": 1}"));
}

TEST(jschema_refuses_unknown_keys_wrong_types_and_values_out_of_range_naming_the_key) {
  CHECK_EQ_INT(ARGO_ECONFIG, chk(MA, "{\"fastt\": 5}"));
  CHECK_STR("'fastt' is not a key of this strategy's configuration (its keys: fast, slow, size)",
            err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(MA, "{\"fast\": \"5\"}"));
  CHECK_STR("'fast' must be an integer, not a string", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(MA, "{\"fast\": 5.5}"));
  CHECK_STR("'fast' must be an integer, not a number", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(MA, "{\"fast\": 0}"));
  CHECK_STR("'fast' must be at least 1, got 0", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(MA, "{\"size\": 0}"));
  CHECK_STR("'size' must be more than 0, got 0", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(MA, "{\"size\": 1.5}"));
  CHECK_STR("'size' must be at most 1, got 1.5", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(MA, "[1]"));
  CHECK_STR("the configuration must be an object, not an array", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(MA, "{\"fast\": "));
  CHECK_CONTAINS(err, "the configuration is not JSON");
  CHECK_EQ_INT(ARGO_ECONFIG, chk("{\"properties\":{}}", "{\"x\": 1}"));
  CHECK_STR("'x' is not a key of this strategy's configuration (it takes none)", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk("{\"additionalProperties\":false}", "{\"x\": 1}"));
}

TEST(jschema_checks_nested_objects_enums_strings_and_arrays) {
  const char *s = "{\"type\":\"object\",\"required\":[\"mode\"],\"properties\":{"
                  "\"mode\":{\"enum\":[\"fast\",\"slow\"]},"
                  "\"name\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":4},"
                  "\"risk\":{\"type\":\"object\",\"properties\":{\"max_loss\":{\"type\":\"number\","
                  "\"maximum\":100,\"exclusiveMaximum\":true}}},"
                  "\"levels\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":3,"
                  "\"items\":{\"type\":[\"number\",\"null\"],\"minimum\":0}},"
                  "\"flag\":{\"type\":\"boolean\"},\"one\":{\"const\":1}}}";
  CHECK_EQ_INT(ARGO_OK, chk(s, "{\"mode\":\"fast\",\"name\":\"ab\",\"risk\":{\"max_loss\":99},"
                               "\"levels\":[1,null,2],\"flag\":true,\"one\":1.0}"));
  CHECK_EQ_INT(ARGO_ECONFIG, chk(s, "{}"));
  CHECK_STR("'mode' is required", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(s, "{\"mode\":\"medium\"}"));
  CHECK_STR("'mode' must be one of [\"fast\",\"slow\"]", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(s, "{\"mode\":\"fast\",\"name\":\"abcde\"}"));
  CHECK_STR("'name' must be at most 4 characters long", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(s, "{\"mode\":\"fast\",\"risk\":{\"max_loss\":100}}"));
  CHECK_STR("'risk.max_loss' must be less than 100, got 100", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(s, "{\"mode\":\"fast\",\"risk\":{\"maxloss\":1}}"));
  CHECK_CONTAINS(err, "'risk.maxloss' is not a key");
  CHECK_EQ_INT(ARGO_ECONFIG, chk(s, "{\"mode\":\"fast\",\"levels\":[1,-2]}"));
  CHECK_STR("'levels[1]' must be at least 0, got -2", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(s, "{\"mode\":\"fast\",\"levels\":[1,\"x\"]}"));
  CHECK_STR("'levels[1]' must be a number or null, not a string", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(s, "{\"mode\":\"fast\",\"levels\":[]}"));
  CHECK_STR("'levels' must have at least 1 items", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(s, "{\"mode\":\"fast\",\"flag\":1}"));
  CHECK_STR("'flag' must be a boolean, not an integer", err);
  CHECK_EQ_INT(ARGO_ECONFIG, chk(s, "{\"mode\":\"fast\",\"one\":2}"));
  CHECK_STR("'one' must be 1", err);
}

TEST(jschema_a_schema_it_cannot_use_is_the_plugins_fault) {
  CHECK_EQ_INT(ARGO_EPLUGIN, chk("{not json", "{}"));
  CHECK_CONTAINS(err, "its config_schema is not usable: not JSON");
  CHECK_EQ_INT(ARGO_EPLUGIN, chk("{\"type\":\"float\"}", "{}"));
  CHECK_CONTAINS(err, "unknown type 'float'");
  CHECK_EQ_INT(ARGO_EPLUGIN, chk("{\"properties\":{\"a\":{\"minimum\":\"1\"}}}", "{\"a\": 2}"));
  CHECK_CONTAINS(err, "(at 'a'): minimum is not a number");
  CHECK_EQ_INT(ARGO_EPLUGIN, chk("{\"required\":\"a\"}", "{}"));
}

TEST(jschema_defaults_must_pass_their_schema_and_unchecked_keywords_are_refused) {
  CHECK_EQ_INT(ARGO_EPLUGIN, chk("{\"properties\":{\"fast\":{\"type\":\"integer\",\"minimum\":1,"
                                 "\"default\":0}}}",
                                 "{}"));
  CHECK_STR("its config_schema is not usable (at 'fast'): its default breaks it: 'fast' must be "
            "at least 1, got 0",
            err);
  /* A nested default, one the configuration does not set. */
  CHECK_EQ_INT(ARGO_EPLUGIN, chk("{\"properties\":{\"a\":{},\"risk\":{\"properties\":{\"mode\":"
                                 "{\"enum\":[\"x\",\"y\"],\"default\":\"z\"}}}}}",
                                 "{\"a\": 1}"));
  CHECK_CONTAINS(err, "(at 'risk.mode'): its default breaks it: 'risk.mode' must be one of");
  CHECK_EQ_INT(ARGO_EPLUGIN, chk("{\"properties\":{\"n\":{\"type\":\"number\","
                                 "\"multipleOf\":5}}}",
                                 "{}"));
  CHECK_STR("its config_schema is not usable (at 'n'): it uses 'multipleOf', which argo does not "
            "check (docs/strategies.md lists the keywords it does)",
            err);
  CHECK_EQ_INT(ARGO_EPLUGIN, chk("{\"anyOf\":[{\"type\":\"object\"}]}", "{}"));
  CHECK_CONTAINS(err, "it uses 'anyOf'");
  CHECK_EQ_INT(
      ARGO_EPLUGIN,
      chk("{\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"^a\"}}}", "{\"s\": \"abc\"}"));
  CHECK_CONTAINS(err, "(at 's'): it uses 'pattern'");
  /* Annotations and keywords JSON Schema does not know are no obstacle. */
  CHECK_EQ_INT(ARGO_OK, chk("{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
                            "\"title\":\"t\",\"properties\":{\"s\":{\"type\":\"string\","
                            "\"format\":\"date\",\"x-unit\":\"day\",\"default\":\"d\","
                            "\"examples\":[\"2025-10-01\"]}}}",
                            "{\"s\": \"2025-10-01\"}"));
}

/* Builds {"key": default, ...} of a schema's top-level properties; the number of keys. */
static size_t defaults_of(const char *schema, char **out) {
  json_error_t je;
  json_t *s = json_loads(schema, 0, &je), *cfg = json_object();
  size_t n = 0;
  const char *key;
  json_t *sub;
  json_object_foreach(json_object_get(s, "properties"), key, sub) {
    json_t *d = json_object_get(sub, "default");
    if (d) {
      json_object_set(cfg, key, d);
      n++;
    }
  }
  *out = json_dumps(cfg, JSON_COMPACT);
  json_decref(cfg);
  json_decref(s);
  return n;
}

static void check_strategy_schema(const char *spec) {
  argo_strategy def;
  argo__strategy_lib *dl = NULL;
  char why[512];
  argo_err rc = argo__strategy_resolve(spec, &def, &dl, why, sizeof why);
  CHECK_MSG(rc == ARGO_OK, "%s: %s", spec, why);
  CHECK_MSG(def.config_schema && def.config_schema[0], "%s has no config_schema", spec);
  CHECK_MSG(chk(def.config_schema, "{}") == ARGO_OK, "%s with {}: %s", spec, err);
  char *cfg = NULL;
  size_t n = defaults_of(def.config_schema, &cfg);
  fprintf(stderr, "  %s: %s\n", spec, cfg);
  CHECK_MSG(n >= 2, "%s: only %zu defaults in %s", spec, n, def.config_schema);
  CHECK_MSG(chk(def.config_schema, cfg) == ARGO_OK, "%s with its defaults %s: %s", spec, cfg, err);
  free(cfg);
  argo__strategy_unload(dl);
}

TEST(jschema_every_builtin_and_example_schema_passes_its_own_defaults) {
  check_strategy_schema("ma_cross");
  check_strategy_schema("pingpong");
  DIR *d = opendir(ARGO_PLUGIN_DIR);
  CHECK_MSG(d != NULL, "cannot open %s", ARGO_PLUGIN_DIR);
  size_t plugins = 0;
  for (struct dirent *e; d && (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    /* argo_python.so is the Python strategies' host, not a strategy: the scripts are below. */
    if (len > 3 && strcmp(e->d_name + len - 3, ".so") == 0 &&
        strcmp(e->d_name, "argo_python.so") != 0) {
      char path[4400];
      snprintf(path, sizeof path, "%s/%s", ARGO_PLUGIN_DIR, e->d_name);
      check_strategy_schema(path);
      plugins++;
    }
  }
  if (d) {
    closedir(d);
  }
  CHECK_MSG(plugins >= 3, "only %zu example plugins in %s", plugins, ARGO_PLUGIN_DIR);
  /* The Python examples, when argo was built with the Python host. */
  if (access(ARGO_PLUGIN_DIR "/argo_python.so", F_OK) == 0) {
    static const char *const py[] = {"ma_cross.py", "pingpong.py", "bands.py", "ta_ma_cross.py"};
    for (size_t i = 0; i < sizeof py / sizeof py[0]; i++) {
      char path[4400];
      snprintf(path, sizeof path, "%s/strategies/python/examples/%s", ARGO_SOURCE_DIR, py[i]);
      check_strategy_schema(path);
    }
  }
}

TEST(jschema_library_users_get_the_error_naming_the_key) {
  argo_engine *eng = NULL;
  CHECK_EQ_INT(ARGO_OK, argo_engine_new(&eng));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_engine_load_strategy(eng, "ma_cross", "{\"fastt\": 5}"));
  CHECK_CONTAINS(argo_engine_errmsg(eng), "strategy ma_cross: 'fastt' is not a key");
  CHECK_EQ_INT(ARGO_OK, argo_engine_load_strategy(eng, "ma_cross", "{\"fast\": 5}"));
  /* A table of the program's own is checked as well. */
  argo_strategy def;
  argo__strategy_lib *dl = NULL;
  char why[512];
  CHECK_EQ_INT(ARGO_OK, argo__strategy_resolve("pingpong", &def, &dl, why, sizeof why));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_engine_set_strategy(eng, &def, "{\"qty\": -1}"));
  CHECK_CONTAINS(argo_engine_errmsg(eng), "strategy pingpong: 'qty' must be more than 0, got -1");
  CHECK_EQ_INT(ARGO_OK, argo_engine_set_strategy(eng, &def, NULL));
  argo_engine_free(eng);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(jschema_accepts_what_the_schema_allows);
  RUN(jschema_refuses_unknown_keys_wrong_types_and_values_out_of_range_naming_the_key);
  RUN(jschema_checks_nested_objects_enums_strings_and_arrays);
  RUN(jschema_a_schema_it_cannot_use_is_the_plugins_fault);
  RUN(jschema_defaults_must_pass_their_schema_and_unchecked_keywords_are_refused);
  RUN(jschema_every_builtin_and_example_schema_passes_its_own_defaults);
  RUN(jschema_library_users_get_the_error_naming_the_key);
  return test_summary();
}
