# fresh.mk — `make check-fresh` (included by the Makefile): the README's
# set-up commands, `make install` and the Debian packages, checked on
# brand-new Debian 12 roots built with mmdebstrap, from the committed HEAD.
# Needs root.  About 4 minutes with a warm cache (roots and downloads kept
# in FRESH_CACHE, default /var/cache/libmigrate-fresh); details and the
# list of steps in tool/check-fresh.sh.  CI runs it after `make test`.

## check-fresh: README set-up (bare and preinstalled Debian 12), make install, the .debs, in fresh chroots
check-fresh:
	sh tool/check-fresh.sh

.PHONY: check-fresh
