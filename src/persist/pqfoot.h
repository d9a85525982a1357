/*
 * Parquet footers: the FileMetaData of a file DuckDB wrote, taken apart into what a day's file
 * built from several such files needs (the schema and the other file-level fields, kept as
 * DuckDB wrote them, and each row group's metadata), row groups moved to another place in a
 * file (every absolute offset they hold shifted, their ordinal renumbered), and a footer put
 * together again from them. The metadata is Thrift's compact protocol (parquet.thrift of the
 * Parquet format); only the offsets, the ordinals and the row count are ever rewritten, every
 * other field is copied byte for byte, so the readers see exactly what DuckDB wrote.
 *
 * The bytes come from DuckDB's own Parquet writer, but they are read as outside bytes: every
 * length is checked against the buffer (a fuzz target runs the parser). Depends on libc only.
 */
#ifndef ARGO_PQFOOT_H
#define ARGO_PQFOOT_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"
#include "util/util.h"

/* Row groups at most in one file's footer that argo__pqf_parse accepts. */
#define ARGO_PQF_MAX_RG 65536

/* One parsed footer. Spans point into the footer buffer given to argo__pqf_parse, which must
 * outlive it. */
typedef struct argo__pqf {
  const uint8_t *head; /* fields 1 (version) and 2 (schema), their field headers included */
  size_t head_len;
  const uint8_t *tail; /* the fields after row_groups, up to and including the struct's end */
  size_t tail_len;
  int64_t num_rows;
  size_t nrg;
  struct argo__pqf_rg {
    const uint8_t *p; /* the RowGroup struct */
    size_t len;
    int64_t rows;
  } * rg;             /* nrg entries (malloc'd: argo__pqf_free) */
  int64_t body_end;   /* the highest byte any row group's metadata points at (excluded) */
  int has_page_index; /* a column chunk has an offset index (which holds file offsets) */
} argo__pqf;

/* Reads the footer of a whole Parquet file in memory (file, len): its magic numbers, its
 * length and its FileMetaData. 0, or -1 with err set. */
ARGO_NODISCARD int argo__pqf_parse_file(const uint8_t *file, size_t len, argo__pqf *out, char *err,
                                        size_t errlen);
/* Parses a FileMetaData (footer, len). 0, or -1 with err set. */
ARGO_NODISCARD int argo__pqf_parse(const uint8_t *footer, size_t len, argo__pqf *out, char *err,
                                   size_t errlen);
void argo__pqf_free(argo__pqf *f);

/* Appends to out the RowGroup struct rg (len bytes) with every absolute file offset it holds
 * shifted by shift (data, dictionary and index pages, bloom filters, column and offset
 * indexes, the row group's own file_offset) and its ordinal, if it has one, set to ordinal.
 * 0, or -1 with err set (a malformed struct: among others an offset or length below 0 or above
 * 2^62, which no file has; or a shift outside [0, 2^62]). */
ARGO_NODISCARD int argo__pqf_relocate(const uint8_t *rg, size_t len, int64_t shift, int32_t ordinal,
                                      argo__sb *out, char *err, size_t errlen);

/* Appends a whole footer to out: the FileMetaData (head, then num_rows, then the row_groups
 * list of nrg RowGroup structs already relocated and laid end to end in rgs, then tail), its
 * length (4 bytes, little-endian) and the closing magic number. */
void argo__pqf_assemble(const argo__pqf *like, int64_t num_rows, size_t nrg, const uint8_t *rgs,
                        size_t rgs_len, argo__sb *out);

#endif
