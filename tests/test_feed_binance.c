/*
 * Binance feed (src/feeds/binance.c) against the mock exchange (tests/mock_exchange), on 127.0.0.1
 * only: finalized candles of two symbols over one connection; a scripted drop, reconnection and
 * REST gap fill with continuous, duplicate-free candles; gaps and duplicates in the live stream;
 * HTTP 429 with Retry-After honoured (the wait is measured); malformed messages reported and
 * skipped; an unreachable exchange failing with a clear error after a bounded number of
 * attempts; history() paginating over more than 1000 candles; a stop ending every wait.
 *
 * Every wait is bounded: a watchdog thread stops the feed (through the waker) if a test runs
 * too long, and the mock exits by itself after --lifetime seconds.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include <argo/argo.h>

#include "feeds/binance.h"
#include "test.h"
#include "testutil.h"
#include "util/util.h"

#define SEC INT64_C(1000000)

/* ---- the mock exchange ------------------------------------------------------------------- */

/* The mock exchange's start and stop live in testutil (tu_mock). */
typedef tu_mock mock;
#define mock_start tu_mock_start
#define mock_stop tu_mock_stop

/* A port of 127.0.0.1 on which nothing listens. */
static int closed_port(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(s >= 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
  socklen_t len = sizeof a;
  CHECK(getsockname(s, (struct sockaddr *)&a, &len) == 0);
  close(s);
  return ntohs(a.sin_port);
}

/* ---- watchdog: stops the feed if a test takes too long ------------------------------------ */

typedef struct watchdog {
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done, fired;
  int64_t ms;
  argo__waker *w;
} watchdog;

static void *watch(void *arg) {
  watchdog *d = arg;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += (time_t)(d->ms / 1000);
  ts.tv_nsec += (long)(d->ms % 1000) * 1000000;
  if (ts.tv_nsec >= 1000000000) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000;
  }
  pthread_mutex_lock(&d->mu);
  while (!d->done) {
    if (pthread_cond_timedwait(&d->cv, &d->mu, &ts) == ETIMEDOUT) {
      d->fired = 1;
      argo__waker_signal(d->w);
      break;
    }
  }
  pthread_mutex_unlock(&d->mu);
  return NULL;
}

static void watchdog_start(watchdog *d, argo__waker *w, int64_t ms) {
  memset(d, 0, sizeof *d);
  pthread_mutex_init(&d->mu, NULL);
  pthread_cond_init(&d->cv, NULL);
  d->ms = ms;
  d->w = w;
  CHECK(pthread_create(&d->th, NULL, watch, d) == 0);
}

/* Returns 1 if the watchdog had fired. */
static int watchdog_stop(watchdog *d) {
  pthread_mutex_lock(&d->mu);
  d->done = 1;
  pthread_cond_signal(&d->cv);
  pthread_mutex_unlock(&d->mu);
  pthread_join(d->th, NULL);
  pthread_mutex_destroy(&d->mu);
  pthread_cond_destroy(&d->cv);
  return d->fired;
}

/* ---- what the hooks saw ------------------------------------------------------------------ */

typedef struct seen {
  int nerr, nstatus, nprogress;
  char errs[200][512];
  argo_engine_status statuses[64];
  int64_t last_done, last_total;
} seen;

static seen sn;

static void on_error(void *user, argo_err code, const char *msg) {
  seen *s = user;
  CHECK_EQ_INT(ARGO_EFEED, code);
  CHECK(!strchr(msg, '\n'));
  if (s->nerr < 200) {
    argo__strlcpy(s->errs[s->nerr], msg, sizeof s->errs[0]);
  }
  s->nerr++;
}

static void on_status(void *user, argo_engine_status st) {
  seen *s = user;
  if (s->nstatus < 64) {
    s->statuses[s->nstatus] = st;
  }
  s->nstatus++;
}

static void on_progress(void *user, const char *symbol, int64_t done, int64_t total) {
  seen *s = user;
  (void)symbol;
  s->nprogress++;
  CHECK(done <= total);
  s->last_done = done;
  s->last_total = total;
}

static int errors_containing(const char *needle) {
  int n = 0;
  for (int i = 0; i < sn.nerr && i < 200; i++) {
    n += strstr(sn.errs[i], needle) != NULL;
  }
  return n;
}

static void dump_errors(void) {
  for (int i = 0; i < sn.nerr && i < 200; i++) {
    fprintf(stderr, "  error %d: %s\n", i, sn.errs[i]);
  }
}

/* ---- the feed ---------------------------------------------------------------------------- */

static char *btc_eth[] = {"BTCUSDT", "ETHUSDT"};

