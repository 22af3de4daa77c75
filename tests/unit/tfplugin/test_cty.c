/* SPDX-License-Identifier: MIT */
/* Unit tests of the cty value model: type specs, exact numbers, msgpack and JSON codecs. */
#include <stdlib.h>

#include "common/err.h"
#include "common/mem.h"
#include "test.h"
#include "tfplugin/cty.h"

static struct cty_type *type_of(const char *json)
{
	struct cty_type *t = NULL;

	if (cty_type_from_json(json, strlen(json), &t) != 0)
		return NULL;
	return t;
}

/* Decode bytes under a type given as JSON; returns the decoder's code. */
static int dec(const char *tjson, const char *p, size_t n, struct cty_type **t, struct cty_value *v)
{
	*t = type_of(tjson);
	if (!*t)
		return ERR_INVAL;
	return cty_msgpack_decode((const uint8_t *)p, n, *t, v, NULL);
}

static void drop(struct cty_type *t, struct cty_value *v)
{
	cty_value_release(v);
	cty_type_free(t);
}

/* Decode a one-attribute object {"n": number} whose value is the given msgpack. */
static int num_case(const char *val, size_t n, const char *want)
{
	char in[64];
	struct cty_type *t;
	struct cty_value v;
	int ok;

	memcpy(in, "\x81\xa1n", 3);
	memcpy(in + 3, val, n);
	if (dec("[\"object\",{\"n\":\"number\"}]", in, 3 + n, &t, &v) != 0) {
		drop(t, &v);
		return 0;
	}
	ok = v.items[0].st == CTY_KNOWN && strcmp(v.items[0].s, want) == 0;
	if (!ok)
		printf("# got %s want %s\n", v.items[0].s ? v.items[0].s : "(null)", want);
	drop(t, &v);
	return ok;
}

TEST(type_spec_roundtrip_sorts_attributes_and_keeps_optional)
{
	const char *in =
		"[\"object\",{\"b\":\"string\",\"a\":[\"list\",\"number\"],\"c\":[\"tuple\",[\"bool\",\"dynamic\"]],"
		"\"d\":[\"map\",[\"set\",\"string\"]]},[\"a\"]]";
	struct cty_type *t = type_of(in), *c;
	struct buf b;

	ASSERT(t);
	buf_init(&b, 4096);
	ASSERT_EQ_INT(cty_type_to_json(t, &b), 0);
	ASSERT_EQ_STR(
		b.data,
		"[\"object\",{\"a\":[\"list\",\"number\"],\"b\":\"string\",\"c\":[\"tuple\",[\"bool\",\"dynamic\"]],"
		"\"d\":[\"map\",[\"set\",\"string\"]]},[\"a\"]]");
	c = cty_type_copy(t);
	ASSERT(c && cty_type_equal(t, c));
	ASSERT_EQ_INT(cty_type_attr_index(t, "c"), 2);
	ASSERT_EQ_INT(cty_type_attr_index(t, "zz"), -1);
	buf_release(&b);
	cty_type_free(c);
	cty_type_free(t);
}

TEST(type_spec_rejects_malformed)
{
	static const char *bad[] = {
		"\"strin\"",
		"[\"list\"]",
		"[\"list\",\"string\",1]",
		"[\"object\",{\"a\":\"string\"},[\"z\"]]",
		"[\"object\",{\"a\":\"string\",\"a\":\"bool\"}]",
		"[\"tuple\",\"string\"]",
		"42",
		"[\"map\",[\"list\"]]",
		"[\"object\",[]]",
		"",
	};
	size_t i;
	struct cty_type *t;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = (struct cty_type *)1;
		if (cty_type_from_json(bad[i], strlen(bad[i]), &t) == 0)
			TEST_FAIL_("accepted %s", bad[i]);
		ASSERT(t == NULL);
	}
}

