#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lab.sh - run a script inside a throwaway QEMU VM with emulated NVMe controllers.
#
# Usage: scripts/lab.sh [options] [--] GUEST_SCRIPT [ARGS...]
#
# Boots the installed Debian kernel with a busybox initramfs (cached in
# build/lab/) that mounts the host root read-only over virtio-9p and chroots
# into it; /tmp and /run are fresh tmpfs there, and the repo (read-only) and
# the run directory (writable) have shares of their own, mounted at their
# host paths, so both work from anywhere, /tmp included. GUEST_SCRIPT is copied to
# $OUT/guest.sh and run by bash with ARGS, stdin /dev/null, in the caller's cwd
# (else the repo), with LAB_OUT (the run directory, writable in the guest at
# the same path) and LAB_REPO set. Its output goes to $OUT/guest.log and is
# streamed to stdout; lab.sh's own messages go to stderr.
#
# Options:
#   --out DIR        run directory (default: a new one under build/lab/): holds
#                    console.log, guest.log, dmesg.txt, status and the images
#                    of --ns without file= (kept and reused if DIR is reused).
#                    No whitespace or commas in the path.
#   --timeout SECS   wall-clock bound for the VM (default 600)
#   --smp N          vCPUs (default 2)
#   --mem MB         memory (default 2048)
#   --machine M      q35 or pc (default q35)
#   --nvme [K=V,...] add a controller (-device nvme): id= (default nvmeN),
#                    serial= (default nvmx-lab-N), other keys passed verbatim
#                    (max_ioqpairs=, msix_qsize=, mdts=, bus=, ...). A
#                    controller without --ns gets one 64M namespace.
#   --ns K=V,...     add a namespace (-device nvme-ns) to the last --nvme:
#                    file=PATH (raw, created sparse if missing), size= (64M),
#                    null (null-co:// of size=, reads zeroes, no host I/O),
#                    latency=NS (with null: each request completes NS later), lbs=N,
#                    blkdebug=RULES (wrap the image in blkdebug:RULES:),
#                    other keys passed verbatim (nsid=, ms=, pi=, zoned=, ...).
#                    The k-th namespace of controller C uses drive id Cnk
#                    (nvme0n1, ...) and device id Cnk-ns.
#   --qemu-arg ARG   extra raw qemu argument (repeatable), placed before the
#                    NVMe devices so they can refer to it (e.g. a root port)
#   --append STR     extra kernel command line
#
# Environment: KVER (default: newest /lib/modules/6.1.*-amd64); LAB_IOMMU=1
# puts an emulated Intel IOMMU in front of every device (q35 only;
# intel_iommu=on iommu.strict=1, so a DMA mapping mistake is a DMAR fault,
# which fails the run); LAB_ALLOC_FAILURES=1 (see the log scan below);
# LAB_ACCEL=tcg
# (default, -accel tcg -cpu max) | kvm | auto (boot-probe KVM once with a 30 s
# limit, result cached in build/lab/accel-probe). Nested KVM hangs in the
# firmware on the reference machine, hence the TCG default.
# LAB_TCG_THREAD=single: TCG runs every vCPU on one host thread (for the
# instruction-counting plugin of make cost, whose callbacks must not run
# concurrently); default: QEMU's own (one thread per vCPU).
#
# Exit status: the guest script's; 124 timeout; 125 kernel log problem
# (WARNING, BUG, Oops, ...; printed as "lab: kernel log problem: ..."); 126 the
# guest died before the script finished (panic, qemu error); 127 the guest
# died while booting, before the test began, or
# froze (no heartbeat for 90 s, an emulator fault: see below); 2 usage error.

set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
labdir=$repo/build/lab
problem_re='WARNING:|BUG:|Oops|general protection|Kernel panic|hung task|blocked for more than'
problem_re+='|KASAN:|UBSAN:|possible (circular|recursive) locking|inconsistent lock state'
problem_re+='|unreferenced object|suspected memory leak|soft lockup|hard LOCKUP|detected stalls|Call Trace'
problem_re+='|DMAR: \[DMA|DMAR: DRHD: handling fault'

die() { echo "lab: $*" >&2; exit 2; }

