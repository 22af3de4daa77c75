/* SPDX-License-Identifier: MIT */
/*
 * tls: the server side of go-plugin's AutoMTLS, on OpenSSL 3. tls_server_new() makes a fresh
 * P-256 key and a self-signed certificate in memory (go-plugin's template: CN=localhost,
 * SAN DNS:localhost, CA:TRUE, backdated 30 s, valid 30 years), and an SSL_CTX that:
 *   - requires a client certificate and accepts exactly the one given (Terraform's, from
 *     $PLUGIN_CLIENT_CERT), nothing else, not even a certificate it signed;
 *   - selects ALPN "h2" and refuses a client that offers ALPN without it (a client offering no
 *     ALPN at all must be refused by the caller after the handshake: tls_alpn_is_h2());
 *   - speaks TLS 1.2 (ECDHE + AEAD only, RFC 7540 section 9.2) and TLS 1.3.
 * The private key lives only inside the SSL_CTX (never written anywhere, never logged) and is
 * freed, wiped by OpenSSL, with it. No socket I/O here.
 */
#ifndef NET_TLS_H
#define NET_TLS_H
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

struct tls_server;

/* client_pem: the PEM certificate the client must present (NUL-terminated). 0, ERR_PARSE (no
 * certificate in client_pem), ERR_NOMEM, ERR_TLS (an OpenSSL failure, detail logged). */
int tls_server_new(const char *client_pem, struct tls_server **out);
/* The context to create SSL objects from. Owned by t. */
SSL_CTX *tls_server_ctx(const struct tls_server *t);
/* The server certificate in DER, for the handshake line. Owned by t; *len set. */
const uint8_t *tls_server_cert_der(const struct tls_server *t, size_t *len);
/* Free the context, the key (wiped) and the certificate. NULL is fine. */
void tls_server_free(struct tls_server *t);
/* Optional, after the handshake line is out: run OpenSSL's one-time setup of the paths the TLS
 * handshake will take (certificate decoding, digests, key exchange) while the client is still
 * connecting, so that it is off the critical path. No effect on behaviour. */
void tls_server_warm(const struct tls_server *t);
/* 1 when the handshake of ssl negotiated ALPN "h2", else 0. */
int tls_alpn_is_h2(const SSL *ssl);

#endif
