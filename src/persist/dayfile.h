/*
 * The day's file of one table, extended instead of encoded again (issue 21). A publication
 * encodes (with DuckDB) only the rows since the previous one into a small Parquet file, the
 * segment; the day's new file is the previous file's bytes up to the end of the segments it
 * keeps, then the new segment's row groups, then a footer argo writes from the row-group
 * metadata DuckDB wrote (persist/pqfoot.h: offsets shifted, ordinals renumbered, everything
 * else byte for byte). The cost of a publication is the new rows' encoding and bytes, plus a
 * footer of a few hundred bytes per row group, whatever the day's size.
 *
 * Two files (inodes) take turns, each also linked under a hidden name in the day's folder
 * (".<file>.0.tmp", ".<file>.1.tmp"): the published one is never written; the other one, which
 * is at most two publications behind, is brought up to date (the bytes it lacks copied from the
 * published one with copy_file_range, the new segment, the footer), truncated to its length,
 * fsynced, linked to ".<file>.tmp" and renamed over the published name: the same atomic
 * replacement as every other file (DESIGN section 5). A reader that opened the previous file
 * keeps valid bytes until the publication after next rewrites that inode past its old row
 * groups (a reader reads the footer when it opens the file: the row groups it names stay).
 *
 * Row groups: each segment is one COPY, so one or more row groups. Trailing segments smaller
 * than ARGO_DAYFILE_FULL rows are merged like a binary counter: before encoding, the last kept
 * segment joins the new rows while it holds no more rows than they do, so a file holds
 * O(log) small segments and a row is encoded again O(log) times at most (a day of tiny
 * publications); a publication of ARGO_DAYFILE_FULL rows or more (a flat-out replay) is
 * encoded once.
 *
 * A table whose rows change (orders: a PENDING order's row is updated in place) gives the
 * first row changed since the last publication: the segments from the one holding it on are
 * encoded again. Owned by the thread that exports the table. Depends on pqfoot and fsx.
 */
#ifndef ARGO_DAYFILE_H
#define ARGO_DAYFILE_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "util/strbuf.h"
#include "util/util.h"

/* A segment with at least this many rows is never merged. A quarter of DuckDB's row group size
 * (122,880): readers handle row groups of tens of thousands of rows well, and a big day published
 * every few hundred milliseconds (100 symbols at full speed: 70,000 fills between two exports of
 * trades) encodes its rows once instead of about 1.7 times (issue 21's measurements). */
#define ARGO_DAYFILE_FULL 32768

typedef struct argo__dayseg {
  int64_t first, rows;   /* the table's rows [first, first + rows) */
  int64_t off, end;      /* its bytes [off, end) in the day's file */
  size_t md_off, md_len; /* its RowGroup structs, relocated, in argo__dayfile.md */
  size_t nrg;
} argo__dayseg;

typedef struct argo__dayfile {
  int valid;                     /* the published file is this layout (else: encode everything) */
  char path[ARGO_PATH_MAX + 64]; /* the published file */
  argo__sb head, tail;           /* the footer's fields before num_rows and after row_groups */
  argo__dayseg *seg;
  size_t nseg, cap;
  argo__sb md;     /* the segments' RowGroup structs, end to end */
  int cur;         /* the hidden name (0 or 1) linked to the published file */
  int64_t have[2]; /* bytes [0, have) of each inode are the layout's; -1: nothing */
  /* Figures of the last publication, for tests and benchmarks. */
  int64_t last_encoded, last_copied;
  uint64_t publications, reencoded_rows;
} argo__dayfile;

void argo__dayfile_init(argo__dayfile *df);
/* Forgets the layout and removes the hidden files of the file it was for (if any). */
void argo__dayfile_reset(argo__dayfile *df);
void argo__dayfile_deinit(argo__dayfile *df);

/* The rows no later publication of this layout encodes again unless one of them changes: those
 * of its segments up to the last full one (ARGO_DAYFILE_FULL rows or more; the merge of small
 * segments stops there). 0 without a layout. */
int64_t argo__dayfile_settled(const argo__dayfile *df);
/* The plan of the next publication of path, whose table has total rows, the first of them
 * changed since the last publication being dirty_from (total when none): returns the number of
 * segments kept and sets *from, the first row to encode (rows [*from, total)). 0 and 0 when
 * the layout is not that of path. */
size_t argo__dayfile_plan(const argo__dayfile *df, const char *path, int64_t total,
                          int64_t dirty_from, int64_t *from);

/* Publishes path from the kept segments and the new one, the Parquet file seg_path that DuckDB
 * wrote with the rows [from, total) (from as planned). ARGO_ECORRUPT when the segment cannot be
 * used (a footer argo cannot read, a schema other than the kept segments'): the layout is then
 * forgotten and the caller encodes the whole table the ordinary way. ARGO_EIO on an I/O error:
 * the published file is untouched and the layout kept (the next publication repairs the other
 * inode). err says which file and why. */
ARGO_NODISCARD argo_err argo__dayfile_publish(argo__dayfile *df, size_t keep, int64_t from,
                                              int64_t total, const char *seg_path, const char *path,
                                              char *err, size_t errlen);

/* The hidden names of path's two inodes (which 0 or 1) and of its segment file (which 2). */
ARGO_NODISCARD int argo__dayfile_name(const char *path, int which, char *out, size_t len);
/* Removes path's hidden files (a recovery, a finished day). */
void argo__dayfile_remove_hidden(const char *path);

#endif
