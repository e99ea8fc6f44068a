/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resolve what the user calls a container to a network namespace. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cnet-internal.h"

#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE 0xb703 /* _IO(0xb7, 0x3), Linux 4.11 */
#endif

int cnet_self_ns(struct cnet_ctx *ctx)
{
	if (ctx->self_ns_fd < 0) {
		ctx->self_ns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (ctx->self_ns_fd < 0)
			return cnet_err(ctx, -errno, "cannot open this process's network namespace: %s",
					strerror(errno));
	}
	return ctx->self_ns_fd;
}

int cnet_in_netns(struct cnet_ctx *ctx, int fd, int (*fn)(struct cnet_ctx *, void *), void *arg)
{
	int self = cnet_self_ns(ctx), r;

	if (self < 0)
		return self;
	if (setns(fd, CLONE_NEWNET) < 0)
		return cnet_err(ctx, -errno, "cannot enter the target network namespace: %s",
				strerror(errno));
	r = fn(ctx, arg);
	if (setns(self, CLONE_NEWNET) < 0)
		return cnet_err(ctx, -errno, "cannot return to the host network namespace: %s",
				strerror(errno));
	return r;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* path opened, if it is the namespace; else -1. */
static int open_if(const char *path, unsigned long long dev, unsigned long long ino)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat sb;

	if (fd >= 0 && (fstat(fd, &sb) < 0 || (unsigned long long)sb.st_dev != dev ||
			(unsigned long long)sb.st_ino != ino)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* An entry of dir whose file (for /proc: PID/ns/net) is the namespace,
 * opened (open) or only found (1); -1: none. */
static int held_in(const char *dir, const char *suffix, unsigned long long dev,
		   unsigned long long ino, bool open)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		char path[PATH_MAX];
		struct stat sb;
		if (e->d_name[0] == '.' || (*suffix && !all_digits(e->d_name)))
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, e->d_name, suffix);
		if (open)
			found = open_if(path, dev, ino);
		else if (stat(path, &sb) == 0 && (unsigned long long)sb.st_dev == dev &&
			 (unsigned long long)sb.st_ino == ino)
			found = 1;
	}
	closedir(d);
	return found;
}

bool cnet_netns_maybe_alive(unsigned long long dev, unsigned long long ino)
{
	if (!ino)
		return true; /* nothing to tell it by */
	return held_in("/run/netns", "", dev, ino, false) >= 0 ||
	       held_in("/proc", "/ns/net", dev, ino, false) >= 0;
}

/* A mount point as mountinfo writes it: space, tab, newline and backslash
 * as \ooo. In place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*o = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = '\0';
}

/* A bind mount of the namespace (nsfs, root "net:[INO]"): Docker keeps a
 * sandbox's under its exec root, /run/netns names are such mounts. */
static int open_mounted(unsigned long long dev, unsigned long long ino)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, want[40];
	size_t cap = 0;
	int fd = -1;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "net:[%llu]", ino);
	while (fd < 0 && getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNT-POINT ... */
		char *save = NULL, *root, *mp;
		if (!strtok_r(line, " ", &save) || !strtok_r(NULL, " ", &save) || !strtok_r(NULL, " ", &save))
			continue;
		root = strtok_r(NULL, " ", &save);
		mp = strtok_r(NULL, " ", &save);
		if (!root || !mp || strcmp(root, want))
			continue;
		unescape(mp);
		fd = open_if(mp, dev, ino);
	}
	free(line);
	fclose(f);
	return fd;
}

int cnet_netns_open_held(unsigned long long dev, unsigned long long ino)
{
	int fd;

	if (!ino)
		return -ENOENT;
	fd = open_mounted(dev, ino);
	if (fd < 0)
		fd = held_in("/proc", "/ns/net", dev, ino, true);
	return fd < 0 ? -ENOENT : fd;
}

/* Field 22 of stat in a /proc/PID directory (open): when the process
 * started. A PID reused by another process has a different start time. */
