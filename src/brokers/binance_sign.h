/*
 * The Binance broker's keys and request signatures, with OpenSSL's libcrypto: the API key with
 * an HMAC-SHA256 secret or an Ed25519 private key, read from the environment only; the
 * signature of a payload; the query string of a SIGNED REST request; the signature payload of
 * a WebSocket API request; and the redaction of the key and secret from any text.
 *
 * Written from Binance's spot API documents: rest-api.md "SIGNED Endpoint security" and its
 * HMAC and Ed25519 examples (the payload is the query string concatenated with the body, as
 * sent, percent-encoded), web-socket-api.md "SIGNED request security" (the payload is every
 * parameter but signature, sorted by name, as name=value joined by '&', not percent-encoded),
 * session.logon and userDataStream.subscribe.signature.
 *
 * The keys are the only secrets argo holds. They never go into an error message (which names
 * the environment variable, never its value), and argo__bn_keys_free wipes them. This module
 * must not depend on the broker's transport or the engine; it does no I/O but reading the
 * environment and the key file. A keys object does not change once made: several threads may
 * sign with it at once.
 */
#ifndef ARGO_BINANCE_SIGN_H
#define ARGO_BINANCE_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <argo/argo.h>

#include "util/strbuf.h"
#include "util/util.h"

/* The environment variables the keys come from. */
#define ARGO_BN_ENV_API_KEY "ARGO_BINANCE_API_KEY"
#define ARGO_BN_ENV_API_SECRET "ARGO_BINANCE_API_SECRET"
#define ARGO_BN_ENV_PRIVATE_KEY "ARGO_BINANCE_PRIVATE_KEY"
#define ARGO_BN_ENV_PRIVATE_KEY_FILE "ARGO_BINANCE_PRIVATE_KEY_FILE"

/* Room for a signature: 64 hex digits (HMAC-SHA256) or 88 base64 characters (Ed25519). */
#define ARGO_BN_SIGNATURE_MAX 96

typedef enum argo__bn_key_kind {
  ARGO_BN_KEY_HMAC = 1,   /* HMAC-SHA256: signature in lowercase hex */
  ARGO_BN_KEY_ED25519 = 2 /* Ed25519: signature in base64 */
} argo__bn_key_kind;

typedef struct argo__bn_keys argo__bn_keys;

/* Reads the keys from the environment: ARGO_BINANCE_API_KEY, and exactly one of
 * ARGO_BINANCE_API_SECRET (an HMAC key), ARGO_BINANCE_PRIVATE_KEY (an Ed25519 private key as PEM
 * text; "\n" written as the two characters backslash and n is taken as a line break) or
 * ARGO_BINANCE_PRIVATE_KEY_FILE (the path of such a PEM file). An empty variable counts as not
 * set. An encrypted PEM is refused (there is no passphrase to ask for). ARGO_OK with *out
 * (owned: argo__bn_keys_free), or ARGO_ECONFIG with err naming the variable and never its value
 * ("ARGO_BINANCE_API_SECRET is not set", "ARGO_BINANCE_PRIVATE_KEY is not an Ed25519 private
 * key in PEM"), or ARGO_ENOMEM. The broker gets its keys this way only. */
ARGO_NODISCARD argo_err argo__bn_keys_from_env(argo__bn_keys **out, char *err, size_t errlen);

/* The same from values in hand (for argo__bn_keys_from_env and the tests): an HMAC secret, or
 * an Ed25519 private key in PEM. The strings are copied. Errors as above, naming the
 * variables the values would come from. */
ARGO_NODISCARD argo_err argo__bn_keys_new_hmac(const char *api_key, const char *secret,
                                               argo__bn_keys **out, char *err, size_t errlen);
ARGO_NODISCARD argo_err argo__bn_keys_new_ed25519(const char *api_key, const char *pem,
                                                  argo__bn_keys **out, char *err, size_t errlen);

/* Wipes (OPENSSL_cleanse) and frees the copies of the key and secret; NULL is accepted. */
void argo__bn_keys_free(argo__bn_keys *k);

argo__bn_key_kind argo__bn_keys_kind(const argo__bn_keys *k);
/* The API key, for the X-MBX-APIKEY header and the apiKey parameter; borrowed until
 * argo__bn_keys_free. */
const char *argo__bn_keys_api_key(const argo__bn_keys *k);

/* Signs len bytes of payload into sig (siglen bytes, ARGO_BN_SIGNATURE_MAX suffices):
 * HMAC-SHA256 as 64 lowercase hex digits, or Ed25519 as base64 (88 characters). ARGO_OK,
 * ARGO_EINVAL when sig is too small, ARGO_EBROKER when libcrypto fails (sig is "" then). */
ARGO_NODISCARD argo_err argo__bn_sign(const argo__bn_keys *k, const char *payload, size_t len,
                                      char *sig, size_t siglen);

/* Appends s percent-encoded to sb: the unreserved characters of RFC 3986 (A-Z a-z 0-9 - . _ ~)
 * as they are, every other byte as %XX with uppercase hex digits (UTF-8 stays UTF-8, byte by
 * byte, as Binance's examples encode "１２３４５６"). */
void argo__bn_pct_encode(argo__sb *sb, const char *s);

/* Appends "key=value" to a query string in q, after a '&' when q is not empty, both
 * percent-encoded. The _i64 form writes a whole number (timestamp, orderId). */
void argo__bn_query_add(argo__sb *q, const char *key, const char *value);
void argo__bn_query_add_i64(argo__sb *q, const char *key, int64_t value);

/* Signs the query string in q as it stands (Binance's signature payload is the bytes as sent)
 * and appends "&signature=" and the signature, percent-encoded (base64's '+', '/' and '=').
 * Binance signs the query string and the body concatenated: send every parameter in one of
 * them, built with argo__bn_query_add and signed here. ARGO_OK, ARGO_ENOMEM when q has failed
 * (argo__sb_failed), or an error of argo__bn_sign. */
ARGO_NODISCARD argo_err argo__bn_query_sign(const argo__bn_keys *k, argo__sb *q);

/* A parameter of a WebSocket API request, its value as text as it goes into the JSON
 * ("1645423376532", "true", "0.01000000"). */
typedef struct argo__bn_param {
  const char *key;
  const char *value;
} argo__bn_param;

/* Writes the signature payload of a WebSocket API request into out (reset first): every one of
 * the n parameters but "signature", sorted by key in byte order, as key=value joined by '&',
 * values as they are (UTF-8, not percent-encoded). For session.logon and
 * userDataStream.subscribe.signature the parameters are apiKey, timestamp and, if sent,
 * recvWindow. ARGO_OK, ARGO_EINVAL when a key appears twice or a key or value is NULL, or
 * ARGO_ENOMEM. */
ARGO_NODISCARD argo_err argo__bn_ws_payload(const argo__bn_param *params, size_t n, argo__sb *out);
/* argo__bn_ws_payload then argo__bn_sign: the value of the request's "signature". */
ARGO_NODISCARD argo_err argo__bn_ws_sign(const argo__bn_keys *k, const argo__bn_param *params,
                                         size_t n, char *sig, size_t siglen);

/* Replaces, in place, every occurrence of the API key and of the HMAC secret in text with
 * "***" (an Ed25519 private key is never held as text, so there is nothing of it to find).
 * A value shorter than three characters is left alone: "***" would not fit in its place, and
 * such a value is no real key. Defence in depth for messages that quote the exchange or a
 * request. Returns the number of replacements; k NULL or text NULL: 0. */
size_t argo__bn_redact(const argo__bn_keys *k, char *text);

#endif
