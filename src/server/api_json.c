/* SPDX-License-Identifier: MIT */
/*
 * api_json: protojson-shaped writers for API keys, applications, users, their lists and the
 * error bodies. Encoding only; parsing is jansson's (api_parse.c).
 */
#include <string.h>

#include "common/compat.h"
#include "common/err.h"
#include "common/json_esc.h"
#include "common/timeutil.h"
#include "server/api_json.h"

/* ,"name": */
static int key(struct buf *b, int first, const char *name)
{
	int r = first ? 0 : buf_append_byte(b, ',');

	if (r == 0)
		r = buf_append_byte(b, '"');
	if (r == 0)
		r = buf_append_str(b, name);
	if (r == 0)
		r = buf_append(b, "\":", 2);
	return r;
}

static int str(struct buf *b, int first, const char *name, const char *v)
{
	int r = key(b, first, name);

	if (r == 0)
		r = v ? json_esc_append(b, v, strlen(v)) : buf_append_str(b, "null");
	return r;
}

static int boolean(struct buf *b, const char *name, int v)
{
	int r = key(b, 0, name);

	return r ? r : buf_append_str(b, v ? "true" : "false");
}

static int ts(struct buf *b, const char *name, const struct tstamp *t)
{
	char out[TIME_RFC3339_MAX];
	size_t n;
	int r = key(b, 0, name);

	if (r < 0)
		return r;
	if (!t)
		return buf_append_str(b, "null");
	n = time_rfc3339_format(*t, out);
	r = buf_append_byte(b, '"');
	if (r == 0)
		r = buf_append(b, out, n);
	return r ? r : buf_append_byte(b, '"');
}

static int tags(struct buf *b, const struct store_tags *t)
{
	size_t i;
	int r = key(b, 0, "tags");

	if (r == 0)
		r = buf_append_byte(b, '[');
	for (i = 0; r == 0 && i < t->n; i++) {
		if (i)
			r = buf_append_byte(b, ',');
		if (r == 0)
			r = json_esc_append(b, t->v[i], strlen(t->v[i]));
	}
	return r ? r : buf_append_byte(b, ']');
}

int api_json_key(struct buf *b, const struct store_key *k, const char *secret)
{
	int r = buf_append_byte(b, '{');

	if (r == 0)
		r = str(b, 1, "access_key", k->access_key);
	if (r == 0)
		r = str(b, 0, "secret_key", secret);
	if (r == 0)
		r = str(b, 0, "description", k->description ? k->description : "");
	if (r == 0)
		r = ts(b, "created_at", &k->created_at);
	if (r == 0)
		r = ts(b, "updated_at", &k->updated_at);
	if (r == 0)
		r = ts(b, "expires_at", k->has_expires ? &k->expires_at : NULL);
	if (r == 0)
		r = str(b, 0, "default_project_id", k->default_project_id);
	if (r == 0)
		r = boolean(b, "editable", k->editable);
	if (r == 0)
		r = boolean(b, "deletable", k->deletable);
	if (r == 0)
		r = boolean(b, "managed", k->managed);
	if (r == 0)
		r = str(b, 0, "creation_ip", k->creation_ip);
	if (r == 0)
		r = str(b, 0, k->bearer_type == STORE_BEARER_APPLICATION ? "application_id" : "user_id",
			k->bearer_id);
	return r ? r : buf_append_byte(b, '}');
}

int api_json_app(struct buf *b, const struct store_app *a)
{
	int r = buf_append_byte(b, '{');

	if (r == 0)
		r = str(b, 1, "id", a->id);
	if (r == 0)
		r = str(b, 0, "name", a->name);
	if (r == 0)
		r = str(b, 0, "description", a->description);
	if (r == 0)
		r = ts(b, "created_at", &a->created_at);
	if (r == 0)
		r = ts(b, "updated_at", &a->updated_at);
	if (r == 0)
		r = str(b, 0, "organization_id", a->organization_id);
	if (r == 0)
		r = boolean(b, "editable", a->editable);
	if (r == 0)
		r = boolean(b, "deletable", a->deletable);
	if (r == 0)
		r = boolean(b, "managed", a->managed);
	if (r == 0)
		r = key(b, 0, "nb_api_keys");
	if (r == 0)
		r = buf_printf(b, "%u", (unsigned)a->nb_api_keys);
	if (r == 0)
		r = tags(b, &a->tags);
	return r ? r : buf_append_byte(b, '}');
}

static const char *user_type(enum store_user_type t)
{
	switch (t) {
	case STORE_USER_OWNER: return "owner";
	case STORE_USER_MEMBER: return "member";
	default: return "unknown_type";
	}
}

static const char *user_status(enum store_user_status s)
{
	switch (s) {
	case STORE_STATUS_INVITATION_PENDING: return "invitation_pending";
	case STORE_STATUS_ACTIVATED: return "activated";
	default: return "unknown_status";
	}
}

