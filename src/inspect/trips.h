/*
 * Round trips: the fills of recorded sessions paired entry to exit, first in, first out per
 * session, symbol and side, by the same FIFO books as the statistics (core/fifo.h), so that a
 * round trip is exactly one piece that the statistics count (holding_time.count) and its pnl is
 * that piece's. Used by the report's table and by the query view round_trips (a DuckDB table
 * function that reads the trades of the folders the query was opened on when it is queried).
 * Depends on fifo, util and DuckDB.
 */
#ifndef ARGO_TRIPS_H
#define ARGO_TRIPS_H

#include <stddef.h>
#include <stdint.h>

#include <duckdb.h>

#include <argo/argo.h>

/* One fill, in recording order. */
typedef struct argo__trip_fill {
  const char *session; /* fills of one session are paired together */
  const char *symbol;
  int side;  /* ARGO_SIDE_BUY / ARGO_SIDE_SELL */
  int ptype; /* ARGO_POSITION_LONG / ARGO_POSITION_SHORT */
  double qty, price, fee;
  double pnl; /* the fill's recorded pnl: gives the pnl of a close whose entry is unknown */
  int64_t time;
} argo__trip_fill;

/* One round trip. has_entry is 0 for the part of a close that exceeds what the fills before it
 * opened (its entry is in a folder not read, or a position resumed from another session): its
 * entry time and price are then unknown, its pnl the fill's pnl less that of its matched
 * pieces. */
typedef struct argo__trip {
  int is_short;
  int has_entry;
  double qty, entry_price, exit_price;
  double fees; /* the entry's and the exit's, pro rata */
  double pnl;
  int64_t entry_time, exit_time;
} argo__trip;

typedef void (*argo__trip_fn)(void *user, const argo__trip *t);

typedef struct argo__trips argo__trips;

argo_err argo__trips_new(argo__trips **out);
void argo__trips_free(argo__trips *t);
/* Takes the next fill; calls fn for each round trip it closes. ARGO_ENOMEM. */
argo_err argo__trips_add(argo__trips *t, const argo__trip_fill *f, argo__trip_fn fn, void *user);

/* Registers the table function argo_round_trips() on con: the round trips of the fills of the
 * view __argo_trades of db (date, run, session_id, the trades columns, file_row_number), in
 * recording order. db must outlive every query that reads it. */
argo_err argo__trips_register(duckdb_database db, duckdb_connection con, char *err, size_t errlen);

#endif
