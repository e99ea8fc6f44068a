/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcnet: wire network interfaces into Linux containers.
 *
 * Conventions, for every function below:
 * - The first argument is a context (or an object made from one).
 * - Functions return 0 (or a count) on success and a negative errno on
 *   failure. Kernel errors keep the kernel's errno. After a failure,
 *   cnet_ctx_errmsg() returns a one-line message (kernel extended-ack text
 *   included) and cnet_ctx_errclass() says what kind of failure it was.
 * - Nothing here prints, exits or runs another program.
 * - Objects are opaque and filled through setters, so that new kinds and
 *   options never change a structure a caller was compiled against.
 * - A context, and everything made from it, is used by one thread at a
 *   time. Attach and detach move the calling thread into the target's
 *   network namespace for moments and always back; "the host" is the
 *   namespace of the thread that first used the context.
 * - cnet_reapply() checks records on a second thread of its own, joined
 *   before it returns; the log function is called on the caller's thread
 *   only.
 */
#ifndef LIBCNET_H
#define LIBCNET_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cnet_ctx;
struct cnet_attach;
struct cnet_result;

/* ---- context ----------------------------------------------------------- */

/* Allocate a context. Returns 0 or -ENOMEM. Free with cnet_ctx_free(). */
int cnet_ctx_new(struct cnet_ctx **ctx);
void cnet_ctx_free(struct cnet_ctx *ctx);

/* The message of the last failure, valid until the next call on ctx.
 * Never NULL (empty when there was no failure). */
const char *cnet_ctx_errmsg(const struct cnet_ctx *ctx);

/* What kind of failure the last one was; the CLI's exit codes follow it. */
enum cnet_errclass {
	CNET_ERR_NONE = 0,
	CNET_ERR_FAILED = 1,	/* a runtime failure (the kernel refused, I/O) */
	CNET_ERR_INVALID = 2,	/* bad input: syntax, or values the host cannot take */
	CNET_ERR_TARGET = 3,	/* target not found, not running, or the host itself */
	CNET_ERR_BUSY = 4,	/* name or address taken, lock timeout, device in use */
	CNET_ERR_MISSING = 5,	/* parent, bridge or device absent or down */
	CNET_ERR_STORE = 6,	/* state store unreadable, corrupt or from a newer schema */
};
int cnet_ctx_errclass(const struct cnet_ctx *ctx);

/* State store path; default /var/lib/cnet/state.json, or $CNET_STATE when set
 * at cnet_ctx_new() time. The string is copied. */
int cnet_ctx_set_state_path(struct cnet_ctx *ctx, const char *path);
const char *cnet_ctx_get_state_path(const struct cnet_ctx *ctx);

/* How long to wait for the state store's lock before failing with -EBUSY
 * (CNET_ERR_BUSY). Default 30000 ms; 0 fails at once. */
int cnet_ctx_set_lock_timeout(struct cnet_ctx *ctx, unsigned int ms);

/* The unix socket of a container engine's API: engine "docker" (default
 * /var/run/docker.sock, or $CNET_DOCKER_SOCK) or "podman" (default
 * /run/podman/podman.sock, or $CNET_PODMAN_SOCK). */
int cnet_ctx_set_engine_socket(struct cnet_ctx *ctx, const char *engine, const char *path);

/* Where sysfs is (default /sys, or $CNET_SYSFS_ROOT): SR-IOV PFs and VFs
 * are found under it. For tests on a fake tree. */
int cnet_ctx_set_sysfs_root(struct cnet_ctx *ctx, const char *path);

/* Optional debug log: fn is called with one line, no trailing newline. */
typedef void (*cnet_log_fn)(void *userdata, const char *line);
void cnet_ctx_set_log_fn(struct cnet_ctx *ctx, cnet_log_fn fn, void *userdata);

/* Library version, e.g. "0.1.0". */
const char *cnet_version(void);

/* ---- validation helpers (pure, no privileges needed) ------------------- */

/* 0 if name is a usable interface name (1-15 bytes, no '/', ':' or white
 * space, not "." or ".."), else -EINVAL with a message in ctx. */
int cnet_check_ifname(struct cnet_ctx *ctx, const char *name);

/* ---- attach ------------------------------------------------------------ */

