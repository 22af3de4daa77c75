/* SPDX-License-Identifier: MIT */
/* validate: rules of outside input (see validate.h). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/compat.h"
#include "server/api_parse.h"
#include "server/validate.h"

struct field_rule {
	const char *arg;   /* argument name as reported in invalid_arguments */
	size_t min, max;   /* characters (code points) */
	const char *extra; /* ASCII characters allowed besides letters and digits; NULL: any text */
	const char *says;  /* the allowed set, for the help message */
};

/* Scaleway's ValidationRules (scaleway-sdk-js, iam v1alpha1 validation-rules.gen.ts). */
static const struct field_rule rules[] = {
	{ "name", 1, API_APP_NAME_MAX, " ()._-", "letters, digits, spaces and ()._-" },
	{ "username", 2, API_USER_FIELD_MAX, "@._-", "letters, digits and @._-" },
	{ "member.username", 2, API_USER_FIELD_MAX, "@._-", "letters, digits and @._-" },
	{ "description", 0, API_DESCRIPTION_MAX, NULL, NULL },
	{ "first_name", 0, API_USER_FIELD_MAX, NULL, NULL },
	{ "last_name", 0, API_USER_FIELD_MAX, NULL, NULL },
	{ "member.first_name", 0, API_USER_FIELD_MAX, NULL, NULL },
	{ "member.last_name", 0, API_USER_FIELD_MAX, NULL, NULL },
};

static int allowed(unsigned char c, const char *extra)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr(extra, c) != NULL);
}

int vld_field(const char *argname, const char *s, size_t n, const char **reason, char *help, size_t hn)
{
	size_t i, chars = 0;

	if (n == 0) /* emptiness is the caller's rule: "required", or "unchanged" in a PATCH */
		return 0;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct field_rule *r = &rules[i];
		size_t j;

		if (strcmp(r->arg, argname) != 0)
			continue;
		for (j = 0; j < n; j++)
			if (((unsigned char)s[j] & 0xc0) != 0x80)
				chars++;
		if (chars < r->min || chars > r->max) {
			*reason = "constraint";
			if (r->min)
				snprintf(help, hn, "%s must be %zu to %zu characters long", argname, r->min, r->max);
			else
				snprintf(help, hn, "%s must be at most %zu characters long", argname, r->max);
			return -1;
		}
		for (j = 0; r->extra && j < n; j++) {
			if (!allowed((unsigned char)s[j], r->extra)) {
				*reason = "format";
				snprintf(help, hn, "%s may only hold %s", argname, r->says);
				return -1;
			}
		}
		return 0;
	}
	return 0;
}

int vld_has_ctl(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

size_t vld_unescape(char *s)
{
	size_t i = 0, o = 0;

	while (s[i]) {
		int hi, lo;

		if (s[i] == '%' && (hi = OPENSSL_hexchar2int((unsigned char)s[i + 1])) >= 0 &&
		    (lo = OPENSSL_hexchar2int((unsigned char)s[i + 2])) >= 0) {
			char c = (char)(hi << 4 | lo);

			s[o++] = c ? c : 0x7f;
			i += 3;
		} else {
			s[o++] = s[i++];
		}
	}
	s[o] = '\0';
	return o;
}

void vld_trim_ows(const char **s, size_t *n)
{
	while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The request line p[0..n) (without CRLF): 1 when well-formed. */
static int request_line_ok(const char *p, size_t n)
{
	size_t i = 0, t;

	while (i < n && tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i > 16 || i >= n || p[i] != ' ')
		return 0;
	t = ++i;
	while (i < n && p[i] != ' ') {
		if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7f)
			return 0;
		i++;
	}
	if (i == t || i >= n || (p[t] != '/' && !(p[t] == '*' && i == t + 1)))
		return 0;
	i++;
	return n - i == 8 && memcmp(p + i, "HTTP/1.", 7) == 0 && (p[i + 7] == '0' || p[i + 7] == '1');
}

/* Query parameters libmicrohttpd will record for a request line already judged well-formed:
 * none when the HTTP front cuts the query off (over VLD_QUERY_MAX bytes or
 * VLD_QUERY_PARAMS_MAX parameters). */
static size_t query_params(const char *p, size_t n)
{
	const char *q = memchr(p, '?', n);
	size_t i, k = 1;

	if (!q)
		return 0;
	for (i = (size_t)(q - p) + 1; i < n && p[i] != ' '; i++)
		k += p[i] == '&';
	return k > VLD_QUERY_PARAMS_MAX || i - (size_t)(q - p) - 1 > VLD_QUERY_MAX ? 0 : k;
}

static int ascii_ieq(const char *a, size_t n, const char *lower)
{
	size_t i;

	if (strlen(lower) != n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] - 'A' + 'a') : a[i];

		if (c != lower[i])
			return 0;
	}
	return 1;
}

