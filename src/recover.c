/*
 * Recovery (DESIGN section 5): finalizes run-day folders that end in a crash. A folder needs
 * recovery when it holds a journal (.journal) and its stats.yaml does not say finished. The
 * journal alone rebuilds the day: its first record carries the session's identity and the
 * statistics state at the day's start, and every row of the day follows. Recovery loads the
 * rows into a fresh in-memory store, replays fills and closes through the statistics tracker,
 * publishes the five Parquet files and stats.yaml (status crashed_recovered, last_updated the
 * time of the last recorded event) atomically, and only then removes the journal. Every step
 * is idempotent: a crash during recovery is recovered at the next start.
 *
 * A Parquet file of the folder that cannot be read is moved aside (".corrupt" suffix), never
 * overwritten or deleted; a journal that is not a journal is moved aside the same way.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <duckdb.h>

#include "journal.h"
#include "recover.h"
#include "schema.h"
#include "session.h"
#include "stats.h"
#include "stats_yaml.h"
#include "store.h"
#include "util/fsx.h"
#include "util/strbuf.h"
#include "util/timeu.h"
#include "util/util.h"

#define FLUSH_ROWS 65536

typedef struct rebuild {
  const char *dir;
  argo__store *store;
  argo__batch b[ARGO_T_COUNT];
  argo__stats *stats;
  argo__jday_owned day;
  int64_t candles, orders, fills, marks, logs;
  int64_t last_event;
  int saw_end;
  /* The engine marks a candle after that candle's fills: the mark waits for the next candle
   * record (or the journal's end) so that drawdown is measured at the same moments. */
  int mark_pending;
  uint16_t mark_sym;
  double mark_close;
  double cash; /* the paper account's cash, moved by every fill */
  char err[ARGO_ERRMSG_MAX];
} rebuild;

static argo_err flush(rebuild *r, int force) {
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    if (r->b[t].rows && (force || r->b[t].rows >= FLUSH_ROWS)) {
      argo_err rc = argo__store_append(r->store, &r->b[t], r->err, sizeof r->err);
      if (rc) {
        return rc;
      }
      argo__batch_clear(&r->b[t]);
    }
  }
  return ARGO_OK;
}

static void text(argo__batch *b, int col, size_t row, argo__jstr s) {
  argo__batch_text_n(b, col, row, s.p, s.n);
}

static void seen(rebuild *r, int64_t t) {
  if (t > r->last_event) {
    r->last_event = t;
  }
}

static const char *sym_name(const rebuild *r, unsigned sym) {
  return sym < r->day.d.nsymbols ? r->day.d.symbols[sym] : NULL;
}

