#!/bin/bash
# Four namespaces on one controller with 512 B and 4 KiB logical blocks:
# each is a disk of the right size and block size that keeps its data.  A
# fifth namespace with separate metadata per block is either served
# correctly (the in-tree driver, through blk_integrity) or (nvmx) a block
# device without capacity, with a log line (165-metadata tests the rest).
. tests/lib.sh

NS="1:512:32 2:4096:64 3:512:16 4:4096:48"	# nsid:lbs:MiB

host() {
	lab_run --nvme serial=nvmx-ns4 \
		--ns nsid=1,lbs=512,size=32M --ns nsid=2,lbs=4096,size=64M \
		--ns nsid=3,lbs=512,size=16M --ns nsid=4,lbs=4096,size=48M \
		--ns nsid=5,lbs=512,ms=8,size=16M
}

guest() {
	local n nsid lbs mib dev c

	load_driver
	for n in $NS; do
		IFS=: read -r nsid lbs mib <<<"$n"
		dev=$(ns_dev nvmx-ns4 "$nsid")
		expect_eq "$(blockdev --getss "$dev")" "$lbs" "$dev logical block size"
		expect_eq "$(blockdev --getsize64 "$dev")" $((mib << 20)) "$dev size"
		fio_verify "$dev" "ns$nsid" --rw=randwrite --bs=4k --iodepth=8 \
			--direct=1 --size=8M
	done
	# metadata: served correctly, or no capacity
	c=$(ctrl_by_serial nvmx-ns4)
	wait_for "ns_path $c 5 >/dev/null" 30
	dev=$(ns_path "$c" 5)
	if [ "$(blockdev --getsize64 "$dev")" -gt 0 ]; then
		[ "$DRIVER" = nvme ] || fail "$DRIVER serves the metadata namespace $dev"
		fio_verify "$dev" ns5-metadata --rw=randwrite --bs=4k --iodepth=8 \
			--direct=1 --size=8M
	fi
	if [ "$DRIVER" = nvmx ]; then
		dmesg | grep -q "nvmx $c: nsid 5: 8 bytes of metadata per block (separate, no protection information); no block I/O, passthrough only" ||
			fail "no log line for the metadata namespace"
	fi
}

main "$@"
