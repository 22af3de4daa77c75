/* SPDX-License-Identifier: MIT */
/*
 * rules: every write of the store with its business rules, written once for every engine.
 * Each write is one function run by the engine inside a write transaction (retried by the
 * engine when the database reports a serialization failure, so each sets its outputs afresh).
 * A write touching an organization's API keys, users or applications first locks that
 * organization's row (SELECT ... FOR UPDATE where the engine has row locks; SQLite runs writes
 * one at a time): the checks below then see every committed write and no concurrent one, and
 * stay exact across threads and instances:
 *   - the bearer of a new key exists in the key's organization;
 *   - the API-key quota of the organization: organizations.api_key_count, kept here by every
 *     insert and delete of keys (cascades included), read under the row lock before an insert;
 *   - usernames and emails are unique in an organization (emails case-insensitively);
 *   - deleting an application or a user deletes its keys, removes it from its groups and
 *     orphans the policies naming it (cascade; access.c);
 *   - a record whose deletable is false is not deleted;
 *   - a key expires at expires_at (store_key_expired(), and the list filter in query.c).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/store_int.h"

int store_key_expired(const struct store_key *k, struct tstamp now)
{
	return k->has_expires && time_cmp(k->expires_at, now) <= 0;
}

static void detail_set(struct store_detail *d, const char *resource, const char *id)
{
	d->resource = resource;
	snprintf(d->resource_id, sizeof(d->resource_id), "%s", id ? id : "");
}

/* Lock org's row until commit; ERR_NOTFOUND when there is no such organization. (A key create
 * takes the lock itself, pipelined with its checks, for the key count the row holds.) */
int store_org_lock(struct store *s, struct store_conn *c, const char *org)
{
	struct sval a = sv_text(org);

	return store_run_text(s, c, Q_ORG_LOCK, &a, 1, NULL, 0);
}

/* Keep the organization's key count: delta keys were added (or removed, < 0). */
static int count_add(struct store *s, struct store_conn *c, const char *org, int64_t delta)
{
	struct sval a[2] = { sv_text(org), sv_int(delta) };

	return delta ? store_run_later(s, c, Q_KEY_COUNT_ADD, a, 2, NULL, NULL) : 0;
}

/* For access.c: the same detail. */
void store_detail_set(struct store_detail *d, const char *resource, const char *id)
{
	detail_set(d, resource, id);
}

static int exec2(struct store *s, struct store_conn *c, int q, const char *a1, const char *a2, int64_t *changes)
{
	struct sval a[2] = { sv_text(a1), sv_text(a2) };

	return store_run(s, c, q, a, a2 ? 2 : 1, NULL, NULL, changes);
}

static int write_fn(struct store *s, store_conn_fn fn, void *arg)
{
	return s->ops->write(s, fn, arg);
}

/* A write that deletes or changes keys (and with bearers their policies and memberships): cached
 * authentications and grants are forgotten once it is done. */
int store_write_access(struct store *s, store_conn_fn fn, void *arg)
{
	int r = s->ops->write(s, fn, arg);

	store_authcache_bump(s->auth_cache);
	return r;
}

/* ---- meta ---- */

struct meta_arg {
	struct store *s;
	const char *key, *value;
};

static int op_meta_set(struct store_conn *c, void *arg)
{
	struct meta_arg *a = arg;

	return exec2(a->s, c, Q_META_SET, a->key, a->value, NULL);
}

int store_meta_set(struct store *s, const char *key, const char *value)
{
	struct meta_arg a = { s, key, value };

	return write_fn(s, op_meta_set, &a);
}

/* ---- organizations ---- */

struct org_arg {
	struct store *s;
	struct store_bootstrap *b;
	int is_default;
	const char *name;
};

static int insert_user(struct store *s, struct store_conn *c, const struct store_user *u, const char *password_hash)
{
	struct sval a[40];
	char *tags;
	int n = store_rec_args(&rec_user, u, a, &tags), r;

	if (n < 0)
		return n;
	a[n++] = sv_text(password_hash);
	r = store_run(s, c, Q_USER_INSERT, a, n, NULL, NULL, NULL);
	free(tags);
	return r;
}

_Static_assert(STORE_USER_OWNER == 1, "Q_OWNER_OF_ORG spells the owner type as 1");

