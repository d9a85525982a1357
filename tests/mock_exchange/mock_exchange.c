/*
 * mock_exchange: a local stand-in for Binance's market-data endpoints, for the tests of the
 * Binance feed and for trying argo without internet. One port on 127.0.0.1 serves both
 *   GET /api/v3/klines?symbol=S&interval=I[&startTime=ms][&endTime=ms][&limit=n]   (REST)
 *   GET /api/v3/time, /api/v3/ping
 *   /stream?streams=btcusdt@kline_1m/ethusdt@kline_1m                             (WebSocket)
 * with libwebsockets' server API. Candles are a pure function of (symbol, open time), so the
 * REST history and the live stream always agree. The mock has its own clock: step k's candle
 * opens at start + k * interval and is finalized (sent with "x": true) when k + 1 ticks of real
 * time have passed since the mock started; a tick is the interval itself (real time) unless
 * --tick-ms makes the clock run faster. REST serves every candle up to the one currently open.
 *
 * The first line on stdout is the port. Script flags make it misbehave on purpose:
 *   --disconnect-after N  close a WebSocket connection after it sent N finalized candles
 *   --disconnects K       ... for the first K connections only (default 1; 0 = every one)
 *   --rate-limit K        answer the first K REST requests with HTTP 429 and Retry-After
 *   --retry-after S       the Retry-After value in seconds (default 1)
 *   --hold-klines K       hold the answers to the first K klines requests (a slow exchange):
 *   --hold-ms MS          ... for MS milliseconds (default: until 200 ms after the candle that
 *                         is open by the wall clock when the request arrives has been sent)
 *   --rate-limit-status C 429 (default) or 418
 *   --malformed-every N   after every N-th finalized candle, send a malformed message
 *   --ping-ms MS          ping every WebSocket connection every MS milliseconds, and close one
 *                         that has not answered the previous ping with a pong (as Binance does)
 *   --stats-file F        at exit, write the counts of connections, pings and pongs to F
 *   --skip-steps A,B,..   do not send the candles of these steps live (a gap; REST has them)
 *   --duplicate-every N   send every N-th finalized candle twice
 *   --partial N           non-final ("x": false) updates before each final candle (default 1)
 *   --interval I          the only interval served (default 1m)
 *   --tick-ms MS          real milliseconds per interval (default: the interval)
 *   --start-ms MS         open time of step 0 (default: the current interval, or one day
 *                         earlier when the clock runs faster than real time)
 *   --port P              port (default 0: the kernel picks one)
 *   --lifetime S          exit after S seconds (default 0: run until SIGINT/SIGTERM)
 *   --tls-cert F --tls-key F   serve https:// and wss:// with this certificate (PEM)
 *   --verbose             log requests and connections to stderr
 *
 * A test program, not part of libargo: it keeps its state in file-level statics.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libwebsockets.h>

#define MAX_SYMS 16
#define MAX_SKIP 256
#define MAX_QUEUE 100000

/* ---- configuration (flags) --------------------------------------------------------------- */

static struct {
  int port;
  char interval[16];
  int64_t iv_ms;
  int64_t tick_ms;
  int64_t start_ms;
  int have_start;
  int disconnect_after;
  int disconnects;
  int rate_limit;
  int retry_after;
  int rate_limit_status;
  int hold_klines;
  int64_t hold_ms; /* 0: until the candle open at the request has been finalized */
  int malformed_every;
  int64_t ping_ms;
  const char *stats_file;
  int64_t skip[MAX_SKIP];
  int nskip;
  int duplicate_every;
  int partial;
  int lifetime;
  int verbose;
  const char *tls_cert, *tls_key;
} opt = {
    .interval = "1m", .disconnects = 1, .retry_after = 1, .rate_limit_status = 429, .partial = 1};

/* ---- state ------------------------------------------------------------------------------- */

typedef struct msg {
  struct msg *next;
  size_t len;
  int close; /* a scripted disconnect: close instead of sending */
  char text[];
} msg;

