/* SPDX-License-Identifier: MIT */
/*
 * sql: the SQL of every statement of the store, built once per dialect from the record
 * descriptions (record.c), and the conversions between records and rows. Column lists, insert
 * statements and row decoding all walk the same field tables, so a field is added in one place.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/store_int.h"

const struct store_dialect store_dialect_sqlite = {
	.hex_open = "lower(hex(",
	.hex_close = "))",
	.for_update = "",
	.table_lock = "SELECT 1",
	.strpos_fn = "instr",
	.tag_open = "EXISTS (SELECT 1 FROM json_each(",
	.tag_close = ".tags) WHERE value = ",
	.elems_open = "EXISTS (SELECT 1 FROM json_each(",
	.elems_close = ") WHERE value",
};

const struct store_dialect store_dialect_pg = {
	.hex_open = "encode(",
	.hex_close = ", 'hex')",
	.for_update = " FOR UPDATE",
	.table_lock = "LOCK TABLE organizations IN SHARE ROW EXCLUSIVE MODE",
	.strpos_fn = "strpos",
	.tag_open = "EXISTS (SELECT 1 FROM json_array_elements_text(",
	.tag_close = ".tags::json) AS t(value) WHERE value = ",
	.elems_open = "EXISTS (SELECT 1 FROM json_array_elements_text(",
	.elems_close = "::json) AS t(value) WHERE value",
};

/* ---- values ---- */

struct sval sv_text(const char *s)
{
	struct sval v = { .t = s ? SV_TEXT : SV_NULL, .s = s };

	return v;
}

struct sval sv_int(int64_t i)
{
	struct sval v = { .t = SV_INT, .i = i };

	return v;
}

struct sval sv_blob(const void *p, size_t len)
{
	struct sval v = { .t = SV_BLOB, .s = p, .len = len };

	return v;
}

/* ---- statement texts ---- */

int store_sql_cols(const struct rec_desc *desc, struct buf *out)
{
	size_t i;
	int r = 0, first = 1;

	for (i = 0; i < desc->n && r == 0; i++) {
		const struct rec_field *f = &desc->f[i];
		const char *sep = first ? "" : ", ";

		if (f->flags & REC_NOCOL)
			continue;
		first = 0;
		if (f->flags & REC_EXPR)
			r = buf_printf(out, "%s%s", sep, f->expr);
		else if (f->kind == REC_TS || f->kind == REC_OPT_TS)
			r = buf_printf(out, "%s%s_s, %s_ns", sep, f->col, f->col);
		else if (f->kind == REC_BEARER)
			r = buf_printf(out, "%sapplication_id, user_id", sep);
		else if (f->kind == REC_PRINCIPAL)
			r = buf_printf(out, "%suser_id, group_id, application_id", sep);
		else if (f->kind == REC_SCOPE)
			r = buf_printf(out, "%sorganization_id, project_ids", sep);
		else
			r = buf_printf(out, "%s%s", sep, f->col);
	}
	return r;
}

/* "INSERT INTO t (cols[, extra]) VALUES ($1, ...)" over the writable columns. */
static int insert_sql(const struct rec_desc *desc, const char *extra, struct buf *out)
{
	struct buf cols;
	size_t i, n = 0;
	int r;

	buf_init(&cols, 1 << 14);
	for (i = 0; i < desc->n; i++)
		if (!(desc->f[i].flags & REC_EXPR))
			n += rec_ncols(&desc->f[i]);
	r = store_sql_cols(desc, &cols);
	if (r == 0 && extra) {
		r = buf_printf(&cols, ", %s", extra);
		n++;
	}
	if (r == 0)
		r = buf_printf(out, "INSERT INTO %s (%s) VALUES (", desc->table, cols.data);
	for (i = 1; r == 0 && i <= n; i++)
		r = buf_printf(out, "%s$%zu", i > 1 ? ", " : "", i);
	if (r == 0)
		r = buf_append_byte(out, ')');
	buf_release(&cols);
	return r;
}

