#!/bin/bash
# sysfs: the controller's and the namespaces' attributes hold what the
# in-tree driver's hold for the same controller in the same VM (padding
# aside), reset_controller resets and comes back live with the data
# intact, rescan_controller is accepted.  A second namespace carries an
# EUI64: the in-tree driver ignores the identifiers of QEMU's controller
# (its BOGUS_NID quirk, as QEMU's defaults are not unique), nvmx shows the
# one given, so those two lines are checked on their own.
. tests/lib.sh

host() {
	nvmx_only
	lab_run --nvme serial=nvmx-sysfs --ns size=32M --ns size=32M,eui64=0x0011223344556677
}

CTRL_ATTRS="model serial firmware_rev cntlid transport state subsysnqn queue_count sqsize numa_node"
NS_ATTRS="nsid wwid uuid nguid eui"

attrs() {	# attrs DRIVER: "name value" lines
	local c n a b

	DRIVER=$1 CLASS=$1
	load_driver
	c=$(ctrl_by_serial nvmx-sysfs)
	for a in $CTRL_ATTRS; do
		echo "ctrl $a $(attr /sys/class/"$CLASS"/"$c"/"$a")"
	done
	for n in 1 2; do
		b=$(basename "$(ns_dev nvmx-sysfs "$n")")
		for a in $NS_ATTRS; do
			if [ -e /sys/block/"$b"/"$a" ]; then
				echo "ns$n $a $(attr /sys/block/"$b"/"$a")"
			else
				echo "ns$n $a (none)"
			fi
		done
	done
	unload_driver
}

guest() {
	local c dev

	nvmx_only
	attrs nvme >/tmp/attrs-nvme
	attrs nvmx >/tmp/attrs-nvmx
	cat /tmp/attrs-nvmx
	grep -vE '^ns2 (wwid|eui) ' /tmp/attrs-nvme >/tmp/cmp-nvme || true
	grep -vE '^ns2 (wwid|eui) ' /tmp/attrs-nvmx >/tmp/cmp-nvmx || true
	diff -u /tmp/cmp-nvme /tmp/cmp-nvmx || fail "sysfs attributes differ from the in-tree driver's"
	grep -qx 'ns2 eui 00 11 22 33 44 55 66 77' /tmp/attrs-nvmx || fail "EUI64 of nsid 2 not shown"
	grep -qx 'ns2 wwid eui.0011223344556677' /tmp/attrs-nvmx || fail "wwid of nsid 2 is not its EUI64"

	DRIVER=nvmx CLASS=nvmx
	load_driver
	c=$(ctrl_by_serial nvmx-sysfs)
	dev=$(ns_dev nvmx-sysfs 1)
	head -c 65536 /dev/urandom >/tmp/data
	dd if=/tmp/data of="$dev" bs=64k oflag=direct status=none
	echo 1 >/sys/class/nvmx/"$c"/reset_controller || fail "reset_controller"
	expect_eq "$(cat /sys/class/nvmx/"$c"/state)" live "state after reset_controller"
	dd if="$dev" of=/tmp/back bs=64k count=1 iflag=direct status=none
	cmp /tmp/data /tmp/back || fail "data changed across reset_controller"
	echo 1 >/sys/class/nvmx/"$c"/rescan_controller || fail "rescan_controller"
	dmesg | grep -q "nvmx.*resetting controller" || fail "no log line for the reset"
}

main "$@"
