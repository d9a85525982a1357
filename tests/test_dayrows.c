/* Day rows: the day's rows of a table in argo's own column buffers (blocks, labels, in-place
 * updates, sorting). */
#include <stdio.h>
#include <string.h>

#include "persist/batch.h"
#include "persist/dayrows.h"
#include "persist/schema.h"
#include "test.h"

static const char *const syms[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};

static void add_candle(argo__batch *b, int64_t t, const char *sym, double close) {
  size_t r = argo__batch_add(b);
  CHECK(r != (size_t)-1);
  argo__batch_i64(b, MD_TIME, r, t);
  argo__batch_text(b, MD_SYMBOL, r, sym);
  argo__batch_f64(b, MD_OPEN, r, close - 1);
  argo__batch_f64(b, MD_HIGH, r, close + 1);
  argo__batch_f64(b, MD_LOW, r, close - 2);
  argo__batch_f64(b, MD_CLOSE, r, close);
  argo__batch_f64(b, MD_VOLUME, r, 10);
  argo__batch_i64(b, MD_HISTORY, r, (t / 7) % 2);
}

static void add_order(argo__batch *b, const char *id, const char *status, const char *client,
                      int64_t ts) {
  size_t r = argo__batch_add(b);
  CHECK(r != (size_t)-1);
  argo__batch_text(b, ORD_ID, r, id);
  argo__batch_text(b, ORD_SYMBOL, r, "BTCUSDT");
  argo__batch_text(b, ORD_SIDE, r, "BUY");
  argo__batch_text(b, ORD_TYPE, r, "LIMIT");
  argo__batch_f64(b, ORD_QTY, r, 1.5);
  argo__batch_f64(b, ORD_PRICE, r, 100.5);
  argo__batch_i64(b, ORD_TS, r, ts);
  argo__batch_text(b, ORD_STATUS, r, status);
  argo__batch_text(b, ORD_STRATEGY, r, "test");
  argo__batch_text(b, ORD_POSTYPE, r, "LONG");
  argo__batch_text(b, ORD_REASON, r, "a reason of some length");
  argo__batch_text(b, ORD_CLIENT_ID, r, client);
}

static const char *text(const argo__dayrows *dr, size_t c, int64_t row, char *buf, size_t cap) {
  size_t len;
  const char *s = argo__dayrows_text(dr, c, row, &len);
  snprintf(buf, cap, "%.*s", (int)len, s);
  return buf;
}

/* Rows past several blocks read back as written; contiguous runs stop at a block's end. */
TEST(dayrows_rows_across_blocks_read_back_as_written) {
  argo__dayrows *dr = argo__dayrows_new(ARGO_T_MARKET_DATA);
  CHECK(dr != NULL);
  argo__dayrows_set_labels(dr, MD_SYMBOL, syms, 3);
  CHECK_EQ_INT(1, argo__dayrows_kind(dr, MD_SYMBOL));
  CHECK_EQ_INT(0, argo__dayrows_kind(dr, MD_CLOSE));
  CHECK_EQ_INT(1, argo__dayrows_kind(dr, MD_HISTORY));
  argo__batch b;
  argo__batch_init(&b, ARGO_T_MARKET_DATA);
  const int64_t n = 2 * ARGO_DAYROWS_BLOCK + 1000;
  char err[256];
  for (int64_t i = 0; i < n; i++) {
    add_candle(&b, i, syms[i % 3], (double)i);
    if (b.rows == 5000 || i == n - 1) {
      CHECK_EQ_INT(ARGO_OK, argo__dayrows_append(dr, &b, err, sizeof err));
      argo__batch_clear(&b);
    }
  }
  CHECK_EQ_INT(n, argo__dayrows_count(dr));
  char buf[64];
  for (int64_t i = 0; i < n; i += 997) {
    size_t got;
    const int64_t *t = argo__dayrows_cells(dr, MD_TIME, i, &got);
    CHECK_EQ_INT(i, t[0]);
    const double *c = argo__dayrows_cells(dr, MD_CLOSE, i, &got);
    CHECK_NEAR((double)i, c[0], 0);
    const uint8_t *h = argo__dayrows_cells(dr, MD_HISTORY, i, &got);
    CHECK_EQ_INT((i / 7) % 2, h[0]);
    const uint8_t *s = argo__dayrows_cells(dr, MD_SYMBOL, i, &got);
    CHECK_EQ_INT(i % 3, s[0]);
    CHECK_STR(syms[i % 3], text(dr, MD_SYMBOL, i, buf, sizeof buf));
  }
  size_t got;
  (void)argo__dayrows_cells(dr, MD_TIME, ARGO_DAYROWS_BLOCK - 10, &got);
  CHECK_EQ_INT(10, got);
  (void)argo__dayrows_cells(dr, MD_TIME, n - 3, &got);
  CHECK_EQ_INT(3, got);
  argo__dayrows_clear(dr);
  CHECK_EQ_INT(0, argo__dayrows_count(dr));
  argo__batch_free(&b);
  argo__dayrows_free(dr);
}

