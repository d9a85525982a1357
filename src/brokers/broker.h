/*
 * Paper broker: simulated account, orders and fills on the engine's candles. It owns the cash,
 * the FIFO books of every symbol (long and short), and the pending orders; it knows nothing of
 * files, DuckDB or callbacks: every order change and fill goes out through a sink, and the
 * engine records it.
 *
 * Fill rules (docs/broker.md):
 * - MARKET: filled at once at the last close of its symbol (the candle being processed), with
 *   slippage none. No price yet for the symbol: rejected.
 * - LIMIT BUY at L: if L >= last close it fills at once at the last close; otherwise it waits,
 *   and on each later candle of its symbol with low <= L it fills at min(L, open).
 * - LIMIT SELL at L: if L <= last close it fills at once at the last close; otherwise it waits,
 *   and on each later candle with high >= L it fills at max(L, open).
 * - LONG: BUY opens, SELL reduces; SHORT: SELL opens, BUY reduces. Reducing more than is open
 *   (counting pending reducing orders) is rejected ("insufficient position").
 * - Buying power = cash - 2 x short entry value - reservations of pending opening orders; an
 *   opening order needs qty x price + commission of buying power ("insufficient buying power").
 * - Rejections (recorded as REJECTED with the reason): quantity or price not positive or NaN,
 *   unknown symbol, insufficient buying power, insufficient position, no price yet.
 * - Commission models: zero; percentage (rate x notional, Binance style); per_share
 *   (max(minimum, per_share x qty), Interactive Brokers style).
 */
#ifndef ARGO_BROKER_H
#define ARGO_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

typedef enum argo__commission {
  ARGO_COMMISSION_ZERO = 0,
  ARGO_COMMISSION_PERCENTAGE = 1,
  ARGO_COMMISSION_PER_SHARE = 2
} argo__commission;

typedef struct argo__broker_cfg {
  double capital;
  argo__commission commission;
  double rate;               /* percentage model: fraction of notional (0.001 = 0.1 %) */
  double per_share;          /* per_share model */
  double minimum;            /* per_share model: minimum per order fill */
  const char *id_prefix;     /* order ids are "<prefix>-<n>" with n from 1 */
  const char *strategy_name; /* stored on every order */
} argo__broker_cfg;

/* Where order changes go. Pointers are borrowed for the call. */
typedef struct argo__broker_sink {
  /* An order was created (is_new = 1, status PENDING or REJECTED) or changed status other than
   * by a fill (CANCELLED, REJECTED, or FAILED when a fill could not be booked). For an order of
   * a symbol the broker does not trade (rejected), sym is 0 and o->symbol tells the symbol.
   * The sink may call back into the broker: its state is consistent at every call, and an
   * order placed from inside a sink call waits for the next candle of its symbol. */
  void (*order)(void *user, size_t sym, const argo_order *o, int is_new);
  /* An order was filled: o has status FILLED, f is the fill. Called after order(is_new=1). */
  void (*fill)(void *user, size_t sym, const argo_order *o, const argo_fill *f);
  void *user;
} argo__broker_sink;

typedef struct argo__broker argo__broker;

/* symbols are borrowed for the broker's life; sym indices below refer to them. */
argo_err argo__broker_new(argo__broker **out, const argo__broker_cfg *cfg,
                          const char *const *symbols, size_t nsymbols,
                          const argo__broker_sink *sink);
void argo__broker_free(argo__broker *b);
/* Index of symbol, or -1. */
long argo__broker_symbol(const argo__broker *b, const char *symbol);
/* A candle of symbol sym: records its close as the last price, then fills pending orders. */
void argo__broker_on_candle(argo__broker *b, size_t sym, const argo_candle *c);
/* Places an order at time now. Returns ARGO_S_OK, ARGO_S_REJECTED (recorded; reason in err)
 * or ARGO_S_EINVAL (not recorded: req NULL or symbol NULL). id_out may be NULL. */
int argo__broker_place(argo__broker *b, const argo_order_request *req, int64_t now, char *id_out,
                       char *err, size_t errlen);
int argo__broker_cancel(argo__broker *b, const char *order_id, char *err, size_t errlen);
/* Resuming an account, before any order (not enforced): sets the cash, and opens positions as
 * single lots at their average prices (no fee). Until the symbol's first candle a seeded
 * position is valued at that price. */
void argo__broker_seed_cash(argo__broker *b, double cash);
argo_err argo__broker_seed_position(argo__broker *b, size_t sym, int is_short, double qty,
                                    double price, int64_t time);
/* Cancels pending orders of symbol (NULL = all); returns how many. */
int argo__broker_cancel_all(argo__broker *b, const char *symbol);
int argo__broker_position(const argo__broker *b, const char *symbol, argo_position *out);
size_t argo__broker_positions(const argo__broker *b, argo_position *out, size_t cap);
void argo__broker_account(const argo__broker *b, argo_account *out);
size_t argo__broker_open_orders(const argo__broker *b, argo_order *out, size_t cap);

#endif
