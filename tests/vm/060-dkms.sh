#!/bin/bash
# Packaging: `make dkms-install` adds, builds and installs nvmx for the lab
# kernel with DKMS, and the guest then loads it by name with modprobe and
# drives a controller with it; `make install DESTDIR=...` stages the module
# and the udev rules.  `make dkms-remove` takes it all away again, on the
# way out whatever happened.
. tests/lib.sh

host() {
	local kver stage

	nvmx_only
	command -v dkms >/dev/null || skip "dkms is not installed"
	kver=$(scripts/kver.sh)
	stage=$TEST_OUT/stage
	rm -rf "$stage"
	make -s install DESTDIR="$stage" >"$TEST_OUT/install.log" 2>&1 ||
		{ cat "$TEST_OUT/install.log"; fail "make install DESTDIR=$stage"; }
	# compressed as the kernel's own modules are (6.12: nvmx.ko.xz)
	compgen -G "$stage/lib/modules/$kver/extra/nvmx.ko*" >/dev/null ||
		fail "make install: no extra/nvmx.ko"
	compgen -G "$stage/lib/modules/$kver/extra/nvmx-tcp.ko*" >/dev/null ||
		fail "make install: no extra/nvmx-tcp.ko"
	[ -x "$stage/usr/local/sbin/nvmx" ] || fail "make install: no nvmx tool"
	[ -f "$stage/lib/udev/rules.d/60-nvmx.rules" ] || fail "make install: no udev rules"

	trap 'make -s dkms-remove KVER='"$kver"' >/dev/null 2>&1 || true' EXIT
	make -s dkms-install KVER="$kver" >"$TEST_OUT/dkms.log" 2>&1 ||
		{ cat "$TEST_OUT/dkms.log"; fail "make dkms-install"; }
	dkms status nvmx | grep -q "installed" || fail "dkms status does not say installed"
	modinfo -k "$kver" -n nvmx | grep -q '/updates/dkms/nvmx.ko' ||
		fail "modinfo does not find the DKMS module"
	modinfo -k "$kver" -n nvmx-tcp | grep -q '/updates/dkms/nvmx-tcp.ko' ||
		fail "modinfo does not find the DKMS TCP module"
	lab_run --nvme serial=nvmx-dkms
	make -s dkms-remove KVER="$kver" >/dev/null 2>&1 || fail "make dkms-remove"
	trap - EXIT
	if modinfo -k "$kver" -n nvmx >/dev/null 2>&1; then
		fail "nvmx still installed after dkms-remove"
	fi
	[ ! -e /usr/src/nvmx-0.2 ] || fail "/usr/src/nvmx-0.2 left behind"
}

guest() {
	modprobe nvmx || fail "modprobe nvmx (the DKMS build)"
	modinfo -n nvmx | grep -q /updates/dkms/ || fail "modprobe did not take the DKMS module"
	wait_for all_live 60
	expect_eq "$(attr /sys/class/nvmx/"$(ctrl_by_serial nvmx-dkms)"/model)" "QEMU NVMe Ctrl" model
	# the TCP transport by name, on the core it needs
	modprobe nvmx-tcp || fail "modprobe nvmx-tcp (the DKMS build)"
	[ -c /dev/nvmx-fabrics ] || wait_for "[ -c /dev/nvmx-fabrics ]" 10
	modprobe -r nvmx-tcp || fail "modprobe -r nvmx-tcp"
	modprobe -r nvmx || fail "modprobe -r nvmx"
}

main "$@"
