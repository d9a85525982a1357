/* Random numbers (seeded, reproducible), UUIDs and a string-keyed hash map. */
#ifndef ARGO_MISC_H
#define ARGO_MISC_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro256** seeded through splitmix64: fast, reproducible across platforms. */
typedef struct argo__rng {
  uint64_t s[4];
} argo__rng;

void argo__rng_seed(argo__rng *r, uint64_t seed);
uint64_t argo__rng_next(argo__rng *r);
/* Uniform in [0, 1). */
double argo__rng_uniform(argo__rng *r);
/* Standard normal (Box-Muller). */
double argo__rng_normal(argo__rng *r);

/* 64-bit FNV-1a of a string. */
uint64_t argo__hash_str(const char *s);

/* A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", into out (>= 37 bytes).
 * Uses getrandom(2); 0 or -errno. */
int argo__uuid4(char *out);

/* Open-addressing map from NUL-terminated keys to void pointers. Keys are copied. */
typedef struct argo__map {
  char **keys;
  void **vals;
  size_t cap, count, tombs;
} argo__map;

void argo__map_init(argo__map *m);
void argo__map_free(argo__map *m);
/* Removes every key, keeping the table's memory. */
void argo__map_clear(argo__map *m);
/* Returns a pointer to the value slot of key, or NULL. */
void **argo__map_get(const argo__map *m, const char *key);
/* Inserts or replaces; 0 or -1 when out of memory. */
int argo__map_put(argo__map *m, const char *key, void *val);
/* Removes key; returns 1 if it was there. */
int argo__map_del(argo__map *m, const char *key);

#endif
