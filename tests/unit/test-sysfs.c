/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SR-IOV sysfs layer on fake trees: PFs with 0, 1 and 7 VFs, a VF bound
 * to vfio-pci, a VF without a netdev, a NIC without SR-IOV, a virtual
 * interface, a VF named as a PF. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cnet-internal.h"
#include "unit.h"

static char root[64];

static void put(const char *rel, const char *content)
{
	char p[512], cmd[1200];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	if (system(cmd) != 0)
		return;
	f = fopen(p, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static void dir(const char *rel)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, rel);
	if (system(cmd) != 0)
		fprintf(stderr, "mkdir %s failed\n", rel);
}

static void lnk(const char *rel, const char *target)
{
	char p[512], cmd[1200];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\" && ln -s '%s' '%s'", p, target, p);
	if (system(cmd) != 0)
		fprintf(stderr, "ln %s failed\n", rel);
}

/* PF 0000:0B:00.0-style tree: pci address bus b, netdev name, VF count n
 * of total 7; VF i is 0000:<b>:10.<i>, netdev <name>v<i>, driver igbvf. */
static void pf(const char *bus, const char *name, int n)
{
	char rel[256], tgt[256], val[16];

	snprintf(rel, sizeof(rel), "bus/pci/devices/0000:%s:00.0/sriov_totalvfs", bus);
	put(rel, "7\n");
	snprintf(rel, sizeof(rel), "bus/pci/devices/0000:%s:00.0/sriov_numvfs", bus);
	snprintf(val, sizeof(val), "%d\n", n);
	put(rel, val);
	snprintf(rel, sizeof(rel), "bus/pci/devices/0000:%s:00.0/sriov_drivers_autoprobe", bus);
	put(rel, "1\n");
	snprintf(rel, sizeof(rel), "bus/pci/devices/0000:%s:00.0/net/%s", bus, name);
	dir(rel);
	snprintf(rel, sizeof(rel), "class/net/%s/device", name);
	snprintf(tgt, sizeof(tgt), "../../../bus/pci/devices/0000:%s:00.0", bus);
	lnk(rel, tgt);
	for (int i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "bus/pci/devices/0000:%s:00.0/virtfn%d", bus, i);
		snprintf(tgt, sizeof(tgt), "../0000:%s:10.%d", bus, i);
		lnk(rel, tgt);
		snprintf(rel, sizeof(rel), "bus/pci/devices/0000:%s:10.%d/physfn", bus, i);
		snprintf(tgt, sizeof(tgt), "../0000:%s:00.0", bus);
		lnk(rel, tgt);
		snprintf(rel, sizeof(rel), "bus/pci/devices/0000:%s:10.%d/driver", bus, i);
		lnk(rel, "../../../bus/pci/drivers/igbvf");
		snprintf(rel, sizeof(rel), "bus/pci/devices/0000:%s:10.%d/net/%sv%d", bus, i, name, i);
		dir(rel);
	}
}

static struct cnet_ctx *tree(void)
{
	struct cnet_ctx *ctx;
	char rel[256];

	strcpy(root, "/tmp/cnet-sysfs-XXXXXX");
	if (!mkdtemp(root))
		return NULL;
	pf("01", "pf7", 7);
	pf("02", "pf1", 1);
	pf("03", "pf0", 0);
	/* VF 2 of pf7 is bound to vfio-pci: no netdev */
	snprintf(rel, sizeof(rel), "rm -rf '%s/bus/pci/devices/0000:01:10.2/net' '%s/bus/pci/devices/0000:01:10.2/driver'",
		 root, root);
	if (system(rel) != 0)
		return NULL;
	lnk("bus/pci/devices/0000:01:10.2/driver", "../../../bus/pci/drivers/vfio-pci");
	/* VF 3 of pf7 has a driver but no netdev here (in a container) */
	snprintf(rel, sizeof(rel), "rm -rf '%s/bus/pci/devices/0000:01:10.3/net'", root);
	if (system(rel) != 0)
		return NULL;
	/* VF 4 of pf7 has no driver and no netdev */
	snprintf(rel, sizeof(rel), "rm -rf '%s/bus/pci/devices/0000:01:10.4/net' '%s/bus/pci/devices/0000:01:10.4/driver'",
		 root, root);
	if (system(rel) != 0)
		return NULL;
	/* a PCI NIC without SR-IOV, and a virtual interface */
	dir("bus/pci/devices/0000:04:00.0/net/plain0");
	lnk("class/net/plain0/device", "../../../bus/pci/devices/0000:04:00.0");
	dir("class/net/veth0");
	if (cnet_ctx_new(&ctx) < 0)
		return NULL;
	if (cnet_ctx_set_sysfs_root(ctx, root) < 0) {
		cnet_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

static void done(struct cnet_ctx *ctx)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", root);
	cnet_ctx_free(ctx);
}

TEST(test_sysfs_pf_by_name_and_pci, "a PF is found by netdev or PCI address, with its VF counts")
{
	struct cnet_ctx *ctx = tree();
	struct cnet_pf a, b;

	CHECK(ctx);
	CHECK(cnet_pf_find(ctx, "pf7", &a) == 0);
	CHECK(!strcmp(a.pci, "0000:01:00.0") && !strcmp(a.name, "pf7"));
	CHECK(a.total == 7 && a.num == 7);
	CHECK(cnet_pf_find(ctx, "0000:02:00.0", &b) == 0);
	CHECK(!strcmp(b.name, "pf1") && b.num == 1);
	CHECK(cnet_pf_find(ctx, "pf0", &b) == 0 && b.num == 0);
	done(ctx);
}

TEST(test_sysfs_pf_refusals, "no SR-IOV, a virtual interface, a VF, an absent PF: each a clear error")
{
	struct cnet_ctx *ctx = tree();
	struct cnet_pf p;

	CHECK(ctx);
	CHECK(cnet_pf_find(ctx, "plain0", &p) == -EOPNOTSUPP);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "has no SR-IOV"));
	cnet_clear_err(ctx);
	CHECK(cnet_pf_find(ctx, "veth0", &p) == -EINVAL);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "not a PCI network device"));
	cnet_clear_err(ctx);
	CHECK(cnet_pf_find(ctx, "0000:01:10.0", &p) == -EINVAL);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "is a virtual function"));
	cnet_clear_err(ctx);
	CHECK(cnet_pf_find(ctx, "nosuch", &p) == -ENODEV);
	CHECK(cnet_ctx_errclass(ctx) == CNET_ERR_MISSING);
	CHECK(cnet_pf_find(ctx, "0000:09:00.0", &p) == -ENODEV);
	CHECK(cnet_pf_find(ctx, "../../etc", &p) == -EINVAL);
	done(ctx);
}

