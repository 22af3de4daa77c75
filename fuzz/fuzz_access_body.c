/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the request-body parsers of groups, policies and rules (api_parse_access.c). The first
 * byte picks the parser (group create, group update, one member, member lists, policy create,
 * policy update, PUT rules); the rest is the body. Accepted requests must respect the limits and
 * the catalogue; rejected ones must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "server/api_parse_access.h"
#include "server/authz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char org[] = "11111111-2222-4333-8444-555555555555";

static void check_rules(const struct store_rule *rules, size_t n)
{
	size_t i, j;

	if (n > STORE_POLICY_RULES_MAX)
		abort();
	for (i = 0; i < n; i++) {
		const struct store_rule *r = &rules[i];

		if (!r->condition || r->permission_set_names.n == 0 || r->permission_set_names.n > STORE_RULE_SETS_MAX)
			abort();
		if (!r->organization_id[0] == !r->project_ids.n) /* exactly one scope */
			abort();
		if (r->organization_id[0] && strcmp(r->organization_id, org) != 0)
			abort();
		for (j = 0; j < r->permission_set_names.n; j++) {
			const struct iam_permset *s = iam_permset_find(r->permission_set_names.v[j]);

			if (!s || (int)s->scope != (int)r->scope_type)
				abort();
		}
		if (r->scope_type == STORE_SCOPE_ORGANIZATION && !r->organization_id[0])
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_invalid inv = { 0 };
	const char *body = (const char *)data + 1;
	size_t len;
	int r;

	if (size < 1)
		return 0;
	len = size - 1;
	switch (data[0] % 7) {
	case 0: {
		struct api_group_create g;

		r = api_parse_group_create(body, len, &g, &inv);
		if (r == 0 && (!g.name || !g.name[0] || !g.description))
			abort();
		if (r == 0)
			api_group_create_release(&g);
		break;
	}
	case 1: {
		struct api_group_update g;

		r = api_parse_group_update(body, len, &g, &inv);
		if (r == 0)
			api_group_update_release(&g);
		break;
	}
	case 2:
	case 3: {
		struct api_members m;

		r = api_parse_members(body, len, data[0] % 7 == 2, &m, &inv);
		if (r == 0 && data[0] % 7 == 2 && m.users.n + m.apps.n != 1)
			abort();
		if (r == 0 && (m.users.n > STORE_GROUP_MEMBERS_MAX || m.apps.n > STORE_GROUP_MEMBERS_MAX))
			abort();
		if (r == 0)
			api_members_release(&m);
		break;
	}
	case 4:
	case 5: {
		struct api_policy p;

		r = api_parse_policy(body, len, data[0] % 7 == 4, org, &p, &inv);
		if (r == 0) {
			check_rules(p.rules, p.n_rules);
			if (p.set_principal && p.principal_type != STORE_PRINCIPAL_NONE && !p.principal_id[0])
				abort();
			api_policy_release(&p);
		}
		break;
	}
	default: {
		struct api_rules_set s;

		r = api_parse_rules_set(body, len, org, &s, &inv);
		if (r == 0) {
			check_rules(s.rules, s.n_rules);
			api_rules_set_release(&s);
		}
	}
	}
	if (r == ERR_INVAL && inv.n == 0)
		abort();
	if (r != 0 && r != ERR_INVAL && r != ERR_NOMEM)
		abort();
	return 0;
}
