#!/bin/bash
# Two controllers are identified with the model, serial and firmware the
# emulated device reports, in sysfs and in the kernel log; each has its
# controller character device.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-id-a --nvme serial=nvmx-id-b
}

guest() {
	local s c

	load_driver
	for s in nvmx-id-a nvmx-id-b; do
		c=$(ctrl_by_serial "$s")
		expect_eq "$(attr /sys/class/"$CLASS"/"$c"/model)" "QEMU NVMe Ctrl" "$c model"
		fw=$(attr /sys/class/"$CLASS"/"$c"/firmware_rev)
		[ -n "$fw" ] || fail "$c: empty firmware_rev"
		[ -c /dev/"$c" ] || fail "/dev/$c is not a character device"
		if [ "$DRIVER" = nvmx ]; then
			dmesg | grep -q "nvmx $c: QEMU NVMe Ctrl, serial $s, firmware $fw, NVMe 1.4" ||
				fail "no identify line for $c in the kernel log"
		fi
		echo "$c: model QEMU NVMe Ctrl, serial $s, firmware $fw"
	done
}

main "$@"
