/* The day's file extended by segments (persist/dayfile.c) and its footer writer
 * (persist/pqfoot.c): files read back by DuckDB equal the rows written, across many
 * publications of every size, with small segments merged; orders updated in place; a segment
 * argo cannot read falls back to encoding the table whole, the published file untouched. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "persist/batch.h"
#include "persist/dayfile.h"
#include "persist/pqfoot.h"
#include "persist/schema.h"
#include "persist/store.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

static char dir[4096];

static argo__store *open_extending(void) {
  argo__store *st = NULL;
  char err[512];
  CHECK_MSG(argo__store_open(&st, 1, err, sizeof err) == ARGO_OK, "%s", err);
  argo__store_set_extend(st, 1);
  return st;
}

static const char *fpath(const char *file) {
  char p[8400];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  return tu_sql_str(p);
}

/* n candles numbered from k (time, open and volume say which). */
static void add_candles(argo__batch *b, int64_t k, int64_t n) {
  static const char *const sym[3] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
  for (int64_t i = k; i < k + n; i++) {
    size_t r = argo__batch_add(b);
    CHECK(r != (size_t)-1);
    argo__batch_i64(b, MD_TIME, r, 1759276800000000LL + i * 1000000);
    argo__batch_text(b, MD_SYMBOL, r, sym[i % 3]);
    argo__batch_f64(b, MD_OPEN, r, (double)i);
    argo__batch_f64(b, MD_HIGH, r, (double)i + 0.5);
    argo__batch_f64(b, MD_LOW, r, (double)i - 0.5);
    argo__batch_f64(b, MD_CLOSE, r, (double)(i % 1000));
    argo__batch_f64(b, MD_VOLUME, r, (double)(i * 7 % 13));
    argo__batch_i64(b, MD_HISTORY, r, i % 5 == 0);
  }
}

/* Rows of the file that are not row number k of add_candles, in their order. */
static int64_t wrong_rows(tu_db *db, const char *file) {
  char sql[9000];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM (SELECT *, row_number() OVER () - 1 AS k FROM read_parquet(%s)) "
           "WHERE open <> k OR high <> k + 0.5 OR low <> k - 0.5 OR close <> k %% 1000 OR "
           "volume <> k * 7 %% 13 OR history <> (k %% 5 = 0) OR epoch_us(time) <> "
           "1759276800000000 + k * 1000000 OR symbol <> ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'][k %% 3 "
           "+ 1]",
           fpath(file));
  return tu_q_int(db, sql);
}

/* sql with %s for the file's literal. */
static int64_t q(tu_db *db, const char *sql, const char *file) {
  char full[9000];
  const char *at = strstr(sql, "%s");
  snprintf(full, sizeof full, "%.*s%s%s", (int)(at - sql), sql, fpath(file), at + 2);
  return tu_q_int(db, full);
}

/* Publications of 1 to 300k rows, tiny ones most: after each, the file equals the rows, its
 * schema is the one a whole encoding writes, every row group's statistics hold (a filter that
 * skips row groups by them counts right), small segments stay few, and no publication encodes
 * more than its new rows plus one full row group. */
