/* SPDX-License-Identifier: MIT */
/*
 * api: routing, authentication, organization scoping and the handlers of the api-keys,
 * applications and users endpoints. Input is validated by api_parse.c, persisted through the
 * store interface, and answered by api_json.c; this file holds the business decisions:
 *   - every route needs X-Auth-Token, a secret key looked up by its keyed hash;
 *   - a caller sees only its own organization: another organization's object is not_found, and
 *     asking to list or create in another organization_id is permissions_denied;
 *   - secret keys are generated here and shown once, in the create response.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/rand.h"
#include "server/api.h"
#include "server/api_int.h"
#include "server/api_json.h"
#include "server/authz.h"
#include "server/secret.h"


void api_init(struct api *a, struct store *s, const struct secret_key *key, uint32_t key_quota)
{
	a->store = s;
	a->key = key;
	a->key_quota = key_quota;
	a->group_quota = API_GROUP_QUOTA;
	a->policy_quota = API_POLICY_QUOTA;
}

void api_resp_init(struct api_resp *resp)
{
	resp->status = 500;
	resp->route = NULL;
	resp->caller[0] = '\0';
	buf_init(&resp->body, API_RESP_MAX);
}

void api_resp_release(struct api_resp *resp)
{
	buf_release(&resp->body);
}

/* ---- responses ---- */

void internal_error(struct ctx *c)
{
	buf_reset(&c->resp->body);
	c->resp->status = 500;
	api_json_err_plain(&c->resp->body, "internal_error", "internal error");
}

/* Finish a response whose body writer returned r. */
void done(struct ctx *c, int status, int r)
{
	if (r < 0) {
		log_kv(LOG_ERROR, "cannot write response body", "error", err_str(r), NULL);
		internal_error(c);
		return;
	}
	c->resp->status = status;
}

void err_invalid(struct ctx *c, int status, const struct api_invalid *inv)
{
	buf_reset(&c->resp->body);
	done(c, status, api_json_err_invalid(&c->resp->body, inv));
}

void err_invalid1(struct ctx *c, const char *arg, const char *reason, const char *help)
{
	struct api_invalid inv = { 0 };

	api_invalid_add(&inv, arg, reason, "%s", help);
	err_invalid(c, 400, &inv);
}

void err_not_found(struct ctx *c, const char *resource, const char *id)
{
	buf_reset(&c->resp->body);
	done(c, 404, api_json_err_not_found(&c->resp->body, resource, id));
}

static void err_auth(struct ctx *c, const char *reason)
{
	buf_reset(&c->resp->body);
	done(c, 401, api_json_err_auth(&c->resp->body, reason));
}

void err_permissions(struct ctx *c, const char *action, const char *resource)
{
	buf_reset(&c->resp->body);
	done(c, 403, api_json_err_permissions(&c->resp->body, action, resource));
}

/* Map a store error to the spec's body. resource/id name the object of the request. */
void err_store(struct ctx *c, int r, const char *resource, const char *id, const struct store_detail *d)
{
	struct api_invalid inv = { 0 };

	buf_reset(&c->resp->body);
	switch (r) {
	case ERR_NOTFOUND:
		if (d && d->resource)
			err_not_found(c, d->resource, d->resource_id);
		else
			err_not_found(c, resource, id);
		return;
	case ERR_QUOTA:
		done(c, 403, api_json_err_quota(&c->resp->body, d->current, d->quota, d->resource));
		return;
	case ERR_EXISTS:
		api_invalid_add(&inv, d && d->resource ? d->resource : resource, "constraint",
				"%s is already used in this organization", d && d->resource ? d->resource : resource);
		err_invalid(c, 400, &inv);
		return;
	case ERR_PERM:
		done(c, 412, api_json_err_precondition(&c->resp->body, "resource_not_deletable",
						       !strcmp(resource, "user")
							       ? "the owner of an organization cannot be deleted"
							       : "this resource is managed and cannot be deleted"));
		return;
	case ERR_CANCELED:
		done(c, 503, api_json_err_plain(&c->resp->body, "service_unavailable", "the server is stopping"));
		return;
	case ERR_IO:
	case ERR_TIMEOUT:
	case ERR_AGAIN:
		/* The database is unreachable or saturated: nothing was written; the client may retry. */
		log_kv(LOG_WARN, "database unavailable", "error", err_str(r), "resource", resource, NULL);
		done(c, 503, api_json_err_plain(&c->resp->body, "service_unavailable", "the database is unavailable"));
		return;
	default:
		log_kv(LOG_ERROR, "store error", "error", err_str(r), "resource", resource, NULL);
		internal_error(c);
	}
}

