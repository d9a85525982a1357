/*
 * A session's start (setup.c), part of the engine (engine_private.h): everything argo_engine_run
 * does before the first candle, in named steps. Whatever can fail on bad input (symbols, the
 * strategy, its configuration, the feed) is checked before anything is written; then earlier
 * sessions' crashes are recovered, the run folder claimed, the broker opened, the strategy
 * warmed up, the journal opened and the first day's files written.
 */
#ifndef ARGO_SETUP_H
#define ARGO_SETUP_H

#include <argo/argo.h>
#include "util/util.h"

/* ARGO_OK, or an error with its message set on eng (ARGO_EHUNG: the watchdog ended the
 * session during a strategy call, and said why). */
ARGO_NODISCARD argo_err argo__setup_session(argo_engine *eng);

#endif
