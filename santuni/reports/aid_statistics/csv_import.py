"""The JKM aid statistics CSV: its format, and the parser that reads it into rows.

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

Reading is all-or-nothing: one bad row rejects the file, with one message per problem naming
the line, the column and what is wrong. Saving the rows (an upsert on year, state and scheme)
is aid_statistics.services; the seed (reports/data/aid_statistics.csv, loaded by migration
0002) goes through the same parser.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santuni.aid.models import Scheme
from santuni.geo.models import State

from ..models import AidStatistic

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


class _NotANumber(ValueError):
    """A cell that does not hold the number asked for; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _whole(value: str) -> int:
    value = value.strip()
    if value.startswith("-") and _WHOLE.fullmatch(value[1:].strip()):
        raise _NotANumber(_("must not be negative."))
    if not _WHOLE.fullmatch(value):
        raise _NotANumber(_("“%(value)s” is not a whole number.") % {"value": value})
    return int(value.replace(",", ""))


def _sen(value: str) -> int:
    value = value.strip()
    if value[:2].upper() == "RM":
        value = value[2:].strip()
    if value.startswith("-") and _AMOUNT.fullmatch(value[1:].strip()):
        raise _NotANumber(_("must not be negative."))
    if _TOO_PRECISE.fullmatch(value):
        raise _NotANumber(_("“%(value)s” has more than 2 decimals.") % {"value": value})
    if not _AMOUNT.fullmatch(value):
        raise _NotANumber(_("“%(value)s” is not an amount in ringgit.") % {"value": value})
    return int(Decimal(value.replace(",", "")) * 100)


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
        try:
            recipients = _whole(cells["recipients"])
        except _NotANumber as error:
            problem("recipients", error.message)
        else:
            if recipients > MAX_RECIPIENTS:
                problem("recipients", _("the number is too large."))

    amount_sen = None
    if cells["amount_rm"]:
        try:
            amount_sen = _sen(cells["amount_rm"])
        except _NotANumber as error:
            problem("amount_rm", error.message)
        else:
            if amount_sen > MAX_SEN:
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

    # A year or a count of recipients that is missing is among the problems.
    if problems or year is None or recipients is None:
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
