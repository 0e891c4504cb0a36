#!/bin/bash
# Transfers that need chained PRP lists: with no MDTS limit, 4 MiB I/Os
# from 2 MiB huge pages reach the driver as two large segments and need
# 1024 PRP entries, more than one list page holds.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-chain,mdts=0 --ns size=128M
}

guest() {
	local dev kb pages

	# both drivers would use SGLs for these; make them use PRPs
	load_driver sgl_threshold=0
	dev=$(ns_dev nvmx-chain 1)
	kb=$(cat /sys/block/"$(basename "$dev")"/queue/max_hw_sectors_kb)
	[ "$kb" -ge 4096 ] || fail "max_hw_sectors_kb is $kb, expected at least 4096"
	echo 16 >/proc/sys/vm/nr_hugepages
	mkdir -p /tmp/huge
	mount -t hugetlbfs none /tmp/huge
	# one command at a time: the pool only grows past one list page when a
	# single command chains several
	fio_verify "$dev" chain-4m --rw=write --bs=4M --iodepth=1 --direct=1 \
		--size=64M --mem=mmaphuge:/tmp/huge/fio
	pages=$(awk '/prp list page/ { print $(NF - 2) }' /sys/bus/pci/devices/*/pools)
	[ "${pages:-0}" -ge 3 ] || fail "PRP list pages allocated: ${pages:-none}, expected at least 3"
	echo "PRP list pages in the pool: $pages"
	fio_verify "$dev" chain-mixed --rw=randwrite --bsrange=1M-4M \
		--blockalign=4k --iodepth=2 --direct=1 --size=64M \
		--mem=mmaphuge:/tmp/huge/fio
}

main "$@"
