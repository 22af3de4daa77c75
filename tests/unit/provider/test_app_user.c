/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the scaleway_iam_application / scaleway_iam_user schemas and their plan-time
 * rules, without any API: the provider registers (schemas valid), validation names the
 * attribute for each invalid value and never echoes a password, password conflicts and the
 * password_wo_version requirement, the tags validator, the API-to-state helpers that keep null
 * for "" / [], generated application names, and the plan: organization_id / password /
 * password_wo_version replace, nb_api_keys kept, a create-only flag change warned.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "framework/fw.h"
#include "provider/iam_application.h"
#include "provider/iam_user.h"
#include "provider/provider.h"
#include "provider/tfutil.h"
#include "test.h"

static struct fw_ctx ctx;
static struct fw *fw;

/* A user config with the two required attributes. */
static void user_config(struct cty_value *v)
{
	ASSERT_EQ_INT(cty_value_object(v, fw_resource_type(fw, &iamuser_resource)), 0);
	ASSERT_EQ_INT(fw_set_cstring(v, "email", "a@example.com"), 0);
	ASSERT_EQ_INT(fw_set_cstring(v, "username", "alice"), 0);
}

/* Validate; 1 when an error names attr and the detail lacks forbidden (may be NULL). */
static int invalid_on(const struct fw_resource *r, const struct cty_value *cfg, const char *attr, const char *forbidden)
{
	struct fw_diags d;
	size_t i;
	int found = 0, rc;

	fw_diags_init(&d);
	rc = fw_validate_config(&ctx, r->attrs, r->rules, cfg, &d);
	if (rc == 0 && r->validate)
		rc = r->validate(&ctx, cfg, &d);
	for (i = 0; i < d.n; i++) {
		if (d.v[i].severity != FW_ERROR)
			continue;
		if (forbidden &&
		    ((d.v[i].detail && strstr(d.v[i].detail, forbidden)) || strstr(d.v[i].summary, forbidden)))
			found = -1000;
		if (d.v[i].npath == 1 && strcmp(d.v[i].path[0].name, attr) == 0)
			found++;
	}
	fw_diags_release(&d);
	return rc < 0 && found > 0;
}

static int valid(const struct fw_resource *r, const struct cty_value *cfg)
{
	struct fw_diags d;
	int rc;

	fw_diags_init(&d);
	rc = fw_validate_config(&ctx, r->attrs, r->rules, cfg, &d);
	if (rc == 0 && r->validate)
		rc = r->validate(&ctx, cfg, &d);
	rc = rc == 0 && !fw_diags_has_error(&d);
	fw_diags_release(&d);
	return rc;
}

TEST(provider_registers_with_app_and_user)
{
	ASSERT(fw_find_resource(fw, "scaleway_iam_application") == &iamapp_resource);
	ASSERT(fw_find_resource(fw, "scaleway_iam_user") == &iamuser_resource);
	ASSERT(fw_find_data_source(fw, "scaleway_iam_application") == &iamapp_data_source);
	ASSERT(fw_find_data_source(fw, "scaleway_iam_user") == &iamuser_data_source);
}

TEST(user_validation_names_the_attribute)
{
	struct cty_value v;

	user_config(&v);
	ASSERT(valid(&iamuser_resource, &v));
	ASSERT_EQ_INT(fw_set_cstring(&v, "username", ""), 0);
	ASSERT(invalid_on(&iamuser_resource, &v, "username", NULL));
	ASSERT_EQ_INT(fw_set_cstring(&v, "username", "a b"), 0);
	ASSERT(invalid_on(&iamuser_resource, &v, "username", NULL));
	ASSERT_EQ_INT(fw_set_cstring(&v, "username", "alice"), 0);
	ASSERT_EQ_INT(fw_set_cstring(&v, "email", "no-at-sign"), 0);
	ASSERT(invalid_on(&iamuser_resource, &v, "email", NULL));
	ASSERT_EQ_INT(fw_set_cstring(&v, "email", "a@example.com"), 0);
	ASSERT_EQ_INT(fw_set_cstring(&v, "organization_id", "nope"), 0);
	ASSERT(invalid_on(&iamuser_resource, &v, "organization_id", NULL));
	ASSERT_EQ_INT(fw_set_null(&v, "organization_id"), 0);
	ASSERT_EQ_INT(fw_set_cstring(&v, "locale", "en US"), 0);
	ASSERT(invalid_on(&iamuser_resource, &v, "locale", NULL));
	ASSERT_EQ_INT(fw_set_cstring(&v, "locale", "en_US"), 0);
	ASSERT(valid(&iamuser_resource, &v));
	cty_value_release(&v);
}

