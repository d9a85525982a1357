/*
 * The Binance spot broker (trading.broker: binance; docs/brokers.md): orders go to the
 * exchange named by trading.binance.rest_url (the testnet unless trading.binance.live), fills
 * and balances come back on the user data stream of trading.binance.ws_api_url. The exchange
 * is the authority: positions are its balances, each fill is its trade with its commission.
 * Keys come from the environment only (binance_sign.h). Rules in binance.c, binance_rest.c.
 */
#ifndef ARGO_BROKERS_BINANCE_H
#define ARGO_BROKERS_BINANCE_H

#include <stddef.h>

#include <argo/argo.h>

#include "brokers/broker.h"
#include "brokers/registry.h"
#include "util/util.h"

/* Opens the broker: reads the keys, checks the URLs against trading.binance.live, measures the
 * clock, reads the exchange's filters for the session's symbols and the account, starts the
 * worker and the user data stream and waits for the subscription. Any failure: an error with
 * err naming what and where (ARGO_ECONFIG for keys and URLs, ARGO_EBROKER for the exchange). */
ARGO_NODISCARD argo_err argo__broker_binance_open(argo__broker **out, const argo__broker_args *a,
                                                  char *err, size_t errlen);

/* 1 if url names a place where no real money moves: Binance's spot testnet
 * (testnet.binance.vision, ws-api.testnet.binance.vision, stream.testnet.binance.vision) or a
 * loopback host (127.0.0.1, ::1, localhost). */
int argo__bn_url_is_test(const char *url);

#endif
