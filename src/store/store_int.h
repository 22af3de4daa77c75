/* SPDX-License-Identifier: MIT */
/*
 * store_int: what a storage backend implements (curl vtls style). A backend allocates a struct
 * that begins with struct store, points ops at its static function table, and store.c
 * dispatches every public call through it. Only store.c and the backends include this header.
 */
#ifndef STORE_STORE_INT_H
#define STORE_STORE_INT_H
#include <stdatomic.h>

#include "store/store.h"

struct store_ops {
	const char *name;
	void (*close)(struct store *s);
	int (*read_begin)(struct store *s); /* optional */
	void (*read_end)(struct store *s);  /* optional */
	int (*meta_get)(struct store *s, const char *key, char *out, size_t out_len);
	int (*meta_set)(struct store *s, const char *key, const char *value);
	int (*bootstrap)(struct store *s, struct store_bootstrap *out);
	int (*org_create)(struct store *s, const char *name, struct store_bootstrap *out);
	int (*org_list)(struct store *s, struct store_org_list *out);
	int (*ping)(struct store *s, char *detail, size_t dlen);
	int (*org_default_project)(struct store *s, const char *org, char out[STORE_ID_LEN + 1]);
	int (*auth)(struct store *s, const uint8_t hash[STORE_HASH_LEN], struct store_key *out);
	int (*key_create)(struct store *s, struct store_key *k, const uint8_t hash[STORE_HASH_LEN],
			  uint32_t quota, struct store_detail *d);
	int (*key_get)(struct store *s, const char *org, const char *ak, struct store_key *out);
	int (*key_update)(struct store *s, const char *org, const char *ak,
			  const struct store_key_patch *p, struct store_key *out);
	int (*key_delete)(struct store *s, const char *org, const char *ak);
	int (*key_list)(struct store *s, const struct store_key_filter *f, struct store_key_list *out);
	int (*app_create)(struct store *s, const struct store_app *a, struct store_detail *d);
	int (*app_get)(struct store *s, const char *org, const char *id, struct store_app *out);
	int (*app_update)(struct store *s, const char *org, const char *id,
			  const struct store_app_patch *p, struct store_app *out);
	int (*app_delete)(struct store *s, const char *org, const char *id);
	int (*app_list)(struct store *s, const struct store_app_filter *f, struct store_app_list *out);
	int (*user_create)(struct store *s, const struct store_user *u, const char *password_hash,
			   struct store_detail *d);
	int (*user_get)(struct store *s, const char *org, const char *id, struct store_user *out);
	int (*user_update)(struct store *s, const char *org, const char *id,
			   const struct store_user_patch *p, struct store_user *out,
			   struct store_detail *d);
	int (*user_delete)(struct store *s, const char *org, const char *id);
	int (*user_list)(struct store *s, const struct store_user_filter *f,
			 struct store_user_list *out);
};

/* Pool-use counters (store_pool_stats): the engine moves them with relaxed atomics as it opens
 * and closes connections, begins and ends transactions, and queues callers. */
struct store_pool {
	atomic_uint open, in_use, waiting;
	unsigned max;
};

struct store {
	const struct store_ops *ops;
	struct store_pool pool;
};

static inline void store_pool_add(atomic_uint *c, int d)
{
	if (d >= 0)
		atomic_fetch_add_explicit(c, (unsigned)d, memory_order_relaxed);
	else
		atomic_fetch_sub_explicit(c, (unsigned)-d, memory_order_relaxed);
}

/* Backends. path: what follows the scheme. */
int store_sqlite_open(const char *path, struct store **out, char *detail, size_t detail_len);

#endif
