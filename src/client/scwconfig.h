/* SPDX-License-Identifier: MIT */
/*
 * scwconfig: the provider's Scaleway configuration, resolved from three places: the provider
 * block (values given by the caller), the SCW_* environment variables (and their deprecated
 * fallbacks, each with a warning), and the Scaleway config file (YAML, read with libyaml: root
 * keys, `profiles`, `active_profile`; a named profile is merged over the root one). Precedence,
 * highest first: provider block > environment > profile > built-in defaults (fr-par, fr-par-1,
 * https://api.scaleway.com). The profile is chosen by the block's `profile`, then SCW_PROFILE,
 * then the file's `active_profile`. The reference provider lets the environment override the
 * block; we do not (see docs/client.md).
 *
 * The result holds every value with its source and a list of diagnostics (warnings and errors)
 * that the provider turns into Terraform diagnostics. Errors: an unknown profile, broken YAML,
 * a malformed value (naming its source), a secret key without an access key, and missing
 * credentials. Warnings: deprecated environment variables, two sources that disagree on a value
 * (naming both, never printing a secret), a config file readable by others, an unknown region.
 * This module does no network I/O and logs nothing; secrets are wiped when the result is freed.
 */
#ifndef CLIENT_SCWCONFIG_H
#define CLIENT_SCWCONFIG_H
#include <stddef.h>

enum scwconfig_key {
	SCWCONFIG_ACCESS_KEY,
	SCWCONFIG_SECRET_KEY, /* secret: never printed, wiped on free */
	SCWCONFIG_PROJECT_ID,
	SCWCONFIG_ORGANIZATION_ID,
	SCWCONFIG_REGION,
	SCWCONFIG_ZONE,
	SCWCONFIG_API_URL,
	SCWCONFIG_INSECURE, /* "true" / "false" */
	SCWCONFIG_KEY_COUNT
};

enum scwconfig_source {
	SCWCONFIG_SRC_NONE,    /* unset */
	SCWCONFIG_SRC_DEFAULT, /* built-in default */
	SCWCONFIG_SRC_FILE,    /* config file (root keys or the selected profile) */
	SCWCONFIG_SRC_ENV,     /* environment variable */
	SCWCONFIG_SRC_BLOCK,   /* provider block */
	SCWCONFIG_SRC_INFERRED /* derived from another value (region from zone) */
};

struct scwconfig_value {
	char *value;                  /* NULL when unset */
	enum scwconfig_source source; /* where value came from */
	char *origin;                 /* human name of the source: "provider block", "SCW_ACCESS_KEY",
	                               * "profile \"prod\" in /home/u/.config/scw/config.yaml", ... */
};

enum scwconfig_severity { SCWCONFIG_WARNING, SCWCONFIG_ERROR };

struct scwconfig_diag {
	enum scwconfig_severity severity;
	char *summary;   /* short, e.g. "Invalid access key" */
	char *detail;    /* full sentence naming the source; never contains a secret */
	char *attribute; /* provider block attribute the diagnostic is about, or NULL */
};

/* Provider block values (NULL = not set in the block). Borrowed for the call only. */
struct scwconfig_input {
	const char *access_key;
	const char *secret_key;
	const char *profile;
	const char *project_id;
	const char *organization_id;
	const char *region;
	const char *zone;
	const char *api_url;
};

struct scwconfig {
	struct scwconfig_value v[SCWCONFIG_KEY_COUNT];
	char *profile;     /* selected profile name, NULL when the root profile is used */
	char *config_path; /* config file path that was looked at (may not exist) */
	int config_found;  /* 1 when a config file was read */
	struct scwconfig_diag *diags;
	size_t ndiags;
	size_t nerrors; /* diagnostics with severity SCWCONFIG_ERROR */
};

/*
 * Resolve the configuration from in (may be NULL), the environment and the config file.
 * 0 with *out set: inspect (*out)->nerrors; configuration problems are diagnostics, not return
 * codes. ERR_NOMEM on allocation failure (*out NULL). The caller frees with scwconfig_free().
 * Reads the process environment (getenv): call it before starting threads that call setenv.
 */
int scwconfig_load(const struct scwconfig_input *in, struct scwconfig **out);
/* Wipe the secret key, free everything. NULL is fine. */
void scwconfig_free(struct scwconfig *c);
/* The value of key, or NULL. Lives as long as c. */
const char *scwconfig_get(const struct scwconfig *c, enum scwconfig_key key);
/* "provider block", "environment", ... Static storage. */
const char *scwconfig_source_name(enum scwconfig_source src);

#endif
