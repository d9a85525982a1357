/*
 * Replay feed: candles from a file, for example an earlier session's market_data.parquet, or a
 * CSV file with a header holding the same columns (time, symbol, open, high, low, close,
 * volume; the time as a TIMESTAMP, ISO text or epoch milliseconds). The feed owns a private
 * in-memory DuckDB database that reads the file in place (read_parquet / read_csv with the path
 * quoted as an SQL literal) and streams one query's result chunk by chunk, so a file of ten
 * million rows is never held in a C array.
 *
 * The query names what is wrong with a row (a missing or non-finite value, a price that is not
 * positive, high below low, open or close outside low..high, a time outside 1970 .. 9999), keeps
 * the rows of the requested symbols and time range, and adds, per symbol in file order, the
 * latest time of the valid rows before each row. Rows come sorted by time, then by position in
 * the file: a file grouped by symbol, or sorted newest first, still replays in time order, and
 * the candles of one time come in the order they were recorded, so that replaying a session's
 * market_data.parquet gives a strategy the very sequence that session saw, whatever the order
 * of the symbols the replay is asked for. A row is delivered when it is valid and is not a
 * duplicate (a valid row of its symbol and time came before it); the others are reported
 * through hooks->error with the row's position, symbol and time, and skipped; without an error
 * hook next() returns ARGO_FEED_SKIP with the message instead. A row earlier than that latest
 * time (the file is not in time order) is delivered in its place in time: the first such row
 * is reported once, and the end of the replay reports the counts.
 *
 * A CSV line that cannot be read as a row (a field missing or one too many, a quote left open)
 * is skipped by DuckDB's reader (store_rejects) rather than failing the whole file. DuckDB
 * numbers the rows it reads without those lines, so the feed first scans the file once to learn
 * which lines were rejected (DuckDB keeps them in a temporary table of the connection, which
 * cannot be read while the connection streams): they are reported with their line, and the
 * positions of the other rows are mapped back to their rows in the file.
 *
 * Depends on DuckDB and the util helpers; reads no other module's state.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <duckdb.h>

#include "feeds/replay.h"
#include "persist/duck.h"
#include "persist/store.h"
#include "util/fsx.h"
#include "util/strbuf.h"
#include "util/timeu.h"
#include "util/util.h"

/* The columns a replay file must have, in the order of the query's source CTE. */
static const char *const need_cols[] = {"time", "symbol", "open", "high", "low", "close", "volume"};
#define NCOLS ARGO_ARRAY_LEN(need_cols)

/* Where DuckDB's CSV reader puts the lines it could not read as rows (temporary tables of the
 * feed's own connection). */
#define REJECTS_TABLE "argo_csv_rejects"
#define REJECTS_SCAN "argo_csv_reject_scans"

/* The optional column that marks warm-up rows (a session's downloaded history). */
static const char hist_col[] = "history";

/* Columns of the streamed result. */
enum { R_POS, R_TIME, R_SYM, R_IDX, R_O, R_H, R_L, R_C, R_V, R_BAD, R_PREV, R_HIST, R_NCOLS };

/* An opened file: the database, and the SQL that reads the file with its columns normalized
 * (pos, t, sym, o, h, l, c, v). */
typedef struct source {
  duckdb_database db;
  duckdb_connection con;
  char tmpdir[4096]; /* where DuckDB may spill a large sort; "" if none */
  int csv;
  argo__sb reader; /* read_...(...): the file as DuckDB reads it */
  argo__sb select; /* SELECT ... FROM reader */
} source;

typedef struct replay {
  char *path;
  char **syms; /* the requested symbols, owned; out->symbol points here */
  size_t nsym;
  source src;
  duckdb_prepared_statement stmt;
  duckdb_result res;
  int have_res;
  duckdb_data_chunk chunk;
  idx_t row, nrows;
  void *col[R_NCOLS];
  uint64_t *valid[R_NCOLS];
  argo_candle first; /* the first candle, found by open() */
  int first_hist;    /* ... is a warm-up row */
  int have_first;    /* ... and not yet delivered */
  int64_t clock0;    /* clock_start: the first candle that is not warm-up (or the first) */
  int row_hist;      /* the row step() returned last is a warm-up row */
  char **pending;    /* reports of the rows open() skipped on the way to it */
  size_t npending, pending_next;
  long long pending_more;
  /* Per symbol, the time and position of its last valid row: as rows come sorted by time, a
   * row repeating that time is a duplicate. */
  int64_t *seen_t, *seen_pos;
  unsigned char *seen;
  /* CSV lines DuckDB could not read as rows: for the i-th of them (file order), how many rows
   * it did read before it; it numbers its rows without those lines, and file_row() maps its
   * numbers back to rows of the file. */
  int64_t *rej_before;
  size_t nrej;
  /* Counts for the summary at the end. */
  long long n_delivered, n_rejected, n_bad, n_dup, n_unordered;
  int summary_done;
  char notice[ARGO_ERRMSG_MAX]; /* the one report that the file is not in time order */
  int have_notice;
  double speed;
  int started;
  int64_t t0, wall0, last_t;
  argo__waker *waker;
  argo__feed_hooks hooks;
  char msg[ARGO_ERRMSG_MAX];
} replay;

/* DuckDB messages span several lines (hints, a caret under the query); the first is the one
 * that says what happened, and argo's messages are one line. */

