#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of make run: the seed's path, pwrite -> ext4 direct I/O ->
# blk-mq -> nvmx_queue_rq, on an emulated NVMe SSD.
set -euo pipefail

T=/sys/kernel/tracing
MNT=/tmp/mnt

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

step "the emulated NVMe controller"
lspci -nn -d ::0108

step "insmod nvmx.ko"
insmod "$LAB_REPO/nvmx.ko"
wait_for '[ "$(cat /sys/class/nvmx/nvmx0/state 2>/dev/null)" = live ]'
wait_for '[ -b /dev/nvmx0n1 ]'
dmesg | grep 'nvmx nvmx' || true
for f in model serial firmware_rev state transport address; do
	printf '%-13s %s\n' "$f" "$(cat /sys/class/nvmx/nvmx0/$f)"
done
lsblk /dev/nvmx0n1

step "mkfs.ext4 /dev/nvmx0n1; mount"
mkfs.ext4 -q -F /dev/nvmx0n1
mkdir -p "$MNT"
mount /dev/nvmx0n1 "$MNT"
df -h "$MNT" | tail -n1

step "O_DIRECT pwrite of 1 MiB to a file on ext4, traced at nvmx_queue_rq"
mountpoint -q "$T" || mount -t tracefs nodev "$T"
echo 0 >"$T/tracing_on"
echo nvmx_queue_rq >"$T/set_ftrace_filter"
echo function >"$T/current_tracer"
echo 1 >"$T/options/func_stack_trace"
echo >"$T/trace"
python3 - "$MNT/seed.bin" "$T/tracing_on" <<'PY'
import mmap, os, sys

path, tracing_on = sys.argv[1], sys.argv[2]
size, off = 1 << 20, 4 << 20
data = os.urandom(size)
wbuf = mmap.mmap(-1, size)          # page aligned, as O_DIRECT needs
wbuf.write(data)
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_DIRECT, 0o644)
with open(tracing_on, "w") as t:
    t.write("1")
n = os.pwrite(fd, wbuf, off)
with open(tracing_on, "w") as t:
    t.write("0")
rbuf = mmap.mmap(-1, size)
m = os.preadv(fd, [rbuf], off)
os.close(fd)
ok = n == size and m == size and rbuf[:] == data
print(f"pwrite {n} bytes at {off}, pread {m} bytes: "
      f"{'identical' if ok else 'DIFFERENT'}")
sys.exit(0 if ok else 1)
PY
cp "$T/trace" /tmp/trace
echo 0 >"$T/options/func_stack_trace"
echo nop >"$T/current_tracer"
echo "first nvmx_queue_rq of the pwrite, with its call stack:"
awk '/nvmx_queue_rq/ { on = 1 } on && /^ =>/ { print; n++ } on && n && !/^ =>/ { exit }' /tmp/trace |
	sed 's/^ => /    /' | grep -v '^    0x' | head -n 40
echo "nvmx_queue_rq calls during the pwrite: $(grep -c 'nvmx_queue_rq <-' /tmp/trace)"

step "a short fio run on the mounted file system (4 KiB random writes, QD 16, verified)"
fio --name=demo --directory="$MNT" --size=32M --rw=randwrite --bs=4k \
	--iodepth=16 --ioengine=libaio --direct=1 --verify=crc32c \
	--verify_state_save=0 --group_reporting | grep -E 'IOPS|lat \(usec\): min|err='

step "the pipeline of a few commands: nvmx trace events and tools/nvmx-pipeline"
echo >"$T/trace"
echo 1 >"$T/events/nvmx/enable"
echo 1 >"$T/tracing_on"
dd if=/dev/nvmx0n1 of=/dev/null bs=4k count=8 iflag=direct status=none
dd if=/dev/zero of="$MNT/small" bs=4k count=8 oflag=direct status=none
echo 0 >"$T/tracing_on"
echo 0 >"$T/events/nvmx/enable"
cp "$T/trace" "$LAB_OUT/trace.txt"
"$LAB_REPO/tools/nvmx-pipeline" "$LAB_OUT/trace.txt" --show 2 --svg "$LAB_OUT/pipeline.svg"

step "per-queue counters (/sys/kernel/debug/nvmx/nvmx0/queues; q0 is the admin queue)"
column -t /sys/kernel/debug/nvmx/nvmx0/queues
grep nvmx /proc/interrupts

step "umount; rmmod nvmx (I/O queues deleted, CC.SHN shutdown)"
umount "$MNT"
rmmod nvmx
dmesg | tail -n 1
