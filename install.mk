# SPDX-License-Identifier: GPL-2.0
# make install / uninstall (included by Makefile).
#
#   make && sudo make install
# installs the module for the kernel of KDIR (modules_install, then depmod),
# the uapi header, libmempool (shared, static, pkg-config file), mempoolctl,
# the man pages, and the udev rule (creating its "mempool" group). Variables:
#   DESTDIR=/tmp/stage  stage everything there; then nothing outside it is
#                       touched (no depmod, ldconfig, groupadd, udevadm:
#                       a package's scripts do those on the target)
#   PREFIX=/usr/local   userspace prefix (LIBDIR, INCLUDEDIR, BINDIR too)
#   MANDIR=PREFIX/share/man
#   UDEVRULESDIR=/etc/udev/rules.d
#   KDIR=...            the kernel to install the module for
# DKMS rebuilds the module for later kernels instead: make dkms-install.
PREFIX ?= /usr/local
UDEVRULESDIR ?= /etc/udev/rules.d
MANDIR ?= $(PREFIX)/share/man
# The release the module is for. From the path when it names one: Debian's
# 6.1 headers say "6.1.192" in kernel.release for kernel 6.1.0-56-amd64.
KRELEASE ?= $(or $(patsubst /lib/modules/%/build,%,$(filter /lib/modules/%/build,$(KDIR))), \
	$(patsubst /usr/src/linux-headers-%,%,$(filter /usr/src/linux-headers-%,$(KDIR:/=))), \
	$(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null))
# The one version of everything (VERSION): module, DKMS package, library.
VERSION := $(shell cat $(CURDIR)/VERSION)
DKMS_SRC = $(DESTDIR)/usr/src/mempool-$(VERSION)
# What another module needs to call mpool_*(): the in-kernel API headers
# (-I$(MPOOL_DEVEL)/include) and, per kernel, the symbol versions
# (KBUILD_EXTRA_SYMBOLS=$(MPOOL_DEVEL)/$(KRELEASE)/Module.symvers).
MPOOL_DEVEL = $(DESTDIR)/usr/src/mempool-$(VERSION)-devel
# Kernels built with CONFIG_MODULE_SIG_ALL but shipped without their key
# (Debian's headers): do not try to sign.
SIGN_KEY = $(wildcard $(KDIR)/$(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="\(.*\)"/\1/p' \
	$(KDIR)/.config 2>/dev/null))

install: install-module install-userspace install-man install-udev

install-module: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) KERNELRELEASE=$(KRELEASE) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates $(if $(SIGN_KEY),,CONFIG_MODULE_SIG_ALL=) modules_install
	$(if $(DESTDIR),@echo "staged: run 'depmod -a $(KRELEASE)' on the target", \
		depmod -a $(KRELEASE))
	install -d $(MPOOL_DEVEL)/include/linux/mpool $(MPOOL_DEVEL)/$(KRELEASE)
	install -m 644 kmod/include/linux/mpool.h $(MPOOL_DEVEL)/include/linux/
	install -m 644 kmod/include/linux/mpool/*.h $(MPOOL_DEVEL)/include/linux/mpool/
	install -m 644 Module.symvers $(MPOOL_DEVEL)/$(KRELEASE)/

install-userspace:
	$(MAKE) -C userspace PREFIX=$(PREFIX) install

# man/*.N into MANDIR/manN; every other name in a page's NAME section
# (man/names.sh) a symlink to it, so that `man mpl_put` finds mpl_get(3).
MAN_PAGES = $(wildcard man/*.[1-9])
install-man:
	@set -e; for p in $(MAN_PAGES); do \
		d=$(DESTDIR)$(MANDIR)/man$${p##*.}; f=$${p##*/}; \
		install -d $$d; install -m 644 $$p $$d/; \
		for n in $$(man/names.sh $$p); do \
			[ "$$n.$${p##*.}" = "$$f" ] || ln -sf $$f $$d/$$n.$${p##*.}; \
		done; \
	done

uninstall-man:
	@for p in $(MAN_PAGES); do \
		d=$(DESTDIR)$(MANDIR)/man$${p##*.}; \
		for n in $$(man/names.sh $$p); do rm -f $$d/$$n.$${p##*.}; done; \
		rmdir $$d 2>/dev/null || true; \
	done

install-udev:
	install -D -m 644 udev/60-mempool.rules $(DESTDIR)$(UDEVRULESDIR)/60-mempool.rules
ifeq ($(DESTDIR),)
	getent group mempool >/dev/null || groupadd --system mempool
	! command -v udevadm >/dev/null || udevadm control --reload
endif

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KRELEASE)/updates/mempool.ko*
	$(if $(DESTDIR),,depmod -a $(KRELEASE))
	rm -rf $(MPOOL_DEVEL)
	$(MAKE) -C userspace PREFIX=$(PREFIX) uninstall
	$(MAKE) uninstall-man
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-mempool.rules
	@echo "left the 'mempool' group in place (groupdel mempool removes it)"

# The module's sources where DKMS wants them, then DKMS builds and installs
# it for the running kernel and, from now on, every new one.
dkms-install:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	tar -cf - Kbuild VERSION $$(find kmod uapi tests/kunit -name '*.[ch]') | \
		tar -xf - -C $(DKMS_SRC)
	sed 's/@VERSION@/$(VERSION)/' dkms.conf.in > $(DKMS_SRC)/dkms.conf
ifeq ($(DESTDIR),)
	dkms install mempool/$(VERSION)
endif

dkms-uninstall:
ifeq ($(DESTDIR),)
	! dkms status mempool/$(VERSION) | grep -q . || \
		dkms remove mempool/$(VERSION) --all
endif
	rm -rf $(DKMS_SRC)

.PHONY: install install-module install-userspace install-man uninstall-man install-udev uninstall \
	dkms-install dkms-uninstall
