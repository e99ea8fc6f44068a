/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A CNI network configuration as a cnet attachment. The keys are the ones
 * users already write for the reference plugins, sriov-cni and bond-cni,
 * so that moving a configuration to cnet means changing "type" and adding
 * "kind". Keys cnet knows but cannot honour are refused (code 2), never
 * dropped in silence; keys it does not know are ignored, as the
 * specification asks. Precedence: runtimeConfig, args.cni, CNI_ARGS, the
 * configuration.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni.h"

struct conf {
	struct cni *c;
	struct cnet_ctx *ctx;
	struct cnet_attach *att;
	const cJSON *rc, *args; /* runtimeConfig, args.cni */
	bool no_mac;		/* the kind's interfaces have their parent's MAC */
};

static const cJSON *key(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

const char *cni_str(const cJSON *o, const char *k, char *buf, size_t len)
{
	const cJSON *v = key(o, k);

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 4294967296.0 &&
	    v->valuedouble == (double)(unsigned long)v->valuedouble) {
		snprintf(buf, len, "%lu", (unsigned long)v->valuedouble);
		return buf;
	}
	return NULL;
}

/* A pair's other end is in a second container, which no CNI request
 * names (a runtime adds one container's interfaces at a time). */
#define PAIR_NOT_CNI                                                                     \
	"pair is not for CNI: its other end is in a second container, which a CNI request " \
	"does not name (use 'cnet attach A pair --peer B')"

static int bad(struct conf *f, const char *k, const char *why)
{
	return cni_fail(f->c, CNI_ERR_CONFIG, NULL, "\"%s\": %s", k, why);
}

static int lib(struct conf *f, int r, const char *k)
{
	if (r >= 0)
		return 0;
	return cni_fail(f->c, CNI_ERR_CONFIG, cnet_ctx_errmsg(f->ctx), "\"%s\": %s", k,
			cnet_ctx_errmsg(f->ctx));
}

/* A key cnet knows from another plugin but cannot do: refused when set to
 * anything but what cnet does anyway. */
static int refuse_true(struct conf *f, const char *k)
{
	if (cJSON_IsTrue(key(f->c->conf, k)))
		return cni_fail(f->c, CNI_ERR_FIELD, NULL, "\"%s\" is not supported by cnet", k);
	return 0;
}

/* A string key of the configuration; NULL if absent; -1 if not a string. */
static int str(struct conf *f, const cJSON *o, const char *k, const char **out)
{
	const cJSON *v = key(o, k);

	*out = NULL;
	if (!v)
		return 0;
	if (!cJSON_IsString(v) || !*v->valuestring)
		return bad(f, k, "must be a non-empty string");
	*out = v->valuestring;
	return 0;
}

static int uint_key(struct conf *f, const cJSON *o, const char *k, unsigned long max,
		    unsigned long *out, bool *has)
{
	const cJSON *v = key(o, k);
	char buf[32], *end;
	const char *s;

	*has = false;
	if (!v)
		return 0;
	s = cni_str(o, k, buf, sizeof(buf));
	if (!s || !*s)
		return bad(f, k, "must be a number");
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (*end || errno || *out > max || *s == '-')
		return bad(f, k, "is out of range");
	*has = true;
	return 0;
}

/* ---- the host's devices, by what the runtime names them ---------------- */

static const char *sysfs(void)
{
	const char *e = getenv("CNET_SYSFS_ROOT");

	return e && *e ? e : "/sys";
}

static bool pci_ok(const char *s)
{
	static const char shape[] = "xxxx:xx:xx.x"; /* domain:bus:device.function */

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	return true;
}

/* The netdev of a PCI device in this namespace. */
static int pci_netdev(struct conf *f, const char *k, const char *pci, char name[IF_NAMESIZE])
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (!pci_ok(pci))
		return bad(f, k, "is not a PCI address (like 0000:03:00.1)");
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/net", sysfs(), pci);
	d = opendir(path);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && strlen(e->d_name) < IF_NAMESIZE) {
			strcpy(name, e->d_name);
			closedir(d);
			return 0;
		}
	if (d)
		closedir(d);
	return cni_fail(f->c, CNI_ERR_AGAIN, NULL, "\"%s\": PCI device %s has no network interface here",
			k, pci);
}