/* One WebSocket or HTTP connection (lws allocates it per wsi). */
typedef struct pss {
  struct pss *next_live; /* list of open WebSocket sessions */
  struct lws *wsi;
  int is_ws;
  int conn_no; /* 1 for the first WebSocket connection */
  char syms[MAX_SYMS][32];
  int nsym;
  msg *head, *tail;
  int queued;
  int finals;        /* finalized candles queued on this connection */
  int cut;           /* a disconnect has been queued */
  int ping_due;      /* a ping waits to be sent */
  int awaiting_pong; /* a ping was sent and not answered yet */
  int no_pong;       /* close: the previous ping was not answered */
  char *body;        /* HTTP response body */
  size_t body_len, body_off;
  int status;                  /* of the HTTP response */
  int rate_limited;            /* ... which then carries Retry-After */
  int held;                    /* headers not sent yet: the answer is held (--hold-klines) */
  lws_sorted_usec_list_t hold; /* ... until this timer fires */
} pss;

static struct lws_context *ctx;
static pss *live;
static int64_t real0_us;
static int64_t next_step; /* the next step to finalize */
static int ws_connections;
static int rest_requests;
static int klines_requests;
static int64_t finals_total;
static int64_t pings_sent, pongs_received;
static int64_t next_ping_us;
static volatile sig_atomic_t interrupted;
static lws_sorted_usec_list_t tick_sul;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...) {
  if (!opt.verbose) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "mock_exchange: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static int64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Steps finalized so far (the candle of step current_step() is open). */
static int64_t current_step(void) {
  return (mono_us() - real0_us) / (opt.tick_ms * 1000);
}

/* ---- candles ----------------------------------------------------------------------------- */

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

static uint64_t hash_sym(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) {
    h = (h ^ (unsigned char)toupper((unsigned char)*s)) * 1099511628211ULL;
  }
  return h;
}

/* The close of the candle n intervals after the epoch: a smooth path plus noise, positive. */
static double close_at(uint64_t h, int64_t n) {
  double base = 10 + (double)(h % 50000);
  double noise = (double)(mix(h ^ (uint64_t)n) % 10000) / 10000.0 - 0.5;
  return base * (1 + 0.05 * sin((double)n / 97.0) + 0.002 * noise);
}

typedef struct candle {
  char o[32], h[32], l[32], c[32], v[32];
} candle;

/* The candle of symbol opening at open_ms. open is the previous close, so candles chain. */
static void make_candle(const char *sym, int64_t open_ms, candle *out) {
  uint64_t h = hash_sym(sym);
  int64_t n = open_ms / opt.iv_ms;
  double o = close_at(h, n - 1), c = close_at(h, n);
  double wig = (double)(mix(h ^ (uint64_t)n ^ 0x5bd1e995) % 1000) / 1000.0;
  double hi = (o > c ? o : c) * (1 + 0.001 * wig);
  double lo = (o < c ? o : c) * (1 - 0.001 * (1 - wig));
  double v = 1 + (double)(mix(h + (uint64_t)n) % 100000) / 100.0;
  snprintf(out->o, sizeof out->o, "%.8f", o);
  snprintf(out->h, sizeof out->h, "%.8f", hi);
  snprintf(out->l, sizeof out->l, "%.8f", lo);
  snprintf(out->c, sizeof out->c, "%.8f", c);
  snprintf(out->v, sizeof out->v, "%.8f", v);
}

/* ---- WebSocket sessions ------------------------------------------------------------------ */

static void enqueue(pss *p, const char *text, int close) {
  if (p->queued >= MAX_QUEUE) {
    return; /* a client that does not read: drop rather than grow without bound */
  }
  size_t n = strlen(text);
  msg *m = malloc(sizeof *m + n + 1);
  if (!m) {
    return;
  }
  m->next = NULL;
  m->len = n;
  m->close = close;
  memcpy(m->text, text, n + 1);
  if (p->tail) {
    p->tail->next = m;
  } else {
    p->head = m;
  }
  p->tail = m;
  p->queued++;
}

static void free_queue(pss *p) {
  while (p->head) {
    msg *m = p->head;
    p->head = m->next;
    free(m);
  }
  p->tail = NULL;
  p->queued = 0;
}

