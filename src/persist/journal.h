/*
 * Write-ahead journal (DESIGN section 5, "zero loss"): every row of a run-day folder (candles,
 * orders and their changes, fills, marks, logs) is appended to {run_dir}/.journal before it is
 * reported or published, and the journal is fsynced with group commit. After a crash the
 * journal alone rebuilds the day's Parquet files and stats.yaml (recover.c).
 *
 * File format (docs/files.md): a 16-byte header ("ARGOJNL" NUL, u32 version 1, u32 zero), then
 * records: u32 payload length, u32 CRC-32C of (type byte + payload), u8 type, payload. All
 * integers little-endian. A record whose length runs past the end of the file or whose checksum
 * does not match is damaged: when a valid record follows it somewhere later in the file, the
 * bytes in between are a damaged region (corruption: the reader skips it and goes on); when
 * none follows, they are the torn tail a crash leaves (the journal ends before them).
 *
 * Writing: the engine thread appends records into memory (no system call, no lock); a writer
 * thread writes and fsyncs whatever has been appended, on its own: at once when the engine
 * marks the data urgent (orders, fills) and at least every group_commit otherwise, so records
 * become durable within group_commit whatever the engine thread is doing. A day change switches
 * the writer to the new folder's journal in order with the records. Durability is counted in
 * bytes appended (the LSN): argo__journal_durable() is the LSN up to which everything is on
 * disk. The engine thread waits when more than 128 MiB are appended but not durable.
 */
#ifndef ARGO_JOURNAL_H
#define ARGO_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "persist/wal.h"
#include "util/waker.h"

#define ARGO_JOURNAL_NAME ".journal"

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

typedef struct argo__journal argo__journal;

/* Starts the writer thread with the first day's journal in run_dir. waker (borrowed) is poked
 * when durability advances while the engine waits. */
argo_err argo__journal_open(argo__journal **out, const char *run_dir, int64_t group_commit_us,
                            argo__waker *waker, char *err, size_t errlen);
/* Writes and fsyncs everything, stops the thread, closes the file (it stays on disk). */
argo_err argo__journal_close(argo__journal *j, char *err, size_t errlen);
void argo__journal_free(argo__journal *j);

/* Any thread: writes and fsyncs every record appended so far, then stops the writer for good
 * (records appended later are never written), so that the file no longer changes: for ending a
 * session whose engine thread does not come back. ARGO_OK or ARGO_EIO (err). */
argo_err argo__journal_freeze(argo__journal *j, char *err, size_t errlen);

/* Appending (engine thread). */
void argo__journal_day(argo__journal *j, const argo__jday *d);
void argo__journal_candle(argo__journal *j, uint16_t sym, const argo_candle *c);
/* A candle of downloaded history (ARGO_J_HCANDLE; same payload as a candle). */
void argo__journal_hcandle(argo__journal *j, uint16_t sym, const argo_candle *c);
void argo__journal_order(argo__journal *j, uint16_t sym, const argo_order *o);
void argo__journal_fill(argo__journal *j, uint16_t sym, const argo_fill *f);
void argo__journal_mark(argo__journal *j, int64_t id, int64_t time, const char *symbol,
                        const argo_mark *m);
void argo__journal_log(argo__journal *j, int64_t id, int64_t time, const char *symbol, int level,
                       const char *message, const char *fields);
void argo__journal_end(argo__journal *j);
/* From here on records go to run_dir's journal (a day change). */
void argo__journal_switch(argo__journal *j, const char *run_dir);
/* Asks for a commit as soon as possible (orders and fills are waiting to be acknowledged). */
void argo__journal_urgent(argo__journal *j);
/* After each candle: hands the buffer to the writer when it is idle and the data is urgent or
 * the group-commit interval has passed. */
void argo__journal_tick(argo__journal *j);
/* Asks the writer to write what has been appended now. */
void argo__journal_handover(argo__journal *j);
/* Bytes appended so far (engine thread), bytes of whole records appended and bytes durable on
 * disk (any thread). */
uint64_t argo__journal_lsn(const argo__journal *j);
uint64_t argo__journal_published(const argo__journal *j);
uint64_t argo__journal_durable(const argo__journal *j);
/* Asks to be poked through the waker when durability advances. */
void argo__journal_want_poke(argo__journal *j, int on);
/* 1 once the writer could not write or fsync (nothing more will become durable). Any thread. */
int argo__journal_failed(const argo__journal *j);
/* Waits until everything appended is durable. ARGO_OK or ARGO_EIO (err). */
argo_err argo__journal_sync(argo__journal *j, char *err, size_t errlen);
/* Waits until the LSN lsn is durable. ARGO_OK or ARGO_EIO (err). */
argo_err argo__journal_wait(argo__journal *j, uint64_t lsn, char *err, size_t errlen);
/* Pops an error of the writer thread (1 if there was one). */
int argo__journal_error(argo__journal *j, argo_err *code, char *msg, size_t len);
/* The write-ahead interface on j, for the publisher (journal_wal.c). */
argo__wal argo__journal_wal(argo__journal *j);

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
argo_err argo__jreader_init(argo__jreader *r, const void *data, size_t len);
/* Next valid record: 1 (type, payload, plen set), 0 at the end (r->torn tells whether the
 * file ends in a torn record). A damaged region is skipped (counted in r->damaged). */
int argo__jreader_next(argo__jreader *r, int *type, const unsigned char **payload, size_t *plen);

/* Decoders for the payloads written above; strings point into the payload (not terminated:
 * the _len fields give their lengths) or, for argo__jday, are copied into owned memory. */
typedef struct argo__jstr {
  const char *p;
  size_t n;
} argo__jstr;

typedef struct argo__jcandle {
  uint16_t sym;
  argo_candle c; /* c.symbol is NULL: use sym */
} argo__jcandle;

typedef struct argo__jorder {
  uint16_t sym; /* 0xFFFF: not a symbol of the session (a rejected order); see symbol */
  argo_order o; /* o.symbol, o.strategy_name NULL; o.reason NULL */
  argo__jstr reason;
  argo__jstr symbol;
} argo__jorder;

typedef struct argo__jfill {
  uint16_t sym;
  argo_fill f; /* f.symbol NULL */
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
