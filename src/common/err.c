/* SPDX-License-Identifier: MIT */
/* err: names and messages of the error table in err.h. */
#include "common/err.h"

static const char *const names[] = { "OK",
#define N_(name, str) "ERR_" #name,
				     ERR_MAP(N_)
#undef N_
};

static const char *const strs[] = { "success",
#define S_(name, str) str,
				    ERR_MAP(S_)
#undef S_
};

const char *err_name(int r)
{
	if (r > 0 || -r >= ERR_COUNT_)
		return "ERR_UNKNOWN";
	return names[-r];
}

const char *err_str(int r)
{
	if (r > 0 || -r >= ERR_COUNT_)
		return "unknown error";
	return strs[-r];
}
