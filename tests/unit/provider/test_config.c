/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of provider/config: API errors become framework diagnostics on the right attribute
 * (invalid arguments mapped through scwclient_error_attr), other errors one whole-resource
 * diagnostic with the API's text; an unconfigured provider is reported, not dereferenced.
 */
#include "common/err.h"
#include "provider/config.h"
#include "test.h"

static const char *const attrs[] = { "description", "expires_at", "username", NULL };

static void set_err(struct iam_call *call, long status, const char *body)
{
	scwclient_error_release(&call->err);
	if (scwclient_error_parse(status, NULL, body, strlen(body), &call->err) != 0)
		abort();
}

TEST(invalid_arguments_land_on_their_attributes)
{
	struct iam_call call;
	struct fw_diags d;

	memset(&call, 0, sizeof(call));
	fw_diags_init(&d);
	set_err(&call, 400,
		"{\"details\":[{\"argument_name\":\"expires_at\",\"help_message\":\"must be in the future\","
		"\"reason\":\"constraint\"},{\"argument_name\":\"member.username\",\"reason\":\"required\"}],"
		"\"message\":\"invalid argument(s)\",\"type\":\"invalid_arguments\"}");
	provider_api_error(&d, "Cannot create", ERR_INVAL, &call, attrs);
	ASSERT_EQ_UINT(d.n, 2);
	ASSERT_EQ_INT(d.v[0].severity, FW_ERROR);
	ASSERT_EQ_UINT(d.v[0].npath, 1);
	ASSERT_EQ_STR(d.v[0].path[0].name, "expires_at");
	ASSERT(strstr(d.v[0].detail, "must be in the future"));
	ASSERT_EQ_STR(d.v[1].path[0].name, "username");
	ASSERT_EQ_STR(d.v[1].summary, "Cannot create");
	fw_diags_release(&d);
	iam_call_release(&call);
}

TEST(unmapped_and_other_errors_are_one_resource_level_diagnostic)
{
	struct iam_call call;
	struct fw_diags d;

	memset(&call, 0, sizeof(call));
	fw_diags_init(&d);
	set_err(&call, 400,
		"{\"details\":[{\"argument_name\":\"bearer\",\"reason\":\"required\"}],"
		"\"message\":\"invalid argument(s)\",\"type\":\"invalid_arguments\"}");
	provider_api_error(&d, "Cannot create", ERR_INVAL, &call, attrs);
	ASSERT_EQ_UINT(d.n, 1);
	ASSERT_EQ_UINT(d.v[0].npath, 0);
	ASSERT(strstr(d.v[0].detail, "bearer is required"));
	fw_diags_release(&d);

	fw_diags_init(&d);
	set_err(&call, 403,
		"{\"details\":[{\"current\":100,\"quota\":100,\"resource\":\"api_keys\"}],"
		"\"message\":\"quota(s) exceeded\",\"type\":\"quotas_exceeded\"}");
	provider_api_error(&d, "Cannot create", ERR_QUOTA, &call, attrs);
	ASSERT_EQ_UINT(d.n, 1);
	ASSERT(strstr(d.v[0].detail, "quota exceeded: api_keys (100 of 100) (HTTP 403)"));
	fw_diags_release(&d);

	fw_diags_init(&d);
	provider_api_error(&d, "Cannot read", ERR_CANCELED, &call, NULL);
	ASSERT_EQ_UINT(d.n, 1);
	ASSERT(strstr(d.v[0].detail, "cancelled"));
	fw_diags_release(&d);
	iam_call_release(&call);
}

TEST(unconfigured_provider_is_an_error_not_a_crash)
{
	struct fw_ctx ctx;
	struct iam_call call;
	struct fw_diags d;

	memset(&ctx, 0, sizeof(ctx));
	fw_diags_init(&d);
	ASSERT_EQ_INT(provider_call(&ctx, &call, &d), ERR_INVAL);
	ASSERT_EQ_UINT(d.n, 1);
	ASSERT_EQ_STR(d.v[0].summary, "Provider not configured");
	ASSERT(provider_setting(&ctx, SCWCONFIG_ORGANIZATION_ID) == NULL);
	fw_diags_release(&d);
}

int main(void)
{
	RUN(invalid_arguments_land_on_their_attributes);
	RUN(unmapped_and_other_errors_are_one_resource_level_diagnostic);
	RUN(unconfigured_provider_is_an_error_not_a_crash);
	return test_done();
}
