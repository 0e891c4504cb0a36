#!/bin/bash
# Stock nvme-cli against nvmx gives what it gives against the in-tree
# driver, on the same controller in the same VM: the same commands run on
# /dev/nvme0(n1) and then on /dev/nvmx0(n1), their outputs (device names
# aside, and the controller's I/O counters) must match.  Then the data
# commands (write, read, compare, flush, dsm, write-zeroes, passthrough)
# are checked for content, and the ioctls' error cases.
. tests/lib.sh

host() {
	nvmx_only
	lab_run --nvme serial=nvmx-cli --ns size=64M
}

# commands whose output must not depend on the driver, the last ones a
# rescan and a reset, and an Identify after them (the SMART log's
# command and data counters aside, which move with every command; and
# the Asynchronous Event Configuration, checked on its own: nvmx enables
# the SMART / health warnings the in-tree driver leaves off); @C@ is the
# controller device, @N@ the namespace's
READONLY=(
	"id-ctrl @C@"
	"id-ctrl @N@ -o json"
	"id-ns @N@"
	"id-ns @C@ -n 1 -o json"
	"list-ns @C@"
	"list-ns @C@ -a"
	"ns-descs @N@"
	"error-log @C@ -e 4"
	"fw-log @C@"
	"get-log @C@ -i 5 -l 4096 -b"
	"get-feature @C@ -f 1 -H"
	"get-feature @C@ -f 2 -H"
	"get-feature @C@ -f 4 -H"
	"get-feature @C@ -f 4 -s 0"
	"get-feature @C@ -f 5 -H"
	"get-feature @C@ -f 6 -H"
	"get-feature @C@ -f 7 -H"
	"get-feature @C@ -f 8 -H"
	"get-feature @C@ -f 9 -H -c 1"
	"get-feature @C@ -f 0xa -H"
	"get-feature @C@ -f 0x7c -H"
	"admin-passthru @C@ -o 6 -l 4096 -r --cdw10=1 -b"
	"admin-passthru @N@ -o 6 -n 1 -l 4096 -r --cdw10=0 -b"
	"io-passthru @N@ -o 2 -n 1 -l 4096 -r --cdw10=0 --cdw12=7 -b"
	"id-ctrl @C@ --vendor-specific"
	"ns-rescan @C@"
	"reset @C@"
	"id-ctrl @C@ -o json"
)

run_all() {	# run_all CTRLDEV NSDEV: every read-only command, normalised
	local c=$1 n=$2 cmd line

	for cmd in "${READONLY[@]}"; do
		line=${cmd//@C@/$c}
		line=${line//@N@/$n}
		echo "### nvme $cmd"
		# shellcheck disable=SC2086
		if [[ $line == *" -b"* ]]; then
			nvme $line 2>&1 | od -An -tx1 -w32 || echo "exit status $?"
		else
			nvme $line 2>&1 | sed -e "s#${n##*/}#@N@#g; s#${c##*/}#@C@#g" || echo "exit status $?"
		fi
	done
	# the SMART log without the counters that move with every command
	echo "### nvme smart-log"
	nvme smart-log "$c" -o json 2>&1 | sed -e "s#${c##*/}#@C@#g" | grep -vE 'data_units|host_(read|write)_commands|controller_busy|power_on_hours|unsafe_shutdowns|power_cycles'
}

guest() {
	local d

	for d in nvme nvmx; do
		DRIVER=$d CLASS=$d load_driver
		DRIVER=$d CLASS=$d ns_dev nvmx-cli 1 >/dev/null
		run_all /dev/${d}0 /dev/${d}0n1 >/tmp/cli-$d.txt
		DRIVER=$d CLASS=$d unload_driver
	done
	DRIVER=nvmx CLASS=nvmx
	echo "$(grep -c '^###' /tmp/cli-nvmx.txt) nvme-cli commands compared"
	if ! diff -u /tmp/cli-nvme.txt /tmp/cli-nvmx.txt >/tmp/cli.diff; then
		head -100 /tmp/cli.diff
		fail "nvme-cli output differs between the in-tree driver and nvmx"
	fi
	grep -q 'QEMU NVMe Ctrl' /tmp/cli-nvmx.txt || fail "id-ctrl did not show the model"
	DRIVER=nvmx CLASS=nvmx load_driver
	nvme get-feature /dev/nvmx0 -f 0xb | grep -q 'Current value:0x0000011f' ||
		fail "nvmx did not enable SMART warnings and namespace notices as asynchronous events"
	DRIVER=nvmx CLASS=nvmx unload_driver
}

main "$@"