TEST(user_passwords_conflict_and_need_a_version_and_are_never_echoed)
{
	struct cty_value v;

	user_config(&v);
	ASSERT_EQ_INT(fw_set_cstring(&v, "password", "shortpw"), 0);
	ASSERT(invalid_on(&iamuser_resource, &v, "password", "shortpw"));
	ASSERT_EQ_INT(fw_set_cstring(&v, "password", "long-enough-1"), 0);
	ASSERT(valid(&iamuser_resource, &v));
	ASSERT_EQ_INT(fw_set_cstring(&v, "password_wo", "long-enough-2"), 0);
	ASSERT_EQ_INT(fw_set_int(&v, "password_wo_version", 1), 0);
	ASSERT(invalid_on(&iamuser_resource, &v, "password_wo", "long-enough"));
	ASSERT_EQ_INT(fw_set_null(&v, "password"), 0);
	ASSERT(valid(&iamuser_resource, &v));
	ASSERT_EQ_INT(fw_set_null(&v, "password_wo_version"), 0);
	ASSERT(invalid_on(&iamuser_resource, &v, "password_wo_version", "long-enough"));
	cty_value_release(&v);
}

TEST(tags_validator_limits_count_and_length)
{
	struct cty_value v;
	const char *eleven[11] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k" };
	const char *empty[2] = { "ok", "" };
	char long_tag[TFUTIL_TAG_LEN_MAX + 2];
	const char *too_long[1] = { long_tag };

	memset(long_tag, 't', sizeof(long_tag) - 1);
	long_tag[sizeof(long_tag) - 1] = '\0';
	ASSERT_EQ_INT(cty_value_object(&v, fw_resource_type(fw, &iamapp_resource)), 0);
	ASSERT_EQ_INT(fw_set_strings(&v, "tags", eleven, 10), 0);
	ASSERT(valid(&iamapp_resource, &v));
	ASSERT_EQ_INT(fw_set_strings(&v, "tags", eleven, 11), 0);
	ASSERT(invalid_on(&iamapp_resource, &v, "tags", NULL));
	ASSERT_EQ_INT(fw_set_strings(&v, "tags", empty, 2), 0);
	ASSERT(invalid_on(&iamapp_resource, &v, "tags", NULL));
	ASSERT_EQ_INT(fw_set_strings(&v, "tags", too_long, 1), 0);
	ASSERT(invalid_on(&iamapp_resource, &v, "tags", NULL));
	ASSERT_EQ_INT(fw_set_strings(&v, "tags", empty, 0), 0);
	ASSERT(valid(&iamapp_resource, &v));
	cty_value_release(&v);
}

TEST(data_sources_need_exactly_one_key)
{
	struct cty_value v;
	struct fw_diags d;

	ASSERT_EQ_INT(cty_value_object(&v, fw_data_source_type(fw, &iamapp_data_source)), 0);
	fw_diags_init(&d);
	ASSERT(fw_validate_config(&ctx, iamapp_data_source.attrs, iamapp_data_source.rules, &v, &d) < 0);
	fw_diags_release(&d);
	ASSERT_EQ_INT(fw_set_cstring(&v, "name", "x"), 0);
	fw_diags_init(&d);
	ASSERT_EQ_INT(fw_validate_config(&ctx, iamapp_data_source.attrs, iamapp_data_source.rules, &v, &d), 0);
	fw_diags_release(&d);
	ASSERT_EQ_INT(fw_set_cstring(&v, "application_id", "11111111-2222-4333-8444-555555555555"), 0);
	fw_diags_init(&d);
	ASSERT(fw_validate_config(&ctx, iamapp_data_source.attrs, iamapp_data_source.rules, &v, &d) < 0);
	fw_diags_release(&d);
	cty_value_release(&v);
	ASSERT_EQ_INT(cty_value_object(&v, fw_data_source_type(fw, &iamuser_data_source)), 0);
	ASSERT_EQ_INT(fw_set_cstring(&v, "email", "a@example.com"), 0);
	ASSERT_EQ_INT(fw_set_cstring(&v, "user_id", "11111111-2222-4333-8444-555555555555"), 0);
	fw_diags_init(&d);
	ASSERT(fw_validate_config(&ctx, iamuser_data_source.attrs, iamuser_data_source.rules, &v, &d) < 0);
	fw_diags_release(&d);
	cty_value_release(&v);
}

