/* The day's rows of one table in argo's own column buffers; see dayrows.h. */
#include "persist/dayrows.h"

#include <stdlib.h>
#include <string.h>

/* How a column's cells are kept. */
enum { K_TEXT = -1, K_WORD = 0, K_BYTE = 1 };

typedef struct dr_block {
  void *col[ARGO_MAX_COLS]; /* cap cells each, of the column's width */
  size_t cap;               /* ARGO_DAYROWS_BLOCK, except while the first block grows */
  char *arena;              /* the block's text: a cell is (offset << 24) | length */
  size_t alen, acap;
} dr_block;

typedef struct dr_labels {
  const char *const *labels;
  size_t n;
  uint32_t len[255];
  size_t last; /* the last label found: feeds hand symbols round by round */
} dr_labels;

struct argo__dayrows {
  const argo__table *t;
  int kind[ARGO_MAX_COLS];
  dr_labels lab[ARGO_MAX_COLS];
  dr_block *blocks;
  size_t nblocks, bcap;
  int64_t rows;
  int64_t first; /* rows below it were released (argo__dayrows_release) */
};

/* The first block starts small (a short session's day) and grows to a full block. */
#define FIRST_CAP 1024

static size_t width(const argo__dayrows *dr, size_t c) {
  return dr->kind[c] == K_BYTE ? 1 : 8;
}

argo__dayrows *argo__dayrows_new(argo__table_id t) {
  argo__dayrows *dr = calloc(1, sizeof *dr);
  if (!dr) {
    return NULL;
  }
  dr->t = argo__schema(t);
  for (size_t c = 0; c < dr->t->ncols; c++) {
    argo__coltype ty = dr->t->cols[c].type;
    dr->kind[c] = ty == ARGO_COL_TEXT ? K_TEXT : ty == ARGO_COL_BOOLEAN ? K_BYTE : K_WORD;
  }
  return dr;
}

static void free_block(dr_block *b) {
  for (size_t c = 0; c < ARGO_MAX_COLS; c++) {
    free(b->col[c]);
  }
  free(b->arena);
}

void argo__dayrows_clear(argo__dayrows *dr) {
  for (size_t i = 0; i < dr->nblocks; i++) {
    free_block(&dr->blocks[i]);
  }
  free(dr->blocks);
  dr->blocks = NULL;
  dr->nblocks = dr->bcap = 0;
  dr->rows = 0;
  dr->first = 0;
}

void argo__dayrows_free(argo__dayrows *dr) {
  if (!dr) {
    return;
  }
  argo__dayrows_clear(dr);
  free(dr);
}

void argo__dayrows_set_labels(argo__dayrows *dr, size_t c, const char *const *labels, size_t n) {
  if (dr->t->cols[c].type != ARGO_COL_TEXT) {
    return; /* only a text column has labels */
  }
  dr_labels *l = &dr->lab[c];
  n = n > 255 ? 0 : n;
  l->labels = n ? labels : NULL;
  l->n = n;
  l->last = 0;
  for (size_t i = 0; i < n; i++) {
    l->len[i] = (uint32_t)strlen(labels[i]);
  }
  dr->kind[c] = n ? K_BYTE : K_TEXT;
}

int argo__dayrows_label_index(argo__dayrows *dr, size_t c, const char *s, size_t len) {
  dr_labels *l = &dr->lab[c];
  if (l->n == 0) {
    return -1;
  }
  /* The label after the last one, then the last one, then all of them. */
  size_t next = l->last + 1 < l->n ? l->last + 1 : 0;
  if (l->len[next] == len && memcmp(l->labels[next], s, len) == 0) {
    l->last = next;
    return (int)next;
  }
  for (size_t k = 0; k < l->n; k++) {
    size_t i = (l->last + k) % l->n;
    if (l->len[i] == len && memcmp(l->labels[i], s, len) == 0) {
      l->last = i;
      return (int)i;
    }
  }
  return -1;
}

int64_t argo__dayrows_count(const argo__dayrows *dr) {
  return dr->rows;
}

int argo__dayrows_kind(const argo__dayrows *dr, size_t c) {
  return dr->kind[c];
}

/* The block that holds row `row` and the row's place in it. */
static dr_block *block_of(const argo__dayrows *dr, int64_t row, size_t *i) {
  *i = (size_t)(row % ARGO_DAYROWS_BLOCK);
  return &dr->blocks[row / ARGO_DAYROWS_BLOCK];
}