static void source_close(source *src) {
  if (src->con) {
    duckdb_disconnect(&src->con);
  }
  if (src->db) {
    duckdb_close(&src->db);
  }
  /* DuckDB removes its spill files when it closes; whatever is left is ours to remove. */
  if (src->tmpdir[0]) {
    DIR *d = opendir(src->tmpdir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", src->tmpdir, e->d_name);
        unlink(path);
      }
    }
    if (d) {
      closedir(d);
    }
    rmdir(src->tmpdir);
    src->tmpdir[0] = '\0';
  }
  argo__sb_free(&src->select);
  argo__sb_free(&src->reader);
}

/* Appends a double-quoted SQL identifier. */
static void put_ident(argo__sb *sb, const char *name) {
  argo__sb_putc(sb, '"');
  for (const char *p = name; *p; p++) {
    if (*p == '"') {
      argo__sb_putc(sb, '"');
    }
    argo__sb_putc(sb, *p);
  }
  argo__sb_putc(sb, '"');
}

static int is_numeric_type(const char *t) {
  static const char *const names[] = {"TINYINT", "SMALLINT", "INTEGER",   "BIGINT",
                                      "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                                      "UBIGINT", "UHUGEINT", "FLOAT",     "DOUBLE"};
  for (size_t i = 0; i < ARGO_ARRAY_LEN(names); i++) {
    if (strcmp(t, names[i]) == 0) {
      return 1;
    }
  }
  return strncmp(t, "DECIMAL", 7) == 0;
}

/* Epoch milliseconds (any numeric expression e) as microseconds; NULL when out of range. Done
 * in DOUBLE, which holds every millisecond of the next 280 000 years exactly. */
static void put_ms_expr(argo__sb *sb, const char *e) {
  argo__sb_printf(sb,
                  "CASE WHEN abs(try_cast(%s AS DOUBLE)) < 9.0e12 THEN "
                  "CAST(try_cast(%s AS DOUBLE) * 1000 AS BIGINT) END",
                  e, e);
}

/* The time column as microseconds since the epoch, whatever its type: a TIMESTAMP (with or
 * without time zone, any precision), a DATE, epoch milliseconds as a number, or text holding
 * either ISO-8601 (offsets applied, none meaning UTC) or epoch milliseconds. Anything else is
 * NULL, which the query reports as a bad time. */
static int put_time_expr(argo__sb *sb, const char *col, const char *type) {
  argo__sb q;
  argo__sb_init(&q);
  put_ident(&q, col);
  const char *c = argo__sb_str(&q);
  int ok = 1;
  if (strcmp(type, "TIMESTAMP WITH TIME ZONE") == 0) {
    argo__sb_printf(sb, "epoch_us(%s)", c);
  } else if (strncmp(type, "TIMESTAMP", 9) == 0 || strcmp(type, "DATE") == 0) {
    argo__sb_printf(sb, "epoch_us(CAST(%s AS TIMESTAMP))", c);
  } else if (is_numeric_type(type)) {
    put_ms_expr(sb, c);
  } else if (strcmp(type, "VARCHAR") == 0) {
    char trimmed[300];
    snprintf(trimmed, sizeof trimmed, "trim(%s)", c);
    argo__sb_printf(sb, "CASE WHEN regexp_full_match(%s, '[+-]?[0-9]+') THEN ", trimmed);
    put_ms_expr(sb, trimmed);
    argo__sb_printf(sb, " ELSE epoch_us(try_cast(%s AS TIMESTAMPTZ)) END", trimmed);
  } else {
    ok = 0;
  }
  argo__sb_free(&q);
  return ok;
}

/* Opens path: checks that it can be read, picks the reader from its first bytes (Parquet files
 * start with "PAR1", anything else is read as CSV), checks the columns and builds src->select.
 * err names the file. */
static argo_err source_open(source *src, const char *path, char *err, size_t errlen) {
  memset(src, 0, sizeof *src);
  argo__sb_init(&src->select);
  argo__sb_init(&src->reader);
  char why[ARGO_ERRMSG_MAX];
  char quoted[8300];
  argo_err rc;
  duckdb_result r;
  int have_r = 0;
  char *types[NCOLS] = {0}, *names[NCOLS] = {0};
  char *hist_name = NULL;

  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    argo__fmt_errno(err, errlen, errno, "cannot open replay file '%s'", path);
    return ARGO_EIO;
  }
  struct stat st;
  memset(&st, 0, sizeof st);
  errno = 0;
  unsigned char magic[4] = {0};
  ssize_t got = 0;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    int e = errno;
    if (e == 0 || S_ISDIR(st.st_mode)) {
      e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    }
    close(fd);
    argo__fmt_errno(err, errlen, e, "cannot read replay file '%s'", path);
    return ARGO_EIO;
  }
  got = read(fd, magic, sizeof magic);
  int read_errno = errno;
  close(fd);
  if (got < 0) {
    argo__fmt_errno(err, errlen, read_errno, "cannot read replay file '%s'", path);
    return ARGO_EIO;
  }
  if (st.st_size == 0) {
    argo__fmt(err, errlen, "replay file '%s' is empty", path);
    return ARGO_ECORRUPT;
  }
  src->csv = !(got == 4 && memcmp(magic, "PAR1", 4) == 0);
  if (argo__sql_quote(path, quoted, sizeof quoted) != 0) {
    argo__fmt(err, errlen, "replay file path too long: '%s'", path);
    return ARGO_EINVAL;
  }

  /* One thread for CSV: the row positions (ordinality) then follow the file's line order. A
   * sort larger than memory spills to disk: to a private temporary folder, not to the in-memory
   * database's default ("./.tmp" in whatever folder argo runs in). */
  argo__duck_opts o = {.threads = src->csv ? 1 : 0};
  const char *tmp = getenv("TMPDIR");
  if (argo__path(src->tmpdir, sizeof src->tmpdir, NULL, 0, "%s/argo-replay-spill-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp") == 0 &&
      mkdtemp(src->tmpdir)) {
    o.temp_dir = src->tmpdir;
  } else {
    src->tmpdir[0] = '\0'; /* no temporary folder: DuckDB keeps the sort in memory */
  }
  if (argo__duck_open(&o, &src->db, &src->con, why, sizeof why) != ARGO_OK) {
    argo__fmt(err, errlen, "cannot read '%s': %s", path, why);
    rc = ARGO_EDB;
    goto fail;
  }
  /* Text times without an offset are UTC, whatever the machine's zone. */
  if (argo__duck_exec(src->con, "SET TimeZone = 'UTC'", why, sizeof why) != ARGO_OK) {
    argo__fmt(err, errlen, "cannot read '%s': DuckDB's time zone cannot be set to UTC: %s", path,
              why);
    rc = ARGO_EDB;
    goto fail;
  }

  argo__sb *reader = &src->reader;
  if (src->csv) {
    /* Every column as text: the query converts with try_cast, so that one bad value makes one
     * bad row instead of a type error for the whole file. A line that is not a row (a field
     * missing or too many) is set aside in REJECTS_TABLE instead of failing the file, and does
     * not mislead the detection of the delimiter either. */
    argo__sb_printf(reader,
                    "read_csv(%s, header = true, all_varchar = true, store_rejects = true, "
                    "rejects_table = '" REJECTS_TABLE "', rejects_scan = '" REJECTS_SCAN "') "
                    "WITH ORDINALITY",
                    quoted);
  } else {
    argo__sb_printf(reader, "read_parquet(%s, file_row_number = true)", quoted);
  }
  argo__sb d;
  argo__sb_init(&d);
  argo__sb_printf(&d, "DESCRIBE SELECT * FROM %s", argo__sb_str(reader));
  if (argo__sb_failed(&d) || argo__sb_failed(reader)) {
    argo__sb_free(&d);
    argo__fmt(err, errlen, "out of memory");
    rc = ARGO_ENOMEM;
    goto fail;
  }
  have_r = 1;
  if (duckdb_query(src->con, argo__sb_str(&d), &r) != DuckDBSuccess) {
    argo__duck_msg(duckdb_result_error(&r), why, sizeof why);
    argo__sb_free(&d);
    argo__fmt(err, errlen, "cannot read replay file '%s' as %s: %s", path,
              src->csv ? "CSV" : "Parquet", why);
    rc = ARGO_ECORRUPT;
    goto fail;
  }
  argo__sb_free(&d);
  idx_t nrows = duckdb_row_count(&r);
  for (idx_t i = 0; i < nrows; i++) {
    char *name = duckdb_value_varchar(&r, 0, i);
    char *type = duckdb_value_varchar(&r, 1, i);
    size_t j = NCOLS;
    for (size_t c = 0; name && c < NCOLS; c++) {
      if (strcasecmp(name, need_cols[c]) == 0 && !names[c]) {
        j = c;
        break;
      }
    }
    if (j < NCOLS) {
      names[j] = name;
      types[j] = type;
    } else if (name && !hist_name && strcasecmp(name, hist_col) == 0) {
      hist_name = name;
      duckdb_free(type);
    } else {
      duckdb_free(name);
      duckdb_free(type);
    }
  }
  argo__sb missing;
  argo__sb_init(&missing);
  for (size_t c = 0; c < NCOLS; c++) {
    if (!names[c]) {
      argo__sb_printf(&missing, "%s%s", missing.len ? ", " : "", need_cols[c]);
    }
  }
  if (missing.len) {
    argo__fmt(err, errlen,
              "replay file '%s' lacks the column(s) %s (it needs time, symbol, open, high, low, "
              "close and volume)",
              path, argo__sb_str(&missing));
    argo__sb_free(&missing);
    rc = ARGO_EFEED;
    goto fail;
  }
  argo__sb_free(&missing);

  argo__sb *s = &src->select;
  argo__sb_printf(s, "SELECT %s AS pos, ", src->csv ? "ordinality" : "file_row_number + 1");
  if (!put_time_expr(s, names[0], types[0])) {
    argo__fmt(err, errlen,
              "replay file '%s': column %s has type %s; expected a TIMESTAMP, ISO-8601 text or "
              "epoch milliseconds",
              path, names[0], types[0]);
    rc = ARGO_EFEED;
    goto fail;
  }
  argo__sb_puts(s, " AS t, CAST(");
  put_ident(s, names[1]);
  argo__sb_puts(s, " AS VARCHAR) AS sym");
  static const char *const alias[] = {"o", "h", "l", "c", "v"};
  for (size_t c = 2; c < NCOLS; c++) {
    argo__sb_puts(s, ", try_cast(");
    put_ident(s, names[c]);
    argo__sb_printf(s, " AS DOUBLE) AS %s", alias[c - 2]);
  }
  /* A session's market_data marks its downloaded history (warm-up rows); a file without the
   * column (an older session's, any other file) holds only rows to trade on. */
  if (hist_name) {
    argo__sb_puts(s, ", coalesce(try_cast(");
    put_ident(s, hist_name);
    argo__sb_puts(s, " AS BOOLEAN), false) AS hist");
  } else {
    argo__sb_puts(s, ", false AS hist");
  }
  argo__sb_printf(s, " FROM %s", argo__sb_str(reader));
  if (argo__sb_failed(s)) {
    argo__fmt(err, errlen, "out of memory");
    rc = ARGO_ENOMEM;
    goto fail;
  }
  rc = ARGO_OK;
  goto done;
