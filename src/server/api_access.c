/* SPDX-License-Identifier: MIT */
/*
 * api_access: the handlers of groups, policies, rules and permission sets. Input is validated
 * by api_parse_access.c, persisted through the store (store_access.h), answered by api_json.c;
 * routing, authentication and authorization are api.c's and authz.c's. The choices where
 * Scaleway's behaviour is unknown are listed in docs/server.md.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "server/api_int.h"
#include "server/api_json.h"
#include "server/api_parse_access.h"
#include "server/authz.h"

/* Answer a parse result: 0 goes on; ERR_INVAL is a 400 with every bad argument. */
static int parsed(struct ctx *c, int r, const struct api_invalid *inv)
{
	if (r == ERR_INVAL)
		err_invalid(c, 400, inv);
	else if (r < 0)
		internal_error(c);
	return r;
}

/* A store error of a members write: too many members is a 400 naming the list. */
static void members_error(struct ctx *c, int r, const char *id, const struct store_detail *d)
{
	if (r == ERR_TOOBIG) {
		err_invalid1(c, d->resource && !strcmp(d->resource, "user") ? "user_ids" : "application_ids",
			     "constraint", "a group holds at most 1000 members");
		return;
	}
	if (r == ERR_NOTFOUND && d->resource && !d->resource[0]) {
		/* remove-member of a non-member: Scaleway's body (resource "") */
		buf_reset(&c->resp->body);
		done(c, 404, api_json_err_not_found(&c->resp->body, "", d->resource_id));
		return;
	}
	err_store(c, r, "group", id, d);
}

/* ---- groups ---- */

static void groups_create(struct ctx *c)
{
	struct api_group_create in;
	struct api_invalid inv = { 0 };
	struct store_detail d = { 0 };
	struct store_group g;
	int r = api_parse_group_create(c->req->body, c->req->body_len, &in, &inv);

	if (parsed(c, r, &inv) < 0)
		return;
	memset(&g, 0, sizeof(g));
	if (same_org(c, in.organization_id, "write", "group") < 0)
		goto out;
	if (rand_uuid_v4(g.id) < 0) {
		internal_error(c);
		goto out;
	}
	g.created_at = g.updated_at = c->req->now;
	memcpy(g.organization_id, c->org, sizeof(g.organization_id));
	g.name = in.name;
	g.description = in.description;
	g.tags = in.tags;
	g.editable = g.deletable = 1;
	r = store_group_create(c->a->store, &g, c->a->group_quota, &d);
	if (r < 0)
		err_store(c, r, "group", g.id, &d);
	else
		done(c, 200, api_json_group(&c->resp->body, &g));
out:
	api_group_create_release(&in);
}

static void groups_get(struct ctx *c, const char *id)
{
	struct store_group g;
	int r;

	if (check_uuid(c, "group_id", id) < 0)
		return;
	r = store_group_get(c->a->store, c->org, id, &g);
	if (r < 0) {
		err_store(c, r, "group", id, NULL);
		return;
	}
	done(c, 200, api_json_group(&c->resp->body, &g));
	store_group_release(&g);
}

static void groups_update(struct ctx *c, const char *id)
{
	struct api_group_update in;
	struct api_invalid inv = { 0 };
	struct store_group_patch p = { 0 };
	struct store_detail d = { 0 };
	struct store_group g;
	int r;

	if (check_uuid(c, "group_id", id) < 0)
		return;
	r = api_parse_group_update(c->req->body, c->req->body_len, &in, &inv);
	if (parsed(c, r, &inv) < 0)
		return;
	p.name = in.name;
	p.description = in.description;
	p.set_tags = in.set_tags;
	p.tags = in.tags;
	p.now = c->req->now;
	r = store_group_update(c->a->store, c->org, id, &p, &g, &d);
	if (r < 0)
		err_store(c, r, "group", id, &d);
	else
		done(c, 200, api_json_group(&c->resp->body, &g));
	store_group_release(&g);
	api_group_update_release(&in);
}

