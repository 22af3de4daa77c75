/* SPDX-License-Identifier: MIT */
/*
 * api_int: what the files of the API share (api.c: routing, authentication, keys, applications,
 * users; api_access.c: groups, policies, rules, permission sets; authz.c: the authorization
 * decision). Only src/server includes it.
 */
#ifndef SERVER_API_INT_H
#define SERVER_API_INT_H
#include "server/api.h"

#define API_PREFIX "/iam/v1alpha1/"

/* One request being served. */
struct ctx {
	const struct api *a;
	const struct api_req *req;
	struct api_resp *resp;
	struct store_key caller; /* the authenticated key */
	const char *org;         /* caller.organization_id */
	/* Set by authorization for api-keys requests: the caller may only see and manage keys of
	 * this bearer type (STORE_BEARER_NONE: any). */
	enum store_bearer keys_of;
};

enum method { M_GET, M_POST, M_PATCH, M_DELETE, M_PUT, M_OTHER };

/* A sub-resource: METHOD /<resource>/{id}/<name>. */
struct api_action {
	const char *name; /* NULL ends the table */
	enum method m;
	void (*fn)(struct ctx *c, const char *id);
	const char *route; /* route template, for the log and metrics */
};

struct api_resource {
	const char *name;
	const char *route_list, *route_item; /* route templates, for the log and metrics */
	void (*list)(struct ctx *c);         /* GET /<name> */
	void (*create)(struct ctx *c);       /* POST /<name> */
	void (*get)(struct ctx *c, const char *id);
	void (*update)(struct ctx *c, const char *id); /* PATCH */
	void (*del)(struct ctx *c, const char *id);
	void (*put)(struct ctx *c); /* PUT /<name> */
	const struct api_action *actions;
};

/* Responses (api.c). */
void internal_error(struct ctx *c);
void done(struct ctx *c, int status, int r);
void err_invalid(struct ctx *c, int status, const struct api_invalid *inv);
void err_invalid1(struct ctx *c, const char *arg, const char *reason, const char *help);
void err_not_found(struct ctx *c, const char *resource, const char *id);
void err_permissions(struct ctx *c, const char *action, const char *resource);
void err_store(struct ctx *c, int r, const char *resource, const char *id, const struct store_detail *d);
void no_content(struct ctx *c);
int same_org(struct ctx *c, const char *given, const char *action, const char *resource);
int check_uuid(struct ctx *c, const char *arg, const char *id);

/* Handlers of api_access.c. */
extern const struct api_resource api_groups, api_policies, api_rules, api_permission_sets;

#endif
