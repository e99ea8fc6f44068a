/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cnet_attach(): resolve, validate everything before touching anything,
 * then have the kind create or move the interface straight into the
 * target namespace; name it, address it, route it, and record it. Every
 * step that changed the host or the target is undone, in reverse, when a
 * later one fails. The kinds are reached through their table only
 * (kind.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "attach.h"


static int preflight(struct run *run)
{
	int r = cnet_run_preflight_l3(run);

	return r < 0 || !run->ops->preflight ? r : run->ops->preflight(run);
}

static void plan(struct run *run, struct cnet_result *res)
{
	if (run->ops->plan)
		run->ops->plan(run, res);
	cnet_run_plan_l3(run, res);
	if (run->peer)
		cnet_run_plan_l3(run->peer, res);
	cnet_result_add_action(res, "record the attachment in %s", run->ctx->state_path);
}

/* ---- execution ---------------------------------------------------------- */

/* Make or move the link in (the kind), and know it by its ifindex. */
static int create(struct run *run)
{
	int r = run->ops->create(run);

	if (r < 0 || run->link.ifindex > 0)
		return r;
	r = cnet_link_get(run->tnl, 0, run->tmp_name, &run->link);
	if (r == -ENODEV)
		return cnet_err(run->ctx, r, "the new interface vanished from %s", run->att->target);
	return r;
}

/* The children attached so far, newest first, each as its own record
 * says. A child that cannot be undone keeps its record (no longer a
 * child: its parent's record goes), so that detach or gc finishes it.
 * What detach's undo warns of, or records as an error, is dropped. */
void cnet_run_rollback_children(struct run *run)
{
	struct cnet_result *scratch = NULL;
	struct cnet_err_saved first;
	cJSON *rec;

	cnet_err_save(run->ctx, &first);
	if (cnet_result_new(run->ctx, &scratch) < 0)
		goto out;
	for (size_t i = run->n_children; i-- > 0;) {
		rec = cnet_record_by_id(run->st, run->child_ids[i]);
		if (rec && cnet_record_undo(run->ctx, scratch, run->st, &run->t, run->hnl, run->tnl, rec) == 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(run->st->records, rec));
		cnet_clear_err(run->ctx);
	}
	run->n_children = 0;
out:
	cnet_result_free(scratch);
	cnet_err_restore(run->ctx, &first);
}

/* Undo, newest first. Errors here are logged, not returned: the first
 * failure's message and class are what the caller needs, whatever the undo
 * steps record or clear. A step that failed right after creating or
 * moving something may not know its ifindex yet: the temporary name is
 * unique, so find it by that; a moved device, only by its identity:
 * whatever else answers to its name or ifindex in the container is never
 * taken to the host. */
static void rollback(struct run *run)
{
	struct cnet_ctx *ctx = run->ctx;
	struct cnet_err_saved first;
	struct cnet_linkinfo li;

	cnet_err_save(ctx, &first);
	cnet_store_relock(run->st); /* if configure failed without it */
	if (run->created && run->link.ifindex <= 0 &&
	    cnet_link_get(run->tnl, 0, run->tmp_name, &li) == 0)
		run->link.ifindex = li.ifindex;
	if (run->moved)
		run->link.ifindex = cnet_devid_find(run->hnl, run->tnl, run->t.fd, &run->devid, &li) == 0
					    ? li.ifindex
					    : 0;
	if (run->leased)
		cnet_run_lease_give_back(run);
	cnet_qos_rollback(run);
	for (size_t i = 0; i < run->att->n_rules; i++)
		if (run->rules_added & (1u << i))
			cnet_rule_del(run->tnl, &run->att->rules[i]);
	if (run->created && run->link.ifindex > 0)
		cnet_link_del(run->tnl, run->link.ifindex, "remove the new interface");
	if (run->ops->rollback)
		run->ops->rollback(run);
	cnet_run_rollback_children(run);
	/* The old default routes go back once ours has gone with the link:
	 * while it is there, the kernel refuses them as duplicates. */
	for (size_t i = 0; i < run->saved.n; i++)
		cnet_route_replay(run->tnl, run->saved.msg[i], true, 0, 0,
				  "restore the old default route");
	cnet_err_restore(ctx, &first);
}

/* run->attach_child: as the parent's own target (its process or
 * container, no other), left down and unaddressed, marked as its child. */
static int attach_child(struct run *run, struct cnet_attach *child)
{
	struct cnet_result *sub = NULL;
	cJSON *last;
	int r;

	child->runtime = run->att->runtime ? run->att->runtime : run->t.runtime;
	child->pid_start = run->t.by_pid ? run->t.start_time : 0;
	memcpy(child->container_id, run->t.container_id, sizeof(child->container_id));
	child->as_child = true;
	snprintf(child->child_of, sizeof(child->child_of), "%s", run->id);
	r = cnet_result_new(run->ctx, &sub);
	if (r == 0)
		r = cnet_attach_locked(run->ctx, child, run->st, sub);
	for (size_t k = 0; sub && !(child->flags & CNET_ATTACH_DRY_RUN) && k < sub->n_warnings; k++)
		cnet_result_add_warning(run->res, "%s", sub->warnings[k]);
	cnet_result_free(sub);
	if (r < 0 || (child->flags & CNET_ATTACH_DRY_RUN))
		return r;
	if (run->n_children == ARRAY_SIZE(run->child_ids))
		return cnet_err(run->ctx, -E2BIG, "too many children");
	last = cJSON_GetArrayItem(run->st->records, cJSON_GetArraySize(run->st->records) - 1);
	snprintf(run->child_ids[run->n_children++], 9, "%s", cnet_json_str(last, "id"));
	return 0;
}

/* --replace: undo the attachment that holds the name, attach as asked; if
 * that fails, put the old one back as it was recorded (best effort). */
static int replace(struct run *run, cJSON *existing, cJSON *options)
{
	struct cnet_ctx *ctx = run->ctx;
	struct cnet_attach *old_att = cnet_attach_from_record(ctx, existing);
	unsigned int flags = run->att->flags;
	cJSON *old;
	int r;

	cJSON_Delete(options); /* the new attach builds its own */
	if (!old_att)
		return -EBADMSG;
	cnet_result_add_action(run->res, "replace %s %s in %s", cnet_json_str(existing, "kind"),
			       run->att->ifname, run->att->target);
	if (flags & CNET_ATTACH_DRY_RUN) {
		run->res->changed = true;
		cnet_attach_free(old_att);
		return 0;
	}
	r = cnet_record_undo(ctx, run->res, run->st, &run->t, run->hnl, run->tnl, existing);
	if (r < 0)
		goto out;
	old = cJSON_DetachItemViaPointer(run->st->records, existing);
	r = cnet_store_save(ctx, run->st);
	if (r == 0) {
		run->att->flags &= ~CNET_ATTACH_REPLACE;
		r = cnet_attach_locked(ctx, run->att, run->st, run->res);
		run->att->flags = flags;
	}
	if (r < 0) {
		struct cnet_err_saved first;
		struct cnet_result *sub;

		cnet_err_save(ctx, &first);
		if (cnet_result_new(ctx, &sub) == 0) {
			if (cnet_attach_locked(ctx, old_att, run->st, sub) < 0)
				cnet_result_add_warning(run->res, "the previous attachment could not be restored: %s",
							ctx->errmsg);
			cnet_result_free(sub);
		}
		cnet_err_restore(ctx, &first);
	}
	cJSON_Delete(old);
out:
	cnet_attach_free(old_att);
	return r;
}

/* att->peer: that end's run, its target found as the record says (never
 * another process that has taken a recorded PID, nor another container a
 * recorded name) and its namespace opened: never the target's own (the
 * host's is refused by the lookup). Unlocked: an engine's answer can take
 * long. The peer's target is not locked: what another cnet does there at
 * the same moment meets the kernel's refusals (a name taken). */
static int peer_open(struct run *run)
{
	struct cnet_attach *pa = run->att->peer;
	struct run *p = calloc(1, sizeof(*p));
	const char *why;
	int r;

	if (!p)
		return cnet_err(run->ctx, -ENOMEM, "out of memory");
	*p = (struct run){.ctx = run->ctx, .att = pa, .ops = pa->ops, .t = {.fd = -1, .proc_fd = -1},
			  .st = run->st, .res = run->res, .peer_of = run};
	run->peer = p;
	r = cnet_target_resolve_as(run->ctx, pa->target, pa->runtime, &p->t);
	if (r < 0)
		return r;
	why = cnet_target_other(&p->t, pa->pid_start, pa->container_id);
	if (why)
		return cnet_errc(run->ctx, CNET_ERR_TARGET, -ESRCH, "%s: %s", pa->target, why);
	if (p->t.dev == run->t.dev && p->t.ino == run->t.ino)
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
				 "the peer '%s' is the same network namespace as '%s'", pa->target,
				 run->att->target);
	r = cnet_nl_open(run->ctx, p->t.fd, &p->tnl);
	if (r == 0)
		p->t.cookie = cnet_nl_netns_cookie(p->tnl);
	return r;
}

