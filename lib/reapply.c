/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cnet_reapply(): bring every record back to what was asked. A record is
 * "ok" when its interface is where it was put, with the recorded name, mark,
 * MTU and MAC and every asked address, route and default route; "stopped"
 * when its target is not running; otherwise it is repaired by undoing what
 * is left of it (detach's undo) and attaching anew from the record, under
 * one store lock. Safe to run from cron: an overlapping reapply returns at
 * once.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cjson/cJSON.h>

#include "attach.h"

static void report_action(struct cnet_result *res, const cJSON *rec, const char *status,
			  const char *reason)
{
	cnet_result_add_action(res, "%s: %s %s in %s%s%s", status, cnet_json_str(rec, "kind"),
			       cnet_json_str(rec, "ifname"), cnet_json_str(rec, "target"),
			       *reason ? ": " : "", reason);
}

/* The record as the result shows it: with its status and reason, and a
 * lease's time left as of now (not stored: it changes); added to the
 * record for the moment it is printed, not to a copy of it. */
void cnet_report_record(struct cnet_result *res, cJSON *rec, const char *status, const char *reason)
{
	cJSON *lj = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "dhcp"), "lease");
	cJSON *st = cJSON_CreateString(status), *why = cJSON_CreateString(reason), *rem = NULL;
	struct cnet_lease l;

	report_action(res, rec, status, reason);
	if (!st || !why) {
		cJSON_Delete(st);
		cJSON_Delete(why);
		return;
	}
	cJSON_AddItemToObject(rec, "status", st);
	cJSON_AddItemToObject(rec, "reason", why);
	if (cnet_lease_from_json(lj, &l) == 0) {
		int64_t left = cnet_lease_left(&l, l.lease, (int64_t)time(NULL));
		rem = cJSON_CreateNumber(l.lease == CNET_LEASE_INFINITE ? -1 : left > 0 ? (double)left : 0);
		if (rem)
			cJSON_AddItemToObject(lj, "remaining", rem);
	}
	cnet_result_add_record(res, rec);
	cJSON_Delete(cJSON_DetachItemViaPointer(rec, st));
	cJSON_Delete(cJSON_DetachItemViaPointer(rec, why));
	if (rem)
		cJSON_Delete(cJSON_DetachItemViaPointer(lj, rem));
}

/* The same for a record this command has not changed: its text as stored,
 * not printed again (a lease's time left is printed, though). */
static void report_unchanged(struct cnet_result *res, struct cnet_store *st, cJSON *rec,
			     const char *status, const char *reason)
{
	size_t len;
	const char *text = cJSON_GetObjectItemCaseSensitive(rec, "dhcp")
				   ? NULL
				   : cnet_record_text(st, cnet_json_str(rec, "id"), &len);

	if (!text) {
		cnet_report_record(res, rec, status, reason);
		return;
	}
	report_action(res, rec, status, reason);
	cnet_result_add_record_text(res, text, len, status, reason);
}

int cnet_record_repair(struct cnet_ctx *ctx, struct cnet_store *st, struct cnet_nl *hnl,
		       struct cnet_target *t, struct cnet_nl *tnl, cJSON *rec, struct cnet_result *res)
{
	struct cnet_result *sub = NULL;
	struct cnet_attach *att;
	cJSON *old;
	int r = 0;

