/* Store: DuckDB tables, order upserts, Parquet export with exact schemas, failed exports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/batch.h"
#include "persist/empty_parquet.h"
#include "persist/schema.h"
#include "persist/store.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

static char dir[4096];

static void add_order(argo__batch *b, const char *id, const char *status, double qty) {
  size_t r = argo__batch_add(b);
  CHECK(r != (size_t)-1);
  argo__batch_text(b, ORD_ID, r, id);
  argo__batch_text(b, ORD_SYMBOL, r, "BTCUSDT");
  argo__batch_text(b, ORD_SIDE, r, "BUY");
  argo__batch_text(b, ORD_TYPE, r, "LIMIT");
  argo__batch_f64(b, ORD_QTY, r, qty);
  argo__batch_f64(b, ORD_PRICE, r, 100.5);
  argo__batch_i64(b, ORD_TS, r, 1759309200000000LL);
  argo__batch_text(b, ORD_STATUS, r, status);
  argo__batch_text(b, ORD_STRATEGY, r, "test");
  argo__batch_text(b, ORD_POSTYPE, r, "LONG");
  argo__batch_text(b, ORD_REASON, r, "");
}

static void add_candles(argo__batch *b, int n, int64_t t0) {
  for (int i = 0; i < n; i++) {
    size_t r = argo__batch_add(b);
    CHECK(r != (size_t)-1);
    argo__batch_i64(b, MD_TIME, r, t0 + (int64_t)i * 60000000);
    argo__batch_text(b, MD_SYMBOL, r, i % 2 ? "ETHUSDT" : "BTCUSDT");
    argo__batch_f64(b, MD_OPEN, r, 100 + i);
    argo__batch_f64(b, MD_HIGH, r, 101 + i);
    argo__batch_f64(b, MD_LOW, r, 99 + i);
    argo__batch_f64(b, MD_CLOSE, r, 100.5 + i);
    argo__batch_f64(b, MD_VOLUME, r, 10);
    argo__batch_i64(b, MD_HISTORY, r, i % 7 == 0);
  }
}

/* One candle of symbol at t0. */
static void add_candle_of(argo__batch *b, const char *symbol, int64_t t0) {
  size_t r = argo__batch_add(b);
  CHECK(r != (size_t)-1);
  argo__batch_i64(b, MD_TIME, r, t0);
  argo__batch_text(b, MD_SYMBOL, r, symbol);
  for (int c = MD_OPEN; c <= MD_VOLUME; c++) {
    argo__batch_f64(b, c, r, 1);
  }
  argo__batch_i64(b, MD_HISTORY, r, 0);
}

static argo__store *open_store(void) {
  argo__store *st = NULL;
  char err[512];
  CHECK_MSG(argo__store_open(&st, 1, err, sizeof err) == ARGO_OK, "%s", err);
  return st;
}

static void export_all(argo__store *st) {
  char err[512];
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    CHECK_MSG(argo__store_export(st, (argo__table_id)t, dir, err, sizeof err) == ARGO_OK, "%s",
              err);
  }
}

/* The quoted SQL literal of dir/file (see tu_sql_str). */
static const char *fpath(const char *file) {
  char p[8400];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  return tu_sql_str(p);
}

static void check_schema(tu_db *db, argo__table_id id) {
  char p[8400];
  snprintf(p, sizeof p, "%s/%s", dir, argo__schema(id)->file);
  tu_check_design_schema(db, p, argo__schema(id)->file);
}

TEST(store_empty_tables_publish_files_with_exact_schema) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("store-schema"));
  argo__store *st = open_store();
  export_all(st);
  tu_db db;
  tu_db_open(&db);
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    check_schema(&db, (argo__table_id)t);
    char sql[8400];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)",
             fpath(argo__schema((argo__table_id)t)->file));
    CHECK_EQ_INT(0, tu_q_int(&db, sql));
  }
  tu_db_close(&db);
  argo__store_close(st);
  tu_rm_rf(dir);
}

/* The empty files come from bytes generated at build time (no COPY): they must be what this
 * DuckDB writes for the store's empty tables, or a day's first files would differ from the
 * files DuckDB writes, or go stale after a DuckDB upgrade. */
