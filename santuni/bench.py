"""`make bench`: how fast Santuni is, as ratios against a baseline measured in the same run.

The machine is noisy, so every figure is reported beside a baseline taken moments before
on the same data: for HSDS import and export, the time Python takes just to read and
parse the same NDJSON file (the floor for any importer). Each measured step runs in its own
process on a fresh database, so its peak memory is its own.

    python -m santuni.bench [--services N ...] [--database-url URL]
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DISTRICTS = ["Seremban", "Port Dickson", "Rembau", "Jelebu", "Kuala Pilah", "Tampin", "Jempol"]
GROUPS = ["warga emas", "kanak-kanak", "OKU", "ibu tunggal"]


def synthetic_service(rng: random.Random, n: int) -> dict:
    """A plausible full service: organization, phone, location with address, two terms."""
    district = DISTRICTS[n % len(DISTRICTS)]
    group = GROUPS[n % len(GROUPS)]
    ident = uuid.UUID(int=rng.getrandbits(128), version=4)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    return {
        "id": str(ident),
        "name": f"Perkhidmatan {group} {district} {n}",
        "name_en": f"{group} service {district} {n}",
        "description": f"Bantuan dan penjagaan untuk {group} di daerah {district}. Contoh {n}.",
        "status": "active",
        "organization": {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-org-{n // 2}")),
            "name": f"Pertubuhan Contoh {n // 2}",
            "description": "Pertubuhan contoh untuk ujian prestasi.",
            "sample": True,
        },
        "phones": [{"id": new_id(), "number": f"+6012{n % 10_000_000:07d}"}],
        "attributes": [
            {
                "id": new_id(),
                "link_type": "target_group",
                "link_entity": "service",
                "taxonomy_term": {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-term-{group}")),
                    "name": group,
                    "description": group,
                    "taxonomy": "kumpulan-sasar",
                },
            }
        ],
        "service_at_locations": [
            {
                "id": new_id(),
                "location": {
                    "id": new_id(),
                    "location_type": "physical",
                    "name": f"Pusat {n}",
                    "latitude": round(2.4 + rng.random() * 0.8, 5),
                    "longitude": round(101.8 + rng.random() * 0.8, 5),
                    "addresses": [
                        {
                            "id": new_id(),
                            "address_1": f"No. {n % 200 + 1}, Jalan Contoh",
                            "city": district,
                            "region": district,
                            "state_province": "Negeri Sembilan",
                            "postal_code": "70000",
                            "country": "MY",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
    }


def write_services(path: Path, count: int) -> None:
    rng = random.Random(count)  # noqa: S311 - repeatable synthetic data, not a secret
    with path.open("w") as stream:
        for n in range(count):
            stream.write(json.dumps(synthetic_service(rng, n)) + "\n")


def parse_only(path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as stream:
        for line in stream:
            json.loads(line)
    return time.perf_counter() - started


# --- steps run in their own process -----------------------------------------------------


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santuni.settings")
    django.setup()


def step_import(path: str) -> dict:
    _django()
    from santuni.api.importer import Importer

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


def _run_step(env: dict, *args: str) -> dict:
    result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "santuni.bench", "--step", *args],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"bench step {args} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _fresh_database(env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=env,
        cwd=PROJECT,
        check=True,
    )


def hsds(sizes: list[int], database_url: str) -> list[str]:
    lines = []
    with tempfile.TemporaryDirectory(prefix="santuni-bench-") as folder:
        for size in sizes:
            data = Path(folder) / f"services-{size}.ndjson"
            write_services(data, size)
            url = database_url or f"sqlite:///{folder}/bench-{size}.sqlite3"
            env = os.environ | {"DATABASE_URL": url, "SANTUNI_TESTING": "1"}
            _fresh_database(env)
            baseline = parse_only(data)
            imported = _run_step(env, "import", str(data))
            streamed = _run_step(env, "stream", "/api/hsds/services?format=ndjson")
            if streamed["lines"] != size:
                raise SystemExit(f"streamed {streamed['lines']} services, expected {size}")
            megabytes = data.stat().st_size / 1e6
            lines += [
                f"hsds {size:>7} services ({megabytes:.0f} MB NDJSON), baseline json.loads of the "
                f"file {baseline:.2f} s",
                f"  import_hsds         {imported['seconds']:8.2f} s  "
                f"{size / imported['seconds']:8.0f} services/s  "
                f"x{imported['seconds'] / baseline:5.1f} baseline  "
                f"peak {imported['peak_mb']:.0f} MB",
                f"  API format=ndjson   {streamed['seconds']:8.2f} s  "
                f"{size / streamed['seconds']:8.0f} services/s  "
                f"x{streamed['seconds'] / baseline:5.1f} baseline  "
                f"peak {streamed['peak_mb']:.0f} MB",
            ]
            if database_url:
                break  # one shared database: the first size only
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database-url", default="", help="Default: a fresh SQLite file.")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        name, *rest = args.step
        result = {"import": step_import, "stream": step_stream}[name](*rest)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    print(f"Santuni bench, {time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]}")
    for line in hsds(args.services, args.database_url):
        print(line, flush=True)


if __name__ == "__main__":
    main()
