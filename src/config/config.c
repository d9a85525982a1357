/*
 * Configuration: one table of typed keys (name, type, default, help, where the value lives in
 * argo__settings, limits) and the three ways of filling it: the defaults, YAML files and
 * key=value overrides. Every value, whatever its source, goes through the one parser of its
 * key, so a default, a file and a flag cannot disagree about what is valid. Loads and sets
 * work on a scratch copy of the settings that replaces the live one only on success, so a
 * failure never leaves a configuration half-applied.
 *
 * This module owns the argo__settings of a config, and their deep copy and release. Reading a
 * file's YAML (the document, ${VAR} expansion, YAML to JSON) is config/yaml.c's; this module
 * walks the document against the key table. It depends on config/yaml, jansson
 * (strategy.config) and the util helpers, on no other argo module.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <argo/argo.h>

#include "brokers/registry.h"
#include "config/settings.h"
#include "config/yaml.h"
#include "feeds/registry.h"
#include "util/fsx.h"
#include "util/strbuf.h"
#include "util/timeu.h"
#include "util/util.h"

struct argo_config {
  argo__settings s;
  char err[ARGO_ERRMSG_MAX];
};

/* How a key's text is parsed and where its value is stored. */
typedef enum kind {
  K_STRING,   /* char * at off, non-empty */
  K_DURATION, /* int64_t microseconds at off, within lo..hi */
  K_INT,      /* int64_t at off, >= lo */
  K_BOOL,     /* int at off, 0 or 1 */
  K_CHOICE,   /* char * at off, one of choices */
  K_SYMBOLS,  /* char ** at off, size_t count at off2 */
  K_INTERVAL, /* char * at off (as given), int64_t microseconds at off2 */
  K_TIME,     /* int64_t microseconds at off, int "was given" at off2 */
  K_TIME0,    /* int64_t microseconds at off, 0 when not given (a time for which the epoch
                 itself is no sensible value: an end, a prefetch start) */
  K_U64,      /* uint64_t at off */
  K_SPEED,    /* double at off: "max" is 0, else > 0 */
  K_NUMBER,   /* double at off, >= lo (> lo when lo_open) */
  K_JSON      /* char * at off: a JSON object as compact text */
} kind;

typedef struct keydef {
  argo_config_key pub; /* first, so that argo_config_key_at can hand out &keys[i].pub */
  kind kind;
  size_t off, off2;
  double lo, hi;       /* limits of K_INT, K_NUMBER, K_DURATION (hi 0: no upper limit) */
  int lo_open;         /* lo itself is excluded */
  int empty_ok;        /* K_STRING: "" is a valid value (meaning "not set") */
  const char *choices; /* K_CHOICE: "a|b|c" */
} keydef;

#define OFF(field) offsetof(argo__settings, field)
#define US_PER_MS 1e3
#define US_PER_S 1e6
#define US_PER_HOUR 3.6e9

/* Defaults are written in the canonical form argo_config_get returns, so that a fresh config
 * reads back exactly the table (a test checks it). */
