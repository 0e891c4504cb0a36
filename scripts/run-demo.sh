#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make run: boot the lab with an emulated NVMe SSD, load nvmx and show it
# working.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/build/demo
rm -rf "$out"
mkdir -p "$out"
scripts/lab.sh --out "$out" --timeout 600 \
	--nvme serial=nvmx-demo-0001 --ns size=256M \
	-- scripts/demo-guest.sh