/* Room for row `rows` (the next one). */
static int reserve_row(argo__dayrows *dr) {
  size_t bi = (size_t)(dr->rows / ARGO_DAYROWS_BLOCK), i = (size_t)(dr->rows % ARGO_DAYROWS_BLOCK);
  if (bi == dr->nblocks) {
    if (argo__grow((void **)&dr->blocks, &dr->bcap, dr->nblocks + 1, sizeof *dr->blocks) != 0) {
      return -1;
    }
    memset(&dr->blocks[dr->nblocks], 0, sizeof *dr->blocks);
    dr->nblocks++;
  }
  dr_block *b = &dr->blocks[bi];
  if (i < b->cap) {
    return 0;
  }
  /* Only the first block grows in steps (every later one starts full size). */
  size_t ncap = bi == 0 && b->cap < ARGO_DAYROWS_BLOCK ? (b->cap ? b->cap * 4 : FIRST_CAP)
                                                       : ARGO_DAYROWS_BLOCK;
  ncap = ncap > ARGO_DAYROWS_BLOCK ? ARGO_DAYROWS_BLOCK : ncap;
  for (size_t c = 0; c < dr->t->ncols; c++) {
    void *p = realloc(b->col[c], ncap * width(dr, c));
    if (!p) {
      return -1; /* the columns already grown keep their rows; cap stays the smallest */
    }
    b->col[c] = p;
  }
  b->cap = ncap;
  return 0;
}

static int arena_reserve(dr_block *b, size_t n) {
  return argo__grow((void **)&b->arena, &b->acap, b->alen + n, 1);
}

static void put_text(dr_block *b, size_t c, size_t i, const char *s, size_t len) {
  if (len) {
    memcpy(b->arena + b->alen, s, len);
  }
  ((uint64_t *)b->col[c])[i] = ((uint64_t)b->alen << 24) | (uint64_t)len;
  b->alen += len;
}

argo_err argo__dayrows_put(argo__dayrows *dr, int64_t at, const argo__batch *b, size_t r,
                           uint32_t keep, char *err, size_t errlen) {
  const argo__table *t = dr->t;
  uint8_t idx[ARGO_MAX_COLS];
  size_t text = 0;
  if (at >= dr->rows) {
    at = dr->rows; /* appended: every column written */
    keep = 0;
  } else if (at < dr->first) {
    argo__fmt(err, errlen, "%s: row %lld was released and cannot change", t->name, (long long)at);
    return ARGO_ESTATE;
  }
  /* Everything that can fail comes first, so that a refused row leaves the table as it was. */
  for (size_t c = 0; c < t->ncols; c++) {
    if (t->cols[c].type != ARGO_COL_TEXT || (keep >> c & 1)) {
      continue;
    }
    size_t len;
    const char *s = argo__batch_get_text(b, (int)c, r, &len);
    if (dr->kind[c] == K_BYTE) {
      int k = argo__dayrows_label_index(dr, c, s, len);
      if (k < 0) {
        argo__fmt(err, errlen, "%s.%s cannot hold '%.*s' (not one of its values)", t->name,
                  t->cols[c].name, (int)(len < 64 ? len : 64), s);
        return ARGO_EINVAL;
      }
      idx[c] = (uint8_t)k;
    } else {
      text += len;
    }
  }
  if (at == dr->rows) {
    if (reserve_row(dr) != 0) {
      argo__fmt(err, errlen, "out of memory");
      return ARGO_ENOMEM;
    }
  }
  size_t i;
  dr_block *blk = block_of(dr, at, &i);
  if (arena_reserve(blk, text) != 0) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  for (size_t c = 0; c < t->ncols; c++) {
    if (keep >> c & 1) {
      continue;
    }
    if (dr->kind[c] == K_TEXT) {
      size_t len;
      const char *s = argo__batch_get_text(b, (int)c, r, &len);
      put_text(blk, c, i, s, len);
    } else if (dr->kind[c] == K_BYTE) {
      ((uint8_t *)blk->col[c])[i] =
          t->cols[c].type == ARGO_COL_TEXT ? idx[c] : b->cols[c].i64[r] != 0;
    } else {
      ((int64_t *)blk->col[c])[i] = b->cols[c].i64[r];
    }
  }
  if (at == dr->rows) {
    dr->rows++;
  }
  return ARGO_OK;
}

argo_err argo__dayrows_append(argo__dayrows *dr, const argo__batch *b, char *err, size_t errlen) {
  for (size_t r = 0; r < b->rows; r++) {
    argo_err rc = argo__dayrows_put(dr, dr->rows, b, r, 0, err, errlen);
    if (rc) {
      return rc;
    }
  }
  return ARGO_OK;
}

