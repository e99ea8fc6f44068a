/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <sys/socket.h>

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

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int cnet_addr_wait_dad(struct cnet_nl *nl, int ifindex, unsigned int timeout_ms)
{
	struct cnet_ctx *ctx = cnet_nl_ctx(nl);
	long long deadline = now_ms() + timeout_ms;
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
		if (now_ms() >= deadline)
			return cnet_err(ctx, -ETIMEDOUT,
					"IPv6 duplicate address detection did not finish within %u ms (--no-dad skips it)",
					timeout_ms);
		/* DAD takes about a second and sends nothing we could wait on
		 * more cheaply than a short poll of our own addresses. */
		nanosleep(&(struct timespec){0, 20 * 1000000}, NULL);
	}
}

int cnet_ipv6_enable(struct cnet_ctx *ctx, const char *ifname)
{
	char path[128], c = 0;
	int fd, r = 0;

	/* Containers started without networking often have IPv6 disabled;
	 * /proc/sys/net follows the namespace of the thread opening it. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return cnet_err(ctx, -errno, "cannot enable IPv6 on %s: %s", ifname,
				errno == ENOENT ? "IPv6 is not available in this kernel" : strerror(errno));
	if (read(fd, &c, 1) == 1 && c == '1') {
		if (pwrite(fd, "0\n", 2, 0) != 2)
			r = cnet_err(ctx, -errno, "cannot enable IPv6 on %s: %s", ifname, strerror(errno));
		else
			cnet_dbg(ctx, "enabled IPv6 on %s", ifname);
	}
	close(fd);
	return r;
}

static int announce_v4(int ifindex, const unsigned char mac[6], const struct cnet_ip *ip)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
		.sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	unsigned char p[28] = {0, 1, 8, 0, 6, 4, 0, 1}; /* Ethernet, IPv4, request */
	int fd, r = 0;

	/* Gratuitous ARP: sender and target are both our address. */
	memcpy(p + 8, mac, 6);
	memcpy(p + 14, ip->a, 4);
	memcpy(p + 24, ip->a, 4);
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int announce_v6(int ifindex, const unsigned char mac[6], const struct cnet_ip *ip)
{
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)ifindex};
	struct sockaddr_in6 from = {.sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)ifindex};
	struct {
		struct nd_neighbor_advert na;
		struct nd_opt_hdr opt;
		unsigned char mac[6];
	} __attribute__((packed)) p;
	int hops = 255, fd, r = 0;

	/* Unsolicited neighbour advertisement to all nodes (RFC 4861 7.2.6);
	 * the kernel fills in the ICMPv6 checksum on raw ICMPv6 sockets. */
	memset(&p, 0, sizeof(p));
	p.na.nd_na_type = ND_NEIGHBOR_ADVERT;
	p.na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE;
	memcpy(&p.na.nd_na_target, ip->a, 16);
	p.opt.nd_opt_type = ND_OPT_TARGET_LINKADDR;
	p.opt.nd_opt_len = 1;
	memcpy(p.mac, mac, 6);
	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	memcpy(&from.sin6_addr, ip->a, 16);
	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
	    bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0 ||
	    sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		r = -errno;
	close(fd);
	return r;
}

int cnet_announce(struct cnet_ctx *ctx, int ifindex, const unsigned char mac[6],
		  const struct cnet_ip *ip)
{
	char buf[CNET_IPSTRLEN];
	int r;

	r = ip->family == AF_INET ? announce_v4(ifindex, mac, ip) : announce_v6(ifindex, mac, ip);
	if (r < 0)
		cnet_dbg(ctx, "announcing %s failed: %s", cnet_ip_str(ip, false, buf), strerror(-r));
	return r;
}
