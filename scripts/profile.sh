#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make profile: where the guest's CPU time goes during a QD1 random read,
# interrupt-driven and polled, on the in-tree driver and on nvmx, in one VM
# with the two null-co controllers of make bench.  perf samples every CPU
# of the guest (cpu-clock: TCG has no PMU); per run the report gives the
# share of samples in the driver's own functions and in the idle loop, and
# build/profile/run/ keeps the full symbol reports.  See docs/bench.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/build/profile
mkdir -p "$out"
ctrl="max_ioqpairs=8,msix_qsize=9"
scripts/lab.sh --out "$out/run" --timeout "${PROFILE_TIMEOUT:-900}" --smp 2 --mem 2048 \
	--nvme "serial=bench-in-tree,$ctrl" --ns null,size=16G \
	--nvme "serial=bench-nvmx,$ctrl" --ns null,size=16G \
	-- scripts/profile-guest.sh "${PROFILE_RUNTIME:-6}"
