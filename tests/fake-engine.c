// SPDX-License-Identifier: GPL-2.0-or-later
/* fake-engine SOCKET DIR [hangup]: answers GET /containers/NAME/json with
 * DIR/NAME.json (200) or a 404, as Docker's API and Podman's compatible API
 * do, over HTTP/1.0. DIR/NAME.http, if there, is sent as it is instead (a
 * hostile engine's answer). hangup: close each connection at once, before
 * reading the request. Every request line is appended to DIR/requests.
 * GET /events streams: headers are sent at once, then DIR/events from its
 * start (a replay) and every line appended to it later; DIR/events.end,
 * when it appears, ends the stream (and is removed); while
 * DIR/events.hangup is there, every stream ends at once. Each connection is
 * its own process, so a stream does not hold up the other answers. For
 * tests of cnet's docker: and podman: targets and cnet watch; real engines
 * are tested where they run. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Every request line, in DIR/requests. */
static void log_request(const char *dir, const char *req)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/requests", dir);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "%.*s\n", (int)strcspn(req, "\r\n"), req);
		fclose(f);
	}
}

/* The event stream: DIR/events as it grows, until DIR/events.end. */
static void stream(int c, const char *dir, const char *req)
{
	static const char head[] = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n";
	char path[512], end[512], buf[4096];
	long off = 0;
	FILE *f;

	(void)req;
	if (write(c, head, sizeof(head) - 1) < 0)
		return;
	snprintf(path, sizeof(path), "%s/events.hangup", dir);
	if (access(path, F_OK) == 0)
		return;
	snprintf(path, sizeof(path), "%s/events", dir);
	snprintf(end, sizeof(end), "%s/events.end", dir);
	for (;;) {
		size_t n = 0;
		f = fopen(path, "r");
		if (f && fseek(f, off, SEEK_SET) == 0)
			n = fread(buf, 1, sizeof(buf), f);
		if (f)
			fclose(f);
		if (n && write(c, buf, n) != (ssize_t)n)
			return;
		off += (long)n;
		if (!n && unlink(end) == 0)
			return;
		if (!n) {
			struct pollfd p = {.fd = c, .events = POLLIN};
			if (poll(&p, 1, 10) > 0) /* the client hung up */
				return;
		}
	}
}

static void answer(int c, const char *dir)
{
	char req[1024] = "", name[256], path[512], body[65536], head[256];
	size_t n = 0;
	FILE *f;

	while (n < sizeof(req) - 1 && !strstr(req, "\r\n\r\n")) {
		ssize_t r = read(c, req + n, sizeof(req) - 1 - n);
		if (r <= 0)
			return;
		n += (size_t)r;
		req[n] = '\0';
	}
	log_request(dir, req);
	if (!strncmp(req, "GET /events", 11)) {
		stream(c, dir, req);
		return;
	}
	if (sscanf(req, "GET /containers/%255[^/]/json HTTP/1.", name) != 1 || strchr(name, '.') == name)
		name[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s.http", dir, name);
	f = name[0] ? fopen(path, "r") : NULL;
	if (f) {
		n = fread(body, 1, sizeof(body), f);
		fclose(f);
		if (write(c, body, n) < 0)
			perror("fake-engine: write");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	f = name[0] ? fopen(path, "r") : NULL;
	if (f) {
		n = fread(body, 1, sizeof(body) - 1, f);
		fclose(f);
		body[n] = '\0';
		snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n");
	} else {
		snprintf(body, sizeof(body), "{\"message\":\"No such container: %s\"}\n", name);
		snprintf(head, sizeof(head), "HTTP/1.0 404 Not Found\r\nContent-Type: application/json\r\n\r\n");
	}
	if (write(c, head, strlen(head)) < 0 || write(c, body, strlen(body)) < 0)
		perror("fake-engine: write");
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s, c;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "hangup")) ||
	    strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: fake-engine SOCKET DIR [hangup]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* no zombies */
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0) {
		perror("fake-engine");
		return 1;
	}
	while ((c = accept(s, NULL, NULL)) >= 0) {
		if (argc == 3 && fork() == 0) {
			close(s);
			prctl(PR_SET_PDEATHSIG, SIGKILL); /* killed with the engine */
			answer(c, argv[2]);
			_exit(0);
		}
		close(c);
	}
	return 1;
}
