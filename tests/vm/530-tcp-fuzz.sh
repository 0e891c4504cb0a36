#!/bin/bash
# Malformed PDUs: a fake controller on loopback (tests/tools/fake-target.c)
# answers a connect as a controller would up to a chosen point, then sends
# a bad ICResp, a bad response to a Property Get, bad data for Identify
# (offset or length out of range, short data marked SUCCESS, an R2T for a
# read, a termination request with data or without), or, with 24 seeds,
# random bytes or a valid answer with bits flipped.  Each time the connect
# must fail and nvmx must close the connection, without a kernel report
# (after a termination request at once: no command waits for its
# timeout); afterwards nvmx connects to the real target, verifies I/O and
# unloads (no reference left behind).  nvmx only: what is asserted is
# nvmx's own PDU checks.
. tests/lib.sh
. tests/lib-tcp.sh

FAKE_PORT=4421
MODES="ic-type ic-pfv ic-maxdata ic-cpda ic-hlen ic-short rsp-type rsp-hlen
rsp-plen rsp-cid rsp-early-close c2h-nodata c2h-off c2h-len c2h-plen
c2h-success-short r2t-read term term-bare"
SEEDS=24

host() {
	nvmx_only
	cc -O2 -Wall -o "$TEST_OUT/fake-target" tests/tools/fake-target.c ||
		fail "cannot build fake-target"
	LAB_TIMEOUT=900 lab_run_tcp
}

# nvmx's log lines that name a PDU check (or the target's end), and those
# of commands it gave up on
REFUSED="nvmx.*(refused|C2HTermReq)"
TIMED_OUT="nvmx.*timed out"

# log_count PATTERN: kernel log lines matching the extended PATTERN
log_count() {
	dmesg | grep -cE "$1" || true
}

# fuzz_one MODE [SEED]
fuzz_one() {
	local pid st=0 log=/tmp/fake-$1-${2:-0}.log before tbefore

	before=$(log_count "$REFUSED")
	tbefore=$(log_count "$TIMED_OUT")

	"$LAB_OUT/fake-target" $FAKE_PORT "$@" >"$log" 2>&1 &
	pid=$!
	wait_for "tcp_listening $FAKE_PORT" 30
	if fabrics_write "transport=tcp,traddr=127.0.0.1,trsvcid=$FAKE_PORT,nqn=nqn.2026-12.io.nvmx:fake" >/dev/null; then
		cat "$log"
		fail "$*: connect to the fake target succeeded"
	fi
	wait $pid || st=$?
	cat "$log"
	expect_eq "$st" 0 "$*: fake target's verdict"
	[ -z "$(ls /sys/class/nvmx/)" ] || fail "$*: a controller was left: $(ls /sys/class/nvmx/)"
	# every malformed PDU is refused by a named check, not by a timeout
	# (a random seed may be valid, or cut the connection first)
	case $1 in
	random | rsp-early-close | ic-short) ;;	# no PDU: the connection ends
	*) [ "$(log_count "$REFUSED")" -gt "$before" ] ||
		fail "$*: no check refused it" ;;
	esac
	# the controller ended it: the connection goes now, not at a timeout
	case $1 in
	term*) [ "$(log_count "$TIMED_OUT")" -eq "$tbefore" ] ||
		fail "$*: the connection stayed until a command timed out:" \
			"$(dmesg | grep -E "$TIMED_OUT" | tail -n 3)" ;;
	esac
}

guest() {
	local m s ans c dev

	nvmx_only
	EXPECT_TROUBLE=1	# timeouts and refused connects on purpose
	ip link set lo up
	# a fake controller that stops answering costs 5 s, not 60
	tcp_load_host admin_timeout=5
	for m in $MODES; do
		fuzz_one "$m"
	done
	for s in $(seq 1 $SEEDS); do
		fuzz_one random "$s"
	done
	dmesg | grep -c "refused" | sed 's/^/nvmx refusals logged: /'

	tcp_target 64
	ans=$(tcp_connect) || fail "connect to nvmet after the fuzzing"
	c=$(tcp_ctrl_of "$ans")
	dev=$(ns_dev "$TCP_SERIAL" 1)
	fio_verify "$dev" after-fuzz --rw=randwrite --bs=64k --iodepth=8 \
		--direct=1 --size=16M
	tcp_disconnect "$c"
	tcp_unload_host
}

main "$@"
