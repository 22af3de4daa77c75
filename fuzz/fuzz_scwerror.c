/* SPDX-License-Identifier: MIT */
/*
 * fuzz_scwerror: Scaleway error bodies (client/scwclient) from untrusted servers. The first byte
 * picks the status; the rest is the body. Parse, format and map every argument name.
 */
#include <stddef.h>
#include <stdint.h>

#include "client/scwclient.h"
#include "common/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 400, 401, 403, 404, 409, 412, 429, 500, 501, 503 };
	struct scwclient_error e;
	struct buf b;
	char attr[64];
	size_t i;

	if (size < 1)
		return 0;
	if (scwclient_error_parse(statuses[data[0] % 10], NULL, (const char *)data + 1, size - 1, &e) != 0)
		return 0;
	buf_init(&b, 1 << 16);
	scwclient_error_format(&e, &b);
	buf_release(&b);
	for (i = 0; i < e.ndetails; i++)
		if (e.details[i].argument_name)
			scwclient_error_attr(e.details[i].argument_name, attr, sizeof(attr));
	scwclient_error_release(&e);
	return 0;
}
