#!/bin/bash
# hwmon: the controller's composite temperature is readable through the
# hwmon files and `sensors`; the over-temperature threshold (temp1_max)
# is writable and read back; set below the current temperature it raises
# temp1_alarm; set back, the alarm clears.
. tests/lib.sh

host() {
	lab_run --nvme serial=nvmx-hwmon
}

guest() {
	local c h temp max

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
	echo $((temp - 10000)) >"$h"/temp1_max || fail "writing temp1_max below the temperature"
	wait_for "[ \"\$(cat $h/temp1_alarm)\" = 1 ]" 30
	echo "$max" >"$h"/temp1_max
	wait_for "[ \"\$(cat $h/temp1_alarm)\" = 0 ]" 30

	sensors 2>/dev/null | grep -q '^Composite:' || fail "sensors does not show the composite temperature"
}

main "$@"
