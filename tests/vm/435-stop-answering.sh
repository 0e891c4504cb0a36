#!/bin/bash
# A controller that stops answering: bus mastering switched off with
# setpci while fio runs. QEMU's controller can no longer fetch commands and
# reports a fatal status; the commands time out, the driver resets the
# controller, which turns bus mastering back on, and fio verifies every
# block. (Disabling the link of the root port in front of it, the other
# way to silence a controller, has no effect in QEMU 7.2: fio ran on for
# 120 s.)
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-silent --ns size=64M
}

guest() {
	local dev c fn fio_pid

	EXPECT_TROUBLE=1
	IO_TIMEOUT=3 load_driver
	dev=$(ns_dev nvmx-silent 1)
	c=$(ctrl_by_serial nvmx-silent)
	fn=$(basename "$(readlink -f /sys/class/"$CLASS"/"$c"/device)")

	fio_verify "$dev" nobm --rw=randwrite --bs=4k --size=8M --iodepth=16 \
		--verify_backlog=256 &
	fio_pid=$!
	sleep 1
	setpci -s "$fn" COMMAND=0:4
	wait $fio_pid || fail "fio across bus mastering switched off"
	[ $((0x$(setpci -s "$fn" COMMAND) & 4)) != 0 ] || fail "bus mastering still off"
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/state)" live "state after recovery"
	# the timeout handler's line (6.12's in-tree driver, finding CSTS.CFS
	# there, says only that the controller is down)
	dmesg | grep -Eq "$DRIVER.*(timed out|timeout|controller is down; will reset)" ||
		fail "no timeout logged"
	echo "bus mastering off: timeout, reset, fio verified"

	unload_driver
}

main "$@"
