/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One end of an attachment, once it is in its namespace: what is refused
 * before anything is touched (its name taken, an address in use), the
 * plan's lines for it, and its configuration: addresses while it is down
 * under its temporary name, then named, marked and up in one request,
 * DHCP, routes, default routes and rules. The engine (attach.c) runs it
 * for the interface in the target and, for a kind with a peer end, for
 * that end in the peer's namespace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "attach.h"

#define DAD_TIMEOUT_MS 5000
/* How long a repair waits for its MAC to be given up by the old link of a
 * namespace being dismantled (see name_and_up). */
#define CNET_MAC_FREED_MS 10000

/* ---- preflight: everything that can be refused is refused here -------- */

struct addr_clash {
	const struct cnet_attach *att;
	struct cnet_ip hit;
	bool found;
};

static int find_clash(int ifindex, const struct cnet_ip *ip, unsigned int flags, void *arg)
{
	struct addr_clash *c = arg;

	(void)ifindex;
	(void)flags;
	for (size_t i = 0; i < c->att->n_ips; i++)
		if (c->att->ips[i].family == ip->family && !memcmp(c->att->ips[i].a, ip->a, 16)) {
			c->hit = *ip;
			c->found = true;
		}
	return 0;
}

int cnet_run_preflight_l3(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_linkinfo li;
	struct addr_clash clash = {.att = att};
	char buf[CNET_IPSTRLEN];
	int r;

	r = cnet_link_get(run->tnl, 0, att->ifname, &li);
	if (r == 0)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST, "interface '%s' already exists in %s",
				 att->ifname, att->target);
	if (r != -ENODEV)
		return r;
	/* The default routes --gw will replace, kept whole now, so that the
	 * pending record holds them before any is removed. */
	if ((att->has_gw4 || (att->dhcp && !(att->flags & CNET_ATTACH_NO_GW))) &&
	    (r = cnet_routes_save(run->tnl, AF_INET, 0, &run->replace)) < 0)
		return r;
	if (att->has_gw6 && (r = cnet_routes_save(run->tnl, AF_INET6, 0, &run->replace)) < 0)
		return r;
	if (att->n_ips) {
		r = cnet_addr_each(run->tnl, 0, find_clash, &clash);
		if (r < 0)
			return r;
		if (clash.found)
			return cnet_errc(run->ctx, CNET_ERR_BUSY, -EADDRINUSE,
					 "address %s is already in use in %s", cnet_ip_str(&clash.hit, false, buf),
					 att->target);
	}
	return 0;
}

/* ---- plan: the human-readable steps, for dry runs and results --------- */

void cnet_run_plan_l3(struct run *run, struct cnet_result *res)
{
	struct cnet_attach *att = run->att;
	char buf[CNET_IPSTRLEN * 2 + 2], where[IFNAMSIZ + 300];
	const char *l3 = att->l3_ifname[0] ? att->l3_ifname : att->ifname;

	/* a peer end's lines say where it is */
	if (run->peer_of) {
		snprintf(where, sizeof(where), "%s in %s", l3, att->target);
		l3 = where;
	}
	cnet_qos_plan(run, res);
	if (att->mtu)
		cnet_result_add_action(res, "set MTU %u on %s", att->mtu, att->ifname);
	if (att->has_mac) {
		cnet_mac_str(att->mac, buf);
		cnet_result_add_action(res, "set MAC %s on %s", buf, att->ifname);
	}
	if (att->dhcp)
		cnet_result_add_action(res, "get an IPv4 lease by DHCP on %s (waiting up to %.1f s)%s", l3,
				       att->dhcp_timeout_ms / 1000.0,
				       att->flags & CNET_ATTACH_NO_GW ? "" : ", its router the default route");
	for (size_t i = 0; i < att->n_ips; i++)
		cnet_result_add_action(res, "add address %s to %s", cnet_ip_str(&att->ips[i], true, buf),
				       l3);
	for (size_t i = 0; i < att->n_routes; i++) {
		const struct cnet_route *rt = &att->routes[i];
		cnet_ip_str(&rt->dst, true, buf);
		if (rt->has_via) {
			strcat(buf, " via ");
			cnet_ip_str(&rt->via, false, buf + strlen(buf));
		}
		cnet_result_add_action(res, "add route %s dev %s", buf, l3);
	}
	if (att->has_gw4)
		cnet_result_add_action(res, "set the IPv4 default route via %s dev %s",
				       cnet_ip_str(&att->gw4, false, buf), l3);
	if (att->has_gw6)
		cnet_result_add_action(res, "set the IPv6 default route via %s dev %s",
				       cnet_ip_str(&att->gw6, false, buf), l3);
}


