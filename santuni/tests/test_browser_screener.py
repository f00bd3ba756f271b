"""On a 360 px phone, without JavaScript doing the work: the aid screener's two steps and its
answer, in Malay and in English, for the grandmother of the issue (Seremban, 3 people on
RM1,400; 64, not working, grandchildren of 5 and 9): BKK RM450 and BWE RM600 likely, the
Seremban welfare office to apply at. A CBO head opens a case from the answer, and recording it
refers it to the office's aid service."""

import os
import re
import uuid

import pytest
from django.db import connections
from django.utils import translation
from django.utils.translation import gettext

from santuni.accounts.tests.personas import make_personas
from santuni.aid import selectors
from santuni.aid.models import Scheme
from santuni.cases.models import Case, Referral
from santuni.geo.models import District
from santuni.lib.phones import phone_display

from .browser import CHROMIUM_ARGS, require_chromium
from .test_browser_self_service import assert_fits_and_accessible, new_phone_page, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OFFICE = "Pejabat Kebajikan Masyarakat Daerah Seremban"
HOUSEHOLD = {"area": "all", "size": "3", "income": "1400"}
PERSON = {"age": "64", "own_income": "0", "work": "not_working", "children": "5, 9"}
YES_NO = ("oku", "carer", "institution", "pdk", "other_aid")
NAME = "Mak Esah binti Sampel"
CASE_PAGE = re.compile(r"/kes/([0-9a-f-]{36})$")


