/* SPDX-License-Identifier: MIT */
/*
 * access: groups, policies and rules in the store, on any engine (see store_access.h for the
 * rules kept here). Statements are built from the record descriptions (record.c) like the
 * others (sql.c calls store_build_access for their ids); writes run in the engine's write
 * transaction after locking the organization's row, so quotas, unique group names and member
 * checks stay exact with many writers and many instances. Group members are kept as two JSON
 * arrays of the group's row (order kept); authorization finds the groups of a bearer with the
 * dialect's JSON-array membership test, among the organization's (at most a quota of) groups.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/store_int.h"

/* ---- statements ---- */

/* "<elems_open><col><elems_close> = <param>)": the JSON array column col holds param. */
static int has(struct buf *b, const struct store_dialect *d, const char *col, const char *param)
{
	return buf_printf(b, "%s%s%s = %s)", d->elems_open, col, d->elems_close, param);
}

static int build_members_where(const struct store_dialect *d, struct buf *b)
{
	int r = buf_append_str(b, "organization_id = $1 AND (");

	if (r == 0)
		r = has(b, d, "user_ids", "$2");
	if (r == 0)
		r = buf_append_str(b, " OR ");
	if (r == 0)
		r = has(b, d, "application_ids", "$2");
	return r ? r : buf_append_str(b, ")");
}

int store_build_access(const struct store_dialect *d, int id, struct buf *b)
{
	struct buf w;
	int r;

	switch (id) {
	case Q_GROUP_GET: return store_sql_select(&rec_group, NULL, "id = $1 AND organization_id = $2", b);
	case Q_GROUP_INSERT: return store_sql_insert(&rec_group, NULL, b);
	case Q_GROUP_COUNT: return buf_append_str(b, "SELECT count(*) FROM iam_groups WHERE organization_id = $1");
	case Q_GROUP_BY_NAME:
		return buf_append_str(
			b, "SELECT id FROM iam_groups WHERE organization_id = $1 AND name = $2 AND id <> $3");
	case Q_GROUP_UPDATE:
		return buf_append_str(b,
				      "UPDATE iam_groups SET name = coalesce($1, name),"
				      " description = coalesce($2, description), tags = coalesce($3, tags),"
				      " updated_s = $4, updated_ns = $5 WHERE id = $6 AND organization_id = $7");
	case Q_GROUP_MEMBERS_SET:
		return buf_append_str(b, "UPDATE iam_groups SET user_ids = $1, application_ids = $2 WHERE id = $3");
	case Q_GROUP_IN_ORG:
		return buf_append_str(b, "SELECT 1 FROM iam_groups WHERE id = $1 AND organization_id = $2");
	case Q_GROUP_DELETE: return buf_append_str(b, "DELETE FROM iam_groups WHERE id = $1 AND organization_id = $2");
	case Q_GROUPS_WITH_MEMBER:
		buf_init(&w, 1 << 12);
		r = build_members_where(d, &w);
		if (r == 0)
			r = store_sql_select(&rec_group, NULL, (const char *)w.data, b);
		buf_release(&w);
		return r;
	case Q_POLICIES_ORPHAN_USER: return buf_append_str(b, "UPDATE policies SET user_id = NULL WHERE user_id = $1");
	case Q_POLICIES_ORPHAN_APP:
		return buf_append_str(b, "UPDATE policies SET application_id = NULL WHERE application_id = $1");
	case Q_POLICIES_ORPHAN_GROUP:
		return buf_append_str(b, "UPDATE policies SET group_id = NULL WHERE group_id = $1");
	case Q_POLICY_GET: return store_sql_select(&rec_policy, NULL, "id = $1 AND organization_id = $2", b);
	case Q_POLICY_INSERT: return store_sql_insert(&rec_policy, NULL, b);
	case Q_POLICY_COUNT: return buf_append_str(b, "SELECT count(*) FROM policies WHERE organization_id = $1");
	case Q_POLICY_UPDATE:
		return buf_append_str(b,
				      "UPDATE policies SET name = coalesce($1, name),"
				      " description = coalesce($2, description), tags = coalesce($3, tags),"
				      " user_id = CASE WHEN $4 = 1 THEN $5 ELSE user_id END,"
				      " group_id = CASE WHEN $4 = 1 THEN $6 ELSE group_id END,"
				      " application_id = CASE WHEN $4 = 1 THEN $7 ELSE application_id END,"
				      " updated_s = $8, updated_ns = $9 WHERE id = $10 AND organization_id = $11");
	case Q_POLICY_COUNTS:
		return buf_append_str(b,
				      "UPDATE policies SET nb_rules = $1, nb_scopes = $2, nb_permission_sets = $3,"
				      " updated_s = $4, updated_ns = $5 WHERE id = $6");
	case Q_POLICY_DELETE: return buf_append_str(b, "DELETE FROM policies WHERE id = $1 AND organization_id = $2");
	case Q_RULES_OF_POLICY_DELETE: return buf_append_str(b, "DELETE FROM policy_rules WHERE policy_id = $1");
	case Q_RULE_INSERT: return store_sql_insert(&rec_rule, NULL, b);
	case Q_RULES_COUNT: return buf_append_str(b, "SELECT count(*) FROM policy_rules WHERE policy_id = $1");
	case Q_RULES_PAGE:
		return store_sql_select(&rec_rule, NULL, "policy_id = $1 ORDER BY pos LIMIT $2 OFFSET $3", b);
	case Q_POLICY_IN_ORG: return buf_append_str(b, "SELECT 1 FROM policies WHERE id = $1 AND organization_id = $2");
	case Q_GRANTS:
		r = buf_append_str(b,
				   "SELECT r.permission_set_names, r.cond FROM policy_rules r"
				   " JOIN policies p ON p.id = r.policy_id"
				   " WHERE p.organization_id = $1 AND r.organization_id = $1"
				   " AND (p.application_id = $2 OR p.user_id = $3 OR p.group_id IN"
				   " (SELECT g.id FROM iam_groups g WHERE g.organization_id = $1 AND (");
		if (r == 0)
			r = has(b, d, "g.application_ids", "$2");
		if (r == 0)
			r = buf_append_str(b, " OR ");
		if (r == 0)
			r = has(b, d, "g.user_ids", "$3");
		return r ? r : buf_append_str(b, ")))");
	default: return ERR_INTERNAL;
	}
}

