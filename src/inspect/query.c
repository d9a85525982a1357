/*
 * Query: SQL over recorded sessions (argo_query_* in argo.h). An in-memory DuckDB database of
 * its own holds
 *   - __argo_files: one row per published Parquet file (file, date, run, session_id), filled
 *     through the appender, so that no path or value is pasted into SQL text;
 *   - the views orders, trades, market_data, marks, logs: one read_parquet over the list of
 *     that table's files (every path quoted with argo__sql_quote), union_by_name so that files
 *     written before a column was appended still read, joined to __argo_files on the file name
 *     that read_parquet reports, so that every row carries its date, run and session_id;
 *   - the table stats: one row per day folder, from the stats.yaml the catalog parsed;
 *   - the view round_trips: the table function argo_round_trips() (inspect/trips.h), which pairs
 *     the fills of the hidden view __argo_trades when it is read.
 * Reading a Parquet file that a session replaces by rename is safe: DuckDB opens the file in
 * place, takes no lock, and a rename never leaves a torn file. No journal or temporary file is
 * ever named. argo_query_run runs a script's statements in order (inspect/sqlsplit.c finds the
 * last one's text) and writes the last one's rows as an aligned table, CSV or a JSON array
 * (inspect/format.c).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <duckdb.h>

#include <argo/argo.h>

#include "inspect/catalog.h"
#include "inspect/format.h"
#include "inspect/query.h"
#include "inspect/sqlsplit.h"
#include "inspect/trips.h"
#include "persist/duck.h"
#include "persist/schema.h"
#include "persist/session.h"
#include "persist/store.h"
#include "util/fsx.h"
#include "util/strbuf.h"
#include "util/timeu.h"
#include "util/util.h"

struct argo_query {
  duckdb_database db;
  duckdb_connection con;
  int open;
  char err[ARGO_ERRMSG_MAX];
};

/* ---- building the database ---------------------------------------------------------------- */

static duckdb_date date_of(const char *yyyy_mm_dd) {
  int64_t day = 0;
  argo__day_parse(yyyy_mm_dd, &day);
  duckdb_date d = {(int32_t)day};
  return d;
}

/* read_parquet reads *, ? and [ in a path as a glob pattern, with no way to escape them. */
static int has_glob(const char *s) {
  return strpbrk(s, "*?[") != NULL;
}

static const char *const block_names[] = {"number_of_trades",
                                          "number_of_winning_trades",
                                          "number_of_losing_trades",
                                          "win_rate",
                                          "max_drawdown",
                                          "realized_pnl",
                                          "unrealized_pnl",
                                          "total_pnl",
                                          "maximum_loss",
                                          "maximum_profit",
                                          "total_fees",
                                          "holding_time_count",
                                          "holding_time_min",
                                          "holding_time_max",
                                          "holding_time_avg",
                                          "gross_profit",
                                          "gross_loss",
                                          "profit_factor",
                                          "expectancy",
                                          "total_return",
                                          "sharpe_ratio",
                                          "sortino_ratio",
                                          "calmar_ratio",
                                          "exposure",
                                          "days",
                                          "best_day",
                                          "worst_day",
                                          "buy_and_hold_return"};

/* A figure added later, of a stats.yaml written before it (NaN): NULL. */
static void append_later(duckdb_appender a, double v) {
  if (isnan(v)) {
    duckdb_append_null(a);
  } else {
    duckdb_append_double(a, v);
  }
}

/* Appends b's figures in the order of block_names. */
static void append_block(duckdb_appender a, const argo_stats_block *b) {
  duckdb_append_int64(a, b->number_of_trades);
  duckdb_append_int64(a, b->number_of_winning_trades);
  duckdb_append_int64(a, b->number_of_losing_trades);
  duckdb_append_double(a, b->win_rate);
  duckdb_append_double(a, b->max_drawdown);
  duckdb_append_double(a, b->realized_pnl);
  duckdb_append_double(a, b->unrealized_pnl);
  duckdb_append_double(a, b->total_pnl);
  duckdb_append_double(a, b->maximum_loss);
  duckdb_append_double(a, b->maximum_profit);
  duckdb_append_double(a, b->total_fees);
  duckdb_append_int64(a, b->holding_count);
  duckdb_append_double(a, b->holding_min);
  duckdb_append_double(a, b->holding_max);
  duckdb_append_double(a, b->holding_avg);
  append_later(a, b->gross_profit);
  append_later(a, b->gross_loss);
  append_later(a, b->profit_factor);
  append_later(a, b->expectancy);
  append_later(a, b->total_return);
  append_later(a, b->sharpe_ratio);
  append_later(a, b->sortino_ratio);
  append_later(a, b->calmar_ratio);
  append_later(a, b->exposure);
  if (b->days > 0) {
    duckdb_append_int64(a, b->days);
  } else {
    duckdb_append_null(a);
  }
  append_later(a, b->best_day);
  append_later(a, b->worst_day);
  append_later(a, b->buy_and_hold_return);
}

