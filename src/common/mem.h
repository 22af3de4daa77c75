/* SPDX-License-Identifier: MIT */
/*
 * mem: allocation helpers and secret hygiene. mem_wipe() clears memory in a way the compiler
 * cannot elide; mem_freezero() wipes then frees (for API secret keys, TLS private keys,
 * passwords); mem_ct_eq() compares in constant time; mem_hash() hashes bytes for tables. mem_wiping_malloc()/mem_wiping_free() are
 * a size-tracking allocator pair whose free wipes, for libraries that take allocation hooks
 * without passing sizes to free (jansson's json_set_alloc_funcs, protobuf-c's allocator).
 */
#ifndef COMMON_MEM_H
#define COMMON_MEM_H
#include <stddef.h>
#include <stdint.h>
#include "common/compat.h"

/* Wipe n bytes at p (p may be NULL when n is 0). */
void mem_wipe(void *p, size_t n);
/* Wipe n bytes at p, then free(p). NULL is fine. */
void mem_freezero(void *p, size_t n);
/* Wipe and free a NUL-terminated secret string. NULL is fine. */
void mem_free_secret_str(char *s);
/* 1 when the n bytes at a and b are equal, in time independent of their contents. */
int mem_ct_eq(const void *a, const void *b, size_t n);
/* FNV-1a of the n bytes at p: a bucket index for in-memory tables (not for secrets). */
uint32_t mem_hash(const void *p, size_t n);
/* malloc() whose block remembers its size: mem_wiping_free() wipes the whole block then frees
 * it. Memory from one must only be freed by the other (never by free()). NULL when n is too big. */
void *mem_wiping_malloc(size_t n);
/* Wipe and free a block from mem_wiping_malloc(). NULL is fine. */
void mem_wiping_free(void *p);
/* realloc() for mem_wiping_malloc() blocks: always moves, wiping the old block. p NULL is
 * malloc; on failure p is left untouched and NULL is returned. */
void *mem_wiping_realloc(void *p, size_t n);

/* Test hook: when set, fn is called by every mem_wipe() just before it clears the n bytes at p
 * (still allocated, contents intact), so unit tests can prove that a release path wipes the
 * bytes that held a given secret. NULL
 * (the default, and the only value production code uses) turns it off. Not thread-safe:
 * set it only while a single thread runs. */
typedef void (*mem_wipe_observer_fn)(const void *p, size_t n, void *ud);
void mem_set_wipe_observer(mem_wipe_observer_fn fn, void *ud);

/* strdup/strndup that return NULL on failure (callers map it to ERR_NOMEM). */
char *mem_strndup(const char *s, size_t n);
/* Overflow-checked n*size allocation, zeroed. */
void *mem_calloc(size_t n, size_t size);

#endif
