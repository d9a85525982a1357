/*
 * Recording; see record.h. Part of the engine: it works on the engine's state
 * (engine_private.h). Each row is appended to the journal and stored into the current
 * segment's batch of its table (persist/schema.h), a few stores into arrays.
 */
#include "core/record.h"

#include <string.h>

#include "core/engine_private.h"
#include "persist/rows.h"
#include "persist/schema.h"

void argo__record_order(argo_engine *eng, size_t sym, const argo_order *o, const char *client_id) {
  if (eng->jr) {
    argo__journal_order(eng->jr, (uint16_t)sym, o, client_id);
  }
  argo__batch *b = argo__pub_rows(eng->pub, ARGO_T_ORDERS);
  /* A market order's PENDING row and its FILLED row come one after the other: the later one
   * replaces the earlier in place (the table keeps only the latest status anyway). */
  if (b->rows > 0) {
    size_t len, idlen = strlen(o->order_id);
    const char *last = argo__batch_get_text(b, ORD_ID, b->rows - 1, &len);
    if (len == idlen && memcmp(last, o->order_id, len) == 0) {
      argo__batch_text(b, ORD_STATUS, b->rows - 1, argo__order_status_name(o->status));
      argo__batch_text(b, ORD_REASON, b->rows - 1, o->reason);
      argo__pub_urgent(eng->pub);
      return;
    }
  }
  argo__rows_order(b, o, o->symbol, o->strategy_name, o->reason, o->reason ? strlen(o->reason) : 0,
                   client_id);
  argo__pub_urgent(eng->pub);
}

void argo__record_fill(argo_engine *eng, size_t sym, const argo_fill *f,
                       const argo__fill_extra *x) {
  if (eng->jr) {
    argo__journal_fill(eng->jr, (uint16_t)sym, f, x);
  }
  argo__rows_fill(argo__pub_rows(eng->pub, ARGO_T_TRADES), f, f->symbol, x);
  argo__pub_urgent(eng->pub);
  /* The symbol's position changed: the next snapshot reads it again (positions()). */
  if (sym < eng->nsym && eng->pos_dirty && !eng->pos_all && !eng->pos_dirty[sym]) {
    eng->pos_dirty[sym] = 1;
    eng->pos_dlist[eng->npos_dirty++] = sym;
  }
}

void argo__record_candle(argo_engine *eng, size_t sym, const argo_candle *c, int history) {
  if (eng->jr) {
    if (history) {
      argo__journal_hcandle(eng->jr, (uint16_t)sym, c);
    } else {
      argo__journal_candle(eng->jr, (uint16_t)sym, c);
    }
  }
  argo__batch *b = argo__pub_rows(eng->pub, ARGO_T_MARKET_DATA);
  size_t r = argo__batch_add(b);
  if (r == (size_t)-1) {
    return;
  }
  argo__batch_i64(b, MD_TIME, r, c->time);
  argo__batch_text(b, MD_SYMBOL, r, c->symbol);
  argo__batch_f64(b, MD_OPEN, r, c->open);
  argo__batch_f64(b, MD_HIGH, r, c->high);
  argo__batch_f64(b, MD_LOW, r, c->low);
  argo__batch_f64(b, MD_CLOSE, r, c->close);
  argo__batch_f64(b, MD_VOLUME, r, c->volume);
  argo__batch_i64(b, MD_HISTORY, r, history);
}

static int64_t event_time(const argo_engine *eng) {
  return eng->have_cur ? eng->cur.time : eng->sess.start_us;
}

/* Text from a strategy that is not valid UTF-8 would make every later export of its table
 * fail: such text is stored with '?' for the bad bytes (valid text is used as it is). */
static const char *clean(const char *s, char *buf, size_t cap) {
  return argo__utf8_valid(s) ? s : argo__utf8_fix(s, buf, cap);
}

/* Mark and log ids are reserved in ranges under the data output (session.h), so that sessions
 * running at the same time never give two rows the same id. A range starts at 1024 ids and
 * doubles up to a million, so a busy strategy reserves rarely and a quiet one leaves small
 * gaps. The next id of kind (0 marks, 1 logs). */
