/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test-only: send libcnet's bond request to the running kernel, so the VM
 * suite can read back what the kernel made of it (ip -d -j) before any
 * command uses the builder.
 *   bond-probe NETNS-PATH create NAME OPTION VALUE...   (mode first)
 *   bond-probe NETNS-PATH primary NAME SLAVE
 * Exit 0 when the kernel accepted it; else the library's message.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/msg.h>

#include "cnet-internal.h"

int main(int argc, char **argv)
{
	struct cnet_bond_opts o;
	struct cnet_linkinfo b, s;
	struct cnet_ctx *ctx;
	struct cnet_nl *nl;
	struct nl_msg *m;
	int fd, r;

	if (argc < 4 || cnet_ctx_new(&ctx) < 0)
		return 2;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || cnet_nl_open(ctx, fd, &nl) < 0)
		return 2;
	cnet_bond_opts_init(&o);
	if (!strcmp(argv[2], "create")) {
		for (int i = 4; i + 1 < argc; i += 2)
			if ((r = cnet_bond_opt_set(ctx, &o, argv[i], argv[i + 1])) < 0)
				goto fail;
		r = cnet_bond_opts_check(ctx, &o);
		if (r == 0)
			r = cnet_link_build_bond(ctx, &o, argv[3], 0, -1, 0, &m);
	} else if (!strcmp(argv[2], "primary") && argc == 5) {
		o.mode = CNET_BOND_ACTIVE_BACKUP;
		r = cnet_link_get(nl, 0, argv[3], &b);
		if (r == 0)
			r = cnet_link_get(nl, 0, argv[4], &s);
		if (r == 0)
			r = cnet_link_build_bond(ctx, &o, NULL, b.ifindex, -1, s.ifindex, &m);
	} else {
		return 2;
	}
	if (r == 0)
		r = cnet_nl_talk(nl, m, "send the bond request");
fail:
	if (r < 0)
		fprintf(stderr, "bond-probe: %s\n", cnet_ctx_errmsg(ctx));
	cnet_nl_close(nl);
	cnet_ctx_free(ctx);
	return r < 0 ? 1 : 0;
}
