/*
 * The benchmark suite (docs/performance.md): one program, one table.
 *
 *  1. throughput end to end: the simulated feed as fast as possible, a strategy that trades
 *     every 5 candles per symbol (pingpong), full persistence with the journal on, for 1 and 20
 *     symbols at 10k, 100k and 1M candles; peak memory; the same at 1M with the journal off
 *     (the cost of durability) and the fsyncs per second;
 *  2. the machine's limit for the same schema: DuckDB appender rows/s and COPY-to-Parquet
 *     rows/s, and the resulting ceiling for one candle (append it once, export it once);
 *  3. the reference design: one INSERT and one full COPY table TO file.parquet per candle, at
 *     10k candles, and argo's ratio to it;
 *  4. freshness: how far behind the session the published market_data.parquet is, read by
 *     another process polling it while a 1M-candle session runs at full speed;
 *  5. per-candle latency of the engine loop in real-time pacing, with and without a trade;
 *  6. recovery time of a crashed 1M-candle run (its journal).
 *
 * Each measurement that runs the engine runs in its own process (fork), so that peak memory
 * and DuckDB state are its own. Options: --quick (smaller sizes, for a smoke run).
 */
#include <errno.h>
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

#include "engine_internal.h"
#include "journal.h"
#include "recover.h"
#include "stats.h"
#include "util/fsx.h"

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

static const char *const SYMS[] = {"BTCUSDT", "ETHUSDT",  "SOLUSDT",  "BNBUSDT",  "XRPUSDT",
                                   "ADAUSDT", "DOGEUSDT", "AVAXUSDT", "DOTUSDT",  "LINKUSDT",
                                   "TRXUSDT", "LTCUSDT",  "BCHUSDT",  "ATOMUSDT", "UNIUSDT",
                                   "ETCUSDT", "XLMUSDT",  "NEARUSDT", "APTUSDT",  "FILUSDT"};

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
} run_opts;

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
} progress_state;

