/* SPDX-License-Identifier: MIT */
/* frame: gRPC message prefixes, grpc-message percent-encoding and status names (see frame.h). */
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "grpc/frame.h"

static const char *const status_names[] = {
	"OK",        "CANCELLED",       "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS",  "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
	"ABORTED",   "OUT_OF_RANGE",    "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
	"DATA_LOSS", "UNAUTHENTICATED",
};

const char *grpc_status_name(int status)
{
	if (status < 0 || (size_t)status >= sizeof(status_names) / sizeof(status_names[0]))
		return "UNKNOWN_STATUS";
	return status_names[status];
}

int grpc_prefix_write(uint8_t out[GRPC_PREFIX_LEN], size_t len)
{
	if (len > UINT32_MAX)
		return ERR_TOOBIG;
	out[0] = 0;
	out[1] = (uint8_t)(len >> 24);
	out[2] = (uint8_t)(len >> 16);
	out[3] = (uint8_t)(len >> 8);
	out[4] = (uint8_t)len;
	return 0;
}

int grpc_message_next(const uint8_t *p, size_t n, size_t *off, const uint8_t **msg, size_t *msg_len, int *compressed)
{
	size_t o = *off, len;

	if (o >= n)
		return ERR_EOF;
	if (n - o < GRPC_PREFIX_LEN || p[o] > 1)
		return ERR_PARSE;
	len = (size_t)p[o + 1] << 24 | (size_t)p[o + 2] << 16 | (size_t)p[o + 3] << 8 | (size_t)p[o + 4];
	if (n - o - GRPC_PREFIX_LEN < len)
		return ERR_PARSE;
	*compressed = p[o];
	*msg = p + o + GRPC_PREFIX_LEN;
	*msg_len = len;
	*off = o + GRPC_PREFIX_LEN + len;
	return 0;
}

int grpc_pct_encode(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c >= 0x20 && c <= 0x7e && c != '%') {
			r = buf_append_byte(out, c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			r = buf_append(out, e, sizeof(e));
		}
	}
	return r;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int grpc_pct_decode(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		int hi = -1, lo = -1;

		if (s[i] == '%' && n - i >= 3) {
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			r = buf_append_byte(out, (uint8_t)(hi << 4 | lo));
			i += 2;
		} else {
			r = buf_append_byte(out, (uint8_t)s[i]);
		}
	}
	return r;
}
