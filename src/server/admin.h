/* SPDX-License-Identifier: MIT */
/*
 * admin: the operator's commands, run against the database directly (a running server on the
 * same database sees their effect at once):
 *   scw-iamd admin organization create --db DB --name NAME   new organization, project, owner and
 *                                                            admin key; prints the bootstrap JSON
 *   scw-iamd admin organization list --db DB                 every organization, as JSON
 *   scw-iamd admin key list --db DB --organization-id ORG    the organization's API keys, as JSON
 *   scw-iamd admin key revoke --db DB ACCESS_KEY             delete the key: it authenticates no more
 * Exit status: 0 done, 1 failed (a message on stderr says why), 2 usage error.
 */
#ifndef SERVER_ADMIN_H
#define SERVER_ADMIN_H

/* argv[0] is "admin". */
int admin_main(int argc, char **argv);

#endif
