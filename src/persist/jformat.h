/*
 * The write-ahead journal's record format (docs/files.md): a 16-byte header ("ARGOJNL" NUL, u32
 * version 1, u32 zero), then records: u32 payload length, u32 CRC-32C of (type byte + payload),
 * u8 type, payload. All integers little-endian. A record whose length runs past the end of the
 * file or whose checksum does not match is damaged: when a valid record follows it somewhere
 * later in the file, the bytes in between are a damaged region (corruption: the reader skips it
 * and goes on); when none follows, they are the torn tail a crash leaves (the journal ends
 * before them).
 *
 * This module owns those bytes: the file header, the encoding of each record type next to its
 * decoder, CRC-32C and the reader. It works on memory only: it must not depend on the writer
 * (journal.c), its thread or files. Depends on libc alone (pthread_once for the CRC table).
 */
#ifndef ARGO_JFORMAT_H
#define ARGO_JFORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <argo/argo.h>
#include "persist/rows.h"
#include "util/util.h"

#define ARGO_JHEADER_LEN 16 /* the file header */
#define ARGO_JREC_HDR 9     /* a record's header: u32 length, u32 CRC-32C, u8 type */
/* A whole candle record: header, u16 symbol, i64 time, five f64. */
#define ARGO_JCANDLE_LEN (ARGO_JREC_HDR + 2 + 8 + 5 * 8)

typedef enum argo__jtype {
  ARGO_J_DAY = 1, /* start of a run-day: session identity and the statistics state */
  ARGO_J_CANDLE = 2,
  ARGO_J_ORDER = 3, /* an order row: new or changed */
  ARGO_J_FILL = 4,
  ARGO_J_MARK = 5,
  ARGO_J_LOG = 6,
  ARGO_J_END = 7,    /* the day ended cleanly (its files are final) */
  ARGO_J_HCANDLE = 8 /* a candle of downloaded history (prefetch, gap fill): stored, not traded */
} argo__jtype;

/* The J_DAY record: everything needed to rebuild the day without any other file. */
typedef struct argo__jday {
  const char *session_id;
  const char *run_name; /* "run_3" */
  const char *date;     /* "2025-10-02" */
  int64_t session_start;
  int64_t day_start_event; /* last event time before the day began */
  double capital;
  int64_t mark_id, log_id; /* last ids used before the day */
  int64_t candles_total;   /* candles before the day */
  const char *strategy_name, *strategy_id, *strategy_version;
  const char *run_collision; /* "" if none */
  const char *resumed_from;  /* "" if none */
  const char *const *symbols;
  size_t nsymbols;
  const void *stats_state; /* argo__stats_save at the day's start */
  size_t stats_len;
  const char *interval; /* "1m" */
  double cash;          /* the paper account's cash at the day's start */
} argo__jday;

/* ---- writing ---- */

/* The file header, ARGO_JHEADER_LEN bytes at h. */
void argo__jencode_header(unsigned char *h);

/* A growable buffer that records are encoded into. */
typedef struct argo__jbuf {
  unsigned char *p;
  size_t len, cap;
  int failed; /* a record ran out of memory */
} argo__jbuf;

/* Each appends one whole record to b: 0, or -1 when out of memory (the record is dropped
 * whole, b->len is back where it was and b->failed is set). */
int argo__jencode_day(argo__jbuf *b, const argo__jday *d);
int argo__jencode_order(argo__jbuf *b, uint16_t sym, const argo_order *o, const char *client_id);
int argo__jencode_fill(argo__jbuf *b, uint16_t sym, const argo_fill *f, const argo__fill_extra *x);
int argo__jencode_mark(argo__jbuf *b, int64_t id, int64_t time, const char *symbol,
                       const argo_mark *m);
int argo__jencode_log(argo__jbuf *b, int64_t id, int64_t time, const char *symbol, int level,
                      const char *message, const char *fields);
