/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by attach.c, detach.c and json.c only. */
#ifndef CNET_ATTACH_H
#define CNET_ATTACH_H

#include "cnet-internal.h"
#include "lease.h"

struct cnet_attach {
	struct cnet_ctx *ctx;
	char *target;
	const char *runtime; /* from a record: resolve target through this one only */
	/* from a record (or a bond's target, for its slaves): the process the
	 * target must still be, by its start time, or the container, by its
	 * Id; 0, "": not recorded */
	unsigned long long pid_start;
	char container_id[65];
	int kind;
	unsigned int flags;
	char ifname[IFNAMSIZ];
	struct cnet_ip ips[32];
	size_t n_ips;
	struct cnet_ip gw4, gw6;
	bool has_gw4, has_gw6;
	struct cnet_route routes[32];
	size_t n_routes;
	unsigned int mtu;
	unsigned char mac[6];
	bool has_mac;
	char parent[IFNAMSIZ]; /* macvlan, vlan */
	int mode;
	int vlan;		 /* macvlan, vlan, bond: the VLAN ID, 0 if none */
	unsigned int vlan_proto; /* 0x8100, 0x88a8 */
	unsigned int vlan_qos;	 /* bond, hw VLAN */
	bool vlan_hw;		 /* bond: tagged by the PF on each VF slave */
	char vlan_ifname[IFNAMSIZ]; /* bond, sw VLAN: its name (default IFNAME.VID) */
	char dev[IFNAMSIZ]; /* host-device */
	char bridge[IFNAMSIZ]; /* veth */
	bool create_bridge;
	char host_ifname[IFNAMSIZ];
	char pf[16]; /* sriov: PF as named (netdev or PCI address) */
	int vf;	     /* -1: any free one */
	bool explicit_vf;
	unsigned int vf_count;
	unsigned int vf_set; /* 1 << enum cnet_vf_field, asked */
	struct cnet_vfinfo vf_want;
	char vf_pf_pci[16];	  /* from a record: the PF by PCI address */
	unsigned int vf_recreate; /* from a record: the VF count the PF had */
	int pf_lock_fd;		  /* held by cnet_attach, else -1 */
	bool made_vfs;		  /* cnet_attach wrote the PF's VF count */
	struct cnet_bond_opts bond; /* bond */
	char slaves[8][48];
	size_t n_slaves;
	char bond_given[32][64]; /* "name=value", as given: the record's */
	size_t n_bond_given;
	bool as_slave;	 /* a bond's slave: left down, unaddressed */
	/* bond of VFs with --ip dhcp: ARP-monitor the lease's router once
	 * bound (decided with the defaults, which are applied once) */
	bool arp_after_lease;
	char slave_of[9]; /* ... whose bond record is this */
	bool dhcp;		  /* --ip dhcp */
	char hostname[64];	  /* DHCP option 12 */
	char resolv_conf[256];	  /* --resolv-conf: in the container's root */
	unsigned int dhcp_timeout_ms;
	bool dhcp_timeout_set;
	uint8_t client_id[CNET_DHCP_MAX_CLIENT_ID]; /* from a record: the same one again */
	size_t client_id_len;
	struct in_addr dhcp_prev; /* from a record: asked for first (INIT-REBOOT) */
	/* reapply: the MAC the interface had, kept without being an option */
	unsigned char mac_hint[6];
	bool has_mac_hint;
};

