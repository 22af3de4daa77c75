/* SPDX-License-Identifier: MIT */
/*
 * iam: typed calls for the Scaleway IAM v1alpha1 endpoints the provider's resources need (API
 * keys, applications, users), on top of client/scwclient. Plain C structs in and out: request
 * structs are borrowed for the call; result structs are filled by the call and released by the
 * caller with the matching *_release() (which wipes the secret key). Timestamps are kept as the
 * API's RFC 3339 strings. Lists read every page (page_size=100) until total_count is reached.
 *
 * Creates never leave a duplicate behind when an answer is lost: when scwclient reports a create
 * as ambiguous (reset, timeout or 5xx after the request was sent), the call lists the objects
 * that match what it tried to create, made since just before the attempt, and then:
 *   - API key: deletes them (their secret key was never seen, so they are useless) and creates
 *     again, so the caller gets a key with its secret and no orphan is left;
 *   - application: adopts the single match (no secret involved), or creates again if none;
 *   - user: adopts the user with that email, or creates again if none.
 * Objects this process created through the same client (its journal) are never touched, and
 * reconciliation first waits for sibling creates of the same thing still in flight, so
 * parallel identical creates (count = N) cannot take each other's objects. At most
 * IAM_RECONCILE_MAX such rounds; see docs/client.md.
 *
 * Calls on one object refuse a NULL or empty ID with ERR_INVAL before sending anything.
 *
 * Every call takes a struct iam_call: the client, the caller's cancel flag, and an error that
 * is filled when the call fails with an API error (release with iam_call_release()).
 */
#ifndef CLIENT_IAM_H
#define CLIENT_IAM_H
#include <stddef.h>
#include <stdint.h>

#include "client/scwclient.h"

#define IAM_RECONCILE_MAX 3
#define IAM_RECONCILE_WINDOW_S 2 /* clock skew tolerated when matching a lost create; larger skews
                                  * make reconciliation miss (an orphan), never delete more */

struct iam_call {
	struct scwclient *client;   /* borrowed */
	const volatile int *cancel; /* may be NULL */
	struct scwclient_error err; /* the last API error (status 0 when none); owned */
	int ambiguous_creates;      /* creates whose answer was lost and that were reconciled */
	int orphans_deleted;        /* API keys deleted by reconciliation */
	const volatile int *stop;   /* may be NULL: a second cancel flag (StopProvider) */
};

/* Release call->err (the call struct itself is the caller's). */
void iam_call_release(struct iam_call *call);

/* ---- API keys ---- */

struct iam_api_key {
	char *access_key;
	char *secret_key; /* only after create; NULL otherwise; wiped on release */
	char *description;
	char *created_at;
	char *updated_at;
	char *expires_at; /* NULL: never expires */
	char *default_project_id;
	int editable;
	int deletable;
	int managed;
	char *creation_ip;
	char *application_id; /* exactly one of application_id / user_id is non-NULL */
	char *user_id;
};

struct iam_api_key_create {
	const char *application_id; /* exactly one of the two */
	const char *user_id;
	const char *expires_at;         /* NULL: never */
	const char *default_project_id; /* NULL: the organization's default */
	const char *description;        /* NULL: "" (always sent) */
};

struct iam_api_key_update { /* NULL members are left unchanged */
	const char *description;
	const char *default_project_id;
	const char *expires_at;
};

struct iam_api_key_filter { /* NULL / -1 members do not filter */
	const char *organization_id;
	const char *bearer_id;
	const char *bearer_type; /* "application" or "user" */
	const char *description;
	int editable; /* -1, 0, 1 */
	int expired;  /* -1, 0, 1 */
	const char *const *access_keys; /* any of these (n_access_keys of them; 0: no filter) */
	size_t n_access_keys;
};

/* Lazy listing (*_list_page): zero it, then each call reads the next page into the list (an
 * empty list once done is set). page_size 0 means 100. */
struct iam_pager {
	unsigned page_size;
	unsigned page; /* pages read so far */
	size_t seen;   /* objects read so far */
	int done;      /* no page left */
};

struct iam_api_key_list {
	struct iam_api_key *items;
	size_t n;
};

void iam_api_key_release(struct iam_api_key *k);
void iam_api_key_list_release(struct iam_api_key_list *l);
/* 0 or the scwclient_do() codes; ERR_INVAL when not exactly one bearer is given. */
int iam_api_key_create(struct iam_call *call, const struct iam_api_key_create *in, struct iam_api_key *out);
int iam_api_key_get(struct iam_call *call, const char *access_key, struct iam_api_key *out);
int iam_api_key_update(struct iam_call *call, const char *access_key, const struct iam_api_key_update *in,
		       struct iam_api_key *out);
