#!/bin/bash
# hwmon: the controller's composite temperature is readable through the
# hwmon files and `sensors`; the over-temperature threshold (temp1_max)
# is writable and read back; set below the current temperature it raises
# temp1_alarm; set back, the alarm clears.  For nvmx the same event
# arrives as an asynchronous event, is logged and its log page read, so
# that a second crossing is reported too; so is a critical warning set in
# QEMU's smart_critical_warning through the monitor.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-hwmon
}

guest() {
	local c h temp max aen events

	load_driver
	c=$(ctrl_by_serial nvmx-hwmon)
	h=$(ls -d /sys/class/"$CLASS"/"$c"/hwmon* 2>/dev/null | head -n1)
	[ -n "$h" ] || fail "no hwmon device under /sys/class/$CLASS/$c"
	expect_eq "$(cat "$h"/temp1_label)" Composite "temp1_label"
	temp=$(cat "$h"/temp1_input)
	echo "composite temperature: $temp m°C, max $(cat "$h"/temp1_max), min $(cat "$h"/temp1_min)"
	[ "$temp" -gt -40000 ] && [ "$temp" -lt 150000 ] || fail "temperature $temp out of any sane range"
	expect_eq "$(cat "$h"/temp1_alarm)" 0 "alarm at the start"

	max=$(cat "$h"/temp1_max)
	echo 60000 >"$h"/temp1_max || fail "writing temp1_max"
	# thresholds are whole kelvins: 60 °C is 333 K, read back as 59.85 °C
	expect_eq "$(cat "$h"/temp1_max)" 59850 "temp1_max read back"
	dmesg -C
	if [ "$DRIVER" = nvmx ]; then
		aen=/sys/kernel/debug/nvmx/$c/aen_events
		events=$(cat "$aen")
	fi
	echo $((temp - 10000)) >"$h"/temp1_max || fail "writing temp1_max below the temperature"
	wait_for "[ \"\$(cat $h/temp1_alarm)\" = 1 ]" 30
	echo "$max" >"$h"/temp1_max
	wait_for "[ \"\$(cat $h/temp1_alarm)\" = 0 ]" 30
	if [ "$DRIVER" = nvmx ]; then
		wait_for "[ \"\$(cat $aen)\" = $((events + 1)) ]" 30
		dmesg | grep -q "$c: asynchronous event: SMART / health: temperature" ||
			fail "no log line for the temperature event"
		# the log page was read: the next crossing is reported as well
		echo $((temp - 10000)) >"$h"/temp1_max
		wait_for "[ \"\$(cat $aen)\" = $((events + 2)) ]" 30
		echo "$max" >"$h"/temp1_max
		# a critical warning raised from outside: QEMU's
		# smart_critical_warning, bit 2 (reliability degraded)
		host_hmp "qom-set /machine/peripheral/nvme0 smart_critical_warning 4" >/dev/null
		wait_for "[ \"\$(cat $aen)\" = $((events + 3)) ]" 30
		dmesg | grep -q "$c: asynchronous event: SMART / health: NVM subsystem reliability degraded" ||
			fail "no log line for the reliability event"
		host_hmp "qom-set /machine/peripheral/nvme0 smart_critical_warning 0" >/dev/null
		echo "asynchronous events handled: $(cat $aen)"
	fi

	sensors 2>/dev/null | grep -q '^Composite:' || fail "sensors does not show the composite temperature"
}

main "$@"
