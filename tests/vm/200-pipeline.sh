#!/bin/bash
# The command pipeline is visible: a known read shows up in every event
# with the right fields and in order; after a quiet run each queue's
# counters add up (submitted = completed, doorbells <= commands, histogram
# total = completed with latency_histogram=1, and it stands still while
# the parameter is off); the register dump shows a ready controller; the
# pipeline tool renders the trace as text and SVG (those on nvmx only).
# The seed's path, as make run shows it (tools/pwrite-stack), on both
# drivers: an O_DIRECT pwrite on ext4 leaves a stack, recorded by the
# pwrite's own task, from the pwrite64 system call to the driver's queue_rq
# or queue_rqs; a 256 KiB pwrite cut into four requests reaches queue_rqs
# as one call.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-trace --ns size=64M || return
	[ "$DRIVER" = nvmx ] || return 0
	grep -q '<svg' "$TEST_OUT/pipeline.svg" || fail "no SVG written"
	[ "$(grep -c '<title>' "$TEST_OUT/pipeline.svg")" -ge 4 ] ||
		fail "the SVG timeline has fewer than four stage bars"
}

# line number of the first line matching $1 at or after line $2
line_of() {
	awk -v re="$1" -v from="$2" 'NR >= from && $0 ~ re { print NR; exit }' /tmp/trace.txt
}

T=/sys/kernel/tracing

# hist_total DIR: completions in all latency histograms of a controller
hist_total() {
	awk '$1 != "ge_ns" { s += $3 } END { print s + 0 }' "$1"/q*/latency
}

# the nvmx trace events of a read, the counters, the pipeline tool
pipeline_events() {
	local dev=$1 d c h q n w l qid cid prev

	d=/sys/kernel/debug/nvmx/nvmx0
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo 1 >$T/events/nvmx/enable
	echo 1 >$T/tracing_on
	dd if="$dev" of=/dev/null bs=4k skip=256 count=1 iflag=direct status=none
	fio --name=burst --filename="$dev" --rw=randwrite --bs=4k --size=4M \
		--iodepth=8 --ioengine=libaio --direct=1 --output=/dev/null
	echo 0 >$T/tracing_on
	cp $T/trace /tmp/trace.txt
	cp /tmp/trace.txt "$LAB_OUT/trace.txt"
	echo 0 >$T/events/nvmx/enable

	# the 4 KiB read at byte 1 MiB: slba 2048, 8 blocks of 512 bytes
	w=$(line_of "nvmx_sq_write: nvmx0 qid=[0-9]+ cid=0x[0-9a-f]+ opcode=0x02 nsid=1 slba=2048 nlb=8 " 1)
	[ -n "$w" ] || fail "no nvmx_sq_write event for the read"
	l=$(sed -n "${w}p" /tmp/trace.txt)
	qid=$(sed 's/.* qid=\([0-9]*\) .*/\1/' <<<"$l")
	cid=$(sed 's/.* cid=\(0x[0-9a-f]*\) .*/\1/' <<<"$l")
	prev=$w
	for ev in "nvmx_sq_doorbell: nvmx0 qid=$qid tail=" "nvmx_irq: nvmx0 qid=$qid vector=$qid" \
		"nvmx_cqe: nvmx0 qid=$qid cid=$cid status=0x0 " "nvmx_cq_doorbell: nvmx0 qid=$qid head=" \
		"nvmx_complete: nvmx0 qid=$qid cid=$cid status=0x0"; do
		n=$(line_of "$ev" "$prev")
		[ -n "$n" ] || fail "no '$ev' event after line $prev"
		prev=$n
	done
	echo "read traced through qid $qid cid $cid: every step, in order"

	# counters after a quiet run
	sleep 1
	[ "$(cat $d/resets)" = 1 ] || fail "resets is $(cat $d/resets), expected 1"
	grep -qE '^CSTS  0x[0-9a-f]*[13579bdf]$' $d/regs || fail "CSTS.RDY not set in regs"
	# the Asynchronous Event Requests are outside blk-mq and these counts,
	# but ring the admin queue's doorbell
	aen=$(cat $d/aen_submitted)
	[ "$aen" -ge 1 ] || fail "no Asynchronous Event Request outstanding"
	tail -n +2 $d/queues | while read -r q _ _ _ _ _ _ sub comp _ _ sqdb cqdb _; do
		[ "$sub" = "$comp" ] || fail "q$q: submitted $sub, completed $comp"
		extra=0
		[ "$q" != 0 ] || extra=$aen
		[ "$sqdb" -le $((sub + extra)) ] || fail "q$q: $sqdb SQ doorbells for $sub commands"
		[ "$cqdb" -le "$comp" ] || fail "q$q: $cqdb CQ doorbells for $comp completions"
		c=$(awk 'NR > 1 { s += $3 } END { print s + 0 }' $d/q$q/latency)
		[ "$c" = "$comp" ] || fail "q$q: latency histogram holds $c, completed $comp"
		[ "$(awk '$1 == "completed" { print $2 }' $d/q$q/stats)" = "$comp" ] ||
			fail "q$q: stats and queues disagree"
		echo "q$q: $sub submitted, $comp completed, $sqdb/$cqdb doorbells, histogram $c"
	done

	# latency_histogram off: completions go on, the histogram keeps what
	# it had (its clock reads are off the fast path)
	echo 0 >/sys/module/nvmx/parameters/latency_histogram
	h=$(hist_total $d)
	dd if="$dev" of=/dev/null bs=4k count=64 iflag=direct status=none
	[ "$(hist_total $d)" = "$h" ] || fail "latency histogram grew from $h to $(hist_total $d) while off"
	[ "$(awk '$1 == "completed" { s += $2 } END { print s }' $d/q*/stats)" -ge $((h + 64)) ] ||
		fail "fewer completions than the 64 reads with the histogram off"
	echo 1 >/sys/module/nvmx/parameters/latency_histogram
	dd if="$dev" of=/dev/null bs=4k count=64 iflag=direct status=none
	[ "$(hist_total $d)" -ge $((h + 64)) ] || fail "latency histogram did not resume"
	echo "latency_histogram: off kept $h, on again counted the next 64 reads"

	"$LAB_REPO/tools/nvmx-pipeline" /tmp/trace.txt --show 2 --svg "$LAB_OUT/pipeline.svg" >/tmp/pipe.txt ||
		fail "nvmx-pipeline failed"
	cat /tmp/pipe.txt
	grep -q "^total " /tmp/pipe.txt || fail "no total line in the stage table"
	grep -q "7 CQ entry consumed" /tmp/pipe.txt || fail "no step listing"
}

