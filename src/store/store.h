/* SPDX-License-Identifier: MIT */
/*
 * store: the IAM storage interface of scw-iamd. Callers see an opaque struct store and plain
 * record structs (API keys, applications, users, described field by field in record.h); an
 * engine (sqlite.c, pg.c) implements struct store_ops (store_int.h) and nothing above this
 * header knows which database runs underneath. Layout: store.c (open, dispatch, release),
 * rules.c (every write and its rules), query.c (reads and lists), sql.c (statements, rows),
 * record.c (the records), sqlite.c and pg.c (the engines). Every write is atomic and durable when it returns 0: the caller may
 * acknowledge it to a client. Every function is safe to call from many threads at once.
 *
 * Business rules that need the database to be checked atomically live here, written once above
 * the engines (bearer exists in the organization, API-key quota, unique usernames and emails,
 * cascades, expiry): each write transaction first locks its organization's row, so the checks
 * stay exact with many writers and many instances on one database. Input validation (formats,
 * lengths) belongs to the caller. ERR_IO from any call: the database is unreachable (the caller
 * answers 503; a later call reconnects). Errors: ERR_NOTFOUND (record or referenced record absent,
 * detail->resource names which), ERR_QUOTA (detail->current/quota), ERR_EXISTS (a unique value
 * is taken, detail->resource names the field), ERR_PERM (record may not be deleted),
 * ERR_DB / ERR_IO (database failure), ERR_NOMEM.
 *
 * Ownership: records filled by the store own their strings; release them with
 * store_*_release(). Input records and filters are only read during the call.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H
#include <stddef.h>
#include <stdint.h>

#include "common/rand.h"
#include "common/timeutil.h"

#define STORE_ID_LEN UUID_STR_LEN
#define STORE_HASH_LEN 32 /* keyed hash of a secret key (HMAC-SHA256) */

struct store;

enum store_bearer { STORE_BEARER_NONE = 0, STORE_BEARER_APPLICATION, STORE_BEARER_USER };
enum store_user_type { STORE_USER_UNKNOWN = 0, STORE_USER_OWNER, STORE_USER_MEMBER };
enum store_user_status { STORE_STATUS_UNKNOWN = 0, STORE_STATUS_INVITATION_PENDING, STORE_STATUS_ACTIVATED };

/* Sort keys shared by every list (not every list accepts every key). */
enum store_order {
	STORE_ORDER_CREATED_AT = 0,
	STORE_ORDER_UPDATED_AT,
	STORE_ORDER_EXPIRES_AT,
	STORE_ORDER_ACCESS_KEY,
	STORE_ORDER_NAME,
	STORE_ORDER_EMAIL,
	STORE_ORDER_LAST_LOGIN,
	STORE_ORDER_USERNAME,
};

struct store_tags {
	char **v; /* owned strings */
	size_t n;
};

struct store_key {
	char access_key[ACCESS_KEY_LEN + 1];
	char organization_id[STORE_ID_LEN + 1];
	char *description;
	struct tstamp created_at, updated_at, expires_at;
	int has_expires;
	char default_project_id[STORE_ID_LEN + 1]; /* "" on create: the organization's default */
	int editable, deletable, managed;
	char creation_ip[64];
	enum store_bearer bearer_type;
	char bearer_id[STORE_ID_LEN + 1];
	int bearer_is_owner; /* read only: the bearer is a user of type owner (authorization) */
};

struct store_app {
	char id[STORE_ID_LEN + 1];
	char *name;
	char *description;
	struct tstamp created_at, updated_at;
	char organization_id[STORE_ID_LEN + 1];
	int editable, deletable, managed;
	uint32_t nb_api_keys; /* read only: counted by the store */
	struct store_tags tags;
};

struct store_user {
	char id[STORE_ID_LEN + 1];
	char *email, *username, *first_name, *last_name, *phone_number, *locale;
	struct tstamp created_at, updated_at, last_login_at;
	int has_last_login;
	char organization_id[STORE_ID_LEN + 1];
	int deletable;
	enum store_user_type type;
	enum store_user_status status;
	int mfa, locked;
	char account_root_user_id[STORE_ID_LEN + 1]; /* "" for members */
	struct store_tags tags;
};

/* Why a call failed, for the caller's error body. */
struct store_detail {
	const char *resource; /* "application", "user", "username", "email", "api_keys", ... */
	char resource_id[80];
	uint32_t current, quota;
};

