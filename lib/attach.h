/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's own declarations, and the record helpers everything shares. */
#ifndef CNET_ATTACH_H
#define CNET_ATTACH_H

#include "cnet-internal.h"
#include "kind.h"
#include "lease.h"

/* lease.c */
/* Detach: DHCPRELEASE for the record's lease, if it has one still valid.
 * Best effort: a failure is a warning. */
struct cnet_result;
void cnet_lease_release_record(struct cnet_ctx *ctx, int ns_fd, struct cnet_nl *tnl,
			       const struct cJSON *rec, struct cnet_result *res);
/* Detach, the record's namespace gone: its lease's RELEASE sent from the
 * host on link (where the kind says its interface reached the network).
 * 1: sent; 0: no lease left; < 0. */
int cnet_lease_release_from_host(struct cnet_ctx *ctx, const char *link, const struct cJSON *rec);
/* A record removed for good whose namespace is gone: its lease let go
 * from the host link its kind names (said in res; a failure is a
 * warning). Not for a record re-made at once (reapply, a stale one
 * replaced): its client asks for the same address again. */
void cnet_record_release_gone(struct cnet_ctx *ctx, const struct cJSON *rec, struct cnet_result *res);
/* Reapply: renew past T1 (or now, if forced), rebind past T2. 0: nothing
 * due; 1: renewed (record updated, reason says how); 2: a new lease is
 * needed (expired, or none and forced): attach again; < 0. */
int cnet_lease_maintain(struct cnet_ctx *ctx, int ns_fd, struct cnet_nl *tnl, struct cJSON *rec,
			bool force, char *reason, size_t len);
/* The interface a record's addresses are on: its "vlan_link" (a link of
 * its own that carries them), or its link. */
int cnet_record_l3(struct cnet_nl *tnl, const struct cJSON *rec, struct cnet_linkinfo *li);

/* desc.c */
/* A description rebuilt from a record (reapply), or NULL with an error. */
struct cnet_attach *cnet_attach_from_record(struct cnet_ctx *ctx, const struct cJSON *rec);
struct cJSON *cnet_attach_options_json(const struct cnet_attach *att);
/* Bad combinations, refused before anything is touched. */
int cnet_attach_verify(struct cnet_attach *att);

/* attach.c: attach with the store already open and locked; the record
 * goes into st (saved), what was done into res. */
int cnet_attach_locked(struct cnet_ctx *ctx, struct cnet_attach *att, struct cnet_store *st,
		       struct cnet_result *res);

/* Undo a composite's children attached so far (rollback), each as its
 * record says; the error in ctx is kept. */
void cnet_run_rollback_children(struct run *run);

/* configure.c: one end of an attachment in its namespace. */
/* Its name free there, the default routes --gw replaces saved, no
 * asked address in use. */
int cnet_run_preflight_l3(struct run *run);
/* The plan's lines for its MTU, MAC, addresses and routes. */
void cnet_run_plan_l3(struct run *run, struct cnet_result *res);
/* Addresses, name, mark and up, DHCP, routes, default routes and rules;
 * then the wait for IPv6 duplicate address detection, unless
 * run->defer_dad (then cnet_run_wait_dad, once the link has carrier). */
int cnet_run_configure(struct run *run);
int cnet_run_wait_dad(struct run *run);
/* A lease got by an attach that then failed goes back to the server. */
void cnet_run_lease_give_back(struct run *run);
/* record.c: the record of a run, pending or final. */
struct cJSON *cnet_run_record(struct run *run, struct cJSON *options, bool pending);
/* The record for this namespace and name, if any (its index in *idx). */
struct cJSON *cnet_run_find_record(struct run *run, int *idx);
/* Is what the record made still there (by ifindex and mark, or identity)? */
bool cnet_run_record_live(struct run *run, const struct cJSON *rec);

/* check.c */
/* The record's link as recorded (0, with the link that carries its
 * addresses in *l3), or not (1 missing, 2 changed: why in reason); < 0. */
int cnet_record_check_link(struct cnet_nl *hnl, struct cnet_nl *tnl, int ns_fd, const struct cJSON *rec,
			   int *l3, char *reason, size_t len);
/* Does the live interface match the record? If not, why in
 * reason: 1 missing, 2 drifted; 0 all as asked; < 0. */
int cnet_record_check(struct cnet_ctx *ctx, struct cnet_nl *hnl, struct cnet_nl *tnl, int ns_fd,
		      const struct cJSON *rec, char *reason, size_t len);
/* reapply.c: undo what is left of rec and attach anew from it; on failure the old
 * record goes back into the store. */
int cnet_record_repair(struct cnet_ctx *ctx, struct cnet_store *st, struct cnet_nl *hnl,
		       struct cnet_target *t, struct cnet_nl *tnl, struct cJSON *rec,
		       struct cnet_result *res);
/* A record into a result, with its status and reason. */
void cnet_report_record(struct cnet_result *res, struct cJSON *rec, const char *status,
			const char *reason);

/* detach.c */
/* The namespace a restarted target left, when something still holds it
 * (Docker keeps a sandbox's bind mount for up to a minute): the link rec
 * made there removed, so that its MAC and name are free again for the
 * repair (the kernel refuses a second macvlan with that MAC on the
 * parent). Only created links; best effort. 1: removed; 0: not. */
int cnet_record_clear_old(struct cnet_ctx *ctx, const struct cJSON *rec);
/* Undo what rec says attach did (tnl: the namespace if it is the record's
 * and alive, else NULL). The record stays in st; its children's go. */
int cnet_record_undo(struct cnet_ctx *ctx, struct cnet_result *res, struct cnet_store *st,
		     struct cnet_target *t, struct cnet_nl *hnl, struct cnet_nl *tnl,
		     struct cJSON *rec);
/* Undo and drop the record id (st open and locked), its namespace found
 * again through the record (and locked, when alive). 0 done (dry: said),
 * 1 no longer there, < 0. */
int cnet_record_remove(struct cnet_ctx *ctx, struct cnet_store *st, struct cnet_nl *hnl,
		       const char *id, bool dry, struct cnet_result *res);
/* Who owns rec, if not cnet's own command line: "CNI network N, container
 * C" into buf, true; else false. */
bool cnet_record_owner(const struct cJSON *rec, char *buf, size_t len);

#endif
