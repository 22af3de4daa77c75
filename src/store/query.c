/* SPDX-License-Identifier: MIT */
/*
 * query: the reads of the store (authentication, gets, lists), on any engine. A list is two
 * statements, a count and a page, run in one read snapshot; their WHERE clause is built from
 * the filter with bound values only.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/store_int.h"

/* ---- gets ---- */

struct get_ctx {
	struct store *s;
	int q;
	struct sval a[2];
	const struct rec_desc *desc;
	void *rec;
	int found;
};

static int get_row(const struct srow *r, void *arg)
{
	struct get_ctx *g = arg;

	if (g->found++)
		return 0;
	return store_row_rec(g->desc, r, 0, g->rec);
}

int store_get_rec(struct store *s, struct store_conn *c, int q, const char *a1, const char *a2,
		  const struct rec_desc *desc, void *rec)
{
	struct get_ctx g = { s, q, { sv_text(a1), sv_text(a2) }, desc, rec, 0 };
	int r;

	store_rec_release(desc, rec);
	r = store_run(s, c, q, g.a, a2 ? 2 : 1, get_row, &g, NULL);
	if (r == 0 && !g.found)
		r = ERR_NOTFOUND;
	if (r < 0)
		store_rec_release(desc, rec);
	return r;
}

static int get_fn(struct store_conn *c, void *arg)
{
	struct get_ctx *g = arg;

	return store_get_rec(g->s, c, g->q, g->a[0].s, g->a[1].s, g->desc, g->rec);
}

static int get(struct store *s, int q, const char *a1, const char *a2, const struct rec_desc *desc, void *rec,
	       size_t size)
{
	struct get_ctx g = { s, q, { sv_text(a1), sv_text(a2) }, desc, rec, 0 };

	memset(rec, 0, size);
	return s->ops->read(s, 0, get_fn, &g);
}

int store_key_get(struct store *s, const char *org, const char *ak, struct store_key *out)
{
	return get(s, Q_KEY_GET, ak, org, &rec_key, out, sizeof(*out));
}

int store_app_get(struct store *s, const char *org, const char *id, struct store_app *out)
{
	return get(s, Q_APP_GET, id, org, &rec_app, out, sizeof(*out));
}

int store_user_get(struct store *s, const char *org, const char *id, struct store_user *out)
{
	return get(s, Q_USER_GET, id, org, &rec_user, out, sizeof(*out));
}

int store_group_get(struct store *s, const char *org, const char *id, struct store_group *out)
{
	return get(s, Q_GROUP_GET, id, org, &rec_group, out, sizeof(*out));
}

int store_policy_get(struct store *s, const char *org, const char *id, struct store_policy *out)
{
	return get(s, Q_POLICY_GET, id, org, &rec_policy, out, sizeof(*out));
}

struct text_ctx {
	struct store *s;
	int q;
	const char *a;
	char *out;
	size_t size;
};

static int text_fn(struct store_conn *c, void *arg)
{
	struct text_ctx *t = arg;
	struct sval a = sv_text(t->a);

	return store_run_text(t->s, c, t->q, &a, t->a ? 1 : 0, t->out, t->size);
}

int store_meta_get(struct store *s, const char *key, char *out, size_t out_len)
{
	struct text_ctx t = { s, Q_META_GET, key, out, out_len };

	return s->ops->read(s, 0, text_fn, &t);
}

int store_org_default_project(struct store *s, const char *org, char out[STORE_ID_LEN + 1])
{
	struct text_ctx t = { s, Q_DEFAULT_PROJECT, org, out, STORE_ID_LEN + 1 };

	return s->ops->read(s, 0, text_fn, &t);
}

int store_ping(struct store *s)
{
	char one[8];
	struct text_ctx t = { s, Q_PING, NULL, one, sizeof(one) };
	int r = s->ops->ping ? s->ops->ping(s) : 0;

	return r < 0 ? r : s->ops->read(s, 0, text_fn, &t);
}

/* ---- organizations (admin) ---- */

