/*
 * Recovery (docs/files.md, "After a crash"): finalizes run-day folders that end in a crash. A
 * folder needs recovery when it holds a journal (.journal) and its stats.yaml does not say
 * finished, or when a session left it (its .lock) without a final stats.yaml or without
 * anything in it. The journal alone rebuilds the day: its first record carries the session's
 * identity and the statistics state at the day's start, and every row of the day follows.
 * Recovery loads the rows into a fresh in-memory store, replays fills and closes through the
 * statistics tracker, publishes the five Parquet files and stats.yaml (status
 * crashed_recovered, last_updated the time of the last recorded event) atomically, and only
 * then removes the journal. Every step is idempotent: a crash during recovery is recovered at
 * the next start.
 *
 * Nothing published is ever lost: when the journal is damaged (a bad record followed by valid
 * ones: the reader skips the damaged region) or holds fewer rows than a published file, the
 * published rows it lacks are merged in from the file, the statistics are replayed with them,
 * stats.yaml records the damage (journal_damage), the journal is kept as .journal.corrupt and
 * the folder is reported as ARGO_ECORRUPT. A folder with a journal that cannot be used at all
 * keeps its published files as they are and gets the same block. A folder a session created but
 * recorded nothing in is removed.
 *
 * A Parquet file of the folder that cannot be read is moved aside (".corrupt" suffix), never
 * overwritten or deleted; a journal that is not a journal is moved aside the same way.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <duckdb.h>

#include "core/stats.h"
#include "persist/dayfile.h"
#include "persist/duck.h"
#include "persist/empty_parquet.h"
#include "persist/journal.h"
#include "persist/recover.h"
#include "persist/rows.h"
#include "persist/schema.h"
#include "persist/session.h"
#include "persist/stats_yaml.h"
#include "persist/store.h"
#include "util/fsx.h"
#include "util/strbuf.h"
#include "util/timeu.h"
#include "util/util.h"

#define FLUSH_ROWS 65536

#define CORRUPT_SUFFIX ".corrupt"

static const argo__recover_how after_crash = {"crashed_recovered", NULL};

typedef struct live_pending {
  char id[ARGO_ID_MAX];
  char cid[96];
} live_pending;

typedef struct rebuild {
  const char *dir;
  const argo__recover_how *how;
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
  int has_damage;
  argo__stats_damage damage;
  /* Live orders (with a client order id) whose latest row is PENDING: the exchange may have
   * them; stats.yaml names them (live_orders_unknown). */
  live_pending *live;
  size_t nlive, live_cap;
  char err[ARGO_ERRMSG_MAX];
} rebuild;

/* A live order whose latest row is PENDING becomes, or stays, one of r->live; any other status
 * ends it. */
static argo_err track_live(rebuild *r, const argo_order *o, const char *cid) {
  size_t i = 0;
  while (i < r->nlive && strcmp(r->live[i].id, o->order_id) != 0) {
    i++;
  }
  if (o->status != ARGO_ORDER_PENDING) {
    if (i < r->nlive) {
      r->live[i] = r->live[--r->nlive];
    }
    return ARGO_OK;
  }
  if (i < r->nlive || !cid[0]) {
    return ARGO_OK;
  }
  if (argo__grow((void **)&r->live, &r->live_cap, r->nlive + 1, sizeof *r->live) != 0) {
    return ARGO_ENOMEM;
  }
  argo__strlcpy(r->live[r->nlive].id, o->order_id, sizeof r->live[0].id);
  argo__strlcpy(r->live[r->nlive].cid, cid, sizeof r->live[0].cid);
  r->nlive++;
  return ARGO_OK;
}

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

/* The statistics of a traded candle: it marks the previous one (see mark_pending). */
static void stat_candle(rebuild *r, uint16_t sym, double close) {
  if (r->mark_pending) {
    argo__stats_mark(r->stats, r->mark_sym, r->mark_close);
  }
  r->mark_pending = 1;
  r->mark_sym = sym;
  r->mark_close = close;
}

/* The statistics of a fill, exactly as the engine gave it, and the cash as the broker's moved. */
static argo_err stat_fill(rebuild *r, uint16_t sym, const argo_fill *f) {
  r->cash +=
      (f->side == ARGO_SIDE_SELL ? 1 : -1) * f->executed_qty * f->executed_price - f->commission;
  return argo__stats_fill(r->stats, sym, f);
}