/* One attach in progress: what it found, and what it has done so far. */
struct run {
	struct cnet_ctx *ctx;
	struct cnet_attach *att;
	struct cnet_result *res;
	struct cnet_target t;
	struct cnet_store *st; /* opened (locked) by the caller */
	struct cnet_nl *hnl, *tnl; /* host, target */
	char id[9], tmp_name[IFNAMSIZ], alias[16], host_name[IFNAMSIZ];
	struct cnet_linkinfo parent; /* macvlan or vlan parent, or veth bridge */
	char lower[IFNAMSIZ];	     /* macvlan --vlan: the host's PARENT.VID */
	bool make_lower, made_lower;
	int lower_ifindex;	     /* ... once made and found */
	struct cnet_linkinfo dev;    /* host-device, as found on the host */
	struct cnet_devid devid;     /* ... and what tells it apart */
	struct cnet_ip dev_addrs[16];
	size_t n_dev_addrs;
	struct cnet_linkinfo link; /* the interface in the target */
	bool make_bridge, made_bridge, created, moved;
	struct cnet_routes replace;    /* default routes --gw will replace */
	struct cnet_routes saved;      /* ... and those it has removed */
	struct cnet_routes dev_routes; /* host routes through a forced device */
	unsigned char bridge_mac[6];   /* of a bridge cnet made */
	struct cnet_pf pf;	       /* sriov */
	struct cnet_vf vf;
	int pf_ifindex, pf_lock_fd;
	struct cnet_vfinfo vf_orig;
	unsigned int vf_changed; /* 1 << enum cnet_vf_field, done */
	bool vf_mac_admin;	 /* the VF's original MAC was administrative */
	char slave_ids[8][9];	 /* bond: the records of its slaves, made so far */
	size_t n_slave_ids;
	bool made_bond;
	struct cnet_lease lease; /* --ip dhcp, once bound */
	bool leased;
	struct cnet_linkinfo vlan; /* bond, sw VLAN: the subinterface on it */
	char vlan_tmp[IFNAMSIZ];
};

static inline bool cnet_kind_moves(int kind)
{
	return kind == CNET_KIND_HOST_DEVICE || kind == CNET_KIND_SRIOV;
}

/* lease.c: a record's "dhcp": {client_id, lease}, and back. */
void cnet_dhcp_record(struct cnet_attach *att, struct cJSON *rec, const struct cnet_lease *l);
void cnet_dhcp_from_record(struct cnet_attach *att, const struct cJSON *rec);
/* Detach: DHCPRELEASE for the record's lease, if it has one still valid.
 * Best effort: a failure is a warning. */
struct cnet_result;
void cnet_lease_release_record(struct cnet_ctx *ctx, int ns_fd, struct cnet_nl *tnl,
			       const struct cJSON *rec, struct cnet_result *res);
/* Reapply: renew past T1 (or now, if forced), rebind past T2. 0: nothing
 * due; 1: renewed (record updated, reason says how); 2: a new lease is
 * needed (expired, or none and forced): attach again; < 0. */
int cnet_lease_maintain(struct cnet_ctx *ctx, int ns_fd, struct cnet_nl *tnl, struct cJSON *rec,
			bool force, char *reason, size_t len);
/* The interface a record's addresses are on (a bond's VLAN, or its link). */
int cnet_record_l3(struct cnet_nl *tnl, const struct cJSON *rec, struct cnet_linkinfo *li);

/* bond.c */
int cnet_bond_check(struct run *run);
int cnet_bond_create(struct run *run);
void cnet_bond_warn(struct run *run, struct cnet_result *res);
int cnet_bond_preflight(struct run *run);
void cnet_bond_rollback(struct run *run);
void cnet_bond_record(const struct run *run, struct cJSON *rec);
void cnet_bond_options(const struct cnet_attach *att, struct cJSON *o);
int cnet_bond_from_record(struct cnet_attach *att, const struct cJSON *rec);
int cnet_bond_up_vlan(struct run *run, int *l3_ifindex);
int cnet_bond_arp_router(struct run *run);
/* detach.c: a bond's slave whose bond is recorded (undone with it). */
bool cnet_record_is_bond_slave(const struct cnet_store *st, const struct cJSON *rec);

/* link-sriov.c */
int cnet_link_has_global_addr(struct cnet_nl *nl, int ifindex); /* 1, 0 or < 0 */
void cnet_sriov_options(const struct cnet_attach *att, struct cJSON *o);
/* The VF settings asked (no MAC, no VLAN), as JSON and back: a bond's. */
void cnet_vf_settings_json(const struct cnet_attach *att, struct cJSON *o);
void cnet_vf_settings_from_json(struct cnet_attach *att, const struct cJSON *o);
int cnet_sriov_from_record(struct cnet_attach *att, const struct cJSON *rec);
int cnet_pf_lock(struct cnet_ctx *ctx, const char *pci, bool dry, int *fd);
int cnet_pf_create_vfs(struct cnet_ctx *ctx, struct cnet_nl *hnl, struct cnet_pf *pf, unsigned int n);
int cnet_sriov_preflight(struct run *run);
void cnet_sriov_plan(struct run *run, struct cnet_result *res);
int cnet_sriov_apply(struct run *run);
int cnet_sriov_netdev_mac(struct run *run);
void cnet_sriov_rollback(struct run *run);
void cnet_sriov_record(const struct run *run, struct cJSON *rec, bool pending);
int cnet_sriov_undo(struct cnet_ctx *ctx, struct cnet_nl *hnl, const struct cJSON *rec,
		    struct cnet_result *res);
