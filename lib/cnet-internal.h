/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef CNET_INTERNAL_H
#define CNET_INTERNAL_H

#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "libcnet.h"

#define CNET_EXPORT __attribute__((visibility("default")))
#define CNET_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* <linux/if.h> clashes with <net/if.h> */
#endif

struct cJSON;
struct nlmsghdr;
struct nl_msg;
struct nl_object;
struct rtnl_link;

#define CNET_ERRMSG_MAX 1024

struct cnet_ctx {
	char errmsg[CNET_ERRMSG_MAX];
	int errclass;
	char *state_path;
	cnet_log_fn log_fn;
	void *log_data;
	int self_ns_fd; /* the namespace cnet was called in: "the host" */
	unsigned int lock_timeout_ms;
	char *docker_sock, *podman_sock;
	/* cnet_reapply_container with a PID: what every engine lookup
	 * answers meanwhile (0: ask the engine) */
	int pin_pid;
	char pin_id[65];
	char *sysfs_root; /* "/sys", or $CNET_SYSFS_ROOT (tests) */
	unsigned long nl_requests;
	unsigned long fault_count[3]; /* per enum cnet_fault_kind, so far */
#ifdef CNET_FAULT_INJECTION
	unsigned long fault_at[3]; /* fail the N-th of that kind (1-based) */
	int fault_errno[3];	   /* ... with this errno; -1: SIGKILL there */
	const char *fault_ids;	   /* record ids to hand out first (CNET_FAULT_IDS) */
#endif
	size_t compact_bytes; /* fold the journal past this (test builds: CNET_FAULT_COMPACT) */
	size_t journal_cap;   /* refuse writes past this if it cannot be folded (CNET_FAULT_JCAP) */
};

/* Test builds' fault switch (CNET_FAULT_NL, _SYSFS, _STORE=N[:ERRNO|:kill]):
 * each netlink request, sysfs write and state store write passes here
 * first. 0, or the injected failure (with its message). Release builds
 * only count. */
enum cnet_fault_kind { CNET_FAULT_NL, CNET_FAULT_SYSFS, CNET_FAULT_STORE };
int cnet_fault_point(struct cnet_ctx *ctx, int kind, const char *what);
/* Test builds' pause ($CNET_FAULT_PAUSE=PATH, ctx.c): a test acts there. */
void cnet_fault_pause(void);

/* ---- errors (ctx.c) ---- */
/* Record a message and return r (a negative errno). */
int cnet_err(struct cnet_ctx *ctx, int r, const char *fmt, ...) CNET_PRINTF(3, 4);
int cnet_errc(struct cnet_ctx *ctx, int errclass, int r, const char *fmt, ...) CNET_PRINTF(4, 5);
/* Both return r. Said where they are called, so that a static analyzer
 * (make lint) sees it: "return r < 0 ? cnet_err(ctx, r, ...) : 0" is then
 * known to return r, not any int. r is evaluated once. */
#define cnet_err(ctx, r, ...) \
	({ int cnet_r_ = (r); (void)(cnet_err)((ctx), cnet_r_, __VA_ARGS__); cnet_r_; })
#define cnet_errc(ctx, c, r, ...) \
	({ int cnet_r_ = (r); (void)(cnet_errc)((ctx), (c), cnet_r_, __VA_ARGS__); cnet_r_; })
void cnet_clear_err(struct cnet_ctx *ctx);
/* Undoing after a failure: the failure is what the caller reports. Save
 * it (and start the undo clean: its steps clear and test the error as
 * they would anywhere), then put it back over whatever the undo left. */
struct cnet_err_saved {
	char msg[CNET_ERRMSG_MAX];
	int errclass;
};
void cnet_err_save(struct cnet_ctx *ctx, struct cnet_err_saved *saved);
void cnet_err_restore(struct cnet_ctx *ctx, const struct cnet_err_saved *saved);
void cnet_dbg(struct cnet_ctx *ctx, const char *fmt, ...) CNET_PRINTF(2, 3);

/* ---- bounded waits (wait.c) ---- */
uint64_t cnet_now_ms(void); /* monotonic */
void cnet_nap_ms(unsigned int ms);
/* An exclusive flock on fd, tried every step_ms for up to timeout_ms
 * (0: once): 0, -EBUSY when still held by another, or -errno. */
int cnet_flock_wait(int fd, unsigned int timeout_ms, unsigned int step_ms);

/* ---- parsing (parse.c) ---- */
struct cnet_ip {
	int family; /* AF_INET or AF_INET6 */
	unsigned char a[16];
	unsigned int plen;
};
struct cnet_route {
	struct cnet_ip dst;
	bool has_via;
	struct cnet_ip via;
	unsigned int metric; /* 0: the kernel's default */
	unsigned int table;  /* 0: main */
};
bool cnet_ifname_ok(const char *name);
/* CNI network names and container IDs (desc.c) */
#define CNET_CNI_NAME_MAX 255
bool cnet_cni_name_ok(const char *s);
int cnet_parse_ip(const char *s, bool with_plen, struct cnet_ip *out);
int cnet_parse_route(const char *s, struct cnet_route *out);
int cnet_parse_mac(const char *s, unsigned char mac[6]);
int cnet_parse_uint(const char *s, unsigned long max, unsigned long *out);
/* A table of names for values (modes, flags): the value of a name
 * (-EINVAL if none, or s NULL), the name of a value ("unknown"). */
