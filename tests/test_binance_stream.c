/*
 * The Binance broker's user data stream (src/brokers/binance_stream.c) and its event queue
 * (binance_queue.c), against the real mock exchange on 127.0.0.1 (tests/mock_exchange): a
 * subscription with an HMAC key and with an Ed25519 key (session.logon), the events of a market
 * order and of a cancel, a refused key, a dropped stream and the reconnection, and a prompt stop.
 * What the mock cannot do (answer -1021 to a subscription, end a subscription on its own, send a
 * message of several MiB) a scripted WebSocket server in this file does. The parser's unit cases
 * come last. Every wait is bounded.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "brokers/binance_int.h"
#include "test.h"
#include "testutil.h"

/* ---- the stream under test --------------------------------------------------------------- */

typedef struct env {
  tu_mock m;
  char dir[4096], ledger[4200], url[128];
  argo__bn_keys *keys;
  bn_queue q;
  bn_clock clock;
  bn_stream *s;
  const char *secrets[4]; /* texts no event may contain */
  int nsecrets;
  double btc;
} env;

static env E;

static void start_mock(const char *const extra[]) {
  snprintf(E.dir, sizeof E.dir, "%s", tu_tmpdir("bnstream"));
  snprintf(E.ledger, sizeof E.ledger, "%s/ledger.jsonl", E.dir);
  const char *flags[40] = {"--interval", "1s",     "--tick-ms", "50",
                           "--ledger",   E.ledger, "--balance", "USDT=100000"};
  int n = 8;
  for (int i = 0; extra && extra[i] && n < 39; i++) {
    flags[n++] = extra[i];
  }
  flags[n] = NULL;
  tu_mock_startv(&E.m, flags);
  snprintf(E.url, sizeof E.url, "ws://127.0.0.1:%d/ws-api/v3", E.m.port);
}

static void hmac_keys(const char *key, const char *secret) {
  char err[256];
  CHECK_MSG(argo__bn_keys_new_hmac(key, secret, &E.keys, err, sizeof err) == ARGO_OK, "%s", err);
  E.secrets[E.nsecrets++] = key;
  E.secrets[E.nsecrets++] = secret;
}

static void start_stream(const char *url, int64_t max_backoff_us) {
  argo__bnq_init(&E.q, NULL, NULL);
  bn_stream_cfg cfg = {.url = url,
                       .keys = E.keys,
                       .clock = &E.clock,
                       .recv_window_ms = 5000,
                       .q = &E.q,
                       .max_backoff_us = max_backoff_us};
  char err[512];
  CHECK_MSG(argo__bn_stream_start(&E.s, &cfg, err, sizeof err) == ARGO_OK, "%s", err);
}

/* Stops the stream and checks that it took less than max_ms. */
static void stop_stream(int64_t max_ms) {
  int64_t t0 = argo__mono_us();
  argo__bn_stream_stop(E.s);
  E.s = NULL;
  int64_t ms = (argo__mono_us() - t0) / 1000;
  CHECK_MSG(ms < max_ms, "stop took %" PRId64 " ms (at most %" PRId64 ")", ms, max_ms);
}

static void finish(void) {
  argo__bn_stream_stop(E.s);
  E.s = NULL;
  argo__bnq_deinit(&E.q);
  argo__bn_keys_free(E.keys);
  E.keys = NULL;
  tu_mock_stop(&E.m);
  if (E.dir[0]) {
    tu_rm_rf(E.dir);
  }
}

static const char *kind_name(bn_ev_kind k) {
  static const char *const names[] = {"?",     "EXEC",      "NOT_PLACED",    "BALANCES",
                                      "ERROR", "STREAM_UP", "CANCEL_REFUSED"};
  return (unsigned)k < ARGO_ARRAY_LEN(names) ? names[k] : "?";
}

/* The next event within ms (the test fails without one); its text checked for secrets. */
static bn_ev next_ev(int ms) {
  bn_ev ev;
  for (int64_t end = argo__mono_us() + ms * 1000; !argo__bnq_pop(&E.q, &ev);) {
    CHECK_MSG(argo__mono_us() < end, "no event within %d ms", ms);
    usleep(5000);
  }
  for (int i = 0; i < E.nsecrets; i++) {
    CHECK_MSG(!strstr(ev.reason, E.secrets[i]), "an event quotes a secret: %s", ev.reason);
  }
  CHECK_MSG(!strchr(ev.reason, '\n'), "a message on more than one line: %s", ev.reason);
  return ev;
}

/* The next event, which must be of kind k (and for an EXEC, of execution type x). */
static bn_ev expect(bn_ev_kind k, const char *x) {
  bn_ev ev = next_ev(5000);
  CHECK_MSG(ev.kind == k && (!x || strcmp(ev.exec_type, x) == 0), "expected %s %s, got %s %s (%s)",
            kind_name(k), x ? x : "", kind_name(ev.kind), ev.exec_type, ev.reason);
  return ev;
}

/* No event for ms. */
static void expect_none(int ms) {
  usleep((useconds_t)ms * 1000);
  bn_ev ev;
  if (argo__bnq_pop(&E.q, &ev)) {
    free(ev.bal);
    TEST_FAIL_("unexpected event %s %s: %s", kind_name(ev.kind), ev.exec_type, ev.reason);
  }
}

static double balance_of(const bn_ev *ev, const char *asset, int locked) {
  for (size_t i = 0; i < ev->nbal; i++) {
    if (strcmp(ev->bal[i].asset, asset) == 0) {
      return locked ? ev->bal[i].locked : ev->bal[i].free;
    }
  }
  TEST_FAIL_("no balance of %s in the event", asset);
}

