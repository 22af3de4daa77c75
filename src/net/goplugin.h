/* SPDX-License-Identifier: MIT */
/*
 * goplugin: the text side of HashiCorp go-plugin's launch protocol, as Terraform drives it: the
 * magic-cookie check, PLUGIN_PROTOCOL_VERSIONS negotiation, the one handshake line a plugin
 * writes on stdout, and the TF_REATTACH_PROVIDERS JSON of debug mode. Pure string work: no I/O,
 * no environment reads (callers pass the values), so every rule is unit-testable.
 */
#ifndef NET_GOPLUGIN_H
#define NET_GOPLUGIN_H
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define GOPLUGIN_COOKIE_KEY "TF_PLUGIN_MAGIC_COOKIE"
#define GOPLUGIN_COOKIE_VALUE "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
/* go-plugin's words for a plugin run by hand (printed on stderr, exit status 1). */
#define GOPLUGIN_NOT_A_PROGRAM                                                    \
	"This binary is a plugin. These are not meant to be executed directly.\n" \
	"Please execute the program that consumes these plugins, which will\n"    \
	"load any plugins automatically\n"

/* 1 when value (the cookie variable, may be NULL) is the magic cookie, else 0. */
int goplugin_cookie_ok(const char *value);
/* Negotiate the app protocol. offered: PLUGIN_PROTOCOL_VERSIONS (may be NULL or empty: the
 * client is too old to send it, and the plugin's version is assumed, as go-plugin does).
 * 0 when want is offered (or nothing is); ERR_UNSUPPORTED when it is not, with a sentence for
 * the user in why (which may be NULL); ERR_PARSE when an entry is not a number. */
int goplugin_pick_version(const char *offered, int want, struct buf *why);
/* Append "1|<version>|<network>|<addr>|grpc[|<cert>]\n" to out, cert being der in standard
 * base64 without padding; der NULL means no 6th field (TLS disabled). ERR_INVAL when network
 * or addr contain '|' or a newline, ERR_TOOBIG from out. */
int goplugin_handshake_line(struct buf *out, int version, const char *network, const char *addr, const uint8_t *der,
			    size_t der_len);
/* Append the TF_REATTACH_PROVIDERS JSON object (one line, no newline) for provider source
 * address source (e.g. "registry.terraform.io/scaleway/scaleway"). */
int goplugin_reattach_json(struct buf *out, const char *source, int version, long pid, const char *network,
			   const char *addr);
/* Append base64 (standard alphabet, no '=' padding) of p[0..n) to out. */
int goplugin_b64_nopad(struct buf *out, const uint8_t *p, size_t n);

#endif
