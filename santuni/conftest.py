"""Fixtures shared by every app's tests."""

import pytest

from santuni.directory.tests.factories import seremban


@pytest.fixture
def personas(db):
    """A ministry admin, district officers, an agency focal point, two CBO heads, a CBO member
    and an outsider (santuni.accounts.tests.personas)."""
    from santuni.accounts.tests.personas import make_personas

    return make_personas()


@pytest.fixture
def admin_client(client, personas):
    """The admin as a ministry admin who has passed two-factor sign-in."""
    from santuni.accounts.tests.personas import sign_in

    return sign_in(client, personas.ministry_admin)


@pytest.fixture
def seremban_district():
    return seremban()


@pytest.fixture(autouse=True)
def fresh_search_caches():
    """Search keeps what it has read of the index for a few seconds; each test starts anew."""
    from santuni.search import index, query, ranking, synonyms

    for module in (synonyms, query, ranking, index):
        module.forget()
    yield


@pytest.fixture(autouse=True)
def malay_after_each_test():
    """A request under /en/ leaves English active in the thread; the next test starts in Malay."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def on_commit_at_once(monkeypatch):
    """Side effects queued with transaction.on_commit (email) run at once: a django_db test's
    transaction never commits."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, *a, **k: func())
