/* SPDX-License-Identifier: MIT */
/*
 * api_json: protojson-shaped writers for API keys, applications, users, their lists and the
 * error bodies. A record is written field by field from its description (store/record.h), the
 * same table the store maps to columns. Encoding only; parsing is jansson's (api_parse.c).
 */
#include <string.h>

#include "common/compat.h"
#include "common/err.h"
#include "common/json_esc.h"
#include "common/timeutil.h"
#include "server/api_json.h"
#include "store/record.h"

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

static int tags(struct buf *b, const char *name, const struct store_tags *t)
{
	size_t i;
	int r = key(b, 0, name);

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

/* One field of a record, as the record's description (store/record.h) says. */
static int field(struct buf *b, int first, const struct rec_field *f, const void *rec, const char *secret)
{
	const char *s;
	int v;

	switch (f->kind) {
	case REC_ID:
		return str(b, first, f->name, (const char *)rec + f->off);
	case REC_STR:
		s = *(char *const *)((const char *)rec + f->off);
		return str(b, first, f->name, s ? s : "");
	case REC_TS:
		return ts(b, f->name, REC_CAT(rec, f, struct tstamp));
	case REC_OPT_TS:
		return ts(b, f->name, *(const int *)((const char *)rec + f->flag_off) ? REC_CAT(rec, f, struct tstamp) : NULL);
	case REC_BOOL:
		return boolean(b, f->name, *REC_CAT(rec, f, int));
	case REC_U32: {
		int r = key(b, first, f->name);

		return r ? r : buf_printf(b, "%u", (unsigned)*REC_CAT(rec, f, uint32_t));
	}
	case REC_ENUM:
		v = *REC_CAT(rec, f, int);
		return str(b, first, f->name, f->names[v >= 0 && (unsigned)v < f->n_names ? v : 0]);
	case REC_TAGS:
		return tags(b, f->name, REC_CAT(rec, f, struct store_tags));
	case REC_SECRET:
		return str(b, first, f->name, secret);
	case REC_BEARER: {
		const struct store_key *k = rec;

		return str(b, first, k->bearer_type == STORE_BEARER_APPLICATION ? "application_id" : "user_id",
			   k->bearer_id);
	}
	case REC_PRINCIPAL: {
		static const char *const names[] = { "user_id", "group_id", "application_id" };
		const struct store_policy *p = rec;
		int t = (int)p->principal_type;

		if (t >= 1 && t <= 3)
			return str(b, first, names[t - 1], p->principal_id);
		return boolean(b, "no_principal", 1);
	}
	case REC_SCOPE: {
		const struct store_rule *ru = rec;

		if (ru->organization_id[0])
			return str(b, first, "organization_id", ru->organization_id);
		return tags(b, "project_ids", &ru->project_ids);
	}
	}
	return ERR_INTERNAL;
}

static int record(struct buf *b, const struct rec_desc *d, const void *rec, const char *secret)
{
	size_t i;
	int first = 1, r = buf_append_byte(b, '{');

	for (i = 0; r == 0 && i < d->n; i++) {
		if (d->f[i].flags & REC_NOJSON)
			continue;
		r = field(b, first, &d->f[i], rec, secret);
		first = 0;
	}
	return r ? r : buf_append_byte(b, '}');
}

int api_json_key(struct buf *b, const struct store_key *k, const char *secret)
{
	return record(b, &rec_key, k, secret);
}

int api_json_app(struct buf *b, const struct store_app *a)
{
	return record(b, &rec_app, a, NULL);
}

int api_json_user(struct buf *b, const struct store_user *u)
{
	return record(b, &rec_user, u, NULL);
}

int api_json_group(struct buf *b, const struct store_group *g)
{
	return record(b, &rec_group, g, NULL);
}

int api_json_policy(struct buf *b, const struct store_policy *p)
{
	return record(b, &rec_policy, p, NULL);
}

int api_json_rule(struct buf *b, const struct store_rule *r)
{
	return record(b, &rec_rule, r, NULL);
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
LIST_WRITER(api_json_group_list, struct store_group_list, "groups", api_json_group(b, &l->v[i]))
LIST_WRITER(api_json_policy_list, struct store_policy_list, "policies", api_json_policy(b, &l->v[i]))
LIST_WRITER(api_json_rule_list, struct store_rule_list, "rules", api_json_rule(b, &l->v[i]))

/* PUT /rules answers the rules without total_count. */
int api_json_rules_set(struct buf *b, const struct store_rule_list *l)
{
	size_t i;
	int r = buf_append_str(b, "{\"rules\":[");

	for (i = 0; r == 0 && i < l->n; i++) {
		if (i)
			r = buf_append_byte(b, ',');
		if (r == 0)
			r = api_json_rule(b, &l->v[i]);
	}
	return r ? r : buf_append_str(b, "]}");
}

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
