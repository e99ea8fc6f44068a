/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kinds: what the engine (attach.c, detach.c, reapply.c) asks of each kind
 * of attachment, and what every kind shares.
 *
 * Each kind is one file, lib/kind-<name>.c, that ends in its own
 * `const struct cnet_kind_ops`; lib/kinds.c lists them all and is the only
 * file that does. The engine names no kind: it reads the table's data
 * (which options a kind takes, what the common rename-and-up request sets,
 * whether the kind lends a host device or is made of children) and calls
 * its hooks, each optional. A kind keeps its own options in a block of
 * opts_size bytes (att->priv) and its own state during one attach in a
 * block of run_size bytes (run->priv); both start zeroed.
 *
 * Adding a kind: write kind-<name>.c (options, setters for options only it
 * takes, the hooks it needs, its table), add one line to kinds.c and its
 * value to enum cnet_kind in libcnet.h, and its tests. Options more than
 * one kind takes are CNET_OPT_* bits below; shared helpers sit under the
 * kinds (lend.c: lending a host device; parent.c: links on a host parent;
 * pf.c: the PF lock and VF creation; vfopts.c: VF settings), the netlink
 * builders under those (link-*.c).
 *
 * Order of the hooks in one attach: init (at cnet_attach_new) and the
 * setters; verify (before anything is opened, and again under the lock);
 * prepare (before the store is locked; release after it is closed);
 * preflight and plan (nothing changed yet: a dry run stops here); record
 * (pending: before the kernel is touched; final: at the end); create;
 * setup_l3; the common request that names the link and brings it up;
 * post_up; DHCP, then post_lease; addresses and routes. On failure:
 * rollback. Detach: undo, for what only the kind knows; reapply: check.
 */
#ifndef CNET_KIND_H
#define CNET_KIND_H

#include "cnet-internal.h"
#include "lease.h"
#include "rule.h"

/* Options some kinds take; a setter refuses them for the others, naming
 * the kinds that do take them (kinds.c). */
enum cnet_kind_opt {
	CNET_OPT_PARENT = 1u << 0,
	CNET_OPT_MODE = 1u << 1, /* a macvlan's mode */
	CNET_OPT_DEV = 1u << 2,
	CNET_OPT_FORCE = 1u << 3,
	CNET_OPT_BRIDGE = 1u << 4,
	CNET_OPT_HOST_IFNAME = 1u << 5,
	CNET_OPT_VLAN = 1u << 6,
	CNET_OPT_PF = 1u << 7,
	CNET_OPT_VF = 1u << 8,
	CNET_OPT_VF_COUNT = 1u << 9,
	CNET_OPT_VF_SETTINGS = 1u << 10, /* spoofchk, trust, link state, rates */
	CNET_OPT_SLAVE = 1u << 11,
	CNET_OPT_BOND = 1u << 12, /* bond options by name */
	CNET_OPT_VLAN_MODE = 1u << 13,
	CNET_OPT_VLAN_IFNAME = 1u << 14,
	CNET_OPT_IPVLAN = 1u << 15, /* an ipvlan's mode and flags */
	CNET_OPT_VXLAN = 1u << 16,
	CNET_OPT_HOST_ACCESS = 1u << 17,
	CNET_OPT_RAISE_PARENT = 1u << 18,
	CNET_OPT_PEER = 1u << 19, /* an end in a second target (att->peer) */
};

/* Bandwidth limits, as the container sees the directions (qos.c). */
enum { CNET_QOS_EGRESS, CNET_QOS_INGRESS };
struct cnet_qos {
	unsigned long long rate[2]; /* bit/s; 0: none */
	unsigned int burst[2];	    /* bytes; 0: the default */
};

/* --vxlan: the segment a link on a parent rides on instead (vxlan.c). */
struct cnet_vxlan {
	unsigned int vni;	 /* 0: none */
	char dev[IFNAMSIZ];	 /* the underlay */
	struct cnet_ip remotes[16];
	size_t n_remotes;
	struct cnet_ip group;	 /* family 0: none */
	unsigned int port;	 /* 0: 4789 */
};

