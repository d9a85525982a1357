/*
 * The per-candle path; see candle.h. Part of the engine: it works on the engine's state
 * (engine_private.h), and reaches the files through record.c and the caller through acks.c.
 */
#include "core/candle.h"

#include <math.h>

#include "core/day.h"
#include "core/engine_private.h"
#include "core/record.h"
#include "core/warmup.h"
#include "util/timeu.h"

long argo__candle_symbol(const argo_engine *eng, const char *symbol) {
  if (!symbol) {
    return -1;
  }
  void **v = argo__map_get(&eng->symidx, symbol);
  return v ? (long)(uintptr_t)*v - 1 : -1;
}

size_t argo__candle_recent(const argo_engine *eng, size_t sym, argo_candle *out, size_t n) {
  size_t len = eng->win_len[sym];
  if (n > len) {
    n = len;
  }
  const argo_candle *ring = eng->win + sym * eng->win_cap;
  size_t first = (eng->win_head[sym] + len - n) % eng->win_cap;
  for (size_t i = 0; i < n; i++) {
    out[i] = ring[(first + i) % eng->win_cap];
  }
  return n;
}

uint64_t argo__candle_window(const argo_engine *eng, size_t sym, const argo_candle **a, size_t *na,
                             const argo_candle **b, size_t *nb) {
  const argo_candle *ring = eng->win + sym * eng->win_cap;
  size_t len = eng->win_len[sym], head = eng->win_head[sym];
  size_t first = eng->win_cap - head; /* from head to the ring's end */
  *a = ring + head;
  *na = len < first ? len : first;
  *b = ring;
  *nb = len - *na;
  return eng->win_seq[sym];
}

void argo__candle_hold(argo_engine *eng, size_t sym, const argo_candle *c) {
  argo_candle *ring = eng->win + sym * eng->win_cap;
  size_t len = eng->win_len[sym];
  size_t pos = (eng->win_head[sym] + len) % eng->win_cap;
  ring[pos] = *c;
  ring[pos].symbol = eng->symbols[sym];
  if (len < eng->win_cap) {
    eng->win_len[sym] = len + 1;
  } else {
    eng->win_head[sym] = (eng->win_head[sym] + 1) % eng->win_cap;
  }
  eng->win_seq[sym]++;
  eng->cur = *c;
  eng->cur_sym = sym;
  eng->have_cur = 1;
}

int argo__candle_valid(const argo_candle *c, char *why, size_t len) {
  if (!argo__time_ok(c->time)) {
    /* Before, a candle at or before the epoch was taken for "already stored" and dropped
     * without a word, and one in the year 10000 named a day folder "10000-01-0". */
    argo__fmt(why, len, "its time is not " ARGO__TIME_RANGE);
    return 0;
  }
  const double v[5] = {c->open, c->high, c->low, c->close, c->volume};
  static const char *names[5] = {"open", "high", "low", "close", "volume"};
  for (int i = 0; i < 5; i++) {
    if (!isfinite(v[i])) {
      argo__fmt(why, len, "%s is not a number", names[i]);
      return 0;
    }
  }
  if (!(c->open > 0 && c->high > 0 && c->low > 0 && c->close > 0)) {
    argo__fmt(why, len, "prices must be positive");
    return 0;
  }
  if (c->volume < 0) {
    argo__fmt(why, len, "volume is negative");
    return 0;
  }
  if (c->high < c->low || c->high < c->open || c->high < c->close || c->low > c->open ||
      c->low > c->close) {
    argo__fmt(why, len, "high/low do not bound open/close");
    return 0;
  }
  return 1;
}

/* ---- the broker's sink and the notes to the strategy ------------------------------------ */

static void note(argo_engine *eng, const argo_order *o, const argo_fill *f) {
  if (!eng->sdef->on_order_update) {
    return;
  }
  if (argo__grow((void **)&eng->notes, &eng->notes_cap, eng->nnotes + 1, sizeof *eng->notes)) {
    return;
  }
  argo__note *n = &eng->notes[eng->nnotes++];
  n->o = *o;
  argo__strlcpy(n->reason, o->reason ? o->reason : "", sizeof n->reason);
  n->has_fill = f != NULL;
  if (f) {
    n->f = *f;
  }
}

/* Tells the strategy about order changes, outside any other strategy call (so that a strategy
 * never re-enters itself). Changes caused by on_order_update itself are delivered too, up to a
 * bound that stops a strategy from looping forever. */
void argo__candle_notes(argo_engine *eng) {
  size_t head = 0;
  /* Notes added by on_order_update itself are appended and delivered in this same loop. */
  while (head < eng->nnotes && head < 100000) {
    argo__note n = eng->notes[head++];
    n.o.reason = n.reason;
    argo__engine_enter(eng, "on_order_update");
    eng->sdef->on_order_update(eng->sobj, &n.o, n.has_fill ? &n.f : NULL);
    if (argo__engine_left(eng)) {
      return;
    }
  }
  eng->nnotes = 0;
}

static void sink_order(void *user, size_t sym, const argo_order *o, int is_new,
                       const char *client_id) {
  argo_engine *eng = user;
  if (argo__candle_symbol(eng, o->symbol) < 0) {
    sym = 0xFFFF; /* a rejected order of a symbol the session does not trade */
  }
  argo__record_order(eng, sym, o, client_id);
  argo__acks_order(&eng->acks, o, is_new, argo__acks_seq(&eng->acks));
  note(eng, o, NULL);
}

