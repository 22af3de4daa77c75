/* SPDX-License-Identifier: MIT */
/*
 * mem: allocation helpers and secret hygiene. mem_wipe() clears memory in a way the compiler
 * cannot elide; mem_freezero() wipes then frees (for API secret keys, TLS private keys,
 * passwords); mem_ct_eq() compares in constant time.
 */
#ifndef COMMON_MEM_H
#define COMMON_MEM_H
#include <stddef.h>
#include "common/compat.h"

/* Wipe n bytes at p (p may be NULL when n is 0). */
void mem_wipe(void *p, size_t n);
/* Wipe n bytes at p, then free(p). NULL is fine. */
void mem_freezero(void *p, size_t n);
/* Wipe and free a NUL-terminated secret string. NULL is fine. */
void mem_free_secret_str(char *s);
/* 1 when the n bytes at a and b are equal, in time independent of their contents. */
int mem_ct_eq(const void *a, const void *b, size_t n);
/* strdup/strndup that return NULL on failure (callers map it to ERR_NOMEM). */
char *mem_strndup(const char *s, size_t n);
/* Overflow-checked n*size allocation, zeroed. */
void *mem_calloc(size_t n, size_t size);

#endif
