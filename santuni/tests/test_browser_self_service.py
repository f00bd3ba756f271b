"""On a 360 px phone: a CBO head edits the CBO's phone, a district officer verifies it, and
the public page shows the new number with today's verified date."""

import os

import pytest
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from santuni.accounts.tests.personas import PASSWORD, make_personas
from santuni.directory.models import Phone
from santuni.lib.phones import phone_display

from .browser import CHROMIUM_ARGS, axe_violations, require_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OLD_PHONE = "+6067654321"
NEW_PHONE = "06-762 8899"
PHONE_SCREEN = {
    "viewport": {"width": 360, "height": 740},
    "locale": "ms-MY",
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def site(live_server):
    """The browser, the live server's address and the personas, the CBO with an old phone."""
    executable = require_chromium()
    people = make_personas()
    Phone.objects.create(organization=people.cbo.organization, number=OLD_PHONE)
    from playwright.sync_api import sync_playwright

    # Playwright's event loop makes Django think it runs async; the test reads the database.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser, live_server.url, people
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def new_phone_page(browser, **options):
    """A page in a context of its own: its own cookies, so its own person."""
    page = browser.new_context(**PHONE_SCREEN, **options).new_page()
    page.set_default_timeout(15_000)
    return page


def malay(message: str, **values) -> str:
    with translation.override("ms"):
        text = gettext(message)
    return text % values if values else text


def verified_line(day) -> str:
    with translation.override("ms"):
        date = dateformat.format(day, "j F Y")
    return malay("Verified by a district officer on %(date)s.", date=date)


def assert_fits_and_accessible(page):
    """No sideways scrolling at 360 px, and no serious or critical axe violations."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide on a 360px screen"
    assert axe_violations(page) == []


def sign_in(page, base, email):
    page.goto(base + "/akaun/masuk")
    assert page.locator("html").get_attribute("lang") == "ms"
    page.locator("input[name='username']").fill(email)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main form button[type='submit']").click()


def public_page(browser, base, organization) -> tuple[str, list[str]]:
    """What an anonymous visitor reads on the organization's page, and its tap-to-call links."""
    page = new_phone_page(browser)
    try:
        page.goto(f"{base}/organisasi/{organization.pk}")
        assert page.locator("h1").inner_text() == organization.name
        calls = page.locator("main a[href^='tel:']").evaluate_all("links => links.map(a => a.href)")
        return page.locator("main").inner_text(), calls
    finally:
        page.context.close()


def test_cbo_head_edits_the_phone_an_officer_verifies_it_and_the_public_sees_it(site):
    browser, base, people = site
    organization = people.cbo.organization
    old, new = phone_display(OLD_PHONE).display, phone_display(NEW_PHONE).display
    assert (old, new) == ("06-765 4321", "06-762 8899")

    # The CBO head signs in (email and password: no second factor) and taps to the form.
    head = new_phone_page(browser)
    sign_in(head, base, people.cbo_head.user.email)
    head.wait_for_url("**/akaun/")
    head.locator("main a[href$='/urus/cbo']").click()
    head.wait_for_url("**/urus/cbo")
    assert head.locator("h1").inner_text() == organization.name
    head.locator("main a[href$='/urus/cbo/profil']").click()
    head.wait_for_url("**/urus/cbo/profil")
    phone = head.locator("input[name='phone']")
    assert phone.get_attribute("type") == "tel"
    assert phone.input_value() == OLD_PHONE
    assert_fits_and_accessible(head)

    phone.fill(NEW_PHONE)
    head.locator("main form button[type='submit']").click()
    head.wait_for_url("**/urus/cbo")
    sent = malay(
        "Sent for verification. The public sees the change once a district officer verifies it."
    )
    assert sent in head.locator("ul.messages").inner_text()

    # Until a district officer verifies it, the public sees the old number.
    before, calls = public_page(browser, base, organization)
    assert old in before
    assert new not in before
    assert calls == [phone_display(OLD_PHONE).tel]
    assert malay("Not yet verified by a district officer.") in before

    # The district officer signs in with a password and the authenticator's code.
    officer = new_phone_page(browser)
    sign_in(officer, base, people.district_officer.user.email)
    officer.wait_for_url("**/akaun/masuk/kod**")
    officer.locator("input[name='code']").fill(people.district_officer.code())
    officer.locator("main form button[type='submit']").click()
    officer.wait_for_url("**/akaun/")
    officer.locator("main a[href$='/urus/semakan']").click()
    officer.wait_for_url("**/urus/semakan")
    changes = officer.locator("main ul.results a[href*='/urus/semakan/']")
    assert changes.count() == 1
    changes.click()
    officer.wait_for_url("**/urus/semakan/*")
    review = officer.locator("main table").inner_text()
    assert old in review
    assert new in review
    assert_fits_and_accessible(officer)

    officer.locator("main form:has(input[name='decision'][value='approve']) button").click()
    officer.wait_for_url("**/urus/semakan")
    assert (
        malay("Verified: the change is public now.") in officer.locator("ul.messages").inner_text()
    )
    assert officer.locator("main ul.results a[href*='/urus/semakan/']").count() == 0

    # Anyone, signed in or not, now sees the new number and today's verified date.
    after, calls = public_page(browser, base, organization)
    assert new in after
    assert old not in after
    assert calls == [phone_display(NEW_PHONE).tel]
    assert verified_line(timezone.localdate()) in after
