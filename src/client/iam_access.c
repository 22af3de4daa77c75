/* SPDX-License-Identifier: MIT */
/*
 * iam_access: policies, rules and groups (see iam_access.h). Policy creates are sent once
 * (SCWCLIENT_RETRY_CREATE: retried only when the server did not process them).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "client/iam_access.h"
#include "client/jfields.h"

static const struct jfield policy_fields[] = {
	JF_S(iam_policy, id),
	JF_S(iam_policy, name),
	JF_S(iam_policy, description),
	JF_S(iam_policy, organization_id),
	JF_S(iam_policy, created_at),
	JF_S(iam_policy, updated_at),
	JF_A(iam_policy, tags, ntags),
	JF_S(iam_policy, user_id),
	JF_S(iam_policy, group_id),
	JF_S(iam_policy, application_id),
	JF_B(iam_policy, editable),
	JF_B(iam_policy, deletable),
	JF_B(iam_policy, managed),
	JF_B(iam_policy, no_principal),
	JF_U(iam_policy, nb_rules),
	JF_U(iam_policy, nb_scopes),
	JF_U(iam_policy, nb_permission_sets),
};

static const struct jfield rule_fields[] = {
	JF_S(iam_rule, id),
	JF_A(iam_rule, permission_set_names, nsets),
	JF_S(iam_rule, permission_sets_scope_type),
	JF_S(iam_rule, condition),
	JF_S(iam_rule, organization_id),
	JF_A(iam_rule, project_ids, nprojects),
};

static const struct jfield group_fields[] = {
	JF_S(iam_group, id),
	JF_S(iam_group, created_at),
	JF_S(iam_group, updated_at),
	JF_S(iam_group, organization_id),
	JF_S(iam_group, name),
	JF_S(iam_group, description),
	JF_A(iam_group, user_ids, nusers),
	JF_A(iam_group, application_ids, napps),
	JF_A(iam_group, tags, ntags),
	JF_B(iam_group, editable),
	JF_B(iam_group, deletable),
	JF_B(iam_group, managed),
};

void iam_policy_release(struct iam_policy *p)
{
	jfields_release(policy_fields, JF_N(policy_fields), sizeof(*p), p);
}

static int policy_decode(json_t *o, struct iam_policy *p)
{
	int r = jfields_decode(policy_fields, JF_N(policy_fields), sizeof(*p), o, p);

	if (r == 0 && !p->id) {
		iam_policy_release(p);
		r = ERR_PROTO;
	}
	return r;
}

void iam_rules_release(struct iam_rule *rules, size_t n)
{
	size_t i;

	for (i = 0; rules && i < n; i++)
		jfields_release(rule_fields, JF_N(rule_fields), sizeof(rules[i]), &rules[i]);
	free(rules);
}

static int rule_decode(json_t *o, struct iam_rule *ru)
{
	return jfields_decode(rule_fields, JF_N(rule_fields), sizeof(*ru), o, ru);
}

static json_t *strs_json(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *rules_json(const struct iam_rule_spec *rules, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++) {
		json_t *o = json_object();
		int r = o ? 0 : -1;

		if (r == 0)
			r = json_object_set_new(o, "permission_set_names",
						strs_json(rules[i].permission_set_names, rules[i].nsets));
		if (r == 0 && rules[i].condition)
			r = json_object_set_new(o, "condition", json_string(rules[i].condition));
		if (r == 0 && rules[i].organization_id)
			r = json_object_set_new(o, "organization_id", json_string(rules[i].organization_id));
		else if (r == 0)
			r = json_object_set_new(o, "project_ids", strs_json(rules[i].project_ids, rules[i].nprojects));
		if (r != 0 || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The body of a create (create = 1) or an update. */