	att = cnet_attach_from_record(ctx, rec);
	if (!att)
		return -EBADMSG;
	/* What the kind locks first (a VF's PF), only tried: the store is
	 * locked. Held by another cnet, the repair fails before anything is
	 * undone. */
	if (att->ops->prepare)
		r = att->ops->prepare(ctx, att, false);
	if (r == 0 && !cnet_record_in_netns(rec, t))
		cnet_record_clear_old(ctx, rec);
	if (r == 0)
		r = cnet_record_undo(ctx, res, st, t, hnl, cnet_record_in_netns(rec, t) ? tnl : NULL, rec);
	if (r < 0)
		goto out;
	old = cJSON_DetachItemViaPointer(st->records, rec);
	r = cnet_result_new(ctx, &sub);
	if (r == 0)
		r = cnet_attach_locked(ctx, att, st, sub);
	if (r < 0) {
		/* the attach's rollback dropped the record: it goes back */
		cJSON_AddItemToArray(st->records, old);
		cnet_store_put_back(st, cnet_json_str(old, "id"));
		cnet_store_save(ctx, st);
	} else {
		cJSON_Delete(old);
	}
out:
	for (size_t i = 0; sub && i < sub->n_warnings; i++)
		cnet_result_add_warning(res, "%s", sub->warnings[i]);
	cnet_result_free(sub);
	if (att->ops->release)
		att->ops->release(ctx, att, false);
	cnet_attach_free(att);
	return r;
}

struct wanted {
	const char *const *targets;
	size_t n;
};

/* Named by its target, or by its peer end's. */
static bool wanted(const cJSON *rec, const void *arg)
{
	const struct wanted *w = arg;
	const char *peer = cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "peer"), "target");

	if (!w->n)
		return true;
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(cnet_json_str(rec, "target"), w->targets[i]) || !strcmp(peer, w->targets[i]))
			return true;
	return false;
}

/* The named targets' records: found by their text, only those parsed. */
static int targets_ids(struct cnet_ctx *ctx, struct cnet_store *st, const struct wanted *w,
		       char (**ids)[9], int *n)
{
	cJSON *rec;
	int r = 0;

	for (size_t i = 0; r == 0 && i < w->n; i++)
		r = cnet_store_load_text(st, "target", w->targets[i]);
	*n = 0;
	*ids = r < 0 ? NULL : calloc((size_t)cJSON_GetArraySize(st->records) + 1, sizeof(**ids));
	if (r == 0 && !*ids)
		r = cnet_err(ctx, -ENOMEM, "out of memory");
	if (r < 0)
		return r;
	cJSON_ArrayForEach(rec, st->records)
	{
		if (wanted(rec, w))
			snprintf((*ids)[(*n)++], 9, "%s", cnet_json_str(rec, "id"));
	}
	cnet_store_drop_view(st);
	return 0;
}

/* Cron may start a reapply while the last one still runs: the second one
 * has nothing to add and leaves at once. */
static int reapply_lock(struct cnet_ctx *ctx, int *fd)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s.reapply", ctx->state_path) >= sizeof(path))
		return cnet_errc(ctx, CNET_ERR_STORE, -ENAMETOOLONG, "state store path too long");
	*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0)
		return errno == ENOENT ? 0 : cnet_errc(ctx, CNET_ERR_STORE, -errno, "%s: %s", path,
							 strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? 1 : cnet_err(ctx, -errno, "%s: %s", path, strerror(errno));
	return 0;
}

/* The interface the repair made: the last record with its name that is
 * no composite's child (a composite's children come after it). */
static cJSON *repaired(struct cnet_store *st, const char *ifname)
{
	cJSON *it, *made = NULL;

	cJSON_ArrayForEach(it, st->records)
	{
		if (!strcmp(cnet_json_str(it, "ifname"), ifname) && !*cnet_json_str(it, "slave_of"))
			made = it;
	}
	return made ? made : cJSON_GetArrayItem(st->records, cJSON_GetArraySize(st->records) - 1);
}

/* A record found as asked, the common case, costs only its reads: no
 * lock, nothing written (what is read unlocked may be a moment old; what
 * is not found as asked goes the locked way below, which reads it again).
 * Touches neither the store's view nor its locks, so that checks run side
 * by side (each with its own ctx and host socket). 1: ok; 0: not known. */
