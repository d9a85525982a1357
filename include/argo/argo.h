/*
 * argo: a live and paper trading engine whose core is session management and real-time
 * persistence. This header is the whole public API of libargo.
 *
 * Objects are opaque handles created with argo_<object>_new and released with
 * argo_<object>_free (every free accepts NULL). Fallible functions return argo_err (0 is
 * ARGO_OK); the human-readable message, with paths and errno text, is kept on the handle and
 * read with argo_<object>_errmsg(), like sqlite3_errmsg. The library never prints and never
 * exits.
 *
 * Time is int64_t microseconds since the Unix epoch, UTC, everywhere.
 *
 * Threads: an engine is used from one thread, except argo_engine_stop, which may be called
 * from any thread and from a signal handler. Every callback is called on the thread running
 * argo_engine_run, except the reports of a strategy call that does not return (on_error, and
 * on_engine_stop with ARGO_EHUNG), which come from the engine's watchdog thread; callbacks are
 * never called at the same time. A config is not thread-safe.
 */
#ifndef ARGO_ARGO_H
#define ARGO_ARGO_H

#include <stddef.h>
#include <stdint.h>

#include <argo/version.h>

#include "strategy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the library actually linked (may differ from ARGO_VERSION_STRING, the header's),
 * as text and as ARGO_VERSION_NUMBER would give it. */
ARGO_API const char *argo_version(void);
ARGO_API int argo_version_number(void);

/* ---- errors ------------------------------------------------------------------------------ */

/* One list gives both the enum and argo_strerror(), so they cannot drift. */
#define ARGO_ERROR_LIST(X)                                                                         \
  X(OK, 0, "ok")                                                                                   \
  X(EINVAL, 1, "invalid argument")                                                                 \
  X(ENOMEM, 2, "out of memory")                                                                    \
  X(EIO, 3, "input/output error")                                                                  \
  X(ECONFIG, 4, "invalid configuration")                                                           \
  X(ESTATE, 5, "call not valid in the current state")                                              \
  X(ENOTFOUND, 6, "not found")                                                                     \
  X(ESTRATEGY, 7, "strategy failed")                                                               \
  X(EPLUGIN, 8, "strategy plugin cannot be loaded")                                                \
  X(EDB, 9, "database error")                                                                      \
  X(EFEED, 10, "market data feed error")                                                           \
  X(EBROKER, 11, "broker error")                                                                   \
  X(ECORRUPT, 12, "corrupt file")                                                                  \
  X(EEXIST, 13, "already exists")                                                                  \
  X(EHUNG, 14, "a strategy call did not return")

typedef enum argo_err {
#define ARGO_ERR_ENUM_(name, value, text) ARGO_##name = value,
  ARGO_ERROR_LIST(ARGO_ERR_ENUM_)
#undef ARGO_ERR_ENUM_
} argo_err;

/* Static text for an error code; never NULL. */
ARGO_API const char *argo_strerror(argo_err err);

/* ---- time -------------------------------------------------------------------------------- */

/* Parses an ISO-8601 UTC time: "2025-10-01", "2025-10-01T09:00", "2025-10-01T09:00:00Z",
 * "2025-10-01 09:00:00.250", with an optional "Z" or "+00:00" (other offsets are applied).
 * Also accepts a plain integer of seconds since the epoch. */
ARGO_API argo_err argo_time_parse(const char *text, int64_t *out_us);
/* Formats as "2025-10-01T09:00:00Z" (fractional seconds only when non-zero). buf >= 40 bytes. */
ARGO_API void argo_time_format(int64_t us, char *buf, size_t len);
/* Formats a duration in seconds as argo shows it everywhere (argo stats, the report): rounded
 * to whole seconds, then its two largest units, "3d 4h", "1h 05m", "2m 07s", "45s"; "-" for 0,
 * a negative or a non-finite value. buf >= 24 bytes. */
ARGO_API void argo_duration_format(double seconds, char *buf, size_t len);

/* ---- configuration ----------------------------------------------------------------------- */

/* A configuration: typed keys with defaults, filled from YAML files (sections engine,
 * market_data, trading, strategy; ${VAR} expanded from the environment) and from key=value
 * overrides. Every key is listed by argo_config_key_at. */
typedef struct argo_config argo_config;

ARGO_API argo_err argo_config_new(argo_config **out);
ARGO_API void argo_config_free(argo_config *cfg);
/* Merges a YAML file into cfg. On error the message names the file, line and key. */
ARGO_API argo_err argo_config_load_file(argo_config *cfg, const char *path);
/* Same, from text; name is used in messages. */
ARGO_API argo_err argo_config_load_string(argo_config *cfg, const char *yaml, const char *name);
/* Sets one key ("market_data.interval") from text, validating it. Lists are comma-separated;
 * strategy.config takes a JSON object as text. */
