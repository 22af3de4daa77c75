/* SPDX-License-Identifier: MIT */
/*
 * api_parse: validation of request bodies (through jansson) for the
 * api-keys, applications and users endpoints (query parameters: api_parse_query.c). See
 * api_parse.h for the conventions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "server/api_parse.h"
#include "server/api_parse_int.h"
#include "server/validate.h"
#include "store/record.h"

void api_invalid_add(struct api_invalid *inv, const char *arg, const char *reason, const char *fmt, ...)
{
	struct api_invalid_detail *d;
	va_list ap;

	if (inv->n >= API_MAX_DETAILS)
		return;
	d = &inv->d[inv->n++];
	snprintf(d->argument_name, sizeof(d->argument_name), "%s", arg);
	d->reason = reason;
	va_start(ap, fmt);
	vsnprintf(d->help_message, sizeof(d->help_message), fmt, ap);
	va_end(ap);
}

size_t api_utf8_len(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

int api_uuid_norm(const char *s, size_t n, char out[STORE_ID_LEN + 1])
{
	size_t i;

	if (!uuid_is_valid(s, n))
		return ERR_PARSE;
	for (i = 0; i < n; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
	out[n] = '\0';
	return 0;
}

/* ---- JSON members ---- */

static int load_object(const char *body, size_t len, json_t **out, struct api_invalid *inv)
{
	json_error_t e;
	json_t *root;

	*out = NULL;
	if (len == 0) {
		*out = json_object();
		return *out ? 0 : ERR_NOMEM;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
	if (!root) {
		api_invalid_add(inv, "body", "format", "malformed JSON: %s (line %d, column %d)", e.text,
				e.line, e.column);
		return ERR_INVAL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		api_invalid_add(inv, "body", "format", "the body must be a JSON object");
		return ERR_INVAL;
	}
	*out = root;
	return 0;
}

/* The member k of o, or NULL when absent or null. */
static json_t *member(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return v && !json_is_null(v) ? v : NULL;
}

/* The published rule of argname (validate.c); a violation is recorded in inv. */
static int vld_arg(const char *argname, const char *s, size_t n, struct api_invalid *inv)
{
	const char *reason;
	char help[160];

	if (vld_field(argname, s, n, &reason, help, sizeof(help)) == 0)
		return 0;
	api_invalid_add(inv, argname, reason, "%s", help);
	return ERR_INVAL;
}

/* A string member of at most max characters. *out NULL when absent. required: absent or ""
 * is an error. */
static int str_field(json_t *o, const char *k, const char *argname, size_t max, int required,
		     char **out, struct api_invalid *inv)
{
	json_t *v = member(o, k);
	const char *s;
	size_t n;

	*out = NULL;
	if (!v) {
		if (required)
			api_invalid_add(inv, argname, "required", "%s is required", argname);
		return required ? ERR_INVAL : 0;
	}
	if (!json_is_string(v)) {
		api_invalid_add(inv, argname, "format", "%s must be a string", argname);
		return ERR_INVAL;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (required && n == 0) {
		api_invalid_add(inv, argname, "required", "%s must not be empty", argname);
		return ERR_INVAL;
	}
	if (api_utf8_len(s, n) > max) {
		api_invalid_add(inv, argname, "constraint", "%s must be at most %zu characters long",
				argname, max);
		return ERR_INVAL;
	}
	if (vld_arg(argname, s, n, inv) < 0)
		return ERR_INVAL;
	*out = mem_strndup(s, n);
	return *out ? 0 : ERR_NOMEM;
}

/* A UUID member; out "" when absent. */
static int uuid_field(json_t *o, const char *k, const char *argname, char out[STORE_ID_LEN + 1],
		      struct api_invalid *inv)
{
	json_t *v = member(o, k);

	out[0] = '\0';
	if (!v)
		return 0;
	if (!json_is_string(v) || api_uuid_norm(json_string_value(v), json_string_length(v), out) != 0) {
		api_invalid_add(inv, argname, "format", "%s must be a UUID", argname);
		out[0] = '\0';
		return ERR_INVAL;
	}
	return 0;
}

static int bool_field(json_t *o, const char *k, const char *argname, int *out, struct api_invalid *inv)
{
	json_t *v = member(o, k);

	*out = 0;
	if (!v)
		return 0;
	if (!json_is_boolean(v)) {
		api_invalid_add(inv, argname, "format", "%s must be a boolean", argname);
		return ERR_INVAL;
	}
	*out = json_is_true(v);
	return 0;
}

/* A date-time in a body (expires_at): RFC 3339, and a deadline, so strictly after now. */
static int time_field(json_t *o, const char *k, const char *argname, struct tstamp now, struct tstamp *out,
		      int *present, struct api_invalid *inv)
{
	json_t *v = member(o, k);

	*present = 0;
	if (!v)
		return 0;
	if (!json_is_string(v) ||
	    time_rfc3339_parse(json_string_value(v), json_string_length(v), out) != 0) {
		api_invalid_add(inv, argname, "format", "%s must be an RFC 3339 date-time such as 2035-07-06T09:00:00Z",
				argname);
		return ERR_INVAL;
	}
	if (time_cmp(*out, now) <= 0) {
		api_invalid_add(inv, argname, "constraint", "%s must be in the future", argname);
		return ERR_INVAL;
	}
	*present = 1;
	return 0;
}

static int tags_field(json_t *o, const char *k, const char *argname, struct store_tags *out, int *present,
		      struct api_invalid *inv)
{
	json_t *v = member(o, k);
	size_t i, n;

	out->v = NULL;
	out->n = 0;
	*present = 0;
	if (!v)
		return 0;
	if (!json_is_array(v)) {
		api_invalid_add(inv, argname, "format", "%s must be an array of strings", argname);
		return ERR_INVAL;
	}
	n = json_array_size(v);
	if (n > API_TAGS_MAX) {
		api_invalid_add(inv, argname, "constraint", "%s must hold at most %d tags", argname, API_TAGS_MAX);
		return ERR_INVAL;
	}
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);

		if (!json_is_string(e)) {
			api_invalid_add(inv, argname, "format", "%s must be an array of strings", argname);
			return ERR_INVAL;
		}
		if (api_utf8_len(json_string_value(e), json_string_length(e)) > API_TAG_MAX) {
			api_invalid_add(inv, argname, "constraint", "each tag must be at most %d characters long",
					API_TAG_MAX);
			return ERR_INVAL;
		}
	}
	out->v = mem_calloc(n, sizeof(char *));
	if (!out->v)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);

		out->v[i] = mem_strndup(json_string_value(e), json_string_length(e));
		if (!out->v[i]) {
			store_tags_release(out);
			return ERR_NOMEM;
		}
		out->n = i + 1;
	}
	*present = 1;
	return 0;
}

