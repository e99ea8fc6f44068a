/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bonds: option values and combinations refused up front, and the
 * RTM_NEWLINK request checked attribute by attribute. No root needed. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include "cnet-internal.h"
#include "unit.h"

static struct cnet_ctx *ctx;

/* Build opts from NAME VALUE pairs; the result of the set calls and check. */
static int opts(struct cnet_bond_opts *o, const char *const *kv)
{
	int r = 0;

	cnet_bond_opts_init(o);
	cnet_clear_err(ctx);
	for (; *kv && r == 0; kv += 2)
		r = cnet_bond_opt_set(ctx, o, kv[0], kv[1]);
	return r < 0 ? r : cnet_bond_opts_check(ctx, o);
}

#define OPTS(...) opts(&o, (const char *const[]){__VA_ARGS__, NULL})
#define SAYS(s) (strstr(cnet_ctx_errmsg(ctx), s) != NULL && cnet_ctx_errclass(ctx) == CNET_ERR_INVALID)

TEST(test_bond_opts_refused, "bond options the kernel would refuse or ignore are usage errors, each saying why")
{
	struct cnet_bond_opts o;

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(OPTS("miimon", "100") == -EINVAL && SAYS("bond needs --mode"));
	CHECK(OPTS("mode", "active-standby") == -EINVAL && SAYS("invalid --mode 'active-standby'"));
	CHECK(OPTS("mode", "active-backup", "miimon", "100", "arp-interval", "100", "arp-ip-target",
		   "10.0.0.1") == -EINVAL && SAYS("exclude each other"));
	CHECK(OPTS("mode", "802.3ad", "arp-interval", "100", "arp-ip-target", "10.0.0.1") == -EINVAL &&
	      SAYS("does not work in 802.3ad mode"));
	CHECK(OPTS("mode", "balance-alb", "arp-interval", "100", "arp-ip-target", "10.0.0.1") == -EINVAL);
	CHECK(OPTS("mode", "active-backup", "arp-interval", "100") == -EINVAL &&
	      SAYS("needs at least one --arp-ip-target"));
	CHECK(OPTS("mode", "active-backup", "arp-ip-target", "10.0.0.1") == -EINVAL &&
	      SAYS("--arp-ip-target needs --arp-interval"));
	CHECK(OPTS("mode", "active-backup", "arp-interval", "100", "arp-ip-target", "fd00::1") == -EINVAL &&
	      SAYS("an IPv4 address"));
	CHECK(OPTS("mode", "active-backup", "arp-interval", "100", "arp-ip-target", "10.0.0.1",
		   "arp-ip-target", "10.0.0.1") == -EINVAL && SAYS("given twice"));
	CHECK(OPTS("mode", "balance-rr", "primary", "eth0") == -EINVAL && SAYS("--primary applies to"));
	CHECK(OPTS("mode", "balance-xor", "fail-over-mac", "active") == -EINVAL);
	CHECK(OPTS("mode", "active-backup", "lacp-rate", "fast") == -EINVAL && SAYS("applies to 802.3ad"));
	CHECK(OPTS("mode", "active-backup", "xmit-hash-policy", "layer3+4") == -EINVAL);
	CHECK(OPTS("mode", "802.3ad", "xmit-hash-policy", "layer9") == -EINVAL &&
	      SAYS("layer2, layer3+4, layer2+3, encap2+3, encap3+4 or vlan+srcmac"));
	CHECK(OPTS("mode", "active-backup", "miimon", "100", "updelay", "250") == -EINVAL &&
	      SAYS("not a multiple of --miimon 100"));
	CHECK(OPTS("mode", "active-backup", "updelay", "200") == -EINVAL && SAYS("need --miimon"));
	CHECK(OPTS("mode", "active-backup", "miimon", "-1") == -EINVAL);
	CHECK(OPTS("mode", "active-backup", "miimon", "60001") == -EINVAL);
	CHECK(OPTS("mode", "active-backup", "arp-validate", "all") == -EINVAL);
	CHECK(OPTS("mode", "active-backup", "frobnicate", "1") == -EINVAL && SAYS("unknown bond option"));
	cnet_ctx_free(ctx);
}