ARGO_API argo_err argo_config_set(argo_config *cfg, const char *key, const char *value);
/* Writes the current value of key as text (lists comma-separated) into buf. */
ARGO_API argo_err argo_config_get(const argo_config *cfg, const char *key, char *buf, size_t len);
/* Checks the combination of keys (for example that there is at least one symbol). */
ARGO_API argo_err argo_config_validate(argo_config *cfg);
ARGO_API const char *argo_config_errmsg(const argo_config *cfg);

typedef struct argo_config_key {
  const char *name; /* "market_data.interval" */
  const char *type; /* "string", "int", "number", "bool", "list", "time", "json", "choice",
                       "duration" */
  const char *dflt; /* default, as text */
  const char *help; /* one line */
} argo_config_key;
/* The i-th known key; NULL past the end. */
ARGO_API const argo_config_key *argo_config_key_at(size_t i);
/* The values to offer for key, "a|b|c" (static text): every value of a choice, true|false, the
 * usual candle intervals, max|1|60 for a speed; NULL for a key of any other value or an unknown
 * key. For completion (argo completion bash). */
ARGO_API const char *argo_config_key_values(const char *key);

/* ---- statistics (docs/design.md section 7)
 * -------------------------------------------------------- */

typedef struct argo_stats_block {
  int64_t number_of_trades; /* fills */
  int64_t number_of_winning_trades;
  int64_t number_of_losing_trades;
  double win_rate;
  double max_drawdown; /* fraction of peak equity */
  double realized_pnl;
  double unrealized_pnl;
  double total_pnl;
  double maximum_loss;
  double maximum_profit;
  double total_fees;
  int64_t holding_count;                        /* closed pieces (one per FIFO match) */
  double holding_min, holding_max, holding_avg; /* seconds */
  /* The figures below were added later (docs/statistics.md). Read from a stats.yaml written
   * before them, the numbers are NaN and days is 0. */
  double gross_profit;  /* sum of the closing fills' pnl > 0 */
  double gross_loss;    /* sum of the closing fills' pnl < 0 (a negative number) */
  double profit_factor; /* gross_profit / -gross_loss; 0 without a loss */
  double expectancy;    /* realized_pnl per closing fill, break-even ones included */
  double total_return;  /* equity now / equity at the scope's start - 1 */
  /* Daily returns of equity (UTC days, the current one so far), risk-free rate 0, annualized
   * with the square root of 365; 0 with fewer than two days. */
  double sharpe_ratio, sortino_ratio;
  double calmar_ratio; /* total_return * 365 / days, divided by max_drawdown; 0 without one */
  double exposure;     /* share of candle closes with a position open */
  int64_t days;        /* UTC days in the scope (1 in daily) */
  double best_day, worst_day; /* highest and lowest daily return */
  double buy_and_hold_return; /* the symbols held alike from the scope's first close to now */
} argo_stats_block;

/* How the out-structs grow (argo_stats, argo_engine_info, argo_catalog_entry): each starts with
 * struct_size, the size of the struct as the library filled it; members are only appended, so
 * a program built against an older header reads what it knows, and one built against a newer
 * header checks struct_size (offsetof(T, member) < struct_size) before reading a member the
 * library it runs with may not have. The structs they embed by value (argo_stats_block,
 * argo_symbol_block, argo_symbol_stats) and the value structs of strategy.h are frozen: new
 * figures come as new members of the out-struct that holds them. */
typedef struct argo_stats {
  uint32_t struct_size; /* sizeof(argo_stats) of the library that filled it */
  char id[32];          /* "run_1" */
  char session_id[40];  /* UUID, same in every day folder of one session */
  char date[16];        /* "2025-10-02", the day these stats are written for */
  int64_t session_start;
  int64_t last_updated; /* time of the last event recorded (market time) */
  const char *status;   /* "running", "finished", "stopped", "failed", "crashed_recovered" */
  const char *const *symbols;
  size_t nsymbols;
  const char *run_dir; /* the day's run folder */
  const char *strategy_id, *strategy_version, *strategy_name;
  argo_stats_block daily;      /* this day only */
  argo_stats_block cumulative; /* since session start */
  int64_t candles_day, candles_total;
  double equity; /* starting capital + cumulative total pnl */
} argo_stats;

/* One symbol's figures over a scope (the by_symbol list of stats.yaml's daily and cumulative
 * blocks; docs/statistics.md). Frozen, as argo_stats_block is (see argo_stats). */
typedef struct argo_symbol_block {
  int64_t fills;           /* fills of the symbol */
  int64_t round_trips;     /* closed pieces: entry to exit, matched FIFO */
  int64_t winning, losing; /* closing fills with pnl > 0 / < 0 */
  double win_rate;         /* winning / (winning + losing), 0 if none */
  double realized_pnl, unrealized_pnl, total_pnl, fees;
  double exposure;            /* share of the symbol's candle closes with a position open */
  double buy_and_hold_return; /* last close / first close of the scope - 1 */
} argo_symbol_block;