static const keydef keys[] = {
    {{"engine.data_output", "string", "./data/live-trading",
      "folder where sessions are recorded ({data_output}/{date}/run_N)"},
     .kind = K_STRING,
     .off = OFF(data_output)},
    {{"engine.publish_interval", "duration", "1s",
      "how far behind market data may be published to Parquet, 1ms to 1h (250ms, 1s, 2m)"},
     .kind = K_DURATION,
     .off = OFF(publish_interval_us),
     .lo = US_PER_MS,
     .hi = US_PER_HOUR},
    {{"engine.stats_every", "int", "100", "rewrite stats.yaml every N candles (and after fills)"},
     .kind = K_INT,
     .off = OFF(stats_every),
     .lo = 1},
    {{"engine.candle_window", "int", "1000", "candles kept per symbol for recent_candles"},
     .kind = K_INT,
     .off = OFF(candle_window),
     .lo = 1},
    {{"engine.journal", "bool", "true", "write-ahead journal, so that a crash loses nothing"},
     .kind = K_BOOL,
     .off = OFF(journal)},
    {{"engine.group_commit", "duration", "100ms",
      "how long journal records may wait to be fsynced together, 0 to 1h (0: every record)"},
     .kind = K_DURATION,
     .off = OFF(group_commit_us),
     .lo = 0,
     .hi = US_PER_HOUR},
    {{"engine.stop_grace", "duration", "10s",
      "after a stop request (Ctrl-C), how long a strategy call may go on before the session is "
      "ended without it, 10ms to 1h"},
     .kind = K_DURATION,
     .off = OFF(stop_grace_us),
     .lo = 10 * US_PER_MS,
     .hi = US_PER_HOUR},
    {{"engine.callback_warn", "duration", "5s",
      "a strategy call running longer is reported (on_error) while it runs, 0 to 1h (0: never)"},
     .kind = K_DURATION,
     .off = OFF(callback_warn_us),
     .lo = 0,
     .hi = US_PER_HOUR},
    {{"engine.resume_account", "bool", "false",
      "a warm restart also resumes the paper account (cash and open positions) of the run it "
      "resumes from"},
     .kind = K_BOOL,
     .off = OFF(resume_account)},
    {{"engine.prefetch.enabled", "bool", "false",
      "download history before going live, so that indicators are ready (live feeds)"},
     .kind = K_BOOL,
     .off = OFF(prefetch)},
    {{"engine.prefetch.start_time_type", "choice", "days",
      "where prefetched history starts: days (engine.prefetch.days back) or date "
      "(engine.prefetch.start_time)"},
     .kind = K_CHOICE,
     .off = OFF(prefetch_start_type),
     .choices = "days|date"},
    {{"engine.prefetch.days", "int", "7", "days of history to prefetch (start_time_type days)"},
     .kind = K_INT,
     .off = OFF(prefetch_days),
     .lo = 0},
    {{"engine.prefetch.start_time", "time", "",
      "first candle to prefetch, UTC (start_time_type date), e.g. 2025-10-01T00:00:00Z"},
     .kind = K_TIME0,
     .off = OFF(prefetch_start_us)},
    {{"market_data.feed", "choice", "sim", "market-data feed: sim, replay or binance"},
     .kind = K_CHOICE,
     .off = OFF(feed),
     .choices = ARGO__FEED_NAMES},
    {{"market_data.symbols", "list", "BTCUSDT,ETHUSDT",
      "symbols to trade, comma-separated; each 1 to 31 characters of A-Z a-z 0-9 . _ -"},
     .kind = K_SYMBOLS,
     .off = OFF(symbols),
     .off2 = OFF(nsymbols)},
    {{"market_data.interval", "string", "1m", "candle interval from 1s to 1d (1m, 15m, 4h, 1d)"},
     .kind = K_INTERVAL,
     .off = OFF(interval),
     .off2 = OFF(interval_us)},
    {{"market_data.start", "time", "",
      "first candle's open time, UTC (2025-10-01T09:00:00Z); empty: the feed's default"},
     .kind = K_TIME,
     .off = OFF(start_us),
     .off2 = OFF(has_start)},
    {{"market_data.end", "time", "",
      "replay and sim: only candles before this time, UTC; empty: to the end of the file (replay) "
      "or of market_data.bars (sim)"},
     .kind = K_TIME0,
     .off = OFF(end_us)},
    {{"market_data.bars", "int", "1000",
      "candles per symbol (sim); 0 = unlimited (with market_data.end or a speed)"},
     .kind = K_INT,
     .off = OFF(bars),
     .lo = 0},
    {{"market_data.pattern", "choice", "volatile",
      "simulated prices: increasing, decreasing or volatile"},
     .kind = K_CHOICE,
     .off = OFF(pattern),
     .choices = "increasing|decreasing|volatile"},
    {{"market_data.seed", "int", "42", "seed of the simulated feed (unsigned 64-bit)"},
     .kind = K_U64,
     .off = OFF(seed)},
    {{"market_data.speed", "number", "max",
      "pacing: max (as fast as possible) or real time times N (1, 60, 0.5)"},
     .kind = K_SPEED,
     .off = OFF(speed)},
    {{"market_data.replay_file", "string", "",
      "replay: a Parquet or CSV file of candles (time, symbol, open, high, low, close, volume)"},
     .kind = K_STRING,
     .off = OFF(replay_file),
     .empty_ok = 1},
    {{"market_data.rest_url", "string", "https://api.binance.com",
      "binance: REST base URL (history, gap fill); e.g. https://testnet.binance.vision"},
     .kind = K_STRING,
     .off = OFF(rest_url)},
    {{"market_data.ws_url", "string", "wss://stream.binance.com:9443",
      "binance: WebSocket base URL of the kline streams; e.g. wss://testnet.binance.vision"},
     .kind = K_STRING,
     .off = OFF(ws_url)},
    {{"market_data.max_reconnects", "int", "10",
      "binance: consecutive failed connection attempts before the session stops (0: never)"},
     .kind = K_INT,
     .off = OFF(max_reconnects),
     .lo = 0},
    {{"trading.broker", "choice", "paper",
      "broker: paper (simulated fills) or binance (Binance spot: testnet unless "
      "trading.binance.live; docs/brokers.md)"},
     .kind = K_CHOICE,
     .off = OFF(broker),
     .choices = ARGO__BROKER_NAMES},
    {{"trading.capital", "number", "10000", "starting capital of the account (> 0)"},
     .kind = K_NUMBER,
     .off = OFF(capital),
     .lo = 0,
     .lo_open = 1},
    {{"trading.commission.model", "choice", "percentage",
      "commission model: zero, percentage or per_share"},
     .kind = K_CHOICE,
     .off = OFF(commission_model),
     .choices = "zero|percentage|per_share"},
    {{"trading.commission.rate", "number", "0.001",
      "percentage model: fee as a fraction of the notional (0.001 = 0.1%)"},
     .kind = K_NUMBER,
     .off = OFF(commission_rate),
     .lo = 0},
    {{"trading.commission.per_share", "number", "0.005", "per_share model: fee per unit traded"},
     .kind = K_NUMBER,
     .off = OFF(commission_per_share),
     .lo = 0},
    {{"trading.commission.minimum", "number", "1", "per_share model: minimum fee per fill"},
     .kind = K_NUMBER,
     .off = OFF(commission_minimum),
     .lo = 0},
    {{"trading.binance.rest_url", "string", "https://testnet.binance.vision",
      "binance broker: REST base URL (orders, account, exchange filters); the live exchange is "
      "https://api.binance.com and needs trading.binance.live"},
     .kind = K_STRING,
     .off = OFF(bn_rest_url)},
    {{"trading.binance.ws_api_url", "string", "wss://ws-api.testnet.binance.vision/ws-api/v3",
      "binance broker: WebSocket API URL (the user data stream: fills, balances); the live "
      "exchange is wss://ws-api.binance.com:443/ws-api/v3"},
     .kind = K_STRING,
     .off = OFF(bn_ws_api_url)},
    {{"trading.binance.live", "bool", "false",
      "binance broker: trade real money on the exchange the URLs name; without it only the "
      "testnet and loopback URLs are accepted"},
     .kind = K_BOOL,
     .off = OFF(bn_live)},
    {{"trading.binance.open_orders_at_start", "choice", "adopt",
      "binance broker: the orders an earlier session left open on the exchange, once asked "
      "about: adopt (this session follows them; the strategy sees them) or cancel"},
     .kind = K_CHOICE,
     .off = OFF(bn_open_orders),
     .choices = "adopt|cancel"},
    {{"trading.binance.recv_window", "duration", "5s",
      "binance broker: how long after its timestamp a signed request is valid, 1ms to 60s"},
     .kind = K_DURATION,
     .off = OFF(bn_recv_window_us),
     .lo = US_PER_MS,
     .hi = 60 * US_PER_S},
    {{"trading.binance.timeout", "duration", "10s",
      "binance broker: how long a request may take before its outcome counts as unknown (it is "
      "then looked up, never sent again), 100ms to 5m"},
     .kind = K_DURATION,
     .off = OFF(bn_timeout_us),
     .lo = 100 * US_PER_MS,
     .hi = 300 * US_PER_S},
    {{"trading.binance.clock_sync", "duration", "5m",
      "binance broker: how often the exchange's clock offset is measured again (GET "
      "/api/v3/time), 1s to 1h"},
     .kind = K_DURATION,
     .off = OFF(bn_clock_sync_us),
     .lo = US_PER_S,
     .hi = US_PER_HOUR},
    {{"strategy.name", "string", "ma_cross", "builtin strategy name or path to a plugin (.so)"},
     .kind = K_STRING,
     .off = OFF(strategy)},
    {{"strategy.config", "json", "{}",
      "the strategy's configuration: a JSON object (a YAML mapping in a file)"},
     .kind = K_JSON,
     .off = OFF(strategy_config)},
};

