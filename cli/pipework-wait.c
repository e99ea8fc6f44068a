/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pipework --wait [-i CIF] [--timeout SEC], run inside the container: wait
 * until CIF exists and is up (pipework returned when it merely existed).
 * It needs no root on the host and opens no store: it reads the
 * container's own /sys/class/net.
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* /sys/class/net/NAME/ATTR's first line; false if it cannot be read */
static bool read_attr(const char *name, const char *attr, char *buf, size_t len)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, attr);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* Up: administratively (IFF_UP), and its link not down (operstate "up",
 * or "unknown" for links that do not say, as lo). */
static bool is_up(const char *name)
{
	char flags[32], oper[32];

	return read_attr(name, "flags", flags, sizeof(flags)) && (strtoul(flags, NULL, 16) & IFF_UP) &&
	       read_attr(name, "operstate", oper, sizeof(oper)) &&
	       (!strcmp(oper, "up") || !strcmp(oper, "unknown"));
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
	while (!is_up(cif)) {
		if (timeout && now() - start >= (double)timeout)
			return cli_usage_error_code(1, "%s did not come up within %lu s", cif, timeout);
		nanosleep(&nap, NULL);
	}
	return EXIT_OK;
}
