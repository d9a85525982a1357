/*
 * mock_market.c: the mock exchange's market data. Candles are a pure function of (symbol, open
 * time), so the REST history, the live stream and the matching engine (mock_trading.c) always
 * agree. Serves GET /api/v3/klines and the combined kline streams at
 * /stream?streams=btcusdt@kline_1m/..., with the market-data fault switches (disconnects,
 * malformed messages, gaps, duplicates, pings). Depends on nothing of the trading side.
 *
 * Follows https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints
 * (Kline/Candlestick data) and .../web-socket-streams (Kline/Candlestick Streams).
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

#define MAX_QUEUE 100000

static mock_conn *live; /* open kline streams */
static int64_t finals_total;
int mock_ws_connections;
int64_t mock_pings_sent, mock_pongs_received;

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

/* The candle of symbol opening at open_ms. open is the previous close, so candles chain. */
void mock_make_candle(const char *sym, int64_t open_ms, mock_candle *out) {
  uint64_t h = hash_sym(sym);
  int64_t n = open_ms / mopt.iv_ms;
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

void mock_candle_amts(const char *sym, int64_t step, mock_amt *o, mock_amt *h, mock_amt *l,
                      mock_amt *c) {
  mock_candle k;
  mock_make_candle(sym, mopt.start_ms + step * mopt.iv_ms, &k);
  /* The strings have eight decimals: they parse exactly. */
  mock_amt_parse(k.o, o);
  mock_amt_parse(k.h, h);
  mock_amt_parse(k.l, l);
  mock_amt_parse(k.c, c);
}

/* ---- WebSocket streams ------------------------------------------------------------------- */

void mock_enqueue(mock_conn *p, const char *text, int close) {
  if (p->queued >= MAX_QUEUE) {
    return; /* a client that does not read: drop rather than grow without bound */
  }
  size_t n = strlen(text);
  mock_msg *m = malloc(sizeof *m + n + 1);
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

void mock_free_queue(mock_conn *p) {
  while (p->head) {
    mock_msg *m = p->head;
    p->head = m->next;
    free(m);
  }
  p->tail = NULL;
  p->queued = 0;
}

static void kline_json(char *buf, size_t len, const char *sym, int64_t open_ms, int final,
                       int bump) {
  mock_candle c;
  mock_make_candle(sym, open_ms, &c);
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
  int64_t now = mock_server_ms();
  snprintf(buf, len,
           "{\"stream\":\"%s@kline_%s\",\"data\":{\"e\":\"kline\",\"E\":%" PRId64
           ",\"s\":\"%s\",\"k\":{\"t\":%" PRId64 ",\"T\":%" PRId64
           ",\"s\":\"%s\",\"i\":\"%s\",\"f\":100,\"L\":200,\"o\":\"%s\",\"c\":\"%s\",\"h\":\"%s\","
           "\"l\":\"%s\",\"v\":\"%s\",\"n\":100,\"x\":%s,\"q\":\"1.0\",\"V\":\"0.5\",\"Q\":\"0.5\","
           "\"B\":\"0\"}}}",
           lower, mopt.interval, now, sym, open_ms, open_ms + mopt.iv_ms - 1, sym, mopt.interval,
           c.o, c.c, c.h, c.l, c.v, final ? "true" : "false");
}

static void send_malformed(mock_conn *p) {
  static unsigned next;
  char buf[512];
  switch (next++ % 4) {
  case 0: /* truncated */
    snprintf(
        buf, sizeof buf,
        "{\"stream\":\"btcusdt@kline_%s\",\"data\":{\"e\":\"kline\",\"k\":{\"t\":", mopt.interval);
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
             mopt.interval, mopt.start_ms, p->nsym ? p->syms[0] : "BTCUSDT", mopt.interval);
    break;
  }
  mock_enqueue(p, buf, 0);
}

/* Queues step's messages on every open stream. */
void mock_market_broadcast(int64_t step) {
  int64_t open_ms = mopt.start_ms + step * mopt.iv_ms;
  char buf[1024];
  for (mock_conn *p = live; p; p = p->next_live) {
    if (p->cut) {
      continue;
    }
    for (int s = 0; s < p->nsym; s++) {
      for (int k = 0; k < mopt.partial; k++) {
        kline_json(buf, sizeof buf, p->syms[s], open_ms, 0, 1);
        mock_enqueue(p, buf, 0);
      }
      if (mock_list_has(&mopt.skip, step)) {
        continue;
      }
      kline_json(buf, sizeof buf, p->syms[s], open_ms, 1, 0);
      mock_enqueue(p, buf, 0);
      p->finals++;
      finals_total++;
      if (mopt.duplicate_every > 0 && finals_total % mopt.duplicate_every == 0) {
        mock_enqueue(p, buf, 0);
      }
      if (mopt.malformed_every > 0 && p->finals % mopt.malformed_every == 0) {
        send_malformed(p);
      }
      if (mopt.disconnect_after > 0 && p->finals >= mopt.disconnect_after &&
          (mopt.disconnects == 0 || p->conn_no <= mopt.disconnects)) {
        mock_enqueue(p, "", 1);
        p->cut = 1;
        mock_log("connection %d: scripted disconnect after %d candles", p->conn_no, p->finals);
        break;
      }
    }
    if (p->head) {
      lws_callback_on_writable(p->wsi);
    }
  }
}

/* --ping-ms: pings every open stream; one that left the previous ping unanswered is closed
 * instead. */
void mock_market_ping_all(void) {
  for (mock_conn *p = live; p; p = p->next_live) {
    if (p->cut) {
      continue;
    }
    if (p->awaiting_pong) {
      p->no_pong = 1;
      p->cut = 1;
      mock_log("connection %d: no pong to the last ping; closing", p->conn_no);
    } else {
      p->ping_due = 1;
      p->awaiting_pong = 1;
    }
    lws_callback_on_writable(p->wsi);
  }
}

/* "streams=btcusdt@kline_1m/ethusdt@kline_1m" -> p->syms. -1 when malformed. */
static int parse_streams(mock_conn *p, const char *arg) {
  const char *s = arg;
  while (*s && p->nsym < MOCK_MAX_SYMS) {
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    const char *at = memchr(s, '@', n);
    if (!at || strncmp(at, "@kline_", 7) != 0) {
      return -1;
    }
    size_t sl = (size_t)(at - s);
    size_t il = n - sl - 7;
    if (sl == 0 || sl >= sizeof p->syms[0] || il != strlen(mopt.interval) ||
        strncmp(at + 7, mopt.interval, il) != 0) {
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

int mock_market_established(mock_conn *p, struct lws *wsi, const char *uri, const char *args) {
  p->kind = MOCK_CONN_STREAM;
  p->wsi = wsi;
  p->conn_no = ++mock_ws_connections;
  if (strcmp(uri, "/stream") != 0 || strncmp(args, "streams=", 8) != 0 ||
      parse_streams(p, args + 8) != 0) {
    mock_log("connection %d: bad stream request '%s?%s'", p->conn_no, uri, args);
    lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"bad streams", 11);
    return -1;
  }
  p->next_live = live;
  live = p;
  mock_log("connection %d: %d streams", p->conn_no, p->nsym);
  return 0;
}

void mock_market_closed(mock_conn *p) {
  for (mock_conn **pp = &live; *pp; pp = &(*pp)->next_live) {
    if (*pp == p) {
      *pp = p->next_live;
      break;
    }
  }
  mock_log("connection %d: closed", p->conn_no);
  mock_free_queue(p);
}

int mock_market_writeable(mock_conn *p, struct lws *wsi) {
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
    mock_pings_sent++;
    if (p->head) {
      lws_callback_on_writable(wsi);
    }
    return 0;
  }
  mock_msg *m = p->head;
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

/* ---- REST klines ------------------------------------------------------------------------- */

static int json_error(char *buf, size_t len, int code, const char *text) {
  return snprintf(buf, len, "{\"code\":%d,\"msg\":\"%s\"}", code, text);
}

int mock_klines(mock_conn *p, struct lws *wsi) {
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
  if (strcmp(iv, mopt.interval) != 0) {
    p->body_len = (size_t)json_error(p->body, 256, -1120, "Invalid interval.");
    return 400;
  }
  if (limit < 1 || limit > 1000) {
    limit = limit < 1 ? 500 : 1000;
  }
  /* Candles up to the one currently open, like the exchange. */
  int64_t newest = mopt.start_ms + mock_current_step() * mopt.iv_ms;
  int64_t hi = end >= 0 && end < newest ? end : newest;
  int64_t first;
  if (start >= 0) {
    first = (start + mopt.iv_ms - 1) / mopt.iv_ms * mopt.iv_ms;
  } else {
    first = (hi / mopt.iv_ms - limit + 1) * mopt.iv_ms;
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
  for (int64_t t = first; t <= hi && count < limit; t += mopt.iv_ms, count++) {
    mock_candle c;
    mock_make_candle(sym, t, &c);
    n += (size_t)snprintf(body + n, cap - n,
                          "%s[%" PRId64 ",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",%" PRId64
                          ",\"1.0\",100,\"0.5\",\"0.5\",\"0\"]",
                          count ? "," : "", t, c.o, c.h, c.l, c.c, c.v, t + mopt.iv_ms - 1);
  }
  body[n++] = ']';
  p->body_len = n;
  return 200;
}
