"""The screener's pages: two steps without JavaScript, a clear message for a bad answer,
nothing stored, and for a CBO head one button to a case referred to the welfare office; the
admin checks rules on save and previews them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from santuni.accounts.tests.personas import sign_in
from santuni.aid.models import PovertyLine, Scheme, SchemeVersion
from santuni.audit.models import AuditEntry
from santuni.cases.models import Case, Client, Referral
from santuni.demo.directory import demo_data_load
from santuni.geo.models import District

pytestmark = pytest.mark.django_db
PERSON = {
    "step": "person",
    "age": "64",
    "own_income": "0",
    "work": "not_working",
    **dict.fromkeys(("oku", "carer", "institution", "pdk", "other_aid"), "no"),
    "children": "5, 9",
}


def malay(message: str) -> str:
    with translation.override("ms"):
        return gettext(message)


@pytest.fixture
def place():
    demo_data_load()
    return {
        "district": District.objects.get(slug="seremban").pk,
        "area": "all",
        "size": "3",
        "income": "1400",
    }


def test_the_catalogue_is_seeded_with_its_sources():
    assert set(Scheme.objects.values_list("code", flat=True)) == {
        *("bkk", "bwe", "epoku", "btb", "bpt", "bap", "bat", "pdk"),
    }
    assert all(v.source and v.source_date for v in SchemeVersion.objects.all())
    uncertain = set(
        SchemeVersion.objects.filter(uncertain=True).values_list("scheme__code", flat=True)
    )
    assert uncertain == {"epoku", "btb"}
    assert PovertyLine.objects.get(state__code="MY-05", area="all").amount == 2402


def test_the_grandmother_gets_her_answer_in_two_steps(client, place):
    first = client.get(reverse("aid:screener"))
    assert first.status_code == 200
    step_two = client.post(reverse("aid:screener"), place).content.decode()
    assert 'name="age"' in step_two
    assert 'name="income" value="1400"' in step_two  # step one travels in the form
    page = client.post(reverse("aid:screener"), {**place, **PERSON}).content.decode()
    bkk = page[page.index(Scheme.objects.get(code="bkk").name) :]
    assert "RM250 × 1 + RM200 × 1 = RM450" in bkk[:1500]
    assert "RM600" in page
    assert "Pejabat Kebajikan Masyarakat Daerah Seremban" in page
    assert "ebantuanjkm.jkm.gov.my" in page


def test_nothing_is_stored_and_nothing_is_in_the_address(client, place):
    before = (Case.objects.count(), Client.objects.count(), AuditEntry.objects.count())
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("aid:screener"), {**place, **PERSON})
    assert response.status_code == 200
    writes = [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"])]
    assert writes == []
    assert (Case.objects.count(), Client.objects.count(), AuditEntry.objects.count()) == before
    assert response.request["QUERY_STRING"] == ""


@pytest.mark.parametrize(
    ("answers", "field", "message", "values"),
    [
        ({"income": ""}, "income", "Type the household's income a month: 0 if none.", {}),
        (
            {"income": "-5"},
            "income",
            "Ensure this value is greater than or equal to %(limit_value)s.",
            {"limit_value": 0},
        ),
        (
            {"size": "0"},
            "size",
            "Ensure this value is greater than or equal to %(limit_value)s.",
            {"limit_value": 1},
        ),
    ],
)
def test_a_bad_first_answer_is_named_and_the_rest_kept(
    client, place, answers, field, message, values
):
    response = client.post(reverse("aid:screener"), {**place, **answers})
    expected = malay(message) % values if values else malay(message)
    assert response.context["form"].errors[field] == [expected]
    assert 'value="1400"' in response.content.decode() or field == "income"


def test_a_bad_list_of_childrens_ages_is_explained(client, place):
    response = client.post(reverse("aid:screener"), {**place, **PERSON, "children": "lima"})
    assert response.context["form"].errors["children"] == [
        malay("Write each child's age in whole years, separated by commas, e.g. 5, 9.")
    ]


def test_back_returns_to_the_first_step_with_the_answers(client, place):
    response = client.post(reverse("aid:screener"), {**place, "back": "1"})
    page = response.content.decode()
    assert 'name="income"' in page and 'value="1400"' in page


def test_in_english_too(client, place):
    page = client.post("/en" + reverse("aid:screener"), {**place, **PERSON}).content.decode()
    assert '<html lang="en">' in page
    assert Scheme.objects.get(code="bwe").name_en in page
    assert "The household income RM1,400 is below the Negeri Sembilan PGK of RM2,402." in page


def test_a_cbo_head_opens_a_case_referred_to_the_welfare_office(client, personas, place):
    sign_in(client, personas.cbo_head)
    page = client.post(reverse("aid:screener"), {**place, **PERSON}).content.decode()
    handed = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    assert handed["from_screener"] == "1"
    form = client.post(reverse("cases:case_new") + "?tahap=normal", handed)
    assert form.status_code == 200
    assert not Case.objects.exists()  # only filled in, not yet recorded
    initial = form.context["form"].initial
    assert "RM450" in initial["situation"]
    assert (initial["age"], initial["household_size"]) == (64, 3)
    filled = {
        "urgency": "normal",
        "category": "financial",
        "situation": initial["situation"],
        "name": "Mak Som binti Sampel",
        "sex": "f",
        "age": "64",
        "consent_method": "written",
        "consent_purposes": ["record", "share", "contact"],
        "refer_service": initial["refer_service"],
    }
    done = client.post(reverse("cases:case_new") + "?tahap=normal", filled)
    assert done.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.SENT
    assert referral.organization.name == "Pejabat Kebajikan Masyarakat Daerah Seremban"
    assert "bantuan kewangan" in referral.service.name.lower()


def test_without_consent_to_share_the_screener_referral_waits_as_a_draft(client, personas, place):
    sign_in(client, personas.cbo_head)
    page = client.post(reverse("aid:screener"), {**place, **PERSON}).content.decode()
    service = re.search(r'name="refer_service" value="([^"]+)"', page).group(1)
    client.post(
        reverse("cases:case_new") + "?tahap=normal",
        {
            "urgency": "normal",
            "category": "financial",
            "situation": "Bantuan kewangan",
            "name": "Mak Som binti Sampel",
            "sex": "f",
            "age": "64",
            "consent_method": "verbal",
            "consent_purposes": ["record"],
            "refer_service": service,
        },
    )
    assert Referral.objects.get().status == Referral.Status.DRAFT


def test_the_public_sees_no_case_button(client, place):
    page = client.post(reverse("aid:screener"), {**place, **PERSON}).content.decode()
    assert "from_screener" not in page


def test_the_admin_refuses_bad_rules_and_previews_good_ones(admin_client):
    version = SchemeVersion.objects.filter(scheme__code="bwe").order_by("-effective_from").first()
    change = admin_client.get(reverse("admin:aid_schemeversion_change", args=[version.pk]))
    preview = change.content.decode()
    assert "RM1,400" in preview  # the grandmother sample
    assert "RM600" in preview
    data = {
        "scheme": version.scheme_id,
        "effective_from": "2030-01-01",
        "amount_kind": "fixed",
        "amount": "700",
        "child_rates": "[]",
        "rules": '[{"kind": "age_at_least", "years": "sixty"}, {"kind": "guess"}]',
        "source": "Belanjawan 2030",
        "source_date": "2029-10-10",
        "note": "",
    }
    refused = admin_client.post(reverse("admin:aid_schemeversion_add"), data)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors["rules"]
    assert len(errors) == 2
    assert not SchemeVersion.objects.filter(effective_from="2030-01-01").exists()
    data["rules"] = '[{"kind": "age_at_least", "years": 60}]'
    saved = admin_client.post(reverse("admin:aid_schemeversion_add"), data)
    assert saved.status_code == 302
    assert SchemeVersion.objects.filter(effective_from="2030-01-01", amount=700).exists()
    assert AuditEntry.objects.filter(action="admin.added", object_type="aid.schemeversion").exists()


def select_named(page: str, name: str) -> str:
    start = page.index(f'name="{name}"')
    return page[start : page.index("</select>", start)]


def result_card(page: str, scheme_code: str) -> str:
    """The results page's card of one scheme."""
    start = page.index(Scheme.objects.get(code=scheme_code).name)
    return page[page.rindex("<li", 0, start) : page.index("</li>", start)]


