#!/bin/bash
# udev: with nvmx's rules (udev/60-nvmx.rules) a namespace and its
# partition get the /dev/disk/by-id links that systemd's rules give the
# same namespace under the in-tree driver (compared with `udevadm test`,
# which runs the rules without a udev daemon).
. tests/lib.sh

host() {
	nvmx_only
	command -v udevadm >/dev/null || skip "udevadm is not installed"
	lab_run --nvme serial=nvmx-udev --ns size=64M
}

# by_id DEVICE: the by-id links udev would make for DEVICE, one per line
by_id() {
	udevadm test --action=add "/sys/class/block/$1" 2>/dev/null |
		sed -n 's/^DEVLINKS=//p' | tr ' ' '\n' | grep '^/dev/disk/by-id/' | sort
}

links() {	# links DRIVER: by-id links of the namespace and its partition
	local dev b

	DRIVER=$1 CLASS=$1
	load_driver
	dev=$(ns_dev nvmx-udev 1)
	b=$(basename "$dev")
	wait_for "[ -e /sys/class/block/${b}p1 ]" 30
	by_id "$b"
	by_id "${b}p1"
	unload_driver
}

guest() {
	local n

	# the repository's rules next to the system's, in a private copy
	mkdir -p /tmp/rules
	mount -t tmpfs tmpfs /tmp/rules
	cp -a /etc/udev/rules.d/. /tmp/rules/ 2>/dev/null || true
	cp "$LAB_REPO/udev/60-nvmx.rules" /tmp/rules/
	mount --bind /tmp/rules /etc/udev/rules.d

	# one partition, made once: both drivers see the same table
	DRIVER=nvme CLASS=nvme load_driver
	printf 'label: gpt\nstart=2048, size=8192\n' | sfdisk -q "$(DRIVER=nvme CLASS=nvme ns_dev nvmx-udev 1)" ||
		fail "sfdisk"
	DRIVER=nvme CLASS=nvme unload_driver

	links nvme >/tmp/links-nvme
	links nvmx >/tmp/links-nvmx
	cat /tmp/links-nvmx
	n=$(wc -l </tmp/links-nvmx)
	[ "$n" -ge 4 ] || fail "only $n by-id links for nvmx"
	diff -u /tmp/links-nvme /tmp/links-nvmx || fail "by-id links differ from the in-tree driver's"
}

main "$@"