typedef struct env {
  mock m;
  argo__waker w;
  argo__settings s;
  argo__binance_opts o;
  argo__feed f;
  argo__feed_hooks hooks;
  watchdog dog;
} env;

/* Opens the feed on ws and rest for BTCUSDT and ETHUSDT at the given interval. */
static void env_open_iv(env *e, const char *ws, const char *rest, const char *iv, int64_t iv_us) {
  memset(&sn, 0, sizeof sn);
  CHECK(argo__waker_init(&e->w) == 0);
  memset(&e->s, 0, sizeof e->s);
  e->s.symbols = btc_eth;
  e->s.nsymbols = 2;
  e->s.interval = (char *)iv;
  e->s.interval_us = iv_us;
  e->s.ws_url = (char *)ws;
  e->s.rest_url = (char *)rest;
  e->hooks = (argo__feed_hooks){
      .error = on_error, .status = on_status, .progress = on_progress, .user = &sn};
  char err[512];
  argo_err rc =
      argo__feed_binance_open_opts(&e->f, &e->s, &e->w, &e->hooks, &e->o, err, sizeof err);
  CHECK_MSG(rc == ARGO_OK, "open: %s", err);
  watchdog_start(&e->dog, &e->w, 30000);
}

static void env_open(env *e, const char *ws, const char *rest) {
  env_open_iv(e, ws, rest, "1s", SEC);
}

static void env_close(env *e) {
  int fired = watchdog_stop(&e->dog);
  e->f.ops->close(e->f.impl);
  argo__waker_deinit(&e->w);
  mock_stop(&e->m);
  CHECK_MSG(!fired, "the watchdog had to stop the test");
}

static void fast_opts(argo__binance_opts *o) {
  argo__binance_opts_default(o);
  o->backoff_min_us = 100000;
  o->backoff_max_us = 400000;
  o->connect_timeout_us = 3 * SEC;
}

typedef struct got {
  int n;
  argo_candle c[4000];
} got;

static got g;

/* Takes n candles from the feed. */
static void take(env *e, int n) {
  char err[512];
  g.n = 0;
  while (g.n < n) {
    int r = e->f.ops->next(e->f.impl, &g.c[g.n], err, sizeof err);
    if (r != ARGO_FEED_CANDLE) {
      dump_errors();
    }
    CHECK_MSG(r == ARGO_FEED_CANDLE, "next returned %d after %d candles: %s", r, g.n, err);
    g.n++;
  }
}

/* Per symbol: open times one interval apart, no duplicate; both symbols present. */
static void check_continuous(void) {
  int64_t last[2] = {0, 0};
  int count[2] = {0, 0};
  for (int i = 0; i < g.n; i++) {
    const argo_candle *c = &g.c[i];
    int k = strcmp(c->symbol, "BTCUSDT") == 0 ? 0 : 1;
    CHECK_STR(btc_eth[k], c->symbol);
    CHECK_MSG(c->time % SEC == 0, "time %" PRId64 " is not on the interval", c->time);
    if (count[k]) {
      CHECK_MSG(c->time == last[k] + SEC, "candle %d of %s at %" PRId64 " follows %" PRId64, i,
                c->symbol, c->time, last[k]);
    }
    last[k] = c->time;
    count[k]++;
  }
  CHECK(count[0] > 0 && count[1] > 0);
}

typedef struct hist {
  int n;
  argo_candle c[4000];
  int stop_after;
} hist;

static hist h;

static int hist_sink(void *user, const argo_candle *c) {
  hist *hh = user;
  if (hh->n < 4000) {
    hh->c[hh->n] = *c;
  }
  hh->n++;
  return hh->stop_after && hh->n >= hh->stop_after;
}

/* The live candles agree with the REST history of the same symbols and times. */
static void check_against_history(env *e) {
  for (int k = 0; k < 2; k++) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int i = 0; i < g.n; i++) {
      if (strcmp(g.c[i].symbol, btc_eth[k]) == 0) {
        lo = g.c[i].time < lo ? g.c[i].time : lo;
        hi = g.c[i].time > hi ? g.c[i].time : hi;
      }
    }
    memset(&h, 0, sizeof h);
    argo__history_sink sink = {.candle = hist_sink, .user = &h};
    char err[512];
    CHECK_MSG(e->f.ops->history(e->f.impl, btc_eth[k], lo, hi + SEC, &sink, err, sizeof err) == 0,
              "history: %s", err);
    CHECK_EQ_INT((hi - lo) / SEC + 1, h.n);
    for (int i = 0; i < g.n; i++) {
      const argo_candle *c = &g.c[i];
      if (strcmp(c->symbol, btc_eth[k]) != 0) {
        continue;
      }
      const argo_candle *r = &h.c[(c->time - lo) / SEC];
      CHECK_EQ_INT(r->time, c->time);
      CHECK(r->open == c->open && r->high == c->high && r->low == c->low && r->close == c->close &&
            r->volume == c->volume);
    }
  }
}

