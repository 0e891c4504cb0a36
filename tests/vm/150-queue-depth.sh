#!/bin/bash
# io_queue_depth=2: queues of two slots, one command in flight per queue,
# while fio asks for 16 per job.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-qd2
}

guest() {
	local dev

	load_driver io_queue_depth=2
	dev=$(ns_dev nvmx-qd2 1)
	expect_eq "$(cat /sys/block/"$(basename "$dev")"/queue/nr_requests)" 1 nr_requests
	fio_verify "$dev" qd2 --rw=randrw --bs=8k --iodepth=16 --direct=1 \
		--numjobs=2 --size=8M --offset_increment=8M
}

main "$@"
