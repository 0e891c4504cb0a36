#!/bin/bash
# NVMe/TCP against Linux's own target on loopback: connect through the
# fabrics device, the answer it gives, the sysfs the controller shows,
# then fio with crc32c verification: writes that go in the capsule (4 KiB,
# below nvmet-tcp's 16 KiB in-capsule size) and writes the target asks
# for with R2T (128 KiB, 1 MiB), queue depths 1 to 32, two I/O queues;
# again with header and data digests; then disconnect and unload.
. tests/lib.sh
. tests/lib-tcp.sh

host() {
	lab_run_tcp
}

verify_all() {
	local dev=$1 tag=$2

	fio_verify "$dev" "$tag-4k" --rw=randwrite --bs=4k --iodepth=1 \
		--direct=1 --size=4M
	fio_verify "$dev" "$tag-128k" --rw=randrw --bs=128k --iodepth=16 \
		--direct=1 --size=32M --numjobs=2 --offset_increment=32M
	fio_verify "$dev" "$tag-1m" --rw=write --bs=1M --iodepth=32 \
		--direct=1 --size=64M
	fio_verify "$dev" "$tag-buffered" --rw=randwrite --bs=16k \
		--iodepth=8 --direct=0 --size=16M
}

guest() {
	local ans c dev

	tcp_target 256
	tcp_load_host
	ans=$(tcp_connect "nr_io_queues=2") || fail "connect refused"
	[[ $ans =~ ^instance=([0-9]+),cntlid=([0-9]+)$ ]] ||
		fail "fabrics device answered '$ans'"
	c=$CLASS${BASH_REMATCH[1]}
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/cntlid)" "${BASH_REMATCH[2]}" cntlid
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/transport)" tcp transport
	# with the admin connection's local address, as the in-tree host has it
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/address)" \
		"traddr=$TCP_ADDR,trsvcid=$TCP_PORT,src_addr=127.0.0.1" address
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/subsysnqn)" "$TCP_NQN" subsysnqn
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/state)" live state
	dev=$(ns_dev "$TCP_SERIAL" 1)
	verify_all "$dev" plain
	tcp_disconnect "$c"

	# more queues than CPUs: as many as CPUs (blk-mq maps no more)
	ans=$(tcp_connect "nr_io_queues=64,hdr_digest,data_digest") ||
		fail "connect with digests and 64 queues refused"
	c=$(tcp_ctrl_of "$ans")
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/queue_count)" $(($(nproc) + 1)) \
		"queues (admin and one per CPU) for nr_io_queues=64"
	dev=$(ns_dev "$TCP_SERIAL" 1)
	verify_all "$dev" digests
	tcp_disconnect "$c"
	tcp_unload_host
}

main "$@"
