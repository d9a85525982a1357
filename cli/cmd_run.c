/*
 * argo run: builds a configuration from --config and the flags, runs one session, writes the
 * --events JSON lines as callbacks arrive, and prints where the record is. SIGINT and SIGTERM
 * stop the session cleanly (exit 0).
 *
 * Progress goes to standard error (never to standard output, which may carry --events -): when
 * it is a terminal, one status line (status, candles, last price, fills, pnl, drawdown, or a
 * progress bar while history is prefetched) rewritten in place at most four times a second and
 * erased before any other output; otherwise a plain line at most every PLAIN_EVERY_US. --quiet
 * prints neither (errors are still printed).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <argo/argo.h>

#include "cli.h"

const cli_opt cli_run_opts[] = {
    {"--config", "FILE", NULL,
     "YAML configuration (sections engine, market_data, trading, strategy)"},
    {"--feed", "NAME", "market_data.feed", "market-data feed: sim, replay or binance"},
    {"--replay-file", "FILE", "market_data.replay_file",
     "replay feed: a Parquet or CSV file of candles"},
    {"--end", "TIME", "market_data.end",
     "replay and simulated feeds: only candles before this time (UTC)"},
    {"--symbols", "LIST", "market_data.symbols", "comma-separated symbols, e.g. BTCUSDT,ETHUSDT"},
    {"--interval", "INTERVAL", "market_data.interval",
     "candle interval from 1s to 1d, e.g. 1m, 4h"},
    {"--start", "TIME", "market_data.start",
     "first candle's open time (UTC), e.g. 2025-10-01T09:00:00Z"},
    {"--bars", "N", "market_data.bars", "candles per symbol (simulated feed)"},
    {"--pattern", "NAME", "market_data.pattern",
     "simulated prices: increasing, decreasing, volatile"},
    {"--seed", "N", "market_data.seed", "seed of the simulated feed"},
    {"--speed", "max|N", "market_data.speed", "pacing: as fast as possible, or real time times N"},
    {"--strategy", "NAME|FILE.so|FILE.py", "strategy.name",
     "builtin strategy name, plugin path or Python strategy (.py)"},
    {"--strategy-config", "JSON|FILE", "strategy.config",
     "strategy configuration: a JSON object or a file holding one"},
    {"--capital", "AMOUNT", "trading.capital", "starting capital of the paper account"},
    {"--data-output", "DIR", "engine.data_output", "where sessions are recorded"},
    {"--resume-account", NULL, "engine.resume_account",
     "also resume the paper account (cash, positions) of the run the warm restart resumes from"},
    {"--set", "KEY=VALUE", NULL, "set any configuration key (repeatable)"},
    {"--events", "FILE|-", NULL, "write one JSON line per callback to FILE (- for stdout)"},
    {"--quiet", NULL, NULL, "print nothing but errors"},
    {0},
};

/* The engine that SIGINT/SIGTERM stop. argo_engine_stop is async-signal-safe. */
static argo_engine *volatile running_engine;

static void on_signal(int sig) {
  argo_engine *eng = running_engine;
  if (eng) {
    argo_engine_stop_because(eng, sig == SIGINT ? "stopped by SIGINT before the feed's end"
                                                : "stopped by SIGTERM before the feed's end");
  }
}

typedef struct run_state {
  FILE *events;
  const char *events_path; /* --events FILE (NULL for none, "-" for stdout) */
  int events_failed;       /* a write failed: no more events, the session was asked to stop */
  argo_engine *eng;
  int quiet;
  int started;
  FILE *info; /* where human-readable lines go (stdout, or stderr when events use stdout) */
  char run_dir[4096];
  char session_id[64];
  char data_output[4096];
  argo_stats last;
  int have_stats;
  long orders, fills, errors;
  /* progress on stderr */
  int progress;        /* print progress at all (not --quiet) */
  int tty;             /* stderr is a terminal: one line rewritten in place */
  int line_shown;      /* that line is on the screen now */
  int64_t last_draw;   /* monotonic microseconds of the last progress output */
  long long candles;   /* candles seen by on_market_data */
  long long total;     /* candles the feed will give (simulated feed), 0 when not known */
  int live;            /* a live feed: the line shows how long the session has run */
  int64_t start_mono;  /* when the session started (monotonic microseconds) */
  int64_t market_time; /* the latest candle's time */
  char **syms;         /* the session's symbols, and the latest close of each */
  double *px;
  unsigned char *has_px;
  size_t nsyms;
  argo_engine_status status;
  int have_status;
  char pf_symbol[32]; /* prefetch in progress: symbol, done and total candles */
  int64_t pf_done, pf_total;
} run_state;

