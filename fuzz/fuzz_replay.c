/*
 * Fuzz target: a replay file (feed_replay.c), CSV or Parquet (the feed tells them apart by the
 * first bytes, as for a real file). Each input is written to a temporary file; its symbols are
 * listed with argo__feed_replay_symbols, as `argo run --feed replay` does when no symbols are
 * given, and the feed is opened on those that are valid symbol names (BTCUSDT when none is) and
 * read to its end, at most MAX_CANDLES candles, every skipped row reported through the error
 * hook. The files are read by DuckDB (not instrumented): what is fuzzed is argo's handling of
 * what DuckDB makes of them, its query and the rows it streams back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feeds/feed.h"
#include "feeds/replay.h"
#include "util/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CANDLES 20000
#define MAX_SYMBOLS 8

static char path[4096];
static int fd = -1;
static volatile double sink;

static void on_error(void *user, argo_err code, const char *message) {
  (void)code;
  (*(size_t *)user)++;
  sink += (double)strlen(message);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *tmp = getenv("TMPDIR");
  snprintf(path, sizeof path, "%s/argo-fuzz-replay-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  fd = mkstemp(path);
  if (fd < 0) {
    perror("fuzz_replay: mkstemp");
    abort();
  }
  /* The file is read through its descriptor's name, so that it is gone when the process ends,
   * however it ends. */
  unlink(path);
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
    abort();
  }
  char err[ARGO_ERRMSG_MAX];
  char **found = NULL;
  size_t nfound = 0;
  char *syms[MAX_SYMBOLS];
  size_t nsyms = 0;
  if (argo__feed_replay_symbols(path, &found, &nfound, err, sizeof err) == ARGO_OK) {
    for (size_t i = 0; i < nfound && nsyms < MAX_SYMBOLS; i++) {
      if (argo__symbol_valid(found[i])) {
        syms[nsyms++] = found[i];
      }
    }
  }
  static char btc[] = "BTCUSDT";
  if (nsyms == 0) {
    syms[nsyms++] = btc;
  }
  argo__settings s;
  memset(&s, 0, sizeof s);
  s.replay_file = path;
  s.symbols = syms;
  s.nsymbols = nsyms;
  size_t errors = 0;
  argo__feed_hooks hooks = {.error = on_error, .user = &errors};
  argo__feed f;
  if (argo__feed_replay_open(&f, &s, NULL, &hooks, err, sizeof err) == ARGO_OK) {
    sink += (double)f.ops->clock_start(f.impl);
    for (int i = 0; i < MAX_CANDLES; i++) {
      argo_candle c;
      int r = f.ops->next(f.impl, &c, err, sizeof err);
      if (r == ARGO_FEED_CANDLE || r == ARGO_FEED_HISTORY) {
        sink += c.open + c.high + c.low + c.close + c.volume + (double)c.time +
                (double)strlen(c.symbol);
      } else if (r != ARGO_FEED_SKIP) {
        break;
      }
    }
    f.ops->close(f.impl);
  }
  argo__feed_replay_symbols_free(found, nfound);
  return 0;
}
