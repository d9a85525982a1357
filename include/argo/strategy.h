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
