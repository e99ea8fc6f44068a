/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bandwidth limits (--egress-rate, --ingress-rate and their bursts), as
 * the container sees the directions. A tbf qdisc where its traffic
 * leaves a link; for the other direction that link's ingress qdisc
 * redirects everything (u32, mirred) to an ifb device ifb<ID>, whose
 * own tbf shapes it. Where: a kind whose traffic passes a host link of
 * its own (ops->shape_host: a veth's host end, whose egress is the
 * container's ingress) is shaped there, out of the container's reach;
 * any other on the container's interface, in its namespace, where a
 * container with NET_ADMIN can remove it and reapply puts it back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "kind.h"
#include "tc.h"

#define RATE_MIN 8000ULL	       /* bit/s: 1 kB/s */
#define RATE_MAX 16000000000ULL	       /* bit/s: tbf's rate is 32 bits of bytes/s */
#define BURST_MAX (64UL * 1024 * 1024) /* bytes */

struct unit {
	const char *unit;
	unsigned long long mul;
};

/* "20mbit", "1gbit", "500kbps" (bytes), a bare number of bit/s: tc's. */
static const struct unit rate_units[] = {
	{"", 1},	     {"bit", 1}, {"kbit", 1000},    {"mbit", 1000000},	  {"gbit", 1000000000},
	{"bps", 8}, {"kbps", 8000}, {"mbps", 8000000}, {"gbps", 8000000000ULL}, {NULL, 0},
};
/* "32k", "1m", "1500", "64kb": bytes, k and m of 1024 as tc's. */
static const struct unit size_units[] = {
	{"", 1}, {"b", 1}, {"k", 1024}, {"kb", 1024}, {"m", 1048576}, {"mb", 1048576}, {NULL, 0},
};

/* NUMBER[UNIT], the number times the unit within [min, max]. */
static int parse_units(const char *s, const struct unit *u, unsigned long long min, unsigned long long max,
		       unsigned long long *out)
{
	unsigned long long n;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || n > max)
		return -EINVAL;
	for (; u->unit; u++) {
		if (strcasecmp(end, u->unit))
			continue;
		if (n > max / u->mul || n * u->mul < min)
			return -EINVAL;
		*out = n * u->mul;
		return 0;
	}
	return -EINVAL;
}

/* One direction's limit into q: rate and burst both, or nothing. */
static int set_qos(struct cnet_ctx *ctx, struct cnet_qos *q, int dir, const char *rate, const char *burst)
{
	const char *name = dir == CNET_QOS_EGRESS ? "egress" : "ingress";
	unsigned long long r, b = 0;

	cnet_clear_err(ctx);
	if (parse_units(rate, rate_units, RATE_MIN, RATE_MAX, &r) < 0)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "invalid --%s-rate '%s' (8kbit to 16gbit: NUMBER[bit|kbit|mbit|gbit|bps|kbps|mbps|gbps])",
				 name, rate ? rate : "");
	if (burst && parse_units(burst, size_units, 1600, BURST_MAX, &b) < 0)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "invalid --%s-burst '%s' (1600 bytes to 64m: NUMBER[b|k|kb|m|mb])", name, burst);
	q->rate[dir] = r;
	q->burst[dir] = (unsigned int)b;
	return 0;
}

static int set_dir(struct cnet_attach *att, int dir, const char *rate, const char *burst)
{
	return set_qos(att->ctx, &att->qos, dir, rate, burst);
}

CNET_EXPORT int cnet_attach_set_egress(struct cnet_attach *att, const char *rate, const char *burst)
{
	return set_dir(att, CNET_QOS_EGRESS, rate, burst);
}

CNET_EXPORT int cnet_attach_set_ingress(struct cnet_attach *att, const char *rate, const char *burst)
{
	return set_dir(att, CNET_QOS_INGRESS, rate, burst);
}

static const char *const keys[2][2] = {{"egress_rate", "egress_burst"}, {"ingress_rate", "ingress_burst"}};

void cnet_qos_json(const struct cnet_attach *att, cJSON *o)
{
	for (int d = 0; d < 2; d++) {
		if (!att->qos.rate[d])
			continue;
		cJSON_AddNumberToObject(o, keys[d][0], (double)att->qos.rate[d]);
		if (att->qos.burst[d])
			cJSON_AddNumberToObject(o, keys[d][1], att->qos.burst[d]);
	}
}

