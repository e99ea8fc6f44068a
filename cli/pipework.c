/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cnet pipework: pipework's own command lines (jpetazzo/pipework), each
 * turned into one of cnet's attachments, recorded, so that reapply and
 * detach work on what they made. Called by the name "pipework" (a link to
 * cnet), cnet is this command. cnet-pipework(8) has the table of forms.
 *
 *   pipework [--direct-phys] HOSTIF [-i CIF] [-l LIF] [-a 4|6] GUEST IPSPEC [MAC][@VID]
 *   pipework --wait [-i CIF] [--timeout SEC]
 *
 * The words are positional, as pipework reads them. Its exit codes are
 * kept: 1 for what it would have refused itself (usage, an unknown
 * container, a missing interface), 2 for a failure of the kernel's.
 */
#include <ctype.h>
#include <net/if.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"


enum host_kind { HOST_BRIDGE, HOST_NEW_BRIDGE, HOST_PHYS };

struct pw {
	bool direct_phys;
	const char *hostif, *cif, *lif, *family, *guest, *ipspec, *macspec;
	char ifname[IFNAMSIZ]; /* HOSTIF, or the interface mac: found */
	enum host_kind host;
	/* the attach command line it becomes */
	const char *argv[64];
	int argc;
	char words[12][80];
	int n_words;
};

static const char usage_text[] =
	"Syntax:\n"
	"pipework <hostinterface> [-i containerinterface] [-l localinterfacename] [-a addressfamily] "
	"<guest> <ipaddr>/<subnet>[@default_gateway] [macaddr][@vlan]\n"
	"pipework <hostinterface> [-i containerinterface] [-l localinterfacename] <guest> dhcp "
	"[macaddr][@vlan]\n"
	"pipework mac:<hostinterface_macaddress> [-i containerinterface] [-l localinterfacename] "
	"[-a addressfamily] <guest> <ipaddr>/<subnet>[@default_gateway] [macaddr][@vlan]\n"
	"pipework mac:<hostinterface_macaddress> [-i containerinterface] [-l localinterfacename] "
	"<guest> dhcp [macaddr][@vlan]\n"
	"pipework --wait [-i containerinterface] [--timeout seconds]\n"
	"(cnet pipework: see cnet-pipework(8))\n";

/* pipework's exit codes from cnet's: its own refusals 1, the kernel's 2 */
int cli_pipework_code(int code)
{
	switch (code) {
	case EXIT_OK:
		return 0;
	case EXIT_USAGE:
	case EXIT_TARGET:
	case EXIT_MISSING:
		return 1;
	default:
		return 2;
	}
}

/* a word of the attach command line, kept in p */
__attribute__((format(printf, 2, 3))) static const char *word(struct pw *p, const char *fmt, ...)
{
	char *w = p->words[p->n_words < 11 ? p->n_words++ : 11];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started just above */
	vsnprintf(w, sizeof(p->words[0]), fmt, ap);
	va_end(ap);
	return w;
}

static void arg(struct pw *p, const char *a)
{
	if (p->argc < (int)(sizeof(p->argv) / sizeof(p->argv[0])) - 1)
		p->argv[p->argc++] = a;
}

/* What HOSTIF is, as pipework tells: the library asks the kernel (mac:
 * finds it by MAC); one that does not exist, by its name. The forms this
 * host cannot run are refused, nothing done. */
static int classify(struct pw *p)
{
	const char *mac = !strncmp(p->hostif, "mac:", 4) ? p->hostif + 4 : NULL, *what = "";
	const char *n = p->ifname;
	struct cnet_ctx *ctx = NULL;
	int r = cnet_ctx_new(&ctx);

	if (r == 0)
		r = cnet_host_link(ctx, mac ? NULL : p->hostif, mac, p->ifname, &what);
	if (r == -ENODEV && !mac) {
		cnet_ctx_free(ctx);
		snprintf(p->ifname, sizeof(p->ifname), "%s", p->hostif);
		if (!strncmp(n, "br", 2)) {
			p->host = HOST_NEW_BRIDGE;
			return 0;
		}
		if (!strncmp(n, "ovs", 3))
			return cli_usage_error_code(1, "pipework %s: Open vSwitch bridges are not supported by cnet", n);
		if (!strncmp(n, "dummy", 5))
			return cli_usage_error_code(1, "pipework %s: dummy interfaces are not supported by cnet", n);
		return cli_usage_error_code(1, "I do not know how to set up interface %s (it does not exist, and is no br* bridge to create)", n);
	}
	if (r < 0)
		return cli_pipework_code(cli_fail(ctx, r));
	cnet_ctx_free(ctx);
	if (!strcmp(what, "openvswitch"))
		return cli_usage_error_code(1, "pipework %s: Open vSwitch bridges are not supported by cnet", n);
	if (!strcmp(what, "ipoib"))
		return cli_usage_error_code(1, "pipework %s: IPoIB interfaces are not supported by cnet", n);
	p->host = !strcmp(what, "bridge") ? HOST_BRIDGE : HOST_PHYS;
	return 0;
}