/* ---- tests ------------------------------------------------------------------------------- */

TEST(binance_delivers_only_finalized_candles_of_two_symbols_on_one_connection) {
  env e;
  memset(&e, 0, sizeof e);
  mock_start(&e.m, "--interval", "1s", "--tick-ms", "50", "--partial", "3", NULL);
  fast_opts(&e.o);
  env_open(&e, e.m.ws, e.m.rest);
  int64_t wall = argo__wall_us();
  CHECK(llabs(e.f.ops->clock_start(e.f.impl) - wall) < 5 * SEC);
  take(&e, 40);
  check_continuous();
  /* The non-final updates carry other values: none of them came through. */
  check_against_history(&e);
  CHECK_EQ_INT(0, sn.nerr);
  CHECK_EQ_INT(0, sn.nstatus);
  env_close(&e);
}

TEST(binance_reconnects_after_a_drop_and_fills_the_gap_by_rest) {
  env e;
  memset(&e, 0, sizeof e);
  /* The first connection is cut after 10 candles; the reconnection waits at least 250 ms, in
   * which the mock finalizes about five more steps that only REST can provide. */
  mock_start(&e.m, "--interval", "1s", "--tick-ms", "50", "--disconnect-after", "10", NULL);
  fast_opts(&e.o);
  e.o.backoff_min_us = 500000;
  e.o.backoff_max_us = 500000;
  env_open(&e, e.m.ws, e.m.rest);
  take(&e, 80);
  check_continuous();
  check_against_history(&e);
  CHECK_EQ_INT(1, sn.nerr);
  CHECK_CONTAINS(sn.errs[0], "connection lost: closed by the exchange (code 1001: scripted "
                             "disconnect); reconnecting in 0.");
  CHECK_CONTAINS(sn.errs[0], "s (attempt 2 of 10)");
  CHECK_EQ_INT(2, sn.nstatus);
  CHECK_EQ_INT(ARGO_STATUS_GAP_FILLING, sn.statuses[0]);
  CHECK_EQ_INT(ARGO_STATUS_RUNNING, sn.statuses[1]);
  /* The first connection delivered steps s..s+4: the candles after it span more than the
   * 80 / 2 - 5 steps the live stream alone could have sent in the time. */
  env_close(&e);
}

TEST(binance_silent_connection_is_pinged_dropped_and_replaced) {
  env e;
  memset(&e, 0, sizeof e);
  mock_start(&e.m, "--interval", "1s", "--tick-ms", "50", NULL);
  fast_opts(&e.o);
  e.o.ping_after_s = 1;
  e.o.hangup_after_s = 2;
  e.o.connect_timeout_us = 2 * SEC;
  env_open(&e, e.m.ws, e.m.rest);
  take(&e, 10);
  /* The exchange goes silent: no data, no answer to pings. */
  CHECK(kill(e.m.pid, SIGSTOP) == 0);
  int64_t t0 = argo__mono_us();
  while (sn.nerr == 0 && argo__mono_us() - t0 < 10 * SEC) {
    argo_candle c;
    char err[512];
    /* Candles already queued may still come; then next() waits on the silent connection. */
    watchdog stopper;
    watchdog_start(&stopper, &e.w, 200);
    int r = e.f.ops->next(e.f.impl, &c, err, sizeof err);
    watchdog_stop(&stopper);
    CHECK_MSG(r == ARGO_FEED_CANDLE || r == ARGO_FEED_END, "next returned %d: %s", r, err);
    atomic_store(&e.w.stop, 0); /* only a pause: the test goes on with the same feed */
  }
  int64_t took = argo__mono_us() - t0;
  CHECK(kill(e.m.pid, SIGCONT) == 0);
  CHECK_MSG(sn.nerr >= 1, "the silent connection was not dropped within %" PRId64 " us", took);
  CHECK_MSG(took >= SEC, "dropped after only %" PRId64 " us", took);
  CHECK_CONTAINS(sn.errs[0], "connection lost: ");
  CHECK_CONTAINS(sn.errs[0], "reconnecting in");
  /* Back to normal: the reconnection fills the gap. */
  take(&e, 40);
  check_continuous();
  env_close(&e);
}

