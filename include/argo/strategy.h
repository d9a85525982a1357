/*
 * argo strategy plugin ABI.
 *
 * This is the only header a strategy author includes. A strategy is a table of functions
 * (argo_strategy) that the plugin fills in; the engine hands the strategy a table of host
 * functions (argo_host_api) through which it trades, reads market data, marks charts, logs
 * and keeps a small key/value cache. A plugin is a shared object exporting
 *
 *     const argo_strategy *argo_strategy_entry(void);
 *
 * and it needs neither libargo nor any other header of argo to build:
 *
 *     cc -shared -fPIC -I include -o my.so my.c
 *
 * Compatibility rules (like SQLite's sqlite3_module): both tables start with abi_version and
 * struct_size. The host checks that the plugin's abi_version equals ARGO_STRATEGY_ABI_VERSION
 * and that struct_size is at least the size of the version-1 table. New members of the two
 * tables are only ever appended; a plugin built against an older header keeps working and a
 * reader checks struct_size before touching a member added later.
 *
 * The value structs are frozen: argo_candle, argo_order, argo_fill, argo_position, argo_account,
 * argo_order_request, argo_mark and argo_kv never change their layout, because the host fills
 * arrays of them that the plugin allocates (get_positions, get_open_orders, recent_candles) and
 * reads those the plugin fills. What they lack would come as a new struct with new host
 * functions appended to argo_host_api, never as a new member.
 *
 * Threads: every strategy function and every host function is called on the engine thread (the
 * thread running argo_engine_run). Host functions must not be called from other threads.
 *
 * Lifetimes: what the host passes in (a candle, an order, a fill, their strings) is borrowed for
 * the duration of the call only; copy what you keep. In what a host function writes into the
 * plugin's memory, the symbol strings (argo_candle.symbol, argo_order.symbol,
 * argo_position.symbol) are the session's own and stay valid until the strategy is destroyed;
 * argo_order.strategy_name likewise; argo_order.reason is valid until the next host call.
 */
#ifndef ARGO_STRATEGY_H
#define ARGO_STRATEGY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ARGO_STRATEGY_ABI_VERSION 1u

/* Symbol exported by a plugin; see argo_strategy_entry_fn. */
#define ARGO_STRATEGY_ENTRY_SYMBOL "argo_strategy_entry"

/* Buffer sizes, including the terminating NUL. */
#define ARGO_ID_MAX 48
#define ARGO_SYMBOL_MAX 32

/* Return codes of host functions and of strategy functions. 0 is success, negative is failure;
 * after a failure the host's last_error() describes it. */
#define ARGO_S_OK 0
#define ARGO_S_EINVAL (-1)   /* an argument is missing, NaN, not positive, or malformed */
#define ARGO_S_REJECTED (-2) /* the order was recorded with status REJECTED; see last_error */
#define ARGO_S_NOTFOUND (-3) /* no such order, symbol or cache key */
#define ARGO_S_TOOSMALL (-4) /* the caller's buffer is too small (the result is truncated) */
#define ARGO_S_STATE (-5)    /* not allowed now (for example an order on a cancelled order) */
#define ARGO_S_ERROR (-6)    /* anything else, for example a failure returned by a strategy */

/* Time is int64_t microseconds since the Unix epoch, UTC, everywhere. */

typedef enum argo_side { ARGO_SIDE_BUY = 0, ARGO_SIDE_SELL = 1 } argo_side;

typedef enum argo_order_type { ARGO_ORDER_MARKET = 0, ARGO_ORDER_LIMIT = 1 } argo_order_type;

/* LONG: BUY opens or adds, SELL reduces. SHORT: SELL opens or adds, BUY reduces. */
typedef enum argo_position_type {
  ARGO_POSITION_LONG = 0,
  ARGO_POSITION_SHORT = 1
} argo_position_type;