/* A signed REST request that must succeed; its body parsed (json_decref it). */
static json_t *rest_ok(const char *method, const char *path, const char *params) {
  tu_http_resp r = tu_mock_signed(&E.m, method, path, params);
  json_t *j = json_loads(r.body, 0, NULL);
  CHECK_MSG(r.status == 200 && j, "%s %s %s: HTTP %ld %s", method, path, params, r.status, r.body);
  tu_http_free(&r);
  return j;
}

static double dec(json_t *o, const char *k) {
  return strtod(json_string_value(json_object_get(o, k)), NULL);
}

/* A market buy of 0.01 BTC: the stream yields NEW, TRADE (checked against the fill the REST
 * answer names) and the balances. */
static void market_order_events(const char *cid) {
  char q[256];
  snprintf(q, sizeof q, "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=%s",
           cid);
  json_t *o = rest_ok("POST", "/api/v3/order", q);
  json_t *f = json_array_get(json_object_get(o, "fills"), 0);
  CHECK(f != NULL);
  bn_ev ev = expect(BN_EV_EXEC, "NEW");
  CHECK_STR(cid, ev.client_id);
  CHECK_STR("NEW", ev.status);
  CHECK_EQ_INT(json_integer_value(json_object_get(o, "orderId")), ev.order_id);
  ev = expect(BN_EV_EXEC, "TRADE");
  CHECK_STR(cid, ev.client_id);
  CHECK_STR("FILLED", ev.status);
  CHECK_NEAR(0.01, ev.last_qty, 1e-12);
  CHECK_NEAR(0.01, ev.cum_qty, 1e-12);
  CHECK_NEAR(dec(f, "price"), ev.last_price, 1e-9);
  CHECK(ev.last_price > 0);
  CHECK_NEAR(dec(f, "commission"), ev.commission, 1e-12);
  CHECK(ev.commission > 0);
  CHECK_STR(json_string_value(json_object_get(f, "commissionAsset")), ev.commission_asset);
  CHECK_EQ_INT(json_integer_value(json_object_get(f, "tradeId")), ev.trade_id);
  int64_t now = argo__wall_us();
  CHECK_MSG(ev.time_us > now - 60 * INT64_C(1000000) && ev.time_us <= now + 1000000,
            "transaction time %" PRId64 " us, now %" PRId64, ev.time_us, now);
  bn_ev pos = expect(BN_EV_BALANCES, NULL);
  CHECK_EQ_INT(0, pos.full);
  CHECK_EQ_INT(2, pos.nbal);
  E.btc += 0.01 - ev.commission; /* what the account holds after every buy so far */
  CHECK_NEAR(E.btc, balance_of(&pos, "BTC", 0), 1e-12);
  CHECK(balance_of(&pos, "USDT", 0) < 100000);
  free(pos.bal);
  json_decref(o);
}

/* ---- against the mock exchange ----------------------------------------------------------- */

TEST(stream_hmac_subscribes_and_reports_fills_and_cancels) {
  start_mock(NULL);
  hmac_keys(E.m.api_key, E.m.api_secret);
  start_stream(E.url, 2000000);
  char err[512] = "";
  CHECK_EQ_INT(1, argo__bn_stream_wait_up(E.s, 5000000, err, sizeof err));
  expect(BN_EV_STREAM_UP, NULL);
  json_t *sub = tu_mock_ledger(E.ledger, "subscribed", NULL);
  CHECK_EQ_INT(1, json_array_size(sub));
  CHECK_STR("userDataStream.subscribe.signature",
            json_string_value(json_object_get(json_array_get(sub, 0), "method")));
  json_decref(sub);

  market_order_events("s-mkt-1");

  /* A LIMIT order far below the market rests; its cancel is reported with the order's own
   * client id, not the cancel request's. */
  json_t *px = rest_ok("GET", "/api/v3/ticker/price", "symbol=BTCUSDT");
  char q[256];
  snprintf(q, sizeof q,
           "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=%.2f&"
           "newClientOrderId=s-lim-1",
           (double)(int64_t)(dec(px, "price") / 2));
  json_decref(px);
  json_decref(rest_ok("POST", "/api/v3/order", q));
  bn_ev ev = expect(BN_EV_EXEC, "NEW");
  CHECK_STR("s-lim-1", ev.client_id);
  bn_ev pos = expect(BN_EV_BALANCES, NULL);
  CHECK(balance_of(&pos, "USDT", 1) > 0);
  free(pos.bal);
  json_t *c = rest_ok("DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=s-lim-1");
  const char *cancel_id = json_string_value(json_object_get(c, "clientOrderId"));
  CHECK(cancel_id && strcmp(cancel_id, "s-lim-1") != 0); /* the cancel has an id of its own */
  ev = expect(BN_EV_EXEC, "CANCELED");
  CHECK_STR("s-lim-1", ev.client_id);
  CHECK_STR("CANCELED", ev.status);
  CHECK_NEAR(0, ev.cum_qty, 0);
  json_decref(c);
  pos = expect(BN_EV_BALANCES, NULL);
  CHECK_NEAR(0, balance_of(&pos, "USDT", 1), 1e-12);
  free(pos.bal);
  expect_none(200);
  /* A stop with the connection open is prompt. */
  stop_stream(200);
  finish();
}

static void check_refused(const char *want_code, const char *want_code2) {
  char err[512] = "";
  CHECK_EQ_INT(-1, argo__bn_stream_wait_up(E.s, 5000000, err, sizeof err));
  CHECK_MSG(strstr(err, want_code) || (want_code2 && strstr(err, want_code2)),
            "the reason names neither %s nor %s: %s", want_code, want_code2 ? want_code2 : "-",
            err);
  CHECK_CONTAINS(err, "not retrying");
  CHECK_CONTAINS(err, E.url);
  for (int i = 0; i < E.nsecrets; i++) {
    CHECK_MSG(!strstr(err, E.secrets[i]), "the reason quotes a secret: %s", err);
  }
  bn_ev ev = expect(BN_EV_ERROR, NULL);
  CHECK_EQ_INT(1, ev.fatal);
  CHECK_MSG(ev.code == atoi(want_code) || (want_code2 && ev.code == atoi(want_code2)), "code %d",
            ev.code);
  CHECK_STR(err, ev.reason);
  /* The stream stopped trying: nothing more comes, however long the backoff's cap is. */
  expect_none(1500);
  json_t *sub = tu_mock_ledger(E.ledger, "subscribed", NULL);
  CHECK_EQ_INT(0, json_array_size(sub));
  json_decref(sub);
}