TEST(store_empty_files_are_what_duckdb_writes_for_an_empty_table) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("store-empty"));
  tu_db db;
  tu_db_open(&db);
  argo__sb sb;
  argo__sb_init(&sb);
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    const argo__table *tab = argo__schema((argo__table_id)t);
    argo__sb_reset(&sb);
    argo__schema_enum_sql(tab, &sb);
    argo__schema_create_sql(tab, tab->name, NULL, &sb);
    argo__sb_printf(&sb, "; COPY %s TO %s (FORMAT PARQUET)", tab->name, fpath(tab->file));
    char err[512];
    CHECK_MSG(tu_exec(&db, argo__sb_str(&sb), err, sizeof err) == 0, "%s", err);
    char p[8400];
    snprintf(p, sizeof p, "%s/%s", dir, tab->file);
    char *copied = NULL;
    size_t len = 0, elen = 0;
    CHECK(argo__fs_read_all(p, &copied, &len) == 0);
    const unsigned char *bytes = argo__empty_parquet((argo__table_id)t, &elen);
    CHECK_EQ_INT((long long)len, (long long)elen);
    CHECK_MSG(len == elen && memcmp(copied, bytes, len) == 0, "%s differs", tab->file);
    free(copied);
    /* And writing them publishes a file DuckDB reads as the table, with no rows. */
    CHECK(remove(p) == 0);
    CHECK_MSG(argo__empty_parquet_write((argo__table_id)t, dir, err, sizeof err) == ARGO_OK, "%s",
              err);
    check_schema(&db, (argo__table_id)t);
    char sql[8400];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", fpath(tab->file));
    CHECK_EQ_INT(0, tu_q_int(&db, sql));
  }
  argo__sb_free(&sb);
  tu_db_close(&db);
  tu_rm_rf(dir);
}

TEST(store_market_data_round_trips_across_many_chunks) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("store-md"));
  argo__store *st = open_store();
  argo__batch b;
  argo__batch_init(&b, ARGO_T_MARKET_DATA);
  add_candles(&b, 5000, 1759276800000000LL);
  char err[512];
  CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(5000, argo__store_count(st, ARGO_T_MARKET_DATA));
  export_all(st);
  tu_db db;
  tu_db_open(&db);
  char sql[8400];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", fpath("market_data.parquet"));
  CHECK_EQ_INT(5000, tu_q_int(&db, sql));
  /* sum(open) = sum(100 + i) for i < 5000 = 500000 + 12497500 */
  snprintf(sql, sizeof sql, "SELECT sum(open) FROM read_parquet(%s)", fpath("market_data.parquet"));
  CHECK_NEAR(12997500.0, tu_q_double(&db, sql), 1e-6);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s) WHERE symbol = 'ETHUSDT'",
           fpath("market_data.parquet"));
  CHECK_EQ_INT(2500, tu_q_int(&db, sql));
  /* The history flag of every seventh candle, and no NULL. */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FILTER (WHERE history) * 10000 + count(*) FILTER (WHERE history IS "
           "NULL) FROM read_parquet(%s)",
           fpath("market_data.parquet"));
  CHECK_EQ_INT(715 * 10000, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT strftime(min(time), '%%Y-%%m-%%d %%H:%%M') FROM "
           "read_parquet(%s)",
           fpath("market_data.parquet"));
  char *first = tu_q_str(&db, sql);
  CHECK_STR("2025-10-01 00:00", first);
  free(first);
  tu_db_close(&db);
  argo__batch_free(&b);
  argo__store_close(st);
  tu_rm_rf(dir);
}

/* With the session's symbols set, market_data.symbol is an ENUM of them: the file holds the same
 * strings (a VARCHAR column to readers, as docs/design.md section 4 says), a row of another symbol
 * is refused with its value named, and the next store of the process (which takes this one's
 * database) starts empty, with a VARCHAR symbol again. */
