/*
 * The contract between the strategy loader and a script host: a plugin that runs strategies
 * written in another language (the Python host, strategies/python/). It is internal to argo:
 * the loader and the hosts argo builds are compiled from one tree, and the versioned table
 * below only guards against a host left over from another build of argo. Depends on strategy.h
 * only, so that a host needs nothing else of argo.
 *
 * A script strategy cannot be a plain argo_strategy table: the table's create(host, ctx) does
 * not say which script to instantiate, and one host runs any number of scripts. So the host
 * loads a script into an opaque handle whose table describes it (name, id, version, schema,
 * the callbacks that take the instance), and the loader creates instances through the host's
 * create, which takes the handle. The table's own create refuses (returns NULL): a script's
 * table is only ever used through the loader (argo__strategy_create).
 *
 * Threads: load, create and unload may be called from any thread, one at a time per handle;
 * a host serializes what it shares between handles itself (the Python host: its interpreter).
 */
#ifndef ARGO_SCRIPT_HOST_H
#define ARGO_SCRIPT_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <argo/strategy.h>

#define ARGO_SCRIPT_HOST_ABI_VERSION 1u

/* Symbol exported by a script host plugin: const argo__script_host *argo_script_host_entry(void).
 */
#define ARGO_SCRIPT_HOST_ENTRY_SYMBOL "argo_script_host_entry"

typedef struct argo__script_host {
  uint32_t abi_version; /* ARGO_SCRIPT_HOST_ABI_VERSION */
  uint32_t struct_size; /* sizeof(argo__script_host) */
  const char *language; /* "Python 3.11.2": shown in messages */
  /* Loads the script at path (its top-level code runs). Returns a handle, with *table set to
   * the strategy's table (valid until unload), or NULL with a one-line message in err, which
   * names the file and line ("x.py:12: SyntaxError: invalid syntax"). */
  void *(*load)(const char *path, const argo_strategy **table, char *err, size_t errlen);
  /* Creates an instance of the loaded strategy: what the table's create would do. NULL means
   * failure. */
  void *(*create)(void *script, const argo_host_api *host, argo_strategy_ctx *ctx);
  /* Releases a handle whose instances were all destroyed. */
  void (*unload)(void *script);
} argo__script_host;

typedef const argo__script_host *(*argo__script_host_entry_fn)(void);

#endif
