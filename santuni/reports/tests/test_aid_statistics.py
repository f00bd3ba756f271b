"""JKM aid statistics: the seed, the CSV import (command and admin page) and the aid tables."""

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from santuni.accounts.tests.personas import PERSONAS, sign_in
from santuni.aid.models import Scheme
from santuni.audit.models import AuditEntry
from santuni.geo.models import State
from santuni.reports.aid_statistics.csv_import import AidCsvError, parse_aid_csv
from santuni.reports.aid_statistics.services import aid_statistics_import
from santuni.reports.dashboards.tables import REPORTS, Scope
from santuni.reports.models import AidStatistic

pytestmark = pytest.mark.django_db

HEADER = "year,state,scheme,recipients,amount_rm,as_of,source,source_url\n"
SOURCE = "KPWKM press release, April 2024"


@pytest.fixture(autouse=True)
def english():
    # Messages are compared in English (msgids); Malay is the default everywhere else.
    with translation.override("en"):
        yield


def snapshot():
    return sorted(
        AidStatistic.objects.values_list(
            "year", "state__code", "scheme__code", "recipients", "amount_sen", "as_of", "source"
        ),
        key=str,
    )


def refused(text) -> list:
    """The problems of a refused file, after checking that nothing changed."""
    before = snapshot()
    with pytest.raises(AidCsvError) as caught:
        aid_statistics_import(data=text, actor=None, filename="bad.csv")
    assert snapshot() == before
    return [(p.line, p.column, p.message) for p in caught.value.problems]


# --- The seed --------------------------------------------------------------------------------


def test_the_figures_of_domain_md_are_there_after_migrating():
    def figure(year, state=None):
        return AidStatistic.objects.get(year=year, state__code=state, scheme=None)

    malaysia_2022 = figure(2022)
    assert (malaysia_2022.recipients, malaysia_2022.amount_sen) == (533_167, 246_000_000_000)
    assert malaysia_2022.as_of is None
    assert malaysia_2022.source.startswith(SOURCE) and "approximately" in malaysia_2022.source

    malaysia_2023 = figure(2023)
    assert (malaysia_2023.recipients, malaysia_2023.amount_sen) == (543_811, 253_000_000_000)
    assert malaysia_2023.as_of == date(2023, 12, 31)
    assert malaysia_2023.source.startswith(SOURCE)

    negeri_sembilan = figure(2023, "MY-05")
    assert (negeri_sembilan.recipients, negeri_sembilan.amount_sen) == (24_803, 11_678_270_000)
    assert negeri_sembilan.as_of == date(2023, 12, 31)
    assert negeri_sembilan.source == SOURCE

    # Nothing beyond DOMAIN.md's three figures.
    assert AidStatistic.objects.count() == 3


# --- Importing -------------------------------------------------------------------------------


def test_a_good_file_adds_figures_then_a_second_one_updates_them():
    first = HEADER + (
        '2024,,,550000,"2,600,000,000.50",2024-12-31,KPWKM 2025,https://www.kpwkm.gov.my/\n'
        "2024,Negeri Sembilan,,25000,,,KPWKM 2025,\n"
        "2024,my-10,bkk,1000,12345.6,,KPWKM 2025,\n"
    )
    counts = aid_statistics_import(data=first, actor=None, filename="2024.csv")
    assert (counts.created, counts.updated, counts.unchanged) == (3, 0, 0)
    malaysia = AidStatistic.objects.get(year=2024, state=None, scheme=None)
    assert malaysia.amount_sen == 260_000_000_050
    assert malaysia.source_url == "https://www.kpwkm.gov.my/"
    assert AidStatistic.objects.get(year=2024, state__code="MY-05").amount_sen is None
    assert AidStatistic.objects.get(year=2024, scheme__code="bkk").amount_sen == 1_234_560

    second = HEADER + (
        '2024,,,550000,"2,600,000,000.50",2024-12-31,KPWKM 2025,https://www.kpwkm.gov.my/\n'
        '2024,MY-05,,25100,"120,000,000",2024-12-31,KPWKM 2025,\n'
        "2024,Selangor,BKK,1200,12345.60,,KPWKM 2025,\n"
    )
    counts = aid_statistics_import(data=second, actor=None, filename="2024.csv")
    assert (counts.created, counts.updated, counts.unchanged) == (0, 2, 1)
    state = AidStatistic.objects.get(year=2024, state__code="MY-05")
    assert (state.recipients, state.amount_sen, state.as_of) == (
        25_100,
        12_000_000_000,
        date(2024, 12, 31),
    )
    assert AidStatistic.objects.get(year=2024, scheme__code="bkk").recipients == 1200
    assert AidStatistic.objects.filter(year=2024).count() == 3

    entries = AuditEntry.objects.filter(action="reports.aid_statistics_imported").order_by("id")
    assert [e.changes["created"] for e in entries] == [3, 0]
    assert entries.last().changes == {
        "file": "2024.csv",
        "years": [2024],
        "created": 0,
        "updated": 2,
        "unchanged": 1,
    }


