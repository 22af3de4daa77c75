/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the wiping mechanisms of src/common: mem_wiping_malloc()/mem_wiping_free(),
 * mem_free_secret_str(), and secret struct bufs (release and growth). A wipe observer
 * (mem_set_wipe_observer) sees every range just before it is cleared; the tests check that the
 * bytes holding a marker secret were among them, and that non-secret paths do not wipe (so the
 * observer really discriminates).
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "test.h"

#define MARK "5f7c1a2e-9b0d-4e61-8a3f-0c2d4b6e8f10"

struct seen {
	int wipes;      /* mem_wipe calls */
	int with_mark;  /* ... whose range held MARK */
	size_t max_len; /* largest range */
};

static void observe(const void *p, size_t n, void *ud)
{
	struct seen *s = ud;

	s->wipes++;
	if (n > s->max_len)
		s->max_len = n;
	if (n >= strlen(MARK) && memmem(p, n, MARK, strlen(MARK)))
		s->with_mark++;
}

static struct seen seen;

static void watch(void)
{
	memset(&seen, 0, sizeof(seen));
	mem_set_wipe_observer(observe, &seen);
}

static void unwatch(void)
{
	mem_set_wipe_observer(NULL, NULL);
}

TEST(wiping_free_wipes_the_whole_block)
{
	char *p = mem_wiping_malloc(100);

	ASSERT(p != NULL);
	memset(p, 'x', 100);
	memcpy(p + 100 - strlen(MARK), MARK, strlen(MARK)); /* at the very end of the block */
	watch();
	mem_wiping_free(p);
	unwatch();
	ASSERT_EQ_INT(seen.wipes, 1);
	ASSERT_EQ_INT(seen.with_mark, 1);
	ASSERT(seen.max_len >= 100);
	mem_wiping_free(NULL); /* fine */
}

TEST(wiping_malloc_keeps_alignment_and_refuses_huge_sizes)
{
	void *p = mem_wiping_malloc(1);

	ASSERT(p != NULL);
	ASSERT_EQ_UINT((uintptr_t)p % _Alignof(max_align_t), 0);
	mem_wiping_free(p);
	ASSERT(mem_wiping_malloc(SIZE_MAX - 4) == NULL);
}

TEST(wiping_realloc_moves_keeps_content_and_wipes_the_old_block)
{
	char *p = mem_wiping_malloc(strlen(MARK)), *q;

	ASSERT(p != NULL);
	memcpy(p, MARK, strlen(MARK));
	watch();
	q = mem_wiping_realloc(p, 4096);
	unwatch();
	ASSERT(q != NULL);
	ASSERT_EQ_INT(seen.with_mark, 1);
	ASSERT(memcmp(q, MARK, strlen(MARK)) == 0);
	watch();
	p = mem_wiping_realloc(q, 8); /* shrinking keeps the head */
	unwatch();
	ASSERT(p != NULL);
	ASSERT_EQ_INT(seen.with_mark, 1);
	ASSERT(memcmp(p, MARK, 8) == 0);
	mem_wiping_free(p);
	p = mem_wiping_realloc(NULL, 16); /* NULL: a fresh block */
	ASSERT(p != NULL);
	mem_wiping_free(p);
}

TEST(free_secret_str_wipes)
{
	char *s = mem_strndup(MARK, strlen(MARK));

	ASSERT(s != NULL);
	watch();
	mem_free_secret_str(s);
	unwatch();
	ASSERT_EQ_INT(seen.with_mark, 1);
}

TEST(secret_buf_release_wipes)
{
	struct buf b;

	buf_init_secret(&b, 1024);
	ASSERT_EQ_INT(buf_append_str(&b, MARK), 0);
	watch();
	buf_release(&b);
	unwatch();
	ASSERT_EQ_INT(seen.with_mark, 1);
}

TEST(secret_buf_growth_wipes_the_old_block)
{
	struct buf b;
	char big[4096];

	buf_init_secret(&b, 1 << 20);
	ASSERT_EQ_INT(buf_append_str(&b, MARK), 0);
	memset(big, 'y', sizeof(big));
	watch();
	ASSERT_EQ_INT(buf_append(&b, big, sizeof(big)), 0); /* moves to a bigger block */
	unwatch();
	ASSERT_EQ_INT(seen.with_mark, 1);
	ASSERT(strncmp(b.data, MARK, strlen(MARK)) == 0);
	buf_release(&b);
}

TEST(secret_buf_reset_wipes)
{
	struct buf b;

	buf_init_secret(&b, 1024);
	ASSERT_EQ_INT(buf_append_str(&b, MARK), 0);
	watch();
	buf_reset(&b);
	unwatch();
	ASSERT_EQ_INT(seen.with_mark, 1);
	buf_release(&b);
}

TEST(plain_buf_does_not_wipe)
{
	struct buf b;
	char big[4096];

	buf_init(&b, 1 << 20);
	ASSERT_EQ_INT(buf_append_str(&b, MARK), 0);
	memset(big, 'y', sizeof(big));
	watch();
	ASSERT_EQ_INT(buf_append(&b, big, sizeof(big)), 0);
	buf_release(&b);
	unwatch();
	ASSERT_EQ_INT(seen.wipes, 0);
}

int main(void)
{
	RUN(wiping_free_wipes_the_whole_block);
	RUN(wiping_malloc_keeps_alignment_and_refuses_huge_sizes);
	RUN(wiping_realloc_moves_keeps_content_and_wipes_the_old_block);
	RUN(free_secret_str_wipes);
	RUN(secret_buf_release_wipes);
	RUN(secret_buf_growth_wipes_the_old_block);
	RUN(secret_buf_reset_wipes);
	RUN(plain_buf_does_not_wipe);
	return test_done();
}
