"""libmigrate — SQLite migrations kept inside the database, for Python's
sqlite3: the libmigrate SQLite extension (the ``migrations`` table,
``SELECT migrate()``, ``SELECT rollback()``...) and two functions.

    import sqlite3, libmigrate
    conn = sqlite3.connect("app.db", isolation_level=None)
    libmigrate.load(conn)
    conn.execute("SELECT migrate()")

load() enables extension loading on the connection, loads the module and
disables loading again, so SQL run later cannot load anything.
"""
import os
import sqlite3
import sys

__all__ = ["load", "loadable_path"]
__version__ = "0.1.0"

_NAME = "libmigrate.dylib" if sys.platform == "darwin" else "libmigrate.so"


def loadable_path() -> str:
    """Absolute path of the extension module (…/libmigrate/libmigrate.so).

    Its file name makes SQLite look for the entry point
    sqlite3_migrate_init, so any binding can load it by path alone.
    """
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), _NAME)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            "libmigrate: %s is missing: reinstall the package "
            "(pip install --no-build-isolation ./tool/python)" % path)
    return path


def load(conn: sqlite3.Connection) -> None:
    """Loads the extension into conn: enables extension loading, loads,
    and disables loading again (also when loading fails)."""
    if not isinstance(conn, sqlite3.Connection):
        raise TypeError("libmigrate.load(conn): conn must be a sqlite3.Connection, not %s"
                        % type(conn).__name__)
    if not hasattr(conn, "enable_load_extension"):
        raise RuntimeError(
            "libmigrate.load(conn): this Python's sqlite3 module cannot load extensions "
            "(it was built without --enable-loadable-sqlite-extensions); use a Python "
            "that can, such as Debian's /usr/bin/python3")
    path = loadable_path()
    conn.enable_load_extension(True)
    try:
        conn.load_extension(path)
    finally:
        conn.enable_load_extension(False)