TEST(binance_fills_gaps_and_drops_duplicates_of_the_live_stream) {
  env e;
  memset(&e, 0, sizeof e);
  mock_start(&e.m, "--interval", "1s", "--tick-ms", "50", "--skip-steps", "3,4,5,12",
             "--duplicate-every", "3", NULL);
  fast_opts(&e.o);
  env_open(&e, e.m.ws, e.m.rest);
  take(&e, 60);
  check_continuous();
  check_against_history(&e);
  CHECK_EQ_INT(0, sn.nerr);
  env_close(&e);
}

TEST(binance_malformed_messages_are_reported_and_skipped) {
  env e;
  memset(&e, 0, sizeof e);
  mock_start(&e.m, "--interval", "1s", "--tick-ms", "50", "--malformed-every", "3", NULL);
  fast_opts(&e.o);
  env_open(&e, e.m.ws, e.m.rest);
  take(&e, 40);
  check_continuous();
  check_against_history(&e);
  CHECK_MSG(sn.nerr >= 8, "%d errors", sn.nerr);
  CHECK_EQ_INT(sn.nerr, errors_containing("malformed message from ws://127.0.0.1:"));
  CHECK_EQ_INT(sn.nerr, errors_containing("; skipped"));
  CHECK(errors_containing("no kline ('k') in the message") > 0);
  CHECK(errors_containing("a price or the volume is not a number") > 0);
  CHECK(errors_containing("this is not JSON at all") > 0);
  env_close(&e);
}

TEST(binance_rest_honours_429_retry_after_and_stops_during_the_wait) {
  env e;
  memset(&e, 0, sizeof e);
  mock_start(&e.m, "--interval", "1s", "--rate-limit", "2", "--retry-after", "1", NULL);
  fast_opts(&e.o);
  env_open(&e, e.m.ws, e.m.rest);
  int64_t from = (argo__wall_us() - 30 * 3600 * SEC) / SEC * SEC;
  memset(&h, 0, sizeof h);
  argo__history_sink sink = {.candle = hist_sink, .user = &h};
  char err[512];
  int64_t t0 = argo__mono_us();
  CHECK_MSG(e.f.ops->history(e.f.impl, "BTCUSDT", from, from + 100 * SEC, &sink, err, sizeof err) ==
                0,
            "history: %s", err);
  int64_t took = argo__mono_us() - t0;
  CHECK_MSG(took >= 2 * SEC, "two Retry-After: 1 waits took only %" PRId64 " us", took);
  CHECK_MSG(took < 10 * SEC, "took %" PRId64 " us", took);
  CHECK_EQ_INT(100, h.n);
  CHECK_EQ_INT(from, h.c[0].time);
  CHECK_EQ_INT(2, sn.nerr);
  CHECK_CONTAINS(sn.errs[0], "rate limited by the exchange (HTTP 429); waiting 1.0 s as asked "
                             "(Retry-After)");
  env_close(&e);

  /* A long Retry-After: a stop ends the wait at once, and history() returns 0. */
  memset(&e, 0, sizeof e);
  mock_start(&e.m, "--interval", "1s", "--rate-limit", "1", "--retry-after", "60", NULL);
  fast_opts(&e.o);
  env_open(&e, e.m.ws, e.m.rest);
  watchdog stopper;
  watchdog_start(&stopper, &e.w, 300);
  memset(&h, 0, sizeof h);
  t0 = argo__mono_us();
  CHECK_EQ_INT(
      0, e.f.ops->history(e.f.impl, "BTCUSDT", from, from + 100 * SEC, &sink, err, sizeof err));
  took = argo__mono_us() - t0;
  CHECK(watchdog_stop(&stopper));
  CHECK_MSG(took < 2 * SEC, "the stop took %" PRId64 " us", took);
  CHECK_EQ_INT(0, h.n);
  env_close(&e);

  /* HTTP 418 asking for longer than the feed will wait: a clear error at once. */
  memset(&e, 0, sizeof e);
  mock_start(&e.m, "--interval", "1s", "--rate-limit", "5", "--retry-after", "3600",
             "--rate-limit-status", "418", NULL);
  fast_opts(&e.o);
  e.o.max_retry_after_us = 10 * SEC;
  env_open(&e, e.m.ws, e.m.rest);
  CHECK_EQ_INT(
      -1, e.f.ops->history(e.f.impl, "BTCUSDT", from, from + 100 * SEC, &sink, err, sizeof err));
  CHECK_CONTAINS(err, "banned for too many requests by the exchange (HTTP 418) for 3600 s, longer "
                      "than 10 s");
  env_close(&e);
}

