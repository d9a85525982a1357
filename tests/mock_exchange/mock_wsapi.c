/*
 * mock_wsapi.c: the mock exchange's WebSocket API at /ws-api/v3. It owns the connections of
 * the WebSocket API: their requests (JSON text frames turned into a mock_req for mock_api.c,
 * the signature payload being the parameters sorted by name), their answers (with rateLimits,
 * delayed or lost by the fault switches), their sessions (session.logon with an Ed25519 key)
 * and their user data stream subscriptions, on which it pushes the events mock_trading.c
 * makes, in Binance's current framing {"subscriptionId":N,"event":{...}}, and which
 * --drop-stream-after cuts.
 *
 * Follows Binance's spot WebSocket API documents:
 *   https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/general-api-information
 *     (request and response format, status codes, rate limits)
 *   https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/request-security
 *   https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/authentication-requests
 *     (session.logon, session.status, session.logout)
 *   https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/user-data-stream-requests
 *     (userDataStream.subscribe, .subscribe.signature, .unsubscribe, session.subscriptions)
 *   https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream
 *     (the event framing, eventStreamTerminated)
 * as published in github.com/binance/binance-spot-api-docs (web-socket-api.md,
 * user-data-stream.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

#define MAX_RX (1024 * 1024)

struct mock_delayed {
  lws_sorted_usec_list_t sul;
  mock_delayed *next;
  mock_conn *conn;
  char *text;
};

static mock_conn *api_conns;
static int api_connections;
static int subs_total;

int mock_wsapi_established(mock_conn *p, struct lws *wsi, const char *args) {
  p->kind = MOCK_CONN_WSAPI;
  p->wsi = wsi;
  p->conn_no = ++api_connections;
  p->sub_id = -1;
  p->return_rate_limits = strstr(args, "returnRateLimits=false") == NULL;
  p->connected_ms = mock_server_ms();
  p->next_api = api_conns;
  api_conns = p;
  mock_log("ws-api connection %d: open", p->conn_no);
  return 0;
}

void mock_wsapi_closed(mock_conn *p) {
  for (mock_conn **pp = &api_conns; *pp; pp = &(*pp)->next_api) {
    if (*pp == p) {
      *pp = p->next_api;
      break;
    }
  }
  while (p->delayed) {
    mock_delayed *d = p->delayed;
    p->delayed = d->next;
    lws_sul_cancel(&d->sul);
    free(d->text);
    free(d);
  }
  free(p->rx);
  p->rx = NULL;
  mock_free_queue(p);
  mock_log("ws-api connection %d: closed", p->conn_no);
}

static void wake(mock_conn *p) {
  if (p->head) {
    lws_callback_on_writable(p->wsi);
  }
}

static void delayed_fire(lws_sorted_usec_list_t *sul) {
  mock_delayed *d = lws_container_of(sul, mock_delayed, sul);
  mock_conn *p = d->conn;
  for (mock_delayed **dd = &p->delayed; *dd; dd = &(*dd)->next) {
    if (*dd == d) {
      *dd = d->next;
      break;
    }
  }
  if (!p->cut) {
    mock_enqueue(p, d->text, 0);
    wake(p);
  }
  free(d->text);
  free(d);
}

/* ---- user data events -------------------------------------------------------------------- */

/* Queues event (borrowed) on p's subscription. */
static void push_one(mock_conn *p, json_t *event) {
  json_t *msg = json_pack("{s:i,s:O}", "subscriptionId", p->sub_id, "event", event);
  char *text = json_dumps(msg, JSON_COMPACT);
  json_decref(msg);
  if (!text) {
    return;
  }
  mock_enqueue(p, text, 0);
  free(text);
  p->events_sent++;
  if (mopt.drop_stream_after > 0 && p->events_sent >= mopt.drop_stream_after &&
      (mopt.drop_streams == 0 || p->sub_no <= mopt.drop_streams)) {
    mock_enqueue(p, "", 1);
    p->cut = 1;
    mock_ledger("fault", json_pack("{s:s,s:i,s:i}", "fault", "dropped_user_stream", "subscription",
                                   p->sub_no, "events", p->events_sent));
    mock_log("ws-api connection %d: user stream dropped after %d events", p->conn_no,
             p->events_sent);
  }
  wake(p);
}

void mock_wsapi_push(json_t *event) {
  for (mock_conn *p = api_conns; p; p = p->next_api) {
    if (p->sub_id >= 0 && !p->cut) {
      push_one(p, event);
    }
  }
  json_decref(event);
}

/* ---- session and subscription methods ---------------------------------------------------- */

