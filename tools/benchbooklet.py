"""`make bench`'s booklet step: a synthetic district of N listings, then its printed booklet.

Half the listings are CBOs spread over the district's mukims, half services spread over the
target groups, each with a phone, an address (every tenth a confidential shelter) and, for
services, weekday hours; Malay text as the real directory has. The booklet is built through
`santuni.reports.booklet.builds.build`, the code path of the command and the background task.
"""

import time
import uuid
from datetime import time as clock

from django.db import transaction
from django.utils.text import slugify

from santuni.directory.models import (
    Address,
    Attribute,
    CboProfile,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from santuni.geo.models import District, Mukim, State
from santuni.reports.booklet import builds

DISTRICT = "Seri Contoh"
MUKIMS = [
    "Bukit Indah",
    "Kampung Baru",
    "Lembah Damai",
    "Paya Rumput",
    "Sungai Mas",
    "Tanjung Ria",
    "Telok Kemang",
    "Ulu Bendul",
]
KINDS = ["Persatuan Penduduk", "Pertubuhan Kebajikan", "Kelab Wanita", "Persatuan Warga Emas"]
SERVICES = [
    "Bantuan makanan bulanan",
    "Lawatan ke rumah warga emas",
    "Kelas tuisyen percuma",
    "Kaunseling keluarga",
    "Pengangkutan ke hospital",
    "Pinjaman alat sokongan OKU",
]
ABOUT = (
    "Pertubuhan sukarela yang membantu keluarga berpendapatan rendah, warga emas dan OKU di "
    "kawasan ini dengan lawatan ke rumah, bantuan makanan dan rujukan kepada JKM."
)


def _district() -> tuple[District, list[Mukim]]:
    state = State.objects.get(code="MY-05")
    district, _created = District.objects.get_or_create(
        slug=slugify(f"bench {DISTRICT}"),
        defaults={"name": DISTRICT, "state": state, "latitude": 2.72, "longitude": 101.94},
    )
    mukims = [
        Mukim.objects.get_or_create(
            district=district,
            slug=slugify(name),
            defaults={"name": name, "latitude": 2.72, "longitude": 101.94},
        )[0]
        for name in MUKIMS
    ]
    return district, mukims


def _place(org, district, mukim, number: int, confidential: bool, locations, addresses):
    location = Location(
        id=uuid.uuid4(),
        organization=org,
        name=f"Pusat {org.name}",
        is_confidential=confidential,
        latitude=2.72,
        longitude=101.94,
    )
    locations.append(location)
    addresses.append(
        Address(
            location=location,
            address_1=f"No. {number}, Jalan {mukim.name} {number % 40 + 1}",
            city=DISTRICT,
            postal_code=f"70{number % 900 + 100}",
            state_province="Negeri Sembilan",
            district=district,
            mukim=mukim,
        )
    )
    return location


@transaction.atomic
def make_directory(entries: int) -> District:
    """The synthetic district with `entries` listings, written with bulk_create."""
    district, mukims = _district()
    groups = list(TaxonomyTerm.objects.filter(taxonomy__code=Taxonomy.TARGET_GROUPS))
    cbo_count = max(1, entries // 2)
    service_count = entries - cbo_count
    orgs = [
        Organization(
            id=uuid.uuid4(),
            name=f"{KINDS[i % len(KINDS)]} {mukims[i % len(mukims)].name} {i + 1}",
            description=ABOUT,
        )
        for i in range(cbo_count)
    ]
    office = Organization(
        id=uuid.uuid4(),
        name=f"Pejabat Kebajikan Masyarakat Daerah {DISTRICT}",
        description="Pejabat kebajikan daerah.",
    )
    Organization.objects.bulk_create([*orgs, office])
    cbos = CboProfile.objects.bulk_create(
        CboProfile(
            organization=org,
            district=district,
            head_name=f"Ahmad bin Abdullah {i + 1}",
            head_phone=f"+6012{3000000 + i}",
            head_consent=i % 2 == 0,
        )
        for i, org in enumerate(orgs)
    )
    if cbos[0].pk is None:  # a database that returns no ids from bulk_create
        cbos = list(CboProfile.objects.filter(district=district).order_by("pk"))
    CboProfile.mukims.through.objects.bulk_create(
        CboProfile.mukims.through(cboprofile_id=cbo.pk, mukim_id=mukims[i % len(mukims)].pk)
        for i, cbo in enumerate(cbos)
    )
    CboProfile.target_groups.through.objects.bulk_create(
        CboProfile.target_groups.through(
            cboprofile_id=cbo.pk, taxonomyterm_id=groups[i % len(groups)].pk
        )
        for i, cbo in enumerate(cbos)
    )
    locations, addresses, phones = [], [], []
    for i, org in enumerate(orgs):
        _place(org, district, mukims[i % len(mukims)], i + 1, i % 10 == 9, locations, addresses)
        phones.append(Phone(organization=org, number=f"+606{7000000 + i}"))
    _place(office, district, mukims[0], 1, False, locations, addresses)
    phones.append(Phone(organization=office, number="+6067654321"))
    services, links, tags, hours = [], [], [], []
    for i in range(service_count):
        org = orgs[i % len(orgs)]
        service = Service(
            id=uuid.uuid4(),
            organization=org,
            name=f"{SERVICES[i % len(SERVICES)]} {i + 1}",
            description=ABOUT,
        )
        services.append(service)
        location = _place(
            org, district, mukims[i % len(mukims)], 5000 + i, i % 10 == 9, locations, addresses
        )
        links.append(ServiceAtLocation(service=service, location=location))
        tags.append(
            Attribute(
                link_entity=Attribute.LinkEntity.SERVICE,
                link_id=service.id,
                taxonomy_term=groups[i % len(groups)],
            )
        )
        phones.append(Phone(service=service, number=f"+6013{4000000 + i}"))
        hours.append(
            Schedule(
                service=service, byday="MO,TU,WE,TH,FR", opens_at=clock(8), closes_at=clock(17)
            )
        )
    Location.objects.bulk_create(locations)
    Address.objects.bulk_create(addresses)
    Service.objects.bulk_create(services)
    ServiceAtLocation.objects.bulk_create(links)
    Attribute.objects.bulk_create(tags)
    Phone.objects.bulk_create(phones)
    Schedule.objects.bulk_create(hours)
    return district


def run(entries: int) -> dict:
    """Builds the booklet of a synthetic district of `entries` listings; returns the time
    the build took (not the data's creation), its pages and its size."""
    district = make_directory(entries)
    started = time.perf_counter()
    built = builds.build(district=district, language="ms")
    seconds = time.perf_counter() - started
    return {
        "entries": entries,
        "seconds": round(seconds, 2),
        "pages": built.pages,
        "bytes": built.file.size,
    }