typedef struct argo_symbol_stats {
  const char *symbol;
  argo_symbol_block daily;      /* this day only */
  argo_symbol_block cumulative; /* since session start */
} argo_symbol_stats;

/* ---- engine ------------------------------------------------------------------------------ */

typedef struct argo_engine argo_engine;

typedef enum argo_engine_status {
  ARGO_STATUS_PREFETCHING = 0,
  ARGO_STATUS_GAP_FILLING = 1,
  ARGO_STATUS_RUNNING = 2,
  ARGO_STATUS_STOPPING = 3,
  ARGO_STATUS_STOPPED = 4
} argo_engine_status;

/* "prefetching", "gap_filling", "running", "stopping", "stopped". */
ARGO_API const char *argo_status_name(argo_engine_status status);

/* What on_engine_start reports. */
typedef struct argo_engine_info {
  uint32_t struct_size; /* sizeof(argo_engine_info) of the library that filled it */
  const char *const *symbols;
  size_t nsymbols;
  const char *interval;   /* "1m" */
  const char *run_dir;    /* "{data_output}/{date}/run_N" */
  const char *run_name;   /* "run_N" */
  const char *session_id; /* UUID */
  const char *data_output;
  const char *feed; /* "sim", "replay", "binance" */
  const char *strategy_name;
} argo_engine_info;

/* Callbacks; every member is optional (NULL). All are called on the thread running
 * argo_engine_run; pointers are borrowed for the call only. Order and fill callbacks and stats
 * updates are called only once what they report is durable on disk. */
typedef struct argo_callbacks {
  void (*on_engine_start)(argo_engine *eng, const argo_engine_info *info, void *user);
  /* status is ARGO_OK for a normal end (feed exhausted or stop requested). ARGO_EHUNG: a
   * strategy call did not return within engine.stop_grace of a stop request; the session was
   * ended without the engine thread (its files are final, stats.yaml says stopped and why), and
   * this callback comes from the engine's watchdog thread while the engine thread is still inside
   * the strategy. argo_engine_run returns ARGO_EHUNG if that call ever returns; the engine must
   * not be freed before. A program should end then (a thread stuck in a strategy cannot be
   * cancelled safely): argo run exits with 1. */
  void (*on_engine_stop)(argo_engine *eng, argo_err status, const char *message, void *user);
  void (*on_market_data)(argo_engine *eng, const argo_candle *candle, void *user);
  /* Every order, once recorded, including rejected ones (status REJECTED, reason set). */
  void (*on_order_placed)(argo_engine *eng, const argo_order *order, void *user);
  void (*on_order_filled)(argo_engine *eng, const argo_order *order, const argo_fill *fill,
                          void *user);
  /* A problem that did not stop the session (or the one that did, before on_engine_stop). A
   * strategy call that has run longer than engine.callback_warn is reported while it runs, from
   * the engine's watchdog thread (ARGO_EHUNG). Callbacks are never called at the same time. */
  void (*on_error)(argo_engine *eng, argo_err code, const char *message, void *user);
  /* The strategy returned an error for candle; the session goes on. */
  void (*on_strategy_error)(argo_engine *eng, const argo_candle *candle, const char *message,
                            void *user);
  void (*on_stats_update)(argo_engine *eng, const argo_stats *stats, void *user);
  void (*on_status_update)(argo_engine *eng, argo_engine_status status, void *user);
  /* An order changed status other than by a fill (cancelled, or a pending order rejected). */
  void (*on_order_updated)(argo_engine *eng, const argo_order *order, void *user);
  /* Progress of a history download: done and total in candles (total may be an estimate). */
  void (*on_prefetch_progress)(argo_engine *eng, const char *symbol, int64_t done, int64_t total,
                               void *user);
  /* At start, a run-day folder left by a crash was finalized from its journal (or a leftover
   * journal was removed); message says what was done. */
  void (*on_recovered)(argo_engine *eng, const char *run_dir, const char *message, void *user);
} argo_callbacks;

/* A market-data feed of the caller's own, in place of the config's market_data.feed (sim,
 * replay, binance): argo_engine_set_feed. Its candles go through the same checks as any feed's:
 * a candle of a symbol not in market_data.symbols or with a bad value is reported through
 * on_error and skipped; one whose time is not after its symbol's last stored candle is dropped.
 * It has no history (no prefetch, no gap fill). Every function is called on the thread running
 * argo_engine_run (close also from argo_engine_free). */
#define ARGO_FEED_CANDLE 1   /* next: *out holds a finalized candle */
#define ARGO_FEED_END 0      /* next: no more candles, the session ends normally */
#define ARGO_FEED_SKIP (-1)  /* next: a problem to report (err), the feed goes on */
#define ARGO_FEED_FATAL (-2) /* next: the feed cannot go on (err); the session ends with it */
/* next: no candle yet; the engine publishes and acknowledges what it holds, then calls next
 * again. A live feed returns this after waiting a little, at most about 100 ms, so that a stop
 * request and the files' freshness are not held up. */
