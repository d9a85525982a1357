/* The day's file extended by segments; see dayfile.h. */
#include "persist/dayfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "persist/pqfoot.h"
#include "util/fsx.h"
#include "util/misc.h"

void argo__dayfile_init(argo__dayfile *df) {
  memset(df, 0, sizeof *df);
  argo__sb_init(&df->head);
  argo__sb_init(&df->tail);
  argo__sb_init(&df->md);
  df->have[0] = df->have[1] = -1;
}

int argo__dayfile_name(const char *path, int which, char *out, size_t len) {
  static const char *const suffix[3] = {"0", "1", "seg"};
  const char *slash = strrchr(path, '/');
  int dirlen = slash ? (int)(slash - path) : 1;
  const char *dir = slash ? path : ".";
  const char *base = slash ? slash + 1 : path;
  return argo__path(out, len, NULL, 0, "%.*s/.%s.%s.tmp", dirlen, dir, base, suffix[which]);
}

void argo__dayfile_remove_hidden(const char *path) {
  for (int i = 0; i < 3; i++) {
    char name[ARGO_PATH_MAX + 128];
    if (argo__dayfile_name(path, i, name, sizeof name) == 0) {
      unlink(name);
    }
  }
}

static void forget(argo__dayfile *df) {
  df->valid = 0;
  df->nseg = 0;
  argo__sb_reset(&df->head);
  argo__sb_reset(&df->tail);
  argo__sb_reset(&df->md);
  df->have[0] = df->have[1] = -1;
  df->cur = 0;
}

void argo__dayfile_reset(argo__dayfile *df) {
  if (df->path[0]) {
    argo__dayfile_remove_hidden(df->path);
  }
  forget(df);
  df->path[0] = '\0';
}

void argo__dayfile_deinit(argo__dayfile *df) {
  if (!df) {
    return;
  }
  argo__dayfile_reset(df);
  argo__sb_free(&df->head);
  argo__sb_free(&df->tail);
  argo__sb_free(&df->md);
  free(df->seg);
  df->seg = NULL;
  df->cap = 0;
}

int64_t argo__dayfile_settled(const argo__dayfile *df) {
  if (!df->valid) {
    return 0;
  }
  for (size_t k = df->nseg; k > 0; k--) {
    if (df->seg[k - 1].rows >= ARGO_DAYFILE_FULL) {
      return df->seg[k - 1].first + df->seg[k - 1].rows;
    }
  }
  return 0;
}

size_t argo__dayfile_plan(const argo__dayfile *df, const char *path, int64_t total,
                          int64_t dirty_from, int64_t *from) {
  *from = 0;
  if (!df->valid || strcmp(df->path, path) != 0) {
    return 0;
  }
  size_t k = df->nseg;
  /* Segments holding a row changed since the last publication are encoded again. */
  while (k > 0 && df->seg[k - 1].first + df->seg[k - 1].rows > dirty_from) {
    k--;
  }
  int64_t start = k ? df->seg[k - 1].first + df->seg[k - 1].rows : 0;
  if (start > total) {
    return *from = 0, 0; /* fewer rows than published: not this layout's table */
  }
  /* The binary counter: a small segment joins new rows at least as many as its own. */
  int64_t pending = total - start;
  while (k > 0 && df->seg[k - 1].rows < ARGO_DAYFILE_FULL && df->seg[k - 1].rows <= pending) {
    k--;
    pending += df->seg[k].rows;
    start = df->seg[k].first;
  }
  *from = start;
  return k;
}

/* Reads the footer of the Parquet file open at fd (size bytes): the footer's bytes into buf
 * (malloc'd) and where it starts. 0, or -1 with err. */
static int read_footer(int fd, const char *path, int64_t size, uint8_t **buf, size_t *len,
                       int64_t *start, char *err, size_t errlen) {
  uint8_t tail[8], head[4];
  *buf = NULL;
  if (size < 12 || pread(fd, tail, 8, size - 8) != 8 || pread(fd, head, 4, 0) != 4 ||
      memcmp(tail + 4, "PAR1", 4) != 0 || memcmp(head, "PAR1", 4) != 0) {
    argo__fmt(err, errlen, "'%s' is not a Parquet file (no PAR1 at its start and end)", path);
    return -1;
  }
  uint32_t flen = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 |
                  (uint32_t)tail[3] << 24;
  if ((int64_t)flen > size - 12) {
    argo__fmt(err, errlen, "'%s': a Parquet footer longer than its file", path);
    return -1;
  }
  *start = size - 8 - (int64_t)flen;
  *len = flen;
  *buf = malloc(flen ? flen : 1);
  if (!*buf) {
    argo__fmt(err, errlen, "out of memory");
    return -1;
  }
  if (pread(fd, *buf, flen, *start) != (ssize_t)flen) {
    argo__fmt_errno(err, errlen, errno, "cannot read '%s'", path);
    free(*buf);
    *buf = NULL;
    return -1;
  }
  return 0;
}

