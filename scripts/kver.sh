#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the Debian 6.1 kernel version the module and the lab use: $KVER if
# set, else the newest 6.1 *-amd64 kernel installed.
if [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi
ls -d /lib/modules/6.1.*-amd64 2>/dev/null | sort -V | tail -n1 | xargs -r basename
