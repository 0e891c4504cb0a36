# SPDX-License-Identifier: GPL-2.0
# nvmx: build the module, lint it, run the lab and the tests.

SHELL := /bin/bash

# KVER: the kernel to build for and boot in the lab; the default is the
# newest Debian 6.1 kernel installed, built in the tree (nvmx.ko).  Any
# other (KVER=$$(scripts/kver.sh 6.12)) builds in build/module-<KVER>/.
# (recursive: on a fresh machine the kernels appear only once setup ran)
DEFAULT_KVER = $(shell KVER= scripts/kver.sh 2>/dev/null)
ifeq ($(origin KVER),undefined)
KVER = $(DEFAULT_KVER)
else ifeq ($(strip $(KVER)),)
$(error KVER is set but empty: no such kernel installed? (make setup installs 6.1 and 6.12))
endif
KDIR ?= /lib/modules/$(KVER)/build
CHECKPATCH ?= /usr/local/share/nvmx/checkpatch/scripts/checkpatch.pl
SRCS := $(wildcard src/*/*.c src/*/*.h)
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

all: module tool

# the command-line tool (connect, disconnect, list)
tool: build/nvmx
build/nvmx: tools/nvmx.c
	mkdir -p build
	$(CC) -O2 -Wall -Wextra $(if $(CI),-Werror) -o $@ $<

# the tree's own build is the default kernel's (or KDIR's, given with it)
nvmx.ko: $(SRCS) Kbuild
	$(MAKE) -C $(if $(filter $(KVER),$(DEFAULT_KVER)),$(KDIR),/lib/modules/$(DEFAULT_KVER)/build) M=$(CURDIR) W=1 $(if $(CI),KCFLAGS=-Werror) modules

ifeq ($(KVER),$(DEFAULT_KVER))
MODDIR := $(CURDIR)
module: nvmx.ko
else
MODDIR := $(CURDIR)/build/module-$(KVER)
module:
	scripts/build-module.sh $(KVER)
endif

setup:
	scripts/setup.sh

# sparse and W=1 on every supported kernel: 6.1 in the tree, 6.12 in
# build/module-<6.12 release>/
lint: setup
	mkdir -p build
	set -o pipefail; $(MAKE) -C /lib/modules/$(DEFAULT_KVER)/build M=$(CURDIR) W=1 C=2 CF="-D__CHECK_ENDIAN__" modules 2>&1 | tee build/sparse.log
	set -o pipefail; k612=$$(scripts/kver.sh 6.12) && \
		scripts/build-module.sh "$$k612" C=2 CF="-D__CHECK_ENDIAN__" 2>&1 | tee build/sparse-6.12.log
	! grep -iE '(warning|error)' build/sparse.log build/sparse-6.12.log
	$(CHECKPATCH) --strict --no-tree --quiet --show-types -f $(SRCS)
	scripts/lint-layers.sh

unit:
	$(MAKE) -C tests/unit run

run: setup module tool
	scripts/run-demo.sh

check: setup module tool
	tests/run.sh

# the core and reliability tests on the debug kernel (built once, cached)
check-debug: setup
	scripts/check-debug.sh

# the data path tests behind an emulated IOMMU (DMA mistakes are DMAR
# faults), against both drivers
check-iommu: setup module
	LAB_IOMMU=1 RESULTS=build/tests-iommu \
		TESTS="$${TESTS:-100-fio 110 145 155 310 320 410}" tests/run.sh

bench: setup module
	scripts/bench.sh

# instructions per I/O, counted exactly, both drivers (docs/cost.md)
cost: setup module
	scripts/cost.sh

# where the guest's CPU time goes at QD1, both drivers (docs/bench.md)
profile: setup module
	scripts/profile.sh

# make install [DESTDIR=...] [KVER=...]: the module (extra/) and the udev rules
install: module tool
	$(MAKE) -C $(KDIR) M=$(MODDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra modules_install
	install -D -m 644 udev/60-nvmx.rules $(DESTDIR)/lib/udev/rules.d/60-nvmx.rules
	install -D -m 755 build/nvmx $(DESTDIR)/usr/local/sbin/nvmx
	$(if $(DESTDIR),,depmod $(KVER))

uninstall:
	rm -f /lib/modules/$(KVER)/extra/nvmx.ko* /lib/modules/$(KVER)/extra/nvmx-tcp.ko* \
		/lib/udev/rules.d/60-nvmx.rules /usr/local/sbin/nvmx
	depmod $(KVER)

# make dkms-install: sources to /usr/src/nvmx-$(VERSION), dkms add, build
# and install for $(KVER); make dkms-remove undoes it
dkms-install: dkms-remove
	mkdir -p /usr/src/nvmx-$(VERSION)/src/core /usr/src/nvmx-$(VERSION)/src/pci \
		/usr/src/nvmx-$(VERSION)/src/tcp /usr/src/nvmx-$(VERSION)/udev
	cp Kbuild Makefile dkms.conf /usr/src/nvmx-$(VERSION)/
	cp src/core/*.[ch] /usr/src/nvmx-$(VERSION)/src/core/
	cp src/pci/*.[ch] /usr/src/nvmx-$(VERSION)/src/pci/
	cp src/tcp/*.[ch] /usr/src/nvmx-$(VERSION)/src/tcp/
	cp udev/60-nvmx.rules /usr/src/nvmx-$(VERSION)/udev/
	dkms add nvmx/$(VERSION)
	dkms build nvmx/$(VERSION) -k $(KVER)
	dkms install nvmx/$(VERSION) -k $(KVER)
	install -D -m 644 udev/60-nvmx.rules /lib/udev/rules.d/60-nvmx.rules

dkms-remove:
	if dkms status nvmx/$(VERSION) | grep -q nvmx; then dkms remove nvmx/$(VERSION) --all; fi
	rm -rf /usr/src/nvmx-$(VERSION) /lib/udev/rules.d/60-nvmx.rules

clean:
	$(MAKE) -C /lib/modules/$(DEFAULT_KVER)/build M=$(CURDIR) clean
	$(MAKE) -C tests/unit clean
	rm -rf build

.PHONY: all module tool setup lint unit run check check-debug check-iommu bench cost profile install uninstall dkms-install dkms-remove clean
