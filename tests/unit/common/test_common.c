/* SPDX-License-Identifier: MIT */
#include "common/buf.h"
#include "common/err.h"
#include "common/json_esc.h"
#include "common/mem.h"
#include "common/rand.h"
#include "test.h"

TEST(err_names_and_strings)
{
	ASSERT_EQ_STR(err_name(0), "OK");
	ASSERT_EQ_STR(err_name(ERR_NOMEM), "ERR_NOMEM");
	ASSERT_EQ_STR(err_str(ERR_NOTFOUND), "not found");
	ASSERT_EQ_STR(err_name(ERR_INTERNAL), "ERR_INTERNAL");
	ASSERT_EQ_STR(err_name(-1000), "ERR_UNKNOWN");
	ASSERT_EQ_STR(err_name(5), "ERR_UNKNOWN");
	ASSERT(ERR_NOMEM == -1);
}

TEST(buf_cap_is_enforced_and_buffer_unchanged)
{
	struct buf b;

	buf_init(&b, 8);
	ASSERT_EQ_INT(buf_append_str(&b, "12345"), 0);
	ASSERT_EQ_INT(buf_append_str(&b, "6789"), ERR_TOOBIG);
	ASSERT_EQ_STR(b.data, "12345");
	ASSERT_EQ_INT(buf_printf(&b, "%d", 678), 0);
	ASSERT_EQ_STR(b.data, "12345678");
	ASSERT_EQ_INT(buf_append_byte(&b, 'x'), ERR_TOOBIG);
	ASSERT_EQ_UINT(b.len, 8);
	buf_release(&b);
	ASSERT(b.data == NULL);
}

TEST(buf_grows_and_steals)
{
	struct buf b;
	size_t n, i;
	char *p;

	buf_init_secret(&b, 1 << 20);
	for (i = 0; i < 1000; i++)
		ASSERT_EQ_INT(buf_append(&b, "abcdefghij", 10), 0);
	ASSERT_EQ_UINT(b.len, 10000);
	p = buf_steal(&b, &n);
	ASSERT_EQ_UINT(n, 10000);
	ASSERT_EQ_UINT(strlen(p), 10000);
	ASSERT(b.data == NULL && b.len == 0);
	mem_freezero(p, n);
}

TEST(json_escape)
{
	struct buf b;

	buf_init(&b, 1024);
	ASSERT_EQ_INT(json_esc_append(&b, "a\"b\\c\n\x01\xc3\xa9", 9), 0);
	ASSERT_EQ_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
	buf_release(&b);
}

TEST(uuid_v4_format_and_uniqueness)
{
	char a[UUID_STR_LEN + 1], b[UUID_STR_LEN + 1];

	ASSERT_EQ_INT(rand_uuid_v4(a), 0);
	ASSERT_EQ_INT(rand_uuid_v4(b), 0);
	ASSERT(uuid_is_valid(a, strlen(a)));
	ASSERT(a[14] == '4');
	ASSERT(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
	ASSERT(strcmp(a, b) != 0);
	ASSERT(!uuid_is_valid("not-a-uuid", 10));
	ASSERT(!uuid_is_valid("6f5ae037-0000-4000-8000-00000000000g", 36));
	ASSERT(!uuid_is_valid("6f5ae0370000-4000-8000-0000000000000", 36));
	ASSERT(uuid_is_valid("6F5AE037-0000-4000-8000-000000000000", 36));
}

TEST(access_key_alphabet)
{
	char k[ACCESS_KEY_LEN + 1];
	int seen[128] = { 0 };
	int i, j;

	for (i = 0; i < 200; i++) {
		ASSERT_EQ_INT(rand_access_key(k), 0);
		ASSERT(access_key_is_valid(k, strlen(k)));
		for (j = 3; j < ACCESS_KEY_LEN; j++)
			seen[(unsigned char)k[j]]++;
	}
	ASSERT(!seen['I'] && !seen['L'] && !seen['O'] && !seen['U']);
	ASSERT(seen['Z'] > 0 && seen['0'] > 0);
	ASSERT(!access_key_is_valid("SCW123", 6));
	ASSERT(!access_key_is_valid("XCWAAAAAAAAAAAAAAAAA", 20));
	ASSERT(!access_key_is_valid("SCWaaaaaaaaaaaaaaaaa", 20));
}

TEST(constant_time_compare)
{
	ASSERT(mem_ct_eq("abc", "abc", 3));
	ASSERT(!mem_ct_eq("abc", "abd", 3));
}

/* The published FNV-1a 32-bit test vectors. */
TEST(table_hash_is_fnv1a)
{
	ASSERT_EQ_UINT(mem_hash("", 0), 0x811c9dc5u);
	ASSERT_EQ_UINT(mem_hash("a", 1), 0xe40c292cu);
	ASSERT_EQ_UINT(mem_hash("foobar", 6), 0xbf9cf968u);
}

int main(void)
{
	RUN(err_names_and_strings);
	RUN(buf_cap_is_enforced_and_buffer_unchanged);
	RUN(buf_grows_and_steals);
	RUN(json_escape);
	RUN(uuid_v4_format_and_uniqueness);
	RUN(access_key_alphabet);
	RUN(constant_time_compare);
	RUN(table_hash_is_fnv1a);
	return test_done();
}
