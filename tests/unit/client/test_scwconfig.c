/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of client/scwconfig: precedence (block > env > profile > defaults), profile
 * selection, config file errors and warnings, value checks. Real temp files, real setenv.
 */
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/scwconfig.h"
#include "common/err.h"
#include "common/mem.h"
#include "test.h"

#define AK1 "SCWAAAAAAAAAAAAAAAA1"
#define AK2 "SCWBBBBBBBBBBBBBBBB2"
#define AK3 "SCWCCCCCCCCCCCCCCCC3"
#define SK1 "11111111-1111-4111-8111-111111111111"
#define SK2 "22222222-2222-4222-8222-222222222222"
#define SK3 "33333333-3333-4333-8333-333333333333"
#define ORG "4c3e1b2a-0000-4000-8000-000000000001"

static char tmpdir[256];
static char cfgpath[320];

static const char *const all_env[] = { "SCW_ACCESS_KEY",
				       "SCW_SECRET_KEY",
				       "SCW_DEFAULT_PROJECT_ID",
				       "SCW_DEFAULT_ORGANIZATION_ID",
				       "SCW_DEFAULT_REGION",
				       "SCW_DEFAULT_ZONE",
				       "SCW_API_URL",
				       "SCW_PROFILE",
				       "SCW_CONFIG_PATH",
				       "SCW_INSECURE",
				       "SCALEWAY_ACCESS_KEY",
				       "SCALEWAY_TOKEN",
				       "SCW_TOKEN",
				       "SCALEWAY_ORGANIZATION",
				       "SCW_ORGANIZATION",
				       "SCALEWAY_REGION",
				       "SCW_REGION",
				       "SCW_TLSVERIFY",
				       "XDG_CONFIG_HOME",
				       NULL };

static void reset_env(void)
{
	int i;

	for (i = 0; all_env[i]; i++)
		unsetenv(all_env[i]);
	setenv("HOME", tmpdir, 1);
}

static void write_cfg(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static size_t count(const struct scwconfig *c, enum scwconfig_severity sev, const char *needle)
{
	size_t i, n = 0;

	for (i = 0; i < c->ndiags; i++)
		if (c->diags[i].severity == sev && (!needle || strstr(c->diags[i].detail, needle)))
			n++;
	return n;
}

static int diags_contain(const struct scwconfig *c, const char *needle)
{
	size_t i;

	for (i = 0; i < c->ndiags; i++)
		if (strstr(c->diags[i].detail, needle) || strstr(c->diags[i].summary, needle))
			return 1;
	return 0;
}

static const struct scwconfig_diag *first_error(const struct scwconfig *c)
{
	size_t i;

	for (i = 0; i < c->ndiags; i++)
		if (c->diags[i].severity == SCWCONFIG_ERROR)
			return &c->diags[i];
	return NULL;
}

TEST(block_credentials_alone_get_defaults)
{
	struct scwconfig_input in = { .access_key = AK1, .secret_key = SK1 };
	struct scwconfig *c;

	reset_env();
	ASSERT_EQ_INT(scwconfig_load(&in, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 0);
	ASSERT_EQ_UINT(c->ndiags, 0);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ACCESS_KEY), AK1);
	ASSERT_EQ_INT(c->v[SCWCONFIG_ACCESS_KEY].source, SCWCONFIG_SRC_BLOCK);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_REGION), "fr-par");
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ZONE), "fr-par-1");
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_API_URL), "https://api.scaleway.com");
	ASSERT_EQ_INT(c->v[SCWCONFIG_REGION].source, SCWCONFIG_SRC_DEFAULT);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_INSECURE), "false");
	ASSERT(c->config_found == 0);
	scwconfig_free(c);
}

