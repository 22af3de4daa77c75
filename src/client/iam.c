/* SPDX-License-Identifier: MIT */
/*
 * iam: typed IAM v1alpha1 calls. JSON objects are decoded through field tables (jfields.h) so
 * that the object types share one decoder and one release routine.
 * Creates reconcile after a lost answer (see iam.h and docs/client.md).
 */
#include <stddef.h>
#include <strings.h>

#include "client/iam.h"
#include "client/jfields.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timeutil.h"

#define IAM_PATH_MAX 8192
#define IAM_PAGE_SIZE 100
#define IAM_PAGES_MAX 100000

static const struct jfield key_fields[] = {
	JF_S(iam_api_key, access_key),
	{ "secret_key", JF_SECRET, offsetof(struct iam_api_key, secret_key), 0 },
	JF_S(iam_api_key, description),
	JF_S(iam_api_key, created_at),
	JF_S(iam_api_key, updated_at),
	JF_S(iam_api_key, expires_at),
	JF_S(iam_api_key, default_project_id),
	JF_B(iam_api_key, editable),
	JF_B(iam_api_key, deletable),
	JF_B(iam_api_key, managed),
	JF_S(iam_api_key, creation_ip),
	JF_S(iam_api_key, application_id),
	JF_S(iam_api_key, user_id),
};

static const struct jfield app_fields[] = {
	JF_S(iam_application, id),          JF_S(iam_application, name),        JF_S(iam_application, description),
	JF_S(iam_application, created_at),  JF_S(iam_application, updated_at),  JF_S(iam_application, organization_id),
	JF_B(iam_application, editable),    JF_B(iam_application, deletable),   JF_B(iam_application, managed),
	JF_U(iam_application, nb_api_keys), JF_A(iam_application, tags, ntags),
};

static const struct jfield user_fields[] = {
	JF_S(iam_user, id),          JF_S(iam_user, email),
	JF_S(iam_user, username),    JF_S(iam_user, first_name),
	JF_S(iam_user, last_name),   JF_S(iam_user, phone_number),
	JF_S(iam_user, locale),      JF_S(iam_user, created_at),
	JF_S(iam_user, updated_at),  JF_S(iam_user, organization_id),
	JF_B(iam_user, deletable),   JF_S(iam_user, last_login_at),
	JF_S(iam_user, type),        JF_S(iam_user, status),
	JF_B(iam_user, mfa),         JF_S(iam_user, account_root_user_id),
	JF_A(iam_user, tags, ntags), JF_B(iam_user, locked),
};

struct objtype {
	const struct jfield *fields;
	size_t nfields;
	size_t size;
	const char *collection; /* path under /iam/v1alpha1: "api-keys", ... */
	const char *list_key;   /* member of a list answer: "api_keys", ... */
	size_t id_off;          /* the char * member that identifies an object */
	const char *kind;       /* first line of a create's journal scope */
};

static const struct objtype T_KEY = { key_fields, JF_N(key_fields), sizeof(struct iam_api_key),
				      "api-keys", "api_keys",       offsetof(struct iam_api_key, access_key),
				      "api-key" };
static const struct objtype T_APP = { app_fields,     JF_N(app_fields), sizeof(struct iam_application),
				      "applications", "applications",   offsetof(struct iam_application, id),
				      "application" };
static const struct objtype T_USER = { user_fields, JF_N(user_fields), sizeof(struct iam_user),
				       "users",     "users",           offsetof(struct iam_user, id),
				       "user" };

static void obj_release(const struct objtype *t, void *obj)
{
	jfields_release(t->fields, t->nfields, t->size, obj);
}

/* Decode a JSON object into obj (jfields_decode). */
static int obj_decode(const struct objtype *t, json_t *o, void *obj)
{
	return jfields_decode(t->fields, t->nfields, t->size, o, obj);
}

void iam_call_release(struct iam_call *call)
{
	scwclient_error_release(&call->err);
}

