#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest half of make profile (scripts/profile.sh): the first controller to
# the in-tree driver, the second to nvmx, both with one poll queue; a
# 4 KiB random read at QD1 through io_uring, with and without --hipri,
# under perf record -a.  One line per run; symbol reports in $LAB_OUT.
set -euo pipefail
cd "$LAB_REPO"
. tests/lib.sh
# the build for the running kernel (KVER=... make: build/module-<release>/)
NVMX_KO=$(nvmx_ko)
RUNTIME=${1:-6}
cpus=$(nproc)
fns=($(DRIVER=nvme driver_pci_functions))
[ ${#fns[@]} -eq 2 ] || fail "expected 2 NVMe functions, found ${#fns[*]}"
modprobe nvme_core multipath=N
echo nvme >/sys/bus/pci/devices/"${fns[0]}"/driver_override
echo nvmx >/sys/bus/pci/devices/"${fns[1]}"/driver_override
modprobe nvme poll_queues=1 io_queue_depth=1024
insmod "$NVMX_KO" poll_queues=1 io_queue_depth=1024
wait_for "[ -b /dev/nvme0n1 ] && [ -b /dev/nvmx0n1 ]" 60
for d in nvme nvmx; do echo none >/sys/block/${d}0n1/queue/scheduler; done
echo "clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource), cpuidle driver $(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo none)"

for mode in irq polled; do
	for d in nvme nvmx; do
		hipri=0
		[ $mode = polled ] && hipri=1
		perf record -q -a -F 2000 -e cpu-clock -o /tmp/perf.data -- \
			fio --name=profile --filename=/dev/${d}0n1 --direct=1 \
			--ioengine=io_uring --hipri=$hipri --rw=randread --bs=4k \
			--iodepth=1 --time_based --runtime="$RUNTIME" \
			--output-format=terse --terse-version=3 \
			--output=/tmp/fio.txt >/dev/null 2>&1
		perf report -q -i /tmp/perf.data --sort sym --stdio \
			>"$LAB_OUT/$mode-$d.txt" 2>/dev/null
		# terse v3: field 8 is the read IOPS
		awk -F';' -v m=$mode -v d=$d -v t="$RUNTIME" -v cpus="$cpus" 'NR == FNR { iops = $8; next }
			{ split($0, f, " "); p = f[1]; sub("%", "", p) }
			f[3] ~ "^" d "_" { drv += p }
			f[3] ~ /^(native_safe_halt|default_idle|do_idle|poll_idle)$/ { idle += p }
			END { ios = iops * t
			      printf "%s %s: %d IOPS, samples in %s_*: %.2f%% (%.1f us per I/O), idle %.1f%%\n",
				     m, d, iops, d, drv, ios ? drv / 100 * cpus * t / ios * 1e6 : 0, idle }' \
			/tmp/fio.txt "$LAB_OUT/$mode-$d.txt"
	done
done