fail:
  source_close(src);
done:
  for (size_t c = 0; c < NCOLS; c++) {
    duckdb_free(names[c]);
    duckdb_free(types[c]);
  }
  duckdb_free(hist_name);
  if (have_r) {
    duckdb_destroy_result(&r);
  }
  return rc;
}

/* ---- the feed ---------------------------------------------------------------------------- */

/* Reports kept from open(), where the first candle is looked for before the hooks may be
 * called; next() reports them first. Beyond PENDING_MAX only a count is kept. */
#define PENDING_MAX 100

static void replay_close(void *impl) {
  replay *rp = impl;
  if (!rp) {
    return;
  }
  if (rp->chunk) {
    duckdb_destroy_data_chunk(&rp->chunk);
  }
  if (rp->have_res) {
    duckdb_destroy_result(&rp->res);
  }
  if (rp->stmt) {
    duckdb_destroy_prepare(&rp->stmt);
  }
  source_close(&rp->src);
  for (size_t i = 0; i < rp->nsym; i++) {
    free(rp->syms[i]);
  }
  for (size_t i = 0; i < rp->npending; i++) {
    free(rp->pending[i]);
  }
  free(rp->pending);
  free(rp->seen);
  free(rp->seen_t);
  free(rp->seen_pos);
  free(rp->rej_before);
  free(rp->syms);
  free(rp->path);
  free(rp);
}

