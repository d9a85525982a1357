/*
 * FIFO position books: the open lots of one symbol on one side (long or short), matched first
 * in, first out when the position is reduced. Used by the paper broker (to price each fill's
 * realized pnl) and by the statistics tracker (unrealized pnl, holding times); both keep their
 * own books from the same fills, so they agree by construction. No dependency on other modules.
 *
 * Realized pnl of a closing fill (docs/design.md section 7): for each matched piece of q units,
 *   long:  (exit_price - entry_price) * q, short: (entry_price - exit_price) * q,
 * minus the entry fee of the lot pro rata (q / lot quantity at entry) and minus the exit fee
 * pro rata (q / fill quantity). Quantities within ARGO_QTY_EPS of zero count as zero.
 */
#ifndef ARGO_FIFO_H
#define ARGO_FIFO_H

#include <stddef.h>
#include <stdint.h>

#define ARGO_QTY_EPS 1e-9

typedef struct argo__lot {
  double qty;   /* open quantity left in this lot */
  double price; /* entry price */
  double fee;   /* entry fee not yet realized (pro rata of what is left) */
  int64_t time; /* entry fill time */
} argo__lot;

typedef struct argo__book {
  argo__lot *lots; /* ring buffer */
  size_t head, len, cap;
  double qty;  /* sum of lot quantities */
  double cost; /* sum of qty * price over open lots */
  double fee;  /* sum of unrealized entry fees */
} argo__book;

/* One matched piece of a closing fill: qty units of one lot, entry to exit (a round trip). */
typedef struct argo__piece {
  double qty;
  double entry_price, exit_price;
  double entry_fee, exit_fee; /* the lot's and the fill's fees, pro rata */
  double pnl;                 /* realized: gross less both fees */
  int64_t entry_time, exit_time;
} argo__piece;

/* Called once per matched piece of a closing fill. */
typedef void (*argo__piece_fn)(void *user, const argo__piece *p);

void argo__book_init(argo__book *b);
void argo__book_free(argo__book *b);
/* Adds a lot. 0, or -1 when out of memory. */
int argo__book_open(argo__book *b, double qty, double price, double fee, int64_t time);
/* Reduces the position by qty at price, paying fee; is_short selects the pnl sign. Writes the
 * realized pnl to *pnl and calls piece (may be NULL) per matched piece. Returns -1 without
 * changing anything if qty exceeds the open quantity by more than ARGO_QTY_EPS. */
int argo__book_close(argo__book *b, int is_short, double qty, double price, double fee,
                     int64_t time, argo__piece_fn piece, void *user, double *pnl);
/* Unrealized pnl of the open lots marked at mark, net of their unrealized entry fees. */
double argo__book_unrealized(const argo__book *b, int is_short, double mark);
/* Average entry price of the open quantity (0 if flat). */
double argo__book_avg_price(const argo__book *b);
/* Visits open lots oldest first (for serialization). */
const argo__lot *argo__book_lot(const argo__book *b, size_t i);

#endif
