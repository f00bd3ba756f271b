"""On a 360 px phone, in Malay: a district officer records who attended an event, is told
what to fix when a field is missing, removes a slip; the CBO's public page then shows the
event and how many went, without names."""

import os

import pytest
from django.db import connections

from santuni.accounts.tests.personas import make_personas
from santuni.tests.browser import CHROMIUM_ARGS, require_chromium
from santuni.tests.test_browser_cases import sign_in_with_code, submit
from santuni.tests.test_browser_self_service import (
    assert_fits_and_accessible,
    new_phone_page,
    sign_in,
)
from santuni.training.models import Attendance

from .factories import EventFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
NAME = "Nur Aisyah binti Razak"


@pytest.fixture
def site(live_server):
    executable = require_chromium()
    people = make_personas()
    event = EventFactory(name="Pelancaran Direktori CBO KPWKM @ Seremban")
    from playwright.sync_api import sync_playwright

    # Playwright's event loop makes Django think it runs async; the test reads the database.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser, live_server.url, people, event
        connections.close_all()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_an_officer_records_attendance_and_the_public_sees_how_many(site):
    browser, base, people, event = site
    cbo = people.cbo.organization

    officer = new_phone_page(browser)
    sign_in_with_code(officer, base, people.district_officer)
    officer.goto(f"{base}/latihan/")
    assert_fits_and_accessible(officer)
    with officer.expect_navigation():
        officer.locator(f"main a[href$='/latihan/{event.pk}']").click()
    assert_fits_and_accessible(officer)

    # No role picked: the form marks the field and keeps the name and CBO typed.
    officer.locator("select[name='organization']").select_option(str(cbo.pk))
    officer.locator("input[name='name']").fill(NAME)
    submit(officer, "main form.form")
    assert officer.locator("main .field.invalid p.error").count() == 1
    assert officer.locator("input[name='name']").input_value() == NAME
    assert officer.locator("select[name='organization']").input_value() == str(cbo.pk)
    assert not Attendance.objects.exists()
    assert_fits_and_accessible(officer)

    officer.locator("input[name='role'][value='member']").check()
    submit(officer, "main form.form")
    assert NAME in officer.locator("main").inner_text()
    attendance = Attendance.objects.get()
    assert (attendance.organization, attendance.name) == (cbo, NAME)
    # The next person of the same CBO: it is still picked.
    assert officer.locator("select[name='organization']").input_value() == str(cbo.pk)
    assert_fits_and_accessible(officer)

    public = new_phone_page(browser)
    public.goto(f"{base}/organisasi/{cbo.pk}")
    history = public.locator("#latihan").inner_text()
    assert event.name in history and NAME not in history
    assert_fits_and_accessible(public)

    head = new_phone_page(browser)
    sign_in(head, base, people.cbo_head.user.email)
    head.wait_for_url("**/akaun/")
    head.goto(f"{base}/organisasi/{cbo.pk}")
    assert NAME in head.locator("#latihan").inner_text()

    # A slip: the officer removes the entry.
    with officer.expect_navigation():
        officer.locator("main form[action$='/buang'] button").click()
    assert not Attendance.objects.exists()
    assert NAME not in officer.locator("main").inner_text()
