/* SPDX-License-Identifier: MIT */
/*
 * scwconfig: resolve the provider configuration from the provider block, the environment and the
 * Scaleway config file. Each source fills one "layer" (a value and an origin per key); the layers
 * are then merged by precedence, disagreements become warnings, and the merged values are
 * checked. Problems are collected as diagnostics, never logged (see scwconfig.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "client/scwconfig.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"

#define SCWCONFIG_FILE_MAX (1u << 20) /* a config file larger than 1 MiB is refused */
#define SCWCONFIG_PATH_MAX 4096

/* One source's values. Strings are owned; the secret key is wiped on release. */
struct layer {
	char *val[SCWCONFIG_KEY_COUNT];
	char *origin[SCWCONFIG_KEY_COUNT];
};

static const char *const key_names[SCWCONFIG_KEY_COUNT] = {
	"access_key", "secret_key", "project_id", "organization_id", "region", "zone", "api_url", "insecure",
};

/* Config file keys, in the same order as enum scwconfig_key. */
static const char *const file_keys[SCWCONFIG_KEY_COUNT] = {
	"access_key",   "secret_key", "default_project_id", "default_organization_id", "default_region",
	"default_zone", "api_url",    "insecure",
};

/* Environment variables: the current name first, then deprecated fallbacks (warned about). */
static const char *const env_names[SCWCONFIG_KEY_COUNT][4] = {
	[SCWCONFIG_ACCESS_KEY] = { "SCW_ACCESS_KEY", "SCALEWAY_ACCESS_KEY", NULL },
	[SCWCONFIG_SECRET_KEY] = { "SCW_SECRET_KEY", "SCW_TOKEN", "SCALEWAY_TOKEN", "SCALEWAY_ACCESS_KEY" },
	[SCWCONFIG_PROJECT_ID] = { "SCW_DEFAULT_PROJECT_ID", NULL },
	[SCWCONFIG_ORGANIZATION_ID] = { "SCW_DEFAULT_ORGANIZATION_ID", "SCW_ORGANIZATION", "SCALEWAY_ORGANIZATION",
					NULL },
	[SCWCONFIG_REGION] = { "SCW_DEFAULT_REGION", "SCW_REGION", "SCALEWAY_REGION", NULL },
	[SCWCONFIG_ZONE] = { "SCW_DEFAULT_ZONE", NULL },
	[SCWCONFIG_API_URL] = { "SCW_API_URL", NULL },
	[SCWCONFIG_INSECURE] = { "SCW_INSECURE", "SCW_TLSVERIFY", NULL },
};

static const char *const known_regions[] = { "fr-par", "nl-ams", "pl-waw", "it-mil" };

const char *scwconfig_source_name(enum scwconfig_source src)
{
	switch (src) {
	case SCWCONFIG_SRC_DEFAULT: return "default";
	case SCWCONFIG_SRC_FILE: return "config file";
	case SCWCONFIG_SRC_ENV: return "environment";
	case SCWCONFIG_SRC_BLOCK: return "provider block";
	case SCWCONFIG_SRC_INFERRED: return "inferred";
	default: return "unset";
	}
}

const char *scwconfig_get(const struct scwconfig *c, enum scwconfig_key key)
{
	if (!c || (unsigned)key >= SCWCONFIG_KEY_COUNT)
		return NULL;
	return c->v[key].value;
}

static void free_val(enum scwconfig_key k, char *s)
{
	if (k == SCWCONFIG_SECRET_KEY)
		mem_free_secret_str(s);
	else
		free(s);
}

static void layer_release(struct layer *l)
{
	int k;

	for (k = 0; k < SCWCONFIG_KEY_COUNT; k++) {
		free_val((enum scwconfig_key)k, l->val[k]);
		free(l->origin[k]);
		l->val[k] = NULL;
		l->origin[k] = NULL;
	}
}

