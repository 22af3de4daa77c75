/* SPDX-License-Identifier: MIT */
/*
 * secret: how scw-iamd keeps secrets out of its database. API secret keys are stored only as
 * HMAC-SHA256(server key, secret): the 32-byte server key lives in its own 0600 file next to the
 * database (PATH.key), never inside it, so a leaked database file alone cannot be used to test
 * guessed secrets. User passwords are stored only as a salted scrypt hash. Every buffer that held
 * a secret is wiped before it is freed.
 */
#ifndef SERVER_SECRET_H
#define SERVER_SECRET_H
#include <stddef.h>
#include <stdint.h>

#define SECRET_KEY_LEN 32
#define SECRET_HASH_LEN 32
#define SECRET_FPR_LEN 64 /* hex characters of a key fingerprint */

struct secret_key {
	uint8_t k[SECRET_KEY_LEN];
};

/* Read the server key from path. When the file is absent and create is 1, make a new random
 * key and write it with mode 0600 (O_EXCL: never overwrites). ERR_NOTFOUND (absent and not
 * create), ERR_PARSE (wrong size), ERR_PERM (file readable by group or others), ERR_IO.
 * detail receives a human message. */
int secret_key_load(const char *path, int create, struct secret_key *out, char *detail, size_t dlen);
/* Wipe the key. */
void secret_key_release(struct secret_key *k);
/* HMAC-SHA256 of secret[0..n) under the server key. */
int secret_hash(const struct secret_key *k, const char *secret, size_t n, uint8_t out[SECRET_HASH_LEN]);
/* Hex fingerprint of the key (an HMAC of a fixed label), stored in the database so that a
 * mismatched key file is detected at start-up. out holds SECRET_FPR_LEN + 1 bytes. */
int secret_key_fingerprint(const struct secret_key *k, char out[SECRET_FPR_LEN + 1]);
/* Encode a slow salted hash of a password: "scrypt$N$r$p$<salt hex>$<hash hex>". The caller
 * frees *out. ERR_NOMEM, ERR_INTERNAL, ERR_AGAIN (every hashing slot busy, see below). */
int secret_password_hash(const char *pw, size_t n, char **out);
/* Bound password hashing: at most limit hashes at once (0 = unbounded, the default), at most
 * queue_max callers waiting for a slot, each at most wait_ms; the others get ERR_AGAIN (the API
 * answers 429 with Retry-After). Also makes large blocks go back to the system when freed. */
void secret_pw_gate_init(unsigned limit, unsigned queue_max, unsigned wait_ms);
/* Hashes running and callers waiting right now (for metrics). */
void secret_pw_gate_stats(unsigned *running, unsigned *waiting);
/* 1 when pw matches an encoded hash, 0 when not (or the encoding is unknown). */
int secret_password_verify(const char *pw, size_t n, const char *encoded);

#endif