/* ---- small helpers ---- */

static int run2(struct store *s, struct store_conn *c, int q, const char *a1, const char *a2, int64_t *changes)
{
	struct sval v[2] = { sv_text(a1), sv_text(a2) };

	return store_run(s, c, q, v, a2 ? 2 : 1, NULL, NULL, changes);
}

/* 0 when id exists in org (statement q), else ERR_NOTFOUND with detail resource / id. */
static int in_org(struct store *s, struct store_conn *c, int q, const char *id, const char *org, const char *resource,
		  struct store_detail *d)
{
	struct sval v[2] = { sv_text(id), sv_text(org) };
	int r = store_run_text(s, c, q, v, 2, NULL, 0);

	if (r == ERR_NOTFOUND && d)
		store_detail_set(d, resource, id);
	return r;
}

/* ERR_QUOTA when org already holds quota records (count statement q). */
static int quota_check(struct store *s, struct store_conn *c, int q, const char *org, uint32_t quota,
		       const char *resource, struct store_detail *d)
{
	struct sval v = sv_text(org);
	char count[24];
	int r;

	if (!quota)
		return 0;
	r = store_run_text(s, c, q, &v, 1, count, sizeof(count));
	if (r == 0 && strtoull(count, NULL, 10) >= quota) {
		d->resource = resource;
		d->current = (uint32_t)strtoul(count, NULL, 10);
		d->quota = quota;
		r = ERR_QUOTA;
	}
	return r;
}

static int insert_rec(struct store *s, struct store_conn *c, int q, const struct rec_desc *desc, const void *rec)
{
	struct sval v[40];
	char *json;
	int n = store_rec_args(desc, rec, v, &json), r;

	if (n < 0)
		return n;
	r = store_run(s, c, q, v, n, NULL, NULL, NULL);
	free(json);
	return r;
}

static void detail_reset(struct store_detail **d, struct store_detail *dummy)
{
	if (!*d)
		*d = dummy;
	memset(*d, 0, sizeof(**d));
}

/* ---- groups ---- */

struct group_arg {
	struct store *s;
	const char *org, *id;
	const struct store_group *g;
	const struct store_group_patch *p;
	enum store_members_op op;
	const struct store_tags *users, *apps;
	uint32_t quota;
	struct store_group *out;
	struct store_detail *d;
};

static int group_name_free(struct store *s, struct store_conn *c, const char *org, const char *self, const char *name,
			   struct store_detail *d)
{
	struct sval v[3] = { sv_text(org), sv_text(name), sv_text(self ? self : "") };
	int r = store_run_text(s, c, Q_GROUP_BY_NAME, v, 3, NULL, 0);

	if (r == 0) {
		store_detail_set(d, "name", name);
		return ERR_EXISTS;
	}
	return r == ERR_NOTFOUND ? 0 : r;
}

