/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>

#include "cnet-internal.h"

int cnet_addr_build(struct cnet_ctx *ctx, int ifindex, const struct cnet_ip *ip, bool nodad,
		    bool add, struct nl_msg **msg)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local;
	int r = -ENOMEM;

	if (!a)
		goto out;
	local = nl_addr_build(ip->family, ip->a, ip->family == AF_INET ? 4 : 16);
	if (!local)
		goto out;
	nl_addr_set_prefixlen(local, (int)ip->plen);
	rtnl_addr_set_ifindex(a, ifindex);
	r = rtnl_addr_set_local(a, local);
	nl_addr_put(local);
	if (r < 0) {
		r = -EINVAL;
		goto out;
	}
	if (nodad && ip->family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	r = add ? rtnl_addr_build_add_request(a, NLM_F_CREATE | NLM_F_EXCL, msg)
		: rtnl_addr_build_delete_request(a, 0, msg);
	r = r < 0 ? -ENOMEM : 0;
out:
	rtnl_addr_put(a);
	return r < 0 ? cnet_err(ctx, r, "cannot build the address request") : 0;
}

/* An address that lives valid seconds (preferred for preferred): added,
 * or its lifetimes replaced. 0xffffffff: forever. */
int cnet_addr_add_lft(struct cnet_nl *nl, int ifindex, const struct cnet_ip *ip, uint32_t valid,
		      uint32_t preferred)
{
	struct cnet_ctx *ctx = cnet_nl_ctx(nl);
	char what[CNET_IPSTRLEN + 32], buf[CNET_IPSTRLEN];
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = NULL;
	struct nl_msg *msg = NULL;
	int r = -ENOMEM;

	if (!a || !(local = nl_addr_build(ip->family, ip->a, ip->family == AF_INET ? 4 : 16)))
		goto out;
	nl_addr_set_prefixlen(local, (int)ip->plen);
	rtnl_addr_set_ifindex(a, ifindex);
	if (rtnl_addr_set_local(a, local) < 0)
		goto out;
	rtnl_addr_set_valid_lifetime(a, valid);
	rtnl_addr_set_preferred_lifetime(a, preferred);
	r = rtnl_addr_build_add_request(a, NLM_F_CREATE | NLM_F_REPLACE, &msg) < 0 ? -ENOMEM : 0;
out:
	nl_addr_put(local);
	rtnl_addr_put(a);
	if (r < 0)
		return cnet_err(ctx, r, "cannot build the address request");
	snprintf(what, sizeof(what), "add address %s", cnet_ip_str(ip, true, buf));
	return cnet_nl_talk(nl, msg, what);
}

int cnet_addr_add(struct cnet_nl *nl, int ifindex, const struct cnet_ip *ip, bool nodad)
{
	char what[CNET_IPSTRLEN + 32], buf[CNET_IPSTRLEN];
	struct nl_msg *msg;
	int r;

	r = cnet_addr_build(cnet_nl_ctx(nl), ifindex, ip, nodad, true, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "add address %s", cnet_ip_str(ip, true, buf));
	return cnet_nl_talk(nl, msg, what);
}

struct each_state {
	int ifindex;
	cnet_addr_cb cb;
	void *arg;
};

/* An address as the kernel sent it: its local address (IFA_LOCAL, which
 * only a point-to-point one has apart from IFA_ADDRESS, its peer). */
static int each_raw(const struct nlmsghdr *h, void *arg)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	const struct nlattr *a, *local = NULL, *address = NULL;
	struct each_state *es = arg;
	unsigned int flags, len;
	struct cnet_ip ip = {0};

	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    (es->ifindex && (int)ifa->ifa_index != es->ifindex))
		return 0;
	flags = ifa->ifa_flags;
	mnl_attr_for_each(a, h, sizeof(*ifa))
	{
		if (mnl_attr_get_type(a) == IFA_LOCAL)
			local = a;
		else if (mnl_attr_get_type(a) == IFA_ADDRESS)
			address = a;
		else if (mnl_attr_get_type(a) == IFA_FLAGS && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			flags = mnl_attr_get_u32(a);
	}
	if (!local)
		local = address;
	if (!local)
		return 0;
	ip.family = ifa->ifa_family;
	len = mnl_attr_get_payload_len(local);
	if ((ip.family != AF_INET || len != 4) && (ip.family != AF_INET6 || len != 16))
		return 0;
	memcpy(ip.a, mnl_attr_get_payload(local), len);
	ip.plen = ifa->ifa_prefixlen;
	return es->cb((int)ifa->ifa_index, &ip, flags, es->arg);
}