def test_states_are_read_by_code_or_name_in_either_language():
    rows = parse_aid_csv(
        HEADER
        + "2024,MY-07,,1,,,s,\n2024,Penang,bwe,1,,,s,\n2024,WP Kuala Lumpur,,1,,,s,\n"
        + "2024,Kuala Lumpur,bkk,1,,,s,\n2024,Malaysia,,1,,,s,\n2024,  negeri   sembilan ,,1,,,s,\n"
    )
    assert [r.state for r in rows] == ["MY-07", "MY-07", "MY-14", "MY-14", None, "MY-05"]


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("2024,Selangorr,,1,,,s,", "state", "unknown state “Selangorr”"),
        ("2024,,xyz,1,,,s,", "scheme", "unknown scheme “xyz”"),
        ("2024,,,many,,,s,", "recipients", "“many” is not a whole number"),
        ("2024,,,-5,,,s,", "recipients", "must not be negative"),
        ("2024,,,,,,s,", "recipients", "missing"),
        ("2024,,,5,-1.00,,s,", "amount_rm", "must not be negative"),
        ("2024,,,5,RM1.2.3,,s,", "amount_rm", "not an amount in ringgit"),
        ("2024,,,5,1.234,,s,", "amount_rm", "more than 2 decimals"),
        ('2024,,,5,"1,23,4",,s,', "amount_rm", "not an amount in ringgit"),
        ("2024,,,5,,31/12/2024,s,", "as_of", "not a date written YYYY-MM-DD"),
        ("2024,,,5,,2023-12-31,s,", "as_of", "before their year"),
        ("2024,,,5,,,,", "source", "say where the figures come from"),
        ("2024,,,5,,,s,not a link", "source_url", "not a web link"),
        (",,,5,,,s,", "year", "missing"),
        ("24x,,,5,,,s,", "year", "“24x” is not a year between 1950 and 2100"),
        ("1850,,,5,,,s,", "year", "“1850” is not a year between 1950 and 2100"),
        ('"2,024",,,5,,,s,', "year", "not a year"),
        ("2024,,,5,,,s,,extra", "", "the row has 9 values; the header has 8"),
    ],
)
def test_each_bad_value_is_named_by_line_and_column_and_nothing_changes(row, column, words):
    problems = refused(HEADER + "2024,MY-05,,1,,,s,\n\n" + row + "\n")
    assert len(problems) == 1
    line, found_column, message = problems[0]
    assert (line, found_column) == (4, column)
    assert words in message


def test_every_bad_row_of_a_file_is_reported_and_a_good_row_is_not_saved():
    problems = refused(HEADER + "2023,,,999,,,changed,\n2024,Atlantis,,1,,,s,\n2024,,,lots,,,,\n")
    assert [(line, column) for line, column, _ in problems] == [
        (3, "state"),
        (4, "recipients"),
        (4, "source"),
    ]
    assert AidStatistic.objects.get(year=2023, state=None).recipients == 543_811


def test_the_same_year_state_and_scheme_twice_is_refused():
    problems = refused(HEADER + "2024,MY-05,,1,,,s,\n2024,Negeri Sembilan,,2,,,s,\n")
    assert problems == [(3, "year, state, scheme", "the same year, state and scheme as line 2.")]


def test_a_wrong_header_or_an_empty_file_is_refused():
    (problem,) = refused("year,state,scheme,recipients,amount,as_of,source,source_url\n")
    assert problem[:2] == (1, "")
    assert problem[2] == (
        "the header must be year,state,scheme,recipients,amount_rm,as_of,source,source_url. "
        "Missing: amount_rm. Not expected: amount."
    )
    # Empty columns a spreadsheet leaves to the right do not matter.
    assert parse_aid_csv(HEADER.strip() + ",,\n2024,,,1,,,s,,,\n")[0].recipients == 1
    assert refused("") == [(1, "", "the file is empty.")]
    assert refused(HEADER) == [(1, "", "the file has a header but no figures.")]


def test_a_byte_order_mark_is_ignored_and_other_encodings_are_refused():
    text = HEADER + '2024,Pulau Pinang,,7,"1,000",,KPWKM,\n'
    counts = aid_statistics_import(data=b"\xef\xbb\xbf" + text.encode(), actor=None)
    assert counts.created == 1
    assert AidStatistic.objects.get(year=2024, state__code="MY-07").amount_sen == 100_000
    plain = aid_statistics_import(data=text.encode(), actor=None)
    assert (plain.created, plain.unchanged) == (0, 1)

    latin = (HEADER + "2024,Johor,,7,,,Kenyataan akhbar – café,\n").encode("cp1252")
    ((line, column, message),) = refused(latin)
    assert (line, column) == (2, "") and "not UTF-8" in message


