/* SPDX-License-Identifier: MIT */
/*
 * authz: the authorization decision of every request (see authz.h), from one table. It runs
 * after authentication and routing (404 and 405 come first, as on Scaleway) and before any
 * handler reads or writes. Cost: nothing for the owner (the key's read already says whether its
 * bearer is the owner); otherwise one read of the rules that apply to the bearer, in the same
 * read snapshot as authentication for a GET.
 */
#include <stdio.h>
#include <string.h>

#include "common/compat.h"
#include "common/err.h"
#include "common/log.h"
#include "server/api_int.h"
#include "server/authz.h"

/* Sets granting every IAM action (IAMManager also holds ProjectManager's). */
#define FULL_READ "IAMReadOnly", "IAMManager", "OrganizationManager"
#define FULL_WRITE "IAMManager", "OrganizationManager"

static const char *const keys_read[] = { FULL_READ,         "IAMApplicationReadOnly", "IAMApplicationManager",
					 "IAMUserReadOnly", "IAMUserManager",         NULL };
static const char *const keys_write[] = { FULL_WRITE, "IAMApplicationManager", "IAMUserManager", NULL };
static const char *const apps_read[] = { FULL_READ, "IAMApplicationReadOnly", "IAMApplicationManager", NULL };
static const char *const apps_write[] = { FULL_WRITE, "IAMApplicationManager", NULL };
static const char *const users_read[] = { FULL_READ, "IAMUserReadOnly", "IAMUserManager", NULL };
static const char *const users_write[] = { FULL_WRITE, "IAMUserManager", NULL };
static const char *const groups_read[] = { FULL_READ, "IAMGroupReadOnly", "IAMGroupManager", NULL };
static const char *const groups_write[] = { FULL_WRITE, "IAMGroupManager", NULL };
static const char *const policies_read[] = { FULL_READ, "IAMPolicyReadOnly", "IAMPolicyManager", NULL };
static const char *const policies_write[] = { FULL_WRITE, "IAMPolicyManager", NULL };
static const char *const nothing[] = { NULL };

/* Route -> required permission. read / write: the caller needs one of these sets; NULL: any
 * authenticated key of the organization. */
static const struct authz_route {
	const char *route;    /* first path segment */
	const char *resource; /* "resource" of a 403 */
	const char *const *read, *const *write;
} routes[] = {
	{ "api-keys", "api_key", keys_read, keys_write },
	{ "applications", "application", apps_read, apps_write },
	{ "users", "user", users_read, users_write },
	{ "groups", "group", groups_read, groups_write },
	{ "policies", "policy", policies_read, policies_write },
	{ "rules", "policy", policies_read, policies_write },
	{ "permission-sets", "permission_set", NULL, nothing },
};

/* The narrow sets that reach API keys only through their bearer's type. */
static const char *const keys_app_read[] = { "IAMApplicationReadOnly", "IAMApplicationManager", NULL };
static const char *const keys_app_write[] = { "IAMApplicationManager", NULL };
static const char *const keys_user_read[] = { "IAMUserReadOnly", "IAMUserManager", NULL };
static const char *const keys_user_write[] = { "IAMUserManager", NULL };
static const char *const keys_full_read[] = { FULL_READ, NULL };
static const char *const keys_full_write[] = { FULL_WRITE, NULL };

/* The rules that apply to the caller now (conditions evaluated): their permission sets as the
 * stored JSON arrays of names. Only organization-level sets ever appear in the table above, and a
 * rule holding one is organization-scoped (rules are checked at write), so finding the quoted
 * name in an array is the whole test: no JSON parsing per request. */
#define HELD_MAX 128

struct held {
	const char *v[HELD_MAX]; /* JSON arrays (owned by g) */
	size_t n;
	struct store_grant_list g;
};

static int holds(const struct held *h, const char *const *want)
{
	char quoted[64];
	size_t i, j;

	for (i = 0; want[i]; i++) {
		snprintf(quoted, sizeof(quoted), "\"%s\"", want[i]);
		for (j = 0; j < h->n; j++)
			if (strstr(h->v[j], quoted))
				return 1;
	}
	return 0;
}

static int held_sets(struct ctx *c, struct held *h)
{
	struct authz_env env = { c->req->client_ip, c->req->user_agent, c->req->now };
	size_t i;
	int r = store_grants(c->a->store, c->org, c->caller.bearer_type, c->caller.bearer_id, &h->g);

	h->n = 0;
	if (r < 0)
		return r;
	for (i = 0; i < h->g.n && h->n < HELD_MAX; i++)
		if (authz_cond_eval(h->g.v[i].condition, &env) == 1)
			h->v[h->n++] = h->g.v[i].sets_json;
	return 0;
}

int authz_check(struct ctx *c, const char *resource, int read)
{
	const struct authz_route *rt = NULL;
	const char *const *want;
	struct held h;
	size_t i;
	int r;

	c->keys_of = STORE_BEARER_NONE;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (!strcmp(routes[i].route, resource))
			rt = &routes[i];
	if (!rt) { /* a route without an entry is refused, never allowed by omission */
		err_permissions(c, read ? "read" : "write", resource);
		return ERR_PERM;
	}
	want = read ? rt->read : rt->write;
	if (c->caller.bearer_is_owner || !want)
		return 0;
	r = held_sets(c, &h);
	if (r < 0) {
		err_store(c, r, rt->resource, "", NULL);
		return r;
	}
	if (!holds(&h, want)) {
		store_grant_list_release(&h.g);
		err_permissions(c, read ? "read" : "write", rt->resource);
		return ERR_PERM;
	}
	/* API keys: a narrow set reaches the keys of one bearer type only. */
	if (!strcmp(rt->route, "api-keys") && !holds(&h, read ? keys_full_read : keys_full_write)) {
		int app = holds(&h, read ? keys_app_read : keys_app_write);
		int user = holds(&h, read ? keys_user_read : keys_user_write);

		if (app != user)
			c->keys_of = app ? STORE_BEARER_APPLICATION : STORE_BEARER_USER;
	}
	store_grant_list_release(&h.g);
	return 0;
}