static argo_err apply(rebuild *r, int type, const unsigned char *p, size_t n) {
  switch (type) {
  case ARGO_J_CANDLE:
  case ARGO_J_HCANDLE: {
    argo__jcandle c;
    const char *sym;
    if (argo__jdecode_candle(p, n, &c) != 0 || !(sym = sym_name(r, c.sym))) {
      return ARGO_ECORRUPT;
    }
    argo__batch *b = &r->b[ARGO_T_MARKET_DATA];
    size_t row = argo__batch_add(b);
    if (row == (size_t)-1) {
      return ARGO_ENOMEM;
    }
    argo__batch_i64(b, MD_TIME, row, c.c.time);
    argo__batch_text(b, MD_SYMBOL, row, sym);
    argo__batch_f64(b, MD_OPEN, row, c.c.open);
    argo__batch_f64(b, MD_HIGH, row, c.c.high);
    argo__batch_f64(b, MD_LOW, row, c.c.low);
    argo__batch_f64(b, MD_CLOSE, row, c.c.close);
    argo__batch_f64(b, MD_VOLUME, row, c.c.volume);
    argo__batch_i64(b, MD_HISTORY, row, type == ARGO_J_HCANDLE);
    if (type == ARGO_J_CANDLE) {
      if (r->mark_pending) {
        argo__stats_mark(r->stats, r->mark_sym, r->mark_close);
      }
      r->mark_pending = 1;
      r->mark_sym = c.sym;
      r->mark_close = c.c.close;
      r->candles++;
    }
    seen(r, c.c.time);
    return ARGO_OK;
  }
  case ARGO_J_ORDER: {
    argo__jorder o;
    const char *sym = NULL;
    char other[ARGO_SYMBOL_MAX];
    if (argo__jdecode_order(p, n, &o) != 0) {
      return ARGO_ECORRUPT;
    }
    if (o.sym == 0xFFFF) {
      size_t k = o.symbol.n < sizeof other - 1 ? o.symbol.n : sizeof other - 1;
      memcpy(other, o.symbol.p, k);
      other[k] = '\0';
      sym = other;
    } else if (!(sym = sym_name(r, o.sym))) {
      return ARGO_ECORRUPT;
    }
    argo__batch *b = &r->b[ARGO_T_ORDERS];
    size_t row = argo__batch_add(b);
    if (row == (size_t)-1) {
      return ARGO_ENOMEM;
    }
    argo__batch_text(b, ORD_ID, row, o.o.order_id);
    argo__batch_text(b, ORD_SYMBOL, row, sym);
    argo__batch_text(b, ORD_SIDE, row, argo__side_name(o.o.side));
    argo__batch_text(b, ORD_TYPE, row, argo__order_type_name(o.o.type));
    argo__batch_f64(b, ORD_QTY, row, o.o.quantity);
    argo__batch_f64(b, ORD_PRICE, row, o.o.price);
    argo__batch_i64(b, ORD_TS, row, o.o.timestamp);
    argo__batch_text(b, ORD_STATUS, row, argo__order_status_name(o.o.status));
    argo__batch_text(b, ORD_STRATEGY, row, r->day.d.strategy_name);
    argo__batch_text(b, ORD_POSTYPE, row, argo__position_type_name(o.o.position_type));
    text(b, ORD_REASON, row, o.reason);
    r->orders++;
    seen(r, o.o.timestamp);
    return ARGO_OK;
  }
  case ARGO_J_FILL: {
    argo__jfill f;
    const char *sym;
    if (argo__jdecode_fill(p, n, &f) != 0 || !(sym = sym_name(r, f.sym))) {
      return ARGO_ECORRUPT;
    }
    f.f.symbol = sym;
    argo__batch *b = &r->b[ARGO_T_TRADES];
    size_t row = argo__batch_add(b);
    if (row == (size_t)-1) {
      return ARGO_ENOMEM;
    }
    argo__batch_text(b, TRD_ORDER_ID, row, f.f.order_id);
    argo__batch_text(b, TRD_SYMBOL, row, sym);
    argo__batch_text(b, TRD_SIDE, row, argo__side_name(f.f.side));
    argo__batch_f64(b, TRD_QTY, row, f.f.quantity);
    argo__batch_f64(b, TRD_PRICE, row, f.f.price);
    argo__batch_i64(b, TRD_TS, row, f.f.timestamp);
    argo__batch_i64(b, TRD_EXEC_AT, row, f.f.executed_at);
    argo__batch_f64(b, TRD_EXEC_QTY, row, f.f.executed_qty);
    argo__batch_f64(b, TRD_EXEC_PRICE, row, f.f.executed_price);
    argo__batch_f64(b, TRD_COMMISSION, row, f.f.commission);
    argo__batch_f64(b, TRD_PNL, row, f.f.pnl);
    argo__batch_text(b, TRD_POSTYPE, row, argo__position_type_name(f.f.position_type));
    /* The tracker gets the fill exactly as the engine gave it. */
    argo__stats_fill(r->stats, f.sym, &f.f);
    /* The cash moves as the broker's did. */
    r->cash += (f.f.side == ARGO_SIDE_SELL ? 1 : -1) * f.f.executed_qty * f.f.executed_price -
               f.f.commission;
    r->fills++;
    seen(r, f.f.executed_at);
    return ARGO_OK;
  }
  case ARGO_J_MARK: {
    argo__jmark m;
    if (argo__jdecode_mark(p, n, &m) != 0) {
      return ARGO_ECORRUPT;
    }
    argo__batch *b = &r->b[ARGO_T_MARKS];
    size_t row = argo__batch_add(b);
    if (row == (size_t)-1) {
      return ARGO_ENOMEM;
    }
    argo__batch_i64(b, MRK_ID, row, m.id);
    argo__batch_i64(b, MRK_TIME, row, m.time);
    text(b, MRK_SYMBOL, row, m.symbol);
    text(b, MRK_COLOR, row, m.color);
    text(b, MRK_SHAPE, row, m.shape);
    text(b, MRK_LEVEL, row, m.level);
    text(b, MRK_TITLE, row, m.title);
    text(b, MRK_MESSAGE, row, m.message);
    text(b, MRK_CATEGORY, row, m.category);
    text(b, MRK_SIGNAL, row, m.signal_type);
    r->marks++;
    seen(r, m.time);
    return ARGO_OK;
  }
  case ARGO_J_LOG: {
    argo__jlog l;
    if (argo__jdecode_log(p, n, &l) != 0) {
      return ARGO_ECORRUPT;
    }
    argo__batch *b = &r->b[ARGO_T_LOGS];
    size_t row = argo__batch_add(b);
    if (row == (size_t)-1) {
      return ARGO_ENOMEM;
    }
    argo__batch_i64(b, LOG_ID, row, l.id);
    argo__batch_i64(b, LOG_TS, row, l.time);
    text(b, LOG_SYMBOL, row, l.symbol);
    argo__batch_text(b, LOG_LEVEL, row, argo__log_level_name(l.level));
    text(b, LOG_MESSAGE, row, l.message);
    text(b, LOG_FIELDS, row, l.fields);
    r->logs++;
    seen(r, l.time);
    return ARGO_OK;
  }
  case ARGO_J_END:
    r->saw_end = 1;
    return ARGO_OK;
  default:
    /* A record type this version does not know: skipped, the rest still counts. */
    return ARGO_OK;
  }
}

