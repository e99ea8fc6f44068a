/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bonds: the option model (sysfs names and values, checked together, the
 * way the kernel would refuse them but before anything exists) and the
 * RTM_NEWLINK requests. libnl 3.7 has no API for most IFLA_BOND_*
 * attributes, so the request is written with libmnl (nlbuild.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include "nlbuild.h"

static const char *const modes[] = {"balance-rr", "active-backup", "balance-xor", "broadcast",
				    "802.3ad",	  "balance-tlb",   "balance-alb"};
static const char *const arp_validates[] = {"none",   "active",	"backup",	 "all",
					    "filter", "filter_active", "filter_backup"};
static const char *const fail_over_macs[] = {"none", "active", "follow"};
static const char *const hash_policies[] = {"layer2",	"layer3+4", "layer2+3",
					    "encap2+3", "encap3+4", "vlan+srcmac"};
static const char *const lacp_rates[] = {"slow", "fast"};
static const char *const all_targets[] = {"any", "all"};

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

int cnet_bond_mode_from_string(const char *s)
{
	return lookup(modes, ARRAY_SIZE(modes), s);
}

const char *cnet_bond_mode_to_string(int mode)
{
	return mode >= 0 && (size_t)mode < ARRAY_SIZE(modes) ? modes[mode] : "?";
}

void cnet_bond_opts_init(struct cnet_bond_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = -1;
}

static int ms(struct cnet_ctx *ctx, const char *name, const char *v, unsigned int *out)
{
	unsigned long n;

	if (cnet_parse_uint(v, 60000, &n) < 0)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "invalid --%s '%s' (milliseconds, 0-60000)", name, v);
	*out = (unsigned int)n;
	return 0;
}

static int one_of(struct cnet_ctx *ctx, const char *name, const char *v, const char *const *names,
		  size_t n, int *out)
{
	char list[128] = "";
	int i = lookup(names, n, v);

	if (i >= 0) {
		*out = i;
		return 0;
	}
	for (size_t k = 0; k < n; k++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 k ? (k + 1 == n ? " or " : ", ") : "", names[k]);
	return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid --%s '%s' (%s)", name, v, list);
}

int cnet_bond_opt_set(struct cnet_ctx *ctx, struct cnet_bond_opts *o, const char *name,
		      const char *v)
{
	unsigned long n;
	int i = 0, r;

	if (!name || !v)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "empty bond option");
	if (!strcmp(name, "mode")) {
		r = one_of(ctx, name, v, modes, ARRAY_SIZE(modes), &o->mode);
	} else if (!strcmp(name, "miimon")) {
		r = ms(ctx, name, v, &o->miimon);
		o->set |= CNET_BOND_MIIMON;
	} else if (!strcmp(name, "updelay")) {
		r = ms(ctx, name, v, &o->updelay);
		o->set |= CNET_BOND_UPDELAY;
	} else if (!strcmp(name, "downdelay")) {
		r = ms(ctx, name, v, &o->downdelay);
		o->set |= CNET_BOND_DOWNDELAY;
	} else if (!strcmp(name, "arp-interval")) {
		r = ms(ctx, name, v, &o->arp_interval);
		o->set |= CNET_BOND_ARP_INTERVAL;
	} else if (!strcmp(name, "arp-ip-target")) {
		struct cnet_ip ip;
		if (cnet_parse_ip(v, false, &ip) < 0 || ip.family != AF_INET)
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
					 "invalid --arp-ip-target '%s' (an IPv4 address)", v);
		if (o->n_targets == ARRAY_SIZE(o->targets))
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
					 "too many --arp-ip-target (at most %zu)", ARRAY_SIZE(o->targets));
		for (size_t k = 0; k < o->n_targets; k++)
			if (!memcmp(o->targets[k], ip.a, 4))
				return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
						 "--arp-ip-target '%s' given twice", v);
		memcpy(o->targets[o->n_targets++], ip.a, 4);
		r = 0;
	} else if (!strcmp(name, "arp-validate")) {
		r = one_of(ctx, name, v, arp_validates, ARRAY_SIZE(arp_validates), &i);
		o->arp_validate = i;
		o->set |= CNET_BOND_ARP_VALIDATE;
	} else if (!strcmp(name, "arp-all-targets")) {
		r = one_of(ctx, name, v, all_targets, ARRAY_SIZE(all_targets), &i);
		o->arp_all_targets = i;
		o->set |= CNET_BOND_ARP_ALL_TARGETS;
	} else if (!strcmp(name, "fail-over-mac")) {
		r = one_of(ctx, name, v, fail_over_macs, ARRAY_SIZE(fail_over_macs), &i);
		o->fail_over_mac = i;
		o->set |= CNET_BOND_FAIL_OVER_MAC;
	} else if (!strcmp(name, "xmit-hash-policy")) {
		r = one_of(ctx, name, v, hash_policies, ARRAY_SIZE(hash_policies), &i);
		o->xmit_hash_policy = i;
		o->set |= CNET_BOND_XMIT_HASH_POLICY;
	} else if (!strcmp(name, "lacp-rate")) {
		r = one_of(ctx, name, v, lacp_rates, ARRAY_SIZE(lacp_rates), &i);
		o->lacp_rate = i;
		o->set |= CNET_BOND_LACP_RATE;
	} else if (!strcmp(name, "min-links")) {
		if (cnet_parse_uint(v, 1024, &n) < 0)
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid --min-links '%s' (0-1024)", v);
		o->min_links = (unsigned int)n;
		o->set |= CNET_BOND_MIN_LINKS;
		r = 0;
	} else if (!strcmp(name, "primary")) {
		if (cnet_check_ifname(ctx, v) < 0)
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid --primary '%s'", v);
		snprintf(o->primary, sizeof(o->primary), "%s", v);
		r = 0;
	} else {
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown bond option '%s'", name);
	}
	return r;
}