out='' timeout=600 smp=2 mem=2048 machine=q35 append=''
ctrls=()	# K=V string of each --nvme
nss=()		# "<controller index> <K=V string>" of each --ns
extra=()	# --qemu-arg
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; break ;;
	--nvme) # The value is optional: bare --nvme is a default controller.
		if [ $# -lt 2 ] || [[ -n $2 && $2 != *=* ]]; then set -- "$1" "" "${@:2}"; fi ;;
	--out | --timeout | --smp | --mem | --machine | --ns | --qemu-arg | --append)
		[ $# -ge 2 ] || die "$1 needs a value" ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
	case $1 in
	--out) out=$2 ;;
	--timeout) timeout=$2 ;;
	--smp) smp=$2 ;;
	--mem) mem=$2 ;;
	--machine) machine=$2 ;;
	--nvme) ctrls+=("$2") ;;
	--ns)
		[ ${#ctrls[@]} -gt 0 ] || die "--ns needs a preceding --nvme"
		nss+=("$((${#ctrls[@]} - 1)) $2") ;;
	--qemu-arg) extra+=("$2") ;;
	--append) append+=" $2" ;;
	esac
	shift 2
done
[ $# -ge 1 ] || die "usage: $0 [options] [--] GUEST_SCRIPT [ARGS...]"
[ -r "$1" ] || die "cannot read guest script $1"
case $machine in q35 | pc) ;; *) die "--machine must be q35 or pc" ;; esac
iommu=()
if [ "${LAB_IOMMU:-0}" = 1 ]; then
	[ "$machine" = q35 ] || die "LAB_IOMMU=1 needs --machine q35"
	# before the other PCI devices, so that it translates for all of them
	iommu=(-device intel-iommu,intremap=off)
	append+=" intel_iommu=on iommu.strict=1"
fi

if [ -z "${KVER:-}" ]; then
	KVER=$(printf '%s\n' /lib/modules/6.1.*-amd64 | sort -V | tail -n1)
	KVER=${KVER##*/}
fi
kernel=/boot/vmlinuz-$KVER
if [ ! -r "$kernel" ] || [ ! -d "/lib/modules/$KVER" ]; then
	die "no kernel $kernel with /lib/modules/$KVER"
fi

mkdir -p "$labdir"

# Under TCG, decompressing the xz bzImage takes ~4 s of every boot: extract the
# vmlinux once (it keeps the bzImage's mtime) and let QEMU boot it directly
# through its PVH entry point.
vmlinux=$labdir/vmlinux-$KVER
fresh() { [ -s "$vmlinux" ] && [ ! "$vmlinux" -nt "$kernel" ] && [ ! "$vmlinux" -ot "$kernel" ]; }
if ! fresh && grep -qs '^CONFIG_PVH=y' "/boot/config-$KVER"; then
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$kernel" | awk -F: 'NR == 1 { print $1 }' || true)
	if [ -n "$off" ] && xz -dc --single-stream <(tail -c +$((off + 1)) "$kernel") >"$vmlinux.$$"; then
		touch -r "$kernel" "$vmlinux.$$"
		mv "$vmlinux.$$" "$vmlinux"
	else
		rm -f "$vmlinux.$$"
	fi
fi
if fresh; then kernel=$vmlinux; fi

if [ -z "$out" ]; then
	out=$(mktemp -d "$labdir/run-$(date +%Y%m%d-%H%M%S)-XXXX")
else
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	rm -f "$out"/{console.log,guest.log,dmesg.txt,kmemleak.txt,status,diag.sock,heartbeat,freeze.txt,qemu.log,pokes}
fi
case $out$repo in *[[:space:],]*) die "paths with whitespace or commas are not supported: $out, $repo" ;; esac
echo "lab: run directory $out" >&2

