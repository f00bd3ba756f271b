"""JKM aid statistics: CSV import and the ministry dashboard's aid tables.

The CSV format (UTF-8, with or without a byte-order mark, comma-separated, one header row):

    year,state,scheme,recipients,amount_rm,as_of,source,source_url
    2023,,,543811,"2,530,000,000",2023-12-31,"KPWKM press release, April 2024",
    2023,MY-05,,24803,"116,782,700.00",2023-12-31,"KPWKM press release, April 2024",

- year: the year the figures describe (2023).
- state: an ISO 3166-2 code (MY-05) or the state's name in Malay or English (Negeri Sembilan,
  Penang, WP Kuala Lumpur); blank (or "Malaysia") for the whole country.
- scheme: an aid scheme's code (bkk, bwe, epoku, ...: aid.Scheme.code); blank for all schemes.
- recipients: a whole number; commas between thousands are allowed (533,167).
- amount_rm: ringgit paid, up to 2 decimals, commas between thousands allowed ("116,782,700");
  blank if not published.
- as_of: the date the figures stand at, YYYY-MM-DD; blank if not given.
- source: who published the figures and where (required); source_url: a link, or blank.

Importing is an upsert on (year, state, scheme) and all-or-nothing: one bad row rejects the
file, with one message per problem naming the line, the column and what is wrong. The seed
(data/aid_statistics.csv, loaded by migration 0002) goes through the same parser.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santuni.accounts.models import Membership
from santuni.aid.models import Scheme
from santuni.aid.rules import rm
from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.geo.models import State
from santuni.lib.i18n import in_language

from .models import AidStatistic
from .tables import MINISTRY, Scope, Table, report

SEED = Path(__file__).resolve().parent / "data" / "aid_statistics.csv"

COLUMNS = ("year", "state", "scheme", "recipients", "amount_rm", "as_of", "source", "source_url")
# Shown on the admin's import page, beside the example above.
COLUMN_HELP = [
    ("year", gettext_lazy("The year the figures describe, such as 2023.")),
    (
        "state",
        gettext_lazy(
            "An ISO 3166-2 code such as MY-05, or the state's name (Negeri Sembilan, Penang, "
            "WP Kuala Lumpur). Leave blank for the whole of Malaysia."
        ),
    ),
    (
        "scheme",
        gettext_lazy("An aid scheme's code such as bkk or bwe. Leave blank for all schemes."),
    ),
    ("recipients", gettext_lazy("A whole number; commas between thousands are allowed.")),
    (
        "amount_rm",
        gettext_lazy(
            "Ringgit paid, up to 2 decimals; commas between thousands are allowed "
            '("116,782,700"). Leave blank if not published.'
        ),
    ),
    ("as_of", gettext_lazy("The date the figures stand at, written YYYY-MM-DD; may be blank.")),
    ("source", gettext_lazy("Who published the figures and where. Required.")),
    ("source_url", gettext_lazy("A link to the source; may be blank.")),
]
EXAMPLE = (
    "year,state,scheme,recipients,amount_rm,as_of,source,source_url\n"
    '2023,,,543811,"2,530,000,000",2023-12-31,"KPWKM press release, April 2024",\n'
    '2023,MY-05,,24803,"116,782,700",2023-12-31,"KPWKM press release, April 2024",\n'
)

FIRST_YEAR, LAST_YEAR = 1950, 2100
MAX_RECIPIENTS = 2_147_483_647  # the largest PositiveIntegerField on every database
MAX_SEN = 9_223_372_036_854_775_807  # PositiveBigIntegerField
_WHOLE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_AMOUNT = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?")
_TOO_PRECISE = re.compile(r"[\d,]*\.\d{3,}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR = re.compile(r"\d{4}")
_MALAYSIA = "malaysia"


# --- Reading the CSV -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.column:
            return _("Line %(line)d: %(problem)s") % {"line": self.line, "problem": self.message}
        return _("Line %(line)d, column %(column)s: %(problem)s") % {
            "line": self.line,
            "column": self.column,
            "problem": self.message,
        }


class AidCsvError(Exception):
    """The file was refused; `problems` says why, one per bad value."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


@dataclass(frozen=True)
class AidRow:
    line: int
    year: int
    state: str | None  # ISO 3166-2 code; None is Malaysia
    scheme: str | None  # aid.Scheme code; None is all schemes
    recipients: int
    amount_sen: int | None
    as_of: date | None
    source: str
    source_url: str

    @property
    def key(self) -> tuple:
        return (self.year, self.state, self.scheme)