static int op_group_create(struct store_conn *c, void *arg)
{
	struct group_arg *a = arg;
	int r = store_org_lock(a->s, c, a->g->organization_id);

	memset(a->d, 0, sizeof(*a->d));
	if (r == ERR_NOTFOUND)
		store_detail_set(a->d, "organization", a->g->organization_id);
	if (r == 0)
		r = quota_check(a->s, c, Q_GROUP_COUNT, a->g->organization_id, a->quota, "groups", a->d);
	if (r == 0)
		r = group_name_free(a->s, c, a->g->organization_id, NULL, a->g->name, a->d);
	if (r == 0)
		r = insert_rec(a->s, c, Q_GROUP_INSERT, &rec_group, a->g);
	return r;
}

int store_group_create(struct store *s, const struct store_group *g, uint32_t quota, struct store_detail *d)
{
	struct store_detail dummy;
	struct group_arg a = { .s = s, .g = g, .quota = quota, .d = d };

	detail_reset(&a.d, &dummy);
	return store_write_access(s, op_group_create, &a);
}

static int op_group_update(struct store_conn *c, void *arg)
{
	struct group_arg *a = arg;
	const struct store_group_patch *p = a->p;
	char *tags = NULL;
	int64_t changes = 0;
	int r = store_org_lock(a->s, c, a->org);

	memset(a->d, 0, sizeof(*a->d));
	if (r == 0 && p->name)
		r = group_name_free(a->s, c, a->org, a->id, p->name, a->d);
	if (r == 0 && p->set_tags)
		r = store_tags_encode(&p->tags, &tags);
	if (r == 0) {
		struct sval v[7] = {
			sv_text(p->name),    sv_text(p->description), sv_text(tags),   sv_int(p->now.sec),
			sv_int(p->now.nsec), sv_text(a->id),          sv_text(a->org),
		};

		r = store_run(a->s, c, Q_GROUP_UPDATE, v, 7, NULL, NULL, &changes);
	}
	free(tags);
	if (r == 0 && changes == 0)
		r = ERR_NOTFOUND;
	if (r == 0)
		r = store_get_rec(a->s, c, Q_GROUP_GET, a->id, a->org, &rec_group, a->out);
	return r;
}

int store_group_update(struct store *s, const char *org, const char *id, const struct store_group_patch *p,
		       struct store_group *out, struct store_detail *d)
{
	struct store_detail dummy;
	struct group_arg a = { .s = s, .org = org, .id = id, .p = p, .out = out, .d = d };
	int r;

	detail_reset(&a.d, &dummy);
	memset(out, 0, sizeof(*out));
	r = store_write_access(s, op_group_update, &a);
	if (r < 0)
		store_group_release(out);
	return r;
}

static ssize_t tags_find(const struct store_tags *t, const char *v)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], v))
			return (ssize_t)i;
	return -1;
}

/* Append v to t (t->v has room: allocated for the maximum). */
static int tags_push(struct store_tags *t, const char *v)
{
	t->v[t->n] = mem_strndup(v, strlen(v));
	if (!t->v[t->n])
		return ERR_NOMEM;
	t->n++;
	return 0;
}

/* Apply op to the member list cur with the ids in: the result in next (allocated for the
 * maximum). Ids added must exist in org (statement q_in_org, resource). */
static int members_apply(struct group_arg *a, struct store_conn *c, const struct store_tags *cur,
			 const struct store_tags *in, int q_in_org, const char *resource, struct store_tags *next)
{
	size_t i;
	int r = 0;

	next->n = 0;
	next->v = mem_calloc(STORE_GROUP_MEMBERS_MAX + 1, sizeof(char *));
	if (!next->v)
		return ERR_NOMEM;
	if (a->op != STORE_MEMBERS_SET)
		for (i = 0; i < cur->n && r == 0; i++)
			r = tags_push(next, cur->v[i]);
	for (i = 0; i < in->n && r == 0; i++) {
		ssize_t at = tags_find(next, in->v[i]);

		if (a->op == STORE_MEMBERS_REMOVE) {
			if (at < 0) {
				store_detail_set(a->d, "", in->v[i]);
				r = ERR_NOTFOUND;
			} else {
				free(next->v[at]);
				memmove(&next->v[at], &next->v[at + 1], (next->n - (size_t)at - 1) * sizeof(char *));
				next->n--;
			}
			continue;
		}
		if (at >= 0)
			continue; /* already a member: kept where it was */
		if (next->n >= STORE_GROUP_MEMBERS_MAX) {
			store_detail_set(a->d, resource, in->v[i]);
			r = ERR_TOOBIG;
			break;
		}
		r = in_org(a->s, c, q_in_org, in->v[i], a->org, resource, a->d);
		if (r == 0)
			r = tags_push(next, in->v[i]);
	}
	return r;
}