static void groups_members(struct ctx *c, const char *id, int single, enum store_members_op op)
{
	struct api_members in;
	struct api_invalid inv = { 0 };
	struct store_detail d = { 0 };
	struct store_group g;
	int r;

	if (check_uuid(c, "group_id", id) < 0)
		return;
	r = api_parse_members(c->req->body, c->req->body_len, single, &in, &inv);
	if (parsed(c, r, &inv) < 0)
		return;
	r = store_group_members(c->a->store, c->org, id, op, &in.users, &in.apps, &g, &d);
	if (r < 0)
		members_error(c, r, id, &d);
	else
		done(c, 200, api_json_group(&c->resp->body, &g));
	store_group_release(&g);
	api_members_release(&in);
}

static void groups_set_members(struct ctx *c, const char *id)
{
	groups_members(c, id, 0, STORE_MEMBERS_SET);
}

static void groups_add_member(struct ctx *c, const char *id)
{
	groups_members(c, id, 1, STORE_MEMBERS_ADD);
}

static void groups_add_members(struct ctx *c, const char *id)
{
	groups_members(c, id, 0, STORE_MEMBERS_ADD);
}

static void groups_remove_member(struct ctx *c, const char *id)
{
	groups_members(c, id, 1, STORE_MEMBERS_REMOVE);
}

static void groups_delete(struct ctx *c, const char *id)
{
	int r;

	if (check_uuid(c, "group_id", id) < 0)
		return;
	r = store_group_delete(c->a->store, c->org, id);
	if (r < 0)
		err_store(c, r, "group", id, NULL);
	else
		no_content(c);
}

static void groups_list(struct ctx *c)
{
	struct api_group_query *q = mem_calloc(1, sizeof(*q));
	struct api_invalid inv = { 0 };
	struct store_group_list l = { 0 };
	int r;

	if (!q) {
		internal_error(c);
		return;
	}
	r = api_parse_group_query(c->req->query, c->req->n_query, q, &inv);
	if (r < 0) {
		err_invalid(c, 400, &inv);
		goto out;
	}
	if (same_org(c, q->f.organization_id, "read", "group") < 0)
		goto out;
	q->f.organization_id = c->org;
	r = store_group_list(c->a->store, &q->f, &l);
	if (r < 0)
		err_store(c, r, "group", "", NULL);
	else
		done(c, 200, api_json_group_list(&c->resp->body, &l));
out:
	store_group_list_release(&l);
	free(q);
}

static const struct api_action group_actions[] = {
	{ "members", M_PUT, groups_set_members, API_PREFIX "groups/{group_id}/members" },
	{ "add-member", M_POST, groups_add_member, API_PREFIX "groups/{group_id}/add-member" },
	{ "add-members", M_POST, groups_add_members, API_PREFIX "groups/{group_id}/add-members" },
	{ "remove-member", M_POST, groups_remove_member, API_PREFIX "groups/{group_id}/remove-member" },
	{ NULL, M_OTHER, NULL, NULL },
};

const struct api_resource api_groups = {
	.name = "groups",
	.route_list = API_PREFIX "groups",
	.route_item = API_PREFIX "groups/{group_id}",
	.list = groups_list,
	.create = groups_create,
	.get = groups_get,
	.update = groups_update,
	.del = groups_delete,
	.actions = group_actions,
};

/* ---- policies ---- */

/* Fresh ids for rules[0..n). */
static int rule_ids(struct store_rule *rules, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++)
		r = rand_uuid_v4(rules[i].id);
	return r;
}

static void policies_create(struct ctx *c)
{
	struct api_policy in;
	struct api_invalid inv = { 0 };
	struct store_detail d = { 0 };
	struct store_policy p;
	int r = api_parse_policy(c->req->body, c->req->body_len, 1, c->org, &in, &inv);

	if (parsed(c, r, &inv) < 0)
		return;
	memset(&p, 0, sizeof(p));
	if (same_org(c, in.organization_id, "write", "policy") < 0)
		goto out;
	if (rand_uuid_v4(p.id) < 0 || rule_ids(in.rules, in.n_rules) < 0) {
		internal_error(c);
		goto out;
	}
	p.name = in.name;
	p.description = in.description;
	memcpy(p.organization_id, c->org, sizeof(p.organization_id));
	p.created_at = p.updated_at = c->req->now;
	p.editable = p.deletable = 1;
	p.tags = in.tags;
	p.principal_type = in.principal_type;
	memcpy(p.principal_id, in.principal_id, sizeof(p.principal_id));
	r = store_policy_create(c->a->store, &p, in.rules, in.n_rules, c->a->policy_quota, &d);
	if (r < 0)
		err_store(c, r, "policy", p.id, &d);
	else
		done(c, 200, api_json_policy(&c->resp->body, &p));
out:
	api_policy_release(&in);
}