struct cnet_named {
	const char *name;
	int value;
};
int cnet_named_value(const struct cnet_named *t, size_t n, const char *s);
const char *cnet_named_name(const struct cnet_named *t, size_t n, int value);
/* buf of at least CNET_IPSTRLEN */
#define CNET_IPSTRLEN 64
const char *cnet_ip_str(const struct cnet_ip *ip, bool with_plen, char *buf);
/* DEST/PLEN[@VIA][,metric=N][,table=N], as parsed */
#define CNET_ROUTESTRLEN (2 * CNET_IPSTRLEN + 48)
char *cnet_route_str(const struct cnet_route *rt, char buf[CNET_ROUTESTRLEN]);
void cnet_mac_str(const unsigned char mac[6], char buf[18]);
bool cnet_ip_in_prefix(const struct cnet_ip *addr, const struct cnet_ip *prefix);
bool cnet_ip_is_v6_linklocal(const struct cnet_ip *ip);
/* Clear the bits past the prefix length. */
void cnet_ip_mask(struct cnet_ip *ip);

/* ---- results (result.c) ---- */
struct cnet_result {
	bool changed;
	char *records_str; /* a JSON array, as the records were added */
	size_t rlen, rcap;
	char **actions;
	size_t n_actions;
	char **warnings;
	size_t n_warnings;
};
int cnet_result_new(struct cnet_ctx *ctx, struct cnet_result **out);
int cnet_result_add_action(struct cnet_result *res, const char *fmt, ...) CNET_PRINTF(2, 3);
int cnet_result_add_warning(struct cnet_result *res, const char *fmt, ...) CNET_PRINTF(2, 3);
/* Best effort: a failure r of step what becomes a warning in res (and the
 * message is cleared), or, with res NULL (a rollback, where the first
 * failure's message must survive), stays as it is. EEXIST: done already. */
void cnet_result_warn_failed(struct cnet_ctx *ctx, struct cnet_result *res, int r, const char *what);
int cnet_result_add_record(struct cnet_result *res, const struct cJSON *rec);
/* The same for a record as stored (an object's compact text), with its
 * status and reason added: nothing parsed or printed again. */
int cnet_result_add_record_text(struct cnet_result *res, const char *text, size_t len,
				const char *status, const char *reason);

/* ---- namespaces (netns.c) ---- */
/* Whether a namespace of this identity may still exist: a process's
 * (its main thread's) or a /run/netns name's. An inode number may have
 * been reused, so "yes" is only "maybe"; "no" is sure of both places. */
bool cnet_netns_maybe_alive(unsigned long long dev, unsigned long long ino);
/* Such a namespace opened (an fd), found through a bind mount of it (a
 * /run/netns name, Docker's sandboxes) or a process; -ENOENT. The inode
 * number may have been reused: the caller checks the cookie. */
int cnet_netns_open_held(unsigned long long dev, unsigned long long ino);
struct cnet_target {
	char *spec;	     /* as the user named it */
	int fd;		     /* open netns file, -1 if not resolved */
	int proc_fd;	     /* /proc/PID of pid (O_PATH), -1 if none: pins the process */
	unsigned long long dev, ino; /* namespace identity */
	unsigned long long cookie; /* SO_NETNS_COOKIE: never reused, unlike ino */
	pid_t pid;	     /* 0 unless named by PID or /proc/PID path, or found through an engine */
	bool by_pid;	     /* named by PID or /proc/PID path: its start time is its identity */
	unsigned long long start_time; /* of pid, in clock ticks since boot */
	char container_id[65]; /* found through an engine: the container's Id, else "" */
	const char *runtime; /* how it was found: netns, pid, path, docker, podman */
};
int cnet_target_resolve(struct cnet_ctx *ctx, const char *spec, struct cnet_target *t);
/* The same, for a bare name or number recorded as found through runtime
 * (a record's "runtime"): only that runtime is asked, so a bare name that
 * was a Docker container never becomes a namespace created later under
 * that name. runtime NULL: as cnet_target_resolve. */
/* The runtime names a record may hold, as static strings; NULL for others. */
const char *cnet_runtime_name(const char *s);
int cnet_target_resolve_as(struct cnet_ctx *ctx, const char *spec, const char *runtime,
			   struct cnet_target *t);
/* Why t is not the target that was recorded as the process started at
 * pid_start, or as the container with Id container_id (0, "" or NULL: not
 * recorded): its PID now belongs to another process, or its name to another
 * container. NULL if nothing says so. */
const char *cnet_target_other(const struct cnet_target *t, unsigned long long pid_start,
			      const char *container_id);
void cnet_target_close(struct cnet_target *t);
/* The start time of the process whose /proc directory proc_fd is. */
int cnet_proc_start_time(int proc_fd, unsigned long long *out);
int cnet_self_ns(struct cnet_ctx *ctx); /* fd, owned by ctx */
/* engine.c: the PID and Id of a running Docker or Podman container.
 * -ENXIO: no engine answers; -ENOENT: no such container; -ESRCH: not
 * running. */
int cnet_engine_pid(struct cnet_ctx *ctx, const char *engine, const char *name, pid_t *pid,
		    char id[65]);
/* Run fn(arg) with the calling thread in namespace fd, then come back. */
int cnet_in_netns(struct cnet_ctx *ctx, int fd, int (*fn)(struct cnet_ctx *, void *), void *arg);

/* ---- netlink transport (nl.c): the only file that does socket I/O ---- */
struct cnet_nl;
int cnet_nl_open(struct cnet_ctx *ctx, int netns_fd, struct cnet_nl **out);
void cnet_nl_close(struct cnet_nl *nl);
/* Send msg (taking ownership) with NLM_F_ACK, wait for the ACK. what names
 * the step in the error message: "cannot <what>: <strerror> (<extack>)". */
