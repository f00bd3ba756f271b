"""Fixtures shared by every app's tests."""

import pytest

from santuni.directory.tests.factories import seremban


@pytest.fixture
def seremban_district():
    return seremban()
