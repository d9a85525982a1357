/* Round trips; see trips.h. */
#include "inspect/trips.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fifo.h"
#include "persist/duck.h"
#include "util/misc.h"
#include "util/util.h"

/* ---- pairing ------------------------------------------------------------------------------ */

typedef struct books {
  argo__book b[2]; /* [0] long, [1] short */
} books;

struct argo__trips {
  argo__map books; /* session "\x1f" symbol -> books */
  books **all;     /* every books of the map, to free them */
  size_t nall, cap;
};

argo_err argo__trips_new(argo__trips **out) {
  *out = calloc(1, sizeof **out);
  if (!*out) {
    return ARGO_ENOMEM;
  }
  argo__map_init(&(*out)->books);
  return ARGO_OK;
}

void argo__trips_free(argo__trips *t) {
  if (!t) {
    return;
  }
  for (size_t i = 0; i < t->nall; i++) {
    argo__book_free(&t->all[i]->b[0]);
    argo__book_free(&t->all[i]->b[1]);
    free(t->all[i]);
  }
  free(t->all);
  argo__map_free(&t->books);
  free(t);
}

typedef struct piece_ctx {
  argo__trip_fn fn;
  void *user;
  int is_short;
  double pnl; /* of the pieces matched */
} piece_ctx;

static void on_piece(void *user, const argo__piece *p) {
  piece_ctx *c = user;
  argo__trip t = {c->is_short,   1,
                  p->qty,        p->entry_price,
                  p->exit_price, p->entry_fee + p->exit_fee,
                  p->pnl,        p->entry_time,
                  p->exit_time};
  c->pnl += p->pnl;
  c->fn(c->user, &t);
}

argo_err argo__trips_add(argo__trips *t, const argo__trip_fill *f, argo__trip_fn fn, void *user) {
  char key[512];
  snprintf(key, sizeof key, "%s\x1f%s", f->session ? f->session : "", f->symbol ? f->symbol : "");
  void **slot = argo__map_get(&t->books, key);
  books *b = slot ? *slot : NULL;
  if (!b) {
    b = calloc(1, sizeof *b);
    if (!b || argo__grow((void **)&t->all, &t->cap, t->nall + 1, sizeof *t->all) != 0 ||
        argo__map_put(&t->books, key, b) != 0) {
      free(b);
      return ARGO_ENOMEM;
    }
    t->all[t->nall++] = b;
  }
  int is_short = f->ptype == ARGO_POSITION_SHORT;
  argo__book *bk = &b->b[is_short];
  int opening = is_short ? f->side == ARGO_SIDE_SELL : f->side == ARGO_SIDE_BUY;
  if (!(f->qty > 0)) {
    return ARGO_OK; /* not a fill argo writes: nothing to pair */
  }
  if (opening) {
    return argo__book_open(bk, f->qty, f->price, f->fee, f->time) ? ARGO_ENOMEM : ARGO_OK;
  }
  piece_ctx c = {fn, user, is_short, 0};
  double matched = f->qty, pnl;
  if (f->qty > bk->qty + ARGO_QTY_EPS) {
    matched = bk->qty > ARGO_QTY_EPS ? bk->qty : 0;
  }
  /* The matched part pays its share of the fill's fee, as the statistics' pieces do. */
  if (matched > 0) {
    argo__book_close(bk, is_short, matched, f->price, f->fee * (matched / f->qty), f->time,
                     on_piece, &c, &pnl);
  }
  if (matched < f->qty) {
    double rest = f->qty - matched;
    argo__trip r = {is_short,       0, rest,   0, f->price, f->fee * (rest / f->qty),
                    f->pnl - c.pnl, 0, f->time};
    fn(user, &r);
  }
  return ARGO_OK;
}

/* ---- the table function argo_round_trips() ------------------------------------------------- */

typedef struct fill_rec {
  int32_t date;
  char *run, *session_id, *symbol, *order_id;
} fill_rec;

typedef struct trip_row {
  argo__trip t;
  size_t fill;
} trip_row;

typedef struct scan {
  fill_rec *fills;
  size_t nfills;
  trip_row *rows;
  size_t nrows, cap, next;
  int failed;
} scan;

static void scan_free(void *p) {
  scan *s = p;
  for (size_t i = 0; i < s->nfills; i++) {
    free(s->fills[i].run);
    free(s->fills[i].session_id);
    free(s->fills[i].symbol);
    free(s->fills[i].order_id);
  }
  free(s->fills);
  free(s->rows);
  free(s);
}

static void add_row(void *user, const argo__trip *t) {
  scan *s = user;
  if (argo__grow((void **)&s->rows, &s->cap, s->nrows + 1, sizeof *s->rows) != 0) {
    s->failed = 1;
    return;
  }
  s->rows[s->nrows++] = (trip_row){*t, s->nfills - 1};
}

