/*
 * Unit tests of the configuration (config.c): the key table and its defaults, YAML files
 * (sections, nesting, sequences, environment expansion, strategy.config as JSON), overrides
 * with argo_config_set, the exact error messages, and that a failed load or set changes
 * nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <argo/argo.h>

#include "config/settings.h"
#include "test.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static argo_config *fresh(void) {
  argo_config *c = NULL;
  CHECK_EQ_INT(ARGO_OK, argo_config_new(&c));
  CHECK(c != NULL);
  return c;
}

/* The value of key; four rotating buffers so that a few can be compared in one CHECK. */
static const char *get(const argo_config *c, const char *key) {
  static char bufs[4][4096];
  static int next;
  char *b = bufs[next++ % 4];
  argo_err rc = argo_config_get(c, key, b, sizeof bufs[0]);
  CHECK_MSG(rc == ARGO_OK, "get %s: error %d", key, (int)rc);
  return b;
}

static argo_err load(argo_config *c, const char *yaml) {
  return argo_config_load_string(c, yaml, "cfg.yaml");
}

static void load_ok(argo_config *c, const char *yaml) {
  argo_err rc = load(c, yaml);
  CHECK_MSG(rc == ARGO_OK, "load failed: %s", argo_config_errmsg(c));
}

static void set_ok(argo_config *c, const char *key, const char *value) {
  argo_err rc = argo_config_set(c, key, value);
  CHECK_MSG(rc == ARGO_OK, "set %s=%s: %s", key, value, argo_config_errmsg(c));
}

