/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the query-string parsers of scw-iamd. The input is split like a decoded query string
 * ("k=v&k2=v2&flag"), then fed to the api-keys, applications and users list parsers. Accepted
 * filters must respect the paging limits and the repeated-parameter cap.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "server/api_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_page(const struct store_page *p)
{
	if (p->page < 1 || p->page_size < 1 || p->page_size > 100)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_qparam params[512];
	struct api_key_query *kq;
	struct api_app_query *aq;
	struct api_user_query *uq;
	struct api_invalid inv;
	struct tstamp now = { 1781107960, 0 };
	char *s = malloc(size + 1), *p, *end;
	size_t n = 0, i;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	end = s + strlen(s); /* a NUL ends the query, as it would in a C string */
	for (p = s; p <= end && n < 512;) {
		char *amp = strchr(p, '&'), *eq;

		if (amp)
			*amp = '\0';
		eq = strchr(p, '=');
		if (eq)
			*eq = '\0';
		params[n].k = p;
		params[n].v = eq ? eq + 1 : NULL;
		n++;
		if (!amp)
			break;
		p = amp + 1;
	}
	kq = calloc(1, sizeof(*kq));
	aq = calloc(1, sizeof(*aq));
	uq = calloc(1, sizeof(*uq));
	if (kq && aq && uq) {
		memset(&inv, 0, sizeof(inv));
		if (api_parse_key_query(params, n, now, kq, &inv) == 0) {
			check_page(&kq->f.page);
			if (kq->f.n_access_keys > API_MAX_REPEAT)
				abort();
			for (i = 0; i < kq->f.n_access_keys; i++)
				if (!access_key_is_valid(kq->f.access_keys[i], strlen(kq->f.access_keys[i])))
					abort();
		} else if (inv.n == 0) {
			abort();
		}
		memset(&inv, 0, sizeof(inv));
		if (api_parse_app_query(params, n, aq, &inv) == 0) {
			check_page(&aq->f.page);
			for (i = 0; i < aq->f.n_ids; i++)
				if (!uuid_is_valid(aq->f.ids[i], strlen(aq->f.ids[i])))
					abort();
		} else if (inv.n == 0) {
			abort();
		}
		memset(&inv, 0, sizeof(inv));
		if (api_parse_user_query(params, n, uq, &inv) == 0)
			check_page(&uq->f.page);
		else if (inv.n == 0)
			abort();
	}
	free(kq);
	free(aq);
	free(uq);
	free(s);
	return 0;
}
