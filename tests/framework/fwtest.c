/* SPDX-License-Identifier: MIT */
/*
 * fwtest: a test-only provider for the framework's tests, never shipped in
 * terraform-provider-scaleway. It has the real provider block (provider_scaleway's attributes)
 * and one resource, fwtest_thing, that keeps its objects as JSON files in $FWTEST_DIR so that its
 * state survives between the processes Terraform launches. fwtest_thing uses every framework
 * feature: a computed id, a sensitive computed secret kept from creation, a write-only password,
 * requires-replace, exactly-one-of, UUID / length / RFC 3339-in-future validators, semantic
 * equality of instants (the "API" stores them in UTC), updated_at unknown on every update and an
 * optional+computed attribute with a server default; and an ephemeral token, fwtest_token. Built into build/tests/terraform-provider-
 * fwtest (tests/suites/50-provider-framework) and included by tests/unit/framework/.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "common/timeutil.h"
#include "framework/fw.h"
#include "framework/tf6.h"
#include "provider/provider.h"

static struct cty_type fwtest_tags_type = CTY_LIST_OF(&cty_string);

static const char *const fwtest_one_of[] = { "owner_id", "group_id", NULL };
static const char *const fwtest_pw_with[] = { "password_wo", "password_version", NULL };

static const struct fw_attr fwtest_attrs[] = {
	{ .name = "id",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_USE_STATE,
	  .description = "Identifier." },
	{ .name = "name",
	  .type = &cty_string,
	  .flags = FW_REQUIRED,
	  .plan = FW_PLAN_REPLACE,
	  .description = "Name; changing it replaces the thing.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, 32), { 0 } } },
	{ .name = "description", .type = &cty_string, .flags = FW_OPTIONAL, .description = "Updated in place." },
	{ .name = "owner_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .plan = FW_PLAN_REPLACE,
	  .description = "Owner (exactly one of owner_id, group_id).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "group_id",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .plan = FW_PLAN_REPLACE,
	  .description = "Group (exactly one of owner_id, group_id).",
	  .validators = (const struct fw_validator[]){ FW_V_UUID, { 0 } } },
	{ .name = "expires_at",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL,
	  .semeq = fw_semeq_rfc3339,
	  .description = "RFC 3339 instant in the future.",
	  .validators = (const struct fw_validator[]){ FW_V_RFC3339_FUTURE, { 0 } } },
	{ .name = "secret", .type = &cty_string, .flags = FW_COMPUTED | FW_SENSITIVE, .description = "Secret." },
	{ .name = "password_wo",
	  .type = &cty_string,
	  .flags = FW_OPTIONAL | FW_SENSITIVE | FW_WRITE_ONLY,
	  .description = "Write-only password.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(8, 128), { 0 } } },
	{ .name = "password_version",
	  .type = &cty_number,
	  .flags = FW_OPTIONAL,
	  .description = "Bump to send password_wo again." },
	{ .name = "size", .type = &cty_number, .flags = FW_OPTIONAL | FW_COMPUTED, .description = "Defaults to 1." },
	{ .name = "tags",
	  .type = &fwtest_tags_type,
	  .flags = FW_OPTIONAL,
	  .description = "At most 5 tags of 1 to 16 characters.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(0, 5), { 0 } },
	  .elem_validators = (const struct fw_validator[]){ FW_V_LEN(1, 16), { 0 } } },
	{ .name = "region", .type = &cty_string, .flags = FW_COMPUTED, .description = "The provider's region." },
	{ .name = "created_at", .type = &cty_string, .flags = FW_COMPUTED, .description = "Creation time." },
	{ .name = "updated_at",
	  .type = &cty_string,
	  .flags = FW_COMPUTED,
	  .plan = FW_PLAN_UNKNOWN_ON_UPDATE,
	  .description = "Last update time." },
	{ 0 },
};

static const struct fw_rule fwtest_rules[] = {
	{ .kind = FW_EXACTLY_ONE_OF, .attrs = fwtest_one_of },
	{ .kind = FW_REQUIRED_WITH, .attrs = fwtest_pw_with },
	{ 0 },
};

static int fwtest_path(const char *id, char *out, size_t n)
{
	const char *dir = getenv("FWTEST_DIR");
	size_t i;

	if (!dir || !id || !*id)
		return ERR_INVAL;
	for (i = 0; id[i]; i++) {
		if (id[i] == '/' || id[i] == '.')
			return ERR_INVAL;
	}
	if ((size_t)snprintf(out, n, "%s/%s.json", dir, id) >= n)
		return ERR_TOOBIG;
	return 0;
}

/* The "API": write the object. Instants are stored in UTC, as a real API would return them. */
static int fwtest_store(const struct cty_value *s, int password_len, struct fw_diags *d)
{
	char path[4096], tbuf[TIME_RFC3339_MAX];
	const char *keys[] = { "id",     "name",   "description", "owner_id",  "group_id",
			       "secret", "region", "created_at",  "updated_at" };
	json_t *o = json_object();
	const struct cty_value *tags = cty_object_attr(s, "tags");
	struct tstamp t;
	const char *exp = fw_get_string(s, "expires_at");
	int64_t n;
	size_t i;
	int r = fwtest_path(fw_get_string(s, "id"), path, sizeof(path));

	if (r < 0 || !o) {
		json_decref(o);
		fw_error(d, NULL, "Cannot store", "No FWTEST_DIR or bad id.");
		return ERR_INVAL;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = fw_get_string(s, keys[i]);

		if (v)
			json_object_set_new(o, keys[i], json_string(v));
	}
	if (exp && time_rfc3339_parse(exp, strlen(exp), &t) == 0) {
		time_rfc3339_format(t, tbuf);
		json_object_set_new(o, "expires_at", json_string(tbuf));
	}
	if (fw_get_int(s, "size", &n) == 0)
		json_object_set_new(o, "size", json_integer(n));
	if (fw_get_int(s, "password_version", &n) == 0)
		json_object_set_new(o, "password_version", json_integer(n));
	if (password_len >= 0)
		json_object_set_new(o, "password_len", json_integer(password_len));
	if (tags && tags->st == CTY_KNOWN) {
		json_t *a = json_array();

		for (i = 0; i < tags->n; i++)
			json_array_append_new(a, json_string(tags->items[i].st == CTY_KNOWN ? tags->items[i].s : ""));
		json_object_set_new(o, "tags", a);
	}
	r = json_dump_file(o, path, JSON_SORT_KEYS) == 0 ? 0 : ERR_IO;
	json_decref(o);
	if (r < 0)
		fw_error(d, NULL, "Cannot store", "Writing %s failed.", path);
	return r;
}

