/* SPDX-License-Identifier: MIT */
/* mem: secret wiping, constant-time comparison and small allocation helpers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "common/mem.h"

void mem_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

void mem_freezero(void *p, size_t n)
{
	if (!p)
		return;
	mem_wipe(p, n);
	free(p);
}

void mem_free_secret_str(char *s)
{
	if (!s)
		return;
	mem_freezero(s, strlen(s));
}

int mem_ct_eq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

char *mem_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void *mem_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}