TEST(unset_strings_and_lists_are_planned_empty)
{
	static const char *const empty_when_unset[] = { "description", "tags", NULL };
	struct cty_value v, cfg;
	char x[] = "x";
	char *tags[1] = { x };

	/* an unset string is planned as "" (the reference provider's state); a set one is kept */
	ASSERT_EQ_INT(cty_value_object(&v, fw_resource_type(fw, &iamapp_resource)), 0);
	ASSERT_EQ_INT(cty_value_object(&cfg, fw_resource_type(fw, &iamapp_resource)), 0);
	ASSERT_EQ_INT(fw_set_cstring(&v, "description", "old"), 0);
	ASSERT_EQ_INT(fw_set_strings(&v, "tags", (const char *const *)tags, 1), 0);
	ASSERT_EQ_INT(tfutil_plan_empty(&cfg, &v, empty_when_unset), 0);
	ASSERT_EQ_STR(fw_get_string(&v, "description"), "");
	/* an unset list is planned as [] */
	ASSERT_EQ_INT(cty_object_attr(&v, "tags")->st, CTY_KNOWN);
	ASSERT_EQ_INT(cty_object_attr(&v, "tags")->n, 0);
	ASSERT_EQ_INT(fw_set_cstring(&cfg, "description", "d"), 0);
	ASSERT_EQ_INT(fw_set_cstring(&v, "description", "d"), 0);
	ASSERT_EQ_INT(fw_set_strings(&cfg, "tags", (const char *const *)tags, 1), 0);
	ASSERT_EQ_INT(fw_set_strings(&v, "tags", (const char *const *)tags, 1), 0);
	ASSERT_EQ_INT(tfutil_plan_empty(&cfg, &v, empty_when_unset), 0);
	ASSERT_EQ_STR(fw_get_string(&v, "description"), "d");
	ASSERT_EQ_INT(cty_object_attr(&v, "tags")->n, 1);
	cty_value_release(&cfg);
	cty_value_release(&v);
}

TEST(generated_names_are_valid_and_differ)
{
	char a[IAMAPP_NAME_GEN_LEN + 1], b[IAMAPP_NAME_GEN_LEN + 1];
	size_t i;

	ASSERT_EQ_INT(iamapp_generate_name(a), 0);
	ASSERT_EQ_INT(iamapp_generate_name(b), 0);
	ASSERT_EQ_INT(strncmp(a, "tf-application-", 15), 0);
	ASSERT_EQ_INT(strlen(a), IAMAPP_NAME_GEN_LEN);
	ASSERT(strlen(a) <= 64);
	for (i = 15; a[i]; i++)
		ASSERT((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= '0' && a[i] <= '9'));
	ASSERT(strcmp(a, b) != 0);
}

/* Plan an update of a user whose prior state is `prior` to config `cfg`. */
static int plan_user(const struct cty_value *prior, const struct cty_value *cfg, struct fw_replace *rep,
		     struct fw_diags *d, struct cty_value *planned)
{
	struct cty_value proposed;
	size_t i;
	int r;

	/* proposed = config, with computed attributes null in config taken from prior */
	r = cty_value_copy(&proposed, cfg);
	for (i = 0; r == 0 && iamuser_resource.attrs[i].name; i++) {
		const struct fw_attr *a = &iamuser_resource.attrs[i];

		if ((a->flags & FW_COMPUTED) && fw_is_null(cfg, a->name))
			r = fw_set_value(&proposed, a->name, cty_object_attr(prior, a->name));
	}
	if (r == 0)
		r = fw_plan(&ctx, &iamuser_resource, prior, &proposed, cfg, planned, rep, d);
	cty_value_release(&proposed);
	return r;
}

