/* SPDX-License-Identifier: MIT */
/*
 * test.h: a tiny unit-test harness printing TAP ("ok N - name" / "not ok N - name"), which
 * scripts/run-tests counts. Typed asserts print both values on failure and end the current test.
 *
 *   TEST(name) { ASSERT_EQ_INT(1 + 1, 2); }
 *   int main(void) { RUN(name); return test_done(); }
 */
#ifndef TEST_H
#define TEST_H
#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static int test_n_, test_failed_, test_cur_failed_;
static jmp_buf test_jmp_;

#define TEST(name) static void test_##name(void)
#define RUN(name)                                                                           \
	do {                                                                                \
		test_cur_failed_ = 0;                                                       \
		test_n_++;                                                                  \
		if (setjmp(test_jmp_) == 0)                                                 \
			test_##name();                                                      \
		if (test_cur_failed_)                                                       \
			test_failed_++;                                                     \
		printf("%s %d - %s\n", test_cur_failed_ ? "not ok" : "ok", test_n_, #name); \
		fflush(stdout);                                                             \
	} while (0)

#define TEST_FAIL_(...)                                  \
	do {                                             \
		printf("# %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__);                     \
		printf("\n");                            \
		test_cur_failed_ = 1;                    \
		longjmp(test_jmp_, 1);                   \
	} while (0)

#define ASSERT(cond)                                               \
	do {                                                       \
		if (!(cond))                                       \
			TEST_FAIL_("assertion failed: %s", #cond); \
	} while (0)
#define ASSERT_EQ_INT(a, b)                                                   \
	do {                                                                  \
		long long a_ = (long long)(a), b_ = (long long)(b);           \
		if (a_ != b_)                                                 \
			TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_); \
	} while (0)
#define ASSERT_EQ_UINT(a, b)                                                                   \
	do {                                                                                   \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
		if (a_ != b_)                                                                  \
			TEST_FAIL_("%s == %s: %llu != %llu", #a, #b, a_, b_);                  \
	} while (0)
#define ASSERT_EQ_STR(a, b)                                                                                       \
	do {                                                                                                      \
		const char *a_ = (a), *b_ = (b);                                                                  \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                            \
			TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} while (0)
#define ASSERT_EQ_MEM(a, b, n)                                                      \
	do {                                                                        \
		if (memcmp((a), (b), (n)) != 0)                                     \
			TEST_FAIL_("%s == %s over %zu bytes", #a, #b, (size_t)(n)); \
	} while (0)

static int test_done(void)
{
	printf("1..%d\n", test_n_);
	return test_failed_ ? 1 : 0;
}

#endif
