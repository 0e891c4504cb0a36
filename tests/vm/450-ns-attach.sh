#!/bin/bash
# Namespaces come and go while the controller stays: detaching namespace 2
# (nvme detach-ns) raises a namespace-attribute event, the rescan removes
# its block device and leaves namespace 1 alone; attaching it again brings
# it back with its data.
. tests/lib.sh

host() {
	lab_run --qemu-arg -device --qemu-arg nvme-subsys,id=ss0 \
		--nvme serial=nvmx-attach,subsys=ss0 --ns size=32M --ns size=32M
}

guest() {
	local c cntlid n1 n2

	load_driver
	c=$(ctrl_by_serial nvmx-attach)
	cntlid=$(attr /sys/class/"$CLASS"/"$c"/cntlid)
	n1=$(ns_dev nvmx-attach 1)
	n2=$(ns_dev nvmx-attach 2)
	head -c 65536 /dev/urandom >/tmp/p1
	head -c 65536 /dev/urandom >/tmp/p2
	dd if=/tmp/p1 of="$n1" bs=64k oflag=direct status=none
	dd if=/tmp/p2 of="$n2" bs=64k oflag=direct status=none

	nvme detach-ns /dev/"$c" -n 2 -c "$cntlid" || fail "detach-ns"
	wait_for "[ ! -e $n2 ]" 60
	[ -e "$n1" ] || fail "namespace 1 went away with namespace 2"
	dd if="$n1" of=/tmp/back bs=64k count=1 iflag=direct status=none
	cmp /tmp/p1 /tmp/back || fail "namespace 1 data after the detach"
	echo "detached: $n2 gone, $n1 intact"

	nvme attach-ns /dev/"$c" -n 2 -c "$cntlid" || fail "attach-ns"
	n2=$(ns_dev nvmx-attach 2)
	dd if="$n2" of=/tmp/back bs=64k count=1 iflag=direct status=none
	cmp /tmp/p2 /tmp/back || fail "namespace 2 data after attaching it again"
	echo "attached again: $n2 with its data"
	unload_driver
}

main "$@"