static int fast_ok(struct cnet_ctx *ctx, const struct cnet_store *st, struct cnet_nl *hnl,
		   const cJSON *rec)
{
	struct cnet_target t = {.fd = -1, .proc_fd = -1};
	struct cnet_nl *tnl = NULL;
	char reason[256] = "";
	int c;

	/* a lease's renewal writes; a target another cnet works on is busy;
	 * a peer end is checked the locked way */
	if (cJSON_GetObjectItemCaseSensitive(rec, "dhcp") || cJSON_GetObjectItemCaseSensitive(rec, "peer"))
		return 0;
	c = cnet_record_target(ctx, rec, &t, reason, sizeof(reason));
	if (c == 0 && !cnet_store_target_busy(st, &t))
		c = cnet_nl_open(ctx, t.fd, &tnl);
	else
		c = 1;
	if (c == 0) {
		t.cookie = cnet_nl_netns_cookie(tnl);
		c = cnet_record_in_netns(rec, &t) ? cnet_record_check(ctx, hnl, tnl, t.fd, rec, reason, sizeof(reason)) : 1;
	}
	cnet_nl_close(tnl);
	cnet_target_close(&t);
	cnet_clear_err(ctx);
	return c == 0;
}

/* A record with a peer end: that end's target found as recorded (1: not
 * running, or another process or container now: why in reason). */
static int peer_target(struct cnet_ctx *ctx, const cJSON *rec, struct cnet_target *pt, char *reason,
		       size_t len)
{
	const cJSON *peer = cJSON_GetObjectItemCaseSensitive(rec, "peer");
	char why[256];
	int c;

	if (!peer)
		return 0;
	/* From one container's hook its engine is not asked (ctx->pin_pid):
	 * the other container could not be found. */
	if (ctx->pin_pid > 0) {
		snprintf(reason, len, "a pair is brought back by 'cnet reapply', not by one container's hook");
		return 1;
	}
	c = cnet_record_target(ctx, peer, pt, why, sizeof(why));
	if (c > 0)
		snprintf(reason, len, "peer %s: %s", cnet_json_str(peer, "target"), why);
	return c;
}

/* ... its namespace opened (pnl) and found as recorded (1: another now,
 * the container restarted, taking the whole link with it) ... */
static int peer_where(struct cnet_ctx *ctx, const cJSON *rec, struct cnet_target *pt,
		      struct cnet_nl **pnl, char *reason, size_t len)
{
	const cJSON *peer = cJSON_GetObjectItemCaseSensitive(rec, "peer");
	int c;

	if (!peer)
		return 0;
	c = cnet_nl_open(ctx, pt->fd, pnl);
	if (c < 0)
		return c;
	pt->cookie = cnet_nl_netns_cookie(*pnl);
	if (cnet_record_in_netns(peer, pt))
		return 0;
	snprintf(reason, len, "peer %s: container restarted", cnet_json_str(peer, "target"));
	return 1;
}

/* ... and that end checked there as the record's own is. */
static int peer_check(struct cnet_ctx *ctx, struct cnet_nl *hnl, const cJSON *rec,
		      const struct cnet_target *pt, struct cnet_nl *pnl, char *reason, size_t len)
{
	const cJSON *peer = cJSON_GetObjectItemCaseSensitive(rec, "peer");
	char why[512] = "";
	int c;

	if (!peer)
		return 0;
	c = cnet_record_check(ctx, hnl, pnl, pt->fd, peer, why, sizeof(why));
	if (c > 0)
		snprintf(reason, len, "peer %s: %s", cnet_json_str(peer, "target"), why);
	return c;
}

/* What the check found (c: 0 ok, 1 missing, 2 drifted, < 0), said, and
 * repaired (not in a dry run). */
