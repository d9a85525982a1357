/*
 * Brokers: where a session's orders go. A broker owns an account (cash, positions, pending
 * orders) and reports every order change and fill through the sink it was opened with; it
 * knows nothing of files, DuckDB, callbacks or the engine, which records what the sink reports.
 *
 * This is the interface the engine and the host API use. Each broker is a struct of its own
 * whose first member is an argo__broker (its table of operations), as curl's connection filters
 * are; the functions below call through that table. A broker is opened by name through the
 * registry (brokers/registry.h): the paper broker (paper.h) today, live brokers later.
 * Every function is called on the engine thread.
 */
#ifndef ARGO_BROKER_H
#define ARGO_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "persist/rows.h"
#include "util/util.h"

/* Where order changes go. Pointers are borrowed for the call. Called on the engine thread
 * (wake excepted). */
typedef struct argo__broker_sink {
  /* An order was created (is_new = 1, status PENDING or REJECTED) or changed status other than
   * by a fill (CANCELLED, REJECTED, or FAILED when a fill could not be booked). For an order of
   * a symbol the broker does not trade (rejected), sym is 0 and o->symbol tells the symbol.
   * The sink may call back into the broker: its state is consistent at every call, and an
   * order placed from inside a sink call waits for the next candle of its symbol. client_id:
   * a live broker's client order id (orders.client_order_id), NULL for none. */
  void (*order)(void *user, size_t sym, const argo_order *o, int is_new, const char *client_id);
  /* An order was filled: in full (o has status FILLED) or in part (o stays PENDING, with
   * o->filled_qty so far); f is this fill. x: what a live broker adds (NULL for none). Called
   * after order(is_new=1). */
  void (*fill)(void *user, size_t sym, const argo_order *o, const argo_fill *f,
               const argo__fill_extra *x);
  /* Blocks until everything reported so far is durable (the journal fsynced): a live broker
   * calls it before a request leaves, so that an order is on disk as an intent before the
   * exchange can act on it (docs/design.md section 6). 0, or -1 when durability cannot be
   * reached (the journal failed): then nothing may be sent. */
  int (*durable)(void *user);
  /* Any thread: asks the engine thread to call the broker's poll soon. */
  void (*wake)(void *user);
  /* A problem that concerns no single order (a lost connection, a rate limit, a clock out of
   * step): reported through on_error; fatal ends the session. */
  void (*error)(void *user, argo_err code, const char *message, int fatal);
  /* Optional (NULL: ignored). A live broker reporting, at a session's start, what the exchange
   * did while no session ran (catch_up below) says before each change when it happened: the
   * engine moves its day forward to t's, so that the change is recorded in the folder of the
   * day it happened. Changes come oldest first. */
  void (*happened_at)(void *user, int64_t t);
  void *user;
} argo__broker_sink;

typedef struct argo__broker argo__broker;

