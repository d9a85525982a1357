/* The TLS client context handed to libwebsockets; see tls.h. */
#include "util/tls.h"

#include <openssl/err.h>

#include "util/util.h"

SSL_CTX *argo__tls_client_ctx(char *err, size_t errlen) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_default_verify_paths(ctx) != 1) {
    char why[256];
    ERR_error_string_n(ERR_get_error(), why, sizeof why);
    argo__fmt(err, errlen, "OpenSSL could not make a TLS client context: %s", why);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return NULL;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  return ctx;
}