#define ARGO_FEED_WAIT 3
typedef struct argo_feed {
  uint32_t struct_size; /* sizeof(argo_feed) */
  const char *name;     /* shown as the session's feed (on_engine_start); NULL: "custom" */
  /* Writes the next candle into *out (out->symbol valid until the next call) and returns one
   * of the ARGO_FEED_ codes; err (errlen bytes) takes the message of SKIP and FATAL. */
  int (*next)(void *user, argo_candle *out, char *err, size_t errlen);
  /* Optional: the session clock at start, which dates the first day folder (docs/design.md section
   * 2: the first candle's time for recorded data). NULL: the wall clock. */
  int64_t (*clock_start)(void *user);
  /* Optional: called once, when the engine is done with the feed (or is freed unrun). */
  void (*close)(void *user);
  void *user;
} argo_feed;

/* A broker of the caller's own, in place of the config's trading.broker (paper, binance):
 * argo_engine_set_broker. The engine keeps the order book (ids, open orders, every status
 * change and fill recorded and acknowledged as for its own brokers, each fill's pnl from FIFO
 * books); the broker executes orders and reports what became of them with argo_broker_report.
 * Every function is called on the thread running argo_engine_run (close also from
 * argo_engine_free). docs/brokers.md has an example. */
typedef enum argo_broker_event {
  /* The order is live where it executes; nothing changes in the files (it is PENDING since
   * place). Optional to report. */
  ARGO_BROKER_ACCEPTED = 0,
  ARGO_BROKER_REJECTED = 1,         /* refused: status REJECTED; the reason says why */
  ARGO_BROKER_PARTIALLY_FILLED = 2, /* a fill; the order stays PENDING */
  ARGO_BROKER_FILLED = 3,           /* the fill that completes the order: status FILLED */
  ARGO_BROKER_CANCELLED = 4,        /* status CANCELLED */
  ARGO_BROKER_EXPIRED = 5 /* ended by the venue: status CANCELLED, reason "expired: ..." */
} argo_broker_event;

/* What a report says beyond its event. */
typedef struct argo_broker_update {
  uint32_t struct_size; /* sizeof(argo_broker_update) */
  const char *reason;   /* REJECTED, CANCELLED, EXPIRED: why (NULL: a generic reason) */
  /* PARTIALLY_FILLED and FILLED: this fill (not the cumulated one). */
  double qty;                   /* > 0 */
  double price;                 /* > 0 */
  double commission;            /* >= 0, in the quote currency */
  const char *commission_asset; /* written to trades.commission_asset; NULL: empty */
  const char *trade_id;         /* the venue's id of the fill (trades.trade_id); NULL: empty */
  int64_t time;                 /* executed at (microseconds, UTC); 0: the session clock */
} argo_broker_update;

/* Where a broker reports (the engine's; given to open). */
typedef struct argo_broker_sink argo_broker_sink;

typedef struct argo_broker {
  uint32_t struct_size; /* sizeof(argo_broker) */
  const char *name;     /* shown as the session's broker; NULL: "custom" */
  /* Optional: called once before the first candle with the session's symbols (valid until
   * close) and the sink to report to (valid until close). Non-zero (message in err): the
   * session does not start. */
  int (*open)(void *user, const char *const *symbols, size_t nsymbols, argo_broker_sink *sink,
              char *err, size_t errlen);
  /* Optional: every live candle, before the strategy sees it (a simulated broker fills resting
   * orders here). */
  void (*on_candle)(void *user, const argo_candle *c);
  /* Required: executes order (checked: known symbol, positive quantity and limit price, valid
   * enums; its id is order->order_id, under which the broker reports). The order is durable as
   * PENDING before this call. Returns ARGO_S_OK (events follow, now or later) or
   * ARGO_S_REJECTED with the reason in err (the engine records the rejection). */
  int (*place)(void *user, const argo_order *order, char *err, size_t errlen);
  /* Required: asks for order_id to be cancelled; the broker reports CANCELLED when it is.
   * ARGO_S_OK, ARGO_S_NOTFOUND or ARGO_S_STATE (err says why). */
  int (*cancel)(void *user, const char *order_id, char *err, size_t errlen);
  /* Optional: the account and a symbol's position as the broker sees them. NULL: the engine's
   * own, from trading.capital and the fills reported. */
  void (*account)(void *user, argo_account *out);
  int (*position)(void *user, const char *symbol, argo_position *out);
  /* Optional: called on the engine thread after every candle, while the feed waits, and soon
   * after argo_broker_wake: a broker whose news comes from another thread reports it here. */
  void (*poll)(void *user);
  /* Optional: called once, when the engine is done with the broker (or is freed unrun). */
  void (*close)(void *user);
  void *user;
} argo_broker;