/* The host interface with this MAC (host-device's "hwaddr"). */
static int mac_netdev(struct conf *f, const char *mac, char name[IF_NAMESIZE])
{
	char path[PATH_MAX], buf[64];
	struct dirent *e;
	DIR *d;
	int found = 0;

	snprintf(path, sizeof(path), "%s/class/net", sysfs());
	d = opendir(path);
	while (d && (e = readdir(d)) && !found) {
		FILE *fp;
		if (e->d_name[0] == '.' || strlen(e->d_name) >= IF_NAMESIZE)
			continue;
		snprintf(path, sizeof(path), "%s/class/net/%s/address", sysfs(), e->d_name);
		fp = fopen(path, "re");
		if (fp && fgets(buf, sizeof(buf), fp) && !strncasecmp(buf, mac, 17) && strlen(mac) == 17) {
			strcpy(name, e->d_name);
			found = 1;
		}
		if (fp)
			fclose(fp);
	}
	if (d)
		closedir(d);
	return found ? 0 : cni_fail(f->c, CNI_ERR_AGAIN, NULL, "\"hwaddr\": no host interface has MAC %s", mac);
}

/* A VF's PCI address (sriov-cni's deviceID) as its PF and index. */
static int vf_of(struct conf *f, const char *pci, char pf[32], unsigned int *vf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	if (!pci_ok(pci))
		return bad(f, "deviceID", "is not a PCI address (like 0000:03:02.0)");
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/physfn", sysfs(), pci);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return cni_fail(f->c, CNI_ERR_AGAIN, NULL, "\"deviceID\": %s is not an SR-IOV VF here", pci);
	link[n] = '\0';
	snprintf(pf, 32, "%.31s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	for (unsigned int i = 0; i < 4096; i++) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/virtfn%u", sysfs(), pf, i);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			break;
		link[n] = '\0';
		if (!strcmp(strrchr(link, '/') ? strrchr(link, '/') + 1 : link, pci)) {
			*vf = i;
			return 0;
		}
	}
	return cni_fail(f->c, CNI_ERR_AGAIN, NULL, "\"deviceID\": %s is not listed by its PF %s", pci, pf);
}

/* deviceID: runtimeConfig's (the deviceID capability), else the one Multus
 * puts at the top level. */
static const char *device_id(struct conf *f)
{
	const char *s = cJSON_GetStringValue(key(f->rc, "deviceID"));

	return s ? s : cJSON_GetStringValue(key(f->c->conf, "deviceID"));
}

/* ---- the kinds ------------------------------------------------------------ */

/* cnet's own key for --vxlan, on macvlan and ipvlan: "vxlan": {"vni",
 * "dev", "remotes": [...], "group", "port"}, in place of a master. 1 if
 * there, 0 if not, -1 on an error (said). */
static int vxlan_key(struct conf *f)
{
	const cJSON *v = key(f->c->conf, "vxlan"), *rs, *it;
	const char *dev, *group;
	unsigned long vni, port;
	bool has_vni, has_port;

	if (!v)
		return 0;
	if (!cJSON_IsObject(v))
		return bad(f, "vxlan", "must be an object: {\"vni\", \"dev\", \"remotes\" or \"group\"}");
	if (uint_key(f, v, "vni", 16777215, &vni, &has_vni) < 0 || str(f, v, "dev", &dev) < 0 ||
	    str(f, v, "group", &group) < 0 || uint_key(f, v, "port", 65535, &port, &has_port) < 0)
		return -1;
	if (!has_vni || !dev)
		return bad(f, "vxlan", "needs \"vni\" and \"dev\"");
	if (lib(f, cnet_attach_set_vxlan(f->att, (unsigned int)vni), "vxlan.vni") < 0 ||
	    lib(f, cnet_attach_set_vxlan_dev(f->att, dev), "vxlan.dev") < 0 ||
	    (group && lib(f, cnet_attach_set_vxlan_group(f->att, group), "vxlan.group") < 0) ||
	    (has_port && lib(f, cnet_attach_set_vxlan_port(f->att, (unsigned int)port), "vxlan.port") < 0))
		return -1;
	rs = key(v, "remotes");
	if (rs && !cJSON_IsArray(rs))
		return bad(f, "vxlan.remotes", "must be a list of addresses");
	cJSON_ArrayForEach(it, rs)
	{
		if (!cJSON_IsString(it))
			return bad(f, "vxlan.remotes", "must be a list of addresses");
		if (lib(f, cnet_attach_add_vxlan_remote(f->att, it->valuestring), "vxlan.remotes") < 0)
			return -1;
	}
	return 1;
}

