#!/bin/bash
# 20 load/unload cycles with I/O between them: every cycle identifies the
# controller, reads back what the previous cycle wrote and writes its own
# block; after each unload no interrupt, device node, class directory, DMA
# pool or slab cache is left.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-cycle
}

leftovers() {
	local f

	grep -E " ${CLASS}[0-9]+q[0-9]+" /proc/interrupts && echo "interrupts left"
	ls /dev | grep -E "^${CLASS}[0-9]" && echo "device nodes left"
	if [ "$DRIVER" = nvmx ]; then
		[ -e /sys/class/nvmx ] && echo "/sys/class/nvmx left"
		grep -i nvmx /proc/slabinfo && echo "slab cache left"
	fi
	for f in /sys/bus/pci/devices/*/pools; do
		[ -e "$f" ] || continue
		grep -E "^(nvmx|prp)" "$f" && echo "DMA pool left in $f"
	done
	return 0
}

guest() {
	local i left dev

	for ((i = 1; i <= 20; i++)); do
		load_driver
		c=$(ctrl_by_serial nvmx-cycle)
		expect_eq "$(attr /sys/class/"$CLASS"/"$c"/model)" "QEMU NVMe Ctrl" "cycle $i model"
		dev=$(ns_dev nvmx-cycle 1)
		if [ "$i" -gt 1 ]; then
			dd if="$dev" of=/tmp/back bs=4k skip=$((i - 1)) count=1 iflag=direct status=none
			cmp /tmp/back /tmp/block-$((i - 1)) || fail "cycle $i: block of cycle $((i - 1)) differs"
		fi
		head -c 4096 /dev/urandom >/tmp/block-$i
		dd if=/tmp/block-$i of="$dev" bs=4k seek="$i" oflag=direct status=none
		unload_driver
		left=$(leftovers)
		[ -z "$left" ] || fail "after cycle $i: $left"
	done
	echo "20 cycles clean"
}

main "$@"