/* Every key's value, one "key=value" line each: equal snapshots mean equal configurations. */
static char *snapshot(const argo_config *c) {
  size_t cap = 1 << 16, len = 0;
  char *out = malloc(cap);
  CHECK(out != NULL);
  out[0] = '\0';
  const argo_config_key *k;
  for (size_t i = 0; (k = argo_config_key_at(i)) != NULL; i++) {
    int n = snprintf(out + len, cap - len, "%s=%s\n", k->name, get(c, k->name));
    CHECK(n > 0 && (size_t)n < cap - len);
    len += (size_t)n;
  }
  return out;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  CHECK_MSG(f != NULL, "cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

/* A fresh temporary path (the file is created empty). */
static void temp_path(char *buf, size_t len) {
  snprintf(buf, len, "/tmp/argo_test_config_XXXXXX");
  int fd = mkstemp(buf);
  CHECK(fd >= 0);
  close(fd);
}

static const char *const expected_keys[] = {
    "engine.data_output",
    "engine.publish_interval",
    "engine.stats_every",
    "engine.candle_window",
    "engine.journal",
    "engine.group_commit",
    "engine.stop_grace",
    "engine.callback_warn",
    "engine.resume_account",
    "engine.prefetch.enabled",
    "engine.prefetch.start_time_type",
    "engine.prefetch.days",
    "engine.prefetch.start_time",
    "market_data.feed",
    "market_data.symbols",
    "market_data.interval",
    "market_data.start",
    "market_data.end",
    "market_data.bars",
    "market_data.pattern",
    "market_data.seed",
    "market_data.speed",
    "market_data.replay_file",
    "market_data.rest_url",
    "market_data.ws_url",
    "market_data.max_reconnects",
    "trading.broker",
    "trading.capital",
    "trading.commission.model",
    "trading.commission.rate",
    "trading.commission.per_share",
    "trading.commission.minimum",
    "trading.binance.rest_url",
    "trading.binance.ws_api_url",
    "trading.binance.live",
    "trading.binance.open_orders_at_start",
    "trading.binance.recv_window",
    "trading.binance.timeout",
    "trading.binance.clock_sync",
    "strategy.name",
    "strategy.config",
};
#define NEXPECTED (sizeof expected_keys / sizeof expected_keys[0])

/* ---- key table and defaults -------------------------------------------------------------- */

TEST(config_defaults_fill_every_setting) {
  argo_config *c = fresh();
  const argo__settings *s = argo__config_settings(c);
  CHECK_STR("./data/live-trading", s->data_output);
  CHECK_EQ_INT(1000000, s->publish_interval_us);
  CHECK_EQ_INT(100, s->stats_every);
  CHECK_EQ_INT(1000, s->candle_window);
  CHECK_EQ_INT(1, s->journal);
  CHECK_EQ_INT(100000, s->group_commit_us);
  CHECK_EQ_INT(10000000, s->stop_grace_us);
  CHECK_EQ_INT(5000000, s->callback_warn_us);
  CHECK_STR("sim", s->feed);
  CHECK_EQ_INT(2, s->nsymbols);
  CHECK_STR("BTCUSDT", s->symbols[0]);
  CHECK_STR("ETHUSDT", s->symbols[1]);
  CHECK_STR("1m", s->interval);
  CHECK_EQ_INT(60000000, s->interval_us);
  CHECK_EQ_INT(0, s->has_start);
  CHECK_EQ_INT(1000, s->bars);
  CHECK_STR("volatile", s->pattern);
  CHECK(s->seed == 42);
  CHECK_NEAR(0, s->speed, 0);
  CHECK_EQ_INT(0, s->end_us);
  CHECK_STR("", s->replay_file);
  CHECK_STR("https://api.binance.com", s->rest_url);
  CHECK_STR("wss://stream.binance.com:9443", s->ws_url);
  CHECK_EQ_INT(0, s->prefetch);
  CHECK_EQ_INT(0, s->resume_account);
  CHECK_EQ_INT(0, s->symbols_set);
  CHECK_STR("days", s->prefetch_start_type);
  CHECK_EQ_INT(7, s->prefetch_days);
  CHECK_EQ_INT(0, s->prefetch_start_us);
  CHECK_STR("paper", s->broker);
  CHECK_NEAR(10000, s->capital, 0);
  CHECK_STR("percentage", s->commission_model);
  CHECK_NEAR(0.001, s->commission_rate, 0);
  CHECK_NEAR(0.005, s->commission_per_share, 0);
  CHECK_NEAR(1.0, s->commission_minimum, 0);
  CHECK_STR("ma_cross", s->strategy);
  CHECK_STR("{}", s->strategy_config);
  CHECK_STR("", argo_config_errmsg(c));
  argo_config_free(c);
}

TEST(config_get_of_a_fresh_config_returns_the_table_defaults) {
  argo_config *c = fresh();
  const argo_config_key *k;
  for (size_t i = 0; (k = argo_config_key_at(i)) != NULL; i++) {
    CHECK_STR(k->dflt, get(c, k->name));
  }
  argo_config_free(c);
}

TEST(config_key_table_is_complete_and_every_default_is_valid) {
  static const char *const types[] = {"string", "int",  "number", "bool",    "list",
                                      "time",   "json", "choice", "duration"};
  size_t n = 0;
  const argo_config_key *k;
  for (; (k = argo_config_key_at(n)) != NULL; n++) {
    CHECK_MSG(n < NEXPECTED, "unexpected extra key %s", k->name);
    CHECK_STR(expected_keys[n], k->name);
    CHECK_MSG(k->help && strlen(k->help) > 10 && !strchr(k->help, '\n'), "help of %s", k->name);
    CHECK_MSG(k->dflt != NULL, "default of %s", k->name);
    int known = 0;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
      known |= strcmp(types[t], k->type) == 0;
    }
    CHECK_MSG(known, "type '%s' of %s", k->type, k->name);
    /* The default passes the key's own parser, and reads back unchanged, even after the key
     * was set to something else. */
    argo_config *c = fresh();
    if (strcmp(k->type, "list") == 0) {
      set_ok(c, k->name, "ZZZ");
    }
    set_ok(c, k->name, k->dflt);
    CHECK_STR(k->dflt, get(c, k->name));
    argo_config_free(c);
  }
  CHECK_EQ_INT(NEXPECTED, n);
  CHECK(argo_config_key_at(n) == NULL);
  CHECK(argo_config_key_at(n + 1000) == NULL);
}

/* ---- YAML files -------------------------------------------------------------------------- */

TEST(config_full_file_sets_every_section) {
  argo_config *c = fresh();
  load_ok(c, "# a complete session\n"
             "engine:\n"
             "  data_output: /tmp/argo-out\n"
             "  publish_interval: 250ms\n"
             "  stats_every: 10\n"
             "  candle_window: 50\n"
             "  journal: false\n"
             "  group_commit: 20ms\n"
             "market_data:\n"
             "  feed: replay\n"
             "  symbols: [AAPL, MSFT, BRK.B]\n"
             "  interval: 15m\n"
             "  start: \"2025-10-01T09:00:00Z\"\n"
             "  bars: 60\n"
             "  pattern: increasing\n"
             "  seed: 18446744073709551615\n"
             "  speed: 60\n"
             "trading:\n"
             "  broker: paper\n"
             "  capital: 25000.5\n"
             "  commission:\n"
             "    model: per_share\n"
             "    rate: 0\n"
             "    per_share: 0.01\n"
             "    minimum: 2.5\n"
             "strategy:\n"
             "  name: pingpong\n"
             "  config:\n"
             "    every: 3\n");
  const argo__settings *s = argo__config_settings(c);
  CHECK_STR("/tmp/argo-out", s->data_output);
  CHECK_EQ_INT(250000, s->publish_interval_us);
  CHECK_EQ_INT(10, s->stats_every);
  CHECK_EQ_INT(50, s->candle_window);
  CHECK_EQ_INT(0, s->journal);
  CHECK_EQ_INT(20000, s->group_commit_us);
  CHECK_STR("replay", s->feed);
  CHECK_EQ_INT(3, s->nsymbols);
  CHECK_STR("AAPL", s->symbols[0]);
  CHECK_STR("MSFT", s->symbols[1]);
  CHECK_STR("BRK.B", s->symbols[2]);
  CHECK_STR("15m", s->interval);
  CHECK_EQ_INT(15 * 60 * INT64_C(1000000), s->interval_us);
  CHECK_EQ_INT(1, s->has_start);
  CHECK_EQ_INT(INT64_C(1759309200) * 1000000, s->start_us);
  CHECK_EQ_INT(60, s->bars);
  CHECK_STR("increasing", s->pattern);
  CHECK(s->seed == UINT64_MAX);
  CHECK_NEAR(60, s->speed, 0);
  CHECK_STR("paper", s->broker);
  CHECK_NEAR(25000.5, s->capital, 0);
  CHECK_STR("per_share", s->commission_model);
  CHECK_NEAR(0, s->commission_rate, 0);
  CHECK_NEAR(0.01, s->commission_per_share, 0);
  CHECK_NEAR(2.5, s->commission_minimum, 0);
  CHECK_STR("pingpong", s->strategy);
  CHECK_STR("{\"every\":3}", s->strategy_config);
  CHECK_STR("2025-10-01T09:00:00Z", get(c, "market_data.start"));
  CHECK_STR("AAPL,MSFT,BRK.B", get(c, "market_data.symbols"));
  argo_config_free(c);
}

TEST(config_nested_sections_map_to_dotted_keys_and_merge) {
  argo_config *c = fresh();
  load_ok(c, "trading:\n  commission:\n    model: zero\n");
  CHECK_STR("zero", get(c, "trading.commission.model"));
  CHECK_STR("0.001", get(c, "trading.commission.rate")); /* untouched */
  /* Flow style, and a second file merging into the first. */
  load_ok(c, "trading: {commission: {rate: 0.002}, capital: 500}\n");
  CHECK_STR("zero", get(c, "trading.commission.model"));
  CHECK_STR("0.002", get(c, "trading.commission.rate"));
  CHECK_STR("500", get(c, "trading.capital"));
  /* A dotted key written in one piece is the same key. */
  load_ok(c, "market_data.bars: 5\ntrading:\n  commission.minimum: 3\n");
  CHECK_STR("5", get(c, "market_data.bars"));
  CHECK_STR("3", get(c, "trading.commission.minimum"));
  /* An empty section changes nothing. */
  load_ok(c, "engine:\nstrategy:\n");
  CHECK_STR("100", get(c, "engine.stats_every"));
  argo_config_free(c);
}

TEST(config_symbols_accept_a_sequence_and_a_comma_separated_string) {
  argo_config *c = fresh();
  load_ok(c, "market_data:\n  symbols:\n    - SOLUSDT\n    - ADAUSDT\n    - XRPUSDT\n");
  CHECK_STR("SOLUSDT,ADAUSDT,XRPUSDT", get(c, "market_data.symbols"));
  CHECK_EQ_INT(3, argo__config_settings(c)->nsymbols);
  load_ok(c, "market_data:\n  symbols: \"BTCUSDT, eth-usd ,X_1\"\n");
  const argo__settings *s = argo__config_settings(c);
  CHECK_EQ_INT(3, s->nsymbols);
  CHECK_STR("BTCUSDT", s->symbols[0]);
  CHECK_STR("eth-usd", s->symbols[1]); /* kept as given, not upper-cased */
  CHECK_STR("X_1", s->symbols[2]);
  load_ok(c, "market_data:\n  symbols: DOGEUSDT\n");
  CHECK_STR("DOGEUSDT", get(c, "market_data.symbols"));
  set_ok(c, "market_data.symbols", "A,B");
  CHECK_STR("A,B", get(c, "market_data.symbols"));
  argo_config_free(c);
}

TEST(config_symbols_reject_empty_duplicate_and_malformed) {
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.symbols", "BTCUSDT,,ETHUSDT"));
  CHECK_CONTAINS(argo_config_errmsg(c), "market_data.symbols: expected symbols of 1 to 31");
  CHECK_CONTAINS(argo_config_errmsg(c), "got ''");
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.symbols", "BTCUSDT,BTCUSDT"));
  CHECK_STR("market_data.symbols: duplicate symbol 'BTCUSDT'", argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.symbols", "BTC USDT"));
  CHECK_CONTAINS(argo_config_errmsg(c), "got 'BTC USDT'");
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.symbols", "BTC/USDT"));
  CHECK_EQ_INT(ARGO_ECONFIG,
               argo_config_set(c, "market_data.symbols", "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456"));
  set_ok(c, "market_data.symbols", "ABCDEFGHIJKLMNOPQRSTUVWXYZ12345"); /* 31 is the limit */
  /* In a sequence, the message points at the offending item's line. */
  CHECK_EQ_INT(ARGO_ECONFIG,
               load(c, "market_data:\n  symbols:\n    - AAA\n    - BBB\n    - AAA\n"));
  CHECK_STR("cfg.yaml:5: market_data.symbols: duplicate symbol 'AAA'", argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "market_data:\n  symbols:\n    - AAA\n    - [B]\n"));
  CHECK_STR("cfg.yaml:4: market_data.symbols: expected a single value, got a sequence",
            argo_config_errmsg(c));
  CHECK_STR("ABCDEFGHIJKLMNOPQRSTUVWXYZ12345", get(c, "market_data.symbols"));
  argo_config_free(c);
}

TEST(config_env_vars_expand_with_defaults_and_dollar_escape) {
  setenv("ARGO_TEST_FEED", "replay", 1);
  setenv("ARGO_TEST_EMPTY", "", 1);
  setenv("ARGO_TEST_PERIOD", "20", 1);
  setenv("ARGO_TEST_SYM", "SOLUSDT", 1);
  unsetenv("ARGO_TEST_UNSET");
  argo_config *c = fresh();
  load_ok(c, "engine:\n"
             "  data_output: ${ARGO_TEST_UNSET:-/srv/argo}/out-${ARGO_TEST_FEED}\n"
             "market_data:\n"
             "  feed: ${ARGO_TEST_FEED}\n"
             "  symbols: [BTCUSDT, \"${ARGO_TEST_SYM}\"]\n"
             "  bars: ${ARGO_TEST_PERIOD}\n"
             "strategy:\n"
             "  name: \"cost$$5 and $5 ${ARGO_TEST_EMPTY:-dflt}${ARGO_TEST_EMPTY}\"\n"
             "  config:\n"
             "    period: ${ARGO_TEST_PERIOD}\n"
             "    label: '${ARGO_TEST_PERIOD}'\n");
  CHECK_STR("/srv/argo/out-replay", get(c, "engine.data_output"));
  CHECK_STR("replay", get(c, "market_data.feed"));
  CHECK_STR("BTCUSDT,SOLUSDT", get(c, "market_data.symbols"));
  CHECK_STR("20", get(c, "market_data.bars"));
  /* "$$" is one "$"; a "$" not before "{" is kept; ":-" also replaces an empty variable. */
  CHECK_STR("cost$5 and $5 dflt", get(c, "strategy.name"));
  /* Expanded before typing: a plain scalar becomes a number, a quoted one stays a string. */
  CHECK_STR("{\"period\":20,\"label\":\"20\"}", get(c, "strategy.config"));
  /* argo_config_set takes its value literally (a shell has already expanded it). */
  set_ok(c, "strategy.name", "${ARGO_TEST_FEED}");
  CHECK_STR("${ARGO_TEST_FEED}", get(c, "strategy.name"));
  argo_config_free(c);
}

TEST(config_env_missing_variable_names_variable_file_line_and_key) {
  unsetenv("ARGO_TEST_SURELY_UNSET");
  argo_config *c = fresh();
  char *before = snapshot(c);
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "engine:\n  stats_every: 5\n"
                                     "  data_output: /x/${ARGO_TEST_SURELY_UNSET}/y\n"));
  CHECK_STR("cfg.yaml:3: engine.data_output: environment variable 'ARGO_TEST_SURELY_UNSET' is "
            "not set",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG,
               load(c, "strategy:\n  config:\n    a:\n      b: ${ARGO_TEST_SURELY_UNSET}\n"));
  CHECK_STR("cfg.yaml:4: strategy.config.a.b: environment variable 'ARGO_TEST_SURELY_UNSET' is "
            "not set",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "market_data:\n  feed: ${ARGO_TEST_FEED\n"));
  CHECK_CONTAINS(argo_config_errmsg(c), "cfg.yaml:2: market_data.feed: unterminated");
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "market_data:\n  feed: ${1BAD}\n"));
  CHECK_CONTAINS(argo_config_errmsg(c), "cfg.yaml:2: market_data.feed: invalid environment");
  char *after = snapshot(c);
  CHECK_STR(before, after);
  free(before);
  free(after);
  argo_config_free(c);
}

