# mempool.ko
#
# On a machine with kernel headers:   make && sudo insmod mempool.ko
# Everything else runs in QEMU:       make demo | make shell | make check
# (See README.md.)

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a

clean:
	-[ ! -d $(KDIR) ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
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

# The same suites on a KCSAN kernel (built once, cached).
check-kcsan: setup
	@tests/vm/check.sh kcsan

demo: setup
	@tests/vm/run.sh 6.12 demo

shell: setup
	@tests/vm/run.sh 6.12 shell

.PHONY: all modules install clean setup lint check check-kcsan demo shell