/* Rewrites of the terminal line: at most four a second. Plain lines: at most one per 5 s. */
#define TTY_EVERY_US 250000
#define PLAIN_EVERY_US 5000000

static int64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Erases the status line, so that whatever is printed next starts on a clean line. */
static void status_clear(run_state *st) {
  if (st->line_shown) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    st->line_shown = 0;
  }
}

/* Appends " | " and the first of the forms of a part (NULL-terminated, longest first) that keeps
 * buf within width columns (0: no limit); nothing when none fits. */
static void part(char *buf, size_t len, size_t width, const char *const *forms) {
  size_t n = strlen(buf);
  for (int i = 0; forms[i]; i++) {
    size_t add = (n ? 3 : 0) + strlen(forms[i]);
    if ((width == 0 || n + add <= width) && n + add < len) {
      snprintf(buf + n, len - n, "%s%s", n ? " | " : "", forms[i]);
      return;
    }
  }
}

/* The status line, within width columns (0: no limit): the status and the session's pnl
 * first, so that a narrow terminal still shows them, then the candles seen (of how many, or how
 * long a live session has run), the market time, the maximum drawdown, the fills and the
 * latest close of as many symbols as fit. */
static void progress_text(const run_state *st, char *buf, size_t len, size_t width) {
  if (st->have_status && st->status == ARGO_STATUS_PREFETCHING && st->pf_total > 0) {
    /* A bar of 24 cells. */
    double frac = (double)st->pf_done / (double)st->pf_total;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    char bar[25];
    int full = (int)(frac * 24 + 0.5);
    for (int i = 0; i < 24; i++) {
      bar[i] = i < full ? '#' : '.';
    }
    bar[24] = '\0';
    snprintf(buf, len, "prefetching %s [%s] %3.0f%% %lld/%lld candles", st->pf_symbol, bar,
             frac * 100, (long long)st->pf_done, (long long)st->pf_total);
    return;
  }
  const argo_stats_block *c = &st->last.cumulative;
  char a[96], b[96], up[32];
  buf[0] = '\0';
  snprintf(a, sizeof a, "%s", st->have_status ? argo_status_name(st->status) : "starting");
  part(buf, len, width, (const char *[]){a, NULL});
  snprintf(a, sizeof a, "pnl %+.2f", st->have_stats ? c->total_pnl : 0.0);
  part(buf, len, width, (const char *[]){a, NULL});
  if (st->total > 0) {
    snprintf(a, sizeof a, "%lld/%lld candles", st->candles, st->total);
    snprintf(b, sizeof b, "%lld/%lld", st->candles, st->total);
  } else if (st->live) {
    argo_duration_format((double)(mono_us() - st->start_mono) / 1e6, up, sizeof up);
    snprintf(a, sizeof a, "%lld candles, up %s", st->candles, up);
    snprintf(b, sizeof b, "%lld, up %s", st->candles, up);
  } else {
    snprintf(a, sizeof a, "%lld candles", st->candles);
    snprintf(b, sizeof b, "%lld", st->candles);
  }
  part(buf, len, width, (const char *[]){a, b, NULL});
  if (st->candles) {
    char t[48];
    argo_time_format(st->market_time, t, sizeof t);
    t[10] = ' '; /* 2025-10-01 09:00:00Z */
    snprintf(a, sizeof a, "%s", t);
    snprintf(b, sizeof b, "%s", t + 5); /* 10-01 09:00:00Z */
    part(buf, len, width, (const char *[]){a, b, NULL});
  }
  snprintf(a, sizeof a, "max drawdown %.2f%%", st->have_stats ? c->max_drawdown * 100 : 0.0);
  snprintf(b, sizeof b, "dd %.2f%%", st->have_stats ? c->max_drawdown * 100 : 0.0);
  part(buf, len, width, (const char *[]){a, b, NULL});
  snprintf(a, sizeof a, "%ld fills", st->fills);
  part(buf, len, width, (const char *[]){a, NULL});
  for (size_t i = 0; i < st->nsyms; i++) {
    if (st->has_px[i]) {
      snprintf(a, sizeof a, "%s %.8g", st->syms[i], st->px[i]);
      part(buf, len, width, (const char *[]){a, NULL});
    }
  }
}