static void kline_json(char *buf, size_t len, const char *sym, int64_t open_ms, int final,
                       int bump) {
  candle c;
  make_candle(sym, open_ms, &c);
  if (bump) {
    /* A non-final update carries values that differ from the final candle's. */
    snprintf(c.c, sizeof c.c, "%.8f", strtod(c.c, NULL) * 1.003);
    snprintf(c.h, sizeof c.h, "%.8f", strtod(c.h, NULL) * 1.004);
  }
  char lower[32];
  size_t i = 0;
  for (; sym[i] && i + 1 < sizeof lower; i++) {
    lower[i] = (char)tolower((unsigned char)sym[i]);
  }
  lower[i] = '\0';
  int64_t now = wall_ms();
  snprintf(buf, len,
           "{\"stream\":\"%s@kline_%s\",\"data\":{\"e\":\"kline\",\"E\":%" PRId64
           ",\"s\":\"%s\",\"k\":{\"t\":%" PRId64 ",\"T\":%" PRId64
           ",\"s\":\"%s\",\"i\":\"%s\",\"f\":100,\"L\":200,\"o\":\"%s\",\"c\":\"%s\",\"h\":\"%s\","
           "\"l\":\"%s\",\"v\":\"%s\",\"n\":100,\"x\":%s,\"q\":\"1.0\",\"V\":\"0.5\",\"Q\":\"0.5\","
           "\"B\":\"0\"}}}",
           lower, opt.interval, now, sym, open_ms, open_ms + opt.iv_ms - 1, sym, opt.interval, c.o,
           c.c, c.h, c.l, c.v, final ? "true" : "false");
}

static int skipped(int64_t step) {
  for (int i = 0; i < opt.nskip; i++) {
    if (opt.skip[i] == step) {
      return 1;
    }
  }
  return 0;
}

static void send_malformed(pss *p) {
  static unsigned next;
  char buf[512];
  switch (next++ % 4) {
  case 0: /* truncated */
    snprintf(
        buf, sizeof buf,
        "{\"stream\":\"btcusdt@kline_%s\",\"data\":{\"e\":\"kline\",\"k\":{\"t\":", opt.interval);
    break;
  case 1: /* no kline */
    snprintf(buf, sizeof buf, "{\"stream\":\"x\",\"data\":{\"e\":\"kline\",\"s\":\"BTCUSDT\"}}");
    break;
  case 2:
    snprintf(buf, sizeof buf, "this is not JSON at all");
    break;
  default: /* a price that is not a number */
    snprintf(buf, sizeof buf,
             "{\"stream\":\"btcusdt@kline_%s\",\"data\":{\"e\":\"kline\",\"k\":{\"t\":%" PRId64
             ",\"s\":\"%s\",\"i\":\"%s\",\"o\":\"abc\",\"c\":\"1\",\"h\":\"1\",\"l\":\"1\","
             "\"v\":\"1\",\"x\":true}}}",
             opt.interval, opt.start_ms, p->nsym ? p->syms[0] : "BTCUSDT", opt.interval);
    break;
  }
  enqueue(p, buf, 0);
}

/* Queues step's messages on every open session. */
static void broadcast(int64_t step) {
  int64_t open_ms = opt.start_ms + step * opt.iv_ms;
  char buf[1024];
  for (pss *p = live; p; p = p->next_live) {
    if (p->cut) {
      continue;
    }
    for (int s = 0; s < p->nsym; s++) {
      for (int k = 0; k < opt.partial; k++) {
        kline_json(buf, sizeof buf, p->syms[s], open_ms, 0, 1);
        enqueue(p, buf, 0);
      }
      if (skipped(step)) {
        continue;
      }
      kline_json(buf, sizeof buf, p->syms[s], open_ms, 1, 0);
      enqueue(p, buf, 0);
      p->finals++;
      finals_total++;
      if (opt.duplicate_every > 0 && finals_total % opt.duplicate_every == 0) {
        enqueue(p, buf, 0);
      }
      if (opt.malformed_every > 0 && p->finals % opt.malformed_every == 0) {
        send_malformed(p);
      }
      if (opt.disconnect_after > 0 && p->finals >= opt.disconnect_after &&
          (opt.disconnects == 0 || p->conn_no <= opt.disconnects)) {
        enqueue(p, "", 1);
        p->cut = 1;
        logf_("connection %d: scripted disconnect after %d candles", p->conn_no, p->finals);
        break;
      }
    }
    if (p->head) {
      lws_callback_on_writable(p->wsi);
    }
  }
}