int cnet_proc_start_time(int dfd, unsigned long long *out)
{
	char buf[1024], *p;
	ssize_t n;
	int fd;

	fd = openat(dfd, "stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p)
		return -EIO;
	for (int field = 2; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EIO;
	}
	*out = strtoull(p + 1, NULL, 10);
	return 0;
}

/* Open rest (a namespace file) under /proc/PID, and read PID's start time.
 * Both through one open /proc/PID: that directory stays the process's it
 * was opened for (once it has exited, nothing opens under it, even when a
 * new process has taken the PID), so the start time and the namespace are
 * one process's. shown: the target as named, for a message about a path;
 * NULL: the PID is the target, and /proc/PID stays open (t->proc_fd) for
 * what is opened through it later (its root, for --resolv-conf). */
static int open_in_proc(struct cnet_ctx *ctx, struct cnet_target *t, unsigned long pid,
			const char *rest, const char *shown)
{
	char path[64];
	int dfd, r;

	t->pid = (pid_t)pid;
	snprintf(path, sizeof(path), "/proc/%lu", pid);
	dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
	} else {
		/* the start time first: the namespace then opened is surely
		 * that process's (found by its start time later) */
		r = cnet_proc_start_time(dfd, &t->start_time) < 0 ? -ESRCH : 0;
		if (r == 0) {
			t->fd = openat(dfd, rest, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			r = t->fd < 0 ? -errno : 0;
		}
		if (r == 0 && !shown)
			t->proc_fd = dfd;
		else
			close(dfd);
	}
	if (r == 0)
		return 0;
	if (r != -ENOENT && r != -ESRCH && r != -ENOTDIR)
		return shown ? cnet_err(ctx, r, "cannot open %s: %s", shown, strerror(-r))
			     : cnet_err(ctx, r, "cannot open %s/%s: %s", path, rest, strerror(-r));
	if (shown)
		return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH, "no such namespace file '%s'", shown);
	return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH, "no running process with PID %lu", pid);
}

static int open_pid_n(struct cnet_ctx *ctx, struct cnet_target *t, pid_t n)
{
	return open_in_proc(ctx, t, (unsigned long)n, "ns/net", NULL);
}

/* Named by PID: its start time, recorded, tells it from a later process
 * with the same PID. (An engine's container gets a new PID on restart.) */
static int open_pid(struct cnet_ctx *ctx, struct cnet_target *t, const char *num)
{
	unsigned long pid;

	if (cnet_parse_uint(num, 4194304, &pid) < 0 || pid == 0)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid PID '%s'", num);
	t->runtime = "pid";
	t->by_pid = true;
	return open_pid_n(ctx, t, (pid_t)pid);
}

static int open_path(struct cnet_ctx *ctx, struct cnet_target *t, const char *path,
		     const char *name)
{
	/* O_NONBLOCK: a FIFO named as the target must not hang cnet. */
	t->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (t->fd >= 0)
		return 0;
	if (errno == ENOENT || errno == ENOTDIR) {
		if (name)
			return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH,
					 "no network namespace named '%s' (looked in /run/netns)", name);
		return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH, "no such namespace file '%s'", path);
	}
	return cnet_err(ctx, -errno, "cannot open %s: %s", path, strerror(errno));
}

/* A path. One under /proc/PID (/proc/PID/ns/net, /proc/PID/task/TID/ns/net)
 * is that process's: known by its start time, as a pid: target is, so that
 * a later process with that PID is another target. */
static int open_any_path(struct cnet_ctx *ctx, struct cnet_target *t, const char *path)
{
	const char *p = path + 5, *rest;
	unsigned long pid = 0;

	t->runtime = "path";
	if (strncmp(path, "/proc/", 6))
		return open_path(ctx, t, path, NULL);
	while (*p == '/')
		p++;
	if (!isdigit((unsigned char)*p) || *p == '0')
		return open_path(ctx, t, path, NULL); /* /proc/self, /proc/net... */
	for (; isdigit((unsigned char)*p); p++) {
		pid = pid * 10 + (unsigned long)(*p - '0');
		if (pid > 4194304)
			break;
	}
	if (pid > 4194304 || (*p && *p != '/'))
		return open_path(ctx, t, path, NULL);
	while (*p == '/')
		p++;
	rest = *p ? p : ".";
	/* Opened under /proc/PID: ".." would leave it for another process's. */
	for (const char *c = rest; (c = strstr(c, "..")); c += 2)
		if ((c == rest || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
					 "invalid target '%s': no '..' under /proc/PID", path);
	t->by_pid = true;
	return open_in_proc(ctx, t, pid, rest, path);
}

static int open_named(struct cnet_ctx *ctx, struct cnet_target *t, const char *name)
{
	char path[PATH_MAX];

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid namespace name '%s'", name);
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open_path(ctx, t, path, name);
}

/* A bare name that is no namespace: a Docker container, else a Podman one.
 * An engine that is not there, or does not know the name, is no answer. */
static int by_engine(struct cnet_ctx *ctx, struct cnet_target *t, const char *name)
{
	static const char *const engines[] = {"docker", "podman"};
	char stopped[sizeof(ctx->errmsg)] = "";
	pid_t pid;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(engines); i++) {
		cnet_clear_err(ctx);
		r = cnet_engine_pid(ctx, engines[i], name, &pid, t->container_id);
		if (r == 0) {
			t->runtime = engines[i];
			return open_pid_n(ctx, t, pid);
		}
		if (r == -ESRCH && !*stopped)
			memcpy(stopped, ctx->errmsg, sizeof(stopped)); /* known, not running */
		else if (r != -ENXIO && r != -ENOENT && r != -ESRCH)
			return r;
	}
	cnet_clear_err(ctx);
	if (*stopped)
		return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH, "%s", stopped);
	return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH,
			 "no network namespace, Docker or Podman container named '%s'", name);
}

