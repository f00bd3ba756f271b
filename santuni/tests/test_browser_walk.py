"""The daily journeys on a 360 px phone, in Malay and in English: a visitor searches, opens a
service and finds its call link; a CBO head records a case and refers it; the agency's officer
redirects it by picking another service by its name and saying yes; the CBO head downloads the
district's booklet. Every page on the way fits a finger (no target under 44×44 CSS px), fits the
screen (no sideways scrolling) and has no serious or critical axe violation."""

import os
import re

import pytest
from django.db import connections
from django.utils import translation
from django.utils.translation import gettext

from santuni.accounts.tests.personas import PASSWORD, make_personas
from santuni.cases.models import Referral
from santuni.cases.tests.factories import jkm_service
from santuni.directory.tests.factories import mukim, place_service, term

from .browser import CHROMIUM_ARGS, phone_page_problems, require_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SITUATION = "Ibu tunggal, dua anak; sewa rumah tertunggak dan perlu bantuan makanan."
NAME = "Siti Aminah binti Sampel"
# The service the officer redirects to, found by words of its name (in either language).
HOME_WORDS = "Seri Kenangan"
CASE_PAGE = re.compile(r"/kes/([0-9a-f-]{36})$")


@pytest.fixture
def site(live_server, settings, tmp_path):
    """The browser, the live server's address and the personas, with the demo directory."""
    executable = require_chromium()
    settings.MEDIA_ROOT = tmp_path / "media"  # the booklet's file
    people = make_personas()
    from santuni.demo.directory import demo_data_load

    demo_data_load()
    from playwright.sync_api import sync_playwright

    # Playwright's event loop makes Django think it runs async; the test reads the database.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser, live_server.url, people
        # Queries made while Playwright runs use a connection of their own; closed here, the
        # test database can be dropped at the end.
        connections.close_all()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Walk:
    """One person's phone on the walk: every page it lands on is checked before going on."""

    def __init__(self, browser, base: str, prefix: str, language: str):
        self.context = browser.new_context(
            viewport={"width": 360, "height": 740},
            locale=f"{language}-MY",
            is_mobile=True,
            has_touch=True,
            accept_downloads=True,
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.base, self.prefix, self.language = base, prefix, language
        self.checked: list[str] = []

    def say(self, message: str) -> str:
        with translation.override(self.language):
            return gettext(message)

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base}{self.prefix}{path}")
        self.check()

    def check(self) -> None:
        """The page as it is now: finger-sized targets, no sideways scroll, axe clean."""
        page = self.page
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == self.language, page.url
        problems = phone_page_problems(page)
        assert problems == {}, f"{page.url}: {problems}"
        self.checked.append(page.url.removeprefix(self.base))

    def tap(self, locator, then: str | None = None) -> None:
        """Taps a link or button, waits for the page it leads to and checks it."""
        with self.page.expect_navigation():
            locator.click()
        if then:
            self.page.wait_for_url(f"**{then}")
        self.check()

    def sign_in(self, persona) -> None:
        self.goto("/akaun/masuk")
        self.page.locator("input[name='username']").fill(persona.user.email)
        self.page.locator("input[name='password']").fill(PASSWORD)
        self.tap(self.page.locator("main form button[type='submit']"))
        if persona.device is not None:  # the second factor: the authenticator app's code
            assert "/akaun/masuk/kod" in self.page.url, self.page.url
            self.page.locator("input[name='code']").fill(persona.code())
            self.tap(self.page.locator("main form button[type='submit']"))
        assert self.page.url.endswith(f"{self.prefix}/akaun/"), self.page.url


