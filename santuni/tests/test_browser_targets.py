"""On a 360 px phone, in Malay and English, every button, form control and stand-alone link of
the results and a service page is at least 44×44 CSS px, the emergency numbers are the biggest
targets, and a result card is at most 180 px tall."""

import os

import pytest

from santuni.demo.directory import demo_data_load

from .browser import CHROMIUM_ARGS, MIN_TAP_PX, require_chromium, small_tap_targets, tap_targets

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CARD_MAX_PX = 180
# A line a later change adds to each card ("juga di 6 pejabat lain") must still fit.
ONE_MORE_LINE_PX = 20
EMERGENCY_MIN_PX = 48


@pytest.fixture
def phone(live_server):
    executable = require_chromium()
    demo_data_load()
    from playwright.sync_api import sync_playwright

    # Playwright's event loop makes Django think it runs async; the test only reads.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page, live_server.url
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def assert_every_target_fits_a_finger(page):
    assert small_tap_targets(page) == [], page.url
    targets = tap_targets(page)
    emergency = [t for t in targets if t["emergency"]]
    assert len(emergency) == 3
    # Taller than the minimum every other target meets, and half as wide again.
    assert all(
        t["height"] >= EMERGENCY_MIN_PX and t["width"] >= 1.5 * MIN_TAP_PX for t in emergency
    )


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["ms", "en"])
def test_results_and_a_service_page_have_finger_sized_targets_and_short_cards(phone, prefix):
    page, base = phone
    for query in ("?q=bantuan", "?q=&daerah=seremban"):
        page.goto(f"{base}{prefix}/cari{query}")
        heights = page.eval_on_selector_all(
            "ol.results > li", "cards => cards.map(c => c.getBoundingClientRect().height)"
        )
        assert len(heights) == 20
        assert max(heights) <= CARD_MAX_PX - ONE_MORE_LINE_PX, heights
        # Call, WhatsApp and directions side by side, none pushed out of the card.
        overflowing = "rows => rows.filter(r => r.scrollWidth > r.clientWidth + 1).length"
        assert page.eval_on_selector_all("ol.results .acts", overflowing) == 0
        assert_every_target_fits_a_finger(page)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    page.locator("ol.results > li h2 a").first.click()
    page.wait_for_url("**/perkhidmatan/**")
    assert_every_target_fits_a_finger(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