/* What the common request that names the new link and brings it up also
 * sets (created links had MTU and MAC at birth; the kernel ignores an
 * alias on create). */
enum cnet_rename_sets {
	CNET_SET_MTU = 1u << 0,
	CNET_SET_MAC = 1u << 1,
	CNET_SET_ALIAS = 1u << 2,
};

/* The description (opaque to callers): what every kind shares. */
struct cnet_attach {
	struct cnet_ctx *ctx;
	const struct cnet_kind_ops *ops;
	void *priv; /* the kind's own options */
	char *target;
	const char *runtime; /* from a record: resolve target through this one only */
	/* from a record (or a parent's target, for its children): the process
	 * the target must still be, by its start time, or the container, by
	 * its Id; 0, "": not recorded */
	unsigned long long pid_start;
	char container_id[65];
	unsigned int flags;
	char ifname[IFNAMSIZ];
	struct cnet_ip ips[32];
	size_t n_ips;
	struct cnet_ip gw4, gw6;
	bool has_gw4, has_gw6;
	struct cnet_route routes[32];
	size_t n_routes;
	struct cnet_rule rules[CNET_MAX_RULES];
	size_t n_rules;
	unsigned int mtu;
	unsigned char mac[6];
	bool has_mac;
	char parent[IFNAMSIZ];	 /* CNET_OPT_PARENT */
	char dev[IFNAMSIZ];	 /* CNET_OPT_DEV, or the lent device a kind picked */
	int vlan;		 /* the VLAN ID, 0 if none (set_vlan) */
	unsigned int vlan_proto; /* 0x8100, 0x88a8 */
	unsigned int vlan_qos;
	struct cnet_vxlan vx;	 /* CNET_OPT_VXLAN */
	bool host_access;	 /* CNET_OPT_HOST_ACCESS */
	bool raise_parent;	 /* CNET_OPT_RAISE_PARENT */
	struct cnet_qos qos;	 /* every kind */
	unsigned int vf_set; /* CNET_OPT_VF_SETTINGS: 1 << enum cnet_vf_field, asked */
	struct cnet_vfinfo vf_want;
	/* set by verify: the link that carries the addresses, when it is not
	 * the interface itself (a bond's VLAN); made by setup_l3 */
	char l3_ifname[IFNAMSIZ];
	bool as_child;	  /* a composite's child: left down, unaddressed */
	char child_of[9]; /* ... whose record is this ("slave_of") */
	bool dhcp;		  /* --ip dhcp */
	char hostname[64];	  /* DHCP option 12 */
	char resolv_conf[256];	  /* --resolv-conf: in the container's root */
	unsigned int dhcp_timeout_ms;
	bool dhcp_timeout_set;
	struct cnet_dhcp_ident dhcp_id; /* from a record: the same client id, the address had */
	/* reapply: the MAC the interface had, kept without being an option */
	unsigned char mac_hint[6];
	bool has_mac_hint;
	/* made for a CNI runtime (cnet_attach_set_cni): "" if not */
	char cni_net[CNET_CNI_NAME_MAX + 1], cni_cid[CNET_CNI_NAME_MAX + 1];
	/* CNET_OPT_PEER: the end in a second target, described as an
	 * attachment of its own (target, name, addresses, routes; ops:
	 * cnet_peer_end_ops), NULL if none; is_peer: this is such an end */
	struct cnet_attach *peer;
	bool is_peer;
};