/* --ping-ms: pings every open WebSocket connection; one that left the previous ping
 * unanswered is closed instead. */
static void ping_all(void) {
  for (pss *p = live; p; p = p->next_live) {
    if (p->cut) {
      continue;
    }
    if (p->awaiting_pong) {
      p->no_pong = 1;
      p->cut = 1;
      logf_("connection %d: no pong to the last ping; closing", p->conn_no);
    } else {
      p->ping_due = 1;
      p->awaiting_pong = 1;
    }
    lws_callback_on_writable(p->wsi);
  }
}

static void tick(lws_sorted_usec_list_t *sul) {
  int64_t due = current_step();
  while (next_step < due) {
    broadcast(next_step++);
  }
  int64_t now = mono_us();
  if (opt.ping_ms > 0 && now >= next_ping_us) {
    ping_all();
    next_ping_us = now + opt.ping_ms * 1000;
  }
  /* Wake at the next step's end or ping (and at least every 200 ms, for --lifetime and
   * signals). */
  int64_t next_us = real0_us + (next_step + 1) * opt.tick_ms * 1000 - now;
  if (opt.ping_ms > 0 && next_ping_us - now < next_us) {
    next_us = next_ping_us - now;
  }
  if (next_us > 200000) {
    next_us = 200000;
  }
  if (next_us < 1000) {
    next_us = 1000;
  }
  lws_sul_schedule(ctx, 0, sul, tick, next_us);
}

/* "streams=btcusdt@kline_1m/ethusdt@kline_1m" -> p->syms. -1 when malformed. */
static int parse_streams(pss *p, const char *arg) {
  const char *s = arg;
  while (*s && p->nsym < MAX_SYMS) {
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    const char *at = memchr(s, '@', n);
    if (!at || strncmp(at, "@kline_", 7) != 0) {
      return -1;
    }
    size_t sl = (size_t)(at - s);
    size_t il = n - sl - 7;
    if (sl == 0 || sl >= sizeof p->syms[0] || il != strlen(opt.interval) ||
        strncmp(at + 7, opt.interval, il) != 0) {
      return -1;
    }
    for (size_t i = 0; i < sl; i++) {
      p->syms[p->nsym][i] = (char)toupper((unsigned char)s[i]);
    }
    p->syms[p->nsym][sl] = '\0';
    p->nsym++;
    s += n + (slash != NULL);
  }
  return p->nsym > 0 ? 0 : -1;
}

/* ---- REST -------------------------------------------------------------------------------- */

static int json_error(char *buf, size_t len, int code, const char *text) {
  return snprintf(buf, len, "{\"code\":%d,\"msg\":\"%s\"}", code, text);
}

