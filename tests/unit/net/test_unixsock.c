/* SPDX-License-Identifier: MIT */
/* go-plugin style unix socket: private "plugin*" directory, group handling, cleanup. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/mem.h"
#include "net/unixsock.h"
#include "test.h"

static char base[256];

static void make_base(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(base, sizeof(base), "%s/unixsock-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base))
		base[0] = '\0';
}

TEST(listens_in_a_private_plugin_directory_and_cleans_up)
{
	struct unixsock s;
	struct stat st;
	struct sockaddr_un sa;
	int fd;

	ASSERT_EQ_INT(unixsock_listen(&s, base, ""), 0);
	ASSERT(strncmp(s.dir, base, strlen(base)) == 0);
	ASSERT(strncmp(s.dir + strlen(base), "/plugin", 7) == 0);
	ASSERT_EQ_INT(stat(s.dir, &st), 0);
	ASSERT_EQ_INT(st.st_mode & 0777, 0700);
	ASSERT_EQ_INT(stat(s.path, &st), 0);
	ASSERT(S_ISSOCK(st.st_mode));
	/* a client can connect */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, s.path, strlen(s.path) + 1);
	ASSERT_EQ_INT(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	unixsock_close(&s);
	ASSERT(stat(s.path, &st) != 0 || s.path[0] == '\0');
	unixsock_close(&s); /* twice is fine */
}

TEST(socket_file_and_directory_are_removed)
{
	struct unixsock s;
	char dir[sizeof(s.dir)], path[sizeof(s.path)];
	struct stat st;

	ASSERT_EQ_INT(unixsock_listen(&s, base, ""), 0);
	memcpy(dir, s.dir, sizeof(dir));
	memcpy(path, s.path, sizeof(path));
	unixsock_close(&s);
	ASSERT(stat(path, &st) != 0 && errno == ENOENT);
	ASSERT(stat(dir, &st) != 0 && errno == ENOENT);
}

TEST(a_group_gets_the_socket_with_mode_0660)
{
	struct unixsock s;
	struct stat st;
	char gid[32];

	snprintf(gid, sizeof(gid), "%u", (unsigned)getgid());
	ASSERT_EQ_INT(unixsock_listen(&s, base, gid), 0);
	ASSERT_EQ_INT(stat(s.path, &st), 0);
	ASSERT_EQ_INT(st.st_mode & 0777, 0660);
	ASSERT_EQ_UINT(st.st_gid, getgid());
	unixsock_close(&s);
}

TEST(an_unknown_group_fails_and_leaves_nothing)
{
	struct unixsock s;

	ASSERT_EQ_INT(unixsock_listen(&s, base, "no-such-group-scw-iam"), ERR_NOTFOUND);
	ASSERT_EQ_INT(s.fd, -1);
	ASSERT_EQ_INT(rmdir(base), 0); /* empty: nothing was left inside */
	ASSERT_EQ_INT(mkdir(base, 0700), 0);
}

TEST(a_path_too_long_for_sun_path_is_refused)
{
	struct unixsock s;
	char longbase[200];

	memset(longbase, 'a', sizeof(longbase) - 1);
	longbase[0] = '/';
	longbase[sizeof(longbase) - 1] = '\0';
	ASSERT_EQ_INT(unixsock_listen(&s, longbase, ""), ERR_TOOBIG);
	ASSERT_EQ_INT(s.fd, -1);
}

TEST(a_missing_base_directory_is_an_io_error)
{
	struct unixsock s;

	ASSERT_EQ_INT(unixsock_listen(&s, "/nonexistent-scw-iam-dir", ""), ERR_IO);
	ASSERT_EQ_INT(s.fd, -1);
}

int main(void)
{
	make_base();
	RUN(listens_in_a_private_plugin_directory_and_cleans_up);
	RUN(socket_file_and_directory_are_removed);
	RUN(a_group_gets_the_socket_with_mode_0660);
	RUN(an_unknown_group_fails_and_leaves_nothing);
	RUN(a_path_too_long_for_sun_path_is_refused);
	RUN(a_missing_base_directory_is_an_io_error);
	rmdir(base);
	return test_done();
}
