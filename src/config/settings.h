/*
 * The typed settings behind an argo_config (config.c fills them; the engine reads them).
 * Every string is owned by the settings and freed by argo__settings_free.
 */
#ifndef ARGO_SETTINGS_H
#define ARGO_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>
#include "util/util.h"

typedef struct argo__settings {
  /* engine */
  char *data_output;           /* "./data/live-trading" */
  int64_t publish_interval_us; /* 1 s: market data is published at most this far behind */
  int64_t stats_every;         /* write stats.yaml every N candles (100) */
  int64_t candle_window;       /* candles kept per symbol for recent_candles (1000) */
  int journal;                 /* write-ahead journal on (1) */
  int64_t group_commit_us;     /* journal group commit interval (100 ms) */
  int64_t stop_grace_us;       /* a strategy call may go on this long after a stop (10 s) */
  int64_t callback_warn_us;    /* a strategy call running longer is reported (5 s; 0 never) */
  int resume_account;          /* a warm restart also resumes cash and positions (0) */

  /* market_data */
  char *feed;     /* "sim" | "replay" | "binance" */
  char **symbols; /* ["BTCUSDT", "ETHUSDT"] */
  size_t nsymbols;
  int symbols_set; /* symbols came from a file or an override, not from the default */
  char *interval;  /* "1m" */
  int64_t interval_us;
  int64_t start_us; /* first candle's open time (sim) */
  int has_start;    /* start was given (else the feed's default) */
  int64_t bars;     /* candles per symbol (sim), 0 = unlimited for live feeds */
  char *pattern;    /* "increasing" | "decreasing" | "volatile" */
  uint64_t seed;
  double speed;           /* 0 = as fast as possible, else real time times speed */
  int64_t end_us;         /* replay: only candles before this time (0 = no end) */
  char *replay_file;      /* replay: a Parquet or CSV file of candles */
  char *rest_url;         /* binance: REST base, e.g. "https://api.binance.com" */
  char *ws_url;           /* binance: WebSocket base, e.g. "wss://stream.binance.com:9443" */
  int64_t max_reconnects; /* binance: failed connection attempts in a row before giving up */

  /* engine.prefetch */
  int prefetch;              /* download history before going live (0) */
  char *prefetch_start_type; /* "days" | "date" */
  int64_t prefetch_days;     /* 7 */
  int64_t prefetch_start_us; /* for "date" */

  /* trading */
  char *broker;                /* "paper" */
  double capital;              /* 10000 */
  char *commission_model;      /* "zero" | "percentage" | "per_share" */
  double commission_rate;      /* 0.001 (percentage model, fraction of notional) */
  double commission_per_share; /* 0.005 (per_share model) */
  double commission_minimum;   /* 1.0 (per_share model) */
  /* trading.binance (the binance broker) */
  char *bn_rest_url;         /* "https://testnet.binance.vision" */
  char *bn_ws_api_url;       /* "wss://ws-api.testnet.binance.vision/ws-api/v3" */
  int bn_live;               /* trade on a live exchange (0) */
  char *bn_open_orders;      /* "adopt" | "cancel": orders earlier sessions left open */
  int64_t bn_recv_window_us; /* 5 s */
  int64_t bn_timeout_us;     /* 10 s */
  int64_t bn_clock_sync_us;  /* 5 min */

  /* strategy */
  char *strategy;        /* builtin name or path to a .so ("ma_cross") */
  char *strategy_config; /* JSON object as text ("{}") */
} argo__settings;

/* 1 if symbol is a valid symbol name: 1 to 31 characters of A-Z a-z 0-9 . _ - */
int argo__symbol_valid(const char *symbol);

/* The settings of a config (borrowed; valid until the config changes or is freed). */
const argo__settings *argo__config_settings(const argo_config *cfg);
/* Deep copy; 0 or ARGO_ENOMEM. */
ARGO_NODISCARD argo_err argo__settings_copy(argo__settings *dst, const argo__settings *src);
void argo__settings_free(argo__settings *s);

#endif
