#!/bin/bash
# Allocation failures on nvmx's paths (the debug kernel's failslab and
# fail_page_alloc, limited to the processes the test marks): insmod (and
# with it the probe) with a share of allocations failing either loads a
# working driver or fails cleanly; passthrough commands and direct I/O
# (the ioctl fuzzer, 50 calls a round, and dd) with allocations failing
# fail cleanly or succeed. Afterwards fio verifies and the driver unloads;
# lab.sh fails the run on any KASAN, lockdep, DMA API or kmemleak report.
. tests/lib.sh

host() {
	nvmx_only
	[[ ${KVER:-} == *nvmxdebug ]] || skip "not the debug kernel (make check-debug runs it)"
	cc -O2 -Wall -static -o "$TEST_OUT/fuzz-ioctl" tests/tools/fuzz-ioctl.c ||
		fail "cannot build a static fuzz-ioctl"
	lab_run --nvme serial=nvmx-failslab --ns size=64M
}

# failing CMD...: run CMD with fault injection on for it alone, its output
# discarded. Everything it runs and touches is on tmpfs: the 9p transport
# of the guest's root does not survive allocation failures of its own.
failing() {
	sh -c 'echo 1 >/proc/self/make-it-fail && exec "$@"' failing "$@" \
		</dev/null >/dev/null 2>&1
}

# fault_rate PERCENT: failslab and fail_page_alloc for marked tasks
fault_rate() {
	local a

	for a in /sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc; do
		echo Y >$a/task-filter
		echo N >$a/ignore-gfp-wait
		echo 1 >$a/interval
		echo -1 >$a/times
		echo 0 >$a/space
		echo 0 >$a/verbose
		echo "$1" >$a/probability
	done
}

guest() {
	local i ok=0 refused=0 c n g bb=/tmp/busybox

	nvmx_only
	[ -d /sys/kernel/debug/failslab ] || skip "no failslab: not the debug kernel"
	cp /bin/busybox "$bb"
	cp "$(nvmx_ko)" /tmp/nvmx.ko
	cp "$LAB_OUT/fuzz-ioctl" /tmp/fuzz-ioctl

	fault_rate 4
	for ((i = 1; i <= 25; i++)); do
		if failing "$bb" insmod /tmp/nvmx.ko; then
			ok=$((ok + 1))
			fault_rate 0
			wait_for all_live 60
			unload_driver
			fault_rate 4
		else
			refused=$((refused + 1))
			! grep -q '^nvmx ' /proc/modules || fail "nvmx loaded although insmod failed"
		fi
	done
	fault_rate 0
	echo "insmod with failing allocations: $ok loaded, $refused failed"
	[ "$refused" -gt 0 ] || fail "no insmod failed: fault injection had no effect"

	load_driver
	c=/dev/$(ctrl_by_serial nvmx-failslab)
	n=$(ns_dev nvmx-failslab 1)
	if [ -e "${c}g1" ]; then g=${c}g1; else fail "no generic device ${c}g1"; fi
	fault_rate 10
	ok=0 refused=0
	for ((i = 1; i <= 40; i++)); do
		if failing /tmp/fuzz-ioctl "$c" "$n" "$g" 50 "$i" &&
			failing "$bb" dd if="$n" of=/dev/null bs=256k count=4 iflag=direct; then
			ok=$((ok + 1))
		else
			refused=$((refused + 1))
		fi
	done
	fault_rate 0
	echo "passthrough and direct I/O with failing allocations: $ok rounds passed, $refused saw a failure"
	[ "$refused" -gt 0 ] || fail "no command failed: fault injection had no effect"

	expect_eq "$(attr /sys/class/nvmx/"$(basename "$c")"/state)" live "state"
	fio_verify "$n" after-failslab --rw=randwrite --bs=4k --size=4M --iodepth=8
	unload_driver
}

main "$@"