TEST(store_symbols_enum_reads_back_as_strings_and_refuses_others) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("store-syms"));
  argo__store *st = open_store();
  const char *syms[] = {"BTCUSDT", "ETHUSDT"};
  char err[512];
  CHECK_MSG(argo__store_set_symbols(st, syms, 2, err, sizeof err) == ARGO_OK, "%s", err);
  argo__batch b;
  argo__batch_init(&b, ARGO_T_MARKET_DATA);
  add_candles(&b, 3000, 1759276800000000LL);
  CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
  export_all(st);
  tu_db db;
  tu_db_open(&db);
  check_schema(&db, ARGO_T_MARKET_DATA);
  char sql[8400];
  snprintf(sql, sizeof sql,
           "SELECT string_agg(symbol || ':' || n, ',' ORDER BY symbol) FROM (SELECT symbol, "
           "count(*) AS n FROM read_parquet(%s) GROUP BY symbol)",
           fpath("market_data.parquet"));
  char *got = tu_q_str(&db, sql);
  CHECK_STR("BTCUSDT:1500,ETHUSDT:1500", got);
  free(got);
  /* Symbols cannot change once the table has rows. */
  const char *other[] = {"SOLUSDT"};
  CHECK(argo__store_set_symbols(st, other, 1, err, sizeof err) == ARGO_ESTATE);
  argo__batch_clear(&b);
  add_candle_of(&b, "SOLUSDT", 1759276800000000LL);
  CHECK(argo__store_append(st, &b, err, sizeof err) == ARGO_EINVAL);
  CHECK_MSG(strstr(err, "market_data.symbol") && strstr(err, "SOLUSDT"), "%s", err);
  argo__store_close(st);
  /* The next store: empty tables, any symbol again. */
  st = open_store();
  CHECK_EQ_INT(0, argo__store_count(st, ARGO_T_MARKET_DATA));
  CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
  export_all(st);
  snprintf(sql, sizeof sql, "SELECT string_agg(symbol, ',') FROM read_parquet(%s)",
           fpath("market_data.parquet"));
  got = tu_q_str(&db, sql);
  CHECK_STR("SOLUSDT", got);
  free(got);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", fpath("orders.parquet"));
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  tu_db_close(&db);
  argo__batch_free(&b);
  argo__store_close(st);
  tu_rm_rf(dir);
}

/* More symbols than a one-byte ENUM holds: the column stays VARCHAR and takes them all. */
TEST(store_many_symbols_stay_varchar) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("store-manysyms"));
  argo__store *st = open_store();
  static char names[300][16];
  const char *syms[300];
  for (int i = 0; i < 300; i++) {
    snprintf(names[i], sizeof names[i], "S%03dUSDT", i);
    syms[i] = names[i];
  }
  char err[512];
  CHECK_MSG(argo__store_set_symbols(st, syms, 300, err, sizeof err) == ARGO_OK, "%s", err);
  argo__batch b;
  argo__batch_init(&b, ARGO_T_MARKET_DATA);
  for (int i = 0; i < 300; i++) {
    add_candle_of(&b, syms[i], 1759276800000000LL);
  }
  CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
  export_all(st);
  tu_db db;
  tu_db_open(&db);
  char sql[8400];
  snprintf(sql, sizeof sql, "SELECT count(DISTINCT symbol) FROM read_parquet(%s)",
           fpath("market_data.parquet"));
  CHECK_EQ_INT(300, tu_q_int(&db, sql));
  tu_db_close(&db);
  argo__batch_free(&b);
  argo__store_close(st);
  tu_rm_rf(dir);
}

TEST(store_orders_hold_one_row_with_the_latest_status) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("store-orders"));
  argo__store *st = open_store();
  argo__batch b;
  argo__batch_init(&b, ARGO_T_ORDERS);
  char err[512];
  add_order(&b, "o-1", "PENDING", 1);
  add_order(&b, "o-2", "PENDING", 2);
  add_order(&b, "o-1", "FILLED", 1); /* same batch: the later row wins */
  CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
  argo__batch_clear(&b);
  add_order(&b, "o-2", "CANCELLED", 2); /* a later batch: an update */
  add_order(&b, "o-3", "REJECTED", 3);
  CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
  export_all(st);
  tu_db db;
  tu_db_open(&db);
  char sql[8400];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", fpath("orders.parquet"));
  CHECK_EQ_INT(3, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT string_agg(order_id || '=' || status, ',' ORDER BY order_id) FROM "
           "read_parquet(%s)",
           fpath("orders.parquet"));
  char *s = tu_q_str(&db, sql);
  CHECK_STR("o-1=FILLED,o-2=CANCELLED,o-3=REJECTED", s);
  free(s);
  tu_db_close(&db);
  argo__batch_free(&b);
  argo__store_close(st);
  tu_rm_rf(dir);
}

static int64_t rows_in(tu_db *db, const char *file) {
  char sql[8400];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", fpath(file));
  return tu_q_int(db, sql);
}

