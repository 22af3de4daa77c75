/* SPDX-License-Identifier: MIT */
/* Unit tests of server/api_parse: request bodies and query strings. */
#include <stdlib.h>

#include "common/err.h"
#include "common/mem.h"
#include "server/api_parse.h"
#include "test.h"

#define APP "f46e8a03-bd28-404d-b32e-000000000002"
#define USR "f46e8a03-bd28-404d-b32e-000000000003"

static struct tstamp now_ts(void)
{
	struct tstamp t = { 1781107960, 0 }; /* 2026-06-10T16:12:40Z */

	return t;
}

static int has_detail(const struct api_invalid *inv, const char *arg, const char *reason)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		if (!strcmp(inv->d[i].argument_name, arg) && (!reason || !strcmp(inv->d[i].reason, reason)))
			return 1;
	return 0;
}

static int key_create(const char *body, struct store_key *out, struct api_invalid *inv)
{
	memset(inv, 0, sizeof(*inv));
	return api_parse_key_create(body, strlen(body), now_ts(), out, inv);
}

TEST(key_create_valid_with_offset_and_defaults)
{
	struct store_key k;
	struct api_invalid inv;

	ASSERT_EQ_INT(key_create("{\"application_id\":\"F46E8A03-BD28-404D-B32E-000000000002\","
				 "\"expires_at\":\"2035-07-06T11:00:00+02:00\",\"description\":\"d\",\"extra\":[1]}",
				 &k, &inv),
		      0);
	ASSERT_EQ_INT(k.bearer_type, STORE_BEARER_APPLICATION);
	ASSERT_EQ_STR(k.bearer_id, APP); /* lowercased */
	ASSERT_EQ_INT(k.has_expires, 1);
	ASSERT_EQ_INT(k.expires_at.sec, 2067325200);
	ASSERT_EQ_STR(k.description, "d");
	ASSERT_EQ_STR(k.default_project_id, "");
	store_key_release(&k);
	ASSERT_EQ_INT(key_create("{\"user_id\":\"" USR "\",\"application_id\":null,\"expires_at\":null}", &k, &inv), 0);
	ASSERT_EQ_INT(k.bearer_type, STORE_BEARER_USER);
	ASSERT_EQ_INT(k.has_expires, 0);
	ASSERT_EQ_STR(k.description, "");
	store_key_release(&k);
}

TEST(key_create_bearer_rules)
{
	struct store_key k;
	struct api_invalid inv;

	ASSERT_EQ_INT(key_create("{\"application_id\":\"" APP "\",\"user_id\":\"" USR "\"}", &k, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "application_id", "constraint"));
	ASSERT_EQ_INT(key_create("{}", &k, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "application_id", "required"));
	ASSERT_EQ_INT(key_create("", &k, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "application_id", "required"));
	ASSERT_EQ_INT(key_create("{\"user_id\":42}", &k, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "user_id", "format"));
	ASSERT_EQ_INT(key_create("{\"user_id\":\"" USR "x\"}", &k, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "user_id", "format"));
}

TEST(key_create_reports_every_bad_argument)
{
	struct store_key k;
	struct api_invalid inv;

	ASSERT_EQ_INT(key_create("{\"user_id\":\"" USR "\",\"expires_at\":\"2020-01-01T00:00:00Z\","
				 "\"default_project_id\":\"nope\",\"description\":true}",
				 &k, &inv),
		      ERR_INVAL);
	ASSERT(has_detail(&inv, "expires_at", "constraint"));
	ASSERT(has_detail(&inv, "default_project_id", "format"));
	ASSERT(has_detail(&inv, "description", "format"));
	ASSERT_EQ_INT(key_create("{\"user_id\":\"" USR "\",\"expires_at\":\"2026-06-10T16:12:40Z\"}", &k, &inv),
		      ERR_INVAL);
	ASSERT(has_detail(&inv, "expires_at", "constraint")); /* now is not the future */
	ASSERT_EQ_INT(key_create("{\"user_id\":\"" USR "\",\"expires_at\":\"2030-13-01T00:00:00Z\"}", &k, &inv),
		      ERR_INVAL);
	ASSERT(has_detail(&inv, "expires_at", "format"));
}

