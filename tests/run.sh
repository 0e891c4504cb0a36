#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the unit tests, then every VM test against nvmx and against
# the in-tree nvme driver on the same emulated controllers; one line per
# test, then the totals.
#   DRIVERS="nvmx nvme"   drivers to run the VM tests against (DRIVER=x
#                         is the same as DRIVERS=x)
#   TESTS="pat ..."       only VM tests whose file name contains a pattern
#   RESULTS=DIR           where the logs go (default build/tests)
set -uo pipefail

cd "$(dirname "$0")/.."
drivers=${DRIVER:-${DRIVERS:-nvmx nvme}}
passed=0 failed=0 skipped=0

result() {	# name status seconds log
	case $2 in
	0) passed=$((passed + 1)); echo "PASS $1 ($3 s)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $1" ;;
	*) failed=$((failed + 1)); echo "FAIL $1 (exit $2, $3 s; log: $4)"
	   tail -n 20 "$4" | sed 's/^/    /' ;;
	esac
}

selected() {
	local p

	[ -n "${TESTS:-}" ] || return 0
	for p in $TESTS; do
		case $1 in *$p*) return 0 ;; esac
	done
	return 1
}

# unit_lines: count a unit test program's "ok ..." and "not ok ..." lines
# (its standard input) as passed and failed tests
unit_lines() {
	local word rest

	while read -r word rest; do
		case $word in
		ok) passed=$((passed + 1)); echo "PASS unit/$rest" ;;
		not) failed=$((failed + 1)); echo "FAIL unit/${rest#ok }" ;;
		esac
	done
}

# Unit tests: one line each from the test binary.
mkdir -p build/tests
if make -s -C tests/unit test_logic >build/tests/unit-build.log 2>&1; then
	unit_lines < <(tests/unit/test_logic 2>&1)
else
	result unit/build 1 0 build/tests/unit-build.log
fi
# make cost's fit (tools/cost-report), the same way; a script that stops
# before its last line ('# end') is a failure too
st=0
python3 tests/unit/test_cost_report.py >build/tests/unit-cost.log 2>&1 || st=$?
unit_lines <build/tests/unit-cost.log
grep -qx '# end' build/tests/unit-cost.log ||
	result unit/cost-report "$((st ? st : 1))" 0 build/tests/unit-cost.log

for driver in $drivers; do
	out=${RESULTS:-build/tests}/$driver
	rm -rf "$out"
	for t in tests/vm/*.sh; do
		name=$(basename "$t" .sh)
		selected "$name" || continue
		mkdir -p "$out/$name"
		start=$(date +%s)
		DRIVER=$driver TEST_OUT=$PWD/$out/$name bash "$t" \
			>"$out/$name/test.log" 2>&1
		st=$?
		result "$driver/$name" "$st" $(($(date +%s) - start)) \
			"$out/$name/test.log"
	done
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
