/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cnet: the command table, help, and dispatch. Exact names only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"

#define COMMON_OPTS                                                                      \
	{"json", NULL, false, 0, "print one JSON object on stdout"},                    \
	{"dry-run", NULL, false, 0, "change nothing; say what would be done"},          \
	{"state", "PATH", false, 0, "state store (default /var/lib/cnet/state.json)"}, \
	{"wait", "SEC", false, 0, "wait this long for the store's lock (default 30)"},  \
	{"help", NULL, false, 0, "show this help"}

static const struct cli_opt attach_opts[] = {
	{"ifname", "NAME", false, 0, "name inside the container (default eth1)"},
	{"ip", "ADDR/PLEN|dhcp", true, 0, "add an IPv4 or IPv6 address (repeatable), or lease one by DHCP"},
	{"gw", "ADDR", true, 0, "default route via ADDR, replacing that family's (one per family)"},
	{"route", "DEST/PLEN[@VIA]", true, 0, "add a route through the interface (repeatable)"},
	{"mtu", "N", false, 0, "MTU of the interface"},
	{"mac", "MAC", false, 0, "MAC address of the interface"},
	{"no-dad", NULL, false, 0, "IPv6 addresses usable at once, without duplicate detection"},
	{"hostname", "NAME", false, 0, "--ip dhcp: the hostname to send the server"},
	{"dhcp-timeout", "SEC", false, 0, "--ip dhcp: how long to wait for a lease (default 10)"},
	{"no-gw", NULL, false, 0, "--ip dhcp: no default route via the server's router"},
	{"resolv-conf", "PATH", false, 0, "--ip dhcp: write the lease's DNS servers to PATH in the container"},
	{"parent", "IF", false, K_MACVLAN | K_VLAN, "macvlan, vlan: host interface to sit on"},
	{"mode", "MODE", false, K_MACVLAN | K_BOND,
	 "macvlan: bridge (default), private, vepa or passthru; bond: its mode (required)"},
	{"dev", "IF", false, K_HOSTDEV, "host-device: the host interface to move in"},
	{"force", NULL, false, K_HOSTDEV, "host-device: move it even if it carries addresses, routes or a master"},
	{"bridge", "BR", false, K_VETH, "veth: Linux bridge for the host end"},
	{"create-bridge", NULL, false, K_VETH, "veth: create the bridge if it does not exist"},
	{"host-ifname", "NAME", false, K_VETH, "veth: name of the host end (default vethID)"},
	{"pf", "PF", false, K_SRIOV, "sriov: the PF, a host interface or PCI address"},
	{"vf", "N", false, K_SRIOV, "sriov: this VF index (default: a free one)"},
	{"vf-count", "N", false, K_SRIOV, "sriov: create N VFs first if the PF has none"},
	{"vlan", "VID[:QOS]", false, K_SRIOV | K_MACVLAN | K_VLAN | K_BOND,
	 "sriov: VLAN (and priority) the PF tags the VF with; macvlan: sit on PARENT.VID; vlan: its ID; "
	 "bond: see --vlan-mode"},
	{"vlan-proto", "PROTO", false, K_SRIOV | K_MACVLAN | K_VLAN | K_BOND, "802.1Q (default) or 802.1ad"},
	{"vlan-mode", "sw|hw", false, K_BOND,
	 "bond: sw (default): a VLAN interface on the bond takes the addresses; hw: the PF tags each VF slave"},
	{"vlan-ifname", "NAME", false, K_BOND, "bond, --vlan-mode sw: the VLAN interface's name (default IFNAME.VID)"},
	{"spoofchk", "on|off", false, K_SRIOV | K_BOND, "sriov, bond's VF slaves: MAC spoof checking"},
	{"trust", "on|off", false, K_SRIOV | K_BOND, "sriov, bond's VF slaves: let the VF change its MAC and promiscuity"},
	{"link-state", "STATE", false, K_SRIOV | K_BOND, "sriov, bond's VF slaves: auto, enable or disable"},
	{"min-rate", "MBPS", false, K_SRIOV | K_BOND, "sriov, bond's VF slaves: minimum TX rate, Mbit/s"},
	{"max-rate", "MBPS", false, K_SRIOV | K_BOND, "sriov, bond's VF slaves: maximum TX rate, Mbit/s (0: no limit)"},
	{"slave", "SPEC", true, K_BOND, "bond: sriov:PF, sriov:PF/VF, dev:IF or macvlan:PARENT (repeatable)"},
	{"miimon", "MS", false, K_BOND, "bond: MII link monitoring interval"},
	{"updelay", "MS", false, K_BOND, "bond: wait before using a slave whose link came up"},
	{"downdelay", "MS", false, K_BOND, "bond: wait before dropping a slave whose link went down"},
	{"arp-interval", "MS", false, K_BOND, "bond: ARP monitoring interval"},
	{"arp-ip-target", "ADDR", true, K_BOND, "bond: IPv4 address ARP monitoring asks (repeatable)"},
	{"arp-validate", "WHAT", false, K_BOND, "bond: none, active, backup, all, filter..."},
	{"arp-all-targets", "any|all", false, K_BOND, "bond: a slave is up when any or all targets answer"},
	{"primary", "SLAVE", false, K_BOND, "bond: the preferred slave, by its name IFNAMEsN"},
	{"fail-over-mac", "POLICY", false, K_BOND, "bond: none, active or follow"},
	{"xmit-hash-policy", "POLICY", false, K_BOND, "bond: layer2, layer3+4, layer2+3, encap2+3..."},
	{"lacp-rate", "slow|fast", false, K_BOND, "bond: 802.3ad LACPDU rate"},
	{"min-links", "N", false, K_BOND, "bond: 802.3ad: slaves needed for carrier"},
	{"replace", NULL, false, 0, "replace an attachment of that name made with other settings"},
	COMMON_OPTS,
	{0},
};

