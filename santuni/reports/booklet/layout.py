"""The printed directory of a district (an A5 PDF): read, rendered to HTML, laid out by WeasyPrint.

One code path serves the officers' download page (through a background task), the
`booklet` command and the bench. The HTML rendered before the PDF step, without the build
date, is hashed into the booklet's fingerprint: a finished booklet with the same district,
language and fingerprint is served again instead of being built anew.
"""

import hashlib
import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import segno
from django.conf import settings
from django.db.models import Prefetch, Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santuni.aid.models import PovertyLine, SchemeVersion
from santuni.aid.rules import rm, versions_on
from santuni.aid.selectors import welfare_office
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
from santuni.directory.opening import DAY_NAMES, opening_summary
from santuni.directory.selectors import SearchQuery, filtered_services
from santuni.geo.models import District
from santuni.lib.phones import phone_display

logger = logging.getLogger(__name__)

LANGUAGES = ("ms", "en")
# Stages of a build, in order, as the status page and the command name them.
READING, ENTRIES, LAYOUT, WRITING = "reading", "entries", "layout", "writing"
STAGES = {
    READING: gettext_lazy("Reading the directory"),
    ENTRIES: gettext_lazy("Preparing the entries"),
    LAYOUT: gettext_lazy("Laying out the pages"),
    WRITING: gettext_lazy("Writing the PDF"),
}
# Stands in for the build date while the HTML is hashed: the same data, the same fingerprint.
DATE_MARK = "\ue000BUILD-DATE\ue000"
QR_SCHEME = "qr:"

Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int = 0, total: int = 0) -> None:
    return None


# --- what the booklet prints ---------------------------------------------------------------


@dataclass
class Entry:
    """One listing as printed: a CBO or a service, with its QR code's address."""

    kind: str  # "cbo" or "service"
    anchor: str
    name: str
    url: str
    is_sample: bool = False
    organization: str = ""  # a service's provider
    description: str = ""
    groups: list[str] = field(default_factory=list)
    head: str = ""
    head_phone: str = ""
    phones: list[str] = field(default_factory=list)  # each number with its note
    numbers: list[str] = field(default_factory=list)  # the same numbers alone
    addresses: list[str] = field(default_factory=list)
    confidential: bool = False
    hours: str = ""
    html: str = ""

    @property
    def qr(self) -> str:
        return QR_SCHEME + self.url

    @property
    def first_phone(self) -> str:
        """The number a line referring to the entry offers."""
        return self.numbers[0] if self.numbers else ""


@dataclass
class Section:
    """A mukim or a target group: the entries printed in full there, and the ones printed
    elsewhere that also belong (a line with their page number)."""

    anchor: str
    title: str
    entries: list[Entry] = field(default_factory=list)
    see_also: list[Entry] = field(default_factory=list)


@dataclass
class Hotline:
    name: str
    numbers: list[str]
    note: str = ""


@dataclass
class AidScheme:
    name: str
    amount: str
    who: str
    documents: list[str]
    how_to_apply: str
    source: str
    source_date: date
    uncertain: bool


@dataclass
class Prepared:
    """The booklet's HTML (with the build date still a mark) and what was counted on the way."""

    html: str
    fingerprint: str
    entries: int
    district: District
    language: str

    def final_html(self, day: date) -> str:
        with translation.override(self.language):
            shown = formats.date_format(day, "j F Y")
        return self.html.replace(DATE_MARK, shown)


def absolute_url(path: str) -> str:
    return settings.SANTUNI["BASE_URL"].rstrip("/") + path


def _shown_phone(phone: Phone) -> str:
    shown = phone_display(phone.number).display
    if phone.type == Phone.PhoneType.FAX:
        return _("%(number)s (fax)") % {"number": shown}
    note = phone.tr.description
    return f"{shown} ({note})" if note else shown


