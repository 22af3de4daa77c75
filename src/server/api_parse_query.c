/* SPDX-License-Identifier: MIT */
/*
 * api_parse_query: validation of the query parameters of the api-keys, applications and users
 * list endpoints (page, page_size, order_by, filters, repeated ids), and the query helpers the
 * other request parsers share (api_parse_int.h). See api_parse.h for the conventions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/compat.h"
#include "common/err.h"
#include "server/api_parse.h"
#include "server/api_parse_int.h"
#include "server/validate.h"

/* ---- query parameters ---- */

static int qbool(const char *k, const char *v, int *out, struct api_invalid *inv)
{
	if (!strcmp(v, "true")) {
		*out = 1;
	} else if (!strcmp(v, "false")) {
		*out = 0;
	} else {
		api_invalid_add(inv, k, "format", "%s must be true or false", k);
		return ERR_INVAL;
	}
	return 0;
}

static int quint(const char *k, const char *v, uint32_t lo, uint32_t hi, uint32_t *out, struct api_invalid *inv)
{
	unsigned long long x = 0;
	size_t i;

	for (i = 0; v[i]; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 10) {
			api_invalid_add(inv, k, "format", "%s must be an integer", k);
			return ERR_INVAL;
		}
		x = x * 10 + (unsigned)(v[i] - '0');
	}
	if (x < lo || x > hi) {
		api_invalid_add(inv, k, "constraint", "%s must be between %u and %u", k, lo, hi);
		return ERR_INVAL;
	}
	*out = (uint32_t)x;
	return 0;
}

static int quuid(const char *k, const char *v, char out[STORE_ID_LEN + 1], struct api_invalid *inv)
{
	if (api_uuid_norm(v, strlen(v), out) != 0) {
		api_invalid_add(inv, k, "format", "%s must be a UUID", k);
		return ERR_INVAL;
	}
	return 0;
}

static const struct order_name key_orders[] = {
	{ "created_at_asc", STORE_ORDER_CREATED_AT, 0 },
	{ "created_at_desc", STORE_ORDER_CREATED_AT, 1 },
	{ "updated_at_asc", STORE_ORDER_UPDATED_AT, 0 },
	{ "updated_at_desc", STORE_ORDER_UPDATED_AT, 1 },
	{ "expires_at_asc", STORE_ORDER_EXPIRES_AT, 0 },
	{ "expires_at_desc", STORE_ORDER_EXPIRES_AT, 1 },
	{ "access_key_asc", STORE_ORDER_ACCESS_KEY, 0 },
	{ "access_key_desc", STORE_ORDER_ACCESS_KEY, 1 },
	{ NULL, STORE_ORDER_CREATED_AT, 0 },
};

const struct order_name api_p_name_orders[] = {
	{ "created_at_asc", STORE_ORDER_CREATED_AT, 0 },
	{ "created_at_desc", STORE_ORDER_CREATED_AT, 1 },
	{ "updated_at_asc", STORE_ORDER_UPDATED_AT, 0 },
	{ "updated_at_desc", STORE_ORDER_UPDATED_AT, 1 },
	{ "name_asc", STORE_ORDER_NAME, 0 },
	{ "name_desc", STORE_ORDER_NAME, 1 },
	{ NULL, STORE_ORDER_CREATED_AT, 0 },
};

static const struct order_name user_orders[] = {
	{ "created_at_asc", STORE_ORDER_CREATED_AT, 0 },
	{ "created_at_desc", STORE_ORDER_CREATED_AT, 1 },
	{ "updated_at_asc", STORE_ORDER_UPDATED_AT, 0 },
	{ "updated_at_desc", STORE_ORDER_UPDATED_AT, 1 },
	{ "email_asc", STORE_ORDER_EMAIL, 0 },
	{ "email_desc", STORE_ORDER_EMAIL, 1 },
	{ "last_login_asc", STORE_ORDER_LAST_LOGIN, 0 },
	{ "last_login_desc", STORE_ORDER_LAST_LOGIN, 1 },
	{ "username_asc", STORE_ORDER_USERNAME, 0 },
	{ "username_desc", STORE_ORDER_USERNAME, 1 },
	{ NULL, STORE_ORDER_CREATED_AT, 0 },
};

