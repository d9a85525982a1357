/*
 * The benchmark suite (docs/performance.md): one program, one table.
 *
 *  1. throughput end to end: the simulated feed as fast as possible, a strategy that trades
 *     every 5 candles per symbol (pingpong), full persistence with the journal on, for 1 and 20
 *     symbols at 10k, 100k and 1M candles; peak memory; the same at 1M with the journal off
 *     (the cost of durability) and the fsyncs per second;
 *  2. the machine's limit: the rows the 1M-candle session of (1) published (candles, orders,
 *     fills, marks, logs), appended once with DuckDB's appender into the same tables and
 *     exported once with COPY to Parquet, day by day: the ceiling for one candle of that
 *     session; and the same for the market_data schema alone (a strategy that never trades);
 *  3. the reference design: persisting the same kind of session the way the reference
 *     implementation does (for every row one INSERT, an upsert where it has a key, and one full
 *     COPY of the table, sorted as it sorts), at 10k candles, and argo's ratio to it;
 *  4. freshness: how far behind the session the published market_data.parquet is, read by
 *     another process polling it while a 1M-candle session runs at full speed (1 and 20
 *     symbols);
 *  5. per-candle latency of the engine loop in real-time pacing, with and without a trade;
 *  6. recovery of a real crashed run: a session of 1M candles in one day killed (SIGKILL) at
 *     its millionth candle, then argo_recover on its data folder;
 *  7. big days (issue 21): 1 symbol, 2M candles over 24 days, against 100 symbols, 2M and 4M
 *     candles and a full day (8.64M) in one day; the full day again while another process
 *     polls its market_data.parquet (freshness, and the reader's CPU); live pacing, 200 symbols
 *     at 60x (CPU, freshness).
 *
 * Each measurement that runs the engine runs in its own process (fork), so that peak memory
 * and DuckDB state are its own. Options: --quick (smaller sizes, for a smoke run); --only
 * SECTIONS (e.g. 14); --freshness-scan (the freshness reader reads the time column rather than
 * the footers' statistics); --poll-ms N (the freshness reader's pause between polls, 10 by
 * default: a dashboard refreshing ten times a second is --poll-ms 100).
 */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <duckdb.h>

#include <argo/argo.h>

#include "core/engine.h"
#include "core/stats.h"
#include "persist/journal.h"
#include "persist/recover.h"
#include "persist/schema.h"
#include "persist/store.h"
#include "util/fsx.h"

#include "bench_syms.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rm_rf(const char *dir) {
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) {
    fprintf(stderr, "could not remove %s\n", dir);
  }
}

static void tmpdir(char *out, size_t len, const char *tag) {
  const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  snprintf(out, len, "%s/argo-bench-%s-XXXXXX", base, tag);
  if (!mkdtemp(out)) {
    perror("mkdtemp");
    exit(1);
  }
}

/* ---- running the engine ----------------------------------------------------------------- */

typedef struct run_opts {
  long long candles;
  int nsym;
  int journal;
  const char *speed;    /* "max" or a factor */
  const char *interval; /* "1s" */
  const char *dir;
  argo__latency *lat;
  volatile int64_t *progress; /* shared: wall-clock ns at every 1000th candle */
  size_t progress_len;
  const char *strategy_config; /* NULL: pingpong every 5 */
  long long kill_at;           /* > 0: the process kills itself (SIGKILL) at this candle */
  long long warmup;            /* > 0: a session of this many candles runs first, same process */
} run_opts;

/* The usual run: 1-second candles as fast as possible, journal on; callers set the rest. */
static run_opts full_speed(long long candles, int nsym, const char *dir) {
  return (run_opts){
      .candles = candles, .nsym = nsym, .journal = 1, .speed = "max", .interval = "1s", .dir = dir};
}

typedef struct run_result {
  int ok;
  double seconds;
  long long candles, fills;
  long rss_kb;
  unsigned long long fsyncs;
  char err[256];
} run_result;

typedef struct progress_state {
  volatile int64_t *slots;
  size_t len;
  long long count;
  long long kill_at;
} progress_state;

static void on_candle(argo_engine *e, const argo_candle *c, void *user) {
  (void)e;
  (void)c;
  progress_state *p = user;
  if (p->kill_at > 0 && p->count + 1 == p->kill_at) {
    raise(SIGKILL); /* a crash at a known moment: the journal holds what was handed over */
  }
  if (p->slots && p->count % 1000 == 0 && (size_t)(p->count / 1000) < p->len) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    p->slots[p->count / 1000] = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
  }
  p->count++;
}

static void run_engine(const run_opts *o, run_result *r) {
  memset(r, 0, sizeof *r);
  argo_config *cfg = NULL;
  argo_engine *eng = NULL;
  argo_config_new(&cfg);
  char list[8192], bars[32];
  bench_symbol_list(o->nsym, list, sizeof list);
  snprintf(bars, sizeof bars, "%lld", o->candles / o->nsym);
  if (argo_config_set(cfg, "market_data.symbols", list) ||
      argo_config_set(cfg, "market_data.bars", bars) ||
      argo_config_set(cfg, "market_data.interval", o->interval) ||
      argo_config_set(cfg, "market_data.start", "2025-10-01T00:00:00Z") ||
      argo_config_set(cfg, "market_data.speed", o->speed) ||
      argo_config_set(cfg, "strategy.name", "pingpong") ||
      argo_config_set(cfg, "strategy.config",
                      o->strategy_config ? o->strategy_config : "{\"every\": 5}") ||
      argo_config_set(cfg, "engine.data_output", o->dir) ||
      argo_config_set(cfg, "engine.journal", o->journal ? "true" : "false") ||
      argo_config_set(cfg, "trading.capital", "1000000000")) {
    snprintf(r->err, sizeof r->err, "config: %s", argo_config_errmsg(cfg));
    goto done;
  }
  argo_engine_new(&eng);
  if (argo_engine_init(eng, cfg) != ARGO_OK) {
    snprintf(r->err, sizeof r->err, "%s", argo_engine_errmsg(eng));
    goto done;
  }
  progress_state ps = {o->progress, o->progress_len, 0, o->kill_at};
  if (o->progress || o->kill_at > 0) {
    argo_callbacks cb = {.on_market_data = on_candle};
    argo_engine_set_callbacks(eng, &cb, sizeof cb, &ps);
  }
  if (o->lat) {
    argo__engine_measure(eng, o->lat);
  }
  unsigned long long f0 = argo__io_fsync_count();
  double t0 = now_s();
  argo_err rc = argo_engine_run(eng);
  r->seconds = now_s() - t0;
  r->fsyncs = argo__io_fsync_count() - f0;
  if (rc != ARGO_OK) {
    snprintf(r->err, sizeof r->err, "%s", argo_engine_errmsg(eng));
    goto done;
  }
  argo_stats s;
  argo_engine_get_stats(eng, &s, sizeof s);
  r->candles = s.candles_total;
  r->fills = s.cumulative.number_of_trades;
  r->ok = 1;
done:
  argo_engine_free(eng);
  argo_config_free(cfg);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  r->rss_kb = ru.ru_maxrss;
}

