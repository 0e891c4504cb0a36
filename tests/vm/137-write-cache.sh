#!/bin/bash
# The volatile write cache as the block layer sees it, against the in-tree
# driver of the same kernel in the same VM: "write back" with FUA on a
# controller with a cache; a user's "write through" written to sysfs; and
# what is left of it after a controller reset.  From 6.11 the write cache
# is a feature of the queue limits that a driver's update must not take
# from the user (6.12 keeps the user's choice; 6.1 drivers set the flag
# again on every revalidation): nvmx must do what the in-tree driver does.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-wc --ns size=64M
}

wc_states() {	# wc_states DRIVER: "step write_cache fua" lines
	local dev q c

	DRIVER=$1
	CLASS=$1
	load_driver
	dev=$(ns_dev nvmx-wc 1)
	c=$(ctrl_by_serial nvmx-wc)
	q=/sys/block/$(basename "$dev")/queue
	echo "loaded $(attr "$q/write_cache") $(attr "$q/fua")"
	echo "write through" >"$q/write_cache" || fail "$1: write through refused"
	echo "set $(attr "$q/write_cache") $(attr "$q/fua")"
	echo 1 >/sys/class/"$CLASS"/"$c"/reset_controller || fail "$1: reset_controller"
	wait_for "[ \"\$(attr /sys/class/$CLASS/$c/state)\" = live ]" 60
	# the in-tree driver revalidates its namespaces in a scan it queues
	# after the reset, which nobody can wait for from here: give it time
	# (nvmx has set the cache before it went live)
	sleep 5
	dev=$(ns_dev nvmx-wc 1)
	q=/sys/block/$(basename "$dev")/queue
	echo "reset $(attr "$q/write_cache") $(attr "$q/fua")"
	dd if=/dev/zero of="$dev" bs=4k count=16 oflag=direct,dsync status=none ||
		fail "$1: O_DSYNC write after the reset"
	unload_driver
}

guest() {
	nvmx_only
	wc_states nvme >/tmp/wc-nvme
	wc_states nvmx >/tmp/wc-nvmx
	cat /tmp/wc-nvmx
	expect_eq "$(head -n1 /tmp/wc-nvmx)" "loaded write back 1" "nvmx after load"
	grep -qx "set write through 1" /tmp/wc-nvmx ||
		fail "nvmx: the user's write through did not take"
	diff -u /tmp/wc-nvme /tmp/wc-nvmx || fail "write cache states differ from the in-tree driver's"
}

main "$@"
