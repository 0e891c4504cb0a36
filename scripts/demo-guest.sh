#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of make run: the seed's path, pwrite -> ext4 direct I/O ->
# blk-mq -> nvmx, on emulated NVMe SSDs, with the stacks this kernel really
# takes (tools/pwrite-stack), then fio, the command pipeline and counters.
set -euo pipefail
# the build for the running kernel (KVER=... make: build/module-<release>/)
NVMX_KO=$LAB_REPO/build/module-$(uname -r)/nvmx.ko
[ -e "$NVMX_KO" ] || NVMX_KO=$LAB_REPO/nvmx.ko

T=/sys/kernel/tracing
MNT=/tmp/mnt
MNT1=/tmp/mnt1

step() {
	printf '\n=== %s\n' "$*"
}

wait_for() {
	local end=$((SECONDS + 60))

	until eval "$1"; do
		[ "$SECONDS" -lt "$end" ] || { echo "timed out waiting for: $1"; exit 1; }
		sleep 0.1
	done
}

# ctrl_of SERIAL: the nvmx controller with that serial (nvmx0, ...)
ctrl_of() {
	local c s

	for c in /sys/class/nvmx/nvmx*; do
		read -r s <"$c/serial" 2>/dev/null || continue
		[ "$s" = "$1" ] && basename "$c" && return 0
	done
	return 1
}

# pwrite_stack NAME FILE [pwrite-stack options]: one traced O_DIRECT pwrite;
# says so when no stack of the pwrite's own task reached the driver
pwrite_stack() {
	local name=$1 st=0

	shift
	"$LAB_REPO/tools/pwrite-stack" --save "$LAB_OUT/pwrite-$name.trace" "$@" || st=$?
	case $st in
	0) ;;
	1) echo "the pwrite failed or its data did not read back"; exit 1 ;;
	3) echo "=> so this run does not show the pwrite's path to the driver" \
		"(raw trace: $LAB_OUT/pwrite-$name.trace)" ;;
	*) echo "=> tracing could not be set up (exit $st): no stack to show" ;;
	esac
}

step "the emulated NVMe controllers"
lspci -nn -d ::0108

step "insmod nvmx.ko"
insmod "$NVMX_KO"
wait_for 'ctrl_of nvmx-demo-0001 >/dev/null && ctrl_of nvmx-demo-0002 >/dev/null'
C0=$(ctrl_of nvmx-demo-0001)	# one namespace
C1=$(ctrl_of nvmx-demo-0002)	# two namespaces
wait_for '[ "$(cat /sys/class/nvmx/$C0/state)" = live ] && [ "$(cat /sys/class/nvmx/$C1/state)" = live ]'
wait_for '[ -b /dev/${C0}n1 ] && [ -b /dev/${C1}n1 ] && [ -b /dev/${C1}n2 ]'
dmesg | grep 'nvmx nvmx' || true
for f in model serial firmware_rev state transport address; do
	printf '%-13s %s\n' "$f" "$(cat "/sys/class/nvmx/$C0/$f")"
done
lsblk /dev/"${C0}"n1 /dev/"${C1}"n1 /dev/"${C1}"n2

step "mkfs.ext4 /dev/${C0}n1 and /dev/${C1}n1; mount"
mkfs.ext4 -q -F /dev/"${C0}"n1
mkfs.ext4 -q -F /dev/"${C1}"n1
mkdir -p "$MNT" "$MNT1"
mount /dev/"${C0}"n1 "$MNT"
mount /dev/"${C1}"n1 "$MNT1"
df -h "$MNT" "$MNT1" | tail -n +2

step "the seed's path on 6.1: O_DIRECT pwrite on ext4, traced at nvmx_queue_rq and nvmx_queue_rqs"
mountpoint -q "$T" || mount -t tracefs nodev "$T"
cat <<'EOF'
The seed's stack (a 2019 kernel) ends in
  ext4_direct_IO -> __blockdev_direct_IO -> blk_finish_plug -> blk_flush_plug_list
  -> blk_mq_flush_plug_list -> blk_mq_sched_insert_requests
  -> blk_mq_try_issue_list_directly -> blk_mq_request_issue_directly
  -> __blk_mq_try_issue_directly -> nvme_queue_rq
On 6.1, ext4 direct I/O goes through iomap (__iomap_dio_rw), and the plug flush
(blk_finish_plug -> __blk_flush_plug -> blk_mq_flush_plug_list) first offers the
whole plug list to the driver's queue_rqs, a blk-mq entry point since Linux 5.17.
It does so when every plugged request is for one queue, no I/O scheduler is
attached, the tag set is not shared and the flush is not one from schedule(),
whether the plug holds one request or many. nvmx has a queue_rqs
(nvmx_queue_rqs), as the in-tree driver has nvme_queue_rqs, so that is where the
pwrite ends. Requests queue_rqs leaves on the list, and plugs of a shared tag set,
go one by one through blk_mq_plug_issue_direct -> __blk_mq_try_issue_directly ->
queue_rq. The seed's blk_mq_sched_insert_requests step is left for plugs with
requests of several queues or a scheduler, flushes from schedule(), and what
direct issue left on a busy queue.
Each run below is one pwrite(2) by tools/pwrite-stack under ftrace's function
tracer with func_stack_trace. Only driver calls made by the pwrite's own task
(its pid) are shown as its stack; calls by other tasks are named as such.
EOF

