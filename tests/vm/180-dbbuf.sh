#!/bin/bash
# Shadow doorbells (Doorbell Buffer Config): data stays right with them on
# and off, and with them on fewer doorbell registers are written per
# command (nvmx's counters of real MMIO doorbell writes).  The in-tree
# driver always uses them on this controller: for it, the data check.
# On nvmx also: the I/O completion queues (MSI-X) have twice the slots of
# their submission queues, and without shadow doorbells the CQ head
# register is written only when cq_hold consumed entries are unreported,
# never more often (with them, the controller's event index says when).
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-dbbuf --ns size=128M
}

# doorbell register writes per completed I/O command, in hundredths
mmio_per_cmd() {
	awk 'NR > 1 && $1 > 0 { db += $12 + $13; done += $9; sh += $18 + $19 }
	     END { printf "%d %d\n", done ? db * 100 / done : -1, sh }' \
		/sys/kernel/debug/nvmx/nvmx0/queues
}

run_fio() {
	fio_verify "$1" "$2" --rw=randrw --bs=4k --iodepth=32 --direct=1 \
		--numjobs=2 --size=6M --offset_increment=16M
}

# measure on|off: load with use_dbbuf=1|0, check the log line, run fio,
# print "writes-per-100-commands shadow-only-updates"
measure() {
	local dev

	dmesg -C
	load_driver use_dbbuf=$([ "$1" = on ] && echo 1 || echo 0)
	dev=$(ns_dev nvmx-dbbuf 1)
	dmesg | grep -q "nvmx0: .*shadow doorbells $1" || fail "shadow doorbells not $1"
	run_fio "$dev" "dbbuf-$1" >&2
	check_cq_hold "$1"
	mmio_per_cmd
	unload_driver
}

# every I/O queue: CQ twice the SQ; with use_dbbuf=0 at most one CQ head
# register write per cq_hold completions, and heads held back
check_cq_hold() {
	local st depth cq_depth hold done writes deferred

	for st in /sys/kernel/debug/nvmx/nvmx0/q[1-9]*/stats; do
		depth=$(awk '$1 == "depth" { print $2 }' "$st")
		cq_depth=$(awk '$1 == "cq_depth" { print $2 }' "$st")
		hold=$(awk '$1 == "cq_hold" { print $2 }' "$st")
		done=$(awk '$1 == "completed" { print $2 }' "$st")
		writes=$(awk '$1 == "cq_doorbells" { print $2 }' "$st")
		deferred=$(awk '$1 == "cq_deferred" { print $2 }' "$st")
		[ "$cq_depth" -eq $((2 * depth)) ] || fail "$st: cq_depth $cq_depth, depth $depth"
		[ "$hold" -eq "$depth" ] || fail "$st: cq_hold $hold, depth $depth"
		if [ "$1" = off ]; then
			[ "$writes" -le $((done / hold)) ] ||
				fail "$st: $writes CQ head writes for $done completions (cq_hold $hold)"
		fi
		echo "$st: $done completions, $writes CQ head register writes, $deferred held back" >&2
	done
	[ "$(queue_sum nvmx0 completed)" -gt 0 ] || fail "no I/O completed"
	if [ "$1" = off ]; then
		[ "$(queue_sum nvmx0 cq_deferred)" -gt 0 ] || fail "no CQ head held back"
	fi
}

guest() {
	local on off

	if [ "$DRIVER" = nvme ]; then
		load_driver
		run_fio "$(ns_dev nvmx-dbbuf 1)" dbbuf-in-tree
		return
	fi
	on=$(measure on)
	off=$(measure off)
	echo "doorbell writes per 100 commands: ${on% *} with shadow doorbells (${on#* } shadow-only updates), ${off% *} without"
	[ "${off#* }" -eq 0 ] || fail "shadow-only updates with use_dbbuf=0"
	[ "${on#* }" -gt 0 ] || fail "no shadow-only update with shadow doorbells"
	[ "${on% *}" -lt "${off% *}" ] || fail "shadow doorbells did not reduce doorbell writes"
}

main "$@"