TEST(block_beats_env_beats_profile_and_disagreement_warns_without_secret)
{
	struct scwconfig_input in = { .access_key = AK1, .secret_key = SK1 };
	struct scwconfig *c;

	reset_env();
	write_cfg(cfgpath,
		  "access_key: " AK3 "\nsecret_key: " SK3
		  "\ndefault_region: pl-waw\n"
		  "default_organization_id: " ORG "\n",
		  0600);
	setenv("SCW_ACCESS_KEY", AK2, 1);
	setenv("SCW_SECRET_KEY", SK2, 1);
	setenv("SCW_DEFAULT_REGION", "nl-ams", 1);
	ASSERT_EQ_INT(scwconfig_load(&in, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 0);
	ASSERT(c->config_found);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ACCESS_KEY), AK1);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_SECRET_KEY), SK1);
	ASSERT_EQ_STR(c->v[SCWCONFIG_SECRET_KEY].origin, "provider block");
	/* env beats the file for the region; org only in the file */
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_REGION), "nl-ams");
	ASSERT_EQ_STR(c->v[SCWCONFIG_REGION].origin, "SCW_DEFAULT_REGION");
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ZONE), "nl-ams-1");
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ORGANIZATION_ID), ORG);
	ASSERT_EQ_INT(c->v[SCWCONFIG_ORGANIZATION_ID].source, SCWCONFIG_SRC_FILE);
	/* access key: block vs env and block vs file; secret: same; region: env vs file */
	ASSERT_EQ_UINT(count(c, SCWCONFIG_WARNING, NULL), 5);
	ASSERT(count(c, SCWCONFIG_WARNING, "access_key is set by provider block (\"" AK1 "\") and by SCW_ACCESS_KEY") ==
	       1);
	ASSERT(count(c, SCWCONFIG_WARNING, "secret_key is set by provider block and by SCW_SECRET_KEY") == 1);
	ASSERT(!diags_contain(c, SK1) && !diags_contain(c, SK2) && !diags_contain(c, SK3));
	scwconfig_free(c);
}

TEST(env_beats_file_when_block_is_silent)
{
	struct scwconfig *c;

	reset_env();
	write_cfg(cfgpath, "access_key: " AK3 "\nsecret_key: " SK3 "\n", 0600);
	setenv("SCW_ACCESS_KEY", AK2, 1);
	setenv("SCW_SECRET_KEY", SK2, 1);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 0);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_SECRET_KEY), SK2);
	ASSERT_EQ_INT(c->v[SCWCONFIG_SECRET_KEY].source, SCWCONFIG_SRC_ENV);
	scwconfig_free(c);
	/* the file alone */
	unsetenv("SCW_ACCESS_KEY");
	unsetenv("SCW_SECRET_KEY");
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 0);
	ASSERT_EQ_UINT(c->ndiags, 0);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_SECRET_KEY), SK3);
	ASSERT_EQ_STR(c->v[SCWCONFIG_SECRET_KEY].origin, cfgpath);
	scwconfig_free(c);
}

static const char *profiles_yaml = "access_key: " AK1
				   "\n"
				   "secret_key: " SK1
				   "\n"
				   "default_region: fr-par\n"
				   "active_profile: act\n"
				   "profiles:\n"
				   "  act:\n"
				   "    access_key: " AK2
				   "\n"
				   "    secret_key: " SK2
				   "\n"
				   "  blk:\n"
				   "    access_key: " AK3
				   "\n"
				   "    secret_key: " SK3
				   "\n"
				   "    default_zone: nl-ams-2\n";