typedef enum argo_order_status {
  ARGO_ORDER_PENDING = 0,
  ARGO_ORDER_FILLED = 1,
  ARGO_ORDER_CANCELLED = 2,
  ARGO_ORDER_REJECTED = 3,
  ARGO_ORDER_FAILED = 4
} argo_order_status;

typedef enum argo_log_level {
  ARGO_LOG_DEBUG = 0,
  ARGO_LOG_INFO = 1,
  ARGO_LOG_WARNING = 2,
  ARGO_LOG_ERROR = 3
} argo_log_level;

/* One finalized candle of one symbol; time is the candle's open time. */
typedef struct argo_candle {
  const char *symbol;
  int64_t time;
  double open, high, low, close, volume;
} argo_candle;

/* An order as the broker holds it (one row of orders.parquet). */
typedef struct argo_order {
  char order_id[ARGO_ID_MAX];
  const char *symbol;
  argo_side side;
  argo_order_type type;
  argo_position_type position_type;
  double quantity;
  double price; /* limit price; for a market order the reference price (last close) at placement */
  int64_t timestamp; /* order time: the time of the candle on which it was placed */
  argo_order_status status;
  const char *strategy_name;
  const char *reason; /* why it was rejected or cancelled, "" otherwise; never NULL */
  double filled_qty;  /* quantity filled so far */
} argo_order;

/* One fill (one row of trades.parquet). */
typedef struct argo_fill {
  char order_id[ARGO_ID_MAX];
  const char *symbol;
  argo_side side;
  argo_position_type position_type;
  double quantity;     /* the order's quantity */
  double price;        /* the order's price */
  int64_t timestamp;   /* order time */
  int64_t executed_at; /* time of the candle on which the fill happened */
  double executed_qty;
  double executed_price;
  double commission;
  double
      pnl; /* realized by this fill, net of the fees of both legs pro rata; 0 for opening fills */
} argo_fill;

typedef struct argo_order_request {
  const char *symbol;
  argo_side side;
  argo_order_type type;
  argo_position_type position_type;
  double quantity;    /* > 0 */
  double limit_price; /* > 0 for LIMIT, ignored for MARKET */
} argo_order_request;

/* A position in one symbol: both books (long and short) are reported. */
typedef struct argo_position {
  const char *symbol;
  double long_qty, long_avg_price;   /* average entry price of the open long quantity */
  double short_qty, short_avg_price; /* average entry price of the open short quantity */
  double realized_pnl;               /* realized on this symbol since the session started */
  double unrealized_pnl; /* open quantity marked at the last close, net of unrealized entry fees */
  double fees;           /* commissions paid on this symbol */
  double last_price;     /* last close seen for this symbol, 0 if none */
} argo_position;

typedef struct argo_account {
  double balance;      /* cash */
  double equity;       /* cash + long market value - short market value */
  double buying_power; /* what a new order may commit, after reservations for pending orders */
  double realized_pnl;
  double unrealized_pnl;
  double total_fees;
} argo_account;

/* A mark on the chart. NULL fields take defaults: symbol = the current candle's, color "blue",
 * shape "circle" (circle/square/triangle), level "info" (info/warning/error), others "". */
typedef struct argo_mark {
  const char *symbol;
  const char *color;
  const char *shape;
  const char *level;
  const char *title;
  const char *message;
  const char *category;
  const char *signal_type;
} argo_mark;

typedef struct argo_kv {
  const char *key;
  const char *value;
} argo_kv;

/* Opaque: the host's state for one strategy instance. */
typedef struct argo_strategy_ctx argo_strategy_ctx;

/* Opaque: the rows of one SQL query (sql_query), owned by the host until sql_free. */
typedef struct argo_sql_rows argo_sql_rows;

/* Functions the engine gives the strategy. Version 1 members; later ones are appended.
 *
 * Every function checks its pointers: a NULL ctx, a NULL required argument, or a NULL buffer
 * with a positive capacity or count (get_positions(ctx, NULL, 100)) makes it fail with
 * ARGO_S_EINVAL (last_error says which argument), or, for the functions that return a count
 * (get_positions, get_open_orders, recent_candles), return 0 with last_error set. A NULL buffer
 * with a capacity of 0 is a valid call: get_positions(ctx, NULL, 0) returns the count. */
