/*
 * The TLS client context of a libwebsockets context (the Binance feed's, the broker's stream).
 *
 * Each lws context made with LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT takes a new OpenSSL ex-data
 * index for its own client SSL_CTX, in a variable global to libwebsockets (4.1): while two lws
 * contexts live at once (a Binance feed and the Binance broker), the first one's SSL_CTX can no
 * longer be found when it is destroyed and leaks, the system's trust store with it (about
 * 700 KB per session in a program that runs sessions one after another). So argo makes the
 * client SSL_CTX itself, hands it to libwebsockets (provided_client_ssl_ctx) and frees it after
 * the lws context is gone. libwebsockets still checks each connection's certificate and host
 * name (SSL_VERIFY_PEER and the host set on each SSL).
 */
#ifndef ARGO_TLS_H
#define ARGO_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/* A client context: TLS 1.2 or later, the peer verified against OpenSSL's default trust store
 * (SSL_CERT_FILE / SSL_CERT_DIR when set). NULL with err filled when OpenSSL cannot make one. */
SSL_CTX *argo__tls_client_ctx(char *err, size_t errlen);

#endif
