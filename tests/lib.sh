# SPDX-License-Identifier: GPL-2.0
# Shared by the VM tests.  A test is one bash file in tests/vm/ that is run
# twice: on the host (it boots the lab and checks results outside the
# guest), then inside the guest (the same file, with "guest" as $1).
#
# A test defines host() and guest() and ends with: main "$@"
# (guest() gets the arguments after the driver, for a test whose host()
# boots guests of more than one kind).
# On the host, host() calls lab_run with the controllers it needs.
# Exit status: 0 passed, 77 skipped, anything else failed.
#
# DRIVER=nvmx (default) or DRIVER=nvme runs the same test against nvmx or
# the in-tree driver; device names follow: /dev/nvmx0n1 or /dev/nvme0n1.

DRIVER=${DRIVER:-nvmx}
case "$DRIVER" in
nvmx|nvme) ;;
*) echo "DRIVER must be nvmx or nvme, not '$DRIVER'" >&2; exit 2 ;;
esac
SKIP=77

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit $SKIP
}

# Tests that exercise nvmx-only behaviour call this first.
nvmx_only() {
	[ "$DRIVER" = nvmx ] || skip "nvmx only"
}

# ---- host side ----

# lab_run [lab.sh options]: boot the lab and run this test's guest().
# The run directory is $TEST_OUT; backing images made there stay for
# host-side checks after the VM is gone.
# A guest that froze or died booting (lab.sh exit 127: emulator faults,
# seen with either driver) is booted once more; its test starts over.
lab_run() {
	local st=0

	scripts/lab.sh --out "$TEST_OUT" --timeout "${LAB_TIMEOUT:-300}" \
		"$@" -- "$TEST_FILE" guest "$DRIVER" || st=$?
	if [ $st = 127 ]; then
		echo "lab_run: the guest froze or died booting; running the test once more"
		st=0
		scripts/lab.sh --out "$TEST_OUT" --timeout "${LAB_TIMEOUT:-300}" \
			"$@" -- "$TEST_FILE" guest "$DRIVER" || st=$?
	fi
	return $st
}

# ---- guest side ----

CLASS=$DRIVER		# /sys/class/<CLASS>, /dev/<CLASS><C>n<N>

# host_hmp COMMAND: run a QEMU monitor (HMP) command from inside the guest,
# through lab.sh's host agent; print its output; fail if QEMU refused it.
HMP_SEQ=0
host_hmp() {
	local f

	HMP_SEQ=$((HMP_SEQ + 1))
	f=$LAB_OUT/hostcmd/$$-$HMP_SEQ
	printf '%s\n' "$1" >"$f.tmp"
	mv "$f.tmp" "$f.cmd"
	wait_for "[ -e $f.out ]" 90
	cat "$f.out"
	[ ! -e "$f.err" ] || fail "monitor command failed: $1"
}

# queue_irqs CTRL: interrupts taken so far by the queues of controller
# CTRL (nvmx0, nvme1, ...), all CPUs
queue_irqs() {
	awk -v c="$1" '$NF ~ "^" c "q[0-9]+$" {
		for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i; else break
	} END { print n + 0 }' /proc/interrupts
}

# queue_sum CTRL COLUMN: a column of nvmx's debugfs queues table (by its
# header name) summed over the I/O queues of controller CTRL
queue_sum() {
	awk -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		$1 > 0 { n += $c } END { if (!c) exit 1; print n + 0 }' \
		/sys/kernel/debug/nvmx/"$1"/queues
}

# Wait up to $2 seconds (default 60) for a command to succeed.
wait_for() {
	local cmd=$1 limit=${2:-60} end

	end=$((SECONDS + limit))
	while [ "$SECONDS" -lt "$end" ]; do
		eval "$cmd" && return 0
		sleep 0.1
	done
	fail "timed out after ${limit}s waiting for: $cmd"
}

# PCI functions of NVMe controllers (class 01:08:02) that $DRIVER is to
# bind: driver_override unset or naming $DRIVER.
driver_pci_functions() {
	local d ovr

	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = 0x010802 ] || continue
		ovr=$(cat "$d/driver_override")
		[ "$ovr" = "(null)" ] || [ "$ovr" = "$DRIVER" ] || continue
		basename "$d"
	done
}

# Every controller the driver should have is bound and live.
all_live() {
	local f st

	for f in $(driver_pci_functions); do
		st=$(cat /sys/bus/pci/devices/"$f"/"$CLASS"/"$CLASS"*/state 2>/dev/null) || return 1
		[ "$st" = live ] || return 1
	done
}

# load_driver [module parameters...]: load $DRIVER, wait until live.
# IO_TIMEOUT=S sets the I/O timeout of either driver (nvmx io_timeout,
# nvme_core io_timeout).
load_driver() {
	local t=${IO_TIMEOUT:+io_timeout=$IO_TIMEOUT}

	if [ "$DRIVER" = nvmx ]; then
		insmod "$(nvmx_ko)" $t "$@" || fail "insmod nvmx.ko $t $*"
	else
		# one disk per controller path, named after the controller
		modprobe nvme_core multipath=N $t || fail "modprobe nvme_core $t"
		modprobe nvme "$@" || fail "modprobe nvme $*"
	fi
	wait_for all_live 60
}