TEST(binance_unreachable_exchange_fails_clearly_after_bounded_attempts) {
  env e;
  memset(&e, 0, sizeof e);
  int port = closed_port();
  char ws[64], rest[64];
  snprintf(ws, sizeof ws, "ws://127.0.0.1:%d", port);
  snprintf(rest, sizeof rest, "http://127.0.0.1:%d", port);
  fast_opts(&e.o);
  e.o.max_attempts = 3;
  e.o.backoff_min_us = 50000;
  e.o.http_retries = 2;
  env_open(&e, ws, rest);
  argo_candle c;
  char err[512];
  int64_t t0 = argo__mono_us();
  CHECK_EQ_INT(ARGO_FEED_FATAL, e.f.ops->next(e.f.impl, &c, err, sizeof err));
  CHECK_MSG(argo__mono_us() - t0 < 10 * SEC, "took %" PRId64 " us", argo__mono_us() - t0);
  CHECK_CONTAINS(err, "cannot connect to ws://127.0.0.1:");
  CHECK_CONTAINS(err, "gave up after 3 attempts");
  CHECK_EQ_INT(2, sn.nerr);
  CHECK_CONTAINS(sn.errs[0], "cannot connect to ws://127.0.0.1:");
  CHECK_CONTAINS(sn.errs[0], " ms (attempt 2 of 3)"); /* 25 to 50 ms */
  CHECK_CONTAINS(sn.errs[1], "(attempt 3 of 3)");
  /* REST: two retries, then an error naming the URL. */
  memset(&sn, 0, sizeof sn);
  memset(&h, 0, sizeof h);
  argo__history_sink sink = {.candle = hist_sink, .user = &h};
  int64_t from = (argo__wall_us() - 3600 * SEC) / SEC * SEC;
  CHECK_EQ_INT(
      -1, e.f.ops->history(e.f.impl, "BTCUSDT", from, from + 10 * SEC, &sink, err, sizeof err));
  CHECK_CONTAINS(err, "GET http://127.0.0.1:");
  CHECK_CONTAINS(err, "/api/v3/klines?symbol=BTCUSDT&interval=1s&startTime=");
  CHECK_CONTAINS(err, "(gave up after 3 attempts)");
  CHECK_EQ_INT(2, sn.nerr);
  CHECK_CONTAINS(sn.errs[0], "retrying in ");
  env_close(&e);
}

TEST(binance_history_paginates_over_more_than_1000_candles) {
  env e;
  memset(&e, 0, sizeof e);
  mock_start(&e.m, "--interval", "1s", "--tick-ms", "50", NULL);
  fast_opts(&e.o);
  env_open(&e, e.m.ws, e.m.rest);
  int64_t from = (argo__wall_us() - 30 * 3600 * SEC) / SEC * SEC + 500000; /* not aligned */
  memset(&h, 0, sizeof h);
  argo__history_sink sink = {.candle = hist_sink, .user = &h};
  char err[512];
  CHECK_MSG(
      e.f.ops->history(e.f.impl, "ETHUSDT", from, from + 2500 * SEC, &sink, err, sizeof err) == 0,
      "history: %s", err);
  CHECK_EQ_INT(2500, h.n);
  for (int i = 0; i < 2500; i++) {
    CHECK_EQ_INT(from + 500000 + i * SEC, h.c[i].time);
    CHECK_STR("ETHUSDT", h.c[i].symbol);
    if (i) {
      CHECK(h.c[i].open == h.c[i - 1].close); /* the mock's candles chain */
    }
  }
  CHECK_EQ_INT(3, sn.nprogress);
  CHECK_EQ_INT(2500, sn.last_done);
  CHECK_EQ_INT(2500, sn.last_total);
  /* The sink can stop early; an unknown symbol is the exchange's clear error. */
  memset(&h, 0, sizeof h);
  h.stop_after = 1500;
  CHECK_EQ_INT(
      0, e.f.ops->history(e.f.impl, "BTCUSDT", from, from + 2500 * SEC, &sink, err, sizeof err));
  CHECK_EQ_INT(1500, h.n);
  memset(&h, 0, sizeof h);
  CHECK_EQ_INT(
      -1, e.f.ops->history(e.f.impl, "no-such", from, from + 10 * SEC, &sink, err, sizeof err));
  CHECK_CONTAINS(err, "HTTP 400: Invalid symbol. (code -1121)");
  /* Only finalized candles: nothing that is still open by the wall clock. */
  memset(&h, 0, sizeof h);
  int64_t now = argo__wall_us();
  CHECK_EQ_INT(0, e.f.ops->history(e.f.impl, "BTCUSDT", now + 10 * SEC, now + 20 * SEC, &sink, err,
                                   sizeof err));
  CHECK_EQ_INT(0, h.n);
  env_close(&e);
}