def _phones(*groups) -> tuple[list[str], list[str]]:
    """Numbers in order, each once (a number listed on the organization and its place): as
    printed with their notes, and alone."""
    seen, found, numbers = set(), [], []
    for phones in groups:
        for phone in phones:
            if phone.number not in seen:
                seen.add(phone.number)
                found.append(_shown_phone(phone))
                numbers.append(phone_display(phone.number).display)
    return found, numbers


def _addresses(locations) -> tuple[list[str], bool]:
    """Public addresses, one line each, and whether a confidential place was left out."""
    lines, confidential = [], False
    for location in locations:
        confidential = confidential or location.is_confidential
        for address in location.public_addresses:
            lines.append(", ".join(address.lines()))
    return lines, confidential


def _short(text: str) -> str:
    return Truncator(" ".join(text.split())).words(40, truncate="…")


def _hours(service: Service) -> str:
    """Weekly hours in one line when they are simple (at most three runs of days), else
    nothing: the QR code's page has the full table."""
    summary = opening_summary(service, timezone.now())
    if not summary.known:
        return ""
    if summary.always_open:
        return _("Open 24 hours, every day.")
    runs: list[dict] = []
    for position, day in enumerate(summary.days):
        if not day.hours:
            continue
        if runs and runs[-1]["hours"] == day.hours and runs[-1]["end"] == position - 1:
            runs[-1].update(last=day, end=position)
        else:
            runs.append({"first": day, "last": day, "hours": day.hours, "end": position})
    if not runs or len(runs) > 3:
        return ""
    parts = []
    for run in runs:
        days = str(DAY_NAMES[run["first"].day])
        if run["last"] is not run["first"]:
            days = f"{days}–{DAY_NAMES[run['last'].day]}"
        parts.append(f"{days} {', '.join(run['hours'])}")
    return "; ".join(parts)


def _own_phones():
    """An organisation's or a place's own numbers: not a service's, a contact's or a service
    at a place's, which belong to their service's entry."""
    return Phone.objects.filter(
        service__isnull=True, contact__isnull=True, service_at_location__isnull=True
    ).order_by("number")


def _cbo_entries(district: District) -> list[tuple[Entry, list[int]]]:
    """The district's active CBOs, each with the ids of the mukims it covers."""
    own_phones = _own_phones()
    cbos = (
        CboProfile.objects.filter(district=district, is_active=True)
        .select_related("organization")
        .prefetch_related(
            "mukims",
            Prefetch("target_groups", queryset=TaxonomyTerm.objects.order_by("position", "name")),
            Prefetch("organization__phones", queryset=own_phones),
            Prefetch(
                "organization__locations",
                queryset=Location.objects.order_by("name").prefetch_related(
                    "addresses", Prefetch("phones", queryset=own_phones)
                ),
            ),
        )
    )
    found = []
    for cbo in cbos:
        org = cbo.organization
        locations = list(org.locations.all())
        addresses, confidential = _addresses(locations)
        phones, numbers = _phones(org.phones.all(), *(loc.phones.all() for loc in locations))
        entry = Entry(
            kind="cbo",
            anchor=f"o-{org.pk}",
            name=org.tr.name,
            url=absolute_url(reverse("pages:organization", args=[org.pk])),
            is_sample=org.is_sample,
            description=_short(org.tr.description),
            groups=[t.tr.name for t in cbo.target_groups.all()],
            phones=phones,
            numbers=numbers,
            addresses=addresses,
            confidential=confidential,
        )
        # The head's name and phone are personal: printed only with their consent.
        if cbo.head_consent and cbo.head_name:
            entry.head = cbo.head_name
            entry.head_phone = phone_display(cbo.head_phone).display if cbo.head_phone else ""
        found.append((entry, [m.pk for m in cbo.mukims.all()]))
    return found


