# fish completion for cnet(8)
#
# The options, as `cnet __options` lists them from the parser's table:
#   attach: --ifname --ip --hostname --dhcp-timeout --no-gw --resolv-conf --gw --route --rule --mtu --mac --no-dad
#           --egress-rate --egress-burst --ingress-rate --ingress-burst
#           macvlan: --parent --mode --vlan --vlan-proto; host-device: --dev --force;
#           ipvlan: --parent --mode --flags --vlan --vlan-proto;
#           macvlan, ipvlan, veth: --vxlan --vxlan-dev --vxlan-remote --vxlan-group --vxlan-port;
#           macvlan: --host-access;
#           vlan: --parent --vlan --vlan-proto;
#           bond: --mode --slave --miimon --updelay --downdelay --arp-interval
#                 --arp-ip-target --arp-validate --arp-all-targets --primary
#                 --fail-over-mac --xmit-hash-policy --lacp-rate --min-links
#                 --vlan --vlan-proto --vlan-mode --vlan-ifname --spoofchk --trust
#                 --link-state --min-rate --max-rate;
#           veth: --bridge --create-bridge --host-ifname
#           pair: --peer --peer-ifname --peer-ip --peer-gw --peer-route
#           sriov: --pf --vf --vf-count --vlan --vlan-proto --spoofchk --trust
#                  --link-state --min-rate --max-rate
#   detach: --ifname --force
#   dhcp: --ifname --json --state --wait --help
#   attach: --replace
#   gc: --yes --force
#   vf: --count
#   attach, detach, reapply, gc, vf: --json --dry-run --state --wait --help
#   ls, show, store, hook: --json --state --wait --help
#   watch: --engine --json --state --wait --help
#   pipework: --direct-phys --wait --timeout --json --dry-run --state --help, -i -l -a

# The subcommand, then the positional arguments before the cursor, one a line.
function __cnet_args
    set -l tokens (commandline -opc)
    set -l skip 0
    echo $tokens[2]
    for t in $tokens[3..-1]
        if test $skip = 1
            set skip 0
        else if contains -- $t --ifname --ip --hostname --dhcp-timeout --resolv-conf --gw --route --rule --mtu --mac --parent --mode --dev --bridge --host-ifname --state --wait --pf --vf --vf-count --vlan --vlan-proto --vlan-mode --vlan-ifname --spoofchk --trust --link-state --min-rate --max-rate --count --slave --miimon --updelay --downdelay --arp-interval --arp-ip-target --arp-validate --arp-all-targets --primary --fail-over-mac --xmit-hash-policy --lacp-rate --min-links --flags --vxlan --vxlan-dev --vxlan-remote --vxlan-group --vxlan-port --egress-rate --egress-burst --ingress-rate --ingress-burst --peer --peer-ifname --peer-ip --peer-gw --peer-route
            set skip 1
        else if not string match -q -- '-*' $t
            echo $t
        end
    end
end

# __cnet_at CMD [N]: the subcommand is CMD (and N positional arguments are given).
function __cnet_at
    set -l a (__cnet_args)
    test "$a[1]" = $argv[1]; or return
    set -q argv[2]; or return 0
    test (count $a) -eq (math $argv[2] + 1)
end

# __cnet_kind KIND: attach, with KIND given.
function __cnet_kind
    set -l a (__cnet_args)
    test "$a[1]" = attach -a "$a[3]" = $argv[1]
end

# __cnet_names DIR [SUFFIX]: the names of the entries DIR/*SUFFIX.
function __cnet_names
    set -l paths $argv[1]/*"$argv[2]"
    string replace -r '^.*/([^/]+)'"$argv[2]"'$' '$1' -- $paths
end

