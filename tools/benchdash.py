"""The dashboards' speed over a large synthetic caseload: `run(referrals)` for `make bench`.

On the current migrated database (empty apart from the migrations' seed data) it spreads
the caseload over the districts there are: Negeri Sembilan's, and in every other state the
districts it already has (every real one, once the geography holds them), or a few made-up
ones (slugs no real district has) where it has none. Then it adds a few thousand CBOs,
agencies, clients and cases, and `referrals` referrals spread over them (written with
executemany on SQLite and COPY on PostgreSQL: the ORM would take minutes), and times
`/laporan/` for a ministry admin (Malaysia, and narrowed to Negeri Sembilan with
`?negeri=MY-05`), for Negeri Sembilan's state officer and for Seremban's district officer
through the Django test client.

Each figure is the best of three renders after one warm-up render (which loads templates
and imports code). Nothing is cached between renders, so every render runs all its queries:
the database's own page cache is warm, the application has none.
"""

import math
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import django.test
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from santuni.accounts.access import MEMBERSHIP_SESSION_KEY, REAUTH_SESSION_KEY
from santuni.accounts.models import Membership, Role
from santuni.cases.models import Case, Client, Referral, Urgency
from santuni.directory.models import CboProfile, Organization, Service, TaxonomyTerm
from santuni.geo.models import District, Mukim, State

SEED = 20261201
CBOS = 1_500
AGENCIES = 300
CASES = 6_000
BATCH = 5_000
# Seremban's share of everything, the rest of Negeri Sembilan's; the other states share the
# rest equally, whatever number of districts each has.
SEREMBAN_SHARE, NEGERI_SEMBILAN_SHARE = 0.2, 0.2
STATE = "MY-05"
# Made up in a state that has no district yet, and mukims in a district that has none.
OTHER_DISTRICTS_PER_STATE = 3
MUKIMS_PER_NEW_DISTRICT = 5
YEARS = 3

# Typical hours sent → acknowledged and days sent → completed, per urgency.
ACKNOWLEDGE_HOURS = {Urgency.IMMEDIATE: 0.7, Urgency.HIGH: 8, Urgency.NORMAL: 40}
COMPLETE_DAYS = {Urgency.IMMEDIATE: 1.5, Urgency.HIGH: 6, Urgency.NORMAL: 15}
TARGETS = {  # (acknowledge, complete) in hours, as the seeded service levels roughly give
    Urgency.IMMEDIATE: (1, 24),
    Urgency.HIGH: (24, 7 * 24),
    Urgency.NORMAL: (5 * 24, 20 * 24),
}
S = Referral.Status
# Where a referral older than two months ended up, and one from the last two months is now.
SETTLED = [
    (S.COMPLETED, 62),
    (S.CLOSED, 14),
    (S.DECLINED, 8),
    (S.REDIRECTED, 3),
    (S.CANCELLED, 4),
    (S.IN_PROGRESS, 5),
    (S.ACCEPTED, 2),
    (S.SENT, 2),
]
RECENT = [
    (S.DRAFT, 4),
    (S.SENT, 14),
    (S.ACCEPTED, 14),
    (S.IN_PROGRESS, 25),
    (S.COMPLETED, 30),
    (S.DECLINED, 6),
    (S.REDIRECTED, 2),
    (S.CANCELLED, 5),
]


def run(referrals: int, *, cbos: int = CBOS, cases: int = CASES) -> dict:
    """Loads the caseload (`cbos` CBOs, `cases` cases, `referrals` referrals) and times the
    dashboards, in seconds: {"referrals", "insert_s", "national_s" (ministry, Malaysia),
    "ministry_state_s" (ministry, `?negeri=MY-05`), "state_s" (Negeri Sembilan's state
    officer), "district_s" (Seremban's officer), "state_referrals" (Negeri Sembilan's
    share)}."""
    rng = random.Random(SEED)  # noqa: S311 - synthetic data, the same every run
    started = time.perf_counter()
    with transaction.atomic():
        world = _world(rng, cbos, cases)
    _referrals(rng, world, referrals)
    inserted = time.perf_counter() - started
    return {
        "referrals": referrals,
        "insert_s": inserted,
        "state_referrals": Referral.objects.filter(state__code=STATE).count(),
        "national_s": _time_dashboard(world["ministry"]),
        "ministry_state_s": _time_dashboard(world["ministry"], {"negeri": STATE}),
        "state_s": _time_dashboard(world["state_officer"]),
        "district_s": _time_dashboard(world["officer"]),
    }


