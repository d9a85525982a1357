/*
 * Fuzz target: stats.yaml read back (stats_yaml.c), as warm restarts, --resume-account,
 * recovery and the inspect commands read it. A text argo__stats_yaml_parse accepts is rendered
 * again with argo__stats_yaml_render, and that rendering must parse: argo must always be able to
 * read what it writes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/stats_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* The file is read whole and parsed as a C string (a NUL ends it, as in the callers). */
  char *text = malloc(size + 1);
  if (!text) {
    return 0;
  }
  memcpy(text, data, size);
  text[size] = '\0';
  argo__stats_doc doc;
  char err[512];
  if (argo__stats_yaml_parse(text, &doc, err, sizeof err) == ARGO_OK) {
    argo__sb out;
    argo__sb_init(&out);
    if (argo__stats_yaml_render(&doc, &out) == ARGO_OK && !argo__sb_failed(&out)) {
      argo__stats_doc again;
      if (argo__stats_yaml_parse(argo__sb_str(&out), &again, err, sizeof err) != ARGO_OK) {
        fprintf(stderr, "fuzz_stats_yaml: argo cannot read back what it rendered: %s\n%s\n", err,
                argo__sb_str(&out));
        abort();
      }
      argo__stats_doc_free(&again);
    }
    argo__sb_free(&out);
    argo__stats_doc_free(&doc);
  }
  free(text);
  return 0;
}
