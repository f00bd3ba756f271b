"""Every form of Santuni, fed any input as the person who may use it: never a server error,
and a refused submission comes back with the reason on the page and nothing written."""

import importlib
import inspect
import io
import json
import pkgutil
import uuid

import pytest
from django import forms
from django.urls import reverse
from django.utils.html import escape
from hypothesis import example, given
from hypothesis import strategies as st

import santuni
from santuni.accounts.tests.personas import sign_in
from santuni.aid.models import PovertyLine, Scheme, SchemeVersion
from santuni.audit.models import AuditEntry
from santuni.cases.models import Attachment, Case, CaseNote, Client, Consent, Referral, Urgency
from santuni.cases.tests.factories import MYKAD, jkm_service, make_case, make_referral
from santuni.cases.workflow import STEPS
from santuni.directory.models import CboProfile, Service
from santuni.directory.tests.factories import ServiceFactory, mukim, term
from santuni.geo.models import District, State
from santuni.listings.models import ListingChange
from santuni.reports.models import AidStatistic, Booklet
from santuni.search.models import SynonymFamily
from santuni.training.models import Attendance, AttendeeRole
from santuni.training.tests.factories import EventFactory

from .fuzz import (
    CHARACTERS,
    PAGE,
    any_text,
    assert_any_post_refused_or_done,
    assert_errors_shown,
    assert_no_server_error,
    assert_refused_or_done,
    counts,
    digits,
    form_data,
    form_in,
    one_of,
    rolled_back,
    templates_of,
)

pytestmark = [pytest.mark.django_db]


# --- cases ---------------------------------------------------------------------------------


def case_fields():
    return {
        "urgency": one_of(*Urgency.values),
        "category": one_of(*Case.Category.values),
        "situation": any_text(),
        "name": st.just("Mak Som binti Sampel"),
        "sex": one_of(*Client.Sex.values),
        "mykad": one_of("", MYKAD, MYKAD.replace("-", "")),
        "date_of_birth": one_of("", "1985-03-15", "2030-01-01"),
        "age": digits(-1, 131),
        "phone": one_of("", "012-345 6789", "06-12"),
        "address": any_text(),
        "mukim": one_of("", mukim("Rasah").pk, mukim("Rantau").pk),
        "household_size": digits(0, 51),
        "household": any_text(),
        "target_groups": st.lists(one_of(term("mangsa-krt").pk, term("warga-emas").pk)),
        "oku_card": any_text(40),
        "consent_method": one_of(*Consent.Method.values),
        "consent_purposes": st.lists(one_of(*Consent.Purpose.values), unique=True),
        "consent_given_by": any_text(),
        "consent_relationship": any_text(),
        "submission_key": st.uuids().map(str),
        "refer_service": st.one_of(st.just(""), st.uuids().map(str)),
    }


def test_case_form(client, personas, on_commit_at_once):
    sign_in(client, personas.cbo_head)
    url = reverse("cases:case_new") + "?tahap=normal"

    @PAGE
    @given(form_data(case_fields() | {"refer_service": st.just("")}))
    @example({})  # an empty body
    def record(data):
        with rolled_back():
            before = counts(Case, Client, Consent, Referral)
            response = client.post(url, data)
            done = assert_refused_or_done(
                response, before=before, after=lambda: counts(Case, Client, Consent, Referral)
            )
            if done == "accepted":
                assert Case.objects.count() in (before["Case"], before["Case"] + 1)

    record()


def test_a_case_from_the_screener_refers_only_to_a_service_that_exists(
    client, personas, on_commit_at_once
):
    sign_in(client, personas.cbo_head)
    url = reverse("cases:case_new") + "?tahap=normal"
    service = jkm_service(personas)
    valid = {
        "urgency": "normal",
        "category": "financial",
        "situation": "Dari penyaring bantuan.",
        "name": "Mak Som binti Sampel",
        "sex": "f",
        "age": "70",
        "consent_method": "verbal",
        "consent_purposes": ["record", "share", "contact"],
    }

    key = str(uuid.uuid5(uuid.NAMESPACE_OID, "screener"))

    @PAGE
    @given(st.one_of(st.just(str(service.pk)), st.uuids().map(str), any_text(40)))
    def record(refer_service):
        with rolled_back():
            response = client.post(
                url, {**valid, "submission_key": key, "refer_service": refer_service}
            )
            assert assert_refused_or_done(response) == "accepted"
            # The case is kept either way; the referral only to the office's real service.
            assert Case.objects.exists()
            assert Referral.objects.exists() == (refer_service == str(service.pk))

    record()