void iam_api_key_release(struct iam_api_key *k)
{
	if (k)
		obj_release(&T_KEY, k);
}

void iam_application_release(struct iam_application *a)
{
	if (a)
		obj_release(&T_APP, a);
}

void iam_user_release(struct iam_user *u)
{
	if (u)
		obj_release(&T_USER, u);
}

static void list_release(const struct objtype *t, void **items, size_t *n)
{
	size_t i;

	for (i = 0; *items && i < *n; i++)
		obj_release(t, (char *)*items + i * t->size);
	free(*items);
	*items = NULL;
	*n = 0;
}

void iam_api_key_list_release(struct iam_api_key_list *l)
{
	if (l)
		list_release(&T_KEY, (void **)&l->items, &l->n);
}

void iam_application_list_release(struct iam_application_list *l)
{
	if (l)
		list_release(&T_APP, (void **)&l->items, &l->n);
}

void iam_user_list_release(struct iam_user_list *l)
{
	if (l)
		list_release(&T_USER, (void **)&l->items, &l->n);
}

/* ---- plumbing ---- */

/* One request. The API error, if any, replaces call->err. *out (may be NULL) receives the body. */
static int call_do(struct iam_call *call, const char *method, const char *path, const json_t *body,
		   enum scwclient_retry retry, json_t **out, int *ambiguous)
{
	struct scwclient_request req = { method, path, body, retry, call->cancel, call->stop };
	struct scwclient_response resp;
	int r;

	if (out)
		*out = NULL;
	r = scwclient_do(call->client, &req, &resp);
	if (ambiguous)
		*ambiguous = resp.ambiguous;
	scwclient_error_release(&call->err);
	if (r < 0) {
		call->err = resp.err; /* moved */
		memset(&resp.err, 0, sizeof(resp.err));
	} else if (out) {
		*out = resp.json;
		resp.json = NULL;
	}
	scwclient_response_release(&resp);
	return r;
}

static int path_of(struct buf *p, const char *collection, const char *id, const char *action)
{
	int r = buf_printf(p, "/iam/v1alpha1/%s", collection);

	if (r == 0 && id) {
		if (!id[0])
			return ERR_INVAL;
		r = buf_append_byte(p, '/');
		if (r == 0)
			r = scwclient_escape(p, id);
	}
	if (r == 0 && action)
		r = buf_printf(p, "/%s", action);
	return r;
}

static int q_add(struct buf *p, const char *k, const char *v)
{
	int r;

	if (!v)
		return 0;
	r = buf_printf(p, "%c%s=", strchr(p->data ? p->data : "", '?') ? '&' : '?', k);
	if (r == 0)
		r = scwclient_escape(p, v);
	return r;
}

/* A tri-state filter (-1, 0, 1) as a query value; NULL (not sent) for -1. */
static const char *q_bool(int v)
{
	return v < 0 ? NULL : v ? "true" : "false";
}

static int get_one(struct iam_call *call, const struct objtype *t, const char *method, const char *path,
		   const json_t *body, enum scwclient_retry retry, void *out, int *ambiguous)
{
	json_t *j = NULL;
	int r;

	memset(out, 0, t->size);
	r = call_do(call, method, path, body, retry, &j, ambiguous);
	if (r == 0)
		r = obj_decode(t, j, out);
	json_decref(j);
	return r;
}

/* METHOD /iam/v1alpha1/<collection>/<id>[/<action>] with body (may be NULL), a safe retry. With
 * out, the answer is decoded into it (zeroed first); without, the answer is dropped. A NULL or
 * empty id is refused before anything is sent (ERR_INVAL, call->err says so): a request on the
 * collection itself ("DELETE /iam/v1alpha1/applications/") can never go out by mistake. */