static json_t *policy_body(const struct iam_policy_write *in, int create)
{
	json_t *o = json_object();
	int r = o ? 0 : -1;

	if (r == 0 && in->name)
		r = json_object_set_new(o, "name", json_string(in->name));
	if (r == 0 && in->description)
		r = json_object_set_new(o, "description", json_string(in->description));
	if (r == 0 && create && in->organization_id)
		r = json_object_set_new(o, "organization_id", json_string(in->organization_id));
	if (r == 0 && (create || in->set_tags))
		r = json_object_set_new(o, "tags", strs_json(in->tags, in->ntags));
	if (r == 0 && (create || in->set_principal)) {
		if (in->user_id)
			r = json_object_set_new(o, "user_id", json_string(in->user_id));
		else if (in->group_id)
			r = json_object_set_new(o, "group_id", json_string(in->group_id));
		else if (in->application_id)
			r = json_object_set_new(o, "application_id", json_string(in->application_id));
		else
			r = json_object_set_new(o, "no_principal", json_true());
	}
	if (r == 0 && create)
		r = json_object_set_new(o, "rules", rules_json(in->rules, in->nrules));
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int policy_path(struct buf *p, const char *id)
{
	int r = buf_append_str(p, "/iam/v1alpha1/policies");

	if (r == 0 && id) {
		if (!id[0])
			return ERR_INVAL;
		r = buf_append_byte(p, '/');
		if (r == 0)
			r = scwclient_escape(p, id);
	}
	return r;
}

static int policy_call(struct iam_call *call, const char *method, const char *id, const json_t *body,
		       enum scwclient_retry retry, struct iam_policy *out)
{
	struct buf p;
	json_t *j = NULL;
	int r;

	if (out)
		memset(out, 0, sizeof(*out));
	buf_init(&p, 4096);
	r = policy_path(&p, id);
	if (r == 0)
		r = iam_call_json(call, method, (const char *)p.data, body, retry, out ? &j : NULL);
	if (r == 0 && out)
		r = policy_decode(j, out);
	json_decref(j);
	buf_release(&p);
	return r;
}

int iam_policy_create(struct iam_call *call, const struct iam_policy_write *in, struct iam_policy *out)
{
	json_t *body = policy_body(in, 1);
	int r = body ? policy_call(call, "POST", NULL, body, SCWCLIENT_RETRY_CREATE, out) : ERR_NOMEM;

	json_decref(body);
	return r;
}

int iam_policy_get(struct iam_call *call, const char *id, struct iam_policy *out)
{
	return policy_call(call, "GET", id, NULL, SCWCLIENT_RETRY_SAFE, out);
}

int iam_policy_update(struct iam_call *call, const char *id, const struct iam_policy_write *in, struct iam_policy *out)
{
	json_t *body = policy_body(in, 0);
	int r = body ? policy_call(call, "PATCH", id, body, SCWCLIENT_RETRY_SAFE, out) : ERR_NOMEM;

	json_decref(body);
	return r;
}

int iam_policy_delete(struct iam_call *call, const char *id)
{
	return policy_call(call, "DELETE", id, NULL, SCWCLIENT_RETRY_SAFE, NULL);
}

int iam_rules_list(struct iam_call *call, const char *policy_id, struct iam_rule **out, size_t *n)
{
	struct iam_rule *v = NULL;
	size_t have = 0, total = 1;
	unsigned page;
	int r = 0;

	*out = NULL;
	*n = 0;
	for (page = 1; r == 0 && have < total; page++) {
		struct buf p;
		json_t *j = NULL, *list, *e;
		size_t i;

		buf_init(&p, 4096);
		r = buf_append_str(&p, "/iam/v1alpha1/rules?policy_id=");
		if (r == 0)
			r = scwclient_escape(&p, policy_id);
		if (r == 0)
			r = buf_printf(&p, "&page_size=100&page=%u", page);
		if (r == 0)
			r = iam_call_json(call, "GET", (const char *)p.data, NULL, SCWCLIENT_RETRY_SAFE, &j);
		buf_release(&p);
		list = r == 0 ? json_object_get(j, "rules") : NULL;
		if (r == 0 && (!json_is_array(list) || !json_is_integer(json_object_get(j, "total_count"))))
			r = ERR_PROTO;
		if (r == 0) {
			struct iam_rule *nv;

			total = (size_t)json_integer_value(json_object_get(j, "total_count"));
			nv = realloc(v, (have + json_array_size(list) + 1) * sizeof(*v));
			if (!nv)
				r = ERR_NOMEM;
			else
				v = nv;
		}
		json_array_foreach(r == 0 ? list : NULL, i, e)
		{
			memset(&v[have], 0, sizeof(v[have]));
			have++;
			r = rule_decode(e, &v[have - 1]);
			if (r < 0)
				break;
		}
		if (r == 0 && json_array_size(list) == 0 && have < total)
			r = ERR_PROTO; /* the total moved under us: stop rather than loop */
		json_decref(j);
	}
	if (r < 0) {
		iam_rules_release(v, have);
		return r;
	}
	*out = v;
	*n = have;
	return 0;
}

int iam_rules_set(struct iam_call *call, const char *policy_id, const struct iam_rule_spec *rules, size_t n)
{
	json_t *body = json_object(), *arr = rules_json(rules, n);
	int r = body && arr ? 0 : ERR_NOMEM;

	if (r == 0 && json_object_set_new(body, "policy_id", json_string(policy_id)) != 0)
		r = ERR_NOMEM;
	if (r == 0 && json_object_set(body, "rules", arr) != 0)
		r = ERR_NOMEM;
	if (r == 0)
		r = iam_call_json(call, "PUT", "/iam/v1alpha1/rules", body, SCWCLIENT_RETRY_SAFE, NULL);
	json_decref(arr);
	json_decref(body);
	return r;
}

/* ---- groups ---- */

void iam_group_release(struct iam_group *g)
{
	jfields_release(group_fields, JF_N(group_fields), sizeof(*g), g);
}

static int group_decode(json_t *o, struct iam_group *g)
{
	int r = jfields_decode(group_fields, JF_N(group_fields), sizeof(*g), o, g);

	if (r == 0 && !g->id) {
		iam_group_release(g);
		r = ERR_PROTO;
	}
	return r;
}

/* METHOD /iam/v1alpha1/groups[/<id>[/<action>]] with body; the answer (a group) into out. */
static int group_call(struct iam_call *call, const char *method, const char *id, const char *action, const json_t *body,
		      enum scwclient_retry retry, struct iam_group *out)
{
	struct buf p;
	json_t *j = NULL;
	int r;

	if (out)
		memset(out, 0, sizeof(*out));
	buf_init(&p, 4096);
	r = buf_append_str(&p, "/iam/v1alpha1/groups");
	if (r == 0 && id) {
		r = id[0] ? buf_append_byte(&p, '/') : ERR_INVAL;
		if (r == 0)
			r = scwclient_escape(&p, id);
	}
	if (r == 0 && action)
		r = buf_printf(&p, "/%s", action);
	if (r == 0)
		r = iam_call_json(call, method, (const char *)p.data, body, retry, out ? &j : NULL);
	if (r == 0 && out)
		r = group_decode(j, out);
	json_decref(j);
	buf_release(&p);
	return r;
}

static json_t *group_body(const struct iam_group_write *in, int create)
{
	json_t *o = json_object();
	int r = o ? 0 : -1;

	if (r == 0 && in->name)
		r = json_object_set_new(o, "name", json_string(in->name));
	if (r == 0 && in->description)
		r = json_object_set_new(o, "description", json_string(in->description));
	if (r == 0 && create && in->organization_id)
		r = json_object_set_new(o, "organization_id", json_string(in->organization_id));
	if (r == 0 && (create || in->set_tags))
		r = json_object_set_new(o, "tags", strs_json(in->tags, in->ntags));
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int iam_group_create(struct iam_call *call, const struct iam_group_write *in, struct iam_group *out)
{
	json_t *body = group_body(in, 1);
	int r = body ? group_call(call, "POST", NULL, NULL, body, SCWCLIENT_RETRY_CREATE, out) : ERR_NOMEM;

	json_decref(body);
	return r;
}

int iam_group_get(struct iam_call *call, const char *id, struct iam_group *out)
{
	return group_call(call, "GET", id, NULL, NULL, SCWCLIENT_RETRY_SAFE, out);
}

int iam_group_update(struct iam_call *call, const char *id, const struct iam_group_write *in, struct iam_group *out)
{
	json_t *body = group_body(in, 0);
	int r = body ? group_call(call, "PATCH", id, NULL, body, SCWCLIENT_RETRY_SAFE, out) : ERR_NOMEM;

	json_decref(body);
	return r;
}

int iam_group_delete(struct iam_call *call, const char *id)
{
	return group_call(call, "DELETE", id, NULL, NULL, SCWCLIENT_RETRY_SAFE, NULL);
}

int iam_group_set_members(struct iam_call *call, const char *id, const char *const *users, size_t nusers,
			  const char *const *apps, size_t napps, struct iam_group *out)
{
	json_t *body = json_object();
	int r = body ? 0 : ERR_NOMEM;

	if (r == 0 && (json_object_set_new(body, "user_ids", strs_json(users, nusers)) != 0 ||
		       json_object_set_new(body, "application_ids", strs_json(apps, napps)) != 0))
		r = ERR_NOMEM;
	if (r == 0)
		r = group_call(call, "PUT", id, "members", body, SCWCLIENT_RETRY_SAFE, out);
	json_decref(body);
	return r;
}

static int group_member(struct iam_call *call, const char *id, const char *action, const char *user_id,
			const char *app_id)
{
	json_t *body = json_object();
	int r = body ? 0 : ERR_NOMEM;

	if (r == 0 && json_object_set_new(body, user_id ? "user_id" : "application_id",
					  json_string(user_id ? user_id : app_id)) != 0)
		r = ERR_NOMEM;
	if (r == 0)
		r = group_call(call, "POST", id, action, body, SCWCLIENT_RETRY_SAFE, NULL);
	json_decref(body);
	return r;
}

int iam_group_add_member(struct iam_call *call, const char *id, const char *user_id, const char *app_id)
{
	return group_member(call, id, "add-member", user_id, app_id);
}

int iam_group_remove_member(struct iam_call *call, const char *id, const char *user_id, const char *app_id)
{
	return group_member(call, id, "remove-member", user_id, app_id);
}

int iam_group_find(struct iam_call *call, const char *org, const char *name, struct iam_group *out)
{
	struct buf p;
	json_t *j = NULL, *list;
	int r;

	memset(out, 0, sizeof(*out));
	buf_init(&p, 4096);
	r = buf_append_str(&p, "/iam/v1alpha1/groups?page_size=100&organization_id=");
	if (r == 0)
		r = scwclient_escape(&p, org);
	if (r == 0)
		r = buf_append_str(&p, "&name=");
	if (r == 0)
		r = scwclient_escape(&p, name);
	if (r == 0)
		r = iam_call_json(call, "GET", (const char *)p.data, NULL, SCWCLIENT_RETRY_SAFE, &j);
	list = r == 0 ? json_object_get(j, "groups") : NULL;
	if (r == 0 && !json_is_array(list))
		r = ERR_PROTO;
	if (r == 0) {
		size_t i;
		json_t *e;

		r = ERR_NOTFOUND;
		json_array_foreach(list, i, e)
		{
			json_t *nm = json_object_get(e, "name");

			if (json_is_string(nm) && !strcmp(json_string_value(nm), name)) { /* exact */
				r = group_decode(e, out);
				break;
			}
		}
	}
	json_decref(j);
	buf_release(&p);
	return r;
}

/* ---- lists ---- */

static int q_param(struct buf *p, const char *k, const char *v)
{
	int r;

	if (!v)
		return 0;
	r = buf_printf(p, "&%s=", k);
	return r ? r : scwclient_escape(p, v);
}

static int q_ids(struct buf *p, const char *k, const char *const *v, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++)
		r = q_param(p, k, v[i]);
	return r;
}

/* The next page of groups (policies = 0) or policies: its JSON array in *arr (owned by *root). */
static int access_page(struct iam_call *call, int policies, const struct iam_access_filter *f, struct iam_pager *pg,
		       json_t **root, json_t **arr)
{
	static const char *const tri[] = { "false", "true" };
	struct buf p;
	unsigned size = pg->page_size && pg->page_size < 100 ? pg->page_size : 100;
	int r;

	*root = *arr = NULL;
	buf_init(&p, 1 << 14);
	r = buf_printf(&p, "/iam/v1alpha1/%s?order_by=created_at_asc&page_size=%u&page=%u",
		       policies ? "policies" : "groups", size, pg->page + 1);
	if (r == 0)
		r = q_param(&p, "organization_id", f->organization_id);
	if (r == 0)
		r = q_param(&p, policies ? "policy_name" : "name", f->name);
	if (r == 0)
		r = q_param(&p, "tag", f->tag);
	if (r == 0 && policies && f->editable >= 0)
		r = q_param(&p, "editable", tri[f->editable != 0]);
	if (r == 0 && policies && f->no_principal >= 0)
		r = q_param(&p, "no_principal", tri[f->no_principal != 0]);
	if (r == 0)
		r = q_ids(&p, "user_ids", f->user_ids, f->n_user_ids);
	if (r == 0)
		r = q_ids(&p, "group_ids", f->group_ids, f->n_group_ids);
	if (r == 0)
		r = q_ids(&p, "application_ids", f->application_ids, f->n_application_ids);
	if (r == 0)
		r = q_ids(&p, policies ? "policy_ids" : "group_ids", f->ids, f->n_ids);
	if (r == 0)
		r = iam_call_json(call, "GET", (const char *)p.data, NULL, SCWCLIENT_RETRY_SAFE, root);
	buf_release(&p);
	if (r < 0)
		return r;
	*arr = json_object_get(*root, policies ? "policies" : "groups");
	if (!json_is_array(*arr) || !json_is_integer(json_object_get(*root, "total_count")))
		return ERR_PROTO;
	pg->page++;
	pg->seen += json_array_size(*arr);
	pg->done = json_array_size(*arr) == 0 ||
		   pg->seen >= (size_t)json_integer_value(json_object_get(*root, "total_count"));
	return 0;
}

/* The next page of groups or policies decoded into *items (elements of size bytes), *n of them. */
static int list_page_of(struct iam_call *call, int policies, const struct iam_access_filter *f, struct iam_pager *pg,
			size_t size, int (*decode)(json_t *o, void *item), void **items, size_t *n)
{
	json_t *root = NULL, *arr = NULL, *e;
	size_t i;
	int r = 0;

	*items = NULL;
	*n = 0;
	if (!pg->done)
		r = access_page(call, policies, f, pg, &root, &arr);
	if (r == 0 && arr) {
		*items = mem_calloc(json_array_size(arr) + 1, size);
		if (!*items)
			r = ERR_NOMEM;
	}
	json_array_foreach(r == 0 ? arr : NULL, i, e)
	{
		r = decode(e, (char *)*items + i * size);
		if (r < 0)
			break;
		*n = i + 1;
	}
	json_decref(root);
	return r;
}

static int group_decode_any(json_t *o, void *item)
{
	return group_decode(o, item);
}

static int policy_decode_any(json_t *o, void *item)
{
	return policy_decode(o, item);
}

int iam_group_list_page(struct iam_call *call, const struct iam_access_filter *f, struct iam_pager *pg,
			struct iam_group_list *out)
{
	void *items;
	int r = list_page_of(call, 0, f, pg, sizeof(*out->items), group_decode_any, &items, &out->n);

	out->items = items;
	if (r < 0)
		iam_group_list_release(out);
	return r;
}

int iam_policy_list_page(struct iam_call *call, const struct iam_access_filter *f, struct iam_pager *pg,
			 struct iam_policy_list *out)
{
	void *items;
	int r = list_page_of(call, 1, f, pg, sizeof(*out->items), policy_decode_any, &items, &out->n);

	out->items = items;
	if (r < 0)
		iam_policy_list_release(out);
	return r;
}

void iam_group_list_release(struct iam_group_list *l)
{
	size_t i;

	for (i = 0; l->items && i < l->n; i++)
		iam_group_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void iam_policy_list_release(struct iam_policy_list *l)
{
	size_t i;

	for (i = 0; l->items && i < l->n; i++)
		iam_policy_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}