def test_only_those_who_may_change_figures_may_import(personas):
    with pytest.raises(PermissionDenied):
        aid_statistics_import(data=HEADER + "2024,,,1,,,s,\n", actor=personas.cbo_head.membership)
    assert not AidStatistic.objects.filter(year=2024).exists()
    aid_statistics_import(data=HEADER + "2024,,,1,,,s,\n", actor=personas.ministry_admin.membership)
    entry = AuditEntry.objects.get(action="reports.aid_statistics_imported")
    assert entry.membership == personas.ministry_admin.membership
    assert entry.user == personas.ministry_admin.user


# --- The command -----------------------------------------------------------------------------


def test_the_command_reports_its_counts(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text(HEADER + "2023,,,543811,,2023-12-31,KPWKM,\n2021,,,500000,,,KPWKM,\n")
    out = StringIO()
    call_command("import_aid_statistics", str(path), stdout=out)
    assert "2 rows: 1 created, 1 updated, 0 unchanged." in out.getvalue()
    assert AidStatistic.objects.get(year=2023, state=None).amount_sen is None
    entry = AuditEntry.objects.get(action="reports.aid_statistics_imported")
    assert entry.user is None and entry.changes["file"] == "figures.csv"


def test_the_command_lists_the_bad_rows_and_imports_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "2021,,,500000,,,KPWKM,\n2021,MY-99,,1,,,KPWKM,\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_aid_statistics", str(path))
    message = str(caught.value)
    assert "nothing was imported" in message
    assert "Line 3, column state: unknown state “MY-99”" in message
    assert not AidStatistic.objects.filter(year=2021).exists()
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_aid_statistics", str(tmp_path / "missing.csv"))


# --- The admin -------------------------------------------------------------------------------


