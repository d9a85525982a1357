/*
 * Day rows: one table's rows of the current day in argo's own column buffers (docs/design.md
 * section 5: how the day's rows are held before DuckDB encodes them is argo's choice). The store
 * (store.c) copies the engine's row batches in here and DuckDB reads them back through a table
 * function when it encodes a Parquet file, so the rows never go through DuckDB's appender and
 * table storage (its per-row statistics, string storage and scans were most of the publisher's
 * work on big days: docs/performance.md, issue 21).
 *
 * Rows live in blocks of ARGO_DAYROWS_BLOCK rows, so the buffers never move or get copied as the
 * day grows, and a vector of DuckDB's (2048 rows) never spans two blocks when it starts at a
 * multiple of its size. Per row and column: 8 bytes for DOUBLE, TIMESTAMP, BIGINT and free text
 * (a reference into the block's text arena), one byte for BOOLEAN and for a fixed-value column
 * (the index of its label). Rows are appended; a row may also be written again in place (an
 * order's latest status), its new text taking fresh arena space.
 *
 * Owned by one thread at a time (the store's user); reads (count, cells) may run on several
 * threads while nothing writes. Depends on schema and batch only.
 */
#ifndef ARGO_DAYROWS_H
#define ARGO_DAYROWS_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "persist/batch.h"
#include "persist/schema.h"
#include "util/util.h"

/* Rows per block: a multiple of DuckDB's vector size (2048). */
#define ARGO_DAYROWS_BLOCK 65536

typedef struct argo__dayrows argo__dayrows;

/* An empty table of t's columns. NULL when out of memory. */
argo__dayrows *argo__dayrows_new(argo__table_id t);
void argo__dayrows_free(argo__dayrows *dr);
/* Drops every row and releases their memory (a new day). */
void argo__dayrows_clear(argo__dayrows *dr);
/* Makes text column c a fixed-value column of the n labels (borrowed until the next call or the
 * free; n <= 255): its cells are kept as the label's index, and a text that is not one of them
 * is refused. n == 0 makes it free text again. Only while the table has no rows; ignored for a
 * column that is not text. */
void argo__dayrows_set_labels(argo__dayrows *dr, size_t c, const char *const *labels, size_t n);
/* The index of text s in column c's labels, or -1. */
int argo__dayrows_label_index(argo__dayrows *dr, size_t c, const char *s, size_t len);
int64_t argo__dayrows_count(const argo__dayrows *dr);
/* Writes row r of b (a batch of the same table) as row `at`: at == count appends it, a lower
 * one replaces that row, except the columns of bit mask keep (1 << column), whose cells stay.
 * ARGO_EINVAL (a text that is not one of a fixed-value column's labels) or ARGO_ENOMEM, with
 * err set; the table is unchanged then. */
ARGO_NODISCARD argo_err argo__dayrows_put(argo__dayrows *dr, int64_t at, const argo__batch *b,
                                          size_t r, uint32_t keep, char *err, size_t errlen);
/* Appends every row of b. On failure the rows before the failing one stay appended. */
ARGO_NODISCARD argo_err argo__dayrows_append(argo__dayrows *dr, const argo__batch *b, char *err,
                                             size_t errlen);
/* The cells of column c from row `row` on (row < count), contiguous to the end of row's block
 * or of the table, whichever comes first (their number in *n): 8-byte values (double, int64_t
 * microseconds or BIGINT) or, for BOOLEAN and fixed-value columns, bytes (0/1, label index).
 * Free-text columns have no such array: read them with argo__dayrows_text. */
const void *argo__dayrows_cells(const argo__dayrows *dr, size_t c, int64_t row, size_t *n);
/* 1 if column c is kept as bytes (BOOLEAN, fixed-value text), 0 for 8-byte cells, -1 for free
 * text. */
int argo__dayrows_kind(const argo__dayrows *dr, size_t c);
/* The text of a cell (not NUL-terminated; a fixed-value column's label) and its length. */
const char *argo__dayrows_text(const argo__dayrows *dr, size_t c, int64_t row, size_t *len);
/* Frees the blocks that hold only rows below upto (never the last block): those rows can no
 * longer be read or replaced (ARGO_ESTATE), and count stays. For rows that will not be encoded
 * again (the publications of the day's file keep them). */
void argo__dayrows_release(argo__dayrows *dr, int64_t upto);
/* The first row still held (0 unless rows were released). */
int64_t argo__dayrows_first(const argo__dayrows *dr);
/* Puts the rows in order of 8-byte column key (int64_t: TIMESTAMP or BIGINT), ties keeping their
 * order. ARGO_ENOMEM (the rows unchanged), ARGO_ESTATE after a release. */
ARGO_NODISCARD argo_err argo__dayrows_sort(argo__dayrows *dr, size_t key);

#endif
