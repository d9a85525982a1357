/*
 * A program that embeds argo: it feeds the engine candles of its own (argo_engine_set_feed: a
 * seeded random walk of one symbol), lets the builtin pingpong strategy trade on them with the
 * paper broker, follows the session through callbacks, and reads back what was recorded with the
 * catalog. Everything it uses is argo.h. Build it against an installed argo:
 *
 *   cc embed.c $(pkg-config --cflags --libs argo) -o embed          (Makefile)
 *   cmake -S . -B build && cmake --build build                       (CMakeLists.txt)
 *
 *   ./embed DATA_FOLDER [CANDLES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argo/argo.h>

typedef struct walk {
  int left;       /* candles still to give */
  int64_t time;   /* open time of the next candle */
  double price;   /* last close */
  unsigned state; /* the random walk's generator */
} walk;

static double next_step(walk *w) {
  w->state = w->state * 1103515245u + 12345u;
  return ((double)(w->state >> 8 & 0xffff) / 65535.0 - 0.5) * 0.004;
}

/* ARGO_FEED_CANDLE with the next candle, ARGO_FEED_END once every candle was given. */
static int walk_next(void *user, argo_candle *out, char *err, size_t errlen) {
  walk *w = user;
  (void)err;
  (void)errlen;
  if (w->left-- <= 0) {
    return ARGO_FEED_END;
  }
  double open = w->price, close = open * (1 + next_step(w));
  out->symbol = "BTCUSDT";
  out->time = w->time;
  out->open = open;
  out->close = close;
  out->high = (open > close ? open : close) * 1.0005;
  out->low = (open < close ? open : close) * 0.9995;
  out->volume = 1.5;
  w->time += 60 * INT64_C(1000000);
  w->price = close;
  return ARGO_FEED_CANDLE;
}

static int64_t walk_clock(void *user) {
  return ((walk *)user)->time;
}

typedef struct seen {
  long fills;
  char run_dir[4096];
} seen;

static void on_start(argo_engine *eng, const argo_engine_info *info, void *user) {
  (void)eng;
  seen *s = user;
  snprintf(s->run_dir, sizeof s->run_dir, "%s", info->run_dir);
  printf("recording into %s\n", info->run_dir);
}

static void on_filled(argo_engine *eng, const argo_order *o, const argo_fill *f, void *user) {
  (void)eng;
  (void)o;
  seen *s = user;
  s->fills++;
  if (s->fills <= 3) {
    printf("fill: %s %s %.6g @ %.2f\n", f->order_id, f->side == ARGO_SIDE_BUY ? "BUY" : "SELL",
           f->executed_qty, f->executed_price);
  }
}

static void on_error(argo_engine *eng, argo_err code, const char *message, void *user) {
  (void)eng;
  (void)user;
  fprintf(stderr, "embed: %s: %s\n", argo_strerror(code), message);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_FOLDER [CANDLES]\n", argv[0]);
    return 2;
  }
  printf("argo %s (header %s)\n", argo_version(), ARGO_VERSION_STRING);
  if (argo_version_number() / 100 != ARGO_VERSION_NUMBER / 100) {
    fprintf(stderr, "embed: built for argo %s, running with %s\n", ARGO_VERSION_STRING,
            argo_version());
    return 1;
  }
  argo_config *cfg = NULL;
  argo_engine *eng = NULL;
  int rc = 1;
  if (argo_config_new(&cfg) != ARGO_OK || argo_engine_new(&eng) != ARGO_OK) {
    fprintf(stderr, "embed: out of memory\n");
    goto done;
  }
  if (argo_config_set(cfg, "market_data.symbols", "BTCUSDT") != ARGO_OK ||
      argo_config_set(cfg, "market_data.interval", "1m") != ARGO_OK ||
      argo_config_set(cfg, "strategy.name", "pingpong") != ARGO_OK ||
      argo_config_set(cfg, "strategy.config", "{\"every\": 5}") != ARGO_OK ||
      argo_config_set(cfg, "engine.data_output", argv[1]) != ARGO_OK) {
    fprintf(stderr, "embed: %s\n", argo_config_errmsg(cfg));
    goto done;
  }
  if (argo_engine_init(eng, cfg) != ARGO_OK) {
    fprintf(stderr, "embed: %s\n", argo_engine_errmsg(eng));
    goto done;
  }
  walk w = {.left = argc > 2 ? atoi(argv[2]) : 500,
            .time = INT64_C(1759309200000000), /* 2025-10-01T09:00:00Z */
            .price = 60000,
            .state = 7};
  argo_feed feed = {.struct_size = sizeof feed,
                    .name = "random walk",
                    .next = walk_next,
                    .clock_start = walk_clock,
                    .user = &w};
  seen s = {0};
  argo_callbacks cb = {
      .on_engine_start = on_start, .on_order_filled = on_filled, .on_error = on_error};
  if (argo_engine_set_feed(eng, &feed, sizeof feed) != ARGO_OK ||
      argo_engine_set_callbacks(eng, &cb, sizeof cb, &s) != ARGO_OK) {
    fprintf(stderr, "embed: %s\n", argo_engine_errmsg(eng));
    goto done;
  }
  if (argo_engine_run(eng) != ARGO_OK) {
    fprintf(stderr, "embed: the session failed: %s\n", argo_engine_errmsg(eng));
    goto done;
  }
  argo_stats st;
  if (argo_engine_get_stats(eng, &st, sizeof st) == ARGO_OK) {
    printf("%lld fills acknowledged, %lld recorded, realized pnl %.2f, status %s\n",
           (long long)s.fills, (long long)st.cumulative.number_of_trades,
           st.cumulative.realized_pnl, st.status);
  }
  /* What the files say, read back through the catalog. */
  argo_catalog *cat = NULL;
  if (argo_catalog_open(&cat, argv[1]) == ARGO_OK && argo_catalog_count(cat) > 0) {
    const argo_catalog_entry *e = argo_catalog_at(cat, 0);
    printf("catalog: %s/%s %s, %lld candles\n", e->date, e->run, e->status,
           (long long)e->stats->candles_day);
    rc = strcmp(e->status, "finished") == 0 && s.fills > 0 ? 0 : 1;
  }
  argo_catalog_close(cat);
done:
  argo_engine_free(eng);
  argo_config_free(cfg);
  return rc;
}