int cnet_addr_each(struct cnet_nl *nl, int ifindex, cnet_addr_cb cb, void *arg)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_UNSPEC, .ifa_index = (unsigned int)ifindex};
	struct nl_msg *msg = nlmsg_alloc_size(256);
	struct each_state es = {ifindex, cb, arg};

	if (!msg || !nlmsg_put(msg, 0, 0, RTM_GETADDR, 0, NLM_F_DUMP) ||
	    nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	return cnet_nl_query_raw(nl, msg, each_raw, &es, "list addresses");
}

struct dad_state {
	bool tentative;
	struct cnet_ip failed;
	bool has_failed;
};

static int dad_check(int ifindex, const struct cnet_ip *ip, unsigned int flags, void *arg)
{
	struct dad_state *ds = arg;

	(void)ifindex;
	if (ip->family != AF_INET6 || cnet_ip_is_v6_linklocal(ip))
		return 0;
	if (flags & IFA_F_DADFAILED) {
		ds->failed = *ip;
		ds->has_failed = true;
	} else if (flags & IFA_F_TENTATIVE) {
		ds->tentative = true;
	}
	return 0;
}

int cnet_addr_wait_dad(struct cnet_nl *nl, int ifindex, unsigned int timeout_ms)
{
	struct cnet_ctx *ctx = cnet_nl_ctx(nl);
	uint64_t deadline = cnet_now_ms() + timeout_ms;
	char buf[CNET_IPSTRLEN];

	for (;;) {
		struct dad_state ds = {0};
		int r = cnet_addr_each(nl, ifindex, dad_check, &ds);

		if (r < 0)
			return r;
		if (ds.has_failed)
			return cnet_errc(ctx, CNET_ERR_BUSY, -EADDRINUSE,
					 "duplicate address detection failed for %s: another host uses it",
					 cnet_ip_str(&ds.failed, false, buf));
		if (!ds.tentative)
			return 0;
		if (cnet_now_ms() >= deadline)
			return cnet_err(ctx, -ETIMEDOUT,
					"IPv6 duplicate address detection did not finish within %u ms (--no-dad skips it)",
					timeout_ms);
		/* DAD takes about a second and sends nothing we could wait on
		 * more cheaply than a short poll of our own addresses. */
		cnet_nap_ms(20);
	}
}

static int sysctl_set(struct cnet_ctx *ctx, const char *ifname, const char *family,
		      const char *key, char want)
{
	char path[128], c = 0;
	int fd, r = 0;

	/* /proc/sys/net follows the namespace of the thread opening it. */
	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family, ifname, key);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return cnet_err(ctx, -errno, "cannot set %s on %s: %s", key, ifname,
				errno == ENOENT && !strcmp(family, "ipv6")
					? "IPv6 is not available in this kernel"
					: strerror(errno));
	if (read(fd, &c, 1) != 1 || c != want) {
		char v[2] = {want, '\n'};
		if (pwrite(fd, v, 2, 0) != 2)
			r = cnet_err(ctx, -errno, "cannot set %s on %s: %s", key, ifname, strerror(errno));
	}
	close(fd);
	return r;
}

int cnet_iface_prepare_v6(struct cnet_ctx *ctx, const char *ifname)
{
	/* Announce our addresses when IPv6 DAD completes (unsolicited NA),
	 * from the kernel itself (see cnet_link_arp_notify). Containers
	 * started without networking often disable IPv6. The kernel takes
	 * no IPv6 device setting over netlink: /proc/sys it is. */
	int r = sysctl_set(ctx, ifname, "ipv6", "disable_ipv6", '0');

	return r < 0 ? r : sysctl_set(ctx, ifname, "ipv6", "ndisc_notify", '1');
}

int cnet_link_arp_notify(struct cnet_nl *nl, int ifindex)
{
	/* Announce our addresses the moment the link comes up (gratuitous
	 * ARP), from the kernel itself: sending them from a packet socket
	 * here would cost its close(), a full RCU grace period of 8-18 ms on
	 * these machines. Set over netlink, not /proc/sys: the lookup of
	 * conf/IFNAME there walks every namespace's interface of that name
	 * (a fifth of a repair's time among 10,000 containers). */
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_size(256);
	struct nlattr *spec, *af, *conf;

	if (!msg || !nlmsg_put(msg, 0, 0, RTM_SETLINK, 0, 0) ||
	    nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 || !(spec = nla_nest_start(msg, IFLA_AF_SPEC)) ||
	    !(af = nla_nest_start(msg, AF_INET)) || !(conf = nla_nest_start(msg, IFLA_INET_CONF)) ||
	    nla_put_u32(msg, IPV4_DEVCONF_ARP_NOTIFY, 1) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	nla_nest_end(msg, conf);
	nla_nest_end(msg, af);
	nla_nest_end(msg, spec);
	return cnet_nl_talk(nl, msg, "set arp_notify");
}