/* A password could not be hashed: the hashing slots are busy (429, the HTTP front adds
 * Retry-After) or something failed. */
static void hash_failed(struct ctx *c, int r)
{
	if (r != ERR_AGAIN) {
		internal_error(c);
		return;
	}
	buf_reset(&c->resp->body);
	done(c, 429, api_json_err_plain(&c->resp->body, "too_many_requests",
					"too many passwords are being hashed; retry later"));
}

void no_content(struct ctx *c)
{
	buf_reset(&c->resp->body);
	c->resp->status = 204;
}

/* ---- authentication ---- */

static int authenticate(struct ctx *c)
{
	const char *tok = c->req->auth_token;
	uint8_t h[SECRET_HASH_LEN];
	int r;

	if (!tok || !uuid_is_valid(tok, strlen(tok))) {
		err_auth(c, "invalid_argument");
		return ERR_AUTH;
	}
	r = secret_hash(c->a->key, tok, strlen(tok), h);
	if (r == 0)
		r = store_auth(c->a->store, h, &c->caller);
	mem_wipe(h, sizeof(h));
	if (r == ERR_NOTFOUND) {
		err_auth(c, "not_found");
		return ERR_AUTH;
	}
	if (r < 0) {
		err_store(c, r, "api_key", "", NULL);
		return r;
	}
	memcpy(c->resp->caller, c->caller.access_key, sizeof(c->resp->caller));
	if (store_key_expired(&c->caller, c->req->now)) {
		err_auth(c, "expired");
		return ERR_EXPIRED;
	}
	c->org = c->caller.organization_id;
	return 0;
}

/* Organization given in a query or body: absent means the caller's; another one is refused. */
int same_org(struct ctx *c, const char *given, const char *action, const char *resource)
{
	if (!given || !given[0] || !strcmp(given, c->org))
		return 0;
	err_permissions(c, action, resource);
	return ERR_PERM;
}

/* ---- API keys ---- */

/* Give k (every field but the identifiers set) a new access key and secret, and insert it.
 * secret receives the secret key; it is wiped on failure. */
static int insert_new_key(const struct api *a, struct store_key *k, char secret[UUID_STR_LEN + 1],
			  struct store_detail *d)
{
	uint8_t h[SECRET_HASH_LEN];
	int r = rand_access_key(k->access_key);

	if (r == 0)
		r = rand_uuid_v4(secret);
	if (r == 0)
		r = secret_hash(a->key, secret, UUID_STR_LEN, h);
	if (r == 0)
		r = store_key_create(a->store, k, h, a->key_quota, d);
	mem_wipe(h, sizeof(h));
	if (r < 0)
		mem_wipe(secret, UUID_STR_LEN + 1);
	return r;
}

/* The fields of a new key that no body gives. */
static void key_new(struct store_key *k, const char *org, struct tstamp now, const char *creation_ip)
{
	snprintf(k->organization_id, sizeof(k->organization_id), "%s", org);
	k->created_at = k->updated_at = now;
	k->editable = k->deletable = 1;
	snprintf(k->creation_ip, sizeof(k->creation_ip), "%s", creation_ip ? creation_ip : "");
}

int api_mint_key(const struct api *a, const char *org, enum store_bearer bearer_type, const char *bearer_id,
		 const char *description, const char *creation_ip, struct store_key *k,
		 char secret[UUID_STR_LEN + 1], struct store_detail *d)
{
	struct tstamp now = time_now();
	int r;

	now.nsec -= now.nsec % 1000;
	memset(k, 0, sizeof(*k));
	k->description = mem_strndup(description, strlen(description));
	if (!k->description)
		return ERR_NOMEM;
	key_new(k, org, now, creation_ip);
	k->bearer_type = bearer_type;
	snprintf(k->bearer_id, sizeof(k->bearer_id), "%s", bearer_id);
	r = insert_new_key(a, k, secret, d);
	if (r < 0)
		store_key_release(k);
	return r;
}

