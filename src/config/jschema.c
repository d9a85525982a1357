/* A strategy's configuration checked against its JSON Schema; see jschema.h. */
#include "config/jschema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/util.h"

#define DEPTH_MAX 32

typedef struct ctx {
  char *err;
  size_t errlen;
  argo_err rc;
} ctx;

/* The key path of a value, for messages: "fast", "risk.max_loss", "levels[2]". */
typedef struct path {
  char s[256];
} path;

static void path_key(path *out, const path *in, const char *key) {
  argo__fmt(out->s, sizeof out->s, "%s%s%s", in->s, in->s[0] ? "." : "", key);
}

static void path_index(path *out, const path *in, size_t i) {
  argo__fmt(out->s, sizeof out->s, "%s[%zu]", in->s, i);
}

static int bad_config(ctx *c, const path *p, const char *fmt, ...) ARGO_PRINTF(3, 4);

static int bad_config(ctx *c, const path *p, const char *fmt, ...) {
  char what[384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (p->s[0]) {
    argo__fmt(c->err, c->errlen, "'%s' %s", p->s, what);
  } else {
    argo__fmt(c->err, c->errlen, "the configuration %s", what);
  }
  c->rc = ARGO_ECONFIG;
  return -1;
}

static int bad_schema(ctx *c, const path *p, const char *fmt, ...) ARGO_PRINTF(3, 4);

static int bad_schema(ctx *c, const path *p, const char *fmt, ...) {
  char what[384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  argo__fmt(c->err, c->errlen, "its config_schema is not usable%s%s%s: %s", p->s[0] ? " (at '" : "",
            p->s, p->s[0] ? "')" : "", what);
  c->rc = ARGO_EPLUGIN;
  return -1;
}

static const char *kind(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return json_real_value(v) == floor(json_real_value(v)) ? "an integer" : "a number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  default:
    return "null";
  }
}

/* 1 if v is of JSON Schema type t, 0 if not, -1 if t is no type. */
static int is_type(const json_t *v, const char *t) {
  if (strcmp(t, "object") == 0) {
    return json_is_object(v);
  }
  if (strcmp(t, "array") == 0) {
    return json_is_array(v);
  }
  if (strcmp(t, "string") == 0) {
    return json_is_string(v);
  }
  if (strcmp(t, "number") == 0) {
    return json_is_number(v);
  }
  if (strcmp(t, "integer") == 0) {
    /* 5.0 is an integer (JSON Schema from draft 6 on); jansson reads it as a real. */
    return json_is_integer(v) ||
           (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)));
  }
  if (strcmp(t, "boolean") == 0) {
    return json_is_boolean(v);
  }
  if (strcmp(t, "null") == 0) {
    return json_is_null(v);
  }
  return -1;
}

static int check(ctx *c, const json_t *schema, const json_t *v, const path *p, int depth);

static int check_type(ctx *c, const json_t *schema, const json_t *v, const path *p) {
  const json_t *t = json_object_get(schema, "type");
  if (!t) {
    return 0;
  }
  char want[160] = "";
  if (json_is_string(t)) {
    int r = is_type(v, json_string_value(t));
    if (r < 0) {
      return bad_schema(c, p, "unknown type '%s'", json_string_value(t));
    }
    if (r) {
      return 0;
    }
    argo__fmt(want, sizeof want, "%s", json_string_value(t));
  } else if (json_is_array(t)) {
    size_t i;
    const json_t *e;
    json_array_foreach(t, i, e) {
      int r = json_is_string(e) ? is_type(v, json_string_value(e)) : -1;
      if (r < 0) {
        return bad_schema(c, p, "a type list holds something that is not a type");
      }
      if (r) {
        return 0;
      }
      size_t len = strlen(want);
      snprintf(want + len, sizeof want - len, "%s%s", i ? " or " : "", json_string_value(e));
    }
  } else {
    return bad_schema(c, p, "type is neither a name nor a list");
  }
  const char *article = strchr("aeiou", want[0]) ? "an" : "a";
  return bad_config(c, p, "must be %s %s, not %s", article, want, kind(v));
}