TEST(stream_wrong_secret_is_fatal_with_1022) {
  start_mock(NULL);
  hmac_keys(E.m.api_key, "not-the-mock-secret");
  start_stream(E.url, 200000);
  check_refused("-1022", NULL);
  stop_stream(200);
  finish();
}

TEST(stream_unknown_api_key_is_fatal_with_2014_or_2015) {
  start_mock(NULL);
  hmac_keys("an-unknown-api-key-4711", E.m.api_secret);
  start_stream(E.url, 200000);
  check_refused("-2015", "-2014");
  stop_stream(200);
  finish();
}

TEST(stream_dropped_reconnects_and_subscribes_again) {
  static const char *const flags[] = {"--drop-stream-after", "3", NULL};
  start_mock(flags);
  hmac_keys(E.m.api_key, E.m.api_secret);
  start_stream(E.url, 2000000);
  char err[512] = "";
  CHECK_EQ_INT(1, argo__bn_stream_wait_up(E.s, 5000000, err, sizeof err));
  expect(BN_EV_STREAM_UP, NULL);
  /* NEW, TRADE, balances: the third event ends the first subscription's connection. */
  market_order_events("s-drop-1");
  bn_ev ev = expect(BN_EV_ERROR, NULL);
  CHECK_EQ_INT(0, ev.fatal);
  char want[256];
  snprintf(want, sizeof want, "binance user data stream: connection to %s lost (", E.url);
  CHECK_CONTAINS(ev.reason, want);
  CHECK_CONTAINS(ev.reason, "; reconnecting in ");
  expect(BN_EV_STREAM_UP, NULL);
  json_t *sub = tu_mock_ledger(E.ledger, "subscribed", NULL);
  CHECK_EQ_INT(2, json_array_size(sub));
  json_decref(sub);
  /* The second subscription (--drop-streams 1: not dropped) carries the next order. */
  market_order_events("s-drop-2");
  expect_none(200);
  stop_stream(200);
  finish();
}

TEST(stream_ed25519_logs_on_then_subscribes) {
  EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
  CHECK(key != NULL);
  char kdir[4096], pub[4200];
  snprintf(kdir, sizeof kdir, "%s", tu_tmpdir("bnstream-ed"));
  snprintf(pub, sizeof pub, "%s/pub.pem", kdir);
  FILE *f = fopen(pub, "w");
  CHECK(f && PEM_write_PUBKEY(f, key) == 1);
  fclose(f);
  BIO *bio = BIO_new(BIO_s_mem());
  CHECK(bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1);
  char *pem = NULL;
  long n = BIO_get_mem_data(bio, &pem);
  char *priv = strndup(pem, (size_t)n);
  BIO_free(bio);
  EVP_PKEY_free(key);
  const char *const flags[] = {"--ed25519-pubkey", pub, "--ed25519-api-key", "ed-key-stream", NULL};
  start_mock(flags);
  char err[512] = "";
  CHECK_MSG(argo__bn_keys_new_ed25519("ed-key-stream", priv, &E.keys, err, sizeof err) == ARGO_OK,
            "%s", err);
  free(priv);
  E.secrets[E.nsecrets++] = "ed-key-stream";
  start_stream(E.url, 2000000);
  CHECK_MSG(argo__bn_stream_wait_up(E.s, 5000000, err, sizeof err) == 1, "%s", err);
  expect(BN_EV_STREAM_UP, NULL);
  json_t *sub = tu_mock_ledger(E.ledger, "subscribed", NULL);
  CHECK_EQ_INT(1, json_array_size(sub));
  CHECK_STR("userDataStream.subscribe", /* on the session.logon session, not .signature */
            json_string_value(json_object_get(json_array_get(sub, 0), "method")));
  json_decref(sub);
  market_order_events("s-ed-1"); /* the same account: REST with the HMAC key */
  stop_stream(200);
  finish();
  tu_rm_rf(kdir);
}

/* A port that accepts TCP connections (the kernel completes them into the backlog) but never
 * answers the WebSocket upgrade. */
static int silent_listener(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t al = sizeof a;
  CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 8) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &al) == 0);
  *port = ntohs(a.sin_port);
  return fd;
}

TEST(stream_stop_while_connecting_returns_within_1s) {
  int port;
  int fd = silent_listener(&port);
  char url[128];
  snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws-api/v3", port);
  hmac_keys("k-silent", "s-silent");
  start_stream(url, 2000000);
  char err[256] = "";
  CHECK_EQ_INT(0, argo__bn_stream_wait_up(E.s, 300000, err, sizeof err));
  stop_stream(1000);
  close(fd);
  expect_none(0);
  finish();
}

TEST(stream_connection_refused_is_retried_not_fatal) {
  int port;
  int fd = silent_listener(&port);
  close(fd); /* nothing listens there now */
  char url[128];
  snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws-api/v3", port);
  hmac_keys("k-refused", "s-refused");
  start_stream(url, 300000);
  bn_ev ev = expect(BN_EV_ERROR, NULL);
  CHECK_EQ_INT(0, ev.fatal);
  char want[200];
  snprintf(want, sizeof want, "binance user data stream: cannot connect to %s (", url);
  CHECK_CONTAINS(ev.reason, want);
  CHECK_CONTAINS(ev.reason, "; retrying in ");
  ev = expect(BN_EV_ERROR, NULL); /* tried again after the (capped) delay */
  CHECK_EQ_INT(0, ev.fatal);
  char err[256] = "";
  CHECK_EQ_INT(0, argo__bn_stream_wait_up(E.s, 1000, err, sizeof err));
  stop_stream(200);
  finish();
}