/* Authorization gave the caller the keys of one bearer type only (authz.c): 0 when bearer_type
 * is that type, else the 403 is written. */
static int keys_of_ok(struct ctx *c, enum store_bearer bearer_type, int read)
{
	if (c->keys_of == STORE_BEARER_NONE || c->keys_of == bearer_type)
		return 0;
	err_permissions(c, read ? "read" : "write", "api_key");
	return ERR_PERM;
}

/* Same for an existing key (looked up when a restriction applies). */
static int key_of_ok(struct ctx *c, const char *ak, int read)
{
	struct store_key k;
	int r;

	if (c->keys_of == STORE_BEARER_NONE)
		return 0;
	r = store_key_get(c->a->store, c->org, ak, &k);
	if (r < 0) {
		err_store(c, r, "access_key", ak, NULL);
		return r;
	}
	r = keys_of_ok(c, k.bearer_type, read);
	store_key_release(&k);
	return r;
}

static void keys_create(struct ctx *c)
{
	struct api_invalid inv = { 0 };
	struct store_detail d = { 0 };
	struct store_key k; /* the body's fields, then the rest of the record */
	char secret[UUID_STR_LEN + 1];
	int r = api_parse_key_create(c->req->body, c->req->body_len, c->req->now, &k, &inv);

	if (r == ERR_INVAL) {
		err_invalid(c, 400, &inv);
		return;
	}
	if (r < 0) {
		internal_error(c);
		return;
	}
	if (keys_of_ok(c, k.bearer_type, 0) < 0) {
		store_key_release(&k);
		return;
	}
	key_new(&k, c->org, c->req->now, c->req->client_ip);
	r = insert_new_key(c->a, &k, secret, &d);
	if (r < 0)
		err_store(c, r, "api_key", k.access_key, &d);
	else
		done(c, 200, api_json_key(&c->resp->body, &k, secret));
	mem_wipe(secret, sizeof(secret));
	store_key_release(&k);
}

static int check_access_key(struct ctx *c, const char *id)
{
	if (access_key_is_valid(id, strlen(id)))
		return 0;
	err_invalid1(c, "access_key", "format", "access_key must look like SCWXXXXXXXXXXXXXXXXX");
	return ERR_INVAL;
}

static void keys_get(struct ctx *c, const char *id)
{
	struct store_key k;
	int r;

	if (check_access_key(c, id) < 0)
		return;
	r = store_key_get(c->a->store, c->org, id, &k);
	if (r < 0) {
		err_store(c, r, "access_key", id, NULL);
		return;
	}
	if (keys_of_ok(c, k.bearer_type, 1) < 0) {
		store_key_release(&k);
		return;
	}
	done(c, 200, api_json_key(&c->resp->body, &k, NULL));
	store_key_release(&k);
}

static void keys_update(struct ctx *c, const char *id)
{
	struct store_key in; /* the fields the body changes */
	struct api_invalid inv = { 0 };
	struct store_key_patch p = { 0 };
	struct store_key k;
	int r;

	if (check_access_key(c, id) < 0 || key_of_ok(c, id, 0) < 0)
		return;
	r = api_parse_key_update(c->req->body, c->req->body_len, c->req->now, &in, &inv);
	if (r == ERR_INVAL) {
		err_invalid(c, 400, &inv);
		return;
	}
	if (r < 0) {
		internal_error(c);
		return;
	}
	p.description = in.description;
	p.default_project_id = in.default_project_id[0] ? in.default_project_id : NULL;
	p.set_expires = in.has_expires;
	p.expires_at = in.expires_at;
	p.now = c->req->now;
	r = store_key_update(c->a->store, c->org, id, &p, &k);
	if (r < 0)
		err_store(c, r, "access_key", id, NULL);
	else
		done(c, 200, api_json_key(&c->resp->body, &k, NULL));
	store_key_release(&k);
	store_key_release(&in);
}

