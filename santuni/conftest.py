"""Fixtures shared by every app's tests."""

import pytest

from santuni.directory.tests.factories import seremban


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
