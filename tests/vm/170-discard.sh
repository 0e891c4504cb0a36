#!/bin/bash
# Discard (Dataset Management, deallocate) and Write Zeroes: the limits are
# advertised, discarded and zeroed ranges read back as zeroes (QEMU's
# namespaces report DLFEAT "deallocated blocks read as zeroes") while the
# data around them stays; fstrim (many ranges) and punch-hole on ext4 keep
# the file system clean and the files right.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-dsm --ns size=256M
}

zeroes() {	# dev offset length (MiB)
	cmp -n $(($3 << 20)) -i $(($2 << 20)):0 "$1" /dev/zero ||
		fail "$(($3))M at $(($2))M do not read as zeroes"
}

same() {	# dev offset length (MiB): equal to the pattern
	cmp -n $(($3 << 20)) -i $(($2 << 20)):$(($2 << 20)) "$1" /tmp/pat ||
		fail "$(($3))M at $(($2))M changed"
}

guest() {
	local dev q f

	load_driver
	dev=$(ns_dev nvmx-dsm 1)
	q=/sys/block/$(basename "$dev")/queue
	[ "$(cat $q/discard_max_bytes)" -gt 0 ] || fail "no discard support advertised"
	[ "$(cat $q/write_zeroes_max_bytes)" -gt 0 ] || fail "no write zeroes support advertised"
	echo "discard_max_bytes $(cat $q/discard_max_bytes), max_discard_segments $(cat $q/max_discard_segments), write_zeroes_max_bytes $(cat $q/write_zeroes_max_bytes)"

	head -c 16M /dev/urandom >/tmp/pat
	dd if=/tmp/pat of="$dev" bs=1M oflag=direct status=none
	blkdiscard -o 1M -l 2M "$dev" || fail "blkdiscard"
	blkdiscard -z -o 5M -l 3M "$dev" || fail "blkdiscard -z"
	blkdiscard -z -o 10M -l 1M "$dev" || fail "blkdiscard -z (unmap)"
	zeroes "$dev" 1 2
	zeroes "$dev" 5 3
	zeroes "$dev" 10 1
	same "$dev" 0 1
	same "$dev" 3 2
	same "$dev" 8 2
	same "$dev" 11 5
	echo "discard and write zeroes: zeroes inside, data outside"

	mkfs.ext4 -q -F -E nodiscard "$dev"
	mkdir -p /tmp/mnt
	mount "$dev" /tmp/mnt
	for f in $(seq 1 24); do
		dd if=/dev/urandom of=/tmp/mnt/f$f bs=1M count=2 conv=fsync status=none
	done
	rm /tmp/mnt/f2 /tmp/mnt/f4 /tmp/mnt/f7 /tmp/mnt/f11 /tmp/mnt/f13 /tmp/mnt/f20
	sha256sum /tmp/mnt/f1 /tmp/mnt/f3 /tmp/mnt/f24 >/tmp/sums
	sync
	fstrim -v /tmp/mnt | grep -E "[1-9][0-9]* bytes" || fail "fstrim trimmed nothing"
	cp /tmp/mnt/f5 /tmp/f5
	fallocate --punch-hole --offset 524288 --length 1048576 /tmp/mnt/f5
	sync
	echo 3 >/proc/sys/vm/drop_caches
	cmp -n 524288 /tmp/mnt/f5 /tmp/f5 || fail "punch-hole changed the head of the file"
	cmp -n 1048576 -i 524288:0 /tmp/mnt/f5 /dev/zero || fail "punched hole is not zeroes"
	cmp -i 1572864:1572864 /tmp/mnt/f5 /tmp/f5 || fail "punch-hole changed the tail of the file"
	sha256sum --quiet -c /tmp/sums || fail "files changed after fstrim"
	umount /tmp/mnt
	fsck.ext4 -f -n "$dev" >/dev/null || fail "fsck after fstrim"
	echo "fstrim, punch-hole and fsck clean"
}

main "$@"
