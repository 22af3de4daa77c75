/* SPDX-License-Identifier: MIT */
/*
 * unixsock: the listening unix socket a go-plugin server hands to its client. Like go-plugin, it
 * makes a fresh private directory "pluginXXXXXX" in $PLUGIN_UNIX_SOCKET_DIR (else $TMPDIR, else
 * /tmp), binds "<dir>/plugin.sock" there, and, when $PLUGIN_UNIX_SOCKET_GROUP is set, gives the
 * socket to that group (name or numeric gid) with mode 0660. unixsock_close() removes both the
 * socket and the directory. No I/O beyond that: accepting is the server's business.
 */
#ifndef NET_UNIXSOCK_H
#define NET_UNIXSOCK_H

#include <sys/un.h>

struct unixsock {
	int fd; /* listening, non-blocking, close-on-exec; -1 when closed */
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];  /* the private directory */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* absolute socket path */
};

/* Create, bind and listen. base: directory to create the private directory in; NULL means
 * $PLUGIN_UNIX_SOCKET_DIR, else $TMPDIR, else /tmp. group: NULL means $PLUGIN_UNIX_SOCKET_GROUP.
 * 0, ERR_TOOBIG (the path would not fit sun_path), ERR_NOTFOUND (unknown group), ERR_IO. On
 * failure nothing is left behind and s->fd is -1. */
int unixsock_listen(struct unixsock *s, const char *base, const char *group);
/* Close the socket and remove the socket file and its directory. Safe to call twice. */
void unixsock_close(struct unixsock *s);

#endif
