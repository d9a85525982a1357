/* Random numbers, UUIDs and the string map; see misc.h. */
#include "util/misc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/util.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void argo__rng_seed(argo__rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) {
    r->s[i] = splitmix64(&x);
  }
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

uint64_t argo__rng_next(argo__rng *r) {
  uint64_t *s = r->s;
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double argo__rng_uniform(argo__rng *r) {
  return (double)(argo__rng_next(r) >> 11) * 0x1.0p-53;
}

double argo__rng_normal(argo__rng *r) {
  double u1 = argo__rng_uniform(r);
  double u2 = argo__rng_uniform(r);
  if (u1 < 1e-300) {
    u1 = 1e-300;
  }
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t argo__hash_str(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

int argo__uuid4(char *out) {
  unsigned char b[16];
  size_t got = 0;
  while (got < sizeof b) {
    ssize_t n = getrandom(b + got, sizeof b - got, 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return -errno;
    }
    got += (size_t)n;
  }
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
           b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
           b[15]);
  return 0;
}

void argo__map_init(argo__map *m) {
  memset(m, 0, sizeof *m);
}

void argo__map_free(argo__map *m) {
  for (size_t i = 0; i < m->cap; i++) {
    if (m->keys[i] && m->keys[i] != (char *)m) {
      free(m->keys[i]);
    }
  }
  free(m->keys);
  free(m->vals);
  argo__map_init(m);
}

void argo__map_clear(argo__map *m) {
  for (size_t i = 0; i < m->cap; i++) {
    if (m->keys[i] && m->keys[i] != (char *)m) {
      free(m->keys[i]);
    }
    m->keys[i] = NULL;
    m->vals[i] = NULL;
  }
  m->count = 0;
  m->tombs = 0;
}

/* A deleted slot holds the map's own address as a tombstone key. */
#define TOMB(m) ((char *)(m))

static size_t find_slot(const argo__map *m, const char *key, int for_insert) {
  size_t mask = m->cap - 1;
  size_t i = (size_t)argo__hash_str(key) & mask;
  size_t first_tomb = (size_t)-1;
  for (;;) {
    char *k = m->keys[i];
    if (!k) {
      if (for_insert && first_tomb != (size_t)-1) {
        return first_tomb;
      }
      return for_insert ? i : (size_t)-1;
    }
    if (k == TOMB(m)) {
      if (first_tomb == (size_t)-1) {
        first_tomb = i;
      }
    } else if (strcmp(k, key) == 0) {
      return i;
    }
    i = (i + 1) & mask;
  }
}

void **argo__map_get(const argo__map *m, const char *key) {
  if (!m->cap) {
    return NULL;
  }
  size_t i = find_slot(m, key, 0);
  return i == (size_t)-1 ? NULL : &m->vals[i];
}

static int rehash(argo__map *m, size_t ncap) {
  argo__map n;
  n.cap = ncap;
  n.count = 0;
  n.tombs = 0;
  n.keys = calloc(ncap, sizeof *n.keys);
  n.vals = calloc(ncap, sizeof *n.vals);
  if (!n.keys || !n.vals) {
    free(n.keys);
    free(n.vals);
    return -1;
  }
  for (size_t i = 0; i < m->cap; i++) {
    char *k = m->keys[i];
    if (k && k != TOMB(m)) {
      size_t j = (size_t)argo__hash_str(k) & (ncap - 1);
      while (n.keys[j]) {
        j = (j + 1) & (ncap - 1);
      }
      n.keys[j] = k;
      n.vals[j] = m->vals[i];
      n.count++;
    }
  }
  free(m->keys);
  free(m->vals);
  m->keys = n.keys;
  m->vals = n.vals;
  m->cap = ncap;
  m->count = n.count;
  m->tombs = 0;
  return 0;
}

int argo__map_put(argo__map *m, const char *key, void *val) {
  if ((m->count + m->tombs + 1) * 2 > m->cap) {
    size_t ncap = m->cap ? m->cap : 16;
    while ((m->count + 1) * 4 > ncap) {
      ncap *= 2;
    }
    if (rehash(m, ncap) != 0) {
      return -1;
    }
  }
  size_t i = find_slot(m, key, 1);
  if (m->keys[i] && m->keys[i] != TOMB(m)) {
    m->vals[i] = val;
    return 0;
  }
  char *k = argo__strdup(key);
  if (!k) {
    return -1;
  }
  if (m->keys[i] == TOMB(m)) {
    m->tombs--;
  }
  m->keys[i] = k;
  m->vals[i] = val;
  m->count++;
  return 0;
}

int argo__map_del(argo__map *m, const char *key) {
  if (!m->cap) {
    return 0;
  }
  size_t i = find_slot(m, key, 0);
  if (i == (size_t)-1) {
    return 0;
  }
  free(m->keys[i]);
  m->keys[i] = TOMB(m);
  m->vals[i] = NULL;
  m->count--;
  m->tombs++;
  return 1;
}