/* The page parameters every list shares; 1 when k was one of them. */
static int qpage(const char *k, const char *v, const struct order_name *orders, struct store_page *pg, int *r,
		 struct api_invalid *inv)
{
	size_t i;

	if (!strcmp(k, "page")) {
		*r = api_p_merge(*r, quint(k, v, 1, VLD_PAGE_MAX, &pg->page, inv));
	} else if (!strcmp(k, "page_size")) {
		*r = api_p_merge(*r, quint(k, v, 1, 100, &pg->page_size, inv));
	} else if (!strcmp(k, "order_by")) {
		for (i = 0; orders[i].name; i++) {
			if (!strcmp(v, orders[i].name)) {
				pg->order = orders[i].order;
				pg->desc = orders[i].desc;
				return 1;
			}
		}
		api_invalid_add(inv, k, "format", "unknown order_by value");
		*r = api_p_merge(*r, ERR_INVAL);
	} else {
		return 0;
	}
	return 1;
}

static void page_init(struct store_page *pg)
{
	pg->order = STORE_ORDER_CREATED_AT;
	pg->desc = 0;
	pg->page = 1;
	pg->page_size = 20;
}

/* Append one value of a repeated parameter after checking its format with check. */
static int qrepeat(const char *k, const char *v, size_t width, char *slots, const char **ptrs, size_t *n,
		   int (*check)(const char *, char *), struct api_invalid *inv)
{
	if (*n >= API_MAX_REPEAT) {
		api_invalid_add(inv, k, "constraint", "%s accepts at most %d values", k, API_MAX_REPEAT);
		return ERR_INVAL;
	}
	if (check(v, slots + *n * width) != 0) {
		api_invalid_add(inv, k, "format", "%s has a malformed value", k);
		return ERR_INVAL;
	}
	ptrs[*n] = slots + *n * width;
	(*n)++;
	return 0;
}

static int check_uuid(const char *v, char *out)
{
	return api_uuid_norm(v, strlen(v), out);
}

static int check_access_key(const char *v, char *out)
{
	size_t n = strlen(v);

	if (!access_key_is_valid(v, n))
		return ERR_PARSE;
	memcpy(out, v, n + 1);
	return 0;
}

int api_parse_key_query(const struct api_qparam *q, size_t n, struct tstamp now, struct api_key_query *out,
			struct api_invalid *inv)
{
	struct store_key_filter *f = &out->f;
	size_t i;
	int r = 0;

	memset(f, 0, sizeof(*f));
	f->editable = f->expired = -1;
	f->now = now;
	page_init(&f->page);
	f->access_keys = out->id_ptrs;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!k || !v || !*v || qpage(k, v, key_orders, &f->page, &r, inv))
			continue;
		if (!strcmp(k, "organization_id")) {
			r = api_p_merge(r, quuid(k, v, out->org, inv));
			f->organization_id = out->org;
		} else if (!strcmp(k, "editable")) {
			r = api_p_merge(r, qbool(k, v, &f->editable, inv));
		} else if (!strcmp(k, "expired")) {
			r = api_p_merge(r, qbool(k, v, &f->expired, inv));
		} else if (!strcmp(k, "access_key")) {
			if (!access_key_is_valid(v, strlen(v))) {
				api_invalid_add(inv, k, "format", "access_key must look like SCWXXXXXXXXXXXXXXXXX");
				r = api_p_merge(r, ERR_INVAL);
			}
			f->access_key = v;
		} else if (!strcmp(k, "description")) {
			r = api_p_merge(r, api_p_vld_arg(k, v, strlen(v), inv));
			f->description = v;
		} else if (!strcmp(k, "bearer_id")) {
			r = api_p_merge(r, quuid(k, v, out->bearer, inv));
			f->bearer_id = out->bearer;
		} else if (!strcmp(k, "bearer_type")) {
			if (!strcmp(v, "application")) {
				f->bearer_type = STORE_BEARER_APPLICATION;
			} else if (!strcmp(v, "user")) {
				f->bearer_type = STORE_BEARER_USER;
			} else if (strcmp(v, "unknown_bearer_type") != 0) {
				api_invalid_add(inv, k, "format", "bearer_type must be user or application");
				r = api_p_merge(r, ERR_INVAL);
			}
		} else if (!strcmp(k, "access_keys")) {
			r = api_p_merge(r, qrepeat(k, v, sizeof(out->ids[0]), out->ids[0], out->id_ptrs,
						   &f->n_access_keys, check_access_key, inv));
		} else if (!strcmp(k, "application_id")) {
			r = api_p_merge(r, quuid(k, v, out->app, inv));
			f->application_id = out->app;
		} else if (!strcmp(k, "user_id")) {
			r = api_p_merge(r, quuid(k, v, out->user, inv));
			f->user_id = out->user;
		}
	}
	return r;
}

