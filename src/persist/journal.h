/*
 * Write-ahead journal (docs/design.md section 5, "zero loss"): every row of a run-day folder
 * (candles, orders and their changes, fills, marks, logs) is appended to {run_dir}/.journal before
 * it is reported or published, and the journal is fsynced with group commit. After a crash the
 * journal alone rebuilds the day's Parquet files and stats.yaml (recover.c).
 *
 * File format (docs/files.md): a header, then records framed by length and CRC-32C; a damaged
 * region is skipped, a torn tail ends the journal. The bytes are persist/jformat.h's.
 *
 * Writing: the engine thread appends records into memory (no system call, no lock); a writer
 * thread writes and fsyncs whatever has been appended, on its own: soon when the engine marks
 * the data urgent (orders, fills: at once, or 2 ms after the previous commit ended when the
 * commits follow each other that closely), at once when someone waits for the disk, and at
 * least every group_commit otherwise, so records become durable within group_commit whatever
 * the engine thread is doing. A day change switches the writer to the new folder's journal in
 * order with the records. Durability is counted in bytes appended (the LSN):
 * argo__journal_durable() is the LSN up to which everything is on disk. The engine thread waits
 * when more than 128 MiB are appended but not durable.
 */
#ifndef ARGO_JOURNAL_H
#define ARGO_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "persist/wal.h"
#include "util/waker.h"

#define ARGO_JOURNAL_NAME ".journal"

/* The record format (record types, the J_DAY record, the reader, the decoders and CRC-32C),
 * declared with the encoders. */
#include "persist/jformat.h"
#include "util/util.h"

typedef struct argo__journal argo__journal;

/* Starts the writer thread with the first day's journal in run_dir. waker (borrowed) is poked
 * when durability advances while the engine waits. */
ARGO_NODISCARD argo_err argo__journal_open(argo__journal **out, const char *run_dir,
                                           int64_t group_commit_us, argo__waker *waker, char *err,
                                           size_t errlen);
/* Writes and fsyncs everything, stops the thread, closes the file (it stays on disk). */
ARGO_NODISCARD argo_err argo__journal_close(argo__journal *j, char *err, size_t errlen);
void argo__journal_free(argo__journal *j);

/* Any thread: writes and fsyncs every record appended so far, then stops the writer for good
 * (records appended later are never written), so that the file no longer changes: for ending a
 * session whose engine thread does not come back. ARGO_OK or ARGO_EIO (err). */
ARGO_NODISCARD argo_err argo__journal_freeze(argo__journal *j, char *err, size_t errlen);

/* Appending (engine thread). */
void argo__journal_day(argo__journal *j, const argo__jday *d);
void argo__journal_candle(argo__journal *j, uint16_t sym, const argo_candle *c);
/* A candle of downloaded history (ARGO_J_HCANDLE; same payload as a candle). */
void argo__journal_hcandle(argo__journal *j, uint16_t sym, const argo_candle *c);
void argo__journal_order(argo__journal *j, uint16_t sym, const argo_order *o,
                         const char *client_id);
/* x: a live broker's additions (may be NULL). */
void argo__journal_fill(argo__journal *j, uint16_t sym, const argo_fill *f,
                        const argo__fill_extra *x);
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
ARGO_NODISCARD argo_err argo__journal_sync(argo__journal *j, char *err, size_t errlen);
/* Waits until the LSN lsn is durable. ARGO_OK or ARGO_EIO (err). */
ARGO_NODISCARD argo_err argo__journal_wait(argo__journal *j, uint64_t lsn, char *err,
                                           size_t errlen);
/* Pops an error of the writer thread (1 if there was one). */
int argo__journal_error(argo__journal *j, argo_err *code, char *msg, size_t len);
/* The write-ahead interface on j, for the publisher (journal_wal.c). */
argo__wal argo__journal_wal(argo__journal *j);

#endif
