/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cnet_watch(): follow Docker's and Podman's event streams and act on a
 * container's start (its records brought back), rename (its records follow
 * the name) and removal (said, for gc). One reader thread per engine only
 * reads, parses and queues: it never waits for a repair (a slow reader
 * loses Docker's events). The caller's thread does the work, one job at a
 * time, with the caller's context. On every (re)connection the stream is
 * open first and everything is reconciled second, so that no start falls
 * between the two; a lost stream is tried again after 100 ms, doubling to
 * 5 s; events seen twice (a replay) are acted on once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"

#define QUEUE_MAX 1024 /* full: the events are dropped, and all reconciled */
#define SEEN_MAX 1024  /* events remembered to tell a replay */
#define HEAD_MAX 16384
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define STREAM_LASTED_S 5 /* a stream open this long: the backoff starts over */

enum { J_CONNECTED, J_LOST, J_EVENT };

struct job {
	int kind, engine;
	struct cnet_event ev;
	char msg[200];
};

struct watch {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job q[QUEUE_MAX];
	size_t head, n;
	bool overflow;
	int stop_fd[2]; /* [1] closed: the readers leave */
};

struct reader {
	struct watch *w;
	const char *name;
	pthread_t th;
	unsigned long long seen[SEEN_MAX];
	size_t n_seen;
	long long last_time;
	char *buf; /* one line, at most CNET_EVENT_LINE_MAX bytes (the thread's) */
	size_t len;
	int engine;
	bool started;
	bool skipping; /* in a line that was too long */
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void push(struct watch *w, const struct job *j)
{
	pthread_mutex_lock(&w->mu);
	if (w->n == QUEUE_MAX)
		w->overflow = true;
	else
		w->q[(w->head + w->n++) % QUEUE_MAX] = *j;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void push_msg(struct reader *r, int kind, const char *msg)
{
	struct job j = {.kind = kind, .engine = r->engine};

	snprintf(j.msg, sizeof(j.msg), "%s", msg);
	push(r->w, &j);
}

/* Wait ms, or less if told to stop (then true). */
static bool pause_or_stop(struct reader *r, int ms)
{
	struct pollfd p = {.fd = r->w->stop_fd[0], .events = POLLIN};

	return poll(&p, 1, ms) > 0;
}

/* An event's key: its container, action and time (FNV-1a). 0: none. */
static unsigned long long event_key(const struct cnet_event *ev)
{
	unsigned long long h = 1469598103934665603ULL;

	if (!ev->time_nano)
		return 0;
	for (const char *s = ev->id; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h = (h ^ (unsigned long long)ev->action) * 1099511628211ULL;
	h = (h ^ (unsigned long long)ev->time_nano) * 1099511628211ULL;
	return h ? h : 1;
}

static bool seen_before(struct reader *r, const struct cnet_event *ev)
{
	unsigned long long k = event_key(ev);

	if (!k)
		return false;
	for (size_t i = 0; i < SEEN_MAX && i < r->n_seen; i++)
		if (r->seen[i] == k)
			return true;
	r->seen[r->n_seen++ % SEEN_MAX] = k;
	return false;
}

static void line_in(struct reader *r, const char *line, size_t len)
{
	struct job j = {.kind = J_EVENT, .engine = r->engine};

	switch (cnet_event_parse(line, len, &j.ev)) {
	case CNET_EV_START:
	case CNET_EV_DESTROY:
	case CNET_EV_RENAME:
		if (seen_before(r, &j.ev))
			return;
		if (j.ev.time_nano > r->last_time)
			r->last_time = j.ev.time_nano;
		push(r->w, &j);
		break;
	default:
		break;
	}
}

/* Bytes of the stream: split into lines, each parsed as it ends. */
static void bytes_in(struct reader *r, const char *p, size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		if (!r->skipping && r->len + k > CNET_EVENT_LINE_MAX)
			r->skipping = true; /* no event is that long: dropped */
		if (!r->skipping) {
			memcpy(r->buf + r->len, p, k);
			r->len += k;
		}
		if (nl) {
			if (!r->skipping)
				line_in(r, r->buf, r->len);
			r->len = 0;
			r->skipping = false;
			k++;
		}
		p += k;
		n -= k;
	}
}

/* Connect and ask for the stream; 0 with the socket in *fd and the start
 * of the body taken in, or -1 with why in msg. */
static int subscribe(struct reader *r, int *fd, char *msg, size_t size)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char req[256], head[HEAD_MAX + 1], *end = NULL;
	size_t len = 0;
	ssize_t n;

	memcpy(sa.sun_path, r->sock, sizeof(sa.sun_path));
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0 || connect(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(msg, size, "no %s engine answers at %s: %s", r->name, r->sock, strerror(errno));
		goto fail;
	}
	/* since: what happened while the stream was lost (a replay, told
	 * apart by its keys); the filter: {"type":["container"]} */
	n = snprintf(req, sizeof(req), "GET /events?filters=%%7B%%22type%%22%%3A%%5B%%22container%%22%%5D%%7D");
	if (r->last_time)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "&since=%lld", r->last_time / 1000000000LL);
	n += snprintf(req + n, sizeof(req) - (size_t)n, " HTTP/1.0\r\nHost: localhost\r\n\r\n");
	if (send(*fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		snprintf(msg, size, "cannot ask %s at %s for its events", r->name, r->sock);
		goto fail;
	}
	while (!end && len < HEAD_MAX) {
		struct pollfd p[2] = {{.fd = *fd, .events = POLLIN}, {.fd = r->w->stop_fd[0], .events = POLLIN}};
		if (poll(p, 2, 10000) <= 0 || p[1].revents || (n = read(*fd, head + len, HEAD_MAX - len)) <= 0) {
			snprintf(msg, size, "%s at %s sent no answer to its events request", r->name, r->sock);
			goto fail;
		}
		len += (size_t)n;
		head[len] = '\0';
		end = strstr(head, "\r\n\r\n");
	}
	if (!end || strncmp(head, "HTTP/1.", 7) || strncmp(head + 8, " 200", 4)) {
		snprintf(msg, size, "%s at %s refused its event stream", r->name, r->sock);
		goto fail;
	}
	r->len = 0;
	r->skipping = false;
	bytes_in(r, end + 4, len - (size_t)(end + 4 - head));
	return 0;
fail:
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return -1;
}

static void reader_run(struct reader *r);

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	r->buf = malloc(CNET_EVENT_LINE_MAX);
	if (r->buf)
		reader_run(r);
	else
		push_msg(r, J_LOST, "out of memory");
	free(r->buf);
	return NULL;
}

static void reader_run(struct reader *r)
{
	int backoff = BACKOFF_MIN_MS, fd;
	struct timespec t0, t1;
	bool lost_said = false;
	char msg[200], chunk[16384];

	for (;;) {
		if (subscribe(r, &fd, msg, sizeof(msg)) < 0) {
			if (!lost_said)
				push_msg(r, J_LOST, msg);
			lost_said = true;
			if (pause_or_stop(r, backoff))
				return;
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			continue;
		}
		push_msg(r, J_CONNECTED, "");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = r->w->stop_fd[0], .events = POLLIN}};
			ssize_t n;
			if (poll(p, 2, -1) < 0 && errno != EINTR)
				break;
			if (p[1].revents) {
				close(fd);
				return;
			}
			n = read(fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			bytes_in(r, chunk, (size_t)n);
		}
		close(fd);
		snprintf(msg, sizeof(msg), "%s at %s ended its event stream", r->name, r->sock);
		push_msg(r, J_LOST, msg);
		lost_said = true;
		/* a stream that lasted: the engine restarted; one that ends at
		 * once, again and again, is not reconnected to (and everything
		 * reconciled) ten times a second */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		backoff = t1.tv_sec - t0.tv_sec >= STREAM_LASTED_S ? BACKOFF_MIN_MS
				 : backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
								 : backoff * 2;
		if (pause_or_stop(r, backoff))
			return;
	}
}

