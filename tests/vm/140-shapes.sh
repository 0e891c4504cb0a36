#!/bin/bash
# Three controller shapes at once: a single I/O queue pair for two CPUs, a
# single MSI-X vector, and MDTS=1 (8 KiB) under 1 MiB I/Os.  Each keeps its
# data alone, then all three run together.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-1q,max_ioqpairs=1 \
		--nvme serial=nvmx-1vec,msix_qsize=1 \
		--nvme serial=nvmx-mdts1,mdts=1
}

io_queue_irqs() {	# irq lines of I/O queues of controller $1
	grep -cE " $1q[1-9][0-9]*" /proc/interrupts
}

guest() {
	local one vec mdts c

	load_driver
	one=$(ns_dev nvmx-1q 1)
	vec=$(ns_dev nvmx-1vec 1)
	mdts=$(ns_dev nvmx-mdts1 1)

	c=$(ctrl_by_serial nvmx-1q)
	expect_eq "$(io_queue_irqs "$c")" 1 "I/O queue interrupts of $c"
	fio_verify "$one" one-queue --rw=randrw --bs=4k --iodepth=32 --direct=1 \
		--numjobs=2 --size=8M --offset_increment=8M

	c=$(ctrl_by_serial nvmx-1vec)
	expect_eq "$(grep -cE "PCI-MSI.* $c" /proc/interrupts)" 1 "interrupt vectors of $c"
	fio_verify "$vec" one-vector --rw=randrw --bs=16k --iodepth=32 --direct=1 \
		--numjobs=2 --size=8M --offset_increment=8M

	expect_eq "$(cat /sys/block/"$(basename "$mdts")"/queue/max_hw_sectors_kb)" 8 \
		"max_hw_sectors_kb under MDTS=1"
	fio_verify "$mdts" mdts1 --rw=write --bs=1M --iodepth=4 --direct=1 --size=16M

	for dev in "$one" "$vec" "$mdts"; do
		fio_verify "$dev" "all-$(basename "$dev")" --rw=randwrite --bs=64k \
			--iodepth=16 --direct=1 --size=16M &
	done
	wait -n && wait -n && wait -n || fail "concurrent fio failed"
}

main "$@"
