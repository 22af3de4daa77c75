/* SPDX-License-Identifier: MIT */
/*
 * goplugin: go-plugin launch-protocol strings (see goplugin.h). The handshake certificate is
 * Go's base64.RawStdEncoding: standard alphabet, padding stripped.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/err.h"
#include "common/json_esc.h"
#include "common/mem.h"
#include "net/goplugin.h"

int goplugin_cookie_ok(const char *value)
{
	size_t n = strlen(GOPLUGIN_COOKIE_VALUE);

	return value && strlen(value) == n && memcmp(value, GOPLUGIN_COOKIE_VALUE, n) == 0;
}

int goplugin_pick_version(const char *offered, int want, struct buf *why)
{
	const char *p = offered, *end;
	int found = 0;

	if (!offered || !*offered)
		return 0;
	while (*p) {
		long long v = 0;
		size_t len, i;

		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		/* Digits only, like Go's strconv.Atoi on what go-plugin splits (no spaces, no sign). */
		if (len == 0 || len > 9)
			goto bad;
		for (i = 0; i < len; i++) {
			if (p[i] < '0' || p[i] > '9')
				goto bad;
			v = v * 10 + (p[i] - '0');
		}
		if (v == want)
			found = 1;
		p += len;
		if (*p == ',')
			p++;
		if (end && !*p)
			goto bad; /* trailing comma */
	}
	if (found)
		return 0;
	if (why)
		buf_printf(why,
			   "this provider speaks plugin protocol %d only, and the client offered "
			   "PLUGIN_PROTOCOL_VERSIONS=%s: use Terraform 1.0 or later",
			   want, offered);
	return ERR_UNSUPPORTED;
bad:
	if (why)
		buf_printf(why, "malformed PLUGIN_PROTOCOL_VERSIONS=%s", offered);
	return ERR_PARSE;
}

int goplugin_b64_nopad(struct buf *out, const uint8_t *p, size_t n)
{
	size_t enc = 4 * ((n + 2) / 3);
	int r, len;

	if (n > (size_t)(INT32_MAX / 4 * 3 - 3))
		return ERR_TOOBIG;
	r = buf_reserve(out, enc + 1);
	if (r < 0)
		return r;
	len = EVP_EncodeBlock((unsigned char *)out->data + out->len, p, (int)n);
	while (len > 0 && out->data[out->len + (size_t)len - 1] == '=')
		len--;
	out->len += (size_t)len;
	out->data[out->len] = '\0';
	return 0;
}

static int field_ok(const char *s)
{
	return s && *s && !strpbrk(s, "|\r\n");
}

int goplugin_handshake_line(struct buf *out, int version, const char *network, const char *addr, const uint8_t *der,
			    size_t der_len)
{
	int r;

	if (!field_ok(network) || !field_ok(addr) || version <= 0)
		return ERR_INVAL;
	r = buf_printf(out, "1|%d|%s|%s|grpc", version, network, addr);
	if (r < 0)
		return r;
	if (der) {
		r = buf_append_byte(out, '|');
		if (r < 0)
			return r;
		r = goplugin_b64_nopad(out, der, der_len);
		if (r < 0)
			return r;
	}
	return buf_append_byte(out, '\n');
}

int goplugin_reattach_json(struct buf *out, const char *source, int version, long pid, const char *network,
			   const char *addr)
{
	int r = buf_append_byte(out, '{');

	if (r == 0)
		r = json_esc_append(out, source, strlen(source));
	if (r == 0)
		r = buf_printf(out,
			       ":{\"Protocol\":\"grpc\",\"ProtocolVersion\":%d,\"Pid\":%ld,\"Test\":true,"
			       "\"Addr\":{\"Network\":",
			       version, pid);
	if (r == 0)
		r = json_esc_append(out, network, strlen(network));
	if (r == 0)
		r = buf_append_str(out, ",\"String\":");
	if (r == 0)
		r = json_esc_append(out, addr, strlen(addr));
	if (r == 0)
		r = buf_append_str(out, "}}}");
	return r;
}