static const struct cli_opt detach_opts[] = {
	{"ifname", "NAME", false, 0, "only this interface (default: every one recorded)"},
	COMMON_OPTS,
	{0},
};

static const struct cli_opt dhcp_opts[] = {
	{"ifname", "NAME", false, 0, "only this interface (default: every --ip dhcp one recorded)"},
	{"json", NULL, false, 0, "print one JSON object on stdout"},
	{"state", "PATH", false, 0, "state store (default /var/lib/cnet/state.json)"},
	{"wait", "SEC", false, 0, "wait this long for the store's lock (default 30)"},
	{"help", NULL, false, 0, "show this help"},
	{0},
};

static const struct cli_opt reapply_opts[] = {
	COMMON_OPTS,
	{0},
};

static const struct cli_opt ls_opts[] = {
	{"json", NULL, false, 0, "print one JSON object on stdout"},
	{"state", "PATH", false, 0, "state store (default /var/lib/cnet/state.json)"},
	{"wait", "SEC", false, 0, "wait this long for the store's lock (default 30)"},
	{"help", NULL, false, 0, "show this help"},
	{0},
};

static const struct cli_opt gc_opts[] = {
	{"yes", NULL, false, 0, "really remove them (gc refuses without --yes or --dry-run)"},
	COMMON_OPTS,
	{0},
};

static const struct cli_opt vf_opts[] = {
	{"count", "N", false, 0, "enable: how many VFs the PF gets"},
	COMMON_OPTS,
	{0},
};

static const struct cli_opt no_opts[] = {{0}};

static int cmd_help(const struct cli_cmd *cmd, int argc, char **argv);
static int cmd_version(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cli_cmds[] = {
	{"attach", cmd_attach, "attach TARGET KIND [OPTIONS]",
	 "put an interface into a container's network namespace and address it", attach_opts},
	{"detach", cmd_detach, "detach TARGET [--ifname NAME] [OPTIONS]",
	 "undo attachments and give the host back what it lent", detach_opts},
	{"reapply", cmd_reapply, "reapply [TARGET...] [OPTIONS]",
	 "bring recorded attachments back after restarts, reboots or drift", reapply_opts},
	{"ls", cmd_ls, "ls [TARGET...] [OPTIONS]", "list recorded attachments and their live state",
	 ls_opts},
	{"show", cmd_show, "show TARGET [OPTIONS]",
	 "show what is recorded for one target, and its live state", ls_opts},
	{"gc", cmd_gc, "gc --yes|--dry-run [OPTIONS]",
	 "undo and drop the records of containers that no longer exist", gc_opts},
	{"vf", cmd_vf, "vf enable PF --count N | vf disable PF | vf ls [PF] [OPTIONS]",
	 "SR-IOV: set a PF's VF count, or list VFs and their settings", vf_opts},
	{"dhcp", cmd_dhcp, "dhcp renew|release TARGET [--ifname NAME] [OPTIONS]",
	 "renew or release the DHCP leases of a target's attachments now", dhcp_opts},
	{"help", cmd_help, "help [COMMAND]", "show help for cnet or one command", no_opts},
	{"version", cmd_version, "version", "show the version", no_opts},
	{0},
};

static const struct cli_cmd *find_cmd(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: cnet COMMAND [ARGS]\n\nCommands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\nTargets: pid:PID, netns:NAME, /path/to/netns, or NAME (a named netns, or a PID)\n"
		   "Kinds: macvlan, host-device, veth, sriov, vlan, bond\n"
		   "'cnet COMMAND --help' shows a command's options; cnet(8) has the rest.\n");
}

