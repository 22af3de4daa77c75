/* SPDX-License-Identifier: MIT */
/* Fuzz the RFC 3339 parser: any accepted input must format and re-parse to the same instant. */
#include <stdint.h>
#include <stdlib.h>

#include "common/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tstamp t, t2;
	char out[TIME_RFC3339_MAX];
	size_t n;

	if (time_rfc3339_parse((const char *)data, size, &t) != 0)
		return 0;
	n = time_rfc3339_format(t, out);
	if (time_rfc3339_parse(out, n, &t2) != 0 || time_cmp(t, t2) != 0)
		abort();
	return 0;
}
