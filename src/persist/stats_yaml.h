/*
 * stats.yaml: rendering (libyaml emitter) and reading back (libyaml parser). The layout is
 * docs/design.md section 7, keys in this order: id, session_id, date, session_start, last_updated,
 * status, symbols, trade_result, trade_pnl, trade_holding_time, total_fees, the five
 * *_file_path keys, strategy, daily, cumulative, then argo's own additions: candles,
 * candles_total, equity, and (only when set) run_collision, resumed_from, interval,
 * account {cash, positions: [{symbol, long_qty, long_avg_price, short_qty, short_avg_price}]},
 * stop_reason, journal ("off"), journal_damage {damaged_regions, damaged_bytes,
 * journal_kept_as, rows_restored_from_files {orders, trades, marks, logs, market_data}} and
 * started_at.
 * The top-level blocks are the day's figures (the same as daily). Every holding-time block also
 * carries count (the number of closed pieces), so that an avg of 0 is unambiguous. The daily and
 * cumulative blocks end with the figures added later (gross_profit ... buy_and_hold_return,
 * written when days is not 0) and by_symbol (a list of {symbol, fills, round_trips, winning,
 * losing, win_rate, realized_pnl, unrealized_pnl, total_pnl, fees, exposure,
 * buy_and_hold_return}, written when the document has it); a file without them reads with
 * those numbers NaN, days 0 and no by_symbol.
 * argo__stats_doc_free takes only documents produced by argo__stats_yaml_parse (a rendered
 * document borrows its strings).
 */
#ifndef ARGO_STATS_YAML_H
#define ARGO_STATS_YAML_H

#include <argo/argo.h>

#include "util/strbuf.h"
#include "util/util.h"

/* One symbol's open position in the account block. */
typedef struct argo__stats_pos {
  const char *symbol;
  double long_qty, long_avg_price, short_qty, short_avg_price;
} argo__stats_pos;

/* What recovery found in a damaged journal (journal_damage block). */
typedef struct argo__stats_damage {
  int64_t regions, bytes; /* damaged regions skipped, and their bytes (0: the journal's start was
                             damaged and nothing of it could be used) */
  const char *kept_as;    /* the journal's name after it was moved aside (".journal.corrupt") */
  int64_t restored[5];    /* rows the published files held that the journal lacked, taken from
                             the files, in the order of schema.h's tables */
} argo__stats_damage;

typedef struct argo__stats_doc {
  argo_stats s;              /* status, run_dir, symbols and strategy strings must be set */
  const char *run_collision; /* NULL, or a sentence: which run number was wanted, why not */
  const char *resumed_from;  /* NULL, or "2025-10-01/run_1" */
  const char *interval;      /* NULL, or the candle interval ("1m") */
  const char *stop_reason;   /* NULL, or why the session ended as it did (status stopped, failed,
                                crashed_recovered) */
  int journal_off;           /* engine.journal was off: `journal: "off"` */
  int has_damage;            /* the journal_damage block */
  argo__stats_damage damage;
  int has_account; /* the account block: cash and open positions (for a resume) */
  double cash;
  const argo__stats_pos *positions;
  size_t npositions;
  /* Each symbol's figures (by_symbol in the daily and cumulative blocks; none when 0). The
   * names must be set. */
  const argo_symbol_stats *by_symbol;
  size_t nby_symbol;
  int64_t started_at; /* the machine's clock when the session started; 0: not known */
  /* Live orders recovery left PENDING: their client order ids (live_orders_unknown; none when
   * 0). The exchange may have them; the next session with that broker asks it. */
  const char *const *unknown_orders;
  size_t nunknown_orders;
} argo__stats_doc;

/* Appends the YAML text of doc to out. ARGO_ENOMEM or ARGO_EIO (emitter failure). */
ARGO_NODISCARD argo_err argo__stats_yaml_render(const argo__stats_doc *doc, argo__sb *out);

/* The rendered text of each item of the document's per-symbol lists (by_symbol of the daily and
 * cumulative blocks, the account's positions), kept by whoever renders one document after
 * another (the publisher), so that an item whose symbol and figures are the same as at the
 * last render is copied rather than rendered again: a document of many symbols of which few
 * changed costs those few. The text is the same byte for byte as argo__stats_yaml_render's
 * (the items are compared bit for bit, and each item's text does not depend on its
 * neighbours'). One thread at a time; NULL works and caches nothing. */
typedef struct argo__stats_yaml_cache argo__stats_yaml_cache;
ARGO_NODISCARD argo_err argo__stats_yaml_cache_new(argo__stats_yaml_cache **out);
void argo__stats_yaml_cache_free(argo__stats_yaml_cache *c);
/* argo__stats_yaml_render through cache (NULL: the same as argo__stats_yaml_render). Items
 * rendered again and copied since the cache was made, and of the rendered ones those written
 * as text without the emitter (a plain symbol, once the emitter was seen to write the same
 * bytes), for tests and benchmarks. */
ARGO_NODISCARD argo_err argo__stats_yaml_render_cached(const argo__stats_doc *doc, argo__sb *out,
                                                       argo__stats_yaml_cache *cache);
void argo__stats_yaml_cache_counts(const argo__stats_yaml_cache *c, uint64_t *rendered,
                                   uint64_t *copied, uint64_t *written);

/* Writes doc as dir/stats.yaml: rendered (into scratch, reused, or a buffer of its own when
 * NULL), temporary file, fsync, rename; the folder is not fsynced. ARGO_EIO or ARGO_ENOMEM with
 * the path in err. */
ARGO_NODISCARD argo_err argo__stats_yaml_write(const argo__stats_doc *doc, const char *dir,
                                               argo__sb *scratch, char *err, size_t errlen);
/* argo__stats_yaml_write, rendered through cache (NULL: none). */
ARGO_NODISCARD argo_err argo__stats_yaml_write_cached(const argo__stats_doc *doc, const char *dir,
                                                      argo__sb *scratch,
                                                      argo__stats_yaml_cache *cache, char *err,
                                                      size_t errlen);

/* Reads a stats.yaml text back. Strings are malloc'ed into *doc (status, run_dir, symbols,
 * strategy strings, run_collision, resumed_from, stop_reason, journal_damage.journal_kept_as,
 * live_orders_unknown)
 * and by_symbol with its names) and freed by argo__stats_doc_free. Unknown
 * keys are ignored; a missing or malformed value gives ARGO_ECORRUPT with err set. */
ARGO_NODISCARD argo_err argo__stats_yaml_parse(const char *text, argo__stats_doc *doc, char *err,
                                               size_t errlen);
void argo__stats_doc_free(argo__stats_doc *doc);

#endif
