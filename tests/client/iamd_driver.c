/* SPDX-License-Identifier: MIT */
/*
 * iamd_driver: the typed IAM calls of client/iam end to end against a real scw-iamd, configured
 * the way the provider is (client/scwconfig from the SCW_* environment). Prints TAP.
 * Usage: iamd_driver (env: SCW_API_URL, SCW_ACCESS_KEY, SCW_SECRET_KEY,
 * SCW_DEFAULT_ORGANIZATION_ID, SCW_DEFAULT_PROJECT_ID, IAMD_USER_ID).
 */
#include <stdlib.h>

#include "client/iam.h"
#include "client/scwclient.h"
#include "client/scwconfig.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "../unit/test.h"

static struct scwconfig *cfg;
static struct scwclient *cli;
static const char *org, *project;

static struct iam_call new_call(void)
{
	struct iam_call c;

	memset(&c, 0, sizeof(c));
	c.client = cli;
	return c;
}

TEST(config_from_environment_builds_a_client)
{
	struct scwclient_opts o = { 0 };

	ASSERT_EQ_INT(scwconfig_load(NULL, &cfg), 0);
	ASSERT_EQ_UINT(cfg->nerrors, 0);
	ASSERT_EQ_INT(cfg->v[SCWCONFIG_SECRET_KEY].source, SCWCONFIG_SRC_ENV);
	ASSERT_EQ_STR(cfg->v[SCWCONFIG_API_URL].origin, "SCW_API_URL");
	scwclient_opts_from_config(&o, cfg);
	ASSERT_EQ_STR(o.api_url, getenv("SCW_API_URL"));
	ASSERT(o.insecure == 0);
	o.provider_version = "0.0.0-test";
	o.timeout_ms = 20000;
	ASSERT_EQ_INT(scwclient_new(&o, &cli), 0);
	org = scwconfig_get(cfg, SCWCONFIG_ORGANIZATION_ID);
	project = scwconfig_get(cfg, SCWCONFIG_PROJECT_ID);
	ASSERT(org && project);
}

static char app_id[40], app2_id[40], key_ak[24], user_id[40], ukey_ak[24];

TEST(application_create_get_update_list_by_name)
{
	struct iam_call call = new_call();
	const char *tags[] = { "team:ci", "env:test" };
	struct iam_application_create in = { "e2e-app", org, "first", tags, 2 };
	struct iam_application_create in2 = { "e2e-app-two", org, "", NULL, 0 };
	struct iam_application_update up = { "e2e-app-renamed", "second", 1, NULL, 0 };
	struct iam_application_filter f = { org, "e2e-app", NULL, -1, NULL, 0 };
	struct iam_application_list l = { NULL, 0 };
	struct iam_application a;
	size_t i, seen = 0;

	ASSERT_EQ_INT(iam_application_create(&call, &in, &a), 0);
	ASSERT(uuid_is_valid(a.id, strlen(a.id)));
	ASSERT_EQ_STR(a.name, "e2e-app");
	ASSERT_EQ_STR(a.organization_id, org);
	ASSERT_EQ_UINT(a.ntags, 2);
	ASSERT_EQ_STR(a.tags[0], "team:ci");
	ASSERT_EQ_UINT(a.nb_api_keys, 0);
	ASSERT(a.editable && a.deletable && !a.managed);
	snprintf(app_id, sizeof(app_id), "%s", a.id);
	iam_application_release(&a);
	ASSERT_EQ_INT(iam_application_create(&call, &in2, &a), 0);
	snprintf(app2_id, sizeof(app2_id), "%s", a.id);
	iam_application_release(&a);

	ASSERT_EQ_INT(iam_application_list(&call, &f, &l), 0);
	for (i = 0; i < l.n; i++)
		if (!strcmp(l.items[i].id, app_id) || !strcmp(l.items[i].id, app2_id))
			seen++;
	ASSERT_EQ_UINT(seen, 2);
	iam_application_list_release(&l);

	ASSERT_EQ_INT(iam_application_update(&call, app_id, &up, &a), 0);
	ASSERT_EQ_STR(a.name, "e2e-app-renamed");
	ASSERT_EQ_STR(a.description, "second");
	ASSERT_EQ_UINT(a.ntags, 0);
	iam_application_release(&a);
	ASSERT_EQ_INT(iam_application_get(&call, app_id, &a), 0);
	ASSERT_EQ_STR(a.name, "e2e-app-renamed");
	ASSERT_EQ_UINT(a.ntags, 0);
	iam_application_release(&a);
	iam_call_release(&call);
}

