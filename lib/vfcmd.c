/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cnet vf enable / disable / ls: a PF's VF count, and what each VF is. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <linux/if_link.h>

#include "kind.h"

static const char *const link_state_names[] = {"auto", "enable", "disable"};

/* The record (if any) that holds a VF. */
static const cJSON *holder(const struct cnet_store *st, const char *vf_pci)
{
	const cJSON *rec;

	cJSON_ArrayForEach(rec, st->records) {
		const cJSON *vf = cJSON_GetObjectItemCaseSensitive(rec, "vf");
		if (vf && !strcmp(cnet_json_str(vf, "pci"), vf_pci))
			return rec;
	}
	return NULL;
}

static cJSON *vf_json(struct cnet_ctx *ctx, struct cnet_nl *hnl, const struct cnet_store *st,
		      const struct cnet_pf *pf, int pf_ifindex, unsigned int i)
{
	cJSON *o = cJSON_CreateObject();
	struct cnet_vfinfo v;
	struct cnet_vf vf;
	const cJSON *rec;
	char buf[24];

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "pf", pf->name);
	cJSON_AddStringToObject(o, "pf_pci", pf->pci);
	cJSON_AddNumberToObject(o, "vf", i);
	if (cnet_vf_get(ctx, pf, i, &vf) == 0) {
		cJSON_AddStringToObject(o, "pci", vf.pci);
		cJSON_AddStringToObject(o, "netdev", vf.name);
		cJSON_AddStringToObject(o, "driver", vf.driver);
		rec = holder(st, vf.pci);
		if (rec) {
			cJSON_AddStringToObject(o, "target", cnet_json_str(rec, "target"));
			cJSON_AddStringToObject(o, "ifname", cnet_json_str(rec, "ifname"));
			cJSON_AddStringToObject(o, "record", cnet_json_str(rec, "id"));
		}
	}
	cnet_clear_err(ctx);
	if (pf_ifindex > 0 && cnet_vfinfo_get(hnl, pf_ifindex, i, &v) == 0) {
		cnet_mac_str(v.mac, buf);
		cJSON_AddStringToObject(o, "mac", buf);
		cJSON_AddNumberToObject(o, "vlan", v.vlan);
		cJSON_AddNumberToObject(o, "qos", v.qos);
		cJSON_AddStringToObject(o, "vlan_proto", v.proto == 0x88a8 ? "802.1ad" : "802.1Q");
		if (v.spoofchk >= 0)
			cJSON_AddBoolToObject(o, "spoofchk", v.spoofchk);
		if (v.trust >= 0)
			cJSON_AddBoolToObject(o, "trust", v.trust);
		if (v.link_state >= 0 && v.link_state <= 2)
			cJSON_AddStringToObject(o, "link_state", link_state_names[v.link_state]);
		cJSON_AddNumberToObject(o, "min_rate", v.min_rate);
		cJSON_AddNumberToObject(o, "max_rate", v.max_rate);
	}
	cnet_clear_err(ctx);
	return o;
}

static int list_pf(struct cnet_ctx *ctx, struct cnet_nl *hnl, const struct cnet_store *st,
		   const struct cnet_pf *pf, struct cnet_result *res)
{
	struct cnet_linkinfo li;
	int ifindex = 0;

	if (pf->name[0] && cnet_link_get(hnl, 0, pf->name, &li) == 0)
		ifindex = li.ifindex;
	cnet_clear_err(ctx);
	for (unsigned int i = 0; i < pf->num; i++) {
		cJSON *o = vf_json(ctx, hnl, st, pf, ifindex, i);
		if (!o)
			return cnet_err(ctx, -ENOMEM, "out of memory");
		cnet_result_add_record(res, o);
		cJSON_Delete(o);
	}
	return 0;
}

CNET_EXPORT int cnet_vf_list(struct cnet_ctx *ctx, const char *pf_spec, struct cnet_result **out)
{
	struct cnet_store st = {.lock_fd = -1, .jfd = -1};
	struct cnet_result *res = NULL;
	struct cnet_nl *hnl = NULL;
	struct cnet_pf pf;
	char path[4096];
	struct dirent *e;
	DIR *d;
	int r;

	cnet_clear_err(ctx);
	r = cnet_result_new(ctx, &res);
	if (r == 0)
		r = cnet_store_open(ctx, &st, true);
	if (r == 0)
		r = cnet_store_load_all(&st);
	if (r == 0)
		r = cnet_nl_open(ctx, -1, &hnl);
	if (r < 0)
		goto out;
	if (pf_spec) {
		r = cnet_pf_find(ctx, pf_spec, &pf);
		if (r == 0)
			r = list_pf(ctx, hnl, &st, &pf, res);
		goto out;
	}
	/* Every PF with SR-IOV that has a netdev here. */
	snprintf(path, sizeof(path), "%s/class/net", ctx->sysfs_root);
	d = opendir(path);
	if (!d) {
		r = cnet_err(ctx, -errno, "cannot read %s: %m", path);
		goto out;
	}
	while ((e = readdir(d)) && r == 0) {
		if (e->d_name[0] == '.')
			continue;
		if (cnet_pf_find(ctx, e->d_name, &pf) == 0)
			r = list_pf(ctx, hnl, &st, &pf, res);
		if (r == 0)
			cnet_clear_err(ctx);
	}
	closedir(d);
out:
	cnet_nl_close(hnl);
	cnet_store_close(&st);
	if (r == 0 && out)
		*out = res;
	else
		cnet_result_free(res);
	return r;
}

