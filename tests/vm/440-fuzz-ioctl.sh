#!/bin/bash
# 100,000 random and mutated passthrough commands, from two processes at
# once, through the ioctls of the controller, block and generic char
# devices (tests/tools/fuzz-ioctl.c:
# random opcodes, nsids, PRP fields, lengths beyond MDTS, bad and unaligned
# pointers, metadata, short timeouts); every result is a success, an NVMe
# status or an allowed errno, nothing lands past a buffer, Identify stays
# the same. A quarter as many again through a second namespace with 8
# bytes of separate metadata per block, where half the metadata buffers are
# real and guarded. Afterwards the controller is live, fio verifies, the
# driver unloads. nvmx only: the in-tree driver passes commands whose buffer is
# shorter than their transfer (an Identify into 512 bytes), and the
# controller then writes past the buffer, which the fuzzer reports.
. tests/lib.sh

FUZZ_CALLS=${FUZZ_CALLS:-100000}

host() {
	nvmx_only
	cc -O2 -Wall -o "$TEST_OUT/fuzz-ioctl" tests/tools/fuzz-ioctl.c ||
		fail "cannot build fuzz-ioctl"
	echo "$FUZZ_CALLS" >"$TEST_OUT/calls"
	LAB_TIMEOUT=900 lab_run --nvme serial=nvmx-fuzz,mdts=5 --ns nsid=1,size=64M \
		--ns nsid=2,lbs=512,ms=8,size=16M
}

guest() {
	local n c g i

	nvmx_only
	# commands with timeouts of a few ms time out on purpose
	EXPECT_TROUBLE=1
	load_driver
	c=$(ctrl_by_serial nvmx-fuzz)
	for i in 1 2; do
		n=$(ns_dev nvmx-fuzz $i)
		g=/dev/${c}g$i
		wait_for "[ -c $g ]" 30
		"$LAB_OUT/fuzz-ioctl" /dev/"$c" "$n" "$g" \
			$(($(cat "$LAB_OUT/calls") / (i == 1 ? 1 : 4))) \
			"${FUZZ_SEED:-$RANDOM}" 2 || fail "fuzzer on namespace $i"
	done
	n=$(ns_dev nvmx-fuzz 1)
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" = live ]" 120
	nvme id-ctrl /dev/"$c" >/dev/null || fail "id-ctrl after fuzzing"
	fio_verify "$n" after-fuzz --rw=randwrite --bs=4k --size=8M --iodepth=16
	if dmesg | grep -E "$DRIVER.*(invalid command id|reset failed|dead)"; then
		fail "the controller was hurt"
	fi
	unload_driver
}

main "$@"