static void peer_free(struct run *run)
{
	struct run *p = run->peer;

	if (!p)
		return;
	cnet_routes_free(&p->replace);
	cnet_routes_free(&p->saved);
	cnet_nl_close(p->tnl);
	cnet_target_close(&p->t);
	free(p);
	run->peer = NULL;
}

/* Find the target (as recorded, for a repair: never another process that
 * has taken the recorded PID, nor another container that has taken the
 * recorded name) and open both namespaces. */
static int run_open(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_ctx *ctx = run->ctx;
	const char *why;
	int r;

	/* Not under the store lock: an engine's answer can take long. */
	cnet_store_unlock(run->st);
	r = cnet_target_resolve_as(ctx, att->target, att->runtime, &run->t);
	if (r < 0)
		return r;
	why = cnet_target_other(&run->t, att->pid_start, att->container_id);
	if (why)
		return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH, "%s: %s", att->target, why);
	if (att->peer && (r = peer_open(run)) < 0)
		return r;
	if (!(att->flags & CNET_ATTACH_DRY_RUN) && (r = cnet_store_lock_target(run->st, &run->t, true)) < 0)
		return r;
	r = cnet_store_relock(run->st);
	if (r == 0)
		r = cnet_store_load_netns(run->st, &run->t);
	if (r < 0)
		return r;
	r = cnet_nl_open(ctx, -1, &run->hnl);
	if (r == 0)
		r = cnet_nl_open(ctx, run->t.fd, &run->tnl);
	if (r < 0)
		return r;
	run->t.cookie = cnet_nl_netns_cookie(run->tnl);
	if (run->peer)
		run->peer->hnl = run->hnl;
	if (run->ops->run_size && !(run->priv = calloc(1, run->ops->run_size)))
		return cnet_err(ctx, -ENOMEM, "out of memory");
	return 0;
}