int cnet_nl_talk(struct cnet_nl *nl, struct nl_msg *msg, const char *what);
/* Send a get or dump request (taking ownership); cb gets each object parsed
 * by libnl. A cb returning < 0 stops and its value is returned. A get of a
 * missing object returns the kernel's -ENODEV / -ENOENT without a message. */
typedef int (*cnet_nl_obj_cb)(struct nl_object *obj, void *arg);
int cnet_nl_query(struct cnet_nl *nl, struct nl_msg *msg, cnet_nl_obj_cb cb, void *arg,
		  const char *what);
/* The same, with each message as the kernel sent it. */
typedef int (*cnet_nl_raw_cb)(const struct nlmsghdr *h, void *arg);
int cnet_nl_query_raw(struct cnet_nl *nl, struct nl_msg *msg, cnet_nl_raw_cb cb, void *arg,
		      const char *what);
struct cnet_ctx *cnet_nl_ctx(struct cnet_nl *nl);
/* A string attribute into dst (truncated), if it is a NUL-terminated one. */
struct nlattr;
void cnet_attr_str(char *dst, size_t len, const struct nlattr *a);
/* The namespace cookie of nl's namespace (0 if the kernel has none). */
unsigned long long cnet_nl_netns_cookie(struct cnet_nl *nl);
/* A socket in this namespace that hears of every link change (used only
 * to wake up: what it reads is never trusted), and a wait on it of up to
 * ms, what came drained. 1: something came; 0: the time ran out. */
int cnet_nl_link_watch(struct cnet_ctx *ctx, int *fd);
int cnet_nl_link_wait(int fd, unsigned int ms);

/* ---- links (link.c, link-macvlan.c, link-veth.c) ---- */
struct cnet_linkinfo {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[16];
	char alias[64];
	unsigned int mtu, flags, master;
	unsigned short type; /* ARPHRD_* */
	unsigned char mac[6];
	bool has_mac;
	int link;	   /* IFLA_LINK: the lower device, 0 if none */
	int link_netnsid;  /* IFLA_LINK_NETNSID: where link is, -1 if here */
	int vlan_id;	   /* a VLAN's ID, -1 for other kinds */
	unsigned int vlan_proto; /* a VLAN's protocol (0x8100, 0x88a8) */
	long vni;		 /* a VXLAN's VNI, -1 for other kinds */
	int vxlan_link;		 /* ... its underlay's ifindex (0: none) */
	unsigned int vxlan_port; /* ... its UDP port (host order) */
	unsigned int tso_max;	 /* IFLA_TSO_MAX_SIZE: its largest GSO packet; 0: not said */
};
/* What tells a lent device from anything the container can make
 * (devid.c): its parent device, or, for a veth, its peer on the host. */
struct cnet_devid {
	char bus[16], dev[48];	/* IFLA_PARENT_DEV_BUS_NAME, IFLA_PARENT_DEV_NAME */
	unsigned char perm[6];	/* IFLA_PERM_ADDRESS */
	bool has_perm;
	int peer;		/* a veth: its peer's ifindex, out of the container */
	int peer_nsid;		/* ... in the namespace the host knows by this id; -1: the host */
	char peer_name[IFNAMSIZ];
};
/* By ifindex (> 0) or name. -ENODEV if absent, without a message. */
int cnet_link_get(struct cnet_nl *nl, int ifindex, const char *name, struct cnet_linkinfo *out);
/* cb for every link in nl's namespace; a cb returning non-zero stops. */
int cnet_link_each(struct cnet_nl *nl, int (*cb)(const struct cnet_linkinfo *li, void *arg), void *arg);
/* The id nl's namespace knows namespace ns_fd by (*nsid -1: none yet). */
int cnet_netns_id(struct cnet_nl *nl, int ns_fd, int *nsid);
/* How many links other than veth peers are built on ifindex (IFLA_LINK):
 * macvlans, VLANs, ipvlans... */
int cnet_link_count_uppers(struct cnet_nl *nl, int ifindex);
/* Does any link in nl's namespace have master ifindex `master`? */
int cnet_link_has_slaves(struct cnet_nl *nl, int master);
int cnet_link_del(struct cnet_nl *nl, int ifindex, const char *what);
/* By name, if it is there (0 if not). */
int cnet_link_del_by_name(struct cnet_nl *nl, const char *name);
/* Does the link carry an address other than an IPv6 link-local one? 1, 0 or < 0. */
int cnet_link_has_global_addr(struct cnet_nl *nl, int ifindex);
/* Send msg (a new link, taking ownership) through nl, set *made (if not
 * NULL) once the kernel has made it, then find it by name through look:
 * "the new NAME vanished" if it is not there. */
int cnet_link_create(struct cnet_nl *nl, struct nl_msg *msg, const char *what, bool *made,
		     struct cnet_nl *look, const char *name, struct cnet_linkinfo *out);
/* Change an existing link: any of new name, MTU, MAC, netns, admin up/down. */
struct cnet_link_change {
	int ifindex;
	const char *name;
	unsigned int mtu;
	const unsigned char *mac;
	int ns_fd;  /* -1: stay */
	int up;	    /* -1: leave, 0 down, 1 up */
	const char *alias;
	int master; /* > 0: enslave to that ifindex; 0: leave */
};
int cnet_link_build_change(struct cnet_ctx *ctx, const struct cnet_link_change *c,
			   struct nl_msg **msg);
int cnet_link_change(struct cnet_nl *nl, const struct cnet_link_change *c, const char *what);