static int op_group_members(struct store_conn *c, void *arg)
{
	struct group_arg *a = arg;
	struct store_tags users = { 0 }, apps = { 0 };
	char *json[2] = { NULL, NULL };
	int r = store_org_lock(a->s, c, a->org);

	memset(a->d, 0, sizeof(*a->d));
	if (r == 0)
		r = store_get_rec(a->s, c, Q_GROUP_GET, a->id, a->org, &rec_group, a->out);
	if (r == ERR_NOTFOUND)
		store_detail_set(a->d, "group", a->id);
	if (r == 0)
		r = members_apply(a, c, &a->out->user_ids, a->users, Q_USER_IN_ORG, "user", &users);
	if (r == 0)
		r = members_apply(a, c, &a->out->application_ids, a->apps, Q_APP_IN_ORG, "application", &apps);
	if (r == 0)
		r = store_tags_encode(&users, &json[0]);
	if (r == 0)
		r = store_tags_encode(&apps, &json[1]);
	if (r == 0) {
		struct sval v[3] = { sv_text(json[0]), sv_text(json[1]), sv_text(a->id) };

		r = store_run(a->s, c, Q_GROUP_MEMBERS_SET, v, 3, NULL, NULL, NULL);
	}
	if (r == 0) {
		/* The answer is the group as written (membership does not move updated_at). */
		store_tags_release(&a->out->user_ids);
		store_tags_release(&a->out->application_ids);
		a->out->user_ids = users;
		a->out->application_ids = apps;
		memset(&users, 0, sizeof(users));
		memset(&apps, 0, sizeof(apps));
	}
	store_tags_release(&users);
	store_tags_release(&apps);
	free(json[0]);
	free(json[1]);
	return r;
}

int store_group_members(struct store *s, const char *org, const char *id, enum store_members_op op,
			const struct store_tags *users, const struct store_tags *apps, struct store_group *out,
			struct store_detail *d)
{
	static const struct store_tags none = { NULL, 0 };
	struct store_detail dummy;
	struct group_arg a = { .s = s,
			       .org = org,
			       .id = id,
			       .op = op,
			       .users = users ? users : &none,
			       .apps = apps ? apps : &none,
			       .out = out,
			       .d = d };
	int r;

	detail_reset(&a.d, &dummy);
	memset(out, 0, sizeof(*out));
	r = store_write_access(s, op_group_members, &a);
	if (r < 0)
		store_group_release(out);
	return r;
}

static int op_group_delete(struct store_conn *c, void *arg)
{
	struct group_arg *a = arg;
	int64_t changes = 0;
	int r = store_org_lock(a->s, c, a->org);

	if (r == 0)
		r = in_org(a->s, c, Q_GROUP_IN_ORG, a->id, a->org, "group", NULL);
	if (r == 0)
		r = run2(a->s, c, Q_POLICIES_ORPHAN_GROUP, a->id, NULL, NULL);
	if (r == 0)
		r = run2(a->s, c, Q_GROUP_DELETE, a->id, a->org, &changes);
	return r == 0 && changes == 0 ? ERR_NOTFOUND : r;
}

int store_group_delete(struct store *s, const char *org, const char *id)
{
	struct group_arg a = { .s = s, .org = org, .id = id };

	return store_write_access(s, op_group_delete, &a);
}

/* ---- the cascade of a deleted member ---- */

struct rows {
	const struct rec_desc *desc;
	void *v;
	size_t n, cap, elem;
};

static int rows_add(const struct srow *r, void *arg)
{
	struct rows *w = arg;

	if (w->n >= w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		void *nv = realloc(w->v, cap * w->elem);

		if (!nv)
			return ERR_NOMEM;
		memset((char *)nv + w->cap * w->elem, 0, (cap - w->cap) * w->elem);
		w->v = nv;
		w->cap = cap;
	}
	w->n++; /* released with the others even when half filled */
	return store_row_rec(w->desc, r, 0, (char *)w->v + (w->n - 1) * w->elem);
}

static void rows_release(struct rows *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		store_rec_release(w->desc, (char *)w->v + i * w->elem);
	free(w->v);
	w->v = NULL;
	w->n = w->cap = 0;
}