/* Attachment kinds. Values are stable. */
enum cnet_kind {
	CNET_KIND_MACVLAN = 1,
	CNET_KIND_HOST_DEVICE = 2,
	CNET_KIND_VETH = 3,
	CNET_KIND_SRIOV = 4,
	CNET_KIND_VLAN = 5,
	CNET_KIND_BOND = 6,
	CNET_KIND_IPVLAN = 7,
	CNET_KIND_PAIR = 8,
};
/* "macvlan", "host-device", "veth", "sriov", "vlan", "bond", "ipvlan", "pair" <-> enum cnet_kind.
 * Unknown: -EINVAL. */
int cnet_kind_from_string(const char *name);
const char *cnet_kind_to_string(int kind);

/*
 * Describe an attachment of `kind` into `target`. Targets:
 *   pid:PID        the network namespace of a process
 *   netns:NAME     a named namespace (/run/netns/NAME)
 *   docker:NAME    a running Docker container (name or ID), by its API
 *   podman:NAME    a running Podman container, by its Docker-compatible API
 *   container:NAME a Docker container, else a Podman one (never a
 *                  namespace or a PID, even if NAME is all digits)
 *   /path          a namespace file (/proc/PID/ns/net, /run/netns/NAME)
 *   NAME           a named namespace; all digits: a PID; else a Docker,
 *                  then a Podman container of that name
 * The target is resolved by cnet_attach(), not here.
 */
int cnet_attach_new(struct cnet_ctx *ctx, const char *target, int kind,
		    struct cnet_attach **att);
void cnet_attach_free(struct cnet_attach *att);

/* Setters validate their input and return -EINVAL (class CNET_ERR_INVALID)
 * with a message in the context on bad values. Strings are copied. */
int cnet_attach_set_ifname(struct cnet_attach *att, const char *ifname); /* default eth1 */
int cnet_attach_add_ip(struct cnet_attach *att, const char *cidr);	  /* ADDR/PLEN, v4 or v6, or "dhcp" */
int cnet_attach_add_gateway(struct cnet_attach *att, const char *addr);  /* one per family */
int cnet_attach_add_route(struct cnet_attach *att, const char *spec);	  /* DEST/PLEN[@VIA][,metric=N][,table=N] */
/* A policy routing rule in the container, kept with the attachment (at
 * most 8): "from=PREFIX" and/or "to=PREFIX" (neither: all IPv4 traffic),
 * "table=N" (or main), and "priority=N" if wanted, comma-separated. */
int cnet_attach_add_rule(struct cnet_attach *att, const char *spec);
int cnet_attach_set_mtu(struct cnet_attach *att, unsigned int mtu);
int cnet_attach_set_mac(struct cnet_attach *att, const char *mac);	  /* unicast only */
/* --ip dhcp: the hostname sent (option 12), and how long to wait for a
 * lease (default 10000 ms). */
int cnet_attach_set_hostname(struct cnet_attach *att, const char *hostname);
int cnet_attach_set_dhcp_timeout(struct cnet_attach *att, unsigned int ms);
/* --ip dhcp: write the lease's DNS servers and domain to this path inside
 * the container's root (needs a target with a process). */
int cnet_attach_set_resolv_conf(struct cnet_attach *att, const char *path);
/* macvlan */
int cnet_attach_set_parent(struct cnet_attach *att, const char *ifname);
int cnet_attach_set_macvlan_mode(struct cnet_attach *att, const char *mode);
/* ipvlan: mode "l2" (default), "l3" or "l3s"; flags "bridge" (default),
 * "private" or "vepa". --parent and --vlan as macvlan's. */
int cnet_attach_set_ipvlan_mode(struct cnet_attach *att, const char *mode);
int cnet_attach_set_ipvlan_flags(struct cnet_attach *att, const char *flags);
/* macvlan, ipvlan on a VXLAN segment instead of --parent: the host device
 * vx<VNI> (VNI 1-16777215) on the underlay interface, made if missing and
 * removed by the last record on it; its remotes (IPv4 or IPv6, repeatable)
 * get broadcast and unknown traffic, or a multicast group does; the UDP
 * port defaults to 4789. */