#define NKEYS ARGO_ARRAY_LEN(keys)

#define SYMBOL_MAX 31

/* ---- small helpers ----------------------------------------------------------------------- */

static void *field(argo__settings *s, size_t off) {
  return (char *)s + off;
}

static const void *cfield(const argo__settings *s, size_t off) {
  return (const char *)s + off;
}

/* Kinds whose value is one malloc'ed string at off. */
static int owns_string(const keydef *k) {
  return k->kind == K_STRING || k->kind == K_CHOICE || k->kind == K_INTERVAL || k->kind == K_JSON;
}

static argo_err errf(char *err, size_t len, argo_err rc, const char *fmt, ...) ARGO_PRINTF(4, 5);

static argo_err errf(char *err, size_t len, argo_err rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, len, fmt, ap);
  va_end(ap);
  /* Messages are one line (a CLI prints them as is), but they quote values that may hold line
   * breaks (a YAML block scalar, an environment variable): those become spaces. */
  argo__one_line(err);
  return rc;
}

static int find_key(const char *name) {
  for (size_t i = 0; i < NKEYS; i++) {
    if (strcmp(keys[i].pub.name, name) == 0) {
      return (int)i;
    }
  }
  return -1;
}

/* 1 if name is a section, that is a proper prefix of some key ("trading.commission"). */
static int is_section(const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i < NKEYS; i++) {
    if (strncmp(keys[i].pub.name, name, n) == 0 && keys[i].pub.name[n] == '.') {
      return 1;
    }
  }
  return 0;
}

/* A malloc'ed copy of s without leading and trailing white space. */
static char *trim_dup(const char *s) {
  while (isspace((unsigned char)*s)) {
    s++;
  }
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) {
    n--;
  }
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

static void replace_str(argo__settings *s, size_t off, char *value) {
  char **slot = field(s, off);
  free(*slot);
  *slot = value;
}

/* "250ms", "1s", "2m", "1h", "500us", or a plain integer of milliseconds. */
static int parse_duration(const char *s, int64_t *out_us) {
  if (!isdigit((unsigned char)*s)) {
    return -1;
  }
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno) {
    return -1;
  }
  static const struct {
    const char *unit;
    int64_t us;
  } units[] = {{"", 1000},     {"us", 1},       {"ms", 1000},
               {"s", 1000000}, {"m", 60000000}, {"h", INT64_C(3600000000)}};
  for (size_t i = 0; i < ARGO_ARRAY_LEN(units); i++) {
    if (strcmp(end, units[i].unit) == 0) {
      if (v > (unsigned long long)(INT64_MAX / units[i].us)) {
        return -1;
      }
      *out_us = (int64_t)v * units[i].us;
      return 0;
    }
  }
  return -1;
}

/* The largest unit that divides the duration exactly, so that "1s" reads back as "1s". */
static void put_duration(argo__sb *sb, int64_t us) {
  static const struct {
    const char *unit;
    int64_t us;
  } units[] = {{"h", INT64_C(3600000000)}, {"m", 60000000}, {"s", 1000000}, {"ms", 1000}};
  if (us == 0) {
    argo__sb_puts(sb, "0s");
    return;
  }
  for (size_t i = 0; i < ARGO_ARRAY_LEN(units); i++) {
    if (us % units[i].us == 0) {
      argo__sb_printf(sb, "%lld%s", (long long)(us / units[i].us), units[i].unit);
      return;
    }
  }
  argo__sb_printf(sb, "%lldus", (long long)us);
}

/* The shortest text that reads back as the same double (0.1 prints as 0.1, not 0.1000...01). */
static void put_number(argo__sb *sb, double v) {
  char buf[40];
  snprintf(buf, sizeof buf, "%.15g", v);
  if (strtod(buf, NULL) != v) {
    snprintf(buf, sizeof buf, "%.17g", v);
  }
  argo__sb_puts(sb, buf);
}

/* ---- JSON (strategy.config) -------------------------------------------------------------- */

/* Compact JSON, keys in insertion order. Written here rather than with json_dumps because
 * jansson prints reals with 17 digits (0.1 becomes 0.10000000000000001), which is what a user
 * would then read back from argo_config_get and in the session's metadata. */
static void put_json(argo__sb *sb, json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    const char *key;
    json_t *val;
    int first = 1;
    argo__sb_putc(sb, '{');
    json_object_foreach(v, key, val) {
      if (!first) {
        argo__sb_putc(sb, ',');
      }
      first = 0;
      argo__sb_json_str(sb, key);
      argo__sb_putc(sb, ':');
      put_json(sb, val);
    }
    argo__sb_putc(sb, '}');
    break;
  }
  case JSON_ARRAY: {
    size_t i;
    json_t *val;
    argo__sb_putc(sb, '[');
    json_array_foreach(v, i, val) {
      if (i) {
        argo__sb_putc(sb, ',');
      }
      put_json(sb, val);
    }
    argo__sb_putc(sb, ']');
    break;
  }
  case JSON_STRING:
    argo__sb_json_str(sb, json_string_value(v));
    break;
  case JSON_INTEGER:
    argo__sb_printf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    break;
  case JSON_REAL: {
    /* Keep a real a real: "1.0", not "1", or json_real_value would read 0 from it. */
    size_t at = sb->len;
    put_number(sb, json_real_value(v));
    if (!argo__sb_failed(sb) && !strpbrk(sb->buf + at, ".eE")) {
      argo__sb_puts(sb, ".0");
    }
    break;
  }
  case JSON_TRUE:
    argo__sb_puts(sb, "true");
    break;
  case JSON_FALSE:
    argo__sb_puts(sb, "false");
    break;
  case JSON_NULL:
    argo__sb_puts(sb, "null");
    break;
  }
}

