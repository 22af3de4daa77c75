/* SPDX-License-Identifier: MIT */
/*
 * store_access: the authorization half of the storage interface (included by store.h): groups
 * and their members, policies and their rules, and the one read that authorization needs (the
 * rules that apply to a bearer). Same conventions as store.h: records own their strings, every
 * write is one transaction that first locks its organization's row, ERR_NOTFOUND /
 * ERR_QUOTA / ERR_EXISTS fill struct store_detail.
 *
 * Rules kept here (access.c), on every engine:
 *   - group names are unique in an organization (ERR_EXISTS, detail "name");
 *   - quotas: groups and policies per organization (ERR_QUOTA, detail "groups" / "policies");
 *   - members must be users / applications of the group's organization (ERR_NOTFOUND, detail
 *     "user" / "application"); a group holds at most STORE_GROUP_MEMBERS_MAX members; lists keep
 *     the order given; removing a non-member is ERR_NOTFOUND (detail "" and the member's id);
 *   - a policy's principal must exist in its organization (ERR_NOTFOUND, detail "user",
 *     "group" or "application");
 *   - deleting a user or an application removes it from every group and orphans the policies
 *     naming it (no principal); deleting a group orphans its policies; deleting a policy deletes
 *     its rules (cascades in rules.c and access.c);
 *   - nb_rules, nb_scopes and nb_permission_sets are computed from the rules at every write.
 */
#ifndef STORE_STORE_ACCESS_H
#define STORE_STORE_ACCESS_H
#include <stddef.h>
#include <stdint.h>

#define STORE_GROUP_MEMBERS_MAX 1000
#define STORE_POLICY_RULES_MAX 100
#define STORE_RULE_SETS_MAX 100
#define STORE_RULE_PROJECTS_MAX 100

enum store_principal {
	STORE_PRINCIPAL_NONE = 0,
	STORE_PRINCIPAL_USER,
	STORE_PRINCIPAL_GROUP,
	STORE_PRINCIPAL_APPLICATION,
};

/* permission_sets_scope_type (a property of the sets, not of the rule's scope). */
enum store_scope_type {
	STORE_SCOPE_UNKNOWN = 0,
	STORE_SCOPE_PROJECTS,
	STORE_SCOPE_ORGANIZATION,
	STORE_SCOPE_ROOT_USER,
};

struct store_group {
	char id[STORE_ID_LEN + 1];
	struct tstamp created_at, updated_at;
	char organization_id[STORE_ID_LEN + 1];
	char *name, *description;
	struct store_tags user_ids, application_ids; /* in the order given */
	struct store_tags tags;
	int editable, deletable, managed;
};

struct store_policy {
	char id[STORE_ID_LEN + 1];
	char *name, *description;
	char organization_id[STORE_ID_LEN + 1];
	struct tstamp created_at, updated_at;
	int editable, deletable, managed;
	uint32_t nb_rules, nb_scopes, nb_permission_sets; /* computed by the store */
	struct store_tags tags;
	enum store_principal principal_type;
	char principal_id[STORE_ID_LEN + 1]; /* "" for STORE_PRINCIPAL_NONE */
};

/* A rule: scoped to organization_id (non-empty) or else to project_ids. */
struct store_rule {
	char id[STORE_ID_LEN + 1];
	char policy_id[STORE_ID_LEN + 1]; /* filled by the store */
	uint32_t pos;                     /* filled by the store: order of the rule in its policy */
	struct store_tags permission_set_names;
	enum store_scope_type scope_type;
	char *condition; /* "" when none; kept verbatim */
	char organization_id[STORE_ID_LEN + 1];
	struct store_tags project_ids;
};

struct store_group_list {
	struct store_group *v;
	size_t n;
	uint32_t total;
};
struct store_policy_list {
	struct store_policy *v;
	size_t n;
	uint32_t total;
};
struct store_rule_list {
	struct store_rule *v;
	size_t n;
	uint32_t total;
};

struct store_group_filter {
	const char *organization_id; /* required */
	const char *name;            /* exact */
	const char *tag;
	const char *const *user_ids, *const *application_ids, *const *ids; /* groups holding any / with these ids */
	size_t n_user_ids, n_application_ids, n_ids;
	struct store_page page;
};

