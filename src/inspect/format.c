/*
 * The output formats of argo_query_run (argo_query_format in argo.h): a DuckDB result written as
 * an aligned table (one line per row, cells of at most TABLE_CELL_MAX characters, numbers
 * right-aligned, then "(N rows)"), as CSV (RFC 4180 quoting, NULL as an empty field) or as a
 * JSON array of objects (numbers as numbers, times as UTC text, nested values as given by
 * to_json). Output goes to the caller's writer in pieces of about WRITE_CHUNK bytes, and stops
 * at the first piece the writer refuses.
 *
 * It owns nothing beyond one call. It must not depend on how the result was made (the views,
 * the script: query.c); DuckDB's result API and the util helpers only.
 */
#include "inspect/format.h"

#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/util.h"

/* Widest cell of the table format, in characters; longer text is cut and ends in "...". */
#define TABLE_CELL_MAX 80
/* Output is handed to the writer in pieces of about this size. */
#define WRITE_CHUNK 65536

typedef struct out {
  argo__sb sb;
  argo_write_fn fn;
  void *user;
  int stopped;
} out;

static void out_flush(out *o) {
  if (o->sb.len && !o->stopped && !argo__sb_failed(&o->sb)) {
    if (o->fn(o->sb.buf, o->sb.len, o->user) != 0) {
      o->stopped = 1;
    }
  }
  argo__sb_reset(&o->sb);
}

static void out_maybe_flush(out *o) {
  if (o->sb.len >= WRITE_CHUNK) {
    out_flush(o);
  }
}

static int is_numeric(duckdb_type t) {
  switch (t) {
  case DUCKDB_TYPE_TINYINT:
  case DUCKDB_TYPE_SMALLINT:
  case DUCKDB_TYPE_INTEGER:
  case DUCKDB_TYPE_BIGINT:
  case DUCKDB_TYPE_UTINYINT:
  case DUCKDB_TYPE_USMALLINT:
  case DUCKDB_TYPE_UINTEGER:
  case DUCKDB_TYPE_UBIGINT:
  case DUCKDB_TYPE_HUGEINT:
  case DUCKDB_TYPE_UHUGEINT:
  case DUCKDB_TYPE_FLOAT:
  case DUCKDB_TYPE_DOUBLE:
  case DUCKDB_TYPE_DECIMAL:
    return 1;
  default:
    return 0;
  }
}

/* Characters (UTF-8 code points) in s. */
static size_t u8len(const char *s) {
  size_t n = 0;
  for (; *s; s++) {
    n += ((unsigned char)*s & 0xC0) != 0x80;
  }
  return n;
}

/* Byte length of the first max characters of s. */
static size_t u8prefix(const char *s, size_t max) {
  size_t chars = 0, i = 0;
  for (; s[i]; i++) {
    if (((unsigned char)s[i] & 0xC0) != 0x80) {
      if (chars == max) {
        break;
      }
      chars++;
    }
  }
  return i;
}

/* A cell of the table format: one line, at most TABLE_CELL_MAX characters. */
static char *table_cell(duckdb_result *r, idx_t c, idx_t row) {
  if (duckdb_value_is_null(r, c, row)) {
    return argo__strdup("NULL");
  }
  char *v = duckdb_value_varchar(r, c, row);
  char *cell = argo__strdup(v ? v : "");
  duckdb_free(v);
  if (!cell) {
    return NULL;
  }
  for (char *p = cell; *p; p++) {
    if (*p == '\n' || *p == '\r' || *p == '\t') {
      *p = ' ';
    }
  }
  if (u8len(cell) > TABLE_CELL_MAX) {
    size_t cut = u8prefix(cell, TABLE_CELL_MAX - 3);
    memcpy(cell + cut, "...", 4);
  }
  return cell;
}

static void pad(out *o, size_t n) {
  for (size_t i = 0; i < n; i++) {
    argo__sb_putc(&o->sb, ' ');
  }
}

