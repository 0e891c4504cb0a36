#!/bin/bash
# Allocation failures on nvmx's paths (the debug kernel's failslab and
# fail_page_alloc, limited to the processes the test marks): insmod (and
# with it the probe) with a share of allocations failing either loads a
# working driver or fails cleanly; passthrough commands and direct I/O
# with allocations failing fail cleanly or succeed. Afterwards fio
# verifies and the driver unloads; lab.sh fails the run on any KASAN,
# lockdep, DMA API or kmemleak report.
. tests/lib.sh

host() {
	nvmx_only
	[[ ${KVER:-} == *nvmxdebug ]] || skip "not the debug kernel (make check-debug runs it)"
	lab_run --nvme serial=nvmx-failslab --ns size=64M
}

# failing CMD...: run CMD with fault injection on for it alone
failing() {
	sh -c 'echo 1 >/proc/self/make-it-fail && exec "$@"' failing "$@"
}

guest() {
	local a i ok=0 refused=0 c n

	nvmx_only
	[ -d /sys/kernel/debug/failslab ] || skip "no failslab: not the debug kernel"
	for a in /sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc; do
		echo Y >$a/task-filter
		echo N >$a/ignore-gfp-wait
		echo 1 >$a/interval
		echo -1 >$a/times
		echo 0 >$a/space
		echo 0 >$a/verbose
		echo 4 >$a/probability
	done

	for ((i = 1; i <= 25; i++)); do
		if failing insmod "$(nvmx_ko)" 2>/dev/null; then
			ok=$((ok + 1))
			wait_for all_live 60
			unload_driver
		else
			refused=$((refused + 1))
			! grep -q '^nvmx ' /proc/modules || fail "nvmx loaded although insmod failed"
		fi
	done
	echo "insmod with failing allocations: $ok loaded, $refused failed"
	[ "$refused" -gt 0 ] || fail "no insmod failed: fault injection had no effect"

	load_driver
	c=/dev/$(ctrl_by_serial nvmx-failslab)
	n=$(ns_dev nvmx-failslab 1)
	for a in /sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc; do
		echo 20 >$a/probability
	done
	ok=0 refused=0
	for ((i = 1; i <= 60; i++)); do
		if failing nvme id-ctrl "$c" >/dev/null 2>&1 &&
			failing nvme read "$n" -s 0 -c 15 -z 8192 -d /dev/null >/dev/null 2>&1 &&
			failing dd if="$n" of=/dev/null bs=256k count=4 iflag=direct status=none 2>/dev/null; then
			ok=$((ok + 1))
		else
			refused=$((refused + 1))
		fi
	done
	echo "passthrough and direct I/O with failing allocations: $ok rounds passed, $refused saw a failure"
	[ "$refused" -gt 0 ] || fail "no command failed: fault injection had no effect"

	for a in /sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc; do
		echo 0 >$a/probability
	done
	expect_eq "$(attr /sys/class/nvmx/"$(basename "$c")"/state)" live "state"
	fio_verify "$n" after-failslab --rw=randwrite --bs=4k --size=4M --iodepth=8
	unload_driver
}

main "$@"