TEST(stream_start_refuses_a_bad_url) {
  hmac_keys("k-url", "s-url");
  argo__bnq_init(&E.q, NULL, NULL);
  static const char *const bad[] = {"http://127.0.0.1:1/ws-api/v3", "127.0.0.1:1",
                                    "ws://user:pw-secret@/x"};
  for (size_t i = 0; i < ARGO_ARRAY_LEN(bad); i++) {
    bn_stream_cfg cfg = {.url = bad[i], .keys = E.keys, .clock = &E.clock, .q = &E.q};
    char err[512] = "";
    bn_stream *s = (bn_stream *)1;
    CHECK_EQ_INT(ARGO_ECONFIG, argo__bn_stream_start(&s, &cfg, err, sizeof err));
    CHECK(s == NULL);
    CHECK_CONTAINS(err, "expected ws://host[:port]/path");
    CHECK_MSG(!strstr(err, "pw-secret"), "the URL's password in: %s", err);
  }
  finish();
}

/* A test CA and a certificate for localhost, made with the openssl command; 0 if there is no
 * openssl command (the test is then skipped). */
static int make_certs(const char *dir) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "(cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem "
           "-days 2 -subj '/CN=argo test CA' && openssl req -newkey rsa:2048 -nodes "
           "-keyout srv.key -out srv.csr -subj '/CN=localhost' && printf "
           "'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' "
           "> ext.cnf && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
           "-CAcreateserial -out srv.pem -days 2 -extfile ext.cnf) >/dev/null 2>&1",
           dir);
  return system("command -v openssl >/dev/null 2>&1") == 0 && system(cmd) == 0;
}

TEST(stream_wss_verifies_the_certificate_with_the_system_store) {
  snprintf(E.dir, sizeof E.dir, "%s", tu_tmpdir("bnstream-tls"));
  if (!make_certs(E.dir)) {
    SKIP("no openssl command to make a test certificate");
  }
  char cert[4200], key[4200], ca[4200];
  snprintf(cert, sizeof cert, "%s/srv.pem", E.dir);
  snprintf(key, sizeof key, "%s/srv.key", E.dir);
  snprintf(ca, sizeof ca, "%s/ca.pem", E.dir);
  const char *const flags[] = {"--tls-cert", cert, "--tls-key", key, NULL};
  tu_mock_startv(&E.m, flags);
  snprintf(E.url, sizeof E.url, "wss://localhost:%d/ws-api/v3", E.m.port);
  hmac_keys(E.m.api_key, E.m.api_secret);
  /* The test CA is not in the system's store: refused, and said so, but not fatal. */
  start_stream(E.url, 300000);
  bn_ev ev = expect(BN_EV_ERROR, NULL);
  CHECK_EQ_INT(0, ev.fatal);
  CHECK_CONTAINS(ev.reason, "cannot connect to wss://localhost:");
  CHECK_CONTAINS(ev.reason, "TLS failed");
  stop_stream(200);
  argo__bnq_deinit(&E.q);
  /* With the test CA as the system's store (OpenSSL's SSL_CERT_FILE), it subscribes. */
  setenv("SSL_CERT_FILE", ca, 1);
  start_stream(E.url, 300000);
  char err[512] = "";
  CHECK_MSG(argo__bn_stream_wait_up(E.s, 5000000, err, sizeof err) == 1, "%s", err);
  expect(BN_EV_STREAM_UP, NULL);
  unsetenv("SSL_CERT_FILE");
  stop_stream(200);
  finish();
}

/* ---- against a scripted WebSocket server ------------------------------------------------- */

/* One WebSocket server thread on 127.0.0.1 that takes connections one after the other and runs
 * script(k) on the k-th (from 0); then it reads until the client closes. Just enough RFC 6455
 * for lws as a client: the upgrade, unmasking, text and close frames. */
typedef struct fake {
  int lfd, port, fd;
  pthread_t th;
  atomic_int stop, conns;
  void (*script)(struct fake *f, int k);
  char req[8][2048]; /* the first request of each connection */
} fake;

static int read_full(int fd, void *buf, size_t n) {
  for (size_t got = 0; got < n;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 5000) != 1) {
      return -1;
    }
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r <= 0) {
      return -1;
    }
    got += (size_t)r;
  }
  return 0;
}

static int handshake(int fd) {
  char req[4096] = "";
  size_t len = 0;
  while (len < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
    if (read_full(fd, req + len, 1) != 0) {
      return -1;
    }
    req[++len] = '\0';
  }
  const char *k = strcasestr(req, "Sec-WebSocket-Key:");
  if (!k) {
    return -1;
  }
  k += 18;
  while (*k == ' ') {
    k++;
  }
  char key[128];
  size_t kl = strcspn(k, "\r\n");
  snprintf(key, sizeof key, "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", (int)kl, k);
  unsigned char sha[SHA_DIGEST_LENGTH];
  SHA1((const unsigned char *)key, strlen(key), sha);
  char acc[64], resp[256];
  EVP_EncodeBlock((unsigned char *)acc, sha, SHA_DIGEST_LENGTH);
  int n = snprintf(resp, sizeof resp,
                   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                   acc);
  return write(fd, resp, (size_t)n) == n ? 0 : -1;
}