/* A record for this name whose interface is still there: the same
 * request changes nothing; another one is refused, or replaces it. */
static int repeat(struct run *run, cJSON *existing, cJSON *options)
{
	struct cnet_attach *att = run->att;

	if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(existing, "options"), options, true) &&
	    !strcmp(cnet_json_str(existing, "kind"), run->ops->name)) {
		cJSON_Delete(options);
		cnet_result_add_record(run->res, existing);
		cnet_result_add_action(run->res, "%s in %s is already attached as asked", att->ifname,
				       att->target);
		return 0;
	}
	if (att->flags & CNET_ATTACH_REPLACE)
		return replace(run, existing, options);
	cJSON_Delete(options);
	return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST,
			 "%s in %s is already attached with other settings (detach it first, or --replace)",
			 att->ifname, att->target);
}

/* Crash consistency: the record goes to disk, pending, before the kernel
 * is touched, so a cnet killed at any later moment leaves nothing that
 * detach, gc or reapply cannot find and undo. Atomic, its data synced
 * (never an unsynced file renamed over the store), its directory not: the
 * rename must survive a killed cnet, which the page cache does; after a
 * power cut none of the kernel state it describes exists any more. The
 * final record is durable. */
static int save_pending(struct run *run, cJSON *options, cJSON **pending)
{
	struct cnet_store *st = run->st;
	bool was = st->volatile_write;
	int r;

	*pending = cnet_run_record(run, cJSON_Duplicate(options, true), true);
	if (!*pending)
		return cnet_err(run->ctx, -ENOMEM, "out of memory");
	cJSON_AddItemToArray(st->records, *pending);
	st->volatile_write = true;
	r = cnet_store_save(run->ctx, st);
	st->volatile_write = was;
	if (r < 0) {
		cJSON_Delete(cJSON_DetachItemViaPointer(st->records, *pending));
		*pending = NULL;
	}
	return r;
}

/* Do it: pending record, create, configure, final record; on a failure,
 * undo and drop the record. Takes options. */
static int run_apply(struct run *run, cJSON *options)
{
	struct cnet_store *st = run->st;
	cJSON *pending, *rec;
	int r = save_pending(run, options, &pending);

	if (r < 0) {
		cJSON_Delete(options);
		return r;
	}
	r = create(run);
	if (r == 0) {
		/* Only in the target from here (and a VF under its PF's lock):
		 * the target's lock is enough across DHCP and DAD. */
		cnet_store_unlock(st);
		/* a pair's ends have carrier once both are up: DAD after */
		run->defer_dad = run->peer != NULL;
		r = cnet_run_configure(run);
		if (r == 0 && run->peer) {
			run->peer->defer_dad = true;
			r = cnet_run_configure(run->peer);
			if (r == 0)
				r = cnet_run_wait_dad(run);
			if (r == 0)
				r = cnet_run_wait_dad(run->peer);
		}
		if (r == 0)
			r = cnet_store_relock(st);
	}
	if (r == 0) {
		rec = cnet_run_record(run, options, false);
		options = NULL; /* owned by rec, even when rec is NULL */
		if (!rec) {
			r = cnet_err(run->ctx, -ENOMEM, "out of memory");
		} else {
			cJSON_ReplaceItemViaPointer(st->records, pending, rec);
			pending = NULL;
			cnet_result_add_record(run->res, rec);
			/* In a batch (reapply) the next save writes it: until then
			 * the pending record on disk covers a crash. */
			r = st->batch ? 0 : cnet_store_save(run->ctx, st);
			if (r < 0)
				pending = rec; /* on disk it is still pending */
		}
	}
	cJSON_Delete(options);
	if (r < 0) {
		rollback(run);
		/* a peer end goes with the link; what its namespace had back */
		if (run->peer)
			rollback(run->peer);
		/* Undone: the record goes. If saving that fails too, it stays
		 * pending on disk, and detach or gc finds nothing to undo. */
		if (pending) {
			cJSON_Delete(cJSON_DetachItemViaPointer(st->records, pending));
			cnet_store_save(run->ctx, st);
		}
	}
	return r;
}

