#!/bin/bash
# io_uring passthrough: fio's io_uring_cmd engine on the namespace's
# generic char device (/dev/ng<C>n1, /dev/nvmx<C>g1) writes and verifies
# with crc32c, at QD1 and QD32, and what it wrote is what the block
# device reads.  Admin commands through io_uring on the controller device
# (tests/tools/uring-admin.c): Identify and Get Features on both drivers;
# on nvmx, a Format NVM and a write cache switch are refused, and the
# data is still there afterwards.  Vectored passthrough
# (tests/tools/vec-io.c): NVME_IOCTL_IO64_CMD_VEC on the block device and
# NVME_URING_CMD_IO_VEC on the generic char device write from iovecs of
# odd lengths and places (page-crossing, 4 bytes, byte-aligned,
# PRP-shaped, more than 8 of them) and read back into iovecs split other
# ways, into one buffer (IO64_CMD) and through the block device, the same
# data and nothing written around the iovecs; Identify Controller through
# NVME_URING_CMD_ADMIN_VEC into 2 and 3 iovecs equals NVME_IOCTL_ADMIN_CMD's;
# iovecs of 0 bytes fail; on nvmx iovecs shorter than the command's
# transfer are refused, and a refused write leaves the blocks alone.
. tests/lib.sh

host() {
	cc -O2 -Wall -o "$TEST_OUT/uring-admin" tests/tools/uring-admin.c ||
		fail "cannot build uring-admin"
	cc -O2 -Wall -o "$TEST_OUT/vec-io" tests/tools/vec-io.c ||
		fail "cannot build vec-io"
	lab_run --nvme serial=nvmx-uring --ns size=64M
}

guest() {
	local c g n strict blk

	load_driver
	n=$(ns_dev nvmx-uring 1)
	c=$(ctrl_by_serial nvmx-uring)
	g=$(generic_dev "$c" 1)
	wait_for "[ -c $g ]" 30
	fio_verify "$g" uring-qd1 --ioengine=io_uring_cmd --cmd_type=nvme \
		--rw=randwrite --bs=4k --iodepth=1 --size=8M
	fio_verify "$g" uring-qd32 --ioengine=io_uring_cmd --cmd_type=nvme \
		--rw=randwrite --bsrange=512-64k --iodepth=32 --size=16M --offset=16M
	# a pattern written through the char device, read through the block device
	fio --name=pattern --filename="$g" --ioengine=io_uring_cmd --cmd_type=nvme \
		--rw=write --bs=64k --size=1M --offset=32M --buffer_pattern=0x5a5aa5a5 \
		--output=/tmp/fio-pattern.log >/dev/null || fail "fio pattern write"
	if [ "$DRIVER" = nvmx ]; then strict=strict; else strict=; fi
	"$LAB_OUT/uring-admin" "/dev/$c" $strict || fail "uring-admin"
	dd if="$n" of=/tmp/back bs=64k skip=512 count=16 iflag=direct status=none
	[ "$(od -An -tx1 -v /tmp/back | tr -s ' \n' '\n\n' | grep -v '^$' | sort -u | paste -sd,)" = 5a,a5 ] ||
		fail "the block device does not read the pattern written through $g"
	# vectored passthrough, at 48 MiB (80 blocks)
	blk=$(cat /sys/block/"$(basename "$n")"/queue/logical_block_size)
	"$LAB_OUT/vec-io" "$n" "$g" "/dev/$c" $(((48 << 20) / blk)) $strict ||
		fail "vec-io"
}

main "$@"
