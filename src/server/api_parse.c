/* SPDX-License-Identifier: MIT */
/*
 * api_parse: validation of request bodies (through jansson) and query parameters for the
 * api-keys, applications and users endpoints. See api_parse.h for the conventions.
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
static int uuid_field(json_t *o, const char *k, char out[STORE_ID_LEN + 1], int *present,
		      struct api_invalid *inv)
{
	json_t *v = member(o, k);

	out[0] = '\0';
	if (present)
		*present = 0;
	if (!v)
		return 0;
	if (!json_is_string(v) || api_uuid_norm(json_string_value(v), json_string_length(v), out) != 0) {
		api_invalid_add(inv, k, "format", "%s must be a UUID", k);
		out[0] = '\0';
		return ERR_INVAL;
	}
	if (present)
		*present = 1;
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

/* expires_at: RFC 3339, strictly after now. */
static int time_field(json_t *o, const char *k, struct tstamp now, struct tstamp *out, int *present,
		      struct api_invalid *inv)
{
	json_t *v = member(o, k);

	*present = 0;
	if (!v)
		return 0;
	if (!json_is_string(v) ||
	    time_rfc3339_parse(json_string_value(v), json_string_length(v), out) != 0) {
		api_invalid_add(inv, k, "format", "%s must be an RFC 3339 date-time such as 2035-07-06T09:00:00Z", k);
		return ERR_INVAL;
	}
	if (time_cmp(*out, now) <= 0) {
		api_invalid_add(inv, k, "constraint", "%s must be in the future", k);
		return ERR_INVAL;
	}
	*present = 1;
	return 0;
}

