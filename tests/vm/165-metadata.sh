#!/bin/bash
# Namespaces formatted with metadata.  Each has a generic char device,
# and data with metadata written through it by IO64_CMD, SUBMIT_IO and
# io_uring reads back right by all three (tests/tools/meta-io.c): separate
# metadata, extended LBAs, protection information with and without PRACT.
# The block device serves what it can: 8 bytes of Type 1 protection
# information (the controller inserts and strips it) on both drivers; the
# extended formats on neither (no capacity); separate metadata without
# protection information the in-tree driver serves through blk_integrity,
# nvmx gives no capacity and says so.  A Format NVM to a metadata format
# and back changes all that on a live namespace.  Blocks of 8 KiB, larger
# than a page: no capacity on either driver, passthrough works.  On nvmx
# also: commands
# that move separate metadata without (enough of) a buffer are refused.
. tests/lib.sh

host() {
	cc -O2 -Wall -o "$TEST_OUT/meta-io" tests/tools/meta-io.c ||
		fail "cannot build meta-io"
	lab_run --nvme serial=nvmx-md \
		--ns nsid=1,lbs=512,ms=8,size=16M \
		--ns nsid=2,lbs=512,ms=8,mset=1,size=16M \
		--ns nsid=3,lbs=4096,ms=8,pi=1,size=32M \
		--ns nsid=4,lbs=512,ms=16,mset=1,pi=1,size=16M \
		--ns nsid=5,lbs=512,size=16M \
		--ns nsid=6,lbs=8192,size=64M
}

# size_of CTRL NSID: the block device's size in bytes
size_of() {
	local dev

	wait_for "ns_path $1 $2 >/dev/null" 30
	dev=$(ns_path "$1" "$2")
	blockdev --getsize64 "$dev"
}

guest() {
	local c n nsid lbs ms ext opt g strict= size dev

	load_driver
	c=$(ctrl_by_serial nvmx-md)
	[ "$DRIVER" = nvmx ] && strict=strict
	for n in 1:512:8:0: 2:512:8:1: 3:4096:8:0:pi 4:512:16:1: 6:8192:0:0:; do
		IFS=: read -r nsid lbs ms ext opt <<<"$n"
		g=$(generic_dev "$c" "$nsid") || fail "no generic device for namespace $nsid"
		wait_for "[ -c $g ]" 30
		"$LAB_OUT/meta-io" "$g" "$nsid" "$lbs" "$ms" "$ext" "$strict,$opt" ||
			fail "metadata I/O through $g"
	done

	# protection information only: a block device on both drivers
	# (QEMU keeps the metadata in the image: it holds fewer blocks)
	expect_eq "$(size_of "$c" 3)" $(((32 << 20) / 4104 * 4096)) "size of the PI namespace"
	fio_verify "$(ns_path "$c" 3)" pi --rw=randwrite --bs=4k --iodepth=8 \
		--direct=1 --size=8M
	# Write Zeroes and Deallocate leave blocks that read without errors
	dev=$(ns_path "$c" 3)
	blkdiscard -z -o $((12 << 20)) -l $((1 << 20)) "$dev" || fail "blkdiscard -z"
	[ "$(dd if="$dev" bs=64k skip=192 count=16 iflag=direct status=none |
		od -An -tx1 -v | tr -s ' \n' '\n\n' | grep -v '^$' | sort -u)" = 00 ] ||
		fail "zeroed blocks of the PI namespace do not read as zeroes"
	blkdiscard -o $((13 << 20)) -l $((1 << 20)) "$dev" || fail "blkdiscard"
	dd if="$dev" of=/dev/null bs=64k skip=208 count=16 iflag=direct status=none ||
		fail "deallocated blocks of the PI namespace do not read"
	# extended LBAs: no block I/O on either
	expect_eq "$(size_of "$c" 2)" 0 "size of the extended-LBA namespace"
	expect_eq "$(size_of "$c" 4)" 0 "size of the extended-LBA PI namespace"
	# blocks larger than a page: no block I/O on either
	expect_eq "$(size_of "$c" 6)" 0 "size of the 8 KiB block namespace"
	# separate metadata, no protection information
	size=$(size_of "$c" 1)
	if [ "$DRIVER" = nvme ]; then
		expect_eq "$size" $(((16 << 20) / 520 * 512)) "size of the separate-metadata namespace"
	else
		expect_eq "$size" 0 "size of the separate-metadata namespace"
		dmesg | grep -q "nvmx $c: nsid 1: 8 bytes of metadata per block (separate, no protection information); no block I/O, passthrough only" ||
			fail "no log line for the separate-metadata namespace"
		dmesg | grep -q "nvmx $c: nsid 2: 8 bytes of metadata per block (extended LBA, no protection information); no block I/O" ||
			fail "no log line for the extended-LBA namespace"
	fi

	# Format NVM of a live namespace to 512 + 8 bytes (LBA format 1 of
	# QEMU's eight) and back
	dev=$(ns_path "$c" 5)
	fio_verify "$dev" before-format --rw=write --bs=64k --direct=1 --size=2M
	nvme format "$dev" -l 1 -f >/dev/null || fail "nvme format -l 1"
	if [ "$DRIVER" = nvmx ]; then
		wait_for "[ \"\$(blockdev --getsize64 $dev)\" = 0 ]" 30
	fi
	g=$(generic_dev "$c" 5) || fail "no generic device for namespace 5"
	"$LAB_OUT/meta-io" "$g" 5 512 8 0 "$strict" ||
		fail "metadata I/O after the format"
	nvme format "$dev" -l 0 -f >/dev/null || fail "nvme format -l 0"
	wait_for "[ \"\$(blockdev --getsize64 $dev)\" = $((16 << 20)) ]" 30
	fio_verify "$dev" after-format --rw=randwrite --bs=4k --iodepth=8 \
		--direct=1 --size=4M
}

main "$@"
