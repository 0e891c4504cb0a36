#!/bin/bash
# NVMe/TCP beyond plain I/O, one connection with header and data digests:
# (1) ext4 (stable pages under the data digest): files written with
# fsync, umount, fsck clean, remount, every file intact; (2) a namespace
# enabled on the target, then disabled: the host learns of each from an
# asynchronous event and its rescan; (3) keep-alive loss: netem drops all
# traffic on lo for longer than KATO (5 s), the host notices, reconnects
# once traffic flows again, and a verify afterwards passes; (4) fio
# verify through netem delay and loss.
. tests/lib.sh
. tests/lib-tcp.sh

host() {
	LAB_TIMEOUT=600 lab_run_tcp
}

ext4_check() {
	local dev=$1 d f

	mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4"
	mkdir -p /tmp/mnt
	mount "$dev" /tmp/mnt || fail "mount"
	for d in 1 2 3; do
		mkdir -p /tmp/mnt/dir$d
		for f in 1 2 3 4 5 6; do
			head -c $((d * f * 7919)) /dev/urandom >/tmp/mnt/dir$d/file$f
			sync /tmp/mnt/dir$d/file$f
		done
	done
	dd if=/dev/urandom of=/tmp/mnt/big bs=1M count=16 conv=fsync status=none
	(cd /tmp/mnt && find . -type f -exec sha256sum {} + | sort -k2) >/tmp/sums
	umount /tmp/mnt
	fsck.ext4 -f -n "$dev" || fail "fsck found problems"
	mount "$dev" /tmp/mnt || fail "second mount"
	(cd /tmp/mnt && sha256sum --quiet -c /tmp/sums) || fail "files differ after remount"
	umount /tmp/mnt
	echo "ext4: $(wc -l </tmp/sums) files intact, fsck clean"
}

guest() {
	local ans c dev

	tcp_target 128
	tcp_load_host
	ans=$(tcp_connect "nr_io_queues=2,hdr_digest,data_digest,keep_alive_tmo=5,reconnect_delay=1,ctrl_loss_tmo=120") ||
		fail "connect refused"
	c=$(tcp_ctrl_of "$ans")
	dev=$(ns_dev "$TCP_SERIAL" 1)
	expect_eq "$(attr /sys/block/"${dev#/dev/}"/queue/stable_writes)" 1 \
		"stable_writes with a data digest"
	ext4_check "$dev"

	tcp_ns_add 2 /dev/ram1
	ns_dev "$TCP_SERIAL" 2 >/dev/null
	echo "namespace 2 appeared: $(ns_path "$c" 2)"
	fio_verify "$(ns_path "$c" 2)" ns2 --rw=randwrite --bs=8k --iodepth=4 \
		--direct=1 --size=4M
	tcp_ns_remove 2
	wait_for "! ns_path $c 2 >/dev/null" 60
	echo "namespace 2 gone"
	[ -e "$dev" ] || fail "namespace 1 went with namespace 2"

	EXPECT_TROUBLE=1	# the keep-alive times out on purpose
	tc qdisc add dev lo root netem loss 100% || fail "netem loss 100%"
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" != live ]" 30
	echo "keep-alive loss noticed: state $(attr /sys/class/"$CLASS"/"$c"/state)"
	sleep 3
	tc qdisc del dev lo root || fail "netem off"
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" = live ]" 90
	echo "reconnected"
	fio_verify "$dev" after-ka --rw=randrw --bs=16k --iodepth=8 --direct=1 \
		--size=8M

	tc qdisc add dev lo root netem delay 2ms loss 1% ||
		fail "netem delay and loss"
	fio_verify "$dev" netem --rw=randwrite --bs=64k --iodepth=8 --direct=1 \
		--size=8M
	tc qdisc del dev lo root || fail "netem off"
	tcp_disconnect "$c"
	tcp_unload_host
}

main "$@"
