# install.mk — make install / uninstall, the man pages and the Debian
# packages (included by the Makefile).
#
#   make install [PREFIX=/usr/local] [DESTDIR=]   installs:
#       $(PREFIX)/bin/sqlite-migrate
#       $(PREFIX)/include/migrate.h
#       $(PREFIX)/lib/libmigrate.a
#       $(PREFIX)/lib/pkgconfig/libmigrate.pc
#       $(PREFIX)/lib/sqlite3/migrate.so     the loadable module: SQLite
#                      derives the entry point sqlite3_migrate_init from the
#                      name, so `.load /usr/local/lib/sqlite3/migrate` works
#       $(PREFIX)/share/man/man1/sqlite-migrate.1, man7/libmigrate.7,
#                      man3/migrate_boot.3, migrate_run.3, migrateSqlToken.3
#                      (+ links for the other names of their functions)
#     BINDIR, LIBDIR, INCLUDEDIR, MANDIR, PKGCONFIGDIR, SQLITE_MODDIR override
#     each folder (the Debian build sets LIBDIR to the multiarch folder).
#   make uninstall [PREFIX=...] [DESTDIR=]   removes exactly those files
#   make man       build/man/*: the pages from tool/man/*.scd (installs
#                  scdoc with apt-get when it is missing)
#   make deb       build/deb/*.deb: libsqlite3-mod-migrate, libmigrate-dev,
#                  sqlite-migrate (tool/deb.sh; packaging in tool/debian/),
#                  then lintian; DEB_BUILD_OPTIONS=nocheck skips the tests
#   make check-install  install into a scratch DESTDIR and check the result
#                  as a user would (tool/check-installed.sh)
#
# Like plain `make`, `make install` installs nothing with apt-get: without
# scdoc it stops with a message naming `make deps`.

PREFIX        ?= /usr/local
BINDIR        ?= $(PREFIX)/bin
LIBDIR        ?= $(PREFIX)/lib
INCLUDEDIR    ?= $(PREFIX)/include
MANDIR        ?= $(PREFIX)/share/man
PKGCONFIGDIR  ?= $(LIBDIR)/pkgconfig
SQLITE_MODDIR ?= $(LIBDIR)/sqlite3
INSTALL       ?= install
SCDOC         ?= scdoc

