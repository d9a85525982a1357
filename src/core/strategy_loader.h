/*
 * Strategy loader (strategy_loader.c): finds a strategy by builtin name, loads a plugin (.so)
 * and checks its ABI, or loads a Python strategy (.py) through the Python host plugin. Depends
 * on strategy.h, script_host.h and util only; it knows nothing of the engine.
 */
#ifndef ARGO_STRATEGY_LOADER_H
#define ARGO_STRATEGY_LOADER_H

#include <stddef.h>

#include <argo/argo.h>
#include <argo/strategy.h>
#include "util/util.h"

/* What was loaded for a strategy (a plugin, or a script and its host); opaque. */
typedef struct argo__strategy_lib argo__strategy_lib;

/* Finds a builtin by name, loads a plugin (a path, or a name ending in .so) or a Python script
 * (a name ending in .py), checks its ABI and copies its table into *def (zeroed past the
 * plugin's struct_size). *lib receives what was loaded (NULL for a builtin), for
 * argo__strategy_create and argo__strategy_unload. */
ARGO_NODISCARD argo_err argo__strategy_resolve(const char *spec, argo_strategy *def,
                                               argo__strategy_lib **lib, char *err, size_t errlen);
/* Creates an instance of the strategy: def->create(api, ctx), or, for a script, its host's
 * create for that script (a script's table cannot say which script it is). NULL on failure. */
void *argo__strategy_create(argo__strategy_lib *lib, const argo_strategy *def,
                            const argo_host_api *api, argo_strategy_ctx *ctx);
/* Checks a strategy table of the caller's own (argo_engine_set_strategy) as a plugin's is
 * checked, and copies it into *def. */
ARGO_NODISCARD argo_err argo__strategy_adopt(const argo_strategy *d, argo_strategy *def, char *err,
                                             size_t errlen);
/* Unloads what argo__strategy_resolve loaded (NULL: a builtin, nothing to do), after every
 * instance was destroyed. */
void argo__strategy_unload(argo__strategy_lib *lib);

#endif