static void keys_delete(struct ctx *c, const char *id)
{
	int r;

	if (check_access_key(c, id) < 0 || key_of_ok(c, id, 0) < 0)
		return;
	r = store_key_delete(c->a->store, c->org, id);
	if (r < 0)
		err_store(c, r, "access_key", id, NULL);
	else
		no_content(c);
}

static void keys_list(struct ctx *c)
{
	struct api_key_query *q = mem_calloc(1, sizeof(*q));
	struct api_invalid inv = { 0 };
	struct store_key_list l = { 0 };
	int r;

	if (!q) {
		internal_error(c);
		return;
	}
	r = api_parse_key_query(c->req->query, c->req->n_query, c->req->now, q, &inv);
	if (r < 0) {
		err_invalid(c, 400, &inv);
		goto out;
	}
	if (same_org(c, q->f.organization_id, "read", "api_key") < 0)
		goto out;
	if (c->keys_of != STORE_BEARER_NONE) {
		if (keys_of_ok(c, q->f.bearer_type ? q->f.bearer_type : c->keys_of, 1) < 0)
			goto out;
		q->f.bearer_type = c->keys_of;
	}
	q->f.organization_id = c->org;
	r = store_key_list(c->a->store, &q->f, &l);
	if (r < 0)
		err_store(c, r, "api_key", "", NULL);
	else
		done(c, 200, api_json_key_list(&c->resp->body, &l));
out:
	store_key_list_release(&l);
	free(q);
}

/* ---- applications ---- */

int check_uuid(struct ctx *c, const char *arg, const char *id)
{
	if (uuid_is_valid(id, strlen(id)))
		return 0;
	err_invalid1(c, arg, "format", "the identifier in the path must be a UUID");
	return ERR_INVAL;
}

static void apps_create(struct ctx *c)
{
	struct api_invalid inv = { 0 };
	struct store_detail d = { 0 };
	struct store_app a; /* the body's fields, then the rest of the record */
	int r = api_parse_app_create(c->req->body, c->req->body_len, &a, &inv);

	if (r == ERR_INVAL) {
		err_invalid(c, 400, &inv);
		return;
	}
	if (r < 0) {
		internal_error(c);
		return;
	}
	if (same_org(c, a.organization_id, "write", "application") < 0)
		goto out;
	r = rand_uuid_v4(a.id);
	if (r < 0) {
		internal_error(c);
		goto out;
	}
	a.created_at = a.updated_at = c->req->now;
	memcpy(a.organization_id, c->org, sizeof(a.organization_id));
	a.editable = a.deletable = 1;
	r = store_app_create(c->a->store, &a, &d);
	if (r < 0)
		err_store(c, r, "application", a.id, &d);
	else
		done(c, 200, api_json_app(&c->resp->body, &a));
out:
	store_app_release(&a);
}

static void apps_get(struct ctx *c, const char *id)
{
	struct store_app a;
	int r;

	if (check_uuid(c, "application_id", id) < 0)
		return;
	r = store_app_get(c->a->store, c->org, id, &a);
	if (r < 0) {
		err_store(c, r, "application", id, NULL);
		return;
	}
	done(c, 200, api_json_app(&c->resp->body, &a));
	store_app_release(&a);
}

static void apps_update(struct ctx *c, const char *id)
{
	struct api_invalid inv = { 0 };
	struct store_app_patch p = { 0 };
	struct store_app in, a;
	int r;

	if (check_uuid(c, "application_id", id) < 0)
		return;
	r = api_parse_app_update(c->req->body, c->req->body_len, &in, &p.set_tags, &inv);
	if (r == ERR_INVAL) {
		err_invalid(c, 400, &inv);
		return;
	}
	if (r < 0) {
		internal_error(c);
		return;
	}
	p.name = in.name;
	p.description = in.description;
	p.tags = in.tags;
	p.now = c->req->now;
	r = store_app_update(c->a->store, c->org, id, &p, &a);
	if (r < 0)
		err_store(c, r, "application", id, NULL);
	else
		done(c, 200, api_json_app(&c->resp->body, &a));
	store_app_release(&a);
	store_app_release(&in);
}