def test_the_case_form_filled_in_from_the_screener(client, personas):
    sign_in(client, personas.cbo_head)
    url = reverse("cases:case_new")
    fields = {
        "from_screener": st.just("1"),
        "situation": any_text(),
        "age": st.one_of(digits(0, 130), any_text(10)),
        "household_size": st.one_of(digits(1, 50), any_text(10)),
        "refer_service": st.one_of(st.uuids().map(str), any_text(40)),
    }

    @PAGE
    @given(form_data(fields).map(lambda data: {**data, "from_screener": "1"}))
    @example({"from_screener": "1", "age": "²", "household_size": "9" * 5000})
    def open_form(data):
        with rolled_back():
            response = client.post(url, data)
            # A new form, filled in from the answer, for the head to check: nothing saved yet.
            assert response.status_code == 200
            assert not response.context["form"].is_bound
            assert not Case.objects.exists()

    open_form()


@pytest.fixture
def case(personas):
    return make_case(personas.cbo_head)


def test_referral_form(client, personas, case, on_commit_at_once):
    service = jkm_service(personas)
    sign_in(client, personas.cbo_head)
    url = reverse("cases:referral_new", args=[case.pk])
    fields = {
        "service": st.one_of(st.just(str(service.pk)), st.uuids().map(str)),
        "mode": one_of(*Referral.Mode.values),
        "summary": any_text(),
        "consent_override": any_text(),
        "submission_key": st.uuids().map(str),
        "send": st.just("1"),
        "draft": st.just("1"),
    }

    @PAGE
    @given(form_data(fields), any_text(40))
    @example({}, "")  # an empty body
    def refer(data, q):
        with rolled_back():
            before = counts(Referral)
            response = client.post(f"{url}?q={q[:200]}", data)
            assert_refused_or_done(response, before=before, after=lambda: counts(Referral))

    refer()


REASONS = {
    "decline": Referral.DeclineReason.values,
    "complete": Referral.Outcome.values,
    "close": Referral.CloseReason.values,
}


@pytest.mark.parametrize(
    ("persona", "status"), [("agency_focal_point", "sent"), ("cbo_head", "draft")]
)
def test_referral_action_form(client, personas, case, persona, status, on_commit_at_once):
    referral = make_referral(personas.cbo_head, case, jkm_service(personas), send=status == "sent")
    other = jkm_service(personas, name="Bantuan Kebajikan Lain")
    sign_in(client, getattr(personas, persona))
    url = reverse("cases:referral", args=[referral.pk])
    fields = {
        "action": st.one_of(one_of(*STEPS), any_text(20)),
        "version": st.one_of(st.just(str(referral.version)), digits(-1, 5)),
        "reason": st.one_of(*(one_of(*values) for values in REASONS.values())),
        "service": st.one_of(st.just(str(other.pk)), st.uuids().map(str)),
        "note": any_text(),
        "consent_override": any_text(),
    }

    @PAGE
    @given(form_data(fields))
    @example({})  # an empty body
    def act(data):
        with rolled_back():
            response = client.post(url, data)
            assert_no_server_error(response)
            action = data.get("action")
            action = action[-1] if isinstance(action, list) else action
            if action not in STEPS:
                # No such step: the page is not found, said in a page of the site.
                assert response.status_code == 404
                assert b"<main" in response.content
                return
            if response.status_code in (302, 403):
                return
            referral.refresh_from_db()
            if "step" in response.context:
                # A step that cannot be taken back is asked first: nothing is done yet.
                assert b'name="confirmed"' in response.content
                assert referral.status == status
                return
            failed = [f for f in response.context["forms"] if f.is_bound]
            assert failed and failed[0].errors
            assert_errors_shown(response, failed[0])
            referral.refresh_from_db()
            assert referral.status == status

    act()


