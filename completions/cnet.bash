# bash completion for cnet(8)                              -*- shell-script -*-

# Names of the files matching the glob $1, each without the suffix $2.
_cnet_names()
{
    local f
    for f in $1; do
        [[ -e $f ]] || continue
        f=${f%"${2-}"}
        printf '%s\n' "${f##*/}"
    done
}

# COMPREPLY: the words compgen "$@" offers for $cur (of the caller).
_cnet_reply()
{
    mapfile -t COMPREPLY < <(compgen "$@" -- "$cur")
}

_cnet()
{
    local cur line words cword i w n=0 kind='' ddash='' opt='' pre='' opts brk='' pf='' state=''
    local valopts=' --ifname --ip --hostname --dhcp-timeout --resolv-conf --gw --route --rule --mtu --mac --parent --mode --dev --bridge --host-ifname --state --wait --pf --vf --vf-count --vlan --vlan-proto --vlan-mode --vlan-ifname --spoofchk --trust --link-state --min-rate --max-rate --count --slave --miimon --updelay --downdelay --arp-interval --arp-ip-target --arp-validate --arp-all-targets --primary --fail-over-mac --xmit-hash-policy --lacp-rate --min-links --engine --flags --vxlan --vxlan-dev --vxlan-remote --vxlan-group --vxlan-port --egress-rate --egress-burst --ingress-rate --ingress-burst --peer --peer-ifname --peer-ip --peer-gw --peer-route '
    local common='--json --dry-run --state --wait --help'

    # Words up to the cursor, not split at '=' or ':' as COMP_WORDS is.
    if [[ -n ${COMP_LINE-} ]]; then
        brk=$COMP_WORDBREAKS
        line=${COMP_LINE:0:COMP_POINT}
        read -ra words <<<"$line"
        [[ $line == *[[:space:]] ]] && words+=("")
    else
        words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
    fi
    cword=$((${#words[@]} - 1))
    cur=${words[cword]}
    COMPREPLY=()

    if ((cword == 1)); then
        if [[ $cur == -* ]]; then
            _cnet_reply -W '--help --version'
        else
            _cnet_reply -W 'attach detach reapply ls show gc vf dhcp store watch hook pipework help version'
        fi
        return 0
    fi
    case ${words[1]} in
    help)
        ((cword == 2)) && _cnet_reply -W 'attach detach reapply ls show gc vf dhcp store watch hook pipework help version'
        return 0
        ;;
    attach | detach | reapply | ls | show | gc | vf | dhcp | store | watch | hook) ;;
    pipework)
        # pipework's positional words (cnet-pipework(8)): its flags, then
        # a host interface; the rest is the container's and the address
        if [[ $cur == -* ]]; then
            _cnet_reply -W '--direct-phys --wait --timeout --json --dry-run --state --help -i -l -a'
        elif [[ ${words[cword - 1]} == -a ]]; then
            _cnet_reply -W '4 6'
        elif [[ ${words[cword - 1]} != -[ila] && ${words[cword - 1]} != --state && ${words[cword - 1]} != --timeout ]] &&
            ! [[ " ${words[*]:2:cword-2} " =~ \ [^-][^\ ]*\  ]]; then
            _cnet_reply -W "$(_cnet_names '/sys/class/net/*')"
        fi
        return 0
        ;;
    *) return 0 ;;
    esac

    # Positional arguments so far: TARGET, then (attach) KIND.
    for ((i = 2; i < cword; i++)); do
        w=${words[i]}
        if [[ -z $ddash && $w == -- ]]; then
            ddash=1
        elif [[ -z $ddash && $w == -* ]]; then
            case $w in
            --pf) pf=${words[i + 1]} ;;
            --pf=*) pf=${w#--pf=} ;;
            --state) state=${words[i + 1]} ;;
            --state=*) state=${w#--state=} ;;
            esac
            [[ $w != *=* && $valopts == *" $w "* ]] && ((i++))
        else
            ((n == 1)) && kind=$w
            n=$((n + 1))
        fi
    done

    # The value of an option: --opt VALUE or --opt=VALUE.
    if [[ -z $ddash && $cur == --*=* ]]; then
        opt=${cur%%=*} pre=$opt= cur=${cur#*=}
    elif [[ -z $ddash && $valopts == *" ${words[cword - 1]} "* ]]; then
        opt=${words[cword - 1]}
    fi
    if [[ -n $opt ]]; then
        case $opt in
        --parent | --dev | --vxlan-dev) _cnet_reply -W "$(_cnet_names '/sys/class/net/*')" ;;
        --bridge) _cnet_reply -W "$(_cnet_names '/sys/class/net/*/bridge' /bridge)" ;;
        --mode)
            if [[ $kind == bond ]]; then
                _cnet_reply -W 'active-backup balance-rr balance-xor broadcast 802.3ad balance-tlb balance-alb'
            elif [[ $kind == ipvlan ]]; then
                _cnet_reply -W 'l2 l3 l3s'
            else
                _cnet_reply -W 'bridge private vepa passthru'
            fi
            ;;
        --slave) _cnet_reply -W 'sriov: dev: macvlan: in:' ;;
        --arp-validate) _cnet_reply -W 'none active backup all filter filter_active filter_backup' ;;
        --arp-all-targets) _cnet_reply -W 'any all' ;;
        --fail-over-mac) _cnet_reply -W 'none active follow' ;;
        --xmit-hash-policy) _cnet_reply -W 'layer2 layer3+4 layer2+3 encap2+3 encap3+4 vlan+srcmac' ;;
        --lacp-rate) _cnet_reply -W 'slow fast' ;;
        --pf) _cnet_reply -W "$(_cnet_names '/sys/class/net/*/device/sriov_totalvfs' /device/sriov_totalvfs)" ;;
        --vf) [[ -n $pf ]] && _cnet_reply -W "$(command "${words[0]}" __complete vfs "$pf" 2>/dev/null)" ;;
        --vlan-proto) _cnet_reply -W '802.1Q 802.1ad' ;;
        --vlan-mode) _cnet_reply -W 'sw hw' ;;
        --ip) _cnet_reply -W 'dhcp' ;;
        --spoofchk | --trust) _cnet_reply -W 'on off' ;;
        --link-state) _cnet_reply -W 'auto enable disable' ;;
        --engine) _cnet_reply -W 'docker podman' ;;
        --flags) _cnet_reply -W 'bridge private vepa' ;;
        --peer) _cnet_reply -W "pid: netns: docker: podman: container: $(_cnet_names '/run/netns/*')" ;;
        --state)
            compopt -o filenames 2>/dev/null || :
            _cnet_reply -f
            ;;
        esac
        # Readline replaces only what follows the '=' when '=' breaks words.
        if [[ -n $pre && $brk != *=* ]]; then
            COMPREPLY=("${COMPREPLY[@]/#/$pre}")
        fi
        return 0
    fi

    if [[ -z $ddash && $cur == -* ]]; then
        if [[ ${words[1]} == detach ]]; then
            opts="--ifname --force $common"
        elif [[ ${words[1]} == reapply ]]; then
            opts=$common
        elif [[ ${words[1]} == gc ]]; then
            opts="--yes --force $common"
        elif [[ ${words[1]} == ls || ${words[1]} == show ]]; then
            opts='--json --state --wait --help'
        elif [[ ${words[1]} == vf ]]; then
            opts="--count $common"
        elif [[ ${words[1]} == dhcp ]]; then
            opts='--ifname --json --state --wait --help'
        elif [[ ${words[1]} == store || ${words[1]} == hook ]]; then
            opts='--json --state --wait --help'
        elif [[ ${words[1]} == watch ]]; then
            opts='--engine --json --state --wait --help'
        else
            opts="--ifname --ip --hostname --dhcp-timeout --no-gw --resolv-conf --gw --route --rule --mtu --mac --egress-rate --egress-burst --ingress-rate --ingress-burst --no-dad --replace $common"
            case $kind in
            macvlan | ipvlan) opts+=' --parent --mode --vlan --vlan-proto --vxlan --vxlan-dev --vxlan-remote --vxlan-group --vxlan-port' ;;&
            macvlan) opts+=' --host-access' ;;
            ipvlan) opts+=' --flags' ;;
            vlan) opts+=' --parent --vlan --vlan-proto' ;;
            bond) opts+=' --mode --slave --miimon --updelay --downdelay --arp-interval --arp-ip-target --arp-validate --arp-all-targets --primary --fail-over-mac --xmit-hash-policy --lacp-rate --min-links --vlan --vlan-proto --vlan-mode --vlan-ifname --spoofchk --trust --link-state --min-rate --max-rate' ;;
            host-device) opts+=' --dev --force' ;;
            veth) opts+=' --bridge --create-bridge --host-ifname --vxlan --vxlan-dev --vxlan-remote --vxlan-group --vxlan-port' ;;
            pair) opts+=' --peer --peer-ifname --peer-ip --peer-gw --peer-route' ;;
            sriov) opts+=' --pf --vf --vf-count --vlan --vlan-proto --spoofchk --trust --link-state --min-rate --max-rate' ;;
            esac
        fi
        _cnet_reply -W "$opts"
    elif [[ ${words[1]} == vf ]]; then
        if ((n == 0)); then
            _cnet_reply -W 'enable disable ls'
        elif ((n == 1)); then
            _cnet_reply -W "$(_cnet_names '/sys/class/net/*/device/sriov_totalvfs' /device/sriov_totalvfs)"
        fi
    elif [[ ${words[1]} == dhcp && n -eq 0 ]]; then
        _cnet_reply -W 'renew release'
    elif [[ ${words[1]} == store ]]; then
        ((n == 0)) && _cnet_reply -W 'check compact'
    elif [[ ${words[1]} == watch || ${words[1]} == hook ]]; then
        : # no arguments
    elif ((n == 0)) || [[ ${words[1]} == reapply || ${words[1]} == ls ]] ||
        [[ ${words[1]} == dhcp && n -eq 1 ]]; then
        case $cur in
        /*)
            compopt -o filenames 2>/dev/null || :
            _cnet_reply -f
            ;;
        netns:*)
            cur=${cur#netns:}
            _cnet_reply -P netns: -W "$(_cnet_names '/run/netns/*')"
            [[ $brk == *:* ]] && COMPREPLY=("${COMPREPLY[@]#netns:}")
            ;;
        pid:*) ;;
        *)
            # named namespaces, and the targets the store has records for
            _cnet_reply -W "pid: netns: docker: podman: $(_cnet_names '/run/netns/*') $(command "${words[0]}" __complete targets ${state:+"$state"} 2>/dev/null)"
            # readline replaces only what follows a ':' that breaks words
            if [[ $brk == *:* && $cur == *:* ]]; then
                COMPREPLY=("${COMPREPLY[@]#"${cur%"${cur##*:}"}"}")
            fi
            [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null || :
            ;;
        esac
    elif ((n == 1)) && [[ ${words[1]} == attach ]]; then
        _cnet_reply -W 'macvlan host-device veth sriov vlan bond ipvlan pair'
    fi
    return 0
} &&
    complete -F _cnet cnet

# ex: filetype=sh