static int tags_field(json_t *o, const char *k, struct store_tags *out, int *present, struct api_invalid *inv)
{
	json_t *v = member(o, k);
	size_t i, n;

	out->v = NULL;
	out->n = 0;
	*present = 0;
	if (!v)
		return 0;
	if (!json_is_array(v)) {
		api_invalid_add(inv, k, "format", "%s must be an array of strings", k);
		return ERR_INVAL;
	}
	n = json_array_size(v);
	if (n > API_TAGS_MAX) {
		api_invalid_add(inv, k, "constraint", "%s must hold at most %d tags", k, API_TAGS_MAX);
		return ERR_INVAL;
	}
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);

		if (!json_is_string(e)) {
			api_invalid_add(inv, k, "format", "%s must be an array of strings", k);
			return ERR_INVAL;
		}
		if (api_utf8_len(json_string_value(e), json_string_length(e)) > API_TAG_MAX) {
			api_invalid_add(inv, k, "constraint", "each tag must be at most %d characters long",
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

/* ---- bodies that set record fields ---- */

/* A body member that sets the record field of the same name (store/record.h gives its kind and
 * place). str: a string with a rule of its own, else str_field with max and required. */
struct body_field {
	const char *name;
	size_t max;
	int required;
	int (*str)(json_t *o, const char *k, char **out, struct api_invalid *inv);
};

/* Parse the members of o named in in[0..n) into rec, a record described by desc. */
static int body_rec(json_t *o, const struct rec_desc *desc, const struct body_field *in, size_t n, void *rec,
		    int *set_tags, struct api_invalid *inv)
{
	size_t i;
	int r = 0, present = 0;

	for (i = 0; i < n; i++) {
		const struct rec_field *f = rec_find(desc, in[i].name);

		if (!f)
			return ERR_INTERNAL;
		switch (f->kind) {
		case REC_STR:
			r = merge(r, in[i].str ? in[i].str(o, f->name, REC_AT(rec, f, char *), inv)
					       : str_field(o, f->name, f->name, in[i].max, in[i].required,
							   REC_AT(rec, f, char *), inv));
			break;
		case REC_ID:
			r = merge(r, uuid_field(o, f->name, REC_AT(rec, f, char), NULL, inv));
			break;
		case REC_TAGS:
			r = merge(r, tags_field(o, f->name, REC_AT(rec, f, struct store_tags), &present, inv));
			if (set_tags)
				*set_tags = present;
			break;
		default:
			return ERR_INTERNAL;
		}
	}
	return r;
}

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- API keys ---- */

int api_parse_key_create(const char *body, size_t len, struct tstamp now, struct api_key_create *out,
			 struct api_invalid *inv)
{
	char app[STORE_ID_LEN + 1], user[STORE_ID_LEN + 1];
	int has_app = 0, has_user = 0;
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = merge(r, uuid_field(o, "application_id", app, &has_app, inv));
	r = merge(r, uuid_field(o, "user_id", user, &has_user, inv));
	if (r == 0 && has_app && has_user) {
		api_invalid_add(inv, "application_id", "constraint",
				"specify exactly one of application_id and user_id, not both");
		r = ERR_INVAL;
	} else if (r == 0 && !has_app && !has_user) {
		api_invalid_add(inv, "application_id", "required",
				"you must specify the application_id or the user_id");
		r = ERR_INVAL;
	} else if (r == 0) {
		out->bearer_type = has_app ? STORE_BEARER_APPLICATION : STORE_BEARER_USER;
		memcpy(out->bearer_id, has_app ? app : user, sizeof(out->bearer_id));
	}
	r = merge(r, time_field(o, "expires_at", now, &out->expires_at, &out->has_expires, inv));
	r = merge(r, uuid_field(o, "default_project_id", out->default_project_id, NULL, inv));
	r = merge(r, str_field(o, "description", "description", API_DESCRIPTION_MAX, 0, &out->description, inv));
	if (r == 0 && !out->description) {
		out->description = mem_strndup("", 0);
		if (!out->description)
			r = ERR_NOMEM;
	}
	json_decref(o);
	if (r < 0)
		api_key_create_release(out);
	return r;
}

int api_parse_key_update(const char *body, size_t len, struct tstamp now, struct api_key_update *out,
			 struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = merge(r, str_field(o, "description", "description", API_DESCRIPTION_MAX, 0, &out->description, inv));
	r = merge(r, uuid_field(o, "default_project_id", out->default_project_id, &out->has_project, inv));
	r = merge(r, time_field(o, "expires_at", now, &out->expires_at, &out->has_expires, inv));
	/* The bearer cannot change: say so rather than ignoring the member silently. */
	if (member(o, "application_id") || member(o, "user_id")) {
		api_invalid_add(inv, member(o, "application_id") ? "application_id" : "user_id", "constraint",
				"the bearer of an API key cannot be changed; create a new key");
		r = merge(r, ERR_INVAL);
	}
	json_decref(o);
	if (r < 0)
		api_key_update_release(out);
	return r;
}

void api_key_create_release(struct api_key_create *r)
{
	free(r->description);
	r->description = NULL;
}

void api_key_update_release(struct api_key_update *r)
{
	free(r->description);
	r->description = NULL;
}

/* ---- applications ---- */

static const struct body_field app_create_body[] = {
	{ "name", API_APP_NAME_MAX, 1, NULL },
	{ "description", API_DESCRIPTION_MAX, 0, NULL },
	{ "organization_id", 0, 0, NULL },
	{ "tags", 0, 0, NULL },
};

static const struct body_field app_update_body[] = {
	{ "name", API_APP_NAME_MAX, 0, NULL },
	{ "description", API_DESCRIPTION_MAX, 0, NULL },
	{ "tags", 0, 0, NULL },
};

int api_parse_app_create(const char *body, size_t len, struct store_app *out, struct api_invalid *inv)
{
	json_t *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = body_rec(o, &rec_app, app_create_body, NFIELDS(app_create_body), out, NULL, inv);
	if (r == 0 && !out->description) {
		out->description = mem_strndup("", 0);
		if (!out->description)
			r = ERR_NOMEM;
	}
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
	r = body_rec(o, &rec_app, app_update_body, NFIELDS(app_update_body), out, set_tags, inv);
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

static int email_field(json_t *o, const char *k, const char *argname, int required, char **out,
		       struct api_invalid *inv)
{
	int r = str_field(o, k, argname, API_EMAIL_MAX, required, out, inv);

	if (r == 0 && *out && !email_ok(*out)) {
		api_invalid_add(inv, argname, "format", "%s must be an email address", argname);
		free(*out);
		*out = NULL;
		r = ERR_INVAL;
	}
	return r;
}

/* A username: its characters are checked by the published rule (validate.c). */
static int username_field(json_t *o, const char *argname, char **out, struct api_invalid *inv)
{
	return str_field(o, "username", argname, API_USER_FIELD_MAX, 1, out, inv);
}

/* A locale such as en_US (or "" meaning the default). */
static int locale_field(json_t *o, const char *argname, char **out, struct api_invalid *inv)
{
	int r = str_field(o, "locale", argname, 16, 0, out, inv);
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

int api_parse_user_create(const char *body, size_t len, struct api_user_create *out, struct api_invalid *inv)
{
	json_t *o = NULL, *m, *email;
	int r, has_tags;

	memset(out, 0, sizeof(*out));
	r = load_object(body, len, &o, inv);
	if (r < 0)
		return r;
	r = merge(r, uuid_field(o, "organization_id", out->organization_id, NULL, inv));
	r = merge(r, tags_field(o, "tags", &out->tags, &has_tags, inv));
	m = member(o, "member");
	email = member(o, "email");
	if (m && email) {
		api_invalid_add(inv, "email", "constraint", "specify exactly one of email (guest) and member");
		r = merge(r, ERR_INVAL);
	} else if (!m && !email) {
		api_invalid_add(inv, "member", "required", "you must specify member or email");
		r = merge(r, ERR_INVAL);
	} else if (email) {
		out->guest = 1;
		r = merge(r, email_field(o, "email", "email", 1, &out->email, inv));
	} else if (!json_is_object(m)) {
		api_invalid_add(inv, "member", "format", "member must be an object");
		r = merge(r, ERR_INVAL);
	} else {
		r = merge(r, email_field(m, "email", "member.email", 1, &out->email, inv));
		r = merge(r, username_field(m, "member.username", &out->username, inv));
		r = merge(r, str_field(m, "first_name", "member.first_name", API_USER_FIELD_MAX, 0, &out->first_name, inv));
		r = merge(r, str_field(m, "last_name", "member.last_name", API_USER_FIELD_MAX, 0, &out->last_name, inv));
		r = merge(r, str_field(m, "phone_number", "member.phone_number", 32, 0, &out->phone_number, inv));
		r = merge(r, locale_field(m, "member.locale", &out->locale, inv));
		r = merge(r, secret_field(m, "member.password", &out->password, inv));
		r = merge(r, bool_field(m, "send_password_email", "member.send_password_email",
					&out->send_password_email, inv));
		r = merge(r, bool_field(m, "send_welcome_email", "member.send_welcome_email",
					&out->send_welcome_email, inv));
	}
	json_decref(o);
	if (r < 0)
		api_user_create_release(out);
	return r;
}

static int email_opt(json_t *o, const char *k, char **out, struct api_invalid *inv)
{
	return email_field(o, k, k, 0, out, inv);
}

static const struct body_field user_update_body[] = {
	{ "tags", 0, 0, NULL },
	{ "email", 0, 0, email_opt },
	{ "first_name", API_USER_FIELD_MAX, 0, NULL },
	{ "last_name", API_USER_FIELD_MAX, 0, NULL },
	{ "phone_number", 32, 0, NULL },
	{ "locale", 0, 0, locale_field },
};

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
	r = body_rec(o, &rec_user, user_update_body, NFIELDS(user_update_body), out, set_tags, inv);
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
	r = username_field(o, "username", out, inv);
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

void api_user_create_release(struct api_user_create *r)
{
	free(r->email);
	free(r->username);
	free(r->first_name);
	free(r->last_name);
	free(r->phone_number);
	free(r->locale);
	mem_free_secret_str(r->password);
	r->email = r->username = r->first_name = r->last_name = r->phone_number = r->locale = NULL;
	r->password = NULL;
	store_tags_release(&r->tags);
}

/* ---- query parameters ---- */

static int qbool(const char *k, const char *v, int *out, struct api_invalid *inv)
{
	if (!strcmp(v, "true")) {
		*out = 1;
	} else if (!strcmp(v, "false")) {
		*out = 0;
	} else {
		api_invalid_add(inv, k, "format", "%s must be true or false", k);
		return ERR_INVAL;
	}
	return 0;
}

static int quint(const char *k, const char *v, uint32_t lo, uint32_t hi, uint32_t *out, struct api_invalid *inv)
{
	unsigned long long x = 0;
	size_t i;

	for (i = 0; v[i]; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 10) {
			api_invalid_add(inv, k, "format", "%s must be an integer", k);
			return ERR_INVAL;
		}
		x = x * 10 + (unsigned)(v[i] - '0');
	}
	if (x < lo || x > hi) {
		api_invalid_add(inv, k, "constraint", "%s must be between %u and %u", k, lo, hi);
		return ERR_INVAL;
	}
	*out = (uint32_t)x;
	return 0;
}

static int quuid(const char *k, const char *v, char out[STORE_ID_LEN + 1], struct api_invalid *inv)
{
	if (api_uuid_norm(v, strlen(v), out) != 0) {
		api_invalid_add(inv, k, "format", "%s must be a UUID", k);
		return ERR_INVAL;
	}
	return 0;
}

static const struct order_name key_orders[] = {
	{ "created_at_asc", STORE_ORDER_CREATED_AT, 0 }, { "created_at_desc", STORE_ORDER_CREATED_AT, 1 },
	{ "updated_at_asc", STORE_ORDER_UPDATED_AT, 0 }, { "updated_at_desc", STORE_ORDER_UPDATED_AT, 1 },
	{ "expires_at_asc", STORE_ORDER_EXPIRES_AT, 0 }, { "expires_at_desc", STORE_ORDER_EXPIRES_AT, 1 },
	{ "access_key_asc", STORE_ORDER_ACCESS_KEY, 0 }, { "access_key_desc", STORE_ORDER_ACCESS_KEY, 1 },
	{ NULL, STORE_ORDER_CREATED_AT, 0 },
};

static const struct order_name app_orders[] = {
	{ "created_at_asc", STORE_ORDER_CREATED_AT, 0 }, { "created_at_desc", STORE_ORDER_CREATED_AT, 1 },
	{ "updated_at_asc", STORE_ORDER_UPDATED_AT, 0 }, { "updated_at_desc", STORE_ORDER_UPDATED_AT, 1 },
	{ "name_asc", STORE_ORDER_NAME, 0 },             { "name_desc", STORE_ORDER_NAME, 1 },
	{ NULL, STORE_ORDER_CREATED_AT, 0 },
};

static const struct order_name user_orders[] = {
	{ "created_at_asc", STORE_ORDER_CREATED_AT, 0 }, { "created_at_desc", STORE_ORDER_CREATED_AT, 1 },
	{ "updated_at_asc", STORE_ORDER_UPDATED_AT, 0 }, { "updated_at_desc", STORE_ORDER_UPDATED_AT, 1 },
	{ "email_asc", STORE_ORDER_EMAIL, 0 },           { "email_desc", STORE_ORDER_EMAIL, 1 },
	{ "last_login_asc", STORE_ORDER_LAST_LOGIN, 0 }, { "last_login_desc", STORE_ORDER_LAST_LOGIN, 1 },
	{ "username_asc", STORE_ORDER_USERNAME, 0 },     { "username_desc", STORE_ORDER_USERNAME, 1 },
	{ NULL, STORE_ORDER_CREATED_AT, 0 },
};

/* The page parameters every list shares; 1 when k was one of them. */
static int qpage(const char *k, const char *v, const struct order_name *orders, struct store_page *pg,
		 int *r, struct api_invalid *inv)
{
	size_t i;

	if (!strcmp(k, "page")) {
		*r = merge(*r, quint(k, v, 1, VLD_PAGE_MAX, &pg->page, inv));
	} else if (!strcmp(k, "page_size")) {
		*r = merge(*r, quint(k, v, 1, 100, &pg->page_size, inv));
	} else if (!strcmp(k, "order_by")) {
		for (i = 0; orders[i].name; i++) {
			if (!strcmp(v, orders[i].name)) {
				pg->order = orders[i].order;
				pg->desc = orders[i].desc;
				return 1;
			}
		}
		api_invalid_add(inv, k, "format", "unknown order_by value");
		*r = merge(*r, ERR_INVAL);
	} else {
		return 0;
	}
	return 1;
}

static void page_init(struct store_page *pg)
{
	pg->order = STORE_ORDER_CREATED_AT;
	pg->desc = 0;
	pg->page = 1;
	pg->page_size = 20;
}

/* Append one value of a repeated parameter after checking its format with check. */
static int qrepeat(const char *k, const char *v, size_t width, char *slots, const char **ptrs, size_t *n,
		   int (*check)(const char *, char *), struct api_invalid *inv)
{
	if (*n >= API_MAX_REPEAT) {
		api_invalid_add(inv, k, "constraint", "%s accepts at most %d values", k, API_MAX_REPEAT);
		return ERR_INVAL;
	}
	if (check(v, slots + *n * width) != 0) {
		api_invalid_add(inv, k, "format", "%s has a malformed value", k);
		return ERR_INVAL;
	}
	ptrs[*n] = slots + *n * width;
	(*n)++;
	return 0;
}

static int check_uuid(const char *v, char *out)
{
	return api_uuid_norm(v, strlen(v), out);
}

static int check_access_key(const char *v, char *out)
{
	size_t n = strlen(v);

	if (!access_key_is_valid(v, n))
		return ERR_PARSE;
	memcpy(out, v, n + 1);
	return 0;
}

int api_parse_key_query(const struct api_qparam *q, size_t n, struct tstamp now, struct api_key_query *out,
			struct api_invalid *inv)
{
	struct store_key_filter *f = &out->f;
	size_t i;
	int r = 0;

	memset(f, 0, sizeof(*f));
	f->editable = f->expired = -1;
	f->now = now;
	page_init(&f->page);
	f->access_keys = out->id_ptrs;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!k || !v || !*v || qpage(k, v, key_orders, &f->page, &r, inv))
			continue;
		if (!strcmp(k, "organization_id")) {
			r = merge(r, quuid(k, v, out->org, inv));
			f->organization_id = out->org;
		} else if (!strcmp(k, "editable")) {
			r = merge(r, qbool(k, v, &f->editable, inv));
		} else if (!strcmp(k, "expired")) {
			r = merge(r, qbool(k, v, &f->expired, inv));
		} else if (!strcmp(k, "access_key")) {
			if (!access_key_is_valid(v, strlen(v))) {
				api_invalid_add(inv, k, "format", "access_key must look like SCWXXXXXXXXXXXXXXXXX");
				r = merge(r, ERR_INVAL);
			}
			f->access_key = v;
		} else if (!strcmp(k, "description")) {
			r = merge(r, vld_arg(k, v, strlen(v), inv));
			f->description = v;
		} else if (!strcmp(k, "bearer_id")) {
			r = merge(r, quuid(k, v, out->bearer, inv));
			f->bearer_id = out->bearer;
		} else if (!strcmp(k, "bearer_type")) {
			if (!strcmp(v, "application")) {
				f->bearer_type = STORE_BEARER_APPLICATION;
			} else if (!strcmp(v, "user")) {
				f->bearer_type = STORE_BEARER_USER;
			} else if (strcmp(v, "unknown_bearer_type") != 0) {
				api_invalid_add(inv, k, "format", "bearer_type must be user or application");
				r = merge(r, ERR_INVAL);
			}
		} else if (!strcmp(k, "access_keys")) {
			r = merge(r, qrepeat(k, v, sizeof(out->ids[0]), out->ids[0], out->id_ptrs, &f->n_access_keys,
					     check_access_key, inv));
		} else if (!strcmp(k, "application_id")) {
			r = merge(r, quuid(k, v, out->app, inv));
			f->application_id = out->app;
		} else if (!strcmp(k, "user_id")) {
			r = merge(r, quuid(k, v, out->user, inv));
			f->user_id = out->user;
		}
	}
	return r;
}

int api_parse_app_query(const struct api_qparam *q, size_t n, struct api_app_query *out, struct api_invalid *inv)
{
	struct store_app_filter *f = &out->f;
	size_t i;
	int r = 0;

	memset(f, 0, sizeof(*f));
	f->editable = -1;
	page_init(&f->page);
	f->ids = out->id_ptrs;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!k || !v || !*v || qpage(k, v, app_orders, &f->page, &r, inv))
			continue;
		if (!strcmp(k, "organization_id")) {
			r = merge(r, quuid(k, v, out->org, inv));
			f->organization_id = out->org;
		} else if (!strcmp(k, "name")) {
			r = merge(r, vld_arg(k, v, strlen(v), inv));
			f->name = v;
		} else if (!strcmp(k, "tag")) {
			f->tag = v;
		} else if (!strcmp(k, "editable")) {
			r = merge(r, qbool(k, v, &f->editable, inv));
		} else if (!strcmp(k, "application_ids")) {
			r = merge(r, qrepeat(k, v, sizeof(out->ids[0]), out->ids[0], out->id_ptrs, &f->n_ids,
					     check_uuid, inv));
		}
	}
	return r;
}