static int same(const argo__sb *sb, const uint8_t *p, size_t len) {
  return sb->len == len && memcmp(sb->buf, p, len) == 0;
}

argo_err argo__dayfile_publish(argo__dayfile *df, size_t keep, int64_t from, int64_t total,
                               const char *seg_path, const char *path, char *err, size_t errlen) {
  char alt_name[ARGO_PATH_MAX + 128], cur_name[ARGO_PATH_MAX + 128], tmp[ARGO_PATH_MAX + 128];
  uint8_t *foot = NULL;
  argo__pqf f = {0};
  argo__sb rgs, out;
  argo__sb_init(&rgs);
  argo__sb_init(&out);
  int sfd = -1, afd = -1, cfd = -1;
  argo_err rc = ARGO_OK;
  if (strcmp(df->path, path) != 0) {
    argo__dayfile_reset(df);
    argo__strlcpy(df->path, path, sizeof df->path);
    keep = 0;
  }
  if (!df->valid) {
    /* No layout: the hidden names may hold anything, the published file included (a layout
     * forgotten after a bad segment). Fresh inodes. */
    keep = 0;
    for (int i = 0; i < 2; i++) {
      if (argo__dayfile_name(path, i, tmp, sizeof tmp) == 0) {
        unlink(tmp);
      }
    }
    df->have[0] = df->have[1] = -1;
  }
  const int alt = df->valid ? 1 - df->cur : 0;
  if (argo__dayfile_name(path, alt, alt_name, sizeof alt_name) != 0 ||
      argo__dayfile_name(path, 1 - alt, cur_name, sizeof cur_name) != 0 ||
      argo__fs_tmp_name(path, tmp, sizeof tmp) != 0) {
    argo__fmt(err, errlen, "path too long: '%s'", path);
    return ARGO_EINVAL;
  }

  /* The new segment: its footer, checked against the kept segments'. */
  sfd = open(seg_path, O_RDONLY | O_CLOEXEC);
  struct stat sst;
  if (sfd < 0 || fstat(sfd, &sst) != 0) {
    argo__fmt_errno(err, errlen, errno, "cannot read '%s'", seg_path);
    rc = ARGO_EIO;
    goto done;
  }
  size_t flen;
  int64_t fstart;
  if (read_footer(sfd, seg_path, (int64_t)sst.st_size, &foot, &flen, &fstart, err, errlen) != 0) {
    rc = ARGO_ECORRUPT;
    goto done;
  }
  if (argo__pqf_parse(foot, flen, &f, err, errlen) != 0) {
    rc = ARGO_ECORRUPT;
    goto done;
  }
  if (f.num_rows != total - from || f.body_end > fstart || f.has_page_index) {
    argo__fmt(err, errlen,
              "'%s': a segment of %lld rows where %lld were encoded, or with a page index (its "
              "offsets cannot be moved)",
              seg_path, (long long)f.num_rows, (long long)(total - from));
    rc = ARGO_ECORRUPT;
    goto done;
  }
  if (keep > 0 && (!same(&df->head, f.head, f.head_len) || !same(&df->tail, f.tail, f.tail_len))) {
    argo__fmt(err, errlen, "'%s': a schema or file metadata other than the day's file's", seg_path);
    rc = ARGO_ECORRUPT;
    goto done;
  }
  size_t nrg_kept = 0;
  for (size_t i = 0; i < keep; i++) {
    nrg_kept += df->seg[i].nrg;
  }
  if (nrg_kept + f.nrg > 32767) {
    argo__fmt(err, errlen, "'%s' would have more row groups than a footer numbers", path);
    rc = ARGO_ECORRUPT;
    goto done;
  }
  const int64_t off = keep ? df->seg[keep - 1].end : 4;
  const int64_t body = fstart - 4; /* the segment's row groups (and what they point at) */
  const int64_t shift = off - 4;
  size_t md_keep = keep ? df->seg[keep - 1].md_off + df->seg[keep - 1].md_len : 0;
  argo__sb_add(&rgs, df->md.buf ? df->md.buf : "", md_keep);
  for (size_t i = 0; i < f.nrg; i++) {
    if (argo__pqf_relocate(f.rg[i].p, f.rg[i].len, shift, (int32_t)(nrg_kept + i), &rgs, err,
                           errlen) != 0) {
      rc = ARGO_ECORRUPT;
      goto done;
    }
  }
  if (keep == 0) {
    argo__sb_reset(&df->head);
    argo__sb_reset(&df->tail);
    argo__sb_add(&df->head, (const char *)f.head, f.head_len);
    argo__sb_add(&df->tail, (const char *)f.tail, f.tail_len);
  }
  argo__pqf pf = {.head = (const uint8_t *)df->head.buf,
                  .head_len = df->head.len,
                  .tail = (const uint8_t *)df->tail.buf,
                  .tail_len = df->tail.len};
  argo__pqf_assemble(&pf, total, nrg_kept + f.nrg, (const uint8_t *)rgs.buf, rgs.len, &out);
  if (argo__sb_failed(&rgs) || argo__sb_failed(&out) || argo__sb_failed(&df->head) ||
      argo__sb_failed(&df->tail)) {
    argo__fmt(err, errlen, "out of memory");
    forget(df);
    rc = ARGO_ENOMEM;
    goto done;
  }

  /* The other inode: the bytes it lacks, the segment, the footer, its length, fsync. */
  afd = open(alt_name, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (afd < 0) {
    argo__fmt_errno(err, errlen, errno, "cannot open '%s'", alt_name);
    rc = ARGO_EIO;
    goto done;
  }
  int64_t have = df->have[alt] < off ? df->have[alt] : off;
  df->have[alt] = have; /* from here on, its bytes past that may change */
  int e = 0;
  if (have < 4) {
    e = argo__io_pwrite_path(afd, "PAR1", 4, 0, tmp);
    have = 4;
  }
  int64_t copied = 0;
  if (e == 0 && have < off) {
    cfd = open(cur_name, O_RDONLY | O_CLOEXEC);
    e = cfd < 0 ? -errno : argo__io_copy_path(cfd, have, afd, have, (size_t)(off - have), tmp);
    copied = off - have;
  }
  if (e == 0) {
    e = argo__io_copy_path(sfd, 4, afd, off, (size_t)body, tmp);
  }
  if (e == 0) {
    e = argo__io_pwrite_path(afd, out.buf, out.len, off + body, tmp);
  }
  if (e == 0 && ftruncate(afd, off + body + (int64_t)out.len) != 0) {
    e = -errno;
  }
  if (e == 0) {
    e = argo__io_fsync_path(afd, tmp);
  }
  if (e == 0) {
    unlink(tmp);
    e = link(alt_name, tmp) != 0 ? -errno : 0;
  }
  if (e == 0) {
    e = argo__io_rename(tmp, path);
    if (e) {
      argo__fmt_errno(err, errlen, -e, "cannot rename '%s' to '%s'", tmp, path);
    }
  } else {
    argo__fmt_errno(err, errlen, -e, "cannot write '%s'", tmp);
  }
  if (e) {
    unlink(tmp);
    rc = ARGO_EIO;
    goto done;
  }

  /* Published: the layout follows. */
  int64_t published =
      df->valid && df->nseg ? df->seg[df->nseg - 1].first + df->seg[df->nseg - 1].rows : 0;
  if (argo__grow((void **)&df->seg, &df->cap, keep + 1, sizeof *df->seg) != 0) {
    argo__fmt(err, errlen, "out of memory");
    forget(df); /* the next publication encodes everything */
    rc = ARGO_OK;
    goto done;
  }
  df->seg[keep] = (argo__dayseg){.first = from,
                                 .rows = total - from,
                                 .off = off,
                                 .end = off + body,
                                 .md_off = md_keep,
                                 .md_len = rgs.len - md_keep,
                                 .nrg = f.nrg};
  df->nseg = keep + 1;
  argo__sb_reset(&df->md);
  argo__sb_add(&df->md, rgs.buf, rgs.len);
  if (argo__sb_failed(&df->md)) {
    forget(df);
    goto done;
  }
  df->have[alt] = off + body;
  df->have[1 - alt] = df->have[1 - alt] > off ? off : df->have[1 - alt];
  df->cur = alt;
  df->valid = 1;
  df->last_encoded = total - from;
  df->last_copied = copied + body;
  df->publications++;
  df->reencoded_rows += (uint64_t)(published > from ? published - from : 0);
done:
  if (rc == ARGO_ECORRUPT) {
    forget(df);
  }
  if (sfd >= 0) {
    close(sfd);
  }
  if (afd >= 0) {
    close(afd);
  }
  if (cfd >= 0) {
    close(cfd);
  }
  free(foot);
  argo__pqf_free(&f);
  argo__sb_free(&rgs);
  argo__sb_free(&out);
  return rc;
}