/* Why the PF's VFs may not be destroyed now, or 0. */
static int in_use(struct cnet_ctx *ctx, struct cnet_nl *hnl, const struct cnet_store *st,
		  const struct cnet_pf *pf)
{
	const char *label = pf->name[0] ? pf->name : pf->pci;
	struct cnet_linkinfo li;
	struct cnet_vf vf;
	const cJSON *rec;

	for (unsigned int i = 0; i < pf->num; i++) {
		if (cnet_vf_get(ctx, pf, i, &vf) < 0) {
			cnet_clear_err(ctx);
			continue;
		}
		rec = holder(st, vf.pci);
		if (rec)
			return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
					 "VF %u of %s is attached to %s as %s (detach it first)", i, label,
					 cnet_json_str(rec, "target"), cnet_json_str(rec, "ifname"));
		if (cnet_vf_driver_is_userspace(&vf))
			return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY, "VF %u of %s is bound to %s", i, label,
					 vf.driver);
		if (!vf.name[0] && vf.driver[0])
			return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
					 "VF %u of %s (%s) is in another network namespace", i, label, vf.pci);
		if (vf.name[0] && cnet_link_get(hnl, 0, vf.name, &li) == 0) {
			if (li.master)
				return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY, "VF %u of %s (%s) is enslaved",
						 i, label, vf.name);
			if (cnet_link_has_global_addr(hnl, li.ifindex) > 0)
				return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
						 "VF %u of %s (%s) carries addresses: something on the host uses it",
						 i, label, vf.name);
		}
		cnet_clear_err(ctx);
	}
	return 0;
}

CNET_EXPORT int cnet_vf_set_count(struct cnet_ctx *ctx, const char *pf_spec, unsigned int count,
				  unsigned int flags, struct cnet_result **out)
{
	bool dry = flags & CNET_ATTACH_DRY_RUN;
	struct cnet_store st = {.lock_fd = -1, .jfd = -1};
	struct cnet_result *res = NULL;
	struct cnet_nl *hnl = NULL;
	struct cnet_pf pf;
	int lock_fd = -1, r;

	cnet_clear_err(ctx);
	if (flags & ~CNET_ATTACH_DRY_RUN)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown flags %#x", flags);
	r = cnet_pf_find(ctx, pf_spec, &pf);
	if (r == 0 && count > pf.total)
		r = cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "%s supports at most %u VFs, not %u",
			      pf_spec, pf.total, count);
	if (r == 0)
		r = cnet_result_new(ctx, &res);
	/* Lock order: PF, then store. */
	if (r == 0)
		r = cnet_pf_lock(ctx, pf.pci, dry, &lock_fd);
	/* As a writer (not dry): the store lock is held until the VFs are
	 * gone, so that no repair takes one meanwhile (finding 17). */
	if (r == 0)
		r = cnet_store_open(ctx, &st, dry);
	if (r == 0)
		r = cnet_store_load_all(&st);
	if (r == 0)
		r = cnet_nl_open(ctx, -1, &hnl);
	if (r == 0)
		r = cnet_pf_refresh(ctx, &pf);
	if (r < 0 || pf.num == count)
		goto out;
	/* Any rewrite of a nonzero count destroys every VF of the PF. */
	if (pf.num)
		r = in_use(ctx, hnl, &st, &pf);
	if (r < 0)
		goto out;
	if (pf.num && count)
		cnet_result_add_action(res, "remove the %u VFs of %s", pf.num, pf_spec);
	cnet_result_add_action(res, count ? "create %u VFs on %s" : "remove the %u VFs of %s",
			       count ? count : pf.num, pf_spec);
	res->changed = true; /* NOLINT(clang-analyzer-core.NullDereference): made above, or r < 0 */
	if (dry)
		goto out;
	/* The store stays locked until the VFs are written: an attach or
	 * repair that got in between would pick a VF about to go. */
	if (count == 0 || pf.num) /* a nonzero count changes only through 0 */
		r = cnet_pf_write_numvfs(ctx, &pf, 0);
	if (r == 0 && count)
		r = cnet_pf_create_vfs(ctx, hnl, &pf, count);
out:
	cnet_nl_close(hnl);
	cnet_store_close(&st);
	if (lock_fd >= 0)
		close(lock_fd);
	if (r == 0 && out)
		*out = res;
	else
		cnet_result_free(res);
	return r;
}
