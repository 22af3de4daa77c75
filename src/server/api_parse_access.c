/* SPDX-License-Identifier: MIT */
/*
 * api_parse_access: validation of the groups, policies, rules and permission-sets requests
 * (see api_parse_access.h), on the field helpers of api_parse.c.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "server/api_parse_access.h"
#include "server/api_parse_int.h"
#include "server/authz.h"

/* Tags of groups and policies: ^[a-zA-Z0-9._\-/=+@ ]+$ (no ':'). */
static int tags_charset(const struct store_tags *t, struct api_invalid *inv)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		const char *s = t->v[i];

		for (j = 0; s[j]; j++)
			if (!((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
			      (s[j] >= '0' && s[j] <= '9') || strchr("._-/=+@ ", s[j])))
				break;
		if (!s[0] || s[j]) {
			api_invalid_add(inv, "tags", "format", "each tag must match ^[a-zA-Z0-9._\\-/=+@ ]+$");
			return ERR_INVAL;
		}
	}
	return 0;
}

static int tags_checked(json_t *o, struct store_tags *t, int *present, struct api_invalid *inv)
{
	int r = api_p_tags(o, "tags", t, present, inv);

	return r == 0 ? tags_charset(t, inv) : r;
}

static int empty_str(char **s)
{
	if (*s)
		return 0;
	*s = mem_strndup("", 0);
	return *s ? 0 : ERR_NOMEM;
}

/* An array member of at most max UUIDs (absent: empty). */
static int uuid_array(json_t *o, const char *k, size_t max, struct store_tags *out, struct api_invalid *inv)
{
	json_t *v = api_p_member(o, k);
	char id[STORE_ID_LEN + 1];
	size_t i, n;

	out->v = NULL;
	out->n = 0;
	if (!v)
		return 0;
	if (!json_is_array(v)) {
		api_invalid_add(inv, k, "format", "%s must be an array of UUIDs", k);
		return ERR_INVAL;
	}
	n = json_array_size(v);
	if (n > max) {
		api_invalid_add(inv, k, "constraint", "%s must hold at most %zu values", k, max);
		return ERR_INVAL;
	}
	out->v = mem_calloc(n + 1, sizeof(char *));
	if (!out->v)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);

		if (!json_is_string(e) || api_uuid_norm(json_string_value(e), json_string_length(e), id) != 0) {
			api_invalid_add(inv, k, "format", "%s[%zu] must be a UUID", k, i);
			store_tags_release(out);
			return ERR_INVAL;
		}
		out->v[i] = mem_strndup(id, strlen(id));
		if (!out->v[i]) {
			store_tags_release(out);
			return ERR_NOMEM;
		}
		out->n = i + 1;
	}
	return 0;
}

/* ---- groups ---- */

int api_parse_group_create(const char *body, size_t len, struct api_group_create *out, struct api_invalid *inv)
{
	json_t *o = NULL;
	int r, has_tags;

	memset(out, 0, sizeof(*out));
	r = api_p_load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = api_p_merge(r, api_p_str(o, "name", "name", API_GROUP_NAME_MAX, 1, &out->name, inv));
	r = api_p_merge(r, api_p_str(o, "description", "description", API_DESCRIPTION_MAX, 0, &out->description, inv));
	r = api_p_merge(r, api_p_uuid(o, "organization_id", out->organization_id, NULL, inv));
	r = api_p_merge(r, tags_checked(o, &out->tags, &has_tags, inv));
	if (r == 0)
		r = empty_str(&out->description);
	json_decref(o);
	if (r < 0)
		api_group_create_release(out);
	return r;
}

int api_parse_group_update(const char *body, size_t len, struct api_group_update *out, struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = api_p_load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = api_p_merge(r, api_p_str(o, "name", "name", API_GROUP_NAME_MAX, 0, &out->name, inv));
	if (r == 0 && out->name && !out->name[0]) {
		api_invalid_add(inv, "name", "required", "name must not be empty");
		r = ERR_INVAL;
	}
	r = api_p_merge(r, api_p_str(o, "description", "description", API_DESCRIPTION_MAX, 0, &out->description, inv));
	r = api_p_merge(r, tags_checked(o, &out->tags, &out->set_tags, inv));
	json_decref(o);
	if (r < 0)
		api_group_update_release(out);
	return r;
}