class AidModels(NamedTuple):
    """The models the import reads and writes: today's, or a migration's historical ones."""

    statistic: Any
    state: Any
    scheme: Any

    @classmethod
    def from_apps(cls, apps) -> "AidModels":
        return cls(
            apps.get_model("reports", "AidStatistic"),
            apps.get_model("geo", "State"),
            apps.get_model("aid", "Scheme"),
        )


CURRENT = AidModels(AidStatistic, State, Scheme)


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _state_names(models: AidModels) -> dict[str, str]:
    """Every way a state may be written (code, Malay, English, WP/FT short forms) -> code."""
    names: dict[str, str] = {}
    for code, name, name_en in models.state.objects.values_list("code", "name", "name_en"):
        spellings = {code, name, name_en}
        for long, short in (("Wilayah Persekutuan ", "WP "), ("Federal Territory of ", "FT ")):
            for spelling in (name, name_en):
                if spelling.startswith(long):
                    rest = spelling.removeprefix(long)
                    spellings |= {rest, short + rest}
        names.update({_squash(s): code for s in spellings if s})
    return names


def _text(data: bytes | str) -> str:
    text = data.removeprefix("\ufeff") if isinstance(data, str) else _decoded(data)
    if "\x00" in text:
        # No spreadsheet writes one; a database cannot store one.
        line = text[: text.index("\x00")].count("\n") + 1
        raise AidCsvError(
            [
                Problem(
                    line,
                    "",
                    _(
                        "the file holds a NUL character, so it is not CSV text. In Excel, save "
                        "it as “CSV UTF-8 (Comma delimited)”."
                    ),
                )
            ]
        )
    return text


def _decoded(data: bytes) -> str:
    try:
        # utf-8-sig drops a byte-order mark (Excel's "CSV UTF-8" writes one) and reads plain UTF-8.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise AidCsvError(
            [
                Problem(
                    line,
                    "",
                    _(
                        "the file is not UTF-8 text. In Excel, save it as "
                        "“CSV UTF-8 (Comma delimited)”."
                    ),
                )
            ]
        ) from None


def _whole(value: str) -> tuple[int | None, str | None]:
    value = value.strip()
    if value.startswith("-") and _WHOLE.fullmatch(value[1:].strip()):
        return None, _("must not be negative.")
    if not _WHOLE.fullmatch(value):
        return None, _("“%(value)s” is not a whole number.") % {"value": value}
    return int(value.replace(",", "")), None


def _sen(value: str) -> tuple[int | None, str | None]:
    value = value.strip()
    if value[:2].upper() == "RM":
        value = value[2:].strip()
    if value.startswith("-") and _AMOUNT.fullmatch(value[1:].strip()):
        return None, _("must not be negative.")
    if _TOO_PRECISE.fullmatch(value):
        return None, _("“%(value)s” has more than 2 decimals.") % {"value": value}
    if not _AMOUNT.fullmatch(value):
        return None, _("“%(value)s” is not an amount in ringgit.") % {"value": value}
    return int(Decimal(value.replace(",", "")) * 100), None


def _row(line: int, cells: dict[str, str], names: dict[str, str], schemes: dict[str, str]):
    """One row read: the AidRow, or the problems it has."""
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(line, column, message))

    year = None
    if not cells["year"]:
        problem("year", _("the year is missing."))
    elif _YEAR.fullmatch(cells["year"]) and FIRST_YEAR <= int(cells["year"]) <= LAST_YEAR:
        year = int(cells["year"])
    else:
        problem(
            "year",
            _("“%(value)s” is not a year between %(first)d and %(last)d.")
            % {"value": cells["year"], "first": FIRST_YEAR, "last": LAST_YEAR},
        )

    state = None
    if cells["state"] and _squash(cells["state"]) != _MALAYSIA:
        state = names.get(_squash(cells["state"]))
        if state is None:
            problem(
                "state",
                _(
                    "unknown state “%(value)s”; write its ISO 3166-2 code (such as MY-05) or its "
                    "name, or leave it blank for Malaysia."
                )
                % {"value": cells["state"]},
            )

    scheme = None
    if cells["scheme"]:
        scheme = schemes.get(cells["scheme"].lower())
        if scheme is None:
            problem(
                "scheme",
                _("unknown scheme “%(value)s”; the codes are %(codes)s, or blank for all schemes.")
                % {"value": cells["scheme"], "codes": ", ".join(sorted(schemes))},
            )

    recipients = None
    if not cells["recipients"]:
        problem("recipients", _("the number of recipients is missing."))
    else:
        recipients, error = _whole(cells["recipients"])
        if error:
            problem("recipients", error)
        elif recipients > MAX_RECIPIENTS:
            problem("recipients", _("the number is too large."))

    amount_sen = None
    if cells["amount_rm"]:
        amount_sen, error = _sen(cells["amount_rm"])
        if error:
            problem("amount_rm", error)
        elif amount_sen > MAX_SEN:
            problem("amount_rm", _("the amount is too large."))

    as_of = None
    if cells["as_of"]:
        try:
            if not _ISO_DATE.fullmatch(cells["as_of"]):
                raise ValueError
            as_of = date.fromisoformat(cells["as_of"])
        except ValueError:
            problem(
                "as_of",
                _("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": cells["as_of"]},
            )
        else:
            if year is not None and as_of.year < year:
                problem("as_of", _("the figures cannot stand at a date before their year."))

    source = " ".join(cells["source"].split())
    if not source:
        problem("source", _("say where the figures come from."))
    elif len(source) > 300:
        problem("source", _("write the source in at most 300 characters."))

    source_url = cells["source_url"]
    if source_url:
        try:
            if len(source_url) > 200:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError:
            problem("source_url", _("“%(value)s” is not a web link.") % {"value": source_url})

    if problems:
        return None, problems
    row = AidRow(line, year, state, scheme, recipients, amount_sen, as_of, source, source_url)
    return row, []