/* The canonical text of a JSON object, malloc'ed; NULL when out of memory. */
static char *json_canonical(json_t *obj) {
  argo__sb sb;
  argo__sb_init(&sb);
  put_json(&sb, obj);
  if (argo__sb_failed(&sb)) {
    argo__sb_free(&sb);
    return NULL;
  }
  return sb.buf; /* taken from the buffer */
}

static const char *json_type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
  case JSON_REAL:
    return "a number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  case JSON_NULL:
    return "null";
  default:
    return "an object";
  }
}

static argo_err set_json_text(const keydef *k, const char *text, argo__settings *s, char *why,
                              size_t len) {
  json_error_t je;
  json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &je);
  if (!v) {
    /* Text that is not JSON at all may be a YAML mapping (a YAML file given to the CLI's
     * --strategy-config); text that starts like JSON gets the JSON parser's message. */
    const char *p = text;
    while (isspace((unsigned char)*p)) {
      p++;
    }
    if (*p != '{' && *p != '[') {
      json_t *obj = NULL;
      argo_err rc = argo__yaml_mapping_json(text, k->pub.name, &obj, why, len);
      if (rc == ARGO_OK) {
        char *canon = json_canonical(obj);
        json_decref(obj);
        if (!canon) {
          return errf(why, len, ARGO_ENOMEM, "out of memory");
        }
        replace_str(s, k->off, canon);
      }
      if (rc != ARGO_ENOTFOUND) {
        return rc;
      }
    }
    return errf(why, len, ARGO_ECONFIG, "expected a JSON object: %s", je.text);
  }
  if (!json_is_object(v)) {
    argo_err rc = errf(why, len, ARGO_ECONFIG, "expected a JSON object, got %s", json_type_name(v));
    json_decref(v);
    return rc;
  }
  char *canon = json_canonical(v);
  json_decref(v);
  if (!canon) {
    return errf(why, len, ARGO_ENOMEM, "out of memory");
  }
  replace_str(s, k->off, canon);
  return ARGO_OK;
}

/* ---- values ------------------------------------------------------------------------------ */

int argo__symbol_valid(const char *sym) {
  size_t n = strlen(sym);
  if (n == 0 || n > SYMBOL_MAX) {
    return 0;
  }
  for (const char *p = sym; *p; p++) {
    if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-') {
      return 0;
    }
  }
  return 1;
}

static void free_symbols(char **syms, size_t n) {
  for (size_t i = 0; syms && i < n; i++) {
    free(syms[i]);
  }
  free(syms);
}

/* Validates items (already trimmed) and stores a copy. On a bad item, *bad is its index. */
static argo_err set_symbols(const keydef *k, char *const *items, size_t n, argo__settings *s,
                            char *why, size_t len, size_t *bad) {
  for (size_t i = 0; i < n; i++) {
    *bad = i;
    if (!argo__symbol_valid(items[i])) {
      return errf(why, len, ARGO_ECONFIG,
                  "expected symbols of 1 to %d characters from A-Z a-z 0-9 . _ -, got '%s'",
                  SYMBOL_MAX, items[i]);
    }
    for (size_t j = 0; j < i; j++) {
      if (strcmp(items[i], items[j]) == 0) {
        return errf(why, len, ARGO_ECONFIG, "duplicate symbol '%s'", items[i]);
      }
    }
  }
  char **copy = NULL;
  if (n) {
    copy = calloc(n, sizeof *copy);
    if (!copy) {
      goto oom;
    }
    for (size_t i = 0; i < n; i++) {
      copy[i] = argo__strdup(items[i]);
      if (!copy[i]) {
        free_symbols(copy, i);
        goto oom;
      }
    }
  }
  char ***slot = field(s, k->off);
  size_t *count = field(s, k->off2);
  free_symbols(*slot, *count);
  *slot = copy;
  *count = n;
  /* The replay feed replays every symbol of its file unless symbols were given. */
  s->symbols_set = 1;
  return ARGO_OK;
oom:
  return errf(why, len, ARGO_ENOMEM, "out of memory");
}

/* "A, B,C" -> items; a blank text is the empty list (argo_config_validate refuses it). */
static argo_err set_symbols_text(const keydef *k, const char *text, argo__settings *s, char *why,
                                 size_t len) {
  argo_err rc;
  char *t = trim_dup(text);
  char **items = NULL;
  size_t n = 0, bad;
  if (!t) {
    goto oom;
  }
  if (*t) {
    size_t cap = 1;
    for (const char *p = t; *p; p++) {
      cap += *p == ',';
    }
    items = calloc(cap, sizeof *items);
    if (!items) {
      goto oom;
    }
    /* Items are trimmed in place inside t, so none of them needs its own allocation. */
    for (char *p = t;;) {
      char *comma = strchr(p, ',');
      char *end = comma ? comma : p + strlen(p);
      while (p < end && isspace((unsigned char)*p)) {
        p++;
      }
      while (end > p && isspace((unsigned char)end[-1])) {
        end--;
      }
      *end = '\0';
      items[n++] = p;
      if (!comma) {
        break;
      }
      p = comma + 1;
    }
  }
  rc = set_symbols(k, items, n, s, why, len, &bad);
  goto done;
oom:
  rc = errf(why, len, ARGO_ENOMEM, "out of memory");
done:
  free(items);
  free(t);
  return rc;
}

static void choices_text(const keydef *k, char *buf, size_t len) {
  size_t o = 0;
  for (const char *p = k->choices; *p && o + 3 < len; p++) {
    if (*p == '|') {
      buf[o++] = ',';
      buf[o++] = ' ';
    } else {
      buf[o++] = *p;
    }
  }
  buf[o] = '\0';
}

static argo_err set_choice(const keydef *k, const char *t, argo__settings *s, char *why,
                           size_t len) {
  size_t n = strlen(t);
  for (const char *p = k->choices; *p;) {
    const char *bar = strchr(p, '|');
    size_t m = bar ? (size_t)(bar - p) : strlen(p);
    if (m == n && strncmp(p, t, n) == 0) {
      char *v = argo__strdup(t);
      if (!v) {
        return errf(why, len, ARGO_ENOMEM, "out of memory");
      }
      replace_str(s, k->off, v);
      return ARGO_OK;
    }
    p += m + (bar != NULL);
  }
  char list[128];
  choices_text(k, list, sizeof list);
  return errf(why, len, ARGO_ECONFIG, "expected one of %s, got '%s'", list, t);
}

