/* SPDX-License-Identifier: MIT */
/* Unit tests of server/api_json: exact protojson shapes and sorted error bodies. */
#include <stdlib.h>

#include "common/buf.h"
#include "server/api_json.h"
#include "test.h"

static void sample_key(struct store_key *k, char *desc)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->access_key, "SCWVVH9TE299J4XZE91E", 21);
	k->description = desc;
	k->created_at.sec = 1781107960; /* 2026-06-10T16:12:40Z */
	k->created_at.nsec = 674053000;
	k->updated_at = k->created_at;
	memcpy(k->default_project_id, "f46e8a03-bd28-404d-b32e-000000000001", 37);
	k->editable = k->deletable = 1;
	memcpy(k->creation_ip, "203.0.113.7", 12);
	k->bearer_type = STORE_BEARER_APPLICATION;
	memcpy(k->bearer_id, "f46e8a03-bd28-404d-b32e-000000000002", 37);
}

TEST(key_shape_application_bearer_last_nulls_explicit)
{
	struct store_key k;
	struct buf b;
	char desc[] = "tf_tests_expires";

	sample_key(&k, desc);
	buf_init(&b, 4096);
	ASSERT_EQ_INT(api_json_key(&b, &k, NULL), 0);
	ASSERT_EQ_STR(
		b.data,
		"{\"access_key\":\"SCWVVH9TE299J4XZE91E\",\"secret_key\":null,\"description\":\"tf_tests_expires\","
		"\"created_at\":\"2026-06-10T16:12:40.674053Z\",\"updated_at\":\"2026-06-10T16:12:40.674053Z\","
		"\"expires_at\":null,\"default_project_id\":\"f46e8a03-bd28-404d-b32e-000000000001\",\"editable\":true,"
		"\"deletable\":true,\"managed\":false,\"creation_ip\":\"203.0.113.7\","
		"\"application_id\":\"f46e8a03-bd28-404d-b32e-000000000002\"}");
	buf_release(&b);
}

TEST(key_shape_user_bearer_with_secret_and_expiry)
{
	struct store_key k;
	struct buf b;
	char desc[] = "quote\" and \\ and \n";

	sample_key(&k, desc);
	k.bearer_type = STORE_BEARER_USER;
	k.has_expires = 1;
	k.expires_at.sec = 2067325200; /* 2035-07-06T09:00:00Z */
	buf_init(&b, 4096);
	ASSERT_EQ_INT(api_json_key(&b, &k, "11111111-2222-4333-8444-555555555555"), 0);
	ASSERT(strstr(b.data, "\"secret_key\":\"11111111-2222-4333-8444-555555555555\",") != NULL);
	ASSERT(strstr(b.data, "\"description\":\"quote\\\" and \\\\ and \\n\"") != NULL);
	ASSERT(strstr(b.data, "\"expires_at\":\"2035-07-06T09:00:00Z\"") != NULL);
	ASSERT(strstr(b.data, "application_id") == NULL);
	ASSERT(strstr(b.data, ",\"user_id\":\"f46e8a03-bd28-404d-b32e-000000000002\"}") != NULL);
	buf_release(&b);
}

TEST(app_and_list_shapes)
{
	struct store_app a;
	struct store_app_list l;
	struct buf b;
	char name[] = "app", desc[] = "", t1[] = "k=v", *tags[1] = { t1 };

	memset(&a, 0, sizeof(a));
	memcpy(a.id, "f46e8a03-bd28-404d-b32e-000000000003", 37);
	a.name = name;
	a.description = desc;
	memcpy(a.organization_id, "f46e8a03-bd28-404d-b32e-000000000004", 37);
	a.editable = a.deletable = 1;
	a.nb_api_keys = 3;
	a.tags.v = tags;
	a.tags.n = 1;
	l.v = &a;
	l.n = 1;
	l.total = 42;
	buf_init(&b, 4096);
	ASSERT_EQ_INT(api_json_app_list(&b, &l), 0);
	ASSERT_EQ_STR(
		b.data,
		"{\"applications\":[{\"id\":\"f46e8a03-bd28-404d-b32e-000000000003\",\"name\":\"app\",\"description\":\"\","
		"\"created_at\":\"1970-01-01T00:00:00Z\",\"updated_at\":\"1970-01-01T00:00:00Z\","
		"\"organization_id\":\"f46e8a03-bd28-404d-b32e-000000000004\",\"editable\":true,\"deletable\":true,"
		"\"managed\":false,\"nb_api_keys\":3,\"tags\":[\"k=v\"]}],\"total_count\":42}");
	buf_release(&b);
	l.n = 0;
	l.total = 0;
	buf_init(&b, 4096);
	ASSERT_EQ_INT(api_json_app_list(&b, &l), 0);
	ASSERT_EQ_STR(b.data, "{\"applications\":[],\"total_count\":0}");
	buf_release(&b);
}

TEST(error_bodies_have_sorted_keys)
{
	struct api_invalid inv = { 0 };
	struct buf b;

	buf_init(&b, 4096);
	api_invalid_add(&inv, "expires_at", "constraint", "must be in the %s", "future");
	ASSERT_EQ_INT(api_json_err_invalid(&b, &inv), 0);
	ASSERT_EQ_STR(
		b.data,
		"{\"details\":[{\"argument_name\":\"expires_at\",\"help_message\":\"must be in the future\","
		"\"reason\":\"constraint\"}],\"message\":\"invalid argument(s)\",\"type\":\"invalid_arguments\"}");
	buf_reset(&b);
	ASSERT_EQ_INT(api_json_err_auth(&b, "expired"), 0);
	ASSERT_EQ_STR(b.data,
		      "{\"message\":\"authentication is denied\",\"method\":\"api_key\",\"reason\":\"expired\","
		      "\"type\":\"denied_authentication\"}");
	buf_reset(&b);
	ASSERT_EQ_INT(api_json_err_not_found(&b, "application", "x\"y"), 0);
	ASSERT_EQ_STR(b.data,
		      "{\"message\":\"resource is not found\",\"resource\":\"application\",\"resource_id\":\"x\\\"y\","
		      "\"type\":\"not_found\"}");
	buf_reset(&b);
	ASSERT_EQ_INT(api_json_err_quota(&b, 100, 100, "api_keys"), 0);
	ASSERT_EQ_STR(b.data,
		      "{\"details\":[{\"current\":100,\"quota\":100,\"resource\":\"api_keys\"}],"
		      "\"message\":\"quota(s) exceeded for this resource\",\"type\":\"quotas_exceeded\"}");
	buf_reset(&b);
	ASSERT_EQ_INT(api_json_err_permissions(&b, "read", "api_key"), 0);
	ASSERT_EQ_STR(b.data,
		      "{\"details\":[{\"action\":\"read\",\"resource\":\"api_key\"}],"
		      "\"message\":\"insufficient permissions\",\"type\":\"permissions_denied\"}");
	buf_release(&b);
}

TEST(writer_fails_cleanly_past_the_cap)
{
	struct store_key k;
	struct buf b;
	char desc[] = "0123456789012345678901234567890123456789";

	sample_key(&k, desc);
	buf_init(&b, 64);
	ASSERT(api_json_key(&b, &k, NULL) < 0);
	ASSERT(b.len <= 64);
	buf_release(&b);
}

int main(void)
{
	RUN(key_shape_application_bearer_last_nulls_explicit);
	RUN(key_shape_user_bearer_with_secret_and_expiry);
	RUN(app_and_list_shapes);
	RUN(error_bodies_have_sorted_keys);
	RUN(writer_fails_cleanly_past_the_cap);
	return test_done();
}