static int64_t replay_clock_start(void *impl) {
  return ((replay *)impl)->clock0;
}

static int cell_valid(replay *rp, int col, idx_t row) {
  return !rp->valid[col] || duckdb_validity_row_is_valid(rp->valid[col], row);
}

static int64_t cell_i64(replay *rp, int col, idx_t row) {
  return ((int64_t *)rp->col[col])[row];
}

static double cell_f64(replay *rp, int col, idx_t row) {
  return ((double *)rp->col[col])[row];
}

/* A VARCHAR cell copied into buf ("" when NULL). */
static void cell_str(replay *rp, int col, idx_t row, char *buf, size_t len) {
  if (!cell_valid(rp, col, row)) {
    buf[0] = '\0';
    return;
  }
  duckdb_string_t *v = &((duckdb_string_t *)rp->col[col])[row];
  size_t n = duckdb_string_t_length(*v);
  if (n >= len) {
    n = len - 1;
  }
  memcpy(buf, duckdb_string_t_data(v), n);
  buf[n] = '\0';
}

/* Fetches the next chunk. 1 when there is one, 0 at the end, -1 on error (rp->msg). */
static int fetch_chunk(replay *rp) {
  if (rp->chunk) {
    duckdb_destroy_data_chunk(&rp->chunk);
  }
  for (;;) {
    rp->chunk = duckdb_fetch_chunk(rp->res);
    if (!rp->chunk) {
      const char *e = duckdb_result_error(&rp->res);
      if (e) {
        char why[ARGO_ERRMSG_MAX];
        argo__duck_msg(e, why, sizeof why);
        argo__fmt(rp->msg, sizeof rp->msg, "replay file '%s': %s", rp->path, why);
        return -1;
      }
      return 0;
    }
    rp->nrows = duckdb_data_chunk_get_size(rp->chunk);
    rp->row = 0;
    if (rp->nrows == 0) {
      duckdb_destroy_data_chunk(&rp->chunk);
      continue;
    }
    for (int c = 0; c < R_NCOLS; c++) {
      duckdb_vector v = duckdb_data_chunk_get_vector(rp->chunk, (idx_t)c);
      rp->col[c] = duckdb_vector_get_data(v);
      rp->valid[c] = duckdb_vector_get_validity(v);
    }
    return 1;
  }
}

/* The row of the file (1 is the first after the header) that DuckDB numbered n: n plus the
 * lines it could not read before it, that is those with fewer than n rows read before them. */
static int64_t file_row(const replay *rp, int64_t n) {
  size_t lo = 0, hi = rp->nrej;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (rp->rej_before[mid] < n) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return n + (int64_t)lo;
}

/* The message of row (what is wrong with it, or what happened to it) into buf. */
static void row_text(replay *rp, idx_t row, const char *what, char *buf, size_t len) {
  char sym[64], when[48] = "no time";
  cell_str(rp, R_SYM, row, sym, sizeof sym);
  if (cell_valid(rp, R_TIME, row)) {
    argo_time_format(cell_i64(rp, R_TIME, row), when, sizeof when);
  }
  argo__fmt(buf, len, "replay file '%s': row %lld (%s, %s): %s", rp->path,
            (long long)file_row(rp, cell_i64(rp, R_POS, row)), sym[0] ? sym : "no symbol", when,
            what);
}

/* The message of a skipped row into rp->msg. */
static void row_message(replay *rp, idx_t row, const char *what) {
  char text[ARGO_ERRMSG_MAX];
  row_text(rp, row, what, text, sizeof text);
  argo__fmt(rp->msg, sizeof rp->msg, "%s; skipped", text);
}

/* The next row: STEP_CANDLE (*out), STEP_SKIP (rp->msg says why), STEP_END, or STEP_ERROR
 * (rp->msg). */
enum { STEP_ERROR = -1, STEP_END = 0, STEP_CANDLE = 1, STEP_SKIP = 2 };

