/* SPDX-License-Identifier: MIT */
/*
 * fuzz_scwconfig: the Scaleway config file loader (client/scwconfig) on arbitrary file content.
 * Each input is written to a private temp file named by SCW_CONFIG_PATH, then loaded with and
 * without a profile asked for; every diagnostic must be well formed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "client/scwconfig.h"
#include "common/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void check(const struct scwconfig_input *in)
{
	struct scwconfig *c = NULL;
	size_t i;

	if (scwconfig_load(in, &c) != 0)
		return;
	for (i = 0; i < c->ndiags; i++)
		if (!c->diags[i].summary || !c->diags[i].detail)
			abort();
	scwconfig_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scwconfig_input in = { 0 };
	FILE *f;

	if (!path[0]) {
		int fd;

		snprintf(path, sizeof(path), "/tmp/fuzz-scwconfig-XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		setenv("SCW_CONFIG_PATH", path, 1);
		unsetenv("SCW_PROFILE");
	}
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	check(NULL);
	in.profile = "p";
	in.access_key = "SCWAAAAAAAAAAAAAAAAA";
	check(&in);
	unlink(path);
	return 0;
}