static int fwtest_create(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
			 struct fw_diags *d)
{
	char id[UUID_STR_LEN + 1], secret[UUID_STR_LEN + 1], now[TIME_RFC3339_MAX];
	const char *pw = fw_get_string(config, "password_wo");
	const char *region = ctx->provider_data ? (const char *)ctx->provider_data : "fr-par";
	int r;

	if (rand_uuid_v4(id) < 0 || rand_uuid_v4(secret) < 0)
		return ERR_INTERNAL;
	time_rfc3339_format_sec(time_now(), now);
	r = fw_set_cstring(state, "id", id);
	if (r == 0)
		r = fw_set_cstring(state, "secret", secret);
	if (r == 0)
		r = fw_set_cstring(state, "region", region);
	if (r == 0)
		r = fw_set_cstring(state, "created_at", now);
	if (r == 0)
		r = fw_set_cstring(state, "updated_at", now);
	if (r == 0 && fw_is_unknown(state, "size"))
		r = fw_set_int(state, "size", 1);
	if (r == 0)
		r = fwtest_store(state, pw ? (int)strlen(pw) : -1, d);
	mem_wipe(secret, sizeof(secret));
	return r;
}

static int fwtest_read(const struct fw_ctx *ctx, struct cty_value *state, struct fw_diags *d)
{
	const char *keys[] = { "name",   "description", "owner_id",   "group_id",  "secret",
			       "region", "created_at",  "updated_at", "expires_at" };
	char path[4096];
	json_error_t jerr;
	json_t *o, *tags;
	size_t i;
	int r = fwtest_path(fw_get_string(state, "id"), path, sizeof(path));

	if (r < 0)
		return r;
	o = json_load_file(path, 0, &jerr);
	if (!o) {
		if (access(path, F_OK) != 0 && errno == ENOENT) {
			const struct cty_type *t = state->type;

			cty_value_release(state);
			cty_value_null(state, t); /* gone */
			return 0;
		}
		fw_error(d, NULL, "Cannot read", "%s: %s", path, jerr.text);
		return ERR_IO;
	}
	for (i = 0; r == 0 && i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(o, keys[i]);

		r = fw_set_cstring(state, keys[i], json_is_string(v) ? json_string_value(v) : NULL);
	}
	if (r == 0 && json_is_integer(json_object_get(o, "size")))
		r = fw_set_int(state, "size", json_integer_value(json_object_get(o, "size")));
	if (r == 0 && json_is_integer(json_object_get(o, "password_version")))
		r = fw_set_int(state, "password_version", json_integer_value(json_object_get(o, "password_version")));
	tags = json_object_get(o, "tags");
	if (r == 0 && json_is_array(tags)) {
		const char *items[64];
		size_t n = json_array_size(tags) < 64 ? json_array_size(tags) : 64;

		for (i = 0; i < n; i++)
			items[i] = json_string_value(json_array_get(tags, i))
					   ? json_string_value(json_array_get(tags, i))
					   : "";
		r = fw_set_strings(state, "tags", items, n);
	} else if (r == 0) {
		r = fw_set_null(state, "tags");
	}
	json_decref(o);
	return r;
}

