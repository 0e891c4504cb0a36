# SPDX-License-Identifier: GPL-2.0
# Shared by the NVMe/TCP tests (sourced after tests/lib.sh): Linux's own
# target (nvmet, nvmet-tcp) in the guest on loopback, a brd ramdisk as its
# namespace, and the host under test connected to it: nvmx-tcp for
# DRIVER=nvmx, the in-tree nvme-tcp for DRIVER=nvme.

TCP_NQN=nqn.2026-12.io.nvmx:lab
TCP_SERIAL=nvmx-tcp-lab
TCP_ADDR=127.0.0.1
TCP_PORT=4420
NVMET=/sys/kernel/config/nvmet

# lab_run_tcp [lab.sh options]: lab_run for a TCP test.  Debian's 6.1
# target trips the hardened usercopy check on large loopback receives
# (kernel BUG at mm/usercopy.c, with either host): off there.
lab_run_tcp() {
	lab_run --append hardened_usercopy=off "$@"
}

# tcp_target [SIZE_MB [DEV]]: a subsystem with one namespace of SIZE_MB
# (default 256) on a ramdisk (/dev/ram0; /dev/ram1 is left for
# tcp_ns_add), or on the block device DEV, any host allowed, on a TCP port
# of $TCP_ADDR (127.0.0.1).
tcp_target() {
	local mb=${1:-256} dev=${2:-/dev/ram0} sub ns port

	ip link set lo up || fail "ip link set lo up"
	# 6.12's nvmet loads nvme_core: with the in-tree host's parameter
	# (one disk per controller, as the tests expect), not the default,
	# whichever host this test starts with (540 runs both)
	modprobe nvme_core multipath=N || fail "modprobe nvme_core"
	if [ "$dev" = /dev/ram0 ]; then
		modprobe brd rd_nr=2 rd_size=$((mb * 1024)) || fail "modprobe brd"
	fi
	modprobe nvmet-tcp || fail "modprobe nvmet-tcp"
	mountpoint -q /sys/kernel/config ||
		mount -t configfs configfs /sys/kernel/config || fail "mount configfs"
	sub=$NVMET/subsystems/$TCP_NQN
	mkdir "$sub" || fail "mkdir $sub"
	echo 1 >"$sub/attr_allow_any_host"
	echo "$TCP_SERIAL" >"$sub/attr_serial"
	ns=$sub/namespaces/1
	mkdir "$ns" || fail "mkdir $ns"
	echo "$dev" >"$ns/device_path"
	echo 1 >"$ns/enable" || fail "namespace 1 not enabled"
	port=$NVMET/ports/1
	mkdir "$port" || fail "mkdir $port"
	echo tcp >"$port/addr_trtype"
	echo ipv4 >"$port/addr_adrfam"
	echo "$TCP_ADDR" >"$port/addr_traddr"
	echo "$TCP_PORT" >"$port/addr_trsvcid"
	ln -s "$sub" "$port/subsystems/$TCP_NQN" || fail "port not enabled"
}

# tcp_ns_add NSID DEV / tcp_ns_remove NSID: a namespace enabled on the
# target, or disabled and removed (the target tells its hosts by an
# asynchronous event).
tcp_ns_add() {
	local ns=$NVMET/subsystems/$TCP_NQN/namespaces/$1

	mkdir "$ns" || fail "mkdir $ns"
	echo "$2" >"$ns/device_path"
	echo 1 >"$ns/enable" || fail "namespace $1 not enabled"
}

tcp_ns_remove() {
	local ns=$NVMET/subsystems/$TCP_NQN/namespaces/$1

	echo 0 >"$ns/enable" || fail "namespace $1 not disabled"
	rmdir "$ns" || fail "rmdir $ns"
}

# tcp_port_down / tcp_port_up: take the subsystem off its port (every
# connection to it closes) and give it back.
tcp_port_down() {
	rm "$NVMET/ports/1/subsystems/$TCP_NQN" || fail "port not disabled"
}

tcp_port_up() {
	ln -s "$NVMET/subsystems/$TCP_NQN" "$NVMET/ports/1/subsystems/$TCP_NQN" ||
		fail "port not enabled"
}

# tcp_insmod KO: insmod nvmx-tcp.ko after the kernel modules it needs
# (libcrc32c), which insmod does not load as modprobe would.
tcp_insmod() {
	local d

	for d in $(modinfo -F depends "$1" | tr , ' '); do
		[ "$d" = nvmx ] || modprobe "$d" || fail "modprobe $d"
	done
	insmod "$1" || fail "insmod $1"
}

# tcp_load_host [core module parameters]: the host's modules.
tcp_load_host() {
	if [ "$DRIVER" = nvmx ]; then
		insmod "$(nvmx_ko)" "$@" || fail "insmod nvmx.ko $*"
		tcp_insmod "$(dirname "$(nvmx_ko)")/nvmx-tcp.ko"
	else
		modprobe nvme_core multipath=N "$@" || fail "modprobe nvme_core $*"
		modprobe nvme-tcp || fail "modprobe nvme-tcp"
	fi
}

# fabrics_write OPTS: write an option string to the fabrics device; print
# its answer.  The write's failure is the function's.
fabrics_write() {
	local ans

	exec 3<>"/dev/$DRIVER-fabrics" || fail "open /dev/$DRIVER-fabrics"
	printf '%s' "$1" >&3 || { exec 3>&-; return 1; }
	read -r ans <&3
	exec 3>&-
	echo "$ans"
}

# tcp_connect [extra options]: connect to the target through the fabrics
# device; print its answer (instance=N,cntlid=M).  Fails when refused.
tcp_connect() {
	local opts="transport=tcp,traddr=$TCP_ADDR,trsvcid=$TCP_PORT,nqn=$TCP_NQN"

	[ -z "${1:-}" ] || opts+=",$1"
	fabrics_write "$opts"
}

# tcp_ctrl_of ANSWER: the controller (nvmx0, nvme1, ...) of the fabrics
# device's answer to a connect; an answer of another form fails the test
tcp_ctrl_of() {
	[[ $1 =~ ^instance=([0-9]+), ]] || fail "fabrics device answered '$1'"
	echo "$CLASS${BASH_REMATCH[1]}"
}

# tcp_listening PORT: something listens on 127.0.0.1:PORT
tcp_listening() {
	awk -v p="$(printf ':%04X' "$1")" '$2 ~ p"$" && $4 == "0A" { f = 1 }
		END { exit !f }' /proc/net/tcp
}

# tcp_disconnect CTRL: delete_controller, then wait until it is gone.
tcp_disconnect() {
	echo 1 >"/sys/class/$CLASS/$1/delete_controller" ||
		fail "delete_controller of $1"
	wait_for "[ ! -e /sys/class/$CLASS/$1 ]" 60
}

# tcp_unload_host: the host's modules out (after every disconnect).
tcp_unload_host() {
	if [ "$DRIVER" = nvmx ]; then
		rmmod nvmx-tcp || fail "rmmod nvmx-tcp"
		rmmod nvmx || fail "rmmod nvmx"
	else
		modprobe -r nvme-tcp || fail "modprobe -r nvme-tcp"
	fi
}
