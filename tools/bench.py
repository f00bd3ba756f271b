"""`make bench`: how fast Santuni is, as ratios against baselines measured in the same run.

The machine is noisy, so every figure stands beside a baseline taken moments before on the
same data and machine:
- HSDS import and export: Python just reading and parsing the same NDJSON file.
- Search: Django ORM `icontains` on name and description (what admin search does), and a
  raw FTS5 `MATCH` through sqlite3 with no Django (the floor for any SQLite search), each
  query run by all three in turn.

The directory is synthetic and national (`tools.benchdata`): by default 100,000
services of 30,000 organizations at 100,000 locations, Malay text with English on half.
Each step runs in its own process on a fresh database, so its peak memory is its own.

The reports half times the printed booklet (the demo's Seremban booklet, and a synthetic
district of `--booklet-entries` listings against WeasyPrint laying out as many plain
paragraphs) and the dashboards over `--referrals` referrals against one raw GROUP BY.

    python -m tools.bench [--services N ...] [--database-url URL] [--queries N]
                            [--booklet-entries N] [--referrals N]
                            [--only search|reports|dashboards]
"""

import argparse
import json
import os
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from tools import local_http

PROJECT = Path(__file__).resolve().parent.parent
EVAL = PROJECT.parent / "shared" / "eval"
HOLDOUT = PROJECT / "santuni" / "search" / "tests" / "data" / "holdout"
PAGE = 20


# --- steps, each run in its own process --------------------------------------------------


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santuni.settings")
    django.setup()


def _add_districts() -> None:
    """The synthetic directory's districts, as an administrator would add them."""
    from django.utils.text import slugify

    from santuni.geo.models import District, State
    from tools.benchdata import DISTRICTS

    states = {s.name.casefold(): s for s in State.objects.all()}
    states |= {s.name_en.casefold(): s for s in State.objects.all() if s.name_en}
    taken = set(District.objects.values_list("slug", flat=True))
    for place in DISTRICTS:
        state = states.get(place.state.casefold())
        if state is None or District.objects.filter(state=state, name=place.name).exists():
            continue
        slug = slugify(place.name)
        slug = slug if slug not in taken else slugify(f"{place.name} {state.name}")
        taken.add(slug)
        District.objects.create(
            state=state, name=place.name, slug=slug, latitude=place.lat, longitude=place.lng
        )


def step_import(path: str) -> dict:
    _django()
    from santuni.api.importer import Importer

    _add_districts()
    summary = Importer().run([Path(path)])
    if not summary.ok:
        raise SystemExit(f"import failed: {summary.problems[:3]}")
    return {"seconds": summary.seconds, "created": summary.created}


def step_stream(url: str) -> dict:
    _django()
    from django.test import Client

    started = time.perf_counter()
    response = Client(HTTP_HOST="127.0.0.1").get(url)
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    return {"seconds": time.perf_counter() - started, "lines": lines}


