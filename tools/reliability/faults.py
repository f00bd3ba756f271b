"""`make faulttest`: crashes on purpose, on SQLite and PostgreSQL, and what survives them.

    python -m tools.reliability.faults [--databases sqlite,postgres] [--no-report]

1. An HSDS import killed with SIGKILL half-way: the directory must be exactly as before
   (the import is one transaction), whole, and the same import run again must complete.
2. gunicorn killed with SIGKILL while CBO heads write cases and referrals, then started
   again: every write the server acknowledged is in the database, the database and the audit
   chain are whole, and the forms whose answer was lost, sent again with the same keys as a
   person tapping again would, land exactly once.
3. PostgreSQL restarted under load (PostgreSQL only): the same gunicorn serves again without
   anyone touching it, and no acknowledged write is lost.

Fails (exit 1) when any of that does not hold.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import report
from .harness import LOGS, PROJECT, Server, database, manage, tracebacks, world
from .load import drive, resubmit

IMPORT_SERVICES = 4_000


def import_killed(kind: str) -> dict:
    """SIGKILL to `manage.py import_hsds` half-way through."""
    with database(kind, "faults") as env, tempfile.TemporaryDirectory() as folder:
        from tools.benchdata import write_directory

        data = Path(folder) / "directory.ndjson"
        write_directory(data, services=IMPORT_SERVICES, organizations=1200, locations=4000)
        world(env, "districts")
        before = world(env, "counts")
        half = _import_seconds(kind) / 2
        command = [sys.executable, "manage.py", "import_hsds", str(data)]
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            command, env=env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # Half-way: well into its writing, long before it could commit.
        time.sleep(half)
        running = process.poll() is None
        process.kill()
        process.wait()
        killed_at = time.perf_counter() - started
        after_kill = world(env, "counts")
        whole = world(env, "verify", _empty(folder))
        started = time.perf_counter()
        manage(env, "import_hsds", str(data), stdout=subprocess.DEVNULL)
        completed = world(env, "counts")
        seconds = time.perf_counter() - started
    return {
        "test": "HSDS import killed half-way",
        "database": kind,
        "killed while running": running,
        "killed after s": round(killed_at, 1),
        "unchanged after kill": after_kill == before,
        "whole": whole["integrity"] and whole["audit_intact"],
        "rerun imported": completed["directory.Service"] - before["directory.Service"],
        "rerun s": round(seconds, 1),
        "passed": running
        and after_kill == before
        and whole["integrity"]
        and whole["audit_intact"]
        and completed["directory.Service"] - before["directory.Service"] == IMPORT_SERVICES,
    }


def _import_seconds(kind: str) -> float:
    """How long the whole import takes here, from a first run measured on this machine (the
    kill must land in the middle whatever the machine's speed)."""
    global _measured
    if kind not in _measured:
        with database(kind, "measure") as env, tempfile.TemporaryDirectory() as folder:
            from tools.benchdata import write_directory

            data = Path(folder) / "directory.ndjson"
            write_directory(data, services=IMPORT_SERVICES, organizations=1200, locations=4000)
            world(env, "districts")
            started = time.perf_counter()
            manage(env, "import_hsds", str(data), stdout=subprocess.DEVNULL)
            _measured[kind] = time.perf_counter() - started
    return _measured[kind]


_measured: dict[str, float] = {}


def _empty(folder: str) -> str:
    path = Path(folder) / "none.json"
    path.write_text(json.dumps({"case": [], "referral": []}))
    return str(path)


def server_killed(kind: str) -> dict:
    """SIGKILL to gunicorn (master and workers) 8 s into the writing; started again at 10 s."""
    with database(kind, "faults") as env, tempfile.TemporaryDirectory() as folder:
        plan = world(env, "setup", "40")
        log = LOGS / f"faults-kill-{kind}.log"
        log.unlink(missing_ok=True)
        server = Server(env, log).start()
        try:
            run = drive(
                server.base,
                plan,
                users=60,
                seconds=25,
                events=[(8, server.kill), (10, server.start)],
            )
            unanswered = [w for w in run.writes if not w.acknowledged]
            resubmit(server.base, plan, unanswered)
        finally:
            server.stop()
        acknowledged = Path(folder) / "acknowledged.json"
        acknowledged.write_text(json.dumps(run.acknowledged()))
        found = world(env, "verify", str(acknowledged))
    lost = sum(len(keys) for keys in found["missing"].values())
    landed = sum(w.acknowledged for w in unanswered)
    return {
        "test": "gunicorn killed during writes",
        "database": kind,
        "writes acknowledged": sum(found["acknowledged"].values()) - landed,
        "unanswered at the crash": len(unanswered),
        "sent again, landed": landed,
        "lost": lost,
        "written twice": found["duplicates"],
        "whole": found["integrity"] and found["audit_intact"],
        "passed": not lost
        and not found["duplicates"]
        and landed == len(unanswered)
        and found["integrity"]
        and found["audit_intact"],
    }


def _restart_postgres() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
    # The machine's own cluster, by Debian's tool on the PATH.
    subprocess.run([*command, "-m", "fast"], check=True)  # noqa: S603, S607


def postgres_restarted() -> dict:
    """PostgreSQL restarted (fast: every connection cut) 10 s into 40 s of load."""
    with database("postgres", "faults") as env, tempfile.TemporaryDirectory() as folder:
        plan = world(env, "setup", "20")
        log = LOGS / "faults-pg-restart.log"
        log.unlink(missing_ok=True)
        restarted = {}

        def restart():
            restarted["from"] = time.perf_counter()
            _restart_postgres()
            restarted["to"] = time.perf_counter()

        with Server(env, log) as server:
            run = drive(server.base, plan, users=100, seconds=40, events=[(10, restart)])
            unanswered = [w for w in run.writes if not w.acknowledged]
            resubmit(server.base, plan, unanswered)
        acknowledged = Path(folder) / "acknowledged.json"
        acknowledged.write_text(json.dumps(run.acknowledged()))
        found = world(env, "verify", str(acknowledged))
    # Sample times are seconds from the run's start; the restart's, on the same clock.
    offset = run.started
    down_from, down_to = restarted["from"] - offset, restarted["to"] - offset
    failed = [s for s in run.samples if not s.ok]
    after = [s for s in run.samples if s.at > down_to + 2]
    first_ok = min((s.at + s.ms / 1000 for s in run.samples if s.ok and s.at >= down_to), default=0)
    lost = sum(len(keys) for keys in found["missing"].values())
    return {
        "test": "PostgreSQL restarted under load",
        "database": "postgres",
        "restart s": round(down_to - down_from, 1),
        "failed requests": len(failed),
        # The page that says "busy, try again in a minute" (santuni.lib.errors).
        "of them 503 try again": sum(s.status == 503 for s in failed),
        "serving again after s": round(first_ok - down_to, 1) if first_ok else None,
        "failed 2 s after": sum(not s.ok for s in after),
        "lost": lost,
        "tracebacks": tracebacks(log),
        "whole": found["integrity"] and found["audit_intact"],
        "passed": not lost
        and bool(after)
        and not any(not s.ok for s in after)
        and found["integrity"]
        and found["audit_intact"],
    }


def markdown(results: list[dict]) -> str:
    parts = [f"{report.machine()} `make faulttest`:"]
    for test in dict.fromkeys(r["test"] for r in results):
        rows = [r for r in results if r["test"] == test]
        header = [k for k in rows[0] if k != "test"]
        cells = [[_cell(r[k]) for k in header] for r in rows]
        parts.append(f"**{test}**\n\n" + report.table(header, cells))
    return "\n\n".join(parts)


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--no-report", action="store_true", help="leave docs/reliability.md")
    options = parser.parse_args()
    kinds = options.databases.split(",")
    results = []
    for test in (import_killed, server_killed):
        for kind in kinds:
            print(f"== {test.__name__} on {kind}", flush=True)
            results.append(test(kind))
            print(json.dumps(results[-1]), flush=True)
    if "postgres" in kinds:
        print("== postgres_restarted", flush=True)
        results.append(postgres_restarted())
        print(json.dumps(results[-1]), flush=True)
    if not options.no_report:
        report.update("faults", markdown(results))
    failed = [f"{r['test']} ({r['database']})" for r in results if not r["passed"]]
    if failed:
        sys.exit("fault tests FAILED: " + "; ".join(failed))
    print("fault tests passed")


if __name__ == "__main__":
    main()
