/*
 * The Binance feed's WebSocket part (see binance.c for the feed as a whole): the combined kline
 * stream through libwebsockets, driven by next() with argo__binance_ws_step, and its
 * reconnection. It checks the stream URL, creates the lws context with its tick (TICK_US, so
 * that lws_service() returns in time for next() to see a stop), connects, reassembles and parses
 * messages (argo__binance_parse_ws) and queues the finalized candles and any problem for next();
 * inside an lws callback nothing is reported directly (report_later). When a connection fails
 * or drops, it schedules the next attempt with backoff and jitter or gives up after max_attempts,
 * and marks a reconnection (need_fill) so that next() fills the gap.
 *
 * It owns the lws fields of struct bnc. It must not depend on the REST part (binance_rest.c):
 * the gap is filled by next(). Depends on libwebsockets and the feed's helpers in binance.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/binance_int.h"
#include "util/timeu.h"

/* A WebSocket message larger than this is not market data. */
#define MAX_MESSAGE (1u << 20)

/* Queues a problem for next() to report (from inside an lws callback). */
static void report_later(bnc *b, const char *fmt, ...) ARGO_PRINTF(2, 3);
static void report_later(bnc *b, const char *fmt, ...) {
  char msg[ARGO_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  argo__binance_vfmt_masked(msg, sizeof msg, fmt, ap);
  va_end(ap);
  item it = {.msg = argo__strdup(msg)};
  if (!it.msg || argo__binance_q_push(&b->in, &it) != 0) {
    free(it.msg); /* out of memory: the report is lost, the feed goes on */
  }
}

/* One message of the combined stream: a finalized candle is queued, a non-final update only
 * proves the connection works, anything else is reported. */
static int find_cb(void *user, const char *name) {
  return argo__binance_find_sym(user, name);
}

static void on_message(bnc *b, struct lws *wsi, const char *data, size_t len) {
  argo__binance_stream st = {
      .find = find_cb, .user = b, .interval = b->iv_name, .interval_us = b->iv_us};
  char why[ARGO_ERRMSG_MAX / 2];
  argo_candle c;
  size_t k;
  int r = argo__binance_parse_ws(&st, data, len, &k, &c, why, sizeof why);
  if (r == ARGO_BNC_MALFORMED) {
    char snip[160];
    argo__binance_snippet(data, len, snip, sizeof snip);
    report_later(b, "malformed message from %s: %s: %s; skipped", b->ws_url, why, snip);
    return;
  }
  if (r == ARGO_BNC_OTHER) {
    return;
  }
  /* A valid message: the connection works. */
  b->attempt = 0;
  lws_validity_confirmed(wsi);
  if (r == ARGO_BNC_FINAL) {
    c.symbol = b->syms[k].name;
    item it = {.sym = k, .c = c};
    if (argo__binance_q_push(&b->in, &it) != 0) {
      report_later(b, "out of memory: a candle of %s was dropped", c.symbol);
    }
  }
}

static void tick(lws_sorted_usec_list_t *sul) {
  bnc *b = lws_container_of(sul, bnc, tick);
  lws_sul_schedule(b->lws, 0, &b->tick, tick, TICK_US);
}

/* The connection failed or dropped: schedule the next attempt, or give up. */
static void conn_lost(bnc *b, const char *reason) {
  int was_open = b->conn == CONN_OPEN;
  b->conn = CONN_IDLE;
  b->conn_id++; /* whatever that connection still reports is stale from now on */
  b->attempt++;
  const char *what = was_open || b->ever_open ? "connection lost" : "cannot connect to";
  char where[300] = "";
  if (!was_open && !b->ever_open) {
    argo__binance_fmt_masked(where, sizeof where, " %s", b->ws_url);
  }
  if (b->opt.max_attempts > 0 && b->attempt >= b->opt.max_attempts) {
    b->fatal = 1;
    argo__binance_fmt_masked(b->fatal_msg, sizeof b->fatal_msg,
                             "%s%s: %s; gave up after %d attempt%s", what, where, reason,
                             b->attempt, b->attempt == 1 ? "" : "s");
    return;
  }
  int64_t wait =
      argo__binance_backoff_us(b, b->attempt, b->opt.backoff_min_us, b->opt.backoff_max_us);
  b->retry_at = argo__mono_us() + wait;
  char of[32] = "";
  if (b->opt.max_attempts > 0) {
    argo__fmt(of, sizeof of, " of %d", b->opt.max_attempts);
  }
  char d[32];
  argo__binance_fmt_delay(wait, d, sizeof d);
  report_later(b, "%s%s: %s; %s in %s (attempt %d%s)", what, where, reason,
               b->ever_open ? "reconnecting" : "retrying", d, b->attempt + 1, of);
}

static int lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                  size_t len) {
  (void)user;
  struct lws_context *lc = wsi ? lws_get_context(wsi) : NULL;
  bnc *b = lc ? lws_context_user(lc) : NULL;
  if (!b || b->closing) {
    return 0;
  }
  /* Callbacks of a connection that is no longer the current one are stale. */
  uintptr_t id = (uintptr_t)lws_get_opaque_user_data(wsi);
  switch (reason) {
  case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
    if (id != b->conn_id || b->conn == CONN_IDLE) {
      return 0;
    }
    char text[200], why[ARGO_ERRMSG_MAX / 2];
    argo__binance_snippet(in ? (const char *)in : "", in ? strlen((const char *)in) : 0, text,
                          sizeof text);
    /* lws' TLS errors are OpenSSL codes; say what they usually mean. */
    argo__fmt(why, sizeof why, "%s%s", text[0] ? text : "connection failed",
              strstr(text, "SSL") ? " (TLS failed: is the server's certificate trusted by the "
                                    "system's store?)"
                                  : "");
    conn_lost(b, why);
    return 0;
  }
  case LWS_CALLBACK_CLIENT_ESTABLISHED:
    if (id != b->conn_id) {
      return 0;
    }
    b->conn = CONN_OPEN;
    b->need_fill = b->ever_open;
    b->ever_open = 1;
    b->close_code = 0;
    b->close_reason[0] = '\0';
    argo__sb_reset(&b->rx);
    b->rx_overflow = 0;
    return 0;
  case LWS_CALLBACK_CLIENT_RECEIVE:
    if (id != b->conn_id) {
      return 0;
    }
    if (lws_is_first_fragment(wsi)) {
      argo__sb_reset(&b->rx);
      b->rx_overflow = 0;
    }
    if (b->rx.len + len > MAX_MESSAGE) {
      b->rx_overflow = 1;
    } else {
      argo__sb_add(&b->rx, in, len);
    }
    if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
      if (b->rx_overflow || argo__sb_failed(&b->rx)) {
        report_later(b, "message from %s larger than %u bytes; skipped", b->ws_url, MAX_MESSAGE);
      } else {
        on_message(b, wsi, b->rx.buf ? b->rx.buf : "", b->rx.len);
      }
      argo__sb_reset(&b->rx);
      b->rx_overflow = 0;
    }
    return 0;
  case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
    if (id == b->conn_id && in && len >= 2) {
      const unsigned char *p = in;
      b->close_code = (p[0] << 8) | p[1];
      argo__binance_snippet((const char *)p + 2, len - 2, b->close_reason, sizeof b->close_reason);
    }
    return 0;
  case LWS_CALLBACK_CLIENT_CLOSED: {
    if (id != b->conn_id || b->conn == CONN_IDLE) {
      return 0;
    }
    char why[256];
    if (b->close_code) {
      argo__fmt(why, sizeof why, "closed by the exchange (code %d%s%s)", b->close_code,
                b->close_reason[0] ? ": " : "", b->close_reason);
    } else {
      argo__fmt(why, sizeof why,
                "the connection was closed (no close frame: network error or "
                "no traffic for too long)");
    }
    conn_lost(b, why);
    return 0;
  }
  default:
    return 0;
  }
}