/* Runs the engine in a child process and returns its result. */
static run_result in_child(const run_opts *o) {
  int p[2];
  run_result r;
  memset(&r, 0, sizeof r);
  if (pipe(p) != 0) {
    snprintf(r.err, sizeof r.err, "pipe failed");
    return r;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    if (o->warmup > 0) {
      /* A warm process: DuckDB opened and its code run once, as in a process that has run a
       * session before (and as the reference design is measured, after its own set-up). */
      char wdir[4096];
      tmpdir(wdir, sizeof wdir, "warmup");
      run_opts w = *o;
      w.candles = o->warmup;
      w.warmup = 0;
      w.dir = wdir;
      run_engine(&w, &r);
      rm_rf(wdir);
    }
    run_engine(o, &r);
    ssize_t w = write(p[1], &r, sizeof r);
    (void)w;
    _exit(0);
  }
  close(p[1]);
  ssize_t got = read(p[0], &r, sizeof r);
  close(p[0]);
  waitpid(pid, NULL, 0);
  if (got != (ssize_t)sizeof r) {
    memset(&r, 0, sizeof r);
    snprintf(r.err, sizeof r.err, "the benchmark process died");
  }
  return r;
}

/* ---- DuckDB: the machine's limit and the reference design ------------------------------- */

static void duck_open(duckdb_database *db, duckdb_connection *con) {
  duckdb_config cfg;
  duckdb_create_config(&cfg);
  duckdb_set_config(cfg, "threads", "1");
  char *e = NULL;
  if (duckdb_open_ext(NULL, db, cfg, &e) != DuckDBSuccess ||
      duckdb_connect(*db, con) != DuckDBSuccess) {
    fprintf(stderr, "DuckDB: %s\n", e ? e : "cannot open");
    exit(1);
  }
  duckdb_destroy_config(&cfg);
}

static void q(duckdb_connection con, const char *sql) {
  duckdb_result r;
  if (duckdb_query(con, sql, &r) != DuckDBSuccess) {
    fprintf(stderr, "DuckDB: %s\n  %s\n", duckdb_result_error(&r), sql);
    exit(1);
  }
  duckdb_destroy_result(&r);
}

static void create_argo_tables(duckdb_connection con, int nsym);

/* The symbol column's type in those tables: the symbols' ENUM for market_data. */
static const char *col_symbol_type(int t) {
  return t == ARGO_T_MARKET_DATA ? ARGO_SYMBOL_TYPE : NULL;
}

/* A random walk like the simulated feed's (prices to the cent, volumes to three decimals), so
 * that the Parquet writer sees values as varied as a session's, not a repeating pattern. */
typedef struct walk {
  uint64_t s;
  double px;
} walk;

static double walk_u(walk *w) {
  w->s = w->s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(w->s >> 11) / 9007199254740992.0;
}

static void walk_next(walk *w, double out[5]) {
  w->px = round(w->px * (1 + (walk_u(w) - 0.5) * 0.002) * 100) / 100;
  out[0] = w->px;
  out[1] = round((w->px + walk_u(w) * 20) * 100) / 100;
  out[2] = round((w->px - walk_u(w) * 20) * 100) / 100;
  out[3] = round((out[2] + (out[1] - out[2]) * walk_u(w)) * 100) / 100;
  out[4] = round(walk_u(w) * 5000) / 1000;
}

/* Appender rows/s for the market_data schema (whole data chunks, as the store loads them). */
static double appender_rate(duckdb_connection con, long rows) {
  create_argo_tables(con, 1);
  duckdb_appender app;
  duckdb_appender_create(con, NULL, "market_data", &app);
  duckdb_logical_type types[MD_NCOLS];
  for (idx_t c = 0; c < MD_NCOLS; c++) {
    types[c] = duckdb_appender_column_type(app, c);
  }
  duckdb_data_chunk chunk = duckdb_create_data_chunk(types, MD_NCOLS);
  idx_t vs = duckdb_vector_size();
  walk w = {42, 60000};
  double t0 = now_s();
  for (long r = 0; r < rows;) {
    duckdb_data_chunk_reset(chunk);
    idx_t n = (idx_t)(rows - r) < vs ? (idx_t)(rows - r) : vs;
    int64_t *tm = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, MD_TIME));
    uint8_t *sym = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, MD_SYMBOL));
    bool *hist = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, MD_HISTORY));
    double *d[5];
    for (int c = 0; c < 5; c++) {
      d[c] = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, (idx_t)(MD_OPEN + c)));
    }
    for (idx_t i = 0; i < n; i++) {
      tm[i] = 1759276800000000LL + (int64_t)(r + (long)i) * 1000000;
      sym[i] = 0;
      hist[i] = false;
      double v[5];
      walk_next(&w, v);
      for (int c = 0; c < 5; c++) {
        d[c][i] = v[c];
      }
    }
    duckdb_data_chunk_set_size(chunk, n);
    duckdb_append_data_chunk(app, chunk);
    r += (long)n;
  }
  duckdb_appender_flush(app);
  double secs = now_s() - t0;
  duckdb_appender_destroy(&app);
  duckdb_destroy_data_chunk(&chunk);
  for (idx_t c = 0; c < MD_NCOLS; c++) {
    duckdb_destroy_logical_type(&types[c]);
  }
  return (double)rows / secs;
}

