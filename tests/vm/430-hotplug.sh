#!/bin/bash
# Hot removal and hot-add on a q35 machine with the controller behind a
# pcie-root-port (pciehp). Removed from the QEMU monitor (device_del) while
# fio runs: fio ends with errors within a bound, nothing hangs, the device
# nodes and the class directory go, rmmod works. Then a controller is added
# to an empty port (device_add): it is probed and verified with fio, and
# removed again while idle.
. tests/lib.sh

host() {
	rm -f "$TEST_OUT/hot.img"
	truncate -s 64M "$TEST_OUT/hot.img"
	lab_run --machine q35 \
		--qemu-arg -device --qemu-arg pcie-root-port,id=rp1,chassis=1,slot=1 \
		--qemu-arg -device --qemu-arg pcie-root-port,id=rp2,chassis=2,slot=2 \
		--qemu-arg -drive --qemu-arg "file=$TEST_OUT/hot.img,if=none,id=hotd,format=raw" \
		--nvme serial=nvmx-plug,bus=rp1 --ns size=64M
}

# reads and writes completed on all of the driver's disks (the in-tree
# driver's multipath head counts none, its per-path disk does)
io_count() {
	cat /sys/block/"$CLASS"*/stat | awk '{ n += $1 + $5 } END { print n }'
}

guest() {
	local dev c g fio_pid base st=0

	load_driver
	dev=$(ns_dev nvmx-plug 1)
	c=$(ctrl_by_serial nvmx-plug)
	g=$(generic_dev "$c" 1)
	wait_for "[ -c $g ]" 30
	exec 3<"$g" || fail "open $g"
	base=$(io_count)

	fio --name=unplug --filename="$dev" --ioengine=libaio --direct=1 \
		--rw=randrw --bs=4k --iodepth=16 --time_based --runtime=120 \
		--output=/tmp/fio-unplug.log 2>/tmp/fio-unplug.err &
	fio_pid=$!
	# fio's own set-up takes seconds under TCG: pull the device only once
	# fio's I/O is flowing, or fio meets no device instead of failed I/O
	wait_for "[ \$(io_count) -ge $((base + 200)) ]" 60
	host_hmp "device_del nvme0"
	wait_for "[ ! -e $dev ]" 60
	wait_for "! kill -0 $fio_pid 2>/dev/null" 60
	wait $fio_pid || st=$?
	echo "fio exit status $st; its output and its errors:"
	cat /tmp/fio-unplug.log /tmp/fio-unplug.err
	[ "$st" != 0 ] || fail "fio saw no error although its device went away"
	# the job summary (stdout) or the per-I/O message (stderr) names it
	cat /tmp/fio-unplug.log /tmp/fio-unplug.err |
		grep -Eq "err= *[1-9]|error" || fail "fio names no error"
	grep -q "you need to specify size" /tmp/fio-unplug.log &&
		fail "fio found no device: it started after the removal"
	[ ! -e /dev/"$c" ] || fail "/dev/$c still there"
	[ ! -e /sys/class/"$CLASS"/"$c" ] || fail "/sys/class/$CLASS/$c still there"
	echo "removed under fio: fio failed (exit $st), nodes gone"
	if nvme id-ns /proc/self/fd/3 -n 1 >/dev/null 2>&1 && [ "$DRIVER" = nvmx ]; then
		fail "Identify through a reopened $g after the removal succeeded"
	fi
	exec 3<&-
	echo "$g held open across the removal, closed after it"
	unload_driver

	load_driver
	host_hmp "device_add nvme,id=hot,serial=nvmx-hotadd,drive=hotd,bus=rp2"
	dev=$(ns_dev nvmx-hotadd 1)
	c=$(ctrl_by_serial nvmx-hotadd)
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" = live ]" 60
	fio_verify "$dev" hotadd --rw=randwrite --bs=4k --size=8M --iodepth=8
	host_hmp "device_del hot"
	wait_for "[ ! -e /sys/class/$CLASS/$c ]" 60
	[ ! -e "$dev" ] || fail "$dev still there after the idle removal"
	echo "hot-added, verified, removed while idle"
	unload_driver
}

main "$@"