def _service_entries(district: District) -> list[tuple[Entry, list[int]]]:
    """Active services in or covering the district (as the search decides), each with the
    ids of its target groups."""
    services, _filtered = filtered_services(SearchQuery(district=district))
    services = services.filter(status=Service.Status.ACTIVE)
    rows = list(
        services.select_related("organization").prefetch_related(
            "phones",
            "schedules",
            Prefetch("organization__phones", queryset=_own_phones()),
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    Prefetch("location__addresses", queryset=Address.objects.order_by("id")),
                    "location__phones",
                    Prefetch("location__schedules", queryset=Schedule.objects.order_by("opens_at")),
                ),
            ),
        )
    )
    groups: dict = {s.pk: [] for s in rows}
    for attribute in (
        Attribute.objects.filter(
            link_entity=Attribute.LinkEntity.SERVICE,
            link_id__in=services.values("id"),
            taxonomy_term__taxonomy__code=Taxonomy.TARGET_GROUPS,
        )
        .select_related("taxonomy_term")
        .order_by("taxonomy_term__position")
    ):
        if attribute.link_id in groups:
            groups[attribute.link_id].append(attribute.taxonomy_term)
    found = []
    for service in rows:
        locations = [sal.location for sal in service.service_at_locations.all()]
        addresses, confidential = _addresses(locations)
        phones, numbers = _phones(service.phones.all(), *(loc.phones.all() for loc in locations))
        if not phones:
            phones, numbers = _phones(service.organization.phones.all())
        entry = Entry(
            kind="service",
            anchor=f"s-{service.pk}",
            name=service.tr.name,
            url=absolute_url(reverse("directory:service", args=[service.pk])),
            is_sample=service.organization.is_sample,
            organization=service.organization.tr.name,
            description=_short(service.tr.description),
            groups=[t.tr.name for t in groups[service.pk]],
            phones=phones,
            numbers=numbers,
            addresses=addresses,
            confidential=confidential,
            hours=_hours(service),
        )
        found.append((entry, [t.pk for t in groups[service.pk]]))
    return found


def _sections(places, listed, *, anchor, title, rest_title) -> list[Section]:
    """Each place (mukim or target group) with its entries; an entry is printed in full under
    the first place it belongs to and referred to by page from the others. Entries that
    belong to none go last, under `rest_title`."""
    sections = {p.pk: Section(anchor(p), title(p)) for p in places}
    rest = Section(anchor(None), rest_title)
    for entry, keys in sorted(listed, key=lambda pair: pair[0].name.casefold()):
        mine = [sections[k] for k in sections if k in keys]
        if not mine:
            rest.entries.append(entry)
            continue
        mine[0].entries.append(entry)
        for section in mine[1:]:
            section.see_also.append(entry)
    return [*sections.values(), *([rest] if rest.entries else [])]


def _hotlines() -> list[Hotline]:
    emergency = settings.SANTUNI["EMERGENCY"]

    def show(number: str) -> str:
        return phone_display(number).display

    lines = [
        Hotline(
            _("Police, ambulance and fire"),
            [emergency["police"]],
            _("112 from a mobile phone, even without credit."),
        ),
        Hotline(
            "Talian Kasih (KPWKM)",
            [
                emergency["talian_kasih"],
                _("WhatsApp %(number)s") % {"number": show(emergency["whatsapp"])},
            ],
            _(
                "24 hours. Reports of abuse and violence reach the district welfare office "
                "the same day."
            ),
        ),
        Hotline(
            _("Women's Aid Organisation (WAO)"),
            [
                show(emergency["wao"]),
                _("TINA WhatsApp %(number)s") % {"number": show(emergency["tina_whatsapp"])},
            ],
            _("Help for survivors of domestic violence."),
        ),
        Hotline(
            _("One Stop Crisis Centre (OSCC)"),
            [],
            _("At the emergency department of every government hospital, 24 hours."),
        ),
        Hotline(_("JKM headquarters"), [show(emergency["jkm_hq"])]),
    ]
    return lines


def _office_line(office: Organization | None) -> Hotline | None:
    """The district welfare office as the directory lists it: its numbers large, then its
    address and what the directory says of each number."""
    if office is None:
        return None
    addresses, _confidential = _addresses(office.locations.all())
    own = _own_phones().filter(organization=office)
    numbers, notes = [], []
    for phone in own:
        shown = phone_display(phone.number).display
        if shown not in numbers:
            numbers.append(shown)
            if phone.tr.description:
                notes.append(f"{shown}: {phone.tr.description}")
    return Hotline(office.tr.name, numbers, "; ".join(addresses + notes))


