/* SPDX-License-Identifier: MIT */
/*
 * iam_list: the list resources (`terraform query`, Terraform >= 1.14) of scaleway_iam_api_key,
 * scaleway_iam_application and scaleway_iam_user, with the reference provider's filters
 * (docs/scaleway-iam-api.md sections 7.1-7.3) and display names (access key, name, email).
 * organization_id defaults to the provider's; every other filter is sent to the API as a query
 * parameter (repeated for the id lists). Pages are read lazily, one at a time, and each object is
 * streamed as soon as it is read; reading stops once the list block's limit is reached (the page
 * size is the limit when it is under 100). The full object (include_resource) is the resource's own
 * state mapping (iam_api_key.c, iam_application.c, iam_user.c), with every sensitive attribute null.
 * One lister (list_run) serves the three; each type only says how to turn its config into a filter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/compat.h"
#include "common/err.h"
#include "provider/config.h"
#include "client/iam_access.h"
#include "provider/iam_application.h"
#include "provider/iam_group.h"
#include "provider/iam_policy.h"
#include "provider/iam_user.h"
#include "provider/provider.h"
#include "provider/tfutil.h"

static struct cty_type ids_type = CTY_LIST_OF(&cty_string);

#define ORG_ATTR                                                                                              \
	{                                                                                                     \
		.name = "organization_id", .type = &cty_string, .flags = FW_OPTIONAL,                         \
		.description = "The organization to list (a UUID). Defaults to the provider's organization.", \
		.validators = (const struct fw_validator[])                                                   \
		{                                                                                             \
			FW_V_UUID,                                                                            \
			{                                                                                     \
				0                                                                             \
			}                                                                                     \
		}                                                                                             \
	}

static const char *const bearer_types[] = { "application", "user", NULL };
static const char *const user_types[] = { "owner", "member", NULL };

static const struct fw_attr key_filters[] = {
	ORG_ATTR,
	{ .name = "description",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "Only keys with this description." },
	{ .name = "bearer_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "Only keys of this application or user (a UUID).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "bearer_type",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "Only keys borne by an application or by a user: application or user.",
	  .validators = (const struct fw_validator[]){ FW_V_ONE_OF(bearer_types), { 0 } } },
	{ .name = "editable",
	  .type = &cty_bool,
	  .flags = FW_OPTIONAL,
	  .description = "Only keys that can (true) or cannot (false) be edited." },
	{ .name = "expired",
	  .type = &cty_bool,
	  .flags = FW_OPTIONAL,
	  .description = "Only expired (true) or unexpired (false) keys." },
	{ .name = "access_keys",
	  .type = &ids_type,
	  .flags = FW_OPTIONAL,
	  .description = "Only these access keys.",
	  .elem_validators =
		  (const struct fw_validator[]){
			  FW_V_REGEX(PROVIDER_RE_ACCESS_KEY,
				     "an access key: SCW followed by 17 uppercase letters or digits"),
			  { 0 } } },
	{ 0 },
};

static const struct fw_attr app_filters[] = {
	ORG_ATTR,
	{ .name = "name",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "Only applications whose name contains this (the API's matching)." },
	{ .name = "tag",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "Only applications with this tag.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, TFUTIL_TAG_LEN_MAX), { 0 } } },
	{ .name = "editable",
	  .type = &cty_bool,
	  .flags = FW_OPTIONAL,
	  .description = "Only applications that can (true) or cannot (false) be edited." },
	{ .name = "application_ids",
	  .type = &ids_type,
	  .flags = FW_OPTIONAL,
	  .description = "Only these applications (UUIDs).",
	  .elem_validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ 0 },
};

static const struct fw_attr user_filters[] = {
	ORG_ATTR,
	{ .name = "tag",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "Only users with this tag.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, TFUTIL_TAG_LEN_MAX), { 0 } } },
	{ .name = "mfa",
	  .type = &cty_bool,
	  .flags = FW_OPTIONAL,
	  .description = "Only users with (true) or without (false) multi-factor authentication." },
	{ .name = "type",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "Only users of this type: owner or member.",
	  .validators = (const struct fw_validator[]){ FW_V_ONE_OF(user_types), { 0 } } },
	{ .name = "user_ids",
	  .type = &ids_type,
	  .flags = FW_OPTIONAL,
	  .description = "Only these users (UUIDs).",
	  .elem_validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ 0 },
};

static const struct fw_attr group_filters[] = {
	ORG_ATTR,
	{ .name = "name", .type = &cty_string, .flags = FW_OPTIONAL, .description = "Only the group with this name." },
	{ .name = "tag",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "Only groups with this tag.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, TFUTIL_TAG_LEN_MAX), { 0 } } },
	{ .name = "user_ids",
	  .type = &ids_type,
	  .flags = FW_OPTIONAL,
	  .description = "Only groups holding one of these users (UUIDs).",
	  .elem_validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "application_ids",
	  .type = &ids_type,
	  .flags = FW_OPTIONAL,
	  .description = "Only groups holding one of these applications (UUIDs).",
	  .elem_validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ 0 },
};

static const struct fw_attr policy_filters[] = {
	ORG_ATTR,
	{ .name = "policy_name",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "Only policies with this name." },
	{ .name = "tag",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .description = "Only policies with this tag.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, TFUTIL_TAG_LEN_MAX), { 0 } } },
	{ .name = "editable",
	  .type = &cty_bool,
	  .flags = FW_OPTIONAL,
	  .description = "Only policies that can (true) or cannot (false) be edited." },
	{ .name = "no_principal",
	  .type = &cty_bool,
	  .flags = FW_OPTIONAL,
	  .description = "Only policies without (true) or with (false) a principal." },
	{ .name = "user_ids",
	  .type = &ids_type,
	  .flags = FW_OPTIONAL,
	  .description = "Only policies of these users.",
	  .elem_validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "group_ids",
	  .type = &ids_type,
	  .flags = FW_OPTIONAL,
	  .description = "Only policies of these groups.",
	  .elem_validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "application_ids",
	  .type = &ids_type,
	  .flags = FW_OPTIONAL,
	  .description = "Only policies of these applications.",
	  .elem_validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ 0 },
};

/* The filters common to every type, read from the list block's config. */
struct filters {
	const char *org;
	const char **ids; /* the type's id list (malloc'd array of borrowed strings) */
	size_t nids;
	int b1, b2; /* the type's two tri-state booleans (-1: unset) */
};