int store_forget_member(struct store *s, struct store_conn *c, const char *org, enum store_bearer type, const char *id)
{
	struct rows w = { &rec_group, NULL, 0, 0, sizeof(struct store_group) };
	struct sval v[2] = { sv_text(org), sv_text(id) };
	size_t i;
	int r = store_run(s, c, Q_GROUPS_WITH_MEMBER, v, 2, rows_add, &w, NULL);

	for (i = 0; i < w.n && r == 0; i++) {
		struct store_group *g = &((struct store_group *)w.v)[i];
		struct store_tags *t = type == STORE_BEARER_USER ? &g->user_ids : &g->application_ids;
		ssize_t at = tags_find(t, id);
		char *json[2] = { NULL, NULL };

		if (at < 0)
			continue;
		free(t->v[at]);
		memmove(&t->v[at], &t->v[at + 1], (t->n - (size_t)at - 1) * sizeof(char *));
		t->n--;
		r = store_tags_encode(&g->user_ids, &json[0]);
		if (r == 0)
			r = store_tags_encode(&g->application_ids, &json[1]);
		if (r == 0) {
			struct sval u[3] = { sv_text(json[0]), sv_text(json[1]), sv_text(g->id) };

			r = store_run(s, c, Q_GROUP_MEMBERS_SET, u, 3, NULL, NULL, NULL);
		}
		free(json[0]);
		free(json[1]);
	}
	rows_release(&w);
	if (r == 0)
		r = run2(s, c, type == STORE_BEARER_USER ? Q_POLICIES_ORPHAN_USER : Q_POLICIES_ORPHAN_APP, id, NULL,
			 NULL);
	return r;
}

/* ---- policies and rules ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Number of distinct strings of v[0..n) (sorted in place). */
static uint32_t distinct(const char **v, size_t n)
{
	size_t i;
	uint32_t k = 0;

	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
			k++;
	return k;
}

/* nb_rules, nb_scopes (distinct organization / project ids) and nb_permission_sets (distinct
 * names) of a rule list. */
static int policy_counts(const struct store_rule *rules, size_t n, uint32_t out[3])
{
	size_t i, j, nsets = 0, nscopes = 0;
	const char **sets, **scopes;

	for (i = 0; i < n; i++) {
		nsets += rules[i].permission_set_names.n;
		nscopes += rules[i].organization_id[0] ? 1 : rules[i].project_ids.n;
	}
	sets = mem_calloc(nsets + 1, sizeof(char *));
	scopes = mem_calloc(nscopes + 1, sizeof(char *));
	if (!sets || !scopes) {
		free(sets);
		free(scopes);
		return ERR_NOMEM;
	}
	nsets = nscopes = 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < rules[i].permission_set_names.n; j++)
			sets[nsets++] = rules[i].permission_set_names.v[j];
		if (rules[i].organization_id[0])
			scopes[nscopes++] = rules[i].organization_id;
		else
			for (j = 0; j < rules[i].project_ids.n; j++)
				scopes[nscopes++] = rules[i].project_ids.v[j];
	}
	out[0] = (uint32_t)n;
	out[1] = distinct(scopes, nscopes);
	out[2] = distinct(sets, nsets);
	free(sets);
	free(scopes);
	return 0;
}

/* Insert rules[0..n) as the rules of policy_id (positions 0..n-1). */
static int rules_insert(struct store *s, struct store_conn *c, const char *policy_id, const struct store_rule *rules,
			size_t n)
{
	static char none[1];
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		struct store_rule ru = rules[i];

		memcpy(ru.policy_id, policy_id, sizeof(ru.policy_id));
		ru.pos = (uint32_t)i;
		if (!ru.condition)
			ru.condition = none;
		r = insert_rec(s, c, Q_RULE_INSERT, &rec_rule, &ru);
	}
	return r;
}

/* The principal of a policy must exist in org. */
static int principal_check(struct store *s, struct store_conn *c, const char *org, enum store_principal t,
			   const char *id, struct store_detail *d)
{
	switch (t) {
	case STORE_PRINCIPAL_USER: return in_org(s, c, Q_USER_IN_ORG, id, org, "user", d);
	case STORE_PRINCIPAL_GROUP: return in_org(s, c, Q_GROUP_IN_ORG, id, org, "group", d);
	case STORE_PRINCIPAL_APPLICATION: return in_org(s, c, Q_APP_IN_ORG, id, org, "application", d);
	default: return 0;
	}
}

struct policy_arg {
	struct store *s;
	const char *org, *id, *new_id;
	struct store_policy *p;
	const struct store_policy_patch *patch;
	const struct store_rule *rules;
	size_t n;
	const char (*rule_ids)[STORE_ID_LEN + 1];
	struct tstamp now;
	uint32_t quota;
	struct store_policy *out;
	struct store_rule_list *rules_out;
	struct store_detail *d;
};