# The SR-IOV PFs here: interfaces whose device has sriov_totalvfs.
function __cnet_pfs
    for f in /sys/class/net/*/device/sriov_totalvfs
        string replace -r '^/sys/class/net/([^/]+)/.*$' '$1' -- $f
    end
end

function __cnet_targets
    set -l cur (commandline -ct)
    switch $cur
        case '/*'
            __fish_complete_path $cur
        case 'pid:*'
            __fish_complete_pids | string replace -r '^' 'pid:'
        case 'netns:*'
            __cnet_names /run/netns | string replace -r '^' 'netns:'
        case '*'
            __cnet_names /run/netns
            printf '%s\t%s\n' pid: 'PID of a process' netns: 'named namespace' docker: 'Docker container' podman: 'Podman container'
            # the targets the store has records for
            set -l tokens (commandline -opc)
            set -l st (string replace -r -- '^--state=' '' (string match -r -- '^--state=.*' $tokens))
            set -l i (contains -i -- --state $tokens); and set st $tokens[(math $i + 1)]
            command cnet __complete targets $st 2>/dev/null | string replace -r '$' '\trecorded'
    end
end

# The free VFs of the PF given with --pf.
function __cnet_free_vfs
    set -l tokens (commandline -opc)
    set -l i (contains -i -- --pf $tokens); or return
    command cnet __complete vfs $tokens[(math $i + 1)] 2>/dev/null
end

complete -c cnet -f

# Commands
complete -c cnet -n __fish_use_subcommand -a attach -d "put an interface into a container's network namespace"
complete -c cnet -n __fish_use_subcommand -a detach -d 'undo attachments and give the host back what it lent'
complete -c cnet -n __fish_use_subcommand -a reapply -d 'bring recorded attachments back after restarts, reboots or drift'
complete -c cnet -n __fish_use_subcommand -a ls -d 'list recorded attachments and their live state'
complete -c cnet -n __fish_use_subcommand -a show -d 'show what is recorded for one target, and its live state'
complete -c cnet -n __fish_use_subcommand -a gc -d 'undo and drop the records of containers that no longer exist'
complete -c cnet -n __fish_use_subcommand -a vf -d "SR-IOV: set a PF's VF count, or list VFs and their settings"
complete -c cnet -n __fish_use_subcommand -a dhcp -d "renew or release the DHCP leases of a target's attachments now"
complete -c cnet -n __fish_use_subcommand -a store -d 'verify the state store, or fold its journal into the snapshot now'
complete -c cnet -n __fish_use_subcommand -a watch -d "follow Docker's and Podman's events: a restarted container gets its interfaces back at once"
complete -c cnet -n __fish_use_subcommand -a hook -d "OCI hook (createRuntime): bring a container's interfaces back before it starts"
complete -c cnet -n __fish_use_subcommand -a pipework -d "pipework's command lines, each a recorded attachment"
complete -c cnet -n __fish_use_subcommand -a help -d 'show help for cnet or one command'
complete -c cnet -n __fish_use_subcommand -a version -d 'show the version'
complete -c cnet -n __fish_use_subcommand -l help -d 'show help'
complete -c cnet -n __fish_use_subcommand -l version -d 'show the version'
complete -c cnet -n '__cnet_at help 0' -a 'attach detach reapply ls show gc vf dhcp store watch hook pipework help version'

# Positional arguments
complete -c cnet -n '__cnet_at attach 0; or __cnet_at detach 0' -a '(__cnet_targets)'
complete -c cnet -n '__fish_seen_subcommand_from reapply ls show' -a '(__cnet_targets)'
complete -c cnet -n '__cnet_at attach 1' -a macvlan -d 'macvlan on a host interface'
complete -c cnet -n '__cnet_at attach 1' -a host-device -d 'move a host interface in'
complete -c cnet -n '__cnet_at attach 1' -a veth -d 'veth pair onto a bridge'
complete -c cnet -n '__cnet_at attach 1' -a sriov -d 'an SR-IOV virtual function'
complete -c cnet -n '__cnet_at attach 1' -a vlan -d 'an 802.1Q subinterface of a host interface'
complete -c cnet -n '__cnet_at attach 1' -a bond -d 'a bond over VFs, devices or macvlans'
complete -c cnet -n '__cnet_at attach 1' -a ipvlan -d "ipvlan on a host interface, its MAC"
complete -c cnet -n '__cnet_at attach 1' -a pair -d 'a veth straight between two containers'
complete -c cnet -n '__cnet_at vf 0' -a enable -d 'give a PF N VFs'
complete -c cnet -n '__cnet_at vf 0' -a disable -d "remove a PF's VFs"
complete -c cnet -n '__cnet_at vf 0' -a ls -d 'list VFs and their settings'
complete -c cnet -n '__cnet_at vf 1' -a '(__cnet_pfs)'
complete -c cnet -n '__cnet_at dhcp 0' -a renew -d 'renew the leases now'
complete -c cnet -n '__cnet_at dhcp 0' -a release -d 'give the leases back'
complete -c cnet -n '__cnet_at dhcp 1' -a '(__cnet_targets)'
complete -c cnet -n '__cnet_at store 0' -a check -d 'verify the snapshot and the journal'
complete -c cnet -n '__cnet_at store 0' -a compact -d 'fold the journal into the snapshot now'

# attach
set -l at '__cnet_at attach'
complete -c cnet -n $at -l ifname -x -d 'name inside the container (default eth1)'
complete -c cnet -n $at -l ip -x -a dhcp -d 'add an IPv4 or IPv6 address (ADDR/PLEN), or dhcp'
complete -c cnet -n $at -l hostname -x -d '--ip dhcp: the hostname to send'
complete -c cnet -n $at -l dhcp-timeout -x -d '--ip dhcp: seconds to wait for a lease (default 10)'
complete -c cnet -n $at -l no-gw -d "--ip dhcp: no default route via the server's router"
complete -c cnet -n $at -l resolv-conf -x -d '--ip dhcp: write the DNS servers to this path in the container'
complete -c cnet -n $at -l gw -x -d 'default route via ADDR (one per family)'
complete -c cnet -n $at -l route -x -d 'add a route (DEST/PLEN[@VIA][,metric=N][,table=N])'
complete -c cnet -n $at -l rule -x -d 'a policy routing rule (from=PREFIX,to=PREFIX,table=N,priority=N)'
complete -c cnet -n $at -l mtu -x -d 'MTU of the interface'
complete -c cnet -n $at -l mac -x -d 'MAC address of the interface'
complete -c cnet -n $at -l no-dad -d 'IPv6 addresses usable at once, without DAD'
complete -c cnet -n $at -l egress-rate -x -a '10mbit 100mbit 1gbit' -d 'limit what the container sends'
complete -c cnet -n $at -l egress-burst -x -d 'bucket of the egress rate, bytes'
complete -c cnet -n $at -l ingress-rate -x -a '10mbit 100mbit 1gbit' -d 'limit what the container receives'
complete -c cnet -n $at -l ingress-burst -x -d 'bucket of the ingress rate, bytes'
complete -c cnet -n $at -l replace -d 'replace an attachment of that name made with other settings'
complete -c cnet -n '__cnet_kind macvlan' -l parent -x -a '(__cnet_names /sys/class/net)' -d 'host interface to sit on'
complete -c cnet -n '__cnet_kind macvlan' -l mode -x -a 'bridge private vepa passthru' -d 'macvlan mode'
complete -c cnet -n '__cnet_kind macvlan' -l vlan -x -d 'sit on the host subinterface PARENT.VID'
complete -c cnet -n '__cnet_kind macvlan' -l vlan-proto -x -a '802.1Q 802.1ad' -d 'VLAN protocol'
complete -c cnet -n '__cnet_kind ipvlan' -l parent -x -a '(__cnet_names /sys/class/net)' -d 'host interface to sit on'
complete -c cnet -n '__cnet_kind ipvlan' -l mode -x -a 'l2 l3 l3s' -d 'ipvlan mode'
complete -c cnet -n '__cnet_kind ipvlan' -l flags -x -a 'bridge private vepa' -d 'ipvlan flags'
complete -c cnet -n '__cnet_kind ipvlan' -l vlan -x -d 'sit on the host subinterface PARENT.VID'
complete -c cnet -n '__cnet_kind ipvlan' -l vlan-proto -x -a '802.1Q 802.1ad' -d 'VLAN protocol'
# --vxlan and its settings: macvlan and ipvlan sit on the device, a veth's
# bridge gets it as a port
for k in macvlan ipvlan veth
    complete -c cnet -n "__cnet_kind $k" -l vxlan -x -d 'the host VXLAN device vxVNI (macvlan, ipvlan: on it; veth: on the bridge)'
    complete -c cnet -n "__cnet_kind $k" -l vxlan-dev -x -a '(__cnet_names /sys/class/net)' -d 'the VXLAN underlay'
    complete -c cnet -n "__cnet_kind $k" -l vxlan-remote -x -d 'another host on the segment (repeatable)'
    complete -c cnet -n "__cnet_kind $k" -l vxlan-group -x -d 'multicast group of the segment'
    complete -c cnet -n "__cnet_kind $k" -l vxlan-port -x -d 'VXLAN UDP port'
end
complete -c cnet -n '__cnet_kind macvlan' -l host-access -d 'the host reaches its addresses through a shim'
complete -c cnet -n '__cnet_kind bond' -l mode -x -a 'active-backup balance-rr balance-xor broadcast 802.3ad balance-tlb balance-alb' -d 'bonding mode'
complete -c cnet -n '__cnet_kind bond' -l slave -x -a 'sriov: dev: macvlan: in:' -d 'a slave (repeatable)'
complete -c cnet -n '__cnet_kind bond' -l miimon -x -d 'MII monitoring interval (ms)'
complete -c cnet -n '__cnet_kind bond' -l updelay -x -d 'wait before using a slave whose link came up (ms)'
complete -c cnet -n '__cnet_kind bond' -l downdelay -x -d 'wait before dropping a slave whose link went down (ms)'
complete -c cnet -n '__cnet_kind bond' -l arp-interval -x -d 'ARP monitoring interval (ms)'
complete -c cnet -n '__cnet_kind bond' -l arp-ip-target -x -d 'IPv4 address ARP monitoring asks (repeatable)'
complete -c cnet -n '__cnet_kind bond' -l arp-validate -x -a 'none active backup all filter filter_active filter_backup' -d 'which ARP replies count'
complete -c cnet -n '__cnet_kind bond' -l arp-all-targets -x -a 'any all' -d 'any or all targets must answer'
complete -c cnet -n '__cnet_kind bond' -l primary -x -d 'preferred slave (IFNAMEsN)'
complete -c cnet -n '__cnet_kind bond' -l fail-over-mac -x -a 'none active follow' -d 'MAC policy on failover'
complete -c cnet -n '__cnet_kind bond' -l xmit-hash-policy -x -a 'layer2 layer3+4 layer2+3 encap2+3 encap3+4 vlan+srcmac' -d 'transmit hash policy'
complete -c cnet -n '__cnet_kind bond' -l lacp-rate -x -a 'slow fast' -d '802.3ad LACPDU rate'
complete -c cnet -n '__cnet_kind bond' -l min-links -x -d '802.3ad slaves needed for carrier'
complete -c cnet -n '__cnet_kind bond' -l vlan -x -d 'VLAN: on the bond (sw) or set by each VF slave\'s PF (hw)'
complete -c cnet -n '__cnet_kind bond' -l vlan-proto -x -a '802.1Q 802.1ad' -d 'VLAN protocol'
complete -c cnet -n '__cnet_kind bond' -l vlan-mode -x -a 'sw hw' -d 'where the VLAN is'
complete -c cnet -n '__cnet_kind bond' -l vlan-ifname -x -d 'name of the VLAN interface on the bond'
complete -c cnet -n '__cnet_kind bond' -l spoofchk -x -a 'on off' -d 'MAC spoof checking on each VF slave'
complete -c cnet -n '__cnet_kind bond' -l trust -x -a 'on off' -d 'let each VF slave change its MAC'
complete -c cnet -n '__cnet_kind bond' -l link-state -x -a 'auto enable disable' -d 'VF slaves\' link state'
complete -c cnet -n '__cnet_kind bond' -l min-rate -x -d 'VF slaves\' minimum TX rate (Mbit/s)'
complete -c cnet -n '__cnet_kind bond' -l max-rate -x -d 'VF slaves\' maximum TX rate (Mbit/s)'
complete -c cnet -n '__cnet_kind vlan' -l parent -x -a '(__cnet_names /sys/class/net)' -d 'host interface to sit on'
complete -c cnet -n '__cnet_kind vlan' -l vlan -x -d 'VLAN ID'
complete -c cnet -n '__cnet_kind vlan' -l vlan-proto -x -a '802.1Q 802.1ad' -d 'VLAN protocol'
complete -c cnet -n '__cnet_kind host-device' -l dev -x -a '(__cnet_names /sys/class/net)' -d 'host interface to move in'
complete -c cnet -n '__cnet_kind host-device' -l force -d 'move it even if it carries addresses, routes or a master'
complete -c cnet -n '__cnet_kind veth' -l bridge -x -a '(__cnet_names /sys/class/net /bridge)' -d 'Linux bridge for the host end'
complete -c cnet -n '__cnet_kind veth' -l create-bridge -d 'create the bridge if it does not exist'
complete -c cnet -n '__cnet_kind veth' -l host-ifname -x -d 'name of the host end (default vethID)'
complete -c cnet -n '__cnet_kind pair' -l peer -x -a '(__cnet_targets)' -d 'the container the other end is created in'
complete -c cnet -n '__cnet_kind pair' -l peer-ifname -x -d 'name of the other end (default eth1)'
complete -c cnet -n '__cnet_kind pair' -l peer-ip -x -d 'add an address to the other end (repeatable)'
complete -c cnet -n '__cnet_kind pair' -l peer-gw -x -d "default route of the peer via ADDR"
complete -c cnet -n '__cnet_kind pair' -l peer-route -x -d 'add a route through the other end (repeatable)'
complete -c cnet -n '__cnet_kind sriov' -l pf -x -a '(__cnet_pfs)' -d 'the PF, a host interface or PCI address'
complete -c cnet -n '__cnet_kind sriov' -l vf -x -a '(__cnet_free_vfs)' -d 'this VF index (default: a free one)'
complete -c cnet -n '__cnet_kind sriov' -l vf-count -x -d 'create N VFs first if the PF has none'
complete -c cnet -n '__cnet_kind sriov' -l vlan -x -d 'VLAN (VID[:QOS]) the PF tags the VF with'
complete -c cnet -n '__cnet_kind sriov' -l vlan-proto -x -a '802.1Q 802.1ad' -d 'VLAN protocol'
complete -c cnet -n '__cnet_kind sriov' -l spoofchk -x -a 'on off' -d 'MAC spoof checking on the VF'
complete -c cnet -n '__cnet_kind sriov' -l trust -x -a 'on off' -d 'let the VF change its MAC and promiscuity'
complete -c cnet -n '__cnet_kind sriov' -l link-state -x -a 'auto enable disable' -d 'VF link state'
complete -c cnet -n '__cnet_kind sriov' -l min-rate -x -d 'minimum TX rate, Mbit/s'
complete -c cnet -n '__cnet_kind sriov' -l max-rate -x -d 'maximum TX rate, Mbit/s (0: no limit)'

# vf
complete -c cnet -n '__cnet_at vf' -l count -x -d 'enable: how many VFs the PF gets'

# detach
complete -c cnet -n '__cnet_at detach' -l ifname -x -d 'only this interface (default: every one recorded)'
complete -c cnet -n '__cnet_at detach; or __cnet_at gc' -l force -d 'also what a CNI runtime owns'

# dhcp
complete -c cnet -n '__cnet_at dhcp' -l ifname -x -d 'only this interface'

# watch
complete -c cnet -n '__fish_seen_subcommand_from watch' -l engine -x -a 'docker podman' -d 'docker or podman (default: both)'

# pipework (cnet-pipework(8)): positional words, a host interface first
set -l pw '__fish_seen_subcommand_from pipework'
complete -c cnet -n $pw -l direct-phys -d 'move the host interface itself into the container'
complete -c cnet -n $pw -l wait -d 'inside the container: wait until the interface is up'
complete -c cnet -n $pw -l timeout -x -d '--wait: give up after SEC seconds'
complete -c cnet -n $pw -l json -d 'print one JSON object on stdout'
complete -c cnet -n $pw -l dry-run -d 'change nothing; say what would be done'
complete -c cnet -n $pw -l state -r -F -d 'state store (default /var/lib/cnet/state.json)'
complete -c cnet -n $pw -l help -d 'show help'
complete -c cnet -n $pw -o i -x -d "the interface's name in the container"
complete -c cnet -n $pw -o l -x -d "a bridge's host end"
complete -c cnet -n $pw -o a -x -a '4 6' -d 'address family'
complete -c cnet -n '__cnet_at pipework 0' -x -a '(__fish_print_interfaces)'

# Common
set -l ad '__cnet_at attach; or __cnet_at detach; or __fish_seen_subcommand_from reapply gc vf'
complete -c cnet -n '__fish_seen_subcommand_from gc' -l yes -d 'really remove them'
set -l all "$ad; or __fish_seen_subcommand_from ls show dhcp store watch hook"
complete -c cnet -n $all -l json -d 'print one JSON object on stdout'
complete -c cnet -n $ad -l dry-run -d 'change nothing; say what would be done'
complete -c cnet -n $all -l state -r -F -d 'state store (default /var/lib/cnet/state.json)'
complete -c cnet -n $all -l wait -x -d "seconds to wait for the store's lock (default 30)"
complete -c cnet -n $all -l help -d 'show help'
