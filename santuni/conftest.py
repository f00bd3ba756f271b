"""Fixtures shared by every app's tests."""

import os

import pytest
from hypothesis import HealthCheck, settings

from santuni.directory.tests.factories import seremban

# Property tests: repeatable and quick by default, no .hypothesis folder; the
# function-scoped fixtures (a signed-in client, the personas) are shared by a test's examples
# on purpose, and each example rolls its writes back itself. Not named "default": Schemathesis
# takes only the settings that differ from Hypothesis' own "default" profile.
settings.register_profile(
    "santuni",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# HYPOTHESIS_PROFILE=explore: many more examples, a new seed each run.
settings.register_profile(
    "explore", parent=settings.get_profile("santuni"), max_examples=500, derandomize=False
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "santuni"))


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
    from santuni.lib.reloading import forget_all

    forget_all()
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


@pytest.fixture(autouse=True)
def audit_checkpoint_apart(settings, monkeypatch, tmp_path_factory):
    """Each test's audit checkpoint (santuni.audit.trail) in a folder of its own, for the
    commands it runs here and in other processes: never the project's var/, never another
    test's trail."""
    path = str(tmp_path_factory.mktemp("audit") / "checkpoint.json")
    settings.SANTUNI = {**settings.SANTUNI, "AUDIT_CHECKPOINT": path}
    monkeypatch.setenv("AUDIT_CHECKPOINT", path)