TEST(user_plan_replaces_on_org_updates_password_in_place_and_warns_on_create_only_flags)
{
	struct cty_value prior, cfg, planned;
	struct fw_replace rep;
	struct fw_diags d;
	size_t i;
	int warned = 0;

	user_config(&prior);
	ASSERT_EQ_INT(fw_set_cstring(&prior, "id", "11111111-2222-4333-8444-555555555555"), 0);
	ASSERT_EQ_INT(fw_set_cstring(&prior, "organization_id", "11111111-2222-4333-8444-000000000000"), 0);
	ASSERT_EQ_INT(fw_set_cstring(&prior, "password", "first-password"), 0);
	ASSERT_EQ_INT(fw_set_cstring(&prior, "updated_at", "2026-01-01T00:00:00Z"), 0);
	ASSERT_EQ_INT(fw_set_cstring(&prior, "locale", "en_US"), 0);
	/* unset names, phone number and tags are "" and [] in state (the reference provider's form) */
	ASSERT_EQ_INT(fw_set_cstring(&prior, "first_name", ""), 0);
	ASSERT_EQ_INT(fw_set_cstring(&prior, "last_name", ""), 0);
	ASSERT_EQ_INT(fw_set_cstring(&prior, "phone_number", ""), 0);
	ASSERT_EQ_INT(fw_set_strings(&prior, "tags", NULL, 0), 0);
	ASSERT_EQ_INT(cty_value_copy(&cfg, &prior), 0);
	ASSERT_EQ_INT(fw_set_null(&cfg, "tags"), 0);
	ASSERT_EQ_INT(fw_set_null(&cfg, "id"), 0);
	ASSERT_EQ_INT(fw_set_null(&cfg, "updated_at"), 0);
	ASSERT_EQ_INT(fw_set_null(&cfg, "locale"), 0);
	ASSERT_EQ_INT(fw_set_null(&cfg, "first_name"), 0);
	ASSERT_EQ_INT(fw_set_null(&cfg, "last_name"), 0);
	ASSERT_EQ_INT(fw_set_null(&cfg, "phone_number"), 0);

	/* no change: nothing replaced, computed kept */
	fw_diags_init(&d);
	ASSERT_EQ_INT(plan_user(&prior, &cfg, &rep, &d, &planned), 0);
	ASSERT_EQ_INT(rep.n, 0);
	ASSERT(cty_value_equal(&planned, &prior));
	cty_value_release(&planned);
	fw_diags_release(&d);

	/* a new password: an in-place update (update-password), never a replacement nor a no-op */
	ASSERT_EQ_INT(fw_set_cstring(&cfg, "password", "second-password"), 0);
	fw_diags_init(&d);
	ASSERT_EQ_INT(plan_user(&prior, &cfg, &rep, &d, &planned), 0);
	ASSERT_EQ_INT(rep.n, 0);
	ASSERT_EQ_STR(fw_get_string(&planned, "password"), "second-password");
	ASSERT_EQ_INT(cty_object_attr(&planned, "updated_at")->st, CTY_UNKNOWN);
	cty_value_release(&planned);
	fw_diags_release(&d);
	ASSERT_EQ_INT(fw_set_cstring(&cfg, "password", "first-password"), 0);

	/* a new organization: replace */
	ASSERT_EQ_INT(fw_set_cstring(&cfg, "organization_id", "11111111-2222-4333-8444-999999999999"), 0);
	fw_diags_init(&d);
	ASSERT_EQ_INT(plan_user(&prior, &cfg, &rep, &d, &planned), 0);
	ASSERT_EQ_INT(rep.n, 1);
	ASSERT_EQ_STR(rep.attrs[0], "organization_id");
	cty_value_release(&planned);
	fw_diags_release(&d);
	ASSERT_EQ_INT(fw_set_cstring(&cfg, "organization_id", "11111111-2222-4333-8444-000000000000"), 0);

	/* send_welcome_email turned on later: in place, with a warning */
	ASSERT_EQ_INT(fw_set_bool(&cfg, "send_welcome_email", 1), 0);
	fw_diags_init(&d);
	ASSERT_EQ_INT(plan_user(&prior, &cfg, &rep, &d, &planned), 0);
	ASSERT_EQ_INT(rep.n, 0);
	for (i = 0; i < d.n; i++)
		if (d.v[i].severity == FW_WARNING && d.v[i].npath == 1 &&
		    strcmp(d.v[i].path[0].name, "send_welcome_email") == 0)
			warned = 1;
	ASSERT(warned);
	ASSERT_EQ_INT(cty_object_attr(&planned, "updated_at")->st, CTY_UNKNOWN);
	cty_value_release(&planned);
	fw_diags_release(&d);
	cty_value_release(&cfg);
	cty_value_release(&prior);
}