static const char *int_expectation(const keydef *k, char *buf, size_t len) {
  if (k->lo == 0) {
    return "a non-negative integer";
  }
  if (k->lo == 1) {
    return "a positive integer";
  }
  snprintf(buf, len, "an integer >= %lld", (long long)k->lo);
  return buf;
}

static const char *number_expectation(const keydef *k, char *buf, size_t len) {
  if (k->lo == 0) {
    return k->lo_open ? "a positive number" : "a non-negative number";
  }
  snprintf(buf, len, "a number %s %g", k->lo_open ? ">" : ">=", k->lo);
  return buf;
}

/* Parses the whitespace-trimmed text t for a scalar key of kind other than K_STRING, K_JSON
 * and K_SYMBOLS, and stores it in s. */
static argo_err set_scalar(const keydef *k, const char *t, argo__settings *s, char *why,
                           size_t len) {
  char tmp[64];
  switch (k->kind) {
  case K_INT: {
    int64_t v;
    if (argo__parse_i64(t, &v) != 0 || (double)v < k->lo) {
      return errf(why, len, ARGO_ECONFIG, "expected %s, got '%s'",
                  int_expectation(k, tmp, sizeof tmp), t);
    }
    *(int64_t *)field(s, k->off) = v;
    return ARGO_OK;
  }
  case K_U64: {
    /* strtoull would take "-1" as 2^64-1, so the text must start with a digit. */
    unsigned long long v = 0;
    char *end = NULL;
    errno = 0;
    if (isdigit((unsigned char)*t)) {
      v = strtoull(t, &end, 10);
    }
    if (!end || errno || *end) {
      return errf(why, len, ARGO_ECONFIG, "expected an integer from 0 to 2^64-1, got '%s'", t);
    }
    *(uint64_t *)field(s, k->off) = (uint64_t)v;
    return ARGO_OK;
  }
  case K_NUMBER: {
    double v;
    if (argo__parse_double(t, &v) != 0 || v < k->lo || (k->lo_open && v == k->lo)) {
      return errf(why, len, ARGO_ECONFIG, "expected %s, got '%s'",
                  number_expectation(k, tmp, sizeof tmp), t);
    }
    *(double *)field(s, k->off) = v;
    return ARGO_OK;
  }
  case K_SPEED: {
    double v = 0;
    /* Bounded so that pacing delays (interval / speed) stay within 64-bit microseconds. */
    if (strcasecmp(t, "max") != 0 && (argo__parse_double(t, &v) != 0 || !(v >= 1e-6 && v <= 1e9))) {
      return errf(why, len, ARGO_ECONFIG,
                  "expected 'max' or a number from 0.000001 to 1000000000, got '%s'", t);
    }
    *(double *)field(s, k->off) = v;
    return ARGO_OK;
  }
  case K_BOOL: {
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < ARGO_ARRAY_LEN(yes); i++) {
      if (strcasecmp(t, yes[i]) == 0 || strcasecmp(t, no[i]) == 0) {
        *(int *)field(s, k->off) = strcasecmp(t, yes[i]) == 0;
        return ARGO_OK;
      }
    }
    return errf(why, len, ARGO_ECONFIG, "expected true or false, got '%s'", t);
  }
  case K_DURATION: {
    int64_t us;
    if (parse_duration(t, &us) != 0 || (double)us < k->lo || (k->hi && (double)us > k->hi)) {
      argo__sb lo, hi;
      argo__sb_init(&lo);
      argo__sb_init(&hi);
      put_duration(&lo, (int64_t)k->lo);
      put_duration(&hi, (int64_t)k->hi);
      argo_err rc = errf(why, len, ARGO_ECONFIG,
                         "expected a duration from %s to %s such as 250ms, 1s or 2m, got '%s'",
                         argo__sb_str(&lo), argo__sb_str(&hi), t);
      argo__sb_free(&lo);
      argo__sb_free(&hi);
      return rc;
    }
    *(int64_t *)field(s, k->off) = us;
    return ARGO_OK;
  }
  case K_CHOICE:
    return set_choice(k, t, s, why, len);
  case K_INTERVAL: {
    int64_t us = argo__interval_parse(t);
    if (us < ARGO_US_PER_SEC || us > ARGO_US_PER_DAY) {
      return errf(why, len, ARGO_ECONFIG, "expected an interval between 1s and 1d, got '%s'", t);
    }
    char *v = argo__strdup(t);
    if (!v) {
      return errf(why, len, ARGO_ENOMEM, "out of memory");
    }
    replace_str(s, k->off, v);
    *(int64_t *)field(s, k->off2) = us;
    return ARGO_OK;
  }
  case K_TIME:
  case K_TIME0: {
    int64_t us = 0;
    if (*t && argo_time_parse(t, &us) != ARGO_OK) {
      return errf(why, len, ARGO_ECONFIG,
                  "expected a UTC time such as 2025-10-01T09:00:00Z (or nothing), got '%s'", t);
    }
    /* Year 10000 would name a day folder "10000-01-0" (and collide with itself); a time at or
     * before the epoch is taken for "not given" or "nothing stored yet". */
    if (*t && !argo__time_ok(us)) {
      return errf(why, len, ARGO_ECONFIG, "expected a UTC time " ARGO__TIME_RANGE ", got '%s'", t);
    }
    *(int64_t *)field(s, k->off) = us;
    if (k->kind == K_TIME) {
      *(int *)field(s, k->off2) = *t != '\0';
    }
    return ARGO_OK;
  }
  default:
    return errf(why, len, ARGO_ECONFIG, "internal error: key kind %d", (int)k->kind);
  }
}

/* Parses text for key k and stores the value in s; on failure s keeps its old value of k and
 * why says what was expected. */
static argo_err set_value(const keydef *k, const char *text, argo__settings *s, char *why,
                          size_t len) {
  switch (k->kind) {
  case K_STRING: {
    /* Paths and plugin names are taken as given; only an empty one is certainly a mistake,
     * unless the key is optional. */
    if (!*text && !k->empty_ok) {
      return errf(why, len, ARGO_ECONFIG, "expected a non-empty string, got ''");
    }
    char *v = argo__strdup(text);
    if (!v) {
      return errf(why, len, ARGO_ENOMEM, "out of memory");
    }
    replace_str(s, k->off, v);
    return ARGO_OK;
  }
  case K_JSON:
    return set_json_text(k, text, s, why, len);
  case K_SYMBOLS:
    return set_symbols_text(k, text, s, why, len);
  default: {
    char *t = trim_dup(text);
    if (!t) {
      return errf(why, len, ARGO_ENOMEM, "out of memory");
    }
    argo_err rc = set_scalar(k, t, s, why, len);
    free(t);
    return rc;
  }
  }
}

