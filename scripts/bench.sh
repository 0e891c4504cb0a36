#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: nvmx against the in-tree nvme driver in one VM, on two
# identical emulated controllers with null-co backends; see docs/bench.md.
# Results: build/bench/results.{json,md,png}.  BENCH_PAIRS (5), BENCH_RUNTIME
# (seconds per run, 4) and BENCH_ONLY (a regular expression: only the points
# whose names match) go to the guest as arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/build/bench
mkdir -p "$out"
smp=${BENCH_SMP:-2}
ctrl="max_ioqpairs=8,msix_qsize=9"
# hardened_usercopy=off: Debian 6.1's nvmet-tcp trips it on large
# loopback receives (see tests/lib-tcp.sh)
scripts/lab.sh --out "$out/run" --timeout "${BENCH_TIMEOUT:-5400}" --smp "$smp" --mem 2048 \
	--append hardened_usercopy=off \
	--nvme "serial=bench-in-tree,$ctrl" --ns null,size=16G \
	--nvme "serial=bench-nvmx,$ctrl" --ns null,size=16G \
	-- scripts/bench-guest.sh "${BENCH_PAIRS:-5}" "${BENCH_RUNTIME:-4}" "${BENCH_ONLY:-}"
tools/bench-report "$out/run/raw" "$out" --smp "$smp"
