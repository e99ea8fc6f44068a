/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Requests libnl-route cannot build (nlbuild.c), and those built that way. */
#ifndef CNET_NLBUILD_H
#define CNET_NLBUILD_H

#include "cnet-internal.h"

/* A VXLAN device on the host (link-vxlan.c): IFLA_VXLAN_LINK the
 * underlay, remotes by the all-zero FDB entries of cnet_fdb_append, or a
 * multicast group (family 0: none). */
struct cnet_vxlan_opts {
	const char *name;
	unsigned int vni, port;
	int underlay;
	struct cnet_ip group;
	bool v6; /* remotes of IPv6 */
};
int cnet_link_build_vxlan(struct cnet_ctx *ctx, const struct cnet_vxlan_opts *o, struct nl_msg **msg);
/* Head-end replication: broadcast and unknown traffic of VXLAN ifindex
 * also goes to remote (kept once, however often asked). */
int cnet_fdb_append(struct cnet_nl *nl, int ifindex, const struct cnet_ip *remote, const char *what);
/* Requests libnl-route cannot build, written with libmnl into a libnl
 * message (nlbuild.c): start, put attributes with CNET_MNL_PUT (ok turns
 * false once one does not fit), then end. */
struct cnet_mnl {
	struct nl_msg *msg;
	struct nlmsghdr *h;
	size_t max;
	bool ok;
};
void cnet_mnl_start(struct cnet_mnl *m, int type, int flags, const void *hdr, size_t len);
#define CNET_MNL_PUT(m, fn, ...) ((m)->ok = (m)->ok && fn((m)->h, (m)->max, __VA_ARGS__))
struct nlattr *cnet_mnl_nest(struct cnet_mnl *m, uint16_t type);
void cnet_mnl_nest_end(struct cnet_mnl *m, struct nlattr *nest);
/* *out the message, or -ENOMEM ("cannot build the WHAT request"). */
int cnet_mnl_end(struct cnet_ctx *ctx, struct cnet_mnl *m, const char *what, struct nl_msg **out);
#endif
