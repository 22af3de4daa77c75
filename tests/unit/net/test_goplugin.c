/* SPDX-License-Identifier: MIT */
/* go-plugin launch strings: cookie, version negotiation, handshake line, reattach JSON, base64. */
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "net/goplugin.h"
#include "test.h"

TEST(cookie_must_match_exactly)
{
	ASSERT_EQ_INT(goplugin_cookie_ok(GOPLUGIN_COOKIE_VALUE), 1);
	ASSERT_EQ_INT(goplugin_cookie_ok(NULL), 0);
	ASSERT_EQ_INT(goplugin_cookie_ok(""), 0);
	ASSERT_EQ_INT(goplugin_cookie_ok("d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b"), 0);
	ASSERT_EQ_INT(goplugin_cookie_ok(GOPLUGIN_COOKIE_VALUE "x"), 0);
	ASSERT_EQ_INT(goplugin_cookie_ok("D602BF8F470BC67CA7FAA0386276BBDD4330EFAF76D1A219CB4D6991CA9872B2"), 0);
}

TEST(version_negotiation_picks_6_in_any_order)
{
	ASSERT_EQ_INT(goplugin_pick_version("5,6", 6, NULL), 0);
	ASSERT_EQ_INT(goplugin_pick_version("6,5", 6, NULL), 0);
	ASSERT_EQ_INT(goplugin_pick_version("6", 6, NULL), 0);
	ASSERT_EQ_INT(goplugin_pick_version("4,5,6,7", 6, NULL), 0);
	/* an old client that sends nothing: go-plugin assumes the plugin's own version */
	ASSERT_EQ_INT(goplugin_pick_version(NULL, 6, NULL), 0);
	ASSERT_EQ_INT(goplugin_pick_version("", 6, NULL), 0);
}

TEST(version_negotiation_explains_a_mismatch)
{
	struct buf why;

	buf_init(&why, 512);
	ASSERT_EQ_INT(goplugin_pick_version("5", 6, &why), ERR_UNSUPPORTED);
	ASSERT(strstr(why.data, "protocol 6") != NULL);
	ASSERT(strstr(why.data, "PLUGIN_PROTOCOL_VERSIONS=5") != NULL);
	ASSERT_EQ_INT(goplugin_pick_version("16,60", 6, NULL), ERR_UNSUPPORTED);
	buf_release(&why);
}

TEST(version_list_must_be_digits_and_commas)
{
	ASSERT_EQ_INT(goplugin_pick_version("5,x", 6, NULL), ERR_PARSE);
	ASSERT_EQ_INT(goplugin_pick_version("5,,6", 6, NULL), ERR_PARSE);
	ASSERT_EQ_INT(goplugin_pick_version("5,6,", 6, NULL), ERR_PARSE);
	ASSERT_EQ_INT(goplugin_pick_version(",6", 6, NULL), ERR_PARSE);
	ASSERT_EQ_INT(goplugin_pick_version(" 6", 6, NULL), ERR_PARSE);
	ASSERT_EQ_INT(goplugin_pick_version("+6", 6, NULL), ERR_PARSE);
	ASSERT_EQ_INT(goplugin_pick_version("99999999999999999999", 6, NULL), ERR_PARSE);
}

static const char *b64(const char *s, struct buf *b)
{
	buf_reset(b);
	if (goplugin_b64_nopad(b, (const uint8_t *)s, strlen(s)) < 0)
		return NULL;
	return b->data ? b->data : "";
}

