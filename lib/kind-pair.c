/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pair: one veth whose two ends are created straight in two containers,
 * the target's and the peer's (--peer), in one request sent from the
 * target's namespace: no end on the host, no bridge, nothing in the host
 * namespace at any moment. The engine names, addresses and routes each end
 * in its own namespace (att->peer, run->peer) and records both; either
 * namespace going takes the whole veth with it.
 *
 * Without --mtu both ends get the largest MTU a veth allows: a private
 * link between two containers is not held to a shared bridge's 1500,
 * and TCP between them moves far more per packet; and both take the
 * largest GSO and GRO packets the kernel allows (big_tcp).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "kind.h"

#define PAIR_MAX_MTU 65535 /* ETH_MAX_MTU: a veth's max_mtu */

static int verify(struct cnet_attach *att)
{
	if (!att->peer)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "pair needs --peer TARGET");
	if (att->mtu > PAIR_MAX_MTU)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "a veth's MTU is at most %d",
				 PAIR_MAX_MTU);
	return 0;
}

static void plan(struct run *run, struct cnet_result *res)
{
	const struct cnet_attach *att = run->att, *pa = run->peer->att;

	cnet_result_add_action(res, "create veth pair %s in %s, %s in %s, MTU %u", att->ifname,
			       att->target, pa->ifname, pa->target, att->mtu ? att->mtu : PAIR_MAX_MTU);
}

/* The largest packets both ends' kernel takes, sent and received whole
 * (GSO, GRO): BIG TCP, above 64 KiB, where the kernel has it (IPv6 from
 * Linux 5.19, IPv4 from 6.3). Between two containers on one host no wire
 * ever sees them, and per-packet costs, not bytes, bound TCP here. */
static int big_tcp(struct run *run)
{
	const struct run *p = run->peer;
	unsigned int size = run->link.tso_max < p->link.tso_max ? run->link.tso_max : p->link.tso_max;
	int r;

	if (size <= 65536)
		return 0;
	r = cnet_link_set_gso_max(run->tnl, run->link.ifindex, size, "raise the pair's GSO and GRO sizes");
	return r < 0 ? r : cnet_link_set_gso_max(p->tnl, p->link.ifindex, size, "raise the pair's GSO and GRO sizes");
}

/* Both ends at once: the first in the target (the request comes from its
 * namespace), down until named; the other in the peer's, by its namespace
 * file (VETH_INFO_PEER's IFLA_NET_NS_FD). Their MACs: asked, or on a
 * repair the ones they had. */
static int create(struct run *run)
{
	struct run *p = run->peer;
	unsigned int mtu = run->att->mtu ? run->att->mtu : PAIR_MAX_MTU;
	struct cnet_veth_opts o = {
		.host_name = run->tmp_name, .peer_name = p->tmp_name, .peer_ns_fd = p->t.fd,
		.host_mtu = mtu, .peer_mtu = mtu, .host_mac = cnet_new_mac(run->att),
		.peer_mac = cnet_new_mac(p->att), .down = true,
	};
	struct nl_msg *msg;
	char what[64];
	int r = cnet_link_build_veth(run->ctx, &o, &msg);

	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create veth pair '%s'", run->tmp_name);
	r = cnet_link_create(run->tnl, msg, what, &run->created, run->tnl, run->tmp_name, &run->link);
	if (run->created)
		p->created = true; /* made with it */
	if (r < 0)
		return r;
	r = cnet_link_get(p->tnl, 0, p->tmp_name, &p->link);
	if (r == -ENODEV)
		return cnet_err(run->ctx, r, "the new peer end vanished from %s", p->att->target);
	return r < 0 ? r : big_tcp(run);
}

const struct cnet_kind_ops cnet_kind_pair = {
	.name = "pair",
	.kind = CNET_KIND_PAIR,
	.options = CNET_OPT_PEER,
	.rename = CNET_SET_ALIAS,
	.verify = verify,
	.plan = plan,
	.create = create,
};