def upload(text: str, name="figures.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def test_a_ministry_admin_imports_a_file_in_the_admin(admin_client):
    changelist = admin_client.get(reverse("admin:reports_aidstatistic_changelist"))
    import_url = reverse("admin:reports_aidstatistic_import")
    assert changelist.status_code == 200 and import_url in changelist.content.decode()

    page = admin_client.get(import_url)
    assert page.status_code == 200
    assert "year,state,scheme,recipients,amount_rm,as_of,source,source_url" in page.content.decode()

    bad = admin_client.post(import_url, {"file": upload(HEADER + "2024,,,1,,,,\n")})
    assert bad.status_code == 200
    assert "Baris 2, lajur source" in bad.content.decode()
    assert not AidStatistic.objects.filter(year=2024).exists()

    good = admin_client.post(
        import_url,
        {"file": upload(HEADER + '2024,MY-05,bwe,3000,"9,000,000",,KPWKM,\n')},
        follow=True,
    )
    assert good.redirect_chain[-1][0] == reverse("admin:reports_aidstatistic_changelist")
    assert "1 angka ditambah, 0 dikemas kini" in good.content.decode()
    figure = AidStatistic.objects.get(year=2024, state__code="MY-05", scheme__code="bwe")
    assert figure.amount_sen == 900_000_000
    entry = AuditEntry.objects.get(action="reports.aid_statistics_imported")
    assert entry.changes["file"] == "figures.csv"


@pytest.mark.parametrize("name", [None, *(p for p in PERSONAS if p != "ministry_admin")])
def test_no_one_else_reaches_the_import_page(client, personas, name):
    client = sign_in(client, getattr(personas, name) if name else None)
    url = reverse("admin:reports_aidstatistic_import")
    assert client.get(url).status_code in (302, 403)
    posted = client.post(url, {"file": upload(HEADER + "2024,,,1,,,s,\n")})
    assert posted.status_code in (302, 403)
    assert not AidStatistic.objects.filter(year=2024).exists()
    assert not AuditEntry.objects.filter(action="reports.aid_statistics_imported").exists()


def test_a_figure_edited_in_the_admin_is_entered_in_ringgit_and_audited(admin_client):
    figure = AidStatistic.objects.get(year=2023, state__code="MY-05")
    url = reverse("admin:reports_aidstatistic_change", args=[figure.pk])
    form = admin_client.get(url)
    assert form.context["adminform"].form.initial["amount_rm"] == 116_782_700
    saved = admin_client.post(
        url,
        {
            "year": 2023,
            "state": figure.state_id,
            "scheme": "",
            "recipients": 24_900,
            "amount_rm": "116782700.25",
            "as_of": "2023-12-31",
            "source": SOURCE,
            "source_url": "",
        },
    )
    assert saved.status_code == 302
    figure.refresh_from_db()
    assert (figure.recipients, figure.amount_sen) == (24_900, 11_678_270_025)
    entry = AuditEntry.objects.get(action="admin.changed", object_type="reports.aidstatistic")
    assert set(entry.changes["fields"]) == {"recipients", "amount_rm"}

    duplicate = admin_client.post(
        reverse("admin:reports_aidstatistic_add"),
        {"year": 2023, "state": figure.state_id, "recipients": 1, "source": "x"},
    )
    assert duplicate.status_code == 200
    assert AidStatistic.objects.filter(year=2023, state=figure.state).count() == 1


# --- The tables ------------------------------------------------------------------------------


@pytest.fixture
def figures():
    """A small fixed set: three years for Malaysia, two states in the latest, no schemes."""
    AidStatistic.objects.all().delete()
    johor, ns = State.objects.get(code="MY-01"), State.objects.get(code="MY-05")
    common = {"source": "Test source", "as_of": date(2023, 12, 31)}
    for year, people, sen in [(2021, 500_000, None), (2022, 520_000, 200_000_000_000)]:
        AidStatistic.objects.create(year=year, recipients=people, amount_sen=sen, source="Old")
    AidStatistic.objects.create(year=2023, recipients=400_000, amount_sen=400_000_000_00, **common)
    AidStatistic.objects.create(
        year=2023, state=ns, recipients=20_000, amount_sen=10_000_000_00, **common
    )
    AidStatistic.objects.create(
        year=2023, state=johor, recipients=30_000, amount_sen=50_000_000_00, **common
    )
    # An older state row: the state table shows the latest year only.
    AidStatistic.objects.create(year=2022, state=ns, recipients=1, source="Old")
    return johor, ns


def build(slug, scope=None):
    return REPORTS[slug].build(scope or Scope())


def test_the_year_table_shows_malaysia_year_by_year(figures):
    table = build("aid-by-year")
    assert table.columns == ["Year", "Recipients", "Amount paid"]
    assert table.rows == [
        ["2021", 500_000, "not known"],
        ["2022", 520_000, "RM2,000,000,000"],
        ["2023", 400_000, "RM400,000,000"],
    ]
    assert table.note.startswith("Sources: 2021, 2022: Old. 2023: Test source, ")
    assert table.note.endswith("2023: Test source, figures as of 31 December 2023.")

    johor, ns = figures
    assert build("aid-by-year", Scope(state=ns)).rows == [
        ["2022", 1, "not known"],
        ["2023", 20_000, "RM10,000,000"],
    ]


def test_the_state_table_shows_each_state_and_its_share_of_malaysia(figures):
    table = build("aid-by-state")
    assert table.title == "JKM aid by state, 2023"
    assert table.rows == [
        ["Johor", 30_000, "7.5%", "RM50,000,000", "12.5%"],
        ["Negeri Sembilan", 20_000, "5.0%", "RM10,000,000", "2.5%"],
        ["The states listed", 50_000, "12.5%", "RM60,000,000", "15.0%"],
        ["Malaysia", 400_000, "100.0%", "RM400,000,000", "100.0%"],
    ]
    assert table.note == "Source: Test source, figures as of 31 December 2023."
    assert REPORTS["aid-by-state"].roles == {"ministry_admin"}


def test_the_scheme_table_is_empty_until_per_scheme_figures_come(figures):
    empty = build("aid-by-scheme")
    assert empty.rows == []
    assert "No per-scheme" in empty.note

    bkk, bwe = Scheme.objects.get(code="bkk"), Scheme.objects.get(code="bwe")
    AidStatistic.objects.create(year=2023, scheme=bwe, recipients=150_000, source="S")
    AidStatistic.objects.create(
        year=2023, scheme=bkk, recipients=200_000, amount_sen=90_000_000_00, source="S"
    )
    AidStatistic.objects.create(year=2021, scheme=bkk, recipients=1, source="S")
    table = build("aid-by-scheme")
    assert table.title == "JKM aid by scheme, 2023: Malaysia"
    assert table.rows == [
        ["Child Assistance (BKK)", 200_000, "RM90,000,000"],
        ["Elderly Assistance (BWE)", 150_000, "not known"],
        ["All schemes", 400_000, "RM400,000,000"],
    ]
    assert table.note == "Source: S."


def test_the_tables_read_the_database_a_few_times_not_per_row(
    figures, django_assert_max_num_queries
):
    for slug in ("aid-by-year", "aid-by-state", "aid-by-scheme"):
        with django_assert_max_num_queries(4):
            build(slug)