/* Store a copy of s[0..n) with its origin in layer l, replacing what was there. */
static int layer_set(struct layer *l, enum scwconfig_key k, const char *s, size_t n, const char *origin)
{
	char *v = mem_strndup(s, n);
	char *o = mem_strndup(origin, strlen(origin));

	if (!v || !o) {
		free_val(k, v);
		free(o);
		return ERR_NOMEM;
	}
	free_val(k, l->val[k]);
	free(l->origin[k]);
	l->val[k] = v;
	l->origin[k] = o;
	return 0;
}

void scwconfig_free(struct scwconfig *c)
{
	size_t i;
	int k;

	if (!c)
		return;
	for (k = 0; k < SCWCONFIG_KEY_COUNT; k++) {
		free_val((enum scwconfig_key)k, c->v[k].value);
		free(c->v[k].origin);
	}
	for (i = 0; i < c->ndiags; i++) {
		free(c->diags[i].summary);
		free(c->diags[i].detail);
		free(c->diags[i].attribute);
	}
	free(c->diags);
	free(c->profile);
	free(c->config_path);
	free(c);
}

static int diag_add(struct scwconfig *c, enum scwconfig_severity sev, const char *attr, const char *summary,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int diag_add(struct scwconfig *c, enum scwconfig_severity sev, const char *attr, const char *summary,
		    const char *fmt, ...)
{
	struct scwconfig_diag *d, *nd;
	struct buf b;
	va_list ap;
	int r;

	buf_init(&b, 4096);
	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r < 0)
		goto out;
	nd = realloc(c->diags, (c->ndiags + 1) * sizeof(*nd));
	if (!nd) {
		r = ERR_NOMEM;
		goto out;
	}
	c->diags = nd;
	d = &c->diags[c->ndiags];
	memset(d, 0, sizeof(*d));
	d->severity = sev;
	d->summary = mem_strndup(summary, strlen(summary));
	d->attribute = attr ? mem_strndup(attr, strlen(attr)) : NULL;
	d->detail = buf_steal(&b, NULL);
	c->ndiags++;
	if (sev == SCWCONFIG_ERROR)
		c->nerrors++;
	if (!d->summary || !d->detail || (attr && !d->attribute))
		r = ERR_NOMEM;
out:
	buf_release(&b);
	return r;
}

/* ---- the provider block ---- */

static int load_block(const struct scwconfig_input *in, struct layer *l)
{
	const char *v[SCWCONFIG_KEY_COUNT] = { 0 };
	int k, r = 0;

	if (!in)
		return 0;
	v[SCWCONFIG_ACCESS_KEY] = in->access_key;
	v[SCWCONFIG_SECRET_KEY] = in->secret_key;
	v[SCWCONFIG_PROJECT_ID] = in->project_id;
	v[SCWCONFIG_ORGANIZATION_ID] = in->organization_id;
	v[SCWCONFIG_REGION] = in->region;
	v[SCWCONFIG_ZONE] = in->zone;
	v[SCWCONFIG_API_URL] = in->api_url;
	for (k = 0; k < SCWCONFIG_KEY_COUNT && r == 0; k++)
		if (v[k] && v[k][0])
			r = layer_set(l, (enum scwconfig_key)k, v[k], strlen(v[k]), "provider block");
	return r;
}

/* ---- the environment ---- */

static int parse_bool(const char *s, int *out)
{
	if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes")) {
		*out = 1;
		return 0;
	}
	if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no")) {
		*out = 0;
		return 0;
	}
	return ERR_PARSE;
}

/* Value of a deprecated variable as the current key expects it, or NULL when it does not apply.
 * SCALEWAY_ACCESS_KEY served as both keys in old releases: it is taken as the access key when it
 * has that shape, as the secret key when it is a UUID. *tmp holds rewritten values. */