struct cnet_macvlan_opts {
	const char *name;
	int parent;
	int mode; /* MACVLAN_MODE_* */
	int ns_fd;
	unsigned int mtu;
	const unsigned char *mac;
	const char *alias;
};
/* An 802.1Q/802.1ad subinterface of parent, created in ns_fd (-1: here). */
struct cnet_vlan_opts {
	const char *name;
	int parent;
	unsigned int vid, proto; /* proto: 0x8100 or 0x88a8 */
	int ns_fd;
	unsigned int mtu;
	const unsigned char *mac;
	const char *alias;
};
int cnet_link_build_vlan(struct cnet_ctx *ctx, const struct cnet_vlan_opts *o, struct nl_msg **msg);
/* Bonds (link-bond.c): options by their command-line names. */
enum { CNET_BOND_RR, CNET_BOND_ACTIVE_BACKUP, CNET_BOND_XOR, CNET_BOND_BROADCAST, CNET_BOND_8023AD,
       CNET_BOND_TLB, CNET_BOND_ALB };
enum {
	CNET_BOND_MIIMON = 1u << 0,
	CNET_BOND_UPDELAY = 1u << 1,
	CNET_BOND_DOWNDELAY = 1u << 2,
	CNET_BOND_ARP_INTERVAL = 1u << 3,
	CNET_BOND_ARP_VALIDATE = 1u << 4,
	CNET_BOND_ARP_ALL_TARGETS = 1u << 5,
	CNET_BOND_FAIL_OVER_MAC = 1u << 6,
	CNET_BOND_XMIT_HASH_POLICY = 1u << 7,
	CNET_BOND_LACP_RATE = 1u << 8,
	CNET_BOND_MIN_LINKS = 1u << 9,
};
struct cnet_bond_opts {
	int mode; /* CNET_BOND_*, -1 unset */
	unsigned int set; /* which of the below were given */
	unsigned int miimon, updelay, downdelay, arp_interval, min_links;
	unsigned char targets[16][4]; /* ARP IP targets, network order */
	size_t n_targets;
	int arp_validate, arp_all_targets, fail_over_mac, xmit_hash_policy, lacp_rate;
	char primary[IFNAMSIZ]; /* a slave's name in the container */
};
void cnet_bond_opts_init(struct cnet_bond_opts *o);
int cnet_bond_mode_from_string(const char *s);
const char *cnet_bond_mode_to_string(int mode);
/* One option, as --NAME VALUE (mode, miimon, arp-ip-target, ...). */
int cnet_bond_opt_set(struct cnet_ctx *ctx, struct cnet_bond_opts *o, const char *name,
		      const char *value);
/* The combination: what the kernel would refuse or ignore is an error. */
int cnet_bond_opts_check(struct cnet_ctx *ctx, const struct cnet_bond_opts *o);
int cnet_link_build_bond(struct cnet_ctx *ctx, const struct cnet_bond_opts *o, const char *name,
			 int ifindex, int ns_fd, int primary_ifindex, struct nl_msg **msg);
int cnet_macvlan_mode_from_string(const char *s);
const char *cnet_macvlan_mode_to_string(int mode);
int cnet_link_build_macvlan(struct cnet_ctx *ctx, const struct cnet_macvlan_opts *o,
			    struct nl_msg **msg);

/* An ipvlan on parent, created in ns_fd (link-ipvlan.c). */
struct cnet_ipvlan_opts {
	const char *name;
	int parent;
	int mode;  /* IPVLAN_MODE_* */
	int flags; /* 0 (bridge), IPVLAN_F_PRIVATE, IPVLAN_F_VEPA */
	int ns_fd;
	unsigned int mtu;
};
int cnet_link_build_ipvlan(struct cnet_ctx *ctx, const struct cnet_ipvlan_opts *o, struct nl_msg **msg);
/* "l2", "l3", "l3s"; "bridge", "private", "vepa" (-EINVAL: none of them). */
int cnet_ipvlan_mode_from_string(const char *s);
const char *cnet_ipvlan_mode_to_string(int mode);
int cnet_ipvlan_flags_from_string(const char *s);
const char *cnet_ipvlan_flags_to_string(int flags);

struct cnet_veth_opts {
	const char *host_name, *peer_name, *alias;
	int master, peer_ns_fd;
	unsigned int host_mtu, peer_mtu;
	const unsigned char *host_mac, *peer_mac;
	bool down; /* the first end left down (it is named later) */
};
int cnet_link_build_veth(struct cnet_ctx *ctx, const struct cnet_veth_opts *o, struct nl_msg **msg);
/* The largest GSO and GRO packets the link sends and takes, IPv6 and IPv4
 * (above 64 KiB: BIG TCP; a kernel without IPv4's ignores those). */
int cnet_link_set_gso_max(struct cnet_nl *nl, int ifindex, unsigned int size, const char *what);
int cnet_link_build_bridge(struct cnet_ctx *ctx, const char *name, const unsigned char mac[6],
			   struct nl_msg **msg);

/* ---- addresses (addr.c) ---- */
int cnet_addr_build(struct cnet_ctx *ctx, int ifindex, const struct cnet_ip *ip, bool nodad,
		    bool add, struct nl_msg **msg);
int cnet_addr_add(struct cnet_nl *nl, int ifindex, const struct cnet_ip *ip, bool nodad);
int cnet_addr_add_lft(struct cnet_nl *nl, int ifindex, const struct cnet_ip *ip, uint32_t valid,
		      uint32_t preferred);