/* master (or parent), or cnet's vxlan; what is missing named for kind. */
static int master_key(struct conf *f, const char *kind)
{
	const char *master;
	char why[64];
	int r = vxlan_key(f);

	if (r != 0)
		return r < 0 ? -1 : 0;
	if (str(f, f->c->conf, "master", &master) < 0)
		return -1;
	if (!master && str(f, f->c->conf, "parent", &master) < 0)
		return -1;
	snprintf(why, sizeof(why), "is required for %s (or \"vxlan\")", kind);
	if (!master)
		return bad(f, "master", why);
	return lib(f, cnet_attach_set_parent(f->att, master), "master");
}

static int kind_macvlan(struct conf *f)
{
	const cJSON *o = f->c->conf, *ha = key(o, "hostAccess");
	const char *mode;

	if (str(f, o, "mode", &mode) < 0 || master_key(f, "a macvlan") < 0)
		return -1;
	if (ha && !cJSON_IsBool(ha))
		return bad(f, "hostAccess", "must be true or false");
	if (cJSON_IsTrue(ha) && lib(f, cnet_attach_set_host_access(f->att, true), "hostAccess") < 0)
		return -1;
	return mode ? lib(f, cnet_attach_set_macvlan_mode(f->att, mode), "mode") : 0;
}

/* The reference ipvlan plugin's keys: master, mode (l2, l3, l3s). */
static int kind_ipvlan(struct conf *f)
{
	const cJSON *o = f->c->conf;
	const char *mode, *flags;

	if (str(f, o, "mode", &mode) < 0 || str(f, o, "flags", &flags) < 0 ||
	    master_key(f, "an ipvlan") < 0)
		return -1;
	f->no_mac = true;
	if (mode && lib(f, cnet_attach_set_ipvlan_mode(f->att, mode), "mode") < 0)
		return -1;
	return flags ? lib(f, cnet_attach_set_ipvlan_flags(f->att, flags), "flags") : 0;
}

static int kind_vlan(struct conf *f)
{
	const cJSON *o = f->c->conf;
	const char *master;
	unsigned long vid;
	bool has;

	if (str(f, o, "master", &master) < 0 || uint_key(f, o, "vlanId", 4094, &vid, &has) < 0)
		return -1;
	if (!master || !has)
		return bad(f, master ? "vlanId" : "master", "is required for a vlan");
	if (lib(f, cnet_attach_set_parent(f->att, master), "master") < 0)
		return -1;
	return lib(f, cnet_attach_set_vlan(f->att, (unsigned int)vid, 0, NULL), "vlanId");
}

static int kind_host_device(struct conf *f)
{
	const cJSON *o = f->c->conf;
	const char *dev, *hw, *pci, *did = device_id(f);
	char name[IF_NAMESIZE];

	if (str(f, o, "device", &dev) < 0 || str(f, o, "hwaddr", &hw) < 0 ||
	    str(f, o, "pciBusID", &pci) < 0)
		return -1;
	if (did || pci) {
		if (pci_netdev(f, did ? "deviceID" : "pciBusID", did ? did : pci, name) < 0)
			return -1;
	} else if (dev) {
		snprintf(name, sizeof(name), "%s", dev);
	} else if (!hw) {
		return bad(f, "device", "a host-device needs device, hwaddr, pciBusID or deviceID");
	} else if (mac_netdev(f, hw, name) < 0) {
		return -1;
	}
	return lib(f, cnet_attach_set_device(f->att, name), "device");
}