/* The canonical text of k's value in s. */
static void format_value(const keydef *k, const argo__settings *s, argo__sb *sb) {
  const void *f = cfield(s, k->off);
  switch (k->kind) {
  case K_STRING:
  case K_CHOICE:
  case K_INTERVAL:
  case K_JSON: {
    const char *v = *(char *const *)f;
    argo__sb_puts(sb, v ? v : "");
    break;
  }
  case K_DURATION:
    put_duration(sb, *(const int64_t *)f);
    break;
  case K_INT:
    argo__sb_printf(sb, "%lld", (long long)*(const int64_t *)f);
    break;
  case K_U64:
    argo__sb_printf(sb, "%llu", (unsigned long long)*(const uint64_t *)f);
    break;
  case K_BOOL:
    argo__sb_puts(sb, *(const int *)f ? "true" : "false");
    break;
  case K_NUMBER:
    put_number(sb, *(const double *)f);
    break;
  case K_SPEED: {
    double v = *(const double *)f;
    if (v == 0) {
      argo__sb_puts(sb, "max");
    } else {
      put_number(sb, v);
    }
    break;
  }
  case K_TIME:
  case K_TIME0:
    if (k->kind == K_TIME ? *(const int *)cfield(s, k->off2) != 0 : *(const int64_t *)f != 0) {
      char buf[48];
      argo_time_format(*(const int64_t *)f, buf, sizeof buf);
      argo__sb_puts(sb, buf);
    }
    break;
  case K_SYMBOLS: {
    char *const *syms = *(char **const *)f;
    size_t n = *(const size_t *)cfield(s, k->off2);
    for (size_t i = 0; i < n; i++) {
      if (i) {
        argo__sb_putc(sb, ',');
      }
      argo__sb_puts(sb, syms[i]);
    }
    break;
  }
  }
}

/* ---- YAML files ------------------------------------------------------------------------- */

/* A reading of a configuration file: the document and the scratch settings it fills. */
typedef struct loader {
  argo__yaml y;
  argo__settings *s;  /* the scratch settings being filled */
  size_t seen[NKEYS]; /* line where each key was set, 0 if not yet */
} loader;

/* A YAML sequence of symbols; errors point at the offending item's line. */
static argo_err apply_symbol_seq(loader *L, const keydef *k, yaml_node_t *seq) {
  argo_err rc = ARGO_OK;
  size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
  char **items = calloc(n ? n : 1, sizeof *items);
  char why[ARGO_ERRMSG_MAX];
  size_t got = 0, bad = 0;
  if (!items) {
    return argo__yaml_err(&L->y, ARGO_ENOMEM, argo__yaml_line(seq), k->pub.name, "out of memory");
  }
  for (; got < n; got++) {
    yaml_node_t *it = argo__yaml_node(&L->y, seq->data.sequence.items.start[got]);
    argo__sb sb;
    argo__sb_init(&sb);
    rc = argo__yaml_scalar(&L->y, it, k->pub.name, &sb);
    items[got] = rc ? NULL : trim_dup(argo__sb_str(&sb));
    argo__sb_free(&sb);
    if (!rc && !items[got]) {
      rc = argo__yaml_err(&L->y, ARGO_ENOMEM, argo__yaml_line(it), k->pub.name, "out of memory");
    }
    if (rc) {
      goto done;
    }
  }
  rc = set_symbols(k, items, n, L->s, why, sizeof why, &bad);
  if (rc) {
    yaml_node_t *it = argo__yaml_node(&L->y, seq->data.sequence.items.start[bad]);
    rc = argo__yaml_err(&L->y, rc, argo__yaml_line(it), k->pub.name, "%s", why);
  }
done:
  free_symbols(items, got);
  return rc;
}

static argo_err apply_node(loader *L, size_t idx, yaml_node_t *n) {
  const keydef *k = &keys[idx];
  char why[ARGO_ERRMSG_MAX];
  argo_err rc;
  if (k->kind == K_JSON && n->type == YAML_MAPPING_NODE) {
    json_t *obj;
    rc = argo__yaml_to_json(&L->y, n, k->pub.name, &obj);
    if (rc) {
      return rc;
    }
    char *canon = json_canonical(obj);
    json_decref(obj);
    if (!canon) {
      return argo__yaml_err(&L->y, ARGO_ENOMEM, argo__yaml_line(n), k->pub.name, "out of memory");
    }
    replace_str(L->s, k->off, canon);
    return ARGO_OK;
  }
  if (k->kind == K_JSON && n->type == YAML_SEQUENCE_NODE) {
    return argo__yaml_err(
        &L->y, ARGO_ECONFIG, argo__yaml_line(n), k->pub.name,
        "expected a JSON object (a YAML mapping or a JSON string), got a sequence");
  }
  if (k->kind == K_JSON && argo__yaml_is_null(n)) {
    /* "config:" with every entry commented out means no configuration, not an error. */
    return set_value(k, "{}", L->s, why, sizeof why);
  }
  if (k->kind == K_SYMBOLS && n->type == YAML_SEQUENCE_NODE) {
    return apply_symbol_seq(L, k, n);
  }
  argo__sb sb;
  argo__sb_init(&sb);
  rc = argo__yaml_scalar(&L->y, n, k->pub.name, &sb);
  if (!rc) {
    rc = set_value(k, argo__sb_str(&sb), L->s, why, sizeof why);
    if (rc) {
      rc = argo__yaml_err(&L->y, rc, argo__yaml_line(n), k->pub.name, "%s", why);
    }
  }
  argo__sb_free(&sb);
  return rc;
}

/* Walks a mapping whose keys are prefix.<key>: a key of the table takes the value, a section
 * ("trading.commission") takes a nested mapping, anything else is unknown. Dotted keys may also
 * be written in one piece ("market_data.interval: 1m" at the top level). */