/* The statistics at the day's start, from the journal's first record. */
static argo_err stats_start(rebuild *r) {
  argo__stats_free(r->stats);
  r->stats = NULL;
  r->cash = r->day.d.cash;
  r->mark_pending = 0;
  argo_err rc = argo__stats_new(&r->stats, r->day.d.capital, r->day.d.nsymbols);
  if (rc == ARGO_OK) {
    rc = argo__stats_load(r->stats, r->day.d.stats_state, r->day.d.stats_len);
  }
  return rc;
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
      stat_candle(r, c.sym, c.c.close);
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
    char cid[96];
    argo__jstr_copy(o.client_id, cid, sizeof cid);
    if (argo__rows_order(&r->b[ARGO_T_ORDERS], &o.o, sym, r->day.d.strategy_name, o.reason.p,
                         o.reason.n, cid) == (size_t)-1) {
      return ARGO_ENOMEM;
    }
    if (track_live(r, &o.o, cid) != ARGO_OK) {
      return ARGO_ENOMEM;
    }
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
    char asset[64], trade_id[64];
    argo__jstr_copy(f.commission_asset, asset, sizeof asset);
    argo__jstr_copy(f.trade_id, trade_id, sizeof trade_id);
    argo__fill_extra x = {asset, trade_id, NULL};
    if (argo__rows_fill(&r->b[ARGO_T_TRADES], &f.f, sym, &x) == (size_t)-1) {
      return ARGO_ENOMEM;
    }
    if (stat_fill(r, f.sym, &f.f) != ARGO_OK) {
      return ARGO_ENOMEM;
    }
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
  char q[8800], sql[9000], err[ARGO_ERRMSG_MAX];
  if (argo__duck_open(NULL, &db, &con, err, sizeof err) != ARGO_OK) {
    return 0; /* cannot judge: leave the file alone */
  }
  if (argo__sql_quote(path, q, sizeof q) == 0) {
    snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", q);
    if (argo__duck_exec(con, sql, err, sizeof err) != ARGO_OK) {
      bad = 1;
      argo__fmt(note, len, "%s", err);
    }
  }
  argo__duck_close(&db, &con);
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
  doc.by_symbol = argo__stats_symbols(r->stats, r->day.d.symbols);
  doc.nby_symbol = r->day.d.nsymbols;
  s->candles_day = r->candles;
  s->candles_total = r->day.d.candles_total + r->candles;
  s->equity = argo__stats_equity(r->stats);
  doc.run_collision = r->day.d.run_collision[0] ? r->day.d.run_collision : NULL;
  doc.resumed_from = r->day.d.resumed_from[0] ? r->day.d.resumed_from : NULL;
  doc.interval = r->day.d.interval && r->day.d.interval[0] ? r->day.d.interval : NULL;
  doc.stop_reason = r->how->stop_reason;
  doc.has_damage = r->has_damage;
  doc.damage = r->damage;
  const char **unknown = r->nlive ? calloc(r->nlive, sizeof *unknown) : NULL;
  if (r->nlive && !unknown) {
    argo__fmt(r->err, sizeof r->err, "out of memory writing %s/stats.yaml", r->dir);
    return ARGO_ENOMEM;
  }
  for (size_t i = 0; i < r->nlive; i++) {
    unknown[i] = r->live[i].cid;
  }
  doc.unknown_orders = unknown;
  doc.nunknown_orders = r->nlive;
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
  argo_err rc = argo__stats_yaml_write(&doc, r->dir, NULL, r->err, sizeof r->err);
  free(pos);
  free(unknown);
  return rc;
}

/* The status (and, when reason is not NULL, the stop_reason) of dir's stats.yaml; "" when it
 * cannot be read. */
