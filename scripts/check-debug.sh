#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the core and reliability VM tests against nvmx on the
# debug kernel (scripts/debug-kernel.sh: KASAN, lockdep, atomic-sleep
# checks, kmemleak, DMA API debugging, UBSAN, fault injection), with
# failslab and fail_page_alloc on nvmx's probe and ioctl paths
# (tests/vm/460-failslab.sh). Any kernel report fails the test it appears
# in (lab.sh scans the log, and kmemleak after every run).
#   TESTS="pat ..."   other tests than the default set
set -euo pipefail
cd "$(dirname "$0")/.."

kver=$(scripts/debug-kernel.sh)
mod=$(scripts/build-module.sh "$kver")
echo "check-debug: nvmx built for $kver: $mod"

# The debug kernel boots in about a minute under TCG and runs I/O about
# ten times slower: identify, metadata and the ioctls (user buffers mapped
# for DMA), and the reliability tests,
# whose fio jobs are the I/O load; NVMe/TCP's reconnect, events and
# malformed PDUs (510 520 530, about 20 minutes together).
export RESULTS=build/tests-debug KVER=$kver DRIVERS=nvmx LAB_TIMEOUT=${LAB_TIMEOUT:-900} FUZZ_CALLS=${FUZZ_CALLS:-10000}
export TESTS=${TESTS:-"010 165 310 400 410 415 430 435 440 450 455 460 470 510 520 530"}
exec tests/run.sh
