/* Columnar row batches; see batch.h. */
#include "persist/batch.h"

#include <stdlib.h>

#include "util/util.h"

void argo__batch_init(argo__batch *b, argo__table_id table) {
  memset(b, 0, sizeof *b);
  b->table = table;
  b->t = argo__schema(table);
}

void argo__batch_free(argo__batch *b) {
  for (size_t c = 0; c < ARGO_MAX_COLS; c++) {
    free(b->cols[c].any);
  }
  free(b->arena);
  argo__table_id t = b->table;
  argo__batch_init(b, t);
}

void argo__batch_clear(argo__batch *b) {
  b->rows = 0;
  b->alen = 0;
  b->failed = 0;
}

static int grow_rows(argo__batch *b, size_t need) {
  if (need <= b->cap) {
    return 0;
  }
  size_t ncap = b->cap ? b->cap : 256;
  while (ncap < need) {
    ncap *= 2;
  }
  for (size_t c = 0; c < b->t->ncols; c++) {
    void *p = realloc(b->cols[c].any, ncap * 8);
    if (!p) {
      b->failed = 1;
      return -1;
    }
    b->cols[c].any = p;
  }
  b->cap = ncap;
  return 0;
}

size_t argo__batch_add(argo__batch *b) {
  if (ARGO_UNLIKELY(b->rows == b->cap) && grow_rows(b, b->rows + 1) != 0) {
    return (size_t)-1;
  }
  /* A cell left unset reads as zero or the empty string, never as a stale value. */
  for (size_t c = 0; c < b->t->ncols; c++) {
    b->cols[c].i64[b->rows] = 0;
  }
  return b->rows++;
}

static int arena_reserve(argo__batch *b, size_t n) {
  if (b->alen + n <= b->acap) {
    return 0;
  }
  size_t ncap = b->acap ? b->acap : 4096;
  while (ncap < b->alen + n) {
    ncap *= 2;
  }
  char *p = realloc(b->arena, ncap);
  if (!p) {
    b->failed = 1;
    return -1;
  }
  b->arena = p;
  b->acap = ncap;
  return 0;
}

void argo__batch_text_n(argo__batch *b, int col, size_t row, const char *s, size_t n) {
  if (n > 0xFFFFFF) {
    n = 0xFFFFFF; /* 16 MiB per cell is far beyond any log message we accept */
  }
  if (ARGO_UNLIKELY(arena_reserve(b, n) != 0)) {
    b->cols[col].txt[row] = 0;
    return;
  }
  memcpy(b->arena + b->alen, s, n);
  b->cols[col].txt[row] = ((uint64_t)b->alen << 24) | (uint64_t)n;
  b->alen += n;
}
