#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the unit tests, then the VM tests; one line per test, then the
# totals.  DRIVER=nvme runs the VM tests against the in-tree driver.
# TESTS="pattern ..." runs only VM tests whose file name matches.
set -uo pipefail

cd "$(dirname "$0")/.."
export DRIVER=${DRIVER:-nvmx}
out=build/tests/$DRIVER
rm -rf "$out"
mkdir -p "$out"
passed=0 failed=0 skipped=0

result() {	# name status seconds log
	case $2 in
	0) passed=$((passed + 1)); echo "PASS $1 ($3 s)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $1" ;;
	*) failed=$((failed + 1)); echo "FAIL $1 (exit $2, $3 s; log: $4)"
	   tail -n 20 "$4" | sed 's/^/    /' ;;
	esac
}

# Unit tests: one line each from the test binary.
if make -s -C tests/unit test_logic >"$out/unit-build.log" 2>&1; then
	while read -r word rest; do
		case $word in
		ok) passed=$((passed + 1)); echo "PASS unit/$rest" ;;
		not) failed=$((failed + 1)); echo "FAIL unit/${rest#ok }" ;;
		esac
	done < <(tests/unit/test_logic 2>&1)
else
	result unit/build 1 0 "$out/unit-build.log"
fi

for t in tests/vm/*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "${TESTS:-}" ]; then
		match=
		for p in $TESTS; do
			case $name in *$p*) match=1 ;; esac
		done
		[ -n "$match" ] || continue
	fi
	mkdir -p "$out/$name"
	start=$(date +%s)
	TEST_OUT=$PWD/$out/$name bash "$t" >"$out/$name/test.log" 2>&1
	st=$?
	result "vm/$name" "$st" $(($(date +%s) - start)) "$out/$name/test.log"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
