/*
 * Host API (host.c): the table of functions given to a strategy and the context it is called
 * with. The host owns the strategy's context (configuration, cache, last error, the error the
 * strategy set). It places orders with the broker it is given and sees the rest of the session
 * only through argo__host_session, a narrow view the engine implements; it must not depend on
 * the engine's state. Engine thread only.
 */
#ifndef ARGO_HOST_H
#define ARGO_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>
#include <argo/strategy.h>

#include "brokers/broker.h"
#include "util/util.h"

/* What the host asks of the session, during a strategy's call. */
typedef struct argo__host_session {
  /* 1 while stored candles go through the strategy (warm-up, history): orders are refused,
   * marks and logs are not recorded. */
  int (*warming)(void *user);
  /* 1 once the session was ended without the engine thread (a call that did not return):
   * nothing more is recorded. Any thread may have set it. */
  int (*ended)(void *user);
  /* The candle being processed, or NULL before the first one. */
  const argo_candle *(*candle)(void *user);
  /* The time of an order placed now: the candle's, or the session's start before the first. */
  int64_t (*now)(void *user);
  /* Index of a symbol of the session, or -1. */
  long (*symbol)(void *user, const char *symbol);
  /* The last n (at most) candles of symbol sym, oldest first, into out; returns how many. */
  size_t (*recent)(void *user, size_t sym, argo_candle *out, size_t n);
  /* The window of symbol sym in place, for the indicators (argo__ta_source in indicators.h). */
  uint64_t (*window)(void *user, size_t sym, const argo_candle **a, size_t *na,
                     const argo_candle **b, size_t *nb);
  /* The strategy function being called ("initialize", "on_candle" ...), NULL between calls. */
  const char *(*calling)(void *user);
  /* The data output folder (engine.data_output) and a number that changes whenever the
   * session adds a folder to it (its first day folder, a new day's), for SQL's views. */
  const char *(*data_output)(void *user);
  uint64_t (*folders)(void *user);
  /* Record a mark (fields NULL for their defaults) and a log (fields as a JSON object). */
  void (*mark)(void *user, const argo_mark *m);
  void (*log)(void *user, int level, const char *message, const char *fields);
  void *user;
} argo__host_session;

typedef struct argo__host argo__host;

/* A host for one strategy. session is copied; config is the strategy's configuration, a JSON
 * object (ARGO_ECONFIG with err set otherwise); capital is the account shown before the broker
 * exists. */
ARGO_NODISCARD argo_err argo__host_new(argo__host **out, const argo__host_session *session,
                                       const char *config, double capital, char *err,
                                       size_t errlen);
void argo__host_free(argo__host *h);
/* What the strategy's create is given. */
const argo_host_api *argo__host_api(const argo__host *h);
argo_strategy_ctx *argo__host_ctx(argo__host *h);
/* The broker orders go to from now on (borrowed until the host is freed). */
void argo__host_set_broker(argo__host *h, argo__broker *b);
/* The message the strategy set with set_error ("" if none), and clearing it before a call
 * whose failure would report it. */
const char *argo__host_strategy_error(const argo__host *h);
void argo__host_clear_strategy_error(argo__host *h);

#endif
