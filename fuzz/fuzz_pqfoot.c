/*
 * Fuzz target: Parquet footers (persist/pqfoot.c), as the day's file extension reads the
 * footer of every segment DuckDB writes and could read a damaged file from the disk. A file
 * whose footer argo__pqf_parse_file accepts has its row groups relocated (shifted, renumbered)
 * and a footer assembled from them; that footer must parse again with the same row groups and
 * rows: argo must always be able to read the footers it writes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/pqfoot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  argo__pqf f;
  char err[512];
  if (argo__pqf_parse_file(data, size, &f, err, sizeof err) != 0) {
    return 0;
  }
  argo__sb rgs, out;
  argo__sb_init(&rgs);
  argo__sb_init(&out);
  int ok = 1;
  for (size_t i = 0; i < f.nrg && ok; i++) {
    ok = argo__pqf_relocate(f.rg[i].p, f.rg[i].len, 1000003, (int32_t)(i + 7), &rgs, err,
                            sizeof err) == 0;
  }
  if (!ok) {
    /* The parser walked every row group with the same code: relocation cannot fail after it. */
    fprintf(stderr, "fuzz_pqfoot: a parsed row group does not relocate: %s\n", err);
    abort();
  }
  argo__pqf_assemble(&f, f.num_rows, f.nrg, (const uint8_t *)rgs.buf, rgs.len, &out);
  if (!argo__sb_failed(&out)) {
    argo__pqf again;
    size_t flen = out.len - 8;
    if (argo__pqf_parse((const uint8_t *)out.buf, flen, &again, err, sizeof err) != 0 ||
        again.nrg != f.nrg || again.num_rows != f.num_rows) {
      fprintf(stderr, "fuzz_pqfoot: argo cannot read back the footer it assembled: %s\n", err);
      abort();
    }
    argo__pqf_free(&again);
  }
  argo__sb_free(&rgs);
  argo__sb_free(&out);
  argo__pqf_free(&f);
  return 0;
}
