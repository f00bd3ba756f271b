"""The load: simulated people, each with their own cookies, against a running server.

Readers look things up as the public does (the home page, the search page in Malay and
English, service pages, the HSDS API). CBO heads record cases through the real form, then
refer each case to a service and open it again. Everyone pauses 2-8 s between steps (5 s
on average), as a person reading a phone would. A write counts as acknowledged when the
server answered it with its redirect to the case; those are the writes that must be in the
database after.
"""

import asyncio
import random
import re
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

WORDS = [
    "kebajikan",
    "warga emas",
    "OKU",
    "makanan",
    "kaunseling",
    "perlindungan",
    "bantuan",
    "rumah",
    "kanak-kanak",
    "domestic violence",
    "elderly",
    "food bank",
    "tadika",
    "zakat",
    "kesihatan",
]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_URL = re.compile(r"/kes/([0-9a-f-]{36})$")
THINK = (2.0, 8.0)
SETTLED = 10.0  # seconds from the start after which the load is steady


@dataclass
class Sample:
    kind: str
    at: float  # seconds since the start
    ms: float
    status: int  # 0: no answer (refused, reset, timed out)
    ok: bool


@dataclass
class Write:
    kind: str  # case or referral
    key: str
    data: dict
    path: str
    owner: int  # which CBO head sent it
    acknowledged: bool = False
    case: str | None = None  # the case the server redirected to


@dataclass
class Run:
    started: float = 0.0  # time.perf_counter() at the start
    seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)

    def acknowledged(self) -> dict[str, list[str]]:
        keys: dict[str, list[str]] = {"case": [], "referral": []}
        for write in self.writes:
            if write.acknowledged:
                keys[write.kind].append(write.key)
        return keys

    def summary(self) -> dict:
        cuts = _percentiles([s.ms for s in self.samples if s.status])
        # Everyone starts at once: the first seconds are a burst no day of real use has.
        settled_cuts = _percentiles([s.ms for s in self.samples if s.status and s.at >= SETTLED])
        errors = Counter(f"{s.kind} {s.status or 'no answer'}" for s in self.samples if not s.ok)
        kinds: dict[str, list[float]] = {}
        for sample in self.samples:
            kinds.setdefault(sample.kind, []).append(sample.ms)
        return {
            "seconds": round(self.seconds, 1),
            "requests": len(self.samples),
            "per_second": round(len(self.samples) / self.seconds, 1) if self.seconds else 0,
            "p50": round(cuts[49]),
            "p95": round(cuts[94]),
            "p99": round(cuts[98]),
            "p95_settled": round(settled_cuts[94]),
            "p99_settled": round(settled_cuts[98]),
            "errors": sum(errors.values()),
            "error_kinds": dict(errors.most_common()),
            "kinds": {
                kind: {"n": len(ms), "p50": round(statistics.median(ms))}
                for kind, ms in sorted(kinds.items(), key=lambda item: -len(item[1]))
            },
            "writes": len(self.writes),
            "acknowledged": sum(w.acknowledged for w in self.writes),
        }


def _percentiles(ms: list[float]) -> list[float]:
    """The 1st to 99th percentiles (index 49 is the median); zeros when nothing was answered."""
    if len(ms) < 2:  # statistics.quantiles needs two; a short run may have one after 10 s
        return [ms[0] if ms else 0] * 99
    return statistics.quantiles(ms, n=100, method="inclusive")


class Person:
    def __init__(self, run: Run, base: str, started: float, session_key: str | None = None):
        self.run = run
        self.base = base
        self.started = started
        jar = aiohttp.CookieJar(unsafe=True)  # the server is an IP address
        if session_key:
            jar.update_cookies({"sessionid": session_key}, aiohttp.client.URL(base))
        self.http = aiohttp.ClientSession(
            base_url=base,
            cookie_jar=jar,
            timeout=aiohttp.ClientTimeout(total=60),
            connector=aiohttp.TCPConnector(limit=1),
        )

    async def request(self, kind: str, method: str, path: str, expect: int = 200, **kw):
        """One request, timed; (status, body, location). Unexpected answers are errors."""
        began = time.perf_counter()
        status, body, location = 0, "", ""
        try:
            async with self.http.request(method, path, allow_redirects=False, **kw) as response:
                status, body = response.status, await response.text(errors="replace")
                location = response.headers.get("Location", "")
        except (aiohttp.ClientError, TimeoutError):
            pass
        ms = (time.perf_counter() - began) * 1000
        at = began - self.started
        self.run.samples.append(Sample(kind, at, ms, status, status == expect))
        return status, body, location

    async def close(self) -> None:
        await self.http.close()


async def _think(rng: random.Random, think) -> None:
    await asyncio.sleep(rng.uniform(*think))


