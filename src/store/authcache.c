/* SPDX-License-Identifier: MIT */
/*
 * authcache: a short-lived cache of what every authenticated request reads before its object:
 * successful authentications (secret hash -> key record) and the grants of a bearer that is not
 * an owner (organization, bearer -> the rules that apply to it), so that a request on a
 * networked engine costs one database round trip instead of two or three. An entry lives at
 * most ttl_ms: a key deleted or changed, or a policy, rule or group changed by another instance
 * takes effect everywhere within that bound. Writes of this process that change keys or access
 * bump a generation number that empties the cache at once, and an entry read before such a write
 * is never stored. Failed authentications are not cached. Direct-mapped, one mutex.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/store_int.h"

#define AC_SLOTS 1024
#define GC_SLOTS 256

struct ac_entry {
	uint8_t hash[STORE_HASH_LEN];
	struct store_key key; /* description owned */
	uint64_t gen;
	int64_t born_ms;
	int used;
};

struct gc_entry {
	char org[STORE_ID_LEN + 1], bearer[STORE_ID_LEN + 1];
	enum store_bearer type;
	struct store_grant_list grants; /* owned */
	uint64_t gen;
	int64_t born_ms;
	int used;
};

struct store_authcache {
	pthread_mutex_t mu;
	uint64_t gen;
	int64_t ttl_ms;
	struct ac_entry e[AC_SLOTS];
	struct gc_entry g[GC_SLOTS];
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
	for (i = 0; i < GC_SLOTS; i++)
		store_grant_list_release(&c->g[i].grants);
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

/* ---- grants ---- */

/* By bearer (a random UUID); organization and bearer type are compared in gc_match. */
static struct gc_entry *gslot(struct store_authcache *c, const char *bearer)
{
	return &c->g[mem_hash(bearer, strlen(bearer)) % GC_SLOTS];
}

static int gc_match(const struct gc_entry *e, const char *org, enum store_bearer type, const char *bearer)
{
	return e->used && e->type == type && !strcmp(e->org, org) && !strcmp(e->bearer, bearer);
}

/* A deep copy of src into dst (released on failure). */
static int grants_copy(struct store_grant_list *dst, const struct store_grant_list *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	if (!src->n)
		return 0;
	dst->v = mem_calloc(src->n, sizeof(*dst->v));
	if (!dst->v)
		return ERR_NOMEM;
	for (dst->n = 0; dst->n < src->n; dst->n++) {
		i = dst->n;
		dst->v[i].sets_json = mem_strndup(src->v[i].sets_json, strlen(src->v[i].sets_json));
		dst->v[i].condition = mem_strndup(src->v[i].condition, strlen(src->v[i].condition));
		if (!dst->v[i].sets_json || !dst->v[i].condition) {
			dst->n++;
			store_grant_list_release(dst);
			return ERR_NOMEM;
		}
	}
	return 0;
}

int store_authcache_grants_get(struct store_authcache *c, const char *org, enum store_bearer type, const char *bearer,
			       struct store_grant_list *out)
{
	struct gc_entry *e = gslot(c, bearer);
	int r = ERR_NOTFOUND;

	pthread_mutex_lock(&c->mu);
	if (gc_match(e, org, type, bearer) && e->gen == c->gen && now_ms() - e->born_ms < c->ttl_ms)
		r = grants_copy(out, &e->grants);
	pthread_mutex_unlock(&c->mu);
	return r;
}

void store_authcache_grants_put(struct store_authcache *c, const char *org, enum store_bearer type, const char *bearer,
				const struct store_grant_list *g, uint64_t gen)
{
	struct gc_entry *e = gslot(c, bearer);
	struct store_grant_list copy, old = { 0 };

	if (strlen(org) > STORE_ID_LEN || strlen(bearer) > STORE_ID_LEN || grants_copy(&copy, g) < 0)
		return;
	pthread_mutex_lock(&c->mu);
	if (gen == c->gen) {
		old = e->grants;
		memset(e, 0, sizeof(*e));
		memcpy(e->org, org, strlen(org) + 1);
		memcpy(e->bearer, bearer, strlen(bearer) + 1);
		e->type = type;
		e->grants = copy;
		copy.v = NULL;
		copy.n = 0;
		e->gen = gen;
		e->born_ms = now_ms();
		e->used = 1;
	}
	pthread_mutex_unlock(&c->mu);
	store_grant_list_release(&old); /* outside the lock */
	store_grant_list_release(&copy);
}