/* Every address in the namespace (ifindex 0) or on one link. */
typedef int (*cnet_addr_cb)(int ifindex, const struct cnet_ip *ip, unsigned int flags, void *arg);
int cnet_addr_each(struct cnet_nl *nl, int ifindex, cnet_addr_cb cb, void *arg);
/* Wait until no address of ifindex is tentative; -EADDRNOTAVAIL on DAD failure. */
int cnet_addr_wait_dad(struct cnet_nl *nl, int ifindex, unsigned int timeout_ms);
/* In the current namespace: make the kernel announce ifname's addresses
 * (arp_notify, ndisc_notify) and enable IPv6 on it when v6. */
/* IPv6 on and announcing (in the namespace of the calling thread);
 * IPv4 addresses announced when the link comes up. */
int cnet_iface_prepare_v6(struct cnet_ctx *ctx, const char *ifname);
int cnet_link_arp_notify(struct cnet_nl *nl, int ifindex);

/* ---- routes (route.c) ---- */
struct cnet_rt {
	int family;
	struct cnet_ip dst; /* plen 0 = default */
	bool has_gw;
	struct cnet_ip gw;
	int oif;
	unsigned int metric;
	unsigned int table; /* 0: main */
	unsigned char protocol, scope;
};
int cnet_route_build(struct cnet_ctx *ctx, const struct cnet_rt *rt, bool add, struct nl_msg **msg);
int cnet_route_add(struct cnet_nl *nl, const struct cnet_rt *rt, const char *what);
int cnet_route_del(struct cnet_nl *nl, const struct cnet_rt *rt, const char *what);
/* Add, or replace the route to that destination (same table and metric). */
int cnet_route_replace(struct cnet_nl *nl, const struct cnet_rt *rt, const char *what);
/* Each unicast route of family in the main table (dst.plen 0 is a default
 * route; a multipath one by its first nexthop), only those through oif if
 * oif > 0. */
typedef void (*cnet_rt_cb)(const struct cnet_rt *rt, void *arg);
int cnet_route_each(struct cnet_nl *nl, int family, int oif, cnet_rt_cb cb, void *arg);
/* ... of every table (rt->table says which). */
int cnet_route_each_table(struct cnet_nl *nl, int family, int oif, cnet_rt_cb cb, void *arg);
/* Default routes of family in the main table (at most max). */
int cnet_route_defaults(struct cnet_nl *nl, int family, struct cnet_rt *out, int max);
/* Routes kept whole, as netlink messages (malloc'd). */
struct cnet_routes {
	struct nlmsghdr *msg[16];
	size_t n;
};
/* Save the default routes of family (main table), or, with oif, every
 * route through oif that the kernel did not make itself. Appends to out. */
int cnet_routes_save(struct cnet_nl *nl, int family, int oif, struct cnet_routes *out);
void cnet_routes_free(struct cnet_routes *rs);
/* Add (create, exclusive) or delete a saved route, its ifindex old_oif
 * renamed to new_oif when old_oif is not 0. */
int cnet_route_replay(struct cnet_nl *nl, const struct nlmsghdr *saved, bool add, int old_oif,
		      int new_oif, const char *what);

/* ---- SR-IOV through sysfs (sysfs.c) ---- */
struct cnet_pf {
	char pci[16];	     /* PCI address, e.g. 0000:01:00.0: what records keep */
	char name[IFNAMSIZ]; /* its netdev here, "" if none */
	unsigned int total, num; /* sriov_totalvfs, sriov_numvfs */
};
struct cnet_vf {
	unsigned int index;
	char pci[16];
	char name[IFNAMSIZ]; /* its netdev in this namespace, "" if none here */
	char driver[32];     /* bound driver, "" if none */
};
/* A PF named by its host netdev or its PCI address. */
int cnet_pf_find(struct cnet_ctx *ctx, const char *spec, struct cnet_pf *pf);
int cnet_pf_refresh(struct cnet_ctx *ctx, struct cnet_pf *pf); /* re-read num */
int cnet_vf_get(struct cnet_ctx *ctx, const struct cnet_pf *pf, unsigned int index, struct cnet_vf *vf);
bool cnet_vf_driver_is_userspace(const struct cnet_vf *vf); /* vfio-pci, uio */
/* Poll (bounded) until VF index has a netdev here. */
int cnet_vf_wait_netdev(struct cnet_ctx *ctx, const struct cnet_pf *pf, unsigned int index,
			unsigned int timeout_ms, struct cnet_vf *vf);
/* Write sriov_numvfs (through 0 when changing a nonzero count). No checks:
 * the caller has made sure no VF is in use. */
int cnet_pf_write_numvfs(struct cnet_ctx *ctx, struct cnet_pf *pf, unsigned int n);
/* sriov_drivers_autoprobe: read (set < 0, returns 0/1) or write. */
int cnet_pf_autoprobe(struct cnet_ctx *ctx, const struct cnet_pf *pf, int set);
int cnet_vf_probe(struct cnet_ctx *ctx, const struct cnet_vf *vf); /* drivers_probe */

/* ---- VF settings through the PF (vf.c) ---- */
enum cnet_vf_field {
	CNET_VF_MAC,
	CNET_VF_VLAN, /* vlan, qos, proto */
	CNET_VF_SPOOFCHK,
	CNET_VF_TRUST,
	CNET_VF_LINK_STATE,
	CNET_VF_RATE, /* min_rate, max_rate */
	CNET_VF_NFIELDS
};
struct cnet_vfinfo {
	unsigned int index;
	unsigned char mac[6];
	unsigned int vlan, qos;
	unsigned int proto; /* 0x8100 or 0x88a8 */
	int spoofchk, trust; /* 0, 1; -1 if the driver does not say */
	int link_state;	     /* IFLA_VF_LINK_STATE_*, -1 if not said */
	unsigned int min_rate, max_rate; /* Mbit/s */
};
int cnet_vfinfo_get(struct cnet_nl *nl, int pf_ifindex, unsigned int index, struct cnet_vfinfo *out);
/* *holder: the index of another VF of the PF (not except) whose MAC is
 * mac, or -1. */
