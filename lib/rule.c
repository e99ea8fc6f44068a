/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Policy routing rules kept with an attachment (--rule; pipework's "rule"):
 * added in the container's namespace after the attachment's routes,
 * taken away by its detach, checked by reapply. libnl-route's rule API
 * wants a cache; the three requests are written with libmnl (nlbuild.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include "kind.h"
#include "nlbuild.h"

#define TABLE_MAIN 254

static int parse_table(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!strcmp(s, "main")) {
		*out = TABLE_MAIN;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v == 0 || v > UINT32_MAX)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

int cnet_parse_rule(const char *s, struct cnet_rule *out)
{
	char buf[2 * CNET_IPSTRLEN + 64], *p, *next;

	memset(out, 0, sizeof(*out));
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (p = buf; p; p = next) {
		struct cnet_ip *ip = !strncmp(p, "from=", 5) ? &out->src : !strncmp(p, "to=", 3) ? &out->dst : NULL;
		char *v = strchr(p, '=');
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (!v)
			return -EINVAL;
		v++;
		if (ip) {
			struct cnet_ip net;
			if (ip->family || cnet_parse_ip(v, true, ip) < 0)
				return -EINVAL;
			net = *ip;
			cnet_ip_mask(&net);
			if (memcmp(net.a, ip->a, sizeof(net.a)))
				return -EINVAL; /* host bits set */
		} else if (!strncmp(p, "table=", 6)) {
			if (out->table || parse_table(v, &out->table) < 0)
				return -EINVAL;
		} else if (!strncmp(p, "priority=", 9)) {
			unsigned int prio;
			if (out->prio || parse_table(v, &prio) < 0 || !strcmp(v, "main"))
				return -EINVAL;
			out->prio = prio;
		} else {
			return -EINVAL;
		}
	}
	/* neither from nor to: all IPv4 traffic ("from all") */
	out->family = out->src.family ? out->src.family : out->dst.family ? out->dst.family : AF_INET;
	if (!out->table ||
	    (out->src.family && out->dst.family && out->src.family != out->dst.family))
		return -EINVAL;
	return 0;
}

char *cnet_rule_str(const struct cnet_rule *r, char buf[CNET_ROUTESTRLEN])
{
	char ip[CNET_IPSTRLEN];
	size_t n = 0;

	buf[0] = '\0';
	if (r->src.family)
		n += (size_t)snprintf(buf + n, CNET_ROUTESTRLEN - n, "from=%s,", cnet_ip_str(&r->src, true, ip));
	if (r->dst.family)
		n += (size_t)snprintf(buf + n, CNET_ROUTESTRLEN - n, "to=%s,", cnet_ip_str(&r->dst, true, ip));
	if (r->table == TABLE_MAIN)
		n += (size_t)snprintf(buf + n, CNET_ROUTESTRLEN - n, "table=main");
	else
		n += (size_t)snprintf(buf + n, CNET_ROUTESTRLEN - n, "table=%u", r->table);
	if (r->prio)
		snprintf(buf + n, CNET_ROUTESTRLEN - n, ",priority=%u", r->prio);
	return buf;
}

static int request(struct cnet_nl *nl, int type, int flags, const struct cnet_rule *r, const char *what)
{
	struct fib_rule_hdr frh = {
		.family = (unsigned char)r->family, .action = FR_ACT_TO_TBL,
		.src_len = (unsigned char)(r->src.family ? r->src.plen : 0),
		.dst_len = (unsigned char)(r->dst.family ? r->dst.plen : 0),
		.table = r->table < 256 ? (unsigned char)r->table : RT_TABLE_UNSPEC,
	};
	size_t alen = r->family == AF_INET ? 4 : 16;
	struct cnet_mnl m;
	struct nl_msg *msg;
	int rc;

	cnet_mnl_start(&m, type, flags, &frh, sizeof(frh));
	if (r->src.family)
		CNET_MNL_PUT(&m, mnl_attr_put_check, FRA_SRC, alen, r->src.a);
	if (r->dst.family)
		CNET_MNL_PUT(&m, mnl_attr_put_check, FRA_DST, alen, r->dst.a);
	CNET_MNL_PUT(&m, mnl_attr_put_u32_check, FRA_TABLE, r->table);
	if (r->prio)
		CNET_MNL_PUT(&m, mnl_attr_put_u32_check, FRA_PRIORITY, r->prio);
	rc = cnet_mnl_end(cnet_nl_ctx(nl), &m, "rule", &msg);
	return rc < 0 ? rc : cnet_nl_talk(nl, msg, what);
}

int cnet_rule_add(struct cnet_nl *nl, const struct cnet_rule *r)
{
	char buf[CNET_ROUTESTRLEN], what[CNET_ROUTESTRLEN + 16];
	int rc;

	snprintf(what, sizeof(what), "add rule %s", cnet_rule_str(r, buf));
	rc = request(nl, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r, what);
	if (rc == -EEXIST) {
		cnet_clear_err(cnet_nl_ctx(nl));
		return 0;
	}
	return rc < 0 ? rc : 1;
}

/* ---- reapply's check: each recorded rule in the kernel's dump ---------- */

/* ---- rules as the kernel has them --------------------------------------- */

typedef void (*rule_cb)(const struct cnet_rule *got, void *arg);
struct rule_walk {
	rule_cb fn;
	void *arg;
};

static void attr_addr(const struct nlattr *a, int family, unsigned int plen, struct cnet_ip *ip)
{
	size_t len = mnl_attr_get_payload_len(a);

	if ((family == AF_INET && len == 4) || (family == AF_INET6 && len == 16)) {
		ip->family = family;
		ip->plen = plen;
		memcpy(ip->a, mnl_attr_get_payload(a), len);
	}
}

/* One rule as the namespace's kernel sent it (the container may have
 * put anything there: only read and compared). */
static int one_rule(const struct nlmsghdr *h, void *arg)
{
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(h);
	struct rule_walk *w = arg;
	struct cnet_rule got = {0};
	const struct nlattr *a;

	if (h->nlmsg_type != RTM_NEWRULE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*frh)) ||
	    frh->action != FR_ACT_TO_TBL)
		return 0;
	got.family = frh->family;
	got.table = frh->table;
	mnl_attr_for_each(a, h, sizeof(*frh))
	{
		int t = mnl_attr_get_type(a);
		if (t == FRA_SRC)
			attr_addr(a, got.family, frh->src_len, &got.src);
		else if (t == FRA_DST)
			attr_addr(a, got.family, frh->dst_len, &got.dst);
		else if (t == FRA_TABLE && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			got.table = mnl_attr_get_u32(a);
		else if (t == FRA_PRIORITY && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			got.prio = mnl_attr_get_u32(a);
	}
	w->fn(&got, w->arg);
	return 0;
}

static int walk(struct cnet_nl *tnl, int family, rule_cb fn, void *arg)
{
	struct fib_rule_hdr frh = {.family = (unsigned char)family};
	struct nl_msg *msg = nlmsg_alloc_size(128);
	struct rule_walk w = {fn, arg};

	if (!msg || !nlmsg_put(msg, 0, 0, RTM_GETRULE, 0, NLM_F_DUMP) ||
	    nlmsg_append(msg, &frh, sizeof(frh), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(tnl), -ENOMEM, "out of memory");
	}
	return cnet_nl_query_raw(tnl, msg, one_rule, &w, "list rules");
}

/* got is the rule asked for: the same selectors exactly (none is none,
 * not any), table, and priority if one was asked. */
static bool same(const struct cnet_rule *r, const struct cnet_rule *got)
{
	return r->family == got->family && r->table == got->table && (!r->prio || r->prio == got->prio) &&
	       r->src.family == got->src.family && r->src.plen == got->src.plen &&
	       !memcmp(r->src.a, got->src.a, 16) && r->dst.family == got->dst.family &&
	       r->dst.plen == got->dst.plen && !memcmp(r->dst.a, got->dst.a, 16);
}

struct find_one {
	const struct cnet_rule *want;
	unsigned int prio;
	bool found;
};

static void find_cb(const struct cnet_rule *got, void *arg)
{
	struct find_one *f = arg;

	if (!f->found && same(f->want, got)) {
		f->found = true;
		f->prio = got->prio;
	}
}

/* The kernel deletes the first rule its selectors match, a missing one
 * matching any: the rule is found first, and deleted by its priority and
 * all it has. */
int cnet_rule_del(struct cnet_nl *nl, const struct cnet_rule *r)
{
	char buf[CNET_ROUTESTRLEN], what[CNET_ROUTESTRLEN + 16];
	struct find_one f = {.want = r};
	struct cnet_rule exact = *r;
	int rc = walk(nl, r->family, find_cb, &f);

	if (rc < 0 || !f.found)
		return rc;
	exact.prio = f.prio;
	snprintf(what, sizeof(what), "remove rule %s", cnet_rule_str(r, buf));
	rc = request(nl, RTM_DELRULE, 0, &exact, what);
	if (rc == -ENOENT || rc == -ESRCH) {
		cnet_clear_err(cnet_nl_ctx(nl));
		return 0;
	}
	return rc < 0 ? rc : 1;
}

/* ---- reapply's check: each recorded rule in the kernel's dump ---------- */

struct want_rules {
	struct cnet_rule r[CNET_MAX_RULES];
	const char *text[CNET_MAX_RULES];
	bool found[CNET_MAX_RULES];
	int n;
};

static void mark_cb(const struct cnet_rule *got, void *arg)
{
	struct want_rules *w = arg;

	for (int i = 0; i < w->n; i++)
		if (same(&w->r[i], got))
			w->found[i] = true;
}

int cnet_rules_check(struct cnet_nl *tnl, const cJSON *options, char *reason, size_t len)
{
	struct want_rules w = {.n = 0};
	const cJSON *v;
	bool v4 = false, v6 = false;
	int r = 0;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(options, "rule"))
	{
		if (w.n < CNET_MAX_RULES && cJSON_IsString(v) && cnet_parse_rule(v->valuestring, &w.r[w.n]) == 0) {
			v4 |= w.r[w.n].family == AF_INET;
			v6 |= w.r[w.n].family == AF_INET6;
			w.text[w.n++] = v->valuestring;
		}
	}
	if (v4)
		r = walk(tnl, AF_INET, mark_cb, &w);
	if (r == 0 && v6)
		r = walk(tnl, AF_INET6, mark_cb, &w);
	for (int i = 0; r == 0 && i < w.n; i++)
		if (!w.found[i]) {
			snprintf(reason, len, "rule %s missing", w.text[i]);
			return 1;
		}
	return r;
}

/* The index of r in the record's "rules_found" (-1: not there), the
 * rules compared as cnet writes them. */
static int found_at(const cJSON *rec, const struct cnet_rule *r)
{
	char want[CNET_ROUTESTRLEN], buf[CNET_ROUTESTRLEN];
	const cJSON *v;
	struct cnet_rule got;
	int i = 0;

	cnet_rule_str(r, want);
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(rec, "rules_found"))
	{
		if (cJSON_IsString(v) && cnet_parse_rule(v->valuestring, &got) == 0 &&
		    !strcmp(cnet_rule_str(&got, buf), want))
			return i;
		i++;
	}
	return -1;
}