/* ---- error messages ---------------------------------------------------------------------- */

TEST(config_unknown_key_names_file_and_line) {
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "engine:\n"
                                     "  stats_every: 5\n"
                                     "market_data:\n"
                                     "  feed: sim\n"
                                     "  bars: 10\n"
                                     "\n"
                                     "  intervall: 1m\n"));
  CHECK_STR("cfg.yaml:7: unknown key 'market_data.intervall'", argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "# comment\nengines:\n  stats_every: 5\n"));
  CHECK_STR("cfg.yaml:2: unknown key 'engines'", argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "trading:\n  commission:\n    modell: zero\n"));
  CHECK_STR("cfg.yaml:3: unknown key 'trading.commission.modell'", argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "foo", "1"));
  CHECK_STR("unknown key 'foo'", argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "trading.commission", "1"));
  CHECK_STR("unknown key 'trading.commission'", argo_config_errmsg(c));
  argo_config_free(c);
}

TEST(config_bad_value_names_file_line_key_and_value) {
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "market_data:\n  feed: sim\n  bars: abc\n"));
  CHECK_STR("cfg.yaml:3: market_data.bars: expected a non-negative integer, got 'abc'",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "engine:\n  stats_every: 0\n"));
  CHECK_STR("cfg.yaml:2: engine.stats_every: expected a positive integer, got '0'",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "market_data:\n  feed: kraken\n"));
  CHECK_STR("cfg.yaml:2: market_data.feed: expected one of sim, replay, binance, got 'kraken'",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "\n\ntrading:\n  capital: -5\n"));
  CHECK_STR("cfg.yaml:4: trading.capital: expected a positive number, got '-5'",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "engine: 5\n"));
  CHECK_STR("cfg.yaml:1: engine: expected a mapping of keys (a section), got a value",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "market_data:\n  bars:\n    x: 1\n"));
  CHECK_STR("cfg.yaml:3: market_data.bars: expected a single value, got a mapping",
            argo_config_errmsg(c));
  /* A quoted value with line breaks still gives a one-line message. */
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "market_data:\n  bars: |\n    12\n    34\n"));
  CHECK_STR("cfg.yaml:2: market_data.bars: expected a non-negative integer, got '12 34'",
            argo_config_errmsg(c));
  CHECK(!strchr(argo_config_errmsg(c), '\n'));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "- engine\n- trading\n"));
  CHECK_CONTAINS(argo_config_errmsg(c), "cfg.yaml:1: expected a mapping of sections");
  argo_config_free(c);
}