static const char *status_of(const char *dir, char *buf, size_t len, char *reason,
                             size_t reason_len) {
  char path[ARGO_PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/stats.yaml", dir);
  char *text = NULL;
  buf[0] = '\0';
  if (reason) {
    reason[0] = '\0';
  }
  if (argo__fs_read_all(path, &text, NULL) != 0) {
    return buf;
  }
  argo__stats_doc doc;
  char err[256];
  if (argo__stats_yaml_parse(text, &doc, err, sizeof err) == ARGO_OK) {
    argo__strlcpy(buf, doc.s.status ? doc.s.status : "", len);
    if (reason && doc.stop_reason) {
      argo__strlcpy(reason, doc.stop_reason, reason_len);
    }
    argo__stats_doc_free(&doc);
  }
  free(text);
  return buf;
}

/* A status a session writes only once the day's files are final. */
static int final_status(const char *status) {
  return strcmp(status, "finished") == 0 || strcmp(status, "stopped") == 0 ||
         strcmp(status, "failed") == 0;
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
    if (argo__fs_tmp_name(path, tmp, sizeof tmp) == 0) {
      unlink(tmp);
    }
    if (t < ARGO_T_COUNT) {
      argo__dayfile_remove_hidden(path); /* the extended file's second inode and segment */
    }
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

/* A journal that could not be read whole is kept, never deleted: moved aside to
 * .journal.corrupt (or .journal.corrupt.N). Its new name goes to kept (the base name). */
static int keep_journal(const char *dir, char *kept, size_t keptlen, char *err, size_t errlen) {
  char path[ARGO_PATH_MAX + 128], to[ARGO_PATH_MAX + 160];
  snprintf(path, sizeof path, "%s/%s", dir, ARGO_JOURNAL_NAME);
  int rc = move_aside(path, to, sizeof to);
  if (rc) {
    argo__fmt_errno(err, errlen, -rc, "cannot move the damaged journal '%s' aside", path);
    return rc;
  }
  const char *base = strrchr(to, '/');
  argo__strlcpy(kept, base ? base + 1 : to, keptlen);
  return argo__fs_fsync_dir(dir, err, errlen);
}

/* Removes dir when it holds nothing a session recorded: no stats.yaml, and no Parquet file or
 * only empty tables (the very bytes of an empty file), nothing else but a lock and temporary
 * files. 1 removed, 0 not empty, -1 error (err). */
static int remove_if_empty(const char *dir, char *err, size_t errlen) {
  DIR *d = opendir(dir);
  if (!d) {
    return 0;
  }
  int empty = 1;
  struct dirent *de;
  while (empty && (de = readdir(d)) != NULL) {
    const char *n = de->d_name;
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, ".lock") == 0) {
      continue;
    }
    empty = 0;
    for (int t = 0; t < ARGO_T_COUNT; t++) {
      if (strcmp(n, argo__schema((argo__table_id)t)->file) == 0) {
        char path[ARGO_PATH_MAX + 128], *data = NULL;
        size_t len = 0, elen = 0;
        const unsigned char *bytes = argo__empty_parquet((argo__table_id)t, &elen);
        snprintf(path, sizeof path, "%s/%s", dir, n);
        empty = argo__fs_read_all(path, &data, &len) == 0 && len == elen &&
                memcmp(data, bytes, len) == 0;
        free(data);
      }
    }
  }
  closedir(d);
  if (!empty) {
    return 0;
  }
  for (int t = 0; t <= ARGO_T_COUNT; t++) {
    char path[ARGO_PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/%s", dir,
             t < ARGO_T_COUNT ? argo__schema((argo__table_id)t)->file : ".lock");
    unlink(path);
  }
  if (rmdir(dir) != 0) {
    argo__fmt_errno(err, errlen, errno, "cannot remove the empty folder '%s'", dir);
    return -1;
  }
  char parent[ARGO_PATH_MAX + 64];
  argo__strlcpy(parent, dir, sizeof parent);
  char *slash = strrchr(parent, '/');
  if (slash) {
    *slash = '\0';
    rmdir(parent); /* the day folder too, when this was its only run (fails otherwise) */
  }
  return 1;
}

/* Finalizes a folder without a usable journal (none, an empty one, or one too damaged to use):
 * a folder that holds nothing is removed; otherwise the five files are completed with empty
 * tables where missing and stats.yaml says how the session ended (status crashed_recovered, or
 * how->status), keeping the figures it had. damage (NULL: none) goes into stats.yaml. ARGO_OK,
 * or ARGO_ECORRUPT when there is no readable stats.yaml to finalize (the files stay as they
 * are). */