/* One id of a oneof pair into a one-element list. */
static int one_id(const char *id, struct store_tags *t)
{
	t->v = mem_calloc(1, sizeof(char *));
	if (!t->v)
		return ERR_NOMEM;
	t->v[0] = mem_strndup(id, strlen(id));
	if (!t->v[0])
		return ERR_NOMEM;
	t->n = 1;
	return 0;
}

int api_parse_members(const char *body, size_t len, int single, struct api_members *out, struct api_invalid *inv)
{
	char user[STORE_ID_LEN + 1], app[STORE_ID_LEN + 1];
	int has_user = 0, has_app = 0;
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = api_p_load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	if (!single) {
		r = api_p_merge(r, uuid_array(o, "user_ids", STORE_GROUP_MEMBERS_MAX, &out->users, inv));
		r = api_p_merge(r, uuid_array(o, "application_ids", STORE_GROUP_MEMBERS_MAX, &out->apps, inv));
		goto out;
	}
	r = api_p_merge(r, api_p_uuid(o, "user_id", user, &has_user, inv));
	r = api_p_merge(r, api_p_uuid(o, "application_id", app, &has_app, inv));
	if (r == 0 && has_user == has_app) {
		api_invalid_add(inv, "user_id", has_user ? "constraint" : "required",
				"specify exactly one of user_id and application_id");
		r = ERR_INVAL;
	}
	if (r == 0)
		r = one_id(has_user ? user : app, has_user ? &out->users : &out->apps);
out:
	json_decref(o);
	if (r < 0)
		api_members_release(out);
	return r;
}

void api_group_create_release(struct api_group_create *r)
{
	free(r->name);
	free(r->description);
	r->name = r->description = NULL;
	store_tags_release(&r->tags);
}

void api_group_update_release(struct api_group_update *r)
{
	free(r->name);
	free(r->description);
	r->name = r->description = NULL;
	store_tags_release(&r->tags);
}

void api_members_release(struct api_members *r)
{
	store_tags_release(&r->users);
	store_tags_release(&r->apps);
}

/* ---- rules ---- */

/* rules[i]: RuleSpecs, checked against the catalogue. */
static int rule_spec(json_t *e, size_t i, const char *org, struct store_rule *out, struct api_invalid *inv)
{
	char arg[64];
	json_t *sets;
	int r = 0, has_org = 0;
	size_t j;

	snprintf(arg, sizeof(arg), "rules[%zu]", i);
	if (!json_is_object(e)) {
		api_invalid_add(inv, arg, "format", "%s must be an object", arg);
		return ERR_INVAL;
	}
	snprintf(arg, sizeof(arg), "rules[%zu].organization_id", i);
	r = api_p_merge(r, api_p_uuid(e, "organization_id", out->organization_id, &has_org, inv));
	snprintf(arg, sizeof(arg), "rules[%zu].project_ids", i);
	r = api_p_merge(r, uuid_array(e, "project_ids", STORE_RULE_PROJECTS_MAX, &out->project_ids, inv));
	snprintf(arg, sizeof(arg), "rules[%zu].condition", i);
	r = api_p_merge(r, api_p_str(e, "condition", arg, AUTHZ_COND_MAX, 0, &out->condition, inv));
	if (r == 0)
		r = empty_str(&out->condition);
	sets = api_p_member(e, "permission_set_names");
	snprintf(arg, sizeof(arg), "rules[%zu].permission_set_names", i);
	if (!sets || !json_is_array(sets) || json_array_size(sets) == 0 ||
	    json_array_size(sets) > STORE_RULE_SETS_MAX) {
		api_invalid_add(inv, arg, sets ? "constraint" : "required", "%s must list 1 to %d permission set names",
				arg, STORE_RULE_SETS_MAX);
		return ERR_INVAL;
	}
	if (r == 0 && !has_org && out->project_ids.n == 0) {
		snprintf(arg, sizeof(arg), "rules[%zu]", i);
		api_invalid_add(inv, arg, "required", "%s is wrongly formatted: set organization_id or project_ids",
				arg);
		return ERR_INVAL;
	}
	if (r == 0 && has_org && api_p_member(e, "project_ids")) {
		snprintf(arg, sizeof(arg), "rules[%zu].project_ids", i);
		api_invalid_add(inv, arg, "constraint", "set organization_id or project_ids, not both");
		return ERR_INVAL;
	}
	if (r == 0 && has_org && strcmp(out->organization_id, org) != 0) {
		snprintf(arg, sizeof(arg), "rules[%zu].organization_id", i);
		api_invalid_add(inv, arg, "constraint", "a rule must be scoped to the policy's organization");
		return ERR_INVAL;
	}
	out->permission_set_names.v = mem_calloc(json_array_size(sets), sizeof(char *));
	if (!out->permission_set_names.v)
		return ERR_NOMEM;
	for (j = 0; r == 0 && j < json_array_size(sets); j++) {
		json_t *nm = json_array_get(sets, j);
		const struct iam_permset *set = json_is_string(nm) ? iam_permset_find(json_string_value(nm)) : NULL;

		if (!set) {
			api_invalid_add(inv, arg, "constraint", "%s[%zu] is not a known permission set", arg, j);
			return ERR_INVAL;
		}
		if (j > 0 && (int)set->scope != (int)out->scope_type) {
			api_invalid_add(inv, arg, "constraint", "permission sets must be of the same scope type");
			return ERR_INVAL;
		}
		out->scope_type = (enum store_scope_type)set->scope;
		out->permission_set_names.v[j] = mem_strndup(set->name, strlen(set->name));
		if (!out->permission_set_names.v[j])
			return ERR_NOMEM;
		out->permission_set_names.n = j + 1;
	}
	if (r == 0 && out->scope_type == STORE_SCOPE_ORGANIZATION && !has_org) {
		snprintf(arg, sizeof(arg), "rules[%zu].project_ids", i);
		api_invalid_add(inv, arg, "constraint",
				"permission sets of scope type organization must be scoped to an organization");
		return ERR_INVAL;
	}
	return r;
}

