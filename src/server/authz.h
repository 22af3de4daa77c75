/* SPDX-License-Identifier: MIT */
/*
 * authz: authorization of scw-iamd, decided in one place (authz.c) from one table: for each
 * route (first path segment) and access (read = GET, write = anything else), the permission
 * sets of which the caller needs one. The caller's permission sets are the union of the
 * organization-scoped rules whose condition holds, of every policy naming the caller's bearer
 * or a group holding it, read in the request's read snapshot (nothing is cached, so a change is
 * effective on the next request, on every instance). The organization's owner may do anything.
 * Denied: 403 permissions_denied {"details":[{"action":"read"|"write","resource":...}]}.
 *
 * Also the policy-condition evaluator
 * (authz_cond.c: a subset of CEL; anything outside it, or any error, grants nothing).
 */
#ifndef SERVER_AUTHZ_H
#define SERVER_AUTHZ_H
#include <stddef.h>

#include "common/iam_permsets.h"
#include "common/timeutil.h"
#include "store/store.h"

struct ctx;

/* 0 when the authenticated caller of c may do this; else the 403 is written and ERR_PERM
 * returned (or a 5xx and the store's error). resource: the route's first path segment. */
int authz_check(struct ctx *c, const char *resource, int read);

/* Permission sets: common/iam_permsets.h (scope numbers equal the store's). */
_Static_assert((int)IAM_SCOPE_ORGANIZATION == (int)STORE_SCOPE_ORGANIZATION, "scope numbering");
_Static_assert((int)IAM_SCOPE_PROJECTS == (int)STORE_SCOPE_PROJECTS, "scope numbering");

/* ---- conditions (authz_cond.c) ---- */

#define AUTHZ_COND_MAX 1000 /* characters of a stored condition */

struct authz_env {
	const char *ip;         /* request.ip */
	const char *user_agent; /* request.user_agent (truncated to 255 bytes) */
	struct tstamp time;     /* request.time */
};

/* 1 when cond holds in env, 0 when it does not, a negative ERR_* when it cannot be parsed or
 * evaluated (the caller grants nothing then). "" holds. */
int authz_cond_eval(const char *cond, const struct authz_env *env);

#endif
