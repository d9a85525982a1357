/*
 * Fuzz target: a configuration file (config.c) as `argo run --config FILE` reads it: the YAML
 * parse, every key's checks, ${VAR} expansion (a few variables are set below, one of them
 * empty and one holding a reference that must not be expanded again), strategy.config's YAML to
 * JSON, then argo_config_validate and every key rendered back with argo_config_get. The same
 * bytes are also given to argo_config_set as the value of one key (picked by the first byte), as
 * `--set key=value` would.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <argo/argo.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];
static int fd = -1;
static size_t nkeys;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  setenv("ARGO_FUZZ_SYMBOL", "BTCUSDT", 1);
  setenv("ARGO_FUZZ_BARS", "60", 1);
  setenv("ARGO_FUZZ_EMPTY", "", 1);
  setenv("ARGO_FUZZ_NESTED", "${ARGO_FUZZ_SYMBOL}", 1);
  setenv("ARGO_DATA", "/tmp/argo-fuzz-data", 1);
  const char *tmp = getenv("TMPDIR");
  snprintf(path, sizeof path, "%s/argo-fuzz-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  fd = mkstemp(path);
  if (fd < 0) {
    perror("fuzz_config: mkstemp");
    abort();
  }
  /* The file is read through its descriptor's name, so that it is gone when the process ends,
   * however it ends. */
  unlink(path);
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  while (argo_config_key_at(nkeys)) {
    nkeys++;
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
    abort();
  }
  argo_config *cfg = NULL;
  if (argo_config_new(&cfg) != ARGO_OK) {
    return 0;
  }
  if (argo_config_load_file(cfg, path) == ARGO_OK) {
    (void)argo_config_validate(cfg);
  }
  (void)argo_config_errmsg(cfg);
  char buf[256];
  for (size_t i = 0; i < nkeys; i++) {
    (void)argo_config_get(cfg, argo_config_key_at(i)->name, buf, sizeof buf);
  }
  if (size > 0) {
    char *text = malloc(size);
    if (text) {
      memcpy(text, data + 1, size - 1);
      text[size - 1] = '\0';
      const argo_config_key *k = argo_config_key_at(data[0] % nkeys);
      if (argo_config_set(cfg, k->name, text) == ARGO_OK) {
        (void)argo_config_get(cfg, k->name, buf, sizeof buf);
      }
      free(text);
    }
  }
  argo_config_free(cfg);
  return 0;
}
