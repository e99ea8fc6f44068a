/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pipework --wait [-i CIF] [--timeout SEC], run inside the container: wait
 * until CIF exists and is up (pipework returned when it merely existed).
 * It needs no root on the host and opens no store: it asks the kernel
 * of the namespace it runs in.
 */
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* Up: administratively (IFF_UP) and its link (IFF_RUNNING: operstate up,
 * or unknown for links that do not say, as lo). Asked of this network
 * namespace's kernel, not of a sysfs another one may have mounted. */
static bool is_up(int fd, const char *name)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	return ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cli_pipework_wait(int argc, char **argv)
{
	const struct timespec nap = {0, 50000000L};
	const char *cif = "eth1";
	unsigned long timeout = 0;
	double start = now();
	int fd;

	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc || (strcmp(argv[i], "-i") && strcmp(argv[i], "--timeout")))
			return cli_usage_error_code(1, "pipework --wait takes -i IFNAME and --timeout SEC, not '%s'",
						    cli_esc(argv[i]));
		if (!strcmp(argv[i], "-i"))
			cif = argv[i + 1];
		else if (cli_uint(argv[i + 1], 31536000UL, &timeout) < 0)
			return cli_usage_error_code(1, "invalid --timeout '%s' (seconds)", cli_esc(argv[i + 1]));
	}
	if (!*cif || strlen(cif) >= IFNAMSIZ || strchr(cif, '/') || !strcmp(cif, ".") || !strcmp(cif, ".."))
		return cli_usage_error_code(1, "invalid interface name '%s'", cli_esc(cif));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cli_usage_error_code(1, "cannot make a socket: %s", strerror(errno));
	while (!is_up(fd, cif)) {
		if (timeout && now() - start >= (double)timeout) {
			close(fd);
			return cli_usage_error_code(1, "%s did not come up within %lu s", cif, timeout);
		}
		nanosleep(&nap, NULL);
	}
	close(fd);
	return EXIT_OK;
}
