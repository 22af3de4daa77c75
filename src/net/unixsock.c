/* SPDX-License-Identifier: MIT */
/*
 * unixsock: a go-plugin style listening unix socket in a private temporary directory (see
 * unixsock.h). The directory is created 0700 by mkdtemp, so nobody else can race us to the
 * socket name; with a group configured the directory is opened to that group as well.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "net/unixsock.h"

#define UNIXSOCK_NAME "plugin.sock"

static int resolve_group(const char *name, gid_t *gid)
{
	struct group grbuf, *gr = NULL;
	char tmp[4096], *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(name, &end, 10);
	if (*name && end && *end == '\0' && errno == 0 && v >= 0 && v <= (long long)(gid_t)-1) {
		*gid = (gid_t)v;
		return 0;
	}
	if (getgrnam_r(name, &grbuf, tmp, sizeof(tmp), &gr) != 0 || !gr)
		return ERR_NOTFOUND;
	*gid = gr->gr_gid;
	return 0;
}

int unixsock_listen(struct unixsock *s, const char *base, const char *group)
{
	struct sockaddr_un sa;
	gid_t gid = 0;
	int n, r = 0, made_dir = 0, bound = 0;

	s->fd = -1;
	s->dir[0] = s->path[0] = '\0';
	if (!base || !*base)
		base = getenv("PLUGIN_UNIX_SOCKET_DIR");
	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if (!group)
		group = getenv("PLUGIN_UNIX_SOCKET_GROUP");
	if (group && *group) {
		r = resolve_group(group, &gid);
		if (r < 0) {
			log_error("unknown PLUGIN_UNIX_SOCKET_GROUP %s", group);
			goto out;
		}
	}
	n = snprintf(s->dir, sizeof(s->dir), "%s/pluginXXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof(s->dir)) {
		r = ERR_TOOBIG;
		goto out;
	}
	n = snprintf(s->path, sizeof(s->path), "%s/" UNIXSOCK_NAME, s->dir);
	if (n < 0 || (size_t)n >= sizeof(s->path)) {
		r = ERR_TOOBIG;
		goto out;
	}
	if (!mkdtemp(s->dir)) {
		log_error("cannot create a socket directory in %s: %s", base, strerror(errno));
		r = ERR_IO;
		goto out;
	}
	made_dir = 1;
	/* mkdtemp filled the Xs in s->dir in place: copy them into the socket path (same length). */
	memcpy(s->path, s->dir, strlen(s->dir));
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		r = ERR_IO;
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		log_error("cannot bind %s: %s", s->path, strerror(errno));
		r = ERR_IO;
		goto out;
	}
	bound = 1;
	if (group && *group) {
		if (chown(s->path, (uid_t)-1, gid) != 0 || chmod(s->path, 0660) != 0 ||
		    chown(s->dir, (uid_t)-1, gid) != 0 || chmod(s->dir, 0750) != 0) {
			log_error("cannot give %s to group %s: %s", s->path, group, strerror(errno));
			r = ERR_IO;
			goto out;
		}
	}
	if (listen(s->fd, 64) != 0) {
		r = ERR_IO;
		goto out;
	}
out:
	if (r < 0) {
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
		if (bound)
			unlink(s->path);
		if (made_dir)
			rmdir(s->dir);
		s->dir[0] = s->path[0] = '\0';
	}
	return r;
}

void unixsock_close(struct unixsock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->path[0])
		unlink(s->path);
	if (s->dir[0])
		rmdir(s->dir);
	s->dir[0] = s->path[0] = '\0';
}
