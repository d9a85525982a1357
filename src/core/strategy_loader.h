/*
 * Strategy loader (strategy_loader.c): finds a strategy by builtin name or loads a plugin (.so)
 * and checks its ABI. Depends on strategy.h and util only; it knows nothing of the engine.
 */
#ifndef ARGO_STRATEGY_LOADER_H
#define ARGO_STRATEGY_LOADER_H

#include <stddef.h>

#include <argo/argo.h>
#include <argo/strategy.h>
#include "util/util.h"

/* Finds a builtin by name or loads a plugin, checks its ABI and copies its table into *def
 * (zeroed past the plugin's struct_size). *dl is the dlopen handle (NULL for a builtin). */
ARGO_NODISCARD argo_err argo__strategy_resolve(const char *spec, argo_strategy *def, void **dl,
                                               char *err, size_t errlen);
/* Checks a strategy table of the caller's own (argo_engine_set_strategy) as a plugin's is
 * checked, and copies it into *def. */
ARGO_NODISCARD argo_err argo__strategy_adopt(const argo_strategy *d, argo_strategy *def, char *err,
                                             size_t errlen);
/* Unloads what argo__strategy_resolve loaded (NULL: a builtin, nothing to do). */
void argo__strategy_unload(void *dl);

#endif
