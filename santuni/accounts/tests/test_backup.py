"""`manage.py backup` and `restore`: a database with people, cases and a directory comes back
row for row, also from a backup taken while another process writes; the operator is told what
is wrong, and never sees a person's data.

The commands run as an operator runs them: `manage.py` in another process, against a real
database (SQLite: a WAL-mode file; PostgreSQL: scratch databases beside the test database).
"""

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from santuni.audit.models import AuditEntry
from santuni.cases.services.cases import case_note_add
from santuni.cases.tests.factories import (
    CLIENT_NAME,
    CLIENT_PHONE,
    MYKAD,
    jkm_service,
    make_case,
    make_referral,
)
from santuni.directory.tests.factories import ServiceFactory

PROJECT = Path(__file__).resolve().parents[3]
PERSONAL = (CLIENT_NAME, MYKAD, MYKAD.replace("-", ""), CLIENT_PHONE, CLIENT_PHONE[3:])
pytestmark = pytest.mark.usefixtures("on_commit_at_once")
# Data committed where other processes see it; the seed data is back for the next tests.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's backup runs in the SQLite run of the suite"
)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's backup runs when DATABASE_URL is a PostgreSQL database (CI's 2nd run)",
)


@pytest.fixture
def people(personas):
    """Two CBOs' cases with every detail of the person, a referral, a note, a directory."""
    case = make_case(personas.cbo_head, oku_card="OKU-7788123")
    make_referral(personas.cbo_head, case, jkm_service(personas))
    case_note_add(actor=personas.cbo_head.membership, case_id=case.pk, text="Nota kes sulit.")
    make_case(personas.other_cbo_head)
    ServiceFactory.create_batch(3, organization=personas.cbo.organization)
    return personas


def manage(database_url: str, *args: str, fails: bool = False, **variables: str) -> str:
    """`manage.py ARGS` against DATABASE_URL; what it printed (checked for personal data)."""
    env = {**os.environ, "DATABASE_URL": database_url, "SANTUNI_TESTING": "1", **variables}
    command = [sys.executable, str(PROJECT / "manage.py"), *args]
    # A command stuck on a lock fails the test rather than hanging the suite.
    done = subprocess.run(
        command, env=env, cwd=PROJECT, capture_output=True, text=True, timeout=300
    )
    said = done.stdout + done.stderr
    assert (done.returncode != 0) == fails, said
    assert not [p for p in PERSONAL if p in said], said
    return said


