#!/bin/bash
# A reset while a detached namespace's disk is being deleted: reads of
# namespace 2 are in flight (its null device answers after 8 s, 30 on
# the debug kernel, within an I/O timeout of 120 s) when it is detached,
# so the deletion waits for them, and the controller is reset meanwhile.
# The reset cancels the reads and sends them again once the queues are
# back (the controller then refuses them: the namespace is detached); the
# deletion ends, namespace 1 keeps its data, and the controller is live.
# On nvmx also: while the reset has the I/O queues down, the leaving
# namespace's queue is quiesced like the others, so no request of it
# reaches the driver's queue_rq to find its queue not live (a kprobe
# counts nvmx_queue_not_live() for I/O queues; before the fix the reads
# were sent again at once and met the stopped queues).
. tests/lib.sh

host() {
	local s=8

	# the debug kernel takes longer from the detach to the deletion
	case ${KVER:-} in *debug*) s=30 ;; esac
	lab_run --qemu-arg -device --qemu-arg nvme-subsys,id=ss0 \
		--nvme serial=nvmx-leave,subsys=ss0 --ns size=32M \
		--ns null,size=32M,latency=${s}000000000
}

T=/sys/kernel/tracing

guest() {
	local c cntlid n1 n2 b2 i hits reads=''

	IO_TIMEOUT=120 load_driver
	c=$(ctrl_by_serial nvmx-leave)
	cntlid=$(attr /sys/class/"$CLASS"/"$c"/cntlid)
	n1=$(ns_dev nvmx-leave 1)
	n2=$(ns_dev nvmx-leave 2)
	b2=${n2#/dev/}
	head -c 65536 /dev/urandom >/tmp/p1
	dd if=/tmp/p1 of="$n1" bs=64k oflag=direct status=none

	if [ "$DRIVER" = nvmx ]; then
		mountpoint -q $T || mount -t tracefs nodev $T
		echo 'p:nvmx_not_live nvmx_queue_not_live qid=%si:u16' >$T/kprobe_events ||
			fail "kprobe on nvmx_queue_not_live"
		echo 'qid != 0' >$T/events/kprobes/nvmx_not_live/filter
		echo >$T/trace
		echo 1 >$T/events/kprobes/nvmx_not_live/enable
		echo 1 >$T/tracing_on
	fi

	for i in 0 1 2 3; do
		dd if="$n2" of=/dev/null bs=4k skip=$i count=1 iflag=direct status=none \
			2>/dev/null &
		reads+=" $!"
	done
	wait_for "[ \"\$(awk '{ print \$1 + \$2 }' /sys/block/$b2/inflight)\" -ge 4 ]" 30
	echo "455: reads in flight; detaching" >/dev/kmsg
	# in the background: nvmx's ioctl returns once the scan it starts is
	# done, and that scan's deletion of the disk waits for the reads
	(st=0; nvme detach-ns /dev/"$c" -n 2 -c "$cntlid" >/dev/null || st=$?
	 echo $st >/tmp/detach.st) &
	# the node goes once the deletion began (and nvmx's scan took the
	# namespace off the list); the deletion then waits for the reads
	wait_for "[ ! -e $n2 ]" 60
	for i in $reads; do
		kill -0 "$i" 2>/dev/null || fail "the reads of $b2 ended before the reset"
	done
	echo "455: resetting" >/dev/kmsg
	reset_bounded "$c" "reset during the deletion" 120
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" = live ]" 60
	wait
	expect_eq "$(cat /tmp/detach.st)" 0 "detach-ns"
	wait_for "[ ! -e /sys/block/$b2 ]" 60
	dd if="$n1" of=/tmp/back bs=64k count=1 iflag=direct status=none ||
		fail "read namespace 1 after the reset"
	cmp /tmp/p1 /tmp/back || fail "namespace 1 data after the reset"
	echo "$b2 deleted across a reset; $n1 intact, controller live"

	if [ "$DRIVER" = nvmx ]; then
		echo 0 >$T/tracing_on
		hits=$(grep -c 'nvmx_not_live:' $T/trace || true)
		echo 0 >$T/events/kprobes/nvmx_not_live/enable
		echo >$T/kprobe_events
		expect_eq "$hits" 0 "requests that reached a stopped I/O queue during the reset"
		echo "no request reached a stopped I/O queue"
	fi
	unload_driver
}

main "$@"
