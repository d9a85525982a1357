/*
 * The engine's internal interface for the programs that measure it (bench/): argo_engine itself
 * is public (argo.h) and its state private to the engine (engine_private.h).
 */
#ifndef ARGO_ENGINE_H
#define ARGO_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

/* Samples of per-candle processing time, in nanoseconds. */
typedef struct argo__latency {
  int64_t *plain, *traded;
  size_t nplain, ntraded, cap;
} argo__latency;

/* Records the time each candle takes through the loop (from the feed's return to the end of
 * its callbacks), split by whether the candle traded, into lat (borrowed while the engine
 * runs). */
void argo__engine_measure(argo_engine *eng, argo__latency *lat);

#endif