/* The next text frame from the client (unmasked) into buf; -1 on close or error. */
static int fake_recv(fake *f, char *buf, size_t cap) {
  for (;;) {
    unsigned char h[2], ext[8], mask[4];
    if (read_full(f->fd, h, 2) != 0) {
      return -1;
    }
    uint64_t len = h[1] & 0x7f;
    if (len == 126 || len == 127) {
      size_t m = len == 126 ? 2 : 8;
      if (read_full(f->fd, ext, m) != 0) {
        return -1;
      }
      len = 0;
      for (size_t i = 0; i < m; i++) {
        len = len << 8 | ext[i];
      }
    }
    if (len >= cap || read_full(f->fd, mask, 4) != 0 || read_full(f->fd, buf, (size_t)len) != 0) {
      return -1;
    }
    for (uint64_t i = 0; i < len; i++) {
      buf[i] ^= (char)mask[i % 4];
    }
    buf[len] = '\0';
    if ((h[0] & 0x0f) == 8) {
      return -1;
    }
    if ((h[0] & 0x0f) == 1) {
      return 0;
    }
  }
}

static void fake_send_frame(fake *f, int opcode, const char *data, size_t len) {
  unsigned char h[10];
  size_t hl = 2;
  h[0] = (unsigned char)(0x80 | opcode);
  if (len < 126) {
    h[1] = (unsigned char)len;
  } else if (len < 65536) {
    h[1] = 126;
    h[2] = (unsigned char)(len >> 8);
    h[3] = (unsigned char)len;
    hl = 4;
  } else {
    h[1] = 127;
    for (int i = 0; i < 8; i++) {
      h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    }
    hl = 10;
  }
  if (write(f->fd, h, hl) != (ssize_t)hl) {
    return;
  }
  for (size_t off = 0; off < len;) {
    ssize_t w = write(f->fd, data + off, len - off);
    if (w <= 0) {
      return;
    }
    off += (size_t)w;
  }
}

static void fake_send(fake *f, const char *text) {
  fake_send_frame(f, 1, text, strlen(text));
}

/* Reads the connection's request (kept in req[k]) and answers it: 200 with a subscriptionId,
 * or the error code and message. */
static void fake_answer(fake *f, int k, int code, const char *msg) {
  char *req = f->req[k < 8 ? k : 7];
  if (fake_recv(f, req, sizeof f->req[0]) != 0) {
    return;
  }
  json_t *j = json_loads(req, 0, NULL);
  json_int_t id = json_integer_value(json_object_get(j, "id"));
  json_decref(j);
  char out[512];
  if (code == 0) {
    snprintf(out, sizeof out,
             "{\"id\":%" JSON_INTEGER_FORMAT ",\"status\":200,\"result\":{\"subscriptionId\":0}}",
             id);
  } else {
    snprintf(out, sizeof out,
             "{\"id\":%" JSON_INTEGER_FORMAT
             ",\"status\":400,\"error\":{\"code\":%d,\"msg\":\"%s\"}}",
             id, code, msg);
  }
  fake_send(f, out);
}

static void *fake_run(void *arg) {
  fake *f = arg;
  while (!atomic_load(&f->stop)) {
    struct pollfd p = {.fd = f->lfd, .events = POLLIN};
    if (poll(&p, 1, 50) != 1) {
      continue;
    }
    f->fd = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
    if (f->fd < 0) {
      continue;
    }
    int k = atomic_fetch_add(&f->conns, 1);
    if (handshake(f->fd) == 0) {
      f->script(f, k);
      /* Until the client closes (answering its close frame, as lws waits for that). */
      static char sink[1 << 16];
      while (!atomic_load(&f->stop)) {
        struct pollfd q = {.fd = f->fd, .events = POLLIN};
        if (poll(&q, 1, 50) == 1 && fake_recv(f, sink, sizeof sink) != 0) {
          fake_send_frame(f, 8, "", 0);
          break;
        }
      }
    }
    close(f->fd);
  }
  return NULL;
}

static fake F;

static void fake_start(void (*script)(fake *, int)) {
  memset(&F, 0, sizeof F);
  F.script = script;
  F.lfd = silent_listener(&F.port);
  CHECK(pthread_create(&F.th, NULL, fake_run, &F) == 0);
  snprintf(E.url, sizeof E.url, "ws://127.0.0.1:%d/ws-api/v3", F.port);
}

static void fake_stop(void) {
  atomic_store(&F.stop, 1);
  pthread_join(F.th, NULL);
  close(F.lfd);
}

static void script_1021_then_ok(fake *f, int k) {
  fake_answer(f, k, k == 0 ? -1021 : 0, "Timestamp for this request is outside of the recvWindow.");
}

TEST(stream_timestamp_refusal_is_retried_not_fatal) {
  fake_start(script_1021_then_ok);
  hmac_keys("k-fake-1021", "s-fake-1021");
  start_stream(E.url, 300000);
  char err[512] = "";
  CHECK_MSG(argo__bn_stream_wait_up(E.s, 5000000, err, sizeof err) == 1, "%s", err);
  bn_ev ev = expect(BN_EV_ERROR, NULL);
  CHECK_EQ_INT(0, ev.fatal);
  CHECK_EQ_INT(-1021, ev.code);
  CHECK_CONTAINS(ev.reason, "userDataStream.subscribe.signature refused by");
  CHECK_CONTAINS(ev.reason, "binance -1021: Timestamp for this request");
  CHECK_CONTAINS(ev.reason, "; reconnecting in ");
  expect(BN_EV_STREAM_UP, NULL);
  stop_stream(200);
  /* What went out: the documented parameters, signed over apiKey, recvWindow and timestamp. */
  json_t *r = json_loads(F.req[1], 0, NULL);
  CHECK_MSG(r != NULL, "request: %s", F.req[1]);
  CHECK_STR("userDataStream.subscribe.signature", json_string_value(json_object_get(r, "method")));
  json_t *p = json_object_get(r, "params");
  CHECK_STR("k-fake-1021", json_string_value(json_object_get(p, "apiKey")));
  CHECK_EQ_INT(5000, json_integer_value(json_object_get(p, "recvWindow")));
  json_int_t ts = json_integer_value(json_object_get(p, "timestamp"));
  CHECK_MSG(llabs((long long)(ts - tu_wall_ms())) < 10000, "timestamp %lld", (long long)ts);
  char payload[256];
  snprintf(payload, sizeof payload, "apiKey=k-fake-1021&recvWindow=5000&timestamp=%lld",
           (long long)ts);
  CHECK_STR(tu_hmac_hex("s-fake-1021", payload),
            json_string_value(json_object_get(p, "signature")));
  CHECK_EQ_INT(4, json_object_size(p));
  json_decref(r);
  fake_stop();
  finish();
}