/* Create the organization (default or not), its default project and its owner as needed. */
static int op_org(struct store_conn *c, void *arg)
{
	char email[] = "owner@scw-iamd.localhost", username[] = "owner", empty[] = "", locale[] = "en_US";
	struct org_arg *a = arg;
	struct store *s = a->s;
	struct store_bootstrap *b = a->b;
	struct tstamp now = time_now();
	struct store_user u;
	struct sval v[5];
	int r;

	now.nsec -= now.nsec % 1000; /* microseconds, as the API shows them */
	memset(b, 0, sizeof(*b));
	r = store_run(s, c, Q_BOOTSTRAP_LOCK, NULL, 0, NULL, NULL, NULL);
	if (r == 0)
		r = a->is_default ? store_run_text(s, c, Q_DEFAULT_ORG, NULL, 0, b->organization_id,
						   sizeof(b->organization_id))
				  : ERR_NOTFOUND;
	if (r == ERR_NOTFOUND) {
		/* As on Scaleway, the default project has the organization's UUID. */
		r = rand_uuid_v4(b->organization_id);
		v[0] = sv_text(b->organization_id);
		v[1] = sv_int(a->is_default);
		v[2] = sv_int(now.sec);
		v[3] = sv_int(now.nsec);
		v[4] = sv_text(a->name);
		if (r == 0)
			r = store_run(s, c, Q_ORG_INSERT, v, 5, NULL, NULL, NULL);
		v[1] = v[0];
		if (r == 0)
			r = store_run(s, c, Q_PROJECT_INSERT, v, 4, NULL, NULL, NULL);
		b->created = 1;
	}
	v[0] = sv_text(b->organization_id);
	if (r == 0)
		r = store_run_text(s, c, Q_DEFAULT_PROJECT, v, 1, b->project_id, sizeof(b->project_id));
	if (r == 0)
		r = store_run_text(s, c, Q_OWNER_OF_ORG, v, 1, b->user_id, sizeof(b->user_id));
	if (r != ERR_NOTFOUND)
		return r;
	memset(&u, 0, sizeof(u));
	r = rand_uuid_v4(u.id);
	if (r < 0)
		return r;
	memcpy(u.organization_id, b->organization_id, sizeof(u.organization_id));
	memcpy(u.account_root_user_id, u.id, sizeof(u.account_root_user_id));
	u.email = email;
	u.username = username;
	u.first_name = u.last_name = u.phone_number = empty;
	u.locale = locale;
	u.created_at = u.updated_at = now;
	u.deletable = 0;
	u.type = STORE_USER_OWNER;
	u.status = STORE_STATUS_ACTIVATED;
	r = insert_user(s, c, &u, NULL);
	if (r == 0)
		memcpy(b->user_id, u.id, sizeof(b->user_id));
	return r;
}

int store_bootstrap(struct store *s, struct store_bootstrap *out)
{
	struct org_arg a = { s, out, 1, "default" };

	return write_fn(s, op_org, &a);
}

int store_org_create(struct store *s, const char *name, struct store_bootstrap *out)
{
	struct org_arg a = { s, out, 0, name };

	return write_fn(s, op_org, &a);
}

/* ---- API keys ---- */

struct key_create_arg {
	struct store *s;
	struct store_key *k;
	const uint8_t *hash;
	uint32_t quota;
	struct store_detail *d;
	char project[STORE_ID_LEN + 1]; /* the caller's default_project_id */
};

