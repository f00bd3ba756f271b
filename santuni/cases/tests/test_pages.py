"""Recording a case and referring it through the pages: clear messages for bad input, nothing
typed is lost, a double tap makes one record, immediate danger shows who to call first."""

import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from santuni.accounts.tests.personas import sign_in
from santuni.cases import mykad
from santuni.cases.models import Case, Referral
from santuni.cases.services import cases

from .factories import jkm_service, make_case, make_referral, malay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("85031505512", "A MyKad number has 12 digits, like 850315-05-1234."),
        ("850315-05-512X", "A MyKad number has 12 digits, like 850315-05-1234."),
        ("851315-05-5124", "The first six digits of a MyKad number are a birth date (YYMMDD); "),
        ("850230-05-5124", "The first six digits of a MyKad number are a birth date (YYMMDD); "),
        ("850315-97-5124", "Digits 7 and 8 of a MyKad number are a place of birth code; "),
    ],
    ids=["short", "letter", "month-13", "30-february", "birthplace-97"],
)
def test_a_wrong_mykad_number_says_which_part_is_wrong(typed, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            mykad.validate(typed, TODAY)
        assert error.value.messages[0].startswith(message)


def test_a_mykad_number_gives_the_birth_date_in_the_right_century():
    assert mykad.validate("150101-05-0011", TODAY) == "150101050011"
    assert mykad.birth_date("150101050011", TODAY) == date(2015, 1, 1)
    assert mykad.birth_date("991231050011", TODAY) == date(1999, 12, 31)
    # Born 1 January 2027 cannot be yet: 1927.
    assert mykad.birth_date("270101050011", TODAY) == date(1927, 1, 1)
    assert mykad.mask("850315055124") == "••••••-••-5124"
    assert (mykad.sex("850315055124"), mykad.sex("850315055123")) == ("f", "m")


def case_form(**changes):
    values = {
        "urgency": "normal",
        "category": "elderly",
        "situation": "Nenek tinggal seorang diri, tidak larat memasak.",
        "name": "Mak Som binti Sampel",
        "sex": "f",
        "age": "78",
        "consent_method": "verbal",
        "consent_purposes": ["record", "share", "contact"],
        "submission_key": str(uuid.uuid4()),
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def post_case(client, **changes):
    return client.post(reverse("cases:case_new") + "?tahap=normal", case_form(**changes))


@pytest.mark.parametrize(
    ("changes", "field", "message", "values"),
    [
        (
            {"mykad": "851315-05-5124"},
            "mykad",
            "The first six digits of a MyKad number are a birth date (YYMMDD); %(date)s is not.",
            {"date": "851315"},
        ),
        (
            {"mykad": "850315-05-5124", "date_of_birth": "1985-03-16"},
            "date_of_birth",
            "The MyKad number says the person was born on %(date)s.",
            {"date": "15/03/1985"},
        ),
        (
            {"mykad": "850315-05-5123"},
            "sex",
            "The last digit of the MyKad number is odd for men and even for women; "
            "check the number or the sex.",
            None,
        ),
        ({"age": ""}, "age", "Give the date of birth or the age (a guess is fine).", None),
        (
            {"date_of_birth": "2030-01-01"},
            "date_of_birth",
            "The date of birth is in the future.",
            None,
        ),
        (
            {"phone": "06-12"},
            "phone",
            "This is not a Malaysian phone number. Write it like 06-763 1234 or 012-345 6789.",
            None,
        ),
        ({"name": ""}, "name", "This field is required.", None),
    ],
    ids=["mykad-date", "dob-mismatch", "sex-mismatch", "no-age", "future-birth", "phone", "name"],
)
def test_bad_input_is_named_and_what_was_typed_stays(
    client, personas, changes, field, message, values
):
    sign_in(client, personas.cbo_head)
    response = post_case(client, **changes)
    assert response.status_code == 200
    expected = malay(message) % values if values else malay(message)
    assert response.context["form"].errors[field] == [expected]
    page = response.content.decode()
    assert "Nenek tinggal seorang diri, tidak larat memasak." in page
    assert not Case.objects.exists()


def test_without_consent_to_keep_a_record_only_immediate_danger_is_recorded(client, personas):
    sign_in(client, personas.cbo_head)
    response = post_case(client, consent_purposes=[])
    assert response.status_code == 200
    refusal = malay(
        "Without the person's consent to keep a record, a case can be recorded only in "
        "immediate danger."
    )
    assert escape(refusal) in response.content.decode()
    assert not Case.objects.exists()
    assert post_case(client, consent_purposes=[], urgency="immediate").status_code == 302
    assert Case.objects.get().urgency == "immediate"


def test_a_double_tap_on_record_makes_one_case(client, personas):
    sign_in(client, personas.cbo_member)
    form = case_form()
    first = client.post(reverse("cases:case_new"), form)
    second = client.post(reverse("cases:case_new"), form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_immediate_danger_shows_who_to_call_before_the_form(client, personas):
    sign_in(client, personas.cbo_head)
    start = client.get(reverse("cases:case_new")).content.decode()
    assert reverse("cases:danger") in start
    danger = client.get(reverse("cases:danger")).content.decode()
    main = danger[danger.index("<main") :]
    assert 'href="tel:999"' in main
    assert 'href="tel:15999"' in main
    assert "<form" not in main
    form = client.get(reverse("cases:case_new") + "?tahap=immediate").content.decode()
    assert form.index('class="danger"') < form.index('method="post"')
    case = make_case(personas.cbo_head, urgency="immediate")
    assert 'class="danger"' in client.get(reverse("cases:case", args=[case.pk])).content.decode()


def test_a_referral_without_a_service_is_refused_and_keeps_the_summary(client, personas):
    case = make_case(personas.cbo_head)
    sign_in(client, personas.cbo_head)
    response = client.post(
        reverse("cases:referral_new", args=[case.pk]),
        {"mode": "live", "summary": "Ringkasan khas untuk agensi", "send": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert malay("Find the service and choose it from the list.") in page
    assert "Ringkasan khas untuk agensi" in page
    assert not Referral.objects.exists()


def test_a_cbo_member_saves_drafts_and_the_head_sends_them(client, personas):
    service = jkm_service(personas)
    case = make_case(personas.cbo_member)
    sign_in(client, personas.cbo_member)
    page = client.get(reverse("cases:referral_new", args=[case.pk])).content.decode()
    assert 'name="send"' not in page
    form = {"service": service.pk, "mode": "live", "summary": "Perlu bantuan"}
    refused = client.post(reverse("cases:referral_new", args=[case.pk]), {**form, "send": "1"})
    assert refused.status_code == 403
    client.post(reverse("cases:referral_new", args=[case.pk]), {**form, "draft": "1"})
    draft = Referral.objects.get()
    assert draft.status == Referral.Status.DRAFT
    sign_in(client, personas.cbo_head)
    client.post(
        reverse("cases:referral", args=[draft.pk]), {"action": "send", "version": draft.version}
    )
    draft.refresh_from_db()
    assert draft.status == Referral.Status.SENT


def test_a_stale_page_is_told_not_overwritten(client, personas):
    referral = make_referral(personas.cbo_head, make_case(personas.cbo_head), jkm_service(personas))
    stale = referral.version
    sign_in(client, personas.district_officer)
    client.post(
        reverse("cases:referral", args=[referral.pk]), {"action": "accept", "version": stale}
    )
    sign_in(client, personas.agency_focal_point)
    response = client.post(
        reverse("cases:referral", args=[referral.pk]),
        {"action": "decline", "version": stale, "reason": "no_capacity"},
        follow=True,
    )
    told = malay(
        "Someone else changed this in the meantime (or the button was tapped twice). "
        "Here is the latest; check it and try again if still needed."
    )
    assert escape(told) in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_other_reasons_need_a_note(client, personas):
    referral = make_referral(personas.cbo_head, make_case(personas.cbo_head), jkm_service(personas))
    sign_in(client, personas.agency_focal_point)
    response = client.post(
        reverse("cases:referral", args=[referral.pk]),
        {"action": "decline", "version": referral.version, "reason": "other", "note": ""},
    )
    assert response.status_code == 200
    assert malay("Say what happened in the note.") in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_the_pages_are_in_english_too(client, personas):
    case = make_case(personas.cbo_head)
    sign_in(client, personas.cbo_head)
    page = client.get("/en" + reverse("cases:case", args=[case.pk])).content.decode()
    assert '<html lang="en">' in page
    assert "Refer to a service" in page


def test_a_wrong_filter_value_is_marked_and_the_other_filters_still_apply(client, personas):
    open_case = make_case(personas.cbo_head)
    closed = make_case(personas.cbo_head)
    cases.case_close(actor=personas.cbo_head.membership, case_id=closed.pk, version=None)
    sign_in(client, personas.cbo_head)
    response = client.get(reverse("cases:cases"), {"status": "open", "urgency": "bogus"})
    page = response.content.decode()
    assert open_case.reference in page
    assert closed.reference not in page
    assert "urgency" in response.context["form"].errors


def test_the_form_agrees_to_nothing_for_the_person(client, personas):
    sign_in(client, personas.cbo_head)
    page = client.get(reverse("cases:case_new") + "?tahap=normal").content.decode()
    boxes = [line for line in page.split("<input") if 'name="consent_purposes"' in line]
    assert len(boxes) == 3
    assert not any("checked" in box for box in boxes)