/* Shows progress if the last output is old enough (or force). */
static void status_draw(run_state *st, int force) {
  if (!st->progress || (!st->have_status && !st->candles)) {
    return;
  }
  int64_t now = mono_us();
  if (!force && now - st->last_draw < (st->tty ? TTY_EVERY_US : PLAIN_EVERY_US)) {
    return;
  }
  st->last_draw = now;
  char line[4096];
  if (!st->tty) {
    progress_text(st, line, sizeof line, 0);
    fprintf(stderr, "argo: %s\n", line);
    return;
  }
  /* One terminal row at most (a wrapped line could not be rewritten with \r): the parts that
   * fit, and what does not fit of the first ones cut. */
  struct winsize ws;
  size_t width = 0;
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && ws.ws_col < 512) {
    width = ws.ws_col - 1u;
  }
  progress_text(st, line, sizeof line, width);
  if (width && strlen(line) > width) {
    line[width] = '\0';
  }
  fprintf(stderr, "\r\033[K%s", line);
  fflush(stderr);
  st->line_shown = 1;
}

static json_t *time_json(int64_t us) {
  char buf[48];
  argo_time_format(us, buf, sizeof buf);
  return json_string(buf);
}

/* The events file cannot be written (why: a message, or NULL for err's text): say so once,
 * stop the session (cleanly: its files are flushed and final as after Ctrl-C) and write no more
 * events; the exit code is 1. */
static void events_failed_why(run_state *st, int err, const char *why) {
  if (st->events_failed) {
    return;
  }
  st->events_failed = 1;
  status_clear(st);
  if (why) {
    cli_error("--events: %s; stopping the session", why);
  } else {
    cli_error("--events: cannot write to '%s': %s; stopping the session",
              strcmp(st->events_path, "-") == 0 ? "standard output" : st->events_path,
              strerror(err ? err : EIO));
  }
  if (st->eng) {
    argo_engine_stop_because(st->eng, "stopped because the --events file could not be written");
  }
}

/* An events write failed. */
static void events_failed(run_state *st, int err) {
  events_failed_why(st, err, NULL);
}

/* Opens the --events file at the first event, so that a run that fails before it starts
 * (a bad strategy, say) neither creates nor truncates the file. The file is the user's: it is
 * opened as argo_output_open says (a regular file, a new one or a link to one, written in
 * place; a pipe or a device that appeared since the check is refused, never blocked on). 0, or
 * -1 (reported). */
static int events_open(run_state *st) {
  if (st->events || st->events_failed) {
    return st->events ? 0 : -1;
  }
  if (strcmp(st->events_path, "-") == 0) {
    st->events = stdout;
    return 0;
  }
  int fd = -1;
  char msg[512];
  if (argo_output_open(st->events_path, &fd, msg, sizeof msg) != ARGO_OK) {
    events_failed_why(st, 0, msg);
    return -1;
  }
  st->events = fdopen(fd, "w");
  if (!st->events) {
    int e = errno;
    close(fd);
    events_failed(st, e);
    return -1;
  }
  return 0;
}

