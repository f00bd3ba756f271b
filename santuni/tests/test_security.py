"""Hardening: headers on every page, no inline script, CSRF on forms, a clean deploy check."""

import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from santuni.accounts.tests.personas import PASSWORD
from santuni.lib.spreadsheets import FORMULA_STARTS, csv_writer, guarded, unguarded

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "santuni").glob("**/templates/**/*.html"))


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_and_other_headers(client):
    response = client.get(reverse("directory:home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_style(template):
    html = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"\sstyle=", html), "inline style"


@pytest.mark.django_db
def test_forms_refuse_a_post_without_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:sign_in"),
        {"username": personas.cbo_head.user.email, "password": PASSWORD},
    )
    assert response.status_code == 403


def _deploy_check(tmp_path, **settings) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "SANTUNI", "DEBUG"))}
    env.update(
        SECRET_KEY="x9" * 30 + "-production-like-secret-key",
        SECURE_SSL="1",
        ALLOWED_HOSTS="santuni.example.my",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        SANTUNI_VAR_DIR=str(tmp_path),
        **settings,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deploy_check_is_clean_under_production_settings(tmp_path):
    result = _deploy_check(
        tmp_path,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PERSONAL_HASH_KEY="h7" * 20,
        SANTUNI_BASE_URL="https://santuni.example.my",
        AUDIT_KEY="a7" * 24,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_asks_for_keys_of_their_own_for_personal_data(tmp_path):
    result = _deploy_check(tmp_path)
    assert result.returncode != 0
    assert "santuni.W001" in result.stdout + result.stderr


# --- spreadsheets ----------------------------------------------------------------------------


@given(st.text() | st.sampled_from(FORMULA_STARTS).flatmap(lambda s: st.text().map(s.__add__)))
@example("''+60123456789")
def test_no_csv_cell_starts_a_formula_and_each_reads_back_as_it_was(text):
    cell = guarded(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert unguarded(cell) == text


def test_numbers_stay_numbers_and_text_that_looks_like_one_is_text():
    out = io.StringIO()
    csv_writer(out).writerow([-3, Decimal("-1.5"), "-3", "+60123456789", "Taska"])
    assert out.getvalue() == "-3,-1.5,'-3,'+60123456789,Taska\r\n"


def test_every_csv_and_xlsx_writer_goes_through_the_guard():
    """A writer of spreadsheet files added later uses santuni.lib.spreadsheets too."""
    helper = ROOT / "santuni" / "lib" / "spreadsheets.py"
    sources = [
        p for p in (ROOT / "santuni").glob("**/*.py") if "tests" not in p.parts and p != helper
    ]
    assert sources
    for path in sources:
        source = path.read_text()
        assert not re.search(r"\bcsv\.(writer|DictWriter)\b", source), path
        if re.search(r"^(from|import) openpyxl", source, re.M):
            assert "xlsx_append" in source, path


# --- files on disk ---------------------------------------------------------------------------
# The database, attachments, booklets, backups and exports hold personal data or lead to it:
# files are their owner's only (0600), folders too (0700), whatever the shell's umask.


def _mode(path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


# What the server does first with its database: open it, and write (WAL mode: -wal, -shm).
_OPEN_DATABASE = """
import json, os
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE written (x)")
    cursor.execute("INSERT INTO written VALUES (1)")
    name = connection.settings_dict["NAME"]
    print(json.dumps({p[len(name):]: os.stat(p).st_mode & 0o777 for p in
                      (name, name + "-wal", name + "-shm")}))
"""


@pytest.mark.parametrize("existing", [False, True], ids=["new", "made-readable-before"])
def test_the_database_and_its_wal_files_are_the_owners_only(tmp_path, existing):
    database = tmp_path / "santuni.sqlite3"
    if existing:
        sqlite3.connect(database).execute("CREATE TABLE earlier (x)").connection.close()
        database.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "SANTUNI", "DEBUG"))}
    env.update(SECRET_KEY="x9" * 30, DATABASE_URL=f"sqlite:///{database}")
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", _OPEN_DATABASE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        umask=0o022,  # a shell's usual umask: the server must not depend on it
    )
    assert done.returncode == 0, done.stderr
    modes = json.loads(done.stdout.strip().splitlines()[-1])
    assert modes == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


@pytest.mark.django_db
def test_attachments_and_their_folders_are_the_owners_only(client, personas, settings, tmp_path):
    from santuni.accounts.tests.personas import sign_in
    from santuni.cases.models import Attachment
    from santuni.cases.tests.factories import make_case

    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    case = make_case(personas.cbo_head)
    sign_in(client, personas.cbo_head)
    upload = SimpleUploadedFile("surat.pdf", b"%PDF-1.4 ok", content_type="application/pdf")
    assert (
        client.post(reverse("cases:case_attach", args=[case.pk]), {"file": upload}).status_code
        == 302
    )
    stored = Path(Attachment.objects.get().file.path)
    assert _mode(stored) == 0o600
    folders = [stored.parent, stored.parent.parent, settings.MEDIA_ROOT, tmp_path / "var"]
    assert [_mode(f) for f in folders] == [0o700] * 4


@pytest.mark.django_db
@pytest.mark.parametrize("fmt, out", [("json", "d.json"), ("csv", "pkg"), ("csv", "pkg.zip")])
def test_exports_written_by_commands_are_the_owners_only(tmp_path, fmt, out):
    call_command("export_hsds", "--format", fmt, str(tmp_path / out), stderr=io.StringIO())
    written = tmp_path / out
    if written.is_dir():
        assert _mode(written) == 0o700
        assert {_mode(f) for f in written.iterdir()} == {0o600}
    else:
        assert _mode(written) == 0o600