/* The "rules" member: a list of RuleSpecs (absent: required when required is set). */
static int rules_field(json_t *o, int required, const char *org, struct store_rule **out, size_t *n,
		       struct api_invalid *inv)
{
	json_t *v = api_p_member(o, "rules");
	size_t i, k;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (!v) {
		if (required)
			api_invalid_add(inv, "rules", "required", "rules is required");
		return required ? ERR_INVAL : 0;
	}
	if (!json_is_array(v) || json_array_size(v) > STORE_POLICY_RULES_MAX) {
		api_invalid_add(inv, "rules", "constraint", "rules must be a list of at most %d rules",
				STORE_POLICY_RULES_MAX);
		return ERR_INVAL;
	}
	k = json_array_size(v);
	*out = mem_calloc(k + 1, sizeof(**out));
	if (!*out)
		return ERR_NOMEM;
	for (i = 0; i < k; i++) {
		r = api_p_merge(r, rule_spec(json_array_get(v, i), i, org, &(*out)[i], inv));
		if (r == ERR_NOMEM)
			break;
	}
	*n = k;
	if (r < 0) {
		api_rules_release(*out, k);
		*out = NULL;
		*n = 0;
	}
	return r;
}

void api_rules_release(struct store_rule *rules, size_t n)
{
	size_t i;

	for (i = 0; rules && i < n; i++) {
		store_tags_release(&rules[i].permission_set_names);
		store_tags_release(&rules[i].project_ids);
		free(rules[i].condition);
	}
	free(rules);
}

/* ---- policies ---- */

/* At most one of user_id, group_id, application_id, no_principal: true. */
static int principal_field(json_t *o, struct api_policy *out, struct api_invalid *inv)
{
	static const char *const keys[3] = { "user_id", "group_id", "application_id" };
	char id[STORE_ID_LEN + 1];
	int present, k, r = 0, np = 0, given = 0;

	for (k = 0; k < 3; k++) {
		r = api_p_merge(r, api_p_uuid(o, keys[k], id, &present, inv));
		if (present) {
			given++;
			out->principal_type = (enum store_principal)(k + 1);
			memcpy(out->principal_id, id, sizeof(id));
		}
	}
	r = api_p_merge(r, api_p_bool(o, "no_principal", "no_principal", &np, inv));
	if (np)
		given++;
	if (r == 0 && given > 1) {
		api_invalid_add(inv, "user_id", "constraint",
				"specify at most one of user_id, group_id, application_id and no_principal");
		return ERR_INVAL;
	}
	if (np) {
		out->principal_type = STORE_PRINCIPAL_NONE;
		out->principal_id[0] = '\0';
	}
	out->set_principal = given == 1;
	return r;
}