/* ERR_NOTFOUND when it does not exist (the caller decides whether that is success). */
int iam_api_key_delete(struct iam_call *call, const char *access_key);
int iam_api_key_list(struct iam_call *call, const struct iam_api_key_filter *f, struct iam_api_key_list *out);
int iam_api_key_list_page(struct iam_call *call, const struct iam_api_key_filter *f, struct iam_pager *pg,
			  struct iam_api_key_list *out);

/* ---- applications ---- */

struct iam_application {
	char *id;
	char *name;
	char *description;
	char *created_at;
	char *updated_at;
	char *organization_id;
	int editable;
	int deletable;
	int managed;
	uint32_t nb_api_keys;
	char **tags;
	size_t ntags;
};

struct iam_application_create {
	const char *name;
	const char *organization_id;
	const char *description; /* NULL: "" */
	const char *const *tags;
	size_t ntags;
};

struct iam_application_update {
	const char *name;        /* NULL: unchanged */
	const char *description; /* NULL: unchanged */
	int set_tags;            /* 1: replace the tags with tags[0..ntags) ([] clears) */
	const char *const *tags;
	size_t ntags;
};

struct iam_application_filter {
	const char *organization_id;
	const char *name; /* server-side filter; exact matching is the caller's job */
	const char *tag;
	int editable; /* -1, 0, 1 */
	const char *const *application_ids; /* any of these; 0: no filter */
	size_t n_application_ids;
};

struct iam_application_list {
	struct iam_application *items;
	size_t n;
};

void iam_application_release(struct iam_application *a);
void iam_application_list_release(struct iam_application_list *l);
int iam_application_create(struct iam_call *call, const struct iam_application_create *in,
			   struct iam_application *out);
int iam_application_get(struct iam_call *call, const char *id, struct iam_application *out);
int iam_application_update(struct iam_call *call, const char *id, const struct iam_application_update *in,
			   struct iam_application *out);
int iam_application_delete(struct iam_call *call, const char *id);
int iam_application_list(struct iam_call *call, const struct iam_application_filter *f,
			 struct iam_application_list *out);
int iam_application_list_page(struct iam_call *call, const struct iam_application_filter *f, struct iam_pager *pg,
			      struct iam_application_list *out);

/* ---- users ---- */

struct iam_user {
	char *id;
	char *email;
	char *username;
	char *first_name;
	char *last_name;
	char *phone_number;
	char *locale;
	char *created_at;
	char *updated_at;
	char *organization_id;
	int deletable;
	char *last_login_at; /* NULL: never */
	char *type;          /* unknown_type|owner|member */
	char *status;
	int mfa;
	char *account_root_user_id;
	char **tags;
	size_t ntags;
	int locked;
};

/* POST /users with the member{} form; unset strings are sent as "". */
struct iam_user_create {
	const char *organization_id;
	const char *const *tags;
	size_t ntags;
	const char *email;
	const char *username;
	const char *password; /* secret: never logged */
	const char *first_name;
	const char *last_name;
	const char *phone_number;
	const char *locale;
	int send_password_email;
	int send_welcome_email;
};

struct iam_user_update { /* NULL members are left unchanged */
	int set_tags;
	const char *const *tags;
	size_t ntags;
	const char *email;
	const char *first_name;
	const char *last_name;
	const char *phone_number;
	const char *locale;
};

struct iam_user_filter {
	const char *organization_id;
	const char *tag;
	int mfa; /* -1, 0, 1 */
	const char *type; /* NULL or owner|member */
	const char *const *user_ids; /* any of these; 0: no filter */
	size_t n_user_ids;
};

struct iam_user_list {
	struct iam_user *items;
	size_t n;
};

void iam_user_release(struct iam_user *u);
void iam_user_list_release(struct iam_user_list *l);
int iam_user_create(struct iam_call *call, const struct iam_user_create *in, struct iam_user *out);
int iam_user_get(struct iam_call *call, const char *id, struct iam_user *out);
int iam_user_update(struct iam_call *call, const char *id, const struct iam_user_update *in, struct iam_user *out);
int iam_user_update_username(struct iam_call *call, const char *id, const char *username, struct iam_user *out);
/* POST /users/{id}/update-password {"password"}: set a new password (never logged; the request body
 * is wiped). Returns the User like update-username. */
int iam_user_update_password(struct iam_call *call, const char *id, const char *password, struct iam_user *out);
int iam_user_delete(struct iam_call *call, const char *id);
int iam_user_list(struct iam_call *call, const struct iam_user_filter *f, struct iam_user_list *out);
int iam_user_list_page(struct iam_call *call, const struct iam_user_filter *f, struct iam_pager *pg,
		       struct iam_user_list *out);

/* One request with its JSON answer (*out, may be NULL), for the other typed modules
 * (iam_access.c). */
int iam_call_json(struct iam_call *call, const char *method, const char *path, const json_t *body,
		  enum scwclient_retry retry, json_t **out);

#endif
