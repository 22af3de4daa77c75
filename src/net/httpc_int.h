/* SPDX-License-Identifier: MIT */
/*
 * httpc_int: what httpc.c (connections, exchanges) and httpc_read.c (reading an answer) share.
 * Not for use outside src/net (and its tests).
 */
#ifndef NET_HTTPC_INT_H
#define NET_HTTPC_INT_H
#include <stddef.h>
#include <stdint.h>

#include "net/httpc.h"

#define HEAD_MAX (64 * 1024) /* an answer's status line and header fields */

/* The buffered reader of one answer, over read() (> 0 bytes, 0 at the end of the stream, -1 with
 * *err set). Its bytes may hold secrets: b is a mem_wiping_malloc block. */
struct rd {
	long (*read)(void *io, void *p, size_t n, enum httpc_err *err);
	void *io;
	uint8_t *b;
	size_t len, pos, cap;
	size_t total; /* bytes received on this exchange */
	enum httpc_err err;
};

/* Read one answer into resp (status, header lines, body). method "HEAD" has no body. *keep: the
 * connection may serve another request (delimited body, no "Connection: close", nothing extra). */
enum httpc_err httpc_read_answer(struct rd *r, const char *method, struct httpc_response *resp, int *keep);
/* 1 when line (n bytes) is the header field name; *val / *vlen: its value without surrounding
 * whitespace. */
int httpc_hdr_is(const char *line, size_t n, const char *name, const char **val, size_t *vlen);

#endif