int api_parse_user_query(const struct api_qparam *q, size_t n, struct api_user_query *out,
			 struct api_invalid *inv)
{
	struct store_user_filter *f = &out->f;
	size_t i;
	int r = 0;

	memset(f, 0, sizeof(*f));
	f->mfa = -1;
	page_init(&f->page);
	f->ids = out->id_ptrs;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!k || !v || !*v || qpage(k, v, user_orders, &f->page, &r, inv))
			continue;
		if (!strcmp(k, "organization_id")) {
			r = merge(r, quuid(k, v, out->org, inv));
			f->organization_id = out->org;
		} else if (!strcmp(k, "tag")) {
			f->tag = v;
		} else if (!strcmp(k, "mfa")) {
			r = merge(r, qbool(k, v, &f->mfa, inv));
		} else if (!strcmp(k, "type")) {
			if (!strcmp(v, "owner")) {
				f->type = STORE_USER_OWNER;
			} else if (!strcmp(v, "member")) {
				f->type = STORE_USER_MEMBER;
			} else if (strcmp(v, "unknown_type") != 0) {
				api_invalid_add(inv, k, "format", "type must be owner or member");
				r = merge(r, ERR_INVAL);
			}
		} else if (!strcmp(k, "user_ids")) {
			r = merge(r, qrepeat(k, v, sizeof(out->ids[0]), out->ids[0], out->id_ptrs, &f->n_ids,
					     check_uuid, inv));
		}
	}
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
	return uuid_field(o, k, out, present, inv);
}