static int tri(const struct cty_value *config, const char *attr)
{
	int v;

	return attr && fw_get_bool(config, attr, &v) == 0 ? v : -1;
}

/* One page of a type's objects: items/n (a typed list whose release is free_page). */
struct page {
	void *items;
	size_t n;
};

struct lister {
	const char *ids_attr, *b1_attr, *b2_attr;
	size_t size;        /* of one item */
	size_t display_off; /* char * member shown as the display name */
	int (*read_page)(struct iam_call *call, const struct cty_value *config, const struct filters *f,
			 struct iam_pager *pg, struct page *out);
	void (*free_page)(struct page *p);
	int (*state)(const struct fw_ctx *ctx, const void *item, struct cty_value *state);
};

static int list_run(const struct lister *l, const struct fw_ctx *ctx, const struct cty_value *config,
		    struct fw_list_out *out, struct fw_diags *d)
{
	struct filters f = { 0 };
	struct iam_pager pg = { 0 };
	struct iam_call call;
	struct page p = { NULL, 0 };
	size_t i;
	int r;

	f.org = tfutil_organization(ctx, config, d);
	if (!f.org)
		return ERR_INVAL;
	f.b1 = tri(config, l->b1_attr);
	f.b2 = tri(config, l->b2_attr);
	r = tfutil_strings(config, l->ids_attr, &f.ids, &f.nids);
	if (r < 0) {
		fw_error(d, l->ids_attr, "Invalid filter", "The list must be known and hold no null element.");
		return r;
	}
	r = provider_call(ctx, &call, d);
	if (r < 0) {
		free(f.ids);
		return r;
	}
	if (out->limit > 0 && out->limit < 100)
		pg.page_size = (unsigned)out->limit;
	while (r == 0 && !pg.done) {
		r = l->read_page(&call, config, &f, &pg, &p);
		if (r < 0) {
			provider_api_error(d, "Cannot list the objects", r, &call, NULL);
			break;
		}
		for (i = 0; r == 0 && i < p.n; i++) {
			const char *item = (const char *)p.items + i * l->size;
			struct cty_value st;

			r = l->state(ctx, item, &st);
			if (r == 0)
				r = fw_list_emit(out, &st, *(char *const *)(const void *)(item + l->display_off));
			cty_value_release(&st);
		}
		l->free_page(&p);
	}
	iam_call_release(&call);
	free(f.ids);
	return r < 0 ? r : 0;
}