TEST(profile_chosen_by_block_then_scw_profile_then_active_profile)
{
	struct scwconfig_input in = { .profile = "blk" };
	struct scwconfig *c;

	reset_env();
	write_cfg(cfgpath, profiles_yaml, 0600);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 0);
	ASSERT_EQ_STR(c->profile, "act");
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ACCESS_KEY), AK2);
	ASSERT(strstr(c->v[SCWCONFIG_ACCESS_KEY].origin, "profile \"act\""));
	/* root key kept when the profile does not set it */
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_REGION), "fr-par");
	ASSERT_EQ_INT(c->v[SCWCONFIG_REGION].source, SCWCONFIG_SRC_FILE);
	scwconfig_free(c);

	setenv("SCW_PROFILE", "blk", 1);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_STR(c->profile, "blk");
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_SECRET_KEY), SK3);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ZONE), "nl-ams-2");
	scwconfig_free(c);

	setenv("SCW_PROFILE", "act", 1);
	ASSERT_EQ_INT(scwconfig_load(&in, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 0);
	ASSERT_EQ_STR(c->profile, "blk");
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ACCESS_KEY), AK3);
	scwconfig_free(c);
}

TEST(unknown_profile_is_an_error_naming_its_source)
{
	struct scwconfig_input in = { .profile = "nope" };
	const struct scwconfig_diag *d;
	struct scwconfig *c;

	reset_env();
	write_cfg(cfgpath, profiles_yaml, 0600);
	ASSERT_EQ_INT(scwconfig_load(&in, &c), 0);
	ASSERT(c->nerrors >= 1);
	d = first_error(c);
	ASSERT(d);
	ASSERT_EQ_STR(d->summary, "Unknown Scaleway profile");
	ASSERT_EQ_STR(d->attribute, "profile");
	ASSERT(strstr(d->detail, "\"nope\"") && strstr(d->detail, "provider block"));
	scwconfig_free(c);

	setenv("SCW_PROFILE", "ghost", 1);
	setenv("SCW_ACCESS_KEY", AK1, 1);
	setenv("SCW_SECRET_KEY", SK1, 1);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	d = first_error(c);
	ASSERT(d->attribute == NULL);
	ASSERT(strstr(d->detail, "SCW_PROFILE"));
	scwconfig_free(c);

	/* active_profile naming a missing profile */
	unsetenv("SCW_PROFILE");
	write_cfg(cfgpath, "active_profile: gone\n", 0600);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	ASSERT(strstr(first_error(c)->detail, "active_profile"));
	scwconfig_free(c);

	/* a profile asked for with no config file at all */
	setenv("SCW_CONFIG_PATH", cfgpath, 1);
	unlink(cfgpath);
	setenv("SCW_PROFILE", "ghost", 1);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	ASSERT(strstr(first_error(c)->detail, "no Scaleway config file"));
	/* SCW_CONFIG_PATH naming a missing file is worth a warning */
	ASSERT_EQ_UINT(count(c, SCWCONFIG_WARNING, "does not exist"), 1);
	scwconfig_free(c);
}

