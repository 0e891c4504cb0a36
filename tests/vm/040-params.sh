#!/bin/bash
# Bad module parameters fail the load with a clear log line and leave
# nothing behind; good ones are accepted and readable.
. tests/lib.sh

host() {
	nvmx_only
	lab_run --nvme serial=nvmx-params
}

guest() {
	local bad

	for bad in io_timeout=0 admin_timeout=3601 admin_timeout=abc max_retries=-1 max_retries=256 \
		poll_queues=257 sgl_threshold=-1 io_queue_depth=1 nr_io_queues=65536 \
		latency_histogram=maybe; do
		dmesg -C
		if insmod "$(nvmx_ko)" "$bad" 2>/dev/null; then
			fail "insmod accepted $bad"
		fi
		dmesg | grep -q "nvmx: ${bad%%=*}=.* is invalid: expected \(an integer from\|0 or 1\)" ||
			fail "no log line for $bad"
		[ ! -e /sys/module/nvmx ] || fail "module left loaded after $bad"
		[ ! -e /sys/class/nvmx ] || fail "/sys/class/nvmx left after $bad"
	done
	load_driver io_timeout=7 admin_timeout=9 max_retries=0
	expect_eq "$(cat /sys/module/nvmx/parameters/io_timeout)" 7 io_timeout
	expect_eq "$(cat /sys/module/nvmx/parameters/admin_timeout)" 9 admin_timeout
	expect_eq "$(cat /sys/module/nvmx/parameters/max_retries)" 0 max_retries
	# sgl_threshold may change at run time, within its range only
	echo 4096 >/sys/module/nvmx/parameters/sgl_threshold
	expect_eq "$(cat /sys/module/nvmx/parameters/sgl_threshold)" 4096 sgl_threshold
	if echo -5 >/sys/module/nvmx/parameters/sgl_threshold 2>/dev/null; then
		fail "sgl_threshold accepted -5"
	fi
	expect_eq "$(cat /sys/module/nvmx/parameters/sgl_threshold)" 4096 "sgl_threshold after a bad write"
	# so may latency_histogram, off by default
	expect_eq "$(cat /sys/module/nvmx/parameters/latency_histogram)" N latency_histogram
	echo 1 >/sys/module/nvmx/parameters/latency_histogram
	expect_eq "$(cat /sys/module/nvmx/parameters/latency_histogram)" Y "latency_histogram after 1"
	if echo 2 >/sys/module/nvmx/parameters/latency_histogram 2>/dev/null; then
		fail "latency_histogram accepted 2"
	fi
	expect_eq "$(cat /sys/module/nvmx/parameters/latency_histogram)" Y "latency_histogram after a bad write"
	echo 0 >/sys/module/nvmx/parameters/latency_histogram
	unload_driver
}

main "$@"
