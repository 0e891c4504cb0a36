#!/bin/bash
# The queue limits nvmx gives each namespace are the ones the in-tree
# driver of the same kernel gives it, on the same controller in the same
# VM: block sizes, I/O hints (NPWG/NOWS when NSFEAT says they are valid, a
# NOWS of 0 no hint), transfer, discard and write-zeroes limits, write
# cache, and max_segments at least the in-tree driver's.  Three namespaces: plain 512 B, 4 KiB blocks, and one with the
# min_io_size/opt_io_size/physical_block_size properties (QEMU 7.2 does
# not pass those on to Identify Namespace; the test shows that both
# drivers agree on what it does report).
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-limits --ns size=64M \
		--ns size=64M,lbs=4096 \
		--ns size=64M,physical_block_size=4096,min_io_size=8192,opt_io_size=65536
}

LIMITS="logical_block_size physical_block_size minimum_io_size optimal_io_size
	max_hw_sectors_kb max_sectors_kb discard_granularity discard_max_hw_bytes
	max_discard_segments write_zeroes_max_bytes write_cache fua dax
	rotational add_random zoned nr_zones chunk_sectors nr_requests io_poll
	virt_boundary_mask max_segment_size"

limits() {	# limits DRIVER: "nsid limit value" lines for each namespace
	local n dev l

	DRIVER=$1
	CLASS=$1
	load_driver
	for n in 1 2 3; do
		dev=$(ns_dev nvmx-limits "$n")
		for l in $LIMITS; do
			echo "$n $l $(cat /sys/block/"$(basename "$dev")"/queue/"$l")"
		done
		echo "$n max_segments $(cat /sys/block/"$(basename "$dev")"/queue/max_segments)" >&3
	done
	unload_driver
}

guest() {
	nvmx_only
	limits nvme >/tmp/limits-nvme.raw 3>/tmp/segs-nvme
	# 6.1's in-tree driver reads NOWS = 0 as an optimal size of one
	# block; 6.12's and nvmx read it as no hint (0).  QEMU 7.2 reports
	# NOWS = 0 for every namespace here: on 6.1, the in-tree one-block
	# value counts as 0.
	awk '$2 == "logical_block_size" { lbs[$1] = $3 }
	     $2 == "optimal_io_size" && $3 == lbs[$1] { $3 = 0 } { print }' \
		/tmp/limits-nvme.raw >/tmp/limits-nvme
	limits nvmx >/tmp/limits-nvmx 3>/tmp/segs-nvmx
	# nvmx allows 128 segments per request where the in-tree driver
	# allows 127: never fewer
	paste /tmp/segs-nvme /tmp/segs-nvmx | while read -r n _ a _ _ b; do
		[ "$b" -ge "$a" ] || fail "nsid $n: max_segments $b, the in-tree driver has $a"
	done
	cat /tmp/limits-nvmx
	diff -u /tmp/limits-nvme /tmp/limits-nvmx || fail "queue limits differ from the in-tree driver's"
	# QEMU 7.2 sets NSFEAT's optimal-performance bit with NPWG = NOWS = 0:
	# the hint path is taken for the minimum (one block), not for the
	# optimal size
	grep -qx '2 minimum_io_size 4096' /tmp/limits-nvmx || fail "minimum_io_size of nsid 2 is not one 4 KiB block"
	grep -qx '2 optimal_io_size 0' /tmp/limits-nvmx || fail "optimal_io_size of nsid 2 is not 0 (no hint) for NOWS = 0"
}

main "$@"
