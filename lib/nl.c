/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Netlink transport: the only file that owns sockets, sends, waits for ACKs
 * and translates errors. Requests are built by libnl (link.c, addr.c, ...);
 * the socket is libmnl's because libnl's ACK handling folds several errnos
 * into NLE_FAILURE and drops the kernel's extended-ack message.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <limits.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/object.h>

#include "cnet-internal.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

struct cnet_nl {
	struct cnet_ctx *ctx;
	struct mnl_socket *sk;
	unsigned int portid, seq;
	bool acks; /* extended ACKs asked for */
	/* Dump parts are at most 32 KiB with the default page size; one
	 * RTM_GETLINK of a PF with its VF list is ~210 bytes a VF (without
	 * stats), so 256 VFs need more. */
	alignas(NLMSG_ALIGNTO) char buf[131072]; /* read as netlink messages */
};

struct cnet_ctx *cnet_nl_ctx(struct cnet_nl *nl)
{
	return nl->ctx;
}

void cnet_attr_str(char *dst, size_t len, const struct nlattr *a)
{
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(dst, len, "%s", mnl_attr_get_str(a));
}

static int open_here(struct cnet_ctx *ctx, void *arg)
{
	struct cnet_nl *nl = arg;
	const struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	int one = 1;

	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk)
		return cnet_err(ctx, -errno, "cannot open a netlink socket: %s", strerror(errno));
	/* Strict checking makes the kernel filter dumps (by ifindex, table);
	 * older kernels lack it, which only costs speed. */
	mnl_socket_setsockopt(nl->sk, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	/* Connected to the kernel (port 0), the socket is one the kernel
	 * refuses other sockets' unicasts to: any task of the namespace can
	 * read our port id in /proc/net/netlink and send to it otherwise. */
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    connect(mnl_socket_get_fd(nl->sk), (const struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		int r = -errno;
		mnl_socket_close(nl->sk);
		nl->sk = NULL;
		return cnet_err(ctx, r, "cannot bind a netlink socket: %s", strerror(-r));
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	return 0;
}

/* Not guessable: replies are matched by sequence number too. Drawn once
 * a process; each socket starts far from the last. */
static unsigned int first_seq(void)
{
	static atomic_uint next;
	static atomic_bool seeded;
	unsigned int seed;

	if (!atomic_load(&seeded)) {
		if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
			seed = (unsigned int)time(NULL) ^ ((unsigned int)getpid() << 16);
		atomic_store(&next, seed);
		atomic_store(&seeded, true);
	}
	return atomic_fetch_add(&next, 0x9e3779b9u) + 0x9e3779b9u;
}

int cnet_nl_open(struct cnet_ctx *ctx, int netns_fd, struct cnet_nl **out)
{
	/* not calloc: zeroing the 128 KiB buffer was most of what a
	 * reapply spent per record */
	struct cnet_nl *nl = malloc(sizeof(*nl));
	int r;

	if (!nl)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	memset(nl, 0, offsetof(struct cnet_nl, buf));
	nl->ctx = ctx;
	nl->seq = first_seq();
	/* A netlink socket stays in the namespace it was created in. */
	r = netns_fd < 0 ? open_here(ctx, nl) : cnet_in_netns(ctx, netns_fd, open_here, nl);
	if (r < 0) {
		free(nl);
		return r;
	}
	*out = nl;
	return 0;
}

int cnet_nl_link_watch(struct cnet_ctx *ctx, int *fd)
{
	const struct sockaddr_nl groups = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	const struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

	*fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (*fd < 0)
		return cnet_err(ctx, -errno, "cannot open a netlink socket: %s", strerror(errno));
	/* connected to the kernel: no other socket's unicasts */
	if (bind(*fd, (const struct sockaddr *)&groups, sizeof(groups)) < 0 ||
	    connect(*fd, (const struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		int r = -errno;
		close(*fd);
		*fd = -1;
		return cnet_err(ctx, r, "cannot listen for link changes: %s", strerror(-r));
	}
	return 0;
}

int cnet_nl_link_wait(int fd, unsigned int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[8192];
	int n;

	if (fd < 0) {
		cnet_nap_ms(ms);
		return 0;
	}
	n = poll(&p, 1, (int)ms);
	/* drained: overruns (ENOBUFS) included, all the same wake-up */
	while (n > 0 && (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0 || errno == ENOBUFS))
		;
	return n > 0;
}

unsigned long long cnet_nl_netns_cookie(struct cnet_nl *nl)
{
	unsigned long long cookie = 0;
	socklen_t len = sizeof(cookie);

	/* Linux 5.14+; the namespace's inode number is reused, this is not. */
	if (getsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
		return 0;
	return cookie;
}

void cnet_nl_close(struct cnet_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl);
}

static int fault(struct cnet_nl *nl, const char *what)
{
	return cnet_fault_point(nl->ctx, CNET_FAULT_NL, what);
}

static int errclass_for(int err)
{
	switch (err) {
	case EEXIST:
	case EBUSY:
	case EADDRINUSE:
		return CNET_ERR_BUSY;
	default:
		return CNET_ERR_FAILED;
	}
}

/* Turn an NLMSG_ERROR into -errno plus message; 0 for an ACK. */
static int nlmsg_error(struct cnet_nl *nl, const struct nlmsghdr *h, const char *what, bool quiet)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
	const char *ext = NULL;
	int err;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return cnet_err(nl->ctx, -EBADMSG, "cannot %s: truncated netlink error", what);
	/* The kernel sends 0 or -errno; INT_MIN cannot be negated. */
	if (e->error > 0 || e->error == INT_MIN)
		return cnet_err(nl->ctx, -EBADMSG, "cannot %s: invalid netlink error %d", what, e->error);
	err = -e->error;
	if (err == 0)
		return 0;
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* With CAP_ACK the request is not echoed: TLVs follow the header. */
		size_t off = sizeof(*e);
		const struct nlattr *attr;

		if (!(h->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		if (NLMSG_LENGTH(off) <= h->nlmsg_len) {
			mnl_attr_for_each_payload((const void *)((const char *)e + off), h->nlmsg_len - NLMSG_LENGTH(off))
			{
				if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
				    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
					ext = mnl_attr_get_str(attr);
			}
		}
	}
	if (quiet)
		return -err;
	if (err == EPERM || err == EACCES)
		return cnet_err(nl->ctx, -err, "cannot %s: %s (cnet needs CAP_NET_ADMIN; run it as root)",
				what, strerror(err));
	if (ext && *ext)
		return cnet_errc(nl->ctx, errclass_for(err), -err, "cannot %s: %s (%s)", what,
				 strerror(err), ext);
	return cnet_errc(nl->ctx, errclass_for(err), -err, "cannot %s: %s", what, strerror(err));
}

static int send_msg(struct cnet_nl *nl, struct nlmsghdr *h, const char *what)
{
	if (mnl_socket_sendto(nl->sk, h, h->nlmsg_len) < 0)
		return cnet_err(nl->ctx, -errno, "cannot %s: netlink send: %s", what, strerror(errno));
	return 0;
}

/* The next datagram the kernel sent. One from any other sender is dropped
 * unread (the connected socket should have kept it out already). */
static ssize_t recv_msg(struct cnet_nl *nl, const char *what)
{
	for (;;) {
		struct sockaddr_nl from = {0};
		struct iovec iov = {nl->buf, sizeof(nl->buf)};
		struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				    .msg_iovlen = 1};
		ssize_t n = recvmsg(mnl_socket_get_fd(nl->sk), &mh, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cnet_err(nl->ctx, -errno, "cannot %s: netlink receive: %s", what,
					strerror(errno));
		if (mh.msg_namelen != sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0) {
			cnet_dbg(nl->ctx, "%s: netlink message from port %u dropped", what, from.nl_pid);
			continue;
		}
		if (mh.msg_flags & MSG_TRUNC)
			return cnet_err(nl->ctx, -EMSGSIZE, "cannot %s: netlink receive: %s", what,
					strerror(EMSGSIZE));
		return n;
	}
}

/* An answer to the request just sent on this socket. */
static bool ours(const struct cnet_nl *nl, const struct nlmsghdr *h)
{
	return h->nlmsg_seq == nl->seq && h->nlmsg_pid == nl->portid;
}

/* Reading the answer to a request: the message at hand in the datagram in
 * nl->buf, and how many bytes of the datagram are left from it. */
struct answer {
	const struct nlmsghdr *h; /* NULL: the next datagram is to be received */
	int left;
};

/* Send h as this socket's next request; next_answer() reads its answer. */
static int request(struct cnet_nl *nl, struct nlmsghdr *h, struct answer *a, const char *what)
{
	h->nlmsg_seq = ++nl->seq;
	a->h = NULL;
	a->left = 0;
	return send_msg(nl, h, what);
}

/* The next message answering the request, in a->h (stale and unsolicited
 * ones are skipped), receiving as needed: 0, or -errno. */
static int next_answer(struct cnet_nl *nl, struct answer *a, const char *what)
{
	for (;;) {
		if (a->h) {
			a->h = mnl_nlmsg_next(a->h, &a->left);
		} else {
			ssize_t n = recv_msg(nl, what);

			if (n < 0)
				return (int)n;
			a->h = (const struct nlmsghdr *)nl->buf;
			a->left = (int)n;
		}
		if (!mnl_nlmsg_ok(a->h, a->left))
			a->h = NULL; /* the end of this datagram */
		else if (ours(nl, a->h))
			return 0;
	}
}

int cnet_nl_talk(struct cnet_nl *nl, struct nl_msg *msg, const char *what)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct answer a;
	int r;

	r = fault(nl, what);
	if (r < 0)
		goto out;
	if (!nl->acks) {
		/* Before the first change (a socket that only reads, as most
		 * of a reapply's, does without): extended ACKs carry the
		 * kernel's reason, CAP_ACK keeps errors short. */
		int one = 1;
		mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
		mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
		nl->acks = true;
	}
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_pid = 0;
	r = request(nl, h, &a, what);
	if (r < 0)
		goto out;
	/* The ACK or the error; any other message is unsolicited. */
	do {
		r = next_answer(nl, &a, what);
		if (r < 0)
			goto out;
	} while (a.h->nlmsg_type != NLMSG_ERROR);
	r = nlmsg_error(nl, a.h, what, false);
out:
	nlmsg_free(msg);
	return r;
}

struct parse_state {
	cnet_nl_obj_cb cb;
	void *arg;
	int r;
};

/* The first non-zero answer sticks: < 0 stops delivery, > 0 means found. */
static void parsed(struct nl_object *obj, void *arg)
{
	struct parse_state *ps = arg;

	if (ps->r == 0)
		ps->r = ps->cb(obj, ps->arg);
}

static int deliver(struct cnet_nl *nl, const struct nlmsghdr *rh, struct parse_state *ps,
		   const char *what)
{
	struct nl_msg *m = nlmsg_convert((struct nlmsghdr *)rh);
	int r;

	if (!m)
		return cnet_err(nl->ctx, -ENOMEM, "out of memory");
	nlmsg_set_proto(m, NETLINK_ROUTE);
	r = nl_msg_parse(m, parsed, ps);
	nlmsg_free(m);
	/* libnl ignores message types it has no parser for; a parse error
	 * on one message is not worth failing the whole query. */
	if (r < 0)
		cnet_dbg(nl->ctx, "%s: unparsable message type %u ignored", what, rh->nlmsg_type);
	return ps->r;
}

/* A dump is held whole and handed to the callback only once the kernel
 * has sent one that no change interrupted (NLM_F_DUMP_INTR): callbacks
 * collect what they are given, so they must never see a torn view, nor
 * part of one dump and then all of the next. */
#define DUMP_TRIES 20

struct held {
	char *p;
	size_t len, cap;
};

static int hold(struct cnet_nl *nl, struct held *d, const struct nlmsghdr *h)
{
	size_t need = NLMSG_ALIGN(h->nlmsg_len);

	if (!d->p || d->cap - d->len < need) {
		size_t cap = d->cap ? d->cap : 65536;
		char *p;

		while (cap - d->len < need)
			cap *= 2;
		p = realloc(d->p, cap);
		if (!p)
			return cnet_err(nl->ctx, -ENOMEM, "out of memory");
		d->p = p;
		d->cap = cap;
	}
	memcpy(d->p + d->len, h, h->nlmsg_len);
	memset(d->p + d->len + h->nlmsg_len, 0, need - h->nlmsg_len);
	d->len += need;
	return 0;
}

static int give(struct cnet_nl *nl, const struct nlmsghdr *rh, struct parse_state *ps,
		cnet_nl_raw_cb raw, const char *what)
{
	return raw ? raw(rh, ps->arg) : deliver(nl, rh, ps, what);
}

/* Send the request (again) and read its whole answer: a get's object goes
 * to the callback (its answer is returned), a dump is held in d (0 at its
 * end), *intr says whether the kernel flagged it interrupted. */
static int ask(struct cnet_nl *nl, struct nlmsghdr *h, struct parse_state *ps, cnet_nl_raw_cb raw,
	       struct held *d, bool *intr, const char *what)
{
	struct answer a;
	int r;

	d->len = 0;
	*intr = false;
	r = request(nl, h, &a, what);
	if (r < 0)
		return r;
	for (;;) {
		const struct nlmsghdr *rh;
		int e = next_answer(nl, &a, what);

		if (e < 0)
			return e;
		rh = a.h;
		if (rh->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = true;
		if (rh->nlmsg_type == NLMSG_ERROR) {
			/* A get of an absent object is an answer, not
			 * a failure: the caller words it. */
			r = nlmsg_error(nl, rh, what, true);
			if (r < 0 && r != -ENODEV && r != -ENOENT && r != -ESRCH)
				r = nlmsg_error(nl, rh, what, false);
			return r;
		}
		if (rh->nlmsg_type == NLMSG_DONE) {
			int err = 0;
			if (rh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
				memcpy(&err, mnl_nlmsg_get_payload(rh), sizeof(int));
			if (err == INT_MIN)
				err = -EBADMSG;
			if (err < 0)
				return cnet_err(nl->ctx, err, "cannot %s: %s", what, strerror(-err));
			return r;
		}
		if (!(h->nlmsg_flags & NLM_F_DUMP))
			return give(nl, rh, ps, raw, what);
		/* After a failure, read on to the end all the same. */
		if (r == 0)
			r = hold(nl, d, rh);
	}
}

static int query(struct cnet_nl *nl, struct nl_msg *msg, struct parse_state *ps, cnet_nl_raw_cb raw,
		 const char *what)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct held d = {0};
	bool intr = false;
	int r, tries = 1;

	r = fault(nl, what);
	if (r < 0)
		goto out;
	h->nlmsg_flags |= NLM_F_REQUEST;
	h->nlmsg_pid = 0;
	while ((r = ask(nl, h, ps, raw, &d, &intr, what)) == 0 && intr && tries < DUMP_TRIES) {
		cnet_dbg(nl->ctx, "%s: dump interrupted by a change, asking again", what);
		tries++;
	}
	if (r != 0 || !(h->nlmsg_flags & NLM_F_DUMP))
		goto out;
	if (intr) {
		r = cnet_err(nl->ctx, -EAGAIN,
			     "cannot %s: the kernel's tables changed during each of %d dumps; try again",
			     what, tries);
		goto out;
	}
	/* The first non-zero answer of a callback stops delivery. */
	for (size_t off = 0; off < d.len && r == 0 && ps->r == 0;) {
		const struct nlmsghdr *rh = (const struct nlmsghdr *)(d.p + off);

		off += NLMSG_ALIGN(rh->nlmsg_len);
		r = give(nl, rh, ps, raw, what);
	}
out:
	free(d.p);
	nlmsg_free(msg);
	return r;
}

int cnet_nl_query(struct cnet_nl *nl, struct nl_msg *msg, cnet_nl_obj_cb cb, void *arg,
		  const char *what)
{
	struct parse_state ps = {cb, arg, 0};

	return query(nl, msg, &ps, NULL, what);
}

int cnet_nl_query_raw(struct cnet_nl *nl, struct nl_msg *msg, cnet_nl_raw_cb cb, void *arg,
		      const char *what)
{
	struct parse_state ps = {NULL, arg, 0};

	return query(nl, msg, &ps, cb, what);
}