TEST(binance_stop_ends_the_wait_for_the_next_candle_promptly) {
  env e;
  memset(&e, 0, sizeof e);
  mock_start(&e.m, "--interval", "1m", NULL); /* real time: the next candle is far away */
  fast_opts(&e.o);
  env_open_iv(&e, e.m.ws, e.m.rest, "1m", 60 * SEC);
  char err[512];
  watchdog stopper;
  watchdog_start(&stopper, &e.w, 500);
  argo_candle c;
  int64_t t0 = argo__mono_us();
  CHECK_EQ_INT(ARGO_FEED_END, e.f.ops->next(e.f.impl, &c, err, sizeof err));
  int64_t took = argo__mono_us() - t0;
  CHECK(watchdog_stop(&stopper));
  CHECK_MSG(took >= 400000 && took < 3000000, "next took %" PRId64 " us", took);
  CHECK_EQ_INT(0, sn.nerr);
  /* The stop was the test's own, not the watchdog's. */
  env_close(&e);
}

/* A test CA and a certificate for localhost, made with the openssl command; 0 if there is no
 * openssl command (the test is then skipped). */
static int make_certs(const char *dir) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem "
           "-days 2 -subj '/CN=argo test CA' && openssl req -newkey rsa:2048 -nodes "
           "-keyout srv.key -out srv.csr -subj '/CN=localhost' && printf "
           "'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' "
           "> ext.cnf && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
           "-CAcreateserial -out srv.pem -days 2 -extfile ext.cnf",
           dir);
  char full[4200];
  snprintf(full, sizeof full, "(%s) >/dev/null 2>&1", cmd);
  return system("command -v openssl >/dev/null 2>&1") == 0 && system(full) == 0;
}

TEST(binance_wss_and_https_verify_certificates_with_the_system_store) {
  char dir[256];
  snprintf(dir, sizeof dir, "/tmp/argo-tls-XXXXXX");
  CHECK(mkdtemp(dir) != NULL);
  if (!make_certs(dir)) {
    tu_rm_rf(dir);
    SKIP("no openssl command to make a test certificate");
  }
  char cert[300], key[300], ca[300];
  snprintf(cert, sizeof cert, "%s/srv.pem", dir);
  snprintf(key, sizeof key, "%s/srv.key", dir);
  snprintf(ca, sizeof ca, "%s/ca.pem", dir);
  env e;
  memset(&e, 0, sizeof e);
  mock_start(&e.m, "--interval", "1s", "--tick-ms", "50", "--tls-cert", cert, "--tls-key", key,
             NULL);
  char wss[64], https[64];
  snprintf(wss, sizeof wss, "wss://localhost:%d", e.m.port);
  snprintf(https, sizeof https, "https://localhost:%d", e.m.port);
  /* The test CA is not in the system's store: both refuse the server. */
  fast_opts(&e.o);
  e.o.max_attempts = 2;
  e.o.http_retries = 0;
  env_open(&e, wss, https);
  argo_candle c;
  char err[512];
  CHECK_EQ_INT(ARGO_FEED_FATAL, e.f.ops->next(e.f.impl, &c, err, sizeof err));
  CHECK_CONTAINS(err, "cannot connect to wss://localhost:");
  CHECK_CONTAINS(err, "TLS failed");
  memset(&h, 0, sizeof h);
  argo__history_sink sink = {.candle = hist_sink, .user = &h};
  int64_t from = (argo__wall_us() - 30 * 3600 * SEC) / SEC * SEC;
  CHECK_EQ_INT(
      -1, e.f.ops->history(e.f.impl, "BTCUSDT", from, from + 10 * SEC, &sink, err, sizeof err));
  CHECK_CONTAINS(err, "SSL certificate problem");
  watchdog_stop(&e.dog);
  e.f.ops->close(e.f.impl);
  argo__waker_deinit(&e.w);
  /* With the test CA as the system's store (OpenSSL's SSL_CERT_FILE), wss:// works. */
  setenv("SSL_CERT_FILE", ca, 1);
  env_open(&e, wss, https);
  take(&e, 10);
  check_continuous();
  unsetenv("SSL_CERT_FILE");
  env_close(&e);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
}

