/* SPDX-License-Identifier: MIT */
/* Policy conditions (authz_cond.c): the documented subset evaluates, anything else fails closed;
 * the permission-set catalogue is sorted and its ids stable. */
#include <string.h>

#include "common/err.h"
#include "common/rand.h"
#include "server/authz.h"
#include "test.h"

static const struct authz_env env = { "192.0.2.7",
				      "terraform-test",
				      { 1781107960, 0 } }; /* 2026-06-10T16:12:40Z, a Wednesday */

TEST(conditions_hold_or_not)
{
	static const struct {
		const char *cond;
		int want;
	} cases[] = {
		{ "", 1 },
		{ "   ", 1 },
		{ "1 == 1", 1 },
		{ "1 == 2", 0 },
		{ "request.user_agent == 'terraform-test'", 1 },
		{ "request.user_agent == \"curl\"", 0 },
		{ "request.user_agent != 'curl' && request.ip == '192.0.2.7'", 1 },
		{ "inIpRange(request.ip, '192.0.2.0/24')", 1 },
		{ "inIpRange(request.ip, '192.0.3.0/24')", 0 },
		{ "inIpRange(request.ip, '2001:db8::/32')", 0 },
		{ "request.time < timestamp('2030-01-01T00:00:00Z')", 1 },
		{ "request.time >= timestamp('2030-01-01T00:00:00Z')", 0 },
		{ "request.time.getFullYear() == 2026 && request.time.getMonth() == 5 && request.time.getDate() == 10",
		  1 },
		{ "request.time.getDayOfWeek() == 3 && request.time.getHours('UTC') == 16", 1 },
		{ "request.time.getMinutes() == 12 && request.time.getSeconds() == 40 && request.time.getDayOfMonth() == 9",
		  1 },
		{ "!(1 == 1) || (2 > 1 && 'b' > 'a')", 1 },
		{ "request.user_agent.startsWith('terra') && request.user_agent.endsWith('test')", 1 },
		{ "request.user_agent.contains('nope')", 0 },
		{ "true", 1 },
		{ "false || false", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = authz_cond_eval(cases[i].cond, &env);

		if (r != cases[i].want)
			printf("# %s -> %d\n", cases[i].cond, r);
		ASSERT_EQ_INT(r, cases[i].want);
	}
}

TEST(anything_else_fails_closed)
{
	static const char *const bad[] = {
		"request.nope == 1",
		"1 ==",
		"(1 == 1",
		"1 == 1)",
		"'unterminated",
		"1 == 'a'",
		"1 < true",
		"request.time.getHours('Europe/Paris') > 0",
		"inIpRange(request.ip, 'garbage')",
		"timestamp('yesterday') < request.time",
		"1",
		"'a'",
		"1 == 1 ; drop",
		"unknown(1)",
		"request.ip.nope('x')",
		"1 && 1",
		"!1",
		"99999999999999999999999 == 1",
	};
	char deep[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (authz_cond_eval(bad[i], &env) >= 0)
			printf("# %s was not refused\n", bad[i]);
		ASSERT(authz_cond_eval(bad[i], &env) < 0);
	}
	memset(deep, '(', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	ASSERT(authz_cond_eval(deep, &env) < 0); /* nesting is bounded */
}

TEST(catalogue_sorted_with_stable_ids)
{
	char a[UUID_STR_LEN + 1], b[UUID_STR_LEN + 1];
	size_t i;

	for (i = 1; i < iam_npermsets; i++)
		ASSERT(strcmp(iam_permsets[i - 1].name, iam_permsets[i].name) < 0);
	ASSERT(iam_permset_find("IAMReadOnly") != NULL);
	ASSERT_EQ_INT((int)iam_permset_find("IAMReadOnly")->scope, STORE_SCOPE_ORGANIZATION);
	ASSERT_EQ_INT((int)iam_permset_find("AllProductsFullAccess")->scope, STORE_SCOPE_PROJECTS);
	ASSERT(iam_permset_find("iamreadonly") == NULL);
	iam_permset_id(iam_permset_find("IAMManager"), a);
	iam_permset_id(iam_permset_find("IAMManager"), b);
	ASSERT_EQ_STR(a, b);
	ASSERT(uuid_is_valid(a, strlen(a)));
	iam_permset_id(iam_permset_find("IAMReadOnly"), b);
	ASSERT(strcmp(a, b) != 0);
}

int main(void)
{
	RUN(conditions_hold_or_not);
	RUN(anything_else_fails_closed);
	RUN(catalogue_sorted_with_stable_ids);
	return test_done();
}