int cnet_vf_mac_holder(struct cnet_nl *nl, int pf_ifindex, unsigned int except,
		       const unsigned char mac[6], int *holder);
int cnet_vf_build_set(struct cnet_ctx *ctx, int pf_ifindex, const struct cnet_vfinfo *v,
		      enum cnet_vf_field field, struct nl_msg **out);
int cnet_vf_set(struct cnet_nl *nl, int pf_ifindex, const struct cnet_vfinfo *v, enum cnet_vf_field field);
bool cnet_vfinfo_equal(const struct cnet_vfinfo *a, const struct cnet_vfinfo *b, enum cnet_vf_field f);
const char *cnet_vf_field_name(enum cnet_vf_field f);

/* ---- state store (store.c, journal.c) ---- */
/* One record as stored: its id and its compact JSON text (in the
 * snapshot's buffer, or its own copy). */
struct cnet_srec {
	char id[9];
	bool dead;	    /* deleted (by the journal, or by this command) */
	bool loaded;	    /* parsed into the view; text is what the view started from */
	bool foreign;	    /* changed on disk by another cnet while in the view */
	unsigned int seen;  /* save: still in the view */
	bool has_base;
	uint64_t base;	    /* loaded: a hash of the text the view's copy started from */
	char *own;	    /* text, when it is a copy of its own */
	const char *stext;  /* where it was in the snapshot's bytes, if it was */
	size_t slen;	    /* its length there (text may be newer, from the journal) */
	const char *text;
	size_t len;
};
/* srecidx.c: values after a key in the records' text -> their index. */
struct cnet_vindex {
	const char *key;    /* e.g. "\"ino\":" */
	uint64_t *h;	    /* the value's hash */
	uint32_t *k;	    /* the record, UINT32_MAX: free */
	size_t cap, n;
	bool built;
	unsigned int lookups;
};
struct cnet_store {
	struct cnet_ctx *ctx;
	char *path;
	int lock_fd;	    /* PATH.lock: flock, the store lock; OFD byte ranges, target locks */
	bool read_only;	    /* readers take no lock and write nothing */
	bool locked;	    /* holds the store lock */
	bool loaded;	    /* the files have been read */
	/* what is on disk */
	char *snap;	    /* the snapshot's bytes, as read */
	size_t snap_len;
	size_t snap_file;   /* the snapshot's size now (after a compaction) */
	size_t n_snap;	    /* recs[0, n_snap) came from the snapshot's bytes */
	bool snap_whole;    /* not in the one-record-a-line form: parsed whole */
	int jfd;	    /* the journal (writers), -1 */
	unsigned long long jdev, jino; /* the journal that was read; jino 0: none */
	size_t jend;	    /* where its next entry goes */
	size_t jsize;	    /* its size (preallocated) */
	size_t jtorn;	    /* bytes of a torn last entry at jend */
	unsigned int n_entries, n_puts, n_dels;
	struct cnet_srec *recs; /* in replay order; dead ones stay until compaction */
	size_t n_recs, cap_recs, n_live;
	size_t *loaded_k;   /* the recs in the view (duplicates possible) */
	size_t n_loaded, cap_loaded;
	long *hash;	    /* id -> index in recs, -1: free */
	size_t hcap;
	unsigned int gen;
	unsigned int rereads; /* refreshes that found anything new on disk */
	/* the view: the records parsed so far, which the engine reads and
	 * changes; a save appends the difference */
	struct cJSON *doc;
	struct cJSON *records; /* borrowed from doc */
	bool volatile_write;   /* next save: appended, not synced */
	bool batch;	       /* reapply: attach's final save waits for the next one */
	bool unsynced;	       /* appended without fdatasync */
	int migrated_from;     /* the schema it was read as, when older; else 0 */
	unsigned long long tlock; /* the target lock held (a byte offset), 0: none */
	struct cnet_vindex by_ino, by_parent; /* built once looked up twice */
};
/* 2: records name the runtime their target was found through.
 * 3: snapshot (one record per line) + journal. */
#define CNET_STORE_SCHEMA 3
/* Writers: open the lock file, take the store lock and read the files.
 * read_only (ls, show, dry runs): no lock, nothing created or written. */
int cnet_store_open(struct cnet_ctx *ctx, struct cnet_store *st, bool read_only);
/* As open, but neither locked nor read: a command that locks a target
 * first (lock order in store.c), then cnet_store_relock(). */
int cnet_store_init(struct cnet_ctx *ctx, struct cnet_store *st, bool read_only);
/* The store lock, let go across a wait (DHCP, DAD, an engine's answer)
 * and taken again: what other cnets appended meanwhile is read. */
void cnet_store_unlock(struct cnet_store *st);
int cnet_store_relock(struct cnet_store *st);
/* The lock of t's network namespace (writers; one at a time per store):
 * wait up to the lock timeout, or only try (1: held by another cnet). */
int cnet_store_lock_target(struct cnet_store *st, const struct cnet_target *t, bool wait);
void cnet_store_unlock_target(struct cnet_store *st);
/* Another cnet holds t's lock (readers too: they only look). */
bool cnet_store_target_busy(const struct cnet_store *st, const struct cnet_target *t);
/* The checks and migration of a whole document in memory (a schema 1 or
 * 2 store, a hand-made one): 0 current, 1 migrated, < 0 refused; sets
 * st->doc and st->records. st->path names the store in messages. */
