/*
 * The Binance broker's keys and signatures (binance_sign.h), with OpenSSL's libcrypto.
 *
 * The API key and the HMAC secret are kept as copies that argo__bn_keys_free wipes; an Ed25519
 * key lives in an EVP_PKEY only (libcrypto clears its private part when freeing it), and every
 * temporary copy of key text is wiped as soon as it has been parsed. No message of this module
 * quotes a key, a secret, a PEM or the path of a key file: they name the variable.
 */
#include "brokers/binance_sign.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "util/mask.h"

/* The largest key file read; an Ed25519 PEM is about 120 bytes. */
#define KEY_FILE_MAX 65536
#define ED25519_SIG_LEN 64

struct argo__bn_keys {
  argo__bn_key_kind kind;
  char *api_key;  /* owned, wiped on free */
  char *secret;   /* HMAC secret: owned, wiped on free; NULL for Ed25519 */
  EVP_PKEY *pkey; /* Ed25519 */
};

/* ---- keys -------------------------------------------------------------------------------- */

static void wipe_free(char *s, size_t len) {
  if (s) {
    OPENSSL_cleanse(s, len);
    free(s);
  }
}

static void wipe_free_str(char *s) {
  wipe_free(s, s ? strlen(s) : 0);
}

void argo__bn_keys_free(argo__bn_keys *k) {
  if (!k) {
    return;
  }
  wipe_free_str(k->api_key);
  wipe_free_str(k->secret);
  EVP_PKEY_free(k->pkey);
  OPENSSL_cleanse(k, sizeof *k);
  free(k);
}

argo__bn_key_kind argo__bn_keys_kind(const argo__bn_keys *k) {
  return k->kind;
}

const char *argo__bn_keys_api_key(const argo__bn_keys *k) {
  return k->api_key;
}

/* An API key goes into an HTTP header and a JSON string: printable ASCII without spaces. */
static argo_err check_api_key(const char *api_key, char *err, size_t errlen) {
  if (!api_key || !*api_key) {
    argo__fmt(err, errlen, "%s is not set", ARGO_BN_ENV_API_KEY);
    return ARGO_ECONFIG;
  }
  for (const unsigned char *p = (const unsigned char *)api_key; *p; p++) {
    if (*p <= ' ' || *p > '~') {
      argo__fmt(err, errlen, "%s holds a character that is not printable ASCII",
                ARGO_BN_ENV_API_KEY);
      return ARGO_ECONFIG;
    }
  }
  return ARGO_OK;
}

