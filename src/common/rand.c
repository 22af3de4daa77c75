/* SPDX-License-Identifier: MIT */
/* rand: random identifiers and their format checks. */
#include <openssl/rand.h>
#include <sys/random.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"

int rand_bytes(void *buf, size_t n)
{
	if (n > (size_t)INT32_MAX)
		return ERR_RANGE;
	if (RAND_bytes(buf, (int)n) != 1)
		return ERR_INTERNAL;
	return 0;
}

static void uuid_v4_format(uint8_t b[16], char out[UUID_STR_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

int rand_uuid_v4(char out[UUID_STR_LEN + 1])
{
	uint8_t b[16];
	int r = rand_bytes(b, sizeof(b));

	if (r < 0)
		return r;
	uuid_v4_format(b, out);
	return 0;
}

int rand_uuid_v4_plain(char out[UUID_STR_LEN + 1])
{
	uint8_t b[16];

	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b))
		return ERR_IO;
	uuid_v4_format(b, out);
	return 0;
}

int rand_access_key(char out[ACCESS_KEY_LEN + 1])
{
	static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uint8_t b[17];
	size_t i;
	int r = rand_bytes(b, sizeof(b));

	if (r < 0)
		return r;
	out[0] = 'S';
	out[1] = 'C';
	out[2] = 'W';
	for (i = 0; i < 17; i++)
		out[3 + i] = crockford[b[i] & 31]; /* 32 symbols: the low 5 bits are uniform */
	out[ACCESS_KEY_LEN] = '\0';
	mem_wipe(b, sizeof(b));
	return 0;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int uuid_is_valid(const char *s, size_t n)
{
	size_t i;

	if (!s || n != UUID_STR_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex(s[i])) {
			return 0;
		}
	}
	return 1;
}

int access_key_is_valid(const char *s, size_t n)
{
	size_t i;

	if (!s || n != ACCESS_KEY_LEN || s[0] != 'S' || s[1] != 'C' || s[2] != 'W')
		return 0;
	for (i = 3; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}