def _amount(version: SchemeVersion) -> str:
    """The rate in words, as the screener says it where it can be said without a household."""
    kind = version.amount_kind
    if kind == SchemeVersion.AmountKind.FIXED:
        return _("%(amount)s a month") % {"amount": rm(version.amount)}
    if kind == SchemeVersion.AmountKind.ACTUAL_COST:
        return _("The actual cost of the device")
    if kind == SchemeVersion.AmountKind.PER_PERSON:
        parts = [_("%(amount)s a person a month") % {"amount": rm(version.amount)}]
    else:
        parts, low = [], 0
        for band in sorted(version.child_rates, key=lambda b: b["max_age"]):
            parts.append(
                _("%(amount)s a month for each child aged %(low)s–%(high)s")
                % {"amount": rm(Decimal(str(band["amount"]))), "low": low, "high": band["max_age"]}
            )
            low = band["max_age"] + 1
    if version.family_cap is not None:
        parts.append(_("at most %(cap)s a family") % {"cap": rm(version.family_cap)})
    return "; ".join(parts)


def _aid(day: date) -> list[AidScheme]:
    return [
        AidScheme(
            name=v.scheme.tr.name,
            amount=_amount(v),
            who=v.scheme.tr.explanation,
            documents=v.scheme.document_list(),
            how_to_apply=v.scheme.tr.how_to_apply,
            source=v.tr.source,
            source_date=v.source_date,
            uncertain=v.uncertain,
        )
        for v in versions_on(day)
    ]


def _poverty_lines(district: District, day: date) -> list[dict]:
    """The newest PGK release of the district's state, then Malaysia's, as printed."""
    lines = list(
        PovertyLine.objects.filter(effective_from__lte=day)
        .filter(Q(state=district.state_id) | Q(state__isnull=True))
        .order_by("-effective_from")
    )
    order = {PovertyLine.Area.ALL: 0, PovertyLine.Area.URBAN: 1, PovertyLine.Area.RURAL: 2}
    shown = []
    for state_id, where in ((district.state_id, district.state.tr.name), (None, "Malaysia")):
        mine = [line for line in lines if line.state_id == state_id]
        newest = [line for line in mine if line.effective_from == mine[0].effective_from]
        for line in sorted(newest, key=lambda line: order.get(line.area, 3)):
            shown.append(
                {
                    "where": where,
                    "area": ""
                    if line.area == PovertyLine.Area.ALL
                    else line.get_area_display().lower(),
                    "amount": rm(line.amount),
                    "effective_from": line.effective_from,
                    "source": line.tr.source,
                    "source_date": line.source_date,
                }
            )
    return shown


def _render_entries(entries: list[Entry], progress: Progress) -> None:
    templates = {
        "cbo": get_template("reports/booklet/_cbo.html"),
        "service": get_template("reports/booklet/_service.html"),
    }
    total = len(entries)
    for done, entry in enumerate(entries, start=1):
        entry.html = templates[entry.kind].render({"entry": entry})
        if done % 25 == 0 or done == total:
            progress(ENTRIES, done, total)