/* MAC[@VID]: U:STRING is 02: and the first five bytes of the MD5 of
 * STRING, its blanks squeezed as the shell's echo did, and a newline. */
static int mac_spec(struct pw *p, const char **vid)
{
	const char *spec = p->macspec ? p->macspec : "";
	const char *at = strchr(spec, '@');
	char mac[128], s[512];
	size_t n = 0;
	unsigned char h[16];

	snprintf(mac, sizeof(mac), "%.*s", at ? (int)(at - spec) : (int)strlen(spec), spec);
	*vid = at ? word(p, "%.*s", (int)strcspn(at + 1, "@"), at + 1) : NULL;
	if (at && !**vid)
		return cli_usage_error_code(1, "no VLAN ID after '@' in '%s'", cli_esc(spec));
	if (!strncmp(mac, "U:", 2)) {
		for (const char *c = mac + 2; *c && n < sizeof(s) - 2; c++)
			if (!isspace((unsigned char)*c))
				s[n++] = *c;
			else if (n && !isspace((unsigned char)c[1]) && c[1])
				s[n++] = ' ';
		s[n++] = '\n';
		if (cli_md5(s, n, h) < 0)
			return cli_usage_error_code(2, "out of memory");
		snprintf(mac, sizeof(mac), "02:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4]);
	}
	if (*mac) {
		arg(p, "--mac");
		arg(p, word(p, "%s", mac));
	}
	return 0;
}

/* -i, -l, -a: only in that order, each right after the one before */
static int flags(struct pw *p, int argc, char **argv, int *i)
{
	static const char *const names[] = {"-i", "-l", "-a"};
	const char **vals[] = {&p->cif, &p->lif, &p->family};

	for (size_t k = 0; k < 3; k++) {
		if (*i >= argc || strcmp(argv[*i], names[k]))
			continue;
		if (*i + 1 >= argc)
			return cli_usage_error_code(1, "%s needs a value", names[k]);
		*vals[k] = argv[*i + 1];
		*i += 2;
	}
	if (p->family && strcmp(p->family, "4") && strcmp(p->family, "6"))
		return cli_usage_error_code(1, "-a takes 4 or 6, not '%s'", cli_esc(p->family));
	return 0;
}

/* What cnet's client makes of a client's options: the hostname sent. */
static const struct {
	const char *client, *opt, *prefix;
} dhcp_opts[] = {
	{"udhcpc", "-x", "hostname:"}, {"udhcpc", "-H", ""}, {"udhcpc", "-F", ""},
	{"udhcpc", "--hostname", ""}, {"dhclient", "-H", ""}, {"dhcpcd", "-h", ""},
	{"dhcpcd", "--hostname", ""},
};

static bool hostname_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63 || *s == '-' || *s == '.')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.')
			return false;
	return true;
}

/* dhcp, udhcpc, udhcpc-f, dhclient, dhclient-f, dhcpcd, each with :OPTS
 * or not: cnet's own client, which keeps and renews the lease (-f, "keep
 * the client running", is what it does anyway). The hostname sent is the
 * container's name, as pipework's was, or the one OPTS give; other
 * options are ignored with a warning. 1: no DHCP form. */