/* COPY-to-Parquet rows/s of the table just built. */
static double copy_rate(duckdb_connection con, long rows, const char *dir) {
  char sql[9000], path[4200], quoted[8500];
  snprintf(path, sizeof path, "%s/md.parquet", dir);
  argo__sql_quote(path, quoted, sizeof quoted);
  snprintf(sql, sizeof sql, "COPY market_data TO %s (FORMAT PARQUET)", quoted);
  double t0 = now_s();
  q(con, sql);
  return (double)rows / (now_s() - t0);
}

/* The five tables as argo's store creates them (schema.h, ENUM types for fixed-value text, and
 * market_data.symbol an ENUM of the session's nsym symbols). */
static void create_argo_tables(duckdb_connection con, int nsym) {
  argo__sb sb;
  argo__sb_init(&sb);
  argo__schema_enum_type_sql(ARGO_SYMBOL_TYPE, SYMS, (size_t)nsym, &sb);
  for (int t = 0; t < ARGO_T_COUNT; t++) {
    const argo__table *tab = argo__schema((argo__table_id)t);
    argo__schema_enum_sql(tab, &sb);
    argo__schema_create_sql(tab, tab->name, col_symbol_type(t), &sb);
    argo__sb_puts(&sb, ";\n");
  }
  q(con, argo__sb_str(&sb));
  argo__sb_free(&sb);
}

/* The machine's limit for a recorded session: every row its day folders hold (data/DATE/run_1),
 * read into memory first (not timed), then appended once through the appender into the same
 * tables argo uses and exported once per table and day with COPY to Parquet (timed). Returns
 * the seconds; rows receives the rows appended. */
static double ceiling_rows(const char *data, const char *scratch, long long *rows) {
  duckdb_database db;
  duckdb_connection con;
  duck_open(&db, &con);
  create_argo_tables(con, 1);
  char pat[4200];
  snprintf(pat, sizeof pat, "%s/*/run_1", data);
  glob_t g;
  double secs = 0;
  *rows = 0;
  if (glob(pat, 0, NULL, &g) != 0) {
    return NAN;
  }
  for (size_t d = 0; d < g.gl_pathc; d++) {
    duckdb_result res[ARGO_T_COUNT];
    for (int t = 0; t < ARGO_T_COUNT; t++) {
      const argo__table *tab = argo__schema((argo__table_id)t);
      char sql[9000], path[4400], quoted[9000];
      snprintf(path, sizeof path, "%s/%s", g.gl_pathv[d], tab->file);
      argo__sql_quote(path, quoted, sizeof quoted);
      size_t n = (size_t)snprintf(sql, sizeof sql, "SELECT ");
      for (size_t c = 0; c < tab->ncols; c++) {
        char ty[128];
        argo__schema_col_type(tab, c, col_symbol_type(t), ty, sizeof ty);
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%sCAST(\"%s\" AS %s)", c ? ", " : "",
                              tab->cols[c].name, ty);
      }
      snprintf(sql + n, sizeof sql - n, " FROM read_parquet(%s)", quoted);
      if (duckdb_query(con, sql, &res[t]) != DuckDBSuccess) {
        fprintf(stderr, "DuckDB: %s\n", duckdb_result_error(&res[t]));
        exit(1);
      }
    }
    /* Timed: load each table through the appender, export it once. */
    for (int t = 0; t < ARGO_T_COUNT; t++) {
      const argo__table *tab = argo__schema((argo__table_id)t);
      duckdb_data_chunk chunks[4096];
      size_t nc = 0;
      for (duckdb_data_chunk ch; nc < 4096 && (ch = duckdb_fetch_chunk(res[t])) != NULL;) {
        chunks[nc++] = ch;
      }
      char sql[9000], path[4400], quoted[9000];
      snprintf(path, sizeof path, "%s/%s", scratch, tab->file);
      argo__sql_quote(path, quoted, sizeof quoted);
      snprintf(sql, sizeof sql, "COPY %s TO %s (FORMAT PARQUET)", tab->name, quoted);
      double t0 = now_s();
      duckdb_appender app;
      duckdb_appender_create(con, NULL, tab->name, &app);
      for (size_t i = 0; i < nc; i++) {
        if (duckdb_append_data_chunk(app, chunks[i]) != DuckDBSuccess) {
          fprintf(stderr, "DuckDB: %s\n", duckdb_appender_error(app));
          exit(1);
        }
        *rows += (long long)duckdb_data_chunk_get_size(chunks[i]);
      }
      duckdb_appender_flush(app);
      duckdb_appender_destroy(&app);
      q(con, sql);
      secs += now_s() - t0;
      snprintf(sql, sizeof sql, "DELETE FROM %s", tab->name);
      q(con, sql);
      for (size_t i = 0; i < nc; i++) {
        duckdb_destroy_data_chunk(&chunks[i]);
      }
      duckdb_destroy_result(&res[t]);
    }
  }
  globfree(&g);
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return secs;
}

/* The reference design, applied to the same kind of session as argo's benchmark (one symbol,
 * a market order every 5 candles with a mark and a log line): it persists every row the moment
 * it happens with one INSERT (an upsert on the key where its tables have one: the candle's
 * (symbol, time) with a new UUID id, the order's order_id) followed by one full COPY of that
 * table to its Parquet file, sorted as the reference sorts it (candles by time, orders by
 * timestamp, fills by executed_at, logs by timestamp, marks unsorted). Orders and fills, which
 * the reference never records, are persisted the same way as its other tables. */