static int op_policy_create(struct store_conn *c, void *arg)
{
	struct policy_arg *a = arg;
	struct store_policy *p = a->p;
	uint32_t counts[3];
	int r = store_org_lock(a->s, c, p->organization_id);

	memset(a->d, 0, sizeof(*a->d));
	if (r == ERR_NOTFOUND)
		store_detail_set(a->d, "organization", p->organization_id);
	if (r == 0)
		r = quota_check(a->s, c, Q_POLICY_COUNT, p->organization_id, a->quota, "policies", a->d);
	if (r == 0)
		r = principal_check(a->s, c, p->organization_id, p->principal_type, p->principal_id, a->d);
	if (r == 0)
		r = policy_counts(a->rules, a->n, counts);
	if (r == 0) {
		p->nb_rules = counts[0];
		p->nb_scopes = counts[1];
		p->nb_permission_sets = counts[2];
		r = insert_rec(a->s, c, Q_POLICY_INSERT, &rec_policy, p);
	}
	if (r == 0)
		r = rules_insert(a->s, c, p->id, a->rules, a->n);
	return r;
}

int store_policy_create(struct store *s, struct store_policy *p, const struct store_rule *rules, size_t n,
			uint32_t quota, struct store_detail *d)
{
	struct store_detail dummy;
	struct policy_arg a = { .s = s, .p = p, .rules = rules, .n = n, .quota = quota, .d = d };

	detail_reset(&a.d, &dummy);
	return store_write_access(s, op_policy_create, &a);
}

static int op_policy_update(struct store_conn *c, void *arg)
{
	struct policy_arg *a = arg;
	const struct store_policy_patch *p = a->patch;
	char *tags = NULL;
	int64_t changes = 0;
	int r = store_org_lock(a->s, c, a->org);

	memset(a->d, 0, sizeof(*a->d));
	if (r == 0)
		r = in_org(a->s, c, Q_POLICY_IN_ORG, a->id, a->org, "policy", a->d);
	if (r == 0 && p->set_principal)
		r = principal_check(a->s, c, a->org, p->principal_type, p->principal_id, a->d);
	if (r == 0 && p->set_tags)
		r = store_tags_encode(&p->tags, &tags);
	if (r == 0) {
		struct sval v[11];
		int k;

		v[0] = sv_text(p->name);
		v[1] = sv_text(p->description);
		v[2] = sv_text(tags);
		v[3] = sv_int(p->set_principal ? 1 : 0);
		for (k = 0; k < 3; k++) /* user, group, application */
			v[4 + k] = sv_text((int)p->principal_type == k + 1 ? p->principal_id : NULL);
		v[7] = sv_int(p->now.sec);
		v[8] = sv_int(p->now.nsec);
		v[9] = sv_text(a->id);
		v[10] = sv_text(a->org);
		r = store_run(a->s, c, Q_POLICY_UPDATE, v, 11, NULL, NULL, &changes);
	}
	free(tags);
	if (r == 0 && changes == 0)
		r = ERR_NOTFOUND;
	if (r == 0)
		r = store_get_rec(a->s, c, Q_POLICY_GET, a->id, a->org, &rec_policy, a->out);
	return r;
}

int store_policy_update(struct store *s, const char *org, const char *id, const struct store_policy_patch *p,
			struct store_policy *out, struct store_detail *d)
{
	struct store_detail dummy;
	struct policy_arg a = { .s = s, .org = org, .id = id, .patch = p, .out = out, .d = d };
	int r;

	detail_reset(&a.d, &dummy);
	memset(out, 0, sizeof(*out));
	r = store_write_access(s, op_policy_update, &a);
	if (r < 0)
		store_policy_release(out);
	return r;
}

static int op_policy_delete(struct store_conn *c, void *arg)
{
	struct policy_arg *a = arg;
	int64_t changes = 0;
	int r = in_org(a->s, c, Q_POLICY_IN_ORG, a->id, a->org, "policy", NULL);

	if (r == 0)
		r = run2(a->s, c, Q_RULES_OF_POLICY_DELETE, a->id, NULL, NULL);
	if (r == 0)
		r = run2(a->s, c, Q_POLICY_DELETE, a->id, a->org, &changes);
	return r == 0 && changes == 0 ? ERR_NOTFOUND : r;
}

int store_policy_delete(struct store *s, const char *org, const char *id)
{
	struct policy_arg a = { .s = s, .org = org, .id = id };

	return store_write_access(s, op_policy_delete, &a);
}

/* Every rule of policy_id, in order, into w (a rows of rec_rule). */
static int rules_all(struct store *s, struct store_conn *c, const char *policy_id, uint32_t limit, uint32_t offset,
		     struct rows *w)
{
	struct sval v[3] = { sv_text(policy_id), sv_int(limit), sv_int(offset) };

