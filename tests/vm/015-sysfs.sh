#!/bin/bash
# sysfs: the controller's and the namespaces' attributes hold what the
# in-tree driver's hold for the same controller in the same VM (padding
# aside), reset_controller resets and comes back live with the data
# intact, rescan_controller is accepted.  A second namespace carries an
# EUI64, the first QEMU's default UUID.
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
	diff -u /tmp/attrs-nvme /tmp/attrs-nvmx || fail "sysfs attributes differ from the in-tree driver's"
	grep -q '^ns2 eui (none)$' /tmp/attrs-nvmx && fail "EUI64 of nsid 2 not shown"
	grep -q '^ns1 wwid uuid\.' /tmp/attrs-nvmx || fail "wwid of nsid 1 is not its UUID"

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