TEST(api_key_create_get_update_with_secret_only_once)
{
	struct iam_call call = new_call();
	struct iam_api_key_create in = { app_id, NULL, "2035-07-06T11:00:00+02:00", NULL, "e2e key" };
	struct iam_api_key_update up = { "e2e key renamed", NULL, "2036-01-01T00:00:00Z" };
	struct iam_api_key k;
	struct iam_application a;

	ASSERT_EQ_INT(iam_api_key_create(&call, &in, &k), 0);
	ASSERT(access_key_is_valid(k.access_key, strlen(k.access_key)));
	ASSERT(k.secret_key && uuid_is_valid(k.secret_key, strlen(k.secret_key)));
	ASSERT_EQ_STR(k.application_id, app_id);
	ASSERT(k.user_id == NULL);
	ASSERT_EQ_STR(k.expires_at, "2035-07-06T09:00:00Z");
	ASSERT_EQ_STR(k.default_project_id, project);
	ASSERT_EQ_STR(k.description, "e2e key");
	snprintf(key_ak, sizeof(key_ak), "%s", k.access_key);
	iam_api_key_release(&k);

	ASSERT_EQ_INT(iam_api_key_get(&call, key_ak, &k), 0);
	ASSERT(k.secret_key == NULL);
	ASSERT_EQ_STR(k.description, "e2e key");
	iam_api_key_release(&k);

	ASSERT_EQ_INT(iam_api_key_update(&call, key_ak, &up, &k), 0);
	ASSERT_EQ_STR(k.description, "e2e key renamed");
	ASSERT_EQ_STR(k.expires_at, "2036-01-01T00:00:00Z");
	ASSERT(k.secret_key == NULL);
	iam_api_key_release(&k);

	ASSERT_EQ_INT(iam_application_get(&call, app_id, &a), 0);
	ASSERT_EQ_UINT(a.nb_api_keys, 1);
	iam_application_release(&a);
	iam_call_release(&call);
}

TEST(api_key_list_reads_every_page)
{
	struct iam_call call = new_call();
	struct iam_api_key_create in = { app2_id, NULL, NULL, NULL, "paged" };
	struct iam_api_key_filter f = { NULL, app2_id, "application", NULL, -1, -1, NULL, 0 };
	struct iam_api_key_list l = { NULL, 0 };
	struct iam_api_key k;
	char last[24] = "";
	int i;

	for (i = 0; i < 103; i++) {
		ASSERT_EQ_INT(iam_api_key_create(&call, &in, &k), 0);
		snprintf(last, sizeof(last), "%s", k.access_key);
		iam_api_key_release(&k);
	}
	ASSERT_EQ_INT(iam_api_key_list(&call, &f, &l), 0);
	ASSERT_EQ_UINT(l.n, 103);
	ASSERT_EQ_STR(l.items[102].access_key, last);
	for (i = 0; i < 103; i++)
		ASSERT(l.items[i].secret_key == NULL && !strcmp(l.items[i].application_id, app2_id));
	iam_api_key_list_release(&l);
	iam_call_release(&call);
}

TEST(user_member_create_update_username_and_key)
{
	struct iam_call call = new_call();
	const char *tags[] = { "t1" };
	struct iam_user_create in = {
		org, tags, 1, "e2e@example.com", "e2euser", "Str0ng-Passw0rd!x", "Ada", "Lovelace", "", "", 0, 0
	};
	struct iam_user_update up = { 1, NULL, 0, "e2e2@example.com", NULL, "Byron", NULL, "fr_FR" };
	struct iam_api_key_create kin = { NULL, NULL, NULL, NULL, "user key" };
	struct iam_user_filter f = { org, NULL, -1, NULL, NULL, 0 };
	struct iam_user_list l = { NULL, 0 };
	struct iam_user u;
	struct iam_api_key k;
	size_t i, seen = 0;

	ASSERT_EQ_INT(iam_user_create(&call, &in, &u), 0);
	ASSERT(uuid_is_valid(u.id, strlen(u.id)));
	ASSERT_EQ_STR(u.email, "e2e@example.com");
	ASSERT_EQ_STR(u.username, "e2euser");
	ASSERT_EQ_STR(u.type, "member");
	ASSERT(u.last_login_at == NULL);
	snprintf(user_id, sizeof(user_id), "%s", u.id);
	iam_user_release(&u);

	ASSERT_EQ_INT(iam_user_update(&call, user_id, &up, &u), 0);
	ASSERT_EQ_STR(u.email, "e2e2@example.com");
	ASSERT_EQ_STR(u.last_name, "Byron");
	ASSERT_EQ_STR(u.first_name, "Ada");
	ASSERT_EQ_STR(u.locale, "fr_FR");
	ASSERT_EQ_UINT(u.ntags, 0);
	iam_user_release(&u);
	ASSERT_EQ_INT(iam_user_update_username(&call, user_id, "e2euser2", &u), 0);
	ASSERT_EQ_STR(u.username, "e2euser2");
	iam_user_release(&u);
	ASSERT_EQ_INT(iam_user_get(&call, user_id, &u), 0);
	ASSERT_EQ_STR(u.username, "e2euser2");
	iam_user_release(&u);

	ASSERT_EQ_INT(iam_user_list(&call, &f, &l), 0);
	for (i = 0; i < l.n; i++)
		if (!strcmp(l.items[i].id, user_id))
			seen++;
	ASSERT_EQ_UINT(seen, 1);
	ASSERT(l.n >= 2); /* the bootstrap owner too */
	iam_user_list_release(&l);

	kin.user_id = user_id;
	ASSERT_EQ_INT(iam_api_key_create(&call, &kin, &k), 0);
	ASSERT_EQ_STR(k.user_id, user_id);
	ASSERT(k.application_id == NULL);
	snprintf(ukey_ak, sizeof(ukey_ak), "%s", k.access_key);
	iam_api_key_release(&k);
	iam_call_release(&call);
}