/* ---- API keys ---- */

static int key_page(struct iam_call *call, const struct cty_value *config, const struct filters *f,
		    struct iam_pager *pg, struct page *out)
{
	struct iam_api_key_filter kf = {
		.organization_id = f->org,
		.description = fw_get_string(config, "description"),
		.bearer_id = fw_get_string(config, "bearer_id"),
		.bearer_type = fw_get_string(config, "bearer_type"),
		.editable = f->b1,
		.expired = f->b2,
		.access_keys = f->ids,
		.n_access_keys = f->nids,
	};
	struct iam_api_key_list l = { NULL, 0 };
	int r = iam_api_key_list_page(call, &kf, pg, &l);

	out->items = l.items;
	out->n = l.n;
	return r;
}

static void key_free(struct page *p)
{
	struct iam_api_key_list l = { p->items, p->n };

	iam_api_key_list_release(&l);
	p->items = NULL;
	p->n = 0;
}

static int key_state(const struct fw_ctx *ctx, const void *item, struct cty_value *state)
{
	return provider_api_key_state(ctx, item, state);
}

static const struct lister key_lister = {
	"access_keys", "editable", "expired", sizeof(struct iam_api_key), offsetof(struct iam_api_key, access_key),
	key_page,      key_free,   key_state,
};

static int key_list(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_list_out *out,
		    struct fw_diags *d)
{
	return list_run(&key_lister, ctx, config, out, d);
}

/* ---- applications ---- */

static int app_page(struct iam_call *call, const struct cty_value *config, const struct filters *f,
		    struct iam_pager *pg, struct page *out)
{
	struct iam_application_filter af = {
		.organization_id = f->org,
		.name = fw_get_string(config, "name"),
		.tag = fw_get_string(config, "tag"),
		.editable = f->b1,
		.application_ids = f->ids,
		.n_application_ids = f->nids,
	};
	struct iam_application_list l = { NULL, 0 };
	int r = iam_application_list_page(call, &af, pg, &l);

	out->items = l.items;
	out->n = l.n;
	return r;
}

static void app_free(struct page *p)
{
	struct iam_application_list l = { p->items, p->n };

	iam_application_list_release(&l);
	p->items = NULL;
	p->n = 0;
}

static int app_state(const struct fw_ctx *ctx, const void *item, struct cty_value *state)
{
	return iamapp_state(ctx, item, state);
}

static const struct lister app_lister = {
	"application_ids",
	"editable",
	NULL,
	sizeof(struct iam_application),
	offsetof(struct iam_application, name),
	app_page,
	app_free,
	app_state,
};

static int app_list(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_list_out *out,
		    struct fw_diags *d)
{
	return list_run(&app_lister, ctx, config, out, d);
}

/* ---- users ---- */

static int user_page(struct iam_call *call, const struct cty_value *config, const struct filters *f,
		     struct iam_pager *pg, struct page *out)
{
	struct iam_user_filter uf = {
		.organization_id = f->org,
		.tag = fw_get_string(config, "tag"),
		.mfa = f->b1,
		.type = fw_get_string(config, "type"),
		.user_ids = f->ids,
		.n_user_ids = f->nids,
	};
	struct iam_user_list l = { NULL, 0 };
	int r = iam_user_list_page(call, &uf, pg, &l);

	out->items = l.items;
	out->n = l.n;
	return r;
}

static void user_free(struct page *p)
{
	struct iam_user_list l = { p->items, p->n };

	iam_user_list_release(&l);
	p->items = NULL;
	p->n = 0;
}

static int user_state(const struct fw_ctx *ctx, const void *item, struct cty_value *state)
{
	return iamuser_state(ctx, item, state);
}

static const struct lister user_lister = {
	"user_ids", "mfa",     NULL,       sizeof(struct iam_user), offsetof(struct iam_user, email),
	user_page,  user_free, user_state,
};

static int user_list(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_list_out *out,
		     struct fw_diags *d)
{
	return list_run(&user_lister, ctx, config, out, d);
}

/* ---- groups and policies: the principal-id filters are lists besides the lister's one ---- */

/* The id lists of config into f (borrowed strings; free the arrays). */
static int access_filter(const struct cty_value *config, struct iam_access_filter *f)
{
	const char **u = NULL, **g = NULL, **a = NULL;
	int r = tfutil_strings(config, "user_ids", &u, &f->n_user_ids);

	if (r == 0 && cty_object_attr(config, "group_ids"))
		r = tfutil_strings(config, "group_ids", &g, &f->n_group_ids);
	if (r == 0)
		r = tfutil_strings(config, "application_ids", &a, &f->n_application_ids);
	f->user_ids = u;
	f->group_ids = g;
	f->application_ids = a;
	return r;
}

