/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DHCPv4 messages (RFC 2131; options RFC 2132): built and parsed, nothing
 * else. Every byte parsed came from the network: nothing is trusted. */
#ifndef CNET_DHCP_H
#define CNET_DHCP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	CNET_DHCPDISCOVER = 1,
	CNET_DHCPOFFER = 2,
	CNET_DHCPREQUEST = 3,
	CNET_DHCPDECLINE = 4,
	CNET_DHCPACK = 5,
	CNET_DHCPNAK = 6,
	CNET_DHCPRELEASE = 7,
	CNET_DHCPINFORM = 8,
};

#define CNET_DHCP_MAX_DNS 4
#define CNET_DHCP_MAX_ROUTERS 4
#define CNET_DHCP_MAX_CLIENT_ID 64

/* What the client sends. Addresses are in network byte order; an
 * INADDR_ANY one is left out (requested, server_id) or sent as zero. */
struct cnet_dhcp_req {
	uint8_t type; /* CNET_DHCPDISCOVER, REQUEST, RELEASE, DECLINE */
	uint32_t xid;
	uint16_t secs;
	bool broadcast; /* the BROADCAST flag: ask for replies by broadcast */
	uint8_t chaddr[6];
	struct in_addr ciaddr;	  /* RENEWING, REBINDING, RELEASE */
	struct in_addr requested; /* option 50 */
	struct in_addr server_id; /* option 54 */
	const uint8_t *client_id; /* option 61, as is (type byte first) */
	size_t client_id_len;
	const char *hostname; /* option 12, NULL for none */
};

/* What a server said, from a BOOTREPLY. Fields a reply lacks are zero
 * (has_* false). Strings are NUL-terminated and hold printable ASCII
 * only: a reply with anything else in them is refused. */
struct cnet_dhcp_msg {
	uint8_t type; /* option 53 */
	uint32_t xid;
	uint8_t chaddr[6];
	struct in_addr yiaddr, siaddr;
	struct in_addr server_id; /* option 54 */
	bool has_mask;
	uint8_t plen;		  /* option 1, a contiguous mask */
	struct in_addr routers[CNET_DHCP_MAX_ROUTERS]; /* option 3, first ones */
	unsigned int n_routers;
	struct in_addr dns[CNET_DHCP_MAX_DNS]; /* option 6, first ones */
	unsigned int n_dns;
	char domain[256]; /* option 15 */
	bool has_lease, has_t1, has_t2;
	uint32_t lease, t1, t2; /* options 51, 58, 59, seconds */
	char message[256];	/* option 56 */
};

/* Build a BOOTREQUEST into buf; returns its length, -ENOSPC, or -EINVAL
 * for a request it cannot build (type, client id or hostname). */
int cnet_dhcp_build(const struct cnet_dhcp_req *req, uint8_t *buf, size_t len);
/* Parse a BOOTREPLY; 0, or -EBADMSG for anything malformed. */
int cnet_dhcp_parse(const uint8_t *buf, size_t len, struct cnet_dhcp_msg *msg);

#endif
