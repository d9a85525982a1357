/*
 * Statistics tracker (docs/design.md section 7): daily and cumulative trade statistics from the
 * stream of fills and candle closes. Pure computation: no I/O, no threads, no dependency on the
 * store or the engine. Symbols are small integers chosen by the caller.
 *
 * Definitions (also in docs/statistics.md):
 * - every fill counts in number_of_trades and total_fees;
 * - a closing fill (one that reduces a position, matched FIFO per symbol and side) realizes pnl
 *   as in fifo.h; winning/losing = closing fills with pnl > 0 / < 0; break-even closes count in
 *   neither; win_rate = winning / (winning + losing), 0 if none;
 * - maximum_profit = largest positive closing pnl, maximum_loss = most negative (0 if none);
 * - unrealized_pnl = open lots marked at each symbol's latest close, net of unrealized entry
 *   fees. In the daily block it is the change over the day (unrealized now minus unrealized at
 *   the day's start), so that the daily blocks of a session add up to the cumulative one;
 * - equity = capital + cumulative realized + cumulative unrealized, evaluated after every mark;
 *   the session's peak starts at the starting capital; before a symbol's first close its lots
 *   are valued at their entry price;
 *   max_drawdown = largest (peak - equity) / peak. The daily peak restarts at the day's
 *   opening equity;
 * - holding time: seconds from entry fill to exit fill of each matched piece; min and max over
 *   pieces, avg weighted by quantity;
 * - profit factor, expectancy, exposure (candle closes with a position open), the returns of
 *   equity per UTC day (the current one so far) and what follows from them (Sharpe, Sortino,
 *   Calmar, best and worst day), buy and hold of the symbols; per symbol: fills, pieces, wins,
 *   losses, pnl, fees, exposure, buy and hold. docs/statistics.md defines each.
 */
#ifndef ARGO_STATS_H
#define ARGO_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>
#include "util/util.h"

typedef struct argo__stats argo__stats;

ARGO_NODISCARD argo_err argo__stats_new(argo__stats **out, double capital, size_t nsymbols);
void argo__stats_free(argo__stats *st);
/* Records one fill of symbol sym. Returns ARGO_ENOMEM, or ARGO_EINVAL (the fill is then ignored
 * and nothing changes) if it closes more than is open, sym is out of range, the quantity is not
 * positive, or the price or commission is not finite. */
ARGO_NODISCARD argo_err argo__stats_fill(argo__stats *st, size_t sym, const argo_fill *f);
/* Marks symbol sym at close (its latest price) and updates equity and drawdown. */
void argo__stats_mark(argo__stats *st, size_t sym, double close);
/* Resuming an account, before the first fill: opens a position of symbol sym (a lot of qty at
 * price, no fee, not counted as a trade). ARGO_EINVAL for a bad symbol, quantity or price. */
ARGO_NODISCARD argo_err argo__stats_seed(argo__stats *st, size_t sym, int is_short, double qty,
                                         double price, int64_t time);
/* Sets the starting capital (the resumed account's value) and restarts the equity peaks. */
void argo__stats_set_capital(argo__stats *st, double capital);
/* Starts a new day: daily figures restart, cumulative ones carry on. */
void argo__stats_new_day(argo__stats *st);
/* Current figures. */
void argo__stats_get(const argo__stats *st, argo_stats_block *daily, argo_stats_block *cumulative);
/* Each symbol's current figures, in symbol order, named from names (NULL: no names): an array
 * of nsymbols owned by the tracker, valid until the next call or argo__stats_free; it changes
 * only in this call. Costs a pass over the symbols that a fill, a mark or a seed touched since
 * the last call (over all of them at the first call, after a new day or a load, or when names
 * differ from the last call's), and never allocates. */
const argo_symbol_stats *argo__stats_symbols(argo__stats *st, const char *const *names);
double argo__stats_equity(const argo__stats *st);
/* The open position of symbol sym as the tracker's books hold it (quantities and average entry
 * prices of the long and short books; zeros when flat or sym is out of range). */
void argo__stats_position(const argo__stats *st, size_t sym, double *long_qty, double *long_avg,
                          double *short_qty, double *short_avg);

/* Serializes the whole tracker state (for the journal's day-start record) into a malloc'ed
 * buffer, and restores it: ARGO_ECORRUPT if buf is not a state saved by this version, ARGO_EINVAL
 * if it was saved with another number of symbols; on error st is unchanged. */
ARGO_NODISCARD argo_err argo__stats_save(const argo__stats *st, void **buf, size_t *len);
ARGO_NODISCARD argo_err argo__stats_load(argo__stats *st, const void *buf, size_t len);

#endif