int api_parse_policy(const char *body, size_t len, int create, const char *org, struct api_policy *out,
		     struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = api_p_load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = api_p_merge(r, api_p_str(o, "name", "name", API_POLICY_NAME_MAX, create, &out->name, inv));
	if (r == 0 && out->name && !out->name[0]) {
		api_invalid_add(inv, "name", "required", "name must not be empty");
		r = ERR_INVAL;
	}
	r = api_p_merge(r, api_p_str(o, "description", "description", API_DESCRIPTION_MAX, 0, &out->description, inv));
	r = api_p_merge(r, tags_checked(o, &out->tags, &out->set_tags, inv));
	r = api_p_merge(r, principal_field(o, out, inv));
	if (create) {
		r = api_p_merge(r, api_p_uuid(o, "organization_id", out->organization_id, NULL, inv));
		r = api_p_merge(r, rules_field(o, 0, org, &out->rules, &out->n_rules, inv));
		if (r == 0)
			r = empty_str(&out->description);
	} else if (api_p_member(o, "rules")) {
		api_invalid_add(inv, "rules", "constraint", "rules are replaced with PUT /iam/v1alpha1/rules");
		r = api_p_merge(r, ERR_INVAL);
	}
	json_decref(o);
	if (r < 0)
		api_policy_release(out);
	return r;
}

void api_policy_release(struct api_policy *r)
{
	free(r->name);
	free(r->description);
	r->name = r->description = NULL;
	store_tags_release(&r->tags);
	api_rules_release(r->rules, r->n_rules);
	r->rules = NULL;
	r->n_rules = 0;
}

int api_parse_rules_set(const char *body, size_t len, const char *org, struct api_rules_set *out,
			struct api_invalid *inv)
{
	json_t *o = NULL;
	int r, has_id = 0;

	memset(out, 0, sizeof(*out));
	r = api_p_load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = api_p_merge(r, api_p_uuid(o, "policy_id", out->policy_id, &has_id, inv));
	if (r == 0 && !has_id) {
		api_invalid_add(inv, "policy_id", "required", "policy_id is required");
		r = ERR_INVAL;
	}
	r = api_p_merge(r, rules_field(o, 1, org, &out->rules, &out->n_rules, inv));
	json_decref(o);
	if (r < 0)
		api_rules_set_release(out);
	return r;
}

void api_rules_set_release(struct api_rules_set *r)
{
	api_rules_release(r->rules, r->n_rules);
	r->rules = NULL;
	r->n_rules = 0;
}

/* ---- query strings ---- */

static const struct order_name policy_orders[] = {
	{ "policy_name_asc", STORE_ORDER_NAME, 0 },
	{ "policy_name_desc", STORE_ORDER_NAME, 1 },
	{ "created_at_asc", STORE_ORDER_CREATED_AT, 0 },
	{ "created_at_desc", STORE_ORDER_CREATED_AT, 1 },
	{ NULL, STORE_ORDER_CREATED_AT, 0 },
};

static const struct order_name pset_orders[] = {
	{ "name_asc", STORE_ORDER_NAME, 0 },
	{ "name_desc", STORE_ORDER_NAME, 1 },
	{ "created_at_asc", STORE_ORDER_CREATED_AT, 0 },
	{ "created_at_desc", STORE_ORDER_CREATED_AT, 1 },
	{ NULL, STORE_ORDER_CREATED_AT, 0 },
};

static const struct order_name no_orders[] = { { NULL, STORE_ORDER_CREATED_AT, 0 } };

