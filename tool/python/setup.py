"""setup.py — builds the libmigrate Python package: the SQLite extension
(a plain shared library, not a Python extension module) compiled from C
sources into the package folder, next to __init__.py.

Where the C sources come from: inside the libmigrate repository, csrc/ is
refreshed from ../../ext/ (the extension), ../../sql/*.sql (turned into C
strings by ../../tool/sql2c.sh, as make does) and SQLite's public headers
sqlite3.h/sqlite3ext.h from /usr/include (or $SQLITE_INCLUDE); an sdist
carries csrc/ itself.  The headers travel with the sources so that
installing needs no SQLite development package: the module calls SQLite
only through the API table of the SQLite that loads it (Python's), and
that table only grows, so the headers of any SQLite >= 3.34 serve.

The wheel holds no Python-specific binary code, so it is tagged py3-none;
on Linux x86_64 the platform tag is manylinux_2_17_x86_64: the module
needs only glibc >= 2.14 (memcpy), which make check-python verifies with
objdump -T.  Nothing is downloaded:
    pip install --no-build-isolation ./tool/python
"""
import os
import re
import shutil
import subprocess
import sys
import sysconfig

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:  # no wheel package: pip installs without building one
    bdist_wheel = None

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
CSRC = os.path.join(HERE, "csrc")


def fail(msg):
    sys.stderr.write("libmigrate: %s\n" % msg)
    raise SystemExit(1)


def refresh_csrc():
    """Copies the C sources in from the repository, when inside it."""
    ext = os.path.join(TOP, "ext")
    if not os.path.isfile(os.path.join(ext, "migrate.h")):
        return  # an sdist: csrc/ came with it
    inc = os.environ.get("SQLITE_INCLUDE", "/usr/include")
    headers = [os.path.join(inc, h) for h in ("sqlite3.h", "sqlite3ext.h")]
    for h in headers:
        if not os.path.isfile(h):
            fail("%s not found: install SQLite's headers (Debian: libsqlite3-dev) "
                 "or set SQLITE_INCLUDE" % h)
    shutil.rmtree(CSRC, ignore_errors=True)
    os.makedirs(CSRC)
    for f in sorted(os.listdir(ext)):
        if f.endswith((".c", ".h")):
            shutil.copy(os.path.join(ext, f), CSRC)
    for h in headers:
        shutil.copy(h, CSRC)
    # every sql/NAME.sql is embedded as the C string migrateNameSql, as the
    # Makefile's GEN_SRC does (storage, hooks, lock, boot)
    for f in sorted(os.listdir(os.path.join(TOP, "sql"))):
        if not f.endswith(".sql"):
            continue
        sql = f[:-4]
        name = "migrate" + sql.capitalize() + "Sql"
        with open(os.path.join(TOP, "sql", f), "rb") as src, \
             open(os.path.join(CSRC, sql + "_sql.c"), "wb") as out:
            subprocess.run(["sh", os.path.join(TOP, "tool", "sql2c.sh"), name],
                           stdin=src, stdout=out, check=True)


def version():
    with open(os.path.join(CSRC, "migrate.h")) as f:
        m = re.search(r'#define MIGRATE_VERSION "([^"]+)"', f.read())
    return m.group(1)


def find_compiler():
    """$CC (may hold flags), else the first of cc, gcc, clang that runs."""
    def works(argv):
        try:
            return subprocess.run(argv + ["--version"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL).returncode == 0
        except OSError:
            return False
    if os.environ.get("CC"):
        cc = os.environ["CC"].split()
        if not works(cc):
            fail("the C compiler CC=%s cannot be run: install it or unset CC" % os.environ["CC"])
        return cc
    for cc in (["cc"], ["gcc"], ["clang"]):
        if works(cc):
            return cc
    fail("no C compiler found (tried cc, gcc, clang): install one "
         "(Debian/Ubuntu: apt-get install gcc)")


def build_module(out):
    """Compiles csrc/*.c into OUT (libmigrate.so)."""
    if not os.path.isfile(os.path.join(CSRC, "sqlite3ext.h")):
        fail("%s is missing: build from the libmigrate repository or an sdist" %
             os.path.join(CSRC, "sqlite3ext.h"))
    cc = find_compiler()
    sources = sorted(os.path.join(CSRC, f) for f in os.listdir(CSRC) if f.endswith(".c"))
    shared = "-dynamiclib" if sys.platform == "darwin" else "-shared"
    argv = cc + ["-std=c99", "-O2", "-fPIC", shared, "-I" + CSRC, "-o", out] + sources
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout)
        m = re.search(r"fatal error: (\S+\.h): No such file or directory", r.stdout)
        if m:
            fail("cannot build: the header %s is missing: install the C library's "
                 "development files (Debian/Ubuntu: apt-get install libc6-dev)" % m.group(1))
        fail("cannot build: %s failed (output above)" % " ".join(cc))


class BuildPy(build_py):
    """build_py, then the shared library into the built package."""

    def run(self):
        super().run()
        dest = os.path.join(self.build_lib, "libmigrate")
        os.makedirs(dest, exist_ok=True)
        # named libmigrate.so so that SQLite derives sqlite3_migrate_init
        name = "libmigrate.dylib" if sys.platform == "darwin" else "libmigrate.so"
        build_module(os.path.join(dest, name))


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True  # a platform wheel (platlib), not a pure one


cmdclass = {"build_py": BuildPy}
if bdist_wheel is not None:
    class BdistWheel(bdist_wheel):
        def finalize_options(self):
            super().finalize_options()
            self.root_is_pure = False

        def get_tag(self):
            plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
            if plat == "linux_x86_64":
                plat = "manylinux_2_17_x86_64"
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = BdistWheel

refresh_csrc()
setup(version=version(), cmdclass=cmdclass, distclass=BinaryDistribution)