int cnet_attach_set_vxlan(struct cnet_attach *att, unsigned int vni);
int cnet_attach_set_vxlan_dev(struct cnet_attach *att, const char *underlay);
int cnet_attach_add_vxlan_remote(struct cnet_attach *att, const char *addr);
int cnet_attach_set_vxlan_group(struct cnet_attach *att, const char *addr);
int cnet_attach_set_vxlan_port(struct cnet_attach *att, unsigned int port);
/* Bandwidth limits, any kind, as the container sees the directions:
 * rate as tc writes it ("20mbit", "1gbit", "500kbps", a bare number of
 * bit/s; 8kbit to 16gbit), burst in bytes ("32k", "1m"; NULL: 10 ms of
 * the rate, at least 16k). A veth is shaped on its host end, any other
 * kind on its interface in the container. */
int cnet_attach_set_egress(struct cnet_attach *att, const char *rate, const char *burst);
int cnet_attach_set_ingress(struct cnet_attach *att, const char *rate, const char *burst);
/* macvlan: the host reaches the interface's addresses through a host-side
 * macvlan (one per parent, shared) and a host route to each address. */
int cnet_attach_set_host_access(struct cnet_attach *att, bool on);
/* macvlan, ipvlan: a --parent that is down is brought up, as pipework
 * did, and down again when the last record on it goes (default: a parent
 * that is down is refused, CNET_ERR_MISSING). */
int cnet_attach_set_raise_parent(struct cnet_attach *att, bool on);
/* host-device */
int cnet_attach_set_device(struct cnet_attach *att, const char *ifname);
/* veth */
int cnet_attach_set_bridge(struct cnet_attach *att, const char *bridge, bool create);
int cnet_attach_set_host_ifname(struct cnet_attach *att, const char *ifname);
/* pair: one veth whose other end is created straight in the namespace of
 * target (as cnet_attach_new takes it; not the host's, not the
 * attachment's own), with no end on the host; one record covers both. */
int cnet_attach_set_peer(struct cnet_attach *att, const char *target);
/* That end's description, owned by att (NULL before cnet_attach_set_peer):
 * its name (default "eth1"), static addresses, default routes and routes
 * go through cnet_attach_set_ifname, cnet_attach_add_ip,
 * cnet_attach_add_gateway and cnet_attach_add_route; nothing else. */
struct cnet_attach *cnet_attach_peer(struct cnet_attach *att);
/* sriov: the PF (host netdev or PCI address), which VF (default: a free
 * one), how many VFs to create if it has none, and what the PF sets for
 * the VF. --mac (cnet_attach_set_mac) is set through the PF and on the VF. */
int cnet_attach_set_pf(struct cnet_attach *att, const char *pf);
int cnet_attach_set_vf(struct cnet_attach *att, unsigned int index);
int cnet_attach_set_vf_count(struct cnet_attach *att, unsigned int n);
/* VLAN, one meaning per kind: sriov: the VF's hardware VLAN (with QoS);
 * macvlan: the macvlan sits on the host subinterface PARENT.VID, created
 * if missing; vlan: the subinterface's ID (required); bond: see below.
 * proto: "802.1Q" (NULL) or "802.1ad"; qos only for sriov and a bond's
 * "hw" VLAN. */
int cnet_attach_set_vlan(struct cnet_attach *att, unsigned int vid, unsigned int qos,
			 const char *proto);
/* bond --vlan: mode "sw" (default) adds a VLAN subinterface on the bond in
 * the container, named ifname (default IFNAME.VID), which takes the
 * addresses and routes; "hw" has the PF tag each VF slave instead. */
int cnet_attach_set_vlan_mode(struct cnet_attach *att, const char *mode);
int cnet_attach_set_vlan_ifname(struct cnet_attach *att, const char *ifname);
/* The VF settings below apply to sriov, and to each VF slave of a bond. */
int cnet_attach_set_vf_spoofchk(struct cnet_attach *att, bool on);
int cnet_attach_set_vf_trust(struct cnet_attach *att, bool on);
int cnet_attach_set_vf_link_state(struct cnet_attach *att, const char *state); /* auto, enable, disable */
int cnet_attach_set_vf_rate(struct cnet_attach *att, unsigned int min_mbps, unsigned int max_mbps);
/* bond: its slaves, each "sriov:PF", "sriov:PF/VF", "dev:IF" or
 * "macvlan:PARENT" (repeat, in order; inside the container they are named
 * IFNAMEsN), and its options by their command-line names (mode, miimon,
 * updelay, downdelay, arp-interval, arp-ip-target, arp-validate,
 * arp-all-targets, primary, fail-over-mac, xmit-hash-policy, lacp-rate,
 * min-links). */