static void emit(run_state *st, json_t *obj) {
  if (!st->events_path || st->events_failed || !obj || events_open(st) != 0) {
    json_decref(obj);
    return;
  }
  char now[48];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  argo_time_format((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, now, sizeof now);
  json_object_set_new(obj, "wall_time", json_string(now));
  char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(obj);
  /* URLs in the line (an error message quoting a configured URL) with their secrets masked.
   * Masking adds at most 3 bytes per URL or parameter, hence the room. */
  size_t cap = text ? 4 * strlen(text) + 16 : 0;
  char *line = text ? malloc(cap) : NULL;
  if (line) {
    argo_mask_urls(text, line, cap);
  }
  free(text);
  if (!line) {
    events_failed(st, ENOMEM);
    return;
  }
  /* Each line is flushed as it is written: a reader sees every event as it happens. */
  errno = 0;
  if (fputs(line, st->events) < 0 || fputc('\n', st->events) == EOF || fflush(st->events) != 0) {
    events_failed(st, errno);
  }
  free(line);
}

static const char *side_s(argo_side s) {
  return s == ARGO_SIDE_SELL ? "SELL" : "BUY";
}

static const char *ptype_s(argo_position_type p) {
  return p == ARGO_POSITION_SHORT ? "SHORT" : "LONG";
}

/* A number for JSON: a NaN or an infinity (a rejected order's bad quantity) becomes null, so
 * that the event is still written. */
static json_t *num(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

static json_t *order_json(const argo_order *o) {
  return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:s}", "order_id",
                   o->order_id, "symbol", o->symbol, "side", side_s(o->side), "order_type",
                   o->type == ARGO_ORDER_LIMIT ? "LIMIT" : "MARKET", "quantity", num(o->quantity),
                   "price", num(o->price), "timestamp", time_json(o->timestamp), "status",
                   cli_order_status(o->status), "strategy_name",
                   o->strategy_name ? o->strategy_name : "", "position_type",
                   ptype_s(o->position_type), "reason", o->reason ? o->reason : "");
}

static json_t *block_json(const argo_stats_block *b) {
  return json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "number_of_trades",
                   (json_int_t)b->number_of_trades, "number_of_winning_trades",
                   (json_int_t)b->number_of_winning_trades, "number_of_losing_trades",
                   (json_int_t)b->number_of_losing_trades, "win_rate", num(b->win_rate),
                   "max_drawdown", num(b->max_drawdown), "realized_pnl", num(b->realized_pnl),
                   "unrealized_pnl", num(b->unrealized_pnl), "total_pnl", num(b->total_pnl),
                   "maximum_loss", num(b->maximum_loss), "maximum_profit", num(b->maximum_profit),
                   "total_fees", num(b->total_fees));
}

static void on_start(argo_engine *eng, const argo_engine_info *info, void *user) {
  (void)eng;
  run_state *st = user;
  st->started = 1;
  snprintf(st->run_dir, sizeof st->run_dir, "%s", info->run_dir);
  snprintf(st->session_id, sizeof st->session_id, "%s", info->session_id);
  snprintf(st->data_output, sizeof st->data_output, "%s", info->data_output);
  st->start_mono = mono_us();
  st->syms = calloc(info->nsymbols ? info->nsymbols : 1, sizeof *st->syms);
  st->px = calloc(info->nsymbols ? info->nsymbols : 1, sizeof *st->px);
  st->has_px = calloc(info->nsymbols ? info->nsymbols : 1, 1);
  for (size_t i = 0; st->syms && st->px && st->has_px && i < info->nsymbols; i++) {
    if ((st->syms[i] = strdup(info->symbols[i])) != NULL) {
      st->nsyms = i + 1;
    }
  }
  json_t *syms = json_array();
  for (size_t i = 0; i < info->nsymbols; i++) {
    json_array_append_new(syms, json_string(info->symbols[i]));
  }
  emit(st, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "event", "engine_start",
                     "session_id", info->session_id, "run", info->run_name, "run_dir",
                     info->run_dir, "data_output", info->data_output, "symbols", syms, "interval",
                     info->interval ? info->interval : "", "strategy",
                     info->strategy_name ? info->strategy_name : ""));
  if (!st->quiet) {
    status_clear(st);
    fprintf(st->info, "argo: session %s recording into %s\n", info->session_id, info->run_dir);
    fflush(st->info);
  }
}