# The guest runs $out/lab-run.sh in the chroot; it sets up and execs the script.
cp "$1" "$out/guest.sh"
shift
{
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8'
	printf 'export LAB_OUT=%q LAB_REPO=%q\n' "$out" "$repo"
	printf 'cd %q 2>/dev/null || cd %q\n' "$PWD" "$repo"
	printf 'exec bash %q' "$out/guest.sh"
	[ $# -eq 0 ] || printf ' %q' "$@"
	echo
} >"$out/lab-run.sh"

# Guest /init. Runs from the initramfs root with busybox only.
read -r -d '' init_script <<'EOF' || true
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
halt_vm() { sync; poweroff -f; echo o >/proc/sysrq-trigger; sleep 30; }
fail() { echo "lab-init: $*"; halt_vm; }
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for m in $(cat /modules/order 2>/dev/null); do
	insmod "/modules/$m" || fail "insmod $m failed"
done
echo /sbin/modprobe >/proc/sys/kernel/modprobe
out=$(sed -n 's/.*lab\.out=\([^ ]*\).*/\1/p' /proc/cmdline)
p9="-t 9p -o trans=virtio,version=9p2000.L,msize=512000"
mount $p9 hostroot /host || fail "cannot mount the host root"
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t debugfs debugfs /host/sys/kernel/debug
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts
mount -t tmpfs tmpfs /host/dev/shm
mount -t tmpfs tmpfs /host/tmp
mount -t tmpfs tmpfs /host/run
# the repo has its own share: a clone under /tmp is not in the host root
repo=$(sed -n 's/.*lab\.repo=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir -p "/host$repo" 2>/dev/null
mount $p9 labrepo "/host$repo" || fail "cannot mount the repository $repo"
mkdir -p "/host$out"
mount $p9 labout "/host$out" || fail "cannot mount the run directory $out"
# Kernel symbols once per kernel (nokaslr keeps them put), and module load
# addresses in every heartbeat, to tell where a frozen guest stopped.
if grep -q 'lab\.kallsyms=1' /proc/cmdline; then
	grep ' [tT] ' /proc/kallsyms >"/host$out/kallsyms"
fi
(while :; do cat /proc/modules >"/host$out/heartbeat"; sleep 2; done) &
# A kernel with kmemleak (the debug kernel): forget what booting left,
# and report what the script leaked (objects unreferenced in two scans).
kmemleak=/host/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear >$kmemleak
echo "lab: the test begins" >/dev/kmsg
env -i /bin/chroot /host /bin/bash "$out/lab-run.sh" </dev/null >>"/host$out/guest.log" 2>&1
echo $? >"/host$out/status"
if [ -w $kmemleak ]; then
	echo scan >$kmemleak; sleep 6; echo scan >$kmemleak
	cat $kmemleak >"/host$out/kmemleak.txt"
fi
dmesg >"/host$out/dmesg.txt"
halt_vm
EOF

# Build the initramfs unless one for this kernel and this script is cached.
key=$(cat "$0" "/lib/modules/$KVER/modules.dep" | sha256sum | cut -c1-12)
initrd=$labdir/initramfs-$KVER-$key.cpio.gz
if [ ! -s "$initrd" ]; then
	echo "lab: building $initrd" >&2
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,host,modules}
	cp /bin/busybox "$root/bin/"
	printf '%s\n' "$init_script" >"$root/init"
	printf '#!/bin/busybox sh\nexec /bin/busybox chroot /host /sbin/modprobe "$@"\n' >"$root/sbin/modprobe"
	chmod 755 "$root/init" "$root/sbin/modprobe"
	modprobe -a -S "$KVER" --show-depends virtio_pci 9pnet_virtio 9p |
		awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
		while read -r ko; do
			name=${ko##*/}
			name=${name%%.ko*}.ko
			case $ko in
			*.ko.xz) xz -dc "$ko" ;;
			*.ko.zst) zstd -dc "$ko" ;;
			*) cat "$ko" ;;
			esac >"$root/modules/$name"
			echo "$name" >>"$root/modules/order"
		done
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$initrd.$$"
	mv "$initrd.$$" "$initrd"
	find "$labdir" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -name "${initrd##*/}" -delete
	rm -rf "$root"
fi

accel=${LAB_ACCEL:-tcg}
case $accel in
auto)
	if [ ! -s "$labdir/accel-probe" ]; then
		echo "lab: probing KVM (once, up to 30 s)" >&2
		probe_log=$(mktemp)
		timeout -k 5 30 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nodefaults \
			-display none -no-reboot -serial "file:$probe_log" -kernel "$kernel" \
			-append "console=ttyS0 panic=-1" </dev/null >/dev/null 2>&1 || true
		# Without an initramfs a working boot ends in a "no root" panic.
		if grep -q 'Kernel panic' "$probe_log"; then echo kvm; else echo tcg; fi >"$labdir/accel-probe.$$"
		mv "$labdir/accel-probe.$$" "$labdir/accel-probe"
		rm -f "$probe_log"
	fi
	accel=$(cat "$labdir/accel-probe") ;;
