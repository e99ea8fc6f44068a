#!/bin/bash
# PID 1 of the test VM (after switch_root): set the guest up, run the bats
# suites named on the kernel command line with CI=true, leave TAP output and
# bats' exit status in the results share, power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
arg() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
ln -sfn /proc/self/fd /dev/fd # bash process substitution
# /tmp stays as the overlay has it (writable, on tmpfs): the checkout under
# test may live there. /run is fresh so /run/netns starts empty.
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /var/lib/cnet

R=/cnet-results
TOP=$(arg cnet.top)
SUITES=$(arg cnet.suites)
{
	echo "guest: kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s"
	modprobe -a igb igbvf bonding 8021q dummy ipvlan macvlan veth bridge
	ip link set lo up
	echo "guest: modules loaded at $(cut -d' ' -f1 /proc/uptime) s"
} >"$R/guest.log" 2>&1
cd "$TOP" || echo "no $TOP" >>"$R/guest.log"
if [ "$(arg cnet.shell)" = 1 ]; then
	export CNET_VM_SHARE=$R
	echo "cnet test VM: the host's root is read-only under a tmpfs overlay; 'poweroff -f' ends it"
	setsid -c bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
	echo o >/proc/sysrq-trigger
fi
# Suites reach the host through this share (tests/vm/vm_helper.bash).
export CI=true CNET_VM_SHARE=$R
bats --formatter tap --timing ${SUITES//,/ } >"$R/tap.txt" 2>&1
echo $? >"$R/status"
echo "guest: done at $(cut -d' ' -f1 /proc/uptime) s" >>"$R/guest.log"
sync
echo o >/proc/sysrq-trigger
sleep 10