TEST(pqfoot_extended_file_equals_the_rows_across_many_publications) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("pqfoot-md"));
  argo__store *st = open_extending();
  const char *syms[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
  char err[512];
  CHECK(argo__store_set_symbols(st, syms, 3, err, sizeof err) == ARGO_OK);
  argo__batch b;
  argo__batch_init(&b, ARGO_T_MARKET_DATA);
  tu_db db;
  tu_db_open(&db);
  static const int64_t sizes[] = {1,   2,     700, 3,      5000, 1,    90000, 17,  300000,
                                  250, 40000, 11,  122880, 64,   1000, 9,     123, 2};
  int64_t total = 0, max_encoded = 0;
  for (int round = 0; round < 3; round++) {
    for (size_t i = 0; i < ARGO_ARRAY_LEN(sizes); i++) {
      int64_t n = round == 2 ? sizes[i] % 50 + 1 : sizes[i];
      argo__batch_clear(&b);
      add_candles(&b, total, n);
      CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
      total += n;
      CHECK_MSG(argo__store_export(st, ARGO_T_MARKET_DATA, dir, err, sizeof err) == ARGO_OK, "%s",
                err);
      CHECK_STR("", argo__store_note(st, ARGO_T_MARKET_DATA));
      const argo__dayfile *df = argo__store_dayfile(st, ARGO_T_MARKET_DATA);
      CHECK(df->valid);
      max_encoded = df->last_encoded - n > max_encoded ? df->last_encoded - n : max_encoded;
      CHECK_EQ_INT(total, q(&db, "SELECT count(*) FROM read_parquet(%s)", "market_data.parquet"));
      if (i % 4 == 3 || n > 1000) {
        CHECK_EQ_INT(0, wrong_rows(&db, "market_data.parquet"));
      }
      /* Small segments stay O(log): at most one below a full row group per full one, plus the
       * binary counter's tail. */
      int64_t groups = q(&db, "SELECT count(DISTINCT row_group_id) FROM parquet_metadata(%s)",
                         "market_data.parquet");
      CHECK_MSG(groups <= 2 * (total / ARGO_DAYFILE_FULL) + 20, "%lld row groups for %lld rows",
                (long long)groups, (long long)total);
    }
  }
  CHECK_MSG(max_encoded <= ARGO_DAYFILE_FULL, "a publication encoded %lld rows beyond its new ones",
            (long long)max_encoded);
  /* Row-group statistics: a filter on time skips groups by them and still counts right. */
  char sql[9000];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet(%s) WHERE time >= make_timestamp(1759276800000000 "
           "+ 100000::BIGINT * 1000000) AND open < 400000",
           fpath("market_data.parquet"));
  CHECK_EQ_INT(300000, tu_q_int(&db, sql));
  /* The schema, the column types and the compression of a whole encoding of the same table
   * (encodings are DuckDB's choice per row group and data: a small group of few distinct
   * values gets a dictionary where a full one may not). */
  char whole[4400];
  snprintf(whole, sizeof whole, "%s/whole", dir);
  CHECK(argo__fs_mkdir_p(whole, 0755, err, sizeof err) == 0);
  argo__store_set_extend(st, 0);
  CHECK_MSG(argo__store_export(st, ARGO_T_MARKET_DATA, whole, err, sizeof err) == ARGO_OK, "%s",
            err);
  char w[4500];
  snprintf(w, sizeof w, "%s/market_data.parquet", whole);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM ((SELECT name, type, converted_type, logical_type, "
           "repetition_type FROM parquet_schema(%s) EXCEPT ALL SELECT name, type, converted_type, "
           "logical_type, repetition_type FROM parquet_schema(%s)) UNION ALL (SELECT name, type, "
           "converted_type, logical_type, repetition_type FROM parquet_schema(%s) EXCEPT ALL "
           "SELECT name, type, converted_type, logical_type, repetition_type FROM "
           "parquet_schema(%s)))",
           fpath("market_data.parquet"), tu_sql_str(w), tu_sql_str(w),
           fpath("market_data.parquet"));
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM (SELECT DISTINCT path_in_schema, type, compression "
           "FROM parquet_metadata(%s) EXCEPT SELECT DISTINCT path_in_schema, type, compression "
           "FROM parquet_metadata(%s))",
           fpath("market_data.parquet"), tu_sql_str(w));
  CHECK_EQ_INT(0, tu_q_int(&db, sql));
  tu_check_design_schema(&db, w, "market_data.parquet");
  /* A new day: the hidden inodes and the segment file go. */
  CHECK(argo__store_reset(st, err, sizeof err) == ARGO_OK);
  for (int h = 0; h < 3; h++) {
    char p[4400], fin[4400];
    snprintf(fin, sizeof fin, "%s/market_data.parquet", dir);
    CHECK(argo__dayfile_name(fin, h, p, sizeof p) == 0);
    CHECK_MSG(!argo__fs_exists(p), "%s is left", p);
  }
  tu_db_close(&db);
  argo__batch_free(&b);
  argo__store_close(st);
  tu_rm_rf(dir);
}

/* Rows past a full segment leave memory once published; when the day's file must be encoded
 * from its first row again (here its layout is forgotten, as after a segment argo cannot use),
 * those rows come back from the published file, in their order and with the file's schema. */
TEST(pqfoot_released_rows_come_back_from_the_published_file) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("pqfoot-release"));
  argo__store *st = open_extending();
  const char *syms[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
  char err[512];
  CHECK(argo__store_set_symbols(st, syms, 3, err, sizeof err) == ARGO_OK);
  argo__batch b;
  argo__batch_init(&b, ARGO_T_MARKET_DATA);
  tu_db db;
  tu_db_open(&db);
  int64_t total = 0;
  static const int64_t sizes[] = {100000, 100000, 150000, 7, 130000, 5};
  for (size_t i = 0; i < ARGO_ARRAY_LEN(sizes); i++) {
    argo__batch_clear(&b);
    add_candles(&b, total, sizes[i]);
    CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
    total += sizes[i];
    CHECK_MSG(argo__store_export(st, ARGO_T_MARKET_DATA, dir, err, sizeof err) == ARGO_OK, "%s",
              err);
    CHECK_EQ_INT(total, q(&db, "SELECT count(*) FROM read_parquet(%s)", "market_data.parquet"));
    CHECK_EQ_INT(0, wrong_rows(&db, "market_data.parquet"));
  }
  /* Segments of 200k (two merged), 150k, 130,007 (merged with the 7), then 5 rows: the blocks
   * below row 480,007 are freed (whole blocks of ARGO_DAYROWS_BLOCK rows). */
  int64_t held = argo__store_first_held(st, ARGO_T_MARKET_DATA);
  CHECK_MSG(held > 480007 - 65536 && held <= 480007, "first row held %lld", (long long)held);
  char before[9000];
  snprintf(before, sizeof before,
           "SELECT string_agg(name || ':' || type || ':' || coalesce(converted_type, '') || ':' || "
           "coalesce(logical_type, ''), ',') FROM parquet_schema(%s)",
           fpath("market_data.parquet"));
  char *schema = tu_q_str(&db, before);
  /* The layout forgotten: the next publication encodes every row. */
  argo__store_finish_files(st);
  argo__batch_clear(&b);
  add_candles(&b, total, 3);
  CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
  total += 3;
  CHECK_MSG(argo__store_export(st, ARGO_T_MARKET_DATA, dir, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(total, q(&db, "SELECT count(*) FROM read_parquet(%s)", "market_data.parquet"));
  CHECK_EQ_INT(0, wrong_rows(&db, "market_data.parquet"));
  char *after = tu_q_str(&db, before);
  CHECK_STR(schema, after);
  free(schema);
  free(after);
  /* And the file goes on extending from there. */
  argo__batch_clear(&b);
  add_candles(&b, total, 1000);
  CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
  total += 1000;
  CHECK_MSG(argo__store_export(st, ARGO_T_MARKET_DATA, dir, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_STR("", argo__store_note(st, ARGO_T_MARKET_DATA));
  CHECK_EQ_INT(total, q(&db, "SELECT count(*) FROM read_parquet(%s)", "market_data.parquet"));
  CHECK_EQ_INT(0, wrong_rows(&db, "market_data.parquet"));
  tu_db_close(&db);
  argo__batch_free(&b);
  argo__store_close(st);
  tu_rm_rf(dir);
}

static void add_order(argo__batch *b, int64_t k, const char *status) {
  char id[32];
  snprintf(id, sizeof id, "o-%06lld", (long long)k);
  size_t r = argo__batch_add(b);
  CHECK(r != (size_t)-1);
  argo__batch_text(b, ORD_ID, r, id);
  argo__batch_text(b, ORD_SYMBOL, r, "BTCUSDT");
  argo__batch_text(b, ORD_SIDE, r, k % 2 ? "SELL" : "BUY");
  argo__batch_text(b, ORD_TYPE, r, "LIMIT");
  argo__batch_f64(b, ORD_QTY, r, (double)k);
  argo__batch_f64(b, ORD_PRICE, r, 100.5);
  argo__batch_i64(b, ORD_TS, r, 1759309200000000LL + k);
  argo__batch_text(b, ORD_STATUS, r, status);
  argo__batch_text(b, ORD_STRATEGY, r, "test");
  argo__batch_text(b, ORD_POSTYPE, r, "LONG");
  argo__batch_text(b, ORD_REASON, r, "");
}

/* Orders keep one row per order with its latest status: an order left PENDING for many
 * publications, then filled, has its row changed in the published file, in its place. */
TEST(pqfoot_orders_updated_in_place_across_publications) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("pqfoot-orders"));
  argo__store *st = open_extending();
  argo__batch b;
  argo__batch_init(&b, ARGO_T_ORDERS);
  tu_db db;
  tu_db_open(&db);
  char err[512];
  int64_t n = 0, cancelled_below = 0;
  for (int pub = 0; pub < 40; pub++) {
    argo__batch_clear(&b);
    int64_t before = n;
    for (int i = 0; i < 50 + pub * 7; i++, n++) {
      /* Every 97th order rests (PENDING) until 5 publications later. */
      add_order(&b, n, n % 97 == 0 ? "PENDING" : "FILLED");
    }
    if (pub == 5 || pub == 20 || pub == 39) {
      /* The resting orders of earlier publications are cancelled: updates in place (one
       * placed in this batch and changed in it would take the batch's later row's place). */
      for (int64_t k = cancelled_below; k < before; k++) {
        if (k % 97 == 0) {
          add_order(&b, k, "CANCELLED");
        }
      }
      cancelled_below = before;
    }
    CHECK_MSG(argo__store_append(st, &b, err, sizeof err) == ARGO_OK, "%s", err);
    CHECK_MSG(argo__store_export(st, ARGO_T_ORDERS, dir, err, sizeof err) == ARGO_OK, "%s", err);
    CHECK_EQ_INT(n, q(&db, "SELECT count(*) FROM read_parquet(%s)", "orders.parquet"));
    /* In order of placement, each with its latest status. */
    char sql[9000];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT *, row_number() OVER () - 1 AS k FROM "
             "read_parquet(%s)) WHERE order_id <> printf('o-%%06d', k) OR quantity <> k OR "
             "status <> CASE WHEN k %% 97 <> 0 THEN 'FILLED' WHEN k < %lld THEN 'CANCELLED' "
             "ELSE 'PENDING' END",
             fpath("orders.parquet"), (long long)cancelled_below);
    int64_t wrong = tu_q_int(&db, sql);
    if (wrong) {
      snprintf(sql, sizeof sql,
               "SELECT string_agg(k || ':' || order_id || '=' || status, ' ') FROM (SELECT *, "
               "row_number() OVER () - 1 AS k FROM read_parquet(%s)) WHERE k %% 97 = 0",
               fpath("orders.parquet"));
      char *s = tu_q_str(&db, sql);
      fprintf(stderr, "publication %d: %s\n", pub, s);
      free(s);
    }
    CHECK_EQ_INT(0, wrong);
  }
  tu_db_close(&db);
  argo__batch_free(&b);
  argo__store_close(st);
  tu_rm_rf(dir);
}

/* A segment that is no Parquet file, or whose footer lies, is refused with a message and no
 * change to the published file; the layout is forgotten, so the next publication starts a new
 * file from the whole table. */
TEST(pqfoot_bad_segment_is_refused_and_the_published_file_kept) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("pqfoot-bad"));
  argo__store *st = open_extending();
  argo__batch b;
  argo__batch_init(&b, ARGO_T_MARKET_DATA);
  char err[512], fin[4400], seg[4400];
  add_candles(&b, 0, 1000);
  CHECK(argo__store_append(st, &b, err, sizeof err) == ARGO_OK);
  CHECK_MSG(argo__store_export(st, ARGO_T_MARKET_DATA, dir, err, sizeof err) == ARGO_OK, "%s", err);
  snprintf(fin, sizeof fin, "%s/market_data.parquet", dir);
  char *before = NULL, *good = NULL;
  size_t blen = 0, glen = 0;
  CHECK(argo__fs_read_all(fin, &before, &blen) == 0);
  CHECK(argo__fs_read_all(fin, &good, &glen) == 0);
  /* Every cut and many flipped bytes of a good file: parsed or refused, never a crash (the
   * fuzz target runs the same parser on anything). */
  for (size_t cut = 0; cut < glen; cut += glen / 97 + 1) {
    argo__pqf f;
    if (argo__pqf_parse_file((const uint8_t *)good, cut, &f, err, sizeof err) == 0) {
      argo__pqf_free(&f);
    }
  }
  argo__dayfile df;
  argo__dayfile_init(&df);
  snprintf(seg, sizeof seg, "%s/seg.parquet", dir);
  FILE *fp = fopen(seg, "wb");
  CHECK(fp && fwrite("PAR1garbage-not-a-footer\x10\0\0\0PAR1", 1, 32, fp) == 32);
  fclose(fp);
  char other[4400];
  snprintf(other, sizeof other, "%s/other.parquet", dir);
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__dayfile_publish(&df, 0, 0, 1000, seg, other, err, sizeof err));
  CHECK_CONTAINS(err, "footer");
  CHECK(!df.valid);
  CHECK(!argo__fs_exists(other));
  /* A good Parquet file whose row count is not the rows said to be encoded. */
  CHECK_EQ_INT(ARGO_ECORRUPT, argo__dayfile_publish(&df, 0, 0, 999, fin, other, err, sizeof err));
  CHECK(!argo__fs_exists(other));
  argo__dayfile_deinit(&df);
  char *after = NULL;
  size_t alen = 0;
  CHECK(argo__fs_read_all(fin, &after, &alen) == 0);
  CHECK(alen == blen && memcmp(before, after, blen) == 0);
  free(before);
  free(after);
  free(good);
  argo__batch_free(&b);
  argo__store_close(st);
  tu_rm_rf(dir);
}

