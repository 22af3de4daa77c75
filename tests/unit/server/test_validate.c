/* SPDX-License-Identifier: MIT */
/* Unit tests of src/server/validate.c: published field rules, control bytes, percent-decoding,
 * optional whitespace, the request-head checks of the connection gate; and the password
 * hashing gate of secret.c (ERR_AGAIN when every slot and the queue are taken). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "server/secret.h"
#include "server/validate.h"
#include "test.h"

static int field(const char *arg, const char *v, const char **reason)
{
	char help[160];

	return vld_field(arg, v, strlen(v), reason, help, sizeof(help));
}

TEST(published_field_rules)
{
	const char *reason = NULL;

	ASSERT_EQ_INT(field("name", "CI (main)_v1.2-x y", &reason), 0);
	ASSERT_EQ_INT(field("name", "tsbar/app!", &reason), -1);
	ASSERT_EQ_STR(reason, "format");
	ASSERT_EQ_INT(field("name", "\xc3\xa9t\xc3\xa9", &reason), -1); /* letters means ASCII letters */
	ASSERT_EQ_INT(field("username", "q", &reason), -1);
	ASSERT_EQ_STR(reason, "constraint");
	ASSERT_EQ_INT(field("member.username", "a!b", &reason), -1);
	ASSERT_EQ_INT(field("username", "ci.bot_1-x@corp", &reason), 0);
	ASSERT_EQ_INT(field("username", "ab", &reason), 0);
	ASSERT_EQ_INT(field("first_name", "Ren\xc3\xa9 !", &reason), 0); /* any text, 64 characters */
	ASSERT_EQ_INT(field("description", "", &reason), 0);
	ASSERT_EQ_INT(field("tags", "anything", &reason), 0); /* no rule */
	{
		char big[66];

		memset(big, 'x', 65);
		big[65] = 0;
		ASSERT_EQ_INT(field("name", big, &reason), -1);
		ASSERT_EQ_INT(field("last_name", big, &reason), -1);
		big[64] = 0;
		ASSERT_EQ_INT(field("name", big, &reason), 0);
	}
}

TEST(control_bytes_and_unescape)
{
	char s1[] = "abc%00x", s2[] = "a%0a%0D%7f%41%4", s3[] = "%zz%";

	ASSERT_EQ_INT(vld_has_ctl("plain text", 10), 0);
	ASSERT_EQ_INT(vld_has_ctl("tab\there", 8), 1);
	ASSERT_EQ_INT(vld_has_ctl("del\x7f", 4), 1);
	ASSERT_EQ_UINT(vld_unescape(s1), 5);
	ASSERT_EQ_STR(s1, "abc\x7fx"); /* no NUL: nothing is cut short */
	ASSERT_EQ_INT(vld_has_ctl(s1, strlen(s1)), 1);
	ASSERT_EQ_UINT(vld_unescape(s2), 7);
	ASSERT_EQ_STR(s2,
		      "a\n\r\x7f"
		      "A%4");
	ASSERT_EQ_UINT(vld_unescape(s3), 4);
	ASSERT_EQ_STR(s3, "%zz%");
}

TEST(optional_whitespace)
{
	const char *v = " \tsecret \t";
	size_t n = strlen(v);

	vld_trim_ows(&v, &n);
	ASSERT_EQ_UINT(n, 6);
	ASSERT(!memcmp(v, "secret", 6));
	v = "   ";
	n = 3;
	vld_trim_ows(&v, &n);
	ASSERT_EQ_UINT(n, 0);
}

static enum vld_head_result head(const char *s, size_t *len)
{
	return vld_head(s, strlen(s), len);
}

