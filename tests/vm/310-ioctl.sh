#!/bin/bash
# The ioctls: data through nvme-cli's write, read, compare, flush, dsm,
# write-zeroes and io-passthru lands where the block device sees it; a
# format to 4 KiB blocks and back changes the block device's block size;
# the generic char device reads the same data;
# nvmx's queues follow the volatile write cache switched off and on, it
# refuses buffers shorter than the command's transfer, and a read into a
# longer buffer lands at its start; the
# error cases (bad pointers, flags, lengths, nsid, opcodes, unprivileged
# callers) give the errno or NVMe status the in-tree driver gives
# (tests/tools/ioctl-errors.c, run against both drivers), except where
# nvmx differs on purpose: a SUBMIT_IO write through a read-only
# descriptor is refused (EBADF) on nvmx and done by the in-tree driver, and
# unprivileged passthrough, which the in-tree driver allows from 6.2 for
# commands its effects log marks harmless, is refused by nvmx.
. tests/lib.sh

host() {
	cc -O2 -Wall -o "$TEST_OUT/ioctl-errors" tests/tools/ioctl-errors.c ||
		fail "cannot build ioctl-errors"
	lab_run --nvme serial=nvmx-ioctl --ns size=64M
}

guest() {
	local c n blk b g policy

	load_driver
	n=$(ns_dev nvmx-ioctl 1)
	c=/dev/$(ctrl_by_serial nvmx-ioctl)
	blk=$(cat /sys/block/"$(basename "$n")"/queue/logical_block_size)
	expect_eq "$blk" 512 "block size"

	head -c 8192 /dev/urandom >/tmp/data
	nvme write "$n" -s 64 -c 15 -z 8192 -d /tmp/data >/dev/null || fail "nvme write"
	dd if="$n" of=/tmp/back bs=512 skip=64 count=16 iflag=direct status=none
	cmp /tmp/data /tmp/back || fail "nvme write: block device reads other data"
	nvme read "$n" -s 64 -c 15 -z 8192 -d /tmp/read >/dev/null || fail "nvme read"
	cmp /tmp/data /tmp/read || fail "nvme read: other data than written"
	nvme compare "$n" -s 64 -c 15 -z 8192 -d /tmp/data >/dev/null || fail "nvme compare of equal data"
	head -c 8192 /dev/zero >/tmp/zero
	if nvme compare "$n" -s 64 -c 15 -z 8192 -d /tmp/zero >/dev/null 2>&1; then
		fail "nvme compare of different data succeeded"
	fi
	nvme flush "$n" -n 1 >/dev/null || fail "nvme flush"
	nvme write-zeroes "$n" -s 64 -c 7 >/dev/null || fail "nvme write-zeroes"
	dd if="$n" of=/tmp/back bs=512 skip=64 count=8 iflag=direct status=none
	head -c 4096 /dev/zero >/tmp/zero4k
	cmp /tmp/back /tmp/zero4k || fail "write-zeroes left data"
	nvme dsm "$n" -d -s 72 -b 8 >/dev/null || fail "nvme dsm (deallocate)"
	nvme io-passthru "$n" -o 1 -n 1 -l 8192 -w -i /tmp/data --cdw10=200 --cdw12=15 >/dev/null ||
		fail "io-passthru write"
	dd if="$n" of=/tmp/back bs=512 skip=200 count=16 iflag=direct status=none
	cmp /tmp/data /tmp/back || fail "io-passthru write: block device reads other data"

	# the namespace's generic char device: /dev/nvmx<C>g1, or the in-tree ng<C>n<I>
	g=$(generic_dev "${c#/dev/}" 1)
	wait_for "[ -c $g ]" 30
	nvme io-passthru "$g" -o 2 -n 1 -l 8192 -r --cdw10=200 --cdw12=15 -b >/tmp/gback ||
		fail "io-passthru read through $g"
	cmp /tmp/data /tmp/gback || fail "io-passthru read through $g: other data"
	# a buffer of four pages for a read of two: the data must land at its
	# start.  Data pointers built for the whole buffer hold a PRP list,
	# which the controller, moving two pages, takes for the second data
	# page: it writes that page into the list, over other commands' lists
	# and the DMA pool's free blocks.  nvmx only: the in-tree driver of
	# 6.1 builds them so, and this check fails on it.
	if [ "$DRIVER" = nvmx ]; then
		nvme io-passthru "$g" -o 2 -n 1 -l 16384 -r --cdw10=200 --cdw12=15 -b >/tmp/gbig ||
			fail "io-passthru read of 8 KiB into 16 KiB through $g"
		head -c 8192 /tmp/gbig | cmp - /tmp/data ||
			fail "io-passthru read of 8 KiB into 16 KiB through $g: other data"
	fi
	nvme id-ns "$g" -o json >/dev/null || fail "id-ns through $g"

	# Format NVM to 4 KiB blocks and back: the block device follows
	b=$(basename "$n")
	nvme format "$n" -l 4 -f >/dev/null || fail "nvme format -l 4"
	wait_for "[ \"\$(cat /sys/block/$b/queue/logical_block_size)\" = 4096 ]" 30
	expect_eq "$(cat /sys/block/"$b"/size)" 131072 "size in sectors after formatting to 4 KiB blocks"
	dd if=/tmp/data of="$n" bs=4096 seek=3 oflag=direct status=none
	dd if="$n" of=/tmp/back bs=4096 skip=3 count=2 iflag=direct status=none
	cmp /tmp/data /tmp/back || fail "data wrong in the 4 KiB format"
	nvme format "$n" -l 0 -f >/dev/null || fail "nvme format -l 0"
	wait_for "[ \"\$(cat /sys/block/$b/queue/logical_block_size)\" = 512 ]" 30

	# the volatile write cache switched off and on (nvmx only: the
	# in-tree driver of 6.1 does not follow Set Features 06h)
	if [ "$DRIVER" = nvmx ]; then
		nvme set-feature "$c" -f 6 -v 0 >/dev/null || fail "set-feature vwc off"
		expect_eq "$(cat /sys/block/"$b"/queue/write_cache)" "write through" "write cache after vwc off"
		nvme set-feature "$c" -f 6 -v 1 >/dev/null || fail "set-feature vwc on"
		expect_eq "$(cat /sys/block/"$b"/queue/write_cache)" "write back" "write cache after vwc on"

		# buffers shorter than what the command moves are refused
		# (the in-tree driver sends them, and the controller writes
		# past the mapped pages)
		if nvme admin-passthru "$c" -o 6 --cdw10=1 -l 512 -r >/dev/null 2>&1; then
			fail "Identify into 512 bytes accepted"
		fi
		if nvme get-log "$c" -i 2 -l 512 >/dev/null 2>&1 &&
			nvme admin-passthru "$c" -o 2 --cdw10=$(((127 << 16) | 2)) -l 256 -r >/dev/null 2>&1; then
			fail "Get Log Page of 512 bytes into 256 accepted"
		fi
		if nvme io-passthru "$n" -o 2 -n 1 --cdw12=7 -l 512 -r >/dev/null 2>&1; then
			fail "read of 8 blocks into 512 bytes accepted"
		fi
		dmesg | grep -q "nvmx.*opcode 0x02 moves 4096 bytes, its buffer holds 512: refused" ||
			fail "no log line for the short read buffer"
	fi

	# (the format erased the namespace) data to find after the reset
	dd if=/tmp/data of="$n" bs=512 seek=200 oflag=direct status=none
	# the in-tree driver from 6.2 on lets unprivileged callers send what
	# the Commands Supported and Effects log marks harmless; nvmx keeps
	# passthrough to CAP_SYS_ADMIN on every kernel
	if [ "$DRIVER" = nvmx ]; then
		policy=nvmx
	elif [ "$(printf '%s\n' 6.2 "$(uname -r)" | sort -V | head -n1)" = 6.2 ]; then
		policy=nvme-effects
	else
		policy=
	fi
	"$LAB_OUT/ioctl-errors" "$c" "$n" $policy || fail "ioctl error cases"
	wait_for "[ \"\$(cat /sys/class/$CLASS/$(basename "$c")/state)\" = live ]" 60
	# the data survived the reset
	dd if="$n" of=/tmp/back bs=512 skip=200 count=16 iflag=direct status=none
	cmp /tmp/data /tmp/back || fail "data changed across NVME_IOCTL_RESET"
}

main "$@"
