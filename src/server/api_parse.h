/* SPDX-License-Identifier: MIT */
/*
 * api_parse: turns the outside input of scw-iamd requests (JSON bodies, query parameters) into
 * typed, validated requests and store filters. Pure functions: no I/O, no database, no clock
 * (the caller passes "now"). JSON syntax is jansson's job; this module checks types, formats,
 * lengths and enum values and reports every bad argument by name in struct api_invalid, which
 * becomes the spec's invalid_arguments error body.
 *
 * JSON conventions (protojson-like): an absent member and a null member both mean "not given";
 * unknown members are ignored; duplicate members are rejected. Query conventions: empty values
 * and unknown_* enum values mean "no filter"; unknown parameter names are ignored; repeated array
 * parameters (access_keys=A&access_keys=B) accumulate, at most API_MAX_REPEAT values.
 */
#ifndef SERVER_API_PARSE_H
#define SERVER_API_PARSE_H
#include <stddef.h>

#include "common/timeutil.h"
#include "store/store.h"

#define API_MAX_DETAILS 8
#define API_MAX_REPEAT 100
#define API_DESCRIPTION_MAX 200 /* characters (code points) */
#define API_APP_NAME_MAX 64
#define API_TAGS_MAX 10
#define API_TAG_MAX 128
#define API_USER_FIELD_MAX 64
#define API_EMAIL_MAX 254
#define API_PASSWORD_MIN 8
#define API_PASSWORD_MAX 128

struct api_invalid_detail {
	char argument_name[64];
	const char *reason; /* "unknown", "required", "format", "constraint" */
	char help_message[192];
};

struct api_invalid {
	size_t n;
	struct api_invalid_detail d[API_MAX_DETAILS];
};

/* Record a bad argument (at most API_MAX_DETAILS are kept). */
void api_invalid_add(struct api_invalid *inv, const char *arg, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One query parameter as the HTTP layer decoded it; v NULL for "?flag" without "=". */
struct api_qparam {
	const char *k, *v;
};

/* ---- bodies. Every parser returns 0, ERR_INVAL (inv filled) or ERR_NOMEM; on error the
 * output is released. A body parses into the record it sets: a table in api_parse.c names the
 * record fields it takes, and the record's description (store/record.h) gives each one's JSON
 * name, kind and place; the rules a table cannot say are checks next to it. Release the record
 * with store_key_release/store_app_release/store_user_release after success. ----
 *
 * Creates fill the body's fields and leave the rest to the caller; strings not given are "",
 * organization_id "" when not given. Updates: NULL strings and "" identifiers are left
 * unchanged, has_expires says whether expires_at was given, *set_tags whether tags were. */

/* bearer (exactly one of application_id and user_id), expires_at (in the future),
 * default_project_id, description. */
int api_parse_key_create(const char *body, size_t len, struct tstamp now, struct store_key *out,
			 struct api_invalid *inv);
/* description, default_project_id, expires_at; the bearer cannot change (ERR_INVAL). */
int api_parse_key_update(const char *body, size_t len, struct tstamp now, struct store_key *out,
			 struct api_invalid *inv);
/* name, description, organization_id, tags. */
int api_parse_app_create(const char *body, size_t len, struct store_app *out, struct api_invalid *inv);
int api_parse_app_update(const char *body, size_t len, struct store_app *out, int *set_tags, struct api_invalid *inv);
/* organization_id, tags and either "email" (a guest: status invitation_pending, username its
 * email) or a "member" object (status activated: email, username, first_name, last_name,
 * phone_number, locale, password, send_*_email). locale is en_US when not given or "".
 * *password: the member's password or NULL (a secret kept out of the record, which is rendered
 * and logged: free with mem_free_secret_str). type and the other fields are the caller's. */
int api_parse_user_create(const char *body, size_t len, struct store_user *out, char **password,
			  struct api_invalid *inv);
/* email, first_name, last_name, phone_number, locale, tags. */
int api_parse_user_update(const char *body, size_t len, struct store_user *out, int *set_tags, struct api_invalid *inv);
/* {"password": "..."}: *out is the new password (a secret: free with mem_free_secret_str). */
int api_parse_password(const char *body, size_t len, char **out, struct api_invalid *inv);
/* {"username": "..."}: *out is the new username (caller frees). */
int api_parse_username(const char *body, size_t len, char **out, struct api_invalid *inv);

/* ---- query strings. The filters point into the params and into the *_query struct, which
 * must outlive them. organization_id is left as given (NULL when absent): the caller decides
 * what another organization means. Return 0 or ERR_INVAL (inv filled). ---- */

struct api_key_query {
	struct store_key_filter f;
	char org[STORE_ID_LEN + 1], bearer[STORE_ID_LEN + 1], app[STORE_ID_LEN + 1], user[STORE_ID_LEN + 1];
	char ids[API_MAX_REPEAT][ACCESS_KEY_LEN + 1];
	const char *id_ptrs[API_MAX_REPEAT];
};

struct api_app_query {
	struct store_app_filter f;
	char org[STORE_ID_LEN + 1];
	char ids[API_MAX_REPEAT][STORE_ID_LEN + 1];
	const char *id_ptrs[API_MAX_REPEAT];
};

struct api_user_query {
	struct store_user_filter f;
	char org[STORE_ID_LEN + 1];
	char ids[API_MAX_REPEAT][STORE_ID_LEN + 1];
	const char *id_ptrs[API_MAX_REPEAT];
};

int api_parse_key_query(const struct api_qparam *q, size_t n, struct tstamp now, struct api_key_query *out,
			struct api_invalid *inv);
int api_parse_app_query(const struct api_qparam *q, size_t n, struct api_app_query *out, struct api_invalid *inv);
int api_parse_user_query(const struct api_qparam *q, size_t n, struct api_user_query *out, struct api_invalid *inv);

/* Number of UTF-8 code points in s[0..n) (continuation bytes are not counted). */
size_t api_utf8_len(const char *s, size_t n);
/* Copy a UUID lowercased into out when s is one: 0, else ERR_PARSE. */
int api_uuid_norm(const char *s, size_t n, char out[STORE_ID_LEN + 1]);

#endif
