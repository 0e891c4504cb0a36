#!/bin/bash
# The command pipeline is visible: a known read shows up in every event
# with the right fields and in order; after a quiet run each queue's
# counters add up (submitted = completed, doorbells <= commands, histogram
# total = completed); the register dump shows a ready controller; the
# pipeline tool renders the trace as text and SVG.
. tests/lib.sh

host() {
	nvmx_only
	lab_run --nvme serial=nvmx-trace --ns size=64M || return
	grep -q '<svg' "$TEST_OUT/pipeline.svg" || fail "no SVG written"
	[ "$(grep -c '<title>' "$TEST_OUT/pipeline.svg")" -ge 4 ] ||
		fail "the SVG timeline has fewer than four stage bars"
}

# line number of the first line matching $1 at or after line $2
line_of() {
	awk -v re="$1" -v from="$2" 'NR >= from && $0 ~ re { print NR; exit }' /tmp/trace.txt
}

guest() {
	local T=/sys/kernel/tracing dev d c q n w l qid cid prev

	load_driver
	dev=$(ns_dev nvmx-trace 1)
	d=/sys/kernel/debug/nvmx/nvmx0
	mountpoint -q $T || mount -t tracefs nodev $T

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

	"$LAB_REPO/tools/nvmx-pipeline" /tmp/trace.txt --show 2 --svg "$LAB_OUT/pipeline.svg" >/tmp/pipe.txt ||
		fail "nvmx-pipeline failed"
	cat /tmp/pipe.txt
	grep -q "^total " /tmp/pipe.txt || fail "no total line in the stage table"
	grep -q "7 CQ entry consumed" /tmp/pipe.txt || fail "no step listing"
}

main "$@"