struct store_policy_filter {
	const char *organization_id; /* required */
	const char *name;            /* exact */
	const char *tag;
	int editable, no_principal; /* -1, 0, 1 */
	/* principal in any of these (the three lists are one OR) */
	const char *const *user_ids, *const *group_ids, *const *application_ids, *const *ids;
	size_t n_user_ids, n_group_ids, n_application_ids, n_ids;
	struct store_page page;
};

struct store_group_patch {
	const char *name, *description;
	int set_tags;
	struct store_tags tags;
	struct tstamp now;
};

enum store_members_op { STORE_MEMBERS_SET, STORE_MEMBERS_ADD, STORE_MEMBERS_REMOVE };

struct store_policy_patch {
	const char *name, *description;
	int set_tags;
	struct store_tags tags;
	int set_principal; /* move the policy to principal_type / principal_id (NONE: orphan it) */
	enum store_principal principal_type;
	const char *principal_id;
	struct tstamp now;
};

/* quota: maximum number of groups (policies) of the organization, 0 = unlimited. */
int store_group_create(struct store *s, const struct store_group *g, uint32_t quota, struct store_detail *d);
int store_group_get(struct store *s, const char *org, const char *id, struct store_group *out);
int store_group_update(struct store *s, const char *org, const char *id, const struct store_group_patch *p,
		       struct store_group *out, struct store_detail *d);
/* Change the members of a group: SET replaces both lists, ADD appends the ones absent, REMOVE
 * removes them (each must be a member). */
int store_group_members(struct store *s, const char *org, const char *id, enum store_members_op op,
			const struct store_tags *users, const struct store_tags *apps, struct store_group *out,
			struct store_detail *d);
int store_group_delete(struct store *s, const char *org, const char *id);
int store_group_list(struct store *s, const struct store_group_filter *f, struct store_group_list *out);

/* p->nb_* are computed; rules get their ids from the caller. */
int store_policy_create(struct store *s, struct store_policy *p, const struct store_rule *rules, size_t n,
			uint32_t quota, struct store_detail *d);
int store_policy_get(struct store *s, const char *org, const char *id, struct store_policy *out);
int store_policy_update(struct store *s, const char *org, const char *id, const struct store_policy_patch *p,
			struct store_policy *out, struct store_detail *d);
int store_policy_delete(struct store *s, const char *org, const char *id);
/* Copy of policy id as new_id: "Copy of <name>", no principal, no tags, the rules copied with
 * new ids (rule_ids: n_rule_ids fresh UUIDs, at least the policy's number of rules). */
int store_policy_clone(struct store *s, const char *org, const char *id, const char *new_id,
		       const char (*rule_ids)[STORE_ID_LEN + 1], size_t n_rule_ids, struct tstamp now, uint32_t quota,
		       struct store_policy *out, struct store_detail *d);
int store_policy_list(struct store *s, const struct store_policy_filter *f, struct store_policy_list *out);
/* Replace every rule of a policy (new ids from the caller); out receives them in order. */
int store_rules_set(struct store *s, const char *org, const char *policy_id, const struct store_rule *rules, size_t n,
		    struct tstamp now, struct store_rule_list *out);
/* Rules of a policy in stored order, a page of them (ERR_NOTFOUND: no such policy in org). */
int store_rule_list(struct store *s, const char *org, const char *policy_id, const struct store_page *pg,
		    struct store_rule_list *out);

/* One rule that applies to a bearer: its permission sets (the stored JSON array of names, as
 * written by the store from validated names: ["IAMReadOnly","IAMManager"]) and its condition. */
struct store_grant {
	char *sets_json;
	char *condition;
};
struct store_grant_list {
	struct store_grant *v;
	size_t n;
};
/* Every organization-scoped rule of org of a policy naming the bearer directly or naming a
 * group it belongs to. Read in the caller's read snapshot when one is open. */
int store_grants(struct store *s, const char *org, enum store_bearer type, const char *bearer_id,
		 struct store_grant_list *out);
void store_grant_list_release(struct store_grant_list *l);

void store_group_release(struct store_group *g);
void store_policy_release(struct store_policy *p);
void store_rule_release(struct store_rule *r);
void store_group_list_release(struct store_group_list *l);
void store_policy_list_release(struct store_policy_list *l);
void store_rule_list_release(struct store_rule_list *l);

#endif
