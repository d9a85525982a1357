/*
 * A whole session trading on the mock exchange: `argo run` with the Binance feed and the
 * Binance broker both pointed at a mock on 127.0.0.1, with faults on the way (a lost order
 * answer, a dropped user data stream, partial fills). Afterwards trades.parquet and stats.yaml
 * must equal the mock's ledger (every fill once, with its trade id, quantity, price and
 * commission), no order may have been sent twice, and neither the API key nor the secret may
 * appear in anything the session wrote.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "test.h"
#include "testutil.h"

#define KEY "argoE2eKey7Q2xZ"
#define SECRET "argoE2eSecret9Lp4Vn"

/* Counts the lines of the events file that hold needle. */
static int count_in(const char *path, const char *needle) {
  char *t = tu_read_file(path);
  int n = 0;
  for (const char *p = t; p && (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
    n++;
  }
  free(t);
  return n;
}

/* 1 if needle is in any file under dir (recursively). */
static int found_under(const char *dir, const char *needle, char *where, size_t len) {
  DIR *d = opendir(dir);
  if (!d) {
    return 0;
  }
  struct dirent *e;
  int hit = 0;
  while (!hit && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
      continue;
    }
    char p[4600];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(p, &st) != 0) {
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      hit = found_under(p, needle, where, len);
      continue;
    }
    FILE *f = fopen(p, "rb");
    if (!f) {
      continue;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (buf && memmem(buf, n, needle, strlen(needle))) {
      snprintf(where, len, "%s", p);
      hit = 1;
    }
    free(buf);
  }
  closedir(d);
  return hit;
}