static int op_key_create(struct store_conn *c, void *arg)
{
	struct key_create_arg *a = arg;
	struct store *s = a->s;
	struct store_key *k = a->k;
	int app = k->bearer_type == STORE_BEARER_APPLICATION, own_project;
	uint32_t keys;
	char n[24];
	struct store_text count = { n, sizeof(n), 0 }, bearer = { NULL, 0, 0 },
			  project = { k->default_project_id, sizeof(k->default_project_id), 0 };
	struct sval v[32];
	char *tags;
	int r;

	memset(a->d, 0, sizeof(*a->d));
	memcpy(k->default_project_id, a->project, sizeof(a->project));
	own_project = !k->default_project_id[0];
	v[0] = sv_text(k->bearer_id);
	v[1] = sv_text(k->organization_id);
	/* The organization's row lock, then under it the bearer and the default project: one round
	 * trip on an engine that pipelines (store_run_later). */
	r = store_run_later(s, c, Q_ORG_LOCK, &v[1], 1, store_text_row, &count);
	if (r == 0)
		r = store_run_later(s, c, app ? Q_APP_IN_ORG : Q_USER_IN_ORG, v, 2, store_text_row, &bearer);
	if (r == 0 && own_project)
		r = store_run_later(s, c, Q_DEFAULT_PROJECT, &v[1], 1, store_text_row, &project);
	if (r == 0)
		r = store_flush(s, c);
	/* No such organization: the bearer is not in it either. */
	if (r == 0 && (!count.seen || !bearer.seen))
		r = ERR_NOTFOUND;
	if (r == ERR_NOTFOUND)
		detail_set(a->d, app ? "application" : "user", k->bearer_id);
	keys = r == 0 ? (uint32_t)strtoul(n, NULL, 10) : 0;
	if (r == 0 && a->quota && keys >= a->quota) {
		a->d->resource = "api_keys";
		a->d->current = keys;
		a->d->quota = a->quota;
		r = ERR_QUOTA;
	}
	if (r == 0 && own_project && !project.seen)
		r = ERR_DB;
	if (r < 0)
		return r;
	r = store_rec_args(&rec_key, k, v, &tags);
	if (r < 0)
		return r;
	v[r] = sv_blob(a->hash, STORE_HASH_LEN);
	r = store_run_later(s, c, Q_KEY_INSERT, v, r + 1, NULL, NULL);
	free(tags);
	return r < 0 ? r : count_add(s, c, k->organization_id, 1);
}

int store_key_create(struct store *s, struct store_key *k, const uint8_t hash[STORE_HASH_LEN], uint32_t quota,
		     struct store_detail *d)
{
	struct store_detail dummy;
	struct key_create_arg a = { s, k, hash, quota, d ? d : &dummy, "" };

	memcpy(a.project, k->default_project_id, sizeof(a.project));
	memset(a.d, 0, sizeof(*a.d));
	if (k->bearer_type != STORE_BEARER_APPLICATION && k->bearer_type != STORE_BEARER_USER)
		return ERR_INVAL;
	return write_fn(s, op_key_create, &a);
}

struct update_arg {
	struct store *s;
	const char *org, *id;
	const void *p;
	void *out;
	struct store_detail *d;
};

static int op_key_update(struct store_conn *c, void *arg)
{
	struct update_arg *a = arg;
	const struct store_key_patch *p = a->p;
	struct sval v[9] = {
		sv_text(p->description),
		sv_text(p->default_project_id),
		sv_int(p->set_expires),
		sv_int(p->expires_at.sec),
		sv_int(p->expires_at.nsec),
		sv_int(p->now.sec),
		sv_int(p->now.nsec),
		sv_text(a->id),
		sv_text(a->org),
	};
	int64_t changes = 0;
	int r = store_run(a->s, c, Q_KEY_UPDATE, v, 9, NULL, NULL, &changes);

	if (r == 0 && changes == 0)
		r = ERR_NOTFOUND;
	if (r == 0)
		r = store_get_rec(a->s, c, Q_KEY_GET, a->id, a->org, &rec_key, a->out);
	return r;
}

int store_key_update(struct store *s, const char *org, const char *ak, const struct store_key_patch *p,
		     struct store_key *out)
{
	struct update_arg a = { s, org, ak, p, out, NULL };
	int r;

	memset(out, 0, sizeof(*out));
	r = store_write_access(s, op_key_update, &a);
	if (r < 0)
		store_key_release(out);
	return r;
}

/* ---- deletes, with their cascade ---- */

struct del_arg {
	struct store *s;
	int q_deletable, q_cascade, q_delete;
	const char *org, *id;
	enum store_bearer member; /* an application or user also leaves its groups and policies */
};