static const char *env_translate(enum scwconfig_key k, const char *name, const char *s, char *tmp, size_t tmplen)
{
	int b;

	if (!strcmp(name, "SCALEWAY_ACCESS_KEY")) {
		if (k == SCWCONFIG_ACCESS_KEY && !access_key_is_valid(s, strlen(s)))
			return NULL;
		if (k == SCWCONFIG_SECRET_KEY && !uuid_is_valid(s, strlen(s)))
			return NULL;
		return s;
	}
	if (k == SCWCONFIG_REGION && strcmp(name, "SCW_DEFAULT_REGION") != 0) {
		if (!strcmp(s, "par1"))
			return "fr-par";
		if (!strcmp(s, "ams1"))
			return "nl-ams";
		return s;
	}
	if (!strcmp(name, "SCW_TLSVERIFY")) {
		if (parse_bool(s, &b) < 0)
			return s; /* reported by the insecure check */
		snprintf(tmp, tmplen, "%s", b ? "false" : "true");
		return tmp;
	}
	return s;
}

static int load_env(struct scwconfig *c, struct layer *l)
{
	char tmp[8];
	int k, i, r = 0;

	for (k = 0; k < SCWCONFIG_KEY_COUNT; k++) {
		for (i = 0; i < 4 && env_names[k][i]; i++) {
			const char *name = env_names[k][i];
			const char *s = getenv(name), *v;

			if (!s || !s[0])
				continue;
			v = env_translate((enum scwconfig_key)k, name, s, tmp, sizeof(tmp));
			if (!v)
				continue;
			if (i > 0) {
				r = diag_add(c, SCWCONFIG_WARNING, NULL, "Deprecated environment variable",
					     "%s is deprecated; use %s instead.", name, env_names[k][0]);
				if (r < 0)
					return r;
			}
			r = layer_set(l, (enum scwconfig_key)k, v, strlen(v), name);
			if (r < 0)
				return r;
			break;
		}
	}
	return 0;
}

/* ---- the config file ---- */

static int file_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* Decide which file to read: $SCW_CONFIG_PATH, else $XDG_CONFIG_HOME/scw/config.yaml, else
 * ~/.config/scw/config.yaml; when the .yaml file is absent and the .yml one exists, use that. */
static int config_path(struct scwconfig *c)
{
	const char *env = getenv("SCW_CONFIG_PATH"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char yaml[SCWCONFIG_PATH_MAX], yml[SCWCONFIG_PATH_MAX];
	const char *dir, *sub, *pick;
	int n;

	if (env && env[0]) {
		pick = env;
	} else {
		if (xdg && xdg[0]) {
			dir = xdg;
			sub = "scw";
		} else if (home && home[0]) {
			dir = home;
			sub = ".config/scw";
		} else {
			return 0; /* nowhere to look */
		}
		n = snprintf(yaml, sizeof(yaml), "%s/%s/config.yaml", dir, sub);
		if (n < 0 || (size_t)n >= sizeof(yaml))
			return 0;
		snprintf(yml, sizeof(yml), "%s/%s/config.yml", dir, sub);
		pick = (!file_exists(yaml) && file_exists(yml)) ? yml : yaml;
	}
	c->config_path = mem_strndup(pick, strlen(pick));
	return c->config_path ? 0 : ERR_NOMEM;
}

/* Read the whole file into a secret buffer (it holds the secret keys). 0, ERR_NOTFOUND when it
 * does not exist, ERR_IO (with a diagnostic) when it cannot be read, ERR_TOOBIG. */
static int read_file(struct scwconfig *c, const char *path, struct buf *out)
{
	struct stat st;
	char chunk[4096];
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return ERR_NOTFOUND;
		r = diag_add(c, SCWCONFIG_ERROR, NULL, "Cannot read the Scaleway config file", "Cannot open %s: %s.",
			     path, strerror(errno));
		return r < 0 ? r : ERR_IO;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 077)) {
		r = diag_add(c, SCWCONFIG_WARNING, NULL, "Scaleway config file readable by others",
			     "%s has mode %04o; it holds credentials, so it should be 0600 (chmod 600 %s).", path,
			     (unsigned)(st.st_mode & 07777), path);
		if (r < 0)
			goto out;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = diag_add(c, SCWCONFIG_ERROR, NULL, "Cannot read the Scaleway config file",
				     "Cannot read %s: %s.", path, strerror(errno));
			r = r < 0 ? r : ERR_IO;
			goto out;
		}
		if (n == 0)
			break;
		r = buf_append(out, chunk, (size_t)n);
		if (r == ERR_TOOBIG) {
			r = diag_add(c, SCWCONFIG_ERROR, NULL, "Scaleway config file too large",
				     "%s is larger than %u bytes.", path, SCWCONFIG_FILE_MAX);
			r = r < 0 ? r : ERR_TOOBIG;
		}
		if (r < 0)
			goto out;
	}
