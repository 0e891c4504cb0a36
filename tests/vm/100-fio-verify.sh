#!/bin/bash
# fio with crc32c verification over the matrix of issue 3: block sizes from
# 512 B to 1 MiB, rw / randrw / randwrite, queue depths 1 to 128, one job
# per CPU (on disjoint ranges), direct and buffered.  Each block size meets
# each pattern once; depth and direct/buffered rotate so that every value
# of each is covered with every pattern.  The data mapping rotates too:
# sgl_threshold 0 (PRPs only), 1 (SGLs for everything) and the default
# (SGLs when the average segment has 32 KiB; fio's page-sized segments take
# PRPs) each meet every block size; for nvmx its count of SGL commands
# shows which one was used.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-fio --ns size=512M
}

sgl_cmds() {
	[ "$DRIVER" = nvmx ] || { echo 0; return; }
	awk 'NR > 1 && $1 > 0 { n += $21 } END { print n + 0 }' /sys/kernel/debug/nvmx/nvmx0/queues
}

guest() {
	local dev bs rw depth direct i=0 jobs size sgl before after lists
	local param=/sys/module/$DRIVER/parameters/sgl_threshold

	load_driver
	dev=$(ns_dev nvmx-fio 1)
	jobs=$(nproc)
	for bs in 512 4k 16k 128k 1M; do
		for rw in rw randrw randwrite; do
			depth=$(echo "1 16 128" | cut -d' ' -f$((i % 3 + 1)))
			direct=$(((i / 3 + i) % 2))
			sgl=$(echo "0 1 32768" | cut -d' ' -f$(((i / 3 + i) % 3 + 1)))
			echo "$sgl" >"$param"
			before=$(sgl_cmds)
			case $bs in
			512) size=2M ;;
			4k|16k) size=8M ;;
			*) size=32M ;;
			esac
			fio_verify "$dev" "$rw-$bs-qd$depth-d$direct" --rw="$rw" \
				--bs="$bs" --iodepth="$depth" --direct="$direct" \
				--numjobs="$jobs" --size="$size" --offset_increment="$size" \
				--description="sgl_threshold=$sgl"
			after=$(sgl_cmds)
			if [ "$DRIVER" = nvmx ] && [ "$sgl" = 0 ] && [ "$after" != "$before" ]; then
				fail "$((after - before)) SGL commands with sgl_threshold=0"
			fi
			if [ "$DRIVER" = nvmx ] && [ "$sgl" = 1 ] && [ "$after" = "$before" ]; then
				fail "no SGL command with sgl_threshold=1"
			fi
			i=$((i + 1))
		done
	done
	if [ "$DRIVER" = nvmx ]; then
		# libaio submits under a plug: those lists came through queue_rqs
		lists=$(awk 'NR > 1 && $1 > 0 { n += $22 } END { print n + 0 }' /sys/kernel/debug/nvmx/nvmx0/queues)
		echo "plug lists written by queue_rqs: $lists"
		[ "$lists" -gt 0 ] || fail "queue_rqs was never used"
	fi
}

main "$@"
