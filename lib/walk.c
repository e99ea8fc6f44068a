/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A walk over the stored records (gc, reapply, a CNI DEL or GC): what each
 * opens before it picks its records and closes after. */
#include <stdlib.h>

#include "cnet-internal.h"

int cnet_walk_open(struct cnet_ctx *ctx, struct cnet_walk *w, bool dry)
{
	int r;

	*w = (struct cnet_walk){.st = {.lock_fd = -1, .jfd = -1}};
	r = cnet_store_open(ctx, &w->st, dry);
	return r < 0 ? r : cnet_nl_open(ctx, -1, &w->hnl);
}

void cnet_walk_close(struct cnet_walk *w)
{
	free(w->ids);
	w->ids = NULL;
	cnet_nl_close(w->hnl);
	w->hnl = NULL;
	cnet_store_close(&w->st);
}

/* The store only, read without its lock: no netlink socket for a count
 * that runs at every container's start. */
int cnet_container_records(struct cnet_ctx *ctx, const char *id)
{
	struct cnet_walk w = {.st = {.lock_fd = -1, .jfd = -1}};
	char needle[96];
	int r = cnet_store_open(ctx, &w.st, true);

	if (r == 0)
		r = cnet_record_ids(ctx, &w.st, cnet_container_needle(needle, sizeof(needle), id),
				    cnet_record_of_container, id, &w.ids, &w.n);
	if (r == 0)
		r = w.n;
	cnet_walk_close(&w);
	return r;
}