/* Paging and order common to every list. page >= 1, 1 <= page_size <= 100. */
struct store_page {
	enum store_order order;
	int desc;
	uint32_t page, page_size;
};

/* Filters: NULL strings, tri-states of -1 and empty arrays mean "no filter". */
struct store_key_filter {
	const char *organization_id; /* required */
	int editable, expired;       /* -1, 0, 1 */
	struct tstamp now;           /* reference for expired */
	const char *access_key, *description, *bearer_id;
	enum store_bearer bearer_type;
	const char *const *access_keys;
	size_t n_access_keys;
	const char *application_id, *user_id;
	struct store_page page;
};

struct store_app_filter {
	const char *organization_id; /* required */
	const char *name;            /* case-insensitive substring */
	const char *tag;             /* one tag equal to it */
	int editable;
	const char *const *ids;
	size_t n_ids;
	struct store_page page;
};

struct store_user_filter {
	const char *organization_id; /* required */
	const char *tag;
	int mfa;
	enum store_user_type type;
	const char *const *ids;
	size_t n_ids;
	struct store_page page;
};

/* Updates: NULL pointer / 0 flag = leave unchanged. now becomes updated_at. */
struct store_key_patch {
	const char *description, *default_project_id;
	int set_expires;
	struct tstamp expires_at;
	struct tstamp now;
};

struct store_app_patch {
	const char *name, *description;
	int set_tags;
	struct store_tags tags;
	struct tstamp now;
};

struct store_user_patch {
	const char *email, *first_name, *last_name, *phone_number, *locale, *username;
	const char *password_hash; /* an encoded slow hash (never a password) */
	int set_tags;
	struct store_tags tags;
	struct tstamp now;
};

struct store_key_list { struct store_key *v; size_t n; uint32_t total; };
struct store_app_list { struct store_app *v; size_t n; uint32_t total; };
struct store_user_list { struct store_user *v; size_t n; uint32_t total; };

/* What bootstrap found or created. */
struct store_bootstrap {
	char organization_id[STORE_ID_LEN + 1];
	char project_id[STORE_ID_LEN + 1];
	char user_id[STORE_ID_LEN + 1];
	int created; /* 1 when the organization was created by this call */
};

/* Open a store. url: "sqlite:PATH" or a plain PATH (SQLite), or a libpq URI
 * ("postgresql://..." or "postgres://...": PostgreSQL). The schema is migrated as needed (versioned); a new
 * SQLite file is created with mode 0600. ERR_UNSUPPORTED for an unknown scheme or a schema newer
 * than the program, ERR_DB/ERR_IO when the database cannot be opened or migrated (detail, when
 * not NULL, receives a human message of at most detail_len bytes). store_open() creates the
 * schema when absent (bootstrap); store_open_flags() without STORE_OPEN_CREATE refuses a
 * PostgreSQL database that holds no schema with ERR_NOTFOUND and a detail naming the command
 * to run. */
#define STORE_OPEN_CREATE 1u
int store_open(const char *url, struct store **out, char *detail, size_t detail_len);
int store_open_flags(const char *url, unsigned flags, struct store **out, char *detail, size_t detail_len);
/* 1 when url names a PostgreSQL database. */
int store_url_is_pg(const char *url);
/* Finish queued writes and close every connection. NULL is fine. */
void store_close(struct store *s);
/* Backend name ("sqlite", "postgresql"). */
const char *store_backend(const struct store *s);

/* Health probe: one round trip to the database, after the engine's own check (SQLite: the file
 * is still the one opened and accessible). 0, or ERR_IO when it is unreachable. */
int store_ping(struct store *s);

/* Connection use, for metrics. */
struct store_stats {
	uint32_t conns;      /* connections open */
	uint32_t conns_busy; /* of which in use */
	uint32_t conns_max;  /* pool size (0: one per thread, SQLite readers) */
	uint32_t waiting;    /* callers waiting for a connection or for the writer */
	uint64_t retries;    /* transactions retried after a serialization failure */
	uint64_t errors;     /* calls that failed because the database was unreachable */
};
void store_stats(struct store *s, struct store_stats *out);

/* Optional read snapshot: the calling thread's reads until store_read_end() see one consistent
 * state and share one transaction (cheaper than a transaction per read). Writes are not
 * affected. Calls do not nest. A backend without the notion may do nothing. */
int store_read_begin(struct store *s);
void store_read_end(struct store *s);