/* 1 when d holds exactly one diagnostic, an error on attr with that summary and detail. */
static int one_error(const struct fw_diags *d, const char *attr, const char *summary, const char *detail)
{
	return d->n == 1 && d->v[0].severity == FW_ERROR && d->v[0].npath == 1 &&
	       strcmp(d->v[0].path[0].name, attr) == 0 && strcmp(d->v[0].summary, summary) == 0 && d->v[0].detail &&
	       strcmp(d->v[0].detail, detail) == 0;
}

TEST(data_source_lookup_picks_one_exact_match_and_names_the_attribute_otherwise)
{
	static const struct tfutil_lookup by_name = {
		.attr = "name",
		.id_attr = "application_id",
		.noun = "application",
		.nouns = "applications",
		.is = "is named",
		.are = "are named",
		.not_found = "Application not found",
		.several = "Several applications match",
		.read_summary = "Cannot read the application",
		.key_off = offsetof(struct iam_application, name),
		.nocase = 0,
	};
	static const struct tfutil_lookup by_email = {
		.attr = "email",
		.id_attr = "user_id",
		.noun = "user",
		.nouns = "users",
		.is = "has the email",
		.are = "have the email",
		.not_found = "User not found",
		.several = "Several users match",
		.read_summary = "Cannot read the user",
		.key_off = offsetof(struct iam_user, email),
		.nocase = 1,
	};
	struct iam_application apps[4];
	struct iam_user users[3];
	struct fw_diags d;
	size_t at = 99;

	memset(apps, 0, sizeof(apps));
	memset(users, 0, sizeof(users));
	apps[0].name = (char *)(uintptr_t) "app-1";
	apps[1].name = NULL; /* no name: never matches */
	apps[2].name = (char *)(uintptr_t) "app";
	apps[3].name = (char *)(uintptr_t) "APP";
	fw_diags_init(&d);
	ASSERT_EQ_INT(tfutil_pick(&by_name, apps, 4, sizeof(apps[0]), "O", "app", &at, &d), 0);
	ASSERT_EQ_UINT(at, 2); /* exact: neither "app-1" nor "APP" */
	ASSERT_EQ_UINT(d.n, 0);
	ASSERT_EQ_INT(tfutil_pick(&by_name, apps, 4, sizeof(apps[0]), "O", "ap", &at, &d), ERR_NOTFOUND);
	ASSERT(one_error(&d, "name", "Application not found", "No application of organization O is named \"ap\"."));
	fw_diags_release(&d);
	apps[0].name = (char *)(uintptr_t) "app";
	fw_diags_init(&d);
	ASSERT_EQ_INT(tfutil_pick(&by_name, apps, 4, sizeof(apps[0]), "O", "app", &at, &d), ERR_NOTFOUND);
	ASSERT(one_error(&d, "name", "Several applications match",
			 "2 applications of organization O are named \"app\"; use application_id instead."));
	fw_diags_release(&d);

	users[0].email = (char *)(uintptr_t) "b@example.com";
	users[1].email = (char *)(uintptr_t) "A@Example.com";
	fw_diags_init(&d);
	ASSERT_EQ_INT(tfutil_pick(&by_email, users, 3, sizeof(users[0]), "O", "a@example.COM", &at, &d), 0);
	ASSERT_EQ_UINT(at, 1); /* without regard to case */
	ASSERT_EQ_INT(tfutil_pick(&by_email, users, 3, sizeof(users[0]), "O", "c@example.com", &at, &d), ERR_NOTFOUND);
	ASSERT(one_error(&d, "email", "User not found", "No user of organization O has the email \"c@example.com\"."));
	fw_diags_release(&d);
	users[2].email = (char *)(uintptr_t) "a@example.com";
	fw_diags_init(&d);
	ASSERT_EQ_INT(tfutil_pick(&by_email, users, 3, sizeof(users[0]), "O", "a@example.com", &at, &d), ERR_NOTFOUND);
	ASSERT(one_error(&d, "email", "Several users match",
			 "2 users of organization O have the email \"a@example.com\"; use user_id instead."));
	fw_diags_release(&d);
}

