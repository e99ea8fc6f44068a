/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
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

static int each_obj(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct each_state *es = arg;
	struct nl_addr *local = rtnl_addr_get_local(a);
	struct cnet_ip ip = {0};
	unsigned int len;

	if (es->ifindex && rtnl_addr_get_ifindex(a) != es->ifindex)
		return 0;
	if (!local)
		return 0;
	ip.family = nl_addr_get_family(local);
	len = nl_addr_get_len(local);
	if ((ip.family != AF_INET || len != 4) && (ip.family != AF_INET6 || len != 16))
		return 0;
	memcpy(ip.a, nl_addr_get_binary_addr(local), len);
	ip.plen = (unsigned int)rtnl_addr_get_prefixlen(a);
	return es->cb(rtnl_addr_get_ifindex(a), &ip, rtnl_addr_get_flags(a), es->arg);
}

int cnet_addr_each(struct cnet_nl *nl, int ifindex, cnet_addr_cb cb, void *arg)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_UNSPEC, .ifa_index = (unsigned int)ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
	struct each_state es = {ifindex, cb, arg};

	if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	return cnet_nl_query(nl, msg, each_obj, &es, "list addresses");
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

int cnet_iface_prepare(struct cnet_ctx *ctx, const char *ifname, bool v4, bool v6)
{
	int r = 0;

	/* Announce our addresses the moment the link comes up (gratuitous
	 * ARP) and when IPv6 DAD completes (unsolicited NA), from the kernel
	 * itself: sending them from a packet socket here would cost its
	 * close(), a full RCU grace period of 8-18 ms on these machines.
	 * Containers started without networking often disable IPv6. */
	if (v4)
		r = sysctl_set(ctx, ifname, "ipv4", "arp_notify", '1');
	if (r == 0 && v6)
		r = sysctl_set(ctx, ifname, "ipv6", "disable_ipv6", '0');
	if (r == 0 && v6)
		r = sysctl_set(ctx, ifname, "ipv6", "ndisc_notify", '1');
	return r;
}