TEST(number_text_is_canonical_and_exact)
{
	static const char *cases[][2] = {
		{ "1e3", "1000" },
		{ "0.50", "0.5" },
		{ "-0", "0" },
		{ "-0.000", "0" },
		{ "1.5e-7", "0.00000015" },
		{ "123456789012345678901234567890", "123456789012345678901234567890" },
		{ "1e100", "1e100" },
		{ "0001", "1" },
		{ "1E+2", "100" },
		{ "-12.340e1", "-123.4" },
		{ "+7", "7" },
		{ "0.1234567890123456789012345", "0.1234567890123456789012345" },
		{ "1e-30", "1e-30" },
		{ "-Inf", "-Inf" },
		{ "2.5E-1", "0.25" },
	};
	static const char *bad[] = { ".", "1e", "abc", "1.2.3", "--1", "1e+", "", "0x10", "1 " };
	struct buf b;
	size_t i;

	buf_init(&b, 1024);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		ASSERT_EQ_INT(cty_number_canon(cases[i][0], strlen(cases[i][0]), &b), 0);
		ASSERT_EQ_STR(b.data, cases[i][1]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&b);
		if (cty_number_canon(bad[i], strlen(bad[i]), &b) != ERR_PARSE)
			TEST_FAIL_("accepted number \"%s\"", bad[i]);
	}
	buf_reset(&b);
	ASSERT_EQ_INT(cty_number_canon("1e99999999", 10, &b), ERR_RANGE);
	buf_release(&b);
}

/* Found by fuzz_cty_json: a number whose canonical text outgrew the decoders' limit was accepted
 * from JSON and then refused by the msgpack decoder. */
TEST(number_canonical_text_stays_within_the_decoders_limit)
{
	char s[CTY_MAX_NUMBER_TEXT];
	struct cty_value v;
	static const char ts[] = "[\"object\",{\"n\":\"number\"}]";
	struct cty_type *t = NULL;
	char json[CTY_MAX_NUMBER_TEXT + 16];

	memset(s, '2', sizeof(s));
	s[0] = '5';
	memcpy(s + sizeof(s) - 3, "e03", 3); /* 512 characters, longer once canonical (5.22...2e...) */
	ASSERT_EQ_INT(cty_value_number_text(&v, s, sizeof(s)), ERR_TOOBIG);
	memcpy(s + sizeof(s) - 3, "222", 3); /* 512 digits: longer once canonical */
	ASSERT_EQ_INT(cty_value_number_text(&v, s, sizeof(s)), ERR_TOOBIG);
	ASSERT_EQ_INT(cty_value_number_text(&v, s, 64), 0); /* 64 digits stay plain */
	ASSERT_EQ_UINT(v.len, 64);
	cty_value_release(&v);
	ASSERT_EQ_INT(cty_value_number_text(&v, s, 500), 0); /* 500 digits: canonical still fits */
	ASSERT(v.len <= CTY_MAX_NUMBER_TEXT);
	cty_value_release(&v);
	/* the JSON state decoder refuses what could not be encoded back */
	ASSERT_EQ_INT(cty_type_from_json(ts, sizeof(ts) - 1, &t), 0);
	memcpy(json, "{\"n\":", 5);
	memset(s + 509, '2', 3);
	memcpy(s + 509, "e03", 3);
	memcpy(json + 5, s, sizeof(s));
	json[5 + sizeof(s)] = '}';
	ASSERT(cty_json_decode(json, 6 + sizeof(s), t, &v, NULL) != 0);
	cty_value_release(&v);
	cty_type_free(t);
}