/* What the kernel would refuse, or silently ignore, refused up front. */
int cnet_bond_opts_check(struct cnet_ctx *ctx, const struct cnet_bond_opts *o)
{
	bool arp = (o->set & CNET_BOND_ARP_INTERVAL) && o->arp_interval;
	bool mii = (o->set & CNET_BOND_MIIMON) && o->miimon;
	int m = o->mode;

#define BAD(...) cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, __VA_ARGS__)
	if (m < 0)
		return BAD("bond needs --mode (active-backup, balance-rr, balance-xor, broadcast, 802.3ad, balance-tlb or balance-alb)");
	if (arp && mii)
		return BAD("ARP monitoring and miimon exclude each other: give one of --arp-interval and --miimon");
	if (arp && (m == CNET_BOND_8023AD || m == CNET_BOND_TLB || m == CNET_BOND_ALB))
		return BAD("ARP monitoring does not work in %s mode; use --miimon", modes[m]);
	if (arp && !o->n_targets)
		return BAD("--arp-interval needs at least one --arp-ip-target");
	if (!arp && o->n_targets)
		return BAD("--arp-ip-target needs --arp-interval");
	if (!arp && (o->set & (CNET_BOND_ARP_VALIDATE | CNET_BOND_ARP_ALL_TARGETS)))
		return BAD("--arp-validate and --arp-all-targets need --arp-interval");
	if ((o->set & (CNET_BOND_UPDELAY | CNET_BOND_DOWNDELAY)) && !mii)
		return BAD("--updelay and --downdelay need --miimon");
	if (o->primary[0] && m != CNET_BOND_ACTIVE_BACKUP && m != CNET_BOND_TLB && m != CNET_BOND_ALB)
		return BAD("--primary applies to active-backup, balance-tlb and balance-alb, not %s",
			   modes[m]);
	if ((o->set & CNET_BOND_FAIL_OVER_MAC) && m != CNET_BOND_ACTIVE_BACKUP)
		return BAD("--fail-over-mac applies to active-backup, not %s", modes[m]);
	if ((o->set & CNET_BOND_LACP_RATE) && m != CNET_BOND_8023AD)
		return BAD("--lacp-rate applies to 802.3ad, not %s", modes[m]);
	if ((o->set & CNET_BOND_XMIT_HASH_POLICY) && m != CNET_BOND_XOR && m != CNET_BOND_8023AD &&
	    m != CNET_BOND_TLB && m != CNET_BOND_ALB)
		return BAD("--xmit-hash-policy applies to balance-xor, 802.3ad, balance-tlb and balance-alb, not %s",
			   modes[m]);
	if (o->updelay && o->miimon && o->updelay % o->miimon)
		return BAD("--updelay %u is not a multiple of --miimon %u", o->updelay, o->miimon);
	if (o->downdelay && o->miimon && o->downdelay % o->miimon)
		return BAD("--downdelay %u is not a multiple of --miimon %u", o->downdelay, o->miimon);
#undef BAD
	return 0;
}

/* IFLA_BOND_ARP_IP_TARGET: a nest of the targets, by index. */
static void put_targets(struct cnet_mnl *m, const struct cnet_bond_opts *o)
{
	struct nlattr *targets = cnet_mnl_nest(m, IFLA_BOND_ARP_IP_TARGET);

	for (size_t i = 0; m->ok && i < o->n_targets; i++) {
		uint32_t a;
		memcpy(&a, o->targets[i], 4); /* network order, as the kernel wants */
		CNET_MNL_PUT(m, mnl_attr_put_u32_check, (uint16_t)i, a);
	}
	cnet_mnl_nest_end(m, targets);
}

