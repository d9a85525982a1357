/*
 * Reading the configuration's YAML (see yaml.h): the document of a text, line-numbered
 * messages, scalars with environment expansion, and the conversion of a node to JSON. It owns
 * the libyaml parser and document of one reading and releases them in argo__yaml_close.
 *
 * It must not depend on config.c or the key table: what a key means, and which keys exist, is
 * config.c's business. Depends on libyaml, jansson and the util helpers only.
 */
#include "config/yaml.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* strategy.config converted from YAML: limits that keep an alias bomb ("a: &a [*b, *b, ...]")
 * from expanding into gigabytes of JSON, far above any real strategy configuration. */
#define JSON_MAX_DEPTH 64
#define JSON_MAX_VALUES 100000

/* ---- messages ---------------------------------------------------------------------------- */

/* "name:line: key: what" (or without the key). */
argo_err argo__yaml_err(argo__yaml *y, argo_err rc, size_t line, const char *key, const char *fmt,
                        ...) {
  char what[ARGO_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (!y->name) {
    /* YAML text given as the value of y->root, whose caller names it: the line within the
     * text, and the path below the root if the problem is deeper down. */
    size_t n = strlen(y->root);
    const char *rel = key && strncmp(key, y->root, n) == 0 ? key + n : key ? key : "";
    rel += *rel == '.';
    if (*rel) {
      snprintf(y->err, y->errlen, "line %zu: %s: %s", line, rel, what);
    } else {
      snprintf(y->err, y->errlen, "line %zu: %s", line, what);
    }
  } else if (key) {
    snprintf(y->err, y->errlen, "%s:%zu: %s: %s", y->name, line, key, what);
  } else {
    snprintf(y->err, y->errlen, "%s:%zu: %s", y->name, line, what);
  }
  argo__one_line(y->err);
  return rc;
}

size_t argo__yaml_line(const yaml_node_t *n) {
  return n->start_mark.line + 1;
}

const char *argo__yaml_kind(const yaml_node_t *n) {
  return n->type == YAML_MAPPING_NODE    ? "a mapping"
         : n->type == YAML_SEQUENCE_NODE ? "a sequence"
                                         : "a value";
}

/* The parser's error, at its line. */
static argo_err syntax_error(argo__yaml *y) {
  const yaml_parser_t *p = &y->parser;
  if (p->error == YAML_MEMORY_ERROR) {
    argo__one_line(argo__fmt(y->err, y->errlen, "%s: out of memory parsing YAML", y->name));
    return ARGO_ENOMEM;
  }
  size_t line = p->problem_mark.line + 1;
  if (p->error == YAML_READER_ERROR) {
    /* The reader (bad encoding) reports a byte offset, not a mark. */
    line = 1;
    for (size_t i = 0; i < p->problem_offset && i < y->len; i++) {
      line += y->text[i] == '\n';
    }
  }
  const char *problem = p->problem ? p->problem : "unknown error";
  if (p->context) {
    return argo__yaml_err(y, ARGO_ECONFIG, line, NULL, "YAML syntax error: %s (%s at line %zu)",
                          problem, p->context, p->context_mark.line + 1);
  }
  return argo__yaml_err(y, ARGO_ECONFIG, line, NULL, "YAML syntax error: %s", problem);
}

/* ---- the document ------------------------------------------------------------------------ */

/* Sets up the parser on text and reads the first document: 0, -1 when the parser cannot be
 * set up (out of memory), 1 when the text is not YAML (the parser says why). */
static int start(argo__yaml *y, const char *text, size_t len) {
  y->text = text;
  y->len = len;
  if (!yaml_parser_initialize(&y->parser)) {
    return -1;
  }
  y->have_parser = 1;
  yaml_parser_set_input_string(&y->parser, (const unsigned char *)text, len);
  if (!yaml_parser_load(&y->parser, &y->doc)) {
    return 1;
  }
  y->have_doc = 1;
  return 0;
}

argo_err argo__yaml_open(argo__yaml *y, const char *text, size_t len, const char *name, char *err,
                         size_t errlen) {
  memset(y, 0, sizeof *y);
  y->name = name;
  y->err = err;
  y->errlen = errlen;
  int r = start(y, text, len);
  if (r < 0) {
    argo__one_line(argo__fmt(err, errlen, "%s: out of memory", name));
    return ARGO_ENOMEM;
  }
  return r ? syntax_error(y) : ARGO_OK;
}

argo_err argo__yaml_only_one(argo__yaml *y) {
  yaml_document_t extra;
  if (!yaml_parser_load(&y->parser, &extra)) {
    return syntax_error(y);
  }
  yaml_node_t *more = yaml_document_get_root_node(&extra);
  size_t more_line = more ? argo__yaml_line(more) : 0;
  yaml_document_delete(&extra);
  if (more) {
    return argo__yaml_err(y, ARGO_ECONFIG, more_line, NULL,
                          "only one YAML document is allowed in a configuration file");
  }
  return ARGO_OK;
}

void argo__yaml_close(argo__yaml *y) {
  if (y->have_doc) {
    yaml_document_delete(&y->doc);
    y->have_doc = 0;
  }
  if (y->have_parser) {
    yaml_parser_delete(&y->parser);
    y->have_parser = 0;
  }
}

yaml_node_t *argo__yaml_root(argo__yaml *y) {
  return yaml_document_get_root_node(&y->doc);
}

yaml_node_t *argo__yaml_node(argo__yaml *y, int index) {
  return yaml_document_get_node(&y->doc, index);
}

/* ---- scalars ----------------------------------------------------------------------------- */

int argo__yaml_is_null(const yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
    return 0;
  }
  const char *v = (const char *)n->data.scalar.value;
  return n->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
         strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* Appends in (the value of key at line) to out with ${VAR} and ${VAR:-default} replaced from
 * the environment and "$$" turned into "$". A "$" followed by anything else is kept, so that
 * prices such as "$5" need no escaping. Values taken from the environment are not expanded
 * again. */
static argo_err expand_env(argo__yaml *y, size_t line, const char *key, const char *in,
                           argo__sb *out) {
  const char *p = in;
  while (*p) {
    if (p[0] == '$' && p[1] == '$') {
      argo__sb_putc(out, '$');
      p += 2;
      continue;
    }
    if (p[0] != '$' || p[1] != '{') {
      argo__sb_putc(out, *p++);
      continue;
    }
    const char *name = p + 2, *q = name;
    while (isalnum((unsigned char)*q) || *q == '_') {
      q++;
    }
    const char *dflt = NULL, *close;
    if (q[0] == ':' && q[1] == '-') {
      dflt = q + 2;
      close = strchr(dflt, '}');
    } else {
      close = *q == '}' ? q : NULL;
    }
    if (!close) {
      return argo__yaml_err(
          y, ARGO_ECONFIG, line, key,
          "unterminated or malformed '${' in '%s' (use ${VAR} or ${VAR:-default})", in);
    }
    char var[128];
    size_t n = (size_t)(q - name);
    if (n == 0 || n >= sizeof var || isdigit((unsigned char)*name)) {
      return argo__yaml_err(y, ARGO_ECONFIG, line, key, "invalid environment variable name in '%s'",
                            in);
    }
    memcpy(var, name, n);
    var[n] = '\0';
    const char *v = getenv(var);
    if (dflt) {
      /* Like the shell's ":-": the default also replaces a variable set to "". */
      if (v && *v) {
        argo__sb_puts(out, v);
      } else {
        argo__sb_add(out, dflt, (size_t)(close - dflt));
      }
    } else if (v) {
      argo__sb_puts(out, v);
    } else {
      return argo__yaml_err(y, ARGO_ECONFIG, line, key, "environment variable '%s' is not set",
                            var);
    }
    p = close + 1;
  }
  if (argo__sb_failed(out)) {
    return argo__yaml_err(y, ARGO_ENOMEM, line, key, "out of memory");
  }
  return ARGO_OK;
}

argo_err argo__yaml_scalar(argo__yaml *y, const yaml_node_t *n, const char *key, argo__sb *out) {
  if (n->type != YAML_SCALAR_NODE) {
    return argo__yaml_err(y, ARGO_ECONFIG, argo__yaml_line(n), key,
                          "expected a single value, got %s", argo__yaml_kind(n));
  }
  if (memchr(n->data.scalar.value, '\0', n->data.scalar.length)) {
    return argo__yaml_err(y, ARGO_ECONFIG, argo__yaml_line(n), key,
                          "value contains a NUL character");
  }
  if (argo__yaml_is_null(n) || y->literal) {
    argo__sb_puts(out, argo__yaml_is_null(n) ? "" : (const char *)n->data.scalar.value);
    return argo__sb_failed(out)
               ? argo__yaml_err(y, ARGO_ENOMEM, argo__yaml_line(n), key, "out of memory")
               : ARGO_OK;
  }
  return expand_env(y, argo__yaml_line(n), key, (const char *)n->data.scalar.value, out);
}

/* ---- JSON -------------------------------------------------------------------------------- */

/* A plain (unquoted) YAML scalar as JSON: integers, decimals, true/false and null keep their
 * type; anything else, and every quoted scalar, is a string. */
static json_t *typed_scalar(const char *t) {
  if (strcmp(t, "true") == 0 || strcmp(t, "True") == 0 || strcmp(t, "TRUE") == 0) {
    return json_true();
  }
  if (strcmp(t, "false") == 0 || strcmp(t, "False") == 0 || strcmp(t, "FALSE") == 0) {
    return json_false();
  }
  if (strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
      strcmp(t, "NULL") == 0) {
    return json_null();
  }
  int64_t i;
  if (argo__parse_i64(t, &i) == 0) {
    return json_integer((json_int_t)i);
  }
  double d;
  if (argo__parse_double(t, &d) == 0) {
    return json_real(d); /* also an integer too large for 64 bits */
  }
  return json_string(t);
}

static argo_err to_json(argo__yaml *y, yaml_node_t *n, const char *path, int depth, json_t **out);

static argo_err json_put(argo__yaml *y, const yaml_node_t *n, const char *path, json_t *parent,
                         const char *key, json_t *child) {
  int r = key ? json_object_set_new(parent, key, child) : json_array_append_new(parent, child);
  return r == 0 ? ARGO_OK
                : argo__yaml_err(y, ARGO_ENOMEM, argo__yaml_line(n), path, "out of memory");
}

static argo_err to_json(argo__yaml *y, yaml_node_t *n, const char *path, int depth, json_t **out) {
  argo_err rc = ARGO_OK;
  char child[256];
  json_t *v = NULL;
  *out = NULL;
  if (depth > JSON_MAX_DEPTH || y->budget == 0) {
    return argo__yaml_err(y, ARGO_ECONFIG, argo__yaml_line(n), path,
                          "too deeply nested or too large (at most %d levels and %d values)",
                          JSON_MAX_DEPTH, JSON_MAX_VALUES);
  }
  y->budget--;
  switch (n->type) {
  case YAML_SCALAR_NODE: {
    argo__sb sb;
    argo__sb_init(&sb);
    if (argo__yaml_is_null(n)) {
      v = json_null();
    } else if ((rc = argo__yaml_scalar(y, n, path, &sb)) == ARGO_OK) {
      v = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? typed_scalar(argo__sb_str(&sb))
                                                          : json_string(argo__sb_str(&sb));
      if (!v) {
        /* libyaml only yields UTF-8, but an environment variable may hold anything. */
        rc = argo__yaml_err(y, ARGO_ECONFIG, argo__yaml_line(n), path,
                            "value is not valid UTF-8 text");
      }
    }
    argo__sb_free(&sb);
    break;
  }
  case YAML_SEQUENCE_NODE: {
    v = json_array();
    if (!v) {
      rc = argo__yaml_err(y, ARGO_ENOMEM, argo__yaml_line(n), path, "out of memory");
      break;
    }
    size_t i = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         !rc && it < n->data.sequence.items.top; it++, i++) {
      json_t *c;
      snprintf(child, sizeof child, "%s[%zu]", path, i);
      rc = to_json(y, argo__yaml_node(y, *it), child, depth + 1, &c);
      if (!rc) {
        rc = json_put(y, n, path, v, NULL, c);
      }
    }
    break;
  }
  case YAML_MAPPING_NODE: {
    v = json_object();
    if (!v) {
      rc = argo__yaml_err(y, ARGO_ENOMEM, argo__yaml_line(n), path, "out of memory");
      break;
    }
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; !rc && pr < n->data.mapping.pairs.top;
         pr++) {
      yaml_node_t *kn = argo__yaml_node(y, pr->key);
      yaml_node_t *vn = argo__yaml_node(y, pr->value);
      if (kn->type != YAML_SCALAR_NODE ||
          memchr(kn->data.scalar.value, '\0', kn->data.scalar.length)) {
        rc = argo__yaml_err(y, ARGO_ECONFIG, argo__yaml_line(kn), path,
                            "expected a key name, got %s", argo__yaml_kind(kn));
        break;
      }
      const char *key = (const char *)kn->data.scalar.value;
      snprintf(child, sizeof child, "%s.%s", path, key);
      if (json_object_get(v, key)) {
        rc = argo__yaml_err(y, ARGO_ECONFIG, argo__yaml_line(kn), path, "duplicate key '%s'", key);
        break;
      }
      json_t *c;
      rc = to_json(y, vn, child, depth + 1, &c);
      if (!rc) {
        rc = json_put(y, kn, child, v, key, c);
      }
    }
    break;
  }
  default:
    rc = argo__yaml_err(y, ARGO_ECONFIG, argo__yaml_line(n), path, "empty YAML node");
    break;
  }
  if (rc) {
    json_decref(v);
    return rc;
  }
  *out = v;
  return ARGO_OK;
}

argo_err argo__yaml_to_json(argo__yaml *y, yaml_node_t *n, const char *path, json_t **out) {
  y->budget = JSON_MAX_VALUES;
  return to_json(y, n, path, 0, out);
}

argo_err argo__yaml_mapping_json(const char *text, const char *root, json_t **out, char *why,
                                 size_t len) {
  argo__yaml y;
  memset(&y, 0, sizeof y);
  y.err = why;
  y.errlen = len;
  y.literal = 1;
  y.root = root;
  *out = NULL;
  argo_err rc = ARGO_ENOTFOUND;
  int r = start(&y, text, strlen(text));
  if (r < 0) {
    argo__fmt(why, len, "out of memory");
    rc = ARGO_ENOMEM;
  } else if (r == 0) {
    yaml_node_t *top = argo__yaml_root(&y);
    if (top && top->type == YAML_MAPPING_NODE) {
      rc = argo__yaml_to_json(&y, top, root, out);
    }
  }
  argo__yaml_close(&y);
  return rc;
}