/* One attach in progress: what it found, and what it has done so far. */
struct run {
	struct cnet_ctx *ctx;
	struct cnet_attach *att;
	const struct cnet_kind_ops *ops;
	void *priv; /* the kind's own state */
	struct cnet_result *res;
	struct cnet_target t;
	struct cnet_store *st; /* opened (locked) by the caller */
	struct cnet_nl *hnl, *tnl; /* host, target */
	char id[9], tmp_name[IFNAMSIZ], alias[16];
	struct cnet_linkinfo link; /* the interface in the target */
	bool created;		   /* made in the target (by the kind's create) */
	bool moved;		   /* a lent device moved in: known by devid */
	struct cnet_devid devid;
	struct cnet_linkinfo l3; /* made by setup_l3 (ifindex 0: none) */
	char l3_tmp[IFNAMSIZ];	 /* ... under this name until named */
	struct cnet_routes replace; /* default routes --gw will replace */
	struct cnet_routes saved;   /* ... and those it has removed */
	struct cnet_lease lease;    /* --ip dhcp, once bound */
	bool leased;
	unsigned int rules_added; /* 1 << i: att->rules[i] added (not there before) */
	/* bandwidth limits (qos.c): the ifb, and what was put on the link */
	char qos_ifb[IFNAMSIZ];
	bool qos_made_ifb, qos_root, qos_ingress;
	int qos_ifb_ifindex;
	char child_ids[8][9]; /* a composite's children, attached so far */
	size_t n_children;
	/* The engine, for a composite kind: attach child (a description the
	 * kind made and still owns) as a record of its own, marked as this
	 * one's child; with CNET_ATTACH_DRY_RUN in its flags, only ask. */
	int (*attach_child)(struct run *run, struct cnet_attach *child);
	/* att->peer: that end's run (its target, namespace, temporary name,
	 * link), configured by the engine after this one; the kind's create
	 * makes it (peer->created, peer->link). peer_of: the other way. */
	struct run *peer, *peer_of;
	/* IPv6 DAD: the link to wait on (0: none), and whether the wait
	 * comes later (a pair's ends have carrier once both are up) */
	int dad_l3;
	bool defer_dad;
};

/* Detach's undo of one record, as the kind's hook sees it. */
struct cnet_undo {
	struct cnet_ctx *ctx;
	struct cnet_result *res;
	struct cnet_store *st;
	struct cnet_target *t;
	struct cnet_nl *hnl, *tnl; /* tnl: the record's namespace, NULL if gone */
	bool alive;		   /* the record's namespace is there */
	bool found;		   /* a created link: the engine found and removed it */
	int ifindex;		   /* the recorded one */
};

struct cnet_kind_ops {
	const char *name;
	int kind; /* enum cnet_kind */
	size_t opts_size, run_size;
	unsigned int options; /* CNET_OPT_* it takes */
	unsigned int rename;  /* CNET_SET_*: what the rename-and-up request sets */
	bool moves;	      /* a host device lent to the target, given back on undo */
	bool composite;	      /* made of child attachments, undone with it */
	bool mac_follows;     /* its MAC is its children's business: no drift check */

	void (*init)(struct cnet_attach *att);
	/* --vlan: what it means for this kind (proto: 0x8100 or 0x88a8) */
	int (*set_vlan)(struct cnet_attach *att, unsigned int vid, unsigned int qos,
			unsigned int proto);
	/* Static checks and derived defaults; runs more than once. */
	int (*verify)(struct cnet_attach *att);
	/* The kind's options into the record's "options" (compared on
	 * re-attach: canonical), and back from a record. */
	void (*options_json)(const struct cnet_attach *att, struct cJSON *o);
	int (*from_record)(struct cnet_attach *att, const struct cJSON *rec);
	/* Work before the store is locked (wait: cnet_attach; else a repair,
	 * with the store locked: only try), and its end (failed: undo it). */
	int (*prepare)(struct cnet_ctx *ctx, struct cnet_attach *att, bool wait);
	void (*release)(struct cnet_ctx *ctx, struct cnet_attach *att, bool failed);
	int (*preflight)(struct run *run);
	void (*plan)(struct run *run, struct cnet_result *res);
	/* Make or move the link into the target as run->tmp_name, setting
	 * run->created or run->moved (and run->link, when moved). */
	int (*create)(struct run *run);
	int (*setup_l3)(struct run *run);
	int (*post_up)(struct run *run);
	int (*post_lease)(struct run *run);
	void (*rollback)(struct run *run);
	void (*record)(const struct run *run, struct cJSON *rec, bool pending);
	/* The end of a run, whatever happened: free what the run state holds. */
	void (*finish)(struct run *run);
	int (*undo)(struct cnet_undo *u, struct cJSON *rec);
	/* The host link a record's interface reached its network through
	 * ("": none), for when its namespace is gone: its DHCP lease is let
	 * go from there. */
	const char *(*host_link)(const struct cJSON *rec);
	/* Drift only the kind can see: 1 with a reason, 0, or < 0. */
	int (*check)(struct cnet_ctx *ctx, struct cnet_nl *hnl, const struct cJSON *rec,
		     char *reason, size_t len);
	/* Bandwidth limits go on this host link (its egress is the
	 * container's ingress; 0 until made), out of the container's reach;
	 * without the hook, on the interface in the container. */
	int (*shape_host)(const struct run *run);
};