/* Reports what became of order order_id (an id given to place, still open). On the engine
 * thread only: from inside one of the broker's functions. ARGO_OK; ARGO_ENOTFOUND (no such open
 * order), ARGO_EINVAL (a fill without a positive quantity and price, or more than the order's
 * quantity; a bad event), with the reason reported through on_error as well. */
ARGO_API argo_err argo_broker_report(argo_broker_sink *sink, const char *order_id,
                                     argo_broker_event event, const argo_broker_update *update,
                                     size_t size);
/* Any thread, async-signal-safe: makes the engine call the broker's poll soon. */
ARGO_API void argo_broker_wake(argo_broker_sink *sink);

ARGO_API argo_err argo_engine_new(argo_engine **out);
ARGO_API void argo_engine_free(argo_engine *eng);

/* Takes a copy of cfg: feed, broker, strategy, data output path and every engine setting. */
ARGO_API argo_err argo_engine_init(argo_engine *eng, const argo_config *cfg);
/* Overrides the strategy of the config: a builtin name ("ma_cross") or a path to a plugin
 * (".so"). config is a JSON object as text, or NULL for "{}". The plugin is loaded and checked
 * now; ARGO_EPLUGIN or ARGO_ENOTFOUND with a message naming the file otherwise. */
ARGO_API argo_err argo_engine_load_strategy(argo_engine *eng, const char *name_or_path,
                                            const char *config);
/* Overrides the strategy of the config with a table of the caller's own, compiled into the
 * program (no plugin file): checked as a plugin's is (abi_version, struct_size, the required
 * members); copied, so the table itself need not outlive the call (the functions and strings
 * it points to must outlive the engine). config as for argo_engine_load_strategy. */
ARGO_API argo_err argo_engine_set_strategy(argo_engine *eng, const argo_strategy *strategy,
                                           const char *config);
/* Overrides the data output path of the config. */
ARGO_API argo_err argo_engine_set_data_output(argo_engine *eng, const char *path);
/* Uses feed (copied: min(size, sizeof(argo_feed)) bytes; its user pointer is borrowed until the
 * feed's close) instead of the config's market_data.feed. The config still gives the symbols
 * (market_data.symbols, every symbol the feed may send) and the interval. Before run only. */
ARGO_API argo_err argo_engine_set_feed(argo_engine *eng, const argo_feed *feed, size_t size);
/* Uses broker (copied: min(size, sizeof(argo_broker)) bytes; its user pointer is borrowed until
 * the broker's close) instead of the config's trading.broker. place and cancel are required
 * (ARGO_EINVAL otherwise). Before run only. */
ARGO_API argo_err argo_engine_set_broker(argo_engine *eng, const argo_broker *broker, size_t size);
/* Copies min(size, sizeof(argo_callbacks)) bytes of cb; pass sizeof *cb. */
ARGO_API argo_err argo_engine_set_callbacks(argo_engine *eng, const argo_callbacks *cb, size_t size,
                                            void *user);
/* Runs the session until the feed ends or argo_engine_stop is called; blocks. Returns ARGO_OK
 * for a clean end; otherwise the error that ended the session (the files hold everything
 * acknowledged, and stats.yaml is final). An engine runs once. */
ARGO_API argo_err argo_engine_run(argo_engine *eng);
/* Asks a running engine to stop after the candle in hand. Thread-safe, async-signal-safe. The
 * session's last day then ends with status "stopped" (docs/statistics.md). */
ARGO_API void argo_engine_stop(argo_engine *eng);
/* The same, saying why: reason is written as the day's stop_reason (the first reason given
 * wins). reason is borrowed until argo_engine_run returns (a string literal in a signal
 * handler). Thread-safe, async-signal-safe. */
ARGO_API void argo_engine_stop_because(argo_engine *eng, const char *reason);
/* The last error's message; never NULL. */
ARGO_API const char *argo_engine_errmsg(const argo_engine *eng);
/* Copies the latest statistics into out (min(size, sizeof(argo_stats)) bytes; pass sizeof *out;
 * out->struct_size says how many were written); valid during and after run. */
ARGO_API argo_err argo_engine_get_stats(argo_engine *eng, argo_stats *out, size_t size);

/* ---- recovery ---------------------------------------------------------------------------- */

/* Called once per run-day folder that recovery touched: status ARGO_OK when it was finalized
 * (or its leftover journal removed), otherwise the error, with a message naming the file. */
typedef void (*argo_recover_fn)(const char *run_dir, argo_err status, const char *message,
                                void *user);