static int step(replay *rp, argo_candle *out) {
  if (!rp->chunk || rp->row >= rp->nrows) {
    int r = fetch_chunk(rp);
    if (r <= 0) {
      return r < 0 ? STEP_ERROR : STEP_END;
    }
  }
  idx_t row = rp->row++;
  if (cell_valid(rp, R_BAD, row)) {
    char bad[200];
    cell_str(rp, R_BAD, row, bad, sizeof bad);
    row_message(rp, row, bad);
    rp->n_bad++;
    return STEP_SKIP;
  }
  int64_t t = cell_i64(rp, R_TIME, row);
  int32_t k = ((int32_t *)rp->col[R_IDX])[row];
  char what[200];
  size_t i = (size_t)k - 1;
  if (rp->seen[i] && rp->seen_t[i] == t) {
    argo__fmt(what, sizeof what, "duplicate of row %lld (same symbol and time)",
              (long long)file_row(rp, rp->seen_pos[i]));
    row_message(rp, row, what);
    rp->n_dup++;
    return STEP_SKIP;
  }
  rp->seen[i] = 1;
  rp->seen_t[i] = t;
  rp->seen_pos[i] = cell_i64(rp, R_POS, row);
  if (cell_valid(rp, R_PREV, row) && t < cell_i64(rp, R_PREV, row)) {
    /* The file is not in time order here (a file sorted newest first is not at all): the row
     * is replayed in its place in time, as the sort put it, and the first one is reported. */
    if (rp->n_unordered++ == 0) {
      char pw[48];
      argo_time_format(cell_i64(rp, R_PREV, row), pw, sizeof pw);
      argo__fmt(what, sizeof what,
                "comes after a row of this symbol at %s in the file: the file is not in time "
                "order; its rows are replayed in time order",
                pw);
      row_text(rp, row, what, rp->notice, sizeof rp->notice);
      rp->have_notice = 1;
    }
  }
  rp->row_hist = cell_valid(rp, R_HIST, row) && ((bool *)rp->col[R_HIST])[row];
  out->symbol = rp->syms[k - 1];
  out->time = t;
  out->open = cell_f64(rp, R_O, row);
  out->high = cell_f64(rp, R_H, row);
  out->low = cell_f64(rp, R_L, row);
  out->close = cell_f64(rp, R_C, row);
  out->volume = cell_f64(rp, R_V, row);
  return STEP_CANDLE;
}

/* The summary of the replay into rp->msg, once, when rows were skipped or not in time order
 * (1), else 0: one line with the counts, after the rows reported one by one. */
static int summary(replay *rp) {
  long long skipped = rp->n_rejected + rp->n_bad + rp->n_dup;
  if (rp->summary_done || (skipped == 0 && rp->n_unordered == 0)) {
    return 0;
  }
  rp->summary_done = 1;
  char why[256] = "";
  size_t k = 0;
  const long long n[3] = {rp->n_rejected, rp->n_bad, rp->n_dup};
  static const char *const what[3] = {"not readable as a row of the file",
                                      "with a bad or missing value", "duplicates"};
  for (int i = 0; i < 3; i++) {
    if (n[i] > 0 && k < sizeof why) {
      k += (size_t)snprintf(why + k, sizeof why - k, "%s%lld %s", k ? ", " : "", n[i], what[i]);
    }
  }
  char order[200] = "";
  if (rp->n_unordered > 0) {
    argo__fmt(order, sizeof order,
              "; %lld rows were not in time order in the file and were replayed in time order",
              rp->n_unordered);
  }
  argo__fmt(rp->msg, sizeof rp->msg, "replay file '%s': %lld rows replayed, %lld skipped%s%s%s%s",
            rp->path, rp->n_delivered, skipped, skipped ? " (" : "", why, skipped ? ")" : "",
            order);
  return 1;
}

/* Reports msg: through the error hook (1: go on), or as the feed's SKIP (0, err set). */
static int report(replay *rp, const char *msg, char *err, size_t errlen) {
  if (rp->hooks.error) {
    rp->hooks.error(rp->hooks.user, ARGO_EFEED, msg);
    return 1;
  }
  argo__strlcpy(err, msg, errlen);
  return 0;
}

static int replay_next(void *impl, argo_candle *out, char *err, size_t errlen) {
  replay *rp = impl;
  /* First what open() found before the first candle. */
  while (rp->pending_next < rp->npending || rp->pending_more) {
    char more[ARGO_ERRMSG_MAX];
    const char *m;
    if (rp->pending_next < rp->npending) {
      m = rp->pending[rp->pending_next++];
    } else {
      argo__fmt(more, sizeof more,
                "replay file '%s': %lld more rows before the first candle were skipped", rp->path,
                (long long)rp->pending_more);
      rp->pending_more = 0;
      m = more;
    }
    if (!report(rp, m, err, errlen)) {
      return ARGO_FEED_SKIP;
    }
  }
  if (rp->have_notice) {
    rp->have_notice = 0;
    if (!report(rp, rp->notice, err, errlen)) {
      return ARGO_FEED_SKIP;
    }
  }
  argo_candle c;
  int hist;
  if (rp->have_first) {
    rp->have_first = 0;
    c = rp->first;
    hist = rp->first_hist;
  } else {
    for (;;) {
      int r = step(rp, &c);
      if (r == STEP_CANDLE) {
        break;
      }
      if (r == STEP_END) {
        /* The summary, once; without an error hook it is the last SKIP before the END. */
        if (summary(rp) && !report(rp, rp->msg, err, errlen)) {
          return ARGO_FEED_SKIP;
        }
        return ARGO_FEED_END;
      }
      if (r == STEP_ERROR) {
        argo__strlcpy(err, rp->msg, errlen);
        return ARGO_FEED_FATAL;
      }
      if (!report(rp, rp->msg, err, errlen)) {
        return ARGO_FEED_SKIP;
      }
    }
    hist = rp->row_hist;
  }
  if (hist) {
    /* Warm-up rows come as fast as they can, as a prefetch does; pacing starts after them. */
    rp->n_delivered++;
    *out = c;
    return ARGO_FEED_HISTORY;
  }
  /* Pacing: a new candle time is released at wall0 + (t - t0) / speed. */
  if (rp->speed > 0) {
    if (!rp->started) {
      rp->t0 = c.time;
      rp->wall0 = argo__mono_us();
    } else if (c.time != rp->last_t) {
      int64_t due = rp->wall0 + (int64_t)((double)(c.time - rp->t0) / rp->speed);
      if (argo__waker_sleep_until(rp->waker, due)) {
        return ARGO_FEED_END;
      }
    }
  }
  rp->started = 1;
  rp->last_t = c.time;
  rp->n_delivered++;
  *out = c;
  return ARGO_FEED_CANDLE;
}

