#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/build-module.sh KVER [make arguments]: build nvmx.ko for a kernel
# other than the default one in build/module-<KVER>/, from a copy of the
# sources, so that modules for several kernels live side by side (the
# in-tree build is the default kernel's); tests/lib.sh loads the one for
# the kernel the guest runs.  Extra arguments go to make (C=2 for sparse).
# Prints the module's path.
set -euo pipefail
cd "$(dirname "$0")/.."

kver=${1:?usage: build-module.sh KVER [make arguments]}
shift
[ -d "/lib/modules/$kver/build" ] ||
	{ echo "build-module: no headers for $kver (/lib/modules/$kver/build)" >&2; exit 1; }
mod=build/module-$kver
mkdir -p "$mod/src/core" "$mod/src/pci" "$mod/src/tcp"
cp Kbuild "$mod/"
# only the sources: objects of another kernel must not come along
for d in core pci tcp; do
	rm -f "$mod/src/$d"/*.[ch]
	cp -p src/$d/*.[ch] "$mod/src/$d/"
done
make -s -C "/lib/modules/$kver/build" M="$PWD/$mod" W=1 \
	${CI:+KCFLAGS=-Werror} "$@" modules >&2
echo "$mod/nvmx.ko"