const void *argo__dayrows_cells(const argo__dayrows *dr, size_t c, int64_t row, size_t *n) {
  size_t i;
  const dr_block *b = block_of(dr, row, &i);
  int64_t left = dr->rows - row;
  size_t in_block = ARGO_DAYROWS_BLOCK - i;
  *n = left < (int64_t)in_block ? (size_t)left : in_block;
  return (const char *)b->col[c] + i * width(dr, c);
}

const char *argo__dayrows_text(const argo__dayrows *dr, size_t c, int64_t row, size_t *len) {
  size_t i;
  const dr_block *b = block_of(dr, row, &i);
  if (dr->kind[c] == K_BYTE) {
    const dr_labels *l = &dr->lab[c];
    uint8_t k = ((const uint8_t *)b->col[c])[i];
    *len = l->len[k];
    return l->labels[k];
  }
  uint64_t v = ((const uint64_t *)b->col[c])[i];
  *len = (size_t)(v & 0xFFFFFF);
  return *len ? b->arena + (v >> 24) : "";
}

int64_t argo__dayrows_first(const argo__dayrows *dr) {
  return dr->first;
}

void argo__dayrows_release(argo__dayrows *dr, int64_t upto) {
  upto = upto > dr->rows ? dr->rows : upto;
  /* Whole blocks only, and never the last one (rows are appended to it). */
  size_t end = (size_t)(upto / ARGO_DAYROWS_BLOCK);
  end = end + 1 > dr->nblocks ? (dr->nblocks ? dr->nblocks - 1 : 0) : end;
  for (size_t i = (size_t)(dr->first / ARGO_DAYROWS_BLOCK); i < end; i++) {
    free_block(&dr->blocks[i]);
    memset(&dr->blocks[i], 0, sizeof dr->blocks[i]);
  }
  int64_t first = (int64_t)end * ARGO_DAYROWS_BLOCK;
  dr->first = first > dr->first ? first : dr->first;
}

typedef struct sort_key {
  int64_t key, row;
} sort_key;

static int cmp_key(const void *a, const void *b) {
  const sort_key *x = a, *y = b;
  if (x->key != y->key) {
    return x->key < y->key ? -1 : 1;
  }
  return x->row < y->row ? -1 : x->row > y->row;
}

argo_err argo__dayrows_sort(argo__dayrows *dr, size_t key) {
  if (dr->first > 0) {
    return ARGO_ESTATE;
  }
  if (dr->rows < 2) {
    return ARGO_OK;
  }
  sort_key *k = malloc((size_t)dr->rows * sizeof *k);
  argo__dayrows *out = calloc(1, sizeof *out);
  argo_err rc = ARGO_ENOMEM;
  if (!k || !out) {
    goto done;
  }
  for (int64_t r = 0; r < dr->rows; r++) {
    size_t i;
    const dr_block *b = block_of(dr, r, &i);
    k[r].key = ((const int64_t *)b->col[key])[i];
    k[r].row = r;
  }
  qsort(k, (size_t)dr->rows, sizeof *k, cmp_key);
  *out = *dr;
  out->blocks = NULL;
  out->nblocks = out->bcap = 0;
  out->rows = 0;
  for (int64_t r = 0; r < dr->rows; r++) {
    size_t si, di;
    const dr_block *sb = block_of(dr, k[r].row, &si);
    if (reserve_row(out) != 0) {
      goto done;
    }
    dr_block *db = block_of(out, out->rows, &di);
    for (size_t c = 0; c < dr->t->ncols; c++) {
      if (dr->kind[c] == K_TEXT) {
        size_t len;
        const char *s = argo__dayrows_text(dr, c, k[r].row, &len);
        if (arena_reserve(db, len) != 0) {
          goto done;
        }
        put_text(db, c, di, s, len);
      } else if (dr->kind[c] == K_BYTE) {
        ((uint8_t *)db->col[c])[di] = ((const uint8_t *)sb->col[c])[si];
      } else {
        ((int64_t *)db->col[c])[di] = ((const int64_t *)sb->col[c])[si];
      }
    }
    out->rows++;
  }
  /* The sorted rows replace the old ones. */
  argo__dayrows_clear(dr);
  dr->blocks = out->blocks;
  dr->nblocks = out->nblocks;
  dr->bcap = out->bcap;
  dr->rows = out->rows;
  out->blocks = NULL;
  out->nblocks = 0;
  rc = ARGO_OK;
done:
  if (out) {
    argo__dayrows_clear(out);
    free(out);
  }
  free(k);
  return rc;
}