TEST(request_heads)
{
	size_t len = 0;
	char *big;

	ASSERT_EQ_INT(head("GET /x HTTP/1.1\r\nHost: a\r\n\r\nBODY", &len), VLD_HEAD_OK);
	ASSERT_EQ_UINT(len, 28);
	ASSERT_EQ_INT(head("\r\nGET * HTTP/1.0\r\n\r\n", &len), VLD_HEAD_OK);
	ASSERT_EQ_INT(head("GET /x HTTP/1.1\r\nHost: a\r\n", &len), VLD_HEAD_INCOMPLETE);
	ASSERT_EQ_INT(head("GE", &len), VLD_HEAD_INCOMPLETE);
	ASSERT_EQ_INT(head("GARBAGE\r\n\r\n", &len), VLD_HEAD_BAD);
	ASSERT_EQ_INT(head("GET /x\r\n\r\n", &len), VLD_HEAD_BAD);
	ASSERT_EQ_INT(head("GET /x HTTP/2.0\r\n\r\n", &len), VLD_HEAD_BAD);
	ASSERT_EQ_INT(head("GET  /x HTTP/1.1\r\n\r\n", &len), VLD_HEAD_BAD);
	ASSERT_EQ_INT(head("GET x HTTP/1.1\r\n\r\n", &len), VLD_HEAD_BAD);
	ASSERT_EQ_INT(head("GET /x HTTP/1.1\nHost: a\n\n", &len), VLD_HEAD_BAD);
	ASSERT_EQ_INT(head("GET /x HTTP/1.1\r\nno colon\r\n\r\n", &len), VLD_HEAD_BAD);
	ASSERT_EQ_INT(head("GET /x HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", &len), VLD_HEAD_BAD);
	ASSERT_EQ_INT(head("GET /x HTTP/1.1\r\nA: b\rc\r\n\r\n", &len), VLD_HEAD_BAD);
	ASSERT_EQ_INT(head("\x16\x03\x01\x02", &len), VLD_HEAD_BAD); /* a TLS hello */
	ASSERT_EQ_INT(head("ABCDEFGHIJKLMNOPQRSTUVWXYZ", &len), VLD_HEAD_BAD);
	ASSERT_EQ_INT(vld_head("GET /x HTTP/1.1\r\nA: \0\r\n\r\n", 24, &len), VLD_HEAD_BAD);
	/* the body's framing */
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nContent-Length: 12\r\n\r\n", &len), VLD_HEAD_OK);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\ncontent-length:7 \r\nContent-Length: 7\r\n\r\n", &len), VLD_HEAD_OK);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", &len), VLD_HEAD_OK);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", &len), VLD_HEAD_BAD_LENGTH);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &len), VLD_HEAD_BAD_LENGTH);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nContent-Length: \r\n\r\n", &len), VLD_HEAD_BAD_LENGTH);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n", &len), VLD_HEAD_BAD_LENGTH);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", &len),
		      VLD_HEAD_BAD_LENGTH);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &len),
		      VLD_HEAD_BAD_LENGTH);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &len), VLD_HEAD_BAD_LENGTH);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", &len),
		      VLD_HEAD_BAD_LENGTH);
	ASSERT_EQ_INT(head("POST /x HTTP/1.1\r\nContent-Length: 1\r\n", &len), VLD_HEAD_INCOMPLETE);
	big = malloc(VLD_HEAD_MAX + 64);
	ASSERT(big != NULL);
	memcpy(big, "GET /x HTTP/1.1\r\nX: ", 20);
	memset(big + 20, 'a', VLD_HEAD_MAX + 40);
	ASSERT_EQ_INT(vld_head(big, VLD_HEAD_MAX + 60, &len), VLD_HEAD_TOO_BIG);
	free(big);
}

struct hash_job {
	int r;
};

static void *hash_one(void *arg)
{
	struct hash_job *j = arg;
	char *out = NULL;

	j->r = secret_password_hash("correct horse battery", 21, &out);
	free(out);
	return NULL;
}

TEST(password_hashing_gate)
{
	pthread_t t[8];
	struct hash_job jobs[8];
	unsigned i, ok = 0, busy = 0, running, waiting;

	secret_pw_gate_init(1, 1, 0); /* one slot, one waiter who gives up at once */
	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, hash_one, &jobs[i]);
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		ok += jobs[i].r == 0;
		busy += jobs[i].r == ERR_AGAIN;
	}
	ASSERT(ok >= 1);
	ASSERT(busy >= 1);
	ASSERT_EQ_UINT(ok + busy, 8);
	secret_pw_gate_stats(&running, &waiting);
	ASSERT_EQ_UINT(running, 0);
	ASSERT_EQ_UINT(waiting, 0);
	secret_pw_gate_init(0, 0, 0);
}

int main(void)
{
	RUN(published_field_rules);
	RUN(control_bytes_and_unescape);
	RUN(optional_whitespace);
	RUN(request_heads);
	RUN(password_hashing_gate);
	return test_done();
}
