/* SPDX-License-Identifier: MIT */
/* authcache: authentications and grants kept at most ttl_ms, forgotten at once on a bump, never
 * stored when read before one; grants handed out as deep copies, keyed by organization, bearer
 * type and bearer. */
#include <stdlib.h>
#include <time.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/store_int.h"
#include "test.h"

#define ORG "11111111-1111-4111-8111-111111111111"
#define ORG2 "22222222-2222-4222-8222-222222222222"
#define APP "33333333-3333-4333-8333-333333333333"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Two grants, as store_grants() returns them. */
static void two_grants(struct store_grant_list *l)
{
	l->n = 2;
	l->v = mem_calloc(2, sizeof(*l->v));
	l->v[0].sets_json = mem_strndup("[\"IAMReadOnly\"]", 15);
	l->v[0].condition = mem_strndup("", 0);
	l->v[1].sets_json = mem_strndup("[\"IAMManager\"]", 14);
	l->v[1].condition = mem_strndup("request.ip == '10.0.0.1'", 24);
}

TEST(grants_round_trip_as_deep_copies)
{
	struct store_authcache *c = store_authcache_new(10000);
	struct store_grant_list in = { 0 }, out = { 0 }, again = { 0 };

	ASSERT(c != NULL);
	two_grants(&in);
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG, STORE_BEARER_APPLICATION, APP, &out), ERR_NOTFOUND);
	store_authcache_grants_put(c, ORG, STORE_BEARER_APPLICATION, APP, &in, store_authcache_gen(c));
	store_grant_list_release(&in); /* the cache holds its own copy */
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG, STORE_BEARER_APPLICATION, APP, &out), 0);
	ASSERT_EQ_UINT(out.n, 2);
	ASSERT_EQ_STR(out.v[0].sets_json, "[\"IAMReadOnly\"]");
	ASSERT_EQ_STR(out.v[0].condition, "");
	ASSERT_EQ_STR(out.v[1].sets_json, "[\"IAMManager\"]");
	ASSERT_EQ_STR(out.v[1].condition, "request.ip == '10.0.0.1'");
	store_grant_list_release(&out); /* and each reader its own */
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG, STORE_BEARER_APPLICATION, APP, &again), 0);
	ASSERT_EQ_UINT(again.n, 2);
	store_grant_list_release(&again);
	store_authcache_free(c);
}

TEST(grants_are_keyed_by_organization_type_and_bearer)
{
	struct store_authcache *c = store_authcache_new(10000);
	struct store_grant_list in = { 0 }, out = { 0 };

	two_grants(&in);
	store_authcache_grants_put(c, ORG, STORE_BEARER_APPLICATION, APP, &in, store_authcache_gen(c));
	/* the same bearer id (the same slot) in another organization or as another type */
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG2, STORE_BEARER_APPLICATION, APP, &out), ERR_NOTFOUND);
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG, STORE_BEARER_USER, APP, &out), ERR_NOTFOUND);
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG, STORE_BEARER_APPLICATION, ORG2, &out), ERR_NOTFOUND);
	/* no grants at all is an answer worth keeping too */
	store_grant_list_release(&in);
	store_authcache_grants_put(c, ORG2, STORE_BEARER_USER, APP, &in, store_authcache_gen(c));
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG2, STORE_BEARER_USER, APP, &out), 0);
	ASSERT_EQ_UINT(out.n, 0);
	store_authcache_free(c);
}

TEST(a_bump_forgets_and_a_read_from_before_it_is_not_kept)
{
	struct store_authcache *c = store_authcache_new(10000);
	struct store_grant_list in = { 0 }, out = { 0 };
	uint64_t before;

	two_grants(&in);
	store_authcache_grants_put(c, ORG, STORE_BEARER_APPLICATION, APP, &in, store_authcache_gen(c));
	store_authcache_bump(c);
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG, STORE_BEARER_APPLICATION, APP, &out), ERR_NOTFOUND);
	before = store_authcache_gen(c);
	store_authcache_bump(c); /* a write finished while those grants were being read */
	store_authcache_grants_put(c, ORG, STORE_BEARER_APPLICATION, APP, &in, before);
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG, STORE_BEARER_APPLICATION, APP, &out), ERR_NOTFOUND);
	store_grant_list_release(&in);
	store_authcache_free(c);
}

TEST(entries_expire_after_the_ttl)
{
	struct store_authcache *c = store_authcache_new(400); /* long enough to be read back at once, even under load */
	struct store_grant_list in = { 0 }, out = { 0 };
	uint8_t hash[STORE_HASH_LEN];
	struct store_key k = { 0 }, got = { 0 };
	char desc[] = "d";

	memset(hash, 7, sizeof(hash));
	snprintf(k.access_key, sizeof(k.access_key), "SCWAAAAAAAAAAAAAAAAA");
	k.description = desc;
	two_grants(&in);
	store_authcache_grants_put(c, ORG, STORE_BEARER_APPLICATION, APP, &in, store_authcache_gen(c));
	store_authcache_put(c, hash, &k, store_authcache_gen(c));
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG, STORE_BEARER_APPLICATION, APP, &out), 0);
	store_grant_list_release(&out);
	ASSERT_EQ_INT(store_authcache_get(c, hash, &got), 0);
	ASSERT_EQ_STR(got.access_key, "SCWAAAAAAAAAAAAAAAAA");
	store_key_release(&got);
	sleep_ms(500);
	ASSERT_EQ_INT(store_authcache_grants_get(c, ORG, STORE_BEARER_APPLICATION, APP, &out), ERR_NOTFOUND);
	ASSERT_EQ_INT(store_authcache_get(c, hash, &got), ERR_NOTFOUND);
	store_grant_list_release(&in);
	store_authcache_free(c);
}

int main(void)
{
	RUN(grants_round_trip_as_deep_copies);
	RUN(grants_are_keyed_by_organization_type_and_bearer);
	RUN(a_bump_forgets_and_a_read_from_before_it_is_not_kept);
	RUN(entries_expire_after_the_ttl);
	return test_done();
}