TEST(store_failed_export_leaves_the_published_file_intact) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("store-fault"));
  argo__store *st = open_store();
  argo__batch b;
  argo__batch_init(&b, ARGO_T_MARKET_DATA);
  add_candles(&b, 10, 0);
  char err[512];
  CHECK(argo__store_append(st, &b, err, sizeof err) == ARGO_OK);
  CHECK(argo__store_export(st, ARGO_T_MARKET_DATA, dir, err, sizeof err) == ARGO_OK);
  argo__batch_clear(&b);
  add_candles(&b, 5, 0);
  CHECK(argo__store_append(st, &b, err, sizeof err) == ARGO_OK);
  const argo__io_op ops[] = {ARGO_IO_WRITE, ARGO_IO_FSYNC, ARGO_IO_RENAME};
  const int errs[] = {ENOSPC, EIO, EACCES};
  tu_db db;
  tu_db_open(&db);
  for (size_t i = 0; i < 3; i++) {
    argo__io_fault_set(ops[i], 1, 1, errs[i]);
    err[0] = '\0';
    CHECK(argo__store_export(st, ARGO_T_MARKET_DATA, dir, err, sizeof err) == ARGO_EIO);
    argo__io_fault_set(ops[i], 0, 0, 0);
    CHECK_CONTAINS(err, dir);
    CHECK_CONTAINS(err, strerror(errs[i]));
    CHECK_EQ_INT(10, rows_in(&db, "market_data.parquet"));
    char tmp[8400];
    snprintf(tmp, sizeof tmp, "%s/.market_data.parquet.tmp", dir);
    CHECK_MSG(!argo__fs_exists(tmp), "temporary file left behind: %s", tmp);
  }
  /* Once the fault is gone, the next export publishes every row. */
  CHECK(argo__store_export(st, ARGO_T_MARKET_DATA, dir, err, sizeof err) == ARGO_OK);
  CHECK_EQ_INT(15, rows_in(&db, "market_data.parquet"));
  tu_db_close(&db);
  argo__batch_free(&b);
  argo__store_close(st);
  tu_rm_rf(dir);
}

TEST(store_reset_starts_a_new_empty_day) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("store-reset"));
  argo__store *st = open_store();
  argo__batch b;
  argo__batch_init(&b, ARGO_T_ORDERS);
  char err[512];
  add_order(&b, "o-1", "PENDING", 1);
  CHECK(argo__store_append(st, &b, err, sizeof err) == ARGO_OK);
  CHECK_MSG(argo__store_reset(st, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(0, argo__store_count(st, ARGO_T_ORDERS));
  /* The same order on the new day is a new row (its latest status on that day). */
  argo__batch_clear(&b);
  add_order(&b, "o-1", "FILLED", 1);
  CHECK(argo__store_append(st, &b, err, sizeof err) == ARGO_OK);
  export_all(st);
  tu_db db;
  tu_db_open(&db);
  CHECK_EQ_INT(1, rows_in(&db, "orders.parquet"));
  tu_db_close(&db);
  argo__batch_free(&b);
  argo__store_close(st);
  tu_rm_rf(dir);
}

TEST(store_paths_with_quotes_are_escaped) {
  char base[4096];
  snprintf(base, sizeof base, "%s", tu_tmpdir("store-quote"));
  snprintf(dir, sizeof dir, "%s/it's here; DROP TABLE x", base);
  char err[512];
  CHECK(argo__fs_mkdir_p(dir, 0755, err, sizeof err) == 0);
  argo__store *st = open_store();
  export_all(st);
  char p[8400];
  snprintf(p, sizeof p, "%s/orders.parquet", dir);
  CHECK(argo__fs_exists(p));
  /* Readers quote the path the same way and read what was written. */
  tu_db db;
  tu_db_open(&db);
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    check_schema(&db, (argo__table_id)t);
    CHECK_EQ_INT(0, rows_in(&db, argo__schema((argo__table_id)t)->file));
  }
  tu_db_close(&db);
  char q[64];
  CHECK(argo__sql_quote("a'b", q, sizeof q) == 0);
  CHECK_STR("'a''b'", q);
  argo__store_close(st);
  tu_rm_rf(base);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(store_empty_tables_publish_files_with_exact_schema);
  RUN(store_empty_files_are_what_duckdb_writes_for_an_empty_table);
  RUN(store_market_data_round_trips_across_many_chunks);
  RUN(store_symbols_enum_reads_back_as_strings_and_refuses_others);
  RUN(store_many_symbols_stay_varchar);
  RUN(store_orders_hold_one_row_with_the_latest_status);
  RUN(store_failed_export_leaves_the_published_file_intact);
  RUN(store_reset_starts_a_new_empty_day);
  RUN(store_paths_with_quotes_are_escaped);
  return test_summary();
}
