#!/bin/bash
# NVMe/TCP as the tools see it: the same subsystem reached by the in-tree
# host through stock nvme-cli (nvme connect, nvme list, nvme disconnect)
# and by nvmx through its tool (nvmx connect with the same flags, nvmx
# list, nvmx disconnect), then stock nvme-cli on each controller's char
# device: Identify, logs, features and passthrough give the same answers
# (device names aside), and `nvmx list` prints the row `nvme list` prints.
. tests/lib.sh
. tests/lib-tcp.sh

host() {
	nvmx_only
	lab_run_tcp
}

CMDS=(
	"id-ctrl @C@"
	"id-ctrl @C@ -o json"
	"id-ns @N@"
	"id-ns @C@ -n 1 -o json"
	"list-ns @C@"
	"ns-descs @N@"
	"error-log @C@ -e 4"
	"fw-log @C@"
	"get-feature @C@ -f 6 -H"
	"get-feature @C@ -f 7 -H"
	"admin-passthru @C@ -o 6 -l 4096 -r --cdw10=1 -b"
	"io-passthru @N@ -o 2 -n 1 -l 4096 -r --cdw10=0 --cdw12=7 -b"
)

# run_all CTRLDEV NSDEV: the commands, device names replaced
run_all() {
	local c=$1 n=$2 cmd line

	for cmd in "${CMDS[@]}"; do
		line=${cmd//@C@/$c}
		line=${line//@N@/$n}
		echo "### nvme $cmd"
		# shellcheck disable=SC2086
		if [[ $line == *" -b"* ]]; then
			nvme $line 2>&1 | od -An -tx1 -w32 || echo "exit status $?"
		else
			nvme $line 2>&1 | sed -e "s#${n##*/}#@N@#g; s#${c##*/}#@C@#g" |
				grep -vE '^cntlid|"cntlid"' || echo "exit status $?"
		fi
	done
}

# list_row TOOL: the row of the lab's namespace in TOOL's list, without
# the node names (its first two columns)
list_row() {
	"$1" list | awk -v sn="$TCP_SERIAL" '$3 == sn { $1 = ""; $2 = ""; print }'
}

guest() {
	local d c n nvmx=$LAB_REPO/build/nvmx

	tcp_target 64
	for d in nvme nvmx; do
		DRIVER=$d CLASS=$d
		tcp_load_host
		if [ $d = nvme ]; then
			nvme connect -t tcp -a "$TCP_ADDR" -s "$TCP_PORT" -n "$TCP_NQN" -i 2 ||
				fail "nvme connect"
		else
			"$nvmx" connect -t tcp -a "$TCP_ADDR" -s "$TCP_PORT" -n "$TCP_NQN" -i 2 ||
				fail "nvmx connect"
		fi
		c=$(ctrl_by_serial "$TCP_SERIAL")
		n=$(ns_dev "$TCP_SERIAL" 1)
		expect_eq "$(attr /sys/class/"$d"/"$c"/hostnqn)" "$(cat /etc/nvme/hostnqn)" \
			"$d: host NQN from /etc/nvme/hostnqn"
		run_all /dev/"$c" "$n" >/tmp/cli-$d.txt
		list_row "$([ $d = nvme ] && echo nvme || echo "$nvmx")" >/tmp/list-$d.txt
		cat /tmp/list-$d.txt
		[ -s /tmp/list-$d.txt ] || fail "$d: no row of $TCP_SERIAL in the list"
		if [ $d = nvme ]; then
			nvme disconnect -n "$TCP_NQN" || fail "nvme disconnect"
		else
			"$nvmx" disconnect -n "$TCP_NQN" || fail "nvmx disconnect"
		fi
		wait_for "[ -z \"\$(ls /sys/class/$d/)\" ]" 60
		tcp_unload_host
	done
	echo "$(grep -c '^###' /tmp/cli-nvmx.txt) nvme-cli commands compared"
	if ! diff -u /tmp/cli-nvme.txt /tmp/cli-nvmx.txt; then
		fail "nvme-cli output differs between nvme-tcp and nvmx-tcp"
	fi
	grep -q "$TCP_SERIAL" /tmp/cli-nvmx.txt || fail "id-ctrl did not show the serial"
	diff -u /tmp/list-nvme.txt /tmp/list-nvmx.txt ||
		fail "nvmx list's row differs from nvme list's"
}

main "$@"
