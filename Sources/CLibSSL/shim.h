// OpenSSL's TLS library (libssl), for the Redis client's rediss:// connections, plus
// functions for the few libssl macros Swift cannot import.
#ifndef CLIBSSL_SHIM_H
#define CLIBSSL_SHIM_H
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

/// Sets the name sent as SNI (a macro over SSL_ctrl in OpenSSL).
static inline int clibssl_set_server_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// Refuses protocol versions older than `version` (a macro over SSL_CTX_ctrl in OpenSSL).
static inline int clibssl_set_min_protocol(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_min_proto_version(context, version);
}

#endif
