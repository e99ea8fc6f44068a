/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UDP request/response for bench/pair.sh: the median round trip of many
 * small exchanges, one in flight at a time (netperf's UDP_RR, reduced).
 *
 * udp-rr -s [-p PORT]                            echo every datagram back
 * udp-rr -c ADDR [-p PORT] [-n COUNT] [-l SIZE]   print the median in ns
 *
 * The client first waits (up to 5 s) for the server to answer, then sends
 * COUNT / 10 untimed exchanges to warm caches and the path, then COUNT
 * timed ones. Each request carries its sequence number; a late answer to
 * an earlier one is dropped, and a request unanswered within 1 s is sent
 * again (its time restarts; how many were sent again goes to stderr).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

_Noreturn static void die(const char *what)
{
	fprintf(stderr, "udp-rr: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int sock_for(const char *host, const char *port, int server)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	int fd, rc;

	if (server)
		hints.ai_flags |= AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "udp-rr: %s port %s: %s\n", host ? host : "*", port, gai_strerror(rc));
		exit(2);
	}
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if ((server ? bind(fd, ai->ai_addr, ai->ai_addrlen) : connect(fd, ai->ai_addr, ai->ai_addrlen)) < 0)
		die(server ? "bind" : "connect");
	freeaddrinfo(ai);
	return fd;
}

_Noreturn static void serve(const char *port)
{
	int fd = sock_for(NULL, port, 1);
	char buf[65536];
	struct sockaddr_storage from;

	for (;;) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recvfrom");
		}
		if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl) < 0 && errno != EINTR)
			die("sendto");
	}
}

/* One exchange of request SEQ; its round trip in ns, or 0 if unanswered */
/* within the socket's timeout (refused counts as unanswered). */
static uint64_t exchange(int fd, char *buf, size_t len, uint64_t seq)
{
	uint64_t got, t0;

	memcpy(buf, &seq, sizeof(seq));
	t0 = now_ns();
	if (send(fd, buf, len, 0) < 0 && errno != ECONNREFUSED)
		die("send");
	for (;;) {
		ssize_t n = recv(fd, buf, len, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED)
				return 0;
			if (errno == EINTR)
				continue;
			die("recv");
		}
		if ((size_t)n < sizeof(got))
			continue;
		memcpy(&got, buf, sizeof(got));
		if (got == seq)
			return now_ns() - t0;
	}
}

static int client(const char *host, const char *port, long count, long len)
{
	int fd = sock_for(host, port, 0);
	uint64_t *rtt = malloc((size_t)count * sizeof(*rtt)), seq = 0, t, med;
	char *buf = calloc(1, (size_t)len);
	struct timeval tv = { .tv_usec = 50000 };
	long i, retries = 0;

	if (!rtt || !buf)
		die("malloc");
	/* the server may still be starting: short timeouts, up to 5 s */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		die("SO_RCVTIMEO");
	for (t = now_ns(); !exchange(fd, buf, (size_t)len, ++seq);) {
		if (now_ns() - t > 5000000000u) {
			fprintf(stderr, "udp-rr: no answer from %s port %s\n", host, port);
			exit(1);
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	tv = (struct timeval){ .tv_sec = 1 };
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		die("SO_RCVTIMEO");
	for (i = -count / 10; i < count;) {
		t = exchange(fd, buf, (size_t)len, ++seq);
		if (!t) {
			if (++retries > 10) {
				fprintf(stderr, "udp-rr: more than 10 requests unanswered\n");
				exit(1);
			}
			continue;
		}
		if (i >= 0)
			rtt[i] = t;
		i++;
	}
	qsort(rtt, (size_t)count, sizeof(*rtt), cmp_u64);
	med = count % 2 ? rtt[count / 2] : (rtt[count / 2 - 1] + rtt[count / 2]) / 2;
	if (retries)
		fprintf(stderr, "udp-rr: %ld requests sent again\n", retries);
	printf("%llu\n", (unsigned long long)med);
	free(rtt);
	free(buf);
	close(fd);
	return 0;
}

static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "udp-rr: '%s' is not a number in %ld..%ld\n", s, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = "5300";
	long count = 20000, len = 64;
	int opt, server = 0;

	while ((opt = getopt(argc, argv, "sc:p:n:l:")) != -1) {
		switch (opt) {
		case 's': server = 1; break;
		case 'c': host = optarg; break;
		case 'p': port = optarg; break;
		case 'n': count = number(optarg, 1, 10000000); break;
		case 'l': len = number(optarg, (long)sizeof(uint64_t), 65507); break;
		default: goto usage;
		}
	}
	if (optind != argc || server == !!host)
		goto usage;
	if (server)
		serve(port);
	return client(host, port, count, len);
usage:
	fprintf(stderr, "Usage: udp-rr -s [-p PORT] | -c ADDR [-p PORT] [-n COUNT] [-l SIZE]\n");
	return 2;
}