TEST(test_sysfs_vf_map, "VF index -> PCI address -> netdev and driver, for 7, 1 and 0 VFs")
{
	struct cnet_ctx *ctx = tree();
	struct cnet_pf p;
	struct cnet_vf v;

	CHECK(ctx);
	CHECK(cnet_pf_find(ctx, "pf7", &p) == 0);
	CHECK(cnet_vf_get(ctx, &p, 0, &v) == 0);
	CHECK(!strcmp(v.pci, "0000:01:10.0") && !strcmp(v.name, "pf7v0") && !strcmp(v.driver, "igbvf"));
	CHECK(cnet_vf_get(ctx, &p, 6, &v) == 0 && !strcmp(v.name, "pf7v6"));
	cnet_clear_err(ctx);
	CHECK(cnet_vf_get(ctx, &p, 7, &v) == -ENODEV);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "has no VF 7 (it has 7)"));
	CHECK(cnet_pf_find(ctx, "pf1", &p) == 0);
	CHECK(cnet_vf_get(ctx, &p, 0, &v) == 0 && !strcmp(v.name, "pf1v0"));
	CHECK(cnet_vf_get(ctx, &p, 1, &v) == -ENODEV);
	CHECK(cnet_pf_find(ctx, "pf0", &p) == 0);
	CHECK(cnet_vf_get(ctx, &p, 0, &v) == -ENODEV);
	done(ctx);
}

TEST(test_sysfs_vf_vfio_and_missing_netdev, "a vfio-bound VF is refused at once; a VF without netdev times out, saying why")
{
	struct cnet_ctx *ctx = tree();
	struct cnet_pf p;
	struct cnet_vf v;

	CHECK(ctx);
	CHECK(cnet_pf_find(ctx, "pf7", &p) == 0);
	CHECK(cnet_vf_get(ctx, &p, 2, &v) == 0);
	CHECK(!v.name[0] && cnet_vf_driver_is_userspace(&v));
	CHECK(cnet_vf_wait_netdev(ctx, &p, 2, 10000, &v) == -EBUSY);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "bound to vfio-pci"));
	cnet_clear_err(ctx);
	CHECK(cnet_vf_wait_netdev(ctx, &p, 3, 60, &v) == -ETIMEDOUT);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "may be in a container"));
	cnet_clear_err(ctx);
	CHECK(cnet_vf_wait_netdev(ctx, &p, 4, 60, &v) == -ETIMEDOUT);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "no driver is bound"));
	CHECK(cnet_vf_wait_netdev(ctx, &p, 5, 60, &v) == 0 && !strcmp(v.name, "pf7v5"));
	done(ctx);
}

TEST(test_sysfs_numvfs_write, "sriov_numvfs: above the total is refused, a count is written")
{
	struct cnet_ctx *ctx = tree();
	char path[256], buf[16] = "";
	struct cnet_pf p;
	FILE *f;

	CHECK(ctx);
	CHECK(cnet_pf_find(ctx, "pf0", &p) == 0);
	CHECK(cnet_pf_write_numvfs(ctx, &p, 8) == -EINVAL);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "at most 7 VFs"));
	CHECK(cnet_pf_write_numvfs(ctx, &p, 3) == 0 && p.num == 3);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:03:00.0/sriov_numvfs", root);
	f = fopen(path, "r");
	CHECK(f);
	CHECK(fgets(buf, sizeof(buf), f) != NULL);
	fclose(f);
	CHECK(!strcmp(buf, "3\n"));
	CHECK(cnet_pf_autoprobe(ctx, &p, -1) == 1);
	done(ctx);
}

TEST(test_sysfs_short_write_is_eio, "a sysfs write the kernel takes only part of fails with EIO, never a stale errno")
{
	struct cnet_ctx *ctx = tree();
	struct rlimit old, four;
	void (*was)(int);
	struct cnet_vf v = {0};
	int r;

	CHECK(ctx);
	put("bus/pci/drivers_probe", "");
	strcpy(v.pci, "0000:01:10.4");
	/* A file size limit makes write() take 4 of the 12 bytes and return 4. */
	CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
	four = (struct rlimit){4, old.rlim_max}; /* the soft limit: put back without privilege */
	was = signal(SIGXFSZ, SIG_IGN);
	CHECK(setrlimit(RLIMIT_FSIZE, &four) == 0);
	errno = EPERM; /* left over from anything before */
	r = cnet_vf_probe(ctx, &v);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, was);
	done(ctx);
	CHECK(r == -EIO);
}