/* The body of GET /api/v3/klines into p->body; returns the HTTP status. */
static int klines(pss *p, struct lws *wsi) {
  char sym[64] = "", iv[32] = "", a[64];
  const char *v;
  int64_t start = -1, end = -1, limit = 500;
  if ((v = lws_get_urlarg_by_name(wsi, "symbol=", a, sizeof a))) {
    snprintf(sym, sizeof sym, "%s", v);
  }
  if ((v = lws_get_urlarg_by_name(wsi, "interval=", a, sizeof a))) {
    snprintf(iv, sizeof iv, "%s", v);
  }
  if ((v = lws_get_urlarg_by_name(wsi, "startTime=", a, sizeof a))) {
    start = strtoll(v, NULL, 10);
  }
  if ((v = lws_get_urlarg_by_name(wsi, "endTime=", a, sizeof a))) {
    end = strtoll(v, NULL, 10);
  }
  if ((v = lws_get_urlarg_by_name(wsi, "limit=", a, sizeof a))) {
    limit = strtoll(v, NULL, 10);
  }
  p->body = malloc(256);
  if (!p->body) {
    return 500;
  }
  if (!sym[0]) {
    p->body_len = (size_t)json_error(p->body, 256, -1102,
                                     "Mandatory parameter 'symbol' was not sent, was empty/null, "
                                     "or malformed.");
    return 400;
  }
  for (char *c = sym; *c; c++) {
    if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c)) {
      p->body_len = (size_t)json_error(p->body, 256, -1121, "Invalid symbol.");
      return 400;
    }
  }
  if (strcmp(iv, opt.interval) != 0) {
    p->body_len = (size_t)json_error(p->body, 256, -1120, "Invalid interval.");
    return 400;
  }
  if (limit < 1 || limit > 1000) {
    limit = limit < 1 ? 500 : 1000;
  }
  /* Candles up to the one currently open, like the exchange. */
  int64_t newest = opt.start_ms + current_step() * opt.iv_ms;
  int64_t hi = end >= 0 && end < newest ? end : newest;
  int64_t first;
  if (start >= 0) {
    first = (start + opt.iv_ms - 1) / opt.iv_ms * opt.iv_ms;
  } else {
    first = (hi / opt.iv_ms - limit + 1) * opt.iv_ms;
  }
  size_t cap = 256 + (size_t)limit * 200;
  char *body = realloc(p->body, cap);
  if (!body) {
    return 500;
  }
  p->body = body;
  size_t n = 0;
  body[n++] = '[';
  int count = 0;
  for (int64_t t = first; t <= hi && count < limit; t += opt.iv_ms, count++) {
    candle c;
    make_candle(sym, t, &c);
    n += (size_t)snprintf(body + n, cap - n,
                          "%s[%" PRId64 ",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",%" PRId64
                          ",\"1.0\",100,\"0.5\",\"0.5\",\"0\"]",
                          count ? "," : "", t, c.o, c.h, c.l, c.c, c.v, t + opt.iv_ms - 1);
  }
  body[n++] = ']';
  p->body_len = n;
  return 200;
}

/* Sends the status line and headers of p's response and asks to write the body. */
static int send_headers(pss *p, struct lws *wsi) {
  unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *q = start,
                                     *end = hdr + sizeof hdr - 1;
  if (lws_add_http_common_headers(wsi, (unsigned)p->status, "application/json", p->body_len, &q,
                                  end)) {
    return -1;
  }
  if (p->rate_limited) {
    char ra[16];
    int n = snprintf(ra, sizeof ra, "%d", opt.retry_after);
    if (lws_add_http_header_by_name(
            wsi, (const unsigned char *)"retry-after:", (const unsigned char *)ra, n, &q, end)) {
      return -1;
    }
  }
  if (lws_finalize_write_http_header(wsi, start, &q, end)) {
    return -1;
  }
  lws_callback_on_writable(wsi);
  return 0;
}

static void hold_over(lws_sorted_usec_list_t *sul) {
  pss *p = lws_container_of(sul, pss, hold);
  lws_callback_on_writable(p->wsi);
}

/* How long to hold a klines answer: --hold-ms, or until 200 ms after the mock has finalized the
 * candle that is open by the wall clock now (with a faster clock, the one open on the mock's
 * clock). A client that asked for history up to the candle in progress then misses that candle
 * on a stream it opens after the answer. */
static int64_t hold_us(void) {
  if (opt.hold_ms > 0) {
    return opt.hold_ms * 1000;
  }
  int64_t k = (wall_ms() / opt.iv_ms * opt.iv_ms - opt.start_ms) / opt.iv_ms;
  int64_t cur = current_step();
  if (k < cur) {
    k = cur;
  }
  int64_t us = real0_us + (k + 1) * opt.tick_ms * 1000 + 200000 - mono_us();
  return us > 1000 ? us : 1000;
}