/* The table of a peer end's description (desc.c): no kind of its own. */
extern const struct cnet_kind_ops cnet_peer_end_ops;

/* ---- kinds.c: the registry ---- */
const struct cnet_kind_ops *cnet_kind_get(int kind);
const struct cnet_kind_ops *cnet_kind_by_name(const char *name);
/* 0 if att's kind takes opt; else -EINVAL: "<what> applies to A and B, not C". */
int cnet_kind_accepts(struct cnet_attach *att, unsigned int opt, const char *what);

/* ---- desc.c: shared by setters ---- */
/* A setter's refusal: its message replaces an earlier one. */
int cnet_attach_invalid(struct cnet_attach *att, const char *fmt, const char *arg);
int cnet_attach_copy_name(struct cnet_attach *att, char dst[IFNAMSIZ], const char *name);
/* set_vlan for links on a VLAN: 1-4094, a priority only if qos_ok. */
int cnet_vlan_set_id(struct cnet_attach *att, unsigned int vid, unsigned int qos, unsigned int proto,
		     bool qos_ok);

/* The MAC a new interface is born with: asked for, or, on reapply, the
 * one it had before (so neighbours' caches stay right), else the kernel's. */
static inline const unsigned char *cnet_new_mac(const struct cnet_attach *att)
{
	return att->has_mac ? att->mac : att->has_mac_hint ? att->mac_hint : NULL;
}

/* -ENODEV as "WHAT 'NAME' does not exist HINT" (class missing); others as they are. */
int cnet_missing(struct cnet_ctx *ctx, int r, const char *what, const char *name, const char *hint);
/* The asked MTU above a limit: refused. */
int cnet_check_mtu(struct run *run, unsigned int limit, const char *what, const char *name);

/* ---- lend.c: a host device lent to the target (host-device, sriov) ---- */
struct cnet_lend {
	struct cnet_linkinfo dev; /* as found on the host */
	struct cnet_ip addrs[16];
	size_t n_addrs;
	struct cnet_routes routes; /* host routes through it (forced) */
};
/* Find att->dev on the host, read its identity (run->devid) and refuse
 * what moving it would break (unless --force). */
int cnet_lend_preflight(struct run *run, struct cnet_lend *l);
/* Move it in as run->tmp_name; run->link found by identity. */
int cnet_lend_move(struct run *run, struct cnet_lend *l);
/* Rollback: back to the host as it was (keep_mac: its MAC comes back
 * another way, a VF's through its PF). */
void cnet_lend_rollback(struct run *run, struct cnet_lend *l, bool keep_mac);
void cnet_lend_record(const struct run *run, const struct cnet_lend *l, struct cJSON *rec);
void cnet_lend_free(struct cnet_lend *l);
/* Detach: give the record's device back (keep_mac as above). */
int cnet_lend_undo(struct cnet_undo *u, const struct cJSON *rec, bool keep_mac);
/* Give a moved device back to the host under its original name, MTU, MAC,
 * admin state and addresses. from: the namespace it is in now, or NULL when
 * it is already back on the host. Problems that do not stop the restore
 * become warnings in res (when not NULL). */