static void apps_delete(struct ctx *c, const char *id)
{
	int r;

	if (check_uuid(c, "application_id", id) < 0)
		return;
	r = store_app_delete(c->a->store, c->org, id);
	if (r < 0)
		err_store(c, r, "application", id, NULL);
	else
		no_content(c);
}

static void apps_list(struct ctx *c)
{
	struct api_app_query *q = mem_calloc(1, sizeof(*q));
	struct api_invalid inv = { 0 };
	struct store_app_list l = { 0 };
	int r;

	if (!q) {
		internal_error(c);
		return;
	}
	r = api_parse_app_query(c->req->query, c->req->n_query, q, &inv);
	if (r < 0) {
		err_invalid(c, 400, &inv);
		goto out;
	}
	if (same_org(c, q->f.organization_id, "read", "application") < 0)
		goto out;
	q->f.organization_id = c->org;
	r = store_app_list(c->a->store, &q->f, &l);
	if (r < 0)
		err_store(c, r, "application", "", NULL);
	else
		done(c, 200, api_json_app_list(&c->resp->body, &l));
out:
	store_app_list_release(&l);
	free(q);
}

/* ---- users ---- */

static void users_create(struct ctx *c)
{
	struct api_invalid inv = { 0 };
	struct store_detail d = { 0 };
	struct store_user u; /* the body's fields, then the rest of the record */
	char *password = NULL, *pwhash = NULL;
	int r = api_parse_user_create(c->req->body, c->req->body_len, &u, &password, &inv);

	if (r == ERR_INVAL) {
		err_invalid(c, 400, &inv);
		return;
	}
	if (r < 0) {
		internal_error(c);
		return;
	}
	if (same_org(c, u.organization_id, "write", "user") < 0)
		goto out;
	r = rand_uuid_v4(u.id);
	if (r == 0 && password)
		r = secret_password_hash(password, strlen(password), &pwhash);
	mem_free_secret_str(password);
	password = NULL;
	if (r < 0) {
		hash_failed(c, r);
		goto out;
	}
	memcpy(u.organization_id, c->org, sizeof(u.organization_id));
	u.created_at = u.updated_at = c->req->now;
	u.deletable = 1;
	u.type = STORE_USER_MEMBER;
	r = store_user_create(c->a->store, &u, pwhash, &d);
	if (r < 0)
		err_store(c, r, "user", u.id, &d);
	else
		done(c, 200, api_json_user(&c->resp->body, &u));
out:
	mem_free_secret_str(pwhash);
	mem_free_secret_str(password);
	store_user_release(&u);
}

static void users_get(struct ctx *c, const char *id)
{
	struct store_user u;
	int r;

	if (check_uuid(c, "user_id", id) < 0)
		return;
	r = store_user_get(c->a->store, c->org, id, &u);
	if (r < 0) {
		err_store(c, r, "user", id, NULL);
		return;
	}
	done(c, 200, api_json_user(&c->resp->body, &u));
	store_user_release(&u);
}

static void users_patch(struct ctx *c, const char *id, const struct store_user_patch *p)
{
	struct store_detail d = { 0 };
	struct store_user u;
	int r = store_user_update(c->a->store, c->org, id, p, &u, &d);

	if (r < 0)
		err_store(c, r, "user", id, &d);
	else
		done(c, 200, api_json_user(&c->resp->body, &u));
	store_user_release(&u);
}

static void users_update(struct ctx *c, const char *id)
{
	struct api_invalid inv = { 0 };
	struct store_user_patch p = { 0 };
	struct store_user in;
	int r;

	if (check_uuid(c, "user_id", id) < 0)
		return;
	r = api_parse_user_update(c->req->body, c->req->body_len, &in, &p.set_tags, &inv);
	if (r == ERR_INVAL) {
		err_invalid(c, 400, &inv);
		return;
	}
	if (r < 0) {
		internal_error(c);
		return;
	}
	p.email = in.email;
	p.first_name = in.first_name;
	p.last_name = in.last_name;
	p.phone_number = in.phone_number;
	p.locale = in.locale;
	p.tags = in.tags;
	p.now = c->req->now;
	users_patch(c, id, &p);
	store_user_release(&in);
}