static int kind_veth(struct conf *f)
{
	const cJSON *o = f->c->conf;
	const char *br;
	static const char *const no[] = {"isGateway", "isDefaultGateway", "ipMasq", "hairpinMode",
					 "promiscMode", "forceAddress"};

	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (refuse_true(f, no[i]) < 0)
			return -1;
	if (key(o, "vlan") || key(o, "vlanTrunk"))
		return cni_fail(f->c, CNI_ERR_FIELD, NULL, "\"vlan\" on a bridge port is not supported by cnet");
	if (str(f, o, "bridge", &br) < 0)
		return -1;
	if (!br)
		return 0; /* a bare pair: the host end stays unattached */
	if (lib(f, cnet_attach_set_bridge(f->att, br, cJSON_IsTrue(key(o, "createBridge"))), "bridge") < 0)
		return -1;
	return vxlan_key(f) < 0 ? -1 : 0;
}

static int onoff(struct conf *f, const char *k, int (*set)(struct cnet_attach *, bool))
{
	const cJSON *v = key(f->c->conf, k);
	const char *s = cJSON_GetStringValue(v);

	if (!v)
		return 0;
	if (!s || (strcmp(s, "on") && strcmp(s, "off")))
		return bad(f, k, "must be \"on\" or \"off\"");
	return lib(f, set(f->att, !strcmp(s, "on")), k);
}

static int sriov_vlan(struct conf *f)
{
	const cJSON *o = f->c->conf;
	unsigned long vid = 0, qos = 0, min = 0, max = 0;
	bool has_vid, has_qos, has_min, has_max;
	const char *proto, *ls;

	if (uint_key(f, o, "vlan", 4094, &vid, &has_vid) < 0 ||
	    uint_key(f, o, "vlanQoS", 7, &qos, &has_qos) < 0 || str(f, o, "vlanProto", &proto) < 0 ||
	    uint_key(f, o, "min_tx_rate", UINT_MAX, &min, &has_min) < 0 ||
	    uint_key(f, o, "max_tx_rate", UINT_MAX, &max, &has_max) < 0 || str(f, o, "link_state", &ls) < 0)
		return -1;
	if ((has_qos || proto) && !has_vid)
		return bad(f, has_qos ? "vlanQoS" : "vlanProto", "needs \"vlan\"");
	if (has_vid && vid && lib(f, cnet_attach_set_vlan(f->att, (unsigned int)vid, (unsigned int)qos, proto),
				 "vlan") < 0)
		return -1;
	if ((has_min || has_max) &&
	    lib(f, cnet_attach_set_vf_rate(f->att, (unsigned int)min, (unsigned int)max), "max_tx_rate") < 0)
		return -1;
	return ls ? lib(f, cnet_attach_set_vf_link_state(f->att, ls), "link_state") : 0;
}

static int kind_sriov(struct conf *f)
{
	const cJSON *o = f->c->conf;
	const char *did = device_id(f), *pf;
	char pfpci[32];
	unsigned long vf;
	unsigned int idx = 0;
	bool has_vf;

	if (str(f, o, "pf", &pf) < 0 || uint_key(f, o, "vf", 4095, &vf, &has_vf) < 0)
		return -1;
	if (did) {
		if (vf_of(f, did, pfpci, &idx) < 0)
			return -1;
		pf = pfpci;
		vf = idx;
		has_vf = true;
	}
	if (!pf)
		return bad(f, "deviceID", "an sriov attachment needs deviceID (a VF's PCI address) or pf");
	if (lib(f, cnet_attach_set_pf(f->att, pf), "pf") < 0 ||
	    (has_vf && lib(f, cnet_attach_set_vf(f->att, (unsigned int)vf), "vf") < 0))
		return -1;
	if (onoff(f, "spoofchk", cnet_attach_set_vf_spoofchk) < 0 ||
	    onoff(f, "trust", cnet_attach_set_vf_trust) < 0)
		return -1;
	return sriov_vlan(f);
}

