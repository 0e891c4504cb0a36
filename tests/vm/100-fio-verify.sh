#!/bin/bash
# fio with crc32c verification over the matrix of issue 3: block sizes from
# 512 B to 1 MiB, rw / randrw / randwrite, queue depths 1 to 128, one job
# per CPU (on disjoint ranges), direct and buffered.  Each block size meets
# each pattern once; depth and direct/buffered rotate so that every value
# of each is covered with every pattern.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-fio --ns size=512M
}

guest() {
	local dev bs rw depth direct i=0 jobs size

	load_driver
	dev=$(ns_dev nvmx-fio 1)
	jobs=$(nproc)
	for bs in 512 4k 16k 128k 1M; do
		for rw in rw randrw randwrite; do
			depth=$(echo "1 16 128" | cut -d' ' -f$((i % 3 + 1)))
			direct=$(((i / 3 + i) % 2))
			case $bs in
			512) size=2M ;;
			4k|16k) size=8M ;;
			*) size=32M ;;
			esac
			fio_verify "$dev" "$rw-$bs-qd$depth-d$direct" --rw="$rw" \
				--bs="$bs" --iodepth="$depth" --direct="$direct" \
				--numjobs="$jobs" --size="$size" --offset_increment="$size"
			i=$((i + 1))
		done
	done
}

main "$@"
