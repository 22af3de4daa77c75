/* SPDX-License-Identifier: MIT */
/*
 * replay_main: a main() for fuzz drivers when built without libFuzzer (gcc, make check). It feeds
 * every file of the directories (or files) given on the command line to LLVMFuzzerTestOneInput
 * once, and prints one TAP line. A crash or sanitizer report kills the process, which
 * scripts/run-tests counts as a failure. Real fuzzing: make fuzz (clang -fsanitize=fuzzer).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long n;
	int r = -1;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n + 1);
		if (data && fread(data, 1, (size_t)n, f) == (size_t)n) {
			LLVMFuzzerTestOneInput(data, (size_t)n);
			r = 0;
		}
	}
	free(data);
	fclose(f);
	return r;
}

int main(int argc, char **argv)
{
	int i, count = 0, errors = 0;
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) != 0) {
			errors++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			errors += replay_file(argv[i]) != 0;
			count++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			errors++;
			continue;
		}
		for (e = readdir(d); e; e = readdir(d)) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			errors += replay_file(path) != 0;
			count++;
		}
		closedir(d);
	}
	printf("%s 1 - %s replayed %d corpus inputs\n1..1\n", errors || count == 0 ? "not ok" : "ok", name, count);
	return errors || count == 0;
}
