#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest half of make cost (see scripts/cost.sh), in one of its two
# boots: pci, the in-tree nvme driver and nvmx, each on two null-co
# controllers (one late, one prompt: see scripts/cost.sh), with fio's job
# on CPU 1 (isolated, no tick: isolcpus, nohz_full, rcu_nocbs on the
# kernel command line); tcp, nvme-tcp and nvmx-tcp connected to Linux's
# target in this guest (nvmet-tcp on loopback, a ramdisk behind it), with
# fio's job and the whole I/O path on CPU 1.  Around every measured fio
# run the guest calls sethostname(2), whose kernel entry is the plugin's
# mark: the plugin writes what every vCPU executed since the last mark.
# Each point runs N then 2N I/Os between three marks, ROUNDS times per
# driver; the report subtracts the first window from the second, which
# leaves N I/Os and takes out what fio costs to start and stop.
# $LAB_OUT/marks says what each mark closed; $LAB_OUT/kallsyms has the
# kernel's and the modules' text symbols.
set -euo pipefail
cd "$LAB_REPO"
. tests/lib.sh
# the build for the running kernel (KVER=... make: build/module-<release>/)
NVMX_KO=$(nvmx_ko)
BOOT=${1:?usage: cost-guest.sh pci|tcp N ROUNDS [ONLY]}
N=${2:-4000}
ROUNDS=${3:-3}
ONLY=${4:-}
CPU=1
marks=$LAB_OUT/marks
: >"$marks"

# this boot's points (tools/cost/points: name|device|fio options)
. tools/cost/points.sh
cost_points POINTS "$BOOT" "$ONLY"
[ ${#POINTS[@]} -gt 0 ] || fail "no $BOOT cost point matches '$ONLY'"
[ "$(nproc --all)" -ge 2 ] || fail "make cost needs two vCPUs"

declare -A CTRL
case $BOOT in
pci)
	grep -q "nohz_full=$CPU" /proc/cmdline || fail "CPU $CPU is not nohz_full"
	# The in-tree driver on the first and third controllers, nvmx on
	# the second and fourth (scripts/cost.sh), all with one poll queue,
	# no I/O scheduler.
	# (no process substitution: the guest has no /dev/fd)
	mapfile -t fns <<<"$(DRIVER=nvme driver_pci_functions)"
	[ ${#fns[@]} -eq 4 ] || fail "expected 4 NVMe functions, found ${#fns[*]}"
	for i in 0 1 2 3; do
		if [ $((i % 2)) = 0 ]; then d=nvme; else d=nvmx; fi
		echo $d >/sys/bus/pci/devices/"${fns[$i]}"/driver_override
	done
	modprobe nvme_core multipath=N
	modprobe nvme poll_queues=1
	insmod "$NVMX_KO" poll_queues=1
	for d in nvme nvmx; do
		DRIVER=$d CLASS=$d wait_for all_live 60
		for k in late poll; do
			s=cost-$d
			[ $k = late ] || s+=-poll
			c=$(CLASS=$d ctrl_by_serial "$s")
			wait_for "[ -b /dev/${c}n1 ]" 60
			echo none >/sys/block/"${c}n1"/queue/scheduler
			CTRL[$d-$k]=$c
		done
	done
	echo "cost: in-tree ${CTRL[nvme-late]} and ${CTRL[nvme-poll]}, nvmx ${CTRL[nvmx-late]} and ${CTRL[nvmx-poll]}"
	;;
tcp)
	# booted with CPU 1 offline (-icount: scripts/cost.sh)
	if [ "$(cat /sys/devices/system/cpu/cpu1/online)" = 0 ]; then
		echo 1 >/sys/devices/system/cpu/cpu1/online || fail "CPU 1 did not come up"
	fi
	# CPU 1 must be in the hardware queues' masks (scripts/cost.sh)
	! grep -Eq "isolcpus|nohz_full" /proc/cmdline ||
		fail "the TCP points need a boot without isolcpus and nohz_full"
	# One target, both hosts connected to it (nvme-tcp, nvmx-tcp), each
	# with its own controller, two I/O queues (the second is CPU 1's:
	# scripts/cost.sh) and the longest keep-alive timeout, so that no
	# keep-alive runs in a window (6.1's nvme-fabrics keeps its default
	# for an I/O controller given keep_alive_tmo=0).  The ramdisk is
	# written whole first: brd allocates and clears a page at its first
	# write, which would otherwise be counted to whichever host wrote
	# there first (the first round's in-tree write point), and a read of
	# a page never written takes another path than one of a written
	# page.
	TCP_MB=256
	. tests/lib-tcp.sh
	tcp_target $TCP_MB
	dd if=/dev/zero of=/dev/ram0 bs=1M count=$TCP_MB oflag=direct status=none ||
		fail "the target's ramdisk could not be filled"
	modprobe nvme_core multipath=N
	modprobe nvme-tcp
	insmod "$NVMX_KO"
	tcp_insmod "$(dirname "$NVMX_KO")/nvmx-tcp.ko"
	for d in nvme nvmx; do
		ans=$(DRIVER=$d tcp_connect nr_io_queues=2,keep_alive_tmo=65535) ||
			fail "$d-tcp: connect refused"
		c=$(CLASS=$d tcp_ctrl_of "$ans")
		wait_for "[ -b /dev/${c}n1 ]" 60
		echo none >/sys/block/"${c}n1"/queue/scheduler
		CTRL[$d-tcp]=$c
	done
	echo "cost: TCP: in-tree ${CTRL[nvme-tcp]}, nvmx ${CTRL[nvmx-tcp]}"
	# CPU 1 is not isolated here: this script and what it starts
	# (fio's parent, the marks' hostname) stay on CPU 0, and so do the
	# unbound work items; fio's job sets its own CPU (--cpus_allowed)
	taskset -pc 0 $$ >/dev/null || fail "taskset -p $$"
	echo 1 >/sys/devices/virtual/workqueue/cpumask ||
		fail "the unbound work items could not be kept on CPU 0"
	# and CPU 1's RCU callbacks, offloaded (rcu_nocbs=1), to threads
	# kept on CPU 0 too
	for p in $(pgrep '^rcuo'); do
		taskset -pc 0 "$p" >/dev/null || fail "taskset -p $p (rcuo)"
	done
	# and every other task that may move: the lab's heartbeat loop
	# (scripts/lab.sh) ran cat and sleep on CPU 1 now and then, whose
	# exec and exit work landed in some windows and not in others
	for p in $(ps -eo pid=); do
		taskset -pc 0 "$p" >/dev/null 2>&1 || true
	done
	# fio's job as a thread of fio (on CPU 0), not a process of its own
	# whose start and exit on CPU 1 would be counted
	FIO_TCP=--thread
	;;
*)
	fail "cost-guest.sh: no boot '$BOOT' (pci or tcp)"
	;;
esac
grep ' [tT] ' /proc/kallsyms >"$LAB_OUT/kallsyms"

seq=0
# mark WHAT: a snapshot in the plugin, and a line in $marks saying what
# the window it closes held
mark() {
	hostname "cost-$((seq + 1))"
	seq=$((seq + 1))
	echo "$seq $*" >>"$marks"
}

# run_fio POINT DRIVER IOS NAME [fio options]: fio's job alone on CPU 1,
# its own threads on CPU 0
run_fio() {
	local rest=${1#*|} kind opts d=$2 dev size=8G

	kind=${rest%%|*} opts=${rest#*|}
	case $kind in
	ns) dev=/dev/${CTRL[$d-late]}n1 opts+=" --direct=1" ;;
	poll) dev=/dev/${CTRL[$d-poll]}n1 opts+=" --direct=1" ;;
	tcp) dev=/dev/${CTRL[$d-tcp]}n1 opts+=" --direct=1 $FIO_TCP" size=${TCP_MB}M ;;
	generic)	# the first namespace's generic char device
		if [ "$d" = nvme ]; then
			dev=/dev/ng${CTRL[$d-late]#nvme}n1
		else
			dev=/dev/${CTRL[$d-late]}g1
		fi ;;
	esac
	# shellcheck disable=SC2086
	taskset -c 0 fio --name="$4" --filename="$dev" $opts \
		--cpus_allowed=$CPU --number_ios="$3" --size=$size \
		--norandommap --randrepeat=1 --disk_util=0 "${@:5}" >/dev/null
}