static int dhcp_spec(struct pw *p)
{
	static const char *const clients[] = {"dhcp", "udhcpc", "udhcpc-f", "dhclient", "dhclient-f", "dhcpcd"};
	const char *s = p->ipspec, *name = hostname_ok(p->guest) ? p->guest : NULL;
	size_t n = strcspn(s, ":"), k;
	char opts[512], ignored[256] = "", *tok, *next, *save = NULL;
	const char *client = NULL;

	for (k = 0; k < sizeof(clients) / sizeof(clients[0]); k++)
		if (strlen(clients[k]) == n && !strncmp(s, clients[k], n))
			client = clients[k];
	if (!client)
		return 1;
	if (!strcmp(client, "dhcp"))
		client = "udhcpc"; /* pipework ran busybox's udhcpc for it */
	snprintf(opts, sizeof(opts), "%s", s[n] ? s + n + 1 : "");
	for (tok = strtok_r(opts, " \t", &save); tok; tok = next) {
		next = strtok_r(NULL, " \t", &save);
		for (k = 0; k < sizeof(dhcp_opts) / sizeof(dhcp_opts[0]); k++)
			if (!strncmp(client, dhcp_opts[k].client, strlen(dhcp_opts[k].client)) &&
			    !strcmp(tok, dhcp_opts[k].opt) && next &&
			    !strncmp(next, dhcp_opts[k].prefix, strlen(dhcp_opts[k].prefix)))
				break;
		if (k < sizeof(dhcp_opts) / sizeof(dhcp_opts[0])) {
			name = next + strlen(dhcp_opts[k].prefix);
			next = strtok_r(NULL, " \t", &save);
		} else {
			snprintf(ignored + strlen(ignored), sizeof(ignored) - strlen(ignored), " %s", tok);
		}
	}
	if (*ignored)
		fprintf(stderr, "cnet: warning: DHCP client options ignored (cnet's own client):%s\n",
			cli_esc(ignored));
	arg(p, "--ip");
	arg(p, "dhcp");
	if (name) {
		arg(p, "--hostname");
		arg(p, word(p, "%s", name));
	}
	return 0;
}

/* A/P, A/P@GW, 0/0, or a DHCP client's name and options */
static int ip_spec(struct pw *p)
{
	const char *s = p->ipspec, *at = strchr(s, '@');
	char addr[128];
	bool v6;

	if (dhcp_spec(p) == 0) {
		if (p->family && !strcmp(p->family, "6"))
			return cli_usage_error_code(1, "-a 6 with DHCP: cnet's DHCP client leases IPv4 addresses");
		return 0;
	}
	snprintf(addr, sizeof(addr), "%.*s", at ? (int)(at - s) : (int)strlen(s), s);
	if (!strchr(addr, '/')) {
		fprintf(stderr, "cnet: The IP address should include a netmask. Maybe you meant %s/24 ?\n",
			cli_esc(addr));
		return EXIT_FAIL;
	}
	v6 = strchr(addr, ':') != NULL;
	if (p->family && (*p->family == '6') != v6)
		return cli_usage_error_code(1, "-a %s, but %s is an IPv%c address", p->family, cli_esc(addr),
					    v6 ? '6' : '4');
	/* 0/0: the interface up, no address */
	if (strcmp(addr, "0/0") && strcmp(addr, "0.0.0.0/0") && strcmp(addr, "::/0")) {
		arg(p, "--ip");
		arg(p, word(p, "%s", addr));
	}
	if (at) {
		arg(p, "--gw");
		arg(p, word(p, "%.*s", (int)strcspn(at + 1, "@"), at + 1));
	}
	return 0;
}

