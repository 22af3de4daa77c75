/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the JSON state decoder (UpgradeResourceState raw_state.json) under a resource-like object
 * type: accepted input must encode to msgpack and decode back to an equal value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tfplugin/cty.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char ts[] =
		"[\"object\",{\"id\":\"string\",\"n\":\"number\",\"b\":\"bool\",\"tags\":[\"list\",\"string\"],"
		"\"m\":[\"map\",\"number\"],\"s\":[\"set\",\"string\"],\"d\":\"dynamic\"}]";
	struct cty_type *t = NULL;
	struct cty_value v, w;
	struct buf b;

	if (cty_type_from_json(ts, sizeof(ts) - 1, &t) != 0)
		abort();
	buf_init(&b, 1 << 24);
	if (cty_json_decode((const char *)data, size, t, &v, NULL) == 0) {
		if (!cty_value_wholly_known(&v) || cty_msgpack_encode(&v, t, &b) != 0)
			abort();
		if (cty_msgpack_decode((const uint8_t *)b.data, b.len, t, &w, NULL) != 0 || !cty_value_equal(&v, &w))
			abort();
		cty_value_release(&w);
	}
	cty_value_release(&v);
	buf_release(&b);
	cty_type_free(t);
	return 0;
}
