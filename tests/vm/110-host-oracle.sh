#!/bin/bash
# The host-side oracle: patterns written through the driver at known
# offsets (direct and buffered, aligned and not, up to the last sector and
# larger than MDTS) are compared byte for byte in the backing image on the
# host after the VM is off.
. tests/lib.sh

# offset:length pairs, in bytes
PATTERNS="0:4096 4096:512 1048064:1536 5242880:1048576 33554432:3145728 67104768:4096"

host() {
	local img=$TEST_OUT/oracle.img p off len

	rm -f "$img"
	lab_run --nvme serial=nvmx-oracle,mdts=4 --ns file="$img",size=64M || return
	for p in $PATTERNS; do
		off=${p%:*} len=${p#*:}
		cmp -n "$len" -i "$off:0" "$img" "$TEST_OUT/pattern-$off" ||
			fail "image differs from the pattern written at $off ($len bytes)"
	done
	echo "image matches all $(echo $PATTERNS | wc -w) patterns"
}

guest() {
	local dev p off len n=0 flag

	load_driver
	dev=$(ns_dev nvmx-oracle 1)
	for p in $PATTERNS; do
		off=${p%:*} len=${p#*:}
		head -c "$len" /dev/urandom >"$LAB_OUT/pattern-$off"
		# alternate O_DIRECT and buffered writes
		flag=$([ $((n % 2)) -eq 0 ] && echo oflag=direct || echo conv=fsync)
		dd if="$LAB_OUT/pattern-$off" of="$dev" bs=512 seek=$((off / 512)) \
			$flag status=none || fail "dd to $off"
		n=$((n + 1))
	done
	sync
	# read back through the driver too
	for p in $PATTERNS; do
		off=${p%:*} len=${p#*:}
		cmp -n "$len" -i "$off:0" "$dev" "$LAB_OUT/pattern-$off" ||
			fail "read back at $off differs"
	done
	unload_driver
}

main "$@"