/* bond-cni's keys: mode, miimon (string or number), links [{name}] with
 * linksInContainer, failOverMac (0, 1, 2), xmitHashPolicy; cnet's
 * "slaves" (its own specs). */
static int kind_bond(struct conf *f)
{
	const cJSON *o = f->c->conf, *e;
	static const char *const fom[] = {"none", "active", "follow"};
	static const struct { const char *k, *opt; } opts[] = {
		{"mode", "mode"}, {"miimon", "miimon"}, {"xmitHashPolicy", "xmit-hash-policy"},
		{"updelay", "updelay"}, {"downdelay", "downdelay"}, {"arpInterval", "arp-interval"},
		{"arpIpTarget", "arp-ip-target"}, {"primary", "primary"}, {"lacpRate", "lacp-rate"},
		{"minLinks", "min-links"},
	};
	bool in = cJSON_IsTrue(key(o, "linksInContainer"));
	char buf[32], spec[64];
	unsigned long v;
	bool has;

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const char *s = cni_str(o, opts[i].k, buf, sizeof(buf));
		if (key(o, opts[i].k) && !s)
			return bad(f, opts[i].k, "must be a string or a number");
		if (s && lib(f, cnet_attach_set_bond_option(f->att, opts[i].opt, s), opts[i].k) < 0)
			return -1;
	}
	if (uint_key(f, o, "failOverMac", 2, &v, &has) < 0 ||
	    (has && lib(f, cnet_attach_set_bond_option(f->att, "fail-over-mac", fom[v]), "failOverMac") < 0))
		return -1;
	cJSON_ArrayForEach(e, key(o, "links"))
	{
		const char *name = cJSON_GetStringValue(key(e, "name"));
		if (!name)
			return bad(f, "links", "each link needs a \"name\"");
		/* in the container already (the SR-IOV bond pattern: VFs an
		 * earlier ADD moved in), or host devices to move in */
		snprintf(spec, sizeof(spec), "%s:%s", in ? "in" : "dev", name);
		if (lib(f, cnet_attach_add_bond_slave(f->att, spec), "links") < 0)
			return -1;
	}
	cJSON_ArrayForEach(e, key(o, "slaves"))
	{
		if (!cJSON_IsString(e) || lib(f, cnet_attach_add_bond_slave(f->att, e->valuestring), "slaves") < 0)
			return cJSON_IsString(e) ? -1 : bad(f, "slaves", "must be strings");
	}
	if (!cJSON_GetArraySize(key(o, "links")) && !cJSON_GetArraySize(key(o, "slaves")))
		return bad(f, "links", "a bond needs links (or slaves)");
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct conf *f);
} kinds[] = {
	{"macvlan", kind_macvlan}, {"vlan", kind_vlan},	  {"host-device", kind_host_device},
	{"veth", kind_veth},	   {"sriov", kind_sriov}, {"bond", kind_bond},
	{"ipvlan", kind_ipvlan},
};

/* ---- IPAM: static and dhcp here, the others' results applied ------------ */

/* The prefix length for a bare address (Podman sends them): that of the
 * configured address or subnet of its family that contains it, else the
 * host route's. */
static unsigned int bare_plen(struct conf *f, const char *addr)
{
	const cJSON *ipam = key(f->c->conf, "ipam"), *e;
	unsigned char a[16], b[16];
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	unsigned int alen = fam == AF_INET ? 4 : 16;

	if (inet_pton(fam, addr, a) != 1)
		return 0;
	cJSON_ArrayForEach(e, key(ipam, "addresses"))
	{
		const char *s = cJSON_GetStringValue(key(e, "address"));
		char net[64], *slash;
		unsigned long plen;
		if (!s || strlen(s) >= sizeof(net))
			continue;
		strcpy(net, s);
		slash = strchr(net, '/');
		if (!slash)
			continue;
		*slash = '\0';
		plen = strtoul(slash + 1, NULL, 10);
		if (plen > (unsigned long)alen * 8 || inet_pton(fam, net, b) != 1)
			continue;
		for (unsigned int i = 0; i < plen; i++)
			if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
				goto next;
		return (unsigned int)plen;
next:;
	}
	return alen * 8;
}

