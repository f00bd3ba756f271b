"""Backups of the whole database to one file, and back: SQLite's online backup API, or
PostgreSQL's pg_dump (custom format) and pg_restore. Used by `manage.py backup` and `restore`.

A backup holds personal data (MyKad and OKU card numbers stay encrypted with
FIELD_ENCRYPTION_KEYS, which are not in it): files are made readable by their owner only.
Messages name files, tables and counts, never a value from a row.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"  # pg_dump's custom format
# What makes a database Santuni's: the migrations' record and the directory's core table.
SANTUNI_TABLES = ("django_migrations", "directory_organization")
KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """What went wrong, in words for the operator."""


@dataclass
class Result:
    kind: str  # "sqlite" or "postgresql"
    path: Path
    tables: int
    size: int


def kind_of(path: Path) -> str:
    """Which database a backup file is of, from its first bytes."""
    try:
        with path.open("rb") as stream:
            head = stream.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder, not a backup file") from None
    except OSError as error:
        raise BackupError(f"{path}: cannot read it ({error.strerror})") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} is not a Santuni backup: neither a SQLite database nor a pg_dump archive"
    )


def backup(connection, target: Path, *, force: bool = False, pg_bin: str | None = None) -> Result:
    """Copies the database of a Django connection to `target`, checked, mode 0600."""
    if connection.vendor == "sqlite":
        return _sqlite_backup(connection, target, force=force)
    if connection.vendor == "postgresql":
        return _postgresql_backup(connection, target, force=force, pg_bin=pg_bin)
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


def restore(connection, source: Path, *, force: bool = False, pg_bin: str | None = None) -> Result:
    """Replaces the database of a Django connection with a backup made by `backup`."""
    if connection.vendor not in KINDS:
        raise BackupError(f"restoring {connection.vendor} databases is not supported")
    kind = kind_of(source)
    if kind != connection.vendor:
        raise BackupError(
            f"{source} is a backup of a {KINDS[kind]} database; the configured database "
            f"(DATABASE_URL) is {KINDS[connection.vendor]}"
        )
    if kind == "sqlite":
        return _sqlite_restore(connection, source, force=force)
    return _postgresql_restore(connection, source, force=force, pg_bin=pg_bin)


# --- files ---------------------------------------------------------------------------------


def _partial(target: Path, force: bool) -> Path:
    """An empty file beside the target (mode 0600, as mkstemp makes it) to write into."""
    if target.is_dir():
        raise BackupError(f"{target} is a folder: give the name of the backup file")
    if target.exists() and not force:
        raise BackupError(f"{target} exists: give another name, or --force to replace it")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    return Path(name)


def _finish(partial: Path, target: Path) -> int:
    """Puts the written file under its name at once: never a half-written backup there."""
    os.chmod(partial, 0o600)
    with partial.open("rb+") as stream:
        os.fsync(stream.fileno())
    os.replace(partial, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return target.stat().st_size


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_backup(connection, target: Path, *, force: bool) -> Result:
    live = connection.settings_dict["NAME"]
    if not connection.is_in_memory_db() and target.exists() and target.samefile(live):
        raise BackupError(f"{target} is the configured database itself")
    if connection.in_atomic_block:
        # SQLite's backup waits for the connection's own write transaction: for ever.
        raise BackupError("a backup cannot be taken inside a transaction")
    partial = _partial(target, force)
    try:
        copy = sqlite3.connect(partial)
        try:
            connection.ensure_connection()
            # One step (pages=-1): a consistent snapshot, taken in one read transaction while
            # other processes go on writing (WAL mode lets them).
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
            tables = _sqlite_check(copy, "the copy")
        except sqlite3.Error as error:
            raise BackupError(f"the backup failed: {error}") from None
        finally:
            copy.close()
        size = _finish(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Result("sqlite", target, tables, size)


def _sqlite_check(db: sqlite3.Connection, label: str) -> int:
    """Number of tables, after SQLite's integrity check and a look for Santuni's tables."""
    try:
        problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
        tables = {
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith("sqlite_")
        }
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{label} is not a usable SQLite database ({error})") from None
    if problems != ["ok"]:
        # The check names tables, indexes and row numbers, never a value.
        raise BackupError(f"{label} is damaged: " + "; ".join(problems[:5]))
    missing = [name for name in SANTUNI_TABLES if name not in tables]
    if missing:
        raise BackupError(f"{label} is not a Santuni database (no {', '.join(missing)} table)")
    return len(tables)


def _sqlite_tables(db: sqlite3.Connection) -> int:
    query = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return db.execute(query).fetchone()[0]


def _sqlite_restore(connection, source: Path, *, force: bool) -> Result:
    try:
        backup = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{source}: cannot open it ({error})") from None
    try:
        _sqlite_check(backup, str(source))
        if connection.is_in_memory_db():
            raise BackupError("the configured database is in memory: nothing to restore into")
        target = Path(connection.settings_dict["NAME"])
        if target.exists() and target.samefile(source):
            raise BackupError(f"{source} is the configured database itself")
        connection.close()  # this process holds nothing open while the database changes
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        live = sqlite3.connect(target, timeout=30, isolation_level=None)
        try:
            tables = _sqlite_tables(live)
            if tables and not force:
                raise BackupError(
                    f"{target} already holds a database ({tables} tables) and restoring "
                    "replaces all of it: stop the server and the worker, then run again "
                    "with --force"
                )
            # SQLite writes the whole backup into the database in one transaction (through
            # its WAL), so its -wal and -shm files stay consistent with it.
            backup.backup(live)
            live.execute("PRAGMA journal_mode=WAL")
            live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            tables = _sqlite_check(live, str(target))
        except sqlite3.Error as error:
            raise BackupError(f"restoring into {target} failed: {error}") from None
        finally:
            live.close()
    finally:
        backup.close()
    return Result("sqlite", target, tables, target.stat().st_size)


# --- PostgreSQL ----------------------------------------------------------------------------


def pg_environment(settings_dict: dict) -> dict:
    """libpq's variables for a Django database: the password never goes on a command line."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service"):
        if options.get(option):
            env[f"PG{option.upper()}"] = str(options[option])
    return env