int cnet_attach_locked(struct cnet_ctx *ctx, struct cnet_attach *att, struct cnet_store *st,
		       struct cnet_result *res)
{
	struct run run = {.ctx = ctx, .att = att, .ops = att->ops, .t = {.fd = -1, .proc_fd = -1},
			  .st = st, .res = res, .attach_child = attach_child};
	cJSON *options = NULL, *existing;
	int r, idx = -1;

	r = cnet_attach_verify(att);
	if (r == 0)
		r = run_open(&run);
	if (r == 0 && !(options = cnet_attach_options_json(att)))
		r = cnet_err(ctx, -ENOMEM, "out of memory");
	if (r < 0)
		goto out;
	existing = cnet_run_find_record(&run, &idx);
	if (existing && cnet_run_record_live(&run, existing)) {
		r = repeat(&run, existing, options);
		options = NULL;
		goto out;
	}
	/* A record whose interface is gone is stale (its namespace died, and
	 * its inode number may have been reused): attach anew, replace it.
	 * What it did is undone first, as detach would: what it lent (a
	 * device, a VF and its PF settings) is given back, and what it made
	 * on the host (a bridge, a PARENT.VID) and its lease are let go;
	 * dropping the record would lose how. */
	if (existing && !(att->flags & CNET_ATTACH_DRY_RUN)) {
		r = cnet_record_undo(ctx, res, st, &run.t, run.hnl, run.tnl, existing);
		if (r < 0)
			goto out;
		cJSON_DeleteItemFromArray(st->records, idx);
		r = cnet_store_save(ctx, st);
		if (r < 0)
			goto out;
	}
	r = cnet_new_id(ctx, st, run.id);
	if (r < 0)
		goto out;
	cnet_tmp_name(run.tmp_name, run.id);
	cnet_tmp_name2(run.l3_tmp, run.id);
	cnet_mark_name(run.alias, run.id);
	if (run.peer) {
		/* the same names in another namespace */
		memcpy(run.peer->id, run.id, sizeof(run.id));
		memcpy(run.peer->tmp_name, run.tmp_name, sizeof(run.tmp_name));
		memcpy(run.peer->alias, run.alias, sizeof(run.alias));
	}
	r = preflight(&run);
	if (r == 0 && run.peer)
		r = cnet_run_preflight_l3(run.peer);
	if (r < 0)
		goto out;
	plan(&run, res);
	res->changed = true;
	if (!(att->flags & CNET_ATTACH_DRY_RUN)) {
		r = run_apply(&run, options);
		options = NULL;
	}
out:
	cJSON_Delete(options);
	if (run.priv && run.ops->finish)
		run.ops->finish(&run);
	free(run.priv);
	peer_free(&run);
	cnet_routes_free(&run.replace);
	cnet_routes_free(&run.saved);
	cnet_nl_close(run.tnl);
	cnet_nl_close(run.hnl);
	cnet_target_close(&run.t);
	return r;
}

CNET_EXPORT int cnet_attach(struct cnet_ctx *ctx, struct cnet_attach *att, struct cnet_result **out)
{
	struct cnet_store st = {.lock_fd = -1, .jfd = -1};
	struct cnet_result *res;
	int r;

	cnet_clear_err(ctx);
	/* Bad input is refused before any file or lock is touched. */
	r = cnet_attach_verify(att);
	if (r < 0)
		return r;
	r = cnet_result_new(ctx, &res);
	if (r < 0)
		return r;
	/* Lock order (store.c): whatever the kind locks first (a PF), the
	 * target (run_open), the store. */
	if (att->ops->prepare)
		r = att->ops->prepare(ctx, att, true);
	if (r == 0)
		r = cnet_store_init(ctx, &st, att->flags & CNET_ATTACH_DRY_RUN);
	if (r == 0)
		r = cnet_attach_locked(ctx, att, &st, res);
	cnet_store_close(&st);
	if (att->ops->release)
		att->ops->release(ctx, att, r < 0);
	if (r == 0 && out)
		*out = res;
	else
		cnet_result_free(res);
	return r;
}
