/* argo recover: finalizes the run-day folders that earlier sessions left in a crash; with
 * --online, then asks the exchange what became of the live orders they left open. */
#include <stdio.h>
#include <string.h>

#include <argo/argo.h>
#include <argo/strategy.h>

#include "inspect.h"

const cli_opt cli_recover_opts[] = {
    CLI_DATA_OUTPUT_OPTS,
    {"--online", NULL, NULL,
     "then reconcile the live orders left open with the exchange, as the next session of "
     "--config's broker would (its keys from the environment)"},
    {"--set", "KEY=VALUE", NULL, "with --online: set any configuration key (repeatable)"},
    {0},
};

typedef struct tally {
  int failed;
} tally;

static void report(const char *run_dir, argo_err status, const char *message, void *user) {
  tally *t = user;
  (void)run_dir;
  if (status == ARGO_OK) {
    printf("%s\n", message);
  } else {
    t->failed++;
    cli_error("recover: %s", message);
  }
}

/* ---- --online: a session of the configured broker without candles or strategy ----------- */

/* A feed that ends at once: the session is its start (the broker's reconciliation) and its
 * end. */
static int no_candles(void *user, argo_candle *out, char *err, size_t errlen) {
  (void)user;
  (void)out;
  (void)err;
  (void)errlen;
  return ARGO_FEED_END;
}

/* A strategy that trades nothing: the user's strategy is not run by recover. */
static void *quiet_create(const argo_host_api *host, argo_strategy_ctx *ctx) {
  (void)host;
  (void)ctx;
  static int self;
  return &self;
}
static void quiet_destroy(void *self) {
  (void)self;
}
static int quiet_initialize(void *self, const char *config) {
  (void)self;
  (void)config;
  return 0;
}
static int quiet_candle(void *self, const argo_candle *c) {
  (void)self;
  (void)c;
  return 0;
}

typedef struct online {
  int fills, ended, errors;
  char run_dir[4096];
} online;

static void on_filled(argo_engine *eng, const argo_order *o, const argo_fill *f, void *user) {
  (void)eng;
  online *st = user;
  char ts[40];
  argo_time_format(f->executed_at, ts, sizeof ts);
  printf("order %s: fill of %.10g %s at %.10g at %s recorded\n", o->order_id, f->executed_qty,
         o->symbol, f->executed_price, ts);
  st->fills++;
  if (o->status != ARGO_ORDER_PENDING) {
    printf("order %s: %s\n", o->order_id, cli_order_status(o->status));
    st->ended++;
  }
}

static void on_updated(argo_engine *eng, const argo_order *o, void *user) {
  (void)eng;
  online *st = user;
  if (o->status != ARGO_ORDER_PENDING) {
    printf("order %s: %s%s%s\n", o->order_id, cli_order_status(o->status),
           o->reason && o->reason[0] ? ": " : "", o->reason ? o->reason : "");
    st->ended++;
  }
}

static void on_error(argo_engine *eng, argo_err code, const char *message, void *user) {
  (void)eng;
  (void)code;
  online *st = user;
  st->errors++;
  cli_error("recover: %s", message);
}

static void on_stats(argo_engine *eng, const argo_stats *s, void *user) {
  (void)eng;
  online *st = user;
  snprintf(st->run_dir, sizeof st->run_dir, "%s", s->run_dir);
}

/* The configuration: --config, then every --set in order, then the data output recover used. */
static int online_config(argo_config *cfg, const cli_parsed *p, int argc, char **argv,
                         const char *dir) {
  const char *file = cli_value(p, "--config");
  if (!file) {
    cli_error("recover: --online needs --config (the broker, its URLs and the symbols)");
    return CLI_EXIT_USAGE;
  }
  if (argo_config_load_file(cfg, file) != ARGO_OK) {
    cli_error("recover: %s", argo_config_errmsg(cfg));
    return CLI_EXIT_USAGE;
  }
  for (int i = 1; i < argc; i++) {
    const char *v = NULL;
    if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
      v = argv[++i];
    } else if (strncmp(argv[i], "--set=", 6) == 0) {
      v = argv[i] + 6;
    }
    if (v && cli_config_set(cfg, "recover", v) != 0) {
      return CLI_EXIT_USAGE;
    }
  }
  if (argo_config_set(cfg, "engine.data_output", dir) != ARGO_OK ||
      argo_config_validate(cfg) != ARGO_OK) {
    cli_error("recover: %s", argo_config_errmsg(cfg));
    return CLI_EXIT_USAGE;
  }
  char broker[32];
  if (argo_config_get(cfg, "trading.broker", broker, sizeof broker) != ARGO_OK ||
      strcmp(broker, "binance") != 0) {
    cli_error("recover: --online reconciles a live broker's orders; trading.broker is '%s', "
              "whose orders never leave argo",
              broker);
    return CLI_EXIT_USAGE;
  }
  return 0;
}