static void table_row(out *o, char **cells, const size_t *width, const int *right, idx_t ncols) {
  for (idx_t c = 0; c < ncols; c++) {
    size_t w = u8len(cells[c]);
    size_t fill = width[c] > w ? width[c] - w : 0;
    if (c) {
      argo__sb_puts(&o->sb, "  ");
    }
    if (right[c]) {
      pad(o, fill);
    }
    argo__sb_puts(&o->sb, cells[c]);
    if (!right[c] && c + 1 < ncols) {
      pad(o, fill);
    }
  }
  argo__sb_putc(&o->sb, '\n');
}

static argo_err write_table(out *o, duckdb_result *r) {
  idx_t ncols = duckdb_column_count(r), nrows = duckdb_row_count(r);
  size_t *width = calloc(ncols ? ncols : 1, sizeof *width);
  int *right = calloc(ncols ? ncols : 1, sizeof *right);
  char **cells = calloc((nrows + 1) * (ncols ? ncols : 1), sizeof *cells);
  argo_err rc = ARGO_ENOMEM;
  if (!width || !right || !cells) {
    goto fail;
  }
  for (idx_t c = 0; c < ncols; c++) {
    if (!(cells[c] = argo__strdup(duckdb_column_name(r, c)))) {
      goto fail;
    }
    width[c] = u8len(cells[c]);
    right[c] = is_numeric(duckdb_column_type(r, c));
  }
  for (idx_t row = 0; row < nrows; row++) {
    for (idx_t c = 0; c < ncols; c++) {
      char *cell = table_cell(r, c, row);
      if (!cell) {
        goto fail;
      }
      cells[(row + 1) * ncols + c] = cell;
      size_t w = u8len(cell);
      if (w > width[c]) {
        width[c] = w;
      }
    }
  }
  if (ncols) {
    table_row(o, cells, width, right, ncols);
    for (idx_t c = 0; c < ncols; c++) {
      argo__sb_puts(&o->sb, c ? "  " : "");
      for (size_t i = 0; i < width[c]; i++) {
        argo__sb_putc(&o->sb, '-');
      }
    }
    argo__sb_putc(&o->sb, '\n');
    for (idx_t row = 0; row < nrows; row++) {
      table_row(o, cells + (row + 1) * ncols, width, right, ncols);
      out_maybe_flush(o);
    }
  }
  argo__sb_printf(&o->sb, "(%llu row%s)\n", (unsigned long long)nrows, nrows == 1 ? "" : "s");
  rc = ARGO_OK;
fail:
  if (cells) {
    for (idx_t i = 0; i < (nrows + 1) * ncols; i++) {
      free(cells[i]);
    }
  }
  free(cells);
  free(width);
  free(right);
  return rc;
}

static void csv_field(out *o, const char *s) {
  if (strpbrk(s, ",\"\n\r") == NULL && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
    argo__sb_puts(&o->sb, s);
    return;
  }
  argo__sb_putc(&o->sb, '"');
  for (; *s; s++) {
    if (*s == '"') {
      argo__sb_putc(&o->sb, '"');
    }
    argo__sb_putc(&o->sb, *s);
  }
  argo__sb_putc(&o->sb, '"');
}

static argo_err write_csv(out *o, duckdb_result *r) {
  idx_t ncols = duckdb_column_count(r), nrows = duckdb_row_count(r);
  if (!ncols) {
    return ARGO_OK;
  }
  for (idx_t c = 0; c < ncols; c++) {
    if (c) {
      argo__sb_putc(&o->sb, ',');
    }
    csv_field(o, duckdb_column_name(r, c));
  }
  argo__sb_putc(&o->sb, '\n');
  for (idx_t row = 0; row < nrows && !o->stopped; row++) {
    for (idx_t c = 0; c < ncols; c++) {
      if (c) {
        argo__sb_putc(&o->sb, ',');
      }
      if (duckdb_value_is_null(r, c, row)) {
        continue;
      }
      char *v = duckdb_value_varchar(r, c, row);
      csv_field(o, v ? v : "");
      duckdb_free(v);
    }
    argo__sb_putc(&o->sb, '\n');
    out_maybe_flush(o);
  }
  return ARGO_OK;
}