printf '\n--- 4 KiB on %sn1: one request in the plug\n' "$C0"
echo "Expected: blk_finish_plug -> ... -> nvmx_queue_rqs, given that one request."
pwrite_stack 4k "$MNT/seed-4k.bin" --size 4096

q=/sys/block/${C0}n1/queue
msk=$(cat "$q/max_sectors_kb")
printf '\n--- 1 MiB on %sn1: split at max_sectors_kb (%s KiB)\n' "$C0" "$msk"
cat <<'EOF'
Expected: blk_add_rq_to_plug flushes the plug before it adds a request when the
request already there is 128 KiB or more (BLK_PLUG_FLUSH_SIZE), so each large
request reaches nvmx_queue_rqs alone: the first from inside submit_bio, the last
from blk_finish_plug.
EOF
pwrite_stack 1m "$MNT/seed-1m.bin" --size $((1 << 20)) --offset $((4 << 20))

printf '\n--- 256 KiB on %sn1 with max_sectors_kb 64: four requests wait in the plug\n' "$C0"
cat <<'EOF'
Expected: one nvmx_queue_rqs call from blk_finish_plug takes all four and writes
them to the SQ under one lock with one doorbell. 6.1's plug list is last in,
first out, hence the falling sector numbers.
EOF
echo 64 >"$q/max_sectors_kb"
pwrite_stack 256k "$MNT/seed-256k.bin" --size $((256 << 10))
echo "$msk" >"$q/max_sectors_kb"

printf '\n--- 4 KiB on %sn1, whose controller has two namespaces: the seed'"'"'s tail\n' "$C1"
cat <<'EOF'
The two namespaces share one tag set (BLK_MQ_F_TAG_QUEUE_SHARED), and 6.1 does
not hand a shared tag set's plug to queue_rqs. Expected: blk_mq_plug_issue_direct
-> __blk_mq_try_issue_directly -> nvmx_queue_rq, one call per request.
EOF
pwrite_stack shared "$MNT1/seed-4k.bin" --size 4096

cat <<'EOF'

A kworker, not the pwrite's task, calls the driver when the request was parked
for a later run of the hardware queue: the task went to sleep with requests in
its plug (schedule() flushes it: the requests are inserted and the queue is run
on kblockd), the queue was quiesced (a reset: queue_rqs is skipped, the requests
wait until the queue is resumed), the driver or the tag allocator said busy
(BLK_STS_RESOURCE: the queue is run again later), or a flush sequence
(REQ_PREFLUSH, or FUA without FUA support) steps through the requeue work. That
stack starts at process_one_work (blk_mq_run_work_fn, blk_mq_requeue_work), not at
pwrite64. docs/pipeline.md has the details.
EOF

step "a short fio run on the mounted file system (4 KiB random writes, QD 16, verified)"
fio --name=demo --directory="$MNT" --size=32M --rw=randwrite --bs=4k \
	--iodepth=16 --ioengine=libaio --direct=1 --verify=crc32c \
	--verify_state_save=0 --group_reporting | grep -E 'IOPS|lat \(usec\): min|err='

step "the pipeline of a few commands: nvmx trace events and tools/nvmx-pipeline"
echo >"$T/trace"
echo 1 >"$T/events/nvmx/enable"
echo 1 >"$T/tracing_on"
dd if=/dev/"${C0}"n1 of=/dev/null bs=4k count=8 iflag=direct status=none
dd if=/dev/zero of="$MNT/small" bs=4k count=8 oflag=direct status=none
echo 0 >"$T/tracing_on"
echo 0 >"$T/events/nvmx/enable"
cp "$T/trace" "$LAB_OUT/trace.txt"
"$LAB_REPO/tools/nvmx-pipeline" "$LAB_OUT/trace.txt" --show 2 --svg "$LAB_OUT/pipeline.svg"

step "per-queue counters (/sys/kernel/debug/nvmx/$C0/queues; q0 is the admin queue)"
column -t /sys/kernel/debug/nvmx/"$C0"/queues
grep -E " ${C0}q[0-9]+\$" /proc/interrupts

step "umount /dev/${C0}n1 and /dev/${C1}n1"
umount "$MNT" "$MNT1"

