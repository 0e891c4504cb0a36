#!/bin/bash
# A real timeout: QEMU parks a read (blkdebug "break read_aio") so the
# controller does not answer; after io_timeout the driver sends an Abort
# (which QEMU acknowledges without aborting anything), the read is then
# released from the monitor before the second timeout, and it completes
# with the right data, without an error and without a reset.
. tests/lib.sh

host() {
	# break needs blkdebug in the drive's chain; no error rules
	: >"$TEST_OUT/rules.conf"
	lab_run --nvme serial=nvmx-tmo --ns size=64M,blkdebug="$TEST_OUT/rules.conf"
}

guest() {
	local dev c dd_pid resets=0

	EXPECT_TROUBLE=1
	IO_TIMEOUT=15 load_driver
	dev=$(ns_dev nvmx-tmo 1)
	c=$(ctrl_by_serial nvmx-tmo)
	head -c 65536 /dev/urandom >/tmp/ref
	dd if=/tmp/ref of="$dev" bs=64k seek=16 oflag=direct status=none
	[ "$DRIVER" = nvme ] || resets=$(cat /sys/kernel/debug/nvmx/"$c"/resets)

	host_hmp 'qemu-io nvme0n1 "break read_aio t1"'
	dd if="$dev" of=/tmp/back bs=64k skip=16 count=1 iflag=direct status=none &
	dd_pid=$!
	# nvmx: "Abort of qid 1 cid ...", nvme: "Abort status: 0x..."
	wait_for "dmesg | grep -Eq '$DRIVER.*Abort (of qid|status)'" 60
	host_hmp 'qemu-io nvme0n1 "resume t1"'
	wait $dd_pid || fail "the parked read failed"
	cmp /tmp/ref /tmp/back || fail "the parked read returned wrong data"
	dmesg | grep -E "$DRIVER.*(timed out|timeout)"
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/state)" live "state"
	if [ "$DRIVER" = nvmx ]; then
		expect_eq "$(cat /sys/kernel/debug/nvmx/"$c"/resets)" "$resets" "resets"
		expect_eq "$(queue_sum "$c" aborts)" 1 "Aborts sent"
		expect_eq "$(queue_sum "$c" timeouts)" 1 "timeouts"
	fi
	echo "parked read: timeout, Abort, released, data intact"
}

main "$@"