TEST(config_duplicate_key_is_an_error_naming_both_lines) {
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "engine:\n  stats_every: 5\n  stats_every: 6\n"));
  CHECK_STR("cfg.yaml:3: duplicate key 'engine.stats_every' (first set at line 2)",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "market_data.bars: 1\nmarket_data:\n  bars: 2\n"));
  CHECK_STR("cfg.yaml:3: duplicate key 'market_data.bars' (first set at line 1)",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "strategy:\n  config:\n    a: 1\n    a: 2\n"));
  CHECK_STR("cfg.yaml:4: strategy.config: duplicate key 'a'", argo_config_errmsg(c));
  CHECK_STR("100", get(c, "engine.stats_every"));
  CHECK_STR("1000", get(c, "market_data.bars"));
  argo_config_free(c);
}

TEST(config_yaml_syntax_error_names_file_and_line) {
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "engine:\n  journal: yes: no\n"));
  CHECK_CONTAINS(argo_config_errmsg(c), "cfg.yaml:2: YAML syntax error: ");
  CHECK_CONTAINS(argo_config_errmsg(c), "mapping values are not allowed");
  CHECK_EQ_INT(ARGO_ECONFIG,
               load(c, "engine:\n  stats_every: 5\nmarket_data:\n  symbols: [A, B\n"));
  CHECK_CONTAINS(argo_config_errmsg(c), "cfg.yaml:5: YAML syntax error: ");
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "engine:\n\tstats_every: 5\n"));
  CHECK_CONTAINS(argo_config_errmsg(c), "cfg.yaml:2: YAML syntax error: ");
  /* Bad UTF-8 is a reader error, reported at its line too. */
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "engine:\n  data_output: \"\xff\xfe\"\n"));
  CHECK_CONTAINS(argo_config_errmsg(c), "cfg.yaml:2: YAML syntax error: ");
  /* A second document would be ignored by a one-document reader: refused. */
  CHECK_EQ_INT(ARGO_ECONFIG,
               load(c, "engine:\n  stats_every: 5\n---\nengine:\n  stats_every: 6\n"));
  CHECK_STR("cfg.yaml:4: only one YAML document is allowed in a configuration file",
            argo_config_errmsg(c));
  CHECK_STR("100", get(c, "engine.stats_every"));
  argo_config_free(c);
}

TEST(config_unreadable_file_is_eio_with_errno_text) {
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_EIO, argo_config_load_file(c, "/nonexistent/argo/x.yaml"));
  CHECK_STR("cannot read config '/nonexistent/argo/x.yaml': No such file or directory",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_EIO, argo_config_load_file(c, "/tmp"));
  CHECK_STR("cannot read config '/tmp': Is a directory", argo_config_errmsg(c));
  argo_config_free(c);
}

TEST(config_load_file_reads_a_file_and_names_it_in_errors) {
  char path[64];
  temp_path(path, sizeof path);
  write_file(path, "market_data:\n  interval: 4h\n");
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_OK, argo_config_load_file(c, path));
  CHECK_STR("4h", get(c, "market_data.interval"));
  CHECK_EQ_INT(4 * 3600 * INT64_C(1000000), argo__config_settings(c)->interval_us);
  write_file(path, "market_data:\n  interval: 2d\n");
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_load_file(c, path));
  char want[256];
  snprintf(want, sizeof want,
           "%s:2: market_data.interval: expected an interval between 1s and 1d, got '2d'", path);
  CHECK_STR(want, argo_config_errmsg(c));
  CHECK_STR("4h", get(c, "market_data.interval"));
  unlink(path);
  argo_config_free(c);
}

TEST(config_strategy_config_bad_json_names_the_key) {
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "strategy.config", "{bad"));
  CHECK_CONTAINS(argo_config_errmsg(c), "strategy.config: expected a JSON object: ");
  CHECK(strlen(argo_config_errmsg(c)) > strlen("strategy.config: expected a JSON object: "));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "strategy.config", "[1, 2]"));
  CHECK_STR("strategy.config: expected a JSON object, got an array", argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "strategy.config", "{\"a\": 1, \"a\": 2}"));
  CHECK_CONTAINS(argo_config_errmsg(c), "strategy.config: expected a JSON object: ");
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "strategy:\n  name: x\n  config: '{\"every\": }'\n"));
  CHECK_CONTAINS(argo_config_errmsg(c), "cfg.yaml:3: strategy.config: expected a JSON object: ");
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "strategy:\n  config:\n    - 1\n"));
  CHECK_STR("cfg.yaml:3: strategy.config: expected a JSON object (a YAML mapping or a JSON "
            "string), got a sequence",
            argo_config_errmsg(c));
  CHECK_STR("{}", get(c, "strategy.config"));
  CHECK_STR("ma_cross", get(c, "strategy.name"));
  argo_config_free(c);
}

TEST(config_set_names_the_key_without_file_or_line) {
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.interval", "7x"));
  CHECK_STR("market_data.interval: expected an interval between 1s and 1d, got '7x'",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.bars", "abc"));
  CHECK_STR("market_data.bars: expected a non-negative integer, got 'abc'", argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "engine.publish_interval", "0"));
  CHECK_STR("engine.publish_interval: expected a duration from 1ms to 1h such as 250ms, 1s or "
            "2m, got '0'",
            argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.start", "yesterday"));
  CHECK_CONTAINS(argo_config_errmsg(c), "market_data.start: expected a UTC time");
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_set(c, NULL, "1"));
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_set(c, "market_data.bars", NULL));
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_set(NULL, "market_data.bars", "1"));
  /* A success clears the message. */
  set_ok(c, "market_data.bars", "5");
  CHECK_STR("", argo_config_errmsg(c));
  argo_config_free(c);
}

/* ---- set / get --------------------------------------------------------------------------- */

typedef struct pair {
  const char *key, *in, *out; /* out NULL: in must be refused */
} pair;

