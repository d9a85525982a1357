/*
 * A strategy's configuration against its config_schema (config/jschema.c): the subset of JSON
 * Schema it checks, argo's closed-object rule, messages that name the key, and schemas that
 * cannot be used.
 */
#include <string.h>

#include "config/jschema.h"
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
  CHECK_EQ_INT(ARGO_OK, chk("{\"properties\":{\"a\":{}},\"additionalProperties\":true}",
                            "{\"b\": 1}"));
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
  const char *s =
      "{\"type\":\"object\",\"required\":[\"mode\"],\"properties\":{"
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

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(jschema_accepts_what_the_schema_allows);
  RUN(jschema_refuses_unknown_keys_wrong_types_and_values_out_of_range_naming_the_key);
  RUN(jschema_checks_nested_objects_enums_strings_and_arrays);
  RUN(jschema_a_schema_it_cannot_use_is_the_plugins_fault);
  return test_summary();
}
