#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print a kernel version the module and the lab use.
#   scripts/kver.sh         $KVER if set, else the default: the newest 6.1
#                           *-amd64 kernel installed
#   scripts/kver.sh 6.12    the newest installed kernel of that line
#                           (6.1: 6.1.*-amd64; 6.12: 6.12.*+deb12-amd64)
# Fails, saying so, when no such kernel is installed.
line=${1:-}
if [ -z "$line" ] && [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi
case ${line:-6.1} in
6.1) pat='6.1.*-amd64' ;;
6.12) pat='6.12.*+deb12-amd64' ;;
*) echo "kver: unknown kernel line $line (6.1 or 6.12)" >&2; exit 1 ;;
esac
# shellcheck disable=SC2086
kver=$(ls -d /lib/modules/$pat 2>/dev/null | sort -V | tail -n1)
if [ -z "$kver" ]; then
	echo "kver: no ${line:-6.1} kernel installed (/lib/modules/$pat); make setup installs them" >&2
	exit 1
fi
basename "$kver"