out:
	mem_wipe(chunk, sizeof(chunk));
	close(fd);
	return r;
}

static int scalar_is(const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);

	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	       memcmp(n->data.scalar.value, s, len) == 0;
}

/* Copy the known keys of a mapping node into layer l. */
static int load_mapping(struct scwconfig *c, yaml_document_t *doc, yaml_node_t *map, struct layer *l,
			const char *origin)
{
	yaml_node_pair_t *p;
	int k, r;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(doc, p->value);

		for (k = 0; k < SCWCONFIG_KEY_COUNT; k++) {
			if (!scalar_is(kn, file_keys[k]))
				continue;
			if (!vn || vn->type != YAML_SCALAR_NODE) {
				r = diag_add(c, SCWCONFIG_ERROR, NULL, "Invalid Scaleway config file",
					     "In %s: %s must be a plain value.", origin, file_keys[k]);
				if (r < 0)
					return r;
				break;
			}
			if (vn->data.scalar.length == 0)
				break;
			r = layer_set(l, (enum scwconfig_key)k, (const char *)vn->data.scalar.value,
				      vn->data.scalar.length, origin);
			if (r < 0)
				return r;
			break;
		}
	}
	return 0;
}

static yaml_node_t *mapping_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		if (scalar_is(yaml_document_get_node(doc, p->key), key))
			return yaml_document_get_node(doc, p->value);
	return NULL;
}

/* The document and the parser hold copies of the file's text, secret keys included: wipe them
 * before libyaml frees them. */
static void wipe_document(yaml_document_t *doc)
{
	yaml_node_t *n;

	for (n = doc->nodes.start; n && n < doc->nodes.top; n++)
		if (n->type == YAML_SCALAR_NODE)
			mem_wipe(n->data.scalar.value, n->data.scalar.length);
}

static void wipe_parser(yaml_parser_t *p)
{
	if (p->buffer.start && p->buffer.end > p->buffer.start)
		mem_wipe(p->buffer.start, (size_t)(p->buffer.end - p->buffer.start));
	if (p->raw_buffer.start && p->raw_buffer.end > p->raw_buffer.start)
		mem_wipe(p->raw_buffer.start, (size_t)(p->raw_buffer.end - p->raw_buffer.start));
}

/* Parse the file and fill l with the root keys merged with the selected profile's.
 * want_profile: the profile asked for by the block or SCW_PROFILE (NULL: active_profile). */