struct org_list_ctx {
	struct store *s;
	struct store_org_list *out;
	size_t cap;
};

static void col_copy(const struct srow *r, int c, char *out, size_t size)
{
	size_t n = 0;
	const char *v = r->col(r, c, &n);

	if (!v || n >= size)
		n = 0;
	if (n)
		memcpy(out, v, n);
	out[n] = '\0';
}

static int64_t col_int(const struct srow *r, int c)
{
	return store_col_int(r, c, NULL);
}

static int org_row(const struct srow *r, void *arg)
{
	struct org_list_ctx *x = arg;
	struct store_org *o;
	size_t n;
	const char *name;

	if (x->out->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		struct store_org *v = realloc(x->out->v, cap * sizeof(*v));

		if (!v)
			return ERR_NOMEM;
		x->out->v = v;
		x->cap = cap;
	}
	o = &x->out->v[x->out->n];
	memset(o, 0, sizeof(*o));
	col_copy(r, 0, o->id, sizeof(o->id));
	name = r->col(r, 1, &n);
	o->name = mem_strndup(name ? name : "", name ? n : 0);
	if (!o->name)
		return ERR_NOMEM;
	x->out->n++;
	o->created_at.sec = col_int(r, 2);
	o->created_at.nsec = (int32_t)col_int(r, 3);
	o->is_default = (int)col_int(r, 4);
	o->api_keys = (uint32_t)col_int(r, 5);
	col_copy(r, 6, o->project_id, sizeof(o->project_id));
	return 0;
}

static int org_list_fn(struct store_conn *c, void *arg)
{
	struct org_list_ctx *x = arg;

	store_org_list_release(x->out);
	x->cap = 0;
	return store_run(x->s, c, Q_ORG_LIST, NULL, 0, org_row, x, NULL);
}

int store_org_list(struct store *s, struct store_org_list *out)
{
	struct org_list_ctx x = { s, out, 0 };
	int r;

	out->v = NULL;
	out->n = 0;
	r = s->ops->read(s, 1, org_list_fn, &x);
	if (r < 0)
		store_org_list_release(out);
	return r;
}