/* The records of the container ev names follow its new name, unless
 * they name it by (a prefix of) its Id. */
static int follow_rename(struct cnet_ctx *ctx, const struct cnet_event *ev, struct cnet_result *res)
{
	struct cnet_walk w;
	char needle[96];
	int r;

	if (!*ev->name)
		return 0;
	r = cnet_walk_open(ctx, &w, false);
	if (r == 0)
		r = cnet_record_ids(ctx, &w.st, cnet_container_needle(needle, sizeof(needle), ev->id),
				    cnet_record_of_container, ev->id, &w.ids, &w.n);
	for (int i = 0; r == 0 && i < w.n; i++) {
		cJSON *rec = cnet_record_by_id(&w.st, w.ids[i]), *to;
		const char *was = rec ? cnet_json_str(rec, "target") : "";
		const char *colon = strchr(was, ':');
		size_t pre = colon && (!strncmp(was, "docker:", 7) || !strncmp(was, "podman:", 7)) ? 7 : 0;
		char now[300];
		if (!*was || !strcmp(was + pre, ev->name) || !strncmp(ev->id, was + pre, strlen(was + pre)))
			continue;
		snprintf(now, sizeof(now), "%.*s%s", (int)pre, was, ev->name);
		cnet_result_add_action(res, "renamed: %s %s in %s: now %s", cnet_json_str(rec, "kind"),
				       cnet_json_str(rec, "ifname"), was, now);
		to = cJSON_CreateString(now);
		if (!to || !cJSON_ReplaceItemInObjectCaseSensitive(rec, "target", to)) {
			cJSON_Delete(to);
			r = cnet_err(ctx, -ENOMEM, "out of memory");
			break;
		}
		res->changed = true;
		r = cnet_store_save(ctx, &w.st);
		cnet_store_drop_view(&w.st);
	}
	cnet_walk_close(&w);
	return r;
}