static void script_terminated_then_ok(fake *f, int k) {
  fake_answer(f, k, 0, NULL);
  if (k == 0) {
    fake_send(f, "{\"subscriptionId\":0,\"event\":{\"e\":\"eventStreamTerminated\",\"E\":1}}");
  }
}

TEST(stream_terminated_subscription_is_made_again) {
  fake_start(script_terminated_then_ok);
  hmac_keys("k-fake-term", "s-fake-term");
  start_stream(E.url, 300000);
  expect(BN_EV_STREAM_UP, NULL);
  bn_ev ev = expect(BN_EV_ERROR, NULL);
  CHECK_EQ_INT(0, ev.fatal);
  CHECK_CONTAINS(ev.reason, "eventStreamTerminated");
  CHECK_CONTAINS(ev.reason, "; reconnecting in ");
  expect(BN_EV_STREAM_UP, NULL);
  CHECK_EQ_INT(2, atomic_load(&F.conns));
  stop_stream(200);
  fake_stop();
  finish();
}

static void script_big_then_ok(fake *f, int k) {
  fake_answer(f, k, 0, NULL);
  if (k == 0) {
    size_t n = (1u << 20) + 100;
    char *big = malloc(n);
    CHECK(big != NULL);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    fake_send_frame(f, 1, big, n);
    free(big);
  }
}

TEST(stream_message_over_1mib_drops_the_connection) {
  fake_start(script_big_then_ok);
  hmac_keys("k-fake-big", "s-fake-big");
  start_stream(E.url, 300000);
  expect(BN_EV_STREAM_UP, NULL);
  bn_ev ev = expect(BN_EV_ERROR, NULL);
  CHECK_EQ_INT(0, ev.fatal);
  CHECK_CONTAINS(ev.reason, "a message larger than 1048576 bytes");
  expect(BN_EV_STREAM_UP, NULL);
  stop_stream(200);
  fake_stop();
  finish();
}

static void script_malformed(fake *f, int k) {
  fake_answer(f, k, 0, NULL);
  fake_send(f, "{\"subscriptionId\":0,\"event\":{\"e\":\"executionReport\",\"x\":\"TRADE\"}}");
  fake_send(f, "not json at all");
  fake_send(f, "{\"subscriptionId\":0,\"event\":{\"e\":\"balanceUpdate\",\"E\":1,\"a\":\"BTC\","
               "\"d\":\"1.0\",\"T\":1}}");
  fake_send(f, "{\"subscriptionId\":0,\"event\":{\"e\":\"outboundAccountPosition\",\"E\":"
               "1700000000000,\"u\":1700000000001,\"B\":[{\"a\":\"ETH\",\"f\":\"1.5\",\"l\":\"0."
               "25\"}]}}");
}

TEST(stream_malformed_messages_are_reported_and_skipped) {
  fake_start(script_malformed);
  hmac_keys("k-fake-bad", "s-fake-bad");
  start_stream(E.url, 300000);
  expect(BN_EV_STREAM_UP, NULL);
  bn_ev ev = expect(BN_EV_ERROR, NULL);
  CHECK_EQ_INT(0, ev.fatal);
  CHECK_CONTAINS(ev.reason, "malformed event from");
  CHECK_CONTAINS(ev.reason, "skipped");
  ev = expect(BN_EV_ERROR, NULL);
  CHECK_CONTAINS(ev.reason, "is not a JSON object");
  /* balanceUpdate is ignored; the connection goes on. */
  ev = expect(BN_EV_BALANCES, NULL);
  CHECK_EQ_INT(1, ev.nbal);
  CHECK_STR("ETH", ev.bal[0].asset);
  CHECK_NEAR(1.5, ev.bal[0].free, 0);
  CHECK_NEAR(0.25, ev.bal[0].locked, 0);
  CHECK_EQ_INT(INT64_C(1700000000001000), ev.time_us);
  free(ev.bal);
  expect_none(200);
  CHECK_EQ_INT(1, atomic_load(&F.conns));
  stop_stream(200);
  fake_stop();
  finish();
}

/* ---- argo__bn_parse_event ---------------------------------------------------------------- */

static int parse(const char *text, bn_ev *ev, char *why, size_t whylen) {
  json_error_t e;
  json_t *j = json_loads(text, 0, &e);
  CHECK_MSG(j != NULL, "fixture not JSON (%s): %s", e.text, text);
  int r = argo__bn_parse_event(j, ev, why, whylen);
  json_decref(j);
  return r;
}

static const char trade_fixture[] =
    "{\"subscriptionId\":0,\"event\":{\"e\":\"executionReport\",\"E\":1499405658658,\"s\":"
    "\"ETHBTC\",\"c\":\"argo-42\",\"S\":\"BUY\",\"o\":\"LIMIT\",\"f\":\"GTC\",\"q\":\"1.00000000\","
    "\"p\":\"0.10264410\",\"P\":\"0.00000000\",\"F\":\"0.00000000\",\"g\":-1,\"C\":\"\",\"x\":"
    "\"TRADE\",\"X\":\"PARTIALLY_FILLED\",\"r\":\"NONE\",\"i\":4293153,\"l\":\"0.25000000\",\"z\":"
    "\"0.75000000\",\"L\":\"0.10264400\",\"n\":\"0.00025000\",\"N\":\"ETH\",\"T\":1499405658657,"
    "\"t\":77,\"I\":8641984,\"w\":false,\"m\":true,\"M\":false,\"O\":1499405658600,\"Z\":"
    "\"0.07698300\",\"Y\":\"0.02566100\",\"Q\":\"0.00000000\",\"W\":1499405658600,\"V\":\"NONE\"}}";