int cnet_attach_add_bond_slave(struct cnet_attach *att, const char *spec);
int cnet_attach_set_bond_option(struct cnet_attach *att, const char *name, const char *value);

enum cnet_attach_flags {
	CNET_ATTACH_DRY_RUN = 1u << 0, /* resolve and validate, change nothing */
	CNET_ATTACH_NO_DAD = 1u << 1,  /* IPv6 addresses usable at once, no DAD */
	CNET_ATTACH_FORCE = 1u << 2,   /* host-device: move a device in use */
	CNET_ATTACH_REPLACE = 1u << 3, /* replace an attachment of that name with other settings */
	CNET_ATTACH_NO_GW = 1u << 4,   /* --ip dhcp: no default route via the server's router */
};
int cnet_attach_set_flags(struct cnet_attach *att, unsigned int flags);

/*
 * Perform the attachment and record it in the state store. On failure
 * everything created is removed and everything changed restored. Running
 * the same attachment again changes nothing (cnet_result_changed() false).
 * On success *res (if res is not NULL) receives a result to free.
 * Errors callers can act on: -ESRCH (target gone; CNET_ERR_TARGET),
 * -ENODEV or -ENETDOWN (parent, bridge or device; CNET_ERR_MISSING),
 * -EEXIST or -EADDRINUSE (name or address taken; CNET_ERR_BUSY).
 */
int cnet_attach(struct cnet_ctx *ctx, struct cnet_attach *att, struct cnet_result **res);

/* A host interface by name, or (name NULL) by its MAC (of several, the
 * one whose MAC is its own, not a VLAN's or macvlan's), in the caller's
 * network namespace: its name into name_out, and what it is into *what:
 * "bridge", "openvswitch" (a bridge or port of Open vSwitch), "ipoib", or
 * "" (anything else). None: -ENODEV (CNET_ERR_MISSING). cnet pipework
 * tells its host interfaces apart with it. */
int cnet_host_link(struct cnet_ctx *ctx, const char *name, const char *mac, char name_out[16],
		   const char **what);

/* ---- routes and rules of an attachment, in place --------------------------- */

/* One route (as cnet_attach_add_route takes it) or policy rule (as
 * cnet_attach_add_rule) of TARGET's attachment IFNAME added, deleted or
 * replaced in place, in the container and in the record: reapply puts it
 * back, detach takes it away; the interface is not touched (pipework's
 * route and rule lines). IFNAME NULL: the attachment whose addresses hold
 * the route's gateway or the rule's source, else the target's only one (a
 * rule without a source: its first). The default route of an attachment
 * made with a gateway (--gw) is that: replaced or deleted, the gateway
 * changes. A delete without a metric takes the route of any metric.
 * A route is known by its destination, metric and table: adding one that
 * is recorded with another gateway is -EEXIST (CNET_ERR_BUSY; replace
 * it), deleting one not recorded -ENOENT (CNET_ERR_MISSING). Rules are
 * added or deleted, not replaced. */
enum cnet_change_op { CNET_CHANGE_ADD = 1, CNET_CHANGE_DEL = 2, CNET_CHANGE_REPLACE = 3 };
#define CNET_CHANGE_DRY_RUN (1u << 0)
int cnet_route_change(struct cnet_ctx *ctx, const char *target, const char *ifname, int op,
		      const char *route, unsigned int flags, struct cnet_result **res);
int cnet_rule_change(struct cnet_ctx *ctx, const char *target, const char *ifname, int op,
		     const char *rule, unsigned int flags, struct cnet_result **res);
/* The bandwidth limit of one direction of TARGET's attachment IFNAME (as
 * cnet_attach_set_egress and _ingress take it; rate NULL: none) set anew
 * (pipework's tc lines): the record changes, and the attachment is made
 * again from it, as reapply's repair does: same name, MAC and addresses,
 * a new interface; if that fails, it is made again as it was. */