static json_t *session_status(const mock_conn *p) {
  json_t *j = json_object();
  json_object_set_new(j, "apiKey", p->authed ? json_string(p->session_key) : json_null());
  json_object_set_new(j, "authorizedSince", p->authed ? json_integer(p->authed_ms) : json_null());
  json_object_set_new(j, "connectedSince", json_integer(p->connected_ms));
  json_object_set_new(j, "returnRateLimits", json_boolean(p->return_rate_limits));
  json_object_set_new(j, "serverTime", json_integer(mock_server_ms()));
  json_object_set_new(j, "userDataStream", json_boolean(p->sub_id >= 0));
  return j;
}

static void end_subscription(mock_conn *p) {
  if (p->sub_id < 0) {
    return;
  }
  json_t *ev =
      json_pack("{s:s,s:I}", "e", "eventStreamTerminated", "E", (json_int_t)mock_server_ms());
  push_one(p, ev);
  json_decref(ev);
  p->sub_id = -1;
}

void mock_wsapi_session(const mock_req *rq, mock_reply *rp, const char *what) {
  mock_conn *p = rq->conn;
  if (strncmp(what, "v3/", 3) == 0) {
    what += 3;
  }
  if (!p) {
    mock_reply_error(rp, 400, -1020, "This operation is not supported.");
    return;
  }
  if (strcmp(what, "session.logon") == 0) {
    p->authed = 1;
    p->authed_ms = mock_server_ms();
    snprintf(p->session_key, sizeof p->session_key, "%s", mock_param_get(rq, "apiKey"));
    rp->result = session_status(p);
  } else if (strcmp(what, "session.status") == 0) {
    rp->result = session_status(p);
  } else if (strcmp(what, "session.logout") == 0) {
    if (p->sub_session) {
      end_subscription(p);
    }
    p->authed = 0;
    p->session_key[0] = '\0';
    rp->result = session_status(p);
  } else if (strcmp(what, "userDataStream.subscribe") == 0 ||
             strcmp(what, "userDataStream.subscribe.signature") == 0) {
    if (p->sub_id >= 0) {
      mock_reply_error(rp, 400, -2035, "User Data Stream subscription already active.");
      return;
    }
    p->sub_id = p->next_sub_id++;
    p->sub_no = ++subs_total;
    p->sub_session = strcmp(what, "userDataStream.subscribe") == 0;
    mock_ledger("subscribed", json_pack("{s:i,s:i,s:s}", "subscription", p->sub_no,
                                        "subscriptionId", p->sub_id, "method", what));
    rp->result = json_pack("{s:i}", "subscriptionId", p->sub_id);
  } else if (strcmp(what, "userDataStream.unsubscribe") == 0) {
    const char *id = mock_param_get(rq, "subscriptionId");
    if (id && (p->sub_id < 0 || atoi(id) != p->sub_id)) {
      mock_reply_error(rp, 400, -2036, "User Data Stream subscription not active.");
      return;
    }
    end_subscription(p);
    rp->result = json_object();
  } else if (strcmp(what, "session.subscriptions") == 0) {
    rp->result = p->sub_id >= 0 ? json_pack("[{s:i}]", "subscriptionId", p->sub_id) : json_array();
  } else {
    mock_reply_error(rp, 400, -1020, "This operation is not supported.");
  }
}

/* ---- requests ---------------------------------------------------------------------------- */

/* A parameter's value as text, as the signature payload writes it. */
static char *value_text(json_t *v) {
  char buf[64];
  switch (json_typeof(v)) {
  case JSON_STRING:
    return strdup(json_string_value(v));
  case JSON_INTEGER:
    snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return strdup(buf);
  case JSON_TRUE:
    return strdup("true");
  case JSON_FALSE:
    return strdup("false");
  case JSON_NULL:
    return NULL;
  case JSON_REAL:
    /* The number as a client most likely wrote it (0.1, not 0.10000000000000001); sending
     * decimals as strings, as Binance's examples do, avoids the question. */
    snprintf(buf, sizeof buf, "%.15g", json_real_value(v));
    return strdup(buf);
  default: /* an array (exchangeInfo's symbols) */
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  }
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const mock_param *)a)->name, ((const mock_param *)b)->name);
}