static int http_request(pss *p, struct lws *wsi, const char *uri) {
  int status;
  rest_requests++;
  p->body = NULL;
  p->body_len = p->body_off = 0;
  p->rate_limited = 0;
  p->held = 0;
  int is_klines = strcmp(uri, "/api/v3/klines") == 0;
  klines_requests += is_klines;
  if (is_klines && rest_requests <= opt.rate_limit) {
    p->rate_limited = 1;
    status = opt.rate_limit_status;
    p->body = malloc(128);
    if (p->body) {
      p->body_len = (size_t)json_error(p->body, 128, -1003, "Too many requests; rate limited.");
    }
  } else if (is_klines) {
    status = klines(p, wsi);
  } else if (strcmp(uri, "/api/v3/ping") == 0 || strcmp(uri, "/api/v3/time") == 0) {
    status = 200;
    p->body = malloc(64);
    if (p->body) {
      p->body_len = strcmp(uri, "/api/v3/ping") == 0
                        ? (size_t)snprintf(p->body, 64, "{}")
                        : (size_t)snprintf(p->body, 64, "{\"serverTime\":%" PRId64 "}",
                                           opt.start_ms + current_step() * opt.iv_ms);
    }
  } else {
    status = 404;
    p->body = malloc(64);
    if (p->body) {
      p->body_len = (size_t)json_error(p->body, 64, -1, "Not found.");
    }
  }
  if (!p->body) {
    return -1;
  }
  p->status = status;
  p->wsi = wsi;
  if (is_klines && klines_requests <= opt.hold_klines) {
    int64_t us = hold_us();
    logf_("REST %s -> %d (%zu bytes), held %" PRId64 " ms", uri, status, p->body_len, us / 1000);
    p->held = 1;
    lws_sul_schedule(ctx, 0, &p->hold, hold_over, us);
    return 0;
  }
  logf_("REST %s -> %d (%zu bytes)", uri, status, p->body_len);
  return send_headers(p, wsi);
}

static int http_write(pss *p, struct lws *wsi) {
  unsigned char buf[LWS_PRE + 16384];
  size_t left = p->body_len - p->body_off;
  size_t n = left < 16384 ? left : 16384;
  memcpy(buf + LWS_PRE, p->body + p->body_off, n);
  int final = n == left;
  if (lws_write(wsi, buf + LWS_PRE, n, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n) {
    return -1;
  }
  p->body_off += n;
  if (!final) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  free(p->body);
  p->body = NULL;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* ---- the protocol callback --------------------------------------------------------------- */

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len) {
  pss *p = user;
  switch (reason) {
  case LWS_CALLBACK_HTTP:
    return http_request(p, wsi, (const char *)in);
  case LWS_CALLBACK_HTTP_WRITEABLE:
    if (p->held) {
      p->held = 0;
      return send_headers(p, wsi);
    }
    return p->body ? http_write(p, wsi) : 0;
  case LWS_CALLBACK_CLOSED_HTTP:
  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    if (p && !p->is_ws) {
      lws_sul_cancel(&p->hold);
      p->held = 0;
      free(p->body);
      p->body = NULL;
    }
    return 0;
  case LWS_CALLBACK_ESTABLISHED: {
    char uri[256] = "", args[1024] = "";
    lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
    memset(p, 0, sizeof *p);
    p->wsi = wsi;
    p->is_ws = 1;
    p->conn_no = ++ws_connections;
    if (lws_hdr_copy_fragment(wsi, args, sizeof args, WSI_TOKEN_HTTP_URI_ARGS, 0) < 0 ||
        strcmp(uri, "/stream") != 0 || strncmp(args, "streams=", 8) != 0 ||
        parse_streams(p, args + 8) != 0) {
      logf_("connection %d: bad stream request '%s?%s'", p->conn_no, uri, args);
      lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"bad streams", 11);
      return -1;
    }
    p->next_live = live;
    live = p;
    logf_("connection %d: %d streams", p->conn_no, p->nsym);
    return 0;
  }
  case LWS_CALLBACK_SERVER_WRITEABLE: {
    if (p->no_pong) {
      lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"no pong", 7);
      return -1;
    }
    if (p->ping_due) {
      unsigned char ping[LWS_PRE + 8];
      memcpy(ping + LWS_PRE, "argo", 4);
      if (lws_write(wsi, ping + LWS_PRE, 4, LWS_WRITE_PING) < 4) {
        return -1;
      }
      p->ping_due = 0;
      pings_sent++;
      if (p->head) {
        lws_callback_on_writable(wsi);
      }
      return 0;
    }
    msg *m = p->head;
    if (!m) {
      return 0;
    }
    if (m->close) {
      lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"scripted disconnect", 19);
      return -1;
    }
    unsigned char *buf = malloc(LWS_PRE + m->len);
    if (!buf) {
      return -1;
    }
    memcpy(buf + LWS_PRE, m->text, m->len);
    int w = lws_write(wsi, buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
    free(buf);
    if (w < (int)m->len) {
      return -1;
    }
    p->head = m->next;
    if (!p->head) {
      p->tail = NULL;
    }
    p->queued--;
    free(m);
    if (p->head) {
      lws_callback_on_writable(wsi);
    }
    return 0;
  }
  case LWS_CALLBACK_RECEIVE_PONG:
    if (p->awaiting_pong) {
      p->awaiting_pong = 0;
      pongs_received++;
    }
    return 0;
  case LWS_CALLBACK_CLOSED: {
    for (pss **pp = &live; *pp; pp = &(*pp)->next_live) {
      if (*pp == p) {
        *pp = p->next_live;
        break;
      }
    }
    logf_("connection %d: closed", p->conn_no);
    free_queue(p);
    return 0;
  }
  default:
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols protocols[] = {
    {"binance", callback, sizeof(pss), 4096, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0}};

/* ---- main -------------------------------------------------------------------------------- */

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
  if (ctx) {
    lws_cancel_service(ctx);
  }
}