/* Inserts write every stored column but the computed ones (REC_EXPR, e.g. nb_api_keys). */
int store_sql_insert(const struct rec_desc *desc, const char *extra, struct buf *out)
{
	struct rec_field f[32];
	struct rec_desc d = *desc;
	size_t i, n = 0;

	for (i = 0; i < desc->n && n < 32; i++)
		if (!(desc->f[i].flags & REC_EXPR))
			f[n++] = desc->f[i];
	d.f = f;
	d.n = n;
	return insert_sql(&d, extra, out);
}

int store_sql_select(const struct rec_desc *desc, const char *extra, const char *where, struct buf *out)
{
	int r = buf_append_str(out, "SELECT ");

	if (r == 0)
		r = store_sql_cols(desc, out);
	if (r == 0 && extra)
		r = buf_printf(out, ", %s", extra);
	if (r == 0)
		r = buf_printf(out, " FROM %s WHERE %s", desc->table, where);
	return r;
}

static int build(const struct store_dialect *d, int id, struct buf *b)
{
	char hex[64];

	if (id >= Q_GROUP_GET)
		return store_build_access(d, id, b);
	switch (id) {
	case Q_AUTH:
		snprintf(hex, sizeof(hex), "%ssecret_hash%s", d->hex_open, d->hex_close);
		return store_sql_select(&rec_key, hex, "secret_hash = $1", b);
	case Q_KEY_GET: return store_sql_select(&rec_key, NULL, "access_key = $1 AND organization_id = $2", b);
	case Q_APP_GET: return store_sql_select(&rec_app, NULL, "id = $1 AND organization_id = $2", b);
	case Q_USER_GET: return store_sql_select(&rec_user, NULL, "id = $1 AND organization_id = $2", b);
	case Q_META_GET: return buf_append_str(b, "SELECT value FROM meta WHERE key = $1");
	case Q_META_SET:
		return buf_append_str(b,
				      "INSERT INTO meta (key, value) VALUES ($1, $2)"
				      " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
	case Q_DEFAULT_PROJECT:
		return buf_append_str(b, "SELECT id FROM projects WHERE organization_id = $1 AND is_default = 1");
	case Q_ORG_LOCK: return buf_printf(b, "SELECT api_key_count FROM organizations WHERE id = $1%s", d->for_update);
	case Q_APP_IN_ORG:
		return buf_append_str(b, "SELECT 1 FROM applications WHERE id = $1 AND organization_id = $2");
	case Q_USER_IN_ORG: return buf_append_str(b, "SELECT 1 FROM users WHERE id = $1 AND organization_id = $2");
	case Q_KEY_COUNT_ADD:
		return buf_append_str(b, "UPDATE organizations SET api_key_count = api_key_count + $2 WHERE id = $1");
	case Q_KEY_ORG: return buf_printf(b, "SELECT organization_id FROM api_keys WHERE access_key = $1");
	case Q_KEY_INSERT: return store_sql_insert(&rec_key, "secret_hash", b);
	case Q_APP_INSERT: return store_sql_insert(&rec_app, NULL, b);
	case Q_USER_INSERT: return store_sql_insert(&rec_user, "password_hash", b);
	case Q_KEY_UPDATE:
		return buf_append_str(b,
				      "UPDATE api_keys SET description = coalesce($1, description),"
				      " default_project_id = coalesce($2, default_project_id),"
				      " expires_s = CASE WHEN $3 = 1 THEN $4 ELSE expires_s END,"
				      " expires_ns = CASE WHEN $3 = 1 THEN $5 ELSE expires_ns END,"
				      " updated_s = $6, updated_ns = $7"
				      " WHERE access_key = $8 AND organization_id = $9");
	case Q_APP_UPDATE:
		return buf_append_str(b,
				      "UPDATE applications SET name = coalesce($1, name),"
				      " description = coalesce($2, description), tags = coalesce($3, tags),"
				      " updated_s = $4, updated_ns = $5 WHERE id = $6 AND organization_id = $7");
	case Q_USER_UPDATE:
		return buf_append_str(b,
				      "UPDATE users SET email = coalesce($1, email),"
				      " first_name = coalesce($2, first_name), last_name = coalesce($3, last_name),"
				      " phone_number = coalesce($4, phone_number), locale = coalesce($5, locale),"
				      " username = coalesce($6, username), tags = coalesce($7, tags),"
				      " password_hash = coalesce($12, password_hash),"
				      " updated_s = $8, updated_ns = $9 WHERE id = $10 AND organization_id = $11");
	case Q_KEY_DELETABLE:
		return buf_append_str(b,
				      "SELECT deletable FROM api_keys WHERE access_key = $1 AND organization_id = $2");
	case Q_APP_DELETABLE:
		return buf_append_str(b, "SELECT deletable FROM applications WHERE id = $1 AND organization_id = $2");
	case Q_USER_DELETABLE:
		return buf_append_str(b, "SELECT deletable FROM users WHERE id = $1 AND organization_id = $2");
	case Q_KEY_DELETE:
		return buf_append_str(b, "DELETE FROM api_keys WHERE access_key = $1 AND organization_id = $2");
	case Q_APP_DELETE: return buf_append_str(b, "DELETE FROM applications WHERE id = $1 AND organization_id = $2");
	case Q_USER_DELETE: return buf_append_str(b, "DELETE FROM users WHERE id = $1 AND organization_id = $2");
	case Q_KEYS_OF_APP_DELETE: return buf_append_str(b, "DELETE FROM api_keys WHERE application_id = $1");
	case Q_KEYS_OF_USER_DELETE: return buf_append_str(b, "DELETE FROM api_keys WHERE user_id = $1");
	case Q_USER_BY_USERNAME:
		return buf_append_str(b,
				      "SELECT id FROM users WHERE organization_id = $1 AND username = $2 AND id <> $3");
	case Q_USER_BY_EMAIL:
		return buf_append_str(b,
				      "SELECT id FROM users WHERE organization_id = $1 AND lower(email) = lower($2)"
				      " AND id <> $3");
	case Q_DEFAULT_ORG: return buf_append_str(b, "SELECT id FROM organizations WHERE is_default = 1");
	case Q_ORG_INSERT:
		return buf_append_str(b,
				      "INSERT INTO organizations (id, is_default, created_s, created_ns, name)"
				      " VALUES ($1, $2, $3, $4, $5)");
	case Q_ORG_LIST:
		return buf_append_str(b,
				      "SELECT o.id, o.name, o.created_s, o.created_ns, o.is_default,"
				      " (SELECT count(*) FROM api_keys k WHERE k.organization_id = o.id),"
				      " coalesce((SELECT p.id FROM projects p WHERE p.organization_id = o.id"
				      " AND p.is_default = 1), '')"
				      " FROM organizations o ORDER BY o.created_s, o.created_ns, o.id");
	case Q_PROJECT_INSERT:
		return buf_append_str(b,
				      "INSERT INTO projects (id, organization_id, is_default, created_s, created_ns)"
				      " VALUES ($1, $2, 1, $3, $4)");
	case Q_OWNER_OF_ORG:
		return buf_append_str(b,
				      "SELECT id FROM users WHERE organization_id = $1 AND type = 1"
				      " ORDER BY created_s, created_ns LIMIT 1");
	case Q_BOOTSTRAP_LOCK: return buf_append_str(b, d->table_lock);
	case Q_PING: return buf_append_str(b, "SELECT 1");
	default: return ERR_INTERNAL;
	}
}

struct texts {
	const struct store_dialect *d;
	char *t[Q_N];
};

static struct texts texts[2];
static pthread_mutex_t texts_mu = PTHREAD_MUTEX_INITIALIZER;

const char *const *store_sql_texts(const struct store_dialect *d)
{
	struct texts *t = &texts[d == &store_dialect_pg];
	const char *const *out = NULL;
	struct buf b;
	int i, r = 0;

	pthread_mutex_lock(&texts_mu);
	if (t->d) {
		out = (const char *const *)t->t;
		goto done;
	}
	for (i = 0; i < Q_N && r == 0; i++) {
		buf_init(&b, 1 << 14);
		r = build(d, i, &b);
		if (r == 0)
			t->t[i] = mem_strndup((const char *)b.data, b.len);
		if (r == 0 && !t->t[i])
			r = ERR_NOMEM;
		buf_release(&b);
	}
	if (r == 0) {
		t->d = d;
		out = (const char *const *)t->t;
	} else {
		for (i = 0; i < Q_N; i++) {
			free(t->t[i]);
			t->t[i] = NULL;
		}
	}
done:
	pthread_mutex_unlock(&texts_mu);
	return out;
}

int store_run(struct store *s, struct store_conn *c, int id, const struct sval *args, int n, store_row_fn row,
	      void *ctx, int64_t *changes)
{
	return s->ops->run(c, id, s->sql[id], args, n, row, ctx, changes);
}

int store_run_later(struct store *s, struct store_conn *c, int id, const struct sval *args, int n, store_row_fn row,
		    void *ctx)
{
	if (s->ops->run_later)
		return s->ops->run_later(c, id, s->sql[id], args, n, row, ctx);
	return s->ops->run(c, id, s->sql[id], args, n, row, ctx, NULL);
}

int store_flush(struct store *s, struct store_conn *c)
{
	return s->ops->flush ? s->ops->flush(c) : 0;
}

int store_text_row(const struct srow *r, void *arg)
{
	struct store_text *t = arg;
	size_t n;
	const char *v;

	if (t->seen++)
		return 0;
	v = r->col(r, 0, &n);
	if (!t->out)
		return 0;
	if (!v)
		n = 0;
	if (n >= t->size)
		return ERR_TOOBIG;
	if (n)
		memcpy(t->out, v, n);
	t->out[n] = '\0';
	return 0;
}

int store_run_text(struct store *s, struct store_conn *c, int id, const struct sval *args, int n, char *out,
		   size_t out_size)
{
	struct store_text t = { out, out_size, 0 };
	int r = store_run(s, c, id, args, n, store_text_row, &t, NULL);

	if (r == 0 && !t.seen)
		r = ERR_NOTFOUND;
	return r;
}

/* ---- tags: a JSON array of strings in one column ---- */

int store_tags_encode(const struct store_tags *t, char **out)
{
	json_t *a = json_array();
	size_t i;
	int r = 0;

	*out = NULL;
	if (!a)
		return ERR_NOMEM;
	for (i = 0; i < t->n && r == 0; i++)
		if (json_array_append_new(a, json_string(t->v[i])) != 0)
			r = ERR_NOMEM;
	if (r == 0) {
		*out = json_dumps(a, JSON_COMPACT);
		if (!*out)
			r = ERR_NOMEM;
	}
	json_decref(a);
	return r;
}

int store_tags_decode(const char *s, struct store_tags *t)
{
	json_t *a = json_loads(s ? s : "[]", 0, NULL);
	size_t i, n;
	int r = 0;

	t->v = NULL;
	t->n = 0;
	if (!a || !json_is_array(a)) {
		json_decref(a);
		return ERR_DB;
	}
	n = json_array_size(a);
	t->v = mem_calloc(n ? n : 1, sizeof(char *));
	if (!t->v) {
		r = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(a, i);

		if (!json_is_string(e)) {
			r = ERR_DB;
			goto out;
		}
		t->v[i] = mem_strndup(json_string_value(e), json_string_length(e));
		if (!t->v[i]) {
			r = ERR_NOMEM;
			goto out;
		}
		t->n = i + 1;
	}
out:
	if (r < 0)
		store_tags_release(t);
	json_decref(a);
	return r;
}

/* ---- rows to records and records to values ---- */

int64_t store_col_int(const struct srow *r, int c, int *is_null)
{
	const char *v;
	int null;

	if (r->col_int)
		return r->col_int(r, c, is_null ? is_null : &null);
	v = r->col(r, c, NULL);
	if (is_null)
		*is_null = v == NULL;
	return v ? strtoll(v, NULL, 10) : 0;
}

static int64_t col_int(const struct srow *r, int c)
{
	return store_col_int(r, c, NULL);
}

static void col_copy(const struct srow *r, int c, char *out, size_t size)
{
	size_t n = 0;
	const char *v = r->col(r, c, &n);

	if (!v)
		n = 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(out, v, n);
	out[n] = '\0';
}

static struct tstamp col_ts(const struct srow *r, int c)
{
	struct tstamp t;

	t.sec = col_int(r, c);
	t.nsec = (int32_t)col_int(r, c + 1);
	return t;
}

int store_row_rec(const struct rec_desc *desc, const struct srow *r, int c, void *rec)
{
	size_t i, n;
	int ret = 0;

	for (i = 0; i < desc->n; i++) {
		const struct rec_field *f = &desc->f[i];
		const char *v;

		if (f->flags & REC_NOCOL)
			continue;
		switch (f->kind) {
		case REC_ID: col_copy(r, c, REC_AT(rec, f, char), f->size); break;
		case REC_STR:
			v = r->col(r, c, &n);
			*REC_AT(rec, f, char *) = mem_strndup(v ? v : "", v ? n : 0);
			if (!*REC_AT(rec, f, char *))
				ret = ERR_NOMEM;
			break;
		case REC_TS: *REC_AT(rec, f, struct tstamp) = col_ts(r, c); break;
		case REC_OPT_TS: {
			int null;

			store_col_int(r, c, &null);
			*(int *)((char *)rec + f->flag_off) = !null;
			if (!null)
				*REC_AT(rec, f, struct tstamp) = col_ts(r, c);
			break;
		}
		case REC_BOOL:
		case REC_ENUM: *REC_AT(rec, f, int) = (int)col_int(r, c); break;
		case REC_U32: *REC_AT(rec, f, uint32_t) = (uint32_t)col_int(r, c); break;
		case REC_TAGS:
			if (ret == 0)
				ret = store_tags_decode(r->col(r, c, NULL), REC_AT(rec, f, struct store_tags));
			break;
		case REC_BEARER: {
			struct store_key *k = rec;
			int app = r->col(r, c, NULL) != NULL;

			k->bearer_type = app ? STORE_BEARER_APPLICATION : STORE_BEARER_USER;
			col_copy(r, app ? c : c + 1, k->bearer_id, sizeof(k->bearer_id));
			break;
		}
		case REC_PRINCIPAL: {
			struct store_policy *p = rec;
			int k;

			p->principal_type = STORE_PRINCIPAL_NONE;
			p->principal_id[0] = '\0';
			for (k = 0; k < 3; k++) {
				if (!r->col(r, c + k, NULL))
					continue;
				p->principal_type = (enum store_principal)(k + 1); /* user, group, application */
				col_copy(r, c + k, p->principal_id, sizeof(p->principal_id));
				break;
			}
			break;
		}
		case REC_SCOPE: {
			struct store_rule *ru = rec;

			col_copy(r, c, ru->organization_id, sizeof(ru->organization_id));
			if (ret == 0)
				ret = store_tags_decode(r->col(r, c + 1, NULL), &ru->project_ids);
			break;
		}
		case REC_SECRET: break;
		}
		c += (int)rec_ncols(f);
	}
	return ret;
}

/* The JSON texts of a record's array columns, gathered into one allocation at the end. */
#define REC_JSON_MAX 4
struct json_cols {
	char *text[REC_JSON_MAX];
	int arg[REC_JSON_MAX];
	size_t n;
};

static int json_col(struct json_cols *j, const struct store_tags *t, int arg)
{
	int r;

	if (j->n >= REC_JSON_MAX)
		return ERR_INTERNAL;
	r = store_tags_encode(t, &j->text[j->n]);
	if (r < 0)
		return r;
	j->arg[j->n++] = arg;
	return 0;
}

/* Move the texts into one block (*out, freed by the caller) and point the values at it. */
static int json_cols_finish(struct json_cols *j, struct sval *a, char **out)
{
	size_t i, len = 0, at = 0;
	int r = 0;

	for (i = 0; i < j->n; i++)
		len += strlen(j->text[i]) + 1;
	*out = j->n ? malloc(len) : NULL;
	if (j->n && !*out)
		r = ERR_NOMEM;
	for (i = 0; i < j->n; i++) {
		size_t l = strlen(j->text[i]) + 1;

		if (r == 0) {
			memcpy(*out + at, j->text[i], l);
			a[j->arg[i]] = sv_text(*out + at);
			at += l;
		}
		free(j->text[i]);
	}
	return r;
}

int store_rec_args(const struct rec_desc *desc, const void *rec, struct sval *a, char **tags)
{
	struct json_cols j = { { NULL }, { 0 }, 0 };
	size_t i;
	int n = 0, r = 0;

	*tags = NULL;
	for (i = 0; i < desc->n && r == 0; i++) {
		const struct rec_field *f = &desc->f[i];

		if (f->flags & (REC_NOCOL | REC_EXPR))
			continue;
		switch (f->kind) {
		case REC_ID: a[n++] = sv_text(REC_CAT(rec, f, char)); break;
		case REC_STR: {
			const char *s = *(char *const *)((const char *)rec + f->off);

			a[n++] = sv_text(s ? s : "");
			break;
		}
		case REC_TS:
		case REC_OPT_TS:
			if (f->kind == REC_OPT_TS && !*(const int *)((const char *)rec + f->flag_off)) {
				a[n++] = sv_text(NULL);
				a[n++] = sv_text(NULL);
			} else {
				a[n++] = sv_int(REC_CAT(rec, f, struct tstamp)->sec);
				a[n++] = sv_int(REC_CAT(rec, f, struct tstamp)->nsec);
			}
			break;
		case REC_BOOL:
		case REC_ENUM: a[n++] = sv_int(*REC_CAT(rec, f, int)); break;
		case REC_U32: a[n++] = sv_int(*REC_CAT(rec, f, uint32_t)); break;
		case REC_TAGS:
			r = json_col(&j, REC_CAT(rec, f, struct store_tags), n);
			a[n++] = sv_text(NULL);
			break;
		case REC_BEARER: {
			const struct store_key *k = rec;
			int app = k->bearer_type == STORE_BEARER_APPLICATION;

			a[n++] = sv_text(app ? k->bearer_id : NULL);
			a[n++] = sv_text(app ? NULL : k->bearer_id);
			break;
		}
		case REC_PRINCIPAL: {
			const struct store_policy *p = rec;
			int k;

			for (k = 0; k < 3; k++)
				a[n++] = sv_text((int)p->principal_type == k + 1 ? p->principal_id : NULL);
			break;
		}
		case REC_SCOPE: {
			const struct store_rule *ru = rec;

			a[n++] = sv_text(ru->organization_id[0] ? ru->organization_id : NULL);
			r = json_col(&j, &ru->project_ids, n);
			a[n++] = sv_text(NULL);
			break;
		}
		case REC_SECRET: break;
		}
	}
	if (r == 0)
		r = json_cols_finish(&j, a, tags);
	else
		for (i = 0; i < j.n; i++)
			free(j.text[i]);
	return r < 0 ? r : n;
}
