"""On a 360 px phone, in Malay: a CBO head records a case and refers it to the JKM office, the
agency's focal point accepts it and records the outcome without ever seeing the MyKad number
or the case, the CBO head sees the outcome, and the district officer sees the whole timeline.
And the "in danger now" start: tap-to-call first, then the form with the danger panel on top."""

import os
import re
import uuid

import pytest
from django.db import connections

from santuni.accounts.tests.personas import make_personas
from santuni.cases.models import Case, Referral
from santuni.cases.tests.factories import jkm_service, make_case
from santuni.directory.tests.factories import mukim, place_service, term

from .browser import CHROMIUM_ARGS, require_chromium
from .test_browser_self_service import assert_fits_and_accessible, malay, new_phone_page, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MYKAD = "850315-05-5124"
MYKAD_MASKED = "••••••-••-5124"
NAME = "Rohani binti Sampel"
SITUATION = "Suami hilang kerja; sewa rumah tertunggak tiga bulan dan anak-anak perlu makan."
NOTE = "Bantuan bulanan RM300 diluluskan mulai bulan depan."
CASE_PAGE = re.compile(r"/kes/([0-9a-f-]{36})$")


@pytest.fixture
def site(live_server):
    """The browser, the live server's address and the personas."""
    executable = require_chromium()
    people = make_personas()
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


def sign_in_with_code(page, base, persona):
    """Password, then the authenticator app's code (agency and district roles)."""
    sign_in(page, base, persona.user.email)
    page.wait_for_url("**/akaun/masuk/kod**")
    page.locator("input[name='code']").fill(persona.code())
    page.locator("main form button[type='submit']").click()
    page.wait_for_url("**/akaun/")


def submit(page, form="main form.form:not([role='search'])"):
    """Taps the form's (first) submit button and waits for the page it leads to."""
    with page.expect_navigation():
        page.locator(f"{form} button[type='submit']").first.click()


def fill_case_form(page, *, name, mukim_id, group_id):
    page.locator("select[name='category']").select_option("financial")
    page.locator("textarea[name='situation']").fill(SITUATION)
    page.locator("input[name='name']").fill(name)
    page.locator("input[name='sex'][value='f']").check()
    page.locator("input[name='mykad']").fill(MYKAD)
    page.locator("select[name='mukim']").select_option(str(mukim_id))
    page.locator(f"input[name='target_groups'][value='{group_id}']").check()
    page.locator("input[name='consent_method'][value='written']").check()
    for purpose in ("record", "share", "contact"):
        page.locator(f"input[name='consent_purposes'][value='{purpose}']").check()


