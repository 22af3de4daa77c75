/* SPDX-License-Identifier: MIT */
/*
 * iam_access: typed calls for IAM policies and their rules, and groups (POST/GET/PATCH/DELETE policies,
 * GET/PUT rules), same conventions as client/iam.h: request structs borrowed, results released
 * with the *_release() functions, API errors in call->err. Rule lists read every page.
 */
#ifndef CLIENT_IAM_ACCESS_H
#define CLIENT_IAM_ACCESS_H
#include <stddef.h>
#include <stdint.h>

#include "client/iam.h"

struct iam_rule {
	char *id;
	char **permission_set_names;
	size_t nsets;
	char *permission_sets_scope_type;
	char *condition;       /* "" when none */
	char *organization_id; /* exactly one of organization_id / project_ids (nprojects > 0) */
	char **project_ids;
	size_t nprojects;
};

struct iam_policy {
	char *id, *name, *description, *organization_id, *created_at, *updated_at;
	int editable, deletable, managed;
	uint32_t nb_rules, nb_scopes, nb_permission_sets;
	char **tags;
	size_t ntags;
	char *user_id, *group_id, *application_id; /* at most one; none: no principal */
	int no_principal;
};

/* A rule to send. */
struct iam_rule_spec {
	const char *const *permission_set_names;
	size_t nsets;
	const char *condition;       /* NULL: none */
	const char *organization_id; /* exactly one of the two */
	const char *const *project_ids;
	size_t nprojects;
};

struct iam_policy_write {
	const char *name, *description, *organization_id; /* update: NULL = unchanged */
	int set_tags;                                     /* update: 1 = replace */
	const char *const *tags;
	size_t ntags;
	/* principal: create always sends one; update only when set_principal */
	int set_principal;
	const char *user_id, *group_id, *application_id; /* all NULL: no_principal */
	const struct iam_rule_spec *rules;               /* create only */
	size_t nrules;
};

void iam_policy_release(struct iam_policy *p);
void iam_rules_release(struct iam_rule *rules, size_t n);
int iam_policy_create(struct iam_call *call, const struct iam_policy_write *in, struct iam_policy *out);
int iam_policy_get(struct iam_call *call, const char *id, struct iam_policy *out);
int iam_policy_update(struct iam_call *call, const char *id, const struct iam_policy_write *in, struct iam_policy *out);
/* ERR_NOTFOUND when absent. */
int iam_policy_delete(struct iam_call *call, const char *id);
/* Every rule of a policy, in order (every page). */
int iam_rules_list(struct iam_call *call, const char *policy_id, struct iam_rule **out, size_t *n);
int iam_rules_set(struct iam_call *call, const char *policy_id, const struct iam_rule_spec *rules, size_t n);

/* ---- groups ---- */

struct iam_group {
	char *id, *created_at, *updated_at, *organization_id, *name, *description;
	char **user_ids, **application_ids, **tags;
	size_t nusers, napps, ntags;
	int editable, deletable, managed;
};

struct iam_group_write {
	const char *name, *description, *organization_id; /* update: NULL = unchanged */
	int set_tags;                                     /* update: 1 = replace */
	const char *const *tags;
	size_t ntags;
};

void iam_group_release(struct iam_group *g);
int iam_group_create(struct iam_call *call, const struct iam_group_write *in, struct iam_group *out);
int iam_group_get(struct iam_call *call, const char *id, struct iam_group *out);
int iam_group_update(struct iam_call *call, const char *id, const struct iam_group_write *in, struct iam_group *out);
/* ERR_NOTFOUND when absent. */
int iam_group_delete(struct iam_call *call, const char *id);
/* PUT members: both lists replaced. out may be NULL. */
int iam_group_set_members(struct iam_call *call, const char *id, const char *const *users, size_t nusers,
			  const char *const *apps, size_t napps, struct iam_group *out);
/* add-member / remove-member of one user (user_id) or one application (app_id). */
int iam_group_add_member(struct iam_call *call, const char *id, const char *user_id, const char *app_id);
int iam_group_remove_member(struct iam_call *call, const char *id, const char *user_id, const char *app_id);
/* The groups of org named exactly name (first page of 100; names are unique). */
int iam_group_find(struct iam_call *call, const char *org, const char *name, struct iam_group *out);

/* ---- lists (lazily, one page per call: see struct iam_pager in iam.h) ---- */

struct iam_access_filter { /* NULL / -1 / 0-length members do not filter */
	const char *organization_id;
	const char *name; /* groups: name; policies: policy_name (exact on scw-iamd) */
	const char *tag;
	int editable, no_principal; /* policies */
	const char *const *user_ids, *const *group_ids, *const *application_ids, *const *ids;
	size_t n_user_ids, n_group_ids, n_application_ids, n_ids;
};

struct iam_group_list {
	struct iam_group *items;
	size_t n;
};
struct iam_policy_list {
	struct iam_policy *items;
	size_t n;
};

int iam_group_list_page(struct iam_call *call, const struct iam_access_filter *f, struct iam_pager *pg,
			struct iam_group_list *out);
int iam_policy_list_page(struct iam_call *call, const struct iam_access_filter *f, struct iam_pager *pg,
			 struct iam_policy_list *out);
void iam_group_list_release(struct iam_group_list *l);
void iam_policy_list_release(struct iam_policy_list *l);

#endif