@pytest.mark.parametrize("prefix, language", [("", "ms"), ("/en", "en")], ids=["ms", "en"])
def test_the_daily_walk_fits_a_phone(site, prefix, language):
    browser, base, people = site
    jkm = jkm_service(people)
    place_service(jkm)  # offered in Seremban, where the case lives
    rasah, group = mukim("Rasah"), term("mangsa-krt")

    # 1. A visitor searches from the home page, opens a service and can tap to call it.
    visitor = Walk(browser, base, prefix, language)
    visitor.goto("/")
    visitor.page.locator("main form[role='search'] input[name='q']").fill("warga emas")
    visitor.tap(visitor.page.locator("main form[role='search'] button[type='submit']"), "/cari**")
    first = visitor.page.locator("ol.results > li h2 a").first
    visitor.tap(first, "/perkhidmatan/**")
    call = visitor.page.locator("main a[href^='tel:']").first
    assert re.fullmatch(r"tel:\+?[0-9]{3,15}", call.get_attribute("href"))
    box = call.bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44 and box["x"] + box["width"] <= 360
    # Nothing covers it: a tap at its middle lands on the link.
    call.scroll_into_view_if_needed()
    on_top = call.evaluate(
        """a => { const r = a.getBoundingClientRect();
                  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                  return a === hit || a.contains(hit); }"""
    )
    assert on_top, "the call link is covered"
    visitor.context.close()

    # 2. The CBO head signs in, records a case (help needed soon) and refers it by picking
    # the welfare office's service from the list.
    head = Walk(browser, base, prefix, language)
    page = head.page
    head.sign_in(people.cbo_head)
    head.tap(page.locator("main a[href$='/kes/baru']"), "/kes/baru")
    head.tap(page.locator("main a[href$='?tahap=high']"), "/kes/baru?tahap=high")
    page.locator("select[name='category']").select_option("financial")
    page.locator("textarea[name='situation']").fill(SITUATION)
    page.locator("input[name='name']").fill(NAME)
    page.locator("input[name='sex'][value='f']").check()
    page.locator("input[name='age']").fill("38")
    page.locator("select[name='mukim']").select_option(str(rasah.pk))
    page.locator(f"input[name='target_groups'][value='{group.pk}']").check()
    page.locator("input[name='consent_method'][value='written']").check()
    for purpose in ("record", "share", "contact"):
        page.locator(f"input[name='consent_purposes'][value='{purpose}']").check()
    head.tap(page.locator("main form.form button[type='submit']").first)
    found = CASE_PAGE.search(page.url)
    assert found, page.locator("main .error, main [role='alert']").all_inner_texts()
    case_id = found.group(1)
    head.tap(page.locator(f"main a[href$='/kes/{case_id}/rujuk']"), f"/kes/{case_id}/rujuk")
    page.locator("main input[name='q']").fill(jkm.name)
    choice = page.locator(f"input[name='service'][value='{jkm.pk}']")
    choice.wait_for()
    choice.check()
    head.check()  # the list the typing brought
    head.tap(page.locator("main form button[name='send']"), f"/kes/{case_id}")
    referral = Referral.objects.get(case_id=case_id)
    assert referral.service == jkm and referral.status == Referral.Status.SENT

    # 3. The agency's officer (password and authenticator code) redirects it to the older
    # people's home, found by words of its name and picked from the list, then says yes.
    officer = Walk(browser, base, prefix, language)
    page = officer.page
    officer.sign_in(people.agency_focal_point)
    officer.tap(page.locator("main a[href$='/kes/rujukan']"), "/kes/rujukan")
    officer.tap(page.locator(f"main a[href$='/kes/rujukan/{referral.pk}']").first)
    redirect = page.locator("main details:has(input[name='action'][value='redirect'])")
    redirect.locator("summary").click()
    officer.check()
    redirect.locator("input[name='q']").fill(HOME_WORDS)
    home = redirect.locator("ul.choices li", has_text=HOME_WORDS).first
    home.wait_for()
    home_name = home.locator("strong").inner_text()
    home.locator("input[name='service']").check()
    officer.check()
    officer.tap(redirect.locator("button[type='submit']").last)
    assert page.locator("h1").inner_text() == officer.say("Redirect to this service?")
    assert home_name in page.locator("main").inner_text()
    officer.tap(page.locator("main form button.destructive"), f"/kes/rujukan/{referral.pk}")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REDIRECTED
    onward = Referral.objects.get(redirected_from=referral)
    assert HOME_WORDS in onward.service.name and onward.status == Referral.Status.SENT

    # 4. The CBO head asks for the district's booklet from My account and downloads it.
    page = head.page
    head.goto("/akaun/")
    head.tap(page.locator("main a[href$='/laporan/buku-kecil']"), "/laporan/buku-kecil")
    head.tap(page.locator("main form button[type='submit']"), "/laporan/buku-kecil/**")
    download_link = page.locator("main a[href$='/pdf']")
    with page.expect_download() as waiting:
        download_link.click()
    download = waiting.value
    assert download.suggested_filename == f"direktori-cbo-seremban-{language}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    walked = visitor.checked + head.checked + officer.checked
    assert len(walked) >= 17, walked