static int op_delete(struct store_conn *c, void *arg)
{
	struct del_arg *a = arg;
	struct sval v[2] = { sv_text(a->id), sv_text(a->org) };
	char deletable[8];
	int64_t keys = 0, changes = 0;
	int r = store_org_lock(a->s, c, a->org);

	if (r == 0)
		r = store_run_text(a->s, c, a->q_deletable, v, 2, deletable, sizeof(deletable));
	if (r < 0)
		return r;
	if (strcmp(deletable, "1") != 0)
		return ERR_PERM;
	if (a->q_cascade >= 0)
		r = store_run(a->s, c, a->q_cascade, v, 1, NULL, NULL, &keys);
	if (r == 0 && a->member != STORE_BEARER_NONE)
		r = store_forget_member(a->s, c, a->org, a->member, a->id);
	if (r == 0)
		r = store_run(a->s, c, a->q_delete, v, 2, NULL, NULL, &changes);
	if (r == 0 && changes == 0)
		r = ERR_NOTFOUND;
	if (a->q_cascade < 0)
		keys = changes; /* the record was the key */
	return r < 0 ? r : count_add(a->s, c, a->org, -keys);
}

int store_key_delete(struct store *s, const char *org, const char *ak)
{
	struct del_arg a = { s, Q_KEY_DELETABLE, -1, Q_KEY_DELETE, org, ak, STORE_BEARER_NONE };

	return store_write_access(s, op_delete, &a);
}

int store_app_delete(struct store *s, const char *org, const char *id)
{
	struct del_arg a = { s, Q_APP_DELETABLE, Q_KEYS_OF_APP_DELETE, Q_APP_DELETE, org, id, STORE_BEARER_APPLICATION };

	return store_write_access(s, op_delete, &a);
}

int store_user_delete(struct store *s, const char *org, const char *id)
{
	struct del_arg a = { s, Q_USER_DELETABLE, Q_KEYS_OF_USER_DELETE, Q_USER_DELETE, org, id, STORE_BEARER_USER };

	return store_write_access(s, op_delete, &a);
}

static int op_key_revoke(struct store_conn *c, void *arg)
{
	struct del_arg *a = arg;
	char org[STORE_ID_LEN + 1];
	int64_t changes = 0;
	struct sval v = sv_text(a->id);
	int r = store_run_text(a->s, c, Q_KEY_ORG, &v, 1, org, sizeof(org));

	if (r == 0)
		r = store_org_lock(a->s, c, org);
	if (r == 0)
		r = exec2(a->s, c, Q_KEY_DELETE, a->id, org, &changes);
	if (r == 0 && changes == 0)
		r = ERR_NOTFOUND; /* deleted meanwhile */
	return r < 0 ? r : count_add(a->s, c, org, -1);
}

int store_key_revoke(struct store *s, const char *access_key)
{
	struct del_arg a = { s, -1, -1, -1, NULL, access_key, STORE_BEARER_NONE };

	return store_write_access(s, op_key_revoke, &a);
}

/* ---- applications ---- */

struct app_create_arg {
	struct store *s;
	const struct store_app *a;
	struct store_detail *d;
};

static int op_app_create(struct store_conn *c, void *arg)
{
	struct app_create_arg *a = arg;
	struct sval v[32];
	char *tags;
	int n, r = store_org_lock(a->s, c, a->a->organization_id);

	if (r < 0)
		return r;
	n = store_rec_args(&rec_app, a->a, v, &tags);
	if (n < 0)
		return n;
	r = store_run_later(a->s, c, Q_APP_INSERT, v, n, NULL, NULL);
	free(tags);
	return r;
}

int store_app_create(struct store *s, const struct store_app *app, struct store_detail *d)
{
	struct store_detail dummy;
	struct app_create_arg a = { s, app, d ? d : &dummy };

	memset(a.d, 0, sizeof(*a.d));
	return write_fn(s, op_app_create, &a);
}

static int op_app_update(struct store_conn *c, void *arg)
{
	struct update_arg *a = arg;
	const struct store_app_patch *p = a->p;
	char *tags = NULL;
	int64_t changes = 0;
	int r = p->set_tags ? store_tags_encode(&p->tags, &tags) : 0;
	struct sval v[7] = {
		sv_text(p->name),    sv_text(p->description), sv_text(tags),   sv_int(p->now.sec),
		sv_int(p->now.nsec), sv_text(a->id),          sv_text(a->org),
	};

	if (r == 0)
		r = store_run(a->s, c, Q_APP_UPDATE, v, 7, NULL, NULL, &changes);
	free(tags);
	if (r == 0 && changes == 0)
		r = ERR_NOTFOUND;
	if (r == 0)
		r = store_get_rec(a->s, c, Q_APP_GET, a->id, a->org, &rec_app, a->out);
	return r;
}