static void on_stop(argo_engine *eng, argo_err status, const char *message, void *user) {
  (void)eng;
  run_state *st = user;
  emit(st, json_pack("{s:s, s:s, s:s}", "event", "engine_stop", "status",
                     status == ARGO_OK ? "ok" : argo_strerror(status), "message",
                     message ? message : ""));
  status_clear(st);
  if (status == ARGO_EHUNG) {
    /* The strategy never returned and the library has ended the session without it (its files
     * are final): nothing can stop that thread safely, so the process ends here. */
    if (st->events) {
      fflush(st->events);
    }
    cli_error("session stopped: %s", message ? message : "");
    fflush(stderr);
    _exit(CLI_EXIT_FAIL);
  }
}

static void on_placed(argo_engine *eng, const argo_order *o, void *user) {
  (void)eng;
  run_state *st = user;
  st->orders++;
  emit(st, json_pack("{s:s, s:o}", "event", "order_placed", "order", order_json(o)));
}

static void on_updated(argo_engine *eng, const argo_order *o, void *user) {
  (void)eng;
  emit(user, json_pack("{s:s, s:o}", "event", "order_updated", "order", order_json(o)));
}

static void on_filled(argo_engine *eng, const argo_order *o, const argo_fill *f, void *user) {
  (void)eng;
  run_state *st = user;
  st->fills++;
  json_t *fill = json_pack(
      "{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "order_id", f->order_id,
      "symbol", f->symbol, "side", side_s(f->side), "quantity", num(f->quantity), "price",
      num(f->price), "timestamp", time_json(f->timestamp), "executed_at", time_json(f->executed_at),
      "executed_qty", num(f->executed_qty), "executed_price", num(f->executed_price), "commission",
      num(f->commission), "pnl", num(f->pnl), "position_type", ptype_s(f->position_type));
  emit(st,
       json_pack("{s:s, s:o, s:o}", "event", "order_filled", "order", order_json(o), "fill", fill));
}

static void on_error(argo_engine *eng, argo_err code, const char *message, void *user) {
  (void)eng;
  run_state *st = user;
  st->errors++;
  emit(st, json_pack("{s:s, s:s, s:s}", "event", "error", "code", argo_strerror(code), "message",
                     message));
  status_clear(st);
  cli_error("error: %s", message);
}

static void on_strategy_error(argo_engine *eng, const argo_candle *c, const char *message,
                              void *user) {
  (void)eng;
  run_state *st = user;
  st->errors++;
  emit(st, json_pack("{s:s, s:s, s:o, s:s}", "event", "strategy_error", "symbol", c->symbol, "time",
                     time_json(c->time), "message", message));
  /* An error, so printed even with --quiet. */
  status_clear(st);
  cli_error("strategy error: %s", message);
}

static void on_stats(argo_engine *eng, const argo_stats *s, void *user) {
  (void)eng;
  run_state *st = user;
  st->last = *s;
  st->have_stats = 1;
  emit(st, json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:o, s:o, s:o}}", "event",
                     "stats", "stats", "id", s->id, "session_id", s->session_id, "date", s->date,
                     "status", s->status, "last_updated", time_json(s->last_updated), "candles",
                     (json_int_t)s->candles_day, "candles_total", (json_int_t)s->candles_total,
                     "equity", num(s->equity), "daily", block_json(&s->daily), "cumulative",
                     block_json(&s->cumulative)));
  status_draw(st, 0);
}

static void on_recovered(argo_engine *eng, const char *run_dir, const char *message, void *user) {
  (void)eng;
  run_state *st = user;
  emit(st,
       json_pack("{s:s, s:s, s:s}", "event", "recovered", "run_dir", run_dir, "message", message));
  if (!st->quiet) {
    status_clear(st);
    char masked[4096];
    fprintf(st->info, "argo: %s\n", argo_mask_urls(message, masked, sizeof masked));
  }
}

static void on_status(argo_engine *eng, argo_engine_status status, void *user) {
  (void)eng;
  run_state *st = user;
  emit(st, json_pack("{s:s, s:s}", "event", "status", "status", argo_status_name(status)));
  st->status = status;
  st->have_status = 1;
  if (status == ARGO_STATUS_STOPPED) {
    status_clear(st);
  } else if (st->tty || status != ARGO_STATUS_RUNNING) {
    /* A terminal shows every change at once; plain output says when the session is
     * prefetching, filling a gap or stopping, and its periodic lines show the rest. */
    status_draw(st, 1);
  }
}