/* Merge a field result into the running result: NOMEM wins, then INVAL; parsing continues
 * after INVAL so that every bad argument is reported at once. */
static int merge(int r, int fr)
{
	if (r == ERR_NOMEM || fr == ERR_NOMEM)
		return ERR_NOMEM;
	return r < 0 ? r : fr;
}

/* The bearer of a new API key (struct store_key's bearer field): exactly one of application_id
 * and user_id. */
static int bearer_field(json_t *o, struct store_key *k, struct api_invalid *inv)
{
	char app[STORE_ID_LEN + 1], user[STORE_ID_LEN + 1];
	int r = uuid_field(o, "application_id", "application_id", app, inv);

	r = merge(r, uuid_field(o, "user_id", "user_id", user, inv));
	if (r < 0)
		return r;
	if (app[0] && user[0]) {
		api_invalid_add(inv, "application_id", "constraint",
				"specify exactly one of application_id and user_id, not both");
		return ERR_INVAL;
	}
	if (!app[0] && !user[0]) {
		api_invalid_add(inv, "application_id", "required",
				"you must specify the application_id or the user_id");
		return ERR_INVAL;
	}
	k->bearer_type = app[0] ? STORE_BEARER_APPLICATION : STORE_BEARER_USER;
	memcpy(k->bearer_id, app[0] ? app : user, sizeof(k->bearer_id));
	return 0;
}

/* ---- bodies: each sets fields of a record ---- */

/* A string member with a rule of its own besides its length (and validate.c's rule of its
 * argument name, which str_field applies). */
typedef int str_rule(json_t *o, const char *k, const char *argname, size_t max, int required, char **out,
		     struct api_invalid *inv);

/* A body member that sets the record field of the same name (store/record.h gives its kind and
 * place). Strings are at most max characters; required: absent or "" is refused; str: the
 * string's own rule (str_field when NULL). The bearer is always required. */
struct body_field {
	const char *name;
	size_t max;
	int required;
	str_rule *str;
};

/* The record fields a body (or a nested object of one) sets; prefix goes before their argument
 * names ("member." for the members of a user-create's "member" object). */
struct body {
	const struct rec_desc *desc;
	const char *prefix;
	const struct body_field *f;
	size_t n;
};

#define BODY(desc, prefix, fields) { desc, prefix, fields, sizeof(fields) / sizeof((fields)[0]) }