int cnet_store_parse(struct cnet_ctx *ctx, struct cnet_store *st, const char *buf, size_t len);
/* The old store's bytes, as read, in PATH.schemaN.TIME.bak (never
 * replacing a file), synced with its directory (schema.c). */
int cnet_store_backup(struct cnet_ctx *ctx, struct cnet_store *st, const char *buf, size_t len,
		      int schema);
/* path written whole: a temporary file (a, b, then zeros NUL bytes),
 * fsync, rename, fsync of the directory (schema.c). */
int cnet_store_write_whole(struct cnet_ctx *ctx, const char *path, const char *a, size_t alen,
			   const char *b, size_t blen, size_t zeros);
/* A batch of records to check side by side (batch.c): their stored texts
 * in; per record, its state and (ok) its report line (malloc'd) out. */
#define CNET_BATCH_MAX 256
enum { CNET_BATCH_UNKNOWN, CNET_BATCH_OK, CNET_BATCH_CHILD };
struct cnet_batch {
	const struct cnet_store *st;
	const char *text[CNET_BATCH_MAX];
	size_t len[CNET_BATCH_MAX];
	char *line[CNET_BATCH_MAX];
	signed char state[CNET_BATCH_MAX];
	int n;
	_Atomic int next;
};
/* 1 if the record is as asked; it may run on any thread, with its own ctx
 * and host socket, and may only read the store. */
typedef int (*cnet_batch_ok_fn)(struct cnet_ctx *ctx, const struct cnet_store *st, struct cnet_nl *hnl,
				const struct cJSON *rec);
void cnet_batch_check(struct cnet_ctx *ctx, struct cnet_nl *hnl, struct cnet_batch *b, cnet_batch_ok_fn ok);
/* The journal's bytes from file offset from (buf[0]) to its end, applied
 * over st's records (journal.c): st->jend and st->jtorn set; a store error
 * if a bad entry comes before good ones. */
int cnet_journal_read(struct cnet_store *st, const char *buf, size_t len, size_t from);
/* Snapshot and journal bytes (either may be NULL) as the files hold them,
 * read into st (copied): what load does after reading; fuzzed. */
int cnet_store_read_bytes(struct cnet_store *st, const char *snap, size_t snap_len,
			  const char *journal, size_t journal_len);
/* For storecmd.c: the store lock; both files read (journal first);
 * the snapshot alone; the journal's path (malloc'd). */
int cnet_store_lock(struct cnet_store *st);
int cnet_store_load_files(struct cnet_store *st);
int cnet_store_load_snapshot_only(struct cnet_store *st);
char *cnet_store_journal_path(const struct cnet_store *st);
/* The record with this id, back in the view after this command deleted
 * it (a failed repair's rollback), is written by the next save even as
 * it was read: not taken for one another cnet deleted meanwhile. */
void cnet_store_put_back(struct cnet_store *st, const char *id);
/* Append what the view changed (one fdatasync unless volatile_write). */
int cnet_store_save(struct cnet_ctx *ctx, struct cnet_store *st);
/* fdatasync what was appended unsynced. */
int cnet_store_sync(struct cnet_store *st);
/* Fold the journal into a new snapshot now. */
int cnet_store_compact_now(struct cnet_store *st);
void cnet_store_close(struct cnet_store *st);
/* Parse into the view the records that may match (a cheap test of their
 * text; callers test the parsed record): in t's namespace; whose text
 * has "key":"value"; all. */
int cnet_store_load_netns(struct cnet_store *st, const struct cnet_target *t);
int cnet_store_load_text(struct cnet_store *st, const char *key, const char *value);
int cnet_store_load_all(struct cnet_store *st);
/* Drop the view (after a save): a walk over many records keeps one at a time. */
void cnet_store_drop_view(struct cnet_store *st);
/* A new record id: 8 lowercase hex digits, random, that no record in st
 * has (or names as its bond's): ids find records, their marks and their
 * slaves. */
int cnet_new_id(struct cnet_ctx *ctx, struct cnet_store *st, char id[9]);
uint32_t cnet_crc32c(const void *buf, size_t len);
/* srec.c, for store.c: the records as stored, and a save's changes. */
int cnet_srec_put(struct cnet_store *st, const char *text, size_t len, char *own);
/* Room for n records in the id hash. */
int cnet_srec_reserve(struct cnet_store *st, size_t n);
void cnet_srec_del(struct cnet_store *st, const char *id);
void cnet_srec_free_all(struct cnet_store *st);
/* The view's records (ids and what each started from), kept across a
 * reload of the files (after another cnet's compaction) and marked again
 * in the new ones: changed there meanwhile (foreign), or deleted. */
struct cnet_view_mark {
	char id[9];
	uint64_t base;
};
int cnet_srec_view_marks(struct cnet_store *st, struct cnet_view_mark **out, size_t *n);
void cnet_srec_view_restore(struct cnet_store *st, const struct cnet_view_mark *m, size_t n);
/* srecidx.c */
long cnet_snap_rec_at(const struct cnet_store *st, const char *p);
void cnet_vindex_note(struct cnet_store *st, size_t k);
/* fn for each record the index names for value (0, or fn's nonzero);
 * *indexed false: no index (yet): the caller searches instead. */
int cnet_vindex_each(struct cnet_store *st, struct cnet_vindex *ix, const char *value,
		     int (*fn)(struct cnet_store *st, size_t k, void *arg), void *arg, bool *indexed);
