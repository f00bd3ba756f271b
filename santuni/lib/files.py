"""Files that hold personal data, or lead to it, are their owner's only (see settings.py)."""

import os
import stat


def owner_only(path) -> None:
    """Takes group's and others' access away from `path`, if it has any: a file made before
    the umask was set (an existing database), or by a process that did not set it."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        os.chmod(path, mode & 0o700)


def sqlite_owner_only(sender, connection, **kwargs) -> None:
    """On each new connection (signal connection_created): a SQLite database file and its
    -wal and -shm files. SQLite makes those two with the database file's mode, so a database
    made readable before stays so without this; a stat each, when nothing is to change."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    name = str(connection.settings_dict["NAME"])
    for path in (name, f"{name}-wal", f"{name}-shm"):
        owner_only(path)