def test_a_case_is_referred_answered_and_followed_up(site):
    browser, base, people = site
    service = jkm_service(people)
    place_service(service)  # offered in Seremban, so found from a Seremban case
    agency = people.agency.name
    rasah, victim = mukim("Rasah"), term("mangsa-krt")

    # 1. The CBO head signs in (password only) and starts a case: help needed soon.
    head = new_phone_page(browser)
    sign_in(head, base, people.cbo_head.user.email)
    head.wait_for_url("**/akaun/")
    head.locator("main a[href$='/kes/baru']").click()
    head.wait_for_url("**/kes/baru")
    head.locator("main a[href$='?tahap=high']").click()
    head.wait_for_url("**/kes/baru?tahap=high")
    assert head.locator("input[name='urgency'][value='high']").is_checked()
    purposes = head.locator("input[name='consent_purposes']")
    # Nothing is agreed for the person: the head ticks what they said yes to.
    assert purposes.count() == 3
    assert not any(purposes.nth(i).is_checked() for i in range(purposes.count()))
    assert_fits_and_accessible(head)

    # Without the name: the form says what to change and keeps what was typed.
    fill_case_form(head, name="", mukim_id=rasah.pk, group_id=victim.pk)
    submit(head)
    assert CASE_PAGE.search(head.url) is None
    assert head.locator("main .field.invalid input[name='name']").count() == 1
    assert head.locator("main .field.invalid p.error").count() == 1
    kept = malay("Some answers need a change: see the marked fields. Nothing you typed was lost.")
    assert kept in head.locator("main [role='alert']").inner_text()
    assert head.locator("textarea[name='situation']").input_value() == SITUATION
    assert head.locator("input[name='mykad']").input_value() == MYKAD
    assert head.locator("input[name='urgency'][value='high']").is_checked()
    assert head.locator("input[name='sex'][value='f']").is_checked()
    assert head.locator(f"input[name='target_groups'][value='{victim.pk}']").is_checked()
    assert head.locator("input[name='consent_method'][value='written']").is_checked()
    assert all(purposes.nth(i).is_checked() for i in range(purposes.count()))
    assert_fits_and_accessible(head)

    head.locator("input[name='name']").fill(NAME)
    submit(head)
    found = CASE_PAGE.search(head.url)
    assert found, head.url
    case = Case.objects.get(pk=uuid.UUID(found.group(1)))
    assert (case.urgency, case.category, case.client.name) == ("high", "financial", NAME)
    main = head.locator("main").inner_text()
    assert case.reference in head.locator("h1").inner_text()
    assert MYKAD_MASKED in main  # the CBO sees only the last four digits
    assert MYKAD not in main
    assert malay("Not referred yet.") in main

    # 2. Refer it: find the JKM service, pick it, send.
    head.locator(f"main a[href$='/kes/{case.pk}/rujuk']").click()
    head.wait_for_url(f"**/kes/{case.pk}/rujuk")
    # The list follows the typing (htmx); without JavaScript, the Find button does the same.
    head.locator("main input[name='q']").fill("Bantuan Kebajikan")
    choice = head.locator(f"input[name='service'][value='{service.pk}']")
    choice.wait_for()
    assert choice.count() == 1
    assert agency in head.locator(f"label[for='{choice.get_attribute('id')}']").inner_text()
    choice.check()
    assert head.locator("textarea[name='summary']").input_value() == SITUATION
    assert_fits_and_accessible(head)
    with head.expect_navigation():
        head.locator("main form button[name='send']").click()
    assert head.url.endswith(f"/kes/{case.pk}")
    reference = f"{case.reference}-1"
    assert re.fullmatch(r"K-[A-Z0-9]{6}-1", reference)
    assert head.locator(f"main a[href*='/kes/rujukan/']:text-is('{reference}')").count() == 1
    assert reference in head.locator("ul.messages").inner_text()
    referral = Referral.objects.get(reference=reference)
    assert referral.status == Referral.Status.SENT

    # 3. The agency's focal point signs in with both factors and answers it.
    agent = new_phone_page(browser)
    sign_in_with_code(agent, base, people.agency_focal_point)
    agent.locator("main a[href$='/kes/rujukan']").click()
    agent.wait_for_url("**/kes/rujukan")
    listed = agent.locator("main ul.results a[href*='/kes/rujukan/']")
    assert listed.count() == 1
    assert reference in listed.inner_text()
    listed.click()
    agent.wait_for_url(f"**/kes/rujukan/{referral.pk}")

    def assert_need_to_know_only():
        html = agent.content()
        for number in (MYKAD, MYKAD.replace("-", ""), MYKAD_MASKED):
            assert number not in html, f"the agency sees the MyKad number ({number})"
        assert "5124" not in agent.locator("main").inner_text()
        assert agent.locator(f"a[href*='/kes/{case.pk}']").count() == 0
        assert str(case.pk) not in html
        assert NAME in agent.locator("main").inner_text()

    assert_need_to_know_only()
    assert_fits_and_accessible(agent)
    submit(agent, "main form:has(input[name='action'][value='accept'])")
    assert agent.url.endswith(f"/kes/rujukan/{referral.pk}")
    told = malay("Accepted. The sender has been told.")
    assert told in agent.locator("ul.messages").inner_text()
    assert agent.locator("main form:has(input[name='action'][value='accept'])").count() == 0
    agent.reload()  # the flash message gone: see test_a_page_showing_a_message_is_accessible
    completing = agent.locator("main form:has(input[name='action'][value='complete'])")
    completing.locator("select[name='reason']").select_option("aid_approved")
    completing.locator("textarea[name='note']").fill(NOTE)
    assert_fits_and_accessible(agent)
    submit(agent, "main form:has(input[name='action'][value='complete'])")
    assert agent.url.endswith(f"/kes/rujukan/{referral.pk}")
    told = malay("Outcome recorded. The sender has been told.")
    assert told in agent.locator("ul.messages").inner_text()
    agent.reload()
    facts = agent.locator("main dl.facts").first.inner_text()
    assert malay("Aid approved") in facts
    assert NOTE in agent.locator("main ol.timeline").inner_text()
    assert_need_to_know_only()
    assert_fits_and_accessible(agent)
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("completed", "aid_approved")

    # 4. The CBO head looks at the case again: the outcome is there.
    head.reload()
    card = head.locator("main .card", has=head.locator(f"a:text-is('{reference}')"))
    text = card.inner_text()
    assert malay("Aid approved") in text
    assert card.locator("p.org .badge").inner_text() == malay("Completed")
    assert agency in text

    # 5. The district officer follows it from the dashboard to the case and its timeline.
    officer = new_phone_page(browser)
    sign_in_with_code(officer, base, people.district_officer)
    officer.locator("main a[href$='/kes/daerah']").click()
    officer.wait_for_url("**/kes/daerah")
    completed = officer.locator("main table tr", has=officer.locator("a[href$='status=completed']"))
    assert completed.locator("td").nth(1).inner_text() == "1"
    assert_fits_and_accessible(officer)
    completed.locator("a").click()
    officer.wait_for_url("**/kes/rujukan?status=completed")
    officer.locator(f"main ul.results a[href$='/kes/rujukan/{referral.pk}']").click()
    officer.wait_for_url(f"**/kes/rujukan/{referral.pk}")
    officer.locator(f"main a[href$='/kes/{case.pk}']").click()
    officer.wait_for_url(f"**/kes/{case.pk}")
    events = officer.locator("main ol.timeline li")
    assert events.count() == 4
    steps = [events.nth(i).locator("strong").inner_text() for i in range(4)]
    assert steps == [malay(s) for s in ("Draft", "Sent", "Accepted", "Completed")]
    for i in (2, 3):  # answered by the agency's focal point
        assert agency in events.nth(i).inner_text()
    assert malay("Aid approved") in events.nth(3).inner_text()
    assert NOTE in events.nth(3).inner_text()
    assert_fits_and_accessible(officer)


