#!/bin/bash
# NVMe/TCP between two machines: the target (nvmet-tcp on a ramdisk) in
# one guest, the host under test in another, joined by virtio-net NICs
# over a QEMU socket netdev, so every PDU crosses a real NIC driver.
# (1) Verified writes with header and data digests, 4 KiB (in-capsule)
# and 128 KiB (R2T, H2CData): every block reads back right, and the
# host's NIC counters show the data went out and came back on the wire.
# (2) A network partition in the middle of verified writes: the wire
# between the host's NIC and the target drops every frame (the NIC sits
# on a QEMU hub and keeps its carrier, as when a switch further along
# fails) until the host has noticed, by its keep-alive, and left the
# live state; then frames flow again, the host reconnects, the writes in
# flight are sent again, and every block reads back right.
. tests/lib.sh
. tests/lib-tcp.sh

TARGET_IP=10.77.0.1
HOST_IP=10.77.0.2

# nic_up ADDR: the guest's one NIC (eth0: no udev renames it), up with
# ADDR/24; prints its name
nic_up() {
	local nic

	modprobe virtio_net || fail "modprobe virtio_net"
	wait_for "[ -e /sys/class/net/eth0 ]" 30
	nic=eth0
	ip addr add "$1/24" dev "$nic" || fail "ip addr add $1 dev $nic"
	ip link set "$nic" up || fail "ip link set $nic up"
	ip link set lo up || fail "ip link set lo up"
	echo "$nic"
}

nic_bytes() {	# NIC rx|tx
	cat "/sys/class/net/$1/statistics/$2_bytes"
}

guest_target() {
	local nic

	nic=$(nic_up $TARGET_IP)
	TCP_ADDR=$TARGET_IP
	tcp_target 128
	: >"$LAB_OUT/ready"
	echo "target: listening on $TARGET_IP:$TCP_PORT ($nic)"
	# the host side says when the other guest is done
	wait_for "[ -e $LAB_OUT/stop ]" 1500
	echo "target: $nic received $(nic_bytes "$nic" rx) bytes, sent $(nic_bytes "$nic" tx)"
}

guest_host() {
	local nic ans c dev rx tx

	nic=$(nic_up $HOST_IP)
	TCP_ADDR=$TARGET_IP
	tcp_load_host
	ans=$(tcp_connect "nr_io_queues=2,hdr_digest,data_digest,keep_alive_tmo=5,reconnect_delay=1,ctrl_loss_tmo=120") ||
		fail "connect refused"
	c=$(tcp_ctrl_of "$ans")
	expect_eq "$(attr /sys/class/"$CLASS"/"$c"/address)" \
		"traddr=$TARGET_IP,trsvcid=$TCP_PORT,src_addr=$HOST_IP" "address"
	dev=$(ns_dev "$TCP_SERIAL" 1)

	rx=$(nic_bytes "$nic" rx) tx=$(nic_bytes "$nic" tx)
	fio_verify "$dev" capsule --rw=randwrite --bs=4k --iodepth=16 \
		--direct=1 --size=16M
	fio_verify "$dev" r2t --rw=randwrite --bs=128k --iodepth=8 \
		--direct=1 --size=48M --offset=16M
	rx=$(($(nic_bytes "$nic" rx) - rx)) tx=$(($(nic_bytes "$nic" tx) - tx))
	echo "host: $nic sent $tx bytes, received $rx"
	[ "$tx" -ge $((64 << 20)) ] || fail "64 MiB written but $nic sent only $tx bytes"
	[ "$rx" -ge $((64 << 20)) ] || fail "64 MiB read back but $nic received only $rx bytes"

	# nothing went wrong before the fault, which is expected to
	! nvmx_complaints || fail "nvmx reported problems before the partition"
	EXPECT_TROUBLE=1	# the keep-alive times out on purpose
	fio_verify_start "$dev" partition --direct=1 --rw=randwrite --bs=16k \
		--iodepth=16 --size=32M --loops=3
	sleep 3
	kill -0 "$FIO_PID" 2>/dev/null || fail "fio ended before the partition"
	host_hmp "set_link wire off" >/dev/null
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" != live ]" 90
	echo "host: $c noticed the partition: $(attr /sys/class/"$CLASS"/"$c"/state)"
	host_hmp "set_link wire on" >/dev/null
	fio_verify_end partition "across the partition"
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" = live ]" 60
	fio_verify "$dev" after --rw=randrw --bs=8k --iodepth=8 --direct=1 --size=8M

	tcp_disconnect "$c"
	tcp_unload_host
}

guest() {
	case ${1:-} in
	target) guest_target ;;
	host) guest_host ;;
	*) fail "guest role '${1:-}'" ;;
	esac
}

# a free TCP port on the host's loopback for the socket netdev
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# two_guests: boot the target guest, listening on the socket netdev, wait
# until its subsystem is on its port, then boot the host guest, connected
# to it; when that one is done, tell the target to finish, and print its
# log.  Returns the host guest's status, else the target's.  The host
# guest's NIC reaches the wire ("wire", which its test takes down and up)
# through a hub, so that the NIC keeps its carrier meanwhile.
two_guests() {
	local t=$TEST_OUT/target h=$TEST_OUT/host port tpid tst=0 hst=0 i

	rm -rf "$t" "$h"
	mkdir -p "$t" "$h"
	port=$(free_port) || fail "no free port"
	scripts/lab.sh --out "$t" --timeout 1800 --smp 1 --mem 1024 \
		--append hardened_usercopy=off \
		--qemu-arg -netdev --qemu-arg "socket,id=net0,listen=127.0.0.1:$port" \
		--qemu-arg -device --qemu-arg "virtio-net-pci,netdev=net0,mac=52:54:00:77:00:01" \
		-- "$TEST_FILE" guest "$DRIVER" target >"$TEST_OUT/target.log" 2>&1 &
	tpid=$!
	# the target's VM goes with this script, however it ends
	trap 'kill $tpid 2>/dev/null; wait $tpid 2>/dev/null' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	for ((i = 0; i < 600; i++)); do
		if [ -e "$t/ready" ] || ! kill -0 $tpid 2>/dev/null; then break; fi
		sleep 0.5
	done
	if [ ! -e "$t/ready" ]; then
		kill $tpid 2>/dev/null || true
		wait $tpid || tst=$?
		trap - EXIT INT TERM
		sed 's/^/target: /' "$TEST_OUT/target.log"
		[ "$tst" != 0 ] || tst=1
		return "$tst"
	fi
	scripts/lab.sh --out "$h" --timeout 1200 \
		--append hardened_usercopy=off \
		--qemu-arg -netdev --qemu-arg "socket,id=wire,connect=127.0.0.1:$port" \
		--qemu-arg -netdev --qemu-arg "hubport,id=hub0,hubid=0,netdev=wire" \
		--qemu-arg -netdev --qemu-arg "hubport,id=net0,hubid=0" \
		--qemu-arg -device --qemu-arg "virtio-net-pci,netdev=net0,mac=52:54:00:77:00:02" \
		-- "$TEST_FILE" guest "$DRIVER" host || hst=$?
	: >"$t/stop"
	wait $tpid || tst=$?
	trap - EXIT INT TERM
	sed 's/^/target: /' "$TEST_OUT/target.log"
	[ "$hst" = 0 ] || return "$hst"
	return "$tst"
}

host() {
	local st=0

	two_guests || st=$?
	if [ $st = 127 ]; then
		echo "two_guests: a guest froze or died booting; running the test once more"
		st=0
		two_guests || st=$?
	fi
	return $st
}

main "$@"