@pytest.fixture
def site(live_server):
    """The browser, the live server's address and the personas, with the demo directory (so
    the Seremban welfare office and its services exist)."""
    executable = require_chromium()
    people = make_personas()
    from santuni.demo.directory import demo_data_load

    demo_data_load()
    from playwright.sync_api import sync_playwright

    # Playwright's event loop makes Django think it runs async; the test reads the database.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser, live_server.url, people
        # Queries made while Playwright runs use a connection of their own (its event loop
        # is another context); closed here, the test database can be dropped at the end.
        connections.close_all()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def say(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def seremban_office():
    office = selectors.welfare_office(District.objects.get(slug="seremban"))
    assert office is not None and office.name == OFFICE
    return office


def submit(page, button="button[type='submit']"):
    """Taps the screener's (or case) form's button and waits for the page it leads to."""
    with page.expect_navigation():
        page.locator(f"main form.form {button}").first.click()


def fill_household(page, district_id, **answers):
    values = {**HOUSEHOLD, **answers}
    page.locator("select[name='district']").select_option(str(district_id))
    page.locator(f"input[name='area'][value='{values['area']}']").check()
    page.locator("input[name='size']").fill(values["size"])
    page.locator("input[name='income']").fill(values["income"])


def fill_person(page):
    page.locator("input[name='age']").fill(PERSON["age"])
    page.locator("input[name='own_income']").fill(PERSON["own_income"])
    page.locator(f"input[name='work'][value='{PERSON['work']}']").check()
    for name in YES_NO:
        page.locator(f"input[name='{name}'][value='no']").check()
    page.locator("input[name='children']").fill(PERSON["children"])


def scheme_card(page, code: str, language: str):
    scheme = Scheme.objects.get(code=code)
    name = scheme.name_en if language == "en" else scheme.name
    heading = page.get_by_role("heading", name=name, exact=True)
    card = page.locator("main ul.results > li.card").filter(has=heading)
    assert card.count() == 1, f"no card for {name}"
    return card


def assert_grandmother_answer(page, language: str):
    """BKK RM450 and BWE RM600, both likely; where to apply: the Seremban office."""
    assert page.locator("html").get_attribute("lang") == language
    likely = say(language, "Likely eligible")
    for code, amount in (("bkk", "RM450"), ("bwe", "RM600")):
        card = scheme_card(page, code, language)
        badge = card.locator(".badge")
        assert badge.inner_text() == likely, code
        assert "status-likely" in badge.get_attribute("class")
        assert amount in card.locator("strong").first.inner_text(), code
    office = seremban_office()
    where = page.locator(f"main .card:has(a[href$='/organisasi/{office.pk}'])")
    assert where.count() == 1
    shown = office.name_en if language == "en" else office.name
    assert where.locator("h3").inner_text() == shown
    calls = where.locator("a[href^='tel:']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert calls, "no tap-to-call link for the office"
    assert calls == [phone_display(p.number).tel for p in office.phones.all()]
    assert page.locator("main a[href='https://ebantuanjkm.jkm.gov.my']").count() == 1


def run_screener(page, base, prefix: str, language: str, *, checks: bool):
    """Step 1, step 2, the answer; with `checks`, also the empty income and the Back button."""
    district = District.objects.get(slug="seremban")
    page.goto(f"{base}{prefix}/bantuan/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("main form.form select[name='district']").count() == 1
    if checks:
        assert_fits_and_accessible(page)
        # Without the income: an error at the field, and the answers are still there.
        other = District.objects.get(slug="port-dickson")
        fill_household(page, other.pk, area="rural", income="")
        submit(page)
        assert page.locator("input[name='step']").count() == 0  # still step 1
        assert page.locator("main .field.invalid input[name='income']").count() == 1
        assert page.locator("main .field.invalid p.error").count() == 1
        required = say(language, "Type the household's income a month: 0 if none.")
        assert page.locator("main .field.invalid p.error").inner_text() == required
        assert page.locator("select[name='district']").input_value() == str(other.pk)
        assert page.locator("input[name='area'][value='rural']").is_checked()
        assert page.locator("input[name='size']").input_value() == "3"
        assert_fits_and_accessible(page)
    fill_household(page, district.pk)
    submit(page)
    assert page.locator("main form.form input[name='step'][value='person']").count() == 1
    assert page.locator("html").get_attribute("lang") == language
    if checks:
        assert_fits_and_accessible(page)
        # Back: step 1 again, the household's answers kept.
        submit(page, "button[name='back']")
        assert page.locator("input[name='step']").count() == 0
        assert page.locator("select[name='district']").input_value() == str(district.pk)
        assert page.locator("input[name='area'][value='all']").is_checked()
        assert page.locator("input[name='size']").input_value() == "3"
        assert page.locator("input[name='income']").input_value() in ("1400", "1400.00")
        submit(page)
        assert page.locator("main form.form input[name='step'][value='person']").count() == 1
    fill_person(page)
    submit(page)
    assert page.locator("main ul.results > li.card").count() == Scheme.objects.count()
    assert_grandmother_answer(page, language)
    if checks:
        assert_fits_and_accessible(page)


def test_the_grandmother_in_malay(site):
    browser, base, _people = site
    page = new_phone_page(browser)
    run_screener(page, base, "", "ms", checks=True)
    # Anonymous: no button that opens a case.
    assert page.locator("input[name='from_screener']").count() == 0


def test_the_grandmother_in_english(site):
    browser, base, _people = site
    page = new_phone_page(browser)
    run_screener(page, base, "/en", "en", checks=True)
    assert page.locator("input[name='from_screener']").count() == 0


def test_a_cbo_head_opens_a_case_from_the_answer_and_it_is_referred(site):
    browser, base, people = site
    office = seremban_office()
    assert office.pk != people.agency.pk  # the demo office, not the persona's namesake
    service = selectors.aid_service(office)
    assert service is not None

    head = new_phone_page(browser)
    sign_in(head, base, people.cbo_head.user.email)
    head.wait_for_url("**/akaun/")
    run_screener(head, base, "", "ms", checks=False)

    opening = head.locator("main form:has(input[name='from_screener'])")
    assert opening.count() == 1
    assert opening.locator("input[name='refer_service']").get_attribute("value") == str(service.pk)
    assert_fits_and_accessible(head)
    with head.expect_navigation():
        opening.locator("button[type='submit']").click()
    assert "/kes/baru" in head.url
    situation = head.locator("textarea[name='situation']").input_value()
    assert "RM450" in situation
    assert "RM600" in situation
    assert head.locator("input[name='urgency'][value='normal']").is_checked()
    assert head.locator("select[name='category']").input_value() == "financial"
    assert head.locator("input[name='age']").input_value() == "64"
    assert head.locator("input[name='refer_service']").input_value() == str(service.pk)
    purposes = head.locator("input[name='consent_purposes']")
    assert purposes.count() == 3
    assert not any(purposes.nth(i).is_checked() for i in range(purposes.count()))
    assert_fits_and_accessible(head)

    head.locator("input[name='name']").fill(NAME)
    head.locator("input[name='sex'][value='f']").check()
    head.locator("input[name='consent_method'][value='verbal']").check()
    for i in range(purposes.count()):
        purposes.nth(i).check()
    submit(head)
    found = CASE_PAGE.search(head.url)
    assert found, head.url
    case = Case.objects.get(pk=uuid.UUID(found.group(1)))
    assert case.client.name == NAME
    assert "RM450" in case.situation

    reference = f"{case.reference}-1"
    assert re.fullmatch(r"K-[A-Z0-9]{6}-1", reference)
    listed = head.locator(f"main .card:has(a[href*='/kes/rujukan/']:text-is('{reference}'))")
    assert listed.count() == 1
    assert OFFICE in listed.locator("p.org").inner_text()
    assert service.tr.name in listed.locator("h3").inner_text()
    assert reference in head.locator("ul.messages").inner_text()
    referral = Referral.objects.get(reference=reference)
    assert referral.case_id == case.pk
    assert referral.service_id == service.pk
    assert referral.service.organization_id == office.pk
    assert referral.status == Referral.Status.SENT == "sent"
    assert_fits_and_accessible(head)
