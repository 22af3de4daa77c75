/* SPDX-License-Identifier: MIT */
/* gate_addr_key: the key a client address counts under for --per-ip-connections. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "server/gate.h"
#include "test.h"

static void key_of(const char *text, uint8_t key[16])
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(40000);
		inet_pton(AF_INET6, text, &in6->sin6_addr);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(40000);
		inet_pton(AF_INET, text, &in->sin_addr);
	}
	gate_addr_key(&ss, key);
}

static int same(const char *a, const char *b)
{
	uint8_t ka[16], kb[16];

	key_of(a, ka);
	key_of(b, kb);
	return memcmp(ka, kb, 16) == 0;
}

TEST(ipv4_addresses_count_one_by_one)
{
	ASSERT(same("192.0.2.1", "192.0.2.1"));
	ASSERT(!same("192.0.2.1", "192.0.2.2"));
	ASSERT(!same("127.0.0.1", "127.0.0.2"));
}

TEST(ipv4_is_the_same_client_when_written_v4_mapped)
{
	ASSERT(same("192.0.2.1", "::ffff:192.0.2.1"));
	ASSERT(!same("::ffff:192.0.2.1", "::ffff:192.0.2.2")); /* not folded into a /64 */
}

TEST(ipv6_addresses_count_per_64_prefix)
{
	ASSERT(same("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"));
	ASSERT(same("2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb::2"));
	ASSERT(!same("2001:db8:1:2::1", "2001:db8:1:3::1"));
	ASSERT(!same("2001:db8::1", "192.0.2.1"));
	ASSERT(same("::1", "::2"));
}

int main(void)
{
	RUN(ipv4_addresses_count_one_by_one);
	RUN(ipv4_is_the_same_client_when_written_v4_mapped);
	RUN(ipv6_addresses_count_per_64_prefix);
	return test_done();
}