static void answer(mock_conn *p, json_t *id, const mock_reply *rp, int rate_limits) {
  json_t *res = json_object();
  json_object_set(res, "id", id ? id : json_null());
  json_object_set_new(res, "status", json_integer(rp->status));
  if (rp->result) {
    json_object_set(res, "result", rp->result);
  } else {
    json_t *err = json_pack("{s:i,s:s}", "code", rp->code, "msg", rp->msg);
    if (rp->status == 429 || rp->status == 418) {
      int64_t now = mock_server_ms();
      json_object_set_new(err, "data",
                          json_pack("{s:I,s:I}", "serverTime", (json_int_t)now, "retryAfter",
                                    (json_int_t)(now + (int64_t)rp->retry_after_s * 1000)));
    }
    json_object_set_new(res, "error", err);
  }
  if (rate_limits) {
    json_object_set_new(res, "rateLimits", mock_rate_limits_json(rp->order));
  }
  char *text = json_dumps(res, JSON_COMPACT);
  json_decref(res);
  if (!text) {
    return;
  }
  mock_log("ws-api connection %d: %s%s", p->conn_no, text, rp->delay_ms ? " (delayed)" : "");
  if (rp->lose) {
    /* Processed; the connection dies before the answer leaves. */
    free(text);
    mock_enqueue(p, "", 1);
    p->cut = 1;
  } else if (rp->delay_ms > 0) {
    mock_delayed *d = calloc(1, sizeof *d);
    if (!d) {
      free(text);
      return;
    }
    d->conn = p;
    d->text = text;
    d->next = p->delayed;
    p->delayed = d;
    lws_sul_schedule(mock_ctx, 0, &d->sul, delayed_fire, rp->delay_ms * 1000);
    return;
  } else {
    mock_enqueue(p, text, 0);
    free(text);
  }
  wake(p);
}

static void handle(mock_conn *p, const char *text, size_t len) {
  json_error_t jerr;
  json_t *req = json_loadb(text, len, 0, &jerr);
  mock_reply rp;
  memset(&rp, 0, sizeof rp);
  if (!json_is_object(req)) {
    json_decref(req);
    mock_reply_error(&rp, 400, -1135, "Invalid JSON Request");
    answer(p, NULL, &rp, 0);
    return;
  }
  json_t *id = json_object_get(req, "id");
  const char *method = json_string_value(json_object_get(req, "method"));
  json_t *params = json_object_get(req, "params");
  if (!method || (params && !json_is_object(params))) {
    mock_reply_error(&rp, 400, -1102,
                     "Mandatory parameter '%s' was not sent, was empty/null, or malformed.",
                     method ? "params" : "method");
    answer(p, id, &rp, p->return_rate_limits);
    json_decref(req);
    return;
  }
  mock_req rq;
  memset(&rq, 0, sizeof rq);
  rq.ws = 1;
  rq.endpoint = method;
  rq.conn = p;
  const char *key;
  json_t *v;
  json_object_foreach(params, key, v) {
    char *value = value_text(v);
    if (!value) {
      continue;
    }
    mock_param *np = realloc(rq.p, (size_t)(rq.np + 1) * sizeof *np);
    if (!np) {
      free(value);
      break;
    }
    rq.p = np;
    rq.p[rq.np].name = strdup(key);
    rq.p[rq.np].value = value;
    rq.np++;
  }
  /* The signature payload: every parameter but the signature, sorted by name. */
  if (rq.np > 1) {
    qsort(rq.p, (size_t)rq.np, sizeof *rq.p, by_name);
  }
  size_t cap = 1;
  for (int i = 0; i < rq.np; i++) {
    cap += strlen(rq.p[i].name) + strlen(rq.p[i].value) + 2;
  }
  rq.payload = calloc(1, cap);
  size_t n = 0;
  for (int i = 0; rq.payload && i < rq.np; i++) {
    if (strcmp(rq.p[i].name, "signature") != 0) {
      n += (size_t)snprintf(rq.payload + n, cap - n, "%s%s=%s", n ? "&" : "", rq.p[i].name,
                            rq.p[i].value);
    }
  }
  const char *k = mock_param_get(&rq, "apiKey");
  snprintf(rq.api_key, sizeof rq.api_key, "%s", k ? k : "");
  int rate_limits = p->return_rate_limits;
  const char *rrl = mock_param_get(&rq, "returnRateLimits");
  if (rrl) {
    rate_limits = strcmp(rrl, "false") != 0;
  }
  mock_api_handle(&rq, &rp);
  answer(p, id, &rp, rate_limits);
  json_decref(rp.result);
  mock_req_free(&rq);
  json_decref(req);
}

int mock_wsapi_receive(mock_conn *p, const void *in, size_t len, int final) {
  if (p->rx_len + len > MAX_RX) {
    return -1;
  }
  char *b = realloc(p->rx, p->rx_len + len + 1);
  if (!b) {
    return -1;
  }
  memcpy(b + p->rx_len, in, len);
  p->rx = b;
  p->rx_len += len;
  if (!final || lws_remaining_packet_payload(p->wsi) > 0) {
    return 0;
  }
  if (!p->cut) {
    handle(p, p->rx, p->rx_len);
  }
  p->rx_len = 0;
  return 0;
}

int mock_wsapi_writeable(mock_conn *p, struct lws *wsi) {
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
  wake(p);
  return 0;
}
