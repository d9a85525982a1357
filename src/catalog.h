/*
 * Catalog internals shared with the query and report modules (the public part is in argo.h,
 * "looking at sessions"). Those modules report their errors on the catalog handle they were
 * given, through its message slot.
 */
#ifndef ARGO_CATALOG_H
#define ARGO_CATALOG_H

#include <stddef.h>

#include <argo/argo.h>

/* The handle's message buffer (*len receives its size), for a module that fails on its behalf. */
char *argo__catalog_errbuf(argo_catalog *cat, size_t *len);

#endif
