/*
 * A strategy's configuration checked against its config_schema (jschema.c). Debian packages no
 * JSON Schema validator for C, so this is a small one (jansson) for the part of JSON Schema that
 * strategy configurations use, documented in docs/strategies.md:
 *   type (object, integer, number, string, boolean, array, null, or a list of them), properties,
 *   required, additionalProperties (false, true or a schema), minimum, maximum,
 *   exclusiveMinimum, exclusiveMaximum (numbers; draft 4's booleans too), enum, const,
 *   minLength, maxLength, items, minItems, maxItems.
 * Annotations (default, description, title, examples, $schema, $id) are read as such; any
 * other keyword is not checked. One rule is argo's, not JSON Schema's: an object schema that
 * names its properties and says nothing of additionalProperties is closed, so that a misspelt
 * key ({"fastt": 5}) is refused rather than ignored; a schema that wants other keys says
 * "additionalProperties": true.
 * Depends on jansson and util only.
 */
#ifndef ARGO_JSCHEMA_H
#define ARGO_JSCHEMA_H

#include <stddef.h>

#include <argo/argo.h>

#include "util/util.h"

/* Checks config (JSON text) against schema (JSON Schema text; NULL or "" accepts anything).
 * ARGO_OK; ARGO_ECONFIG when config breaks the schema (err names the key: "'fast' must be an
 * integer, not a string"); ARGO_EPLUGIN when the schema itself is not usable JSON Schema. */
ARGO_NODISCARD argo_err argo__jschema_check(const char *schema, const char *config, char *err,
                                            size_t errlen);

#endif
