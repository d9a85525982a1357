/*
 * Publisher: the background thread that turns the engine's rows into published files
 * (docs/design.md section 5). The engine thread fills a segment (row batches of the five tables,
 * the latest stats.yaml document, day markers); the segment is handed to the publisher when the
 * publisher is idle and the rows are urgent (orders, trades, stats) or have waited long enough
 * (min_gap), when the engine is about to wait for the next candle, at every day end, and when
 * it is full while the publisher exports what it loaded and nothing else is queued; otherwise a
 * full segment, or one whose rows waited long, waits for the publisher (back-pressure). The
 * publisher loads a whole batch of segments into the store (DuckDB), then exports each table
 * that changed once and rewrites stats.yaml once, atomically (temp file, fsync, rename, one
 * fsync of the folder). So the cost per candle is a few stores into arrays on the engine
 * thread, and the export cost is amortized over everything that arrived meanwhile: it never
 * re-exports a table per row.
 *
 * Segments carry increasing sequence numbers; argo__pub_durable() is the highest one whose
 * rows are all in published files. The engine uses it to call acknowledgement callbacks only
 * once what they report is on disk.
 *
 * Threads: every function except argo__pub_durable and argo__pub_halt is called on the engine
 * thread.
 */
#ifndef ARGO_PUBLISH_H
#define ARGO_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "persist/batch.h"
#include "persist/stats_yaml.h"
#include "persist/wal.h"
#include "util/waker.h"
#include "util/util.h"

typedef struct argo__pub argo__pub;

typedef struct argo__pub_cfg {
  int64_t min_gap_us; /* non-urgent rows are handed over at most this often at full speed */
  int duck_threads;   /* DuckDB worker threads */
  /* File removed from a day's folder once its final files are published ("" = none). */
  const char *day_end_remove;
} argo__pub_cfg;

/* Starts the publisher thread with its own in-memory store. waker (borrowed) is poked when
 * rows become durable while the engine waits. */
ARGO_NODISCARD argo_err argo__pub_start(argo__pub **out, const argo__pub_cfg *cfg,
                                        argo__waker *waker, char *err, size_t errlen);
/* The write-ahead rule, for a session with a journal (wal.h; copied, its journal borrowed until
 * argo__pub_free): from now on a segment is loaded only once its rows are durable in the
 * journal, and a day's final stats.yaml is written at once (without a journal it waits for the
 * next day's first one). Engine thread, before the first hand-over. */
void argo__pub_set_wal(argo__pub *p, const argo__wal *wal);
/* Stops the thread (after handing over and publishing what is left) and frees everything. */
void argo__pub_free(argo__pub *p);
/* Any thread: stops the publisher where it is (the export in progress ends, nothing more is
 * handed over or published) and waits for its thread: for ending a session whose engine thread
 * does not come back. argo__pub_free still frees it. */
void argo__pub_halt(argo__pub *p);

/* The batch of table t in the current segment, to add rows to. */
argo__batch *argo__pub_rows(argo__pub *p, argo__table_id t);
/* Sets the stats.yaml document of the current day (copied; the latest one wins). Its arrays,
 * by_symbol and positions, are borrowed until the next call or the segment's hand-over
 * (argo__pub_tick, argo__pub_sync ..., argo__pub_free), which copies them: the caller changes
 * them only right before its next call. */
void argo__pub_set_stats(argo__pub *p, const argo__stats_doc *doc);
/* Marks urgent rows in the current segment (orders, trades, stats): hand over promptly. */
void argo__pub_urgent(argo__pub *p);
/* The session's symbols, before its first day (copied): the store keeps market_data.symbol
 * as their ENUM. */
ARGO_NODISCARD argo_err argo__pub_set_symbols(argo__pub *p, const char *const *symbols, size_t n);
/* Starts a day: rows from now on belong to run_dir, whose five files are created at once
 * (empty tables included). */
void argo__pub_begin_day(argo__pub *p, const char *run_dir);
/* After argo__pub_begin_day and argo__pub_set_stats, at a session's first day: writes the
 * day's files here, on the calling thread (the five empty tables and stats.yaml of the
 * document set, then the folder fsynced), so that they exist before the first candle without
 * waiting for the publisher (whose DuckDB may still be starting). The publisher then only
 * loads and publishes what comes after. ARGO_EIO with the path in err; nothing is handed
 * over then. */
ARGO_NODISCARD argo_err argo__pub_write_day_files(argo__pub *p, char *err, size_t errlen);
/* Ends the current day: everything so far is published to its folder, then the tables are
 * emptied. Hands the segment over. lock_fd (taken; -1 for none) is the day folder's lock
 * (argo__session_lock), released once the day's files are final. */
void argo__pub_end_day(argo__pub *p, int lock_fd);
/* Sequence number of the current segment: rows added now are durable once
 * argo__pub_durable() >= this. */
uint64_t argo__pub_seq(const argo__pub *p);
/* After each candle: hands the segment over if the publisher is idle and the rows are urgent
 * or older than min_gap. Cheap when there is nothing to do. */
void argo__pub_tick(argo__pub *p);
/* Hands the current segment over now (if it holds anything). */
void argo__pub_handover(argo__pub *p);
/* Same, because the engine is about to wait for its feed: the publisher then publishes at the
 * short gaps (the engine is keeping up with real time), instead of as lazily as freshness
 * allows (the engine runs flat out). */
void argo__pub_handover_idle(argo__pub *p);
/* Highest segment sequence number whose rows are published. Any thread. */
uint64_t argo__pub_durable(const argo__pub *p);
/* Asks to be poked through the waker when durability advances (while events wait). */
void argo__pub_want_poke(argo__pub *p, int on);
/* Hands everything over and waits until it is published or the publisher gave up. ARGO_OK or
 * the publisher's last error (err set). */
ARGO_NODISCARD argo_err argo__pub_sync(argo__pub *p, char *err, size_t errlen);
/* Waits until the segment seq is published (handing it over first when it is the current
 * one) or the publisher gave up. ARGO_OK or the publisher's last error (err set). */
ARGO_NODISCARD argo_err argo__pub_wait(argo__pub *p, uint64_t seq, char *err, size_t errlen);
/* Pops one error reported by the publisher thread (returns 1 and sets code/msg) or returns 0.
 * fatal is set when the publisher gave up after retries (the session should stop). */
int argo__pub_error(argo__pub *p, argo_err *code, char *msg, size_t len, int *fatal);

#endif