# driver_calls TRACE PID: one line per call of $DRIVER's queue_rq or
# queue_rqs made by task PID in a raw function trace with func_stack_trace:
# the function, the block_rq_issue events of that task up to its next call,
# and whether the call's stack holds the pwrite64 system call and the
# function itself (1 or 0). Read here from the raw trace, apart from
# tools/pwrite-stack's own report.
driver_calls() {
	awk -v pid="$2" -v drv="$DRIVER" '
		function done_stack() {
			if (instack && frames ~ / (__x64_sys_pwrite64|ksys_pwrite64) / &&
			    frames ~ (" " fn[n] " "))
				full[n] = 1
			instack = 0
		}
		/^ => / { if (instack) frames = frames $2 " "; next }
		{ done_stack() }
		$0 !~ ("-" pid " +\\[[0-9]+\\]") { next }
		$0 ~ (": " drv "_queue_rqs? <-") {
			n++
			fn[n] = $0
			sub(/ <-.*/, "", fn[n])
			sub(/.*: /, "", fn[n])
			next
		}
		/: <stack trace>$/ { if (n) { instack = 1; frames = " " }; next }
		/: block_rq_issue: / { if (n) issued[n]++ }
		END {
			done_stack()
			for (i = 1; i <= n; i++) print fn[i], issued[i] + 0, full[i] + 0
		}' "$1"
}

# pwrite_stack NAME FILE [pwrite-stack options]: run tools/pwrite-stack,
# which must find a stack of its own task in the driver; sets PID and
# leaves the raw trace in /tmp/NAME.trace and the calls in /tmp/NAME.calls
pwrite_stack() {
	local name=$1 st=0

	shift
	"$LAB_REPO/tools/pwrite-stack" --driver "$DRIVER" --save /tmp/$name.trace "$@" \
		>/tmp/$name.out || st=$?
	cat /tmp/$name.out
	cp /tmp/$name.trace "$LAB_OUT/pwrite-$name.trace"
	[ $st = 0 ] || fail "pwrite-stack $name: exit $st"
	PID=$(sed -n 's/^pwrite of .* by pid \([0-9]*\) .*/\1/p' /tmp/$name.out)
	[ -n "$PID" ] || fail "pwrite-stack $name: no pid in its report"
	driver_calls /tmp/$name.trace "$PID" >/tmp/$name.calls
	echo "$name: calls of pid $PID (function, requests issued, full stack):"
	sed 's/^/    /' /tmp/$name.calls
}

# The seed's path: stacks of the pwrite's own task that reach the driver.
pwrite_stacks() {
	local dev=$1 q msk

	mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4 $dev"
	mkdir -p /tmp/mnt
	mount "$dev" /tmp/mnt || fail "mount $dev"

	pwrite_stack 4k /tmp/mnt/seed-4k.bin --size 4096
	awk '$3 == 1 { ok = 1 } END { exit !ok }' /tmp/4k.calls ||
		fail "no stack of pid $PID holds pwrite64 and ${DRIVER}_queue_rq(s)"

	# four 64 KiB requests stay in the plug (each below BLK_PLUG_FLUSH_SIZE)
	q=/sys/block/$(basename "$dev")/queue
	msk=$(cat "$q/max_sectors_kb")
	echo 64 >"$q/max_sectors_kb"
	pwrite_stack 256k /tmp/mnt/seed-256k.bin --size $((256 << 10))
	echo "$msk" >"$q/max_sectors_kb"
	awk -v f="${DRIVER}_queue_rqs" '$1 == f && $2 == 4 && $3 == 1 { ok = 1 } END { exit !ok }' \
		/tmp/256k.calls || fail "no ${DRIVER}_queue_rqs call of pid $PID took the four requests"
	umount /tmp/mnt
}

guest() {
	local dev

	if [ "$DRIVER" = nvmx ]; then
		load_driver latency_histogram=1
	else
		load_driver
	fi
	dev=$(ns_dev nvmx-trace 1)
	mountpoint -q $T || mount -t tracefs nodev $T
	if [ "$DRIVER" = nvmx ]; then
		pipeline_events "$dev"
	fi
	pwrite_stacks "$dev"
}

main "$@"
