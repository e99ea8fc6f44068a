/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --resolv-conf: the lease's DNS servers written into the container's own
 * /etc/resolv.conf (or whatever path it is given), a file the container
 * controls. It may plant anything there: a symbolic link out of its root,
 * a FIFO, a device node, a hard link to another file, a file on a file
 * system that never answers; and it may exit so that a host process gets
 * its PID. None of these may make cnet write outside the container, into
 * anything but a regular file of its own, or wait without bound.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "lease.h"

/* How long the writer may take: a regular file's open, truncate and write
 * return at once, unless the container's root is on a file system that can
 * stall them (FUSE served by the container itself, a hung NFS mount). */
#define RESOLV_TIMEOUT_MS 5000
#define RESOLV_MAX_HOPS 40 /* symbolic links followed by hand, as the kernel's MAXSYMLINKS */

/* A user namespace as its uid_map or gid_map says, in host ids: the
 * ranges it maps (at most 340, the kernel's limit) and what its 0 is. */
struct idmap {
	unsigned int n;
	struct {
		unsigned long long first, count;
	} r[340];
	long long root; /* -1: unmapped */
};

static int read_idmap(int proc_fd, const char *name, struct idmap *m)
{
	int fd = openat(proc_fd, name, O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
	char line[128];

	m->n = 0;
	m->root = -1;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	/* "inside outside count" a line */
	while (m->n < ARRAY_SIZE(m->r) && fgets(line, sizeof(line), f)) {
		unsigned long long v[3];
		char *p = line, *end;
		int k;
		for (k = 0; k < 3; k++, p = end) {
			v[k] = strtoull(p, &end, 10);
			if (end == p)
				break;
		}
		if (k < 3)
			continue;
		m->r[m->n].first = v[1];
		m->r[m->n++].count = v[2];
		if (v[0] == 0 && v[2])
			m->root = (long long)v[1];
	}
	fclose(f);
	return 0;
}

static bool idmap_has(const struct idmap *m, unsigned long long id)
{
	for (unsigned int i = 0; i < m->n; i++)
		if (id >= m->r[i].first && id - m->r[i].first < m->r[i].count)
			return true;
	return false;
}

/* What the writer reports to cnet. */
enum { RESOLV_OK, RESOLV_OPEN, RESOLV_TYPE, RESOLV_LINKS, RESOLV_OWNER, RESOLV_WRITE };
struct resolv_res {
	int what, err;		/* RESOLV_*, errno */
	unsigned long long v;	/* RESOLV_TYPE: st_mode; _LINKS: st_nlink; _OWNER: st_uid */
};

static struct resolv_res resolv_fail(int what, int err, unsigned long long v)
{
	return (struct resolv_res){.what = what, .err = err, .v = v};
}

/* In the child: write text to path inside the root rfd. An existing file
 * is opened O_PATH first (a device's driver never sees an open), and
 * written only if it is a regular file with no other name, owned by a
 * user of the container; it is then reopened through /proc/self/fd,
 * non-blocking (a lease the container holds cannot make it wait),
 * truncated and written. A missing one is created with O_EXCL, which
 * never opens what is there; a dangling symbolic link is followed by
 * hand, each step again inside the root. */
static struct resolv_res resolv_put(int rfd, const char *path, const char *text, size_t n,
				    const struct idmap *uids, long long root_gid)
{
	struct open_how how = {.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	char cur[PATH_MAX], link[PATH_MAX], fdpath[32];
	struct stat st;
	int fd = -1, wfd = -1;

	snprintf(cur, sizeof(cur), "%s", path);
	for (int hops = 0; fd < 0 && wfd < 0; hops++) {
		char *slash;
		ssize_t len;
		int lfd;

		how.flags = O_PATH | O_CLOEXEC;
		fd = (int)syscall(SYS_openat2, rfd, cur, &how, sizeof(how));
		if (fd >= 0)
			break;
		if (errno != ENOENT)
			return resolv_fail(RESOLV_OPEN, errno, 0);
		if (hops == RESOLV_MAX_HOPS)
			return resolv_fail(RESOLV_OPEN, ELOOP, 0);
		how.flags = O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
		how.mode = 0644;
		wfd = (int)syscall(SYS_openat2, rfd, cur, &how, sizeof(how));
		how.mode = 0;
		if (wfd >= 0) {
			/* the container's own, as if its root had made it */
			if (uids->root > 0 || root_gid > 0)
				if (fchown(wfd, (uid_t)uids->root, (gid_t)root_gid) < 0) {
					close(wfd);
					return resolv_fail(RESOLV_WRITE, errno, 0);
				}
			break;
		}
		if (errno != EEXIST)
			return resolv_fail(RESOLV_OPEN, errno, 0);
		/* there after all (made meanwhile: go round), or a dangling link */
		how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
		lfd = (int)syscall(SYS_openat2, rfd, cur, &how, sizeof(how));
		if (lfd < 0)
			continue;
		len = readlinkat(lfd, "", link, sizeof(link) - 1);
		close(lfd);
		if (len < 0)
			continue;
		link[len] = '\0';
		slash = strrchr(cur, '/');
		if (link[0] == '/')
			snprintf(cur, sizeof(cur), "%s", link);
		else if (!slash || (size_t)(slash + 1 - cur) + (size_t)len >= sizeof(cur))
			return resolv_fail(RESOLV_OPEN, ENAMETOOLONG, 0);
		else
			memcpy(slash + 1, link, (size_t)len + 1);
	}
	if (fd >= 0) {
		if (fstat(fd, &st) < 0) {
			close(fd);
			return resolv_fail(RESOLV_OPEN, errno, 0);
		}
		if (!S_ISREG(st.st_mode) || st.st_nlink > 1 || !idmap_has(uids, st.st_uid)) {
			close(fd);
			if (!S_ISREG(st.st_mode))
				return resolv_fail(RESOLV_TYPE, 0, st.st_mode);
			if (st.st_nlink > 1)
				return resolv_fail(RESOLV_LINKS, 0, st.st_nlink);
			return resolv_fail(RESOLV_OWNER, 0, st.st_uid);
		}
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
		wfd = open(fdpath, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		close(fd);
		if (wfd < 0)
			return resolv_fail(RESOLV_OPEN, errno, 0);
		if (ftruncate(wfd, 0) < 0) {
			close(wfd);
			return resolv_fail(RESOLV_WRITE, errno, 0);
		}
	}
	while (n) {
		ssize_t w = write(wfd, text, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			close(wfd);
			return resolv_fail(RESOLV_WRITE, e, 0);
		}
		text += w;
		n -= (size_t)w;
	}
	if (close(wfd) < 0)
		return resolv_fail(RESOLV_WRITE, errno, 0);
	return resolv_fail(RESOLV_OK, 0, 0);
}

/* Close every descriptor but a and b: the child keeps no lock (the state
 * store's, a PF's), whatever it waits for. */
static void keep_only(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if ((lo > 0 && close_range(0, (unsigned int)lo - 1, 0) < 0) ||
	    (hi > lo + 1 && close_range((unsigned int)lo + 1, (unsigned int)hi - 1, 0) < 0) ||
	    close_range((unsigned int)hi + 1, ~0U, 0) < 0)
		_exit(1); /* no report: cnet says the writer failed */
}

/* resolv_put in a child process, given RESOLV_TIMEOUT_MS: cnet, which may
 * hold the state store's lock, waits that long at most, then kills it. */
static int resolv_run(struct cnet_ctx *ctx, int rfd, const char *path, const char *text, size_t n,
		      const struct idmap *uids, long long root_gid, struct resolv_res *res)
{
	uint64_t deadline = cnet_now_ms() + RESOLV_TIMEOUT_MS;
	int p[2], r = 0;
	pid_t child;

	if (pipe2(p, O_CLOEXEC) < 0)
		return cnet_err(ctx, -errno, "cannot make a pipe: %s", strerror(errno));
	child = fork();
	if (child < 0) {
		r = cnet_err(ctx, -errno, "cannot fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (child == 0) {
		struct resolv_res cr;
		keep_only(rfd, p[1]);
		cr = resolv_put(rfd, path, text, n, uids, root_gid);
		_exit(write(p[1], &cr, sizeof(cr)) == (ssize_t)sizeof(cr) ? 0 : 1);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		uint64_t t = cnet_now_ms();
		int k = t < deadline ? poll(&pfd, 1, (int)(deadline - t)) : 0;
		if (k < 0 && errno == EINTR)
			continue;
		if (k > 0 && read(p[0], res, sizeof(*res)) == (ssize_t)sizeof(*res))
			break;
		kill(child, SIGKILL);
		r = k == 0 ? -ETIMEDOUT : -EIO;
		break;
	}
	close(p[0]);
	/* Reaped, but not waited for without bound: a child the kernel cannot
	 * kill at once stays a zombie until cnet exits. */
	for (int i = 0; i < 100 && waitpid(child, NULL, WNOHANG) == 0; i++)
		cnet_nap_ms(10);
	return r;
}

static const char *file_kind(unsigned long long mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFDIR:
		return "a directory";
	case S_IFSOCK:
		return "a socket";
	default:
		return "something else";
	}
}

/* --resolv-conf: the lease's DNS servers and domain, written to PATH as
 * the container sees it: resolved inside its root by openat2(RESOLVE_IN_ROOT
 * | RESOLVE_NO_MAGICLINKS), so that a symlink the container planted
 * (/etc/resolv.conf -> /etc/passwd, or -> ../../../host/file) cannot lead
 * out of it. The root is the target process's, opened through its /proc
 * directory held since the target was resolved: if the process has gone,
 * a later one with its PID is never asked. Written in place (it is often
 * a bind mount), by a child process (resolv_put, resolv_run). */
int cnet_lease_write_resolv(struct cnet_ctx *ctx, const struct cnet_target *t, const char *path,
			    const char *ifname, const struct cnet_lease *l)
{
	char root[64], text[1024], a[INET_ADDRSTRLEN];
	struct idmap uids, gids;
	struct resolv_res res = {0};
	unsigned long long start = 0;
	size_t n;
	int rfd, r;

	if (t->proc_fd < 0)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "--resolv-conf needs a target with a root to write in (pid:, docker:, podman:)");
	snprintf(root, sizeof(root), "/proc/%d/root", (int)t->pid);
	rfd = openat(t->proc_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0 && errno != ENOENT && errno != ESRCH)
		return cnet_errc(ctx, CNET_ERR_TARGET, -errno, "cannot open %s: %s", root,
				 strerror(errno));
	if (rfd < 0 || cnet_proc_start_time(t->proc_fd, &start) < 0 || start != t->start_time ||
	    read_idmap(t->proc_fd, "uid_map", &uids) < 0 || read_idmap(t->proc_fd, "gid_map", &gids) < 0) {
		if (rfd >= 0)
			close(rfd);
		return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH,
				 "the process with PID %d has gone: %s not written", (int)t->pid, path);
	}
	n = (size_t)snprintf(text, sizeof(text), "# written by cnet for %s: DHCP lease from %s\n", ifname,
			     inet_ntop(AF_INET, &l->server, a, sizeof(a)));
	/* one domain: a space would make it a list of search domains */
	if (*l->domain && !strchr(l->domain, ' '))
		n += (size_t)snprintf(text + n, sizeof(text) - n, "search %s\n", l->domain);
	for (unsigned int i = 0; i < l->n_dns && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "nameserver %s\n",
				      inet_ntop(AF_INET, &l->dns[i], a, sizeof(a)));
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	r = resolv_run(ctx, rfd, path, text, n, &uids, gids.root, &res);
	close(rfd);
	if (r == -ETIMEDOUT)
		return cnet_err(ctx, r, "cannot write %s in %s: its file system did not answer within %d s",
				path, root, RESOLV_TIMEOUT_MS / 1000);
	if (r == -EIO)
		return cnet_err(ctx, r, "cannot write %s in %s: the writing process failed", path, root);
	if (r < 0)
		return r;
	switch (res.what) {
	case RESOLV_OPEN:
		return cnet_errc(ctx, CNET_ERR_INVALID, -res.err, "cannot write %s in %s: %s", path,
				 root, strerror(res.err));
	case RESOLV_TYPE:
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "refusing to write %s in %s: it is %s, not a regular file", path, root,
				 file_kind(res.v));
	case RESOLV_LINKS:
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "refusing to write %s in %s: it has %llu hard links (another may be a file outside the container)",
				 path, root, res.v);
	case RESOLV_OWNER:
		return cnet_errc(ctx, CNET_ERR_INVALID, -EPERM,
				 "refusing to write %s in %s: its owner (uid %llu) is not a user of the container",
				 path, root, res.v);
	case RESOLV_WRITE:
		return cnet_err(ctx, -res.err, "cannot write %s in %s: %s", path, root,
				strerror(res.err));
	default:
		return 0;
	}
}