static int fwtest_update(const struct fw_ctx *ctx, const struct cty_value *prior, const struct cty_value *config,
			 struct cty_value *state, struct fw_diags *d)
{
	char now[TIME_RFC3339_MAX];
	const char *pw = fw_get_string(config, "password_wo");
	int r;

	time_rfc3339_format_sec(time_now(), now);
	r = fw_set_cstring(state, "updated_at", now);
	return r < 0 ? r : fwtest_store(state, pw ? (int)strlen(pw) : -1, d);
}

static int fwtest_delete(const struct fw_ctx *ctx, const struct cty_value *prior, struct fw_diags *d)
{
	char path[4096];
	int r = fwtest_path(fw_get_string(prior, "id"), path, sizeof(path));

	if (r < 0)
		return r;
	if (unlink(path) != 0 && errno != ENOENT) {
		fw_error(d, NULL, "Cannot delete", "%s", path);
		return ERR_IO;
	}
	return 0; /* deleting an absent object succeeds */
}

const struct fw_resource fwtest_thing = {
	.type_name = "fwtest_thing",
	.description = "A test object stored as a JSON file in $FWTEST_DIR.",
	.attrs = fwtest_attrs,
	.rules = fwtest_rules,
	.create = fwtest_create,
	.read = fwtest_read,
	.update = fwtest_update,
	.del = fwtest_delete,
};

/* A data source echoing a thing by id. */
static const struct fw_attr fwtest_ds_attrs[] = {
	{ .name = "id", .type = &cty_string, .flags = FW_REQUIRED, .description = "The thing's id." },
	{ .name = "name", .type = &cty_string, .flags = FW_COMPUTED, .description = "Its name." },
	{ 0 },
};

static int fwtest_ds_read(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *state,
			  struct fw_diags *d)
{
	struct cty_value tmp;
	int r;

	r = cty_value_object(&tmp, fw_resource_type(ctx->fw, &fwtest_thing));
	if (r == 0)
		r = fw_set_cstring(&tmp, "id", fw_get_string(config, "id"));
	if (r == 0)
		r = fwtest_read(ctx, &tmp, d);
	if (r == 0 && tmp.st != CTY_KNOWN) {
		fw_error(d, "id", "Not found", "No fwtest_thing has id \"%s\".", fw_get_string(config, "id"));
		r = ERR_NOTFOUND;
	}
	if (r == 0)
		r = fw_set_cstring(state, "name", fw_get_string(&tmp, "name"));
	cty_value_release(&tmp);
	return r;
}

const struct fw_data_source fwtest_ds = {
	.type_name = "fwtest_thing",
	.description = "Reads a fwtest_thing.",
	.attrs = fwtest_ds_attrs,
	.read = fwtest_ds_read,
};

/* An ephemeral token: opened in every plan and apply, never stored. Close records the token it
 * was handed back (through the private bytes) as $FWTEST_EPH_DIR/closed-<token>. */
static const struct fw_attr fwtest_token_attrs[] = {
	{ .name = "name",
	  .type = &cty_string,
	  .flags = FW_REQUIRED,
	  .description = "What the token is for.",
	  .validators = (const struct fw_validator[]){ FW_V_LEN(1, 32), { 0 } } },
	{ .name = "token", .type = &cty_string, .flags = FW_COMPUTED | FW_SENSITIVE, .description = "The token." },
	{ 0 },
};

static int fwtest_token_open(const struct fw_ctx *ctx, const struct cty_value *config, struct cty_value *result,
			     struct buf *priv, int64_t *renew_at, struct fw_diags *d)
{
	char tok[UUID_STR_LEN + 1];
	int r = rand_uuid_v4(tok);

