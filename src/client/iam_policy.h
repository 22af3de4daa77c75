/* SPDX-License-Identifier: MIT */
/*
 * iam_policy: typed calls for IAM policies and their rules (POST/GET/PATCH/DELETE policies,
 * GET/PUT rules), same conventions as client/iam.h: request structs borrowed, results released
 * with the *_release() functions, API errors in call->err. Rule lists read every page.
 */
#ifndef CLIENT_IAM_POLICY_H
#define CLIENT_IAM_POLICY_H
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
	int set_tags;                                      /* update: 1 = replace */
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

#endif