int api_json_user(struct buf *b, const struct store_user *u)
{
	int r = buf_append_byte(b, '{');

	if (r == 0)
		r = str(b, 1, "id", u->id);
	if (r == 0)
		r = str(b, 0, "email", u->email);
	if (r == 0)
		r = str(b, 0, "username", u->username);
	if (r == 0)
		r = str(b, 0, "first_name", u->first_name);
	if (r == 0)
		r = str(b, 0, "last_name", u->last_name);
	if (r == 0)
		r = str(b, 0, "phone_number", u->phone_number);
	if (r == 0)
		r = str(b, 0, "locale", u->locale);
	if (r == 0)
		r = ts(b, "created_at", &u->created_at);
	if (r == 0)
		r = ts(b, "updated_at", &u->updated_at);
	if (r == 0)
		r = str(b, 0, "organization_id", u->organization_id);
	if (r == 0)
		r = boolean(b, "deletable", u->deletable);
	if (r == 0)
		r = ts(b, "last_login_at", u->has_last_login ? &u->last_login_at : NULL);
	if (r == 0)
		r = str(b, 0, "type", user_type(u->type));
	if (r == 0)
		r = boolean(b, "two_factor_enabled", u->mfa);
	if (r == 0)
		r = str(b, 0, "status", user_status(u->status));
	if (r == 0)
		r = boolean(b, "mfa", u->mfa);
	if (r == 0)
		r = str(b, 0, "account_root_user_id", u->account_root_user_id);
	if (r == 0)
		r = tags(b, &u->tags);
	if (r == 0)
		r = boolean(b, "locked", u->locked);
	return r ? r : buf_append_byte(b, '}');
}

#define LIST_WRITER(fname, ltype, member, writer_call)                          \
	int fname(struct buf *b, const ltype *l)                                \
	{                                                                       \
		size_t i;                                                       \
		int r = buf_append_str(b, "{\"" member "\":[");                 \
		for (i = 0; r == 0 && i < l->n; i++) {                          \
			if (i)                                                  \
				r = buf_append_byte(b, ',');                    \
			if (r == 0)                                             \
				r = writer_call;                                \
		}                                                               \
		if (r == 0)                                                     \
			r = buf_printf(b, "],\"total_count\":%u}", (unsigned)l->total); \
		return r;                                                       \
	}

LIST_WRITER(api_json_key_list, struct store_key_list, "api_keys", api_json_key(b, &l->v[i], NULL))
LIST_WRITER(api_json_app_list, struct store_app_list, "applications", api_json_app(b, &l->v[i]))
LIST_WRITER(api_json_user_list, struct store_user_list, "users", api_json_user(b, &l->v[i]))

int api_json_err_invalid(struct buf *b, const struct api_invalid *inv)
{
	size_t i;
	int r = buf_append_str(b, "{\"details\":[");

	for (i = 0; r == 0 && i < inv->n; i++) {
		const struct api_invalid_detail *d = &inv->d[i];

		if (i)
			r = buf_append_byte(b, ',');
		if (r == 0)
			r = buf_append_byte(b, '{');
		if (r == 0)
			r = str(b, 1, "argument_name", d->argument_name);
		if (r == 0)
			r = str(b, 0, "help_message", d->help_message);
		if (r == 0)
			r = str(b, 0, "reason", d->reason);
		if (r == 0)
			r = buf_append_byte(b, '}');
	}
	if (r == 0)
		r = buf_append_str(b, "],\"message\":\"invalid argument(s)\",\"type\":\"invalid_arguments\"}");
	return r;
}

int api_json_err_not_found(struct buf *b, const char *resource, const char *resource_id)
{
	int r = buf_append_str(b, "{\"message\":\"resource is not found\"");

	if (r == 0)
		r = str(b, 0, "resource", resource);
	if (r == 0)
		r = str(b, 0, "resource_id", resource_id);
	return r ? r : buf_append_str(b, ",\"type\":\"not_found\"}");
}

int api_json_err_auth(struct buf *b, const char *reason)
{
	int r = buf_append_str(b, "{\"message\":\"authentication is denied\",\"method\":\"api_key\"");

	if (r == 0)
		r = str(b, 0, "reason", reason);
	return r ? r : buf_append_str(b, ",\"type\":\"denied_authentication\"}");
}

int api_json_err_permissions(struct buf *b, const char *action, const char *resource)
{
	int r = buf_append_str(b, "{\"details\":[{");

	if (r == 0)
		r = str(b, 1, "action", action);
	if (r == 0)
		r = str(b, 0, "resource", resource);
	return r ? r
		 : buf_append_str(b, "}],\"message\":\"insufficient permissions\",\"type\":\"permissions_denied\"}");
}

int api_json_err_quota(struct buf *b, uint32_t current, uint32_t quota, const char *resource)
{
	int r = buf_printf(b, "{\"details\":[{\"current\":%u,\"quota\":%u", (unsigned)current, (unsigned)quota);

	if (r == 0)
		r = str(b, 0, "resource", resource);
	return r ? r
		 : buf_append_str(b, "}],\"message\":\"quota(s) exceeded for this resource\",\"type\":\"quotas_exceeded\"}");
}

int api_json_err_precondition(struct buf *b, const char *precondition, const char *help)
{
	int r = buf_append_byte(b, '{');

	if (r == 0)
		r = str(b, 1, "help_message", help);
	if (r == 0)
		r = buf_append_str(b, ",\"message\":\"precondition is not respected\"");
	if (r == 0)
		r = str(b, 0, "precondition", precondition);
	return r ? r : buf_append_str(b, ",\"type\":\"precondition_failed\"}");
}

int api_json_err_plain(struct buf *b, const char *type, const char *message)
{
	int r = buf_append_byte(b, '{');

	if (r == 0)
		r = str(b, 1, "message", message);
	if (r == 0)
		r = str(b, 0, "type", type);
	return r ? r : buf_append_byte(b, '}');
}