static int64_t parse_interval_ms(const char *s) {
  char *end;
  long long v = strtoll(s, &end, 10);
  if (v <= 0) {
    return -1;
  }
  if (strcmp(end, "s") == 0) {
    return v * 1000;
  }
  if (strcmp(end, "m") == 0) {
    return v * 60000;
  }
  if (strcmp(end, "h") == 0) {
    return v * 3600000;
  }
  if (strcmp(end, "d") == 0) {
    return v * 86400000;
  }
  return -1;
}

static void usage(void) {
  fprintf(stderr,
          "usage: mock_exchange [--port P] [--interval I] [--tick-ms MS] [--start-ms MS]\n"
          "         [--partial N] [--disconnect-after N] [--disconnects K] [--rate-limit K]\n"
          "         [--retry-after S] [--rate-limit-status 429|418] [--malformed-every N]\n"
          "         [--hold-klines K] [--hold-ms MS] [--ping-ms MS] [--stats-file F]\n"
          "         [--skip-steps A,B,...] [--duplicate-every N] [--lifetime S] [--verbose]\n"
          "         [--tls-cert FILE --tls-key FILE]\n"
          "Prints its port on the first line of stdout. See docs/feeds.md.\n");
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define INTARG(name, field)                                                                        \
  if (strcmp(a, name) == 0 && v) {                                                                 \
    opt.field = atoi(v);                                                                           \
    i++;                                                                                           \
    continue;                                                                                      \
  }
    INTARG("--port", port)
    INTARG("--disconnect-after", disconnect_after)
    INTARG("--disconnects", disconnects)
    INTARG("--rate-limit", rate_limit)
    INTARG("--retry-after", retry_after)
    INTARG("--rate-limit-status", rate_limit_status)
    INTARG("--hold-klines", hold_klines)
    INTARG("--malformed-every", malformed_every)
    INTARG("--duplicate-every", duplicate_every)
    INTARG("--partial", partial)
    INTARG("--lifetime", lifetime)
#undef INTARG
    if (strcmp(a, "--interval") == 0 && v) {
      snprintf(opt.interval, sizeof opt.interval, "%s", v);
      i++;
    } else if (strcmp(a, "--tick-ms") == 0 && v) {
      opt.tick_ms = strtoll(v, NULL, 10);
      i++;
    } else if (strcmp(a, "--ping-ms") == 0 && v) {
      opt.ping_ms = strtoll(v, NULL, 10);
      i++;
    } else if (strcmp(a, "--stats-file") == 0 && v) {
      opt.stats_file = v;
      i++;
    } else if (strcmp(a, "--hold-ms") == 0 && v) {
      opt.hold_ms = strtoll(v, NULL, 10);
      i++;
    } else if (strcmp(a, "--start-ms") == 0 && v) {
      opt.start_ms = strtoll(v, NULL, 10);
      opt.have_start = 1;
      i++;
    } else if (strcmp(a, "--skip-steps") == 0 && v) {
      for (const char *s = v; *s && opt.nskip < MAX_SKIP;) {
        opt.skip[opt.nskip++] = strtoll(s, NULL, 10);
        const char *c = strchr(s, ',');
        if (!c) {
          break;
        }
        s = c + 1;
      }
      i++;
    } else if (strcmp(a, "--tls-cert") == 0 && v) {
      opt.tls_cert = v;
      i++;
    } else if (strcmp(a, "--tls-key") == 0 && v) {
      opt.tls_key = v;
      i++;
    } else if (strcmp(a, "--verbose") == 0) {
      opt.verbose = 1;
    } else {
      usage();
      return 2;
    }
  }
  opt.iv_ms = parse_interval_ms(opt.interval);
  if (opt.iv_ms <= 0) {
    fprintf(stderr, "mock_exchange: bad --interval '%s'\n", opt.interval);
    return 2;
  }
  if (opt.tick_ms <= 0) {
    opt.tick_ms = opt.iv_ms;
  }
  int64_t now = wall_ms();
  if (!opt.have_start) {
    /* A faster clock starts a day back, so that its candles stay in the past for a while. */
    opt.start_ms = now / opt.iv_ms * opt.iv_ms - (opt.tick_ms < opt.iv_ms ? 86400000 : 0);
  }
  opt.start_ms = opt.start_ms / opt.iv_ms * opt.iv_ms;

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  lws_set_log_level(opt.verbose ? LLL_ERR | LLL_WARN : LLL_ERR, NULL);
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = opt.port;
  info.iface = "127.0.0.1";
  info.protocols = protocols;
  info.options = LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
  info.fd_limit_per_thread = 256;
  if (opt.tls_cert) {
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.ssl_cert_filepath = opt.tls_cert;
    info.ssl_private_key_filepath = opt.tls_key;
  }
  ctx = lws_create_context(&info);
  if (!ctx) {
    fprintf(stderr, "mock_exchange: cannot listen on 127.0.0.1:%d\n", opt.port);
    return 1;
  }
  struct lws_vhost *vh = lws_get_vhost_by_name(ctx, "default");
  int port = vh ? lws_get_vhost_listen_port(vh) : -1;
  printf("%d\n", port);
  fflush(stdout);
  logf_("listening on 127.0.0.1:%d, interval %s, tick %" PRId64 " ms, step 0 opens at %" PRId64,
        port, opt.interval, opt.tick_ms, opt.start_ms);
  real0_us = mono_us();
  next_ping_us = real0_us + opt.ping_ms * 1000;
  lws_sul_schedule(ctx, 0, &tick_sul, tick, 1000);
  int64_t deadline = opt.lifetime > 0 ? real0_us + (int64_t)opt.lifetime * 1000000 : 0;
  while (!interrupted && (!deadline || mono_us() < deadline)) {
    if (lws_service(ctx, 0) < 0) {
      break;
    }
  }
  lws_sul_cancel(&tick_sul);
  lws_context_destroy(ctx);
  if (opt.stats_file) {
    FILE *f = fopen(opt.stats_file, "w");
    if (f) {
      fprintf(f, "connections %d\npings %" PRId64 "\npongs %" PRId64 "\n", ws_connections,
              pings_sent, pongs_received);
      fclose(f);
    }
  }
  return 0;
}
