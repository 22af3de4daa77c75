/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Scaleway error-body parsing in client/scwclient: every documented error
 * shape, non-JSON bodies, the human text, and the argument-name -> attribute mapping.
 */
#include "client/scwclient.h"
#include "common/err.h"
#include "common/mem.h"
#include "test.h"

static void parse(long status, const char *body, struct scwclient_error *e)
{
	if (scwclient_error_parse(status, "X", body, strlen(body), e) != 0)
		abort();
}

static char text[1024];

static const char *fmt(const struct scwclient_error *e)
{
	struct buf b;

	buf_init(&b, sizeof(text) - 1);
	if (scwclient_error_format(e, &b) != 0)
		abort();
	snprintf(text, sizeof(text), "%s", b.data);
	buf_release(&b);
	return text;
}

TEST(invalid_arguments_details_and_text)
{
	struct scwclient_error e;

	parse(400,
	      "{\"details\":[{\"argument_name\":\"expires_at\",\"help_message\":\"organization security "
	      "settings require an expiration date for API keys\",\"reason\":\"constraint\"},"
	      "{\"argument_name\":\"member.username\",\"reason\":\"required\"}],"
	      "\"message\":\"invalid argument(s)\",\"type\":\"invalid_arguments\"}",
	      &e);
	ASSERT_EQ_INT(e.status, 400);
	ASSERT_EQ_STR(e.type, "invalid_arguments");
	ASSERT_EQ_UINT(e.ndetails, 2);
	ASSERT_EQ_STR(e.details[0].argument_name, "expires_at");
	ASSERT_EQ_STR(e.details[0].reason, "constraint");
	ASSERT_EQ_STR(e.details[1].argument_name, "member.username");
	ASSERT(e.details[1].help_message == NULL);
	ASSERT_EQ_STR(fmt(&e),
		      "invalid argument(s): expires_at does not respect constraint, organization "
		      "security settings require an expiration date for API keys; member.username is "
		      "required (HTTP 400)");
	scwclient_error_release(&e);
	ASSERT(e.type == NULL && e.details == NULL);
}

TEST(denied_authentication_reasons)
{
	struct scwclient_error e;

	parse(401,
	      "{\"message\":\"authentication is denied\",\"method\":\"api_key\",\"reason\":\"expired\","
	      "\"type\":\"denied_authentication\"}",
	      &e);
	ASSERT_EQ_STR(e.reason, "expired");
	ASSERT_EQ_STR(e.method, "api_key");
	ASSERT_EQ_STR(fmt(&e), "denied authentication: API key is expired (HTTP 401)");
	scwclient_error_release(&e);
	parse(401,
	      "{\"message\":\"authentication is denied\",\"reason\":\"invalid_argument\","
	      "\"type\":\"denied_authentication\"}",
	      &e);
	ASSERT(strstr(fmt(&e), "invalid API key format or empty value"));
	scwclient_error_release(&e);
}

TEST(not_found_quota_permissions_precondition_transient)
{
	struct scwclient_error e;

	parse(404,
	      "{\"message\":\"resource is not found\",\"resource\":\"access_key\",\"resource_id\":"
	      "\"SCWVVH9TE299J4XZE91E\",\"type\":\"not_found\"}",
	      &e);
	ASSERT_EQ_STR(e.resource, "access_key");
	ASSERT_EQ_STR(e.resource_id, "SCWVVH9TE299J4XZE91E");
	ASSERT_EQ_STR(fmt(&e), "access_key SCWVVH9TE299J4XZE91E is not found (HTTP 404)");
	scwclient_error_release(&e);

	parse(403,
	      "{\"details\":[{\"current\":100,\"quota\":100,\"resource\":\"api_keys\"}],\"message\":"
	      "\"quota(s) exceeded for this resource\",\"type\":\"quotas_exceeded\"}",
	      &e);
	ASSERT_EQ_UINT(e.ndetails, 1);
	ASSERT_EQ_INT(e.details[0].current, 100);
	ASSERT_EQ_INT(e.details[0].quota, 100);
	ASSERT_EQ_STR(fmt(&e), "quota exceeded: api_keys (100 of 100) (HTTP 403)");
	scwclient_error_release(&e);

	parse(403,
	      "{\"details\":[{\"action\":\"read\",\"resource\":\"server\"}],\"message\":\"insufficient "
	      "permissions\",\"type\":\"permissions_denied\"}",
	      &e);
	ASSERT_EQ_STR(e.details[0].action, "read");
	ASSERT_EQ_STR(fmt(&e), "insufficient permissions: read server (HTTP 403)");
	scwclient_error_release(&e);

	parse(412,
	      "{\"help_message\":\"delete the keys first\",\"message\":\"precondition is not respected\","
	      "\"precondition\":\"resource_still_in_use\",\"type\":\"precondition_failed\"}",
	      &e);
	ASSERT_EQ_STR(e.precondition, "resource_still_in_use");
	ASSERT_EQ_STR(fmt(&e), "precondition failed: resource_still_in_use, delete the keys first (HTTP 412)");
	scwclient_error_release(&e);

	parse(409,
	      "{\"current_state\":\"locking\",\"message\":\"resource is in a transient state\","
	      "\"resource\":\"user\",\"resource_id\":\"u1\",\"type\":\"transient_state\"}",
	      &e);
	ASSERT_EQ_STR(e.current_state, "locking");
	ASSERT(strstr(fmt(&e), "transient state (locking)"));
	scwclient_error_release(&e);
}