def snapshot(cursor, tables) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of all its rows."""
    out = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the catalogue)
        rows = sorted(
            repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
            for row in cursor.fetchall()
        )
        out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def assert_private(path: Path, alone: bool = True) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if alone:
        assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left
    else:
        assert not [p for p in path.parent.iterdir() if p.name.endswith(".part")]


class Writer:
    """backup_writer.py in another process, recording cases until stopped."""

    def __init__(self, database_url: str):
        env = {**os.environ, "DATABASE_URL": database_url, "SANTUNI_TESTING": "1"}
        command = [sys.executable, "-m", "santuni.accounts.tests.backup_writer"]
        self.process = subprocess.Popen(
            command, env=env, cwd=PROJECT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        # A writer stuck on a lock is killed: its output ends, and the test fails, not hangs.
        self.watchdog = threading.Timer(300, self.process.kill)
        self.watchdog.daemon = True
        self.watchdog.start()
        self.written = 0

    def wait_for(self, count: int) -> int:
        while True:
            line = self.process.stdout.readline()
            assert line, "the writer stopped"
            self.written = int(line)
            if self.written >= count:
                return self.written

    def stop(self) -> int:
        self.process.stdin.close()
        rest = self.process.stdout.read().split()
        self.watchdog.cancel()
        assert self.process.wait(timeout=60) == 0
        # (Stopped right after the line last read, it has nothing more to say.)
        return int(rest[-1]) if rest else self.written


# --- SQLite ------------------------------------------------------------------------------


def sqlite_file(path: Path) -> str:
    """The test database (with what the test wrote) as a WAL-mode file, as `make run` has it."""
    connection.ensure_connection()
    live = sqlite3.connect(path)
    connection.connection.backup(live)
    live.execute("PRAGMA journal_mode=WAL")
    live.close()
    return f"sqlite:///{path}"


def sqlite_snapshot(path: Path) -> dict:
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return snapshot(db.cursor(), tables)
    finally:
        db.close()


CASE_CREATED = "accounts_auditentry WHERE action = 'case.created'"


def sqlite_count(path: Path, rows: str) -> int:
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return db.execute(f"SELECT count(*) FROM {rows}").fetchone()[0]  # noqa: S608
    finally:
        db.close()


@on_sqlite
@committed
def test_a_sqlite_database_comes_back_row_for_row(people, tmp_path):
    (tmp_path / "live").mkdir()
    (tmp_path / "backups").mkdir()
    live = tmp_path / "live" / "santuni.sqlite3"
    url = sqlite_file(live)
    before = sqlite_snapshot(live)
    assert before["cases_client"][0] == 2 and before["directory_service"][0] >= 4

    saved = tmp_path / "backups" / "santuni.sqlite3"
    assert "checked" in manage(url, "backup", str(saved))
    assert_private(saved)
    with saved.open("rb") as stream:
        assert stream.read(16) == b"SQLite format 3\x00"
    assert sqlite_snapshot(saved) == before

    db = sqlite3.connect(live)
    db.execute("DELETE FROM cases_casenote")
    db.execute("UPDATE directory_organization SET name = 'Diubah'")
    db.execute("DROP TABLE geo_mukim")
    db.execute("CREATE TABLE stray (x)")
    db.commit()
    db.close()
    assert "--force" in manage(url, "restore", str(saved), fails=True)
    assert sqlite_snapshot(live) != before  # refused: nothing changed yet

    said = manage(url, "restore", str(saved), "--force")
    assert "verify_audit_chain" in said and "migrate" not in said
    assert sqlite_snapshot(live) == before  # the stray table is gone too

    # Into a database file that does not exist yet (a new server): no --force needed.
    fresh = tmp_path / "new" / "santuni.sqlite3"
    manage(f"sqlite:///{fresh}", "restore", str(saved))
    assert sqlite_snapshot(fresh) == before
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


@on_sqlite
@committed
def test_a_sqlite_backup_taken_while_another_process_writes_is_consistent(people, tmp_path):
    live = tmp_path / "santuni.sqlite3"
    url = sqlite_file(live)
    first = sqlite_count(live, "cases_case")
    writer = Writer(url)
    try:
        started = writer.wait_for(3)
        manage(url, "backup", str(tmp_path / "during.sqlite3"))
        written = sqlite_count(live, "cases_case") - first
        writer.wait_for(written + 1)  # still writing after the backup was taken
    finally:
        total = writer.stop()
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(tmp_path / "during.sqlite3", copy)
    cases = sqlite_count(copy, "cases_case")
    assert first + started <= cases < first + total  # taken in the middle of the writing
    for rows in ("cases_client", "cases_consent", CASE_CREATED):
        assert sqlite_count(copy, rows) == cases  # no case without its person, consent, audit
    # Checked as a copy apart from the live system (whose checkpoint went on with the writer).
    apart = str(tmp_path / "copy-checkpoint.json")
    assert "intact" in manage(f"sqlite:///{copy}", "verify_audit_chain", AUDIT_CHECKPOINT=apart)


# --- PostgreSQL --------------------------------------------------------------------------


class Scratch:
    """Empty databases on the test database's server, dropped at the end."""

    def __init__(self):
        import psycopg

        self.psycopg = psycopg
        settings = connection.settings_dict
        self.params = {
            "host": settings["HOST"] or None,
            "port": settings["PORT"] or None,
            "user": settings["USER"] or None,
            "password": settings["PASSWORD"] or None,
        }
        netloc = settings["HOST"] + (f":{settings['PORT']}" if settings["PORT"] else "")
        auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        self.server = f"postgres://{auth}@{netloc}" if auth else f"postgres://{netloc}"
        self.names = []

    def admin(self, sql: str) -> None:
        with self.psycopg.connect(dbname="postgres", autocommit=True, **self.params) as db:
            db.execute(sql)

    def create(self) -> str:
        name = f"santuni_backup_{uuid.uuid4().hex[:10]}"
        self.admin(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return name

    def url(self, name: str) -> str:
        return f"{self.server}/{name}"

    def execute(self, name: str, *statements: str) -> None:
        with self.psycopg.connect(dbname=name, **self.params) as db:
            for sql in statements:
                db.execute(sql)

    def snapshot(self, name: str) -> dict:
        with self.psycopg.connect(dbname=name, **self.params) as db:
            cursor = db.cursor()
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return snapshot(cursor, [r[0] for r in cursor.fetchall()])

    def count(self, name: str, rows: str) -> int:
        with self.psycopg.connect(dbname=name, **self.params) as db:
            return db.execute(f"SELECT count(*) FROM {rows}").fetchone()[0]  # noqa: S608

    def drop_all(self) -> None:
        for name in self.names:
            self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch():
    made = Scratch()
    yield made
    made.drop_all()


@on_postgresql
@committed
def test_a_postgresql_database_comes_back_row_for_row(people, scratch, tmp_path):
    test_db = connection.settings_dict["NAME"]
    before = scratch.snapshot(test_db)
    assert before["cases_client"][0] == 2 and before["directory_service"][0] >= 4

    saved = tmp_path / "backups" / "santuni.dump"
    saved.parent.mkdir()
    assert "checked" in manage(scratch.url(test_db), "backup", str(saved))
    assert_private(saved)
    with saved.open("rb") as stream:
        assert stream.read(5) == b"PGDMP"

    copy = scratch.create()
    manage(scratch.url(copy), "restore", str(saved))  # an empty database: no --force needed
    assert scratch.snapshot(copy) == before

    scratch.execute(
        copy,
        "DELETE FROM cases_casenote",
        "UPDATE directory_organization SET name = 'Diubah'",
        "DROP TABLE geo_mukim CASCADE",
    )
    assert "--force" in manage(scratch.url(copy), "restore", str(saved), fails=True)
    assert scratch.snapshot(copy) != before  # refused: nothing changed yet
    said = manage(scratch.url(copy), "restore", str(saved), "--force")
    assert "verify_audit_chain" in said and "migrate" not in said
    assert scratch.snapshot(copy) == before


@on_postgresql
@committed
def test_a_postgresql_backup_taken_while_another_process_writes_is_consistent(
    people, scratch, tmp_path
):
    test_db = connection.settings_dict["NAME"]
    first = scratch.count(test_db, "cases_case")
    writer = Writer(scratch.url(test_db))
    try:
        started = writer.wait_for(3)
        manage(scratch.url(test_db), "backup", str(tmp_path / "during.dump"))
        written = scratch.count(test_db, "cases_case") - first
        writer.wait_for(written + 1)  # still writing after the backup was taken
    finally:
        total = writer.stop()
    copy = scratch.create()
    manage(scratch.url(copy), "restore", str(tmp_path / "during.dump"))
    cases = scratch.count(copy, "cases_case")
    assert first + started <= cases < first + total  # taken in the middle of the writing
    for rows in ("cases_client", "cases_consent", CASE_CREATED):
        assert scratch.count(copy, rows) == cases  # no case without its person, consent, audit
    assert "intact" in manage(scratch.url(copy), "verify_audit_chain")


# --- what the operator is told -----------------------------------------------------------


def other_kind(path: Path) -> Path:
    """A backup of the other kind of database than the configured one."""
    if connection.vendor == "sqlite":
        path.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01" + bytes(100))
    else:
        sqlite3.connect(path).execute("CREATE TABLE django_migrations (id)")
    return path


@pytest.mark.django_db
def test_restore_says_what_is_wrong_with_the_file(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(4096))
    foreign = tmp_path / "foreign.sqlite3"
    sqlite3.connect(foreign).execute("CREATE TABLE notes (text)")
    kind = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]
    cases = [
        (tmp_path / "missing.sqlite3", "no such file"),
        (tmp_path, "is a folder"),
        (junk, "not a Santuni backup"),
        (other_kind(tmp_path / "other"), f"the configured database \\(DATABASE_URL\\) is {kind}"),
    ]
    if connection.vendor == "sqlite":
        cases.append((foreign, "not a Santuni database"))
    for path, message in cases:
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(path), "--force", stdout=StringIO())