static const char *const event_names[] = {
	[CNET_EV_START] = "start", [CNET_EV_DIE] = "die", [CNET_EV_DESTROY] = "destroy",
	[CNET_EV_RENAME] = "rename",
};

/* One job's report, as one JSON line to fn: what was done ("ok" records
 * only counted), what failed. */
static int report(struct cnet_ctx *ctx, const char *engine, const char *event, const struct job *j,
		  struct cnet_result *res, int r, cnet_watch_fn fn, void *ud)
{
	cJSON *o = cJSON_CreateObject(), *a;
	size_t ok = 0;
	char *line;
	int ret;

	if (!o)
		return 0;
	cJSON_AddStringToObject(o, "engine", engine);
	cJSON_AddStringToObject(o, "event", event);
	if (j && j->kind == J_EVENT) {
		cJSON_AddStringToObject(o, "container", j->ev.id);
		cJSON_AddStringToObject(o, "name", j->ev.name);
		char tn[24];

		/* as an integer: a double prints it with an exponent */
		snprintf(tn, sizeof(tn), "%lld", j->ev.time_nano);
		cJSON_AddRawToObject(o, "time_nano", tn);
	}
	a = cJSON_AddArrayToObject(o, "actions");
	for (size_t i = 0; res && i < cnet_result_n_actions(res); i++) {
		if (!strncmp(cnet_result_action(res, i), "ok: ", 4))
			ok++;
		else
			cJSON_AddItemToArray(a, cJSON_CreateString(cnet_result_action(res, i)));
	}
	cJSON_AddNumberToObject(o, "ok", (double)ok);
	a = cJSON_AddArrayToObject(o, "warnings");
	for (size_t i = 0; res && i < cnet_result_n_warnings(res); i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_result_warning(res, i)));
	cJSON_AddNumberToObject(o, "failed", r > 0 ? r : 0);
	if (r < 0)
		cJSON_AddStringToObject(o, "error", *ctx->errmsg ? ctx->errmsg : strerror(-r));
	else if (j && j->kind == J_LOST)
		cJSON_AddStringToObject(o, "error", j->msg);
	else
		cJSON_AddNullToObject(o, "error");
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	ret = line ? fn(ud, line) : 0;
	free(line);
	return ret;
}

