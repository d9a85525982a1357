/*
 * A strategy that does not return (giveup.c), part of the engine (engine_private.h): the
 * engine's side of the watchdog (watchdog.h). A call running longer than engine.callback_warn
 * is reported while it runs; when a stop request has waited engine.stop_grace for a call that
 * is still running, the session is ended without the engine thread: the journal made durable
 * and frozen, the publisher halted, every open day folder finalized by recovery's code (status
 * stopped), and the caller told. Its functions run on the watchdog thread, and touch only what
 * the engine thread no longer changes while it is stuck in the strategy, or what is atomic.
 */
#ifndef ARGO_GIVEUP_H
#define ARGO_GIVEUP_H

#include <argo/argo.h>
#include "util/util.h"

/* Starts watching the engine thread's strategy calls. ARGO_ENOMEM when no thread. */
ARGO_NODISCARD argo_err argo__giveup_start(argo_engine *eng);
/* Stops watching, waiting for a give-up in progress to end. */
void argo__giveup_stop(argo_engine *eng);

#endif