enum cnet_limit_dir { CNET_LIMIT_EGRESS = 0, CNET_LIMIT_INGRESS = 1 };
int cnet_limit_change(struct cnet_ctx *ctx, const char *target, const char *ifname, int dir,
		      const char *rate, const char *burst, unsigned int flags, struct cnet_result **res);

/* ---- detach ------------------------------------------------------------ */

enum cnet_detach_flags {
	CNET_DETACH_DRY_RUN = 1u << 0,
	CNET_DETACH_FORCE = 1u << 1, /* records a CNI runtime owns too */
};
/*
 * Undo the attachments recorded for target (as it was named at attach
 * time, or any name resolving to the same namespace), all of them or only
 * the one named ifname. Works when the namespace is already gone. Nothing
 * recorded: success, not changed.
 */
int cnet_detach(struct cnet_ctx *ctx, const char *target, const char *ifname,
		unsigned int flags, struct cnet_result **res);

/* ---- records a container runtime owns (CNI) ------------------------------ */

/*
 * Mark an attachment as made for a CNI runtime: the network (the
 * configuration's "name") and the container (CNI_CONTAINERID), each a
 * letter or digit then letters, digits, '_', '.' or '-' (at most 255).
 * The record carries them ("cni": {"network", "container"}) and is the
 * runtime's: cnet_detach() and cnet_gc() leave it alone unless FORCE;
 * cnet_reapply() keeps its lease renewed.
 */
int cnet_attach_set_cni(struct cnet_attach *att, const char *network, const char *container_id);
/*
 * CNI DEL: undo and drop the records of (network, container, ifname; NULL:
 * every ifname) wherever their namespace is, or with it gone, as detach
 * would. Nothing recorded: success, not changed. flags: CNET_DETACH_DRY_RUN.
 */
int cnet_cni_del(struct cnet_ctx *ctx, const char *network, const char *container_id,
		 const char *ifname, unsigned int flags, struct cnet_result **res);
/*
 * CNI GC: undo and drop every record of network whose "CONTAINERID/IFNAME"
 * is not among the n_valid strings of valid. flags: CNET_GC_DRY_RUN.
 * Returns how many could not be removed (reported "failed"), or < 0.
 */
int cnet_cni_gc(struct cnet_ctx *ctx, const char *network, const char *const *valid,
		size_t n_valid, unsigned int flags, struct cnet_result **res);

/* ---- DHCP leases by hand ------------------------------------------------- */

enum cnet_dhcp_op {
	CNET_DHCP_RENEW = 1,   /* renew now (or get a new lease if it expired) */
	CNET_DHCP_RELEASE = 2, /* give the lease back and remove the address */
};
/* On the --ip dhcp attachments recorded for target (or only ifname). */
int cnet_dhcp(struct cnet_ctx *ctx, const char *target, const char *ifname, int op,
	      struct cnet_result **res);

/* ---- reapply ------------------------------------------------------------ */

enum cnet_reapply_flags {
	CNET_REAPPLY_DRY_RUN = 1u << 0, /* look and report, change nothing */
};
/*
 * Bring every recorded attachment (or those of the named targets, as they
 * were named at attach time) back to what was asked: after a container
 * restart (new namespace), when the interface has gone, or when it has
 * drifted (MTU, MAC, addresses, routes, default route). A target that is not
 * running is reported and skipped, not a failure; so is one whose target
 * another cnet is working on (an attach waiting for DHCP): "busy", never
 * waited for. Each record in the result carries "status": ok, stopped,
 * busy, missing, drifted (dry run), repaired or failed, and "reason".
 * Returns how many records could not be brought back
 * (0: everything converged), or a negative errno. Another reapply already
 * running: returns 0 at once, with nothing done.
 */
int cnet_reapply(struct cnet_ctx *ctx, const char *const *targets, size_t n_targets,
		 unsigned int flags, struct cnet_result **res);
/*
 * The same for one container's records: those whose target was found
 * through Docker or Podman as the container with this Id (64 lowercase hex
 * digits). pid > 0: the container runs as that process, as its runtime
 * says (an OCI hook's state), and no engine is asked; 0: its engine is
 * asked. Never gives way to a whole reapply running at the same time.
 * Nothing recorded for it: 0, an empty result.
 */