static int obj_call(struct iam_call *call, const struct objtype *t, const char *method, const char *id,
		    const char *action, const json_t *body, void *out)
{
	struct buf p;
	int r;

	if (out)
		memset(out, 0, t->size);
	if (!id || !id[0]) {
		static const char no_id[] = "no ID given: nothing was sent to the API";

		scwclient_error_release(&call->err);
		call->err.message = mem_strndup(no_id, sizeof(no_id) - 1);
		return call->err.message ? ERR_INVAL : ERR_NOMEM;
	}
	buf_init(&p, IAM_PATH_MAX);
	r = path_of(&p, t->collection, id, action);
	if (r == 0 && out)
		r = get_one(call, t, method, p.data, body, SCWCLIENT_RETRY_SAFE, out, NULL);
	else if (r == 0)
		r = call_do(call, method, p.data, body, SCWCLIENT_RETRY_SAFE, NULL, NULL);
	buf_release(&p);
	return r;
}

/* GET one page of base (a path with a query) and append its objects to *items, *n (capacity
 * *cap); *total gets the answer's total_count, *got the number of objects on the page. */
static int list_page(struct iam_call *call, const struct objtype *t, const char *base, unsigned page, void **items,
		     size_t *n, size_t *cap, size_t *total, size_t *got)
{
	struct buf path;
	json_t *j = NULL, *arr, *o;
	size_t i;
	void *ni;
	int r;

	*got = 0;
	buf_init(&path, IAM_PATH_MAX);
	r = buf_printf(&path, "%s%cpage=%u", base, strchr(base, '?') ? '&' : '?', page);
	if (r == 0)
		r = call_do(call, "GET", path.data, NULL, SCWCLIENT_RETRY_SAFE, &j, NULL);
	if (r < 0)
		goto out;
	arr = json_object_get(j, t->list_key);
	if (!json_is_array(arr) || !json_is_integer(json_object_get(j, "total_count"))) {
		r = ERR_PROTO;
		goto out;
	}
	*total = (size_t)json_integer_value(json_object_get(j, "total_count"));
	if (*n + json_array_size(arr) > *cap) {
		*cap = *n + json_array_size(arr);
		ni = realloc(*items, *cap * t->size);
		if (!ni) {
			r = ERR_NOMEM;
			goto out;
		}
		*items = ni;
	}
	json_array_foreach(arr, i, o)
	{
		r = obj_decode(t, o, (char *)*items + *n * t->size);
		if (r < 0)
			goto out;
		(*n)++;
		(*got)++;
	}
out:
	json_decref(j);
	buf_release(&path);
	return r;
}

/* A list filter member: query parameter k=v, not sent when v is NULL; or, with ids, one k=id
 * per element of ids[0..nids). */
struct query {
	const char *k;
	const char *v;
	const char *const *ids;
	size_t nids;
};

/* Objects of t's collection (oldest first) matching the nq filters of q, into *items, *n: every
 * page, or with pg the next page only (pg->done once there is none left). */
static int list_query(struct iam_call *call, const struct objtype *t, const struct query *q, size_t nq,
		      struct iam_pager *pg, void **items, size_t *n)
{
	struct buf p;
	size_t i, j, cap = 0, total = 0, got = 0;
	unsigned page;
	int r;

	*items = NULL;
	*n = 0;
	buf_init(&p, IAM_PATH_MAX);
	r = buf_printf(&p, "/iam/v1alpha1/%s?order_by=created_at_asc&page_size=%u", t->collection,
		       pg && pg->page_size && pg->page_size < IAM_PAGE_SIZE ? pg->page_size : IAM_PAGE_SIZE);
	for (i = 0; r == 0 && i < nq; i++) {
		r = q_add(&p, q[i].k, q[i].v);
		for (j = 0; r == 0 && j < q[i].nids; j++)
			r = q_add(&p, q[i].k, q[i].ids[j]);
	}
	if (r == 0 && pg) {
		if (pg->done)
			goto out;
		r = list_page(call, t, p.data, ++pg->page, items, n, &cap, &total, &got);
		pg->seen += got;
		pg->done = r == 0 && (got == 0 || pg->seen >= total || pg->page >= IAM_PAGES_MAX);
		goto out;
	}
	for (page = 1; r == 0 && page <= IAM_PAGES_MAX; page++) {
		r = list_page(call, t, p.data, page, items, n, &cap, &total, &got);
		if (r < 0 || got == 0 || *n >= total)
			break;
	}
out:
	buf_release(&p);
	if (r < 0)
		list_release(t, items, n);
	return r;
}

