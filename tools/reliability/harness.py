"""What the reliability runs stand on: a fresh database (an SQLite file, or a PostgreSQL
database of its own, dropped after), manage.py steps in their own processes, and gunicorn,
which a run may kill with SIGKILL as a crash would."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from tools import local_http

PROJECT = Path(__file__).resolve().parent.parent.parent
# The servers' logs stay here after a run, for reading its errors.
LOGS = PROJECT / "var" / "reliability"
POSTGRES = os.environ.get("SANTUNI_RELIABILITY_PG", "postgres://postgres@127.0.0.1:5432/postgres")


@contextmanager
def database(kind: str, name: str):
    """The environment of a fresh, migrated database with the demo data: `sqlite` (a WAL file
    in a temporary folder, beside the media files) or `postgres`."""
    folder = Path(tempfile.mkdtemp(prefix=f"santuni-{name}-"))
    env = {
        **os.environ,
        "SECRET_KEY": "reliability-run",
        "SANTUNI_VAR_DIR": str(folder),
        # One address makes every request here; the API's per-address limit is not under test.
        "SANTUNI_API_RATE": "100000000/m",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SANTUNI_TESTING", None)
    pg_name = f"santuni_{name}_{os.getpid()}"
    if kind == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{folder / 'santuni.sqlite3'}"
    else:
        _postgres(
            f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)', f'CREATE DATABASE "{pg_name}"'
        )
        env["DATABASE_URL"] = urllib.parse.urlsplit(POSTGRES)._replace(path=f"/{pg_name}").geturl()
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo_data", "-v0")
        # Production serves hashed static file names (the manifest) as `make run` does.
        manage(env, "collectstatic", "--noinput", "-v0")
        yield env
    finally:
        if kind != "sqlite":
            _postgres(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


def _postgres(*statements: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        for statement in statements:
            # Database names cannot be parameters; ours are made of a fixed word and the pid.
            admin.execute(statement)


def manage(env: dict, *args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], env=env, cwd=PROJECT, check=True, **options
    )


def world(env: dict, step: str, *args: str) -> dict:
    """One step of tools.reliability.world, its JSON answer."""
    result = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "tools.reliability.world", step, *args],
        env=env,
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


class Server:
    """gunicorn on a free port, in a process group of its own so that `kill` takes the
    master and every worker at once, as a crash or the kernel's OOM killer would."""

    WORKERS = ["--workers", "3", "--worker-class", "gthread", "--threads", "4"]

    def __init__(self, env: dict, log: Path):
        self.env = env
        self.log = log
        self.process = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "gunicorn", "santuni.wsgi"]
        command += ["--bind", f"127.0.0.1:{self.port}", *self.WORKERS]
        command += ["--backlog", "2048", "--timeout", "60", "--log-level", "warning"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own server
                command, env=self.env, cwd=PROJECT, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                local_http.get(self.port, "/api/hsds/", timeout=2)
                return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start; see {self.log}")

    def kill(self) -> None:
        """SIGKILL to the whole server: no worker finishes what it was doing."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def tracebacks(log: Path) -> int:
    """Server errors the server logged (each starts a traceback)."""
    return log.read_text(errors="replace").count("Traceback (most recent call last)")
