/* SPDX-License-Identifier: MIT */
/*
 * cty values wipe their strings on release (a string may be a secret key or a password): plain
 * strings, copies, strings nested in objects and lists, and strings decoded from msgpack. A
 * wipe observer (mem_set_wipe_observer) sees each range just before it is cleared.
 */
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "test.h"
#include "tfplugin/cty.h"

#define MARK "3c9a7e5f-1d2b-4a8c-b6e4-f0a1c2d3e4f5"

static int seen_mark, wipes;

static void observe(const void *p, size_t n, void *ud)
{
	(void)ud;
	wipes++;
	if (n >= strlen(MARK) && memmem(p, n, MARK, strlen(MARK)))
		seen_mark++;
}

static void watch(void)
{
	seen_mark = wipes = 0;
	mem_set_wipe_observer(observe, NULL);
}

static void unwatch(void)
{
	mem_set_wipe_observer(NULL, NULL);
}

TEST(string_release_wipes)
{
	struct cty_value v, c;

	cty_value_null(&v, &cty_string);
	ASSERT_EQ_INT(cty_value_string(&v, MARK, strlen(MARK)), 0);
	ASSERT_EQ_INT(cty_value_copy(&c, &v), 0);
	watch();
	cty_value_release(&v);
	cty_value_release(&c);
	unwatch();
	ASSERT_EQ_INT(seen_mark, 2);
}

TEST(non_string_values_do_not_wipe)
{
	struct cty_value v;

	cty_value_null(&v, &cty_bool);
	cty_value_bool(&v, 1);
	watch();
	cty_value_release(&v);
	unwatch();
	ASSERT_EQ_INT(wipes, 0);
}

TEST(msgpack_decoded_nested_strings_are_wiped)
{
	struct cty_type *t = NULL;
	struct cty_value v, back;
	struct buf enc;
	const char *why = NULL;
	const char *tj = "[\"object\",{\"secret_key\":\"string\",\"tags\":[\"list\",\"string\"]}]";

	ASSERT_EQ_INT(cty_type_from_json(tj, strlen(tj), &t), 0);
	buf_init_secret(&enc, 4096);
	/* fixmap(2) "secret_key" str(MARK) "tags" fixarray(1) str(MARK) */
	ASSERT_EQ_INT(buf_append(&enc,
				 "\x82\xaa"
				 "secret_key\xd9\x24" MARK "\xa4tags\x91\xd9\x24" MARK,
				 1 + 1 + 10 + 2 + 36 + 1 + 4 + 1 + 2 + 36),
		      0);
	ASSERT_EQ_INT(cty_msgpack_decode((const uint8_t *)enc.data, enc.len, t, &v, &why), 0);
	ASSERT_EQ_INT(cty_value_copy(&back, &v), 0);
	watch();
	cty_value_release(&v);
	unwatch();
	ASSERT_EQ_INT(seen_mark, 2); /* the attribute and the list element */
	watch();
	buf_release(&enc);
	cty_value_release(&back);
	unwatch();
	ASSERT_EQ_INT(seen_mark, 3); /* the encoded bytes, and both strings of the copy */
	cty_type_free(t);
}

int main(void)
{
	RUN(string_release_wipes);
	RUN(non_string_values_do_not_wipe);
	RUN(msgpack_decoded_nested_strings_are_wiped);
	return test_done();
}