void cnet_vindex_free(struct cnet_vindex *ix);
struct cnet_change {
	char id[9];
	char *text; /* put; NULL: del */
};
struct cnet_changes {
	char *buf; /* the journal entries */
	size_t len, cap;
	struct cnet_change *v;
	size_t n, n_cap;
};
int cnet_srec_diff(struct cnet_store *st, struct cnet_changes *c);
int cnet_srec_commit(struct cnet_store *st, struct cnet_changes *c);
void cnet_changes_free(struct cnet_changes *c);

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

/* The names a record's links go by: cnet's mark (alias) and the
 * temporary name a new link has until it is named. */
static inline void cnet_mark_name(char out[16], const char *id)
{
	snprintf(out, 16, "cnet:%.8s", id);
}
static inline void cnet_tmp_name(char out[IFNAMSIZ], const char *id)
{
	snprintf(out, IFNAMSIZ, "cn%.8s", id);
}
/* ... and a second new link of the record's (setup_l3) */
static inline void cnet_tmp_name2(char out[IFNAMSIZ], const char *id)
{
	snprintf(out, IFNAMSIZ, "cv%.8s", id);
}

/* ---- engine events (event.c) ---- */
enum { CNET_EV_NONE, CNET_EV_START, CNET_EV_DIE, CNET_EV_DESTROY, CNET_EV_RENAME };
#define CNET_EVENT_LINE_MAX 65536 /* longer lines are no event (skipped) */
struct cnet_event {
	int action;
	char id[65];	     /* 64 lowercase hex digits */
	char name[256];	     /* "" if the event had no valid one */
	char old_name[256];  /* rename: "" if not said */
	long long time_nano; /* 0 if not said */
};
/* One line (no newline) of an event stream: its action, CNET_EV_NONE for
 * anything else (other types, malformed, hostile). */
int cnet_event_parse(const char *line, size_t len, struct cnet_event *ev);

/* ---- records (json.c, store.c) ---- */
struct cnet_store;
const char *cnet_json_str(const struct cJSON *o, const char *key);
/* t as "YYYY-MM-DDTHH:MM:SSZ" (UTC), computed: glibc's gmtime_r and
 * strftime read the time zone file first, for nothing. */
void cnet_utc_stamp(long long t, char out[48]);
/* A whole number in [min, max] (hand-edited stores are not trusted), else def. */
long long cnet_json_int(const struct cJSON *o, const char *key, long long min, long long max,
			long long def);
/* A saved route as hex, and back (malloc'd, length-checked). */
struct cJSON *cnet_route_to_json(const struct nlmsghdr *h);
int cnet_route_from_json(const struct cJSON *s, struct nlmsghdr **out);
/* Append the routes in array a to rs; malformed entries are skipped. */
void cnet_routes_from_json(const struct cJSON *a, struct cnet_routes *rs);
bool cnet_record_in_netns(const struct cJSON *rec, const struct cnet_target *t);
/* A container's records: those whose target was found as the container
 * with this engine Id (which nothing in the container can forge), and
 * the text every one of them holds (cnet_record_ids' needle, in buf). */
bool cnet_record_of_container(const struct cJSON *rec, const void *id);
const char *cnet_container_needle(char *buf, size_t size, const char *id);
/* Find a record's target again, through the record's runtime only. 1: it
 * is gone (not running, or its PID or name now belongs to another process
 * or container: never act on that one), why says so; 0: found; < 0. */
int cnet_record_target(struct cnet_ctx *ctx, const struct cJSON *rec, struct cnet_target *t,
		       char *why, size_t len);
bool cnet_record_pending(const struct cJSON *rec);
/* The record's link carries cnet's mark for it. */
bool cnet_record_marks(const struct cJSON *rec, const struct cnet_linkinfo *li);
/* A host object (a bridge, a VLAN lower) that self made and another
 * record on it shares: that record inherits keys (the duty to remove
 * it), copied from self's "host". false: no other record shares it. */
bool cnet_record_hand_over(struct cnet_store *st, const struct cJSON *self, const char *name_key,
			   const char *const *keys, size_t n_keys);

/* The store holds a record with this id (as of the last read or write). */
/* A live record's text as the store holds it (NULL: none). */
const char *cnet_record_text(const struct cnet_store *st, const char *id, size_t *len);
bool cnet_store_has(const struct cnet_store *st, const char *id);
/* By id, parsed into the view if it is not there yet; NULL if none. */
struct cJSON *cnet_record_by_id(struct cnet_store *st, const char *id);
/* The ids of the records (keep: which; NULL for all), a snapshot to walk
 * while records are replaced: *ids malloc'd, *n of them. Only records
 * whose text holds needle (NULL: any) are parsed for keep(). */
int cnet_record_ids(struct cnet_ctx *ctx, struct cnet_store *st, const char *needle,
		    bool (*keep)(const struct cJSON *rec, const void *arg), const void *arg,
		    char (**ids)[9], int *n);
/* A walk over the stored records one at a time (gc, reapply, a CNI DEL
 * or GC): the store (read-only when dry), the host's netlink socket, and
 * the ids the caller picks into ids/n (freed by close). */
struct cnet_walk {
	struct cnet_store st;
	struct cnet_nl *hnl;
	char (*ids)[9];
	int n;
};
int cnet_walk_open(struct cnet_ctx *ctx, struct cnet_walk *w, bool dry);
/* How many records the container with engine Id id has (a read, no lock). */
int cnet_container_records(struct cnet_ctx *ctx, const char *id);
void cnet_walk_close(struct cnet_walk *w);
/* A child of a composite whose record is there: undone with it. */
bool cnet_record_is_child(const struct cnet_store *st, const struct cJSON *rec);

#endif
