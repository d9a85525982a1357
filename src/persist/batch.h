/*
 * Row batches: columnar buffers of rows for one table of schema.h, filled by the engine thread
 * and copied into the day's rows by the publisher (store.c, dayrows.c). Text is copied into the
 * batch's arena, so a batch owns everything it holds. Allocation failure is sticky (failed).
 */
#ifndef ARGO_BATCH_H
#define ARGO_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "persist/schema.h"

typedef union argo__colbuf {
  double *f64;
  int64_t *i64;  /* TIMESTAMP and BIGINT */
  uint64_t *txt; /* (offset << 24) | length into the arena; length < 16 MiB */
  void *any;
} argo__colbuf;

typedef struct argo__batch {
  argo__table_id table;
  const argo__table *t;
  size_t rows, cap;
  argo__colbuf cols[ARGO_MAX_COLS];
  char *arena;
  size_t alen, acap;
  int failed;
} argo__batch;

void argo__batch_init(argo__batch *b, argo__table_id table);
void argo__batch_free(argo__batch *b);
/* Empties the batch, keeping its memory. */
void argo__batch_clear(argo__batch *b);
/* Adds a row (every value zero, every text empty) and returns its index, or (size_t)-1 when out of
 * memory. */
size_t argo__batch_add(argo__batch *b);

static inline void argo__batch_f64(argo__batch *b, int col, size_t row, double v) {
  b->cols[col].f64[row] = v;
}
static inline void argo__batch_i64(argo__batch *b, int col, size_t row, int64_t v) {
  b->cols[col].i64[row] = v;
}
void argo__batch_text_n(argo__batch *b, int col, size_t row, const char *s, size_t n);
static inline void argo__batch_text(argo__batch *b, int col, size_t row, const char *s) {
  argo__batch_text_n(b, col, row, s ? s : "", s ? strlen(s) : 0);
}
/* The text of a cell (not NUL-terminated) and its length. */
static inline const char *argo__batch_get_text(const argo__batch *b, int col, size_t row,
                                               size_t *len) {
  uint64_t v = b->cols[col].txt[row];
  *len = (size_t)(v & 0xFFFFFF);
  return *len ? b->arena + (v >> 24) : "";
}

#endif