static int conclude(struct cnet_ctx *ctx, struct cnet_store *st, struct cnet_nl *hnl,
		    struct cnet_target *t, struct cnet_nl *tnl, cJSON *rec, int c, bool dry, char *reason,
		    size_t len, struct cnet_result *res, bool *touched)
{
	char ifname[IFNAMSIZ];

	snprintf(ifname, sizeof(ifname), "%s", cnet_json_str(rec, "ifname"));
	if (c == 0) {
		report_unchanged(res, st, rec, "ok", "");
	} else if (c > 0 && dry) {
		report_unchanged(res, st, rec, c == 2 ? "drifted" : "missing", reason);
		res->changed = true;
	} else if (c > 0) {
		*touched = true;
		c = cnet_record_repair(ctx, st, hnl, t, tnl, rec, res);
		if (c == 0) {
			cnet_report_record(res, repaired(st, ifname), "repaired", reason);
			res->changed = true;
		}
	}
	if (c < 0) {
		snprintf(reason, len, "%s", *ctx->errmsg ? ctx->errmsg : strerror(-c));
		cnet_clear_err(ctx);
		cnet_report_record(res, rec, "failed", reason);
	}
	return c;
}

/* One record: ok, stopped, renewed, repaired (dry: missing or drifted)
 * or failed (returns 1). */
static int reapply_one(struct cnet_ctx *ctx, struct cnet_store *st, struct cnet_nl *hnl, cJSON *rec,
		       bool dry, struct cnet_result *res, bool *touched)
{
	struct cnet_target t = {.fd = -1, .proc_fd = -1}, pt = {.fd = -1, .proc_fd = -1};
	struct cnet_nl *tnl = NULL, *pnl = NULL;
	char reason[1100] = "", id[9];
	int c;

	snprintf(id, sizeof(id), "%s", cnet_json_str(rec, "id"));
	/* The target found without the store lock (an engine's answer can
	 * take long); its lock only tried: a target another cnet is working
	 * on is its business now. */
	cnet_store_unlock(st);
	c = cnet_record_target(ctx, rec, &t, reason, sizeof(reason));
	if (c == 0)
		c = peer_target(ctx, rec, &pt, reason, sizeof(reason));
	if (c == 0 && !dry && (c = cnet_store_lock_target(st, &t, false)) > 0) {
		report_unchanged(res, st, rec, "busy", "another cnet is working on its target");
		c = 0;
		goto out;
	}
	if (!dry) {
		unsigned int rereads = st->rereads;
		int l = cnet_store_relock(st);
		if (l < 0 && c >= 0)
			c = l;
		/* as the store says now: another cnet may have changed it */
		if (l == 0 && !cnet_store_has(st, id))
			goto out;
		if (st->rereads != rereads) {
			cnet_store_drop_view(st);
			rec = cnet_record_by_id(st, id);
			if (!rec)
				goto out;
		}
	}
	if (c > 0) {
		report_unchanged(res, st, rec, "stopped", reason);
		goto out;
	}
	if (c == 0 && dry && cnet_store_target_busy(st, &t)) {
		report_unchanged(res, st, rec, "busy", "another cnet is working on its target");
		goto out;
	}
	if (c == 0)
		c = cnet_nl_open(ctx, t.fd, &tnl);
	if (c == 0) {
		t.cookie = cnet_nl_netns_cookie(tnl);
		if (!cnet_record_in_netns(rec, &t) && cJSON_GetObjectItemCaseSensitive(rec, "cni")) {
			/* a runtime's: it makes its attachments in a new
			 * namespace itself (DEL, then ADD) */
			report_unchanged(res, st, rec, "stopped",
					 "another namespace: its CNI runtime attaches it there");
			goto out;
		} else if (!cnet_record_in_netns(rec, &t)) {
			snprintf(reason, sizeof(reason), "container restarted");
			c = 1;
		} else {
			c = peer_where(ctx, rec, &pt, &pnl, reason, sizeof(reason));
			if (c == 0)
				c = cnet_record_check(ctx, hnl, tnl, t.fd, rec, reason, sizeof(reason));
			if (c == 0)
				c = peer_check(ctx, hnl, rec, &pt, pnl, reason, sizeof(reason));
			/* A lease past T1 is renewed in place. */
			if (c == 0 && !dry && cJSON_GetObjectItemCaseSensitive(rec, "dhcp")) {
				int l;
				*touched = true;
				cnet_store_unlock(st); /* across the DHCP exchange */
				c = cnet_lease_maintain(ctx, t.fd, tnl, rec, false, reason, sizeof(reason));
				if ((l = cnet_store_relock(st)) < 0 && c >= 0)
					c = l;
				if (c == 1) {
					cnet_report_record(res, rec, "renewed", reason);
					res->changed = true;
					c = 0;
					goto out;
				}
			}
		}
	}
	c = conclude(ctx, st, hnl, &t, tnl, rec, c, dry, reason, sizeof(reason), res, touched);
out:
	cnet_nl_close(pnl);
	cnet_nl_close(tnl);
	cnet_target_close(&t);
	cnet_target_close(&pt);
	return c < 0;
}