static int add_ip(struct conf *f, const char *k, const char *ip)
{
	char buf[80];

	if (!strchr(ip, '/') && strlen(ip) < 64) {
		snprintf(buf, sizeof(buf), "%s/%u", ip, bare_plen(f, ip));
		ip = buf;
	}
	return lib(f, cnet_attach_add_ip(f->att, ip), k);
}

/* The ips capability (runtimeConfig, args.cni) or CNI_ARGS IP=A[,B]:
 * these replace the configured addresses. 1: some were given. */
static int asked_ips(struct conf *f)
{
	const cJSON *a = key(f->rc, "ips"), *e;
	char *dup, *save = NULL, *tok;
	int r = 0;

	if (!a)
		a = key(f->args, "ips");
	if (a) {
		cJSON_ArrayForEach(e, a)
		{
			if (!cJSON_IsString(e))
				return bad(f, "ips", "must be strings");
			if (add_ip(f, "ips", e->valuestring) < 0)
				return -1;
		}
		return cJSON_GetArraySize(a) > 0;
	}
	if (!f->c->arg_ip)
		return 0;
	dup = strdup(f->c->arg_ip);
	for (tok = dup ? strtok_r(dup, ",", &save) : NULL; tok && r == 0; tok = strtok_r(NULL, ",", &save))
		r = add_ip(f, "CNI_ARGS IP", tok);
	free(dup);
	return r < 0 ? -1 : 1;
}

static int ipam_routes(struct conf *f, const cJSON *ipam)
{
	const cJSON *e;
	char spec[200];
	int n;

	cJSON_ArrayForEach(e, key(ipam, "routes"))
	{
		const char *dst = cJSON_GetStringValue(key(e, "dst"));
		const char *gw = cJSON_GetStringValue(key(e, "gw"));
		if (!dst)
			return bad(f, "routes", "each route needs \"dst\"");
		if (!strcmp(dst, "0.0.0.0/0") || !strcmp(dst, "::/0")) {
			if (!gw)
				gw = cni_gateway(f->c, strchr(dst, ':') ? AF_INET6 : AF_INET);
			if (!gw)
				return bad(f, "routes", "a default route needs \"gw\" (or an address's gateway)");
			if (lib(f, cnet_attach_add_gateway(f->att, gw), "routes") < 0)
				return -1;
			continue;
		}
		n = snprintf(spec, sizeof(spec), "%s%s%s", dst, gw ? "@" : "", gw ? gw : "");
		/* CNI 1.1's route "priority" and "table" */
		if (cJSON_IsNumber(key(e, "priority")) && n < (int)sizeof(spec))
			n += snprintf(spec + n, sizeof(spec) - (size_t)n, ",metric=%.0f",
				      cJSON_GetNumberValue(key(e, "priority")));
		if (cJSON_IsNumber(key(e, "table")) && n < (int)sizeof(spec))
			snprintf(spec + n, sizeof(spec) - (size_t)n, ",table=%.0f", cJSON_GetNumberValue(key(e, "table")));
		if (lib(f, cnet_attach_add_route(f->att, spec), "routes") < 0)
			return -1;
	}
	return 0;
}

static int cni_conf_ipam(struct conf *f)
{
	const cJSON *ipam = key(f->c->conf, "ipam"), *e, *addrs;
	const char *type = cJSON_GetStringValue(key(ipam, "type"));
	int r;

	/* "ipam": {} is how Multus users write "no addresses" */
	if (ipam && !type && (!cJSON_IsObject(ipam) || cJSON_GetArraySize(ipam) > 0))
		return bad(f, "ipam", "needs a \"type\"");
	if (type && !strcmp(type, "dhcp"))
		return lib(f, cnet_attach_add_ip(f->att, "dhcp"), "ipam");
	if (cni_ipam_delegate(f->c)) {
		/* what the IPAM plugin gave: its addresses and routes */
		cJSON_ArrayForEach(e, key(f->c->ipam_result, "ips"))
		{
			const char *a = cJSON_GetStringValue(key(e, "address"));
			if (!a || add_ip(f, "ipam result", a) < 0)
				return a ? -1 : bad(f, "ipam", "the IPAM plugin's result has an ip without address");
		}
		return ipam_routes(f, f->c->ipam_result);
	}
	r = asked_ips(f);
	if (r < 0)
		return -1;
	addrs = r ? NULL : key(ipam, "addresses");
	cJSON_ArrayForEach(e, addrs)
	{
		const char *a = cJSON_GetStringValue(key(e, "address"));
		if (!a || !strchr(a, '/'))
			return bad(f, "addresses", "each needs an \"address\" with a prefix length");
		if (add_ip(f, "addresses", a) < 0)
			return -1;
	}
	return ipam_routes(f, ipam);
}