TEST(config_set_get_round_trip_for_every_key_type) {
  static const pair cases[] = {
      /* string */
      {"engine.data_output", "/data/my runs", "/data/my runs"},
      {"engine.data_output", "", NULL},
      {"strategy.name", "./build/libmine.so", "./build/libmine.so"},
      /* duration */
      {"engine.publish_interval", "250ms", "250ms"},
      {"engine.publish_interval", "2m", "2m"},
      {"engine.publish_interval", "60s", "1m"},
      {"engine.publish_interval", "1500", "1500ms"},
      {"engine.publish_interval", " 1h ", "1h"},
      {"engine.publish_interval", "2h", NULL},
      {"engine.publish_interval", "1.5s", NULL},
      {"engine.publish_interval", "-1s", NULL},
      {"engine.publish_interval", "5 s", NULL},
      {"engine.publish_interval", "500us", NULL},
      {"engine.group_commit", "0", "0s"},
      {"engine.group_commit", "2500us", "2500us"},
      /* int */
      {"engine.stats_every", "7", "7"},
      {"engine.stats_every", "+8", "8"},
      {"engine.stats_every", "0", NULL},
      {"engine.candle_window", "99999999999999999999", NULL},
      {"engine.candle_window", "12.0", NULL},
      {"market_data.bars", "0", "0"},
      {"market_data.bars", "-1", NULL},
      /* bool */
      {"engine.journal", "false", "false"},
      {"engine.journal", "ON", "true"},
      {"engine.journal", "no", "false"},
      {"engine.journal", "1", "true"},
      {"engine.journal", "maybe", NULL},
      /* choice */
      {"market_data.feed", "binance", "binance"},
      {"market_data.feed", "Sim", NULL},
      {"market_data.pattern", "decreasing", "decreasing"},
      {"trading.broker", "live", NULL},
      {"trading.commission.model", "zero", "zero"},
      /* list */
      {"market_data.symbols", " A , B.C,d-e ", "A,B.C,d-e"},
      {"market_data.symbols", "A,B,", NULL},
      /* interval */
      {"market_data.interval", "1s", "1s"},
      {"market_data.interval", "1d", "1d"},
      {"market_data.interval", "90s", "90s"},
      {"market_data.interval", "2d", NULL},
      {"market_data.interval", "500ms", NULL},
      {"market_data.interval", "0s", NULL},
      /* time */
      {"market_data.start", "2025-10-01", "2025-10-01T00:00:00Z"},
      {"market_data.start", "2025-10-01 09:00:00.250", "2025-10-01T09:00:00.25Z"},
      {"market_data.start", "2025-10-01T11:00:00+02:00", "2025-10-01T09:00:00Z"},
      {"market_data.start", "1759309200", "2025-10-01T09:00:00Z"},
      {"market_data.start", "", ""},
      {"market_data.start", "2025-13-01", NULL},
      /* time without a "was given" flag (0 is "not set") */
      {"market_data.end", "2025-10-02", "2025-10-02T00:00:00Z"},
      {"market_data.end", "2025-10-02T02:00:00+02:00", "2025-10-02T00:00:00Z"},
      {"market_data.end", "", ""},
      {"market_data.end", "1970-01-01T00:00:00Z", NULL},
      {"market_data.end", "soon", NULL},
      {"engine.prefetch.start_time", "2025-09-01T00:00:00Z", "2025-09-01T00:00:00Z"},
      {"engine.prefetch.start_time", "2025-02-30", NULL},
      /* optional string, and the URLs */
      {"market_data.replay_file", "./data/2025-10-01/run_1/market_data.parquet",
       "./data/2025-10-01/run_1/market_data.parquet"},
      {"market_data.replay_file", "", ""},
      {"market_data.rest_url", "http://127.0.0.1:8080", "http://127.0.0.1:8080"},
      {"market_data.rest_url", "", NULL},
      {"market_data.ws_url", "wss://testnet.binance.vision", "wss://testnet.binance.vision"},
      {"market_data.ws_url", "", NULL},
      /* prefetch */
      {"engine.prefetch.enabled", "yes", "true"},
      {"engine.prefetch.start_time_type", "date", "date"},
      {"engine.prefetch.start_time_type", "weeks", NULL},
      {"engine.prefetch.days", "0", "0"},
      {"engine.prefetch.days", "30", "30"},
      {"engine.prefetch.days", "-1", NULL},
      /* unsigned 64-bit */
      {"market_data.seed", "0", "0"},
      {"market_data.seed", "18446744073709551615", "18446744073709551615"},
      {"market_data.seed", "18446744073709551616", NULL},
      {"market_data.seed", "-1", NULL},
      /* speed */
      {"market_data.speed", "60", "60"},
      {"market_data.speed", "0.5", "0.5"},
      {"market_data.speed", "MAX", "max"},
      {"market_data.speed", "0", NULL},
      {"market_data.speed", "-2", NULL},
      {"market_data.speed", "fast", NULL},
      {"market_data.speed", "1e-300", NULL},
      {"market_data.speed", "1e12", NULL},
      /* number */
      {"trading.capital", "1e3", "1000"},
      {"trading.capital", "0.1", "0.1"},
      {"trading.capital", "0", NULL},
      {"trading.capital", "nan", NULL},
      {"trading.capital", "inf", NULL},
      {"trading.capital", "0x10", NULL},
      {"trading.commission.rate", "0", "0"},
      {"trading.commission.rate", "-0.1", NULL},
      {"trading.commission.per_share", ".25", "0.25"},
      {"trading.commission.minimum", "2.50", "2.5"},
      /* json */
      {"strategy.config", " { \"a\" : 1.0, \"b\": [1, \"x\", null, true], \"c\": {\"d\": 0.1} } ",
       "{\"a\":1.0,\"b\":[1,\"x\",null,true],\"c\":{\"d\":0.1}}"},
      {"strategy.config", "{\"s\": \"quote\\\" tab\\t é\"}", "{\"s\":\"quote\\\" tab\\t é\"}"},
      {"strategy.config", "\"x\"", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const pair *p = &cases[i];
    argo_config *c = fresh();
    char *before = snapshot(c);
    argo_err rc = argo_config_set(c, p->key, p->in);
    if (p->out) {
      CHECK_MSG(rc == ARGO_OK, "set %s='%s': %s", p->key, p->in, argo_config_errmsg(c));
      CHECK_STR(p->out, get(c, p->key));
      /* The canonical text reads back to the same value. */
      set_ok(c, p->key, p->out);
      CHECK_STR(p->out, get(c, p->key));
    } else {
      CHECK_MSG(rc == ARGO_ECONFIG, "set %s='%s' was accepted", p->key, p->in);
      CHECK_MSG(strncmp(argo_config_errmsg(c), p->key, strlen(p->key)) == 0,
                "message '%s' does not start with the key", argo_config_errmsg(c));
      char *after = snapshot(c);
      CHECK_STR(before, after);
      free(after);
    }
    free(before);
    argo_config_free(c);
  }
}

TEST(config_times_outside_1970_to_9999_are_refused_naming_the_value) {
  argo_config *c = fresh();
  /* Epoch seconds reach the year 10000, which named a day folder "10000-01-0"; a start at or
   * before the epoch dropped every candle of the session without a word. */
  static const char *const refused[] = {
      "253402300800",       /* 10000-01-01T00:00:00Z */
      "999999999999999999", /* more seconds than int64_t microseconds hold */
      "0",
      "-86400",
      "1969-12-31T23:59:59Z",
      "1970-01-01T01:00:00+02:00",
  };
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    CHECK_MSG(argo_config_set(c, "market_data.start", refused[i]) == ARGO_ECONFIG,
              "market_data.start='%s' was accepted", refused[i]);
    char want[256];
    snprintf(want, sizeof want,
             "market_data.start: expected a UTC time after 1970-01-01T00:00:00Z and before "
             "10000-01-01T00:00:00Z, got '%s'",
             refused[i]);
    if (strcmp(refused[i], "999999999999999999") != 0) {
      CHECK_STR(want, argo_config_errmsg(c));
    }
  }
  CHECK_EQ_INT(0, argo__config_settings(c)->has_start);
  set_ok(c, "market_data.start", "253402300799");
  CHECK_STR("9999-12-31T23:59:59Z", get(c, "market_data.start"));
  set_ok(c, "market_data.start", "1970-01-01T00:00:00.000001Z");
  CHECK_EQ_INT(1, argo__config_settings(c)->start_us);
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.end", "253402300800"));
  CHECK_CONTAINS(argo_config_errmsg(c), "market_data.end: expected a UTC time after");
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "engine.prefetch.start_time", "1969-07-20"));
  CHECK_CONTAINS(argo_config_errmsg(c), "engine.prefetch.start_time: expected a UTC time after");
  CHECK_EQ_INT(ARGO_ECONFIG,
               argo_config_load_string(c, "market_data:\n  start: 253402300800\n", "cfg.yaml"));
  CHECK_CONTAINS(argo_config_errmsg(c), "cfg.yaml:2: market_data.start: expected a UTC time");
  argo_config_free(c);
}

