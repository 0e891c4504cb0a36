#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest half of make bench (see scripts/bench.sh): two identical null-co
# controllers, the first bound to the in-tree nvme driver and the second to
# nvmx; every point runs on each, alternately, PAIRS times.  Raw fio JSON
# and counters go to $LAB_OUT/raw/; the host side makes the report.
set -euo pipefail
cd "$LAB_REPO"
. tests/lib.sh
. tests/lib-tcp.sh
# the build for the running kernel (KVER=... make: build/module-<release>/)
NVMX_KO=$(nvmx_ko)
PAIRS=${1:-5}
RUNTIME=${2:-4}
ONLY=${3:-}
DEPTH=1024
raw=$LAB_OUT/raw
mkdir -p "$raw"
rm -f "$raw"/*
cpus=$(nproc)

# name|fio options
POINTS=(
	"qd1-randread-libaio|--ioengine=libaio --rw=randread --bs=4k --iodepth=1 --numjobs=1"
	"qd1-randwrite-libaio|--ioengine=libaio --rw=randwrite --bs=4k --iodepth=1 --numjobs=1"
	"qd1-randread-io_uring|--ioengine=io_uring --rw=randread --bs=4k --iodepth=1 --numjobs=1"
	"qd32-randread-io_uring|--ioengine=io_uring --rw=randread --bs=4k --iodepth=32 --numjobs=$cpus"
	"qd32-randwrite-io_uring|--ioengine=io_uring --rw=randwrite --bs=4k --iodepth=32 --numjobs=$cpus"
	"qd128-randread-libaio|--ioengine=libaio --rw=randread --bs=4k --iodepth=128 --numjobs=$cpus"
	"qd128-randwrite-libaio|--ioengine=libaio --rw=randwrite --bs=4k --iodepth=128 --numjobs=$cpus"
	"polled-qd1-randread|--ioengine=io_uring --hipri=1 --rw=randread --bs=4k --iodepth=1 --numjobs=1"
	"polled-qd32-randread|--ioengine=io_uring --hipri=1 --rw=randread --bs=4k --iodepth=32 --numjobs=$cpus"
	"seq-128k-read|--ioengine=io_uring --rw=read --bs=128k --iodepth=16 --numjobs=1"
	"randread-512|--ioengine=io_uring --rw=randread --bs=512 --iodepth=32 --numjobs=$cpus"
)
# NVMe/TCP: the in-tree nvme-tcp host and nvmx-tcp, each connected over
# loopback to Linux's own target in this guest (nvmet-tcp, a null_blk
# namespace: reads and writes cost the target nothing but the transfer)
TCP_POINTS=(
	"tcp-qd1-randread|--ioengine=io_uring --rw=randread --bs=4k --iodepth=1 --numjobs=1"
	"tcp-qd32-randread|--ioengine=io_uring --rw=randread --bs=4k --iodepth=32 --numjobs=$cpus"
	"tcp-qd32-randwrite|--ioengine=io_uring --rw=randwrite --bs=4k --iodepth=32 --numjobs=$cpus"
	"tcp-seq-128k-read|--ioengine=io_uring --rw=read --bs=128k --iodepth=16 --numjobs=1"
	"tcp-seq-128k-write|--ioengine=io_uring --rw=write --bs=128k --iodepth=16 --numjobs=1"
)
if [ -n "$ONLY" ]; then
	keep_matching POINTS "$ONLY"
	keep_matching TCP_POINTS "$ONLY"
	[ $((${#POINTS[@]} + ${#TCP_POINTS[@]})) -gt 0 ] ||
		fail "no bench point matches $ONLY"
fi

# bind FIRST SECOND: the first NVMe function to driver FIRST, the second
# to SECOND, both loaded with the same queue settings, no I/O scheduler.
# Odd pairs bind nvme/nvmx, even pairs nvmx/nvme, so that neither driver
# always has the same emulated controller (seen to matter under TCG).
fns=($(DRIVER=nvme driver_pci_functions))
[ ${#fns[@]} -eq 2 ] || fail "expected 2 NVMe functions, found ${#fns[*]}"
modprobe nvme_core multipath=N
bind() {
	local d q

	rmmod nvmx 2>/dev/null || true
	modprobe -r nvme 2>/dev/null || true
	echo "$1" >/sys/bus/pci/devices/"${fns[0]}"/driver_override
	echo "$2" >/sys/bus/pci/devices/"${fns[1]}"/driver_override
	modprobe nvme poll_queues=1 io_queue_depth=$DEPTH
	insmod "$NVMX_KO" poll_queues=1 io_queue_depth=$DEPTH
	wait_for "[ \"\$(cat /sys/class/nvme/nvme0/state 2>/dev/null)\" = live ]" 60
	wait_for "[ \"\$(cat /sys/class/nvmx/nvmx0/state 2>/dev/null)\" = live ]" 60
	wait_for "[ -b /dev/nvme0n1 ] && [ -b /dev/nvmx0n1 ]" 60
	for d in nvme nvmx; do
		q=/sys/block/${d}0n1/queue
		echo none >$q/scheduler
		echo "$d on $(basename "$(readlink -f /sys/class/$d/${d}0/device)"): $(grep -c "${d}0q" /proc/interrupts) queue interrupt lines, io_poll $(cat $q/io_poll), nr_requests $(cat $q/nr_requests), write_cache $(cat $q/write_cache)"
	done
}

# run POINT DRIVER PAIR CTRL: one timed fio run of POINT ("name|options")
# on CTRL's first namespace, JSON and counters (the interrupts of CTRL's
# queues, for a PCIe controller)
run() {
	local name=${1%%|*} opts=${1#*|} d=$2 p=$3 c=$4 before after
	local out=$raw/$name.$d.$p

	before=$(queue_irqs "$c")
	# shellcheck disable=SC2086
	fio --name="$name" --filename="/dev/${c}n1" --direct=1 $opts \
		--time_based --runtime="$RUNTIME" --group_reporting \
		--lat_percentiles=1 --randrepeat=0 --output-format=json \
		--output="$out.json" >/dev/null
	after=$(queue_irqs "$c")
	# NVMe/TCP (TCP=1): no device interrupts to count
	if [ "${TCP:-0}" = 0 ]; then echo "irqs $((after - before))"; fi >"$out.counters"
}

# pairs CTRL_NVME CTRL_NVMX POINTS...: every point PAIRS times on each
# driver, which one goes first alternating; BIND (when set) is called
# with the binding of each pair first
pairs() {
	local cn=$1 cx=$2 p i d c order

	shift 2
	for ((p = 1; p <= PAIRS; p++)); do
		if [ -n "${BIND:-}" ]; then
			if [ $((p % 2)) = 1 ]; then $BIND nvme nvmx; else $BIND nvmx nvme; fi
		fi
		for ((i = 1; i <= $#; i++)); do
			if [ $(((p + i) % 2)) = 0 ]; then order="nvme nvmx"; else order="nvmx nvme"; fi
			for d in $order; do
				if [ "$d" = nvme ]; then c=$cn; else c=$cx; fi
				run "${!i}" "$d" "$p" "$c"
			done
			echo "pair $p: ${!i%%|*} done"
		done
	done
}

if [ ${#POINTS[@]} -gt 0 ]; then
	BIND=bind pairs nvme0 nvmx0 "${POINTS[@]}"
fi

# Doorbell MMIO writes per I/O: QEMU counts them (trace events, logged to
# qemu.log) during an untimed run of a fixed number of I/Os, one driver at
# a time, so tracing costs neither driver in the timed runs.  Once with
# each binding, each driver first once: which controller a driver has and
# which runs first move these counts more than the drivers do.
count_doorbells() {
	local k=$1 i name opts d start end

	for i in "${!POINTS[@]}"; do
		name=${POINTS[$i]%%|*} opts=${POINTS[$i]#*|}
		for d in $2; do
			host_hmp "trace-event pci_nvme_mmio_doorbell_* on" >/dev/null
			start=$(wc -l <"$LAB_OUT/qemu.log" 2>/dev/null || echo 0)
			# shellcheck disable=SC2086
			fio --name="$name" --filename=/dev/${d}0n1 --direct=1 $opts \
				--number_ios=2000 --size=1G --randrepeat=0 --output-format=json \
				--output="$raw/$name.$d.doorbells-$k.json" >/dev/null
			host_hmp "trace-event pci_nvme_mmio_doorbell_* off" >/dev/null
			end=$(wc -l <"$LAB_OUT/qemu.log")
			tail -n +"$((start + 1))" "$LAB_OUT/qemu.log" | head -n "$((end - start))" |
				awk '/doorbell_sq/ { sq++ } /doorbell_cq/ { cq++ }
				     END { printf "sq_doorbells %d\ncq_doorbells %d\n", sq, cq }' \
				>"$raw/$name.$d.doorbells-$k"
		done
	done
}
if [ ${#POINTS[@]} -gt 0 ]; then
	bind nvme nvmx
	count_doorbells 1 "nvme nvmx"
	bind nvmx nvme
	count_doorbells 2 "nvmx nvme"
fi

# tcp_ctrl DRIVER HOSTNQN: connect DRIVER's host (nvme-tcp or nvmx-tcp)
# with one I/O queue per CPU; print its controller's name
tcp_ctrl() {
	local ans c

	DRIVER=$1 CLASS=$1
	ans=$(tcp_connect "hostnqn=$2,nr_io_queues=$cpus") || fail "$1: connect refused"
	c=$(tcp_ctrl_of "$ans")
	wait_for "[ -b /dev/${c}n1 ]" 60
	echo none >"/sys/block/${c}n1/queue/scheduler"
	echo "$c"
}

if [ ${#TCP_POINTS[@]} -gt 0 ]; then
	# the PCIe controllers out of the way: bound to no driver
	rmmod nvmx 2>/dev/null || true
	modprobe -r nvme 2>/dev/null || true
	for f in "${fns[@]}"; do
		echo none >/sys/bus/pci/devices/"$f"/driver_override
	done
	modprobe null_blk nr_devices=1 gb=16 queue_mode=2 irqmode=0 ||
		fail "modprobe null_blk"
	DRIVER=nvme tcp_target 0 /dev/nullb0
	insmod "$NVMX_KO" || fail "insmod nvmx.ko"
	tcp_insmod "$(dirname "$NVMX_KO")/nvmx-tcp.ko"
	modprobe nvme-tcp || fail "modprobe nvme-tcp"
	tcp_n=$(tcp_ctrl nvme "$TCP_NQN:bench-nvme")
	tcp_x=$(tcp_ctrl nvmx "$TCP_NQN:bench-nvmx")
	echo "NVMe/TCP: nvme-tcp as $tcp_n, nvmx-tcp as $tcp_x, $cpus I/O queues each"
	TCP=1 pairs "$tcp_n" "$tcp_x" "${TCP_POINTS[@]}"
	echo 1 >"/sys/class/nvme/$tcp_n/delete_controller"
	echo 1 >"/sys/class/nvmx/$tcp_x/delete_controller"
fi
echo "bench: raw results in $raw"
