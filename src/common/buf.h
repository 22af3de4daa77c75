/* SPDX-License-Identifier: MIT */
/*
 * buf: a growable byte buffer with a hard cap set at init (curl's dynbuf idea). All growth
 * happens in buf_reserve(); appends past the cap fail with ERR_TOOBIG and leave the buffer
 * unchanged. The content is always NUL-terminated (the NUL is not counted in len).
 * Plain struct: callers may read .data/.len directly; only buf_* functions write it.
 */
#ifndef COMMON_BUF_H
#define COMMON_BUF_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data; /* NULL until the first append; NUL-terminated after */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* hard limit on len */
	int secret; /* wipe on growth and release */
};

/* Set up an empty buffer that may hold at most max bytes. */
void buf_init(struct buf *b, size_t max);
/* Same, and every reallocation and the release wipe the old memory (for secrets). */
void buf_init_secret(struct buf *b, size_t max);
/* Free the contents (wiping them when secret); the buffer is empty and reusable. */
void buf_release(struct buf *b);
/* Forget the contents but keep the allocation. */
void buf_reset(struct buf *b);
/* Make room for n more bytes. ERR_TOOBIG past max, ERR_NOMEM. */
int buf_reserve(struct buf *b, size_t n);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_append_byte(struct buf *b, uint8_t c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hand the contents to the caller (who frees them); the buffer becomes empty. *len may be NULL. */
char *buf_steal(struct buf *b, size_t *len);

#endif