static void json_value(out *o, duckdb_result *r, idx_t c, idx_t row, duckdb_type t) {
  if (duckdb_value_is_null(r, c, row)) {
    argo__sb_puts(&o->sb, "null");
    return;
  }
  switch (t) {
  case DUCKDB_TYPE_BOOLEAN:
    argo__sb_puts(&o->sb, duckdb_value_boolean(r, c, row) ? "true" : "false");
    return;
  case DUCKDB_TYPE_TINYINT:
  case DUCKDB_TYPE_SMALLINT:
  case DUCKDB_TYPE_INTEGER:
  case DUCKDB_TYPE_BIGINT:
  case DUCKDB_TYPE_UTINYINT:
  case DUCKDB_TYPE_USMALLINT:
  case DUCKDB_TYPE_UINTEGER:
    argo__sb_printf(&o->sb, "%lld", (long long)duckdb_value_int64(r, c, row));
    return;
  case DUCKDB_TYPE_FLOAT:
  case DUCKDB_TYPE_DOUBLE:
    argo__sb_json_num(&o->sb, duckdb_value_double(r, c, row));
    return;
  case DUCKDB_TYPE_UBIGINT:
  case DUCKDB_TYPE_HUGEINT:
  case DUCKDB_TYPE_UHUGEINT:
  case DUCKDB_TYPE_DECIMAL: {
    /* Exact decimal text, which is a JSON number as it stands. */
    char *v = duckdb_value_varchar(r, c, row);
    argo__sb_puts(&o->sb, v ? v : "null");
    duckdb_free(v);
    return;
  }
  case DUCKDB_TYPE_TIMESTAMP:
  case DUCKDB_TYPE_TIMESTAMP_TZ: {
    char buf[48];
    argo_time_format(duckdb_value_timestamp(r, c, row).micros, buf, sizeof buf);
    argo__sb_json_str(&o->sb, buf);
    return;
  }
  default: {
    char *v = duckdb_value_varchar(r, c, row);
    argo__sb_json_str(&o->sb, v ? v : "");
    duckdb_free(v);
    return;
  }
  }
}

static argo_err write_json(out *o, duckdb_result *r, const unsigned char *raw) {
  idx_t ncols = duckdb_column_count(r), nrows = duckdb_row_count(r);
  duckdb_type *types = calloc(ncols ? ncols : 1, sizeof *types);
  if (!types) {
    return ARGO_ENOMEM;
  }
  for (idx_t c = 0; c < ncols; c++) {
    types[c] = duckdb_column_type(r, c);
  }
  argo__sb_putc(&o->sb, '[');
  for (idx_t row = 0; row < nrows && ncols && !o->stopped; row++) {
    argo__sb_puts(&o->sb, row ? ",\n{" : "\n{");
    for (idx_t c = 0; c < ncols; c++) {
      if (c) {
        argo__sb_putc(&o->sb, ',');
      }
      argo__sb_json_str(&o->sb, duckdb_column_name(r, c));
      argo__sb_putc(&o->sb, ':');
      if (raw && raw[c] && !duckdb_value_is_null(r, c, row)) {
        /* to_json() text of a nested value: already JSON. */
        char *v = duckdb_value_varchar(r, c, row);
        argo__sb_puts(&o->sb, v ? v : "null");
        duckdb_free(v);
      } else {
        json_value(o, r, c, row, types[c]);
      }
    }
    argo__sb_putc(&o->sb, '}');
    out_maybe_flush(o);
  }
  argo__sb_puts(&o->sb, nrows && ncols ? "\n]\n" : "]\n");
  free(types);
  return ARGO_OK;
}

argo_err argo__format_result(duckdb_result *r, argo_query_format format, const unsigned char *raw,
                             argo_write_fn write, void *user, int *stopped) {
  out o = {.fn = write, .user = user};
  argo__sb_init(&o.sb);
  argo_err rc;
  switch (format) {
  case ARGO_QUERY_CSV:
    rc = write_csv(&o, r);
    break;
  case ARGO_QUERY_JSON:
    rc = write_json(&o, r, raw);
    break;
  default:
    rc = write_table(&o, r);
    break;
  }
  if (rc == ARGO_OK && argo__sb_failed(&o.sb)) {
    rc = ARGO_ENOMEM;
  }
  if (rc == ARGO_OK) {
    out_flush(&o);
  }
  argo__sb_free(&o.sb);
  *stopped = o.stopped;
  return rc;
}