static int load_file(struct scwconfig *c, struct layer *l, const char *want_profile, const char *want_origin)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *profiles, *prof;
	struct buf data, origin;
	const char *pname = want_profile;
	int parser_ok = 0, doc_ok = 0, r;

	buf_init_secret(&data, SCWCONFIG_FILE_MAX);
	buf_init(&origin, SCWCONFIG_PATH_MAX + 256);
	r = config_path(c);
	if (r < 0 || !c->config_path)
		goto nofile;
	r = read_file(c, c->config_path, &data);
	if (r == ERR_NOTFOUND) {
		r = 0;
		if (getenv("SCW_CONFIG_PATH") && getenv("SCW_CONFIG_PATH")[0])
			r = diag_add(c, SCWCONFIG_WARNING, NULL, "Scaleway config file not found",
				     "SCW_CONFIG_PATH points to %s, which does not exist.", c->config_path);
		goto nofile;
	}
	if (r < 0)
		goto out;
	c->config_found = 1;
	if (!yaml_parser_initialize(&parser)) {
		r = ERR_NOMEM;
		goto out;
	}
	parser_ok = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)(data.data ? data.data : ""), data.len);
	if (!yaml_parser_load(&parser, &doc)) {
		r = diag_add(c, SCWCONFIG_ERROR, NULL, "Invalid Scaleway config file",
			     "%s is not valid YAML: %s at line %zu, column %zu.", c->config_path,
			     parser.problem ? parser.problem : "syntax error", parser.problem_mark.line + 1,
			     parser.problem_mark.column + 1);
		goto out;
	}
	doc_ok = 1;
	root = yaml_document_get_root_node(&doc);
	if (!root)
		goto nofile; /* empty file */
	if (root->type != YAML_MAPPING_NODE) {
		r = diag_add(c, SCWCONFIG_ERROR, NULL, "Invalid Scaleway config file",
			     "%s must hold a YAML mapping (key: value lines) at the top level.", c->config_path);
		goto out;
	}
	r = load_mapping(c, &doc, root, l, c->config_path);
	if (r < 0)
		goto out;
	if (!pname) {
		yaml_node_t *ap = mapping_get(&doc, root, "active_profile");

		if (ap && ap->type == YAML_SCALAR_NODE && ap->data.scalar.length) {
			pname = (const char *)ap->data.scalar.value;
			want_origin = "active_profile in the config file";
		}
	}
	if (!pname || !strcmp(pname, "default"))
		goto out; /* root profile ("default" is the CLI's name for it) */
	profiles = mapping_get(&doc, root, "profiles");
	if (profiles && profiles->type != YAML_MAPPING_NODE) {
		r = diag_add(c, SCWCONFIG_ERROR, NULL, "Invalid Scaleway config file",
			     "In %s: profiles must be a mapping of profile names.", c->config_path);
		goto out;
	}
	prof = mapping_get(&doc, profiles, pname);
	if (!prof || prof->type != YAML_MAPPING_NODE) {
		r = diag_add(c, SCWCONFIG_ERROR,
			     want_profile && !strcmp(want_origin, "provider block") ? "profile" : NULL,
			     "Unknown Scaleway profile", "Profile \"%s\" (from %s) is not defined in %s.", pname,
			     want_origin, c->config_path);
		goto out;
	}
	r = buf_printf(&origin, "profile \"%s\" in %s", pname, c->config_path);
	if (r < 0)
		goto out;
	c->profile = mem_strndup(pname, strlen(pname));
	if (!c->profile) {
		r = ERR_NOMEM;
		goto out;
	}
	r = load_mapping(c, &doc, prof, l, origin.data);
	goto out;
nofile:
	if (r == 0 && pname && strcmp(pname, "default") != 0)
		r = diag_add(c, SCWCONFIG_ERROR, !strcmp(want_origin, "provider block") ? "profile" : NULL,
			     "Unknown Scaleway profile",
			     "Profile \"%s\" (from %s) cannot be used: there is no Scaleway config file%s%s.", pname,
			     want_origin, c->config_path ? " at " : "", c->config_path ? c->config_path : "");
out:
	if (doc_ok) {
		wipe_document(&doc);
		yaml_document_delete(&doc);
	}
	if (parser_ok) {
		wipe_parser(&parser);
		yaml_parser_delete(&parser);
	}
	buf_release(&origin);
	buf_release(&data);
	return r;
}

/* ---- merge and checks ---- */

static int set_value(struct scwconfig *c, enum scwconfig_key k, const char *v, enum scwconfig_source src,
		     const char *origin)
{
	char *nv = mem_strndup(v, strlen(v)), *no = mem_strndup(origin, strlen(origin));

	if (!nv || !no) {
		free_val(k, nv);
		free(no);
		return ERR_NOMEM;
	}
	free_val(k, c->v[k].value);
	free(c->v[k].origin);
	c->v[k].value = nv;
	c->v[k].origin = no;
	c->v[k].source = src;
	return 0;
}

