/*
 * The broker registry: every broker a session can name in trading.broker, found by its name.
 * One list (ARGO__BROKERS) gives both the table the engine opens brokers from and the
 * configuration's choices, so a new broker is one line here plus its open function in
 * registry.c. Depends on the brokers it lists; nothing here knows the engine.
 */
#ifndef ARGO_BROKER_REGISTRY_H
#define ARGO_BROKER_REGISTRY_H

#include <stddef.h>

#include <argo/argo.h>

#include "brokers/broker.h"
#include "config/settings.h"
#include "persist/history.h"
#include "util/util.h"

/* The brokers, one line each: X(name, open function, live), SEP between two lines. The
 * functions are registry.c's; live: its orders go to an exchange, which is asked at start about
 * the orders earlier sessions left open (argo__broker_args.prior). */
#define ARGO__BROKERS(X, SEP) X(paper, open_paper, 0) SEP X(binance, open_binance, 1)

/* "paper|binance": trading.broker's choices (config.c). */
#define ARGO__BROKER_NAMES ARGO__BROKERS(ARGO__REGISTRY_NAME, ARGO__REGISTRY_BAR)

/* What a broker is opened with. */
typedef struct argo__broker_args {
  const argo__settings *settings; /* borrowed for the call */
  /* The session's symbols, borrowed for the broker's life; sym indices refer to them. */
  const char *const *symbols;
  size_t nsymbols;
  const char *id_prefix;     /* order ids are "<prefix>-<n>" (copied) */
  const char *strategy_name; /* stored on every order (copied) */
  argo__broker_sink sink;
  /* A live broker's: the orders earlier sessions of the data output left open (live orders
   * only; borrowed for the call, copy what is kept). Empty for other brokers. */
  const argo__prior *prior;
  /* trading.binance.open_orders_at_start and the like are in settings. */
} argo__broker_args;

typedef struct argo__broker_entry {
  const char *name;
  int live; /* asks an exchange: gets the prior orders */
  /* Opens the broker (free it with argo__broker_free). An error has its message in err. */
  argo_err (*open)(argo__broker **out, const argo__broker_args *a, char *err, size_t errlen);
} argo__broker_entry;

/* The caller's own broker (argo_engine_set_broker; custom.c) over a ledger: ub (a full-size
 * table whose place and cancel are set) is borrowed until the broker is freed, which calls
 * ub->close. A failing ub->open: ARGO_EBROKER with its reason in err (ub->close is then the
 * caller's to call, as for a broker never opened). */
ARGO_NODISCARD argo_err argo__broker_custom_open(argo__broker **out, const argo_broker *ub,
                                                 const argo__broker_args *a, char *err,
                                                 size_t errlen);

/* The broker called name, or NULL with err set ("trading.broker '...' is not a broker
 * (paper)"). */
const argo__broker_entry *argo__broker_find(const char *name, char *err, size_t errlen);

#endif
