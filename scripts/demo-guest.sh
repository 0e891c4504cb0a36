#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of make run.
set -euo pipefail

step() {
	printf '\n=== %s\n' "$*"
}

step "emulated NVMe controller"
lspci -nn -d ::0108 || true

step "insmod nvmx.ko"
insmod "$LAB_REPO/nvmx.ko"
for ((i = 0; i < 300; i++)); do
	[ "$(cat /sys/class/nvmx/nvmx0/state 2>/dev/null)" = live ] && break
	sleep 0.1
done
dmesg | grep 'nvmx nvmx' || true

step "/sys/class/nvmx/nvmx0"
for f in model serial firmware_rev cntlid state transport address; do
	printf '%-13s %s\n' "$f" "$(cat /sys/class/nvmx/nvmx0/$f)"
done
ls -l /dev/nvmx0

step "rmmod nvmx (CC.SHN shutdown)"
rmmod nvmx
dmesg | tail -n 3