/* Take each key from the highest layer that has it; warn when a lower layer disagrees. */
static int merge(struct scwconfig *c, struct layer *layers[3], const enum scwconfig_source srcs[3])
{
	int k, i, j, r;

	for (k = 0; k < SCWCONFIG_KEY_COUNT; k++) {
		for (i = 0; i < 3 && !layers[i]->val[k]; i++)
			;
		if (i == 3)
			continue;
		r = set_value(c, (enum scwconfig_key)k, layers[i]->val[k], srcs[i], layers[i]->origin[k]);
		if (r < 0)
			return r;
		for (j = i + 1; j < 3; j++) {
			const char *lo = layers[j]->val[k];

			if (!lo || !strcmp(lo, layers[i]->val[k]))
				continue;
			if (k == SCWCONFIG_SECRET_KEY)
				r = diag_add(c, SCWCONFIG_WARNING, NULL, "Multiple variable sources detected",
					     "%s is set by %s and by %s with different values; using the one "
					     "from %s.",
					     key_names[k], layers[i]->origin[k], layers[j]->origin[k],
					     layers[i]->origin[k]);
			else
				r = diag_add(c, SCWCONFIG_WARNING, NULL, "Multiple variable sources detected",
					     "%s is set by %s (\"%s\") and by %s (\"%s\"); using the one "
					     "from %s.",
					     key_names[k], layers[i]->origin[k], layers[i]->val[k],
					     layers[j]->origin[k], lo, layers[i]->origin[k]);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int is_lower(char ch)
{
	return ch >= 'a' && ch <= 'z';
}

/* ^[a-z]{2}-[a-z]{3,7}$ ; with zone: followed by -[0-9]{1,2}. Returns the region length or 0. */
static size_t region_len(const char *s, int zone)
{
	size_t i = 0, n;

	if (!is_lower(s[0]) || !is_lower(s[1]) || s[2] != '-')
		return 0;
	for (i = 3; is_lower(s[i]); i++)
		;
	n = i - 3;
	if (n < 3 || n > 7)
		return 0;
	if (!zone)
		return s[i] ? 0 : i;
	if (s[i] != '-' || !(s[i + 1] >= '0' && s[i + 1] <= '9'))
		return 0;
	if (!s[i + 2] || (s[i + 2] >= '0' && s[i + 2] <= '9' && !s[i + 3]))
		return i;
	return 0;
}

static int api_url_ok(const char *s)
{
	size_t n = strlen(s), i, host;

	if (!strncmp(s, "https://", 8))
		host = 8;
	else if (!strncmp(s, "http://", 7))
		host = 7;
	else
		return 0;
	if (n == host || s[host] == '/' || s[n - 1] == '/')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* The provider attribute to attach a diagnostic to: only when the value came from the block. */
static const char *attr_of(const struct scwconfig *c, enum scwconfig_key k)
{
	return c->v[k].source == SCWCONFIG_SRC_BLOCK ? key_names[k] : NULL;
}

static int check(struct scwconfig *c)
{
	const char *ak = c->v[SCWCONFIG_ACCESS_KEY].value, *sk = c->v[SCWCONFIG_SECRET_KEY].value;
	const char *v;
	size_t i;
	int r = 0, b;

	if (ak && !access_key_is_valid(ak, strlen(ak)))
		r = diag_add(c, SCWCONFIG_ERROR, attr_of(c, SCWCONFIG_ACCESS_KEY), "Invalid access key",
			     "The access key from %s is malformed (%zu characters): expected SCW followed "
			     "by 17 uppercase letters or digits (SCWXXXXXXXXXXXXXXXXX).",
			     c->v[SCWCONFIG_ACCESS_KEY].origin, strlen(ak));
	if (r == 0 && sk && !uuid_is_valid(sk, strlen(sk)))
		r = diag_add(c, SCWCONFIG_ERROR, attr_of(c, SCWCONFIG_SECRET_KEY), "Invalid secret key",
			     "The secret key from %s is malformed (%zu characters): expected a UUID "
			     "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
			     c->v[SCWCONFIG_SECRET_KEY].origin, strlen(sk));
	if (r == 0 && sk && !ak)
		r = diag_add(c, SCWCONFIG_ERROR, "access_key", "Missing access key",
			     "A secret key is set (from %s) but no access key: set access_key in the "
			     "provider block, SCW_ACCESS_KEY, or access_key in the config file.",
			     c->v[SCWCONFIG_SECRET_KEY].origin);
	if (r == 0 && ak && !sk)
		r = diag_add(c, SCWCONFIG_ERROR, "secret_key", "Missing secret key",
			     "An access key is set (from %s) but no secret key: set secret_key in the "
			     "provider block, SCW_SECRET_KEY, or secret_key in the config file.",
			     c->v[SCWCONFIG_ACCESS_KEY].origin);
	if (r == 0 && !ak && !sk)
		r = diag_add(c, SCWCONFIG_ERROR, NULL, "Missing Scaleway credentials",
			     "No access key and secret key were found. Set access_key and secret_key in "
			     "the provider block, the SCW_ACCESS_KEY and SCW_SECRET_KEY environment "
			     "variables, or a profile in the Scaleway config file (%s).",
			     c->config_path ? c->config_path : "~/.config/scw/config.yaml");
	v = c->v[SCWCONFIG_PROJECT_ID].value;
	if (r == 0 && v && !uuid_is_valid(v, strlen(v)))
		r = diag_add(c, SCWCONFIG_ERROR, attr_of(c, SCWCONFIG_PROJECT_ID), "Invalid project ID",
			     "The project ID \"%s\" from %s is not a UUID.", v, c->v[SCWCONFIG_PROJECT_ID].origin);
	v = c->v[SCWCONFIG_ORGANIZATION_ID].value;
	if (r == 0 && v && !uuid_is_valid(v, strlen(v)))
		r = diag_add(c, SCWCONFIG_ERROR, attr_of(c, SCWCONFIG_ORGANIZATION_ID), "Invalid organization ID",
			     "The organization ID \"%s\" from %s is not a UUID.", v,
			     c->v[SCWCONFIG_ORGANIZATION_ID].origin);
	v = c->v[SCWCONFIG_REGION].value;
	if (r == 0 && v && !region_len(v, 0))
		r = diag_add(c, SCWCONFIG_ERROR, attr_of(c, SCWCONFIG_REGION), "Invalid region",
			     "The region \"%s\" from %s is malformed (expected e.g. fr-par).", v,
			     c->v[SCWCONFIG_REGION].origin);
	else if (r == 0 && v) {
		for (i = 0; i < sizeof(known_regions) / sizeof(known_regions[0]); i++)
			if (!strcmp(v, known_regions[i]))
				break;
		if (i == sizeof(known_regions) / sizeof(known_regions[0]))
			r = diag_add(c, SCWCONFIG_WARNING, attr_of(c, SCWCONFIG_REGION), "Unknown region",
				     "The region \"%s\" from %s is not one of fr-par, nl-ams, pl-waw, "
				     "it-mil.",
				     v, c->v[SCWCONFIG_REGION].origin);
	}
	v = c->v[SCWCONFIG_ZONE].value;
	if (r == 0 && v && !region_len(v, 1))
		r = diag_add(c, SCWCONFIG_ERROR, attr_of(c, SCWCONFIG_ZONE), "Invalid zone",
			     "The zone \"%s\" from %s is malformed (expected e.g. fr-par-1).", v,
			     c->v[SCWCONFIG_ZONE].origin);
	v = c->v[SCWCONFIG_API_URL].value;
	if (r == 0 && v && v[0] && v[strlen(v) - 1] == '/') {
		/* "https://api.example.com/" means the same URL: drop the trailing slashes (the paths
		 * appended to it start with one). */
		char *t = mem_strndup(v, strlen(v));
		size_t n = t ? strlen(t) : 0;

		while (n > 0 && t[n - 1] == '/')
			t[--n] = '\0';
		r = t ? set_value(c, SCWCONFIG_API_URL, t, c->v[SCWCONFIG_API_URL].source,
				  c->v[SCWCONFIG_API_URL].origin)
		      : ERR_NOMEM;
		free(t);
		v = c->v[SCWCONFIG_API_URL].value;
	}
	if (r == 0 && v && !api_url_ok(v))
		r = diag_add(c, SCWCONFIG_ERROR, attr_of(c, SCWCONFIG_API_URL), "Invalid API URL",
			     "The API URL \"%s\" from %s must be http(s)://host[:port][/path].", v,
			     c->v[SCWCONFIG_API_URL].origin);
	v = c->v[SCWCONFIG_INSECURE].value;
	if (r == 0 && v) {
		if (parse_bool(v, &b) < 0)
			r = diag_add(c, SCWCONFIG_ERROR, NULL, "Invalid insecure flag",
				     "The value \"%s\" from %s is not a boolean (true or false).", v,
				     c->v[SCWCONFIG_INSECURE].origin);
		else
			r = set_value(c, SCWCONFIG_INSECURE, b ? "true" : "false", c->v[SCWCONFIG_INSECURE].source,
				      c->v[SCWCONFIG_INSECURE].origin);
	}
	return r;
}

/* Defaults, and the region inferred from the zone (or the zone from the region). */
static int defaults(struct scwconfig *c)
{
	const char *zone = c->v[SCWCONFIG_ZONE].value, *region = c->v[SCWCONFIG_REGION].value;
	char tmp[64];
	size_t n;
	int r = 0;

	if (!region && zone) {
		n = region_len(zone, 1);
		if (n && n < sizeof(tmp)) {
			memcpy(tmp, zone, n);
			tmp[n] = '\0';
			r = set_value(c, SCWCONFIG_REGION, tmp, SCWCONFIG_SRC_INFERRED, "the zone");
		}
	} else if (region && !zone && region_len(region, 0) && strlen(region) + 3 < sizeof(tmp)) {
		snprintf(tmp, sizeof(tmp), "%s-1", region);
		r = set_value(c, SCWCONFIG_ZONE, tmp, SCWCONFIG_SRC_INFERRED, "the region");
	}
	if (r == 0 && !c->v[SCWCONFIG_REGION].value)
		r = set_value(c, SCWCONFIG_REGION, "fr-par", SCWCONFIG_SRC_DEFAULT, "default");
	if (r == 0 && !c->v[SCWCONFIG_ZONE].value)
		r = set_value(c, SCWCONFIG_ZONE, "fr-par-1", SCWCONFIG_SRC_DEFAULT, "default");
	if (r == 0 && !c->v[SCWCONFIG_API_URL].value)
		r = set_value(c, SCWCONFIG_API_URL, "https://api.scaleway.com", SCWCONFIG_SRC_DEFAULT, "default");
	if (r == 0 && !c->v[SCWCONFIG_INSECURE].value)
		r = set_value(c, SCWCONFIG_INSECURE, "false", SCWCONFIG_SRC_DEFAULT, "default");
	return r;
}

int scwconfig_load(const struct scwconfig_input *in, struct scwconfig **out)
{
	static const enum scwconfig_source srcs[3] = { SCWCONFIG_SRC_BLOCK, SCWCONFIG_SRC_ENV, SCWCONFIG_SRC_FILE };
	struct layer block = { { 0 }, { 0 } }, env = { { 0 }, { 0 } }, file = { { 0 }, { 0 } };
	struct layer *layers[3] = { &block, &env, &file };
	struct scwconfig *c;
	const char *want = NULL, *want_origin = NULL;
	int r;

	*out = NULL;
	c = mem_calloc(1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	r = load_block(in, &block);
	if (r == 0)
		r = load_env(c, &env);
	if (r < 0)
		goto out;
	if (in && in->profile && in->profile[0]) {
		want = in->profile;
		want_origin = "provider block";
	} else if (getenv("SCW_PROFILE") && getenv("SCW_PROFILE")[0]) {
		want = getenv("SCW_PROFILE");
		want_origin = "SCW_PROFILE";
	}
	r = load_file(c, &file, want, want_origin);
	if (r < 0 && r != ERR_IO && r != ERR_TOOBIG)
		goto out;
	r = merge(c, layers, srcs);
	if (r == 0)
		r = defaults(c);
	if (r == 0)
		r = check(c);
out:
	layer_release(&block);
	layer_release(&env);
	layer_release(&file);
	if (r < 0) {
		scwconfig_free(c);
		return r;
	}
	*out = c;
	return 0;
}
