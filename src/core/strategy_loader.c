/*
 * Strategy loader: finds a strategy by builtin name, loads a plugin (.so) and checks its ABI
 * (SQLite-style: version and struct size first, required entry points present), or loads a
 * script (.py) through its script host plugin (core/script_host.h: the Python host, which is
 * loaded, with the interpreter it links, only for a .py strategy). Depends on strategy.h,
 * script_host.h and util only.
 */
/* dladdr (the folder of this library, where an installed Python host is looked for) is a GNU
 * extension of glibc's dlfcn.h. */
#define _GNU_SOURCE
#include "core/strategy_loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/script_host.h"
#include "core/strategy_builtin.h"
#include "util/strbuf.h"
#include "util/util.h"

/* What argo__strategy_resolve loaded: a plugin's dlopen handle, and for a script its host's
 * table and the host's handle of the script. */
struct argo__strategy_lib {
  void *dl;
  const argo__script_host *sh;
  void *script;
};

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

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n > k && strcmp(s + n - k, suffix) == 0;
}

static int looks_like_path(const char *spec) {
  return strchr(spec, '/') != NULL || ends_with(spec, ".so") || ends_with(spec, ".py");
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

static argo_err find_builtin(const char *spec, argo_strategy *def, char *err, size_t errlen) {
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
            "unknown strategy '%s' (builtin strategies: %s; or give the path of a .so plugin or "
            "a .py Python strategy)",
            spec, argo__sb_str(&names));
  argo__sb_free(&names);
  return ARGO_ENOTFOUND;
}

/* dlopen searches the library path for a name without a slash; a user who names a plugin file
 * means the file in the current folder. */
static void *open_plugin(const char *spec, char *err, size_t errlen) {
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
  }
  return h;
}

/* ISO C forbids converting an object pointer to a function pointer; dlsym's result is copied
 * through a union, as POSIX intends. */
static void *entry_point(void *h, const char *name) {
  dlerror();
  return dlsym(h, name);
}

static argo_err load_plugin(const char *spec, argo_strategy *def, void **dl, char *err,
                            size_t errlen) {
  void *h = open_plugin(spec, err, errlen);
  if (!h) {
    return ARGO_EPLUGIN;
  }
  union {
    void *obj;
    argo_strategy_entry_fn fn;
  } sym;
  sym.obj = entry_point(h, ARGO_STRATEGY_ENTRY_SYMBOL);
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

/* ---- Python strategies -------------------------------------------------------------------- */

#ifndef ARGO_PYTHON_HOST_BUILT
#define ARGO_PYTHON_HOST_BUILT 0
#endif

/* The file name of the Python host plugin (CMakeLists.txt builds it under this name). */
#define PYTHON_HOST_FILE "argo_python.so"

static int is_file(const char *path) {
  return access(path, R_OK) == 0;
}

/* Where the Python host is: $ARGO_PYTHON_HOST when set; else argo/argo_python.so beside this
 * library (the installed layout: <libdir>/libargo.so and <libdir>/argo/argo_python.so); else
 * the build tree's (a program run from the build folder). tried lists where it looked. */
static int python_host_path(char *out, size_t len, argo__sb *tried) {
  const char *env = getenv("ARGO_PYTHON_HOST");
  if (env && *env) {
    argo__fmt(out, len, "%s", env);
    argo__sb_printf(tried, "%s (ARGO_PYTHON_HOST)", env);
    return is_file(out);
  }
  Dl_info info;
  if (dladdr((void *)&argo_strategy_builtin_at, &info) && info.dli_fname) {
    const char *slash = strrchr(info.dli_fname, '/');
    if (slash) {
      argo__fmt(out, len, "%.*s/argo/%s", (int)(slash - info.dli_fname), info.dli_fname,
                PYTHON_HOST_FILE);
      argo__sb_printf(tried, "%s", out);
      if (is_file(out)) {
        return 1;
      }
    }
  }
#ifdef ARGO_PYTHON_HOST_BUILD_PATH
  argo__fmt(out, len, "%s", ARGO_PYTHON_HOST_BUILD_PATH);
  argo__sb_printf(tried, "%s%s", tried->len ? ", " : "", out);
  if (is_file(out)) {
    return 1;
  }
#endif
  return 0;
}

static argo_err load_script(const char *spec, argo_strategy *def, argo__strategy_lib *lib,
                            char *err, size_t errlen) {
  /* Checked before the host is loaded: a mistyped name costs no interpreter. */
  if (!is_file(spec)) {
    argo__fmt_errno(err, errlen, errno, "cannot read Python strategy '%s'", spec);
    return ARGO_ENOTFOUND;
  }
  char path[4096];
  argo__sb tried;
  argo__sb_init(&tried);
  int found = python_host_path(path, sizeof path, &tried);
  if (!found) {
    if (!ARGO_PYTHON_HOST_BUILT && !getenv("ARGO_PYTHON_HOST")) {
      argo__fmt(err, errlen,
                "cannot run Python strategy '%s': this argo was built without the Python host "
                "(python3-embed and numpy's headers were not found: apt install libpython3-dev "
                "python3-numpy, then build again)",
                spec);
    } else {
      argo__fmt(err, errlen,
                "cannot run Python strategy '%s': the Python host %s was not found (looked for "
                "%s; set ARGO_PYTHON_HOST to its path)",
                spec, PYTHON_HOST_FILE, argo__sb_str(&tried));
    }
    argo__sb_free(&tried);
    return ARGO_EPLUGIN;
  }
  argo__sb_free(&tried);
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    argo__fmt(err, errlen, "cannot run Python strategy '%s': cannot load the Python host: %s", spec,
              e ? e : "unknown error");
    return ARGO_EPLUGIN;
  }
  union {
    void *obj;
    argo__script_host_entry_fn fn;
  } sym;
  sym.obj = entry_point(h, ARGO_SCRIPT_HOST_ENTRY_SYMBOL);
  const argo__script_host *sh = sym.obj ? sym.fn() : NULL;
  if (!sh || sh->abi_version != ARGO_SCRIPT_HOST_ABI_VERSION ||
      sh->struct_size < sizeof(argo__script_host) || !sh->load || !sh->create || !sh->unload) {
    argo__fmt(err, errlen,
              "cannot run Python strategy '%s': %s is not a script host of this argo (built "
              "for another version?)",
              spec, path);
    dlclose(h);
    return ARGO_EPLUGIN;
  }
  const argo_strategy *d = NULL;
  void *script = sh->load(spec, &d, err, errlen);
  if (!script) {
    dlclose(h);
    return ARGO_EPLUGIN;
  }
  argo_err rc = check(d, spec, err, errlen);
  if (rc) {
    sh->unload(script);
    dlclose(h);
    return rc;
  }
  copy_table(def, d);
  lib->dl = h;
  lib->sh = sh;
  lib->script = script;
  return ARGO_OK;
}