/* Moves path aside to path + ".corrupt" (or ".corrupt.N" when taken). */
static int move_aside(const char *path, char *to, size_t len) {
  for (int i = 0; i < 1000; i++) {
    if (i == 0) {
      snprintf(to, len, "%s.corrupt", path);
    } else {
      snprintf(to, len, "%s.corrupt.%d", path, i);
    }
    if (!argo__fs_exists(to)) {
      return argo__io_rename(path, to);
    }
  }
  return -EEXIST;
}

int argo__recover_check_parquet(const char *path, char *note, size_t len) {
  if (!argo__fs_exists(path)) {
    return 0;
  }
  duckdb_database db = NULL;
  duckdb_connection con = NULL;
  int bad = 0;
  char q[8800], sql[9000];
  if (duckdb_open(NULL, &db) != DuckDBSuccess || duckdb_connect(db, &con) != DuckDBSuccess) {
    if (db) {
      duckdb_close(&db);
    }
    return 0; /* cannot judge: leave the file alone */
  }
  if (argo__sql_quote(path, q, sizeof q) == 0) {
    snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", q);
    duckdb_result res;
    if (duckdb_query(con, sql, &res) != DuckDBSuccess) {
      bad = 1;
      argo__fmt(note, len, "%s", duckdb_result_error(&res));
    }
    duckdb_destroy_result(&res);
  }
  duckdb_disconnect(&con);
  duckdb_close(&db);
  if (!bad) {
    return 0;
  }
  char why[ARGO_ERRMSG_MAX], to[8800];
  argo__strlcpy(why, note, sizeof why);
  int rc = move_aside(path, to, sizeof to);
  if (rc) {
    argo__fmt_errno(note, len, -rc, "cannot move the unreadable file '%s' aside", path);
    return -1;
  }
  argo__fmt(note, len, "'%s' could not be read (%s); moved aside to '%s'", path, why, to);
  return 1;
}