/* A text that is not one of a fixed-value column's labels is refused, and nothing changes. */
TEST(dayrows_unknown_label_is_refused_and_leaves_the_rows) {
  argo__dayrows *dr = argo__dayrows_new(ARGO_T_MARKET_DATA);
  CHECK(dr != NULL);
  argo__dayrows_set_labels(dr, MD_SYMBOL, syms, 3);
  argo__batch b;
  argo__batch_init(&b, ARGO_T_MARKET_DATA);
  add_candle(&b, 1, "ETHUSDT", 1);
  add_candle(&b, 2, "DOGEUSDT", 2);
  char err[256] = "";
  CHECK_EQ_INT(ARGO_EINVAL, argo__dayrows_append(dr, &b, err, sizeof err));
  CHECK_CONTAINS(err, "DOGEUSDT");
  CHECK_EQ_INT(1, argo__dayrows_count(dr));
  CHECK_EQ_INT(1, argo__dayrows_label_index(dr, MD_SYMBOL, "ETHUSDT", 7));
  CHECK_EQ_INT(-1, argo__dayrows_label_index(dr, MD_SYMBOL, "ETHUSD", 6));
  /* Free text again: any symbol is kept as given. */
  argo__dayrows_clear(dr);
  argo__dayrows_set_labels(dr, MD_SYMBOL, NULL, 0);
  CHECK_EQ_INT(-1, argo__dayrows_kind(dr, MD_SYMBOL));
  CHECK_EQ_INT(ARGO_OK, argo__dayrows_append(dr, &b, err, sizeof err));
  char buf[64];
  CHECK_STR("DOGEUSDT", text(dr, MD_SYMBOL, 1, buf, sizeof buf));
  argo__batch_free(&b);
  argo__dayrows_free(dr);
}

/* An order's row written again in place takes the new values, except the kept columns. */
TEST(dayrows_put_replaces_a_row_except_kept_columns) {
  argo__dayrows *dr = argo__dayrows_new(ARGO_T_ORDERS);
  CHECK(dr != NULL);
  const argo__table *t = argo__schema(ARGO_T_ORDERS);
  for (size_t c = 0; c < t->ncols; c++) {
    size_t n = 0;
    while (t->cols[c].labels && t->cols[c].labels[n]) {
      n++;
    }
    argo__dayrows_set_labels(dr, c, t->cols[c].labels, n);
  }
  argo__batch b;
  argo__batch_init(&b, ARGO_T_ORDERS);
  add_order(&b, "o-1", "PENDING", "client-1", 10);
  add_order(&b, "o-2", "PENDING", "client-2", 20);
  char err[256];
  CHECK_EQ_INT(ARGO_OK, argo__dayrows_append(dr, &b, err, sizeof err));
  argo__batch_clear(&b);
  add_order(&b, "o-1", "FILLED", "", 11);
  CHECK_EQ_INT(ARGO_OK, argo__dayrows_put(dr, 0, &b, 0, 1u << ORD_CLIENT_ID, err, sizeof err));
  CHECK_EQ_INT(2, argo__dayrows_count(dr));
  char buf[64];
  CHECK_STR("o-1", text(dr, ORD_ID, 0, buf, sizeof buf));
  CHECK_STR("FILLED", text(dr, ORD_STATUS, 0, buf, sizeof buf));
  CHECK_STR("client-1", text(dr, ORD_CLIENT_ID, 0, buf, sizeof buf));
  CHECK_STR("a reason of some length", text(dr, ORD_REASON, 0, buf, sizeof buf));
  size_t got;
  CHECK_EQ_INT(11, ((const int64_t *)argo__dayrows_cells(dr, ORD_TS, 0, &got))[0]);
  CHECK_STR("PENDING", text(dr, ORD_STATUS, 1, buf, sizeof buf));
  CHECK_STR("client-2", text(dr, ORD_CLIENT_ID, 1, buf, sizeof buf));
  /* A status that is not one of the ENUM's is refused; the row stays as it was. */
  argo__batch_clear(&b);
  add_order(&b, "o-2", "LOST", "x", 21);
  CHECK_EQ_INT(ARGO_EINVAL, argo__dayrows_put(dr, 1, &b, 0, 0, err, sizeof err));
  CHECK_STR("PENDING", text(dr, ORD_STATUS, 1, buf, sizeof buf));
  CHECK_STR("client-2", text(dr, ORD_CLIENT_ID, 1, buf, sizeof buf));
  argo__batch_free(&b);
  argo__dayrows_free(dr);
}

