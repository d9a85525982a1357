/*
 * Helpers for tests: temporary folders, running the argo binary, and asking DuckDB about
 * published files. Everything real: real processes, real files, real DuckDB.
 */
#ifndef ARGO_TESTUTIL_H
#define ARGO_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include <duckdb.h>
#include <jansson.h>

#include "persist/stats_yaml.h"
#include "util/fsx.h"

/* Creates a fresh empty folder under $TMPDIR (or /tmp) and returns its path (static storage
 * per call: copy it). The folder is removed by tu_rm_rf. */
const char *tu_tmpdir(const char *tag);
void tu_rm_rf(const char *path);
/* The first regular file under dir (links not followed) whose bytes contain needle, or NULL:
 * for checking that a secret never reached a file. Static storage. */
const char *tu_file_containing(const char *dir, const char *needle);
/* Writes text to path (creating it). */
void tu_write_file(const char *path, const char *text);
/* Reads a whole file (malloc'ed, NUL-terminated) or NULL. */
char *tu_read_file(const char *path);
/* Reads and parses a stats.yaml (fails the test if it is missing or does not parse); free it
 * with argo__stats_doc_free. */
argo__stats_doc tu_read_stats(const char *path);

/* Runs argv (argv[0] a path) with stdin from /dev/null, capturing stdout and stderr into
 * malloc'ed strings (may be NULL to discard). Returns the exit code, or 128+signal. */
int tu_run(char *const argv[], char **out, char **err);
/* Runs the argo binary with the given arguments (NULL-terminated list). */
int tu_argo(char **out, char **err, ...);
/* Starts argv (argv[0] a path, NULL-terminated) in the background with stdin and stdout on
 * /dev/null and stderr into stderr_path (NULL: /dev/null); returns its pid. */
pid_t tu_spawn(char *const argv[], const char *stderr_path);
/* Waits for pid; its exit code, or 128+signal (as tu_run reports it). */
int tu_reap(pid_t pid);
/* Newlines in s (0 for NULL). */
int tu_count_lines(const char *s);
/* Runs argo with args (NULL-terminated, without argv[0]) and checks that it refused them as a
 * user error: exit code 2, one line on stderr containing want and want2 (NULL to skip), and
 * nothing on stdout. */
void tu_check_refused(const char *want, const char *want2, char *const args[]);

/* A DuckDB in-memory connection for checking files. */
typedef struct tu_db {
  duckdb_database db;
  duckdb_connection con;
} tu_db;
void tu_db_open(tu_db *d);
void tu_db_close(tu_db *d);
/* Runs sql and returns the first column of the first row as int64 (fails the test on error). */
int64_t tu_q_int(tu_db *d, const char *sql);
double tu_q_double(tu_db *d, const char *sql);
/* First column of the first row as a malloc'ed string ("" for NULL). */
char *tu_q_str(tu_db *d, const char *sql);
/* Runs sql; returns 0 on success, else -1 and copies the error into err. */
int tu_exec(tu_db *d, const char *sql, char *err, size_t errlen);

/* Quotes text as an SQL string literal ('it''s') into a static buffer (one per call site is
 * enough: copy it before the next call). Fails the test if it does not fit. */
const char *tu_sql_str(const char *text);
/* Checks that the Parquet file at path starts with exactly the docs/design.md section 4 columns of
 * file (its base name, such as "orders.parquet"), in order and with their DuckDB types, written
 * here as literals rather than taken from src/persist/schema.c; extra columns may follow them. */
void tu_check_design_schema(tu_db *d, const char *path, const char *file);

/* The mock exchange (tests/mock_exchange): started on an ephemeral port of 127.0.0.1 with the
 * given flags (NULL-terminated) and a lifetime, so that a crashed test leaves nothing behind. */
typedef struct tu_mock {
  pid_t pid;
  int port;
  char ws[64], rest[64];
  char api_key[128], api_secret[128]; /* --api-key and --api-secret, or the mock's defaults */
} tu_mock;
void tu_mock_start(tu_mock *m, ...);
/* The same with the flags in a NULL-terminated array. */
void tu_mock_startv(tu_mock *m, const char *const flags[]);
/* A start for the mock's clock (--start-ms): noon UTC yesterday, in the past and far from a
 * midnight, so that a test's history and live candles stay in one UTC day whenever it runs. */
int64_t tu_mock_start_ms(void);
void tu_mock_stop(tu_mock *m);

/* The mock's trading side (docs/mock_exchange.md), over real loopback sockets. */

/* An HTTP answer: status 0 when the connection failed or closed without an answer. */
typedef struct tu_http_resp {
  long status;
  char *body;    /* malloc'ed, "" when none */
  char *headers; /* malloc'ed, the raw header lines (names as the server wrote them) */
  int64_t ms;    /* how long the request took */
} tu_http_resp;
/* method ("GET", "POST", "DELETE") on url with an optional form body and X-MBX-APIKEY. */
tu_http_resp tu_http(const char *method, const char *url, const char *body, const char *api_key);
void tu_http_free(tu_http_resp *r);
/* The value of header name (case-insensitive) in r, or NULL (static storage). */
const char *tu_http_header(const tu_http_resp *r, const char *name);
/* HMAC-SHA256 of payload with secret, in lowercase hex (static storage, one per call site). */
const char *tu_hmac_hex(const char *secret, const char *payload);
/* A SIGNED REST request to the mock: params (may be "") get "timestamp=<now>" appended unless
 * they have one, then "signature=" with the mock's secret, all in the query string. */
tu_http_resp tu_mock_signed(const tu_mock *m, const char *method, const char *path,
                            const char *params);
/* The lines of the mock's ledger (--ledger path) whose "ev" is ev (NULL: all) and, when cid
 * is not NULL, whose "clientOrderId" is cid, in order, as a new JSON array (json_decref it).
 * Fails the test when the file is missing or a line is not JSON. */
json_t *tu_mock_ledger(const char *path, const char *ev, const char *cid);
/* The mock exchange's time base: the wall clock in milliseconds. */
int64_t tu_wall_ms(void);

/* A minimal WebSocket client (RFC 6455) over a blocking socket, for the mock's WebSocket API:
 * text frames out (masked), text frames in; pings are answered. */
typedef struct tu_ws {
  int fd;
  int closed; /* the server closed the connection (close frame or end of stream) */
  unsigned char *buf;
  size_t len, cap;
} tu_ws;
/* Connects to 127.0.0.1:port and upgrades path; NULL on failure. */
tu_ws *tu_ws_open(int port, const char *path);
int tu_ws_send(tu_ws *w, const char *text);
/* The next text message (malloc'ed), or NULL after timeout_ms or when the connection closed
 * (then w->closed is set). */
char *tu_ws_recv(tu_ws *w, int timeout_ms);
void tu_ws_close(tu_ws *w);

/* Makes this process die by SIGKILL at the nth call of op on a path that ends with suffix
 * (NULL: any path), through the I/O fault hook: a crash at exactly that step, for the child
 * process of a crash test. */
void tu_die_at(argo__io_op op, const char *suffix, long nth);

#endif
