#!/bin/bash
# NVMe/TCP: a reconnect that brings more I/O queues than the controller
# had.  The target first grants one I/O queue (attr_qid_max 1); after a
# reconnect it grants two, and the tag set grows to match: verified writes
# from each CPU then go out on both queues and complete.  (On 6.1 a
# hardware context added by the growth gets its tags only after blk-mq
# has run init_hctx: nvmx looked completions up in a copy taken there,
# refused every one on the new queue and reset for good.)
. tests/lib.sh
. tests/lib-tcp.sh

host() {
	lab_run_tcp
}

guest() {
	local ans c dev cpu

	[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
	tcp_target 64
	echo 1 >"$NVMET/subsystems/$TCP_NQN/attr_qid_max" || fail "attr_qid_max 1"
	tcp_load_host
	ans=$(tcp_connect "nr_io_queues=2,reconnect_delay=1,ctrl_loss_tmo=60") ||
		fail "connect refused"
	c=$(tcp_ctrl_of "$ans")
	dev=$(ns_dev "$TCP_SERIAL" 1)
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/queue_count)" 2 "queues with qid_max 1"
	fio_verify "$dev" one-queue --rw=randwrite --bs=16k --iodepth=8 \
		--direct=1 --size=4M

	echo 2 >"$NVMET/subsystems/$TCP_NQN/attr_qid_max" || fail "attr_qid_max 2"
	tcp_port_down
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" != live ]" 30
	tcp_port_up
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" = live ]" 60
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/queue_count)\" = 3 ]" 30
	for cpu in 0 1; do
		taskset -c $cpu fio --name=cpu$cpu --filename="$dev" \
			--ioengine=libaio --direct=1 --rw=randwrite --bs=16k \
			--iodepth=8 --size=4M --offset=$((cpu * 8))M \
			--verify=crc32c --verify_fatal=1 --do_verify=1 \
			--verify_state_save=0 --output=/tmp/cpu$cpu.log ||
			{ cat /tmp/cpu$cpu.log; fail "fio on CPU $cpu after the growth"; }
		grep -q "err= 0" /tmp/cpu$cpu.log || fail "fio on CPU $cpu reported errors"
		echo "fio from CPU $cpu: ok"
	done
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/state)" live "state after the I/O"
	tcp_disconnect "$c"
	tcp_unload_host
}

main "$@"