@committed
def test_backup_says_where_it_cannot_write(tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("backup", str(tmp_path / "no" / "such" / "folder.bak"), stdout=StringIO())
    with pytest.raises(CommandError, match="is a folder"):
        call_command("backup", str(tmp_path), stdout=StringIO())
    assert list(tmp_path.iterdir()) == []
    earlier = tmp_path / "earlier.bak"
    earlier.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="exists: give another name, or --force"):
        call_command("backup", str(earlier), stdout=StringIO())
    assert earlier.read_bytes() == b"yesterday's backup"
    call_command("backup", str(earlier), "--force", stdout=StringIO())
    assert_private(earlier)


def test_the_tools_errors_are_passed_on_without_the_values_they_quote():
    from santuni.lib.backup import tool_messages

    stderr = (
        "pg_restore: while PROCESSING TOC:\n"
        'pg_restore: error: COPY failed for table "cases_client": ERROR:  invalid input syntax'
        f' for type uuid: "{CLIENT_NAME}"\n'
        f'CONTEXT:  COPY cases_client, line 1: "1\t{CLIENT_NAME}\t{CLIENT_PHONE}"\n'
        "pg_restore: error: could not execute query: ERROR:  duplicate key value DETAIL: Key"
        f" (phone)=({CLIENT_PHONE}) already exists.\n"
    )
    said = tool_messages("pg_restore", stderr)
    assert 'COPY failed for table "cases_client": ERROR:  invalid input syntax' in said
    assert "duplicate key value" in said
    assert CLIENT_NAME not in said and CLIENT_PHONE not in said