static argo_err finalize_bare(const char *dir, const argo__recover_how *how,
                              const argo__stats_damage *damage, char *msg, size_t msglen) {
  char err[ARGO_ERRMSG_MAX];
  remove_tmp_files(dir);
  int rm = remove_if_empty(dir, err, sizeof err);
  if (rm != 0) {
    if (rm < 0) {
      argo__fmt(msg, msglen, "%s", err);
      return ARGO_EIO;
    }
    argo__fmt(msg, msglen, "%s: removed: its session created it but recorded nothing in it", dir);
    return ARGO_OK;
  }
  char path[ARGO_PATH_MAX + 128], *text = NULL;
  snprintf(path, sizeof path, "%s/stats.yaml", dir);
  argo__stats_doc doc;
  if (argo__fs_read_all(path, &text, NULL) != 0 ||
      argo__stats_yaml_parse(text, &doc, err, sizeof err) != ARGO_OK) {
    free(text);
    argo__fmt(msg, msglen,
              "%s: no usable journal and no readable stats.yaml: its files are kept as they are",
              dir);
    return ARGO_ECORRUPT;
  }
  free(text);
  int open_day = strcmp(doc.s.status, "running") == 0;
  argo_err rc = ARGO_OK;
  for (int t = 0; t < ARGO_T_COUNT && rc == ARGO_OK; t++) {
    snprintf(path, sizeof path, "%s/%s", dir, argo__schema((argo__table_id)t)->file);
    if (!argo__fs_exists(path)) {
      rc = argo__empty_parquet_write((argo__table_id)t, dir, err, sizeof err);
    }
  }
  char *status = NULL;
  if (rc == ARGO_OK && (open_day || damage)) {
    if (open_day) {
      status = (char *)doc.s.status;
      doc.s.status = how->status;
      if (!doc.stop_reason) {
        const char *why =
            how->stop_reason ? how->stop_reason
            : doc.journal_off
                ? "the session crashed; engine.journal was off, so the rows it had not yet "
                  "published are lost"
                : "the session crashed before its journal held anything of this day";
        doc.stop_reason = argo__strdup(why);
      }
    }
    if (damage) {
      char *kept = damage->kept_as ? argo__strdup(damage->kept_as) : NULL;
      free((char *)doc.damage.kept_as);
      doc.has_damage = 1;
      doc.damage = *damage;
      doc.damage.kept_as = kept;
    }
    free((char *)doc.s.run_dir);
    doc.s.run_dir = argo__strdup(dir); /* the folder as found now */
    rc = argo__stats_yaml_write(&doc, dir, NULL, err, sizeof err);
    if (open_day) {
      doc.s.status = status;
    }
  }
  if (rc == ARGO_OK) {
    rc = argo__fs_fsync_dir(dir, err, sizeof err) ? ARGO_EIO : ARGO_OK;
  }
  if (rc) {
    argo__fmt(msg, msglen, "%s", err);
  } else {
    argo__fmt(msg, msglen, "%s: finalized without a journal: status %s%s%s", dir,
              open_day ? how->status : doc.s.status, doc.journal_off ? " (engine.journal off)" : "",
              damage ? "; the damaged journal is kept" : "");
  }
  argo__stats_doc_free(&doc);
  return rc;
}

/* ---- merging published rows --------------------------------------------------------------- */

/* A row the published files held and the journal lacked, for the statistics. */
typedef struct restored {
  int64_t t;
  int kind; /* 0 candle, 1 fill: at equal times a candle comes before its fills */
  uint16_t sym;
  double close;
  argo_fill f;
} restored;

static int cmp_restored(const void *a, const void *b) {
  const restored *x = a, *y = b;
  if (x->t != y->t) {
    return x->t < y->t ? -1 : 1;
  }
  return x->kind - y->kind;
}

static long sym_index(const rebuild *r, const char *s, size_t n) {
  for (size_t i = 0; i < r->day.d.nsymbols; i++) {
    if (strlen(r->day.d.symbols[i]) == n && memcmp(r->day.d.symbols[i], s, n) == 0) {
      return (long)i;
    }
  }
  return -1;
}