async def reader(person: Person, plan: dict, rng: random.Random, until: float, think):
    while time.monotonic() < until:
        word = rng.choice(WORDS)
        pick = rng.random()
        if pick < 0.25:
            await person.request("search page", "GET", "/cari", params={"q": word})
        elif pick < 0.35:
            await person.request("search page (en)", "GET", "/en/cari", params={"q": word})
        elif pick < 0.55:
            service = rng.choice(plan["services"])
            await person.request("service page", "GET", f"/perkhidmatan/{service}")
        elif pick < 0.75:
            await person.request("API search", "GET", "/api/hsds/services", params={"search": word})
        elif pick < 0.9:
            service = rng.choice(plan["services"])
            await person.request("API service", "GET", f"/api/hsds/services/{service}")
        else:
            await person.request("home page", "GET", "/")
        await _think(rng, think)


def case_form(n: int, key: str) -> dict:
    return {
        "urgency": "high",
        "category": "financial",
        # Each form has its own text, so a case written twice would show.
        "situation": f"Sampel beban {key}: keluarga memerlukan bantuan makanan.",
        "name": f"Klien Sampel Beban {n}",
        "sex": "f",
        "age": "40",
        "consent_method": "verbal",
        "consent_purposes": ["record", "share"],
        "submission_key": key,
    }


async def submit(person: Person, write: Write) -> None:
    """The form's page (for its CSRF token), then the form; acknowledged on the redirect."""
    form_path = write.path + ("?tahap=high" if write.kind == "case" else "?q=kebajikan")
    status, body, _ = await person.request(f"{write.kind} form", "GET", form_path)
    token = TOKEN.search(body) if status == 200 else None
    if token is None:
        return
    data = [("csrfmiddlewaretoken", token.group(1))]
    for name, value in write.data.items():
        data += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    status, _, location = await person.request(
        f"{write.kind} write", "POST", write.path, expect=302, data=data
    )
    found = CASE_URL.search(location) if status == 302 else None
    write.acknowledged = found is not None
    write.case = found.group(1) if found else None


async def writer(person: Person, plan: dict, rng: random.Random, until: float, owner: int, think):
    n = 0
    while time.monotonic() < until:
        n += 1
        key = str(uuid.uuid4())
        case = Write("case", key, case_form(n, key), "/kes/baru", owner)
        person.run.writes.append(case)
        await submit(person, case)
        await _think(rng, think)
        if not case.acknowledged:
            continue
        case_id = case.case
        key = str(uuid.uuid4())
        form = {
            "service": rng.choice(plan["services"]),
            "mode": "live",
            "summary": "Keluarga memerlukan bantuan makanan segera.",
            "send": "1",
            "submission_key": key,
        }
        referral = Write("referral", key, form, f"/kes/{case_id}/rujuk", owner)
        person.run.writes.append(referral)
        await submit(person, referral)
        await _think(rng, think)
        await person.request("case page", "GET", f"/kes/{case_id}")
        await _think(rng, think)


async def _drive(base, plan, users, seconds, events, seed, writers, think) -> Run:
    started = time.perf_counter()
    run = Run(started)
    until = time.monotonic() + seconds
    rng = random.Random(seed)  # noqa: S311 - who does what when, not a secret
    sessions = plan["sessions"][:writers]
    people = [
        Person(run, base, started, sessions[i] if i < len(sessions) else None) for i in range(users)
    ]
    tasks = []
    for i, person in enumerate(people):
        own = random.Random(rng.random())  # noqa: S311 - as above
        if i < len(sessions):
            tasks.append(writer(person, plan, own, until, i, think))
        else:
            tasks.append(reader(person, plan, own, until, think))

    async def later(delay, action):
        await asyncio.sleep(delay)
        await asyncio.to_thread(action)

    tasks += [later(delay, action) for delay, action in events]
    try:
        await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(p.close() for p in people))
    run.seconds = time.perf_counter() - started
    return run


def drive(
    base: str,
    plan: dict,
    *,
    users: int,
    seconds: float,
    events=(),
    seed=9,
    writers: int | None = None,
    think=THINK,
) -> Run:
    """`users` people for `seconds`, the first `writers` of them CBO heads (default: one per
    session in the plan); `events` are (seconds, function) pairs run beside the load, e.g. a
    crash; `think` the pause between steps, from and to, in seconds."""
    writers = len(plan["sessions"]) if writers is None else writers
    return asyncio.run(_drive(base, plan, users, seconds, list(events), seed, writers, think))


def alone(base: str, plan: dict, seconds: float = 20) -> Run:
    """The baseline, on the same server just before the load: one reader and one CBO head,
    each sending its next request as soon as the last is answered. Under load a request
    takes longer than this by queueing; the ratio is what the machine's speed cancels out of."""
    return drive(base, plan, users=2, seconds=seconds, writers=1, think=(0, 0), seed=1)


async def _resubmit(base: str, plan: dict, writes: list[Write]) -> None:
    people = {}
    try:
        for write in writes:
            if write.owner not in people:
                session = plan["sessions"][write.owner]
                people[write.owner] = Person(Run(), base, time.perf_counter(), session)
            await submit(people[write.owner], write)
    finally:
        await asyncio.gather(*(p.close() for p in people.values()))


def resubmit(base: str, plan: dict, writes: list[Write]) -> None:
    """Send unacknowledged forms again, with the same keys, as a person tapping the button
    again after the error would: each must land once."""
    asyncio.run(_resubmit(base, plan, writes))
