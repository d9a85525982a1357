/*
 * Reading the configuration's YAML: one libyaml document of a text, messages that point at a
 * node's line ("name:line: key: what"), the text of a scalar with ${VAR} and ${VAR:-default}
 * expanded from the environment, and a node converted to JSON (strategy.config) within limits
 * that stop an alias bomb. It owns the parser and the document of one reading (argo__yaml).
 *
 * It knows no configuration key: config.c walks the document and gives each key its meaning.
 * Depends on libyaml, jansson and the util helpers; on no other argo module.
 */
#ifndef ARGO_CONFIG_YAML_H
#define ARGO_CONFIG_YAML_H

#include <stddef.h>

#include <jansson.h>
#include <yaml.h>

#include <argo/argo.h>

#include "util/strbuf.h"
#include "util/util.h"

/* One reading of a YAML text. */
typedef struct argo__yaml {
  yaml_parser_t parser;
  yaml_document_t doc;
  int have_parser, have_doc;
  const char *text; /* the text read (borrowed), for the line of a reader error */
  size_t len;
  const char *name; /* file name for messages; NULL: the text is the value of root */
  const char *root; /* without a file name: the key whose value is being read */
  char *err;        /* where messages go */
  size_t errlen;
  size_t budget; /* values the current conversion to JSON may still produce */
  int literal;   /* no environment expansion (text from argo_config_set) */
} argo__yaml;

/* Reads the first document of text (len bytes, borrowed until argo__yaml_close), a file called
 * name for messages, which go to err. ARGO_OK, ARGO_ECONFIG (a YAML syntax error) or
 * ARGO_ENOMEM, with err set; the caller calls argo__yaml_close in every case. */
ARGO_NODISCARD argo_err argo__yaml_open(argo__yaml *y, const char *text, size_t len,
                                        const char *name, char *err, size_t errlen);
/* ARGO_ECONFIG (err set) when the text holds a second document, which a one-document reading
 * would silently ignore. */
ARGO_NODISCARD argo_err argo__yaml_only_one(argo__yaml *y);
void argo__yaml_close(argo__yaml *y);

/* The root node of the document, and the node of an index found in a sequence or a mapping. */
yaml_node_t *argo__yaml_root(argo__yaml *y);
yaml_node_t *argo__yaml_node(argo__yaml *y, int index);

/* A message about key (may be NULL) at line into y->err, on one line; returns rc. */
ARGO_NODISCARD argo_err argo__yaml_err(argo__yaml *y, argo_err rc, size_t line, const char *key,
                                       const char *fmt, ...) ARGO_PRINTF(5, 6);
/* The line of a node (1-based), and what kind of node it is for a message ("a mapping"). */
size_t argo__yaml_line(const yaml_node_t *n);
const char *argo__yaml_kind(const yaml_node_t *n);
/* 1 for an empty value, "~" or "null" written without quotes. */
int argo__yaml_is_null(const yaml_node_t *n);

/* Appends the text of the scalar n, environment expanded, to out; a null scalar is "". Any
 * other node is an error about key. */
ARGO_NODISCARD argo_err argo__yaml_scalar(argo__yaml *y, const yaml_node_t *n, const char *key,
                                          argo__sb *out);
/* Converts n (the value of path, named in messages) into a new JSON value: plain scalars keep
 * their type (integers, decimals, true/false, null), quoted ones are strings. At most 64 levels
 * and 100000 values. */
ARGO_NODISCARD argo_err argo__yaml_to_json(argo__yaml *y, yaml_node_t *n, const char *path,
                                           json_t **out);

/* Reads text as a YAML mapping, converted like argo__yaml_to_json but without environment
 * expansion (the text is the value of the key root, given to argo_config_set), into a new JSON
 * object. ARGO_ENOTFOUND, with nothing written to why, when text is not a YAML mapping at all. */
ARGO_NODISCARD argo_err argo__yaml_mapping_json(const char *text, const char *root, json_t **out,
                                                char *why, size_t len);

#endif