TEST(description_limit_counts_characters)
{
	struct store_key k;
	struct api_invalid inv;
	char body[1200];
	size_t i, o;

	o = (size_t)snprintf(body, sizeof(body), "{\"user_id\":\"" USR "\",\"description\":\"");
	for (i = 0; i < 200; i++) {
		body[o++] = (char)0xc3; /* é: two bytes, one character */
		body[o++] = (char)0xa9;
	}
	snprintf(body + o, sizeof(body) - o, "\"}");
	ASSERT_EQ_INT(key_create(body, &k, &inv), 0);
	ASSERT_EQ_UINT(api_utf8_len(k.description, strlen(k.description)), 200);
	store_key_release(&k);
	snprintf(body + o, sizeof(body) - o, "x\"}");
	ASSERT_EQ_INT(key_create(body, &k, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "description", "constraint"));
}

TEST(malformed_bodies_name_body)
{
	static const char *const bad[] = { "{",   "[]",   "\"s\"", "{\"a\":1,\"a\":2}", "{\"a\":\"\\u0000\"}",
					   "nul", "{} {}" };
	struct store_key k;
	struct api_invalid inv;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ_INT(key_create(bad[i], &k, &inv), ERR_INVAL);
		ASSERT(has_detail(&inv, "body", "format"));
	}
	memset(&inv, 0, sizeof(inv));
	ASSERT_EQ_INT(api_parse_key_create("{\"user_id\":\"\xff\"}", 15, now_ts(), &k, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "body", "format"));
}

TEST(key_update_fields_and_immutable_bearer)
{
	struct store_key u;
	struct api_invalid inv = { 0 };
	const char *b1 = "{\"description\":\"\",\"default_project_id\":\"" APP
			 "\",\"expires_at\":\"2030-01-01T00:00:00.123Z\"}";
	const char *b2 = "{\"application_id\":\"" APP "\"}";

	ASSERT_EQ_INT(api_parse_key_update(b1, strlen(b1), now_ts(), &u, &inv), 0);
	ASSERT_EQ_STR(u.description, "");
	ASSERT_EQ_STR(u.default_project_id, APP);
	ASSERT_EQ_INT(u.has_expires, 1);
	ASSERT_EQ_INT(u.expires_at.nsec, 123000000);
	store_key_release(&u);
	ASSERT_EQ_INT(api_parse_key_update("", 0, now_ts(), &u, &inv), 0);
	ASSERT(u.description == NULL && !u.default_project_id[0] && !u.has_expires);
	store_key_release(&u);
	ASSERT_EQ_INT(api_parse_key_update(b2, strlen(b2), now_ts(), &u, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "application_id", "constraint"));
}

TEST(app_create_and_update_limits)
{
	struct store_app c, u;
	int set_tags = -1;
	struct api_invalid inv = { 0 };
	const char *ok1 = "{\"name\":\"n\",\"tags\":[\"a\",\"b\"],\"organization_id\":\"" APP "\"}";
	const char *long_name = "{\"name\":\"12345678901234567890123456789012345678901234567890123456789012345\"}";
	const char *many =
		"{\"name\":\"n\",\"tags\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\"]}";
	const char *clear = "{\"tags\":[]}";
	const char *numtag = "{\"name\":\"n\",\"tags\":[1]}";

	ASSERT_EQ_INT(api_parse_app_create(ok1, strlen(ok1), &c, &inv), 0);
	ASSERT_EQ_UINT(c.tags.n, 2);
	ASSERT_EQ_STR(c.tags.v[1], "b");
	ASSERT_EQ_STR(c.organization_id, APP);
	ASSERT_EQ_STR(c.description, "");
	store_app_release(&c);
	ASSERT_EQ_INT(api_parse_app_create("{\"name\":\"\"}", 11, &c, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "name", "required"));
	ASSERT_EQ_INT(api_parse_app_create(long_name, strlen(long_name), &c, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "name", "constraint"));
	ASSERT_EQ_INT(api_parse_app_create(many, strlen(many), &c, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "tags", "constraint"));
	ASSERT_EQ_INT(api_parse_app_create(numtag, strlen(numtag), &c, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "tags", "format"));
	ASSERT_EQ_INT(api_parse_app_update(clear, strlen(clear), &u, &set_tags, &inv), 0);
	ASSERT_EQ_INT(set_tags, 1);
	ASSERT_EQ_UINT(u.tags.n, 0);
	ASSERT(u.name == NULL);
	store_app_release(&u);
}