static int cmd_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	const struct cli_cmd *c;

	(void)cmd;
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	c = find_cmd(argv[1]);
	if (!c)
		return cli_usage_error("unknown command '%s' (see 'cnet help')", argv[1]);
	cli_help(c);
	return EXIT_OK;
}

static int cmd_version(const struct cli_cmd *cmd, int argc, char **argv)
{
	(void)cmd;
	if (argc > 1)
		return cli_usage_error("unexpected argument '%s'", argv[1]);
	printf("cnet %s\n", cnet_version());
	return EXIT_OK;
}

#ifndef CNET_NO_MAIN /* the command-line fuzz target has its own main */
/* For tests and completions: every option of every command, from the very
 * table the parser uses. Not for people; output format: "COMMAND --OPTION". */
static int list_options(void)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		for (const struct cli_opt *o = c->opts; o->name; o++)
			printf("%s --%s\n", c->name, o->name);
	return EXIT_OK;
}

/* For completions: live values, one a line, nothing on any error.
 *   targets [STATE]: the targets the store has records for
 *   vfs PF: the VFs of PF that are free (not attached, with an interface
 *           here, not bound to a userspace driver) */
static int complete_values(int argc, char **argv)
{
	struct cnet_ctx *ctx = NULL;
	struct cnet_result *res = NULL;
	cJSON *recs = NULL, *r;

	if (argc >= 3 && !strcmp(argv[2], "targets")) {
		const char *path = argc > 3 ? argv[3] : getenv("CNET_STATE");
		FILE *f = fopen(path && *path ? path : "/var/lib/cnet/state.json", "re");
		char *buf = f ? calloc(1, 1 << 22) : NULL;
		size_t n = buf ? fread(buf, 1, (1 << 22) - 1, f) : 0;
		cJSON *st = n ? cJSON_Parse(buf) : NULL;
		if (f)
			fclose(f);
		free(buf);
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(st, "records"))
		{
			const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "target"));
			if (t && !cJSON_GetObjectItemCaseSensitive(r, "slave_of"))
				printf("%s\n", t);
		}
		cJSON_Delete(st);
	} else if (argc == 4 && !strcmp(argv[2], "vfs") && cnet_ctx_new(&ctx) == 0 &&
		   cnet_vf_list(ctx, argv[3], &res) == 0) {
		recs = cJSON_Parse(cnet_result_records_json(res));
		cJSON_ArrayForEach(r, recs)
		{
			const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "target"));
			const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "netdev"));
			const char *drv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "driver"));
			if ((!t || !*t) && d && *d && (!drv || (strcmp(drv, "vfio-pci") && strncmp(drv, "uio", 3))))
				printf("%g\n", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "vf")));
		}
	}
	cJSON_Delete(recs);
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	/* --json is known before parsing, so that even a usage error comes out
	 * as one JSON object; a value of an option is not the flag. */
	c = argc > 1 ? find_cmd(argv[1]) : NULL;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		int idx = c && !strncmp(argv[i], "--", 2) && !strchr(argv[i], '=')
				  ? cli_opt_index(c, argv[i] + 2)
				  : -1;
		if (!strcmp(argv[i], "--json"))
			cli_json = true;
		else if (idx >= 0 && c->opts[idx].arg)
			i++;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(NULL, 0, NULL);
	if (!strcmp(argv[1], "__options"))
		return list_options();
	if (!strcmp(argv[1], "__complete"))
		return complete_values(argc, argv);
	c = find_cmd(argv[1]);
	if (!c)
		return cli_usage_error("unknown command '%s' (see 'cnet help')", argv[1]);
	cli_command = c->name;
	cli_log_init();
	return c->fn(c, argc - 1, argv + 1);
}
#endif