/* A bound of the schema (minimum, exclusiveMaximum ...); 1 with *out set, 0 if absent. */
static int bound(ctx *c, const json_t *schema, const char *name, double *out, const path *p) {
  const json_t *b = json_object_get(schema, name);
  if (!b) {
    return 0;
  }
  if (!json_is_number(b)) {
    bad_schema(c, p, "%s is not a number", name);
    return -1;
  }
  *out = json_number_value(b);
  return 1;
}

static int check_number(ctx *c, const json_t *schema, const json_t *v, const path *p) {
  if (!json_is_number(v)) {
    return 0;
  }
  double x = json_number_value(v), b = 0;
  int r;
  /* Draft 4 spelt exclusiveness as booleans beside minimum and maximum. */
  const json_t *xmin = json_object_get(schema, "exclusiveMinimum");
  const json_t *xmax = json_object_get(schema, "exclusiveMaximum");
  int min_excl = json_is_true(xmin), max_excl = json_is_true(xmax);
  if ((r = bound(c, schema, "minimum", &b, p)) < 0) {
    return -1;
  }
  if (r && (min_excl ? !(x > b) : !(x >= b))) {
    return bad_config(c, p, "must be %s %g, got %g", min_excl ? "more than" : "at least", b, x);
  }
  if ((r = bound(c, schema, "maximum", &b, p)) < 0) {
    return -1;
  }
  if (r && (max_excl ? !(x < b) : !(x <= b))) {
    return bad_config(c, p, "must be %s %g, got %g", max_excl ? "less than" : "at most", b, x);
  }
  if (xmin && !json_is_boolean(xmin)) {
    if ((r = bound(c, schema, "exclusiveMinimum", &b, p)) < 0) {
      return -1;
    }
    if (!(x > b)) {
      return bad_config(c, p, "must be more than %g, got %g", b, x);
    }
  }
  if (xmax && !json_is_boolean(xmax)) {
    if ((r = bound(c, schema, "exclusiveMaximum", &b, p)) < 0) {
      return -1;
    }
    if (!(x < b)) {
      return bad_config(c, p, "must be less than %g, got %g", b, x);
    }
  }
  return 0;
}

/* Equality of JSON values, numbers by value (5 equals 5.0). */
static int same(const json_t *a, const json_t *b) {
  if (json_is_number(a) && json_is_number(b)) {
    return json_number_value(a) == json_number_value(b);
  }
  return json_equal((json_t *)a, (json_t *)b);
}

static int check_enum(ctx *c, const json_t *schema, const json_t *v, const path *p) {
  const json_t *k = json_object_get(schema, "const");
  if (k && !same(k, v)) {
    char *want = json_dumps(k, JSON_ENCODE_ANY | JSON_COMPACT);
    int r = bad_config(c, p, "must be %s", want ? want : "the schema's constant");
    free(want);
    return r;
  }
  const json_t *e = json_object_get(schema, "enum");
  if (!e) {
    return 0;
  }
  if (!json_is_array(e)) {
    return bad_schema(c, p, "enum is not a list");
  }
  size_t i;
  const json_t *x;
  json_array_foreach(e, i, x) {
    if (same(x, v)) {
      return 0;
    }
  }
  char *list = json_dumps(e, JSON_COMPACT);
  int r = bad_config(c, p, "must be one of %s", list ? list : "the schema's values");
  free(list);
  return r;
}

/* A non-negative whole number of the schema (minLength ...); -2 if absent, -1 if bad. */
static long long count_of(ctx *c, const json_t *schema, const char *name, const path *p) {
  const json_t *n = json_object_get(schema, name);
  if (!n) {
    return -2;
  }
  if (!json_is_integer(n) || json_integer_value(n) < 0) {
    bad_schema(c, p, "%s is not a whole number >= 0", name);
    return -1;
  }
  return (long long)json_integer_value(n);
}

static int check_string(ctx *c, const json_t *schema, const json_t *v, const path *p) {
  if (!json_is_string(v)) {
    return 0;
  }
  /* Lengths in characters (code points), as JSON Schema counts them. */
  long long len = 0;
  for (const unsigned char *s = (const unsigned char *)json_string_value(v); *s; s++) {
    len += (*s & 0xC0) != 0x80;
  }
  long long lo = count_of(c, schema, "minLength", p), hi = count_of(c, schema, "maxLength", p);
  if (lo == -1 || hi == -1) {
    return -1;
  }
  if (lo >= 0 && len < lo) {
    return bad_config(c, p, "must be at least %lld characters long", lo);
  }
  if (hi >= 0 && len > hi) {
    return bad_config(c, p, "must be at most %lld characters long", hi);
  }
  return 0;
}

