/* SPDX-License-Identifier: MIT */
/*
 * api_parse_access: request bodies and query strings of the groups, policies, rules and
 * permission-sets endpoints, validated like the others (api_parse.h): every bad argument named,
 * protojson conventions. Rules are checked against the permission-set catalogue (authz.h):
 * known names, one scope type per rule, organization_id XOR project_ids, organization-level
 * sets only on the organization, the rule's organization_id equal to the policy's.
 */
#ifndef SERVER_API_PARSE_ACCESS_H
#define SERVER_API_PARSE_ACCESS_H
#include "server/api_parse.h"

#define API_GROUP_NAME_MAX 64
#define API_POLICY_NAME_MAX 64

struct api_group_create {
	char *name, *description;
	char organization_id[STORE_ID_LEN + 1]; /* "" when not given */
	struct store_tags tags;
};

struct api_group_update {
	char *name, *description; /* NULL: unchanged */
	int set_tags;
	struct store_tags tags;
};

struct api_members {
	struct store_tags users, apps;
};

struct api_policy {
	char *name, *description;               /* update: NULL = unchanged */
	char organization_id[STORE_ID_LEN + 1]; /* create: "" when not given */
	int set_tags;
	struct store_tags tags;
	int set_principal; /* a principal (or no_principal: true) was given */
	enum store_principal principal_type;
	char principal_id[STORE_ID_LEN + 1];
	struct store_rule *rules; /* create */
	size_t n_rules;
};

struct api_rules_set {
	char policy_id[STORE_ID_LEN + 1];
	struct store_rule *rules;
	size_t n_rules;
};

int api_parse_group_create(const char *body, size_t len, struct api_group_create *out, struct api_invalid *inv);
int api_parse_group_update(const char *body, size_t len, struct api_group_update *out, struct api_invalid *inv);
/* single: {"user_id"} XOR {"application_id"} (add-member, remove-member); else
 * {"user_ids":[...], "application_ids":[...]} (PUT members, add-members). */
int api_parse_members(const char *body, size_t len, int single, struct api_members *out, struct api_invalid *inv);
/* org: the policy's organization (rules scoped to another are refused). create: rules and
 * name required. */
int api_parse_policy(const char *body, size_t len, int create, const char *org, struct api_policy *out,
		     struct api_invalid *inv);
int api_parse_rules_set(const char *body, size_t len, const char *org, struct api_rules_set *out,
			struct api_invalid *inv);

void api_group_create_release(struct api_group_create *r);
void api_group_update_release(struct api_group_update *r);
void api_members_release(struct api_members *r);
void api_policy_release(struct api_policy *r);
void api_rules_set_release(struct api_rules_set *r);
void api_rules_release(struct store_rule *rules, size_t n);

struct api_group_query {
	struct store_group_filter f;
	char org[STORE_ID_LEN + 1];
	char users[API_MAX_REPEAT][STORE_ID_LEN + 1], apps[API_MAX_REPEAT][STORE_ID_LEN + 1];
	char ids[API_MAX_REPEAT][STORE_ID_LEN + 1];
	const char *user_ptrs[API_MAX_REPEAT], *app_ptrs[API_MAX_REPEAT], *id_ptrs[API_MAX_REPEAT];
};

struct api_policy_query {
	struct store_policy_filter f;
	char org[STORE_ID_LEN + 1];
	char users[API_MAX_REPEAT][STORE_ID_LEN + 1], groups[API_MAX_REPEAT][STORE_ID_LEN + 1];
	char apps[API_MAX_REPEAT][STORE_ID_LEN + 1], ids[API_MAX_REPEAT][STORE_ID_LEN + 1];
	const char *user_ptrs[API_MAX_REPEAT], *group_ptrs[API_MAX_REPEAT], *app_ptrs[API_MAX_REPEAT];
	const char *id_ptrs[API_MAX_REPEAT];
};

/* GET /rules (policy_id required) and GET /permission-sets. */
struct api_page_query {
	struct store_page page;
	char id[STORE_ID_LEN + 1];  /* rules: policy_id */
	char org[STORE_ID_LEN + 1]; /* permission sets: organization_id ("" when absent) */
};

int api_parse_group_query(const struct api_qparam *q, size_t n, struct api_group_query *out, struct api_invalid *inv);
int api_parse_policy_query(const struct api_qparam *q, size_t n, struct api_policy_query *out, struct api_invalid *inv);
int api_parse_rule_query(const struct api_qparam *q, size_t n, struct api_page_query *out, struct api_invalid *inv);
int api_parse_pset_query(const struct api_qparam *q, size_t n, struct api_page_query *out, struct api_invalid *inv);

#endif