TEST(errors_come_back_typed_with_attribute_names)
{
	struct iam_call call = new_call();
	struct iam_api_key_create bad = { app_id, NULL, "not-a-date", NULL, "x" };
	struct iam_api_key_create none = { NULL, NULL, NULL, NULL, "x" };
	struct scwclient_opts o = { 0 };
	struct scwclient *wrong = NULL;
	struct iam_api_key k;
	char attr[64];
	size_t i;
	int found = 0;

	ASSERT_EQ_INT(iam_api_key_create(&call, &none, &k), ERR_INVAL); /* caught before any call */
	ASSERT_EQ_INT(iam_api_key_create(&call, &bad, &k), ERR_INVAL);
	ASSERT_EQ_INT(call.err.status, 400);
	ASSERT_EQ_STR(call.err.type, "invalid_arguments");
	for (i = 0; i < call.err.ndetails; i++) {
		if (scwclient_error_attr(call.err.details[i].argument_name, attr, sizeof(attr)) == 0 &&
		    !strcmp(attr, "expires_at"))
			found = 1;
	}
	ASSERT(found);
	ASSERT_EQ_INT(iam_api_key_get(&call, "SCWAAAAAAAAAAAAAAAAA", &k), ERR_NOTFOUND);
	ASSERT_EQ_STR(call.err.type, "not_found");
	ASSERT_EQ_STR(call.err.resource_id, "SCWAAAAAAAAAAAAAAAAA");

	o.api_url = scwconfig_get(cfg, SCWCONFIG_API_URL);
	o.secret_key = "99999999-9999-4999-8999-999999999999";
	ASSERT_EQ_INT(scwclient_new(&o, &wrong), 0);
	call.client = wrong;
	ASSERT_EQ_INT(iam_api_key_get(&call, key_ak, &k), ERR_AUTH);
	ASSERT_EQ_STR(call.err.type, "denied_authentication");
	ASSERT_EQ_STR(call.err.reason, "not_found");
	scwclient_free(wrong);
	iam_call_release(&call);
}

TEST(deletes_cascade_and_absent_objects_say_not_found)
{
	struct iam_call call = new_call();
	struct iam_api_key k;
	struct iam_application a;
	struct iam_user u;

	ASSERT_EQ_INT(iam_api_key_delete(&call, key_ak), 0);
	ASSERT_EQ_INT(iam_api_key_get(&call, key_ak, &k), ERR_NOTFOUND);
	ASSERT_EQ_INT(iam_api_key_delete(&call, key_ak), ERR_NOTFOUND);
	/* deleting an application removes its keys */
	ASSERT_EQ_INT(iam_application_delete(&call, app2_id), 0);
	ASSERT_EQ_INT(iam_application_get(&call, app2_id, &a), ERR_NOTFOUND);
	ASSERT_EQ_STR(call.err.resource, "application");
	{
		struct iam_api_key_filter f = { NULL, app2_id, "application", NULL, -1, -1, NULL, 0 };
		struct iam_api_key_list l = { NULL, 0 };

		ASSERT_EQ_INT(iam_api_key_list(&call, &f, &l), 0);
		ASSERT_EQ_UINT(l.n, 0);
		iam_api_key_list_release(&l);
	}
	/* and deleting a user removes theirs */
	ASSERT_EQ_INT(iam_user_delete(&call, user_id), 0);
	ASSERT_EQ_INT(iam_user_get(&call, user_id, &u), ERR_NOTFOUND);
	ASSERT_EQ_INT(iam_api_key_get(&call, ukey_ak, &k), ERR_NOTFOUND);
	ASSERT_EQ_INT(iam_application_delete(&call, app_id), 0);
	iam_call_release(&call);
}

int main(void)
{
	int rc;

	if (scwclient_global_init() != 0)
		return 2;
	RUN(config_from_environment_builds_a_client);
	if (!cli) {
		printf("1..1\n");
		return 1;
	}
	RUN(application_create_get_update_list_by_name);
	RUN(api_key_create_get_update_with_secret_only_once);
	RUN(api_key_list_reads_every_page);
	RUN(user_member_create_update_username_and_key);
	RUN(errors_come_back_typed_with_attribute_names);
	RUN(deletes_cascade_and_absent_objects_say_not_found);
	scwclient_free(cli);
	scwconfig_free(cfg);
	rc = test_done();
	return rc;
}