/* The records ids[0..m): checked side by side (b; NULL: not), then each
 * reported or repaired in order. A negative errno for a store error. */
static int reapply_chunk(struct cnet_ctx *ctx, struct cnet_store *st, struct cnet_nl *hnl,
			 struct cnet_batch *b, char (*ids)[9], int m, bool dry, struct cnet_result *res,
			 int *failed)
{
	bool dirty = false; /* a repair since the chunk was checked */
	int r = 0;

	if (b) {
		cnet_store_unlock(st);
		b->st = st;
		b->n = m;
		for (int j = 0; j < m; j++)
			b->text[j] = cnet_record_text(st, ids[j], &b->len[j]);
		cnet_batch_check(ctx, hnl, b, fast_ok);
	}
	for (int j = 0; j < m && r == 0; j++) {
		cJSON *rec;
		bool touched = false;
		size_t len;
		const char *text;
		cnet_clear_err(ctx);
		if (b && !dirty && b->state[j] == CNET_BATCH_CHILD)
			continue;
		if (b && !dirty && b->state[j] == CNET_BATCH_OK && (text = cnet_record_text(st, ids[j], &len))) {
			/* reported from its stored text, never parsed here */
			cnet_result_add_action(res, "%s", b->line[j]);
			cnet_result_add_record_text(res, text, len, "ok", "");
			continue;
		}
		rec = cnet_record_by_id(st, ids[j]);
		if (!rec && ctx->errclass == CNET_ERR_STORE)
			r = -EBADMSG; /* a record that does not parse: said, not skipped */
		else if (rec && !cnet_record_is_child(st, rec)) {
			/* checked again if a repair came after the check */
			if (b && dirty && (cnet_store_unlock(st), fast_ok(ctx, st, hnl, rec)))
				report_unchanged(res, st, rec, "ok", "");
			else
				*failed += reapply_one(ctx, st, hnl, rec, dry, res, &touched);
		}
		/* a record found as asked is not written (nor printed to see) */
		if (r == 0 && touched)
			r = cnet_store_save(ctx, st);
		cnet_store_unlock_target(st);
		cnet_store_drop_view(st);
		dirty |= touched;
	}
	for (int j = 0; b && j < m; j++) {
		free(b->line[j]);
		b->line[j] = NULL;
	}
	return r;
}