@pytest.mark.parametrize(
    ("persona", "page"), [("cbo_head", "cases"), ("agency_focal_point", "referrals")]
)
def test_list_filter_form(client, personas, case, persona, page):
    sign_in(client, getattr(personas, persona))
    url = reverse(f"cases:{page}")
    fields = {
        "status": one_of("", *Case.Status.values, *Referral.Status.values),
        "urgency": one_of("", *Urgency.values),
        "target_group": one_of("", term("mangsa-krt").pk, term("warga-emas").pk),
        "page": digits(-1, 3),
        "lewat": one_of("1", "0"),
    }

    @PAGE
    @given(form_data(fields))
    @example({})  # an empty body
    def filter_list(data):
        response = client.get(url, data)
        assert response.status_code == 200
        assert_errors_shown(response, response.context["form"])

    filter_list()


def test_note_form(client, personas):
    sign_in(client, personas.cbo_member)
    url = reverse("cases:case_note", args=[make_case(personas.cbo_member).pk])
    fields = {"text": any_text(), "submission_key": st.uuids().map(str)}

    assert_any_post_refused_or_done(client, url, fields, [CaseNote], form_key="note_form")


FILE_TYPES = ("application/pdf", "image/jpeg", "image/png", "text/plain", "text/csv", "")
HEADS = (b"%PDF-1.7\n", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"MZ\x90\x00", b"")


def upload(name: str, head: bytes, body: bytes, content_type: str):
    """A file as the test client sends it; any name, any content type."""
    handle = io.BytesIO(head + body)
    handle.name, handle.content_type = name, content_type
    return handle


def uploads():
    return st.builds(
        upload,
        st.one_of(one_of("surat.pdf", "gambar.jpg", "imej.png", "a.exe"), any_text(60)),
        st.sampled_from(HEADS),
        st.binary(max_size=2000),
        st.one_of(st.sampled_from(FILE_TYPES), any_text(30)),
    )


