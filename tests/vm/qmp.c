// SPDX-License-Identifier: GPL-2.0-or-later
/* qmp SOCKET NETDEV up|down: set one QEMU netdev's link through QMP.
 * The rig's only way to cut a link from outside the guest; it sends
 * nothing but qmp_capabilities and set_link. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Read until a line holding "return" (success) or "error" (failure). */
static int answer(FILE *f)
{
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "\"return\""))
			return 0;
		if (strstr(line, "\"error\"")) {
			fprintf(stderr, "qmp: %s", line);
			return -1;
		}
	}
	fprintf(stderr, "qmp: no answer\n");
	return -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	FILE *f;
	int fd;

	if (argc != 4 || (strcmp(argv[3], "up") && strcmp(argv[3], "down")) ||
	    strspn(argv[2], "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(argv[2]) ||
	    strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: qmp SOCKET NETDEV up|down\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("qmp: connect");
		return 1;
	}
	f = fdopen(fd, "r+");
	if (!f)
		return 1;
	setvbuf(f, NULL, _IONBF, 0);
	if (!fgets((char[4096]){0}, 4096, f)) /* the greeting */
		return 1;
	fputs("{\"execute\":\"qmp_capabilities\"}\n", f);
	if (answer(f) < 0)
		return 1;
	fprintf(f, "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"%s\",\"up\":%s}}\n", argv[2],
		strcmp(argv[3], "up") ? "false" : "true");
	return answer(f) < 0 ? 1 : 0;
}