def test_a_federal_territory_household_is_screened_for_bantuan_am_persekutuan(client):
    demo_data_load()
    kuala_lumpur = District.objects.get(slug="kuala-lumpur")
    household = {"district": kuala_lumpur.pk, "area": "all", "size": "3", "income": "2500"}
    person = {**PERSON, "age": "35", "children": "4"}
    page = client.post(reverse("aid:screener"), {**household, **person}).content.decode()
    assert "aid-likely" in result_card(page, "bap")
    # Outside the federal territories the same household is not screened for it.
    johor_bahru = District.objects.get(slug="johor-bahru")
    page = client.post(
        reverse("aid:screener"), {**household, "district": johor_bahru.pk, **person}
    ).content.decode()
    assert "aid-not_eligible" in result_card(page, "bap")


def test_a_johor_cbo_head_chooses_among_johors_districts(client):
    from santuni.accounts.models import Membership, Role
    from santuni.accounts.tests.personas import Persona, make_user
    from santuni.directory.tests.factories import CboProfileFactory

    kluang = District.objects.get(slug="kluang")
    cbo = CboProfileFactory(district=kluang)
    user, _device = make_user("ketua.johor@example.invalid", "Ketua Johor")
    membership = Membership.objects.create(
        user=user, role=Role.CBO_HEAD, organization=cbo.organization, district=kluang
    )
    sign_in(client, Persona("johor_cbo_head", user, membership, None))
    johor = set(District.objects.filter(state__code="MY-01").values_list("name", flat=True))
    for url, name in (
        (reverse("aid:screener"), "district"),
        (reverse("directory:search"), "daerah"),
    ):
        select = select_named(client.get(url).content.decode(), name)
        first_group = select[select.index("<optgroup") : select.index("</optgroup>")]
        assert 'label="Johor"' in first_group, url
        assert set(re.findall(r">([^<]+)</option>", first_group)) == johor, url
    screener = client.get(reverse("aid:screener")).content.decode()
    assert re.search(rf'<option value="{kluang.pk}" selected>', screener)
    # Choosing the state on the search page offers that state's districts alone.
    page = client.get(reverse("directory:search"), {"negeri": "johor"}).content.decode()
    offered = set(re.findall(r">([^<]+)</option>", select_named(page, "daerah")))
    assert offered == {malay("All districts"), *johor}