# --- the people and places ---------------------------------------------------------------


def _districts() -> list[tuple[District, float]]:
    """Every district with its share of the caseload: Seremban's, the rest of Negeri
    Sembilan's, and the other states' equal shares, each split over the state's districts
    (made up where a state has none). Every district has mukims (made up where it has none)."""
    negeri_sembilan = list(District.objects.filter(state__code=STATE).exclude(slug="seremban"))
    weighted = [(District.objects.get(slug="seremban"), SEREMBAN_SHARE)]
    weighted += [(d, NEGERI_SEMBILAN_SHARE / len(negeri_sembilan)) for d in negeri_sembilan]
    others = State.objects.exclude(code=STATE).order_by("code")
    share = (1 - SEREMBAN_SHARE - NEGERI_SEMBILAN_SHARE) / len(others)
    for state in others:
        districts = list(state.districts.order_by("slug")) or _made_up_districts(state)
        weighted += [(d, share / len(districts)) for d in districts]
    without = District.objects.filter(mukims__isnull=True)
    Mukim.objects.bulk_create(
        Mukim(
            district=district,
            name=f"{district.name} mukim {m}",
            slug=f"bench-mukim-{m}",
            latitude=district.latitude,
            longitude=district.longitude,
        )
        for district in without
        for m in range(1, MUKIMS_PER_NEW_DISTRICT + 1)
    )
    return weighted


def _made_up_districts(state: State) -> list[District]:
    """A few districts for a state that has none, under slugs no real district has (the
    slug is unique across Malaysia)."""
    taken = set(District.objects.values_list("slug", flat=True))
    made = []
    for n in range(1, OTHER_DISTRICTS_PER_STATE + 1):
        slug, extra = slugify(f"bench {state.code} {n}"), 0
        while slug in taken:
            extra += 1
            slug = slugify(f"bench {state.code} {n} {extra}")
        taken.add(slug)
        made.append(
            District.objects.create(
                state=state,
                name=f"{state.name} (bench) {n}",
                slug=slug,
                latitude=state.latitude,
                longitude=state.longitude,
            )
        )
    return made


def _pick(rng: random.Random, weighted: list, k: int) -> list:
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights, k=k)


