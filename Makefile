# SPDX-License-Identifier: GPL-2.0
# mempool.ko
#
# On a machine with kernel headers:   make && sudo insmod mempool.ko
# Everything else runs in QEMU:       make demo | make shell | make check
# (See README.md.)

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules userspace

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# libmempool (shared and static) and mempoolctl: see userspace/Makefile.
userspace:
	$(MAKE) -C userspace

# The userspace examples against this tree (examples/README.md; the module
# example: make -C examples/kmod MPOOL_TREE=$(CURDIR), after make modules).
examples:
	$(MAKE) -C examples

# install, uninstall, dkms-install, dkms-uninstall (DESTDIR, PREFIX...).
include install.mk

clean:
	-[ ! -d $(KDIR) ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C examples clean
	-[ ! -d $(KDIR) ] || $(MAKE) -C $(KDIR) M=$(CURDIR)/examples/kmod clean
	rm -rf build

# Installs what is missing (root), or prints the command to run.
setup:
	@tests/vm/setup.sh

lint: setup
	@tests/lint.sh

# Lint, the userspace harness, and the module in QEMU on Debian's 6.1 and
# 6.12 kernels and on the debug 6.12 (KUnit, KASAN, lockdep, kmemleak).
check: setup
	@tests/vm/check.sh

# Longer runs than make check can afford, on the debug kernel: the KUnit
# stress suite and the fuzzer at ten and about thirty times their share.
soak: setup
	@MPOOL_KUNIT_ARGS="stress_ops=3000000" MPOOL_FUZZ_CALLS=1000000 \
		MPOOL_VM_TIMEOUT=7200 tests/vm/check.sh debug

# The same suites on a KCSAN kernel (built once, cached).
check-kcsan: setup
	@tests/vm/check.sh kcsan

demo: setup
	@tests/vm/run.sh 6.12 demo

shell: setup
	@tests/vm/run.sh 6.12 shell

# mempool.ko against kmem_cache, kmalloc, mempool_t, objpool and a spinlocked
# stack, in QEMU with 1, 2 and 4 vCPUs: bench/results/ (see bench/run.sh);
# then PMD- against PTE-mapped buffers (bench/huge.sh).
bench: setup
	@bench/run.sh
	@bench/huge.sh

.PHONY: all modules userspace examples clean setup lint check soak check-kcsan demo shell bench