# measure POINT DRIVER ROUND
measure() {
	local name=${1%%|*} d=$2 r=$3 ios

	# an unmeasured run first, so that whatever the first I/Os on a
	# device cost (the N window would hold it alone) is spent
	run_fio "$1" "$d" $((N / 4)) "$name-warm" --output="$LAB_OUT/$name.$d.$r.warm.log"
	mark "start $name $d $r"
	for ios in "$N" $((2 * N)); do
		run_fio "$1" "$d" "$ios" "$name" --output-format=json \
			--output="$LAB_OUT/$name.$d.$r.$ios.json"
		mark "ios $name $d $r $ios"
	done
	echo "cost: $name $d round $r done"
}

# A new TCP connection's state (its receive window, its acknowledgement
# mode) settles over its first thousands of I/Os, and the per-I/O cost of
# its ACKs with it: each TCP point runs 2N I/Os per host unmeasured first.
if [ "$BOOT" = tcp ]; then
	for i in "${!POINTS[@]}"; do
		for d in nvme nvmx; do
			run_fio "${POINTS[$i]}" "$d" $((2 * N)) prime \
				--output="$LAB_OUT/${POINTS[$i]%%|*}.$d.prime.log"
		done
	done
fi

for ((r = 1; r <= ROUNDS; r++)); do
	for i in "${!POINTS[@]}"; do
		for d in nvme nvmx; do
			measure "${POINTS[$i]}" "$d" "$r"
		done
	done
done
echo "cost: $seq marks"