static void on_candle(argo_engine *e, const argo_candle *c, void *user) {
  (void)e;
  (void)c;
  progress_state *p = user;
  if (p->count % 1000 == 0 && (size_t)(p->count / 1000) < p->len) {
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
  char list[512] = "", bars[32];
  for (int i = 0; i < o->nsym && i < 20; i++) {
    strcat(list, i ? "," : "");
    strcat(list, SYMS[i]);
  }
  snprintf(bars, sizeof bars, "%lld", o->candles / o->nsym);
  if (argo_config_set(cfg, "market_data.symbols", list) ||
      argo_config_set(cfg, "market_data.bars", bars) ||
      argo_config_set(cfg, "market_data.interval", o->interval) ||
      argo_config_set(cfg, "market_data.start", "2025-10-01T00:00:00Z") ||
      argo_config_set(cfg, "market_data.speed", o->speed) ||
      argo_config_set(cfg, "strategy.name", "pingpong") ||
      argo_config_set(cfg, "strategy.config", "{\"every\": 5}") ||
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
  progress_state ps = {o->progress, o->progress_len, 0};
  if (o->progress) {
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
  argo_engine_get_stats(eng, &s);
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

#define MD_SCHEMA                                                                                  \
  "CREATE TABLE market_data (time TIMESTAMP, symbol VARCHAR, open DOUBLE, high DOUBLE, low "       \
  "DOUBLE, close DOUBLE, volume DOUBLE)"

/* Appender rows/s for the market_data schema (whole data chunks, as the store loads them). */
static double appender_rate(duckdb_connection con, long rows) {
  q(con, MD_SCHEMA);
  duckdb_appender app;
  duckdb_appender_create(con, NULL, "market_data", &app);
  duckdb_logical_type types[7];
  duckdb_type t[7] = {DUCKDB_TYPE_TIMESTAMP, DUCKDB_TYPE_VARCHAR, DUCKDB_TYPE_DOUBLE,
                      DUCKDB_TYPE_DOUBLE,    DUCKDB_TYPE_DOUBLE,  DUCKDB_TYPE_DOUBLE,
                      DUCKDB_TYPE_DOUBLE};
  for (int i = 0; i < 7; i++) {
    types[i] = duckdb_create_logical_type(t[i]);
  }
  duckdb_data_chunk chunk = duckdb_create_data_chunk(types, 7);
  idx_t vs = duckdb_vector_size();
  double t0 = now_s();
  for (long r = 0; r < rows;) {
    duckdb_data_chunk_reset(chunk);
    idx_t n = (idx_t)(rows - r) < vs ? (idx_t)(rows - r) : vs;
    int64_t *tm = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0));
    duckdb_vector sv = duckdb_data_chunk_get_vector(chunk, 1);
    for (idx_t i = 0; i < n; i++) {
      tm[i] = 1759276800000000LL + (int64_t)(r + (long)i) * 1000000;
      duckdb_vector_assign_string_element_len(sv, i, "BTCUSDT", 7);
    }
    for (int c = 2; c < 7; c++) {
      double *d = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, (idx_t)c));
      for (idx_t i = 0; i < n; i++) {
        d[i] = 60000 + (double)((r + (long)i) % 1000) * 0.5 + c;
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
  for (int i = 0; i < 7; i++) {
    duckdb_destroy_logical_type(&types[i]);
  }
  return (double)rows / secs;
}

/* COPY-to-Parquet rows/s of the table just built. */
static double copy_rate(duckdb_connection con, long rows, const char *dir) {
  char sql[4300];
  snprintf(sql, sizeof sql, "COPY market_data TO '%s/md.parquet' (FORMAT PARQUET)", dir);
  double t0 = now_s();
  q(con, sql);
  return (double)rows / (now_s() - t0);
}

/* The reference design: one INSERT and one full COPY of the table per candle. */
static double reference_rate(long candles, const char *dir) {
  duckdb_database db;
  duckdb_connection con;
  duck_open(&db, &con);
  q(con, MD_SCHEMA);
  duckdb_prepared_statement ins;
  duckdb_prepare(
      con, "INSERT INTO market_data VALUES (make_timestamp($1), 'BTCUSDT', $2, $3, $4, $5, $6)",
      &ins);
  char sql[4300];
  snprintf(sql, sizeof sql, "COPY market_data TO '%s/ref.parquet' (FORMAT PARQUET)", dir);
  double t0 = now_s();
  for (long i = 0; i < candles; i++) {
    duckdb_bind_int64(ins, 1, 1759276800000000LL + (int64_t)i * 1000000);
    for (idx_t c = 2; c <= 6; c++) {
      duckdb_bind_double(ins, c, 60000 + (double)(i % 1000));
    }
    duckdb_result r;
    duckdb_execute_prepared(ins, &r);
    duckdb_destroy_result(&r);
    q(con, sql);
  }
  double secs = now_s() - t0;
  duckdb_destroy_prepare(&ins);
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

/* Polls the published market_data.parquet while a session runs and returns lags in ms. */
static size_t freshness(long long candles, double *lags, size_t cap, double *wall) {
  char dir[4096];
  tmpdir(dir, sizeof dir, "fresh");
  size_t slots = (size_t)(candles / 1000) + 2;
  volatile int64_t *prog = mmap(NULL, slots * sizeof(int64_t), PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  memset((void *)prog, 0, slots * sizeof(int64_t));
  run_opts o = {.candles = candles,
                .nsym = 1,
                .journal = 1,
                .speed = "max",
                .interval = "1s",
                .dir = dir,
                .progress = prog,
                .progress_len = slots};
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
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      break;
    }
    /* Every day folder of the session: the newest published candle of the newest day. */
    char sql[8800];
    snprintf(sql, sizeof sql,
             "SELECT epoch_us(max(time)) FROM read_parquet('%s/*/run_1/market_data.parquet')", dir);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t polled = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    duckdb_result r;
    if (duckdb_query(con, sql, &r) == DuckDBSuccess && duckdb_row_count(&r) == 1 &&
        !duckdb_value_is_null(&r, 0, 0)) {
      int64_t t = duckdb_value_int64(&r, 0, 0);
      long long idx = (t - 1759276800000000LL) / 1000000; /* candles processed before it */
      size_t slot = (size_t)(idx / 1000);
      /* The newest published candle was processed at prog[slot] (to 1000 candles); the lag is
       * how long ago that was. A slot not yet stamped means it was just processed. */
      if (slot + 1 < slots && prog[slot + 1] && n < cap) {
        lags[n++] = (double)(polled - prog[slot + 1]) / 1e6;
      }
    }
    duckdb_destroy_result(&r);
  }
  *wall = now_s() - t0;
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
  run_opts o = {.candles = candles,
                .nsym = 1,
                .journal = 1,
                .speed = "200",
                .interval = "1s",
                .dir = dir,
                .lat = l};
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

/* Writes the journal of a crashed run of `candles` candles (a fill every 5) and times the
 * recovery of its folder. */
static double recovery(long long candles, char *msg, size_t len) {
  char dir[4096];
  tmpdir(dir, sizeof dir, "recover");
  char run[4200];
  snprintf(run, sizeof run, "%s/2025-10-01/run_1", dir);
  char err[512];
  argo__fs_mkdir_p(run, 0755, err, sizeof err);
  argo__waker w;
  argo__waker_init(&w);
  argo__journal *j;
  if (argo__journal_open(&j, run, 100000, &w, err, sizeof err) != ARGO_OK) {
    snprintf(msg, len, "%s", err);
    return NAN;
  }
  const char *syms[] = {"BTCUSDT"};
  argo__stats *st;
  argo__stats_new(&st, 1e9, 1);
  void *state;
  size_t slen;
  argo__stats_save(st, &state, &slen);
  argo__jday d = {.session_id = "00000000-0000-4000-8000-000000000000",
                  .run_name = "run_1",
                  .date = "2025-10-01",
                  .session_start = 1759276800000000LL,
                  .day_start_event = 1759276800000000LL,
                  .capital = 1e9,
                  .strategy_name = "pingpong",
                  .strategy_id = "",
                  .strategy_version = "",
                  .run_collision = "",
                  .resumed_from = "",
                  .symbols = syms,
                  .nsymbols = 1,
                  .stats_state = state,
                  .stats_len = slen};
  argo__journal_day(j, &d);
  free(state);
  argo__stats_free(st);
  for (long long i = 0; i < candles; i++) {
    /* All in one day, as a 1M-candle day of 12 symbols of 1s candles would be. */
    argo_candle c = {NULL, 1759276800000000LL + i * 80000, 100, 101, 99, 100 + (double)(i % 7), 1};
    argo__journal_candle(j, 0, &c);
    if (i % 5 == 4) {
      argo_order o;
      memset(&o, 0, sizeof o);
      snprintf(o.order_id, sizeof o.order_id, "00000000-%lld", i);
      o.side = (i / 5) % 2 ? ARGO_SIDE_SELL : ARGO_SIDE_BUY;
      o.quantity = 1;
      o.price = c.close;
      o.timestamp = c.time;
      o.status = ARGO_ORDER_FILLED;
      o.reason = "";
      o.symbol = "BTCUSDT";
      argo__journal_order(j, 0, &o);
      argo_fill f;
      memset(&f, 0, sizeof f);
      memcpy(f.order_id, o.order_id, sizeof f.order_id);
      f.side = o.side;
      f.quantity = f.executed_qty = 1;
      f.price = f.executed_price = c.close;
      f.timestamp = f.executed_at = c.time;
      argo__journal_fill(j, 0, &f);
    }
    if (i % 65536 == 0) {
      argo__journal_handover(j);
    }
  }
  argo__journal_close(j, err, sizeof err);
  argo__journal_free(j);
  argo__waker_deinit(&w);
  double t0 = now_s();
  argo_err rc = argo__recover_folder(run, msg, len);
  double secs = now_s() - t0;
  rm_rf(dir);
  return rc == ARGO_OK ? secs : NAN;
}

/* ---- main ------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  long long sizes[3] = {10000, 100000, 1000000};
  long long big = quick ? 100000 : 1000000;
  if (quick) {
    sizes[2] = 100000;
  }
  printf("argo benchmark suite (%s)\n\n", quick ? "quick" : "full");

  printf("1. Throughput, end to end: simulated feed at full speed, 1s candles, pingpong (a trade\n"
         "   every 5 candles per symbol), journal on, full persistence\n");
  printf("   %8s %10s %9s %12s %9s %9s %9s\n", "symbols", "candles", "seconds", "candles/s",
         "fills", "peak MiB", "fsyncs/s");
  double rate_10k = 0, rate_1m = 0;
  run_result r1m = {0};
  for (int si = 0; si < 2; si++) {
    int nsym = si ? 20 : 1;
    for (int k = 0; k < 3; k++) {
      char dir[4096];
      tmpdir(dir, sizeof dir, "tp");
      run_opts o = {.candles = sizes[k],
                    .nsym = nsym,
                    .journal = 1,
                    .speed = "max",
                    .interval = "1s",
                    .dir = dir};
      run_result r = in_child(&o);
      rm_rf(dir);
      if (!r.ok) {
        printf("   %8d %10lld  failed: %s\n", nsym, sizes[k], r.err);
        continue;
      }
      double rate = (double)r.candles / r.seconds;
      if (nsym == 1 && k == 0) {
        rate_10k = rate;
      }
      if (nsym == 1 && k == 2) {
        rate_1m = rate;
        r1m = r;
      }
      printf("   %8d %10lld %9.3f %12.0f %9lld %9.1f %9.0f\n", nsym, r.candles, r.seconds, rate,
             r.fills, (double)r.rss_kb / 1024, (double)r.fsyncs / r.seconds);
      fflush(stdout);
    }
  }
  {
    char dir[4096];
    tmpdir(dir, sizeof dir, "nojournal");
    run_opts o = {
        .candles = big, .nsym = 1, .journal = 0, .speed = "max", .interval = "1s", .dir = dir};
    run_result r = in_child(&o);
    rm_rf(dir);
    if (r.ok) {
      printf("   journal off, 1 symbol, %lld candles: %.0f candles/s (journal on: %.0f, cost of "
             "durability %.0f%%)\n",
             r.candles, (double)r.candles / r.seconds, rate_1m,
             rate_1m > 0 ? 100.0 * (1 - rate_1m / ((double)r.candles / r.seconds)) : NAN);
    }
  }

  printf("\n2. The machine's limit for the market_data schema (DuckDB %s, one thread)\n",
         duckdb_library_version());
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
  printf("   appender %.0f rows/s, COPY to Parquet %.0f rows/s: ceiling %.0f candles/s (append "
         "once + export once)\n",
         app, cp, ceiling);
  printf("   argo at %lld candles, 1 symbol: %.0f candles/s = %.0f%% of the ceiling\n", big,
         rate_1m, 100.0 * rate_1m / ceiling);

  long long ref_n = quick ? 2000 : 10000;
  printf("\n3. The reference design (one INSERT + one full COPY per candle), %lld candles\n",
         ref_n);
  char rdir[4096];
  tmpdir(rdir, sizeof rdir, "ref");
  double ref = reference_rate((long)ref_n, rdir);
  rm_rf(rdir);
  printf("   reference %.0f candles/s; argo at 10k candles %.0f candles/s: ratio %.0f\n", ref,
         rate_10k, rate_10k / ref);

  printf("\n4. Freshness of the published market_data.parquet at full speed, %lld candles\n", big);
  static double lags[200000];
  double wall = 0;
  size_t nl = freshness(big, lags, 200000, &wall);
  printf("   %zu polls by another process over %.1f s: lag p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
         nl, wall, pct(lags, nl, 0.5), pct(lags, nl, 0.99), nl ? lags[nl - 1] : NAN);

  printf("\n5. Per-candle latency of the engine loop, real-time pacing (1s candles at 200x)\n");
  lat_out lo;
  memset(&lo, 0, sizeof lo);
  latency(quick ? 1000 : 4000, &lo);
  printf("   without a trade (%zu candles): p50 %.1f us, p99 %.1f us, max %.1f us\n", lo.nplain,
         lo.plain[0], lo.plain[1], lo.plain[2]);
  printf("   with a trade    (%zu candles): p50 %.1f us, p99 %.1f us, max %.1f us\n", lo.ntraded,
         lo.traded[0], lo.traded[1], lo.traded[2]);

  printf("\n6. Memory and recovery\n");
  printf("   peak memory at %lld candles (1 symbol): %.1f MiB\n", r1m.candles,
         (double)r1m.rss_kb / 1024);
  char msg[4096];
  double rec = recovery(big, msg, sizeof msg);
  printf("   recovery of a crashed run of %lld candles (all in one day, a fill every 5): %.2f s\n",
         big, rec);
  if (isnan(rec)) {
    printf("   recovery failed: %s\n", msg);
  }
  return 0;
}