/* The bandwidth plugin's keys, in bits (rates per second): from the
 * runtime (the "bandwidth" capability), else the configuration's own. */
static int bandwidth(struct conf *f)
{
	static const char *const keys[2][2] = {{"egressRate", "egressBurst"}, {"ingressRate", "ingressBurst"}};
	const cJSON *b = key(f->rc, "bandwidth");
	unsigned long rate = 0, burst = 0;
	char rs[32], bs[32];
	bool has_rate, has_burst;

	if (!b)
		b = f->c->conf;
	else if (!cJSON_IsObject(b))
		return bad(f, "bandwidth", "must be an object");
	for (int d = 0; d < 2; d++) {
		if (uint_key(f, b, keys[d][0], ~0UL, &rate, &has_rate) < 0 ||
		    uint_key(f, b, keys[d][1], ~0UL, &burst, &has_burst) < 0)
			return -1;
		if (!has_rate || !rate)
			continue;
		snprintf(rs, sizeof(rs), "%lubit", rate);
		snprintf(bs, sizeof(bs), "%lu", burst / 8);
		if (lib(f, (d ? cnet_attach_set_ingress : cnet_attach_set_egress)(f->att, rs, has_burst && burst ? bs : NULL),
			keys[d][0]) < 0)
			return -1;
	}
	return 0;
}

static int common(struct conf *f)
{
	const cJSON *o = f->c->conf;
	const char *mac = cJSON_GetStringValue(key(f->rc, "mac")), *hostname;
	unsigned long mtu;
	bool has;

	if (!mac)
		mac = cJSON_GetStringValue(key(f->args, "mac"));
	if (!mac)
		mac = f->c->arg_mac;
	if (!mac && str(f, o, "mac", &mac) < 0)
		return -1;
	if (mac && f->no_mac)
		return bad(f, "mac", "is not for an ipvlan: its interfaces have the master's MAC");
	if (mac && lib(f, cnet_attach_set_mac(f->att, mac), "mac") < 0)
		return -1;
	if (uint_key(f, o, "mtu", 65535, &mtu, &has) < 0 ||
	    (has && mtu && lib(f, cnet_attach_set_mtu(f->att, (unsigned int)mtu), "mtu") < 0))
		return -1;
	if (str(f, o, "hostname", &hostname) < 0 ||
	    (hostname && lib(f, cnet_attach_set_hostname(f->att, hostname), "hostname") < 0) || bandwidth(f) < 0)
		return -1;
	if (cJSON_IsTrue(key(o, "noDad")))
		return lib(f, cnet_attach_set_flags(f->att, CNET_ATTACH_NO_DAD), "noDad");
	return 0;
}

