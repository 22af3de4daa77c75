/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the policy-condition evaluator (authz_cond.c): any text must give 1, 0 or an error, never
 * a crash, a hang or unbounded recursion, and the same answer twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/authz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authz_env env = { "192.0.2.7", "terraform-test", { 1781107960, 123000000 } };
	char *s = malloc(size + 1);
	int a, b;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	a = authz_cond_eval(s, &env);
	b = authz_cond_eval(s, &env);
	if (a != b || a > 1)
		abort();
	free(s);
	return 0;
}