tcg | kvm) ;;
*) die "LAB_ACCEL must be tcg, kvm or auto" ;;
esac
if [ "$accel" = kvm ]; then cpu=host; else cpu=max; fi
case ${LAB_TCG_THREAD:-} in
'') ;;
single | multi) [ "$accel" = tcg ] || die "LAB_TCG_THREAD needs TCG"; accel+=",thread=$LAB_TCG_THREAD" ;;
*) die "LAB_TCG_THREAD must be single or multi" ;;
esac

# add_ns CONTROLLER_ID K NS_OPTIONS: append the drive and nvme-ns arguments.
add_ns() {
	local name=$1n$2 file='' size=64M null=0 latency='' blkdebug='' props='' cache=none kv backend
	local -a kvs
	IFS=, read -ra kvs <<<"$3"
	for kv in "${kvs[@]}"; do
		case $kv in
		file=*) file=${kv#file=} ;;
		size=*) size=${kv#size=} ;;
		null) null=1 ;;
		latency=*) latency=,file.latency-ns=${kv#latency=} ;;
		blkdebug=*) blkdebug=blkdebug:${kv#blkdebug=}: ;;
		lbs=*) props+=",logical_block_size=${kv#lbs=},physical_block_size=${kv#lbs=}" ;;
		*) props+=",$kv" ;;
		esac
	done
	[ -z "$latency" ] || [ $null = 1 ] || die "--ns latency= needs null"
	if [ $null = 1 ]; then
		backend=null-co://,file.read-zeroes=on,file.size=$size$latency
	else
		file=${file:-$out/$name.img}
		[ -e "$file" ] || truncate -s "$size" "$file"
		dd if="$file" of=/dev/null bs=4096 count=1 iflag=direct status=none 2>/dev/null ||
			cache=writeback
		backend=$blkdebug$file
	fi
	qargs+=(-drive "if=none,id=$name,format=raw,cache=$cache,aio=threads,discard=unmap,file=$backend"
		-device "nvme-ns,bus=$1,drive=$name,id=$name-ns$props")
}

qargs=()
for i in "${!ctrls[@]}"; do
	id=nvme$i serial=nvmx-lab-$i props=
	IFS=, read -ra kvs <<<"${ctrls[$i]}"
	for kv in "${kvs[@]}"; do
		case $kv in
		id=*) id=${kv#id=} ;;
		serial=*) serial=${kv#serial=} ;;
		*) props+=",$kv" ;;
		esac
	done
	qargs+=(-device "nvme,id=$id,serial=$serial$props")
	k=0
	for ns in "${nss[@]}"; do
		[ "${ns%% *}" = "$i" ] || continue
		k=$((k + 1))
		add_ns "$id" $k "${ns#* }"
	done
	[ $k -gt 0 ] || add_ns "$id" 1 ""
done
# The QMP socket: for the guest's monitor commands (hostcmd below) and to
# tell where a frozen guest stopped (scripts/qmp.py SOCKET COMMAND works
# by hand too).
qargs+=(-qmp "unix:$out/diag.sock,server=on,wait=off")

: >"$out/guest.log"
kallsyms=$labdir/kallsyms-$KVER kallsyms_arg=''
[ -s "$kallsyms" ] || kallsyms_arg=' lab.kallsyms=1'
# watchdog_thresh=60: guest time under TCG is the host's wall time, and a
# host that stops running the vCPU threads for half a minute (seen once:
# the in-tree driver's 6.12 run, a "soft lockup" of init clearing a page,
# beside a clocksource "long readout interval" of a second) shows the
# guest a CPU stuck for that long.  A kernel really spinning is still
# reported, after 120 s instead of 20.
timeout -k 10 "$timeout" qemu-system-x86_64 -machine "$machine" -accel "$accel" -cpu "$cpu" \
	-smp "$smp" -m "$mem" -nodefaults -nic none -display none -no-reboot \
	-serial "file:$out/console.log" -D "$out/qemu.log" -kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 nokaslr sysrq_always_enabled watchdog_thresh=60 lab.out=$out lab.repo=$repo$kallsyms_arg$append" \
	"${iommu[@]}" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$repo,mount_tag=labrepo,security_model=none,readonly=on" \
	-virtfs "local,path=$out,mount_tag=labout,security_model=none" \
	"${extra[@]}" "${qargs[@]}" </dev/null &
