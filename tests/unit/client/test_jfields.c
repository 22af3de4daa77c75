/* SPDX-License-Identifier: MIT */
/* Unit tests of jfields: API objects decoded through field tables (client/jfields.h). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/jfields.h"
#include "common/err.h"
#include "test.h"

struct obj {
	char *id, *secret;
	int flag;
	uint32_t count;
	char **list;
	size_t nlist;
};

static const struct jfield fields[] = {
	JF_S(obj, id),          { "secret", JF_SECRET, offsetof(struct obj, secret), 0 },
	JF_B(obj, flag),        JF_U(obj, count),
	JF_A(obj, list, nlist),
};

static int decode(const char *text, struct obj *o)
{
	json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
	int r = jfields_decode(fields, JF_N(fields), sizeof(*o), j, o);

	json_decref(j);
	return r;
}

TEST(every_kind_decodes_and_releases)
{
	struct obj o;

	ASSERT_EQ_INT(
		decode("{\"id\":\"a\",\"secret\":\"s\",\"flag\":true,\"count\":7,\"list\":[\"x\",\"y\"],\"other\":1}",
		       &o),
		0);
	ASSERT_EQ_STR(o.id, "a");
	ASSERT_EQ_STR(o.secret, "s");
	ASSERT_EQ_INT(o.flag, 1);
	ASSERT_EQ_UINT(o.count, 7);
	ASSERT_EQ_UINT(o.nlist, 2);
	ASSERT_EQ_STR(o.list[1], "y");
	ASSERT(o.list[2] == NULL); /* NULL-terminated */
	jfields_release(fields, JF_N(fields), sizeof(o), &o);
	ASSERT(o.id == NULL && o.list == NULL && o.nlist == 0);
}

TEST(missing_and_null_members_stay_zero)
{
	struct obj o;

	ASSERT_EQ_INT(decode("{\"id\":null,\"list\":[]}", &o), 0);
	ASSERT(o.id == NULL && o.secret == NULL && o.flag == 0 && o.count == 0 && o.nlist == 0);
	jfields_release(fields, JF_N(fields), sizeof(o), &o);
}

TEST(wrong_types_are_protocol_errors_and_leave_nothing)
{
	static const char *bad[] = {
		"[]",
		"{\"id\":1}",
		"{\"flag\":\"true\"}",
		"{\"count\":-1}",
		"{\"count\":4294967296}",
		"{\"count\":\"7\"}",
		"{\"list\":\"x\"}",
		"{\"id\":\"a\",\"list\":[\"x\",2]}",
	};
	struct obj o;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (decode(bad[i], &o) != ERR_PROTO)
			TEST_FAIL_("accepted %s", bad[i]);
		/* released on failure: every member zero again */
		ASSERT(o.id == NULL && o.list == NULL && o.nlist == 0 && o.count == 0);
	}
}

int main(void)
{
	RUN(every_kind_decodes_and_releases);
	RUN(missing_and_null_members_stay_zero);
	RUN(wrong_types_are_protocol_errors_and_leave_nothing);
	return test_done();
}