int cnet_restore_device(struct cnet_ctx *ctx, struct cnet_nl *from, struct cnet_nl *hnl, int ifindex,
			const struct cnet_linkinfo *orig, const struct cnet_ip *addrs, size_t n_addrs,
			const struct cnet_routes *routes, struct cnet_result *res);

/* ---- parent.c: links made on a host parent (macvlan, vlan) ---- */
/* The parent: there, up, and the asked MTU within its own. */
int cnet_parent_preflight(struct run *run, const char *name, struct cnet_linkinfo *out);
/* Detach: every link in the container riding on host parent `parent`
 * goes, whatever the container named or marked it (another record's
 * excepted); found: the engine found and removed the record's own. */
int cnet_parent_sweep(struct cnet_undo *u, const struct cJSON *rec, const char *parent);

/* ---- lower.c: the host link made-on-a-parent links ride on (macvlan,
 * ipvlan): the parent, or with --vlan its PARENT.VID, made if missing and
 * removed by its last record ---- */
struct cnet_lower {
	struct cnet_linkinfo link; /* the parent, its PARENT.VID, or vx<VNI> */
	char name[IFNAMSIZ];	   /* --vlan: PARENT.VID; --vxlan: vx<VNI> */
	bool make, made;
	int ifindex;		    /* ... once made and found */
	int raise;		    /* the parent's ifindex, if down and to be brought up */
	bool raised;		    /* ... and brought up */
	struct cnet_linkinfo under; /* --vxlan: the underlay */
};
/* --parent given, PARENT.VID within 15 bytes. */
int cnet_lower_verify(struct cnet_attach *att, const char *kind);
/* "vlan", "vlan_proto", "vxlan" into a record's options (after the
 * kind's own); those and "parent" back. */
void cnet_lower_json(const struct cnet_attach *att, struct cJSON *o);
int cnet_lower_from_record(struct cnet_attach *att, const struct cJSON *o);
/* The parent there and up, PARENT.VID that VLAN or to be made, the asked
 * MTU within the parent's. */
int cnet_lower_preflight(struct run *run, struct cnet_lower *l);
void cnet_lower_plan(const struct run *run, const struct cnet_lower *l, struct cnet_result *res);
/* The name of the host link the new one rides on. */
const char *cnet_lower_name(const struct run *run, const struct cnet_lower *l);
/* Make PARENT.VID if it is to be made (then l->link is it). */
int cnet_lower_make(struct run *run, struct cnet_lower *l);
void cnet_lower_rollback(struct run *run, const struct cnet_lower *l);
/* "host": {vlan_dev, created_vlan_dev, vlan_dev_ifindex} with --vlan. */
void cnet_lower_record(const struct run *run, const struct cnet_lower *l, struct cJSON *rec,
		       bool pending);
/* Detach: what rides on it in the container swept; a PARENT.VID cnet
 * made removed with its last user. */
int cnet_lower_undo(struct cnet_undo *u, struct cJSON *rec);
/* ... that last part alone. */
int cnet_lower_undo_made(struct cnet_undo *u, const struct cJSON *rec);
const char *cnet_lower_host_link(const struct cJSON *rec);
/* ops->check: a parent to raise (raise_parent) that is down again. */
int cnet_lower_check(struct cnet_ctx *ctx, struct cnet_nl *hnl, const struct cJSON *rec, char *reason,
		     size_t len);
/* The hooks of a kind whose run state is its struct cnet_lower (run_size
 * sizeof(struct cnet_lower)), and --vlan as PARENT.VID (no priority). */
int cnet_lower_set_vlan(struct cnet_attach *att, unsigned int vid, unsigned int qos, unsigned int proto);
int cnet_lower_preflight_hook(struct run *run);
void cnet_lower_rollback_hook(struct run *run);
void cnet_lower_record_hook(const struct run *run, struct cJSON *rec, bool pending);