/* The options a new bond is made with, each when set. */
static void put_options(struct cnet_mnl *m, const struct cnet_bond_opts *o)
{
	CNET_MNL_PUT(m, mnl_attr_put_u8_check, IFLA_BOND_MODE, (uint8_t)o->mode);
	if (o->set & CNET_BOND_MIIMON)
		CNET_MNL_PUT(m, mnl_attr_put_u32_check, IFLA_BOND_MIIMON, o->miimon);
	if (o->set & CNET_BOND_UPDELAY)
		CNET_MNL_PUT(m, mnl_attr_put_u32_check, IFLA_BOND_UPDELAY, o->updelay);
	if (o->set & CNET_BOND_DOWNDELAY)
		CNET_MNL_PUT(m, mnl_attr_put_u32_check, IFLA_BOND_DOWNDELAY, o->downdelay);
	if (o->set & CNET_BOND_ARP_INTERVAL)
		CNET_MNL_PUT(m, mnl_attr_put_u32_check, IFLA_BOND_ARP_INTERVAL, o->arp_interval);
	if (o->n_targets)
		put_targets(m, o);
	if (o->set & CNET_BOND_ARP_VALIDATE)
		CNET_MNL_PUT(m, mnl_attr_put_u32_check, IFLA_BOND_ARP_VALIDATE, (uint32_t)o->arp_validate);
	if (o->set & CNET_BOND_ARP_ALL_TARGETS)
		CNET_MNL_PUT(m, mnl_attr_put_u32_check, IFLA_BOND_ARP_ALL_TARGETS, (uint32_t)o->arp_all_targets);
	if (o->set & CNET_BOND_FAIL_OVER_MAC)
		CNET_MNL_PUT(m, mnl_attr_put_u8_check, IFLA_BOND_FAIL_OVER_MAC, (uint8_t)o->fail_over_mac);
	if (o->set & CNET_BOND_XMIT_HASH_POLICY)
		CNET_MNL_PUT(m, mnl_attr_put_u8_check, IFLA_BOND_XMIT_HASH_POLICY, (uint8_t)o->xmit_hash_policy);
	if (o->set & CNET_BOND_LACP_RATE)
		CNET_MNL_PUT(m, mnl_attr_put_u8_check, IFLA_BOND_AD_LACP_RATE, (uint8_t)o->lacp_rate);
	if (o->set & CNET_BOND_MIN_LINKS)
		CNET_MNL_PUT(m, mnl_attr_put_u32_check, IFLA_BOND_MIN_LINKS, o->min_links);
}

/* The bond's RTM_NEWLINK: created (ifindex 0: in ns_fd, down) with its
 * mode and options, or changed (ifindex > 0: options that need slaves,
 * such as primary_ifindex, and ARP monitoring if o has it). */
int cnet_link_build_bond(struct cnet_ctx *ctx, const struct cnet_bond_opts *o, const char *name,
			 int ifindex, int ns_fd, int primary_ifindex, struct nl_msg **out)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nlattr *info, *data;
	struct cnet_mnl m;

	cnet_mnl_start(&m, RTM_NEWLINK, ifindex ? 0 : NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	if (!ifindex) {
		CNET_MNL_PUT(&m, mnl_attr_put_strz_check, IFLA_IFNAME, name);
		if (ns_fd >= 0)
			CNET_MNL_PUT(&m, mnl_attr_put_u32_check, IFLA_NET_NS_FD, (uint32_t)ns_fd);
	}
	info = cnet_mnl_nest(&m, IFLA_LINKINFO);
	CNET_MNL_PUT(&m, mnl_attr_put_strz_check, IFLA_INFO_KIND, "bond");
	data = cnet_mnl_nest(&m, IFLA_INFO_DATA);
	if (!ifindex) {
		put_options(&m, o);
	} else {
		if (primary_ifindex > 0)
			CNET_MNL_PUT(&m, mnl_attr_put_u32_check, IFLA_BOND_PRIMARY, (uint32_t)primary_ifindex);
		/* ARP monitoring set later (of a router DHCP named): the
		 * kernel turns miimon off as it turns this on. */
		if (o->set & CNET_BOND_ARP_INTERVAL) {
			CNET_MNL_PUT(&m, mnl_attr_put_u32_check, IFLA_BOND_ARP_INTERVAL, o->arp_interval);
			put_targets(&m, o);
		}
	}
	cnet_mnl_nest_end(&m, data);
	cnet_mnl_nest_end(&m, info);
	return cnet_mnl_end(ctx, &m, "bond", out);
}