# nvmx.ko for the running kernel: the repo's, or the one make check-debug
# built for another kernel in build/module-<release>/
nvmx_ko() {
	local ko=$LAB_REPO/build/module-$(uname -r)/nvmx.ko

	[ -e "$ko" ] || ko=$LAB_REPO/nvmx.ko
	echo "$ko"
}

unload_driver() {
	if [ "$DRIVER" = nvmx ]; then
		rmmod nvmx || fail "rmmod nvmx"
	else
		modprobe -r nvme || fail "modprobe -r nvme"
	fi
}

# attr FILE: a sysfs value without the padding the in-tree driver keeps.
attr() {
	local v

	read -r v <"$1" || return 1
	echo "$v"
}

# ctrl_by_serial SERIAL: the controller name (nvmx0, nvme1, ...).
ctrl_by_serial() {
	local c

	for c in /sys/class/"$CLASS"/*; do
		[ "$(attr "$c/serial" 2>/dev/null)" = "$1" ] && basename "$c" && return 0
	done
	fail "no $CLASS controller with serial $1"
}

# ns_path CTRL NSID: the block device of namespace NSID of CTRL, if any.
ns_path() {
	local b

	for b in /sys/block/"$CLASS"*; do
		[ "$(basename "$(readlink -f "$b/device")")" = "$1" ] || continue
		[ "$(cat "$b/nsid" 2>/dev/null)" = "$2" ] || continue
		echo "/dev/$(basename "$b")"
		return 0
	done
	return 1
}

# ns_dev SERIAL NSID: wait for the namespace's block device; print it.
ns_dev() {
	local c

	c=$(ctrl_by_serial "$1")
	wait_for "ns_path $c $2 >/dev/null" 60
	ns_path "$c" "$2"
}

# keep_matching ARRAY REGEX: drop the entries of ARRAY ("name|...", the
# points of make bench and make cost) whose names do not match REGEX
keep_matching() {
	local -n points=$1
	local i

	for i in "${!points[@]}"; do
		[[ ${points[$i]%%|*} =~ $2 ]] || unset "points[$i]"
	done
}

# fio_verify DEV NAME [fio options]: write, then read back and verify
# every block (crc32c); a mismatch or an I/O error fails the test.
fio_verify() {
	fio_verify_start "$@"
	fio_verify_end "$2" "on $1: ${*:3}"
	echo "fio $2: ok (${*:3})"
}

# fio_verify_start DEV NAME [fio options]: fio_verify's run in the
# background, for a test that breaks something meanwhile; FIO_PID is its
# process, fio_verify_end NAME waits for it.
fio_verify_start() {
	local dev=$1 name=$2

	shift 2
	fio --name="$name" --filename="$dev" --ioengine=libaio \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --verify_state_save=0 \
		--group_reporting --output="/tmp/fio-$name.log" "$@" &
	FIO_PID=$!
}

# fio_verify_end NAME [WHAT]: wait for fio_verify_start's run; its failure
# or an error it reports fails the test (WHAT says what ran)
fio_verify_end() {
	local log=/tmp/fio-$1.log st=0

	wait "$FIO_PID" || st=$?
	if [ "$st" != 0 ]; then
		cat "$log"
		fail "fio $1 ${2:-}: exit status $st"
	fi
	grep -q "err= 0" "$log" || { cat "$log"; fail "fio $1 reported errors"; }
}

# generic_dev C N: the generic char device of namespace N of controller C
# (/dev/nvmx0g1 on nvmx; on the in-tree driver the /dev/ng0n<I> of the
# namespace's block device /dev/nvme0n<I>: named for the disk's instance,
# not the NSID, and 6.12 scans namespaces in parallel, so the two differ)
generic_dev() {
	local b

	if [ "$DRIVER" = nvme ]; then
		wait_for "ns_path $1 $2 >/dev/null" 60
		b=$(ns_path "$1" "$2")
		echo "/dev/ng${b#/dev/nvme}"
	else
		echo "/dev/${1}g$2"
	fi
}

# reset_bounded C WHAT SECS: reset controller C through sysfs from a
# background shell, so that a reset that hangs fails the test after SECS
# instead of hanging it; the write must return success.
reset_bounded() {
	rm -f /tmp/reset.st
	(st=0; echo 1 >/sys/class/"$CLASS"/"$1"/reset_controller || st=$?
	 echo $st >/tmp/reset.st) &
	wait_for "[ -e /tmp/reset.st ]" "$3"
	expect_eq "$(cat /tmp/reset.st)" 0 "$2"
}

# nvmx_complaints: nvmx's complaints in the kernel log so far (invalid
# command ids, timeouts, failed resets), printed; false when there are
# none or the driver is not nvmx
nvmx_complaints() {
	[ "$DRIVER" = nvmx ] &&
		dmesg | grep -E "nvmx.*(invalid command id|timed out|reset failed)"
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

main() {
	if [ "${1:-}" = guest ]; then
		DRIVER=${2:-nvmx}
		CLASS=$DRIVER
		set -e
		guest "${@:3}"
		# nvmx's own complaints fail a test that otherwise passed, unless
		# the test provoked them (and checked them) on purpose
		if [ -z "${EXPECT_TROUBLE:-}" ] && nvmx_complaints; then
			fail "nvmx reported problems in the kernel log"
		fi
		exit 0
	fi
	: "${TEST_OUT:?run VM tests through tests/run.sh}"
	TEST_FILE=$0
	host
}