static int text_is(const argo__batch *b, int col, size_t row, const char *want) {
  size_t n;
  const char *s = argo__batch_get_text(b, col, row, &n);
  return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* The restored trades and traded candles as events in time order (*out malloc'ed). */
static size_t restored_events(rebuild *r, const argo__batch *trades, const argo__batch *md,
                              restored **out) {
  *out = calloc(trades->rows + md->rows + 1, sizeof **out);
  if (!*out) {
    return 0;
  }
  size_t n = 0;
  for (size_t i = 0; i < md->rows; i++) {
    size_t sl;
    const char *s = argo__batch_get_text(md, MD_SYMBOL, i, &sl);
    long sym = sym_index(r, s, sl);
    int64_t t = md->cols[MD_TIME].i64[i];
    seen(r, t);
    if (sym < 0 || md->cols[MD_HISTORY].i64[i]) {
      continue; /* history is stored, never marked */
    }
    r->candles++;
    (*out)[n++] =
        (restored){.t = t, .kind = 0, .sym = (uint16_t)sym, .close = md->cols[MD_CLOSE].f64[i]};
  }
  for (size_t i = 0; i < trades->rows; i++) {
    size_t sl, il;
    const char *s = argo__batch_get_text(trades, TRD_SYMBOL, i, &sl);
    long sym = sym_index(r, s, sl);
    restored *e = &(*out)[n];
    memset(e, 0, sizeof *e);
    const char *id = argo__batch_get_text(trades, TRD_ORDER_ID, i, &il);
    if (il >= sizeof e->f.order_id) {
      il = sizeof e->f.order_id - 1;
    }
    memcpy(e->f.order_id, id, il);
    e->f.side = text_is(trades, TRD_SIDE, i, "SELL") ? ARGO_SIDE_SELL : ARGO_SIDE_BUY;
    e->f.position_type =
        text_is(trades, TRD_POSTYPE, i, "SHORT") ? ARGO_POSITION_SHORT : ARGO_POSITION_LONG;
    e->f.quantity = trades->cols[TRD_QTY].f64[i];
    e->f.price = trades->cols[TRD_PRICE].f64[i];
    e->f.timestamp = trades->cols[TRD_TS].i64[i];
    e->f.executed_at = trades->cols[TRD_EXEC_AT].i64[i];
    e->f.executed_qty = trades->cols[TRD_EXEC_QTY].f64[i];
    e->f.executed_price = trades->cols[TRD_EXEC_PRICE].f64[i];
    e->f.commission = trades->cols[TRD_COMMISSION].f64[i];
    e->f.pnl = trades->cols[TRD_PNL].f64[i];
    seen(r, e->f.executed_at);
    r->fills++;
    if (sym < 0) {
      continue;
    }
    e->t = e->f.executed_at;
    e->kind = 1;
    e->sym = (uint16_t)sym;
    n++;
  }
  qsort(*out, n, sizeof **out, cmp_restored);
  return n;
}

static argo_err apply_restored(rebuild *r, const restored *e) {
  if (e->kind == 0) {
    stat_candle(r, e->sym, e->close);
    return ARGO_OK;
  }
  return stat_fill(r, e->sym, &e->f);
}

/* The statistics again from the day's start, with the restored rows in their places among the
 * journal's (a restored event goes before the first journal event that comes after it). */
static argo_err replay_stats(rebuild *r, const char *data, size_t len, const restored *ev,
                             size_t nev) {
  argo_err rc = stats_start(r);
  if (rc) {
    return rc;
  }
  argo__jreader rd;
  if (argo__jreader_init(&rd, data, len) != ARGO_OK) {
    return ARGO_ECORRUPT; /* read once already: cannot happen */
  }
  int type;
  const unsigned char *p;
  size_t n, k = 0;
  while (rc == ARGO_OK && argo__jreader_next(&rd, &type, &p, &n) == 1) {
    restored at;
    if (type == ARGO_J_CANDLE) {
      argo__jcandle c;
      if (argo__jdecode_candle(p, n, &c) != 0 || !sym_name(r, c.sym)) {
        continue;
      }
      at = (restored){.t = c.c.time, .kind = 0, .sym = c.sym, .close = c.c.close};
    } else if (type == ARGO_J_FILL) {
      argo__jfill f;
      if (argo__jdecode_fill(p, n, &f) != 0 || !sym_name(r, f.sym)) {
        continue;
      }
      at = (restored){.t = f.f.executed_at, .kind = 1, .sym = f.sym, .f = f.f};
    } else {
      continue;
    }
    while (rc == ARGO_OK && k < nev && cmp_restored(&ev[k], &at) < 0) {
      rc = apply_restored(r, &ev[k++]);
    }
    if (rc == ARGO_OK) {
      rc = apply_restored(r, &at);
    }
  }
  while (rc == ARGO_OK && k < nev) {
    rc = apply_restored(r, &ev[k++]);
  }
  if (rc == ARGO_OK && r->mark_pending) {
    argo__stats_mark(r->stats, r->mark_sym, r->mark_close);
  }
  return rc;
}

/* Every table: a published file that cannot be read is moved aside; when the journal is damaged
 * or holds fewer rows than a published file, the rows only that file holds are merged in. The
 * statistics are replayed when trades or candles came back that way. */
static argo_err merge_published(rebuild *r, const char *data, size_t len, char *notes,
                                size_t notes_len) {
  argo__batch got[ARGO_T_COUNT];
  argo_err rc = ARGO_OK;
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    argo__batch_init(&got[t], (argo__table_id)t);
  }
  for (int t = 0; t < ARGO_T_COUNT && rc == ARGO_OK; t++) {
    char path[ARGO_PATH_MAX + 128], note[ARGO_ERRMSG_MAX];
    snprintf(path, sizeof path, "%s/%s", r->dir, argo__schema((argo__table_id)t)->file);
    if (argo__recover_check_parquet(path, note, sizeof note) != 0) {
      argo__fmt(notes + strlen(notes), notes_len - strlen(notes), "; %s", note);
    }
    if (!argo__fs_exists(path)) {
      continue;
    }
    int64_t published = argo__store_file_rows(r->store, path, note, sizeof note);
    if (published < 0 ||
        (!r->has_damage && published <= argo__store_count(r->store, (argo__table_id)t))) {
      continue;
    }
    rc = argo__store_merge_file(r->store, (argo__table_id)t, path, &got[t], r->err, sizeof r->err);
    r->damage.restored[t] = (int64_t)got[t].rows;
    if (got[t].rows) {
      r->has_damage = 1;
    }
  }
  r->orders += r->damage.restored[ARGO_T_ORDERS];
  r->marks += r->damage.restored[ARGO_T_MARKS];
  r->logs += r->damage.restored[ARGO_T_LOGS];
  if (rc == ARGO_OK && (got[ARGO_T_TRADES].rows || got[ARGO_T_MARKET_DATA].rows)) {
    restored *ev = NULL;
    size_t nev = restored_events(r, &got[ARGO_T_TRADES], &got[ARGO_T_MARKET_DATA], &ev);
    rc = ev ? replay_stats(r, data, len, ev, nev) : ARGO_ENOMEM;
    free(ev);
    if (rc) {
      argo__fmt(r->err, sizeof r->err, "cannot replay the statistics: %s", argo_strerror(rc));
    }
  }
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    argo__batch_free(&got[t]);
  }
  return rc;
}

