/* DuckDB opened and used one way; see duck.h. */
#include "persist/duck.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

void argo__duck_msg(const char *msg, char *out, size_t len) {
  if (!len) {
    return;
  }
  /* DuckDB's messages may end with the statement quoted after "LINE n:" (no use once the
   * statement is argo's) and wrap over lines: the message alone, its white space collapsed. */
  const char *src = msg ? msg : "unknown error";
  const char *end = strstr(src, "\n\nLINE ");
  if (!end) {
    end = strstr(src, "\nLINE ");
  }
  size_t j = 0;
  int space = 0;
  for (const char *p = src; *p && (!end || p < end) && j + 1 < len; p++) {
    if ((unsigned char)*p <= ' ' || *p == 0x7f) {
      space = j > 0;
      continue;
    }
    if (space && j + 2 < len) {
      out[j++] = ' ';
    }
    space = 0;
    out[j++] = *p;
  }
  out[j] = '\0';
}

argo_err argo__duck_open(const argo__duck_opts *opts, duckdb_database *db, duckdb_connection *con,
                         char *err, size_t errlen) {
  static const argo__duck_opts one = {.threads = 1};
  opts = opts ? opts : &one;
  *db = NULL;
  if (con) {
    *con = NULL;
  }
  duckdb_config cfg = NULL;
  if (duckdb_create_config(&cfg) != DuckDBSuccess) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  if (opts->threads > 0) {
    char n[16];
    snprintf(n, sizeof n, "%d", opts->threads);
    duckdb_set_config(cfg, "threads", n);
  }
  if (opts->temp_dir) {
    duckdb_set_config(cfg, "temp_directory", opts->temp_dir);
  }
  duckdb_set_config(cfg, "autoinstall_known_extensions", "false");
  duckdb_set_config(cfg, "autoload_known_extensions", "false");
  char *open_err = NULL, why[ARGO_ERRMSG_MAX];
  duckdb_state st = duckdb_open_ext(NULL, db, cfg, &open_err);
  duckdb_destroy_config(&cfg);
  if (st != DuckDBSuccess) {
    argo__duck_msg(open_err, why, sizeof why);
    duckdb_free(open_err);
    *db = NULL;
    argo__fmt(err, errlen, "DuckDB: cannot open an in-memory database: %s", why);
    return ARGO_EDB;
  }
  duckdb_connection c = NULL;
  if (duckdb_connect(*db, &c) != DuckDBSuccess) {
    duckdb_close(db);
    argo__fmt(err, errlen, "DuckDB: cannot connect to its in-memory database");
    return ARGO_EDB;
  }
  /* Times are instants (TIMESTAMPTZ, docs/files.md); a cast between them and TIMESTAMP, such as
   * reading a file written before they were, must not take the machine's time zone. */
  argo_err rc = argo__duck_exec(c, "SET GLOBAL TimeZone = 'UTC'", why, sizeof why);
  if (rc != ARGO_OK) {
    duckdb_disconnect(&c);
    duckdb_close(db);
    argo__fmt(err, errlen, "DuckDB: cannot set its time zone to UTC: %s", why);
    return rc;
  }
  if (con) {
    *con = c;
  } else {
    duckdb_disconnect(&c);
  }
  return ARGO_OK;
}

void argo__duck_close(duckdb_database *db, duckdb_connection *con) {
  if (con && *con) {
    duckdb_disconnect(con);
  }
  if (db && *db) {
    duckdb_close(db);
  }
}

argo_err argo__duck_exec(duckdb_connection con, const char *sql, char *err, size_t errlen) {
  duckdb_result r;
  argo_err rc = ARGO_OK;
  if (duckdb_query(con, sql, &r) != DuckDBSuccess) {
    argo__duck_msg(duckdb_result_error(&r), err, errlen);
    rc = ARGO_EDB;
  }
  duckdb_destroy_result(&r);
  return rc;
}