@committed
def test_a_backup_is_made_while_the_database_is_open_here_too(people, tmp_path):
    """In-process, as santuni/tests/test_privacy_scan.py uses it: the file is the database."""
    saved = tmp_path / "here.bak"
    out = StringIO()
    started = time.perf_counter()
    call_command("backup", str(saved), stdout=out)
    assert time.perf_counter() - started < 30
    assert str(saved) in out.getvalue()
    assert_private(saved)


@on_sqlite
@pytest.mark.django_db
def test_a_sqlite_backup_is_refused_inside_a_transaction_rather_than_waiting_for_ever(tmp_path):
    with pytest.raises(CommandError, match="inside a transaction"):
        call_command("backup", str(tmp_path / "never.bak"), stdout=StringIO())
    assert list(tmp_path.iterdir()) == []


@committed
def test_a_backup_leaves_an_audit_checkpoint_that_finds_rows_cut_from_the_end(
    people, tmp_path, settings
):
    """The checkpoint is kept apart from the database: rows deleted from the end of the audit
    trail after a backup are found, and the next backup says so rather than forget them."""
    last = AuditEntry.objects.order_by("-id").first()  # the people's cases were audited
    out = StringIO()
    call_command("backup", str(tmp_path / "first.bak"), stdout=out)
    checkpoint = Path(settings.SANTUNI["AUDIT_CHECKPOINT"])
    assert str(checkpoint) in out.getvalue()
    assert stat.S_IMODE(checkpoint.stat().st_mode) == 0o600
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditentry WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match=f"#{last.pk}"):
        call_command("verify_audit_chain", stdout=StringIO())
    with pytest.raises(CommandError, match=f"#{last.pk}") as failed:
        call_command("backup", str(tmp_path / "second.bak"), stdout=StringIO())
    assert "second.bak" in str(failed.value)  # the backup itself is made
    assert_private(tmp_path / "second.bak", alone=False)
