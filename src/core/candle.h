/*
 * The per-candle path (candle.c), part of the engine (engine_private.h): a live candle checked,
 * stored, given to the broker and the strategy, marked to market; the session's symbols and the
 * window of recent candles; the broker's sink (order changes and fills recorded, acknowledged
 * and noted), and the notes that tell the strategy about them after its call has returned.
 */
#ifndef ARGO_CANDLE_H
#define ARGO_CANDLE_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "brokers/broker.h"

/* Processes one candle from the feed (docs/architecture.md, the per-candle path). */
void argo__candle_process(argo_engine *eng, const argo_candle *in);
/* 1 if c can be stored (time in range, prices positive and consistent), else 0 with why set. */
int argo__candle_valid(const argo_candle *c, char *why, size_t len);
/* Index of a symbol of the session, or -1. */
long argo__candle_symbol(const argo_engine *eng, const char *symbol);
/* Makes c (of symbol sym) the candle in hand and the newest of its window. */
void argo__candle_hold(argo_engine *eng, size_t sym, const argo_candle *c);
/* The window of symbol sym, oldest first, as two spans of its ring (a then b), and how many
 * candles of sym were ever put in it (indicators.h, argo__ta_source). */
uint64_t argo__candle_window(const argo_engine *eng, size_t sym, const argo_candle **a, size_t *na,
                             const argo_candle **b, size_t *nb);
/* The last n (at most) candles of symbol sym, oldest first. */
size_t argo__candle_recent(const argo_engine *eng, size_t sym, argo_candle *out, size_t n);
/* Where the broker reports order changes and fills. */
argo__broker_sink argo__candle_sink(argo_engine *eng);
/* Tells the strategy about the order changes noted since its last call. */
void argo__candle_notes(argo_engine *eng);
/* Lets a broker with threads of its own report what they learnt (broker.h, poll), then tells
 * the strategy when no strategy call is under way. final: the session is ending. */
void argo__candle_broker_poll(argo_engine *eng, int final);

#endif