static const argo__feed_ops replay_ops = {.name = "replay",
                                          .next = replay_next,
                                          .clock_start = replay_clock_start,
                                          .close = replay_close};

/* The rows of the requested symbols and time range, checked: "WITH src AS (...), chk AS
 * (...) " (then a SELECT from chk). */
static int build_chk(replay *rp, const argo__settings *st, argo__sb *q) {
  argo__sb list;
  argo__sb_init(&list);
  for (size_t i = 0; i < rp->nsym; i++) {
    char quoted[200];
    if (argo__sql_quote(rp->syms[i], quoted, sizeof quoted) != 0) {
      argo__sb_free(&list);
      return -1;
    }
    argo__sb_printf(&list, "%s%s", i ? ", " : "", quoted);
  }
  int64_t lo = st->has_start ? st->start_us : INT64_MIN;
  int64_t hi = st->end_us ? st->end_us : INT64_MAX;
  argo__sb_printf(
      q,
      "WITH src AS (%s), "
      "chk AS (SELECT *, list_position([%s], sym) AS k, "
      "CASE WHEN t IS NULL THEN 'the time is missing or not a time' "
      "WHEN t <= 0 OR t > %lld THEN 'the time is not " ARGO__TIME_RANGE "' "
      "WHEN sym IS NULL THEN 'the symbol is missing' "
      "WHEN o IS NULL OR h IS NULL OR l IS NULL OR c IS NULL OR v IS NULL "
      "THEN 'a price or the volume is missing or not a number' "
      "WHEN NOT (isfinite(o) AND isfinite(h) AND isfinite(l) AND isfinite(c) AND isfinite(v)) "
      "THEN 'a price or the volume is not finite (NaN or infinite)' "
      "WHEN o <= 0 OR h <= 0 OR l <= 0 OR c <= 0 THEN 'a price is not positive' "
      "WHEN h < l THEN 'high is below low' "
      "WHEN o > h OR o < l OR c > h OR c < l THEN 'open or close is outside low..high' "
      "WHEN v < 0 THEN 'the volume is negative' END AS bad "
      "FROM src WHERE (sym IS NULL OR sym IN (%s)) "
      "AND (t IS NULL OR (t >= %lld AND t < %lld))) ",
      argo__sb_str(&rp->src.select), argo__sb_str(&list), (long long)ARGO__TIME_MAX,
      argo__sb_str(&list), (long long)lo, (long long)hi);
  int failed = argo__sb_failed(&list);
  argo__sb_free(&list);
  return failed || argo__sb_failed(q) ? -1 : 0;
}

/* The streamed query; see the file's opening comment. */
static int build_query(replay *rp, const argo__settings *st, argo__sb *q) {
  if (build_chk(rp, st, q) != 0) {
    return -1;
  }
  argo__sb_puts(q, "SELECT CAST(pos AS BIGINT), CAST(t AS BIGINT), sym, CAST(k AS INTEGER), o, "
                   "h, l, c, v, bad, CAST(max(CASE WHEN bad IS NULL THEN t END) OVER (PARTITION "
                   "BY sym ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "
                   "BIGINT), hist FROM chk ORDER BY t NULLS FIRST, pos");
  return argo__sb_failed(q) ? -1 : 0;
}

/* The session clock of a file that opens with warm-up rows: the time of its first valid row to
 * trade on, so that a replay of a session that prefetched history starts in the day folder that
 * session started in (its history is stored there, as it was then). The first candle's time
 * when every row is warm-up. */
static void find_clock(replay *rp, const argo__settings *st) {
  rp->clock0 = rp->first.time;
  if (!rp->first_hist) {
    return;
  }
  /* A connection of its own: a query on the streaming one would end the stream. */
  duckdb_connection con = NULL;
  argo__sb q;
  argo__sb_init(&q);
  if (duckdb_connect(rp->src.db, &con) == DuckDBSuccess && build_chk(rp, st, &q) == 0) {
    duckdb_result tz;
    duckdb_query(con, "SET TimeZone = 'UTC'", &tz); /* as on the streaming connection */
    duckdb_destroy_result(&tz);
    argo__sb_puts(&q, "SELECT CAST(min(t) AS BIGINT) FROM chk WHERE bad IS NULL AND NOT hist");
    duckdb_result r;
    if (!argo__sb_failed(&q)) {
      if (duckdb_query(con, argo__sb_str(&q), &r) == DuckDBSuccess && duckdb_row_count(&r) == 1 &&
          !duckdb_value_is_null(&r, 0, 0)) {
        rp->clock0 = duckdb_value_int64(&r, 0, 0);
      }
      duckdb_destroy_result(&r);
    }
  }
  if (con) {
    duckdb_disconnect(&con);
  }
  argo__sb_free(&q);
}