void store_org_list_release(struct store_org_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- authentication ---- */

struct auth_ctx {
	struct store *s;
	const uint8_t *hash;
	struct store_key *out;
	int found, match;
};

static int auth_row(const struct srow *r, void *arg)
{
	static const char digits[] = "0123456789abcdef";
	struct auth_ctx *a = arg;
	char want[2 * STORE_HASH_LEN];
	size_t i, n = 0, ncols = 0;
	const char *hex;

	if (a->found++)
		return 0;
	for (i = 0; i < rec_key.n; i++)
		ncols += rec_ncols(&rec_key.f[i]);
	hex = r->col(r, (int)ncols, &n);
	if (!hex || n != sizeof(want))
		return 0;
	for (i = 0; i < STORE_HASH_LEN; i++) {
		want[2 * i] = digits[a->hash[i] >> 4];
		want[2 * i + 1] = digits[a->hash[i] & 15];
	}
	/* The index found it; the constant-time check is the one that decides. */
	a->match = mem_ct_eq(hex, want, sizeof(want));
	mem_wipe(want, sizeof(want));
	return a->match ? store_row_rec(&rec_key, r, 0, a->out) : 0;
}

static int auth_fn(struct store_conn *c, void *arg)
{
	struct auth_ctx *a = arg;
	struct sval v = sv_blob(a->hash, STORE_HASH_LEN);
	int r;

	a->found = a->match = 0;
	store_key_release(a->out);
	r = store_run(a->s, c, Q_AUTH, &v, 1, auth_row, a, NULL);
	if (r == 0 && !a->match)
		r = ERR_NOTFOUND;
	return r;
}

int store_auth(struct store *s, const uint8_t hash[STORE_HASH_LEN], struct store_key *out)
{
	struct auth_ctx a = { s, hash, out, 0, 0 };
	uint64_t gen = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (s->auth_cache) {
		if (store_authcache_get(s->auth_cache, hash, out) == 0)
			return 0;
		gen = store_authcache_gen(s->auth_cache);
	}
	r = s->ops->read(s, 0, auth_fn, &a);
	if (r < 0)
		store_key_release(out);
	else if (s->auth_cache)
		store_authcache_put(s->auth_cache, hash, out, gen);
	return r;
}

/* ---- lists: a WHERE clause built from the filter, bound twice (count and page) ---- */

#define QB_MAX 256

struct qb {
	struct buf where;
	struct sval b[QB_MAX];
	int n;
	int err;
};

static void qb_sql(struct qb *q, const char *sql)
{
	if (!q->err)
		q->err = buf_append_str(&q->where, sql);
}

static void qb_val(struct qb *q, struct sval v)
{
	if (q->n >= QB_MAX) {
		q->err = ERR_TOOBIG;
		return;
	}
	q->b[q->n++] = v;
	if (!q->err)
		q->err = buf_printf(&q->where, "$%d", q->n);
}

static void qb_in(struct qb *q, const char *col, const char *const *v, size_t n)
{
	size_t i;

	if (!n)
		return;
	qb_sql(q, " AND ");
	qb_sql(q, col);
	qb_sql(q, " IN (");
	for (i = 0; i < n; i++) {
		if (i)
			qb_sql(q, ", ");
		qb_val(q, sv_text(v[i]));
	}
	qb_sql(q, ")");
}

static void qb_eq(struct qb *q, const char *col, const char *v)
{
	if (!v)
		return;
	qb_sql(q, " AND ");
	qb_sql(q, col);
	qb_sql(q, " = ");
	qb_val(q, sv_text(v));
}

static void qb_bool(struct qb *q, const char *col, int v)
{
	if (v < 0)
		return;
	qb_sql(q, " AND ");
	qb_sql(q, col);
	qb_sql(q, " = ");
	qb_val(q, sv_int(v ? 1 : 0));
}

static void qb_tag(struct qb *q, const struct store_dialect *d, const char *table, const char *tag)
{
	char sql[256];

	if (!tag)
		return;
	snprintf(sql, sizeof(sql), "%s%s%s", d->tag_open, table, d->tag_close);
	qb_sql(q, " AND ");
	qb_sql(q, sql);
	qb_val(q, sv_text(tag));
	qb_sql(q, ")");
}

static int order_sql(const struct store_page *pg, const char *tiebreak, char *out, size_t n)
{
	const char *d = pg->desc ? "DESC" : "ASC";
	/* NULLs sort first ascending and last descending, on every engine. */
	const char *nulls = pg->desc ? " NULLS LAST" : " NULLS FIRST";
	const char *c1 = NULL, *c2 = NULL;
	int nullable = 0;
	size_t len;

	switch (pg->order) {
	case STORE_ORDER_CREATED_AT:
		c1 = "created_s";
		c2 = "created_ns";
		break;
	case STORE_ORDER_UPDATED_AT:
		c1 = "updated_s";
		c2 = "updated_ns";
		break;
	case STORE_ORDER_EXPIRES_AT:
		c1 = "expires_s";
		c2 = "expires_ns";
		nullable = 1;
		break;
	case STORE_ORDER_LAST_LOGIN:
		c1 = "last_login_s";
		c2 = "last_login_ns";
		nullable = 1;
		break;
	case STORE_ORDER_ACCESS_KEY: c1 = "access_key"; break;
	case STORE_ORDER_NAME: c1 = "name"; break;
	case STORE_ORDER_EMAIL: c1 = "lower(email)"; break;
	case STORE_ORDER_USERNAME: c1 = "username"; break;
	default: return ERR_INVAL;
	}
	if (!nullable)
		nulls = "";
	if (c2)
		snprintf(out, n, "%s %s%s, %s %s%s", c1, d, nulls, c2, d, nulls);
	else
		snprintf(out, n, "%s %s", c1, d);
	/* Ties are broken by creation then the primary key, in the same direction. */
	len = strlen(out);
	snprintf(out + len, n - len, ", created_s %s, created_ns %s, %s %s", d, d, tiebreak, d);
	return 0;
}

struct list_ctx {
	struct store *s;
	const struct rec_desc *desc;
	struct qb *q;
	const char *order;
	const struct store_page *pg;
	uint32_t *total;
	void *v;
	size_t n, cap, elem;
};

static int count_row(const struct srow *r, void *arg)
{
	struct list_ctx *l = arg;
	const char *v = r->col(r, 0, NULL);

	*l->total = v ? (uint32_t)strtoul(v, NULL, 10) : 0;
	return 0;
}

static int list_row(const struct srow *r, void *arg)
{
	struct list_ctx *l = arg;
	int ret;

	if (l->n >= l->cap)
		return ERR_INTERNAL;
	ret = store_row_rec(l->desc, r, 0, (char *)l->v + l->n * l->elem);
	l->n++; /* released with the list even when half filled */
	return ret;
}

static int list_fn(struct store_conn *c, void *arg)
{
	struct list_ctx *l = arg;
	struct buf sql;
	int64_t offset = ((int64_t)l->pg->page - 1) * (int64_t)l->pg->page_size;
	const char *where = l->q->where.data ? (const char *)l->q->where.data : "";
	int r;

	buf_init(&sql, 1 << 17);
	r = buf_printf(&sql, "SELECT count(*) FROM %s WHERE TRUE%s", l->desc->table, where);
	if (r == 0)
		r = l->s->ops->run(c, -1, (const char *)sql.data, l->q->b, l->q->n, count_row, l, NULL);
	buf_reset(&sql);
	if (r == 0)
		r = buf_append_str(&sql, "SELECT ");
	if (r == 0)
		r = store_sql_cols(l->desc, &sql);
	if (r == 0)
		r = buf_printf(&sql, " FROM %s WHERE TRUE%s ORDER BY %s LIMIT %u OFFSET %lld", l->desc->table, where,
			       l->order, l->pg->page_size, (long long)offset);
	if (r == 0)
		r = l->s->ops->run(c, -1, (const char *)sql.data, l->q->b, l->q->n, list_row, l, NULL);
	buf_release(&sql);
	return r;
}

static int check_page(const struct store_page *pg)
{
	if (pg->page < 1 || pg->page_size < 1 || pg->page_size > 100)
		return ERR_RANGE;
	return 0;
}

/* Run the list of desc with the WHERE of q; fills *v / *n / *total. */
static int run_list(struct store *s, const struct rec_desc *desc, struct qb *q, const struct store_page *pg,
		    size_t elem, void **v, size_t *n, uint32_t *total)
{
	char order[256];
	struct list_ctx l = { s, desc, q, order, pg, total, NULL, 0, pg->page_size, elem };
	int r = q->err;

	if (r == 0)
		r = order_sql(pg, desc->pk, order, sizeof(order));
	if (r == 0) {
		l.v = mem_calloc(l.cap, elem);
		if (!l.v)
			r = ERR_NOMEM;
	}
	if (r == 0)
		r = s->ops->read(s, 1, list_fn, &l);
	buf_release(&q->where);
	*v = l.v;
	*n = l.n;
	return r;
}

static void qb_init(struct qb *q)
{
	buf_init(&q->where, 1 << 16);
	q->n = 0;
	q->err = 0;
}

/* Expired at now: expires_at <= now (store_key_expired() in rules.c is the same rule in C). */
static void qb_expired(struct qb *q, int expired, struct tstamp now)
{
	if (expired < 0)
		return;
	qb_sql(q, expired ? " AND expires_s IS NOT NULL AND (expires_s < " : " AND (expires_s IS NULL OR expires_s > ");
	qb_val(q, sv_int(now.sec));
	qb_sql(q, " OR (expires_s = ");
	qb_val(q, sv_int(now.sec));
	qb_sql(q, expired ? " AND expires_ns <= " : " AND expires_ns > ");
	qb_val(q, sv_int(now.nsec));
	qb_sql(q, "))");
}

int store_key_list(struct store *s, const struct store_key_filter *f, struct store_key_list *out)
{
	struct qb q;
	void *v = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = check_page(&f->page);
	if (r < 0)
		return r;
	qb_init(&q);
	qb_eq(&q, "organization_id", f->organization_id);
	qb_bool(&q, "editable", f->editable);
	qb_expired(&q, f->expired, f->now);
	qb_eq(&q, "access_key", f->access_key);
	qb_eq(&q, "description", f->description);
	if (f->bearer_type == STORE_BEARER_APPLICATION) {
		qb_sql(&q, " AND application_id IS NOT NULL");
		qb_eq(&q, "application_id", f->bearer_id);
	} else if (f->bearer_type == STORE_BEARER_USER) {
		qb_sql(&q, " AND user_id IS NOT NULL");
		qb_eq(&q, "user_id", f->bearer_id);
	} else if (f->bearer_id) {
		qb_sql(&q, " AND (application_id = ");
		qb_val(&q, sv_text(f->bearer_id));
		qb_sql(&q, " OR user_id = ");
		qb_val(&q, sv_text(f->bearer_id));
		qb_sql(&q, ")");
	}
	qb_in(&q, "access_key", f->access_keys, f->n_access_keys);
	qb_eq(&q, "application_id", f->application_id);
	qb_eq(&q, "user_id", f->user_id);
	r = run_list(s, &rec_key, &q, &f->page, sizeof(struct store_key), &v, &out->n, &out->total);
	out->v = v;
	if (r < 0)
		store_key_list_release(out);
	return r;
}

int store_app_list(struct store *s, const struct store_app_filter *f, struct store_app_list *out)
{
	struct qb q;
	void *v = NULL;
	char expr[64];
	int r;

	memset(out, 0, sizeof(*out));
	r = check_page(&f->page);
	if (r == 0 && f->page.order != STORE_ORDER_CREATED_AT && f->page.order != STORE_ORDER_UPDATED_AT &&
	    f->page.order != STORE_ORDER_NAME)
		r = ERR_INVAL;
	if (r < 0)
		return r;
	qb_init(&q);
	qb_eq(&q, "organization_id", f->organization_id);
	if (f->name) {
		snprintf(expr, sizeof(expr), " AND %s(lower(name), lower(", s->dialect->strpos_fn);
		qb_sql(&q, expr);
		qb_val(&q, sv_text(f->name));
		qb_sql(&q, ")) > 0");
	}
	qb_tag(&q, s->dialect, "applications", f->tag);
	qb_bool(&q, "editable", f->editable);
	qb_in(&q, "id", f->ids, f->n_ids);
	r = run_list(s, &rec_app, &q, &f->page, sizeof(struct store_app), &v, &out->n, &out->total);
	out->v = v;
	if (r < 0)
		store_app_list_release(out);
	return r;
}

int store_user_list(struct store *s, const struct store_user_filter *f, struct store_user_list *out)
{
	struct qb q;
	void *v = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = check_page(&f->page);
	if (r == 0 && (f->page.order == STORE_ORDER_EXPIRES_AT || f->page.order == STORE_ORDER_ACCESS_KEY ||
		       f->page.order == STORE_ORDER_NAME))
		r = ERR_INVAL;
	if (r < 0)
		return r;
	qb_init(&q);
	qb_eq(&q, "organization_id", f->organization_id);
	qb_tag(&q, s->dialect, "users", f->tag);
	qb_bool(&q, "mfa", f->mfa);
	if (f->type != STORE_USER_UNKNOWN) {
		qb_sql(&q, " AND type = ");
		qb_val(&q, sv_int((int64_t)f->type));
	}
	qb_in(&q, "id", f->ids, f->n_ids);
	r = run_list(s, &rec_user, &q, &f->page, sizeof(struct store_user), &v, &out->n, &out->total);
	out->v = v;
	if (r < 0)
		store_user_list_release(out);
	return r;
}

/* A JSON array column of the row holds one of v[0..n): "AND (<has col IN (...)>)". */
static void qb_elems_in(struct qb *q, const struct store_dialect *d, const char *col, const char *const *v, size_t n)
{
	size_t i;

	if (!n)
		return;
	qb_sql(q, " AND ");
	qb_sql(q, d->elems_open);
	qb_sql(q, col);
	qb_sql(q, d->elems_close);
	qb_sql(q, " IN (");
	for (i = 0; i < n; i++) {
		if (i)
			qb_sql(q, ", ");
		qb_val(q, sv_text(v[i]));
	}
	qb_sql(q, "))");
}

static int order_ok(const struct store_page *pg, int updated)
{
	return pg->order == STORE_ORDER_CREATED_AT || pg->order == STORE_ORDER_NAME ||
	       (updated && pg->order == STORE_ORDER_UPDATED_AT);
}

int store_group_list(struct store *s, const struct store_group_filter *f, struct store_group_list *out)
{
	struct qb q;
	void *v = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = check_page(&f->page);
	if (r == 0 && !order_ok(&f->page, 1))
		r = ERR_INVAL;
	if (r < 0)
		return r;
	qb_init(&q);
	qb_eq(&q, "organization_id", f->organization_id);
	qb_eq(&q, "name", f->name);
	qb_tag(&q, s->dialect, "iam_groups", f->tag);
	qb_in(&q, "id", f->ids, f->n_ids);
	qb_elems_in(&q, s->dialect, "user_ids", f->user_ids, f->n_user_ids);
	qb_elems_in(&q, s->dialect, "application_ids", f->application_ids, f->n_application_ids);
	r = run_list(s, &rec_group, &q, &f->page, sizeof(struct store_group), &v, &out->n, &out->total);
	out->v = v;
	if (r < 0)
		store_group_list_release(out);
	return r;
}

/* Principal in any of the three lists: one OR. */
static void qb_principals(struct qb *q, const struct store_policy_filter *f)
{
	const char *const *lists[3] = { f->user_ids, f->group_ids, f->application_ids };
	const size_t ns[3] = { f->n_user_ids, f->n_group_ids, f->n_application_ids };
	static const char *const cols[3] = { "user_id", "group_id", "application_id" };
	size_t k, i;
	int first = 1;

	if (!ns[0] && !ns[1] && !ns[2])
		return;
	qb_sql(q, " AND (");
	for (k = 0; k < 3; k++) {
		if (!ns[k])
			continue;
		qb_sql(q, first ? "" : " OR ");
		first = 0;
		qb_sql(q, cols[k]);
		qb_sql(q, " IN (");
		for (i = 0; i < ns[k]; i++) {
			if (i)
				qb_sql(q, ", ");
			qb_val(q, sv_text(lists[k][i]));
		}
		qb_sql(q, ")");
	}
	qb_sql(q, ")");
}

int store_policy_list(struct store *s, const struct store_policy_filter *f, struct store_policy_list *out)
{
	struct qb q;
	void *v = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = check_page(&f->page);
	if (r == 0 && !order_ok(&f->page, 0))
		r = ERR_INVAL;
	if (r < 0)
		return r;
	qb_init(&q);
	qb_eq(&q, "organization_id", f->organization_id);
	qb_eq(&q, "name", f->name);
	qb_tag(&q, s->dialect, "policies", f->tag);
	qb_bool(&q, "editable", f->editable);
	if (f->no_principal >= 0)
		qb_sql(&q,
		       f->no_principal
			       ? " AND user_id IS NULL AND group_id IS NULL AND application_id IS NULL"
			       : " AND (user_id IS NOT NULL OR group_id IS NOT NULL OR application_id IS NOT NULL)");
	qb_principals(&q, f);
	qb_in(&q, "id", f->ids, f->n_ids);
	r = run_list(s, &rec_policy, &q, &f->page, sizeof(struct store_policy), &v, &out->n, &out->total);
	out->v = v;
	if (r < 0)
		store_policy_list_release(out);
	return r;
}
