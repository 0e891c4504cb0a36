#!/bin/bash
# 100,000 random and mutated passthrough commands, from two processes at
# once, through the ioctls of the controller, block and generic char
# devices (tests/tools/fuzz-ioctl.c:
# random opcodes, nsids, PRP fields, lengths beyond MDTS, bad and unaligned
# pointers, metadata, short timeouts); every result is a success, an NVMe
# status or an allowed errno, nothing lands past a buffer, Identify stays
# the same. Afterwards the controller is live, fio verifies, the driver
# unloads. nvmx only: the in-tree driver passes commands whose buffer is
# shorter than their transfer (an Identify into 512 bytes), and the
# controller then writes past the buffer, which the fuzzer reports.
. tests/lib.sh

FUZZ_CALLS=${FUZZ_CALLS:-100000}

host() {
	nvmx_only
	cc -O2 -Wall -o "$TEST_OUT/fuzz-ioctl" tests/tools/fuzz-ioctl.c ||
		fail "cannot build fuzz-ioctl"
	echo "$FUZZ_CALLS" >"$TEST_OUT/calls"
	LAB_TIMEOUT=900 lab_run --nvme serial=nvmx-fuzz,mdts=5 --ns size=64M
}

guest() {
	local n c g

	nvmx_only
	# commands with timeouts of a few ms time out on purpose
	EXPECT_TROUBLE=1
	load_driver
	n=$(ns_dev nvmx-fuzz 1)
	c=$(ctrl_by_serial nvmx-fuzz)
	if [ "$DRIVER" = nvmx ]; then g=/dev/nvmx${c#nvmx}g1; else g=/dev/ng${c#nvme}n1; fi
	wait_for "[ -c $g ]" 30
	"$LAB_OUT/fuzz-ioctl" /dev/"$c" "$n" "$g" "$(cat "$LAB_OUT/calls")" \
		"${FUZZ_SEED:-$RANDOM}" 2 || fail "fuzzer"
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" = live ]" 120
	nvme id-ctrl /dev/"$c" >/dev/null || fail "id-ctrl after fuzzing"
	fio_verify "$n" after-fuzz --rw=randwrite --bs=4k --size=8M --iodepth=16
	if dmesg | grep -E "$DRIVER.*(invalid command id|reset failed|dead)"; then
		fail "the controller was hurt"
	fi
	unload_driver
}

main "$@"