TEST(config_settings_follow_set_for_derived_fields) {
  argo_config *c = fresh();
  set_ok(c, "market_data.interval", "4h");
  CHECK_EQ_INT(4 * 3600 * INT64_C(1000000), argo__config_settings(c)->interval_us);
  set_ok(c, "market_data.start", "2025-10-01T09:00:00Z");
  CHECK_EQ_INT(1, argo__config_settings(c)->has_start);
  CHECK_EQ_INT(INT64_C(1759309200) * 1000000, argo__config_settings(c)->start_us);
  set_ok(c, "market_data.start", "");
  CHECK_EQ_INT(0, argo__config_settings(c)->has_start);
  set_ok(c, "market_data.speed", "2.5");
  CHECK_NEAR(2.5, argo__config_settings(c)->speed, 0);
  set_ok(c, "market_data.speed", "max");
  CHECK_NEAR(0, argo__config_settings(c)->speed, 0);
  argo_config_free(c);
}

TEST(config_get_reports_unknown_key_and_small_buffer) {
  argo_config *c = fresh();
  char buf[64];
  CHECK_EQ_INT(ARGO_ENOTFOUND, argo_config_get(c, "engine.nope", buf, sizeof buf));
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_get(c, "engine.data_output", buf, 5));
  CHECK_STR("", buf);
  /* Exactly enough room: the text and its terminating NUL. */
  CHECK_EQ_INT(ARGO_OK,
               argo_config_get(c, "engine.data_output", buf, strlen("./data/live-trading") + 1));
  CHECK_STR("./data/live-trading", buf);
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_get(c, "engine.data_output", buf, 0));
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_get(NULL, "engine.data_output", buf, sizeof buf));
  argo_config_free(c);
}

/* ---- atomicity --------------------------------------------------------------------------- */

TEST(config_failed_load_leaves_config_unchanged) {
  argo_config *c = fresh();
  set_ok(c, "market_data.symbols", "AAA,BBB");
  set_ok(c, "strategy.config", "{\"k\": [1, 2]}");
  set_ok(c, "market_data.start", "2025-01-02");
  char *before = snapshot(c);
  /* Everything before the bad line is valid and would have been applied by a naive loader. */
  static const char *const bad[] = {
      "engine:\n  stats_every: 7\n  data_output: /elsewhere\nmarket_data:\n  symbols: [X, Y]\n"
      "  start: 2030-01-01\nstrategy:\n  config: {z: 1}\n  name: other\ntrading:\n  capital: 0\n",
      "engine:\n  stats_every: 7\nmarket_data:\n  symbols: [X, Y]\n  bars: [1\n",
      "engine:\n  stats_every: 7\nstrategy:\n  config:\n    a: ${ARGO_TEST_SURELY_UNSET}\n",
      "market_data:\n  symbols: X\n---\nengine: {}\n",
  };
  unsetenv("ARGO_TEST_SURELY_UNSET");
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK_EQ_INT(ARGO_ECONFIG, load(c, bad[i]));
    char *after = snapshot(c);
    CHECK_STR(before, after);
    free(after);
  }
  const argo__settings *s = argo__config_settings(c);
  CHECK_EQ_INT(2, s->nsymbols);
  CHECK_STR("AAA", s->symbols[0]);
  CHECK_EQ_INT(100, s->stats_every);
  free(before);
  argo_config_free(c);
}

TEST(config_failed_set_leaves_config_unchanged) {
  argo_config *c = fresh();
  set_ok(c, "market_data.symbols", "AAA,BBB");
  char *before = snapshot(c);
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.symbols", "CCC,CCC"));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.interval", "7x"));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "strategy.config", "[]"));
  char *after = snapshot(c);
  CHECK_STR(before, after);
  CHECK_EQ_INT(60000000, argo__config_settings(c)->interval_us);
  free(before);
  free(after);
  argo_config_free(c);
}

TEST(config_empty_and_comment_only_files_change_nothing) {
  argo_config *c = fresh();
  char *before = snapshot(c);
  static const char *const empty[] = {
      "", "\n\n", "# only a comment\n# and another\n", "---\n", "--- # doc\n...\n", "~\n"};
  for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
    argo_err rc = load(c, empty[i]);
    CHECK_MSG(rc == ARGO_OK, "'%s': %s", empty[i], argo_config_errmsg(c));
    char *after = snapshot(c);
    CHECK_STR(before, after);
    free(after);
  }
  free(before);
  argo_config_free(c);
}

/* ---- strategy.config --------------------------------------------------------------------- */

TEST(config_strategy_config_yaml_converts_to_typed_json) {
  argo_config *c = fresh();
  load_ok(c, "strategy:\n"
             "  config:\n"
             "    fast: 10\n"
             "    slow: 30.5\n"
             "    ratio: 1e-3\n"
             "    whole: 4.0\n"
             "    neg: -5\n"
             "    big: 123456789012345678901234\n"
             "    octal_like: 007\n"
             "    name: \"10\"\n"
             "    label: plain text\n"
             "    quoted_true: 'true'\n"
             "    flag: true\n"
             "    off: False\n"
             "    nothing: null\n"
             "    tilde: ~\n"
             "    empty:\n"
             "    version: 1.2.3\n"
             "    list: [1, two, \"3\", 4.5]\n"
             "    nested:\n"
             "      deeper:\n"
             "        - a: 1\n"
             "        - b: [x, y]\n"
             "        - []\n"
             "        - {}\n"
             "    anchor: &p {n: 1}\n"
             "    alias: *p\n");
  const char *want = "{\"fast\":10,\"slow\":30.5,\"ratio\":0.001,\"whole\":4.0,\"neg\":-5,"
                     "\"big\":1.2345678901234569e+23,\"octal_like\":7,\"name\":\"10\","
                     "\"label\":\"plain text\",\"quoted_true\":\"true\",\"flag\":true,"
                     "\"off\":false,\"nothing\":null,\"tilde\":null,\"empty\":null,"
                     "\"version\":\"1.2.3\",\"list\":[1,\"two\",\"3\",4.5],"
                     "\"nested\":{\"deeper\":[{\"a\":1},{\"b\":[\"x\",\"y\"]},[],{}]},"
                     "\"anchor\":{\"n\":1},\"alias\":{\"n\":1}}";
  CHECK_STR(want, get(c, "strategy.config"));
  /* The text is what the engine hands to json_loads: check the types jansson sees. */
  json_error_t je;
  json_t *v = json_loads(argo__config_settings(c)->strategy_config, 0, &je);
  CHECK_MSG(v != NULL, "%s", je.text);
  CHECK(json_is_integer(json_object_get(v, "fast")));
  CHECK(json_is_real(json_object_get(v, "whole")));
  CHECK_NEAR(4.0, json_real_value(json_object_get(v, "whole")), 0);
  CHECK(json_is_string(json_object_get(v, "name")));
  CHECK(json_is_true(json_object_get(v, "flag")));
  CHECK(json_is_null(json_object_get(v, "empty")));
  CHECK(json_is_array(json_object_get(v, "list")));
  json_decref(v);
  argo_config_free(c);
}