static void policies_get(struct ctx *c, const char *id)
{
	struct store_policy p;
	int r;

	if (check_uuid(c, "policy_id", id) < 0)
		return;
	r = store_policy_get(c->a->store, c->org, id, &p);
	if (r < 0) {
		err_store(c, r, "policy", id, NULL);
		return;
	}
	done(c, 200, api_json_policy(&c->resp->body, &p));
	store_policy_release(&p);
}

static void policies_update(struct ctx *c, const char *id)
{
	struct api_policy in;
	struct api_invalid inv = { 0 };
	struct store_policy_patch patch = { 0 };
	struct store_detail d = { 0 };
	struct store_policy p;
	int r;

	if (check_uuid(c, "policy_id", id) < 0)
		return;
	r = api_parse_policy(c->req->body, c->req->body_len, 0, c->org, &in, &inv);
	if (parsed(c, r, &inv) < 0)
		return;
	patch.name = in.name;
	patch.description = in.description;
	patch.set_tags = in.set_tags;
	patch.tags = in.tags;
	patch.set_principal = in.set_principal;
	patch.principal_type = in.principal_type;
	patch.principal_id = in.principal_id;
	patch.now = c->req->now;
	r = store_policy_update(c->a->store, c->org, id, &patch, &p, &d);
	if (r < 0)
		err_store(c, r, "policy", id, &d);
	else
		done(c, 200, api_json_policy(&c->resp->body, &p));
	store_policy_release(&p);
	api_policy_release(&in);
}

static void policies_delete(struct ctx *c, const char *id)
{
	int r;

	if (check_uuid(c, "policy_id", id) < 0)
		return;
	r = store_policy_delete(c->a->store, c->org, id);
	if (r < 0)
		err_store(c, r, "policy", id, NULL);
	else
		no_content(c);
}

static void policies_clone(struct ctx *c, const char *id)
{
	char new_id[STORE_ID_LEN + 1], (*ids)[STORE_ID_LEN + 1];
	struct store_detail d = { 0 };
	struct store_policy p;
	size_t i;
	int r = 0;

	if (check_uuid(c, "policy_id", id) < 0)
		return;
	ids = mem_calloc(STORE_POLICY_RULES_MAX, sizeof(*ids));
	if (!ids) {
		internal_error(c);
		return;
	}
	r = rand_uuid_v4(new_id);
	for (i = 0; i < STORE_POLICY_RULES_MAX && r == 0; i++)
		r = rand_uuid_v4(ids[i]);
	if (r == 0)
		r = store_policy_clone(c->a->store, c->org, id, new_id, (const char(*)[STORE_ID_LEN + 1]) ids,
				       STORE_POLICY_RULES_MAX, c->req->now, c->a->policy_quota, &p, &d);
	free(ids);
	if (r < 0) {
		err_store(c, r, "policy", id, &d);
		return;
	}
	done(c, 200, api_json_policy(&c->resp->body, &p));
	store_policy_release(&p);
}

static void policies_list(struct ctx *c)
{
	struct api_policy_query *q = mem_calloc(1, sizeof(*q));
	struct api_invalid inv = { 0 };
	struct store_policy_list l = { 0 };
	int r;

	if (!q) {
		internal_error(c);
		return;
	}
	r = api_parse_policy_query(c->req->query, c->req->n_query, q, &inv);
	if (r < 0) {
		err_invalid(c, 400, &inv);
		goto out;
	}
	if (same_org(c, q->f.organization_id, "read", "policy") < 0)
		goto out;
	q->f.organization_id = c->org;
	r = store_policy_list(c->a->store, &q->f, &l);
	if (r < 0)
		err_store(c, r, "policy", "", NULL);
	else
		done(c, 200, api_json_policy_list(&c->resp->body, &l));
out:
	store_policy_list_release(&l);
	free(q);
}

