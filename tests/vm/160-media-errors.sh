#!/bin/bash
# Media errors from the device (a blkdebug backing drive) reach the user as
# EIO with the block layer's "critical medium error" for the right sector,
# after max_retries retries (QEMU never sets DNR on them); neighbouring
# blocks still read and write.
. tests/lib.sh

host() {
	cat >"$TEST_OUT/rules.conf" <<-RULES
	[inject-error]
	event = "read_aio"
	errno = "5"
	sector = "4096"

	[inject-error]
	event = "write_aio"
	errno = "5"
	sector = "8192"
	RULES
	lab_run --nvme serial=nvmx-media --ns size=64M,blkdebug="$TEST_OUT/rules.conf"
}

guest() {
	local dev name

	load_driver max_retries=2
	dev=$(ns_dev nvmx-media 1)
	name=$(basename "$dev")
	dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct status=none ||
		fail "read of block 0 failed"

	if dd if="$dev" of=/dev/null bs=4k skip=512 count=1 iflag=direct status=none; then
		fail "read of sector 4096 succeeded despite the injected error"
	fi
	dmesg | grep -q "critical medium error, dev $name, sector 4096 op 0x0:(READ)" ||
		fail "no medium error reported for the read"

	head -c 4096 /dev/urandom >/tmp/blk
	if dd if=/tmp/blk of="$dev" bs=4k seek=1024 count=1 oflag=direct status=none; then
		fail "write of sector 8192 succeeded despite the injected error"
	fi
	dmesg | grep -q "critical medium error, dev $name, sector 8192 op 0x1:(WRITE)" ||
		fail "no medium error reported for the write"

	dd if=/tmp/blk of="$dev" bs=4k seek=1025 count=1 oflag=direct status=none ||
		fail "write next to the bad block failed"
	dd if="$dev" of=/tmp/back bs=4k skip=1025 count=1 iflag=direct status=none
	cmp /tmp/blk /tmp/back || fail "block next to the bad one differs"

	if [ "$DRIVER" = nvmx ]; then
		dmesg | grep -q "$name: READ of 4096 bytes at sector 4096 failed: Unrecovered Read Error (status 0x281, 2 retries)" ||
			fail "no nvmx log line for the read error"
		dmesg | grep -q "$name: WRITE of 4096 bytes at sector 8192 failed: Write Fault (status 0x280, 2 retries)" ||
			fail "no nvmx log line for the write error"
	fi
	echo "media errors reported for sectors 4096 (read) and 8192 (write)"
}

main "$@"
