# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/cost.sh and scripts/cost-guest.sh, from the
# repository's top directory.

# cost_points ARRAY BOOT [REGEX]: set ARRAY to the lines of
# tools/cost/points that BOOT runs (tcp: the points of kind tcp; pci: all
# others), only those whose names match REGEX when it is given
cost_points() {
	local -n points=$1
	local boot=$2 only=${3:-} line name kind

	points=()
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		name=${line%%|*} kind=${line#*|} kind=${kind%%|*}
		if [ "$kind" = tcp ]; then
			[ "$boot" = tcp ] || continue
		else
			[ "$boot" = pci ] || continue
		fi
		[[ -z $only || $name =~ $only ]] || continue
		points+=("$line")
	done <tools/cost/points
}
