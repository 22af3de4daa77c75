/* SPDX-License-Identifier: MIT */
/*
 * frame: gRPC's byte-level conventions over HTTP/2, with no I/O: the 5-byte message prefix
 * (compressed flag + big-endian length) that length-delimits messages inside a stream's DATA
 * bytes, the percent-encoding of grpc-message, and the status codes and their names.
 */
#ifndef GRPC_FRAME_H
#define GRPC_FRAME_H
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define GRPC_PREFIX_LEN 5

enum grpc_status {
	GRPC_STATUS_OK = 0,
	GRPC_STATUS_CANCELLED = 1,
	GRPC_STATUS_UNKNOWN = 2,
	GRPC_STATUS_INVALID_ARGUMENT = 3,
	GRPC_STATUS_DEADLINE_EXCEEDED = 4,
	GRPC_STATUS_NOT_FOUND = 5,
	GRPC_STATUS_ALREADY_EXISTS = 6,
	GRPC_STATUS_PERMISSION_DENIED = 7,
	GRPC_STATUS_RESOURCE_EXHAUSTED = 8,
	GRPC_STATUS_FAILED_PRECONDITION = 9,
	GRPC_STATUS_ABORTED = 10,
	GRPC_STATUS_OUT_OF_RANGE = 11,
	GRPC_STATUS_UNIMPLEMENTED = 12,
	GRPC_STATUS_INTERNAL = 13,
	GRPC_STATUS_UNAVAILABLE = 14,
	GRPC_STATUS_DATA_LOSS = 15,
	GRPC_STATUS_UNAUTHENTICATED = 16,
};

/* "OK", "CANCELLED", ... ; "UNKNOWN_STATUS" outside 0..16. Static storage. */
const char *grpc_status_name(int status);
/* Write the prefix of an uncompressed message of len bytes. ERR_TOOBIG when len > UINT32_MAX. */
int grpc_prefix_write(uint8_t out[GRPC_PREFIX_LEN], size_t len);
/* Read the message starting at *off in p[0..n): on 0, *msg and *msg_len point into p, *compressed
 * is the flag byte, *off moves past the message. ERR_EOF: *off == n (no more messages).
 * ERR_PARSE: a truncated prefix or message, or a flag byte other than 0 and 1. *off is only
 * moved on success. */
int grpc_message_next(const uint8_t *p, size_t n, size_t *off, const uint8_t **msg, size_t *msg_len, int *compressed);
/* Append s[0..n) percent-encoded as grpc-message wants: bytes outside 0x20..0x7e and '%'
 * become "%XX" (uppercase hex). */
int grpc_pct_encode(struct buf *out, const char *s, size_t n);
/* Decode grpc-message: "%XX" becomes the byte; a '%' not followed by two hex digits is kept
 * as it is (the gRPC spec asks receivers to be lenient). */
int grpc_pct_decode(struct buf *out, const char *s, size_t n);

#endif