static argo_err write_stats(rebuild *r, const char *status, int64_t last_updated) {
  argo__stats_doc doc;
  memset(&doc, 0, sizeof doc);
  argo_stats *s = &doc.s;
  argo__strlcpy(s->id, r->day.d.run_name, sizeof s->id);
  argo__strlcpy(s->session_id, r->day.d.session_id, sizeof s->session_id);
  argo__strlcpy(s->date, r->day.d.date, sizeof s->date);
  s->session_start = r->day.d.session_start;
  s->last_updated = last_updated;
  s->status = status;
  s->symbols = r->day.d.symbols;
  s->nsymbols = r->day.d.nsymbols;
  s->run_dir = r->dir;
  s->strategy_id = r->day.d.strategy_id;
  s->strategy_version = r->day.d.strategy_version;
  s->strategy_name = r->day.d.strategy_name;
  argo__stats_get(r->stats, &s->daily, &s->cumulative);
  s->candles_day = r->candles;
  s->candles_total = r->day.d.candles_total + r->candles;
  s->equity = argo__stats_equity(r->stats);
  doc.run_collision = r->day.d.run_collision[0] ? r->day.d.run_collision : NULL;
  doc.resumed_from = r->day.d.resumed_from[0] ? r->day.d.resumed_from : NULL;
  doc.interval = r->day.d.interval && r->day.d.interval[0] ? r->day.d.interval : NULL;
  argo__stats_pos *pos = calloc(r->day.d.nsymbols ? r->day.d.nsymbols : 1, sizeof *pos);
  if (pos) {
    for (size_t i = 0; i < r->day.d.nsymbols; i++) {
      pos[i].symbol = r->day.d.symbols[i];
      argo__stats_position(r->stats, i, &pos[i].long_qty, &pos[i].long_avg_price, &pos[i].short_qty,
                           &pos[i].short_avg_price);
    }
    doc.has_account = 1;
    doc.cash = r->cash;
    doc.positions = pos;
    doc.npositions = r->day.d.nsymbols;
  }
  argo__sb sb;
  argo__sb_init(&sb);
  argo_err rc = argo__stats_yaml_render(&doc, &sb);
  if (rc == ARGO_OK && argo__sb_failed(&sb)) {
    rc = ARGO_ENOMEM;
  }
  if (rc == ARGO_OK) {
    char path[ARGO_PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/stats.yaml", r->dir);
    if (argo__fs_write_replace(path, sb.buf, sb.len, r->err, sizeof r->err) != 0) {
      rc = ARGO_EIO;
    }
  } else {
    argo__fmt(r->err, sizeof r->err, "cannot render stats.yaml: %s", argo_strerror(rc));
  }
  argo__sb_free(&sb);
  free(pos);
  return rc;
}

static const char *status_of(const char *dir, char *buf, size_t len) {
  char path[ARGO_PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/stats.yaml", dir);
  char *text = NULL;
  buf[0] = '\0';
  if (argo__fs_read_all(path, &text, NULL) != 0) {
    return buf;
  }
  argo__stats_doc doc;
  char err[256];
  if (argo__stats_yaml_parse(text, &doc, err, sizeof err) == ARGO_OK) {
    argo__strlcpy(buf, doc.s.status ? doc.s.status : "", len);
    argo__stats_doc_free(&doc);
  }
  free(text);
  return buf;
}

/* A stats.yaml that exists but cannot be read is moved aside before recovery writes its own. */
static int keep_unreadable_stats(const char *dir, char *note, size_t len) {
  char path[ARGO_PATH_MAX + 128], *text = NULL;
  snprintf(path, sizeof path, "%s/stats.yaml", dir);
  if (!argo__fs_exists(path)) {
    return 0;
  }
  argo__stats_doc doc;
  char err[256];
  int bad = argo__fs_read_all(path, &text, NULL) != 0 ||
            argo__stats_yaml_parse(text, &doc, err, sizeof err) != ARGO_OK;
  if (!bad) {
    argo__stats_doc_free(&doc);
  }
  free(text);
  if (!bad) {
    return 0;
  }
  char to[ARGO_PATH_MAX + 160];
  if (move_aside(path, to, sizeof to) != 0) {
    return -1;
  }
  argo__fmt(note, len, "'%s' could not be read; moved aside to '%s'", path, to);
  return 1;
}

/* The temporary files of a publish that the crash interrupted (never a published file). */
static void remove_tmp_files(const char *dir) {
  for (int t = 0; t <= ARGO_T_COUNT; t++) {
    char path[ARGO_PATH_MAX + 128], tmp[ARGO_PATH_MAX + 160];
    snprintf(path, sizeof path, "%s/%s", dir,
             t < ARGO_T_COUNT ? argo__schema((argo__table_id)t)->file : "stats.yaml");
    argo__fs_tmp_name(path, tmp, sizeof tmp);
    unlink(tmp);
  }
}

static int remove_journal(const char *dir, char *err, size_t errlen) {
  char path[ARGO_PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/%s", dir, ARGO_JOURNAL_NAME);
  if (unlink(path) != 0 && errno != ENOENT) {
    int e = errno;
    argo__fmt_errno(err, errlen, e, "cannot remove '%s'", path);
    return -e;
  }
  return argo__fs_fsync_dir(dir, err, errlen);
}

/* Recovers a folder whose lock this process holds. */
static argo_err recover_locked(const char *dir, char *msg, size_t msglen) {
  char jpath[ARGO_PATH_MAX + 128], status[32];
  snprintf(jpath, sizeof jpath, "%s/%s", dir, ARGO_JOURNAL_NAME);
  msg[0] = '\0';
  if (!argo__fs_exists(jpath)) {
    return ARGO_ENOTFOUND;
  }
  /* A stats.yaml that says finished is written only once every table is final; the day is
   * still rebuilt from its journal (idempotent), and keeps that status. */
  int was_finished = strcmp(status_of(dir, status, sizeof status), "finished") == 0;
  char *data = NULL;
  size_t len = 0;
  int e = argo__fs_read_all(jpath, &data, &len);
  if (e) {
    argo__fmt_errno(msg, msglen, -e, "cannot read journal '%s'", jpath);
    return ARGO_EIO;
  }
  rebuild r;
  memset(&r, 0, sizeof r);
  r.dir = dir;
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    argo__batch_init(&r.b[t], (argo__table_id)t);
  }
  argo_err rc = ARGO_OK;
  argo__jreader rd;
  int type = 0;
  const unsigned char *p = NULL;
  size_t n = 0;
  char notes[2048] = "";
  int header_ok = argo__jreader_init(&rd, data, len) == ARGO_OK;
  int first = header_ok ? argo__jreader_next(&rd, &type, &p, &n) : 0;
  if (!first || type != ARGO_J_DAY || argo__jdecode_day(p, n, &r.day) != 0) {
    /* A journal cut before its first record was durable (short, or a valid header followed by
     * a torn first record): nothing was acknowledged in this folder, nothing to rebuild. */
    int empty = len < 16 || (header_ok && !first) || (!header_ok && len < 16 + 9);
    free(data);
    for (int t = 0; t < ARGO_T_COUNT; t++) {
      argo__batch_free(&r.b[t]);
    }
    if (empty) {
      /* The temporary files of a publish the crash interrupted go with the journal (before
       * the engine made the journal's first record durable ahead of the day's first files,
       * a crash while those were written left exactly this). */
      remove_tmp_files(dir);
      if (remove_journal(dir, msg, msglen) != 0) {
        return ARGO_EIO;
      }
      argo__fmt(msg, msglen, "%s: the journal was empty (nothing was recorded); removed it", dir);
      return ARGO_OK;
    }
    char to[ARGO_PATH_MAX + 160];
    int mv = move_aside(jpath, to, sizeof to);
    if (mv) {
      argo__fmt_errno(msg, msglen, -mv, "'%s' is not a readable journal and cannot be moved aside",
                      jpath);
    } else {
      argo__fmt(msg, msglen, "'%s' is not a readable journal; moved aside to '%s'", jpath, to);
    }
    return ARGO_ECORRUPT;
  }
  r.cash = r.day.d.cash;
  rc = argo__stats_new(&r.stats, r.day.d.capital, r.day.d.nsymbols);
  if (rc == ARGO_OK) {
    rc = argo__stats_load(r.stats, r.day.d.stats_state, r.day.d.stats_len);
  }
  if (rc) {
    argo__fmt(msg, msglen, "%s: the journal's statistics state cannot be loaded: %s", jpath,
              argo_strerror(rc));
    goto done;
  }
  r.last_event = r.day.d.day_start_event;
  rc = argo__store_open(&r.store, 1, r.err, sizeof r.err);
  if (rc) {
    argo__fmt(msg, msglen, "%s", r.err);
    goto done;
  }
  while (argo__jreader_next(&rd, &type, &p, &n) == 1) {
    rc = apply(&r, type, p, n);
    if (rc == ARGO_OK) {
      rc = flush(&r, 0);
    }
    if (rc) {
      argo__fmt(msg, msglen, "%s: record at offset %zu: %s", jpath, rd.pos - n - 9,
                rc == ARGO_ECORRUPT ? "malformed" : r.err);
      goto done;
    }
  }
  if (r.mark_pending) {
    argo__stats_mark(r.stats, r.mark_sym, r.mark_close);
  }
  rc = flush(&r, 1);
  if (rc) {
    argo__fmt(msg, msglen, "%s", r.err);
    goto done;
  }
  if (rd.torn) {
    argo__fmt(notes + strlen(notes), sizeof notes - strlen(notes),
              "; %zu bytes of torn or corrupt journal tail ignored", len - rd.good_end);
  }
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    char path[ARGO_PATH_MAX + 128], note[ARGO_ERRMSG_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, argo__schema((argo__table_id)t)->file);
    if (argo__recover_check_parquet(path, note, sizeof note) != 0) {
      argo__fmt(notes + strlen(notes), sizeof notes - strlen(notes), "; %s", note);
    }
    rc = argo__store_export(r.store, (argo__table_id)t, dir, r.err, sizeof r.err);
    if (rc) {
      argo__fmt(msg, msglen, "%s", r.err);
      goto done;
    }
  }
  remove_tmp_files(dir);
  {
    char note[ARGO_ERRMSG_MAX];
    if (keep_unreadable_stats(dir, note, sizeof note) > 0) {
      argo__fmt(notes + strlen(notes), sizeof notes - strlen(notes), "; %s", note);
    }
  }
  int finished = was_finished && r.saw_end;
  rc = write_stats(&r, finished ? "finished" : "crashed_recovered", r.last_event);
  if (rc) {
    argo__fmt(msg, msglen, "%s", r.err);
    goto done;
  }
  if (argo__fs_fsync_dir(dir, r.err, sizeof r.err) != 0 ||
      remove_journal(dir, r.err, sizeof r.err) != 0) {
    argo__fmt(msg, msglen, "%s", r.err);
    rc = ARGO_EIO;
    goto done;
  }
  char when[48];
  argo_time_format(r.last_event, when, sizeof when);
  if (finished) {
    argo__fmt(msg, msglen,
              "%s: the day was finished; its files were rebuilt from the journal left behind "
              "(%lld candles, %lld fills) and the journal removed%s",
              dir, (long long)r.candles, (long long)r.fills, notes);
  } else {
    argo__fmt(msg, msglen,
              "%s: recovered %lld candles, %lld orders, %lld fills, %lld marks, %lld logs from "
              "the journal; last event %s%s",
              dir, (long long)r.candles, (long long)r.orders, (long long)r.fills,
              (long long)r.marks, (long long)r.logs, when, notes);
  }
done:
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    argo__batch_free(&r.b[t]);
  }
  argo__store_close(r.store);
  argo__stats_free(r.stats);
  argo__jday_owned_free(&r.day);
  free(data);
  return rc;
}