static int set_str(json_t *o, const char *k, const char *v)
{
	json_t *s = json_string(v ? v : "");

	if (!s)
		return ERR_INVAL; /* not UTF-8 */
	return json_object_set_new(o, k, s) == 0 ? 0 : ERR_NOMEM;
}

static int set_tags(json_t *o, const char *const *tags, size_t n)
{
	json_t *a = json_array();
	size_t i;

	if (!a)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		json_t *s = json_string(tags[i] ? tags[i] : "");

		if (!s || json_array_append_new(a, s) < 0) {
			json_decref(a);
			return s ? ERR_NOMEM : ERR_INVAL;
		}
	}
	return json_object_set_new(o, "tags", a) == 0 ? 0 : ERR_NOMEM;
}

/* 1 when the RFC 3339 string ts is not earlier than since minus the reconcile window. */
static int made_since(const char *ts, struct tstamp since)
{
	struct tstamp t;

	if (!ts || time_rfc3339_parse(ts, strlen(ts), &t) < 0)
		return 0;
	since.sec -= IAM_RECONCILE_WINDOW_S;
	return time_cmp(t, since) >= 0;
}

static int streq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* After a lost create answer, a type's reconciliation lists what matches in (made since t0, not
 * in the journal): 1 when it adopted a match into out, 0 to create again, < 0 on failure. */
typedef int (*reconcile_fn)(struct iam_call *call, const void *in, struct tstamp t0, void *out);

/* Run reconcile under the journal lock of scope (siblings creating the same thing get their
 * answers first, and none starts while it looks). Unless it fails, call->err is left as the lost
 * create left it. */
static int reconcile_locked(struct iam_call *call, const char *scope, reconcile_fn reconcile, const void *in,
			    struct tstamp t0, void *out)
{
	struct scwclient_error saved = call->err;
	int r;

	memset(&call->err, 0, sizeof(call->err));
	r = scwclient_journal_lock(call->client, scope, call->cancel);
	if (r == 0) {
		r = reconcile(call, in, t0, out);
		scwclient_journal_unlock(call->client, scope);
	}
	if (r >= 0) {
		scwclient_error_release(&call->err);
		call->err = saved;
	} else {
		scwclient_error_release(&saved);
	}
	return r;
}

/* POST body to t's collection, journaled under the scope (kind, a, c); out is zeroed first. When
 * the answer is lost, reconcile decides (see reconcile_fn), at most IAM_RECONCILE_MAX times. */
static int obj_create(struct iam_call *call, const struct objtype *t, const json_t *body, const char *a, const char *c,
		      reconcile_fn reconcile, const void *in, void *out)
{
	struct tstamp t0 = time_now();
	struct buf scope, path;
	int r, amb = 0, round;

	memset(out, 0, t->size);
	buf_init(&scope, IAM_PATH_MAX);
	buf_init(&path, IAM_PATH_MAX);
	r = buf_printf(&scope, "%s\n%s\n%s", t->kind, a ? a : "", c ? c : "");
	if (r == 0)
		r = path_of(&path, t->collection, NULL, NULL);
	for (round = 0; r == 0; round++) {
		r = scwclient_journal_begin(call->client, scope.data, call->cancel);
		if (r < 0)
			break;
		r = get_one(call, t, "POST", path.data, body, SCWCLIENT_RETRY_CREATE, out, &amb);
		scwclient_journal_end(call->client, scope.data,
				      r == 0 ? *(char **)(void *)((char *)out + t->id_off) : NULL);
		if (r == 0 || !amb || round >= IAM_RECONCILE_MAX)
			break;
		call->ambiguous_creates++;
		r = reconcile_locked(call, scope.data, reconcile, in, t0, out);
		if (r == 1) {
			r = 0;
			break;
		}
	}
	buf_release(&path);
	buf_release(&scope);
	return r;
}

