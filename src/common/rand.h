/* SPDX-License-Identifier: MIT */
/*
 * rand: identifiers from the OS CSPRNG (OpenSSL RAND_bytes): UUID v4 strings, Scaleway access
 * keys ("SCW" + 17 Crockford base32 characters), and format checks for both.
 */
#ifndef COMMON_RAND_H
#define COMMON_RAND_H
#include <stddef.h>
#include <stdint.h>

#define UUID_STR_LEN 36
#define ACCESS_KEY_LEN 20

/* Fill buf with n random bytes. ERR_INTERNAL if the CSPRNG fails. */
int rand_bytes(void *buf, size_t n);
/* Write a random lowercase UUID v4 and its NUL into out[UUID_STR_LEN + 1]. */
int rand_uuid_v4(char out[UUID_STR_LEN + 1]);
/* Same from the kernel's getrandom(), without OpenSSL: for identifiers that are not secrets (a
 * request id in logs) on paths that should not initialise OpenSSL's generator. */
int rand_uuid_v4_plain(char out[UUID_STR_LEN + 1]);
/* Write "SCW" + 17 random Crockford base32 characters and a NUL into out[ACCESS_KEY_LEN + 1]. */
int rand_access_key(char out[ACCESS_KEY_LEN + 1]);
/* 1 when s[0..n) is a UUID (8-4-4-4-12 hex digits, either case), else 0. */
int uuid_is_valid(const char *s, size_t n);
/* 1 when s[0..n) matches ^SCW[A-Z0-9]{17}$ (the SDK's check), else 0. */
int access_key_is_valid(const char *s, size_t n);

#endif