int cnet_target_resolve(struct cnet_ctx *ctx, const char *spec, struct cnet_target *t)
{
	struct stat st, self;
	int r, self_fd;

	memset(t, 0, sizeof(*t));
	t->fd = t->proc_fd = -1;
	t->spec = strdup(spec);
	if (!t->spec)
		return cnet_err(ctx, -ENOMEM, "out of memory");

	if (!strncmp(spec, "pid:", 4)) {
		r = open_pid(ctx, t, spec + 4);
	} else if (!strncmp(spec, "netns:", 6)) {
		r = open_named(ctx, t, spec + 6);
	} else if (!strncmp(spec, "docker:", 7) || !strncmp(spec, "podman:", 7)) {
		char engine[7];
		pid_t pid;
		snprintf(engine, sizeof(engine), "%.6s", spec);
		r = cnet_engine_pid(ctx, engine, spec + 7, &pid, t->container_id);
		t->runtime = spec[0] == 'd' ? "docker" : "podman";
		if (r == 0)
			r = open_pid_n(ctx, t, pid);
		else if (r == -ENXIO || r == -ENOENT)
			r = -ESRCH; /* the message says which */
	} else if (!strncmp(spec, "container:", 10)) {
		r = by_engine(ctx, t, spec + 10); /* never a namespace or PID */
	} else if (spec[0] == '/') {
		r = open_any_path(ctx, t, spec);
	} else if (!*spec) {
		r = cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "empty target");
	} else if (strchr(spec, ':')) {
		r = cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
			      "unknown target type in '%s' (use pid:, netns:, docker:, podman:, container: or a path)",
			      spec);
	} else {
		r = open_named(ctx, t, spec);
		/* A bare number that is not a namespace name is a PID; a bare
		 * name, a Docker container, then a Podman one. */
		if (r == -ESRCH && all_digits(spec)) {
			cnet_clear_err(ctx);
			r = open_pid(ctx, t, spec);
		} else if (r == -ESRCH) {
			r = by_engine(ctx, t, spec);
		}
	}
	if (r < 0)
		return r;
	if (!t->runtime)
		t->runtime = "netns";

	if (ioctl(t->fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH, "'%s' is not a network namespace", spec);
	if (fstat(t->fd, &st) < 0)
		return cnet_err(ctx, -errno, "cannot stat '%s': %s", spec, strerror(errno));
	t->dev = st.st_dev;
	t->ino = st.st_ino;

	/* Acting on "the container" must never mean acting on the host. */
	self_fd = cnet_self_ns(ctx);
	if (self_fd < 0)
		return self_fd;
	if (fstat(self_fd, &self) == 0 && self.st_dev == st.st_dev && self.st_ino == st.st_ino)
		return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH,
				 "'%s' is the host's own network namespace, not a container", spec);
	return 0;
}

const char *cnet_runtime_name(const char *s)
{
	static const char *const names[] = {"netns", "pid", "path", "docker", "podman"};

	for (size_t i = 0; s && i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return names[i];
	return NULL;
}

int cnet_target_resolve_as(struct cnet_ctx *ctx, const char *spec, const char *runtime,
			   struct cnet_target *t)
{
	char *full, *orig;
	int r;

	if (!runtime || !*spec || spec[0] == '/' || strchr(spec, ':') || !strcmp(runtime, "path"))
		return cnet_target_resolve(ctx, spec, t);
	if (asprintf(&full, "%s:%s", runtime, spec) < 0)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	r = cnet_target_resolve(ctx, full, t);
	free(full);
	orig = strdup(spec);
	if (!orig)
		return r < 0 ? r : cnet_err(ctx, -ENOMEM, "out of memory");
	free(t->spec);
	t->spec = orig;
	return r;
}

const char *cnet_target_other(const struct cnet_target *t, unsigned long long pid_start,
			      const char *container_id)
{
	if (t->by_pid && pid_start && pid_start != t->start_time)
		return "process gone (its PID now belongs to another)";
	/* An engine keeps a container's Id when it restarts it; a container
	 * made anew under the name has another. */
	if (container_id && *container_id && *t->container_id && strcmp(container_id, t->container_id))
		return "container gone (its name now belongs to another)";
	return NULL;
}

void cnet_target_close(struct cnet_target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	if (t->proc_fd >= 0)
		close(t->proc_fd);
	t->fd = t->proc_fd = -1;
	free(t->spec);
	t->spec = NULL;
}