/* ---- API keys ---- */

int iam_api_key_get(struct iam_call *call, const char *access_key, struct iam_api_key *out)
{
	return obj_call(call, &T_KEY, "GET", access_key, NULL, NULL, out);
}

int iam_api_key_delete(struct iam_call *call, const char *access_key)
{
	return obj_call(call, &T_KEY, "DELETE", access_key, NULL, NULL, NULL);
}

int iam_api_key_update(struct iam_call *call, const char *access_key, const struct iam_api_key_update *in,
		       struct iam_api_key *out)
{
	json_t *body = json_object();
	int r = body ? 0 : ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	if (r == 0 && in->description)
		r = set_str(body, "description", in->description);
	if (r == 0 && in->default_project_id)
		r = set_str(body, "default_project_id", in->default_project_id);
	if (r == 0 && in->expires_at)
		r = set_str(body, "expires_at", in->expires_at);
	if (r == 0)
		r = obj_call(call, &T_KEY, "PATCH", access_key, NULL, body, out);
	json_decref(body);
	return r;
}

int iam_api_key_list(struct iam_call *call, const struct iam_api_key_filter *f, struct iam_api_key_list *out)
{
	return iam_api_key_list_page(call, f, NULL, out);
}

int iam_api_key_list_page(struct iam_call *call, const struct iam_api_key_filter *f, struct iam_pager *pg,
			  struct iam_api_key_list *out)
{
	static const struct iam_api_key_filter none = { NULL, NULL, NULL, NULL, -1, -1, NULL, 0 };
	struct query q[7];

	if (!f)
		f = &none;
	q[0] = (struct query){ .k = "organization_id", .v = f->organization_id };
	q[1] = (struct query){ .k = "bearer_id", .v = f->bearer_id };
	q[2] = (struct query){ .k = "bearer_type", .v = f->bearer_type };
	q[3] = (struct query){ .k = "description", .v = f->description };
	q[4] = (struct query){ .k = "editable", .v = q_bool(f->editable) };
	q[5] = (struct query){ .k = "expired", .v = q_bool(f->expired) };
	q[6] = (struct query){ .k = "access_keys", .ids = f->access_keys, .nids = f->n_access_keys };
	return list_query(call, &T_KEY, q, JF_N(q), pg, (void **)&out->items, &out->n);
}

/* Delete the keys that match the lost create in and were made since t0: their secret key was
 * never seen, so they are useless. Always 0 (create again) unless it fails. */
static int api_key_reconcile(struct iam_call *call, const void *in_, struct tstamp t0, void *out)
{
	const struct iam_api_key_create *in = in_;
	struct iam_api_key_filter f = { NULL, NULL, NULL, NULL, -1, -1, NULL, 0 };
	struct iam_api_key_list l = { NULL, 0 };
	size_t i;
	int r;

	(void)out;
	f.bearer_id = in->application_id ? in->application_id : in->user_id;
	f.bearer_type = in->application_id ? "application" : "user";
	f.description = in->description ? in->description : "";
	r = iam_api_key_list(call, &f, &l);
	for (i = 0; r == 0 && i < l.n; i++) {
		const struct iam_api_key *k = &l.items[i];

		if (!streq(k->description, in->description) || !made_since(k->created_at, t0) ||
		    scwclient_journal_known(call->client, k->access_key) ||
		    !streq(in->application_id ? k->application_id : k->user_id, f.bearer_id) ||
		    (in->expires_at && !k->expires_at) || (!in->expires_at && k->expires_at) ||
		    (in->default_project_id && !streq(in->default_project_id, k->default_project_id)))
			continue;
		log_kv(LOG_WARN, "deleting an API key whose create answer was lost", "access_key", k->access_key, NULL);
		r = iam_api_key_delete(call, k->access_key);
		if (r == ERR_NOTFOUND)
			r = 0;
		if (r == 0)
			call->orphans_deleted++;
	}
	iam_api_key_list_release(&l);
	return r;
}