static int check_array(ctx *c, const json_t *schema, const json_t *v, const path *p, int depth) {
  if (!json_is_array(v)) {
    return 0;
  }
  long long n = (long long)json_array_size(v);
  long long lo = count_of(c, schema, "minItems", p), hi = count_of(c, schema, "maxItems", p);
  if (lo == -1 || hi == -1) {
    return -1;
  }
  if (lo >= 0 && n < lo) {
    return bad_config(c, p, "must have at least %lld items", lo);
  }
  if (hi >= 0 && n > hi) {
    return bad_config(c, p, "must have at most %lld items", hi);
  }
  const json_t *items = json_object_get(schema, "items");
  if (!items) {
    return 0;
  }
  if (!json_is_object(items)) {
    return bad_schema(c, p, "items is not a schema (lists of schemas are not checked)");
  }
  size_t i;
  const json_t *e;
  json_array_foreach(v, i, e) {
    path ip;
    path_index(&ip, p, i);
    if (check(c, items, e, &ip, depth + 1) != 0) {
      return -1;
    }
  }
  return 0;
}

/* The names of an object schema's properties, for a message: "fast, slow, size". */
static void names_of(const json_t *props, char *out, size_t len) {
  out[0] = '\0';
  const char *key;
  const json_t *sub;
  size_t used = 0;
  json_object_foreach((json_t *)props, key, sub) {
    (void)sub;
    int w = snprintf(out + used, len - used, "%s%s", used ? ", " : "", key);
    if (w < 0 || (size_t)w >= len - used) {
      break;
    }
    used += (size_t)w;
  }
}

static int check_object(ctx *c, const json_t *schema, const json_t *v, const path *p, int depth) {
  if (!json_is_object(v)) {
    return 0;
  }
  const json_t *props = json_object_get(schema, "properties");
  const json_t *extra = json_object_get(schema, "additionalProperties");
  const json_t *req = json_object_get(schema, "required");
  if (props && !json_is_object(props)) {
    return bad_schema(c, p, "properties is not an object");
  }
  if (extra && !json_is_boolean(extra) && !json_is_object(extra)) {
    return bad_schema(c, p, "additionalProperties is neither a boolean nor a schema");
  }
  if (req) {
    if (!json_is_array(req)) {
      return bad_schema(c, p, "required is not a list");
    }
    size_t i;
    const json_t *k;
    json_array_foreach(req, i, k) {
      if (!json_is_string(k)) {
        return bad_schema(c, p, "required holds something that is not a name");
      }
      if (!json_object_get(v, json_string_value(k))) {
        path kp;
        path_key(&kp, p, json_string_value(k));
        return bad_config(c, &kp, "is required");
      }
    }
  }
  /* argo's rule (jschema.h): properties named and additionalProperties unsaid is closed. */
  int closed = json_is_false(extra) || (!extra && props);
  const char *key;
  const json_t *val;
  json_object_foreach((json_t *)v, key, val) {
    path kp;
    path_key(&kp, p, key);
    const json_t *sub = props ? json_object_get(props, key) : NULL;
    if (!sub && json_is_object(extra)) {
      sub = extra;
    }
    if (!sub) {
      if (closed) {
        char names[200];
        names_of(props, names, sizeof names);
        if (names[0]) {
          return bad_config(c, &kp, "is not a key of this strategy's configuration (its keys: %s)",
                            names);
        }
        return bad_config(c, &kp, "is not a key of this strategy's configuration (it takes none)");
      }
      continue;
    }
    if (!json_is_object(sub) && !json_is_boolean(sub)) {
      return bad_schema(c, &kp, "the property's schema is not an object");
    }
    if (check(c, sub, val, &kp, depth + 1) != 0) {
      return -1;
    }
  }
  return 0;
}

/* Keywords of JSON Schema that would constrain a value but that this validator does not check.
 * A schema that uses one is refused (the plugin's fault) rather than half-checked, so that a
 * configuration is never taken as valid against a rule nobody applied. */
static const char *const UNCHECKED[] = {
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "pattern",
    "patternProperties",
    "propertyNames",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
    "unevaluatedItems",
    "minProperties",
    "maxProperties",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "prefixItems",
    "additionalItems",
    "multipleOf",
};

