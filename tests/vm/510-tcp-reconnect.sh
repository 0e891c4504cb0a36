#!/bin/bash
# NVMe/TCP recovery.  (1) The target takes the subsystem off its port in
# the middle of verified writes and gives it back 4 s later: the host
# reconnects (reconnect_delay 1 s, well within ctrl_loss_tmo), the writes
# in flight are sent again, and every block reads back right.  (2) The
# subsystem goes away for good: after ctrl_loss_tmo (5 s) the controller
# is removed, its I/O fails with an error instead of hanging, its nodes
# are gone and the modules unload.
. tests/lib.sh
. tests/lib-tcp.sh

host() {
	lab_run_tcp
}

guest() {
	local ans c dev st=0

	tcp_target 128
	tcp_load_host
	ans=$(tcp_connect "nr_io_queues=2,reconnect_delay=1,ctrl_loss_tmo=60") ||
		fail "connect refused"
	c=$(tcp_ctrl_of "$ans")
	dev=$(ns_dev "$TCP_SERIAL" 1)

	fio_verify_start "$dev" across --direct=1 --rw=randwrite --bs=16k \
		--iodepth=16 --size=64M --loops=4
	sleep 3
	tcp_port_down
	sleep 4
	tcp_port_up
	fio_verify_end across "across the reconnect"
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/state)" live "state after the reconnect"
	fio_verify "$dev" after --rw=randrw --bs=4k --iodepth=8 --direct=1 --size=8M
	tcp_disconnect "$c"

	ans=$(tcp_connect "reconnect_delay=1,ctrl_loss_tmo=5") ||
		fail "second connect refused"
	c=$(tcp_ctrl_of "$ans")
	dev=$(ns_dev "$TCP_SERIAL" 1)
	EXPECT_TROUBLE=1	# the reset fails on purpose now
	tcp_port_down
	st=0
	timeout 120 dd if=/dev/zero of="$dev" bs=64k count=64 oflag=direct \
		2>/tmp/dd.err || st=$?
	cat /tmp/dd.err
	[ "$st" != 0 ] || fail "writes succeeded with the controller lost"
	[ "$st" != 124 ] || fail "writes hung with the controller lost"
	wait_for "[ ! -e /sys/class/$CLASS/$c ]" 60
	[ ! -e "$dev" ] || fail "$dev still there"
	tcp_unload_host
}

main "$@"