static void users_update_username(struct ctx *c, const char *id)
{
	struct api_invalid inv = { 0 };
	struct store_user_patch p = { 0 };
	char *username = NULL;
	int r;

	if (check_uuid(c, "user_id", id) < 0)
		return;
	r = api_parse_username(c->req->body, c->req->body_len, &username, &inv);
	if (r == ERR_INVAL) {
		err_invalid(c, 400, &inv);
		return;
	}
	if (r < 0) {
		internal_error(c);
		return;
	}
	p.username = username;
	p.now = c->req->now;
	users_patch(c, id, &p);
	free(username);
}

static void users_update_password(struct ctx *c, const char *id)
{
	struct api_invalid inv = { 0 };
	struct store_user_patch p = { 0 };
	char *pw = NULL, *hash = NULL;
	int r;

	if (check_uuid(c, "user_id", id) < 0)
		return;
	r = api_parse_password(c->req->body, c->req->body_len, &pw, &inv);
	if (r == ERR_INVAL) {
		err_invalid(c, 400, &inv);
		return;
	}
	if (r == 0)
		r = secret_password_hash(pw, strlen(pw), &hash);
	mem_free_secret_str(pw);
	if (r < 0) {
		hash_failed(c, r);
		return;
	}
	p.password_hash = hash;
	p.now = c->req->now;
	users_patch(c, id, &p);
	mem_free_secret_str(hash);
}

static void users_delete(struct ctx *c, const char *id)
{
	int r;

	if (check_uuid(c, "user_id", id) < 0)
		return;
	r = store_user_delete(c->a->store, c->org, id);
	if (r < 0)
		err_store(c, r, "user", id, NULL);
	else
		no_content(c);
}

static void users_list(struct ctx *c)
{
	struct api_user_query *q = mem_calloc(1, sizeof(*q));
	struct api_invalid inv = { 0 };
	struct store_user_list l = { 0 };
	int r;

	if (!q) {
		internal_error(c);
		return;
	}
	r = api_parse_user_query(c->req->query, c->req->n_query, q, &inv);
	if (r < 0) {
		err_invalid(c, 400, &inv);
		goto out;
	}
	if (same_org(c, q->f.organization_id, "read", "user") < 0)
		goto out;
	q->f.organization_id = c->org;
	r = store_user_list(c->a->store, &q->f, &l);
	if (r < 0)
		err_store(c, r, "user", "", NULL);
	else
		done(c, 200, api_json_user_list(&c->resp->body, &l));
out:
	store_user_list_release(&l);
	free(q);
}

/* ---- routing ---- */

static const struct api_action user_actions[] = {
	{ "update-username", M_POST, users_update_username, API_PREFIX "users/{user_id}/update-username" },
	{ "update-password", M_POST, users_update_password, API_PREFIX "users/{user_id}/update-password" },
	{ NULL, M_OTHER, NULL, NULL },
};

static const struct api_resource res_keys = {
	.name = "api-keys", .route_list = API_PREFIX "api-keys", .route_item = API_PREFIX "api-keys/{access_key}",
	.list = keys_list, .create = keys_create, .get = keys_get, .update = keys_update, .del = keys_delete,
};
static const struct api_resource res_apps = {
	.name = "applications", .route_list = API_PREFIX "applications",
	.route_item = API_PREFIX "applications/{application_id}", .list = apps_list, .create = apps_create,
	.get = apps_get, .update = apps_update, .del = apps_delete,
};
static const struct api_resource res_users = {
	.name = "users", .route_list = API_PREFIX "users", .route_item = API_PREFIX "users/{user_id}",
	.list = users_list, .create = users_create, .get = users_get, .update = users_update, .del = users_delete,
	.actions = user_actions,
};

static const struct api_resource *const resources[] = {
	&res_keys, &res_apps, &res_users, &api_groups, &api_policies, &api_rules, &api_permission_sets,
};

static enum method method_of(const char *m)
{
	static const char *const names[] = { "GET", "POST", "PATCH", "DELETE", "PUT" };
	int i;

	for (i = 0; i < M_OTHER; i++)
		if (!strcmp(m, names[i]))
			return (enum method)i;
	return M_OTHER;
}

static void not_allowed(struct ctx *c)
{
	buf_reset(&c->resp->body);
	done(c, 405, api_json_err_plain(&c->resp->body, "method_not_allowed", "method not allowed on this resource"));
}

