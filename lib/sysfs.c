/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SR-IOV through sysfs: a PF is known by its PCI address; its VFs by index,
 * through device/virtfnN (-> the VF's PCI address) and virtfnN/net/ (its
 * netdev, when it has one in this namespace). The root ("/sys") can be
 * redirected so unit tests run on a fake tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cnet-internal.h"

static int path_of(struct cnet_ctx *ctx, char *out, size_t len, const char *fmt, ...)
	CNET_PRINTF(4, 5);
static int path_of(struct cnet_ctx *ctx, char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(out, len, "%s/", ctx->sysfs_root), m;

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started just above */
	m = vsnprintf(out + n, len - (size_t)n, fmt, ap);
	va_end(ap);
	return m < 0 || (size_t)m >= len - (size_t)n ? -ENAMETOOLONG : 0;
}

/* The last component of a symlink's target ("../0000:01:10.0" -> that). */
static int link_base(const char *path, char *out, size_t len)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	const char *b;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	b = strrchr(buf, '/');
	b = b ? b + 1 : buf;
	if (!*b || strlen(b) >= len)
		return -EINVAL;
	strcpy(out, b);
	return 0;
}

static int read_uint(const char *path, unsigned int *out)
{
	char buf[32], *end;
	unsigned long v;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v > 0xffff)
		return -EIO;
	*out = (unsigned int)v;
	return 0;
}

/* Every sysfs write passes the fault switch: the message is the caller's. */
static int write_str(struct cnet_ctx *ctx, const char *path, const char *s)
{
	size_t len = strlen(s);
	bool clean = ctx->errclass == CNET_ERR_NONE;
	int fd, r = cnet_fault_point(ctx, CNET_FAULT_SYSFS, "write sysfs");

	if (r < 0) {
		if (clean) /* the caller says what failed (CNET_DEBUG shows why) */
			cnet_clear_err(ctx);
		return r;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	{
		ssize_t w = write(fd, s, len);
		/* short: the attribute took part of it, and errno is stale */
		if (w < 0)
			r = -errno;
		else if ((size_t)w != len)
			r = -EIO;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* The one netdev under DEV/net/ (a PCI function has at most one here). */
static int netdev_of(struct cnet_ctx *ctx, const char *pci, char name[IFNAMSIZ])
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int r = -ENODEV;

	name[0] = '\0';
	if (path_of(ctx, path, sizeof(path), "bus/pci/devices/%s/net", pci) < 0)
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ENODEV : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (strlen(e->d_name) < IFNAMSIZ) {
			strcpy(name, e->d_name);
			r = 0;
		}
		break;
	}
	closedir(d);
	return r;
}

static bool is_pci_addr(const char *s)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	/* fixed length, every field consumed: a conversion cannot fail unseen */
	return strlen(s) == 12 && sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4; /* NOLINT(cert-err34-c) */
}

int cnet_pf_find(struct cnet_ctx *ctx, const char *spec, struct cnet_pf *pf)
{
	char path[PATH_MAX];
	int r;

	memset(pf, 0, sizeof(*pf));
	if (is_pci_addr(spec)) {
		snprintf(pf->pci, sizeof(pf->pci), "%s", spec);
		if (path_of(ctx, path, sizeof(path), "bus/pci/devices/%s", spec) < 0 ||
		    access(path, F_OK) < 0)
			return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV, "no PCI device %s", spec);
	} else {
		if (cnet_check_ifname(ctx, spec) < 0)
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
					 "invalid PF '%s' (a host interface name or a PCI address)", spec);
		if (path_of(ctx, path, sizeof(path), "class/net/%s", spec) < 0 || access(path, F_OK) < 0)
			return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV,
					 "PF '%s' does not exist on the host", spec);
		if (path_of(ctx, path, sizeof(path), "class/net/%s/device", spec) < 0 ||
		    link_base(path, pf->pci, sizeof(pf->pci)) < 0 || !is_pci_addr(pf->pci))
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
					 "'%s' is not a PCI network device, so it has no SR-IOV", spec);
	}
	if (path_of(ctx, path, sizeof(path), "bus/pci/devices/%s/physfn", pf->pci) == 0 &&
	    access(path, F_OK) == 0)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "'%s' is a virtual function, not a PF", spec);
	if (path_of(ctx, path, sizeof(path), "bus/pci/devices/%s/sriov_totalvfs", pf->pci) < 0 ||
	    read_uint(path, &pf->total) < 0 || pf->total == 0)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EOPNOTSUPP, "'%s' (%s) has no SR-IOV", spec,
				 pf->pci);
	r = cnet_pf_refresh(ctx, pf);
	if (r < 0)
		return r;
	/* Named by netdev: that one (a PCI function may have several, such as
	 * switchdev representors); by address: the first. */
	if (is_pci_addr(spec))
		netdev_of(ctx, pf->pci, pf->name);
	else
		snprintf(pf->name, sizeof(pf->name), "%s", spec);
	return 0;
}

