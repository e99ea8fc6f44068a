/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Traffic control requests (qos.c's): a tbf root qdisc, the ingress
 * qdisc, a u32 filter that matches everything and redirects it (mirred)
 * to an ifb device, their removal, and the qdiscs of a link read back.
 * Built by libnl-route; sent by nl.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <netlink/msg.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/classifier.h>
#include <netlink/route/link.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/tbf.h>

#include "tc.h"

/* ffff:, the ingress qdisc's handle (TC_HANDLE(0xffff, 0) shifts an int
 * past its sign) */
#define INGRESS_HANDLE 0xffff0000U

/* A qdisc on ifindex: tbf at the root (rate in bytes/s), or ingress. */
static int qdisc_msg(struct cnet_ctx *ctx, int ifindex, const struct cnet_tbf *tbf, bool add,
		     struct nl_msg **msg)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	int r = -ENOMEM;

	*msg = NULL;
	if (!q)
		goto out;
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	if (tbf) {
		rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
		rtnl_tc_set_handle(TC_CAST(q), TC_HANDLE(1, 0));
		if (rtnl_tc_set_kind(TC_CAST(q), "tbf") < 0)
			goto out;
		if (add) {
			rtnl_qdisc_tbf_set_rate(q, (int)tbf->rate, (int)tbf->burst, 0);
			rtnl_qdisc_tbf_set_limit(q, (int)tbf->limit);
		}
	} else {
		rtnl_tc_set_parent(TC_CAST(q), TC_H_INGRESS);
		rtnl_tc_set_handle(TC_CAST(q), INGRESS_HANDLE);
		if (rtnl_tc_set_kind(TC_CAST(q), "ingress") < 0)
			goto out;
	}
	r = add ? rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_EXCL, msg)
		: rtnl_qdisc_build_delete_request(q, msg);
	r = r < 0 ? -ENOMEM : 0;
out:
	rtnl_qdisc_put(q);
	return r < 0 ? cnet_err(ctx, r, "cannot build the qdisc request") : 0;
}

int cnet_tc_tbf(struct cnet_nl *nl, int ifindex, const struct cnet_tbf *tbf, const char *what)
{
	struct nl_msg *msg;
	int r = qdisc_msg(cnet_nl_ctx(nl), ifindex, tbf, true, &msg);

	return r < 0 ? r : cnet_nl_talk(nl, msg, what);
}

int cnet_tc_ingress(struct cnet_nl *nl, int ifindex, const char *what)
{
	struct nl_msg *msg;
	int r = qdisc_msg(cnet_nl_ctx(nl), ifindex, NULL, true, &msg);

	return r < 0 ? r : cnet_nl_talk(nl, msg, what);
}

int cnet_tc_del(struct cnet_nl *nl, int ifindex, bool root, const char *what)
{
	static const struct cnet_tbf any = {.rate = 0};
	struct nl_msg *msg;
	int r = qdisc_msg(cnet_nl_ctx(nl), ifindex, root ? &any : NULL, false, &msg);

	return r < 0 ? r : cnet_nl_talk(nl, msg, what);
}

/* Everything arriving on ifindex (at its ingress qdisc) goes out of
 * ifb instead: u32 matching all, mirred egress redirect. */
int cnet_tc_redirect(struct cnet_nl *nl, int ifindex, int ifb, const char *what)
{
	struct rtnl_cls *cls = rtnl_cls_alloc();
	struct rtnl_act *act = rtnl_act_alloc();
	struct nl_msg *msg = NULL;
	int r = -ENOMEM;

	if (!cls || !act || rtnl_tc_set_kind(TC_CAST(cls), "u32") < 0 ||
	    rtnl_tc_set_kind(TC_CAST(act), "mirred") < 0)
		goto out;
	rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
	rtnl_tc_set_parent(TC_CAST(cls), INGRESS_HANDLE);
	rtnl_cls_set_protocol(cls, ETH_P_ALL);
	rtnl_cls_set_prio(cls, 1);
	rtnl_mirred_set_action(act, TCA_EGRESS_REDIR);
	rtnl_mirred_set_policy(act, TC_ACT_STOLEN);
	rtnl_mirred_set_ifindex(act, (uint32_t)ifb);
	if (rtnl_u32_add_key_uint32(cls, 0, 0, 0, 0) < 0 || rtnl_u32_set_cls_terminal(cls) < 0 ||
	    rtnl_u32_add_action(cls, act) < 0 || rtnl_cls_build_add_request(cls, NLM_F_CREATE | NLM_F_EXCL, &msg) < 0)
		goto out;
	r = 0;
out:
	rtnl_act_put(act);
	rtnl_cls_put(cls);
	if (r < 0)
		return cnet_err(cnet_nl_ctx(nl), r, "cannot build the filter request");
	return cnet_nl_talk(nl, msg, what);
}

struct qdisc_find {
	int ifindex;
	struct cnet_tc_state *out;
};

