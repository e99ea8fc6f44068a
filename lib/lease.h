/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DHCPv4 client (lease.c): leases got, renewed, released. */
#ifndef CNET_LEASE_H
#define CNET_LEASE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "dhcp.h"

#define CNET_LEASE_INFINITE 0xffffffffu

struct cnet_lease {
	struct in_addr addr, server, router;
	uint8_t plen;
	bool has_router;
	struct in_addr dns[CNET_DHCP_MAX_DNS];
	unsigned int n_dns;
	char domain[256];
	uint32_t lease, t1, t2; /* seconds from obtained */
	int64_t obtained;	/* wall clock, when the ACK came */
};

/* Who asks, where: the interface by name inside the namespace ns_fd
 * (-1: this one). */
struct cnet_dhcp_client {
	struct cnet_ctx *ctx;
	int ns_fd;
	char ifname[IFNAMSIZ];
	uint8_t mac[6];
	const uint8_t *client_id;
	size_t client_id_len;
	const char *hostname;
	unsigned int timeout_ms;
};

/* INIT, or INIT-REBOOT first when prev is set. -ETIMEDOUT: nobody answered. */
int cnet_dhcp_acquire(const struct cnet_dhcp_client *c, struct in_addr prev, struct cnet_lease *out);
/* RENEWING (unicast to the server) or REBINDING (broadcast). */
int cnet_dhcp_renew(const struct cnet_dhcp_client *c, const struct cnet_lease *cur, bool rebind,
		    struct cnet_lease *out);
int cnet_dhcp_release(const struct cnet_dhcp_client *c, const struct cnet_lease *cur);

/* A client identifier kept for good (RFC 4361: 0xff, IAID, DUID-UUID). */
void cnet_dhcp_client_id(uint8_t out[CNET_DHCP_MAX_CLIENT_ID], size_t *len);
/* The lease's address on ifindex, living as long as the lease has left. */
/* What a client is known by across attaches: its client id, and the
 * address it had (asked for first: INIT-REBOOT). */
struct cnet_dhcp_ident {
	uint8_t client_id[CNET_DHCP_MAX_CLIENT_ID];
	size_t client_id_len;
	struct in_addr prev;
};
/* A record's "dhcp": {client_id, lease} (a new client id if id has none),
 * and back. */
void cnet_dhcp_record(struct cnet_dhcp_ident *id, cJSON *rec, const struct cnet_lease *l);
void cnet_dhcp_from_record(struct cnet_dhcp_ident *id, const cJSON *rec);

struct cnet_nl;
int cnet_lease_install(struct cnet_nl *nl, int ifindex, const struct cnet_lease *l);

/* --resolv-conf (resolv.c): PATH inside the root of the target's process
 * (pinned by its proc_fd), never out of it; only a regular file of the
 * container's, and in bounded time. */
struct cnet_target;
int cnet_lease_write_resolv(struct cnet_ctx *ctx, const struct cnet_target *t, const char *path,
			    const char *ifname, const struct cnet_lease *l);

cJSON *cnet_lease_to_json(const struct cnet_lease *l);
int cnet_lease_from_json(const cJSON *o, struct cnet_lease *l);
int64_t cnet_lease_left(const struct cnet_lease *l, uint32_t at, int64_t now);

#endif
