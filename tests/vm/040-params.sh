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

	for bad in io_timeout=0 admin_timeout=3601 admin_timeout=abc max_retries=-1 max_retries=256; do
		dmesg -C
		if insmod "$LAB_REPO/nvmx.ko" "$bad" 2>/dev/null; then
			fail "insmod accepted $bad"
		fi
		dmesg | grep -q "nvmx: ${bad%%=*}=.* is invalid: expected an integer from" ||
			fail "no log line for $bad"
		[ ! -e /sys/module/nvmx ] || fail "module left loaded after $bad"
		[ ! -e /sys/class/nvmx ] || fail "/sys/class/nvmx left after $bad"
	done
	load_driver io_timeout=7 admin_timeout=9 max_retries=0
	expect_eq "$(cat /sys/module/nvmx/parameters/io_timeout)" 7 io_timeout
	expect_eq "$(cat /sys/module/nvmx/parameters/admin_timeout)" 9 admin_timeout
	expect_eq "$(cat /sys/module/nvmx/parameters/max_retries)" 0 max_retries
	unload_driver
}

main "$@"