/* Small key/value metadata (e.g. the fingerprint of the server's secret-hashing key).
 * get: ERR_NOTFOUND when absent, ERR_TOOBIG when out is too small. */
int store_meta_get(struct store *s, const char *key, char *out, size_t out_len);
int store_meta_set(struct store *s, const char *key, const char *value);

/* Ensure the default organization, its default project and its owner user exist. */
int store_bootstrap(struct store *s, struct store_bootstrap *out);
/* Create a new (not default) organization named name with its default project and owner user
 * (out->created = 1). The admin command "organization create" mints its key like bootstrap.
 * ERR_EXISTS when an organization has that name (bootstrap's is "default"). */
int store_org_create(struct store *s, const char *name, struct store_bootstrap *out);

/* Every organization, oldest first (the admin commands' listing). */
struct store_org {
	char id[STORE_ID_LEN + 1];
	char *name;
	struct tstamp created_at;
	int is_default;
	char project_id[STORE_ID_LEN + 1]; /* the default project */
	uint32_t api_keys;
};
struct store_org_list { struct store_org *v; size_t n; };
int store_org_list(struct store *s, struct store_org_list *out);
void store_org_list_release(struct store_org_list *l);
/* Default project of an organization. ERR_NOTFOUND. */
int store_org_default_project(struct store *s, const char *org, char out[STORE_ID_LEN + 1]);

/* Find the key whose secret hashes to hash. ERR_NOTFOUND. */
int store_auth(struct store *s, const uint8_t hash[STORE_HASH_LEN], struct store_key *out);

/* Insert k (every field set by the caller except default_project_id, which may be "" for the
 * organization's default; it is filled in k). The bearer must exist in k->organization_id
 * (ERR_NOTFOUND, detail->resource "application" or "user"). quota: maximum number of keys in
 * the organization, 0 = unlimited (ERR_QUOTA). */
int store_key_create(struct store *s, struct store_key *k, const uint8_t hash[STORE_HASH_LEN],
		     uint32_t quota, struct store_detail *d);
int store_key_get(struct store *s, const char *org, const char *access_key, struct store_key *out);
int store_key_update(struct store *s, const char *org, const char *access_key,
		     const struct store_key_patch *p, struct store_key *out);
int store_key_delete(struct store *s, const char *org, const char *access_key);
/* Delete a key of any organization (the admin command "key revoke"). ERR_NOTFOUND. */
int store_key_revoke(struct store *s, const char *access_key);
/* The expiry rule: 1 when k has expired at now (expires_at <= now). Lists filter with the same. */
int store_key_expired(const struct store_key *k, struct tstamp now);
int store_key_list(struct store *s, const struct store_key_filter *f, struct store_key_list *out);

int store_app_create(struct store *s, const struct store_app *a, struct store_detail *d);
int store_app_get(struct store *s, const char *org, const char *id, struct store_app *out);
int store_app_update(struct store *s, const char *org, const char *id,
		     const struct store_app_patch *p, struct store_app *out);
/* Deletes the application's API keys in the same transaction. */
int store_app_delete(struct store *s, const char *org, const char *id);
int store_app_list(struct store *s, const struct store_app_filter *f, struct store_app_list *out);

/* password_hash: an encoded slow hash, or NULL. ERR_EXISTS (detail->resource "username" or
 * "email") when either is taken in the organization. */
int store_user_create(struct store *s, const struct store_user *u, const char *password_hash,
		      struct store_detail *d);
int store_user_get(struct store *s, const char *org, const char *id, struct store_user *out);
int store_user_update(struct store *s, const char *org, const char *id,
		      const struct store_user_patch *p, struct store_user *out, struct store_detail *d);
/* Deletes the user's API keys in the same transaction; ERR_PERM for an undeletable user. */
int store_user_delete(struct store *s, const char *org, const char *id);
int store_user_list(struct store *s, const struct store_user_filter *f, struct store_user_list *out);

void store_tags_release(struct store_tags *t);
/* Deep copy; ERR_NOMEM. */
int store_tags_copy(struct store_tags *dst, const struct store_tags *src);
void store_key_release(struct store_key *k);
void store_app_release(struct store_app *a);
void store_user_release(struct store_user *u);
void store_key_list_release(struct store_key_list *l);
void store_app_list_release(struct store_app_list *l);
void store_user_list_release(struct store_user_list *l);

#include "store/store_access.h" /* groups, policies, rules */

#endif
