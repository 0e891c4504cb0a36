#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make cost: the instructions each driver executes per I/O, counted
# exactly by a QEMU TCG plugin (tools/cost/insn-plugin.c) in VMs that run
# both drivers; see docs/cost.md.  Results: build/cost/results.{json,
# md,png}.  COST_IOS (N, 4000), COST_ROUNDS (3) and COST_ONLY (a regular
# expression: only the points whose names match) go to the guest; the
# points are tools/cost/points.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/build/cost
mkdir -p "$out"
KVER=$(scripts/kver.sh)
export KVER
N=${COST_IOS:-4000}
ROUNDS=${COST_ROUNDS:-3}
ONLY=${COST_ONLY:-}

. tools/cost/points.sh
# which boots the chosen points need: the PCIe points one, the TCP
# points another (below)
cost_points pci_points pci "$ONLY"
cost_points tcp_points tcp "$ONLY"
want_pci=${#pci_points[@]} want_tcp=${#tcp_points[@]}
[ $((want_pci + want_tcp)) -gt 0 ] || { echo "cost: no point matches '$ONLY'" >&2; exit 1; }

# the plugin: QEMU 7.2's API, no header needed
cc -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden \
	-o "$out/insn-plugin.so" tools/cost/insn-plugin.c

# The mark's address: sethostname's kernel entry, from the symbols the
# lab saved from an earlier boot of this kernel (nokaslr: the same in
# every boot); a first boot saves them.
kallsyms=build/lab/kallsyms-$KVER
if [ ! -s "$kallsyms" ]; then
	printf '#!/bin/bash\ntrue\n' >"$out/boot.sh"
	scripts/lab.sh --out "$out/boot" --timeout 300 -- "$out/boot.sh" >/dev/null
fi
mark=$(awk '$3 == "__x64_sys_sethostname" { print "0x" $1; exit }' "$kallsyms")
[ -n "$mark" ] || { echo "cost: no __x64_sys_sethostname in $kallsyms" >&2; exit 1; }

runs=()
# boot DIR KIND APPEND [lab.sh arguments]: the KIND (pci or tcp) points
# in a boot of their own, counted by the plugin into $out/DIR/counts,
# with APPEND on the kernel's command line
boot() {
	local dir=$out/$1 kind=$2 append=$3

	shift 3
	rm -f "$dir/counts"
	LAB_TCG_THREAD=single scripts/lab.sh --out "$dir" --timeout "${COST_TIMEOUT:-3600}" \
		--smp 2 --mem 2048 --append "$append" "$@" \
		--qemu-arg -plugin --qemu-arg "$out/insn-plugin.so,out=$dir/counts,mark=$mark" \
		-- scripts/cost-guest.sh "$kind" "$N" "$ROUNDS" "$ONLY"
	runs+=("$dir")
}

# The PCIe points: two controllers per driver, null backends: one whose
# requests complete 2 ms late, long after fio has gone to sleep (under
# TCG the wait would otherwise race the emulated device, and whether fio
# sleeps, with all the scheduler's work that brings, would change from
# I/O to I/O), and one without the delay for the polled point, which
# spins while it waits.  CPU 1, where fio's job runs, is isolated and
# has no tick while one task runs there (at the passthrough point a
# second one does: tools/cost-report's EVENTS).  hardened_usercopy=off
# in both boots: the TCP points' target needs it (as in the TCP tests,
# tests/lib-tcp.sh), and both boots run the same kernel code.
# tsc=reliable in both: the kernel judges the TSC unsynchronized under
# TCG (a CPU model that is not Intel's, without an invariant TSC, and two
# CPUs), which leaves the guest on the HPET (an emulated MMIO read, about
# 800 instructions of every I/O) and marks the scheduler's clock
# unstable, which keeps the tick running on a nohz_full CPU; QEMU's TSC
# is the host's, the same for every vCPU.
if [ "$want_pci" -gt 0 ]; then
	ctrl="max_ioqpairs=8,msix_qsize=9"
	late=null,size=16G,latency=${COST_LATENCY_NS:-2000000}
	boot run pci "isolcpus=1 nohz_full=1 rcu_nocbs=1 irqaffinity=0 hardened_usercopy=off tsc=reliable" \
		--nvme "serial=cost-nvme,$ctrl" --ns "$late" \
		--nvme "serial=cost-nvmx,$ctrl" --ns "$late" \
		--nvme "serial=cost-nvme-poll,$ctrl" --ns null,size=16G \
		--nvme "serial=cost-nvmx-poll,$ctrl" --ns null,size=16G
fi
# The TCP points need no device, and a boot without isolcpus and
# nohz_full: on this kernel, blk-mq leaves an isolated CPU (either one)
# out of its hardware queues' CPU masks, so an NVMe/TCP I/O queue that
# only CPU 1 maps to fails to connect (-EXDEV), and with one I/O queue
# nvme-tcp runs it on CPU 0 (its queue n runs on the nth online CPU).
# With two, each host's queue for CPU 1 runs there, the loopback's
# packets are received there, and the target works there (nvmet-tcp on
# the CPU its socket receives on), so the whole I/O path is on CPU 1, as
# at the PCIe points.  The rest is kept off CPU 1 by hand
# (scripts/cost-guest.sh): every task that may move, the unbound work
# items and CPU 1's RCU callbacks (rcu_nocbs=1).  Its tick stays, and
# runs while CPU 1 works; so the guest's clock follows the instruction
# count (-icount: 8 ns an instruction, and time jumps to the next timer
# when every CPU idles), which makes the tick's share per I/O the same
# in every round.  QEMU 7.2 hangs bringing up a second vCPU at boot
# under -icount, so the guest boots with one (maxcpus=1) and brings CPU
# 1 up itself.
if [ "$want_tcp" -gt 0 ]; then
	boot run-tcp tcp "rcu_nocbs=1 irqaffinity=0 hardened_usercopy=off tsc=reliable maxcpus=1" \
		--qemu-arg -icount --qemu-arg shift=3,sleep=off
fi
tools/cost-report "${runs[@]}" "$out"