#define IDS_BLOCK_FIRST 1024
#define IDS_BLOCK_MAX (INT64_C(1) << 20)

static int64_t next_id(argo_engine *eng, int kind) {
  int64_t *id = kind ? &eng->log_id : &eng->mark_id;
  if (*id >= eng->ids_end[kind] && !eng->ids_failed) {
    int64_t block = eng->ids_block[kind] ? eng->ids_block[kind] : IDS_BLOCK_FIRST;
    int64_t first;
    char err[ARGO_ERRMSG_MAX], msg[ARGO_ERRMSG_MAX];
    if (argo__session_reserve_ids(eng->sess.data_output, kind, *id, block, &first, err,
                                  sizeof err) == 0) {
      *id = first - 1;
      eng->ids_end[kind] = first + block - 1;
      eng->ids_block[kind] = block < IDS_BLOCK_MAX ? block * 2 : block;
    } else {
      /* The row is still recorded; only the uniqueness across concurrent sessions is lost. */
      eng->ids_failed = 1;
      argo__fmt(msg, sizeof msg,
                "%s; mark and log ids go on from %lld, and may repeat ids of a session running "
                "at the same time",
                err, (long long)*id + 1);
      argo__acks_error(&eng->acks, ARGO_EIO, msg);
    }
  }
  return ++*id;
}

void argo__record_mark(argo_engine *eng, const argo_mark *m) {
  argo__batch *b = argo__pub_rows(eng->pub, ARGO_T_MARKS);
  size_t r = argo__batch_add(b);
  if (r == (size_t)-1) {
    return;
  }
  argo_mark d = *m;
  d.symbol = m->symbol ? m->symbol : eng->have_cur ? eng->cur.symbol : "";
  d.color = m->color ? m->color : "blue";
  d.shape = m->shape ? m->shape : "circle";
  d.level = m->level ? m->level : "info";
  char bt[512], bm[4096], bc[512], bs[512], bk[512];
  d.color = clean(d.color, bk, sizeof bk);
  d.title = clean(m->title ? m->title : "", bt, sizeof bt);
  d.message = clean(m->message ? m->message : "", bm, sizeof bm);
  d.category = clean(m->category ? m->category : "", bc, sizeof bc);
  d.signal_type = clean(m->signal_type ? m->signal_type : "", bs, sizeof bs);
  m = &d;
  argo__batch_i64(b, MRK_ID, r, next_id(eng, 0));
  argo__batch_i64(b, MRK_TIME, r, event_time(eng));
  argo__batch_text(b, MRK_SYMBOL, r, m->symbol);
  argo__batch_text(b, MRK_COLOR, r, m->color);
  argo__batch_text(b, MRK_SHAPE, r, m->shape);
  argo__batch_text(b, MRK_LEVEL, r, m->level);
  argo__batch_text(b, MRK_TITLE, r, m->title);
  argo__batch_text(b, MRK_MESSAGE, r, m->message);
  argo__batch_text(b, MRK_CATEGORY, r, m->category);
  argo__batch_text(b, MRK_SIGNAL, r, m->signal_type);
  if (eng->jr) {
    argo__journal_mark(eng->jr, eng->mark_id, event_time(eng), m->symbol, m);
  }
}

void argo__record_log(argo_engine *eng, int level, const char *message, const char *fields) {
  char bm[4096], bf[4096];
  message = clean(message ? message : "", bm, sizeof bm);
  fields = clean(fields ? fields : "{}", bf, sizeof bf);
  argo__batch *b = argo__pub_rows(eng->pub, ARGO_T_LOGS);
  size_t r = argo__batch_add(b);
  if (r == (size_t)-1) {
    return;
  }
  const char *symbol = eng->have_cur ? eng->cur.symbol : "";
  argo__batch_i64(b, LOG_ID, r, next_id(eng, 1));
  argo__batch_i64(b, LOG_TS, r, event_time(eng));
  argo__batch_text(b, LOG_SYMBOL, r, symbol);
  argo__batch_text(b, LOG_LEVEL, r, argo__log_level_name(level));
  argo__batch_text(b, LOG_MESSAGE, r, message);
  argo__batch_text(b, LOG_FIELDS, r, fields);
  if (eng->jr) {
    argo__journal_log(eng->jr, eng->log_id, event_time(eng), symbol, level, message, fields);
  }
}