/* Parse the members of o that b names into rec, a record described by b->desc. now: the
 * reference of date-times (NULL when b has none). *set_tags (when not NULL): tags were given. */
static int body_rec(json_t *o, const struct body *b, const struct tstamp *now, void *rec, int *set_tags,
		    struct api_invalid *inv)
{
	size_t i;
	int r = 0, present = 0;

	for (i = 0; i < b->n; i++) {
		const struct body_field *in = &b->f[i];
		const struct rec_field *f = rec_find(b->desc, in->name);
		char arg[64];

		if (!f)
			return ERR_INTERNAL;
		snprintf(arg, sizeof(arg), "%s%s", b->prefix, f->name);
		switch (f->kind) {
		case REC_STR:
			r = merge(r, (in->str ? in->str : str_field)(o, f->name, arg, in->max, in->required,
								     REC_AT(rec, f, char *), inv));
			break;
		case REC_ID:
			r = merge(r, uuid_field(o, f->name, arg, REC_AT(rec, f, char), inv));
			break;
		case REC_OPT_TS:
			if (!now)
				return ERR_INTERNAL;
			r = merge(r, time_field(o, f->name, arg, *now, REC_AT(rec, f, struct tstamp),
						(int *)((char *)rec + f->flag_off), inv));
			break;
		case REC_TAGS:
			r = merge(r, tags_field(o, f->name, arg, REC_AT(rec, f, struct store_tags), &present, inv));
			if (set_tags)
				*set_tags = present;
			break;
		case REC_BEARER:
			r = merge(r, bearer_field(o, rec, inv));
			break;
		default:
			return ERR_INTERNAL;
		}
	}
	return r;
}

/* The strings of a new record that its body left out are "". */
static int empty_strings(const struct rec_desc *desc, void *rec)
{
	size_t i;

	for (i = 0; i < desc->n; i++) {
		const struct rec_field *f = &desc->f[i];

		if (f->kind != REC_STR || *REC_AT(rec, f, char *))
			continue;
		*REC_AT(rec, f, char *) = mem_strndup("", 0);
		if (!*REC_AT(rec, f, char *))
			return ERR_NOMEM;
	}
	return 0;
}

/* ---- API keys ---- */

static const struct body_field key_create_fields[] = {
	{ "bearer", 0, 1, NULL },
	{ "expires_at", 0, 0, NULL },
	{ "default_project_id", 0, 0, NULL },
	{ "description", API_DESCRIPTION_MAX, 0, NULL },
};

static const struct body_field key_update_fields[] = {
	{ "description", API_DESCRIPTION_MAX, 0, NULL },
	{ "default_project_id", 0, 0, NULL },
	{ "expires_at", 0, 0, NULL },
};

static const struct body key_create_body = BODY(&rec_key, "", key_create_fields);
static const struct body key_update_body = BODY(&rec_key, "", key_update_fields);

int api_parse_key_create(const char *body, size_t len, struct tstamp now, struct store_key *out,
			 struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = body_rec(o, &key_create_body, &now, out, NULL, inv);
	if (r == 0)
		r = empty_strings(&rec_key, out);
	json_decref(o);
	if (r < 0)
		store_key_release(out);
	return r;
}

int api_parse_key_update(const char *body, size_t len, struct tstamp now, struct store_key *out,
			 struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = body_rec(o, &key_update_body, &now, out, NULL, inv);
	/* The bearer cannot change: say so rather than ignoring the member silently. */
	if (member(o, "application_id") || member(o, "user_id")) {
		api_invalid_add(inv, member(o, "application_id") ? "application_id" : "user_id", "constraint",
				"the bearer of an API key cannot be changed; create a new key");
		r = merge(r, ERR_INVAL);
	}
	json_decref(o);
	if (r < 0)
		store_key_release(out);
	return r;
}

/* ---- applications ---- */

static const struct body_field app_create_fields[] = {
	{ "name", API_APP_NAME_MAX, 1, NULL },
	{ "description", API_DESCRIPTION_MAX, 0, NULL },
	{ "organization_id", 0, 0, NULL },
	{ "tags", 0, 0, NULL },
};

static const struct body_field app_update_fields[] = {
	{ "name", API_APP_NAME_MAX, 0, NULL },
	{ "description", API_DESCRIPTION_MAX, 0, NULL },
	{ "tags", 0, 0, NULL },
};

static const struct body app_create_body = BODY(&rec_app, "", app_create_fields);
static const struct body app_update_body = BODY(&rec_app, "", app_update_fields);