static void sink_fill(void *user, size_t sym, const argo_order *o, const argo_fill *f,
                      const argo__fill_extra *x) {
  argo_engine *eng = user;
  argo__record_order(eng, sym, o, x ? x->client_id : NULL);
  argo__record_fill(eng, sym, f, x);
  argo_err rc = argo__stats_fill(eng->stats, sym, f);
  if (rc) {
    char msg[ARGO_ERRMSG_MAX];
    argo__fmt(msg, sizeof msg, "statistics could not take the fill of order %s: %s", f->order_id,
              argo_strerror(rc));
    argo__acks_error(&eng->acks, rc, msg);
  }
  eng->traded = 1;
  argo__acks_fill(&eng->acks, o, f, argo__acks_seq(&eng->acks));
  note(eng, o, f);
}

static int sink_durable(void *user) {
  argo_engine *eng = user;
  uint64_t need = argo__acks_seq(&eng->acks);
  argo__acks_wait(&eng->acks, need);
  return argo__acks_durable(&eng->acks) >= need ? 0 : -1;
}

static void sink_wake(void *user) {
  argo_engine *eng = user;
  atomic_store(&eng->broker_wake, 1);
  argo__waker_poke(&eng->waker);
}

static void sink_error(void *user, argo_err code, const char *message, int fatal) {
  argo_engine *eng = user;
  argo__acks_error(&eng->acks, code, message);
  if (fatal) {
    argo__engine_fail(eng, code, message);
  }
}

/* A change the broker learnt at the session's start happened at t: recorded in t's day, which
 * may be a day before the session started (never a day after it started). */
static void sink_happened_at(void *user, int64_t t) {
  argo_engine *eng = user;
  int64_t day = argo__day_of(t);
  if (eng->catching_up && argo__time_ok(t) && day > eng->sess.day &&
      day <= argo__day_of(eng->sess.start_us)) {
    if (argo__day_change(eng, t) != ARGO_OK) {
      eng->catching_up = 0; /* the session ends (argo__day_change reported why) */
    }
  }
}

argo__broker_sink argo__candle_sink(argo_engine *eng) {
  return (argo__broker_sink){.order = sink_order,
                             .fill = sink_fill,
                             .durable = sink_durable,
                             .wake = sink_wake,
                             .error = sink_error,
                             .happened_at = sink_happened_at,
                             .user = eng};
}

void argo__candle_broker_poll(argo_engine *eng, int final) {
  if (!eng->broker || !eng->broker->ops->poll) {
    return;
  }
  atomic_store(&eng->broker_wake, 0);
  argo__broker_poll(eng->broker, final);
  /* Outside any strategy call (the feed's wait or the loop between candles): what the broker
   * reported goes to the strategy now rather than at the next candle. After on_stop (final)
   * the strategy is not called again. */
  if (final) {
    eng->nnotes = 0;
  } else if (!eng->in_call) {
    argo__candle_notes(eng);
  }
}

/* ---- the candle ------------------------------------------------------------------------- */

static void report_strategy_error(argo_engine *eng, const argo_candle *c) {
  char ts[40], msg[ARGO_ERRMSG_MAX];
  const char *why = argo__host_strategy_error(eng->host);
  argo_time_format(c->time, ts, sizeof ts);
  argo__fmt(msg, sizeof msg, "strategy %s failed on %s at %s: %s", eng->sdef->name, c->symbol, ts,
            why[0] ? why : "error code returned");
  argo__acks_strategy_error(&eng->acks, c, msg);
}

void argo__candle_process(argo_engine *eng, const argo_candle *in) {
  char why[160];
  char ts[40];
  long sym = argo__candle_symbol(eng, in->symbol);
  if (sym < 0 || !argo__candle_valid(in, why, sizeof why)) {
    char msg[ARGO_ERRMSG_MAX];
    argo_time_format(in->time, ts, sizeof ts);
    if (sym < 0) {
      argo__fmt(msg, sizeof msg, "skipped a candle of unknown symbol '%s' at %s",
                in->symbol ? in->symbol : "", ts);
    } else {
      argo__fmt(msg, sizeof msg, "skipped a bad candle of %s at %s: %s", in->symbol, ts, why);
    }
    argo__acks_error(&eng->acks, ARGO_EFEED, msg);
    return;
  }
  if (ARGO_UNLIKELY(in->time <= eng->last_stored[sym])) {
    /* Already stored: prefetched or gap-filled history that the live stream repeats. */
    return;
  }
  argo_candle c = *in;
  c.symbol = eng->symbols[sym];
  if (ARGO_UNLIKELY(!eng->seen_live[sym])) {
    argo__warmup_first_live(eng, (size_t)sym, c.time);
  }
  /* 1. The date only moves forward; a late candle is stored in the current day. */
  if (argo__day_of(c.time) > eng->sess.day) {
    if (argo__day_change(eng, c.time) != ARGO_OK) {
      return;
    }
  }
  /* 2. Store the candle. */
  argo__record_candle(eng, (size_t)sym, &c, 0);
  eng->candles_day++;
  eng->candles_total++;
  eng->last_event = c.time > eng->last_event ? c.time : eng->last_event;
  argo__candle_hold(eng, (size_t)sym, &c);
  eng->traded = 0;
  argo__acks_market(&eng->acks, &c);
  /* 3. Pending orders may fill on this candle; then the strategy sees it. */
  argo__broker_on_candle(eng->broker, (size_t)sym, &c);
  argo__candle_notes(eng);
  argo__host_clear_strategy_error(eng->host);
  argo__engine_enter(eng, "on_candle");
  int src = eng->sdef->on_candle(eng->sobj, &c);
  if (argo__engine_left(eng)) {
    return;
  }
  if (src != 0) {
    report_strategy_error(eng, &c);
  }
  argo__candle_notes(eng);
  /* 5. Mark to market with this candle's close. */
  argo__stats_mark(eng->stats, (size_t)sym, c.close);
  if (eng->traded || eng->candles_total % eng->cfg.stats_every == 0) {
    argo__record_stats(eng, "running");
  }
}
