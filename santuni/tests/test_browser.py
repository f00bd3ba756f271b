"""A CBO head on a 360 px phone: search "warga emas", open a result, tap to call."""

import os

import pytest

from santuni.demo.directory import demo_data_load

from .browser import CHROMIUM_ARGS, axe_violations, require_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def phone_page(live_server):
    executable = require_chromium()
    demo_data_load()
    from playwright.sync_api import sync_playwright

    # Playwright's event loop makes Django think it runs async; the test only reads.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, locale="ms-MY", is_mobile=True, has_touch=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page, live_server.url
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def assert_fits_and_accessible(page):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"
    assert axe_violations(page) == []


def test_search_warga_emas_open_a_result_and_find_a_phone_to_call(phone_page):
    page, base = phone_page
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "ms"
    assert page.locator(".emergency a[href='tel:15999']").is_visible()
    assert_fits_and_accessible(page)

    page.get_by_label("Apakah bantuan yang diperlukan?").fill("warga emas")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url("**/cari?q=warga+emas")
    results = page.locator("ol.results > li")
    assert results.count() > 0
    assert "perkhidmatan ditemui" in page.locator(".count").inner_text()
    assert_fits_and_accessible(page)

    results.first.locator("h2 a").click()
    page.wait_for_url("**/perkhidmatan/**")
    call = page.locator("main a[href^='tel:']").first
    assert call.is_visible()
    assert call.get_attribute("href").startswith("tel:")
    assert_fits_and_accessible(page)


def test_filters_update_results_in_place_and_the_url(phone_page):
    page, base = phone_page
    page.goto(base + "/cari?q=warga+emas")
    before = page.locator(".count").inner_text()
    page.locator("details.more summary").click()
    page.get_by_label("Daerah").select_option("seremban")
    page.wait_for_url("**daerah=seremban**")
    page.wait_for_load_state("networkidle")  # the new form is swapped in
    page.get_by_label("Mukim").select_option("rasah")
    page.wait_for_url("**mukim=rasah**")
    assert page.locator("h1").count() == 1  # swapped in place, not a nested page
    after = page.locator(".count").inner_text()
    assert after != before
    assert page.get_by_label("Mukim").input_value() == "rasah"
    assert page.locator("details.more").get_attribute("open") is not None
    assert_fits_and_accessible(page)


def test_english_is_one_tap_away(phone_page):
    page, base = phone_page
    page.goto(base + "/cari?q=warga+emas")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/cari?q=warga+emas")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "services found" in page.locator(".count").inner_text()