int api_parse_app_create(const char *body, size_t len, struct store_app *out, struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = body_rec(o, &app_create_body, NULL, out, NULL, inv);
	if (r == 0)
		r = empty_strings(&rec_app, out);
	json_decref(o);
	if (r < 0)
		store_app_release(out);
	return r;
}

int api_parse_app_update(const char *body, size_t len, struct store_app *out, int *set_tags,
			 struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	*set_tags = 0;
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = body_rec(o, &app_update_body, NULL, out, set_tags, inv);
	if (out->name && !out->name[0]) {
		api_invalid_add(inv, "name", "required", "name must not be empty");
		r = merge(r, ERR_INVAL);
	}
	json_decref(o);
	if (r < 0)
		store_app_release(out);
	return r;
}

/* ---- users ---- */

static int email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	size_t i;

	if (!at || at == s || !at[1] || strchr(at + 1, '@'))
		return 0;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= ' ')
			return 0;
	return 1;
}

static int email_field(json_t *o, const char *k, const char *argname, size_t max, int required, char **out,
		       struct api_invalid *inv)
{
	int r = str_field(o, k, argname, max, required, out, inv);

	if (r == 0 && *out && !email_ok(*out)) {
		api_invalid_add(inv, argname, "format", "%s must be an email address", argname);
		free(*out);
		*out = NULL;
		r = ERR_INVAL;
	}
	return r;
}

/* A locale such as en_US (or "" meaning the default). */
static int locale_field(json_t *o, const char *k, const char *argname, size_t max, int required, char **out,
			struct api_invalid *inv)
{
	int r = str_field(o, k, argname, max, required, out, inv);
	size_t i;

	if (r < 0 || !*out)
		return r;
	for (i = 0; (*out)[i]; i++) {
		char c = (*out)[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-')) {
			api_invalid_add(inv, argname, "format", "%s must look like en_US", argname);
			free(*out);
			*out = NULL;
			return ERR_INVAL;
		}
	}
	return 0;
}

/* A password: a secret, so never a record field (records are rendered and logged). */
static int secret_field(json_t *o, const char *argname, char **out, struct api_invalid *inv)
{
	json_t *v = member(o, "password");
	size_t n;

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v)) {
		api_invalid_add(inv, argname, "format", "%s must be a string", argname);
		return ERR_INVAL;
	}
	n = json_string_length(v);
	if (n == 0) /* the provider sends "" for "no password" */
		return 0;
	if (n < API_PASSWORD_MIN || n > API_PASSWORD_MAX) {
		api_invalid_add(inv, argname, "constraint", "%s must be %d to %d characters long", argname,
				API_PASSWORD_MIN, API_PASSWORD_MAX);
		return ERR_INVAL;
	}
	*out = mem_strndup(json_string_value(v), n);
	return *out ? 0 : ERR_NOMEM;
}

static const struct body_field user_create_fields[] = {
	{ "organization_id", 0, 0, NULL },
	{ "tags", 0, 0, NULL },
};

/* A guest is invited by email alone. */
static const struct body_field guest_fields[] = {
	{ "email", API_EMAIL_MAX, 1, email_field },
};

static const struct body_field member_fields[] = {
	{ "email", API_EMAIL_MAX, 1, email_field },
	{ "username", API_USER_FIELD_MAX, 1, NULL },
};

static const struct body_field user_update_fields[] = {
	{ "tags", 0, 0, NULL },
	{ "email", API_EMAIL_MAX, 0, email_field },
};

/* What a member and an update give after the above: the profile. */
static const struct body_field profile_fields[] = {
	{ "first_name", API_USER_FIELD_MAX, 0, NULL },
	{ "last_name", API_USER_FIELD_MAX, 0, NULL },
	{ "phone_number", 32, 0, NULL },
	{ "locale", 16, 0, locale_field },
};

static const struct body user_create_body = BODY(&rec_user, "", user_create_fields);
static const struct body guest_body = BODY(&rec_user, "", guest_fields);
static const struct body member_body = BODY(&rec_user, "member.", member_fields);
static const struct body member_profile_body = BODY(&rec_user, "member.", profile_fields);
static const struct body user_update_body = BODY(&rec_user, "", user_update_fields);
static const struct body profile_body = BODY(&rec_user, "", profile_fields);

/* The "member" object of a user-create body: the record fields, then the password (kept out of
 * the record) and the mail flags (checked; scw-iamd sends no mail). */