TEST(binance_open_checks_the_settings) {
  argo__waker w;
  CHECK(argo__waker_init(&w) == 0);
  argo__settings s;
  memset(&s, 0, sizeof s);
  s.symbols = btc_eth;
  s.nsymbols = 2;
  s.interval = "7m";
  s.interval_us = 7 * 60 * SEC;
  s.ws_url = "wss://stream.binance.com:9443";
  s.rest_url = "https://api.binance.com";
  argo__feed f;
  char err[512];
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_binance_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "the Binance feed supports 1s, 1m, 3m");
  CHECK_CONTAINS(err, "got '7m'");
  s.interval = "1h";
  s.interval_us = 3600 * SEC;
  /* The real endpoints open (nothing is connected before the first next()). */
  CHECK_MSG(argo__feed_binance_open(&f, &s, &w, NULL, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK(f.ops->history != NULL);
  f.ops->close(f.impl);
  s.ws_url = "https://stream.binance.com";
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_binance_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "market_data.ws_url: expected ws://");
  s.ws_url = "wss://stream.binance.com:9443/stream?streams=x";
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_binance_open(&f, &s, &w, NULL, err, sizeof err));
  s.ws_url = "ws://127.0.0.1:1/base/";
  s.rest_url = "ftp://api.binance.com";
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_binance_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "market_data.rest_url");
  s.rest_url = "http://127.0.0.1:1";
  char *odd[] = {"BTC-USDT"};
  s.symbols = odd;
  s.nsymbols = 1;
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_binance_open(&f, &s, &w, NULL, err, sizeof err));
  CHECK_CONTAINS(err, "'BTC-USDT' is not a Binance symbol");
  s.nsymbols = 0;
  CHECK_EQ_INT(ARGO_ECONFIG, argo__feed_binance_open(&f, &s, &w, NULL, err, sizeof err));
  argo__waker_deinit(&w);
}

static int find_btc_eth(void *user, const char *name) {
  (void)user;
  return strcasecmp(name, "BTCUSDT") == 0 ? 0 : strcasecmp(name, "ETHUSDT") == 0 ? 1 : -1;
}

static int ws(const char *msg, size_t *sym, argo_candle *c, char *why, size_t whylen) {
  argo__binance_stream st = {
      .find = find_btc_eth, .user = NULL, .interval = "1m", .interval_us = 60 * SEC};
  return argo__binance_parse_ws(&st, msg, strlen(msg), sym, c, why, whylen);
}

/* The parsers the fuzz targets call (fuzz/fuzz_binance_ws.c, fuzz_binance_rest.c), directly. */
TEST(binance_parse_ws_classifies_each_kind_of_message) {
  size_t sym = 9;
  argo_candle c;
  char why[256];
  CHECK_EQ_INT(ARGO_BNC_FINAL,
               ws("{\"stream\":\"ethusdt@kline_1m\",\"data\":{\"k\":{\"t\":1759309200000,\"s\":"
                  "\"ETHUSDT\",\"i\":\"1m\",\"o\":\"10\",\"h\":\"11\",\"l\":\"9\",\"c\":\"10.5\","
                  "\"v\":\"2\",\"x\":true}}}",
                  &sym, &c, why, sizeof why));
  CHECK_EQ_INT(1, sym);
  CHECK_EQ_INT(INT64_C(1759309200000000), c.time);
  CHECK_NEAR(10.5, c.close, 0);
  CHECK(c.symbol == NULL);
  /* A single stream's event, not final. */
  CHECK_EQ_INT(ARGO_BNC_UPDATE,
               ws("{\"k\":{\"t\":1759309200000,\"s\":\"btcusdt\",\"i\":\"1m\",\"o\":10,\"h\":11,"
                  "\"l\":9,\"c\":10,\"v\":0,\"x\":false}}",
                  &sym, &c, why, sizeof why));
  CHECK_EQ_INT(0, sym);
  CHECK_EQ_INT(ARGO_BNC_OTHER, ws("{\"result\":null,\"id\":1}", &sym, &c, why, sizeof why));
  CHECK_EQ_INT(ARGO_BNC_MALFORMED, ws("this is not JSON", &sym, &c, why, sizeof why));
  CHECK_CONTAINS(why, "expected");
  CHECK_EQ_INT(ARGO_BNC_MALFORMED,
               ws("{\"k\":{\"t\":1759309200000,\"s\":\"SOLUSDT\",\"i\":\"1m\",\"o\":1,\"h\":1,"
                  "\"l\":1,\"c\":1,\"v\":1,\"x\":true}}",
                  &sym, &c, why, sizeof why));
  CHECK_STR("a symbol that was not subscribed", why);
  CHECK_EQ_INT(ARGO_BNC_MALFORMED,
               ws("{\"k\":{\"t\":1759309200001,\"s\":\"BTCUSDT\",\"i\":\"1m\",\"o\":1,\"h\":1,"
                  "\"l\":1,\"c\":1,\"v\":1,\"x\":true}}",
                  &sym, &c, why, sizeof why));
  CHECK_STR("the open time is not on the interval's grid", why);
}