/* ---- one folder ---------------------------------------------------------------------------- */

/* Recovers a folder whose lock this process holds. */
static argo_err recover_locked(const char *dir, const argo__recover_how *how, char *msg,
                               size_t msglen) {
  char jpath[ARGO_PATH_MAX + 128], status[32];
  snprintf(jpath, sizeof jpath, "%s/%s", dir, ARGO_JOURNAL_NAME);
  msg[0] = '\0';
  if (!argo__fs_exists(jpath)) {
    return finalize_bare(dir, how, NULL, msg, msglen);
  }
  /* A stats.yaml that says finished is written only once every table is final; the day is
   * still rebuilt from its journal (idempotent), and keeps that status. */
  char reason[ARGO_ERRMSG_MAX];
  int was_final = final_status(status_of(dir, status, sizeof status, reason, sizeof reason));
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
  r.how = how;
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    argo__batch_init(&r.b[t], (argo__table_id)t);
  }
  argo_err rc = ARGO_OK;
  argo__jreader rd;
  int type = 0;
  const unsigned char *p = NULL;
  size_t n = 0;
  char notes[2048] = "", kept[64] = "";
  int header_ok = argo__jreader_init(&rd, data, len) == ARGO_OK;
  int first = header_ok ? argo__jreader_next(&rd, &type, &p, &n) : 0;
  if (!first || rd.damaged || type != ARGO_J_DAY || argo__jdecode_day(p, n, &r.day) != 0) {
    /* A journal cut before its first record was durable (short, or a valid header followed by
     * a torn first record): nothing was acknowledged in this folder, nothing to rebuild. */
    int empty = !rd.damaged && (len < 16 || (header_ok && !first) || (!header_ok && len < 16 + 9));
    size_t damaged_bytes = len > 16 ? len - 16 : len;
    free(data);
    for (int t = 0; t < ARGO_T_COUNT; t++) {
      argo__batch_free(&r.b[t]);
    }
    if (empty) {
      /* The temporary files of a publish the crash interrupted go with the journal. */
      if (remove_journal(dir, msg, msglen) != 0) {
        return ARGO_EIO;
      }
      rc = finalize_bare(dir, how, NULL, msg, msglen);
      if (rc == ARGO_OK) {
        argo__fmt(notes, sizeof notes, "%s", msg);
        argo__fmt(msg, msglen, "%s: the journal was empty (nothing was recorded); removed it. %s",
                  dir, notes);
      }
      return rc;
    }
    /* The start of the day (its first record) is lost: the journal cannot rebuild anything. It
     * is kept aside, and the published files stay as they are. */
    char why[ARGO_ERRMSG_MAX];
    if (keep_journal(dir, kept, sizeof kept, why, sizeof why) != 0) {
      argo__fmt(msg, msglen, "'%s' is not a readable journal and %s", jpath, why);
      return ARGO_EIO;
    }
    argo__stats_damage dmg = {.regions = 0, .bytes = (int64_t)damaged_bytes, .kept_as = kept};
    finalize_bare(dir, how, &dmg, notes, sizeof notes);
    argo__fmt(msg, msglen,
              "'%s' is not a readable journal (its first record is damaged); moved aside to "
              "'%s/%s'; the published files are kept as they are (%s)",
              jpath, dir, kept, notes);
    return ARGO_ECORRUPT;
  }
  rc = stats_start(&r);
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
                rc == ARGO_ECORRUPT ? "malformed"
                : r.err[0]          ? r.err
                                    : argo_strerror(rc));
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
  if (rd.damaged) {
    r.has_damage = 1;
    r.damage.regions = (int64_t)rd.damaged;
    r.damage.bytes = (int64_t)rd.damaged_bytes;
    argo__fmt(notes + strlen(notes), sizeof notes - strlen(notes),
              "; the journal is damaged: %zu bytes in %zu region%s from offset %zu skipped",
              rd.damaged_bytes, rd.damaged, rd.damaged == 1 ? "" : "s", rd.first_damage);
  }
  if (rd.torn) {
    argo__fmt(notes + strlen(notes), sizeof notes - strlen(notes),
              "; %zu bytes of torn journal tail ignored", len - rd.good_end);
  }
  rc = merge_published(&r, data, len, notes, sizeof notes);
  if (rc) {
    argo__fmt(msg, msglen, "%s", r.err);
    goto done;
  }
  if (r.has_damage) {
    int64_t all = 0;
    for (int t = 0; t < ARGO_T_COUNT; t++) {
      all += r.damage.restored[t];
    }
    argo__fmt(notes + strlen(notes), sizeof notes - strlen(notes),
              "; %lld rows the journal lacked were taken from the published files", (long long)all);
    r.damage.kept_as = ARGO_JOURNAL_NAME CORRUPT_SUFFIX; /* its name once moved aside below */
  }
  for (int t = 0; t < ARGO_T_COUNT; t++) {
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
  /* A day whose journal ends with its end record and whose stats.yaml is final keeps that
   * status and its reason. Without a final stats.yaml it says the run ended by a crash, unless
   * the session is ending without its engine thread (how is not a crash's): its days that
   * ended before are finished. */
  int finished = was_final && r.saw_end;
  argo__recover_how kept_how = {status, reason[0] ? reason : NULL};
  const char *st = finished ? status : r.saw_end && how != &after_crash ? "finished" : how->status;
  if (finished) {
    r.how = &kept_how;
  }
  if (r.has_damage && argo__fs_exists(jpath)) {
    /* Where the journal will be: written before it moves, so that a crash in between leaves
     * the journal to recover again. */
    char to[ARGO_PATH_MAX + 160];
    for (int i = 0; i < 1000; i++) {
      if (i == 0) {
        snprintf(to, sizeof to, "%s%s", jpath, CORRUPT_SUFFIX);
      } else {
        snprintf(to, sizeof to, "%s%s.%d", jpath, CORRUPT_SUFFIX, i);
      }
      if (!argo__fs_exists(to)) {
        break;
      }
    }
    argo__strlcpy(kept, strrchr(to, '/') + 1, sizeof kept);
    r.damage.kept_as = kept;
  }
  rc = write_stats(&r, st, r.last_event);
  if (rc) {
    argo__fmt(msg, msglen, "%s", r.err);
    goto done;
  }
  if (argo__fs_fsync_dir(dir, r.err, sizeof r.err) != 0) {
    argo__fmt(msg, msglen, "%s", r.err);
    rc = ARGO_EIO;
    goto done;
  }
  if (r.has_damage) {
    if (keep_journal(dir, kept, sizeof kept, r.err, sizeof r.err) != 0) {
      argo__fmt(msg, msglen, "%s", r.err);
      rc = ARGO_EIO;
      goto done;
    }
  } else if (remove_journal(dir, r.err, sizeof r.err) != 0) {
    argo__fmt(msg, msglen, "%s", r.err);
    rc = ARGO_EIO;
    goto done;
  }
  char when[48];
  argo_time_format(r.last_event, when, sizeof when);
  if (finished) {
    argo__fmt(msg, msglen,
              "%s: the day was %s; its files were rebuilt from the journal left behind "
              "(%lld candles, %lld fills) and the journal removed%s",
              dir, st, (long long)r.candles, (long long)r.fills, notes);
  } else {
    argo__fmt(msg, msglen,
              "%s: recovered %lld candles, %lld orders, %lld fills, %lld marks, %lld logs from "
              "the journal; last event %s; status %s%s",
              dir, (long long)r.candles, (long long)r.orders, (long long)r.fills,
              (long long)r.marks, (long long)r.logs, when, st, notes);
  }
  if (r.nlive) {
    argo__fmt(
        msg + strlen(msg), msglen - strlen(msg),
        "; %zu live order%s left PENDING: only the exchange knows what became of %s (stats.yaml "
        "live_orders_unknown: %s%s); the next session with that broker on this data output "
        "asks it, as does 'argo recover --online'",
        r.nlive, r.nlive == 1 ? "" : "s", r.nlive == 1 ? "it" : "them", r.live[0].cid,
        r.nlive > 1 ? ", ..." : "");
  }
  if (r.has_damage) {
    /* Finalized, but something was wrong: the caller reports it as an error. */
    argo__fmt(msg + strlen(msg), msglen - strlen(msg), "; the damaged journal is kept as '%s'",
              kept);
    rc = ARGO_ECORRUPT;
  }
done:
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    argo__batch_free(&r.b[t]);
  }
  argo__store_close(r.store);
  argo__stats_free(r.stats);
  argo__jday_owned_free(&r.day);
  free(r.live);
  free(data);
  return rc;
}