bool cnet_rule_found(const cJSON *rec, const struct cnet_rule *r)
{
	return found_at(rec, r) >= 0;
}

void cnet_rule_note_found(cJSON *rec, const struct cnet_rule *r, bool found)
{
	char buf[CNET_ROUTESTRLEN];
	cJSON *a = cJSON_GetObjectItemCaseSensitive(rec, "rules_found");
	int i = found_at(rec, r);

	if (found && i < 0 && (a || (a = cJSON_AddArrayToObject(rec, "rules_found"))))
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_rule_str(r, buf)));
	if (!found && i >= 0) {
		cJSON_DeleteItemFromArray(a, i);
		if (!cJSON_GetArraySize(a))
			cJSON_DeleteItemFromObjectCaseSensitive(rec, "rules_found");
	}
}

void cnet_rules_undo(struct cnet_nl *tnl, const cJSON *rec, struct cnet_result *res)
{
	const cJSON *v;
	struct cnet_rule r;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "options"), "rule"))
	{
		if (!cJSON_IsString(v) || cnet_parse_rule(v->valuestring, &r) < 0 || cnet_rule_found(rec, &r))
			continue;
		if (cnet_rule_del(tnl, &r) < 0) {
			cnet_result_add_warning(res, "%s", cnet_ctx_errmsg(cnet_nl_ctx(tnl)));
			cnet_clear_err(cnet_nl_ctx(tnl));
		}
	}
}
