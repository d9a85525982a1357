/*
 * A strategy's configuration checked against its config_schema (jschema.c). Debian packages no
 * JSON Schema validator for C, so this is a small one (jansson) for the part of JSON Schema that
 * strategy configurations use, documented in docs/strategies.md:
 *   type (object, integer, number, string, boolean, array, null, or a list of them), properties,
 *   required, additionalProperties (false, true or a schema), minimum, maximum,
 *   exclusiveMinimum, exclusiveMaximum (numbers; draft 4's booleans too), enum, const,
 *   minLength, maxLength, items, minItems, maxItems.
 * default is an annotation but is checked too: every default must pass its own schema, or
 * the schema is refused as the plugin's fault. Other annotations (description, title,
 * examples, format, $schema, $id, readOnly ...) are read as such. A keyword that would
 * constrain a value but is not checked here ($ref, allOf, anyOf, oneOf, not, if, pattern,
 * patternProperties, multipleOf, uniqueItems ...) makes the schema refused rather than
 * half-checked; keywords JSON Schema does not know are ignored, as it says. One rule is argo's,
 * not JSON Schema's: an object schema that names its properties and says nothing of
 * additionalProperties is closed, so that a misspelt key ({"fastt": 5}) is refused rather than
 * ignored; a schema that wants other keys says "additionalProperties": true.
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