/* Keeps a report made in open() for the first next(); beyond PENDING_MAX only counts it. */
static void keep_report(replay *rp, const char *msg) {
  if (rp->npending < PENDING_MAX) {
    if (!rp->pending) {
      rp->pending = calloc(PENDING_MAX, sizeof *rp->pending);
    }
    char *m = rp->pending ? argo__strdup(msg) : NULL;
    if (m) {
      rp->pending[rp->npending++] = m;
      return;
    }
  }
  rp->pending_more++;
}

/* Reads up to the first candle (its time is clock_start, needed before the first next()),
 * keeping the reports of the rows skipped on the way. 1 found, 0 none, -1 error (rp->msg). */
static int find_first(replay *rp) {
  for (;;) {
    int r = step(rp, &rp->first);
    if (r == STEP_CANDLE) {
      rp->have_first = 1;
      rp->first_hist = rp->row_hist;
      return 1;
    }
    if (r != STEP_SKIP) {
      return r == STEP_END ? 0 : -1;
    }
    keep_report(rp, rp->msg);
  }
}

/* CSV: scans the file once so that DuckDB sets aside the lines it cannot read as rows, then
 * keeps a report of each (with its line) and, for file_row(), how many rows were read before
 * it. ARGO_OK, or an error with err set. */
static argo_err load_rejects(replay *rp, char *err, size_t errlen) {
  char why[ARGO_ERRMSG_MAX];
  argo__sb q;
  argo__sb_init(&q);
  argo__sb_printf(&q, "SELECT count(*) FROM %s", argo__sb_str(&rp->src.reader));
  if (argo__sb_failed(&q)) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  if (argo__duck_exec(rp->src.con, argo__sb_str(&q), why, sizeof why) != ARGO_OK) {
    argo__sb_free(&q);
    argo__fmt(err, errlen, "cannot read replay file '%s' as CSV: %s", rp->path, why);
    return ARGO_ECORRUPT;
  }
  argo__sb_free(&q);
  /* One report per line (a line may have several errors: the first says enough). */
  duckdb_result r;
  if (duckdb_query(rp->src.con,
                   "SELECT CAST(line AS BIGINT) AS line, first(CAST(error_type AS VARCHAR)), "
                   "first(error_message) FROM " REJECTS_TABLE " GROUP BY line ORDER BY line",
                   &r) != DuckDBSuccess) {
    argo__duck_msg(duckdb_result_error(&r), why, sizeof why);
    duckdb_destroy_result(&r);
    argo__fmt(err, errlen, "cannot read replay file '%s' as CSV: %s", rp->path, why);
    return ARGO_ECORRUPT;
  }
  idx_t n = duckdb_row_count(&r);
  if (n > 0 && !(rp->rej_before = calloc(n, sizeof *rp->rej_before))) {
    duckdb_destroy_result(&r);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  for (idx_t i = 0; i < n; i++) {
    /* DuckDB counts the header as line 1: the line's row is line - 1, and i lines before it
     * were not read as rows. */
    int64_t line = duckdb_value_int64(&r, 0, i);
    rp->rej_before[rp->nrej++] = line - 1 - (int64_t)i - 1;
    char *type = duckdb_value_varchar(&r, 1, i);
    char *text = duckdb_value_varchar(&r, 2, i);
    char what[300];
    int expected = 0, found = 0;
    if (text && sscanf(text, "Expected Number of Columns: %d Found: %d", &expected, &found) == 2) {
      argo__fmt(what, sizeof what, "%d fields where the header has %d", found, expected);
    } else {
      argo__duck_msg(text, why, sizeof why);
      argo__fmt(what, sizeof what, "%s%s%s", type ? type : "", type ? ": " : "", why);
    }
    char msg[ARGO_ERRMSG_MAX];
    argo__fmt(msg, sizeof msg,
              "replay file '%s': row %lld (line %lld): not readable as a row: %s; skipped",
              rp->path, (long long)(line - 1), (long long)line, what);
    keep_report(rp, msg);
    duckdb_free(type);
    duckdb_free(text);
  }
  rp->n_rejected = (long long)n;
  duckdb_destroy_result(&r);
  return ARGO_OK;
}

argo_err argo__feed_replay_open(argo__feed *out, const argo__settings *st, argo__waker *waker,
                                const argo__feed_hooks *hooks, char *err, size_t errlen) {
  if (!st->replay_file || !*st->replay_file) {
    argo__fmt(err, errlen, "the replay feed needs a file (market_data.replay_file)");
    return ARGO_ECONFIG;
  }
  if (st->nsymbols == 0) {
    argo__fmt(err, errlen, "the replay feed needs at least one symbol");
    return ARGO_ECONFIG;
  }
  if (st->has_start && st->end_us && st->end_us <= st->start_us) {
    argo__fmt(err, errlen, "market_data.end must be later than market_data.start");
    return ARGO_ECONFIG;
  }
  argo_err rc;
  argo__sb q;
  argo__sb_init(&q);
  duckdb_pending_result pending = NULL;
  replay *rp = calloc(1, sizeof *rp);
  if (!rp) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  argo__sb_init(&rp->src.select);
  rp->path = argo__strdup(st->replay_file);
  rp->syms = calloc(st->nsymbols, sizeof *rp->syms);
  rp->seen = calloc(st->nsymbols, sizeof *rp->seen);
  rp->seen_t = calloc(st->nsymbols, sizeof *rp->seen_t);
  rp->seen_pos = calloc(st->nsymbols, sizeof *rp->seen_pos);
  if (!rp->path || !rp->syms || !rp->seen || !rp->seen_t || !rp->seen_pos) {
    goto oom;
  }
  for (; rp->nsym < st->nsymbols; rp->nsym++) {
    if (!(rp->syms[rp->nsym] = argo__strdup(st->symbols[rp->nsym]))) {
      goto oom;
    }
  }
  rp->speed = st->speed;
  rp->waker = waker;
  if (hooks) {
    rp->hooks = *hooks;
  }
  rc = source_open(&rp->src, rp->path, err, errlen);
  if (rc) {
    goto fail;
  }
  if (rp->src.csv && (rc = load_rejects(rp, err, errlen)) != ARGO_OK) {
    goto fail;
  }
  if (build_query(rp, st, &q) != 0) {
    goto oom;
  }
  char why[ARGO_ERRMSG_MAX];
  if (duckdb_prepare(rp->src.con, argo__sb_str(&q), &rp->stmt) != DuckDBSuccess) {
    argo__duck_msg(duckdb_prepare_error(rp->stmt), why, sizeof why);
    argo__fmt(err, errlen, "cannot read replay file '%s': %s", rp->path, why);
    rc = ARGO_ECORRUPT;
    goto fail;
  }
  /* Streaming (rather than a materialized result): DuckDB hands out the sorted rows chunk by
   * chunk. The call is marked deprecated in DuckDB 1.4's header but is the C API's only way to
   * stream; the pinned version has it. */
  if (duckdb_pending_prepared_streaming(rp->stmt, &pending) != DuckDBSuccess) {
    argo__duck_msg(duckdb_pending_error(pending), why, sizeof why);
    argo__fmt(err, errlen, "cannot read replay file '%s': %s", rp->path, why);
    rc = ARGO_ECORRUPT;
    goto fail;
  }
  rp->have_res = 1;
  if (duckdb_execute_pending(pending, &rp->res) != DuckDBSuccess) {
    argo__duck_msg(duckdb_result_error(&rp->res), why, sizeof why);
    argo__fmt(err, errlen, "cannot read replay file '%s': %s", rp->path, why);
    rc = ARGO_ECORRUPT;
    goto fail;
  }
  duckdb_destroy_pending(&pending);
  int r = find_first(rp);
  if (r < 0) {
    argo__strlcpy(err, rp->msg, errlen);
    rc = ARGO_ECORRUPT;
    goto fail;
  }
  if (r == 0) {
    argo__fmt(err, errlen, "replay file '%s' holds no valid candle of the requested symbols%s",
              rp->path, st->has_start || st->end_us ? " in the requested time range" : "");
    rc = ARGO_EFEED;
    goto fail;
  }
  find_clock(rp, st);
  argo__sb_free(&q);
  out->ops = &replay_ops;
  out->impl = rp;
  return ARGO_OK;
oom:
  argo__fmt(err, errlen, "out of memory");
  rc = ARGO_ENOMEM;
fail:
  if (pending) {
    duckdb_destroy_pending(&pending);
  }
  argo__sb_free(&q);
  replay_close(rp);
  return rc;
}

/* ---- symbols of a file ------------------------------------------------------------------- */

void argo__feed_replay_symbols_free(char **syms, size_t n) {
  for (size_t i = 0; syms && i < n; i++) {
    free(syms[i]);
  }
  free(syms);
}

argo_err argo__feed_replay_symbols(const char *path, char ***out, size_t *n, char *err,
                                   size_t errlen) {
  *out = NULL;
  *n = 0;
  source src;
  argo__sb q;
  argo__sb_init(&q);
  char **syms = NULL;
  size_t count = 0;
  duckdb_result r;
  int have_r = 0;
  argo_err rc = source_open(&src, path, err, errlen);
  if (rc) {
    return rc;
  }
  argo__sb_printf(&q, "SELECT DISTINCT sym FROM (%s) WHERE sym IS NOT NULL ORDER BY sym",
                  argo__sb_str(&src.select));
  if (argo__sb_failed(&q)) {
    goto oom;
  }
  have_r = 1;
  if (duckdb_query(src.con, argo__sb_str(&q), &r) != DuckDBSuccess) {
    char why[ARGO_ERRMSG_MAX];
    argo__duck_msg(duckdb_result_error(&r), why, sizeof why);
    argo__fmt(err, errlen, "cannot read replay file '%s': %s", path, why);
    rc = ARGO_ECORRUPT;
    goto fail;
  }
  idx_t rows = duckdb_row_count(&r);
  syms = calloc(rows ? rows : 1, sizeof *syms);
  if (!syms) {
    goto oom;
  }
  for (; count < rows; count++) {
    char *v = duckdb_value_varchar(&r, 0, count);
    syms[count] = argo__strdup(v);
    duckdb_free(v);
    if (!syms[count]) {
      goto oom;
    }
  }
  duckdb_destroy_result(&r);
  argo__sb_free(&q);
  source_close(&src);
  *out = syms;
  *n = count;
  return ARGO_OK;
oom:
  argo__fmt(err, errlen, "out of memory");
  rc = ARGO_ENOMEM;
fail:
  argo__feed_replay_symbols_free(syms, count);
  if (have_r) {
    duckdb_destroy_result(&r);
  }
  argo__sb_free(&q);
  source_close(&src);
  return rc;
}