int api_parse_group_query(const struct api_qparam *q, size_t n, struct api_group_query *out, struct api_invalid *inv)
{
	struct store_group_filter *f = &out->f;
	size_t i;
	int r = 0;

	memset(f, 0, sizeof(*f));
	api_p_page_init(&f->page);
	f->user_ids = out->user_ptrs;
	f->application_ids = out->app_ptrs;
	f->ids = out->id_ptrs;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!k || !v || !*v || api_p_qpage(k, v, api_p_name_orders, &f->page, &r, inv))
			continue;
		if (!strcmp(k, "organization_id")) {
			r = api_p_merge(r, api_p_quuid(k, v, out->org, inv));
			f->organization_id = out->org;
		} else if (!strcmp(k, "name")) {
			f->name = v;
		} else if (!strcmp(k, "tag")) {
			f->tag = v;
		} else if (!strcmp(k, "user_ids")) {
			r = api_p_merge(r, api_p_qrepeat_uuid(k, v, out->users, out->user_ptrs, &f->n_user_ids, inv));
		} else if (!strcmp(k, "application_ids")) {
			r = api_p_merge(r,
					api_p_qrepeat_uuid(k, v, out->apps, out->app_ptrs, &f->n_application_ids, inv));
		} else if (!strcmp(k, "group_ids")) {
			r = api_p_merge(r, api_p_qrepeat_uuid(k, v, out->ids, out->id_ptrs, &f->n_ids, inv));
		}
	}
	return r;
}

int api_parse_policy_query(const struct api_qparam *q, size_t n, struct api_policy_query *out, struct api_invalid *inv)
{
	struct store_policy_filter *f = &out->f;
	size_t i;
	int r = 0;

	memset(f, 0, sizeof(*f));
	f->editable = f->no_principal = -1;
	api_p_page_init(&f->page);
	f->page.order = STORE_ORDER_NAME; /* policy_name_asc */
	f->user_ids = out->user_ptrs;
	f->group_ids = out->group_ptrs;
	f->application_ids = out->app_ptrs;
	f->ids = out->id_ptrs;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!k || !v || !*v || api_p_qpage(k, v, policy_orders, &f->page, &r, inv))
			continue;
		if (!strcmp(k, "organization_id")) {
			r = api_p_merge(r, api_p_quuid(k, v, out->org, inv));
			f->organization_id = out->org;
		} else if (!strcmp(k, "policy_name")) {
			f->name = v;
		} else if (!strcmp(k, "tag")) {
			f->tag = v;
		} else if (!strcmp(k, "editable")) {
			r = api_p_merge(r, api_p_qbool(k, v, &f->editable, inv));
		} else if (!strcmp(k, "no_principal")) {
			r = api_p_merge(r, api_p_qbool(k, v, &f->no_principal, inv));
		} else if (!strcmp(k, "user_ids")) {
			r = api_p_merge(r, api_p_qrepeat_uuid(k, v, out->users, out->user_ptrs, &f->n_user_ids, inv));
		} else if (!strcmp(k, "group_ids")) {
			r = api_p_merge(r,
					api_p_qrepeat_uuid(k, v, out->groups, out->group_ptrs, &f->n_group_ids, inv));
		} else if (!strcmp(k, "application_ids")) {
			r = api_p_merge(r,
					api_p_qrepeat_uuid(k, v, out->apps, out->app_ptrs, &f->n_application_ids, inv));
		} else if (!strcmp(k, "policy_ids")) {
			r = api_p_merge(r, api_p_qrepeat_uuid(k, v, out->ids, out->id_ptrs, &f->n_ids, inv));
		}
	}
	return r;
}

static int page_query(const struct api_qparam *q, size_t n, const struct order_name *orders, const char *idname,
		      struct api_page_query *out, struct api_invalid *inv)
{
	size_t i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	api_p_page_init(&out->page);
	if (orders == pset_orders)
		out->page.order = STORE_ORDER_NAME;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!k || !v || !*v || api_p_qpage(k, v, orders, &out->page, &r, inv))
			continue;
		if (idname && !strcmp(k, idname))
			r = api_p_merge(r, api_p_quuid(k, v, out->id, inv));
		else if (!strcmp(k, "organization_id"))
			r = api_p_merge(r, api_p_quuid(k, v, out->org, inv));
	}
	if (r == 0 && idname && !out->id[0]) {
		api_invalid_add(inv, idname, "required", "%s is required", idname);
		r = ERR_INVAL;
	}
	return r;
}

int api_parse_rule_query(const struct api_qparam *q, size_t n, struct api_page_query *out, struct api_invalid *inv)
{
	return page_query(q, n, no_orders, "policy_id", out, inv);
}

int api_parse_pset_query(const struct api_qparam *q, size_t n, struct api_page_query *out, struct api_invalid *inv)
{
	return page_query(q, n, pset_orders, NULL, out, inv);
}