TEST(changed_tags_are_sent_only_when_they_differ)
{
	struct cty_value prior, planned, unknown;
	const char *ab[2] = { "a", "b" }, *ba[2] = { "b", "a" };
	const char **out = NULL;
	struct fw_diags d;
	size_t n = 7;
	int set = 7;

	ASSERT_EQ_INT(cty_value_object(&prior, fw_resource_type(fw, &iamuser_resource)), 0);
	ASSERT_EQ_INT(cty_value_object(&planned, fw_resource_type(fw, &iamuser_resource)), 0);
	ASSERT_EQ_INT(fw_set_strings(&prior, "tags", ab, 2), 0);
	ASSERT_EQ_INT(fw_set_strings(&planned, "tags", ab, 2), 0);
	fw_diags_init(&d);
	ASSERT_EQ_INT(tfutil_changed_tags(&prior, &planned, &out, &n, &set, "S", &d), 0);
	ASSERT(set == 0 && out == NULL && n == 0);
	ASSERT_EQ_INT(fw_set_strings(&planned, "tags", ba, 2), 0); /* order matters */
	ASSERT_EQ_INT(tfutil_changed_tags(&prior, &planned, &out, &n, &set, "S", &d), 0);
	ASSERT(set == 1 && n == 2 && out && strcmp(out[0], "b") == 0 && strcmp(out[1], "a") == 0);
	free(out);
	ASSERT_EQ_INT(fw_set_strings(&planned, "tags", ab, 0), 0); /* [] clears */
	ASSERT_EQ_INT(tfutil_changed_tags(&prior, &planned, &out, &n, &set, "S", &d), 0);
	ASSERT(set == 1 && n == 0);
	free(out);
	ASSERT_EQ_UINT(d.n, 0);
	cty_value_unknown(&unknown, cty_object_attr(&planned, "tags")->type);
	ASSERT_EQ_INT(fw_set_value(&planned, "tags", &unknown), 0);
	ASSERT_EQ_INT(tfutil_changed_tags(&prior, &planned, &out, &n, &set, "S", &d), ERR_INVAL);
	ASSERT(set == 0 && out == NULL);
	ASSERT(one_error(&d, "tags", "S", "The tags are not all known."));
	fw_diags_release(&d);
	cty_value_release(&prior);
	cty_value_release(&planned);
}

int main(void)
{
	if (fw_new(&provider_scaleway, &fw) != 0) {
		printf("Bail out! fw_new failed\n");
		return 1;
	}
	fw_ctx_init(&ctx, fw, NULL);
	RUN(provider_registers_with_app_and_user);
	RUN(user_validation_names_the_attribute);
	RUN(user_passwords_conflict_and_need_a_version_and_are_never_echoed);
	RUN(tags_validator_limits_count_and_length);
	RUN(data_sources_need_exactly_one_key);
	RUN(unset_strings_and_lists_are_planned_empty);
	RUN(generated_names_are_valid_and_differ);
	RUN(user_plan_replaces_on_org_updates_password_in_place_and_warns_on_create_only_flags);
	RUN(data_source_lookup_picks_one_exact_match_and_names_the_attribute_otherwise);
	RUN(changed_tags_are_sent_only_when_they_differ);
	fw_free(fw);
	return test_done();
}