TEST(config_strategy_config_accepts_a_json_string_and_an_empty_value) {
  argo_config *c = fresh();
  load_ok(c, "strategy:\n  config: '{\"every\": 3, \"sides\": [\"BUY\"]}'\n");
  CHECK_STR("{\"every\":3,\"sides\":[\"BUY\"]}", get(c, "strategy.config"));
  load_ok(c, "strategy:\n  config: {}\n");
  CHECK_STR("{}", get(c, "strategy.config"));
  set_ok(c, "strategy.config", "{\"x\": 1}");
  load_ok(c, "strategy:\n  config:\n    # every entry commented out\n");
  CHECK_STR("{}", get(c, "strategy.config"));
  /* A later file replaces the whole object rather than merging into it. */
  load_ok(c, "strategy:\n  config: {a: 1, b: 2}\n");
  load_ok(c, "strategy:\n  config: {c: 3}\n");
  CHECK_STR("{\"c\":3}", get(c, "strategy.config"));
  argo_config_free(c);
}

TEST(config_set_strategy_config_also_takes_yaml_text) {
  /* The CLI passes the contents of a --strategy-config file, which may be YAML. */
  argo_config *c = fresh();
  set_ok(c, "strategy.config",
         "# my strategy\nevery: 3\nname: '5'\nsides: [BUY, SELL]\n"
         "path: ${HOME}\n");
  /* Taken literally: argo_config_set never expands the environment. */
  CHECK_STR("{\"every\":3,\"name\":\"5\",\"sides\":[\"BUY\",\"SELL\"],\"path\":\"${HOME}\"}",
            get(c, "strategy.config"));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "strategy.config", "a: 1\nb: 2\na: 3\n"));
  CHECK_STR("strategy.config: line 3: duplicate key 'a'", argo_config_errmsg(c));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "strategy.config", "a:\n  b: {c: 1, c: 2}\n"));
  CHECK_STR("strategy.config: line 2: a.b: duplicate key 'c'", argo_config_errmsg(c));
  /* Not a mapping: the JSON parser's message, which is what the user most likely meant. */
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "strategy.config", "just words"));
  CHECK_CONTAINS(argo_config_errmsg(c), "strategy.config: expected a JSON object: ");
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "strategy.config", "- 1\n- 2\n"));
  CHECK_CONTAINS(argo_config_errmsg(c), "strategy.config: expected a JSON object: ");
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "strategy.config", ""));
  CHECK_STR("{\"every\":3,\"name\":\"5\",\"sides\":[\"BUY\",\"SELL\"],\"path\":\"${HOME}\"}",
            get(c, "strategy.config"));
  argo_config_free(c);
}

TEST(config_strategy_config_alias_bomb_is_refused) {
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_ECONFIG, load(c, "strategy:\n"
                                     "  config:\n"
                                     "    a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                                     "    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                     "    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                                     "    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                                     "    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                                     "    f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"));
  CHECK_CONTAINS(argo_config_errmsg(c), "cfg.yaml:3: strategy.config.e[");
  CHECK_CONTAINS(argo_config_errmsg(c), "too deeply nested or too large");
  CHECK_STR("{}", get(c, "strategy.config"));
  argo_config_free(c);
}

/* ---- validate ---------------------------------------------------------------------------- */

TEST(config_validate_requires_symbols_and_accepts_every_feed) {
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_OK, argo_config_validate(c));
  set_ok(c, "market_data.feed", "replay");
  set_ok(c, "market_data.replay_file", "candles.parquet");
  CHECK_EQ_INT(ARGO_OK, argo_config_validate(c));
  set_ok(c, "market_data.feed", "binance");
  CHECK_EQ_INT(ARGO_OK, argo_config_validate(c));
  set_ok(c, "market_data.symbols", "");
  CHECK_EQ_INT(0, argo__config_settings(c)->nsymbols);
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_validate(c));
  CHECK_STR("market_data.symbols: at least one symbol is needed", argo_config_errmsg(c));
  load_ok(c, "market_data:\n  symbols: []\n");
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_validate(c));
  load_ok(c, "market_data:\n  symbols: [BTCUSDT]\n");
  CHECK_EQ_INT(ARGO_OK, argo_config_validate(c));
  CHECK_STR("", argo_config_errmsg(c));
  argo_config_free(c);
}

TEST(config_validate_checks_replay_file_time_range_and_prefetch_date) {
  argo_config *c = fresh();
  set_ok(c, "market_data.feed", "replay");
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_validate(c));
  CHECK_STR("market_data.replay_file: the replay feed needs a file (Parquet or CSV)",
            argo_config_errmsg(c));
  set_ok(c, "market_data.replay_file", "old/market_data.parquet");
  CHECK_EQ_INT(ARGO_OK, argo_config_validate(c));
  /* A replay without symbols replays every symbol of its file. */
  set_ok(c, "market_data.symbols", "");
  CHECK_EQ_INT(ARGO_OK, argo_config_validate(c));
  set_ok(c, "market_data.symbols", "BTCUSDT");
  load_ok(c, "market_data:\n  start: 2025-10-02\n  end: 2025-10-01\n");
  CHECK_EQ_INT(INT64_C(1759276800000000), argo__config_settings(c)->end_us);
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_validate(c));
  CHECK_STR("market_data.end: must be later than market_data.start", argo_config_errmsg(c));
  set_ok(c, "market_data.end", "2025-10-03");
  CHECK_EQ_INT(ARGO_OK, argo_config_validate(c));
  /* The prefetch section, nested in a file. */
  load_ok(c, "engine:\n  prefetch:\n    enabled: true\n    start_time_type: date\n"
             "    days: 3\n");
  const argo__settings *s = argo__config_settings(c);
  CHECK_EQ_INT(1, s->prefetch);
  CHECK_STR("date", s->prefetch_start_type);
  CHECK_EQ_INT(3, s->prefetch_days);
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_validate(c));
  CHECK_STR("engine.prefetch.start_time: needed when engine.prefetch.start_time_type is date",
            argo_config_errmsg(c));
  load_ok(c, "engine.prefetch.start_time: 2025-09-01T00:00:00Z\n");
  CHECK_EQ_INT(INT64_C(1756684800000000), argo__config_settings(c)->prefetch_start_us);
  CHECK_EQ_INT(ARGO_OK, argo_config_validate(c));
  argo_config_free(c);
}

