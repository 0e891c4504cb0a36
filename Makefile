# SPDX-License-Identifier: GPL-2.0
# nvmx: build the module, lint it, run the lab and the tests.

KVER ?= $(shell scripts/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
CHECKPATCH ?= /usr/local/share/nvmx/checkpatch/scripts/checkpatch.pl
SRCS := $(wildcard src/*.c src/*.h)

all: nvmx.ko

nvmx.ko: $(SRCS) Kbuild
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 $(if $(CI),KCFLAGS=-Werror) modules

setup:
	scripts/setup.sh

lint: setup
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 CF="-D__CHECK_ENDIAN__" modules 2>&1 | tee build/sparse.log
	! grep -E '(warning|error):' build/sparse.log
	$(CHECKPATCH) --strict --no-tree --quiet --show-types -f $(SRCS)

unit:
	$(MAKE) -C tests/unit run

run: setup nvmx.ko
	scripts/run-demo.sh

check: setup nvmx.ko
	tests/run.sh

bench: setup nvmx.ko
	scripts/bench.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tests/unit clean
	rm -rf build

.PHONY: all setup lint unit run check bench clean