enum {
  C_DATE,
  C_RUN,
  C_SESSION,
  C_SYMBOL,
  C_SIDE,
  C_QTY,
  C_ENTRY_TIME,
  C_ENTRY_PRICE,
  C_EXIT_TIME,
  C_EXIT_PRICE,
  C_PNL,
  C_RETURN,
  C_DURATION,
  C_FEES,
  C_ORDER,
  C_COUNT
};

static const struct {
  const char *name;
  duckdb_type type;
} cols[C_COUNT] = {
    {"date", DUCKDB_TYPE_DATE},
    {"run", DUCKDB_TYPE_VARCHAR},
    {"session_id", DUCKDB_TYPE_VARCHAR},
    {"symbol", DUCKDB_TYPE_VARCHAR},
    {"side", DUCKDB_TYPE_VARCHAR},
    {"quantity", DUCKDB_TYPE_DOUBLE},
    {"entry_time", DUCKDB_TYPE_TIMESTAMP_TZ},
    {"entry_price", DUCKDB_TYPE_DOUBLE},
    {"exit_time", DUCKDB_TYPE_TIMESTAMP_TZ},
    {"exit_price", DUCKDB_TYPE_DOUBLE},
    {"pnl", DUCKDB_TYPE_DOUBLE},
    {"return_pct", DUCKDB_TYPE_DOUBLE},
    {"duration", DUCKDB_TYPE_INTERVAL},
    {"fees", DUCKDB_TYPE_DOUBLE},
    {"exit_order_id", DUCKDB_TYPE_VARCHAR},
};

static void tf_bind(duckdb_bind_info info) {
  for (int c = 0; c < C_COUNT; c++) {
    duckdb_logical_type t = duckdb_create_logical_type(cols[c].type);
    duckdb_bind_add_result_column(info, cols[c].name, t);
    duckdb_destroy_logical_type(&t);
  }
}

static char *dup_value(duckdb_result *r, idx_t c, idx_t row) {
  if (duckdb_value_is_null(r, c, row)) {
    return NULL;
  }
  char *v = duckdb_value_varchar(r, c, row);
  char *d = v ? argo__strdup(v) : NULL;
  duckdb_free(v);
  return d;
}

/* Reads every fill in recording order (each session's days oldest first, each file in its
 * order) and pairs them. */
static argo_err load(duckdb_database db, scan *s, char *err, size_t errlen) {
  duckdb_connection con = NULL;
  duckdb_result r;
  argo__trips *tr = NULL;
  if (duckdb_connect(db, &con) != DuckDBSuccess) {
    argo__fmt(err, errlen, "round_trips: cannot connect to the database");
    return ARGO_EDB;
  }
  if (duckdb_query(con,
                   "SELECT coalesce(session_id, split_part(order_id, '-', 1)), date, run, "
                   "session_id, symbol, side, position_type, executed_qty, executed_price, "
                   "commission, pnl, epoch_us(executed_at), order_id FROM __argo_trades ORDER "
                   "BY 1, date, run, file_row_number",
                   &r) != DuckDBSuccess) {
    argo__duck_msg(duckdb_result_error(&r), err, errlen);
    duckdb_destroy_result(&r);
    duckdb_disconnect(&con);
    return ARGO_EDB;
  }
  idx_t n = duckdb_row_count(&r);
  argo_err rc = argo__trips_new(&tr);
  s->fills = calloc(n ? n : 1, sizeof *s->fills);
  if (!s->fills) {
    rc = ARGO_ENOMEM;
  }
  for (idx_t i = 0; i < n && rc == ARGO_OK && !s->failed; i++) {
    fill_rec *f = &s->fills[s->nfills++];
    char *key = dup_value(&r, 0, i), *side = dup_value(&r, 5, i), *pt = dup_value(&r, 6, i);
    f->date = duckdb_value_date(&r, 1, i).days;
    f->run = dup_value(&r, 2, i);
    f->session_id = dup_value(&r, 3, i);
    f->symbol = dup_value(&r, 4, i);
    f->order_id = dup_value(&r, 12, i);
    argo__trip_fill tf = {key,
                          f->symbol,
                          side && strcmp(side, "SELL") == 0 ? ARGO_SIDE_SELL : ARGO_SIDE_BUY,
                          pt && strcmp(pt, "SHORT") == 0 ? ARGO_POSITION_SHORT : ARGO_POSITION_LONG,
                          duckdb_value_double(&r, 7, i),
                          duckdb_value_double(&r, 8, i),
                          duckdb_value_double(&r, 9, i),
                          duckdb_value_double(&r, 10, i),
                          duckdb_value_int64(&r, 11, i)};
    rc = argo__trips_add(tr, &tf, add_row, s);
    free(key);
    free(side);
    free(pt);
  }
  if (rc == ARGO_OK && s->failed) {
    rc = ARGO_ENOMEM;
  }
  if (rc == ARGO_ENOMEM) {
    argo__fmt(err, errlen, "round_trips: out of memory");
  }
  argo__trips_free(tr);
  duckdb_destroy_result(&r);
  duckdb_disconnect(&con);
  return rc;
}

