/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Requests libnl-route has no builder for (an ipvlan's flags, a bond's
 * options, a VXLAN, FDB entries), written with libmnl's bounded
 * attribute functions straight into a libnl message, which nl.c sends.
 */
#include <errno.h>

#include <libmnl/libmnl.h>
#include <netlink/msg.h>

#include "nlbuild.h"

void cnet_mnl_start(struct cnet_mnl *m, int type, int flags, const void *hdr, size_t len)
{
	*m = (struct cnet_mnl){.msg = nlmsg_alloc_simple(type, flags)};
	m->ok = m->msg && nlmsg_append(m->msg, (void *)hdr, len, NLMSG_ALIGNTO) == 0;
	if (m->ok) {
		m->h = nlmsg_hdr(m->msg);
		m->max = nlmsg_get_max_size(m->msg);
	}
}

struct nlattr *cnet_mnl_nest(struct cnet_mnl *m, uint16_t type)
{
	struct nlattr *n = m->ok ? mnl_attr_nest_start_check(m->h, m->max, type) : NULL;

	m->ok = n != NULL;
	return n;
}

void cnet_mnl_nest_end(struct cnet_mnl *m, struct nlattr *nest)
{
	if (m->ok)
		mnl_attr_nest_end(m->h, nest);
}

int cnet_mnl_end(struct cnet_ctx *ctx, struct cnet_mnl *m, const char *what, struct nl_msg **out)
{
	*out = NULL;
	if (!m->ok) {
		nlmsg_free(m->msg);
		return cnet_err(ctx, -ENOMEM, "cannot build the %s request", what);
	}
	*out = m->msg;
	return 0;
}