def test_attachment_form(client, personas, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sign_in(client, personas.cbo_head)
    url = reverse("cases:case_attach", args=[case.pk])

    @PAGE
    @given(form_data({"file": uploads()}))
    @example({})  # an empty body
    def attach(data):
        with rolled_back():
            before = counts(Attachment)
            response = client.post(url, data)
            assert_refused_or_done(
                response, "attachment_form", before=before, after=lambda: counts(Attachment)
            )

    attach()


# --- the aid screener ----------------------------------------------------------------------

SCREENER_STEPS = {"aid/step_household.html", "aid/step_person.html", "aid/results.html"}


def screener_fields():
    yes_no = one_of("yes", "no")
    return {
        "district": one_of(District.objects.get(slug="seremban").pk, District.objects.last().pk),
        "area": one_of(*PovertyLine.Area.values),
        "size": digits(0, 31),
        "income": st.one_of(st.decimals(0, 10_000, places=2).map(str), any_text(20)),
        "step": st.just("person"),
        "age": digits(-1, 131),
        "own_income": st.one_of(st.decimals(0, 10_000, places=2).map(str), any_text(20)),
        "work": one_of("working", "not_working", "unable"),
        **dict.fromkeys(("oku", "carer", "institution", "pdk", "other_aid"), yes_no),
        "children": st.one_of(
            st.lists(st.integers(0, 31), max_size=22).map(lambda ages: ", ".join(map(str, ages))),
            any_text(40),
        ),
        "back": st.just("1"),
    }


@pytest.mark.parametrize("persona", [None, "cbo_head"])
def test_household_and_person_forms(client, personas, persona):
    sign_in(client, persona and getattr(personas, persona))
    url = reverse("aid:screener")

    @PAGE
    @given(form_data(screener_fields()))
    @example({})  # an empty body
    @example(
        {
            "district": str(District.objects.get(slug="seremban").pk),
            "area": "all",
            "size": "3",
            "income": "1400",
            "step": "person",
            "age": "64",
            "own_income": "0",
            "work": "working",
            "children": "²",
        }
    )  # a digit int() cannot read
    def screen(data):
        with rolled_back():
            before = counts(Case, Client, AuditEntry)
            response = client.post(url, data)
            assert response.status_code == 200
            assert SCREENER_STEPS & set(templates_of(response))
            form = form_in(response)
            if form is not None and form.is_bound:
                # The step that was wrong says why; the others move on.
                assert_errors_shown(response, form)
            assert counts(Case, Client, AuditEntry) == before  # the screener stores nothing

    screen()


# --- the directory -------------------------------------------------------------------------


def test_search_form(client, personas):
    ServiceFactory(organization=personas.cbo.organization, name="Bantuan makanan Rasah")
    url = reverse("directory:search")
    fields = {
        "q": st.one_of(one_of("makanan", "warga emas"), any_text()),
        "daerah": one_of("", "seremban", "port-dickson", "tiada"),
        "mukim": one_of("", "rasah", "ampangan", "tiada"),
        "kumpulan": one_of("", "warga-emas", "tiada"),
        "keperluan": one_of("", "makanan", "tiada"),
        "buka": one_of("on", ""),
        "lat": st.one_of(st.floats(-100, 100).map(str), any_text(20)),
        "lng": st.one_of(st.floats(-200, 200).map(str), any_text(20)),
        "page": digits(-1, 3),
    }

    @PAGE
    @given(form_data(fields), st.booleans())
    @example({}, False)  # an empty body
    def search(data, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, data, headers=headers)
        assert response.status_code == 200
        assert_errors_shown(response, response.context["form"])

    search()


def listing_fields():
    return {
        "phone": one_of("", "06-762 8899", "12"),
        "email": one_of("", "ketua@example.invalid", "bukan emel"),
        "website": one_of("", "https://contoh.example", "javascript:alert(1)"),
        "url": one_of("", "contoh.example/khidmat"),
        "name": st.one_of(st.just("Kelas jahitan"), any_text()),
        "name_en": any_text(),
        "status": one_of(*Service.Status.values),
        "description": any_text(),
        "description_en": any_text(),
        "head_name": any_text(),
        "head_phone": one_of("", "+60120001111"),
        "head_consent": one_of("on", ""),
        "member_count": digits(-1, 100_001),
    }


@pytest.mark.parametrize("listing", ["profile", "service"])
def test_listing_form(client, personas, listing, on_commit_at_once):
    sign_in(client, personas.cbo_head)
    if listing == "profile":
        url = reverse("listings:profile_edit")
    else:
        service = ServiceFactory(organization=personas.cbo.organization)
        url = reverse("listings:service_edit", args=[service.pk])

    @PAGE
    @given(form_data(listing_fields()))
    @example({})  # an empty body
    def edit(data):
        with rolled_back():
            before = counts(ListingChange) | {
                "consent": CboProfile.objects.get(pk=personas.cbo.pk).head_consent
            }
            response = client.post(url, data)
            assert_refused_or_done(
                response,
                before=before,
                after=lambda: (
                    counts(ListingChange)
                    | {"consent": CboProfile.objects.get(pk=personas.cbo.pk).head_consent}
                ),
            )

    edit()


def test_return_form(client, personas, on_commit_at_once):
    sign_in(client, personas.cbo_head)
    client.post(
        reverse("listings:profile_edit"), {"email": "baru@example.invalid", "member_count": "3"}
    )
    change = ListingChange.objects.get()
    sign_in(client, personas.district_officer)
    url = reverse("listings:review", args=[change.pk])
    fields = {"decision": one_of("approve", "return", ""), "note": any_text()}

    @PAGE
    @given(form_data(fields))
    @example({})  # an empty body
    def review(data):
        with rolled_back():
            response = client.post(url, data)
            done = assert_refused_or_done(response)
            change.refresh_from_db()
            assert (change.status == ListingChange.Status.PENDING) == (done != "accepted")

    review()


# --- reports -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["ministry_admin", "district_officer"])
def test_booklet_form(client, personas, persona):
    sign_in(client, getattr(personas, persona))
    url = reverse("reports:booklet")
    fields = {
        "district": one_of(personas.district.pk, District.objects.last().pk),
        "language": one_of("ms", "en"),
    }

    assert_any_post_refused_or_done(client, url, fields, [Booklet])


def test_scope_form(client, personas):
    sign_in(client, personas.ministry_admin)
    url = reverse("reports:dashboard")
    fields = {
        "negeri": one_of("", "MY-05", "my-01", "negeri-sembilan", "tiada"),
        "daerah": one_of("", "seremban", "port-dickson", "muar", "tiada"),
    }

    @PAGE
    @given(form_data(fields))
    @example({})  # an empty body
    def scope(data):
        response = client.get(url, data)
        assert response.status_code in (200, 400)
        html = response.content.decode()
        problems = response.context["problems"] if response.status_code == 400 else []
        assert (response.status_code == 400) == bool(problems)
        for problem in problems:
            assert escape(problem) in html

    scope()


def import_file():
    header = "year,state,scheme,recipients,amount_rm,as_of,source,source_url\n"
    row = st.lists(
        st.one_of(one_of("2024", "", "MY-05", "bkk", "12,345", "2024-12-31"), any_text(20)),
        min_size=8,
        max_size=9,
    ).map(lambda cells: ",".join(c.replace(",", " ").replace("\n", " ") for c in cells))
    good = st.just(header + "2024,,,550000,,,KPWKM 2025,\n")
    text = st.tuples(st.one_of(st.just(header), any_text(80)), st.lists(row, max_size=4)).map(
        lambda parts: parts[0] + "\n".join(parts[1])
    )
    return st.builds(
        upload,
        one_of("aid.csv", "aid.xlsx", "", "../../x.csv"),
        st.just(b""),
        st.one_of(good, text).map(lambda t: t.encode("utf-8", "surrogatepass"))
        | st.binary(max_size=500),
        one_of("text/csv", "application/octet-stream"),
    )


def test_import_form(admin_client):
    url = reverse("admin:reports_aidstatistic_import")

    @PAGE
    @given(form_data({"file": import_file()}))
    @example({})  # an empty body
    def send(data):
        with rolled_back():
            before = counts(AidStatistic)
            response = admin_client.post(url, data)
            assert_no_server_error(response)
            if response.status_code == 302:
                return
            assert response.status_code == 200
            form, problems = response.context["form"], response.context["problems"]
            assert form.errors or problems
            assert_errors_shown(response, form)
            html = response.content.decode()
            for problem in problems:
                assert escape(problem) in html
            assert counts(AidStatistic) == before

    send()


# --- the admin's own forms -----------------------------------------------------------------


def json_text():
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(CHARACTERS, max_size=10)
    )
    values = st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.text(CHARACTERS, max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )
    rule = st.fixed_dictionaries(
        {
            "kind": one_of("age_at_least", "age_below", "income_at_most", "fact", "has_child"),
            "years": st.one_of(st.integers(-5, 200), st.floats()),
            "under": st.integers(-1, 30),
            "income": one_of("household", "own"),
            "limit": st.one_of(one_of("pgk", "pgk_per_person"), st.integers(), st.floats()),
            "fact": one_of("working", "oku_registered"),
            "value": st.booleans(),
        }
    )
    rate = st.fixed_dictionaries(
        {"max_age": st.integers(-1, 30), "amount": st.one_of(st.integers(), st.floats())}
    )
    return st.one_of(st.lists(rule, max_size=3), st.lists(rate, max_size=3), values).map(
        json.dumps
    ) | any_text(40)