TEST(broken_yaml_is_a_clear_error_with_position)
{
	struct scwconfig_input in = { .access_key = AK1, .secret_key = SK1 };
	struct scwconfig *c;

	reset_env();
	write_cfg(cfgpath, "access_key: " AK1 "\nprofiles:\n  a: [unclosed\n", 0600);
	ASSERT_EQ_INT(scwconfig_load(&in, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	ASSERT_EQ_STR(first_error(c)->summary, "Invalid Scaleway config file");
	ASSERT(strstr(first_error(c)->detail, "not valid YAML"));
	ASSERT(strstr(first_error(c)->detail, "line "));
	ASSERT(strstr(first_error(c)->detail, cfgpath));
	scwconfig_free(c);

	write_cfg(cfgpath, "- just\n- a list\n", 0600);
	ASSERT_EQ_INT(scwconfig_load(&in, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	ASSERT(strstr(first_error(c)->detail, "mapping"));
	scwconfig_free(c);

	write_cfg(cfgpath, "access_key: [a, b]\n", 0600);
	ASSERT_EQ_INT(scwconfig_load(&in, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	ASSERT(strstr(first_error(c)->detail, "access_key must be a plain value"));
	scwconfig_free(c);
	unlink(cfgpath);
}

TEST(loose_file_mode_warns_and_0600_does_not)
{
	struct scwconfig *c;

	reset_env();
	write_cfg(cfgpath, "access_key: " AK1 "\nsecret_key: " SK1 "\n", 0644);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 0);
	ASSERT_EQ_UINT(count(c, SCWCONFIG_WARNING, "0644"), 1);
	scwconfig_free(c);
	chmod(cfgpath, 0600);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->ndiags, 0);
	scwconfig_free(c);
	unlink(cfgpath);
}

TEST(malformed_values_are_errors_naming_their_source)
{
	struct scwconfig_input in = { .access_key = "SCWlowercase00000000", .secret_key = SK1 };
	const struct scwconfig_diag *d;
	struct scwconfig *c;

	reset_env();
	ASSERT_EQ_INT(scwconfig_load(&in, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	d = first_error(c);
	ASSERT_EQ_STR(d->summary, "Invalid access key");
	ASSERT_EQ_STR(d->attribute, "access_key");
	ASSERT(strstr(d->detail, "provider block"));
	scwconfig_free(c);

	setenv("SCW_ACCESS_KEY", AK1, 1);
	setenv("SCW_SECRET_KEY", "not-a-uuid-secret", 1);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	d = first_error(c);
	ASSERT_EQ_STR(d->summary, "Invalid secret key");
	ASSERT(d->attribute == NULL);
	ASSERT(strstr(d->detail, "SCW_SECRET_KEY"));
	ASSERT(!diags_contain(c, "not-a-uuid-secret"));
	scwconfig_free(c);

	setenv("SCW_SECRET_KEY", SK1, 1);
	setenv("SCW_DEFAULT_ZONE", "frpar1", 1);
	setenv("SCW_API_URL", "ftp://api.example.com", 1);
	setenv("SCW_DEFAULT_PROJECT_ID", "xyz", 1);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 3);
	ASSERT(count(c, SCWCONFIG_ERROR, "SCW_DEFAULT_ZONE") == 1);
	ASSERT(count(c, SCWCONFIG_ERROR, "SCW_API_URL") == 1);
	ASSERT(count(c, SCWCONFIG_ERROR, "SCW_DEFAULT_PROJECT_ID") == 1);
	scwconfig_free(c);

	/* a trailing slash is not an error: it is dropped */
	unsetenv("SCW_DEFAULT_ZONE");
	unsetenv("SCW_DEFAULT_PROJECT_ID");
	setenv("SCW_API_URL", "https://api.example.com//", 1);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 0);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_API_URL), "https://api.example.com");
	ASSERT_EQ_STR(c->v[SCWCONFIG_API_URL].origin, "SCW_API_URL");
	scwconfig_free(c);
}

TEST(credentials_missing_or_half_given_are_errors)
{
	struct scwconfig_input sec_only = { .secret_key = SK1 }, ak_only = { .access_key = AK1 };
	struct scwconfig *c;

	reset_env();
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	ASSERT_EQ_STR(first_error(c)->summary, "Missing Scaleway credentials");
	scwconfig_free(c);
	ASSERT_EQ_INT(scwconfig_load(&sec_only, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	ASSERT_EQ_STR(first_error(c)->summary, "Missing access key");
	ASSERT_EQ_STR(first_error(c)->attribute, "access_key");
	scwconfig_free(c);
	ASSERT_EQ_INT(scwconfig_load(&ak_only, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 1);
	ASSERT_EQ_STR(first_error(c)->summary, "Missing secret key");
	scwconfig_free(c);
}

TEST(deprecated_env_vars_work_with_a_warning)
{
	struct scwconfig *c;

	reset_env();
	setenv("SCALEWAY_ACCESS_KEY", AK1, 1);
	setenv("SCW_TOKEN", SK1, 1);
	setenv("SCW_REGION", "ams1", 1);
	setenv("SCW_TLSVERIFY", "false", 1);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 0);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ACCESS_KEY), AK1);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_SECRET_KEY), SK1);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_REGION), "nl-ams");
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_INSECURE), "true");
	ASSERT_EQ_UINT(count(c, SCWCONFIG_WARNING, "deprecated"), 4);
	ASSERT(count(c, SCWCONFIG_WARNING, "SCW_TOKEN is deprecated; use SCW_SECRET_KEY") == 1);
	scwconfig_free(c);
	/* the current name wins over the deprecated one, without a warning */
	setenv("SCW_SECRET_KEY", SK2, 1);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_SECRET_KEY), SK2);
	ASSERT_EQ_UINT(count(c, SCWCONFIG_WARNING, "SCW_TOKEN"), 0);
	scwconfig_free(c);
}

