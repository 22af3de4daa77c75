/* SPDX-License-Identifier: MIT */
/*
 * json_esc: append a JSON string literal (with quotes) to a buf. Encoding only: parsing JSON is
 * jansson's job. Control characters become \u00XX; bytes >= 0x80 are copied as they are.
 */
#ifndef COMMON_JSON_ESC_H
#define COMMON_JSON_ESC_H
#include <stddef.h>
#include "common/buf.h"

int json_esc_append(struct buf *b, const char *s, size_t n);

#endif
