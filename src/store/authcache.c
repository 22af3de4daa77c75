/* SPDX-License-Identifier: MIT */
/*
 * authcache: a short-lived cache of successful authentications (secret hash -> key record), so
 * that an authenticated request on a networked engine costs one database round trip instead of
 * two. An entry lives at most ttl_ms: a key deleted or changed by another instance is refused
 * (or seen changed) everywhere within that bound. Writes of this process that delete or change
 * keys bump a generation number that empties the cache at once, and an entry read before such a
 * write is never stored. Failed authentications are not cached. Direct-mapped, one mutex.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/store_int.h"

#define AC_SLOTS 1024

struct ac_entry {
	uint8_t hash[STORE_HASH_LEN];
	struct store_key key; /* description owned */
	uint64_t gen;
	int64_t born_ms;
	int used;
};

struct store_authcache {
	pthread_mutex_t mu;
	uint64_t gen;
	int64_t ttl_ms;
	struct ac_entry e[AC_SLOTS];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct ac_entry *slot(struct store_authcache *c, const uint8_t *hash)
{
	return &c->e[((unsigned)hash[0] | (unsigned)hash[1] << 8) % AC_SLOTS];
}

static void entry_clear(struct ac_entry *e)
{
	store_key_release(&e->key);
	mem_wipe(e, sizeof(*e));
}

struct store_authcache *store_authcache_new(int ttl_ms)
{
	struct store_authcache *c = mem_calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->mu, NULL);
	c->ttl_ms = ttl_ms;
	return c;
}

void store_authcache_free(struct store_authcache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < AC_SLOTS; i++)
		entry_clear(&c->e[i]);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

uint64_t store_authcache_gen(struct store_authcache *c)
{
	uint64_t g;

	pthread_mutex_lock(&c->mu);
	g = c->gen;
	pthread_mutex_unlock(&c->mu);
	return g;
}

int store_authcache_get(struct store_authcache *c, const uint8_t hash[STORE_HASH_LEN], struct store_key *out)
{
	struct ac_entry *e = slot(c, hash);
	int r = ERR_NOTFOUND;

	pthread_mutex_lock(&c->mu);
	if (e->used && e->gen == c->gen && now_ms() - e->born_ms < c->ttl_ms &&
	    mem_ct_eq(e->hash, hash, STORE_HASH_LEN)) {
		*out = e->key;
		out->description = mem_strndup(e->key.description, strlen(e->key.description));
		r = out->description ? 0 : ERR_NOMEM;
	}
	pthread_mutex_unlock(&c->mu);
	return r;
}

void store_authcache_put(struct store_authcache *c, const uint8_t hash[STORE_HASH_LEN], const struct store_key *k,
			 uint64_t gen)
{
	struct ac_entry *e = slot(c, hash);
	char *desc = mem_strndup(k->description ? k->description : "", k->description ? strlen(k->description) : 0);

	if (!desc)
		return;
	pthread_mutex_lock(&c->mu);
	if (gen == c->gen) {
		entry_clear(e);
		memcpy(e->hash, hash, STORE_HASH_LEN);
		e->key = *k;
		e->key.description = desc;
		desc = NULL;
		e->gen = gen;
		e->born_ms = now_ms();
		e->used = 1;
	}
	pthread_mutex_unlock(&c->mu);
	free(desc);
}

void store_authcache_bump(struct store_authcache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->gen++;
	pthread_mutex_unlock(&c->mu);
}
