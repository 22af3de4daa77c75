/* SPDX-License-Identifier: MIT */
/*
 * gate: the connection front of scw-iamd, between the listening socket and libmicrohttpd.
 *   - It accepts connections itself and counts them per client address and in total: over the
 *     per-address limit a connection is answered 429, over the total budget 503 (JSON, with
 *     Retry-After, then closed). When three quarters of the budget are taken, an address that
 *     already holds GATE_RESERVE_PER_IP connections is refused too, so the last quarter stays
 *     for addresses with few connections.
 *   - It holds each new connection until its first request head is complete (peeking, never
 *     reading), within a deadline that bytes do not extend; a head that is malformed (400), over
 *     16 KiB (431) or late (408) is answered in JSON here. Only then is the connection handed to
 *     libmicrohttpd, which reads the head from the socket.
 *   - It enforces deadlines on the connections libmicrohttpd serves: the next request head within
 *     head_timeout of the previous answer (so idle keep-alive connections close too), and a
 *     request body within body_timeout of its head, by shutting the socket down.
 * Canned answers are closed gracefully (the answer, a half-close, then what the client still
 * sends is read and dropped for up to 2 s) so that the client reads the answer instead of a reset.
 */
#ifndef SERVER_GATE_H
#define SERVER_GATE_H
#include <stdint.h>
#include <sys/socket.h>

#include <microhttpd.h>

#define GATE_RESERVE_PER_IP 16

struct gate_config {
	unsigned max_conns;      /* total budget of open connections */
	unsigned per_ip;         /* open connections per client address */
	unsigned head_timeout_s; /* a whole request head, from accept or from the previous answer */
	unsigned body_timeout_s; /* a whole request body, from the end of its head */
	int tls;                 /* HTTPS: heads cannot be peeked (connections go to libmicrohttpd at
				  * accept) and a refused connection is closed without an answer */
};

struct gate;

/* Prepare a gate for listen_fd (non-blocking, listening; the gate closes it from now on). */
int gate_new(const struct gate_config *cfg, int listen_fd, struct gate **out);
/* Start accepting and handing complete heads to d, started with MHD_USE_NO_LISTEN_SOCKET and
 * gate_notify (cls: the gate) as its MHD_OPTION_NOTIFY_CONNECTION. */
int gate_run(struct gate *g, struct MHD_Daemon *d);
/* Stop accepting: close the listening socket and every connection not yet handed over. */
void gate_stop(struct gate *g);
/* After the daemon stopped: free (stops first when needed). NULL is fine. */
void gate_free(struct gate *g);

/* MHD_OPTION_NOTIFY_CONNECTION callback; cls is the gate. */
void gate_notify(void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode code);
/* A request's head was received on c: from now on the body deadline applies. */
void gate_request_head(struct MHD_Connection *c);
/* The request is being processed off the HTTP thread (no deadline until it is answered). */
void gate_request_busy(struct MHD_Connection *c);
/* The request was answered: the next head is due within head_timeout. */
void gate_request_done(struct MHD_Connection *c);
/* The key a client address counts under: an IPv4 address (also written v4-mapped in IPv6), or
 * an IPv6 address's /64 prefix: one host or site usually holds a whole /64, so a limit per /128
 * would let one client open as many connections as it has addresses. */
void gate_addr_key(const struct sockaddr_storage *ss, uint8_t key[16]);
/* Connections open right now (accepted and not closed) and held before libmicrohttpd. */
void gate_stats(struct gate *g, unsigned *open, unsigned *pending);

#endif
