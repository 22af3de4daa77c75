/* SPDX-License-Identifier: MIT */
/*
 * validate: the character-level rules of scw-iamd's outside input, in one place.
 *   - Field rules: the constraints Scaleway publishes with its SDKs (the generated ValidationRules
 *     of the IAM v1alpha1 API): an application name is 1-64 characters of letters, digits, space
 *     and ()._-; a username 2-64 characters of letters, digits and @._-; descriptions at most 200
 *     characters; first and last names at most 64. vld_field() checks a value against the rule
 *     of its argument name (the names api_parse reports: "name", "member.username", ...).
 *   - Control bytes: NUL and the other C0 bytes and DEL are refused in path ids, query keys and
 *     values (vld_has_ctl); the HTTP front decodes %00 to DEL so that no decoded value is cut
 *     short by a NUL (vld_unescape).
 *   - Header values: optional whitespace around a field value is not part of it (RFC 9110 5.5,
 *     vld_trim_ows).
 *   - The request head (vld_head): what the HTTP front checks itself before libmicrohttpd reads a
 *     new connection's first request: the request line's shape, the head's size and bytes.
 * Pure functions: no allocation, no I/O.
 */
#ifndef SERVER_VALIDATE_H
#define SERVER_VALIDATE_H
#include <stddef.h>

#define VLD_HEAD_MAX (16 * 1024) /* request line + header fields + the empty line */
#define VLD_PAGE_MAX 10000       /* page parameter upper bound (ListXRequest.page) */
#define VLD_FIELDS_MAX 64        /* header fields in a request head */
#define VLD_QUERY_MAX 8192       /* bytes of a query string (over it: 414) */
#define VLD_QUERY_PARAMS_MAX 256 /* query parameters (over it: 400 naming query) */
/* libmicrohttpd 0.9.75 keeps a request's head and a 56-byte record per header field and query
 * parameter in its 32 KiB per-connection pool and answers HTML when it overflows: heads that
 * would need more than VLD_POOL_BUDGET are refused (431 JSON) before it sees them. */
#define VLD_RECORD_COST 64
#define VLD_POOL_BUDGET (28 * 1024)

/* Check value s[0..n) (UTF-8) against the published rule of argument argname. 0 when it obeys
 * (or argname has no rule); otherwise -1 with *reason ("constraint" or "format") and a help
 * message written to help (hn bytes). */
int vld_field(const char *argname, const char *s, size_t n, const char **reason, char *help, size_t hn);
/* 1 when s[0..n) holds a control byte (0x00-0x1f or 0x7f). */
int vld_has_ctl(const char *s, size_t n);
/* Percent-decode s in place ("%41" -> 'A'; a malformed escape is kept as is). A decoded NUL
 * becomes DEL (0x7f), so that the result never holds a NUL and the control-byte checks see it.
 * Returns the new length; s is NUL-terminated. */
size_t vld_unescape(char *s);
/* Trim optional whitespace (SP, HTAB) on both sides: *s and *n are adjusted. */
void vld_trim_ows(const char **s, size_t *n);

enum vld_head_result {
	VLD_HEAD_INCOMPLETE = 0, /* no end of head yet, nothing wrong so far */
	VLD_HEAD_OK,             /* a complete, well-formed head of *head_len bytes */
	VLD_HEAD_BAD,            /* malformed request line or header bytes: 400 */
	VLD_HEAD_TOO_BIG,        /* no end of head within VLD_HEAD_MAX bytes: 431 */
	VLD_HEAD_BAD_LENGTH,     /* the body's length is unclear (Content-Length, Transfer-Encoding): 400 */
};
/* Look at the first n bytes a client sent on a new connection. The request line must be
 * METHOD SP TARGET SP HTTP/1.x CRLF (a token method, an origin-form or asterisk target without
 * control bytes or spaces); header lines must not hold NUL or bare CR; more than VLD_FIELDS_MAX
 * header fields, or a head over VLD_POOL_BUDGET with its records, is VLD_HEAD_TOO_BIG. The body's
 * framing must be clear (RFC 9112 6.3): Content-Length one decimal number (repeats must agree),
 * Transfer-Encoding only "chunked", never both; else VLD_HEAD_BAD_LENGTH. */
enum vld_head_result vld_head(const char *p, size_t n, size_t *head_len);

#endif