argo_err argo__strategy_resolve(const char *spec, argo_strategy *def, argo__strategy_lib **lib,
                                char *err, size_t errlen) {
  memset(def, 0, sizeof *def);
  *lib = NULL;
  if (!spec || !*spec) {
    argo__fmt(err, errlen, "no strategy given");
    return ARGO_EINVAL;
  }
  if (!looks_like_path(spec)) {
    return find_builtin(spec, def, err, errlen);
  }
  argo__strategy_lib *l = calloc(1, sizeof *l);
  if (!l) {
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  argo_err rc = ends_with(spec, ".py") ? load_script(spec, def, l, err, errlen)
                                       : load_plugin(spec, def, &l->dl, err, errlen);
  if (rc) {
    free(l);
    return rc;
  }
  *lib = l;
  return ARGO_OK;
}

void *argo__strategy_create(argo__strategy_lib *lib, const argo_strategy *def,
                            const argo_host_api *api, argo_strategy_ctx *ctx) {
  if (lib && lib->sh) {
    return lib->sh->create(lib->script, api, ctx);
  }
  return def->create(api, ctx);
}

void argo__strategy_unload(argo__strategy_lib *lib) {
  if (!lib) {
    return;
  }
  if (lib->sh) {
    lib->sh->unload(lib->script);
  }
  if (lib->dl) {
    dlclose(lib->dl);
  }
  free(lib);
}

/* ---- argo_strategy_def: a strategy's table for a reader (argo strategies FILE) ------------- */

struct argo_strategy_def {
  argo_strategy table;
  argo__strategy_lib *lib;
  int ok;
  char err[ARGO_ERRMSG_MAX];
};

argo_err argo_strategy_def_open(argo_strategy_def **out, const char *name_or_path) {
  argo_strategy_def *d = calloc(1, sizeof *d);
  *out = d;
  if (!d) {
    return ARGO_ENOMEM;
  }
  argo_err rc = argo__strategy_resolve(name_or_path, &d->table, &d->lib, d->err, sizeof d->err);
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
    argo__strategy_unload(def->lib);
    free(def);
  }
}