static int prepare_v6(struct cnet_ctx *ctx, void *arg)
{
	return cnet_iface_prepare_v6(ctx, arg);
}

static int set_default(struct run *run, const struct cnet_ip *gw, int oif)
{
	struct cnet_rt rt = {.family = gw->family, .has_gw = true, .gw = *gw};
	char what[CNET_IPSTRLEN + 48], buf[CNET_IPSTRLEN];
	int r;

	/* "Replace" means the container ends with exactly one default route of
	 * this family, ours. The ones to remove were saved whole before
	 * anything changed (they are in the pending record); those removed
	 * are what rollback puts back. */
	/* (each copy is kept in run->saved, freed with it) */
	for (size_t i = 0; i < run->replace.n; i++) { /* NOLINT(clang-analyzer-unix.Malloc) */
		const struct nlmsghdr *h = run->replace.msg[i];
		struct nlmsghdr *copy;
		if (((const struct rtmsg *)NLMSG_DATA(h))->rtm_family != gw->family)
			continue;
		r = cnet_route_replay(run->tnl, h, false, 0, 0, "remove the old default route");
		if (r < 0)
			return r;
		copy = malloc(h->nlmsg_len);
		if (!copy)
			return cnet_err(run->ctx, -ENOMEM, "out of memory");
		memcpy(copy, h, h->nlmsg_len);
		run->saved.msg[run->saved.n++] = copy;
	}
	rt.dst.family = gw->family;
	rt.oif = oif;
	snprintf(what, sizeof(what), "add default route via %s", cnet_ip_str(gw, false, buf));
	return cnet_route_add(run->tnl, &rt, what);
}

/* --ip dhcp: a lease for the interface l3 (up, named), its address
 * installed with the lease's lifetime: if nothing renews it, the kernel
 * drops it when the lease ends instead of keeping an address the server
 * may give to another. */
static int dhcp_bind(struct run *run, int l3)
{
	struct cnet_attach *att = run->att;
	struct cnet_dhcp_client c = {.ctx = run->ctx, .ns_fd = run->t.fd, .hostname = att->hostname,
				     .timeout_ms = att->dhcp_timeout_ms};
	struct cnet_linkinfo li;
	int r;

	r = cnet_link_get(run->tnl, l3, NULL, &li);
	if (r < 0)
		return r;
	snprintf(c.ifname, sizeof(c.ifname), "%s", li.name);
	memcpy(c.mac, li.mac, 6);
	if (!att->dhcp_id.client_id_len)
		cnet_dhcp_client_id(att->dhcp_id.client_id, &att->dhcp_id.client_id_len);
	c.client_id = att->dhcp_id.client_id;
	c.client_id_len = att->dhcp_id.client_id_len;
	r = cnet_dhcp_acquire(&c, att->dhcp_id.prev, &run->lease);
	if (r < 0)
		return r;
	run->leased = true;
	r = cnet_lease_install(run->tnl, l3, &run->lease);
	if (r == 0 && att->resolv_conf[0])
		r = cnet_lease_write_resolv(run->ctx, &run->t, att->resolv_conf, li.name, &run->lease);
	return r;
}

/* --no-dad: asked of the attachment (a peer end's, of the one it is the
 * peer of). */
static bool no_dad(const struct run *run)
{
	const struct cnet_attach *att = run->peer_of ? run->peer_of->att : run->att;

	return att->flags & CNET_ATTACH_NO_DAD;
}

/* Addresses go on while the link is still down under its temporary
 * name, so that bringing it up makes the kernel announce them
 * (arp_notify); the sysctls follow the device through the rename. */