def pg_tool(name: str, server_version: int, pg_bin: str | None = None) -> str:
    """pg_dump or pg_restore of the server's major version (or newer): from --pg-bin, else
    Debian's /usr/lib/postgresql/<major>/bin, else the PATH."""
    major = server_version // 10000
    if pg_bin:
        candidates = [Path(pg_bin) / name]
    else:
        candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
        found = shutil.which(name)
        candidates += [Path(found)] if found else []
    tool = next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)
    if tool is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL {major} client "
            f"(Debian: postgresql-client-{major}) or give its folder with --pg-bin"
        )
    done = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
        [str(tool), "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    version = re.search(r"\s(\d+)(?:\.\d+)*", done.stdout)
    if done.returncode or not version:
        raise BackupError(f"{tool} --version failed")
    if int(version.group(1)) < major:
        raise BackupError(
            f"{tool} is version {version.group(1)} and the server is PostgreSQL {major}: "
            f"install postgresql-client-{major} or give its folder with --pg-bin"
        )
    return str(tool)


def tool_messages(name: str, stderr: str) -> str:
    """The tools' own lines, without what can quote a row: PostgreSQL puts values in DETAIL
    and CONTEXT lines and after the colon of some errors ('invalid input syntax ...: "x"')."""
    lines = []
    for line in stderr.splitlines():
        if not line.startswith(f"{name}:"):
            continue
        line = re.split(r"\s(?:DETAIL|CONTEXT):", line)[0]
        head, error, rest = line.partition("ERROR:")
        if error:
            line = head + error + rest.split(":")[0]
        lines.append(line.strip())
    return "\n".join(lines[:10]) or f"{name} gave no reason"


def _run(argv: list[str], env: dict) -> str:
    name = Path(argv[0]).name
    done = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
        argv, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise BackupError(
            f"{name} failed (exit status {done.returncode}):\n{tool_messages(name, done.stderr)}"
        )
    return done.stdout


def _pg_check(restore_tool: str, path: Path, env: dict, label: str) -> int:
    """Number of tables with data in a pg_dump archive, after a look for Santuni's tables."""
    listing = _run([restore_tool, "--list", str(path)], env)
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE DATA \S+ (\S+) ", listing, re.MULTILINE))
    missing = [name for name in SANTUNI_TABLES if name not in tables]
    if missing:
        raise BackupError(f"{label} is not a Santuni database (no {', '.join(missing)} table)")
    return len(tables)


def _postgresql_backup(connection, target: Path, *, force: bool, pg_bin: str | None) -> Result:
    connection.ensure_connection()
    version = connection.pg_version
    dump, restore_tool = pg_tool("pg_dump", version, pg_bin), pg_tool("pg_restore", version, pg_bin)
    env = pg_environment(connection.settings_dict)
    partial = _partial(target, force)
    try:
        # pg_dump reads one snapshot (MVCC): writes going on meanwhile are not half in it.
        # It opens the existing 0600 file rather than making one.
        argv = [dump, "--format=custom", "--no-password", "--lock-wait-timeout=60s"]
        _run([*argv, f"--file={partial}"], env)
        tables = _pg_check(restore_tool, partial, env, "the dump")
        size = _finish(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Result("postgresql", target, tables, size)


def _postgresql_restore(connection, source: Path, *, force: bool, pg_bin: str | None) -> Result:
    connection.ensure_connection()
    tool = pg_tool("pg_restore", connection.pg_version, pg_bin)
    env = pg_environment(connection.settings_dict)
    tables = _pg_check(tool, source, env, str(source))
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        present = len(connection.introspection.table_names(cursor))
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        others = cursor.fetchone()[0]
    connection.close()
    if present and not force:
        raise BackupError(
            f"database {name} already holds {present} tables and restoring replaces what the "
            "backup has: stop the app servers and the worker, then run again with --force"
        )
    if others:
        raise BackupError(
            f"{others} other connection(s) to database {name}: stop the app servers and the "
            "worker first"
        )
    # One transaction: a restore that fails leaves the database as it was.
    argv = [tool, "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    argv += ["--exit-on-error", "--no-password", f"--dbname={name}", str(source)]
    _run(argv, env)
    return Result("postgresql", source, tables, source.stat().st_size)
