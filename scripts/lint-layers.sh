#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: the core (src/core/) knows no transport.  Fails when, in the
# core's code (comments aside), a file includes a header outside src/core/
# or a PCI header, names a PCIe notion (the PCI API, a BAR, MMIO, a
# doorbell, a PRP, interrupt vectors, the PCIe queue pair), or names a
# function, variable or type that src/pci/ defines.  Prints each offence.
set -uo pipefail
cd "$(dirname "$0")/.."

bad=0
strip() {	# the file without comments (strings and code as they are)
	gcc -fpreprocessed -dD -E -P -x c "$1" 2>/dev/null ||
		{ echo "lint-layers: cannot read $1" >&2; exit 2; }
}

# what the PCIe transport defines: functions, globals, types, macros
pci_names=$(cat src/pci/*.c src/pci/*.h |
	grep -oE '^[a-z].*[ *](nvmx_[a-z0-9_]+)(\(| =|;| \{)|^#define (NVMX_[A-Z0-9_]+)' |
	sed -E 's/(\(| =|;| \{)$//; s/^#define //; s/.*[ *]//' | sort -u)

# PCIe notions, as identifiers (case-insensitive where it says so)
pcie='\b(pci_[a-z_]+|pdev|PCI_[A-Z_]+|__iomem|readl|writel|readq|writeq|lo_hi_[a-z]+|ioremap|iounmap|bar|bar_size|msix?_[a-z_]+|irq_vector|dma_pool[a-z_]*|NVME_REG_DBS)\b'
pcie_ci='(doorbell|dbbuf|\bprp|_prp|\bsgl_|db_stride|sq_tail|cq_head|cq_phase|cqes|sqes)'

for f in src/core/*.c src/core/*.h; do
	code=$(strip "$f") || exit 2
	while read -r inc; do
		case $inc in
		\<linux/pci*|\<linux/blk-mq-pci.h\>|\<linux/io-64-nonatomic*|\<linux/dmapool.h\>)
			echo "lint-layers: $f includes $inc"; bad=1 ;;
		\"*/*\")
			echo "lint-layers: $f includes $inc from outside src/core"; bad=1 ;;
		esac
	done < <(grep -oE '^#include +[<"][^>"]+[>"]' <<<"$code" | awk '{print $2}')
	hits=$(grep -nE "$pcie" <<<"$code"; grep -niE "$pcie_ci" <<<"$code")
	if [ -n "$hits" ]; then
		echo "lint-layers: $f names PCIe notions:"; echo "$hits" | sed 's/^/    /'
		bad=1
	fi
	for n in $pci_names; do
		if grep -qw "$n" <<<"$code"; then
			echo "lint-layers: $f names $n, which src/pci/ defines"
			bad=1
		fi
	done
done
# the transport's header is not the core's business either way round
if grep -lE '#include +"(\.\./)?pci/' src/core/*.[ch]; then bad=1; fi
[ "$bad" = 0 ] && echo "lint-layers: src/core/ names no PCIe symbol and no src/pci/ definition"
exit "$bad"
