#!/bin/bash
# A controller whose driver_override names the in-tree driver is left
# alone: nvmx binds only the other one, and the in-tree driver keeps
# serving its controller through nvmx's load and unload.
. tests/lib.sh

host() {
	nvmx_only
	lab_run --nvme serial=nvmx-ours --nvme serial=nvme-theirs
}

pci_of_serial_after() {	# $1 class, $2 serial
	local c

	for c in /sys/class/"$1"/*; do
		if [ "$(cat "$c/serial")" = "$2" ]; then
			basename "$(readlink -f "$c/device")"
			return 0
		fi
	done
	return 1
}

guest() {
	local fns a b

	fns=($(driver_pci_functions))
	[ ${#fns[@]} -eq 2 ] || fail "expected 2 NVMe functions, found ${#fns[*]}"
	a=${fns[0]} b=${fns[1]}
	echo nvmx >/sys/bus/pci/devices/$a/driver_override
	echo nvme >/sys/bus/pci/devices/$b/driver_override
	modprobe nvme
	wait_for "[ \"\$(cat /sys/class/nvme/nvme*/state 2>/dev/null)\" = live ]" 60
	theirs=$(attr /sys/class/nvme/nvme0/serial)

	load_driver
	expect_eq "$(basename "$(readlink /sys/bus/pci/devices/$a/driver)")" nvmx "driver of $a"
	expect_eq "$(basename "$(readlink /sys/bus/pci/devices/$b/driver)")" nvme "driver of $b"
	expect_eq "$(ls /sys/class/nvmx | wc -l)" 1 "nvmx controllers"
	[ "$(cat /sys/class/nvmx/nvmx0/serial)" != "$theirs" ] || fail "nvmx took the in-tree driver's controller"

	unload_driver
	expect_eq "$(basename "$(readlink /sys/bus/pci/devices/$b/driver)")" nvme "driver of $b after rmmod nvmx"
	expect_eq "$(cat /sys/class/nvme/nvme*/state)" live "in-tree controller state"
	dmesg | grep -q "nvmx.*$b" && fail "nvmx logged about $b"
	echo "nvmx left $b ($theirs) to nvme"
}

main "$@"