int argo__duck_readable(duckdb_type t) {
  switch (t) {
  case DUCKDB_TYPE_INVALID:
  case DUCKDB_TYPE_BOOLEAN:
  case DUCKDB_TYPE_TINYINT:
  case DUCKDB_TYPE_SMALLINT:
  case DUCKDB_TYPE_INTEGER:
  case DUCKDB_TYPE_BIGINT:
  case DUCKDB_TYPE_UTINYINT:
  case DUCKDB_TYPE_USMALLINT:
  case DUCKDB_TYPE_UINTEGER:
  case DUCKDB_TYPE_UBIGINT:
  case DUCKDB_TYPE_FLOAT:
  case DUCKDB_TYPE_DOUBLE:
  case DUCKDB_TYPE_TIMESTAMP:
  case DUCKDB_TYPE_DATE:
  case DUCKDB_TYPE_TIME:
  case DUCKDB_TYPE_INTERVAL:
  case DUCKDB_TYPE_HUGEINT:
  case DUCKDB_TYPE_UHUGEINT:
  case DUCKDB_TYPE_VARCHAR:
  case DUCKDB_TYPE_BLOB:
  case DUCKDB_TYPE_DECIMAL:
  case DUCKDB_TYPE_SQLNULL:
    return 1;
  default:
    return 0;
  }
}

static int nested(duckdb_type t) {
  return t == DUCKDB_TYPE_LIST || t == DUCKDB_TYPE_STRUCT || t == DUCKDB_TYPE_MAP ||
         t == DUCKDB_TYPE_ARRAY || t == DUCKDB_TYPE_UNION;
}

int argo__duck_wrap(duckdb_prepared_statement ps, const char *sql, int flags, argo__sb *w,
                    unsigned char *json) {
  idx_t n = duckdb_prepared_statement_column_count(ps);
  int need = 0;
  for (idx_t c = 0; c < n; c++) {
    need |= !argo__duck_readable(duckdb_prepared_statement_column_type(ps, c));
  }
  if (!need) {
    return 0;
  }
  argo__sb_puts(w, "SELECT ");
  for (idx_t c = 0; c < n; c++) {
    duckdb_type t = duckdb_prepared_statement_column_type(ps, c);
    unsigned long long pos = (unsigned long long)(c + 1);
    argo__sb_puts(w, c ? ", " : "");
    if (argo__duck_readable(t)) {
      argo__sb_printf(w, "#%llu", pos);
    } else if ((flags & ARGO_DUCK_WRAP_NESTED_AS_JSON) && nested(t)) {
      argo__sb_printf(w, "to_json(#%llu)", pos);
      if (json) {
        json[c] = 1;
      }
    } else if ((flags & ARGO_DUCK_WRAP_TZ_AS_TIMESTAMP) && t == DUCKDB_TYPE_TIMESTAMP_TZ) {
      argo__sb_printf(w, "CAST(#%llu AS TIMESTAMP)", pos);
    } else {
      argo__sb_printf(w, "CAST(#%llu AS VARCHAR)", pos);
    }
    /* The column keeps its name: a quoted identifier, quotes doubled. */
    const char *name = duckdb_prepared_statement_column_name(ps, c);
    argo__sb_puts(w, " AS \"");
    for (const char *p = name ? name : ""; *p; p++) {
      if (*p == '"') {
        argo__sb_putc(w, '"');
      }
      argo__sb_putc(w, *p);
    }
    argo__sb_putc(w, '"');
    duckdb_free((void *)name); /* DuckDB allocates the name for the caller */
  }
  /* A trailing ';' would end the statement inside the parentheses; the newline before ')' ends
   * a trailing -- comment. */
  size_t len = strlen(sql);
  while (len && strchr("; \n\t\r", sql[len - 1])) {
    len--;
  }
  argo__sb_puts(w, " FROM (\n");
  argo__sb_add(w, sql, len);
  argo__sb_puts(w, "\n) AS __argo_q");
  return 1;
}