TEST(msgpack_every_integer_width_float_and_string_number)
{
	ASSERT(num_case("\x7f", 1, "127"));
	ASSERT(num_case("\xe0", 1, "-32"));
	ASSERT(num_case("\xcc\xff", 2, "255"));
	ASSERT(num_case("\xcd\xff\xff", 3, "65535"));
	ASSERT(num_case("\xce\xff\xff\xff\xff", 5, "4294967295"));
	ASSERT(num_case("\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9, "18446744073709551615"));
	ASSERT(num_case("\xd0\x80", 2, "-128"));
	ASSERT(num_case("\xd1\x80\x00", 3, "-32768"));
	ASSERT(num_case("\xd2\x80\x00\x00\x00", 5, "-2147483648"));
	ASSERT(num_case("\xd3\x80\x00\x00\x00\x00\x00\x00\x00", 9, "-9223372036854775808"));
	ASSERT(num_case("\xd0\x05", 2, "5"));
	ASSERT(num_case("\xca\x3f\xc0\x00\x00", 5, "1.5"));
	ASSERT(num_case("\xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a", 9, "0.1"));
	ASSERT(num_case("\xcb\x7f\xf0\x00\x00\x00\x00\x00\x00", 9, "+Inf"));
	ASSERT(
		num_case("\xb7"
			 "12345678901234567890123",
			 24, "12345678901234567890123"));
	ASSERT(
		num_case("\xa3"
			 "1e3",
			 4, "1000"));
	ASSERT(!num_case("\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00", 9, "NaN")); /* NaN refused */
	ASSERT(
		!num_case("\xa3"
			  "abc",
			  4, "abc"));
	ASSERT(!num_case("\xc3", 1, "1")); /* bool is not a number */
}

TEST(msgpack_number_encoding_picks_int_float_or_string)
{
	struct cty_value v;
	struct buf b;

	buf_init(&b, 256);
	ASSERT_EQ_INT(cty_value_number_text(&v, "100", 3), 0);
	ASSERT_EQ_INT(cty_msgpack_encode(&v, &cty_number, &b), 0);
	ASSERT_EQ_INT(b.len, 1);
	ASSERT_EQ_MEM(b.data, "\x64", 1);
	cty_value_release(&v);
	buf_reset(&b);
	ASSERT_EQ_INT(cty_value_number_text(&v, "-70000", 6), 0);
	ASSERT_EQ_INT(cty_msgpack_encode(&v, &cty_number, &b), 0);
	ASSERT_EQ_INT(b.len, 5);
	ASSERT_EQ_MEM(b.data, "\xd2\xff\xfe\xee\x90", 5);
	cty_value_release(&v);
	buf_reset(&b);
	ASSERT_EQ_INT(cty_value_number_text(&v, "0.1", 3), 0);
	ASSERT_EQ_INT(cty_msgpack_encode(&v, &cty_number, &b), 0);
	ASSERT_EQ_INT(b.len, 9);
	ASSERT_EQ_MEM(b.data, "\xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a", 9);
	cty_value_release(&v);
	buf_reset(&b);
	ASSERT_EQ_INT(cty_value_number_text(&v, "0.1000000000000000000001", 24), 0);
	ASSERT_EQ_INT(cty_msgpack_encode(&v, &cty_number, &b), 0);
	ASSERT_EQ_INT((uint8_t)b.data[0], 0xb8); /* fixstr of 24 bytes: exact text kept */
	ASSERT_EQ_MEM(b.data + 1, "0.1000000000000000000001", 24);
	cty_value_release(&v);
	buf_reset(&b);
	ASSERT_EQ_INT(cty_value_number_text(&v, "18446744073709551615", 20), 0);
	ASSERT_EQ_INT(cty_msgpack_encode(&v, &cty_number, &b), 0);
	ASSERT_EQ_INT((uint8_t)b.data[0], 0xb4); /* beyond int64 and not exact as float64 */
	cty_value_release(&v);
	buf_release(&b);
}

TEST(msgpack_unknown_any_ext_len_le_1)
{
	static const char *cases[] = { "\xd4\x00\x00", "\xd4\x05\x07", "\xc7\x00\x00", "\xc7\x01\x2a\x00" };
	static const size_t lens[] = { 3, 3, 3, 4 };
	size_t i;
	struct cty_type *t;
	struct cty_value v;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ_INT(dec("\"string\"", cases[i], lens[i], &t, &v), 0);
		ASSERT_EQ_INT(v.st, CTY_UNKNOWN);
		ASSERT(v.rf == NULL);
		drop(t, &v);
	}
	/* a longer ext must be type 12 */
	ASSERT_EQ_INT(dec("\"string\"", "\xd5\x03\x81\x01", 4, &t, &v), ERR_PARSE);
	drop(t, &v);
}

TEST(msgpack_refined_unknowns_decode_and_reencode)
{
	/* string: not null + prefix "abc" */
	static const char s_in[] =
		"\xc7\x08\x0c\x82\x01\xc2\x02\xa3"
		"abc";
	/* number: [1, inclusive] .. [10, exclusive] */
	static const char n_in[] = "\xc7\x09\x0c\x82\x03\x92\x01\xc3\x04\x92\x0a\xc2";
	/* list: length 1..3 */
	static const char l_in[] = "\xc7\x05\x0c\x82\x05\x01\x06\x03";
	struct cty_type *t;
	struct cty_value v;
	struct buf b;

	buf_init(&b, 256);
	ASSERT_EQ_INT(dec("\"string\"", s_in, sizeof(s_in) - 1, &t, &v), 0);
	ASSERT_EQ_INT(v.st, CTY_UNKNOWN);
	ASSERT(v.rf && v.rf->not_null);
	ASSERT_EQ_STR(v.rf->prefix, "abc");
	ASSERT_EQ_INT(cty_msgpack_encode(&v, t, &b), 0);
	ASSERT_EQ_INT(b.len, sizeof(s_in) - 1);
	ASSERT_EQ_MEM(b.data, s_in, b.len);
	drop(t, &v);

	buf_reset(&b);
	ASSERT_EQ_INT(dec("\"number\"", n_in, sizeof(n_in) - 1, &t, &v), 0);
	ASSERT(v.rf && !v.rf->not_null);
	ASSERT_EQ_STR(v.rf->lower, "1");
	ASSERT_EQ_STR(v.rf->upper, "10");
	ASSERT(v.rf->lower_incl && !v.rf->upper_incl);
	ASSERT_EQ_INT(cty_msgpack_encode(&v, t, &b), 0);
	ASSERT_EQ_INT(b.len, sizeof(n_in) - 1);
	ASSERT_EQ_MEM(b.data, n_in, b.len);
	drop(t, &v);

	buf_reset(&b);
	ASSERT_EQ_INT(dec("[\"list\",\"string\"]", l_in, sizeof(l_in) - 1, &t, &v), 0);
	ASSERT_EQ_INT(v.rf->len_min, 1);
	ASSERT_EQ_INT(v.rf->len_max, 3);
	ASSERT_EQ_INT(cty_msgpack_encode(&v, t, &b), 0);
	ASSERT_EQ_MEM(b.data, l_in, sizeof(l_in) - 1);
	drop(t, &v);

	/* unknown refinement keys are skipped, whatever their value */
	ASSERT_EQ_INT(dec("\"string\"", "\xc7\x07\x0c\x82\x09\x92\x01\x02\x01\xc2", 10, &t, &v), 0);
	ASSERT(v.st == CTY_UNKNOWN && v.rf->not_null);
	drop(t, &v);
	/* "definitely null" collapses into null */
	ASSERT_EQ_INT(dec("\"string\"", "\xc7\x03\x0c\x81\x01\xc3", 6, &t, &v), 0);
	ASSERT_EQ_INT(v.st, CTY_NULL);
	drop(t, &v);
	/* prefix refinement on a number is refused; a non-map body too */
	ASSERT_EQ_INT(dec("\"number\"", "\xc7\x04\x0c\x81\x02\xa1x", 7, &t, &v), ERR_PARSE);
	drop(t, &v);
	ASSERT_EQ_INT(dec("\"number\"", "\xc7\x02\x0c\x01\x02", 5, &t, &v), ERR_PARSE);
	drop(t, &v);
	/* unknown without refinements encodes as type 0 */
	cty_value_unknown(&v, &cty_string);
	buf_reset(&b);
	ASSERT_EQ_INT(cty_msgpack_encode(&v, &cty_string, &b), 0);
	ASSERT_EQ_INT(b.len, 3);
	ASSERT_EQ_MEM(b.data, "\xd4\x00\x00", 3);
	buf_release(&b);
}

TEST(msgpack_object_needs_exactly_its_attributes)
{
	const char *ty = "[\"object\",{\"a\":\"string\",\"b\":\"bool\"}]";
	struct cty_type *t;
	struct cty_value v;

	ASSERT_EQ_INT(dec(ty,
			  "\x82\xa1"
			  "b\xc3\xa1"
			  "a\xa2hi",
			  9, &t, &v),
		      0);
	ASSERT_EQ_STR(cty_object_attr(&v, "a")->s, "hi");
	ASSERT_EQ_INT(cty_object_attr(&v, "b")->b, 1);
	drop(t, &v);
	ASSERT_EQ_INT(dec(ty,
			  "\x81\xa1"
			  "a\xa2hi",
			  6, &t, &v),
		      ERR_PARSE); /* missing b */
	drop(t, &v);
	ASSERT_EQ_INT(dec(ty,
			  "\x83\xa1"
			  "a\xc0\xa1"
			  "b\xc0\xa1"
			  "c\xc0",
			  10, &t, &v),
		      ERR_PARSE); /* extra */
	drop(t, &v);
	ASSERT_EQ_INT(dec(ty,
			  "\x82\xa1"
			  "a\xc0\xa1"
			  "a\xc0",
			  7, &t, &v),
		      ERR_PARSE); /* duplicate */
	drop(t, &v);
	ASSERT_EQ_INT(dec(ty,
			  "\x82\xa1"
			  "a\xc0\xa1"
			  "x\xc0",
			  7, &t, &v),
		      ERR_PARSE); /* unknown name */
	drop(t, &v);
	ASSERT_EQ_INT(dec(ty, "\xc0", 1, &t, &v), 0); /* null object */
	ASSERT_EQ_INT(v.st, CTY_NULL);
	drop(t, &v);
	ASSERT_EQ_INT(dec(ty,
			  "\x82\xa1"
			  "a\xc0\xa1"
			  "b\xa1"
			  "x",
			  9, &t, &v),
		      ERR_PARSE); /* b not bool */
	drop(t, &v);
}

TEST(msgpack_rejects_truncated_trailing_oversized_and_bad_utf8)
{
	struct cty_type *t;
	struct cty_value v;
	char deep[200];

	ASSERT_EQ_INT(dec("\"string\"",
			  "\xa5"
			  "ab",
			  3, &t, &v),
		      ERR_PARSE);
	drop(t, &v);
	ASSERT_EQ_INT(dec("\"string\"",
			  "\xa1"
			  "a\xc0",
			  3, &t, &v),
		      ERR_PARSE);
	drop(t, &v);
	ASSERT_EQ_INT(dec("[\"list\",\"string\"]", "\xdd\xff\xff\xff\xff", 5, &t, &v), ERR_PARSE);
	drop(t, &v);
	ASSERT_EQ_INT(dec("[\"map\",\"string\"]",
			  "\xdf\x7f\xff\xff\xff\xa1"
			  "a",
			  7, &t, &v),
		      ERR_PARSE);
	drop(t, &v);
	ASSERT_EQ_INT(dec("\"string\"", "\xa2\xc3\x28", 3, &t, &v), ERR_PARSE);
	drop(t, &v);
	ASSERT_EQ_INT(dec("\"string\"", "\xa3\xed\xa0\x80", 4, &t, &v), ERR_PARSE); /* surrogate */
	drop(t, &v);
	ASSERT_EQ_INT(dec("\"string\"", "\xc1", 1, &t, &v), ERR_PARSE); /* never-used byte */
	drop(t, &v);
	ASSERT_EQ_INT(dec("\"string\"", "", 0, &t, &v), ERR_PARSE);
	drop(t, &v);
	/* 100 nested arrays under a dynamic list-of-list type spec: refused by the depth cap */
	memset(deep, 0x91, sizeof(deep));
	t = type_of("[\"list\",[\"list\",[\"list\",\"string\"]]]");
	ASSERT_EQ_INT(cty_msgpack_decode((const uint8_t *)deep, sizeof(deep), t, &v, NULL), ERR_PARSE);
	drop(t, &v);
}

TEST(msgpack_dynamic_is_type_and_value)
{
	static const char in[] = "\x92\xc4\x08\"string\"\xa2hi";
	static const char in_list[] = "\x92\xc4\x0f[\"list\",\"bool\"]\x92\xc3\xc2";
	struct cty_type *t;
	struct cty_value v, c;
	struct buf b;

	buf_init(&b, 256);
	ASSERT_EQ_INT(dec("\"dynamic\"", in, sizeof(in) - 1, &t, &v), 0);
	ASSERT_EQ_INT(v.st, CTY_KNOWN);
	ASSERT_EQ_INT(v.type->kind, CTY_STRING);
	ASSERT_EQ_STR(v.s, "hi");
	ASSERT_EQ_INT(cty_msgpack_encode(&v, t, &b), 0);
	ASSERT_EQ_INT(b.len, sizeof(in) - 1);
	ASSERT_EQ_MEM(b.data, in, b.len);
	drop(t, &v);

	buf_reset(&b);
	ASSERT_EQ_INT(dec("\"dynamic\"", in_list, sizeof(in_list) - 1, &t, &v), 0);
	ASSERT_EQ_INT(v.type->kind, CTY_LIST);
	ASSERT(v.dtype == v.type);
	ASSERT_EQ_INT(v.n, 2);
	ASSERT_EQ_INT(cty_value_copy(&c, &v), 0);
	ASSERT(cty_value_equal(&c, &v));
	ASSERT_EQ_INT(cty_msgpack_encode(&c, t, &b), 0);
	ASSERT_EQ_MEM(b.data, in_list, sizeof(in_list) - 1);
	cty_value_release(&c);
	drop(t, &v);

	ASSERT_EQ_INT(dec("\"dynamic\"", "\xc0", 1, &t, &v), 0);
	ASSERT_EQ_INT(v.st, CTY_NULL);
	drop(t, &v);
	ASSERT_EQ_INT(dec("\"dynamic\"", "\xd4\x00\x00", 3, &t, &v), 0);
	ASSERT_EQ_INT(v.st, CTY_UNKNOWN);
	drop(t, &v);
	ASSERT_EQ_INT(dec("\"dynamic\"", "\xa2hi", 3, &t, &v), ERR_PARSE);
	drop(t, &v);
	ASSERT_EQ_INT(dec("\"dynamic\"", "\x92\xc4\x03xyz\xa2hi", 9, &t, &v), ERR_PARSE);
	drop(t, &v);
	buf_release(&b);
}

TEST(msgpack_sets_collapse_and_maps_sort)
{
	struct cty_type *t;
	struct cty_value v, w;
	struct buf b;

	buf_init(&b, 256);
	ASSERT_EQ_INT(dec("[\"set\",\"string\"]",
			  "\x94\xa1"
			  "b\xa1"
			  "a\xa1"
			  "b\xa1"
			  "a",
			  9, &t, &v),
		      0);
	ASSERT_EQ_INT(v.n, 2);
	ASSERT_EQ_STR(v.items[0].s, "a");
	ASSERT_EQ_STR(v.items[1].s, "b");
	ASSERT_EQ_INT(cty_msgpack_decode((const uint8_t *)"\x92\xa1"
							  "a\xa1"
							  "b",
					 5, t, &w, NULL),
		      0);
	ASSERT(cty_value_equal(&v, &w));
	cty_value_release(&w);
	drop(t, &v);

	ASSERT_EQ_INT(dec("[\"map\",\"number\"]",
			  "\x82\xa1"
			  "z\x01\xa1"
			  "a\x02",
			  7, &t, &v),
		      0);
	ASSERT_EQ_STR(v.keys[0], "a");
	ASSERT_EQ_STR(v.items[0].s, "2");
	ASSERT_EQ_STR(v.keys[1], "z");
	ASSERT_EQ_INT(cty_msgpack_encode(&v, t, &b), 0);
	ASSERT_EQ_MEM(b.data,
		      "\x82\xa1"
		      "a\x02\xa1"
		      "z\x01",
		      7);
	drop(t, &v);
	ASSERT_EQ_INT(dec("[\"map\",\"number\"]",
			  "\x82\xa1"
			  "a\x01\xa1"
			  "a\x02",
			  7, &t, &v),
		      ERR_PARSE);
	drop(t, &v);
	ASSERT_EQ_INT(dec("[\"tuple\",[\"string\",\"bool\"]]",
			  "\x92\xa1"
			  "a\xc2",
			  4, &t, &v),
		      0);
	drop(t, &v);
	ASSERT_EQ_INT(dec("[\"tuple\",[\"string\",\"bool\"]]",
			  "\x91\xa1"
			  "a",
			  3, &t, &v),
		      ERR_PARSE);
	drop(t, &v);
	buf_release(&b);
}

TEST(msgpack_roundtrip_of_a_resource_object)
{
	static const char in[] =
		"\x84\xa2id\xd4\x00\x00\xa4name\xa3"
		"abc\xa4tags\x92\xa1x\xa1y\xa7version\xcd\x01\x00";
	struct cty_type *t;
	struct cty_value v;
	struct buf b;

	buf_init(&b, 256);
	ASSERT_EQ_INT(dec("[\"object\",{\"id\":\"string\",\"name\":\"string\",\"tags\":[\"list\",\"string\"],"
			  "\"version\":\"number\"}]",
			  in, sizeof(in) - 1, &t, &v),
		      0);
	ASSERT(!cty_value_wholly_known(&v));
	ASSERT_EQ_INT(cty_msgpack_encode(&v, t, &b), 0);
	ASSERT_EQ_INT(b.len, sizeof(in) - 1);
	ASSERT_EQ_MEM(b.data, in, b.len);
	drop(t, &v);
	buf_release(&b);
}

TEST(json_state_keeps_number_precision_and_fills_missing)
{
	static const char in[] =
		"{ \"a\": 123456789012345678901234567890, \"b\": \"x\\u00e9\", \"c\": [1, 2.50, -3e-2],"
		" \"gone\": true, \"m\": {\"k2\": 1, \"k1\": 2}, \"e\": 0.1000000000000000000001 }";
	struct cty_type *t = type_of(
		"[\"object\",{\"a\":\"number\",\"b\":\"string\",\"c\":[\"list\",\"number\"],"
		"\"d\":\"bool\",\"e\":\"number\",\"m\":[\"map\",\"number\"]}]");
	struct cty_value v;

	ASSERT(t);
	ASSERT_EQ_INT(cty_json_decode(in, sizeof(in) - 1, t, &v, NULL), 0);
	ASSERT_EQ_STR(cty_object_attr(&v, "a")->s, "123456789012345678901234567890");
	ASSERT_EQ_STR(cty_object_attr(&v, "b")->s, "x\xc3\xa9");
	ASSERT_EQ_INT(cty_object_attr(&v, "c")->n, 3);
	ASSERT_EQ_STR(cty_object_attr(&v, "c")->items[1].s, "2.5");
	ASSERT_EQ_STR(cty_object_attr(&v, "c")->items[2].s, "-0.03");
	ASSERT_EQ_INT(cty_object_attr(&v, "d")->st, CTY_NULL);
	ASSERT_EQ_STR(cty_object_attr(&v, "e")->s, "0.1000000000000000000001");
	ASSERT_EQ_STR(cty_object_attr(&v, "m")->keys[0], "k1");
	drop(t, &v);
}

TEST(json_state_rejects_bad_input)
{
	static const char *bad[] = {
		"{\"a\":\"\\u0000x\"}", "{1:2}",     "{\"a\":01.2.3}",      "{\"a\":", "[1]", "{\"a\":{\"x\":1}}",
		"{\"a\":1,\"a\":2}",    "{\"a\":-}", "{\"a\":\"1\" \"b\"}",
	};
	struct cty_type *t = type_of("[\"object\",{\"a\":\"number\"}]");
	struct cty_value v;
	size_t i;

	ASSERT(t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cty_json_decode(bad[i], strlen(bad[i]), t, &v, NULL) == 0)
			TEST_FAIL_("accepted %s", bad[i]);
		ASSERT_EQ_INT(v.st, CTY_NULL);
	}
	/* a number given as a string is accepted, as go-cty does */
	ASSERT_EQ_INT(cty_json_decode("{\"a\":\"5\"}", 9, t, &v, NULL), 0);
	ASSERT_EQ_STR(cty_object_attr(&v, "a")->s, "5");
	cty_value_release(&v);
	cty_type_free(t);
	t = type_of("\"dynamic\"");
	{
		static const char dj[] = "{\"value\":[true],\"type\":[\"list\",\"bool\"]}";

		ASSERT_EQ_INT(cty_json_decode(dj, sizeof(dj) - 1, t, &v, NULL), 0);
	}
	ASSERT_EQ_INT(v.type->kind, CTY_LIST);
	ASSERT_EQ_INT(v.items[0].b, 1);
	drop(t, &v);
}