static void access_filter_free(struct iam_access_filter *f)
{
	free((void *)(uintptr_t)f->user_ids);
	free((void *)(uintptr_t)f->group_ids);
	free((void *)(uintptr_t)f->application_ids);
}

static int group_page(struct iam_call *call, const struct cty_value *config, const struct filters *f,
		      struct iam_pager *pg, struct page *out)
{
	struct iam_access_filter af = { .organization_id = f->org,
					.name = fw_get_string(config, "name"),
					.tag = fw_get_string(config, "tag"),
					.editable = -1,
					.no_principal = -1 };
	struct iam_group_list l = { NULL, 0 };
	int r = access_filter(config, &af);

	if (r == 0)
		r = iam_group_list_page(call, &af, pg, &l);
	access_filter_free(&af);
	out->items = l.items;
	out->n = l.n;
	return r;
}

static void group_free(struct page *p)
{
	struct iam_group_list l = { p->items, p->n };

	iam_group_list_release(&l);
	p->items = NULL;
	p->n = 0;
}

static int group_state(const struct fw_ctx *ctx, const void *item, struct cty_value *state)
{
	return iamgroup_state(ctx, item, state);
}

static const struct lister group_lister = {
	"user_ids", NULL,       NULL,        sizeof(struct iam_group), offsetof(struct iam_group, name),
	group_page, group_free, group_state,
};

static int group_list(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_list_out *out,
		      struct fw_diags *d)
{
	return list_run(&group_lister, ctx, config, out, d);
}

static int policy_page(struct iam_call *call, const struct cty_value *config, const struct filters *f,
		       struct iam_pager *pg, struct page *out)
{
	struct iam_access_filter af = { .organization_id = f->org,
					.name = fw_get_string(config, "policy_name"),
					.tag = fw_get_string(config, "tag"),
					.editable = f->b1,
					.no_principal = f->b2 };
	struct iam_policy_list l = { NULL, 0 };
	int r = access_filter(config, &af);

	if (r == 0)
		r = iam_policy_list_page(call, &af, pg, &l);
	access_filter_free(&af);
	out->items = l.items;
	out->n = l.n;
	return r;
}

static void policy_free(struct page *p)
{
	struct iam_policy_list l = { p->items, p->n };

	iam_policy_list_release(&l);
	p->items = NULL;
	p->n = 0;
}

static int policy_state(const struct fw_ctx *ctx, const void *item, struct cty_value *state)
{
	return iampolicy_state(ctx, item, state);
}

static const struct lister policy_lister = {
	"user_ids",  "editable",  "no_principal", sizeof(struct iam_policy), offsetof(struct iam_policy, name),
	policy_page, policy_free, policy_state,
};

static int policy_list(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_list_out *out,
		       struct fw_diags *d)
{
	return list_run(&policy_lister, ctx, config, out, d);
}

const struct fw_list provider_iam_group_list = {
	.type_name = "scaleway_iam_group",
	.description = "Lists the groups of an organization (terraform query).",
	.attrs = group_filters,
	.resource = &iamgroup_resource,
	.list = group_list,
};

const struct fw_list provider_iam_policy_list = {
	.type_name = "scaleway_iam_policy",
	.description = "Lists the policies of an organization (terraform query), each with its rules.",
	.attrs = policy_filters,
	.resource = &iampolicy_resource,
	.list = policy_list,
};

const struct fw_list provider_iam_api_key_list = {
	.type_name = "scaleway_iam_api_key",
	.description = "Lists the API keys of an organization (terraform query).",
	.attrs = key_filters,
	.resource = &provider_iam_api_key,
	.list = key_list,
};

const struct fw_list provider_iam_application_list = {
	.type_name = "scaleway_iam_application",
	.description = "Lists the applications of an organization (terraform query).",
	.attrs = app_filters,
	.resource = &iamapp_resource,
	.list = app_list,
};

const struct fw_list provider_iam_user_list = {
	.type_name = "scaleway_iam_user",
	.description = "Lists the users of an organization (terraform query).",
	.attrs = user_filters,
	.resource = &iamuser_resource,
	.list = user_list,
};