static int is_int_field(size_t i) {
  return i < 3 || i == 11 || i == 24;
}

static void append_text(duckdb_appender a, const char *s) {
  if (s) {
    duckdb_append_varchar(a, s);
  } else {
    duckdb_append_null(a);
  }
}

static argo_err append_symbols(duckdb_appender a, const argo_stats *s) {
  duckdb_logical_type t = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_value *vals = calloc(s->nsymbols ? s->nsymbols : 1, sizeof *vals);
  argo_err rc = ARGO_ENOMEM;
  if (!t || !vals) {
    goto fail;
  }
  for (size_t i = 0; i < s->nsymbols; i++) {
    vals[i] = duckdb_create_varchar(s->symbols[i]);
  }
  duckdb_value list = duckdb_create_list_value(t, vals, s->nsymbols);
  if (list) {
    duckdb_append_value(a, list);
    duckdb_destroy_value(&list);
    rc = ARGO_OK;
  }
  for (size_t i = 0; i < s->nsymbols; i++) {
    duckdb_destroy_value(&vals[i]);
  }
fail:
  free(vals);
  if (t) {
    duckdb_destroy_logical_type(&t);
  }
  return rc;
}

static argo_err create_stats(duckdb_connection con, const argo_catalog_entry *const *e, size_t n,
                             char *err, size_t errlen) {
  argo__sb sql;
  argo__sb_init(&sql);
  argo__sb_puts(&sql, "CREATE TABLE stats (date DATE, run VARCHAR, run_number INTEGER, "
                      "session_id VARCHAR, status VARCHAR, recorded_status VARCHAR, "
                      "symbols VARCHAR[], strategy_id VARCHAR, "
                      "strategy_name VARCHAR, strategy_version VARCHAR, candle_interval VARCHAR, "
                      "session_start TIMESTAMPTZ, last_updated TIMESTAMPTZ, candles BIGINT, "
                      "candles_total BIGINT, equity DOUBLE, run_collision VARCHAR, "
                      "resumed_from VARCHAR, run_dir VARCHAR");
  const char *scopes[2] = {"daily", "cumulative"};
  for (int s = 0; s < 2; s++) {
    for (size_t i = 0; i < ARGO_ARRAY_LEN(block_names); i++) {
      argo__sb_printf(&sql, ", %s_%s %s", scopes[s], block_names[i],
                      is_int_field(i) ? "BIGINT" : "DOUBLE");
    }
  }
  argo__sb_puts(&sql, ")");
  if (argo__sb_failed(&sql)) {
    argo__sb_free(&sql);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  argo_err rc = argo__duck_exec(con, argo__sb_str(&sql), err, errlen);
  argo__sb_free(&sql);
  if (rc) {
    return rc;
  }
  duckdb_appender a;
  if (duckdb_appender_create(con, NULL, "stats", &a) != DuckDBSuccess) {
    argo__fmt(err, errlen, "cannot fill the stats table: %s", duckdb_appender_error(a));
    duckdb_appender_destroy(&a);
    return ARGO_EDB;
  }
  for (size_t i = 0; i < n && rc == ARGO_OK; i++) {
    const argo_stats *s = e[i]->stats;
    duckdb_timestamp start = {s->session_start}, upd = {s->last_updated};
    duckdb_append_date(a, date_of(e[i]->date));
    duckdb_append_varchar(a, e[i]->run);
    duckdb_append_int32(a, e[i]->run_number);
    duckdb_append_varchar(a, s->session_id);
    append_text(a, e[i]->status ? e[i]->status : s->status);
    append_text(a, s->status);
    rc = append_symbols(a, s);
    append_text(a, s->strategy_id);
    append_text(a, s->strategy_name);
    append_text(a, s->strategy_version);
    append_text(a, e[i]->interval);
    duckdb_append_timestamp(a, start);
    duckdb_append_timestamp(a, upd);
    duckdb_append_int64(a, s->candles_day);
    duckdb_append_int64(a, s->candles_total);
    duckdb_append_double(a, s->equity);
    append_text(a, e[i]->run_collision);
    append_text(a, e[i]->resumed_from);
    duckdb_append_varchar(a, e[i]->run_dir);
    append_block(a, &s->daily);
    append_block(a, &s->cumulative);
    if (rc == ARGO_OK && duckdb_appender_end_row(a) != DuckDBSuccess) {
      argo__fmt(err, errlen, "cannot fill the stats table: %s", duckdb_appender_error(a));
      rc = ARGO_EDB;
    }
  }
  if (rc == ARGO_ENOMEM) {
    argo__fmt(err, errlen, "out of memory");
  }
  if (rc == ARGO_OK && duckdb_appender_close(a) != DuckDBSuccess) {
    argo__fmt(err, errlen, "cannot fill the stats table: %s", duckdb_appender_error(a));
    rc = ARGO_EDB;
  }
  duckdb_appender_destroy(&a);
  return rc;
}

/* A view with the table's columns and no rows, for a table no day folder has a file of. */
static void empty_view(argo__sb *sql, const argo__table *t) {
  argo__sb_printf(sql,
                  "CREATE VIEW %s AS SELECT NULL::DATE AS date, NULL::VARCHAR AS run, "
                  "NULL::VARCHAR AS session_id",
                  t->name);
  for (size_t c = 0; c < t->ncols; c++) {
    argo__sb_printf(sql, ", NULL::%s AS \"%s\"", argo__coltype_sql(t->cols[c].type),
                    t->cols[c].name);
  }
  argo__sb_puts(sql, " WHERE false");
}

static argo_err create_views(duckdb_connection con, const argo_catalog_entry *const *e, size_t n,
                             const argo__query_folder *extra, size_t nextra, char *err,
                             size_t errlen) {
  argo_err rc = argo__duck_exec(con,
                                "CREATE TABLE __argo_files (file VARCHAR, date DATE, run VARCHAR, "
                                "session_id VARCHAR)",
                                err, errlen);
  if (rc) {
    return rc;
  }
  duckdb_appender a;
  if (duckdb_appender_create(con, NULL, "__argo_files", &a) != DuckDBSuccess) {
    argo__fmt(err, errlen, "cannot list the files: %s", duckdb_appender_error(a));
    duckdb_appender_destroy(&a);
    return ARGO_EDB;
  }
  argo__sb sql, list;
  argo__sb_init(&sql);
  argo__sb_init(&list);
  char path[ARGO_PATH_MAX + 128];
  char quoted[2 * sizeof path + 3];
  for (int t = 0; t < ARGO_T_COUNT && rc == ARGO_OK; t++) {
    const argo__table *tab = argo__schema((argo__table_id)t);
    size_t files = 0;
    argo__sb_reset(&list);
    for (size_t i = 0; i < n + nextra; i++) {
      const char *run_dir = i < n ? e[i]->run_dir : extra[i - n].run_dir;
      const char *date = i < n ? e[i]->date : extra[i - n].date;
      const char *run = i < n ? e[i]->run : extra[i - n].run;
      snprintf(path, sizeof path, "%s/%s", run_dir, tab->file);
      if (!argo__fs_exists(path)) {
        continue; /* skip a file that is missing: the folder's other files still count */
      }
      if (has_glob(path)) {
        argo__fmt(err, errlen,
                  "cannot read '%s': DuckDB reads the characters * ? [ in a path as a pattern",
                  path);
        rc = ARGO_EINVAL;
        break;
      }
      if (argo__sql_quote(path, quoted, sizeof quoted) != 0) {
        argo__fmt(err, errlen, "path too long: '%s'", path);
        rc = ARGO_EINVAL;
        break;
      }
      duckdb_append_varchar(a, path);
      duckdb_append_date(a, date_of(date));
      duckdb_append_varchar(a, run);
      if (i < n) {
        duckdb_append_varchar(a, e[i]->stats->session_id);
      } else {
        /* Without its stats.yaml the folder's session is unknown: the order ids carry only the
         * first 8 characters of its id. */
        duckdb_append_null(a);
      }
      if (duckdb_appender_end_row(a) != DuckDBSuccess) {
        argo__fmt(err, errlen, "cannot list the files: %s", duckdb_appender_error(a));
        rc = ARGO_EDB;
        break;
      }
      argo__sb_printf(&list, "%s%s", files ? ", " : "", quoted);
      files++;
    }
    if (rc) {
      break;
    }
    /* The fills also as __argo_trades, with each row's place in its file: the order the round
     * trips pair them in (inspect/trips.h). */
    for (int k = 0; k < (t == ARGO_T_TRADES ? 2 : 1) && rc == ARGO_OK; k++) {
      argo__sb_reset(&sql);
      if (files) {
        argo__sb_printf(&sql,
                        "CREATE VIEW %s AS SELECT f.date, f.run, f.session_id, t.* EXCLUDE "
                        "(filename) FROM read_parquet([%s], union_by_name = true, filename = "
                        "true%s) AS t JOIN __argo_files AS f ON f.file = t.filename",
                        k ? "__argo_trades" : tab->name, argo__sb_str(&list),
                        k ? ", file_row_number = true" : "");
      } else if (k) {
        argo__sb_puts(&sql, "CREATE VIEW __argo_trades AS SELECT *, NULL::BIGINT AS "
                            "file_row_number FROM trades");
      } else {
        empty_view(&sql, tab);
      }
      if (argo__sb_failed(&sql) || argo__sb_failed(&list)) {
        argo__fmt(err, errlen, "out of memory");
        rc = ARGO_ENOMEM;
        break;
      }
      rc = argo__duck_exec(con, argo__sb_str(&sql), err, errlen);
    }
  }
  argo__sb_free(&sql);
  argo__sb_free(&list);
  if (duckdb_appender_close(a) != DuckDBSuccess && rc == ARGO_OK) {
    argo__fmt(err, errlen, "cannot list the files: %s", duckdb_appender_error(a));
    rc = ARGO_EDB;
  }
  duckdb_appender_destroy(&a);
  return rc;
}

argo_err argo__query_db_open(const argo__duck_opts *opts, duckdb_database *db,
                             duckdb_connection *con, const argo_catalog_entry *const *entries,
                             size_t n, const argo__query_folder *extra, size_t nextra, char *err,
                             size_t errlen) {
  /* DuckDB's own worker threads: a query over many days' files is the user's to wait for. */
  argo__duck_opts o = {.threads = 0};
  argo_err rc = argo__duck_open(opts ? opts : &o, db, con, err, errlen);
  if (rc) {
    return rc;
  }
  if ((rc = create_views(*con, entries, n, extra, nextra, err, errlen)) != ARGO_OK ||
      (rc = create_stats(*con, entries, n, err, errlen)) != ARGO_OK ||
      (rc = argo__trips_register(*db, *con, err, errlen)) != ARGO_OK ||
      (rc = argo__duck_exec(*con, "CREATE VIEW round_trips AS SELECT * FROM argo_round_trips()",
                            err, errlen)) != ARGO_OK) {
    goto fail;
  }
  return ARGO_OK;

fail:
  argo__query_db_close(db, con);
  return rc;
}

void argo__query_db_close(duckdb_database *db, duckdb_connection *con) {
  if (*con) {
    duckdb_disconnect(con);
  }
  if (*db) {
    duckdb_close(db);
  }
  *con = NULL;
  *db = NULL;
}

static argo_err query_open(argo_query **out, argo_catalog *cat, const char *run,
                           const argo__duck_opts *opts) {
  argo_query *q = calloc(1, sizeof *q);
  const argo_catalog_entry **all = NULL;
  const argo_catalog_entry *const *sel = NULL;
  size_t n = 0;
  argo_err rc;
  *out = q;
  if (!q) {
    return ARGO_ENOMEM;
  }
  if (!cat) {
    argo__fmt(q->err, sizeof q->err, "no catalog given");
    return ARGO_EINVAL;
  }
  if (run) {
    if ((rc = argo_catalog_resolve(cat, run, &sel, &n)) != ARGO_OK) {
      argo__strlcpy(q->err, argo_catalog_errmsg(cat), sizeof q->err);
      return rc;
    }
  } else {
    /* Oldest first, so that a plain SELECT * tends to read in recording order. */
    n = argo_catalog_count(cat);
    all = calloc(n ? n : 1, sizeof *all);
    if (!all) {
      argo__fmt(q->err, sizeof q->err, "out of memory");
      return ARGO_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
      all[i] = argo_catalog_at(cat, n - 1 - i);
    }
    sel = all;
  }
  /* Every folder: those left out of the catalog too, whose Parquet files still hold rows. */
  argo__query_folder *extra = NULL;
  size_t nextra = 0;
  if (!run && argo_catalog_skipped_count(cat)) {
    extra = calloc(argo_catalog_skipped_count(cat), sizeof *extra);
    if (!extra) {
      free(all);
      argo__fmt(q->err, sizeof q->err, "out of memory");
      return ARGO_ENOMEM;
    }
    for (size_t i = 0; i < argo_catalog_skipped_count(cat); i++) {
      argo__query_folder *f = &extra[nextra];
      if (argo__catalog_skipped_folder(cat, i, &f->run_dir, &f->date, &f->run) == 0) {
        nextra++;
      }
    }
  }
  rc = argo__query_db_open(opts, &q->db, &q->con, sel, n, extra, nextra, q->err, sizeof q->err);
  free(extra);
  free(all);
  q->open = rc == ARGO_OK;
  return rc;
}

argo_err argo_query_open(argo_query **out, argo_catalog *cat, const char *run) {
  return query_open(out, cat, run, NULL);
}

argo_err argo__query_open_opts(argo_query **out, argo_catalog *cat, const argo__duck_opts *opts) {
  return query_open(out, cat, NULL, opts);
}

duckdb_connection argo__query_con(argo_query *q) {
  return q->con;
}

void argo_query_close(argo_query *q) {
  if (!q) {
    return;
  }
  argo__query_db_close(&q->db, &q->con);
  free(q);
}

const char *argo_query_errmsg(const argo_query *q) {
  if (!q) {
    return "out of memory";
  }
  return q->err[0] ? q->err : "no error";
}

/* ---- running a statement ---------------------------------------------------------------- */

/* When the statement's result has columns the value functions cannot read (lists, structs,
 * UUIDs, time zones ...), the statement is prepared again inside a SELECT that converts those
 * columns by position: to JSON text (for the JSON format, nested values), to UTC time (for the
 * JSON format, TIMESTAMPTZ) or to DuckDB's text ("2025-10-01 09:00:00+00" for TIMESTAMPTZ).
 * The statement still runs once. NULL when no conversion is needed or possible. */
static duckdb_prepared_statement convert(argo_query *q, duckdb_prepared_statement ps,
                                         const char *sql, argo_query_format format,
                                         unsigned char **raw) {
  if (duckdb_prepared_statement_type(ps) != DUCKDB_STATEMENT_TYPE_SELECT) {
    return NULL;
  }
  idx_t n = duckdb_prepared_statement_column_count(ps);
  unsigned char *flags = calloc(n ? n : 1, 1);
  if (!flags) {
    return NULL;
  }
  argo__sb w;
  argo__sb_init(&w);
  /* JSON: nested values as JSON, TIMESTAMPTZ as the UTC time the format writes
   * "2025-10-01T09:00:00Z"; text: DuckDB's text ("2025-10-01 09:00:00+00"). */
  int how = format == ARGO_QUERY_JSON
                ? ARGO_DUCK_WRAP_NESTED_AS_JSON | ARGO_DUCK_WRAP_TZ_AS_TIMESTAMP
                : 0;
  duckdb_prepared_statement conv = NULL;
  if (argo__duck_wrap(ps, sql, how, &w, flags) && !argo__sb_failed(&w) &&
      duckdb_prepare(q->con, argo__sb_str(&w), &conv) == DuckDBSuccess) {
    *raw = flags;
    flags = NULL;
  } else if (conv) {
    duckdb_destroy_prepare(&conv);
    conv = NULL;
  }
  free(flags);
  argo__sb_free(&w);
  return conv;
}

/* ---- running a script ------------------------------------------------------------------- */

/* Runs every statement of a script but the last, in order; prepares the last one into *last and
 * sets *text / *len to its text when it can be told (NULL otherwise). */
static argo_err run_script(argo_query *q, const char *sql, duckdb_prepared_statement *last,
                           const char **text, size_t *len) {
  duckdb_extracted_statements ex = NULL;
  argo__sqlsplit_span *parts = NULL;
  argo_err rc = ARGO_OK;
  *last = NULL;
  *text = NULL;
  *len = 0;
  idx_t n = duckdb_extract_statements(q->con, sql, &ex);
  if (n == 0) {
    const char *e = ex ? duckdb_extract_statements_error(ex) : NULL;
    argo__duck_msg(e && *e ? e : "the SQL holds no statement", q->err, sizeof q->err);
    rc = ARGO_EDB;
    goto done;
  }
  long nparts = argo__sqlsplit_statements(sql, &parts);
  if (nparts < 0) {
    argo__fmt(q->err, sizeof q->err, "out of memory");
    rc = ARGO_ENOMEM;
    goto done;
  }
  if ((idx_t)nparts == n) {
    *text = sql + parts[n - 1].start;
    *len = parts[n - 1].len;
  } else if (n == 1) {
    *text = sql;
    *len = strlen(sql);
  }
  for (idx_t i = 0; i < n; i++) {
    duckdb_prepared_statement ps = NULL;
    if (duckdb_prepare_extracted_statement(q->con, ex, i, &ps) != DuckDBSuccess) {
      const char *perr = duckdb_prepare_error(ps);
      argo__duck_msg(perr ? perr : "cannot prepare the statement", q->err, sizeof q->err);
      duckdb_destroy_prepare(&ps);
      rc = ARGO_EDB;
      goto done;
    }
    if (i + 1 == n) {
      *last = ps;
      break;
    }
    duckdb_result r;
    duckdb_state st = duckdb_execute_prepared(ps, &r);
    duckdb_destroy_prepare(&ps);
    if (st != DuckDBSuccess) {
      argo__duck_msg(duckdb_result_error(&r), q->err, sizeof q->err);
      duckdb_destroy_result(&r);
      rc = ARGO_EDB;
      goto done;
    }
    duckdb_destroy_result(&r);
  }
done:
  if (rc != ARGO_OK) {
    *text = NULL;
  }
  free(parts);
  duckdb_destroy_extracted(&ex);
  return rc;
}

argo_err argo_query_run(argo_query *q, const char *sql, argo_query_format format,
                        argo_write_fn write, void *user) {
  if (!q || !q->open) {
    if (q) {
      argo__fmt(q->err, sizeof q->err, "the query database is not open");
    }
    return ARGO_ESTATE;
  }
  if (!sql || !write) {
    argo__fmt(q->err, sizeof q->err, "no SQL or no writer given");
    return ARGO_EINVAL;
  }
  duckdb_result r;
  duckdb_prepared_statement ps = NULL, conv = NULL;
  unsigned char *raw = NULL;
  const char *text = NULL;
  size_t textlen = 0;
  /* Every statement runs in order; only the last one's rows are written. Each is prepared
   * before it runs, so that the last one's result column types are seen first. */
  argo_err rc = run_script(q, sql, &ps, &text, &textlen);
  if (rc != ARGO_OK) {
    return rc;
  }
  char *last = text ? malloc(textlen + 1) : NULL;
  if (last) {
    memcpy(last, text, textlen);
    last[textlen] = '\0';
    conv = convert(q, ps, last, format, &raw);
  }
  free(last);
  duckdb_state st = duckdb_execute_prepared(conv ? conv : ps, &r);
  if (conv) {
    duckdb_destroy_prepare(&conv);
  }
  duckdb_destroy_prepare(&ps);
  if (st != DuckDBSuccess) {
    argo__duck_msg(duckdb_result_error(&r), q->err, sizeof q->err);
    duckdb_destroy_result(&r);
    free(raw);
    return ARGO_EDB;
  }
  int stopped = 0;
  rc = argo__format_result(&r, format, raw, write, user, &stopped);
  duckdb_destroy_result(&r);
  free(raw);
  if (rc == ARGO_ENOMEM) {
    argo__fmt(q->err, sizeof q->err, "out of memory");
  } else if (rc == ARGO_OK && stopped) {
    argo__fmt(q->err, sizeof q->err, "the output could not be written");
    rc = ARGO_EIO;
  }
  return rc;
}
