// SPDX-License-Identifier: GPL-2.0-or-later
/* nl-forge SECONDS ERROR: a hostile container's task with CAP_NET_ADMIN in
 * its network namespace. It watches /proc/net/netlink for NETLINK_ROUTE
 * sockets that appear after it has started and sends each, as soon as it
 * has a port id, one datagram of forged NLMSG_ERROR replies (error ERROR,
 * e.g. -1 or -2147483648) to that port, for every sequence number from
 * time()-5 to time()+250: a socket that numbers its requests from the time
 * of day finds its next answer there. It prints "ready" once it watches,
 * and on SIGTERM or after SECONDS how many sockets it saw and how many
 * datagrams the kernel accepted for them. For tests/cli/hostile-netlink.bats. */
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BEFORE 5
#define SEQ_AFTER 250
#define MAX_SEEN 1024

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

struct forged {
	struct nlmsghdr h;
	struct nlmsgerr e;
};

static int forge(int fd, unsigned int port, int error)
{
	static struct forged m[SEQ_BEFORE + SEQ_AFTER + 1];
	struct sockaddr_nl to = {.nl_family = AF_NETLINK, .nl_pid = port};
	unsigned int seq = (unsigned int)time(NULL) - SEQ_BEFORE;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].h.nlmsg_len = sizeof(m[i]);
		m[i].h.nlmsg_type = NLMSG_ERROR;
		m[i].h.nlmsg_seq = seq++;
		m[i].h.nlmsg_pid = port;
		m[i].e.error = error;
		m[i].e.msg.nlmsg_len = sizeof(m[i].e.msg);
		m[i].e.msg.nlmsg_seq = m[i].h.nlmsg_seq;
		m[i].e.msg.nlmsg_pid = port;
	}
	return sendto(fd, m, sizeof(m), 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? -1 : 0;
}

/* Calls fn for each NETLINK_ROUTE socket with a port, by inode. */
static void scan(void (*fn)(unsigned long inode, unsigned int port, void *), void *arg)
{
	FILE *f = fopen("/proc/net/netlink", "r");
	char line[512];

	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) { /* header */
		while (fgets(line, sizeof(line), f)) {
			int proto;
			unsigned int port;
			unsigned long inode;

			if (sscanf(line, "%*s %d %u %*s %*s %*s %*s %*s %*s %lu", &proto, &port, &inode) == 3 &&
			    proto == NETLINK_ROUTE && port != 0)
				fn(inode, port, arg);
		}
	}
	fclose(f);
}

struct state {
	unsigned long seen[MAX_SEEN];
	size_t n_seen;
	int fd, error, baseline;
	unsigned int sockets, queued;
};

static void found(unsigned long inode, unsigned int port, void *arg)
{
	struct state *s = arg;

	for (size_t i = 0; i < s->n_seen; i++)
		if (s->seen[i] == inode)
			return;
	if (s->n_seen == MAX_SEEN)
		return;
	s->seen[s->n_seen++] = inode;
	if (s->baseline)
		return;
	s->sockets++;
	if (forge(s->fd, port, s->error) == 0)
		s->queued++;
}

int main(int argc, char **argv)
{
	static struct state s;
	struct sockaddr_nl me = {.nl_family = AF_NETLINK};
	time_t end;

	if (argc != 3) {
		fprintf(stderr, "usage: nl-forge SECONDS ERROR\n");
		return 2;
	}
	end = time(NULL) + atoi(argv[1]);
	s.error = atoi(argv[2]);
	s.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s.fd < 0 || bind(s.fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("nl-forge: netlink socket");
		return 1;
	}
	signal(SIGTERM, on_term);
	s.baseline = 1;
	scan(found, &s);
	s.baseline = 0;
	printf("ready\n");
	fflush(stdout);
	while (!stop && time(NULL) < end)
		scan(found, &s);
	printf("sockets %u queued %u\n", s.sockets, s.queued);
	return 0;
}