static int keep_kline(void *user, const argo__binance_kline *k) {
  argo__binance_kline *out = user;
  out[k->index] = *k;
  return 0;
}

TEST(binance_parse_klines_hands_over_every_kline_with_its_problem) {
  const char *body = "[[1759309200000,\"1\",\"2\",\"0.5\",\"1.5\",\"10\",1759309259999],"
                     "[1759309260000,\"1\"],"
                     "[1759309260001,\"1\",\"2\",\"0.5\",\"1.5\",\"10\"],"
                     "[1759309320000,\"1\",\"0.5\",\"2\",\"1.5\",\"10\"]]";
  argo__binance_kline k[4];
  memset(k, 0, sizeof k);
  char why[256];
  CHECK_EQ_INT(
      4, argo__binance_parse_klines(body, strlen(body), 60 * SEC, keep_kline, k, why, sizeof why));
  CHECK_STR("", k[0].why);
  CHECK_EQ_INT(INT64_C(1759309200000), k[0].ms);
  CHECK_NEAR(1.5, k[0].c.close, 0);
  CHECK_STR("kline 1 is malformed", k[1].why);
  CHECK_STR("kline 2: the open time is not on the interval's grid", k[2].why);
  CHECK_STR("kline at 1759309320000: high is below low", k[3].why);
  CHECK_EQ_INT(-1, argo__binance_parse_klines("{\"code\":-1}", 11, 60 * SEC, keep_kline, k, why,
                                              sizeof why));
  CHECK_STR("", why);
  CHECK_EQ_INT(-1, argo__binance_parse_klines("[1,", 3, 60 * SEC, keep_kline, k, why, sizeof why));
  CHECK(why[0] != '\0');
}

/* argo leaves the process-wide settings of the libraries it runs on alone: opening the feed
 * does not silence libwebsockets (a program asks with argo_library_logs). */
TEST(binance_feed_leaves_libwebsockets_logging_as_the_program_has_it) {
  lws_set_log_level(LLL_ERR | LLL_WARN | LLL_NOTICE, NULL); /* libwebsockets' default */
  argo__waker w;
  CHECK(argo__waker_init(&w) == 0);
  argo__settings s;
  memset(&s, 0, sizeof s);
  s.symbols = btc_eth;
  s.nsymbols = 2;
  s.interval = "1m";
  s.interval_us = 60 * SEC;
  s.ws_url = "ws://127.0.0.1:1";
  s.rest_url = "http://127.0.0.1:1";
  argo__feed f;
  char err[512];
  CHECK_MSG(argo__feed_binance_open(&f, &s, &w, NULL, err, sizeof err) == ARGO_OK, "%s", err);
  f.ops->close(f.impl);
  argo__waker_deinit(&w);
  CHECK(lwsl_visible(LLL_WARN));
  CHECK(lwsl_visible(LLL_ERR));
  /* Asked to, argo routes them to the program (and NULL silences them). */
  argo_library_logs(NULL, NULL);
  CHECK(!lwsl_visible(LLL_ERR));
  lws_set_log_level(LLL_ERR | LLL_WARN | LLL_NOTICE, NULL);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(binance_feed_leaves_libwebsockets_logging_as_the_program_has_it);
  signal(SIGPIPE, SIG_IGN);
  RUN(binance_delivers_only_finalized_candles_of_two_symbols_on_one_connection);
  RUN(binance_reconnects_after_a_drop_and_fills_the_gap_by_rest);
  RUN(binance_silent_connection_is_pinged_dropped_and_replaced);
  RUN(binance_fills_gaps_and_drops_duplicates_of_the_live_stream);
  RUN(binance_malformed_messages_are_reported_and_skipped);
  RUN(binance_rest_honours_429_retry_after_and_stops_during_the_wait);
  RUN(binance_unreachable_exchange_fails_clearly_after_bounded_attempts);
  RUN(binance_history_paginates_over_more_than_1000_candles);
  RUN(binance_stop_ends_the_wait_for_the_next_candle_promptly);
  RUN(binance_wss_and_https_verify_certificates_with_the_system_store);
  RUN(binance_open_checks_the_settings);
  RUN(binance_parse_ws_classifies_each_kind_of_message);
  RUN(binance_parse_klines_hands_over_every_kline_with_its_problem);
  return test_summary();
}