static const struct lws_protocols protocols[] = {
    {"argo-binance", lws_cb, 0, 0, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0}, /* terminator */
};

static void conn_start(bnc *b) {
  struct lws_client_connect_info ci;
  memset(&ci, 0, sizeof ci);
  ci.context = b->lws;
  ci.address = b->ws_host;
  ci.port = b->ws_port;
  ci.ssl_connection = strcmp(b->ws_prot, "wss") == 0 ? LCCSCF_USE_SSL : 0;
  ci.path = b->ws_path;
  ci.host = b->ws_host;
  ci.origin = b->ws_host;
  ci.protocol = NULL; /* the exchange speaks no subprotocol */
  ci.local_protocol_name = protocols[0].name;
  ci.alpn = "http/1.1";
  ci.retry_and_idle_policy = &b->idle_policy;
  ci.opaque_user_data = (void *)++b->conn_id;
  b->conn = CONN_CONNECTING;
  b->started_at = argo__mono_us();
  if (!lws_client_connect_via_info(&ci) && b->conn == CONN_CONNECTING) {
    /* Failed before any callback (for example a host name that does not resolve). */
    conn_lost(b, "the connection could not be started (host name not resolved?)");
  }
}

/* ---- the connection's life --------------------------------------------------------------- */

argo_err argo__binance_ws_url(bnc *b, char *err, size_t errlen) {
  const char *url = b->ws_url;
  const char *path = NULL;
  b->ws_parse = argo__strdup(url);
  if (!b->ws_parse) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  if (lws_parse_uri(b->ws_parse, &b->ws_prot, &b->ws_host, &b->ws_port, &path) != 0 ||
      (strcmp(b->ws_prot, "ws") != 0 && strcmp(b->ws_prot, "wss") != 0) || !*b->ws_host ||
      b->ws_port <= 0 || b->ws_port > 65535 || strchr(url, '?')) {
    argo__binance_fmt_masked(
        err, errlen, "market_data.ws_url: expected ws://host[:port][/path] or wss://..., got '%s'",
        url);
    return ARGO_ECONFIG;
  }
  argo__sb p;
  argo__sb_init(&p);
  argo__sb_putc(&p, '/');
  argo__sb_puts(&p, path ? path : "");
  while (p.len > 1 && p.buf[p.len - 1] == '/') {
    p.buf[--p.len] = '\0';
  }
  argo__sb_puts(&p, p.len > 1 ? "/stream?streams=" : "stream?streams=");
  for (size_t i = 0; i < b->nsym; i++) {
    argo__sb_printf(&p, "%s%s@kline_%s", i ? "/" : "", b->syms[i].stream, b->iv_name);
  }
  if (argo__sb_failed(&p)) {
    argo__sb_free(&p);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  b->ws_path = p.buf; /* taken from the buffer */
  return ARGO_OK;
}

static void cancel_service(void *ctx) {
  lws_cancel_service(ctx);
}

argo_err argo__binance_ws_start(bnc *b, char *err, size_t errlen) {
  /* lws pings after ping_after_s without traffic and drops the connection after
   * hangup_after_s; every valid message counts as traffic (lws_validity_confirmed). */
  b->idle_policy.secs_since_valid_ping =
      (uint16_t)(b->opt.ping_after_s > 0 ? b->opt.ping_after_s : 30);
  b->idle_policy.secs_since_valid_hangup =
      (uint16_t)(b->opt.hangup_after_s > b->idle_policy.secs_since_valid_ping
                     ? b->opt.hangup_after_s
                     : b->idle_policy.secs_since_valid_ping + 15);
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = protocols;
  info.user = b;
  info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  b->tls = argo__tls_client_ctx(err, errlen);
  if (!b->tls) {
    return ARGO_EFEED;
  }
  info.provided_client_ssl_ctx = b->tls;
  info.fd_limit_per_thread = 16; /* one connection, plus lws' own event pipe */
  unsigned secs = (unsigned)((b->opt.connect_timeout_us + 999999) / 1000000);
  info.timeout_secs = secs ? secs : 1;
  info.connect_timeout_secs = info.timeout_secs;
  info.retry_and_idle_policy = &b->idle_policy;
  b->lws = lws_create_context(&info);
  if (!b->lws) {
    argo__fmt(err, errlen, "libwebsockets could not create its context");
    return ARGO_EFEED;
  }
  lws_sul_schedule(b->lws, 0, &b->tick, tick, TICK_US);
  /* A poke of the engine's waker (a fill made durable, a broker's news) ends lws_service at
   * once rather than at the next tick. */
  argo__waker_set_poke_hook(b->waker, cancel_service, b->lws);
  return ARGO_OK;
}

int argo__binance_ws_step(bnc *b) {
  if (b->conn == CONN_IDLE) {
    if (argo__mono_us() < b->retry_at) {
      return argo__waker_sleep_until(b->waker, b->retry_at);
    }
    conn_start(b);
    return 0;
  }
  /* lws times a connection attempt out by itself; this only guards against an attempt that
   * never reports back, which would otherwise leave the feed waiting forever. */
  if (b->conn == CONN_CONNECTING &&
      argo__mono_us() - b->started_at > 2 * b->opt.connect_timeout_us + 5 * ARGO_US_PER_SEC) {
    conn_lost(b, "the connection attempt timed out");
    return 0;
  }
  lws_service(b->lws, 0);
  return 0;
}

void argo__binance_ws_close(bnc *b) {
  b->closing = 1;
  if (b->lws) {
    argo__waker_set_poke_hook(b->waker, NULL, NULL);
    lws_sul_cancel(&b->tick);
    lws_context_destroy(b->lws);
    b->lws = NULL;
  }
  SSL_CTX_free(b->tls);
  b->tls = NULL;
}