TEST(parse_trade_fills_every_field) {
  bn_ev ev;
  char why[256] = "";
  CHECK_MSG(parse(trade_fixture, &ev, why, sizeof why) == 1, "%s", why);
  CHECK_EQ_INT(BN_EV_EXEC, ev.kind);
  CHECK_STR("argo-42", ev.client_id);
  CHECK_EQ_INT(4293153, ev.order_id);
  CHECK_STR("TRADE", ev.exec_type);
  CHECK_STR("PARTIALLY_FILLED", ev.status);
  CHECK_NEAR(0.75, ev.cum_qty, 0);
  CHECK_NEAR(0.25, ev.last_qty, 0);
  CHECK_NEAR(0.102644, ev.last_price, 1e-15);
  CHECK_NEAR(0.00025, ev.commission, 1e-18);
  CHECK_STR("ETH", ev.commission_asset);
  CHECK_EQ_INT(77, ev.trade_id);
  CHECK_EQ_INT(INT64_C(1499405658657000), ev.time_us);
  CHECK_STR("", ev.reason);
  CHECK(ev.bal == NULL);
  /* The bare event object parses the same. */
  json_t *j = json_loads(trade_fixture, 0, NULL);
  bn_ev ev2;
  CHECK_EQ_INT(1, argo__bn_parse_event(json_object_get(j, "event"), &ev2, why, sizeof why));
  CHECK_EQ_INT(0, memcmp(&ev, &ev2, sizeof ev));
  json_decref(j);
}

TEST(parse_canceled_takes_the_original_client_id) {
  bn_ev ev;
  char why[256] = "";
  const char *fx =
      "{\"e\":\"executionReport\",\"E\":1,\"s\":\"BTCUSDT\",\"c\":\"cancel-req-9\",\"C\":"
      "\"argo-7\",\"S\":\"SELL\",\"o\":\"LIMIT\",\"x\":\"CANCELED\",\"X\":\"CANCELED\",\"r\":"
      "\"NONE\",\"i\":12,\"l\":\"0.00000000\",\"z\":\"0.10000000\",\"L\":\"0.00000000\",\"n\":"
      "\"0\",\"N\":null,\"T\":1700000000000,\"t\":-1}";
  CHECK_MSG(parse(fx, &ev, why, sizeof why) == 1, "%s", why);
  CHECK_STR("argo-7", ev.client_id);
  CHECK_STR("CANCELED", ev.exec_type);
  CHECK_STR("", ev.commission_asset);
  CHECK_EQ_INT(-1, ev.trade_id);
  CHECK_NEAR(0.1, ev.cum_qty, 1e-15);
  /* A NEW report's C is "" and c is the order's. */
  const char *nw = "{\"e\":\"executionReport\",\"c\":\"argo-8\",\"C\":\"\",\"x\":\"NEW\",\"X\":"
                   "\"NEW\",\"i\":13,\"l\":\"0\",\"z\":\"0\",\"L\":\"0\",\"n\":\"0\",\"N\":null,"
                   "\"T\":1,\"t\":-1}";
  CHECK_MSG(parse(nw, &ev, why, sizeof why) == 1, "%s", why);
  CHECK_STR("argo-8", ev.client_id);
  /* REJECTED and EXPIRED carry the exchange's reason. */
  const char *rj = "{\"e\":\"executionReport\",\"c\":\"argo-9\",\"x\":\"REJECTED\",\"X\":"
                   "\"REJECTED\",\"r\":\"INSUFFICIENT_BALANCES\",\"i\":-1,\"l\":\"0\",\"z\":\"0\","
                   "\"L\":\"0\",\"n\":\"0\",\"N\":null,\"T\":1,\"t\":-1}";
  CHECK_MSG(parse(rj, &ev, why, sizeof why) == 1, "%s", why);
  CHECK_STR("INSUFFICIENT_BALANCES", ev.reason);
  const char *ex = "{\"e\":\"executionReport\",\"c\":\"argo-10\",\"x\":\"EXPIRED\",\"X\":"
                   "\"EXPIRED\",\"r\":\"NONE\",\"eR\":\"INSUFFICIENT_LIQUIDITY\",\"i\":3,\"l\":"
                   "\"0\",\"z\":\"0.02\",\"L\":\"0\",\"n\":\"0\",\"N\":null,\"T\":1,\"t\":-1}";
  CHECK_MSG(parse(ex, &ev, why, sizeof why) == 1, "%s", why);
  CHECK_STR("INSUFFICIENT_LIQUIDITY", ev.reason);
}

