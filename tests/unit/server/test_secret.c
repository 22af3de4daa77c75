/* SPDX-License-Identifier: MIT */
/* Unit tests of server/secret: key file handling, HMAC of secrets, password hashes. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "server/secret.h"
#include "test.h"

static char dir[128];

static void path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

TEST(key_file_created_0600_and_reloaded)
{
	struct secret_key a, b;
	struct stat st;
	char p[256], detail[256];

	path_in(p, sizeof(p), "k1");
	ASSERT_EQ_INT(secret_key_load(p, 0, &a, detail, sizeof(detail)), ERR_NOTFOUND);
	ASSERT_EQ_INT(secret_key_load(p, 1, &a, detail, sizeof(detail)), 0);
	ASSERT_EQ_INT(stat(p, &st), 0);
	ASSERT_EQ_INT(st.st_mode & 0777, 0600);
	ASSERT_EQ_INT(st.st_size, SECRET_KEY_LEN);
	ASSERT_EQ_INT(secret_key_load(p, 1, &b, detail, sizeof(detail)), 0); /* exists: read, not replaced */
	ASSERT_EQ_MEM(a.k, b.k, SECRET_KEY_LEN);
	secret_key_release(&a);
	secret_key_release(&b);
}

TEST(key_file_wrong_size_or_mode_refused)
{
	struct secret_key k;
	char p[256], detail[256];
	int fd;

	path_in(p, sizeof(p), "k2");
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ASSERT(fd >= 0);
	ASSERT_EQ_INT(write(fd, "short", 5), 5);
	close(fd);
	ASSERT_EQ_INT(secret_key_load(p, 1, &k, detail, sizeof(detail)), ERR_PARSE);
	ASSERT(strstr(detail, "32 bytes") != NULL);
	path_in(p, sizeof(p), "k3");
	ASSERT_EQ_INT(secret_key_load(p, 1, &k, detail, sizeof(detail)), 0);
	ASSERT_EQ_INT(chmod(p, 0644), 0);
	ASSERT_EQ_INT(secret_key_load(p, 0, &k, detail, sizeof(detail)), ERR_PERM);
}

TEST(hmac_sha256_known_answer_and_fingerprint)
{
	struct secret_key k;
	uint8_t h[SECRET_HASH_LEN];
	char hex[65], f1[SECRET_FPR_LEN + 1], f2[SECRET_FPR_LEN + 1];
	int i;

	for (i = 0; i < SECRET_KEY_LEN; i++)
		k.k[i] = (uint8_t)i;
	ASSERT_EQ_INT(secret_hash(&k, "abc", 3, h), 0);
	for (i = 0; i < SECRET_HASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	/* Python: hmac.new(bytes(range(32)), b"abc", hashlib.sha256).hexdigest() */
	ASSERT_EQ_STR(hex, "f0133729c4163dede81e21cd47839256da58171238c8a0d874397c73b14e1e47");
	ASSERT_EQ_INT(secret_key_fingerprint(&k, f1), 0);
	k.k[0] ^= 1;
	ASSERT_EQ_INT(secret_key_fingerprint(&k, f2), 0);
	ASSERT(strlen(f1) == SECRET_FPR_LEN && strcmp(f1, f2) != 0);
}

TEST(password_hash_salted_and_verified)
{
	char *a = NULL, *b = NULL;

	ASSERT_EQ_INT(secret_password_hash("correct horse", 13, &a), 0);
	ASSERT_EQ_INT(secret_password_hash("correct horse", 13, &b), 0);
	ASSERT(strncmp(a, "scrypt$16384$8$1$", 17) == 0);
	ASSERT(strcmp(a, b) != 0); /* salted */
	ASSERT(strstr(a, "correct") == NULL);
	ASSERT_EQ_INT(secret_password_verify("correct horse", 13, a), 1);
	ASSERT_EQ_INT(secret_password_verify("correct horsf", 13, a), 0);
	ASSERT_EQ_INT(secret_password_verify("correct horse", 13, "plain"), 0);
	free(a);
	free(b);
}

int main(void)
{
	char cmd[200];

	snprintf(dir, sizeof(dir), "/tmp/scw-secret-test-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	RUN(key_file_created_0600_and_reloaded);
	RUN(key_file_wrong_size_or_mode_refused);
	RUN(hmac_sha256_known_answer_and_fingerprint);
	RUN(password_hash_salted_and_verified);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return test_done();
}