/* Finalizes every run-day folder under data_output that ends in a crash (a journal left behind,
 * no finished status): its Parquet files and stats.yaml are rebuilt from the journal to hold
 * every journaled row, stats.yaml says status: crashed_recovered, then the journal is removed.
 * Idempotent. Unreadable Parquet files are moved aside (".corrupt"), never overwritten.
 * *recovered (may be NULL) receives how many folders were finalized. Returns ARGO_OK when every
 * folder that needed it was finalized cleanly, ARGO_EINVAL when data_output is not a folder,
 * otherwise the first folder's error (ARGO_ECORRUPT: finalized, but its journal was damaged;
 * each folder is reported through fn). An engine does this by itself at start. */
ARGO_API argo_err argo_recover(const char *data_output, argo_recover_fn fn, void *user,
                               int *recovered);

/* ---- strategies -------------------------------------------------------------------------- */

/* The i-th builtin strategy, NULL past the end. */
ARGO_API const argo_strategy *argo_strategy_builtin_at(size_t i);

/* A strategy looked up by its builtin name or loaded from its plugin file and checked, as
 * argo_engine_load_strategy does, to read its table (name, id, version, description,
 * config_schema; argo strategies FILE.so). On error *out is still a handle holding the message
 * (read it with argo_strategy_def_errmsg, then close it), unless it is ARGO_ENOMEM, where *out
 * may be NULL: ARGO_ENOTFOUND for an unknown name, ARGO_EPLUGIN for a file that is no plugin of
 * this ABI. */
typedef struct argo_strategy_def argo_strategy_def;
ARGO_API argo_err argo_strategy_def_open(argo_strategy_def **out, const char *name_or_path);
/* The strategy's table; borrowed until argo_strategy_def_close (a plugin stays loaded until
 * then). NULL when the open failed. */
ARGO_API const argo_strategy *argo_strategy_def_table(const argo_strategy_def *def);
/* The last error's message, one line; never NULL. */
ARGO_API const char *argo_strategy_def_errmsg(const argo_strategy_def *def);
ARGO_API void argo_strategy_def_close(argo_strategy_def *def);

/* ---- looking at sessions ------------------------------------------------------------------ */

/* A catalog: every {date}/run_N folder under a data output path, with its stats.yaml read, newest
 * first (latest date first, then highest run number). It is a snapshot taken when it is opened.
 * Reading never writes, takes no lock a running session needs, and opens only published files
 * (stats.yaml and the Parquet files, which sessions replace by atomic rename), never a journal or
 * a temporary file, so it is safe while sessions are running. A run folder without a readable
 * stats.yaml (a session that has not yet processed its first candle, or a damaged file) is left
 * out of the list and described by argo_catalog_skipped_at (argo_query_open still reads its
 * Parquet files).
 *
 * Threads: a catalog, and the queries made from it, are used by one thread at a time; separate
 * handles may be used from separate threads. */
typedef struct argo_catalog argo_catalog;

/* One day folder of one session. Every pointer is owned by the catalog (valid until
 * argo_catalog_close). */
typedef struct argo_catalog_entry {
  uint32_t struct_size;      /* sizeof(argo_catalog_entry) of the library that filled it */
  const char *run_dir;       /* "{data_output}/{date}/run_N", as found on disk */
  const char *date;          /* "2025-10-02": the day folder's name */
  const char *run;           /* "run_1": the run folder's name */
  int run_number;            /* 1 */
  const argo_stats *stats;   /* the folder's stats.yaml (stats->run_dir is run_dir) */
  const char *interval;      /* candle interval ("1m"), or NULL when stats.yaml does not say */
  const char *run_collision; /* NULL, or why this day's run number is not the session's */
  const char *resumed_from;  /* NULL, or the day folder the session resumed from */
  /* The folder's status as seen now: stats.status, except "crashed" when stats.yaml says
   * "running" but no process holds the folder's lock (its session died and the folder was not
   * recovered yet). Found without taking any lock, from the kernel's list of locks
   * (/proc/locks); where that list cannot be read, stats.status is kept. */
  const char *status;
  /* With status "crashed": 1 when the folder holds a journal, so that argo_recover (argo
   * recover, or the next session started on this data output) can finalize it; 0 when there is
   * nothing to recover it from (its files hold what was published). */
  int recoverable;
  /* NULL, or how the session ended when it did not simply finish (stats.yaml stop_reason):
   * "stopped on request ...", "failed: <the error>", why a crash left it, ... */
  const char *stop_reason;
  /* 1 when recovery found the folder's journal damaged (stats.yaml journal_damage): rows it
   * lacked were taken from the published files, the journal was kept as .journal.corrupt. */
  int journal_damaged;
  /* Each symbol's figures (stats.yaml by_symbol), in the order of stats.symbols; none (NULL, 0)
   * in a stats.yaml written before they were. */
  const argo_symbol_stats *by_symbol;
  size_t nby_symbol;
  /* When the session started by the machine's clock (stats.yaml started_at), 0 when its
   * stats.yaml does not say (written before it did): which session is "latest". */
  int64_t started_at;
} argo_catalog_entry;