/* ---- statistics snapshots --------------------------------------------------------------- */

static void build_stats(argo_engine *eng, argo_stats *s, const char *status) {
  memset(s, 0, sizeof *s);
  argo__strlcpy(s->id, eng->sess.run_name, sizeof s->id);
  argo__strlcpy(s->session_id, eng->sess.session_id, sizeof s->session_id);
  argo__strlcpy(s->date, eng->sess.date, sizeof s->date);
  s->session_start = eng->sess.start_us;
  s->last_updated = eng->last_event;
  s->status = status;
  s->symbols = (const char *const *)eng->symbols;
  s->nsymbols = eng->nsym;
  s->run_dir = eng->ndays ? eng->day_dirs[eng->ndays - 1] : "";
  s->strategy_id = eng->sdef->id ? eng->sdef->id : "";
  s->strategy_version = eng->sdef->version ? eng->sdef->version : "";
  s->strategy_name = eng->sdef->name;
  argo__stats_get(eng->stats, &s->daily, &s->cumulative);
  s->candles_day = eng->candles_day;
  s->candles_total = eng->candles_total;
  s->equity = argo__stats_equity(eng->stats);
}

static void set_pos(argo_engine *eng, size_t i) {
  const argo_position *b = &eng->bpos[i];
  eng->spos[i] = (argo__stats_pos){eng->symbols[i], b->long_qty, b->long_avg_price, b->short_qty,
                                   b->short_avg_price};
}

/* The account's positions into eng->spos; returns how many. A broker whose positions follow its
 * fills has only the symbols filled since the last snapshot read again (the others' entries
 * are what it would answer), so that a snapshot does not cost every symbol of the session. */
static size_t positions(argo_engine *eng) {
  if (eng->pos_all || !eng->broker->ops->positions_follow_fills) {
    size_t n = argo__broker_positions(eng->broker, eng->bpos, eng->nsym);
    for (size_t i = 0; i < n && i < eng->nsym; i++) {
      set_pos(eng, i);
    }
    memset(eng->pos_dirty, 0, eng->nsym);
    eng->npos_dirty = 0;
    eng->pos_all = 0;
    eng->npos = n;
    return n;
  }
  for (size_t k = 0; k < eng->npos_dirty; k++) {
    size_t i = eng->pos_dlist[k];
    eng->pos_dirty[i] = 0;
    if (i < eng->npos &&
        argo__broker_position(eng->broker, eng->symbols[i], &eng->bpos[i]) == ARGO_S_OK) {
      set_pos(eng, i);
    }
  }
  eng->npos_dirty = 0;
  return eng->npos;
}

void argo__record_stats(argo_engine *eng, const char *status) {
  argo__stats_doc doc;
  memset(&doc, 0, sizeof doc);
  build_stats(eng, &doc.s, status);
  doc.by_symbol = argo__stats_symbols(eng->stats, (const char *const *)eng->symbols);
  doc.nby_symbol = eng->nsym;
  doc.started_at = eng->sess.opened_wall_us;
  doc.run_collision = eng->sess.collision[0] ? eng->sess.collision : NULL;
  doc.resumed_from = eng->resumed_from[0] ? eng->resumed_from : NULL;
  doc.interval = eng->cfg.interval;
  doc.stop_reason = eng->stop_reason[0] ? eng->stop_reason : NULL;
  doc.journal_off = !eng->cfg.journal;
  if (eng->broker && eng->spos && eng->bpos && eng->pos_dirty) {
    size_t n = positions(eng);
    doc.has_account = 1;
    doc.cash = argo__broker_cash(eng->broker);
    doc.positions = eng->spos;
    doc.npositions = n < eng->nsym ? n : eng->nsym;
  }
  argo__pub_set_stats(eng->pub, &doc);
  doc.s.struct_size = sizeof doc.s;
  eng->last_stats = doc.s;
  eng->have_stats = 1;
  argo__acks_stats(&eng->acks, &doc.s, argo__acks_seq(&eng->acks));
}
