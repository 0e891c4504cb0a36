#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build (once) and install the lab's debug kernel; print
# its release.
#
# Built from Debian's linux-source-6.1 with x86_64_defconfig, kvm_guest.config
# and the fragment below: KASAN, lockdep, atomic-sleep checks, kmemleak, DMA
# API debugging, UBSAN and fault injection (failslab, fail_page_alloc), with
# virtio-9p built in (the lab's root), nvme, nvme-tcp, nvmet-tcp and brd as
# modules (the in-tree drivers, for comparison, and a target), libcrc32c
# (nvmx-tcp's digests) and netem (the TCP tests' delay and loss), and
# without what a serial-console VM never uses (graphics, sound, USB, HID,
# wireless, Ethernet, netfilter, NFS, FAT, ISO 9660): a third fewer files
# to build. The tree is cached under $NVMX_DEBUG_CACHE
# (default /var/cache/nvmx) by the hash of the configuration fragment and
# the source tarball, so it is built once per machine (20 minutes on 2
# cores measured with VM tests running beside it).
# The image goes to /boot/vmlinuz-<release>, the modules to
# /lib/modules/<release> with its build link, where lab.sh (KVER=<release>)
# and kbuild (make KVER=<release>) find them.
set -euo pipefail

cache=${NVMX_DEBUG_CACHE:-/var/cache/nvmx}
tarball=$(ls /usr/src/linux-source-6.1*.tar.xz 2>/dev/null | head -n1)
[ -n "$tarball" ] || { echo "debug-kernel: no /usr/src/linux-source-6.1*.tar.xz (make setup)" >&2; exit 1; }

fragment='
CONFIG_LOCALVERSION="-nvmxdebug"
# CONFIG_LOCALVERSION_AUTO is not set
CONFIG_DEBUG_INFO_NONE=y
# CONFIG_MODULE_SIG is not set
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_PVH=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_VIRTIO_PCI=y
CONFIG_NET_9P=y
CONFIG_NET_9P_VIRTIO=y
CONFIG_9P_FS=y
CONFIG_9P_FS_POSIX_ACL=y
CONFIG_BLK_DEV_NVME=m
CONFIG_NVME_HWMON=y
CONFIG_HWMON=y
CONFIG_EXT4_FS=y
CONFIG_IO_URING=y
CONFIG_HOTPLUG_PCI=y
CONFIG_HOTPLUG_PCI_PCIE=y
CONFIG_HOTPLUG_PCI_ACPI=y
CONFIG_IOMMU_SUPPORT=y
CONFIG_INTEL_IOMMU=y
CONFIG_MAGIC_SYSRQ=y
CONFIG_DEBUG_FS=y
CONFIG_FTRACE=y
CONFIG_BLK_DEV_IO_TRACE=y
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_PROVE_LOCKING=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=40000
CONFIG_DMA_API_DEBUG=y
CONFIG_UBSAN=y
CONFIG_UBSAN_BOUNDS=y
CONFIG_FAULT_INJECTION=y
CONFIG_FAILSLAB=y
CONFIG_FAIL_PAGE_ALLOC=y
CONFIG_FAULT_INJECTION_DEBUG_FS=y
CONFIG_KUNIT=y
CONFIG_DETECT_HUNG_TASK=y
CONFIG_SOFTLOCKUP_DETECTOR=y
CONFIG_CONFIGFS_FS=y
CONFIG_BLK_DEV_RAM=m
CONFIG_NVME_TCP=m
CONFIG_NVME_TARGET=m
CONFIG_NVME_TARGET_TCP=m
CONFIG_LIBCRC32C=m
CONFIG_NET_SCHED=y
CONFIG_NET_SCH_NETEM=m
# CONFIG_DRM is not set
# CONFIG_AGP is not set
# CONFIG_SOUND is not set
# CONFIG_USB_SUPPORT is not set
# CONFIG_HID is not set
# CONFIG_WLAN is not set
# CONFIG_WIRELESS is not set
# CONFIG_CFG80211 is not set
# CONFIG_RFKILL is not set
# CONFIG_ETHERNET is not set
# CONFIG_NETFILTER is not set
# CONFIG_NETLABEL is not set
# CONFIG_NFS_FS is not set
# CONFIG_ISO9660_FS is not set
# CONFIG_MSDOS_FS is not set
# CONFIG_VFAT_FS is not set
# CONFIG_PCCARD is not set
# CONFIG_HIBERNATION is not set
# CONFIG_SECURITY_SELINUX is not set
# CONFIG_AUDIT is not set
# CONFIG_INPUT_MOUSE is not set
# CONFIG_INPUT_JOYSTICK is not set
# CONFIG_INPUT_TABLET is not set
# CONFIG_INPUT_TOUCHSCREEN is not set
'

key=$( { echo "$fragment"; echo "$tarball"; stat -c %s "$tarball"; } | sha256sum | cut -c1-12)
dir=$cache/debug-kernel-$key
src=$dir/src

if [ ! -e "$dir/built" ]; then
	echo "debug-kernel: building in $dir (once; 15 to 20 minutes on 2 cores)" >&2
	rm -rf "$dir"
	mkdir -p "$src"
	tar -C "$src" --strip-components=1 -xJf "$tarball"
	printf '%s\n' "$fragment" >"$dir/debug.config"
	make -s -C "$src" x86_64_defconfig >/dev/null
	(cd "$src" && scripts/kconfig/merge_config.sh -m .config \
		kernel/configs/kvm_guest.config "$dir/debug.config" >/dev/null)
	make -s -C "$src" olddefconfig >/dev/null
	# Every fragment option must have survived olddefconfig, set or unset.
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF "$line" "$src/.config" || { echo "debug-kernel: config lost $line" >&2; bad=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" "$src/.config" || { echo "debug-kernel: config kept $opt" >&2; bad=1; } ;;
		esac
	done <<<"$fragment"
	[ $bad = 0 ] || exit 1
	make -s -C "$src" -j"$(nproc)" bzImage modules
	touch "$dir/built"
	find "$cache" -maxdepth 1 -name 'debug-kernel-*' ! -name "${dir##*/}" -exec rm -rf {} +
fi

release=$(make -s -C "$src" kernelrelease)
if [ ! -e "/lib/modules/$release/.nvmx-$key" ] || [ ! -e "/boot/vmlinuz-$release" ]; then
	rm -rf "/lib/modules/$release"
	make -s -C "$src" INSTALL_MOD_PATH=/ modules_install >/dev/null
	ln -sfn "$src" "/lib/modules/$release/build"
	install -m 644 "$src/arch/x86/boot/bzImage" "/boot/vmlinuz-$release"
	install -m 644 "$src/.config" "/boot/config-$release"
	touch "/lib/modules/$release/.nvmx-$key"
fi
echo "$release"
