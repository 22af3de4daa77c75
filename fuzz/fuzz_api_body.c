/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the request-body parsers of scw-iamd. The first byte picks the parser (api-key create and
 * update, application create and update, user create and update, update-username); the rest is
 * the body (update-password is 7). Accepted requests must respect the documented limits, rejected ones must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "server/api_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tags(const struct store_tags *t)
{
	size_t i;

	if (t->n > API_TAGS_MAX)
		abort();
	for (i = 0; i < t->n; i++)
		if (!t->v[i] || api_utf8_len(t->v[i], strlen(t->v[i])) > API_TAG_MAX)
			abort();
}

static void check_result(int r, const struct api_invalid *inv)
{
	if (r == ERR_INVAL && inv->n == 0)
		abort(); /* a refusal always names an argument */
	if (r != 0 && r != ERR_INVAL && r != ERR_NOMEM)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tstamp now = { 1781107960, 0 };
	struct api_invalid inv = { 0 };
	const char *body = (const char *)data + 1;
	size_t len;
	int r;

	if (size < 1)
		return 0;
	len = size - 1;
	switch (data[0] % 8) {
	case 0: {
		struct store_key k;

		r = api_parse_key_create(body, len, now, &k, &inv);
		if (r == 0) {
			if (!k.description || api_utf8_len(k.description, strlen(k.description)) > API_DESCRIPTION_MAX)
				abort();
			if (k.bearer_type == STORE_BEARER_NONE || !uuid_is_valid(k.bearer_id, strlen(k.bearer_id)))
				abort();
			if (k.has_expires && time_cmp(k.expires_at, now) <= 0)
				abort();
			if (k.default_project_id[0] &&
			    !uuid_is_valid(k.default_project_id, strlen(k.default_project_id)))
				abort();
			store_key_release(&k);
		}
		break;
	}
	case 1: {
		struct store_key k;

		r = api_parse_key_update(body, len, now, &k, &inv);
		if (r == 0) {
			if (k.description && api_utf8_len(k.description, strlen(k.description)) > API_DESCRIPTION_MAX)
				abort();
			if (k.bearer_type != STORE_BEARER_NONE || (k.has_expires && time_cmp(k.expires_at, now) <= 0))
				abort();
			store_key_release(&k);
		}
		break;
	}
	case 2: {
		struct store_app a;

		r = api_parse_app_create(body, len, &a, &inv);
		if (r == 0) {
			if (!a.name || !a.name[0] || api_utf8_len(a.name, strlen(a.name)) > API_APP_NAME_MAX)
				abort();
			check_tags(&a.tags);
			store_app_release(&a);
		}
		break;
	}
	case 3: {
		struct store_app a;
		int set_tags;

		r = api_parse_app_update(body, len, &a, &set_tags, &inv);
		if (r == 0) {
			check_tags(&a.tags);
			store_app_release(&a);
		}
		break;
	}
	case 4: {
		struct store_user u;
		char *pw = NULL;

		r = api_parse_user_create(body, len, &u, &pw, &inv);
		if (r != 0 && pw)
			abort(); /* a refused body's password is not handed back */
		if (r == 0) {
			if (!u.email || !strchr(u.email, '@') || !u.username || !u.username[0] || !u.locale ||
			    !u.locale[0] || !u.first_name || !u.last_name || !u.phone_number)
				abort();
			if (u.status == STORE_STATUS_INVITATION_PENDING ? strcmp(u.username, u.email) != 0
									: u.status != STORE_STATUS_ACTIVATED)
				abort();
			if (pw && (strlen(pw) < API_PASSWORD_MIN || strlen(pw) > API_PASSWORD_MAX))
				abort();
			check_tags(&u.tags);
			store_user_release(&u);
		}
		mem_free_secret_str(pw);
		break;
	}
	case 5: {
		struct store_user u;
		int set_tags;

		r = api_parse_user_update(body, len, &u, &set_tags, &inv);
		if (r == 0)
			store_user_release(&u);
		break;
	}
	case 7: {
		char *pw = NULL;

		r = api_parse_password(body, len, &pw, &inv);
		if (r == 0 && (!pw || strlen(pw) < API_PASSWORD_MIN || strlen(pw) > API_PASSWORD_MAX))
			abort();
		mem_free_secret_str(pw);
		break;
	}
	default: {
		char *name = NULL;

		r = api_parse_username(body, len, &name, &inv);
		if (r == 0 && (!name || !name[0]))
			abort();
		free(name);
	}
	}
	check_result(r, &inv);
	return 0;
}