def _world(rng: random.Random, n_cbos: int, n_cases: int) -> dict:
    User = get_user_model()
    weighted = _districts()
    mukims: dict[int, list[Mukim]] = {}
    for m in Mukim.objects.all():
        mukims.setdefault(m.district_id, []).append(m)

    organizations = Organization.objects.bulk_create(
        [Organization(name=f"Pertubuhan Bench {n}", description="-") for n in range(n_cbos)]
        + [Organization(name=f"Agensi Bench {n}", description="-") for n in range(AGENCIES)]
    )
    cbo_orgs, agency_orgs = organizations[:n_cbos], organizations[n_cbos:]
    today = timezone.localdate()
    cbos = CboProfile.objects.bulk_create(
        CboProfile(
            organization=org,
            district=district,
            is_active=rng.random() > 0.05,
            assured_date=today - timedelta(days=rng.randrange(0, 700)),
        )
        for org, district in zip(cbo_orgs, _pick(rng, weighted, n_cbos), strict=True)
    )
    # Most CBOs cover a mukim or two; a tenth of the mukims are left with none (the gaps).
    uncovered = {m.pk for ms in mukims.values() for m in ms if rng.random() < 0.1}
    through = CboProfile.mukims.through
    links = set()
    for cbo in cbos:
        choices = [m for m in mukims.get(cbo.district_id, []) if m.pk not in uncovered]
        for m in rng.sample(choices, k=min(len(choices), rng.randint(1, 2))):
            links.add((cbo.pk, m.pk))
    through.objects.bulk_create(through(cboprofile_id=c, mukim_id=m) for c, m in links)

    services = Service.objects.bulk_create(
        Service(organization=org, name=f"Perkhidmatan {org.name}") for org in agency_orgs
    )
    users = User.objects.bulk_create(
        User(username=f"bench{n}@example.invalid", email=f"bench{n}@example.invalid")
        for n in range(n_cbos)
    )
    heads = Membership.objects.bulk_create(
        Membership(
            user=user, role=Role.CBO_HEAD, organization=cbo.organization, district=cbo.district
        )
        for user, cbo in zip(users, cbos, strict=True)
    )

    groups = list(TaxonomyTerm.objects.filter(taxonomy__code="kumpulan-sasar"))
    case_cbos = rng.choices(list(zip(cbos, heads, strict=True)), k=n_cases)
    people = Client.objects.bulk_create(
        Client(
            organization=cbo.organization,
            district=cbo.district,
            mukim=rng.choice(mukims[cbo.district_id]) if rng.random() < 0.9 else None,
            sex=rng.choice("fm"),
            created_by=head,
        )
        for cbo, head in case_cbos
    )
    Client.target_groups.through.objects.bulk_create(
        Client.target_groups.through(client_id=p.pk, taxonomyterm_id=g.pk)
        for p in people
        for g in rng.sample(groups, k=rng.randint(1, 2))
    )
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            # Numbered: random references of thousands of cases now and then collide.
            reference=f"KB-{n:06d}",
            client=person,
            organization=cbo.organization,
            district=cbo.district,
            state_id=cbo.district.state_id,
            category=rng.choice(Case.Category.values),
            urgency=rng.choices(Urgency.values, weights=[1, 3, 6])[0],
            status=Case.Status.OPEN if rng.random() < 0.35 else Case.Status.CLOSED,
            opened_by=head,
            opened_at=now - timedelta(days=rng.uniform(0, 365 * YEARS)),
        )
        for n, (person, (cbo, head)) in enumerate(zip(people, case_cbos, strict=True))
    )
    heads_by_org = {h.organization_id: h for h in heads}
    return {
        "cases": [(c, heads_by_org[c.organization_id]) for c in cases],
        "services": services,
        "ministry": _officer(Role.MINISTRY_ADMIN),
        "state_officer": _officer(Role.STATE_OFFICER, state=State.objects.get(code=STATE)),
        "officer": _officer(Role.DISTRICT_OFFICER, District.objects.get(slug="seremban")),
    }


def _officer(role: str, district: District | None = None, state: State | None = None) -> Membership:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_user(username=f"{role}@example.invalid")
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return Membership.objects.create(user=user, role=role, district=district, state=state)


# --- the referrals -----------------------------------------------------------------------


