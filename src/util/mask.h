/*
 * Masking of secrets in URLs, so that a message that quotes a URL (a feed's base URL in an error,
 * an events line, standard error) never shows a password or a token. Every module that prints or
 * reports a URL goes through argo__mask_urls; nothing here depends on another argo module.
 */
#ifndef ARGO_MASK_H
#define ARGO_MASK_H

#include <stddef.h>

/* Text standing for a masked secret. */
#define ARGO_MASKED "***"

/* Copies text into out (cap bytes, always terminated, truncated if it does not fit) with every
 * URL in it (scheme "://" ...: http, https, ws, wss or any other) masked:
 *   - its user information (what comes before '@' in "scheme://user:password@host") becomes
 *     "***", whatever it holds (a user name alone may be a token);
 *   - the value of every query or fragment parameter whose name looks like a secret becomes
 *     "***": the name, compared without case and without '_', '-' and '.', contains token,
 *     secret, passw, signature, credential or apikey, ends with key, pwd or sig, starts with auth
 *     or session, or is pass.
 * The masking is done before any truncation, so a truncated copy never holds part of a secret.
 * Text without URLs is copied unchanged, and masking masked text changes nothing. Returns out. */
char *argo__mask_urls(const char *text, char *out, size_t cap);

/* 1 if a query parameter of that name (name_len bytes, possibly %-encoded) holds a secret by the
 * rules above. */
int argo__mask_is_secret_name(const char *name, size_t name_len);

#endif