	return store_run(s, c, Q_RULES_PAGE, v, 3, rows_add, w, NULL);
}

static int op_policy_clone(struct store_conn *c, void *arg)
{
	static const char prefix[] = "Copy of ";
	struct policy_arg *a = arg;
	struct store_policy *src = a->out;
	struct rows w = { &rec_rule, NULL, 0, 0, sizeof(struct store_rule) };
	char *name = NULL;
	size_t i;
	int r = store_org_lock(a->s, c, a->org);

	memset(a->d, 0, sizeof(*a->d));
	if (r == 0)
		r = store_get_rec(a->s, c, Q_POLICY_GET, a->id, a->org, &rec_policy, src);
	if (r == ERR_NOTFOUND)
		store_detail_set(a->d, "policy", a->id);
	if (r == 0)
		r = quota_check(a->s, c, Q_POLICY_COUNT, a->org, a->quota, "policies", a->d);
	if (r == 0)
		r = rules_all(a->s, c, a->id, STORE_POLICY_RULES_MAX, 0, &w);
	if (r == 0 && w.n > (size_t)STORE_POLICY_RULES_MAX)
		r = ERR_INTERNAL;
	if (r == 0) {
		size_t n = strlen(src->name);

		name = malloc(sizeof(prefix) + n);
		if (!name)
			r = ERR_NOMEM;
		else
			snprintf(name, sizeof(prefix) + n, "%s%s", prefix, src->name);
	}
	if (r == 0) {
		free(src->name);
		src->name = name;
		memcpy(src->id, a->new_id, sizeof(src->id));
		src->created_at = src->updated_at = a->now;
		src->editable = src->deletable = 1;
		src->managed = 0;
		store_tags_release(&src->tags);
		src->principal_type = STORE_PRINCIPAL_NONE;
		src->principal_id[0] = '\0';
		r = insert_rec(a->s, c, Q_POLICY_INSERT, &rec_policy, src);
	}
	for (i = 0; i < w.n && r == 0; i++) {
		if (i >= a->n) {
			r = ERR_INTERNAL;
			break;
		}
		memcpy(((struct store_rule *)w.v)[i].id, a->rule_ids[i], STORE_ID_LEN + 1);
	}
	if (r == 0)
		r = rules_insert(a->s, c, src->id, w.v, w.n);
	rows_release(&w);
	return r;
}

int store_policy_clone(struct store *s, const char *org, const char *id, const char *new_id,
		       const char (*rule_ids)[STORE_ID_LEN + 1], size_t n_rule_ids, struct tstamp now, uint32_t quota,
		       struct store_policy *out, struct store_detail *d)
{
	struct store_detail dummy;
	struct policy_arg a = { .s = s,
				.org = org,
				.id = id,
				.new_id = new_id,
				.rule_ids = rule_ids,
				.n = n_rule_ids,
				.now = now,
				.quota = quota,
				.out = out,
				.d = d };
	int r;

	detail_reset(&a.d, &dummy);
	memset(out, 0, sizeof(*out));
	r = store_write_access(s, op_policy_clone, &a);
	if (r < 0)
		store_policy_release(out);
	return r;
}

static int op_rules_set(struct store_conn *c, void *arg)
{
	struct policy_arg *a = arg;
	struct rows w = { &rec_rule, NULL, 0, 0, sizeof(struct store_rule) };
	uint32_t counts[3];
	int r = store_org_lock(a->s, c, a->org);

	store_rule_list_release(a->rules_out);
	if (r == 0)
		r = in_org(a->s, c, Q_POLICY_IN_ORG, a->id, a->org, "policy", NULL);
	if (r == 0)
		r = run2(a->s, c, Q_RULES_OF_POLICY_DELETE, a->id, NULL, NULL);
	if (r == 0)
		r = rules_insert(a->s, c, a->id, a->rules, a->n);
	if (r == 0)
		r = policy_counts(a->rules, a->n, counts);
	if (r == 0) {
		struct sval v[6] = { sv_int(counts[0]),  sv_int(counts[1]),   sv_int(counts[2]),
				     sv_int(a->now.sec), sv_int(a->now.nsec), sv_text(a->id) };

		r = store_run(a->s, c, Q_POLICY_COUNTS, v, 6, NULL, NULL, NULL);
	}
	if (r == 0)
		r = rules_all(a->s, c, a->id, STORE_POLICY_RULES_MAX, 0, &w);
	a->rules_out->v = w.v;
	a->rules_out->n = w.n;
	a->rules_out->total = (uint32_t)w.n;
	return r;
}