int cnet_reapply_container(struct cnet_ctx *ctx, const char *container_id, int pid,
			   unsigned int flags, struct cnet_result **res);

/* ---- watch ------------------------------------------------------------- */

/* Called with one report, a JSON object on one line (see cnet(8), "cnet
 * watch"), or with NULL about once a second when nothing happens. A
 * nonzero return stops cnet_watch(), which returns it. */
typedef int (*cnet_watch_fn)(void *userdata, const char *report);
/*
 * Follow the event streams of the engines named ("docker", "podman"; none:
 * both) until fn returns nonzero. On a container's start its records are
 * brought back (as cnet_reapply_container() with the engine asked); on a
 * rename its records follow the new name; on its removal the records left
 * for cnet_gc() are counted. On every connection to an engine, every
 * record is reconciled (cnet_reapply()) once the stream is open; a lost
 * engine is tried again, after 100 ms doubling to 5 s. One thread per
 * engine reads its stream; fn and the work run on the caller's thread.
 * Returns fn's value, or a negative errno if the watch cannot start.
 */
int cnet_watch(struct cnet_ctx *ctx, const char *const *engines, size_t n_engines, cnet_watch_fn fn,
	       void *userdata);

enum cnet_gc_flags {
	CNET_GC_DRY_RUN = 1u << 0, /* list, change nothing */
	CNET_GC_FORCE = 1u << 1,   /* records a CNI runtime owns too */
};
/*
 * For every record whose target no longer exists (or whose PID now belongs
 * to another process), undo what is left of it as detach would (devices
 * back to the host with their settings, leftovers removed) and drop the
 * record, only when that succeeded. Records in the result carry "status":
 * gone (dry run), removed or failed. Returns how many could not be
 * cleaned up, or a negative errno.
 */
int cnet_gc(struct cnet_ctx *ctx, unsigned int flags, struct cnet_result **res);

/* SR-IOV: the VFs of one PF (pf_spec: netdev or PCI address), or of every
 * PF here (NULL), one record each: pf, pf_pci, vf, pci, netdev, driver,
 * mac, vlan, qos, vlan_proto, spoofchk, trust, link_state, min_rate,
 * max_rate, and target, ifname and record when cnet attached it. */
int cnet_vf_list(struct cnet_ctx *ctx, const char *pf_spec, struct cnet_result **res);
/* Give a PF count VFs (0: none). A PF whose VFs are attached, in another
 * namespace, bound to a userspace driver, enslaved or addressed is left
 * alone (CNET_ERR_BUSY): any change of a nonzero count destroys them all.
 * flags: CNET_ATTACH_DRY_RUN. The same count is no change. */
int cnet_vf_set_count(struct cnet_ctx *ctx, const char *pf_spec, unsigned int count,
		      unsigned int flags, struct cnet_result **res);

/* ---- the state store ---------------------------------------------------- */

/* Verify the snapshot and the journal (every entry, every record parsed);
 * res's one record describes them: {"snapshot":{path, schema, records,
 * bytes}, "journal":{path, entries, puts, deletes, bytes, torn_tail},
 * "records": after replay}. 0 ok; < 0 with CNET_ERR_STORE if the store is
 * bad. Takes no lock, writes nothing. */
int cnet_store_check(struct cnet_ctx *ctx, struct cnet_result **res);
/* Fold the journal into the snapshot now (changed: there was something to
 * fold, or the store was migrated). res's one record as for check, after. */
int cnet_store_compact(struct cnet_ctx *ctx, struct cnet_result **res);

/* ---- results ----------------------------------------------------------- */

bool cnet_result_changed(const struct cnet_result *res);
/* The records acted on, as a JSON array (the store's record format). */
const char *cnet_result_records_json(const struct cnet_result *res);
/* What was (or, in a dry run, would be) done, one line each. */
size_t cnet_result_n_actions(const struct cnet_result *res);
const char *cnet_result_action(const struct cnet_result *res, size_t i);
/* Conditions worth telling a person about that did not fail the call. */
size_t cnet_result_n_warnings(const struct cnet_result *res);
const char *cnet_result_warning(const struct cnet_result *res, size_t i);
void cnet_result_free(struct cnet_result *res);

#ifdef __cplusplus
}
#endif
#endif