static int user_create(const char *body, struct store_user *out, char **pw, struct api_invalid *inv)
{
	memset(inv, 0, sizeof(*inv));
	return api_parse_user_create(body, strlen(body), out, pw, inv);
}

TEST(user_create_member_guest_and_errors)
{
	struct store_user u;
	struct api_invalid inv = { 0 };
	char *pw = NULL;
	const char *member =
		"{\"member\":{\"email\":\"a@b.c\",\"username\":\"ab\",\"password\":\"\",\"locale\":\"\","
		"\"send_welcome_email\":true}}";
	const char *full =
		"{\"organization_id\":\"" APP
		"\",\"member\":{\"email\":\"a@b.c\",\"username\":\"ab\","
		"\"first_name\":\"F\",\"phone_number\":\"+33\",\"locale\":\"fr_FR\",\"password\":\"12345678\"}}";
	const char *guest = "{\"email\":\"g@b.c\",\"tags\":[\"x\"]}";
	const char *both = "{\"email\":\"g@b.c\",\"member\":{\"email\":\"a@b.c\",\"username\":\"ab\"}}";
	const char *badpw = "{\"member\":{\"email\":\"a@b.c\",\"username\":\"ab\",\"password\":\"1234567\"}}";
	const char *space = "{\"member\":{\"email\":\"a@b.c\",\"username\":\"a b\"}}";
	const char *mail =
		"{\"member\":{\"email\":\"a@b.c\",\"username\":\"ab\",\"send_welcome_email\":1,"
		"\"send_password_email\":\"yes\"}}";

	ASSERT_EQ_INT(user_create(member, &u, &pw, &inv), 0);
	ASSERT_EQ_INT(u.status, STORE_STATUS_ACTIVATED);
	ASSERT(pw == NULL); /* "" is "no password" */
	ASSERT_EQ_STR(u.username, "ab");
	ASSERT_EQ_STR(u.locale, "en_US"); /* "" is the default */
	ASSERT_EQ_STR(u.first_name, "");
	ASSERT_EQ_STR(u.organization_id, "");
	store_user_release(&u);
	ASSERT_EQ_INT(user_create(full, &u, &pw, &inv), 0);
	ASSERT_EQ_STR(pw, "12345678");
	ASSERT_EQ_STR(u.organization_id, APP);
	ASSERT_EQ_STR(u.first_name, "F");
	ASSERT_EQ_STR(u.last_name, "");
	ASSERT_EQ_STR(u.phone_number, "+33");
	ASSERT_EQ_STR(u.locale, "fr_FR");
	mem_free_secret_str(pw);
	store_user_release(&u);
	ASSERT_EQ_INT(user_create(guest, &u, &pw, &inv), 0);
	ASSERT_EQ_INT(u.status, STORE_STATUS_INVITATION_PENDING);
	ASSERT_EQ_STR(u.email, "g@b.c");
	ASSERT_EQ_STR(u.username, "g@b.c"); /* a guest's username is its email */
	ASSERT_EQ_UINT(u.tags.n, 1);
	ASSERT(pw == NULL);
	store_user_release(&u);
	ASSERT_EQ_INT(user_create(both, &u, &pw, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "email", "constraint"));
	ASSERT_EQ_INT(user_create(badpw, &u, &pw, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "member.password", "constraint"));
	ASSERT(pw == NULL);
	ASSERT_EQ_INT(user_create(space, &u, &pw, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "member.username", "format"));
	ASSERT_EQ_INT(user_create("{\"email\":\"@x\"}", &u, &pw, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "email", "format"));
	ASSERT_EQ_INT(user_create(mail, &u, &pw, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "member.send_welcome_email", "format"));
	ASSERT(has_detail(&inv, "member.send_password_email", "format"));
	/* the password of a refused body is not handed back */
	ASSERT_EQ_INT(user_create("{\"member\":{\"email\":\"a@b.c\",\"password\":\"12345678\"}}", &u, &pw, &inv),
		      ERR_INVAL);
	ASSERT(has_detail(&inv, "member.username", "required"));
	ASSERT(pw == NULL);
}

