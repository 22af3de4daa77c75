/* SPDX-License-Identifier: MIT */
/*
 * Fuzz gRPC framing: split the input into length-prefixed messages (every accepted message lies
 * inside the input and the cursor only moves forward), and check that grpc-message
 * percent-encoding round-trips any bytes and only ever emits printable ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "grpc/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *msg;
	size_t off = 0, len, i;
	int comp, r;
	struct buf enc, dec;

	for (;;) {
		size_t before = off;

		r = grpc_message_next(data, size, &off, &msg, &len, &comp);
		if (r < 0) {
			if (off != before)
				abort();
			break;
		}
		if (off <= before || msg < data || msg + len > data + size || (comp != 0 && comp != 1))
			abort();
	}
	buf_init(&enc, 3 * size + 1);
	buf_init(&dec, size + 1);
	if (grpc_pct_encode(&enc, (const char *)data, size) != 0)
		abort();
	for (i = 0; i < enc.len; i++)
		if ((uint8_t)enc.data[i] < 0x20 || (uint8_t)enc.data[i] > 0x7e)
			abort();
	if (grpc_pct_decode(&dec, enc.data ? enc.data : "", enc.len) != 0 || dec.len != size ||
	    (size && memcmp(dec.data, data, size) != 0))
		abort();
	buf_reset(&dec);
	grpc_pct_decode(&dec, (const char *)data, size); /* lenient on anything */
	buf_release(&enc);
	buf_release(&dec);
	return 0;
}