/* The attach it becomes, by what HOSTIF is */
static int build(struct pw *p)
{
	const char *vid = NULL;
	int r;

	arg(p, "attach");
	arg(p, word(p, "container:%s", p->guest));
	if (p->host == HOST_PHYS && p->direct_phys)
		arg(p, p->macspec && strchr(p->macspec, '@') ? "vlan" : "host-device");
	else
		arg(p, p->host == HOST_PHYS ? "macvlan" : "veth");
	if (p->cif) {
		arg(p, "--ifname");
		arg(p, p->cif);
	}
	r = ip_spec(p);
	if (r == 0)
		r = mac_spec(p, &vid);
	if (r)
		return r;
	if (p->host != HOST_PHYS) {
		if (vid)
			return cli_usage_error_code(1, "VLAN configuration is not supported for a Linux bridge (@%s)",
						    cli_esc(vid));
		arg(p, "--bridge");
		arg(p, p->ifname);
		/* a br* name is made if missing: the same words whether it was
		 * there or not, so that running the line again changes nothing */
		if (!strncmp(p->ifname, "br", 2))
			arg(p, "--create-bridge");
		if (p->lif) {
			arg(p, "--host-ifname");
			arg(p, p->lif);
		}
		/* the pair gets the bridge's MTU, as pipework gave it */
		return 0;
	}
	if (p->lif)
		fprintf(stderr, "cnet: warning: -l names a bridge's host end; %s is no bridge: ignored\n",
			p->ifname);
	arg(p, p->direct_phys && !vid ? "--dev" : "--parent");
	arg(p, p->ifname);
	if (vid) {
		arg(p, "--vlan");
		arg(p, vid);
	}
	return 0;
}

static int attach(struct pw *p, const char *const *opts, int n_opts)
{
	const struct cli_cmd *cmd = cli_cmds;
	struct cnet_attach *att = NULL;
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx = NULL;
	struct cli_args a;
	char summary[256];
	bool done;
	int r;

	while (strcmp(cmd->name, "attach"))
		cmd++;
	for (int i = 0; i < n_opts; i++)
		arg(p, opts[i]);
	p->argv[p->argc] = NULL;
	r = cli_attach_parse(cmd, p->argc, (char **)p->argv, &a, &ctx, &att, &done);
	if (r || done)
		return cli_pipework_code(r);
	/* pipework brought a NIC up; cnet only here, and detach undoes it */
	if (p->host == HOST_PHYS && !p->direct_phys && cnet_attach_set_raise_parent(att, true) < 0) {
		cnet_attach_free(att);
		return cli_pipework_code(cli_fail(ctx, -EINVAL));
	}
	r = cnet_attach(ctx, att, &res);
	cnet_attach_free(att);
	if (r < 0)
		return cli_pipework_code(cli_fail(ctx, r));
	snprintf(summary, sizeof(summary), "attached %s %s to %s", p->argv[2], p->cif ? p->cif : "eth1",
		 p->argv[1]);
	r = cli_report(res, cli_has(cmd, &a, "dry-run"), summary);
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return cli_pipework_code(r);
}

int cli_pipework_wait(int argc, char **argv);

int cmd_pipework(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct pw p = {0};
	const char *opts[4];
	int i = 1, n_opts = 0, r;

	/* cnet's own options first: --json, --dry-run, --state PATH */
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--help")) {
			cli_help(cmd);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--wait"))
			return cli_pipework_wait(argc - i, argv + i);
		if (!strcmp(argv[i], "--direct-phys")) {
			p.direct_phys = true;
			i++;
			break;
		}
		if ((strcmp(argv[i], "--json") && strcmp(argv[i], "--dry-run") && strcmp(argv[i], "--state")) ||
		    n_opts > 2)
			return cli_usage_error_code(1, "unknown option '%s' (see 'cnet pipework --help')",
						    cli_esc(argv[i]));
		opts[n_opts++] = argv[i];
		if (!strcmp(argv[i], "--state") && ++i < argc)
			opts[n_opts++] = argv[i];
	}
	if (i < argc && (!strcmp(argv[i], "route") || !strcmp(argv[i], "rule") || !strcmp(argv[i], "tc")))
		return cli_pipework_l3(cmd, argc, argv, n_opts);
	p.hostif = i < argc ? argv[i++] : NULL;
	r = p.hostif ? flags(&p, argc, argv, &i) : 0;
	if (r)
		return r;
	p.guest = i < argc ? argv[i++] : NULL;
	p.ipspec = i < argc ? argv[i++] : NULL;
	p.macspec = i < argc ? argv[i++] : NULL;
	if (!p.ipspec || !*p.ipspec) {
		fputs(usage_text, stdout);
		return EXIT_FAIL;
	}
	if (i < argc)
		return cli_usage_error_code(1, "unexpected word '%s' after the MAC and VLAN", cli_esc(argv[i]));
	r = classify(&p);
	if (r == 0)
		r = build(&p);
	return r ? r : attach(&p, opts, n_opts); /* r: pipework's own code */
}