def _timed(function, items) -> list[float]:
    """Milliseconds for each item, after one untimed pass to warm caches."""
    for item in items[:20]:
        function(item)
    times = []
    for item in items:
        started = time.perf_counter()
        function(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def step_search(count: str) -> dict:
    """The query mix in-process: Santuni's search and the two baselines."""
    _django()
    from django.db import connection
    from django.db.models import Q

    from santuni.directory.models import Service
    from santuni.directory.selectors import SearchQuery, services_search
    from santuni.geo.models import District
    from tools.benchdata import queries

    mix = queries(count=int(count))
    districts = {d.name: d for d in District.objects.all()}

    def santuni(q: dict) -> None:
        query = SearchQuery(
            text=q["q"],
            district=districts.get(q["district"]),
            latitude=q["lat"],
            longitude=q["lng"],
        )
        results = services_search(query)
        results.count()
        list(results[0:PAGE])

    def icontains(q: dict) -> None:
        found = Service.objects.all()
        for word in q["q"].split():
            found = found.filter(Q(name__icontains=word) | Q(description__icontains=word))
        found.count()
        list(found.order_by("name")[:PAGE])

    systems = {"santuni": santuni, "icontains": icontains}
    if connection.vendor == "sqlite":
        raw = sqlite3.connect(connection.settings_dict["NAME"])
        raw.execute("CREATE VIRTUAL TABLE IF NOT EXISTS raw_fts USING fts5(name, description)")
        if not raw.execute("SELECT count(*) FROM raw_fts").fetchone()[0]:
            raw.execute(
                "INSERT INTO raw_fts(name, description) "
                "SELECT name, description FROM directory_service"
            )
            raw.commit()

        def fts5(q: dict) -> None:
            words = [w for w in "".join(c if c.isalnum() else " " for c in q["q"]).split()]
            expression = " OR ".join(f'"{w}"' for w in words)
            raw.execute(
                "SELECT rowid FROM raw_fts WHERE raw_fts MATCH ? ORDER BY bm25(raw_fts) LIMIT ?",
                (expression, PAGE),
            ).fetchall()

        systems["fts5"] = fts5
    return _interleaved(systems, mix)


def _interleaved(systems: dict, items: list) -> dict[str, list[float]]:
    """Milliseconds of each system for each item, the systems taking turns on every item
    (after one untimed pass over the first 20), so that the machine's slow moments fall
    on all of them alike."""
    for item in items[:20]:
        for function in systems.values():
            function(item)
    times: dict[str, list[float]] = {name: [] for name in systems}
    for item in items:
        for name, function in systems.items():
            started = time.perf_counter()
            function(item)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def step_serve(port: str) -> dict:
    """Runs gunicorn in the foreground (the parent stops it)."""
    os.execv(  # noqa: S606 - our own server, fixed arguments
        sys.executable,
        [sys.executable, "-m", "gunicorn", "santuni.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--log-level", "warning"],
    )
    return {}


def step_booklet(entries: str) -> dict:
    """The printed booklet of a synthetic district with `entries` listings, then its
    baseline: WeasyPrint laying out the same number of plain paragraphs (no QR codes,
    contents or index), the floor for any A5 PDF of that much text."""
    _django()
    from weasyprint import HTML

    from tools import benchbooklet

    built = benchbooklet.run(int(entries))
    paragraph = (
        "<p><b>Pertubuhan Kebajikan Contoh {0}</b><br>Mukim Rasah · 06-123 4567<br>"
        "Perkhidmatan untuk warga emas, OKU dan kanak-kanak di kawasan ini.</p>"
    )
    page = "<style>@page{size:A5;margin:12mm}</style>" + "".join(
        paragraph.format(i) for i in range(int(entries))
    )
    started = time.perf_counter()
    HTML(string=page).write_pdf()
    return built | {"baseline_s": time.perf_counter() - started}


def step_booklet_demo() -> dict:
    """The Seremban booklet from the demo data, as `make run` serves it."""
    _django()
    from django.core.management import call_command

    from santuni.geo.models import District
    from santuni.reports.booklet import builds

    call_command("load_demo_data", verbosity=0)
    district = District.objects.get(slug="seremban")
    started = time.perf_counter()
    built = builds.build(district=district, language="ms")
    return {"seconds": time.perf_counter() - started, "pages": built.pages}


def step_dashboard(referrals: str) -> dict:
    """The dashboards over `referrals` referrals, then the baselines: one raw GROUP BY count
    of the referrals by status through the database driver (the floor for any figure), of
    all of them and of one state's (the floor for a state's figure)."""
    _django()
    from django.db import connection

    from santuni.geo.models import State
    from tools import benchdash

    timed = benchdash.run(int(referrals))
    state = State.objects.get(code=benchdash.STATE).pk
    by_status = "SELECT status, COUNT(*) FROM cases_referral"
    # The state's referrals by their own state field, and (as the schema before it had to)
    # through their districts.
    through_districts = "district_id IN (SELECT id FROM geo_district WHERE state_id = %s)"
    queries = {
        "baseline_s": (f"{by_status} GROUP BY status", []),
        "baseline_state_s": (f"{by_status} WHERE state_id = %s GROUP BY status", [state]),
        "baseline_districts_s": (f"{by_status} WHERE {through_districts} GROUP BY status", [state]),
    }
    with connection.cursor() as cursor:
        for name, (sql, params) in queries.items():
            times = []
            for _ in range(3):
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                times.append(time.perf_counter() - started)
            timed[name] = min(times)
    return timed


def _run_step(env: dict, *args: str) -> dict:
    result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "tools.bench", "--step", *args],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"bench step {args} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class _Server:
    """gunicorn on a free port, for the duration of a `with`."""

    def __init__(self, env: dict):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.env = env | {"SECRET_KEY": "bench", "SANTUNI_API_RATE": "1000000/m"}
        self.env.pop("SANTUNI_TESTING", None)

    def __enter__(self):
        command = [sys.executable, "-m", "tools.bench", "--step", "serve", str(self.port)]
        self.process = subprocess.Popen(command, env=self.env, cwd=PROJECT)  # noqa: S603
        for _ in range(100):
            try:
                self.get("/api/hsds/", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, timeout: float) -> bytes:
        return local_http.get(self.port, path, timeout)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)