/* Sorting by a time column orders the rows, ties in their old order, text moving along. */
TEST(dayrows_sort_orders_by_key_and_keeps_ties_in_order) {
  argo__dayrows *dr = argo__dayrows_new(ARGO_T_LOGS);
  CHECK(dr != NULL);
  argo__batch b;
  argo__batch_init(&b, ARGO_T_LOGS);
  const int64_t n = ARGO_DAYROWS_BLOCK + 500;
  for (int64_t i = 0; i < n; i++) {
    size_t r = argo__batch_add(&b);
    CHECK(r != (size_t)-1);
    argo__batch_i64(&b, LOG_ID, r, (n - i) / 2); /* descending, in pairs */
    char msg[32];
    snprintf(msg, sizeof msg, "message %lld", (long long)i);
    argo__batch_text(&b, LOG_MESSAGE, r, msg);
    argo__batch_text(&b, LOG_LEVEL, r, "info");
  }
  char err[256];
  CHECK_EQ_INT(ARGO_OK, argo__dayrows_append(dr, &b, err, sizeof err));
  CHECK_EQ_INT(ARGO_OK, argo__dayrows_sort(dr, LOG_ID));
  CHECK_EQ_INT(n, argo__dayrows_count(dr));
  int64_t prev_key = -1, prev_src = -1;
  char buf[64];
  for (int64_t r = 0; r < n; r++) {
    size_t got;
    int64_t key = ((const int64_t *)argo__dayrows_cells(dr, LOG_ID, r, &got))[0];
    long long src;
    CHECK_EQ_INT(1, sscanf(text(dr, LOG_MESSAGE, r, buf, sizeof buf), "message %lld", &src));
    CHECK_EQ_INT((n - src) / 2, key); /* the message moved with its row */
    CHECK(key >= prev_key);
    if (key == prev_key) {
      CHECK(src > prev_src); /* a tie keeps its order */
    }
    prev_key = key;
    prev_src = src;
  }
  argo__batch_free(&b);
  argo__dayrows_free(dr);
}

/* Released rows: whole blocks below the mark go (never the last block), the rows above read as
 * before, and a released row can be neither replaced nor sorted. */
TEST(dayrows_release_frees_whole_blocks_below_the_mark) {
  argo__dayrows *dr = argo__dayrows_new(ARGO_T_MARKET_DATA);
  CHECK(dr != NULL);
  argo__dayrows_set_labels(dr, MD_SYMBOL, syms, 3);
  argo__batch b;
  argo__batch_init(&b, ARGO_T_MARKET_DATA);
  const int64_t n = 3 * ARGO_DAYROWS_BLOCK + 10;
  for (int64_t i = 0; i < n; i++) {
    add_candle(&b, i, syms[i % 3], (double)i);
  }
  char err[256];
  CHECK_EQ_INT(ARGO_OK, argo__dayrows_append(dr, &b, err, sizeof err));
  argo__dayrows_release(dr, ARGO_DAYROWS_BLOCK - 1);
  CHECK_EQ_INT(0, argo__dayrows_first(dr));
  argo__dayrows_release(dr, 2 * ARGO_DAYROWS_BLOCK + 5);
  CHECK_EQ_INT(2 * ARGO_DAYROWS_BLOCK, argo__dayrows_first(dr));
  CHECK_EQ_INT(n, argo__dayrows_count(dr));
  /* Past the end: the last block stays, it takes the next rows. */
  argo__dayrows_release(dr, n + 100);
  CHECK_EQ_INT(3 * ARGO_DAYROWS_BLOCK, argo__dayrows_first(dr));
  size_t got;
  const double *c = argo__dayrows_cells(dr, MD_CLOSE, 3 * ARGO_DAYROWS_BLOCK + 4, &got);
  CHECK_NEAR((double)(3 * ARGO_DAYROWS_BLOCK + 4), c[0], 0);
  CHECK_EQ_INT(6, got);
  argo__batch_clear(&b);
  add_candle(&b, n, syms[0], 1.5);
  CHECK_EQ_INT(ARGO_ESTATE, argo__dayrows_put(dr, 5, &b, 0, 0, err, sizeof err));
  CHECK_CONTAINS(err, "released");
  CHECK_EQ_INT(ARGO_OK, argo__dayrows_append(dr, &b, err, sizeof err));
  CHECK_EQ_INT(n + 1, argo__dayrows_count(dr));
  CHECK_EQ_INT(ARGO_ESTATE, argo__dayrows_sort(dr, MD_TIME));
  /* A new day holds everything again. */
  argo__dayrows_clear(dr);
  CHECK_EQ_INT(0, argo__dayrows_first(dr));
  argo__batch_free(&b);
  argo__dayrows_free(dr);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(dayrows_rows_across_blocks_read_back_as_written);
  RUN(dayrows_unknown_label_is_refused_and_leaves_the_rows);
  RUN(dayrows_put_replaces_a_row_except_kept_columns);
  RUN(dayrows_sort_orders_by_key_and_keeps_ties_in_order);
  RUN(dayrows_release_frees_whole_blocks_below_the_mark);
  return test_summary();
}