# ---- NVMe/TCP ----
NQN=nqn.2026-12.io.nvmx:demo
CFG=/sys/kernel/config/nvmet
NVMX=$LAB_REPO/build/nvmx

step "NVMe/TCP: Linux's own target (nvmet-tcp) on loopback, a 64 MiB ramdisk as its namespace"
ip link set lo up
modprobe brd rd_nr=1 rd_size=$((64 * 1024))
modprobe nvmet-tcp
mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
mkdir "$CFG/subsystems/$NQN"
echo 1 >"$CFG/subsystems/$NQN/attr_allow_any_host"
echo nvmx-demo-tcp >"$CFG/subsystems/$NQN/attr_serial"
mkdir "$CFG/subsystems/$NQN/namespaces/1"
echo /dev/ram0 >"$CFG/subsystems/$NQN/namespaces/1/device_path"
echo 1 >"$CFG/subsystems/$NQN/namespaces/1/enable"
mkdir "$CFG/ports/1"
echo tcp >"$CFG/ports/1/addr_trtype"
echo ipv4 >"$CFG/ports/1/addr_adrfam"
echo 127.0.0.1 >"$CFG/ports/1/addr_traddr"
echo 4420 >"$CFG/ports/1/addr_trsvcid"
ln -s "$CFG/subsystems/$NQN" "$CFG/ports/1/subsystems/$NQN"
echo "subsystem $NQN on 127.0.0.1:4420"

step "insmod nvmx-tcp.ko; nvmx connect -t tcp -a 127.0.0.1 -s 4420 -n $NQN -i 2"
for d in $(modinfo -F depends "$(dirname "$NVMX_KO")/nvmx-tcp.ko" | tr , ' '); do
	[ "$d" = nvmx ] || modprobe "$d"	# libcrc32c: insmod loads no dependency
done
insmod "$(dirname "$NVMX_KO")/nvmx-tcp.ko"
"$NVMX" connect -t tcp -a 127.0.0.1 -s 4420 -n "$NQN" -i 2
CT=$(ctrl_of nvmx-demo-tcp)
wait_for '[ -b /dev/${CT}n1 ]'
dmesg | grep "nvmx $CT" || true
for f in transport address subsysnqn cntlid state; do
	printf '%-13s %s\n' "$f" "$(cat "/sys/class/nvmx/$CT/$f")"
done

step "nvmx list (nvme list's table, for nvmx controllers of either transport)"
"$NVMX" list

step "fio over TCP: 4 KiB writes in the capsule, 128 KiB ones through R2T and H2CData, verified"
for bs in 4k 128k; do
	fio --name=tcp-$bs --filename=/dev/"${CT}"n1 --size=16M --rw=randwrite \
		--bs=$bs --iodepth=8 --ioengine=libaio --direct=1 \
		--verify=crc32c --verify_state_save=0 --group_reporting |
		grep -E 'IOPS|err='
done

step "the pipeline of a few commands over TCP: capsule, PDUs out, PDUs in, completion"
cat <<'TEXT'
On PCIe a command is an SQ slot, a doorbell write, a CQ entry and an interrupt.
Over TCP the slot is a command capsule, a PDU on the queue's own connection. A
write that fits the target's in-capsule size carries its data in the capsule; a
larger one waits for the target's R2T and sends its data in H2CData PDUs. A
read's data comes back in C2HData PDUs. The CapsuleResp is the completion entry.
One 4 KiB write, one 32 KiB write and one 32 KiB read:
TEXT
echo >"$T/trace"
echo 1 >"$T/events/nvmx/enable"
echo 1 >"$T/tracing_on"
dd if=/dev/urandom of=/dev/"${CT}"n1 bs=4k count=1 seek=100 oflag=direct status=none
dd if=/dev/urandom of=/dev/"${CT}"n1 bs=32k count=1 seek=10 oflag=direct status=none
dd if=/dev/"${CT}"n1 of=/dev/null bs=32k count=1 skip=10 iflag=direct status=none
echo 0 >"$T/tracing_on"
echo 0 >"$T/events/nvmx/enable"
grep -E "nvmx_(tcp_cmd|tcp_send_pdu|tcp_recv_pdu|complete):" "$T/trace" |
	grep -v "qid=0 " | sed -E 's/^ *//; s/ +\[[0-9]+\] [^ ]+ / /' | head -n 40
cp "$T/trace" "$LAB_OUT/trace-tcp.txt"

step "per-queue counters (/sys/kernel/debug/nvmx/$CT/queues; q0 is the admin queue)"
column -t /sys/kernel/debug/nvmx/"$CT"/queues

step "nvmx disconnect -n $NQN; rmmod nvmx-tcp"
"$NVMX" disconnect -n "$NQN"
rmmod nvmx-tcp

step "rmmod nvmx (I/O queues deleted, CC.SHN shutdown)"
rmmod nvmx
dmesg | tail -n 2
