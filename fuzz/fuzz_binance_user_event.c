/*
 * Fuzz target: one message of the Binance user data stream as the broker's stream thread reads it
 * (brokers/binance_stream.c): the bytes parsed as JSON, then argo__bn_parse_event, so that
 * whatever an event holds (missing or mistyped fields, huge numbers, long strings, thousands of
 * balances) its contract holds: 1 is an EXEC or BALANCES event with terminated strings and
 * finite quantities at or above 0; 0 and -1 leave the event empty, and -1 always says why.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "brokers/binance_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int terminated(const char *s, size_t cap) {
  return memchr(s, '\0', cap) != NULL;
}

static void check_parsed(const bn_ev *ev) {
  if (!terminated(ev->client_id, sizeof ev->client_id) ||
      !terminated(ev->exec_type, sizeof ev->exec_type) ||
      !terminated(ev->status, sizeof ev->status) ||
      !terminated(ev->commission_asset, sizeof ev->commission_asset) ||
      !terminated(ev->reason, sizeof ev->reason)) {
    __builtin_trap();
  }
  if (ev->kind == BN_EV_EXEC) {
    double v[] = {ev->cum_qty, ev->last_qty, ev->last_price, ev->commission};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
      if (!isfinite(v[i]) || v[i] < 0) {
        __builtin_trap();
      }
    }
    if (!ev->client_id[0] || ev->bal || ev->time_us < 0) {
      __builtin_trap(); /* an order's report names the order and holds no balances */
    }
  } else if (ev->kind == BN_EV_BALANCES) {
    if ((ev->nbal && !ev->bal) || ev->full) {
      __builtin_trap();
    }
    for (size_t i = 0; i < ev->nbal; i++) {
      const bn_balance *b = &ev->bal[i];
      if (!terminated(b->asset, sizeof b->asset) || !isfinite(b->free) || b->free < 0 ||
          !isfinite(b->locked) || b->locked < 0) {
        __builtin_trap();
      }
    }
  } else {
    __builtin_trap(); /* 1 is one of the two kinds the stream parses */
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  if (!j) {
    return 0;
  }
  bn_ev ev, empty;
  memset(&empty, 0, sizeof empty);
  char why[256];
  int r = argo__bn_parse_event(j, &ev, why, sizeof why);
  if (r == 1) {
    check_parsed(&ev);
    free(ev.bal);
  } else if (r == 0 || r == -1) {
    if (memcmp(&ev, &empty, sizeof ev) != 0 || (r == -1 && !why[0])) {
      __builtin_trap(); /* nothing half-filled, and a refusal says why */
    }
  } else {
    __builtin_trap();
  }
  json_decref(j);
  return 0;
}