TEST(test_bond_opts_accepted, "sound bond option sets pass")
{
	struct cnet_bond_opts o;

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(OPTS("mode", "active-backup", "miimon", "100", "updelay", "200", "downdelay", "100",
		   "primary", "eth0", "fail-over-mac", "active") == 0);
	CHECK(o.mode == CNET_BOND_ACTIVE_BACKUP && o.miimon == 100 && o.fail_over_mac == 1);
	CHECK(OPTS("mode", "active-backup", "arp-interval", "100", "arp-ip-target", "10.0.0.1",
		   "arp-ip-target", "10.0.0.2", "arp-validate", "all", "arp-all-targets", "all") == 0);
	CHECK(o.n_targets == 2 && o.arp_validate == 3 && o.arp_all_targets == 1);
	CHECK(OPTS("mode", "802.3ad", "miimon", "100", "lacp-rate", "fast", "xmit-hash-policy",
		   "layer3+4", "min-links", "1") == 0);
	CHECK(OPTS("mode", "broadcast") == 0);
	cnet_ctx_free(ctx);
}

static const struct nlattr *find(const void *start, size_t len, int type)
{
	const struct nlattr *attr;

	mnl_attr_for_each_payload(start, len) if (mnl_attr_get_type(attr) == type) return attr;
	return NULL;
}

static const struct nlattr *in(const struct nlattr *a, int type)
{
	return a ? find(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), type) : NULL;
}

static const struct nlattr *top(struct nl_msg *m, int type)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	size_t off = NLMSG_ALIGN(sizeof(struct ifinfomsg));

	return find((char *)mnl_nlmsg_get_payload(h) + off, mnl_nlmsg_get_payload_len(h) - off, type);
}

TEST(test_bond_build_create_and_change, "bond request: created in the target with mode and options; primary set later")
{
	struct cnet_bond_opts o;
	const struct nlattr *data, *t;
	struct nl_msg *m;
	uint32_t a;

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(OPTS("mode", "active-backup", "arp-interval", "100", "arp-ip-target", "10.0.0.1",
		   "arp-ip-target", "10.0.0.2", "arp-validate", "all", "fail-over-mac", "active") == 0);
	CHECK(cnet_link_build_bond(ctx, &o, "cnb", 0, 7, 0, &m) == 0);
	CHECK(nlmsg_hdr(m)->nlmsg_type == RTM_NEWLINK && (nlmsg_hdr(m)->nlmsg_flags & NLM_F_EXCL));
	CHECK(nlmsg_hdr(m)->nlmsg_len == mnl_nlmsg_get_payload_len(nlmsg_hdr(m)) + NLMSG_HDRLEN);
	CHECK(!strcmp(mnl_attr_get_str(top(m, IFLA_IFNAME)), "cnb"));
	CHECK(mnl_attr_get_u32(top(m, IFLA_NET_NS_FD)) == 7);
	CHECK(!strcmp(mnl_attr_get_str(in(top(m, IFLA_LINKINFO), IFLA_INFO_KIND)), "bond"));
	data = in(top(m, IFLA_LINKINFO), IFLA_INFO_DATA);
	CHECK(mnl_attr_get_u8(in(data, IFLA_BOND_MODE)) == 1);
	CHECK(mnl_attr_get_u32(in(data, IFLA_BOND_ARP_INTERVAL)) == 100);
	CHECK(mnl_attr_get_u32(in(data, IFLA_BOND_ARP_VALIDATE)) == 3);
	CHECK(mnl_attr_get_u8(in(data, IFLA_BOND_FAIL_OVER_MAC)) == 1);
	CHECK(!in(data, IFLA_BOND_MIIMON) && !in(data, IFLA_BOND_PRIMARY));
	t = in(data, IFLA_BOND_ARP_IP_TARGET);
	a = mnl_attr_get_u32(in(t, 1));
	CHECK(a == inet_addr("10.0.0.2"));
	nlmsg_free(m);
	/* after enslaving: only the primary, on the existing bond */
	CHECK(cnet_link_build_bond(ctx, &o, NULL, 12, -1, 5, &m) == 0);
	CHECK(!(nlmsg_hdr(m)->nlmsg_flags & NLM_F_CREATE));
	CHECK(((struct ifinfomsg *)mnl_nlmsg_get_payload(nlmsg_hdr(m)))->ifi_index == 12);
	CHECK(!top(m, IFLA_IFNAME));
	data = in(top(m, IFLA_LINKINFO), IFLA_INFO_DATA);
	CHECK(mnl_attr_get_u32(in(data, IFLA_BOND_PRIMARY)) == 5 && !in(data, IFLA_BOND_MODE));
	nlmsg_free(m);
	cnet_ctx_free(ctx);
}