static double reference_rate(long candles, const char *dir) {
  duckdb_database db;
  duckdb_connection con;
  duck_open(&db, &con);
  q(con, "CREATE TABLE market_data (id VARCHAR, time TIMESTAMP, symbol VARCHAR, open DOUBLE, "
         "high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE, PRIMARY KEY (symbol, time))");
  q(con, "CREATE TABLE orders (order_id VARCHAR PRIMARY KEY, symbol VARCHAR, side VARCHAR, "
         "order_type VARCHAR, quantity DOUBLE, price DOUBLE, timestamp TIMESTAMP, status VARCHAR, "
         "strategy_name VARCHAR, position_type VARCHAR, reason VARCHAR)");
  q(con, "CREATE TABLE trades (order_id VARCHAR, symbol VARCHAR, side VARCHAR, quantity DOUBLE, "
         "price DOUBLE, timestamp TIMESTAMP, executed_at TIMESTAMP, executed_qty DOUBLE, "
         "executed_price DOUBLE, commission DOUBLE, pnl DOUBLE, position_type VARCHAR)");
  q(con, "CREATE SEQUENCE mark_id_seq; CREATE SEQUENCE log_id_seq");
  q(con, "CREATE TABLE marks (id BIGINT PRIMARY KEY, time TIMESTAMP, symbol VARCHAR, color "
         "VARCHAR, shape VARCHAR, level VARCHAR, title VARCHAR, message VARCHAR, category "
         "VARCHAR, signal_type VARCHAR)");
  q(con, "CREATE TABLE logs (id BIGINT PRIMARY KEY, timestamp TIMESTAMP, symbol VARCHAR, level "
         "VARCHAR, message VARCHAR, fields VARCHAR)");
  duckdb_prepared_statement md, ord, trd, mrk, lg;
  duckdb_prepare(con,
                 "INSERT INTO market_data VALUES (uuid()::VARCHAR, make_timestamp($1), "
                 "'BTCUSDT', $2, $3, $4, $5, $6) ON CONFLICT (symbol, time) DO UPDATE SET id = "
                 "excluded.id, open = excluded.open, high = excluded.high, low = excluded.low, "
                 "close = excluded.close, volume = excluded.volume",
                 &md);
  duckdb_prepare(con,
                 "INSERT INTO orders VALUES ($1, 'BTCUSDT', $2, 'MARKET', 0.01, $3, "
                 "make_timestamp($4), 'FILLED', 'pingpong', 'LONG', '') ON CONFLICT (order_id) DO "
                 "UPDATE SET status = excluded.status",
                 &ord);
  duckdb_prepare(con,
                 "INSERT INTO trades VALUES ($1, 'BTCUSDT', $2, 0.01, $3, make_timestamp($4), "
                 "make_timestamp($4), 0.01, $3, $3 * 0.00001, $5, 'LONG')",
                 &trd);
  duckdb_prepare(con,
                 "INSERT INTO marks VALUES (nextval('mark_id_seq'), make_timestamp($1), "
                 "'BTCUSDT', $2, $3, 'info', $4, $5, 'trade', $6)",
                 &mrk);
  duckdb_prepare(con,
                 "INSERT INTO logs VALUES (nextval('log_id_seq'), make_timestamp($1), 'BTCUSDT', "
                 "'info', $2, $3)",
                 &lg);
  static const char *const copies[5][2] = {
      {"SELECT * FROM market_data ORDER BY time", "market_data"},
      {"SELECT * FROM orders ORDER BY timestamp", "orders"},
      {"SELECT * FROM trades ORDER BY executed_at", "trades"},
      {"SELECT * FROM marks", "marks"},
      {"SELECT * FROM logs ORDER BY timestamp", "logs"}};
  char copy_sql[5][9000];
  for (int i = 0; i < 5; i++) {
    char path[4200], quoted[8500];
    snprintf(path, sizeof path, "%s/%s.parquet", dir, copies[i][1]);
    argo__sql_quote(path, quoted, sizeof quoted);
    snprintf(copy_sql[i], sizeof copy_sql[i], "COPY (%s) TO %s (FORMAT PARQUET)", copies[i][0],
             quoted);
  }
  walk w = {7, 60000};
  double t0 = now_s();
  for (long i = 0; i < candles; i++) {
    int64_t ts = 1759276800000000LL + (int64_t)i * 1000000;
    double v[5];
    walk_next(&w, v);
    duckdb_bind_int64(md, 1, ts);
    for (idx_t c = 0; c < 5; c++) {
      duckdb_bind_double(md, c + 2, v[c]);
    }
    duckdb_result r;
    duckdb_execute_prepared(md, &r);
    duckdb_destroy_result(&r);
    q(con, copy_sql[0]);
    if (i % 5 != 4) {
      continue;
    }
    int buy = (i / 5) % 2 == 0;
    char id[48], qty[32], fields[160];
    snprintf(id, sizeof id, "0f3c2a1e-%ld", i / 5 + 1);
    snprintf(qty, sizeof qty, "%.8g", 0.01);
    snprintf(fields, sizeof fields, "{\"quantity\":\"%s\",\"order_id\":\"%s\"}", qty, id);
    duckdb_bind_varchar(ord, 1, id);
    duckdb_bind_varchar(ord, 2, buy ? "BUY" : "SELL");
    duckdb_bind_double(ord, 3, v[3]);
    duckdb_bind_int64(ord, 4, ts);
    duckdb_execute_prepared(ord, &r);
    duckdb_destroy_result(&r);
    q(con, copy_sql[1]);
    duckdb_bind_varchar(trd, 1, id);
    duckdb_bind_varchar(trd, 2, buy ? "BUY" : "SELL");
    duckdb_bind_double(trd, 3, v[3]);
    duckdb_bind_int64(trd, 4, ts);
    duckdb_bind_double(trd, 5, buy ? 0 : 0.1);
    duckdb_execute_prepared(trd, &r);
    duckdb_destroy_result(&r);
    q(con, copy_sql[2]);
    duckdb_bind_int64(mrk, 1, ts);
    duckdb_bind_varchar(mrk, 2, buy ? "green" : "red");
    duckdb_bind_varchar(mrk, 3, buy ? "triangle" : "square");
    duckdb_bind_varchar(mrk, 4, buy ? "ping" : "pong");
    duckdb_bind_varchar(mrk, 5, buy ? "bought" : "sold");
    duckdb_bind_varchar(mrk, 6, buy ? "buy_long" : "sell_long");
    duckdb_execute_prepared(mrk, &r);
    duckdb_destroy_result(&r);
    q(con, copy_sql[3]);
    duckdb_bind_int64(lg, 1, ts);
    duckdb_bind_varchar(lg, 2, buy ? "ping: bought" : "pong: sold");
    duckdb_bind_varchar(lg, 3, fields);
    duckdb_execute_prepared(lg, &r);
    duckdb_destroy_result(&r);
    q(con, copy_sql[4]);
  }
  double secs = now_s() - t0;
  duckdb_destroy_prepare(&md);
  duckdb_destroy_prepare(&ord);
  duckdb_destroy_prepare(&trd);
  duckdb_destroy_prepare(&mrk);
  duckdb_destroy_prepare(&lg);
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return (double)candles / secs;
}