argo_err argo__recover_folder(const char *dir, char *msg, size_t msglen) {
  char jpath[ARGO_PATH_MAX + 128];
  snprintf(jpath, sizeof jpath, "%s/%s", dir, ARGO_JOURNAL_NAME);
  msg[0] = '\0';
  if (!argo__fs_exists(jpath)) {
    return ARGO_ENOTFOUND;
  }
  /* A folder whose lock is held belongs to a session that is running: never touch it. */
  int lock = -1;
  int lrc = argo__session_lock(dir, &lock, msg, msglen);
  if (lrc == -EWOULDBLOCK) {
    msg[0] = '\0';
    return ARGO_ENOTFOUND;
  }
  if (lrc != 0) {
    return ARGO_EIO;
  }
  argo_err rc = recover_locked(dir, msg, msglen);
  argo__session_unlock(dir, lock, rc == ARGO_OK || rc == ARGO_ENOTFOUND);
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names in dir that pass keep(), sorted. */
static char **list_dir(const char *dir, int (*keep)(const char *), size_t *n) {
  *n = 0;
  DIR *d = opendir(dir);
  if (!d) {
    return NULL;
  }
  char **v = NULL;
  size_t cap = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (!keep(de->d_name)) {
      continue;
    }
    if (argo__grow((void **)&v, &cap, *n + 1, sizeof *v) != 0) {
      break;
    }
    v[*n] = argo__strdup(de->d_name);
    if (v[*n]) {
      (*n)++;
    }
  }
  closedir(d);
  if (*n) {
    qsort(v, *n, sizeof *v, cmp_str);
  }
  return v;
}

