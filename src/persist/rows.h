/*
 * One order or one fill as a row of its table (docs/design.md section 4): the column writers
 * the engine (core/record.c) and recovery (recover.c) share, so that a row recorded live and
 * the same row rebuilt from a journal cannot differ. Depends on schema and batch only.
 */
#ifndef ARGO_ROWS_H
#define ARGO_ROWS_H

#include <stddef.h>

#include <argo/strategy.h>

#include "persist/batch.h"

/* What a live broker adds to a fill: the trades table's appended columns commission_asset (the
 * asset the exchange took the commission in) and trade_id (the exchange's id of the trade).
 * NULL members are empty cells (the paper broker has neither). */
typedef struct argo__fill_extra {
  const char *commission_asset;
  const char *trade_id;
  const char *client_id; /* the order's client order id (its orders row), or NULL */
} argo__fill_extra;

/* Appends o as a row of the orders table b (symbol, strategy and reason as given: the
 * recovery's come from the journal, not from o; client_id: a live broker's client order id, or
 * NULL). (size_t)-1 when out of memory, else the row. */
size_t argo__rows_order(argo__batch *b, const argo_order *o, const char *symbol,
                        const char *strategy, const char *reason, size_t reason_len,
                        const char *client_id);
/* Appends f (of symbol) as a row of the trades table b; x may be NULL. */
size_t argo__rows_fill(argo__batch *b, const argo_fill *f, const char *symbol,
                       const argo__fill_extra *x);

#endif