typedef struct argo_host_api {
  uint32_t abi_version;
  uint32_t struct_size;

  /* Places an order. order_id_out (ARGO_ID_MAX bytes, may be NULL) receives the id of the
   * recorded order, also when the order is rejected (ARGO_S_REJECTED). */
  int (*place_order)(argo_strategy_ctx *ctx, const argo_order_request *req, char *order_id_out);
  /* Places n orders in order; stops at the first one that cannot be recorded (ARGO_S_EINVAL);
   * rejected orders are recorded and do not stop the others. ids_out may be NULL. Returns
   * ARGO_S_OK if every order was accepted, else the first failure's code. */
  int (*place_orders)(argo_strategy_ctx *ctx, const argo_order_request *reqs, size_t n,
                      char (*ids_out)[ARGO_ID_MAX]);
  int (*cancel_order)(argo_strategy_ctx *ctx, const char *order_id);
  /* Cancels every pending order, of one symbol or (symbol NULL) of all. Returns the count. */
  int (*cancel_all)(argo_strategy_ctx *ctx, const char *symbol);

  /* The position in symbol (zeros if none); ARGO_S_NOTFOUND if the session does not trade it. */
  int (*get_position)(argo_strategy_ctx *ctx, const char *symbol, argo_position *out);
  /* Writes up to cap positions (one per session symbol) and returns how many there are. */
  size_t (*get_positions)(argo_strategy_ctx *ctx, argo_position *out, size_t cap);
  int (*get_account)(argo_strategy_ctx *ctx, argo_account *out);
  /* Writes up to cap pending orders, oldest first, and returns how many there are. */
  size_t (*get_open_orders)(argo_strategy_ctx *ctx, argo_order *out, size_t cap);

  /* Writes the last n (at most) candles of symbol, oldest first, the current one included, and
   * returns how many were written. The engine keeps a window per symbol (engine.candle_window). */
  size_t (*recent_candles)(argo_strategy_ctx *ctx, const char *symbol, argo_candle *out, size_t n);

  int (*mark)(argo_strategy_ctx *ctx, const argo_mark *mark);
  int (*log)(argo_strategy_ctx *ctx, argo_log_level level, const char *message,
             const argo_kv *fields, size_t nfields);

  /* Small in-memory key/value cache for the strategy's own state. cache_get copies the value
   * into buf (cap bytes) and returns its length, ARGO_S_NOTFOUND, or ARGO_S_TOOSMALL. */
  int (*cache_get)(argo_strategy_ctx *ctx, const char *key, char *buf, size_t cap);
  int (*cache_set)(argo_strategy_ctx *ctx, const char *key, const char *value);

  /* Message of the last failed host call, "" if none. Valid until the next host call. */
  const char *(*last_error)(argo_strategy_ctx *ctx);
  /* Sets the message that goes with a failure the strategy is about to return. */
  void (*set_error)(argo_strategy_ctx *ctx, const char *message);

  /* Reads the strategy's configuration (a JSON object; dotted keys reach nested objects). */
  double (*config_number)(argo_strategy_ctx *ctx, const char *key, double dflt);
  /* The returned string is valid until the strategy is destroyed. */
  const char *(*config_string)(argo_strategy_ctx *ctx, const char *key, const char *dflt);

  /* Time of the candle being processed (0 before the first). */
  int64_t (*now)(argo_strategy_ctx *ctx);

  /* ---- Appended after version 1's first members: check struct_size before use ------------
   *
   * Indicators: TA-Lib (https://ta-lib.org, BSD licence), on a symbol's window of recent
   * candles (engine.candle_window, the current candle included). docs/strategies.md has the
   * details and an example. They may be called from initialize on (then over the warm-up
   * candles the window holds), and return ARGO_S_STATE, with NaN outputs and last_error saying
   * how many candles are needed, while the window holds too few. A symbol the session does not
   * trade gives ARGO_S_NOTFOUND; a period outside TA-Lib's range ARGO_S_EINVAL. */

  /* Any TA-Lib function by name ("MACD", "CDLENGULFING", "ADX"; any case), computed over the
   * last `window` candles of symbol (0: every candle the window holds). Its real-series inputs
   * read the prices named in `inputs`, one per input, comma-separated ("high,low"; NULL or
   * missing ones: "close"); its price inputs read what the function declares. options are its
   * optional inputs in TA-Lib's order (ta_info lists them); fewer than it has, or NaN, take
   * TA-Lib's defaults. It writes the last nlast (0: 1) values of each output, oldest first,
   * output k's at out[k * nlast .. k * nlast + nlast), NaN where the function has no value yet
   * (its lookback); integer outputs (candle patterns) as doubles. cap is out's size in doubles
   * (ARGO_S_TOOSMALL below outputs x nlast). ARGO_S_STATE when the newest value is not defined.
   * Cost: O(window): the candles are copied into columns and TA-Lib runs over all of them
   * (about 2 to 10 ns a candle per output, plus under a microsecond of fixed cost); pass the
   * smallest window that gives the value you need, or use the shortcuts below. */
  int (*ta_call)(argo_strategy_ctx *ctx, const char *function, const char *symbol,
                 const char *inputs, const double *options, size_t noptions, size_t window,
                 size_t nlast, double *out, size_t cap);
  /* TA-Lib's description of a function as JSON (name, group, hint, inputs, options with their
   * defaults and ranges, outputs), or with function NULL a JSON array of every function's
   * name. Copies it into buf (cap bytes) and returns its length, as cache_get does. */
  int (*ta_info)(argo_strategy_ctx *ctx, const char *function, char *buf, size_t cap);

  /* Typed shortcuts, at the newest candle of symbol, over its closes (ATR: high, low, close).
   * SMA and BBANDS are TA-Lib's functions run on the last `period` candles: O(period). EMA,
   * RSI, MACD and ATR depend on every earlier candle: the host keeps each (symbol, parameters)
   * as a series, first computed over every candle the window holds when it is first asked for,
   * then taken one candle further per candle with TA-Lib's own recurrence, so each value equals
   * TA-Lib's function over the same candles, at O(1) a candle (tens of nanoseconds; a series
   * not asked for during more candles than the window holds starts again from the window).
   * Output pointers may be NULL when a value is not wanted. */
  int (*ta_sma)(argo_strategy_ctx *ctx, const char *symbol, int period, double *out);
  int (*ta_ema)(argo_strategy_ctx *ctx, const char *symbol, int period, double *out);
  /* Wilder's RSI, 0 to 100. */
  int (*ta_rsi)(argo_strategy_ctx *ctx, const char *symbol, int period, double *out);
  /* MACD line (EMA(fast) - EMA(slow)), its signal line (EMA(signal) of it) and their
   * difference; TA-Lib swaps fast and slow when slow < fast. Periods from 2 (TA-Lib's own
   * MACD is wrong with a signal period of 1). */
  int (*ta_macd)(argo_strategy_ctx *ctx, const char *symbol, int fast, int slow, int signal,
                 double *macd, double *macd_signal, double *hist);
  /* Bollinger Bands: SMA(period) plus and minus nbdev_up / nbdev_down population standard
   * deviations. */
  int (*ta_bbands)(argo_strategy_ctx *ctx, const char *symbol, int period, double nbdev_up,
                   double nbdev_down, double *upper, double *middle, double *lower);
  /* Wilder's Average True Range. */
  int (*ta_atr)(argo_strategy_ctx *ctx, const char *symbol, int period, double *out);

  /* SQL over the stored record: one read-only SELECT (or WITH ... SELECT) run by DuckDB over
   * this data output's files, through the same views as `argo query` (orders, trades,
   * market_data, marks, logs, stats; docs/inspect.md): earlier runs and days, and this
   * session's rows as last published (engine.publish_interval behind the candle in hand, which
   * recent_candles has). Allowed in initialize and on_candle, warm-up candles included
   * (ARGO_S_STATE elsewhere: on_order_update, on_stop, create, destroy). Values
   * go in as parameters $1..$n (params, text that DuckDB casts to the type the statement needs;
   * write $1::TIMESTAMP where it cannot tell), never pasted into the SQL. The host opens one
   * DuckDB connection for the strategy at the first query (tens of milliseconds) and keeps it
   * (one at a time: when the session adds a day folder, the next query closes it and opens
   * another, whose views list the new folder);
   * each query then costs what DuckDB takes to read the files it touches (a millisecond or
   * more), on the engine thread: query in initialize, or now and then, not on every candle of
   * a fast session. *out receives the rows (all of them, copied out of DuckDB), owned by the
   * host until sql_free or the strategy's destruction. A failed query gives ARGO_S_ERROR
   * (DuckDB's message in last_error), one that is not a single SELECT ARGO_S_EINVAL. */
  int (*sql_query)(argo_strategy_ctx *ctx, const char *sql, const char *const *params,
                   size_t nparams, argo_sql_rows **out);
  void (*sql_free)(argo_strategy_ctx *ctx, argo_sql_rows *rows);
  /* The accessors read rows without a ctx; a NULL rows or a row or column out of range reads
   * as 0 rows / NULL. Times (TIMESTAMPTZ, TIMESTAMP, DATE) read as microseconds since the epoch
   * through sql_int64 and sql_double. */
  size_t (*sql_row_count)(const argo_sql_rows *rows);
  size_t (*sql_column_count)(const argo_sql_rows *rows);
  const char *(*sql_column_name)(const argo_sql_rows *rows, size_t col);
  int (*sql_is_null)(const argo_sql_rows *rows, size_t row, size_t col);
  /* A number (NaN for NULL or text that is not a number). */
  double (*sql_double)(const argo_sql_rows *rows, size_t row, size_t col);
  /* A whole number (0 for NULL; a fraction is cut toward zero). */
  int64_t (*sql_int64)(const argo_sql_rows *rows, size_t row, size_t col);
  /* The value as text (NULL for NULL), valid until sql_free. */
  const char *(*sql_text)(const argo_sql_rows *rows, size_t row, size_t col);
} argo_host_api;