TEST(non_json_bodies_keep_the_status_line)
{
	struct scwclient_error e;

	ASSERT_EQ_INT(scwclient_error_parse(503, "503 Service Unavailable", "<html>down</html>", 17, &e), 0);
	ASSERT(e.type == NULL);
	ASSERT_EQ_STR(e.message, "503 Service Unavailable");
	ASSERT_EQ_STR(fmt(&e), "503 Service Unavailable (HTTP 503)");
	scwclient_error_release(&e);
	ASSERT_EQ_INT(scwclient_error_parse(500, NULL, "", 0, &e), 0);
	ASSERT_EQ_STR(e.message, "HTTP status 500");
	scwclient_error_release(&e);
	/* JSON but not an object, and an object with wrong member types */
	ASSERT_EQ_INT(scwclient_error_parse(400, "400 Bad Request", "[1,2]", 5, &e), 0);
	ASSERT_EQ_STR(e.message, "400 Bad Request");
	scwclient_error_release(&e);
	parse(400, "{\"type\":7,\"message\":null,\"details\":[1,\"x\",{\"argument_name\":3}]}", &e);
	ASSERT(e.type == NULL);
	ASSERT_EQ_STR(e.message, "X");
	ASSERT_EQ_UINT(e.ndetails, 1);
	ASSERT(e.details[0].argument_name == NULL);
	scwclient_error_release(&e);
	/* legacy invalid_request_error with "fields" */
	parse(400,
	      "{\"fields\":[{\"argument_name\":\"name\",\"reason\":\"format\"}],\"message\":\"bad\","
	      "\"type\":\"invalid_request_error\"}",
	      &e);
	ASSERT_EQ_UINT(e.ndetails, 1);
	scwclient_error_release(&e);
}

TEST(argument_names_map_to_attributes)
{
	char out[64];

	ASSERT_EQ_INT(scwclient_error_attr("expires_at", out, sizeof(out)), 0);
	ASSERT_EQ_STR(out, "expires_at");
	ASSERT_EQ_INT(scwclient_error_attr("member.username", out, sizeof(out)), 0);
	ASSERT_EQ_STR(out, "username");
	ASSERT_EQ_INT(scwclient_error_attr("tags[2]", out, sizeof(out)), 0);
	ASSERT_EQ_STR(out, "tags");
	ASSERT_EQ_INT(scwclient_error_attr("tags.2", out, sizeof(out)), 0);
	ASSERT_EQ_STR(out, "tags");
	ASSERT_EQ_INT(scwclient_error_attr("member.tags[0]", out, sizeof(out)), 0);
	ASSERT_EQ_STR(out, "tags");
	ASSERT_EQ_INT(scwclient_error_attr("", out, sizeof(out)), ERR_INVAL);
	ASSERT_EQ_INT(scwclient_error_attr(NULL, out, sizeof(out)), ERR_INVAL);
	ASSERT_EQ_INT(scwclient_error_attr("[3]", out, sizeof(out)), ERR_INVAL);
	ASSERT_EQ_INT(scwclient_error_attr("default_project_id", out, 5), ERR_TOOBIG);
}

TEST(escape_query_values)
{
	struct buf b;

	buf_init(&b, 256);
	ASSERT_EQ_INT(scwclient_escape(&b, "a b&c=d/é~_.-"), 0);
	ASSERT_EQ_STR(b.data, "a%20b%26c%3Dd%2F%C3%A9~_.-");
	buf_release(&b);
}

int main(void)
{
	RUN(invalid_arguments_details_and_text);
	RUN(denied_authentication_reasons);
	RUN(not_found_quota_permissions_precondition_transient);
	RUN(non_json_bodies_keep_the_status_line);
	RUN(argument_names_map_to_attributes);
	RUN(escape_query_values);
	return test_done();
}