MAN_PAGES = $(patsubst tool/man/%.scd,build/man/%,$(wildcard tool/man/*.scd))
# Second names of a page, as symbolic links: NAME.3 -> PAGE.3.
MAN_LINKS = migrate_define.3:migrate_boot.3 migrate_apply.3:migrate_boot.3 \
            sqlite3_migrate_init.3:migrate_boot.3 migrate_boot_v2.3:migrate_boot.3 \
            migrate_array_checksum.3:migrate_boot.3 \
            migrate_run_ex.3:migrate_run.3 \
            migrateSkipSpace.3:migrateSqlToken.3 migrateNaturalCmp.3:migrateSqlToken.3

# ---- man pages ------------------------------------------------------------
build/man/%: tool/man/%.scd ext/migrate.h
	@command -v $(SCDOC) >/dev/null 2>&1 || { \
	  echo "make: scdoc (Debian package scdoc) builds the man pages and is not installed;" >&2; \
	  echo "make: run \`make deps\` or \`make man\` first (they install it with apt-get)." >&2; exit 1; }
	@mkdir -p build/man
	sed 's/@VERSION@/$(MIGRATE_VERSION)/g' $< | $(SCDOC) > $@.tmp && mv $@.tmp $@

## man-pages: build the man pages into build/man/ (scdoc must be there: make man installs it)
man-pages: $(MAN_PAGES)

## man: build the man pages into build/man/ (installs scdoc when missing)
man:
	@command -v $(SCDOC) >/dev/null 2>&1 || sh tool/install-deps.sh --only scdoc
	@$(MAKE) --no-print-directory man-pages

# ---- libmigrate.pc ----------------------------------------------------------
# Rewritten only when a folder or the version changes.
PC_SED = -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${exec_prefix}/%,$(LIBDIR))|' \
         -e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
         -e 's|@SQLITE_MODDIR@|$(patsubst $(LIBDIR)/%,$${libdir}/%,$(SQLITE_MODDIR))|' \
         -e 's|@VERSION@|$(MIGRATE_VERSION)|'
build/libmigrate.pc: tool/libmigrate.pc.in FORCE
	@mkdir -p build
	@sed $(PC_SED) tool/libmigrate.pc.in > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# ---- install / uninstall ----------------------------------------------------
INSTALLED = $(BINDIR)/sqlite-migrate $(INCLUDEDIR)/migrate.h $(LIBDIR)/libmigrate.a \
            $(PKGCONFIGDIR)/libmigrate.pc $(SQLITE_MODDIR)/migrate.so \
            $(foreach p,$(MAN_PAGES),$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p))) \
            $(foreach l,$(MAN_LINKS),$(MANDIR)/man3/$(firstword $(subst :, ,$(l))))

## install: install library, header, .pc, module, CLI and man pages (PREFIX=/usr/local DESTDIR=)
install: all man-pages build/libmigrate.pc
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) \
	  $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(SQLITE_MODDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7
	$(INSTALL) -m 755 sqlite-migrate $(DESTDIR)$(BINDIR)/sqlite-migrate
	$(INSTALL) -m 644 ext/migrate.h $(DESTDIR)$(INCLUDEDIR)/migrate.h
	$(INSTALL) -m 644 libmigrate.a $(DESTDIR)$(LIBDIR)/libmigrate.a
	$(INSTALL) -m 644 build/libmigrate.pc $(DESTDIR)$(PKGCONFIGDIR)/libmigrate.pc
	$(INSTALL) -m 644 libmigrate.so $(DESTDIR)$(SQLITE_MODDIR)/migrate.so
	@for p in $(MAN_PAGES); do \
	  s=$${p##*.}; echo "$(INSTALL) -m 644 $$p $(DESTDIR)$(MANDIR)/man$$s/"; \
	  $(INSTALL) -m 644 $$p $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done
	@for l in $(MAN_LINKS); do \
	  echo "ln -sf $${l#*:} $(DESTDIR)$(MANDIR)/man3/$${l%%:*}"; \
	  ln -sf $${l#*:} $(DESTDIR)$(MANDIR)/man3/$${l%%:*} || exit 1; \
	done

## uninstall: remove what make install installed (same PREFIX and DESTDIR)
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(SQLITE_MODDIR) 2>/dev/null

## check-install: make install into build/stage and check it as a user would
check-install: FORCE
	rm -rf $(CURDIR)/build/stage
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/build/stage
	sh tool/check-installed.sh --root $(CURDIR)/build/stage --prefix $(PREFIX) \
	  --moddir $(SQLITE_MODDIR) --version $(MIGRATE_VERSION)
	$(MAKE) --no-print-directory uninstall DESTDIR=$(CURDIR)/build/stage
	@left=$$(find $(CURDIR)/build/stage -type f -o -type l); \
	 if [ -n "$$left" ]; then echo "check-install: uninstall left $$left" >&2; exit 1; fi
	@echo "check-install: uninstall removed every file"

# ---- Debian packages --------------------------------------------------------
# The version of the first line, "libmigrate (0.1.0) unstable; ..." (no
# parentheses in the pattern: make would count them).
DEB_CHANGELOG_VERSION := $(shell sed -n '1s/^[^ ]* .\([^ ]*\). .*/\1/p' tool/debian/changelog 2>/dev/null)

## deb: build the three .deb packages into build/deb/ (dpkg-buildpackage, then lintian)
deb:
	@case '$(DEB_CHANGELOG_VERSION)' in '$(MIGRATE_VERSION)'|'$(MIGRATE_VERSION)'-*) ;; *) \
	  echo "make deb: tool/debian/changelog is at $(DEB_CHANGELOG_VERSION) but MIGRATE_VERSION in ext/migrate.h is $(MIGRATE_VERSION): add a changelog entry" >&2; \
	  exit 1 ;; esac
	sh tool/deb.sh

.PHONY: man man-pages install uninstall check-install deb
