/* Growable string buffer; see strbuf.h. */
#include "util/strbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void argo__sb_init(argo__sb *sb) {
  memset(sb, 0, sizeof *sb);
}

void argo__sb_free(argo__sb *sb) {
  free(sb->buf);
  argo__sb_init(sb);
}

void argo__sb_reset(argo__sb *sb) {
  sb->len = 0;
  sb->failed = 0;
  if (sb->buf) {
    sb->buf[0] = '\0';
  }
}

static int reserve(argo__sb *sb, size_t extra) {
  if (sb->failed) {
    return -1;
  }
  if (sb->len + extra + 1 <= sb->cap) {
    return 0;
  }
  size_t ncap = sb->cap ? sb->cap : 64;
  while (ncap < sb->len + extra + 1) {
    ncap *= 2;
  }
  char *p = realloc(sb->buf, ncap);
  if (!p) {
    sb->failed = 1;
    return -1;
  }
  sb->buf = p;
  sb->cap = ncap;
  return 0;
}

void argo__sb_add(argo__sb *sb, const char *data, size_t n) {
  if (reserve(sb, n) != 0) {
    return;
  }
  if (n) {
    memcpy(sb->buf + sb->len, data, n);
  }
  sb->len += n;
  sb->buf[sb->len] = '\0';
}

void argo__sb_puts(argo__sb *sb, const char *s) {
  argo__sb_add(sb, s, strlen(s));
}

void argo__sb_putc(argo__sb *sb, char c) {
  argo__sb_add(sb, &c, 1);
}

void argo__sb_printf(argo__sb *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    sb->failed = 1;
    return;
  }
  if ((size_t)n < sizeof small) {
    argo__sb_add(sb, small, (size_t)n);
    return;
  }
  if (reserve(sb, (size_t)n) != 0) {
    return;
  }
  va_start(ap, fmt);
  vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb->len += (size_t)n;
}

void argo__sb_json_str(argo__sb *sb, const char *s) {
  argo__sb_putc(sb, '"');
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
    case '"':
      argo__sb_add(sb, "\\\"", 2);
      break;
    case '\\':
      argo__sb_add(sb, "\\\\", 2);
      break;
    case '\n':
      argo__sb_add(sb, "\\n", 2);
      break;
    case '\r':
      argo__sb_add(sb, "\\r", 2);
      break;
    case '\t':
      argo__sb_add(sb, "\\t", 2);
      break;
    default:
      if (*p < 0x20) {
        argo__sb_printf(sb, "\\u%04x", *p);
      } else {
        argo__sb_putc(sb, (char)*p);
      }
    }
  }
  argo__sb_putc(sb, '"');
}

void argo__sb_json_num(argo__sb *sb, double v) {
  if (!isfinite(v)) {
    argo__sb_puts(sb, "null");
    return;
  }
  char buf[40];
  /* %.17g round-trips; try the shorter %.15g first so that 0.1 prints as 0.1. */
  snprintf(buf, sizeof buf, "%.15g", v);
  if (strtod(buf, NULL) != v) {
    snprintf(buf, sizeof buf, "%.17g", v);
  }
  argo__sb_puts(sb, buf);
}

int argo__sb_failed(const argo__sb *sb) {
  return sb->failed;
}

const char *argo__sb_str(const argo__sb *sb) {
  return (sb->buf && !sb->failed) ? sb->buf : "";
}