def _unreadable(line: int, error: csv.Error) -> Problem:
    """Python's words for a line it cannot read (a value far too long, a stray quote)."""
    return Problem(
        line, "", _("the line cannot be read as CSV (%(reason)s).") % {"reason": str(error)}
    )


def parse_aid_csv(data: bytes | str, *, models: AidModels = CURRENT) -> list[AidRow]:
    """The rows of a CSV file in the format above; raises AidCsvError listing every problem."""
    reader = csv.reader(io.StringIO(_text(data), newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        raise AidCsvError([Problem(1, "", _("the file is empty."))]) from None
    except csv.Error as error:
        raise AidCsvError([_unreadable(1, error)]) from None
    # Spreadsheets often save empty columns to the right of the table.
    while header and not header[-1]:
        header.pop()
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c or '""' for c in header if c not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        message = _("the header must be %(columns)s.") % {"columns": ",".join(COLUMNS)}
        if missing:
            message += " " + _("Missing: %(names)s.") % {"names": ", ".join(missing)}
        if unknown:
            message += " " + _("Not expected: %(names)s.") % {"names": ", ".join(unknown)}
        raise AidCsvError([Problem(1, "", message)])

    names = _state_names(models)
    schemes = {code.lower(): code for code in models.scheme.objects.values_list("code", flat=True)}
    rows: list[AidRow] = []
    problems: list[Problem] = []
    seen: dict[tuple, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                problems.append(
                    Problem(
                        line,
                        "",
                        _("the row has %(found)d values; the header has %(expected)d.")
                        % {"found": len(values), "expected": len(header)},
                    )
                )
                continue
            # A short row (a spreadsheet dropping trailing blanks) reads as blank cells.
            values = values + [""] * (len(header) - len(values))
            cells = {column: value.strip() for column, value in zip(header, values, strict=False)}
            row, row_problems = _row(line, cells, names, schemes)
            problems += row_problems
            if row is None:
                continue
            if row.key in seen:
                problems.append(
                    Problem(
                        line,
                        "year, state, scheme",
                        _("the same year, state and scheme as line %(other)d.")
                        % {"other": seen[row.key]},
                    )
                )
                continue
            seen[row.key] = line
            rows.append(row)
    except csv.Error as error:
        problems.append(_unreadable(reader.line_num, error))
    if not rows and not problems:
        problems.append(Problem(1, "", _("the file has a header but no figures.")))
    if problems:
        raise AidCsvError(problems)
    return rows


# --- Saving ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportCounts:
    created: int
    updated: int
    unchanged: int

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


_VALUES = ("recipients", "amount_sen", "as_of", "source", "source_url")


def save_aid_rows(rows: list[AidRow], *, models: AidModels = CURRENT) -> ImportCounts:
    """Upserts the rows on (year, state, scheme) in a few queries; the caller's transaction."""
    state_ids = dict(
        models.state.objects.filter(code__in={r.state for r in rows if r.state}).values_list(
            "code", "id"
        )
    )
    scheme_ids = dict(
        models.scheme.objects.filter(code__in={r.scheme for r in rows if r.scheme}).values_list(
            "code", "id"
        )
    )
    existing = {
        (s.year, s.state_id, s.scheme_id): s
        for s in models.statistic.objects.filter(year__in={r.year for r in rows})
    }
    new, changed, unchanged = [], [], 0
    for row in rows:
        key = (row.year, state_ids.get(row.state), scheme_ids.get(row.scheme))
        values = {field: getattr(row, field) for field in _VALUES}
        found = existing.get(key)
        if found is None:
            new.append(models.statistic(year=key[0], state_id=key[1], scheme_id=key[2], **values))
        elif any(getattr(found, f) != v for f, v in values.items()):
            for field, value in values.items():
                setattr(found, field, value)
            changed.append(found)
        else:
            unchanged += 1
    models.statistic.objects.bulk_create(new)
    models.statistic.objects.bulk_update(changed, list(_VALUES))
    return ImportCounts(len(new), len(changed), unchanged)


def aid_statistics_import(
    *, data: bytes | str, actor: Membership | None, user=None, filename: str = ""
) -> ImportCounts:
    """Imports a CSV of figures (all rows or none) and records one audit row.

    `actor` None with no `user` is the system (the management command).
    """
    user = user if user is not None else (actor.user if actor is not None else None)
    if user is not None and not user.has_perm("reports.change_aidstatistic"):
        raise PermissionDenied
    rows = parse_aid_csv(data)
    try:
        with transaction.atomic():
            counts = save_aid_rows(rows)
            trail.record(
                actor=actor,
                user=user,
                action=Action.AID_STATISTICS_IMPORTED,
                object_type="reports.aidstatistic",
                changes={
                    "file": filename,
                    "years": sorted({r.year for r in rows}),
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                },
            )
    except IntegrityError:
        # Another import created one of the same rows between our read and our write.
        raise AidCsvError(
            [Problem(1, "", _("another import saved the same figures just now; try again."))]
        ) from None
    return counts


def load_seed(apps) -> ImportCounts:
    """Migration 0002: the figures of DOMAIN.md (data/aid_statistics.csv)."""
    models = AidModels.from_apps(apps)
    return save_aid_rows(parse_aid_csv(SEED.read_bytes(), models=models), models=models)


def _place(scope: Scope) -> State | None:
    if scope.state is not None:
        return scope.state
    return scope.district.state if scope.district is not None else None


def _where(scope: Scope) -> str:
    place = _place(scope)
    return place.tr.name if place is not None else _("Malaysia")


def _money(sen: int | None) -> str:
    return rm(Decimal(sen) / 100) if sen is not None else _("not known")


def _share(part: int | None, whole: int | None) -> str:
    if part is None or not whole:
        return ""
    return f"{Decimal(part) * 100 / Decimal(whole):.1f}%"


def _day(value: date | None) -> str:
    return formats.date_format(value, "j F Y") if value else ""


def _sources(figures: list[dict], label) -> str:
    """One sentence per source: its text, link and date, and which rows it gave."""
    groups: dict[tuple, list[str]] = {}
    for f in figures:
        groups.setdefault((f["source"], f["source_url"], f["as_of"]), []).append(label(f))
    parts = []
    for (source, url, as_of), labels in groups.items():
        text = source.rstrip(". ")
        if url:
            text = f"{text} ({url})"
        if as_of:
            text = _("%(source)s, figures as of %(date)s") % {"source": text, "date": _day(as_of)}
        parts.append(f"{', '.join(labels)}: {text}." if len(groups) > 1 else f"{text}.")
    if not parts:
        return ""
    if len(parts) == 1:
        return _("Source: %(source)s") % {"source": parts[0]}
    return _("Sources: %(sources)s") % {"sources": " ".join(parts)}


_FIGURES = ("source", "source_url", "as_of")


@report("aid-by-year", section="aid", order=1, roles=MINISTRY)
def aid_by_year(scope: Scope) -> Table:
    """The all-schemes figures of the scope's place (Malaysia unless a state), year by year."""
    where = _where(scope)
    figures = list(
        AidStatistic.objects.filter(state=_place(scope), scheme__isnull=True)
        .values("year", *_FIGURES)
        .annotate(recipients_sum=Sum("recipients"), amount_sum=Sum("amount_sen"))
        .order_by("year")
    )
    table = Table(
        slug="aid-by-year",
        title=_("JKM aid recipients and amounts by year: %(place)s") % {"place": where},
        columns=[_("Year"), _("Recipients"), _("Amount paid")],
        rows=[[str(f["year"]), f["recipients_sum"], _money(f["amount_sum"])] for f in figures],
    )
    table.note = _sources(figures, lambda f: str(f["year"])) or _(
        "No JKM aid figures have been imported for %(place)s yet."
    ) % {"place": where}
    return table


@report("aid-by-state", section="aid", order=2, roles=MINISTRY)
def aid_by_state(scope: Scope) -> Table:
    """Each state's all-schemes figures in the latest year that has any, beside Malaysia's."""
    place = _place(scope)
    states = AidStatistic.objects.filter(state__isnull=False, scheme__isnull=True)
    if place is not None:
        states = states.filter(state=place)
    year = states.aggregate(latest=Max("year"))["latest"]
    table = Table(
        slug="aid-by-state",
        title=_("JKM aid by state"),
        columns=[
            _("State"),
            _("Recipients"),
            _("Share of Malaysia's recipients"),
            _("Amount paid"),
            _("Share of Malaysia's amount"),
        ],
    )
    if year is None:
        table.note = _("No per-state JKM aid figures have been imported yet.")
        return table
    table.title = _("JKM aid by state, %(year)d") % {"year": year}
    figures = list(
        states.filter(year=year)
        .values("state__name", "state__name_en", *_FIGURES)
        .annotate(recipients_sum=Sum("recipients"), amount_sum=Sum("amount_sen"))
        .order_by("state__name")
    )
    malaysia = (
        AidStatistic.objects.filter(year=year, state__isnull=True, scheme__isnull=True)
        .values("recipients", "amount_sen", *_FIGURES)
        .first()
    )
    people = malaysia["recipients"] if malaysia else None
    paid = malaysia["amount_sen"] if malaysia else None

    for f in figures:
        table.rows.append(
            [
                _state_label(f),
                f["recipients_sum"],
                _share(f["recipients_sum"], people),
                _money(f["amount_sum"]),
                _share(f["amount_sum"], paid),
            ]
        )
    if len(figures) > 1:
        # The listed states' sum, computed by the database, shows how much of Malaysia they cover.
        total = states.filter(year=year).aggregate(
            recipients_sum=Sum("recipients"), amount_sum=Sum("amount_sen")
        )
        table.rows.append(
            [
                _("The states listed"),
                total["recipients_sum"],
                _share(total["recipients_sum"], people),
                _money(total["amount_sum"]),
                _share(total["amount_sum"], paid),
            ]
        )
    if malaysia:
        table.rows.append([_("Malaysia"), people, "100.0%", _money(paid), "100.0%" if paid else ""])
    note = _sources(figures + ([malaysia] if malaysia else []), _figure_place)
    if not malaysia:
        note = " ".join(
            [note, _("No figure for the whole of Malaysia in %(year)d.") % {"year": year}]
        )
    table.note = note
    return table


def _state_label(figure: dict) -> str:
    return in_language(figure["state__name"], figure["state__name_en"])


def _figure_place(figure: dict) -> str:
    return _state_label(figure) if "state__name" in figure else _("Malaysia")


@report("aid-by-scheme", section="aid", order=3, roles=MINISTRY)
def aid_by_scheme(scope: Scope) -> Table:
    """Per-scheme figures of the scope's place in the latest year that has them."""
    place = _place(scope)
    where = _where(scope)
    schemes = AidStatistic.objects.filter(state=place, scheme__isnull=False)
    year = schemes.aggregate(latest=Max("year"))["latest"]
    table = Table(
        slug="aid-by-scheme",
        title=_("JKM aid by scheme: %(place)s") % {"place": where},
        columns=[_("Scheme"), _("Recipients"), _("Amount paid")],
    )
    if year is None:
        table.note = _("No per-scheme JKM aid figures have been imported yet.")
        return table
    table.title = _("JKM aid by scheme, %(year)d: %(place)s") % {"year": year, "place": where}
    figures = list(
        schemes.filter(year=year)
        .values("scheme__name", "scheme__name_en", "scheme__order", *_FIGURES)
        .annotate(recipients_sum=Sum("recipients"), amount_sum=Sum("amount_sen"))
        .order_by("scheme__order", "scheme__name")
    )
    table.rows = [[_scheme_label(f), f["recipients_sum"], _money(f["amount_sum"])] for f in figures]
    everyone = (
        AidStatistic.objects.filter(year=year, state=place, scheme__isnull=True)
        .values("recipients", "amount_sen")
        .first()
    )
    if everyone:
        # Not a sum: one person may receive several schemes.
        table.rows.append(
            [_("All schemes"), everyone["recipients"], _money(everyone["amount_sen"])]
        )
    table.note = _sources(figures, _scheme_label)
    return table


def _scheme_label(figure: dict) -> str:
    return in_language(figure["scheme__name"], figure["scheme__name_en"])