static int is_date(const char *name) {
  int64_t day;
  return argo__day_parse(name, &day) == 0;
}

static int is_run(const char *name) {
  return argo__session_run_number(name) > 0;
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i]);
  }
  free(v);
}

int argo__recover_all(const char *data_output, argo_recover_fn fn, void *user) {
  size_t ndays = 0;
  int count = 0;
  char **days = list_dir(data_output, is_date, &ndays);
  for (size_t i = 0; i < ndays; i++) {
    char day_dir[ARGO_PATH_MAX + 32];
    snprintf(day_dir, sizeof day_dir, "%s/%s", data_output, days[i]);
    size_t nruns = 0;
    char **runs = list_dir(day_dir, is_run, &nruns);
    for (size_t k = 0; k < nruns; k++) {
      char run_dir[ARGO_PATH_MAX + 64], jpath[ARGO_PATH_MAX + 128];
      snprintf(run_dir, sizeof run_dir, "%s/%s", day_dir, runs[k]);
      snprintf(jpath, sizeof jpath, "%s/%s", run_dir, ARGO_JOURNAL_NAME);
      if (!argo__fs_exists(jpath)) {
        /* A lock left by a session that died before it wrote its journal: nothing to recover,
         * the stale lock file goes (unless a live session holds it). */
        char lpath[ARGO_PATH_MAX + 128], lerr[256];
        int lock = -1;
        snprintf(lpath, sizeof lpath, "%s/.lock", run_dir);
        if (argo__fs_exists(lpath) && argo__session_lock(run_dir, &lock, lerr, sizeof lerr) == 0) {
          argo__session_unlock(run_dir, lock, !argo__fs_exists(jpath));
        }
        continue;
      }
      char msg[4096];
      argo_err rc = argo__recover_folder(run_dir, msg, sizeof msg);
      if (rc == ARGO_ENOTFOUND) {
        continue;
      }
      if (rc == ARGO_OK) {
        count++;
      }
      if (fn) {
        fn(run_dir, rc, msg, user);
      }
    }
    free_list(runs, nruns);
  }
  free_list(days, ndays);
  return count;
}

argo_err argo_recover(const char *data_output, argo_recover_fn fn, void *user, int *recovered) {
  if (!data_output) {
    return ARGO_EINVAL;
  }
  if (!argo__fs_is_dir(data_output)) {
    if (recovered) {
      *recovered = 0;
    }
    return argo__fs_exists(data_output) ? ARGO_EINVAL : ARGO_OK;
  }
  int n = argo__recover_all(data_output, fn, user);
  if (recovered) {
    *recovered = n;
  }
  return ARGO_OK;
}
