#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make run: boot the lab with emulated NVMe SSDs, load nvmx and show it
# working. The second controller has two namespaces: their shared tag set
# makes blk-mq call queue_rq one request at a time, the seed's own path.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/build/demo
rm -rf "$out"
mkdir -p "$out"
# hardened_usercopy=off: Debian 6.1's nvmet-tcp trips it on large loopback
# receives (the demo's NVMe/TCP part; tests/lib-tcp.sh says more)
scripts/lab.sh --out "$out" --timeout 900 --append hardened_usercopy=off \
	--nvme serial=nvmx-demo-0001 --ns size=256M \
	--nvme serial=nvmx-demo-0002 --ns size=32M --ns size=32M \
	-- scripts/demo-guest.sh