TEST(key_query_defaults_filters_and_errors)
{
	struct api_key_query *q = calloc(1, sizeof(*q));
	struct api_invalid inv = { 0 };
	struct api_qparam p1[] = {
		{ "order_by", "access_key_desc" },
		{ "page", "2" },
		{ "page_size", "100" },
		{ "bearer_type", "unknown_bearer_type" },
		{ "access_keys", "SCWVVH9TE299J4XZE91E" },
		{ "access_keys", "SCW9AXCN349HVWTA0M0H" },
		{ "description", "" },
		{ "editable", "false" },
		{ "expired", "true" },
		{ "unknown", "ignored" },
		{ "flag", NULL },
		{ "bearer_id", "F46E8A03-BD28-404D-B32E-000000000002" },
	};
	struct api_qparam p2[] = {
		{ "page", "0" }, { "page_size", "101" }, { "order_by", "name_asc" }, { "expired", "yes" }
	};

	ASSERT(q != NULL);
	ASSERT_EQ_INT(api_parse_key_query(NULL, 0, now_ts(), q, &inv), 0);
	ASSERT_EQ_UINT(q->f.page.page, 1);
	ASSERT_EQ_UINT(q->f.page.page_size, 20);
	ASSERT_EQ_INT(q->f.page.order, STORE_ORDER_CREATED_AT);
	ASSERT_EQ_INT(q->f.editable, -1);
	ASSERT(q->f.organization_id == NULL);
	ASSERT_EQ_INT(api_parse_key_query(p1, sizeof(p1) / sizeof(p1[0]), now_ts(), q, &inv), 0);
	ASSERT_EQ_INT(q->f.page.order, STORE_ORDER_ACCESS_KEY);
	ASSERT_EQ_INT(q->f.page.desc, 1);
	ASSERT_EQ_UINT(q->f.page.page, 2);
	ASSERT_EQ_UINT(q->f.page.page_size, 100);
	ASSERT_EQ_INT(q->f.bearer_type, STORE_BEARER_NONE);
	ASSERT_EQ_UINT(q->f.n_access_keys, 2);
	ASSERT_EQ_STR(q->f.access_keys[1], "SCW9AXCN349HVWTA0M0H");
	ASSERT(q->f.description == NULL);
	ASSERT_EQ_INT(q->f.editable, 0);
	ASSERT_EQ_INT(q->f.expired, 1);
	ASSERT_EQ_STR(q->f.bearer_id, APP);
	ASSERT_EQ_INT(api_parse_key_query(p2, 4, now_ts(), q, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "page", "constraint"));
	ASSERT(has_detail(&inv, "page_size", "constraint"));
	ASSERT(has_detail(&inv, "order_by", "format"));
	ASSERT(has_detail(&inv, "expired", "format"));
	free(q);
}