static int reapply(struct cnet_ctx *ctx, const struct wanted *w, const char *container_id,
		   unsigned int flags, struct cnet_result **out)
{
	struct cnet_walk wk = {.st = {.lock_fd = -1, .jfd = -1}};
	struct cnet_result *res = NULL;
	bool dry = flags & CNET_REAPPLY_DRY_RUN;
	struct cnet_batch *b = NULL;
	char needle[96];
	int r, failed = 0, lock_fd = -1;

	r = cnet_result_new(ctx, &res);
	if (r < 0)
		return r;
	/* One container's repair never waits for, nor gives way to, a whole
	 * reapply: the target locks keep the two apart. */
	if (!dry && !container_id) {
		r = reapply_lock(ctx, &lock_fd);
		if (r > 0)
			goto done; /* quietly (exit 0): cron overlap is normal */
		if (r < 0)
			goto out;
	}
	r = cnet_walk_open(ctx, &wk, dry);
	/* Repairs replace records in the list: walk a copy of their ids. */
	if (r == 0)
		r = container_id ? cnet_record_ids(ctx, &wk.st,
						   cnet_container_needle(needle, sizeof(needle), container_id),
						   cnet_record_of_container, container_id, &wk.ids, &wk.n)
		    : w->n	 ? targets_ids(ctx, &wk.st, w, &wk.ids, &wk.n)
				 : cnet_record_ids(ctx, &wk.st, NULL, NULL, NULL, &wk.ids, &wk.n);
	if (r < 0)
		goto out;
	/* One record at a time in memory. Each repair is appended to the
	 * journal as it is done; only the end state needs to be durable
	 * (after a power cut the next reapply does it all again): one
	 * fdatasync at the end. */
	wk.st.volatile_write = true;
	wk.st.batch = true;
	/* Records are checked a chunk at a time, side by side and without
	 * the lock (not on a dry run: it reports what the locked way finds);
	 * then reported, or repaired, in order, one at a time. */
	b = dry ? NULL : calloc(1, sizeof(*b));
	for (int base = 0; base < wk.n; base += CNET_BATCH_MAX) {
		r = reapply_chunk(ctx, &wk.st, wk.hnl, b, wk.ids + base,
				  wk.n - base < CNET_BATCH_MAX ? wk.n - base : CNET_BATCH_MAX, dry, res, &failed);
		if (r < 0)
			goto out;
	}
	if (res->changed && !dry) {
		r = cnet_store_sync(&wk.st);
		if (r < 0)
			goto out;
	}
done:
	r = failed;
	if (out) {
		*out = res;
		res = NULL;
	}
out:
	for (int j = 0; b && j < CNET_BATCH_MAX; j++)
		free(b->line[j]);
	free(b);
	cnet_walk_close(&wk);
	if (lock_fd >= 0)
		close(lock_fd);
	cnet_result_free(res);
	return r;
}

CNET_EXPORT int cnet_reapply(struct cnet_ctx *ctx, const char *const *targets, size_t n_targets,
			     unsigned int flags, struct cnet_result **out)
{
	struct wanted w = {.targets = targets, .n = n_targets};

	cnet_clear_err(ctx);
	if (flags & ~CNET_REAPPLY_DRY_RUN)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown reapply flags %#x", flags);
	return reapply(ctx, &w, NULL, flags, out);
}

CNET_EXPORT int cnet_reapply_container(struct cnet_ctx *ctx, const char *container_id, int pid,
				       unsigned int flags, struct cnet_result **out)
{
	struct wanted w = {.n = 0};
	size_t n = container_id ? strlen(container_id) : 0;
	int r;

	cnet_clear_err(ctx);
	if (flags & ~CNET_REAPPLY_DRY_RUN)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown reapply flags %#x", flags);
	if (n != 64 || strspn(container_id, "0123456789abcdef") != n)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "a container's Id is 64 lowercase hexadecimal digits");
	if (pid < 0 || pid > 4194304)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid PID %d", pid);
	/* Most containers have no records: said by a read, with no lock
	 * taken and nothing created (the hook runs for every container). */
	r = cnet_container_records(ctx, container_id);
	if (r <= 0)
		return r < 0 ? r : out ? cnet_result_new(ctx, out) : 0;
	/* The runtime's word for where the container runs: its engine is not
	 * asked (a hook runs while the engine holds the container's lock). */
	ctx->pin_pid = pid;
	snprintf(ctx->pin_id, sizeof(ctx->pin_id), "%s", container_id);
	r = reapply(ctx, &w, container_id, flags, out);
	ctx->pin_pid = 0;
	ctx->pin_id[0] = '\0';
	return r;
}