static argo_err walk_mapping(loader *L, yaml_node_t *map, const char *prefix) {
  for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
       pr++) {
    yaml_node_t *kn = argo__yaml_node(&L->y, pr->key);
    yaml_node_t *vn = argo__yaml_node(&L->y, pr->value);
    argo_err rc;
    if (kn->type != YAML_SCALAR_NODE) {
      return argo__yaml_err(&L->y, ARGO_ECONFIG, argo__yaml_line(kn), prefix,
                            "expected a key name, got %s", argo__yaml_kind(kn));
    }
    char full[256];
    int w = snprintf(full, sizeof full, "%s%s%s", prefix ? prefix : "", prefix ? "." : "",
                     (const char *)kn->data.scalar.value);
    int idx = (w > 0 && (size_t)w < sizeof full) ? find_key(full) : -1;
    if (idx >= 0) {
      if (L->seen[idx]) {
        return argo__yaml_err(&L->y, ARGO_ECONFIG, argo__yaml_line(kn), NULL,
                              "duplicate key '%s' (first set at line %zu)", full, L->seen[idx]);
      }
      L->seen[idx] = argo__yaml_line(kn);
      rc = apply_node(L, (size_t)idx, vn);
    } else if ((size_t)w < sizeof full && is_section(full)) {
      if (vn->type == YAML_MAPPING_NODE) {
        rc = walk_mapping(L, vn, full);
      } else if (argo__yaml_is_null(vn)) {
        rc = ARGO_OK; /* an empty section */
      } else {
        rc = argo__yaml_err(&L->y, ARGO_ECONFIG, argo__yaml_line(vn), full,
                            "expected a mapping of keys (a section), got %s", argo__yaml_kind(vn));
      }
    } else {
      rc = argo__yaml_err(&L->y, ARGO_ECONFIG, argo__yaml_line(kn), NULL, "unknown key '%s'", full);
    }
    if (rc) {
      return rc;
    }
  }
  return ARGO_OK;
}

/* Loads text into s (a scratch copy; the caller keeps or drops it). */
static argo_err load_yaml(argo__settings *s, const char *text, size_t len, const char *name,
                          char *err, size_t errlen) {
  loader L;
  memset(&L, 0, sizeof L);
  L.s = s;
  argo_err rc = argo__yaml_open(&L.y, text, len, name, err, errlen);
  yaml_node_t *root = rc ? NULL : argo__yaml_root(&L.y);
  if (root && root->type == YAML_MAPPING_NODE) {
    rc = walk_mapping(&L, root, NULL);
  } else if (root && !argo__yaml_is_null(root)) {
    rc = argo__yaml_err(&L.y, ARGO_ECONFIG, argo__yaml_line(root), NULL,
                        "expected a mapping of sections (engine, market_data, trading, strategy), "
                        "got %s",
                        argo__yaml_kind(root));
  }
  if (!rc) {
    rc = argo__yaml_only_one(&L.y);
  }
  argo__yaml_close(&L.y);
  return rc;
}

/* ---- settings ---------------------------------------------------------------------------- */

const argo__settings *argo__config_settings(const argo_config *cfg) {
  return cfg ? &cfg->s : NULL;
}

/* The owned pointers are found through the key table, so a new string key is copied and freed
 * without a second list to keep in step. */
void argo__settings_free(argo__settings *s) {
  if (!s) {
    return;
  }
  for (size_t i = 0; i < NKEYS; i++) {
    const keydef *k = &keys[i];
    if (owns_string(k)) {
      free(*(char **)field(s, k->off));
    } else if (k->kind == K_SYMBOLS) {
      free_symbols(*(char ***)field(s, k->off), *(size_t *)field(s, k->off2));
    }
  }
  memset(s, 0, sizeof *s);
}

argo_err argo__settings_copy(argo__settings *dst, const argo__settings *src) {
  if (!dst) {
    return ARGO_EINVAL;
  }
  argo__settings t;
  memset(&t, 0, sizeof t);
  if (src) {
    t = *src;
  }
  /* Detach every owned pointer first, so that a failure frees only what this copy made. */
  for (size_t i = 0; i < NKEYS; i++) {
    const keydef *k = &keys[i];
    if (owns_string(k)) {
      *(char **)field(&t, k->off) = NULL;
    } else if (k->kind == K_SYMBOLS) {
      *(char ***)field(&t, k->off) = NULL;
      *(size_t *)field(&t, k->off2) = 0;
    }
  }
  for (size_t i = 0; src && i < NKEYS; i++) {
    const keydef *k = &keys[i];
    if (owns_string(k)) {
      const char *v = *(char *const *)cfield(src, k->off);
      if (v && !(*(char **)field(&t, k->off) = argo__strdup(v))) {
        goto fail;
      }
    } else if (k->kind == K_SYMBOLS) {
      char *const *syms = *(char **const *)cfield(src, k->off);
      size_t n = *(const size_t *)cfield(src, k->off2);
      if (!syms || !n) {
        continue;
      }
      char **copy = calloc(n, sizeof *copy);
      if (!copy) {
        goto fail;
      }
      *(char ***)field(&t, k->off) = copy;
      for (size_t j = 0; j < n; j++) {
        if (!(copy[j] = argo__strdup(syms[j]))) {
          goto fail;
        }
        *(size_t *)field(&t, k->off2) = j + 1;
      }
    }
  }
  *dst = t;
  return ARGO_OK;
fail:
  argo__settings_free(&t);
  memset(dst, 0, sizeof *dst);
  return ARGO_ENOMEM;
}

/* ---- public API -------------------------------------------------------------------------- */

const argo_config_key *argo_config_key_at(size_t i) {
  return i < NKEYS ? &keys[i].pub : NULL;
}

const char *argo_config_key_values(const char *key) {
  int idx = key ? find_key(key) : -1;
  if (idx < 0) {
    return NULL;
  }
  switch (keys[idx].kind) {
  case K_CHOICE:
    return keys[idx].choices;
  case K_BOOL:
    return "true|false";
  case K_INTERVAL:
    /* Any interval from 1s to 1d is valid; these are the exchanges' own. */
    return "1s|1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d";
  case K_SPEED:
    return "max|1|60";
  default:
    return NULL;
  }
}