def admin_add(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


ADMIN_FORMS = {
    "synonym": (
        SynonymFamily,
        lambda: {"members": any_text(), "is_active": one_of("on", "")},
    ),
    "scheme_version": (
        SchemeVersion,
        lambda: {
            "scheme": one_of(Scheme.objects.first().pk, "999999"),
            "effective_from": one_of("2030-01-01", "2030-02-30", ""),
            "amount_kind": one_of(*SchemeVersion.AmountKind.values),
            "amount": st.one_of(st.decimals(0, 10_000, places=2).map(str), any_text(20)),
            "child_rates": json_text(),
            "family_cap": st.one_of(st.decimals(0, 10_000, places=2).map(str), any_text(20)),
            "rules": json_text(),
            "source": any_text(),
            "source_date": one_of("2025-01-01", ""),
            "uncertain": one_of("on", ""),
            "note": any_text(),
        },
    ),
    "aid_statistic": (
        AidStatistic,
        lambda: {
            "year": digits(-1, 40_000),
            "state": one_of("", State.objects.first().pk),
            "scheme": one_of("", Scheme.objects.first().pk),
            "recipients": st.one_of(digits(-1, 2**32), any_text(20)),
            "amount_rm": st.one_of(st.decimals(-1, 10**17, places=2).map(str), any_text(20)),
            "as_of": one_of("", "2024-12-31", "2024-13-01"),
            "source": any_text(),
            "source_url": one_of("", "https://www.kpwkm.gov.my/", "ftp://x", "bukan pautan"),
        },
    ),
}


@pytest.mark.parametrize("name", list(ADMIN_FORMS))
def test_admin_model_form(admin_client, name):
    model, fields = ADMIN_FORMS[name]
    url = admin_add(model)

    @PAGE
    @given(form_data(fields()))
    @example({})  # an empty body
    def add(data):
        with rolled_back():
            before = counts(model)
            response = admin_client.post(url, {**data, "_save": "1"})
            assert_no_server_error(response)
            if response.status_code == 302:
                return
            assert response.status_code == 200
            form = response.context["adminform"].form
            assert form.errors
            assert_errors_shown(response, form)
            assert counts(model) == before

    add()


# --- training ------------------------------------------------------------------------------


def test_attendance_form(client, personas):
    event = EventFactory()
    sign_in(client, personas.district_officer)
    url = reverse("training:event", args=[event.pk])
    fields = {
        "organization": one_of(personas.cbo.organization.pk, personas.agency.pk),
        "name": st.one_of(st.just("Halimah binti Yusuf"), any_text()),
        "role": one_of(*AttendeeRole.values),
    }

    assert_any_post_refused_or_done(client, url, fields, [Attendance])


# --- every form is fuzzed ------------------------------------------------------------------

# Each form and the test that fuzzes it (santuni/tests/test_fuzz_<module>.py).
FUZZED = {
    "santuni.cases.forms.CaseForm": "forms.test_case_form",
    "santuni.cases.forms.ReferralForm": "forms.test_referral_form",
    "santuni.cases.forms.ReferralActionForm": "forms.test_referral_action_form",
    "santuni.cases.forms.ListFilterForm": "forms.test_list_filter_form",
    "santuni.cases.forms.NoteForm": "forms.test_note_form",
    "santuni.cases.forms.AttachmentForm": "forms.test_attachment_form",
    "santuni.aid.forms.HouseholdForm": "forms.test_household_and_person_forms",
    "santuni.aid.forms.PersonForm": "forms.test_household_and_person_forms",
    "santuni.directory.forms.SearchForm": "forms.test_search_form",
    "santuni.listings.editable.ListingForm": "forms.test_listing_form",
    "santuni.listings.views.ReturnForm": "forms.test_return_form",
    "santuni.reports.booklet.views.BookletForm": "forms.test_booklet_form",
    "santuni.reports.dashboards.views.ScopeForm": "forms.test_scope_form",
    "santuni.reports.admin.ImportForm": "forms.test_import_form",
    "santuni.reports.admin.AidStatisticForm": "forms.test_admin_model_form",
    "santuni.aid.admin.SchemeVersionForm": "forms.test_admin_model_form",
    "santuni.search.admin.SynonymFamilyForm": "forms.test_admin_model_form",
    "santuni.accounts.forms.SignInForm": "accounts.test_sign_in_form",
    "santuni.accounts.forms.CodeForm": "accounts.test_code_form",
    "santuni.accounts.forms.ReauthenticateForm": "accounts.test_reauthenticate_form",
    "santuni.accounts.forms.ChooseRoleForm": "accounts.test_choose_role_form",
    "santuni.accounts.forms.InvitationForm": "accounts.test_invitation_form",
    "santuni.accounts.forms.NewAccountForm": "accounts.test_new_and_existing_account_forms",
    "santuni.accounts.forms.ExistingAccountForm": "accounts.test_new_and_existing_account_forms",
    "santuni.training.forms.AttendanceForm": "forms.test_attendance_form",
}


def santuni_forms() -> set[str]:
    """Every form class defined in Santuni's code (tests and migrations aside)."""
    found = set()
    for module in pkgutil.walk_packages(santuni.__path__, "santuni."):
        parts = module.name.split(".")
        # wsgi is a program to run (importing it does work), with no forms.
        if {"tests", "migrations"} & set(parts) or parts[-1] == "wsgi":
            continue
        loaded = importlib.import_module(module.name)
        for name, value in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module.name:
                found.add(f"{module.name}.{name}")
    return found


def test_every_form_is_fuzzed():
    assert santuni_forms() == set(FUZZED)
    for test in FUZZED.values():
        module, name = test.rsplit(".", 1)
        found = importlib.import_module(f"santuni.tests.test_fuzz_{module}")
        assert callable(getattr(found, name, None)), f"no test {test}"
