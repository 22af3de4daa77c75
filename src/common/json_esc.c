/* SPDX-License-Identifier: MIT */
/* json_esc: JSON string escaping into a capped buffer. */
#include <stdio.h>
#include <string.h>

#include "common/compat.h"
#include "common/json_esc.h"

int json_esc_append(struct buf *b, const char *s, size_t n)
{
	size_t i, start = 0;
	int r = buf_append_byte(b, '"');

	for (i = 0; r == 0 && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\')
			continue;
		r = buf_append(b, s + start, i - start);
		if (r < 0)
			break;
		switch (c) {
		case '"': r = buf_append(b, "\\\"", 2); break;
		case '\\': r = buf_append(b, "\\\\", 2); break;
		case '\n': r = buf_append(b, "\\n", 2); break;
		case '\r': r = buf_append(b, "\\r", 2); break;
		case '\t': r = buf_append(b, "\\t", 2); break;
		default: snprintf(esc, sizeof(esc), "\\u%04x", c); r = buf_append(b, esc, 6);
		}
		start = i + 1;
	}
	if (r == 0)
		r = buf_append(b, s + start, n - start);
	if (r == 0)
		r = buf_append_byte(b, '"');
	return r;
}