def prepare(district: District, language: str, progress: Progress = no_progress) -> Prepared:
    """Reads what the district's booklet prints and renders it to HTML, in the language."""
    if language not in LANGUAGES:
        raise ValueError(language)
    progress(READING, 0, 0)
    today = timezone.localdate()
    with translation.override(language):
        mukims = list(district.mukims.order_by("name"))
        terms = list(
            TaxonomyTerm.objects.filter(taxonomy__code=Taxonomy.TARGET_GROUPS).order_by(
                "position", "name"
            )
        )
        cbos = _cbo_entries(district)
        services = _service_entries(district)
        office = welfare_office(district)
        entries = [entry for entry, _keys in cbos + services]
        _render_entries(entries, progress)
        by_mukim = _sections(
            mukims,
            cbos,
            anchor=lambda m: f"m-{m.pk}" if m else "m-all",
            title=lambda m: _("Mukim %(name)s") % {"name": m.tr.name},
            rest_title=_("Whole district"),
        )
        by_group = _sections(
            terms,
            services,
            anchor=lambda t: f"g-{t.code}" if t else "g-other",
            title=lambda t: t.tr.name,
            rest_title=_("Other services"),
        )
        schemes = _aid(today)
        how_to_apply = {s.how_to_apply for s in schemes}
        html = get_template("reports/booklet/booklet.html").render(
            {
                "language": language,
                "district": district,
                "district_name": district.tr.name,
                "data_date": DATE_MARK,
                "site": settings.SANTUNI["BASE_URL"].rstrip("/"),
                "site_name": settings.SANTUNI["BASE_URL"].split("://")[-1].rstrip("/"),
                "hotlines": _hotlines(),
                "office_line": _office_line(office),
                "by_mukim": by_mukim,
                "by_group": by_group,
                "schemes": schemes,
                "how_to_apply": how_to_apply.pop() if len(how_to_apply) == 1 else "",
                "poverty_lines": _poverty_lines(district, today),
                "state_name": district.state.tr.name,
                "index": sorted(entries, key=lambda e: (e.name.casefold(), e.organization)),
                "any_sample": any(e.is_sample for e in entries),
            }
        )
    digest = hashlib.sha256(f"{language}\n{html}".encode()).hexdigest()
    return Prepared(html, digest, len(entries), district, language)


# --- the PDF ---------------------------------------------------------------------------------


def qr_png(url: str) -> bytes:
    """A QR code one pixel a module: printed crisp at any size (image-rendering: pixelated)."""
    out = io.BytesIO()
    segno.make_qr(url, error="m", mask=0).save(out, kind="png", scale=1, border=1)
    return out.getvalue()


def _fetcher():
    # Imported here: WeasyPrint needs Pango, which the rest of Santuni does not.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class QrFetcher(URLFetcher):
        """Answers `qr:<url>` images with a small PNG, and fetches nothing else: the booklet
        loads no resource from the network or the disk."""

        def fetch(self, url, headers=None):
            if not url.startswith(QR_SCHEME):
                raise ValueError(f"The booklet loads no external resource: {url[:80]}")
            return URLFetcherResponse(
                url, qr_png(url[len(QR_SCHEME) :]), {"Content-Type": "image/png"}
            )

    return QrFetcher()


class _PageCounter(logging.Handler):
    """Hears WeasyPrint lay out each page ("Step 5 - Creating layout - Page N")."""

    def __init__(self, progress: Progress):
        super().__init__(logging.INFO)
        self.progress = progress
        self.pages = 0

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith("Step 5") and record.args:
            page = record.args[0] if isinstance(record.args, tuple) else 0
            if isinstance(page, int) and page > self.pages:
                self.pages = page
                self.progress(LAYOUT, page, 0)


@contextmanager
def _counting_pages(progress: Progress) -> Iterator[None]:
    progress_logger = logging.getLogger("weasyprint.progress")
    handler = _PageCounter(progress)
    # Hundreds of "Page N" lines would otherwise reach the console log.
    propagate, level = progress_logger.propagate, progress_logger.level
    progress_logger.addHandler(handler)
    progress_logger.propagate = False
    progress_logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        progress_logger.removeHandler(handler)
        progress_logger.propagate = propagate
        progress_logger.setLevel(level)


def make_pdf(html: str, progress: Progress = no_progress) -> tuple[bytes, int]:
    """The PDF of the booklet's HTML and its number of pages."""
    progress(LAYOUT, 0, 0)
    with _counting_pages(progress):
        from weasyprint import HTML  # its first import parses the default stylesheets

        document = HTML(string=html, url_fetcher=_fetcher()).render()
        progress(WRITING, 0, 0)
        return document.write_pdf(), len(document.pages)