int api_p_bool(json_t *o, const char *k, const char *argname, int *out, struct api_invalid *inv)
{
	return bool_field(o, k, argname, out, inv);
}

int api_p_tags(json_t *o, const char *k, struct store_tags *out, int *present, struct api_invalid *inv)
{
	return tags_field(o, k, out, present, inv);
}

int api_p_merge(int r, int fr)
{
	return merge(r, fr);
}

int api_p_qpage(const char *k, const char *v, const struct order_name *orders, struct store_page *pg, int *r,
		struct api_invalid *inv)
{
	return qpage(k, v, orders, pg, r, inv);
}

void api_p_page_init(struct store_page *pg)
{
	page_init(pg);
}

int api_p_qbool(const char *k, const char *v, int *out, struct api_invalid *inv)
{
	return qbool(k, v, out, inv);
}

int api_p_quuid(const char *k, const char *v, char out[STORE_ID_LEN + 1], struct api_invalid *inv)
{
	return quuid(k, v, out, inv);
}

int api_p_qrepeat_uuid(const char *k, const char *v, char (*slots)[STORE_ID_LEN + 1], const char **ptrs, size_t *n,
		       struct api_invalid *inv)
{
	return qrepeat(k, v, STORE_ID_LEN + 1, slots[0], ptrs, n, check_uuid, inv);
}
