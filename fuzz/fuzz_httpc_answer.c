/* SPDX-License-Identifier: MIT */
/*
 * fuzz_httpc_answer: the provider's HTTP/1.1 client reading an answer from an untrusted server
 * (net/httpc_read.c: status line, header fields, 1xx answers, Content-Length, chunked coding,
 * bodies to the end of the stream). The first byte picks the request method and how the bytes
 * arrive (all at once, or in small reads, to reach every refill path); the rest is what the
 * server sends. Then the header look-up the API client uses runs on what was read.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "net/httpc.h"
#include "net/httpc_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const uint8_t *p;
	size_t n, step;
};

static long src_read(void *io, void *p, size_t n, enum httpc_err *err)
{
	struct src *s = io;
	size_t take = s->n < n ? s->n : n;

	(void)err;
	if (s->step && take > s->step)
		take = s->step;
	memcpy(p, s->p, take);
	s->p += take;
	s->n -= take;
	return (long)take;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "PATCH", "DELETE", "HEAD" };
	struct httpc_response resp;
	struct src s;
	struct rd r;
	char val[256];
	int keep;

	if (size < 1)
		return 0;
	s.p = data + 1;
	s.n = size - 1;
	s.step = (data[0] >> 3) & 7; /* 0: whole reads; 1-7: that many bytes at a time */
	memset(&resp, 0, sizeof(resp));
	buf_init_secret(&resp.head, HEAD_MAX);
	buf_init_secret(&resp.body, 1 << 20);
	memset(&r, 0, sizeof(r));
	r.read = src_read;
	r.io = &s;
	if (httpc_read_answer(&r, methods[data[0] % 5], &resp, &keep) == HTTPC_OK) {
		httpc_response_header(&resp, "Content-Type", val, sizeof(val));
		httpc_response_header(&resp, "Retry-After", val, sizeof(val));
	}
	mem_wiping_free(r.b);
	httpc_response_release(&resp);
	return 0;
}
