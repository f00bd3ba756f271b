"""Setting Santuni up from a fresh clone as the README says: `manage.py` commands find the local
secret key that `make run` made, without SECRET_KEY or DEBUG in the environment, and `make run
PORT=…` gives the links Santuni writes (invitations, notices, the booklet's QR codes) that port.

The commands run in another process, as a person types them, in a folder laid out like a fresh
clone (manage.py and a var/ folder) under the test's temporary folder, on a copy of the test
database: nothing is written to the checkout.
"""

import hashlib
import importlib.util
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

import santuni

PROJECT = Path(santuni.__file__).resolve().parent.parent
README = PROJECT / "README.md"
# What a person's shell would not have: the test run's own settings and make's.
NOT_SET = (
    "SECRET_KEY",
    "DEBUG",
    "SANTUNI_TESTING",
    "DATABASE_URL",
    "SANTUNI_BASE_URL",
    "SANTUNI_VAR_DIR",
    "AUDIT_CHECKPOINT",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
)
# The test database is copied from outside a transaction; its seed data is back afterwards.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="`make run` keeps its database in a SQLite file; the SQLite run of the suite covers it",
)


def a_persons_environment(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_SET}
    return {**env, **variables}


def readme_command(name: str) -> list[str]:
    """The README's `.venv/bin/python manage.py NAME …` line of the first administrator, as
    words, with this test's Python for `.venv/bin/python`."""
    section = README.read_text().split("### The first administrator", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "the README shows the command in a sh block"
    lines = [line for line in block.group(1).splitlines() if f"manage.py {name}" in line]
    assert len(lines) == 1, block.group(1)
    words = shlex.split(lines[0])
    assert words[:2] == [".venv/bin/python", "manage.py"], words
    return [sys.executable, *words[1:]]


@pytest.fixture
def fresh_clone(tmp_path):
    """manage.py, and var/ as `make run` leaves it: the secret key and the database (the test
    database, as a file)."""
    clone = tmp_path / "santuni"
    var = clone / "var"
    var.mkdir(parents=True, mode=0o700)
    shutil.copy(PROJECT / "manage.py", clone / "manage.py")
    key = var / "secret_key"
    key.write_text("a-local-key-made-by-make-run-" + "x" * 40 + "\n")
    key.chmod(0o600)
    connection.ensure_connection()
    copy = sqlite3.connect(var / "santuni.sqlite3")
    connection.connection.backup(copy)
    copy.close()
    return clone


def run(clone: Path, command: list[str], **variables: str) -> subprocess.CompletedProcess:
    # The database and checkpoint are the clone's: var/ sits beside manage.py there, as it
    # does in a clone; settings look for it beside the installed package unless told.
    env = a_persons_environment(SANTUNI_VAR_DIR=str(clone / "var"), **variables)
    return subprocess.run(
        command, cwd=clone, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@on_sqlite
@committed
def test_the_readme_invitation_of_the_first_admin_works_without_secret_key_or_debug(fresh_clone):
    command = readme_command("invite_ministry_admin")
    done = run(fresh_clone, command)
    assert done.returncode == 0, done.stderr
    # The link is printed on the last line, for this server's address.
    link = re.search(r"Link \(valid once\): (\S+)$", done.stdout.strip())
    assert link, done.stdout
    assert link.group(1).startswith("http://127.0.0.1:8000/akaun/jemputan/")
    email = command[command.index("invite_ministry_admin") + 1]
    token = link.group(1).rsplit("/", 1)[1]
    with sqlite3.connect(fresh_clone / "var" / "santuni.sqlite3") as saved:
        rows = saved.execute(
            "SELECT role, token_hash FROM accounts_invitation WHERE email = ?", [email]
        ).fetchall()
    assert rows == [("ministry_admin", hashlib.sha256(token.encode()).hexdigest())]


@on_sqlite
@committed
def test_without_the_local_key_the_command_says_how_to_make_one(fresh_clone):
    (fresh_clone / "var" / "secret_key").unlink()
    done = run(fresh_clone, readme_command("invite_ministry_admin"))
    assert done.returncode != 0
    assert "Set SECRET_KEY" in done.stderr
    assert "make run" in done.stderr


def load_manage_py():
    spec = importlib.util.spec_from_file_location("santuni_manage_py", PROJECT / "manage.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "key-in-the-file"),
        ({"DEBUG": "0"}, "key-in-the-file"),
        ({"SECRET_KEY": "key-of-the-server"}, "key-of-the-server"),
        ({"DEBUG": "1"}, None),
    ],
)
def test_manage_py_reads_the_local_key_only_when_nothing_else_is_set(tmp_path, environ, expected):
    key = tmp_path / "secret_key"
    key.write_text("key-in-the-file\n")
    manage = load_manage_py()
    manage.use_local_secret_key(environ, key)
    assert environ.get("SECRET_KEY") == expected
    missing = {}
    manage.use_local_secret_key(missing, tmp_path / "no_such_file")
    assert missing == {}


def make_run_base_url(*arguments: str, **variables: str) -> str:
    """The SANTUNI_BASE_URL that `make run ARGUMENTS` gives the server and the booklet worker,
    read from the commands make would run (`make -n`: nothing is run)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        [make, "-n", "run", *arguments],
        cwd=PROJECT,
        env=a_persons_environment(**variables),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    serving = [line for line in done.stdout.splitlines() if "SANTUNI_BASE_URL=" in line]
    assert len(serving) == 1, done.stdout
    # The same line starts the worker and the server.
    assert "db_worker" in done.stdout.split(serving[0], 1)[1].split("runserver", 1)[0]
    found = re.search(r"SANTUNI_BASE_URL='([^']*)'", serving[0])
    assert found, serving[0]
    return found.group(1)


def base_url_in_settings(value: str) -> str:
    """settings.SANTUNI["BASE_URL"] in a process given SANTUNI_BASE_URL=value."""
    code = "from django.conf import settings; print(settings.SANTUNI['BASE_URL'])"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=a_persons_environment(
            SANTUNI_BASE_URL=value, DEBUG="1", DJANGO_SETTINGS_MODULE="santuni.settings"
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_make_run_port_is_the_address_of_links_and_qr_codes():
    assert make_run_base_url() == "http://127.0.0.1:8000"
    assert make_run_base_url("PORT=8131") == "http://127.0.0.1:8131"
    assert make_run_base_url("HOST=localhost", "PORT=9000") == "http://localhost:9000"
    assert base_url_in_settings(make_run_base_url("PORT=8131")) == "http://127.0.0.1:8131"


def test_an_address_set_by_the_person_wins_over_the_port():
    public = "https://santuni.example.my"
    assert make_run_base_url("PORT=8131", SANTUNI_BASE_URL=public) == public