/* Found by fuzz_pqfoot (fuzz/corpus/pqfoot/regress-field-id-overflow): a field id in the long
 * form near INT_MAX and a short-form delta after it overflowed int (UBSan). Field ids are Thrift
 * i16s: out of that range, the footer is refused. */
TEST(pqfoot_field_ids_out_of_the_thrift_range_are_refused) {
  static const uint8_t long_max[] = {
      0x05, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, /* i32 field, id INT32_MAX (zigzag), value 0 */
      0x25, 0x00,                               /* i32 field, id + 2, value 0 */
      0x00};
  static const uint8_t short_over[] = {0x05, 0xFE, 0xFF,
                                       0x03, 0x00, /* i32 field, id 32767, value 0 */
                                       0x15, 0x00, /* i32 field, id 32768 */
                                       0x00};
  argo__pqf f;
  char err[256] = "";
  CHECK_EQ_INT(-1, argo__pqf_parse(long_max, sizeof long_max, &f, err, sizeof err));
  CHECK_MSG(err[0] != '\0', "no message");
  err[0] = '\0';
  CHECK_EQ_INT(-1, argo__pqf_parse(short_over, sizeof short_over, &f, err, sizeof err));
  CHECK_MSG(err[0] != '\0', "no message");
}

/* A row group whose file_offset is near INT64_MAX (what fuzz_pqfoot found: shifting it
 * overflowed int64_t) is refused by the parser and by the relocation, and so are a negative
 * offset and a shift no file needs; an ordinary offset still moves. */
