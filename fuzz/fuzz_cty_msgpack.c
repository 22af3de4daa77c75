/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the schema-driven msgpack decoder. The first byte picks one of several types (a resource
 * object, collections, dynamic); whatever decodes must encode again, and that encoding must
 * decode to an equal value and re-encode to the same bytes (the encoder's forms are canonical).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tfplugin/cty.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = {
	"[\"object\",{\"id\":\"string\",\"n\":\"number\",\"b\":\"bool\",\"tags\":[\"list\",\"string\"],"
	"\"m\":[\"map\",\"number\"],\"s\":[\"set\",\"string\"],\"d\":\"dynamic\"}]",
	"\"dynamic\"",
	"[\"list\",[\"tuple\",[\"number\",\"string\"]]]",
	"[\"set\",[\"set\",\"number\"]]",
	"\"number\"",
	"\"string\"",
	"[\"map\",[\"object\",{\"a\":\"bool\"}]]",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cty_type *t = NULL;
	struct cty_value v, w;
	struct buf b1, b2;
	const char *ts;

	if (size < 1)
		return 0;
	ts = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	if (cty_type_from_json(ts, strlen(ts), &t) != 0)
		abort();
	buf_init(&b1, 1 << 24);
	buf_init(&b2, 1 << 24);
	if (cty_msgpack_decode(data + 1, size - 1, t, &v, NULL) == 0) {
		if (cty_msgpack_encode(&v, t, &b1) != 0)
			abort();
		if (cty_msgpack_decode((const uint8_t *)b1.data, b1.len, t, &w, NULL) != 0)
			abort();
		if (!cty_value_equal(&v, &w) && cty_value_wholly_known(&v))
			abort();
		if (cty_msgpack_encode(&w, t, &b2) != 0 || b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
			abort();
		cty_value_release(&w);
	}
	cty_value_release(&v);
	buf_release(&b1);
	buf_release(&b2);
	cty_type_free(t);
	return 0;
}
