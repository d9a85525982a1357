/* Masking of secrets in URLs; see mask.h. */
#include "util/mask.h"

#include <ctype.h>
#include <string.h>

/* Output with a fixed capacity: what does not fit is dropped, and out stays terminated. */
typedef struct sink {
  char *buf;
  size_t cap, len;
} sink;

static void put(sink *s, const char *p, size_t n) {
  if (s->cap == 0) {
    return;
  }
  size_t room = s->cap - 1 - s->len;
  if (n > room) {
    n = room;
  }
  memcpy(s->buf + s->len, p, n);
  s->len += n;
  s->buf[s->len] = '\0';
}

static int scheme_char(int c) {
  return isalnum(c) || c == '+' || c == '-' || c == '.';
}

/* Characters that cannot be part of a URL as it is quoted in a message. */
static int url_end(int c) {
  return c <= ' ' || c == 0x7f || strchr("\"'<>`{}|\\^", c) != NULL;
}

static int hex(int c) {
  return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

static int starts(const char *s, const char *w) {
  return strncmp(s, w, strlen(w)) == 0;
}

static int ends(const char *s, size_t n, const char *w) {
  size_t k = strlen(w);
  return n >= k && memcmp(s + n - k, w, k) == 0;
}

int argo__mask_is_secret_name(const char *name, size_t name_len) {
  /* The name as compared: %-escapes decoded, lower case, without '_', '-' and '.' (api_key,
   * API-Key and apiKey are one name). */
  char n[64];
  size_t k = 0;
  for (size_t i = 0; i < name_len && k + 1 < sizeof n; i++) {
    int c = (unsigned char)name[i];
    if (c == '%' && i + 2 < name_len && hex((unsigned char)name[i + 1]) >= 0 &&
        hex((unsigned char)name[i + 2]) >= 0) {
      c = hex((unsigned char)name[i + 1]) * 16 + hex((unsigned char)name[i + 2]);
      i += 2;
    }
    if (c == '_' || c == '-' || c == '.') {
      continue;
    }
    n[k++] = (char)tolower(c);
  }
  n[k] = '\0';
  static const char *const contains[] = {"token",     "secret", "passw",
                                         "signature", "apikey", "credential"};
  for (size_t i = 0; i < sizeof contains / sizeof contains[0]; i++) {
    if (strstr(n, contains[i])) {
      return 1;
    }
  }
  return ends(n, k, "key") || ends(n, k, "pwd") || ends(n, k, "sig") || starts(n, "auth") ||
         starts(n, "session") || strcmp(n, "pass") == 0;
}

/* Copies the parameters of a query or fragment (u .. e, starting after its '?' or '#'), masking
 * the values of secret ones; a '#' in a query starts the fragment. */
static void params(sink *s, const char *u, const char *e, int in_query) {
  while (u < e) {
    const char *end = u;
    while (end < e && *end != '&' && *end != ';' && !(in_query && *end == '#')) {
      end++;
    }
    const char *eq = memchr(u, '=', (size_t)(end - u));
    if (eq && argo__mask_is_secret_name(u, (size_t)(eq - u))) {
      put(s, u, (size_t)(eq + 1 - u));
      put(s, ARGO_MASKED, strlen(ARGO_MASKED));
    } else {
      put(s, u, (size_t)(end - u));
    }
    u = end;
    if (u < e) {
      if (in_query && *u == '#') {
        put(s, "#", 1);
        params(s, u + 1, e, 0);
        return;
      }
      put(s, u, 1);
      u++;
    }
  }
}

/* Copies the URL u .. e (rest is just after its "://"), masked. */
static void mask_url(sink *s, const char *u, const char *rest, const char *e) {
  put(s, u, (size_t)(rest - u));
  /* User information: up to the last '@' before the path. '?' and '#' do not end it here,
   * unlike in RFC 3986, because they are common in passwords that were not %-encoded, and such a
   * URL's whole password must be masked, not the part before the '#'. */
  const char *slash = memchr(rest, '/', (size_t)(e - rest));
  const char *auth_end = slash ? slash : e;
  const char *at = NULL;
  for (const char *p = rest; p < auth_end; p++) {
    if (*p == '@') {
      at = p;
    }
  }
  const char *p = rest;
  if (at) {
    put(s, ARGO_MASKED, strlen(ARGO_MASKED));
    p = at; /* the '@' and the host follow */
  }
  /* Host, port and path, up to the query or the fragment. */
  const char *q = p;
  while (q < e && *q != '?' && *q != '#') {
    q++;
  }
  put(s, p, (size_t)(q - p));
  if (q < e) {
    put(s, q, 1);
    params(s, q + 1, e, *q == '?');
  }
}

char *argo__mask_urls(const char *text, char *out, size_t cap) {
  sink s = {out, cap, 0};
  if (cap) {
    out[0] = '\0';
  }
  const char *t = text ? text : "";
  const char *copied = t; /* text before this point is in out */
  for (const char *p = t; *p;) {
    if (!isalpha((unsigned char)*p) || (p > t && scheme_char((unsigned char)p[-1]))) {
      p++;
      continue;
    }
    const char *k = p;
    while (scheme_char((unsigned char)*k)) {
      k++;
    }
    if (!starts(k, "://")) {
      p = k;
      continue;
    }
    const char *rest = k + 3;
    const char *e = rest;
    while (*e && !url_end((unsigned char)*e)) {
      e++;
    }
    /* Punctuation that ends a sentence or a clause is not part of the URL: "GET http://h/x: 404",
     * "(see http://h/x)". */
    while (e > rest && strchr(".,;:!?)]", e[-1])) {
      e--;
    }
    put(&s, copied, (size_t)(p - copied));
    mask_url(&s, p, rest, e);
    copied = p = e;
  }
  put(&s, copied, strlen(copied));
  return out;
}
