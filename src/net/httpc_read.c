/* SPDX-License-Identifier: MIT */
/*
 * httpc_read: reading one HTTP/1.x answer (see httpc_int.h): status line, header fields, 1xx
 * answers skipped, and the body by Content-Length, chunked coding or the end of the stream.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "net/httpc.h"
#include "net/httpc_int.h"

#define READ_CHUNK (16 * 1024)

/* Make at least want unread bytes available. 1, 0 at the end of the stream, -1 (r->err). */
static int rd_need(struct rd *r, size_t want)
{
	long n;
	uint8_t *nb;

	while (r->len - r->pos < want) {
		if (r->pos > 0) {
			memmove(r->b, r->b + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		if (r->cap - r->len < READ_CHUNK) {
			if (r->cap > HEAD_MAX + 2 * READ_CHUNK) {
				r->err = HTTPC_E_TOOBIG;
				return -1;
			}
			nb = mem_wiping_realloc(r->b, r->cap + READ_CHUNK);
			if (!nb) {
				r->err = HTTPC_E_NOMEM;
				return -1;
			}
			r->b = nb;
			r->cap += READ_CHUNK;
		}
		n = r->read(r->io, r->b + r->len, r->cap - r->len, &r->err);
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		r->len += (size_t)n;
		r->total += (size_t)n;
	}
	return 1;
}

/* A line ending in CRLF (or LF), at most max bytes; the line and its length exclude the
 * ending. 1, 0 (end of stream first), -1. */
static int rd_line(struct rd *r, size_t max, const char **line, size_t *n)
{
	uint8_t *nl;
	int k;

	for (;;) {
		nl = r->b ? memchr(r->b + r->pos, '\n', r->len - r->pos) : NULL;
		if (nl) {
			*line = (const char *)r->b + r->pos;
			*n = (size_t)(nl - (r->b + r->pos));
			r->pos += *n + 1;
			if (*n > 0 && (*line)[*n - 1] == '\r')
				(*n)--;
			return 1;
		}
		if (r->len - r->pos > max) {
			r->err = HTTPC_E_TOOBIG;
			return -1;
		}
		k = rd_need(r, r->len - r->pos + 1);
		if (k <= 0)
			return k;
	}
}

/* n body bytes into out. */
static int rd_body(struct rd *r, size_t n, struct buf *out)
{
	size_t take;
	int k;

	while (n > 0) {
		if (r->len == r->pos) {
			k = rd_need(r, 1);
			if (k <= 0) {
				if (k == 0)
					r->err = HTTPC_E_PARTIAL;
				return -1;
			}
		}
		take = r->len - r->pos < n ? r->len - r->pos : n;
		if (buf_append(out, r->b + r->pos, take) < 0) {
			r->err = HTTPC_E_TOOBIG;
			return -1;
		}
		r->pos += take;
		n -= take;
	}
	return 0;
}

int httpc_hdr_is(const char *line, size_t n, const char *name, const char **val, size_t *vlen)
{
	size_t k = strlen(name);

	if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0)
		return 0;
	*val = line + k + 1;
	*vlen = n - k - 1;
	while (*vlen && (**val == ' ' || **val == '\t')) {
		(*val)++;
		(*vlen)--;
	}
	while (*vlen && ((*val)[*vlen - 1] == ' ' || (*val)[*vlen - 1] == '\t'))
		(*vlen)--;
	return 1;
}

static int has_token(const char *v, size_t n, const char *tok)
{
	size_t k = strlen(tok), i = 0, s;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == ',' || v[i] == '\t'))
			i++;
		s = i;
		while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
			i++;
		if (i - s == k && !strncasecmp(v + s, tok, k))
			return 1;
	}
	return 0;
}

enum httpc_err httpc_read_answer(struct rd *r, const char *method, struct httpc_response *resp, int *keep)
{
	const char *line, *v;
	size_t n, vlen, clen = 0, chunk;
	int k, chunked, has_len, close_conn, v10, st;
	char *end;