static int add_addresses(struct run *run, int l3, const char *tmp_name, bool *v6)
{
	struct cnet_attach *att = run->att;
	bool v4 = att->dhcp;
	int r;

	*v6 = false;
	for (size_t i = 0; i < att->n_ips; i++) {
		v4 |= att->ips[i].family == AF_INET;
		*v6 |= att->ips[i].family == AF_INET6;
	}
	if (v4 && (r = cnet_link_arp_notify(run->tnl, l3)) < 0)
		return r;
	if (*v6 && (r = cnet_in_netns(run->ctx, run->t.fd, prepare_v6, (void *)tmp_name)) < 0)
		return r;
	for (size_t i = 0; i < att->n_ips; i++) {
		r = cnet_addr_add(run->tnl, l3, &att->ips[i], no_dad(run));
		if (r < 0)
			return r;
	}
	return 0;
}

/* c again each time the host's links change (the parent losing an
 * upper link: the old one gone) and at least every 250 ms, until it is
 * not EADDRINUSE, for up to CNET_MAC_FREED_MS. */
static int retry_mac_freed(struct run *run, const struct cnet_link_change *c, const char *what)
{
	uint64_t deadline = cnet_now_ms() + CNET_MAC_FREED_MS, now;
	int fd = -1, r;

	cnet_clear_err(run->ctx);
	if (cnet_nl_link_watch(run->ctx, &fd) < 0)
		cnet_clear_err(run->ctx); /* by the clock alone */
	/* listening first, then tried: no change is missed in between */
	while ((r = cnet_link_change(run->tnl, c, what)) == -EADDRINUSE && (now = cnet_now_ms()) < deadline) {
		cnet_clear_err(run->ctx);
		cnet_nl_link_wait(fd, (unsigned int)(deadline - now < 250 ? deadline - now : 250));
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* One request names the link, marks it and brings it up (a child stays
 * down); what else it sets is the kind's to say (moved devices take MTU
 * and MAC here; created ones had them at birth; the kernel ignores
 * IFLA_IFALIAS on create). A link of its own that carries the addresses
 * (setup_l3) takes only the mark. */
static int name_and_up(struct run *run, int l3, const char *l3_name)
{
	struct cnet_attach *att = run->att;
	unsigned int sets = run->l3.ifindex > 0 ? CNET_SET_ALIAS : run->ops->rename;
	struct cnet_link_change c = {.ifindex = l3, .name = l3_name, .ns_fd = -1,
				     .up = att->as_child ? -1 : 1};
	char what[320];
	int r;

	if (sets & CNET_SET_MTU)
		c.mtu = att->mtu;
	if ((sets & CNET_SET_MAC) && att->has_mac)
		c.mac = att->mac;
	if (sets & CNET_SET_ALIAS)
		c.alias = run->alias;
	snprintf(what, sizeof(what), "name '%s' and bring it up in %s", l3_name, att->target);
	r = cnet_link_change(run->tnl, &c, what);
	/* A repair gives the link the MAC its record has (kept, or asked
	 * with --mac). Until the kernel has dismantled the old namespace
	 * (seconds on a busy host; as long as something holds it), the old
	 * link holds that MAC on the same parent (EADDRINUSE): wait for it
	 * to go rather than fail the repair. */
	if (r == -EADDRINUSE && att->has_mac_hint && (!att->has_mac || !memcmp(att->mac, att->mac_hint, 6)))
		r = retry_mac_freed(run, &c, what);
	if (r < 0)
		return r;
	if (run->l3.ifindex > 0) {
		snprintf(run->l3.name, sizeof(run->l3.name), "%s", l3_name);
		return 0;
	}
	snprintf(run->link.name, sizeof(run->link.name), "%s", att->ifname);
	if (c.mtu)
		run->link.mtu = c.mtu;
	if (c.mac)
		memcpy(run->link.mac, c.mac, 6);
	return 0;
}

/* DHCP once the link is up: its lease, then routes as for a static
 * address, then the default routes (--gw, or the server's router). */
static int routes(struct run *run, int l3)
{
	struct cnet_attach *att = run->att;
	char what[CNET_IPSTRLEN + 16], buf[CNET_IPSTRLEN];
	int r;

	if (att->dhcp) {
		r = dhcp_bind(run, l3);
		if (r == 0 && run->ops->post_lease)
			r = run->ops->post_lease(run);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < att->n_routes; i++) {
		const struct cnet_route *sp = &att->routes[i];
		struct cnet_rt rt = {.family = sp->dst.family, .dst = sp->dst, .has_gw = sp->has_via,
				     .gw = sp->via, .oif = l3, .metric = sp->metric, .table = sp->table};
		snprintf(what, sizeof(what), "add route %s", cnet_ip_str(&sp->dst, true, buf));
		r = cnet_route_add(run->tnl, &rt, what);
		if (r < 0)
			return r;
	}
	if (att->has_gw4 && (r = set_default(run, &att->gw4, l3)) < 0)
		return r;
	if (run->leased && run->lease.has_router && !(att->flags & CNET_ATTACH_NO_GW)) {
		struct cnet_ip gw = {.family = AF_INET};
		memcpy(gw.a, &run->lease.router, 4);
		r = set_default(run, &gw, l3);
		if (r < 0)
			return r;
	}
	if (att->has_gw6 && (r = set_default(run, &att->gw6, l3)) < 0)
		return r;
	for (size_t i = 0; i < att->n_rules; i++) {
		r = cnet_rule_add(run->tnl, &att->rules[i]);
		if (r < 0)
			return r;
		run->rules_added |= (unsigned int)r << i;
	}
	return 0;
}

int cnet_run_configure(struct run *run)
{
	struct cnet_attach *att = run->att;
	const char *l3_name = att->ifname;
	int l3 = run->link.ifindex; /* where addresses and routes go */
	bool v6;
	int r;

	if (run->ops->setup_l3) {
		r = run->ops->setup_l3(run);
		if (r < 0)
			return r;
	}
	if (run->l3.ifindex > 0) {
		l3 = run->l3.ifindex;
		l3_name = att->l3_ifname;
	}
	r = add_addresses(run, l3, run->l3.ifindex > 0 ? run->l3_tmp : run->tmp_name, &v6);
	if (r == 0)
		r = name_and_up(run, l3, l3_name);
	if (r == 0 && run->ops->post_up)
		r = run->ops->post_up(run);
	if (r == 0)
		r = cnet_qos_apply(run);
	if (r == 0)
		r = routes(run, l3);
	if (r < 0 || !v6 || no_dad(run))
		return r;
	run->dad_l3 = l3;
	return run->defer_dad ? 0 : cnet_run_wait_dad(run);
}

int cnet_run_wait_dad(struct run *run)
{
	const char *l3_name = run->l3.ifindex > 0 ? run->att->l3_ifname : run->att->ifname;
	struct cnet_linkinfo now;
	int r;

	if (run->dad_l3 <= 0)
		return 0;
	/* DAD needs carrier; without it the addresses stay tentative. Read into
	 * a copy: run->link must survive a failure here for rollback. */
	r = cnet_link_get(run->tnl, run->dad_l3, NULL, &now);
	if (r < 0)
		return cnet_err(run->ctx, r, "cannot read back '%s' in %s", l3_name, run->att->target);
	if (!(now.flags & IFF_LOWER_UP)) {
		cnet_result_add_warning(run->res,
					"%s has no carrier: IPv6 addresses stay tentative until it does",
					l3_name);
		return 0;
	}
	return cnet_addr_wait_dad(run->tnl, run->dad_l3, DAD_TIMEOUT_MS);
}

/* A lease got by an attach that then failed goes back to the server. */
void cnet_run_lease_give_back(struct run *run)
{
	struct cnet_dhcp_client c = {.ctx = run->ctx, .ns_fd = run->t.fd};
	struct cnet_linkinfo li;
	int l3 = run->l3.ifindex > 0 ? run->l3.ifindex : run->link.ifindex;

	if (cnet_link_get(run->tnl, l3, NULL, &li) < 0)
		return;
	snprintf(c.ifname, sizeof(c.ifname), "%s", li.name);
	memcpy(c.mac, li.mac, 6);
	c.client_id = run->att->dhcp_id.client_id;
	c.client_id_len = run->att->dhcp_id.client_id_len;
	cnet_dhcp_release(&c, &run->lease);
}