static int each_qdisc(const struct nlmsghdr *h, void *arg)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(h);
	struct qdisc_find *f = arg;
	const struct nlattr *a, *o = NULL;
	char kind[16] = "";

	if (h->nlmsg_type != RTM_NEWQDISC || h->nlmsg_len < NLMSG_LENGTH(sizeof(*tcm)) ||
	    tcm->tcm_ifindex != f->ifindex)
		return 0;
	mnl_attr_for_each(a, h, sizeof(*tcm)) {
		if (mnl_attr_get_type(a) == TCA_KIND)
			cnet_attr_str(kind, sizeof(kind), a);
		else if (mnl_attr_get_type(a) == TCA_OPTIONS)
			o = a;
	}
	if (tcm->tcm_parent == TC_H_INGRESS && !strcmp(kind, "ingress"))
		f->out->ingress = true;
	if (tcm->tcm_parent != TC_H_ROOT || strcmp(kind, "tbf") || !o)
		return 0;
	mnl_attr_for_each_nested(a, o) {
		if (mnl_attr_get_type(a) == TCA_TBF_PARMS &&
		    mnl_attr_get_payload_len(a) >= sizeof(struct tc_tbf_qopt)) {
			const struct tc_tbf_qopt *q = mnl_attr_get_payload(a);
			f->out->tbf_rate = q->rate.rate;
		}
	}
	return 0;
}

/* A dump of ifindex's qdiscs or filters (under parent, 0: any), each to cb. */
static int dump(struct cnet_nl *nl, int type, int ifindex, unsigned int parent, cnet_nl_raw_cb cb, void *arg,
		const char *what)
{
	struct tcmsg tcm = {.tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_parent = parent};
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_DUMP);

	if (!msg || nlmsg_append(msg, &tcm, sizeof(tcm), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	return cnet_nl_query_raw(nl, msg, cb, arg, what);
}

int cnet_tc_read(struct cnet_nl *nl, int ifindex, struct cnet_tc_state *out)
{
	struct qdisc_find f = {ifindex, out};

	*out = (struct cnet_tc_state){.ingress = false};
	return dump(nl, RTM_GETQDISC, ifindex, 0, each_qdisc, &f, "read qdiscs");
}

struct redirect_find {
	int ifindex, ifb;
	bool found;
};

/* One action of a u32 filter: a mirred egress redirect to f->ifb? */
static void each_action(const struct nlattr *act, struct redirect_find *f)
{
	const struct nlattr *a, *o = NULL;
	char kind[16] = "";

	mnl_attr_for_each_nested(a, act) {
		if (mnl_attr_get_type(a) == TCA_ACT_KIND)
			cnet_attr_str(kind, sizeof(kind), a);
		else if (mnl_attr_get_type(a) == TCA_ACT_OPTIONS)
			o = a;
	}
	if (strcmp(kind, "mirred") || !o)
		return;
	mnl_attr_for_each_nested(a, o) {
		const struct tc_mirred *m = mnl_attr_get_payload(a);
		if (mnl_attr_get_type(a) == TCA_MIRRED_PARMS && mnl_attr_get_payload_len(a) >= sizeof(*m) &&
		    m->eaction == TCA_EGRESS_REDIR && (int)m->ifindex == f->ifb)
			f->found = true;
	}
}

static int each_filter(const struct nlmsghdr *h, void *arg)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(h);
	struct redirect_find *f = arg;
	const struct nlattr *a, *o = NULL, *b, *c;
	char kind[16] = "";

	if (h->nlmsg_type != RTM_NEWTFILTER || h->nlmsg_len < NLMSG_LENGTH(sizeof(*tcm)) ||
	    tcm->tcm_ifindex != f->ifindex)
		return 0;
	mnl_attr_for_each(a, h, sizeof(*tcm)) {
		if (mnl_attr_get_type(a) == TCA_KIND)
			cnet_attr_str(kind, sizeof(kind), a);
		else if (mnl_attr_get_type(a) == TCA_OPTIONS && mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
			o = a;
	}
	if (strcmp(kind, "u32") || !o)
		return 0;
	mnl_attr_for_each_nested(b, o)
		if (mnl_attr_get_type(b) == TCA_U32_ACT && mnl_attr_validate(b, MNL_TYPE_NESTED) == 0)
			mnl_attr_for_each_nested(c, b)
				if (mnl_attr_validate(c, MNL_TYPE_NESTED) == 0)
					each_action(c, f);
	return 0;
}

int cnet_tc_redirects(struct cnet_nl *nl, int ifindex, int ifb)
{
	struct redirect_find f = {ifindex, ifb, false};
	int r = dump(nl, RTM_GETTFILTER, ifindex, TC_H_MAKE(TC_H_INGRESS, 0), each_filter, &f, "read filters");

	return r < 0 ? r : f.found;
}

int cnet_link_build_ifb(struct cnet_ctx *ctx, const char *name, struct nl_msg **msg)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int r = -ENOMEM;

	*msg = NULL;
	if (l && rtnl_link_set_type(l, "ifb") == 0) {
		rtnl_link_set_name(l, name);
		r = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, msg) < 0 ? -ENOMEM : 0;
	}
	rtnl_link_put(l);
	return r < 0 ? cnet_err(ctx, r, "cannot build the ifb request") : 0;
}