/* ---- settings copy / free ---------------------------------------------------------------- */

TEST(config_settings_copy_is_deep_and_free_zeroes) {
  argo_config *c = fresh();
  set_ok(c, "strategy.config", "{\"a\": 1}");
  set_ok(c, "market_data.replay_file", "/tmp/x.parquet");
  argo__settings copy;
  memset(&copy, 0xab, sizeof copy); /* the copy must not read what dst held */
  CHECK_EQ_INT(ARGO_OK, argo__settings_copy(&copy, argo__config_settings(c)));
  const argo__settings *s = argo__config_settings(c);
  CHECK(copy.data_output != s->data_output);
  CHECK(copy.symbols != s->symbols);
  CHECK(copy.symbols[0] != s->symbols[0]);
  char *before = snapshot(c);
  argo_config_free(c); /* the copy outlives its source */
  CHECK_STR("./data/live-trading", copy.data_output);
  CHECK_EQ_INT(2, copy.nsymbols);
  CHECK_STR("ETHUSDT", copy.symbols[1]);
  CHECK_STR("{\"a\":1}", copy.strategy_config);
  CHECK(copy.ws_url != NULL && copy.rest_url != NULL && copy.replay_file != NULL);
  CHECK_STR("wss://stream.binance.com:9443", copy.ws_url);
  CHECK_STR("/tmp/x.parquet", copy.replay_file);
  CHECK_STR("days", copy.prefetch_start_type);
  CHECK_STR("1m", copy.interval);
  CHECK_EQ_INT(60000000, copy.interval_us);
  CHECK(copy.seed == 42);
  free(before);
  argo__settings_free(&copy);
  CHECK(copy.data_output == NULL && copy.symbols == NULL && copy.nsymbols == 0);
  CHECK(copy.strategy_config == NULL && copy.stats_every == 0);
  CHECK(copy.replay_file == NULL && copy.rest_url == NULL && copy.ws_url == NULL);
  CHECK(copy.prefetch_start_type == NULL);
  argo__settings_free(&copy); /* twice is harmless: it is zeroed */
  argo__settings_free(NULL);
  /* A zeroed struct copies to a zeroed struct. */
  argo__settings zero, out;
  memset(&zero, 0, sizeof zero);
  CHECK_EQ_INT(ARGO_OK, argo__settings_copy(&out, &zero));
  CHECK(out.data_output == NULL && out.symbols == NULL && out.nsymbols == 0);
  argo__settings_free(&out);
  CHECK_EQ_INT(ARGO_EINVAL, argo__settings_copy(NULL, &zero));
}

TEST(config_null_handles_are_tolerated) {
  argo_config_free(NULL);
  CHECK(argo_config_errmsg(NULL) != NULL);
  CHECK(argo__config_settings(NULL) == NULL);
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_new(NULL));
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_load_string(NULL, "", "x"));
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_validate(NULL));
  argo_config *c = fresh();
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_load_file(c, NULL));
  CHECK_EQ_INT(ARGO_EINVAL, argo_config_load_string(c, NULL, "x"));
  /* Without a name, messages still say where. */
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_load_string(c, "nope: 1\n", NULL));
  CHECK_STR("<string>:1: unknown key 'nope'", argo_config_errmsg(c));
  argo_config_free(c);
}

/* Found by fuzz/fuzz_config: eighteen digits of epoch seconds overflowed int64_t microseconds
 * (undefined behaviour; a wrapped time was accepted). */
TEST(config_time_of_epoch_seconds_out_of_range_is_refused) {
  argo_config *c = fresh();
  int64_t us = 0;
  CHECK_EQ_INT(ARGO_EINVAL, argo_time_parse("666666666666666666", &us));
  CHECK_EQ_INT(ARGO_EINVAL, argo_time_parse("-666666666666666666", &us));
  CHECK_EQ_INT(ARGO_ECONFIG, argo_config_set(c, "market_data.start", "666666666666666666"));
  CHECK_CONTAINS(argo_config_errmsg(c), "market_data.start: expected a UTC time");
  /* The largest whole second that fits is still a time. */
  CHECK_EQ_INT(ARGO_OK, argo_time_parse("9223372036854", &us));
  CHECK_EQ_INT(INT64_C(9223372036854) * 1000000, us);
  argo_config_free(c);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(config_defaults_fill_every_setting);
  RUN(config_get_of_a_fresh_config_returns_the_table_defaults);
  RUN(config_key_table_is_complete_and_every_default_is_valid);
  RUN(config_full_file_sets_every_section);
  RUN(config_nested_sections_map_to_dotted_keys_and_merge);
  RUN(config_symbols_accept_a_sequence_and_a_comma_separated_string);
  RUN(config_symbols_reject_empty_duplicate_and_malformed);
  RUN(config_env_vars_expand_with_defaults_and_dollar_escape);
  RUN(config_env_missing_variable_names_variable_file_line_and_key);
  RUN(config_unknown_key_names_file_and_line);
  RUN(config_bad_value_names_file_line_key_and_value);
  RUN(config_duplicate_key_is_an_error_naming_both_lines);
  RUN(config_yaml_syntax_error_names_file_and_line);
  RUN(config_unreadable_file_is_eio_with_errno_text);
  RUN(config_load_file_reads_a_file_and_names_it_in_errors);
  RUN(config_strategy_config_bad_json_names_the_key);
  RUN(config_set_names_the_key_without_file_or_line);
  RUN(config_set_get_round_trip_for_every_key_type);
  RUN(config_times_outside_1970_to_9999_are_refused_naming_the_value);
  RUN(config_settings_follow_set_for_derived_fields);
  RUN(config_get_reports_unknown_key_and_small_buffer);
  RUN(config_failed_load_leaves_config_unchanged);
  RUN(config_failed_set_leaves_config_unchanged);
  RUN(config_empty_and_comment_only_files_change_nothing);
  RUN(config_strategy_config_yaml_converts_to_typed_json);
  RUN(config_strategy_config_accepts_a_json_string_and_an_empty_value);
  RUN(config_set_strategy_config_also_takes_yaml_text);
  RUN(config_strategy_config_alias_bomb_is_refused);
  RUN(config_validate_requires_symbols_and_accepts_every_feed);
  RUN(config_validate_checks_replay_file_time_range_and_prefetch_date);
  RUN(config_settings_copy_is_deep_and_free_zeroes);
  RUN(config_null_handles_are_tolerated);
  RUN(config_time_of_epoch_seconds_out_of_range_is_refused);
  return test_summary();
}
