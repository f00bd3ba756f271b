"""`make loadtest`: 200 people for 60 s against gunicorn, on SQLite and then PostgreSQL.

    python -m tools.reliability.loadtest [--users N] [--writers N] [--seconds S]
                                           [--databases sqlite,postgres] [--no-report]

Fails (exit 1) on any error or any acknowledged write missing from the database after.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from . import report
from .harness import LOGS, Server, database, tracebacks, world
from .load import SETTLED, alone, drive


def one(kind: str, users: int, writers: int, seconds: float) -> dict:
    with database(kind, "load") as env, tempfile.TemporaryDirectory() as folder:
        plan = world(env, "setup", str(writers))
        log = LOGS / f"load-{kind}.log"
        log.unlink(missing_ok=True)
        with Server(env, log) as server:
            quiet = alone(server.base, plan)
            run = drive(server.base, plan, users=users, seconds=seconds)
        keys = run.acknowledged()
        for kind_of_write, more in quiet.acknowledged().items():
            keys[kind_of_write] += more  # the baseline's writes must be there too
        acknowledged = Path(folder) / "acknowledged.json"
        acknowledged.write_text(json.dumps(keys))
        found = world(env, "verify", str(acknowledged))
        result = run.summary() | {"database": kind, "verify": found, "alone": quiet.summary()}
        result["tracebacks"] = tracebacks(log)
        result["log"] = str(log)
        result["lost"] = sum(len(keys) for keys in found["missing"].values())
        return result


def passed(result: dict) -> bool:
    found = result["verify"]
    return not (
        result["errors"]
        or result["alone"]["errors"]
        or result["lost"]
        or result["tracebacks"]
        or found["duplicates"]
        or not found["integrity"]
        or not found["audit_intact"]
    )


def times(under_load: float, alone: float) -> str:
    return f"{under_load / alone:.1f}×" if alone else "-"


def markdown(results: list[dict], users: int, writers: int, seconds: float) -> str:
    rows = []
    for r in results:
        acked = r["verify"]["acknowledged"]
        rows.append(
            [
                r["database"],
                r["requests"],
                r["per_second"],
                r["alone"]["p50"],
                r["p50"],
                times(r["p50"], r["alone"]["p50"]),
                r["p95"],
                r["p99"],
                f"{r['p95_settled']} / {r['p99_settled']}",
                r["errors"] + r["alone"]["errors"],
                f"{acked['case']} / {acked['referral']}",
                r["lost"],
                "yes" if r["verify"]["integrity"] and r["verify"]["audit_intact"] else "NO",
                "pass" if passed(r) else "FAIL",
            ]
        )
    header = ["database", "requests", "per s", "p50 alone ms", "p50 ms", "p50 / alone"]
    header += ["p95 ms", "p99 ms", f"p95 / p99 after {SETTLED:g} s", "errors"]
    header += ["cases / referrals acknowledged", "lost", "whole", "result"]
    kinds = "\n".join(
        f"- {r['database']}: "
        + ", ".join(
            f"{k} {v['n']} ({v['p50']} ms, "
            f"{times(v['p50'], r['alone']['kinds'].get(k, {}).get('p50', 0))})"
            for k, v in r["kinds"].items()
        )
        for r in results
    )
    return (
        f"{report.machine()} `make loadtest`: {users} people for {seconds:g} s each, "
        f"{writers} of them CBO heads writing cases and referrals, the rest readers; "
        f"gunicorn `{' '.join(Server.WORKERS)}`.\n\n"
        + "Before the load, on the same server, one reader and one CBO head sent their requests "
        'one after another with no pause for 20 s: that is the baseline ("alone"), and a '
        "figure under load is given against it too, because this machine's speed varies. All "
        f"the people start at the same moment; the p95 and p99 after {SETTLED:g} s leave that "
        "first burst out.\n\n"
        + report.table(header, rows)
        + "\n\nRequests by kind (count, median ms, median against the same kind alone):\n"
        + f"{kinds}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--writers", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--no-report", action="store_true", help="leave docs/reliability.md")
    options = parser.parse_args()
    results = []
    for kind in options.databases.split(","):
        print(f"== {kind}: {options.users} people for {options.seconds:g} s", flush=True)
        result = one(kind, options.users, options.writers, options.seconds)
        print(json.dumps({k: v for k, v in result.items() if k != "verify"}, indent=1))
        print(json.dumps(result["verify"]["acknowledged"]), "lost:", result["lost"])
        results.append(result)
    if not options.no_report:
        text = markdown(results, options.users, options.writers, options.seconds)
        report.update("loadtest", text)
    failed = [r["database"] for r in results if not passed(r)]
    if failed:
        sys.exit(f"load test FAILED on {', '.join(failed)}")
    print("load test passed")


if __name__ == "__main__":
    main()
