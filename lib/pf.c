/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A PF's lock and the making of its VFs: shared by the sriov kind and
 * 'cnet vf'. Lock order: PF, then the store.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kind.h"

#define VF_APPEAR_MS 30000  /* VF netdevs after sriov_numvfs: ~1 s on igb */
#define PF_CARRIER_MS 15000 /* the PF's reset after sriov_numvfs: ~2.7 s on igb */

/* One lock file per PF beside the store (PATH.pf-<pci>.lock): held by an
 * attach from before it creates or picks a VF until its record is saved,
 * and by vf enable/disable. Lock order: PF, then the store. */
int cnet_pf_lock(struct cnet_ctx *ctx, const char *pci, bool dry, int *fd)
{
	char path[PATH_MAX];
	int r;

	*fd = -1;
	if ((size_t)snprintf(path, sizeof(path), "%s.pf-%s.lock", ctx->state_path, pci) >= sizeof(path))
		return cnet_err(ctx, -ENAMETOOLONG, "state path too long");
	*fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (dry ? 0 : O_CREAT), 0600);
	if (*fd < 0 && dry && errno == ENOENT)
		return 0;
	if (*fd < 0) {
		{
			char *copy = strdup(path);
			if (copy && errno == ENOENT)
				mkdir(dirname(copy), 0700);
			free(copy);
		}
		*fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_CREAT, 0600);
		if (*fd < 0)
			return cnet_errc(ctx, CNET_ERR_STORE, -errno, "cannot open %s: %s", path,
					 strerror(errno));
	}
	r = cnet_flock_wait(*fd, ctx->lock_timeout_ms, 5);
	if (r == -EBUSY)
		return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY, "PF %s is locked by another cnet (waited %.1f s)",
				 pci, ctx->lock_timeout_ms / 1000.0);
	if (r < 0)
		return cnet_err(ctx, r, "cannot lock %s: %s", path, strerror(-r));
	return 0;
}

int cnet_pf_trylock(struct cnet_ctx *ctx, const char *pci, int *fd)
{
	unsigned int saved = ctx->lock_timeout_ms;
	int r;

	ctx->lock_timeout_ms = 0;
	r = cnet_pf_lock(ctx, pci, false, fd);
	ctx->lock_timeout_ms = saved;
	return r;
}

/* Wait, bounded, for carrier on the PF (only if it is administratively up:
 * a down PF never gets one, and its VFs work regardless on most NICs). */
static void wait_pf_carrier(struct cnet_ctx *ctx, struct cnet_nl *hnl, const struct cnet_pf *pf)
{
	struct cnet_linkinfo li;

	for (unsigned int waited = 0; waited < PF_CARRIER_MS; waited += 20) {
		if (cnet_link_get(hnl, 0, pf->name, &li) < 0 || !(li.flags & IFF_UP) ||
		    (li.flags & IFF_LOWER_UP))
			break;
		cnet_nap_ms(20);
	}
	cnet_clear_err(ctx);
}

/* Create n VFs on a PF that has none. Writing sriov_numvfs resets the PF;
 * a VF driver probing during that reset may wait out a long reset delay of
 * its own (igbvf: 10 s), so the VFs are probed only once the PF has its
 * carrier back, when the PF lets cnet defer that (autoprobe was on). */
int cnet_pf_create_vfs(struct cnet_ctx *ctx, struct cnet_nl *hnl, struct cnet_pf *pf, unsigned int n)
{
	struct cnet_vf vf;
	int autoprobe = cnet_pf_autoprobe(ctx, pf, -1), r;
	bool defer = autoprobe == 1 && pf->name[0];

	if (defer && cnet_pf_autoprobe(ctx, pf, 0) < 0)
		defer = false;
	r = cnet_pf_write_numvfs(ctx, pf, n);
	if (defer) {
		int a;
		if (r == 0)
			wait_pf_carrier(ctx, hnl, pf);
		/* The host's setting comes back whatever happened; a second
		 * try, then a failure that says what is left (the fault walk
		 * in tests/vm found it left at 0). */
		a = cnet_pf_autoprobe(ctx, pf, 1);
		if (a < 0)
			a = cnet_pf_autoprobe(ctx, pf, 1);
		if (a < 0 && r == 0)
			r = cnet_err(ctx, a, "cannot set sriov_drivers_autoprobe of %s back to 1: %s",
				     pf->name[0] ? pf->name : pf->pci, strerror(-a));
		for (unsigned int i = 0; r == 0 && i < pf->num; i++)
			if (cnet_vf_get(ctx, pf, i, &vf) == 0 && !vf.driver[0])
				cnet_vf_probe(ctx, &vf);
		if (r == 0)
			cnet_clear_err(ctx); /* probing is best effort: waited for below */
	}
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < pf->num; i++) {
		r = cnet_vf_wait_netdev(ctx, pf, i, VF_APPEAR_MS, &vf);
		if (r < 0 && ctx->errclass != CNET_ERR_BUSY)
			return r;
		cnet_clear_err(ctx);
	}
	return 0;
}
