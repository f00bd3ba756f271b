"""The aid statistics CSV import fed any file: it imports every row or none, and a
refusal names the line of each problem in words; never a traceback."""

import csv
import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from santuni.reports.aid_statistics.csv_import import AidCsvError
from santuni.reports.aid_statistics.services import aid_statistics_import
from santuni.reports.models import AidStatistic
from santuni.tests.fuzz import any_text, rolled_back

from .test_aid_statistics import HEADER, snapshot

pytestmark = pytest.mark.django_db

STATES = ("", "MY-05", "Negeri Sembilan", "penang", "WP Kuala Lumpur", "Malaysia")
SCHEMES = ("", "bkk", "BWE", "epoku")
# The columns a row may get wrong without changing which figure it is.
VALUES = ("recipients", "amount_rm", "as_of", "source", "source_url")


def good_rows():
    """Rows of distinct figures (year, state, scheme), each valid."""
    key = st.tuples(st.integers(1950, 2100), st.sampled_from(STATES), st.sampled_from(SCHEMES))
    values = st.fixed_dictionaries(
        {
            "recipients": st.one_of(st.integers(0, 10**9).map(str), st.just("1,234,567")),
            "amount_rm": st.one_of(st.just(""), st.decimals(0, 10**9, places=2).map(str)),
            "as_of": st.just(""),
            "source": st.text(
                st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=300
            ).filter(str.strip),
            "source_url": st.sampled_from(["", "https://www.kpwkm.gov.my/"]),
        }
    )
    return st.lists(
        st.tuples(key, values),
        max_size=6,
        unique_by=lambda row: (row[0][0], same_place(row[0][1]).upper(), row[0][2].lower()),
    ).map(lambda rows: [{"year": str(k[0]), "state": k[1], "scheme": k[2], **v} for k, v in rows])


def same_place(state: str) -> str:
    return {"negeri sembilan": "MY-05", "malaysia": ""}.get(state.casefold(), state)


COLUMNS = HEADER.strip().split(",")


def written(row) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([row.get(c, "") for c in COLUMNS] + row.get("extra", []))
    return out.getvalue()


@st.composite
def files(draw):
    """Good rows, some of them spoilt in a column that is not part of the figure's name; and
    the line each row ends on (a value may hold a line break), as the import counts them."""
    rows = draw(good_rows())
    text, line, spoilt = HEADER, 1, set()
    for row in rows:
        bad = False
        if draw(st.integers(0, 3)) == 0:
            row[draw(st.sampled_from(VALUES))] = draw(any_text(40))
            bad = True
        elif draw(st.integers(0, 9)) == 0:
            row["extra"] = draw(st.lists(any_text(10), min_size=1, max_size=2))
            bad = True
        chunk = written(row)
        text += chunk
        line += len(io.StringIO(chunk, newline="").readlines())
        if bad:
            spoilt.add(line)
    return text, spoilt, rows


def import_or_refuse(data):
    """The import's counts, or the problems of a refusal after checking nothing changed."""
    before = snapshot()
    try:
        return aid_statistics_import(data=data, actor=None, filename="fuzz.csv"), []
    except AidCsvError as error:
        assert error.problems, "refused without saying why"
        for problem in error.problems:
            assert problem.line >= 1 and str(problem).strip()
        assert snapshot() == before, "a refused file changed the figures"
        return None, error.problems


@given(files())
def test_good_rows_are_imported_and_only_bad_rows_are_blamed(data):
    text, spoilt, rows = data
    with rolled_back():
        counts, problems = import_or_refuse(text)
        blamed = {p.line for p in problems}
        if not rows:
            assert blamed == {1}  # a header and no figures
            return
        assert blamed <= spoilt, f"a good line was blamed: {sorted(blamed - spoilt)}"
        if counts is not None:
            assert counts.rows == len(rows)
            for row in rows:
                assert AidStatistic.objects.filter(
                    year=int(row["year"]), recipients=int(row["recipients"].replace(",", ""))
                ).exists()
        else:
            assert blamed, "refused without naming a line"


@given(
    st.one_of(
        st.binary(max_size=500),
        files()
        .map(lambda f: f[0])
        .flatmap(
            lambda text: st.sampled_from(
                [
                    text.encode("utf-16"),
                    text.encode("latin-1", "replace") + "é".encode("latin-1"),
                    b"\xef\xbb\xbf" + text.encode(),
                    text.encode()[: len(text) // 2],
                    text.replace("\n", "\n" + "9" * 200_000, 1).encode(),
                    text.replace("\n", '\n"', 1).encode(),
                    text.encode() + b"\x00\xff\xfe",
                ]
            )
        ),
    )
)
@example(HEADER.encode() + b"2024,,,1,,,KPWKM\x00 2025,\n")
@example(HEADER.encode() + b"2024,,,1,,,KPWKM,\n" * 3)
def test_any_bytes_are_imported_or_refused_line_by_line(data):
    with rolled_back():
        import_or_refuse(data)
