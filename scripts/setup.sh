#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install everything nvmx needs to build, lint and run its lab, when missing:
# Debian 12's 6.1 kernel and its 6.12 LTS kernel (the +deb12 backport), each
# with its headers.
# Idempotent; returns quickly when every package is already present.
set -euo pipefail

pkgs=(
	build-essential bc bison flex libelf-dev libssl-dev kmod
	qemu-system-x86 qemu-utils
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	busybox-static cpio fio nvme-cli e2fsprogs util-linux
	sparse pciutils xz-utils gnuplot-nox python3 bsdextrautils
	lm-sensors dkms fdisk iproute2
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# checkpatch.pl and its data files come from the linux-source tarball.
cp_dir=/usr/local/share/nvmx/checkpatch
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.1*.tar.xz | head -n1)
	top=$(basename "$tarball" .tar.xz)
	mkdir -p "$cp_dir"
	tar -C "$cp_dir" --strip-components=1 -xJf "$tarball" \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
fi
exit 0