argo_err argo__recover_locked(const char *dir, const argo__recover_how *how, char *msg,
                              size_t msglen) {
  return recover_locked(dir, how ? how : &after_crash, msg, msglen);
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
  argo_err rc = recover_locked(dir, &after_crash, msg, msglen);
  argo__session_unlock(dir, lock, rc == ARGO_OK || rc == ARGO_ECORRUPT || rc == ARGO_ENOTFOUND);
  return rc;
}

/* A folder without a journal that a session left (its .lock is there, nobody holds it): a
 * final stats.yaml means the lock is stale; otherwise the session died before its journal held
 * anything of the day, or ran without one: finalize_bare. ARGO_ENOTFOUND: nothing to do. */
static argo_err recover_bare(const char *dir, char *msg, size_t msglen) {
  char lpath[ARGO_PATH_MAX + 128], status[32];
  snprintf(lpath, sizeof lpath, "%s/.lock", dir);
  msg[0] = '\0';
  /* No lock file: a run folder is created with its .lock (session.c), so no session of this
   * version is writing it; its stats.yaml, if any, was final. */
  if (!argo__fs_exists(lpath)) {
    return ARGO_ENOTFOUND;
  }
  int lock = -1;
  if (argo__session_lock(dir, &lock, msg, msglen) != 0) {
    msg[0] = '\0';
    return ARGO_ENOTFOUND; /* a running session's, or not ours to judge */
  }
  argo_err rc = ARGO_ENOTFOUND;
  char jpath[ARGO_PATH_MAX + 128];
  snprintf(jpath, sizeof jpath, "%s/%s", dir, ARGO_JOURNAL_NAME);
  status_of(dir, status, sizeof status, NULL, 0);
  if (argo__fs_exists(jpath)) {
    rc = recover_locked(dir, &after_crash, msg, msglen); /* it appeared meanwhile */
  } else if (status[0] == '\0' || strcmp(status, "running") == 0) {
    rc = finalize_bare(dir, &after_crash, NULL, msg, msglen);
  }
  argo__session_unlock(dir, lock, argo__fs_is_dir(dir));
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

static int is_claim(const char *name) {
  return strncmp(name, ARGO_CLAIM_PREFIX, strlen(ARGO_CLAIM_PREFIX)) == 0;
}

/* A run folder a crash caught while it was being claimed (session.c): nothing but its .lock,
 * which nobody holds any more. A claim whose lock does not exist yet is being made by a session
 * at this very moment, unless it is old (the crash came between its two steps). */
static void remove_stale_claims(const char *day_dir) {
  size_t n = 0;
  char **claims = list_dir(day_dir, is_claim, &n);
  for (size_t i = 0; i < n; i++) {
    char dir[ARGO_PATH_MAX + 64], lpath[ARGO_PATH_MAX + 128];
    struct stat st;
    if (argo__path(dir, sizeof dir, NULL, 0, "%s/%s", day_dir, claims[i]) != 0 ||
        argo__path(lpath, sizeof lpath, NULL, 0, "%s/.lock", dir) != 0) {
      continue;
    }
    int fd = open(lpath, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT && stat(dir, &st) == 0 && time(NULL) - st.st_mtime > 60) {
        rmdir(dir);
      }
      continue;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      unlink(lpath);
      rmdir(dir);
    }
    close(fd);
  }
  free_list(claims, n);
}

