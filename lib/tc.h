/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Traffic control requests (tc.c) for the bandwidth limits (qos.c). */
#ifndef CNET_TC_H
#define CNET_TC_H

#include "cnet-internal.h"

/* A tbf: rate in bytes/s, burst and queue limit in bytes. */
struct cnet_tbf {
	unsigned int rate, burst, limit;
};
/* A tbf at ifindex's root (handle 1:). */
int cnet_tc_tbf(struct cnet_nl *nl, int ifindex, const struct cnet_tbf *tbf, const char *what);
/* The ingress qdisc of ifindex (ffff:). */
int cnet_tc_ingress(struct cnet_nl *nl, int ifindex, const char *what);
/* Remove ifindex's root qdisc (root) or its ingress qdisc. */
int cnet_tc_del(struct cnet_nl *nl, int ifindex, bool root, const char *what);
/* Everything arriving at ifindex leaves by ifb instead (u32 matching
 * all, mirred egress redirect), on its ingress qdisc. */
int cnet_tc_redirect(struct cnet_nl *nl, int ifindex, int ifb, const char *what);
/* What is on ifindex: its root tbf's rate (0: none), an ingress qdisc. */
struct cnet_tc_state {
	unsigned int tbf_rate;
	bool ingress;
};
int cnet_tc_read(struct cnet_nl *nl, int ifindex, struct cnet_tc_state *out);
/* 1 if ifindex's ingress has a u32 filter that redirects to ifb (mirred
 * egress redirect), 0 if not, < 0. */
int cnet_tc_redirects(struct cnet_nl *nl, int ifindex, int ifb);
/* An ifb device's RTM_NEWLINK, made here. */
int cnet_link_build_ifb(struct cnet_ctx *ctx, const char *name, struct nl_msg **msg);

#endif
