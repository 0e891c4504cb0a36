#!/bin/bash
# nvmx's debugfs fault injection drives its recovery paths on a working
# controller: a dropped completion times out, gets an Abort (which QEMU
# acknowledges without aborting), times out again and is requeued by a
# reset, and the read returns the right data; an injected retryable status
# is retried unseen, one with DNR reaches the user as EIO; held completions
# arrive late but intact; fio verifies every block while completions are
# being dropped; a reset whose admin commands fail leaves the controller
# dead and unbound, rmmod works and a new load finds the data; a read that
# drives the controller fatal every time it is sent (fatal_lba) fails with
# EIO after max_retries resets instead of being sent again forever; a
# reset whose disable is skipped (ignore_disable) turns bus mastering off
# and recovers. Bad values in the fault files are refused and change
# nothing.
. tests/lib.sh

host() {
	nvmx_only
	lab_run --nvme serial=nvmx-fault --ns size=64M
}

guest() {
	local dev c dbg f bad resets errors aborts injected

	nvmx_only
	EXPECT_TROUBLE=1
	IO_TIMEOUT=2 load_driver max_retries=2
	dev=$(ns_dev nvmx-fault 1)
	c=$(ctrl_by_serial nvmx-fault)
	dbg=/sys/kernel/debug/nvmx/$c
	f=$dbg/fault
	head -c 1M /dev/urandom >/tmp/ref
	dd if=/tmp/ref of="$dev" bs=64k oflag=direct status=none
	readback() {
		dd if="$dev" of=/tmp/back bs=64k count=16 iflag=direct status=none &&
			cmp /tmp/ref /tmp/back
	}

	for bad in fail_status=0 fail_status=0x8000 delay_ms=0 delay_ms=60001 \
		drop_completions=-1 drop_completions=2147483648 fail_completions=x \
		ignore_disable=-1 limit_io_queues=65536 fatal_lba=x; do
		if echo "${bad#*=}" 2>/dev/null >"$f/${bad%%=*}"; then
			fail "fault file accepted $bad"
		fi
	done
	expect_eq "$(cat "$f/fail_status")" 0x6 "fail_status after bad writes"
	expect_eq "$(cat "$f/delay_ms")" 100 "delay_ms after bad writes"
	expect_eq "$(cat "$f/drop_completions")" 0 "drop_completions after bad writes"
	expect_eq "$(cat "$f/injected")" 0 "faults injected by bad writes"
	echo "bad values refused"

	resets=$(cat "$dbg/resets")
	echo 1 >"$f/drop_completions"
	readback || fail "read with a dropped completion failed or returned wrong data"
	expect_eq "$(cat "$f/injected")" 1 "faults injected"
	aborts=$(queue_sum "$c" aborts)
	[ "$aborts" -ge 1 ] || fail "no Abort counted"
	[ "$(cat "$dbg/resets")" -gt "$resets" ] || fail "no reset after the Abort"
	dmesg | grep -q "nvmx.*Abort of qid [0-9]* cid 0x[0-9a-f]*: status 0x0, not aborted" ||
		fail "no log line for the Abort's answer"
	dmesg | grep -q "nvmx.*timed out (csts 0x1) after an Abort" ||
		fail "no second timeout after the Abort"
	expect_eq "$(attr /sys/class/nvmx/"$c"/state)" live "state after recovery"
	echo "dropped completion: timeout, Abort ($aborts), reset, data intact"

	errors=$(queue_sum "$c" errors)
	echo 0x6 >"$f/fail_status"
	echo 1 >"$f/fail_completions"
	readback || fail "a retryable injected status reached the user"
	expect_eq "$(queue_sum "$c" errors)" $((errors + 1)) "errors counted"
	echo 0x4006 >"$f/fail_status"
	echo 1 >"$f/fail_completions"
	if dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct status=none; then
		fail "a read completed with DNR status succeeded"
	fi
	dmesg | grep -q "nvmx.*READ of 4096 bytes at sector 0 failed: Internal Error (status 0x6, DNR, 0 retries)" ||
		fail "no log line for the DNR error"
	readback || fail "read after the DNR error"
	echo "injected status: retried without DNR, EIO with DNR"

	# A read that drives the controller fatal each time it is sent: every
	# timeout finds CSTS.CFS and resets; each reset's cancellation counts
	# as a retry, so it fails after max_retries=2 instead of being sent
	# again forever (before the fix: dd in D state for good).
	echo 4096 >"$f/fatal_lba"
	rm -f /tmp/fatal.st
	(st=0; dd if="$dev" of=/dev/null bs=4k skip=512 count=1 iflag=direct \
		status=none 2>/dev/null || st=$?; echo $st >/tmp/fatal.st) &
	wait_for "[ -e /tmp/fatal.st ]" 120
	echo 0 >"$f/fatal_lba"
	[ "$(cat /tmp/fatal.st)" != 0 ] ||
		fail "a read that breaks the controller every time succeeded"
	dmesg | grep -q "nvmx.*timed out, controller fatal status" ||
		fail "no log line for the fatal status"
	dmesg | grep -q "nvmx.*READ of 4096 bytes at sector 4096 failed: Command Aborted By Host (status 0x371, 2 retries)" ||
		fail "no log line for the read that failed after its retries"
	wait_for "[ \"\$(attr /sys/class/nvmx/$c/state)\" = live ]" 60
	readback || fail "read after the fatal command failed"
	echo "a command that breaks the controller each time: EIO after 2 retries"

	# a reset whose disable is not confirmed: bus mastering off before the
	# cancellations, on again once a real disable is seen (470 does this
	# under fio behind the IOMMU)
	echo 1 >"$f/ignore_disable"
	echo 1 >/sys/class/nvmx/"$c"/reset_controller ||
		fail "reset after an ignored disable"
	dmesg | grep -q "nvmx.*controller did not confirm it stopped (CSTS 0x1): bus mastering off" ||
		fail "no log line for the disable that was not confirmed"
	readback || fail "read after a reset whose disable was ignored"
	echo "unconfirmed disable: bus mastering off, reset, data intact"

	injected=$(cat "$f/injected")
	echo 300 >"$f/delay_ms"
	echo 8 >"$f/delay_completions"
	readback || fail "read with held completions"
	expect_eq "$(cat "$f/injected")" $((injected + 8)) "held completions"
	echo "held completions: data intact"

	fio_verify "$dev" drops --rw=randwrite --bs=4k --offset=8M --size=16M --iodepth=16 \
		--verify_backlog=256 &
	sleep 1
	echo 3 >"$f/drop_completions"
	wait $! || fail "fio with dropped completions"
	expect_eq "$(cat "$f/drop_completions")" 0 "completions still to drop"

	echo 1 >"$f/fail_admin_in_reset"
	if echo 1 >/sys/class/nvmx/"$c"/reset_controller; then
		fail "a reset whose admin commands failed reported success"
	fi
	wait_for "[ ! -e /sys/class/nvmx/$c ]" 30
	[ ! -e "$dev" ] || fail "$dev still there after the controller died"
	dmesg | grep -q "nvmx.*controller dead, removing its devices" ||
		fail "no log line for the dead controller"
	unload_driver
	load_driver
	dev=$(ns_dev nvmx-fault 1)
	readback || fail "data after reloading"
	echo "failed reset: controller dead and unbound; reloaded, data intact"
}

main "$@"
