/* SPDX-License-Identifier: MIT */
/* gRPC framing: message prefixes across concatenated messages, malformed framing, grpc-message
 * percent-encoding both ways, status names. */
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "grpc/frame.h"
#include "test.h"

TEST(prefix_is_flag_then_big_endian_length)
{
	uint8_t p[GRPC_PREFIX_LEN];
	const uint8_t want[] = { 0, 0x01, 0x02, 0x03, 0x04 };
	const uint8_t zero[] = { 0, 0, 0, 0, 0 };

	ASSERT_EQ_INT(grpc_prefix_write(p, 0x01020304), 0);
	ASSERT_EQ_MEM(p, want, 5);
	ASSERT_EQ_INT(grpc_prefix_write(p, 0), 0);
	ASSERT_EQ_MEM(p, zero, 5);
	ASSERT_EQ_INT(grpc_prefix_write(p, (size_t)UINT32_MAX + 1), ERR_TOOBIG);
}

TEST(messages_are_split_from_concatenated_bytes)
{
	const uint8_t in[] = { 0, 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 'z' };
	const uint8_t *m;
	size_t off = 0, len;
	int comp = -1;

	ASSERT_EQ_INT(grpc_message_next(in, sizeof(in), &off, &m, &len, &comp), 0);
	ASSERT_EQ_UINT(len, 3);
	ASSERT_EQ_MEM(m, "abc", 3);
	ASSERT_EQ_INT(comp, 0);
	ASSERT_EQ_UINT(off, 8);
	ASSERT_EQ_INT(grpc_message_next(in, sizeof(in), &off, &m, &len, &comp), 0);
	ASSERT_EQ_UINT(len, 0); /* an empty message is legal (proto3 all defaults) */
	ASSERT_EQ_INT(grpc_message_next(in, sizeof(in), &off, &m, &len, &comp), 0);
	ASSERT_EQ_INT(comp, 1);
	ASSERT_EQ_UINT(len, 1);
	ASSERT_EQ_INT(m[0], 'z');
	ASSERT_EQ_INT(grpc_message_next(in, sizeof(in), &off, &m, &len, &comp), ERR_EOF);
	ASSERT_EQ_UINT(off, sizeof(in));
}

TEST(truncated_or_bad_framing_is_rejected_without_moving)
{
	const uint8_t short_prefix[] = { 0, 0, 0 };
	const uint8_t short_body[] = { 0, 0, 0, 0, 4, 'a', 'b', 'c' };
	const uint8_t bad_flag[] = { 2, 0, 0, 0, 0 };
	const uint8_t huge[] = { 0, 0xff, 0xff, 0xff, 0xff, 'x' };
	const uint8_t *m;
	size_t off = 0, len;
	int comp;

	ASSERT_EQ_INT(grpc_message_next(short_prefix, sizeof(short_prefix), &off, &m, &len, &comp), ERR_PARSE);
	ASSERT_EQ_UINT(off, 0);
	ASSERT_EQ_INT(grpc_message_next(short_body, sizeof(short_body), &off, &m, &len, &comp), ERR_PARSE);
	ASSERT_EQ_UINT(off, 0);
	ASSERT_EQ_INT(grpc_message_next(bad_flag, sizeof(bad_flag), &off, &m, &len, &comp), ERR_PARSE);
	ASSERT_EQ_INT(grpc_message_next(huge, sizeof(huge), &off, &m, &len, &comp), ERR_PARSE);
	ASSERT_EQ_INT(grpc_message_next(huge, 0, &off, &m, &len, &comp), ERR_EOF);
}

TEST(prefix_and_parse_round_trip)
{
	uint8_t buf[5 + 300];
	const uint8_t *m;
	size_t off = 0, len, i;
	int comp;

	ASSERT_EQ_INT(grpc_prefix_write(buf, 300), 0);
	for (i = 0; i < 300; i++)
		buf[5 + i] = (uint8_t)i;
	ASSERT_EQ_INT(grpc_message_next(buf, sizeof(buf), &off, &m, &len, &comp), 0);
	ASSERT_EQ_UINT(len, 300);
	ASSERT(m == buf + 5);
}

static const char *enc(const char *s, size_t n, struct buf *b)
{
	buf_reset(b);
	if (grpc_pct_encode(b, s, n) < 0)
		return NULL;
	return b->data ? b->data : "";
}

TEST(grpc_message_percent_encoding)
{
	struct buf b;

	buf_init(&b, 1024);
	ASSERT_EQ_STR(enc("plain text ~!", 13, &b), "plain text ~!");
	ASSERT_EQ_STR(enc("100%", 4, &b), "100%25");
	ASSERT_EQ_STR(enc("a\nb\tc", 5, &b), "a%0Ab%09c");
	ASSERT_EQ_STR(enc("\xc3\xbc", 2, &b), "%C3%BC");
	ASSERT_EQ_STR(enc("\x7f\x1f ", 3, &b), "%7F%1F ");
	ASSERT_EQ_STR(enc("nul\0byte", 8, &b), "nul%00byte");
	ASSERT_EQ_STR(enc("", 0, &b), "");
	buf_release(&b);
}

TEST(percent_encoding_respects_the_buffer_cap)
{
	struct buf b;

	buf_init(&b, 5);
	ASSERT_EQ_INT(grpc_pct_encode(&b, "\n\n", 2), ERR_TOOBIG);
	ASSERT(b.len <= 5);
	buf_release(&b);
}

TEST(percent_decoding_is_lenient_and_round_trips)
{
	struct buf e, d;
	const char raw[] = "x%y\xff\x01 \xc3\xa9";

	buf_init(&e, 1024);
	buf_init(&d, 1024);
	ASSERT_EQ_INT(grpc_pct_encode(&e, raw, sizeof(raw) - 1), 0);
	ASSERT_EQ_INT(grpc_pct_decode(&d, e.data, e.len), 0);
	ASSERT_EQ_UINT(d.len, sizeof(raw) - 1);
	ASSERT_EQ_MEM(d.data, raw, sizeof(raw) - 1);
	buf_reset(&d);
	ASSERT_EQ_INT(grpc_pct_decode(&d, "%zz%4%e9%C3%A9", 14), 0);
	ASSERT_EQ_STR(d.data, "%zz%4\xe9\xc3\xa9");
	buf_release(&e);
	buf_release(&d);
}

TEST(status_names)
{
	ASSERT_EQ_STR(grpc_status_name(0), "OK");
	ASSERT_EQ_STR(grpc_status_name(GRPC_STATUS_UNIMPLEMENTED), "UNIMPLEMENTED");
	ASSERT_EQ_STR(grpc_status_name(16), "UNAUTHENTICATED");
	ASSERT_EQ_STR(grpc_status_name(17), "UNKNOWN_STATUS");
	ASSERT_EQ_STR(grpc_status_name(-1), "UNKNOWN_STATUS");
}

int main(void)
{
	RUN(prefix_is_flag_then_big_endian_length);
	RUN(messages_are_split_from_concatenated_bytes);
	RUN(truncated_or_bad_framing_is_rejected_without_moving);
	RUN(prefix_and_parse_round_trip);
	RUN(grpc_message_percent_encoding);
	RUN(percent_encoding_respects_the_buffer_cap);
	RUN(percent_decoding_is_lenient_and_round_trips);
	RUN(status_names);
	return test_done();
}