int cni_attach_from_conf(struct cni *c, struct cnet_ctx *ctx, struct cnet_attach **out)
{
	struct conf f = {.c = c, .ctx = ctx};
	const char *kind;
	int k;

	f.rc = key(c->conf, "runtimeConfig");
	f.args = key(key(c->conf, "args"), "cni");
	if (str(&f, c->conf, "kind", &kind) < 0)
		return -1;
	if (!kind)
		return bad(&f, "kind", "is required: macvlan, host-device, veth, sriov, vlan, bond or ipvlan");
	k = cnet_kind_from_string(kind);
	if (k < 0)
		return bad(&f, "kind", "is not a kind cnet knows (macvlan, host-device, veth, sriov, vlan, bond, ipvlan)");
	if (k == CNET_KIND_PAIR)
		return cni_fail(c, CNI_ERR_FIELD, NULL, "\"kind\": %s", PAIR_NOT_CNI);
	if (cnet_attach_new(ctx, c->netns, k, &f.att) < 0)
		return lib(&f, -1, "CNI_NETNS");
	if (lib(&f, cnet_attach_set_ifname(f.att, c->ifname), "CNI_IFNAME") < 0 ||
	    lib(&f, cnet_attach_set_cni(f.att, c->name, c->container), "name") < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, cnet_kind_to_string(k)) && kinds[i].fn(&f) < 0)
			goto fail;
	if (common(&f) < 0 || cni_conf_ipam(&f) < 0)
		goto fail;
	*out = f.att;
	return 0;
fail:
	cnet_attach_free(f.att);
	return -1;
}

/* ---- STATUS: can an ADD succeed now? -------------------------------------- */

static int dev_up(struct cni *c, const char *k, const char *name)
{
	char path[PATH_MAX];
	char buf[32] = "", *end;
	unsigned long flags;
	FILE *fp;
	bool ok;

	if (!name)
		return 0;
	if (!*name || strlen(name) >= IF_NAMESIZE || strchr(name, '/') || name[0] == '.')
		return cni_fail(c, CNI_ERR_CONFIG, NULL, "\"%s\": '%s' is not an interface name", k, name);
	snprintf(path, sizeof(path), "%s/class/net/%s/flags", sysfs(), name);
	fp = fopen(path, "re");
	if (!fp)
		return cni_fail(c, CNI_ERR_UNAVAILABLE, NULL, "\"%s\": %s does not exist", k, name);
	ok = fgets(buf, sizeof(buf), fp) != NULL;
	fclose(fp);
	flags = strtoul(buf, &end, 16);
	if (!ok || end == buf || !(flags & IFF_UP))
		return cni_fail(c, CNI_ERR_UNAVAILABLE, NULL, "\"%s\": %s is down", k, name);
	return 0;
}

int cni_status(struct cni *c)
{
	const cJSON *o = c->conf, *e, *links;
	const char *kind = cJSON_GetStringValue(key(o, "kind"));
	const char *master = cJSON_GetStringValue(key(o, "master"));

	if (!kind || cnet_kind_from_string(kind) < 0)
		return cni_fail(c, CNI_ERR_CONFIG, NULL, "\"kind\": missing or not a kind cnet knows");
	if (cnet_kind_from_string(kind) == CNET_KIND_PAIR)
		return cni_fail(c, CNI_ERR_FIELD, NULL, "\"kind\": %s", PAIR_NOT_CNI);
	if (!master)
		master = cJSON_GetStringValue(key(o, "parent"));
	if ((!strcmp(kind, "macvlan") || !strcmp(kind, "ipvlan")) && cJSON_IsObject(key(o, "vxlan")))
		return dev_up(c, "vxlan.dev", cJSON_GetStringValue(key(key(o, "vxlan"), "dev")));
	if (!strcmp(kind, "macvlan") || !strcmp(kind, "vlan") || !strcmp(kind, "ipvlan"))
		return master ? dev_up(c, "master", master)
			      : cni_fail(c, CNI_ERR_CONFIG, NULL, "\"master\": is required");
	if (!strcmp(kind, "veth") && !cJSON_IsTrue(key(o, "createBridge")))
		return dev_up(c, "bridge", cJSON_GetStringValue(key(o, "bridge")));
	if (!strcmp(kind, "sriov"))
		return dev_up(c, "pf", cJSON_GetStringValue(key(o, "pf")));
	if (!strcmp(kind, "host-device"))
		return dev_up(c, "device", cJSON_GetStringValue(key(o, "device")));
	links = !strcmp(kind, "bond") ? key(o, "links") : NULL;
	cJSON_ArrayForEach(e, links)
		if (dev_up(c, "links", cJSON_GetStringValue(key(e, "name"))) < 0)
			return -1;
	return 0;
}