TEST(repeated_params_are_capped)
{
	struct api_app_query *q = calloc(1, sizeof(*q));
	struct api_qparam *p = calloc(API_MAX_REPEAT + 1, sizeof(*p));
	struct api_invalid inv = { 0 };
	size_t i;

	ASSERT(q && p);
	for (i = 0; i <= API_MAX_REPEAT; i++) {
		p[i].k = "application_ids";
		p[i].v = APP;
	}
	ASSERT_EQ_INT(api_parse_app_query(p, API_MAX_REPEAT, q, &inv), 0);
	ASSERT_EQ_UINT(q->f.n_ids, API_MAX_REPEAT);
	ASSERT_EQ_INT(api_parse_app_query(p, API_MAX_REPEAT + 1, q, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "application_ids", "constraint"));
	free(p);
	free(q);
}

/* A user update parses into the user record: given fields set, absent ones NULL (unchanged),
 * each field's own rule applied (email format, locale form). */
TEST(user_update_into_the_record)
{
	struct store_user u;
	struct api_invalid inv = { 0 };
	const char *ok1 = "{\"email\":\"a@example.com\",\"locale\":\"fr_FR\",\"tags\":[\"x\"]}";
	const char *bad = "{\"email\":\"nope\",\"first_name\":7}";
	int set_tags = -1;

	ASSERT_EQ_INT(api_parse_user_update(ok1, strlen(ok1), &u, &set_tags, &inv), 0);
	ASSERT_EQ_STR(u.email, "a@example.com");
	ASSERT_EQ_STR(u.locale, "fr_FR");
	ASSERT(u.first_name == NULL && u.last_name == NULL && u.phone_number == NULL);
	ASSERT_EQ_INT(set_tags, 1);
	ASSERT_EQ_UINT(u.tags.n, 1);
	store_user_release(&u);
	ASSERT_EQ_INT(api_parse_user_update("{}", 2, &u, &set_tags, &inv), 0);
	ASSERT_EQ_INT(set_tags, 0);
	ASSERT(u.email == NULL);
	store_user_release(&u);
	ASSERT_EQ_INT(api_parse_user_update(bad, strlen(bad), &u, &set_tags, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "email", "format"));
	ASSERT(has_detail(&inv, "first_name", "format"));
	ASSERT(u.email == NULL && u.first_name == NULL); /* released on error */
}

TEST(user_query_enums)
{
	struct api_user_query *q = calloc(1, sizeof(*q));
	struct api_invalid inv = { 0 };
	struct api_qparam p1[] = { { "type", "owner" }, { "order_by", "last_login_desc" }, { "mfa", "true" } };
	struct api_qparam p2[] = { { "type", "unknown_type" } };
	struct api_qparam p3[] = { { "type", "admin" }, { "user_ids", "x" } };

	ASSERT(q != NULL);
	ASSERT_EQ_INT(api_parse_user_query(p1, 3, q, &inv), 0);
	ASSERT_EQ_INT(q->f.type, STORE_USER_OWNER);
	ASSERT_EQ_INT(q->f.page.order, STORE_ORDER_LAST_LOGIN);
	ASSERT_EQ_INT(q->f.mfa, 1);
	ASSERT_EQ_INT(api_parse_user_query(p2, 1, q, &inv), 0);
	ASSERT_EQ_INT(q->f.type, STORE_USER_UNKNOWN);
	ASSERT_EQ_INT(api_parse_user_query(p3, 2, q, &inv), ERR_INVAL);
	ASSERT(has_detail(&inv, "type", "format"));
	ASSERT(has_detail(&inv, "user_ids", "format"));
	free(q);
}

int main(void)
{
	RUN(key_create_valid_with_offset_and_defaults);
	RUN(key_create_bearer_rules);
	RUN(key_create_reports_every_bad_argument);
	RUN(description_limit_counts_characters);
	RUN(malformed_bodies_name_body);
	RUN(key_update_fields_and_immutable_bearer);
	RUN(app_create_and_update_limits);
	RUN(user_create_member_guest_and_errors);
	RUN(key_query_defaults_filters_and_errors);
	RUN(repeated_params_are_capped);
	RUN(user_update_into_the_record);
	RUN(user_query_enums);
	return test_done();
}
