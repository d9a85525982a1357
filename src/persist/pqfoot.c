/* Parquet footers (Thrift compact protocol); see pqfoot.h. */
#include "persist/pqfoot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Thrift compact protocol types (field headers and containers). */
enum {
  T_STOP = 0,
  T_TRUE = 1,
  T_FALSE = 2,
  T_I8 = 3,
  T_I16 = 4,
  T_I32 = 5,
  T_I64 = 6,
  T_DOUBLE = 7,
  T_BINARY = 8,
  T_LIST = 9,
  T_SET = 10,
  T_MAP = 11,
  T_STRUCT = 12
};

/* Nesting deeper than this is refused (FileMetaData needs five levels). */
#define MAX_DEPTH 32

typedef struct rd {
  const uint8_t *p, *end;
  int bad;
} rd;

static uint64_t varint(rd *r) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (r->p >= r->end) {
      r->bad = 1;
      return 0;
    }
    uint8_t b = *r->p++;
    v |= (uint64_t)(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      return v;
    }
  }
  r->bad = 1;
  return 0;
}

static int64_t zigzag(rd *r) {
  uint64_t v = varint(r);
  return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void skip_n(rd *r, uint64_t n) {
  if (r->bad || n > (uint64_t)(r->end - r->p)) {
    r->bad = 1;
    return;
  }
  r->p += n;
}

static void skip(rd *r, int type, int depth);

static void skip_struct(rd *r, int depth) {
  if (depth > MAX_DEPTH) {
    r->bad = 1;
    return;
  }
  while (!r->bad) {
    if (r->p >= r->end) {
      r->bad = 1;
      return;
    }
    uint8_t h = *r->p++;
    if (h == T_STOP) {
      return;
    }
    if ((h >> 4) == 0) {
      (void)zigzag(r); /* a field id written in full */
    }
    skip(r, h & 0x0F, depth + 1);
  }
}

/* The element count and type of a list or set header. */
static uint64_t list_header(rd *r, int *elem) {
  if (r->p >= r->end) {
    r->bad = 1;
    return 0;
  }
  uint8_t h = *r->p++;
  *elem = h & 0x0F;
  uint64_t n = h >> 4;
  if (n == 15) {
    n = varint(r);
  }
  /* Every element takes at least a byte: a count beyond the buffer is a lie. */
  if (n > (uint64_t)(r->end - r->p)) {
    r->bad = 1;
    return 0;
  }
  return n;
}

/* Skips one value of a container (booleans take a byte there). */
static void skip_elem(rd *r, int type, int depth) {
  if (type == T_TRUE || type == T_FALSE) {
    skip_n(r, 1);
  } else {
    skip(r, type, depth);
  }
}

static void skip(rd *r, int type, int depth) {
  if (r->bad) {
    return;
  }
  if (depth > MAX_DEPTH) {
    r->bad = 1;
    return;
  }
  switch (type) {
  case T_TRUE:
  case T_FALSE:
    return; /* the value is in the field header */
  case T_I8:
    skip_n(r, 1);
    return;
  case T_I16:
  case T_I32:
  case T_I64:
    (void)varint(r);
    return;
  case T_DOUBLE:
    skip_n(r, 8);
    return;
  case T_BINARY:
    skip_n(r, varint(r));
    return;
  case T_LIST:
  case T_SET: {
    int elem;
    uint64_t n = list_header(r, &elem);
    for (uint64_t i = 0; i < n && !r->bad; i++) {
      skip_elem(r, elem, depth + 1);
    }
    return;
  }
  case T_MAP: {
    uint64_t n = varint(r);
    if (n == 0) {
      return;
    }
    if (r->p >= r->end || n > (uint64_t)(r->end - r->p)) {
      r->bad = 1;
      return;
    }
    uint8_t kv = *r->p++;
    for (uint64_t i = 0; i < n && !r->bad; i++) {
      skip_elem(r, kv >> 4, depth + 1);
      skip_elem(r, kv & 0x0F, depth + 1);
    }
    return;
  }
  case T_STRUCT:
    skip_struct(r, depth + 1);
    return;
  default:
    r->bad = 1;
    return;
  }
}

/* Reads a field header: 0 at the struct's end, else 1 with *id and *type; *last tracks the
 * previous field id (the short form is a delta from it). */
static int field(rd *r, int *last, int *id, int *type) {
  if (r->p >= r->end) {
    r->bad = 1;
    return 0;
  }
  uint8_t h = *r->p++;
  if (h == T_STOP) {
    return 0;
  }
  *type = h & 0x0F;
  int delta = h >> 4;
  /* Field ids are Thrift i16s: one out of that range is a corrupt footer (and the short form
   * added to it must not overflow). */
  int64_t v = delta ? (int64_t)*last + delta : zigzag(r);
  if (v < INT16_MIN || v > INT16_MAX) {
    r->bad = 1;
    return 0;
  }
  *id = (int)v;
  *last = *id;
  return !r->bad;
}

/* ---- writing ---------------------------------------------------------------------------- */

static void put_varint(argo__sb *sb, uint64_t v) {
  char b[10];
  size_t n = 0;
  while (v >= 0x80) {
    b[n++] = (char)(v | 0x80);
    v >>= 7;
  }
  b[n++] = (char)v;
  argo__sb_add(sb, b, n);
}

static void put_zigzag(argo__sb *sb, int64_t v) {
  put_varint(sb, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* ---- relocation ------------------------------------------------------------------------- */

typedef struct reloc {
  int64_t shift;
  int32_t ordinal;
  int64_t rows;     /* RowGroup.num_rows */
  int64_t body_end; /* the highest end of anything the row group points at */
  int page_index;   /* an offset index seen */
} reloc;

enum { S_ROWGROUP, S_CHUNK, S_COLMETA };

static int is_offset(int kind, int id) {
  switch (kind) {
  case S_ROWGROUP:
    return id == 5; /* file_offset */
  case S_CHUNK:
    return id == 2 || id == 4 ||
           id == 6; /* file_offset, offset_index_offset, column_index_offset */
  default:
    /* data_page_offset, index_page_offset, dictionary_page_offset, bloom_filter_offset */
    return id == 9 || id == 10 || id == 11 || id == 14;
  }
}

static void note_end(reloc *x, int64_t end) {
  x->body_end = end > x->body_end ? end : x->body_end;
}

/* The largest offset or length a footer may hold, and a shift may add: no Parquet file is 4 EiB,
 * and an offset shifted by as much, or an offset plus a length, stays within int64_t. */
#define MAX_OFFSET (((int64_t)1 << 62) - 1)

/* Copies the struct at r to out (its fields from the first header to the stop byte), shifting
 * the offsets of its kind and descending into the structs that hold more of them. */
static void relocate_struct(rd *r, int kind, reloc *x, argo__sb *out) {
  int last = 0, id, type;
  /* Per struct: the page offsets and lengths seen, for body_end. */
  int64_t first_page = -1, compressed = -1, bloom = -1, bloom_len = -1;
  int64_t idx_off[2] = {-1, -1}, idx_len[2] = {-1, -1};
  for (;;) {
    const uint8_t *h = r->p;
    if (!field(r, &last, &id, &type)) {
      break;
    }
    argo__sb_add(out, (const char *)h, (size_t)(r->p - h)); /* the header as it was */
    if (is_offset(kind, id)) {
      if (type != T_I64) {
        r->bad = 1;
        return;
      }
      int64_t v = zigzag(r);
      if (v < 0 || v > MAX_OFFSET) {
        r->bad = 1; /* no file has that offset (and shifting it could overflow) */
        return;
      }
      /* DuckDB writes 0 for the deprecated ColumnChunk.file_offset: "none", left as it is. What
       * an offset points at is in the file's body, before its footer. */
      int64_t nv = v > 0 ? v + x->shift : v;
      if (v > 0) {
        note_end(x, v);
      }
      put_zigzag(out, nv);
      if (kind == S_COLMETA && (id == 9 || id == 11)) {
        first_page = first_page < 0 || v < first_page ? v : first_page;
      } else if (kind == S_COLMETA && id == 14) {
        bloom = v;
      } else if (kind == S_CHUNK && (id == 4 || id == 6)) {
        idx_off[id == 6] = v;
        x->page_index |= id == 4;
      }
      continue;
    }
    if (kind == S_ROWGROUP && id == 7 && type == T_I16) {
      (void)zigzag(r);
      put_zigzag(out, x->ordinal);
      continue;
    }
    if (kind == S_ROWGROUP && id == 1 && type == T_LIST) {
      const uint8_t *lh = r->p;
      int elem;
      uint64_t n = list_header(r, &elem);
      if (r->bad || elem != T_STRUCT) {
        r->bad = 1;
        return;
      }
      argo__sb_add(out, (const char *)lh, (size_t)(r->p - lh));
      for (uint64_t i = 0; i < n && !r->bad; i++) {
        relocate_struct(r, S_CHUNK, x, out);
      }
      continue;
    }
    if (kind == S_CHUNK && id == 3 && type == T_STRUCT) {
      relocate_struct(r, S_COLMETA, x, out);
      continue;
    }
    const uint8_t *v = r->p;
    if ((kind == S_ROWGROUP && id == 3 && type == T_I64) ||
        (kind == S_COLMETA && id == 7 && type == T_I64) ||
        (kind == S_COLMETA && id == 15 && type == T_I32) ||
        (kind == S_CHUNK && (id == 5 || id == 7) && type == T_I32)) {
      int64_t n = zigzag(r);
      if (kind != S_ROWGROUP && (n < 0 || n > MAX_OFFSET)) {
        r->bad = 1; /* a length no file has: an offset plus it could overflow */
        return;
      }
      if (kind == S_ROWGROUP) {
        x->rows = n;
      } else if (kind == S_COLMETA && id == 7) {
        compressed = n;
      } else if (kind == S_COLMETA) {
        bloom_len = n;
      } else {
        idx_len[id == 7] = n;
      }
    } else {
      skip(r, type, 1);
    }
    argo__sb_add(out, (const char *)v, (size_t)(r->p - v));
  }
  argo__sb_putc(out, (char)T_STOP);
  if (first_page >= 0 && compressed >= 0) {
    note_end(x, first_page + compressed);
  }
  if (bloom >= 0 && bloom_len >= 0) {
    note_end(x, bloom + bloom_len);
  }
  for (int k = 0; k < 2; k++) {
    if (idx_off[k] >= 0 && idx_len[k] >= 0) {
      note_end(x, idx_off[k] + idx_len[k]);
    }
  }
}

int argo__pqf_relocate(const uint8_t *rg, size_t len, int64_t shift, int32_t ordinal, argo__sb *out,
                       char *err, size_t errlen) {
  if (shift < 0 || shift > MAX_OFFSET) {
    argo__fmt(err, errlen, "a Parquet row group cannot move by %lld bytes", (long long)shift);
    return -1;
  }
  rd r = {rg, rg + len, 0};
  reloc x = {.shift = shift, .ordinal = ordinal};
  relocate_struct(&r, S_ROWGROUP, &x, out);
  if (r.bad || r.p != r.end) {
    argo__fmt(err, errlen, "a Parquet row group's metadata is malformed");
    return -1;
  }
  return 0;
}

/* ---- parsing ---------------------------------------------------------------------------- */

void argo__pqf_free(argo__pqf *f) {
  if (f) {
    free(f->rg);
    memset(f, 0, sizeof *f);
  }
}

int argo__pqf_parse(const uint8_t *footer, size_t len, argo__pqf *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  rd r = {footer, footer + len, 0};
  int last = 0, id = 0, type = 0, have_rows = 0, have_rg = 0, head_last = 0;
  const char *why = "malformed";
  argo__sb scratch;
  argo__sb_init(&scratch);
  while (!r.bad) {
    if (!field(&r, &last, &id, &type)) {
      break;
    }
    if (id <= 2) {
      if (have_rows || have_rg) {
        why = "its fields are out of order";
        goto bad;
      }
      skip(&r, type, 1);
      out->head = footer;
      out->head_len = (size_t)(r.p - footer);
      head_last = id;
    } else if (id == 3) {
      /* num_rows is written again after the head with a one-step field header: the head must
       * end with the schema (field 2). */
      if (type != T_I64 || head_last != 2) {
        why = "it has no schema before num_rows";
        goto bad;
      }
      out->num_rows = zigzag(&r);
      have_rows = 1;
    } else if (id == 4) {
      int elem;
      if (type != T_LIST || !have_rows) {
        why = "row_groups is not where it belongs";
        goto bad;
      }
      uint64_t n = list_header(&r, &elem);
      if (r.bad || elem != T_STRUCT || n > ARGO_PQF_MAX_RG) {
        why = "too many row groups, or not a list of them";
        goto bad;
      }
      out->rg = calloc(n ? n : 1, sizeof *out->rg);
      if (!out->rg) {
        why = "out of memory";
        goto bad;
      }
      for (uint64_t i = 0; i < n && !r.bad; i++) {
        const uint8_t *s = r.p;
        /* Walked once with no shift: it checks the struct and finds its rows and extent. */
        reloc x = {0};
        argo__sb_reset(&scratch);
        relocate_struct(&r, S_ROWGROUP, &x, &scratch);
        out->rg[i].p = s;
        out->rg[i].len = (size_t)(r.p - s);
        out->rg[i].rows = x.rows;
        out->body_end = x.body_end > out->body_end ? x.body_end : out->body_end;
        out->has_page_index |= x.page_index;
        out->nrg = (size_t)i + 1;
      }
      have_rg = 1;
      out->tail = r.p;
      /* The rest, to the struct's stop byte. */
      int l2 = 4;
      int id2, ty2;
      while (field(&r, &l2, &id2, &ty2)) {
        skip(&r, ty2, 1);
      }
      out->tail_len = (size_t)(r.p - out->tail);
      break;
    } else {
      why = "num_rows or row_groups is missing";
      goto bad;
    }
  }
  if (r.bad || !have_rg || r.p != r.end) {
    goto bad;
  }
  argo__sb_free(&scratch);
  return 0;
bad:
  argo__sb_free(&scratch);
  argo__pqf_free(out);
  argo__fmt(err, errlen, "a Parquet footer that argo cannot read: %s", why);
  return -1;
}

int argo__pqf_parse_file(const uint8_t *file, size_t len, argo__pqf *out, char *err,
                         size_t errlen) {
  memset(out, 0, sizeof *out);
  if (len < 12 || memcmp(file, "PAR1", 4) != 0 || memcmp(file + len - 4, "PAR1", 4) != 0) {
    argo__fmt(err, errlen, "not a Parquet file (no PAR1 at its start and end)");
    return -1;
  }
  const uint8_t *l = file + len - 8;
  uint32_t flen =
      (uint32_t)l[0] | (uint32_t)l[1] << 8 | (uint32_t)l[2] << 16 | (uint32_t)l[3] << 24;
  if (flen > len - 12) {
    argo__fmt(err, errlen, "a Parquet footer longer than its file");
    return -1;
  }
  size_t start = len - 8 - flen;
  if (argo__pqf_parse(file + start, flen, out, err, errlen) != 0) {
    return -1;
  }
  if (out->body_end > (int64_t)start) {
    argo__pqf_free(out);
    argo__fmt(err, errlen, "a Parquet footer that points past the row groups");
    return -1;
  }
  return 0;
}

void argo__pqf_assemble(const argo__pqf *like, int64_t num_rows, size_t nrg, const uint8_t *rgs,
                        size_t rgs_len, argo__sb *out) {
  size_t start = out->len;
  argo__sb_add(out, (const char *)like->head, like->head_len);
  argo__sb_putc(out, (char)(1 << 4 | T_I64)); /* field 3 (num_rows), one after the schema */
  put_zigzag(out, num_rows);
  argo__sb_putc(out, (char)(1 << 4 | T_LIST)); /* field 4 (row_groups) */
  if (nrg < 15) {
    argo__sb_putc(out, (char)(nrg << 4 | T_STRUCT));
  } else {
    argo__sb_putc(out, (char)(15 << 4 | T_STRUCT));
    put_varint(out, nrg);
  }
  argo__sb_add(out, (const char *)rgs, rgs_len);
  argo__sb_add(out, (const char *)like->tail, like->tail_len);
  uint32_t flen = (uint32_t)(out->len - start);
  char l[8] = {(char)(flen & 0xFF),
               (char)(flen >> 8 & 0xFF),
               (char)(flen >> 16 & 0xFF),
               (char)(flen >> 24),
               'P',
               'A',
               'R',
               '1'};
  argo__sb_add(out, l, sizeof l);
}