int argo__recover_all(const char *data_output, argo_recover_fn fn, void *user, argo_err *first) {
  size_t ndays = 0;
  int count = 0;
  if (first) {
    *first = ARGO_OK;
  }
  char **days = list_dir(data_output, is_date, &ndays);
  for (size_t i = 0; i < ndays; i++) {
    char day_dir[ARGO_PATH_MAX + 32];
    snprintf(day_dir, sizeof day_dir, "%s/%s", data_output, days[i]);
    remove_stale_claims(day_dir);
    size_t nruns = 0;
    char **runs = list_dir(day_dir, is_run, &nruns);
    for (size_t k = 0; k < nruns; k++) {
      char run_dir[ARGO_PATH_MAX + 64], jpath[ARGO_PATH_MAX + 128];
      snprintf(run_dir, sizeof run_dir, "%s/%s", day_dir, runs[k]);
      snprintf(jpath, sizeof jpath, "%s/%s", run_dir, ARGO_JOURNAL_NAME);
      char msg[4096];
      argo_err rc = argo__fs_exists(jpath) ? argo__recover_folder(run_dir, msg, sizeof msg)
                                           : recover_bare(run_dir, msg, sizeof msg);
      if (rc == ARGO_ENOTFOUND) {
        continue;
      }
      if (rc == ARGO_OK || rc == ARGO_ECORRUPT) {
        count++; /* finalized (ECORRUPT: with damage that is reported) */
      }
      if (rc != ARGO_OK && first && *first == ARGO_OK) {
        *first = rc;
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
  argo_err first = ARGO_OK;
  int n = argo__recover_all(data_output, fn, user, &first);
  if (recovered) {
    *recovered = n;
  }
  return first;
}
