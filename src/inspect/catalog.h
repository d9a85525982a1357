/*
 * Catalog internals shared with the query and report modules (the public part is in argo.h,
 * "looking at sessions"). Those modules report their errors on the catalog handle they were
 * given, through its message slot.
 */
#ifndef ARGO_CATALOG_H
#define ARGO_CATALOG_H

#include <stddef.h>

#include <argo/argo.h>

/* The folder of the i-th left-out run (argo_catalog_skipped_at): borrowed until the catalog is
 * closed. 0, or -1 past the end. */
int argo__catalog_skipped_folder(const argo_catalog *cat, size_t i, const char **run_dir,
                                 const char **date, const char **run);

/* The handle's message buffer (*len receives its size), for a module that fails on its behalf. */
char *argo__catalog_errbuf(argo_catalog *cat, size_t *len);

#endif