int cnet_sriov_wait_back(struct cnet_ctx *ctx, const struct cJSON *rec);
int cnet_sriov_check(struct cnet_ctx *ctx, struct cnet_nl *hnl, const struct cJSON *rec, char *reason,
		     size_t len);

/* json.c */
const char *cnet_json_str(const struct cJSON *o, const char *key);
/* A whole number in [min, max] (hand-edited stores are not trusted), else def. */
long long cnet_json_int(const struct cJSON *o, const char *key, long long min, long long max,
			long long def);
/* A saved route as hex, and back (malloc'd, length-checked). */
struct cJSON *cnet_route_to_json(const struct nlmsghdr *h);
int cnet_route_from_json(const struct cJSON *s, struct nlmsghdr **out);
/* Append the routes in array a to rs; malformed entries are skipped. */
void cnet_routes_from_json(const struct cJSON *a, struct cnet_routes *rs);
bool cnet_record_in_netns(const struct cJSON *rec, const struct cnet_target *t);

/* attach.c: attach with the store already open and locked; the record
 * goes into st (saved), what was done into res. */
int cnet_attach_locked(struct cnet_ctx *ctx, struct cnet_attach *att, struct cnet_store *st,
		       struct cnet_result *res);
/* A description rebuilt from a record (reapply), or NULL with an error. */
struct cnet_attach *cnet_attach_from_record(struct cnet_ctx *ctx, const struct cJSON *rec);

/* devid.c: a lent device's identity, read on the host before it moves;
 * -EINVAL with a message when it has none (it is then not lent). */
int cnet_devid_read(struct cnet_nl *hnl, const struct cnet_linkinfo *li, int target_fd,
		    struct cnet_devid *id);
bool cnet_devid_peer_exists(struct cnet_nl *hnl, const struct cnet_devid *id);
bool cnet_devid_valid(const struct cnet_devid *id);
/* Find it in nl's namespace (ns_fd: that namespace, -1 for the host's,
 * when nl is hnl): 0 and *out, -ENODEV when it is not there. */
int cnet_devid_find(struct cnet_nl *hnl, struct cnet_nl *nl, int ns_fd, const struct cnet_devid *id,
		    struct cnet_linkinfo *out);
/* The parent device still exists (sysfs), wherever its netdev is. */
bool cnet_devid_exists(struct cnet_ctx *ctx, const struct cnet_devid *id);
void cnet_devid_to_json(const struct cnet_devid *id, struct cJSON *o);
bool cnet_devid_from_json(const struct cJSON *o, struct cnet_devid *id);
/* reapply.c: find a record's target again, through the record's runtime
 * only. 1: it is gone (not running, or its PID or name now belongs to
 * another process or container: never act on that one), why says so; 0:
 * found; < 0. */
int cnet_record_target(struct cnet_ctx *ctx, const cJSON *rec, struct cnet_target *t, char *why,
		       size_t len);

/* detach.c */
/* Undo what rec says attach did (tnl: the namespace if it is the record's
 * and alive, else NULL). The record stays in st. */
int cnet_record_undo(struct cnet_ctx *ctx, struct cnet_result *res, struct cnet_store *st,
		     struct cnet_target *t, struct cnet_nl *hnl, struct cnet_nl *tnl,
		     struct cJSON *rec);
int cnet_link_del_by_name(struct cnet_nl *nl, const char *name);
/* Give a moved device back to the host under its original name, MTU, MAC,
 * admin state and addresses. from: the namespace it is in now, or NULL when
 * it is already back on the host. Problems that do not stop the restore
 * become warnings in res (when not NULL). */
int cnet_restore_device(struct cnet_ctx *ctx, struct cnet_nl *from, struct cnet_nl *hnl, int ifindex,
			const struct cnet_linkinfo *orig, const struct cnet_ip *addrs, size_t n_addrs,
			const struct cnet_routes *routes, struct cnet_result *res);

#endif