static int qos_from_json(struct cnet_ctx *ctx, struct cnet_qos *q, const cJSON *o)
{
	char rate[32], burst[16];
	long long v;
	int r;

	for (int d = 0; d < 2; d++) {
		v = cnet_json_int(o, keys[d][0], (long long)RATE_MIN, (long long)RATE_MAX, 0);
		if (!v)
			continue;
		snprintf(rate, sizeof(rate), "%lld", v);
		v = cnet_json_int(o, keys[d][1], 1600, (long long)BURST_MAX, 0);
		snprintf(burst, sizeof(burst), "%lld", v);
		r = set_qos(ctx, q, d, rate, v ? burst : NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

int cnet_qos_from_json(struct cnet_attach *att, const cJSON *o)
{
	return qos_from_json(att->ctx, &att->qos, o);
}

/* The tbf for a rate: burst as asked, else 10 ms of it (at least 16 KiB),
 * and a queue of 50 ms more. */
static void tbf_of(const struct cnet_qos *q, int dir, struct cnet_tbf *t)
{
	unsigned long long bps = q->rate[dir] / 8;
	unsigned long long burst = q->burst[dir] ? q->burst[dir] : bps / 100;

	if (!q->burst[dir] && burst < 16384)
		burst = 16384; /* the default; an asked burst is as asked */
	t->rate = (unsigned int)bps;
	t->burst = (unsigned int)burst;
	t->limit = (unsigned int)(bps / 20 + burst);
}

bool cnet_qos_wanted(const struct cnet_attach *att)
{
	return att->qos.rate[0] || att->qos.rate[1];
}

/* The link shaped, and through which socket: a kind's host link, else
 * the interface in the container. */
static void where(struct run *run, struct cnet_nl **nl, int *dev, bool *host)
{
	*host = run->ops->shape_host != NULL;
	*nl = *host ? run->hnl : run->tnl;
	*dev = *host ? run->ops->shape_host(run) : run->link.ifindex;
}

void cnet_qos_plan(struct run *run, struct cnet_result *res)
{
	static const char *const names[2] = {"egress", "ingress"};
	char buf[32];

	for (int d = 0; d < 2; d++) {
		if (!run->att->qos.rate[d])
			continue;
		snprintf(buf, sizeof(buf), "%llukbit", run->att->qos.rate[d] / 1000);
		cnet_result_add_action(res, "limit %s's %s to %s (%s)", run->att->ifname, names[d], buf,
				       run->ops->shape_host ? "on the host end" : "in the container");
	}
}

static void ifb_name(const struct run *run, char name[IFNAMSIZ])
{
	snprintf(name, IFNAMSIZ, "ifb%s", run->id);
}

/* The ifb that the redirected direction leaves by, up and marked. */
static int make_ifb(struct run *run, struct cnet_nl *nl)
{
	struct cnet_link_change up = {.ns_fd = -1, .up = 1, .alias = run->alias};
	struct cnet_linkinfo li;
	struct nl_msg *msg;
	int r;

	ifb_name(run, run->qos_ifb);
	r = cnet_link_build_ifb(run->ctx, run->qos_ifb, &msg);

	if (r < 0)
		return r;
	r = cnet_link_create(nl, msg, "create the ifb device", &run->qos_made_ifb, nl, run->qos_ifb, &li);
	if (r < 0)
		return r;
	run->qos_ifb_ifindex = li.ifindex;
	up.ifindex = li.ifindex;
	return cnet_link_change(nl, &up, "bring the ifb device up");
}

int cnet_qos_apply(struct run *run)
{
	const struct cnet_qos *q = &run->att->qos;
	struct cnet_nl *nl;
	struct cnet_tbf t;
	int dev, out, in, r = 0;
	bool host;

	if (!cnet_qos_wanted(run->att))
		return 0;
	where(run, &nl, &dev, &host);
	/* What leaves dev: the container's egress in it, its ingress on the
	 * host end; the other direction arrives at dev. */
	out = host ? CNET_QOS_INGRESS : CNET_QOS_EGRESS;
	in = host ? CNET_QOS_EGRESS : CNET_QOS_INGRESS;
	if (q->rate[out]) {
		tbf_of(q, out, &t);
		r = cnet_tc_tbf(nl, dev, &t, "add the tbf qdisc");
		run->qos_root = r == 0;
	}
	if (r < 0 || !q->rate[in])
		return r;
	r = make_ifb(run, nl);
	if (r == 0) {
		tbf_of(q, in, &t);
		r = cnet_tc_tbf(nl, run->qos_ifb_ifindex, &t, "add the ifb's tbf qdisc");
	}
	if (r == 0) {
		r = cnet_tc_ingress(nl, dev, "add the ingress qdisc");
		run->qos_ingress = r == 0;
	}
	return r < 0 ? r : cnet_tc_redirect(nl, dev, run->qos_ifb_ifindex, "redirect to the ifb device");
}

/* A device lent to the container goes back without them; what cnet made
 * goes. Errors are the rollback's to ignore. */
void cnet_qos_rollback(struct run *run)
{
	struct cnet_nl *nl;
	int dev;
	bool host;

	if (!cnet_qos_wanted(run->att))
		return;
	where(run, &nl, &dev, &host);
	if (run->moved && dev > 0 && run->qos_root)
		cnet_tc_del(nl, dev, true, "remove the tbf qdisc");
	if (run->moved && dev > 0 && run->qos_ingress)
		cnet_tc_del(nl, dev, false, "remove the ingress qdisc");
	if (run->qos_made_ifb && run->qos_ifb_ifindex > 0)
		cnet_link_del(nl, run->qos_ifb_ifindex, "remove the ifb device");
	else if (run->qos_made_ifb)
		cnet_link_del_by_name(nl, run->qos_ifb);
}

/* "qos": {at: host|container, dev_ifindex (host), ifb, ifb_ifindex} */
void cnet_qos_record(struct run *run, cJSON *rec, bool pending)
{
	struct cnet_nl *nl;
	int dev;
	bool host;
	cJSON *o;

	if (!cnet_qos_wanted(run->att))
		return;
	ifb_name(run, run->qos_ifb);
	where(run, &nl, &dev, &host);
	o = cJSON_AddObjectToObject(rec, "qos");
	cJSON_AddStringToObject(o, "at", host ? "host" : "container");
	if (host && !pending && dev > 0)
		cJSON_AddNumberToObject(o, "dev_ifindex", dev);
	if (run->att->qos.rate[run->ops->shape_host ? CNET_QOS_EGRESS : CNET_QOS_INGRESS]) {
		cJSON_AddStringToObject(o, "ifb", run->qos_ifb);
		if (run->qos_ifb_ifindex > 0)
			cJSON_AddNumberToObject(o, "ifb_ifindex", run->qos_ifb_ifindex);
	}
}

/* Detach: the ifb goes (found by name, and marked by this record); a
 * device lent to the container loses the qdiscs before it goes back. */
int cnet_qos_undo(struct cnet_undo *u, const cJSON *rec, bool moves)
{
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(rec, "qos");
	bool host = !strcmp(cnet_json_str(q, "at"), "host");
	struct cnet_nl *nl = host ? u->hnl : u->alive ? u->tnl : NULL;
	const char *ifb = cnet_json_str(q, "ifb");
	struct cnet_linkinfo li;
	char what[48];
	int r;

	if (!cJSON_IsObject(q) || !nl)
		return 0;
	if (!host && moves && u->ifindex > 0) {
		cnet_tc_del(nl, u->ifindex, true, "remove the tbf qdisc");
		cnet_tc_del(nl, u->ifindex, false, "remove the ingress qdisc");
		cnet_clear_err(u->ctx);
	}
	r = *ifb ? cnet_link_get(nl, 0, ifb, &li) : -ENODEV;
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	if (strcmp(li.kind, "ifb") || !(cnet_record_marks(rec, &li) || (cnet_record_pending(rec) && !li.alias[0]))) {
		cnet_result_add_warning(u->res, "'%s' is not the ifb device cnet created; left alone", ifb);
		return 0;
	}
	snprintf(what, sizeof(what), "remove '%s'", ifb);
	return cnet_link_del(nl, li.ifindex, what);
}

/* Reapply: each limit still on its link, at its rate; 1 with a reason
 * if one is gone or changed. */
int cnet_qos_check(struct cnet_nl *hnl, struct cnet_nl *tnl, const cJSON *rec, char *reason, size_t len)
{
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(rec, "qos");
	bool host = !strcmp(cnet_json_str(q, "at"), "host");
	struct cnet_nl *nl = host ? hnl : tnl;
	int dev = (int)cnet_json_int(host ? q : cJSON_GetObjectItemCaseSensitive(rec, "link"),
				     host ? "dev_ifindex" : "ifindex", 1, INT32_MAX, 0);
	struct cnet_qos qos;
	struct cnet_tc_state st, ifb = {0};
	struct cnet_linkinfo li;
	struct cnet_tbf t;
	int out = host ? CNET_QOS_INGRESS : CNET_QOS_EGRESS, in = !out, r;

	if (!cJSON_IsObject(q) || !nl || dev <= 0)
		return 0;
	memset(&qos, 0, sizeof(qos));
	if (qos_from_json(cnet_nl_ctx(nl), &qos, cJSON_GetObjectItemCaseSensitive(rec, "options")) < 0) {
		cnet_clear_err(cnet_nl_ctx(nl));
		return 0; /* what cannot be read cannot be put back either */
	}
	r = cnet_tc_read(nl, dev, &st);
	if (r < 0)
		return r;
	tbf_of(&qos, out, &t);
	if (qos.rate[out] && st.tbf_rate != t.rate) {
		snprintf(reason, len, "its %s limit is gone or changed", out == CNET_QOS_EGRESS ? "egress" : "ingress");
		return 1;
	}
	if (!qos.rate[in])
		return 0;
	r = cnet_link_get(nl, 0, cnet_json_str(q, "ifb"), &li);
	if (r == 0)
		r = cnet_tc_read(nl, li.ifindex, &ifb);
	if (r < 0 && r != -ENODEV)
		return r;
	tbf_of(&qos, in, &t);
	if (r == 0 && st.ingress && ifb.tbf_rate == t.rate)
		r = cnet_tc_redirects(nl, dev, li.ifindex);
	if (r < 0 && r != -ENODEV)
		return r;
	if (r == -ENODEV || r == 0 || !st.ingress || ifb.tbf_rate != t.rate) {
		snprintf(reason, len, "its %s limit is gone or changed", in == CNET_QOS_EGRESS ? "egress" : "ingress");
		return 1;
	}
	return 0;
}