/* What each broker implements (every member is required, poll excepted). */
typedef struct argo__broker_ops {
  void (*free)(argo__broker *b);
  /* A candle of symbol sym: records its close as the last price, then fills pending orders. */
  void (*on_candle)(argo__broker *b, size_t sym, const argo_candle *c);
  /* Places an order at time now. Returns ARGO_S_OK, ARGO_S_REJECTED (recorded; reason in err)
   * or ARGO_S_EINVAL (not recorded: req NULL or symbol NULL). id_out may be NULL. */
  int (*place)(argo__broker *b, const argo_order_request *req, int64_t now, char *id_out, char *err,
               size_t errlen);
  int (*cancel)(argo__broker *b, const char *order_id, char *err, size_t errlen);
  /* Cancels pending orders of symbol (NULL = all); returns how many. */
  int (*cancel_all)(argo__broker *b, const char *symbol);
  int (*position)(const argo__broker *b, const char *symbol, argo_position *out);
  size_t (*positions)(const argo__broker *b, argo_position *out, size_t cap);
  void (*account)(const argo__broker *b, argo_account *out);
  size_t (*open_orders)(const argo__broker *b, argo_order *out, size_t cap);
  /* Resuming an account (engine.resume_account), before any order (not enforced): sets the
   * cash, and opens positions as single lots at their average prices (no fee). Until the
   * symbol's first candle a seeded position is valued at that price. */
  void (*seed_cash)(argo__broker *b, double cash);
  argo_err (*seed_position)(argo__broker *b, size_t sym, int is_short, double qty, double price,
                            int64_t time);
  /* Optional (NULL for a broker whose changes all happen inside its other calls): reports
   * through the sink what its own threads learnt since the last call. Called on the engine
   * thread after every candle, while the feed waits, and whenever the broker asked through the
   * sink's wake. final: the session is ending; wait (bounded, the broker's own limit) for the
   * answers to requests in flight, then report everything. */
  void (*poll)(argo__broker *b, int final);
  /* Optional (NULL: account's balance is used): the cash balance alone, what a statistics
   * snapshot needs of the account, without valuing every position as account does. */
  double (*cash)(const argo__broker *b);
  /* 1 when a symbol's position changes only by a fill the broker reports through the sink (or
   * seed_position): the engine then re-reads, for a snapshot, only the positions of the
   * symbols filled since the last one. 0 for a broker that may learn of changes otherwise. */
  int positions_follow_fills;
  /* Optional (NULL: nothing to catch up). A live broker, once opened, before the session's
   * first day folder exists: asks the exchange what became of the orders earlier sessions left
   * open (waiting for the answers, bounded by the broker's own limit) and holds what it learnt,
   * to report it through the sink at the first poll, oldest first, each change preceded by
   * the sink's happened_at. Returns the time of the earliest change it holds (a fill, or an
   * order ended), 0 when it holds none: the session's first day folder is that time's day
   * when it is earlier than the session's start. Reports nothing through the sink itself. */
  int64_t (*catch_up)(argo__broker *b);
} argo__broker_ops;

/* The first member of every broker's struct. */
struct argo__broker {
  const argo__broker_ops *ops;
};

static inline void argo__broker_free(argo__broker *b) {
  if (b) {
    b->ops->free(b);
  }
}
static inline void argo__broker_on_candle(argo__broker *b, size_t sym, const argo_candle *c) {
  b->ops->on_candle(b, sym, c);
}
static inline int argo__broker_place(argo__broker *b, const argo_order_request *req, int64_t now,
                                     char *id_out, char *err, size_t errlen) {
  return b->ops->place(b, req, now, id_out, err, errlen);
}
static inline int argo__broker_cancel(argo__broker *b, const char *order_id, char *err,
                                      size_t errlen) {
  return b->ops->cancel(b, order_id, err, errlen);
}
static inline int argo__broker_cancel_all(argo__broker *b, const char *symbol) {
  return b->ops->cancel_all(b, symbol);
}
static inline int argo__broker_position(const argo__broker *b, const char *symbol,
                                        argo_position *out) {
  return b->ops->position(b, symbol, out);
}
static inline size_t argo__broker_positions(const argo__broker *b, argo_position *out, size_t cap) {
  return b->ops->positions(b, out, cap);
}
static inline void argo__broker_account(const argo__broker *b, argo_account *out) {
  b->ops->account(b, out);
}
static inline size_t argo__broker_open_orders(const argo__broker *b, argo_order *out, size_t cap) {
  return b->ops->open_orders(b, out, cap);
}
static inline double argo__broker_cash(const argo__broker *b) {
  if (b->ops->cash) {
    return b->ops->cash(b);
  }
  argo_account a;
  b->ops->account(b, &a);
  return a.balance;
}
static inline void argo__broker_seed_cash(argo__broker *b, double cash) {
  b->ops->seed_cash(b, cash);
}
static inline void argo__broker_poll(argo__broker *b, int final) {
  if (b && b->ops->poll) {
    b->ops->poll(b, final);
  }
}
static inline int64_t argo__broker_catch_up(argo__broker *b) {
  return b && b->ops->catch_up ? b->ops->catch_up(b) : 0;
}
ARGO_NODISCARD static inline argo_err argo__broker_seed_position(argo__broker *b, size_t sym,
                                                                 int is_short, double qty,
                                                                 double price, int64_t time) {
  return b->ops->seed_position(b, sym, is_short, qty, price, time);
}

#endif
