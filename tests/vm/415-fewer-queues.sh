#!/bin/bash
# A reset that comes back with fewer I/O queues than before (the controller
# grants fewer, fewer vectors, a queue creation fails: here the fault hook
# limit_io_queues) completes under I/O, and loses nothing: requests that
# were on the queue that is gone, or arrive for it, are sent again on the
# queues there are. fio writes and verifies every block, one job per CPU
# (so that every queue has I/O), across a reset from 2 queues to 1 and one
# back to 2; completions dropped just before the first reset leave
# requests on both queues for the reset to cancel and requeue. Before the fix the first reset hung for good in
# blk_mq_update_nr_hw_queues(), waiting for requests requeued to the
# vanished queue. nvmx only: the in-tree driver has no such hook.
. tests/lib.sh

host() {
	nvmx_only
	lab_run --smp 2 --nvme serial=nvmx-fewer --ns size=64M
}

# reset_to C N: reset controller C, expect N I/O queues after it
reset_to() {
	local before=$(attr /sys/kernel/debug/nvmx/"$1"/resets)

	# bounded: a reset that never ends fails the test, not the lab
	reset_bounded "$1" "reset to $2 I/O queues" 120
	expect_eq "$(attr /sys/class/nvmx/"$1"/state)" live "state after the reset"
	expect_eq "$(attr /sys/class/nvmx/"$1"/queue_count)" $(($2 + 1)) \
		"queues after the reset (admin included)"
	[ "$(attr /sys/kernel/debug/nvmx/"$1"/resets)" -gt "$before" ] ||
		fail "no reset counted"
}

guest() {
	local c dev f fio_pid requeued

	nvmx_only
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	load_driver
	c=$(ctrl_by_serial nvmx-fewer)
	dev=$(ns_dev nvmx-fewer 1)
	f=/sys/kernel/debug/nvmx/$c/fault
	expect_eq "$(attr /sys/class/nvmx/"$c"/queue_count)" 3 "queues at load"

	for bad in -1 65536 x; do
		if echo "$bad" 2>/dev/null >"$f/limit_io_queues"; then
			fail "limit_io_queues accepted $bad"
		fi
	done
	expect_eq "$(cat "$f/limit_io_queues")" 0 "limit_io_queues after bad writes"

	fio_verify "$dev" fewer --rw=randwrite --bs=4k --size=24M --iodepth=32 --direct=1 \
		--numjobs=2 --offset_increment=24M --cpus_allowed=0-1 \
		--cpus_allowed_policy=split --verify_backlog=256 --loops=4 &
	fio_pid=$!
	sleep 2
	# QEMU completes what it has in flight when disabled: to have
	# requests the reset must cancel (and requeue) on both queues, drop
	# some completions first (they would time out after io_timeout)
	echo 32 >"$f/drop_completions"
	wait_for "[ \"\$(cat $f/drop_completions)\" = 0 ]" 60
	echo 1 >"$f/limit_io_queues"
	reset_to "$c" 1
	dmesg | grep -q "nvmx.*fault injection: 1 of 2 I/O queues granted" ||
		fail "no log line for the limited grant"
	requeued=$(cat /sys/kernel/debug/nvmx/"$c"/requeued)
	[ "$requeued" -gt 0 ] || fail "no request of the vanished queue was sent again"
	echo "reset under fio: 2 I/O queues to 1 ($requeued requests of the vanished queue sent again)"
	sleep 2
	echo 0 >"$f/limit_io_queues"
	reset_to "$c" 2
	echo "reset under fio: 1 I/O queue to 2"
	wait $fio_pid || fail "fio across the resets"
	echo "fio verified every block across both resets"
	unload_driver
}

main "$@"
