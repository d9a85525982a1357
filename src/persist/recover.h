/*
 * Recovery of run-day folders left by a crash; see recover.c. Used by the engine at start
 * (before it claims its own run number) and by argo_recover (the `argo recover` command).
 */
#ifndef ARGO_RECOVER_H
#define ARGO_RECOVER_H

#include <stddef.h>

#include <argo/argo.h>
#include "util/util.h"

/* How a day whose journal has no end record is finalized. */
typedef struct argo__recover_how {
  const char *status;      /* "crashed_recovered" (after a crash) or "stopped" */
  const char *stop_reason; /* NULL, or why the session ended (stats.yaml stop_reason) */
} argo__recover_how;

/* Recovers one folder. ARGO_ECORRUPT: finalized, but its journal was damaged (msg says what
 * was done: the published rows it lacked were kept, the journal was kept as .journal.corrupt,
 * stats.yaml has journal_damage). ARGO_OK (msg says what was done), ARGO_ENOTFOUND (no journal:
 * nothing to do), or an error (msg names the file and the problem). */
ARGO_NODISCARD argo_err argo__recover_folder(const char *run_dir, char *msg, size_t msglen);
/* Finalizes one folder whose lock the caller holds (a session ending without its engine
 * thread: how says with which status), with or without a journal. Same results. */
ARGO_NODISCARD argo_err argo__recover_locked(const char *run_dir, const argo__recover_how *how,
                                             char *msg, size_t msglen);
/* Recovers every folder of data_output that needs it, oldest day first; reports each through
 * fn. Returns how many were finalized; *first (may be NULL) gets the first folder's error, or
 * ARGO_OK. */
int argo__recover_all(const char *data_output, argo_recover_fn fn, void *user, argo_err *first);
/* Checks that a Parquet file reads; if not, moves it aside ("<path>.corrupt") and says so in
 * note. 0 = fine or absent, 1 = moved aside, -1 = unreadable and could not be moved. */
int argo__recover_check_parquet(const char *path, char *note, size_t len);

#endif