argo_err argo_config_new(argo_config **out) {
  if (!out) {
    return ARGO_EINVAL;
  }
  *out = NULL;
  argo_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg) {
    return ARGO_ENOMEM;
  }
  for (size_t i = 0; i < NKEYS; i++) {
    char why[ARGO_ERRMSG_MAX];
    argo_err rc = set_value(&keys[i], keys[i].pub.dflt, &cfg->s, why, sizeof why);
    if (rc) {
      argo_config_free(cfg);
      return rc;
    }
  }
  cfg->s.symbols_set = 0; /* the defaults were set above, not given by the user */
  *out = cfg;
  return ARGO_OK;
}

void argo_config_free(argo_config *cfg) {
  if (!cfg) {
    return;
  }
  argo__settings_free(&cfg->s);
  free(cfg);
}

static argo_err load_text(argo_config *cfg, const char *text, size_t len, const char *name) {
  argo__settings scratch;
  if (argo__settings_copy(&scratch, &cfg->s) != ARGO_OK) {
    return errf(cfg->err, sizeof cfg->err, ARGO_ENOMEM, "%s: out of memory", name);
  }
  argo_err rc = load_yaml(&scratch, text, len, name, cfg->err, sizeof cfg->err);
  if (rc) {
    argo__settings_free(&scratch);
    return rc;
  }
  argo__settings_free(&cfg->s);
  cfg->s = scratch;
  cfg->err[0] = '\0';
  return ARGO_OK;
}

argo_err argo_config_load_file(argo_config *cfg, const char *path) {
  if (!cfg) {
    return ARGO_EINVAL;
  }
  if (!path) {
    return errf(cfg->err, sizeof cfg->err, ARGO_EINVAL, "argo_config_load_file: no path");
  }
  char *text = NULL;
  size_t len = 0;
  int r = argo__fs_read_all(path, &text, &len);
  if (r < 0) {
    argo__fmt_errno(cfg->err, sizeof cfg->err, -r, "cannot read config '%s'", path);
    return r == -ENOMEM ? ARGO_ENOMEM : ARGO_EIO;
  }
  argo_err rc = load_text(cfg, text, len, path);
  free(text);
  return rc;
}

argo_err argo_config_load_string(argo_config *cfg, const char *yaml, const char *name) {
  if (!cfg) {
    return ARGO_EINVAL;
  }
  if (!yaml) {
    return errf(cfg->err, sizeof cfg->err, ARGO_EINVAL, "argo_config_load_string: no text");
  }
  return load_text(cfg, yaml, strlen(yaml), name ? name : "<string>");
}

argo_err argo_config_set(argo_config *cfg, const char *key, const char *value) {
  if (!cfg) {
    return ARGO_EINVAL;
  }
  if (!key || !value) {
    return errf(cfg->err, sizeof cfg->err, ARGO_EINVAL, "argo_config_set: no key or value");
  }
  int idx = find_key(key);
  if (idx < 0) {
    return errf(cfg->err, sizeof cfg->err, ARGO_ECONFIG, "unknown key '%s'", key);
  }
  argo__settings scratch;
  if (argo__settings_copy(&scratch, &cfg->s) != ARGO_OK) {
    return errf(cfg->err, sizeof cfg->err, ARGO_ENOMEM, "%s: out of memory", key);
  }
  char why[ARGO_ERRMSG_MAX];
  argo_err rc = set_value(&keys[idx], value, &scratch, why, sizeof why);
  if (rc) {
    argo__settings_free(&scratch);
    return errf(cfg->err, sizeof cfg->err, rc, "%s: %s", key, why);
  }
  argo__settings_free(&cfg->s);
  cfg->s = scratch;
  cfg->err[0] = '\0';
  return ARGO_OK;
}

argo_err argo_config_get(const argo_config *cfg, const char *key, char *buf, size_t len) {
  if (!cfg || !key || !buf || len == 0) {
    return ARGO_EINVAL;
  }
  buf[0] = '\0';
  int idx = find_key(key);
  if (idx < 0) {
    return ARGO_ENOTFOUND;
  }
  argo__sb sb;
  argo__sb_init(&sb);
  format_value(&keys[idx], &cfg->s, &sb);
  argo_err rc = ARGO_OK;
  if (argo__sb_failed(&sb)) {
    rc = ARGO_ENOMEM;
  } else if (sb.len >= len) {
    rc = ARGO_EINVAL; /* buf stays "": a truncated value could be mistaken for a real one */
  } else {
    memcpy(buf, argo__sb_str(&sb), sb.len + 1);
  }
  argo__sb_free(&sb);
  return rc;
}

argo_err argo_config_validate(argo_config *cfg) {
  if (!cfg) {
    return ARGO_EINVAL;
  }
  const argo__settings *s = &cfg->s;
  int replay = strcmp(s->feed, "replay") == 0;
  /* A replay with no symbols given replays every symbol of its file (the engine asks the file),
   * so an empty list is only refused for the other feeds. */
  if (s->nsymbols == 0 && !replay) {
    return errf(cfg->err, sizeof cfg->err, ARGO_ECONFIG,
                "market_data.symbols: at least one symbol is needed");
  }
  if (!argo__utf8_valid(s->data_output)) {
    return errf(cfg->err, sizeof cfg->err, ARGO_ECONFIG,
                "engine.data_output: the path is not valid UTF-8 (stats.yaml could not name it)");
  }
  if (replay && (!s->replay_file || !*s->replay_file)) {
    return errf(cfg->err, sizeof cfg->err, ARGO_ECONFIG,
                "market_data.replay_file: the replay feed needs a file (Parquet or CSV)");
  }
  if (s->end_us && s->has_start && s->end_us <= s->start_us) {
    return errf(cfg->err, sizeof cfg->err, ARGO_ECONFIG,
                "market_data.end: must be later than market_data.start");
  }
  if (s->prefetch && strcmp(s->prefetch_start_type, "date") == 0 && s->prefetch_start_us == 0) {
    return errf(cfg->err, sizeof cfg->err, ARGO_ECONFIG,
                "engine.prefetch.start_time: needed when engine.prefetch.start_time_type is date");
  }
  cfg->err[0] = '\0';
  return ARGO_OK;
}

const char *argo_config_errmsg(const argo_config *cfg) {
  return cfg ? cfg->err : "no configuration (NULL handle)";
}
