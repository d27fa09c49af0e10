# SPDX-License-Identifier: LGPL-2.1-or-later
# Installing libmempool and mempoolctl (included by Makefile).
# DESTDIR stages the install; nothing outside it is touched when it is set.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL ?= install

install: all lib
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/mempool/linux
	$(INSTALL) -m 755 $(OUT)/mempoolctl $(DESTDIR)$(BINDIR)/mempoolctl
	$(INSTALL) -D -m 644 completion/mempoolctl $(DESTDIR)$(BASHCOMPDIR)/mempoolctl
	$(INSTALL) -m 644 include/mempool.h $(DESTDIR)$(INCLUDEDIR)/mempool.h
	@# Not in $(INCLUDEDIR)/linux, which the kernel headers package owns.
	$(INSTALL) -m 644 ../uapi/linux/mempool.h $(DESTDIR)$(INCLUDEDIR)/mempool/linux/mempool.h
	$(INSTALL) -m 644 $(OBJDIR)/libmempool.a $(DESTDIR)$(LIBDIR)/libmempool.a
	$(INSTALL) -m 755 $(OBJDIR)/libmempool.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libmempool.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmempool.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    lib/mempool.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/mempool.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/mempool.pc
	@# The loader's cache: only on the real system.
	[ -n "$(DESTDIR)" ] || ! command -v ldconfig >/dev/null || ldconfig

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mempoolctl $(DESTDIR)$(INCLUDEDIR)/mempool.h \
	      $(DESTDIR)$(INCLUDEDIR)/mempool/linux/mempool.h $(DESTDIR)$(LIBDIR)/libmempool.a \
	      $(DESTDIR)$(LIBDIR)/libmempool.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	      $(DESTDIR)$(LIBDIR)/libmempool.so $(DESTDIR)$(PKGCONFIGDIR)/mempool.pc \
	      $(DESTDIR)$(BASHCOMPDIR)/mempoolctl
	rmdir $(DESTDIR)$(INCLUDEDIR)/mempool/linux $(DESTDIR)$(INCLUDEDIR)/mempool 2>/dev/null || true
	[ -n "$(DESTDIR)" ] || ! command -v ldconfig >/dev/null || ldconfig

.PHONY: install uninstall