int api_parse_app_query(const struct api_qparam *q, size_t n, struct api_app_query *out, struct api_invalid *inv)
{
	struct store_app_filter *f = &out->f;
	size_t i;
	int r = 0;

	memset(f, 0, sizeof(*f));
	f->editable = -1;
	page_init(&f->page);
	f->ids = out->id_ptrs;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!k || !v || !*v || qpage(k, v, api_p_name_orders, &f->page, &r, inv))
			continue;
		if (!strcmp(k, "organization_id")) {
			r = api_p_merge(r, quuid(k, v, out->org, inv));
			f->organization_id = out->org;
		} else if (!strcmp(k, "name")) {
			r = api_p_merge(r, api_p_vld_arg(k, v, strlen(v), inv));
			f->name = v;
		} else if (!strcmp(k, "tag")) {
			f->tag = v;
		} else if (!strcmp(k, "editable")) {
			r = api_p_merge(r, qbool(k, v, &f->editable, inv));
		} else if (!strcmp(k, "application_ids")) {
			r = api_p_merge(r, qrepeat(k, v, sizeof(out->ids[0]), out->ids[0], out->id_ptrs, &f->n_ids,
						   check_uuid, inv));
		}
	}
	return r;
}

int api_parse_user_query(const struct api_qparam *q, size_t n, struct api_user_query *out, struct api_invalid *inv)
{
	struct store_user_filter *f = &out->f;
	size_t i;
	int r = 0;

	memset(f, 0, sizeof(*f));
	f->mfa = -1;
	page_init(&f->page);
	f->ids = out->id_ptrs;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!k || !v || !*v || qpage(k, v, user_orders, &f->page, &r, inv))
			continue;
		if (!strcmp(k, "organization_id")) {
			r = api_p_merge(r, quuid(k, v, out->org, inv));
			f->organization_id = out->org;
		} else if (!strcmp(k, "tag")) {
			f->tag = v;
		} else if (!strcmp(k, "mfa")) {
			r = api_p_merge(r, qbool(k, v, &f->mfa, inv));
		} else if (!strcmp(k, "type")) {
			if (!strcmp(v, "owner")) {
				f->type = STORE_USER_OWNER;
			} else if (!strcmp(v, "member")) {
				f->type = STORE_USER_MEMBER;
			} else if (strcmp(v, "unknown_type") != 0) {
				api_invalid_add(inv, k, "format", "type must be owner or member");
				r = api_p_merge(r, ERR_INVAL);
			}
		} else if (!strcmp(k, "user_ids")) {
			r = api_p_merge(r, qrepeat(k, v, sizeof(out->ids[0]), out->ids[0], out->id_ptrs, &f->n_ids,
						   check_uuid, inv));
		}
	}
	return r;
}

/* ---- for the other request parsers (api_parse_int.h) ---- */

int api_p_qpage(const char *k, const char *v, const struct order_name *orders, struct store_page *pg, int *r,
		struct api_invalid *inv)
{
	return qpage(k, v, orders, pg, r, inv);
}

void api_p_page_init(struct store_page *pg)
{
	page_init(pg);
}

int api_p_qbool(const char *k, const char *v, int *out, struct api_invalid *inv)
{
	return qbool(k, v, out, inv);
}

int api_p_quuid(const char *k, const char *v, char out[STORE_ID_LEN + 1], struct api_invalid *inv)
{
	return quuid(k, v, out, inv);
}

int api_p_qrepeat_uuid(const char *k, const char *v, char (*slots)[STORE_ID_LEN + 1], const char **ptrs, size_t *n,
		       struct api_invalid *inv)
{
	return qrepeat(k, v, STORE_ID_LEN + 1, slots[0], ptrs, n, check_uuid, inv);
}
