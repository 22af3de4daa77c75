/* SPDX-License-Identifier: MIT */
/*
 * iam_permsets: the catalogue of Scaleway IAM permission sets (name, scope type, category,
 * description), shared by scw-iamd (rules, GET /permission-sets, authorization) and the
 * provider (rules checked at plan time). Sorted by name.
 */
#ifndef COMMON_IAM_PERMSETS_H
#define COMMON_IAM_PERMSETS_H
#include <stddef.h>

/* Scope types, numbered as the API's enum (permission_sets_scope_type). */
enum iam_scope { IAM_SCOPE_UNKNOWN = 0, IAM_SCOPE_PROJECTS = 1, IAM_SCOPE_ORGANIZATION = 2 };

struct iam_permset {
	const char *name;
	enum iam_scope scope;
	const char *category;
	const char *description;
};

extern const struct iam_permset iam_permsets[];
extern const size_t iam_npermsets;
/* The set named name (case-sensitive), or NULL. */
const struct iam_permset *iam_permset_find(const char *name);
/* A stable UUID derived from the set's name. out: 37 bytes. */
void iam_permset_id(const struct iam_permset *set, char *out);

#endif
