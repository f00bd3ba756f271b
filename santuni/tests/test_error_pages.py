"""A server error is a page of the site in the visitor's language, with the emergency numbers
and nothing of the error itself; when the database cannot be reached it says to try again in
a minute (503 with Retry-After), as during a PostgreSQL restart (docs/reliability.md)."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from santuni.cases.tests.factories import MYKAD

pytestmark = pytest.mark.django_db

FAILING = "santuni.directory.views.selectors.target_group_terms"
SECRET = f"connection to 10.0.0.5 failed for password=hunter2 client {MYKAD}"


def opened(path: str, error: Exception):
    client = Client(raise_request_exception=False)
    with mock.patch(FAILING, side_effect=error):
        return client.get(path)


@pytest.mark.parametrize("error", [OperationalError(SECRET), InterfaceError(SECRET)])
def test_an_unreachable_database_asks_to_try_again_in_a_minute(error):
    response = opened("/", error)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Santuni sibuk sebentar" in text
    assert "Tunggu seminit" in text
    assert "tel:999" in text and "tel:15999" in text
    assert "hunter2" not in text and MYKAD not in text and "10.0.0.5" not in text


def test_any_other_fault_is_a_500_page_of_the_site_without_its_details():
    response = opened("/", ValueError(SECRET))
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    text = response.content.decode()
    assert '<html lang="ms">' in text
    assert "Ada masalah di pihak kami" in text
    assert "tel:999" in text
    assert "hunter2" not in text and MYKAD not in text


def test_the_error_pages_are_in_english_under_en():
    busy = opened("/en/", OperationalError(SECRET)).content.decode()
    assert '<html lang="en">' in busy and "Santuni is busy for a moment" in busy
    broken = opened("/en/", ValueError(SECRET)).content.decode()
    assert "Something went wrong on our side" in broken
