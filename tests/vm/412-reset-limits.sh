#!/bin/bash
# Resets while a user writes a queue limit (max_sectors_kb) over and over,
# under I/O: every reset ends and every write of the limit returns.  From
# 6.11 a sysfs limit write holds the queue's limits_lock while it freezes
# the queue, and that freeze waits for the requests a reset holds back; a
# reset that updates the queue limits (the write cache) before its queues
# run again waits for that lock: both hang for good.  On 6.1 the limit is
# written without a freeze, and the test shows the same on both kernels.
# nvmx under fio (writes verified); the in-tree driver under reads, whose
# errors are ignored (its 6.1 reset fails I/O now and then: 410).
. tests/lib.sh

RESETS=6

host() {
	lab_run --nvme serial=nvmx-rlim --ns size=64M
}

guest() {
	local dev c q hw i st load_pid writer_pid

	load_driver
	dev=$(ns_dev nvmx-rlim 1)
	c=$(ctrl_by_serial nvmx-rlim)
	q=/sys/block/$(basename "$dev")/queue
	hw=$(attr "$q/max_hw_sectors_kb")
	[ "$hw" -gt 64 ] || skip "max_hw_sectors_kb $hw leaves no limit to change"

	if [ "$DRIVER" = nvmx ]; then
		fio_verify "$dev" rlim --rw=randwrite --bs=4k --size=8M --iodepth=16 \
			--numjobs=2 --offset_increment=8M --verify_backlog=512 --loops=3 &
	else
		(while [ ! -e /tmp/stop ]; do
			dd if="$dev" of=/dev/null bs=4k count=256 iflag=direct status=none
		done 2>/dev/null || true) &
	fi
	load_pid=$!
	(while [ ! -e /tmp/stop ]; do
		echo 64 >"$q/max_sectors_kb" && echo "$hw" >"$q/max_sectors_kb" ||
			{ echo "writing max_sectors_kb failed" >&2; exit 1; }
	done) &
	writer_pid=$!
	sleep 2

	for ((i = 1; i <= RESETS; i++)); do
		reset_bounded "$c" "reset $i" 90
		wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" = live ]" 90
		sleep 1
	done
	touch /tmp/stop
	wait_for "! kill -0 $writer_pid 2>/dev/null" 90
	st=0
	wait $writer_pid || st=$?
	expect_eq "$st" 0 "the limit writer's status"
	expect_eq "$(attr "$q/max_sectors_kb")" "$hw" "max_sectors_kb at the end"
	echo "$RESETS resets while max_sectors_kb was written in a loop: all ended"
	if [ "$DRIVER" = nvmx ]; then
		wait $load_pid || fail "fio across the resets"
		echo "fio verified every block across the resets"
	else
		wait $load_pid
	fi
	unload_driver
}

main "$@"
