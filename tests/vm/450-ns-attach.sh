#!/bin/bash
# Namespaces come and go while the controller stays: detaching namespace 2
# (nvme detach-ns) raises a namespace-attribute event, the rescan removes
# its block device and leaves namespace 1 alone; attaching it again brings
# it back with its data. Its generic char device is held open across the
# removal and closed afterwards (on the debug kernel, a use-after-free of
# the namespace there is a KASAN report).
. tests/lib.sh

host() {
	lab_run --qemu-arg -device --qemu-arg nvme-subsys,id=ss0 \
		--nvme serial=nvmx-attach,subsys=ss0 --ns size=32M --ns size=32M
}

guest() {
	local c cntlid n1 n2 g2 gnew

	load_driver
	c=$(ctrl_by_serial nvmx-attach)
	cntlid=$(attr /sys/class/"$CLASS"/"$c"/cntlid)
	n1=$(ns_dev nvmx-attach 1)
	n2=$(ns_dev nvmx-attach 2)
	head -c 65536 /dev/urandom >/tmp/p1
	head -c 65536 /dev/urandom >/tmp/p2
	dd if=/tmp/p1 of="$n1" bs=64k oflag=direct status=none
	dd if=/tmp/p2 of="$n2" bs=64k oflag=direct status=none

	# the generic char device of namespace 2 stays open across its
	# removal and is closed only after the namespace is back: the file
	# keeps what it uses, and a new open of the old node fails cleanly
	g2=$(generic_dev "$c" 2)
	wait_for "[ -c $g2 ]" 30
	exec 3<"$g2" || fail "open $g2"
	nvme detach-ns /dev/"$c" -n 2 -c "$cntlid" || fail "detach-ns"
	wait_for "[ ! -e $n2 ]" 60
	[ -e "$n1" ] || fail "namespace 1 went away with namespace 2"
	if nvme id-ns /proc/self/fd/3 -n 2 >/dev/null 2>&1 && [ "$DRIVER" = nvmx ]; then
		fail "Identify through a reopened $g2 after its removal succeeded"
	fi
	dd if="$n1" of=/tmp/back bs=64k count=1 iflag=direct status=none
	cmp /tmp/p1 /tmp/back || fail "namespace 1 data after the detach"
	echo "detached: $n2 gone, $n1 intact"

	nvme attach-ns /dev/"$c" -n 2 -c "$cntlid" || fail "attach-ns"
	n2=$(ns_dev nvmx-attach 2)
	dd if="$n2" of=/tmp/back bs=64k count=1 iflag=direct status=none
	cmp /tmp/p2 /tmp/back || fail "namespace 2 data after attaching it again"
	# the in-tree driver names the namespace after its head, which the
	# open file keeps: the new one may have another instance number
	if [ "$DRIVER" = nvme ]; then gnew=/dev/ng${n2#/dev/nvme}; else gnew=$g2; fi
	wait_for "[ -c $gnew ]" 30
	nvme id-ns "$gnew" -n 2 >/dev/null ||
		fail "Identify through the new $gnew"
	exec 3<&-
	echo "attached again: $n2 with its data; the old $g2 closed after it"
	unload_driver
}

main "$@"