TEST(pqfoot_offsets_that_would_overflow_when_moved_are_refused) {
  /* RowGroup { 5: file_offset (i64) = v }: field header 0x56, v as a zigzag varint. */
  uint8_t huge[16] = {0x56}, neg[16] = {0x56}, ok[16] = {0x56};
  argo__sb zz;
  argo__sb_init(&zz);
  int64_t values[3] = {INT64_MAX - 18, -5, 1000};
  uint8_t *bufs[3] = {huge, neg, ok};
  size_t lens[3];
  for (int k = 0; k < 3; k++) {
    uint64_t u = ((uint64_t)values[k] << 1) ^ (uint64_t)(values[k] >> 63);
    size_t n = 1;
    do {
      bufs[k][n++] = (uint8_t)((u & 0x7f) | (u > 0x7f ? 0x80 : 0));
      u >>= 7;
    } while (u);
    bufs[k][n++] = 0x00; /* stop */
    lens[k] = n;
  }
  char err[256] = "";
  CHECK_EQ_INT(-1, argo__pqf_relocate(huge, lens[0], 1000003, 0, &zz, err, sizeof err));
  CHECK_MSG(err[0] != '\0', "no message");
  err[0] = '\0';
  CHECK_EQ_INT(-1, argo__pqf_relocate(neg, lens[1], 4, 0, &zz, err, sizeof err));
  CHECK_MSG(err[0] != '\0', "no message");
  CHECK_EQ_INT(-1, argo__pqf_relocate(ok, lens[2], INT64_MAX, 0, &zz, err, sizeof err));
  argo__sb_reset(&zz);
  CHECK_EQ_INT(0, argo__pqf_relocate(ok, lens[2], 1000003, 0, &zz, err, sizeof err));
  /* The moved offset: 1000 + 1000003 = 1001003, zigzag 2002006. */
  CHECK_EQ_INT(5, (long long)zz.len);
  CHECK_EQ_INT(0x56, (unsigned char)zz.buf[0]);
  uint64_t got = 0;
  for (int i = 0; i < 3; i++) {
    got |= (uint64_t)((unsigned char)zz.buf[1 + i] & 0x7f) << (7 * i);
  }
  CHECK_EQ_INT(2002006, (long long)got);
  argo__sb_free(&zz);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(pqfoot_extended_file_equals_the_rows_across_many_publications);
  RUN(pqfoot_released_rows_come_back_from_the_published_file);
  RUN(pqfoot_orders_updated_in_place_across_publications);
  RUN(pqfoot_bad_segment_is_refused_and_the_published_file_kept);
  RUN(pqfoot_field_ids_out_of_the_thrift_range_are_refused);
  RUN(pqfoot_offsets_that_would_overflow_when_moved_are_refused);
  return test_summary();
}