def test_in_danger_now_shows_who_to_call_before_the_form(site):
    browser, base, people = site
    head = new_phone_page(browser)
    sign_in(head, base, people.cbo_head.user.email)
    head.wait_for_url("**/akaun/")
    head.goto(base + "/kes/baru")
    head.locator("main a[href$='/kes/kecemasan']").click()
    head.wait_for_url("**/kes/kecemasan")
    calls = head.locator("main section.danger a[href^='tel:']")
    assert calls.evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "tel:999",
        "tel:15999",
    ]
    assert head.locator("main form").count() == 0
    assert_fits_and_accessible(head)

    head.locator("main a[href$='?tahap=immediate']").click()
    head.wait_for_url("**/kes/baru?tahap=immediate")
    assert head.locator("input[name='urgency'][value='immediate']").is_checked()
    assert head.locator("main section.danger a[href='tel:999']").count() == 1
    assert head.locator("main section.danger a[href='tel:15999']").count() == 1
    panel_first = head.evaluate(
        """() => {
            const panel = document.querySelector('main section.danger');
            const form = document.querySelector('main form');
            return !!(panel.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert panel_first, "the danger panel should come before the form"
    assert_fits_and_accessible(head)


def test_a_page_showing_a_message_is_accessible(site):
    browser, base, people = site
    case = make_case(people.cbo_head)
    head = new_phone_page(browser)
    sign_in(head, base, people.cbo_head.user.email)
    head.wait_for_url("**/akaun/")
    head.goto(f"{base}/kes/{case.pk}")
    head.locator("textarea[name='text']").fill("Sudah dihubungi melalui telefon.")
    submit(head, f"main form[action$='/kes/{case.pk}/nota']")
    assert head.locator("ul.messages li").count() == 1
    assert_fits_and_accessible(head)