/* A record of type whose payload is the n bytes at d (ARGO_J_END: none). */
int argo__jencode_raw(argo__jbuf *b, int type, const void *d, size_t n);
/* A candle record (ARGO_J_CANDLE or ARGO_J_HCANDLE), ARGO_JCANDLE_LEN bytes at h: the hot
 * path, written straight into the journal's memory. */
void argo__jencode_candle(unsigned char *h, int type, uint16_t sym, const argo_candle *c);

/* The little-endian u32 at p: a record's payload length is the one at its start, and its type
 * the byte at offset 8. */
static inline uint32_t argo__jget_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- reading ---- */

/* Reading (recovery). The callback gets each valid record in order; payload is borrowed. */
typedef struct argo__jreader {
  const unsigned char *data;
  size_t len, pos;
  int torn;        /* the journal ends in a torn record (the usual end after a crash) */
  size_t good_end; /* offset just past the last valid record */
  /* Damaged regions skipped: bytes that are not valid records, each followed by a valid one. */
  size_t damaged;       /* how many regions */
  size_t damaged_bytes; /* their bytes */
  size_t first_damage;  /* offset of the first one */
} argo__jreader;

/* Checks the header; ARGO_ECORRUPT if the file is not a journal. */
ARGO_NODISCARD argo_err argo__jreader_init(argo__jreader *r, const void *data, size_t len);
/* Next valid record: 1 (type, payload, plen set), 0 at the end (r->torn tells whether the
 * file ends in a torn record). A damaged region is skipped (counted in r->damaged). */
int argo__jreader_next(argo__jreader *r, int *type, const unsigned char **payload, size_t *plen);

/* Decoders of the payloads the encoders above write; strings point into the payload (not
 * terminated: the _len fields give their lengths) or, for argo__jday, are copied into owned memory.
 */
typedef struct argo__jstr {
  const char *p;
  size_t n;
} argo__jstr;

/* Copies s into dst (cap bytes, NUL-terminated, cut if longer). */
static inline void argo__jstr_copy(argo__jstr s, char *dst, size_t cap) {
  size_t n = s.n < cap - 1 ? s.n : cap - 1;
  if (n) {
    memcpy(dst, s.p, n);
  }
  dst[n] = '\0';
}

typedef struct argo__jcandle {
  uint16_t sym;
  argo_candle c; /* c.symbol is NULL: use sym */
} argo__jcandle;

typedef struct argo__jorder {
  uint16_t sym; /* 0xFFFF: not a symbol of the session (a rejected order); see symbol */
  argo_order o; /* o.symbol, o.strategy_name NULL; o.reason NULL */
  argo__jstr reason;
  argo__jstr symbol;
  argo__jstr client_id; /* empty when the record has none */
} argo__jorder;

typedef struct argo__jfill {
  uint16_t sym;
  argo_fill f;                           /* f.symbol NULL */
  argo__jstr commission_asset, trade_id; /* empty when the record has none */
} argo__jfill;

typedef struct argo__jmark {
  int64_t id, time;
  argo__jstr symbol, color, shape, level, title, message, category, signal_type;
} argo__jmark;

typedef struct argo__jlog {
  int64_t id, time;
  int level;
  argo__jstr symbol, message, fields;
} argo__jlog;

typedef struct argo__jday_owned {
  argo__jday d;
  char *strings; /* one allocation holding every string and the symbol array */
} argo__jday_owned;

int argo__jdecode_candle(const unsigned char *p, size_t n, argo__jcandle *out);
int argo__jdecode_order(const unsigned char *p, size_t n, argo__jorder *out);
int argo__jdecode_fill(const unsigned char *p, size_t n, argo__jfill *out);
int argo__jdecode_mark(const unsigned char *p, size_t n, argo__jmark *out);
int argo__jdecode_log(const unsigned char *p, size_t n, argo__jlog *out);
int argo__jdecode_day(const unsigned char *p, size_t n, argo__jday_owned *out);
void argo__jday_owned_free(argo__jday_owned *d);

/* CRC-32C (Castagnoli) of data, continuing from crc (start with 0). */
uint32_t argo__crc32c(uint32_t crc, const void *data, size_t len);

#endif
