/*
 * Core benchmark: the engine on the simulated feed as fast as possible, with full persistence
 * (DuckDB tables, Parquet publishing, stats.yaml), a strategy that trades every few candles,
 * one symbol of 1s candles. Prints candles per second and peak memory for 10k, 100k and 1M
 * candles; each size runs in its own process so that peak memory is its own.
 *
 *   build/bench/bench_core [--sizes 10000,100000,1000000] [--symbols 1] [--keep DIR]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <argo/argo.h>

#include "bench_syms.h"

typedef struct result {
  double seconds;
  long long candles;
  long long fills;
  long max_rss_kb;
  int ok;
  char err[256];
} result;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *every = "5";
static const char *journal = "true";

static void run_one(long long candles, int nsym, const char *dir, result *r) {
  argo_config *cfg = NULL;
  argo_engine *eng = NULL;
  char v[64];
  memset(r, 0, sizeof *r);
  argo_config_new(&cfg);
  char list[8192];
  bench_symbol_list(nsym, list, sizeof list);
  snprintf(v, sizeof v, "%lld", candles / nsym);
  char econf[64];
  snprintf(econf, sizeof econf, "{\"every\": %s}", every);
  if (argo_config_set(cfg, "market_data.symbols", list) ||
      argo_config_set(cfg, "market_data.bars", v) ||
      argo_config_set(cfg, "market_data.interval", "1s") ||
      argo_config_set(cfg, "market_data.start", "2025-10-01T00:00:00Z") ||
      argo_config_set(cfg, "market_data.speed", "max") ||
      argo_config_set(cfg, "strategy.name", "pingpong") ||
      argo_config_set(cfg, "strategy.config", econf) ||
      argo_config_set(cfg, "engine.journal", journal) ||
      argo_config_set(cfg, "engine.data_output", dir) ||
      /* Enough capital that commissions never stop the strategy from trading. */
      argo_config_set(cfg, "trading.capital", "1000000000")) {
    snprintf(r->err, sizeof r->err, "config: %s", argo_config_errmsg(cfg));
    goto done;
  }
  argo_engine_new(&eng);
  if (argo_engine_init(eng, cfg) != ARGO_OK) {
    snprintf(r->err, sizeof r->err, "%s", argo_engine_errmsg(eng));
    goto done;
  }
  double t0 = now_s();
  argo_err rc = argo_engine_run(eng);
  r->seconds = now_s() - t0;
  if (rc != ARGO_OK) {
    snprintf(r->err, sizeof r->err, "%s", argo_engine_errmsg(eng));
    goto done;
  }
  argo_stats s;
  argo_engine_get_stats(eng, &s, sizeof s);
  r->candles = s.candles_total;
  r->fills = s.cumulative.number_of_trades;
  r->ok = 1;
done:
  argo_engine_free(eng);
  argo_config_free(cfg);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  r->max_rss_kb = ru.ru_maxrss;
}

int main(int argc, char **argv) {
  long long sizes[8] = {10000, 100000, 1000000};
  int nsizes = 3, nsym = 1;
  const char *keep = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
      nsizes = 0;
      for (char *p = strtok(argv[++i], ","); p && nsizes < 8; p = strtok(NULL, ",")) {
        sizes[nsizes++] = atoll(p);
      }
    } else if (strcmp(argv[i], "--symbols") == 0 && i + 1 < argc) {
      nsym = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--every") == 0 && i + 1 < argc) {
      every = argv[++i];
    } else if (strcmp(argv[i], "--no-journal") == 0) {
      journal = "false";
    } else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc) {
      keep = argv[++i];
    } else {
      fprintf(stderr, "usage: bench_core [--sizes N,N,...] [--symbols K] [--every N] "
                      "[--no-journal] [--keep DIR]\n");
      return 2;
    }
  }
  printf("argo core benchmark: simulated feed at full speed, 1s candles, %d symbol(s), pingpong "
         "strategy (a trade every %s candles per symbol), full persistence, journal %s\n",
         nsym, every, strcmp(journal, "true") == 0 ? "on" : "off");
  printf("%12s %10s %14s %12s %10s %12s\n", "candles", "seconds", "candles/s", "fills", "peak MiB",
         "vs first");
  double first = 0;
  for (int k = 0; k < nsizes; k++) {
    char dir[4096];
    if (keep) {
      snprintf(dir, sizeof dir, "%s/bench-%lld", keep, sizes[k]);
    } else {
      snprintf(dir, sizeof dir, "%s/argo-bench-XXXXXX",
               getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
      if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
      }
    }
    int p[2];
    if (pipe(p) != 0) {
      perror("pipe");
      return 1;
    }
    pid_t pid = fork();
    if (pid == 0) {
      close(p[0]);
      result r;
      run_one(sizes[k], nsym, dir, &r);
      ssize_t w = write(p[1], &r, sizeof r);
      (void)w;
      _exit(0);
    }
    close(p[1]);
    result r;
    memset(&r, 0, sizeof r);
    ssize_t got = read(p[0], &r, sizeof r);
    close(p[0]);
    waitpid(pid, NULL, 0);
    if (got != (ssize_t)sizeof r || !r.ok) {
      printf("%12lld  failed: %s\n", sizes[k], got == (ssize_t)sizeof r ? r.err : "child died");
      continue;
    }
    double rate = r.candles / r.seconds;
    if (k == 0) {
      first = rate;
    }
    printf("%12lld %10.3f %14.0f %12lld %10.1f %11.0f%%\n", r.candles, r.seconds, rate, r.fills,
           r.max_rss_kb / 1024.0, first > 0 ? 100.0 * rate / first : 100.0);
    fflush(stdout);
    if (!keep) {
      char cmd[4200];
      snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
      if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
      }
    }
  }
  return 0;
}