def _http_times(server: _Server, count: int) -> list[float]:
    sys.path.insert(0, str(PROJECT))
    from tools.benchdata import queries

    def fetch(q: dict) -> None:
        params = {"search": q["q"], "per_page": PAGE}
        if q["district"]:
            params["district"] = q["district"]
        if q["lat"] is not None:
            params |= {"lat": q["lat"], "lng": q["lng"]}
        server.get("/api/hsds/services?" + urllib.parse.urlencode(params), timeout=30)

    return _timed(fetch, queries(count=count))


def _percentiles(times: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def _fresh_database(env: dict) -> None:
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=env,
        cwd=PROJECT,
        check=True,
    )


def _parse_only(path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as stream:
        for line in stream:
            json.loads(line)
    return time.perf_counter() - started


def _relevance(folder: Path, evaluation: Path, label: str) -> str:
    """../shared/eval/score.py against a fresh directory holding an evaluation set's
    services (`evaluation`: services.ndjson and queries.json)."""
    if not (EVAL / "score.py").is_file():
        return "relevance: ../shared/eval not found, skipped"
    url = f"sqlite:///{folder}/eval-{evaluation.name}.sqlite3"
    env = os.environ | {"DATABASE_URL": url, "SANTUNI_TESTING": "1"}
    _fresh_database(env)
    _run_step(env, "import", str(evaluation / "services.ndjson"))
    with _Server(env) as server:
        result = subprocess.run(  # noqa: S603 - the shared scorer, fixed arguments
            [sys.executable, str(EVAL / "score.py"), server.url(""), str(evaluation)],
            capture_output=True,
            text=True,
            check=True,
        )
    return f"relevance, {label}: " + result.stdout.strip()


def _step_database(database_url: str, name: str) -> str:
    """A fresh PostgreSQL database of its own for one reports step (`<database>_<name>`,
    made anew), or "" for SQLite files."""
    if not database_url.startswith("postgres"):
        return ""
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    database = f"{parts.path.lstrip('/')}_{name}"
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
        # Identifiers cannot be parameters; the name is ours (the given database + a step).
        admin.execute(f'DROP DATABASE IF EXISTS "{database}"')  # noqa: S608
        admin.execute(f'CREATE DATABASE "{database}"')  # noqa: S608
    return parts._replace(path=f"/{database}").geturl()


def _drop_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')  # noqa: S608


def reports(entries: int, referrals: int, database_url: str, *, booklets: bool = True) -> list[str]:
    """The booklet (demo and synthetic, unless not `booklets`) and the dashboards, each on a
    fresh database."""
    lines, made = [], []
    with tempfile.TemporaryDirectory(prefix="santuni-bench-") as folder:

        def fresh(name: str) -> dict:
            url = _step_database(database_url, name)
            made.append(url)
            url = url or f"sqlite:///{folder}/{name}.sqlite3"
            env = os.environ | {"DATABASE_URL": url, "SANTUNI_TESTING": "1"}
            env["SANTUNI_VAR_DIR"] = folder
            _fresh_database(env)
            return env

        if booklets:
            demo = _run_step(fresh("demo"), "booklet_demo")
            lines += [
                "",
                f"printed booklet, demo Seremban: {demo['seconds']:.1f} s, {demo['pages']} pages",
            ]
            built = _run_step(fresh("booklet"), "booklet", str(entries))
            lines.append(
                f"printed booklet, {built['entries']:,} entries: {built['seconds']:.1f} s, "
                f"{built['pages']} pages, {built['bytes'] / 1e6:.1f} MB; baseline (WeasyPrint, "
                f"the same number of plain paragraphs) {built['baseline_s']:.1f} s: "
                f"x{built['seconds'] / built['baseline_s']:.1f}; target under 60 s"
            )
        timed = _run_step(fresh("dashboard"), "dashboard", str(referrals))
        base, state_base = timed["baseline_s"], timed["baseline_state_s"]
        lines += [
            f"dashboards, {timed['referrals']:,} referrals (inserted in "
            f"{timed['insert_s']:.0f} s); baseline: one raw GROUP BY status count "
            f"{base * 1000:.0f} ms",
            f"  ministry, Malaysia      {timed['national_s'] * 1000:6.0f} ms  "
            f"x{timed['national_s'] / base:5.1f}  (target under 1 s)",
            f"  district officer        {timed['district_s'] * 1000:6.0f} ms  "
            f"x{timed['district_s'] / base:5.1f}  (target under 1 s)",
            f"  Negeri Sembilan, {timed['state_referrals']:,} referrals; baseline: its raw "
            f"GROUP BY status count {state_base * 1000:.0f} ms (through its districts' ids "
            f"{timed['baseline_districts_s'] * 1000:.0f} ms)",
            f"  ministry, ?negeri=MY-05 {timed['ministry_state_s'] * 1000:6.0f} ms  "
            f"x{timed['ministry_state_s'] / state_base:5.1f}  (target under 0.5 s)",
            f"  state officer           {timed['state_s'] * 1000:6.0f} ms  "
            f"x{timed['state_s'] / state_base:5.1f}  (target under 0.5 s)",
        ]
    for url in filter(None, made):
        _drop_database(url)
    return lines


def run(sizes: list[int], database_url: str, count: int) -> list[str]:
    from tools.benchdata import write_directory

    lines = []
    with tempfile.TemporaryDirectory(prefix="santuni-bench-") as folder:
        for size in sizes:
            data = Path(folder) / f"directory-{size}.ndjson"
            write_directory(
                data, services=size, organizations=max(1, size * 3 // 10), locations=size
            )
            url = database_url or f"sqlite:///{folder}/bench-{size}.sqlite3"
            env = os.environ | {"DATABASE_URL": url, "SANTUNI_TESTING": "1"}
            _fresh_database(env)
            baseline = _parse_only(data)
            imported = _run_step(env, "import", str(data))
            streamed = _run_step(env, "stream", "/api/hsds/services?format=ndjson")
            lines += [
                "",
                f"{size:,} services ({data.stat().st_size / 1e6:.0f} MB NDJSON); baseline: "
                f"json.loads of the file {baseline:.2f} s",
                f"  import_hsds (with search index)  {imported['seconds']:7.1f} s "
                f"{size / imported['seconds']:7.0f}/s  x{imported['seconds'] / baseline:5.0f}"
                f"  peak {imported['peak_mb']:4.0f} MB",
                f"  API format=ndjson stream         {streamed['seconds']:7.1f} s "
                f"{size / streamed['seconds']:7.0f}/s  x{streamed['seconds'] / baseline:5.0f}"
                f"  peak {streamed['peak_mb']:4.0f} MB",
            ]
            if size != max(sizes):
                continue
            times = _run_step(env, "search", str(count))
            table = {name: _percentiles(v) for name, v in times.items() if isinstance(v, list)}
            lines += [
                f"  search, {count} queries (keyword, +district, +near me, misspelt), ms:",
                f"    {'':28} {'p50':>7} {'p95':>7} {'p99':>7}",
            ]
            labels = {
                "santuni": "Santuni, in-process",
                "icontains": "baseline ORM icontains",
                "fts5": "baseline raw FTS5 MATCH",
            }
            for name, (p50, p95, p99) in table.items():
                lines.append(f"    {labels[name]:28} {p50:7.2f} {p95:7.2f} {p99:7.2f}")
            if "fts5" in table:
                ours = table["santuni"][1]
                lines.append(
                    f"    p95: {table['icontains'][1] / ours:.1f}x faster than icontains, "
                    f"{ours / table['fts5'][1]:.1f}x raw FTS5; search step peak "
                    f"{times['peak_mb']:.0f} MB"
                )
            with _Server(env) as server:
                p50, p95, p99 = _percentiles(_http_times(server, count))
            lines.append(f"    {'API over HTTP (gunicorn x2)':28} {p50:7.2f} {p95:7.2f} {p99:7.2f}")
        lines.append(_relevance(Path(folder), EVAL, "../shared/eval"))
        lines.append(_relevance(Path(folder), HOLDOUT, "held-out set (santuni/search/tests)"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default="", help="Default: fresh SQLite files.")
    parser.add_argument("--booklet-entries", type=int, default=1_000)
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument(
        "--only",
        choices=["search", "reports", "dashboards"],
        help="Run one half (default: both), or the reports' dashboards alone.",
    )
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        name, *rest = args.step
        steps = {"import": step_import, "stream": step_stream, "search": step_search}
        steps |= {"serve": step_serve, "booklet": step_booklet, "dashboard": step_dashboard}
        steps["booklet_demo"] = step_booklet_demo
        result = steps[name](*rest)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    if not shutil.which("gunicorn", path=str(Path(sys.executable).parent)):
        raise SystemExit("gunicorn is not installed in this environment")
    print(f"Santuni bench, {time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]}")
    if args.only not in ("reports", "dashboards"):
        for line in run(sorted(args.services), args.database_url, args.queries):
            print(line, flush=True)
    if args.only != "search":
        booklets = args.only != "dashboards"
        for line in reports(
            args.booklet_entries, args.referrals, args.database_url, booklets=booklets
        ):
            print(line, flush=True)


if __name__ == "__main__":
    main()