int iam_api_key_create(struct iam_call *call, const struct iam_api_key_create *in, struct iam_api_key *out)
{
	const char *bearer = in->application_id ? in->application_id : in->user_id;
	json_t *body = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((in->application_id == NULL) == (in->user_id == NULL))
		return ERR_INVAL;
	body = json_object();
	r = body ? 0 : ERR_NOMEM;
	if (r == 0)
		r = set_str(body, in->application_id ? "application_id" : "user_id", bearer);
	if (r == 0 && in->expires_at)
		r = set_str(body, "expires_at", in->expires_at);
	if (r == 0 && in->default_project_id)
		r = set_str(body, "default_project_id", in->default_project_id);
	if (r == 0)
		r = set_str(body, "description", in->description);
	if (r == 0)
		r = obj_create(call, &T_KEY, body, bearer, in->description, api_key_reconcile, in, out);
	json_decref(body);
	return r;
}

/* ---- applications ---- */

int iam_application_get(struct iam_call *call, const char *id, struct iam_application *out)
{
	return obj_call(call, &T_APP, "GET", id, NULL, NULL, out);
}

int iam_application_delete(struct iam_call *call, const char *id)
{
	return obj_call(call, &T_APP, "DELETE", id, NULL, NULL, NULL);
}

int iam_application_update(struct iam_call *call, const char *id, const struct iam_application_update *in,
			   struct iam_application *out)
{
	json_t *body = json_object();
	int r = body ? 0 : ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	if (r == 0 && in->name)
		r = set_str(body, "name", in->name);
	if (r == 0 && in->description)
		r = set_str(body, "description", in->description);
	if (r == 0 && in->set_tags)
		r = set_tags(body, in->tags, in->ntags);
	if (r == 0)
		r = obj_call(call, &T_APP, "PATCH", id, NULL, body, out);
	json_decref(body);
	return r;
}

int iam_application_list(struct iam_call *call, const struct iam_application_filter *f,
			 struct iam_application_list *out)
{
	return iam_application_list_page(call, f, NULL, out);
}

int iam_application_list_page(struct iam_call *call, const struct iam_application_filter *f, struct iam_pager *pg,
			      struct iam_application_list *out)
{
	static const struct iam_application_filter none = { NULL, NULL, NULL, -1, NULL, 0 };
	struct query q[5];

	if (!f)
		f = &none;
	q[0] = (struct query){ .k = "organization_id", .v = f->organization_id };
	q[1] = (struct query){ .k = "name", .v = f->name };
	q[2] = (struct query){ .k = "tag", .v = f->tag };
	q[3] = (struct query){ .k = "editable", .v = q_bool(f->editable) };
	q[4] = (struct query){ .k = "application_ids", .ids = f->application_ids, .nids = f->n_application_ids };
	return list_query(call, &T_APP, q, JF_N(q), pg, (void **)&out->items, &out->n);
}

/* Adopt the single application matching the lost create in made since t0 (1); 0 when none;
 * ERR_CONFLICT when several. */
