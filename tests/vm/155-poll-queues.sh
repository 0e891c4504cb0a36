#!/bin/bash
# Poll queues: with poll_queues=1, io_uring with IOPOLL (fio --hipri) reads
# back what it wrote, the namespace queue says io_poll 1, and the polled
# I/O raises no interrupt (interrupts of the controller's queues grow by
# far less than one per I/O; nvmx's poll queue counts polls and no irq);
# the same for io_uring passthrough with IOPOLL (fio io_uring_cmd --hipri)
# on the generic char device. Without poll queues, io_poll is 0, and
# --hipri still works on 6.1 and is refused with EOPNOTSUPP from 6.12 on
# (the block layer's choice, the same for the in-tree driver).
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-poll --ns size=128M
}

# polled_fio DEV NAME: write and verify with io_uring IOPOLL, 4 KiB random
polled_fio() {
	fio_verify "$1" "$2" --ioengine=io_uring --hipri=1 --rw=randwrite \
		--bs=4k --iodepth=16 --direct=1 --size=8M --numjobs=2 \
		--offset_increment=16M
}

guest() {
	local c dev blk before after ios q polls irqs g

	load_driver poll_queues=1
	c=$(ctrl_by_serial nvmx-poll)
	dev=$(ns_dev nvmx-poll 1)
	blk=$(basename "$dev")
	expect_eq "$(cat /sys/block/"$blk"/queue/io_poll)" 1 "io_poll with a poll queue"

	before=$(queue_irqs "$c")
	polled_fio "$dev" polled
	after=$(queue_irqs "$c")
	# two jobs, 8 MiB each, written then read: 8192 I/Os
	ios=8192
	echo "queue interrupts during $ios polled I/Os: $((after - before))"
	[ $((after - before)) -lt $((ios / 10)) ] ||
		fail "$((after - before)) interrupts for $ios polled I/Os"

	# io_uring passthrough with IOPOLL on the generic char device
	g=$(generic_dev "$c" 1)
	wait_for "[ -c $g ]" 30
	before=$(queue_irqs "$c")
	fio_verify "$g" uring-iopoll --ioengine=io_uring_cmd --cmd_type=nvme \
		--hipri=1 --rw=randwrite --bs=4k --iodepth=16 --size=8M --offset=64M
	after=$(queue_irqs "$c")
	# 8 MiB written then read: 4096 I/Os
	ios=4096
	echo "queue interrupts during $ios polled passthrough I/Os: $((after - before))"
	[ $((after - before)) -lt $((ios / 10)) ] ||
		fail "$((after - before)) interrupts for $ios polled passthrough I/Os"

	if [ "$DRIVER" = nvmx ]; then
		# the poll queue is the last I/O queue
		q=$(awk 'NR > 1 { q = $1 } END { print q }' /sys/kernel/debug/nvmx/"$c"/queues)
		polls=$(awk '$1 == "polls" { print $2 }' /sys/kernel/debug/nvmx/"$c"/q"$q"/stats)
		irqs=$(awk '$1 == "irqs" { print $2 }' /sys/kernel/debug/nvmx/"$c"/q"$q"/stats)
		expect_eq "$(awk '$1 == "vector" { print $2 }' /sys/kernel/debug/nvmx/"$c"/q"$q"/stats)" -1 "vector of poll queue q$q"
		echo "poll queue q$q: $polls polls that found completions, $irqs interrupts"
		expect_eq "$irqs" 0 "interrupts of poll queue q$q"
		[ "$polls" -gt 0 ] || fail "poll queue q$q was never polled"
	fi
	unload_driver

	load_driver poll_queues=0
	dev=$(ns_dev nvmx-poll 1)
	expect_eq "$(cat /sys/block/"$(basename "$dev")"/queue/io_poll)" 0 "io_poll without poll queues"
	# 6.1 completes polled I/O to a queue without poll queues through its
	# interrupts; from 6.12 the block layer refuses it (EOPNOTSUPP, before
	# any driver sees it), for the in-tree driver as for nvmx
	if [ "$(printf '%s\n' 6.12 "$(uname -r)" | sort -V | head -n1)" = 6.12 ]; then
		if fio --name=refused --filename="$dev" --ioengine=io_uring \
			--hipri=1 --rw=randread --bs=4k --iodepth=4 --direct=1 \
			--size=1M --output=/tmp/fio-refused.log 2>/tmp/fio-refused.err; then
			fail "polled I/O without poll queues worked on $(uname -r)"
		fi
		grep -q "Operation not supported" /tmp/fio-refused.err ||
			{ cat /tmp/fio-refused.log /tmp/fio-refused.err; fail "polled I/O failed otherwise"; }
		echo "polled I/O without poll queues refused (EOPNOTSUPP), as $(uname -r) does"
		fio_verify "$dev" after-refused --ioengine=io_uring --rw=randwrite \
			--bs=4k --iodepth=16 --direct=1 --size=8M
	else
		polled_fio "$dev" hipri-without-poll-queues
	fi
}

main "$@"