static void tf_init(duckdb_init_info info) {
  scan *s = calloc(1, sizeof *s);
  if (!s) {
    duckdb_init_set_error(info, "round_trips: out of memory");
    return;
  }
  char err[ARGO_ERRMSG_MAX];
  if (load((duckdb_database)duckdb_init_get_extra_info(info), s, err, sizeof err) != ARGO_OK) {
    scan_free(s);
    duckdb_init_set_error(info, err);
    return;
  }
  duckdb_init_set_init_data(info, s, scan_free);
  duckdb_init_set_max_threads(info, 1);
}

static void set_text(duckdb_vector v, idx_t k, const char *text) {
  if (text) {
    duckdb_vector_assign_string_element(v, k, text);
  } else {
    duckdb_vector_ensure_validity_writable(v);
    duckdb_validity_set_row_invalid(duckdb_vector_get_validity(v), k);
  }
}

static void set_null(duckdb_vector v, idx_t k) {
  duckdb_vector_ensure_validity_writable(v);
  duckdb_validity_set_row_invalid(duckdb_vector_get_validity(v), k);
}

static void tf_scan(duckdb_function_info info, duckdb_data_chunk out) {
  scan *s = duckdb_function_get_init_data(info);
  duckdb_vector v[C_COUNT];
  for (int c = 0; c < C_COUNT; c++) {
    v[c] = duckdb_data_chunk_get_vector(out, c);
  }
  idx_t k = 0, max = duckdb_vector_size();
  for (; k < max && s->next < s->nrows; k++, s->next++) {
    const trip_row *row = &s->rows[s->next];
    const argo__trip *t = &row->t;
    const fill_rec *f = &s->fills[row->fill];
    ((duckdb_date *)duckdb_vector_get_data(v[C_DATE]))[k].days = f->date;
    set_text(v[C_RUN], k, f->run);
    set_text(v[C_SESSION], k, f->session_id);
    set_text(v[C_SYMBOL], k, f->symbol);
    set_text(v[C_SIDE], k, t->is_short ? "SHORT" : "LONG");
    ((double *)duckdb_vector_get_data(v[C_QTY]))[k] = t->qty;
    ((double *)duckdb_vector_get_data(v[C_EXIT_PRICE]))[k] = t->exit_price;
    ((int64_t *)duckdb_vector_get_data(v[C_EXIT_TIME]))[k] = t->exit_time;
    ((double *)duckdb_vector_get_data(v[C_PNL]))[k] = t->pnl;
    ((double *)duckdb_vector_get_data(v[C_FEES]))[k] = t->fees;
    set_text(v[C_ORDER], k, f->order_id);
    double notional = t->entry_price * t->qty;
    if (t->has_entry) {
      ((int64_t *)duckdb_vector_get_data(v[C_ENTRY_TIME]))[k] = t->entry_time;
      ((double *)duckdb_vector_get_data(v[C_ENTRY_PRICE]))[k] = t->entry_price;
      duckdb_interval d = {0, 0, t->exit_time - t->entry_time};
      ((duckdb_interval *)duckdb_vector_get_data(v[C_DURATION]))[k] = d;
    } else {
      set_null(v[C_ENTRY_TIME], k);
      set_null(v[C_ENTRY_PRICE], k);
      set_null(v[C_DURATION], k);
    }
    if (t->has_entry && notional > 0) {
      ((double *)duckdb_vector_get_data(v[C_RETURN]))[k] = t->pnl / notional * 100;
    } else {
      set_null(v[C_RETURN], k);
    }
  }
  duckdb_data_chunk_set_size(out, k);
}

argo_err argo__trips_register(duckdb_database db, duckdb_connection con, char *err, size_t errlen) {
  duckdb_table_function tf = duckdb_create_table_function();
  duckdb_table_function_set_name(tf, "argo_round_trips");
  duckdb_table_function_set_extra_info(tf, db, NULL);
  duckdb_table_function_set_bind(tf, tf_bind);
  duckdb_table_function_set_init(tf, tf_init);
  duckdb_table_function_set_function(tf, tf_scan);
  duckdb_state st = duckdb_register_table_function(con, tf);
  duckdb_destroy_table_function(&tf);
  if (st != DuckDBSuccess) {
    argo__fmt(err, errlen, "cannot register the round_trips function");
    return ARGO_EDB;
  }
  return ARGO_OK;
}
