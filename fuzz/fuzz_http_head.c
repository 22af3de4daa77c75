/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the request-head checks of scw-iamd's connection gate (vld_head), which judge the first
 * bytes of every new connection before libmicrohttpd reads them. Invariants: a complete head
 * ends with an empty line inside the input and within VLD_HEAD_MAX bytes; the verdict on a
 * complete head does not change when more bytes follow it (the body, or a pipelined request);
 * a prefix of a well-formed head is never judged bad or too big (the limits on fields and on
 * libmicrohttpd's pool only grow with the head).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t len = 0, len2 = 0, cut;
	enum vld_head_result v = vld_head(p, size, &len);

	if (v == VLD_HEAD_OK) {
		if (len < 4 || len > size || len > VLD_HEAD_MAX || memcmp(p + len - 4, "\r\n\r\n", 4) != 0)
			abort();
		if (vld_head(p, len, &len2) != VLD_HEAD_OK || len2 != len)
			abort();
		for (cut = 0; cut < len; cut += 1 + cut / 8) {
			enum vld_head_result w = vld_head(p, cut, &len2);

			if (w == VLD_HEAD_BAD || w == VLD_HEAD_TOO_BIG || w == VLD_HEAD_BAD_LENGTH)
				abort();
		}
	} else if (len != 0) {
		abort();
	}
	return 0;
}