int cnet_pf_refresh(struct cnet_ctx *ctx, struct cnet_pf *pf)
{
	char path[PATH_MAX];
	int r;

	if (path_of(ctx, path, sizeof(path), "bus/pci/devices/%s/sriov_numvfs", pf->pci) < 0)
		return cnet_err(ctx, -ENAMETOOLONG, "path too long");
	r = read_uint(path, &pf->num);
	if (r < 0)
		return cnet_err(ctx, r, "cannot read %s: %s", path, strerror(-r));
	return 0;
}

int cnet_vf_get(struct cnet_ctx *ctx, const struct cnet_pf *pf, unsigned int index, struct cnet_vf *vf)
{
	char path[PATH_MAX];
	int r;

	memset(vf, 0, sizeof(*vf));
	vf->index = index;
	if (index >= pf->num)
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV, "PF %s has no VF %u (it has %u)",
				 pf->name[0] ? pf->name : pf->pci, index, pf->num);
	if (path_of(ctx, path, sizeof(path), "bus/pci/devices/%s/virtfn%u", pf->pci, index) < 0)
		return cnet_err(ctx, -ENAMETOOLONG, "path too long");
	r = link_base(path, vf->pci, sizeof(vf->pci));
	if (r < 0)
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV, "PF %s: VF %u has no PCI function (%s)",
				 pf->name[0] ? pf->name : pf->pci, index, strerror(-r));
	if (path_of(ctx, path, sizeof(path), "bus/pci/devices/%s/driver", vf->pci) == 0)
		link_base(path, vf->driver, sizeof(vf->driver));
	netdev_of(ctx, vf->pci, vf->name);
	return 0;
}

bool cnet_vf_driver_is_userspace(const struct cnet_vf *vf)
{
	return !strcmp(vf->driver, "vfio-pci") || !strncmp(vf->driver, "uio", 3) ||
	       !strcmp(vf->driver, "igb_uio");
}

int cnet_vf_wait_netdev(struct cnet_ctx *ctx, const struct cnet_pf *pf, unsigned int index,
			unsigned int timeout_ms, struct cnet_vf *vf)
{
	unsigned int waited = 0;
	int r;

	for (;;) {
		cnet_clear_err(ctx);
		r = cnet_vf_get(ctx, pf, index, vf);
		if (r == 0 && vf->name[0])
			return 0;
		if (r == 0 && cnet_vf_driver_is_userspace(vf))
			return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
					 "VF %u of %s (%s) is bound to %s, not a network driver", index,
					 pf->name[0] ? pf->name : pf->pci, vf->pci, vf->driver);
		if (waited >= timeout_ms)
			break;
		cnet_nap_ms(20);
		waited += 20;
	}
	cnet_clear_err(ctx);
	if (r < 0)
		return cnet_errc(ctx, CNET_ERR_MISSING, -ETIMEDOUT,
				 "VF %u of %s did not appear within %.1f s", index,
				 pf->name[0] ? pf->name : pf->pci, timeout_ms / 1000.0);
	return cnet_errc(ctx, CNET_ERR_MISSING, -ETIMEDOUT,
			 "VF %u of %s (%s) has no network interface on the host%s", index,
			 pf->name[0] ? pf->name : pf->pci, vf->pci,
			 vf->driver[0] ? " (it may be in a container)" : " (no driver is bound to it)");
}

int cnet_pf_write_numvfs(struct cnet_ctx *ctx, struct cnet_pf *pf, unsigned int n)
{
	char path[PATH_MAX], buf[16];
	int r;

	if (n > pf->total)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "PF %s supports at most %u VFs, not %u",
				 pf->name[0] ? pf->name : pf->pci, pf->total, n);
	if (path_of(ctx, path, sizeof(path), "bus/pci/devices/%s/sriov_numvfs", pf->pci) < 0)
		return cnet_err(ctx, -ENAMETOOLONG, "path too long");
	/* The kernel refuses to change a nonzero count except through 0. */
	if (pf->num && n && pf->num != n) {
		r = write_str(ctx, path, "0");
		if (r < 0)
			return cnet_err(ctx, r, "cannot write 0 to %s: %s", path, strerror(-r));
		pf->num = 0;
	}
	snprintf(buf, sizeof(buf), "%u", n);
	r = write_str(ctx, path, buf);
	if (r < 0)
		return cnet_err(ctx, r, "cannot write %u to %s: %s", n, path, strerror(-r));
	return cnet_pf_refresh(ctx, pf);
}

int cnet_pf_autoprobe(struct cnet_ctx *ctx, const struct cnet_pf *pf, int set)
{
	char path[PATH_MAX];
	unsigned int v = 0;
	int r;

	if (path_of(ctx, path, sizeof(path), "bus/pci/devices/%s/sriov_drivers_autoprobe", pf->pci) < 0)
		return -ENAMETOOLONG;
	if (set < 0) {
		r = read_uint(path, &v);
		return r < 0 ? r : (int)v;
	}
	return write_str(ctx, path, set ? "1" : "0");
}

int cnet_vf_probe(struct cnet_ctx *ctx, const struct cnet_vf *vf)
{
	char path[PATH_MAX];

	if (path_of(ctx, path, sizeof(path), "bus/pci/drivers_probe") < 0)
		return -ENAMETOOLONG;
	return write_str(ctx, path, vf->pci);
}