/* ---- freshness -------------------------------------------------------------------------- */

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p) {
  if (n == 0) {
    return NAN;
  }
  size_t i = (size_t)(p * (double)(n - 1) + 0.5);
  return v[i < n ? i : n - 1];
}

/* How the freshness reader finds the newest published candle: 0 from the files' footers, 1 by
 * reading the time column (--freshness-scan). */
static int freshness_scan;
/* The freshness reader's pause between two polls, in milliseconds (--poll-ms). */
static long poll_ms = 10;

/* Polls the published market_data.parquet while a session runs and returns lags in ms. */
/* What a polled run's child used: CPU seconds (user + system) and peak memory. */
typedef struct child_use {
  double cpu_s;
  double reader_cpu_s; /* the polling reader's (this process's) CPU over the same time */
  long rss_kb;
  int ok;
} child_use;

static size_t freshness_of(run_opts o, double *lags, size_t cap, double *wall, child_use *use);

/* CPU seconds (user + system) of this process so far, its DuckDB threads included. */
static double self_cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static size_t freshness(long long candles, int nsym, double *lags, size_t cap, double *wall) {
  child_use use;
  return freshness_of(full_speed(candles, nsym, NULL), lags, cap, wall, &use);
}

/* The run o (its dir set here) in a child process, polled by this one as above. */
static size_t freshness_of(run_opts o, double *lags, size_t cap, double *wall, child_use *use) {
  char dir[4096];
  tmpdir(dir, sizeof dir, "fresh");
  long long candles = o.candles;
  int nsym = o.nsym;
  size_t slots = (size_t)(candles / 1000) + 2;
  volatile int64_t *prog = mmap(NULL, slots * sizeof(int64_t), PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  memset((void *)prog, 0, slots * sizeof(int64_t));
  o.dir = dir;
  o.progress = prog;
  o.progress_len = slots;
  pid_t pid = fork();
  if (pid == 0) {
    run_result r;
    run_engine(&o, &r);
    _exit(r.ok ? 0 : 1);
  }
  duckdb_database db;
  duckdb_connection con;
  duck_open(&db, &con);
  size_t n = 0;
  double t0 = now_s();
  double reader0 = self_cpu_s();
  int status = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  for (;;) {
    pid_t w = wait4(pid, &status, WNOHANG, &ru);
    if (w == pid) {
      break;
    }
    /* Every day folder of the session: the newest published candle of the newest day, from
     * the files' footers (each row group's maximum of time, which DuckDB writes), as a reader
     * that only needs to know how recent a file is would ask; --freshness-scan reads the whole
     * time column instead (8.64M values at the end of a full day of 100 symbols, 100 times a
     * second: a reader that takes a good part of one of the two cores). */
    char sql[8800];
    if (freshness_scan) {
      snprintf(sql, sizeof sql,
               "SELECT epoch_us(max(time)) FROM read_parquet('%s/*/run_1/market_data.parquet')",
               dir);
    } else {
      snprintf(sql, sizeof sql,
               "SELECT epoch_us(max(CAST(stats_max AS TIMESTAMPTZ))) FROM "
               "parquet_metadata('%s/*/run_1/market_data.parquet') WHERE path_in_schema = 'time'",
               dir);
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t polled = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    duckdb_result r;
    if (duckdb_query(con, sql, &r) == DuckDBSuccess && duckdb_row_count(&r) == 1 &&
        !duckdb_value_is_null(&r, 0, 0)) {
      int64_t t = duckdb_value_int64(&r, 0, 0);
      /* Candles processed before the first candle of that time (the feed gives every symbol's
       * candle of one time in turn): the earliest moment it can have been processed. */
      long long idx = (t - 1759276800000000LL) / 1000000 * nsym;
      size_t slot = (size_t)(idx / 1000);
      /* The newest published candle was processed at prog[slot] (to 1000 candles); the lag is
       * how long ago that was. A slot not yet stamped means it was just processed. */
      if (slot + 1 < slots && prog[slot + 1] && n < cap) {
        lags[n++] = (double)(polled - prog[slot + 1]) / 1e6;
      }
    }
    duckdb_destroy_result(&r);
    /* A reader that pauses 10 ms between polls (--poll-ms), rather than one that takes a whole
     * core of the two the session runs on. */
    struct timespec pause = {poll_ms / 1000, poll_ms % 1000 * 1000000L};
    nanosleep(&pause, NULL);
  }
  *wall = now_s() - t0;
  use->reader_cpu_s = self_cpu_s() - reader0;
  use->cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  use->rss_kb = ru.ru_maxrss;
  use->ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  duckdb_disconnect(&con);
  duckdb_close(&db);
  munmap((void *)prog, slots * sizeof(int64_t));
  rm_rf(dir);
  for (size_t i = 0; i < n; i++) {
    if (lags[i] < 0) {
      lags[i] = 0;
    }
  }
  qsort(lags, n, sizeof *lags, cmp_d);
  return n;
}

/* ---- latency ---------------------------------------------------------------------------- */

typedef struct lat_out {
  double plain[3], traded[3]; /* p50, p99, max in microseconds */
  size_t nplain, ntraded;
} lat_out;

static int cmp_i(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static void latency(long long candles, lat_out *out) {
  char dir[4096];
  tmpdir(dir, sizeof dir, "lat");
  size_t cap = (size_t)candles + 16;
  /* Shared with the child, which fills it. */
  size_t bytes = sizeof(argo__latency) + 2 * cap * sizeof(int64_t);
  char *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  argo__latency *l = (argo__latency *)(void *)mem;
  memset(l, 0, sizeof *l);
  l->plain = (int64_t *)(void *)(mem + sizeof *l);
  l->traded = l->plain + cap;
  l->cap = cap;
  /* 1s candles at 200x real time: one candle every 5 ms. */
  run_opts o = full_speed(candles, 1, dir);
  o.speed = "200";
  o.lat = l;
  run_result r = in_child(&o);
  (void)r;
  qsort(l->plain, l->nplain, sizeof(int64_t), cmp_i);
  qsort(l->traded, l->ntraded, sizeof(int64_t), cmp_i);
  for (int k = 0; k < 2; k++) {
    int64_t *v = k ? l->traded : l->plain;
    size_t n = k ? l->ntraded : l->nplain;
    double *o3 = k ? out->traded : out->plain;
    o3[0] = n ? (double)v[(n - 1) / 2] / 1e3 : NAN;
    o3[1] = n ? (double)v[(size_t)((double)(n - 1) * 0.99)] / 1e3 : NAN;
    o3[2] = n ? (double)v[n - 1] / 1e3 : NAN;
  }
  out->nplain = l->nplain;
  out->ntraded = l->ntraded;
  munmap(mem, bytes);
  rm_rf(dir);
}

/* ---- recovery --------------------------------------------------------------------------- */

/* A real crash: a session of `candles` candles in one day (12 symbols of 1s candles) kills
 * itself with SIGKILL at its last candle, leaving its journal; then argo_recover finalizes the
 * folder, timed. rows receives the candles the recovered market_data.parquet holds. */
static double recovery(long long candles, long long *rows, char *msg, size_t len) {
  char dir[4096];
  tmpdir(dir, sizeof dir, "recover");
  run_opts o = full_speed(candles, 12, dir);
  o.kill_at = candles / 12 * 12;
  pid_t pid = fork();
  if (pid == 0) {
    run_result r;
    run_engine(&o, &r);
    _exit(3); /* the kill did not happen */
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFSIGNALED(status)) {
    snprintf(msg, len, "the session did not crash (status %d)", status);
    rm_rf(dir);
    return NAN;
  }
  int n = 0;
  double t0 = now_s();
  argo_err rc = argo_recover(dir, NULL, NULL, &n);
  double secs = now_s() - t0;
  *rows = 0;
  if (rc == ARGO_OK) {
    duckdb_database db;
    duckdb_connection con;
    duck_open(&db, &con);
    char sql[9000], path[4400], quoted[8800];
    snprintf(path, sizeof path, "%s/*/run_1/market_data.parquet", dir);
    argo__sql_quote(path, quoted, sizeof quoted);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet(%s)", quoted);
    duckdb_result r;
    if (duckdb_query(con, sql, &r) == DuckDBSuccess) {
      *rows = duckdb_value_int64(&r, 0, 0);
    }
    duckdb_destroy_result(&r);
    duckdb_disconnect(&con);
    duckdb_close(&db);
  } else {
    snprintf(msg, len, "argo_recover: %s", argo_strerror(rc));
  }
  rm_rf(dir);
  return rc == ARGO_OK && n > 0 ? secs : NAN;
}

/* ---- main ------------------------------------------------------------------------------- */

static run_result run_kept(long long candles, int nsym, const char *strategy_config, char *dir,
                           size_t dirlen, int keep) {
  tmpdir(dir, dirlen, "tp");
  run_opts o = full_speed(candles, nsym, dir);
  o.strategy_config = strategy_config;
  run_result r = in_child(&o);
  if (!keep) {
    rm_rf(dir);
  }
  return r;
}

int main(int argc, char **argv) {
  int quick = 0;
  const char *only = NULL; /* digits of the sections to run, e.g. "14" */
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      quick = 1;
    } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else if (strcmp(argv[i], "--freshness-scan") == 0) {
      freshness_scan = 1;
    } else if (strcmp(argv[i], "--poll-ms") == 0 && i + 1 < argc && atol(argv[i + 1]) > 0) {
      poll_ms = atol(argv[++i]);
    } else {
      fprintf(stderr, "usage: bench_suite [--quick] [--only SECTIONS] [--freshness-scan] "
                      "[--poll-ms N]   (e.g. --only 14)\n");
      return 2;
    }
  }
#define SECTION(n) (!only || strchr(only, '0' + (n)))
  long long sizes[3] = {10000, 100000, 1000000};
  long long big = quick ? 100000 : 1000000;
  if (quick) {
    sizes[2] = 100000;
  }
  printf("argo benchmark suite (%s)\n\n", quick ? "quick" : "full");

  double rate_10k = 0, rate_1m = 0;
  run_result r1m = {0};
  char kept[4096] = "";
  if (SECTION(1) || SECTION(2) || SECTION(3) || SECTION(6)) {
    printf(
        "1. Throughput, end to end: simulated feed at full speed, 1s candles, pingpong (a trade\n"
        "   every 5 candles per symbol), journal on, full persistence\n");
    printf("   %8s %10s %9s %12s %9s %9s %9s\n", "symbols", "candles", "seconds", "candles/s",
           "fills", "peak MiB", "fsyncs/s");
    for (int si = 0; si < 2; si++) {
      int nsym = si ? 20 : 1;
      for (int k = 0; k < 3; k++) {
        char dir[4096];
        int keep = nsym == 1 && k == 2; /* its rows are the ceiling's input (section 2) */
        run_result r = run_kept(sizes[k], nsym, NULL, dir, sizeof dir, keep);
        if (!r.ok) {
          printf("   %8d %10lld  failed: %s\n", nsym, sizes[k], r.err);
          continue;
        }
        double rate = (double)r.candles / r.seconds;
        if (nsym == 1 && k == 0) {
          rate_10k = rate;
        }
        if (keep) {
          rate_1m = rate;
          r1m = r;
          snprintf(kept, sizeof kept, "%s", dir);
        }
        printf("   %8d %10lld %9.3f %12.0f %9lld %9.1f %9.0f\n", nsym, r.candles, r.seconds, rate,
               r.fills, (double)r.rss_kb / 1024, (double)r.fsyncs / r.seconds);
        fflush(stdout);
      }
    }
    {
      char dir[4096];
      tmpdir(dir, sizeof dir, "nojournal");
      run_opts o = full_speed(big, 1, dir);
      o.journal = 0;
      run_result r = in_child(&o);
      rm_rf(dir);
      if (r.ok) {
        printf("   journal off, 1 symbol, %lld candles: %.0f candles/s (journal on: %.0f, cost of "
               "durability %.0f%%)\n",
               r.candles, (double)r.candles / r.seconds, rate_1m,
               rate_1m > 0 ? 100.0 * (1 - rate_1m / ((double)r.candles / r.seconds)) : NAN);
      }
    }
  }

  if (SECTION(2)) {
    printf("\n2. The machine's limit (DuckDB %s, one thread): append once with the appender,\n"
           "   export once with COPY to Parquet\n",
           duckdb_library_version());
    if (kept[0]) {
      char scratch[4096];
      tmpdir(scratch, sizeof scratch, "ceiling");
      long long rows = 0;
      double secs = ceiling_rows(kept, scratch, &rows);
      rm_rf(scratch);
      double ceiling = (double)r1m.candles / secs;
      printf("   the rows of the 1-symbol %lld-candle session of (1), day by day: %lld rows in "
             "%.3f s,\n   ceiling %.0f candles/s; argo %.0f candles/s = %.0f%% of the ceiling\n",
             r1m.candles, rows, secs, ceiling, rate_1m, 100.0 * rate_1m / ceiling);
      rm_rf(kept);
    }
    {
      char cdir[4096];
      tmpdir(cdir, sizeof cdir, "limit");
      duckdb_database db;
      duckdb_connection con;
      duck_open(&db, &con);
      double app = appender_rate(con, (long)big);
      double cp = copy_rate(con, (long)big, cdir);
      duckdb_disconnect(&con);
      duckdb_close(&db);
      rm_rf(cdir);
      double ceiling = 1.0 / (1.0 / app + 1.0 / cp);
      char dir[4096];
      run_result r = run_kept(big, 1, "{\"every\": 1000000000}", dir, sizeof dir, 0);
      double rate = r.ok ? (double)r.candles / r.seconds : NAN;
      printf(
          "   market_data alone (%lld candles of a random walk): appender %.0f rows/s, COPY %.0f "
          "rows/s,\n   ceiling %.0f candles/s; argo with a strategy that never trades %.0f "
          "candles/s = %.0f%%\n",
          big, app, cp, ceiling, rate, 100.0 * rate / ceiling);
    }
  }

  if (SECTION(3)) {
    long long ref_n = quick ? 2000 : 10000;
    printf("\n3. The reference design (every row: one INSERT or upsert and one full sorted COPY of "
           "its table),\n   %lld candles, a trade every 5\n",
           ref_n);
    char rdir[4096];
    tmpdir(rdir, sizeof rdir, "ref");
    double ref = reference_rate((long)ref_n, rdir);
    rm_rf(rdir);
    double argo_ref = rate_10k;
    if (ref_n != sizes[0]) {
      char dir[4096];
      run_result r = run_kept(ref_n, 1, NULL, dir, sizeof dir, 0);
      argo_ref = r.ok ? (double)r.candles / r.seconds : NAN;
    }
    char wdir[4096];
    tmpdir(wdir, sizeof wdir, "warm");
    run_opts wo = full_speed(ref_n, 1, wdir);
    wo.warmup = 2000;
    run_result wr = in_child(&wo);
    rm_rf(wdir);
    double argo_warm = wr.ok ? (double)wr.candles / wr.seconds : NAN;
    printf("   reference %.0f candles/s (%.1f s)\n", ref, (double)ref_n / ref);
    printf("   argo, the first session of its process (DuckDB's first start and first exports "
           "included):\n     %.1f ms, %.0f candles/s: ratio %.0f\n",
           1000.0 * (double)ref_n / argo_ref, argo_ref, argo_ref / ref);
    printf("   argo, a process that has run a session before (DuckDB warm, as the reference is "
           "measured):\n     %.1f ms, %.0f candles/s: ratio %.0f\n",
           1000.0 * (double)ref_n / argo_warm, argo_warm, argo_warm / ref);
  }

  if (SECTION(4)) {
    printf("\n4. Freshness of the published market_data.parquet at full speed, %lld candles\n",
           big);
    static double lags[200000];
    for (int k = 0; k < 2; k++) {
      int nsym = k ? 20 : 1;
      double wall = 0;
      size_t nl = freshness(big, nsym, lags, 200000, &wall);
      printf("   %2d symbol%s: %zu polls by another process over %.1f s: lag p50 %.1f ms, p99 %.1f "
             "ms, max %.1f ms\n",
             nsym, nsym > 1 ? "s" : " ", nl, wall, pct(lags, nl, 0.5), pct(lags, nl, 0.99),
             nl ? lags[nl - 1] : NAN);
      fflush(stdout);
    }
  }

  if (SECTION(5)) {
    printf("\n5. Per-candle latency of the engine loop, real-time pacing (1s candles at 200x)\n");
    lat_out lo;
    memset(&lo, 0, sizeof lo);
    latency(quick ? 1000 : 4000, &lo);
    printf("   without a trade (%zu candles): p50 %.1f us, p99 %.1f us, max %.1f us\n", lo.nplain,
           lo.plain[0], lo.plain[1], lo.plain[2]);
    printf("   with a trade    (%zu candles): p50 %.1f us, p99 %.1f us, max %.1f us\n", lo.ntraded,
           lo.traded[0], lo.traded[1], lo.traded[2]);
  }

  if (SECTION(7)) {
    /* Issue 21: a publication's cost must not grow with the day. */
    long long day = quick ? 864000 : 8640000, half = quick ? 200000 : 2000000;
    /* ARGO_BENCH_DAY: the full day's candles (0 skips it: a build whose cost grows with the
     * day takes many minutes). */
    const char *env_day = getenv("ARGO_BENCH_DAY");
    day = env_day ? atoll(env_day) : day;
    printf("\n7. Big days (issue 21): 1s candles at full speed, pingpong, journal on\n");
    char d1[4096];
    run_result one = run_kept(half, 1, NULL, d1, sizeof d1, 0);
    double rate1 = one.ok ? (double)one.candles / one.seconds : NAN;
    printf("   1 symbol, %lld candles (%lld days): %.2f s, %.0f candles/s\n", half,
           half / 86400 + 1, one.seconds, rate1);
    double secs[2] = {NAN, NAN};
    for (int k = 0; k < 2; k++) {
      char dir[4096];
      run_result r = run_kept(half * (k + 1), 100, NULL, dir, sizeof dir, 0);
      secs[k] = r.ok ? r.seconds : NAN;
      printf(
          "   100 symbols, %lld candles in one day: %.2f s, %.0f candles/s (%.0f%% of 1 symbol), "
          "peak %.0f MiB%s%s\n",
          half * (k + 1), r.seconds, (double)r.candles / r.seconds,
          100.0 * (double)r.candles / r.seconds / rate1, (double)r.rss_kb / 1024,
          r.ok ? "" : " FAILED: ", r.ok ? "" : r.err);
      fflush(stdout);
    }
    printf("   twice the rows in %.2f times the time\n", secs[1] / secs[0]);
    static double lags[200000];
    double wall = 0;
    child_use use;
    size_t nl = 0;
    if (day > 0) {
      /* The day's throughput measured as the 1-symbol run is, without a reader; then the same
       * day while another process polls its market_data.parquet, for freshness (the reader
       * takes its own share of the two cores, which the line says). */
      char dd[4096];
      run_result r = run_kept(day, 100, NULL, dd, sizeof dd, 0);
      printf(
          "   100 symbols, a full day (%lld candles): %.2f s, %.0f candles/s (%.0f%% of 1 symbol), "
          "peak %.0f MiB%s%s\n",
          day, r.seconds, (double)r.candles / r.seconds,
          100.0 * (double)r.candles / r.seconds / rate1, (double)r.rss_kb / 1024,
          r.ok ? "" : " FAILED: ", r.ok ? "" : r.err);
      fflush(stdout);
      nl = freshness_of(full_speed(day, 100, NULL), lags, 200000, &wall, &use);
      printf("   the same day polled by a reader: %.2f s, %.0f candles/s (%.0f%% of 1 symbol), "
             "peak %.0f MiB%s;\n   freshness over %zu polls: p50 %.1f ms, p99 %.1f ms, max %.1f ms "
             "(the reader, pausing %ld ms between polls, used %.0f%% of one core)\n",
             wall, (double)day / wall, 100.0 * (double)day / wall / rate1,
             (double)use.rss_kb / 1024, use.ok ? "" : " (FAILED)", nl, pct(lags, nl, 0.5),
             pct(lags, nl, 0.99), nl ? lags[nl - 1] : NAN, poll_ms,
             100.0 * use.reader_cpu_s / wall);
    }
    fflush(stdout);
    /* Live pacing: 200 symbols of 1s candles, an hour of market time at 60x (a minute). */
    long long bars = quick ? 600 : 3600;
    run_opts live = full_speed(bars * 200, 200, NULL);
    live.speed = "60";
    nl = freshness_of(live, lags, 200000, &wall, &use);
    printf("   live pacing, 200 symbols, %lld s of 1s candles at 60x: %.1f s, CPU %.1f%% of one "
           "core%s;\n   freshness over %zu polls: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
           bars, wall, 100.0 * use.cpu_s / wall, use.ok ? "" : " (FAILED)", nl, pct(lags, nl, 0.5),
           pct(lags, nl, 0.99), nl ? lags[nl - 1] : NAN);
  }

  if (SECTION(6)) {
    printf("\n6. Memory and recovery\n");
    printf("   peak memory at %lld candles (1 symbol): %.1f MiB\n", r1m.candles,
           (double)r1m.rss_kb / 1024);
    char msg[4096] = "";
    long long rec_rows = 0;
    double rec = recovery(big, &rec_rows, msg, sizeof msg);
    printf(
        "   recovery of a crashed session of %lld candles in one day (12 symbols, killed at its\n"
        "   last candle): %.2f s, %lld candles recovered (the rest had not reached the journal)\n",
        big / 12 * 12, rec, rec_rows);
    if (isnan(rec)) {
      printf("   recovery failed: %s\n", msg);
    }
  }

  return 0;
}
