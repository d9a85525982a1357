/*
 * The broker registry (registry.h): the table built from ARGO__BROKERS, and each broker's open
 * function, which turns the session's settings into what the broker takes.
 */
#include "brokers/registry.h"

#include <string.h>

#include "brokers/binance.h"
#include "brokers/paper.h"

static argo_err open_paper(argo__broker **out, const argo__broker_args *a, char *err,
                           size_t errlen) {
  const argo__settings *s = a->settings;
  argo__paper_cfg cfg = {
      .capital = s->capital,
      .commission = strcmp(s->commission_model, "zero") == 0        ? ARGO_COMMISSION_ZERO
                    : strcmp(s->commission_model, "per_share") == 0 ? ARGO_COMMISSION_PER_SHARE
                                                                    : ARGO_COMMISSION_PERCENTAGE,
      .rate = s->commission_rate,
      .per_share = s->commission_per_share,
      .minimum = s->commission_minimum,
      .id_prefix = a->id_prefix,
      .strategy_name = a->strategy_name,
  };
  argo_err rc = argo__paper_new(out, &cfg, a->symbols, a->nsymbols, &a->sink);
  if (rc) {
    argo__fmt(err, errlen, "cannot create the paper broker");
  }
  return rc;
}

static argo_err open_binance(argo__broker **out, const argo__broker_args *a, char *err,
                             size_t errlen) {
  return argo__broker_binance_open(out, a, err, errlen);
}

#define ENTRY(name, open, live)                                                                    \
  { #name, live, open }
#define COMMA ,
static const argo__broker_entry brokers[] = {ARGO__BROKERS(ENTRY, COMMA)};

const argo__broker_entry *argo__broker_find(const char *name, char *err, size_t errlen) {
  for (size_t i = 0; name && i < ARGO_ARRAY_LEN(brokers); i++) {
    if (strcmp(brokers[i].name, name) == 0) {
      return &brokers[i];
    }
  }
  argo__fmt(err, errlen, "trading.broker '%s' is not a broker (%s)", name ? name : "",
            ARGO__BROKERS(ARGO__REGISTRY_NAME, ARGO__REGISTRY_COMMA));
  return NULL;
}