int store_app_update(struct store *s, const char *org, const char *id, const struct store_app_patch *p,
		     struct store_app *out)
{
	struct update_arg a = { s, org, id, p, out, NULL };
	int r;

	memset(out, 0, sizeof(*out));
	r = write_fn(s, op_app_update, &a);
	if (r < 0)
		store_app_release(out);
	return r;
}

/* ---- users ---- */

/* ERR_EXISTS when another user of org (not self) already has this username / email. */
static int user_unique(struct store *s, struct store_conn *c, const char *org, const char *self, const char *username,
		       const char *email, struct store_detail *d)
{
	const char *vals[2] = { username, email };
	int i, r = 0;

	for (i = 0; i < 2 && r == 0; i++) {
		struct sval v[3] = { sv_text(org), sv_text(vals[i]), sv_text(self ? self : "") };

		if (!vals[i])
			continue;
		r = store_run_text(s, c, i == 0 ? Q_USER_BY_USERNAME : Q_USER_BY_EMAIL, v, 3, NULL, 0);
		if (r == 0) {
			r = ERR_EXISTS;
			detail_set(d, i == 0 ? "username" : "email", vals[i]);
		} else if (r == ERR_NOTFOUND) {
			r = 0;
		}
	}
	return r;
}

struct user_create_arg {
	struct store *s;
	const struct store_user *u;
	const char *password_hash;
	struct store_detail *d;
};

static int op_user_create(struct store_conn *c, void *arg)
{
	struct user_create_arg *a = arg;
	int r = store_org_lock(a->s, c, a->u->organization_id);

	memset(a->d, 0, sizeof(*a->d));
	if (r == ERR_NOTFOUND)
		detail_set(a->d, "organization", a->u->organization_id);
	if (r == 0)
		r = user_unique(a->s, c, a->u->organization_id, NULL, a->u->username, a->u->email, a->d);
	if (r == 0)
		r = insert_user(a->s, c, a->u, a->password_hash);
	return r;
}

int store_user_create(struct store *s, const struct store_user *u, const char *password_hash, struct store_detail *d)
{
	struct store_detail dummy;
	struct user_create_arg a = { s, u, password_hash, d ? d : &dummy };

	memset(a.d, 0, sizeof(*a.d));
	return write_fn(s, op_user_create, &a);
}

static int op_user_update(struct store_conn *c, void *arg)
{
	struct update_arg *a = arg;
	const struct store_user_patch *p = a->p;
	char *tags = NULL;
	struct sval v[12];
	int r = store_org_lock(a->s, c, a->org);

	memset(a->d, 0, sizeof(*a->d));
	if (r == 0) {
		struct sval k[2] = { sv_text(a->id), sv_text(a->org) };

		r = store_run_text(a->s, c, Q_USER_IN_ORG, k, 2, NULL, 0);
	}
	if (r == 0)
		r = user_unique(a->s, c, a->org, a->id, p->username, p->email, a->d);
	if (r == 0 && p->set_tags)
		r = store_tags_encode(&p->tags, &tags);
	if (r == 0) {
		v[0] = sv_text(p->email);
		v[1] = sv_text(p->first_name);
		v[2] = sv_text(p->last_name);
		v[3] = sv_text(p->phone_number);
		v[4] = sv_text(p->locale);
		v[5] = sv_text(p->username);
		v[6] = sv_text(tags);
		v[7] = sv_int(p->now.sec);
		v[8] = sv_int(p->now.nsec);
		v[9] = sv_text(a->id);
		v[10] = sv_text(a->org);
		v[11] = sv_text(p->password_hash);
		r = store_run(a->s, c, Q_USER_UPDATE, v, 12, NULL, NULL, NULL);
	}
	free(tags);
	if (r == 0)
		r = store_get_rec(a->s, c, Q_USER_GET, a->id, a->org, &rec_user, a->out);
	return r;
}

int store_user_update(struct store *s, const char *org, const char *id, const struct store_user_patch *p,
		      struct store_user *out, struct store_detail *d)
{
	struct store_detail dummy;
	struct update_arg a = { s, org, id, p, out, d ? d : &dummy };
	int r;

	memset(out, 0, sizeof(*out));
	r = write_fn(s, op_user_update, &a);
	if (r < 0)
		store_user_release(out);
	return r;
}