/* Runs the reconciliation with cfg: exit code. */
static int reconcile(const argo_config *cfg) {
  static const argo_strategy quiet = {
      .abi_version = ARGO_STRATEGY_ABI_VERSION,
      .struct_size = sizeof(argo_strategy),
      .name = "recover",
      .description = "argo recover --online: records what the exchange says, trades nothing",
      .create = quiet_create,
      .destroy = quiet_destroy,
      .initialize = quiet_initialize,
      .on_candle = quiet_candle,
  };
  argo_feed feed = {.struct_size = sizeof feed, .name = "recover", .next = no_candles};
  online st;
  memset(&st, 0, sizeof st);
  argo_callbacks cb = {.on_order_filled = on_filled,
                       .on_order_updated = on_updated,
                       .on_error = on_error,
                       .on_stats_update = on_stats};
  argo_engine *eng = NULL;
  int code = CLI_EXIT_FAIL;
  if (argo_engine_new(&eng) != ARGO_OK) {
    cli_error("recover: out of memory");
  } else if (argo_engine_init(eng, cfg) != ARGO_OK ||
             argo_engine_set_strategy(eng, &quiet, "{}") != ARGO_OK ||
             argo_engine_set_feed(eng, &feed, sizeof feed) != ARGO_OK ||
             argo_engine_set_callbacks(eng, &cb, sizeof cb, &st) != ARGO_OK) {
    cli_error("recover: %s", argo_engine_errmsg(eng));
    code = CLI_EXIT_USAGE;
  } else if (argo_engine_run(eng) != ARGO_OK) {
    cli_error("recover: the reconciliation with the exchange failed: %s", argo_engine_errmsg(eng));
  } else {
    printf("reconciled with the exchange: %d fill%s recorded, %d order%s ended; the record is "
           "in %s\n",
           st.fills, st.fills == 1 ? "" : "s", st.ended, st.ended == 1 ? "" : "s", st.run_dir);
    code = CLI_EXIT_OK;
  }
  argo_engine_free(eng);
  return code;
}

int cli_recover_main(int argc, char **argv) {
  cli_parsed p;
  int prc = cli_parse(argc, argv, 0, &p);
  if (prc) {
    return prc;
  }
  char dirbuf[4096];
  const char *dir = cli_data_output(&p, "recover", dirbuf, sizeof dirbuf);
  if (!dir) {
    return CLI_EXIT_USAGE;
  }
  argo_config *cfg = NULL;
  if (cli_value(&p, "--online")) {
    /* The configuration is checked before anything is done. */
    if (argo_config_new(&cfg) != ARGO_OK) {
      cli_error("recover: out of memory");
      return CLI_EXIT_FAIL;
    }
    int cc = online_config(cfg, &p, argc, argv, dir);
    if (cc) {
      argo_config_free(cfg);
      return cc;
    }
  } else if (cli_value(&p, "--set")) {
    cli_error("recover: --set goes with --online");
    return CLI_EXIT_USAGE;
  }
  tally t = {0};
  int n = 0;
  argo_err rc = argo_recover(dir, report, &t, &n);
  if (rc == ARGO_EINVAL) {
    cli_error("recover: '%s' is not a folder", dir);
    argo_config_free(cfg);
    return CLI_EXIT_USAGE;
  }
  printf("%d run-day folder%s finalized%s\n", n, n == 1 ? "" : "s",
         t.failed ? "; some could not be (see above)" : "");
  int code = t.failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
  if (cfg) {
    int oc = reconcile(cfg);
    code = oc ? oc : code;
    argo_config_free(cfg);
  }
  return code;
}
