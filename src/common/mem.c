/* SPDX-License-Identifier: MIT */
/* mem: secret wiping, constant-time comparison and small allocation helpers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "common/mem.h"

static mem_wipe_observer_fn wipe_observer;
static void *wipe_observer_ud;

void mem_set_wipe_observer(mem_wipe_observer_fn fn, void *ud)
{
	wipe_observer = fn;
	wipe_observer_ud = ud;
}

void mem_wipe(void *p, size_t n)
{
	if (!p || !n)
		return;
	if (wipe_observer)
		wipe_observer(p, n, wipe_observer_ud);
	OPENSSL_cleanse(p, n);
}

/* The size lives in a header as large as the strictest alignment, so the caller's pointer
 * keeps malloc()'s alignment guarantee. */
#define WIPING_HDR sizeof(max_align_t)

void *mem_wiping_malloc(size_t n)
{
	unsigned char *p;

	if (n > SIZE_MAX - WIPING_HDR)
		return NULL;
	p = malloc(WIPING_HDR + n);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + WIPING_HDR;
}

void mem_wiping_free(void *ptr)
{
	unsigned char *p;
	size_t n;

	if (!ptr)
		return;
	p = (unsigned char *)ptr - WIPING_HDR;
	memcpy(&n, p, sizeof(n));
	mem_freezero(p, WIPING_HDR + n);
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

void *mem_wiping_realloc(void *ptr, size_t n)
{
	unsigned char *q;
	size_t old;

	if (!ptr)
		return mem_wiping_malloc(n);
	q = mem_wiping_malloc(n);
	if (!q)
		return NULL;
	memcpy(&old, (unsigned char *)ptr - WIPING_HDR, sizeof(old));
	memcpy(q, ptr, old < n ? old : n);
	mem_wiping_free(ptr);
	return q;
}

int mem_ct_eq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

uint32_t mem_hash(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *b++) * 16777619u;
	return h;
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