static int app_reconcile(struct iam_call *call, const void *in_, struct tstamp t0, void *out_)
{
	const struct iam_application_create *in = in_;
	struct iam_application *out = out_;
	struct iam_application_filter f = { in->organization_id, in->name, NULL, -1, NULL, 0 };
	struct iam_application_list l = { NULL, 0 };
	size_t i, found = 0, at = 0;
	int r;

	r = iam_application_list(call, &f, &l);
	for (i = 0; r == 0 && i < l.n; i++) {
		if (streq(l.items[i].name, in->name) && streq(l.items[i].description, in->description) &&
		    made_since(l.items[i].created_at, t0) && !scwclient_journal_known(call->client, l.items[i].id)) {
			found++;
			at = i;
		}
	}
	if (r == 0 && found == 1) {
		*out = l.items[at];
		memset(&l.items[at], 0, sizeof(l.items[at]));
		r = 1;
	} else if (r == 0 && found > 1) {
		r = ERR_CONFLICT;
	}
	iam_application_list_release(&l);
	return r;
}

int iam_application_create(struct iam_call *call, const struct iam_application_create *in, struct iam_application *out)
{
	json_t *body = json_object();
	int r = body ? 0 : ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	if (r == 0)
		r = set_str(body, "name", in->name);
	if (r == 0 && in->organization_id)
		r = set_str(body, "organization_id", in->organization_id);
	if (r == 0)
		r = set_str(body, "description", in->description);
	if (r == 0)
		r = set_tags(body, in->tags, in->ntags);
	if (r == 0)
		r = obj_create(call, &T_APP, body, in->organization_id, in->name, app_reconcile, in, out);
	json_decref(body);
	return r;
}

/* ---- users ---- */

int iam_user_get(struct iam_call *call, const char *id, struct iam_user *out)
{
	return obj_call(call, &T_USER, "GET", id, NULL, NULL, out);
}

int iam_user_delete(struct iam_call *call, const char *id)
{
	return obj_call(call, &T_USER, "DELETE", id, NULL, NULL, NULL);
}

int iam_user_update(struct iam_call *call, const char *id, const struct iam_user_update *in, struct iam_user *out)
{
	json_t *body = json_object();
	int r = body ? 0 : ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	if (r == 0 && in->set_tags)
		r = set_tags(body, in->tags, in->ntags);
	if (r == 0 && in->email)
		r = set_str(body, "email", in->email);
	if (r == 0 && in->first_name)
		r = set_str(body, "first_name", in->first_name);
	if (r == 0 && in->last_name)
		r = set_str(body, "last_name", in->last_name);
	if (r == 0 && in->phone_number)
		r = set_str(body, "phone_number", in->phone_number);
	if (r == 0 && in->locale)
		r = set_str(body, "locale", in->locale);
	if (r == 0)
		r = obj_call(call, &T_USER, "PATCH", id, NULL, body, out);
	json_decref(body);
	return r;
}

int iam_user_update_username(struct iam_call *call, const char *id, const char *username, struct iam_user *out)
{
	json_t *body = json_object();
	int r = body ? 0 : ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	if (r == 0)
		r = set_str(body, "username", username);
	/* Setting the same username twice gives the same result: safe to retry. */
	if (r == 0)
		r = obj_call(call, &T_USER, "POST", id, "update-username", body, out);
	json_decref(body);
	return r;
}

int iam_user_update_password(struct iam_call *call, const char *id, const char *password, struct iam_user *out)
{
	json_t *body = json_object(), *pw;
	int r = body ? 0 : ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	if (r == 0)
		r = set_str(body, "password", password);
	/* Setting the same password twice gives the same result: safe to retry. */
	if (r == 0)
		r = obj_call(call, &T_USER, "POST", id, "update-password", body, out);
	/* The body holds the password: wipe its string before freeing (the provider also gives
	 * jansson a wiping allocator; this keeps other users of the client layer just as safe). */
	pw = body ? json_object_get(body, "password") : NULL;
	if (json_is_string(pw))
		mem_wipe((char *)(uintptr_t)json_string_value(pw), json_string_length(pw));
	json_decref(body);
	return r;
}