/* ---- vxlan.c: --vxlan, the lower as a VXLAN segment ---- */
int cnet_vxlan_verify(struct cnet_attach *att);
void cnet_vxlan_json(const struct cnet_attach *att, struct cJSON *o);
int cnet_vxlan_from_json(struct cnet_attach *att, const struct cJSON *o);
int cnet_vxlan_preflight(struct run *run, struct cnet_lower *l);
void cnet_vxlan_plan(const struct run *run, const struct cnet_lower *l, struct cnet_result *res);
int cnet_vxlan_make(struct run *run, struct cnet_lower *l);

/* ---- shim.c: --host-access, a host-side macvlan to a lower ---- */
struct cnet_shim {
	char name[IFNAMSIZ];
	struct cnet_linkinfo link; /* ifindex 0: to be made */
	bool made;
	int ifindex; /* ... once made and found */
	struct cnet_ip routes[32]; /* host routes added */
	size_t n_routes;
};
int cnet_shim_verify(struct cnet_attach *att, bool bridge_mode);
int cnet_shim_preflight(struct run *run, struct cnet_shim *s, const char *lower, int lower_ifindex);
void cnet_shim_plan(const struct run *run, const char *lower, struct cnet_result *res);
int cnet_shim_make(struct run *run, struct cnet_shim *s, const struct cnet_linkinfo *lower);
void cnet_shim_rollback(struct run *run, const struct cnet_shim *s);
void cnet_shim_record(const struct run *run, const struct cnet_shim *s, struct cJSON *rec, bool pending);
int cnet_shim_undo(struct cnet_undo *u, const struct cJSON *rec);
/* Reapply: 1 (with a reason) if the shim or a host route is gone. */
int cnet_shim_check(struct cnet_nl *hnl, const struct cJSON *rec, char *reason, size_t len);

/* ---- qos.c: bandwidth limits, any kind ---- */
bool cnet_qos_wanted(const struct cnet_attach *att);
void cnet_qos_json(const struct cnet_attach *att, struct cJSON *o);
int cnet_qos_from_json(struct cnet_attach *att, const struct cJSON *o);
void cnet_qos_plan(struct run *run, struct cnet_result *res);
/* Once the link is up: tbf, ifb, ingress and redirect as asked. */
int cnet_qos_apply(struct run *run);
void cnet_qos_rollback(struct run *run);
/* "qos" in the record. */
void cnet_qos_record(struct run *run, struct cJSON *rec, bool pending);
/* Detach, before the kind's undo (moves: a lent device). */
int cnet_qos_undo(struct cnet_undo *u, const struct cJSON *rec, bool moves);
/* Reapply: 1 with a reason if a limit is gone or changed. */
int cnet_qos_check(struct cnet_nl *hnl, struct cnet_nl *tnl, const struct cJSON *rec, char *reason,
		   size_t len);

/* ---- pf.c: the PF lock and VF creation (sriov, cnet vf) ---- */
int cnet_pf_lock(struct cnet_ctx *ctx, const char *pci, bool dry, int *fd);
/* The same, never waiting (the store is locked: lock order PF, store). */
int cnet_pf_trylock(struct cnet_ctx *ctx, const char *pci, int *fd);
int cnet_pf_create_vfs(struct cnet_ctx *ctx, struct cnet_nl *hnl, struct cnet_pf *pf, unsigned int n);

/* ---- vfopts.c: VF settings (sriov, and a bond's VF slaves) ---- */
/* As JSON (fields: 1 << enum cnet_vf_field), and back (returns fields). */
void cnet_vfinfo_json(struct cJSON *o, const struct cnet_vfinfo *v, unsigned int fields);
unsigned int cnet_vfinfo_from_json(const struct cJSON *o, struct cnet_vfinfo *v);
/* The settings asked of from (no MAC, no VLAN), asked of to through the setters. */
int cnet_vf_settings_copy(struct cnet_attach *to, const struct cnet_attach *from);
/* sriov's verify: a whole-Mbit/s --egress-rate as the VF's max rate. */
int cnet_vf_egress_as_rate(struct cnet_attach *att);

#endif
