"""Files that hold personal data, or lead to it, are their owner's only (see settings.py)."""

import os
import stat
import tempfile
from pathlib import Path


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


def write_private(path: Path, text: str) -> None:
    """`text` as the whole of the file at `path`, mode 0600, replaced at once: a reader
    never finds it half-written."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)