/* Lists data_output. ARGO_ENOTFOUND when data_output is not a folder (an empty folder is fine:
 * no entries). On error *out is still a handle holding the message (read it with
 * argo_catalog_errmsg, then close it), unless it is ARGO_ENOMEM, where *out may be NULL. */
ARGO_API argo_err argo_catalog_open(argo_catalog **out, const char *data_output);
ARGO_API void argo_catalog_close(argo_catalog *cat);
/* The last error's message, one line; never NULL. */
ARGO_API const char *argo_catalog_errmsg(const argo_catalog *cat);
/* The data output path the catalog was opened on. */
ARGO_API const char *argo_catalog_path(const argo_catalog *cat);
ARGO_API size_t argo_catalog_count(const argo_catalog *cat);
/* The i-th day folder, newest first; NULL past the end. Borrowed until argo_catalog_close. */
ARGO_API const argo_catalog_entry *argo_catalog_at(const argo_catalog *cat, size_t i);
ARGO_API size_t argo_catalog_skipped_count(const argo_catalog *cat);
/* Why the i-th left-out folder was left out, one line: "2025-10-03/run_2: no stats.yaml yet",
 * or "2025-10-03/run_2: its stats.yaml is unreadable: ..." naming the file. */
ARGO_API const char *argo_catalog_skipped_at(const argo_catalog *cat, size_t i);
/* Resolves a RUN name into day folders, oldest first:
 *   "2025-10-03/run_1"  that day folder;
 *   a session id        every day folder of that session (a unique prefix of at least 8
 *                       characters is enough: the order ids carry the first 8);
 *   "latest"            every day folder of the most recently started session (by the
 *                       machine's clock, started_at; for sessions recorded before argo wrote
 *                       it, when the stats.yaml of their first day folder was written).
 * *entries is owned by the catalog and valid until the next resolve or argo_catalog_close.
 * ARGO_EINVAL for a name of none of these forms, ARGO_ENOTFOUND for one that names nothing
 * recorded, ARGO_ECORRUPT for a DATE/run_N whose stats.yaml is unreadable; the message says
 * which. */
ARGO_API argo_err argo_catalog_resolve(argo_catalog *cat, const char *run,
                                       const argo_catalog_entry *const **entries, size_t *n);

/* SQL over the recorded sessions, in an in-memory DuckDB database of its own. It has the views
 *   orders, trades, market_data, marks, logs   the Parquet files of every day folder (union by
 *                                              column name), each row with date (DATE), run
 *                                              and session_id first, then the file's columns;
 *   stats                                      one row per day folder from stats.yaml: date, run,
 *                                              session_id, status, ..., then daily_<figure>
 *                                              and cumulative_<figure> for every figure;
 *   round_trips                                each entry to its exit, the fills paired FIFO
 *                                              per session, symbol and side (docs/inspect.md).
 * The views read the files at each query, so a running session's latest published rows are
 * seen; the day folders themselves are the ones listed when the query was opened. */
typedef struct argo_query argo_query;

typedef enum argo_query_format {
  ARGO_QUERY_TABLE = 0, /* aligned text with a header line, numbers right-aligned */
  ARGO_QUERY_CSV = 1,   /* RFC 4180: header line, fields quoted when needed, NULL empty */
  ARGO_QUERY_JSON = 2   /* one JSON array of objects, one object per line; TIMESTAMP as
                           "2025-10-01T09:00:00Z", DATE as "2025-10-01", NULL as null */
} argo_query_format;

/* Receives output text; returns 0 to go on, non-zero to stop (the call then fails, ARGO_EIO). */
typedef int (*argo_write_fn)(const char *data, size_t len, void *user);

/* Opens a query database over the day folders of cat that run names (argo_catalog_resolve), or
 * over every day folder when run is NULL. cat is borrowed for the call only. On error *out is
 * still a handle holding the message (see argo_catalog_open); ARGO_EINVAL / ARGO_ENOTFOUND for a
 * bad run name, ARGO_EDB when DuckDB fails. */
ARGO_API argo_err argo_query_open(argo_query **out, argo_catalog *cat, const char *run);
ARGO_API void argo_query_close(argo_query *q);
/* Runs sql (one statement, or several separated by ';', which run in order) and writes the last
 * statement's result through write. ARGO_EDB for bad SQL or a statement that fails (the message
 * is DuckDB's, on one line; the statements before it have run, the ones after it have not, and
 * nothing is written), ARGO_EIO when write stops. */
ARGO_API argo_err argo_query_run(argo_query *q, const char *sql, argo_query_format format,
                                 argo_write_fn write, void *user);
/* The last error's message, one line; never NULL. */
ARGO_API const char *argo_query_errmsg(const argo_query *q);

