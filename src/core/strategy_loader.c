/*
 * Strategy loader: finds a strategy by builtin name or loads a plugin (.so) and checks its
 * ABI (SQLite-style: version and struct size first, required entry points present). Depends on
 * strategy.h and util only.
 */
#include "core/strategy_loader.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "core/strategy_builtin.h"
#include "util/strbuf.h"
#include "util/util.h"

typedef const argo_strategy *(*builtin_fn)(void);

static const builtin_fn builtins[] = {argo__builtin_ma_cross, argo__builtin_pingpong};

const argo_strategy *argo_strategy_builtin_at(size_t i) {
  return i < ARGO_ARRAY_LEN(builtins) ? builtins[i]() : NULL;
}

/* The smallest table a version-1 plugin can have: everything up to on_candle. */
#define MIN_STRATEGY_SIZE (offsetof(argo_strategy, on_candle) + sizeof(void *))

static argo_err check(const argo_strategy *d, const char *spec, char *err, size_t errlen) {
  if (d->abi_version != ARGO_STRATEGY_ABI_VERSION) {
    argo__fmt(err, errlen,
              "strategy '%s' was built for strategy ABI version %u; this argo supports version %u",
              spec, (unsigned)d->abi_version, (unsigned)ARGO_STRATEGY_ABI_VERSION);
    return ARGO_EPLUGIN;
  }
  if (d->struct_size < MIN_STRATEGY_SIZE) {
    argo__fmt(err, errlen, "strategy '%s' has a strategy table of %u bytes, too small for ABI %u",
              spec, (unsigned)d->struct_size, (unsigned)ARGO_STRATEGY_ABI_VERSION);
    return ARGO_EPLUGIN;
  }
  const char *missing = !d->name         ? "name"
                        : !d->create     ? "create"
                        : !d->destroy    ? "destroy"
                        : !d->initialize ? "initialize"
                        : !d->on_candle  ? "on_candle"
                                         : NULL;
  if (missing) {
    argo__fmt(err, errlen, "strategy '%s' does not provide '%s'", spec, missing);
    return ARGO_EPLUGIN;
  }
  return ARGO_OK;
}

static int looks_like_path(const char *spec) {
  size_t n = strlen(spec);
  return strchr(spec, '/') != NULL || (n > 3 && strcmp(spec + n - 3, ".so") == 0);
}

/* Copies the table into the engine's own, zeroed one: a plugin built against an older header has
 * a shorter table, and the members it does not have must read as NULL, never as whatever
 * follows its table in memory. */
static void copy_table(argo_strategy *out, const argo_strategy *d) {
  memset(out, 0, sizeof *out);
  memcpy(out, d, d->struct_size < sizeof *out ? d->struct_size : sizeof *out);
}

argo_err argo__strategy_adopt(const argo_strategy *d, argo_strategy *def, char *err,
                              size_t errlen) {
  memset(def, 0, sizeof *def);
  if (!d) {
    argo__fmt(err, errlen, "no strategy given");
    return ARGO_EINVAL;
  }
  argo_err rc = check(d, d->name ? d->name : "(unnamed)", err, errlen);
  if (rc == ARGO_OK) {
    copy_table(def, d);
  }
  return rc;
}

argo_err argo__strategy_resolve(const char *spec, argo_strategy *def, void **dl, char *err,
                                size_t errlen) {
  memset(def, 0, sizeof *def);
  *dl = NULL;
  if (!spec || !*spec) {
    argo__fmt(err, errlen, "no strategy given");
    return ARGO_EINVAL;
  }
  if (!looks_like_path(spec)) {
    for (size_t i = 0; i < ARGO_ARRAY_LEN(builtins); i++) {
      const argo_strategy *d = builtins[i]();
      if (strcmp(d->name, spec) == 0) {
        argo_err rc = check(d, spec, err, errlen);
        if (rc == ARGO_OK) {
          copy_table(def, d);
        }
        return rc;
      }
    }
    argo__sb names;
    argo__sb_init(&names);
    for (size_t i = 0; i < ARGO_ARRAY_LEN(builtins); i++) {
      argo__sb_printf(&names, "%s%s", i ? ", " : "", builtins[i]()->name);
    }
    argo__fmt(err, errlen,
              "unknown strategy '%s' (builtin strategies: %s; or give the path of a .so plugin)",
              spec, argo__sb_str(&names));
    argo__sb_free(&names);
    return ARGO_ENOTFOUND;
  }
  /* dlopen searches the library path for a name without a slash; a user who names a plugin
   * file means the file in the current folder. */
  char local[4096];
  const char *file = spec;
  if (!strchr(spec, '/')) {
    argo__fmt(local, sizeof local, "./%s", spec);
    file = local;
  }
  void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    argo__fmt(err, errlen, "cannot load strategy plugin '%s': %s", spec, e ? e : "unknown error");
    return ARGO_EPLUGIN;
  }
  /* ISO C forbids converting an object pointer to a function pointer; dlsym's result is
   * copied through a union, as POSIX intends. */
  union {
    void *obj;
    argo_strategy_entry_fn fn;
  } sym;
  dlerror();
  sym.obj = dlsym(h, ARGO_STRATEGY_ENTRY_SYMBOL);
  if (!sym.obj) {
    argo__fmt(err, errlen, "'%s' is not an argo strategy plugin: it has no %s function", spec,
              ARGO_STRATEGY_ENTRY_SYMBOL);
    dlclose(h);
    return ARGO_EPLUGIN;
  }
  const argo_strategy *d = sym.fn();
  if (!d) {
    argo__fmt(err, errlen, "strategy plugin '%s': %s returned NULL", spec,
              ARGO_STRATEGY_ENTRY_SYMBOL);
    dlclose(h);
    return ARGO_EPLUGIN;
  }
  argo_err rc = check(d, spec, err, errlen);
  if (rc) {
    dlclose(h);
    return rc;
  }
  copy_table(def, d);
  *dl = h;
  return ARGO_OK;
}

void argo__strategy_unload(void *dl) {
  if (dl) {
    dlclose(dl);
  }
}

/* ---- argo_strategy_def: a strategy's table for a reader (argo strategies FILE.so) ---------- */

struct argo_strategy_def {
  argo_strategy table;
  void *dl;
  int ok;
  char err[ARGO_ERRMSG_MAX];
};

argo_err argo_strategy_def_open(argo_strategy_def **out, const char *name_or_path) {
  argo_strategy_def *d = calloc(1, sizeof *d);
  *out = d;
  if (!d) {
    return ARGO_ENOMEM;
  }
  argo_err rc = argo__strategy_resolve(name_or_path, &d->table, &d->dl, d->err, sizeof d->err);
  d->ok = rc == ARGO_OK;
  return rc;
}

const argo_strategy *argo_strategy_def_table(const argo_strategy_def *def) {
  return def && def->ok ? &def->table : NULL;
}

const char *argo_strategy_def_errmsg(const argo_strategy_def *def) {
  if (!def) {
    return "out of memory";
  }
  return def->err[0] ? def->err : "no error";
}

void argo_strategy_def_close(argo_strategy_def *def) {
  if (def) {
    argo__strategy_unload(def->dl);
    free(def);
  }
}