/* One job done and reported; fn's answer. */
static int do_job(struct cnet_ctx *ctx, const struct job *j, const char *engine, cnet_watch_fn fn,
		  void *ud)
{
	struct cnet_result *res = NULL;
	const char *event = j->kind == J_CONNECTED ? "connected"
			    : j->kind == J_LOST	   ? "disconnected"
						   : event_names[j->ev.action];
	int r = 0, ret;

	cnet_clear_err(ctx);
	if (j->kind == J_CONNECTED) {
		r = cnet_reapply(ctx, NULL, 0, 0, &res);
	} else if (j->kind == J_EVENT && j->ev.action == CNET_EV_START) {
		r = cnet_reapply_container(ctx, j->ev.id, 0, 0, &res);
	} else if (j->kind == J_EVENT) {
		r = cnet_result_new(ctx, &res);
		if (r == 0 && j->ev.action == CNET_EV_RENAME)
			r = follow_rename(ctx, &j->ev, res);
		else if (r == 0 && (r = cnet_container_records(ctx, j->ev.id)) > 0)
			r = cnet_result_add_action(res, "gone: %d record%s of %s left for cnet gc", r,
						   r == 1 ? "" : "s", j->ev.id);
	}
	ret = report(ctx, engine, event, j, res, r, fn, ud);
	cnet_result_free(res);
	return ret;
}

/* The next job, or (false) none within a second. */
static bool next_job(struct watch *w, struct job *j, bool *overflow)
{
	struct timespec ts;
	bool have;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 1;
	pthread_mutex_lock(&w->mu);
	while (!w->n && !w->overflow && pthread_cond_timedwait(&w->cv, &w->mu, &ts) != ETIMEDOUT)
		;
	*overflow = w->overflow;
	w->overflow = false;
	have = w->n > 0;
	if (have) {
		*j = w->q[w->head];
		w->head = (w->head + 1) % QUEUE_MAX;
		w->n--;
	}
	pthread_mutex_unlock(&w->mu);
	return have;
}

static int watch_init(struct cnet_ctx *ctx, struct watch *w)
{
	pthread_condattr_t ca;

	if (pipe2(w->stop_fd, O_CLOEXEC) < 0)
		return cnet_err(ctx, -errno, "cannot make a pipe: %s", strerror(errno));
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
}

/* The readers of the engines asked for (none: both). */
static int readers_start(struct cnet_ctx *ctx, struct watch *w, const char *const *engines, size_t n,
			 struct reader *rd)
{
	static const char *const all[] = {"docker", "podman"};

	if (!n) {
		engines = all;
		n = 2;
	}
	for (size_t i = 0; i < n; i++) {
		const char *sock;
		if (!engines[i] || (strcmp(engines[i], "docker") && strcmp(engines[i], "podman")))
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown engine '%s' (docker or podman)",
					 engines[i] ? engines[i] : "");
		sock = !strcmp(engines[i], "docker") ? ctx->docker_sock : ctx->podman_sock;
		if (strlen(sock) >= sizeof(rd[i].sock))
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "%s socket path too long", engines[i]);
		rd[i] = (struct reader){.w = w, .engine = (int)i, .name = engines[i]};
		strcpy(rd[i].sock, sock);
	}
	for (size_t i = 0; i < n; i++) {
		int r = pthread_create(&rd[i].th, NULL, reader_main, &rd[i]);
		if (r)
			return cnet_err(ctx, -r, "cannot start a thread: %s", strerror(r));
		rd[i].started = true;
	}
	return 0;
}

CNET_EXPORT int cnet_watch(struct cnet_ctx *ctx, const char *const *engines, size_t n_engines,
			   cnet_watch_fn fn, void *userdata)
{
	struct reader rd[2] = {{.w = NULL}};
	struct watch *w;
	int r;

	cnet_clear_err(ctx);
	if (!fn || n_engines > 2)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "cnet_watch: a function and one or two engines");
	w = calloc(1, sizeof(*w));
	if (!w)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	r = watch_init(ctx, w);
	if (r < 0) {
		free(w);
		return r;
	}
	r = readers_start(ctx, w, engines, n_engines, rd);
	while (r == 0) {
		struct job j;
		bool over, have = next_job(w, &j, &over);
		if (over) /* events were lost: everything is looked at */
			r = do_job(ctx, &(struct job){.kind = J_CONNECTED}, "all", fn, userdata);
		if (r == 0 && have)
			r = do_job(ctx, &j, rd[j.engine].name, fn, userdata);
		else if (r == 0 && !over)
			r = fn(userdata, NULL);
	}
	close(w->stop_fd[1]); /* the readers see the pipe's end, and leave */
	for (size_t i = 0; i < 2; i++) {
		if (rd[i].started)
			pthread_join(rd[i].th, NULL);
	}
	close(w->stop_fd[0]);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
	return r;
}