struct framing {
	unsigned long long length;
	int has_length, chunked;
};

/* The header line p[0..n) (holding a colon) as far as the body's framing goes: -1 when it makes
 * the length of the body unclear. */
static int framing_field(const char *p, size_t n, struct framing *f)
{
	const char *colon = memchr(p, ':', n), *v = colon + 1;
	size_t name = (size_t)(colon - p), vn = n - name - 1, i;
	unsigned long long x = 0;

	vld_trim_ows(&v, &vn);
	if (ascii_ieq(p, name, "content-length")) {
		if (vn == 0 || vn > 18)
			return -1;
		for (i = 0; i < vn; i++) {
			if (v[i] < '0' || v[i] > '9')
				return -1;
			x = x * 10 + (unsigned long long)(v[i] - '0');
		}
		if (f->has_length && x != f->length)
			return -1;
		f->length = x;
		f->has_length = 1;
	} else if (ascii_ieq(p, name, "transfer-encoding")) {
		if (f->chunked || !ascii_ieq(v, vn, "chunked"))
			return -1;
		f->chunked = 1;
	}
	return f->has_length && f->chunked ? -1 : 0;
}

enum vld_head_result vld_head(const char *p, size_t n, size_t *head_len)
{
	size_t i, line = 0, lines = 0, params = 0;
	struct framing f = { 0, 0, 0 };

	*head_len = 0;
	/* RFC 9112 2.2: a server should ignore at least one empty line before the request line. */
	while (line + 1 < n && p[line] == '\r' && p[line + 1] == '\n' && line < 4)
		line += 2;
	for (i = line; i < n && i < VLD_HEAD_MAX; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\0' || (c == '\r' && i + 1 < n && p[i + 1] != '\n'))
			return VLD_HEAD_BAD;
		if (c != '\n')
			continue;
		if (i == line || p[i - 1] != '\r')
			return VLD_HEAD_BAD; /* a bare LF */
		if (lines == 0 && !request_line_ok(p + line, i - 1 - line))
			return VLD_HEAD_BAD;
		if (lines == 0)
			params = query_params(p + line, i - 1 - line);
		if (lines > 0 && i - 1 == line) {
			/* What libmicrohttpd's fixed per-connection pool will hold: the head and a record
			 * per header field and per query parameter. */
			if (i + 1 + VLD_RECORD_COST * (lines - 1 + params) > VLD_POOL_BUDGET)
				return VLD_HEAD_TOO_BIG;
			*head_len = i + 1;
			return VLD_HEAD_OK;
		}
		if (lines > 0 && (p[line] == ' ' || p[line] == '\t' || !memchr(p + line, ':', i - line)))
			return VLD_HEAD_BAD; /* obsolete line folding, or a field without a colon */
		if (lines > 0 && framing_field(p + line, i - 1 - line, &f) < 0)
			return VLD_HEAD_BAD_LENGTH;
		if (lines > VLD_FIELDS_MAX)
			return VLD_HEAD_TOO_BIG; /* libmicrohttpd's per-connection pool holds a record per field */
		lines++;
		line = i + 1;
	}
	if (n >= VLD_HEAD_MAX)
		return VLD_HEAD_TOO_BIG;
	/* An incomplete request line can already be judged once it is longer than any valid one
	 * could start: a method of more than 16 characters or a byte no method holds. */
	if (lines == 0) {
		size_t j = line;

		while (j < n && tchar((unsigned char)p[j]))
			j++;
		if (j < n && (p[j] != ' ' || j == line))
			return p[j] == '\r' ? VLD_HEAD_INCOMPLETE : VLD_HEAD_BAD;
		if (j - line > 16)
			return VLD_HEAD_BAD;
	}
	return VLD_HEAD_INCOMPLETE;
}
