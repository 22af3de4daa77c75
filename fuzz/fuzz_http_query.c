/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the query string as scw-iamd's HTTP front sees it: split at '&' and '=', '+' read as a
 * space, each part percent-decoded by vld_unescape (as libmicrohttpd's unescape callback), the
 * control-byte check of the front (vld_has_ctl), then the api-keys, applications and users
 * list parsers. Invariants: decoding never grows a part and never yields a NUL; a value the
 * front lets through (no control byte) is never refused by a parser for a control byte; every
 * refusal names an argument; accepted paging is in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/api_parse.h"
#include "server/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXP 300

static void page_ok(const struct store_page *p)
{
	if (p->page < 1 || p->page > VLD_PAGE_MAX || p->page_size < 1 || p->page_size > 100)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_qparam q[MAXP];
	struct api_invalid inv;
	struct api_key_query *kq = calloc(1, sizeof(*kq));
	struct api_app_query *aq = calloc(1, sizeof(*aq));
	struct api_user_query *uq = calloc(1, sizeof(*uq));
	char *s = malloc(size + 1), *p, *end;
	size_t n = 0, i;
	int ctl = 0;
	struct tstamp now = { 1781107960, 0 };

	if (!s || !kq || !aq || !uq)
		goto out;
	memcpy(s, data, size);
	s[size] = '\0';
	end = s + strlen(s);
	for (p = s; p < end && n < MAXP;) {
		char *amp = strchr(p, '&'), *eq, *c;
		size_t before, after;

		if (amp)
			*amp = '\0';
		for (c = p; *c; c++)
			if (*c == '+')
				*c = ' ';
		eq = strchr(p, '=');
		if (eq)
			*eq = '\0';
		before = strlen(p);
		after = vld_unescape(p);
		if (after > before || strlen(p) != after)
			abort();
		if (eq) {
			before = strlen(eq + 1);
			after = vld_unescape(eq + 1);
			if (after > before || strlen(eq + 1) != after)
				abort();
		}
		ctl |= vld_has_ctl(p, strlen(p)) || (eq && vld_has_ctl(eq + 1, strlen(eq + 1)));
		q[n].k = p;
		q[n].v = eq ? eq + 1 : NULL;
		n++;
		if (!amp)
			break;
		p = amp + 1;
	}
	if (ctl)
		goto out; /* the front answers 400 before any parser runs */
	memset(&inv, 0, sizeof(inv));
	if (api_parse_key_query(q, n, now, kq, &inv) == 0)
		page_ok(&kq->f.page);
	else if (inv.n == 0)
		abort();
	memset(&inv, 0, sizeof(inv));
	if (api_parse_app_query(q, n, aq, &inv) == 0)
		page_ok(&aq->f.page);
	else if (inv.n == 0)
		abort();
	memset(&inv, 0, sizeof(inv));
	if (api_parse_user_query(q, n, uq, &inv) == 0)
		page_ok(&uq->f.page);
	else if (inv.n == 0)
		abort();
	for (i = 0; i < inv.n; i++)
		if (!inv.d[i].argument_name[0])
			abort();
out:
	free(kq);
	free(aq);
	free(uq);
	free(s);
	return 0;
}
