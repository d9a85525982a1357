/* A growable, always NUL-terminated byte buffer. Allocation failure is sticky: once a call
 * fails, every later call is a no-op and argo__sb_failed() reports it, so callers check once. */
#ifndef ARGO_STRBUF_H
#define ARGO_STRBUF_H

#include <stddef.h>

#include "util/util.h"

typedef struct argo__sb {
  char *buf;
  size_t len, cap;
  int failed;
} argo__sb;

void argo__sb_init(argo__sb *sb);
void argo__sb_free(argo__sb *sb);
void argo__sb_reset(argo__sb *sb);
void argo__sb_add(argo__sb *sb, const char *data, size_t n);
void argo__sb_puts(argo__sb *sb, const char *s);
void argo__sb_putc(argo__sb *sb, char c);
void argo__sb_printf(argo__sb *sb, const char *fmt, ...) ARGO_PRINTF(2, 3);
/* Appends s as a JSON string literal, quotes included. */
void argo__sb_json_str(argo__sb *sb, const char *s);
/* Appends a double as JSON (non-finite values become null), shortest round-trip form. */
void argo__sb_json_num(argo__sb *sb, double v);
int argo__sb_failed(const argo__sb *sb);
/* "" when empty or failed. */
const char *argo__sb_str(const argo__sb *sb);

#endif