TEST(parse_malformed_events_say_why) {
  static const struct {
    const char *json, *why;
  } cases[] = {
      {"{\"e\":\"executionReport\",\"c\":\"a\",\"x\":\"TRADE\",\"X\":\"FILLED\",\"i\":1,\"l\":"
       "\"abc\",\"z\":\"1\",\"L\":\"1\",\"n\":\"0\",\"N\":null,\"T\":1,\"t\":5}",
       "\"l\" is not a decimal"},
      {"{\"e\":\"executionReport\",\"c\":\"a\",\"x\":\"TRADE\",\"X\":\"FILLED\",\"l\":\"1\","
       "\"z\":\"1\",\"L\":\"1\",\"n\":\"0\",\"N\":null,\"T\":1,\"t\":5}",
       "\"i\" is missing"},
      {"{\"e\":\"executionReport\",\"c\":\"a\",\"x\":\"TRADE\",\"X\":\"FILLED\",\"i\":1,\"l\":"
       "\"1\",\"z\":\"1\",\"L\":\"-2\",\"n\":\"0\",\"N\":null,\"T\":1,\"t\":5}",
       "\"L\" is not a decimal"},
      {"{\"e\":\"executionReport\",\"c\":\"a\",\"x\":\"TRADE\",\"X\":\"FILLED\",\"i\":1,\"l\":"
       "\"1\",\"z\":\"1\",\"L\":\"1\",\"n\":\"0\",\"N\":null,\"T\":1,\"t\":-1}",
       "a TRADE without a trade id"},
      {"{\"e\":\"executionReport\",\"c\":"
       "\"0123456789012345678901234567890123456789012345678901234x\",\"x\":"
       "\"NEW\",\"X\":\"NEW\",\"i\":1,\"l\":\"0\",\"z\":\"0\",\"L\":\"0\",\"n\":\"0\",\"N\":null,"
       "\"T\":1,\"t\":-1}",
       "\"c\" is longer than 55 characters"},
      {"{\"e\":\"outboundAccountPosition\",\"E\":1,\"B\":[{\"a\":\"BTC\",\"f\":\"1\"}]}",
       "balance 0 of \"B\": \"l\" is missing"},
      {"{\"e\":\"outboundAccountPosition\",\"E\":1,\"B\":{}}", "\"B\" is not an array"},
      {"{\"E\":1}", "no event type"},
      {"[1,2]", "not a JSON object"},
  };
  for (size_t i = 0; i < ARGO_ARRAY_LEN(cases); i++) {
    bn_ev ev;
    char why[256] = "";
    int r = parse(cases[i].json, &ev, why, sizeof why);
    CHECK_MSG(r == -1, "case %zu: %d, want -1", i, r);
    CHECK_CONTAINS(why, cases[i].why);
    CHECK(ev.bal == NULL);
    CHECK_EQ_INT(0, ev.kind);
  }
}

TEST(parse_ignores_events_the_broker_does_not_use) {
  static const char *const ignored[] = {
      "{\"subscriptionId\":0,\"event\":{\"e\":\"balanceUpdate\",\"E\":1573200697110,\"a\":\"BTC\","
      "\"d\":\"100.00000000\",\"T\":1573200697068}}",
      "{\"e\":\"listStatus\",\"E\":1,\"s\":\"ETHBTC\",\"g\":2}",
      "{\"e\":\"externalLockUpdate\",\"E\":1,\"a\":\"NEO\",\"d\":\"10.0\",\"T\":1}",
      "{\"e\":\"eventStreamTerminated\",\"E\":1728973001334}",
  };
  for (size_t i = 0; i < ARGO_ARRAY_LEN(ignored); i++) {
    bn_ev ev;
    char why[256] = "";
    CHECK_MSG(parse(ignored[i], &ev, why, sizeof why) == 0, "case %zu: %s", i, why);
    CHECK_EQ_INT(0, ev.kind);
  }
}

static void count_wake(void *user) {
  (*(int *)user)++;
}

TEST(queue_is_fifo_wakes_and_takes_over_balances) {
  bn_queue q;
  int wakes = 0;
  argo__bnq_init(&q, count_wake, &wakes);
  for (int i = 0; i < 100; i++) {
    bn_ev ev = {.kind = BN_EV_EXEC, .order_id = i};
    if (i % 10 == 0) {
      ev.kind = BN_EV_BALANCES;
      ev.bal = calloc(1, sizeof *ev.bal);
      ev.nbal = 1;
    }
    CHECK_EQ_INT(0, argo__bnq_push(&q, &ev));
    if (i % 3 == 0) { /* interleaved pops wrap the ring */
      bn_ev out;
      CHECK_EQ_INT(1, argo__bnq_pop(&q, &out));
      free(out.bal);
    }
  }
  int64_t expect_id = 34;
  bn_ev out;
  while (argo__bnq_pop(&q, &out)) {
    CHECK_EQ_INT(expect_id, out.order_id);
    expect_id++;
    if (expect_id == 90) {
      break; /* the rest, balances included, is freed by deinit (LeakSanitizer checks) */
    }
    free(out.bal);
  }
  CHECK_EQ_INT(90, expect_id);
  CHECK_EQ_INT(100, wakes);
  argo__bnq_deinit(&q);
  bn_clock c;
  atomic_init(&c.offset_ms, 5000);
  int64_t d = argo__bn_server_ms(&c) - argo__wall_us() / 1000;
  CHECK_MSG(d >= 4990 && d <= 5010, "offset %" PRId64, d);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(stream_hmac_subscribes_and_reports_fills_and_cancels);
  RUN(stream_wrong_secret_is_fatal_with_1022);
  RUN(stream_unknown_api_key_is_fatal_with_2014_or_2015);
  RUN(stream_dropped_reconnects_and_subscribes_again);
  RUN(stream_ed25519_logs_on_then_subscribes);
  RUN(stream_stop_while_connecting_returns_within_1s);
  RUN(stream_connection_refused_is_retried_not_fatal);
  RUN(stream_start_refuses_a_bad_url);
  RUN(stream_wss_verifies_the_certificate_with_the_system_store);
  RUN(stream_timestamp_refusal_is_retried_not_fatal);
  RUN(stream_terminated_subscription_is_made_again);
  RUN(stream_message_over_1mib_drops_the_connection);
  RUN(stream_malformed_messages_are_reported_and_skipped);
  RUN(parse_trade_fills_every_field);
  RUN(parse_canceled_takes_the_original_client_id);
  RUN(parse_malformed_events_say_why);
  RUN(parse_ignores_events_the_broker_does_not_use);
  RUN(queue_is_fifo_wakes_and_takes_over_balances);
  return test_summary();
}