static int member_object(json_t *m, struct store_user *out, char **password, struct api_invalid *inv)
{
	int r, flag;

	out->status = STORE_STATUS_ACTIVATED;
	r = body_rec(m, &member_body, NULL, out, NULL, inv);
	r = merge(r, body_rec(m, &member_profile_body, NULL, out, NULL, inv));
	r = merge(r, secret_field(m, "member.password", password, inv));
	r = merge(r, bool_field(m, "send_password_email", "member.send_password_email", &flag, inv));
	return merge(r, bool_field(m, "send_welcome_email", "member.send_welcome_email", &flag, inv));
}

/* Defaults of a new user: a guest's username is its email until it changes it; the locale is
 * en_US when not given or ""; the other strings left out are "". */
static int user_defaults(struct store_user *u)
{
	if (!u->username) {
		u->username = mem_strndup(u->email, strlen(u->email));
		if (!u->username)
			return ERR_NOMEM;
	}
	if (!u->locale || !u->locale[0]) {
		free(u->locale);
		u->locale = mem_strndup("en_US", 5);
		if (!u->locale)
			return ERR_NOMEM;
	}
	return empty_strings(&rec_user, u);
}

int api_parse_user_create(const char *body, size_t len, struct store_user *out, char **password,
			  struct api_invalid *inv)
{
	json_t *o = NULL, *m, *email;
	int r;

	memset(out, 0, sizeof(*out));
	*password = NULL;
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = body_rec(o, &user_create_body, NULL, out, NULL, inv);
	m = member(o, "member");
	email = member(o, "email");
	if (m && email) {
		api_invalid_add(inv, "email", "constraint", "specify exactly one of email (guest) and member");
		r = merge(r, ERR_INVAL);
	} else if (!m && !email) {
		api_invalid_add(inv, "member", "required", "you must specify member or email");
		r = merge(r, ERR_INVAL);
	} else if (email) {
		out->status = STORE_STATUS_INVITATION_PENDING;
		r = merge(r, body_rec(o, &guest_body, NULL, out, NULL, inv));
	} else if (!json_is_object(m)) {
		api_invalid_add(inv, "member", "format", "member must be an object");
		r = merge(r, ERR_INVAL);
	} else {
		r = merge(r, member_object(m, out, password, inv));
	}
	if (r == 0)
		r = user_defaults(out);
	json_decref(o);
	if (r < 0) {
		store_user_release(out);
		mem_free_secret_str(*password);
		*password = NULL;
	}
	return r;
}

int api_parse_user_update(const char *body, size_t len, struct store_user *out, int *set_tags,
			  struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	*set_tags = 0;
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = body_rec(o, &user_update_body, NULL, out, set_tags, inv);
	r = merge(r, body_rec(o, &profile_body, NULL, out, NULL, inv));
	json_decref(o);
	if (r < 0)
		store_user_release(out);
	return r;
}

int api_parse_username(const char *body, size_t len, char **out, struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	*out = NULL;
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = str_field(o, "username", "username", API_USER_FIELD_MAX, 1, out, inv);
	json_decref(o);
	return r;
}

int api_parse_password(const char *body, size_t len, char **out, struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	*out = NULL;
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = secret_field(o, "password", out, inv);
	if (r == 0 && !*out) {
		api_invalid_add(inv, "password", "required", "password is required");
		r = ERR_INVAL;
	}
	json_decref(o);
	return r;
}

/* ---- the helpers above, for the other request parsers (api_parse_int.h) ---- */

int api_p_load_object(const char *body, size_t len, json_t **out, struct api_invalid *inv)
{
	return load_object(body, len, out, inv);
}

json_t *api_p_member(json_t *o, const char *k)
{
	return member(o, k);
}

int api_p_str(json_t *o, const char *k, const char *argname, size_t max, int required, char **out,
	      struct api_invalid *inv)
{
	return str_field(o, k, argname, max, required, out, inv);
}

int api_p_uuid(json_t *o, const char *k, char out[STORE_ID_LEN + 1], int *present, struct api_invalid *inv)
{
	int r = uuid_field(o, k, k, out, inv);

	if (present)
		*present = r == 0 && out[0] != '\0';
	return r;
}

int api_p_bool(json_t *o, const char *k, const char *argname, int *out, struct api_invalid *inv)
{
	return bool_field(o, k, argname, out, inv);
}

int api_p_tags(json_t *o, const char *k, struct store_tags *out, int *present, struct api_invalid *inv)
{
	return tags_field(o, k, k, out, present, inv);
}

int api_p_vld_arg(const char *argname, const char *s, size_t n, struct api_invalid *inv)
{
	return vld_arg(argname, s, n, inv);
}

int api_p_merge(int r, int fr)
{
	return merge(r, fr);
}