	*keep = 0;
	for (;;) { /* 1xx answers are skipped */
		k = rd_line(r, HEAD_MAX, &line, &n);
		if (k <= 0)
			return k == 0 ? (r->total ? HTTPC_E_PROTO : HTTPC_E_NOTHING) : r->err;
		if (n < 12 || strncmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' || !strchr("0123456789", line[9]) ||
		    !strchr("0123456789", line[10]) || !strchr("0123456789", line[11]) || (n > 12 && line[12] != ' '))
			return HTTPC_E_PROTO;
		v10 = line[7] == '0';
		st = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
		chunked = has_len = 0;
		close_conn = v10;
		buf_reset(&resp->head);
		for (;;) {
			k = rd_line(r, HEAD_MAX, &line, &n);
			if (k <= 0)
				return k == 0 ? HTTPC_E_PROTO : r->err;
			if (n == 0)
				break;
			if (buf_append(&resp->head, line, n) < 0 || buf_append(&resp->head, "\r\n", 2) < 0)
				return HTTPC_E_TOOBIG;
			if (httpc_hdr_is(line, n, "Content-Length", &v, &vlen)) {
				char num[24];

				if (vlen == 0 || vlen >= sizeof(num) || strspn(v, "0123456789") < vlen)
					return HTTPC_E_PROTO;
				memcpy(num, v, vlen);
				num[vlen] = '\0';
				errno = 0;
				chunk = strtoull(num, &end, 10);
				if (errno || (has_len && chunk != clen))
					return HTTPC_E_PROTO;
				clen = chunk;
				has_len = 1;
			} else if (httpc_hdr_is(line, n, "Transfer-Encoding", &v, &vlen)) {
				chunked = vlen >= 7 && !strncasecmp(v + vlen - 7, "chunked", 7);
				if (!chunked)
					close_conn = 1; /* another coding: delimited by the end of the stream */
			} else if (httpc_hdr_is(line, n, "Connection", &v, &vlen)) {
				if (has_token(v, vlen, "close"))
					close_conn = 1;
				else if (v10 && has_token(v, vlen, "keep-alive"))
					close_conn = 0;
			}
		}
		if (st >= 200 || st < 100)
			break;
		if (st == 101)
			return HTTPC_E_PROTO;
	}
	resp->status = st;
	if (!strcmp(method, "HEAD") || st == 204 || st == 304)
		goto done;
	if (chunked) {
		for (;;) {
			k = rd_line(r, 1024, &line, &n);
			if (k <= 0)
				return k == 0 ? HTTPC_E_PARTIAL : r->err;
			if (n == 0 || !strchr("0123456789abcdefABCDEF", line[0]))
				return HTTPC_E_PROTO;
			errno = 0;
			chunk = strtoull(line, &end, 16);
			if (errno || end - line > 15)
				return HTTPC_E_PROTO;
			if (chunk == 0)
				break;
			if (rd_body(r, chunk, &resp->body) < 0)
				return r->err;
			k = rd_line(r, 2, &line, &n);
			if (k <= 0 || n != 0)
				return k == 0 ? HTTPC_E_PARTIAL : k < 0 ? r->err : HTTPC_E_PROTO;
		}
		for (;;) { /* trailer fields, dropped */
			k = rd_line(r, HEAD_MAX, &line, &n);
			if (k <= 0)
				return k == 0 ? HTTPC_E_PARTIAL : r->err;
			if (n == 0)
				break;
		}
	} else if (has_len) {
		if (rd_body(r, clen, &resp->body) < 0)
			return r->err;
	} else {
		close_conn = 1;
		for (;;) { /* to the end of the stream */
			if (r->len > r->pos) {
				if (buf_append(&resp->body, r->b + r->pos, r->len - r->pos) < 0)
					return HTTPC_E_TOOBIG;
				r->pos = r->len;
			}
			k = rd_need(r, 1);
			if (k < 0)
				return r->err;
			if (k == 0)
				break;
		}
	}
done:
	*keep = !close_conn && r->pos == r->len;
	return HTTPC_OK;
}