qemu_pid=$!
tail -n +1 -f -s 0.2 --pid=$qemu_pid "$out/guest.log" &
tail_pid=$!
# Monitor commands from the guest: it writes one HMP command line to
# $LAB_OUT/hostcmd/NAME.cmd and waits for NAME.out (and NAME.err when the
# command failed).  This is how a test reaches the QEMU monitor (device_del,
# qemu-io, trace events) from inside.
mkdir -p "$out/hostcmd"
rm -f "$out"/hostcmd/*
(
	while kill -0 $qemu_pid 2>/dev/null; do
		for c in "$out"/hostcmd/*.cmd; do
			[ -e "$c" ] || continue
			n=${c%.cmd}
			if ! timeout 60 "$repo/scripts/qmp.py" "$out/diag.sock" "$(cat "$c")" \
				>"$n.part" 2>&1; then
				: >"$n.err"
			fi
			mv "$n.part" "$n.out"
			rm -f "$c"
		done
		sleep 0.2
	done
) &
agent_pid=$!
trap 'kill $qemu_pid $tail_pid $agent_pid 2>/dev/null || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The guest touches $out/heartbeat every 2 s.  Under TCG a guest now and
# then stops getting its timer interrupts: both vCPUs halt, waiting for a
# timer that never fires, and guest time all but stands still (seen during
# driver load/unload cycles, with the in-tree driver as with nvmx, with
# and without hpet, with tsc-deadline off, single-threaded TCG and one
# vCPU; the sysrq dump of such a guest shows tasks merely waiting for a 9p
# reply whose interrupt is not being taken).  Any interrupt revives it, so
# when the heartbeat is 6 s late the guest gets a key press (shift, which
# nothing reads); each poke is counted in $out/pokes.  A guest that no
# poke revives for 90 s (or that has not booted after 240 s) has frozen for
# good: exit 127.
rc=0 frozen=0 started=$(date +%s) pokes=0
while kill -0 $qemu_pid 2>/dev/null; do
	sleep 2
	# Before the first heartbeat the kernel is booting: no pokes (a key
	# press before its interrupt is set up is itself a fault, which KASAN
	# reports), and a longer bound (the debug kernel boots slowly).
	beat=$((started + 150)) booted=0
	if [ -e "$out/heartbeat" ]; then beat=$(stat -c %Y "$out/heartbeat") booted=1; fi
	late=$(($(date +%s) - beat))
	if [ $booted = 1 ] && [ $late -gt 6 ] && [ $late -le 90 ]; then
		timeout 10 "$repo/scripts/qmp.py" "$out/diag.sock" 'sendkey shift' \
			>/dev/null 2>&1 || true
		pokes=$((pokes + 1))
		echo $pokes >"$out/pokes"
	fi
	if [ $late -gt 90 ]; then
		frozen=1
		timeout 60 "$repo/scripts/qmp.py" --freeze-report "$kallsyms" "$out/heartbeat" \
			"$out/diag.sock" >"$out/freeze.txt" 2>&1 || true
		# blocked tasks and every CPU's backtrace to the console, if the
		# guest still takes interrupts
		timeout 20 "$repo/scripts/qmp.py" "$out/diag.sock" 'sendkey alt-sysrq-w' \
			'sendkey alt-sysrq-l' >/dev/null 2>&1 || true
		sleep 5
		kill $qemu_pid 2>/dev/null || true
		sleep 10
		pkill -KILL -P $qemu_pid 2>/dev/null || true
		break
	fi
done
wait $qemu_pid || rc=$?
wait $tail_pid || true
kill $agent_pid 2>/dev/null || true
wait $agent_pid 2>/dev/null || true
trap - EXIT
[ $pokes = 0 ] || echo "lab: the guest's timer stalled; it was poked $pokes times (see the comment in lab.sh)" >&2
if [ -s "$out/kallsyms" ] && [ ! -s "$kallsyms" ]; then mv "$out/kallsyms" "$kallsyms"; fi

console_tail() {
	echo "lab: last lines of $out/console.log:" >&2
	tail -n "${1:-40}" "$out/console.log" >&2 || true
}

# LAB_ALLOC_FAILURES=1 (fault injection tests): the kernel's reports of
# failed allocations (a warning line, then a stack dump up to </TASK>) are
# expected, not problems.
# One report is the target's own, not nvmx's, and is dropped: Debian 6.1's
# nvmet-tcp flushes its workqueue from a queue's io_work when a Connect
# installs a queue, and cancels that io_work from the same workqueue when
# a queue is released (nvmet_tcp_install_queue, nvmet_tcp_release_queue_
# work), which lockdep reports as a possible circular dependency the first
# time a TCP connection closes, with either host.  Lockdep is off for the
# rest of that boot; KASAN, kmemleak and UBSAN are not.
kernel_log() {
	cat "$out/console.log" "$out/dmesg.txt" "$out/kmemleak.txt" 2>/dev/null | tr -d '\r' |
		awk -v allow="${LAB_ALLOC_FAILURES:-0}" '
			allow == 1 && /page allocation failure:|vmalloc error:|SLUB: Unable to allocate/ { skip = 1 }
			skip { if (/<\/TASK>/) skip = 0; next }
			/WARNING: possible circular locking dependency detected/ { held = 1; n = 0 }
			held {
				buf[n++] = $0
				if (!/<\/TASK>/)
					next
				held = 0
				txt = ""
				for (i = 0; i < n; i++)
					txt = txt buf[i] "\n"
				if (txt ~ /nvmet_tcp_release_queue_work/ && txt ~ /nvmet_tcp_install_queue/ && txt !~ /nvmx_|\[nvmx/) {
					print "lab: nvmet-tcp'"'"'s own lockdep report (the target'"'"'s, known) left out"
					next
				}
				printf "%s", txt
				next
			}
			END { for (i = 0; held && i < n; i++) print buf[i] }
			{ print }'
}
problems=$(kernel_log | grep -E "$problem_re" |
	awk '!seen[$0]++ { print "lab: kernel log problem: " $0 }' || true)
if [ -n "$problems" ]; then
	echo "$problems" >&2
	# the first report whole, for a run whose directory is gone (CI)
	echo "lab: the first report, with the lines before it:" >&2
	kernel_log | grep -m1 -B10 -A50 -E "$problem_re" | sed 's/^/lab:   /' >&2 || true
fi

# A report logged while the kernel booted, before the init's "the test
# begins", came before any code of the test ran (its modules are not
# loaded yet): a fault of the lab, like a boot that dies, worth one more
# boot.  Seen once: the debug kernel under TCG reporting a KASAN
# wild-memory-access in do_raw_spin_lock 5 ms into booting.
# Only when that is all that went wrong: the script passed and nothing
# was reported after the marker, kmemleak included (awk reads the whole
# log: no SIGPIPE under pipefail).
boot_report=$(tr -d '\r' <"$out/console.log" 2>/dev/null | re=$problem_re awk '
	/lab: the test begins/ { begun = 1; next }
	$0 ~ ENVIRON["re"] { if (begun) after = 1; else before = 1 }
	END { print (begun && before && !after) ? "yes" : "no" }' || true)
if [ "$boot_report" = yes ] && [ "$(cat "$out/status" 2>/dev/null)" = 0 ] &&
	! grep -qE "$problem_re" "$out/kmemleak.txt" 2>/dev/null &&
	[ $frozen = 0 ] && [ $rc != 124 ] && [ $rc != 137 ]; then
	echo "lab: the kernel reported a problem while booting, before the test began" >&2
	exit 127
fi

if [ $frozen = 1 ]; then
	echo "lab: the guest stopped running (no heartbeat for 90 s); where its vCPUs were ($out/freeze.txt):" >&2
	grep -E '^(cpu|sample) ' "$out/freeze.txt" >&2 || true
	console_tail 200
	exit 127
fi
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "lab: timeout: VM killed after ${timeout}s" >&2
	console_tail
	exit 124
fi
if [ ! -s "$out/status" ] && [ ! -e "$out/heartbeat" ]; then
	# no heartbeat: the kernel died booting, before /init got to start
	# anything of the test (6.12 under TCG, now and then: an int3 Oops
	# while the kernel patches its text); like a freeze, worth one more boot
	echo "lab: the kernel died while booting, before the test began (qemu exit status $rc)" >&2
	console_tail
	exit 127
fi
if [ ! -s "$out/status" ]; then
	echo "lab: the guest died before the script finished (qemu exit status $rc)" >&2
	console_tail
	exit 126
fi
[ -z "$problems" ] || exit 125
exit "$(cat "$out/status")"