/* A new keys object holding a copy of api_key. */
static argo_err keys_alloc(argo__bn_key_kind kind, const char *api_key, argo__bn_keys **out,
                           char *err, size_t errlen) {
  argo__bn_keys *k = calloc(1, sizeof *k);
  if (!k || !(k->api_key = argo__strdup(api_key))) {
    free(k);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  k->kind = kind;
  *out = k;
  return ARGO_OK;
}

argo_err argo__bn_keys_new_hmac(const char *api_key, const char *secret, argo__bn_keys **out,
                                char *err, size_t errlen) {
  *out = NULL;
  argo_err rc = check_api_key(api_key, err, errlen);
  if (rc != ARGO_OK) {
    return rc;
  }
  if (!secret || !*secret) {
    argo__fmt(err, errlen, "%s is not set", ARGO_BN_ENV_API_SECRET);
    return ARGO_ECONFIG;
  }
  argo__bn_keys *k;
  if ((rc = keys_alloc(ARGO_BN_KEY_HMAC, api_key, &k, err, errlen)) != ARGO_OK) {
    return rc;
  }
  if (!(k->secret = argo__strdup(secret))) {
    argo__bn_keys_free(k);
    argo__fmt(err, errlen, "out of memory");
    return ARGO_ENOMEM;
  }
  *out = k;
  return ARGO_OK;
}

/* Refuses to decrypt: a key in the environment has no passphrase to go with it, and libcrypto
 * would otherwise ask for one on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u) {
  (void)buf;
  (void)size;
  (void)rwflag;
  (void)u;
  return -1;
}

/* A copy of pem in which the two characters "\n" are a line break, for a PEM written on one
 * line (as environment files often hold it); NULL when out of memory. Wipe it after use. */
static char *unescape_pem(const char *pem) {
  char *copy = malloc(strlen(pem) + 1), *o = copy;
  if (!copy) {
    return NULL;
  }
  for (const char *p = pem; *p; p++) {
    if (p[0] == '\\' && p[1] == 'n') {
      *o++ = '\n';
      p++;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
  return copy;
}

/* The Ed25519 private key in pem, or NULL (var names the variable it came from). */
static EVP_PKEY *read_ed25519(const char *pem, const char *var, char *err, size_t errlen) {
  char *text = strchr(pem, '\n') ? NULL : unescape_pem(pem);
  const char *src = text ? text : pem;
  EVP_PKEY *pkey = NULL;
  BIO *bio = BIO_new_mem_buf(src, -1);
  if (bio) {
    pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
  }
  wipe_free_str(text);
  if (!pkey || EVP_PKEY_id(pkey) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    ERR_clear_error(); /* nothing of the key's parse may surface in a later message */
    argo__fmt(err, errlen, "%s is not an Ed25519 private key in PEM", var);
    return NULL;
  }
  return pkey;
}

static argo_err new_ed25519(const char *api_key, const char *pem, const char *var,
                            argo__bn_keys **out, char *err, size_t errlen) {
  *out = NULL;
  argo_err rc = check_api_key(api_key, err, errlen);
  if (rc != ARGO_OK) {
    return rc;
  }
  if (!pem || !*pem) {
    argo__fmt(err, errlen, "%s is not set", var);
    return ARGO_ECONFIG;
  }
  EVP_PKEY *pkey = read_ed25519(pem, var, err, errlen);
  if (!pkey) {
    return ARGO_ECONFIG;
  }
  argo__bn_keys *k;
  if ((rc = keys_alloc(ARGO_BN_KEY_ED25519, api_key, &k, err, errlen)) != ARGO_OK) {
    EVP_PKEY_free(pkey);
    return rc;
  }
  k->pkey = pkey;
  *out = k;
  return ARGO_OK;
}

argo_err argo__bn_keys_new_ed25519(const char *api_key, const char *pem, argo__bn_keys **out,
                                   char *err, size_t errlen) {
  return new_ed25519(api_key, pem, ARGO_BN_ENV_PRIVATE_KEY, out, err, errlen);
}

/* The whole of the key file named by ARGO_BINANCE_PRIVATE_KEY_FILE, NUL-terminated, or NULL
 * with err (which does not quote the path: it is the variable's value). Wipe it after use. */
static char *read_key_file(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  char *buf = f ? malloc(KEY_FILE_MAX + 1) : NULL;
  size_t n = buf ? fread(buf, 1, KEY_FILE_MAX + 1, f) : 0;
  int bad = !f ? errno : !buf ? ENOMEM : ferror(f) ? EIO : n > KEY_FILE_MAX ? EFBIG : 0;
  if (f) {
    fclose(f);
  }
  if (bad) {
    wipe_free(buf, buf ? KEY_FILE_MAX + 1 : 0);
    argo__fmt_errno(err, errlen, bad, "%s names a file that cannot be read",
                    ARGO_BN_ENV_PRIVATE_KEY_FILE);
    return NULL;
  }
  buf[n] = '\0';
  return buf;
}

/* A variable's value, NULL when unset or empty. */
static const char *env(const char *name) {
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

argo_err argo__bn_keys_from_env(argo__bn_keys **out, char *err, size_t errlen) {
  *out = NULL;
  const char *api_key = env(ARGO_BN_ENV_API_KEY), *secret = env(ARGO_BN_ENV_API_SECRET);
  const char *pem = env(ARGO_BN_ENV_PRIVATE_KEY), *file = env(ARGO_BN_ENV_PRIVATE_KEY_FILE);
  argo_err rc = check_api_key(api_key, err, errlen);
  if (rc != ARGO_OK) {
    return rc;
  }
  if (!!secret + !!pem + !!file > 1) {
    argo__fmt(err, errlen, "set only one of %s, %s and %s", ARGO_BN_ENV_API_SECRET,
              ARGO_BN_ENV_PRIVATE_KEY, ARGO_BN_ENV_PRIVATE_KEY_FILE);
    return ARGO_ECONFIG;
  }
  if (secret) {
    return argo__bn_keys_new_hmac(api_key, secret, out, err, errlen);
  }
  if (pem) {
    return new_ed25519(api_key, pem, ARGO_BN_ENV_PRIVATE_KEY, out, err, errlen);
  }
  if (!file) {
    argo__fmt(err, errlen, "%s is not set (nor %s or %s, for an Ed25519 key)",
              ARGO_BN_ENV_API_SECRET, ARGO_BN_ENV_PRIVATE_KEY, ARGO_BN_ENV_PRIVATE_KEY_FILE);
    return ARGO_ECONFIG;
  }
  char *text = read_key_file(file, err, errlen);
  if (!text) {
    return ARGO_ECONFIG;
  }
  rc = new_ed25519(api_key, text, ARGO_BN_ENV_PRIVATE_KEY_FILE, out, err, errlen);
  wipe_free_str(text);
  return rc;
}

/* ---- signatures -------------------------------------------------------------------------- */

static argo_err sign_hmac(const argo__bn_keys *k, const char *payload, size_t len, char *sig,
                          size_t siglen) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int maclen = 0;
  if (!HMAC(EVP_sha256(), k->secret, (int)strlen(k->secret), (const unsigned char *)payload, len,
            mac, &maclen)) {
    return ARGO_EBROKER;
  }
  if (siglen < 2 * (size_t)maclen + 1) {
    OPENSSL_cleanse(mac, sizeof mac);
    return ARGO_EINVAL;
  }
  static const char hex[] = "0123456789abcdef";
  for (unsigned i = 0; i < maclen; i++) {
    sig[2 * i] = hex[mac[i] >> 4];
    sig[2 * i + 1] = hex[mac[i] & 15];
  }
  sig[2 * maclen] = '\0';
  OPENSSL_cleanse(mac, sizeof mac);
  return ARGO_OK;
}

static argo_err sign_ed25519(const argo__bn_keys *k, const char *payload, size_t len, char *sig,
                             size_t siglen) {
  unsigned char raw[ED25519_SIG_LEN];
  size_t rawlen = sizeof raw;
  if (siglen < 4 * ((ED25519_SIG_LEN + 2) / 3) + 1) {
    return ARGO_EINVAL;
  }
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
           EVP_DigestSign(ctx, raw, &rawlen, (const unsigned char *)payload, len) == 1 &&
           rawlen == ED25519_SIG_LEN;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    ERR_clear_error();
    return ARGO_EBROKER;
  }
  EVP_EncodeBlock((unsigned char *)sig, raw, (int)rawlen);
  return ARGO_OK;
}

argo_err argo__bn_sign(const argo__bn_keys *k, const char *payload, size_t len, char *sig,
                       size_t siglen) {
  if (siglen > 0) {
    sig[0] = '\0';
  }
  argo_err rc = k->kind == ARGO_BN_KEY_HMAC ? sign_hmac(k, payload, len, sig, siglen)
                                            : sign_ed25519(k, payload, len, sig, siglen);
  if (rc != ARGO_OK && siglen > 0) {
    sig[0] = '\0';
  }
  return rc;
}

/* ---- query strings ----------------------------------------------------------------------- */

static int unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void argo__bn_pct_encode(argo__sb *sb, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (unreserved(*p)) {
      argo__sb_putc(sb, (char)*p);
    } else {
      char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      argo__sb_add(sb, e, sizeof e);
    }
  }
}

void argo__bn_query_add(argo__sb *q, const char *key, const char *value) {
  if (q->len > 0) {
    argo__sb_putc(q, '&');
  }
  argo__bn_pct_encode(q, key);
  argo__sb_putc(q, '=');
  argo__bn_pct_encode(q, value);
}

void argo__bn_query_add_i64(argo__sb *q, const char *key, int64_t value) {
  char text[24];
  snprintf(text, sizeof text, "%" PRId64, value);
  argo__bn_query_add(q, key, text);
}

argo_err argo__bn_query_sign(const argo__bn_keys *k, argo__sb *q) {
  if (argo__sb_failed(q)) {
    return ARGO_ENOMEM;
  }
  char sig[ARGO_BN_SIGNATURE_MAX];
  argo_err rc = argo__bn_sign(k, argo__sb_str(q), q->len, sig, sizeof sig);
  if (rc != ARGO_OK) {
    return rc;
  }
  argo__bn_query_add(q, "signature", sig);
  return argo__sb_failed(q) ? ARGO_ENOMEM : ARGO_OK;
}

/* ---- WebSocket API ----------------------------------------------------------------------- */

static int by_key(const void *a, const void *b) {
  return strcmp((*(const argo__bn_param *const *)a)->key, (*(const argo__bn_param *const *)b)->key);
}

argo_err argo__bn_ws_payload(const argo__bn_param *params, size_t n, argo__sb *out) {
  argo__sb_reset(out);
  const argo__bn_param **sorted = malloc((n ? n : 1) * sizeof *sorted);
  if (!sorted) {
    return ARGO_ENOMEM;
  }
  size_t m = 0;
  argo_err rc = ARGO_OK;
  for (size_t i = 0; i < n; i++) {
    if (!params[i].key || !params[i].value) {
      rc = ARGO_EINVAL;
      goto done;
    }
    if (strcmp(params[i].key, "signature") != 0) {
      sorted[m++] = &params[i];
    }
  }
  qsort(sorted, m, sizeof *sorted, by_key);
  for (size_t i = 0; i < m; i++) {
    if (i > 0 && strcmp(sorted[i - 1]->key, sorted[i]->key) == 0) {
      rc = ARGO_EINVAL;
      goto done;
    }
    if (i > 0) {
      argo__sb_putc(out, '&');
    }
    argo__sb_printf(out, "%s=%s", sorted[i]->key, sorted[i]->value);
  }
  rc = argo__sb_failed(out) ? ARGO_ENOMEM : ARGO_OK;
done:
  free(sorted);
  if (rc != ARGO_OK) {
    argo__sb_reset(out);
  }
  return rc;
}

argo_err argo__bn_ws_sign(const argo__bn_keys *k, const argo__bn_param *params, size_t n, char *sig,
                          size_t siglen) {
  if (siglen > 0) {
    sig[0] = '\0';
  }
  argo__sb payload;
  argo__sb_init(&payload);
  argo_err rc = argo__bn_ws_payload(params, n, &payload);
  if (rc == ARGO_OK) {
    rc = argo__bn_sign(k, argo__sb_str(&payload), payload.len, sig, siglen);
  }
  if (payload.buf) {
    OPENSSL_cleanse(payload.buf, payload.cap);
  }
  argo__sb_free(&payload);
  return rc;
}

/* ---- redaction --------------------------------------------------------------------------- */

static size_t redact_one(char *text, const char *secret) {
  size_t len = secret ? strlen(secret) : 0, count = 0;
  if (len < sizeof ARGO_MASKED - 1) {
    return 0;
  }
  for (char *p = strstr(text, secret); p; p = strstr(p, secret)) {
    memcpy(p, ARGO_MASKED, sizeof ARGO_MASKED - 1);
    memmove(p + sizeof ARGO_MASKED - 1, p + len, strlen(p + len) + 1);
    p += sizeof ARGO_MASKED - 1;
    count++;
  }
  return count;
}

size_t argo__bn_redact(const argo__bn_keys *k, char *text) {
  if (!k || !text) {
    return 0;
  }
  /* The longer first, so that one held inside the other cannot leave a part of it behind. */
  const char *a = k->api_key, *b = k->secret;
  if (b && strlen(b) > strlen(a)) {
    a = k->secret;
    b = k->api_key;
  }
  return redact_one(text, a) + redact_one(text, b);
}
