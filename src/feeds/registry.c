/*
 * The feed registry (registry.h): the table built from ARGO__FEEDS, and each feed's open
 * function with the one signature the engine calls, adapting what each feed takes (the sim feed
 * has no hooks, the Binance feed takes its retry limits from the settings).
 */
#include "feeds/registry.h"

#include <stdlib.h>
#include <string.h>

#include "feeds/binance.h"
#include "feeds/replay.h"

static argo_err open_sim(argo__feed *out, const argo__settings *s, argo__waker *waker,
                         const argo__feed_hooks *hooks, char *err, size_t errlen) {
  (void)hooks; /* the simulated feed has nothing to report */
  return argo__feed_sim_open(out, s, waker, err, errlen);
}

static argo_err open_replay(argo__feed *out, const argo__settings *s, argo__waker *waker,
                            const argo__feed_hooks *hooks, char *err, size_t errlen) {
  return argo__feed_replay_open(out, s, waker, hooks, err, errlen);
}

static argo_err open_binance(argo__feed *out, const argo__settings *s, argo__waker *waker,
                             const argo__feed_hooks *hooks, char *err, size_t errlen) {
  argo__binance_opts bo;
  argo__binance_opts_default(&bo);
  bo.max_attempts = (int)s->max_reconnects;
  return argo__feed_binance_open_opts(out, s, waker, hooks, &bo, err, errlen);
}

/* A replay without symbols replays every symbol of its file; each must be a symbol the
 * session can name. */
static argo_err replay_symbols(const argo__settings *s, char ***out, size_t *n, char *err,
                               size_t errlen) {
  *out = NULL;
  *n = 0;
  if (!s->replay_file) {
    return ARGO_OK;
  }
  char **syms;
  size_t nsyms;
  argo_err rc = argo__feed_replay_symbols(s->replay_file, &syms, &nsyms, err, errlen);
  if (rc) {
    return rc;
  }
  for (size_t i = 0; i < nsyms; i++) {
    if (!argo__symbol_valid(syms[i])) {
      argo__fmt(err, errlen,
                "replay file '%s': '%.40s' is not a symbol (1 to 31 characters of A-Z a-z 0-9 . _ "
                "-); give --symbols to replay the others",
                s->replay_file, syms[i]);
      argo__feed_replay_symbols_free(syms, nsyms);
      return ARGO_EFEED;
    }
  }
  *out = syms;
  *n = nsyms;
  return ARGO_OK;
}

#define ENTRY(name, open, symbols)                                                                 \
  { #name, open, symbols }
#define COMMA ,
static const argo__feed_entry feeds[] = {ARGO__FEEDS(ENTRY, COMMA)};

const argo__feed_entry *argo__feed_find(const char *name, char *err, size_t errlen) {
  for (size_t i = 0; name && i < ARGO_ARRAY_LEN(feeds); i++) {
    if (strcmp(feeds[i].name, name) == 0) {
      return &feeds[i];
    }
  }
  argo__fmt(err, errlen, "market_data.feed '%s' is not a feed (%s)", name ? name : "",
            ARGO__FEEDS(ARGO__REGISTRY_NAME, ARGO__REGISTRY_COMMA));
  return NULL;
}
