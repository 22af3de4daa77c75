/* SPDX-License-Identifier: MIT */
/*
 * osslmini: OpenSSL 3.0 builds, on the first fetch of each kind of algorithm (cipher, digest, key
 * management...), a method for every algorithm its default provider offers: about 5.6 M
 * instructions and 200 KiB of heap per process, a fifth of an AutoMTLS launch, for a process that
 * uses a dozen of them. osslmini_load() registers and loads "scw-tls", a built-in provider that
 * offers only those (the default provider's own implementations: SHA-1/2, MD5, AES-GCM/CTR,
 * ChaCha20-Poly1305, HMAC, HKDF, the TLS KDFs, CTR-DRBG, EC/X25519/Ed25519/RSA/RSA-PSS keys,
 * ECDH, X25519, ECDSA, RSA and Ed25519 signatures, and their public-key decoders). Loading a
 * provider explicitly keeps OpenSSL from loading its default one. It needs symbols that only a
 * static libcrypto exposes; with a shared one (sanitizer builds, PROVIDER_STATIC_SSL=0) nothing is
 * loaded and the default provider serves as usual. Call it after OPENSSL_init_ssl() and before any
 * other OpenSSL use; 1 when scw-tls is active.
 */
#ifndef NET_OSSLMINI_H
#define NET_OSSLMINI_H

int osslmini_load(void);

#endif
