#!/bin/bash
# 20 load/unload cycles: every cycle identifies the controller; after each
# unload no interrupt, device node, class directory or DMA pool is left.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-cycle
}

leftovers() {
	local f

	grep -E " ${CLASS}[0-9]+q[0-9]+" /proc/interrupts && echo "interrupts left"
	ls /dev | grep -E "^${CLASS}[0-9]" && echo "device nodes left"
	[ "$DRIVER" = nvmx ] && [ -e /sys/class/nvmx ] && echo "/sys/class/nvmx left"
	for f in /sys/bus/pci/devices/*/pools; do
		grep -E "^(nvmx|prp)" "$f" && echo "DMA pool left in $f"
	done
	return 0
}

guest() {
	local i left

	for ((i = 1; i <= 20; i++)); do
		load_driver
		c=$(ctrl_by_serial nvmx-cycle)
		expect_eq "$(cat /sys/class/"$CLASS"/"$c"/model)" "QEMU NVMe Ctrl" "cycle $i model"
		unload_driver
		left=$(leftovers)
		[ -z "$left" ] || fail "after cycle $i: $left"
	done
	echo "20 cycles clean"
}

main "$@"