def _sqlite_value(value):
    """A value as Django writes it to SQLite: UUIDs as hex, datetimes as naive UTC text."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value


def _referral_rows(rng: random.Random, world: dict, count: int):
    now = timezone.now()
    span = 365 * YEARS * 86400
    cases, services = world["cases"], world["services"]
    for n in range(count):
        case, head = rng.choice(cases)
        service = rng.choice(services)
        # More referrals lately than three years ago, as a growing service would see.
        age = span * (1 - math.sqrt(rng.random()))
        created = now - timedelta(seconds=age)
        logged = rng.random() < 0.1
        status = rng.choices(*zip(*(RECENT if age < 60 * 86400 else SETTLED), strict=True))[0]
        sent = ack = done = closed = ack_due = done_due = None
        if logged:
            status = rng.choice([S.IN_PROGRESS, S.COMPLETED, S.CLOSED])
        elif status != S.DRAFT:
            sent = min(created + timedelta(minutes=rng.uniform(0, 30)), now)
            ack_h, done_h = TARGETS[case.urgency]
            ack_due, done_due = sent + timedelta(hours=ack_h), sent + timedelta(hours=done_h)
        if sent and status not in (S.SENT, S.CANCELLED):
            hours = rng.lognormvariate(math.log(ACKNOWLEDGE_HOURS[case.urgency]), 0.9)
            ack = min(sent + timedelta(hours=hours), now)
        if status in (S.COMPLETED, S.CLOSED):
            start = ack or created
            days = rng.lognormvariate(math.log(COMPLETE_DAYS[case.urgency]), 0.8)
            done = min(start + timedelta(days=days), now) if status == S.COMPLETED else None
            closed = min((done or start) + timedelta(days=rng.uniform(0, 5)), now)
        if status == S.CANCELLED:
            closed = min((sent or created) + timedelta(hours=rng.uniform(1, 48)), now)
        yield {  # by column (attname)
            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "reference": f"B-{n:07d}",
            "case_id": case.pk,
            "service_id": service.pk,
            "organization_id": service.organization_id,
            "district_id": case.district_id,
            "state_id": case.state_id,
            "urgency": case.urgency,
            "category": case.category,
            "mode": Referral.Mode.LOGGED if logged else Referral.Mode.LIVE,
            "status": status,
            "summary": "",
            "consent_override": "",
            "decline_reason": "no_capacity" if status == S.DECLINED else "",
            "outcome": "service_delivered" if status == S.COMPLETED else "",
            "close_reason": "resolved" if status == S.CLOSED else "",
            "redirected_from_id": None,
            "created_by_id": head.pk,
            "created_at": created,
            "sent_at": sent,
            "acknowledged_at": ack,
            "completed_at": done,
            "closed_at": closed,
            "acknowledge_due": ack_due,
            "complete_due": done_due,
            "acknowledge_escalated_at": None,
            "complete_escalated_at": None,
            "seconds_to_acknowledge": int((ack - sent).total_seconds()) if ack and sent else None,
            "seconds_to_complete": int((done - sent).total_seconds()) if done and sent else None,
            "version": 1,
            "submission_key": None,
        }


def _referrals(rng: random.Random, world: dict, count: int) -> None:
    fields = Referral._meta.concrete_fields
    table = Referral._meta.db_table
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = (
        tuple(values[f.attname] for f in fields) for values in _referral_rows(rng, world, count)
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # What autovacuum does soon after a bulk load: until then PostgreSQL has no
            # statistics, and its index-only scans visit the table for every row. (VACUUM
            # cannot run in a transaction, as in a test.)
            if not connection.in_atomic_block:
                cursor.execute(f"VACUUM {table}")
            cursor.execute("ANALYZE")
            return
        # No ANALYZE on SQLite: nothing runs it in production, and the dashboards' queries
        # are written to be planned well without statistics.
        rows = (tuple(_sqlite_value(v) for v in row) for row in rows)
        # Random UUID keys land all over the table's B-trees: a big page cache saves most of
        # the disk writes (this connection only, for this load).
        cursor.execute("PRAGMA cache_size = -1000000")
        marks = ", ".join(["%s"] * len(fields))
        # S608/B608: our own table and column names; the values are parameters.
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 # nosec B608
        batch = []
        with transaction.atomic():
            for row in rows:
                batch.append(row)
                if len(batch) == BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)


# --- timing ------------------------------------------------------------------------------


def _signed_in(membership: Membership) -> django.test.Client:
    from django_otp import DEVICE_ID_SESSION_KEY

    client = django.test.Client(HTTP_HOST="127.0.0.1")
    client.force_login(membership.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = membership.user.totpdevice_set.get().persistent_id
    session[MEMBERSHIP_SESSION_KEY] = membership.pk
    session[REAUTH_SESSION_KEY] = time.time()
    session.save()
    return client


def _time_dashboard(membership: Membership, query: dict | None = None) -> float:
    client = _signed_in(membership)
    url = reverse("reports:dashboard")
    times = []
    for attempt in range(4):
        started = time.perf_counter()
        response = client.get(url, query or {})
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if attempt:  # the first render loads templates and code paths
            times.append(elapsed)
    return min(times)