int iam_user_list(struct iam_call *call, const struct iam_user_filter *f, struct iam_user_list *out)
{
	return iam_user_list_page(call, f, NULL, out);
}

int iam_user_list_page(struct iam_call *call, const struct iam_user_filter *f, struct iam_pager *pg,
		       struct iam_user_list *out)
{
	static const struct iam_user_filter none = { NULL, NULL, -1, NULL, NULL, 0 };
	struct query q[5];

	if (!f)
		f = &none;
	q[0] = (struct query){ .k = "organization_id", .v = f->organization_id };
	q[1] = (struct query){ .k = "tag", .v = f->tag };
	q[2] = (struct query){ .k = "mfa", .v = q_bool(f->mfa) };
	q[3] = (struct query){ .k = "type", .v = f->type };
	q[4] = (struct query){ .k = "user_ids", .ids = f->user_ids, .nids = f->n_user_ids };
	return list_query(call, &T_USER, q, JF_N(q), pg, (void **)&out->items, &out->n);
}

/* Adopt the user with the lost create's email made since t0 (1); 0 when none. */
static int user_reconcile(struct iam_call *call, const void *in_, struct tstamp t0, void *out_)
{
	const struct iam_user_create *in = in_;
	struct iam_user *out = out_;
	struct iam_user_filter f = { in->organization_id, NULL, -1, NULL, NULL, 0 };
	struct iam_user_list l = { NULL, 0 };
	size_t i;
	int r;

	r = iam_user_list(call, &f, &l);
	for (i = 0; r == 0 && i < l.n; i++) {
		if (l.items[i].email && in->email && !strcasecmp(l.items[i].email, in->email) &&
		    made_since(l.items[i].created_at, t0) && !scwclient_journal_known(call->client, l.items[i].id)) {
			*out = l.items[i];
			memset(&l.items[i], 0, sizeof(l.items[i]));
			r = 1;
		}
	}
	iam_user_list_release(&l);
	return r;
}

int iam_user_create(struct iam_call *call, const struct iam_user_create *in, struct iam_user *out)
{
	json_t *body = json_object(), *member = json_object();
	int r = body && member ? 0 : ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	if (r == 0 && in->organization_id)
		r = set_str(body, "organization_id", in->organization_id);
	if (r == 0)
		r = set_tags(body, in->tags, in->ntags);
	if (r == 0)
		r = set_str(member, "email", in->email);
	if (r == 0)
		r = json_object_set_new(member, "send_password_email", json_boolean(in->send_password_email));
	if (r == 0)
		r = json_object_set_new(member, "send_welcome_email", json_boolean(in->send_welcome_email));
	if (r == 0)
		r = set_str(member, "username", in->username);
	if (r == 0)
		r = set_str(member, "password", in->password);
	if (r == 0)
		r = set_str(member, "first_name", in->first_name);
	if (r == 0)
		r = set_str(member, "last_name", in->last_name);
	if (r == 0)
		r = set_str(member, "phone_number", in->phone_number);
	if (r == 0)
		r = set_str(member, "locale", in->locale);
	if (r == 0) {
		r = json_object_set(body, "member", member) == 0 ? 0 : ERR_NOMEM;
	}
	if (r == 0)
		r = obj_create(call, &T_USER, body, in->organization_id, in->email, user_reconcile, in, out);
	/* The body holds the password: wipe its string before freeing. */
	if (member && json_is_string(json_object_get(member, "password"))) {
		json_t *pw = json_object_get(member, "password");

		mem_wipe((char *)(uintptr_t)json_string_value(pw), json_string_length(pw));
	}
	json_decref(member);
	json_decref(body);
	return r;
}

/* For the other typed modules of the client (iam_policy.c): one request, its JSON answer. */
int iam_call_json(struct iam_call *call, const char *method, const char *path, const json_t *body,
		  enum scwclient_retry retry, json_t **out)
{
	return call_do(call, method, path, body, retry, out, NULL);
}