/* What the status line can say of the end: the candles of the simulated feed (bars of each
 * symbol), or that the feed is live. */
static void progress_total(const argo_config *cfg, run_state *st) {
  char feed[32], bars[32], syms[4096];
  if (argo_config_get(cfg, "market_data.feed", feed, sizeof feed) != ARGO_OK ||
      argo_config_get(cfg, "market_data.bars", bars, sizeof bars) != ARGO_OK ||
      argo_config_get(cfg, "market_data.symbols", syms, sizeof syms) != ARGO_OK) {
    return;
  }
  st->live = strcmp(feed, "binance") == 0;
  if (strcmp(feed, "sim") == 0) {
    long long n = 1;
    for (const char *p = syms; *p; p++) {
      n += *p == ',';
    }
    st->total = atoll(bars) * n;
  }
}

/* Registered only when progress is shown: counting candles costs a call per candle. */
static void on_candle(argo_engine *eng, const argo_candle *c, void *user) {
  (void)eng;
  run_state *st = user;
  st->candles++;
  st->market_time = c->time;
  for (size_t i = 0; i < st->nsyms; i++) {
    if (strcmp(st->syms[i], c->symbol) == 0) {
      st->px[i] = c->close;
      st->has_px[i] = 1;
      break;
    }
  }
  status_draw(st, 0);
}

static void on_prefetch(argo_engine *eng, const char *symbol, int64_t done, int64_t total,
                        void *user) {
  (void)eng;
  run_state *st = user;
  emit(st, json_pack("{s:s, s:s, s:I, s:I}", "event", "prefetch_progress", "symbol",
                     symbol ? symbol : "", "done", (json_int_t)done, "total", (json_int_t)total));
  if (!st->progress) {
    return;
  }
  snprintf(st->pf_symbol, sizeof st->pf_symbol, "%s", symbol ? symbol : "");
  st->pf_done = done;
  st->pf_total = total;
  status_draw(st, done >= total);
}

/* Checks that --events FILE can be written, without creating or truncating it (that happens at
 * the first event): a file the user names (cli_output_check: never a folder, a pipe or a
 * device); an existing file must be writable, a new one needs a writable folder. A usage error
 * (reported) is -1. The open at the first event can still fail (see events_failed). */