TEST(e2e_binance_broker_session_equals_the_exchanges_ledger_and_keeps_no_secret) {
  const char *out = tu_tmpdir("e2e-bnbroker");
  char ledger[4200], data[4200], ev[4200], errp[4200];
  snprintf(ledger, sizeof ledger, "%s/ledger.jsonl", out);
  snprintf(data, sizeof data, "%s/data", out);
  snprintf(ev, sizeof ev, "%s/events.jsonl", out);
  snprintf(errp, sizeof errp, "%s/stderr", out);
  char start[32];
  snprintf(start, sizeof start, "%lld", (long long)tu_mock_start_ms());
  tu_mock m;
  tu_mock_start(&m, "--interval", "1s", "--tick-ms", "60", "--start-ms", start, "--symbols",
                "BTCUSDT", "--api-key", KEY, "--api-secret", SECRET, "--ledger", ledger,
                "--commission-asset", "USDT", "--commission-asset-price", "1", "--max-fill-qty",
                "0.0004", "--lose-orders", "3", "--drop-stream-after", "12", NULL);
  setenv("ARGO_BINANCE_API_KEY", KEY, 1);
  setenv("ARGO_BINANCE_API_SECRET", SECRET, 1);
  char fws[160], frest[160], bws[160], brest[160];
  snprintf(fws, sizeof fws, "market_data.ws_url=%s", m.ws);
  snprintf(frest, sizeof frest, "market_data.rest_url=%s", m.rest);
  snprintf(bws, sizeof bws, "trading.binance.ws_api_url=ws://127.0.0.1:%d/ws-api/v3", m.port);
  snprintf(brest, sizeof brest, "trading.binance.rest_url=%s", m.rest);
  char *args[] = {ARGO_BIN,
                  "run",
                  "--feed",
                  "binance",
                  "--interval",
                  "1s",
                  "--symbols",
                  "BTCUSDT",
                  "--strategy",
                  "pingpong",
                  "--strategy-config",
                  "{\"every\": 2, \"qty\": 0.001}",
                  "--set",
                  "trading.broker=binance",
                  "--set",
                  fws,
                  "--set",
                  frest,
                  "--set",
                  bws,
                  "--set",
                  brest,
                  "--data-output",
                  data,
                  "--events",
                  ev,
                  "--quiet",
                  NULL};
  pid_t pid = tu_spawn(args, errp);
  /* Until a dozen fills (the stream drop and the lost answer among them), at most 60 s. */
  for (int i = 0; i < 3000 && count_in(ev, "\"event\":\"order_filled\"") < 12; i++) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      char *e = tu_read_file(errp);
      TEST_FAIL_("argo ended early (status %d): %s", st, e ? e : "");
    }
    usleep(20000);
  }
  kill(pid, SIGINT);
  int rc = tu_reap(pid);
  char *e = tu_read_file(errp);
  CHECK_MSG(rc == 0, "exit %d: %s", rc, e ? e : "");
  CHECK_MSG(count_in(ev, "\"event\":\"order_filled\"") >= 12, "too few fills: %s", e ? e : "");
  CHECK_MSG(strstr(e, "user data stream") != NULL, "the stream drop was not reported: %s", e);
  free(e);

  /* No order was sent twice. */
  json_t *recv = tu_mock_ledger(ledger, "received", NULL);
  size_t i;
  json_t *x;
  json_array_foreach(recv, i, x) {
    CHECK_EQ_INT(1, (int)json_integer_value(json_object_get(x, "times")));
  }
  json_decref(recv);

  /* trades.parquet equals the ledger's fills. */
  json_t *fills = tu_mock_ledger(ledger, "fill", NULL);
  double qty = 0, fees = 0;
  json_array_foreach(fills, i, x) {
    qty += strtod(json_string_value(json_object_get(x, "qty")), NULL);
    fees += strtod(json_string_value(json_object_get(x, "commission")), NULL);
  }
  tu_db db;
  tu_db_open(&db);
  char sql[9000];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM read_parquet('%s/*/run_1/trades.parquet') WHERE "
           "commission_asset = 'USDT' AND trade_id <> ''",
           data);
  CHECK_EQ_INT((int)json_array_size(fills), tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT count(DISTINCT trade_id) FROM read_parquet('%s/*/run_1/trades.parquet')", data);
  CHECK_EQ_INT((int)json_array_size(fills), tu_q_int(&db, sql));
  snprintf(sql, sizeof sql,
           "SELECT round(sum(executed_qty) * 1e8) FROM read_parquet('%s/*/run_1/trades.parquet')",
           data);
  CHECK_NEAR(round(qty * 1e8), tu_q_double(&db, sql), 0.5);
  snprintf(sql, sizeof sql,
           "SELECT round(sum(commission) * 1e8) FROM read_parquet('%s/*/run_1/trades.parquet')",
           data);
  CHECK_NEAR(round(fees * 1e8), tu_q_double(&db, sql), 0.5);
  /* Each trade's price and quantity are the ledger's. */
  json_array_foreach(fills, i, x) {
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM read_parquet('%s/*/run_1/trades.parquet') WHERE trade_id = "
             "'%lld' AND abs(executed_price - %s) < 1e-9 AND abs(executed_qty - %s) < 1e-12",
             data, (long long)json_integer_value(json_object_get(x, "tradeId")),
             json_string_value(json_object_get(x, "price")),
             json_string_value(json_object_get(x, "qty")));
    CHECK_EQ_INT(1, tu_q_int(&db, sql));
  }
  json_decref(fills);
  tu_db_close(&db);

  /* stats.yaml counts the same fills and fees. */
  DIR *d = opendir(data);
  CHECK(d != NULL);
  struct dirent *de;
  char day[256] = "";
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] != '.') {
      snprintf(day, sizeof day, "%s", de->d_name);
    }
  }
  closedir(d);
  char ypath[4600];
  snprintf(ypath, sizeof ypath, "%s/%s/run_1/stats.yaml", data, day);
  char *y = tu_read_file(ypath);
  CHECK(y != NULL);
  char *tf = strstr(y, "total_fees: ");
  CHECK(tf != NULL);
  CHECK_NEAR(fees, strtod(tf + 12, NULL), 1e-6);
  free(y);

  /* Neither the key nor the secret anywhere the session wrote. */
  char where[4600];
  CHECK_MSG(!found_under(data, SECRET, where, sizeof where), "the secret is in %s", where);
  CHECK_MSG(!found_under(data, KEY, where, sizeof where), "the API key is in %s", where);
  CHECK_MSG(count_in(ev, KEY) == 0 && count_in(errp, KEY) == 0 && count_in(ev, SECRET) == 0 &&
                count_in(errp, SECRET) == 0,
            "a key in the events or on stderr");
  tu_mock_stop(&m);
  tu_rm_rf(out);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(e2e_binance_broker_session_equals_the_exchanges_ledger_and_keeps_no_secret);
  return test_summary();
}