static int check_keywords(ctx *c, const json_t *schema, const path *p) {
  for (size_t i = 0; i < ARGO_ARRAY_LEN(UNCHECKED); i++) {
    if (json_object_get(schema, UNCHECKED[i])) {
      return bad_schema(c, p,
                        "it uses '%s', which argo does not check (docs/strategies.md lists the "
                        "keywords it does)",
                        UNCHECKED[i]);
    }
  }
  return 0;
}

/* A schema's own default must pass the schema: a strategy whose defaults break its schema is
 * the plugin's fault, found when it is loaded rather than when someone sets the key. */
static int check_default(ctx *c, const json_t *schema, const path *p, int depth) {
  const json_t *d = json_object_get(schema, "default");
  if (!d) {
    return 0;
  }
  char why[384];
  ctx dc = {why, sizeof why, ARGO_OK};
  if (check(&dc, schema, d, p, depth) == 0) {
    return 0;
  }
  if (dc.rc == ARGO_EPLUGIN) {
    argo__fmt(c->err, c->errlen, "%s", why);
    c->rc = ARGO_EPLUGIN;
    return -1;
  }
  return bad_schema(c, p, "its default breaks it: %s", why);
}

/* The keywords and every default of the schema, walking properties, additionalProperties and items,
 * whether or not the configuration sets the key. */
static int check_defaults(ctx *c, const json_t *schema, const path *p, int depth) {
  if (!json_is_object(schema) || depth > DEPTH_MAX) {
    return 0;
  }
  if (check_keywords(c, schema, p) != 0 || check_default(c, schema, p, depth) != 0) {
    return -1;
  }
  const json_t *props = json_object_get(schema, "properties");
  if (json_is_object(props)) {
    const char *key;
    const json_t *sub;
    json_object_foreach((json_t *)props, key, sub) {
      path kp;
      path_key(&kp, p, key);
      if (check_defaults(c, sub, &kp, depth + 1) != 0) {
        return -1;
      }
    }
  }
  const json_t *extra = json_object_get(schema, "additionalProperties");
  if (json_is_object(extra) && check_defaults(c, extra, p, depth + 1) != 0) {
    return -1;
  }
  const json_t *items = json_object_get(schema, "items");
  if (json_is_object(items)) {
    path ip;
    argo__fmt(ip.s, sizeof ip.s, "%s[]", p->s);
    if (check_defaults(c, items, &ip, depth + 1) != 0) {
      return -1;
    }
  }
  return 0;
}

static int check(ctx *c, const json_t *schema, const json_t *v, const path *p, int depth) {
  if (json_is_true(schema)) {
    return 0;
  }
  if (json_is_false(schema)) {
    return bad_config(c, p, "is not allowed");
  }
  if (!json_is_object(schema)) {
    return bad_schema(c, p, "a schema must be an object or a boolean");
  }
  if (depth > DEPTH_MAX) {
    return bad_config(c, p, "is nested deeper than %d levels", DEPTH_MAX);
  }
  if (check_keywords(c, schema, p) || check_type(c, schema, v, p) || check_enum(c, schema, v, p) ||
      check_number(c, schema, v, p) || check_string(c, schema, v, p) ||
      check_array(c, schema, v, p, depth) || check_object(c, schema, v, p, depth)) {
    return -1;
  }
  return 0;
}

argo_err argo__jschema_check(const char *schema, const char *config, char *err, size_t errlen) {
  if (!schema || !*schema) {
    return ARGO_OK;
  }
  ctx c = {err, errlen, ARGO_OK};
  path root = {""};
  json_error_t je;
  json_t *s = json_loads(schema, JSON_DECODE_ANY, &je);
  if (!s) {
    bad_schema(&c, &root, "not JSON: %s (line %d)", je.text, je.line);
    return c.rc;
  }
  json_t *v = json_loads(config ? config : "{}", JSON_DECODE_ANY, &je);
  if (!v) {
    argo__fmt(err, errlen, "the configuration is not JSON: %s (line %d)", je.text, je.line);
    json_decref(s);
    return ARGO_ECONFIG;
  }
  if (check_defaults(&c, s, &root, 0) == 0) {
    check(&c, s, v, &root, 0);
  }
  json_decref(v);
  json_decref(s);
  return c.rc;
}