static int events_check(const char *path) {
  if (cli_output_check("--events", path) != 0) {
    return -1;
  }
  struct stat sb;
  if (stat(path, &sb) == 0) {
    if (access(path, W_OK) != 0) {
      cli_error("--events: cannot write to '%s': %s", path, strerror(errno));
      return -1;
    }
    return 0;
  }
  if (errno != ENOENT) {
    cli_error("--events: cannot open '%s': %s", path, strerror(errno));
    return -1;
  }
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash) {
    snprintf(dir, sizeof dir, ".");
  } else if (slash == dir) {
    dir[1] = '\0';
  } else {
    *slash = '\0';
  }
  if (access(dir, W_OK | X_OK) != 0) {
    cli_error("--events: cannot create '%s': %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

/* --strategy-config takes JSON text, or the name of a file holding JSON (or YAML, which the
 * config layer converts). */
static int strategy_config_value(const char *arg, char **out) {
  const char *p = arg;
  while (*p == ' ' || *p == '\t' || *p == '\n') {
    p++;
  }
  if (*p == '{') {
    *out = strdup(arg);
    return *out ? 0 : -1;
  }
  const char *path = arg[0] == '@' ? arg + 1 : arg;
  FILE *f = fopen(path, "rb");
  if (!f) {
    cli_error("--strategy-config: cannot read '%s': %s", path, strerror(errno));
    return -1;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += r;
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf) {
    cli_error("--strategy-config: out of memory");
    return -1;
  }
  buf[n] = '\0';
  *out = buf;
  return 0;
}

static const cli_cmd *self(void) {
  for (size_t i = 0; i < cli_ncommands; i++) {
    if (strcmp(cli_commands[i].name, "run") == 0) {
      return &cli_commands[i];
    }
  }
  return NULL;
}

/* Splits "--name=value" / "--name value". Returns the value or NULL (and reports). */
static const char *opt_value(int argc, char **argv, int *i, const char *name, char *namebuf,
                             size_t len) {
  const char *eq = strchr(argv[*i], '=');
  if (eq) {
    snprintf(namebuf, len, "%.*s", (int)(eq - argv[*i]), argv[*i]);
    return eq + 1;
  }
  snprintf(namebuf, len, "%s", argv[*i]);
  if (*i + 1 >= argc) {
    cli_error("run: option %s needs a value", name);
    return NULL;
  }
  return argv[++*i];
}

int cli_run_main(int argc, char **argv) {
  const cli_cmd *cmd = self();
  argo_config *cfg = NULL;
  argo_engine *eng = NULL;
  run_state st;
  memset(&st, 0, sizeof st);
  st.info = stdout;
  int exit_code = CLI_EXIT_USAGE;
  const char *events_path = NULL;
  char *sconf = NULL;

  if (argo_config_new(&cfg) != ARGO_OK) {
    cli_error("out of memory");
    return CLI_EXIT_FAIL;
  }
  /* ARGO_DATA_OUTPUT, then the config file, so that flags override them wherever they appear
   * (the commands that read the recording look there too: cli_data_output). */
  const char *env_out = getenv(CLI_DATA_OUTPUT_ENV);
  if (env_out && *env_out && argo_config_set(cfg, "engine.data_output", env_out) != ARGO_OK) {
    cli_error("%s: %s", CLI_DATA_OUTPUT_ENV, argo_config_errmsg(cfg));
    goto done;
  }
  /* Pass 1: the config file, so that flags override it wherever they appear. */
  for (int i = 1; i < argc; i++) {
    char name[64];
    if (strncmp(argv[i], "--config", 8) == 0 && (argv[i][8] == '\0' || argv[i][8] == '=')) {
      const char *v = opt_value(argc, argv, &i, "--config", name, sizeof name);
      if (!v) {
        goto done;
      }
      if (argo_config_load_file(cfg, v) != ARGO_OK) {
        cli_error("%s", argo_config_errmsg(cfg));
        goto done;
      }
    }
  }
  /* Pass 2: every other option, in order. */
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0) {
      cli_error("run: unexpected argument '%s' (see 'argo run --help')", a);
      goto done;
    }
    char name[64];
    const char *eq = strchr(a, '=');
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
    const cli_opt *o = cli_find_opt(cmd, name);
    if (!o) {
      cli_error("run: unknown option '%s' (see 'argo run --help')", name);
      goto done;
    }
    if (!o->arg) {
      if (eq) {
        cli_error("run: option %s takes no value", name);
        goto done;
      }
      if (strcmp(name, "--quiet") == 0) {
        st.quiet = 1;
      } else if (o->key && argo_config_set(cfg, o->key, "true") != ARGO_OK) {
        cli_error("%s: %s", name, argo_config_errmsg(cfg));
        goto done;
      }
      continue;
    }
    const char *v = opt_value(argc, argv, &i, name, name, sizeof name);
    if (!v) {
      goto done;
    }
    if (strcmp(name, "--config") == 0) {
      continue; /* pass 1 */
    }
    if (strcmp(name, "--events") == 0) {
      events_path = v;
      continue;
    }
    if (strcmp(name, "--set") == 0) {
      if (cli_config_set(cfg, "run", v) != 0) {
        goto done;
      }
      continue;
    }
    const char *value = v;
    if (strcmp(name, "--strategy-config") == 0) {
      free(sconf);
      sconf = NULL;
      if (strategy_config_value(v, &sconf) != 0) {
        goto done;
      }
      value = sconf;
    }
    if (argo_config_set(cfg, o->key, value) != ARGO_OK) {
      cli_error("%s: %s", name, argo_config_errmsg(cfg));
      goto done;
    }
  }
  if (argo_config_validate(cfg) != ARGO_OK) {
    cli_error("%s", argo_config_errmsg(cfg));
    goto done;
  }
  if (events_path) {
    st.events_path = events_path;
    if (strcmp(events_path, "-") == 0) {
      st.info = stderr;
    } else if (events_check(events_path) != 0) {
      goto done;
    }
  }
  if (argo_engine_new(&eng) != ARGO_OK) {
    cli_error("out of memory");
    exit_code = CLI_EXIT_FAIL;
    goto done;
  }
  if (argo_engine_init(eng, cfg) != ARGO_OK) {
    cli_error("%s", argo_engine_errmsg(eng));
    goto done;
  }
  argo_callbacks cb = {
      .on_engine_start = on_start,
      .on_engine_stop = on_stop,
      .on_order_placed = on_placed,
      .on_order_updated = on_updated,
      .on_order_filled = on_filled,
      .on_error = on_error,
      .on_strategy_error = on_strategy_error,
      .on_stats_update = on_stats,
      .on_status_update = on_status,
      .on_recovered = on_recovered,
  };
  st.progress = !st.quiet;
  st.tty = st.progress && isatty(STDERR_FILENO);
  progress_total(cfg, &st);
  /* Plain output starts with the start line; its first progress line comes one period later. */
  st.last_draw = mono_us();
  cb.on_prefetch_progress = on_prefetch; /* --events has it too */
  if (st.progress) {
    cb.on_market_data = on_candle;
  }
  argo_engine_set_callbacks(eng, &cb, sizeof cb, &st);
  st.eng = eng;

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  running_engine = eng;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  /* A closed pipe (--events - | head) does not kill the session mid-write (main ignores
   * SIGPIPE): the write fails with EPIPE instead, and events_failed stops the session cleanly. */
  argo_err rc = argo_engine_run(eng);
  running_engine = NULL;
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  status_clear(&st);
  st.eng = NULL;
  if (st.events && st.events != stdout) {
    FILE *f = st.events;
    st.events = NULL;
    errno = 0;
    if (fclose(f) != 0) {
      events_failed(&st, errno);
    }
  } else if (st.events && fflush(stdout) != 0) {
    events_failed(&st, errno);
  }

  if (!st.started) {
    /* Nothing ran: bad strategy, bad configuration or an unusable output folder. */
    cli_error("%s", argo_engine_errmsg(eng));
    exit_code = CLI_EXIT_USAGE;
    goto done;
  }
  if (rc != ARGO_OK) {
    cli_error("session failed: %s", argo_engine_errmsg(eng));
    exit_code = CLI_EXIT_FAIL;
  } else {
    exit_code = st.events_failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
  }
  argo_stats s;
  if (!st.quiet && argo_engine_get_stats(eng, &s, sizeof s) == ARGO_OK) {
    const argo_stats_block *c = &s.cumulative;
    fprintf(st.info,
            "argo: session %s %s: %lld candles, %lld fills, realized pnl %.2f, total pnl %.2f, "
            "win rate %.1f%%, max drawdown %.2f%%\n",
            s.session_id, rc == ARGO_OK && !st.events_failed ? "finished" : "stopped",
            (long long)s.candles_total, (long long)c->number_of_trades, c->realized_pnl,
            c->total_pnl, c->win_rate * 100, c->max_drawdown * 100);
    fprintf(st.info, "argo: files of the last day: %s\n", s.run_dir);
    /* The path as an SQL string literal: quotes doubled. */
    char lit[8192];
    size_t k = 0;
    for (const char *p = s.run_dir; *p && k + 3 < sizeof lit; p++) {
      if (*p == '\'') {
        lit[k++] = '\'';
      }
      lit[k++] = *p;
    }
    lit[k] = '\0';
    fprintf(st.info,
            "argo: query them with DuckDB, e.g.\n"
            "  SELECT symbol, side, count(*) AS fills, round(sum(pnl), 2) AS pnl\n"
            "  FROM read_parquet('%s/trades.parquet') GROUP BY ALL ORDER BY ALL;\n",
            lit);
  }
done:
  if (st.events && st.events != stdout) {
    fclose(st.events);
  }
  for (size_t i = 0; i < st.nsyms; i++) {
    free(st.syms[i]);
  }
  free(st.syms);
  free(st.px);
  free(st.has_px);
  argo_engine_free(eng);
  argo_config_free(cfg);
  free(sconf);
  return exit_code;
}