int store_rules_set(struct store *s, const char *org, const char *policy_id, const struct store_rule *rules, size_t n,
		    struct tstamp now, struct store_rule_list *out)
{
	struct policy_arg a = {
		.s = s, .org = org, .id = policy_id, .rules = rules, .n = n, .now = now, .rules_out = out
	};
	int r;

	memset(out, 0, sizeof(*out));
	if (n > STORE_POLICY_RULES_MAX)
		return ERR_RANGE;
	r = store_write_access(s, op_rules_set, &a);
	if (r < 0)
		store_rule_list_release(out);
	return r;
}

/* ---- reads ---- */

struct read_arg {
	struct store *s;
	const char *org, *id;
	const struct store_page *pg;
	struct store_rule_list *rules;
	enum store_bearer type;
	struct store_grant_list *grants;
};

static int rule_list_fn(struct store_conn *c, void *arg)
{
	struct read_arg *a = arg;
	struct rows w = { &rec_rule, NULL, 0, 0, sizeof(struct store_rule) };
	struct sval v = sv_text(a->id);
	char count[24];
	int r = in_org(a->s, c, Q_POLICY_IN_ORG, a->id, a->org, "policy", NULL);

	store_rule_list_release(a->rules);
	if (r == 0)
		r = store_run_text(a->s, c, Q_RULES_COUNT, &v, 1, count, sizeof(count));
	if (r == 0)
		r = rules_all(a->s, c, a->id, a->pg->page_size, (a->pg->page - 1) * a->pg->page_size, &w);
	a->rules->v = w.v;
	a->rules->n = w.n;
	a->rules->total = r == 0 ? (uint32_t)strtoul(count, NULL, 10) : 0;
	return r;
}

int store_rule_list(struct store *s, const char *org, const char *policy_id, const struct store_page *pg,
		    struct store_rule_list *out)
{
	struct read_arg a = { .s = s, .org = org, .id = policy_id, .pg = pg, .rules = out };
	int r;

	memset(out, 0, sizeof(*out));
	if (pg->page < 1 || pg->page_size < 1 || pg->page_size > 100 ||
	    (uint64_t)(pg->page - 1) * pg->page_size > UINT32_MAX)
		return ERR_RANGE;
	r = s->ops->read(s, 1, rule_list_fn, &a);
	if (r < 0)
		store_rule_list_release(out);
	return r;
}

static int grant_row(const struct srow *row, void *arg)
{
	struct store_grant_list *l = arg;
	struct store_grant *g;
	const char *cond, *sets;
	size_t n = 0, ns = 0;
	int r = 0;

	if ((l->n & (l->n - 1)) == 0) { /* grow at powers of two */
		struct store_grant *nv = realloc(l->v, (l->n ? 2 * l->n : 4) * sizeof(*nv));

		if (!nv)
			return ERR_NOMEM;
		l->v = nv;
	}
	g = &l->v[l->n];
	memset(g, 0, sizeof(*g));
	l->n++;
	sets = row->col(row, 0, &ns);
	g->sets_json = mem_strndup(sets ? sets : "[]", sets ? ns : 2);
	if (!g->sets_json)
		r = ERR_NOMEM;
	cond = row->col(row, 1, &n);
	if (r == 0) {
		g->condition = mem_strndup(cond ? cond : "", cond ? n : 0);
		if (!g->condition)
			r = ERR_NOMEM;
	}
	return r;
}

static int grants_fn(struct store_conn *c, void *arg)
{
	struct read_arg *a = arg;
	int app = a->type == STORE_BEARER_APPLICATION;
	struct sval v[3] = { sv_text(a->org), sv_text(app ? a->id : NULL), sv_text(app ? NULL : a->id) };

	store_grant_list_release(a->grants);
	return store_run(a->s, c, Q_GRANTS, v, 3, grant_row, a->grants, NULL);
}

int store_grants(struct store *s, const char *org, enum store_bearer type, const char *bearer_id,
		 struct store_grant_list *out)
{
	struct read_arg a = { .s = s, .org = org, .id = bearer_id, .type = type, .grants = out };
	uint64_t gen = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (s->auth_cache) {
		if (store_authcache_grants_get(s->auth_cache, org, type, bearer_id, out) == 0)
			return 0;
		gen = store_authcache_gen(s->auth_cache);
	}
	r = s->ops->read(s, 0, grants_fn, &a);
	if (r < 0)
		store_grant_list_release(out);
	else if (s->auth_cache)
		store_authcache_grants_put(s->auth_cache, org, type, bearer_id, out, gen);
	return r;
}

void store_grant_list_release(struct store_grant_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].sets_json);
		free(l->v[i].condition);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