TEST(value_equality_copy_and_int_conversion)
{
	struct cty_value a, b;
	int64_t x = 0;

	ASSERT_EQ_INT(cty_value_number_int(&a, -42), 0);
	ASSERT_EQ_INT(cty_value_number_text(&b, "-4.2e1", 6), 0);
	ASSERT(cty_value_equal(&a, &b));
	ASSERT_EQ_INT(cty_number_to_int64(&b, &x), 0);
	ASSERT_EQ_INT(x, -42);
	cty_value_release(&b);
	ASSERT_EQ_INT(cty_value_number_text(&b, "1.5", 3), 0);
	ASSERT(!cty_value_equal(&a, &b));
	ASSERT_EQ_INT(cty_number_to_int64(&b, &x), ERR_RANGE);
	cty_value_release(&b);
	cty_value_unknown(&b, &cty_number);
	ASSERT(!cty_value_equal(&a, &b));
	cty_value_release(&a);
	cty_value_unknown(&a, &cty_number);
	ASSERT(cty_value_equal(&a, &b));
	cty_value_release(&a);
	cty_value_null(&a, &cty_number);
	ASSERT(!cty_value_equal(&a, &b));
}

int main(void)
{
	RUN(type_spec_roundtrip_sorts_attributes_and_keeps_optional);
	RUN(type_spec_rejects_malformed);
	RUN(number_text_is_canonical_and_exact);
	RUN(number_canonical_text_stays_within_the_decoders_limit);
	RUN(msgpack_every_integer_width_float_and_string_number);
	RUN(msgpack_number_encoding_picks_int_float_or_string);
	RUN(msgpack_unknown_any_ext_len_le_1);
	RUN(msgpack_refined_unknowns_decode_and_reencode);
	RUN(msgpack_object_needs_exactly_its_attributes);
	RUN(msgpack_rejects_truncated_trailing_oversized_and_bad_utf8);
	RUN(msgpack_dynamic_is_type_and_value);
	RUN(msgpack_sets_collapse_and_maps_sort);
	RUN(msgpack_roundtrip_of_a_resource_object);
	RUN(json_state_keeps_number_precision_and_fills_missing);
	RUN(json_state_rejects_bad_input);
	RUN(value_equality_copy_and_int_conversion);
	return test_done();
}