	if (r == 0)
		r = fw_set_cstring(result, "token", tok);
	if (r == 0)
		r = buf_append(priv, tok, UUID_STR_LEN);
	mem_wipe(tok, sizeof(tok));
	return r;
}

static int fwtest_token_close(const struct fw_ctx *ctx, const uint8_t *priv, size_t len, struct fw_diags *d)
{
	const char *dir = getenv("FWTEST_EPH_DIR");
	char path[4096];
	FILE *f;

	if (!priv || len != UUID_STR_LEN || !uuid_is_valid((const char *)priv, len)) {
		fw_error(d, NULL, "Invalid private data", "Close did not get back the token Open produced.");
		return ERR_INVAL;
	}
	if (!dir)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/closed-%.*s", dir, (int)len, (const char *)priv) >= sizeof(path))
		return ERR_TOOBIG;
	f = fopen(path, "w");
	if (f)
		fclose(f);
	return 0;
}

const struct fw_ephemeral fwtest_token = {
	.type_name = "fwtest_token",
	.description = "A random token, opened for each run and never stored.",
	.attrs = fwtest_token_attrs,
	.open = fwtest_token_open,
	.close = fwtest_token_close,
};

static int fwtest_configure(const struct fw_ctx *ctx, const struct cty_value *config, void **data, struct fw_diags *d)
{
	const char *region = fw_get_string(config, "region");

	*data = region ? mem_strndup(region, strlen(region)) : NULL;
	return 0;
}

static const struct fw_resource *const fwtest_resources[] = { &fwtest_thing, NULL };
static const struct fw_data_source *const fwtest_data_sources[] = { &fwtest_ds, NULL };
static const struct fw_ephemeral *const fwtest_ephemerals[] = { &fwtest_token, NULL };

/* A list resource over the objects in $FWTEST_DIR (filter: an exact name), one directory entry
 * at a time: the fuzz driver and the test binary reach the list path with it. */
static const struct fw_attr fwtest_list_attrs[] = {
	{ .name = "name", .type = &cty_string, .flags = FW_OPTIONAL, .description = "Only the things with this name." },
	{ 0 },
};

static int fwtest_list(const struct fw_ctx *ctx, const struct cty_value *config, struct fw_list_out *out,
		       struct fw_diags *d)
{
	const char *dir = getenv("FWTEST_DIR"), *want = fw_get_string(config, "name");
	DIR *dh = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int r = 0;

	if (!dh) {
		fw_error(d, NULL, "Cannot list", "No FWTEST_DIR.");
		return ERR_IO;
	}
	while (r == 0 && (e = readdir(dh))) {
		size_t n = strlen(e->d_name);
		const char *name;
		struct cty_value st;
		char id[256];

		if (n <= 5 || n - 5 >= sizeof(id) || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		memcpy(id, e->d_name, n - 5);
		id[n - 5] = '\0';
		r = cty_value_object(&st, fw_resource_type(ctx->fw, &fwtest_thing));
		if (r == 0)
			r = fw_set_cstring(&st, "id", id);
		if (r == 0)
			r = fwtest_read(ctx, &st, d);
		name = r == 0 && st.st == CTY_KNOWN ? fw_get_string(&st, "name") : NULL;
		if (name && (!want || strcmp(want, name) == 0))
			r = fw_list_emit(out, &st, name);
		cty_value_release(&st);
	}
	closedir(dh);
	return r < 0 ? r : 0;
}

static const struct fw_list fwtest_things = {
	.type_name = "fwtest_thing",
	.description = "Lists the things of $FWTEST_DIR.",
	.attrs = fwtest_list_attrs,
	.resource = &fwtest_thing,
	.list = fwtest_list,
};
static const struct fw_list *const fwtest_lists[] = { &fwtest_things, NULL };

struct fw_provider fwtest_provider;

/* The scaleway provider block, with the test resource. */
const struct fw_provider *fwtest_definition(void);
const struct fw_provider *fwtest_definition(void)
{
	fwtest_provider = provider_scaleway;
	fwtest_provider.name = "fwtest";
	fwtest_provider.resources = fwtest_resources;
	fwtest_provider.data_sources = fwtest_data_sources;
	fwtest_provider.ephemerals = fwtest_ephemerals;
	fwtest_provider.lists = fwtest_lists;
	fwtest_provider.configure = fwtest_configure;
	fwtest_provider.release = free;
	return &fwtest_provider;
}

#ifdef FWTEST_MAIN
const struct fw_provider *provider_served(void)
{
	return fwtest_definition();
}
#endif
