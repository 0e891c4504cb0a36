#!/bin/bash
# The data path behind an emulated Intel IOMMU (intel_iommu=on
# iommu.strict=1: every unmap is flushed at once, so a DMA to a buffer the
# driver no longer maps, or never mapped, is a DMAR fault, which fails the
# run): fio verifies 512 B to 1 MiB transfers with PRPs, PRP lists and
# (nvmx) SGLs, passthrough reads and writes through nvme-cli and io_uring
# land where the block device sees them; on nvmx, resets under fio whose
# controller disable is not confirmed (fault hook ignore_disable) stop the
# controller's DMA before its requests are cancelled, and a removal whose
# shutdown is not confirmed stops it before the rings are freed (an event
# completed afterwards would be a DMAR fault). make check-iommu runs more
# of the suite this way.
. tests/lib.sh

host() {
	LAB_IOMMU=1 lab_run --nvme serial=nvmx-iommu,mdts=4 --ns size=64M
}

guest() {
	local c n fn g t

	load_driver
	n=$(ns_dev nvmx-iommu 1)
	c=$(ctrl_by_serial nvmx-iommu)
	fn=$(basename "$(readlink -f /sys/class/"$CLASS"/"$c"/device)")
	[ -e /sys/bus/pci/devices/"$fn"/iommu_group ] || fail "$fn is not behind the IOMMU"
	dmesg | grep -q "DMAR: IOMMU enabled" ||
		fail "the IOMMU is not enabled"

	for t in 0 1 32768; do
		if [ "$DRIVER" = nvmx ]; then
			echo $t >/sys/module/nvmx/parameters/sgl_threshold
		elif [ $t != 32768 ]; then
			continue
		fi
		fio_verify "$n" "iommu-sgl$t" --rw=randwrite --bsrange=512-1M \
			--iodepth=16 --direct=1 --size=16M --offset=$((t % 3 * 16))M
	done

	head -c 8192 /dev/urandom >/tmp/data
	nvme write "$n" -s 64 -c 15 -z 8192 -d /tmp/data >/dev/null || fail "nvme write"
	nvme read "$n" -s 64 -c 15 -z 8192 -d /tmp/back >/dev/null || fail "nvme read"
	cmp /tmp/data /tmp/back || fail "passthrough read back other data"
	g=$(generic_dev "$c" 1)
	wait_for "[ -c $g ]" 30
	fio_verify "$g" iommu-uring --ioengine=io_uring_cmd --cmd_type=nvme \
		--rw=randwrite --bsrange=4k-64k --iodepth=8 --size=8M --offset=48M

	# nvmx: resets whose disable the controller does not confirm (the
	# fault hook skips it, as if CSTS.RDY never dropped) under I/O. Bus
	# mastering goes off before the requests are cancelled and their
	# buffers unmapped, and back on only once a real disable is seen, so
	# the controller reaches none of them: no DMAR fault, every block
	# verified.
	if [ "$DRIVER" = nvmx ]; then
		local f=/sys/kernel/debug/nvmx/$c/fault fio_pid i

		fio_verify "$n" iommu-stuck --rw=randwrite --bs=4k --iodepth=32 \
			--size=8M --offset=56M --verify_backlog=128 --loops=2 &
		fio_pid=$!
		for ((i = 0; i < 3; i++)); do
			sleep 1
			echo 1 >"$f/ignore_disable"
			echo 1 >/sys/class/nvmx/"$c"/reset_controller ||
				fail "reset $i after an ignored disable"
		done
		wait $fio_pid || fail "fio across resets with ignored disables"
		expect_eq "$(cat "$f/ignore_disable")" 0 "disables still to ignore"
		dmesg | grep -q "nvmx.*controller did not confirm it stopped (CSTS 0x1): bus mastering off" ||
			fail "no log line for the disable that was not confirmed"
		echo "3 resets with unconfirmed disables under fio: no DMAR fault, data verified"

		# Removal whose shutdown is not confirmed: the rings are freed
		# only after bus mastering is off. The Asynchronous Event
		# Request still outstanding then completes (a SMART warning
		# raised from the monitor) into what was the admin CQ: a DMAR
		# fault if the controller could still write there.
		echo 1 >"$f/ignore_disable"
		echo "$fn" >/sys/bus/pci/drivers/nvmx/unbind
		wait_for "[ ! -e /sys/class/nvmx/$c ]" 60
		host_hmp "qom-set /machine/peripheral/nvme0 smart_critical_warning 4" >/dev/null
		sleep 2
		host_hmp "qom-set /machine/peripheral/nvme0 smart_critical_warning 0" >/dev/null
		dmesg | grep -q "nvmx.*controller did not confirm it stopped (CSTS 0x1): bus mastering off" ||
			fail "no log line for the unconfirmed shutdown"
		echo "removed with an unconfirmed shutdown, then an event completed: no DMAR fault"
	fi
	unload_driver
}

main "$@"