/* Writes an HTML report of the day folders that run names (argo_catalog_resolve) to path: one
 * self-contained file (inline CSS and JavaScript, data embedded as JSON, nothing fetched when it
 * is viewed) with the candlesticks of each symbol with its fills and marks, the equity (and
 * buy-and-hold) and drawdown curves, the statistics of each day and of the session, each
 * symbol's figures, the round trips and the fills (docs/inspect.md). The equity curve is
 * recomputed from the session's files (fills and candle closes from its first day on, through
 * the same statistics code as the engine), sampled once per candle. path is a file the user
 * names (argo_output_write: a regular file or a new one, a symbolic link written at its target;
 * a folder, pipe or device refused, checked before any work): the page is written to a
 * temporary file beside it, fsynced and renamed over it. Errors (with the message on cat):
 * ARGO_EINVAL / ARGO_ENOTFOUND for a bad run name or a refused path, ARGO_EDB when a file cannot
 * be read, ARGO_EIO when path cannot be written. */
ARGO_API argo_err argo_report_write(argo_catalog *cat, const char *run, const char *path);
/* The same page, written through write instead of to a file (standard output, a socket ...).
 * ARGO_EIO when write stops. */
ARGO_API argo_err argo_report_render(argo_catalog *cat, const char *run, argo_write_fn write,
                                     void *user);

/* ---- messages ---------------------------------------------------------------------------- */

/* Copies text into out (cap bytes, always terminated, cut if it does not fit) with the secrets of
 * every URL in it masked: the user information (in "http://user:password@host", what comes
 * before the '@') and the values of query and fragment parameters whose names look like secrets
 * (token, key, apikey, api_key, secret, signature, password, passwd, auth, access_token and the
 * like, in any case: "?token=***") become "***". Masking happens before cutting, so out never holds
 * part of a secret. The Binance feed's messages come masked already; the argo tool masks every
 * line it prints on standard error and every events line. Returns out. */
ARGO_API char *argo_mask_urls(const char *text, char *out, size_t cap);

/* ---- files a user names ------------------------------------------------------------------ */

/* How argo writes a file that a user names (argo_report_write's path; in the argo tool also
 * --events FILE and man --output FILE), as opposed to its own files under the data output: path
 * must name a regular file, or nothing yet in an existing folder. A symbolic link is followed
 * and the file it names is written, so the link stays a link (a dangling link's target is
 * created). A folder, a named pipe (FIFO), a device or a socket is refused with a message naming
 * path and what it is: a file written by atomic replace would take its place, and a pipe without
 * a reader would block. A file of argo's record in a run folder (stats.yaml, a Parquet file, the
 * journal, the lock, a temporary file) is refused too: a report written over trades.parquet
 * would destroy published rows. Standard output, a pipe or a device is the caller's to write
 * through a descriptor it holds (the argo tool's "-").
 *
 * Each returns ARGO_EINVAL when path is refused (no name, a name ending in '/', not a regular
 * file), ARGO_ENOTFOUND when its folder does not exist, ARGO_EIO when it cannot be looked at or
 * written, and writes one line naming path into msg (msglen bytes; msg may be NULL). */
/* Checks path without creating or changing anything. */
ARGO_API argo_err argo_output_check(const char *path, char *msg, size_t msglen);
/* Checks path and opens the file to be written in place, as output is produced (created with
 * mode 0644 less the umask, or truncated); *fd is close-on-exec and the caller closes it. */
ARGO_API argo_err argo_output_open(const char *path, int *fd, char *msg, size_t msglen);
/* Checks path and replaces the file with the len bytes of data atomically: a temporary file
 * beside it, fsync, rename, fsync of the folder; a file that was there keeps its permission
 * bits, and a reader never sees a half-written file. */
ARGO_API argo_err argo_output_write(const char *path, const void *data, size_t len, char *msg,
                                    size_t msglen);

/* ---- the process -------------------------------------------------------------------------- */

/* What argo keeps for the life of the process: when an engine is freed, its emptied DuckDB
 * database is kept for the next engine of the process (DuckDB's start costs more than a short
 * session), one at a time. This releases it. Call it once no engine, catalog or query of argo is
 * in use (before the program exits, or to give the memory back); argo works again after it. */
ARGO_API void argo_library_shutdown(void);

/* argo never changes the process-wide settings of the libraries it runs on: libwebsockets (the
 * Binance feed's streams) prints its own errors and warnings on standard error, as it does by
 * default. A program that wants them elsewhere passes fn (library "libwebsockets", level
 * ARGO_LOG_ERROR or ARGO_LOG_WARNING, one line); fn NULL silences them. This sets
 * libwebsockets' process-wide log setting, so a program that uses libwebsockets itself may
 * prefer not to call it. fn is called on any thread, one call at a time. */
typedef void (*argo_library_log_fn)(const char *library, int level, const char *line, void *user);
ARGO_API void argo_library_logs(argo_library_log_fn fn, void *user);

#ifdef __cplusplus
}
#endif

#endif /* ARGO_ARGO_H */