TEST(xdg_path_and_yml_fallback_and_zone_infers_region)
{
	char dir[400], yml[420], yaml[420];
	struct scwconfig *c;

	reset_env();
	snprintf(dir, sizeof(dir), "%s/xdg", tmpdir);
	mkdir(dir, 0700);
	snprintf(yml, sizeof(yml), "%s/xdg/scw", tmpdir);
	mkdir(yml, 0700);
	snprintf(yml, sizeof(yml), "%s/xdg/scw/config.yml", tmpdir);
	snprintf(yaml, sizeof(yaml), "%s/xdg/scw/config.yaml", tmpdir);
	setenv("XDG_CONFIG_HOME", dir, 1);
	write_cfg(yml, "access_key: " AK2 "\nsecret_key: " SK2 "\ndefault_zone: pl-waw-3\n", 0600);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_UINT(c->nerrors, 0);
	ASSERT_EQ_STR(c->config_path, yml);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ACCESS_KEY), AK2);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_REGION), "pl-waw");
	ASSERT_EQ_INT(c->v[SCWCONFIG_REGION].source, SCWCONFIG_SRC_INFERRED);
	scwconfig_free(c);
	/* .yaml preferred over .yml when both exist */
	write_cfg(yaml, "access_key: " AK3 "\nsecret_key: " SK3 "\n", 0600);
	ASSERT_EQ_INT(scwconfig_load(NULL, &c), 0);
	ASSERT_EQ_STR(c->config_path, yaml);
	ASSERT_EQ_STR(scwconfig_get(c, SCWCONFIG_ACCESS_KEY), AK3);
	scwconfig_free(c);
	unlink(yml);
	unlink(yaml);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path); /* go on: leave what cannot be removed */
	return 0;
}

/* The test's temporary directory and whatever a test left in it. */
static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	char *d;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/scwconfig-test-XXXXXX");
	d = mkdtemp(tmpdir);
	if (!d)
		return 2;
	snprintf(cfgpath, sizeof(cfgpath), "%s/.config", tmpdir);
	mkdir(cfgpath, 0700);
	snprintf(cfgpath, sizeof(cfgpath), "%s/.config/scw", tmpdir);
	mkdir(cfgpath, 0700);
	snprintf(cfgpath, sizeof(cfgpath), "%s/.config/scw/config.yaml", tmpdir);
	RUN(block_credentials_alone_get_defaults);
	RUN(block_beats_env_beats_profile_and_disagreement_warns_without_secret);
	RUN(env_beats_file_when_block_is_silent);
	RUN(profile_chosen_by_block_then_scw_profile_then_active_profile);
	RUN(unknown_profile_is_an_error_naming_its_source);
	RUN(broken_yaml_is_a_clear_error_with_position);
	RUN(loose_file_mode_warns_and_0600_does_not);
	RUN(malformed_values_are_errors_naming_their_source);
	RUN(credentials_missing_or_half_given_are_errors);
	RUN(deprecated_env_vars_work_with_a_warning);
	RUN(xdg_path_and_yml_fallback_and_zone_infers_region);
	unlink(cfgpath);
	rm_tree(tmpdir);
	return test_done();
}