static void no_route(struct ctx *c)
{
	err_not_found(c, "route", c->req->path);
}

/* One request, routed: what to call once it is authenticated and authorized. */
struct route {
	const struct api_resource *res;
	char id[80];
	const struct api_action *act; /* sub-resource */
	int allowed;                  /* the method is served on this path */
};

static void route_of(const char *rest, enum method m, struct route *rt)
{
	const char *slash = strchr(rest, '/'), *ids, *s2;
	size_t i, n = slash ? (size_t)(slash - rest) : strlen(rest), idn;
	const struct api_resource *res = NULL;

	memset(rt, 0, sizeof(*rt));
	for (i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		if (strlen(resources[i]->name) == n && !strncmp(rest, resources[i]->name, n))
			res = resources[i];
	if (!res)
		return;
	if (!slash) {
		rt->res = res;
		rt->allowed = (m == M_GET && res->list) || (m == M_POST && res->create) || (m == M_PUT && res->put);
		return;
	}
	ids = slash + 1;
	s2 = strchr(ids, '/');
	idn = s2 ? (size_t)(s2 - ids) : strlen(ids);
	if (idn == 0 || idn >= sizeof(rt->id) || !res->get)
		return;
	memcpy(rt->id, ids, idn);
	rt->id[idn] = '\0';
	if (!s2) {
		rt->res = res;
		rt->allowed = (m == M_GET && res->get) || (m == M_PATCH && res->update) || (m == M_DELETE && res->del);
		return;
	}
	for (i = 0; res->actions && res->actions[i].name; i++) {
		if (strcmp(s2 + 1, res->actions[i].name) != 0)
			continue;
		rt->res = res;
		if (res->actions[i].m == m) {
			rt->act = &res->actions[i];
			rt->allowed = 1;
		}
	}
}

void api_handle(const struct api *a, const struct api_req *req, struct api_resp *resp)
{
	struct ctx c;
	struct route rt;
	enum method m = method_of(req->method);
	int snapshot = 0;

	memset(&c, 0, sizeof(c));
	c.a = a;
	c.req = req;
	c.resp = resp;
	buf_reset(&resp->body);
	if (strncmp(req->path, API_PREFIX, strlen(API_PREFIX)) != 0) {
		no_route(&c);
		return;
	}
	route_of(req->path + strlen(API_PREFIX), m, &rt);
	if (!rt.res) {
		no_route(&c);
		return;
	}
	resp->route = rt.act ? rt.act->route : rt.id[0] ? rt.res->route_item : rt.res->route_list;
	/* Methods are checked before credentials: a 405 says nothing about any object. */
	if (!rt.allowed) {
		not_allowed(&c);
		return;
	}
	/* A read request sees one snapshot and pays for one transaction (authentication,
	 * authorization and the read); writes authenticate on their own and commit through the
	 * store's writer. */
	if (m == M_GET && store_read_begin(a->store) == 0)
		snapshot = 1;
	if (authenticate(&c) < 0)
		goto out;
	/* Before anything is read or written (authz.c). */
	if (authz_check(&c, rt.res->name, m == M_GET) < 0)
		goto out;
	if (req->body_too_big) {
		struct api_invalid inv = { 0 };

		api_invalid_add(&inv, "body", "constraint", "the request body must be at most %d bytes", API_BODY_MAX);
		err_invalid(&c, 413, &inv);
		goto out;
	}
	if (req->too_many_params) {
		err_invalid1(&c, "query", "constraint", "too many query parameters");
		goto out;
	}
	if (rt.act)
		rt.act->fn(&c, rt.id);
	else if (!rt.id[0] && m == M_GET)
		rt.res->list(&c);
	else if (!rt.id[0] && m == M_PUT)
		rt.res->put(&c);
	else if (!rt.id[0])
		rt.res->create(&c);
	else if (m == M_GET)
		rt.res->get(&c, rt.id);
	else if (m == M_PATCH)
		rt.res->update(&c, rt.id);
	else
		rt.res->del(&c, rt.id);
out:
	if (snapshot)
		store_read_end(a->store);
	store_key_release(&c.caller);
}