static const struct api_action policy_actions[] = {
	{ "clone", M_POST, policies_clone, API_PREFIX "policies/{policy_id}/clone" },
	{ NULL, M_OTHER, NULL, NULL },
};

const struct api_resource api_policies = {
	.name = "policies",
	.route_list = API_PREFIX "policies",
	.route_item = API_PREFIX "policies/{policy_id}",
	.list = policies_list,
	.create = policies_create,
	.get = policies_get,
	.update = policies_update,
	.del = policies_delete,
	.actions = policy_actions,
};

/* ---- rules ---- */

static void rules_list(struct ctx *c)
{
	struct api_page_query q;
	struct api_invalid inv = { 0 };
	struct store_rule_list l = { 0 };
	int r = api_parse_rule_query(c->req->query, c->req->n_query, &q, &inv);

	if (r < 0) {
		err_invalid(c, 400, &inv);
		return;
	}
	r = store_rule_list(c->a->store, c->org, q.id, &q.page, &l);
	if (r < 0)
		err_store(c, r, "policy", q.id, NULL);
	else
		done(c, 200, api_json_rule_list(&c->resp->body, &l));
	store_rule_list_release(&l);
}

static void rules_set(struct ctx *c)
{
	struct api_rules_set in;
	struct api_invalid inv = { 0 };
	struct store_rule_list l = { 0 };
	int r = api_parse_rules_set(c->req->body, c->req->body_len, c->org, &in, &inv);

	if (parsed(c, r, &inv) < 0)
		return;
	r = rule_ids(in.rules, in.n_rules);
	if (r == 0)
		r = store_rules_set(c->a->store, c->org, in.policy_id, in.rules, in.n_rules, c->req->now, &l);
	if (r < 0)
		err_store(c, r, "policy", in.policy_id, NULL);
	else
		done(c, 200, api_json_rules_set(&c->resp->body, &l));
	store_rule_list_release(&l);
	api_rules_set_release(&in);
}

const struct api_resource api_rules = {
	.name = "rules",
	.route_list = API_PREFIX "rules",
	.list = rules_list,
	.put = rules_set,
};

/* ---- permission sets: the catalogue (common/iam_permsets.c) ---- */

static int pset_json(struct buf *b, const struct iam_permset *s)
{
	static const char *const scopes[] = { "unknown_scope_type", "projects", "organization", "account_root_user" };
	char id[UUID_STR_LEN + 1];
	int r;

	iam_permset_id(s, id);
	r = buf_printf(b,
		       "{\"id\":\"%s\",\"name\":\"%s\",\"scope_type\":\"%s\",\"description\":\"%s\","
		       "\"categories\":[\"%s\"]}",
		       id, s->name, scopes[s->scope], s->description, s->category);
	return r;
}

static void psets_list(struct ctx *c)
{
	struct api_page_query q;
	struct api_invalid inv = { 0 };
	size_t i, first, n = iam_npermsets;
	int r = api_parse_pset_query(c->req->query, c->req->n_query, &q, &inv);

	if (r < 0) {
		err_invalid(c, 400, &inv);
		return;
	}
	if (same_org(c, q.org, "read", "permission_set") < 0)
		return;
	/* The catalogue is sorted by name; creation order is the same. */
	first = (size_t)(q.page.page - 1) * q.page.page_size;
	r = buf_append_str(&c->resp->body, "{\"permission_sets\":[");
	for (i = 0; r == 0 && first + i < n && i < q.page.page_size; i++) {
		size_t k = first + i;

		if (i)
			r = buf_append_byte(&c->resp->body, ',');
		if (r == 0)
			r = pset_json(&c->resp->body, &iam_permsets[q.page.desc ? n - 1 - k : k]);
	}
	if (r == 0)
		r = buf_printf(&c->resp->body, "],\"total_count\":%zu}", n);
	done(c, 200, r);
}

const struct api_resource api_permission_sets = {
	.name = "permission-sets",
	.route_list = API_PREFIX "permission-sets",
	.list = psets_list,
};
