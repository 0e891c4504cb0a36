#!/bin/bash
# ext4 on the namespace: mkfs, mount, a tree of files written with fsync,
# umount, fsck -f clean, mount again and every file reads back intact.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-ext4 --ns size=256M
}

guest() {
	local dev d f

	load_driver
	dev=$(ns_dev nvmx-ext4 1)
	mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4"
	mkdir -p /tmp/mnt
	mount "$dev" /tmp/mnt || fail "mount"
	for d in 1 2 3 4 5; do
		mkdir -p /tmp/mnt/dir$d/sub
		for f in 1 2 3 4 5 6 7 8; do
			head -c $((d * f * 7919)) /dev/urandom >/tmp/mnt/dir$d/sub/file$f
			sync /tmp/mnt/dir$d/sub/file$f
		done
	done
	dd if=/dev/urandom of=/tmp/mnt/big bs=1M count=24 conv=fsync status=none
	(cd /tmp/mnt && find . -type f -exec sha256sum {} + | sort -k2) >/tmp/sums
	umount /tmp/mnt
	fsck.ext4 -f -n "$dev" || fail "fsck found problems"
	mount "$dev" /tmp/mnt || fail "second mount"
	(cd /tmp/mnt && sha256sum --quiet -c /tmp/sums) || fail "files differ after remount"
	umount /tmp/mnt
	echo "$(wc -l </tmp/sums) files intact, fsck clean"
}

main "$@"