TEST(base64_is_standard_alphabet_without_padding)
{
	struct buf b;
	const uint8_t hi[] = { 0xfb, 0xff, 0xbf };

	buf_init(&b, 256);
	/* RFC 4648 vectors with the '=' stripped (Go's RawStdEncoding) */
	ASSERT_EQ_STR(b64("", &b), "");
	ASSERT_EQ_STR(b64("f", &b), "Zg");
	ASSERT_EQ_STR(b64("fo", &b), "Zm8");
	ASSERT_EQ_STR(b64("foo", &b), "Zm9v");
	ASSERT_EQ_STR(b64("foob", &b), "Zm9vYg");
	ASSERT_EQ_STR(b64("fooba", &b), "Zm9vYmE");
	ASSERT_EQ_STR(b64("foobar", &b), "Zm9vYmFy");
	buf_reset(&b);
	ASSERT_EQ_INT(goplugin_b64_nopad(&b, hi, sizeof(hi)), 0);
	ASSERT_EQ_STR(b.data, "+/+/"); /* '+' and '/', not the URL alphabet */
	buf_release(&b);
	buf_init(&b, 4);
	ASSERT_EQ_INT(goplugin_b64_nopad(&b, (const uint8_t *)"foobar", 6), ERR_TOOBIG);
	buf_release(&b);
}

TEST(handshake_line_without_tls_has_five_fields)
{
	struct buf b;

	buf_init(&b, 1024);
	ASSERT_EQ_INT(goplugin_handshake_line(&b, 6, "unix", "/tmp/plugin123/plugin.sock", NULL, 0), 0);
	ASSERT_EQ_STR(b.data, "1|6|unix|/tmp/plugin123/plugin.sock|grpc\n");
	buf_release(&b);
}

TEST(handshake_line_with_tls_carries_the_der_certificate)
{
	struct buf b;
	const uint8_t der[] = { 0x30, 0x82, 0x01, 0x0a, 0xff };

	buf_init(&b, 1024);
	ASSERT_EQ_INT(goplugin_handshake_line(&b, 6, "unix", "/s/p.sock", der, sizeof(der)), 0);
	ASSERT_EQ_STR(b.data, "1|6|unix|/s/p.sock|grpc|MIIBCv8\n");
	buf_release(&b);
}

TEST(handshake_line_rejects_separators_in_fields)
{
	struct buf b;

	buf_init(&b, 1024);
	ASSERT_EQ_INT(goplugin_handshake_line(&b, 6, "unix", "/tmp/a|b", NULL, 0), ERR_INVAL);
	ASSERT_EQ_INT(goplugin_handshake_line(&b, 6, "unix", "/tmp/a\nb", NULL, 0), ERR_INVAL);
	ASSERT_EQ_INT(goplugin_handshake_line(&b, 6, "", "/tmp/a", NULL, 0), ERR_INVAL);
	ASSERT_EQ_INT(goplugin_handshake_line(&b, 0, "unix", "/tmp/a", NULL, 0), ERR_INVAL);
	ASSERT_EQ_UINT(b.len, 0);
	buf_release(&b);
}

TEST(reattach_json_matches_terraform_format)
{
	struct buf b;

	buf_init(&b, 1024);
	ASSERT_EQ_INT(goplugin_reattach_json(&b, "registry.terraform.io/scaleway/scaleway", 6, 4242, "unix",
					     "/tmp/plugin1/plugin.sock"),
		      0);
	ASSERT_EQ_STR(
		b.data,
		"{\"registry.terraform.io/scaleway/scaleway\":{\"Protocol\":\"grpc\",\"ProtocolVersion\":6,"
		"\"Pid\":4242,\"Test\":true,\"Addr\":{\"Network\":\"unix\",\"String\":\"/tmp/plugin1/plugin.sock\"}}}");
	buf_reset(&b);
	ASSERT_EQ_INT(goplugin_reattach_json(&b, "a/b/c", 6, 1, "unix", "/tmp/we\"ird\\dir/p.sock"), 0);
	ASSERT(strstr(b.data, "\"String\":\"/tmp/we\\\"ird\\\\dir/p.sock\"") != NULL);
	buf_release(&b);
}

int main(void)
{
	RUN(cookie_must_match_exactly);
	RUN(version_negotiation_picks_6_in_any_order);
	RUN(version_negotiation_explains_a_mismatch);
	RUN(version_list_must_be_digits_and_commas);
	RUN(base64_is_standard_alphabet_without_padding);
	RUN(handshake_line_without_tls_has_five_fields);
	RUN(handshake_line_with_tls_carries_the_der_certificate);
	RUN(handshake_line_rejects_separators_in_fields);
	RUN(reattach_json_matches_terraform_format);
	return test_done();
}