/* The table a strategy fills in. Version 1 members; later ones are appended. */
typedef struct argo_strategy {
  uint32_t abi_version; /* ARGO_STRATEGY_ABI_VERSION */
  uint32_t struct_size; /* sizeof(argo_strategy) */
  const char *name;
  const char *id;      /* reverse-domain identifier, e.g. "org.argo.ma_cross" */
  const char *version; /* e.g. "1.0.0" */
  const char *description;
  const char *config_schema; /* JSON Schema of the configuration, as text */

  /* Creates an instance. host and ctx stay valid until destroy. NULL means failure. */
  void *(*create)(const argo_host_api *host, argo_strategy_ctx *ctx);
  void (*destroy)(void *self);
  /* config is a JSON object as text ("{}" when none was given). Non-zero = failure: the
   * session does not start and the message set with set_error is shown. */
  int (*initialize)(void *self, const char *config);
  /* Called once per finalized candle. Non-zero = failure: reported through on_strategy_error,
   * and the session goes on. */
  int (*on_candle)(void *self, const argo_candle *candle);

  /* Optional (may be NULL): an order changed status; fill is non-NULL for a fill. */
  void (*on_order_update)(void *self, const argo_order *order, const argo_fill *fill);
  /* Optional: the session is ending (after the last candle). */
  void (*on_stop)(void *self);
  /* Optional: how many past candles per symbol the strategy needs before its signals are valid
   * (used to warm the window from stored data on restart). */
  size_t (*warmup_candles)(void *self);
} argo_strategy;

typedef const argo_strategy *(*argo_strategy_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* ARGO_STRATEGY_H */
